// emu_module.cpp: linked into the emulator's kernel library (with the kernel sources): the kernel registry and the
// hooks the runtime uses to find the library's static __shared__ storage.
//
// Kernel files register their kernels from static initialisers (JGROK_REGISTER_KERNEL); the runtime reads the list
// through jgrok_emu_module_kernels after dlopen. In the fiber build, __shared__ variables are thread_local and this
// library's thread-local block holds nothing else (the anchor below is one byte), so the runtime poisons that whole
// block before each block of threads; in the threads build they live in section jgrok_emu_shared instead.
#include <cstring>
#include <string>
#include <vector>

#include "emu_kernel.h"

// Every kernel's launch bounds, generated from the sources by tools/LaunchBounds.java (target/cuda/
// jgrok_launch_bounds.cpp), since g++ does not see __launch_bounds__; merged into the registry on first use.
extern const cuda_emu::LaunchBounds jgrok_emu_launch_bounds[];

#define JGROK_EMU_EXPORT extern "C" __attribute__((visibility("default")))

namespace {
std::vector<cuda_emu::KernelInfo>& registry() {
    static std::vector<cuda_emu::KernelInfo> kernels;
    return kernels;
}
}  // namespace

void cuda_emu::register_kernel(const KernelInfo& info) {
    registry().push_back(info);
}

namespace {
// "" or why the bounds table does not fit the registry (a bound for a kernel nobody registered).
std::string& bounds_error() {
    static std::string error;
    return error;
}

void merge_launch_bounds() {
    static bool merged = false;
    if (merged) {
        return;
    }
    merged = true;
    for (const cuda_emu::LaunchBounds* b = jgrok_emu_launch_bounds; b->name != nullptr; ++b) {
        bool found = false;
        for (cuda_emu::KernelInfo& k : registry()) {
            if (std::strcmp(k.name, b->name) == 0) {
                k.max_threads = b->max_threads;
                k.min_blocks = b->min_blocks;
                k.exact = b->exact;
                found = true;
            }
        }
        if (!found && bounds_error().empty()) {
            bounds_error() = std::string("launch bounds for kernel ") + b->name + ", which is not registered (rebuild: "
                             "make emulator)";
        }
    }
}
}  // namespace

JGROK_EMU_EXPORT const cuda_emu::KernelInfo* jgrok_emu_module_kernels(int* count) {
    merge_launch_bounds();
    *count = (int)registry().size();
    return registry().data();
}

// "" when the module is consistent, else a one-line reason (KernelModule::load fails with it).
JGROK_EMU_EXPORT const char* jgrok_emu_module_error() {
    merge_launch_bounds();
    return bounds_error().c_str();
}

#if defined(CUDA_EMU_THREADS)
extern "C" char __start_jgrok_emu_shared[] __attribute__((weak));
extern "C" char __stop_jgrok_emu_shared[] __attribute__((weak));

JGROK_EMU_EXPORT void jgrok_emu_module_shared_section(char** start, size_t* size) {
    *start = __start_jgrok_emu_shared;
    *size = (size_t)(__stop_jgrok_emu_shared - __start_jgrok_emu_shared);
}
#else
namespace {
thread_local char tls_anchor;
}

JGROK_EMU_EXPORT void* jgrok_emu_module_tls_anchor() {
    return &tls_anchor;
}
#endif
