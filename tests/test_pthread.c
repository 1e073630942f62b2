/* pthread suite (runtime/pthread.c): POSIX threads run as goroutines.  Thread life
 * (create, join with its value, detach, self, exit from a thread and from main), each
 * mutex kind and its errors, condition variables, read-write locks, once, barriers,
 * spin locks, semaphores, keys and their destructors, the timed waits, sleep on the
 * runtime's clock, and Go's fatal errors: a pthreads deadlock and what is unsupported. */
#define _GNU_SOURCE
#include "testutil.h"
#include "tu_fatal.h"
#include "rt.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <time.h>

/* errno as the calling OS thread has it now.  At procs = 2 a goroutine may resume on
 * another M after a wait, and compilers read errno through an address computed once per
 * function (__errno_location is declared const): a read after the wait would look at the
 * old thread's errno. */
static __attribute__((noinline)) int errno_now(void) { return errno; }

/* An absolute CLOCK_REALTIME time ms from now. */
static struct timespec in_ms(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000;
    if (t.tv_nsec >= 1000000000) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000;
    }
    return t;
}

/* ---- threads ----------------------------------------------------------------------------- */

static void *square(void *p)
{
    long v = (long)p;
    return (void *)(v * v);
}

START_TEST(test_create_join_returns_value)
{
    pthread_t t[8];
    for (long i = 0; i < 8; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, square, (void *)i), 0);
    for (long i = 0; i < 8; i++) {
        void *r = NULL;
        ck_assert_int_eq(pthread_join(t[i], &r), 0);
        ck_assert_int_eq((long)r, i * i);
    }
}
END_TEST

static pthread_t seen_self;
static void *note_self(void *p)
{
    (void)p;
    seen_self = pthread_self();
    return NULL;
}

START_TEST(test_self_and_join_errors)
{
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, note_self, NULL), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert(pthread_equal(seen_self, t));
    ck_assert(!pthread_equal(pthread_self(), t));
    ck_assert(pthread_equal(pthread_self(), pthread_self()));
    ck_assert_int_eq(pthread_join(pthread_self(), NULL), EDEADLK);
    /* a detached thread cannot be joined */
    ck_assert_int_eq(pthread_create(&t, NULL, note_self, NULL), 0);
    ck_assert_int_eq(pthread_detach(t), 0);
    ck_assert_int_eq(pthread_join(t, NULL), EINVAL);
}
END_TEST

static sem_t detached_done;
static int detached_ran;
static void *detached_body(void *p)
{
    (void)p;
    detached_ran = 1;
    sem_post(&detached_done);
    return NULL;
}

START_TEST(test_detached_by_attribute)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    sem_init(&detached_done, 0, 0);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, &a, detached_body, NULL), 0);
    pthread_attr_destroy(&a);
    ck_assert_int_eq(pthread_join(t, NULL), EINVAL);
    sem_wait(&detached_done);
    ck_assert_int_eq(detached_ran, 1);
}
END_TEST

static void *exits_early(void *p)
{
    (void)p;
    pthread_exit((void *)42);
    return NULL; /* not reached */
}

START_TEST(test_exit_from_thread_gives_join_its_value)
{
    pthread_t t;
    void *r;
    ck_assert_int_eq(pthread_create(&t, NULL, exits_early, NULL), 0);
    ck_assert_int_eq(pthread_join(t, &r), 0);
    ck_assert_int_eq((long)r, 42);
}
END_TEST

static void *stack_of_self(void *p)
{
    pthread_attr_t a;
    void *lo;
    size_t n;
    char here;
    if (pthread_getattr_np(pthread_self(), &a) != 0 || pthread_attr_getstack(&a, &lo, &n) != 0)
        return (void *)0L;
    pthread_attr_destroy(&a);
    return (void *)(long)(&here >= (char *)lo && &here < (char *)lo + n);
}

/* each thread's stack is its own goroutine's, main's the process's */
START_TEST(test_getattr_np_gives_the_stack)
{
    ck_assert_int_eq((long)stack_of_self(NULL), 1);
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, stack_of_self, NULL);
    pthread_join(t, &r);
    ck_assert_int_eq((long)r, 1);
}
END_TEST

static void *stack_size_of_self(void *p)
{
    (void)p;
    pthread_attr_t a;
    size_t n = 0;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        pthread_attr_getstacksize(&a, &n);
        pthread_attr_destroy(&a);
    }
    return (void *)n;
}

static size_t thread_stack_size(const pthread_attr_t *a)
{
    pthread_t t;
    void *r = NULL;
    ck_assert_int_eq(pthread_create(&t, a, stack_size_of_self, NULL), 0);
    ck_assert_int_eq(pthread_join(t, &r), 0);
    return (size_t)r;
}

/* glibc's sizes: the attribute's, else its default (the stack rlimit); a goroutine's
 * slot only when that is as big.  Twice each size: the second comes from the cache. */
START_TEST(test_stack_size_follows_the_attribute)
{
    pthread_attr_t a;
    size_t deflt = 0;
    pthread_attr_init(&a);
    pthread_attr_getstacksize(&a, &deflt);
    for (int i = 0; i < 2; i++)
        ck_assert_uint_ge(thread_stack_size(NULL), deflt > stack_size() ? deflt : stack_size());
    pthread_attr_setstacksize(&a, 24u << 20);
    for (int i = 0; i < 2; i++) {
        size_t n = thread_stack_size(&a);
        ck_assert_uint_ge(n, 24u << 20);
        ck_assert_uint_lt(n, (24u << 20) + 65536);
    }
    pthread_attr_setstacksize(&a, 256u << 10); /* less than a goroutine's: a slot */
    ck_assert_uint_eq(thread_stack_size(&a) - 4096, stack_size());
    pthread_attr_destroy(&a);
}
END_TEST

/* A goroutine that exits hands its stack to the next never-run one (stack_pass), but only
 * one of the same size: created all before any runs, small and big threads alternate in
 * the run queue, so each size's exit finds the other size next. */
START_TEST(test_exiting_thread_passes_its_stack_only_to_its_size)
{
    enum { N = 8 };
    pthread_attr_t small, big;
    pthread_attr_init(&small);
    pthread_attr_init(&big);
    pthread_attr_setstacksize(&small, 256u << 10);
    pthread_attr_setstacksize(&big, 24u << 20);
    pthread_t t[N];
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(pthread_create(&t[i], i % 2 ? &big : &small, stack_size_of_self, NULL), 0);
    for (int i = 0; i < N; i++) {
        void *r = NULL;
        ck_assert_int_eq(pthread_join(t[i], &r), 0);
        if (i % 2)
            ck_assert_uint_ge((size_t)r, 24u << 20);
        else
            ck_assert_uint_eq((size_t)r - 4096, stack_size());
    }
    pthread_attr_destroy(&small);
    pthread_attr_destroy(&big);
}
END_TEST

START_TEST(test_names)
{
    char buf[16];
    ck_assert_int_eq(pthread_setname_np(pthread_self(), "worker-7"), 0);
    ck_assert_int_eq(pthread_getname_np(pthread_self(), buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "worker-7");
    ck_assert_int_eq(pthread_setname_np(pthread_self(), "a name far too long"), ERANGE);
}
END_TEST

/* ---- mutexes ------------------------------------------------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

/* read, yield, write under the lock: without exclusion updates are lost at procs = 1 */
static void *increment(void *p)
{
    (void)p;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&mu);
        long v = counter;
        if (i % 64 == 0)
            sched_yield();
        counter = v + 1;
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

START_TEST(test_mutex_excludes)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, increment, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(counter, 80000);
}
END_TEST

static void *try_from_other(void *p)
{
    return (void *)(long)pthread_mutex_trylock(p);
}

START_TEST(test_mutex_kinds)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_t rec;
    pthread_mutex_init(&rec, &a);
    ck_assert_int_eq(pthread_mutex_lock(&rec), 0);
    ck_assert_int_eq(pthread_mutex_lock(&rec), 0);
    ck_assert_int_eq(pthread_mutex_trylock(&rec), 0);
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, try_from_other, &rec);
    pthread_join(t, &r);
    ck_assert_int_eq((long)r, EBUSY);
    ck_assert_int_eq(pthread_mutex_unlock(&rec), 0);
    ck_assert_int_eq(pthread_mutex_unlock(&rec), 0);
    ck_assert_int_eq(pthread_mutex_destroy(&rec), EBUSY);
    ck_assert_int_eq(pthread_mutex_unlock(&rec), 0);
    ck_assert_int_eq(pthread_mutex_unlock(&rec), EPERM);
    ck_assert_int_eq(pthread_mutex_destroy(&rec), 0);

    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t ec;
    pthread_mutex_init(&ec, &a);
    ck_assert_int_eq(pthread_mutex_unlock(&ec), EPERM);
    ck_assert_int_eq(pthread_mutex_lock(&ec), 0);
    ck_assert_int_eq(pthread_mutex_lock(&ec), EDEADLK);
    ck_assert_int_eq(pthread_mutex_trylock(&ec), EBUSY);
    ck_assert_int_eq(pthread_mutex_unlock(&ec), 0);
    pthread_mutexattr_destroy(&a);
}
END_TEST

/* glibc's static initialiser for a recursive mutex stores its kind where our wait queue
 * lives: converted on first use, and the queue works afterwards */
static pthread_mutex_t static_rec = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static int rec_holders;
static void *lock_static_rec(void *p)
{
    (void)p;
    pthread_mutex_lock(&static_rec);
    rec_holders++;
    pthread_mutex_unlock(&static_rec);
    return NULL;
}

START_TEST(test_mutex_static_recursive_initializer)
{
    ck_assert_int_eq(pthread_mutex_lock(&static_rec), 0);
    ck_assert_int_eq(pthread_mutex_lock(&static_rec), 0);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, lock_static_rec, NULL);
    for (int i = 0; i < 20; i++)
        sched_yield(); /* the others queue behind main */
    ck_assert_int_eq(rec_holders, 0);
    pthread_mutex_unlock(&static_rec);
    ck_assert_int_eq(rec_holders, 0); /* still held once */
    pthread_mutex_unlock(&static_rec);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(rec_holders, 3);
}
END_TEST

/* returns timedlock's result, or -2 if it timed out before its deadline */
static void *timed_from_other(void *p)
{
    long ms = (long)((void **)p)[1];
    struct timespec dl = in_ms(ms);
    int64_t t0 = go_now_ns();
    int rc = pthread_mutex_timedlock(((void **)p)[0], &dl);
    if (rc == ETIMEDOUT && go_now_ns() - t0 < (ms - 1) * 1000000)
        rc = -2;
    if (rc == 0)
        pthread_mutex_unlock(((void **)p)[0]);
    return (void *)(long)rc;
}

START_TEST(test_mutex_timedlock)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    struct timespec soon = in_ms(30);
    ck_assert_int_eq(pthread_mutex_timedlock(&m, &soon), 0); /* free: at once */
    pthread_t t;
    void *r, *args[2] = {&m, (void *)20L};
    pthread_create(&t, NULL, timed_from_other, args);
    pthread_join(t, &r);
    ck_assert_int_eq((long)r, ETIMEDOUT); /* held throughout */
    args[1] = (void *)1000L;
    pthread_create(&t, NULL, timed_from_other, args);
    usleep(10000);
    pthread_mutex_unlock(&m); /* let go in time */
    pthread_join(t, &r);
    ck_assert_int_eq((long)r, 0);
}
END_TEST

/* ---- condition variables ------------------------------------------------------------------- */

static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int queue[100], qlen, consumed_sum; /* room for every item: the producer never waits */

static void *consumer(void *p)
{
    long want = (long)p;
    for (long got = 0; got < want; got++) {
        pthread_mutex_lock(&mu);
        while (qlen == 0)
            pthread_cond_wait(&cv, &mu);
        consumed_sum += queue[--qlen];
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

START_TEST(test_cond_producer_consumer)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, consumer, (void *)50L);
    for (int i = 1; i <= 100; i++) {
        pthread_mutex_lock(&mu);
        queue[qlen++] = i;
        pthread_cond_signal(&cv);
        pthread_mutex_unlock(&mu);
        if (i % 7 == 0)
            sched_yield();
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(consumed_sum, 5050);
}
END_TEST

static int go_flag, woken;
static void *wait_flag(void *p)
{
    (void)p;
    pthread_mutex_lock(&mu);
    while (!go_flag)
        pthread_cond_wait(&cv, &mu);
    woken++;
    pthread_mutex_unlock(&mu);
    return NULL;
}

START_TEST(test_cond_broadcast_wakes_all)
{
    pthread_t t[5];
    for (int i = 0; i < 5; i++)
        pthread_create(&t[i], NULL, wait_flag, NULL);
    for (int i = 0; i < 20; i++)
        sched_yield();
    pthread_mutex_lock(&mu);
    go_flag = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < 5; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(woken, 5);
}
END_TEST

START_TEST(test_cond_timedwait_times_out)
{
    pthread_mutex_lock(&mu);
    int64_t t0 = go_now_ns();
    struct timespec soon = in_ms(20);
    int rc = pthread_cond_timedwait(&cv, &mu, &soon); /* nobody signals */
    ck_assert_int_eq(rc, ETIMEDOUT);
    ck_assert_int_ge(go_now_ns() - t0, 19000000);
    ck_assert_int_eq(pthread_mutex_trylock(&mu), EBUSY); /* held again */
    pthread_mutex_unlock(&mu);
    /* with a monotonic clock */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_t mc;
    pthread_cond_init(&mc, &ca);
    struct timespec m;
    clock_gettime(CLOCK_MONOTONIC, &m);
    m.tv_nsec = 0;
    m.tv_sec++;
    pthread_mutex_lock(&mu);
    ck_assert_int_eq(pthread_cond_timedwait(&mc, &mu, &m), ETIMEDOUT);
    pthread_mutex_unlock(&mu);
}
END_TEST

static void *signal_later(void *p)
{
    usleep(5000);
    pthread_mutex_lock(&mu);
    go_flag = 1;
    pthread_cond_signal(p);
    pthread_mutex_unlock(&mu);
    return NULL;
}

/* a signal ends a timed wait before its deadline */
START_TEST(test_cond_timedwait_signalled)
{
    pthread_t t;
    pthread_mutex_lock(&mu);
    pthread_create(&t, NULL, signal_later, &cv);
    struct timespec later = in_ms(10000);
    int64_t t0 = go_now_ns();
    while (!go_flag)
        ck_assert_int_eq(pthread_cond_timedwait(&cv, &mu, &later), 0);
    ck_assert_int_lt(go_now_ns() - t0, 5000000000);
    pthread_mutex_unlock(&mu);
    pthread_join(t, NULL);
}
END_TEST

/* ---- read-write locks, once, barriers, spin locks ------------------------------------------- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t in_together;

/* passes the barrier only if all three hold the read lock at once */
static void *reader(void *p)
{
    pthread_rwlock_rdlock(&rw);
    pthread_barrier_wait(&in_together);
    pthread_rwlock_unlock(&rw);
    return p;
}

START_TEST(test_rwlock_readers_share_writer_excludes)
{
    pthread_barrier_init(&in_together, NULL, 3);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, reader, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(pthread_rwlock_wrlock(&rw), 0);
    ck_assert_int_eq(pthread_rwlock_tryrdlock(&rw), EBUSY);
    ck_assert_int_eq(pthread_rwlock_trywrlock(&rw), EBUSY);
    ck_assert_int_eq(pthread_rwlock_destroy(&rw), EBUSY);
    ck_assert_int_eq(pthread_rwlock_unlock(&rw), 0);
    ck_assert_int_eq(pthread_rwlock_tryrdlock(&rw), 0);
    ck_assert_int_eq(pthread_rwlock_tryrdlock(&rw), 0);
    ck_assert_int_eq(pthread_rwlock_trywrlock(&rw), EBUSY);
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_unlock(&rw);
    ck_assert_int_eq(pthread_rwlock_trywrlock(&rw), 0);
    pthread_rwlock_unlock(&rw);
}
END_TEST

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs, once_value;
static void once_init(void)
{
    once_runs++;
    sched_yield(); /* the others arrive while it runs, and must wait */
    once_value = 7;
}

static void *use_once(void *p)
{
    (void)p;
    pthread_once(&once, once_init);
    return (void *)(long)once_value;
}

START_TEST(test_once_runs_once_and_others_wait)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, use_once, NULL);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        ck_assert_int_eq((long)r, 7);
    }
    ck_assert_int_eq(once_runs, 1);
}
END_TEST

enum { NB = 4, ROUNDS = 3 };
static pthread_barrier_t bar;
static int slots[NB], serials, bad_reads;

static void *barrier_worker(void *p)
{
    long id = (long)p;
    for (int r = 1; r <= ROUNDS; r++) {
        slots[id] = r;
        if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
            __atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
        for (int i = 0; i < NB; i++)
            if (slots[i] != r)
                __atomic_add_fetch(&bad_reads, 1, __ATOMIC_RELAXED);
        pthread_barrier_wait(&bar); /* everyone read before the next round writes */
    }
    return NULL;
}

START_TEST(test_barrier_rounds)
{
    ck_assert_int_eq(pthread_barrier_init(&bar, NULL, 0), EINVAL);
    ck_assert_int_eq(pthread_barrier_init(&bar, NULL, NB), 0);
    pthread_t t[NB];
    for (long i = 0; i < NB; i++)
        pthread_create(&t[i], NULL, barrier_worker, (void *)i);
    for (int i = 0; i < NB; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(bad_reads, 0);
    ck_assert_int_eq(serials, ROUNDS); /* one serial thread per first barrier of a round */
    ck_assert_int_eq(pthread_barrier_destroy(&bar), 0);
}
END_TEST

static pthread_spinlock_t spin;
static long spun;
static void *spin_worker(void *p)
{
    (void)p;
    for (int i = 0; i < 5000; i++) {
        pthread_spin_lock(&spin);
        long v = spun;
        if (i % 100 == 0)
            sched_yield(); /* the others spin, yielding, meanwhile */
        spun = v + 1;
        pthread_spin_unlock(&spin);
    }
    return NULL;
}

START_TEST(test_spinlock_excludes)
{
    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, spin_worker, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(spun, 15000);
    ck_assert_int_eq(pthread_spin_trylock(&spin), 0);
    ck_assert_int_eq(pthread_spin_trylock(&spin), EBUSY);
    pthread_spin_unlock(&spin);
}
END_TEST

/* ---- semaphores ------------------------------------------------------------------------------ */

static sem_t items, room;
static int ring[4], head, tail, sem_sum;

static void *sem_producer(void *p)
{
    (void)p;
    for (int i = 1; i <= 100; i++) {
        sem_wait(&room);
        ring[tail++ % 4] = i;
        sem_post(&items);
    }
    return NULL;
}

START_TEST(test_semaphore_bounded_buffer)
{
    sem_init(&items, 0, 0);
    sem_init(&room, 0, 4);
    pthread_t t;
    pthread_create(&t, NULL, sem_producer, NULL);
    for (int i = 0; i < 100; i++) {
        sem_wait(&items);
        sem_sum += ring[head++ % 4];
        sem_post(&room);
    }
    pthread_join(t, NULL);
    ck_assert_int_eq(sem_sum, 5050);
    int v;
    sem_getvalue(&room, &v);
    ck_assert_int_eq(v, 4);
    ck_assert_int_eq(sem_trywait(&items), -1);
    ck_assert_int_eq(errno_now(), EAGAIN);
    struct timespec soon = in_ms(10);
    ck_assert_int_eq(sem_timedwait(&items, &soon), -1);
    ck_assert_int_eq(errno_now(), ETIMEDOUT);
    ck_assert_int_eq(sem_init(&items, 0, (unsigned)SEM_VALUE_MAX + 1u), -1);
    ck_assert_int_eq(errno_now(), EINVAL);
}
END_TEST

/* ---- keys, sleep ------------------------------------------------------------------------------ */

static pthread_key_t key;
static long dtor_sum;
static void key_dtor(void *v) { __atomic_add_fetch(&dtor_sum, (long)v, __ATOMIC_RELAXED); }

static void *key_worker(void *p)
{
    pthread_setspecific(key, p);
    sched_yield(); /* the others set theirs meanwhile */
    return pthread_getspecific(key);
}

/* ---- threads do not change OS thread ------------------------------------------------------ */

/* C code may keep errno's address or a thread pointer in a register across a blocking
 * call, so a thread (and a goroutine once it took errno's address) stays on the M it
 * started on.  Four of them contend for one mutex and yield, which at procs = 2 makes
 * an idle M steal whatever it may. */
#define PIN_ROUNDS 300
static pthread_mutex_t pin_mu = PTHREAD_MUTEX_INITIALIZER;
static int pin_moves, pin_total;

static __attribute__((noinline)) int m_now(void) { return sched_m_id(); }

static void pin_rounds(void)
{
    int home = m_now(), moves = 0;
    for (int i = 0; i < PIN_ROUNDS; i++) {
        pthread_mutex_lock(&pin_mu);
        pin_total++;
        pthread_mutex_unlock(&pin_mu);
        sched_yield();
        moves += m_now() != home;
    }
    pthread_mutex_lock(&pin_mu);
    pin_moves += moves;
    pthread_mutex_unlock(&pin_mu);
}

static void *pin_thread(void *p)
{
    pin_rounds();
    return p;
}

static waitgroup_t pin_wg;
static void pin_goroutine(void *p)
{
    (void)p;
    errno = 0; /* takes errno's address: pinned from here on */
    pin_rounds();
    wg_done(&pin_wg);
}

START_TEST(test_threads_stay_on_their_m)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, pin_thread, NULL), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(pin_total, 4 * PIN_ROUNDS);
    ck_assert_int_eq(pin_moves, 0);
}
END_TEST

START_TEST(test_errno_users_stay_on_their_m)
{
    wg_add(&pin_wg, 4);
    for (int i = 0; i < 4; i++)
        go(pin_goroutine, NULL);
    wg_wait(&pin_wg);
    ck_assert_int_eq(pin_total, 4 * PIN_ROUNDS);
    ck_assert_int_eq(pin_moves, 0);
}
END_TEST

START_TEST(test_keys_are_per_thread_with_destructors)
{
    ck_assert_int_eq(pthread_key_create(&key, key_dtor), 0);
    ck_assert_ptr_null(pthread_getspecific(key));
    pthread_setspecific(key, (void *)1000L);
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, key_worker, (void *)(i + 1));
    for (long i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        ck_assert_int_eq((long)r, i + 1);
    }
    ck_assert_int_eq(dtor_sum, 1 + 2 + 3 + 4); /* at each thread's end, not main's */
    ck_assert_int_eq((long)pthread_getspecific(key), 1000);
    ck_assert_int_eq(pthread_key_delete(key), 0);
    ck_assert_int_eq(pthread_setspecific(key, NULL), EINVAL);
    pthread_key_t again;
    ck_assert_int_eq(pthread_key_create(&again, NULL), 0);
    ck_assert_ptr_null(pthread_getspecific(again)); /* a reused slot starts empty */
}
END_TEST

START_TEST(test_sleep_is_the_runtime_clock)
{
    int64_t t0 = go_now_ns();
    ck_assert_int_eq(usleep(20000), 0);
    struct timespec ts = {0, 5000000}, rem = {1, 1};
    ck_assert_int_eq(nanosleep(&ts, &rem), 0);
    ck_assert_int_eq(rem.tv_sec + rem.tv_nsec, 0);
    ck_assert_int_ge(go_now_ns() - t0, 25000000);
    ts.tv_nsec = 1000000000;
    ck_assert_int_eq(nanosleep(&ts, NULL), -1);
    ck_assert_int_eq(errno_now(), EINVAL);
    if (!getenv("TEST_PROCS") || atoi(getenv("TEST_PROCS")) == 1) {
        /* virtual at procs = 1: an hour costs no wall time */
        double w0 = tu_now_s();
        ck_assert_int_eq(sleep(3600), 0);
        ck_assert(tu_now_s() - w0 < 5);
    }
}
END_TEST

/* ---- fatal errors --------------------------------------------------------------------------- */

static void sc_lock_twice(void)
{
    static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&m);
    pthread_mutex_lock(&m);
}

static void *wait_forever(void *p)
{
    pthread_mutex_lock(&mu);
    pthread_cond_wait(&cv, &mu); /* nobody signals */
    pthread_mutex_unlock(&mu);
    return p;
}

static void sc_join_lost_wakeup(void)
{
    pthread_t t;
    pthread_create(&t, NULL, wait_forever, NULL);
    pthread_join(t, NULL);
}

static void sc_cancel(void)
{
    pthread_t t;
    pthread_create(&t, NULL, wait_forever, NULL);
    pthread_cancel(t);
}

static void *last_one(void *p)
{
    sched_yield();
    printf("last thread done\n");
    return p;
}

static void sc_main_exit_waits(void)
{
    pthread_t t;
    pthread_create(&t, NULL, last_one, NULL);
    pthread_exit(NULL);
}

static void *quick(void *p) { return p; }

/* a thread joined just before exit: run under random preemption with the leak check */
static void sc_joined_are_gone(void)
{
    pthread_t t;
    pthread_create(&t, NULL, quick, NULL);
    pthread_join(t, NULL);
}

/* ---- lock order (detector/lockorder.c) ---------------------------------------------------- */

static pthread_mutex_t lo_a = PTHREAD_MUTEX_INITIALIZER, lo_b = PTHREAD_MUTEX_INITIALIZER,
                       lo_gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *lo_first, *lo_second;
static bool lo_gated, lo_try;

static void *lock_two(void *p)
{
    if (lo_gated)
        pthread_mutex_lock(&lo_gate);
    pthread_mutex_lock(lo_first);
    if (lo_try) {
        if (pthread_mutex_trylock(lo_second) == 0)
            pthread_mutex_unlock(lo_second);
    } else {
        pthread_mutex_lock(lo_second);
        pthread_mutex_unlock(lo_second);
    }
    pthread_mutex_unlock(lo_first);
    if (lo_gated)
        pthread_mutex_unlock(&lo_gate);
    return p;
}

/* a then b in one thread, b then a in another, one after the other: this run cannot
 * deadlock, another schedule can */
static void lock_orders(bool threads, bool second_try)
{
    pthread_t t;
    lo_first = &lo_a, lo_second = &lo_b;
    if (threads) {
        pthread_create(&t, NULL, lock_two, NULL);
        pthread_join(t, NULL);
    } else {
        lock_two(NULL);
    }
    lo_first = &lo_b, lo_second = &lo_a, lo_try = second_try;
    if (threads) {
        pthread_create(&t, NULL, lock_two, NULL);
        pthread_join(t, NULL);
    } else {
        lock_two(NULL);
    }
}

static void sc_inversion(void) { lock_orders(true, false); }
static void sc_inversion_gated(void) { lo_gated = true; lock_orders(true, false); }
static void sc_inversion_one_thread(void) { lock_orders(false, false); }
static void sc_inversion_by_trylock(void) { lock_orders(true, true); }

/* a heap mutex freed and another allocated in its place is a new mutex: no old edges */
static pthread_mutex_t *lo_heap;
static void *heap_then_a(void *p)
{
    pthread_mutex_lock(lo_heap);
    pthread_mutex_lock(&lo_a);
    pthread_mutex_unlock(&lo_a);
    pthread_mutex_unlock(lo_heap);
    return p;
}

static void sc_freed_mutex_forgotten(void)
{
    pthread_t t;
    lo_heap = malloc(sizeof *lo_heap);
    pthread_mutex_init(lo_heap, NULL);
    lo_first = &lo_a, lo_second = lo_heap;
    pthread_create(&t, NULL, lock_two, NULL); /* a -> heap */
    pthread_join(t, NULL);
    pthread_mutex_t *old = lo_heap;
    free(lo_heap);
    lo_heap = malloc(sizeof *lo_heap);
    pthread_mutex_init(lo_heap, NULL);
    if (lo_heap != old)
        printf("not reused\n");
    pthread_create(&t, NULL, heap_then_a, NULL); /* new heap -> a */
    pthread_join(t, NULL);
}

/* a graph of 2,000 heap mutexes, one order only: the graph's table grows under its lock,
 * among the mutexes' own blocks (the frees of its old buckets are in their range) */
enum { LO_MANY = 2000 };
static pthread_mutex_t *lo_many[LO_MANY];
static void *lock_many(void *p)
{
    for (int i = 0; i < LO_MANY; i++) {
        if (!lo_many[i]) {
            lo_many[i] = malloc(sizeof *lo_many[i]);
            pthread_mutex_init(lo_many[i], NULL);
        }
        pthread_mutex_lock(&lo_a);
        pthread_mutex_lock(lo_many[i]);
        pthread_mutex_unlock(lo_many[i]);
        pthread_mutex_unlock(&lo_a);
    }
    return p;
}

static void sc_many_mutexes(void)
{
    pthread_t t;
    for (int i = 0; i < 2; i++) {
        pthread_create(&t, NULL, lock_many, NULL);
        pthread_join(t, NULL);
    }
}

static const tu_scenario scenarios[] = {
    {"many_mutexes", sc_many_mutexes},
    {"inversion", sc_inversion},
    {"inversion_gated", sc_inversion_gated},
    {"inversion_one_thread", sc_inversion_one_thread},
    {"inversion_by_trylock", sc_inversion_by_trylock},
    {"freed_mutex_forgotten", sc_freed_mutex_forgotten},
    {"joined_are_gone", sc_joined_are_gone},
    {"lock_twice", sc_lock_twice},
    {"join_lost_wakeup", sc_join_lost_wakeup},
    {"cancel", sc_cancel},
    {"main_exit_waits", sc_main_exit_waits},
    {0},
};

START_TEST(test_deadlocks_are_reported)
{
    const char *dl = "fatal error: all goroutines are asleep - deadlock!";
    tu_assert_fatal("lock_twice", dl, "goroutine 1 [semacquire]:");
    tu_assert_fatal("join_lost_wakeup", dl, "[sync.Cond.Wait]:");
}
END_TEST

START_TEST(test_unsupported_is_fatal)
{
    tu_assert_fatal("cancel", "fatal error: pthread_cancel: not supported", "");
}
END_TEST

/* a joined thread is over when pthread_join returns: its last steps wake the joiner and
 * take no scheduling point after, so a preempting schedule never leaves it alive at exit
 * (the leak check would report it) */
START_TEST(test_join_leaves_no_goroutine_behind)
{
    setenv("RACEDEMO_LEAKCHECK", "1", 1);
    setenv("RACEDEMO_STRATEGY", "random", 1);
    char buf[8192], seed[16];
    for (int i = 1; i <= 40; i++) {
        snprintf(seed, sizeof seed, "%d", i);
        setenv("RACEDEMO_SEED", seed, 1);
        int st = tu_run_scenario("joined_are_gone", buf, sizeof buf);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0 && !strstr(buf, "leak"),
                      "seed %d: status %#x: %s", i, st, buf);
    }
}
END_TEST

START_TEST(test_main_pthread_exit_waits_for_threads)
{
    char buf[4096];
    int st = tu_run_scenario("main_exit_waits", buf, sizeof buf);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x: %s", st, buf);
    ck_assert_msg(strstr(buf, "last thread done\n"), "output: %s", buf);
}
END_TEST

START_TEST(test_lock_order_inversion_reported)
{
    char buf[16384];
    int st = tu_run_scenario("inversion", buf, sizeof buf);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 66, "status %#x: %s", st, buf);
    ck_assert_msg(strstr(buf, "WARNING: LOCK ORDER INVERSION (potential deadlock)\n"), "%s", buf);
    ck_assert_msg(strstr(buf, "previously acquired by the same goroutine here:\n"), "%s", buf);
    ck_assert_msg(strstr(buf, "Found 1 potential deadlock(s)"), "%s", buf);
    ck_assert_msg(strstr(buf, "lock_two()"), "no user frame: %s", buf);
}
END_TEST

/* orders that cannot deadlock: under a common gate lock, in one thread, or where the
 * second order only tries; and a mutex at a freed one's address is a new mutex */
START_TEST(test_lock_orders_that_cannot_deadlock)
{
    static const char *const quiet[] = {"inversion_gated", "inversion_one_thread",
                                        "inversion_by_trylock", "freed_mutex_forgotten",
                                        "many_mutexes"};
    char buf[16384];
    for (size_t i = 0; i < sizeof quiet / sizeof *quiet; i++) {
        int st = tu_run_scenario(quiet[i], buf, sizeof buf);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0 && !strstr(buf, "WARNING"),
                      "%s: status %#x: %s", quiet[i], st, buf);
        ck_assert_msg(!strstr(buf, "not reused"), "%s: the test needs the address reused", quiet[i]);
    }
}
END_TEST

int main(void)
{
    tu_scenario_main(scenarios);
    Suite *s = suite_create("pthread");
    TCase *tc = tu_tcase(s, "threads", 30);
    tcase_add_test(tc, test_create_join_returns_value);
    tcase_add_test(tc, test_self_and_join_errors);
    tcase_add_test(tc, test_detached_by_attribute);
    tcase_add_test(tc, test_exit_from_thread_gives_join_its_value);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_getattr_np_gives_the_stack);
    tcase_add_test(tc, test_stack_size_follows_the_attribute);
    tcase_add_test(tc, test_exiting_thread_passes_its_stack_only_to_its_size);
    tc = tu_tcase(s, "mutex", 30);
    tcase_add_test(tc, test_mutex_excludes);
    tcase_add_test(tc, test_mutex_kinds);
    tcase_add_test(tc, test_mutex_static_recursive_initializer);
    tcase_add_test(tc, test_mutex_timedlock);
    tc = tu_tcase(s, "cond", 30);
    tcase_add_test(tc, test_cond_producer_consumer);
    tcase_add_test(tc, test_cond_broadcast_wakes_all);
    tcase_add_test(tc, test_cond_timedwait_times_out);
    tcase_add_test(tc, test_cond_timedwait_signalled);
    tc = tu_tcase(s, "sync", 30);
    tcase_add_test(tc, test_rwlock_readers_share_writer_excludes);
    tcase_add_test(tc, test_once_runs_once_and_others_wait);
    tcase_add_test(tc, test_barrier_rounds);
    tcase_add_test(tc, test_spinlock_excludes);
    tcase_add_test(tc, test_semaphore_bounded_buffer);
    tc = tu_tcase(s, "keys_time", 30);
    tcase_add_test(tc, test_keys_are_per_thread_with_destructors);
    tcase_add_test(tc, test_threads_stay_on_their_m);
    tcase_add_test(tc, test_errno_users_stay_on_their_m);
    tcase_add_test(tc, test_sleep_is_the_runtime_clock);
    tc = tu_tcase(s, "fatal", 30);
    tcase_add_test(tc, test_deadlocks_are_reported);
    tcase_add_test(tc, test_unsupported_is_fatal);
    tcase_add_test(tc, test_main_pthread_exit_waits_for_threads);
    tcase_add_test(tc, test_join_leaves_no_goroutine_behind);
    tc = tu_tcase(s, "lockorder", 30);
    tcase_add_test(tc, test_lock_order_inversion_reported);
    tcase_add_test(tc, test_lock_orders_that_cannot_deadlock);
    return tu_run(s);
}
