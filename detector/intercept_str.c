/*
 * intercept_str.c - memory and string functions as ranged accesses (see intercept.c for
 * how wrappers tell the user's calls from the runtime's).
 *
 * Each wrapper checks the bytes its function is specified to touch, as far as the result
 * shows them: a search reads up to and including the byte where it stopped, a copy
 * writes what it copied, a comparison reads up to the first difference.  Reads of the
 * source are checked before the call (it may overwrite them, strtok does), writes after
 * it when only the result tells their extent.
 *
 * strtok keeps its position in one hidden pointer for the whole process, like glibc's:
 * here it is strtok_state, checked as a read and a write on every call, so two goroutines
 * tokenising at once are reported as a race on it instead of garbling each other's
 * tokens silently.
 */
#define _GNU_SOURCE
#include "intercept.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

void *__real_memcpy(void *, const void *, size_t);
void *__real_memmove(void *, const void *, size_t);
void *__real_memset(void *, int, size_t);
int __real_memcmp(const void *, const void *, size_t);
void *__real_memchr(const void *, int, size_t);
char *__real_strcpy(char *, const char *);
char *__real_strncpy(char *, const char *, size_t);
char *__real_strcat(char *, const char *);
char *__real_strncat(char *, const char *, size_t);
int __real_strcmp(const char *, const char *);
int __real_strncmp(const char *, const char *, size_t);
int __real_strcasecmp(const char *, const char *);
int __real_strncasecmp(const char *, const char *, size_t);
char *__real_strchr(const char *, int);
char *__real_strrchr(const char *, int);
char *__real_strdup(const char *);
char *__real_strndup(const char *, size_t);

int __wrap_memcmp(const void *a, const void *b, size_t n)
{
    icpt_site at = ICPT_AT(__wrap_memcmp);
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        icpt_read(gs, a, n, at);
        icpt_read(gs, b, n, at);
    }
    return __real_memcmp(a, b, n);
}

void *__wrap_memchr(const void *s, int c, size_t n)
{
    icpt_site at = ICPT_AT(__wrap_memchr);
    void *r = __real_memchr(s, c, n);
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_read(gs, s, r ? (size_t)((const char *)r - (const char *)s) + 1 : n, at);
    return r;
}

size_t __wrap_strlen(const char *s)
{
    icpt_site at = ICPT_AT(__wrap_strlen);
    size_t n = __real_strlen(s);
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_read(gs, s, n + 1, at);
    return n;
}

size_t __wrap_strnlen(const char *s, size_t max)
{
    icpt_site at = ICPT_AT(__wrap_strnlen);
    size_t n = __real_strnlen(s, max);
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_read(gs, s, n < max ? n + 1 : n, at);
    return n;
}

/* Comparisons read up to the first difference (or terminator) in both strings; fold:
 * as strcasecmp, which compares the letters in lower case. */
static size_t cmp_extent(const char *a, const char *b, size_t max, bool fold)
{
    size_t i = 0;
    while (i < max && a[i] &&
           (fold ? tolower((unsigned char)a[i]) == tolower((unsigned char)b[i]) : a[i] == b[i]))
        i++;
    return i < max ? i + 1 : max;
}

static void cmp_check(const char *a, const char *b, size_t max, bool fold, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        size_t n = cmp_extent(a, b, max, fold);
        icpt_read(gs, a, n, at);
        icpt_read(gs, b, n, at);
    }
}

int __wrap_strcmp(const char *a, const char *b)
{
    cmp_check(a, b, SIZE_MAX, false, ICPT_AT(__wrap_strcmp));
    return __real_strcmp(a, b);
}

int __wrap_strncmp(const char *a, const char *b, size_t max)
{
    cmp_check(a, b, max, false, ICPT_AT(__wrap_strncmp));
    return __real_strncmp(a, b, max);
}

int __wrap_strcasecmp(const char *a, const char *b)
{
    cmp_check(a, b, SIZE_MAX, true, ICPT_AT(__wrap_strcasecmp));
    return __real_strcasecmp(a, b);
}

int __wrap_strncasecmp(const char *a, const char *b, size_t max)
{
    cmp_check(a, b, max, true, ICPT_AT(__wrap_strncasecmp));
    return __real_strncasecmp(a, b, max);
}

char *__wrap_strchr(const char *s, int c)
{
    icpt_site at = ICPT_AT(__wrap_strchr);
    char *r = __real_strchr(s, c);
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_read(gs, s, r ? (size_t)(r - s) + 1 : __real_strlen(s) + 1, at);
    return r;
}

char *__wrap_strrchr(const char *s, int c)
{
    icpt_site at = ICPT_AT(__wrap_strrchr);
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_read(gs, s, __real_strlen(s) + 1, at);
    return __real_strrchr(s, c);
}

/* ---- copies: the plain functions and their _FORTIFY_SOURCE forms ----------------------------- */

/* With _FORTIFY_SOURCE, glibc's headers turn a call whose destination size is known into
 * its __*_chk form: the same access plus a size check, which the real _chk still does. */
void *__real___memcpy_chk(void *, const void *, size_t, size_t);
void *__real___memmove_chk(void *, const void *, size_t, size_t);
void *__real___mempcpy_chk(void *, const void *, size_t, size_t);
void *__real___memset_chk(void *, int, size_t, size_t);
char *__real___strcpy_chk(char *, const char *, size_t);
char *__real___stpcpy_chk(char *, const char *, size_t);
char *__real___strncpy_chk(char *, const char *, size_t, size_t);
char *__real___stpncpy_chk(char *, const char *, size_t, size_t);
char *__real___strcat_chk(char *, const char *, size_t);
char *__real___strncat_chk(char *, const char *, size_t, size_t);
void __real___explicit_bzero_chk(void *, size_t, size_t);
void *__real_mempcpy(void *, const void *, size_t);
char *__real_stpcpy(char *, const char *);
char *__real_stpncpy(char *, const char *, size_t);
void __real_bzero(void *, size_t);
void __real_explicit_bzero(void *, size_t);

static void copy_check(void *d, const void *s, size_t n, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        icpt_read(gs, s, n, at);
        icpt_write(gs, d, n, at);
    }
}

static void set_check(void *d, size_t n, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_write(gs, d, n, at);
}

static void strcpy_check(char *d, const char *s, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        size_t n = __real_strlen(s) + 1;
        icpt_read(gs, s, n, at);
        icpt_write(gs, d, n, at);
    }
}

/* strncpy and stpncpy pad the destination with NULs to n. */
static void strncpy_check(char *d, const char *s, size_t n, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        size_t len = __real_strnlen(s, n);
        icpt_read(gs, s, len < n ? len + 1 : n, at);
        icpt_write(gs, d, n, at);
    }
}

static void strcat_check(char *d, const char *s, size_t max, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        size_t dl = __real_strlen(d), sl = __real_strnlen(s, max);
        icpt_read(gs, d, dl + 1, at);
        icpt_read(gs, s, sl < max ? sl + 1 : sl, at);
        icpt_write(gs, d + dl, sl + 1, at);
    }
}

void *__wrap_memcpy(void *d, const void *s, size_t n)
{
    copy_check(d, s, n, ICPT_AT(__wrap_memcpy));
    return __real_memcpy(d, s, n);
}

void *__wrap_memmove(void *d, const void *s, size_t n)
{
    copy_check(d, s, n, ICPT_AT(__wrap_memmove));
    return __real_memmove(d, s, n);
}

void *__wrap_mempcpy(void *d, const void *s, size_t n)
{
    copy_check(d, s, n, ICPT_AT(__wrap_mempcpy));
    return __real_mempcpy(d, s, n);
}

void *__wrap_memset(void *d, int c, size_t n)
{
    set_check(d, n, ICPT_AT(__wrap_memset));
    return __real_memset(d, c, n);
}

void __wrap_bzero(void *d, size_t n)
{
    set_check(d, n, ICPT_AT(__wrap_bzero));
    __real_bzero(d, n);
}

void __wrap_explicit_bzero(void *d, size_t n)
{
    set_check(d, n, ICPT_AT(__wrap_explicit_bzero));
    __real_explicit_bzero(d, n);
}

char *__wrap_strcpy(char *d, const char *s)
{
    strcpy_check(d, s, ICPT_AT(__wrap_strcpy));
    return __real_strcpy(d, s);
}

char *__wrap_stpcpy(char *d, const char *s)
{
    strcpy_check(d, s, ICPT_AT(__wrap_stpcpy));
    return __real_stpcpy(d, s);
}

char *__wrap_strncpy(char *d, const char *s, size_t n)
{
    strncpy_check(d, s, n, ICPT_AT(__wrap_strncpy));
    return __real_strncpy(d, s, n);
}

char *__wrap_stpncpy(char *d, const char *s, size_t n)
{
    strncpy_check(d, s, n, ICPT_AT(__wrap_stpncpy));
    return __real_stpncpy(d, s, n);
}

char *__wrap_strcat(char *d, const char *s)
{
    strcat_check(d, s, SIZE_MAX, ICPT_AT(__wrap_strcat));
    return __real_strcat(d, s);
}

char *__wrap_strncat(char *d, const char *s, size_t n)
{
    strcat_check(d, s, n, ICPT_AT(__wrap_strncat));
    return __real_strncat(d, s, n);
}

void *__wrap___memcpy_chk(void *d, const void *s, size_t n, size_t dn)
{
    copy_check(d, s, n, ICPT_AT(__wrap___memcpy_chk));
    return __real___memcpy_chk(d, s, n, dn);
}

void *__wrap___memmove_chk(void *d, const void *s, size_t n, size_t dn)
{
    copy_check(d, s, n, ICPT_AT(__wrap___memmove_chk));
    return __real___memmove_chk(d, s, n, dn);
}

void *__wrap___mempcpy_chk(void *d, const void *s, size_t n, size_t dn)
{
    copy_check(d, s, n, ICPT_AT(__wrap___mempcpy_chk));
    return __real___mempcpy_chk(d, s, n, dn);
}

void *__wrap___memset_chk(void *d, int c, size_t n, size_t dn)
{
    set_check(d, n, ICPT_AT(__wrap___memset_chk));
    return __real___memset_chk(d, c, n, dn);
}

void __wrap___explicit_bzero_chk(void *d, size_t n, size_t dn)
{
    set_check(d, n, ICPT_AT(__wrap___explicit_bzero_chk));
    __real___explicit_bzero_chk(d, n, dn);
}

char *__wrap___strcpy_chk(char *d, const char *s, size_t dn)
{
    strcpy_check(d, s, ICPT_AT(__wrap___strcpy_chk));
    return __real___strcpy_chk(d, s, dn);
}

char *__wrap___stpcpy_chk(char *d, const char *s, size_t dn)
{
    strcpy_check(d, s, ICPT_AT(__wrap___stpcpy_chk));
    return __real___stpcpy_chk(d, s, dn);
}

char *__wrap___strncpy_chk(char *d, const char *s, size_t n, size_t dn)
{
    strncpy_check(d, s, n, ICPT_AT(__wrap___strncpy_chk));
    return __real___strncpy_chk(d, s, n, dn);
}

char *__wrap___stpncpy_chk(char *d, const char *s, size_t n, size_t dn)
{
    strncpy_check(d, s, n, ICPT_AT(__wrap___stpncpy_chk));
    return __real___stpncpy_chk(d, s, n, dn);
}

char *__wrap___strcat_chk(char *d, const char *s, size_t dn)
{
    strcat_check(d, s, SIZE_MAX, ICPT_AT(__wrap___strcat_chk));
    return __real___strcat_chk(d, s, dn);
}

char *__wrap___strncat_chk(char *d, const char *s, size_t n, size_t dn)
{
    strcat_check(d, s, n, ICPT_AT(__wrap___strncat_chk));
    return __real___strncat_chk(d, s, n, dn);
}

/* ---- more searches and comparisons ------------------------------------------------------- */

void *__real_memccpy(void *, const void *, int, size_t);
void *__real_memrchr(const void *, int, size_t);
char *__real_strstr(const char *, const char *);
size_t __real_strspn(const char *, const char *);
size_t __real_strcspn(const char *, const char *);
char *__real_strpbrk(const char *, const char *);
char *__real_strtok_r(char *, const char *, char **);

/* Copies up to and including the first c, or n bytes. */
void *__wrap_memccpy(void *d, const void *s, int c, size_t n)
{
    icpt_site at = ICPT_AT(__wrap_memccpy);
    race_gs *gs = icpt_user(at.ra);
    size_t k = n;
    if (gs) {
        const void *hit = __real_memchr(s, c, n);
        k = hit ? (size_t)((const char *)hit - (const char *)s) + 1 : n;
        icpt_read(gs, s, k, at);
    }
    void *r = __real_memccpy(d, s, c, n);
    if (gs)
        icpt_write(gs, d, k, at);
    return r;
}

/* Reads backwards from the end down to the byte it found. */
void *__wrap_memrchr(const void *s, int c, size_t n)
{
    icpt_site at = ICPT_AT(__wrap_memrchr);
    void *r = __real_memrchr(s, c, n);
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        const char *from = r ? r : s;
        icpt_read(gs, from, n - (size_t)(from - (const char *)s), at);
    }
    return r;
}

/* The haystack up to the end of the match, or all of it. */
char *__wrap_strstr(const char *h, const char *needle)
{
    icpt_site at = ICPT_AT(__wrap_strstr);
    char *r = __real_strstr(h, needle);
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        size_t nl = __real_strlen(needle);
        icpt_read(gs, needle, nl + 1, at);
        icpt_read(gs, h, r ? (size_t)(r - h) + nl : __real_strlen(h) + 1, at);
    }
    return r;
}

/* A span stops at the first byte outside (or inside) the set, which it has read. */
size_t __wrap_strspn(const char *s, const char *set)
{
    icpt_site at = ICPT_AT(__wrap_strspn);
    size_t n = __real_strspn(s, set);
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        icpt_read_str(gs, set, at);
        icpt_read(gs, s, n + 1, at);
    }
    return n;
}

size_t __wrap_strcspn(const char *s, const char *set)
{
    icpt_site at = ICPT_AT(__wrap_strcspn);
    size_t n = __real_strcspn(s, set);
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        icpt_read_str(gs, set, at);
        icpt_read(gs, s, n + 1, at);
    }
    return n;
}

char *__wrap_strpbrk(const char *s, const char *set)
{
    icpt_site at = ICPT_AT(__wrap_strpbrk);
    char *r = __real_strpbrk(s, set);
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        icpt_read_str(gs, set, at);
        icpt_read(gs, s, r ? (size_t)(r - s) + 1 : __real_strlen(s) + 1, at);
    }
    return r;
}

/* ---- tokenising ---------------------------------------------------------------------------------- */

/* strtok_r reads from where it resumes up to the end of the next token and writes the
 * NUL that ends it, unless the string ended there (glibc then leaves *save at that NUL). */
static char *tok_next(char *s, const char *delim, char **save, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        icpt_read(gs, save, sizeof *save, at);
        icpt_read_str(gs, delim, at);
    }
    char *from = s ? s : *save;
    char *t = __real_strtok_r(s, delim, save);
    if (!gs)
        return t;
    icpt_write(gs, save, sizeof *save, at);
    if (!from)
        return t;
    if (!t) {
        icpt_read(gs, from, (size_t)(*save - from) + 1, at);
        return t;
    }
    char *end = t + __real_strlen(t);
    if (*save == end) {
        icpt_read(gs, from, (size_t)(end - from) + 1, at);
    } else {
        icpt_read(gs, from, (size_t)(end - from), at);
        icpt_write(gs, end, 1, at);
    }
    return t;
}

/* strsep reads *sp's string up to and including the delimiter or NUL that ends the
 * token, and writes the delimiter it replaces with a NUL. */
char *__real_strsep(char **, const char *);
char *__wrap_strsep(char **sp, const char *delim)
{
    icpt_site at = ICPT_AT(__wrap_strsep);
    race_gs *gs = icpt_user(at.ra);
    if (!gs)
        return __real_strsep(sp, delim);
    icpt_read(gs, sp, sizeof *sp, at);
    icpt_read_str(gs, delim, at);
    char *s = *sp, *end = s ? s + __real_strcspn(s, delim) : NULL;
    if (s)
        icpt_read(gs, s, (size_t)(end - s) + 1, at);
    char *t = __real_strsep(sp, delim);
    icpt_write(gs, sp, sizeof *sp, at);
    if (*sp)
        icpt_write(gs, end, 1, at);
    return t;
}

char *__wrap_strtok_r(char *s, const char *delim, char **save)
{
    return tok_next(s, delim, save, ICPT_AT(__wrap_strtok_r));
}

static char *strtok_state;

char *__wrap_strtok(char *s, const char *delim)
{
    return tok_next(s, delim, &strtok_state, ICPT_AT(__wrap_strtok));
}
