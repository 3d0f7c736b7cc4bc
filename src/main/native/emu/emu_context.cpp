// emu_context.cpp: Context::prepare/swap (emu_context.h): the assembly switch on x86-64, ucontext elsewhere.
#include "emu_context.h"

#include <cstdint>
#include <cstring>

#ifdef CUDA_EMU_ASM_CONTEXT
extern "C" void cuda_emu_swap_context(void** save_sp, void* load_sp);
extern "C" void cuda_emu_context_start();
#endif

namespace cuda_emu {

#ifdef CUDA_EMU_ASM_CONTEXT

void Context::prepare(char* stack, size_t size, void (*entry)(void*), void* arg) {
    uintptr_t top = ((uintptr_t)(stack + size)) & ~(uintptr_t)15;
    // The frame cuda_emu_swap_context pops, lowest address first: mxcsr+x87cw, r15, r14, r13, r12, rbx, rbp, return
    // address. After its ret the stack pointer is frame + 64, which must be 16-byte aligned for the call that
    // cuda_emu_context_start makes.
    uint64_t* frame = (uint64_t*)(top - 16 - 64);
    uint32_t mxcsr;
    uint16_t x87cw;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(x87cw));
    frame[0] = (uint64_t)mxcsr | ((uint64_t)x87cw << 32);
    frame[1] = 0;                                    // r15
    frame[2] = 0;                                    // r14
    frame[3] = (uint64_t)(uintptr_t)entry;           // r13
    frame[4] = (uint64_t)(uintptr_t)arg;             // r12
    frame[5] = 0;                                    // rbx
    frame[6] = 0;                                    // rbp
    frame[7] = (uint64_t)(uintptr_t)&cuda_emu_context_start;
    sp_ = frame;
}

void Context::swap(Context& from, Context& to) {
    cuda_emu_swap_context(&from.sp_, to.sp_);
}

#else

namespace {
// makecontext passes int arguments only: split the two pointers into 32-bit halves.
void ucontext_entry(unsigned e_lo, unsigned e_hi, unsigned a_lo, unsigned a_hi) {
    auto entry = (void (*)(void*))(uintptr_t)(((uint64_t)e_hi << 32) | e_lo);
    void* arg = (void*)(uintptr_t)(((uint64_t)a_hi << 32) | a_lo);
    entry(arg);
}
}  // namespace

void Context::prepare(char* stack, size_t size, void (*entry)(void*), void* arg) {
    getcontext(&uc_);
    uc_.uc_stack.ss_sp = stack;
    uc_.uc_stack.ss_size = size;
    uc_.uc_link = nullptr;
    uint64_t e = (uint64_t)(uintptr_t)entry, a = (uint64_t)(uintptr_t)arg;
    makecontext(&uc_, (void (*)())ucontext_entry, 4, (unsigned)e, (unsigned)(e >> 32), (unsigned)a,
                (unsigned)(a >> 32));
}

void Context::swap(Context& from, Context& to) {
    swapcontext(&from.uc_, &to.uc_);
}

#endif

}  // namespace cuda_emu
