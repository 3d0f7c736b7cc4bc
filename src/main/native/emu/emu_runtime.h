// emu_runtime.h: the emulator runtime's internal interface: a loaded kernel library and an executor of launches.
//
// The kernel library (libjgrok_emu_kernels.so: the kernel sources + emu_module.cpp) is loaded like a CUDA module;
// its registry lists the kernels. An Executor runs one launch at a time to completion: the fiber executor
// (emu_fibers.cpp) spreads blocks over a pool of host threads and runs each block's threads as fibers; the threads
// executor (emu_threads.cpp, the ThreadSanitizer build) runs one block at a time with a real thread per CUDA thread.
// Exactly one of the two is linked into a runtime library.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "emu_kernel.h"
#include "emu_types.h"

namespace cuda_emu {

// A byte range to poison (0xFF) before every block: where the block's static __shared__ variables live.
struct ByteRange {
    char* start = nullptr;
    size_t size = 0;
};

class KernelModule {
public:
    // Loads the kernel library at path; throws std::runtime_error with a one-line message.
    static std::unique_ptr<KernelModule> load(const std::string& path);
    ~KernelModule();

    const std::vector<KernelInfo>& kernels() const { return kernels_; }

    // The calling thread's static __shared__ storage (fiber build: its thread-local block of the kernel library;
    // threads build: the library's jgrok_emu_shared section).
    ByteRange static_shared_for_this_thread() const;

private:
    void* handle_ = nullptr;
    std::vector<KernelInfo> kernels_;
    void* (*tls_anchor_)() = nullptr;
    void (*shared_section_)(char**, size_t*) = nullptr;
};

// The kernel's line of the manifest (kernels/jgrok.kernels, EmulatorNative.kernelManifest):
// "name signature[ launch_bounds=T[,B][ exact]]", signature letters as in emu_kernel.h.
std::string manifest_line(const KernelInfo& k);

struct Launch {
    const KernelModule* module;
    const KernelInfo* kernel;
    void** params;
    dim3 grid;
    dim3 block;
    size_t dynamic_shared;
};

class Executor {
public:
    // workers: host threads for blocks (fiber build); ignored by the threads build.
    static std::unique_ptr<Executor> create(int workers);
    virtual ~Executor() = default;

    // Runs the launch to completion; returns "" or a one-line error.
    virtual std::string run(const Launch& launch) = 0;

    // "fibers, 8 host threads" / "threads (ThreadSanitizer build)".
    virtual std::string describe() const = 0;
};

// Per host thread: the running block's dynamic shared memory (see dynamic_shared_base()).
extern __thread void* tls_dynamic_shared;

// "kernel NAME block (x,y,z): " for error messages.
std::string block_prefix(const Launch& launch, const uint3& block);

}  // namespace cuda_emu
