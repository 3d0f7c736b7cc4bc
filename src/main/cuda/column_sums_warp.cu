// column_sums_warp.cu: column_sums (backward.cu) with the rows of each split spread over the block's 8 warps, the
// version to measure against it on a GPU (src/main/cuda/NOTES.md; selected with JGROK_KERNELS=column_sums=warp).
//
// Same output as column_sums, the split-K partials that splitk_reduce then sums in split order: for split s (rows
// [s*rowsPerSplit, ...)), part[s][h][w] = sum_i alpha[i, h, 2] * dact[i, w] for h < H, and part[s][H][w] =
// sum_i dact[i, w].
// Launch: exactly 256 threads = 32 columns (lanes) x 8 row groups (warps), grid (ceil(W / 32), splits, N).
// Thread (lane, g) sums rows g, g + 8, ... of the split for column 32 * blockIdx.x + lane, every head at once (a
// register per head, COLUMN_SUMS_HEADS heads per pass over the rows), reading each dact element once; warp 0 then adds
// the 8 row groups' partial sums in group order.
// Why: column_sums has 45 blocks at the paper's size and each thread makes (H + 1) x 256 = 1,280 dependent loads
// (latency-bound, ~20-40 us expected); here 300 blocks, each thread 32 rows x (1 + H) loads with every warp load one
// 128-byte line of dact (the alpha values are the same for all lanes: one broadcast). The sums are in a fixed order,
// so bit-reproducible; they differ from column_sums' in the last bits (8 interleaved partial sums per split).
#include "model_common.cuh"

namespace jgrok_column_sums {
constexpr int GROUPS = 8;           // warps of a block, one row group each
constexpr int COLUMN_SUMS_HEADS = 8;  // heads per pass over the rows (registers)
}  // namespace jgrok_column_sums

extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) column_sums_warp(const float* alpha, const float* dact,
                                                                            float* part, long long modelStride,
                                                                            int nTrain, int H, int W,
                                                                            int rowsPerSplit) {
    using jgrok_column_sums::COLUMN_SUMS_HEADS;
    using jgrok_column_sums::GROUPS;
    alpha = model_ptr(alpha, modelStride);
    dact = model_ptr(dact, modelStride);
    part = model_ptr(part, modelStride);
    __shared__ float partial[GROUPS][COLUMN_SUMS_HEADS + 1][32];
    const int lane = threadIdx.x % 32;
    const int g = threadIdx.x / 32;
    const int w = blockIdx.x * 32 + lane;
    const bool valid = w < W;  // no early return: the barriers below need every thread
    const int begin = blockIdx.y * rowsPerSplit;
    const int end = min(nTrain, begin + rowsPerSplit);
    float* out = part + (long long)blockIdx.y * (H + 1) * W;
    for (int h0 = 0; h0 < H; h0 += COLUMN_SUMS_HEADS) {
        const int nh = min(COLUMN_SUMS_HEADS, H - h0);
        float acc[COLUMN_SUMS_HEADS];
JGROK_UNROLL
        for (int hh = 0; hh < COLUMN_SUMS_HEADS; ++hh) {
            acc[hh] = 0.0f;
        }
        float plain = 0.0f;
        for (int i = begin + g; i < end; i += GROUPS) {
            const float x = valid ? dact[(long long)i * W + w] : 0.0f;
            const float* a = alpha + ((long long)i * H + h0) * 3 + 2;
JGROK_UNROLL
            for (int hh = 0; hh < COLUMN_SUMS_HEADS; ++hh) {
                if (hh < nh) {
                    acc[hh] += a[3 * hh] * x;
                }
            }
            plain += x;
        }
JGROK_UNROLL
        for (int hh = 0; hh < COLUMN_SUMS_HEADS; ++hh) {
            partial[g][hh][lane] = acc[hh];
        }
        partial[g][COLUMN_SUMS_HEADS][lane] = plain;
        __syncthreads();
        if (g == 0 && valid) {
            for (int hh = 0; hh < nh; ++hh) {
                float s = 0.0f;
                for (int k = 0; k < GROUPS; ++k) {
                    s += partial[k][hh][lane];
                }
                out[(long long)(h0 + hh) * W + w] = s;
            }
            if (h0 == 0) {
                float s = 0.0f;
                for (int k = 0; k < GROUPS; ++k) {
                    s += partial[k][COLUMN_SUMS_HEADS][lane];
                }
                out[(long long)H * W + w] = s;
            }
        }
        __syncthreads();  // partial is rewritten by the next pass
    }
}
JGROK_REGISTER_KERNEL(column_sums_warp);
