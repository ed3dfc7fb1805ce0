/* URL decoding, query-string parsing, and header text cleaning. */
#include "query.h"
#include "text.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

static int s_decode(const char *in, char *out, bool plus)
{
    return query_url_decode(in, strlen(in), out, plus);
}

static void test_url_decode(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(s_decode("a%20b", out, false), 3);
    assert_string_equal(out, "a b");
    assert_int_equal(s_decode("a+b", out, true), 3);
    assert_string_equal(out, "a b");
    assert_int_equal(s_decode("a+b", out, false), 3);
    assert_string_equal(out, "a+b");
    assert_int_equal(s_decode("%e2%82%AC", out, true), 3);
    assert_string_equal(out, "\xe2\x82\xac");
    assert_int_equal(s_decode("100%", out, true), 4);
    assert_string_equal(out, "100%");
    assert_int_equal(s_decode("%4", out, true), 2);
    assert_string_equal(out, "%4");
    assert_int_equal(s_decode("%zz%2", out, true), 5);
    assert_string_equal(out, "%zz%2");
    assert_int_equal(s_decode("%2F%2f", out, true), 2);
    assert_string_equal(out, "//");
    assert_int_equal(s_decode("", out, true), 0);
    assert_string_equal(out, "");
    assert_int_equal(s_decode("a%00b", out, true), -1);
    /* decoding never reads past len */
    assert_int_equal(query_url_decode("%41%42", 3, out, true), 1);
    assert_string_equal(out, "A");
}

static const char *s_get(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void test_query_parse(void **state)
{
    (void)state;
    char bad[QUERY_KEY_MAX];
    json_t *q = json_object();
    assert_int_equal(query_parse(NULL, q, bad), QUERY_OK);
    assert_int_equal(query_parse("", q, bad), QUERY_OK);
    assert_int_equal(json_object_size(q), 0);
    assert_int_equal(query_parse("a=1&b=x%20y&flag&c=&d=a+b", q, bad), QUERY_OK);
    assert_string_equal(s_get(q, "a"), "1");
    assert_string_equal(s_get(q, "b"), "x y");
    assert_string_equal(s_get(q, "flag"), "");
    assert_string_equal(s_get(q, "c"), "");
    assert_string_equal(s_get(q, "d"), "a b");
    assert_int_equal(json_object_size(q), 5);
    json_object_clear(q);
    /* repeated keys: the last wins; empty pairs and empty keys are skipped */
    assert_int_equal(query_parse("a=1&&a=2&=x&&a=3", q, bad), QUERY_OK);
    assert_string_equal(s_get(q, "a"), "3");
    assert_int_equal(json_object_size(q), 1);
    json_object_clear(q);
    assert_int_equal(query_parse("eq=b=c&k%20ey=v&q=caf%C3%A9", q, bad), QUERY_OK);
    assert_string_equal(s_get(q, "eq"), "b=c");
    assert_string_equal(s_get(q, "k ey"), "v");
    assert_string_equal(s_get(q, "q"), "caf\xc3\xa9");
    json_decref(q);
}

static void test_query_refusals(void **state)
{
    (void)state;
    char bad[QUERY_KEY_MAX];
    json_t *q = json_object();
    assert_int_equal(query_parse("ok=1&q=%FF", q, bad), QUERY_BAD_VALUE);
    assert_string_equal(bad, "q");
    assert_int_equal(query_parse("q=a%00", q, bad), QUERY_BAD_VALUE);
    assert_string_equal(bad, "q");
    assert_int_equal(query_parse("%FF=1", q, bad), QUERY_BAD_VALUE);
    assert_string_equal(bad, "query");
    char longkey[200];
    memset(longkey, 'k', 100);
    strcpy(longkey + 100, "=1");
    assert_int_equal(query_parse(longkey, q, bad), QUERY_BAD_VALUE);
    char many[1024] = "";
    for (int i = 0; i <= QUERY_MAX_PARAMS; i++) {
        char pair[16];
        snprintf(pair, sizeof pair, "k%d=v&", i);
        strcat(many, pair);
    }
    assert_int_equal(query_parse(many, q, bad), QUERY_TOO_MANY);
    json_decref(q);
}

static void test_text_clean(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(text_copy_clean(out, sizeof out, "curl/8"), 6);
    assert_string_equal(out, "curl/8");
    assert_int_equal(text_copy_clean(out, sizeof out, NULL), 0);
    assert_string_equal(out, "");
    assert_int_equal(text_copy_clean(out, sizeof out, "a\tb\x7f"), 4);
    assert_string_equal(out, "a?b?");
    assert_int_equal(text_copy_clean(out, sizeof out, "\xff\xc3x"), 3);
    assert_string_equal(out, "?"
                             "?x");
    /* truncation never splits a character: 3 x 2 bytes into 7 usable bytes */
    assert_int_equal(text_copy_clean(out, sizeof out, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), 6);
    assert_string_equal(out, "\xc3\xa9\xc3\xa9\xc3\xa9");
    assert_int_equal(text_copy_clean(out, sizeof out, "abcdef\xe2\x82\xac"), 6);
    assert_string_equal(out, "abcdef");
    /* overlong, surrogate and out-of-range forms are not UTF-8 */
    assert_int_equal(text_copy_clean(out, sizeof out, "\xc0\xaf"), 2);
    assert_string_equal(out, "??");
    assert_int_equal(text_copy_clean(out, sizeof out, "\xed\xa0\x80"), 3);
    assert_string_equal(out, "???");
    assert_int_equal(text_copy_clean(out, sizeof out, "\xf4\x90\x80\x80"), 4);
    assert_string_equal(out, "????");
    assert_int_equal(text_copy_clean(out, sizeof out, "\xf0\x9f\x8e\xb5"), 4);
    assert_string_equal(out, "\xf0\x9f\x8e\xb5");
    char one[1];
    assert_int_equal(text_copy_clean(one, sizeof one, "abc"), 0);
    assert_string_equal(one, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_decode),
        cmocka_unit_test(test_query_parse),
        cmocka_unit_test(test_query_refusals),
        cmocka_unit_test(test_text_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
