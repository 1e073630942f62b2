/* Vector clock suite: the sparse clocks against a dense reference. */
#define TU_IMPLEMENTATION
#include "testutil.h"

#include "../detector/vclock.h"

#define NS 300

static void dense_of(const vclock *v, uint32_t *d)
{
    memset(d, 0, NS * sizeof *d);
    if (v->d) {
        for (uint32_t s = 0; s < v->dn; s++) {
            if (s >= NS)
                ck_assert_uint_eq(v->d[s], 0);
            else
                d[s] = v->d[s];
        }
        return;
    }
    for (uint32_t i = 0; i < v->n; i++) {
        ck_assert_uint_lt(v->e[i].slot, NS);
        if (i)
            ck_assert_uint_gt(v->e[i].slot, v->e[i - 1].slot); /* sorted, no duplicates */
        d[v->e[i].slot] = v->e[i].clk;
    }
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

int main(void)
{
    Suite *s = suite_create("vclock");
    TCase *tc = tu_tcase(s, "vclock", 30);
    tcase_add_test(tc, test_get_set);
    tcase_add_test(tc, test_random_against_dense);
    tcase_add_test(tc, test_join_small_into_large);
    tcase_add_test(tc, test_out_of_order_turns_dense);
    return tu_run(s);
}
