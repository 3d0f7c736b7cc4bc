// tables_attention_warp.cu: tables_attention (tables.cu) with lanes along the contiguous index in its two strided
// steps, the version to measure against it on a GPU (src/main/cuda/NOTES.md; selected with
// JGROK_KERNELS=tables_attention=warp).
//
// Same outputs, launch grid and dynamic shared memory size as tables_attention: q [H * d_head] and kq [d, H] (block 0
// writes both) and the scores S [rows, H] of rowsPerBlock rows per block.
//   q[c]      = sum_k X[2p, k] W_Q[h, k, j]              thread per c = h * d_head + j: lanes along j, W_Q's contiguous
//                                                         index, as in tables_attention
//   kq[k, h]  = scale sum_j W_K[h, k, j] q[h, j]          a group of 8 lanes per (k, h): lanes along j, a warp load
//                                                         reads 4 rows of W_K in whole 32-byte sectors, then a fixed
//                                                         width-8 butterfly (jgrok_group_sum)
//   S[r, h]   = sum_k X[r, k] kq[k, h]                    a group of 8 lanes per (r, h): lanes along k, X's contiguous
//                                                         index
// Launch: 256 threads, grid (ceil(rows / rowsPerBlock), 1, N), dynamic shared memory (2d + d*H) floats.
// Why: tables_attention gives each thread a whole W_K row (lanes 4 KB apart: 32 cache lines per warp load) and a
// whole X row (8 rows per warp load); here every 8 lanes read consecutive floats. Groups of 8 rather than a whole
// warp per output: d_head = 32 would give each lane of a warp one multiply-add and then five dependent shuffle
// rounds per output; 8 lanes do 4 each and three rounds, and a warp serves 4 outputs at once (the 4 heads of one
// row: their reads of kq [k, H] in shared memory fall on 32 consecutive banks). Sums are in a fixed order
// (lane partial sums in index order, then the butterfly), so results are bit-reproducible; they differ from
// tables_attention's in the last bits (another order of the same float32 additions).
#include "model_common.cuh"
#include "warp_sum.cuh"

namespace jgrok_attention_warp {
constexpr int GROUP = 8;  // lanes per output
}  // namespace jgrok_attention_warp

extern "C" __global__ void __launch_bounds__(256) tables_attention_warp(const float* params, const int* layout,
                                                                        const float* X, float* q, float* kq, float* S,
                                                                        long long modelStride, int p, int d, int H,
                                                                        float scale, int rowsPerBlock) {
    params = model_ptr(params, modelStride);
    layout = model_ptr(layout, modelStride);
    X = model_ptr(X, modelStride);
    q = model_ptr(q, modelStride);
    kq = model_ptr(kq, modelStride);
    S = model_ptr(S, modelStride);
    JGROK_DYNAMIC_SHARED(float, shared);
    float* xeq = shared;          // [d]
    float* qs = shared + d;       // [d] = [H, d_head]
    float* kqs = shared + 2 * d;  // [d, H], as kq
    const int rows = 2 * p + 1;
    const int eq = 2 * p;
    const int dh = d / H;
    const float* WQ = params + layout[LAYOUT_WQ];
    const float* WK = params + layout[LAYOUT_WK];
    const int t = threadIdx.x;

    for (int k = t; k < d; k += blockDim.x) {
        xeq[k] = X[(long long)eq * d + k];
    }
    __syncthreads();
    for (int c = t; c < d; c += blockDim.x) {
        const float* wq = WQ + (long long)(c / dh) * d * dh + c % dh;  // W_Q[h, k, j] at wq[k * dh]
        float s = 0.0f;
        for (int k = 0; k < d; ++k) {
            s += xeq[k] * wq[(long long)k * dh];
        }
        qs[c] = s;
        if (blockIdx.x == 0) {
            q[c] = s;
        }
    }
    __syncthreads();
    using jgrok_attention_warp::GROUP;
    const int member = t % GROUP;
    const int groups = blockDim.x / GROUP;
    for (int base = 0; base < d * H; base += groups) {  // the same trip count for every thread: full-warp shuffles
        const int e = base + t / GROUP;
        const bool valid = e < d * H;
        const int k = e / H;
        const int h = e % H;
        float s = 0.0f;
        if (valid) {
            const float* wk = WK + ((long long)h * d + k) * dh;  // W_K[h, k, 0..dh)
            for (int j = member; j < dh; j += GROUP) {
                s += wk[j] * qs[h * dh + j];
            }
        }
        s = scale * jgrok_group_sum<GROUP>(s);
        if (valid && member == 0) {
            kqs[e] = s;
            if (blockIdx.x == 0) {
                kq[e] = s;
            }
        }
    }
    __syncthreads();
    const int r0 = blockIdx.x * rowsPerBlock;
    const int outputs = rowsPerBlock * H;
    for (int base = 0; base < outputs; base += groups) {
        const int e = base + t / GROUP;
        const int r = r0 + e / H;
        const int h = e % H;
        const bool valid = e < outputs && r < rows;
        float s = 0.0f;
        if (valid) {
            const float* x = X + (long long)r * d;
            for (int k = member; k < d; k += GROUP) {
                s += x[k] * kqs[k * H + h];
            }
        }
        s = jgrok_group_sum<GROUP>(s);
        if (valid && member == 0) {
            S[r * H + h] = s;
        }
    }
}
JGROK_REGISTER_KERNEL(tables_attention_warp);
