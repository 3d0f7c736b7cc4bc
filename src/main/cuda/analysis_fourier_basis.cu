// analysis_fourier_basis.cu: coefficients in the paper's real Fourier basis from a complex half spectrum (the
// output of cuFFT's R2C or of analysis_dft_half_spectrum, interleaved (re, im) [p/2 + 1][cols]):
//
//   const         =  Re X_0 / sqrt(p)
//   cos k         =  sqrt(2/p) Re X_k        because the cos row is cos(2 pi k t / p) / sqrt(p/2) and
//   sin k         = -sqrt(2/p) Im X_k        Re X_k = sum x cos, -Im X_k = sum x sin
//   cos p/2       =  Re X_{p/2} / sqrt(p)    (even p only: the Nyquist row, last)
//
// in the run's row order (cos_first 1: cos k at row 2k-1; 0: sin k at 2k-1; see analysis_fourier.cuh).
// Output: out[i][j] = coefficient i of column j ([p][cols]); or, with swap, columns read as j = o * inner + q and
// out[o][i][q] ([cols / inner][p][inner]). The swap turns F X F^T over the first two axes of x [p][p][m] into two
// passes along axis 0 with the same R2C plan shape: pass 1 on x gives u[b][i][m] = (F x)[i][b][m] transposed, pass 2
// on u gives (F X F^T)[i][l][m] in place order. Both cuFFT and the DFT kernel handle axis 0 with unit column
// stride, so no other layout is ever needed.
//
// Launch: grid (ceil(cols / blockDim.x), p), 1-D blocks (128); one thread per output element, reads coalesced
// across j (writes too, without swap; with swap, runs of `inner` consecutive elements).
#include "jgrok_cuda.cuh"
#include "analysis_fourier.cuh"

extern "C" __global__ void __launch_bounds__(128) analysis_spectrum_to_basis(float* out, const float* spectrum,
                                                                             int p, int cols, int inner,
                                                                             int cos_first, int swap) {
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    const int row = blockIdx.y;
    if (j >= cols) {
        return;
    }
    const double inv_sqrt_p = 1.0 / sqrt((double)p);
    const double sqrt_2_over_p = sqrt(2.0 / p);
    double value;
    if (row == 0 || (p % 2 == 0 && row == p - 1)) {
        const int k = row == 0 ? 0 : p / 2;
        value = inv_sqrt_p * spectrum[2 * ((size_t)k * cols + j)];
    } else {
        const int k = (row + 1) / 2;
        const float* x = spectrum + 2 * ((size_t)k * cols + j);
        value = analysis_cos_row(k, p, cos_first) == row ? sqrt_2_over_p * x[0] : -sqrt_2_over_p * x[1];
    }
    size_t at;
    if (swap) {
        const int o = j / inner;
        const int q = j - o * inner;
        at = ((size_t)o * p + row) * inner + q;
    } else {
        at = (size_t)row * cols + j;
    }
    out[at] = (float)value;
}
JGROK_REGISTER_KERNEL(analysis_spectrum_to_basis);
