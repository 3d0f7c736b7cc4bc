// emu_manifest.cpp: prints the kernel manifest of an emulator kernel library: one line per kernel, its name,
// signature (letters as in emu_kernel.h) and launch bounds (cuda_emu::manifest_line). `make kernels` writes it to
// kernels/jgrok.kernels, which CudaDevice uses to check launches (cuLaunchKernel cannot check a signature) and
// tools/PtxasReport.java and tools/LaunchBounds.java use to find unregistered kernels and compare bounds.
#include <cstdio>
#include <exception>

#include "emu_runtime.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s libjgrok_emu_kernels.so\n", argv[0]);
        return 2;
    }
    try {
        auto module = cuda_emu::KernelModule::load(argv[1]);
        for (const cuda_emu::KernelInfo& k : module->kernels()) {
            std::printf("%s\n", cuda_emu::manifest_line(k).c_str());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "jgrok_emu_manifest: %s\n", e.what());
        return 1;
    }
    return 0;
}
