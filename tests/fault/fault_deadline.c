/* fault_deadline — deadlines and the broker's own answers, through a broker client
 * speaking BRC1 (2 workers, credit 1 each; the frontend's request timeout is 800 ms):
 * test.echo round trip; broker.status shape; 503 no_worker at once for an op nobody
 * serves; 404 not_found from the worker for an op under a prefix it serves but does
 * not have; 400 bad_request for an envelope without op; garbage dropped without
 * harm; noreply gets no reply; a deadline already past -> 504 at once; test.sleep
 * longer than its deadline -> 504 timeout at the deadline, not when the sleep ends;
 * and over HTTP, with every worker busy, GET /v1/me -> 504 timeout after ~0.8 s.
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
#include "proto.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_WORKERS 2
#define FRONTEND_TIMEOUT_MS 800
#define AT_ONCE_MS 500
#define SHORT_DEADLINE_MS 300
/* A worker cannot heartbeat while it sleeps: this cluster runs a long liveness period
 * (200 ms x 15 = 3 s) so that sleeps well past the deadlines do not get the workers
 * declared dead. */
#define LIVENESS 15
#define LONG_SLEEP_MS 1500
#define HOLD_SLEEP_MS 2000

static cluster_t *s_cluster;
static const char *s_base;
static brclient_t *s_bc;

static void s_describe_fail(const envelope_reply_t *rep, const char *what)
{
    char buf[512];
    fail_msg("%s: got %s", what, brclient_describe(rep, buf, sizeof buf));
}

static void test_echo_round_trip(void **state)
{
    (void)state;
    uint8_t id[ENVELOPE_ID_SIZE];
    brclient_req_t req = {.op = "test.echo",
                          .args_json = "{\"a\":1,\"s\":\"x\"}",
                          .body_json = "{\"b\":[1,2,{\"c\":null}]}",
                          .deadline_ms = envelope_now_ms() + 5000,
                          .auth_sub = "0b7e3c52-6f0f-4c39-9d55-8a1c1e3b9d11",
                          .auth_role = "user",
                          .auth_sid = "5a0e6b7c-1d2e-4f30-8a41-b52c63d74e85"};
    assert_int_equal(brclient_send(s_bc, &req, id), 0);
    envelope_reply_t rep;
    assert_int_equal(brclient_recv(s_bc, 5000, &rep), 0);
    assert_memory_equal(rep.id, id, ENVELOPE_ID_SIZE);
    if (rep.status != 200)
        s_describe_fail(&rep, "test.echo");
    json_t *args = json_loads(req.args_json, 0, NULL), *body = json_loads(req.body_json, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(rep.data, "op")), "test.echo");
    assert_true(json_equal(json_object_get(rep.data, "args"), args));
    assert_true(json_equal(json_object_get(rep.data, "body"), body));
    json_t *auth = json_object_get(rep.data, "auth");
    assert_string_equal(json_string_value(json_object_get(auth, "sub")), req.auth_sub);
    assert_string_equal(json_string_value(json_object_get(auth, "sid")), req.auth_sid);
    assert_true(cluster_worker_index(
                    s_cluster, (pid_t)json_integer_value(json_object_get(rep.data, "pid"))) >= 0);
    json_decref(args);
    json_decref(body);
    envelope_reply_clear(&rep);
    check_test_passed();
}

static void test_broker_status_shape(void **state)
{
    (void)state;
    json_t *st = brclient_status(s_bc, 2000);
    assert_non_null(st);
    json_t *workers = json_object_get(st, "workers");
    assert_true(json_is_array(workers));
    assert_int_equal(json_array_size(workers), N_WORKERS);
    assert_int_equal(json_integer_value(json_object_get(st, "workers_live")), N_WORKERS);
    assert_true(json_is_integer(json_object_get(st, "workers_total")));
    assert_true(json_is_integer(json_object_get(st, "queue_depth")));
    assert_int_equal(json_integer_value(json_object_get(st, "queue_max")), 1024);
    assert_true(json_is_object(json_object_get(st, "ops")));
    size_t i;
    json_t *w;
    json_array_foreach(workers, i, w)
    {
        pid_t pid = (pid_t)json_integer_value(json_object_get(w, "pid"));
        assert_true(cluster_worker_index(s_cluster, pid) >= 0);
        assert_int_equal(json_integer_value(json_object_get(w, "credit")), 1);
        assert_true(json_is_array(json_object_get(w, "ops")));
        assert_true(json_is_integer(json_object_get(w, "in_flight")));
        assert_true(json_is_integer(json_object_get(w, "handled")));
        assert_true(json_is_number(json_object_get(w, "last_heartbeat_ms_ago")));
    }
    json_decref(st);
    check_test_passed();
}

static void test_no_worker_for_op(void **state)
{
    (void)state;
    envelope_reply_t rep;
    double start = proc_now_ms();
    assert_int_equal(brclient_call(s_bc, "nope.nothing", NULL, 5000, &rep), 0);
    double ms = proc_now_ms() - start;
    if (rep.status != 503 || strcmp(rep.error_code, "no_worker") != 0)
        s_describe_fail(&rep, "an op no worker serves must get 503 no_worker");
    envelope_reply_clear(&rep);
    if (ms > AT_ONCE_MS)
        fail_msg("no_worker took %.0f ms; it must be answered at once", ms);
    check_test_passed();
}

static void test_unknown_op_in_served_prefix(void **state)
{
    (void)state;
    /* The workers announce "test.": the broker routes test.nope to one, which answers
     * 404 not_found itself. */
    json_t *st = brclient_status(s_bc, 2000);
    assert_non_null(st);
    json_t *ops = json_object_get(json_array_get(json_object_get(st, "workers"), 0), "ops");
    bool has_prefix = false;
    size_t i;
    json_t *op;
    json_array_foreach(ops, i, op) has_prefix |=
        json_is_string(op) && strcmp(json_string_value(op), "test.") == 0;
    json_decref(st);
    if (!has_prefix)
        fail_msg(
            "with BEDROCK_WORKER_OPS=auth.,me.,test. the worker's READY ops must hold \"test.\"");
    envelope_reply_t rep;
    assert_int_equal(brclient_call(s_bc, "test.nope", NULL, 3000, &rep), 0);
    if (rep.status != 404 || strcmp(rep.error_code, "not_found") != 0)
        s_describe_fail(&rep, "an op the worker does not have must get 404 not_found");
    envelope_reply_clear(&rep);
    check_test_passed();
}

/* An envelope {id, deadline} without op. */
static char *s_envelope_without_op(const uint8_t id[ENVELOPE_ID_SIZE], size_t *len)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init(&sbuf);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 2);
    msgpack_pack_str_with_body(&pk, "id", 2);
    msgpack_pack_bin_with_body(&pk, id, ENVELOPE_ID_SIZE);
    msgpack_pack_str_with_body(&pk, "deadline", 8);
    msgpack_pack_int64(&pk, envelope_now_ms() + 5000);
    *len = sbuf.size;
    return msgpack_sbuffer_release(&sbuf);
}

static void test_malformed_envelopes(void **state)
{
    (void)state;
    uint8_t id[ENVELOPE_ID_SIZE];
    assert_int_equal(envelope_id_generate(id), 0);
    size_t len;
    char *env = s_envelope_without_op(id, &len);
    assert_int_equal(brclient_send_raw(s_bc, env, len), 0);
    free(env);
    envelope_reply_t rep;
    assert_int_equal(brclient_recv(s_bc, 2000, &rep), 0);
    assert_memory_equal(rep.id, id, ENVELOPE_ID_SIZE);
    if (rep.status != 400 || strcmp(rep.error_code, "bad_request") != 0)
        s_describe_fail(&rep, "an envelope with an id and no op must get 400 bad_request");
    envelope_reply_clear(&rep);

    /* No readable id: dropped (no reply), and the broker carries on. */
    assert_int_equal(brclient_send_raw(s_bc, "\xc1garbage", 8), 0);
    const void *frames[] = {"", "XXXX", "x"};
    const size_t lens[] = {0, 4, 1};
    assert_int_equal(brclient_send_frames(s_bc, frames, lens, 3), 0);
    assert_int_equal(brclient_send_frames(s_bc, frames, lens, 1), 0);
    assert_int_equal(brclient_recv(s_bc, 300, &rep), -1);
    json_t *st = brclient_status(s_bc, 2000);
    assert_non_null(st);
    json_decref(st);
    check_test_passed();
}

static void test_noreply_gets_no_reply(void **state)
{
    (void)state;
    brclient_req_t req = {.op = "test.echo",
                          .args_json = "{\"n\":1}",
                          .deadline_ms = envelope_now_ms() + 5000,
                          .noreply = true};
    assert_int_equal(brclient_send(s_bc, &req, NULL), 0);
    envelope_reply_t rep;
    int rc = brclient_recv(s_bc, AT_ONCE_MS, &rep);
    if (rc == 0)
        s_describe_fail(&rep, "a noreply request must get no reply");
    assert_int_equal(rc, -1);
    check_test_passed();
}

static void test_deadline_already_past(void **state)
{
    (void)state;
    brclient_pending_t p;
    brclient_req_t req = {
        .op = "test.sleep", .args_json = "{\"ms\":10}", .deadline_ms = envelope_now_ms() - 1000};
    assert_int_equal(brclient_send_pending(s_bc, &req, &p), 0);
    assert_int_equal(brclient_collect(s_bc, &p, 1, 3000), 0);
    assert_int_equal(p.status, 504);
    assert_string_equal(p.code, "timeout");
    if (p.answered_ms - p.sent_ms > AT_ONCE_MS)
        fail_msg("a request already past its deadline took %.0f ms", p.answered_ms - p.sent_ms);
    check_test_passed();
}

static void test_sleep_past_deadline_times_out(void **state)
{
    (void)state;
    char args[32];
    snprintf(args, sizeof args, "{\"ms\":%d}", LONG_SLEEP_MS);
    brclient_pending_t p;
    brclient_req_t req = {.op = "test.sleep",
                          .args_json = args,
                          .deadline_ms = envelope_now_ms() + SHORT_DEADLINE_MS};
    assert_int_equal(brclient_send_pending(s_bc, &req, &p), 0);
    assert_int_equal(brclient_collect(s_bc, &p, 1, LONG_SLEEP_MS + 3000), 0);
    double ms = p.answered_ms - p.sent_ms;
    fprintf(stderr, "test.sleep %d ms with a %d ms deadline: %d %s after %.0f ms\n", LONG_SLEEP_MS,
            SHORT_DEADLINE_MS, p.status, p.code, ms);
    assert_int_equal(p.status, 504);
    assert_string_equal(p.code, "timeout");
    /* At the deadline: not before it, and well before the sleep would have ended. */
    assert_true(ms >= SHORT_DEADLINE_MS - 50);
    assert_true(ms < LONG_SLEEP_MS - 100);
    /* The worker finishes its sleep; its late reply must not reach us as a second answer. */
    proc_sleep_ms(LONG_SLEEP_MS - (int)ms + 200);
    envelope_reply_t rep;
    int rc = brclient_recv(s_bc, 200, &rep);
    if (rc == 0)
        s_describe_fail(&rep, "after the 504 no second reply may come");
    check_test_passed();
}

static void test_http_request_times_out_when_workers_are_busy(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "deadline");
    /* One sleep per worker (credit 1), longer than the frontend's timeout. */
    enum { N_HOLD = N_WORKERS };
    brclient_pending_t p[N_HOLD];
    char args[32];
    snprintf(args, sizeof args, "{\"ms\":%d}", HOLD_SLEEP_MS);
    for (int i = 0; i < N_HOLD; i++) {
        brclient_req_t req = {
            .op = "test.sleep", .args_json = args, .deadline_ms = envelope_now_ms() + 10000};
        assert_int_equal(brclient_send_pending(s_bc, &req, &p[i]), 0);
    }
    proc_sleep_ms(50); /* let them reach the broker first */
    http_response_t *r = http_get(s_base, "/v1/me", u.access);
    expect_error(r, 504, "timeout");
    expect_that(
        r, r->elapsed_ms >= FRONTEND_TIMEOUT_MS - 100 && r->elapsed_ms < FRONTEND_TIMEOUT_MS + 1000,
        "the 504 must come at the %d ms deadline, came after %.0f ms", FRONTEND_TIMEOUT_MS,
        r->elapsed_ms);
    http_response_free(&r);
    assert_int_equal(brclient_collect(s_bc, p, N_HOLD, HOLD_SLEEP_MS + 5000), 0);
    for (int i = 0; i < N_HOLD; i++)
        assert_int_equal(p[i].status, 200);
    /* And then it works again. */
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
    /* Prefixes, so that the broker routes any test.* op to them (see test_unknown_op). */
    static const char *const worker_env[] = {"BEDROCK_WORKER_CREDIT=1",
                                             "BEDROCK_WORKER_OPS=auth.,me.,test.", NULL};
    static const char *const frontend_env[] = {"BEDROCK_REQUEST_TIMEOUT_MS=800", NULL};
    cluster_options_t opt = {.n_workers = N_WORKERS,
                             .liveness = LIVENESS,
                             .worker_env = worker_env,
                             .frontend_env = frontend_env};
    s_cluster = cluster_start_opts(&opt);
    if (!s_cluster)
        return -1;
    s_base = cluster_base_url(s_cluster);
    s_bc = brclient_new(cluster_clients_endpoint(s_cluster));
    return s_bc ? 0 : -1;
}

static int s_group_teardown(void **state)
{
    (void)state;
    brclient_destroy(&s_bc);
    return cluster_stop(&s_cluster) == 0 ? 0 : -1;
}

int main(void)
{
    check_require_services();
    proc_watchdog(55);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo_round_trip, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_broker_status_shape, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_no_worker_for_op, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_op_in_served_prefix, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_envelopes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_noreply_gets_no_reply, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_deadline_already_past, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_sleep_past_deadline_times_out, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_http_request_times_out_when_workers_are_busy, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests_name("fault_deadline", tests, s_group_setup, s_group_teardown);
}
