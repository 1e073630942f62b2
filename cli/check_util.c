/*
 * check_util.c - the small helpers every check module uses: a growable string,
 * allocators that end the process on out-of-memory (racedemo check is a short-lived
 * command; there is nothing sensible to do without memory), and the clock.
 */
#include "check_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double check_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static _Noreturn void check_oom(void)
{
    fputs("racedemo check: out of memory\n", stderr);
    exit(CHECK_EXIT_INTERNAL);
}

void *check_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        check_oom();
    return p;
}

void *check_realloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        check_oom();
    return p;
}

char *check_strdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        check_oom();
    return d;
}

void sb_add(strbuf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->s = check_realloc(b->s, cap);
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = 0;
}

void sb_puts(strbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

void sb_printf(strbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        sb_add(b, small, (size_t)n);
        return;
    }
    char *big = check_alloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, big, (size_t)n);
    free(big);
}

const char *sb_str(const strbuf *b) { return b->s ? b->s : ""; }

char *sb_take(strbuf *b)
{
    char *s = b->s ? b->s : check_strdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void sb_free(strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}
