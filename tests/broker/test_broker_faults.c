/* test_broker_faults — bedrock-broker under failure, against the real binary: deadlines
 * (504 while queued and while in flight, late replies dropped), dead workers (read-only
 * retry, worker_lost), unknown workers told to DISCONNECT, malformed input from both
 * sides, and a clean SIGTERM (owned by the broker area). */
#include "broker_harness.h"
#include "proto.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
#include <cmocka.h>

typedef struct {
    bt_broker_t broker;
    bool started;
} fixture_t;

static int s_setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    *state = fx;
    return fx ? 0 : -1;
}

static int s_teardown(void **state)
{
    fixture_t *fx = *state;
    bt_reset();
    int rc = fx->started ? bt_broker_stop(&fx->broker) : 0;
    if (rc != 0)
        fprintf(stderr, "broker exit code %d (want 0); log in %s\n", rc, fx->broker.log_path);
    free(fx);
    return rc == 0 ? 0 : -1;
}

static bt_broker_t *s_start(void **state, const char *const *env)
{
    fixture_t *fx = *state;
    assert_int_equal(bt_broker_start(&fx->broker, env), 0);
    fx->started = true;
    return &fx->broker;
}

static void s_expect_reply(bt_client_t *c, const uint8_t *id, int status, const char *code,
                           int timeout_ms)
{
    envelope_reply_t rep;
    assert_int_equal(bt_client_recv(c, timeout_ms, &rep), 0);
    if (id)
        assert_memory_equal(rep.id, id, ENVELOPE_ID_SIZE);
    assert_int_equal(rep.status, status);
    assert_string_equal(rep.error_code, code ? code : "");
    envelope_reply_clear(&rep);
}

static json_int_t s_counter(bt_client_t *sc, const char *name)
{
    json_t *st = bt_status(sc);
    json_int_t v = json_integer_value(json_object_get(json_object_get(st, "broker"), name));
    json_decref(st);
    return v;
}

static void test_timeout_while_queued(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w = bt_worker_new(b, "me.get", 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    uint8_t busy_id[ENVELOPE_ID_SIZE], late_id[ENVELOPE_ID_SIZE];
    assert_int_equal(bt_client_send(c, "me.get", bt_now_ms() + 5000, false, busy_id), 0);
    bt_request_t r;
    assert_int_equal(bt_worker_recv(w, 2000, &r), 0);
    int64_t t0 = bt_now_ms();
    assert_int_equal(bt_client_send(c, "me.get", t0 + 200, false, late_id), 0);
    s_expect_reply(c, late_id, 504, "timeout", 2000);
    int64_t took = bt_now_ms() - t0;
    assert_true(took >= 150 && took < 1000);
    assert_int_equal(bt_worker_reply(w, &r, 200, NULL), 0);
    bt_request_clear(&r);
    s_expect_reply(c, busy_id, 200, NULL, 2000);
    /* The expired request was dropped, not handed to the worker afterwards. */
    assert_int_equal(bt_worker_recv(w, 200, &r), -1);
}

static void test_timeout_in_flight_and_late_reply(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w = bt_worker_new(b, "me.get", 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    uint8_t id[ENVELOPE_ID_SIZE];
    int64_t t0 = bt_now_ms();
    assert_int_equal(bt_client_send(c, "me.get", t0 + 200, false, id), 0);
    bt_request_t r;
    assert_int_equal(bt_worker_recv(w, 2000, &r), 0);
    s_expect_reply(c, id, 504, "timeout", 2000);
    assert_true(bt_now_ms() - t0 >= 150);
    assert_int_equal(bt_worker_reply(w, &r, 200, NULL), 0); /* too late */
    bt_request_clear(&r);
    envelope_reply_t rep;
    assert_int_equal(bt_client_recv(c, 300, &rep), -1); /* exactly one reply */
    assert_int_equal(s_counter(sc, "late_replies"), 1);
    assert_int_equal(s_counter(sc, "timeouts"), 1);
    /* The worker is usable again. */
    assert_int_equal(bt_client_send(c, "me.get", bt_now_ms() + 5000, false, id), 0);
    assert_int_equal(bt_worker_recv(w, 2000, &r), 0);
    assert_int_equal(bt_worker_reply(w, &r, 200, NULL), 0);
    bt_request_clear(&r);
    s_expect_reply(c, id, 200, NULL, 2000);
}

static void test_deadline_already_passed(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w = bt_worker_new(b, "me.get", 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    uint8_t id[ENVELOPE_ID_SIZE];
    assert_int_equal(bt_client_send(c, "me.get", bt_now_ms() - 10, false, id), 0);
    s_expect_reply(c, id, 504, "timeout", 1000);
    bt_request_t r;
    assert_int_equal(bt_worker_recv(w, 100, &r), -1);
}

static void test_dead_worker_retry_and_lost(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w1 = bt_worker_new(b, "me.get,auth.register", 2, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    uint8_t read_id[ENVELOPE_ID_SIZE], write_id[ENVELOPE_ID_SIZE];
    assert_int_equal(bt_client_send(c, "me.get", bt_now_ms() + 5000, false, read_id), 0);
    assert_int_equal(bt_client_send(c, "auth.register", bt_now_ms() + 5000, false, write_id), 0);
    bt_request_t r1, r2, retry;
    assert_int_equal(bt_worker_recv(w1, 2000, &r1), 0);
    assert_int_equal(bt_worker_recv(w1, 2000, &r2), 0);
    bt_worker_t *w2 = bt_worker_new(b, "me.get,auth.register", 1, 2);
    assert_int_equal(bt_wait_workers(sc, 2, 3000), 0);
    int64_t t0 = bt_now_ms();
    w1->silent = true;
    /* After ~3 heartbeats w1 is dead: me.get is re-sent, byte for byte, to w2. */
    assert_int_equal(bt_worker_recv(w2, 2000, &retry), 0);
    int64_t took = bt_now_ms() - t0;
    assert_true(took >= 200 && took < 1500);
    assert_string_equal(retry.req.op, "me.get");
    assert_int_equal(zframe_size(retry.envelope), zframe_size(r1.envelope));
    assert_memory_equal(zframe_data(retry.envelope), zframe_data(r1.envelope),
                        zframe_size(r1.envelope));
    assert_int_equal(bt_worker_reply(w2, &retry, 200, NULL), 0);
    bt_request_clear(&retry);
    bool got_read = false, got_write = false;
    for (int i = 0; i < 2; i++) {
        envelope_reply_t rep;
        assert_int_equal(bt_client_recv(c, 2000, &rep), 0);
        if (memcmp(rep.id, read_id, ENVELOPE_ID_SIZE) == 0) {
            assert_int_equal(rep.status, 200);
            got_read = true;
        } else {
            assert_memory_equal(rep.id, write_id, ENVELOPE_ID_SIZE);
            assert_int_equal(rep.status, 503);
            assert_string_equal(rep.error_code, "worker_lost");
            got_write = true;
        }
        envelope_reply_clear(&rep);
    }
    assert_true(got_read && got_write);
    assert_int_equal(bt_wait_workers(sc, 1, 1000), 0);
    assert_int_equal(s_counter(sc, "retried"), 1);
    assert_int_equal(s_counter(sc, "worker_lost"), 1);
    /* The late reply of the dead worker goes nowhere; a heartbeat from it, unknown now,
     * is answered DISCONNECT, and a fresh READY brings it back. */
    assert_int_equal(bt_worker_reply(w1, &r1, 200, NULL), 0);
    bt_request_clear(&r1);
    bt_request_clear(&r2);
    w1->silent = false;
    assert_int_equal(bt_worker_expect_cmd(w1, PROTO_DISCONNECT, 2000), 0);
    envelope_reply_t rep;
    assert_int_equal(bt_client_recv(c, 100, &rep), -1);
    bt_worker_ready(w1, "me.get", 1, 1);
    assert_int_equal(bt_wait_workers(sc, 2, 3000), 0);
}

static void test_retry_dies_twice(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w1 = bt_worker_new(b, "me.get", 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    uint8_t id[ENVELOPE_ID_SIZE];
    assert_int_equal(bt_client_send(c, "me.get", bt_now_ms() + 5000, false, id), 0);
    bt_request_t r;
    assert_int_equal(bt_worker_recv(w1, 2000, &r), 0);
    bt_request_clear(&r);
    bt_worker_t *w2 = bt_worker_new(b, "me.get", 1, 2);
    assert_int_equal(bt_wait_workers(sc, 2, 3000), 0);
    w1->silent = true;
    assert_int_equal(bt_worker_recv(w2, 2000, &r), 0);
    bt_request_clear(&r);
    w2->silent = true;
    s_expect_reply(c, id, 503, "worker_lost", 2000);
}

static void test_queued_requests_answered_when_last_server_dies(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w = bt_worker_new(b, "auth.register", 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    uint8_t first[ENVELOPE_ID_SIZE], queued[ENVELOPE_ID_SIZE];
    assert_int_equal(bt_client_send(c, "auth.register", bt_now_ms() + 5000, false, first), 0);
    assert_int_equal(bt_client_send(c, "auth.register", bt_now_ms() + 5000, false, queued), 0);
    bt_request_t r;
    assert_int_equal(bt_worker_recv(w, 2000, &r), 0);
    bt_request_clear(&r);
    w->silent = true;
    bool seen_lost = false, seen_no_worker = false;
    for (int i = 0; i < 2; i++) {
        envelope_reply_t rep;
        assert_int_equal(bt_client_recv(c, 2000, &rep), 0);
        assert_int_equal(rep.status, 503);
        if (memcmp(rep.id, first, ENVELOPE_ID_SIZE) == 0)
            seen_lost = strcmp(rep.error_code, "worker_lost") == 0;
        else
            seen_no_worker = strcmp(rep.error_code, "no_worker") == 0;
        envelope_reply_clear(&rep);
    }
    assert_true(seen_lost && seen_no_worker);
}

static void test_malformed_input_survives(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w = bt_worker_new(b, "me.get", 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    const char garbage[] = "\xc1\xff\x00garbage";
    const char *brc = PROTO_CLIENT;
    /* Client side: wrong frame counts, wrong protocol, unreadable envelope. */
    const void *d1[] = {garbage};
    size_t s1[] = {sizeof garbage};
    assert_int_equal(bt_send_raw(c->sock, d1, s1, 1), 0);
    const void *d2[] = {"", "XXXX", garbage};
    size_t s2[] = {0, 4, sizeof garbage};
    assert_int_equal(bt_send_raw(c->sock, d2, s2, 3), 0);
    const void *d3[] = {"", brc, garbage};
    size_t s3[] = {0, 4, sizeof garbage};
    assert_int_equal(bt_send_raw(c->sock, d3, s3, 3), 0);
    const void *d4[] = {"", brc, "\x81\xa2id\xc4\x10", "x", "y", "z", "w", "v", "u", "t"};
    size_t s4[] = {0, 4, 6, 1, 1, 1, 1, 1, 1, 1};
    assert_int_equal(bt_send_raw(c->sock, d4, s4, 10), 0);
    /* A map with an id but no op: answered 400 bad_request with that id. */
    uint8_t id[ENVELOPE_ID_SIZE];
    memset(id, 0xab, sizeof id);
    char env[32] = "\x81\xa2id\xc4\x10";
    memcpy(env + 6, id, sizeof id);
    const void *d5[] = {"", brc, env};
    size_t s5[] = {0, 4, 6 + sizeof id};
    assert_int_equal(bt_send_raw(c->sock, d5, s5, 3), 0);
    s_expect_reply(c, id, 400, "bad_request", 2000);
    /* Worker side: garbage, unknown commands, a READY without ops, a broken reply. */
    zsock_t *raw = zsock_new_dealer(b->workers_ep);
    assert_non_null(raw);
    const char *brw = PROTO_WORKER;
    const void *w1[] = {garbage};
    size_t ws1[] = {sizeof garbage};
    assert_int_equal(bt_send_raw(raw, w1, ws1, 1), 0);
    const void *w2[] = {brw, "\x09"};
    size_t ws2[] = {4, 1};
    assert_int_equal(bt_send_raw(raw, w2, ws2, 2), 0);
    const void *w3[] = {brw, "\x01", "\x81\xa3pid\x01"};
    size_t ws3[] = {4, 1, 6};
    assert_int_equal(bt_send_raw(raw, w3, ws3, 3), 0);
    const void *w4[] = {brw, "\x03", "client", "", garbage};
    size_t ws4[] = {4, 1, 6, 0, sizeof garbage};
    assert_int_equal(bt_send_raw(w->sock, w4, ws4, 5), 0);
    const void *w5[] = {brw, "\x04", garbage};
    size_t ws5[] = {4, 1, sizeof garbage};
    assert_int_equal(bt_send_raw(w->sock, w5, ws5, 3), 0);
    bt_pump(100);
    assert_true(bt_broker_alive(b));
    /* Still working: the registered worker still serves, the raw one never registered. */
    assert_int_equal(bt_client_send(c, "me.get", bt_now_ms() + 5000, false, id), 0);
    bt_request_t r;
    assert_int_equal(bt_worker_recv(w, 2000, &r), 0);
    assert_int_equal(bt_worker_reply(w, &r, 200, NULL), 0);
    bt_request_clear(&r);
    s_expect_reply(c, id, 200, NULL, 2000);
    json_t *st = bt_status(sc);
    json_t *counters = json_object_get(st, "broker");
    assert_int_equal(json_integer_value(json_object_get(st, "workers_total")), 1);
    assert_true(json_integer_value(json_object_get(counters, "client_malformed")) >= 5);
    assert_true(json_integer_value(json_object_get(counters, "worker_malformed")) >= 4);
    json_decref(st);
    zsock_destroy(&raw);
}

static void test_sigterm_disconnects_workers(void **state)
{
    fixture_t *fx = *state;
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w = bt_worker_new(b, "me.get", 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    uint8_t id[ENVELOPE_ID_SIZE];
    assert_int_equal(bt_client_send(c, "me.get", bt_now_ms() + 5000, false, id), 0);
    bt_request_t r;
    assert_int_equal(bt_worker_recv(w, 2000, &r), 0);
    bt_request_clear(&r);
    assert_int_equal(bt_broker_stop(b), 0);
    fx->started = false;
    assert_int_equal(bt_worker_expect_cmd(w, PROTO_DISCONNECT, 1000), 0);
    /* The request in flight was answered, not abandoned. */
    s_expect_reply(c, id, 503, "no_worker", 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_timeout_while_queued, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_timeout_in_flight_and_late_reply, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_deadline_already_passed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_dead_worker_retry_and_lost, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_retry_dies_twice, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_queued_requests_answered_when_last_server_dies,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_input_survives, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_disconnects_workers, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("broker_faults", tests, NULL, NULL);
}
