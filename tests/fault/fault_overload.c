/* fault_overload — a broker with a tiny queue (BEDROCK_BROKER_QUEUE_MAX=2) in front of
 * one worker with credit 1: a flood of test.sleep gets 503 overloaded at once for what
 * does not fit (1 in flight + 2 queued), the rest is served, nothing is left
 * unanswered; over HTTP the same state gives 503 overloaded with Retry-After: 1 at once,
 * and service resumes when the queue drains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "brclient.h"
#include "check.h"
#include "cluster.h"
#include "fixture.h"
#include "http.h"
#include "proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_MAX 2
#define FLOOD 20
#define FLOOD_SLEEP_MS 300
#define AT_ONCE_MS 250
/* A worker cannot heartbeat while it sleeps: this cluster runs a long liveness period
 * (200 ms x 15 = 3 s) so that the sleeps holding the queue full can be long enough for
 * the test not to depend on the machine's speed. */
#define LIVENESS 15
#define HOLD_SLEEP_MS 1200

static cluster_t *s_cluster;
static const char *s_base;

static void test_flood_is_refused_at_once(void **state)
{
    (void)state;
    brclient_t *bc = brclient_new(cluster_clients_endpoint(s_cluster));
    assert_non_null(bc);
    brclient_pending_t p[FLOOD];
    char args[32];
    snprintf(args, sizeof args, "{\"ms\":%d}", FLOOD_SLEEP_MS);
    for (int i = 0; i < FLOOD; i++) {
        brclient_req_t req = {
            .op = "test.sleep", .args_json = args, .deadline_ms = envelope_now_ms() + 10000};
        assert_int_equal(brclient_send_pending(bc, &req, &p[i]), 0);
    }
    size_t left = brclient_collect(bc, p, FLOOD, 8000);
    brclient_destroy(&bc);
    int ok = 0, overloaded = 0;
    double slowest_refusal = 0;
    for (int i = 0; i < FLOOD; i++) {
        double ms = p[i].answered_ms - p[i].sent_ms;
        if (p[i].answered && p[i].status == 200)
            ok++;
        else if (p[i].answered && p[i].status == 503 && strcmp(p[i].code, "overloaded") == 0) {
            overloaded++;
            slowest_refusal = ms > slowest_refusal ? ms : slowest_refusal;
        } else
            fprintf(stderr, "flood %d: %s %d %s\n", i, p[i].answered ? "answered" : "UNANSWERED",
                    p[i].status, p[i].code);
    }
    fprintf(stderr, "flood of %d: %d x 200, %d x 503 overloaded (slowest refusal %.0f ms)\n", FLOOD,
            ok, overloaded, slowest_refusal);
    assert_int_equal(left, 0);
    assert_int_equal(ok + overloaded, FLOOD);
    assert_true(ok >= 1 + QUEUE_MAX);
    assert_true(overloaded >= FLOOD / 2);
    if (slowest_refusal > AT_ONCE_MS)
        fail_msg("a 503 overloaded took %.0f ms: refusals must be immediate", slowest_refusal);

    json_t *st = cluster_broker_status(s_cluster, 2000);
    assert_non_null(st);
    assert_int_equal(json_integer_value(json_object_get(st, "queue_max")), QUEUE_MAX);
    json_decref(st);
    check_test_passed();
}

static void test_http_overloaded_with_retry_after(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "overload");
    brclient_t *bc = brclient_new(cluster_clients_endpoint(s_cluster));
    assert_non_null(bc);
    brclient_pending_t p[1 + QUEUE_MAX];
    char args[32];
    snprintf(args, sizeof args, "{\"ms\":%d}", HOLD_SLEEP_MS);
    for (int i = 0; i < 1 + QUEUE_MAX; i++) {
        brclient_req_t req = {
            .op = "test.sleep", .args_json = args, .deadline_ms = envelope_now_ms() + 15000};
        assert_int_equal(brclient_send_pending(bc, &req, &p[i]), 0);
    }
    /* Wait until the broker shows the queue full. */
    double end = proc_now_ms() + 2000;
    json_int_t depth = -1;
    while (proc_now_ms() < end && depth != QUEUE_MAX) {
        json_t *st = cluster_broker_status(s_cluster, 1000);
        depth = st ? json_integer_value(json_object_get(st, "queue_depth")) : -1;
        json_decref(st);
    }
    assert_int_equal(depth, QUEUE_MAX);

    http_response_t *r = http_get(s_base, "/v1/me", u.access);
    expect_error(r, 503, "overloaded"); /* includes Retry-After: 1 */
    expect_that(r, r->elapsed_ms < AT_ONCE_MS + 250, "overloaded took %.0f ms", r->elapsed_ms);
    http_response_free(&r);

    size_t left = brclient_collect(bc, p, 1 + QUEUE_MAX, 3 * HOLD_SLEEP_MS + 4000);
    brclient_destroy(&bc);
    assert_int_equal(left, 0);
    for (int i = 0; i < 1 + QUEUE_MAX; i++)
        assert_int_equal(p[i].status, 200);
    r = http_get(s_base, "/v1/me", u.access);
    expect_status(r, 200);
    http_response_free(&r);
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
    return check_test_end();
}

static int s_group_setup(void **state)
{
    (void)state;
    static const char *const broker_env[] = {"BEDROCK_BROKER_QUEUE_MAX=2", NULL};
    static const char *const worker_env[] = {"BEDROCK_WORKER_CREDIT=1", NULL};
    cluster_options_t opt = {
        .n_workers = 1, .liveness = LIVENESS, .broker_env = broker_env, .worker_env = worker_env};
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
        cmocka_unit_test_setup_teardown(test_flood_is_refused_at_once, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_http_overloaded_with_retry_after, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("fault_overload", tests, s_group_setup, s_group_teardown);
}
