/* fault_broker_restart — the broker stops (SIGTERM, then in a second round SIGKILL)
 * under a running frontend and 2 workers: meanwhile HTTP requests get 504/503 within
 * the frontend's deadline (no hang), /readyz says 503 not_ready with broker "down",
 * /healthz stays 200. The broker is started again on the same ports and, within a few
 * seconds and without restarting anything else, /readyz is 200 with both workers and
 * GET /v1/me works again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "cluster.h"
#include "fixture.h"
#include "http.h"
#include "proc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_WORKERS 2
#define REQUEST_TIMEOUT_MS 1500
#define READYZ_DEADLINE_MS 1000
#define SLACK_MS 1500
#define BACK_WITHIN_MS 8000
#define STEADY_REQUESTS 10

static cluster_t *s_cluster;
static const char *s_base;

/* While the broker is down: an error, 504 timeout or some 503, within the deadline. */
static void s_expect_unavailable(http_response_t *r)
{
    expect_that(r, r->status == 504 || r->status == 503,
                "with the broker down a request must get 504 or 503, not %ld", r->status);
    const char *code =
        json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
    if (r->status == 504)
        expect_error(r, 504, "timeout");
    else /* any 503 code, but in the error shape */
        expect_error(r, 503, code ? code : "(a code)");
    expect_that(r, r->elapsed_ms < REQUEST_TIMEOUT_MS + SLACK_MS,
                "answered after %.0f ms: longer than the %d ms deadline (+%d ms)", r->elapsed_ms,
                REQUEST_TIMEOUT_MS, SLACK_MS);
}

static void s_round(int sig)
{
    fixture_user_t u;
    fixture_new_user(s_base, &u, "brokerrestart");
    pid_t workers[N_WORKERS], frontend = cluster_frontend_pid(s_cluster);
    for (int i = 0; i < N_WORKERS; i++)
        workers[i] = cluster_worker_pid(s_cluster, i);

    assert_int_equal(cluster_stop_broker(s_cluster, sig), 0);

    http_response_t *r = http_get(s_base, "/v1/me", u.access);
    s_expect_unavailable(r);
    http_response_free(&r);
    r = fixture_login(s_base, u.email, u.password);
    s_expect_unavailable(r);
    http_response_free(&r);

    r = http_get(s_base, "/readyz", NULL);
    expect_error(r, 503, "not_ready");
    json_t *details = json_object_get(json_object_get(r->json, "error"), "details");
    const char *broker = json_string_value(json_object_get(details, "broker"));
    expect_that(r, broker && strcmp(broker, "down") == 0, "details.broker must be \"down\"");
    expect_that(r, r->elapsed_ms < READYZ_DEADLINE_MS + SLACK_MS, "readyz took %.0f ms",
                r->elapsed_ms);
    http_response_free(&r);

    r = http_get(s_base, "/healthz", NULL);
    expect_status(r, 200);
    http_response_free(&r);

    double restarted = proc_now_ms();
    assert_int_equal(cluster_start_broker(s_cluster), 0);
    if (cluster_wait_ready(s_cluster, N_WORKERS, BACK_WITHIN_MS) < 0)
        fail_msg("/readyz did not report %d workers within %d ms of the broker's restart",
                 N_WORKERS, BACK_WITHIN_MS);
    fprintf(stderr, "signal %d: ready again %.0f ms after the restart\n", sig,
            proc_now_ms() - restarted);

    /* Every frontend thread's DEALER reconnects: a run of requests all succeed. */
    double end = proc_now_ms() + BACK_WITHIN_MS;
    long status = 0;
    while (proc_now_ms() < end && status != 200) {
        r = http_get(s_base, "/v1/me", u.access);
        status = r->status;
        http_response_free(&r);
    }
    assert_int_equal(status, 200);
    for (int i = 0; i < STEADY_REQUESTS; i++) {
        r = http_get(s_base, "/v1/me", u.access);
        expect_status(r, 200);
        http_response_free(&r);
    }
    r = fixture_login(s_base, u.email, u.password);
    expect_status(r, 200);
    http_response_free(&r);

    /* Nothing else was restarted. */
    assert_true(cluster_all_alive(s_cluster));
    assert_int_equal(cluster_frontend_pid(s_cluster), frontend);
    json_t *st = cluster_broker_status(s_cluster, 2000);
    assert_non_null(st);
    json_t *list = json_object_get(st, "workers");
    assert_int_equal(json_array_size(list), N_WORKERS);
    for (int i = 0; i < N_WORKERS; i++) {
        assert_int_equal(cluster_worker_pid(s_cluster, i), workers[i]);
        bool seen = false;
        size_t k;
        json_t *w;
        json_array_foreach(list, k, w) seen |=
            json_integer_value(json_object_get(w, "pid")) == workers[i];
        if (!seen)
            fail_msg("worker pid %d is not in the new broker's status", (int)workers[i]);
    }
    json_decref(st);
}

static void test_broker_restart_after_sigterm(void **state)
{
    (void)state;
    s_round(SIGTERM);
    check_test_passed();
}

static void test_broker_restart_after_sigkill(void **state)
{
    (void)state;
    s_round(SIGKILL);
    check_test_passed();
}

static int s_setup(void **state)
{
    (void)state;
    check_test_begin(s_cluster);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    check_test_end();
    /* A failed round may leave the broker down: the next round needs it. */
    if (s_cluster && cluster_broker_pid(s_cluster) == 0 && cluster_start_broker(s_cluster) == 0)
        (void)cluster_wait_ready(s_cluster, N_WORKERS, BACK_WITHIN_MS);
    return 0;
}

static int s_group_setup(void **state)
{
    (void)state;
    static const char *const frontend_env[] = {"BEDROCK_REQUEST_TIMEOUT_MS=1500", NULL};
    cluster_options_t opt = {.n_workers = N_WORKERS, .frontend_env = frontend_env};
    s_cluster = cluster_start_opts(&opt);
    if (!s_cluster)
        return -1;
    s_base = cluster_base_url(s_cluster);
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    return cluster_stop(&s_cluster) == 0 ? 0 : -1;
}

int main(void)
{
    check_require_services();
    proc_watchdog(55);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_broker_restart_after_sigterm, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_broker_restart_after_sigkill, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("fault_broker_restart", tests, s_group_setup,
                                       s_group_teardown);
}
