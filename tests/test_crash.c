/* Crash suite: faults, stack overflows, abort and go_panic inside goroutines are reported
 * like Go (message, which goroutine, its symbolized stack, exit status 2), deep but finite
 * recursion is not a crash, a fault inside the report itself is caught, and the symbolizer
 * answers directly.
 *
 * Fatal scenarios run in a fresh exec of this binary (tu_fatal.h). */
#define _GNU_SOURCE
#include "testutil.h"
#include "tu_fatal.h"

#include "rt.h"
#include "symbolize.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

int *volatile nil_ptr;          /* opaque to the optimiser */
static volatile int sink;

/* ---- code that fails (the expected lines are computed, not hard-coded) -------------------- */

static const int poke_line = __LINE__ + 3;
static __attribute__((noinline)) void poke_nil(int *p)
{
    *p = 42;
}

static void nil_worker(void *arg)
{
    (void)arg;
    printf("worker %lld\n", (long long)go_id());
    poke_nil(nil_ptr);
    sink = 1;
}

static __attribute__((noinline)) int overflow_forever(int n)
{
    volatile char pad[128];
    pad[n & 127] = (char)n;
    if (n == -1) /* never: keeps the recursion unbounded but not provably infinite */
        return 0;
    return overflow_forever(n + 1) + pad[0];
}

static void overflow_worker(void *arg)
{
    (void)arg;
    printf("worker %lld\n", (long long)go_id());
    sink = overflow_forever(0);
}

/* About 100 bytes per frame, 10,000 deep: must fit in a goroutine's stack. */
static __attribute__((noinline)) int recurse_100b(int n)
{
    volatile char pad[100];
    pad[0] = (char)n;
    if (n == 0)
        return pad[0];
    return recurse_100b(n - 1) + pad[0] - (char)n + 1;
}

static void abort_worker(void *arg)
{
    (void)arg;
    printf("worker %lld\n", (long long)go_id());
    abort();
}

static void panic_worker(void *arg)
{
    (void)arg;
    printf("before panic\n");   /* buffered: must still come out first */
    go_panic("bad value %d (%s)", 42, "answer");
}

static __attribute__((noinline)) int divide(volatile int a, volatile int b)
{
    return a / b;
}

static void divide_worker(void *arg)
{
    (void)arg;
    sink = divide(1, 0);
}

/* The detector's sp check calls rt_stack_overflow from instrumented code. */
static __attribute__((noinline)) void sp_check_failed(void)
{
    sink = 1;
    rt_stack_overflow();
}

static void sp_check_worker(void *arg)
{
    (void)arg;
    sp_check_failed();
}

/* Park main for good: the crashing goroutine ends the process first. */
static void wait_forever(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    chan_recv(ch, NULL);
    sink = 2;
}

/* ---- scenarios ------------------------------------------------------------------------------ */

static void sc_nil_goroutine(void) { go(nil_worker, NULL); wait_forever(); }
static void sc_nil_main(void) { poke_nil(nil_ptr); sink = 3; }
static void sc_bad_address(void) { poke_nil((int *)0xdead0000); sink = 3; }
static void sc_overflow_goroutine(void) { go(overflow_worker, NULL); wait_forever(); }
static void sc_overflow_main(void) { sink = overflow_forever(0); }
/* With stack paging the worker's stack comes from the paging arena (guard pages kept),
 * and the report is the same. */
static void sc_overflow_paged(void)
{
    if (!stack_paging_start(0) && geteuid() == 0)
        rt_throw("stack paging did not start as root");
    go(overflow_worker, NULL);
    wait_forever();
}
static void sc_abort_goroutine(void) { go(abort_worker, NULL); wait_forever(); }
static void sc_panic_goroutine(void) { go(panic_worker, NULL); wait_forever(); }
static void sc_panic_main(void) { go_panic("main says %s", "no"); }
static void sc_divide_goroutine(void) { go(divide_worker, NULL); wait_forever(); }
static void sc_sp_check(void) { go(sp_check_worker, NULL); wait_forever(); }

/* A fault while the report is being written: the argument is an invalid string. */
static void sc_fault_in_report(void)
{
    go_panic("%s", (const char *)(uintptr_t)0xdead0000);
}

/* A broken invariant (throw) shows the runtime's frames too, like Go's throw. */
static void sc_throw(void)
{
    mutex_t mu = {0};
    mutex_unlock(&mu);
    sink = 4;
}

static void *thread_pokes_nil(void *arg)
{
    (void)arg;
    poke_nil(nil_ptr);
    return NULL;
}

/* A crash on a thread of the program's own (plain pthreads): still reported. */
static void sc_nil_in_pthread(void)
{
    pthread_t t;
    pthread_create(&t, NULL, thread_pokes_nil, NULL);
    pthread_join(t, NULL);
    sink = 5;
}

static void sc_relative_paths(void)
{
    sym_print_frame(1, (uintptr_t)poke_nil, false);
}

/* A deadlock dump unwinds a goroutine whose stack was paged out: the unwinder's reads
 * bring it back. */
static __attribute__((noinline)) void paged_sleeper(void *arg)
{
    (void)arg;
    wait_forever();
}

static void sc_deadlock_paged(void)
{
    if (!stack_paging_start(0) && geteuid() == 0)
        rt_throw("stack paging did not start as root");
    go(paged_sleeper, NULL);
    size_t out = 0, in, bytes;
    while (geteuid() == 0 && out == 0) {
        go_yield();
        stack_paging_stats(&out, &in, &bytes);
    }
    printf("paged out %zu\n", out);
    fflush(stdout);
    wait_forever();
}

static const tu_scenario scenarios[] = {
    {"nil_goroutine", sc_nil_goroutine},
    {"nil_main", sc_nil_main},
    {"bad_address", sc_bad_address},
    {"overflow_goroutine", sc_overflow_goroutine},
    {"overflow_main", sc_overflow_main},
    {"overflow_paged", sc_overflow_paged},
    {"deadlock_paged", sc_deadlock_paged},
    {"abort_goroutine", sc_abort_goroutine},
    {"panic_goroutine", sc_panic_goroutine},
    {"panic_main", sc_panic_main},
    {"divide_goroutine", sc_divide_goroutine},
    {"sp_check", sc_sp_check},
    {"fault_in_report", sc_fault_in_report},
    {"relative_paths", sc_relative_paths},
    {"throw", sc_throw},
    {"nil_in_pthread", sc_nil_in_pthread},
    {0},
};

/* ---- helpers ---------------------------------------------------------------------------------- */

static char out[65536];

static int run(const char *name)
{
    return tu_run_scenario(name, out, sizeof out);
}

static void expect_status(int st, int code)
{
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == code, "status %#x, want exit %d:\n%s", st,
                  code, out);
}

static const char *expect(const char *needle)
{
    const char *p = strstr(out, needle);
    ck_assert_msg(p != NULL, "no \"%s\" in:\n%s", needle, out);
    return p;
}

/* The id the worker printed ("worker N") and its dump header; returns the first frame. */
static const char *expect_worker_header(void)
{
    long long id = 0;
    const char *w = expect("worker ");
    ck_assert(sscanf(w, "worker %lld", &id) == 1 && id > 1);
    static char hdr[64];
    snprintf(hdr, sizeof hdr, "\n\ngoroutine %lld [running]:\n", id);
    const char *h = expect(hdr);
    ck_assert_msg(w < h, "the program's output must come before the report:\n%s", out);
    return h + strlen(hdr);
}

static int count(const char *needle)
{
    int n = 0;
    for (const char *p = out; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* ---- tests ---------------------------------------------------------------------------------- */

START_TEST(test_nil_deref_in_goroutine)
{
    expect_status(run("nil_goroutine"), 2);
    expect("panic: runtime error: invalid memory address or nil pointer dereference\n"
           "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x");
    const char *top = expect_worker_header();
    ck_assert_msg(strncmp(top, "poke_nil()\n\t", 12) == 0, "%s", out);
    char frame[128];
    snprintf(frame, sizeof frame, "test_crash.c:%d\n", poke_line);
    expect(frame);
    expect("\nnil_worker()\n\t");
    expect("\ncreated by sc_nil_goroutine() in goroutine 1\n\t");
}
END_TEST

START_TEST(test_nil_deref_in_main)
{
    expect_status(run("nil_main"), 2);
    expect("invalid memory address or nil pointer dereference\n");
    expect("\n\ngoroutine 1 [running]:\npoke_nil()\n\t");
    expect("\nsc_nil_main()\n\t");
}
END_TEST

START_TEST(test_nil_deref_in_plain_thread)
{
    expect_status(run("nil_in_pthread"), 2);
    expect("invalid memory address or nil pointer dereference\n");
    expect(" (not a goroutine) [running]:\npoke_nil()\n\t");
    expect("\nthread_pokes_nil()\n\t");
}
END_TEST

/* Dumps outside a crash: the caller itself (running) and a goroutine not started yet. */
static const int never_started_line = __LINE__ + 1;
static void never_started(void *arg)
{
    (void)arg;
    sink = 6;
}

START_TEST(test_dump_running_and_unstarted)
{
    if (tu_procs() > 1)
        return; /* another M could start the goroutine before the dump */
    go(never_started, NULL);
    FILE *f = tmpfile();
    ck_assert(f != NULL);
    rt_dump_goroutines(fileno(f), NULL);
    rewind(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = 0;
    fclose(f);
    /* Check names the test's function test_..._fn */
    const char *self = expect("goroutine 1 [running]:\ntest_dump_running_and_unstarted");
    const char *other = expect("\n\ngoroutine 2 [runnable]:\nnever_started()\n\t");
    ck_assert(self < other);
    int line = 0;
    const char *at = strstr(other, "test_crash.c:");
    ck_assert_msg(at && sscanf(at, "test_crash.c:%d\n", &line) == 1, "%s", out);
    ck_assert_int_ge(line, never_started_line);
    ck_assert_int_le(line, never_started_line + 3);
    ck_assert_msg(strstr(at, "\ncreated by test_dump_running_and_unstarted") != NULL, "%s", out);
    go_yield();
}
END_TEST

START_TEST(test_fault_at_bad_address)
{
    expect_status(run("bad_address"), 2);
    expect("unexpected fault address 0xdead0000\nfatal error: fault\n"
           "[signal SIGSEGV: segmentation violation code=0x1 addr=0xdead0000 pc=0x");
    expect("goroutine 1 [running]:\npoke_nil()\n");
}
END_TEST

START_TEST(test_stack_overflow_in_goroutine)
{
    char msg[128];
    double t0 = tu_now_s();
    expect_status(run("overflow_goroutine"), 2);
    ck_assert_msg(tu_now_s() - t0 < 5.0, "overflow report took %.1f s", tu_now_s() - t0);
    snprintf(msg, sizeof msg, "runtime: goroutine stack exceeds %zu-byte limit\n", stack_size());
    expect(msg);
    expect("runtime: sp=0x");
    expect("\nfatal error: stack overflow\n\n");
    const char *h = expect_worker_header();
    const char *elided = expect("\n...additional frames elided...\n");
    ck_assert(h < elided);
    /* Go's limit: the 50 innermost and the 50 outermost frames */
    ck_assert_int_eq(count("overflow_forever()\n"), 99);
    ck_assert_msg(strstr(elided, "\noverflow_worker()\n\t"), "%s", out);
    expect("\ncreated by sc_overflow_goroutine() in goroutine 1\n");
}
END_TEST

START_TEST(test_stack_overflow_with_paging)
{
    char msg[128];
    expect_status(run("overflow_paged"), 2);
    snprintf(msg, sizeof msg, "runtime: goroutine stack exceeds %zu-byte limit\n", stack_size());
    expect(msg);
    expect("\nfatal error: stack overflow\n\n");
    expect_worker_header();
    ck_assert_int_eq(count("overflow_forever()\n"), 99);
    expect("\ncreated by sc_overflow_paged() in goroutine 1\n");
}
END_TEST

START_TEST(test_deadlock_dump_of_paged_out_stack)
{
    expect_status(run("deadlock_paged"), 2);
    if (geteuid() == 0)
        expect("paged out 1\n");
    expect("fatal error: all goroutines are asleep - deadlock!\n");
    expect("goroutine 2 [chan receive]:\nwait_forever(...)\n\t");
    expect("\npaged_sleeper()\n\t");
    expect("\ncreated by sc_deadlock_paged() in goroutine 1\n");
}
END_TEST

START_TEST(test_stack_overflow_in_main)
{
    expect_status(run("overflow_main"), 2);
    expect("fatal error: stack overflow\n\ngoroutine 1 [running]:\noverflow_forever()\n");
    expect("\n...additional frames elided...\n");
    expect("\nsc_overflow_main()\n");
}
END_TEST

START_TEST(test_sp_check_reports_overflow)
{
    expect_status(run("sp_check"), 2);
    expect("fatal error: stack overflow\n\ngoroutine 2 [running]:\nsp_check_failed()\n\t");
    expect("\nsp_check_worker()\n\t");
}
END_TEST

static int deep_result;

static void deep_worker(void *wg)
{
    deep_result = recurse_100b(10000);
    wg_done(wg);
}

START_TEST(test_deep_recursion_is_not_a_crash)
{
    waitgroup_t wg = {0};
    wg_add(&wg, 1);
    go(deep_worker, &wg);
    wg_wait(&wg);
    ck_assert_int_eq(deep_result, 10000);
}
END_TEST

START_TEST(test_abort_in_goroutine)
{
    expect_status(run("abort_goroutine"), 2);
    const char *p = expect("SIGABRT: abort\nPC=0x");
    ck_assert_msg(strstr(p, " m=") && strstr(p, " sigcode="), "%s", out);
    const char *h = expect_worker_header();
    const char *f = expect("\nabort_worker()\n\t");
    ck_assert(h < f);
    expect("\nrax    0x");
    expect("\nrip    0x");
}
END_TEST

START_TEST(test_go_panic_with_format_args)
{
    expect_status(run("panic_goroutine"), 2);
    expect("before panic\npanic: bad value 42 (answer)\n\ngoroutine ");
    expect(" [running]:\npanic_worker()\n\t");
    expect("\ncreated by sc_panic_goroutine() in goroutine 1\n");
}
END_TEST

START_TEST(test_go_panic_in_main)
{
    expect_status(run("panic_main"), 2);
    const char *head = "panic: main says no\n\ngoroutine 1 [running]:\nsc_panic_main()\n\t";
    ck_assert_msg(strncmp(out, head, strlen(head)) == 0, "%s", out);
    ck_assert_msg(strstr(out, "go_panic") == NULL, "runtime frame shown:\n%s", out);
}
END_TEST

START_TEST(test_divide_by_zero)
{
    expect_status(run("divide_goroutine"), 2);
    expect("panic: runtime error: integer divide by zero\n"
           "[signal SIGFPE: floating-point exception code=0x1 addr=0x");
    expect("\ndivide()\n\t");
    expect("\ndivide_worker()\n\t");
}
END_TEST

START_TEST(test_fault_inside_the_report)
{
    expect_status(run("fault_in_report"), 2);
    ck_assert_str_eq(out, "fatal error: unexpected signal during crash report\n");
}
END_TEST

/* A parked goroutine whose saved stack runs into unreadable memory: the dump stops there
 * (libunwind's own check, or the walk's fault recovery) and the process goes on, with
 * nothing left locked.  The leak check reads stacks that may change under it. */
START_TEST(test_dump_of_unreadable_stack_recovers)
{
    long page = sysconf(_SC_PAGESIZE);
    char *mem = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(mem != MAP_FAILED);
    ck_assert_int_eq(mprotect(mem + page, (size_t)page, PROT_NONE), 0);
    /* saved context r15..rbp, return address; the goroutine's sp is the guard page */
    uintptr_t *ctx = (uintptr_t *)(mem + page) - 7;
    memset(ctx, 0, 6 * sizeof *ctx);
    ctx[6] = (uintptr_t)recurse_100b + 16;
    rt_g fake = {.id = 99, .state = G_WAITING, .wait_reason = "chan receive", .sp = ctx};
    FILE *f = tmpfile();
    ck_assert(f != NULL);
    rt_dump_goroutine(fileno(f), &fake);
    rt_dump_goroutine(fileno(f), &fake);   /* and again: nothing was left locked */
    rewind(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = 0;
    fclose(f);
    ck_assert_int_eq(count("goroutine 99 [chan receive]:\nrecurse_100b()\n\t"), 2);
    munmap(mem, 2 * (size_t)page);
}
END_TEST

START_TEST(test_throw_shows_runtime_frames)
{
    expect_status(run("throw"), 2);
    const char *p = expect("fatal error: sync: unlock of unlocked mutex\n\n"
                           "goroutine 1 [running]:\nrt_throw()\n\t");
    const char *u = expect("\nmutex_unlock");
    const char *m = expect("\nsc_throw()\n\t");
    ck_assert(p < u && u < m);
}
END_TEST

/* ---- the symbolizer itself -------------------------------------------------------------------- */

START_TEST(test_sym_lookup_user_function)
{
    sym_frame f;
    ck_assert(sym_lookup((uintptr_t)poke_nil, false, &f));
    ck_assert_str_eq(f.func, "poke_nil");
    ck_assert_msg(strstr(f.file, "tests/test_crash.c"), "file %s", f.file);
    /* the entry maps to the opening brace or, without a prologue, the first statement */
    ck_assert_int_ge(f.line, poke_line - 2);
    ck_assert_int_le(f.line, poke_line);
    ck_assert_int_eq((int)f.offset, 0);
    ck_assert_str_eq(sym_function((uintptr_t)poke_nil + 1, false), "poke_nil");
    ck_assert(!sym_is_runtime((uintptr_t)poke_nil));
}
END_TEST

START_TEST(test_sym_runtime_and_libc_are_runtime)
{
    ck_assert(sym_is_runtime((uintptr_t)chan_make));
    ck_assert(sym_is_runtime((uintptr_t)sched_park));
    ck_assert(sym_is_runtime((uintptr_t)rt_stack_overflow));
    ck_assert(sym_is_runtime((uintptr_t)dlsym(RTLD_DEFAULT, "write")));
    ck_assert(!sym_is_runtime((uintptr_t)recurse_100b));
}
END_TEST

START_TEST(test_sym_paths_relative_to_srcroot)
{
    char root[4096];
    snprintf(root, sizeof root, "%s", __FILE__);
    char *cut = strstr(root, "/tests/test_crash.c");
    ck_assert(cut != NULL);
    *cut = 0;
    setenv("RACEDEMO_SRCROOT", root, 1);
    expect_status(run("relative_paths"), 0);
    int line = 0;
    ck_assert_msg(sscanf(out, "poke_nil()\n\ttests/test_crash.c:%d\n", &line) == 1, "%s", out);
    ck_assert_int_ge(line, poke_line - 2);
    ck_assert_int_le(line, poke_line);
}
END_TEST

int main(void)
{
    tu_scenario_main(scenarios);
    Suite *s = suite_create("crash");
    TCase *tc = tu_tcase(s, "faults", 30);
    tcase_add_test(tc, test_nil_deref_in_goroutine);
    tcase_add_test(tc, test_nil_deref_in_main);
    tcase_add_test(tc, test_fault_at_bad_address);
    tcase_add_test(tc, test_nil_deref_in_plain_thread);
    tcase_add_test(tc, test_dump_running_and_unstarted);
    tcase_add_test(tc, test_divide_by_zero);
    tcase_add_test(tc, test_fault_inside_the_report);
    tc = tu_tcase(s, "stack", 30);
    tcase_add_test(tc, test_stack_overflow_in_goroutine);
    tcase_add_test(tc, test_stack_overflow_in_main);
    tcase_add_test(tc, test_stack_overflow_with_paging);
    tcase_add_test(tc, test_deadlock_dump_of_paged_out_stack);
    tcase_add_test(tc, test_sp_check_reports_overflow);
    tcase_add_test(tc, test_deep_recursion_is_not_a_crash);
    tcase_add_test(tc, test_dump_of_unreadable_stack_recovers);
    tc = tu_tcase(s, "abort_panic", 30);
    tcase_add_test(tc, test_abort_in_goroutine);
    tcase_add_test(tc, test_go_panic_with_format_args);
    tcase_add_test(tc, test_go_panic_in_main);
    tcase_add_test(tc, test_throw_shows_runtime_frames);
    tc = tu_tcase(s, "symbolize", 30);
    tcase_add_test(tc, test_sym_lookup_user_function);
    tcase_add_test(tc, test_sym_runtime_and_libc_are_runtime);
    tcase_add_test(tc, test_sym_paths_relative_to_srcroot);
    return tu_run(s);
}
