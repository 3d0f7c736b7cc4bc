package io.jgrok.analysis;

/**
 * {@link LogitMeasures} on the CPU for one plan.
 *
 * <p>The key-frequency directions over the p^2 input grid,
 * <pre>
 *   cos(w_k(a+b)):  (F[cos k] (x) F[cos k] - F[sin k] (x) F[sin k]) / sqrt 2
 *   sin(w_k(a+b)):  (F[sin k] (x) F[cos k] + F[cos k] (x) F[sin k]) / sqrt 2
 * </pre>
 * are orthonormal and depend on (a, b) only through s = (a + b) mod p. So the projection of the number logits L
 * [p^2, p] onto them needs only the anti-diagonal sums G[s, c] = sum over a+b = s of L[(a, b), c]: the coefficients
 * are u(s)^T G, and every input with the same s gets the same projection row P[s, c]. Consequences used below: the
 * restricted logits (class mean + projection) take only p distinct values, one per s, all with label s, so the
 * restricted losses cost p log-sum-exps instead of p^2; the excluded logits L - P[s] still need one pass over the
 * training rows per variant. Everything is float64.
 */
final class LogitAblation {
    private final int p;
    private final int nOut;
    private final AblationPlan plan;
    private final int nKey;
    /** The tables of {@link KeyDirections}. */
    private final double[] uCos;
    private final double[] uSin;
    private final double[] ampCos;
    private final double[] ampSin;
    private final double[] ampNorm2;
    private final int[] train;
    private final boolean[] isTrain;
    private final boolean[] isTest;

    LogitAblation(FourierBasis basis, int nOut, AblationPlan plan) {
        this.p = basis.p();
        this.nOut = nOut;
        this.plan = plan;
        KeyDirections dirs = new KeyDirections(basis, plan.keyFrequencies());
        this.nKey = dirs.size();
        this.uCos = dirs.uCos;
        this.uSin = dirs.uSin;
        this.ampCos = dirs.ampCos;
        this.ampSin = dirs.ampSin;
        this.ampNorm2 = dirs.ampNorm2;
        this.train = plan.train();
        this.isTrain = new boolean[p * p];
        for (int r : train) {
            isTrain[r] = true;
        }
        this.isTest = new boolean[p * p];
        for (int r : plan.test()) {
            isTest[r] = true;
        }
    }

    /**
     * Exponents up to this size in the shifted form stay far from double overflow even when two of them add up
     * (e^600 &lt; 1e261); larger ones, which no sensible model produces, take the direct log-sum-exp.
     */
    static final double SAFE_EXPONENT = 300;

    /** exp(-x) elementwise, or null if some |x| exceeds {@link #SAFE_EXPONENT}. */
    private static double[] expTable(double[] x, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            if (!(Math.abs(x[i]) <= SAFE_EXPONENT)) {
                return null;
            }
            out[i] = Math.exp(-x[i]);
        }
        return out;
    }

    /**
     * Cross-entropy of z - P at label y from a_c = exp(z_c - z_y) (0 at y) and b_c = exp(-P_c) at b[off + c]:
     * log(1 + sum_{c != y} a_c b_c / b_y), exact in the sense of float64 and precise for tiny losses.
     */
    private double shiftedLoss(double[] a, double[] b, int off, int y) {
        double sum = 0;
        for (int c = 0; c < p; c++) {
            sum += a[c] * b[off + c];
        }
        return Math.log1p(sum / b[off + y]);
    }

    LogitMeasures measure(float[] logits) {
        int n = p * p;
        if (logits.length != n * nOut) {
            throw new IllegalArgumentException("logits: expected " + n * nOut + " values, got " + logits.length);
        }
        // Anti-diagonal sums G[s, c] and class means.
        double[] g = new double[p * p];
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                int s = a + b < p ? a + b : a + b - p;
                int lo = (a * p + b) * nOut;
                for (int c = 0; c < p; c++) {
                    g[s * p + c] += logits[lo + c];
                }
            }
        }
        double[] mean = new double[p];
        for (int s = 0; s < p; s++) {
            for (int c = 0; c < p; c++) {
                mean[c] += g[s * p + c] / n;
            }
        }
        // Coefficients on the directions, C[i][cos|sin][c], and the projection rows per s: part[i][s][c], all[s][c].
        double[] coefCos = new double[nKey * p];
        double[] coefSin = new double[nKey * p];
        double[] part = new double[nKey * p * p];
        double[] proj = new double[p * p];
        for (int i = 0; i < nKey; i++) {
            for (int s = 0; s < p; s++) {
                double uc = uCos[i * p + s];
                double us = uSin[i * p + s];
                for (int c = 0; c < p; c++) {
                    coefCos[i * p + c] += uc * g[s * p + c];
                    coefSin[i * p + c] += us * g[s * p + c];
                }
            }
            for (int s = 0; s < p; s++) {
                double uc = uCos[i * p + s];
                double us = uSin[i * p + s];
                for (int c = 0; c < p; c++) {
                    double v = uc * coefCos[i * p + c] + us * coefSin[i * p + c];
                    part[(i * p + s) * p + c] = v;
                    proj[s * p + c] += v;
                }
            }
        }
        // Plain losses over all inputs; on training rows also the excluded losses. Shifting by the label's logit
        // gives a_c = exp(z_c - z_y) once per row, and every excluded variant z - P is then
        // log1p(sum_{c != y} a_c exp(-(P_c - P_y))), with the exp(-P) tables computed once per s: one dot
        // product per variant instead of p exponentials. Rows or tables with extreme values take the direct path.
        double[] bAll = expTable(proj, p * p);
        double[] bPart = expTable(part, nKey * p * p);
        boolean tablesSafe = bAll != null && bPart != null;
        double[] z = new double[p];
        double[] a = new double[p];
        double[] variant = new double[p];
        double lossAll = 0;
        double lossTest = 0;
        double lossTrain = 0;
        long okAll = 0;
        long okTest = 0;
        long okTrain = 0;
        int nTest = 0;
        double excluded = 0;
        long okExcluded = 0;
        double[] excludedPer = new double[nKey];
        for (int r = 0; r < n; r++) {
            int y = (r / p + r % p) % p;
            double zy = logits[r * nOut + y];
            double maxGap = 0;
            for (int c = 0; c < p; c++) {
                z[c] = logits[r * nOut + c];
                maxGap = Math.max(maxGap, z[c] - zy);
            }
            boolean fast = tablesSafe && maxGap <= SAFE_EXPONENT;
            double l;
            if (fast) {
                double others = 0;
                for (int c = 0; c < p; c++) {
                    a[c] = c == y ? 0 : Math.exp(z[c] - zy);
                    others += a[c];
                }
                l = Math.log1p(others);
            } else {
                l = CrossEntropy.loss(z, 0, p, y);
            }
            boolean ok = CrossEntropy.correct(z, 0, p, y);
            lossAll += l;
            okAll += ok ? 1 : 0;
            if (isTest[r]) {
                lossTest += l;
                okTest += ok ? 1 : 0;
                nTest++;
            }
            if (!isTrain[r]) {
                continue;
            }
            lossTrain += l;
            okTrain += ok ? 1 : 0;
            int s = y;
            for (int c = 0; c < p; c++) {
                variant[c] = z[c] - proj[s * p + c];
            }
            okExcluded += CrossEntropy.correct(variant, 0, p, y) ? 1 : 0;
            if (fast) {
                excluded += shiftedLoss(a, bAll, s * p, y);
                for (int i = 0; i < nKey; i++) {
                    excludedPer[i] += shiftedLoss(a, bPart, (i * p + s) * p, y);
                }
            } else {
                excluded += CrossEntropy.loss(variant, 0, p, y);
                for (int i = 0; i < nKey; i++) {
                    for (int c = 0; c < p; c++) {
                        variant[c] = z[c] - part[(i * p + s) * p + c];
                    }
                    excludedPer[i] += CrossEntropy.loss(variant, 0, p, y);
                }
            }
        }
        // Restricted: one row per s (p inputs each, label s).
        double restricted = 0;
        long okRestricted = 0;
        double[] restrictedPer = plan.perFrequencyRestricted() ? new double[nKey] : null;
        for (int s = 0; s < p; s++) {
            for (int c = 0; c < p; c++) {
                variant[c] = mean[c] + proj[s * p + c];
            }
            restricted += CrossEntropy.loss(variant, 0, p, s) / p;
            okRestricted += CrossEntropy.correct(variant, 0, p, s) ? p : 0;
            if (restrictedPer != null) {
                for (int i = 0; i < nKey; i++) {
                    for (int c = 0; c < p; c++) {
                        variant[c] = mean[c] + part[(i * p + s) * p + c];
                    }
                    restrictedPer[i] += CrossEntropy.loss(variant, 0, p, s) / p;
                }
            }
        }
        int nTrain = train.length;
        double[] amplitudes = new double[nKey];
        for (int i = 0; i < nKey; i++) {
            double sum = 0;
            for (int c = 0; c < p; c++) {
                sum += ampCos[i * p + c] * coefCos[i * p + c] + ampSin[i * p + c] * coefSin[i * p + c];
            }
            amplitudes[i] = sum / ampNorm2[i];
            excludedPer[i] /= nTrain;
        }
        return new LogitMeasures(lossAll / n, (double) okAll / n, lossTrain / nTrain, (double) okTrain / nTrain,
                lossTest / nTest, (double) okTest / nTest, restricted, (double) okRestricted / n,
                excluded / nTrain, (double) okExcluded / nTrain, excludedPer, restrictedPer, amplitudes);
    }
}
