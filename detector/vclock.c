/*
 * vclock.c - sparse vector clocks, and why a dead goroutine's slot may be reused.
 *
 * Slots.  Every live goroutine owns one slot, a dense small integer; an epoch is a
 * (slot, clock) pair and a shadow cell stores one.  Goroutine ids (never reused) would
 * make clocks and shadow cells grow without bound, so slots of finished goroutines are
 * recycled under this invariant:
 *
 *   A slot s whose last owner finished at clock f may be given to a new goroutine only
 *   when the creator's clock C_p has C_p[s] >= f.  The new owner starts at C_p[s] + 1.
 *
 * Why it is sound: an access by the old owner at (s, j) has j <= f.  A goroutine u that
 * later knows the new owner up to k >= C_p[s] + 1 learnt it through a chain starting at
 * the new owner's creation, which happens after the creator had synchronised with the
 * old owner's end: so every (s, j <= f) really happens before u, exactly what
 * C_u[s] >= k > j says.  A u that never synchronised with the new owner has C_u[s] <= f
 * (it can only have learnt about the old owner), so the new owner's epochs (> f) stay
 * concurrent to it, as they are.  Without the condition (creator never joined the old
 * owner) a goroutine that joins the new owner would wrongly inherit "happens after" for
 * every access of the old one: that slot is simply not reused.
 *
 * The new owner's clock continues above C_p[s] (never restarts), so the same (slot,
 * clock) pair never names two different accesses' epochs in two goroutines.
 *
 * Representation: sorted (slot, clock) pairs; lookups are a binary search, joins either
 * insert the few entries of a small clock into a big one or merge linearly.
 */
#define _GNU_SOURCE
#include "vclock.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/rt.h"

/* libc's allocator, looked up past the executable: an intercepted (--wrap) malloc would
 * recurse into the detector. */
static void *(*real_malloc)(size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static void *(*real_aligned_alloc)(size_t, size_t);

static RT_COLD void race_alloc_init(void)
{
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
    if (!real_malloc || !real_realloc || !real_free || !real_aligned_alloc)
        rt_throw("race detector: cannot find libc's allocator");
}

void *race_malloc(size_t n)
{
    if (RT_UNLIKELY(!real_malloc))
        race_alloc_init();
    void *p = real_malloc(n ? n : 1);
    if (!p)
        rt_throw("race detector: out of memory (%zu bytes)", n);
    return p;
}

void *race_malloc_lines(size_t n)
{
    if (RT_UNLIKELY(!real_malloc))
        race_alloc_init();
    void *p = real_aligned_alloc(64, (n + 63) & ~(size_t)63);
    if (!p)
        rt_throw("race detector: out of memory (%zu bytes)", n);
    return p;
}

void *race_realloc(void *p, size_t n)
{
    if (RT_UNLIKELY(!real_malloc))
        race_alloc_init();
    p = real_realloc(p, n ? n : 1);
    if (!p)
        rt_throw("race detector: out of memory (%zu bytes)", n);
    return p;
}

void race_free(void *p)
{
    if (!p)
        return;
    if (RT_UNLIKELY(!real_malloc))
        race_alloc_init();
    real_free(p);
}

static void vc_reserve(vclock *v, uint32_t n)
{
    if (n <= v->cap)
        return;
    uint32_t cap = v->cap ? v->cap : 4;
    while (cap < n)
        cap *= 2;
    v->e = race_realloc(v->e, cap * sizeof *v->e);
    v->cap = cap;
}

/* Index of the first entry with slot >= s. */
static uint32_t vc_lower(const vclock *v, uint32_t s)
{
    uint32_t lo = 0, hi = v->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (v->e[mid].slot < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- the dense form ---- */

#define VC_DENSE_MIN 512     /* sparse clocks this big may turn dense... */
#define VC_DENSE_RATIO 16    /* ...if the dense array is at most this many times as big */

static void vc_dense_grow(vclock *v, uint32_t slot)
{
    uint32_t dn = v->dn ? v->dn : 64;
    while (dn <= slot)
        dn *= 2;
    v->d = race_realloc(v->d, dn * sizeof *v->d);
    memset(v->d + v->dn, 0, (dn - v->dn) * sizeof *v->d);
    v->dn = dn;
}

static void vc_to_dense(vclock *v, uint32_t min_slots)
{
    uint32_t top = v->n ? v->e[v->n - 1].slot + 1 : 0;
    if (top < min_slots)
        top = min_slots;
    v->d = NULL;
    v->dn = 0;
    vc_dense_grow(v, top ? top - 1 : 0);
    for (uint32_t i = 0; i < v->n; i++)
        v->d[v->e[i].slot] = v->e[i].clk;
    race_free(v->e);
    v->e = NULL;
    v->n = v->cap = 0;
}

static inline void vc_dense_put(vclock *v, uint32_t slot, uint32_t clk, bool max)
{
    if (slot >= v->dn)
        vc_dense_grow(v, slot);
    if (!max || clk > v->d[slot])
        v->d[slot] = clk;
}

/* v[slot] = op(v[slot], clk) where op is "set" or "max". */
static void vc_put(vclock *v, uint32_t slot, uint32_t clk, bool max)
{
    if (v->d) {
        vc_dense_put(v, slot, clk, max);
        return;
    }
    uint32_t i = vc_lower(v, slot);
    if (i < v->n && v->e[i].slot == slot) {
        if (!max || clk > v->e[i].clk)
            v->e[i].clk = clk;
        return;
    }
    if (i < v->n && v->n >= VC_DENSE_MIN && v->e[v->n - 1].slot < VC_DENSE_RATIO * v->n) {
        /* out-of-order inserts into a big clock would cost O(n) each */
        vc_to_dense(v, 0);
        vc_dense_put(v, slot, clk, max);
        return;
    }
    vc_reserve(v, v->n + 1);
    memmove(&v->e[i + 1], &v->e[i], (v->n - i) * sizeof *v->e);
    v->e[i] = (vc_entry){slot, clk};
    v->n++;
}


static void vc_merge_linear(vclock *dst, const vclock *src)
{
    vc_entry *out = race_malloc((dst->n + src->n) * sizeof *out);
    uint32_t i = 0, j = 0, k = 0;
    while (i < dst->n || j < src->n) {
        if (j == src->n || (i < dst->n && dst->e[i].slot < src->e[j].slot)) {
            out[k++] = dst->e[i++];
        } else if (i == dst->n || src->e[j].slot < dst->e[i].slot) {
            out[k++] = src->e[j++];
        } else {
            vc_entry a = dst->e[i++], b = src->e[j++];
            out[k++] = a.clk >= b.clk ? a : b;
        }
    }
    race_free(dst->e);
    dst->e = out;
    dst->cap = dst->n + src->n; /* out was sized for every input entry */
    dst->n = k;
}

/* dst.own = max(dst.own, src.own); both bases are left alone. */
static void own_join(vclock *dst, const vclock *src)
{
    if (src->d) {
        if (!dst->d)
            vc_to_dense(dst, src->dn);
        else if (dst->dn < src->dn)
            vc_dense_grow(dst, src->dn - 1);
        for (uint32_t s = 0; s < src->dn; s++)
            if (src->d[s] > dst->d[s])
                dst->d[s] = src->d[s];
        return;
    }
    if (!src->n)
        return;
    if (dst->d) {
        for (uint32_t j = 0; j < src->n; j++)
            vc_dense_put(dst, src->e[j].slot, src->e[j].clk, true);
        return;
    }
    /* A small clock (a goroutine joining a WaitGroup of a million) goes in entry by
     * entry; entries past the end are appends, so this is O(src) in that case. */
    if (src->n * 8 < dst->n) {
        for (uint32_t j = 0; j < src->n; j++)
            vc_put(dst, src->e[j].slot, src->e[j].clk, true);
        return;
    }
    /* Comparable sizes: one walk, in place while every slot of src is already in dst
     * (the steady state of goroutines trading a mutex or an atomic). */
    uint32_t i = 0, j = 0;
    for (; j < src->n; j++) {
        while (i < dst->n && dst->e[i].slot < src->e[j].slot)
            i++;
        if (i == dst->n || dst->e[i].slot != src->e[j].slot)
            break;
        if (src->e[j].clk > dst->e[i].clk)
            dst->e[i].clk = src->e[j].clk;
    }
    if (j == src->n)
        return;
    if (src->n - j <= 8) {
        for (; j < src->n; j++)
            vc_put(dst, src->e[j].slot, src->e[j].clk, true);
        return;
    }
    vc_merge_linear(dst, src);
}

/* dst.own = src.own; dst's base is left alone. */
static void own_copy(vclock *dst, const vclock *src)
{
    if (src->d) {
        race_free(dst->e);
        dst->e = NULL;
        dst->n = dst->cap = 0;
        if (dst->dn < src->dn) {
            dst->d = race_realloc(dst->d, src->dn * sizeof *dst->d);
            dst->dn = src->dn;
        }
        memcpy(dst->d, src->d, src->dn * sizeof *src->d);
        memset(dst->d + src->dn, 0, (dst->dn - src->dn) * sizeof *dst->d);
        return;
    }
    if (dst->d) {
        race_free(dst->d);
        dst->d = NULL;
        dst->dn = 0;
    }
    vc_reserve(dst, src->n);
    if (src->n)
        memcpy(dst->e, src->e, src->n * sizeof *src->e);
    dst->n = src->n;
}

/* ---- shared bases ---- */

/* A private part this big is frozen into a snapshot before a copy shares it: copies
 * below it are cheap enough to duplicate. */
#define VC_SHARE_OWN 32
/* Pruning entries a newly adopted base already covers is worth it up to this size. */
#define VC_PRUNE_MAX 64

static uint64_t vc_snap_ids;

static uint32_t own_size(const vclock *v) { return v->d ? v->dn : v->n; }

static void own_free(vclock *v)
{
    race_free(v->e);
    race_free(v->d);
    v->e = NULL;
    v->d = NULL;
    v->n = v->cap = v->dn = 0;
}

static void snap_ref(vc_snap *s)
{
    if (s)
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

static void snap_unref(vc_snap *s)
{
    if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        own_free(&s->body);
        race_free(s);
    }
}

/* a >= b pointwise, as far as the ancestry lists know. */
static bool snap_dominates(const vc_snap *a, const vc_snap *b)
{
    if (a == b)
        return true;
    for (uint32_t i = 0; i < a->nanc; i++)
        if (a->anc[i] == b->id)
            return true;
    return false;
}

/* s becomes a new version that dominates old (whose ancestry it inherits). */
static void snap_descend(vc_snap *s, const vc_snap *old)
{
    uint64_t anc[VC_ANC];
    uint32_t n = 0;
    anc[n++] = old->id;
    for (uint32_t i = 0; i < old->nanc && n < VC_ANC; i++)
        anc[n++] = old->anc[i];
    memcpy(s->anc, anc, n * sizeof *anc);
    s->nanc = n;
    s->id = __atomic_add_fetch(&vc_snap_ids, 1, __ATOMIC_RELAXED);
}

uint32_t vc_get_based(const vclock *v, uint32_t slot, uint32_t own)
{
    uint32_t b = vc_get_own(&v->base->body, slot);
    return b > own ? b : own;
}

/* Drop private entries the base already covers (a small private part only). */
static void own_prune(vclock *v)
{
    if (v->d || v->n > VC_PRUNE_MAX)
        return;
    uint32_t k = 0;
    for (uint32_t i = 0; i < v->n; i++)
        if (v->e[i].clk > vc_get_own(&v->base->body, v->e[i].slot))
            v->e[k++] = v->e[i];
    v->n = k;
}

/* Turn v's private part into v's new base: v's value is unchanged, its own part empty. */
static void vc_freeze(vclock *v)
{
    vc_snap *old = v->base, *s;
    if (old && __atomic_load_n(&old->refs, __ATOMIC_ACQUIRE) == 1) {
        s = old; /* nobody else sees it: update in place under a new identity */
        own_join(&s->body, v);
        snap_descend(s, s);
        own_free(v);
        return;
    }
    s = race_malloc(sizeof *s);
    memset(s, 0, sizeof *s);
    s->refs = 1;
    if (old) {
        own_copy(&s->body, &old->body);
        own_join(&s->body, v);
        snap_descend(s, old);
        snap_unref(old);
        own_free(v);
    } else {
        s->id = __atomic_add_fetch(&vc_snap_ids, 1, __ATOMIC_RELAXED);
        s->body = *v; /* the private arrays move */
        s->body.base = NULL;
        v->e = NULL;
        v->d = NULL;
        v->n = v->cap = v->dn = 0;
    }
    v->base = s;
}

/* dst = max(dst, b) where b is another clock's base. */
static void join_base(vclock *dst, vc_snap *b)
{
    vc_snap *old = dst->base;
    if (!old || snap_dominates(b, old)) {
        snap_ref(b);
        dst->base = b;
        snap_unref(old);
        own_prune(dst);
        return;
    }
    if (snap_dominates(old, b))
        return;
    /* unrelated: keep the bigger one shared, pour the smaller one into the private part */
    if (own_size(&b->body) > own_size(&old->body)) {
        snap_ref(b);
        dst->base = b;
        own_join(dst, &old->body);
        snap_unref(old);
    } else {
        own_join(dst, &b->body);
    }
}

/* Give up the base: v's private part becomes its whole value. */
static void vc_unshare(vclock *v)
{
    vc_snap *b = v->base;
    if (!b)
        return;
    v->base = NULL;
    own_join(v, &b->body);
    snap_unref(b);
}

void vc_set(vclock *v, uint32_t slot, uint32_t clk)
{
    if (RT_UNLIKELY(v->base != NULL) && vc_get_own(&v->base->body, slot) > clk)
        vc_unshare(v); /* going down below the base: never on the detector's paths */
    vc_put(v, slot, clk, false);
}

void vc_join(vclock *dst, const vclock *src)
{
    if (dst == src)
        return;
    if (src->base && src->base != dst->base)
        join_base(dst, src->base);
    own_join(dst, src);
}

void vc_copy(vclock *dst, vclock *src)
{
    if (dst == src)
        return;
    if (own_size(src) > VC_SHARE_OWN)
        vc_freeze(src);
    own_copy(dst, src);
    snap_ref(src->base);
    snap_unref(dst->base);
    dst->base = src->base;
}

static bool own_leq(const vclock *a, const vclock *b)
{
    if (a->d) {
        for (uint32_t s = 0; s < a->dn; s++)
            if (a->d[s] > vc_get(b, s))
                return false;
        return true;
    }
    for (uint32_t i = 0; i < a->n; i++)
        if (a->e[i].clk > vc_get(b, a->e[i].slot))
            return false;
    return true;
}

bool vc_leq(const vclock *a, const vclock *b)
{
    if (a->base && !(b->base && snap_dominates(b->base, a->base)) && !own_leq(&a->base->body, b))
        return false;
    return own_leq(a, b);
}

void vc_free(vclock *v)
{
    own_free(v);
    snap_unref(v->base);
    v->base = NULL;
}
