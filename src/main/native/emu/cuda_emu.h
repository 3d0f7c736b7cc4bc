// cuda_emu.h: the CUDA dialect our kernels use, for the host compiler (g++ -x c++).
//
// The kernels in src/main/cuda/ include jgrok_cuda.cuh, which includes this file when __CUDACC__ is not defined.
// With it the same kernel sources compile into a host library that the emulated device (io.jgrok.device.
// EmulatedDevice) runs: every CUDA thread of a block becomes a fiber (or, in the ThreadSanitizer build, a real
// thread), so barriers, shared memory and warp collectives behave as on a GPU and their misuse is reported.
// The header is split by concern; each part says what it covers and what it leaves out:
//   emu_types.h     qualifiers (__global__, __shared__, ...), vector types, threadIdx/blockIdx/blockDim/gridDim
//   emu_math.h      float/double math and bit intrinsics (__expf, rsqrtf, __float_as_int, __popc, ...)
//   emu_atomics.h   atomicAdd/Sub/Exch/Min/Max/CAS/And/Or/Xor/Inc, __threadfence
//   emu_sync.h      __syncthreads(_count/_and/_or), __syncwarp, shuffles, votes, __reduce_*_sync, __trap
//   emu_kernel.h    kernel registration (launch by name) and cuLaunchKernel-style argument unpacking
#pragma once

#ifdef __CUDACC__
#error "cuda_emu.h emulates CUDA on the host; nvcc must not include it"
#endif

#include "emu_types.h"
#include "emu_math.h"
#include "emu_atomics.h"
#include "emu_sync.h"
#include "emu_kernel.h"
