// gemm.cu: the matrix products of the training epoch, C = alpha * op(A) op(B) (+ beta * C), float32, row-major.
//
// What: one tiled kernel body, instantiated as gemm_nn, gemm_nt, gemm_tn (op = transpose where the letter is t),
// gemm_nn_relu_a (A read through ReLU: logits = relu(pre) W_out W_U), gemm_tn_relu_a (the same A transposed:
// dWOU = relu(pre)^T dlogits) and gemm_nt_mask (the result zeroed where a mask matrix is <= 0: dpre = dlogits WOU^T
// masked by pre > 0, ReLU's backward pass). splitk_reduce sums split-K partials in a fixed order.
//
// Launch: 256 threads; grid (ceil(N/64), ceil(M/64), batches * splits). Each block computes a 64 x 64 tile of C;
// thread (tx, ty) = (t % 16, t / 16) owns the 4 x 4 outputs (ty + 16i, tx + 16j), so that a warp's stores cover 16
// consecutive columns of two rows. K advances in steps of 32 through shared memory (A and B tiles of 32 x 64,
// padded to 65 columns so that neither the transposing stores nor the reads conflict on banks).
// blockIdx.z = (batch, split): batch = outer * inner + in (outer = the model, in = e.g. the head), each operand
// moving by its own outer and inner strides (the mask by its outer stride only: masked launches have no inner batch); split s of `splits` covers K range [s*kChunk, (s+1)*kChunk) and
// writes its own slice of C (stride sCs), which splitk_reduce then sums: a deterministic split-K, no atomics.
//
// Why this shape: the epoch's products are skinny (114 logits, d_head 32, K from 32 to 3830) and many, so one
// simple, bounds-checked tile that handles every transpose and batch layout beats specialised kernels for
// maintainability, and 64 x 64 tiles keep enough blocks in flight for the [3830..12769, 512] x [512, 114] products
// that dominate the epoch. Split-K gives the K = 3830 weight-gradient reductions (512 x 114 outputs: only 16 tiles)
// enough blocks without float atomics, so two runs give bit-identical results. The emulated device pays per
// barrier (two per K step), which the 32-wide K step halves against the textbook 16.
#include "jgrok_cuda.cuh"

namespace jgrok_gemm {
constexpr int BM = 64;
constexpr int BN = 64;
constexpr int BK = 32;
constexpr int THREADS = 256;
constexpr int TM = 4;
constexpr int TN = 4;

// As and Bs are the calling kernel's shared tiles [BK][BM + 1] and [BK][BN + 1] (declared in the kernels: the
// ThreadSanitizer emulator cannot place __shared__ variables of inline functions).
template <bool TRANS_A, bool TRANS_B, bool RELU_A, bool MASK_C>
__device__ __forceinline__ void gemm_body(float (*As)[BM + 1], float (*Bs)[BN + 1], int M, int N, int K,
                                          const float* __restrict__ A, int lda, long long sAo, long long sAi,
                                          const float* __restrict__ B, int ldb, long long sBo, long long sBi,
                                          float* __restrict__ C, int ldc, long long sCo, long long sCi, long long sCs,
                                          int inner, int splits, int kChunk, float alpha, float beta,
                                          const float* __restrict__ mask, int ldm, long long sMo) {

    const int z = blockIdx.z;
    const int split = z % splits;
    const int batch = z / splits;
    const long long outer = batch / inner;
    const long long in = batch % inner;
    A += outer * sAo + in * sAi;
    B += outer * sBo + in * sBi;
    C += outer * sCo + in * sCi + split * sCs;
    if (MASK_C) {
        mask += outer * sMo;
    }
    const int row0 = blockIdx.y * BM;
    const int col0 = blockIdx.x * BN;
    const int kBegin = split * kChunk;
    const int kEnd = min(K, kBegin + kChunk);
    const int t = threadIdx.x;
    const int tx = t % 16;
    const int ty = t / 16;

    float acc[TM][TN];
JGROK_UNROLL
    for (int i = 0; i < TM; ++i) {
JGROK_UNROLL
        for (int j = 0; j < TN; ++j) {
            acc[i][j] = 0.0f;
        }
    }

    for (int k0 = kBegin; k0 < kEnd; k0 += BK) {
        // Coalesced loads: consecutive threads read consecutive addresses of whichever index is contiguous.
JGROK_UNROLL
        for (int l = 0; l < BM * BK / THREADS; ++l) {
            const int idx = t + l * THREADS;
            const int m = TRANS_A ? idx % BM : idx / BK;
            const int k = TRANS_A ? idx / BM : idx % BK;
            const int gm = row0 + m;
            const int gk = k0 + k;
            float v = 0.0f;
            if (gm < M && gk < kEnd) {
                v = TRANS_A ? A[(long long)gk * lda + gm] : A[(long long)gm * lda + gk];
                if (RELU_A) {
                    v = v > 0.0f ? v : 0.0f;
                }
            }
            As[k][m] = v;
        }
JGROK_UNROLL
        for (int l = 0; l < BN * BK / THREADS; ++l) {
            const int idx = t + l * THREADS;
            const int n = TRANS_B ? idx / BK : idx % BN;
            const int k = TRANS_B ? idx % BK : idx / BN;
            const int gn = col0 + n;
            const int gk = k0 + k;
            float v = 0.0f;
            if (gn < N && gk < kEnd) {
                v = TRANS_B ? B[(long long)gn * ldb + gk] : B[(long long)gk * ldb + gn];
            }
            Bs[k][n] = v;
        }
        __syncthreads();
JGROK_UNROLL
        for (int kk = 0; kk < BK; ++kk) {
            float a[TM];
            float b[TN];
JGROK_UNROLL
            for (int i = 0; i < TM; ++i) {
                a[i] = As[kk][ty + 16 * i];
            }
JGROK_UNROLL
            for (int j = 0; j < TN; ++j) {
                b[j] = Bs[kk][tx + 16 * j];
            }
JGROK_UNROLL
            for (int i = 0; i < TM; ++i) {
JGROK_UNROLL
                for (int j = 0; j < TN; ++j) {
                    acc[i][j] += a[i] * b[j];
                }
            }
        }
        __syncthreads();
    }

JGROK_UNROLL
    for (int i = 0; i < TM; ++i) {
        const int gm = row0 + ty + 16 * i;
        if (gm >= M) {
            continue;
        }
JGROK_UNROLL
        for (int j = 0; j < TN; ++j) {
            const int gn = col0 + tx + 16 * j;
            if (gn >= N) {
                continue;
            }
            float v = alpha * acc[i][j];
            float* c = C + (long long)gm * ldc + gn;
            if (MASK_C) {
                v = mask[(long long)gm * ldm + gn] > 0.0f ? v : 0.0f;
            } else if (beta != 0.0f) {
                v += beta * *c;  // beta == 0 never reads C, so C may hold poison
            }
            *c = v;
        }
    }
}
}  // namespace jgrok_gemm

#define JGROK_GEMM_PARAMS                                                                                      \
    int M, int N, int K, const float *A, int lda, long long sAo, long long sAi, const float *B, int ldb,        \
        long long sBo, long long sBi, float *C, int ldc, long long sCo, long long sCi, long long sCs, int inner, \
        int splits, int kChunk, float alpha, float beta, const float *mask, int ldm, long long sMo
#define JGROK_GEMM_ARGS                                                                                       \
    As, Bs, M, N, K, A, lda, sAo, sAi, B, ldb, sBo, sBi, C, ldc, sCo, sCi, sCs, inner, splits, kChunk, alpha, beta, \
        mask, ldm, sMo

extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) gemm_nn(JGROK_GEMM_PARAMS) {
    __shared__ float As[jgrok_gemm::BK][jgrok_gemm::BM + 1];
    __shared__ float Bs[jgrok_gemm::BK][jgrok_gemm::BN + 1];
    jgrok_gemm::gemm_body<false, false, false, false>(JGROK_GEMM_ARGS);
}
JGROK_REGISTER_KERNEL(gemm_nn);

extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) gemm_nt(JGROK_GEMM_PARAMS) {
    __shared__ float As[jgrok_gemm::BK][jgrok_gemm::BM + 1];
    __shared__ float Bs[jgrok_gemm::BK][jgrok_gemm::BN + 1];
    jgrok_gemm::gemm_body<false, true, false, false>(JGROK_GEMM_ARGS);
}
JGROK_REGISTER_KERNEL(gemm_nt);

extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) gemm_tn(JGROK_GEMM_PARAMS) {
    __shared__ float As[jgrok_gemm::BK][jgrok_gemm::BM + 1];
    __shared__ float Bs[jgrok_gemm::BK][jgrok_gemm::BN + 1];
    jgrok_gemm::gemm_body<true, false, false, false>(JGROK_GEMM_ARGS);
}
JGROK_REGISTER_KERNEL(gemm_tn);

extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) gemm_nn_relu_a(JGROK_GEMM_PARAMS) {
    __shared__ float As[jgrok_gemm::BK][jgrok_gemm::BM + 1];
    __shared__ float Bs[jgrok_gemm::BK][jgrok_gemm::BN + 1];
    jgrok_gemm::gemm_body<false, false, true, false>(JGROK_GEMM_ARGS);
}
JGROK_REGISTER_KERNEL(gemm_nn_relu_a);

extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) gemm_tn_relu_a(JGROK_GEMM_PARAMS) {
    __shared__ float As[jgrok_gemm::BK][jgrok_gemm::BM + 1];
    __shared__ float Bs[jgrok_gemm::BK][jgrok_gemm::BN + 1];
    jgrok_gemm::gemm_body<true, false, true, false>(JGROK_GEMM_ARGS);
}
JGROK_REGISTER_KERNEL(gemm_tn_relu_a);

extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) gemm_nt_mask(JGROK_GEMM_PARAMS) {
    __shared__ float As[jgrok_gemm::BK][jgrok_gemm::BM + 1];
    __shared__ float Bs[jgrok_gemm::BK][jgrok_gemm::BN + 1];
    jgrok_gemm::gemm_body<false, true, false, true>(JGROK_GEMM_ARGS);
}
JGROK_REGISTER_KERNEL(gemm_nt_mask);

// out[b][r * ldo + c] = sum over s = 0..splits-1, in that order, of part[b][s][r][c] (+ beta * out when beta != 0),
// for batch b = blockIdx.z (out moves by sOut, part by sPart per batch). Grid-stride over the rows * cols outputs.
// Launch: 256 threads, grid (ceil(rows * cols / 256) or fewer, 1, batches).
extern "C" __global__ void __launch_bounds__(256) splitk_reduce(float* out, int ldo, long long sOut,
                                                                const float* part, long long sPart, int rows,
                                                                int cols, int splits, float beta) {
    out += sOut * blockIdx.z;
    part += sPart * blockIdx.z;
    const long long size = (long long)rows * cols;
    for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < size;
         e += (long long)gridDim.x * blockDim.x) {
        float s = 0.0f;
        for (int k = 0; k < splits; ++k) {
            s += part[k * size + e];
        }
        const long long r = e / cols;
        const long long c = e % cols;
        float* o = out + r * ldo + c;
        *o = beta != 0.0f ? s + beta * *o : s;
    }
}
JGROK_REGISTER_KERNEL(splitk_reduce);
