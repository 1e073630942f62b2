/* Asks for 100 GB at once, then touches memory 64 MB at a time up to 2 GB (bounded, so
 * a broken limit cannot take the machine down).  Exit 3 if it got everything: the
 * sandbox must kill it first. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    void *huge = malloc((size_t)100 << 30);
    if (huge) {
        printf("100 GB malloc succeeded\n");
        return 3;
    }
    size_t got = 0;
    while (got < ((size_t)2 << 30)) {
        char *p = malloc((size_t)64 << 20);
        if (!p)
            break;
        for (size_t k = 0; k < ((size_t)64 << 20); k += 4096)
            p[k] = 1; /* one write per page: resident without a 64 MB checked memset */
        got += (size_t)64 << 20;
    }
    printf("got %zu MB\n", got >> 20);
    return 3;
}
