/*
 * run.c - runs a demo program many times, each run an isolated subprocess.
 *
 * Every run gets its own process group, its schedule in the environment (RACEDEMO_SEED,
 * RACEDEMO_PROCS, RACEDEMO_STRATEGY, ...), stdout and stderr on two pipes, a memfd
 * through which the runtime publishes its step count (RACEDEMO_EXPLORE_FD), a wall-clock
 * limit and an output cap.  When it exits, times out or floods its pipes, its whole
 * process group is killed, so a crash, deadlock or endless loop costs one run, not the
 * batch.  Up to `parallel` runs are in flight; one poll() loop serves all their pipes.
 *
 * Ownership: cli_run.out/err are malloc'd here and freed by cli_run_free.
 */
#define _GNU_SOURCE
#include "check.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_OUTPUT_CAP (1u << 20) /* per stream; more than that ends the run */
#define RUN_MAX_PARALLEL 16
#define RUN_EXPLORE_FD 3          /* where a child finds its step counter */

extern char **environ;

typedef struct run_slot {
    int job;               /* index into jobs/runs, -1 when free */
    pid_t pid;
    int fd[2];             /* stdout, stderr read ends; -1 once at EOF */
    int pidfd;             /* readable once the process has exited; -1 after reaping */
    size_t cap[2];
    int memfd;
    double start, deadline;
    bool reaped;
} run_slot;

/* The child's environment: ours without the variables that fix a schedule, plus the
 * job's.  Returns a malloc'd NULL-terminated array of malloc'd strings' pointers. */
static char **run_env(const cli_job *j, char buf[8][64])
{
    static const char *const drop[] = {"RACEDEMO_SEED=", "RACEDEMO_PROCS=", "RACEDEMO_STRATEGY=",
                                       "RACEDEMO_PCT_DEPTH=", "RACEDEMO_PCT_STEPS=",
                                       "RACEDEMO_PREEMPT=", "RACEDEMO_EXPLORE_FD="};
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = malloc((n + 9) * sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool keep = true;
        for (size_t d = 0; d < sizeof drop / sizeof drop[0]; d++)
            keep &= strncmp(environ[i], drop[d], strlen(drop[d])) != 0;
        if (keep)
            env[k++] = environ[i];
    }
    int b = 0;
    snprintf(buf[b], 64, "RACEDEMO_SEED=%llu", (unsigned long long)j->seed);
    env[k++] = buf[b++];
    snprintf(buf[b], 64, "RACEDEMO_PROCS=%d", j->procs);
    env[k++] = buf[b++];
    snprintf(buf[b], 64, "RACEDEMO_STRATEGY=%s", j->strategy);
    env[k++] = buf[b++];
    snprintf(buf[b], 64, "RACEDEMO_EXPLORE_FD=%d", RUN_EXPLORE_FD);
    env[k++] = buf[b++];
    if (j->pct_depth > 0) {
        snprintf(buf[b], 64, "RACEDEMO_PCT_DEPTH=%d", j->pct_depth);
        env[k++] = buf[b++];
    }
    if (j->pct_steps) {
        snprintf(buf[b], 64, "RACEDEMO_PCT_STEPS=%llu", (unsigned long long)j->pct_steps);
        env[k++] = buf[b++];
    }
    if (j->preempt >= 0) {
        snprintf(buf[b], 64, "RACEDEMO_PREEMPT=%d", j->preempt);
        env[k++] = buf[b++];
    }
    env[k] = NULL;
    return env;
}

static int run_start(run_slot *s, const cli_job *j, cli_run *r, double timeout_s)
{
    int out[2], err[2];
    s->memfd = memfd_create("racedemo-steps", MFD_CLOEXEC);
    if (s->memfd < 0 || ftruncate(s->memfd, 4096) != 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        return -1;
    }
    char buf[8][64];
    char **env = run_env(j, buf);
    char *argv[] = {(char *)j->path, NULL};
    /* posix_spawn (vfork-like in glibc): much cheaper than fork for hundreds of runs */
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    /* the step counter at fd 3 in this child only (every memfd here is close-on-exec) */
    posix_spawn_file_actions_adddup2(&fa, s->memfd, RUN_EXPLORE_FD);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = -1;
    int rc = env ? posix_spawn(&pid, j->path, &fa, &attr, argv, env) : ENOMEM;
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    free(env);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        close(out[0]);
        close(err[0]);
        close(s->memfd);
        errno = rc;
        return -1;
    }
    s->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    memset(r, 0, sizeof *r);
    r->seed = j->seed;
    s->pid = pid;
    s->fd[0] = out[0];
    s->fd[1] = err[0];
    s->cap[0] = s->cap[1] = 0;
    s->start = check_now_s();
    s->deadline = s->start + timeout_s;
    s->reaped = false;
    return 0;
}

/* Append what fd has to the run's buffer; false at EOF.  Output past the cap ends the
 * run (a program printing forever must not eat the machine). */
static bool run_read(run_slot *s, cli_run *r, int which)
{
    char **buf = which ? &r->err : &r->out;
    size_t *len = which ? &r->nerr : &r->nout;
    if (*len + 65536 + 1 > s->cap[which]) {
        size_t cap = s->cap[which] ? 2 * s->cap[which] : 65536 + 1;
        char *p = realloc(*buf, cap);
        if (!p)
            return false;
        *buf = p;
        (*buf)[*len] = 0;
        s->cap[which] = cap;
    }
    ssize_t k = read(s->fd[which], *buf + *len, 65536);
    if (k < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (k <= 0)
        return false;
    *len += (size_t)k;
    (*buf)[*len] = 0;
    if (*len > RUN_OUTPUT_CAP) {
        r->truncated = true;
        kill(-s->pid, SIGKILL);
    }
    return true;
}

static void run_finish(run_slot *s, cli_run *r)
{
    for (int i = 0; i < 2; i++) {
        char **buf = i ? &r->err : &r->out;
        if (!*buf)
            *buf = calloc(1, 1);
    }
    uint64_t *steps = mmap(NULL, 4096, PROT_READ, MAP_SHARED, s->memfd, 0);
    if (steps != MAP_FAILED) {
        r->steps = *steps;
        munmap(steps, 4096);
    }
    close(s->memfd);
    r->wall_s = check_now_s() - s->start;
    s->job = -1;
}

/* One turn of the loop: wait for output or a deadline, then collect. */
static void run_poll(run_slot *slots, int nslots, cli_run *runs)
{
    struct pollfd pfd[3 * RUN_MAX_PARALLEL];
    int owner[3 * RUN_MAX_PARALLEL], np = 0;
    double now = check_now_s(), wait = 1.0;
    for (int i = 0; i < nslots; i++) {
        run_slot *s = &slots[i];
        if (s->job < 0)
            continue;
        for (int w = 0; w < 2; w++)
            if (s->fd[w] >= 0) {
                pfd[np] = (struct pollfd){.fd = s->fd[w], .events = POLLIN};
                owner[np++] = i * 3 + w;
            }
        if (s->pidfd >= 0 && !s->reaped) {
            pfd[np] = (struct pollfd){.fd = s->pidfd, .events = POLLIN};
            owner[np++] = i * 3 + 2;
        }
        double left = s->deadline - now;
        if (left < wait)
            wait = left;
        if (s->pidfd < 0 && s->fd[0] < 0 && s->fd[1] < 0 && wait > 0.001)
            wait = 0.001; /* no pidfd (old kernel): poll for the exit */
    }
    poll(pfd, (nfds_t)np, wait > 0 ? (int)(wait * 1000) + 1 : 0);
    for (int p = 0; p < np; p++) {
        if (!pfd[p].revents)
            continue;
        run_slot *s = &slots[owner[p] / 3];
        int w = owner[p] % 3;
        if (w == 2)
            continue; /* the exit: waitpid below */
        if (!run_read(s, &runs[s->job], w)) {
            close(s->fd[w]);
            s->fd[w] = -1;
        }
    }
    now = check_now_s();
    for (int i = 0; i < nslots; i++) {
        run_slot *s = &slots[i];
        if (s->job < 0)
            continue;
        cli_run *r = &runs[s->job];
        if (!s->reaped && now > s->deadline) {
            r->timed_out = true;
            kill(-s->pid, SIGKILL);
        }
        struct rusage ru;
        if (!s->reaped && wait4(s->pid, &r->status, WNOHANG, &ru) == s->pid) {
            r->cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                       ru.ru_stime.tv_usec / 1e6;
            s->reaped = true;
            kill(-s->pid, SIGKILL); /* whatever it left behind in its group */
            if (s->pidfd >= 0)
                close(s->pidfd);
            s->pidfd = -1;
        }
        if (s->reaped && s->fd[0] < 0 && s->fd[1] < 0)
            run_finish(s, r);
    }
}

int cli_run_jobs(const cli_job *jobs, cli_run *runs, int n, int parallel, double timeout_s,
                 cli_progress_fn progress, void *ctx)
{
    run_slot slots[RUN_MAX_PARALLEL];
    if (parallel < 1)
        parallel = 1;
    if (parallel > RUN_MAX_PARALLEL)
        parallel = RUN_MAX_PARALLEL;
    for (int i = 0; i < parallel; i++)
        slots[i].job = -1;
    int next = 0, done = 0;
    while (done < n) {
        for (int i = 0; i < parallel && next < n; i++) {
            if (slots[i].job >= 0)
                continue;
            if (run_start(&slots[i], &jobs[next], &runs[next], timeout_s) != 0) {
                fprintf(stderr, "racedemo: cannot start %s: %s\n", jobs[next].path, strerror(errno));
                return -1;
            }
            slots[i].job = next++;
        }
        run_poll(slots, parallel, runs);
        int busy = 0;
        for (int i = 0; i < parallel; i++)
            busy += slots[i].job >= 0;
        int now_done = next - busy;
        if (now_done != done && progress)
            progress(now_done, n, ctx);
        done = now_done;
    }
    return 0;
}

void cli_run_free(cli_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}
