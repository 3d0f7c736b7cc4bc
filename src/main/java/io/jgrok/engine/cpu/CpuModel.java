package io.jgrok.engine.cpu;

import io.jgrok.config.LossFunction;
import io.jgrok.engine.SoftmaxCollapse;
import io.jgrok.engine.StableMax;
import io.jgrok.model.ParamLayout;

import java.util.Arrays;

/**
 * Forward and backward pass of the one-layer transformer on a batch of pairs, shaped around what the task allows.
 *
 * <p>The loss reads only the {@code =} position, so its query, the attention output, the MLP and the unembedding
 * are needed there only, and the keys and values at positions 0 and 1 depend on one token each. Everything that
 * depends on a single token is therefore computed once per epoch as a per-token table. A "row" r is token a at
 * position 0 (r = a), token b at position 1 (r = p + b) or {@code =} at position 2 (r = 2p); a "slot" is a row and
 * a head, s = r*H + h:
 * <pre>
 *   X[r]     = W_E[token] + W_pos[pos]
 *   E[s]     = exp(X[r] . kq_h - shift_h)       kq_h = W_K[h] q_h / sqrt(d_head), q_h = X[2p] W_Q[h]
 *   V[s]     = X[r] W_V[h]
 *   VOI[s]   = V[s] (W_O[h] W_in)               VOU[s] = V[s] (W_O[h] W_U)
 *   c        = X[2p] W_in + b_in                base   = (X[2p] + b_out) W_U        WOU = W_out W_U
 * </pre>
 * Factoring through the rank-d_head products W_O[h] W_in and W_O[h] W_U makes the tables 4x cheaper than going
 * through the d_model-wide V W_O. Attention weights need no exp per example: alpha = E[s] / sum over the three
 * positions, with the per-head shift cancelling (the tables are float64, so the shift cannot underflow in
 * practice; a row whose sum does underflow falls back to a local max).
 *
 * <p>The three attention weights of a head sum to one, so the {@code =} position folds into the constants:
 * {@code pre = c' + sum_h alpha_0 (VOI[a,h] - VOI[=,h]) + alpha_1 (VOI[b,h] - VOI[=,h])} with
 * {@code c' = c + sum_h VOI[=,h]}, and likewise for the logits. Per example only this gather (8 table rows at the
 * paper's size instead of a 128x512 product), ReLU, and {@code logits = base' + sum alpha VOU' + post WOU} remain;
 * the last product,
 * [n, d_mlp] x [d_mlp, V], dominates the epoch and goes to BLAS. The backward pass mirrors this: per-example
 * gradients are scattered into gradients of the tables, then pulled back to the weights with small products.
 *
 * <p>Rows are processed in blocks of {@link #BLOCK}, split statically over the workers; each worker keeps its own
 * gradient accumulators, reduced in worker order, so results are deterministic for a given thread count.
 * Activations are float32; log-softmax and cross-entropy are float64 (or StableMax's cross-entropy, also float64).
 * Every batch also counts its examples whose softmax has collapsed in float32 and in float64 ({@link
 * SoftmaxCollapse}).
 */
final class CpuModel implements AutoCloseable {
    static final int BLOCK = 128;

    private final Ops ops;
    private final ParamLayout layout;
    private final LossFunction loss;
    private final int p;
    private final int d;
    private final int nHeads;
    private final int dHead;
    private final int dMlp;
    private final int nOut;
    private final int nRows;
    private final int nSlots;
    private final float scale;
    private final WorkerPool pool;

    // Per-token tables, rebuilt by prepare().
    private final float[] x;        // [nRows, d]
    private final float[] q;        // [H, dHead]
    private final float[] kq;       // [d, H] (column h = W_K[h] q_h * scale)
    private final float[] scores;   // [nRows, H]
    private final double[] expScores; // [nRows, H]
    private final float[] v;        // [nRows, d] (head h in columns h*dHead ..)
    private final float[] woi;      // [H, dHead, dMlp]
    private final float[] wouHead;  // [H, dHead, nOut]
    private final float[] voi;      // [nSlots, dMlp]
    private final float[] vou;      // [nSlots, nOut]
    private final float[] c;        // [dMlp], with the '=' position folded in
    private final float[] base;     // [nOut], likewise
    private final float[] wou;      // [dMlp, nOut]
    private float[] w;

    private final Worker[] workers;

    /** Per-batch results. */
    static final class Totals {
        double lossSum;
        long correct;
        long collapsedF32;
        long collapsedF64;
        int count;

        double meanLoss() {
            return lossSum / count;
        }

        double accuracy() {
            return (double) correct / count;
        }

        /** Fraction of the examples whose softmax has collapsed in float32. */
        double collapsedF32() {
            return (double) collapsedF32 / count;
        }

        /** Fraction of the examples whose softmax has collapsed in float64. */
        double collapsedF64() {
            return (double) collapsedF64 / count;
        }
    }

    CpuModel(ParamLayout layout, int threads, Ops ops, LossFunction loss) {
        this.ops = ops;
        this.layout = layout;
        this.loss = loss;
        this.p = layout.p;
        this.d = layout.dModel;
        this.nHeads = layout.nHeads;
        this.dHead = layout.dHead;
        this.dMlp = layout.dMlp;
        this.nOut = layout.nOutputs;
        this.nRows = 2 * p + 1;
        this.nSlots = nRows * nHeads;
        this.scale = (float) (1.0 / Math.sqrt(dHead));
        this.pool = new WorkerPool(threads);
        x = new float[nRows * d];
        q = new float[nHeads * dHead];
        kq = new float[d * nHeads];
        scores = new float[nSlots];
        expScores = new double[nSlots];
        v = strided(nRows, d);
        woi = new float[nHeads * dHead * dMlp];
        wouHead = new float[nHeads * dHead * nOut];
        voi = new float[nSlots * dMlp];
        vou = new float[nSlots * nOut];
        c = new float[dMlp];
        base = new float[nOut];
        wou = new float[dMlp * nOut];
        workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker();
        }
    }

    int threads() {
        return pool.threads();
    }

    String opsDescription() {
        return ops.describe();
    }

    /** Builds the per-token tables for weights {@code params} (kept by reference until the next call). */
    void prepare(float[] params) {
        this.w = params;
        final ParamLayout L = layout;
        final int eq = 2 * p;
        for (int t = 0; t < p; t++) {
            for (int j = 0; j < d; j++) {
                float e = params[L.wE + t * d + j];
                x[t * d + j] = e + params[L.wPos + j];
                x[(p + t) * d + j] = e + params[L.wPos + d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            x[eq * d + j] = params[L.wE + p * d + j] + params[L.wPos + 2 * d + j];
        }
        for (int h = 0; h < nHeads; h++) {
            // q_h = x_eq W_Q[h]; kq_h = W_K[h] q_h * scale (so that score = x . kq_h).
            Gemm.gemm(false, false, 1, dHead, d, 1f, x, eq * d, d, params, L.wQ + h * d * dHead, dHead,
                    0f, q, h * dHead, dHead);
            Gemm.gemm(false, false, d, 1, dHead, scale, params, L.wK + h * d * dHead, dHead, q, h * dHead, 1,
                    0f, kq, h, nHeads);
            // V for every row, head h's columns.
            Gemm.gemm(false, false, nRows, dHead, d, 1f, x, 0, d, params, L.wV + h * d * dHead, dHead,
                    0f, v, h * dHead, d);
            // W_O[h] W_in and W_O[h] W_U.
            Gemm.gemm(false, false, dHead, dMlp, d, 1f, params, L.wO + h * dHead * d, d, params, L.wIn, dMlp,
                    0f, woi, h * dHead * dMlp, dMlp);
            Gemm.gemm(false, false, dHead, nOut, d, 1f, params, L.wO + h * dHead * d, d, params, L.wU, nOut,
                    0f, wouHead, h * dHead * nOut, nOut);
        }
        Gemm.gemm(false, false, nRows, nHeads, d, 1f, x, 0, d, kq, 0, nHeads, 0f, scores, 0, nHeads);
        for (int h = 0; h < nHeads; h++) {
            float shift = Float.NEGATIVE_INFINITY;
            for (int r = 0; r < nRows; r++) {
                shift = Math.max(shift, scores[r * nHeads + h]);
            }
            for (int r = 0; r < nRows; r++) {
                expScores[r * nHeads + h] = Math.exp((double) scores[r * nHeads + h] - shift);
            }
        }
        pool.forEachWorker(wi -> {
            // VOI and VOU: per head, [nRows, dHead] x [dHead, width] into slots r*H + h; heads split over workers.
            for (int h = wi; h < nHeads; h += pool.threads()) {
                Gemm.gemm(false, false, nRows, dMlp, dHead, 1f, v, h * dHead, d, woi, h * dHead * dMlp, dMlp,
                        0f, voi, h * dMlp, nHeads * dMlp);
                Gemm.gemm(false, false, nRows, nOut, dHead, 1f, v, h * dHead, d, wouHead, h * dHead * nOut, nOut,
                        0f, vou, h * nOut, nHeads * nOut);
            }
            int mlo = WorkerPool.shareStart(wi, pool.threads(), dMlp);
            int mhi = WorkerPool.shareStart(wi + 1, pool.threads(), dMlp);
            Gemm.gemm(false, false, mhi - mlo, nOut, d, 1f, params, L.wOut + mlo * d, d, params, L.wU, nOut,
                    0f, wou, mlo * nOut, nOut);
        });
        System.arraycopy(params, L.bIn, c, 0, dMlp);
        Gemm.gemm(false, false, 1, dMlp, d, 1f, x, eq * d, d, params, L.wIn, dMlp, 1f, c, 0, dMlp);
        float[] xb = new float[d];
        for (int j = 0; j < d; j++) {
            xb[j] = x[eq * d + j] + params[L.bOut + j];
        }
        Gemm.gemm(false, false, 1, nOut, d, 1f, xb, 0, d, params, L.wU, nOut, 0f, base, 0, nOut);
        // Fold the '=' position: alpha_2 = 1 - alpha_0 - alpha_1. Rows of positions 0 and 1 become differences
        // from the '=' row of their head; the '=' rows themselves stay (the backward pass reads only V, not them).
        for (int h = 0; h < nHeads; h++) {
            int eqSlot = eq * nHeads + h;
            ops.axpy(dMlp, 1f, voi, eqSlot * dMlp, c, 0);
            ops.axpy(nOut, 1f, vou, eqSlot * nOut, base, 0);
            for (int r = 0; r < eq; r++) {
                int slot = r * nHeads + h;
                ops.axpy(dMlp, -1f, voi, eqSlot * dMlp, voi, slot * dMlp);
                ops.axpy(nOut, -1f, vou, eqSlot * nOut, vou, slot * nOut);
            }
        }
    }

    /**
     * Loss and accuracy of the prepared weights on {@code examples}; with {@code grad != null}, also the gradient
     * of the mean loss (written to grad, every element overwritten); with {@code logits != null}, the logits
     * [n, nOut].
     */
    Totals run(int[] examples, float[] grad, float[] logits) {
        return run(examples, grad, logits, null, null);
    }

    /**
     * As {@link #run(int[], float[], float[])}, also writing, when non-null, the post-ReLU MLP activations at
     * {@code =} ([n, dMlp]) and the attention weights from {@code =} to positions 0, 1, 2 ([n, nHeads, 3]).
     */
    Totals run(int[] examples, float[] grad, float[] logits, float[] postOut, float[] attentionOut) {
        final int n = examples.length;
        final boolean train = grad != null;
        final double invN = 1.0 / n;
        final int nBlocks = (n + BLOCK - 1) / BLOCK;
        pool.forEachWorker(wi -> {
            Worker wk = workers[wi];
            wk.reset(train);
            int b0 = WorkerPool.shareStart(wi, pool.threads(), nBlocks);
            int b1 = WorkerPool.shareStart(wi + 1, pool.threads(), nBlocks);
            for (int blk = b0; blk < b1; blk++) {
                int from = blk * BLOCK;
                int to = Math.min(n, from + BLOCK);
                forwardBlock(wk, examples, from, to, logits, postOut, attentionOut);
                lossBlock(wk, examples, from, to, train, invN);
                if (train) {
                    backwardBlock(wk, examples, from, to);
                }
            }
        });
        Totals totals = new Totals();
        totals.count = n;
        for (Worker wk : workers) {
            totals.lossSum += wk.lossSum;
            totals.correct += wk.correct;
            totals.collapsedF32 += wk.collapsedF32;
            totals.collapsedF64 += wk.collapsedF64;
        }
        if (train) {
            Worker acc = workers[0];
            // Sum the workers' accumulators into worker 0's, in worker order, each worker taking a share of
            // every array (same additions as a serial loop, so the same bits).
            pool.forEachWorker(wi -> {
                for (int i = 1; i < workers.length; i++) {
                    acc.add(workers[i], wi, pool.threads());
                }
            });
            backwardTables(acc, grad);
        }
        return totals;
    }

    /** Attention weights, MLP activations and logits of rows [from, to) into the worker's block buffers. */
    private void forwardBlock(Worker wk, int[] examples, int from, int to, float[] logitsOut, float[] postOut,
                              float[] attentionOut) {
        final int rows = to - from;
        final int H = nHeads;
        final int M = dMlp;
        final int V = nOut;
        final int eqRow = 2 * p;
        final float[] pre = wk.pre;
        final float[] lg = wk.logits;
        final float[] alpha = wk.alpha;
        final int k2 = 2 * H;
        for (int i = 0; i < rows; i++) {
            int idx = examples[from + i];
            int ra = idx / p;
            int rb = p + idx % p;
            for (int h = 0; h < H; h++) {
                double e0 = expScores[ra * H + h];
                double e1 = expScores[rb * H + h];
                double e2 = expScores[eqRow * H + h];
                double sum = e0 + e1 + e2;
                if (!(sum > 1e-250)) {
                    // Underflow of the shared-shift exponentials: recompute this row with its own max.
                    float s0 = scores[ra * H + h];
                    float s1 = scores[rb * H + h];
                    float s2 = scores[eqRow * H + h];
                    double mx = Math.max(s0, Math.max(s1, s2));
                    e0 = Math.exp(s0 - mx);
                    e1 = Math.exp(s1 - mx);
                    e2 = Math.exp(s2 - mx);
                    sum = e0 + e1 + e2;
                }
                float a0 = (float) (e0 / sum);
                float a1 = (float) (e1 / sum);
                float a2 = (float) (e2 / sum);
                int ao = (i * H + h) * 3;
                alpha[ao] = a0;
                alpha[ao + 1] = a1;
                alpha[ao + 2] = a2;
                wk.rowAlpha[i * k2 + h] = a0;
                wk.rowAlpha[i * k2 + H + h] = a1;
                wk.rowSlot[i * k2 + h] = ra * H + h;
                wk.rowSlot[i * k2 + H + h] = rb * H + h;
                wk.alphaEq[i * H + h] = a2;
            }
            ops.gatherRow(M, V, k2, wk.rowAlpha, i * k2, wk.rowSlot, i * k2, voi, vou, c, base, pre, i * M, lg,
                    i * V);
        }
        ops.relu(rows * M, pre, 0, wk.post, 0);
        Gemm.gemm(false, false, rows, V, M, 1f, wk.post, 0, M, wou, 0, V, 1f, lg, 0, V);
        if (logitsOut != null) {
            System.arraycopy(lg, 0, logitsOut, from * V, rows * V);
        }
        if (postOut != null) {
            System.arraycopy(wk.post, 0, postOut, from * M, rows * M);
        }
        if (attentionOut != null) {
            System.arraycopy(alpha, 0, attentionOut, from * H * 3, rows * H * 3);
        }
    }

    /**
     * float64 cross-entropy (log-softmax or StableMax) and accuracy (argmax over the p number classes) of the block's
     * logits, and their softmax collapse; for training, dL/dlogits of the mean loss into the worker's dlogits buffer.
     */
    private void lossBlock(Worker wk, int[] examples, int from, int to, boolean train, double invN) {
        final int rows = to - from;
        final int V = nOut;
        final float[] lg = wk.logits;
        final float[] g = wk.dlogits;
        final double[] e = wk.exps;
        final boolean stable = loss == LossFunction.STABLEMAX;
        for (int i = 0; i < rows; i++) {
            int idx = examples[from + i];
            int label = (idx / p + idx % p) % p;
            int off = i * V;
            float mxNumbers = ops.max(p, lg, off);
            float mx = V > p ? Math.max(mxNumbers, ops.max(V - p, lg, off + p)) : mxNumbers;
            if (lg[off + label] == mxNumbers && firstIndexOf(lg, off, p, mxNumbers) == label) {
                wk.correct++;
            }
            double sum = ops.expShifted(V, lg, off, mx, e);
            if (lg[off + label] == mx && sum <= SoftmaxCollapse.CANDIDATE_SUM) {
                countCollapse(wk, e, V, label);
            }
            if (stable) {
                stableMaxRow(wk, lg, off, label, train, invN);
                continue;
            }
            wk.lossSum += mx + Math.log(sum) - lg[off + label];
            if (train) {
                double inv = 1.0 / sum;
                for (int j = 0; j < V; j++) {
                    g[off + j] = (float) (e[j] * inv * invN);
                }
                g[off + label] = (float) ((e[label] * inv - 1.0) * invN);
            }
        }
    }

    /**
     * An example whose correct logit is the largest and whose softmax sum is close to 1: S, the sum of the other
     * classes' exp(z_j - z_y) (held in e), decides whether it has collapsed. Rare early in training, but late in a
     * long run nearly every training example is such a candidate; four independent accumulators (a fixed order, so
     * deterministic) make that ~0.1 µs per example instead of the ~0.25 of one dependent chain of float64 adds
     * (measured: 0.34 against 0.94 ms for all 3,830 training examples of the paper's config, on one core).
     */
    private static void countCollapse(Worker wk, double[] e, int n, int label) {
        double keep = e[label];
        e[label] = 0;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += e[j];
            s1 += e[j + 1];
            s2 += e[j + 2];
            s3 += e[j + 3];
        }
        for (; j < n; j++) {
            s0 += e[j];
        }
        e[label] = keep;
        int bits = SoftmaxCollapse.fromOthers((s0 + s1) + (s2 + s3));
        wk.collapsedF32 += bits & SoftmaxCollapse.F32;
        wk.collapsedF64 += (bits & SoftmaxCollapse.F64) >> 1;
    }

    /** StableMax cross-entropy of one row (see {@link StableMax}), and its gradient for training. */
    private void stableMaxRow(Worker wk, float[] lg, int off, int label, boolean train, double invN) {
        final int V = nOut;
        final double[] sv = wk.exps;
        double sum = 0;
        for (int j = 0; j < V; j++) {
            double x = StableMax.s(lg[off + j]);
            sv[j] = x;
            sum += x;
        }
        double sy = sv[label];
        wk.lossSum += Math.log(sum) - Math.log(sy);
        if (train) {
            final float[] g = wk.dlogits;
            double inv = 1.0 / sum;
            for (int j = 0; j < V; j++) {
                g[off + j] = (float) (StableMax.derivative(lg[off + j], sv[j]) * inv * invN);
            }
            double dy = StableMax.derivative(lg[off + label], sy);
            g[off + label] = (float) ((dy * inv - dy / sy) * invN);
        }
    }

    private static int firstIndexOf(float[] a, int off, int n, float value) {
        for (int j = 0; j < n; j++) {
            if (a[off + j] == value) {
                return j;
            }
        }
        return -1;
    }

    /** Backward pass of the block: table gradients accumulate in the worker. */
    private void backwardBlock(Worker wk, int[] examples, int from, int to) {
        final int rows = to - from;
        final int H = nHeads;
        final int M = dMlp;
        final int V = nOut;
        final int eqRow = 2 * p;
        final float[] g = wk.dlogits;
        final float[] pre = wk.pre;
        final float[] dpre = wk.dpre;
        final float[] alpha = wk.alpha;
        final float[] gm = wk.dot3m;
        // dWOU += post^T G ; dpost = G WOU^T
        Gemm.gemm(true, false, M, V, rows, 1f, wk.post, 0, M, g, 0, V, 1f, wk.dWou, 0, V);
        Gemm.gemm(false, true, rows, M, V, 1f, g, 0, V, wou, 0, V, 0f, dpre, 0, M);
        ops.maskNonPositive(rows * M, dpre, 0, pre, 0);
        // The '=' slots are shared by every example: their gradients are one product per block.
        Gemm.gemm(true, false, H, M, rows, 1f, wk.alphaEq, 0, H, dpre, 0, M, 1f, wk.dVoi, eqRow * H * M, M);
        Gemm.gemm(true, false, H, V, rows, 1f, wk.alphaEq, 0, H, g, 0, V, 1f, wk.dVou, eqRow * H * V, V);
        final int k2 = 2 * H;
        for (int i = 0; i < rows; i++) {
            int idx = examples[from + i];
            int ra = idx / p;
            int rb = p + idx % p;
            ops.axpy(M, 1f, dpre, i * M, wk.sumDpre, 0);
            ops.axpy(V, 1f, g, i * V, wk.sumG, 0);
            // d loss / d alpha_0, alpha_1 in the folded form (alpha_2's share is zero there; softmax's backward
            // pass is unchanged by that common shift), and the tables' gradients.
            ops.backwardRow(M, V, k2, wk.rowAlpha, i * k2, wk.rowSlot, i * k2, dpre, i * M, g, i * V, voi, vou,
                    wk.dVoi, wk.dVou, gm);
            for (int h = 0; h < H; h++) {
                int ao = (i * H + h) * 3;
                float a0 = alpha[ao];
                float a1 = alpha[ao + 1];
                float a2 = alpha[ao + 2];
                float g0 = gm[h];
                float g1 = gm[H + h];
                float weighted = a0 * g0 + a1 * g1;
                wk.dScores[ra * H + h] += a0 * (g0 - weighted);
                wk.dScores[rb * H + h] += a1 * (g1 - weighted);
                wk.dScores[eqRow * H + h] -= a2 * weighted;
            }
        }
    }

    /** Pulls the accumulated table gradients back to the weights. */
    private void backwardTables(Worker acc, float[] grad) {
        final ParamLayout L = layout;
        final float[] params = w;
        final int H = nHeads;
        final int M = dMlp;
        final int V = nOut;
        final int eq = 2 * p;
        Arrays.fill(grad, 0f);
        float[] xEq = Arrays.copyOfRange(x, eq * d, eq * d + d);
        // Both are also read in column shares below; the slack satisfies netlib's bounds check (see strided()).
        float[] dWoi = new float[H * dHead * M + M];
        float[] dWouHead = new float[H * dHead * V + V];
        float[] dV = strided(nRows, d);
        pool.forEachWorker(wi -> {
            // Per head, disjoint outputs: VOI[s] = V[s] WOI[h], VOU[s] = V[s] WOU_h[h], WOI[h] = W_O[h] W_in,
            // WOU_h[h] = W_O[h] W_U.
            for (int h = wi; h < H; h += pool.threads()) {
                Gemm.gemm(true, false, dHead, M, nRows, 1f, v, h * dHead, d, acc.dVoi, h * M, H * M, 0f,
                        dWoi, h * dHead * M, M);
                Gemm.gemm(true, false, dHead, V, nRows, 1f, v, h * dHead, d, acc.dVou, h * V, H * V, 0f,
                        dWouHead, h * dHead * V, V);
                Gemm.gemm(false, true, nRows, dHead, M, 1f, acc.dVoi, h * M, H * M, woi, h * dHead * M, M, 0f,
                        dV, h * dHead, d);
                Gemm.gemm(false, true, nRows, dHead, V, 1f, acc.dVou, h * V, H * V, wouHead, h * dHead * V, V, 1f,
                        dV, h * dHead, d);
                Gemm.gemm(false, true, dHead, d, M, 1f, dWoi, h * dHead * M, M, params, L.wIn, M, 0f,
                        grad, L.wO + h * dHead * d, d);
                Gemm.gemm(false, true, dHead, d, V, 1f, dWouHead, h * dHead * V, V, params, L.wU, V, 1f,
                        grad, L.wO + h * dHead * d, d);
            }
        });
        pool.forEachWorker(wi -> {
            // Shared outputs, split by columns (W_in, W_U) or rows (W_out) over the workers. W_O is [H*dHead, d]
            // in memory, so the sums over heads are single products with K = H*dHead.
            int mlo = WorkerPool.shareStart(wi, pool.threads(), M);
            int mhi = WorkerPool.shareStart(wi + 1, pool.threads(), M);
            int vlo = WorkerPool.shareStart(wi, pool.threads(), V);
            int vhi = WorkerPool.shareStart(wi + 1, pool.threads(), V);
            Gemm.gemm(true, false, d, mhi - mlo, H * dHead, 1f, params, L.wO, d, dWoi, mlo, M, 0f,
                    grad, L.wIn + mlo, M);
            Gemm.gemm(true, false, d, vhi - vlo, H * dHead, 1f, params, L.wO, d, dWouHead, vlo, V, 0f,
                    grad, L.wU + vlo, V);
            // Unembedding and MLP output: logits = (x_eq + b_out) W_U + ... + post W_out W_U.
            Gemm.gemm(true, false, d, vhi - vlo, M, 1f, params, L.wOut, d, acc.dWou, vlo, V, 1f, grad, L.wU + vlo,
                    V);
            for (int i = 0; i < d; i++) {
                ops.axpy(vhi - vlo, xEq[i] + params[L.bOut + i], acc.sumG, vlo, grad, L.wU + i * V + vlo);
                ops.axpy(mhi - mlo, xEq[i], acc.sumDpre, mlo, grad, L.wIn + i * M + mlo);
            }
            Gemm.gemm(false, true, mhi - mlo, d, V, 1f, acc.dWou, mlo * V, V, params, L.wU, V, 0f, grad,
                    L.wOut + mlo * d, d);
        });
        Gemm.gemm(false, false, d, 1, V, 1f, params, L.wU, V, acc.sumG, 0, 1, 0f, grad, L.bOut, 1);
        System.arraycopy(acc.sumDpre, 0, grad, L.bIn, M);
        // Gradient w.r.t. x_eq through the residual: W_in sumDpre + W_U sumG.
        float[] dxEq = new float[d];
        Gemm.gemm(false, false, d, 1, M, 1f, params, L.wIn, M, acc.sumDpre, 0, 1, 0f, dxEq, 0, 1);
        ops.axpy(d, 1f, grad, L.bOut, dxEq, 0);
        // Scores S[r,h] = x_r . kq_h, kq_h = scale W_K[h] q_h.
        float[] dX = new float[nRows * d];
        float[] dKq = new float[d * H + H];
        Gemm.gemm(true, false, d, H, nRows, 1f, x, 0, d, acc.dScores, 0, H, 0f, dKq, 0, H);
        Gemm.gemm(false, true, nRows, d, H, 1f, acc.dScores, 0, H, kq, 0, H, 0f, dX, 0, d);
        float[] dq = new float[dHead];
        for (int h = 0; h < H; h++) {
            // dW_K[h] = scale dkq_h q_h^T ; dq_h = scale W_K[h]^T dkq_h
            Gemm.gemm(false, false, d, dHead, 1, scale, dKq, h, H, q, h * dHead, dHead, 0f, grad,
                    L.wK + h * d * dHead, dHead);
            Gemm.gemm(true, false, dHead, 1, d, scale, params, L.wK + h * d * dHead, dHead, dKq, h, H, 0f,
                    dq, 0, 1);
            // q_h = x_eq W_Q[h]
            Gemm.gemm(false, false, d, dHead, 1, 1f, xEq, 0, 1, dq, 0, dHead, 0f, grad,
                    L.wQ + h * d * dHead, dHead);
            Gemm.gemm(false, true, 1, d, dHead, 1f, dq, 0, dHead, params, L.wQ + h * d * dHead, dHead, 1f,
                    dxEq, 0, d);
            // V[r,h] = x_r W_V[h]
            Gemm.gemm(true, false, d, dHead, nRows, 1f, x, 0, d, dV, h * dHead, d, 0f, grad,
                    L.wV + h * d * dHead, dHead);
            Gemm.gemm(false, true, nRows, d, dHead, 1f, dV, h * dHead, d, params, L.wV + h * d * dHead, dHead, 1f,
                    dX, 0, d);
        }
        ops.axpy(d, 1f, dxEq, 0, dX, eq * d);
        // Rows back to embeddings.
        for (int t = 0; t < p; t++) {
            for (int j = 0; j < d; j++) {
                float g0 = dX[t * d + j];
                float g1 = dX[(p + t) * d + j];
                grad[L.wE + t * d + j] = g0 + g1;
                grad[L.wPos + j] += g0;
                grad[L.wPos + d + j] += g1;
            }
        }
        for (int j = 0; j < d; j++) {
            grad[L.wE + p * d + j] = dX[eq * d + j];
            grad[L.wPos + 2 * d + j] = dX[eq * d + j];
        }
    }

    /**
     * A [rows, cols] buffer that is also read as per-head blocks (offset h*block, a row stride of up to
     * nHeads*cols). netlib's bounds check assumes a view spans offset + rows*stride elements, so a slack of the
     * largest stride keeps it satisfied.
     */
    private float[] strided(int rows, int cols) {
        return new float[rows * cols + nHeads * cols];
    }

    /** One worker's block buffers and gradient accumulators. */
    private final class Worker {
        final float[] pre = new float[BLOCK * dMlp];
        final float[] post = new float[BLOCK * dMlp];
        final float[] dpre = new float[BLOCK * dMlp];
        final float[] logits = new float[BLOCK * nOut];
        final float[] dlogits = new float[BLOCK * nOut];
        final float[] alpha = new float[BLOCK * nHeads * 3];
        final double[] exps = new double[nOut];
        final float[] dot3m = new float[2 * nHeads];
        final float[] rowAlpha = new float[BLOCK * 2 * nHeads];
        final int[] rowSlot = new int[BLOCK * 2 * nHeads];
        final float[] alphaEq = new float[BLOCK * nHeads];
        final float[] dWou = new float[dMlp * nOut + nOut];  // slack: read in column shares
        final float[] dVoi = strided(nSlots, dMlp);
        final float[] dVou = strided(nSlots, nOut);
        final float[] dScores = new float[nSlots];
        final float[] sumDpre = new float[dMlp];
        final float[] sumG = new float[nOut];
        double lossSum;
        long correct;
        long collapsedF32;
        long collapsedF64;

        void reset(boolean train) {
            lossSum = 0;
            correct = 0;
            collapsedF32 = 0;
            collapsedF64 = 0;
            if (train) {
                Arrays.fill(dWou, 0f);
                Arrays.fill(dVoi, 0f);
                Arrays.fill(dVou, 0f);
                Arrays.fill(dScores, 0f);
                Arrays.fill(sumDpre, 0f);
                Arrays.fill(sumG, 0f);
            }
        }

        /** Adds share {@code part} of {@code parts} of each of o's accumulators to this worker's. */
        void add(Worker o, int part, int parts) {
            addShare(o.dWou, dWou, part, parts);
            addShare(o.dVoi, dVoi, part, parts);
            addShare(o.dVou, dVou, part, parts);
            addShare(o.dScores, dScores, part, parts);
            addShare(o.sumDpre, sumDpre, part, parts);
            addShare(o.sumG, sumG, part, parts);
        }

        private void addShare(float[] from, float[] to, int part, int parts) {
            int lo = WorkerPool.shareStart(part, parts, to.length);
            int hi = WorkerPool.shareStart(part + 1, parts, to.length);
            ops.axpy(hi - lo, 1f, from, lo, to, lo);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
