// selftest_faults.cu: kernels that misuse barriers and warp collectives ON PURPOSE, so that tests can prove the
// emulated device reports each misuse (and, in the ThreadSanitizer build, the missing barrier as a data race).
// NEVER launch these on a GPU: a divergent barrier may hang it. They are compiled into the fatbin anyway so that
// the GPU module and the emulator's kernel library list the same kernels. Launch: one block of 64..1024 threads
// (a multiple of 32), except where noted. The tests find source lines by the `marker:` comments.
#include "jgrok_cuda.cuh"

// Threads 16.. return before a barrier the others wait at.
extern "C" __global__ void fault_barrier_after_return(float* out) {
    if (threadIdx.x >= 16) {
        return;
    }
    __syncthreads();  // marker:after-return
    out[threadIdx.x] = 1.0f;
}
JGROK_REGISTER_KERNEL(fault_barrier_after_return);

// The two halves of the block wait at different __syncthreads.
extern "C" __global__ void fault_divergent_barrier(float* out) {
    if (threadIdx.x < blockDim.x / 2) {
        __syncthreads();  // marker:divergent-first
        out[threadIdx.x] = 1.0f;
    } else {
        __syncthreads();  // marker:divergent-second
        out[threadIdx.x] = 2.0f;
    }
}
JGROK_REGISTER_KERNEL(fault_divergent_barrier);

// Lanes 16..31 of every warp return; lanes 0..15 then shuffle with a full mask.
extern "C" __global__ void fault_shuffle_exited_lane(float* out) {
    if ((threadIdx.x & 31) >= 16) {
        return;
    }
    out[threadIdx.x] = __shfl_xor_sync(JGROK_FULL_MASK, (float)threadIdx.x, 1);  // marker:exited-lane
}
JGROK_REGISTER_KERNEL(fault_shuffle_exited_lane);

// Warp 0 shuffles while the other warps wait at a barrier: lanes of warp 0 beyond 15 wait at the barrier too.
extern "C" __global__ void fault_collective_deadlock(float* out) {
    if (threadIdx.x < 16) {
        out[threadIdx.x] = __shfl_xor_sync(JGROK_FULL_MASK, (float)threadIdx.x, 1);  // marker:deadlock-shuffle
    }
    __syncthreads();  // marker:deadlock-barrier
}
JGROK_REGISTER_KERNEL(fault_collective_deadlock);

// Thread 7 of block 1 traps (launch two or more blocks).
extern "C" __global__ void fault_trap(float* out) {
    if (blockIdx.x == 1 && threadIdx.x == 7) {
        __trap();  // marker:trap
    }
    out[blockIdx.x * blockDim.x + threadIdx.x] = 1.0f;
}
JGROK_REGISTER_KERNEL(fault_trap);

// The classic missing barrier: each thread stores its element in shared memory and reads its neighbour's without a
// __syncthreads in between. out[i] should be x[neighbour]; on the fiber emulator some threads run before their
// neighbour and read poison (NaN); ThreadSanitizer reports the race. One block of blockDim.x <= 256 threads.
extern "C" __global__ void fault_missing_barrier(const float* x, float* out) {
    __shared__ float tile[256];
    const int t = threadIdx.x;
    tile[t] = x[t];
    // (the __syncthreads() that belongs here is missing on purpose)
    out[t] = tile[(t + 1) % blockDim.x];  // marker:racy-read
}
JGROK_REGISTER_KERNEL(fault_missing_barrier);

// The same with the barrier: the control for the test above (no race, exact output).
extern "C" __global__ void fault_missing_barrier_fixed(const float* x, float* out) {
    __shared__ float tile[256];
    const int t = threadIdx.x;
    tile[t] = x[t];
    __syncthreads();
    out[t] = tile[(t + 1) % blockDim.x];
}
JGROK_REGISTER_KERNEL(fault_missing_barrier_fixed);
