/* Memory shape: two goroutines compute an index that collides and write the same array
 * element: race. */
#include <goroutine.h>
#include <stdio.h>

static int buckets[8];
static waitgroup_t wg;

static void insert(void *arg)
{
    int key = (int)(intptr_t)arg;
    buckets[key % 8]++;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(insert, (void *)3);
    go(insert, (void *)11); /* 11 % 8 == 3 */
    wg_wait(&wg);
    printf("bucket 3: %d\n", buckets[3]);
    return 0;
}
