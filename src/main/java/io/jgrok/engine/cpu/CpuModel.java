package io.jgrok.engine.cpu;

import io.jgrok.model.ParamLayout;

import java.util.Arrays;

/**
 * Forward and backward pass of the one-layer transformer on a batch of pairs, shaped around what the task allows.
 *
 * <p>The loss reads only the {@code =} position, so its query, the attention output, the MLP and the unembedding
 * are needed there only, and the keys and values at positions 0 and 1 depend on one token each. Everything that
 * depends on a single token is therefore computed once per epoch as a per-token table (a "row" r is token a at
 * position 0, r = a; token b at position 1, r = p + b; the {@code =} token at position 2, r = 2p; a "slot" is a row
 * and a head, s = r*H + h):
 * <pre>
 *   X[r]    = W_E[token] + W_pos[pos]           K[s], V[s] = X[r] W_K[h], X[r] W_V[h]
 *   S[s]    = q_h . K[s] / sqrt(d_head)         with q_h = X[2p] W_Q[h]
 *   VO[s]   = V[s] W_O[h]                       (the slot's contribution to the residual, per unit attention)
 *   VOI[s]  = VO[s] W_in                        VOU[s] = VO[s] W_U
 *   c       = X[2p] W_in + b_in                 base = (X[2p] + b_out) W_U            WOU = W_out W_U
 * </pre>
 * Per example only the attention weights (softmax over three scores), the MLP pre-activation
 * {@code pre = c + sum_h sum_pos alpha VOI} (12 table rows at the paper's size, instead of a 128x512 product),
 * ReLU, and the logits {@code base + sum alpha VOU + post WOU} remain; the last product, [n, d_mlp] x [d_mlp, V],
 * is the epoch's dominant cost and goes to BLAS. The backward pass mirrors this: per-example gradients are
 * scattered into gradients of the tables, which are then pulled back to the weights with small products.
 *
 * <p>Rows are processed in blocks, split statically over the workers; each worker keeps its own gradient
 * accumulators, reduced in worker order, so results are deterministic for a given thread count.
 * Activations are float32; log-softmax and cross-entropy are float64.
 */
final class CpuModel implements AutoCloseable {
    static final int BLOCK = 128;

    private final ParamLayout layout;
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
    private final float[] x;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] scores;
    private final float[] vo;
    private final float[] voi;
    private final float[] vou;
    private final float[] c;
    private final float[] base;
    private final float[] wou;
    private float[] w;

    private final Worker[] workers;

    /** Per-batch results. */
    static final class Totals {
        double lossSum;
        long correct;
        int count;

        double meanLoss() {
            return lossSum / count;
        }

        double accuracy() {
            return (double) correct / count;
        }
    }

    CpuModel(ParamLayout layout, int threads) {
        this.layout = layout;
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
        k = strided(nRows, d);
        v = strided(nRows, d);
        scores = new float[nSlots];
        vo = strided(nSlots, d);
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

    /** Builds the per-token tables for weights {@code params} (kept by reference until the next call). */
    void prepare(float[] params) {
        this.w = params;
        final ParamLayout L = layout;
        // X rows: a at position 0, b at position 1, '=' at position 2.
        for (int t = 0; t < p; t++) {
            for (int j = 0; j < d; j++) {
                float e = params[L.wE + t * d + j];
                x[t * d + j] = e + params[L.wPos + j];
                x[(p + t) * d + j] = e + params[L.wPos + d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            x[2 * p * d + j] = params[L.wE + p * d + j] + params[L.wPos + 2 * d + j];
        }
        final int eq = 2 * p;
        for (int h = 0; h < nHeads; h++) {
            // K, V for every row: [nRows, d] x [d, dHead], written as head h's columns of [nRows, H*dHead].
            Gemm.gemm(false, false, nRows, dHead, d, 1f, x, 0, d, params, L.wK + h * d * dHead, dHead,
                    0f, k, h * dHead, d);
            Gemm.gemm(false, false, nRows, dHead, d, 1f, x, 0, d, params, L.wV + h * d * dHead, dHead,
                    0f, v, h * dHead, d);
            // q_h = x_eq W_Q[h]
            Gemm.gemm(false, false, 1, dHead, d, 1f, x, eq * d, d, params, L.wQ + h * d * dHead, dHead,
                    0f, q, h * dHead, dHead);
            // VO[r, h] = V[r, h] W_O[h]: [nRows, dHead] x [dHead, d] into rows s = r*H + h of [nSlots, d].
            Gemm.gemm(false, false, nRows, d, dHead, 1f, v, h * dHead, d, params, L.wO + h * dHead * d, d,
                    0f, vo, h * d, nHeads * d);
        }
        for (int r = 0; r < nRows; r++) {
            for (int h = 0; h < nHeads; h++) {
                float s = 0f;
                for (int j = 0; j < dHead; j++) {
                    s += q[h * dHead + j] * k[r * d + h * dHead + j];
                }
                scores[r * nHeads + h] = s * scale;
            }
        }
        pool.forEachWorker(wi -> {
            int lo = WorkerPool.shareStart(wi, pool.threads(), nSlots);
            int hi = WorkerPool.shareStart(wi + 1, pool.threads(), nSlots);
            Gemm.gemm(false, false, hi - lo, dMlp, d, 1f, vo, lo * d, d, params, L.wIn, dMlp, 0f, voi, lo * dMlp,
                    dMlp);
            Gemm.gemm(false, false, hi - lo, nOut, d, 1f, vo, lo * d, d, params, L.wU, nOut, 0f, vou, lo * nOut,
                    nOut);
            int mlo = WorkerPool.shareStart(wi, pool.threads(), dMlp);
            int mhi = WorkerPool.shareStart(wi + 1, pool.threads(), dMlp);
            Gemm.gemm(false, false, mhi - mlo, nOut, d, 1f, params, L.wOut + mlo * d, d, params, L.wU, nOut,
                    0f, wou, mlo * nOut, nOut);
        });
        // c = x_eq W_in + b_in ; base = (x_eq + b_out) W_U
        System.arraycopy(params, L.bIn, c, 0, dMlp);
        Gemm.gemm(false, false, 1, dMlp, d, 1f, x, eq * d, d, params, L.wIn, dMlp, 1f, c, 0, dMlp);
        float[] xb = new float[d];
        for (int j = 0; j < d; j++) {
            xb[j] = x[eq * d + j] + params[L.bOut + j];
        }
        Gemm.gemm(false, false, 1, nOut, d, 1f, xb, 0, d, params, L.wU, nOut, 0f, base, 0, nOut);
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
                block(wk, examples, from, to, train, invN, logits, postOut, attentionOut);
            }
        });
        Totals totals = new Totals();
        totals.count = n;
        for (Worker wk : workers) {
            totals.lossSum += wk.lossSum;
            totals.correct += wk.correct;
        }
        if (train) {
            Worker acc = workers[0];
            for (int i = 1; i < workers.length; i++) {
                acc.add(workers[i]);
            }
            backwardTables(acc, grad);
        }
        return totals;
    }

    private void block(Worker wk, int[] examples, int from, int to, boolean train, double invN, float[] logitsOut,
                       float[] postOut, float[] attentionOut) {
        final int rows = to - from;
        final int H = nHeads;
        final int M = dMlp;
        final int V = nOut;
        final float[] pre = wk.pre;
        final float[] post = wk.post;
        final float[] lg = wk.logits;
        final float[] alpha = wk.alpha;
        final int eqRow = 2 * p;
        for (int i = 0; i < rows; i++) {
            int idx = examples[from + i];
            int a = idx / p;
            int b = idx % p;
            int[] rowOf = {a, p + b, eqRow};
            System.arraycopy(c, 0, pre, i * M, M);
            System.arraycopy(base, 0, lg, i * V, V);
            for (int h = 0; h < H; h++) {
                float s0 = scores[a * H + h];
                float s1 = scores[(p + b) * H + h];
                float s2 = scores[eqRow * H + h];
                float mx = Math.max(s0, Math.max(s1, s2));
                float e0 = (float) Math.exp(s0 - mx);
                float e1 = (float) Math.exp(s1 - mx);
                float e2 = (float) Math.exp(s2 - mx);
                float sum = e0 + e1 + e2;
                float[] es = {e0, e1, e2};
                for (int pos = 0; pos < 3; pos++) {
                    float al = es[pos] / sum;
                    alpha[(i * H + h) * 3 + pos] = al;
                    int slot = rowOf[pos] * H + h;
                    axpy(M, al, voi, slot * M, pre, i * M);
                    axpy(V, al, vou, slot * V, lg, i * V);
                }
            }
            for (int j = 0; j < M; j++) {
                float z = pre[i * M + j];
                post[i * M + j] = z > 0f ? z : 0f;
            }
        }
        Gemm.gemm(false, false, rows, V, M, 1f, post, 0, M, wou, 0, V, 1f, lg, 0, V);
        if (logitsOut != null) {
            System.arraycopy(lg, 0, logitsOut, from * V, rows * V);
        }
        if (postOut != null) {
            System.arraycopy(post, 0, postOut, from * M, rows * M);
        }
        if (attentionOut != null) {
            System.arraycopy(alpha, 0, attentionOut, from * H * 3, rows * H * 3);
        }
        final float[] g = wk.dlogits;
        for (int i = 0; i < rows; i++) {
            int idx = examples[from + i];
            int label = (idx / p + idx % p) % p;
            int off = i * V;
            // Accuracy over the p number classes (the '=' logit, if any, is not a candidate).
            int best = 0;
            float bestVal = lg[off];
            double mx = lg[off];
            for (int j = 1; j < V; j++) {
                float val = lg[off + j];
                if (j < p && val > bestVal) {
                    bestVal = val;
                    best = j;
                }
                if (val > mx) {
                    mx = val;
                }
            }
            if (best == label) {
                wk.correct++;
            }
            double sum = 0;
            for (int j = 0; j < V; j++) {
                sum += Math.exp(lg[off + j] - mx);
            }
            double lse = mx + Math.log(sum);
            wk.lossSum += lse - lg[off + label];
            if (train) {
                double inv = 1.0 / sum;
                for (int j = 0; j < V; j++) {
                    double sm = Math.exp(lg[off + j] - mx) * inv;
                    g[off + j] = (float) ((sm - (j == label ? 1.0 : 0.0)) * invN);
                }
            }
        }
        if (!train) {
            return;
        }
        // dWOU += post^T G ; dpost = G WOU^T
        Gemm.gemm(true, false, M, V, rows, 1f, post, 0, M, g, 0, V, 1f, wk.dWou, 0, V);
        final float[] dpre = wk.dpre;
        Gemm.gemm(false, true, rows, M, V, 1f, g, 0, V, wou, 0, V, 0f, dpre, 0, M);
        for (int i = 0; i < rows; i++) {
            int idx = examples[from + i];
            int a = idx / p;
            int b = idx % p;
            int[] rowOf = {a, p + b, eqRow};
            for (int j = 0; j < M; j++) {
                if (!(pre[i * M + j] > 0f)) {
                    dpre[i * M + j] = 0f;
                }
            }
            axpy(M, 1f, dpre, i * M, wk.sumDpre, 0);
            axpy(V, 1f, g, i * V, wk.sumG, 0);
            for (int h = 0; h < H; h++) {
                float[] ga = new float[3];
                float dotSum = 0f;
                for (int pos = 0; pos < 3; pos++) {
                    int slot = rowOf[pos] * H + h;
                    float al = alpha[(i * H + h) * 3 + pos];
                    ga[pos] = dot(M, dpre, i * M, voi, slot * M) + dot(V, g, i * V, vou, slot * V);
                    dotSum += al * ga[pos];
                    axpy(M, al, dpre, i * M, wk.dVoi, slot * M);
                    axpy(V, al, g, i * V, wk.dVou, slot * V);
                }
                for (int pos = 0; pos < 3; pos++) {
                    int slot = rowOf[pos] * H + h;
                    float al = alpha[(i * H + h) * 3 + pos];
                    wk.dScores[slot] += al * (ga[pos] - dotSum);
                }
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
        // Unembedding: logits = (x_eq + b_out) W_U + sum alpha VO W_U + post W_out W_U.
        Gemm.gemm(true, false, d, V, nSlots, 1f, vo, 0, d, acc.dVou, 0, V, 0f, grad, L.wU, V);
        Gemm.gemm(true, false, d, V, M, 1f, params, L.wOut, d, acc.dWou, 0, V, 1f, grad, L.wU, V);
        for (int i = 0; i < d; i++) {
            float xb = xEq[i] + params[L.bOut + i];
            axpy(V, xb, acc.sumG, 0, grad, L.wU + i * V);
        }
        Gemm.gemm(false, true, M, d, V, 1f, acc.dWou, 0, V, params, L.wU, V, 0f, grad, L.wOut, d);
        // dbout = W_U sumG
        Gemm.gemm(false, false, d, 1, V, 1f, params, L.wU, V, acc.sumG, 0, 1, 0f, grad, L.bOut, 1);
        System.arraycopy(acc.sumDpre, 0, grad, L.bIn, M);
        // W_in: pre = x_eq W_in + b_in + sum alpha VO W_in.
        Gemm.gemm(true, false, d, M, nSlots, 1f, vo, 0, d, acc.dVoi, 0, M, 0f, grad, L.wIn, M);
        for (int i = 0; i < d; i++) {
            axpy(M, xEq[i], acc.sumDpre, 0, grad, L.wIn + i * M);
        }
        // Gradient w.r.t. x_eq through the residual: W_in sumDpre + W_U sumG.
        float[] dxEq = new float[d];
        Gemm.gemm(false, false, d, 1, M, 1f, params, L.wIn, M, acc.sumDpre, 0, 1, 0f, dxEq, 0, 1);
        axpy(d, 1f, grad, L.bOut, dxEq, 0);
        // dVO = dVOI W_in^T + dVOU W_U^T
        float[] dVo = strided(nSlots, d);
        Gemm.gemm(false, true, nSlots, d, M, 1f, acc.dVoi, 0, M, params, L.wIn, M, 0f, dVo, 0, d);
        Gemm.gemm(false, true, nSlots, d, V, 1f, acc.dVou, 0, V, params, L.wU, V, 1f, dVo, 0, d);
        float[] dX = new float[nRows * d];
        float[] dK = strided(nRows, d);
        float[] dV = strided(nRows, d);
        float[] dq = new float[H * dHead];
        for (int h = 0; h < H; h++) {
            // VO[r,h] = V[r,h] W_O[h]
            Gemm.gemm(true, false, dHead, d, nRows, 1f, v, h * dHead, d, dVo, h * d, H * d, 0f, grad,
                    L.wO + h * dHead * d, d);
            Gemm.gemm(false, true, nRows, dHead, d, 1f, dVo, h * d, H * d, params, L.wO + h * dHead * d, d, 0f,
                    dV, h * dHead, d);
            // S[r,h] = scale q_h . K[r,h]
            for (int r = 0; r < nRows; r++) {
                float ds = acc.dScores[r * H + h] * scale;
                axpy(dHead, ds, k, r * d + h * dHead, dq, h * dHead);
                axpy(dHead, ds, q, h * dHead, dK, r * d + h * dHead);
            }
            Gemm.gemm(true, false, d, dHead, nRows, 1f, x, 0, d, dK, h * dHead, d, 0f, grad,
                    L.wK + h * d * dHead, dHead);
            Gemm.gemm(true, false, d, dHead, nRows, 1f, x, 0, d, dV, h * dHead, d, 0f, grad,
                    L.wV + h * d * dHead, dHead);
            Gemm.gemm(false, true, nRows, d, dHead, 1f, dK, h * dHead, d, params, L.wK + h * d * dHead, dHead, 1f,
                    dX, 0, d);
            Gemm.gemm(false, true, nRows, d, dHead, 1f, dV, h * dHead, d, params, L.wV + h * d * dHead, dHead, 1f,
                    dX, 0, d);
            // q_h = x_eq W_Q[h]
            for (int i = 0; i < d; i++) {
                axpy(dHead, xEq[i], dq, h * dHead, grad, L.wQ + h * d * dHead + i * dHead);
            }
            Gemm.gemm(false, true, 1, d, dHead, 1f, dq, h * dHead, dHead, params, L.wQ + h * d * dHead, dHead,
                    1f, dxEq, 0, d);
        }
        axpy(d, 1f, dxEq, 0, dX, eq * d);
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

    static void axpy(int n, float alpha, float[] xs, int xo, float[] ys, int yo) {
        for (int i = 0; i < n; i++) {
            ys[yo + i] += alpha * xs[xo + i];
        }
    }

    static float dot(int n, float[] xs, int xo, float[] ys, int yo) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += xs[xo + i] * ys[yo + i];
            s1 += xs[xo + i + 1] * ys[yo + i + 1];
            s2 += xs[xo + i + 2] * ys[yo + i + 2];
            s3 += xs[xo + i + 3] * ys[yo + i + 3];
        }
        for (; i < n; i++) {
            s0 += xs[xo + i] * ys[yo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** One worker's block buffers and gradient accumulators. */
    private final class Worker {
        final float[] pre = new float[BLOCK * dMlp];
        final float[] post = new float[BLOCK * dMlp];
        final float[] dpre = new float[BLOCK * dMlp];
        final float[] logits = new float[BLOCK * nOut];
        final float[] dlogits = new float[BLOCK * nOut];
        final float[] alpha = new float[BLOCK * nHeads * 3];
        final float[] dWou = new float[dMlp * nOut];
        final float[] dVoi = new float[nSlots * dMlp];
        final float[] dVou = new float[nSlots * nOut];
        final float[] dScores = new float[nSlots];
        final float[] sumDpre = new float[dMlp];
        final float[] sumG = new float[nOut];
        double lossSum;
        long correct;

        void reset(boolean train) {
            lossSum = 0;
            correct = 0;
            if (train) {
                Arrays.fill(dWou, 0f);
                Arrays.fill(dVoi, 0f);
                Arrays.fill(dVou, 0f);
                Arrays.fill(dScores, 0f);
                Arrays.fill(sumDpre, 0f);
                Arrays.fill(sumG, 0f);
            }
        }

        void add(Worker o) {
            axpy(dWou.length, 1f, o.dWou, 0, dWou, 0);
            axpy(dVoi.length, 1f, o.dVoi, 0, dVoi, 0);
            axpy(dVou.length, 1f, o.dVou, 0, dVou, 0);
            axpy(dScores.length, 1f, o.dScores, 0, dScores, 0);
            axpy(sumDpre.length, 1f, o.sumDpre, 0, sumDpre, 0);
            axpy(sumG.length, 1f, o.sumG, 0, sumG, 0);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
