// selftest.cu: small kernels that prove the device layer, run by io.jgrok.device.DeviceContractTest on the emulated
// device always and on a GPU when there is one. Each exercises one thing the training kernels rely on: argument
// packing of every KernelArgs type, index built-ins in 3-D launches, block reductions through static and dynamic
// shared memory with barriers, every warp shuffle/vote/reduce, atomics, __syncthreads_count/_and/_or and math.
// Launch shapes are chosen by the test; every kernel guards its own bounds. Results that depend on reduction
// order are compared by the tests against float64 references with tolerances, never bit for bit.
#include "jgrok_cuda.cuh"

// Writes its scalar arguments back, so the test sees exactly what arrived. The parameters alternate 4- and 8-byte
// types so that a packing error (an int given 8 bytes, a double 4) shows up as a wrong value. One thread.
extern "C" __global__ void selftest_echo_args(int* out_i32, long long* out_i64, float* out_f32, double* out_f64,
                                              int a, double b, int c, long long d, float e,
                                              const float* pointer, unsigned int f, float g) {
    if (threadIdx.x != 0 || blockIdx.x != 0) {
        return;
    }
    out_i32[0] = a;
    out_i32[1] = c;
    out_i32[2] = (int)f;
    out_f64[0] = b;
    out_i64[0] = d;
    out_i64[1] = (long long)pointer;
    out_f32[0] = e;
    out_f32[1] = g;
}
JGROK_REGISTER_KERNEL(selftest_echo_args);

// out[i] = value for i < n; grid-stride loop, any launch shape.
extern "C" __global__ void selftest_fill_f32(float* out, float value, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        out[i] = value;
    }
}
JGROK_REGISTER_KERNEL(selftest_fill_f32);

// y[i] = a * x[i] + y[i]: the smallest read-modify-write kernel, used by the graph capture test.
extern "C" __global__ void selftest_axpy_f32(float* y, const float* x, float a, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}
JGROK_REGISTER_KERNEL(selftest_axpy_f32);

// For every thread of a 3-D grid of 3-D blocks, writes its 12 index built-ins at its global linear position:
// threadIdx.xyz, blockIdx.xyz, blockDim.xyz, gridDim.xyz.
extern "C" __global__ void selftest_indices(int* out) {
    const int block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    const int threads = blockDim.x * blockDim.y * blockDim.z;
    int* o = out + 12 * (block * threads + jgrok_linear_tid());
    o[0] = threadIdx.x, o[1] = threadIdx.y, o[2] = threadIdx.z;
    o[3] = blockIdx.x, o[4] = blockIdx.y, o[5] = blockIdx.z;
    o[6] = blockDim.x, o[7] = blockDim.y, o[8] = blockDim.z;
    o[9] = gridDim.x, o[10] = gridDim.y, o[11] = gridDim.z;
}
JGROK_REGISTER_KERNEL(selftest_indices);

// Per-block sum of x[0..n) into partial[blockIdx.x]: each thread loads one element into a static __shared__ array,
// then a tree reduction halves the active threads per step with a barrier between steps. Launch: blocks of
// exactly 256 threads (the shared array's size), ceil(n / 256) blocks.
extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) selftest_block_sum_f32(
        const float* x, float* partial, int n) {
    __shared__ float buf[256];
    const int t = threadIdx.x;
    const int i = blockIdx.x * 256 + t;
    buf[t] = i < n ? x[i] : 0.0f;
    __syncthreads();
    for (int stride = 128; stride > 0; stride >>= 1) {
        if (t < stride) {
            buf[t] += buf[t + stride];
        }
        __syncthreads();
    }
    if (t == 0) {
        partial[blockIdx.x] = buf[0];
    }
}
JGROK_REGISTER_KERNEL(selftest_block_sum_f32);

// The same reduction in double through dynamic shared memory (blockDim.x doubles, a power of two), any block size.
extern "C" __global__ void selftest_block_sum_dynamic_f64(const double* x, double* partial, int n) {
    JGROK_DYNAMIC_SHARED(double, buf);
    const int t = threadIdx.x;
    const int i = blockIdx.x * blockDim.x + t;
    buf[t] = i < n ? x[i] : 0.0;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (t < stride) {
            buf[t] += buf[t + stride];
        }
        __syncthreads();
    }
    if (t == 0) {
        partial[blockIdx.x] = buf[0];
    }
}
JGROK_REGISTER_KERNEL(selftest_block_sum_dynamic_f64);

// Every warp intrinsic once, one element per thread, n a multiple of 32 and of the block size (full warps):
//   xor_sum[i]   float butterfly sum of the warp's x (__shfl_xor_sync): every lane holds the total
//   down_sum[w]  double tree sum of the warp's x (__shfl_down_sync), written by lane 0
//   up_scan[i]   int inclusive prefix sum of (i % 7) within the warp (__shfl_up_sync)
//   bcast[i]     x of lane 3 of the warp (__shfl_sync), bcast8[i]: x of lane 1 of each group of 8 (width 8)
//   ballot[w]    lanes with x > 0 (__ballot_sync); votes[w] = all(x > -10) | any(x > 0) << 1 | all(x > 0) << 2
//   reduce[w]    __reduce_add_sync, __reduce_min_sync, __reduce_max_sync of (int)(x * 100)
extern "C" __global__ void selftest_warp_ops(const float* x, float* xor_sum, double* down_sum, int* up_scan,
                                             float* bcast, float* bcast8, unsigned int* ballot, int* votes,
                                             int* reduce, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) {
        return;  // whole warps only: n is a multiple of 32
    }
    const int lane = i & 31, warp = i >> 5;
    const float v = x[i];

    float s = v;
    for (int m = 16; m > 0; m >>= 1) {
        s += __shfl_xor_sync(JGROK_FULL_MASK, s, m);
    }
    xor_sum[i] = s;

    double d = v;
    for (int off = 16; off > 0; off >>= 1) {
        d += __shfl_down_sync(JGROK_FULL_MASK, d, off);
    }
    if (lane == 0) {
        down_sum[warp] = d;
    }

    int scan = i % 7;
    for (int off = 1; off < 32; off <<= 1) {
        int other = __shfl_up_sync(JGROK_FULL_MASK, scan, off);
        if (lane >= off) {
            scan += other;
        }
    }
    up_scan[i] = scan;

    bcast[i] = __shfl_sync(JGROK_FULL_MASK, v, 3);
    bcast8[i] = __shfl_sync(JGROK_FULL_MASK, v, 1, 8);

    unsigned int b = __ballot_sync(JGROK_FULL_MASK, v > 0.0f);
    int all_gt = __all_sync(JGROK_FULL_MASK, v > -10.0f);
    int any_pos = __any_sync(JGROK_FULL_MASK, v > 0.0f);
    int all_pos = __all_sync(JGROK_FULL_MASK, v > 0.0f);
    int q = (int)(v * 100.0f);
    int r_add = __reduce_add_sync(JGROK_FULL_MASK, q);
    int r_min = __reduce_min_sync(JGROK_FULL_MASK, q);
    int r_max = __reduce_max_sync(JGROK_FULL_MASK, q);
    if (lane == 0) {
        ballot[warp] = b;
        votes[warp] = (all_gt ? 1 : 0) | (any_pos ? 2 : 0) | (all_pos ? 4 : 0);
        reduce[3 * warp] = r_add;
        reduce[3 * warp + 1] = r_min;
        reduce[3 * warp + 2] = r_max;
    }
}
JGROK_REGISTER_KERNEL(selftest_warp_ops);

// Atomics from every thread of the grid (n threads in all):
//   counters[0] += 1 (int), counters[1] = max over i of (i * 7919) % n, counters[2] = min of the same,
//   counters[3]: CAS from -1 to i (one thread wins), counters[4] += 1 for the winner only;
//   u64[0] += i (unsigned long long); f32[0] += 0.5f; f64[0] += 0.25 (exact in any order).
extern "C" __global__ void selftest_atomics(int* counters, unsigned long long* u64, float* f32, double* f64, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) {
        return;
    }
    atomicAdd(&counters[0], 1);
    const int key = (int)(((long long)i * 7919) % n);
    atomicMax(&counters[1], key);
    atomicMin(&counters[2], key);
    if (atomicCAS(&counters[3], -1, i) == -1) {
        atomicAdd(&counters[4], 1);
    }
    atomicAdd(&u64[0], (unsigned long long)i);
    atomicAdd(&f32[0], 0.5f);
    atomicAdd(&f64[0], 0.25);
}
JGROK_REGISTER_KERNEL(selftest_atomics);

// Per block: out[3b] = __syncthreads_count(x > 0), out[3b+1] = __syncthreads_and(x > 0), out[3b+2] = _or.
extern "C" __global__ void selftest_barrier_votes(const float* x, int* out) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    const int pred = x[i] > 0.0f;
    const int count = __syncthreads_count(pred);
    const int all = __syncthreads_and(pred);
    const int any = __syncthreads_or(pred);
    if (threadIdx.x == 0) {
        out[3 * blockIdx.x] = count;
        out[3 * blockIdx.x + 1] = all;
        out[3 * blockIdx.x + 2] = any;
    }
}
JGROK_REGISTER_KERNEL(selftest_barrier_votes);

// out[k * n + i] = the k-th function of x[i], in the order of MATH_FUNCTIONS in DeviceContractTest:
//   expf, __expf, logf(|x|+1e-3), __logf(|x|+1e-3), log1pf(|x|), sqrtf(|x|), rsqrtf(|x|+1e-3), tanhf, fmaf(x,x,1),
//   fmaxf(x,0), fminf(x,0), fabsf, __fdividef(x, 3), bits round trip, isfinite(x / (x - x)) (0 or 1),
//   exp, log(|x|+1e-3), log1p(|x|), sqrt(|x|) in double, cast to float.
extern "C" __global__ void selftest_math(const float* x, float* out, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) {
        return;
    }
    const float v = x[i];
    const float a = fabsf(v);
    const double dv = v;
    float r[19];
    r[0] = expf(v);
    r[1] = __expf(v);
    r[2] = logf(a + 1e-3f);
    r[3] = __logf(a + 1e-3f);
    r[4] = log1pf(a);
    r[5] = sqrtf(a);
    r[6] = rsqrtf(a + 1e-3f);
    r[7] = tanhf(v);
    r[8] = fmaf(v, v, 1.0f);
    r[9] = fmaxf(v, 0.0f);
    r[10] = fminf(v, 0.0f);
    r[11] = fabsf(v);
    r[12] = __fdividef(v, 3.0f);
    r[13] = __int_as_float(__float_as_int(v));
    r[14] = isfinite(v / (v - v)) ? 1.0f : 0.0f;
    r[15] = (float)exp(dv);
    r[16] = (float)log(fabs(dv) + 1e-3);
    r[17] = (float)log1p(fabs(dv));
    r[18] = (float)sqrt(fabs(dv));
    for (int k = 0; k < 19; k++) {
        out[k * n + i] = r[k];
    }
}
JGROK_REGISTER_KERNEL(selftest_math);

// Reads a static and the dynamic __shared__ array before writing them, then writes them with the block index.
// On the emulated device both reads must see the 0xFF poison in every block (nothing left over from the previous
// block run on the same host thread). Never meaningful on a GPU, where unwritten shared memory is undefined.
extern "C" __global__ void selftest_shared_poison(unsigned int* out_static, unsigned int* out_dynamic) {
    __shared__ unsigned int tile[64];
    JGROK_DYNAMIC_SHARED(unsigned int, dyn);
    const int t = threadIdx.x;
    const int i = blockIdx.x * blockDim.x + t;
    out_static[i] = tile[t];
    out_dynamic[i] = dyn[t];
    __syncthreads();
    tile[t] = blockIdx.x;
    dyn[t] = blockIdx.x;
}
JGROK_REGISTER_KERNEL(selftest_shared_poison);

// For the emulator's throughput benchmark (EmulatorLaunchBench): `rounds` of "write my slot, barrier, read my
// neighbour's, barrier" (2 barriers per round), then `shuffles` butterfly shuffles, per thread; out[i] gets the
// result so nothing is optimised away. Blocks of at most 1024 threads, a multiple of 32.
extern "C" __global__ void selftest_sync_loop(float* out, int rounds, int shuffles) {
    __shared__ float slot[1024];
    const int t = threadIdx.x;
    float v = (float)t;
    for (int r = 0; r < rounds; r++) {
        slot[t] = v;
        __syncthreads();
        v += slot[(t + 1) % blockDim.x];
        __syncthreads();
    }
    for (int r = 0; r < shuffles; r++) {
        v += __shfl_xor_sync(JGROK_FULL_MASK, v, 1 << (r % 5));
    }
    out[blockIdx.x * blockDim.x + t] = v;
}
JGROK_REGISTER_KERNEL(selftest_sync_loop);
