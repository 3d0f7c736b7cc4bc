// warp_sum.cuh: the sum over a warp's 32 lanes that the warp-per-output kernel versions share.
//
// A fixed xor butterfly (offsets 16, 8, 4, 2, 1): the order of the additions depends only on the lane numbers, never
// on timing, so the result is the same on every run; and since lane i and lane i ^ off add the same two values (float
// addition is commutative), every lane ends with the same bits. All 32 lanes must call it together (full mask).
#pragma once

#include "jgrok_cuda.cuh"

__device__ __forceinline__ float jgrok_warp_sum(float v) {
    for (int off = 16; off > 0; off >>= 1) {
        v += __shfl_xor_sync(JGROK_FULL_MASK, v, off);
    }
    return v;
}
