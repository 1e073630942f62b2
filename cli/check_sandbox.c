/*
 * check_sandbox.c - running untrusted programs: one process group per run, rlimits, an
 * unprivileged uid when racedemo is root, a wall-clock timeout, capped output.
 *
 * A run's life:
 *   fork -> child: new process group, stdin /dev/null, stdout/stderr to pipes, every
 *   other fd closed, cwd = scratch dir, RLIMIT_CPU/AS/FSIZE/NPROC/NOFILE/CORE, then (root
 *   only) setgroups/setresgid/setresuid to the slot's uid, no_new_privs, parent-death
 *   signal, execve with an environment built from scratch (no CI secret leaks in).
 *   parent: poll() on the pipes of every running job; output beyond the cap is read and
 *   dropped, so a program printing 1 GB never blocks on a full pipe; at the deadline the
 *   group is SIGKILLed.  Memory is limited by what is resident, sampled every 20 ms over
 *   all the run uid's processes (or the program alone when not root): an address-space
 *   rlimit cannot work, since the race detector reserves terabytes for shadow memory.  When the program is gone the group is SIGKILLed anyway (orphans
 *   it forked) and, as root, every process of the slot's uid too (a grandchild that
 *   escaped with setsid): each concurrently running job has its own uid, so that sweep
 *   and RLIMIT_NPROC (counted per uid) concern that run alone.
 *
 * The pool is single-threaded (poll loop), so fork() is always safe and results arrive in
 * the caller's thread.  Slots are reused only after their job is fully cleaned up.
 */
#define _GNU_SOURCE
#include "check_impl.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SBX_DEFAULT_UID_BASE 2147000000u /* systemd's "unused" uid block */
#define SBX_DRAIN_GRACE_S 0.2
#define SBX_MAX_UIDS 4096
#define SBX_MEM_TICK_S 0.02

typedef struct sbx_job {
    bool busy;
    int job, slot;
    pid_t pid;
    int fd[2];           /* stdout, stderr read ends; -1 once closed */
    int pidfd;           /* readable once the program exits; -1 if the kernel has none */
    bool exited;
    double start, deadline;
    sbx_spec spec;
    sbx_result res;
} sbx_job;

/* The running pool's jobs, so that reaping any child (orphans of a run are reparented to
 * us: we are a child subreaper) can hand a job's own exit status to that job. */
static sbx_job *sbx_jobs;
static int sbx_njobs;

bool sbx_is_root(void) { return geteuid() == 0; }

/* Logical slot -> claimed uid offset.  Two racedemo processes on one machine must never
 * share a uid: the end-of-run sweep kills everything the uid owns, and RLIMIT_NPROC counts
 * per uid.  So each offset is claimed with an flock on /run/racedemo-check/uid-N.lock,
 * held (inherited by batch workers) until racedemo exits. */
static int sbx_slot_map[SBX_MAX_SLOTS];
static int sbx_nclaimed;

/* A root-owned directory nobody else can write: /run's, else one in /tmp (checked with
 * lstat, so a planted symlink or someone else's directory is refused). */
static const char *sbx_lock_dir(void)
{
    static const char *const dirs[] = {"/run/racedemo-check", "/tmp/.racedemo-check-root"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        struct stat st;
        mkdir(dirs[i], 0700);
        if (lstat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 && !(st.st_mode & 022))
            return dirs[i];
    }
    return NULL;
}

bool sbx_claim_slots(int n)
{
    if (!sbx_is_root())
        return true; /* no uid switch, no sweep: nothing to share */
    if (n > SBX_MAX_SLOTS)
        return false;
    const char *dir = sbx_lock_dir();
    if (!dir)
        return false;
    for (int off = 0; off < SBX_MAX_UIDS && sbx_nclaimed < n; off++) {
        char path[96];
        snprintf(path, sizeof path, "%s/uid-%d.lock", dir, off);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            close(fd);
            continue;
        }
        sbx_slot_map[sbx_nclaimed++] = off; /* fd stays open: the claim lives as long as we do */
    }
    return sbx_nclaimed >= n;
}

void sbx_user(int slot, uid_t *uid, gid_t *gid)
{
    unsigned long base = SBX_DEFAULT_UID_BASE;
    const char *e = getenv("RACEDEMO_CHECK_UID");
    if (e && *e)
        base = strtoul(e, NULL, 10);
    unsigned long off = slot >= 0 && slot < sbx_nclaimed ? (unsigned long)sbx_slot_map[slot]
                                                         : (unsigned long)slot;
    *uid = (uid_t)(base + off);
    *gid = (gid_t)(base + off);
}

/* ---- the child side: only async-signal-safe calls between fork and exec --------------- */

static void sbx_limit(int res, rlim_t soft, rlim_t hard)
{
    struct rlimit rl = {soft, hard};
    setrlimit(res, &rl);
}

static void sbx_apply_limits(const sbx_limits *l)
{
    if (l->cpu_s > 0)
        sbx_limit(RLIMIT_CPU, (rlim_t)l->cpu_s, (rlim_t)l->cpu_s + 1);
    if (l->as_mb > 0)
        sbx_limit(RLIMIT_AS, (rlim_t)l->as_mb << 20, (rlim_t)l->as_mb << 20);
    if (l->fsize_mb > 0)
        sbx_limit(RLIMIT_FSIZE, (rlim_t)l->fsize_mb << 20, (rlim_t)l->fsize_mb << 20);
    if (l->nproc > 0)
        sbx_limit(RLIMIT_NPROC, (rlim_t)l->nproc, (rlim_t)l->nproc);
    sbx_limit(RLIMIT_NOFILE, 256, 256);
    sbx_limit(RLIMIT_CORE, 0, 0);
}

static _Noreturn void sbx_child_fail(int errfd, const char *what)
{
    int e = errno;
    char msg[256];
    int n = 0;
    const char *es = strerror(e);
    for (const char *p = what; *p && n < 120; p++)
        msg[n++] = *p;
    msg[n++] = ':';
    msg[n++] = ' ';
    for (const char *p = es; *p && n < 250; p++)
        msg[n++] = *p;
    if (write(errfd, msg, (size_t)n) < 0) { /* the parent sees a silent failure */ }
    _exit(127);
}

static _Noreturn void sbx_child(const sbx_spec *s, int out_w, int err_w, int errfd)
{
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
        sbx_child_fail(errfd, "redirect");
    if (dup2(errfd, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
        sbx_child_fail(errfd, "error pipe");
    errfd = 3;
    if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0)
        for (int fd = 4; fd < 1024; fd++)
            close(fd);
    if (chdir(s->cwd) != 0)
        sbx_child_fail(errfd, "chdir to the scratch directory");
    sbx_apply_limits(&s->lim);
    if (s->drop) {
        if (setgroups(0, NULL) != 0 || setresgid(s->gid, s->gid, s->gid) != 0)
            sbx_child_fail(errfd, "cannot switch to the sandbox group (set RACEDEMO_CHECK_UID)");
        if (setresuid(s->uid, s->uid, s->uid) != 0)
            sbx_child_fail(errfd, "cannot switch to the sandbox user (set RACEDEMO_CHECK_UID)");
    }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* after setresuid, which clears it */
    umask(077);
    execve(s->argv[0], s->argv, s->envp);
    sbx_child_fail(errfd, s->argv[0]);
}

/* ---- the parent side ----------------------------------------------------------------------- */

static void sbx_fail(sbx_job *j, const char *what)
{
    j->res.start_failed = true;
    sb_printf(&j->res.err, "racedemo: %s: %s\n", what, strerror(errno));
}

static bool sbx_start(sbx_job *j)
{
    int out[2], err[2], ep[2];
    memset(&j->res, 0, sizeof j->res);
    if (pipe2(out, O_CLOEXEC) != 0)
        return sbx_fail(j, "pipe"), false;
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]), close(out[1]);
        return sbx_fail(j, "pipe"), false;
    }
    if (pipe2(ep, O_CLOEXEC) != 0) {
        close(out[0]), close(out[1]), close(err[0]), close(err[1]);
        return sbx_fail(j, "pipe"), false;
    }
    fflush(NULL);
    j->start = check_now_s();
    j->deadline = j->start + (j->spec.lim.wall_s > 0 ? j->spec.lim.wall_s : 1e9);
    pid_t pid = fork();
    if (pid == 0)
        sbx_child(&j->spec, out[1], err[1], ep[1]);
    close(out[1]), close(err[1]), close(ep[1]);
    if (pid < 0) {
        close(out[0]), close(err[0]), close(ep[0]);
        return sbx_fail(j, "fork"), false;
    }
    setpgid(pid, pid); /* also done by the child: whichever runs first wins the race */
    j->pid = pid;
    j->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    j->fd[0] = out[0];
    j->fd[1] = err[0];
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    char msg[256];
    ssize_t n;
    while ((n = read(ep[0], msg, sizeof msg)) < 0 && errno == EINTR)
        ;
    close(ep[0]);
    if (n > 0) {
        j->res.start_failed = true;
        sb_puts(&j->res.err, "racedemo: cannot start the program: ");
        sb_add(&j->res.err, msg, (size_t)n);
        sb_puts(&j->res.err, "\n");
    }
    return true;
}

/* Read what is available on job fd i; drop beyond the cap; close at EOF. */
static void sbx_read(sbx_job *j, int i)
{
    char buf[65536];
    strbuf *dst = i ? &j->res.err : &j->res.out;
    bool *trunc = i ? &j->res.err_truncated : &j->res.out_truncated;
    for (;;) {
        ssize_t n = read(j->fd[i], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0 || errno != EAGAIN) {
                close(j->fd[i]);
                j->fd[i] = -1;
            }
            return;
        }
        size_t room = dst->len < j->spec.lim.out_cap ? j->spec.lim.out_cap - dst->len : 0;
        size_t keep = (size_t)n < room ? (size_t)n : room;
        if (keep)
            sb_add(dst, buf, keep);
        if ((size_t)n > keep)
            *trunc = true;
    }
}

void sbx_sweep_uid(uid_t uid)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* kill(-1) as the uid reaches exactly the processes that uid owns */
        if (setresuid(uid, uid, uid) == 0)
            kill(-1, SIGKILL);
        _exit(0);
    }
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
}

static void sbx_note_cpu(sbx_job *j, const struct rusage *ru)
{
    j->res.cpu_s = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
                   (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

/* Reap every child that has exited: a job's program (status recorded in its job) or an
 * orphan one of them left (its status means nothing).  Zombies must not pile up: they
 * count against the run uid's RLIMIT_NPROC, and a container's init may never reap them. */
static void sbx_reap_children(void)
{
    for (;;) {
        int st;
        struct rusage ru;
        pid_t pid = wait4(-1, &st, WNOHANG, &ru);
        if (pid <= 0)
            return;
        for (int k = 0; k < sbx_njobs; k++) {
            sbx_job *j = &sbx_jobs[k];
            if (j->busy && j->pid == pid && !j->exited) {
                j->res.status = st;
                sbx_note_cpu(j, &ru);
                j->exited = true;
            }
        }
    }
}

/* True while we have a child that is not the program of a running job: an orphan of a
 * finished run, reparented to us (we are a subreaper), not reaped yet.  Every process a
 * run leaves behind ends up as such a child once its parents are dead, so none left
 * means the run's uid owns nothing any more, zombies included.  Reads our children list
 * (one small file); -1 if the kernel does not provide it. */
static int sbx_stray_children(void)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = 0;
    for (char *p = buf, *end; *p; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        bool job = false;
        for (int k = 0; k < sbx_njobs && !job; k++)
            job = sbx_jobs[k].busy && !sbx_jobs[k].exited && sbx_jobs[k].pid == (pid_t)pid;
        if (!job)
            return 1;
    }
    return 0;
}

/* After the sweep: reap until no orphan of the run is left (up to a second, sweeping
 * again now and then for a fork that was in flight), so the next run of this slot has
 * the whole RLIMIT_NPROC budget. */
static void sbx_wait_uid_gone(uid_t uid)
{
    for (int k = 0; k < 5000; k++) {
        sbx_reap_children();
        int stray = sbx_stray_children();
        if (stray == 0)
            return;
        if (stray < 0) { /* no children list: give the dying a moment, once */
            usleep(10000);
            sbx_reap_children();
            return;
        }
        if (k % 500 == 499)
            sbx_sweep_uid(uid);
        usleep(200);
    }
}

/* The program is gone or must go: kill what is left, reap it, drain the pipes. */
static void sbx_finish(sbx_job *j)
{
    if (!j->exited)
        kill(j->pid, SIGKILL); /* even if it left its process group */
    kill(-j->pid, SIGKILL);
    if (j->spec.drop)
        sbx_sweep_uid(j->spec.uid);
    if (!j->exited) {
        struct rusage ru;
        while (wait4(j->pid, &j->res.status, 0, &ru) < 0 && errno == EINTR)
            ;
        sbx_note_cpu(j, &ru);
        j->exited = true;
    }
    if (j->spec.drop)
        sbx_wait_uid_gone(j->spec.uid);
    else
        sbx_reap_children();
    double until = check_now_s() + SBX_DRAIN_GRACE_S;
    while ((j->fd[0] >= 0 || j->fd[1] >= 0) && check_now_s() < until) {
        struct pollfd p[2];
        int np = 0;
        for (int i = 0; i < 2; i++)
            if (j->fd[i] >= 0)
                p[np++] = (struct pollfd){.fd = j->fd[i], .events = POLLIN};
        if (poll(p, (nfds_t)np, 20) <= 0)
            continue;
        for (int i = 0; i < 2; i++)
            if (j->fd[i] >= 0)
                sbx_read(j, i);
    }
    for (int i = 0; i < 2; i++)
        if (j->fd[i] >= 0)
            close(j->fd[i]), j->fd[i] = -1;
    if (j->pidfd >= 0)
        close(j->pidfd), j->pidfd = -1;
    j->res.wall_s = check_now_s() - j->start;
}

/* Resident pages of one process (from /proc/PID/statm), relative to dir fd /proc. */
static long sbx_rss_pages(int procfd, const char *pid)
{
    char path[300], buf[128];
    snprintf(path, sizeof path, "%s/statm", pid); /* pid: a d_name, at most 255 bytes */
    int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    long size = 0, resident = 0;
    sscanf(buf, "%ld %ld", &size, &resident);
    return resident;
}

static void sbx_kill_job(sbx_job *j)
{
    kill(-j->pid, SIGKILL);
    if (j->spec.drop)
        sbx_sweep_uid(j->spec.uid);
}

/* Every SBX_MEM_TICK_S: add up each job's resident memory, kill the jobs above limit. */
static void sbx_mem_tick(sbx_job *js, int nj)
{
    static double next;
    double now = check_now_s();
    if (now < next)
        return;
    next = now + SBX_MEM_TICK_S;
    long pages[nj];
    bool any = false, scan = false;
    for (int k = 0; k < nj; k++) {
        pages[k] = 0;
        /* a run's first 50 ms go unsampled: most runs are over by then */
        if (js[k].busy && !js[k].exited && js[k].spec.lim.rss_mb > 0 && now - js[k].start > 0.05) {
            any = true;
            scan |= js[k].spec.drop;
        }
    }
    if (!any)
        return;
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *e;
    while (scan && (e = readdir(d))) {
        struct stat st;
        if (!isdigit((unsigned char)e->d_name[0]) || fstatat(dirfd(d), e->d_name, &st, 0) != 0)
            continue;
        for (int k = 0; k < nj; k++)
            if (js[k].busy && js[k].spec.drop && st.st_uid == js[k].spec.uid)
                pages[k] += sbx_rss_pages(dirfd(d), e->d_name);
    }
    long page_kb = sysconf(_SC_PAGESIZE) / 1024;
    for (int k = 0; k < nj; k++) {
        sbx_job *j = &js[k];
        if (!j->busy || j->exited || j->spec.lim.rss_mb <= 0 || now - j->start <= 0.05)
            continue;
        if (!j->spec.drop) {
            char pid[32];
            snprintf(pid, sizeof pid, "%d", (int)j->pid);
            pages[k] = sbx_rss_pages(dirfd(d), pid);
        }
        long mb = pages[k] * page_kb / 1024;
        if (mb > j->res.peak_rss_mb)
            j->res.peak_rss_mb = mb;
        if (mb > j->spec.lim.rss_mb && !j->res.mem_exceeded) {
            j->res.mem_exceeded = true;
            sbx_kill_job(j);
        }
    }
    closedir(d);
}

static void sbx_poll_jobs(sbx_job *js, int nj)
{
    struct pollfd p[3 * nj];
    int owner[3 * nj], which[3 * nj], np = 0;
    double now = check_now_s(), wait = 1.0;
    for (int k = 0; k < nj; k++) {
        if (!js[k].busy)
            continue;
        if (js[k].deadline - now < wait)
            wait = js[k].deadline - now;
        bool open_fd = false;
        for (int i = 0; i < 2; i++)
            if (js[k].fd[i] >= 0) {
                p[np] = (struct pollfd){.fd = js[k].fd[i], .events = POLLIN};
                owner[np] = k, which[np++] = i;
                open_fd = true;
            }
        if (js[k].pidfd >= 0) {
            p[np] = (struct pollfd){.fd = js[k].pidfd, .events = POLLIN};
            owner[np] = k, which[np++] = 2;
        } else if (!open_fd && wait > 0.005) {
            wait = 0.005; /* no pidfd and no output left: only waitpid tells when it ends */
        }
    }
    int ms = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
    if (ms > SBX_MEM_TICK_S * 1000)
        ms = (int)(SBX_MEM_TICK_S * 1000);
    if (poll(p, (nfds_t)np, ms) > 0)
        for (int i = 0; i < np; i++)
            if (p[i].revents && which[i] < 2)
                sbx_read(&js[owner[i]], which[i]);
}

/* True once job j is over (exited or killed at its deadline). */
static bool sbx_check_done(sbx_job *j)
{
    sbx_reap_children();
    if (j->exited)
        return true;
    if (check_now_s() >= j->deadline) {
        j->res.timed_out = true;
        j->res.limit_s = j->spec.lim.wall_s;
        return true;
    }
    return false;
}

void sbx_run_pool(int n, int jobs, sbx_prepare_fn prepare, sbx_done_fn done, void *ctx)
{
    if (jobs < 1)
        jobs = 1;
    sbx_job *js = check_alloc((size_t)jobs * sizeof *js);
    int next = 0, running = 0;
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); /* orphans of a run come back to us */
    sbx_job *outer = sbx_jobs;
    int nouter = sbx_njobs;
    sbx_jobs = js, sbx_njobs = jobs;
    while (next < n || running) {
        for (int k = 0; k < jobs && next < n; k++) {
            if (js[k].busy)
                continue;
            sbx_job *j = &js[k];
            memset(j, 0, sizeof *j);
            j->fd[0] = j->fd[1] = j->pidfd = -1;
            j->job = next++;
            j->slot = k;
            if (!prepare(ctx, j->job, k, &j->spec))
                continue;
            if (!sbx_start(j) || j->res.start_failed) {
                if (j->pid > 0)
                    sbx_finish(j);
                done(ctx, j->job, k, &j->res);
                continue;
            }
            j->busy = true;
            running++;
        }
        if (!running)
            continue;
        sbx_poll_jobs(js, jobs);
        sbx_mem_tick(js, jobs);
        for (int k = 0; k < jobs; k++) {
            if (!js[k].busy || !sbx_check_done(&js[k]))
                continue;
            sbx_finish(&js[k]);
            js[k].busy = false;
            running--;
            done(ctx, js[k].job, k, &js[k].res);
        }
    }
    sbx_jobs = outer, sbx_njobs = nouter;
    free(js);
}

typedef struct sbx_one {
    sbx_spec *spec;
    sbx_result *res;
} sbx_one;

static bool sbx_one_prepare(void *ctx, int job, int slot, sbx_spec *spec)
{
    (void)job, (void)slot;
    *spec = *((sbx_one *)ctx)->spec;
    return true;
}

static void sbx_one_done(void *ctx, int job, int slot, sbx_result *res)
{
    (void)job, (void)slot;
    *((sbx_one *)ctx)->res = *res; /* moves the buffers */
    memset(res, 0, sizeof *res);
}

void sbx_run(sbx_spec *spec, int slot, sbx_result *res)
{
    (void)slot;
    sbx_one one = {spec, res};
    sbx_run_pool(1, 1, sbx_one_prepare, sbx_one_done, &one);
}

void sbx_result_free(sbx_result *r)
{
    sb_free(&r->out);
    sb_free(&r->err);
}

long sbx_user_tasks(uid_t uid)
{
    long n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[300], line[256];
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        unsigned long ruid = ~0ul;
        long threads = 1;
        while (fgets(line, sizeof line, f)) {
            if (!strncmp(line, "Uid:", 4))
                ruid = strtoul(line + 4, NULL, 10);
            else if (!strncmp(line, "Threads:", 8))
                threads = strtol(line + 8, NULL, 10);
        }
        fclose(f);
        if (ruid == (unsigned long)uid)
            n += threads;
    }
    if (d)
        closedir(d);
    return n;
}

/* ---- scratch directories -------------------------------------------------------------------- */

static int sbx_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static int sbx_rm_child(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    if (ftw->level == 0)
        return 0;
    return sbx_rm_one(path, st, flag, ftw);
}

void sbx_clear_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    bool empty = true;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = false;
    if (d)
        closedir(d);
    if (empty)
        return; /* the common case costs one getdents */
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    sbx_chown_tree(path, geteuid(), getegid());
    nftw(path, sbx_rm_child, 32, FTW_DEPTH | FTW_PHYS);
    lchown(path, st.st_uid, st.st_gid);
    chmod(path, st.st_mode & 07777);
}

void sbx_rmtree(const char *path)
{
    /* the program may have left a directory without search permission for root's sake */
    sbx_chown_tree(path, geteuid(), getegid());
    nftw(path, sbx_rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

static uid_t sbx_chown_uid;
static gid_t sbx_chown_gid;

static int sbx_chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    lchown(path, sbx_chown_uid, sbx_chown_gid);
    if (flag == FTW_D || flag == FTW_DNR)
        chmod(path, (st->st_mode & 07777) | 0700);
    return 0;
}

void sbx_chown_tree(const char *path, uid_t uid, gid_t gid)
{
    sbx_chown_uid = uid;
    sbx_chown_gid = gid;
    nftw(path, sbx_chown_one, 32, FTW_PHYS);
}

bool sbx_private_mounts(void)
{
    static int state; /* 0 untried, 1 done, -1 impossible */
    if (!state) {
        state = sbx_is_root() && unshare(CLONE_NEWNS) == 0 &&
                        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0
                    ? 1
                    : -1;
    }
    return state > 0;
}

bool sbx_mount_scratch(const char *path, long size_mb, uid_t uid, gid_t gid)
{
    if (!sbx_private_mounts())
        return false;
    char opts[128];
    snprintf(opts, sizeof opts, "size=%ldm,nr_inodes=4096,mode=0700,uid=%u,gid=%u", size_mb,
             (unsigned)uid, (unsigned)gid);
    return mount("racedemo-scratch", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) == 0;
}

void sbx_unmount(const char *path) { umount2(path, MNT_DETACH); }

bool sbx_mkdir_owned(const char *path, mode_t mode, bool chown_it, uid_t uid, gid_t gid)
{
    if (mkdir(path, mode) != 0)
        return false;
    if (chown_it && chown(path, uid, gid) != 0)
        return false;
    return chmod(path, mode) == 0;
}
