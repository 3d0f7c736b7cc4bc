// forward.cu: the per-example forward pass at the '=' position, the float64 cross-entropy, and the loss sums.
//
//   alpha[i, h, 0..2] = softmax(S[a, h], S[p + b, h], S[2p, h])                          (forward_gather)
//   pre[i]            = cb[0..M) + sum_h alpha_0 T[a, h][0..M) + alpha_1 T[p+b, h][0..M)   (forward_gather)
//   logits[i]         = cb[M..W) + the same sums over [M..W)      (+ relu(pre) WOU: gemm_nn_relu_a, gemm.cu)
//   loss[i], correct[i], dlogits[i] = float64 log-softmax cross-entropy of logits[i]       (cross_entropy)
//                       or StableMax cross-entropy                          (cross_entropy_stablemax)
//   collapsed[i]      = whether the softmax of logits[i] has collapsed, float32 / float64  (both)
//   ring[counter]     = mean loss and accuracy of the train and test rows, collapse fractions (loss_reduce)
//
// Rows are positions in the model's example list: train examples first, then test examples. Every kernel is
// batched over models (blockIdx.z, model_common.cuh).
#include "model_common.cuh"

// Launch: 256 threads, grid (ceil((rowEnd - rowBegin) / examplesPerBlock), 1, N), dynamic shared memory
// examplesPerBlock * (2H floats + 2 ints).
// First the block's examples * H attention weights (one thread each: three exponentials in float64 with the local
// max subtracted), then, example by example, one thread per column of W accumulates the 2H table rows.
// Why: each example's work is W outputs of 2H multiply-adds from L2-resident tables (T is 2.3 MB at the paper's
// size), so column-parallel threads give coalesced reads of the table rows and coalesced row stores; the per-head
// weights are computed once per example instead of once per column.
extern "C" __global__ void __launch_bounds__(256) forward_gather(const int* examples, const float* S, const float* T,
                                                                 const float* cb, float* alpha, float* pre,
                                                                 float* logits, long long modelStride, int rowBegin,
                                                                 int rowEnd, int p, int H, int M, int V,
                                                                 int examplesPerBlock) {
    examples = model_ptr(examples, modelStride);
    S = model_ptr(S, modelStride);
    T = model_ptr(T, modelStride);
    cb = model_ptr(cb, modelStride);
    alpha = model_ptr(alpha, modelStride);
    pre = model_ptr(pre, modelStride);
    logits = model_ptr(logits, modelStride);
    JGROK_DYNAMIC_SHARED(float, shared);
    const int E = examplesPerBlock;
    float* a0s = shared;             // [E, H]
    float* a1s = shared + E * H;     // [E, H]
    int* slots = reinterpret_cast<int*>(shared + 2 * E * H);  // [E, 2]: rows of a and b
    const int W = M + V;
    const int eq = 2 * p;
    const int first = rowBegin + blockIdx.x * E;

    for (int e = threadIdx.x; e < E * H; e += blockDim.x) {
        const int i = first + e / H;
        const int h = e % H;
        if (i < rowEnd) {
            const int idx = examples[i];
            const int ra = idx / p;
            const int rb = p + idx % p;
            const float s0 = S[ra * H + h];
            const float s1 = S[rb * H + h];
            const float s2 = S[eq * H + h];
            const double mx = (double)fmaxf(s0, fmaxf(s1, s2));
            const double e0 = exp((double)s0 - mx);
            const double e1 = exp((double)s1 - mx);
            const double e2 = exp((double)s2 - mx);
            const double sum = e0 + e1 + e2;
            const float al0 = (float)(e0 / sum);
            const float al1 = (float)(e1 / sum);
            float* out = alpha + ((long long)i * H + h) * 3;
            out[0] = al0;
            out[1] = al1;
            out[2] = (float)(e2 / sum);
            a0s[e] = al0;
            a1s[e] = al1;
            if (h == 0) {
                slots[2 * (e / H)] = ra;
                slots[2 * (e / H) + 1] = rb;
            }
        }
    }
    __syncthreads();
    for (int e = 0; e < E; ++e) {
        const int i = first + e;
        if (i >= rowEnd) {
            break;  // uniform across the block; no barrier follows
        }
        const float* Ta = T + (long long)slots[2 * e] * H * W;
        const float* Tb = T + (long long)slots[2 * e + 1] * H * W;
        for (int w = threadIdx.x; w < W; w += blockDim.x) {
            float v = cb[w];
            for (int h = 0; h < H; ++h) {
                v += a0s[e * H + h] * Ta[(long long)h * W + w];
            }
            for (int h = 0; h < H; ++h) {
                v += a1s[e * H + h] * Tb[(long long)h * W + w];
            }
            if (w < M) {
                pre[(long long)i * M + w] = v;
            } else {
                logits[(long long)i * V + (w - M)] = v;
            }
        }
    }
}
JGROK_REGISTER_KERNEL(forward_gather);

namespace jgrok_ce {
constexpr int LANES = 8;  // threads per example

__device__ __forceinline__ void better(float& value, int& index, float otherValue, int otherIndex) {
    // argmax with the first index winning ties (the CPU engine's firstIndexOf)
    if (otherValue > value || (otherValue == value && otherIndex < index)) {
        value = otherValue;
        index = otherIndex;
    }
}

// What both cross-entropy kernels compute first for one example row, by its 8 lanes: the largest logit, the first
// argmax over the p number logits, and the float64 softmax sum relative to the largest logit together with S, the
// same sum without the label's term (the label's term is 1 when it is the largest, so S decides the softmax
// collapse of io.jgrok.engine.SoftmaxCollapse). Every lane ends with the row's values (fixed butterflies).
struct RowSums {
    float mx;
    int bestIndex;
    double sum;
    double others;
};

__device__ __forceinline__ RowSums row_sums(const float* lg, int lane, int p, int V, int label) {
    RowSums r;
    r.mx = -INFINITY;
    float best = -INFINITY;
    r.bestIndex = 0x7fffffff;
    for (int v = lane; v < V; v += LANES) {
        const float x = lg[v];
        r.mx = fmaxf(r.mx, x);
        if (v < p && x > best) {
            best = x;
            r.bestIndex = v;
        }
    }
    for (int off = LANES / 2; off > 0; off >>= 1) {
        r.mx = fmaxf(r.mx, __shfl_xor_sync(JGROK_FULL_MASK, r.mx, off, LANES));
        const float ob = __shfl_xor_sync(JGROK_FULL_MASK, best, off, LANES);
        const int oi = __shfl_xor_sync(JGROK_FULL_MASK, r.bestIndex, off, LANES);
        better(best, r.bestIndex, ob, oi);
    }
    const double shift = (double)r.mx;
    r.sum = 0.0;
    r.others = 0.0;
    for (int v = lane; v < V; v += LANES) {
        const double t = exp((double)lg[v] - shift);
        r.sum += t;
        r.others += v == label ? 0.0 : t;
    }
    for (int off = LANES / 2; off > 0; off >>= 1) {
        r.sum += __shfl_xor_sync(JGROK_FULL_MASK, r.sum, off, LANES);
        r.others += __shfl_xor_sync(JGROK_FULL_MASK, r.others, off, LANES);
    }
    return r;
}

// The collapse bits (1: float32, 2: float64) of a row whose label logit is zy: collapsed when zy is the largest
// logit and S rounds away next to the label's term 1, S <= 2^-24 (float32) or S <= 2^-53 (float64).
__device__ __forceinline__ int collapse_bits(const RowSums& r, float zy) {
    return zy == r.mx ? (r.others <= 0x1p-24 ? 1 : 0) | (r.others <= 0x1p-53 ? 2 : 0) : 0;
}

// StableMax's s(x) and s'(x) given s(x) (io.jgrok.engine.StableMax).
__device__ __forceinline__ double stablemax_s(double x) {
    return x >= 0.0 ? x + 1.0 : 1.0 / (1.0 - x);
}

__device__ __forceinline__ double stablemax_ds(double x, double sx) {
    return x >= 0.0 ? 1.0 : sx * sx;
}

// What both cross-entropy kernels do first (they are two kernels only to keep ptxas from spilling; see
// cross_entropy_stablemax): this model's pointers, the lane's example row i and whether it is active (lanes past rowEnd
// shadow the last row, so that shuffles stay full-warp, and return after the last shuffle), and that row's logits lg,
// label and RowSums r.
struct Row {
    int lane;
    int i;
    bool active;
    const float* lg;
    int label;
    RowSums r;
};

__device__ __forceinline__ Row ce_row(const int*& examples, const float*& logits, float*& dlogits, double*& loss,
                                      int*& correct, int*& collapsed, long long modelStride, int rowBegin, int rowEnd,
                                      int p, int V) {
    examples = model_ptr(examples, modelStride);
    logits = model_ptr(logits, modelStride);
    dlogits = model_ptr(dlogits, modelStride);
    loss = model_ptr(loss, modelStride);
    correct = model_ptr(correct, modelStride);
    collapsed = model_ptr(collapsed, modelStride);
    Row row;
    row.lane = threadIdx.x % LANES;
    row.i = rowBegin + blockIdx.x * (blockDim.x / LANES) + threadIdx.x / LANES;
    row.active = row.i < rowEnd;
    const int shadow = row.active ? row.i : rowEnd - 1;
    row.lg = logits + (long long)shadow * V;
    const int idx = examples[shadow];
    row.label = (idx / p + idx % p) % p;
    row.r = row_sums(row.lg, row.lane, p, V, row.label);
    return row;
}
}  // namespace jgrok_ce

// Per example row i of [rowBegin, rowEnd): loss[i] = logsumexp(logits[i]) - logits[i, label] in float64,
// correct[i] = (first argmax over the p number logits == label), collapsed[i] = the row's softmax-collapse bits
// (jgrok_ce::collapse_bits), and for train rows (i < trainEnd)
// dlogits[i * ldd + v] = (softmax(logits[i])[v] - [v == label]) * invNTrain, rounded to float32.
// Launch: 256 threads = 32 examples of 8 lanes each, grid (ceil((rowEnd - rowBegin) / 32), 1, N).
// Why: 114 logits per example are 15 per lane, read as 32-byte sectors by the 8 lanes, and the max and the
// exponential sum need three shuffle rounds of width 8 instead of five of a full warp; float64 exp is computed twice
// (sum, then gradient) rather than held, since the number of logits is not a compile-time constant. Each lane's
// partial sums are combined by a fixed butterfly, so the results do not depend on timing. The collapse measure's S
// is summed beside the softmax sum from the same exponentials (one add per logit and one more butterfly), so it
// costs the default loss almost nothing.
extern "C" __global__ void __launch_bounds__(256) cross_entropy(const int* examples, const float* logits,
                                                                float* dlogits, int ldd, double* loss, int* correct,
                                                                int* collapsed, long long modelStride, int rowBegin,
                                                                int rowEnd, int trainEnd, int p, int V,
                                                                double invNTrain) {
    using namespace jgrok_ce;
    const auto [lane, i, active, lg, label, r] =
        ce_row(examples, logits, dlogits, loss, correct, collapsed, modelStride, rowBegin, rowEnd, p, V);
    if (!active) {
        return;  // after the last shuffle
    }
    const double shift = (double)r.mx;
    if (lane == 0) {
        loss[i] = shift + log(r.sum) - (double)lg[label];
        correct[i] = r.bestIndex == label ? 1 : 0;
        collapsed[i] = collapse_bits(r, lg[label]);
    }
    if (i < trainEnd) {
        const double inv = 1.0 / r.sum;
        float* g = dlogits + (long long)i * ldd;
        for (int v = lane; v < V; v += LANES) {
            const double prob = exp((double)lg[v] - shift) * inv;
            g[v] = (float)(v == label ? (prob - 1.0) * invNTrain : prob * invNTrain);
        }
    }
}
JGROK_REGISTER_KERNEL(cross_entropy);

// cross_entropy with StableMax (--loss stablemax; io.jgrok.engine.StableMax) instead of the softmax: s(x) = x + 1
// (x >= 0), 1 / (1 - x) (x < 0) of the raw logits, loss[i] = log(sum_v s(z_v)) - log(s(z_label)) and
// dlogits[v] = (s'(z_v) / sum - [v == label] s'(z_y) / s(z_y)) * invNTrain with s' = 1 (x >= 0), s^2 (x < 0), all
// float64; correct[] and collapsed[] exactly as cross_entropy (the collapse measure is about the softmax of the same
// logits). Launch and lanes as cross_entropy.
// Why a kernel of its own: with the StableMax branch inside cross_entropy (selected by an argument) ptxas spilled 16
// bytes of that kernel on every architecture (CUDA 13); apart, neither kernel spills, and the default path carries no
// code it does not run.
extern "C" __global__ void __launch_bounds__(256) cross_entropy_stablemax(const int* examples, const float* logits,
                                                                          float* dlogits, int ldd, double* loss,
                                                                          int* correct, int* collapsed,
                                                                          long long modelStride, int rowBegin,
                                                                          int rowEnd, int trainEnd, int p, int V,
                                                                          double invNTrain) {
    using namespace jgrok_ce;
    const auto [lane, i, active, lg, label, r] =
        ce_row(examples, logits, dlogits, loss, correct, collapsed, modelStride, rowBegin, rowEnd, p, V);
    double ssum = 0.0;
    for (int v = lane; v < V; v += LANES) {
        ssum += stablemax_s((double)lg[v]);
    }
    for (int off = LANES / 2; off > 0; off >>= 1) {
        ssum += __shfl_xor_sync(JGROK_FULL_MASK, ssum, off, LANES);
    }
    if (!active) {
        return;  // after the last shuffle
    }
    const double zy = (double)lg[label];
    const double sy = stablemax_s(zy);
    if (lane == 0) {
        loss[i] = log(ssum) - log(sy);
        correct[i] = r.bestIndex == label ? 1 : 0;
        collapsed[i] = collapse_bits(r, lg[label]);
    }
    if (i < trainEnd) {
        const double inv = 1.0 / ssum;
        const double dy = stablemax_ds(zy, sy);
        float* g = dlogits + (long long)i * ldd;
        for (int v = lane; v < V; v += LANES) {
            const double x = (double)lg[v];
            g[v] = (float)(v == label ? (dy * inv - dy / sy) * invNTrain
                                      : stablemax_ds(x, stablemax_s(x)) * inv * invNTrain);
        }
    }
}
JGROK_REGISTER_KERNEL(cross_entropy_stablemax);

namespace jgrok_loss {
// Sums over rows [begin, end) by one block of 256 threads: loss[], correct[] and the float32 / float64 collapse
// bits of collapsed[]; strided per-thread sums, then a tree through the caller's shared arrays ls, cs, c32s, c64s
// [256] (declared in the kernel: the ThreadSanitizer emulator cannot place __shared__ variables of inline
// functions). out: loss sum, then the three counts as doubles (exact below 2^53).
__device__ __forceinline__ void block_sums(const double* loss, const int* correct, const int* collapsed, int begin,
                                           int end, double* ls, long long* cs, long long* c32s, long long* c64s,
                                           double* out) {
    double l = 0.0;
    long long c = 0;
    long long c32 = 0;
    long long c64 = 0;
    for (int i = begin + threadIdx.x; i < end; i += blockDim.x) {
        l += loss[i];
        c += correct[i];
        c32 += collapsed[i] & 1;
        c64 += (collapsed[i] >> 1) & 1;
    }
    ls[threadIdx.x] = l;
    cs[threadIdx.x] = c;
    c32s[threadIdx.x] = c32;
    c64s[threadIdx.x] = c64;
    __syncthreads();
    for (int stride = 128; stride > 0; stride >>= 1) {
        if ((int)threadIdx.x < stride) {
            ls[threadIdx.x] += ls[threadIdx.x + stride];
            cs[threadIdx.x] += cs[threadIdx.x + stride];
            c32s[threadIdx.x] += c32s[threadIdx.x + stride];
            c64s[threadIdx.x] += c64s[threadIdx.x + stride];
        }
        __syncthreads();
    }
    out[0] = ls[0];
    out[1] = (double)cs[0];
    out[2] = (double)c32s[0];
    out[3] = (double)c64s[0];
}
}  // namespace jgrok_loss

// ring[counter][2 * segment + 0, 1] = mean loss and accuracy over the segment's rows, segment 0 = train rows
// [trainBegin, trainEnd), 1 = test rows [testBegin, testEnd); the train segment also writes ring[counter][4, 5] =
// the fractions of its rows whose softmax has collapsed in float32 and in float64. A segment with begin < 0 is left
// alone (another launch writes it); an empty one (begin == end) writes NaN (not evaluated this epoch).
// Launch: exactly 256 threads, grid (2, 1, N): block x = segment.
// Why: a fixed-order tree in one block per segment is deterministic and costs ~50 loads per thread at the paper's
// size; the counter (advanced by epoch_advance) picks the ring row, so a captured graph writes a new row per replay.
extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) loss_reduce(const double* loss, const int* correct,
                                                                      const int* collapsed, double* ring,
                                                                      const int* state, long long modelStride,
                                                                      int trainBegin, int trainEnd, int testBegin,
                                                                      int testEnd) {
    loss = model_ptr(loss, modelStride);
    correct = model_ptr(correct, modelStride);
    collapsed = model_ptr(collapsed, modelStride);
    ring = model_ptr(ring, modelStride);
    state = model_ptr(state, modelStride);
    const int begin = blockIdx.x == 0 ? trainBegin : testBegin;
    const int end = blockIdx.x == 0 ? trainEnd : testEnd;
    if (begin < 0) {
        return;
    }
    double* row = ring + (long long)state[STATE_COUNTER] * RING_WIDTH;
    double* out = row + 2 * blockIdx.x;
    if (begin == end) {
        if (threadIdx.x == 0) {
            out[0] = NAN;
            out[1] = NAN;
            if (blockIdx.x == 0) {
                row[RING_COLLAPSED_F32] = NAN;
                row[RING_COLLAPSED_F64] = NAN;
            }
        }
        return;
    }
    __shared__ double ls[256];
    __shared__ long long cs[256];
    __shared__ long long c32s[256];
    __shared__ long long c64s[256];
    double sums[4];
    jgrok_loss::block_sums(loss, correct, collapsed, begin, end, ls, cs, c32s, c64s, sums);
    if (threadIdx.x == 0) {
        out[0] = sums[0] / (end - begin);
        out[1] = sums[1] / (end - begin);
        if (blockIdx.x == 0) {
            row[RING_COLLAPSED_F32] = sums[2] / (end - begin);
            row[RING_COLLAPSED_F64] = sums[3] / (end - begin);
        }
    }
}
JGROK_REGISTER_KERNEL(loss_reduce);
