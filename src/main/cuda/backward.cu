// backward.cu: the backward pass from dlogits to the flat gradient buffer (CpuModel.backwardBlock/backwardTables).
//
// The train rows' gradients d[i] = [dpre_i | dlogits_i] (width W; dpre from gemm_nt_mask) are first gathered into
// gradients of the per-token tables, then pulled back to the weights:
//
//   ds[i, h, 0..2]  = softmax backward of the attention weights, from gm_k = d[i] . T[slot_k]   (backward_scores)
//   dT[r, h]        = sum over the train rows whose token is r of alpha_pos(i, h) d[i]   (backward_scatter, r < 2p)
//   dS[r, h]        = sum of ds[i, h, pos] over the same rows; dS[2p, h] = sum over all rows  (backward_scatter)
//   dT[2p, h]       = sum_i alpha_2(i, h) d[i]; sums = sum_i d[i] = [sum dpre | sum dlogits]
//                                                               (column_sums partials + splitk_reduce)
//   dKq, dq, dxEq, db_out                                                                       (backward_query)
//   grad W_E, W_pos from dX = dXv + dS kq^T (+ dxEq at '=')                                     (backward_embed)
//   every other gradient element, the alignment gaps included                                  (backward_assemble)
//
// The weight products in between (dWOU, dWOX, dV, dW_O, dWinU, dW_out, the W_U part, dWVcat, dXv) are gemm.cu
// launches. No float atomics anywhere: every sum has one owner thread or a fixed-order tree, so two runs agree bit
// for bit. Every kernel is batched over models (blockIdx.z, model_common.cuh).
#include "model_common.cuh"

namespace jgrok_backward {
constexpr int DOT_LANES = 8;
}  // namespace jgrok_backward

// Per train row i, per head h: ds[i, h] = (a0 (g0 - w), a1 (g1 - w), -a2 w) with w = a0 g0 + a1 g1 and
// g0 = d[i] . T[a, h], g1 = d[i] . T[p + b, h] (the folded tables: alpha_2's share is zero there).
// Launch: 256 threads = 32 groups of 8 lanes, grid (ceil(nTrain / examplesPerBlock), 1, N), dynamic shared memory
// examplesPerBlock * 2H floats. Each group computes dot products of length W (8 lanes, a width-8 butterfly); then
// one thread per (example, head) forms ds.
// Why: 2H dot products of 626 per example are too short for a block each and too long for a thread each; groups of 8
// read 32-byte sectors and need three shuffle rounds (the emulated device pays per shuffle).
extern "C" __global__ void __launch_bounds__(256) backward_scores(const int* examples, const float* alpha,
                                                                  const float* T, const float* dact, float* ds,
                                                                  long long modelStride, int nTrain, int p, int H,
                                                                  int W, int examplesPerBlock) {
    using jgrok_backward::DOT_LANES;
    examples = model_ptr(examples, modelStride);
    alpha = model_ptr(alpha, modelStride);
    T = model_ptr(T, modelStride);
    dact = model_ptr(dact, modelStride);
    ds = model_ptr(ds, modelStride);
    JGROK_DYNAMIC_SHARED(float, gm);  // [E, 2H]
    const int E = examplesPerBlock;
    const int first = blockIdx.x * E;
    const int groups = blockDim.x / DOT_LANES;
    const int group = threadIdx.x / DOT_LANES;
    const int lane = threadIdx.x % DOT_LANES;
    const int dots = E * 2 * H;
    for (int base = 0; base < dots; base += groups) {  // the same trip count for every thread: full-warp shuffles
        const int dot = base + group;
        const int e = dot / (2 * H);
        const int k = dot % (2 * H);
        const int i = first + e;
        const bool valid = dot < dots && i < nTrain;
        float s = 0.0f;
        if (valid) {
            const int idx = examples[i];
            const int r = k < H ? idx / p : p + idx % p;
            const float* t = T + ((long long)r * H + (k % H)) * W;
            const float* g = dact + (long long)i * W;
            for (int w = lane; w < W; w += DOT_LANES) {
                s += g[w] * t[w];
            }
        }
        for (int off = DOT_LANES / 2; off > 0; off >>= 1) {
            s += __shfl_xor_sync(JGROK_FULL_MASK, s, off, DOT_LANES);
        }
        if (valid && lane == 0) {
            gm[dot] = s;
        }
    }
    __syncthreads();
    for (int e2 = threadIdx.x; e2 < E * H; e2 += blockDim.x) {
        const int e = e2 / H;
        const int h = e2 % H;
        const int i = first + e;
        if (i < nTrain) {
            const float* a = alpha + ((long long)i * H + h) * 3;
            const float g0 = gm[e * 2 * H + h];
            const float g1 = gm[e * 2 * H + H + h];
            const float weighted = a[0] * g0 + a[1] * g1;
            float* out = ds + ((long long)i * H + h) * 3;
            out[0] = a[0] * (g0 - weighted);
            out[1] = a[1] * (g1 - weighted);
            out[2] = -a[2] * weighted;
        }
    }
}
JGROK_REGISTER_KERNEL(backward_scores);

// Block r < 2p: dT[r, h, w] = sum over the rows i of token list r (CSR: items[rowStart[r] .. rowStart[r+1]), in that
// order) of alpha[i, h, pos] * dact[i, w], pos = 0 for a-rows (r < p), 1 for b-rows; dS[r, h] = sum of ds[i, h, pos].
// Block 2p: dS[2p, h] = sum over all train rows of ds[i, h, 2] (strided partial sums, then a tree).
// Launch: exactly 256 threads, grid (2p + 1, 1, N).
// Why: a scatter of every example into its two token rows would need float atomics (order-dependent sums); the
// host builds, once, the list of train rows per token, and one block per token row then owns its outputs and sums
// them in list order: deterministic, and each block's ~34 rows (at the paper's size) of d stay in L1.
extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) backward_scatter(const float* alpha, const float* dact,
                                                                           const float* ds, const int* rowStart,
                                                                           const int* items, float* dT, float* dS,
                                                                           long long modelStride, int nTrain, int p,
                                                                           int H, int W) {
    alpha = model_ptr(alpha, modelStride);
    dact = model_ptr(dact, modelStride);
    ds = model_ptr(ds, modelStride);
    rowStart = model_ptr(rowStart, modelStride);
    items = model_ptr(items, modelStride);
    dT = model_ptr(dT, modelStride);
    dS = model_ptr(dS, modelStride);
    const int r = blockIdx.x;
    if (r == 2 * p) {
        __shared__ float partial[256];
        for (int h = 0; h < H; ++h) {
            float s = 0.0f;
            for (int i = threadIdx.x; i < nTrain; i += blockDim.x) {
                s += ds[((long long)i * H + h) * 3 + 2];
            }
            partial[threadIdx.x] = s;
            __syncthreads();
            for (int stride = 128; stride > 0; stride >>= 1) {
                if ((int)threadIdx.x < stride) {
                    partial[threadIdx.x] += partial[threadIdx.x + stride];
                }
                __syncthreads();
            }
            if (threadIdx.x == 0) {
                dS[2 * p * H + h] = partial[0];
            }
            __syncthreads();  // partial[0] is read before the next head overwrites it
        }
        return;
    }
    const int pos = r < p ? 0 : 1;
    const int begin = rowStart[r];
    const int end = rowStart[r + 1];
    for (int h = 0; h < H; ++h) {
        float* out = dT + ((long long)r * H + h) * W;
        for (int w = threadIdx.x; w < W; w += blockDim.x) {
            float s = 0.0f;
            for (int k = begin; k < end; ++k) {
                const int i = items[k];
                s += alpha[((long long)i * H + h) * 3 + pos] * dact[(long long)i * W + w];
            }
            out[w] = s;
        }
    }
    for (int h = threadIdx.x; h < H; h += blockDim.x) {
        float s = 0.0f;
        for (int k = begin; k < end; ++k) {
            s += ds[((long long)items[k] * H + h) * 3 + pos];
        }
        dS[r * H + h] = s;
    }
}
JGROK_REGISTER_KERNEL(backward_scatter);

// Split-K partials of the weighted column sums over the train rows: for split s (rows [s*rowsPerSplit, ...)),
// part[s][h][w] = sum_i alpha[i, h, 2] * dact[i, w] for h < H, and part[s][H][w] = sum_i dact[i, w].
// splitk_reduce then sums the splits into dT's '=' rows and the row after them (sums = [sum dpre | sum dlogits]).
// Launch: 256 threads, grid (ceil(W / 256), splits, N); one thread per column and split, rows in order.
// Why: these H + 1 rows of outputs over 3830 rows would waste 59 of a GEMM tile's 64 rows; a column per thread reads
// whole rows coalesced, has no barriers at all, and the fixed split layout keeps the sum deterministic.
extern "C" __global__ void __launch_bounds__(256) column_sums(const float* alpha, const float* dact, float* part,
                                                              long long modelStride, int nTrain, int H, int W,
                                                              int rowsPerSplit) {
    alpha = model_ptr(alpha, modelStride);
    dact = model_ptr(dact, modelStride);
    part = model_ptr(part, modelStride);
    const int w = blockIdx.x * blockDim.x + threadIdx.x;
    if (w >= W) {
        return;
    }
    const int begin = blockIdx.y * rowsPerSplit;
    const int end = min(nTrain, begin + rowsPerSplit);
    float* out = part + (long long)blockIdx.y * (H + 1) * W;
    for (int h = 0; h < H; ++h) {
        float s = 0.0f;
        for (int i = begin; i < end; ++i) {
            s += alpha[((long long)i * H + h) * 3 + 2] * dact[(long long)i * W + w];
        }
        out[(long long)h * W + w] = s;
    }
    float s = 0.0f;
    for (int i = begin; i < end; ++i) {
        s += dact[(long long)i * W + w];
    }
    out[(long long)H * W + w] = s;
}
JGROK_REGISTER_KERNEL(column_sums);

// The query side, one block per model: dKq = X^T dS [d, H]; dq[h] = scale W_K[h]^T dKq[:, h] (scale = 1/sqrt(d_head));
// db_out = W_U sums[M..W); dxEq = W_in sums[0..M) + db_out + sum_h W_Q[h] dq[h] (the gradient reaching X[2p]).
// Launch: 256 threads, grid (1, 1, N), dynamic shared memory (d*H + d) floats.
// Why: three dependent steps of about 0.1 M multiply-adds in all; one block keeps the dependencies inside one
// launch (barriers) rather than three graph nodes. It is latency-bound on a GPU (a few microseconds).
extern "C" __global__ void __launch_bounds__(256) backward_query(const float* params, const int* layout,
                                                                 const float* X, const float* dS, const float* sums,
                                                                 float* dKq, float* dq, float* dxEq, float* dbOut,
                                                                 long long modelStride, int p, int d, int H, int M,
                                                                 int V, float scale) {
    params = model_ptr(params, modelStride);
    layout = model_ptr(layout, modelStride);
    X = model_ptr(X, modelStride);
    dS = model_ptr(dS, modelStride);
    sums = model_ptr(sums, modelStride);
    dKq = model_ptr(dKq, modelStride);
    dq = model_ptr(dq, modelStride);
    dxEq = model_ptr(dxEq, modelStride);
    dbOut = model_ptr(dbOut, modelStride);
    JGROK_DYNAMIC_SHARED(float, shared);
    float* dkqs = shared;         // [d, H]
    float* dqs = shared + d * H;  // [d] = [H, d_head]
    const int rows = 2 * p + 1;
    const int dh = d / H;
    const float* WQ = params + layout[LAYOUT_WQ];
    const float* WK = params + layout[LAYOUT_WK];
    const float* Win = params + layout[LAYOUT_WIN];
    const float* WU = params + layout[LAYOUT_WU];
    const int t = threadIdx.x;
    for (int e = t; e < d * H; e += blockDim.x) {
        const int k = e / H;
        const int h = e % H;
        float s = 0.0f;
        for (int r = 0; r < rows; ++r) {
            s += X[(long long)r * d + k] * dS[r * H + h];
        }
        dkqs[e] = s;
        dKq[e] = s;
    }
    __syncthreads();
    for (int c = t; c < d; c += blockDim.x) {
        const int h = c / dh;
        const int j = c % dh;
        float s = 0.0f;
        for (int k = 0; k < d; ++k) {
            s += WK[((long long)h * d + k) * dh + j] * dkqs[k * H + h];
        }
        dqs[c] = scale * s;
        dq[c] = scale * s;
    }
    __syncthreads();
    for (int k = t; k < d; k += blockDim.x) {
        float sIn = 0.0f;
        for (int m = 0; m < M; ++m) {
            sIn += Win[(long long)k * M + m] * sums[m];
        }
        float sU = 0.0f;
        for (int v = 0; v < V; ++v) {
            sU += WU[(long long)k * V + v] * sums[M + v];
        }
        float sQ = 0.0f;
        for (int c = 0; c < d; ++c) {
            sQ += WQ[((long long)(c / dh) * d + k) * dh + c % dh] * dqs[c];
        }
        dbOut[k] = sU;
        dxEq[k] = sIn + sU + sQ;
    }
}
JGROK_REGISTER_KERNEL(backward_query);

// grad W_E and W_pos from dX[r, j] = dXv[r, j] + sum_h dS[r, h] kq[j, h] (+ dxEq[j] at r = 2p):
// W_E[t] = dX[t] + dX[p + t] (t < p), W_E[p] = W_pos[2] = dX[2p], W_pos[0] = sum_t dX[t], W_pos[1] = sum_t dX[p + t].
// Launch: exactly 256 threads = 32 columns x 8 row groups, grid (ceil(d / 32), 1, N).
// Why: the column sums over p tokens for W_pos would be a 113-long serial loop per column; 8 row groups per column
// shorten it eightfold and combine through shared memory in a fixed order.
extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) backward_embed(const float* dXv, const float* dS,
                                                                         const float* kq, const float* dxEq,
                                                                         const int* layout, float* grad,
                                                                         long long modelStride, int p, int d, int H) {
    dXv = model_ptr(dXv, modelStride);
    dS = model_ptr(dS, modelStride);
    kq = model_ptr(kq, modelStride);
    dxEq = model_ptr(dxEq, modelStride);
    layout = model_ptr(layout, modelStride);
    grad = model_ptr(grad, modelStride);
    __shared__ float sums0[8][32];
    __shared__ float sums1[8][32];
    const int tx = threadIdx.x % 32;
    const int ty = threadIdx.x / 32;
    const int j = blockIdx.x * 32 + tx;
    const bool valid = j < d;
    float* gE = grad + layout[LAYOUT_WE];
    float* gPos = grad + layout[LAYOUT_WPOS];
    float acc0 = 0.0f;
    float acc1 = 0.0f;
    if (valid) {
        for (int t = ty; t < p; t += 8) {
            float x0 = dXv[(long long)t * d + j];
            float x1 = dXv[(long long)(p + t) * d + j];
            for (int h = 0; h < H; ++h) {
                x0 += dS[t * H + h] * kq[j * H + h];
                x1 += dS[(p + t) * H + h] * kq[j * H + h];
            }
            gE[(long long)t * d + j] = x0 + x1;
            acc0 += x0;
            acc1 += x1;
        }
    }
    sums0[ty][tx] = acc0;
    sums1[ty][tx] = acc1;
    __syncthreads();
    if (ty == 0 && valid) {
        float s0 = 0.0f;
        float s1 = 0.0f;
        for (int g = 0; g < 8; ++g) {
            s0 += sums0[g][tx];
            s1 += sums1[g][tx];
        }
        gPos[j] = s0;
        gPos[d + j] = s1;
        float xe = dXv[(long long)2 * p * d + j];
        for (int h = 0; h < H; ++h) {
            xe += dS[2 * p * H + h] * kq[j * H + h];
        }
        xe += dxEq[j];
        gE[(long long)p * d + j] = xe;
        gPos[2 * d + j] = xe;
    }
}
JGROK_REGISTER_KERNEL(backward_embed);

// Every gradient element outside W_E and W_pos (which backward_embed writes), gaps between tensors included (0):
//   W_Q[h,k,j] = X[2p,k] dq[h,j]      W_K[h,k,j] = dKq[k,h] q[h,j] / sqrt(d_head)     W_V = dWVcat, unpermuted
//   W_O = dWO                         W_in[k,m] = dWinU[k,m] + X[2p,k] sums[m]        b_in = sums[0..M)
//   W_out = dWout                     b_out = dbOut
//   W_U[k,v] = dWinU[k, M+v] + dWU2[k,v] + (X[2p,k] + b_out[k]) sums[M+v]
// Launch: 256 threads, grid (ceil(P / 256), 1, N); one element per thread.
// Why: the rank-one terms and the copies out of the combined tables are cheapest as one pass that writes each
// element exactly once (0.23 M elements), which also makes an unwritten element impossible.
extern "C" __global__ void __launch_bounds__(256) backward_assemble(
        const float* params, const int* layout, const float* X, const float* q, const float* dKq, const float* dq,
        const float* dWVcat, const float* dWO, const float* dWinU, const float* dWout, const float* dWU2,
        const float* dbOut, const float* sums, float* grad, long long modelStride, int p, int d, int H, int M, int V,
        float scale) {
    params = model_ptr(params, modelStride);
    layout = model_ptr(layout, modelStride);
    X = model_ptr(X, modelStride);
    q = model_ptr(q, modelStride);
    dKq = model_ptr(dKq, modelStride);
    dq = model_ptr(dq, modelStride);
    dWVcat = model_ptr(dWVcat, modelStride);
    dWO = model_ptr(dWO, modelStride);
    dWinU = model_ptr(dWinU, modelStride);
    dWout = model_ptr(dWout, modelStride);
    dWU2 = model_ptr(dWU2, modelStride);
    dbOut = model_ptr(dbOut, modelStride);
    sums = model_ptr(sums, modelStride);
    grad = model_ptr(grad, modelStride);
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= layout[LAYOUT_SIZE]) {
        return;
    }
    const int dh = d / H;
    const int W = M + V;
    const float* xeq = X + (long long)2 * p * d;
    const int wE = layout[LAYOUT_WE];
    const int wPos = layout[LAYOUT_WPOS];
    if ((i >= wE && i < wE + (p + 1) * d) || (i >= wPos && i < wPos + 3 * d)) {
        return;  // backward_embed
    }
    int off;
    float g = 0.0f;  // alignment gaps
    if ((off = i - layout[LAYOUT_WQ]) >= 0 && off < d * d) {
        const int h = off / (d * dh);
        const int k = (off / dh) % d;
        g = xeq[k] * dq[h * dh + off % dh];
    } else if ((off = i - layout[LAYOUT_WK]) >= 0 && off < d * d) {
        const int h = off / (d * dh);
        const int k = (off / dh) % d;
            g = scale * dKq[k * H + h] * q[h * dh + off % dh];
    } else if ((off = i - layout[LAYOUT_WV]) >= 0 && off < d * d) {
        const int h = off / (d * dh);
        const int k = (off / dh) % d;
        g = dWVcat[(long long)k * d + h * dh + off % dh];
    } else if ((off = i - layout[LAYOUT_WO]) >= 0 && off < d * d) {
        g = dWO[off];
    } else if ((off = i - layout[LAYOUT_WIN]) >= 0 && off < d * M) {
        const int k = off / M;
        const int m = off % M;
        g = dWinU[(long long)k * W + m] + xeq[k] * sums[m];
    } else if ((off = i - layout[LAYOUT_BIN]) >= 0 && off < M) {
        g = sums[off];
    } else if ((off = i - layout[LAYOUT_WOUT]) >= 0 && off < M * d) {
        g = dWout[off];
    } else if ((off = i - layout[LAYOUT_BOUT]) >= 0 && off < d) {
        g = dbOut[off];
    } else if ((off = i - layout[LAYOUT_WU]) >= 0 && off < d * V) {
        const int k = off / V;
        const int v = off % V;
        const float bOut = params[layout[LAYOUT_BOUT] + k];
        g = dWinU[(long long)k * W + M + v] + dWU2[off] + (xeq[k] + bOut) * sums[M + v];
    }
    grad[i] = g;
}
JGROK_REGISTER_KERNEL(backward_assemble);
