package io.jgrok.engine.device;

import io.jgrok.config.GradProjection;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.LossFunction;
import io.jgrok.device.DevicePtr;
import io.jgrok.device.Dim3;
import io.jgrok.device.KernelArgs;
import io.jgrok.engine.device.Workspace.Buf;

/**
 * The kernel launches of one epoch on a {@link Workspace}, step by step, in the CPU engine's decomposition
 * (CpuModel): per-token tables, the per-example gather and logits, the float64 cross-entropy, table gradients pulled
 * back to the weights, one fused optimiser step (with ⊥Grad: filter, projection, AdamW). Every launch serves all of
 * the workspace's models, which share one loss function. Each step is a
 * method of its own so that the kernel tests can run it alone on prepared buffers; launch shapes are chosen here and
 * explained in the kernel files' headers.
 */
final class ModelPasses {
    private static final int THREADS = 256;
    /** Examples per block of forward_gather (its per-example weights are computed once per block). */
    static final int GATHER_EXAMPLES = 8;
    /** Examples per block of cross_entropy: 256 threads, 8 lanes each. */
    static final int CE_EXAMPLES = THREADS / 8;
    /** Token rows per block of tables_attention. */
    static final int SCORE_ROWS = 64;
    /** Token rows per block of tables_fold. */
    static final int FOLD_ROWS = 8;

    private final Workspace ws;
    private final Shape s;
    private final Launcher l;
    private final long ms;
    private final int n;
    private final LossFunction loss;
    private final KernelVariants variants;

    /** Passes with the paper's softmax cross-entropy and the kernel versions chosen by JGROK_KERNELS. */
    ModelPasses(Workspace ws, Launcher launcher) {
        this(ws, launcher, LossFunction.SOFTMAX, KernelVariants.selected());
    }

    /** With the kernel versions chosen by JGROK_KERNELS ({@link KernelVariants#selected()}). */
    ModelPasses(Workspace ws, Launcher launcher, LossFunction loss) {
        this(ws, launcher, loss, KernelVariants.selected());
    }

    /** With the paper's softmax cross-entropy. */
    ModelPasses(Workspace ws, Launcher launcher, KernelVariants variants) {
        this(ws, launcher, LossFunction.SOFTMAX, variants);
    }

    ModelPasses(Workspace ws, Launcher launcher, LossFunction loss, KernelVariants variants) {
        this.ws = ws;
        this.s = ws.shape();
        this.l = launcher;
        this.ms = ws.stride();
        this.n = ws.models();
        this.loss = loss;
        this.variants = variants;
    }

    Launcher launcher() {
        return l;
    }

    KernelVariants variants() {
        return variants;
    }

    private DevicePtr p(Buf b) {
        return ws.ptr(b);
    }

    private Dim3 grid(long blocks) {
        return new Dim3((int) blocks, 1, n);
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    // ---- tables ------------------------------------------------------------------------------------------------

    void prepare() {
        tablesInputs();
        tablesAttention();
        tableProducts();
        tablesFold();
    }

    void tablesInputs() {
        long total = (long) s.rows() * s.d() + (long) s.d() * s.d() + (long) s.d() * s.width();
        l.launch("tables: X, WVcat, WinU", "tables_inputs", grid(ceil(total, THREADS)), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(p(Buf.PARAMS)).ptr(p(Buf.LAYOUT)).ptr(p(Buf.X)).ptr(p(Buf.WVCAT))
                        .ptr(p(Buf.WINU)).i64(ms).i32(s.p()).i32(s.d()).i32(s.heads()).i32(s.dMlp()).i32(s.nOut()));
    }

    /** tables_attention or tables_attention_warp: the same grid, shared memory and arguments. */
    void tablesAttention() {
        KernelVariants.Kernel k = KernelVariants.Kernel.TABLES_ATTENTION;
        int smem = 4 * (2 * s.d() + s.d() * s.heads());
        l.launch("tables: q, kq, scores" + variants.labelSuffix(k), variants.kernelName(k),
                grid(ceil(s.rows(), SCORE_ROWS)), Dim3.of(THREADS), smem, KernelArgs.of().ptr(p(Buf.PARAMS))
                        .ptr(p(Buf.LAYOUT)).ptr(p(Buf.X)).ptr(p(Buf.Q)).ptr(p(Buf.KQ)).ptr(p(Buf.S)).i64(ms)
                        .i32(s.p()).i32(s.d()).i32(s.heads()).f32(s.attentionScale()).i32(SCORE_ROWS));
    }

    /** V = X WVcat; WOX[h] = W_O[h] WinU; WOU = W_out W_U; T[., h] = V[., h] WOX[h]. */
    void tableProducts() {
        final int d = s.d();
        final int w = s.width();
        final int dh = s.dHead();
        final int h = s.heads();
        final var layout = s.layout();
        new GemmCall("gemm_nn", s.rows(), d, d).a(p(Buf.X), d).b(p(Buf.WVCAT), d).c(p(Buf.V), d)
                .models(n, ms).launch(l, "tables: V = X W_V");
        new GemmCall("gemm_nn", dh, w, d).a(p(Buf.PARAMS).floatAt(layout.wO), d).b(p(Buf.WINU), w)
                .c(p(Buf.WOX), w).models(n, ms).inner(h, (long) dh * d, 0, (long) dh * w)
                .launch(l, "tables: WOX = W_O [W_in|W_U]");
        new GemmCall("gemm_nn", s.dMlp(), s.nOut(), d).a(p(Buf.PARAMS).floatAt(layout.wOut), d)
                .b(p(Buf.PARAMS).floatAt(layout.wU), s.nOut()).c(p(Buf.WOU), s.nOut()).models(n, ms)
                .launch(l, "tables: WOU = W_out W_U");
        new GemmCall("gemm_nn", s.rows(), w, dh).a(p(Buf.V), d).b(p(Buf.WOX), w).c(p(Buf.T), h * w)
                .models(n, ms).inner(h, dh, (long) dh * w, w).launch(l, "tables: T = V WOX");
    }

    void tablesFold() {
        l.launch("tables: fold '='", "tables_fold",
                new Dim3((int) ceil(s.width(), THREADS), 1 + (int) ceil(2L * s.p(), FOLD_ROWS), n), Dim3.of(THREADS),
                0, KernelArgs.of().ptr(p(Buf.PARAMS)).ptr(p(Buf.LAYOUT)).ptr(p(Buf.X)).ptr(p(Buf.WINU))
                        .ptr(p(Buf.T)).ptr(p(Buf.CB)).i64(ms).i32(s.p()).i32(s.d()).i32(s.heads()).i32(s.dMlp())
                        .i32(s.nOut()).i32(FOLD_ROWS));
    }

    // ---- forward -----------------------------------------------------------------------------------------------

    /**
     * Rows [rowBegin, rowEnd) of the example list: attention weights, MLP pre-activations, logits, and the
     * cross-entropy; rows below {@code trainEnd} also get dlogits (scaled by 1 / nTrain).
     */
    void forward(int rowBegin, int rowEnd, int trainEnd, int nTrain) {
        gather(rowBegin, rowEnd);
        logits(rowBegin, rowEnd);
        crossEntropy(rowBegin, rowEnd, trainEnd, nTrain);
    }

    void gather(int rowBegin, int rowEnd) {
        int e = GATHER_EXAMPLES;
        int smem = 4 * e * (2 * s.heads() + 2);
        l.launch("forward: attention + gather", "forward_gather", grid(ceil(rowEnd - rowBegin, e)),
                Dim3.of(THREADS), smem, KernelArgs.of().ptr(p(Buf.EXAMPLES)).ptr(p(Buf.S)).ptr(p(Buf.T))
                        .ptr(p(Buf.CB)).ptr(p(Buf.ALPHA)).ptr(p(Buf.PRE)).ptr(p(Buf.LOGITS)).i64(ms).i32(rowBegin)
                        .i32(rowEnd).i32(s.p()).i32(s.heads()).i32(s.dMlp()).i32(s.nOut()).i32(e));
    }

    void logits(int rowBegin, int rowEnd) {
        new GemmCall("gemm_nn_relu_a", rowEnd - rowBegin, s.nOut(), s.dMlp())
                .a(p(Buf.PRE).floatAt((long) rowBegin * s.dMlp()), s.dMlp()).b(p(Buf.WOU), s.nOut())
                .c(p(Buf.LOGITS).floatAt((long) rowBegin * s.nOut()), s.nOut()).models(n, ms).alphaBeta(1f, 1f)
                .launch(l, "forward: logits += relu(pre) WOU");
    }

    void crossEntropy(int rowBegin, int rowEnd, int trainEnd, int nTrain) {
        boolean stable = loss == LossFunction.STABLEMAX;
        l.launch(stable ? "forward: float64 StableMax cross-entropy" : "forward: float64 cross-entropy",
                stable ? "cross_entropy_stablemax" : "cross_entropy", grid(ceil(rowEnd - rowBegin, CE_EXAMPLES)),
                Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(p(Buf.EXAMPLES)).ptr(p(Buf.LOGITS))
                        .ptr(ws.words(Buf.DACT) > 1 ? p(Buf.DACT).floatAt(s.dMlp()) : null).i32(s.width())
                        .ptr(p(Buf.LOSS)).ptr(p(Buf.CORRECT)).ptr(p(Buf.COLLAPSED)).i64(ms).i32(rowBegin)
                        .i32(rowEnd).i32(trainEnd).i32(s.p()).i32(s.nOut()).f64(nTrain > 0 ? 1.0 / nTrain : 0.0));
    }

    /** Ring row of the epoch counter: see loss_reduce (begin < 0 leaves a segment alone, begin == end writes NaN). */
    void lossReduce(int trainBegin, int trainEnd, int testBegin, int testEnd) {
        l.launch("loss and accuracy sums", "loss_reduce", new Dim3(2, 1, n), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(p(Buf.LOSS)).ptr(p(Buf.CORRECT)).ptr(p(Buf.COLLAPSED)).ptr(p(Buf.RING))
                        .ptr(p(Buf.STATE)).i64(ms).i32(trainBegin).i32(trainEnd).i32(testBegin).i32(testEnd));
    }

    // ---- backward ----------------------------------------------------------------------------------------------

    /** The gradient of the mean loss over train rows [0, nTrain) into GRAD (needs forward with trainEnd = nTrain). */
    void backward(int nTrain) {
        dpre(nTrain);
        dwou(nTrain);
        columnSums(nTrain);
        backwardScores(nTrain);
        backwardScatter(nTrain);
        tableGradients();
        backwardQuery();
        inputGradients();
        backwardEmbed();
        backwardAssemble();
    }

    /** dpre = (dlogits WOU^T) where pre > 0, into the first d_mlp columns of DACT. */
    void dpre(int nTrain) {
        int w = s.width();
        new GemmCall("gemm_nt_mask", nTrain, s.dMlp(), s.nOut()).a(p(Buf.DACT).floatAt(s.dMlp()), w)
                .b(p(Buf.WOU), s.nOut()).c(p(Buf.DACT), w).models(n, ms).mask(p(Buf.PRE), s.dMlp(), ms)
                .launch(l, "backward: dpre = dlogits WOU^T, ReLU mask");
    }

    /** dWOU = relu(pre)^T dlogits over the train rows, split-K. */
    void dwou(int nTrain) {
        new GemmCall("gemm_tn_relu_a", s.dMlp(), s.nOut(), nTrain).a(p(Buf.PRE), s.dMlp())
                .b(p(Buf.DACT).floatAt(s.dMlp()), s.width()).c(p(Buf.DWOU), s.nOut()).models(n, ms)
                .splitK(Workspace.SPLIT_ROWS, p(Buf.PART), ms).launch(l, "backward: dWOU = relu(pre)^T dlogits");
    }

    /** The '=' rows of dT and the sums row after them, from column_sums partials. */
    void columnSums(int nTrain) {
        int w = s.width();
        int h = s.heads();
        int splits = Workspace.splits(nTrain);
        KernelVariants.Kernel k = KernelVariants.Kernel.COLUMN_SUMS;
        String suffix = variants.labelSuffix(k);
        // column_sums: a thread per column; column_sums_warp: 32 columns x 8 row groups per block (the same output)
        int columnsPerBlock = variants.version(k).equals("warp") ? 32 : THREADS;
        l.launch("backward: '=' rows and column sums" + suffix, variants.kernelName(k),
                new Dim3((int) ceil(w, columnsPerBlock), splits, n), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(p(Buf.ALPHA)).ptr(p(Buf.DACT)).ptr(p(Buf.PART)).i64(ms).i32(nTrain).i32(h)
                        .i32(w).i32(Workspace.SPLIT_ROWS));
        long slice = (long) (h + 1) * w;
        l.launch("backward: '=' rows and column sums (split sum)" + suffix, "splitk_reduce",
                new Dim3((int) Math.min(ceil(slice, THREADS), 1024), 1, n), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(p(Buf.DT).floatAt((long) 2 * s.p() * h * w)).i32(w).i64(ms).ptr(p(Buf.PART))
                        .i64(ms).i32(h + 1).i32(w).i32(splits).f32(0f));
    }

    /** Examples per block of backward_scores: 32 dot groups over the 2H dots of each example. */
    int scoreExamples() {
        return Math.max(1, 32 / (2 * s.heads()));
    }

    void backwardScores(int nTrain) {
        int e = scoreExamples();
        l.launch("backward: attention weights", "backward_scores", grid(ceil(nTrain, e)), Dim3.of(THREADS),
                4 * e * 2 * s.heads(), KernelArgs.of().ptr(p(Buf.EXAMPLES)).ptr(p(Buf.ALPHA)).ptr(p(Buf.T))
                        .ptr(p(Buf.DACT)).ptr(p(Buf.DS)).i64(ms).i32(nTrain).i32(s.p()).i32(s.heads())
                        .i32(s.width()).i32(e));
    }

    void backwardScatter(int nTrain) {
        l.launch("backward: token-row gradients", "backward_scatter", grid(2L * s.p() + 1), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(p(Buf.ALPHA)).ptr(p(Buf.DACT)).ptr(p(Buf.DS)).ptr(p(Buf.ROW_START))
                        .ptr(p(Buf.ROW_ITEMS)).ptr(p(Buf.DT)).ptr(p(Buf.DSCORES)).i64(ms).i32(nTrain).i32(s.p())
                        .i32(s.heads()).i32(s.width()));
    }

    /** dWOX, dV, dW_O, dWinU (the W_in | W_U parts through W_O), dW_out and W_out^T dWOU. */
    void tableGradients() {
        final int d = s.d();
        final int w = s.width();
        final int dh = s.dHead();
        final int h = s.heads();
        final int m = s.dMlp();
        final int v = s.nOut();
        final var layout = s.layout();
        new GemmCall("gemm_tn", dh, w, s.rows()).a(p(Buf.V), d).b(p(Buf.DT), h * w).c(p(Buf.DWOX), w)
                .models(n, ms).inner(h, dh, w, (long) dh * w).launch(l, "backward: dWOX = V^T dT");
        new GemmCall("gemm_nt", s.rows(), dh, w).a(p(Buf.DT), h * w).b(p(Buf.WOX), w).c(p(Buf.DV), d)
                .models(n, ms).inner(h, w, (long) dh * w, dh).launch(l, "backward: dV = dT WOX^T");
        new GemmCall("gemm_nt", d, d, w).a(p(Buf.DWOX), w).b(p(Buf.WINU), w).c(p(Buf.DWO), d).models(n, ms)
                .launch(l, "backward: dW_O = dWOX WinU^T");
        new GemmCall("gemm_tn", d, w, d).a(p(Buf.PARAMS).floatAt(layout.wO), d).b(p(Buf.DWOX), w)
                .c(p(Buf.DWINU), w).models(n, ms).launch(l, "backward: dWinU = W_O^T dWOX");
        new GemmCall("gemm_nt", m, d, v).a(p(Buf.DWOU), v).b(p(Buf.PARAMS).floatAt(layout.wU), v)
                .c(p(Buf.DWOUT), d).models(n, ms).launch(l, "backward: dW_out = dWOU W_U^T");
        new GemmCall("gemm_tn", d, v, m).a(p(Buf.PARAMS).floatAt(layout.wOut), d).b(p(Buf.DWOU), v)
                .c(p(Buf.DWU2), v).models(n, ms).launch(l, "backward: W_out^T dWOU");
    }

    /** backward_query or backward_query_warp (its partial sums need more shared memory): the same arguments. */
    void backwardQuery() {
        KernelVariants.Kernel k = KernelVariants.Kernel.BACKWARD_QUERY;
        int smem = 4 * (s.d() * s.heads() + s.d());
        if (variants.version(k).equals("warp")) {
            int groups = Math.max(1, 8 / (int) ceil(s.d(), 32));  // see backward_query_warp.cu
            smem = 4 * (groups * s.d() * s.heads() + s.d() * s.heads() + groups * s.d() + s.d());
        }
        l.launch("backward: query side" + variants.labelSuffix(k), variants.kernelName(k), grid(1), Dim3.of(THREADS),
                smem,
                KernelArgs.of().ptr(p(Buf.PARAMS)).ptr(p(Buf.LAYOUT)).ptr(p(Buf.X)).ptr(p(Buf.DSCORES))
                        .ptr(sums()).ptr(p(Buf.DKQ)).ptr(p(Buf.DQ)).ptr(p(Buf.DXEQ)).ptr(p(Buf.DBOUT)).i64(ms)
                        .i32(s.p()).i32(s.d()).i32(s.heads()).i32(s.dMlp()).i32(s.nOut()).f32(s.attentionScale()));
    }

    /** dWVcat = X^T dV and dXv = dV WVcat^T. */
    void inputGradients() {
        final int d = s.d();
        new GemmCall("gemm_tn", d, d, s.rows()).a(p(Buf.X), d).b(p(Buf.DV), d).c(p(Buf.DWVCAT), d).models(n, ms)
                .launch(l, "backward: dW_V = X^T dV");
        new GemmCall("gemm_nt", s.rows(), d, d).a(p(Buf.DV), d).b(p(Buf.WVCAT), d).c(p(Buf.DXV), d).models(n, ms)
                .launch(l, "backward: dX = dV W_V^T");
    }

    void backwardEmbed() {
        l.launch("backward: W_E, W_pos", "backward_embed", grid(ceil(s.d(), 32)), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(p(Buf.DXV)).ptr(p(Buf.DSCORES)).ptr(p(Buf.KQ)).ptr(p(Buf.DXEQ))
                        .ptr(p(Buf.LAYOUT)).ptr(p(Buf.GRAD)).i64(ms).i32(s.p()).i32(s.d()).i32(s.heads()));
    }

    void backwardAssemble() {
        l.launch("backward: assemble the gradient", "backward_assemble", grid(ceil(s.size(), THREADS)),
                Dim3.of(THREADS), 0, KernelArgs.of().ptr(p(Buf.PARAMS)).ptr(p(Buf.LAYOUT)).ptr(p(Buf.X))
                        .ptr(p(Buf.Q)).ptr(p(Buf.DKQ)).ptr(p(Buf.DQ)).ptr(p(Buf.DWVCAT)).ptr(p(Buf.DWO))
                        .ptr(p(Buf.DWINU)).ptr(p(Buf.DWOUT)).ptr(p(Buf.DWU2)).ptr(p(Buf.DBOUT)).ptr(sums())
                        .ptr(p(Buf.GRAD)).i64(ms).i32(s.p()).i32(s.d()).i32(s.heads()).i32(s.dMlp()).i32(s.nOut())
                        .f32(s.attentionScale()));
    }

    /** The row after dT's slots: [sum of dpre | sum of dlogits] over the train rows. */
    private DevicePtr sums() {
        return p(Buf.DT).floatAt((long) s.slots() * s.width());
    }

    // ---- optimiser ---------------------------------------------------------------------------------------------

    void optimizerStep(GrokfastMode mode, int window) {
        optimizerStep(mode, window, GradProjection.NONE);
    }

    /**
     * The optimiser step: masked Grokfast + AdamW in one launch, or with ⊥Grad the mask and filter (grad_filter,
     * only with Grokfast), the projection (project_gradient) and then AdamW alone.
     */
    void optimizerStep(GrokfastMode mode, int window, GradProjection projection) {
        GrokfastMode inAdam = mode;
        if (projection == GradProjection.ORTHOGONAL) {
            if (mode != GrokfastMode.NONE) {
                gradFilter(mode, window);
            }
            projectGradient();
            inAdam = GrokfastMode.NONE;
        }
        l.launch(inAdam == mode ? "optimiser: masked Grokfast + AdamW" : "optimiser: AdamW", "adamw_step",
                grid(ceil(s.size(), THREADS)), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(p(Buf.PARAMS)).ptr(p(Buf.GRAD)).ptr(p(Buf.ADAM_M)).ptr(p(Buf.ADAM_V))
                        .ptr(p(Buf.GF_MU)).ptr(p(Buf.GF_RING)).ptr(p(Buf.SCHEDULE)).ptr(p(Buf.STATE))
                        .ptr(p(Buf.INFO)).i64(ms).i32(s.size()).i32(grokfastCode(inAdam)).i32(window));
    }

    /** GRAD = the masked, Grokfast-filtered gradient (the first half of adamw_step). */
    void gradFilter(GrokfastMode mode, int window) {
        l.launch("optimiser: masked Grokfast", "grad_filter", grid(ceil(s.size(), THREADS)), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(p(Buf.GRAD)).ptr(p(Buf.GF_MU)).ptr(p(Buf.GF_RING)).ptr(p(Buf.SCHEDULE))
                        .ptr(p(Buf.STATE)).ptr(p(Buf.INFO)).i64(ms).i32(s.size()).i32(grokfastCode(mode))
                        .i32(window));
    }

    /** ⊥Grad: each tensor of GRAD loses its component along PARAMS and keeps its norm (projection.cu). */
    void projectGradient() {
        l.launch("optimiser: ⊥Grad projection", "project_gradient",
                grid(s.layout().tensors().size()), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(p(Buf.PARAMS)).ptr(p(Buf.GRAD)).ptr(p(Buf.LAYOUT)).i64(ms).i32(s.p()).i32(s.d())
                        .i32(s.dMlp()).i32(s.nOut()));
    }

    void advance(GrokfastMode mode, int window) {
        l.launch("epoch counter", "epoch_advance", grid(1), Dim3.of(32), 0,
                KernelArgs.of().ptr(p(Buf.STATE)).i64(ms).i32(grokfastCode(mode)).i32(window));
    }

    static int grokfastCode(GrokfastMode mode) {
        return switch (mode) {
            case NONE -> 0;
            case EMA -> 1;
            case MA -> 2;
        };
    }
}
