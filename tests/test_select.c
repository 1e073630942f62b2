/* Select suite: ready cases, default, nil channels, blocking and waking on either
 * direction, closed channels, fairness, one channel in several cases, and many parked
 * selects competing for the same channels at procs = 2. */
#include "testutil.h"
#include "tu_fatal.h"

#include <string.h>

static void settle(void)
{
    for (int i = 0; i < 50; i++)
        go_yield();
    go_sleep_ms(5);
}

/* ---- immediate cases --------------------------------------------------------------------------- */

START_TEST(test_select_picks_the_ready_case)
{
    chan_t *a = chan_make(sizeof(int), 1), *b = chan_make(sizeof(int), 1);
    int v = 5, got = 0;
    chan_send(b, &v);
    select_case_t cs[] = {SELECT_RECV_CASE(a, &got), SELECT_RECV_CASE(b, &got)};
    ck_assert_int_eq(chan_select(cs, 2, false), 1);
    ck_assert_int_eq(got, 5);
    ck_assert(cs[1].ok);
    ck_assert_uint_eq(chan_len(b), 0);
}
END_TEST

START_TEST(test_select_send_case_into_buffer)
{
    chan_t *full = chan_make(sizeof(int), 1), *room = chan_make(sizeof(int), 1);
    int x = 1, y = 2, v;
    chan_send(full, &x);
    select_case_t cs[] = {SELECT_SEND_CASE(full, &x), SELECT_SEND_CASE(room, &y)};
    ck_assert_int_eq(chan_select(cs, 2, false), 1);
    ck_assert(chan_recv(room, &v));
    ck_assert_int_eq(v, 2);
}
END_TEST

START_TEST(test_select_default)
{
    chan_t *a = chan_make(sizeof(int), 0), *b = chan_make(sizeof(int), 1);
    int v = 0;
    select_case_t cs[] = {SELECT_RECV_CASE(a, &v), SELECT_RECV_CASE(b, &v)};
    ck_assert_int_eq(chan_select(cs, 2, true), -1);
    int w = 9;
    chan_send(b, &w);
    ck_assert_int_eq(chan_select(cs, 2, true), 1); /* default only when nothing is ready */
    ck_assert_int_eq(v, 9);
    ck_assert_int_eq(chan_select(NULL, 0, true), -1);
}
END_TEST

START_TEST(test_select_nil_channels_never_ready)
{
    chan_t *b = chan_make(sizeof(int), 1);
    int v = 3;
    select_case_t nil_only[] = {SELECT_RECV_CASE(NULL, &v), SELECT_SEND_CASE(NULL, &v)};
    ck_assert_int_eq(chan_select(nil_only, 2, true), -1);
    chan_send(b, &v);
    for (int i = 0; i < 100; i++) {
        select_case_t cs[] = {SELECT_SEND_CASE(NULL, &v), SELECT_RECV_CASE(b, &v),
                              SELECT_RECV_CASE(NULL, &v)};
        ck_assert_int_eq(chan_select(cs, 3, false), 1);
        chan_send(b, &v);
    }
}
END_TEST

/* Many cases, one ready, the channels in no particular address order. */
START_TEST(test_select_many_cases)
{
    enum { N = 40 };
    chan_t *chs[N];
    for (int i = 0; i < N; i++)
        chs[i] = chan_make(sizeof(int), 1);
    for (int round = 0; round < 100; round++) {
        int ready = (round * 7) % N, v = round, got = -1;
        chan_send(chs[ready], &v);
        select_case_t cs[N];
        for (int i = 0; i < N; i++)
            cs[i] = (select_case_t)SELECT_RECV_CASE(chs[(i * 13) % N], &got);
        int k = chan_select(cs, N, false);
        ck_assert_ptr_eq(cs[k].ch, chs[ready]);
        ck_assert_int_eq(got, round);
    }
}
END_TEST

START_TEST(test_select_recv_on_closed)
{
    chan_t *c = chan_make(sizeof(int), 0), *never = chan_make(sizeof(int), 0);
    chan_close(c);
    int v = 77;
    select_case_t cs[] = {SELECT_RECV_CASE(never, &v), SELECT_RECV_CASE(c, &v)};
    cs[1].ok = true;
    ck_assert_int_eq(chan_select(cs, 2, false), 1);
    ck_assert(!cs[1].ok);
    ck_assert_int_eq(v, 0);
}
END_TEST

/* Both cases always ready: each must win a fair share (Go picks uniformly). */
START_TEST(test_select_fairness)
{
    chan_t *a = chan_make(sizeof(int), 1), *b = chan_make(sizeof(int), 1);
    int v = 1, hits[2] = {0, 0};
    chan_send(a, &v);
    chan_send(b, &v);
    for (int i = 0; i < 2000; i++) {
        select_case_t cs[] = {SELECT_RECV_CASE(a, &v), SELECT_RECV_CASE(b, &v)};
        int k = chan_select(cs, 2, false);
        hits[k]++;
        chan_send(k ? b : a, &v);
    }
    ck_assert_int_gt(hits[0], 800);
    ck_assert_int_gt(hits[1], 800);
}
END_TEST

/* ---- blocking --------------------------------------------------------------------------------- */

typedef struct sel_blocker {
    chan_t *a, *b;
    int dir;
    int value;
    int32_t fired; /* 1 + the case index once select returned */
} sel_blocker;

static void select_blocked(void *arg)
{
    sel_blocker *s = arg;
    select_case_t cs[] = {{.ch = s->a, .dir = s->dir, .elem = &s->value},
                          {.ch = s->b, .dir = s->dir, .elem = &s->value}};
    int k = chan_select(cs, 2, false);
    atomic_store_int32(&s->fired, k + 1);
}

static void check_select_wakes(size_t cap, int dir)
{
    static sel_blocker s;
    memset(&s, 0, sizeof s);
    s.a = chan_make(sizeof(int), cap);
    s.b = chan_make(sizeof(int), cap);
    s.dir = dir;
    s.value = 11;
    if (dir == SELECT_SEND && cap) {
        int x = 0; /* fill both so the sends block */
        chan_send(s.a, &x);
        chan_send(s.b, &x);
    }
    go(select_blocked, &s);
    settle();
    ck_assert_int_eq(atomic_load_int32(&s.fired), 0);
    int v = 42;
    if (dir == SELECT_RECV) {
        chan_send(s.b, &v);
    } else {
        ck_assert(chan_recv(s.b, &v));
        if (cap) {
            ck_assert_int_eq(v, 0);
            ck_assert(chan_recv(s.b, &v));
        }
    }
    while (!atomic_load_int32(&s.fired))
        go_yield();
    ck_assert_int_eq(atomic_load_int32(&s.fired), 2);
    ck_assert_int_eq(dir == SELECT_RECV ? s.value : v, dir == SELECT_RECV ? 42 : 11);
    ck_assert_uint_eq(chan_len(s.a), cap && dir == SELECT_SEND ? 1 : 0);
}

START_TEST(test_select_blocks_then_receives_unbuffered) { check_select_wakes(0, SELECT_RECV); }
END_TEST
START_TEST(test_select_blocks_then_receives_buffered) { check_select_wakes(2, SELECT_RECV); }
END_TEST
START_TEST(test_select_blocks_then_sends_unbuffered) { check_select_wakes(0, SELECT_SEND); }
END_TEST
START_TEST(test_select_blocks_then_sends_buffered) { check_select_wakes(1, SELECT_SEND); }
END_TEST

START_TEST(test_select_woken_by_close)
{
    static sel_blocker s;
    memset(&s, 0, sizeof s);
    s.a = chan_make(sizeof(int), 0);
    s.b = chan_make(sizeof(int), 3);
    s.dir = SELECT_RECV;
    s.value = 5;
    go(select_blocked, &s);
    settle();
    chan_close(s.a);
    while (!atomic_load_int32(&s.fired))
        go_yield();
    ck_assert_int_eq(atomic_load_int32(&s.fired), 1);
    ck_assert_int_eq(s.value, 0);
}
END_TEST

/* Two goroutines each offer to send and to receive on the same unbuffered channel: they
 * must pair up with each other, never with themselves. */
static chan_t *pair_ch, *pair_done;

static void pair_side(void *arg)
{
    int mine = (int)(intptr_t)arg, got = -1;
    select_case_t cs[] = {SELECT_SEND_CASE(pair_ch, &mine), SELECT_RECV_CASE(pair_ch, &got)};
    int k = chan_select(cs, 2, false);
    int report = k == 0 ? -1 : got;
    chan_send(pair_done, &report);
}

START_TEST(test_select_same_channel_both_directions)
{
    for (int round = 0; round < 200; round++) {
        pair_ch = chan_make(sizeof(int), 0);
        pair_done = chan_make(sizeof(int), 2);
        go(pair_side, (void *)(intptr_t)1);
        go(pair_side, (void *)(intptr_t)2);
        int r1, r2;
        ck_assert(chan_recv(pair_done, &r1));
        ck_assert(chan_recv(pair_done, &r2));
        /* exactly one sent (-1) and the other received its value */
        ck_assert((r1 == -1) != (r2 == -1));
        int got = r1 == -1 ? r2 : r1;
        ck_assert(got == 1 || got == 2);
        chan_free(pair_ch);
        chan_free(pair_done);
    }
}
END_TEST

/* ---- many parked selects at once --------------------------------------------------------------- */

enum { NSEL = 6, PER_PRODUCER = 4000 };

static chan_t *st_a, *st_b, *st_quit, *st_sums;

/* A consumer selects over a, b and quit; the producers send on a and b, some of them
 * through selects of their own. */
static void st_consumer(void *arg)
{
    (void)arg;
    int64_t sum = 0, v;
    for (;;) {
        select_case_t cs[] = {SELECT_RECV_CASE(st_a, &v), SELECT_RECV_CASE(st_b, &v),
                              SELECT_RECV_CASE(st_quit, NULL)};
        int k = chan_select(cs, 3, false);
        if (k == 2)
            break;
        sum += v;
    }
    chan_send(st_sums, &sum);
}

static void st_producer(void *arg)
{
    intptr_t id = (intptr_t)arg;
    for (int64_t i = 1; i <= PER_PRODUCER; i++) {
        if (id & 1) {
            select_case_t cs[] = {SELECT_SEND_CASE(st_a, &i), SELECT_SEND_CASE(st_b, &i)};
            chan_select(cs, 2, false);
        } else {
            chan_send(id & 2 ? st_a : st_b, &i);
        }
    }
    int64_t zero = 0;
    chan_send(st_sums, &zero);
}

static void check_select_stress(size_t cap)
{
    st_a = chan_make(sizeof(int64_t), cap);
    st_b = chan_make(sizeof(int64_t), 0);
    st_quit = chan_make(0, 0);
    st_sums = chan_make(sizeof(int64_t), 0);
    for (int i = 0; i < NSEL; i++)
        go(st_consumer, NULL);
    for (intptr_t p = 0; p < 4; p++)
        go(st_producer, (void *)p);
    int64_t s, total = 0;
    for (int p = 0; p < 4; p++) {
        ck_assert(chan_recv(st_sums, &s));
        ck_assert_int_eq(s, 0);
    }
    chan_close(st_quit);
    for (int i = 0; i < NSEL; i++) {
        ck_assert(chan_recv(st_sums, &s));
        total += s;
    }
    int64_t per = (int64_t)PER_PRODUCER * (PER_PRODUCER + 1) / 2;
    ck_assert_int_eq(total, 4 * per);
    ck_assert_uint_eq(chan_len(st_a), 0);
}

START_TEST(test_select_many_goroutines_unbuffered) { check_select_stress(0); }
END_TEST
START_TEST(test_select_many_goroutines_buffered) { check_select_stress(3); }
END_TEST

/* ---- determinism: at procs = 1 the seed decides every choice ------------------------------------ */

static void sc_choices(void)
{
    chan_t *cs4[4];
    int v = 0;
    for (int i = 0; i < 4; i++) {
        cs4[i] = chan_make(sizeof(int), 1);
        chan_send(cs4[i], &v);
    }
    for (int n = 0; n < 64; n++) {
        select_case_t cs[4];
        for (int i = 0; i < 4; i++)
            cs[i] = (select_case_t)SELECT_RECV_CASE(cs4[i], &v);
        int k = chan_select(cs, 4, false);
        putchar('0' + k);
        chan_send(cs4[k], &v);
    }
    putchar('\n');
}

START_TEST(test_select_seed_determinism)
{
    if (tu_procs() > 1)
        return; /* a promise of the deterministic mode only */
    char a[256], b[256], c[256];
    setenv("RACEDEMO_SEED", "7", 1);
    ck_assert_int_eq(tu_run_scenario("choices", a, sizeof a), 0);
    ck_assert_int_eq(tu_run_scenario("choices", b, sizeof b), 0);
    setenv("RACEDEMO_SEED", "8", 1);
    ck_assert_int_eq(tu_run_scenario("choices", c, sizeof c), 0);
    ck_assert_int_eq((int)strlen(a), 65);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c); /* equal by chance with probability 4^-64 */
}
END_TEST

/* ---- fatal ------------------------------------------------------------------------------------- */

static void sc_send_closed(void)
{
    chan_t *c = chan_make(sizeof(int), 1);
    chan_close(c);
    int v = 1;
    select_case_t cs[] = {SELECT_SEND_CASE(c, &v)};
    chan_select(cs, 1, true);
}

static void sc_empty(void) { chan_select(NULL, 0, false); }

static void sc_all_nil(void)
{
    int v;
    select_case_t cs[] = {SELECT_RECV_CASE(NULL, &v), SELECT_SEND_CASE(NULL, &v)};
    chan_select(cs, 2, false);
}

static void sc_unready(void)
{
    int v;
    select_case_t cs[] = {SELECT_RECV_CASE(chan_make(sizeof(int), 0), &v),
                          SELECT_SEND_CASE(chan_make(sizeof(int), 0), &v)};
    chan_select(cs, 2, false);
}

static const tu_scenario scenarios[] = {
    {"choices", sc_choices},
    {"send_closed", sc_send_closed},
    {"empty", sc_empty},
    {"all_nil", sc_all_nil},
    {"unready", sc_unready},
    {NULL, NULL},
};

START_TEST(test_select_send_on_closed_panics)
{
    tu_assert_fatal("send_closed", "panic: send on closed channel\n", "goroutine 1 [running]");
}
END_TEST

START_TEST(test_select_deadlocks)
{
    const char *dl = "fatal error: all goroutines are asleep - deadlock!";
    tu_assert_fatal("empty", dl, "goroutine 1 [select (no cases)]:");
    tu_assert_fatal("all_nil", dl, "goroutine 1 [select]:");
    tu_assert_fatal("unready", dl, "goroutine 1 [select]:");
}
END_TEST

int main(void)
{
    tu_scenario_main(scenarios);
    Suite *s = suite_create("select");
    TCase *tc = tu_tcase(s, "ready", 20);
    tcase_add_test(tc, test_select_picks_the_ready_case);
    tcase_add_test(tc, test_select_send_case_into_buffer);
    tcase_add_test(tc, test_select_default);
    tcase_add_test(tc, test_select_nil_channels_never_ready);
    tcase_add_test(tc, test_select_recv_on_closed);
    tcase_add_test(tc, test_select_fairness);
    tcase_add_test(tc, test_select_many_cases);
    tcase_add_test(tc, test_select_seed_determinism);
    tc = tu_tcase(s, "blocking", 20);
    tcase_add_test(tc, test_select_blocks_then_receives_unbuffered);
    tcase_add_test(tc, test_select_blocks_then_receives_buffered);
    tcase_add_test(tc, test_select_blocks_then_sends_unbuffered);
    tcase_add_test(tc, test_select_blocks_then_sends_buffered);
    tcase_add_test(tc, test_select_woken_by_close);
    tcase_add_test(tc, test_select_same_channel_both_directions);
    tc = tu_tcase(s, "stress", 30);
    tcase_add_test(tc, test_select_many_goroutines_unbuffered);
    tcase_add_test(tc, test_select_many_goroutines_buffered);
    tc = tu_tcase(s, "fatal", 30);
    tcase_add_test(tc, test_select_send_on_closed_panics);
    tcase_add_test(tc, test_select_deadlocks);
    return tu_run(s);
}
