/*
 * intercept_stdlib.c - number parsing, qsort and the time functions as ranged accesses
 * (see intercept.c for how wrappers tell the user's calls from the runtime's).
 *
 * A parse reads up to and including the byte that stopped it.  qsort moves elements
 * inside libc.  The time functions that return libc's static buffers write them, so two
 * goroutines calling localtime at once are a reported race, as strtok is
 * (intercept_str.c).  The environment is one more hidden variable (env_state): getenv
 * reads it, setenv, unsetenv, putenv and clearenv write it, since glibc's getenv walks
 * the environment while a setenv may move it (Go's os.Setenv takes a lock; C does not).
 * rand_r reads and writes its seed (threads sharing one seed are a classic race), and
 * clock_gettime and gettimeofday write what they return.
 */
#define _GNU_SOURCE
#include "intercept.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

/* ---- number parsing ------------------------------------------------------------------------------ */

long __real_strtol(const char *, char **, int);
unsigned long __real_strtoul(const char *, char **, int);
long long __real_strtoll(const char *, char **, int);
unsigned long long __real_strtoull(const char *, char **, int);
double __real_strtod(const char *, char **);
float __real_strtof(const char *, char **);
long double __real_strtold(const char *, char **);

/* A parse reads up to and including the byte that stopped it, and stores *end. */
static void parse_check(const char *s, const char *stop, char **end, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (!gs)
        return;
    icpt_read(gs, s, (size_t)(stop - s) + 1, at);
    if (end)
        icpt_write(gs, end, sizeof *end, at);
}

#define PARSE_INT(T, name)                                                                        \
    T __wrap_##name(const char *s, char **end, int base)                                           \
    {                                                                                              \
        char *stop;                                                                                \
        T v = __real_##name(s, &stop, base);                                                       \
        parse_check(s, stop, end, ICPT_AT(__wrap_##name));                                         \
        if (end)                                                                                   \
            *end = stop;                                                                           \
        return v;                                                                                  \
    }
#define PARSE_FLOAT(T, name)                                                                      \
    T __wrap_##name(const char *s, char **end)                                                     \
    {                                                                                              \
        char *stop;                                                                                \
        T v = __real_##name(s, &stop);                                                             \
        parse_check(s, stop, end, ICPT_AT(__wrap_##name));                                         \
        if (end)                                                                                   \
            *end = stop;                                                                           \
        return v;                                                                                  \
    }
PARSE_INT(long, strtol)
PARSE_INT(unsigned long, strtoul)
PARSE_INT(long long, strtoll)
PARSE_INT(unsigned long long, strtoull)
PARSE_FLOAT(double, strtod)
PARSE_FLOAT(float, strtof)
PARSE_FLOAT(long double, strtold)

int __wrap_atoi(const char *s)
{
    icpt_site at = ICPT_AT(__wrap_atoi);
    char *stop;
    long v = __real_strtol(s, &stop, 10);
    parse_check(s, stop, NULL, at);
    return (int)v;
}

long __wrap_atol(const char *s)
{
    icpt_site at = ICPT_AT(__wrap_atol);
    char *stop;
    long v = __real_strtol(s, &stop, 10);
    parse_check(s, stop, NULL, at);
    return v;
}

long long __wrap_atoll(const char *s)
{
    icpt_site at = ICPT_AT(__wrap_atoll);
    char *stop;
    long long v = __real_strtoll(s, &stop, 10);
    parse_check(s, stop, NULL, at);
    return v;
}

double __wrap_atof(const char *s)
{
    icpt_site at = ICPT_AT(__wrap_atof);
    char *stop;
    double v = __real_strtod(s, &stop);
    parse_check(s, stop, NULL, at);
    return v;
}

/* ---- time ---------------------------------------------------------------------------------------- */

/* localtime, gmtime, ctime and asctime return libc's static buffers (one struct tm for
 * localtime and gmtime, one string for ctime and asctime): each call is a write to the
 * buffer, so goroutines calling them at once, or one reading the result while another
 * calls again, are reported; the _r forms write the caller's buffer instead. */
struct tm *__real_localtime(const time_t *);
struct tm *__real_gmtime(const time_t *);
char *__real_ctime(const time_t *);
char *__real_asctime(const struct tm *);
struct tm *__real_localtime_r(const time_t *, struct tm *);
struct tm *__real_gmtime_r(const time_t *, struct tm *);
char *__real_ctime_r(const time_t *, char *);
char *__real_asctime_r(const struct tm *, char *);
time_t __real_time(time_t *);
time_t __real_mktime(struct tm *);
size_t __real_strftime(char *, size_t, const char *, const struct tm *);

static void time_check(const void *in, size_t inn, void *out, size_t outn, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (!gs)
        return;
    if (in)
        icpt_read(gs, in, inn, at);
    if (out)
        icpt_write(gs, out, outn, at);
}

struct tm *__wrap_localtime(const time_t *t)
{
    struct tm *r = __real_localtime(t);
    time_check(t, sizeof *t, r, sizeof *r, ICPT_AT(__wrap_localtime));
    return r;
}

struct tm *__wrap_gmtime(const time_t *t)
{
    struct tm *r = __real_gmtime(t);
    time_check(t, sizeof *t, r, sizeof *r, ICPT_AT(__wrap_gmtime));
    return r;
}

struct tm *__wrap_localtime_r(const time_t *t, struct tm *out)
{
    struct tm *r = __real_localtime_r(t, out);
    time_check(t, sizeof *t, r, sizeof *r, ICPT_AT(__wrap_localtime_r));
    return r;
}

struct tm *__wrap_gmtime_r(const time_t *t, struct tm *out)
{
    struct tm *r = __real_gmtime_r(t, out);
    time_check(t, sizeof *t, r, sizeof *r, ICPT_AT(__wrap_gmtime_r));
    return r;
}

char *__wrap_ctime(const time_t *t)
{
    char *r = __real_ctime(t);
    time_check(t, sizeof *t, r, r ? __real_strlen(r) + 1 : 0, ICPT_AT(__wrap_ctime));
    return r;
}

char *__wrap_ctime_r(const time_t *t, char *out)
{
    char *r = __real_ctime_r(t, out);
    time_check(t, sizeof *t, r, r ? __real_strlen(r) + 1 : 0, ICPT_AT(__wrap_ctime_r));
    return r;
}

char *__wrap_asctime(const struct tm *tm)
{
    char *r = __real_asctime(tm);
    time_check(tm, sizeof *tm, r, r ? __real_strlen(r) + 1 : 0, ICPT_AT(__wrap_asctime));
    return r;
}

char *__wrap_asctime_r(const struct tm *tm, char *out)
{
    char *r = __real_asctime_r(tm, out);
    time_check(tm, sizeof *tm, r, r ? __real_strlen(r) + 1 : 0, ICPT_AT(__wrap_asctime_r));
    return r;
}

time_t __wrap_time(time_t *t)
{
    time_t r = __real_time(t);
    time_check(NULL, 0, t, sizeof *t, ICPT_AT(__wrap_time));
    return r;
}

/* mktime normalises the fields it reads */
time_t __wrap_mktime(struct tm *tm)
{
    time_check(tm, sizeof *tm, tm, sizeof *tm, ICPT_AT(__wrap_mktime));
    return __real_mktime(tm);
}

size_t __wrap_strftime(char *s, size_t max, const char *fmt, const struct tm *tm)
{
    size_t r = __real_strftime(s, max, fmt, tm);
    time_check(tm, sizeof *tm, s, r ? r + 1 : 0, ICPT_AT(__wrap_strftime));
    return r;
}

/* ---- the environment ------------------------------------------------------------------------------- */

char *__real_getenv(const char *);
int __real_setenv(const char *, const char *, int);
int __real_unsetenv(const char *);
int __real_putenv(char *);
int __real_clearenv(void);

static char env_state;

static void env_check(const char *name, const char *value, bool write, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (!gs)
        return;
    icpt_read_str(gs, name, at);
    icpt_read_str(gs, value, at);
    if (write)
        icpt_write(gs, &env_state, 1, at);
    else
        icpt_read(gs, &env_state, 1, at);
}

char *__wrap_getenv(const char *name)
{
    env_check(name, NULL, false, ICPT_AT(__wrap_getenv));
    return __real_getenv(name);
}

int __wrap_setenv(const char *name, const char *value, int overwrite)
{
    env_check(name, value, true, ICPT_AT(__wrap_setenv));
    return __real_setenv(name, value, overwrite);
}

int __wrap_unsetenv(const char *name)
{
    env_check(name, NULL, true, ICPT_AT(__wrap_unsetenv));
    return __real_unsetenv(name);
}

/* putenv's string becomes part of the environment itself */
int __wrap_putenv(char *s)
{
    env_check(s, NULL, true, ICPT_AT(__wrap_putenv));
    return __real_putenv(s);
}

int __wrap_clearenv(void)
{
    env_check(NULL, NULL, true, ICPT_AT(__wrap_clearenv));
    return __real_clearenv();
}

/* ---- sorting --------------------------------------------------------------------------------------- */

void __real_qsort(void *, size_t, size_t, int (*)(const void *, const void *));

/* qsort reads and moves elements anywhere in the array; the comparator's own reads are
 * instrumented user code. */
void __wrap_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    icpt_site at = ICPT_AT(__wrap_qsort);
    race_gs *gs = icpt_user(at.ra);
    if (gs && n > 1 && size && n <= SIZE_MAX / size) {
        icpt_read(gs, base, n * size, at);
        icpt_write(gs, base, n * size, at);
    }
    __real_qsort(base, n, size, cmp);
}

/* ---- the seed of rand_r, the clocks ------------------------------------------------------------- */

int __real_rand_r(unsigned *);
int __real_clock_gettime(clockid_t, struct timespec *);
int __real_gettimeofday(struct timeval *, void *);

int __wrap_rand_r(unsigned *seed)
{
    time_check(seed, sizeof *seed, seed, sizeof *seed, ICPT_AT(__wrap_rand_r));
    return __real_rand_r(seed);
}

int __wrap_clock_gettime(clockid_t c, struct timespec *ts)
{
    int r = __real_clock_gettime(c, ts);
    if (r == 0)
        time_check(NULL, 0, ts, sizeof *ts, ICPT_AT(__wrap_clock_gettime));
    return r;
}

/* tz, obsolete, is filled as a struct timezone when given */
int __wrap_gettimeofday(struct timeval *tv, void *tz)
{
    icpt_site at = ICPT_AT(__wrap_gettimeofday);
    int r = __real_gettimeofday(tv, tz);
    if (r == 0) {
        time_check(NULL, 0, tv, sizeof *tv, at);
        time_check(NULL, 0, tz, sizeof(struct timezone), at);
    }
    return r;
}
