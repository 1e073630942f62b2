/* Scheduler suite: spawning, yielding, stacks, procs, determinism. */
#define TU_IMPLEMENTATION
#include "testutil.h"
#include "rt.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* At procs > 1 another M finishes work this test waits for (the last parks and their
 * page-outs, stack releases), while a yield with nothing queued here returns at once; on
 * a loaded machine that M's thread may not run for a long while (two suites at once on
 * two cores: a count of 10M yields ran out first).  Poll for up to 30 s of wall time,
 * yielding the OS thread too so the other M gets the CPU. */
static void poll_until(bool (*done)(size_t), size_t n)
{
    double end = tu_now_s() + 30;
    while (!done(n) && tu_now_s() < end) {
        go_yield();
        sched_yield();
    }
}

static bool only_main_left(size_t unused)
{
    (void)unused;
    return go_num_goroutine() <= 1;
}

static int32_t done_count;

static void bump(void *arg)
{
    (void)arg;
    atomic_add_int32(&done_count, 1);
}

static void join_all(int32_t n)
{
    while (atomic_load_int32(&done_count) < n)
        go_yield();
}

START_TEST(test_spawn_many)
{
    for (int i = 0; i < 10000; i++)
        go(bump, NULL);
    join_all(10000);
    ck_assert_int_eq(done_count, 10000);
}
END_TEST

/* A burst big enough that the run queue outgrows 2 MB (huge-page queues) after its head
 * has moved, so growing must also move the entries that wrapped: each goroutine still
 * runs exactly once. */
enum { BURST = 300000, BURST_HEAD = 1000 };
static uint8_t burst_ran[BURST + BURST_HEAD];

static void burst_mark(void *arg)
{
    burst_ran[(intptr_t)arg]++;
    atomic_add_int32(&done_count, 1);
}

START_TEST(test_spawn_burst_grows_queue)
{
    for (intptr_t i = 0; i < BURST_HEAD; i++)
        go(burst_mark, (void *)i);
    for (int i = 0; i < 10; i++)
        go_yield();
    for (intptr_t i = BURST_HEAD; i < BURST + BURST_HEAD; i++)
        go(burst_mark, (void *)i);
    join_all(BURST + BURST_HEAD);
    for (int i = 0; i < BURST + BURST_HEAD; i++)
        ck_assert_int_eq(burst_ran[i], 1);
}
END_TEST

/* A spawning loop gives way every RT_SPAWN_SLICE go statements (Go's time-slice
 * preemption, counted): at procs = 1 the children queued before a yield run before
 * the loop goes on, so a burst holds about a slice of unstarted goroutines at most. */
static int32_t slice_ran;
static void slice_child(void *arg)
{
    (void)arg;
    atomic_add_int32(&slice_ran, 1);
    atomic_add_int32(&done_count, 1);
}

START_TEST(test_spawn_loop_yields_every_slice)
{
    int most_pending = 0;
    for (int i = 1; i <= 3 * RT_SPAWN_SLICE; i++) {
        go(slice_child, NULL);
        int pending = i - atomic_load_int32(&slice_ran);
        if (pending > most_pending)
            most_pending = pending;
    }
    if (tu_procs() == 1) { /* at procs = 2 another M may take the loop over meanwhile */
        /* three yields in 3 slices of spawns (the M's count need not start at 0 here) */
        ck_assert_int_gt(atomic_load_int32(&slice_ran), 2 * RT_SPAWN_SLICE);
        /* the seeded pick is among the 16 oldest runnable: a few may wait one more slice */
        ck_assert_int_lt(most_pending, RT_SPAWN_SLICE + 16);
    }
    join_all(3 * RT_SPAWN_SLICE);
}
END_TEST

static void yielder(void *arg)
{
    int *turns = arg;
    for (int i = 0; i < 1000; i++) {
        (*turns)++;
        go_yield();
    }
    atomic_add_int32(&done_count, 1);
}

START_TEST(test_yield_interleaves)
{
    static int turns[2];
    go(yielder, &turns[0]);
    go(yielder, &turns[1]);
    join_all(2);
    ck_assert_int_eq(turns[0], 1000);
    ck_assert_int_eq(turns[1], 1000);
}
END_TEST

/* 10,000 frames of ~100 bytes each must fit in a goroutine's stack */
static __attribute__((noinline)) int recurse(int n)
{
    volatile char pad[100];
    pad[0] = (char)n;
    if (n == 0)
        return pad[0];
    return recurse(n - 1) + pad[0] - (char)n + 1;
}

static void deep(void *arg)
{
    *(int *)arg = recurse(10000);
    atomic_add_int32(&done_count, 1);
}

START_TEST(test_deep_recursion)
{
    static int result;
    go(deep, &result);
    join_all(1);
    ck_assert_int_eq(result, 10000);
}
END_TEST

START_TEST(test_num_goroutine)
{
    ck_assert_int_eq(go_num_goroutine(), 1);
    for (int i = 0; i < 5; i++)
        go(bump, NULL);
    ck_assert_int_ge(go_num_goroutine(), 1);
    join_all(5);
    /* finished goroutines leave the count once their stack is released, at procs > 1 by
     * another M */
    poll_until(only_main_left, 0);
    ck_assert_int_eq(go_num_goroutine(), 1);
    ck_assert_int_eq(go_id(), 1);
}
END_TEST

START_TEST(test_maxprocs)
{
    int p = go_maxprocs(0);
    ck_assert_int_eq(p, tu_procs());
    ck_assert_int_eq(go_maxprocs(3), p);
    ck_assert_int_eq(go_maxprocs(0), 3);
    for (int i = 0; i < 1000; i++)
        go(bump, NULL);
    join_all(1000);
    ck_assert_int_eq(go_maxprocs(1), 3);
}
END_TEST

/* The same seed gives the same interleaving: record the order goroutines run in. */
static char order[64];
static int norder;

static void record(void *arg)
{
    for (int i = 0; i < 3; i++) {
        order[norder++] = (char)(intptr_t)arg;
        go_yield();
    }
    atomic_add_int32(&done_count, 1);
}

static void run_order(void)
{
    for (intptr_t c = 'a'; c < 'a' + 6; c++)
        go(record, (void *)c);
    join_all(6);
    order[norder] = 0;
    printf("%s\n", order);
}

START_TEST(test_seed_determinism)
{
    if (tu_procs() > 1)
        return; /* determinism is a procs=1 promise */
    char a[256], b[256], c[256];
    setenv("RACEDEMO_SEED", "7", 1);
    /* the seed is read at start-up: each run is a fresh exec of this binary's child */
    ck_assert_int_eq(tu_capture(run_order, a, sizeof a), 0);
    ck_assert_int_eq(tu_capture(run_order, b, sizeof b), 0);
    ck_assert_str_eq(a, b);
    ck_assert_int_eq((int)strlen(a), 19);
    (void)c;
}
END_TEST

START_TEST(test_sleep_virtual_clock)
{
    int64_t t0 = go_now_ns();
    go_sleep_ms(tu_procs() > 1 ? 20 : 1000);
    int64_t dt = go_now_ns() - t0;
    ck_assert_int_ge(dt, (tu_procs() > 1 ? 20 : 1000) * 1000000LL);
}
END_TEST

/* Goroutines spawned but not yet run own no stack, only their G struct. */
static rt_g *spawned_g;

static void note_g(void *arg)
{
    (void)arg;
    spawned_g = sched_self();
    ck_assert_ptr_nonnull(spawned_g->stack_lo);
    atomic_add_int32(&done_count, 1);
}

START_TEST(test_unstarted_goroutine_has_no_stack)
{
    if (tu_procs() > 1)
        return; /* another M could start it at once */
    go(note_g, NULL);
    /* not run yet: find it on the all-goroutines list, by its entry */
    const rt_g *found = NULL;
    for (const rt_g *g = sched_all_goroutines(); g; g = g->alllink)
        if (g->state == G_RUNNABLE && g->fn == note_g)
            found = g;
    ck_assert_ptr_nonnull(found);
    ck_assert_ptr_null(found->stack_lo);
    ck_assert_ptr_null(found->sp);
    join_all(1);
    ck_assert_ptr_eq(spawned_g, found);
}
END_TEST

/* An exiting goroutine hands its stack to the next one that never ran. */
static uintptr_t frame_addr[2];
static waitgroup_t pass_wg;

static void record_frame(void *arg)
{
    volatile char here = 0;
    frame_addr[(intptr_t)arg] = (uintptr_t)&here;
    wg_done(&pass_wg);
}

START_TEST(test_exit_passes_stack_to_fresh_goroutine)
{
    if (tu_procs() > 1)
        return; /* the two may run at once on different Ms */
    wg_add(&pass_wg, 2);
    go(record_frame, (void *)0);
    go(record_frame, (void *)1);
    wg_wait(&pass_wg); /* main parks: the first to exit finds only the other queued */
    /* same stack, same entry path: the same frame address */
    ck_assert_uint_eq(frame_addr[0], frame_addr[1]);
}
END_TEST

/* FIFO among woken goroutines stays as before: the procs = 1 pick among the queue's
 * oldest is seeded, so the same seed gives the same order (checked by rerunning). */
static char order_log[64];
static int order_n;

static void log_id(void *arg)
{
    order_log[order_n++] = (char)('a' + (intptr_t)arg);
    wg_done(&pass_wg);
}

static void spawn_and_log(void)
{
    order_n = 0;
    wg_add(&pass_wg, 20);
    for (intptr_t i = 0; i < 20; i++)
        go(log_id, (void *)i);
    wg_wait(&pass_wg);
    order_log[order_n] = 0;
    printf("%s\n", order_log);
    fflush(stdout);
    exit(0);
}

START_TEST(test_spawn_order_deterministic)
{
    if (tu_procs() > 1)
        return;
    char a[256], b[256];
    setenv("RACEDEMO_SEED", "7", 1);
    tu_capture(spawn_and_log, a, sizeof a);
    tu_capture(spawn_and_log, b, sizeof b);
    ck_assert_str_eq(a, b);
    ck_assert_int_eq((int)strlen(a), 21);
}
END_TEST

START_TEST(test_no_spinning_at_procs1)
{
    if (tu_procs() > 1)
        return;
    ck_assert(!sched_can_spin());
}
END_TEST

/* fork at procs = 2 while another M keeps the scheduler's locks busy: the child must
 * never inherit a lock held by a thread it does not have (it used to hang in g_alloc). */
static int32_t churn_stop;

static void churn(void *wg)
{
    while (!atomic_load_int32(&churn_stop)) {
        go(bump, NULL);
        go_yield();
    }
    wg_done(wg);
}

static void fork_child_work(void *wg) { wg_done(wg); }

static void fork_child_spawns(void)
{
    waitgroup_t wg = {0};
    wg_add(&wg, 8);
    for (int i = 0; i < 8; i++)
        go(fork_child_work, &wg);
    wg_wait(&wg);
    _exit(0);
}

static bool fork_child_finished(pid_t pid)
{
    for (int t = 0; t < 2000; t++) { /* 20 s: generous for a loaded machine */
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) && WEXITSTATUS(st) == 0;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return false;
}

START_TEST(test_fork_at_procs2)
{
    go_maxprocs(2);
    waitgroup_t wg = {0};
    wg_add(&wg, 1);
    go(churn, &wg);
    for (int i = 0; i < 200; i++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0)
            fork_child_spawns();
        ck_assert_msg(fork_child_finished(pid), "forked child %d hung or failed", i);
    }
    atomic_store_int32(&churn_stop, 1);
    wg_wait(&wg);
}
END_TEST

/* ---- paging of parked stacks (stack.c) ------------------------------------------------ */

/* Paging needs a userfaultfd (root, or vm.unprivileged_userfaultfd=1); as root it must
 * start, elsewhere the test has nothing to check. */
static bool paging_on(unsigned keep)
{
    if (stack_paging_start(keep))
        return true;
    ck_assert_msg(geteuid() != 0, "stack paging did not start as root");
    return false;
}

static size_t paged_out(void)
{
    size_t out, in, bytes;
    stack_paging_stats(&out, &in, &bytes);
    return out;
}

static bool paged_at_least(size_t n)
{
    return paged_out() >= n;
}

/* At procs > 1 the last goroutine may still be on its way into the park after wg_done:
 * wait (bounded) until n stacks went out. */
static void wait_paged(size_t n)
{
    poll_until(paged_at_least, n);
}

static size_t paged_in(void)
{
    size_t out, in, bytes;
    stack_paging_stats(&out, &in, &bytes);
    return in;
}

#define NPARK 64
static chan_t *park_ch;
static waitgroup_t park_wg, park_done;
static int *park_int[NPARK];
static char *park_buf[NPARK];
static int32_t park_ok;

/* Publishes pointers to its own locals, parks, then checks what others wrote there. */
static void parker(void *arg)
{
    int i = (int)(intptr_t)arg;
    int x = i;
    char buf[16] = "";
    park_int[i] = &x;
    park_buf[i] = buf;
    wg_done(&park_wg);
    chan_recv(park_ch, NULL);
    char want[16];
    snprintf(want, sizeof want, "read %d", i);
    if (x == i + 1000 && strcmp(buf, want) == 0)
        atomic_add_int32(&park_ok, 1);
    wg_done(&park_done);
}

/* Other goroutines, libc and the kernel (read(2)) reach a paged-out stack at the same
 * address, and the owner sees every write when it runs again. */
START_TEST(test_paging_parked_stack_stays_addressable)
{
    if (!paging_on(0))
        return;
    park_ch = chan_make(sizeof(int), 0);
    wg_add(&park_wg, NPARK);
    wg_add(&park_done, NPARK);
    for (int i = 0; i < NPARK; i++)
        go(parker, (void *)(intptr_t)i);
    wg_wait(&park_wg);
    wait_paged(NPARK);
    ck_assert_uint_ge(paged_out(), NPARK); /* keep = 0: each went out as it parked */
    size_t in0 = paged_in();
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    for (int i = 0; i < NPARK; i++) {
        char msg[16];
        int len = snprintf(msg, sizeof msg, "read %d", i) + 1;
        ck_assert_int_eq(write(fds[1], msg, (size_t)len), len);
        if (i % 2) {
            /* the kernel's copy_to_user is the first to touch the paged-out page */
            ck_assert_int_eq(read(fds[0], park_buf[i], (size_t)len), len);
            ck_assert_int_eq(*park_int[i], i);
        } else {
            ck_assert_int_eq(*park_int[i], i); /* a plain load brings it back */
            ck_assert_int_eq(read(fds[0], park_buf[i], (size_t)len), len);
        }
        *park_int[i] += 1000;
    }
    ck_assert_uint_ge(paged_in() - in0, NPARK);
    close(fds[0]);
    close(fds[1]);
    chan_close(park_ch);
    wg_wait(&park_done);
    ck_assert_int_eq(park_ok, NPARK);
    chan_free(park_ch);
}
END_TEST

static void deep_after_park(void *arg)
{
    wg_done(&park_wg);
    chan_recv(park_ch, NULL);
    *(int *)arg = recurse(10000); /* fresh pages below a restored top page */
    wg_done(&park_done);
}

START_TEST(test_paging_deep_recursion_after_park)
{
    if (!paging_on(0))
        return;
    static int result;
    park_ch = chan_make(sizeof(int), 0);
    wg_add(&park_wg, 1);
    wg_add(&park_done, 1);
    go(deep_after_park, &result);
    wg_wait(&park_wg);
    wait_paged(1);
    ck_assert_uint_eq(paged_out(), 1);
    chan_close(park_ch);
    wg_wait(&park_done);
    ck_assert_int_eq(result, 10000);
    chan_free(park_ch);
}
END_TEST

static __attribute__((noinline)) int park_deep(int n)
{
    volatile char pad[100];
    pad[0] = (char)n;
    if (n == 0) {
        wg_done(&park_wg);
        chan_recv(park_ch, NULL);
        return pad[0];
    }
    return park_deep(n - 1) + pad[0] - (char)n + 1;
}

static void deep_parker(void *arg)
{
    *(int *)arg = park_deep(100);
    wg_done(&park_done);
}

/* A goroutine parked more than a page deep keeps its stack resident. */
START_TEST(test_paging_skips_deep_parker)
{
    if (!paging_on(0))
        return;
    static int result;
    park_ch = chan_make(sizeof(int), 0);
    wg_add(&park_wg, 1);
    wg_add(&park_done, 1);
    go(deep_parker, &result);
    wg_wait(&park_wg);
    for (int i = 0; i < 1000; i++)
        go_yield(); /* let it finish parking */
    ck_assert_uint_eq(paged_out(), 0);
    chan_close(park_ch);
    wg_wait(&park_done);
    ck_assert_int_eq(result, 100);
    chan_free(park_ch);
}
END_TEST

/* fork brings every page back first: the child sees the parked stack's contents. */
START_TEST(test_paging_fork_sees_parked_stack)
{
    if (!paging_on(0))
        return;
    park_ch = chan_make(sizeof(int), 0);
    wg_add(&park_wg, 1);
    wg_add(&park_done, 1);
    go(parker, (void *)(intptr_t)0);
    wg_wait(&park_wg);
    wait_paged(1);
    ck_assert_uint_eq(paged_out(), 1);
    pid_t pid = fork();
    if (pid == 0)
        _exit(*park_int[0] == 0 ? 0 : 1);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    strcpy(park_buf[0], "read 0");
    *park_int[0] = 1000;
    chan_close(park_ch);
    wg_wait(&park_done);
    ck_assert_int_eq(park_ok, 1);
    chan_free(park_ch);
}
END_TEST

static long status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0)
            v = atol(line + n);
    if (f)
        fclose(f);
    return v;
}

static void sleeper(void *arg)
{
    (void)arg;
    wg_done(&park_wg);
    chan_recv(park_ch, NULL);
    wg_done(&park_done);
}

/* 20,000 parked goroutines with paging: resident memory and page tables stay far below a
 * page of each per goroutine.  Bounds: a paged-out goroutine keeps its G and ~400 saved
 * bytes; the page table of an unguarded slot goes with its pages, that of a guarded one
 * (the first max_map_count / 4 slots) stays. */
START_TEST(test_paging_many_parked_share_memory)
{
    enum { N = 20000, KEEP = 64 };
    if (!paging_on(KEEP))
        return;
    long rss0 = status_kb("VmRSS:"), pte0 = status_kb("VmPTE:");
    park_ch = chan_make(sizeof(int), 0);
    wg_add(&park_wg, N);
    wg_add(&park_done, N);
    for (int i = 0; i < N; i++)
        go(sleeper, NULL);
    wg_wait(&park_wg);
    wait_paged(N - KEEP - 64);
    long rss = status_kb("VmRSS:") - rss0, pte = status_kb("VmPTE:") - pte0;
    ck_assert_uint_ge(paged_out(), N - KEEP - 64);
    ck_assert_msg(rss < N * 1536L / 1024, "%d parked goroutines: RSS +%ld KB", N, rss);
    long maxmap = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &maxmap) != 1)
            maxmap = 65530;
        fclose(f);
    }
    long guarded = maxmap / 4 < N ? maxmap / 4 : N;
    ck_assert_msg(pte < (guarded + KEEP + 64) * 4 + 2048,
                  "%d parked goroutines: VmPTE +%ld KB", N, pte);
    chan_close(park_ch);
    wg_wait(&park_done);
    chan_free(park_ch);
}
END_TEST

/* By default paging starts by itself once 16,384 stacks are alive at once (stack.c's
 * PG_AUTO_AT) and pages out parked ones beyond the 16,384 most recent (PG_KEEP): below
 * that nothing changes, past it memory stops growing by a page per goroutine. */
START_TEST(test_paging_starts_by_itself)
{
    /* 8,000 past PG_AUTO_AT + PG_KEEP: paging starts outside the stack cache's lock, and
     * at procs = 2 on a loaded machine the other M carved another ~1,250 plain stacks
     * before it was on (with 2,000 spare, as few as 0-768 went out) */
    enum { BELOW = 16000, N = 16384 + 16384 + 8000 };
    if (getenv("RACEDEMO_STACK_PAGING"))
        return; /* the default is what is under test */
    park_ch = chan_make(sizeof(int), 0);
    wg_add(&park_done, N);
    wg_add(&park_wg, BELOW);
    for (int i = 0; i < BELOW; i++)
        go(sleeper, NULL);
    wg_wait(&park_wg); /* BELOW parked */
    ck_assert(!stack_paging);
    wg_add(&park_wg, N - BELOW);
    for (int i = BELOW; i < N; i++)
        go(sleeper, NULL);
    wg_wait(&park_wg);
    if (geteuid() == 0) {
        ck_assert(stack_paging);
        wait_paged(1000);
        ck_assert_uint_ge(paged_out(), 1000);
    }
    chan_close(park_ch);
    wg_wait(&park_done);
    chan_free(park_ch);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tu_tcase(s, "core", 60);
    tcase_add_test(tc, test_spawn_many);
    tcase_add_test(tc, test_spawn_burst_grows_queue);
    tcase_add_test(tc, test_spawn_loop_yields_every_slice);
    tcase_add_test(tc, test_yield_interleaves);
    tcase_add_test(tc, test_deep_recursion);
    tcase_add_test(tc, test_num_goroutine);
    tcase_add_test(tc, test_maxprocs);
    tcase_add_test(tc, test_seed_determinism);
    tcase_add_test(tc, test_sleep_virtual_clock);
    tcase_add_test(tc, test_unstarted_goroutine_has_no_stack);
    tcase_add_test(tc, test_exit_passes_stack_to_fresh_goroutine);
    tcase_add_test(tc, test_spawn_order_deterministic);
    tcase_add_test(tc, test_no_spinning_at_procs1);
    tcase_add_test(tc, test_fork_at_procs2);
    tc = tu_tcase(s, "paging", 120);
    tcase_add_test(tc, test_paging_parked_stack_stays_addressable);
    tcase_add_test(tc, test_paging_deep_recursion_after_park);
    tcase_add_test(tc, test_paging_skips_deep_parker);
    tcase_add_test(tc, test_paging_fork_sees_parked_stack);
    tcase_add_test(tc, test_paging_many_parked_share_memory);
    tcase_add_test(tc, test_paging_starts_by_itself);
    return tu_run(s);
}
