/* Formatted input: each worker parses its line with sscanf into a record of its own;
 * main reads the records after wg_wait. */
#include <goroutine.h>
#include <stdio.h>

typedef struct record {
    char name[16];
    int age;
} record;
static record recs[2];
static waitgroup_t wg;

static void parse(void *arg)
{
    int id = (int)(long)arg;
    if (sscanf(id ? "bob 42" : "alice 37", "%15s %d", recs[id].name, &recs[id].age) != 2)
        recs[id].age = -1;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(parse, (void *)0L);
    go(parse, (void *)1L);
    wg_wait(&wg);
    printf("%s %d, %s %d\n", recs[0].name, recs[0].age, recs[1].name, recs[1].age);
    return 0;
}
