/*
 * symbolize.c - program counters to function, file and line with libdw (elfutils).
 *
 * One Dwfl session covers the running process (its modules read from /proc/self/maps);
 * it is built on the first lookup, because only reports need it.  Every answer is cached
 * per (pc, is_return) in a uthash table and never freed, so the strings handed out stay
 * valid for the life of the process.
 *
 * An answer is an inline chain, like Go's tracebacks: frames[0] is the innermost function
 * at pc (possibly inlined), the last frame is the function the code physically lies in,
 * and each outer frame's line is the call site of the inlined call below it.
 *
 * Classification, so stacks start at the user's code:
 *   SYM_RUNTIME  the racedemo library: any compilation unit under <root>/runtime/ or
 *                <root>/detector/, <root> being the source tree this file was built from
 *                (read from this file's own CU), so static helpers without a module prefix
 *                count too; without DWARF the symbol-prefix list below decides;
 *   SYM_SYSTEM   libc, the dynamic loader, libunwind, libdw and their dependencies;
 *   SYM_USER     everything else, including unknown pcs (better shown than hidden).
 *
 * Locking: `sym.owner` (a thread id) guards all of it: libdw is not thread-safe, and the
 * cache is shared.  A thread re-entering while it holds the lock (a fault inside a lookup,
 * reported from the signal handler) gets "unknown" answers instead of a deadlock.
 */
#define _GNU_SOURCE
#include "symbolize.h"
#include "os.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uthash.h>

#define SYM_MAX_INLINE 8
#define SYM_LOCK_TRIES 100000  /* x 50 us: give up after ~5 s rather than hang a report */

enum sym_class { SYM_USER, SYM_RUNTIME, SYM_SYSTEM };

typedef struct sym_entry {
    uint64_t key;                  /* pc << 1 | is_return */
    enum sym_class cls;
    int nframes;                   /* >= 1; frames[nframes - 1] is the physical function */
    sym_frame frames[SYM_MAX_INLINE];
    UT_hash_handle hh;
} sym_entry;

static struct {
    pid_t owner;                   /* tid holding the lock, 0 when free */
    bool inited;
    Dwfl *dwfl;                    /* NULL if libdw could not read the process */
    char root[PATH_MAX];           /* source paths under it print relative; "" for none */
    char rt_dirs[2][PATH_MAX];     /* ".../runtime/" and ".../detector/" of racedemo */
    sym_entry *cache;
} sym;

static const sym_frame sym_unknown = {"?", "?", 0, 0};

/* ---- lock ---------------------------------------------------------------------------- */

static bool sym_acquire(void)
{
    static __thread pid_t tid;
    if (!tid)
        tid = gettid();
    pid_t me = tid;
    for (int tries = 0; tries < SYM_LOCK_TRIES; tries++) {
        pid_t expect = 0;
        if (__atomic_compare_exchange_n(&sym.owner, &expect, me, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return true;
        if (expect == me)
            return false;
        struct timespec ts = {0, 50000};
        rt_os_nanosleep(&ts, NULL);
    }
    return false;
}

static void sym_release(void) { __atomic_store_n(&sym.owner, 0, __ATOMIC_RELEASE); }

/* ---- initialisation -------------------------------------------------------------------- */

/* Binaries carry their own DWARF; never search for separate debug files (that may mean
 * a debuginfod download in the middle of a crash report). */
static int sym_no_debuginfo(Dwfl_Module *mod, void **ud, const char *modname, Dwarf_Addr base,
                            const char *file, const char *link, GElf_Word crc, char **out)
{
    (void)mod, (void)ud, (void)modname, (void)base, (void)file, (void)link, (void)crc;
    (void)out;
    return -1;
}

static const Dwfl_Callbacks sym_callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = sym_no_debuginfo,
};

/* Absolute path of a CU's source file into buf; false without one. */
static bool sym_cu_path(Dwarf_Die *cu, char *buf, size_t cap)
{
    const char *name = cu ? dwarf_diename(cu) : NULL;
    if (!name)
        return false;
    Dwarf_Attribute a;
    const char *dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a));
    if (name[0] == '/' || !dir)
        snprintf(buf, cap, "%s", name);
    else
        snprintf(buf, cap, "%s/%s", dir, name);
    return true;
}

/* The CU holding addr.  libdw (0.188) finds it through .debug_aranges, which clang does
 * not emit by default; in a binary that mixes clang objects with gcc ones (user code and
 * libracedemo) the aranges lookup can even answer with a gcc CU that does not contain
 * addr.  So the answer is checked against the CU's own ranges, and the CUs are scanned
 * when it is wrong or missing. */
static Dwarf_Die *sym_find_cu(Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Addr *bias)
{
    Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, bias);
    if (cu && dwarf_haspc(cu, addr - *bias) > 0)
        return cu;
    for (Dwarf_Die *c = NULL; (c = dwfl_module_nextcu(mod, c, bias));)
        if (dwarf_haspc(c, addr - *bias) > 0)
            return c;
    return NULL;
}

/* The racedemo source root, from the CU this very function was compiled in. */
static void sym_find_runtime_dirs(void)
{
    Dwarf_Addr pc = (Dwarf_Addr)(uintptr_t)&sym_find_runtime_dirs, bias;
    Dwfl_Module *mod = dwfl_addrmodule(sym.dwfl, pc);
    char path[PATH_MAX];
    if (!mod || !sym_cu_path(sym_find_cu(mod, pc, &bias), path, sizeof path))
        return;
    char *cut = strstr(path, "/runtime/symbolize.c");
    if (!cut)
        return;
    size_t n = (size_t)(cut - path);
    if (n + sizeof "/detector/" > PATH_MAX)
        return;
    memcpy(sym.rt_dirs[0], path, n);
    memcpy(sym.rt_dirs[1], path, n);
    strcpy(sym.rt_dirs[0] + n, "/runtime/");
    strcpy(sym.rt_dirs[1] + n, "/detector/");
}

static void sym_find_root(void)
{
    const char *env = getenv("RACEDEMO_SRCROOT");
    char cwd[PATH_MAX];
    if (!env || !*env)
        env = getcwd(cwd, sizeof cwd);
    if (!env || !realpath(env, sym.root)) {
        sym.root[0] = 0;
        return;
    }
    size_t n = strlen(sym.root);
    if (n + 1 < sizeof sym.root && sym.root[n - 1] != '/')
        strcpy(sym.root + n, "/");
}

static void sym_init_locked(void)
{
    sym.inited = true;
    sym_find_root();
    sym.dwfl = dwfl_begin(&sym_callbacks);
    if (!sym.dwfl)
        return;
    dwfl_report_begin(sym.dwfl);
    if (dwfl_linux_proc_report(sym.dwfl, getpid()) != 0 ||
        dwfl_report_end(sym.dwfl, NULL, NULL) != 0) {
        dwfl_end(sym.dwfl);
        sym.dwfl = NULL;
        return;
    }
    sym_find_runtime_dirs();
}

/* ---- classification ------------------------------------------------------------------------ */

/* Libraries whose frames are never the user's concern (basename prefixes). */
static const char *const sym_system_libs[] = {
    "libc.so", "libc-", "ld-linux", "ld64.so", "libpthread", "libdl.", "librt.", "libunwind",
    "libdw.", "libdw-", "libelf", "libgcc_s", "libz.", "liblzma", "libbz2", "libzstd",
    "linux-vdso", "[vdso]",
};

/* Runtime symbols, for code compiled without DWARF (the assembly, a stripped library). */
static const char *const sym_runtime_prefixes[] = {
    "rt_", "sched_", "chan_", "wg_", "mutex_", "rwmutex_", "once_", "go_", "atomic_",
    "race_", "__tsan_", "stack_", "sym_", "waitq_", "tb_", "crash_", "sig_",
};

static bool sym_has_prefix(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strncmp(s, list[i], strlen(list[i])) == 0)
            return true;
    return false;
}

static enum sym_class sym_classify(const char *modname, Dwarf_Die *cu, const char *symname)
{
    const char *base = modname ? strrchr(modname, '/') : NULL;
    base = base ? base + 1 : modname;
    if (base && sym_has_prefix(base, sym_system_libs,
                               sizeof sym_system_libs / sizeof *sym_system_libs))
        return SYM_SYSTEM;
    char path[PATH_MAX];
    if (sym.rt_dirs[0][0] && sym_cu_path(cu, path, sizeof path))
        return strncmp(path, sym.rt_dirs[0], strlen(sym.rt_dirs[0])) == 0 ||
                       strncmp(path, sym.rt_dirs[1], strlen(sym.rt_dirs[1])) == 0
                   ? SYM_RUNTIME
                   : SYM_USER;
    if (symname && (strcmp(symname, "go") == 0 ||
                    sym_has_prefix(symname, sym_runtime_prefixes,
                                   sizeof sym_runtime_prefixes / sizeof *sym_runtime_prefixes)))
        return SYM_RUNTIME;
    return SYM_USER;
}

/* ---- resolution ------------------------------------------------------------------------------ */

/* A cache-owned copy of s, relative to the source root when under it. */
static const char *sym_path(const char *s)
{
    if (!s)
        return "?";
    size_t n = strlen(sym.root);
    if (n && strncmp(s, sym.root, n) == 0)
        s += n;
    char *d = strdup(s);
    return d ? d : "?";
}

/* A cache-owned function name without GCC's clone suffixes (.constprop.0, .isra.0, .cold),
 * and a libc interceptor under the name of the function it stands for (__wrap_memcpy and
 * __wrap___memcpy_chk, its _FORTIFY_SOURCE form, are both "memcpy"; __wrap___isoc99_sscanf
 * is "sscanf"). */
static const char *sym_name(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strcspn(s, ".");
    if (!strncmp(s, "__wrap_", 7)) {
        s += 7, n -= 7;
        if (n > 6 && !strncmp(s, "__", 2) && !strncmp(s + n - 4, "_chk", 4))
            s += 2, n -= 6;
        else if (!strncmp(s, "__isoc99_", 9))
            s += 9, n -= 9;
    }
    char *d = strndup(s, n);
    return d ? d : "?";
}

/* The call site of an inlined call: where the frame above it is. */
static void sym_call_site(Dwarf_Die *cu, Dwarf_Die *inl, const char **file, int *line)
{
    Dwarf_Attribute a;
    Dwarf_Word w;
    *line = dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &a), &w) == 0 ? (int)w : 0;
    *file = NULL;
    Dwarf_Files *files;
    size_t nfiles;
    if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &a), &w) == 0 &&
        dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && w < nfiles)
        *file = dwarf_filesrc(files, w, NULL, NULL);
}

/* Fill e's inline chain from DWARF scopes.  Returns the number of frames (0: no DWARF). */
static int sym_inline_chain(sym_entry *e, Dwarf_Die *cu, Dwarf_Addr addr, Dwarf_Addr bias)
{
    const char *file = NULL;
    int line = 0;
    Dwarf_Line *l = dwarf_getsrc_die(cu, addr - bias);
    if (l && dwarf_lineno(l, &line) == 0)
        file = dwarf_linesrc(l, NULL, NULL);
    Dwarf_Die *scopes = NULL, *chain = NULL;
    int n = dwarf_getscopes(cu, addr - bias, &scopes), i = 0, nf = 0;
    while (i < n && dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine &&
           dwarf_tag(&scopes[i]) != DW_TAG_subprogram)
        i++;
    /* past the innermost function, dwarf_getscopes follows the abstract origin; the
     * concrete nesting (call sites) is the DIE's own parent chain */
    int nc = i < n ? dwarf_getscopes_die(&scopes[i], &chain) : 0;
    for (int k = 0; k < nc && nf < SYM_MAX_INLINE; k++) {
        int tag = dwarf_tag(&chain[k]);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
            continue;
        sym_frame *f = &e->frames[nf++];
        f->func = sym_name(dwarf_diename(&chain[k]));
        f->file = sym_path(file);
        f->line = line;
        if (tag == DW_TAG_subprogram)
            break;
        sym_call_site(cu, &chain[k], &file, &line);
    }
    free(chain);
    free(scopes);
    return nf;
}

static void sym_resolve(sym_entry *e, uintptr_t pc, bool is_return)
{
    e->nframes = 1;
    e->frames[0] = sym_unknown;
    e->cls = SYM_USER;
    Dwarf_Addr addr = is_return ? pc - 1 : pc, start = 0, bias = 0;
    Dwfl_Module *mod = sym.dwfl ? dwfl_addrmodule(sym.dwfl, addr) : NULL;
    if (!mod)
        return;
    const char *modname = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
    GElf_Off off = 0;
    GElf_Sym es;
    const char *symname = dwfl_module_addrinfo(mod, addr, &off, &es, NULL, NULL, NULL);
    Dwarf_Die *cu = sym_find_cu(mod, addr, &bias);
    e->cls = sym_classify(modname, cu, symname);
    int nf = cu ? sym_inline_chain(e, cu, addr, bias) : 0;
    if (nf == 0) {
        nf = 1;
        e->frames[0].file = sym_path(modname);
    }
    e->nframes = nf;
    sym_frame *phys = &e->frames[nf - 1];
    if (!phys->func || strcmp(phys->func, "?") == 0)
        phys->func = symname ? sym_name(symname) : "?";
    /* Go's +0x..: from the function's entry, or from the module's base when unknown.  A
     * return address is never an entry: pc - 1 at one names an operation by its entry
     * point (sym_is_op_entry), offset 0. */
    phys->offset = symname ? (uintptr_t)off + (is_return && off) : pc - (uintptr_t)start;
    if (!symname && !phys->line)
        phys->file = sym_path(modname);
    for (int i = 0; i < nf - 1; i++)
        if (!e->frames[i].func)
            e->frames[i].func = "?";
}

/* The cached answer for (pc, is_return), or NULL when the symbolizer is unavailable. */
static const sym_entry *sym_get(uintptr_t pc, bool is_return)
{
    if (!sym_acquire())
        return NULL;
    if (!sym.inited)
        sym_init_locked();
    uint64_t key = (uint64_t)pc << 1 | is_return;
    sym_entry *e;
    HASH_FIND(hh, sym.cache, &key, sizeof key, e);
    if (!e && (e = calloc(1, sizeof *e))) {
        e->key = key;
        sym_resolve(e, pc, is_return);
        HASH_ADD(hh, sym.cache, key, sizeof key, e);
    }
    sym_release();
    return e;
}

/* ---- public interface --------------------------------------------------------------------------- */

bool sym_lookup(uintptr_t pc, bool is_return, sym_frame *out)
{
    const sym_entry *e = sym_get(pc, is_return);
    if (!e) {
        *out = sym_unknown;
        return false;
    }
    *out = e->frames[0];
    out->offset = e->frames[e->nframes - 1].offset;
    return strcmp(out->func, "?") != 0;
}

const char *sym_function(uintptr_t pc, bool is_return)
{
    const sym_entry *e = sym_get(pc, is_return);
    return e ? e->frames[e->nframes - 1].func : "?";
}

bool sym_is_runtime(uintptr_t pc)
{
    const sym_entry *e = sym_get(pc, false);
    return e && e->cls != SYM_USER;
}

/* Append one Go-style frame to buf.  Inlined frames print "(...)" and no offset, like Go;
 * "+0x0" is left out too (a goroutine that has not started yet).  Race reports indent
 * like `go run -race` ("  f()" then "      file:line +0x..") and print every frame as a
 * call. */
static int sym_format(char *buf, size_t cap, const sym_frame *f, bool inlined, bool race)
{
    int n = race ? snprintf(buf, cap, "  %s()\n      %s", f->func, f->file)
                 : snprintf(buf, cap, "%s(%s)\n\t%s", f->func, inlined ? "..." : "", f->file);
    if (f->line && n < (int)cap)
        n += snprintf(buf + n, cap - (size_t)n, ":%d", f->line);
    if (!inlined && f->offset && n < (int)cap)
        n += snprintf(buf + n, cap - (size_t)n, " +0x%lx", (unsigned long)f->offset);
    if (n < (int)cap)
        n += snprintf(buf + n, cap - (size_t)n, "\n");
    return n < (int)cap ? n : (int)cap - 1;
}

static void sym_write(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

static size_t sym_format_any(char *buf, size_t cap, uintptr_t pc, bool is_return, bool race)
{
    const sym_entry *e = sym_get(pc, is_return);
    if (!e) {
        int n = snprintf(buf, cap, race ? "  ?()\n      ? pc=0x%lx\n" : "?()\n\t? pc=0x%lx\n",
                         (unsigned long)pc);
        return n < (int)cap ? (size_t)n : cap - 1;
    }
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < e->nframes && n < cap - 1; i++)
        n += (size_t)sym_format(buf + n, cap - n, &e->frames[i], i < e->nframes - 1, race);
    return n;
}

size_t sym_format_frame(char *buf, size_t cap, uintptr_t pc, bool is_return)
{
    return sym_format_any(buf, cap, pc, is_return, false);
}

void sym_print_frame(int fd, uintptr_t pc, bool is_return)
{
    char buf[2048];
    sym_write(fd, buf, sym_format_frame(buf, sizeof buf, pc, is_return));
}

bool sym_is_op_entry(uintptr_t pc)
{
    const sym_entry *e = sym_get(pc, true);
    return e && e->cls != SYM_USER && e->frames[e->nframes - 1].offset == 0;
}

/* Runtime frames are left out, except an operation that is itself an access (a channel
 * send or close) at the leaf of a race stack: it says what the access was. */
static void sym_print_stack_any(int fd, const uintptr_t *pcs, int n, bool is_return, bool race)
{
    char buf[2048];
    for (int i = 0; i < n; i++)
        if (!sym_is_runtime(is_return ? pcs[i] - 1 : pcs[i]) ||
            (race && i == 0 && is_return && sym_is_op_entry(pcs[i])))
            sym_write(fd, buf, sym_format_any(buf, sizeof buf, pcs[i], is_return, race));
}

void sym_print_stack(int fd, const uintptr_t *pcs, int n, bool is_return)
{
    sym_print_stack_any(fd, pcs, n, is_return, false);
}

void sym_print_race_stack(int fd, const uintptr_t *pcs, int n, bool is_return)
{
    sym_print_stack_any(fd, pcs, n, is_return, true);
}
