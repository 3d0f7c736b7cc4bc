// emu_common.cpp: what both runtimes share: the built-in index variables, clock64, messages, and loading the
// kernel library (KernelModule).
#include <dlfcn.h>
#include <link.h>

#include <chrono>
#include <stdexcept>

#include "emu_runtime.h"

namespace cuda_emu {

__thread uint3 tls_thread_idx;
__thread uint3 tls_block_idx;
__thread dim3 tls_block_dim;
__thread dim3 tls_grid_dim;
__thread void* tls_dynamic_shared;

void* dynamic_shared_base() {
    return tls_dynamic_shared;
}

std::string block_prefix(const Launch& launch, const uint3& b) {
    return std::string("kernel ") + launch.kernel->name + " block (" + std::to_string(b.x) + "," +
           std::to_string(b.y) + "," + std::to_string(b.z) + "): ";
}

std::unique_ptr<KernelModule> KernelModule::load(const std::string& path) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* err = dlerror();
        throw std::runtime_error(std::string("cannot load the emulator's kernel library: ") +
                                 (err != nullptr ? err : path));
    }
    auto list = (const KernelInfo* (*)(int*))dlsym(handle, "jgrok_emu_module_kernels");
    if (list == nullptr) {
        dlclose(handle);
        throw std::runtime_error(path + " is not an emulator kernel library (no jgrok_emu_module_kernels)");
    }
    std::unique_ptr<KernelModule> m(new KernelModule());
    m->handle_ = handle;
    int n = 0;
    const KernelInfo* k = list(&n);
    m->kernels_.assign(k, k + n);
    auto error = (const char* (*)())dlsym(handle, "jgrok_emu_module_error");
    if (error == nullptr) {
        throw std::runtime_error(path + " predates launch bounds (no jgrok_emu_module_error); rebuild it: make emulator");
    }
    if (error()[0] != '\0') {
        throw std::runtime_error(path + ": " + error());
    }
    m->tls_anchor_ = (void* (*)())dlsym(handle, "jgrok_emu_module_tls_anchor");
    m->shared_section_ = (void (*)(char**, size_t*))dlsym(handle, "jgrok_emu_module_shared_section");
    if (m->tls_anchor_ == nullptr && m->shared_section_ == nullptr) {
        throw std::runtime_error(path + " exports neither jgrok_emu_module_tls_anchor nor "
                                 "jgrok_emu_module_shared_section");
    }
    return m;
}

std::string manifest_line(const KernelInfo& k) {
    std::string line = std::string(k.name) + " " + k.signature;
    if (k.max_threads > 0) {
        line += " launch_bounds=" + std::to_string(k.max_threads);
        if (k.min_blocks > 0) {
            line += "," + std::to_string(k.min_blocks);
        }
        if (k.exact) {
            line += " exact";
        }
    }
    return line;
}

KernelModule::~KernelModule() {
    // The library stays loaded: worker threads may still hold thread-local blocks of it until they exit.
}

namespace {
struct TlsQuery {
    size_t module_id;
    ByteRange range;
};

int find_tls(struct dl_phdr_info* info, size_t, void* data) {
    auto* q = static_cast<TlsQuery*>(data);
    if (info->dlpi_tls_modid != q->module_id) {
        return 0;
    }
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type == PT_TLS && info->dlpi_tls_data != nullptr) {
            // .tdata (initialised, p_filesz bytes) comes first; __shared__ variables are all in .tbss after it.
            q->range.start = static_cast<char*>(info->dlpi_tls_data) + ph.p_filesz;
            q->range.size = ph.p_memsz - ph.p_filesz;
        }
    }
    return 1;
}
}  // namespace

ByteRange KernelModule::static_shared_for_this_thread() const {
    ByteRange r;
    if (shared_section_ != nullptr) {
        shared_section_(&r.start, &r.size);
        return r;
    }
    tls_anchor_();  // allocates this thread's block of the library's thread-local storage
    size_t module_id = 0;
    if (dlinfo(handle_, RTLD_DI_TLS_MODID, &module_id) != 0 || module_id == 0) {
        return r;
    }
    TlsQuery q{module_id, {}};
    dl_iterate_phdr(find_tls, &q);
    return q.range;
}

}  // namespace cuda_emu

long long int clock64() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
}
