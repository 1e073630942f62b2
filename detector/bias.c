/*
 * bias.c - biased region ownership's cold side: the region table, thread records,
 * taking a free region, revocation and the fork handlers (protocol and invariants in
 * bias.h).
 *
 * Locks: bias_lock serialises revocations and first-time setup, and fork waits for it,
 * so a child never inherits a region stuck in REVOKING.  Thread records are written
 * only by their thread, except that the fork child clears their busy words.
 */
#define _GNU_SOURCE
#include "bias.h"
#include "../runtime/os.h"

#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../runtime/rt.h"

bias_region *bias_tab;
__thread bias_thr *bias_self __attribute__((tls_model("initial-exec")));

static bias_thr bias_thrs[BIAS_MAX_THREADS];
static uint32_t bias_nthr;
static uint32_t bias_lock;
static int bias_setup;        /* 0 not tried, 1 available, -1 unavailable */
static long bias_nrevoke;
static long bias_nbatched;   /* regions taken along with another's revocation */

/* One region per 2 MB of the 128 TB user address space: 4 GB of table, reserved, only
 * the lines of regions in use ever touched. */
#define BIAS_NREGIONS (1ull << (47 - BIAS_SHIFT))

static long membarrier(int cmd) { return syscall(__NR_membarrier, cmd, 0, 0); }

static void bias_fork_prepare(void) { rt_lock(&bias_lock); }
static void bias_fork_parent(void) { rt_unlock(&bias_lock); }

/* The child has one thread: nobody is inside a region any more (a thread caught halfway
 * through an update leaves that granule as it was), and its own registration is new. */
static void bias_fork_child(void)
{
    for (uint32_t i = 0; i < bias_nthr; i++)
        bias_thrs[i].busy = 0;
    if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0)
        rt_throw("race detector: membarrier registration failed in a fork child");
    rt_unlock(&bias_lock);
}

static RT_COLD void bias_init(void)
{
    rt_lock(&bias_lock);
    if (!bias_setup) {
        long q = membarrier(MEMBARRIER_CMD_QUERY);
        void *t = MAP_FAILED;
        if (q > 0 && (q & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
            membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0)
            t = mmap(NULL, BIAS_NREGIONS * sizeof(bias_region), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (t != MAP_FAILED) {
            bias_tab = t;
            pthread_atfork(bias_fork_prepare, bias_fork_parent, bias_fork_child);
        }
        __atomic_store_n(&bias_setup, t != MAP_FAILED ? 1 : -1, __ATOMIC_RELEASE);
    }
    rt_unlock(&bias_lock);
}

bool bias_available(void)
{
    if (!__atomic_load_n(&bias_setup, __ATOMIC_ACQUIRE))
        bias_init();
    return bias_setup > 0;
}

/* This thread's record, NULL when every one is taken (the thread then never owns). */
static bias_thr *bias_register(void)
{
    uint32_t n = __atomic_fetch_add(&bias_nthr, 1, __ATOMIC_RELAXED);
    if (n >= BIAS_MAX_THREADS)
        return NULL;
    bias_thrs[n].tag = n + 1;
    return bias_self = &bias_thrs[n];
}

static void bias_relax(unsigned *spins)
{
    if (++*spins < 1024)
        __builtin_ia32_pause();
    else
        rt_os_sched_yield(); /* the revoker or the owner lost its CPU */
}

/* Regions one membarrier may take along a sweep (bias_batch). */
#define BIAS_BATCH 8

/* The region o is updating now, sampled for a moment: its index + 1, or 0 if o was
 * outside every region each time (between updates, or not running at all). */
static uintptr_t bias_sample_busy(const bias_thr *o)
{
    for (int i = 0; i < 64; i++) {
        uintptr_t b = __atomic_load_n(&o->busy, __ATOMIC_RELAXED);
        if (b)
            return b;
        __builtin_ia32_pause();
    }
    return 0;
}

/* A revoker that owns the region below idx is sweeping upwards, and an owner that used
 * the regions above heavily is likely done with them (two workers swapping halves of an
 * array): mark up to BIAS_BATCH - 1 of them REVOKING too, so that one membarrier, which
 * costs 35 us to 0.6 ms on a VM, covers them all.  Only below the region the owner is in
 * now, so that an owner working ahead of the revoker keeps the rest.  Returns how many
 * regions from idx on are REVOKING (1 + those taken here). */
static uintptr_t bias_batch(uintptr_t idx, uint32_t o, const bias_thr *t)
{
    if (!t || idx == 0 || __atomic_load_n(&bias_tab[idx - 1].own, __ATOMIC_RELAXED) != t->tag ||
        __atomic_load_n(&bias_tab[idx].nupd, __ATOMIC_RELAXED) < BIAS_MIN)
        return 1;
    uintptr_t at = bias_sample_busy(&bias_thrs[o - 1]), lim = BIAS_BATCH;
    if (at && at - 1 >= idx && at - 1 - idx < lim)
        lim = at - 1 - idx; /* the owner is at or ahead of idx: stop below it */
    uintptr_t n = 1;
    for (; n < lim && idx + n < BIAS_NREGIONS; n++) {
        bias_region *q = &bias_tab[idx + n];
        uint32_t qo = o;
        if (__atomic_load_n(&q->nupd, __ATOMIC_RELAXED) < BIAS_MIN ||
            !__atomic_compare_exchange_n(&q->own, &qo, BIAS_REVOKING | t->tag, false,
                                         __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            break;
    }
    return n;
}

/* Take region r (index idx) from the owner `o`, with the regions bias_batch adds: the
 * next state of each is t's tag if the owner used it enough to be worth a membarrier
 * again, else BIAS_SHARED. */
static void bias_revoke(bias_region *r, uintptr_t idx, uint32_t o, bias_thr *t)
{
    rt_lock(&bias_lock);
    if (!__atomic_compare_exchange_n(&r->own, &o, BIAS_REVOKING | (t ? t->tag : 0), false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
        rt_unlock(&bias_lock);
        return; /* it changed meanwhile: the caller looks again */
    }
    uintptr_t n = bias_batch(idx, o, t);
    if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
        rt_throw("race detector: membarrier failed");
    const bias_thr *x = &bias_thrs[o - 1];
    unsigned spins = 0;
    for (uintptr_t b; (b = __atomic_load_n(&x->busy, __ATOMIC_ACQUIRE)) > idx && b <= idx + n;)
        bias_relax(&spins);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    for (uintptr_t k = 0; k < n; k++) {
        bias_region *q = &bias_tab[idx + k];
        uint32_t next = t && q->nupd >= BIAS_MIN ? t->tag : BIAS_SHARED;
        q->nupd = 0;
        __atomic_store_n(&q->own, next, __ATOMIC_RELEASE);
    }
    bias_nrevoke++;
    bias_nbatched += (long)n - 1;
    rt_unlock(&bias_lock);
}

bias_thr *bias_enter_slow(uintptr_t idx)
{
    if (!bias_available())
        return NULL;
    bias_thr *t = bias_self;
    if (!t)
        t = bias_register();
    bias_region *r = &bias_tab[idx];
    for (unsigned spins = 0;;) {
        uint32_t o = __atomic_load_n(&r->own, __ATOMIC_ACQUIRE);
        if (o == BIAS_SHARED)
            return NULL;
        if (o & BIAS_REVOKING) {
            bias_relax(&spins);
        } else if (t && o == t->tag) {
            if (bias_hold(t, r, idx, &o))
                return t;
        } else if (o == 0) {
            /* nobody has changed its cells at procs > 1: no one to wait for */
            __atomic_compare_exchange_n(&r->own, &o, t ? t->tag : BIAS_SHARED, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
        } else {
            bias_revoke(r, idx, o, t);
        }
    }
}

uint32_t bias_state(const void *g)
{
    if (!bias_available())
        return BIAS_SHARED;
    return __atomic_load_n(&bias_tab[(uintptr_t)g >> BIAS_SHIFT].own, __ATOMIC_ACQUIRE);
}

long bias_revocations(void)
{
    rt_lock(&bias_lock);
    long n = bias_nrevoke;
    rt_unlock(&bias_lock);
    return n;
}

long bias_batched(void)
{
    rt_lock(&bias_lock);
    long n = bias_nbatched;
    rt_unlock(&bias_lock);
    return n;
}
