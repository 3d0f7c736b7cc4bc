// analysis_dft.cu: the half spectrum of real columns by a direct DFT -- the fallback for cuFFT, and what the
// emulated device runs.
//
//   X[k][j] = sum_t x[t][j] (cos(2 pi k t / p) - i sin(2 pi k t / p)),  k = 0..p/2, every column j of x [p][cols]
//
// written as interleaved (re, im) float pairs, [p/2 + 1][cols]: exactly the output of a cuFFT R2C plan with
// istride = ostride = cols, idist = odist = 1, batch = cols, so the basis mapping that follows
// (analysis_spectrum_to_basis) is the same code for both routes and CI proves it on this one.
//
// Launch: grid (ceil(cols / blockDim.x), p/2 + 1), 1-D blocks (128). One thread per output (k, j): it walks t,
// keeping the twiddle index (k t) mod p incrementally, and reads x[t][j] (consecutive threads take consecutive j,
// so every load is coalesced) and the table cos_sin [2p] = (cos, sin)(2 pi t / p), computed on the host in float64.
// The direct sum costs 4 p (p/2 + 1) flops per column (26 kflop at p = 113), the same order as cuFFT's
// Bluestein FFT for a prime length; both are bound by memory traffic. No shared memory, no barriers; accumulation
// is float32 like cuFFT's R2C. Columns are independent, so checkpoints batched as columns
// need nothing special.
#include "jgrok_cuda.cuh"

extern "C" __global__ void __launch_bounds__(128) analysis_dft_half_spectrum(float* spectrum, const float* x,
                                                                             const float* cos_sin, int p,
                                                                             int cols) {
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    const int k = blockIdx.y;
    if (j >= cols) {
        return;
    }
    float re = 0.0f;
    float im = 0.0f;
    int twiddle = 0;
    for (int t = 0; t < p; ++t) {
        const float v = x[(size_t)t * cols + j];
        re += v * cos_sin[2 * twiddle];
        im -= v * cos_sin[2 * twiddle + 1];
        twiddle += k;
        if (twiddle >= p) {
            twiddle -= p;
        }
    }
    float* out = spectrum + 2 * ((size_t)k * cols + j);
    out[0] = re;
    out[1] = im;
}
JGROK_REGISTER_KERNEL(analysis_dft_half_spectrum);
