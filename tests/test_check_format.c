/* racedemo check, output formats: each format is written for a result with a race (both
 * accesses located), a deadlock and a compile error, and read back by an independent
 * parser (python3's json and xml.etree) that checks the structure CI systems rely on. */
#define TU_IMPLEMENTATION
#include "testutil.h"
#include "cli/check_impl.h"

#include <string.h>

static const char race_log[] =
    "==================\n"
    "WARNING: DATA RACE\n"
    "Write at 0x7f0000001000 by goroutine 7:\n"
    "  next()\n"
    "      dir, with comma/prog.c:12 +0x44\n"
    "\n"
    "Previous read at 0x7f0000001000 by goroutine 6:\n"
    "  next()\n"
    "      dir, with comma/prog.c:11 +0x3a\n"
    "\n"
    "Goroutine 7 (running) created at:\n"
    "  main()\n"
    "      dir, with comma/prog.c:20 +0x84\n"
    "==================\n";

static const char deadlock[] =
    "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n"
    "main()\n\tdir, with comma/prog.c:9 +0x55\n";

static char *files[] = {"dir, with comma/prog.c"};
static check_opts opts = {.files = files, .nfiles = 1, .runs = 5, .seed = 1, .procs = 1,
                          .strategy = "random", .timeout_s = 2, .jobs = 2};

static void add_run(check_result *r, const char *err, const char *log, int code, uint64_t seed)
{
    finding_list l = {0};
    sbx_result res = {.status = code << 8};
    rep_parse_run(err, log, &res, 10, seed, &l);
    vd_merge(r, &l);
    r->runs_done++;
}

static void racy_result(check_result *r)
{
    memset(r, 0, sizeof *r);
    r->opts = &opts;
    r->compiled = true;
    r->leak_note = "leaks: not detected";
    /* with a NUL byte in the middle: the bytes after it are the program's output too */
    static const char out[] = "a=2 \"quoted\" <tag> & 100% caf\xc3\xa9 bad:\xff\xc3(\x01\0after\n";
    r->sample_output_len = sizeof out - 1;
    r->sample_output = check_alloc(sizeof out);
    memcpy(r->sample_output, out, sizeof out);
    add_run(r, "", race_log, 66, 3);
    add_run(r, deadlock, "", 2, 2);
    add_run(r, "", race_log, 66, 5);
    vd_finish(r);
}

static void broken_result(check_result *r)
{
    memset(r, 0, sizeof *r);
    r->opts = &opts;
    r->compiled = false;
    r->leak_note = "leaks: not detected";
    sb_puts(&r->compile_output, "dir, with comma/prog.c:3:5: error: expected ';' before 'return'\n");
}

/* Write r in format to a file, run the python check on it; returns python's status. */
static int validate(const check_result *r, const char *format, const char *py)
{
    char path[] = "/tmp/racedemo-fmt-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fmt_write(f, format, r);
    fclose(f);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s - '%s' <<'EOF'\nimport sys, json, re\nimport xml.etree.ElementTree as ET\n"
             "p = sys.argv[1]\ntext = open(p, encoding='utf-8').read()\n%s\nEOF\n", CHECK_PYTHON, path, py);
    int st = system(cmd);
    unlink(path);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_json_schema_fields)
{
    check_result r;
    racy_result(&r);
    ck_assert_int_eq(validate(&r, "json",
        "d = json.loads(text)\n"
        "assert d['schema'] == 'racedemo-check/1'\n"
        "assert d['verdict'] == 'race' and d['exit_code'] == 66\n"
        "assert d['counts']['race'] == 1 and d['counts']['deadlock'] == 1\n"
        "f = d['findings'][0]\n"
        "assert f['kind'] == 'race' and f['count'] == 2 and f['first_seed'] == 3\n"
        "assert f['location'] == {'function': 'next()', 'file': 'dir, with comma/prog.c', 'line': 12}\n"
        "assert f['related']['line'] == 11\n"
        "assert len(f['stacks']) == 3 and f['stacks'][0]['frames'][0]['line'] == 12\n"
        "assert \"--seed 3\" in f['replay'] and \"'dir, with comma/prog.c'\" in f['replay']\n"
        "assert d['findings'][1]['kind'] == 'deadlock' and d['findings'][1]['location']['line'] == 9\n"
        "assert d['program_output'] == 'a=2 \"quoted\" <tag> & 100% caf\\u00e9 bad:\\ufffd\\ufffd(\\u0001\\u0000after\\n'\n"), 0);
    vd_result_free(&r);
    broken_result(&r);
    ck_assert_int_eq(validate(&r, "json",
        "d = json.loads(text)\n"
        "assert d['verdict'] == 'compile-error' and d['exit_code'] == 69\n"
        "assert \"expected ';'\" in d['compile']['output'] and d['compile']['ok'] is False\n"), 0);
    vd_result_free(&r);
}
END_TEST

START_TEST(test_sarif_locations_of_both_accesses)
{
    check_result r;
    racy_result(&r);
    ck_assert_int_eq(validate(&r, "sarif",
        "d = json.loads(text)\n"
        "assert d['version'] == '2.1.0' and 'sarif-2.1.0' in d['$schema']\n"
        "run = d['runs'][0]\n"
        "rules = [x['id'] for x in run['tool']['driver']['rules']]\n"
        "res = run['results']\n"
        "assert len(res) == 2\n"
        "for x in res:\n"
        "    assert x['ruleId'] in rules and rules[x['ruleIndex']] == x['ruleId']\n"
        "    assert x['message']['text'] and x['level'] in ('error', 'warning')\n"
        "    loc = x['locations'][0]['physicalLocation']\n"
        "    assert loc['artifactLocation']['uri'] == 'dir, with comma/prog.c'\n"
        "    assert loc['region']['startLine'] >= 1\n"
        "race = res[0]\n"
        "assert race['ruleId'] == 'race'\n"
        "assert race['locations'][0]['physicalLocation']['region']['startLine'] == 12\n"
        "rel = race['relatedLocations'][0]\n"
        "assert rel['physicalLocation']['region']['startLine'] == 11 and rel['id'] == 1\n"
        "assert 'previous read' in rel['message']['text'].lower()\n"
        "assert run['invocations'][0]['exitCode'] == 66\n"), 0);
    vd_result_free(&r);
    broken_result(&r);
    ck_assert_int_eq(validate(&r, "sarif",
        "d = json.loads(text)\n"
        "x = d['runs'][0]['results'][0]\n"
        "assert x['ruleId'] == 'compile-error'\n"
        "reg = x['locations'][0]['physicalLocation']['region']\n"
        "assert reg['startLine'] == 3 and reg['startColumn'] == 5\n"), 0);
    vd_result_free(&r);
}
END_TEST

START_TEST(test_junit_one_testcase_per_check)
{
    check_result r;
    racy_result(&r);
    ck_assert_int_eq(validate(&r, "junit",
        "root = ET.fromstring(text.encode())\n"
        "assert root.tag == 'testsuites'\n"
        "suite = root.find('testsuite')\n"
        "cases = {c.get('name'): c for c in suite.findall('testcase')}\n"
        "assert len(cases) == int(suite.get('tests')) == 8\n"
        "assert cases['compile'].find('failure') is None\n"
        "fail = cases['data races'].find('failure')\n"
        "assert fail is not None and 'prog.c:12' in fail.text and 'replay: racedemo check' in fail.text\n"
        "assert cases['deadlocks'].find('failure') is not None\n"
        "assert cases['crashes'].find('failure') is None\n"
        "assert cases['goroutine leaks'].find('failure') is None\n"
        "assert int(suite.get('failures')) == 2\n"), 0);
    vd_result_free(&r);
    broken_result(&r);
    ck_assert_int_eq(validate(&r, "junit",
        "root = ET.fromstring(text.encode())\n"
        "cases = {c.get('name'): c for c in root.iter('testcase')}\n"
        "assert cases['compile'].find('failure') is not None\n"
        "assert cases['data races'].find('skipped') is not None\n"), 0);
    vd_result_free(&r);
}
END_TEST

START_TEST(test_github_annotations_escaped)
{
    check_result r;
    racy_result(&r);
    ck_assert_int_eq(validate(&r, "github",
        "lines = text.splitlines()\n"
        "pat = re.compile(r'^::(error|warning|notice) (file=[^,:]+(,line=\\d+)?(,col=\\d+)?,)?title=[^:,]*::[^\\n]*$')\n"
        "assert all(pat.match(l) for l in lines), lines\n"
        "race = [l for l in lines if 'Data race' in l][0]\n"
        "assert race.startswith('::error file=dir%2C with comma/prog.c,line=12,')\n"
        "assert '%0Areplay: racedemo check' in race\n"
        "assert any(l.startswith('::notice ') for l in lines)\n"), 0);
    vd_result_free(&r);
    broken_result(&r);
    ck_assert_int_eq(validate(&r, "github",
        "assert text.startswith('::error file=dir%2C with comma/prog.c,line=3,col=5,')\n"), 0);
    vd_result_free(&r);
}
END_TEST

START_TEST(test_text_report_has_replay_and_verdict)
{
    check_result r;
    racy_result(&r);
    ck_assert_int_eq(validate(&r, "text",
        "assert text.startswith('racedemo check dir, with comma/prog.c: race (exit 66)')\n"
        "assert '1) Data race in 2 of 3 runs, first at seed 3' in text\n"
        "assert 'data race: Write by goroutine 7 in next() at dir, with comma/prog.c:12 races with "
        "previous read by goroutine 6 in next() at dir, with comma/prog.c:11' in text\n"
        "assert '2) Deadlock in 1 of 3 runs, first at seed 2' in text\n"
        "assert 'replay: racedemo check ' in text\n"), 0);
    vd_result_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("check_format");
    TCase *tc = tu_tcase(s, "formats", 30);
    tcase_add_test(tc, test_json_schema_fields);
    tcase_add_test(tc, test_sarif_locations_of_both_accesses);
    tcase_add_test(tc, test_junit_one_testcase_per_check);
    tcase_add_test(tc, test_github_annotations_escaped);
    tcase_add_test(tc, test_text_report_has_replay_and_verdict);
    return tu_run(s);
}
