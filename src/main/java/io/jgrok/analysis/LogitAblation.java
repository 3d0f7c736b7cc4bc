package io.jgrok.analysis;

/**
 * {@link LogitMeasures} on the CPU for one plan. The key-frequency directions over the p^2 input grid,
 * <pre>
 *   cos(w_k(a+b)):  (F[cos k] (x) F[cos k] - F[sin k] (x) F[sin k]) / sqrt 2
 *   sin(w_k(a+b)):  (F[sin k] (x) F[cos k] + F[cos k] (x) F[sin k]) / sqrt 2
 * </pre>
 * are orthonormal, so projecting the number logits L [p^2, p] onto them is U (U^T L) with U [p^2, D], D = 2 per
 * key frequency: the coefficients U^T L are a D x p matrix, and each row's projection is a D-term sum. That makes
 * every ablated variant one pass of float64 log-sum-exps over the rows, with no p^2 x p^2 projector anywhere.
 */
final class LogitAblation {
    private final FourierBasis basis;
    private final int p;
    private final int nOut;
    private final AblationPlan plan;
    private final int nKey;
    /** Directions [p^2, D]: columns 2i, 2i+1 are cos and sin of key frequency i (the sin column is 0 at Nyquist). */
    private final double[] u;
    private final int nDir;
    /** Per key frequency: cos(w c), sin(w c) weights and the squared norm of cos(w(a+b-c)) over the p^3 grid. */
    private final double[] ampCos;
    private final double[] ampSin;
    private final double[] ampNorm2;
    private final boolean[] isTrain;
    private final boolean[] isTest;

    LogitAblation(FourierBasis basis, int nOut, AblationPlan plan) {
        this.basis = basis;
        this.p = basis.p();
        this.nOut = nOut;
        this.plan = plan;
        int[] keys = plan.keyFrequencies();
        this.nKey = keys.length;
        this.nDir = 2 * nKey;
        int n = p * p;
        this.u = new double[n * nDir];
        this.ampCos = new double[nKey * p];
        this.ampSin = new double[nKey * p];
        this.ampNorm2 = new double[nKey];
        double invSqrt2 = 1 / Math.sqrt(2);
        for (int i = 0; i < nKey; i++) {
            int k = keys[i];
            if (k < 1 || k > basis.nFrequencies()) {
                throw new IllegalArgumentException("key frequency " + k + " is outside 1.." + basis.nFrequencies());
            }
            int cr = basis.cosRow(k);
            int sr = basis.sinRow(k);
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    double ca = basis.get(cr, a);
                    double cb = basis.get(cr, b);
                    int row = (a * p + b) * nDir;
                    if (sr < 0) {
                        // Even p, frequency p/2: cos(pi(a+b)) = cos(pi a) cos(pi b), and no sin direction.
                        u[row + 2 * i] = ca * cb;
                    } else {
                        double sa = basis.get(sr, a);
                        double sb = basis.get(sr, b);
                        u[row + 2 * i] = (ca * cb - sa * sb) * invSqrt2;
                        u[row + 2 * i + 1] = (sa * cb + ca * sb) * invSqrt2;
                    }
                }
            }
            // Amplitude of cos(w(a+b-c)) = cos(w(a+b)) cos(wc) + sin(w(a+b)) sin(wc): its inner product with L is
            // sum_c (|cos(w(a+b))| C[cos, c] cos(wc) + |sin(w(a+b))| C[sin, c] sin(wc)).
            double normCos = 0;
            double normSin = 0;
            for (int s = 0; s < p; s++) {
                double angle = 2 * Math.PI * ((long) k * s % p) / p;
                normCos += p * Math.cos(angle) * Math.cos(angle);
                normSin += p * Math.sin(angle) * Math.sin(angle);
            }
            double norm2 = 0;
            for (int c = 0; c < p; c++) {
                double angle = 2 * Math.PI * ((long) k * c % p) / p;
                ampCos[i * p + c] = Math.sqrt(normCos) * Math.cos(angle);
                ampSin[i * p + c] = Math.sqrt(normSin) * Math.sin(angle);
            }
            for (int s = 0; s < p; s++) {
                double angle = 2 * Math.PI * ((long) k * s % p) / p;
                norm2 += (double) p * p * Math.cos(angle) * Math.cos(angle);
            }
            ampNorm2[i] = norm2;
        }
        this.isTrain = membership(plan.train(), n);
        this.isTest = membership(plan.test(), n);
    }

    private static boolean[] membership(int[] indices, int n) {
        boolean[] out = new boolean[n];
        for (int i : indices) {
            out[i] = true;
        }
        return out;
    }

    LogitMeasures measure(float[] logits) {
        int n = p * p;
        if (logits.length != n * nOut) {
            throw new IllegalArgumentException("logits: expected " + n * nOut + " values, got " + logits.length);
        }
        // Class means and coefficients C = U^T L [D, p].
        double[] mean = new double[p];
        double[] coef = new double[nDir * p];
        for (int r = 0; r < n; r++) {
            int lo = r * nOut;
            for (int c = 0; c < p; c++) {
                mean[c] += logits[lo + c];
            }
            for (int d = 0; d < nDir; d++) {
                double ud = u[r * nDir + d];
                if (ud == 0) {
                    continue;
                }
                for (int c = 0; c < p; c++) {
                    coef[d * p + c] += ud * logits[lo + c];
                }
            }
        }
        for (int c = 0; c < p; c++) {
            mean[c] /= n;
        }
        double[] z = new double[p];
        double[] part = new double[nKey * p];
        double[] proj = new double[p];
        double[] variant = new double[p];
        double lossAll = 0;
        double lossTrain = 0;
        double lossTest = 0;
        long okAll = 0;
        long okTrain = 0;
        long okTest = 0;
        double restricted = 0;
        long okRestricted = 0;
        double excluded = 0;
        long okExcluded = 0;
        double[] excludedPer = new double[nKey];
        double[] restrictedPer = plan.perFrequencyRestricted() ? new double[nKey] : null;
        int nTrain = 0;
        int nTest = 0;
        for (int r = 0; r < n; r++) {
            int label = (r / p + r % p) % p;
            for (int c = 0; c < p; c++) {
                z[c] = logits[r * nOut + c];
            }
            double l = CrossEntropy.loss(z, 0, p, label);
            boolean ok = CrossEntropy.correct(z, 0, p, label);
            lossAll += l;
            okAll += ok ? 1 : 0;
            if (isTrain[r]) {
                lossTrain += l;
                okTrain += ok ? 1 : 0;
                nTrain++;
            }
            if (isTest[r]) {
                lossTest += l;
                okTest += ok ? 1 : 0;
                nTest++;
            }
            java.util.Arrays.fill(proj, 0);
            for (int i = 0; i < nKey; i++) {
                double uc = u[r * nDir + 2 * i];
                double us = u[r * nDir + 2 * i + 1];
                for (int c = 0; c < p; c++) {
                    double v = uc * coef[2 * i * p + c] + us * coef[(2 * i + 1) * p + c];
                    part[i * p + c] = v;
                    proj[c] += v;
                }
            }
            for (int c = 0; c < p; c++) {
                variant[c] = mean[c] + proj[c];
            }
            restricted += CrossEntropy.loss(variant, 0, p, label);
            okRestricted += CrossEntropy.correct(variant, 0, p, label) ? 1 : 0;
            if (restrictedPer != null) {
                for (int i = 0; i < nKey; i++) {
                    for (int c = 0; c < p; c++) {
                        variant[c] = mean[c] + part[i * p + c];
                    }
                    restrictedPer[i] += CrossEntropy.loss(variant, 0, p, label);
                }
            }
            if (isTrain[r]) {
                for (int c = 0; c < p; c++) {
                    variant[c] = z[c] - proj[c];
                }
                excluded += CrossEntropy.loss(variant, 0, p, label);
                okExcluded += CrossEntropy.correct(variant, 0, p, label) ? 1 : 0;
                for (int i = 0; i < nKey; i++) {
                    for (int c = 0; c < p; c++) {
                        variant[c] = z[c] - part[i * p + c];
                    }
                    excludedPer[i] += CrossEntropy.loss(variant, 0, p, label);
                }
            }
        }
        double[] amplitudes = new double[nKey];
        for (int i = 0; i < nKey; i++) {
            double s = 0;
            for (int c = 0; c < p; c++) {
                s += ampCos[i * p + c] * coef[2 * i * p + c] + ampSin[i * p + c] * coef[(2 * i + 1) * p + c];
            }
            amplitudes[i] = s / ampNorm2[i];
            excludedPer[i] /= nTrain;
            if (restrictedPer != null) {
                restrictedPer[i] /= n;
            }
        }
        return new LogitMeasures(lossAll / n, (double) okAll / n, lossTrain / nTrain, (double) okTrain / nTrain,
                lossTest / nTest, (double) okTest / nTest, restricted / n, (double) okRestricted / n,
                excluded / nTrain, (double) okExcluded / nTrain, excludedPer, restrictedPer, amplitudes);
    }

    FourierBasis basis() {
        return basis;
    }
}
