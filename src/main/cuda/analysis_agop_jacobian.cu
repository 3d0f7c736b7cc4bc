// analysis_agop_jacobian.cu: per training example, the factor of the logits' input Jacobian that the AGOP needs
// (docs/agop.md; CpuAgop is the CPU reference):
//
//   Zhat^T[c][j]           = C_U[j][c] + sum over active neurons n of W_L[n][c] C_in^T[n][j]     (j < d: Z^T)
//   Zhat^T[c][d + pos*H+h] = alpha[pos][h] sum_e (v_pos - z)[h*dh + e] Z^T[c][h*dh + e]            (mu_pos, pos 0, 1)
//
// for example (a, b) with attention weights alpha[pos][h] from '=', values v_0 = E_V[a] + posV[0],
// v_1 = E_V[b] + posV[1], v_= and attention output z = sum_pos alpha[pos] v_pos; a neuron is active where its
// pre-activation at '=' is > 0 (ReLU' = 1). Output zhat [checkpoint][example slot][p][d + 2H] (float32), which
// gemm_tn then turns into the Gram matrix Zhat Zhat^T of each example; example slot i of the chunk is row
// first_example + i of attention, pre and examples.
//
// Launch: grid (examples in the chunk, checkpoints), 256 threads = 16 x 16, dynamic shared memory
// 2 d doubles + d_mlp ints. Warp 0 first lists the active neurons in
// ascending order (ballot + popc: deterministic) in dynamic shared memory. The p x d product then runs as a register
// tile: thread (tx, ty) owns the 8 x 8 outputs (c0 + ty + 16i, j0 + tx + 16jj) of a 128 x 128 super-tile (one for
// the paper's p = 113, d = 128; larger shapes loop), and the active neurons' rows of W_L and C_in^T are staged 16 at a
// time through shared memory, so that each thread does 64 multiply-adds per 16 shared loads (as gemm.cu's tile, with
// the mask applied by skipping inactive neurons instead of multiplying by zero: about half of d_mlp is active).
// Then z and v - z (float64, dynamic shared) and the 2H mu columns (one thread per (c, pos, h), reading back the
// block's own Z^T writes after a barrier). Float32 products, as the model's; sums over neurons in ascending order.
#include "jgrok_cuda.cuh"

namespace jgrok_agop {
constexpr int TILE = 128;
constexpr int T_ROWS = 8;
constexpr int T_COLS = 8;
constexpr int KC = 16;
}  // namespace jgrok_agop

extern "C" __global__ void __launch_bounds__(256) agop_example_z(
    float* zhat, int slots, const int* examples, const float* attention, const float* pre, long long n_examples,
    int first_example, const float* c_u, const float* c_in_t, const float* w_l, const double* e_aug,
    const double* extra_v, int p, int d, int n_heads, int d_mlp) {
    using namespace jgrok_agop;
    __shared__ float wl_s[KC][TILE];
    __shared__ float cin_s[KC][TILE];
    __shared__ int n_active_s;
    JGROK_DYNAMIC_SHARED(double, dyn);
    double* w_s = dyn;                          // [2][d]: v_0 - z, v_1 - z
    int* active = (int*)(dyn + 2 * d);          // [d_mlp]

    const int slot = blockIdx.x;
    const long long b = blockIdx.y;
    const long long ex = first_example + slot;  // row of this example in attention / pre
    const int pair = examples[ex];
    const int a_tok = pair / p;
    const int b_tok = pair - a_tok * p;
    const int t = threadIdx.x;
    const int tx = t % 16;
    const int ty = t / 16;
    const int d_hat = d + 2 * n_heads;
    const int d_aug = d + n_heads;
    const int dh = d / n_heads;

    // Active neurons at '=', ascending.
    const float* pre_row = pre + (b * n_examples + ex) * d_mlp;
    if (t < 32) {
        int count = 0;
        for (int base = 0; base < d_mlp; base += 32) {
            const int n = base + t;
            const bool on = n < d_mlp && pre_row[n] > 0.0f;
            const unsigned int votes = __ballot_sync(JGROK_FULL_MASK, on);
            if (on) {
                active[count + __popc(votes & ((1u << t) - 1u))] = n;
            }
            count += __popc(votes);
        }
        if (t == 0) {
            n_active_s = count;
        }
    }
    __syncthreads();
    const int n_active = n_active_s;

    const float* cu = c_u + b * d * p;          // [d][p]
    const float* cin = c_in_t + b * d_mlp * d;  // [d_mlp][d]
    const float* wl = w_l + b * d_mlp * p;      // [d_mlp][p]
    float* out = zhat + (b * slots + slot) * p * d_hat;

    for (int c0 = 0; c0 < p; c0 += TILE) {
        for (int j0 = 0; j0 < d; j0 += TILE) {
            float acc[T_ROWS][T_COLS];
JGROK_UNROLL
            for (int i = 0; i < T_ROWS; ++i) {
JGROK_UNROLL
                for (int jj = 0; jj < T_COLS; ++jj) {
                    const int c = c0 + ty + 16 * i;
                    const int j = j0 + tx + 16 * jj;
                    acc[i][jj] = c < p && j < d ? cu[j * p + c] : 0.0f;
                }
            }
            for (int k0 = 0; k0 < n_active; k0 += KC) {
                for (int idx = t; idx < KC * TILE; idx += blockDim.x) {
                    const int k = idx / TILE;
                    const int col = idx - k * TILE;
                    float wv = 0.0f;
                    float cv = 0.0f;
                    if (k0 + k < n_active) {
                        const int n = active[k0 + k];
                        if (c0 + col < p) {
                            wv = wl[n * p + c0 + col];
                        }
                        if (j0 + col < d) {
                            cv = cin[n * d + j0 + col];
                        }
                    }
                    wl_s[k][col] = wv;
                    cin_s[k][col] = cv;
                }
                __syncthreads();
JGROK_UNROLL
                for (int k = 0; k < KC; ++k) {
                    float av[T_ROWS];
                    float bv[T_COLS];
JGROK_UNROLL
                    for (int i = 0; i < T_ROWS; ++i) {
                        av[i] = wl_s[k][ty + 16 * i];
                    }
JGROK_UNROLL
                    for (int jj = 0; jj < T_COLS; ++jj) {
                        bv[jj] = cin_s[k][tx + 16 * jj];
                    }
JGROK_UNROLL
                    for (int i = 0; i < T_ROWS; ++i) {
JGROK_UNROLL
                        for (int jj = 0; jj < T_COLS; ++jj) {
                            acc[i][jj] += av[i] * bv[jj];
                        }
                    }
                }
                __syncthreads();
            }
JGROK_UNROLL
            for (int i = 0; i < T_ROWS; ++i) {
JGROK_UNROLL
                for (int jj = 0; jj < T_COLS; ++jj) {
                    const int c = c0 + ty + 16 * i;
                    const int j = j0 + tx + 16 * jj;
                    if (c < p && j < d) {
                        out[c * d_hat + j] = acc[i][jj];
                    }
                }
            }
        }
    }

    // z = sum_pos alpha[pos][h] v_pos, and v_pos - z for pos 0, 1 (float64).
    const float* al = attention + (b * n_examples + ex) * n_heads * 3;
    const double* ea = e_aug + b * p * d_aug;
    const double* ev = extra_v + b * 3 * d;
    for (int j = t; j < d; j += blockDim.x) {
        const int h = j / dh;
        const double v0 = ea[a_tok * d_aug + j] + ev[j];
        const double v1 = ea[b_tok * d_aug + j] + ev[d + j];
        const double z = (double)al[h * 3] * v0 + (double)al[h * 3 + 1] * v1 + (double)al[h * 3 + 2] * ev[2 * d + j];
        w_s[j] = v0 - z;
        w_s[d + j] = v1 - z;
    }
    __syncthreads();  // also makes this block's Z^T writes visible to all its threads

    for (int o = t; o < p * 2 * n_heads; o += blockDim.x) {
        const int c = o / (2 * n_heads);
        const int col = o - c * 2 * n_heads;  // pos * H + h
        const int pos = col / n_heads;
        const int h = col - pos * n_heads;
        double s = 0.0;
        for (int e = 0; e < dh; ++e) {
            s += w_s[pos * d + h * dh + e] * (double)out[c * d_hat + h * dh + e];
        }
        out[c * d_hat + d + col] = (float)((double)al[h * 3 + pos] * s);
    }
}
JGROK_REGISTER_KERNEL(agop_example_z);
