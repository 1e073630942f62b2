/* Formatted input: two workers parse their lines with sscanf into one shared record (a
 * global where each should have used a local): libc's stores into it race. */
#include <goroutine.h>
#include <stdio.h>

static struct {
    char name[16];
    int age;
} rec;
static int ages[2];
static waitgroup_t wg;

static void parse(void *arg)
{
    int id = (int)(long)arg;
    if (sscanf(id ? "bob 42" : "alice 37", "%15s %d", rec.name, &rec.age) == 2)
        ages[id] = 1;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(parse, (void *)0L);
    go(parse, (void *)1L);
    wg_wait(&wg);
    printf("parsed %d %d\n", ages[0], ages[1]);
    return 0;
}
