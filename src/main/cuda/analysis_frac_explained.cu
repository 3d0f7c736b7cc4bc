// analysis_frac_explained.cu: the paper's per-neuron fraction of variance explained by each frequency, from the
// 2D Fourier coefficients g [p][p][n_neurons] of the centred activations:
//
//   frac[n][k-1] = (sum over i, j in {const, cos k, sin k} of g[i][j][n]^2, minus g[const][const][n]^2)
//                  / (sum over all i, j of g[i][j][n]^2),          k = 1..p/2 (only {const, cos} at an even p's p/2)
//
// and 0 for a neuron whose coefficients are all zero (a dead neuron). Float64. Launch: 1-D grid over neurons,
// 1-D blocks (128); one thread per neuron sums its p^2 squares in order (consecutive threads read consecutive
// neurons: coalesced), then reads the 8 (or 3) terms of each frequency. Deterministic.
#include "jgrok_cuda.cuh"
#include "analysis_fourier.cuh"

extern "C" __global__ void __launch_bounds__(128) analysis_frac_explained(double* frac, const float* g, int p,
                                                                          int n_neurons, int cos_first) {
    const int n = blockIdx.x * blockDim.x + threadIdx.x;
    if (n >= n_neurons) {
        return;
    }
    double total = 0.0;
    for (int ij = 0; ij < p * p; ++ij) {
        const double v = g[(long long)ij * n_neurons + n];
        total += v * v;
    }
    const int n_freq = p / 2;
    for (int k = 1; k <= n_freq; ++k) {
        const int rows[3] = {0, analysis_cos_row(k, p, cos_first), analysis_sin_row(k, p, cos_first)};
        const int n_rows = rows[2] < 0 ? 2 : 3;
        double s = 0.0;
        for (int a = 0; a < n_rows; ++a) {
            for (int b = 0; b < n_rows; ++b) {
                if (a == 0 && b == 0) {
                    continue;
                }
                const double v = g[((long long)rows[a] * p + rows[b]) * n_neurons + n];
                s += v * v;
            }
        }
        frac[(long long)n * n_freq + k - 1] = total > 0.0 ? s / total : 0.0;
    }
}
JGROK_REGISTER_KERNEL(analysis_frac_explained);
