// tables.cu: the per-token tables of one epoch (the CPU engine's CpuModel.prepare, on the device).
//
// The loss reads only the '=' position, and the keys and values at positions 0 and 1 depend on one token each, so
// everything that depends on a single token is computed once per epoch. A "row" r is token a at position 0
// (r = a), token b at position 1 (r = p + b) or '=' at position 2 (r = 2p); a "slot" is a row and a head,
// s = r * H + h; W = d_mlp + n_outputs is the width of the combined MLP-input | logit tables:
//
//   X[r]     = W_E[token] + W_pos[pos]                     (tables_inputs)
//   WVcat    = W_V as one [d, H * d_head] matrix            (tables_inputs; V = X WVcat is then a single product)
//   WinU     = [W_in | W_U], [d, W]                         (tables_inputs; one product builds both factored tables)
//   q_h      = X[2p] W_Q[h];  kq_h = W_K[h] q_h / sqrt(d_head);  S[r, h] = X[r] . kq_h    (tables_attention)
//   V        = X WVcat;  WOX[h] = W_O[h] WinU;  WOU = W_out W_U;  T[s] = V[r, h] WOX[h]   (gemm.cu)
//   cb       = [X[2p] W_in + b_in | (X[2p] + b_out) W_U] + sum_h T[2p, h]                (tables_fold)
//   T[r, h] -= T[2p, h] for r < 2p                                                         (tables_fold)
//
// The last two fold the '=' position into the constants: its attention weight is 1 - alpha_0 - alpha_1, so per
// example only 2H table rows (8 at the paper's size) are gathered. Every kernel is batched over models (blockIdx.z,
// model_common.cuh).
#include "model_common.cuh"

// Launch: 256 threads, grid (ceil((rows*d + d*d + d*W) / 256), 1, N); one output element per thread.
// Why: three small copies with index arithmetic, memory-bound and tiny (0.2 M elements at the paper's size); one
// launch instead of three saves two graph nodes.
extern "C" __global__ void __launch_bounds__(256) tables_inputs(const float* params, const int* layout, float* X,
                                                                float* WVcat, float* WinU, long long modelStride,
                                                                int p, int d, int H, int M, int V) {
    params = model_ptr(params, modelStride);
    layout = model_ptr(layout, modelStride);
    X = model_ptr(X, modelStride);
    WVcat = model_ptr(WVcat, modelStride);
    WinU = model_ptr(WinU, modelStride);
    const int rows = 2 * p + 1;
    const int dh = d / H;
    const int W = M + V;
    const long long nX = (long long)rows * d;
    const long long nV = (long long)d * d;
    const long long nU = (long long)d * W;
    long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x;
    if (e < nX) {
        const int r = (int)(e / d);
        const int j = (int)(e % d);
        const int token = r < p ? r : (r < 2 * p ? r - p : p);
        const int pos = r < p ? 0 : (r < 2 * p ? 1 : 2);
        X[e] = params[layout[LAYOUT_WE] + (long long)token * d + j] + params[layout[LAYOUT_WPOS] + pos * d + j];
        return;
    }
    e -= nX;
    if (e < nV) {
        const int k = (int)(e / d);
        const int c = (int)(e % d);
        const int h = c / dh;
        const int j = c % dh;
        WVcat[e] = params[layout[LAYOUT_WV] + ((long long)h * d + k) * dh + j];
        return;
    }
    e -= nV;
    if (e < nU) {
        const int k = (int)(e / W);
        const int w = (int)(e % W);
        WinU[e] = w < M ? params[layout[LAYOUT_WIN] + (long long)k * M + w]
                        : params[layout[LAYOUT_WU] + (long long)k * V + (w - M)];
    }
}
JGROK_REGISTER_KERNEL(tables_inputs);

// q [H * d_head], kq [d, H] (block 0 writes both; scale = 1/sqrt(d_head) rounded to float32 by the host, as the
// CPU engine rounds it) and the scores S [rows, H] of rowsPerBlock rows per block.
// Launch: 256 threads, grid (ceil(rows / rowsPerBlock), 1, N), dynamic shared memory (2d + d*H) floats.
// Why: q and kq are 2 * d^2 multiply-adds (32 K at the paper's size), cheaper to recompute in every block than to
// give their own launch and graph node; the scores (rows * H dot products of length d) then spread over the blocks.
// __launch_bounds__(256, 4): added when the first (fmaf) version spilled on sm_90 at a bare 256; the current code
// needs 32 registers and no spill either way (rechecked), and the bound costs nothing: the kernel never has more
// than 4 blocks per SM to place.
extern "C" __global__ void __launch_bounds__(256, 4) tables_attention(const float* params, const int* layout,
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
    float* xeq = shared;        // [d]
    float* qs = shared + d;     // [d] = [H, d_head]
    float* kqs = shared + 2 * d;  // [d, H]
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
    for (int e = t; e < d * H; e += blockDim.x) {
        const int h = e % H;
        const float* wk = WK + ((long long)h * d + e / H) * dh;  // W_K[h, k, 0..dh)
        float s = 0.0f;
        for (int j = 0; j < dh; ++j) {
            s += wk[j] * qs[h * dh + j];
        }
        kqs[e] = scale * s;
        if (blockIdx.x == 0) {
            kq[e] = scale * s;
        }
    }
    __syncthreads();
    const int r0 = blockIdx.x * rowsPerBlock;
    for (int e = t; e < rowsPerBlock * H; e += blockDim.x) {
        const int r = r0 + e / H;
        const int h = e % H;
        if (r < rows) {
            float s = 0.0f;
            for (int k = 0; k < d; ++k) {
                s += X[(long long)r * d + k] * kqs[k * H + h];
            }
            S[r * H + h] = s;
        }
    }
}
JGROK_REGISTER_KERNEL(tables_attention);

// Folds the '=' position into the constants. blockIdx.y == 0: cb[w] for this block's 256 columns w of W;
// blockIdx.y = 1 + g: T[r, h, w] -= T[2p, h, w] for rows r of group g (rowsPerGroup rows), every head.
// Launch: 256 threads, grid (ceil(W / 256), 1 + ceil(2p / rowsPerGroup), N).
// Why: the subtraction is 2p * H * W elementwise updates (0.57 M at the paper's size), spread over blocks; the '='
// rows are only read, so the blocks need no ordering. cb's d-long dot products per column ride along in row 0.
extern "C" __global__ void __launch_bounds__(256) tables_fold(const float* params, const int* layout,
                                                              const float* X, const float* WinU, float* T, float* cb,
                                                              long long modelStride, int p, int d, int H, int M,
                                                              int V, int rowsPerGroup) {
    params = model_ptr(params, modelStride);
    layout = model_ptr(layout, modelStride);
    X = model_ptr(X, modelStride);
    WinU = model_ptr(WinU, modelStride);
    T = model_ptr(T, modelStride);
    cb = model_ptr(cb, modelStride);
    const int W = M + V;
    const int eq = 2 * p;
    const int w = blockIdx.x * blockDim.x + threadIdx.x;
    if (w >= W) {
        return;
    }
    const float* Teq = T + (long long)eq * H * W;
    if (blockIdx.y == 0) {
        const float* xeq = X + (long long)eq * d;
        float s = 0.0f;
        if (w < M) {
            s = params[layout[LAYOUT_BIN] + w];
            for (int k = 0; k < d; ++k) {
                s += xeq[k] * WinU[(long long)k * W + w];
            }
        } else {
            const float* bOut = params + layout[LAYOUT_BOUT];
            for (int k = 0; k < d; ++k) {
                s += (xeq[k] + bOut[k]) * WinU[(long long)k * W + w];
            }
        }
        for (int h = 0; h < H; ++h) {
            s += Teq[(long long)h * W + w];
        }
        cb[w] = s;
        return;
    }
    const int rBegin = (blockIdx.y - 1) * rowsPerGroup;
    const int rEnd = min(eq, rBegin + rowsPerGroup);
    for (int r = rBegin; r < rEnd; ++r) {
        for (int h = 0; h < H; ++h) {
            T[((long long)r * H + h) * W + w] -= Teq[(long long)h * W + w];
        }
    }
}
JGROK_REGISTER_KERNEL(tables_fold);
