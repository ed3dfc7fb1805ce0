/* Namespaced id parsing: invalid vs unknown platform vs well-formed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ids.h"

static void test_valid(void **state)
{
    (void)state;
    ids_ref_t ref;
    assert_int_equal(ids_parse("spotify:4uLU6hMCjMI75M1A2tKUQC", &ref), IDS_OK);
    assert_string_equal(ref.platform, "spotify");
    assert_string_equal(ref.native, "4uLU6hMCjMI75M1A2tKUQC");
    assert_int_equal(ids_parse("local:1", &ref), IDS_OK);
    assert_string_equal(ref.native, "1");
    assert_int_equal(ids_parse("deezer:3135556", &ref), IDS_OK);
    assert_int_equal(ids_parse("musicbrainz:cb2cc207-8125-445c-9ef9-6ea44eee959a", &ref), IDS_OK);
    assert_int_equal(ids_parse("itunes:1441458047", &ref), IDS_OK);
}

static void test_invalid(void **state)
{
    (void)state;
    ids_ref_t ref;
    assert_int_equal(ids_parse("", &ref), IDS_INVALID);
    assert_int_equal(ids_parse("local", &ref), IDS_INVALID);
    assert_int_equal(ids_parse(":1", &ref), IDS_INVALID);
    assert_int_equal(ids_parse("local:", &ref), IDS_INVALID);
    assert_int_equal(ids_parse("local:abc", &ref), IDS_INVALID);
    assert_int_equal(ids_parse("local:1:2", &ref), IDS_INVALID);
    assert_int_equal(ids_parse("spotify:short", &ref), IDS_INVALID);
    assert_int_equal(ids_parse("spotify:4uLU6hMCjMI75M1A2tKU-C", &ref), IDS_INVALID);
    assert_int_equal(ids_parse("musicbrainz:not-a-uuid", &ref), IDS_INVALID);
    assert_int_equal(ids_parse("Local:1", &ref), IDS_INVALID);
    assert_int_equal(ids_parse("deezer:-1", &ref), IDS_INVALID);
    assert_int_equal(ids_parse(NULL, &ref), IDS_INVALID);
}

static void test_unknown_platform(void **state)
{
    (void)state;
    ids_ref_t ref;
    assert_int_equal(ids_parse("napster:123", &ref), IDS_UNKNOWN_PLATFORM);
    assert_int_equal(ids_parse("tidal:77646", &ref), IDS_UNKNOWN_PLATFORM);
}

static void test_uuid(void **state)
{
    (void)state;
    assert_true(ids_is_uuid("6F1C1F5E-8D55-4B1A-9F0E-2F0C3C1D2E3F"));
    assert_false(ids_is_uuid("6f1c1f5e8d554b1a9f0e2f0c3c1d2e3f"));
    assert_false(ids_is_uuid("6f1c1f5e-8d55-4b1a-9f0e-2f0c3c1d2e3g"));
    assert_false(ids_is_uuid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_unknown_platform),
        cmocka_unit_test(test_uuid),
    };
    return cmocka_run_group_tests_name("ids", tests, NULL, NULL);
}
