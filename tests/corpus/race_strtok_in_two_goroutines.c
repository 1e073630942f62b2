/* strtok keeps its position in one hidden variable for the whole process: two
 * goroutines tokenising their own strings at once race on it (and in another schedule
 * get each other's tokens).  strtok_r with a position of one's own is the fix. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static waitgroup_t wg;
static int counts[2];

static void tokenise(void *arg)
{
    int id = (int)(long)arg;
    char line[32];
    strcpy(line, id ? "x y z" : "a b c d");
    for (char *t = strtok(line, " "); t; t = strtok(NULL, " "))
        counts[id]++;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(tokenise, (void *)0L);
    go(tokenise, (void *)1L);
    wg_wait(&wg);
    printf("tokens %d %d\n", counts[0], counts[1]);
    return 0;
}
