// optimizer.cu: one fused optimiser step over the flat buffers, and the end-of-epoch bookkeeping.
//
// adamw_step, per element i of the flat layout (io.jgrok.optim.AdamW, Grokfast and TrainableRanges, in that order):
//   g = 0 in the frozen ranges (the TransformerLens demo's MLP biases), else grad[i]
//   Grokfast EMA: mu = alpha mu + (1 - alpha) g (mu starts as the first g);          g += lambda mu
//   Grokfast MA:  the last `window` gradients in a per-element ring, oldest first;   g += lambda sum / window
//                 (only once the window is full)
//   AdamW (not in the frozen ranges): m, v, then p = p (1 - lr wd) - lr/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps)
// with the step's scalars read from the schedule row of the epoch counter (the host fills the rows per chunk with
// AdamW.scalars, so the warmup schedule, whose first step runs at lr 0, is exactly the CPU engine's).
//
// Launch: 256 threads, grid (ceil(P / 256), 1, N); one element per thread, models on blockIdx.z.
// With perp-Grad (--grad_projection orthogonal) the mask and filter run first, in grad_filter, then projection.cu's
// project_gradient, and adamw_step gets grokfastMode 0.
// Why: the step is elementwise and memory-bound (4 float reads and 3 writes per element, 6.4 MB per model per
// epoch at the paper's size, plus the Grokfast state); fusing mask, filter and AdamW reads each buffer once. Every
// operation is an explicitly rounded __f*_rn, which nvcc never contracts into an FMA, so a GPU computes exactly the
// CPU engine's float32 arithmetic here (the same operations in the same order as the Java code).
#include "model_common.cuh"

namespace jgrok_optim {
// Whether flat element i is in one of the model's frozen ranges (info, INFO_* words).
__device__ __forceinline__ bool frozen_at(const int* info, int i) {
    return (i >= info[INFO_FROZEN0_BEGIN] && i < info[INFO_FROZEN0_END])
           || (i >= info[INFO_FROZEN1_BEGIN] && i < info[INFO_FROZEN1_END]);
}

// The Grokfast filter of element i (io.jgrok.optim.Grokfast, same float32 operations in the same order): updates the
// EMA or the MA ring and returns the filtered gradient. mu and ring point into this model's slab.
__device__ __forceinline__ float grokfast_filter(float g, int i, float* mu, float* ring, const float* s,
                                                 const int* state, int size, int grokfastMode, int window) {
    if (grokfastMode == 1) {
        const float old = state[STATE_GF_COUNT] > 0 ? mu[i] : g;
        const float m = __fadd_rn(__fmul_rn(old, s[SCHED_GF_ALPHA]), __fmul_rn(g, s[SCHED_GF_ONE_MINUS_ALPHA]));
        mu[i] = m;
        return __fadd_rn(g, __fmul_rn(m, s[SCHED_GF_LAMBDA]));
    }
    if (grokfastMode == 2) {
        const int count = state[STATE_GF_COUNT];
        const int head = state[STATE_GF_HEAD];
        const int slot = count < window ? (head + count) % window : head;
        ring[(long long)slot * size + i] = g;
        if (count + 1 >= window) {
            const int oldest = count < window ? head : (head + 1) % window;
            float sum = 0.0f;
            for (int k = 0; k < window; ++k) {
                sum = __fadd_rn(sum, ring[(long long)((oldest + k) % window) * size + i]);
            }
            return __fadd_rn(g, __fmul_rn(__fdiv_rn(sum, (float)window), s[SCHED_GF_LAMBDA]));
        }
    }
    return g;
}

// The first half of the step for element i, shared by adamw_step and grad_filter: the epoch's schedule row s (from
// this model's schedule and state), whether i is in a frozen range, and the gradient there (0 if frozen) through the
// Grokfast filter. grad points into this model's slab; the other buffers are the kernel's arguments as passed.
struct Filtered {
    const float* s;
    bool frozen;
    float g;
};

__device__ __forceinline__ Filtered filtered_gradient(const float* grad, float* gfMu, float* gfRing,
                                                      const float* schedule, const int* state, const int* info,
                                                      long long modelStride, int i, int size, int grokfastMode,
                                                      int window) {
    schedule = model_ptr(schedule, modelStride);
    state = model_ptr(state, modelStride);
    info = model_ptr(info, modelStride);
    Filtered f;
    f.s = schedule + (long long)state[STATE_COUNTER] * SCHEDULE_WIDTH;
    f.frozen = frozen_at(info, i);
    f.g = grokfast_filter(f.frozen ? 0.0f : grad[i], i, model_ptr(gfMu, modelStride), model_ptr(gfRing, modelStride),
                          f.s, state, size, grokfastMode, window);
    return f;
}
}  // namespace jgrok_optim

extern "C" __global__ void __launch_bounds__(256) adamw_step(float* params, const float* grad, float* adamM,
                                                             float* adamV, float* gfMu, float* gfRing,
                                                             const float* schedule, const int* state,
                                                             const int* info, long long modelStride, int size,
                                                             int grokfastMode, int window) {
    params = model_ptr(params, modelStride);
    grad = model_ptr(grad, modelStride);
    adamM = model_ptr(adamM, modelStride);
    adamV = model_ptr(adamV, modelStride);
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= size) {
        return;
    }
    const auto [s, frozen, g] = jgrok_optim::filtered_gradient(grad, gfMu, gfRing, schedule, state, info, modelStride,
                                                               i, size, grokfastMode, window);
    if (frozen) {
        return;
    }
    const float m = __fadd_rn(__fmul_rn(adamM[i], s[SCHED_BETA1]), __fmul_rn(g, s[SCHED_ONE_MINUS_BETA1]));
    const float v = __fadd_rn(__fmul_rn(adamV[i], s[SCHED_BETA2]),
                              __fmul_rn(__fmul_rn(s[SCHED_ONE_MINUS_BETA2], g), g));
    adamM[i] = m;
    adamV[i] = v;
    const float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(v), s[SCHED_BIAS_CORRECTION2_SQRT]), s[SCHED_EPS]);
    params[i] = __fsub_rn(__fmul_rn(params[i], s[SCHED_DECAY]), __fmul_rn(s[SCHED_STEP_SIZE], __fdiv_rn(m, denom)));
}
JGROK_REGISTER_KERNEL(adamw_step);

// The first half of adamw_step on its own, for steps that change the gradient between the filter and AdamW (perp-Grad,
// projection.cu): grad[i] = the Grokfast-filtered gradient, 0 in the frozen ranges. adamw_step then runs with
// grokfastMode 0 on it (the filter state still advances in epoch_advance with the real mode).
// Launch: 256 threads, grid (ceil(P / 256), 1, N); one element per thread, as adamw_step.
extern "C" __global__ void __launch_bounds__(256) grad_filter(float* grad, float* gfMu, float* gfRing,
                                                              const float* schedule, const int* state,
                                                              const int* info, long long modelStride, int size,
                                                              int grokfastMode, int window) {
    grad = model_ptr(grad, modelStride);
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= size) {
        return;
    }
    const jgrok_optim::Filtered f = jgrok_optim::filtered_gradient(grad, gfMu, gfRing, schedule, state, info,
                                                                   modelStride, i, size, grokfastMode, window);
    grad[i] = f.frozen ? 0.0f : f.g;
}
JGROK_REGISTER_KERNEL(grad_filter);

// The last node of every epoch: advances the epoch counter (next schedule and ring row) and Grokfast's state
// (EMA: mu now holds a value; MA: one more entry, or the oldest replaced). Launch: 32 threads, grid (1, 1, N).
// Why: every other kernel of the epoch reads the counter, so it may change only after all of them; a graph node of
// its own is the cheapest way to order that.
extern "C" __global__ void __launch_bounds__(32) epoch_advance(int* state, long long modelStride, int grokfastMode,
                                                               int window) {
    state = model_ptr(state, modelStride);
    if (threadIdx.x != 0) {
        return;
    }
    state[STATE_COUNTER] += 1;
    if (grokfastMode == 1) {
        state[STATE_GF_COUNT] = 1;
    } else if (grokfastMode == 2) {
        const int count = state[STATE_GF_COUNT];
        if (count < window) {
            state[STATE_GF_COUNT] = count + 1;
        } else {
            state[STATE_GF_HEAD] = (state[STATE_GF_HEAD] + 1) % window;
        }
    }
}
JGROK_REGISTER_KERNEL(epoch_advance);
