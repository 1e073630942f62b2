/* tls suite (runtime/tls.c): the program's __thread variables and errno belong to each
 * goroutine, not to the OS thread it runs on.  Goroutines interleaved on one M keep
 * their own counters (initialised and zeroed ones), main keeps its copy while others
 * run, a new goroutine starts from the TLS image whatever its creator wrote, errno
 * survives a park, and the detector sees no race between two goroutines' copies of one
 * variable while a real race on a global next to them is still reported.  At procs = 2
 * every goroutine stays on the M it first ran on (sched.c, Pinning).
 *
 * Built instrumented (as a user program), so its TLS is the "user" part the runtime
 * finds.  The workers use their variables directly, as programs do: the compilers keep
 * the thread pointer (for tl_words) in a register across the waits, which is right only
 * because the goroutine never leaves its M. */
#define _GNU_SOURCE
#include "testutil.h"
#include "tu_fatal.h"
#include "rt.h"

#include <errno.h>
#include <string.h>

#define TL_WORDS 64
static __thread int tl_init = 42;          /* .tdata */
static __thread long tl_words[TL_WORDS];   /* .tbss */
static __thread int tl_count;              /* .tbss */

static __attribute__((noinline)) int count_get(void) { return tl_count; }
static __attribute__((noinline)) void count_add(int d) { tl_count += d; }
static __attribute__((noinline)) int init_get(void) { return tl_init; }
static __attribute__((noinline)) long word_get(int w) { return tl_words[w]; }
static __attribute__((noinline)) int errno_now(void) { return errno; }
static __attribute__((noinline)) void errno_set(int e) { errno = e; }

/* ---- goroutines keep their own copies ---------------------------------------------------- */

#define NG 4
#define ROUNDS 200

typedef struct tl_result {
    int count, init, words_ok, moves;
} tl_result;

static __attribute__((noinline)) int m_now(void) { return sched_m_id(); }

static waitgroup_t tl_wg;
static tl_result tl_res[NG];
static mutex_t tl_mu;
static int tl_rounds;

/* Each goroutine counts and fills its words with its own id, contending for a mutex and
 * yielding between every step so the others run on the same M in between (and, at
 * procs = 2, an idle M would steal any goroutine it may). */
static void tl_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    tl_init += id;
    int home = m_now(), moves = 0;
    for (int r = 0; r < ROUNDS; r++) {
        tl_count++;
        tl_words[r % TL_WORDS] = id * 1000 + r % TL_WORDS;
        mutex_lock(&tl_mu);
        tl_rounds++;
        mutex_unlock(&tl_mu);
        go_yield();
        moves += m_now() != home;
    }
    int ok = 1;
    for (int w = 0; w < TL_WORDS; w++)
        ok &= tl_words[w] == id * 1000 + w;
    tl_res[id] = (tl_result){tl_count, tl_init, ok, moves};
    wg_done(&tl_wg);
}

static void tl_run_workers(void)
{
    memset(tl_res, 0, sizeof tl_res);
    wg_add(&tl_wg, NG);
    for (int i = 0; i < NG; i++)
        go(tl_worker, (void *)(intptr_t)i);
    wg_wait(&tl_wg);
}

START_TEST(test_goroutines_keep_their_own_variables)
{
    tl_run_workers();
    for (int i = 0; i < NG; i++) {
        ck_assert_int_eq(tl_res[i].count, ROUNDS);
        ck_assert_int_eq(tl_res[i].init, 42 + i);
        ck_assert_int_eq(tl_res[i].words_ok, 1);
        ck_assert_int_eq(tl_res[i].moves, 0); /* pinned: the program has __thread variables */
    }
}
END_TEST

START_TEST(test_main_keeps_its_copy)
{
    count_add(7);
    tl_words[3] = -1;
    tl_run_workers();
    ck_assert_int_eq(count_get(), 7);
    ck_assert_int_eq(word_get(3), -1);
    ck_assert_int_eq(init_get(), 42);
}
END_TEST

/* ---- a new goroutine starts from the image ----------------------------------------------- */

static tl_result tl_fresh_seen;
static int tl_fresh_nonzero;

static void tl_fresh(void *arg)
{
    (void)arg;
    int nz = 0;
    for (int w = 0; w < TL_WORDS; w++)
        nz += tl_words[w] != 0;
    tl_fresh_nonzero = nz;
    tl_fresh_seen = (tl_result){count_get(), tl_init, 0, 0};
    wg_done(&tl_wg);
}

START_TEST(test_new_goroutine_starts_from_the_image)
{
    tl_init = 5;
    count_add(9);
    for (int w = 0; w < TL_WORDS; w++)
        tl_words[w] = w + 1;
    wg_add(&tl_wg, 1);
    go(tl_fresh, NULL);
    wg_wait(&tl_wg);
    ck_assert_int_eq(tl_fresh_seen.init, 42);
    ck_assert_int_eq(tl_fresh_seen.count, 0);
    ck_assert_int_eq(tl_fresh_nonzero, 0);
    ck_assert_int_eq(init_get(), 5);
}
END_TEST

/* ---- errno -------------------------------------------------------------------------------- */

static chan_t *tl_ch;
static int tl_errno_after;

static void tl_errno_parker(void *arg)
{
    (void)arg;
    errno_set(EDOM);
    int v;
    chan_recv(tl_ch, &v);
    tl_errno_after = errno_now();
    wg_done(&tl_wg);
}

static void tl_errno_clobber(void *arg)
{
    (void)arg;
    errno_set(EBADF);
    int v = 1;
    chan_send(tl_ch, &v);
    wg_done(&tl_wg);
}

START_TEST(test_errno_survives_a_park)
{
    tl_ch = chan_make(sizeof(int), 0);
    errno_set(ERANGE);
    wg_add(&tl_wg, 2);
    go(tl_errno_parker, NULL);
    go(tl_errno_clobber, NULL);
    wg_wait(&tl_wg);
    ck_assert_int_eq(tl_errno_after, EDOM);
    ck_assert_int_eq(errno_now(), ERANGE);
    chan_free(tl_ch);
}
END_TEST

/* ---- what the runtime found --------------------------------------------------------------- */

START_TEST(test_layout_covers_the_program_variables)
{
    size_t mine = sizeof tl_init + sizeof tl_words + sizeof tl_count;
    ck_assert_uint_ge(rt_tls.user, mine);
    ck_assert_uint_ge(rt_tls.reserve, RT_TLS_ERRNO_BYTES + rt_tls.user);
    ck_assert_uint_eq(rt_tls.reserve % 16, 0);
    ck_assert_uint_eq(rt_tls.d_len + rt_tls.b_len, rt_tls.user);
}
END_TEST

/* The detector's reports skip every M's errno cell (a function may write errno through
 * the address it took before it moved to another M). */
static void tl_errno_cell(void *arg)
{
    *(int **)arg = &errno;
    wg_done(&tl_wg);
}

START_TEST(test_every_m_errno_is_known)
{
    int *other = NULL;
    wg_add(&tl_wg, 1);
    go(tl_errno_cell, &other);
    wg_wait(&tl_wg);
    ck_assert(sched_is_m_errno((uintptr_t)&errno));
    ck_assert(sched_is_m_errno((uintptr_t)other + 3));
    ck_assert(!sched_is_m_errno((uintptr_t)other + sizeof(int)));
    ck_assert(!sched_is_m_errno((uintptr_t)&tl_count));
    ck_assert(!sched_is_m_errno((uintptr_t)&tl_wg));
}
END_TEST

/* ---- the detector ------------------------------------------------------------------------- */

static int tl_shared;

static void tl_racer(void *arg)
{
    (void)arg;
    for (int r = 0; r < 20; r++) {
        count_add(1);
        go_yield();
    }
    tl_shared = count_get();
    wg_done(&tl_wg);
}

/* Two goroutines write their own tl_count at the same address on one M: no race.  Then
 * both write tl_shared unordered: one race. */
static void sc_tls_and_a_global(void)
{
    wg_add(&tl_wg, 2);
    go(tl_racer, NULL);
    go(tl_racer, NULL);
    wg_wait(&tl_wg);
    printf("shared=%d\n", tl_shared);
}

static void sc_tls_only(void)
{
    tl_run_workers();
    for (int i = 0; i < NG; i++)
        if (tl_res[i].count != ROUNDS)
            exit(3);
    printf("counts ok\n");
}

static const tu_scenario scenarios[] = {
    {"tls_and_a_global", sc_tls_and_a_global},
    {"tls_only", sc_tls_only},
    {0},
};

START_TEST(test_no_race_between_copies)
{
    char buf[16384];
    int st = tu_run_scenario("tls_only", buf, sizeof buf);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x: %s", st, buf);
    ck_assert_msg(strstr(buf, "counts ok\n") && !strstr(buf, "DATA RACE"), "%s", buf);
}
END_TEST

START_TEST(test_race_on_a_global_still_reported)
{
    char buf[16384];
    int st = tu_run_scenario("tls_and_a_global", buf, sizeof buf);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 66, "status %#x: %s", st, buf);
    ck_assert_msg(strstr(buf, "shared=20\n"), "%s", buf);
    ck_assert_msg(strstr(buf, "Found 1 data race(s)"), "%s", buf);
    ck_assert_msg(strstr(buf, "tl_racer()"), "%s", buf);
}
END_TEST

int main(void)
{
    tu_scenario_main(scenarios);
    Suite *s = suite_create("tls");
    TCase *tc = tu_tcase(s, "per-goroutine", 30);
    tcase_add_test(tc, test_goroutines_keep_their_own_variables);
    tcase_add_test(tc, test_main_keeps_its_copy);
    tcase_add_test(tc, test_new_goroutine_starts_from_the_image);
    tcase_add_test(tc, test_errno_survives_a_park);
    tcase_add_test(tc, test_layout_covers_the_program_variables);
    tcase_add_test(tc, test_every_m_errno_is_known);
    tc = tu_tcase(s, "detector", 60);
    tcase_add_test(tc, test_no_race_between_copies);
    tcase_add_test(tc, test_race_on_a_global_still_reported);
    return tu_run(s);
}
