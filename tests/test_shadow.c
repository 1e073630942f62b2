/* Shadow memory suite: byte precision, FastTrack updates, overflow cells, reset. */
#define TU_IMPLEMENTATION
#include "testutil.h"

#include <string.h>

#include "../detector/shadow.h"

/* Two goroutines ("actors") with explicit clocks; no scheduler involved. */
typedef struct actor {
    uint32_t slot;
    vclock vc;
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
    shadow_actor who = {a->slot, &a->vc};
    shadow_hit hits[4];
    return shadow_update(g, c, 1, &who, hits, 4);
}

static void reset(void) { shadow_reset((uintptr_t)mem, (uintptr_t)mem + sizeof mem); }

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
    return tu_run(s);
}
