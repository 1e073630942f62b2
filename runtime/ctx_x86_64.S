/*
 * ctx_x86_64.S - goroutine context switch for x86-64 System V.
 *
 * A saved context is just a stack pointer; the stack holds, from sp upwards:
 *   r15 r14 r13 r12 rbx rbp <return address>
 * Only callee-saved registers need saving: rt_ctx_switch is an ordinary call, so the
 * compiler already spilled everything else.  MXCSR and the x87 control word are not
 * switched (Go does not either): they are per-program settings, not per-goroutine.
 * stack.c and panic.c rely on this layout to unwind parked goroutines.
 */
    .text

/* Push the callee-saved registers in the layout above and store sp in *save (rdi). */
.macro CTX_SAVE
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
.endm

/* void rt_ctx_switch(void **save, void *new_sp) */
    .globl rt_ctx_switch
    .type rt_ctx_switch, @function
    .p2align 4
rt_ctx_switch:
    .cfi_startproc
    CTX_SAVE
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .cfi_endproc
    .size rt_ctx_switch, .-rt_ctx_switch

/* void rt_ctx_start(void **save, char *hi, void (*entry)(void *), void *arg)
 * Save as rt_ctx_switch does, then run entry(arg) at the top of the new stack; the
 * new sp equals what rt_ctx_make's frame leaves after its `ret`. */
    .globl rt_ctx_start
    .type rt_ctx_start, @function
    .p2align 4
rt_ctx_start:
    .cfi_startproc
    CTX_SAVE
    andq $-16, %rsi
    leaq -16(%rsi), %rsp
    movq %rdx, %r12
    movq %rcx, %r13
    jmp rt_ctx_entry
    .cfi_endproc
    .size rt_ctx_start, .-rt_ctx_start

/*
 * First code a new context runs: rt_ctx_make left entry in r12 and arg in r13.  The
 * return address is marked undefined so libunwind and gdb stop here instead of walking
 * into garbage above the goroutine's stack.
 */
    .globl rt_ctx_entry
    .type rt_ctx_entry, @function
    .p2align 4
rt_ctx_entry:
    .cfi_startproc
    .cfi_undefined rip
    xorl %ebp, %ebp
    movq %r13, %rdi
    callq *%r12
    ud2
    .cfi_endproc
    .size rt_ctx_entry, .-rt_ctx_entry

    .section .note.GNU-stack,"",@progbits
