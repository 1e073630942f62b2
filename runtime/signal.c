/*
 * signal.c - crashes reported like Go's: SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT and
 * SIGTRAP in a goroutine print which goroutine, the signal and its stack, and exit 2.
 *
 *   fault in a goroutine's guard page   runtime: goroutine stack exceeds N-byte limit
 *   (or its sp below the stack)         fatal error: stack overflow
 *   SIGSEGV below address 0x1000        panic: runtime error: invalid memory address or
 *                                       nil pointer dereference + [signal SIGSEGV: ...]
 *   other SIGSEGV / SIGBUS              unexpected fault address 0x..; fatal error: fault
 *   SIGFPE integer division             panic: runtime error: integer divide by zero
 *   anything else                       SIGABRT: abort + PC=0x.. m=N sigcode=N, registers
 *
 * Every M has an alternate signal stack (rt_signals_init_thread), so a goroutine that ran
 * out of stack can still be reported.  The handler runs with SA_NODEFER: a fault inside
 * the report re-enters it, and crash_begin turns that into "fatal error: unexpected
 * signal during crash report" instead of a silent kill.  The report itself uses write(2),
 * libunwind and the symbolizer (which may allocate: acceptable on a path that ends the
 * process, and the crash watchdog covers an allocator lock held by the crashed code).
 *
 * Ownership: each M's alternate stack is thread-local (sig_alt) and never freed; the main
 * thread's stack bounds (sig_main_lo/hi) are read once at start-up.
 */
#define _GNU_SOURCE
#include "crash.h"
#include "symbolize.h"
#include "os.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIG_ALTSTACK (256 * 1024)
#define SIG_PAGE 4096
#define SIG_NEAR (64 * 1024)   /* a fault this close below sp is the stack growing */

static __thread struct {
    char *lo, *hi;             /* usable alternate stack, above its guard page */
} sig_alt;

static uintptr_t sig_main_lo, sig_main_hi;   /* the main thread's native stack */
static void *sig_overflow_sp;                /* rt_stack_overflow: the goroutine's sp */

static const struct {
    int sig;
    const char *name, *desc;   /* Go's signal table wording */
} sig_names[] = {
    {SIGSEGV, "SIGSEGV", "segmentation violation"},
    {SIGBUS, "SIGBUS", "bus error"},
    {SIGFPE, "SIGFPE", "floating-point exception"},
    {SIGILL, "SIGILL", "illegal instruction"},
    {SIGABRT, "SIGABRT", "abort"},
    {SIGTRAP, "SIGTRAP", "trace trap"},
};
#define SIG_N (int)(sizeof sig_names / sizeof *sig_names)

static int sig_index(int sig)
{
    for (int i = 0; i < SIG_N; i++)
        if (sig_names[i].sig == sig)
            return i;
    return 0;
}

/* ---- deciding what happened ------------------------------------------------------------------- */

static bool sig_near(uintptr_t addr, uintptr_t sp)
{
    return addr + SIG_NEAR >= sp && addr < sp + SIG_NEAR;
}

/* A fault that means g ran out of stack: its guard page, or its sp already past it. */
static bool sig_is_overflow(const rt_g *g, uintptr_t addr, uintptr_t sp)
{
    if (g && g->stack_lo)
        return stack_is_guard(g, (void *)addr) || stack_is_guard(g, (void *)sp);
    if (g && g->id == 1 && sig_main_lo) /* main: the kernel's gap below the native stack */
        return (addr < sig_main_lo + SIG_PAGE && addr + 1024 * 1024 >= sig_main_lo) ||
               sp < sig_main_lo + SIG_PAGE || sig_near(addr, sp);
    return sig_near(addr, sp);
}

/* ---- reports ------------------------------------------------------------------------------------ */

static void sig_stack_line(int fd, const rt_g *g, uintptr_t sp)
{
    uintptr_t lo = 0, hi = 0;
    if (g && g->stack_lo) {
        lo = (uintptr_t)g->stack_lo + SIG_PAGE;
        hi = (uintptr_t)g->stack_hi;
    } else if (g && g->id == 1) {
        lo = sig_main_lo;
        hi = sig_main_hi;
    }
    crash_printf(fd, "runtime: goroutine stack exceeds %zu-byte limit\n",
                 (size_t)(hi - lo));
    crash_printf(fd, "runtime: sp=0x%lx stack=[0x%lx, 0x%lx]\n", (unsigned long)sp,
                 (unsigned long)lo, (unsigned long)hi);
    crash_printf(fd, "fatal error: stack overflow\n\n");
}

static void sig_signal_line(int sig, const siginfo_t *si, uintptr_t pc)
{
    int i = sig_index(sig);
    crash_printf(2, "[signal %s: %s code=0x%x addr=0x%lx pc=0x%lx]\n\n", sig_names[i].name,
                 sig_names[i].desc, (unsigned)si->si_code, (unsigned long)si->si_addr,
                 (unsigned long)pc);
}

static void sig_dump_regs(const ucontext_t *uc)
{
    static const struct {
        const char *name;
        int reg;
    } regs[] = {
        {"rax", REG_RAX}, {"rbx", REG_RBX}, {"rcx", REG_RCX}, {"rdx", REG_RDX},
        {"rdi", REG_RDI}, {"rsi", REG_RSI}, {"rbp", REG_RBP}, {"rsp", REG_RSP},
        {"r8", REG_R8},   {"r9", REG_R9},   {"r10", REG_R10}, {"r11", REG_R11},
        {"r12", REG_R12}, {"r13", REG_R13}, {"r14", REG_R14}, {"r15", REG_R15},
        {"rip", REG_RIP}, {"rflags", REG_EFL},
    };
    crash_printf(2, "\n");
    for (size_t i = 0; i < sizeof regs / sizeof *regs; i++)
        crash_printf(2, "%-7s0x%lx\n", regs[i].name,
                     (unsigned long)uc->uc_mcontext.gregs[regs[i].reg]);
}

/* The first lines of the report; returns the traceback flags.  *regs: Go dumps the
 * registers after the stack for signals it has no runtime error for. */
static int sig_describe(int sig, const siginfo_t *si, const rt_g *g, uintptr_t pc,
                        uintptr_t sp, bool *regs)
{
    uintptr_t addr = (uintptr_t)si->si_addr;
    int flags = TB_TOP;   /* a fault inside the runtime or libc shows where, too */
    if ((sig == SIGSEGV || sig == SIGBUS) && sig_is_overflow(g, addr, sp)) {
        sig_stack_line(2, g, sp);
        return flags;
    }
    if ((sig == SIGSEGV || sig == SIGBUS) && addr < 0x1000) {
        crash_printf(2, "panic: runtime error: invalid memory address or nil pointer "
                        "dereference\n");
    } else if (sig == SIGSEGV || sig == SIGBUS) {
        crash_printf(2, "unexpected fault address 0x%lx\nfatal error: fault\n",
                     (unsigned long)addr);
    } else if (sig == SIGFPE && (si->si_code == FPE_INTDIV || si->si_code == FPE_INTOVF)) {
        crash_printf(2, "panic: runtime error: integer %s\n",
                     si->si_code == FPE_INTDIV ? "divide by zero" : "overflow");
    } else {
        int i = sig_index(sig);
        crash_printf(2, "%s: %s\nPC=0x%lx m=%d sigcode=%llu\n\n", sig_names[i].name,
                     sig_names[i].desc, (unsigned long)pc, sched_m_id(),
                     (unsigned long long)(int64_t)si->si_code);
        *regs = true;
        return flags;
    }
    sig_signal_line(sig, si, pc);
    return flags;
}

static void sig_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    if ((sig == SIGSEGV || sig == SIGBUS) && tb_recover())
        return;   /* not reached: the walk resumes at its recovery point */
    if (!crash_begin()) {
        crash_printf(2, "fatal error: unexpected signal during crash report\n");
        crash_exit();
    }
    crash_flush_stdio(true);
    rt_g *g = sched_current();
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    bool regs = false;
    int flags = sig_describe(sig, si, g, pc, sp, &regs);
    tb_header(2, g, "running");
    tb_from_ucontext(2, g, uc, flags);
    if (regs)
        sig_dump_regs(uc);
    crash_exit();
}

/* ---- rt_stack_overflow: the detector's sp check ----------------------------------------------------- */

/* Runs on the M's alternate stack; the goroutine's context is saved at sig_overflow_sp. */
static void sig_overflow_report(void *arg)
{
    rt_g *g = arg;
    crash_flush_stdio(true);
    sig_stack_line(2, g, (uintptr_t)sig_overflow_sp);
    tb_header(2, g, "running");
    tb_from_saved_sp(2, g, sig_overflow_sp, 0);
    crash_exit();
}

void rt_stack_overflow(void)
{
    rt_g *g = sched_current();
    if (!crash_begin() || !sig_alt.hi) {
        /* no stack to report on: the message alone */
        sig_stack_line(2, g, (uintptr_t)__builtin_frame_address(0));
        crash_exit();
    }
    void *sp = rt_ctx_make(sig_alt.hi, sig_overflow_report, g);
    rt_ctx_switch(&sig_overflow_sp, sp);
    __builtin_unreachable();
}

/* ---- installation --------------------------------------------------------------------------------------- */

void rt_signals_init_thread(void)
{
    if (sig_alt.hi)
        return;
    char *p = mmap(NULL, SIG_ALTSTACK + SIG_PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (p == MAP_FAILED)
        return;   /* crashes still reported, except a stack overflow */
    mprotect(p, SIG_PAGE, PROT_NONE);
    stack_t ss = {.ss_sp = p + SIG_PAGE, .ss_size = SIG_ALTSTACK};
    if (sigaltstack(&ss, NULL) != 0) {
        munmap(p, SIG_ALTSTACK + SIG_PAGE);
        return;
    }
    sig_alt.lo = p + SIG_PAGE;
    sig_alt.hi = p + SIG_PAGE + SIG_ALTSTACK;
}

static void sig_main_stack_bounds(void)
{
    pthread_attr_t attr;
    void *lo;
    size_t size;
    if (rt_os_pthread_getattr_np(rt_os_pthread_self(), &attr) != 0)
        return;
    if (pthread_attr_getstack(&attr, &lo, &size) == 0) {
        sig_main_lo = (uintptr_t)lo;
        sig_main_hi = (uintptr_t)lo + size;
    }
    pthread_attr_destroy(&attr);
}

void rt_signals_init(void)
{
    sig_main_stack_bounds();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = sig_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < SIG_N; i++)
        sigaction(sig_names[i].sig, &sa, NULL);
}
