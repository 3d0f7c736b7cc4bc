// emu_context.h: user-level context switching for the fiber runtime.
//
// Every CUDA thread of a block is a fiber with its own stack; a fiber runs until it waits at a barrier or a warp
// collective and then switches back to the block scheduler. A launch of 512 blocks of 256 threads with 4 barriers
// switches about a million times, so the switch must be cheap: on x86-64 it is a few instructions of assembly
// (emu_context_x86_64.S) that save the callee-saved registers and the stack pointer; elsewhere it falls back to
// ucontext's swapcontext, which is correct but slower (it saves the signal mask with a system call).
#pragma once

#include <cstddef>

#if defined(__x86_64__) && !defined(CUDA_EMU_UCONTEXT)
#define CUDA_EMU_ASM_CONTEXT 1
#else
#include <ucontext.h>
#endif

namespace cuda_emu {

class Context {
public:
    // Prepares this context to run entry(arg) on [stack, stack + size) at the first swap into it. entry must never
    // return: it ends by swapping to another context for good.
    void prepare(char* stack, size_t size, void (*entry)(void*), void* arg);

    // Saves the running context into from and continues in to.
    static void swap(Context& from, Context& to);

private:
#ifdef CUDA_EMU_ASM_CONTEXT
    void* sp_ = nullptr;
#else
    ucontext_t uc_;
#endif
};

}  // namespace cuda_emu
