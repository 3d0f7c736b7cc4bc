// emu_context_x86_64.S: the fiber context switch of emu_context.h for x86-64 (System V ABI).
//
// cuda_emu_swap_context(void** save_sp, void* load_sp) pushes the callee-saved registers, the SSE control/status
// word and the x87 control word on the current stack, stores the stack pointer in *save_sp, loads load_sp and pops
// the same set from there. Caller-saved registers need no saving: the switch is an ordinary function call.
// A fresh fiber's stack is laid out by Context::prepare so that the first switch "returns" into
// cuda_emu_context_start with r12 = argument and r13 = entry function.
#if defined(__x86_64__)
        .text
        .globl  cuda_emu_swap_context
        .hidden cuda_emu_swap_context
        .type   cuda_emu_swap_context, @function
cuda_emu_swap_context:
        .cfi_startproc
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $8, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .cfi_endproc
        .size   cuda_emu_swap_context, .-cuda_emu_swap_context

        .globl  cuda_emu_context_start
        .hidden cuda_emu_context_start
        .type   cuda_emu_context_start, @function
cuda_emu_context_start:
        .cfi_startproc
        .cfi_undefined rip
        movq    %r12, %rdi
        callq   *%r13
        ud2
        .cfi_endproc
        .size   cuda_emu_context_start, .-cuda_emu_context_start
#endif
        .section .note.GNU-stack,"",@progbits
