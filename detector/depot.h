/*
 * depot.h - the stack depot: call stacks interned in a trie, so a shadow cell can name
 * the exact stack of its access with one 32-bit id (node 0 is the empty stack).
 *
 * Nodes are never freed; ids are stable.  One spin lock guards the table; goroutines
 * cache the node of each shadow-stack frame, so the lock is only taken the first time a
 * frame (or an access pc under it) is seen.
 */
#ifndef RACEDEMO_DEPOT_H
#define RACEDEMO_DEPOT_H

#include <stdint.h>

#define DEPOT_UNKNOWN UINT32_MAX

/* The id of stack parent + [pc]. */
uint32_t depot_intern(uint32_t parent, uintptr_t pc);
/* Write up to max pcs of stack id (innermost first); returns how many. */
int depot_unwind(uint32_t id, uintptr_t *pcs, int max);

#endif
