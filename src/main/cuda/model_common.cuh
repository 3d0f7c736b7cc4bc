// model_common.cuh: helpers shared by the training kernels (tables.cu, forward.cu, backward.cu, optimizer.cu).
//
// Batch over models. Every training kernel serves N same-shaped models in one launch: blockIdx.z is the model, and
// each model's buffers live in its own "slab" of device memory, slab z starting modelStride 4-byte words after
// slab z-1 (io.jgrok.engine.device.Workspace lays the slabs out). A kernel therefore takes pointers into slab 0 and
// one modelStride, and moves every pointer by z * modelStride words; N = 1 is the ordinary training run.
//
// The parameter layout (io.jgrok.model.ParamLayout: tensor offsets into the flat buffer) reaches the kernels as a
// small int array in the slab, indexed by the LAYOUT_* constants below, so that kernels and Java cannot disagree.
#pragma once

#include "jgrok_cuda.cuh"

// Indices into the layout array (Workspace writes it in this order).
#define LAYOUT_WE 0
#define LAYOUT_WPOS 1
#define LAYOUT_WQ 2
#define LAYOUT_WK 3
#define LAYOUT_WV 4
#define LAYOUT_WO 5
#define LAYOUT_WIN 6
#define LAYOUT_BIN 7
#define LAYOUT_WOUT 8
#define LAYOUT_BOUT 9
#define LAYOUT_WU 10
#define LAYOUT_SIZE 11
#define LAYOUT_COUNT 12

// Moves a slab-0 pointer to this block's model (blockIdx.z). The stride is in 4-byte words for every element type.
template <class T>
__device__ __forceinline__ T* model_ptr(T* base, long long modelStride) {
    return reinterpret_cast<T*>(reinterpret_cast<unsigned long long>(base)
                                + 4ULL * (unsigned long long)(modelStride * (long long)blockIdx.z));
}

// Per-epoch optimiser scalars, one row of SCHEDULE_WIDTH floats per epoch of a chunk (AdamW.Scalars, then
// Grokfast's): written by the host before each chunk, indexed on the device by the epoch counter.
#define SCHEDULE_WIDTH 16
#define SCHED_DECAY 0
#define SCHED_BETA1 1
#define SCHED_ONE_MINUS_BETA1 2
#define SCHED_BETA2 3
#define SCHED_ONE_MINUS_BETA2 4
#define SCHED_STEP_SIZE 5
#define SCHED_BIAS_CORRECTION2_SQRT 6
#define SCHED_EPS 7
#define SCHED_GF_ALPHA 8
#define SCHED_GF_ONE_MINUS_ALPHA 9
#define SCHED_GF_LAMBDA 10

// The per-model state words (ints): the epoch counter of the current chunk (row of the schedule and of the loss
// ring buffer), and Grokfast's filter state (EMA: whether mu holds a value; MA: entries held, index of the oldest).
#define STATE_COUNTER 0
#define STATE_GF_COUNT 1
#define STATE_GF_HEAD 2
#define STATE_WORDS 4

// Per-model constants (ints): the two frozen ranges [begin, end) of the flat buffer (empty when all train).
#define INFO_FROZEN0_BEGIN 0
#define INFO_FROZEN0_END 1
#define INFO_FROZEN1_BEGIN 2
#define INFO_FROZEN1_END 3
#define INFO_WORDS 4

// One ring-buffer row per epoch (float64): train loss, train accuracy, test loss, test accuracy, and the fractions of
// train rows whose softmax has collapsed in float32 and in float64 (io.jgrok.engine.SoftmaxCollapse).
#define RING_WIDTH 6
#define RING_COLLAPSED_F32 4
#define RING_COLLAPSED_F64 5
