// emu_types.h: CUDA qualifiers, built-in vector types and the built-in index variables, for the host compiler.
//
// Qualifiers that only steer nvcc (__global__, __device__, __host__, __launch_bounds__) expand to nothing.
// __shared__ gives a variable one instance per block:
//   - fiber build (default): all threads of a block are fibers on one host thread and a host thread runs one block
//     at a time, so a thread_local variable (at block scope thread_local implies static) is exactly per block.
//     The runtime poisons the kernel library's thread-local storage (which holds only these variables) with 0xFF
//     bytes before every block, so reading shared memory that the block has not written yields NaN / -1.
//   - threads build (ThreadSanitizer): blocks run one at a time, so a plain static variable is per block; it lives in
//     section jgrok_emu_shared, which the runtime poisons before every block.
// `extern __shared__ T name[]` (dynamic shared memory) cannot be expressed this way: kernels write
// JGROK_DYNAMIC_SHARED(T, name) instead (jgrok_cuda.cuh), which here points at the block's dynamic buffer.
// threadIdx & co. are per host thread (__thread): the fiber scheduler stores the running fiber's index on every
// switch, so a value read before a barrier is still this thread's after it.
#pragma once

#include <cstddef>
#include <cstdint>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
#define __constant__ const
// __restrict__ is a GNU keyword already.

#if defined(CUDA_EMU_THREADS)
#define __shared__ static __attribute__((section("jgrok_emu_shared")))
#else
#define __shared__ thread_local
#endif

#define warpSize 32

struct uint3 {
    unsigned int x, y, z;
};

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {
    }
};

// Vector types with CUDA's sizes and alignments (a float4 load must be 16-byte aligned on a GPU too).
struct __align__(8) float2 { float x, y; };
struct __align__(16) float4 { float x, y, z, w; };
struct __align__(16) double2 { double x, y; };
struct __align__(8) int2 { int x, y; };
struct __align__(16) int4 { int x, y, z, w; };
struct __align__(8) uint2 { unsigned int x, y; };
struct __align__(16) uint4 { unsigned int x, y, z, w; };

inline float2 make_float2(float x, float y) { return {x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline double2 make_double2(double x, double y) { return {x, y}; }
inline int2 make_int2(int x, int y) { return {x, y}; }
inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }
inline uint2 make_uint2(unsigned int x, unsigned int y) { return {x, y}; }
inline uint4 make_uint4(unsigned int x, unsigned int y, unsigned int z, unsigned int w) { return {x, y, z, w}; }

namespace cuda_emu {
// Defined in the runtime library; written by the block scheduler, read-only for kernels.
extern __thread uint3 tls_thread_idx;
extern __thread uint3 tls_block_idx;
extern __thread dim3 tls_block_dim;
extern __thread dim3 tls_grid_dim;

inline const uint3& thread_idx() { return tls_thread_idx; }
inline const uint3& block_idx() { return tls_block_idx; }
inline const dim3& block_dim() { return tls_block_dim; }
inline const dim3& grid_dim() { return tls_grid_dim; }

// Base of the running block's dynamic shared memory (launch's dynamicSharedBytes, 0xFF-poisoned per block).
void* dynamic_shared_base();
}  // namespace cuda_emu

#define threadIdx (::cuda_emu::thread_idx())
#define blockIdx (::cuda_emu::block_idx())
#define blockDim (::cuda_emu::block_dim())
#define gridDim (::cuda_emu::grid_dim())
