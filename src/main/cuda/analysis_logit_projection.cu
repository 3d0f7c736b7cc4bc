// analysis_logit_projection.cu: the projections of each checkpoint's number logits L [p^2][p] onto the
// cos/sin(w_k (a+b)) directions of the key frequencies, the input of the restricted and excluded losses.
//
// The directions depend on (a, b) only through s = (a + b) mod p (u_cos_i[s], u_sin_i[s], tabulated on the host in
// float64 from the basis), so the coefficients need only the anti-diagonal sums G[s][c] = sum over a + b = s of
// L[(a, b)][c]: C_cos_i[c] = sum_s u_cos_i[s] G[s][c], likewise C_sin_i; and the class means are sum_s G[s][c] / p^2.
// Three kernels, all float64, every sum in a fixed order (no atomics), each processing a whole batch of checkpoints
// per launch (the last grid dimension):
//
//   analysis_logit_antidiagonal_sums   g [batch][p][p] from logits [batch][p^2][n_out] (number logits c < p)
//       grid (p, batch), 1-D blocks (128): block (s, b), threads over c; p reads per output, coalesced over c.
//   analysis_logit_key_coefficients    coef [batch][2 n_key + 1][p]: rows 2i, 2i+1 = C_cos_i, C_sin_i; row 2 n_key =
//       class means. grid (ceil(p / 128), 2 n_key + 1, batch), 1-D blocks (128), one thread per coefficient.
//   analysis_logit_key_amplitudes      amp [batch][n_key]: the least-squares amplitude of cos(w_k(a+b-c)),
//       sum_c (wc_i[c] C_cos_i[c] + ws_i[c] C_sin_i[c]) / norm2_i with the weights from the host
//       (io.jgrok.analysis.KeyDirections). 1-D grid-stride over batch * n_key, one thread per amplitude.
#include "jgrok_cuda.cuh"

extern "C" __global__ void __launch_bounds__(128) analysis_logit_antidiagonal_sums(double* g, const float* logits,
                                                                                   int p, int n_out) {
    const int s = blockIdx.x;
    const int b = blockIdx.y;
    const float* l = logits + (long long)b * p * p * n_out;
    for (int c = threadIdx.x; c < p; c += blockDim.x) {
        double sum = 0.0;
        for (int a = 0; a < p; ++a) {
            const int other = s - a < 0 ? s - a + p : s - a;
            sum += l[((long long)a * p + other) * n_out + c];
        }
        g[((long long)b * p + s) * p + c] = sum;
    }
}
JGROK_REGISTER_KERNEL(analysis_logit_antidiagonal_sums);

extern "C" __global__ void __launch_bounds__(128) analysis_logit_key_coefficients(double* coef, const double* g,
                                                                                  const double* dirs, int p,
                                                                                  int n_key) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    const int row = blockIdx.y;
    const int b = blockIdx.z;
    if (c >= p) {
        return;
    }
    const double* gb = g + (long long)b * p * p;
    double sum = 0.0;
    if (row < 2 * n_key) {
        for (int s = 0; s < p; ++s) {
            sum += dirs[row * p + s] * gb[s * p + c];
        }
    } else {
        for (int s = 0; s < p; ++s) {
            sum += gb[s * p + c];
        }
        sum /= (double)p * p;
    }
    coef[((long long)b * (2 * n_key + 1) + row) * p + c] = sum;
}
JGROK_REGISTER_KERNEL(analysis_logit_key_coefficients);

extern "C" __global__ void __launch_bounds__(128) analysis_logit_key_amplitudes(double* amp, const double* coef,
                                                                                const double* weights,
                                                                                const double* norm2, int p,
                                                                                int n_key, int batch) {
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < batch * n_key; t += gridDim.x * blockDim.x) {
        const int b = t / n_key;
        const int i = t - b * n_key;
        const double* cb = coef + (long long)b * (2 * n_key + 1) * p;
        double sum = 0.0;
        for (int c = 0; c < p; ++c) {
            sum += weights[(2 * i) * p + c] * cb[(2 * i) * p + c] + weights[(2 * i + 1) * p + c] * cb[(2 * i + 1) * p + c];
        }
        amp[t] = sum / norm2[i];
    }
}
JGROK_REGISTER_KERNEL(analysis_logit_key_amplitudes);
