/*
 * intercept_fmt.c - formatted output and input (the printf and scanf families, their v,
 * __isoc99_ and _FORTIFY_SOURCE forms) as ranged accesses; see intercept.c for how
 * wrappers tell the user's calls from the runtime's.
 *
 * A format is walked the way printf consumes its arguments (fmt_check), so a %s reads its
 * string (up to the precision) and a %n writes its integer: printing a buffer another
 * goroutine fills is a race, as fmt.Println of a slice is in Go.  scanf is walked the
 * same way once the call has returned, which tells how many conversions stored
 * something.  A walk stops, checking nothing further, at a positional argument ("%2$s",
 * which would need the whole format first) or a conversion it does not know; it never
 * guesses.
 *
 * Output to a stream or descriptor releases into the descriptor's sync object and input
 * acquires from it (intercept_fd.c).  The _FORTIFY_SOURCE forms still do their own
 * checks.  Not covered: the wide-character forms.
 */
#define _GNU_SOURCE
#include "intercept.h"

#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

/* ---- formatted output, plain and _FORTIFY_SOURCE forms ------------------------------------------ */

int __real_vprintf(const char *, va_list);
int __real_vfprintf(FILE *, const char *, va_list);
int __real_vdprintf(int, const char *, va_list);
int __real_vsprintf(char *, const char *, va_list);
int __real_vsnprintf(char *, size_t, const char *, va_list);
int __real_vasprintf(char **, const char *, va_list);
int __real___vprintf_chk(int, const char *, va_list);
int __real___vfprintf_chk(FILE *, int, const char *, va_list);
int __real___vdprintf_chk(int, int, const char *, va_list);
int __real___vsprintf_chk(char *, int, size_t, const char *, va_list);
int __real___vsnprintf_chk(char *, size_t, int, size_t, const char *, va_list);
int __real___vasprintf_chk(char **, int, const char *, va_list);

static race_gs *out_pre(int fd, const char *fmt, va_list ap, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        fmt_check(gs, fmt, ap, at);
        icpt_fd_release(gs, fd);
    }
    return gs;
}

/* A wrapper's work, as an expression of its result r: fmt's accesses checked and the
 * output descriptor fd released into, then `call` (which uses ap), then `post` with gs,
 * at and r in scope.  The variadic wrappers start their own list first: va_start must
 * run in the wrapper's frame (and ICPT_AT takes the wrapper's return address). */
#define OUT_DO(fn, fd, fmt, call, post)                                                           \
    ({                                                                                             \
        icpt_site at = ICPT_AT(fn);                                                                \
        race_gs *gs = out_pre(fd, fmt, ap, at);                                                    \
        int r = (call);                                                                            \
        if (gs) {                                                                                  \
            post;                                                                                  \
        }                                                                                          \
        r;                                                                                         \
    })
#define OUT_BODY(fn, fd, fmt, call, post) return OUT_DO(fn, fd, fmt, call, post)
#define OUT_VARIADIC_BODY(fn, fd, fmt, call, post)                                                \
    va_list ap;                                                                                    \
    va_start(ap, fmt);                                                                             \
    int result = OUT_DO(fn, fd, fmt, call, post);                                                  \
    va_end(ap);                                                                                    \
    return result
#define OUT_NOTHING (void)gs

int __wrap_vprintf(const char *fmt, va_list ap)
{
    OUT_BODY(__wrap_vprintf, icpt_fileno(stdout), fmt, __real_vprintf(fmt, ap), OUT_NOTHING);
}
int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap)
{
    OUT_BODY(__wrap_vfprintf, icpt_fileno(f), fmt, __real_vfprintf(f, fmt, ap), OUT_NOTHING);
}
int __wrap_vdprintf(int fd, const char *fmt, va_list ap)
{
    OUT_BODY(__wrap_vdprintf, fd, fmt, __real_vdprintf(fd, fmt, ap), OUT_NOTHING);
}
int __wrap_vsprintf(char *s, const char *fmt, va_list ap)
{
    OUT_BODY(__wrap_vsprintf, -1, fmt, __real_vsprintf(s, fmt, ap),
             fmt_wrote(gs, s, SIZE_MAX, r, at));
}
int __wrap_vsnprintf(char *s, size_t n, const char *fmt, va_list ap)
{
    OUT_BODY(__wrap_vsnprintf, -1, fmt, __real_vsnprintf(s, n, fmt, ap),
             fmt_wrote(gs, s, n, r, at));
}
int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
    OUT_BODY(__wrap_vasprintf, -1, fmt, __real_vasprintf(out, fmt, ap),
             icpt_write(gs, out, sizeof *out, at));
}

int __wrap_printf(const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap_printf, icpt_fileno(stdout), fmt, __real_vprintf(fmt, ap),
                      OUT_NOTHING);
}
int __wrap_fprintf(FILE *f, const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap_fprintf, icpt_fileno(f), fmt, __real_vfprintf(f, fmt, ap),
                      OUT_NOTHING);
}
int __wrap_dprintf(int fd, const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap_dprintf, fd, fmt, __real_vdprintf(fd, fmt, ap), OUT_NOTHING);
}
int __wrap_sprintf(char *s, const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap_sprintf, -1, fmt, __real_vsprintf(s, fmt, ap),
                      fmt_wrote(gs, s, SIZE_MAX, r, at));
}
int __wrap_snprintf(char *s, size_t n, const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap_snprintf, -1, fmt, __real_vsnprintf(s, n, fmt, ap),
                      fmt_wrote(gs, s, n, r, at));
}
int __wrap_asprintf(char **out, const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap_asprintf, -1, fmt, __real_vasprintf(out, fmt, ap),
                      icpt_write(gs, out, sizeof *out, at));
}

int __wrap___vprintf_chk(int flag, const char *fmt, va_list ap)
{
    OUT_BODY(__wrap___vprintf_chk, icpt_fileno(stdout), fmt, __real___vprintf_chk(flag, fmt, ap),
             OUT_NOTHING);
}
int __wrap___vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap)
{
    OUT_BODY(__wrap___vfprintf_chk, icpt_fileno(f), fmt, __real___vfprintf_chk(f, flag, fmt, ap),
             OUT_NOTHING);
}
int __wrap___vdprintf_chk(int fd, int flag, const char *fmt, va_list ap)
{
    OUT_BODY(__wrap___vdprintf_chk, fd, fmt, __real___vdprintf_chk(fd, flag, fmt, ap), OUT_NOTHING);
}
int __wrap___vsprintf_chk(char *s, int flag, size_t sn, const char *fmt, va_list ap)
{
    OUT_BODY(__wrap___vsprintf_chk, -1, fmt, __real___vsprintf_chk(s, flag, sn, fmt, ap),
             fmt_wrote(gs, s, SIZE_MAX, r, at));
}
int __wrap___vsnprintf_chk(char *s, size_t n, int flag, size_t sn, const char *fmt, va_list ap)
{
    OUT_BODY(__wrap___vsnprintf_chk, -1, fmt, __real___vsnprintf_chk(s, n, flag, sn, fmt, ap),
             fmt_wrote(gs, s, n, r, at));
}
int __wrap___vasprintf_chk(char **out, int flag, const char *fmt, va_list ap)
{
    OUT_BODY(__wrap___vasprintf_chk, -1, fmt, __real___vasprintf_chk(out, flag, fmt, ap),
             icpt_write(gs, out, sizeof *out, at));
}

int __wrap___printf_chk(int flag, const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap___printf_chk, icpt_fileno(stdout), fmt,
                      __real___vprintf_chk(flag, fmt, ap), OUT_NOTHING);
}
int __wrap___fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap___fprintf_chk, icpt_fileno(f), fmt,
                      __real___vfprintf_chk(f, flag, fmt, ap), 
                      OUT_NOTHING);
}
int __wrap___dprintf_chk(int fd, int flag, const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap___dprintf_chk, fd, fmt, __real___vdprintf_chk(fd, flag, fmt, ap),
                      OUT_NOTHING);
}
int __wrap___sprintf_chk(char *s, int flag, size_t sn, const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap___sprintf_chk, -1, fmt, __real___vsprintf_chk(s, flag, sn, fmt, ap),
                      fmt_wrote(gs, s, SIZE_MAX, r, at));
}
int __wrap___snprintf_chk(char *s, size_t n, int flag, size_t sn, const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap___snprintf_chk, -1, fmt,
                      __real___vsnprintf_chk(s, n, flag, sn, fmt, ap), fmt_wrote(gs, s, n, r, at));
}
int __wrap___asprintf_chk(char **out, int flag, const char *fmt, ...)
{
    OUT_VARIADIC_BODY(__wrap___asprintf_chk, -1, fmt, __real___vasprintf_chk(out, flag, fmt, ap),
                      icpt_write(gs, out, sizeof *out, at));
}

/* ---- formatted input: the scanf family -------------------------------------------------------- */

/* After a scanf that returned r: the objects its first r assigning conversions stored
 * (a %s or %[ as long as the string it left), and each %n reached, taken to be every
 * %n no later than the r-th conversion (one behind a literal that failed to match is
 * counted too: the walk cannot see the input). */
typedef struct scan_spec {
    bool skip, alloc; /* '*': no argument; 'm': the argument is a char ** */
    int width, lm;
    char conv;
} scan_spec;

/* One directive after its '%', a scanset included; NULL: positional or unknown. */
static const char *scan_parse(const char *p, scan_spec *sp)
{
    sp->skip = *p == '*';
    p += sp->skip;
    const char *q = fmt_number(p, &sp->width);
    if (*q == '$')
        return NULL;
    if (q == p)
        sp->width = -1;
    p = q;
    sp->alloc = *p == 'm';
    p += sp->alloc;
    p = fmt_length(p, &sp->lm);
    sp->conv = *p;
    if (*p == '[') {
        p += 1 + (p[1] == '^');
        p += *p == ']';
        while (*p && *p != ']')
            p++;
    }
    return *p && strchr("diouxXnaAeEfFgGpcs[", sp->conv) ? p : NULL;
}

/* The bytes conversion sp stored at dst. */
static size_t scan_stored(const scan_spec *sp, void *dst)
{
    if (sp->alloc && strchr("cs[", sp->conv))
        return sizeof(char *);
    switch (sp->conv) {
    case 'p': return sizeof(void *);
    case 'c': return sp->lm == LM_L ? 0 : (size_t)(sp->width > 0 ? sp->width : 1);
    case 's': case '[': return sp->lm == LM_L ? 0 : __real_strlen(dst) + 1;
    case 'a': case 'A': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
        return sp->lm == LM_L    ? sizeof(double)
               : sp->lm == LM_LD ? sizeof(long double)
                                 : sizeof(float);
    default: return fmt_n_size(sp->lm);
    }
}

static void scan_check(race_gs *gs, const char *fmt, va_list ap, int r, icpt_site at)
{
    if (r < 0)
        return;
    fmt_args fa;
    va_copy(fa.ap, ap);
    int done = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        scan_spec sp;
        if (!(p = scan_parse(p + 1, &sp)) || (sp.conv != 'n' && !sp.skip && done == r))
            break;
        if (sp.skip)
            continue;
        void *dst = va_arg(fa.ap, void *);
        done += sp.conv != 'n';
        icpt_write(gs, dst, scan_stored(&sp, dst), at);
    }
    va_end(fa.ap);
}

/* After a scanf from descriptor fd (-1: a string) that returned r. */
static void scan_done(race_gs *gs, int fd, const char *fmt, va_list ap, int r, icpt_site at)
{
    icpt_fd_acquire(gs, fd);
    scan_check(gs, fmt, ap, r, at);
}

int __real_vsscanf(const char *, const char *, va_list);
int __real_vfscanf(FILE *, const char *, va_list);
int __real___isoc99_vsscanf(const char *, const char *, va_list);
int __real___isoc99_vfscanf(FILE *, const char *, va_list);

/* A scanf wrapper's work, as an expression of its result: a wait for input on stream f
 * (NULL for sscanf) as icpt_io_wait does, the input string read (sscanf: glibc measures
 * all of it), then the call with ap, then the input descriptor fd acquired from and what
 * the call stored, walked on a copy of ap taken before. */
#define SCAN_DO(fn, f, fd, in, fmt, call)                                                         \
    ({                                                                                             \
        icpt_site at = ICPT_AT(fn);                                                                \
        if (f)                                                                                     \
            icpt_io_wait(fd, POLLIN, f, at.ra);                                                    \
        race_gs *gs = icpt_user(at.ra);                                                            \
        if (gs)                                                                                    \
            icpt_read_str(gs, in, at);                                                             \
        va_list before;                                                                            \
        va_copy(before, ap);                                                                       \
        int r = (call);                                                                            \
        if (gs)                                                                                    \
            scan_done(gs, fd, fmt, before, r, at);                                                 \
        va_end(before);                                                                            \
        r;                                                                                         \
    })
#define SCAN_BODY(fn, f, fd, in, fmt, call) return SCAN_DO(fn, f, fd, in, fmt, call)
#define SCAN_VARIADIC_BODY(fn, f, fd, in, fmt, call)                                              \
    va_list ap;                                                                                    \
    va_start(ap, fmt);                                                                             \
    int result = SCAN_DO(fn, f, fd, in, fmt, call);                                                \
    va_end(ap);                                                                                    \
    return result

/* glibc's headers name the C99 forms __isoc99_*; both names are wrapped. */
int __wrap_vsscanf(const char *s, const char *fmt, va_list ap)
{
    SCAN_BODY(__wrap_vsscanf, NULL, -1, s, fmt, __real_vsscanf(s, fmt, ap));
}
int __wrap___isoc99_vsscanf(const char *s, const char *fmt, va_list ap)
{
    SCAN_BODY(__wrap___isoc99_vsscanf, NULL, -1, s, fmt, __real___isoc99_vsscanf(s, fmt, ap));
}
int __wrap_vfscanf(FILE *f, const char *fmt, va_list ap)
{
    SCAN_BODY(__wrap_vfscanf, f, icpt_fileno(f), NULL, fmt, __real_vfscanf(f, fmt, ap));
}
int __wrap___isoc99_vfscanf(FILE *f, const char *fmt, va_list ap)
{
    SCAN_BODY(__wrap___isoc99_vfscanf, f, icpt_fileno(f), NULL, fmt,
              __real___isoc99_vfscanf(f, fmt, ap));
}
int __wrap_vscanf(const char *fmt, va_list ap)
{
    SCAN_BODY(__wrap_vscanf, stdin, icpt_fileno(stdin), NULL, fmt, __real_vfscanf(stdin, fmt, ap));
}
int __wrap___isoc99_vscanf(const char *fmt, va_list ap)
{
    SCAN_BODY(__wrap___isoc99_vscanf, stdin, icpt_fileno(stdin), NULL, fmt,
              __real___isoc99_vfscanf(stdin, fmt, ap));
}
int __wrap_sscanf(const char *s, const char *fmt, ...)
{
    SCAN_VARIADIC_BODY(__wrap_sscanf, NULL, -1, s, fmt, __real_vsscanf(s, fmt, ap));
}
int __wrap___isoc99_sscanf(const char *s, const char *fmt, ...)
{
    SCAN_VARIADIC_BODY(__wrap___isoc99_sscanf, NULL, -1, s, fmt,
                       __real___isoc99_vsscanf(s, fmt, ap));
}
int __wrap_fscanf(FILE *f, const char *fmt, ...)
{
    SCAN_VARIADIC_BODY(__wrap_fscanf, f, icpt_fileno(f), NULL, fmt, __real_vfscanf(f, fmt, ap));
}
int __wrap___isoc99_fscanf(FILE *f, const char *fmt, ...)
{
    SCAN_VARIADIC_BODY(__wrap___isoc99_fscanf, f, icpt_fileno(f), NULL, fmt,
                       __real___isoc99_vfscanf(f, fmt, ap));
}
int __wrap_scanf(const char *fmt, ...)
{
    SCAN_VARIADIC_BODY(__wrap_scanf, stdin, icpt_fileno(stdin), NULL, fmt,
                       __real_vfscanf(stdin, fmt, ap));
}
int __wrap___isoc99_scanf(const char *fmt, ...)
{
    SCAN_VARIADIC_BODY(__wrap___isoc99_scanf, stdin, icpt_fileno(stdin), NULL, fmt,
                       __real___isoc99_vfscanf(stdin, fmt, ap));
}
