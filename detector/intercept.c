/*
 * intercept.c - libc interception through the linker's --wrap (detector.cmake lists the
 * symbols; racedemo.pc exports the same flags): which calls are the user's, the heap, and
 * _exit.  The other wrappers: memory and strings in intercept_str.c, printf and scanf
 * in intercept_fmt.c, stdio and unistd buffers in intercept_io.c, parsing, qsort and time
 * in intercept_stdlib.c; descriptors as sync objects in intercept_fd.c.
 *
 * libc is not instrumented, so a wrapper checks the bytes its function reads and writes
 * as ranged accesses by the calling goroutine.  The allocator wrappers register heap
 * blocks (for "Location is heap block ... allocated by") and reset the shadow of freed
 * memory, so a reused block starts with no history and a stale race is impossible.
 * _exit's wrapper turns status 0 into 66 when races were reported.
 *
 * --wrap rewrites every reference in the link, the runtime's own included, and the
 * runtime's internal copies (a recycled goroutine struct, a channel's buffer) are not
 * user accesses.  So a wrapper checks who called it: return addresses inside the racedemo
 * runtime's compilation units (found from DWARF at start-up: every CU under the source
 * tree's runtime/ or detector/) pass straight through.  Frees are reset whoever calls
 * them.
 *
 * These objects are only linked when the wrap flags are given (nothing else references
 * them).
 */
#define _GNU_SOURCE
#include "intercept.h"
#include "../runtime/os.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef RACEDEMO_SOURCE_DIR
#define RACEDEMO_SOURCE_DIR "/nonexistent"
#endif

/* ---- which code is the runtime's ---------------------------------------------------------------- */

typedef struct pc_range {
    uintptr_t lo, hi;
} pc_range;
static pc_range *rt_ranges;
static size_t rt_nranges;
static pthread_once_t rt_ranges_once = PTHREAD_ONCE_INIT;
/* Set while the table is built: the loader's own libc calls come back through the
 * wrappers and must pass straight through. */
static __thread bool rt_ranges_loading __attribute__((tls_model("initial-exec")));

static int phdr_exe(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(uintptr_t *)data = info->dlpi_addr;
    return 1;
}

static bool path_is_runtime(const char *name, const char *comp_dir)
{
    char full[4096];
    if (!name)
        return false;
    if (name[0] != '/' && comp_dir) {
        size_t n = (size_t)snprintf(full, sizeof full, "%s/%s", comp_dir, name);
        if (n >= sizeof full)
            return false;
        name = full;
    }
    static const char *const dirs[] = {RACEDEMO_SOURCE_DIR "/runtime/", RACEDEMO_SOURCE_DIR "/detector/"};
    for (size_t i = 0; i < 2; i++)
        if (!strncmp(name, dirs[i], strlen(dirs[i])))
            return true;
    return false;
}

static void ranges_add(uintptr_t lo, uintptr_t hi)
{
    static size_t cap;
    if (rt_nranges == cap) {
        cap = cap ? cap * 2 : 64;
        rt_ranges = race_realloc(rt_ranges, cap * sizeof *rt_ranges);
    }
    rt_ranges[rt_nranges++] = (pc_range){lo, hi};
}

static int range_cmp(const void *a, const void *b)
{
    const pc_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void rt_ranges_load(void)
{
    rt_ranges_loading = true;
    uintptr_t bias = 0;
    dl_iterate_phdr(phdr_exe, &bias);
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rt_ranges_loading = false;
        return;
    }
    Dwarf *dbg = dwarf_begin(fd, DWARF_C_READ);
    if (dbg) {
        Dwarf_Off off = 0, next;
        size_t hsize;
        while (dwarf_nextcu(dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
            Dwarf_Die cu;
            if (dwarf_offdie(dbg, off + hsize, &cu)) {
                Dwarf_Attribute at;
                const char *dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &at));
                if (path_is_runtime(dwarf_diename(&cu), dir)) {
                    Dwarf_Addr base, start, end;
                    ptrdiff_t r = 0;
                    while ((r = dwarf_ranges(&cu, r, &base, &start, &end)) > 0)
                        ranges_add(start + bias, end + bias);
                }
            }
            off = next;
        }
        dwarf_end(dbg);
    }
    close(fd);
    qsort(rt_ranges, rt_nranges, sizeof *rt_ranges, range_cmp);
    rt_ranges_loading = false;
}

/* The runtime's own calls come from a handful of places again and again (the detector's
 * clock copies call memcpy on every atomic operation): the last range found is kept per
 * thread. */
static __thread pc_range rt_last __attribute__((tls_model("initial-exec")));

bool icpt_is_runtime(uintptr_t pc)
{
    if (pc >= rt_last.lo && pc < rt_last.hi)
        return true;
    if (rt_ranges_loading)
        return true;
    rt_os_pthread_once(&rt_ranges_once, rt_ranges_load);
    size_t lo = 0, hi = rt_nranges;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rt_ranges[mid].lo <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo || pc >= rt_ranges[lo - 1].hi)
        return false;
    rt_last = rt_ranges[lo - 1];
    return true;
}

/* race_init's call (weak there: this object is linked only with the wrap flags). */
void icpt_prepare(void)
{
    rt_os_pthread_once(&rt_ranges_once, rt_ranges_load);
}

/* ---- the heap -------------------------------------------------------------------------------------- */

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void __real_free(void *);
int __real_posix_memalign(void **, size_t, size_t);
void *__real_aligned_alloc(size_t, size_t);

void icpt_heap_note(void *p, size_t n, icpt_site at)
{
    if (!p)
        return;
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        race_heap_add((uintptr_t)p, n, gs, race_stack_id(gs, at.ra));
        shadow_advise_dense((uintptr_t)p, (uintptr_t)p + n);
    }
}

typedef struct forget_ctx {
    race_gs *gs;              /* the freeing goroutine, NULL for the runtime's frees */
    uintptr_t ra, asked_end;
} forget_ctx;

static void forget_span(uintptr_t a, uintptr_t b, void *arg)
{
    forget_ctx *f = arg;
    if (f->gs && a < f->asked_end)
        race_free_range(f->gs, a, (b < f->asked_end ? b : f->asked_end) - a, f->ra);
    shadow_reset(a, b);
    race_lock_forget(a, b);
}

/* Before the block of n usable bytes goes back to libc: a user's free is a write to all
 * of it (freeing memory another goroutine still uses is a race), then its history is
 * forgotten.  Only where the shadow holds something: memory nobody accessed cannot race,
 * and reading its shadow would allocate it (shadow_for_dirty). */
void icpt_heap_forget(void *p, size_t n, uintptr_t ra)
{
    if (!p || !race_enabled)
        return;
    race_gs *cur = race_cur();
    if (cur)
        race_flush(cur); /* a held-back read of p must not land after the reset */
    race_pend_wait((uintptr_t)p, (uintptr_t)p + n); /* nor one of another thread's */
    size_t asked = race_heap_del((uintptr_t)p);
    forget_ctx f = {icpt_user(ra), ra, (uintptr_t)p + (asked ? asked : n)};
    shadow_for_dirty((uintptr_t)p, (uintptr_t)p + n, forget_span, &f);
}

void *__wrap_malloc(size_t n)
{
    icpt_site at = ICPT_AT(__wrap_malloc);
    void *p = __real_malloc(n);
    icpt_heap_note(p, n, at);
    return p;
}

void *__wrap_calloc(size_t k, size_t n)
{
    icpt_site at = ICPT_AT(__wrap_calloc);
    void *p = __real_calloc(k, n);
    icpt_heap_note(p, k * n, at);
    return p;
}

void *__wrap_realloc(void *old, size_t n)
{
    icpt_site at = ICPT_AT(__wrap_realloc);
    if (!old) {
        void *p = __real_malloc(n);
        icpt_heap_note(p, n, at);
        return p;
    }
    race_gs *gs = icpt_user(at.ra), *cur = race_cur();
    if (cur)
        race_flush(cur);
    size_t oldn = malloc_usable_size(old);
    if (gs)
        icpt_read(gs, old, oldn < n ? oldn : n, at);
    /* the old block's history ends here whether or not realloc moves it */
    size_t asked = race_heap_del((uintptr_t)old);
    (void)asked;
    if (race_enabled) {
        race_pend_wait((uintptr_t)old, (uintptr_t)old + oldn);
        shadow_reset((uintptr_t)old, (uintptr_t)old + oldn);
        race_lock_forget((uintptr_t)old, (uintptr_t)old + oldn);
    }
    void *p = __real_realloc(old, n);
    if (p) {
        icpt_heap_note(p, n, at);
        if (gs)
            icpt_write(gs, p, oldn < n ? oldn : n, at);
    }
    return p;
}

void __wrap_free(void *p)
{
    icpt_site at = ICPT_AT(__wrap_free);
    if (p && race_enabled) /* plain builds link the wrappers too: no size lookup there */
        icpt_heap_forget(p, malloc_usable_size(p), at.ra);
    __real_free(p);
}

int __wrap_posix_memalign(void **out, size_t align, size_t n)
{
    icpt_site at = ICPT_AT(__wrap_posix_memalign);
    int r = __real_posix_memalign(out, align, n);
    if (!r)
        icpt_heap_note(*out, n, at);
    return r;
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
    icpt_site at = ICPT_AT(__wrap_aligned_alloc);
    void *p = __real_aligned_alloc(align, n);
    icpt_heap_note(p, n, at);
    return p;
}

char *__real_strdup(const char *);
char *__real_strndup(const char *, size_t);

char *__wrap_strdup(const char *s)
{
    icpt_site at = ICPT_AT(__wrap_strdup);
    race_gs *gs = icpt_user(at.ra);
    size_t n = __real_strlen(s) + 1;
    if (gs)
        icpt_read(gs, s, n, at);
    char *p = __real_strdup(s);
    icpt_heap_note(p, n, at);
    return p;
}

char *__wrap_strndup(const char *s, size_t max)
{
    icpt_site at = ICPT_AT(__wrap_strndup);
    race_gs *gs = icpt_user(at.ra);
    size_t n = __real_strnlen(s, max);
    if (gs)
        icpt_read(gs, s, n < max ? n + 1 : n, at);
    char *p = __real_strndup(s, max);
    icpt_heap_note(p, n + 1, at);
    return p;
}

/* ---- mappings ------------------------------------------------------------------------------------ */

int __real_munmap(void *, size_t);
void *__real_mmap(void *, size_t, int, int, int, off_t);

/* A user's munmap frees the pages as free does a block (checked as a write, then
 * forgotten), before the call: once they are unmapped, another goroutine's mmap may get
 * them back and start a history the reset must not erase.  Ranges the kernel refuses
 * (unaligned) are left alone. */
static void unmap_forget(void *p, size_t n, uintptr_t ra)
{
    if (race_enabled && n && !((uintptr_t)p & 4095) && icpt_user(ra))
        icpt_heap_forget(p, (n + 4095) & ~(size_t)4095, ra);
}

int __wrap_munmap(void *p, size_t n)
{
    unmap_forget(p, n, ICPT_CALLER());
    return __real_munmap(p, n);
}

/* MAP_FIXED replaces whatever was mapped there: an implicit munmap of the range. */
void *__wrap_mmap(void *want, size_t n, int prot, int flags, int fd, off_t off)
{
    if ((flags & MAP_FIXED) && !(flags & MAP_FIXED_NOREPLACE))
        unmap_forget(want, n, ICPT_CALLER());
    return __real_mmap(want, n, prot, flags, fd, off);
}

/* ---- exit ------------------------------------------------------------------------------------------- */

int race_exit_status(int status);
_Noreturn void __real__exit(int);

_Noreturn void __wrap__exit(int status)
{
    __real__exit(race_enabled ? race_exit_status(status) : status);
}
