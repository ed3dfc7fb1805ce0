/* test_broker_forward — FORWARD (CONTRACTS Addendum) against the real binary: a fast
 * worker hands a request to the slow provider pool and is free at once, the client gets
 * exactly one reply; no server for the new op (503), the slow worker dies (read-only
 * retry), the deadline passes while queued (504), FORWARDs that match nothing or are
 * malformed, and a forwarding loop (owned by the broker area). */
#include "broker_harness.h"
#include "proto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
#include <cmocka.h>

#define FAST_OP "tracks.get"
#define SLOW_OP "provider.fetch"

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

static bt_broker_t *s_start(void **state)
{
    fixture_t *fx = *state;
    assert_int_equal(bt_broker_start(&fx->broker, NULL), 0);
    fx->started = true;
    return &fx->broker;
}

static int64_t s_deadline(void)
{
    return bt_now_ms() + 5000;
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

static void s_expect_silence(bt_client_t *c, int ms)
{
    envelope_reply_t rep;
    assert_int_equal(bt_client_recv(c, ms, &rep), -1);
}

static json_int_t s_counter(bt_client_t *sc, const char *name)
{
    json_t *st = bt_status(sc);
    json_int_t v = json_integer_value(json_object_get(json_object_get(st, "broker"), name));
    json_decref(st);
    return v;
}

/* A client request of FAST_OP received by fast and forwarded by it as SLOW_OP. */
static void s_send_and_forward(bt_client_t *c, bt_worker_t *fast, int64_t deadline,
                               uint8_t id[ENVELOPE_ID_SIZE], bt_request_t *got)
{
    assert_int_equal(bt_client_send(c, FAST_OP, deadline, false, id), 0);
    assert_int_equal(bt_worker_recv(fast, 2000, got), 0);
    assert_memory_equal(got->req.id, id, ENVELOPE_ID_SIZE);
    assert_int_equal(bt_worker_forward(fast, got, SLOW_OP, got->req.deadline_ms), 0);
}

static void test_forward_to_slow_pool(void **state)
{
    bt_broker_t *b = s_start(state);
    bt_worker_t *fast = bt_worker_new(b, FAST_OP, 1, 1);
    bt_worker_t *slow = bt_worker_new(b, SLOW_OP, 1, 2);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 2, 3000), 0);
    uint8_t id1[ENVELOPE_ID_SIZE], id2[ENVELOPE_ID_SIZE];
    bt_request_t at_fast, at_slow, next;
    int64_t deadline = s_deadline();
    s_send_and_forward(c, fast, deadline, id1, &at_fast);
    assert_int_equal(bt_worker_recv(slow, 2000, &at_slow), 0);
    assert_memory_equal(at_slow.req.id, id1, ENVELOPE_ID_SIZE);
    assert_string_equal(at_slow.req.op, SLOW_OP);
    assert_int_equal(at_slow.req.deadline_ms, deadline);
    /* Credit 1, and the slow worker still works: the fast one is free all the same. */
    assert_int_equal(bt_client_send(c, FAST_OP, s_deadline(), false, id2), 0);
    assert_int_equal(bt_worker_recv(fast, 1000, &next), 0);
    assert_memory_equal(next.req.id, id2, ENVELOPE_ID_SIZE);
    assert_int_equal(bt_worker_reply(fast, &next, 200, NULL), 0);
    bt_request_clear(&next);
    s_expect_reply(c, id2, 200, NULL, 2000);
    /* A second FORWARD and a late REPLY of the fast worker change nothing. */
    assert_int_equal(bt_worker_forward(fast, &at_fast, SLOW_OP, deadline), 0);
    assert_int_equal(bt_worker_reply(fast, &at_fast, 200, NULL), 0);
    json_t *data = json_pack("{s:s}", "from", "slow");
    assert_int_equal(bt_worker_reply(slow, &at_slow, 200, data), 0);
    json_decref(data);
    envelope_reply_t rep;
    assert_int_equal(bt_client_recv(c, 2000, &rep), 0);
    assert_memory_equal(rep.id, id1, ENVELOPE_ID_SIZE);
    assert_int_equal(rep.status, 200);
    assert_string_equal(json_string_value(json_object_get(rep.data, "from")), "slow");
    envelope_reply_clear(&rep);
    s_expect_silence(c, 200); /* exactly one reply */
    assert_int_equal(bt_worker_recv(slow, 100, &next), -1);
    json_t *st = bt_status(sc);
    json_t *counters = json_object_get(st, "broker"), *ops = json_object_get(st, "ops");
    assert_int_equal(json_integer_value(json_object_get(counters, "forwarded")), 1);
    assert_int_equal(json_integer_value(json_object_get(counters, "forward_unmatched")), 1);
    assert_int_equal(json_integer_value(json_object_get(counters, "late_replies")), 1);
    json_t *fast_op = json_object_get(ops, FAST_OP), *slow_op = json_object_get(ops, SLOW_OP);
    assert_int_equal(json_integer_value(json_object_get(fast_op, "forwarded")), 1);
    assert_int_equal(json_integer_value(json_object_get(fast_op, "count")), 1);
    assert_int_equal(json_integer_value(json_object_get(slow_op, "count")), 1);
    assert_int_equal(json_integer_value(json_object_get(slow_op, "forwarded")), 0);
    json_decref(st);
    bt_request_clear(&at_fast);
    bt_request_clear(&at_slow);
}

static void test_forward_to_unserved_op(void **state)
{
    bt_broker_t *b = s_start(state);
    bt_worker_t *fast = bt_worker_new(b, FAST_OP, 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    uint8_t id[ENVELOPE_ID_SIZE];
    bt_request_t r;
    int64_t t0 = bt_now_ms();
    s_send_and_forward(c, fast, s_deadline(), id, &r);
    bt_request_clear(&r);
    s_expect_reply(c, id, 503, "no_worker", 1000);
    assert_true(bt_now_ms() - t0 < 1000);
    /* The fast worker's slot was freed all the same. */
    assert_int_equal(bt_client_send(c, FAST_OP, s_deadline(), false, id), 0);
    assert_int_equal(bt_worker_recv(fast, 1000, &r), 0);
    bt_request_clear(&r);
    assert_int_equal(s_counter(sc, "no_worker"), 1);
}

static void test_forward_retried_when_slow_worker_dies(void **state)
{
    bt_broker_t *b = s_start(state);
    bt_worker_t *fast = bt_worker_new(b, FAST_OP, 1, 1);
    bt_worker_t *slow[2] = {bt_worker_new(b, SLOW_OP, 1, 2), bt_worker_new(b, SLOW_OP, 1, 3)};
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 3, 3000), 0);
    uint8_t id[ENVELOPE_ID_SIZE];
    bt_request_t r, first, retry;
    s_send_and_forward(c, fast, s_deadline(), id, &r);
    bt_request_clear(&r);
    int dying = -1;
    for (int64_t end = bt_now_ms() + 2000; dying < 0 && bt_now_ms() < end;)
        for (int i = 0; i < 2 && dying < 0; i++)
            if (bt_worker_recv(slow[i], 5, &first) == 0)
                dying = i;
    assert_true(dying >= 0);
    slow[dying]->silent = true;
    /* provider.fetch is read-only: re-sent, byte for byte, to the other slow worker. */
    assert_int_equal(bt_worker_recv(slow[1 - dying], 2000, &retry), 0);
    assert_memory_equal(retry.req.id, id, ENVELOPE_ID_SIZE);
    assert_string_equal(retry.req.op, SLOW_OP);
    assert_int_equal(zframe_size(retry.envelope), zframe_size(first.envelope));
    assert_memory_equal(zframe_data(retry.envelope), zframe_data(first.envelope),
                        zframe_size(first.envelope));
    assert_int_equal(bt_worker_reply(slow[1 - dying], &retry, 200, NULL), 0);
    s_expect_reply(c, id, 200, NULL, 2000);
    s_expect_silence(c, 100);
    assert_int_equal(s_counter(sc, "retried"), 1);
    bt_request_clear(&first);
    bt_request_clear(&retry);
}

static void test_forward_deadline_while_queued(void **state)
{
    bt_broker_t *b = s_start(state);
    bt_worker_t *fast = bt_worker_new(b, FAST_OP, 2, 1);
    bt_worker_t *slow = bt_worker_new(b, SLOW_OP, 1, 2);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 2, 3000), 0);
    uint8_t busy_id[ENVELOPE_ID_SIZE], ids[2][ENVELOPE_ID_SIZE];
    bt_request_t busy, r;
    assert_int_equal(bt_client_send(c, SLOW_OP, s_deadline(), false, busy_id), 0);
    assert_int_equal(bt_worker_recv(slow, 2000, &busy), 0);
    int64_t t0 = bt_now_ms();
    /* Both wait for the busy slow worker. The second forward asks for a later deadline
     * than its client did: the client's deadline still rules. */
    s_send_and_forward(c, fast, t0 + 300, ids[0], &r);
    bt_request_clear(&r);
    assert_int_equal(bt_client_send(c, FAST_OP, t0 + 300, false, ids[1]), 0);
    assert_int_equal(bt_worker_recv(fast, 2000, &r), 0);
    assert_int_equal(bt_worker_forward(fast, &r, SLOW_OP, t0 + 60000), 0);
    bt_request_clear(&r);
    bool seen[2] = {false, false};
    for (int i = 0; i < 2; i++) {
        envelope_reply_t rep;
        assert_int_equal(bt_client_recv(c, 2000, &rep), 0);
        assert_int_equal(rep.status, 504);
        assert_string_equal(rep.error_code, "timeout");
        for (int k = 0; k < 2; k++)
            seen[k] |= memcmp(rep.id, ids[k], ENVELOPE_ID_SIZE) == 0;
        envelope_reply_clear(&rep);
    }
    assert_true(seen[0] && seen[1]);
    int64_t took = bt_now_ms() - t0;
    assert_true(took >= 250 && took < 1000);
    assert_int_equal(bt_worker_reply(slow, &busy, 200, NULL), 0);
    bt_request_clear(&busy);
    s_expect_reply(c, busy_id, 200, NULL, 2000);
    /* The expired ones were dropped, not handed to the slow worker afterwards. */
    assert_int_equal(bt_worker_recv(slow, 200, &r), -1);
    assert_int_equal(s_counter(sc, "timeouts"), 2);
}

static void test_forward_unmatched_and_malformed(void **state)
{
    bt_broker_t *b = s_start(state);
    bt_worker_t *fast = bt_worker_new(b, FAST_OP, 1, 1);
    bt_worker_t *other = bt_worker_new(b, "other.op", 1, 2);
    bt_worker_t *slow = bt_worker_new(b, SLOW_OP, 1, 3);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 3, 3000), 0);
    uint8_t id[ENVELOPE_ID_SIZE];
    bt_request_t r, none;
    assert_int_equal(bt_client_send(c, FAST_OP, s_deadline(), false, id), 0);
    assert_int_equal(bt_worker_recv(fast, 2000, &r), 0);
    /* Neither a FORWARD from a worker that does not hold the request, nor one that names
     * another client, touches it. */
    assert_int_equal(bt_worker_forward(other, &r, SLOW_OP, 0), 0);
    bt_request_t wrong = r;
    wrong.client = zframe_from("someone-else");
    assert_int_equal(bt_worker_forward(fast, &wrong, SLOW_OP, 0), 0);
    zframe_destroy(&wrong.client);
    assert_int_equal(bt_worker_recv(slow, 200, &none), -1);
    assert_int_equal(s_counter(sc, "forward_unmatched"), 2);
    /* An unreadable new envelope that still shows the id: answered 500 at once. */
    char env[32] = "\x81\xa2id\xc4\x10";
    memcpy(env + 6, id, ENVELOPE_ID_SIZE);
    const void *d[] = {PROTO_WORKER, "\x06", zframe_data(r.client), "", env};
    size_t s[] = {4, 1, zframe_size(r.client), 0, 6 + ENVELOPE_ID_SIZE};
    assert_int_equal(bt_send_raw(fast->sock, d, s, 5), 0);
    s_expect_reply(c, id, 500, "internal", 1000);
    /* Wrong frames: dropped. */
    const void *d2[] = {PROTO_WORKER, "\x06", "x", "y"};
    size_t s2[] = {4, 1, 1, 1};
    assert_int_equal(bt_send_raw(fast->sock, d2, s2, 4), 0);
    s_expect_silence(c, 100);
    assert_int_equal(bt_worker_recv(slow, 10, &none), -1);
    assert_true(bt_broker_alive(b));
    assert_int_equal(s_counter(sc, "worker_malformed"), 2);
    assert_int_equal(s_counter(sc, "forwarded"), 0);
    bt_request_clear(&r);
}

static void test_forward_loop_answered(void **state)
{
    bt_broker_t *b = s_start(state);
    bt_worker_t *w = bt_worker_new(b, "loop.", 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    uint8_t id[ENVELOPE_ID_SIZE];
    assert_int_equal(bt_client_send(c, "loop.a", s_deadline(), false, id), 0);
    /* A pool that hands the request back to itself: the broker ends it after 4 hops. */
    for (int hop = 0; hop < 5; hop++) {
        bt_request_t r;
        assert_int_equal(bt_worker_recv(w, 1000, &r), 0);
        assert_int_equal(bt_worker_forward(w, &r, hop % 2 ? "loop.a" : "loop.b", 0), 0);
        bt_request_clear(&r);
    }
    s_expect_reply(c, id, 500, "internal", 1000);
    s_expect_silence(c, 100);
    assert_int_equal(s_counter(sc, "forward_loops"), 1);
    assert_int_equal(s_counter(sc, "forwarded"), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_forward_to_slow_pool, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_forward_to_unserved_op, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_forward_retried_when_slow_worker_dies, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_forward_deadline_while_queued, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_forward_unmatched_and_malformed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_forward_loop_answered, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("broker_forward", tests, NULL, NULL);
}
