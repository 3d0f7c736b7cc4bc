// backward_query_warp.cu: backward_query (backward.cu) with its three steps spread over all 8 warps and every load
// along a contiguous index, the version to measure against it on a GPU (src/main/cuda/NOTES.md; selected with
// JGROK_KERNELS=backward_query=warp).
//
// Same outputs as backward_query, one block per model (the three steps depend on each other):
//   dKq[k, h] = sum_r X[r, k] dS[r, h]            lanes along k (X's contiguous index), every head in registers
//                                                 (QUERY_HEADS per pass), the rows split over G = 8 / ceil(d/32) row
//                                                 groups of warps whose partial sums are added in group order
//   dq[c]     = scale sum_k W_K[h, k, j] dKq[k, h]  lanes along j (W_K's contiguous index), k split over G groups
//                                                 of the threads, partial sums added in group order
//   db_out[k] = sum_v W_U[k, v] sums[M + v]        a warp per k: lanes along v, then jgrok_warp_sum
//   dxEq[k]   = sum_m W_in[k, m] sums[m] + db_out[k] + sum_c W_Q[h, k, j] dq[c]   the same warp per k, lanes along m and
//                                                 along c = h * d_head + j
// Launch: exactly 256 threads, grid (1, 1, N), dynamic shared memory (G * d * H + d * H + G * d + d) floats with
// G = max(1, 8 / ceil(d / 32)) (ModelPasses.backwardQuery).
// Why: backward_query's last step gives each thread a whole row of W_in (512 floats: lanes 2 KB apart, 32 cache lines
// per warp load) and only d = 128 of 256 threads work in its last two steps. Sums are in a fixed order, so
// bit-reproducible; they differ from backward_query's in the last bits.
#include "model_common.cuh"
#include "warp_sum.cuh"

namespace jgrok_query {
constexpr int WARPS = 8;
constexpr int QUERY_HEADS = 8;  // heads per pass over the rows (registers)
}  // namespace jgrok_query

extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) backward_query_warp(
        const float* params, const int* layout, const float* X, const float* dS, const float* sums, float* dKq,
        float* dq, float* dxEq, float* dbOut, long long modelStride, int p, int d, int H, int M, int V, float scale) {
    using jgrok_query::QUERY_HEADS;
    using jgrok_query::WARPS;
    params = model_ptr(params, modelStride);
    layout = model_ptr(layout, modelStride);
    X = model_ptr(X, modelStride);
    dS = model_ptr(dS, modelStride);
    sums = model_ptr(sums, modelStride);
    dKq = model_ptr(dKq, modelStride);
    dq = model_ptr(dq, modelStride);
    dxEq = model_ptr(dxEq, modelStride);
    dbOut = model_ptr(dbOut, modelStride);
    const int strips = (d + 31) / 32;              // 32-wide column strips of d
    const int groups = max(1, WARPS / strips);     // row groups (dKq) and k groups (dq)
    JGROK_DYNAMIC_SHARED(float, shared);
    float* dkqPart = shared;                       // [groups][d * H]
    float* dkqs = dkqPart + groups * d * H;        // [d * H], as dKq: [k * H + h]
    float* dqPart = dkqs + d * H;                  // [groups][d]
    float* dqs = dqPart + groups * d;              // [d] = [H, d_head]
    const int rows = 2 * p + 1;
    const int dh = d / H;
    const float* WQ = params + layout[LAYOUT_WQ];
    const float* WK = params + layout[LAYOUT_WK];
    const float* Win = params + layout[LAYOUT_WIN];
    const float* WU = params + layout[LAYOUT_WU];
    const int lane = jgrok_lane();
    const int warp = jgrok_warp();

    // dKq: warp (strip, group) for strip = warp % strips, group = warp / strips; strips beyond the 8 warps loop.
    for (int item = warp; item < strips * groups; item += WARPS) {
        const int strip = item % strips;
        const int group = item / strips;
        const int k = strip * 32 + lane;
        for (int h0 = 0; h0 < H; h0 += QUERY_HEADS) {
            const int nh = min(QUERY_HEADS, H - h0);
            float acc[QUERY_HEADS];
JGROK_UNROLL
            for (int hh = 0; hh < QUERY_HEADS; ++hh) {
                acc[hh] = 0.0f;
            }
            if (k < d) {
                for (int r = group; r < rows; r += groups) {
                    const float x = X[(long long)r * d + k];
                    const float* ds = dS + r * H + h0;
JGROK_UNROLL
                    for (int hh = 0; hh < QUERY_HEADS; ++hh) {
                        if (hh < nh) {
                            acc[hh] += x * ds[hh];
                        }
                    }
                }
                for (int hh = 0; hh < nh; ++hh) {
                    dkqPart[group * d * H + k * H + h0 + hh] = acc[hh];
                }
            }
        }
    }
    __syncthreads();
    for (int e = threadIdx.x; e < d * H; e += blockDim.x) {
        float s = 0.0f;
        for (int g = 0; g < groups; ++g) {
            s += dkqPart[g * d * H + e];
        }
        dkqs[e] = s;
        dKq[e] = s;
    }
    __syncthreads();
    // dq: thread (c, group), c along the contiguous j of W_K[h, k, j]; group g takes k = g, g + groups, ...
    for (int item = threadIdx.x; item < strips * 32 * groups; item += blockDim.x) {
        const int c = item % (strips * 32);
        const int group = item / (strips * 32);
        if (c < d) {
            const int h = c / dh;
            const int j = c % dh;
            float s = 0.0f;
            for (int k = group; k < d; k += groups) {
                s += WK[((long long)h * d + k) * dh + j] * dkqs[k * H + h];
            }
            dqPart[group * d + c] = s;
        }
    }
    __syncthreads();
    for (int c = threadIdx.x; c < d; c += blockDim.x) {
        float s = 0.0f;
        for (int g = 0; g < groups; ++g) {
            s += dqPart[g * d + c];
        }
        dqs[c] = scale * s;
        dq[c] = scale * s;
    }
    __syncthreads();
    // db_out and dxEq: a warp per k, lanes along the contiguous index of each row read.
    for (int k = warp; k < d; k += WARPS) {
        float sIn = 0.0f;
        for (int m = lane; m < M; m += 32) {
            sIn += Win[(long long)k * M + m] * sums[m];
        }
        float sU = 0.0f;
        for (int v = lane; v < V; v += 32) {
            sU += WU[(long long)k * V + v] * sums[M + v];
        }
        float sQ = 0.0f;
        for (int c = lane; c < d; c += 32) {
            sQ += WQ[((long long)(c / dh) * d + k) * dh + c % dh] * dqs[c];
        }
        const float sInQ = jgrok_warp_sum(sIn + sQ);  // two butterflies, not three: db_out needs sU alone
        sU = jgrok_warp_sum(sU);
        if (lane == 0) {
            dbOut[k] = sU;
            dxEq[k] = sInQ + sU;
        }
    }
}
JGROK_REGISTER_KERNEL(backward_query_warp);
