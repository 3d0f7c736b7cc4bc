// analysis_neuron_logit_map.cu: the neuron-to-logit map W_L = W_out W_U[:, :p] of each checkpoint, transposed and
// interleaved by checkpoint for the transform over the class axis:
//
//   wl_t[c][b][n] = sum_j W_out[b][n][j] W_U[b][j][c],   c < p (number logits only), n < d_mlp, j < d_model
//
// with W_out at params[b * stride + w_out] ([d_mlp][d_model]) and W_U at params[b * stride + w_u]
// ([d_model][n_out]). Launch: grid (ceil(p / 32), ceil(d_mlp / 4), batch), blocks (32, 4): threadIdx.x runs over
// classes, so each step of the j loop is one coalesced read of a W_U row segment and one broadcast read of
// W_out[n][j]; float32 accumulation in j order (d_model terms), deterministic. 2 p d_mlp d_model flops per
// checkpoint (15 Mflop at the paper's size): small next to the loss kernels, so no shared-memory tiling.
#include "jgrok_cuda.cuh"

extern "C" __global__ void __launch_bounds__(128) analysis_neuron_logit_map(float* wl_t, const float* params,
                                                                            long long stride, int w_out, int w_u,
                                                                            int p, int d_model, int d_mlp,
                                                                            int n_out, int batch) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    const int n = blockIdx.y * blockDim.y + threadIdx.y;
    const int b = blockIdx.z;
    if (c >= p || n >= d_mlp) {
        return;
    }
    const float* out_row = params + b * stride + w_out + (long long)n * d_model;
    const float* unembed = params + b * stride + w_u + c;
    float sum = 0.0f;
    for (int j = 0; j < d_model; ++j) {
        sum += out_row[j] * unembed[(long long)j * n_out];
    }
    wl_t[((long long)c * batch + b) * d_mlp + n] = sum;
}
JGROK_REGISTER_KERNEL(analysis_neuron_logit_map);
