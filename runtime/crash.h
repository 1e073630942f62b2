/*
 * crash.h - what the fatal-error paths share (panic.c, signal.c, traceback.c): the
 * one-reporter-at-a-time guard, raw output to a file descriptor, and goroutine tracebacks
 * from the three places a goroutine's registers can come from.
 *
 * Every function here is a cold path.  Output is written with write(2), never stdio: the
 * goroutine that failed may hold stdio's lock or be in the middle of a buffer update.
 */
#ifndef RACEDEMO_CRASH_H
#define RACEDEMO_CRASH_H

#include "rt.h"

#include <ucontext.h>

/* ---- the crash guard (panic.c) ----------------------------------------------------------- */

/* Claim the right to report a fatal error.  Returns true on the first call; false when
 * the calling thread is already reporting (a fault or throw inside the report itself).
 * A thread that fails while another one reports never returns: the reporter ends the
 * process.  Arms a watchdog so a report that hangs (a lock held by the crashed code)
 * still ends the process with status 2. */
bool crash_begin(void);
/* Flush what the program printed with stdio before the report (Go's prints are
 * unbuffered, so they always come first).  In a signal handler a stream that another
 * thread keeps locked is skipped after a short wait. */
void crash_flush_stdio(bool in_signal);
/* The report is still moving (a long goroutine dump): restart the watchdog. */
void crash_progress(void);
/* Flush the report and exit with status 2, Go's status for a fatal runtime error. */
_Noreturn void crash_exit(void);
/* Report output: buffered per thread, written with write(2) by crash_flush (which
 * crash_exit and every goroutine dump call).  Lines longer than 1 KB are cut. */
void crash_printf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void crash_puts(int fd, const char *s, size_t n);
void crash_flush(void);

/* ---- tracebacks (traceback.c) --------------------------------------------------------------- */

enum {
    TB_RUNTIME = 1,   /* show the runtime's and libc's frames too (a throw) */
    TB_TOP = 2,       /* show them only above the first user frame (a fault inside them) */
};

/* "goroutine N [state]:"; "runtime stack:" for a scheduler context (id 0); for g NULL
 * (a thread the runtime does not run) "thread T (not a goroutine) [running]:". */
void tb_header(int fd, const rt_g *g, const char *state);
/* Frames of g from a signal handler's ucontext (the first pc is exact, not a return
 * address), then "created by". */
void tb_from_ucontext(int fd, const rt_g *g, ucontext_t *uc, int flags);
/* Frames of a goroutine that is off its stack, from its saved context (ctx_x86_64.S). */
void tb_from_saved_sp(int fd, const rt_g *g, void *sp, int flags);
/* Called first by the SIGSEGV/SIGBUS handler: if this thread is walking a stack that
 * may change under it (a goroutine that woke up, the leak check at exit), abandon that
 * walk instead of reporting a crash.  Returns false when no walk is in progress. */
bool tb_recover(void);
/* Frames of the calling goroutine (g is the caller's), starting at the first frame that is
 * not a tb_ or crash_ helper. */
void tb_from_here(int fd, const rt_g *g, int flags);

#endif
