/*
 * goroutine.h - Go's concurrency model for plain C programs.
 *
 * A program that includes this header and links libracedemo gets:
 *   - goroutines: go(fn, arg) starts fn(arg) on its own stack; main() is goroutine 1 and
 *     when it returns the process exits, whatever the other goroutines are doing;
 *   - sync primitives whose zero value is ready to use (waitgroup_t, mutex_t, rwmutex_t,
 *     once_t, cond_t), like Go's;
 *   - channels (buffered and unbuffered, close, range, select, nil channels);
 *   - sequentially consistent atomics that also tell the race detector about the
 *     happens-before edges they create (Go's sync/atomic);
 *   - sleep on a virtual clock when the run is deterministic (procs = 1).
 *
 * Misuse is reported with Go's runtime messages and exit status 2 ("send on closed
 * channel", "sync: negative WaitGroup counter", "fatal error: all goroutines are asleep -
 * deadlock!").  Environment: RACEDEMO_PROCS (OS threads, default 1), RACEDEMO_SEED
 * (scheduling seed, default 1).
 *
 * The structs below are public only so that they can live in user memory and be
 * zero-initialised; their fields are the runtime's and must not be touched.
 */
#ifndef RACEDEMO_GOROUTINE_H
#define RACEDEMO_GOROUTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RACEDEMO_VERSION "0.1.0"

struct rt_g;

/* A FIFO of parked goroutines; embedded in every sync object. */
typedef struct rt_waitq {
    struct rt_g *head, *tail;
} rt_waitq_t;

/* ---- goroutines -------------------------------------------------------------------- */

/* go fn(arg): start fn(arg) in a new goroutine.  Never blocks. */
void go(void (*fn)(void *), void *arg);
/* runtime.Gosched(): let other goroutines run. */
void go_yield(void);
/* runtime.GOMAXPROCS(n): set the number of OS threads running goroutines when n >= 1;
 * returns the previous setting.  go_maxprocs(0) only queries. */
int go_maxprocs(int n);
/* runtime.NumGoroutine(). */
int go_num_goroutine(void);
/* The current goroutine's id (main is 1). */
int64_t go_id(void);
/* runtime.Goexit(): end the calling goroutine. */
_Noreturn void go_exit(void);

/* ---- time ---------------------------------------------------------------------------- */

/* time.Sleep.  Virtual time at procs = 1 (costs no wall time), real time otherwise. */
void go_sleep_ms(int64_t ms);
void go_sleep_ns(int64_t ns);
/* Nanoseconds since the runtime started, on the clock go_sleep uses. */
int64_t go_now_ns(void);

/* ---- sync.WaitGroup -------------------------------------------------------------------- */

typedef struct waitgroup {
    uint32_t _lock;
    int32_t _pad;
    int64_t _count;
    rt_waitq_t _waiters;
} waitgroup_t;

void wg_add(waitgroup_t *wg, int64_t delta);
void wg_done(waitgroup_t *wg);
void wg_wait(waitgroup_t *wg);

/* ---- sync.Mutex / sync.RWMutex / sync.Once ------------------------------------------------ */

typedef struct mutex {
    uint32_t _lock;
    int32_t _locked;
    rt_waitq_t _waiters;
} mutex_t;

void mutex_lock(mutex_t *mu);
void mutex_unlock(mutex_t *mu);
bool mutex_trylock(mutex_t *mu);

typedef struct rwmutex {
    uint32_t _lock;
    int32_t _writer;      /* a writer holds it */
    int32_t _readers;     /* readers holding it */
    int32_t _wwait;       /* writers waiting: new readers queue behind them */
    rt_waitq_t _rwaiters;
    rt_waitq_t _wwaiters;
} rwmutex_t;

void rwmutex_lock(rwmutex_t *rw);
void rwmutex_unlock(rwmutex_t *rw);
void rwmutex_rlock(rwmutex_t *rw);
void rwmutex_runlock(rwmutex_t *rw);
/* TryLock / TryRLock (Go 1.18): true if the lock was taken without waiting. */
bool rwmutex_trylock(rwmutex_t *rw);
bool rwmutex_tryrlock(rwmutex_t *rw);

typedef struct once {
    uint32_t _done;
    mutex_t _mu;
} once_t;

void once_do(once_t *once, void (*fn)(void *), void *arg);

/* sync.Cond, its L passed to each wait: cond_wait unlocks mu, waits for a signal or
 * broadcast, and locks mu again before it returns (mu must be held). */
typedef struct cond {
    uint32_t _lock;
    int32_t _pad;
    rt_waitq_t _waiters;
} cond_t;

void cond_wait(cond_t *c, mutex_t *mu);
void cond_signal(cond_t *c);
void cond_broadcast(cond_t *c);

/* ---- channels ---------------------------------------------------------------------------- */

typedef struct chan chan_t;

/* make(chan T, cap): elements of elem_size bytes; cap 0 is unbuffered. */
chan_t *chan_make(size_t elem_size, size_t cap);
/* ch <- *elem.  Blocks forever on a nil channel; panics on a closed one. */
void chan_send(chan_t *ch, const void *elem);
/* *elem = <-ch (elem may be NULL to drop the value).  Returns false once the channel is
 * closed and drained (elem is then zeroed), like Go's `v, ok := <-ch`. */
bool chan_recv(chan_t *ch, void *elem);
void chan_close(chan_t *ch);
size_t chan_len(chan_t *ch);
size_t chan_cap(chan_t *ch);
/* Release a channel nobody uses any more (C has no garbage collector). */
void chan_free(chan_t *ch);

/* for v := range ch { ... }:   int v; chan_range(ch, v) { ... } */
#define chan_range(ch, var) for (; chan_recv((ch), &(var));)

/* select { case ch <- v: ... case v, ok := <-ch: ... default: ... } */
enum { SELECT_SEND = 1, SELECT_RECV = 2 };
typedef struct select_case {
    chan_t *ch;  /* NULL: this case is never ready (Go's nil channel) */
    int dir;     /* SELECT_SEND or SELECT_RECV */
    void *elem;  /* value to send, or where to store the received value (may be NULL) */
    bool ok;     /* out: for a receive, false when it saw the channel closed */
} select_case_t;

#define SELECT_SEND_CASE(c, p) ((select_case_t){.ch = (c), .dir = SELECT_SEND, .elem = (void *)(p)})
#define SELECT_RECV_CASE(c, p) ((select_case_t){.ch = (c), .dir = SELECT_RECV, .elem = (void *)(p)})

/* Waits until one case can proceed, performs it and returns its index; with has_default
 * returns -1 at once when none is ready.  Among several ready cases one is chosen at
 * random (seeded).  A select with no case and no default blocks forever. */
int chan_select(select_case_t *cases, int ncases, bool has_default);

/* ---- sync/atomic -------------------------------------------------------------------------- */

int32_t atomic_add_int32(int32_t *addr, int32_t delta); /* returns the new value */
int64_t atomic_add_int64(int64_t *addr, int64_t delta);
int32_t atomic_load_int32(int32_t *addr);
int64_t atomic_load_int64(int64_t *addr);
void atomic_store_int32(int32_t *addr, int32_t val);
void atomic_store_int64(int64_t *addr, int64_t val);
bool atomic_cas_int32(int32_t *addr, int32_t old, int32_t new_);
bool atomic_cas_int64(int64_t *addr, int64_t old, int64_t new_);
int32_t atomic_swap_int32(int32_t *addr, int32_t new_); /* returns the old value */
int64_t atomic_swap_int64(int64_t *addr, int64_t new_);

/* ---- panics --------------------------------------------------------------------------------- */

/* panic(msg): prints "panic: msg" and the goroutine's stack, exits with status 2. */
_Noreturn void go_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif
#endif
