/*
 * traceback.c - goroutine stacks in Go's traceback format, for dumps and crash reports.
 *
 * A goroutine's registers come from one of three places, and all end in one libunwind walk:
 *   - the goroutine calling us: unw_getcontext (tb_from_here);
 *   - a goroutine off its stack (parked, or runnable after a yield): its saved context,
 *     which ctx_x86_64.S leaves as  sp -> r15 r14 r13 r12 rbx rbp <return address>,
 *     copied into a ucontext_t (libunwind's unw_context_t on x86-64);
 *   - a goroutine that faulted: the signal handler's ucontext (its pc is exact, not a
 *     return address, so it is looked up as is).
 * A walk ends at rt_ctx_entry (its return address is marked undefined), after main for
 * goroutine 1 (which runs on the thread's native stack), or after TB_MAX_STEPS frames.
 * Runtime and libc frames are hidden, except with TB_RUNTIME, above the first user frame
 * with TB_TOP (a fault inside them), or when nothing else is left (better than an empty
 * stack).  Long stacks print their first and last TB_HALF
 * frames around "...additional frames elided...", like Go.
 *
 * Cold paths only.  Reading another goroutine's stack is safe only while it cannot run:
 * the world is stopped (deadlock) or it is the goroutine that failed.
 */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include "crash.h"
#include "symbolize.h"

#include <libunwind.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TB_HALF 50
#define TB_MAX_STEPS (1L << 21)

typedef struct tb_walk {
    int flags;
    bool stop_at_main;        /* goroutine 1: main's callers are libc start-up code */
    bool skip_helpers;        /* drop the innermost tb_/crash_ frames (the report itself) */
    bool user_seen;           /* a user frame was reached (ends TB_TOP) */
    long nkept;
    /* [0, TB_HALF): the first frames; [TB_HALF, 2*TB_HALF): ring of the latest ones */
    uintptr_t pc[2 * TB_HALF];
    bool ret[2 * TB_HALF];    /* pc is a return address (look up pc - 1) */
} tb_walk;

static bool tb_is_helper(uintptr_t pc, bool ret)
{
    const char *f = sym_function(pc, ret);
    return strncmp(f, "tb_", 3) == 0 || strncmp(f, "crash_", 6) == 0;
}

/* Consider one frame; false ends the walk. */
static bool tb_visit(tb_walk *w, uintptr_t pc, bool ret)
{
    if (w->skip_helpers) {
        if (tb_is_helper(pc, ret))
            return true;
        w->skip_helpers = false;
    }
    bool show = (w->flags & TB_RUNTIME) || ((w->flags & TB_TOP) && !w->user_seen);
    if (!sym_is_runtime(ret ? pc - 1 : pc))
        w->user_seen = true;
    else if (!show)
        return true;
    long i = w->nkept < TB_HALF ? w->nkept : TB_HALF + (w->nkept - TB_HALF) % TB_HALF;
    w->pc[i] = pc;
    w->ret[i] = ret;
    w->nkept++;
    return !(w->stop_at_main && strcmp(sym_function(pc, ret), "main") == 0);
}

static void tb_walk_cursor(tb_walk *w, unw_cursor_t *c, bool ret)
{
    for (long n = 0; n < TB_MAX_STEPS; n++) {
        unw_word_t ip;
        if (unw_get_reg(c, UNW_REG_IP, &ip) < 0 || ip == 0)
            return;
        if (!tb_visit(w, (uintptr_t)ip, ret))
            return;
        /* the frame below a signal trampoline stopped at an exact pc */
        ret = unw_is_signal_frame(c) <= 0;
        if (unw_step(c) <= 0)
            return;
    }
}

static void tb_frame(int fd, uintptr_t pc, bool ret)
{
    char buf[2048];
    crash_puts(fd, buf, sym_format_frame(buf, sizeof buf, pc, ret));
}

static void tb_print_kept(int fd, const tb_walk *w)
{
    long n = w->nkept;
    for (long i = 0; i < n && i < TB_HALF; i++)
        tb_frame(fd, w->pc[i], w->ret[i]);
    if (n > 2 * TB_HALF)
        crash_printf(fd, "...additional frames elided...\n");
    for (long i = n - TB_HALF > TB_HALF ? n - TB_HALF : TB_HALF; i < n; i++) {
        long slot = TB_HALF + (i - TB_HALF) % TB_HALF;
        tb_frame(fd, w->pc[slot], w->ret[slot]);
    }
}

/* Where a fault while reading a stack returns to (see tb_recover). */
static __thread sigjmp_buf *tb_recover_point;
/* Walk state; thread-local rather than on the stack so that it is still valid after a
 * fault longjmps out of the walk. */
static __thread tb_walk tb_w;

bool tb_recover(void)
{
    if (!tb_recover_point)
        return false;
    siglongjmp(*tb_recover_point, 1);
}

/* One walk; false if it faulted (the stack changed under us, or is garbage). */
static bool tb_walk_guarded(tb_walk *w, unw_context_t *uc, bool exact_first)
{
    sigjmp_buf jb, *prev = tb_recover_point;
    bool ok = true;
    if (sigsetjmp(jb, 1) == 0) {
        tb_recover_point = &jb;
        unw_cursor_t c;
        if (unw_init_local2(&c, uc, exact_first ? UNW_INIT_SIGNAL_FRAME : 0) == 0)
            tb_walk_cursor(w, &c, !exact_first);
    } else {
        ok = false;
    }
    tb_recover_point = prev;
    return ok;
}

static void tb_walk_context(int fd, const rt_g *g, unw_context_t *uc, bool exact_first,
                            int flags, bool skip_helpers)
{
    static bool policy_set;
    if (!__atomic_exchange_n(&policy_set, true, __ATOMIC_ACQ_REL)) {
        /* per-thread cache: no lock inside libunwind that a fault could leave held */
        unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
    }
    tb_walk *w = &tb_w;
    bool ok = true;
    for (int pass = 0; pass < 2; pass++) {
        memset(w, 0, sizeof *w);
        w->flags = flags | (pass ? TB_RUNTIME : 0);
        w->stop_at_main = g && g->id == 1;
        w->skip_helpers = skip_helpers;
        ok = tb_walk_guarded(w, uc, exact_first);
        if (w->nkept || (w->flags & TB_RUNTIME) || !ok)
            break;
    }
    tb_print_kept(fd, w);
    if (!ok)
        crash_printf(fd, "\t...stack unreadable: it changed while being read\n");
}

/* Go: "created by main.main in goroutine 1" and the go statement's position. */
static void tb_created_by(int fd, const rt_g *g)
{
    if (!g || g->id <= 1 || g->ncreate < 1)
        return;
    sym_frame f;
    sym_lookup(g->create_pc[0], true, &f);
    crash_printf(fd, "created by %s() in goroutine %lld\n\t%s", f.func, (long long)g->parent_id,
                 f.file);
    if (f.line)
        crash_printf(fd, ":%d", f.line);
    crash_printf(fd, " +0x%lx\n", (unsigned long)f.offset);
}

void tb_header(int fd, const rt_g *g, const char *state)
{
    if (!g) /* a thread of the program's own, not run by the scheduler */
        crash_printf(fd, "thread %d (not a goroutine) [running]:\n", (int)gettid());
    else if (g->id == 0)
        crash_printf(fd, "runtime stack:\n");
    else
        crash_printf(fd, "goroutine %lld [%s]:\n", (long long)g->id, state);
}

void tb_from_ucontext(int fd, const rt_g *g, ucontext_t *uc, int flags)
{
    tb_walk_context(fd, g, uc, true, flags, false);
    tb_created_by(fd, g);
    crash_flush();
}

static void tb_saved(int fd, const rt_g *g, void *sp, int flags)
{
    const uintptr_t *s = sp;
    unw_context_t uc;
    memset(&uc, 0, sizeof uc);
    greg_t *r = uc.uc_mcontext.gregs;
    r[REG_R15] = (greg_t)s[0];
    r[REG_R14] = (greg_t)s[1];
    r[REG_R13] = (greg_t)s[2];
    r[REG_R12] = (greg_t)s[3];
    r[REG_RBX] = (greg_t)s[4];
    r[REG_RBP] = (greg_t)s[5];
    r[REG_RIP] = (greg_t)s[6];
    r[REG_RSP] = (greg_t)(uintptr_t)(s + 7);   /* as after rt_ctx_switch's ret */
    tb_walk_context(fd, g, &uc, false, flags, false);
    tb_created_by(fd, g);
}

void tb_from_saved_sp(int fd, const rt_g *g, void *sp, int flags)
{
    tb_saved(fd, g, sp, flags);
    crash_flush();
}

__attribute__((noinline)) void tb_from_here(int fd, const rt_g *g, int flags)
{
    unw_context_t uc;
    unw_getcontext(&uc);
    tb_walk_context(fd, g, &uc, false, flags, true);
    tb_created_by(fd, g);
    crash_flush();
}

/* ---- goroutine dumps ---------------------------------------------------------------------- */

static const char *tb_state(const rt_g *g)
{
    switch (g->state) {
    case G_RUNNING: return "running";
    case G_RUNNABLE: return "runnable";
    case G_WAITING: return g->wait_reason ? g->wait_reason : "waiting";
    case G_DEAD: return "dead";
    default: return "idle";
    }
}

static void tb_dump(int fd, const rt_g *g)
{
    tb_header(fd, g, tb_state(g));
    if (g == sched_current()) {
        tb_from_here(fd, g, 0);
    } else if (g->state == G_RUNNING) {
        crash_printf(fd, "\tgoroutine running on other thread; stack unavailable\n");
        tb_created_by(fd, g);
    } else if (g->sp) {
        tb_saved(fd, g, g->sp, 0);
    } else {
        if (g->fn) /* not started yet: Go shows its entry, without an offset */
            tb_frame(fd, (uintptr_t)g->fn, false);
        tb_created_by(fd, g);
    }
}

void rt_dump_goroutine(int fd, const rt_g *g)
{
    tb_dump(fd, g);
    crash_flush();
}

static bool tb_listed(const rt_g *g, const rt_g *first)
{
    return g != first && g->state != G_DEAD && g->state != G_IDLE;
}

static int tb_by_id(const void *a, const void *b)
{
    int64_t x = (*(const rt_g *const *)a)->id, y = (*(const rt_g *const *)b)->id;
    return (x > y) - (x < y);
}

/* Go lists goroutines in id order, separated by blank lines.  The all-G list is in no
 * order (G structs are recycled), so sort a snapshot; without memory for one, select the
 * next id by rescanning (quadratic, but the report still comes out). */
void rt_dump_goroutines(int fd, const rt_g *first)
{
    bool sep = false;
    if (first) {
        tb_dump(fd, first);
        sep = true;
    }
    size_t n = 0, i = 0;
    for (const rt_g *g = sched_all_goroutines(); g; g = g->alllink)
        n += tb_listed(g, first);
    const rt_g **v = malloc((n ? n : 1) * sizeof *v);
    if (v) {
        for (const rt_g *g = sched_all_goroutines(); g && i < n; g = g->alllink)
            if (tb_listed(g, first))
                v[i++] = g;
        qsort(v, i, sizeof *v, tb_by_id);
    }
    size_t k = 0;
    for (int64_t last = -1;;) {
        const rt_g *next = NULL;
        if (v) {
            next = k < i ? v[k++] : NULL;
        } else {
            for (const rt_g *g = sched_all_goroutines(); g; g = g->alllink)
                if (tb_listed(g, first) && g->id > last && (!next || g->id < next->id))
                    next = g;
        }
        if (!next)
            break;
        last = next->id;
        if (sep)
            crash_printf(fd, "\n");
        crash_progress();
        tb_dump(fd, next);
        sep = true;
    }
    free(v);
    crash_flush();
}
