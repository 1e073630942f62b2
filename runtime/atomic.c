/*
 * atomic.c - Go's sync/atomic for C: sequentially consistent operations.
 *
 * Under the race detector each one is also an atomic access of the caller (so a plain
 * access racing with it is reported, as Go's -race does) and the edge the Go memory model
 * gives atomics: loads acquire, stores release, read-modify-writes do both.  The runtime
 * is not instrumented, so the detector hears about them through race.h, with the
 * caller's pc; the operation runs inside enter/leave so that its value and its clock
 * are published together.
 */
#include "rt.h"
#include "race.h"

/* Return OP on *addr, wrapped for the detector when it is on.  ACQ/REL: the edges;
 * MERGE: a read-modify-write joins the clock on addr, a store replaces it (release-store).
 * Used directly in the public functions, so the pc is the user's call site. */
#define ATOMIC_DO(addr, write, acq, rel, merge, T, op)                                      \
    do {                                                                                    \
        if (RT_LIKELY(!race_enabled))                                                       \
            return op;                                                                      \
        void *c_ = race_atomic_enter_slow(addr, sizeof(*(addr)), write, acq,                \
                                          (uintptr_t)__builtin_return_address(0));          \
        T r_ = op;                                                                          \
        race_atomic_leave_slow(c_, rel, merge);                                             \
        return r_;                                                                          \
    } while (0)

#define ATOMIC_RMW(name, T, op)                                                             \
    T name(T *addr, T v)                                                                    \
    {                                                                                       \
        ATOMIC_DO(addr, true, true, true, true, T, op(addr, v, __ATOMIC_SEQ_CST));          \
    }

ATOMIC_RMW(atomic_add_int32, int32_t, __atomic_add_fetch)
ATOMIC_RMW(atomic_add_int64, int64_t, __atomic_add_fetch)
ATOMIC_RMW(atomic_swap_int32, int32_t, __atomic_exchange_n)
ATOMIC_RMW(atomic_swap_int64, int64_t, __atomic_exchange_n)

int32_t atomic_load_int32(int32_t *addr)
{
    ATOMIC_DO(addr, false, true, false, false, int32_t, __atomic_load_n(addr, __ATOMIC_SEQ_CST));
}

int64_t atomic_load_int64(int64_t *addr)
{
    ATOMIC_DO(addr, false, true, false, false, int64_t, __atomic_load_n(addr, __ATOMIC_SEQ_CST));
}

/* A store releases (replacing the clock on addr, Go's release-store) and acquires nothing. */
#define ATOMIC_STORE(name, T)                                                               \
    void name(T *addr, T v)                                                                 \
    {                                                                                       \
        if (RT_LIKELY(!race_enabled)) {                                                     \
            __atomic_store_n(addr, v, __ATOMIC_SEQ_CST);                                    \
            return;                                                                         \
        }                                                                                   \
        void *c = race_atomic_enter_slow(addr, sizeof *addr, true, false,                   \
                                         (uintptr_t)__builtin_return_address(0));           \
        __atomic_store_n(addr, v, __ATOMIC_SEQ_CST);                                        \
        race_atomic_leave_slow(c, true, false);                                             \
    }

ATOMIC_STORE(atomic_store_int32, int32_t)
ATOMIC_STORE(atomic_store_int64, int64_t)

/* A compare-and-swap acquires; only a successful one writes and releases. */
#define ATOMIC_CAS(name, T)                                                                 \
    bool name(T *addr, T old, T new_)                                                       \
    {                                                                                       \
        if (RT_LIKELY(!race_enabled))                                                       \
            return __atomic_compare_exchange_n(addr, &old, new_, false, __ATOMIC_SEQ_CST,   \
                                               __ATOMIC_SEQ_CST);                           \
        void *c = race_atomic_enter_slow(addr, sizeof *addr, true, true,                    \
                                         (uintptr_t)__builtin_return_address(0));           \
        bool ok = __atomic_compare_exchange_n(addr, &old, new_, false, __ATOMIC_SEQ_CST,    \
                                              __ATOMIC_SEQ_CST);                            \
        race_atomic_leave_slow(c, ok, true);                                                \
        return ok;                                                                          \
    }

ATOMIC_CAS(atomic_cas_int32, int32_t)
ATOMIC_CAS(atomic_cas_int64, int64_t)
