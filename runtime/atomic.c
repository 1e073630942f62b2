/*
 * atomic.c - Go's sync/atomic for C: sequentially consistent operations that also create
 * the happens-before edges the Go memory model gives atomics (every atomic is an acquire
 * of what earlier atomics on the same address released, and a release itself).
 * The runtime is not instrumented, so the detector hears about them through race.h.
 */
#include "rt.h"
#include "race.h"

#define ATOMIC_RMW(name, type, expr)                     \
    type name(type *addr, type v)                        \
    {                                                    \
        race_acquire(addr);                              \
        type r = expr;                                   \
        race_release_merge(addr);                        \
        return r;                                        \
    }

ATOMIC_RMW(atomic_add_int32, int32_t, __atomic_add_fetch(addr, v, __ATOMIC_SEQ_CST))
ATOMIC_RMW(atomic_add_int64, int64_t, __atomic_add_fetch(addr, v, __ATOMIC_SEQ_CST))
ATOMIC_RMW(atomic_swap_int32, int32_t, __atomic_exchange_n(addr, v, __ATOMIC_SEQ_CST))
ATOMIC_RMW(atomic_swap_int64, int64_t, __atomic_exchange_n(addr, v, __ATOMIC_SEQ_CST))

int32_t atomic_load_int32(int32_t *addr)
{
    int32_t v = __atomic_load_n(addr, __ATOMIC_SEQ_CST);
    race_acquire(addr);
    return v;
}

int64_t atomic_load_int64(int64_t *addr)
{
    int64_t v = __atomic_load_n(addr, __ATOMIC_SEQ_CST);
    race_acquire(addr);
    return v;
}

void atomic_store_int32(int32_t *addr, int32_t v)
{
    race_release_merge(addr);
    __atomic_store_n(addr, v, __ATOMIC_SEQ_CST);
}

void atomic_store_int64(int64_t *addr, int64_t v)
{
    race_release_merge(addr);
    __atomic_store_n(addr, v, __ATOMIC_SEQ_CST);
}

bool atomic_cas_int32(int32_t *addr, int32_t old, int32_t new_)
{
    race_acquire(addr);
    bool ok = __atomic_compare_exchange_n(addr, &old, new_, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    if (ok)
        race_release_merge(addr);
    return ok;
}

bool atomic_cas_int64(int64_t *addr, int64_t old, int64_t new_)
{
    race_acquire(addr);
    bool ok = __atomic_compare_exchange_n(addr, &old, new_, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    if (ok)
        race_release_merge(addr);
    return ok;
}
