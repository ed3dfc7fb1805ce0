/* test_broker_routing — routing rules of bedrock-broker against the real binary:
 * LRU across workers, op-prefix routing and 503 no_worker, credit, the bounded queue
 * (503 overloaded), noreply, re-registration and the broker.status document
 * (owned by the broker area). */
#include "broker_harness.h"
#include "proto.h"

#include <setjmp.h>
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

static int64_t s_deadline(void)
{
    return bt_now_ms() + 5000;
}

/* The index of the worker (of n) that receives the next request within timeout_ms. */
static int s_recv_any(bt_worker_t **w, int n, int timeout_ms, bt_request_t *out)
{
    int64_t end = bt_now_ms() + timeout_ms;
    while (bt_now_ms() < end) {
        for (int i = 0; i < n; i++)
            if (bt_worker_recv(w[i], 5, out) == 0)
                return i;
    }
    return -1;
}

static void s_expect_reply(bt_client_t *c, const uint8_t *id, int status, const char *code)
{
    envelope_reply_t rep;
    assert_int_equal(bt_client_recv(c, 2000, &rep), 0);
    if (id)
        assert_memory_equal(rep.id, id, ENVELOPE_ID_SIZE);
    assert_int_equal(rep.status, status);
    assert_string_equal(rep.error_code, code ? code : "");
    envelope_reply_clear(&rep);
}

static void test_lru_across_two_workers(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w[2] = {bt_worker_new(b, "me.get", 1, 101), bt_worker_new(b, "me.get", 1, 102)};
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 2, 3000), 0);
    int order[4];
    for (int i = 0; i < 4; i++) {
        uint8_t id[ENVELOPE_ID_SIZE];
        assert_int_equal(bt_client_send(c, "me.get", s_deadline(), false, id), 0);
        bt_request_t r;
        order[i] = s_recv_any(w, 2, 2000, &r);
        assert_true(order[i] >= 0);
        assert_memory_equal(r.req.id, id, ENVELOPE_ID_SIZE);
        assert_int_equal(bt_worker_reply(w[order[i]], &r, 200, NULL), 0);
        bt_request_clear(&r);
        s_expect_reply(c, id, 200, NULL);
    }
    /* Least recently used: the two workers take turns. */
    assert_int_not_equal(order[0], order[1]);
    assert_int_equal(order[0], order[2]);
    assert_int_equal(order[1], order[3]);
}

static void test_idle_worker_preferred_over_credit(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w[2] = {bt_worker_new(b, "me.get", 2, 1), bt_worker_new(b, "me.get", 2, 2)};
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 2, 3000), 0);
    bt_request_t r1, r2;
    assert_int_equal(bt_client_send(c, "me.get", s_deadline(), false, NULL), 0);
    int first = s_recv_any(w, 2, 2000, &r1);
    assert_int_equal(bt_client_send(c, "me.get", s_deadline(), false, NULL), 0);
    int second = s_recv_any(w, 2, 2000, &r2);
    assert_true(first >= 0 && second >= 0);
    /* The busy worker has credit left, but the idle one must be chosen. */
    assert_int_not_equal(first, second);
    bt_request_clear(&r1);
    bt_request_clear(&r2);
}

static void test_op_prefix_routing_and_no_worker(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *cat = bt_worker_new(b, "catalog.", 1, 1);
    bt_worker_t *me = bt_worker_new(b, "me.get", 1, 2);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 2, 3000), 0);
    bt_request_t r;
    for (int i = 0; i < 2; i++) { /* twice: LRU must not send catalog.x to the me worker */
        assert_int_equal(bt_client_send(c, "catalog.x", s_deadline(), false, NULL), 0);
        assert_int_equal(bt_worker_recv(cat, 2000, &r), 0);
        assert_string_equal(r.req.op, "catalog.x");
        assert_int_equal(bt_worker_reply(cat, &r, 200, NULL), 0);
        bt_request_clear(&r);
        s_expect_reply(c, NULL, 200, NULL);
    }
    assert_int_equal(bt_worker_recv(me, 100, &r), -1);
    assert_int_equal(bt_client_send(c, "me.get", s_deadline(), false, NULL), 0);
    assert_int_equal(bt_worker_recv(me, 2000, &r), 0);
    assert_string_equal(r.req.op, "me.get");
    bt_request_clear(&r);
    /* Exact entries match exactly; prefixes only end in '.'. */
    const char *unserved[] = {"tracks.get", "me.getx", "catalogx", "me."};
    for (size_t i = 0; i < sizeof unserved / sizeof unserved[0]; i++) {
        uint8_t id[ENVELOPE_ID_SIZE];
        assert_int_equal(bt_client_send(c, unserved[i], s_deadline(), false, id), 0);
        s_expect_reply(c, id, 503, "no_worker");
    }
    assert_int_equal(bt_worker_recv(cat, 100, &r), -1);
}

static void test_credit(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w = bt_worker_new(b, "me.get", 2, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(bt_client_send(c, "me.get", s_deadline(), false, NULL), 0);
    bt_request_t r[3];
    assert_int_equal(bt_worker_recv(w, 2000, &r[0]), 0);
    assert_int_equal(bt_worker_recv(w, 2000, &r[1]), 0);
    /* Credit 2: the third waits in the queue until one reply comes back. */
    assert_int_equal(bt_worker_recv(w, 200, &r[2]), -1);
    json_t *st = bt_status(sc);
    assert_non_null(st);
    assert_int_equal(json_integer_value(json_object_get(st, "queue_depth")), 1);
    json_t *w0 = json_array_get(json_object_get(st, "workers"), 0);
    assert_int_equal(json_integer_value(json_object_get(w0, "in_flight")), 2);
    assert_true(json_is_true(json_object_get(w0, "busy")));
    json_decref(st);
    assert_int_equal(bt_worker_reply(w, &r[0], 200, NULL), 0);
    assert_int_equal(bt_worker_recv(w, 2000, &r[2]), 0);
    assert_int_equal(bt_worker_reply(w, &r[1], 200, NULL), 0);
    assert_int_equal(bt_worker_reply(w, &r[2], 200, NULL), 0);
    for (int i = 0; i < 3; i++) {
        s_expect_reply(c, r[i].req.id, 200, NULL);
        bt_request_clear(&r[i]);
    }
}

static void test_bounded_queue_overloaded(void **state)
{
    const char *env[] = {"BEDROCK_BROKER_QUEUE_MAX=2", NULL};
    bt_broker_t *b = s_start(state, env);
    bt_worker_t *w = bt_worker_new(b, "me.get", 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    uint8_t ids[4][ENVELOPE_ID_SIZE];
    for (int i = 0; i < 4; i++)
        assert_int_equal(bt_client_send(c, "me.get", s_deadline(), false, ids[i]), 0);
    /* One in flight, two queued: the fourth is refused at once. */
    int64_t t0 = bt_now_ms();
    s_expect_reply(c, ids[3], 503, "overloaded");
    assert_true(bt_now_ms() - t0 < 1000);
    json_t *st = bt_status(sc);
    assert_int_equal(json_integer_value(json_object_get(st, "queue_depth")), 2);
    assert_int_equal(json_integer_value(json_object_get(st, "queue_max")), 2);
    json_decref(st);
    for (int i = 0; i < 3; i++) {
        bt_request_t r;
        assert_int_equal(bt_worker_recv(w, 2000, &r), 0);
        assert_memory_equal(r.req.id, ids[i], ENVELOPE_ID_SIZE); /* FIFO */
        assert_int_equal(bt_worker_reply(w, &r, 200, NULL), 0);
        bt_request_clear(&r);
        s_expect_reply(c, ids[i], 200, NULL);
    }
}

static void test_noreply_frees_credit(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w = bt_worker_new(b, "plays.", 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    bt_request_t r;
    assert_int_equal(bt_client_send(c, "plays.push", 0, true, NULL), 0);
    assert_int_equal(bt_worker_recv(w, 2000, &r), 0);
    assert_true(r.req.noreply);
    assert_int_equal(bt_worker_reply(w, &r, 200, NULL), 0);
    bt_request_clear(&r);
    envelope_reply_t rep;
    assert_int_equal(bt_client_recv(c, 200, &rep), -1); /* noreply: nothing comes back */
    uint8_t id[ENVELOPE_ID_SIZE];
    assert_int_equal(bt_client_send(c, "plays.push", s_deadline(), false, id), 0);
    assert_int_equal(bt_worker_recv(w, 2000, &r), 0);
    assert_int_equal(bt_worker_reply(w, &r, 200, NULL), 0);
    bt_request_clear(&r);
    s_expect_reply(c, id, 200, NULL);
}

static void test_reregistration(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w = bt_worker_new(b, "me.get", 1, 1);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    bt_worker_ready(w, "catalog.", 3, 1);
    bt_pump(100);
    json_t *st = bt_status(sc);
    assert_int_equal(json_integer_value(json_object_get(st, "workers_total")), 1);
    json_t *w0 = json_array_get(json_object_get(st, "workers"), 0);
    assert_int_equal(json_integer_value(json_object_get(w0, "credit")), 3);
    assert_string_equal(json_string_value(json_array_get(json_object_get(w0, "ops"), 0)),
                        "catalog.");
    json_decref(st);
    uint8_t id[ENVELOPE_ID_SIZE];
    assert_int_equal(bt_client_send(c, "me.get", s_deadline(), false, id), 0);
    s_expect_reply(c, id, 503, "no_worker");
}

static void test_status_shape_and_counts(void **state)
{
    bt_broker_t *b = s_start(state, NULL);
    bt_worker_t *w = bt_worker_new(b, "test.echo,me.", 2, 4242);
    bt_worker_set_stats(w, json_pack("{s:i, s:i, s:s, s:s, s:i}", "handled", 7, "errors", 1, "db",
                                     "up", "redis", "down", "cache_bypass", 3));
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    int statuses[] = {200, 200, 500};
    for (int i = 0; i < 3; i++) {
        bt_request_t r;
        assert_int_equal(bt_client_send(c, "test.echo", s_deadline(), false, NULL), 0);
        assert_int_equal(bt_worker_recv(w, 2000, &r), 0);
        assert_int_equal(bt_worker_reply(w, &r, statuses[i], NULL), 0);
        s_expect_reply(c, r.req.id, statuses[i], statuses[i] == 500 ? "internal" : NULL);
        bt_request_clear(&r);
    }
    assert_int_equal(bt_client_send(c, "nothing.here", s_deadline(), false, NULL), 0);
    s_expect_reply(c, NULL, 503, "no_worker");
    bt_pump(150); /* a heartbeat with stats reaches the broker */
    json_t *st = bt_status(sc);
    assert_non_null(st);
    json_t *echo = json_object_get(json_object_get(st, "ops"), "test.echo");
    assert_int_equal(json_integer_value(json_object_get(echo, "count")), 3);
    assert_int_equal(json_integer_value(json_object_get(echo, "errors")), 1);
    double p50 = json_number_value(json_object_get(echo, "p50_ms"));
    double p99 = json_number_value(json_object_get(echo, "p99_ms"));
    assert_true(json_is_number(json_object_get(echo, "p50_ms")) && p50 >= 0 && p99 >= p50);
    json_t *nw = json_object_get(json_object_get(st, "ops"), "nothing.here");
    assert_int_equal(json_integer_value(json_object_get(nw, "errors")), 1);
    assert_int_equal(json_integer_value(json_object_get(st, "workers_total")), 1);
    assert_int_equal(json_integer_value(json_object_get(st, "workers_live")), 1);
    assert_int_equal(json_integer_value(json_object_get(st, "queue_depth")), 0);
    assert_int_equal(json_integer_value(json_object_get(st, "queue_max")), 1024);
    json_t *w0 = json_array_get(json_object_get(st, "workers"), 0);
    assert_true(json_is_string(json_object_get(w0, "id")));
    assert_int_equal(json_integer_value(json_object_get(w0, "pid")), 4242);
    assert_string_equal(json_string_value(json_object_get(w0, "host")), "test-host");
    assert_int_equal(json_array_size(json_object_get(w0, "ops")), 2);
    assert_true(json_is_false(json_object_get(w0, "busy")));
    assert_int_equal(json_integer_value(json_object_get(w0, "in_flight")), 0);
    assert_int_equal(json_integer_value(json_object_get(w0, "credit")), 2);
    assert_int_equal(json_integer_value(json_object_get(w0, "handled")), 3);
    json_int_t ago = json_integer_value(json_object_get(w0, "last_heartbeat_ms_ago"));
    assert_true(json_is_integer(json_object_get(w0, "last_heartbeat_ms_ago")) && ago < 300);
    json_t *stats = json_object_get(st, "stats");
    assert_int_equal(json_integer_value(json_object_get(stats, "handled")), 7);
    assert_int_equal(json_integer_value(json_object_get(stats, "cache_bypass")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(stats, "db"), "up")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(stats, "redis"), "down")),
                     1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(st, "broker"), "no_worker")), 1);
    json_decref(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lru_across_two_workers, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_idle_worker_preferred_over_credit, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_op_prefix_routing_and_no_worker, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_credit, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_bounded_queue_overloaded, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_noreply_frees_credit, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_reregistration, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_status_shape_and_counts, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("broker_routing", tests, NULL, NULL);
}
