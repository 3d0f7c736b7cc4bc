// analysis_cross_entropy.cuh: float64 cross-entropy of one row of logits by one warp, and the logit variants the
// ablations evaluate (io.jgrok.analysis.CrossEntropy and LogitAblation are the Java twins).
//
// Losses near 1e-7 and far below must keep their relative precision, so the loss is
//   (max - v_label) + log1p(sum over c != argmax of exp(v_c - max))
// in float64: a confident correct row gives log1p(tiny) exactly where log(sum exp) would cancel to 0.
#pragma once

// The values of one row under an ablation, computed on the fly (2 FMAs per key frequency per class):
//   base_c + sign * sum over key frequencies i in [key_lo, key_hi) of (u_cos_i[s] C_cos_i[c] + u_sin_i[s] C_sin_i[c])
// with base the row's logits (z, excluded: sign -1) or the class means (restricted: sign +1). dirs [2 n_key][p]
// holds u_cos_i, u_sin_i (the key directions over s = (a + b) mod p); coef [2 n_key + 1][p] the coefficients of
// the checkpoint's logits on them (rows 2i, 2i+1) and the class means (row 2 n_key).
struct AnalysisLogitVariant {
    const float* z;
    const double* mean;
    const double* coef;
    const double* dirs;
    int p;
    int s;
    int key_lo;
    int key_hi;
    double sign;

    __device__ __forceinline__ double operator()(int c) const {
        double proj = 0.0;
        for (int i = key_lo; i < key_hi; ++i) {
            proj += dirs[(2 * i) * p + s] * coef[(2 * i) * p + c] + dirs[(2 * i + 1) * p + s] * coef[(2 * i + 1) * p + c];
        }
        const double base = z != nullptr ? (double)z[c] : mean[c];
        return key_lo < key_hi ? base + sign * proj : base;
    }
};

// Cross-entropy of values v(0..n-1) at `label`, and whether label is the argmax (ties go to the lower class, as
// the CPU's argmax). Called by all 32 lanes of a warp with the same arguments; lanes take classes lane, lane + 32,
// ...; the combining steps are fixed butterflies and the sum is lane 0's, broadcast, so every lane returns the same
// bits on every run.
template <class Values>
__device__ __forceinline__ void analysis_warp_cross_entropy(const Values& v, int n, int label, double* loss,
                                                            int* correct) {
    const int lane = jgrok_lane();
    double best = -INFINITY;
    int best_c = n;
    for (int c = lane; c < n; c += 32) {
        const double x = v(c);
        if (x > best) {
            best = x;
            best_c = c;
        }
    }
    for (int m = 16; m > 0; m >>= 1) {
        const double other = __shfl_xor_sync(JGROK_FULL_MASK, best, m);
        const int other_c = __shfl_xor_sync(JGROK_FULL_MASK, best_c, m);
        if (other > best || (other == best && other_c < best_c)) {
            best = other;
            best_c = other_c;
        }
    }
    double sum = 0.0;
    for (int c = lane; c < n; c += 32) {
        if (c != best_c) {
            sum += exp(v(c) - best);
        }
    }
    for (int m = 16; m > 0; m >>= 1) {
        sum += __shfl_xor_sync(JGROK_FULL_MASK, sum, m);
    }
    sum = __shfl_sync(JGROK_FULL_MASK, sum, 0);
    *loss = (best - v(label)) + log1p(sum);
    *correct = best_c == label ? 1 : 0;
}
