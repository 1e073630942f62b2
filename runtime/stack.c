/*
 * stack.c - goroutine stacks: reservation, guard pages, a reuse cache, and paging of
 * parked stacks once there are many.
 *
 * Stacks are carved from big MAP_NORESERVE reservations (STACKS_PER_CHUNK slots each), so
 * a stack costs address space, not memory, until its pages are touched.  One mapping per
 * stack would hit vm.max_map_count (65530) long before a million goroutines: a chunk is
 * one mapping, plus one more per guard page.  Guard pages are therefore a budget: the
 * first stacks get a PROT_NONE page at their low end; once the budget (a fraction of
 * max_map_count) is spent, new slots have none and overflow is caught by the stack-pointer
 * check in __tsan_func_entry instead.
 *
 * Freed stacks go on a LIFO free list so the next goroutine reuses warm pages; past
 * CACHE_HOT entries the pages of freed stacks are returned to the kernel, so a burst of a
 * million goroutines does not pin its memory forever.
 *
 * stack_pass moves a stack from an exiting goroutine straight to a never-run one (the
 * scheduler's exit path), bypassing the free list.
 *
 * A goroutine that asks for more than a slot (stack_want: a pthread's stack size, glibc's
 * 8 MB default included) gets a mapping of its own with a guard page, never paged; up to
 * BIG_CACHE freed ones are kept for the next thread of the same size, and one evicted
 * forgets what the detector recorded on it before the range goes back to the kernel.
 *
 * Why a parked goroutine costs a page of stack and a page of page table: its stack never
 * moves (C code holds pointers into it), so its touched top page stays resident, and a
 * slot big enough for 10,000 frames of 100 bytes (>1.3 MB) leaves room for at most one
 * stack top per 2 MB page-table range, however the slots are packed.
 *
 * Paging takes both away while the goroutine is parked, at the same address.  It needs a
 * userfaultfd (root or vm.unprivileged_userfaultfd=1; else it stays off) and starts by
 * itself once PG_AUTO_AT stacks are alive at once (RACEDEMO_STACK_PAGING=auto, the
 * default), at startup with RACEDEMO_STACK_PAGING=1 or stack_paging_start, never with 0.
 * Slots then come from one arena registered with a userfaultfd (missing and write-protect
 * faults).  A parked G whose live stack (stack_hi - sp) fits in its top page (~360 bytes
 * for a goroutine parked in chan_recv) goes on a FIFO; past the `keep` most recently
 * parked ones (RACEDEMO_STACK_KEEP, default PG_KEEP), a batch of the oldest is paged out:
 * claim the slot (IDLE -> RELEASING, so the G cannot run), write-protect its top page,
 * copy the live bytes to the heap, MADV_DONTNEED the whole slot (which also
 * frees its page table, CONFIG_PT_RECLAIM, when the slot has no guard page), publish
 * RELEASED.  A resume puts the bytes back first (UFFDIO_COPY).  Anyone else touching the
 * page, another goroutine, libc, a signal handler or the kernel in a syscall (read(2)
 * into a buffer there), faults; the fault waits in the kernel while the handler thread
 * (pg_handler) maps the saved bytes back, then the access goes on.  A write racing the
 * copy waits on the write-protect fault instead of being lost.  fork first brings every
 * page back (the child's mappings lose the userfaultfd) and the child stops paging.
 * Invariant: the top page of an arena slot is mapped except while RELEASING (after the
 * zap), RELEASED or RESTORING (before the copy), or FREE on the cold list, so the handler
 * fills a top page only with saved bytes and never races a restore with zeros; pages below
 * the top page are dead while parked and are zero-filled on first touch.
 * A plain channel send/receive keeps its waiter record in the slot's stack_meta rather
 * than on the parked stack (stack_wait_rec), so queueing behind it and chan_close's drain
 * do not fault every parked page back in.
 * Not covered: a debugger or core dump reading a paged-out page while the handler thread
 * is stopped blocks or reads zeros, and channel waiters of a select stay on the stack
 * (a waker then faults the page back; correct, just not paged).
 *
 * Locking: `stk.lock` guards the free list, chunk carving and the arena's cold list;
 * `pg.lock` the FIFO of parked slots.  A slot's paging state (stack_meta.state) changes by
 * CAS only (SP_* below), so the resumer, the handler and the pager agree on who copies.
 */
#define _GNU_SOURCE
#include "rt.h"
#include "race.h"
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STACKS_PER_CHUNK 64
#define CACHE_HOT 256
#define PAGE 4096
#define PG_BATCH 64
/* Paging by default ("auto"): from the PG_AUTO_AT-th stack alive at once, new stacks come
 * from the paging arena, and parked ones beyond the PG_KEEP most recent are paged out.
 * A program with fewer live goroutines than PG_AUTO_AT + PG_KEEP never pages. */
#define PG_AUTO_AT 16384
#define PG_KEEP 16384
#define BIG_CACHE 16

typedef struct free_stack {
    struct free_stack *next;
    uintptr_t dirty;      /* the detector's mark for the next user (stack_free) */
} free_stack;

static struct {
    uint32_t lock;
    size_t slot;          /* bytes per slot, guard included */
    char *chunk_next;     /* next unused slot in the current chunk */
    char *chunk_end;
    long guard_budget;    /* guard pages we may still create */
    free_stack *free;     /* LIFO of cached stacks; header lives at the stack's top */
    size_t nfree;
    size_t ncarved;       /* slots carved from chunks: the most stacks ever alive at once */
    size_t auto_paging_at;/* start paging when ncarved reaches this (0: never) */
    struct {
        char *lo;
        size_t len;       /* the mapping's, guard included */
        uintptr_t dirty;
    } big[BIG_CACHE];     /* freed big stacks */
    int nbig;
    unsigned keep;        /* paging's `keep` */
} stk;

static void stack_config(void)
{
    size_t kb = 2048;
    const char *e = getenv("RACEDEMO_STACK_KB");
    if (e && atol(e) >= 64)
        kb = (size_t)atol(e);
    stk.slot = (kb * 1024 + PAGE - 1) & ~(size_t)(PAGE - 1);
    long maxmap = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &maxmap) != 1)
            maxmap = 65530;
        fclose(f);
    }
    /* each guard splits a mapping in two; leave half the budget to the program */
    stk.guard_budget = maxmap / 4;
    const char *p = getenv("RACEDEMO_STACK_PAGING"), *k = getenv("RACEDEMO_STACK_KEEP");
    stk.keep = k && *k ? (unsigned)atol(k) : PG_KEEP;
    if (p && *p && strcmp(p, "auto") != 0) {
        if (atoi(p) > 0)
            stack_paging_start(stk.keep);
    } else {
        stk.auto_paging_at = PG_AUTO_AT;
    }
}

size_t stack_size(void)
{
    if (!stk.slot)
        stack_config();
    return stk.slot - PAGE;
}

static RT_COLD void stack_new_chunk(void)
{
    size_t len = stk.slot * STACKS_PER_CHUNK;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        rt_throw("out of memory allocating goroutine stacks (%zu MB reservation failed)",
                 len >> 20);
    stk.chunk_next = p;
    stk.chunk_end = (char *)p + len;
}

/* A slot's low page becomes the guard while the budget lasts. */
static bool stack_guard(char *lo)
{
    if (stk.guard_budget > 0 && mprotect(lo, PAGE, PROT_NONE) == 0) {
        stk.guard_budget--;
        return true;
    }
    return false;
}

static bool stack_carve(char **lo)
{
    if (stk.chunk_next == stk.chunk_end)
        stack_new_chunk();
    *lo = stk.chunk_next;
    stk.chunk_next += stk.slot;
    return stack_guard(*lo);
}

/* ---- paging of parked stacks (RACEDEMO_STACK_PAGING=1) ---------------------------------- */

enum { SP_FREE, SP_RUNNING, SP_IDLE, SP_RELEASING, SP_RELEASED, SP_RESTORING };

typedef struct stack_meta {
    uint32_t state;     /* SP_*: changed only by CAS, except by the slot's owner */
    uint16_t used;      /* bytes saved from the top while SP_RELEASED */
    bool guard;         /* the slot's low page is a guard (never zapped) */
    rt_g *g;            /* owner while allocated */
    char *saved;        /* the saved top bytes while SP_RELEASED */
    struct stack_meta *cold; /* next on pg.cold (SP_FREE, pages zapped) */
    uintptr_t dirty;    /* on pg.cold: the detector's mark for the next user */
    void *wait_rec[6];  /* the owner's channel waiter record (stack_wait_rec) */
} stack_meta;

bool stack_paging;

static struct {
    int fd;
    char *base, *end;   /* the arena, registered with the userfaultfd */
    char *next;         /* next never-used slot */
    stack_meta *meta;
    uint32_t lock;      /* guards the ring */
    stack_meta **ring;  /* FIFO of parked slots, oldest first */
    uint32_t ring_cap, ring_head, ring_n, keep, batch;
    stack_meta *cold;   /* freed arena slots without pages; under stk.lock */
    stack_meta *dying[PG_BATCH]; /* freed arena slots waiting to be zapped; stk.lock */
    int ndying;
    int frozen, inflight; /* fork: no release may start or be half done */
    size_t nreleased, nrestored, saved_bytes; /* statistics, relaxed atomics */
} pg;

static const char pg_zero[PAGE] __attribute__((aligned(PAGE)));

static inline stack_meta *pg_meta(const char *lo)
{
    if (lo < pg.base || lo >= pg.end)
        return NULL;
    return &pg.meta[(size_t)(lo - pg.base) / stk.slot];
}

static inline char *pg_slot_lo(const stack_meta *m)
{
    return pg.base + (size_t)(m - pg.meta) * stk.slot;
}

static inline uint32_t pg_state(const stack_meta *m)
{
    return __atomic_load_n(&m->state, __ATOMIC_ACQUIRE);
}

static inline bool pg_cas(stack_meta *m, uint32_t from, uint32_t to)
{
    return __atomic_compare_exchange_n(&m->state, &from, to, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

static void pg_set(stack_meta *m, uint32_t to)
{
    __atomic_store_n(&m->state, to, __ATOMIC_RELEASE);
}

/* Wait out another thread's release or restore of the same slot (a few syscalls). */
static void pg_spin(void)
{
    rt_os_sched_yield();
}

/* Map `src` (one page) at the page `dst`, which must be missing; wakes faulting threads. */
static int pg_copy(char *dst, const void *src)
{
    for (;;) {
        struct uffdio_copy c = {.dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = PAGE};
        if (ioctl(pg.fd, UFFDIO_COPY, &c) == 0)
            return 0;
        if (RT_ERRNO != EAGAIN && RT_ERRNO != EINTR)
            return RT_ERRNO;
    }
}

static void pg_wake(char *page)
{
    struct uffdio_range r = {.start = (uintptr_t)page, .len = PAGE};
    ioctl(pg.fd, UFFDIO_WAKE, &r);
}

/* The saved bytes of paged-out stacks are the runtime's alone, so with the detector
 * linked (--wrap=malloc,free) they go straight to libc: the free wrapper resets a freed
 * block's shadow, reading it first, and on a kernel without a shared zero page (this
 * VM's) every shadow page read is a page allocated -- 2.5 KB of shadow per paged-out
 * goroutine, 2.5 GB for a million.  Without the wrap, __real_* are weak and NULL. */
extern void *__real_malloc(size_t) __attribute__((weak));
extern void __real_free(void *) __attribute__((weak));
static void *pg_saved_alloc(size_t n) { return __real_malloc ? __real_malloc(n) : malloc(n); }
static void pg_saved_free(void *p)
{
    if (__real_free)
        __real_free(p);
    else
        free(p);
}

/* Put the saved bytes back (state is SP_RESTORING, held by the caller) and set `to`. */
static void pg_restore(stack_meta *m, uint32_t to)
{
    char *hi = pg_slot_lo(m) + stk.slot;
    static __thread char buf[PAGE] __attribute__((aligned(PAGE)));
    memcpy(buf + PAGE - m->used, m->saved, m->used);
    /* counted first: the copy wakes the faulting thread, which may read the count */
    __atomic_add_fetch(&pg.nrestored, 1, __ATOMIC_RELAXED);
    int err = pg_copy(hi - PAGE, buf);
    if (err)
        rt_throw("stack paging: cannot restore a parked stack page (%s)", strerror(err));
    pg_saved_free(m->saved);
    m->saved = NULL;
    pg_set(m, to);
}

static int pg_addr_cmp(const void *a, const void *b)
{
    const stack_meta *x = *(stack_meta *const *)a, *y = *(stack_meta *const *)b;
    return x < y ? -1 : x > y;
}

/* Calls fn(first, n) for every run of adjacent slots in b (sorted here): one syscall per
 * run instead of one per slot, since each costs a TLB shootdown of every CPU. */
static void pg_runs(stack_meta **b, int n, void (*fn)(stack_meta **run, int n))
{
    qsort(b, (size_t)n, sizeof *b, pg_addr_cmp);
    for (int i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && b[j] == b[j - 1] + 1; j++)
            ;
        fn(b + i, j - i);
    }
}

/* The pages of a run of slots, guard of the first excepted (the later guards are
 * PROT_NONE and hold no pages, so the zap may span them). */
static void pg_zap(stack_meta **run, int n)
{
    char *lo = pg_slot_lo(run[0]) + (run[0]->guard ? PAGE : 0);
    char *hi = pg_slot_lo(run[n - 1]) + stk.slot;
    if (madvise(lo, (size_t)(hi - lo), MADV_DONTNEED) != 0)
        rt_throw("stack paging: madvise failed (%s)", strerror(RT_ERRNO));
}

/* Write-protect the top page of each slot of a run, then copy its used bytes out.  The
 * write-protect changes page-table entries, which costs either a walk or TLB shootdowns:
 *   - one ioctl over the run walks every entry of every page-table page it spans (512
 *     per 2 MB slot, one of them in use), but flushes once;
 *   - one ioctl per top page touches one entry, but flushes each time, and with other
 *     Ms running on other CPUs each flush is an IPI to every one of them.
 * So: per page with one M (1M live, procs = 1: 16.2-17.4 s -> 11.4-13.9 s), one range
 * with several (procs = 2: 15.8-16.9 s -> 10.4-11.8 s; interleaved runs, 2026-12-02).
 * At procs = 2 the walk is still 26% of that run. */
static void pg_write_protect(char *lo, size_t len)
{
    struct uffdio_writeprotect wp = {.range = {.start = (uintptr_t)lo, .len = (uint64_t)len},
                                     .mode = UFFDIO_WRITEPROTECT_MODE_WP};
    if (ioctl(pg.fd, UFFDIO_WRITEPROTECT, &wp) != 0)
        rt_throw("stack paging: write-protect failed (%s)", strerror(RT_ERRNO));
}

static void pg_protect(stack_meta **run, int n)
{
    if (rt_multi)
        pg_write_protect(pg_slot_lo(run[0]) + stk.slot - PAGE,
                         (size_t)(n - 1) * stk.slot + PAGE);
    else
        for (int i = 0; i < n; i++)
            pg_write_protect(pg_slot_lo(run[i]) + stk.slot - PAGE, PAGE);
    /* writers now wait in the fault handler until the page is back */
    for (int i = 0; i < n; i++) {
        stack_meta *m = run[i];
        memcpy(m->saved, pg_slot_lo(m) + stk.slot - m->used, m->used);
    }
}

/* Page out a batch of parked slots: claim each (IDLE -> RELEASING, so its G cannot run),
 * write-protect and copy, zap, publish RELEASED.  See the top comment for why. */
static void pg_release(stack_meta **b, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        stack_meta *m = b[i];
        if (!pg_cas(m, SP_IDLE, SP_RELEASING))
            continue; /* resumed, freed or already out since it was queued */
        size_t used = (size_t)(pg_slot_lo(m) + stk.slot - (char *)m->g->sp);
        m->saved = used <= PAGE ? pg_saved_alloc(used) : NULL;
        if (!m->saved) {
            pg_set(m, SP_IDLE);
            continue;
        }
        m->used = (uint16_t)used;
        b[k++] = m;
    }
    if (!k)
        return;
    pg_runs(b, k, pg_protect);
    pg_runs(b, k, pg_zap);
    size_t bytes = 0;
    for (int i = 0; i < k; i++) {
        bytes += b[i]->used;
        pg_set(b[i], SP_RELEASED);
    }
    __atomic_add_fetch(&pg.nreleased, (size_t)k, __ATOMIC_RELAXED);
    __atomic_add_fetch(&pg.saved_bytes, bytes, __ATOMIC_RELAXED);
}

/* One fault: a parked page comes back; a fresh page below a top page is zero-filled. */
static void pg_fault(char *addr, bool wp)
{
    char *page = (char *)((uintptr_t)addr & ~(uintptr_t)(PAGE - 1));
    stack_meta *m = pg_meta(page);
    char *top = m ? pg_slot_lo(m) + stk.slot - PAGE : NULL;
    if (page != top) {
        /* below the top page nothing is ever paged out: a first touch (or, for a stale
         * event, a page that is already there) */
        if (wp || pg_copy(page, pg_zero) == EEXIST)
            pg_wake(page);
        return;
    }
    for (;;) {
        uint32_t s = pg_state(m);
        if (s == SP_RELEASED) {
            if (pg_cas(m, SP_RELEASED, SP_RESTORING)) {
                pg_restore(m, SP_IDLE);
                return;
            }
        } else if (s == SP_RELEASING || s == SP_RESTORING) {
            pg_spin();
        } else {
            /* stale (the page is back), or a freed slot's zapped page: dead bytes */
            if (s != SP_FREE || pg_copy(page, pg_zero) == EEXIST)
                pg_wake(page);
            return;
        }
    }
}

static void *pg_handler(void *arg)
{
    (void)arg;
    for (;;) {
        struct uffd_msg msg;
        ssize_t n = read(pg.fd, &msg, sizeof msg);
        if (n != (ssize_t)sizeof msg) {
            if (n < 0 && (RT_ERRNO == EINTR || RT_ERRNO == EAGAIN))
                continue;
            rt_throw("stack paging: userfaultfd read failed");
        }
        if (msg.event == UFFD_EVENT_PAGEFAULT)
            pg_fault((char *)(uintptr_t)msg.arg.pagefault.address,
                     msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP);
    }
    return NULL;
}

/* fork: the child's mappings lose the userfaultfd registration, so every paged-out page
 * must be back before fork, and none may go out until it returns. */
static void pg_fork_prepare(void)
{
    if (!__atomic_load_n(&stack_paging, __ATOMIC_ACQUIRE))
        return;
    __atomic_store_n(&pg.frozen, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&pg.inflight, __ATOMIC_SEQ_CST))
        pg_spin();
    rt_lock(&stk.lock);
    char *next = pg.next;
    rt_unlock(&stk.lock);
    for (stack_meta *m = pg.meta; pg_slot_lo(m) < next; m++) {
        for (;;) {
            uint32_t s = pg_state(m);
            if (s == SP_RELEASED && pg_cas(m, SP_RELEASED, SP_RESTORING)) {
                pg_restore(m, SP_IDLE);
                break;
            }
            if (s != SP_RELEASED && s != SP_RESTORING && s != SP_RELEASING)
                break;
            pg_spin();
        }
    }
}


static bool pg_open(void)
{
    pg.fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
    if (pg.fd < 0)
        return false;
    struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_PAGEFAULT_FLAG_WP};
    if (ioctl(pg.fd, UFFDIO_API, &api) != 0)
        goto fail;
    /* the arena: address space only, 2 MB aligned so that an idle slot's page table can
     * be freed with its pages */
    size_t len = (size_t)1 << 42, align = (size_t)2 << 20;
    char *p = MAP_FAILED;
    for (; len >= ((size_t)1 << 34) && p == MAP_FAILED; len >>= 1)
        p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        goto fail;
    len <<= 1;
    char *a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    munmap(a + len, (size_t)(p + len + align - (a + len)));
    struct uffdio_register reg = {.range = {.start = (uintptr_t)a, .len = len},
                                  .mode = UFFDIO_REGISTER_MODE_MISSING |
                                          UFFDIO_REGISTER_MODE_WP};
    uint64_t need = (1ULL << _UFFDIO_COPY) | (1ULL << _UFFDIO_WRITEPROTECT) |
                    (1ULL << _UFFDIO_WAKE);
    if (ioctl(pg.fd, UFFDIO_REGISTER, &reg) != 0 || (reg.ioctls & need) != need) {
        munmap(a, len);
        goto fail;
    }
    size_t nslots = len / stk.slot;
    pg.meta = mmap(NULL, nslots * sizeof(stack_meta), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (pg.meta == MAP_FAILED) {
        munmap(a, len);
        goto fail;
    }
    pg.base = pg.next = a;
    pg.end = a + nslots * stk.slot;
    return true;
fail:
    close(pg.fd);
    return false;
}

bool stack_paging_start(unsigned keep)
{
    if (RT_UNLIKELY(!stk.slot))
        stack_config();
    if (stack_paging)
        return true;
    if (!pg_open())
        return false;
    pg.keep = keep;
    pg.batch = keep ? PG_BATCH : 1; /* keep = 0 (tests): every park pages out at once */
    pg.ring_cap = keep + 4096;
    pg.ring = calloc(pg.ring_cap, sizeof *pg.ring);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t t;
    int err = rt_os_pthread_create(&t, NULL, pg_handler, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err || !pg.ring)
        rt_throw("stack paging: cannot start the fault handler");
    rt_os_pthread_detach(t);
    __atomic_store_n(&stack_paging, true, __ATOMIC_RELEASE);
    return true;
}

/* Before g runs again: its top page back if it went out, and its slot marked running. */
void stack_resume_slow(rt_g *g)
{
    stack_meta *m = pg_meta(g->stack_lo);
    if (!m)
        return;
    for (;;) {
        uint32_t s = pg_state(m);
        if (s == SP_RUNNING)
            return;
        if (s == SP_IDLE && pg_cas(m, SP_IDLE, SP_RUNNING))
            return;
        if (s == SP_RELEASED && pg_cas(m, SP_RELEASED, SP_RESTORING)) {
            pg_restore(m, SP_RUNNING);
            return;
        }
        if (s == SP_RELEASING || s == SP_RESTORING)
            pg_spin();
    }
}

/* g has parked and is off its stack, and no waker can have seen it yet. */
void stack_parked(rt_g *g)
{
    stack_meta *m = pg_meta(g->stack_lo);
    if (!m || (size_t)(g->stack_hi - (char *)g->sp) > PAGE)
        return; /* parked deeper than its top page: stays resident */
    pg_set(m, SP_IDLE);
    rt_lock(&pg.lock);
    if (pg.ring_n < pg.ring_cap) {
        pg.ring[(pg.ring_head + pg.ring_n) % pg.ring_cap] = m;
        pg.ring_n++;
    }
    rt_unlock(&pg.lock);
}

/* Page out the longest-parked stacks beyond the `keep` most recent ones, a batch at a
 * time. */
void stack_page_out(void)
{
    if (__atomic_load_n(&pg.ring_n, __ATOMIC_RELAXED) < pg.keep + pg.batch)
        return;
    __atomic_add_fetch(&pg.inflight, 1, __ATOMIC_SEQ_CST);
    stack_meta *b[PG_BATCH];
    int n = 0;
    if (!__atomic_load_n(&pg.frozen, __ATOMIC_SEQ_CST)) {
        rt_lock(&pg.lock);
        while (n < (int)pg.batch && pg.ring_n > pg.keep) {
            b[n++] = pg.ring[pg.ring_head];
            pg.ring_head = (pg.ring_head + 1) % pg.ring_cap;
            pg.ring_n--;
        }
        rt_unlock(&pg.lock);
    }
    if (n)
        pg_release(b, n);
    __atomic_sub_fetch(&pg.inflight, 1, __ATOMIC_SEQ_CST);
}

void *stack_wait_rec_slow(rt_g *g, size_t size)
{
    stack_meta *m = pg_meta(g->stack_lo);
    return m && size <= sizeof m->wait_rec ? m->wait_rec : NULL;
}

void stack_paging_stats(size_t *released, size_t *restored, size_t *saved_bytes)
{
    *released = __atomic_load_n(&pg.nreleased, __ATOMIC_RELAXED);
    *restored = __atomic_load_n(&pg.nrestored, __ATOMIC_RELAXED);
    *saved_bytes = __atomic_load_n(&pg.saved_bytes, __ATOMIC_RELAXED);
}

static void pg_map_top(char *lo)
{
    int err = pg_copy(lo + stk.slot - PAGE, pg_zero);
    if (err && err != EEXIST)
        rt_throw("stack paging: cannot map a new stack page (%s)", strerror(err));
}

/* A freed arena slot past the hot cache: its pages go, top page too (unlike other
 * stacks, whose free-list link lives there), a batch at a time. */
static void pg_free_cold(stack_meta *m)
{
    stack_meta *b[PG_BATCH];
    int n = 0;
    rt_lock(&stk.lock);
    pg.dying[pg.ndying++] = m;
    if (pg.ndying == PG_BATCH) {
        n = pg.ndying;
        memcpy(b, pg.dying, sizeof b);
        pg.ndying = 0;
    }
    rt_unlock(&stk.lock);
    if (!n)
        return;
    pg_runs(b, n, pg_zap);
    rt_lock(&stk.lock);
    for (int i = 0; i < n; i++) {
        b[i]->cold = pg.cold;
        pg.cold = b[i];
    }
    rt_unlock(&stk.lock);
}

/* A never-used arena slot: its top page is mapped here, so that the fault handler only
 * ever fills top pages with saved bytes (see pg_fault). */
static char *pg_carve(void)
{
    char *lo = pg.next;
    pg.next += stk.slot;
    stack_meta *m = pg_meta(lo);
    m->guard = stack_guard(lo);
    pg_map_top(lo);
    return lo;
}

/* The mapping a goroutine's stack takes, guard included. */
static size_t stack_len(const rt_g *g)
{
    if (g->stack_want <= stk.slot - PAGE)
        return stk.slot;
    return ((g->stack_want + PAGE - 1) & ~(size_t)(PAGE - 1)) + PAGE;
}

static RT_COLD void stack_alloc_big(rt_g *g, size_t len)
{
    char *lo = NULL;
    uintptr_t dirty = 0; /* a fresh mapping: nothing recorded there (stack_free_big) */
    rt_lock(&stk.lock);
    for (int i = stk.nbig; i-- > 0;)
        if (stk.big[i].len == len) {
            lo = stk.big[i].lo;
            dirty = stk.big[i].dirty;
            stk.big[i] = stk.big[--stk.nbig];
            break;
        }
    rt_unlock(&stk.lock);
    if (!lo) {
        lo = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                  -1, 0);
        if (lo == MAP_FAILED)
            rt_throw("out of memory allocating a %zu KB goroutine stack", len >> 10);
        mprotect(lo, PAGE, PROT_NONE); /* else __tsan_func_entry's sp check catches it */
    }
    g->stack_lo = lo;
    g->stack_hi = lo + len;
    race_stack_reuse(lo + PAGE, g->stack_hi, dirty);
}

static RT_COLD void stack_free_big(rt_g *g, uintptr_t dirty)
{
    char *lo = g->stack_lo;
    size_t len = (size_t)(g->stack_hi - lo);
    g->stack_lo = g->stack_hi = NULL;
    rt_lock(&stk.lock);
    if (stk.nbig < BIG_CACHE) {
        stk.big[stk.nbig].lo = lo, stk.big[stk.nbig].len = len, stk.big[stk.nbig].dirty = dirty;
        stk.nbig++;
        lo = NULL;
    }
    rt_unlock(&stk.lock);
    if (lo) {
        race_stack_reuse(lo + PAGE, lo + len, dirty); /* the kernel may map it to anyone */
        munmap(lo, len);
    }
}

void stack_alloc(rt_g *g)
{
    if (RT_UNLIKELY(!stk.slot))
        stack_config();
    size_t len = stack_len(g);
    if (RT_UNLIKELY(len != stk.slot)) {
        stack_alloc_big(g, len);
        return;
    }
    rt_lock(&stk.lock);
    free_stack *fs = stk.free;
    char *lo;
    uintptr_t dirty = 0;
    bool start_paging = false;
    if (fs) {
        stk.free = fs->next;
        stk.nfree--;
        dirty = fs->dirty;
        lo = (char *)(((uintptr_t)fs + sizeof(free_stack)) - stk.slot);
    } else if (pg.cold) {
        stack_meta *m = pg.cold;
        pg.cold = m->cold;
        dirty = m->dirty;
        lo = pg_slot_lo(m);
        if (stack_paging) /* else a forked child: the mapping is plain again */
            pg_map_top(lo);
    } else if (stack_paging && pg.next < pg.end) {
        lo = pg_carve();
    } else {
        stack_carve(&lo);
        start_paging = ++stk.ncarved == stk.auto_paging_at;
    }
    rt_unlock(&stk.lock);
    if (RT_UNLIKELY(start_paging))
        stack_paging_start(stk.keep); /* no userfaultfd here: stays off */
    g->stack_lo = lo;
    g->stack_hi = lo + stk.slot;
    stack_meta *m = pg_meta(lo);
    if (m) {
        m->g = g;
        pg_set(m, SP_RUNNING);
    }
    race_stack_reuse(lo + PAGE, g->stack_hi, dirty);
}

void stack_free(rt_g *g, uintptr_t dirty)
{
    if (!g->stack_lo)
        return;
    if (RT_UNLIKELY((size_t)(g->stack_hi - g->stack_lo) != stk.slot)) {
        stack_free_big(g, dirty);
        return;
    }
    char *hi = g->stack_hi;
    free_stack *fs = (free_stack *)(hi - sizeof(free_stack));
    stack_meta *m = pg_meta(g->stack_lo);
    if (m)
        pg_set(m, SP_FREE);
    if (__atomic_load_n(&stk.nfree, __ATOMIC_RELAXED) >= CACHE_HOT) {
        if (m && stack_paging) {
            g->stack_lo = g->stack_hi = NULL;
            m->dirty = dirty;
            pg_free_cold(m);
            return;
        }
        /* cold stack: give its pages back, keep the top page (it holds the link) */
        madvise(g->stack_lo + PAGE, stk.slot - 2 * PAGE, MADV_DONTNEED);
    }
    fs->dirty = dirty;
    rt_lock(&stk.lock);
    fs->next = stk.free;
    stk.free = fs;
    stk.nfree++;
    rt_unlock(&stk.lock);
    g->stack_lo = g->stack_hi = NULL;
}

bool stack_pass(rt_g *from, rt_g *to, uintptr_t dirty)
{
    if (RT_UNLIKELY(stack_len(to) != (size_t)(from->stack_hi - from->stack_lo)))
        return false;
    to->stack_lo = from->stack_lo;
    to->stack_hi = from->stack_hi;
    from->stack_lo = from->stack_hi = NULL;
    stack_meta *m = pg_meta(to->stack_lo);
    if (m)
        m->g = to; /* stays SP_RUNNING: the exiting owner was running on it */
    race_stack_reuse(to->stack_lo + PAGE, to->stack_hi, dirty);
    return true;
}

bool stack_is_guard(const rt_g *g, const void *addr)
{
    if (!g->stack_lo)
        return false;
    const char *a = addr;
    /* the guard page, or a wild sp a little below it (big frames skip the guard) */
    return a >= g->stack_lo - 64 * 1024 && a < g->stack_lo + PAGE;
}

/* fork, through sched.c's handlers (one set, so the order is fixed): first every paged-out
 * page comes back and paging freezes, with no lock held; then the cache lock is taken last
 * of the scheduler's, so a child never inherits it held by a thread it does not have. */
void stack_fork_prepare(void) { pg_fork_prepare(); }
void stack_fork_lock(void) { rt_lock(&stk.lock); }
void stack_fork_unlock(void) { rt_unlock(&stk.lock); }
void stack_fork_done(bool child)
{
    if (child) {
        /* the child's mappings lost the userfaultfd registration; the arena stays plain
         * memory, so paging never restarts there (a child of a parent that was not
         * paging may still start it by itself) */
        if (stack_paging)
            stk.auto_paging_at = 0;
        stack_paging = false;
    } else
        __atomic_store_n(&pg.frozen, 0, __ATOMIC_SEQ_CST);
}
