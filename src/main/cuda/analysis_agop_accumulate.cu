// analysis_agop_accumulate.cu: the sum over training examples behind the AGOP (docs/agop.md; CpuAgop is the CPU
// reference). With Y_pos = [diag(alpha[pos]) Z ; mu_pos] the per-position Jacobian factor ((d + H) x p) and S the Gram
// matrix of the rows of Zhat = [Z ; mu_0 ; mu_1] (from gemm_tn), every entry of
//
//   acc[(P, r), (Q, s)] = sum over examples of Y_P[r] . Y_Q[s] = omega_P[r] omega_Q[s] S[src(P, r)][src(Q, s)]
//
// with omega_P[r] = alpha[P][r / dh] for the Z rows (r < d) and 1 for the mu rows, src(P, r) = r for r < d and
// d + P*H + (r - d) after. acc is [checkpoint][2(d + H)][2(d + H)], float64.
//
// gram is [checkpoint][slots][d + 2H][d + 2H], of which the first n_chunk slots hold this chunk's examples
// (first_example onwards in attention's rows).
//
// Launch: grid (ceil(D^2 / 256), checkpoints), 256 threads, D = 2(d + H): one thread per entry (R, S) with S <= R
// (the others return at once) walks the chunk's examples in order, adding to acc (first chunk: starting from 0), and
// writes both (R, S) and (S, R): a fixed order per entry, so the sum is deterministic and exactly symmetric.
#include "jgrok_cuda.cuh"

extern "C" __global__ void __launch_bounds__(256) agop_accumulate(double* acc, const float* gram, int n_chunk,
                                                                  int slots, const float* attention,
                                                                  long long n_examples, int first_example,
                                                                  int first_chunk, int d, int n_heads) {
    const int d_aug = d + n_heads;
    const int dim = 2 * d_aug;
    const int d_hat = d + 2 * n_heads;
    const int dh = d / n_heads;
    const long long b = blockIdx.y;
    const long long entry = blockIdx.x * (long long)blockDim.x + threadIdx.x;
    if (entry >= (long long)dim * dim) {
        return;
    }
    const int row = (int)(entry / dim);
    const int col = (int)(entry - (long long)row * dim);
    if (col > row) {
        return;
    }
    const int bp = row / d_aug;
    const int r = row - bp * d_aug;
    const int bq = col / d_aug;
    const int s = col - bq * d_aug;
    const int src_r = r < d ? r : d + bp * n_heads + (r - d);
    const int src_s = s < d ? s : d + bq * n_heads + (s - d);
    // Attention index of each weight (head h, position P), or -1 for the unit weight of a mu row.
    const int alpha_r = r < d ? (r / dh) * 3 + bp : -1;
    const int alpha_s = s < d ? (s / dh) * 3 + bq : -1;

    double* a = acc + b * dim * dim;
    double sum = first_chunk ? 0.0 : a[(long long)row * dim + col];
    const float* g = gram + b * slots * (long long)d_hat * d_hat + (long long)src_r * d_hat + src_s;
    const float* al = attention + (b * n_examples + first_example) * n_heads * 3;
    for (int e = 0; e < n_chunk; ++e) {
        const float* ae = al + (long long)e * n_heads * 3;
        const double wr = alpha_r >= 0 ? (double)ae[alpha_r] : 1.0;
        const double ws = alpha_s >= 0 ? (double)ae[alpha_s] : 1.0;
        sum += wr * ws * (double)g[(long long)e * d_hat * d_hat];
    }
    a[(long long)row * dim + col] = sum;
    a[(long long)col * dim + row] = sum;
}
JGROK_REGISTER_KERNEL(agop_accumulate);
