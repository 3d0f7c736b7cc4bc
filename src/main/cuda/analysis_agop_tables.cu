// analysis_agop_tables.cu: the per-checkpoint tables of the AGOP (io.jgrok.analysis.DeviceAgop; the factorisation
// is derived in docs/agop.md and written out in CpuAgop, the CPU reference):
//
//   agop_matmul_f32 / _f64   C[b] = alpha A[b] B[b] (+ beta C[b]) with every operand addressed by strides, so one
//                            kernel serves each product and transpose: C_U = W_O W_U', C_in^T = (W_O W_in)^T,
//                            W_L = W_out W_U' (float32, from the parameters) and the final E acc E^T (float64)
//   agop_kappa               x2 = W_E[=] + W_pos[2], q_h = x2 W_Q[h], kappa_h = W_K[h] q_h / sqrt(d_head): how the
//                            score from '=' to a position moves with that position's input
//   agop_value_tables        for each row r of [W_E[0..p-1]; W_pos[0]; W_pos[1]; x2]: v = r W_V (all heads);
//                            number rows give E = [E_V | E_K] (E_K[t][h] = W_E[t] . kappa_h), the others the
//                            positional and '=' parts of the values
//
// Launch: agop_matmul_*: 1-D grid-stride over M x N outputs (256 threads), grid.z = checkpoint; one thread per output
// walks K in order (deterministic; the tables are at most d x d_mlp x d = 8.4 M multiply-adds per checkpoint, so a
// plain loop costs little next to the per-example products). agop_kappa: one block of 128 per checkpoint, x2 and q
// in dynamic shared memory (2 d doubles). agop_value_tables: grid (p + 3, checkpoints), 128 threads, one output
// column per thread. Table sums are float64 from the float32 parameters, except the three float32 products that
// feed the float32 per-example Jacobians.
#include "jgrok_cuda.cuh"

template <typename T>
__device__ __forceinline__ void agop_matmul_body(T* C, long long sCb, int ldc, const T* A, long long sAb,
                                                 long long sai, long long sak, const T* B, long long sBb,
                                                 long long sbk, long long sbj, int M, int N, int K, T alpha, T beta) {
    const long long b = blockIdx.z;
    C += b * sCb;
    A += b * sAb;
    B += b * sBb;
    const long long total = (long long)M * N;
    for (long long o = blockIdx.x * (long long)blockDim.x + threadIdx.x; o < total;
         o += (long long)gridDim.x * blockDim.x) {
        const long long i = o / N;
        const long long j = o - i * N;
        T sum = 0;
        for (int k = 0; k < K; ++k) {
            sum += A[i * sai + k * sak] * B[k * sbk + j * sbj];
        }
        T* c = C + i * ldc + j;
        *c = beta != (T)0 ? alpha * sum + beta * *c : alpha * sum;  // beta == 0 never reads C (may be poison)
    }
}

extern "C" __global__ void __launch_bounds__(256) agop_matmul_f32(float* C, long long sCb, int ldc, const float* A,
                                                                  long long sAb, long long sai, long long sak,
                                                                  const float* B, long long sBb, long long sbk,
                                                                  long long sbj, int M, int N, int K, float alpha,
                                                                  float beta) {
    agop_matmul_body<float>(C, sCb, ldc, A, sAb, sai, sak, B, sBb, sbk, sbj, M, N, K, alpha, beta);
}
JGROK_REGISTER_KERNEL(agop_matmul_f32);

extern "C" __global__ void __launch_bounds__(256) agop_matmul_f64(double* C, long long sCb, int ldc,
                                                                  const double* A, long long sAb, long long sai,
                                                                  long long sak, const double* B, long long sBb,
                                                                  long long sbk, long long sbj, int M, int N, int K,
                                                                  double alpha, double beta) {
    agop_matmul_body<double>(C, sCb, ldc, A, sAb, sai, sak, B, sBb, sbk, sbj, M, N, K, alpha, beta);
}
JGROK_REGISTER_KERNEL(agop_matmul_f64);

// kappa[b][h][j] = sum_e W_K[h][j][e] q_h[e] / sqrt(dh), q_h[e] = sum_j x2[j] W_Q[h][j][e]; W_Q, W_K are [H][d][dh].
extern "C" __global__ void __launch_bounds__(128) agop_kappa(double* kappa, const float* params, long long stride,
                                                             int wE, int wPos, int wQ, int wK, int p, int d,
                                                             int n_heads) {
    JGROK_DYNAMIC_SHARED(double, shared);
    double* x2 = shared;
    double* q = shared + d;
    const float* w = params + blockIdx.x * stride;
    const int dh = d / n_heads;
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        x2[j] = (double)w[wE + p * d + j] + (double)w[wPos + 2 * d + j];
    }
    __syncthreads();
    for (int o = threadIdx.x; o < d; o += blockDim.x) {  // o = h * dh + e
        const int h = o / dh;
        const int e = o - h * dh;
        double s = 0.0;
        for (int j = 0; j < d; ++j) {
            s += x2[j] * (double)w[wQ + (h * d + j) * dh + e];
        }
        q[o] = s;
    }
    __syncthreads();
    const double scale = 1.0 / sqrt((double)dh);
    double* out = kappa + (long long)blockIdx.x * n_heads * d;
    for (int o = threadIdx.x; o < n_heads * d; o += blockDim.x) {  // o = h * d + j
        const int h = o / d;
        const int j = o - h * d;
        double s = 0.0;
        for (int e = 0; e < dh; ++e) {
            s += (double)w[wK + (h * d + j) * dh + e] * q[h * dh + e];
        }
        out[o] = s * scale;
    }
}
JGROK_REGISTER_KERNEL(agop_kappa);

// Row r = blockIdx.x of [W_E[0..p-1]; W_pos[0]; W_pos[1]; x2] times W_V (as one [d][H*dh] matrix):
//   r < p:   e_aug[b][r][0..d) = v, e_aug[b][r][d + h] = W_E[r] . kappa_h      (e_aug is [p][d + H])
//   r >= p:  extra_v[b][r - p][0..d) = v                                         (positions 0, 1, then '=')
extern "C" __global__ void __launch_bounds__(128) agop_value_tables(double* e_aug, double* extra_v,
                                                                    const double* kappa, const float* params,
                                                                    long long stride, int wE, int wPos, int wV,
                                                                    int p, int d, int n_heads) {
    const int r = blockIdx.x;
    const long long b = blockIdx.y;
    const float* w = params + b * stride;
    const int dh = d / n_heads;
    const int d_aug = d + n_heads;
    for (int o = threadIdx.x; o < d; o += blockDim.x) {  // o = h * dh + e
        const int h = o / dh;
        const int e = o - h * dh;
        double s = 0.0;
        for (int j = 0; j < d; ++j) {
            double x;
            if (r < p) {
                x = w[wE + r * d + j];
            } else if (r < p + 2) {
                x = w[wPos + (r - p) * d + j];
            } else {
                x = (double)w[wE + p * d + j] + (double)w[wPos + 2 * d + j];
            }
            s += x * (double)w[wV + (h * d + j) * dh + e];
        }
        if (r < p) {
            e_aug[(b * p + r) * d_aug + o] = s;
        } else {
            extra_v[(b * 3 + (r - p)) * d + o] = s;
        }
    }
    if (r < p) {
        const double* k = kappa + b * n_heads * d;
        for (int h = threadIdx.x; h < n_heads; h += blockDim.x) {
            double s = 0.0;
            for (int j = 0; j < d; ++j) {
                s += (double)w[wE + r * d + j] * k[h * d + j];
            }
            e_aug[(b * p + r) * d_aug + d + h] = s;
        }
    }
}
JGROK_REGISTER_KERNEL(agop_value_tables);
