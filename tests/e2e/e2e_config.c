/* e2e_config — each binary started with a missing or malformed setting exits within
 * 2 s with status 2 and exactly one stderr line naming the variable (never a crash,
 * a hang or a secret in the message). Controls: with the same base environment and
 * nothing broken, each binary keeps running, so the exits are due to the named
 * variable. Needs no database: the worker's base environment points at closed ports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "cluster.h"
#include "proc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_WITHIN_MS 2000
#define CONTROL_ALIVE_MS 800
#define SHORT_SECRET "tooshort-secret"
#define GOOD_SECRET "an-e2e-config-test-secret-of-more-than-32-bytes"
#define MAX_SETS 12

typedef enum {
    BROKER = CLUSTER_BROKER,
    WORKER = CLUSTER_WORKER,
    FRONTEND = CLUSTER_FRONTEND
} s_bin_t;

typedef struct {
    const char *name; /* the test's name */
    s_bin_t bin;
    const char *set;      /* "NAME=value" or "NAME" (unset) applied over the base */
    const char *variable; /* what the one line must name */
} s_case_t;

static const s_case_t s_cases[] = {
    {"worker_missing_DATABASE_URL", WORKER, "DATABASE_URL", "DATABASE_URL"},
    {"worker_malformed_DATABASE_URL", WORKER, "DATABASE_URL=mysql://db/x", "DATABASE_URL"},
    {"worker_malformed_REDIS_URL", WORKER, "REDIS_URL=http://127.0.0.1:6379", "REDIS_URL"},
    {"worker_REDIS_URL_bad_port", WORKER, "REDIS_URL=redis://127.0.0.1:notaport/0", "REDIS_URL"},
    {"worker_short_JWT_SECRET", WORKER, "BEDROCK_JWT_SECRET=" SHORT_SECRET, "BEDROCK_JWT_SECRET"},
    {"worker_missing_JWT_SECRET", WORKER, "BEDROCK_JWT_SECRET", "BEDROCK_JWT_SECRET"},
    {"worker_BCRYPT_COST_out_of_range", WORKER, "BEDROCK_BCRYPT_COST=3", "BEDROCK_BCRYPT_COST"},
    {"worker_WORKER_CREDIT_out_of_range", WORKER, "BEDROCK_WORKER_CREDIT=0",
     "BEDROCK_WORKER_CREDIT"},
    {"worker_malformed_BROKER_WORKERS", WORKER, "BEDROCK_BROKER_WORKERS=nonsense",
     "BEDROCK_BROKER_WORKERS"},
    {"frontend_short_JWT_SECRET", FRONTEND, "BEDROCK_JWT_SECRET=" SHORT_SECRET,
     "BEDROCK_JWT_SECRET"},
    {"frontend_missing_JWT_SECRET", FRONTEND, "BEDROCK_JWT_SECRET", "BEDROCK_JWT_SECRET"},
    {"frontend_malformed_BROKER_CLIENTS", FRONTEND, "BEDROCK_BROKER_CLIENTS=tcp://127.0.0.1",
     "BEDROCK_BROKER_CLIENTS"},
    {"frontend_malformed_HTTP_ADDR", FRONTEND, "BEDROCK_HTTP_ADDR=127.0.0.1:notaport",
     "BEDROCK_HTTP_ADDR"},
    {"frontend_HTTP_ADDR_without_port", FRONTEND, "BEDROCK_HTTP_ADDR=localhost",
     "BEDROCK_HTTP_ADDR"},
    {"frontend_malformed_REQUEST_TIMEOUT_MS", FRONTEND, "BEDROCK_REQUEST_TIMEOUT_MS=soon",
     "BEDROCK_REQUEST_TIMEOUT_MS"},
    {"broker_malformed_BROKER_CLIENTS", BROKER, "BEDROCK_BROKER_CLIENTS=foo://bar",
     "BEDROCK_BROKER_CLIENTS"},
    {"broker_BROKER_WORKERS_port_out_of_range", BROKER,
     "BEDROCK_BROKER_WORKERS=tcp://127.0.0.1:99999", "BEDROCK_BROKER_WORKERS"},
    {"broker_malformed_QUEUE_MAX", BROKER, "BEDROCK_BROKER_QUEUE_MAX=lots",
     "BEDROCK_BROKER_QUEUE_MAX"},
};

/* Base environments: valid, pointing at ports nothing listens on (1 is never open to us). */
static char s_db[256];
static const char *s_worker_base[] = {s_db, "REDIS_URL=redis://127.0.0.1:1/0",
                                      "BEDROCK_BROKER_WORKERS=tcp://127.0.0.1:1",
                                      "BEDROCK_JWT_SECRET=" GOOD_SECRET, NULL};
static char s_http_addr[64], s_clients[64], s_workers[64];
static const char *s_frontend_base[] = {s_http_addr, "BEDROCK_BROKER_CLIENTS=tcp://127.0.0.1:1",
                                        "BEDROCK_JWT_SECRET=" GOOD_SECRET, NULL};
static const char *s_broker_base[] = {s_clients, s_workers, NULL};

static const char *s_path(s_bin_t bin)
{
    return cluster_binary((cluster_kind_t)bin);
}

static const char **s_base(s_bin_t bin)
{
    return bin == BROKER ? s_broker_base : bin == WORKER ? s_worker_base : s_frontend_base;
}

static void s_build_sets(s_bin_t bin, const char *extra, const char **sets)
{
    size_t n = 0;
    for (const char **b = s_base(bin); *b && n < MAX_SETS - 2; b++)
        sets[n++] = *b;
    if (extra)
        sets[n++] = extra;
    sets[n] = NULL;
}

static int s_count_lines(const char *text, const char **first)
{
    int n = 0;
    *first = NULL;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 0) {
            if (!*first)
                *first = p;
            n++;
        }
        p += len + (nl ? 1 : 0);
    }
    return n;
}

static void s_run_case(void **state)
{
    const s_case_t *c = *state;
    const char *sets[MAX_SETS];
    s_build_sets(c->bin, c->set, sets);
    proc_result_t r;
    assert_int_equal(proc_run(s_path(c->bin), sets, EXIT_WITHIN_MS, &r), 0);
    const char *first = NULL;
    int lines = s_count_lines(r.err, &first);
    bool ok = !r.timed_out && r.exited && r.exit_code == 2 && lines == 1 && first &&
              strstr(first, c->variable) && !strstr(r.err, SHORT_SECRET) &&
              !strstr(r.err, GOOD_SECRET);
    if (!ok) {
        fprintf(stderr, "%s with %s: %s, exit %d, signal %d, %.0f ms, %d stderr line(s):\n%s\n",
                s_path(c->bin), c->set, r.timed_out ? "STILL RUNNING after 2 s" : "exited",
                r.exit_code, r.term_signal, r.elapsed_ms, lines, r.err);
    }
    bool timed_out = r.timed_out, exited = r.exited;
    int code = r.exit_code, sig = r.term_signal;
    bool names = lines == 1 && first && strstr(first, c->variable);
    bool leaks = strstr(r.err, SHORT_SECRET) || strstr(r.err, GOOD_SECRET);
    proc_result_clear(&r);
    assert_false(timed_out);
    assert_int_equal(sig, 0);
    assert_true(exited);
    assert_int_equal(code, 2);
    assert_int_equal(lines, 1);
    assert_true(names);
    assert_false(leaks);
}

/* Controls: with the base environment alone each binary starts and keeps running. */
static void s_control(s_bin_t bin)
{
    const char *sets[MAX_SETS];
    s_build_sets(bin, NULL, sets);
    const char *const *lists[] = {sets};
    char **env = proc_env_build(lists, 1);
    char log[] = "/tmp/bedrock-config-control-XXXXXX";
    int fd = mkstemp(log);
    assert_true(fd >= 0);
    pid_t pid = proc_spawn(s_path(bin), NULL, env, log, log);
    proc_env_free(&env);
    assert_true(pid > 0);
    int st = 0;
    bool exited = proc_wait(pid, CONTROL_ALIVE_MS, &st) == 0;
    if (!exited)
        st = proc_kill(pid, SIGTERM, 2000);
    if (exited) {
        char buf[4096] = "";
        ssize_t got = read(fd, buf, sizeof buf - 1);
        char why[96];
        fprintf(stderr, "%s exited with its valid base environment (%s):\n%s\n", s_path(bin),
                proc_describe(st, why, sizeof why), got > 0 ? buf : "");
    }
    close(fd);
    unlink(log);
    assert_false(exited);
}

static void test_control_broker_runs(void **state)
{
    (void)state;
    s_control(BROKER);
}

static void test_control_worker_runs_without_database(void **state)
{
    (void)state;
    s_control(WORKER);
}

static void test_control_frontend_runs_without_broker(void **state)
{
    (void)state;
    s_control(FRONTEND);
}

static int s_free_port(void)
{
    return cluster_free_port(); /* -1 makes every control fail loudly */
}

int main(void)
{
    proc_watchdog(55);
    const char *db = getenv("DATABASE_URL");
    /* A well-formed URL; the worker must start (and wait) without a reachable database. */
    snprintf(s_db, sizeof s_db, "DATABASE_URL=%s",
             db && *db ? db : "postgresql://bedrock@127.0.0.1:1/bedrock");
    snprintf(s_http_addr, sizeof s_http_addr, "BEDROCK_HTTP_ADDR=127.0.0.1:%d", s_free_port());
    snprintf(s_clients, sizeof s_clients, "BEDROCK_BROKER_CLIENTS=tcp://127.0.0.1:%d",
             s_free_port());
    snprintf(s_workers, sizeof s_workers, "BEDROCK_BROKER_WORKERS=tcp://127.0.0.1:%d",
             s_free_port());

    enum { N_CASES = sizeof s_cases / sizeof s_cases[0] };
    struct CMUnitTest tests[N_CASES + 3];
    memset(tests, 0, sizeof tests);
    tests[0] = (struct CMUnitTest)cmocka_unit_test(test_control_broker_runs);
    tests[1] = (struct CMUnitTest)cmocka_unit_test(test_control_worker_runs_without_database);
    tests[2] = (struct CMUnitTest)cmocka_unit_test(test_control_frontend_runs_without_broker);
    for (size_t i = 0; i < N_CASES; i++) {
        tests[i + 3].name = s_cases[i].name;
        tests[i + 3].test_func = s_run_case;
        tests[i + 3].initial_state = (void *)&s_cases[i];
    }
    return _cmocka_run_group_tests("e2e_config", tests, N_CASES + 3, NULL, NULL);
}
