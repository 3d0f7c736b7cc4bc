// tables_attention_warp.cu: tables_attention (tables.cu) with a warp per output of its two strided steps, the version
// to measure against it on a GPU (src/main/cuda/NOTES.md; selected with JGROK_KERNELS=tables_attention=warp).
//
// Same outputs, launch grid and dynamic shared memory size as tables_attention: q [H * d_head] and kq [d, H] (block 0
// writes both) and the scores S [rows, H] of rowsPerBlock rows per block.
//   q[c]      = sum_k X[2p, k] W_Q[h, k, j]              thread per c = h * d_head + j: lanes along j, W_Q's contiguous
//                                                         index, as in tables_attention
//   kq[k, h]  = scale sum_j W_K[h, k, j] q[h, j]          a warp per (k, h): lanes along j, one 128-byte row of W_K per
//                                                         warp load, then jgrok_warp_sum
//   S[r, h]   = sum_k X[r, k] kq[k, h]                    a warp per (r, h): lanes along k, X's contiguous index
// Launch: 256 threads, grid (ceil(rows / rowsPerBlock), 1, N), dynamic shared memory (2d + d*H) floats.
// Why: tables_attention gives each thread a whole W_K row (lanes 4 KB apart: 32 cache lines per warp load) and a
// whole X row (8 rows per warp load); here every warp load is one or a few contiguous lines. kq is kept transposed in
// shared memory ([h][k]) so that the scores' lanes along k read consecutive banks. Sums are in a fixed order (lane
// partial sums in index order, then the butterfly), so results are bit-reproducible; they differ from
// tables_attention's in the last bits (another order of the same float32 additions).
#include "model_common.cuh"
#include "warp_sum.cuh"

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
    float* kqT = shared + 2 * d;  // [H, d]: kq transposed
    const int rows = 2 * p + 1;
    const int eq = 2 * p;
    const int dh = d / H;
    const float* WQ = params + layout[LAYOUT_WQ];
    const float* WK = params + layout[LAYOUT_WK];
    const int t = threadIdx.x;
    const int lane = jgrok_lane();
    const int warp = jgrok_warp();
    const int warps = blockDim.x / 32;

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
    for (int e = warp; e < d * H; e += warps) {  // the same trip count for every lane of a warp
        const int k = e / H;
        const int h = e % H;
        const float* wk = WK + ((long long)h * d + k) * dh;  // W_K[h, k, 0..dh)
        float s = 0.0f;
        for (int j = lane; j < dh; j += 32) {
            s += wk[j] * qs[h * dh + j];
        }
        s = scale * jgrok_warp_sum(s);
        if (lane == 0) {
            kqT[h * d + k] = s;
            if (blockIdx.x == 0) {
                kq[e] = s;
            }
        }
    }
    __syncthreads();
    const int r0 = blockIdx.x * rowsPerBlock;
    for (int e = warp; e < rowsPerBlock * H; e += warps) {
        const int r = r0 + e / H;
        const int h = e % H;
        if (r >= rows) {
            break;  // uniform across the warp; e only grows
        }
        const float* x = X + (long long)r * d;
        float s = 0.0f;
        for (int k = lane; k < d; k += 32) {
            s += x[k] * kqT[h * d + k];
        }
        s = jgrok_warp_sum(s);
        if (lane == 0) {
            S[r * H + h] = s;
        }
    }
}
JGROK_REGISTER_KERNEL(tables_attention_warp);
