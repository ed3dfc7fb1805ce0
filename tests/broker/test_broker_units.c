/* test_broker_units — unit tests of broker modules that need no sockets: the
 * allocation-free msgpack scanner (mpscan) against every truncation and random
 * corruption of real replies, and the bounded queue (owned by the broker area). */
#include "mpscan.h"
#include "queue.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
#include <cmocka.h>

static char *s_reply(int status, json_t *data, size_t *len, uint8_t id[ENVELOPE_ID_SIZE])
{
    envelope_reply_t rep;
    envelope_reply_init(&rep);
    for (int i = 0; i < ENVELOPE_ID_SIZE; i++)
        rep.id[i] = (uint8_t)(i * 7 + 1);
    memcpy(id, rep.id, ENVELOPE_ID_SIZE);
    rep.status = status;
    rep.data = data;
    rep.headers = json_pack("{s:s}", "x-cache", "hit");
    if (status >= 400)
        envelope_reply_set_error(&rep, status, "internal", "boom", json_pack("{s:i}", "n", 1));
    char *buf = envelope_reply_encode(&rep, len);
    envelope_reply_clear(&rep);
    return buf;
}

static void test_mpscan_reads_id_and_status(void **state)
{
    (void)state;
    size_t len;
    uint8_t want[ENVELOPE_ID_SIZE], got[ENVELOPE_ID_SIZE];
    json_t *data = json_pack("{s:[i,f,s,n,b,{s:[]}], s:s%}", "list", -5, 1.5, "x", 1, "k", "blob",
                             "abc", (size_t)3);
    char *buf = s_reply(503, data, &len, want);
    int status = 0;
    assert_int_equal(mpscan_reply(buf, len, got, &status), 0);
    assert_int_equal(status, 503);
    assert_memory_equal(got, want, ENVELOPE_ID_SIZE);
    assert_int_equal(mpscan_id(buf, len, got), 0);
    /* Every truncation is refused, and so is a trailing byte. */
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(mpscan_reply(buf, cut, got, &status), -1);
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    assert_int_equal(mpscan_reply(longer, len + 1, got, &status), -1);
    free(longer);
    free(buf);
}

static void test_mpscan_refuses_bad_fields(void **state)
{
    (void)state;
    uint8_t id[ENVELOPE_ID_SIZE];
    int status;
    /* {"id": bin(16)} without status; {"status": 200} without id; status 42. */
    unsigned char no_status[] = {0x81, 0xa2, 'i', 'd', 0xc4, 0x10, 1,  2,  3,  4,  5,
                                 6,    7,    8,   9,   10,   11,   12, 13, 14, 15, 16};
    assert_int_equal(mpscan_reply(no_status, sizeof no_status, id, &status), -1);
    assert_int_equal(mpscan_id(no_status, sizeof no_status, id), 0);
    assert_int_equal(id[15], 16);
    unsigned char no_id[] = {0x81, 0xa6, 's', 't', 'a', 't', 'u', 's', 0xcc, 200};
    assert_int_equal(mpscan_reply(no_id, sizeof no_id, id, &status), -1);
    unsigned char bad_status[] = {0x82, 0xa2, 'i',  'd', 0xc4, 0x10, 1,   2,   3,   4,
                                  5,    6,    7,    8,   9,    10,   11,  12,  13,  14,
                                  15,   16,   0xa6, 's', 't',  'a',  't', 'u', 's', 42};
    assert_int_equal(mpscan_reply(bad_status, sizeof bad_status, id, &status), -1);
    /* A lying map32 count runs into the end of the buffer instead of looping. */
    unsigned char lying[] = {0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0};
    assert_int_equal(mpscan_reply(lying, sizeof lying, id, &status), -1);
    unsigned char not_map[] = {0x93, 1, 2, 3};
    assert_int_equal(mpscan_id(not_map, sizeof not_map, id), -1);
    assert_int_equal(mpscan_id(NULL, 0, id), -1);
}

static void test_mpscan_survives_corruption(void **state)
{
    (void)state;
    size_t len;
    uint8_t id[ENVELOPE_ID_SIZE];
    char *buf = s_reply(200, json_pack("{s:[s,s,{s:i}]}", "a", "x", "y", "z", 9), &len, id);
    srand(12345);
    for (int round = 0; round < 20000; round++) {
        char *copy = malloc(len);
        memcpy(copy, buf, len);
        for (int k = 0; k < 3; k++)
            copy[rand() % len] = (char)rand();
        int status = 0;
        if (mpscan_reply(copy, len, id, &status) == 0)
            assert_true(status >= 100 && status <= 599);
        free(copy);
    }
    free(buf);
}

static void s_req(broker_req_t *req, int n)
{
    broker_req_init(req);
    req->peek.id[0] = (uint8_t)n;
    snprintf(req->peek.op, sizeof req->peek.op, "op.%d", n);
    /* A payload above the inline size, so that leaks would show. */
    assert_int_equal(zmq_msg_init_size(&req->envelope, 100), 0);
}

static void test_queue_bound_order_and_take(void **state)
{
    (void)state;
    queue_t *q = queue_new(3);
    broker_req_t req;
    for (int i = 1; i <= 3; i++) {
        s_req(&req, i);
        assert_int_equal(queue_push(q, &req), 0);
        assert_int_equal(zmq_msg_size(&req.envelope), 0); /* moved in */
    }
    s_req(&req, 4);
    assert_int_equal(queue_push(q, &req), -1);
    assert_int_equal(queue_push_front(q, &req), -1);
    assert_int_equal(zmq_msg_size(&req.envelope), 100); /* untouched when refused */
    broker_req_close(&req);
    assert_int_equal(queue_depth(q), 3);
    /* Take the middle one, then push one at the head: 9, 1, 3. */
    queue_node_t *mid = queue_next(queue_first(q));
    broker_req_t out;
    broker_req_init(&out);
    queue_take(q, mid, &out);
    assert_string_equal(out.peek.op, "op.2");
    assert_int_equal(zmq_msg_size(&out.envelope), 100);
    broker_req_close(&out);
    s_req(&req, 9);
    assert_int_equal(queue_push_front(q, &req), 0);
    const char *want[] = {"op.9", "op.1", "op.3"};
    int i = 0;
    for (queue_node_t *n = queue_first(q); n; n = queue_next(n), i++)
        assert_string_equal(queue_node_req(n)->peek.op, want[i]);
    assert_int_equal(i, 3);
    queue_destroy(&q); /* closes the three still held */
    assert_null(q);
    queue_destroy(&q);
}

static void test_queue_zero_never_holds(void **state)
{
    (void)state;
    queue_t *q = queue_new(0);
    broker_req_t req;
    s_req(&req, 1);
    assert_int_equal(queue_push(q, &req), -1);
    broker_req_close(&req);
    assert_null(queue_first(q));
    queue_destroy(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mpscan_reads_id_and_status),
        cmocka_unit_test(test_mpscan_refuses_bad_fields),
        cmocka_unit_test(test_mpscan_survives_corruption),
        cmocka_unit_test(test_queue_bound_order_and_take),
        cmocka_unit_test(test_queue_zero_never_holds),
    };
    return cmocka_run_group_tests_name("broker_units", tests, NULL, NULL);
}
