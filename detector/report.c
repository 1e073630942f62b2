/*
 * report.c - race reports in `go run -race`'s format, options (RACEDEMO_OPTIONS), the
 * exit status, and where racy memory lives (globals from the ELF symbol table, heap
 * blocks from the allocation registry, goroutine stacks).
 *
 * Options, space or comma separated key=value:
 *   exitcode=N        status when races were reported and the program exited with 0 (66)
 *   halt_on_error=1   exit (status exitcode) right after the first report
 *   log_path=PATH     write reports to PATH.PID instead of stderr (ThreadSanitizer's
 *                     convention; "stderr"/"stdout" name those streams)
 *   report_limit=N    stop printing after N reports (still counted; 0 = no limit)
 *
 * Each report is written with write(2) as it is produced, under report_lock so reports
 * of two threads never interleave; nothing sits in a stdio buffer.  A race is identified
 * by its two access pcs and reported once.
 *
 * Locks: report_lock (reports, dedup table), heap_lock (heap registry).
 */
#define _GNU_SOURCE
#include "detector.h"
#include "symbolize.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define uthash_malloc(sz) race_malloc(sz)
#define uthash_free(ptr, sz) race_free(ptr)
#define uthash_fatal(msg) rt_throw("race detector: %s", msg)
#include <uthash.h>

void (*race_report_hook)(uintptr_t addr, uint64_t a, const shadow_hit *hit);

static struct {
    int exitcode;
    bool halt_on_error;
    long report_limit;
    int fd;
    char path[4200];  /* log_path's file: opened per report (report_open), "" otherwise */
} opt = {.exitcode = 66, .fd = 2};

static uint32_t report_lock;
static long nreports, nlockorder;

typedef struct race_pair {
    uintptr_t key[2];
    UT_hash_handle hh;
} race_pair;
static race_pair *seen_pairs;

/* ---- options and exit ------------------------------------------------------------------------- */

static void opt_set(const char *k, size_t kn, const char *v)
{
    if (kn == 8 && !strncmp(k, "exitcode", kn))
        opt.exitcode = atoi(v);
    else if (kn == 13 && !strncmp(k, "halt_on_error", kn))
        opt.halt_on_error = atoi(v) != 0;
    else if (kn == 12 && !strncmp(k, "report_limit", kn))
        opt.report_limit = atol(v);
    else if (kn == 8 && !strncmp(k, "log_path", kn)) {
        if (!strcmp(v, "stdout"))
            opt.fd = 1;
        else if (strcmp(v, "stderr")) {
            snprintf(opt.path, sizeof opt.path, "%.4000s.%d", v, (int)getpid());
            int fd = open(opt.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd >= 0)
                close(fd);
            else
                dprintf(2, "racedemo: cannot open log_path %s\n", opt.path), opt.path[0] = 0;
        }
    } else {
        dprintf(2, "racedemo: unknown RACEDEMO_OPTIONS key '%.*s'\n", (int)kn, k);
    }
}

static void opt_parse(const char *s)
{
    char val[4096];
    while (s && *s) {
        while (*s == ' ' || *s == ',')
            s++;
        const char *k = s, *eq = NULL;
        while (*s && *s != ' ' && *s != ',') {
            if (*s == '=' && !eq)
                eq = s;
            s++;
        }
        if (!eq || eq == k)
            continue;
        size_t vn = (size_t)(s - eq - 1);
        if (vn >= sizeof val)
            vn = sizeof val - 1;
        memcpy(val, eq + 1, vn);
        val[vn] = 0;
        opt_set(k, (size_t)(eq - k), val);
    }
}

long race_report_count(void) { return __atomic_load_n(&nreports, __ATOMIC_ACQUIRE); }
long race_report_lock_count(void) { return __atomic_load_n(&nlockorder, __ATOMIC_ACQUIRE); }

/* With log_path the file is opened for each report and closed after it: a program that
 * closes its descriptors, or reuses the numbers for files of its own, can neither lose
 * a report nor receive it (racedemo check relies on this).  Cold path only. */
static int report_open(void)
{
    if (!opt.path[0])
        return opt.fd;
    int fd = open(opt.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    return opt.fd = fd >= 0 ? fd : 2;
}

static void report_close(int fd)
{
    if (opt.path[0] && fd > 2)
        close(fd);
}

static void report_summary(void)
{
    long n = race_report_count(), l = race_report_lock_count();
    int fd = report_open();
    if (n)
        dprintf(fd, "Found %ld data race(s)\n", n);
    if (l)
        dprintf(fd, "Found %ld potential deadlock(s) (lock-order inversions)\n", l);
    report_close(fd);
}

/* The exit status a program that reported races leaves with (used by _exit's wrapper). */
int race_exit_status(int status);
int race_exit_status(int status)
{
    static bool summarised;
    race_gs *gs = race_cur();
    if (gs)
        race_flush(gs); /* the exiting goroutine's last read */
    if (!race_report_count() && !race_report_lock_count())
        return status;
    if (!__atomic_exchange_n(&summarised, true, __ATOMIC_ACQ_REL))
        report_summary();
    return status == 0 ? opt.exitcode : status;
}

/* exit() and main's return: runs last (registered first), after the program's handlers. */
static void race_on_exit(int status, void *arg)
{
    (void)arg;
    int st = race_exit_status(status);
    if (st != status) {
        fflush(NULL);
        _exit(st);
    }
}

void race_report_init(void)
{
    opt_parse(getenv("RACEDEMO_OPTIONS"));
    on_exit(race_on_exit, NULL);
}

/* ---- printing ------------------------------------------------------------------------------------ */

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = sizeof buf - 1;
    if (n > 0 && write(opt.fd, buf, (size_t)n) < 0) { /* nowhere left to report to */ }
}

#include "../runtime/symbolize.h"

#define REPORT_DEPTH 64

static void print_stack(uint32_t stk)
{
    uintptr_t pcs[REPORT_DEPTH];
    int n = depot_unwind(stk, pcs, REPORT_DEPTH);
    sym_print_race_stack(opt.fd, pcs, n, true);
}

static void goroutine_name(char *buf, size_t cap, const race_ginfo *gi)
{
    if (!gi)
        snprintf(buf, cap, "unknown goroutine");
    else if (gi->goid == 1)
        snprintf(buf, cap, "main goroutine");
    else
        snprintf(buf, cap, "goroutine %lld", (long long)gi->goid);
}

static void print_access(bool previous, uintptr_t addr, uint64_t cell, uint32_t stk,
                         const race_ginfo *gi)
{
    char who[64];
    goroutine_name(who, sizeof who, gi);
    bool w = cell & CELL_WRITE;
    const char *what = previous ? (w ? "Previous write" : "Previous read") : (w ? "Write" : "Read");
    out("%s at 0x%012lx by %s:\n", what, (unsigned long)addr, who);
    print_stack(stk);
}

static void print_creation(const race_ginfo *gi, bool running)
{
    if (!gi || gi->goid == 1)
        return;
    out("\nGoroutine %lld (%s) created at:\n", (long long)gi->goid,
        running || !gi->finished ? "running" : "finished");
    print_stack(gi->create_stk);
}

/* ---- where the memory lives --------------------------------------------------------------------- */

typedef struct race_block {
    uintptr_t p;
    size_t n;
    int64_t goid;
    uint32_t stk;
    UT_hash_handle hh;
} race_block;
static race_block *heap_blocks;
static uint32_t heap_lock;

void race_heap_add(uintptr_t p, size_t n, race_gs *gs, uint32_t stk)
{
    race_block *b = race_malloc(sizeof *b);
    *b = (race_block){.p = p, .n = n, .goid = gs && gs->info ? gs->info->goid : 0, .stk = stk};
    rt_lock(&heap_lock);
    race_block *old;
    HASH_REPLACE(hh, heap_blocks, p, sizeof b->p, b, old);
    rt_unlock(&heap_lock);
    race_free(old);
}

size_t race_heap_del(uintptr_t p)
{
    race_block *b;
    rt_lock(&heap_lock);
    HASH_FIND(hh, heap_blocks, &p, sizeof p, b);
    if (b)
        HASH_DEL(heap_blocks, b);
    rt_unlock(&heap_lock);
    size_t n = b ? b->n : 0;
    race_free(b);
    return n;
}

static bool heap_location(uintptr_t addr)
{
    race_block found = {0}, *b, *tmp;
    bool hit = false;
    rt_lock(&heap_lock);
    HASH_ITER(hh, heap_blocks, b, tmp) {
        if (addr >= b->p && addr < b->p + (b->n ? b->n : 1)) {
            found = *b;
            hit = true;
            break;
        }
    }
    rt_unlock(&heap_lock);
    if (!hit)
        return false;
    char who[64];
    race_ginfo gi = {.goid = found.goid};
    goroutine_name(who, sizeof who, &gi);
    out("\nLocation is heap block of size %zu at 0x%012lx allocated by %s:\n", found.n,
        (unsigned long)found.p, who);
    print_stack(found.stk);
    return true;
}

/* Globals: STT_OBJECT symbols of the executable, sorted by address (loaded once). */
typedef struct race_global {
    uintptr_t addr;
    size_t size;
    const char *name;
} race_global;
static race_global *globals;
static size_t nglobals;
static uintptr_t exe_bias;
static char exe_name[256];

static int phdr_first(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(uintptr_t *)data = info->dlpi_addr;
    return 1; /* the executable comes first */
}

static int global_cmp(const void *a, const void *b)
{
    const race_global *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static RT_COLD void globals_load(void)
{
    static bool loaded;
    if (loaded)
        return;
    loaded = true;
    dl_iterate_phdr(phdr_first, &exe_bias);
    char path[4096];
    ssize_t pn = readlink("/proc/self/exe", path, sizeof path - 1);
    if (pn <= 0)
        return;
    path[pn] = 0;
    const char *base = strrchr(path, '/');
    snprintf(exe_name, sizeof exe_name, "%.255s", base ? base + 1 : path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return;
    }
    const char *img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (img == MAP_FAILED)
        return;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB)
            continue;
        const Elf64_Sym *sym = (const Elf64_Sym *)(img + sh[i].sh_offset);
        const char *str = img + sh[sh[i].sh_link].sh_offset;
        size_t n = sh[i].sh_size / sizeof *sym;
        globals = race_malloc(n * sizeof *globals);
        for (size_t j = 0; j < n; j++) {
            if (ELF64_ST_TYPE(sym[j].st_info) != STT_OBJECT || !sym[j].st_size || !sym[j].st_shndx)
                continue;
            globals[nglobals++] = (race_global){sym[j].st_value + exe_bias, sym[j].st_size,
                                                str + sym[j].st_name};
        }
        qsort(globals, nglobals, sizeof *globals, global_cmp);
    }
    /* the image stays mapped: names point into it */
}

static bool global_location(uintptr_t addr)
{
    globals_load();
    size_t lo = 0, hi = nglobals;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (globals[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo || addr >= globals[lo - 1].addr + globals[lo - 1].size)
        return false;
    const race_global *g = &globals[lo - 1];
    out("\nLocation is global '%s' of size %zu at 0x%012lx (%s+0x%lx)\n", g->name, g->size,
        (unsigned long)g->addr, exe_name, (unsigned long)(g->addr - exe_bias));
    return true;
}

race_ginfo *race_stack_owner(uintptr_t addr);

static void print_location(uintptr_t addr)
{
    if (global_location(addr) || heap_location(addr))
        return;
    race_ginfo *gi = race_stack_owner(addr);
    if (gi) {
        char who[64];
        goroutine_name(who, sizeof who, gi);
        out("\nLocation is stack of %s.\n", who);
        return;
    }
    /* main's native stack */
    extern uintptr_t race_main_stack_lo, race_main_stack_hi;
    if (addr >= race_main_stack_lo && addr < race_main_stack_hi)
        out("\nLocation is stack of main goroutine.\n");
}

/* ---- the report ------------------------------------------------------------------------------------ */

static bool report_seen(uintptr_t pc_a, uintptr_t pc_b)
{
    race_pair key = {.key = {pc_a < pc_b ? pc_a : pc_b, pc_a < pc_b ? pc_b : pc_a}}, *p;
    HASH_FIND(hh, seen_pairs, key.key, sizeof key.key, p);
    if (p)
        return true;
    p = race_malloc(sizeof *p);
    *p = key;
    HASH_ADD(hh, seen_pairs, key, sizeof p->key, p);
    return false;
}

/* What tells two races apart: the leaf pc of each stack, or for an operation's own
 * access (race_op_access_slow: the leaf is the runtime's entry point) its call site. */
static uintptr_t stack_leaf(uint32_t stk)
{
    uintptr_t pc[2] = {0, 0};
    int n = depot_unwind(stk, pc, 2);
    return n == 2 && sym_is_op_entry(pc[0]) ? pc[1] : pc[0];
}

/* A report's closing rule; then halt_on_error ends the program.  report_lock held. */
static void report_end(int fd)
{
    out("==================\n");
    report_close(fd);
    rt_unlock(&report_lock);
    if (opt.halt_on_error) {
        fflush(NULL);
        _exit(race_exit_status(0));
    }
}

void race_report(race_gs *gs, uintptr_t addr, uint64_t a, uint32_t stk, const shadow_hit *hits,
                 int nhits)
{
    if (race_report_hook) {
        for (int i = 0; i < nhits; i++)
            race_report_hook(addr, a, &hits[i]);
        return;
    }
    const shadow_hit *h = &hits[0];
    /* the granule of the earlier access: report the first byte both touched */
    unsigned both = cell_mask(a) & cell_mask(h->cell);
    uintptr_t where = (addr & ~7ull) + (both ? (unsigned)__builtin_ctz(both) : (addr & 7));
    if (sched_is_m_errno(where))
        return;
    race_ginfo *prev = race_ginfo_of(cell_slot(h->cell), cell_clk(h->cell));
    rt_lock(&report_lock);
    if (report_seen(stack_leaf(stk), stack_leaf(h->stk))) {
        rt_unlock(&report_lock);
        return;
    }
    long n = __atomic_add_fetch(&nreports, 1, __ATOMIC_ACQ_REL);
    if (opt.report_limit && n > opt.report_limit) {
        rt_unlock(&report_lock);
        return;
    }
    int fd = report_open();
    out("==================\nWARNING: DATA RACE\n");
    print_access(false, where, a, stk, gs->info);
    out("\n");
    print_access(true, where, h->cell, h->stk, prev);
    print_location(where);
    print_creation(gs->info, true);
    if (prev != gs->info)
        print_creation(prev, false);
    report_end(fd);
}

/* ThreadSanitizer's lock-order-inversion report, in Go's words: each edge of the cycle as
 * the mutex taken and, below it, where the goroutine took the mutex it still held. */
void race_report_lock_cycle(const race_lock_edge *cycle, int len)
{
    rt_lock(&report_lock);
    long n = __atomic_add_fetch(&nlockorder, 1, __ATOMIC_ACQ_REL);
    if (opt.report_limit && n > opt.report_limit) {
        rt_unlock(&report_lock);
        return;
    }
    int fd = report_open();
    out("==================\nWARNING: LOCK ORDER INVERSION (potential deadlock)\n");
    out("Cycle in lock order graph:");
    for (int k = 0; k < len; k++)
        out(" mutex 0x%012lx =>", (unsigned long)cycle[k].from);
    out(" mutex 0x%012lx\n", (unsigned long)cycle[0].from);
    for (int k = 0; k < len; k++) {
        char who[64];
        goroutine_name(who, sizeof who, cycle[k].who);
        out("\nMutex 0x%012lx acquired by %s while holding mutex 0x%012lx:\n",
            (unsigned long)cycle[k].to, who, (unsigned long)cycle[k].from);
        print_stack(cycle[k].stk_to);
        out("\nMutex 0x%012lx previously acquired by the same goroutine here:\n",
            (unsigned long)cycle[k].from);
        print_stack(cycle[k].stk_from);
    }
    for (int k = 0; k < len; k++) {
        bool seen = false;
        for (int j = 0; j < k; j++)
            seen |= cycle[j].who == cycle[k].who;
        if (!seen)
            print_creation(cycle[k].who, !cycle[k].who || !cycle[k].who->finished);
    }
    report_end(fd);
}
