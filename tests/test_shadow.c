/* Shadow memory suite: byte precision, FastTrack updates, the quick update's states
 * (three-cell transients inline, hb cache), overflow cells, reset. */
#define TU_IMPLEMENTATION
#include "testutil.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../detector/shadow.h"

/* Two goroutines ("actors") with explicit clocks; no scheduler involved. */
typedef struct actor {
    uint32_t slot;
    vclock vc;
    shadow_hbc hbc;
} actor;

static _Alignas(64) char mem[256];

static void actor_init(actor *a, uint32_t slot)
{
    memset(a, 0, sizeof *a);
    a->slot = slot;
    vc_set(&a->vc, slot, 1);
}

/* One access of [off, off+size) inside one granule; returns how many races. */
static int access1(actor *a, unsigned off, unsigned size, uint64_t kind)
{
    uintptr_t addr = (uintptr_t)mem + off;
    shadow_granule *g = shadow_map_slow(addr);
    ck_assert_ptr_nonnull(g);
    unsigned mask = ((1u << size) - 1) << (addr & 7);
    uint64_t c = cell_make(a->slot, vc_get(&a->vc, a->slot), mask, kind);
    if (shadow_covers(g, c))
        return 0;
    shadow_actor who = {a->slot, &a->vc, &a->hbc};
    shadow_hit hits[4];
    return shadow_update(g, c, 1, &who, hits, 4);
}

static void reset(void) { shadow_reset((uintptr_t)mem, (uintptr_t)mem + sizeof mem); }

/* Inline cells of the granule at mem + off that record something. */
static int live_cells(unsigned off)
{
    shadow_granule *g = shadow_of((uintptr_t)mem + off);
    int n = 0;
    for (int i = 0; i < SHADOW_CELLS; i++)
        n += cell_mask(shadow_cell(g, (unsigned)i)) != 0;
    return n;
}

/* b is ordered after everything a did; b's clock advances (a release of b's). */
static void order_after(actor *b, actor *a)
{
    vc_join(&b->vc, &a->vc);
    vc_set(&b->vc, b->slot, vc_get(&b->vc, b->slot) + 1);
}

/* The array loop's granule: two 4-byte elements, last written by a, then read and
 * written by b one element at a time.  Between b's write of bytes 0-3 and of 4-7 the
 * granule holds three cells (a's write of 4-7, b's write of 0-3, b's read of 4-7). */
static void transient_prefix(actor *a, actor *b, unsigned off)
{
    ck_assert_int_eq(access1(a, off, 4, CELL_WRITE), 0);
    ck_assert_int_eq(access1(a, off + 4, 4, CELL_WRITE), 0);
    order_after(b, a);
    ck_assert_int_eq(access1(b, off, 4, 0), 0);
    ck_assert_int_eq(access1(b, off, 4, CELL_WRITE), 0);
    ck_assert_int_eq(access1(b, off + 4, 4, 0), 0);
}

START_TEST(norace_adjacent_bytes)
{
    actor a, b;
    actor_init(&a, 1);
    actor_init(&b, 2);
    reset();
    ck_assert_int_eq(access1(&a, 0, 1, CELL_WRITE), 0);
    ck_assert_int_eq(access1(&b, 1, 1, CELL_WRITE), 0);
    ck_assert_int_eq(access1(&a, 2, 2, CELL_WRITE), 0);
    ck_assert_int_eq(access1(&b, 4, 4, CELL_WRITE), 0);
}
END_TEST

START_TEST(race_overlapping_sizes)
{
    actor a, b;
    actor_init(&a, 1);
    actor_init(&b, 2);
    reset();
    ck_assert_int_eq(access1(&a, 8, 1, CELL_WRITE), 0);
    ck_assert_int_eq(access1(&b, 8, 8, 0), 1);
}
END_TEST

START_TEST(norace_read_read)
{
    actor a, b;
    actor_init(&a, 1);
    actor_init(&b, 2);
    reset();
    ck_assert_int_eq(access1(&a, 16, 4, 0), 0);
    ck_assert_int_eq(access1(&b, 16, 4, 0), 0);
}
END_TEST

START_TEST(norace_after_acquire)
{
    actor a, b;
    actor_init(&a, 1);
    actor_init(&b, 2);
    reset();
    ck_assert_int_eq(access1(&a, 24, 8, CELL_WRITE), 0);
    vc_join(&b.vc, &a.vc); /* a released, b acquired */
    vc_set(&a.vc, 1, 2);
    ck_assert_int_eq(access1(&b, 24, 8, CELL_WRITE), 0);
    ck_assert_int_eq(access1(&a, 24, 4, 0), 1); /* but a never saw b's write */
}
END_TEST

START_TEST(atomics_only_race_plain)
{
    actor a, b;
    actor_init(&a, 1);
    actor_init(&b, 2);
    reset();
    ck_assert_int_eq(access1(&a, 32, 4, CELL_WRITE | CELL_ATOMIC), 0);
    ck_assert_int_eq(access1(&b, 32, 4, CELL_WRITE | CELL_ATOMIC), 0);
    ck_assert_int_eq(access1(&b, 32, 4, CELL_ATOMIC), 0);
    ck_assert_int_eq(access1(&a, 32, 4, 0), 1); /* plain read vs b's atomic write */
}
END_TEST

/* Many concurrent readers need more than two cells: the granule overflows, keeps all of
 * them (a later write races with each), and a write ordered after all collapses it. */
START_TEST(overflow_keeps_every_reader)
{
    enum { N = 6 };
    actor r[N], w;
    reset();
    long base = shadow_overflow_count();
    for (int i = 0; i < N; i++) {
        actor_init(&r[i], (uint32_t)(10 + i));
        ck_assert_int_eq(access1(&r[i], 40, 8, 0), 0);
    }
    ck_assert_int_eq(shadow_overflow_count(), base + 1);
    actor_init(&w, 30);
    for (int i = 0; i < N - 1; i++) /* w has seen all readers but the last */
        vc_join(&w.vc, &r[i].vc);
    ck_assert_int_eq(access1(&w, 40, 8, CELL_WRITE), 1);
    vc_join(&w.vc, &r[N - 1].vc);
    vc_set(&w.vc, 30, 2);
    ck_assert_int_eq(access1(&w, 40, 8, CELL_WRITE), 0);
    ck_assert_int_eq(shadow_overflow_count(), base);
}
END_TEST

START_TEST(reset_forgets)
{
    actor a, b;
    actor_init(&a, 1);
    actor_init(&b, 2);
    reset();
    ck_assert_int_eq(access1(&a, 48, 8, CELL_WRITE), 0);
    shadow_reset((uintptr_t)mem + 48, (uintptr_t)mem + 52);
    ck_assert_int_eq(access1(&b, 48, 4, CELL_WRITE), 0); /* forgotten bytes */
    ck_assert_int_eq(access1(&b, 52, 4, CELL_WRITE), 1); /* kept bytes */
}
END_TEST

START_TEST(same_epoch_is_subsumed)
{
    actor a;
    actor_init(&a, 3);
    reset();
    ck_assert_int_eq(access1(&a, 56, 8, CELL_WRITE), 0);
    shadow_granule *g = shadow_of((uintptr_t)mem + 56);
    uint64_t rd = cell_make(3, 1, 0x0f, 0), wr = cell_make(3, 1, 0xff, CELL_WRITE);
    ck_assert(cell_subsumes(g->c[0], rd));
    ck_assert(cell_subsumes(g->c[0], wr));
    ck_assert(!cell_subsumes(g->c[0], cell_make(3, 2, 0x0f, 0))); /* later epoch */
    ck_assert(!cell_subsumes(g->c[0], cell_make(4, 1, 0x0f, 0))); /* other slot */
    /* an atomic write does not stand for a plain one */
    ck_assert(!cell_subsumes(cell_make(3, 1, 0xff, CELL_WRITE | CELL_ATOMIC), wr));
}
END_TEST

/* The three-cell state stays inline (no overflow array), and when b's write of 4-7
 * ends it, one cell is left. */
START_TEST(transient_three_cells_stay_inline)
{
    actor a, b;
    actor_init(&a, 1);
    actor_init(&b, 2);
    reset();
    long base = shadow_overflow_count();
    transient_prefix(&a, &b, 64);
    ck_assert_int_eq(live_cells(64), 3);
    ck_assert_int_eq(shadow_overflow_count(), base);
    ck_assert_int_eq(access1(&b, 68, 4, CELL_WRITE), 0);
    ck_assert_int_eq(live_cells(64), 1);
    ck_assert_int_eq(shadow_overflow_count(), base);
}
END_TEST

/* Races hidden in the three-cell state are found: a third goroutine ordered after
 * nobody races with a's write and b's read of bytes 4-7, and with b's write of 0-3. */
START_TEST(race_hidden_in_transient_state)
{
    actor a, b, c;
    actor_init(&a, 1);
    actor_init(&b, 2);
    actor_init(&c, 3);
    reset();
    transient_prefix(&a, &b, 72);
    ck_assert_int_eq(access1(&c, 72, 1, 0), 1);          /* vs b's write of 0-3 */
    ck_assert_int_eq(access1(&c, 76, 4, CELL_WRITE), 2); /* vs a's write, b's read */
}
END_TEST

/* Many passes of the array loop's pattern, owners alternating, never overflow, and
 * the granule ends with the last owner's write only: an unordered writer races once. */
START_TEST(alternating_owners_never_overflow)
{
    actor w[2], late;
    actor_init(&w[0], 1);
    actor_init(&w[1], 2);
    actor_init(&late, 9);
    reset();
    long base = shadow_overflow_count();
    for (int pass = 0; pass < 9; pass++) {
        actor *me = &w[pass & 1];
        order_after(me, &w[!(pass & 1)]);
        for (unsigned off = 80; off < 88; off += 4) {
            ck_assert_int_eq(access1(me, off, 4, 0), 0);
            ck_assert_int_eq(access1(me, off, 4, CELL_WRITE), 0);
        }
        ck_assert_int_eq(shadow_overflow_count(), base);
        ck_assert_int_eq(live_cells(80), 1);
    }
    ck_assert_int_eq(access1(&late, 80, 8, CELL_WRITE), 1);
}
END_TEST

/* The hb cache holds a lower bound of one clock entry: a newer access of the cached
 * goroutine is still checked against the real clock. */
START_TEST(hb_cache_is_a_lower_bound)
{
    actor a, w;
    actor_init(&a, 2);
    actor_init(&w, 5);
    reset();
    ck_assert_int_eq(access1(&a, 88, 8, CELL_WRITE), 0);
    order_after(&w, &a);                                  /* w knows a up to clock 1 */
    ck_assert_int_eq(access1(&w, 88, 8, CELL_WRITE), 0); /* cache: slot 2 >= 1 */
    vc_set(&a.vc, 2, 2);
    ck_assert_int_eq(access1(&a, 88, 8, CELL_WRITE), 1); /* a never saw w's write */
    vc_set(&w.vc, 5, 3);
    ck_assert_int_eq(access1(&w, 88, 4, 0), 1);           /* a's clock-2 write is unknown to w */
    order_after(&w, &a);
    ck_assert_int_eq(access1(&w, 92, 4, 0), 0);           /* now known */
}
END_TEST

/* Five concurrent cells need the overflow array; once ordered they come back inline. */
START_TEST(fifth_cell_overflows)
{
    actor r[5], w;
    reset();
    long base = shadow_overflow_count();
    for (int i = 0; i < 4; i++) {
        actor_init(&r[i], (uint32_t)(20 + i));
        ck_assert_int_eq(access1(&r[i], 96, 2, 0), 0);
    }
    ck_assert_int_eq(shadow_overflow_count(), base);
    ck_assert_int_eq(live_cells(96), 4);
    actor_init(&r[4], 24);
    ck_assert_int_eq(access1(&r[4], 96, 2, 0), 0);
    ck_assert_int_eq(shadow_overflow_count(), base + 1);
    actor_init(&w, 30);
    for (int i = 0; i < 5; i++)
        vc_join(&w.vc, &r[i].vc);
    ck_assert_int_eq(access1(&w, 96, 8, CELL_WRITE), 0);
    ck_assert_int_eq(shadow_overflow_count(), base);
    ck_assert_int_eq(live_cells(96), 1);
}
END_TEST

/* The nonempty cells of g in order (holes closed) with their stack ids; -1 in overflow form. */
static int granule_cells(const shadow_granule *g, uint64_t *cell, uint32_t *stk)
{
    if (g->c[0] & CELL_OVF)
        return -1;
    int n = 0;
    for (unsigned i = 0; i < SHADOW_CELLS; i++)
        if (cell_mask(shadow_cell(g, i))) {
            cell[n] = shadow_cell(g, i);
            stk[n++] = SG_STK(g, i);
        }
    return n;
}

/* The quick update (and the transitions it decides first) against the general one on
 * random traces of one granule each: same races, same cells in the same order. */
START_TEST(quick_matches_general)
{
    static const unsigned sizes[] = {1, 2, 4, 8, 8, 8};
    for (unsigned seed = 1; seed <= 300; seed++) {
        srand(seed);
        reset();
        actor ac[3];
        for (int i = 0; i < 3; i++)
            actor_init(&ac[i], (uint32_t)(40 + i));
        shadow_granule *gq = shadow_map_slow((uintptr_t)mem + 160);
        shadow_granule *gg = shadow_map_slow((uintptr_t)mem + 168);
        for (int step = 0; step < 200; step++) {
            actor *a = &ac[rand() % 3];
            int r = rand() % 100;
            if (r < 15) {
                order_after(a, &ac[rand() % 3]);
                continue;
            }
            unsigned size = sizes[rand() % 6], off = (unsigned)rand() % (9 - size);
            uint64_t kind = (rand() % 2 ? CELL_WRITE : 0) | (rand() % 10 == 0 ? CELL_ATOMIC : 0);
            uint64_t c = cell_make(a->slot, vc_get(&a->vc, a->slot), ((1u << size) - 1) << off, kind);
            uint32_t stk = 1 + (uint32_t)(rand() % 2);
            shadow_actor who = {a->slot, &a->vc, &a->hbc};
            shadow_hit hits[4];
            int nq = shadow_covers(gq, c) ? 0 : shadow_update(gq, c, stk, &who, hits, 4);
            int ng = shadow_covers(gg, c) ? 0 : shadow_update_general(gg, c, stk, &who, hits, 4);
            ck_assert_msg(nq == ng, "seed %u step %d: %d races vs %d", seed, step, nq, ng);
            uint64_t cq[4], cg[4];
            uint32_t sq[4], sg[4];
            int kq = granule_cells(gq, cq, sq), kg = granule_cells(gg, cg, sg);
            if (kq < 0 || kg < 0) {
                ck_assert_int_eq(kq < 0, kg < 0);
                continue;
            }
            ck_assert_msg(kq == kg, "seed %u step %d: %d cells vs %d", seed, step, kq, kg);
            for (int i = 0; i < kq; i++)
                ck_assert_msg(cq[i] == cg[i] && sq[i] == sg[i], "seed %u step %d: cell %d differs",
                              seed, step, i);
        }
    }
}
END_TEST

/* Does the mapping holding addr carry VmFlags flag (two letters, /proc/self/smaps)? */
static bool vma_flag(uintptr_t addr, const char *flag)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    bool in = false, found = false;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2) /* a mapping's first line */
            in = addr >= lo && addr < hi;
        else if (in && !strncmp(line, "VmFlags:", 8)) {
            found = strstr(line, flag) != NULL;
            break;
        }
    }
    fclose(f);
    return found;
}

/* A big block's shadow asks for huge pages (one fault per 2 MB: most of a first sweep
 * over a big array on a machine with slow page faults); a small block's does not. */
START_TEST(dense_block_shadow_gets_huge_pages)
{
    size_t big = 8ul << 20, small = 64ul << 10;
    char *b = aligned_alloc(1ul << 20, big), *sm = aligned_alloc(1ul << 20, small);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(sm);
    shadow_advise_dense((uintptr_t)b, (uintptr_t)b + big);
    shadow_advise_dense((uintptr_t)sm, (uintptr_t)sm + small);
    ck_assert(vma_flag((uintptr_t)shadow_of((uintptr_t)b + big / 2), " hg"));
    ck_assert(!vma_flag((uintptr_t)shadow_of((uintptr_t)sm), " hg"));
    free(b);
    free(sm);
}
END_TEST

/* Pages of [lo, hi) that exist (present or swapped), from /proc/self/pagemap. */
static long pages_present(uintptr_t lo, uintptr_t hi)
{
    int fd = open("/proc/self/pagemap", O_RDONLY);
    ck_assert_int_ge(fd, 0);
    long n = 0;
    for (uintptr_t pg = lo / 4096; pg < (hi + 4095) / 4096; pg++) {
        uint64_t e = 0;
        ck_assert_int_eq(pread(fd, &e, 8, (off_t)(pg * 8)), 8);
        n += (e >> 62) != 0;
    }
    close(fd);
    return n;
}

/* Shadow pages present in the near (far = false) or far half for application [lo, hi). */
static long half_pages(uintptr_t lo, uintptr_t hi, bool far)
{
    uintptr_t s = (uintptr_t)shadow_of(lo) + (far ? SHADOW_FAR : 0);
    return pages_present(s, s + (hi - lo) / 8 * sizeof(shadow_granule));
}

/* Resetting a big, barely used block reads only the shadow pages that exist: on a
 * kernel without a shared zero page, reading the others would allocate them all.  The
 * granules that were written, and a sync mark whose cells were never written, are still
 * forgotten. */
START_TEST(reset_skips_never_touched_shadow)
{
    size_t n = 32ul << 20;
    char *b = aligned_alloc(1ul << 20, n);
    ck_assert_ptr_nonnull(b);
    uintptr_t lo = (uintptr_t)b, hi = lo + n;
    actor x, y;
    actor_init(&x, 1);
    actor_init(&y, 2);
    uintptr_t w1 = lo + (1ul << 20), w2 = lo + (20ul << 20), sync = lo + (5ul << 20);
    for (uintptr_t w = w1; w <= w2; w += w2 - w1) {
        shadow_granule *g = shadow_map_slow(w);
        shadow_actor who = {x.slot, &x.vc, &x.hbc};
        shadow_hit hits[4];
        ck_assert_int_eq(shadow_update(g, cell_make(1, 1, 0xff, CELL_WRITE), 1, &who, hits, 4), 0);
    }
    shadow_mark_sync(sync);
    long before = half_pages(lo, hi, false);
    ck_assert_int_lt(before, 8); /* two written granules' pages, perhaps their neighbours */
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    shadow_reset(lo, hi);
    getrusage(RUSAGE_SELF, &r1);
    /* reading all of it faulted in 24k near-half pages (released again right after) */
    ck_assert_int_lt(r1.ru_minflt - r0.ru_minflt, 1000);
    ck_assert_int_le(half_pages(lo, hi, false), before);
    ck_assert_int_eq(*shadow_meta_of(sync), 0);
    for (uintptr_t w = w1; w <= w2; w += w2 - w1) {
        shadow_granule *g = shadow_of(w);
        for (int i = 0; i < SHADOW_CELLS; i++)
            ck_assert_uint_eq(shadow_cell(g, (unsigned)i), 0);
    }
    free(b);
}
END_TEST

/* A write, and another goroutine's read after it, live in the near half of the shadow
 * (3x application memory); the far half is neither written nor read until a granule
 * needs a third cell, and a write that leaves one cell clears c[1]'s CELL_MORE. */
START_TEST(two_cells_stay_in_the_near_half)
{
    size_t n = 1ul << 20;
    char *b = aligned_alloc(4096, n);
    ck_assert_ptr_nonnull(b);
    uintptr_t lo = (uintptr_t)b, hi = lo + n;
    actor x, y;
    actor_init(&x, 7);
    actor_init(&y, 8);
    shadow_actor wx = {x.slot, &x.vc, &x.hbc}, wy = {y.slot, &y.vc, &y.hbc};
    shadow_hit hits[4];
    for (uintptr_t p = lo; p < hi; p += 8)
        ck_assert_int_eq(shadow_update(shadow_map_slow(p), cell_make(7, 1, 0xff, CELL_WRITE), 1, &wx, hits, 4), 0);
    order_after(&y, &x);
    uint32_t cy = vc_get(&y.vc, y.slot);
    for (uintptr_t p = lo; p < hi; p += 8) /* a read after the write: two cells */
        ck_assert_int_eq(shadow_update(shadow_of(p), cell_make(8, cy, 0xff, 0), 2, &wy, hits, 4), 0);
    ck_assert_int_ge(half_pages(lo, hi, false), 768);
    ck_assert_int_eq(half_pages(lo, hi, true), 0);
    shadow_granule *g = shadow_of(lo + 4096);
    ck_assert_uint_eq(cell_slot(shadow_cell(g, 1)), 8);
    ck_assert(!(g->c[1] & CELL_MORE));
    /* y's write of bytes 0-3 leaves x's write and y's read of bytes 4-7: a third cell, in
     * the far half */
    ck_assert_int_eq(shadow_update(g, cell_make(8, cy, 0x0f, CELL_WRITE), 3, &wy, hits, 4), 0);
    ck_assert(g->c[1] & CELL_MORE);
    ck_assert_int_eq(half_pages(lo, hi, true), 1);
    ck_assert_uint_eq(SG_STK(g, 2), 3);
    ck_assert_int_eq(shadow_update(g, cell_make(8, cy, 0xff, CELL_WRITE), 5, &wy, hits, 4), 0);
    ck_assert(!(g->c[1] & CELL_MORE));
    ck_assert_uint_eq(shadow_cell(g, 1), 0);
    ck_assert_uint_eq(shadow_far(g)->c[0], 0);
    ck_assert_uint_eq(g->stk[0], 5);
    shadow_reset(lo, hi);
    free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("shadow");
    TCase *tc = tu_tcase(s, "shadow", 30);
    tcase_add_test(tc, norace_adjacent_bytes);
    tcase_add_test(tc, race_overlapping_sizes);
    tcase_add_test(tc, norace_read_read);
    tcase_add_test(tc, norace_after_acquire);
    tcase_add_test(tc, atomics_only_race_plain);
    tcase_add_test(tc, overflow_keeps_every_reader);
    tcase_add_test(tc, reset_forgets);
    tcase_add_test(tc, same_epoch_is_subsumed);
    tcase_add_test(tc, transient_three_cells_stay_inline);
    tcase_add_test(tc, race_hidden_in_transient_state);
    tcase_add_test(tc, alternating_owners_never_overflow);
    tcase_add_test(tc, hb_cache_is_a_lower_bound);
    tcase_add_test(tc, fifth_cell_overflows);
    tcase_add_test(tc, quick_matches_general);
    tcase_add_test(tc, dense_block_shadow_gets_huge_pages);
    tcase_add_test(tc, reset_skips_never_touched_shadow);
    tcase_add_test(tc, two_cells_stay_in_the_near_half);
    return tu_run(s);
}
