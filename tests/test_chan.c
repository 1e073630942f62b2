/* Channel suite: unbuffered and buffered ordering, blocking, close and drain, range,
 * element sizes, many senders/receivers, ping-pong, and Go's channel panics. */
#include "testutil.h"
#include "tu_fatal.h"

#include <string.h>

/* Let every other goroutine run until it blocks (virtual time at procs = 1, a short real
 * pause at procs = 2).  Only used to check that something did NOT happen. */
static void settle(void)
{
    for (int i = 0; i < 50; i++)
        go_yield();
    go_sleep_ms(5);
}

/* ---- ordering ------------------------------------------------------------------------------ */

static void send_seq(void *arg)
{
    chan_t *ch = arg;
    for (int i = 0; i < 1000; i++)
        chan_send(ch, &i);
}

static void check_fifo(size_t cap)
{
    chan_t *ch = chan_make(sizeof(int), cap);
    go(send_seq, ch);
    for (int i = 0; i < 1000; i++) {
        int v = -1;
        ck_assert(chan_recv(ch, &v));
        ck_assert_int_eq(v, i);
    }
    chan_free(ch);
}

START_TEST(test_unbuffered_fifo) { check_fifo(0); }
END_TEST

START_TEST(test_buffered_fifo) { check_fifo(7); }
END_TEST

/* ---- blocking -------------------------------------------------------------------------------- */

typedef struct blocker {
    chan_t *ch;
    int32_t before, after;
    int value;
} blocker;

static void blocked_send(void *arg)
{
    blocker *b = arg;
    atomic_store_int32(&b->before, 1);
    chan_send(b->ch, &b->value);
    atomic_store_int32(&b->after, 1);
}

static void blocked_recv(void *arg)
{
    blocker *b = arg;
    atomic_store_int32(&b->before, 1);
    chan_recv(b->ch, &b->value);
    atomic_store_int32(&b->after, 1);
}

START_TEST(test_unbuffered_send_blocks_until_received)
{
    static blocker b = {.value = 42};
    b.ch = chan_make(sizeof(int), 0);
    go(blocked_send, &b);
    settle();
    ck_assert_int_eq(atomic_load_int32(&b.before), 1);
    ck_assert_int_eq(atomic_load_int32(&b.after), 0);
    int v = 0;
    ck_assert(chan_recv(b.ch, &v));
    ck_assert_int_eq(v, 42);
    while (!atomic_load_int32(&b.after))
        go_yield();
}
END_TEST

START_TEST(test_unbuffered_recv_blocks_until_sent)
{
    static blocker b;
    b.ch = chan_make(sizeof(int), 0);
    go(blocked_recv, &b);
    settle();
    ck_assert_int_eq(atomic_load_int32(&b.after), 0);
    int v = 7;
    chan_send(b.ch, &v);
    while (!atomic_load_int32(&b.after))
        go_yield();
    ck_assert_int_eq(b.value, 7);
}
END_TEST

START_TEST(test_buffered_send_blocks_when_full)
{
    static blocker b = {.value = 3};
    b.ch = chan_make(sizeof(int), 3);
    /* three sends fit: main alone would deadlock here if they blocked */
    for (int i = 0; i < 3; i++)
        chan_send(b.ch, &i);
    ck_assert_uint_eq(chan_len(b.ch), 3);
    ck_assert_uint_eq(chan_cap(b.ch), 3);
    go(blocked_send, &b);
    settle();
    ck_assert_int_eq(atomic_load_int32(&b.after), 0);
    int v;
    ck_assert(chan_recv(b.ch, &v));
    ck_assert_int_eq(v, 0);
    while (!atomic_load_int32(&b.after))
        go_yield();
    for (int i = 1; i <= 3; i++) {
        ck_assert(chan_recv(b.ch, &v));
        ck_assert_int_eq(v, i);
    }
    ck_assert_uint_eq(chan_len(b.ch), 0);
}
END_TEST

/* Senders that block on a full buffer enter it in the order they blocked. */
static chan_t *fifo_ch;

static void send_own_id(void *arg)
{
    int id = (int)(intptr_t)arg;
    chan_send(fifo_ch, &id);
}

START_TEST(test_blocked_senders_enter_in_order)
{
    if (tu_procs() > 1)
        return; /* only procs = 1 can be sure each sender parked before the next started */
    fifo_ch = chan_make(sizeof(int), 1);
    int v = 0;
    chan_send(fifo_ch, &v);
    for (intptr_t id = 1; id <= 5; id++) {
        go(send_own_id, (void *)id);
        settle(); /* id is parked before id + 1 starts */
    }
    for (int want = 0; want <= 5; want++) {
        ck_assert(chan_recv(fifo_ch, &v));
        ck_assert_int_eq(v, want);
    }
}
END_TEST

START_TEST(test_len_cap)
{
    chan_t *u = chan_make(sizeof(int), 0), *b = chan_make(sizeof(int), 4);
    ck_assert_uint_eq(chan_cap(u), 0);
    ck_assert_uint_eq(chan_len(u), 0);
    ck_assert_uint_eq(chan_cap(b), 4);
    int v = 1;
    chan_send(b, &v);
    chan_send(b, &v);
    ck_assert_uint_eq(chan_len(b), 2);
    ck_assert_uint_eq(chan_len(NULL), 0);
    ck_assert_uint_eq(chan_cap(NULL), 0);
    chan_free(u);
    chan_free(b);
    chan_free(NULL);
}
END_TEST

/* ---- close ------------------------------------------------------------------------------------- */

START_TEST(test_close_drains_then_reports_closed)
{
    chan_t *ch = chan_make(sizeof(int), 5);
    for (int i = 1; i <= 3; i++)
        chan_send(ch, &i);
    chan_close(ch);
    int v;
    for (int i = 1; i <= 3; i++) {
        ck_assert(chan_recv(ch, &v));
        ck_assert_int_eq(v, i);
    }
    v = 0xdead;
    ck_assert(!chan_recv(ch, &v));
    ck_assert_int_eq(v, 0); /* Go's zero value */
    ck_assert(!chan_recv(ch, &v));
    ck_assert(!chan_recv(ch, NULL));
}
END_TEST

static waitgroup_t close_wg;

static void recv_expect_closed(void *arg)
{
    int v = 5;
    if (!chan_recv(arg, &v) && v == 0)
        wg_done(&close_wg);
}

START_TEST(test_close_wakes_every_receiver)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    wg_add(&close_wg, 10);
    for (int i = 0; i < 10; i++)
        go(recv_expect_closed, ch);
    settle();
    chan_close(ch);
    wg_wait(&close_wg); /* deadlocks (and fails) unless all ten saw the close */
}
END_TEST

/* Closing completes every parked waiter, so the closer may free the channel at once:
 * none of them touches it again.  Decoys take the freed block; a waiter that still
 * relocked or re-read the channel would find a fresh, open one and park for good
 * (deadlock), or a garbage lock at procs = 2. */
static void select_expect_closed(void *arg)
{
    int v = 5;
    select_case_t cs[] = {SELECT_RECV_CASE(NULL, &v), SELECT_RECV_CASE(arg, &v)};
    if (chan_select(cs, 2, false) == 1 && !cs[1].ok && v == 0)
        wg_done(&close_wg);
}

START_TEST(test_close_then_free_at_once)
{
    for (int round = 0; round < 20; round++) {
        chan_t *ch = chan_make(sizeof(int), 0);
        wg_add(&close_wg, 8);
        for (int i = 0; i < 8; i++)
            go(i % 4 ? recv_expect_closed : select_expect_closed, ch);
        settle();
        chan_close(ch);
        chan_free(ch);
        chan_t *decoy[4];
        for (int i = 0; i < 4; i++)
            decoy[i] = chan_make(sizeof(int), 0);
        wg_wait(&close_wg);
        for (int i = 0; i < 4; i++)
            chan_free(decoy[i]);
    }
}
END_TEST

static void produce_100(void *arg)
{
    chan_t *ch = arg;
    for (int i = 0; i < 100; i++)
        chan_send(ch, &i);
    chan_close(ch);
}

START_TEST(test_range_loop)
{
    for (size_t cap = 0; cap < 3; cap++) {
        chan_t *ch = chan_make(sizeof(int), cap);
        go(produce_100, ch);
        int v, n = 0, sum = 0;
        chan_range(ch, v)
        {
            ck_assert_int_eq(v, n);
            n++;
            sum += v;
        }
        ck_assert_int_eq(n, 100);
        ck_assert_int_eq(sum, 4950);
        chan_free(ch);
    }
}
END_TEST

/* ---- element sizes ------------------------------------------------------------------------------- */

typedef struct big {
    char bytes[1000];
} big;

static void send_big(void *arg)
{
    chan_t *ch = arg;
    big b;
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < 1000; i++)
            b.bytes[i] = (char)(i * 7 + k);
        chan_send(ch, &b);
    }
}

START_TEST(test_large_elements)
{
    for (size_t cap = 0; cap < 3; cap += 2) {
        chan_t *ch = chan_make(sizeof(big), cap);
        go(send_big, ch);
        for (int k = 0; k < 3; k++) {
            big b;
            memset(&b, 0, sizeof b);
            ck_assert(chan_recv(ch, &b));
            for (int i = 0; i < 1000; i++)
                ck_assert_int_eq(b.bytes[i], (char)(i * 7 + k));
        }
    }
}
END_TEST

static void signal_done(void *arg)
{
    chan_send(arg, NULL); /* chan struct{}: nothing to copy */
}

START_TEST(test_zero_size_elements)
{
    chan_t *done = chan_make(0, 0);
    go(signal_done, done);
    ck_assert(chan_recv(done, NULL));
    chan_t *sem = chan_make(0, 2);
    chan_send(sem, NULL);
    chan_send(sem, NULL);
    ck_assert_uint_eq(chan_len(sem), 2);
    ck_assert(chan_recv(sem, NULL));
    ck_assert_uint_eq(chan_len(sem), 1);
    chan_close(sem);
    ck_assert(chan_recv(sem, NULL));
    ck_assert(!chan_recv(sem, NULL));
}
END_TEST

START_TEST(test_recv_null_drops_value)
{
    chan_t *ch = chan_make(sizeof(int), 2);
    int a = 1, b = 2, v = 0;
    chan_send(ch, &a);
    chan_send(ch, &b);
    ck_assert(chan_recv(ch, NULL));
    ck_assert(chan_recv(ch, &v));
    ck_assert_int_eq(v, 2);
}
END_TEST

/* ---- many goroutines ------------------------------------------------------------------------------- */

enum { NSEND = 8, NRECV = 8, PER_SENDER = 5000 };

static chan_t *mm_ch, *mm_sums;

static void mm_sender(void *arg)
{
    int64_t base = (int64_t)(intptr_t)arg * PER_SENDER;
    for (int64_t i = 1; i <= PER_SENDER; i++) {
        int64_t v = base + i;
        chan_send(mm_ch, &v);
    }
}

static void mm_receiver(void *arg)
{
    (void)arg;
    int64_t v, sum = 0, n = 0;
    chan_range(mm_ch, v)
    {
        sum += v;
        n++;
    }
    int64_t out[2] = {sum, n};
    chan_send(mm_sums, out);
}

static void mm_closer(void *arg)
{
    waitgroup_t *wg = arg;
    wg_wait(wg);
    chan_close(mm_ch);
}

static waitgroup_t mm_wg;

static void mm_sender_wg(void *arg)
{
    mm_sender(arg);
    wg_done(&mm_wg);
}

static void check_many(size_t cap)
{
    mm_ch = chan_make(sizeof(int64_t), cap);
    mm_sums = chan_make(2 * sizeof(int64_t), 0);
    wg_add(&mm_wg, NSEND);
    for (intptr_t s = 0; s < NSEND; s++)
        go(mm_sender_wg, (void *)s);
    for (int r = 0; r < NRECV; r++)
        go(mm_receiver, NULL);
    go(mm_closer, &mm_wg);
    int64_t total = 0, count = 0, out[2];
    for (int r = 0; r < NRECV; r++) {
        ck_assert(chan_recv(mm_sums, out));
        total += out[0];
        count += out[1];
    }
    int64_t n = (int64_t)NSEND * PER_SENDER;
    ck_assert_int_eq(count, n);
    ck_assert_int_eq(total, n * (n + 1) / 2);
}

START_TEST(test_many_senders_receivers_unbuffered) { check_many(0); }
END_TEST

START_TEST(test_many_senders_receivers_buffered) { check_many(4); }
END_TEST

static void ponger(void *arg)
{
    chan_t **chs = arg;
    int v;
    while (chan_recv(chs[0], &v)) {
        v++;
        chan_send(chs[1], &v);
    }
}

START_TEST(test_ping_pong_100k)
{
    static chan_t *chs[2];
    chs[0] = chan_make(sizeof(int), 0);
    chs[1] = chan_make(sizeof(int), 0);
    go(ponger, chs);
    int v = 0;
    for (int i = 0; i < 100000; i++) {
        chan_send(chs[0], &v);
        ck_assert(chan_recv(chs[1], &v));
    }
    ck_assert_int_eq(v, 100000);
    chan_close(chs[0]);
}
END_TEST

/* ---- panics and deadlocks (each in a fresh process) ------------------------------------------------ */

static void sc_send_closed(void)
{
    chan_t *ch = chan_make(sizeof(int), 1);
    chan_close(ch);
    int v = 1;
    chan_send(ch, &v);
}

static void closer(void *arg)
{
    chan_close(arg);
}

static void sc_send_closed_while_blocked(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    go(closer, ch);
    int v = 1;
    chan_send(ch, &v);
}

static void sc_close_closed(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    chan_close(ch);
    chan_close(ch);
}

static void sc_close_nil(void) { chan_close(NULL); }

static void send_three(void *arg)
{
    for (int i = 0; i < 3; i++)
        chan_send(arg, &i);
}

static void sc_range_unclosed(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    go(send_three, ch);
    int v;
    chan_range(ch, v) printf("got %d\n", v);
}

static void sc_send_nil(void)
{
    int v = 1;
    chan_send(NULL, &v);
}

static void sc_recv_nil(void) { chan_recv(NULL, NULL); }

static void sc_send_no_receiver(void)
{
    int v = 1;
    chan_send(chan_make(sizeof(int), 0), &v);
}

static void park_on(void *arg) { chan_recv(arg, NULL); }

static void sc_free_busy(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    go(park_on, ch);
    go_sleep_ms(5);
    chan_free(ch);
}

static void sc_make_huge(void) { chan_make(1 << 20, SIZE_MAX / 1024); }

static const tu_scenario scenarios[] = {
    {"free_busy", sc_free_busy},
    {"make_huge", sc_make_huge},
    {"send_closed", sc_send_closed},
    {"send_closed_while_blocked", sc_send_closed_while_blocked},
    {"close_closed", sc_close_closed},
    {"close_nil", sc_close_nil},
    {"range_unclosed", sc_range_unclosed},
    {"send_nil", sc_send_nil},
    {"recv_nil", sc_recv_nil},
    {"send_no_receiver", sc_send_no_receiver},
    {NULL, NULL},
};

START_TEST(test_panic_send_on_closed)
{
    tu_assert_fatal("send_closed", "panic: send on closed channel\n", "goroutine 1 [running]");
    tu_assert_fatal("send_closed_while_blocked", "panic: send on closed channel\n", "");
}
END_TEST

START_TEST(test_panic_close_of_closed) { tu_assert_fatal("close_closed", "panic: close of closed channel\n", ""); }
END_TEST

START_TEST(test_panic_close_of_nil) { tu_assert_fatal("close_nil", "panic: close of nil channel\n", ""); }
END_TEST

START_TEST(test_deadlock_range_unclosed)
{
    tu_assert_fatal("range_unclosed", "fatal error: all goroutines are asleep - deadlock!",
                    "goroutine 1 [chan receive]:");
    char buf[4096];
    tu_run_scenario("range_unclosed", buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "got 0\ngot 1\ngot 2\n"));
}
END_TEST

START_TEST(test_deadlock_nil_channels)
{
    tu_assert_fatal("send_nil", "fatal error: all goroutines are asleep - deadlock!",
                    "goroutine 1 [chan send (nil chan)]:");
    tu_assert_fatal("recv_nil", "fatal error: all goroutines are asleep - deadlock!",
                    "goroutine 1 [chan receive (nil chan)]:");
    tu_assert_fatal("send_no_receiver", "fatal error: all goroutines are asleep - deadlock!",
                    "goroutine 1 [chan send]:");
}
END_TEST

START_TEST(test_misuse_of_channel_memory)
{
    tu_assert_fatal("free_busy", "fatal error: chan_free of a channel with blocked goroutines\n", "");
    tu_assert_fatal("make_huge", "panic: makechan: size out of range\n", "");
}
END_TEST

int main(void)
{
    tu_scenario_main(scenarios);
    Suite *s = suite_create("chan");
    TCase *tc = tu_tcase(s, "order", 20);
    tcase_add_test(tc, test_unbuffered_fifo);
    tcase_add_test(tc, test_buffered_fifo);
    tcase_add_test(tc, test_len_cap);
    tc = tu_tcase(s, "blocking", 20);
    tcase_add_test(tc, test_unbuffered_send_blocks_until_received);
    tcase_add_test(tc, test_unbuffered_recv_blocks_until_sent);
    tcase_add_test(tc, test_buffered_send_blocks_when_full);
    tcase_add_test(tc, test_blocked_senders_enter_in_order);
    tc = tu_tcase(s, "close", 20);
    tcase_add_test(tc, test_close_drains_then_reports_closed);
    tcase_add_test(tc, test_close_wakes_every_receiver);
    tcase_add_test(tc, test_close_then_free_at_once);
    tcase_add_test(tc, test_range_loop);
    tc = tu_tcase(s, "elements", 20);
    tcase_add_test(tc, test_large_elements);
    tcase_add_test(tc, test_zero_size_elements);
    tcase_add_test(tc, test_recv_null_drops_value);
    tc = tu_tcase(s, "stress", 30);
    tcase_add_test(tc, test_many_senders_receivers_unbuffered);
    tcase_add_test(tc, test_many_senders_receivers_buffered);
    tcase_add_test(tc, test_ping_pong_100k);
    tc = tu_tcase(s, "fatal", 30);
    tcase_add_test(tc, test_panic_send_on_closed);
    tcase_add_test(tc, test_panic_close_of_closed);
    tcase_add_test(tc, test_panic_close_of_nil);
    tcase_add_test(tc, test_deadlock_range_unclosed);
    tcase_add_test(tc, test_deadlock_nil_channels);
    tcase_add_test(tc, test_misuse_of_channel_memory);
    return tu_run(s);
}
