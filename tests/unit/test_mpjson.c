/* msgpack <-> jansson conversion: every JSON type survives; depth and types are bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mpjson.h"

#include <stdlib.h>

static json_t *s_round_trip(const json_t *in)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    assert_int_equal(mpjson_pack(&pk, in), 0);
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
    json_t *out = mpjson_from_object(&up.data);
    msgpack_unpacked_destroy(&up);
    msgpack_sbuffer_destroy(&sb);
    return out;
}

static void test_all_types(void **state)
{
    (void)state;
    json_t *in = json_loads("{\"a\":null,\"b\":true,\"c\":false,\"d\":-42,\"e\":1.5,"
                            "\"f\":\"\\u00e9t\\u00e9\",\"g\":[1,[2,[3]]],\"h\":{},"
                            "\"i\":9223372036854775807}",
                            0, NULL);
    assert_non_null(in);
    json_t *out = s_round_trip(in);
    assert_non_null(out);
    assert_true(json_equal(in, out));
    json_decref(in);
    json_decref(out);
}

static void test_depth_limit(void **state)
{
    (void)state;
    json_t *deep = json_array();
    json_t *cur = deep;
    for (int i = 0; i < MPJSON_MAX_DEPTH + 5; i++) {
        json_t *next = json_array();
        json_array_append_new(cur, next);
        cur = next;
    }
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    assert_int_equal(mpjson_pack(&pk, deep), -1);
    msgpack_sbuffer_destroy(&sb);
    json_decref(deep);
}

static void test_non_string_key_refused(void **state)
{
    (void)state;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_int(&pk, 1);
    msgpack_pack_int(&pk, 2);
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&up, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
    assert_null(mpjson_from_object(&up.data));
    msgpack_unpacked_destroy(&up);
    msgpack_sbuffer_destroy(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_types),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_non_string_key_refused),
    };
    return cmocka_run_group_tests_name("mpjson", tests, NULL, NULL);
}
