package io.jgrok.analysis;

import io.jgrok.model.ParamLayout;

/**
 * The AGOP by brute force, in float64, for tests: the model evaluated at the {@code =} position with continuous
 * one-hot inputs (x_pos = u_pos^T W_E[:p] + W_pos[pos] for pos 0 and 1), its full Jacobian [p outputs][2p inputs]
 * per example by reverse-mode differentiation written out step by step (one backward pass per output logit), and
 * the mean of J^T J over the examples. Shares nothing with {@link CpuAgop} or the engine except the parameter layout;
 * {@link AgopReferenceTest} checks its forward pass against the engine and its Jacobian against finite differences.
 */
final class AgopReference {
    private final ParamLayout L;
    private final double[] w;
    private final int p;
    private final int d;
    private final int nH;
    private final int dh;
    private final int m;
    private final int nOut;

    AgopReference(ParamLayout layout, float[] params) {
        this.L = layout;
        this.w = new double[params.length];
        for (int i = 0; i < params.length; i++) {
            w[i] = params[i];
        }
        this.p = layout.p;
        this.d = layout.dModel;
        this.nH = layout.nHeads;
        this.dh = layout.dHead;
        this.m = layout.dMlp;
        this.nOut = layout.nOutputs;
    }

    /** Everything the forward pass at '=' computes. */
    final class Pass {
        final double[][] x = new double[3][d];
        final double[][] q = new double[nH][dh];
        final double[][][] k = new double[nH][3][dh];
        final double[][][] v = new double[nH][3][dh];
        final double[][] alpha = new double[nH][3];
        final double[] mid = new double[d];
        final double[] pre = new double[m];
        final double[] logits = new double[p];
    }

    static double[] oneHot(int p, int t) {
        double[] u = new double[p];
        u[t] = 1;
        return u;
    }

    /** The p number logits at '=' for continuous inputs u0, u1 (length p each). */
    Pass forward(double[] u0, double[] u1) {
        Pass s = new Pass();
        double[][] u = {u0, u1};
        for (int pos = 0; pos < 3; pos++) {
            for (int j = 0; j < d; j++) {
                double x = w[L.wPos + pos * d + j];
                if (pos < 2) {
                    for (int t = 0; t < p; t++) {
                        x += u[pos][t] * w[L.wE + t * d + j];
                    }
                } else {
                    x += w[L.wE + p * d + j];
                }
                s.x[pos][j] = x;
            }
        }
        double[] attnOut = new double[d];
        for (int h = 0; h < nH; h++) {
            for (int e = 0; e < dh; e++) {
                for (int j = 0; j < d; j++) {
                    s.q[h][e] += s.x[2][j] * w[L.wQ + (h * d + j) * dh + e];
                    for (int pos = 0; pos < 3; pos++) {
                        s.k[h][pos][e] += s.x[pos][j] * w[L.wK + (h * d + j) * dh + e];
                        s.v[h][pos][e] += s.x[pos][j] * w[L.wV + (h * d + j) * dh + e];
                    }
                }
            }
            double[] score = new double[3];
            double max = Double.NEGATIVE_INFINITY;
            for (int pos = 0; pos < 3; pos++) {
                for (int e = 0; e < dh; e++) {
                    score[pos] += s.q[h][e] * s.k[h][pos][e];
                }
                score[pos] /= Math.sqrt(dh);
                max = Math.max(max, score[pos]);
            }
            double sum = 0;
            for (int pos = 0; pos < 3; pos++) {
                score[pos] = Math.exp(score[pos] - max);
                sum += score[pos];
            }
            for (int pos = 0; pos < 3; pos++) {
                s.alpha[h][pos] = score[pos] / sum;
            }
            for (int e = 0; e < dh; e++) {
                double z = 0;
                for (int pos = 0; pos < 3; pos++) {
                    z += s.alpha[h][pos] * s.v[h][pos][e];
                }
                for (int j = 0; j < d; j++) {
                    attnOut[j] += z * w[L.wO + (h * dh + e) * d + j];
                }
            }
        }
        for (int j = 0; j < d; j++) {
            s.mid[j] = s.x[2][j] + attnOut[j];
        }
        double[] fin = s.mid.clone();
        for (int n = 0; n < m; n++) {
            double a = w[L.bIn + n];
            for (int j = 0; j < d; j++) {
                a += s.mid[j] * w[L.wIn + j * m + n];
            }
            s.pre[n] = a;
            if (a > 0) {
                for (int j = 0; j < d; j++) {
                    fin[j] += a * w[L.wOut + n * d + j];
                }
            }
        }
        for (int j = 0; j < d; j++) {
            fin[j] += w[L.bOut + j];
        }
        for (int c = 0; c < p; c++) {
            double a = 0;
            for (int j = 0; j < d; j++) {
                a += fin[j] * w[L.wU + j * nOut + c];
            }
            s.logits[c] = a;
        }
        return s;
    }

    /** J [p][2p]: d logit_c / d u_pos[t] at the one-hot inputs of (a, b), column pos * p + t. */
    double[] jacobian(int a, int b) {
        Pass s = forward(oneHot(p, a), oneHot(p, b));
        double[] jac = new double[p * 2 * p];
        double scale = 1.0 / Math.sqrt(dh);
        for (int c = 0; c < p; c++) {
            // logit_c = fin . W_U[:, c]; fin = mid + relu(mid W_in + b_in) W_out + b_out.
            double[] dFin = new double[d];
            for (int j = 0; j < d; j++) {
                dFin[j] = w[L.wU + j * nOut + c];
            }
            double[] dMid = dFin.clone();
            for (int n = 0; n < m; n++) {
                if (s.pre[n] <= 0) {
                    continue;
                }
                double dPre = 0;
                for (int j = 0; j < d; j++) {
                    dPre += w[L.wOut + n * d + j] * dFin[j];
                }
                for (int j = 0; j < d; j++) {
                    dMid[j] += dPre * w[L.wIn + j * m + n];
                }
            }
            // mid = x_2 + sum_h z_h W_O[h]; z_h = sum_pos alpha_pos v_pos; alpha = softmax(q . k_pos / sqrt(dh)).
            double[][] dX = new double[2][d];
            for (int h = 0; h < nH; h++) {
                double[] dz = new double[dh];
                for (int e = 0; e < dh; e++) {
                    for (int j = 0; j < d; j++) {
                        dz[e] += w[L.wO + (h * dh + e) * d + j] * dMid[j];
                    }
                }
                double[] dAlpha = new double[3];
                for (int pos = 0; pos < 3; pos++) {
                    for (int e = 0; e < dh; e++) {
                        dAlpha[pos] += dz[e] * s.v[h][pos][e];
                    }
                }
                double mean = 0;
                for (int pos = 0; pos < 3; pos++) {
                    mean += s.alpha[h][pos] * dAlpha[pos];
                }
                for (int pos = 0; pos < 2; pos++) {
                    double dScore = s.alpha[h][pos] * (dAlpha[pos] - mean);
                    for (int j = 0; j < d; j++) {
                        double viaK = 0;
                        double viaV = 0;
                        for (int e = 0; e < dh; e++) {
                            viaK += w[L.wK + (h * d + j) * dh + e] * s.q[h][e];
                            viaV += w[L.wV + (h * d + j) * dh + e] * dz[e];
                        }
                        dX[pos][j] += dScore * scale * viaK + s.alpha[h][pos] * viaV;
                    }
                }
            }
            for (int pos = 0; pos < 2; pos++) {
                for (int t = 0; t < p; t++) {
                    double v = 0;
                    for (int j = 0; j < d; j++) {
                        v += dX[pos][j] * w[L.wE + t * d + j];
                    }
                    jac[c * 2 * p + pos * p + t] = v;
                }
            }
        }
        return jac;
    }

    /** (1/n) sum over examples of J^T J, 2p x 2p. */
    double[] agop(int[] examples) {
        int n2 = 2 * p;
        double[] g = new double[n2 * n2];
        for (int ex : examples) {
            double[] jac = jacobian(ex / p, ex % p);
            for (int c = 0; c < p; c++) {
                for (int i = 0; i < n2; i++) {
                    double ji = jac[c * n2 + i];
                    for (int k = 0; k < n2; k++) {
                        g[i * n2 + k] += ji * jac[c * n2 + k];
                    }
                }
            }
        }
        for (int i = 0; i < g.length; i++) {
            g[i] /= examples.length;
        }
        return g;
    }
}
