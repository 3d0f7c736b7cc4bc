// emu_atomics.h: CUDA atomic functions and memory fences for the host compiler.
//
// Atomics are real host atomics with relaxed ordering, as on a GPU: blocks of one launch run on several host
// threads, so an atomicAdd on global memory must be atomic across them; and relaxed (not seq_cst) so that the
// ThreadSanitizer build does not see synchronisation that a GPU would not provide (a missing barrier stays visible).
// float/double add, min and max are compare-and-swap loops, as atomicAdd(double*) once was on GPUs.
// __threadfence* are sequentially consistent fences (stronger than needed, never weaker).
#pragma once

#include <cstdint>
#include <cstring>

namespace cuda_emu {
template <class T, class Bits, class F>
inline T atomic_update_bits(T* address, F update) {
    static_assert(sizeof(T) == sizeof(Bits), "bit type must match");
    Bits* p = reinterpret_cast<Bits*>(address);
    Bits old_bits = __atomic_load_n(p, __ATOMIC_RELAXED);
    for (;;) {
        T old_value;
        std::memcpy(&old_value, &old_bits, sizeof(T));
        T new_value = update(old_value);
        Bits new_bits;
        std::memcpy(&new_bits, &new_value, sizeof(T));
        if (__atomic_compare_exchange_n(p, &old_bits, new_bits, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            return old_value;
        }
    }
}
}  // namespace cuda_emu

#define CUDA_EMU_INTEGER_ATOMICS(T)                                                                   \
    inline T atomicAdd(T* a, T v) { return __atomic_fetch_add(a, v, __ATOMIC_RELAXED); }            \
    inline T atomicExch(T* a, T v) { return __atomic_exchange_n(a, v, __ATOMIC_RELAXED); }          \
    inline T atomicAnd(T* a, T v) { return __atomic_fetch_and(a, v, __ATOMIC_RELAXED); }            \
    inline T atomicOr(T* a, T v) { return __atomic_fetch_or(a, v, __ATOMIC_RELAXED); }              \
    inline T atomicXor(T* a, T v) { return __atomic_fetch_xor(a, v, __ATOMIC_RELAXED); }            \
    inline T atomicMin(T* a, T v) {                                                                  \
        return cuda_emu::atomic_update_bits<T, T>(a, [v](T old) { return old < v ? old : v; });     \
    }                                                                                                \
    inline T atomicMax(T* a, T v) {                                                                  \
        return cuda_emu::atomic_update_bits<T, T>(a, [v](T old) { return old > v ? old : v; });     \
    }                                                                                                \
    inline T atomicCAS(T* a, T compare, T v) {                                                       \
        __atomic_compare_exchange_n(a, &compare, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);     \
        return compare;                                                                              \
    }

// Only the overloads CUDA itself has (checked against nvcc 13 for sm_80 and sm_90), so that a kernel the emulator
// compiles also compiles for a GPU: the full set for int, unsigned int and unsigned long long; for signed long long
// only min and max.
CUDA_EMU_INTEGER_ATOMICS(int)
CUDA_EMU_INTEGER_ATOMICS(unsigned int)
CUDA_EMU_INTEGER_ATOMICS(unsigned long long int)
#undef CUDA_EMU_INTEGER_ATOMICS
inline long long int atomicMin(long long int* a, long long int v) {
    return cuda_emu::atomic_update_bits<long long int, long long int>(
            a, [v](long long int old) { return old < v ? old : v; });
}
inline long long int atomicMax(long long int* a, long long int v) {
    return cuda_emu::atomic_update_bits<long long int, long long int>(
            a, [v](long long int old) { return old > v ? old : v; });
}

inline int atomicSub(int* a, int v) { return __atomic_fetch_sub(a, v, __ATOMIC_RELAXED); }
inline unsigned int atomicSub(unsigned int* a, unsigned int v) { return __atomic_fetch_sub(a, v, __ATOMIC_RELAXED); }

// ((old >= limit) ? 0 : old + 1) and (((old == 0) || (old > limit)) ? limit : old - 1), as CUDA defines them.
inline unsigned int atomicInc(unsigned int* a, unsigned int limit) {
    return cuda_emu::atomic_update_bits<unsigned int, unsigned int>(
            a, [limit](unsigned int old) { return old >= limit ? 0u : old + 1u; });
}
inline unsigned int atomicDec(unsigned int* a, unsigned int limit) {
    return cuda_emu::atomic_update_bits<unsigned int, unsigned int>(
            a, [limit](unsigned int old) { return (old == 0u || old > limit) ? limit : old - 1u; });
}

inline float atomicAdd(float* a, float v) {
    return cuda_emu::atomic_update_bits<float, uint32_t>(a, [v](float old) { return old + v; });
}
inline double atomicAdd(double* a, double v) {
    return cuda_emu::atomic_update_bits<double, uint64_t>(a, [v](double old) { return old + v; });
}
inline float atomicExch(float* a, float v) {
    return cuda_emu::atomic_update_bits<float, uint32_t>(a, [v](float) { return v; });
}

inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_system() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
