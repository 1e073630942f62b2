/*
 * tls.c - thread-local storage per goroutine: the program's own __thread variables and
 * errno follow their goroutine, not the OS thread it happens to run on.
 *
 * All goroutines of an M share the M's TLS block.  Without this, four pthreads counting
 * in one `static __thread int n` at procs = 1 add into a single variable (and the
 * detector calls it a race), and a goroutine's errno is whatever the last one to run on
 * the M left there.  So every switch saves the outgoing goroutine's copy and loads the
 * incoming one's (tls_out / tls_in in rt.h), and a goroutine that never ran starts from
 * the TLS image, as a new thread does (tls_fresh).
 *
 * What is the user's: the runtime is linked as a whole archive after the program's own
 * objects, and this file is the archive's first member (CMakeLists.txt), so in each of
 * the executable's TLS sections the program's variables come first and ours start at
 * rt_tls_mark_data (.tdata) and rt_tls_mark_bss (.tbss).  The user's part is thus
 * [.tdata start, mark_data) and [.tbss start, mark_bss); .tbss's start is read from the
 * executable's section headers once.  If the layout is not that (the runtime in a shared
 * library, a TLS section we cannot read), only errno is swapped.
 *
 * Where a copy lives: `rt_tls.reserve` bytes at the top of the goroutine's stack,
 * above its first frame (errno in the top 16, the user's bytes below); main's, which
 * runs on the process stack, below tls_main_top.  So a parked goroutine's copy is
 * paged out and back with its stack, and costs no allocation.
 *
 * Ownership: a goroutine's copy is read and written only by the M switching it in or
 * out (never while it runs); the layout is written once by tls_init, before any switch.
 *
 * Compilers keep TLS addresses in registers across calls, so at procs > 1 a goroutine
 * that uses them must not move to another M while it waits: once the program has __thread
 * variables of its own every goroutine is pinned to the M it first runs on, and a
 * goroutine that takes errno's address (__wrap___errno_location) from then on (sched.c).
 *
 * Not covered: a pointer to a __thread variable handed to another goroutine sees the
 * copy of whichever goroutine runs on that M; shared libraries' TLS other than errno
 * stays per OS thread.
 */
#define _GNU_SOURCE
#include "rt.h"
#include "race.h"
#include "os.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The runtime's first TLS bytes, one per section (see the top comment). */
__thread char rt_tls_mark_data __attribute__((tls_model("initial-exec"))) = 1;
__thread char rt_tls_mark_bss __attribute__((tls_model("initial-exec")));

rt_tls_layout rt_tls = {.reserve = RT_TLS_ERRNO_BYTES};
char *tls_main_top;
static char tls_main_errno[RT_TLS_ERRNO_BYTES] __attribute__((aligned(16)));

typedef struct tls_phdr {
    uintptr_t vaddr, filesz, memsz;
    const char *image, *block;
} tls_phdr;

/* The executable comes first in dl_iterate_phdr's order; take its PT_TLS. */
static int tls_phdr_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    tls_phdr *t = arg;
    if (size < offsetof(struct dl_phdr_info, dlpi_tls_data) + sizeof info->dlpi_tls_data)
        return 1;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type != PT_TLS)
            continue;
        *t = (tls_phdr){p->p_vaddr, p->p_filesz, p->p_memsz,
                        (const char *)(info->dlpi_addr + p->p_vaddr), info->dlpi_tls_data};
    }
    return 1;
}

/* sh_addr of the executable's .tbss (SHT_NOBITS with SHF_TLS), 0 if unreadable.  Raw
 * system calls: read and close are the detector's wrappers, not ready this early. */
static uintptr_t tls_tbss_addr(void)
{
    int fd = (int)syscall(SYS_open, "/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ElfW(Ehdr) eh;
    ElfW(Shdr) sh;
    uintptr_t addr = 0;
    if (syscall(SYS_pread64, fd, &eh, sizeof eh, 0) == (long)sizeof eh &&
        !memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_shentsize == sizeof sh) {
        for (unsigned i = 0; i < eh.e_shnum && !addr; i++) {
            off_t at = (off_t)(eh.e_shoff + (ElfW(Off))i * sizeof sh);
            if (syscall(SYS_pread64, fd, &sh, sizeof sh, at) != (long)sizeof sh)
                break;
            if (sh.sh_type == SHT_NOBITS && (sh.sh_flags & SHF_TLS))
                addr = sh.sh_addr;
        }
    }
    syscall(SYS_close, fd);
    return addr;
}

/* One TLS variable of each runtime object file that exports one: a link that did not
 * take runtime/tls.c first (a hand-made `-lracedemo` line) puts them before the markers,
 * and then nothing is the user's. */
extern __thread uintptr_t *race_pub __attribute__((tls_model("initial-exec")));
extern __thread struct bias_thr *bias_self __attribute__((tls_model("initial-exec")));

static bool tls_runtime_after(uintptr_t md, uintptr_t mb)
{
    return (uintptr_t)&race_pub > md && (uintptr_t)&rt_curg > mb && (uintptr_t)&bias_self > mb;
}

/* The user's two spans, as offsets from the block start; false if the layout is not
 * the one the top comment describes. */
static bool tls_find_user(const tls_phdr *t, uintptr_t tbss, uintptr_t *d_end,
                          uintptr_t *b_lo, uintptr_t *b_hi)
{
    uintptr_t block = (uintptr_t)t->block, md = (uintptr_t)&rt_tls_mark_data,
              mb = (uintptr_t)&rt_tls_mark_bss;
    if (!t->block || !tbss || md < block || mb < block || !tls_runtime_after(md, mb))
        return false;
    *d_end = md - block;
    *b_lo = tbss - t->vaddr;
    *b_hi = mb - block;
    return *d_end < t->filesz && t->filesz <= *b_lo && *b_lo <= *b_hi && *b_hi < t->memsz;
}

void tls_init(void)
{
    tls_main_top = tls_main_errno + RT_TLS_ERRNO_BYTES;
    tls_phdr t = {0};
    dl_iterate_phdr(tls_phdr_cb, &t);
    uintptr_t d_end, b_lo, b_hi;
    if (!t.memsz || !tls_find_user(&t, tls_tbss_addr(), &d_end, &b_lo, &b_hi))
        return;
    size_t user = d_end + (b_hi - b_lo);
    if (!user)
        return;
    size_t reserve = RT_TLS_ERRNO_BYTES + ((user + 15) & ~(size_t)15);
    if (reserve > stack_size() / 4)
        rt_throw("the program's thread-local variables take %zu bytes, more than a quarter "
                 "of a goroutine's stack (RACEDEMO_STACK_KB)", user);
    char *area = mmap(NULL, reserve, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        rt_throw("out of memory for main's thread-local variables");
    rt_tls = (rt_tls_layout){
        .reserve = (uint32_t)reserve, .user = (uint32_t)user,
        .d_off = -(intptr_t)d_end, .d_len = (uint32_t)d_end,
        .b_off = (intptr_t)b_lo - (intptr_t)d_end, .b_len = (uint32_t)(b_hi - b_lo),
        .image = t.image,
    };
    tls_main_top = area + reserve;
}

/* Copies the compiler must not turn into memcpy or memset calls (the detector's
 * wrappers: correct, but a lookup of the caller each time). */
#if defined(__GNUC__) && !defined(__clang__)
#define TLS_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define TLS_NO_LIBCALLS
#endif

static TLS_NO_LIBCALLS void tls_copy(char *d, const char *s, size_t n)
{
    for (; n >= 8; n -= 8, d += 8, s += 8) {
        uint64_t w;
        __builtin_memcpy(&w, s, 8);
        __builtin_memcpy(d, &w, 8);
        __asm__("" ::: "memory");
    }
    for (; n; n--)
        *d++ = *s++;
}

static inline char *tls_block_data(void) { return &rt_tls_mark_data + rt_tls.d_off; }
static inline char *tls_block_bss(void) { return &rt_tls_mark_data + rt_tls.b_off; }

/* The user's bytes of a save area ending at top: .tdata's part, then .tbss's. */
static inline char *tls_user(const char *top) { return (char *)top - rt_tls.reserve; }

void tls_save_user(char *top)
{
    tls_copy(tls_user(top), tls_block_data(), rt_tls.d_len);
    tls_copy(tls_user(top) + rt_tls.d_len, tls_block_bss(), rt_tls.b_len);
}

/* The block now holds another goroutine's variables at the same addresses: what the
 * previous holder did there is no history for this one.  (errno's cell needs no reset:
 * the detector drops reports on any M's errno, sched_is_m_errno.) */
static void tls_forget_history(void)
{
    race_mem_reuse(tls_block_data(), tls_block_data() + rt_tls.d_len);
    race_mem_reuse(tls_block_bss(), tls_block_bss() + rt_tls.b_len);
}

void tls_load_user(const char *top)
{
    tls_copy(tls_block_data(), tls_user(top), rt_tls.d_len);
    tls_copy(tls_block_bss(), tls_user(top) + rt_tls.d_len, rt_tls.b_len);
    tls_forget_history();
}

TLS_NO_LIBCALLS void tls_load_image(void)
{
    tls_copy(tls_block_data(), rt_tls.image, rt_tls.d_len);
    char *b = tls_block_bss();
    for (uint32_t i = 0; i < rt_tls.b_len; i++)
        b[i] = 0;
    tls_forget_history();
}

/* Programs linked with the wrap flags reach errno through here: a goroutine that took
 * errno's address may keep it in a register across a wait (__errno_location is declared
 * const), so it stays on this M from now on (sched.c, Pinning). */
int *__wrap___errno_location(void);
int *__wrap___errno_location(void)
{
    rt_g *g = rt_curg;
    if (RT_UNLIKELY(g && !g->home))
        sched_pin_self();
    return rt_os___errno_location();
}
