// emu_kernel.h: launch by name for the host compiler: kernel registration and argument unpacking.
//
// A kernel is registered with JGROK_REGISTER_KERNEL(name) after its definition (jgrok_cuda.cuh defines the macro
// empty for nvcc). Here it records, in the kernel library's registry, the kernel's name, a trampoline that calls it
// with arguments unpacked from cuLaunchKernel-style kernelParams (an array of pointers, one per argument, each to
// that argument's value), and its signature: one letter per parameter (p pointer, i 32-bit integer, l 64-bit
// integer, f float, d double). Java checks KernelArgs against the signature before every launch, on the emulated
// device and (through the manifest written by `make kernels`) on a GPU, where cuLaunchKernel cannot check.
// Any other parameter type (a struct by value, bool, char, a reference) is a compile error: keep kernel interfaces
// to what KernelArgs can pack.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace cuda_emu {
using KernelTrampoline = void (*)(void** params);

struct KernelInfo {
    const char* name;
    KernelTrampoline trampoline;
    const char* signature;
    // The kernel's launch bounds (0: none), read from the source by tools/LaunchBounds.java (g++ ignores
    // __launch_bounds__) and merged in by emu_module.cpp: at most max_threads threads per block, exactly that many
    // when exact (JGROK_EXACT_LAUNCH_BOUNDS); min_blocks is nvcc's minBlocksPerSM, recorded for the manifest.
    int max_threads = 0;
    int min_blocks = 0;
    bool exact = false;
};

// One row of the generated table (target/cuda/jgrok_launch_bounds.cpp), terminated by a row with a null name.
struct LaunchBounds {
    const char* name;
    int max_threads;
    int min_blocks;
    bool exact;
};

// Adds a kernel to the kernel library's registry (emu_module.cpp); called by static initialisers at load time.
void register_kernel(const KernelInfo& info);

template <class T>
struct always_false : std::false_type {};

template <class T>
constexpr char param_code() {
    if constexpr (std::is_pointer<T>::value) {
        return 'p';
    } else if constexpr (std::is_same<T, float>::value) {
        return 'f';
    } else if constexpr (std::is_same<T, double>::value) {
        return 'd';
    } else if constexpr (std::is_integral<T>::value && !std::is_same<T, bool>::value && sizeof(T) == 4) {
        return 'i';
    } else if constexpr (std::is_integral<T>::value && sizeof(T) == 8) {
        return 'l';
    } else {
        static_assert(always_false<T>::value,
                      "kernel parameters must be pointers, 32/64-bit integers, float or double (KernelArgs types)");
        return '?';
    }
}

template <auto Kernel>
struct KernelTraits;

template <class... Params, void (*Kernel)(Params...)>
struct KernelTraits<Kernel> {
    static constexpr char signature[] = {param_code<std::remove_cv_t<Params>>()..., '\0'};

    static void trampoline(void** params) {
        call(params, std::index_sequence_for<Params...>{});
    }

    template <std::size_t... I>
    static void call(void** params, std::index_sequence<I...>) {
        (void)params;
        Kernel(*static_cast<std::remove_cv_t<Params>*>(params[I])...);
    }
};

struct KernelRegistration {
    explicit KernelRegistration(const KernelInfo& info) {
        register_kernel(info);
    }
};
}  // namespace cuda_emu

#define JGROK_EMU_REGISTER_KERNEL(name)                                                                        \
    static const ::cuda_emu::KernelRegistration jgrok_kernel_registration_##name(::cuda_emu::KernelInfo{       \
            #name, &::cuda_emu::KernelTraits<&name>::trampoline, ::cuda_emu::KernelTraits<&name>::signature, 0, 0, false})
