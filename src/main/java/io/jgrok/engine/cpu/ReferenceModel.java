package io.jgrok.engine.cpu;

import io.jgrok.config.LossFunction;
import io.jgrok.model.ParamLayout;

/**
 * The one-layer transformer written the plain way, in float64, for tests and {@code jgrok gpu-check}: every position is computed (causal
 * attention over all queries, MLP at every position), nothing is precomputed per token, and the backward pass
 * is derived by hand from the forward. It shares nothing with {@link CpuModel} except the parameter layout. The loss
 * is softmax cross-entropy or, written out here again from its definition, StableMax cross-entropy.
 */
public final class ReferenceModel {
    private final LossFunction lossFunction;
    private final ParamLayout L;
    private final int p;
    private final int d;
    private final int nH;
    private final int dh;
    private final int m;
    private final int nOut;

    public ReferenceModel(ParamLayout layout) {
        this(layout, LossFunction.SOFTMAX);
    }

    public ReferenceModel(ParamLayout layout, LossFunction lossFunction) {
        this.lossFunction = lossFunction;
        this.L = layout;
        this.p = layout.p;
        this.d = layout.dModel;
        this.nH = layout.nHeads;
        this.dh = layout.dHead;
        this.m = layout.dMlp;
        this.nOut = layout.nOutputs;
    }

    /** Everything the forward pass of one example computes, kept for the backward pass. */
    private final class Pass {
        final int[] tokens = new int[3];
        final double[][] x = new double[3][d];
        final double[][][] q = new double[nH][3][dh];
        final double[][][] k = new double[nH][3][dh];
        final double[][][] v = new double[nH][3][dh];
        final double[][][] attn = new double[nH][3][3];
        final double[][][] z = new double[nH][3][dh];
        final double[][] mid = new double[3][d];
        final double[][] pre = new double[3][m];
        final double[][] post = new double[3][m];
        final double[][] fin = new double[3][d];
        final double[] logits = new double[nOut];
    }

    private double w(double[] params, int offset) {
        return params[offset];
    }

    private Pass forward(double[] P, int a, int b) {
        Pass s = new Pass();
        s.tokens[0] = a;
        s.tokens[1] = b;
        s.tokens[2] = p;
        for (int pos = 0; pos < 3; pos++) {
            for (int j = 0; j < d; j++) {
                s.x[pos][j] = w(P, L.wE + s.tokens[pos] * d + j) + w(P, L.wPos + pos * d + j);
            }
        }
        double scale = 1.0 / Math.sqrt(dh);
        for (int h = 0; h < nH; h++) {
            for (int pos = 0; pos < 3; pos++) {
                for (int e = 0; e < dh; e++) {
                    double sq = 0;
                    double sk = 0;
                    double sv = 0;
                    for (int j = 0; j < d; j++) {
                        sq += s.x[pos][j] * w(P, L.wQ + (h * d + j) * dh + e);
                        sk += s.x[pos][j] * w(P, L.wK + (h * d + j) * dh + e);
                        sv += s.x[pos][j] * w(P, L.wV + (h * d + j) * dh + e);
                    }
                    s.q[h][pos][e] = sq;
                    s.k[h][pos][e] = sk;
                    s.v[h][pos][e] = sv;
                }
            }
            for (int qi = 0; qi < 3; qi++) {
                double[] scores = new double[qi + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int kj = 0; kj <= qi; kj++) {
                    double dot = 0;
                    for (int e = 0; e < dh; e++) {
                        dot += s.q[h][qi][e] * s.k[h][kj][e];
                    }
                    scores[kj] = dot * scale;
                    max = Math.max(max, scores[kj]);
                }
                double sum = 0;
                for (int kj = 0; kj <= qi; kj++) {
                    scores[kj] = Math.exp(scores[kj] - max);
                    sum += scores[kj];
                }
                for (int kj = 0; kj <= qi; kj++) {
                    s.attn[h][qi][kj] = scores[kj] / sum;
                    for (int e = 0; e < dh; e++) {
                        s.z[h][qi][e] += s.attn[h][qi][kj] * s.v[h][kj][e];
                    }
                }
            }
        }
        for (int pos = 0; pos < 3; pos++) {
            for (int j = 0; j < d; j++) {
                double out = 0;
                for (int h = 0; h < nH; h++) {
                    for (int e = 0; e < dh; e++) {
                        out += s.z[h][pos][e] * w(P, L.wO + (h * dh + e) * d + j);
                    }
                }
                s.mid[pos][j] = s.x[pos][j] + out;
            }
            for (int n = 0; n < m; n++) {
                double acc = w(P, L.bIn + n);
                for (int j = 0; j < d; j++) {
                    acc += s.mid[pos][j] * w(P, L.wIn + j * m + n);
                }
                s.pre[pos][n] = acc;
                s.post[pos][n] = Math.max(acc, 0);
            }
            for (int j = 0; j < d; j++) {
                double acc = w(P, L.bOut + j);
                for (int n = 0; n < m; n++) {
                    acc += s.post[pos][n] * w(P, L.wOut + n * d + j);
                }
                s.fin[pos][j] = s.mid[pos][j] + acc;
            }
        }
        for (int c = 0; c < nOut; c++) {
            double acc = 0;
            for (int j = 0; j < d; j++) {
                acc += s.fin[2][j] * w(P, L.wU + j * nOut + c);
            }
            s.logits[c] = acc;
        }
        return s;
    }

    /** Logits [n, nOut] at the last position. */
    public double[] logits(double[] params, int[] examples) {
        double[] out = new double[examples.length * nOut];
        for (int i = 0; i < examples.length; i++) {
            Pass s = forward(params, examples[i] / p, examples[i] % p);
            System.arraycopy(s.logits, 0, out, i * nOut, nOut);
        }
        return out;
    }

    /** Mean cross-entropy; if grad != null, its gradient (overwritten, flat layout). */
    public double loss(double[] P, int[] examples, double[] grad) {
        if (grad != null) {
            java.util.Arrays.fill(grad, 0);
        }
        double total = 0;
        double invN = 1.0 / examples.length;
        for (int idx : examples) {
            int a = idx / p;
            int b = idx % p;
            int label = (a + b) % p;
            Pass s = forward(P, a, b);
            if (lossFunction == LossFunction.STABLEMAX) {
                total += stableMax(s, label, invN, P, grad);
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double l : s.logits) {
                max = Math.max(max, l);
            }
            double sum = 0;
            for (double l : s.logits) {
                sum += Math.exp(l - max);
            }
            double lse = max + Math.log(sum);
            total += lse - s.logits[label];
            if (grad != null) {
                double[] dLogits = new double[nOut];
                for (int c = 0; c < nOut; c++) {
                    dLogits[c] = (Math.exp(s.logits[c] - lse) - (c == label ? 1 : 0)) * invN;
                }
                backward(P, s, dLogits, grad);
            }
        }
        return total * invN;
    }

    /**
     * StableMax cross-entropy of one example, -log(s(z_y) / sum s(z)), s(x) = x + 1 (x >= 0), 1 / (1 - x) (x < 0);
     * with grad != null, accumulates invN times its gradient.
     */
    private double stableMax(Pass s, int label, double invN, double[] P, double[] grad) {
        double[] sv = new double[nOut];
        double[] ds = new double[nOut];
        double sum = 0;
        for (int c = 0; c < nOut; c++) {
            double z = s.logits[c];
            sv[c] = z >= 0 ? z + 1 : 1 / (1 - z);
            ds[c] = z >= 0 ? 1 : 1 / ((1 - z) * (1 - z));
            sum += sv[c];
        }
        if (grad != null) {
            double[] dLogits = new double[nOut];
            for (int c = 0; c < nOut; c++) {
                // d/dz_c [log sum - log s_y]
                dLogits[c] = (ds[c] / sum - (c == label ? ds[c] / sv[c] : 0)) * invN;
            }
            backward(P, s, dLogits, grad);
        }
        return Math.log(sum / sv[label]);
    }

    /** Accumulates the gradient of one example's loss, given dL/dlogits at the last position. */
    private void backward(double[] P, Pass s, double[] dLogits, double[] g) {
        final int last = 2;
        double[] dFin = new double[d];
        for (int j = 0; j < d; j++) {
            for (int c = 0; c < nOut; c++) {
                g[L.wU + j * nOut + c] += s.fin[last][j] * dLogits[c];
                dFin[j] += w(P, L.wU + j * nOut + c) * dLogits[c];
            }
        }
        // fin = mid + post W_out + b_out
        double[] dMid = dFin.clone();
        double[] dPost = new double[m];
        for (int j = 0; j < d; j++) {
            g[L.bOut + j] += dFin[j];
            for (int n = 0; n < m; n++) {
                g[L.wOut + n * d + j] += s.post[last][n] * dFin[j];
                dPost[n] += w(P, L.wOut + n * d + j) * dFin[j];
            }
        }
        // pre = mid W_in + b_in ; post = relu(pre)
        for (int n = 0; n < m; n++) {
            double dPre = s.pre[last][n] > 0 ? dPost[n] : 0;
            g[L.bIn + n] += dPre;
            for (int j = 0; j < d; j++) {
                g[L.wIn + j * m + n] += s.mid[last][j] * dPre;
                dMid[j] += w(P, L.wIn + j * m + n) * dPre;
            }
        }
        // mid = x + sum_h z_h W_O[h]
        double[][] dX = new double[3][d];
        for (int j = 0; j < d; j++) {
            dX[last][j] += dMid[j];
        }
        double scale = 1.0 / Math.sqrt(dh);
        for (int h = 0; h < nH; h++) {
            double[] dZ = new double[dh];
            for (int e = 0; e < dh; e++) {
                for (int j = 0; j < d; j++) {
                    g[L.wO + (h * dh + e) * d + j] += s.z[h][last][e] * dMid[j];
                    dZ[e] += w(P, L.wO + (h * dh + e) * d + j) * dMid[j];
                }
            }
            // z = sum_k attn_k v_k ; attn = softmax(q . k / sqrt(dh)) over keys 0..2
            double[] dAttn = new double[3];
            double[][] dV = new double[3][dh];
            for (int kj = 0; kj < 3; kj++) {
                for (int e = 0; e < dh; e++) {
                    dAttn[kj] += dZ[e] * s.v[h][kj][e];
                    dV[kj][e] += s.attn[h][last][kj] * dZ[e];
                }
            }
            double weighted = 0;
            for (int kj = 0; kj < 3; kj++) {
                weighted += s.attn[h][last][kj] * dAttn[kj];
            }
            double[] dQ = new double[dh];
            double[][] dK = new double[3][dh];
            for (int kj = 0; kj < 3; kj++) {
                double dScore = s.attn[h][last][kj] * (dAttn[kj] - weighted) * scale;
                for (int e = 0; e < dh; e++) {
                    dQ[e] += dScore * s.k[h][kj][e];
                    dK[kj][e] += dScore * s.q[h][last][e];
                }
            }
            for (int pos = 0; pos < 3; pos++) {
                for (int j = 0; j < d; j++) {
                    for (int e = 0; e < dh; e++) {
                        int o = (h * d + j) * dh + e;
                        if (pos == last) {
                            g[L.wQ + o] += s.x[pos][j] * dQ[e];
                            dX[pos][j] += w(P, L.wQ + o) * dQ[e];
                        }
                        g[L.wK + o] += s.x[pos][j] * dK[pos][e];
                        dX[pos][j] += w(P, L.wK + o) * dK[pos][e];
                        g[L.wV + o] += s.x[pos][j] * dV[pos][e];
                        dX[pos][j] += w(P, L.wV + o) * dV[pos][e];
                    }
                }
            }
        }
        for (int pos = 0; pos < 3; pos++) {
            for (int j = 0; j < d; j++) {
                g[L.wE + s.tokens[pos] * d + j] += dX[pos][j];
                g[L.wPos + pos * d + j] += dX[pos][j];
            }
        }
    }
}
