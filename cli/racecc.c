/*
 * racecc - `go build -race` for C: a compiler driver that builds programs using
 * goroutine.h with race instrumentation, linked against libracedemo (never libtsan).
 *
 *   racecc -o prog prog.c util.c -lm     compile every source instrumented, link
 *   racecc -c prog.c                     compile only (for Makefiles: CC=racecc)
 *   racecc --cflags | --libs             the flags, for build systems that want them
 *
 * Sources are compiled with -fsanitize=thread one by one into a temporary directory and
 * the objects linked without it, so the compiler emits __tsan_* calls but does not link
 * its own sanitizer runtime.  Everything else on the command line is passed through:
 * to both steps when it could matter to both, to the link step only for -l/-L/-Wl.
 */
#define _GNU_SOURCE
#include "check_impl.h"
#include "check_config.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int rc_spawn(char **argv)
{
    pid_t pid;
    int err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (err) {
        fprintf(stderr, "racecc: %s: %s\n", argv[0], strerror(err));
        return 127;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static bool rc_is_source(const char *a)
{
    size_t n = strlen(a);
    return a[0] != '-' && n > 2 && (!strcmp(a + n - 2, ".c") || !strcmp(a + n - 2, ".i"));
}

static bool rc_link_only(const char *a)
{
    return !strncmp(a, "-l", 2) || !strncmp(a, "-L", 2) || !strncmp(a, "-Wl,", 4) ||
           (a[0] != '-' && (strstr(a, ".o") || strstr(a, ".a") || strstr(a, ".so")));
}

static char **rc_argv(int cap)
{
    return check_alloc((size_t)(cap + 1) * sizeof(char *));
}

/* cc <instrumentation> -I<inc> <user flags> -c src -o obj */
static int rc_compile(const char *cc, const tc_paths *p, int argc, char **argv, const char *src,
                      const char *obj)
{
    char **base = tc_compile_argv(cc, p, src, obj);
    int nb = 0;
    while (base[nb])
        nb++;
    char **v = rc_argv(nb + argc);
    int n = 0;
    for (int i = 0; i < nb - 4; i++) /* everything before "-c src -o obj" */
        v[n++] = base[i];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o")) {
            i++;
            continue;
        }
        if (!rc_is_source(argv[i]) && !rc_link_only(argv[i]) && strcmp(argv[i], "-c"))
            v[n++] = argv[i];
    }
    for (int i = nb - 4; i < nb; i++)
        v[n++] = base[i];
    int rc = rc_spawn(v);
    free(v);
    tc_argv_free(base);
    return rc;
}

static int rc_print_flags(const tc_paths *p, const char *what)
{
    if (!strcmp(what, "--cflags")) {
        printf("%s -I%s\n", RACEDEMO_CHECK_CFLAGS_STR, p->include_dir);
    } else {
        char *objs[] = {NULL};
        char **v = tc_link_argv("cc", p, objs, 0, "x");
        for (int i = 3; v[i]; i++) /* skip "cc -o x" */
            printf("%s%s", i > 3 ? " " : "", v[i]);
        printf("\n");
        tc_argv_free(v);
    }
    return 0;
}

/* With -c (or -S/-E) there is nothing to link: compile each source in place. */
static bool rc_compile_only(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "-S") || !strcmp(argv[i], "-E"))
            return true;
    return false;
}

static int rc_passthrough_compile(const char *cc, const tc_paths *p, int argc, char **argv)
{
    char **base = tc_compile_argv(cc, p, "x", "x");
    int nb = 0;
    while (base[nb])
        nb++;
    char **v = rc_argv(nb + argc);
    int n = 0;
    for (int i = 0; i < nb - 4; i++)
        v[n++] = base[i];
    for (int i = 1; i < argc; i++)
        v[n++] = argv[i];
    int rc = rc_spawn(v);
    free(v);
    tc_argv_free(base);
    return rc;
}

static int rc_build(const char *cc, const tc_paths *p, int argc, char **argv)
{
    char tmp[PATH_MAX];
    const char *t = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/racecc-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp)) {
        perror("racecc: mkdtemp");
        return 1;
    }
    char **objs = rc_argv(argc), *exe = "a.out";
    int nobj = 0, rc = 0;
    for (int i = 1; i < argc && !rc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            exe = argv[++i];
        } else if (rc_is_source(argv[i])) {
            strbuf o = {0};
            sb_printf(&o, "%s/%d.o", tmp, nobj);
            objs[nobj] = sb_take(&o);
            rc = rc_compile(cc, p, argc, argv, argv[i], objs[nobj++]);
        } else if (rc_link_only(argv[i])) {
            objs[nobj++] = check_strdup(argv[i]);
        }
    }
    if (!rc) {
        char **v = tc_link_argv(cc, p, objs, nobj, exe);
        rc = rc_spawn(v);
        tc_argv_free(v);
    }
    for (int i = 0; i < nobj; i++) {
        if (!strncmp(objs[i], tmp, strlen(tmp)))
            unlink(objs[i]);
        free(objs[i]);
    }
    free(objs);
    rmdir(tmp);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs("usage: racecc [-o PROG] FILE.c... [cc flags]   build with race detection\n"
              "       racecc -c FILE.c [cc flags]              compile one object\n"
              "       racecc --cflags | --libs                 flags for other build systems\n"
              "The compiler is $CC (default " RACEDEMO_CHECK_CC "); RACEDEMO_PREFIX overrides where\n"
              "goroutine.h and libracedemo.a are found.\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("racecc (racedemo) %s\n", RACEDEMO_CHECK_VERSION);
        return 0;
    }
    tc_paths p;
    strbuf err = {0};
    if (!tc_locate(&p, &err)) {
        fprintf(stderr, "racecc: %s\n", sb_str(&err));
        return 1;
    }
    const char *cc = tc_compiler(NULL);
    int rc;
    if (!strcmp(argv[1], "--cflags") || !strcmp(argv[1], "--libs"))
        rc = rc_print_flags(&p, argv[1]);
    else if (rc_compile_only(argc, argv))
        rc = rc_passthrough_compile(cc, &p, argc, argv);
    else
        rc = rc_build(cc, &p, argc, argv);
    tc_paths_free(&p);
    return rc;
}
