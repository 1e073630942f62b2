/*
 * demos.c - the demo table: every program of the tutorials in /work/shared/tutorial, in
 * their order and with their names, each with its variants (the original, and the fixes
 * or later steps the tutorial shows).  The sentences come from the tutorial texts.
 * Adding a demo: write demos/<demo>_<variant>.c, list it in demos/CMakeLists.txt, add a
 * row here, and a golden file in tests/golden/.
 */
#include "cli.h"

#include <string.h>

const cli_demo cli_demos[] = {
    {"hello", "Goroutines",
     "main prints Start, runs hello() as a goroutine with `go hello()` and prints End without "
     "waiting for it, so hello world may never be printed.",
     "When main returns the program ends, whatever its goroutines are doing: the nowait "
     "variant never gets to print hello world, the WaitGroup variant always does.",
     false, 0, 2,
     {{"nowait", "hello_nowait", ROLE_RACY, "go hello() and return: nobody waits for hello"},
      {"waitgroup", "hello_waitgroup", ROLE_FIX, "wg.Add(1), wg.Done() in hello, wg.Wait() in main"}}},
    {"sum", "WaitGroup",
     "batch1 = sum(1, 100) runs in a goroutine while main computes batch2 = sum(1, 10) and then "
     "waits for the goroutine with a not-so-elegant one-second sleep.",
     "The numbers printed are right in every schedule, yet the detector reports a race: a "
     "sleep orders nothing, so the goroutine's write of batch1 and main's read of it are "
     "concurrent.  wg.Done() before wg.Wait() is the happens-before edge that was missing.",
     false, 0, 2,
     {{"sleep", "sum_sleep", ROLE_RACY, "time.Sleep(time.Second) instead of waiting"},
      {"waitgroup", "sum_waitgroup", ROLE_FIX, "wg.Done() in the goroutine, wg.Wait() in main"}}},
    {"next", "Race conditions",
     "next(&a) reads c := *v and writes *v = c + 1; started three times with `go next(&a)`, it "
     "can leave a holding 3, or 2, or 1.",
     "Each next reads a and writes it back one step later; when another goroutine runs in "
     "between, both write the same value and an increment is lost.  An atomic add or a "
     "mutex makes the read and the write one step, and a is always 3.",
     false, 0, 3,
     {{"racy", "next_racy", ROLE_RACY, "c := *v; *v = c + 1 with nothing around it"},
      {"atomic", "next_atomic", ROLE_FIX, "atomic.AddInt32(v, 1)"},
      {"mutex", "next_mutex", ROLE_FIX, "mu.Lock() around the read and the write"}}},
    {"atomic-sum", "Atomic operations",
     "We sum the numbers from 1 to 100 split into two goroutines, 1 to 50 and 51 to 100, "
     "both adding into the same variable s, and still want 5050.",
     "s += i reads s and writes it back: two goroutines doing it at once lose additions and "
     "the sum falls short of 5050.  atomic.AddInt32 cannot lose one; partial sums joined "
     "after wg.Wait() share nothing at all.",
     false, 0, 3,
     {{"racy", "atomic_sum_racy", ROLE_RACY, "s += i from both goroutines"},
      {"atomic", "atomic_sum_atomic", ROLE_FIX, "atomic.AddInt32(&s, i)"},
      {"partials", "atomic_sum_partials", ROLE_FIX, "one partial sum per goroutine, added after wg.Wait()"}}},
    {"order", "Order of execution",
     "Two goroutines print \"Executing 1st goroutine\" and \"Executing 2nd goroutine\" and main "
     "waits for both, so the output is X or Y: the order of execution is not guaranteed.",
     "There is no race here (each goroutine only prints), so the detector is silent, and "
     "still the output differs from schedule to schedule.",
     false, 0, 1,
     {{"as-is", "order_asis", ROLE_PLAIN, "the tutorial's program, unchanged"}}},
    {"count", "Concurrency in Go",
     "count(\"sheep\") and count(\"fish\") called one after the other never reach the fish; with "
     "goroutines and a wait group both can run.",
     "The tutorial's count loops forever; each step here counts to 3 so it ends.  "
     "sequential: sheep then fish.  go-sheep: sheep in the background while main counts "
     "fish.  go-both: main returns at once and nothing is printed.  waitgroup: wg.Wait() "
     "keeps main alive until the sheep are counted.",
     false, 0, 4,
     {{"sequential", "count_sequential", ROLE_PLAIN, "count(\"sheep\"); count(\"fish\")"},
      {"go-sheep", "count_go_sheep", ROLE_PLAIN, "go count(\"sheep\"); count(\"fish\")"},
      {"go-both", "count_go_both", ROLE_PLAIN, "go count(\"sheep\"); go count(\"fish\"); return"},
      {"waitgroup", "count_waitgroup", ROLE_PLAIN, "go func() { count(\"sheep\"); wg.Done() }(); wg.Wait()"}}},
    {"channel", "Channels",
     "count sends \"sheep\" over a channel; main receives once, then with `for msg := range c`, "
     "which only ends when the channel is closed.",
     "Receiving once prints one sheep.  Ranging over a channel nobody closes waits forever "
     "after the last sheep, and the runtime says so: all goroutines are asleep - deadlock!  "
     "close(c) in count ends the range.",
     false, 0, 3,
     {{"once", "channel_once", ROLE_PLAIN, "msg := <-c, printed once"},
      {"unclosed", "channel_unclosed", ROLE_RACY, "for msg := range c, but count never closes c"},
      {"closed", "channel_closed", ROLE_FIX, "close(c) at the end of count"}}},
    {"pool", "Worker pools",
     "A worker pool: a queue of jobs on a channel and workers pulling things off the queue, "
     "their results collected by main.",
     "Adding results into a shared total from every worker is a race that loses results; "
     "sending them back on a results channel leaves the adding to main alone.",
     false, 0, 2,
     {{"racy", "pool_racy", ROLE_RACY, "workers do total += fib(n) on a shared total"},
      {"channel", "pool_channel", ROLE_FIX, "workers send fib(n) on a results channel"}}},
    {"parallel", "GOMAXPROCS: parallelism",
     "The same CPU-bound work in two goroutines, with GOMAXPROCS(1) (concurrency: one stream "
     "of execution) and GOMAXPROCS(2) (parallelism: two cores at once).",
     "Same result either way; the wall time shows whether the goroutines really ran at the "
     "same time.  The speed-up depends on how many cores are free.",
     true, 3, 2,
     {{"procs1", "parallel_procs1", ROLE_PLAIN, "runtime.GOMAXPROCS(1)"},
      {"procs2", "parallel_procs2", ROLE_PLAIN, "runtime.GOMAXPROCS(2)"}}},
};

const int cli_ndemos = (int)(sizeof cli_demos / sizeof cli_demos[0]);

const cli_demo *cli_demo_find(const char *name)
{
    for (int i = 0; i < cli_ndemos; i++)
        if (!strcmp(cli_demos[i].name, name))
            return &cli_demos[i];
    return NULL;
}

const cli_variant *cli_variant_find(const cli_demo *d, const char *name)
{
    for (int i = 0; i < d->nvariants; i++)
        if (!strcmp(d->variants[i].name, name))
            return &d->variants[i];
    return NULL;
}
