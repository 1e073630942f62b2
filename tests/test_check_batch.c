/* racedemo check --batch: one report per submission, a summary table, and --shard K/N
 * splitting a class into disjoint parts that cover it.  The submissions here do not
 * compile (so the suite needs no detector); the verdict path is the same for all. */
#define TU_IMPLEMENTATION
#include "testutil.h"
#include "cli/check_impl.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define NSUB 7

static char root[64], subs[80];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void batch_setup(void)
{
    strcpy(root, "/tmp/racedemo-batch-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    chmod(root, 0755); /* the sandbox user compiles as itself and must read the sources */
    snprintf(subs, sizeof subs, "%s/class", root);
    ck_assert_int_eq(mkdir(subs, 0755), 0);
    for (int i = 0; i < NSUB; i++) {
        char dir[160], file[200], src[128];
        snprintf(dir, sizeof dir, "%s/student%02d", subs, i);
        ck_assert_int_eq(mkdir(dir, 0755), 0);
        if (i == NSUB - 1)
            continue; /* an empty submission */
        snprintf(file, sizeof file, "%s/main.c", dir);
        snprintf(src, sizeof src, "int main(void) { return undeclared_%d; }\n", i);
        write_file(file, src);
    }
}

static void batch_teardown(void) { sbx_rmtree(root); }

/* Run `racedemo check --batch` with extra args; stdout to *out. Returns the exit code. */
static int run_batch(const char *shard, const char *outdir, char *out, size_t cap)
{
    char outfile[200];
    snprintf(outfile, sizeof outfile, "%s/stdout.txt", root);
    const char *argv[] = {"check", "--batch", subs, "--output", outdir, "--format", "json", "-j", "2",
                          "--runs", "1", shard ? "--shard" : NULL, shard, NULL};
    int argc = shard ? 13 : 11;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        _exit(check_main(argc, (char **)argv));
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    FILE *f = fopen(outfile, "r");
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = 0;
    fclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_batch_reports_and_table)
{
    char out[8192], outdir[128], path[200], json[8192];
    snprintf(outdir, sizeof outdir, "%s/reports", root);
    ck_assert_int_eq(run_batch(NULL, outdir, out, sizeof out), CHECK_EXIT_COMPILE);
    ck_assert_ptr_nonnull(strstr(out, "submission"));
    ck_assert_ptr_nonnull(strstr(out, "first race"));
    for (int i = 0; i < NSUB; i++) {
        char name[32];
        snprintf(name, sizeof name, "student%02d ", i);
        ck_assert_ptr_nonnull(strstr(out, name));
        snprintf(path, sizeof path, "%s/student%02d.json", outdir, i);
        FILE *f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        size_t n = fread(json, 1, sizeof json - 1, f);
        json[n] = 0;
        fclose(f);
        ck_assert_ptr_nonnull(strstr(json, "\"verdict\": \"compile-error\""));
        if (i < NSUB - 1) {
            char want[64];
            snprintf(want, sizeof want, "undeclared_%d", i); /* the compiler's own message */
            ck_assert_ptr_nonnull(strstr(json, want));
        } else {
            ck_assert_ptr_nonnull(strstr(json, "no .c file"));
        }
    }
    ck_assert_ptr_nonnull(strstr(out, "7 submissions"));
}
END_TEST

START_TEST(test_shards_are_disjoint_and_cover_the_class)
{
    int seen[NSUB] = {0};
    for (int k = 1; k <= 3; k++) {
        char out[8192], outdir[128], shard[8];
        snprintf(outdir, sizeof outdir, "%s/shard%d", root, k);
        snprintf(shard, sizeof shard, "%d/3", k);
        ck_assert_int_eq(run_batch(shard, outdir, out, sizeof out), CHECK_EXIT_COMPILE);
        for (int i = 0; i < NSUB; i++) {
            char name[32];
            snprintf(name, sizeof name, "student%02d ", i);
            if (strstr(out, name)) {
                seen[i]++;
                ck_assert_int_eq(i % 3, k - 1); /* deterministic: position modulo N */
            }
        }
    }
    for (int i = 0; i < NSUB; i++)
        ck_assert_int_eq(seen[i], 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("check_batch");
    TCase *tc = tu_tcase(s, "batch", 120);
    tcase_add_checked_fixture(tc, batch_setup, batch_teardown);
    tcase_add_test(tc, test_batch_reports_and_table);
    tcase_add_test(tc, test_shards_are_disjoint_and_cover_the_class);
    return tu_run(s);
}
