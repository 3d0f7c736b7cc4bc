// analysis_sum_of_squares.cu: per-block partial sums of squared weights over every tensor of each checkpoint's
// flat parameter buffer (biases included, the alignment gaps between tensors left out):
//
//   partials[b][x] = sum over tensors t, over elements i of t with i = x * blockDim.x + tid (mod gridDim.x *
//                    blockDim.x) of params[b * stride + offset_t + i]^2
//
// tensors is [n_tensors][2] = (offset, size). Float64. Launch: grid (blocks, batch), 256 threads (the shared array's
// size); each thread strides over every tensor, then a fixed tree in shared memory sums the block. The partials are
// summed in block order by analysis_sum_partials_f64: no atomics, the same bits on every run.
#include "jgrok_cuda.cuh"

extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) analysis_sum_of_squares_partials(
        double* partials, const float* params, long long stride, const int* tensors, int n_tensors) {
    __shared__ double buf[256];
    const int tid = threadIdx.x;
    const float* w = params + blockIdx.y * stride;
    const int step = gridDim.x * blockDim.x;
    double sum = 0.0;
    for (int t = 0; t < n_tensors; ++t) {
        const float* x = w + tensors[2 * t];
        const int size = tensors[2 * t + 1];
        for (int i = blockIdx.x * blockDim.x + tid; i < size; i += step) {
            const double v = x[i];
            sum += v * v;
        }
    }
    buf[tid] = sum;
    __syncthreads();
    for (int half = 128; half > 0; half >>= 1) {
        if (tid < half) {
            buf[tid] += buf[tid + half];
        }
        __syncthreads();
    }
    if (tid == 0) {
        partials[(long long)blockIdx.y * gridDim.x + blockIdx.x] = buf[0];
    }
}
JGROK_REGISTER_KERNEL(analysis_sum_of_squares_partials);
