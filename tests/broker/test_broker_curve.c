/* test_broker_curve — bedrock-broker with CURVE on (broker/curve.h), against the real
 * binary: a worker and a client whose public keys are in the allow-list are served; a
 * worker with an unknown key, or without CURVE, never registers, and such clients get no
 * answer; the log names the mode (owned by the broker area). Certificates are made with
 * zcert_new/zcert_save in a private temporary directory. */
#include "broker_harness.h"
#include "proto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
#include <cmocka.h>

typedef struct {
    bt_broker_t broker;
    bool started;
    char dir[256];
    zcert_t *broker_cert, *client_cert, *worker_cert, *stranger_cert;
    bt_curve_t client, worker, stranger;
} fixture_t;

static void s_keys(bt_curve_t *curve, zcert_t *cert, const zcert_t *broker_cert)
{
    curve->cert = cert;
    snprintf(curve->server_public, sizeof curve->server_public, "%s",
             zcert_public_txt((zcert_t *)broker_cert));
}

static int s_setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    *state = fx;
    if (!fx || bt_tmpdir_new(fx->dir, sizeof fx->dir) < 0)
        return -1;
    char allow[300];
    snprintf(allow, sizeof allow, "%s/allow", fx->dir);
    fx->broker_cert = zcert_new();
    fx->client_cert = zcert_new();
    fx->worker_cert = zcert_new();
    fx->stranger_cert = zcert_new();
    s_keys(&fx->client, fx->client_cert, fx->broker_cert);
    s_keys(&fx->worker, fx->worker_cert, fx->broker_cert);
    s_keys(&fx->stranger, fx->stranger_cert, fx->broker_cert);
    /* The stranger's certificate exists, but is not in the allow-list. */
    bool ok = mkdir(allow, 0700) == 0 &&
              bt_cert_save(fx->broker_cert, fx->dir, "broker.cert", false) == 0 &&
              bt_cert_save(fx->client_cert, allow, "frontend.cert", true) == 0 &&
              bt_cert_save(fx->worker_cert, allow, "worker.cert", true) == 0 &&
              bt_cert_save(fx->stranger_cert, fx->dir, "stranger.cert", false) == 0;
    return ok ? 0 : -1;
}

static int s_teardown(void **state)
{
    fixture_t *fx = *state;
    bt_reset();
    int rc = fx->started ? bt_broker_stop(&fx->broker) : 0;
    if (rc != 0)
        fprintf(stderr, "broker exit code %d (want 0); log in %s\n", rc, fx->broker.log_path);
    zcert_destroy(&fx->broker_cert);
    zcert_destroy(&fx->client_cert);
    zcert_destroy(&fx->worker_cert);
    zcert_destroy(&fx->stranger_cert);
    if (fx->dir[0])
        bt_tmpdir_remove(fx->dir);
    free(fx);
    return rc == 0 ? 0 : -1;
}

static bt_broker_t *s_start_curve(fixture_t *fx)
{
    char secret[320], allow[320];
    snprintf(secret, sizeof secret, "BEDROCK_CURVE_SECRET_FILE=%s/broker.cert_secret", fx->dir);
    snprintf(allow, sizeof allow, "BEDROCK_CURVE_ALLOW_DIR=%s/allow", fx->dir);
    const char *env[] = {secret, allow, NULL};
    assert_int_equal(bt_broker_start_curve(&fx->broker, env, &fx->client), 0);
    fx->started = true;
    return &fx->broker;
}

static void test_allowed_served_unknown_never_registered(void **state)
{
    fixture_t *fx = *state;
    bt_broker_t *b = s_start_curve(fx);
    assert_true(bt_broker_log_has(b, "security: CURVE on both sockets"));
    bt_worker_t *w = bt_worker_new_curve(b, "me.get", 1, 101, &fx->worker);
    bt_worker_new_curve(b, "me.get", 1, 666, &fx->stranger);
    bt_worker_new_curve(b, "me.get", 1, 777, NULL);
    bt_client_t *c = bt_client_new(b), *sc = bt_client_new(b);
    assert_int_equal(bt_wait_workers(sc, 1, 3000), 0);
    /* The allowed worker is served over CURVE. */
    uint8_t id[ENVELOPE_ID_SIZE];
    assert_int_equal(bt_client_send(c, "me.get", bt_now_ms() + 5000, false, id), 0);
    bt_request_t r;
    assert_int_equal(bt_worker_recv(w, 2000, &r), 0);
    assert_memory_equal(r.req.id, id, ENVELOPE_ID_SIZE);
    assert_int_equal(bt_worker_reply(w, &r, 200, NULL), 0);
    bt_request_clear(&r);
    envelope_reply_t rep;
    assert_int_equal(bt_client_recv(c, 2000, &rep), 0);
    assert_memory_equal(rep.id, id, ENVELOPE_ID_SIZE);
    assert_int_equal(rep.status, 200);
    envelope_reply_clear(&rep);
    /* The others had time to try many times (ZeroMQ reconnects every 100 ms). */
    bt_pump(500);
    json_t *st = bt_status(sc);
    assert_non_null(st);
    json_t *workers = json_object_get(st, "workers");
    assert_int_equal(json_integer_value(json_object_get(st, "workers_total")), 1);
    assert_int_equal(json_array_size(workers), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(workers, 0), "pid")), 101);
    /* Not registered and then lost either: never registered at all. */
    json_t *counters = json_object_get(st, "broker");
    assert_int_equal(json_integer_value(json_object_get(counters, "workers_died")), 0);
    assert_int_equal(json_integer_value(json_object_get(counters, "unknown_worker")), 0);
    json_decref(st);
    /* Clients with an unknown key or without CURVE get nothing at all. */
    assert_null(bt_status(bt_client_new_curve(b, &fx->stranger)));
    assert_null(bt_status(bt_client_new_curve(b, NULL)));
    assert_true(bt_broker_alive(b));
}

static void test_plain_mode_is_logged(void **state)
{
    fixture_t *fx = *state;
    assert_int_equal(bt_broker_start(&fx->broker, NULL), 0);
    fx->started = true;
    assert_true(bt_broker_log_has(&fx->broker, "security: plain TCP on both sockets"));
    assert_false(bt_broker_log_has(&fx->broker, "security: CURVE"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_allowed_served_unknown_never_registered, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_plain_mode_is_logged, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("broker_curve", tests, NULL, NULL);
}
