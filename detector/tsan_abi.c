/*
 * tsan_abi.c - the -fsanitize=thread entry points gcc 12 and clang 14 emit, on top of the
 * detector: plain accesses (hot path inlined here), ranges, function entry/exit (shadow
 * call stack and the goroutine stack-overflow check), atomics and fences.
 *
 * Atomics perform the operation and create the edge their memory order implies: acquire
 * on loads (consume, acquire, acq_rel, seq_cst), release on stores, both on read-modify-
 * writes; relaxed creates none.  The sync object is the atomic's address.  The operation
 * runs under that object's lock together with its clock update (sync.c), so a load that
 * reads a stored value also sees the clock published with it.  An atomic access is also recorded
 * in the shadow (atomic bit): atomics never race with atomics, but do with plain accesses.
 */
#include "detector.h"

#define PC() ((uintptr_t)__builtin_return_address(0))
#define TSAN_API __attribute__((visibility("default"), used))

TSAN_API void __tsan_init(void) { race_init(); }

/* ---- plain accesses ------------------------------------------------------------------------ */

#define TSAN_ACCESS(name, size, kind)                                   \
    TSAN_API void __tsan_##name(void *addr)                              \
    {                                                                    \
        race_access((uintptr_t)addr, size, kind, PC());                  \
    }                                                                    \
    TSAN_API void __tsan_##name##_pc(void *addr, void *pc)               \
    {                                                                    \
        race_access((uintptr_t)addr, size, kind, (uintptr_t)pc);         \
    }

#define TSAN_ACCESS_ALL(prefix)                                          \
    TSAN_ACCESS(prefix##read1, 1, RACE_READ)                             \
    TSAN_ACCESS(prefix##read2, 2, RACE_READ)                             \
    TSAN_ACCESS(prefix##read4, 4, RACE_READ)                             \
    TSAN_ACCESS(prefix##read8, 8, RACE_READ)                             \
    TSAN_ACCESS(prefix##write1, 1, RACE_WRITE)                           \
    TSAN_ACCESS(prefix##write2, 2, RACE_WRITE)                           \
    TSAN_ACCESS(prefix##write4, 4, RACE_WRITE)                           \
    TSAN_ACCESS(prefix##write8, 8, RACE_WRITE)

TSAN_ACCESS_ALL()
TSAN_ACCESS_ALL(unaligned_)
TSAN_ACCESS_ALL(volatile_)

static inline void tsan_range(void *addr, size_t n, uint64_t kind, uintptr_t pc)
{
    if (RT_UNLIKELY(sched_should_preempt != NULL))
        sched_preempt_point();
    race_gs *gs = race_cur();
    if (gs && n)
        race_access_range(gs, (uintptr_t)addr, n, kind, pc);
}

/* 16 bytes (clang's vectorised loops): two whole granules when 8-byte aligned, checked
 * inline like a plain access, a read that misses held back for the write of `x = f(x)`
 * (race_pend); anything else through the range path. */
static inline __attribute__((always_inline)) void tsan_access16(void *addr, uint64_t kind,
                                                                uintptr_t pc)
{
    uintptr_t p = (uintptr_t)addr;
    race_gs *gs = race_cur();
    uintptr_t base = shadow_win[(p >> SHADOW_WIN_SHIFT) & (SHADOW_NWIN - 1)];
    /* aligned, both granules in one mapped window, nothing to preempt */
    if (RT_LIKELY(gs && !(p & 7) && base && ((p + 8) & SHADOW_WIN_MASK) &&
                  sched_should_preempt == NULL)) {
        uint64_t a = gs->epoch | kind | CELL_MASK;
        shadow_granule *sh = shadow_at(base, p);
        bool lo = shadow_covers(sh, a), hi = shadow_covers(sh + 1, a);
        if (RT_LIKELY(lo && hi))
            return;
        if (kind == RACE_WRITE && !lo && !hi && race_pend_fuses_pair(gs, p, a)) {
            if (race_memo_apply(gs, sh, p, a, pc)) {
                race_pend_shift(gs);
                if (!gs->pend.addr)
                    race_pub_set(0); /* after the memo's stores */
            } else {
                race_access_pair_fused(gs, sh, p, a, pc);
            }
            return;
        }
        if (kind == RACE_READ && !lo && !hi && gs->pend.addr + 16 == p && !gs->pend.pc2 &&
            gs->pend.a == (a | RACE_PEND_PAIR)) {
            gs->pend.pc2 = pc; /* the loop's second vector, published with the first */
            return;
        }
        race_flush(gs); /* a held-back read goes first, as it came first */
        if (kind == RACE_READ && !lo && !hi) {
            gs->pend = (race_pend){p, pc, a | RACE_PEND_PAIR, 0};
            race_pub_set(p);
            return;
        }
        if (!lo && !hi && race_memo_apply(gs, sh, p, a, pc))
            return;
        race_access_pair(gs, sh, p, a, pc, lo, hi);
        return;
    }
    tsan_range(addr, 16, kind, pc);
}

#define TSAN_ACCESS16(name, kind)                                                           \
    TSAN_API void __tsan_##name(void *addr) { tsan_access16(addr, kind, PC()); }            \
    TSAN_API void __tsan_##name##_pc(void *addr, void *pc) { tsan_access16(addr, kind, (uintptr_t)pc); }
TSAN_ACCESS16(read16, RACE_READ)
TSAN_ACCESS16(write16, RACE_WRITE)
TSAN_ACCESS16(unaligned_read16, RACE_READ)
TSAN_ACCESS16(unaligned_write16, RACE_WRITE)
TSAN_ACCESS16(volatile_read16, RACE_READ)
TSAN_ACCESS16(volatile_write16, RACE_WRITE)

TSAN_API void __tsan_read_range(void *addr, unsigned long n) { tsan_range(addr, n, RACE_READ, PC()); }
TSAN_API void __tsan_write_range(void *addr, unsigned long n) { tsan_range(addr, n, RACE_WRITE, PC()); }
TSAN_API void __tsan_read_range_pc(void *addr, unsigned long n, void *pc)
{
    tsan_range(addr, n, RACE_READ, (uintptr_t)pc);
}
TSAN_API void __tsan_write_range_pc(void *addr, unsigned long n, void *pc)
{
    tsan_range(addr, n, RACE_WRITE, (uintptr_t)pc);
}

/* C++ virtual-table pointers: a store of the same value is not a write. */
TSAN_API void __tsan_vptr_update(void **vptr_p, void *new_val)
{
    if (*vptr_p != new_val)
        race_access((uintptr_t)vptr_p, 8, RACE_WRITE, PC());
}
TSAN_API void __tsan_vptr_read(void **vptr_p) { race_access((uintptr_t)vptr_p, 8, RACE_READ, PC()); }

/* Newer compilers name the instrumented bulk operations directly. */
TSAN_API void *__tsan_memcpy(void *d, const void *s, size_t n)
{
    tsan_range((void *)s, n, RACE_READ, PC());
    tsan_range(d, n, RACE_WRITE, PC());
    return __builtin_memmove(d, s, n);
}
TSAN_API void *__tsan_memmove(void *d, const void *s, size_t n)
{
    tsan_range((void *)s, n, RACE_READ, PC());
    tsan_range(d, n, RACE_WRITE, PC());
    return __builtin_memmove(d, s, n);
}
TSAN_API void *__tsan_memset(void *d, int c, size_t n)
{
    tsan_range(d, n, RACE_WRITE, PC());
    return __builtin_memset(d, c, n);
}

/* Annotations (sanitizer/tsan_interface.h). */
TSAN_API void __tsan_acquire(void *addr) { race_acquire_slow(addr); }
TSAN_API void __tsan_release(void *addr) { race_release_merge_slow(addr); }

/* ---- function entry / exit --------------------------------------------------------------------- */

/* Room left under the stack limit for the overflow report itself. */
#define STACK_GUARD (4096 + 16384)


TSAN_API void __tsan_func_entry(void *pc)
{
    race_gs *gs = race_cur();
    if (RT_UNLIKELY(!gs))
        return;
    race_flush(gs); /* its stack is the one before this frame */
    if (RT_UNLIKELY(gs->depth == gs->cap))
        race_frames_grow(gs);
    gs->frame_pc[gs->depth] = (uintptr_t)pc;
    gs->frame_node[gs->depth] = DEPOT_UNKNOWN;
    gs->depth++;
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (RT_UNLIKELY(sp < gs->min_sp)) {
        /* a new low-water mark: the only time the stack limit can have been crossed */
        gs->min_sp = sp;
        rt_g *g = rt_curg;
        if (g->stack_lo && sp < (uintptr_t)g->stack_lo + STACK_GUARD)
            rt_stack_overflow();
    }
}

TSAN_API void __tsan_func_exit(void)
{
    race_gs *gs = race_cur();
    if (RT_LIKELY(gs != NULL) && gs->depth) {
        race_flush(gs);
        gs->depth--;
    }
}

TSAN_API void __tsan_ignore_thread_begin(void) {}
TSAN_API void __tsan_ignore_thread_end(void) {}

/* ---- atomics ------------------------------------------------------------------------------------- */

/* Memory orders as the compilers pass them (C11 order; gcc may add HLE bits above). */
enum { MO_RELAXED, MO_CONSUME, MO_ACQUIRE, MO_RELEASE, MO_ACQ_REL, MO_SEQ_CST };

static inline bool mo_acq(int mo)
{
    mo &= 0xff;
    return mo == MO_CONSUME || mo == MO_ACQUIRE || mo == MO_ACQ_REL || mo == MO_SEQ_CST;
}
static inline bool mo_rel(int mo)
{
    mo &= 0xff;
    return mo == MO_RELEASE || mo == MO_ACQ_REL || mo == MO_SEQ_CST;
}

/* The edges of an operation of order mo (RACE_AT_* in detector.h). */
static inline unsigned mo_op(unsigned what, int mo)
{
    return what | (mo_acq(mo) ? RACE_AT_ACQ : 0) | (mo_rel(mo) ? RACE_AT_REL : 0);
}
#define AT_LOAD RACE_AT_READS
#define AT_STORE RACE_AT_WRITES
#define AT_RMW (RACE_AT_READS | RACE_AT_WRITES | RACE_AT_MERGE)

/* A CAS takes the failure order's acquire too; a failed one writes nothing. */
static inline unsigned cas_op(int mo, int fmo)
{
    return mo_op(AT_RMW, mo) | (mo_acq(fmo) ? RACE_AT_ACQ : 0);
}
static inline unsigned cas_end(unsigned op, bool ok)
{
    return ok ? op : op & ~(unsigned)(RACE_AT_WRITES | RACE_AT_REL);
}

/* 128-bit operations: no lock-free instruction without -mcx16, so one lock for all. */
static uint32_t atomic128_lock;

/* T is the result type; the access is always sizeof(*addr) bytes (a store's result type
 * is a dummy int, and a 1-byte atomic must not claim its neighbours' bytes). */
#define ATOMIC_WRAP(T, addr, op, expr)                                                        \
    ({                                                                                          \
        unsigned op_ = (op);                                                                    \
        race_gs *gs_ = race_atomic_begin((uintptr_t)(addr), (unsigned)sizeof(*(addr)), PC(),    \
                                         op_);                                                  \
        T r_ = (expr);                                                                          \
        race_atomic_end(gs_, op_);                                                              \
        r_;                                                                                     \
    })

#define ATOMIC_RMW(N, T, name, op)                                                                  \
    TSAN_API T __tsan_atomic##N##_##name(volatile T *a, T v, int mo)                                \
    {                                                                                               \
        return ATOMIC_WRAP(T, a, mo_op(AT_RMW, mo), __atomic_##op(a, v, __ATOMIC_SEQ_CST));        \
    }

#define ATOMIC_OPS(N, T)                                                                            \
    TSAN_API T __tsan_atomic##N##_load(const volatile T *a, int mo)                                 \
    {                                                                                               \
        return ATOMIC_WRAP(T, a, mo_op(AT_LOAD, mo) & ~(unsigned)RACE_AT_REL,                       \
                           __atomic_load_n(a, __ATOMIC_SEQ_CST));                                   \
    }                                                                                               \
    TSAN_API void __tsan_atomic##N##_store(volatile T *a, T v, int mo)                              \
    {                                                                                               \
        (void)ATOMIC_WRAP(int, a, mo_op(AT_STORE, mo) & ~(unsigned)RACE_AT_ACQ,                     \
                          (__atomic_store_n(a, v, __ATOMIC_SEQ_CST), 0));                           \
    }                                                                                               \
    ATOMIC_RMW(N, T, exchange, exchange_n)                                                          \
    ATOMIC_RMW(N, T, fetch_add, fetch_add)                                                          \
    ATOMIC_RMW(N, T, fetch_sub, fetch_sub)                                                          \
    ATOMIC_RMW(N, T, fetch_and, fetch_and)                                                          \
    ATOMIC_RMW(N, T, fetch_or, fetch_or)                                                            \
    ATOMIC_RMW(N, T, fetch_xor, fetch_xor)                                                          \
    ATOMIC_RMW(N, T, fetch_nand, fetch_nand)                                                        \
    TSAN_API int __tsan_atomic##N##_compare_exchange_strong(volatile T *a, T *c, T v, int mo,       \
                                                            int fmo)                                \
    {                                                                                               \
        unsigned op = cas_op(mo, fmo);                                                              \
        race_gs *gs = race_atomic_begin((uintptr_t)a, sizeof(T), PC(), op);                         \
        bool ok = __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);  \
        race_atomic_end(gs, cas_end(op, ok));                                         \
        return ok;                                                                                  \
    }                                                                                               \
    TSAN_API int __tsan_atomic##N##_compare_exchange_weak(volatile T *a, T *c, T v, int mo,         \
                                                          int fmo)                                  \
    {                                                                                               \
        return __tsan_atomic##N##_compare_exchange_strong(a, c, v, mo, fmo);                        \
    }                                                                                               \
    TSAN_API T __tsan_atomic##N##_compare_exchange_val(volatile T *a, T c, T v, int mo, int fmo)    \
    {                                                                                               \
        __tsan_atomic##N##_compare_exchange_strong(a, &c, v, mo, fmo);                              \
        return c;                                                                                   \
    }

ATOMIC_OPS(8, uint8_t)
ATOMIC_OPS(16, uint16_t)
ATOMIC_OPS(32, uint32_t)
ATOMIC_OPS(64, uint64_t)

/* 128 bits: the same ABI, performed under atomic128_lock. */
typedef unsigned __int128 u128;

static inline u128 a128_rmw(volatile u128 *a, u128 v, int op)
{
    rt_lock(&atomic128_lock);
    u128 old = *a, nv = v;
    switch (op) {
    case 1: nv = old + v; break;
    case 2: nv = old - v; break;
    case 3: nv = old & v; break;
    case 4: nv = old | v; break;
    case 5: nv = old ^ v; break;
    case 6: nv = ~(old & v); break;
    default: break;
    }
    *a = nv;
    rt_unlock(&atomic128_lock);
    return old;
}

static inline u128 a128_load(const volatile u128 *a)
{
    rt_lock(&atomic128_lock);
    u128 v = *a;
    rt_unlock(&atomic128_lock);
    return v;
}

static inline bool a128_cas(volatile u128 *a, u128 *c, u128 v)
{
    rt_lock(&atomic128_lock);
    bool ok = *a == *c;
    if (ok)
        *a = v;
    else
        *c = *a;
    rt_unlock(&atomic128_lock);
    return ok;
}

#define ATOMIC128_RMW(name, op)                                                                  \
    TSAN_API u128 __tsan_atomic128_##name(volatile u128 *a, u128 v, int mo)                      \
    {                                                                                            \
        return ATOMIC_WRAP(u128, a, mo_op(AT_RMW, mo), a128_rmw(a, v, op));                      \
    }

TSAN_API u128 __tsan_atomic128_load(const volatile u128 *a, int mo)
{
    return ATOMIC_WRAP(u128, a, mo_op(AT_LOAD, mo) & ~(unsigned)RACE_AT_REL, a128_load(a));
}
TSAN_API void __tsan_atomic128_store(volatile u128 *a, u128 v, int mo)
{
    (void)ATOMIC_WRAP(int, a, mo_op(AT_STORE, mo) & ~(unsigned)RACE_AT_ACQ,
                      ((void)a128_rmw(a, v, 0), 0));
}
ATOMIC128_RMW(exchange, 0)
ATOMIC128_RMW(fetch_add, 1)
ATOMIC128_RMW(fetch_sub, 2)
ATOMIC128_RMW(fetch_and, 3)
ATOMIC128_RMW(fetch_or, 4)
ATOMIC128_RMW(fetch_xor, 5)
ATOMIC128_RMW(fetch_nand, 6)

TSAN_API int __tsan_atomic128_compare_exchange_strong(volatile u128 *a, u128 *c, u128 v, int mo,
                                                      int fmo)
{
    unsigned op = cas_op(mo, fmo);
    race_gs *gs = race_atomic_begin((uintptr_t)a, 16, PC(), op);
    bool ok = a128_cas(a, c, v);
    race_atomic_end(gs, cas_end(op, ok));
    return ok;
}
TSAN_API int __tsan_atomic128_compare_exchange_weak(volatile u128 *a, u128 *c, u128 v, int mo,
                                                    int fmo)
{
    return __tsan_atomic128_compare_exchange_strong(a, c, v, mo, fmo);
}
TSAN_API u128 __tsan_atomic128_compare_exchange_val(volatile u128 *a, u128 c, u128 v, int mo, int fmo)
{
    __tsan_atomic128_compare_exchange_strong(a, &c, v, mo, fmo);
    return c;
}

/* C11 7.17.4 fence synchronisation (ThreadSanitizer has none): a release fence followed
 * by a relaxed store, read by a relaxed load followed by an acquire fence, orders what
 * came before the first fence before what follows the second (race_fence). */
TSAN_API void __tsan_atomic_thread_fence(int mo)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    race_fence(mo_acq(mo), mo_rel(mo));
}
TSAN_API void __tsan_atomic_signal_fence(int mo)
{
    (void)mo;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}
