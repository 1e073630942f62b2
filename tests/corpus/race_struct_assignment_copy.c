/* Bulk memory: a struct assignment copies 40 bytes (gcc instruments it as a ranged
 * read/write, clang turns it into a memcpy call); a goroutine updating one field of the
 * source while main copies the struct races with the copy's read. */
#include <goroutine.h>
#include <stdio.h>

struct settings {
    char name[24];
    long width, height;
};

static struct settings current = {"default", 640, 480};
static waitgroup_t wg;

static void resizer(void *arg)
{
    current.height = (long)(intptr_t)arg;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(resizer, (void *)(intptr_t)1080);
    struct settings snapshot;
    snapshot = current;
    wg_wait(&wg);
    printf("%s %ldx%ld\n", snapshot.name, snapshot.width, snapshot.height);
    return 0;
}
