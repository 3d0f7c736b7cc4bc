// analysis_centre_columns.cu: each column minus its mean over the rows (neuron activations over the p^2 inputs,
// before their 2D transform for frac_explained):
//
//   out[r][j] = x[r][j] - (1/rows) sum_r' x[r'][j]
//
// The mean is a float64 sum in row order; the difference is rounded once to float32. Launch: 1-D grid over cols,
// 1-D blocks (128); one thread per column walks the rows twice, and consecutive threads read consecutive columns
// of each row (coalesced). Deterministic.
#include "jgrok_cuda.cuh"

extern "C" __global__ void __launch_bounds__(128) analysis_centre_columns(float* out, const float* x, int rows,
                                                                          int cols) {
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= cols) {
        return;
    }
    double sum = 0.0;
    for (int r = 0; r < rows; ++r) {
        sum += x[(long long)r * cols + j];
    }
    const double mean = sum / rows;
    for (int r = 0; r < rows; ++r) {
        const long long at = (long long)r * cols + j;
        out[at] = (float)(x[at] - mean);
    }
}
JGROK_REGISTER_KERNEL(analysis_centre_columns);
