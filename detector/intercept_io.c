/*
 * intercept_io.c - stdio and unistd buffers, formatted output, number parsing and qsort
 * as ranged accesses (see intercept.c for how wrappers tell the user's calls from the
 * runtime's).
 *
 * Formatted output walks its format the way printf consumes its arguments (fmt_check), so
 * a %s reads its string (up to the precision) and a %n writes its integer: printing a
 * buffer another goroutine fills is a race, as fmt.Println of a slice is in Go.  The walk
 * stops, checking nothing further, at a positional argument ("%2$s", which would need
 * the whole format first) or a conversion it does not know; it never guesses.
 *
 * Not covered: the scanf family, getline/getdelim (libc may move the buffer with its
 * own, unwrapped, realloc), wide-character functions, and the _FORTIFY_SOURCE *_chk
 * entry points.
 */
#define _GNU_SOURCE
#include "intercept.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

size_t __real_strnlen(const char *, size_t);

/* ---- the printf format walk ---------------------------------------------------------------------- */

/* A struct, so helpers can take the list by pointer on every ABI. */
typedef struct fmt_args {
    va_list ap;
} fmt_args;

enum { LM_NONE, LM_HH, LM_H, LM_L, LM_LL, LM_J, LM_Z, LM_T, LM_LD };

typedef struct fmt_spec {
    int prec; /* -1: none */
    int lm;
    char conv;
} fmt_spec;

static const char *fmt_number(const char *p, int *out)
{
    int v = 0;
    while (*p >= '0' && *p <= '9')
        v = v < 100000000 ? v * 10 + (*p++ - '0') : (p++, v);
    *out = v;
    return p;
}

static const char *fmt_length(const char *p, int *lm)
{
    switch (*p) {
    case 'h': *lm = p[1] == 'h' ? LM_HH : LM_H; return p + 1 + (p[1] == 'h');
    case 'l': *lm = p[1] == 'l' ? LM_LL : LM_L; return p + 1 + (p[1] == 'l');
    case 'q': *lm = LM_LL; return p + 1;
    case 'j': *lm = LM_J; return p + 1;
    case 'z': case 'Z': *lm = LM_Z; return p + 1;
    case 't': *lm = LM_T; return p + 1;
    case 'L': *lm = LM_LD; return p + 1;
    default: *lm = LM_NONE; return p;
    }
}

/* One conversion after its '%': flags, width, precision ('*' arguments consumed), length,
 * conversion.  NULL: positional, or the format ends inside it. */
static const char *fmt_parse(const char *p, fmt_args *fa, fmt_spec *sp)
{
    int n;
    const char *q = fmt_number(p, &n);
    if (*q == '$')
        return NULL;
    while (*p && strchr("-+ #0'I", *p))
        p++;
    if (*p == '*') {
        (void)va_arg(fa->ap, int);
        p++;
    } else {
        p = fmt_number(p, &n);
    }
    sp->prec = -1;
    if (*p == '.') {
        if (*++p == '*') {
            sp->prec = va_arg(fa->ap, int);
            p++;
        } else {
            p = fmt_number(p, &sp->prec);
        }
    }
    p = fmt_length(p, &sp->lm);
    sp->conv = *p;
    return *p ? p : NULL;
}

/* Consume the integer argument of lm. */
static void fmt_skip_int(fmt_args *fa, int lm)
{
    switch (lm) {
    case LM_L: (void)va_arg(fa->ap, long); break;
    case LM_LL: (void)va_arg(fa->ap, long long); break;
    case LM_J: (void)va_arg(fa->ap, intmax_t); break;
    case LM_Z: (void)va_arg(fa->ap, size_t); break;
    case LM_T: (void)va_arg(fa->ap, ptrdiff_t); break;
    default: (void)va_arg(fa->ap, int); break;
    }
}

static size_t fmt_n_size(int lm)
{
    switch (lm) {
    case LM_HH: return 1;
    case LM_H: return 2;
    case LM_NONE: return sizeof(int);
    default: return 8;
    }
}

/* Check one conversion's argument; false: a conversion this walk does not know. */
static bool fmt_arg(race_gs *gs, const fmt_spec *sp, fmt_args *fa, icpt_site at)
{
    switch (sp->conv) {
    case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': case 'c': case 'C':
        fmt_skip_int(fa, sp->conv == 'C' ? LM_NONE : sp->lm);
        return true;
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
        if (sp->lm == LM_LD)
            (void)va_arg(fa->ap, long double);
        else
            (void)va_arg(fa->ap, double);
        return true;
    case 'p': case 'S':
        (void)va_arg(fa->ap, void *);
        return true;
    case 'm':
        return true;
    case 'n':
        icpt_write(gs, va_arg(fa->ap, void *), fmt_n_size(sp->lm), at);
        return true;
    case 's': {
        const char *s = va_arg(fa->ap, const char *);
        if (!s || sp->lm == LM_L)
            return true; /* "(null)", or a wide string */
        if (sp->prec < 0) {
            icpt_read_str(gs, s, at);
        } else {
            size_t len = __real_strnlen(s, (size_t)sp->prec);
            icpt_read(gs, s, len < (size_t)sp->prec ? len + 1 : len, at);
        }
        return true;
    }
    default:
        return false;
    }
}

/* The reads and writes that formatting fmt with ap will do (ap is copied, not used). */
static void fmt_check(race_gs *gs, const char *fmt, va_list ap, icpt_site at)
{
    fmt_args fa;
    va_copy(fa.ap, ap);
    for (const char *p = fmt; p && *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        fmt_spec sp;
        p = fmt_parse(p + 1, &fa, &sp);
        if (!p || !fmt_arg(gs, &sp, &fa, at))
            break;
    }
    va_end(fa.ap);
}

/* What s[0..n) holds after a formatting call that returned r: the text and its NUL. */
static void fmt_wrote(race_gs *gs, char *s, size_t n, int r, icpt_site at)
{
    if (r >= 0 && n > 0)
        icpt_write(gs, s, ((size_t)r < n ? (size_t)r : n - 1) + 1, at);
}

/* ---- formatted output ------------------------------------------------------------------------------ */

int __real_vprintf(const char *, va_list);
int __real_vfprintf(FILE *, const char *, va_list);
int __real_vdprintf(int, const char *, va_list);
int __real_vsprintf(char *, const char *, va_list);
int __real_vsnprintf(char *, size_t, const char *, va_list);
int __real_vasprintf(char **, const char *, va_list);

static int out_vfprintf(FILE *f, const char *fmt, va_list ap, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        fmt_check(gs, fmt, ap, at);
    return __real_vfprintf(f, fmt, ap);
}

static int out_vdprintf(int fd, const char *fmt, va_list ap, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        fmt_check(gs, fmt, ap, at);
    return __real_vdprintf(fd, fmt, ap);
}

static int out_vsnprintf(char *s, size_t n, const char *fmt, va_list ap, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        fmt_check(gs, fmt, ap, at);
    int r = __real_vsnprintf(s, n, fmt, ap);
    if (gs)
        fmt_wrote(gs, s, n, r, at);
    return r;
}

static int out_vsprintf(char *s, const char *fmt, va_list ap, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        fmt_check(gs, fmt, ap, at);
    int r = __real_vsprintf(s, fmt, ap);
    if (gs)
        fmt_wrote(gs, s, SIZE_MAX, r, at);
    return r;
}

static int out_vasprintf(char **out, const char *fmt, va_list ap, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        fmt_check(gs, fmt, ap, at);
    int r = __real_vasprintf(out, fmt, ap);
    if (gs)
        icpt_write(gs, out, sizeof *out, at);
    return r;
}

int __wrap_vprintf(const char *fmt, va_list ap) { return out_vfprintf(stdout, fmt, ap, ICPT_AT(__wrap_vprintf)); }
int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap) { return out_vfprintf(f, fmt, ap, ICPT_AT(__wrap_vfprintf)); }
int __wrap_vdprintf(int fd, const char *fmt, va_list ap) { return out_vdprintf(fd, fmt, ap, ICPT_AT(__wrap_vdprintf)); }
int __wrap_vsprintf(char *s, const char *fmt, va_list ap) { return out_vsprintf(s, fmt, ap, ICPT_AT(__wrap_vsprintf)); }
int __wrap_vsnprintf(char *s, size_t n, const char *fmt, va_list ap)
{
    return out_vsnprintf(s, n, fmt, ap, ICPT_AT(__wrap_vsnprintf));
}
int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
    return out_vasprintf(out, fmt, ap, ICPT_AT(__wrap_vasprintf));
}

/* The variadic ones: the same with their own list.  A macro, since each needs va_start in
 * its own frame and the user's return address of its own. */
#define OUT_VARIADIC(call, last)                                                                  \
    ({                                                                                             \
        va_list ap_;                                                                               \
        va_start(ap_, last);                                                                       \
        int r_ = (call);                                                                           \
        va_end(ap_);                                                                               \
        r_;                                                                                        \
    })

int __wrap_printf(const char *fmt, ...)
{
    return OUT_VARIADIC(out_vfprintf(stdout, fmt, ap_, ICPT_AT(__wrap_printf)), fmt);
}
int __wrap_fprintf(FILE *f, const char *fmt, ...)
{
    return OUT_VARIADIC(out_vfprintf(f, fmt, ap_, ICPT_AT(__wrap_fprintf)), fmt);
}
int __wrap_dprintf(int fd, const char *fmt, ...)
{
    return OUT_VARIADIC(out_vdprintf(fd, fmt, ap_, ICPT_AT(__wrap_dprintf)), fmt);
}
int __wrap_sprintf(char *s, const char *fmt, ...)
{
    return OUT_VARIADIC(out_vsprintf(s, fmt, ap_, ICPT_AT(__wrap_sprintf)), fmt);
}
int __wrap_snprintf(char *s, size_t n, const char *fmt, ...)
{
    return OUT_VARIADIC(out_vsnprintf(s, n, fmt, ap_, ICPT_AT(__wrap_snprintf)), fmt);
}
int __wrap_asprintf(char **out, const char *fmt, ...)
{
    return OUT_VARIADIC(out_vasprintf(out, fmt, ap_, ICPT_AT(__wrap_asprintf)), fmt);
}

/* ---- stdio and unistd buffers ------------------------------------------------------------------------ */

int __real_puts(const char *);
int __real_fputs(const char *, FILE *);
size_t __real_fwrite(const void *, size_t, size_t, FILE *);
size_t __real_fread(void *, size_t, size_t, FILE *);
char *__real_fgets(char *, int, FILE *);
ssize_t __real_read(int, void *, size_t);
ssize_t __real_pread(int, void *, size_t, off_t);
ssize_t __real_write(int, const void *, size_t);
ssize_t __real_pwrite(int, const void *, size_t, off_t);

int __wrap_puts(const char *s)
{
    icpt_site at = ICPT_AT(__wrap_puts);
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_read_str(gs, s, at);
    return __real_puts(s);
}

int __wrap_fputs(const char *s, FILE *f)
{
    icpt_site at = ICPT_AT(__wrap_fputs);
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_read_str(gs, s, at);
    return __real_fputs(s, f);
}

size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    icpt_site at = ICPT_AT(__wrap_fwrite);
    race_gs *gs = icpt_user(at.ra);
    if (gs && (!size || n <= SIZE_MAX / size))
        icpt_read(gs, p, size * n, at);
    return __real_fwrite(p, size, n, f);
}

/* Reads write what they return; a short read leaves the rest of the buffer alone. */
size_t __wrap_fread(void *p, size_t size, size_t n, FILE *f)
{
    icpt_site at = ICPT_AT(__wrap_fread);
    size_t r = __real_fread(p, size, n, f);
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_write(gs, p, size * r, at);
    return r;
}

char *__wrap_fgets(char *s, int n, FILE *f)
{
    icpt_site at = ICPT_AT(__wrap_fgets);
    char *r = __real_fgets(s, n, f);
    race_gs *gs = icpt_user(at.ra);
    if (gs && r)
        icpt_write(gs, s, __real_strnlen(s, (size_t)n) + 1, at);
    return r;
}

ssize_t __wrap_read(int fd, void *p, size_t n)
{
    icpt_site at = ICPT_AT(__wrap_read);
    ssize_t r = __real_read(fd, p, n);
    race_gs *gs = r > 0 ? icpt_user(at.ra) : NULL;
    if (gs)
        icpt_write(gs, p, (size_t)r, at);
    return r;
}

ssize_t __wrap_pread(int fd, void *p, size_t n, off_t off)
{
    icpt_site at = ICPT_AT(__wrap_pread);
    ssize_t r = __real_pread(fd, p, n, off);
    race_gs *gs = r > 0 ? icpt_user(at.ra) : NULL;
    if (gs)
        icpt_write(gs, p, (size_t)r, at);
    return r;
}

ssize_t __wrap_write(int fd, const void *p, size_t n)
{
    icpt_site at = ICPT_AT(__wrap_write);
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_read(gs, p, n, at);
    return __real_write(fd, p, n);
}

ssize_t __wrap_pwrite(int fd, const void *p, size_t n, off_t off)
{
    icpt_site at = ICPT_AT(__wrap_pwrite);
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_read(gs, p, n, at);
    return __real_pwrite(fd, p, n, off);
}

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
        parse_check(s, stop, end, ICPT_AT(__wrap_##name));                                                      \
        if (end)                                                                                   \
            *end = stop;                                                                           \
        return v;                                                                                  \
    }
#define PARSE_FLOAT(T, name)                                                                      \
    T __wrap_##name(const char *s, char **end)                                                     \
    {                                                                                              \
        char *stop;                                                                                \
        T v = __real_##name(s, &stop);                                                             \
        parse_check(s, stop, end, ICPT_AT(__wrap_##name));                                                      \
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
