// analysis_gather.cu: one weight matrix out of each checkpoint's flat parameter buffer, interleaved by checkpoint
// so that a whole batch is one set of columns for the transforms along axis 0:
//
//   out[r][b][c] = params[b * stride + offset + r * cols + c],   r < rows, b < batch, c < cols
//
// (e.g. W_E without the '=' row: rows = p, cols = d_model, giving [p][batch * d_model] columns for one R2C plan).
// Launch: 1-D grid-stride over rows * batch * cols, 1-D blocks (256); consecutive threads copy consecutive c.
#include "jgrok_cuda.cuh"

extern "C" __global__ void __launch_bounds__(256) analysis_gather_matrix(float* out, const float* params,
                                                                         long long stride, int offset, int rows,
                                                                         int cols, int batch) {
    const long long total = (long long)rows * batch * cols;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total;
         i += (long long)gridDim.x * blockDim.x) {
        const int c = (int)(i % cols);
        const long long rb = i / cols;
        const int b = (int)(rb % batch);
        const int r = (int)(rb / batch);
        out[i] = params[b * stride + offset + (long long)r * cols + c];
    }
}
JGROK_REGISTER_KERNEL(analysis_gather_matrix);
