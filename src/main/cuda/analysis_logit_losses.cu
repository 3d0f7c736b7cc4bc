// analysis_logit_losses.cu: the plain and Fourier-ablated float64 cross-entropy losses of a batch of checkpoints'
// logits (definitions: io.jgrok.analysis.LogitMeasures; the row arithmetic: analysis_cross_entropy.cuh; the
// projections: analysis_logit_projection.cu).
//
// analysis_logit_row_losses: every input row r = a p + b (label s = (a + b) mod p) of every checkpoint, one warp per
//   row. All rows: the plain loss and whether it is correct; training rows (row_class bit 1) also the excluded loss
//   (all key projections subtracted) with its correctness, and the loss with each key frequency's projection
//   subtracted alone; test rows (bit 2) count into the test sums. Per block, partials[b][x][8 + n_key] =
//     (loss all, correct all, loss train, correct train, loss test, correct test, excluded loss, excluded correct,
//      excluded loss per key...)
//   summed by analysis_sum_partials_f64 in block order. Launch: grid (ceil(p^2 / rows_per_block), batch),
//   128 threads (4 warps), dynamic shared memory 4 (8 + n_key) doubles: lane 0 of each warp accumulates its rows into
//   its own slot, the block adds the 4 slots in warp order after one barrier. Rows go to warps by index, not by
//   timing, so the partials have the same bits on every run. Cost per training row ~(2 + n_key) passes over p
//   classes, each 2 exp per class and 2 n_key FMAs per class for the projection.
//
// analysis_logit_restricted_losses: the restricted logits (class mean + all key projections) take one value per s,
//   so p rows per checkpoint stand for all p^2 inputs; with per_key also the mean plus one key projection at a time.
//   per_s[b][s][2 + n_key] = (loss, correct, loss with key i only (0 unless per_key)...); summed over s by
//   analysis_sum_partials_f64. Launch: grid (batch), 128 threads, one warp per s.
#include "jgrok_cuda.cuh"
#include "analysis_cross_entropy.cuh"

extern "C" __global__ void __launch_bounds__(128) analysis_logit_row_losses(double* partials, const float* logits,
                                                                            const int* row_class, const double* coef,
                                                                            const double* dirs, int p, int n_out,
                                                                            int n_key, int rows_per_block) {
    JGROK_DYNAMIC_SHARED(double, acc);
    const int n_stats = 8 + n_key;
    const int n_warps = blockDim.x / 32;
    const int lane = jgrok_lane();
    const int b = blockIdx.y;
    const int n = p * p;
    double* mine = acc + jgrok_warp() * n_stats;
    if (lane == 0) {
        for (int i = 0; i < n_stats; ++i) {
            mine[i] = 0.0;
        }
    }
    const float* batch_logits = logits + (long long)b * n * n_out;
    const double* batch_coef = coef + (long long)b * (2 * n_key + 1) * p;
    const int first = blockIdx.x * rows_per_block;
    const int last = min(first + rows_per_block, n);
    for (int r = first + jgrok_warp(); r < last; r += n_warps) {
        const int y = (r / p + r % p) % p;
        const int cls = row_class[r];
        const float* z = batch_logits + (long long)r * n_out;
        double loss;
        int ok;
        analysis_warp_cross_entropy(AnalysisLogitVariant{z, nullptr, batch_coef, dirs, p, y, 0, 0, 0.0}, p, y, &loss,
                                    &ok);
        if (lane == 0) {
            mine[0] += loss;
            mine[1] += ok;
            if (cls & 1) {
                mine[2] += loss;
                mine[3] += ok;
            }
            if (cls & 2) {
                mine[4] += loss;
                mine[5] += ok;
            }
        }
        if (cls & 1) {
            analysis_warp_cross_entropy(AnalysisLogitVariant{z, nullptr, batch_coef, dirs, p, y, 0, n_key, -1.0}, p,
                                        y, &loss, &ok);
            if (lane == 0) {
                mine[6] += loss;
                mine[7] += ok;
            }
            for (int i = 0; i < n_key; ++i) {
                analysis_warp_cross_entropy(AnalysisLogitVariant{z, nullptr, batch_coef, dirs, p, y, i, i + 1, -1.0},
                                            p, y, &loss, &ok);
                if (lane == 0) {
                    mine[8 + i] += loss;
                }
            }
        }
    }
    __syncthreads();
    for (int i = threadIdx.x; i < n_stats; i += blockDim.x) {
        double sum = 0.0;
        for (int w = 0; w < n_warps; ++w) {
            sum += acc[w * n_stats + i];
        }
        partials[((long long)b * gridDim.x + blockIdx.x) * n_stats + i] = sum;
    }
}
JGROK_REGISTER_KERNEL(analysis_logit_row_losses);

extern "C" __global__ void __launch_bounds__(128) analysis_logit_restricted_losses(double* per_s, const double* coef,
                                                                                   const double* dirs, int p,
                                                                                   int n_key, int per_key) {
    const int b = blockIdx.x;
    const int n_warps = blockDim.x / 32;
    const int lane = jgrok_lane();
    const double* batch_coef = coef + (long long)b * (2 * n_key + 1) * p;
    const double* mean = batch_coef + 2 * n_key * p;
    for (int s = jgrok_warp(); s < p; s += n_warps) {
        double* out = per_s + ((long long)b * p + s) * (2 + n_key);
        double loss;
        int ok;
        analysis_warp_cross_entropy(AnalysisLogitVariant{nullptr, mean, batch_coef, dirs, p, s, 0, n_key, 1.0}, p, s,
                                    &loss, &ok);
        if (lane == 0) {
            out[0] = loss;
            out[1] = ok;
        }
        for (int i = 0; i < n_key; ++i) {
            loss = 0.0;
            if (per_key) {
                analysis_warp_cross_entropy(
                        AnalysisLogitVariant{nullptr, mean, batch_coef, dirs, p, s, i, i + 1, 1.0}, p, s, &loss, &ok);
            }
            if (lane == 0) {
                out[2 + i] = loss;
            }
        }
    }
}
JGROK_REGISTER_KERNEL(analysis_logit_restricted_losses);
