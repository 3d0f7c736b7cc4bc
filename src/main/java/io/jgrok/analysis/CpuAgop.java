package io.jgrok.analysis;

import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.engine.cpu.Gemm;
import io.jgrok.model.ParamLayout;

/**
 * The AGOP of one checkpoint on the CPU ({@link AnalysisBackend#agop}'s reference implementation): the average over
 * the given examples of K^T K, K the Jacobian of the p number logits with respect to the one-hot inputs at positions
 * 0 and 1 (2p entries). docs/agop.md derives the factorisation used here; in short, for example (a, b) with attention
 * weights alpha[pos][h] from {@code =}, active MLP neurons act, and position pos in {0, 1}:
 * <pre>
 *   Z        = C_U + C_in[:, act] W_L[act, :]           [d, p]  (C_U = W_O W_U', C_in = W_O W_in, W_L = W_out W_U')
 *   mu_pos   = alpha[pos][h] (v_pos,h - z_h)^T Z[h]      [H, p]  (v: value at pos, z: attention output)
 *   K_pos^T  = E_V diag(alpha[pos]) Z + E_K mu_pos       [p, p]  (E_V = W_E' W_V, E_K = W_E' kappa; rows: inputs)
 * </pre>
 * so with Y_pos = [diag(alpha[pos]) Z ; mu_pos] ((d + H) x p) and E = [E_V | E_K] (p x (d + H)), the AGOP block
 * (pos, pos') is E (mean of Y_pos Y_pos'^T) E^T. Per example only Z (a [p x act] x [act x d] product), the Gram
 * matrix S of the rows of [Z ; mu_0 ; mu_1] ((d + 2H)^2, one ssyrk over the p outputs) and the weighted sum of S
 * into the (2(d + H))^2 float64 accumulator are needed; E is applied once per checkpoint.
 *
 * <p>Precision: the per-checkpoint tables, Z and S are float32 (the model's arithmetic; S sums p products); the sum
 * over examples, the final products with E and everything after are float64. Not thread-safe: one instance per
 * worker, each with its own single-threaded engine.
 */
final class CpuAgop {
    private final ParamLayout layout;
    private final CpuEngine engine;
    private final int p;
    private final int d;
    private final int nHeads;
    private final int dHead;
    private final int m;
    private final int nOut;
    /** Rows of Zhat = [Z ; mu_0 ; mu_1]. */
    private final int dHat;
    /** Per-position rows of Y = [diag(alpha) Z ; mu]. */
    private final int dAug;

    // Per-checkpoint tables.
    private final float[] cuT;
    private final float[] cinT;
    private final float[] wl;
    private final double[] vTok;
    private final double[] vEq;
    private final double[] eAug;

    // Per-example scratch.
    private final float[] wlAct;
    private final float[] cinAct;
    private final float[] zhatT;
    private final float[] gram;
    private final double[] gramD;
    private final double[] z;
    private final double[] w;
    private final double[] omega;
    private final float[] muWeights;
    private final float[] mu;
    private final double[] acc;

    CpuAgop(ParamLayout layout, CpuEngine engine) {
        this.layout = layout;
        this.engine = engine;
        this.p = layout.p;
        this.d = layout.dModel;
        this.nHeads = layout.nHeads;
        this.dHead = layout.dHead;
        this.m = layout.dMlp;
        this.nOut = layout.nOutputs;
        this.dHat = d + 2 * nHeads;
        this.dAug = d + nHeads;
        this.cuT = new float[p * d];
        this.cinT = new float[m * d];
        this.wl = new float[m * p];
        this.vTok = new double[2 * p * d];
        this.vEq = new double[d];
        this.eAug = new double[p * dAug];
        this.wlAct = new float[m * p];
        this.cinAct = new float[m * d];
        this.zhatT = new float[p * dHat];
        this.gram = new float[dHat * dHat];
        this.gramD = new double[dHat * dHat];
        this.z = new double[d];
        this.w = new double[2 * d];
        this.omega = new double[2 * dAug];
        this.muWeights = new float[d * 2 * nHeads];
        this.mu = new float[p * 2 * nHeads];
        this.acc = new double[4 * dAug * dAug];
    }

    /** The 2p x 2p AGOP (row-major; rows and columns: a's p entries, then b's) over {@code examples} (a*p + b). */
    double[] agop(float[] params, int[] examples) {
        if (examples.length == 0) {
            throw new IllegalArgumentException("the AGOP needs at least one example");
        }
        CpuEngine.Activations act = engine.activations(params, examples);
        tables(params);
        java.util.Arrays.fill(acc, 0);
        for (int i = 0; i < examples.length; i++) {
            accumulate(examples[i], act.attention(), act.neurons(), i);
        }
        return sandwich(1.0 / examples.length);
    }

    /** The per-checkpoint tables: C_U^T, C_in^T, W_L, values per token and position, and E = [E_V | E_K]. */
    private void tables(float[] w0) {
        ParamLayout L = layout;
        // C_U^T [p, d] = (W_O W_U')^T = W_U'^T W_O^T; W_O is [H*dh, d] row-major with rows (h, e).
        Gemm.gemm(true, true, p, d, d, 1f, w0, L.wU, nOut, w0, L.wO, d, 0f, cuT, 0, d);
        // C_in^T [m, d] = W_in^T W_O^T.
        Gemm.gemm(true, true, m, d, d, 1f, w0, L.wIn, m, w0, L.wO, d, 0f, cinT, 0, d);
        // W_L [m, p] = W_out W_U'.
        Gemm.gemm(false, false, m, p, d, 1f, w0, L.wOut, d, w0, L.wU, nOut, 0f, wl, 0, p);

        // The query at '=' and kappa_h = W_K[h] q_h / sqrt(dh): how the score to a position moves with its input.
        double[] x2 = new double[d];
        for (int j = 0; j < d; j++) {
            x2[j] = (double) w0[L.wE + p * d + j] + w0[L.wPos + 2 * d + j];
        }
        double[] kappa = new double[nHeads * d];
        double scale = 1.0 / Math.sqrt(dHead);
        for (int h = 0; h < nHeads; h++) {
            double[] q = new double[dHead];
            for (int j = 0; j < d; j++) {
                int row = L.wQ + (h * d + j) * dHead;
                for (int e = 0; e < dHead; e++) {
                    q[e] += x2[j] * w0[row + e];
                }
            }
            for (int j = 0; j < d; j++) {
                int row = L.wK + (h * d + j) * dHead;
                double s = 0;
                for (int e = 0; e < dHead; e++) {
                    s += w0[row + e] * q[e];
                }
                kappa[h * d + j] = s * scale;
            }
        }
        // E_V[t] = W_E[t] W_V (the value a one-hot entry t moves), E_K[t, h] = W_E[t] . kappa_h.
        double[] posV = new double[2 * d];
        for (int t = 0; t < p + 3; t++) {
            double[] row = new double[d];
            for (int j = 0; j < d; j++) {
                row[j] = t < p ? w0[L.wE + t * d + j] : t < p + 2 ? w0[L.wPos + (t - p) * d + j] : x2[j];
            }
            double[] v = new double[d];
            for (int j = 0; j < d; j++) {
                double x = row[j];
                if (x == 0) {
                    continue;
                }
                for (int h = 0; h < nHeads; h++) {
                    int src = L.wV + (h * d + j) * dHead;
                    int dst = h * dHead;
                    for (int e = 0; e < dHead; e++) {
                        v[dst + e] += x * w0[src + e];
                    }
                }
            }
            if (t < p) {
                System.arraycopy(v, 0, eAug, t * dAug, d);
                for (int h = 0; h < nHeads; h++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += row[j] * kappa[h * d + j];
                    }
                    eAug[t * dAug + d + h] = s;
                }
            } else if (t < p + 2) {
                System.arraycopy(v, 0, posV, (t - p) * d, d);
            } else {
                System.arraycopy(v, 0, vEq, 0, d);
            }
        }
        // Values at positions 0 and 1: (W_E[t] + W_pos[pos]) W_V = E_V[t] + W_pos[pos] W_V.
        for (int pos = 0; pos < 2; pos++) {
            for (int t = 0; t < p; t++) {
                for (int j = 0; j < d; j++) {
                    vTok[(pos * p + t) * d + j] = eAug[t * dAug + j] + posV[pos * d + j];
                }
            }
        }
    }

    /** Adds example i's (pos, pos') products, weighted, into the lower triangle of acc. */
    private void accumulate(int example, float[] attention, float[] neurons, int i) {
        int a = example / p;
        int b = example % p;
        // Active neurons at '=' (ReLU'(pre) = 1 where pre > 0, i.e. where the activation is positive).
        int nAct = 0;
        int nb = i * m;
        for (int n = 0; n < m; n++) {
            if (neurons[nb + n] > 0) {
                System.arraycopy(wl, n * p, wlAct, nAct * p, p);
                System.arraycopy(cinT, n * d, cinAct, nAct * d, d);
                nAct++;
            }
        }
        // Zhat^T [p, dHat]: Z^T in columns 0..d-1, mu_0 and mu_1 after.
        for (int c = 0; c < p; c++) {
            System.arraycopy(cuT, c * d, zhatT, c * dHat, d);
        }
        Gemm.gemm(true, false, p, d, nAct, 1f, wlAct, 0, p, cinAct, 0, d, 1f, zhatT, 0, dHat);

        // Attention output z_h = sum_pos alpha[pos][h] v_pos,h and w_pos = v_pos - z.
        int ab = i * nHeads * 3;
        for (int h = 0; h < nHeads; h++) {
            double a0 = attention[ab + h * 3];
            double a1 = attention[ab + h * 3 + 1];
            double a2 = attention[ab + h * 3 + 2];
            for (int e = 0; e < dHead; e++) {
                int j = h * dHead + e;
                double v0 = vTok[a * d + j];
                double v1 = vTok[(p + b) * d + j];
                z[j] = a0 * v0 + a1 * v1 + a2 * vEq[j];
                w[j] = v0 - z[j];
                w[d + j] = v1 - z[j];
            }
            for (int pos = 0; pos < 2; pos++) {
                double alpha = attention[ab + h * 3 + pos];
                for (int e = 0; e < dHead; e++) {
                    omega[pos * dAug + h * dHead + e] = alpha;
                }
                omega[pos * dAug + d + h] = 1;
            }
        }
        // mu columns: Zhat^T[:, d + pos*H + h] = Z^T Wmu[:, pos*H + h], Wmu[(h, e), pos*H + h] = alpha w_pos[(h, e)]
        // (zero outside head h's rows): one small product instead of p * 2H dot products.
        for (int h = 0; h < nHeads; h++) {
            for (int pos = 0; pos < 2; pos++) {
                float alpha = attention[ab + h * 3 + pos];
                int col = pos * nHeads + h;
                for (int e = 0; e < dHead; e++) {
                    int j = h * dHead + e;
                    muWeights[j * 2 * nHeads + col] = (float) (alpha * w[pos * d + j]);
                }
            }
        }
        Gemm.gemm(false, false, p, 2 * nHeads, d, 1f, zhatT, 0, dHat, muWeights, 0, 2 * nHeads, 0f, mu, 0,
                2 * nHeads);
        for (int c = 0; c < p; c++) {
            System.arraycopy(mu, c * 2 * nHeads, zhatT, c * dHat + d, 2 * nHeads);
        }
        // S = Zhat Zhat^T over the p outputs (lower triangle), mirrored to full.
        Gemm.gramOfColumnsLower(dHat, p, 1f, zhatT, 0, dHat, 0f, gram, 0, dHat);
        // Widened once and mirrored, so that the loops below are plain float64 multiply-adds (vectorised by C2).
        for (int r = 0; r < dHat; r++) {
            for (int s = 0; s <= r; s++) {
                double v = gram[r * dHat + s];
                gramD[r * dHat + s] = v;
                gramD[s * dHat + r] = v;
            }
        }
        // acc[(P, r), (Q, s)] += omega[P, r] omega[Q, s] S[src(P, r), src(Q, s)], P >= Q, lower triangle:
        // src(P, r) = r for the Z rows (r < d), d + P*H + (r - d) for mu_P.
        int dim = 2 * dAug;
        for (int bp = 0; bp < 2; bp++) {
            for (int r = 0; r < dAug; r++) {
                int srcR = r < d ? r : d + bp * nHeads + (r - d);
                double wr = omega[bp * dAug + r];
                int accRow = (bp * dAug + r) * dim;
                int gramRow = srcR * dHat;
                for (int bq = 0; bq <= bp; bq++) {
                    int sEnd = bq == bp ? r + 1 : dAug;
                    int accBase = accRow + bq * dAug;
                    int zEnd = Math.min(sEnd, d);
                    int om = bq * dAug;
                    for (int s = 0; s < zEnd; s++) {
                        acc[accBase + s] += wr * omega[om + s] * gramD[gramRow + s];
                    }
                    for (int s = d; s < sEnd; s++) {
                        acc[accBase + s] += wr * gramD[gramRow + d + bq * nHeads + (s - d)];
                    }
                }
            }
        }
    }

    /** G = blkdiag(E, E) (acc / n) blkdiag(E, E)^T in float64, 2p x 2p (blocks (0, 0), (1, 0), (1, 1), mirrored). */
    private double[] sandwich(double invN) {
        int dim = 2 * dAug;
        for (int r = 0; r < dim; r++) {
            for (int s = 0; s < r; s++) {
                acc[s * dim + r] = acc[r * dim + s];
            }
        }
        int n2 = 2 * p;
        double[] g = new double[n2 * n2];
        double[] tmp = new double[p * dAug];
        double[] accBlock = new double[dAug * dAug];
        double[] gBlock = new double[p * p];
        for (int bp = 0; bp < 2; bp++) {
            for (int bq = 0; bq <= bp; bq++) {
                // tmp = E acc[bp, bq] (p x dAug), then g[bp, bq] = tmp E^T / n. (Blocks are copied out because
                // netlib's bounds check wants a full leading dimension after the last row of a sub-matrix.)
                for (int r = 0; r < dAug; r++) {
                    System.arraycopy(acc, (bp * dAug + r) * dim + bq * dAug, accBlock, r * dAug, dAug);
                }
                Gemm.dgemm(false, false, p, dAug, dAug, 1.0, eAug, 0, dAug, accBlock, 0, dAug, 0.0, tmp, 0, dAug);
                Gemm.dgemm(false, true, p, p, dAug, invN, tmp, 0, dAug, eAug, 0, dAug, 0.0, gBlock, 0, p);
                for (int r = 0; r < p; r++) {
                    System.arraycopy(gBlock, r * p, g, (bp * p + r) * n2 + bq * p, p);
                }
            }
        }
        // Exactly symmetric: the upper triangle is the lower one (the products above round each block on its own).
        for (int r = 0; r < n2; r++) {
            for (int s = 0; s < r; s++) {
                g[s * n2 + r] = g[r * n2 + s];
            }
        }
        return g;
    }
}
