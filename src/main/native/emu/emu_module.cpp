// emu_module.cpp: linked into the emulator's kernel library (with the kernel sources): the kernel registry and the
// hooks the runtime uses to find the library's static __shared__ storage.
//
// Kernel files register their kernels from static initialisers (JGROK_REGISTER_KERNEL); the runtime reads the list
// through jgrok_emu_module_kernels after dlopen. In the fiber build, __shared__ variables are thread_local and this
// library's thread-local block holds nothing else (the anchor below is one byte), so the runtime poisons that whole
// block before each block of threads; in the threads build they live in section jgrok_emu_shared instead.
#include <vector>

#include "emu_kernel.h"

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

JGROK_EMU_EXPORT const cuda_emu::KernelInfo* jgrok_emu_module_kernels(int* count) {
    *count = (int)registry().size();
    return registry().data();
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
