/* getline reuses its buffer: a reader sends each line's pointer to a consumer and reads
 * the next line into the same buffer while the consumer still prints the last one.  The
 * send orders the line before the print, but nothing orders the print before the next
 * getline's stores. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char input[] = "first\nsecond\nthird\n";
static chan_t *lines;
static waitgroup_t wg;

static void consumer(void *arg)
{
    (void)arg;
    char *l;
    while (chan_recv(lines, &l))
        printf("got %s", l);
    wg_done(&wg);
}

int main(void)
{
    lines = chan_make(sizeof(char *), 4);
    wg_add(&wg, 1);
    go(consumer, NULL);
    FILE *f = fmemopen(input, strlen(input), "r");
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0)
        chan_send(lines, &line);
    chan_close(lines);
    wg_wait(&wg);
    fclose(f);
    free(line);
    chan_free(lines);
    return 0;
}
