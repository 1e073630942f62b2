/*
 * stack.c - goroutine stacks: reservation, guard pages, and a reuse cache.
 *
 * Stacks are carved from big MAP_NORESERVE reservations (STACKS_PER_CHUNK slots each), so
 * a stack costs address space, not memory, until its pages are touched.  One mapping per
 * stack would hit vm.max_map_count (65530) long before a million goroutines: a chunk is
 * one mapping, plus one more per guard page.  Guard pages are therefore a budget: the
 * first stacks get a PROT_NONE page at their low end; once the budget (a fraction of
 * max_map_count) is spent, new slots have none and overflow is caught by the stack-pointer
 * check in __tsan_func_entry instead.
 *
 * Freed stacks go on a LIFO free list so the next goroutine reuses warm pages; past
 * CACHE_HOT entries the pages of freed stacks are returned to the kernel, so a burst of a
 * million goroutines does not pin its memory forever.
 *
 * stack_pass moves a stack from an exiting goroutine straight to a never-run one (the
 * scheduler's exit path), bypassing the free list.
 *
 * Locking: `stk.lock` guards the free list and chunk carving.
 */
#include "rt.h"
#include "race.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define STACKS_PER_CHUNK 64
#define CACHE_HOT 256
#define PAGE 4096

typedef struct free_stack {
    struct free_stack *next;
} free_stack;

static struct {
    uint32_t lock;
    size_t slot;          /* bytes per slot, guard included */
    char *chunk_next;     /* next unused slot in the current chunk */
    char *chunk_end;
    long guard_budget;    /* guard pages we may still create */
    free_stack *free;     /* LIFO of cached stacks; header lives at the stack's top */
    size_t nfree;
} stk;

static void stack_config(void)
{
    size_t kb = 2048;
    const char *e = getenv("RACEDEMO_STACK_KB");
    if (e && atol(e) >= 64)
        kb = (size_t)atol(e);
    stk.slot = (kb * 1024 + PAGE - 1) & ~(size_t)(PAGE - 1);
    long maxmap = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &maxmap) != 1)
            maxmap = 65530;
        fclose(f);
    }
    /* each guard splits a mapping in two; leave half the budget to the program */
    stk.guard_budget = maxmap / 4;
}

size_t stack_size(void)
{
    if (!stk.slot)
        stack_config();
    return stk.slot - PAGE;
}

static RT_COLD void stack_new_chunk(void)
{
    size_t len = stk.slot * STACKS_PER_CHUNK;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        rt_throw("out of memory allocating goroutine stacks (%zu MB reservation failed)",
                 len >> 20);
    stk.chunk_next = p;
    stk.chunk_end = (char *)p + len;
}

/* A slot's low page becomes the guard while the budget lasts. */
static bool stack_carve(char **lo)
{
    if (stk.chunk_next == stk.chunk_end)
        stack_new_chunk();
    *lo = stk.chunk_next;
    stk.chunk_next += stk.slot;
    if (stk.guard_budget > 0 && mprotect(*lo, PAGE, PROT_NONE) == 0) {
        stk.guard_budget--;
        return true;
    }
    return false;
}

void stack_alloc(rt_g *g)
{
    if (RT_UNLIKELY(!stk.slot))
        stack_config();
    rt_lock(&stk.lock);
    free_stack *fs = stk.free;
    char *lo;
    if (fs) {
        stk.free = fs->next;
        stk.nfree--;
        lo = (char *)(((uintptr_t)fs + sizeof(free_stack)) - stk.slot);
    } else {
        stack_carve(&lo);
    }
    rt_unlock(&stk.lock);
    g->stack_lo = lo;
    g->stack_hi = lo + stk.slot;
    race_stack_reuse(lo + PAGE, g->stack_hi);
}

void stack_free(rt_g *g)
{
    if (!g->stack_lo)
        return;
    char *hi = g->stack_hi;
    free_stack *fs = (free_stack *)(hi - sizeof(free_stack));
    if (__atomic_load_n(&stk.nfree, __ATOMIC_RELAXED) >= CACHE_HOT) {
        /* cold stack: give its pages back, keep the top page (it holds the link) */
        madvise(g->stack_lo + PAGE, stk.slot - 2 * PAGE, MADV_DONTNEED);
    }
    rt_lock(&stk.lock);
    fs->next = stk.free;
    stk.free = fs;
    stk.nfree++;
    rt_unlock(&stk.lock);
    g->stack_lo = g->stack_hi = NULL;
}

void stack_pass(rt_g *from, rt_g *to)
{
    to->stack_lo = from->stack_lo;
    to->stack_hi = from->stack_hi;
    from->stack_lo = from->stack_hi = NULL;
    race_stack_reuse(to->stack_lo + PAGE, to->stack_hi);
}

bool stack_is_guard(const rt_g *g, const void *addr)
{
    if (!g->stack_lo)
        return false;
    const char *a = addr;
    /* the guard page, or a wild sp a little below it (big frames skip the guard) */
    return a >= g->stack_lo - 64 * 1024 && a < g->stack_lo + PAGE;
}

/* fork (sched.c's handlers): a child must not inherit the cache lock held by a thread it
 * does not have. */
void stack_fork_lock(void) { rt_lock(&stk.lock); }
void stack_fork_unlock(void) { rt_unlock(&stk.lock); }
