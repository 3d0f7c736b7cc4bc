// analysis_sum_partials.cu: the second, deterministic stage of every analysis reduction: per-block partial sums
// (or per-row values) summed in block order.
//
//   out[b][s] = sum over x = 0..n_parts-1 of partials[b][x][s],   b < batch, s < n_stats
//
// Launch: 1-D grid-stride over batch * n_stats, 1-D blocks (128): one thread per output walks the partials in
// order, so the total has the same bits on every run and every device (no float atomics).
#include "jgrok_cuda.cuh"

extern "C" __global__ void __launch_bounds__(128) analysis_sum_partials_f64(double* out, const double* partials,
                                                                            int n_parts, int n_stats, int batch) {
    const int total = batch * n_stats;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < total; i += gridDim.x * blockDim.x) {
        const int b = i / n_stats;
        const int s = i - b * n_stats;
        const double* x = partials + (long long)b * n_parts * n_stats + s;
        double sum = 0.0;
        for (int part = 0; part < n_parts; ++part) {
            sum += x[(long long)part * n_stats];
        }
        out[i] = sum;
    }
}
JGROK_REGISTER_KERNEL(analysis_sum_partials_f64);
