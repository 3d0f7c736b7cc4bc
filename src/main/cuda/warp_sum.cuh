// warp_sum.cuh: the sums over a warp's lanes that the warp-per-output kernel versions share.
//
// A fixed xor butterfly (offsets 16, 8, 4, 2, 1, or from WIDTH / 2 for groups of WIDTH lanes): the order of the
// additions depends only on the lane numbers, never on timing, so the result is the same on every run; and since
// lane i and lane i ^ off add the same two values (float addition is commutative), every lane of a group ends with
// the same bits. All 32 lanes must call it together (full mask).
#pragma once

#include "jgrok_cuda.cuh"

__device__ __forceinline__ float jgrok_warp_sum(float v) {
    for (int off = 16; off > 0; off >>= 1) {
        v += __shfl_xor_sync(JGROK_FULL_MASK, v, off);
    }
    return v;
}

// The sum over each group of WIDTH consecutive lanes (WIDTH a power of two up to 32): log2(WIDTH) rounds. For
// reductions too short to give a whole warp several loads per lane (d_head = 32): a warp then serves 32 / WIDTH
// outputs at once instead of paying five shuffle rounds for one.
template <int WIDTH>
__device__ __forceinline__ float jgrok_group_sum(float v) {
    for (int off = WIDTH / 2; off > 0; off >>= 1) {
        v += __shfl_xor_sync(JGROK_FULL_MASK, v, off, WIDTH);
    }
    return v;
}
