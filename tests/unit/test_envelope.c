/* Envelope codec: round trips keep every field; malformed, truncated or
 * mistyped msgpack is refused without leaking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "envelope.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

static void s_fill_request(envelope_request_t *req)
{
    envelope_request_init(req);
    for (int i = 0; i < ENVELOPE_ID_SIZE; i++)
        req->id[i] = (uint8_t)(i * 7 + 1);
    strcpy(req->op, "tracks.get");
    req->deadline_ms = 1764096000123;
    req->has_auth = true;
    strcpy(req->auth_sub, "6f1c1f5e-8d55-4b1a-9f0e-2f0c3c1d2e3f");
    strcpy(req->auth_role, "user");
    strcpy(req->auth_sid, "0b8f7a32-5a44-4f3b-a5c6-0c8b6e2a8f10");
    req->args = json_pack("{s:s, s:s}", "id", "spotify:4uLU6hMCjMI75M1A2tKUQC", "limit", "20");
    req->body = json_pack("{s:s, s:[i, f, b, n], s:{s:s}}", "name", "Ünïcödé ✓", "list", 1, 2.5,
                          1, "nested", "k", "v");
    strcpy(req->meta_ip, "127.0.0.1");
    strcpy(req->meta_ua, "curl/7.88");
    strcpy(req->meta_trace, "abc");
    req->noreply = true;
}

static void test_request_round_trip(void **state)
{
    (void)state;
    envelope_request_t in, out;
    s_fill_request(&in);
    size_t len = 0;
    char *buf = envelope_request_encode(&in, &len);
    assert_non_null(buf);
    assert_int_equal(envelope_request_decode(buf, len, &out), 0);
    assert_memory_equal(in.id, out.id, ENVELOPE_ID_SIZE);
    assert_string_equal(out.op, "tracks.get");
    assert_int_equal(out.deadline_ms, in.deadline_ms);
    assert_true(out.has_auth);
    assert_string_equal(out.auth_sub, in.auth_sub);
    assert_string_equal(out.auth_role, "user");
    assert_string_equal(out.auth_sid, in.auth_sid);
    assert_true(json_equal(in.args, out.args));
    assert_true(json_equal(in.body, out.body));
    assert_string_equal(out.meta_ip, "127.0.0.1");
    assert_string_equal(out.meta_ua, "curl/7.88");
    assert_string_equal(out.meta_trace, "abc");
    assert_true(out.noreply);

    envelope_peek_t peek;
    assert_int_equal(envelope_peek(buf, len, &peek), 0);
    assert_string_equal(peek.op, "tracks.get");
    assert_int_equal(peek.deadline_ms, in.deadline_ms);
    assert_true(peek.noreply);
    assert_memory_equal(peek.id, in.id, ENVELOPE_ID_SIZE);
    free(buf);
    envelope_request_clear(&in);
    envelope_request_clear(&out);
}

static void test_request_without_auth_or_body(void **state)
{
    (void)state;
    envelope_request_t in, out;
    envelope_request_init(&in);
    assert_int_equal(envelope_id_generate(in.id), 0);
    strcpy(in.op, "me.get");
    size_t len;
    char *buf = envelope_request_encode(&in, &len);
    assert_non_null(buf);
    assert_int_equal(envelope_request_decode(buf, len, &out), 0);
    assert_false(out.has_auth);
    assert_null(out.args);
    assert_null(out.body);
    assert_false(out.noreply);
    free(buf);
    envelope_request_clear(&out);
}

static void test_reply_round_trip(void **state)
{
    (void)state;
    envelope_reply_t in, out;
    envelope_reply_init(&in);
    memset(in.id, 0xab, ENVELOPE_ID_SIZE);
    in.status = 409;
    envelope_reply_set_error(&in, 409, "email_taken", "an account with this email already exists",
                             json_pack("{s:s}", "field", "email"));
    in.headers = json_pack("{s:s}", "x-cache", "miss");
    in.data = json_pack("{s:i}", "n", 3);
    size_t len;
    char *buf = envelope_reply_encode(&in, &len);
    assert_non_null(buf);
    assert_int_equal(envelope_reply_decode(buf, len, &out), 0);
    assert_int_equal(out.status, 409);
    assert_string_equal(out.error_code, "email_taken");
    assert_string_equal(out.error_message, in.error_message);
    assert_true(json_equal(in.error_details, out.error_details));
    assert_true(json_equal(in.headers, out.headers));
    assert_true(json_equal(in.data, out.data));
    free(buf);
    envelope_reply_clear(&in);
    envelope_reply_clear(&out);
}

static void test_error_encode(void **state)
{
    (void)state;
    uint8_t id[ENVELOPE_ID_SIZE] = {1, 2, 3};
    size_t len;
    char *buf = envelope_error_encode(id, 503, "overloaded", "queue full", &len);
    envelope_reply_t out;
    assert_int_equal(envelope_reply_decode(buf, len, &out), 0);
    assert_int_equal(out.status, 503);
    assert_string_equal(out.error_code, "overloaded");
    assert_null(out.data);
    assert_memory_equal(out.id, id, ENVELOPE_ID_SIZE);
    free(buf);
    envelope_reply_clear(&out);
}

/* Every proper prefix of a valid envelope is refused, as is the envelope with a
 * trailing byte. */
static void test_truncated_and_trailing(void **state)
{
    (void)state;
    envelope_request_t in, out;
    s_fill_request(&in);
    size_t len;
    char *buf = envelope_request_encode(&in, &len);
    for (size_t cut = 0; cut < len; cut++) {
        assert_int_equal(envelope_request_decode(buf, cut, &out), -1);
        envelope_peek_t peek;
        assert_int_equal(envelope_peek(buf, cut, &peek), -1);
    }
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = (char)0xc0;
    assert_int_equal(envelope_request_decode(longer, len + 1, &out), -1);
    free(longer);
    free(buf);
    envelope_request_clear(&in);
}

/* Builds a map with one field replaced by a wrongly typed value. */
static char *s_pack_custom(int variant, size_t *len)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    uint8_t id[16] = {0};
    msgpack_pack_map(&pk, 3);
    msgpack_pack_str_with_body(&pk, "id", 2);
    if (variant == 0)
        msgpack_pack_bin_with_body(&pk, id, 15); /* wrong id length */
    else
        msgpack_pack_bin_with_body(&pk, id, 16);
    msgpack_pack_str_with_body(&pk, "op", 2);
    if (variant == 1)
        msgpack_pack_int(&pk, 7); /* op not a string */
    else
        msgpack_pack_str_with_body(&pk, "me.get", 6);
    msgpack_pack_str_with_body(&pk, "args", 4);
    if (variant == 2)
        msgpack_pack_array(&pk, 0); /* args must be a map */
    else if (variant == 3)
        msgpack_pack_bin_with_body(&pk, id, 4); /* bin has no JSON form */
    else
        msgpack_pack_nil(&pk);
    *len = sb.size;
    return msgpack_sbuffer_release(&sb);
}

static void test_wrong_types(void **state)
{
    (void)state;
    envelope_request_t out;
    for (int variant = 0; variant < 4; variant++) {
        size_t len;
        char *buf = s_pack_custom(variant, &len);
        assert_int_equal(envelope_request_decode(buf, len, &out), -1);
        free(buf);
    }
    size_t len;
    char *ok = s_pack_custom(4, &len);
    assert_int_equal(envelope_request_decode(ok, len, &out), 0);
    envelope_request_clear(&out);
    free(ok);
}

static void test_not_a_map(void **state)
{
    (void)state;
    envelope_request_t out;
    envelope_reply_t rep;
    const char garbage[] = "\x93\x01\x02\x03"; /* [1,2,3] */
    assert_int_equal(envelope_request_decode(garbage, 4, &out), -1);
    assert_int_equal(envelope_reply_decode(garbage, 4, &rep), -1);
    assert_int_equal(envelope_request_decode(NULL, 0, &out), -1);
    const char random_bytes[] = "\xc1\xff\x00\x12";
    assert_int_equal(envelope_request_decode(random_bytes, 4, &out), -1);
}

static void test_id_hex(void **state)
{
    (void)state;
    uint8_t id[ENVELOPE_ID_SIZE];
    for (int i = 0; i < ENVELOPE_ID_SIZE; i++)
        id[i] = (uint8_t)(0xf0 + i);
    char hex[ENVELOPE_ID_HEX_SIZE];
    envelope_id_to_hex(id, hex);
    assert_string_equal(hex, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    uint8_t a[16], b[16];
    assert_int_equal(envelope_id_generate(a), 0);
    assert_int_equal(envelope_id_generate(b), 0);
    assert_memory_not_equal(a, b, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_round_trip),
        cmocka_unit_test(test_request_without_auth_or_body),
        cmocka_unit_test(test_reply_round_trip),
        cmocka_unit_test(test_error_encode),
        cmocka_unit_test(test_truncated_and_trailing),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_not_a_map),
        cmocka_unit_test(test_id_hex),
    };
    return cmocka_run_group_tests_name("envelope", tests, NULL, NULL);
}
