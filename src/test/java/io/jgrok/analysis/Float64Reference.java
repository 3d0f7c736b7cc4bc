package io.jgrok.analysis;

import io.jgrok.config.FourierOrder;
import io.jgrok.model.ParamLayout;

/**
 * Brute-force float64 evaluations of the analysis definitions (paper-facts.md, "Analysis"), written from the
 * formulas and independently of the production code: the basis from closed-form trig, transforms as plain sums,
 * key-frequency directions from cos/sin(w(a+b)) normalised numerically, Gini by the mean-absolute-difference form.
 * Slow (O(p^4) transforms); for small p only.
 */
final class Float64Reference {
    private Float64Reference() {
    }

    /** Basis row r at x, from the closed form (odd p, or even p with its cos-only Nyquist row). */
    static double basis(int p, FourierOrder order, int r, int x) {
        if (r == 0) {
            return 1 / Math.sqrt(p);
        }
        int k = (r + 1) / 2;
        double angle = 2 * Math.PI * k * x / p;
        if (2 * k == p) {
            return Math.cos(angle) / Math.sqrt(p);
        }
        boolean cosRow = (order == FourierOrder.COS_FIRST) == (r % 2 == 1);
        return (cosRow ? Math.cos(angle) : Math.sin(angle)) * Math.sqrt(2.0 / p);
    }

    static double[][] basisMatrix(int p, FourierOrder order) {
        double[][] f = new double[p][p];
        for (int r = 0; r < p; r++) {
            for (int x = 0; x < p; x++) {
                f[r][x] = basis(p, order, r, x);
            }
        }
        return f;
    }

    /** y[i, j] = sum_t F[i, t] x[t, j] for x [p, m]. */
    static double[] transform1d(double[][] f, float[] x, int m) {
        int p = f.length;
        double[] y = new double[p * m];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int t = 0; t < p; t++) {
                    s += f[i][t] * x[t * m + j];
                }
                y[i * m + j] = s;
            }
        }
        return y;
    }

    /** y[i, j, c] = sum_a sum_b F[i, a] F[j, b] x[a, b, c] for x [p, p, m]. */
    static double[] transform2d(double[][] f, double[] x, int m) {
        int p = f.length;
        double[] y = new double[p * p * m];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                for (int c = 0; c < m; c++) {
                    double s = 0;
                    for (int a = 0; a < p; a++) {
                        for (int b = 0; b < p; b++) {
                            s += f[i][a] * f[j][b] * x[(a * p + b) * m + c];
                        }
                    }
                    y[(i * p + j) * m + c] = s;
                }
            }
        }
        return y;
    }

    static double[] widen(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    /** Rows of the basis that belong to frequency k (cos first), or {0} for the constant. */
    static int[] rowsOf(int p, FourierOrder order, int k) {
        int[] rows = new int[2];
        int n = 0;
        for (int r = 1; r < p; r++) {
            if ((r + 1) / 2 == k) {
                rows[n++] = r;
            }
        }
        return java.util.Arrays.copyOf(rows, n);
    }

    /** frac_explained [nNeurons, K] by the definition. */
    static double[] fracExplained(double[][] f, FourierOrder order, float[] acts, int nNeurons) {
        int p = f.length;
        int n = p * p;
        double[] centred = new double[n * nNeurons];
        for (int j = 0; j < nNeurons; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += acts[i * nNeurons + j];
            }
            mean /= n;
            for (int i = 0; i < n; i++) {
                centred[i * nNeurons + j] = acts[i * nNeurons + j] - mean;
            }
        }
        double[] g = transform2d(f, centred, nNeurons);
        int nk = p / 2;
        double[] out = new double[nNeurons * nk];
        for (int j = 0; j < nNeurons; j++) {
            double total = 0;
            for (int i = 0; i < p * p; i++) {
                total += g[i * nNeurons + j] * g[i * nNeurons + j];
            }
            for (int k = 1; k <= nk; k++) {
                int[] kr = rowsOf(p, order, k);
                int[] rows = new int[kr.length + 1];
                System.arraycopy(kr, 0, rows, 1, kr.length);
                double s = 0;
                for (int a : rows) {
                    for (int b : rows) {
                        if (a != 0 || b != 0) {
                            s += g[(a * p + b) * nNeurons + j] * g[(a * p + b) * nNeurons + j];
                        }
                    }
                }
                out[j * nk + k - 1] = total > 0 ? s / total : 0;
            }
        }
        return out;
    }

    /**
     * -log softmax(z)[label] = log sum_c exp(z_c - z_label), summed as 1 + the other terms so that tiny losses keep
     * their relative precision; shifted by the maximum instead when that sum could overflow.
     */
    static double crossEntropy(double[] z, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        if (max - z[label] < 500) {
            double others = 0;
            for (int c = 0; c < z.length; c++) {
                if (c != label) {
                    others += Math.exp(z[c] - z[label]);
                }
            }
            return Math.log1p(others);
        }
        double s = 0;
        for (double v : z) {
            s += Math.exp(v - max);
        }
        return Math.log(s) + max - z[label];
    }

    static boolean correct(double[] z, int label) {
        for (int c = 0; c < z.length; c++) {
            if (z[c] > z[label] || (z[c] == z[label] && c < label)) {
                return false;
            }
        }
        return true;
    }

    /** Unit vectors over the p^2 grid along cos(w_k(a+b)) and sin(w_k(a+b)) (the latter null if identically 0). */
    static double[][] directions(int p, int k) {
        double[] cos = new double[p * p];
        double[] sin = new double[p * p];
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                double angle = 2 * Math.PI * k * (a + b) / p;
                cos[a * p + b] = Math.cos(angle);
                sin[a * p + b] = Math.sin(angle);
            }
        }
        return new double[][] {unit(cos), norm(sin) < 1e-9 ? null : unit(sin)};
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    static double[] unit(double[] v) {
        double n = norm(v);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / n;
        }
        return out;
    }

    /** The measures of LogitMeasures, by the definitions, as one array per field. */
    static LogitMeasures logitMeasures(int p, int nOut, float[] logits, AblationPlan plan) {
        int n = p * p;
        double[][] l = new double[n][p];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < p; c++) {
                l[r][c] = logits[r * nOut + c];
            }
        }
        int[] keys = plan.keyFrequencies();
        // Projection of each class column onto each key frequency's directions.
        double[][][] part = new double[keys.length][n][p];
        double[] amplitude = new double[keys.length];
        for (int i = 0; i < keys.length; i++) {
            for (double[] u : directions(p, keys[i])) {
                if (u == null) {
                    continue;
                }
                for (int c = 0; c < p; c++) {
                    double dot = 0;
                    for (int r = 0; r < n; r++) {
                        dot += u[r] * l[r][c];
                    }
                    for (int r = 0; r < n; r++) {
                        part[i][r][c] += dot * u[r];
                    }
                }
            }
            double num = 0;
            double den = 0;
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < p; c++) {
                    double v = Math.cos(2 * Math.PI * keys[i] * (r / p + r % p - c) / p);
                    num += l[r][c] * v;
                    den += v * v;
                }
            }
            amplitude[i] = num / den;
        }
        double[] mean = new double[p];
        for (int c = 0; c < p; c++) {
            for (int r = 0; r < n; r++) {
                mean[c] += l[r][c] / n;
            }
        }
        Acc all = new Acc();
        Acc train = new Acc();
        Acc test = new Acc();
        Acc restricted = new Acc();
        Acc excluded = new Acc();
        Acc[] excludedPer = new Acc[keys.length];
        Acc[] restrictedPer = new Acc[keys.length];
        for (int i = 0; i < keys.length; i++) {
            excludedPer[i] = new Acc();
            restrictedPer[i] = new Acc();
        }
        for (int r = 0; r < n; r++) {
            all.add(l[r], label(r, p));
        }
        for (int r : plan.train()) {
            train.add(l[r], label(r, p));
            double[] z = l[r].clone();
            for (int i = 0; i < keys.length; i++) {
                double[] zi = l[r].clone();
                for (int c = 0; c < p; c++) {
                    z[c] -= part[i][r][c];
                    zi[c] -= part[i][r][c];
                }
                excludedPer[i].add(zi, label(r, p));
            }
            excluded.add(z, label(r, p));
        }
        for (int r : plan.test()) {
            test.add(l[r], label(r, p));
        }
        for (int r = 0; r < n; r++) {
            double[] z = mean.clone();
            for (int i = 0; i < keys.length; i++) {
                double[] zi = mean.clone();
                for (int c = 0; c < p; c++) {
                    z[c] += part[i][r][c];
                    zi[c] += part[i][r][c];
                }
                restrictedPer[i].add(zi, label(r, p));
            }
            restricted.add(z, label(r, p));
        }
        double[] ex = new double[keys.length];
        double[] re = new double[keys.length];
        for (int i = 0; i < keys.length; i++) {
            ex[i] = excludedPer[i].loss();
            re[i] = restrictedPer[i].loss();
        }
        return new LogitMeasures(all.loss(), all.acc(), train.loss(), train.acc(), test.loss(), test.acc(),
                restricted.loss(), restricted.acc(), excluded.loss(), excluded.acc(), ex,
                plan.perFrequencyRestricted() ? re : null, amplitude);
    }

    static int label(int r, int p) {
        return (r / p + r % p) % p;
    }

    private static final class Acc {
        double loss;
        long ok;
        long n;

        void add(double[] z, int label) {
            loss += crossEntropy(z, label);
            ok += correct(z, label) ? 1 : 0;
            n++;
        }

        double loss() {
            return loss / n;
        }

        double acc() {
            return (double) ok / n;
        }
    }

    /** Gini by the mean absolute difference: sum_i sum_j |c_i - c_j| / (2 N sum c). */
    static double gini(double[] c) {
        double num = 0;
        double sum = 0;
        for (double x : c) {
            sum += x;
            for (double y : c) {
                num += Math.abs(x - y);
            }
        }
        return sum == 0 ? 0 : num / (2 * c.length * sum);
    }

    /** Per-frequency norms sqrt(|cos k|^2 + |sin k|^2) from per-row norms. */
    static double[] frequencyNorms(int p, FourierOrder order, double[] rowNorms) {
        double[] out = new double[p / 2];
        for (int k = 1; k <= p / 2; k++) {
            double s = 0;
            for (int r : rowsOf(p, order, k)) {
                s += rowNorms[r] * rowNorms[r];
            }
            out[k - 1] = Math.sqrt(s);
        }
        return out;
    }

    static WeightMeasures weightMeasures(ParamLayout layout, FourierOrder order, float[] params) {
        int p = layout.p;
        int d = layout.dModel;
        int m = layout.dMlp;
        double[][] f = basisMatrix(p, order);
        double[] embedNorms = new double[p];
        for (int i = 0; i < p; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                double v = 0;
                for (int t = 0; t < p; t++) {
                    v += f[i][t] * params[layout.wE + t * d + j];
                }
                s += v * v;
            }
            embedNorms[i] = Math.sqrt(s);
        }
        double[][] wl = new double[m][p];
        for (int n = 0; n < m; n++) {
            for (int c = 0; c < p; c++) {
                for (int j = 0; j < d; j++) {
                    wl[n][c] += (double) params[layout.wOut + n * d + j] * params[layout.wU + j * layout.nOutputs + c];
                }
            }
        }
        double[] wlNorms = new double[p];
        for (int i = 0; i < p; i++) {
            double s = 0;
            for (int n = 0; n < m; n++) {
                double v = 0;
                for (int c = 0; c < p; c++) {
                    v += f[i][c] * wl[n][c];
                }
                s += v * v;
            }
            wlNorms[i] = Math.sqrt(s);
        }
        double ss = 0;
        for (ParamLayout.Tensor t : layout.tensors()) {
            for (int i = t.offset(); i < t.end(); i++) {
                ss += (double) params[i] * params[i];
            }
        }
        return new WeightMeasures(embedNorms, wlNorms, gini(frequencyNorms(p, order, embedNorms)),
                gini(frequencyNorms(p, order, wlNorms)), ss);
    }

    /**
     * Loss and accuracy over all inputs with the given neurons replaced by their degree-2 approximation at their
     * frequency: the least-squares fit by the 9 functions {1, cos wka, sin wka} x {1, cos wkb, sin wkb}.
     */
    static double[] degree2Loss(ParamLayout layout, FourierOrder order, float[] params, float[] logits,
                                float[] neurons, int[] chosen, int[] frequencyOf) {
        int p = layout.p;
        int n = p * p;
        int m = layout.dMlp;
        double[][] f = basisMatrix(p, order);
        double[][] z = new double[n][p];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < p; c++) {
                z[r][c] = logits[r * layout.nOutputs + c];
            }
        }
        for (int neuron : chosen) {
            int k = frequencyOf[neuron];
            int[] kr = rowsOf(p, order, k);
            int[] rows = new int[kr.length + 1];
            System.arraycopy(kr, 0, rows, 1, kr.length);
            double[] approx = new double[n];
            for (int i : rows) {
                for (int j : rows) {
                    double coef = 0;
                    for (int r = 0; r < n; r++) {
                        coef += f[i][r / p] * f[j][r % p] * neurons[r * m + neuron];
                    }
                    for (int r = 0; r < n; r++) {
                        approx[r] += coef * f[i][r / p] * f[j][r % p];
                    }
                }
            }
            for (int c = 0; c < p; c++) {
                double wl = 0;
                for (int j = 0; j < layout.dModel; j++) {
                    wl += (double) params[layout.wOut + neuron * layout.dModel + j]
                            * params[layout.wU + j * layout.nOutputs + c];
                }
                for (int r = 0; r < n; r++) {
                    z[r][c] += (approx[r] - neurons[r * m + neuron]) * wl;
                }
            }
        }
        double loss = 0;
        long ok = 0;
        for (int r = 0; r < n; r++) {
            loss += crossEntropy(z[r], label(r, p));
            ok += correct(z[r], label(r, p)) ? 1 : 0;
        }
        return new double[] {loss / n, (double) ok / n};
    }
}
