/*
 * race.c - the runtime-to-detector seam (see runtime/race.h).  race_enabled stays false
 * until instrumented code calls __tsan_init.
 */
#include "../runtime/race.h"

bool race_enabled;

void race_go_start_slow(rt_g *parent, rt_g *child) { (void)parent; (void)child; }
void race_go_end_slow(rt_g *g) { (void)g; }
void race_acquire_slow(const void *addr) { (void)addr; }
void race_release_slow(const void *addr) { (void)addr; }
void race_release_merge_slow(const void *addr) { (void)addr; }
void race_stack_reuse_slow(const void *lo, const void *hi) { (void)lo; (void)hi; }
void race_read_range_slow(const void *addr, size_t n, uintptr_t pc) { (void)addr; (void)n; (void)pc; }
void race_write_range_slow(const void *addr, size_t n, uintptr_t pc) { (void)addr; (void)n; (void)pc; }
