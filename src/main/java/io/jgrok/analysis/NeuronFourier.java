package io.jgrok.analysis;

/** Per-neuron frequency fractions from 2D Fourier coefficients (the paper's neuron clustering input). */
final class NeuronFourier {
    private NeuronFourier() {
    }

    /**
     * frac[n, k-1] = (sum over i, j in {const, cos k, sin k} of g[i, j, n]^2, minus g[const, const, n]^2) divided by
     * sum over all i, j of g[i, j, n]^2, from coefficients g [p, p, nNeurons] of centred activations; 0 for a neuron
     * whose coefficients are all zero.
     */
    static double[] fractions(FourierBasis basis, double[] g, int nNeurons) {
        int p = basis.p();
        int nk = basis.nFrequencies();
        double[] total = new double[nNeurons];
        for (int i = 0; i < p * p; i++) {
            for (int n = 0; n < nNeurons; n++) {
                double v = g[i * nNeurons + n];
                total[n] += v * v;
            }
        }
        double[] out = new double[nNeurons * nk];
        for (int k = 1; k <= nk; k++) {
            int[] rows = basis.sinRow(k) >= 0 ? new int[] {0, basis.cosRow(k), basis.sinRow(k)}
                    : new int[] {0, basis.cosRow(k)};
            for (int n = 0; n < nNeurons; n++) {
                double s = 0;
                for (int i : rows) {
                    for (int j : rows) {
                        if (i == 0 && j == 0) {
                            continue;
                        }
                        double v = g[(i * p + j) * nNeurons + n];
                        s += v * v;
                    }
                }
                out[n * nk + k - 1] = total[n] > 0 ? s / total[n] : 0.0;
            }
        }
        return out;
    }
}
