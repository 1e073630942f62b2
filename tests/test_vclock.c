/* Vector clock suite: the sparse, shared clocks against a dense reference. */
#define TU_IMPLEMENTATION
#include "testutil.h"

#include "../detector/vclock.h"

#define NS 300

/* One part (private or a base's body): sorted, no duplicates, nothing at or above NS.
 * (One assertion per call: check reports every assertion's location down a pipe.) */
static void check_part(const vclock *v)
{
    bool ok = true;
    if (v->d) {
        for (uint32_t s = NS; s < v->dn; s++)
            ok &= v->d[s] == 0;
    } else {
        for (uint32_t i = 0; i < v->n; i++)
            ok &= v->e[i].slot < NS && (!i || v->e[i].slot > v->e[i - 1].slot);
    }
    ck_assert_msg(ok, "clock part out of shape");
}

static void dense_of(const vclock *v, uint32_t *d)
{
    check_part(v);
    if (v->base) {
        ck_assert_msg(!v->base->body.base && __atomic_load_n(&v->base->refs, __ATOMIC_RELAXED) > 0,
                      "base out of shape");
        check_part(&v->base->body);
    }
    for (uint32_t s = 0; s < NS; s++)
        d[s] = vc_get(v, s);
}

START_TEST(test_get_set)
{
    vclock v = {0};
    ck_assert_uint_eq(vc_get(&v, 7), 0);
    vc_set(&v, 7, 3);
    vc_set(&v, 2, 9);
    vc_set(&v, 100, 1);
    vc_set(&v, 7, 4);
    ck_assert_uint_eq(v.n, 3);
    ck_assert_uint_eq(vc_get(&v, 7), 4);
    ck_assert_uint_eq(vc_get(&v, 2), 9);
    ck_assert_uint_eq(vc_get(&v, 100), 1);
    ck_assert_uint_eq(vc_get(&v, 3), 0);
    vc_free(&v);
}
END_TEST

/* Random joins, copies and sets agree with pointwise max on dense arrays. */
START_TEST(test_random_against_dense)
{
    srand(42);
    vclock v[4] = {{0}};
    static uint32_t ref[4][NS], d[NS];
    memset(ref, 0, sizeof ref);
    for (int step = 0; step < 3000; step++) {
        int a = rand() % 4, b = rand() % 4, op = rand() % 10;
        if (op < 5) {
            uint32_t s = (uint32_t)(rand() % NS), c = (uint32_t)rand() % 1000 + 1;
            vc_set(&v[a], s, c);
            ref[a][s] = c;
        } else if (op < 8) {
            vc_join(&v[a], &v[b]);
            for (int i = 0; i < NS; i++)
                if (ref[b][i] > ref[a][i])
                    ref[a][i] = ref[b][i];
        } else if (op < 9 && a != b) {
            vc_copy(&v[a], &v[b]);
            memcpy(ref[a], ref[b], sizeof ref[a]);
        } else {
            bool leq = true;
            for (int i = 0; i < NS; i++)
                leq &= ref[a][i] <= ref[b][i];
            ck_assert_int_eq(vc_leq(&v[a], &v[b]), leq);
        }
        dense_of(&v[a], d);
        ck_assert_int_eq(memcmp(d, ref[a], sizeof d), 0);
    }
    for (int i = 0; i < 4; i++)
        vc_free(&v[i]);
}
END_TEST

/* A WaitGroup of many goroutines: small clocks merged into a big one stay cheap and
 * exact (appends at the end). */
START_TEST(test_join_small_into_large)
{
    vclock big = {0}, small = {0};
    for (uint32_t s = 0; s < 100000; s++) {
        vc_free(&small);
        vc_set(&small, 0, 5);
        vc_set(&small, s + 1, 2);
        vc_join(&big, &small);
    }
    ck_assert_uint_eq(big.n, 100001);
    ck_assert_uint_eq(vc_get(&big, 0), 5);
    ck_assert_uint_eq(vc_get(&big, 100000), 2);
    vc_free(&big);
    vc_free(&small);
}
END_TEST

/* Two threads finishing a WaitGroup's goroutines interleave their slots: the clock turns
 * dense instead of paying O(n) per out-of-order insert, and stays exact. */
START_TEST(test_out_of_order_turns_dense)
{
    vclock wg = {0}, one = {0}, copy = {0};
    enum { N = 20000 };
    for (uint32_t k = 0; k < N; k++) {
        uint32_t s = (k % 2) ? k / 2 : N - 1 - k / 2; /* from both ends */
        vc_free(&one);
        vc_set(&one, s, s + 1);
        vc_join(&wg, &one);
    }
    ck_assert_ptr_nonnull(wg.d);
    for (uint32_t s = 0; s < N; s++)
        ck_assert_uint_eq(vc_get(&wg, s), s + 1);
    vc_copy(&copy, &wg);
    ck_assert(vc_leq(&wg, &copy) && vc_leq(&copy, &wg));
    vc_set(&copy, 5, 1);
    ck_assert(!vc_leq(&wg, &copy));
    ck_assert(vc_leq(&copy, &wg));
    vc_free(&wg);
    vc_free(&one);
    vc_free(&copy);
}
END_TEST

/* A clock with slots [from, from + n) at clock c, plus slot 0 at c0. */
static void fill(vclock *v, uint32_t from, uint32_t n, uint32_t c, uint32_t c0)
{
    vc_set(v, 0, c0);
    for (uint32_t s = from; s < from + n; s++)
        vc_set(v, s, c);
}

/* A big clock copied is shared, not duplicated; afterwards either side's changes stay
 * invisible to the other (copy-on-write). */
START_TEST(test_copy_shares_then_diverges)
{
    vclock a = {0}, b = {0};
    fill(&a, 1, 100, 3, 7);
    vc_copy(&b, &a);
    ck_assert_ptr_nonnull(a.base);
    ck_assert_ptr_eq(a.base, b.base);
    ck_assert_uint_eq(a.base->refs, 2);
    ck_assert_uint_eq(a.n + b.n, 0); /* the entries moved into the shared base */
    vc_set(&a, 0, 8);                /* a ticks */
    vc_set(&a, 50, 9);
    vc_set(&b, 60, 4);
    ck_assert_uint_eq(vc_get(&a, 0), 8);
    ck_assert_uint_eq(vc_get(&b, 0), 7);
    ck_assert_uint_eq(vc_get(&b, 50), 3);
    ck_assert_uint_eq(vc_get(&a, 60), 3);
    ck_assert_uint_eq(vc_get(&b, 60), 4);
    ck_assert(vc_leq(&b, &b) && !vc_leq(&a, &b) && !vc_leq(&b, &a));
    vc_free(&a);
    ck_assert_uint_eq(b.base->refs, 1);
    ck_assert_uint_eq(vc_get(&b, 99), 3);
    vc_free(&b);
}
END_TEST

/* A channel close and the receivers it wakes: a small clock joining a big published one
 * adopts it by reference, keeps only the entries the base does not cover, and the
 * publisher's later ticks do not reach it. */
START_TEST(test_join_adopts_dominating_base)
{
    vclock main_ = {0}, ch = {0}, child = {0};
    fill(&main_, 1, 1000, 2, 5);
    vc_copy(&ch, &main_); /* close(ch) */
    vc_set(&main_, 0, 6);
    vc_set(&child, 0, 4);   /* knew main at 4 */
    vc_set(&child, 500, 7); /* its own slot, beyond what main saw */
    vc_join(&child, &ch);   /* receive sees the close */
    ck_assert_ptr_eq(child.base, ch.base);
    ck_assert_uint_eq(child.n, 1); /* slot 0 is covered by the base */
    ck_assert_uint_eq(vc_get(&child, 0), 5);
    ck_assert_uint_eq(vc_get(&child, 500), 7);
    ck_assert_uint_eq(vc_get(&child, 999), 2);
    ck_assert(vc_leq(&ch, &child));
    vc_set(&child, 500, 8);
    ck_assert_uint_eq(vc_get(&ch, 500), 2);
    ck_assert_uint_eq(vc_get(&main_, 500), 2);
    vc_free(&main_);
    vc_free(&ch);
    ck_assert_uint_eq(vc_get(&child, 1000), 2);
    vc_free(&child);
}
END_TEST

/* The same publisher's next big release makes a newer snapshot that dominates the
 * older: a holder of the older one switches to the newer by reference. */
START_TEST(test_newer_snapshot_replaces_older)
{
    vclock p = {0}, s1 = {0}, s2 = {0}, g = {0};
    fill(&p, 1, 100, 1, 1);
    vc_copy(&s1, &p);
    vc_copy(&g, &s1);
    vc_set(&g, 200, 3);
    fill(&p, 101, 100, 2, 2); /* p learns 100 more: its own part is big again */
    vc_copy(&s2, &p);
    ck_assert_ptr_ne(s1.base, s2.base);
    vc_join(&g, &s2);
    ck_assert_ptr_eq(g.base, s2.base);
    ck_assert_uint_eq(s1.base->refs, 1); /* only s1 still holds the old one */
    ck_assert_uint_eq(vc_get(&g, 50), 1);
    ck_assert_uint_eq(vc_get(&g, 150), 2);
    ck_assert_uint_eq(vc_get(&g, 200), 3);
    ck_assert_uint_eq(vc_get(&g, 0), 2);
    /* joining the older one back changes nothing */
    vclock before = {0};
    vc_join(&before, &g);
    vc_join(&g, &s1);
    ck_assert_ptr_eq(g.base, s2.base);
    ck_assert(vc_leq(&g, &before) && vc_leq(&before, &g));
    vc_free(&p);
    vc_free(&s1);
    vc_free(&s2);
    vc_free(&g);
    vc_free(&before);
}
END_TEST

/* Two snapshots neither of which dominates: the join is still the pointwise max. */
START_TEST(test_unrelated_bases)
{
    vclock a = {0}, b = {0}, sa = {0}, sb = {0};
    fill(&a, 1, 100, 4, 1);
    fill(&b, 50, 200, 6, 9);
    vc_copy(&sa, &a);
    vc_copy(&sb, &b);
    vc_join(&sa, &sb);
    for (uint32_t s = 0; s < 260; s++) {
        uint32_t x = vc_get(&a, s), y = vc_get(&b, s);
        ck_assert_uint_eq(vc_get(&sa, s), x > y ? x : y);
    }
    ck_assert(vc_leq(&a, &sa) && vc_leq(&b, &sa) && !vc_leq(&sa, &a));
    ck_assert_uint_eq(vc_get(&sb, 10), 0); /* sb did not change */
    vc_free(&a);
    vc_free(&b);
    vc_free(&sa);
    vc_free(&sb);
}
END_TEST

/* A base nobody else holds any more is updated in place, under a new identity. */
START_TEST(test_sole_owner_freezes_in_place)
{
    vclock a = {0}, b = {0}, c = {0};
    fill(&a, 1, 100, 1, 1);
    vc_copy(&b, &a);
    vc_snap *first = a.base;
    uint64_t id = first->id;
    vc_free(&b);
    fill(&a, 101, 100, 2, 2);
    vc_copy(&c, &a);
    ck_assert_ptr_eq(a.base, first);
    ck_assert_uint_ne(a.base->id, id);
    ck_assert_uint_eq(a.base->anc[0], id);
    ck_assert_uint_eq(vc_get(&c, 50), 1);
    ck_assert_uint_eq(vc_get(&c, 150), 2);
    vc_free(&a);
    vc_free(&c);
}
END_TEST

/* Setting a slot below what the base says gives the base up and stays exact. */
START_TEST(test_set_below_base)
{
    vclock a = {0}, b = {0};
    fill(&a, 1, 100, 5, 5);
    vc_copy(&b, &a);
    vc_set(&b, 10, 1);
    ck_assert_uint_eq(vc_get(&b, 10), 1);
    ck_assert_uint_eq(vc_get(&b, 11), 5);
    ck_assert_uint_eq(vc_get(&a, 10), 5);
    vc_free(&a);
    vc_free(&b);
}
END_TEST

/* Goroutine-like use: many clocks that tick their own slot, copy big clocks around and
 * join each other, against dense arrays. */
START_TEST(test_random_sharing_against_dense)
{
    enum { K = 8 };
    srand(7);
    vclock v[K] = {{0}};
    static uint32_t ref[K][NS], d[NS];
    memset(ref, 0, sizeof ref);
    for (int step = 0; step < 5000; step++) {
        int a = rand() % K, b = rand() % K, op = rand() % 8;
        if (op < 2) { /* tick: own slot a, then a few others */
            for (uint32_t s = (uint32_t)a; s < NS; s += K * (1 + (uint32_t)(rand() % 8))) {
                uint32_t c = ref[a][s] + 1;
                vc_set(&v[a], s, c);
                ref[a][s] = c;
            }
        } else if (op < 5) {
            vc_join(&v[a], &v[b]);
            for (int i = 0; i < NS; i++)
                if (ref[b][i] > ref[a][i])
                    ref[a][i] = ref[b][i];
        } else if (op < 7) {
            vc_copy(&v[a], &v[b]);
            memcpy(ref[a], ref[b], sizeof ref[a]);
        } else if (rand() % 8 == 0) {
            vc_free(&v[a]);
            memset(ref[a], 0, sizeof ref[a]);
        } else {
            bool leq = true;
            for (int i = 0; i < NS; i++)
                leq &= ref[a][i] <= ref[b][i];
            ck_assert_int_eq(vc_leq(&v[a], &v[b]), leq);
        }
        bool same = true;
        for (int k = 0; k < K; k++) {
            dense_of(&v[k], d);
            same &= memcmp(d, ref[k], sizeof d) == 0;
        }
        ck_assert_msg(same, "step %d: a clock differs from its reference", step);
    }
    for (int i = 0; i < K; i++)
        vc_free(&v[i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vclock");
    TCase *tc = tu_tcase(s, "vclock", 30);
    tcase_add_test(tc, test_get_set);
    tcase_add_test(tc, test_random_against_dense);
    tcase_add_test(tc, test_join_small_into_large);
    tcase_add_test(tc, test_out_of_order_turns_dense);
    tcase_add_test(tc, test_copy_shares_then_diverges);
    tcase_add_test(tc, test_join_adopts_dominating_base);
    tcase_add_test(tc, test_newer_snapshot_replaces_older);
    tcase_add_test(tc, test_unrelated_bases);
    tcase_add_test(tc, test_sole_owner_freezes_in_place);
    tcase_add_test(tc, test_set_below_base);
    tcase_add_test(tc, test_random_sharing_against_dense);
    return tu_run(s);
}
