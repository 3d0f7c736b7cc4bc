// projection.cu: perp-Grad (Prieto et al. 2025), the gradient of each parameter tensor with its component along the
// tensor's own weights removed and rescaled to its norm (io.jgrok.optim.OrthogonalGradient, which documents the
// choice of the authors' code over the paper's unscaled equation):
//
//   ww = w.w, wg = w.g, gg = g.g                                    (float64, per tensor)
//   c = wg / (ww + 1e-30),  pp = sum_i (g[i] - c w[i])^2            (float64, a second pass)
//   g[i] = (float)((g[i] - c w[i]) * sqrt(gg) / (sqrt(pp) + 1e-30)) (float64, rounded once)
//
// over the TransformerLens tensors of the flat layout (W_E, W_pos, W_Q, W_K, W_V, W_O, W_in, b_in, W_out, b_out,
// W_U; the alignment gaps are left alone). Runs between grad_filter (mask, Grokfast) and adamw_step.
//
// Launch: 256 threads, grid (11, 1, N): block t owns tensor t of model blockIdx.z, reduces its three dot products
// with per-thread strided sums and a fixed-order shared-memory tree, then the projected vector's squared norm the same
// way (expanding it as gg - wg^2 / ww cancels when g is almost parallel to w, as late in training), then rewrites the
// tensor.
// Why: one block per tensor keeps the reduction and its use in one launch without any cross-block dependency, and
// the fixed tree makes it deterministic. It is latency-bound on a GPU (the largest tensors, W_in and W_out, are
// 65,536 elements: 256 loads of w and g per thread, a few microseconds); it runs only with --grad_projection
// orthogonal, so it stays the simple version until a GPU measurement says otherwise (NOTES.md).
#include "model_common.cuh"

namespace jgrok_projection {
// Offset and length of tensor t in the flat layout (ParamLayout's order and shapes). A switch rather than two
// indexed arrays, which would live in local memory.
__device__ __forceinline__ void tensor_range(const int* layout, int t, int p, int d, int M, int V, int* offset,
                                             int* length) {
    switch (t) {
        case 0: *offset = layout[LAYOUT_WE]; *length = (p + 1) * d; break;
        case 1: *offset = layout[LAYOUT_WPOS]; *length = 3 * d; break;
        case 2: *offset = layout[LAYOUT_WQ]; *length = d * d; break;
        case 3: *offset = layout[LAYOUT_WK]; *length = d * d; break;
        case 4: *offset = layout[LAYOUT_WV]; *length = d * d; break;
        case 5: *offset = layout[LAYOUT_WO]; *length = d * d; break;
        case 6: *offset = layout[LAYOUT_WIN]; *length = d * M; break;
        case 7: *offset = layout[LAYOUT_BIN]; *length = M; break;
        case 8: *offset = layout[LAYOUT_WOUT]; *length = M * d; break;
        case 9: *offset = layout[LAYOUT_BOUT]; *length = d; break;
        default: *offset = layout[LAYOUT_WU]; *length = d * V; break;
    }
}
}  // namespace jgrok_projection

extern "C" __global__ void __launch_bounds__(256) project_gradient(const float* params, float* grad,
                                                                   const int* layout, long long modelStride, int p,
                                                                   int d, int M, int V) {
    params = model_ptr(params, modelStride);
    grad = model_ptr(grad, modelStride);
    layout = model_ptr(layout, modelStride);
    __shared__ double sww[256];
    __shared__ double swg[256];
    __shared__ double sgg[256];
    int offset;
    int length;
    jgrok_projection::tensor_range(layout, blockIdx.x, p, d, M, V, &offset, &length);
    const float* w = params + offset;
    float* g = grad + offset;
    double ww = 0.0;
    double wg = 0.0;
    double gg = 0.0;
    for (int i = threadIdx.x; i < length; i += blockDim.x) {
        const double wi = (double)w[i];
        const double gi = (double)g[i];
        ww += wi * wi;
        wg += wi * gi;
        gg += gi * gi;
    }
    sww[threadIdx.x] = ww;
    swg[threadIdx.x] = wg;
    sgg[threadIdx.x] = gg;
    __syncthreads();
    for (int stride = 128; stride > 0; stride >>= 1) {
        if ((int)threadIdx.x < stride) {
            sww[threadIdx.x] += sww[threadIdx.x + stride];
            swg[threadIdx.x] += swg[threadIdx.x + stride];
            sgg[threadIdx.x] += sgg[threadIdx.x + stride];
        }
        __syncthreads();
    }
    const double c = swg[0] / (sww[0] + 1e-30);
    const double gnorm = sqrt(sgg[0]);
    __syncthreads();  // everyone has read the sums before spp (= sww) is reused
    double* spp = sww;
    double pp = 0.0;
    for (int i = threadIdx.x; i < length; i += blockDim.x) {
        const double q = (double)g[i] - c * (double)w[i];
        pp += q * q;
    }
    spp[threadIdx.x] = pp;
    __syncthreads();
    for (int stride = 128; stride > 0; stride >>= 1) {
        if ((int)threadIdx.x < stride) {
            spp[threadIdx.x] += spp[threadIdx.x + stride];
        }
        __syncthreads();
    }
    const double scale = gnorm / (sqrt(spp[0]) + 1e-30);
    for (int i = threadIdx.x; i < length; i += blockDim.x) {
        g[i] = (float)(((double)g[i] - c * (double)w[i]) * scale);
    }
}
JGROK_REGISTER_KERNEL(project_gradient);
