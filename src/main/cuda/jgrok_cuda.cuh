// jgrok_cuda.cuh: the first include of every kernel file in src/main/cuda/.
//
// The same kernel sources are compiled twice: by nvcc into kernels/jgrok.fatbin for GPUs, and by g++ into the
// emulated device's host library, where src/main/native/emu/cuda_emu.h supplies the CUDA built-ins. Kernel files
// include only this header (plus standard headers that both compilers have) and use only what cuda_emu.h provides;
// src/main/cuda/README.md lists it. Two conventions keep launch-by-name and shared memory identical on both:
//
//   extern "C" __global__ void my_kernel(float* out, int n) { ... }
//   JGROK_REGISTER_KERNEL(my_kernel);            // after the definition: name + signature into the registry
//
//   JGROK_DYNAMIC_SHARED(float, tile);          // instead of `extern __shared__ float tile[];`
#pragma once

#ifdef __CUDACC__

// nvcc: kernels are found by their unmangled names in the module; the manifest written by `make kernels` (from the
// emulator's registry) carries the signatures, so registration has nothing to do here.
#define JGROK_REGISTER_KERNEL(name) static_assert(true, #name)
#define JGROK_DYNAMIC_SHARED(T, name)                                        \
    extern __shared__ __align__(16) unsigned char jgrok_dynamic_shared_##name[]; \
    T* name = reinterpret_cast<T*>(jgrok_dynamic_shared_##name)

#else

#include "cuda_emu.h"
#define JGROK_REGISTER_KERNEL(name) JGROK_EMU_REGISTER_KERNEL(name)
#define JGROK_DYNAMIC_SHARED(T, name) T* name = static_cast<T*>(::cuda_emu::dynamic_shared_base())

#endif

// Lane and warp of the calling thread within its block (1-D blocks or any shape: linear thread index).
__device__ __forceinline__ int jgrok_linear_tid() {
    return (int)(threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z));
}
__device__ __forceinline__ int jgrok_lane() {
    return jgrok_linear_tid() & 31;
}
__device__ __forceinline__ int jgrok_warp() {
    return jgrok_linear_tid() >> 5;
}

#define JGROK_FULL_MASK 0xffffffffu

// __launch_bounds__ for a kernel that needs exactly this many threads per block (a fixed-size tree in shared memory,
// a thread-to-tile mapping): written instead of __launch_bounds__(N[, minBlocksPerSM]), it compiles to the same
// attribute, and tools/LaunchBounds.java records both in the kernel manifest, from which both devices refuse a
// launch with more threads (and, for this spelling, with fewer). Write the numbers as integer literals: the
// emulated device reads them from the source text.
#define JGROK_EXACT_LAUNCH_BOUNDS(...) __launch_bounds__(__VA_ARGS__)

// `#pragma unroll` for nvcc; g++ (the emulated device) would warn about an unknown pragma, and -Werror stops it.
#ifdef __CUDACC__
#define JGROK_UNROLL _Pragma("unroll")
#else
#define JGROK_UNROLL
#endif
