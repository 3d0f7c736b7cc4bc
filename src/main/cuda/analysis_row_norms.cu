// analysis_row_norms.cu: the norm of each basis row of a batch of transformed matrices, per checkpoint:
//
//   norms[b][i] = sqrt(sum_j coef[i][b][j]^2),   i < rows, b < batch, j < cols
//
// (coef as produced by the transforms of analysis_gather_matrix / analysis_neuron_logit_map output: [rows][batch]
// [cols]). Float64 sums. Launch: 1-D grid of blocks of 128 threads = 4 warps, one warp per (i, b)
// (warp w of block x handles output 4x + w); lanes stride over j (coalesced) and a fixed xor butterfly combines
// them, lane 0's total is written, so the result does not depend on scheduling.
#include "jgrok_cuda.cuh"

extern "C" __global__ void __launch_bounds__(128) analysis_fourier_row_norms(double* norms, const float* coef,
                                                                             int rows, int batch, int cols) {
    const int output = blockIdx.x * (blockDim.x / 32) + jgrok_warp();
    if (output >= rows * batch) {
        return;  // whole warps leave together: output depends on the warp only
    }
    const int i = output / batch;
    const int b = output - i * batch;
    const float* x = coef + ((long long)i * batch + b) * cols;
    double sum = 0.0;
    for (int j = jgrok_lane(); j < cols; j += 32) {
        const double v = x[j];
        sum += v * v;
    }
    for (int m = 16; m > 0; m >>= 1) {
        sum += __shfl_xor_sync(JGROK_FULL_MASK, sum, m);
    }
    if (jgrok_lane() == 0) {
        norms[(long long)b * rows + i] = sqrt(sum);
    }
}
JGROK_REGISTER_KERNEL(analysis_fourier_row_norms);
