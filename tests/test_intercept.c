/*
 * Intercept suite: every libc wrapper checks exactly the bytes its function touches, no
 * fewer (a race through it would be missed) and no more (a false race on a neighbour).
 *
 * Built instrumented, like a user program (tests/CMakeLists.txt).  One probe is one
 * forked child: the buffer is prepared, a goroutine makes the libc call, and main -- not
 * ordered with that goroutine -- writes one byte of the buffer back with the value it
 * already has, so the call behaves the same either way.  The child's exit status says
 * whether the detector saw a race (66).  Each range a call touches is probed at its first
 * and last byte (a race) and just outside both ends (none).
 *
 * The forking test process never runs a goroutine itself; each child sets procs from
 * TEST_PROCS, so procs = 2 is tested without forking a multi-threaded process.
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>

enum { BUF = 256, DST = 128 };

static char buf[BUF] __attribute__((aligned(16)));
static FILE *devnull, *memf;
static int pipefd[2], memfd, sv[2];
static char *endp;
static void *volatile sink; /* results of pure functions, so their calls stay */
static waitgroup_t wg;

typedef struct range {
    size_t lo, hi;
} range;

typedef struct icase {
    const char *name;
    const char *text;        /* buf's contents at 0 */
    const char *text2;       /* at DST (NULL: text again) */
    void (*call)(void);      /* the libc call, made by the goroutine */
    range r[3];              /* the bytes of buf it touches; hi = 0: unused */
    size_t quiet;            /* another byte it must not touch (0: none) */
} icase;

/* ---- the calls ---------------------------------------------------------------------------- */

static int by_value(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int user_vsprintf(char *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsprintf(d, fmt, ap);
    va_end(ap);
    return r;
}

static int user_vsnprintf(char *d, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(d, n, fmt, ap);
    va_end(ap);
    return r;
}

/* Ten, as the compiler cannot know: with _FORTIFY_SOURCE a constant size lets gcc expand
 * the copy inline (no call to check; racecc and CMake builds undefine _FORTIFY_SOURCE). */
static size_t ten(void) { return (size_t)buf[200] + 10; }

static void c_memmove(void) { memmove(buf + DST, buf, ten()); }
static void c_memset(void) { memset(buf + DST, 0, ten()); }
static void c_memcmp(void) { sink = (void *)(uintptr_t)memcmp(buf, buf + DST, 10); }
static void c_memchr(void) { sink = memchr(buf, 'c', 10); }
static void c_strlen(void) { sink = (void *)(uintptr_t)strlen(buf); }
static void c_strnlen(void) { sink = (void *)(uintptr_t)strnlen(buf, 3); }
static void c_strcpy(void) { strcpy(buf + DST, buf); }
static void c_strncpy(void) { strncpy(buf + DST, buf, 6); }
static void c_stpncpy(void) { sink = stpncpy(buf + DST, buf, 6); }
static void c_strcat(void) { strcat(buf + DST, buf); }
static void c_strncat(void) { strncat(buf + DST, buf, 2); }
static void c_strcmp(void) { sink = (void *)(uintptr_t)strcmp(buf, buf + DST); }
static void c_strncmp(void) { sink = (void *)(uintptr_t)strncmp(buf, buf + DST, 2); }
static void c_strncasecmp(void) { sink = (void *)(uintptr_t)strncasecmp(buf, buf + DST, 4); }
static void c_strchr(void) { sink = strchr(buf, 'c'); }
static void c_strrchr(void) { sink = strrchr(buf, 'c'); }
static void c_strdup(void) { sink = strdup(buf); }
static void c_strndup(void) { sink = strndup(buf, 2); }
static void c_bzero(void) { bzero(buf + DST, ten()); }
static void c_explicit_bzero(void) { explicit_bzero(buf + DST, ten()); }
static void c_memcpy(void) { memcpy(buf + DST, buf, ten()); }
static void c_mempcpy(void) { sink = mempcpy(buf + DST, buf, ten()); }
static void c_stpcpy(void) { stpcpy(buf + DST, buf); }
static void c_memccpy(void) { memccpy(buf + DST, buf, 'c', 20); }
static void c_memrchr(void) { sink = memrchr(buf, 'a', 10); }
static void c_strstr(void) { sink = strstr(buf, buf + DST); }
static void c_strspn(void) { sink = (void *)(uintptr_t)strspn(buf, "a"); }
static void c_strcspn(void) { sink = (void *)(uintptr_t)strcspn(buf, ","); }
static void c_strpbrk(void) { sink = strpbrk(buf, ","); }
static void c_strcasecmp(void) { sink = (void *)(uintptr_t)strcasecmp(buf, buf + DST); }
static void c_strtok_r(void)
{
    char *save;
    (void)!strtok_r(buf, ",", &save);
}
static void c_strtok_end(void) { (void)!strtok(buf, ","); }
static void c_snprintf(void) { (void)!snprintf(buf + DST, 8, "%s", buf); }
static void c_sprintf(void) { (void)!sprintf(buf + DST, "x%dy", 42); }
static void c_vsnprintf(void) { (void)!user_vsnprintf(buf + DST, 64, "%.3s!", buf); }
static void c_printf_prec(void) { (void)!fprintf(devnull, "%5.3s|%d\n", buf, 7); }
static void c_printf_n(void) { (void)!fprintf(devnull, "%*d%n", 3, 1, (int *)(buf + DST)); }
/* every length modifier and '*' before the %s: a walk that took one argument too few or
 * too many would check the wrong pointer (or crash) */
static void c_printf_all(void)
{
    (void)!fprintf(devnull, "%-*.*s|%hhd|%hd|%ld|%lld|%jd|%zu|%td|%Lf|%p|%5.2e|%c|%lc|%%|%s\n",
                   6, 2, "xyzzy", (char)1, (short)2, 3L, 4LL, (intmax_t)5, (size_t)6,
                   (ptrdiff_t)7, 8.5L, (void *)buf, 9.5, 'c', (wint_t)'w', buf);
}
static void c_vsprintf(void) { (void)!user_vsprintf(buf + DST, "<%s>", buf); }
static void c_dprintf(void) { (void)!dprintf(fileno(devnull), "%.4s", buf); }
static void c_asprintf(void) { (void)!asprintf((char **)(buf + DST), "%s", buf); }
static void c_puts(void) { (void)!puts(buf); }
static void c_pread(void) { (void)!pread(memfd, buf + DST, ten() + 54, 1); }
static void c_pwrite(void) { (void)!pwrite(memfd, buf, 6, 0); }
static void c_strtoull(void) { (void)!strtoull(buf, NULL, 16); }
static void c_strtof(void) { (void)!strtof(buf, NULL); }
static void c_printf_s(void) { (void)!printf("%s %c %ld %f\n", buf, 'x', 5L, 1.5); }
static void c_fputs(void) { (void)!fputs(buf, devnull); }
static void c_fwrite(void) { (void)!fwrite(buf, 1, 10, devnull); }
static void c_fread(void) { (void)!fread(buf + DST, 1, ten() + 40, memf); }
static void c_fgets(void) { (void)!fgets(buf + DST, (int)ten() + 54, memf); }
static void c_read(void) { (void)!read(pipefd[0], buf + DST, ten() + 54); }
static void c_write(void) { (void)!write(fileno(devnull), buf, 7); }
static void c_strtol(void) { (void)!strtol(buf, &endp, 10); }
static void c_atoi(void) { (void)!atoi(buf); }
static void c_strtod(void) { (void)!strtod(buf, NULL); }
static void c_sscanf(void) { (void)!sscanf(buf, "%d %s", (int *)(buf + DST), buf + DST + 8); }
static void c_sscanf_short(void)
{
    (void)!sscanf(buf, "%d %d", (int *)(buf + DST), (int *)(buf + DST + 8));
}
static void c_sscanf_n(void) { (void)!sscanf(buf, "%*s%n", (int *)(buf + DST)); }
static void c_sscanf_set(void) { (void)!sscanf(buf, "%[^,]", buf + DST); }
static void c_fscanf(void) { (void)!fscanf(memf, "%2c", buf + DST); }
static char *line = buf + DST;
static size_t cap = 64;
static void c_getline(void) { (void)!getline(&line, &cap, memf); }
static time_t t0 = 86400 * 365;
static struct tm tm0;
static void c_localtime_r(void) { (void)!localtime_r(&t0, (struct tm *)(buf + DST)); }
static void c_ctime_r(void) { (void)!ctime_r(&t0, buf + DST); }
static void c_asctime_r(void) { (void)!asctime_r((struct tm *)buf, buf + DST); }
static void c_strftime(void) { (void)!strftime(buf + DST, 64, "%Y", &tm0); }
static void c_mktime(void) { (void)!mktime((struct tm *)buf); }
static void c_gmtime_r(void) { (void)!gmtime_r(&t0, (struct tm *)(buf + DST)); }
static void c_time(void) { (void)!time((time_t *)(buf + DST)); }
static void c_recv(void) { (void)!recv(sv[0], buf + DST, ten() + 54, 0); }
static void c_recvfrom(void) { (void)!recvfrom(sv[0], buf + DST, ten() + 54, 0, NULL, NULL); }
static void c_send(void) { (void)!send(sv[0], buf, 6, 0); }
static void c_readv(void)
{
    struct iovec v[2] = {{buf + DST, 2}, {buf + DST + 8, 10}};
    (void)!readv(pipefd[0], v, 2); /* "xyz": 2 bytes, then 1 */
}
static void c_writev(void)
{
    struct iovec v[2] = {{buf, 3}, {buf + 8, 2}};
    (void)!writev(fileno(devnull), v, 2);
}
static void c_qsort(void) { qsort(buf + DST, 8, sizeof(int), by_value); }
static void c_rand_r(void) { sink = (void *)(uintptr_t)rand_r((unsigned *)(buf + DST)); }
static void c_clock_gettime(void) { (void)!clock_gettime(CLOCK_MONOTONIC, (struct timespec *)(buf + DST)); }
static void c_gettimeofday(void) { (void)!gettimeofday((struct timeval *)(buf + DST), NULL); }
static void c_strsep(void)
{
    char *s = buf;
    sink = strsep(&s, ",;"); /* "ab,cd": reads "ab,", writes the ',' */
}
static void c_strsep_last(void)
{
    char *s = buf;
    sink = strsep(&s, ","); /* "abcd": the whole string, its NUL, no write */
}
/* the message header, its iovec array and its buffers all in buf: each is probed */
static void c_sendmsg(void)
{
    struct msghdr *m = (struct msghdr *)(buf + DST);
    m->msg_iov = (struct iovec *)(buf + DST + 64);
    m->msg_iovlen = 2;
    m->msg_iov[0] = (struct iovec){buf, 3};
    m->msg_iov[1] = (struct iovec){buf + 8, 2};
    (void)!sendmsg(sv[0], m, 0);
}
static void c_recvmsg(void)
{
    struct iovec v[2] = {{buf + DST, 2}, {buf + DST + 8, 10}};
    struct msghdr m = {.msg_iov = v, .msg_iovlen = 2};
    (void)!recvmsg(sv[0], &m, 0); /* "hey": 2 bytes, then 1 */
}

static const icase cases[] = {
    {"memmove", "0123456789abcdef", NULL, c_memmove, {{0, 10}, {DST, DST + 10}}},
    {"memset", "", NULL, c_memset, {{DST, DST + 10}}},
    {"memcmp", "0123456789abcdef", NULL, c_memcmp, {{0, 10}, {DST, DST + 10}}},
    {"memchr", "abcdef", NULL, c_memchr, {{0, 3}}},
    {"strlen", "abcdef", NULL, c_strlen, {{0, 7}}},
    {"strnlen", "abcdef", NULL, c_strnlen, {{0, 3}}},
    {"strcpy", "abc", NULL, c_strcpy, {{0, 4}, {DST, DST + 4}}},
    {"strncpy", "abc", "", c_strncpy, {{0, 4}, {DST, DST + 6}}},   /* NUL-padded to 6 */
    {"stpncpy", "abc", "", c_stpncpy, {{0, 4}, {DST, DST + 6}}},
    {"strcat", "abc", "xy", c_strcat, {{0, 4}, {DST, DST + 6}}},    /* reads "xy", appends */
    {"strncat", "abc", "xy", c_strncat, {{0, 2}, {DST, DST + 5}}},
    {"strcmp", "abc", "abd", c_strcmp, {{0, 3}, {DST, DST + 3}}},
    {"strncmp", "abc", "abd", c_strncmp, {{0, 2}, {DST, DST + 2}}},
    {"strncasecmp", "ABc", "abd", c_strncasecmp, {{0, 3}, {DST, DST + 3}}},
    {"strchr", "abcdef", NULL, c_strchr, {{0, 3}}},
    {"strrchr", "abcdef", NULL, c_strrchr, {{0, 7}}},
    {"strdup", "abc", NULL, c_strdup, {{0, 4}}},
    {"strndup", "abc", NULL, c_strndup, {{0, 2}}},
    {"bzero", "", NULL, c_bzero, {{DST, DST + 10}}},
    {"explicit_bzero", "", NULL, c_explicit_bzero, {{DST, DST + 10}}},
    {"memcpy", "0123456789abcdef", NULL, c_memcpy, {{0, 10}, {DST, DST + 10}}},
    {"mempcpy", "0123456789abcdef", NULL, c_mempcpy, {{0, 10}, {DST, DST + 10}}},
    {"stpcpy", "abc", NULL, c_stpcpy, {{0, 4}, {DST, DST + 4}}},
    {"memccpy", "abcdef", NULL, c_memccpy, {{0, 3}, {DST, DST + 3}}},
    {"memrchr", "abcabcxyz", NULL, c_memrchr, {{3, 10}}},
    {"strstr", "hello world", "wor", c_strstr, {{0, 9}, {DST, DST + 4}}},
    {"strspn", "aaab", NULL, c_strspn, {{0, 4}}},
    {"strcspn", "abc,d", NULL, c_strcspn, {{0, 4}}},
    {"strpbrk", "abc,d", NULL, c_strpbrk, {{0, 4}}},
    /* equal but for case up to the NUL at 5, which differs from '!' */
    {"strcasecmp", "HeLLo", "hellO!", c_strcasecmp, {{0, 6}, {DST, DST + 6}}},
    {"strtok_r", "ab,cd", NULL, c_strtok_r, {{0, 3}}},          /* reads "ab", writes the ',' */
    {"strtok at the end", "abcd", NULL, c_strtok_end, {{0, 5}}},
    {"snprintf", "abcdefghijk", NULL, c_snprintf, {{0, 12}, {DST, DST + 8}}},
    {"sprintf", "", NULL, c_sprintf, {{DST, DST + 5}}},
    {"vsnprintf", "abcdef", NULL, c_vsnprintf, {{0, 3}, {DST, DST + 5}}},
    {"printf %.3s", "abcdef", NULL, c_printf_prec, {{0, 3}}},
    {"printf %n", "", NULL, c_printf_n, {{DST, DST + sizeof(int)}}},
    {"printf %s", "abcdef", NULL, c_printf_s, {{0, 7}}},
    {"printf after every length", "abcdef", NULL, c_printf_all, {{0, 7}}},
    {"fputs", "abcdef", NULL, c_fputs, {{0, 7}}},
    {"puts", "abcdef", NULL, c_puts, {{0, 7}}},
    {"vsprintf", "abc", NULL, c_vsprintf, {{0, 4}, {DST, DST + 6}}},   /* "<abc>" */
    {"dprintf %.4s", "abcdef", NULL, c_dprintf, {{0, 4}}},
    {"asprintf", "abc", "", c_asprintf, {{0, 4}, {DST, DST + sizeof(char *)}}},
    {"pread", "", NULL, c_pread, {{DST, DST + 4}}},      /* the memfd holds "hello" */
    {"pwrite", "abcdef", NULL, c_pwrite, {{0, 6}}},
    {"strtoull", "ff z", NULL, c_strtoull, {{0, 3}}},
    {"strtof", "2.5e1x", NULL, c_strtof, {{0, 6}}},
    {"fwrite", "0123456789abcdef", NULL, c_fwrite, {{0, 10}}},
    {"fread", "", NULL, c_fread, {{DST, DST + 5}}},
    {"fgets", "", NULL, c_fgets, {{DST, DST + 4}}},
    {"read", "", NULL, c_read, {{DST, DST + 3}}},
    {"write", "0123456789", NULL, c_write, {{0, 7}}},
    {"strtol", "  123x", NULL, c_strtol, {{0, 6}}},
    {"atoi", "42z", NULL, c_atoi, {{0, 3}}},
    {"strtod", "1.5e3 x", NULL, c_strtod, {{0, 6}}},
    {"sscanf", "12 ab", NULL, c_sscanf, {{0, 6}, {DST, DST + 4}, {DST + 8, DST + 11}}},
    /* the second %d fails: its int is not stored */
    {"sscanf short", "12 x", "", c_sscanf_short, {{0, 5}, {DST, DST + 4}}, DST + 8},
    {"sscanf %*s%n", "abc def", "", c_sscanf_n, {{0, 8}, {DST, DST + sizeof(int)}}},
    {"sscanf %[", "abc,def", "", c_sscanf_set, {{0, 8}, {DST, DST + 4}}},
    {"fscanf %2c", "", NULL, c_fscanf, {{DST, DST + 2}}},
    {"getline", "", NULL, c_getline, {{DST, DST + 4}}},   /* "ab\n" fits: not moved */
    {"localtime_r", "", NULL, c_localtime_r, {{DST, DST + sizeof(struct tm)}}},
    {"ctime_r", "", NULL, c_ctime_r, {{DST, DST + 26}}},          /* "Fri Jan  1 ...\n" */
    {"asctime_r", "", NULL, c_asctime_r, {{0, sizeof(struct tm)}, {DST, DST + 26}}},
    {"strftime", "", NULL, c_strftime, {{DST, DST + 5}}},          /* "1971" */
    {"mktime", "", NULL, c_mktime, {{0, sizeof(struct tm)}}},
    {"gmtime_r", "", NULL, c_gmtime_r, {{DST, DST + sizeof(struct tm)}}},
    {"time", "", NULL, c_time, {{DST, DST + sizeof(time_t)}}},
    {"recv", "", NULL, c_recv, {{DST, DST + 3}}},        /* the socketpair holds "hey" */
    {"recvfrom", "", NULL, c_recvfrom, {{DST, DST + 3}}},
    {"send", "abcdef", NULL, c_send, {{0, 6}}},
    {"readv", "", NULL, c_readv, {{DST, DST + 2}, {DST + 8, DST + 9}}},
    {"writev", "0123456789", NULL, c_writev, {{0, 3}, {8, 10}}},
    {"qsort", "", NULL, c_qsort, {{DST, DST + 8 * sizeof(int)}}},
    {"rand_r", "", NULL, c_rand_r, {{DST, DST + sizeof(unsigned)}}},
    {"clock_gettime", "", NULL, c_clock_gettime, {{DST, DST + sizeof(struct timespec)}}},
    {"gettimeofday", "", NULL, c_gettimeofday, {{DST, DST + sizeof(struct timeval)}}},
    {"strsep", "ab,cd", NULL, c_strsep, {{0, 3}}},
    {"strsep, last token", "abcd", NULL, c_strsep_last, {{0, 5}}},
    {"sendmsg", "0123456789", NULL, c_sendmsg,
     {{0, 3}, {8, 10}, {DST, DST + sizeof(struct msghdr)}}, DST + 64 + 2 * sizeof(struct iovec)},
    {"recvmsg", "", NULL, c_recvmsg, {{DST, DST + 2}, {DST + 8, DST + 9}}},
};


/* ---- one probe ------------------------------------------------------------------------------ */

typedef struct probe {
    const icase *c;
    size_t off;
} probe;

static void call_then_done(void *arg)
{
    ((const icase *)arg)->call();
    wg_done(&wg);
}

static void prepare(const icase *c)
{
    memset(buf, 0, sizeof buf);
    strcpy(buf, c->text);
    strcpy(buf + DST, c->text2 ? c->text2 : c->text);
    gmtime_r(&t0, &tm0);
    if (!strcmp(c->name, "asctime_r") || !strcmp(c->name, "mktime"))
        tm0 = *(struct tm *)memcpy(buf, &tm0, sizeof tm0);
    if (!strcmp(c->name, "qsort"))
        for (int i = 0; i < 8; i++)
            ((int *)(buf + DST))[i] = 8 - i;
    devnull = fopen("/dev/null", "w");
    static char input[] = "ab\ncd";
    memf = fmemopen(input, 5, "r");
    memfd = memfd_create("intercept", 0);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || write(sv[1], "hey", 3) != 3)
        abort();
    if (pipe(pipefd) != 0 || write(pipefd[1], "xyz", 3) != 3 || write(memfd, "hello", 5) != 5)
        abort();
}

static void probe_child(void *arg)
{
    const probe *p = arg;
    const char *procs = getenv("TEST_PROCS");
    if (procs && atoi(procs) > 1)
        go_maxprocs(atoi(procs));
    prepare(p->c);
    wg_add(&wg, 1);
    go(call_then_done, (void *)p->c);
    volatile char *b = &buf[p->off];
    *b = *b;
    wg_wait(&wg);
    fflush(stdout);
    _exit(0); /* 66 if the detector reported a race */
}

static bool raced(const icase *c, size_t off, char *out, size_t cap)
{
    probe p = {c, off};
    int st = tu_fork_capture(probe_child, &p, out, cap);
    ck_assert_msg(WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 66),
                  "%s, probe at %zu: the child failed (status 0x%x):\n%s", c->name, off, st, out);
    return WEXITSTATUS(st) == 66;
}

static bool inside(const icase *c, size_t off)
{
    for (int i = 0; i < 3; i++)
        if (c->r[i].hi && off >= c->r[i].lo && off < c->r[i].hi)
            return true;
    return false;
}

static void check_case(const icase *c)
{
    static char out[16384];
    if (c->quiet)
        ck_assert_msg(!raced(c, c->quiet, out, sizeof out),
                      "%s: byte %zu is not touched, but the detector reported it:\n%s", c->name,
                      c->quiet, out);
    for (int i = 0; i < 3 && c->r[i].hi; i++) {
        range r = c->r[i];
        size_t probes[4] = {r.lo - 1, r.lo, r.hi - 1, r.hi};
        for (int k = 0; k < 4; k++) {
            size_t off = probes[k];
            if ((k == 0 && r.lo == 0) || off >= BUF)
                continue;
            bool want = inside(c, off), got = raced(c, off, out, sizeof out);
            ck_assert_msg(got == want, "%s: byte %zu %s, but the detector %s:\n%s", c->name, off,
                          want ? "is touched" : "is not touched",
                          got ? "reported a race on it" : "did not report it", out);
        }
    }
}

START_TEST(test_each_wrapper_checks_exactly_its_bytes)
{
    check_case(&cases[_i]);
}
END_TEST

/* Line k of text (0-based) into buf; false past the end. */
static bool nth_line(const char *text, int k, char *buf, size_t cap)
{
    for (; k > 0 && text; k--)
        text = (text = strchr(text, '\n')) ? text + 1 : NULL;
    if (!text || !*text)
        return false;
    size_t n = strcspn(text, "\n");
    snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), text);
    return true;
}

/* The report names the libc function above the user's frame that called it, in the
 * read's stack ("Read at" or "Previous read at": at procs = 2 either access may come
 * first).  With _FORTIFY_SOURCE, glibc's inline snprintf (bits/stdio2.h) comes between. */
START_TEST(test_report_shows_the_libc_function_then_its_caller)
{
    static char out[16384];
    const icase *c = cases;
    while (strcmp(c->name, "snprintf"))
        c++;
    ck_assert(raced(c, 0, out, sizeof out));
    char l[256], prev[256] = "";
    int k = 0;
    while (nth_line(out, k, l, sizeof l) && strcmp(l, "  snprintf()")) {
        strcpy(prev, l);
        k++;
    }
    ck_assert_msg(!strcmp(l, "  snprintf()") && strstr(prev, "ead at ") &&
                      nth_line(out, k + 1, l, sizeof l) && strstr(l, "detector/intercept_fmt.c:"),
                  "the read's top frame is not the detector's snprintf():\n%s", out);
    k += 2;
    while (nth_line(out, k, l, sizeof l) && !strcmp(l, "  snprintf()") &&
           nth_line(out, k + 1, prev, sizeof prev) && strstr(prev, "/usr/include/"))
        k += 2;
    ck_assert_msg(nth_line(out, k, l, sizeof l) && !strcmp(l, "  c_snprintf()"),
                  "snprintf() is not followed by its caller:\n%s", out);
    ck_assert_msg(nth_line(out, k + 1, l, sizeof l) && strstr(l, "test_intercept.c:"),
                  "the caller's line is not in this file:\n%s", out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("intercept");
    TCase *tc = tcase_create("extents");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_each_wrapper_checks_exactly_its_bytes, 0,
                        (int)(sizeof cases / sizeof *cases));
    tcase_add_test(tc, test_report_shows_the_libc_function_then_its_caller);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
