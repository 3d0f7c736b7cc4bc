// emu_sync.h: block barriers, warp collectives (shuffles, votes, reductions) and __trap for the host compiler.
//
// Each intrinsic forwards to the runtime with its call site (__builtin_FILE/__builtin_LINE as default arguments, so
// kernel code calls them exactly as in CUDA). The runtime makes a thread wait until the block (barrier) or the
// lanes named in the mask (warp collective) have all arrived, and reports misuse as a launch error instead of
// hanging or silently computing garbage:
//   - a __syncthreads that some threads reach while others have returned or wait at a different __syncthreads;
//   - a warp collective whose mask names a lane that has exited, waits elsewhere, or does not exist in the block;
//   - a shuffle reading a lane outside the mask; lanes of one collective calling different intrinsics.
// Values cross lanes as 64-bit patterns, so shuffles work for any type of at most 8 bytes (int, unsigned, float,
// double, long long, ...). Not provided: __activemask (a fiber cannot know which lanes a GPU would have converged),
// __match_*_sync, cooperative groups, grid-wide sync.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "emu_types.h"

namespace cuda_emu {
enum class BarrierOp : int { Sync = 0, Count = 1, And = 2, Or = 3 };

enum class WarpOp : int {
    SyncWarp = 0,
    ShflIdx,
    ShflUp,
    ShflDown,
    ShflXor,
    Ballot,
    All,
    Any,
    ReduceAddU,
    ReduceMinU,
    ReduceMaxU,
    ReduceMinI,
    ReduceMaxI,
    ReduceAndU,
    ReduceOrU,
    ReduceXorU,
};

// Waits at the block barrier; returns the reduction of pred over the block for Count/And/Or (else 0).
int block_barrier(BarrierOp op, int pred, const char* file, int line);

// Deposits value and waits for the lanes of mask; returns this lane's result (see WarpOp).
uint64_t warp_collective(WarpOp op, unsigned mask, uint64_t value, int arg, int width, const char* file, int line);

// Aborts the launch with an error naming the block, thread and call site.
[[noreturn]] void trap(const char* file, int line);

template <class T>
inline uint64_t to_bits(T v) {
    static_assert(std::is_trivially_copyable<T>::value && sizeof(T) <= 8, "shuffled values must be <= 8 bytes");
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    return bits;
}

template <class T>
inline T from_bits(uint64_t bits) {
    T v;
    std::memcpy(&v, &bits, sizeof(T));
    return v;
}
}  // namespace cuda_emu

inline void __syncthreads(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    cuda_emu::block_barrier(cuda_emu::BarrierOp::Sync, 1, file, line);
}
inline int __syncthreads_count(int pred, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return cuda_emu::block_barrier(cuda_emu::BarrierOp::Count, pred != 0, file, line);
}
inline int __syncthreads_and(int pred, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return cuda_emu::block_barrier(cuda_emu::BarrierOp::And, pred != 0, file, line);
}
inline int __syncthreads_or(int pred, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return cuda_emu::block_barrier(cuda_emu::BarrierOp::Or, pred != 0, file, line);
}

inline void __syncwarp(unsigned mask = 0xffffffffu, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    cuda_emu::warp_collective(cuda_emu::WarpOp::SyncWarp, mask, 0, 0, warpSize, file, line);
}

template <class T>
inline T __shfl_sync(unsigned mask, T var, int src_lane, int width = warpSize, const char* file = __builtin_FILE(),
                     int line = __builtin_LINE()) {
    return cuda_emu::from_bits<T>(cuda_emu::warp_collective(cuda_emu::WarpOp::ShflIdx, mask,
                                                            cuda_emu::to_bits(var), src_lane, width, file, line));
}
template <class T>
inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = warpSize,
                        const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return cuda_emu::from_bits<T>(cuda_emu::warp_collective(cuda_emu::WarpOp::ShflUp, mask, cuda_emu::to_bits(var),
                                                            (int)delta, width, file, line));
}
template <class T>
inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = warpSize,
                          const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return cuda_emu::from_bits<T>(cuda_emu::warp_collective(cuda_emu::WarpOp::ShflDown, mask,
                                                            cuda_emu::to_bits(var), (int)delta, width, file, line));
}
template <class T>
inline T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = warpSize,
                         const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return cuda_emu::from_bits<T>(cuda_emu::warp_collective(cuda_emu::WarpOp::ShflXor, mask,
                                                            cuda_emu::to_bits(var), lane_mask, width, file, line));
}

inline unsigned __ballot_sync(unsigned mask, int pred, const char* file = __builtin_FILE(),
                              int line = __builtin_LINE()) {
    return (unsigned)cuda_emu::warp_collective(cuda_emu::WarpOp::Ballot, mask, pred != 0, 0, warpSize, file, line);
}
inline int __all_sync(unsigned mask, int pred, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return (int)cuda_emu::warp_collective(cuda_emu::WarpOp::All, mask, pred != 0, 0, warpSize, file, line);
}
inline int __any_sync(unsigned mask, int pred, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return (int)cuda_emu::warp_collective(cuda_emu::WarpOp::Any, mask, pred != 0, 0, warpSize, file, line);
}

// sm_80 warp reductions of 32-bit integers.
#define CUDA_EMU_WARP_REDUCE(NAME, T, OP)                                                                      \
    inline T NAME(unsigned mask, T value, const char* file = __builtin_FILE(), int line = __builtin_LINE()) { \
        return cuda_emu::from_bits<T>(cuda_emu::warp_collective(cuda_emu::WarpOp::OP, mask,                  \
                                                                cuda_emu::to_bits(value), 0, warpSize, file, \
                                                                line));                                      \
    }
CUDA_EMU_WARP_REDUCE(__reduce_add_sync, unsigned, ReduceAddU)
CUDA_EMU_WARP_REDUCE(__reduce_add_sync, int, ReduceAddU)
CUDA_EMU_WARP_REDUCE(__reduce_min_sync, unsigned, ReduceMinU)
CUDA_EMU_WARP_REDUCE(__reduce_max_sync, unsigned, ReduceMaxU)
CUDA_EMU_WARP_REDUCE(__reduce_min_sync, int, ReduceMinI)
CUDA_EMU_WARP_REDUCE(__reduce_max_sync, int, ReduceMaxI)
CUDA_EMU_WARP_REDUCE(__reduce_and_sync, unsigned, ReduceAndU)
CUDA_EMU_WARP_REDUCE(__reduce_or_sync, unsigned, ReduceOrU)
CUDA_EMU_WARP_REDUCE(__reduce_xor_sync, unsigned, ReduceXorU)
#undef CUDA_EMU_WARP_REDUCE

[[noreturn]] inline void __trap(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    cuda_emu::trap(file, line);
}
