/*
 * symbolize.h - program counters to function, file and line (libdw over the binary's
 * DWARF), shared by goroutine dumps, crash reports and race reports.
 *
 * Paths are printed relative to the source root when they lie under it (the current
 * directory, or RACEDEMO_SRCROOT), like Go prints module-relative paths.  Results are
 * cached per pc; the module is thread-safe (one lock, cold paths only).
 */
#ifndef RACEDEMO_SYMBOLIZE_H
#define RACEDEMO_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sym_frame {
    const char *func;   /* "main", "next"... ; "?" when unknown.  Owned by the cache. */
    const char *file;   /* source path (relative when possible) or the module's path */
    int line;           /* 0 when unknown */
    uintptr_t offset;   /* pc - function start (Go's +0x..) */
} sym_frame;

/* Describe pc.  Return addresses point after the call: pass is_return=true so the line
 * of the call itself is found (pc - 1). */
bool sym_lookup(uintptr_t pc, bool is_return, sym_frame *out);

/* The name of the function pc physically lies in (the outermost of an inline chain),
 * "?" when unknown.  Owned by the cache. */
const char *sym_function(uintptr_t pc, bool is_return);

/* Print one frame in Go's traceback style:
 *   func()
 *   \tfile:line +0xoff
 */
void sym_print_frame(int fd, uintptr_t pc, bool is_return);

/* The same into buf (NUL-terminated, cut at cap); returns the length. */
size_t sym_format_frame(char *buf, size_t cap, uintptr_t pc, bool is_return);

/* Print up to n frames of pcs (innermost first); frames inside the racedemo runtime
 * (and libc) are skipped so stacks show the user's code. */
void sym_print_stack(int fd, const uintptr_t *pcs, int n, bool is_return);

/* The same in `go run -race`'s layout: "  f()" then "      file:line +0x..". */
void sym_print_race_stack(int fd, const uintptr_t *pcs, int n, bool is_return);

/* True if pc belongs to the racedemo runtime itself (rt_*, sched_*, chan_*...). */
bool sym_is_runtime(uintptr_t pc);
/* pc - 1 is the entry of a runtime function: the pc race_op_access gives an operation's
 * own access (a return address never points just past an entry). */
bool sym_is_op_entry(uintptr_t pc);

#endif
