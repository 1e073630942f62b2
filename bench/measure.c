/*
 * measure.c - bench_measure CMD ARGS...: run one benchmark process and report what only
 * its parent can see: wall time and peak resident set size (wait4's ru_maxrss, the figure
 * /usr/bin/time -v prints as "Maximum resident set size").
 *
 * The child's stdout passes through unchanged; afterwards one line is appended:
 *   MEASURE wall_ms=<ms> maxrss_kb=<KiB> status=<exit status or 128+signal>
 * and bench_measure exits with the child's status, so a crashed benchmark is visible.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_measure CMD [ARGS...]\n");
        return 2;
    }
    fflush(stdout);
    int64_t t0 = bench_now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_measure: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror("bench_measure: exec");
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0) {
        perror("bench_measure: wait4");
        return 2;
    }
    int64_t t1 = bench_now_ns();
    int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    printf("MEASURE wall_ms=%.1f maxrss_kb=%ld status=%d\n", (double)(t1 - t0) / 1e6,
           ru.ru_maxrss, status);
    return status;
}
