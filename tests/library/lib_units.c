/* lib_units — the library's pure parts, without services: the rate-limit setting
 * formats, cursors (encode, parse, refusals), and the worker's own login-limit table
 * (what decides while Redis is down) across windows, with a fake clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "cache.h"
#include "library/library_config.h"
#include "library/pager.h"
#include "library/ratelimit.h"

#include <stdlib.h>
#include <string.h>

static void test_parse_rate(void **state)
{
    (void)state;
    library_rate_t r, ip;
    assert_int_equal(library_config_parse_rate("10/60", &r), 0);
    assert_int_equal(r.limit, 10);
    assert_int_equal(r.window_s, 60);
    assert_int_equal(library_config_parse_rate("off", &r), 0);
    assert_int_equal(r.limit, 0);
    const char *bad[] = {"",      "10",     "/60", "10/",     "10/0",          "0/60",
                         "-1/60", "10/60s", "x/y", "10/60/2", "99999999999/1", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(library_config_parse_rate(bad[i], &r), -1);
    assert_int_equal(library_config_parse_login_rate("5/60", &r, &ip), 0);
    assert_true(r.limit == 5 && ip.limit == 5 && ip.window_s == 60);
    assert_int_equal(library_config_parse_login_rate("5/60,50/600", &r, &ip), 0);
    assert_true(r.limit == 5 && ip.limit == 50 && ip.window_s == 600);
    assert_int_equal(library_config_parse_login_rate("5/60,", &r, &ip), -1);
    assert_int_equal(library_config_parse_login_rate("5/60,x", &r, &ip), -1);
}

static void test_cursor_round_trip(void **state)
{
    (void)state;
    char *c = pager_cursor_encode("1764097200123456", "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    assert_non_null(c);
    json_t *cursor = json_string(c), *limit = json_string("7");
    pager_t pg;
    const char *bad = NULL;
    assert_int_equal(pager_parse(limit, cursor, PAGER_KEY_UUID, &pg, &bad), 0);
    assert_true(pg.has_cursor);
    assert_int_equal(pg.limit, 7);
    assert_string_equal(pg.fetch, "8");
    assert_string_equal(pg.time_us, "1764097200123456");
    assert_string_equal(pg.key, "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    /* The same cursor is not one of a list keyed by integers. */
    assert_int_equal(pager_parse(limit, cursor, PAGER_KEY_INT, &pg, &bad), -1);
    assert_string_equal(bad, "cursor");
    json_decref(cursor);
    json_decref(limit);
    free(c);

    assert_int_equal(pager_parse(NULL, NULL, PAGER_KEY_INT, &pg, &bad), 0);
    assert_int_equal(pg.limit, PAGER_DEFAULT_LIMIT);
    assert_false(pg.has_cursor);
    const char *bad_limits[] = {"0", "101", "-1", "1e2", "", " 5", "5x", NULL};
    for (int i = 0; bad_limits[i]; i++) {
        json_t *l = json_string(bad_limits[i]);
        assert_int_equal(pager_parse(l, NULL, PAGER_KEY_INT, &pg, &bad), -1);
        assert_string_equal(bad, "limit");
        json_decref(l);
    }
    const char *bad_cursors[] = {"!!", "e30", "WzEsMl0", "WyJ4IiwiMSJd",
                                 NULL}; /* {} [1,2] ["x","1"] */
    for (int i = 0; bad_cursors[i]; i++) {
        json_t *k = json_string(bad_cursors[i]);
        assert_int_equal(pager_parse(NULL, k, PAGER_KEY_INT, &pg, &bad), -1);
        assert_string_equal(bad, "cursor");
        json_decref(k);
    }
}

static int64_t s_clock;

static int64_t s_fake_now(void)
{
    return s_clock;
}

/* With Redis unreachable, the worker's table holds the login limit per window. */
static void test_local_login_table(void **state)
{
    (void)state;
    setenv("BEDROCK_RATE_LOGIN", "3/60,5/60", 1);
    setenv("BEDROCK_RATE_EXEMPT_IPS", "none", 1);
    library_config_init();
    cache_options_t opt = {.url = "redis://127.0.0.1:1/0",
                           .connect_timeout_ms = 50,
                           .command_timeout_ms = 50,
                           .backoff_max_ms = 60000,
                           .health_interval_ms = 1000};
    cache_t *cache = cache_new(&opt);
    assert_non_null(cache);
    ratelimit_set_clock(s_fake_now);
    s_clock = 6000; /* the start of a window */
    int retry = 0;
    for (int i = 0; i < 3; i++) {
        assert_false(ratelimit_login_blocked(cache, "a@example.com", "10.0.0.1", &retry));
        ratelimit_login_failed(cache, "a@example.com", "10.0.0.1");
    }
    assert_true(ratelimit_login_blocked(cache, "a@example.com", "10.0.0.9", &retry));
    assert_int_equal(retry, 60);
    assert_false(ratelimit_login_blocked(cache, "b@example.com", "10.0.0.1", &retry));
    ratelimit_login_failed(cache, "b@example.com", "10.0.0.1");
    ratelimit_login_failed(cache, "c@example.com", "10.0.0.1");
    /* 5 failures from 10.0.0.1: the IP is blocked for any email. */
    assert_true(ratelimit_login_blocked(cache, "d@example.com", "10.0.0.1", &retry));
    s_clock += 45;
    assert_true(ratelimit_login_blocked(cache, "a@example.com", NULL, &retry));
    assert_int_equal(retry, 15);
    s_clock += 15; /* the next window */
    assert_false(ratelimit_login_blocked(cache, "a@example.com", "10.0.0.1", &retry));
    ratelimit_set_clock(NULL);
    ratelimit_local_reset();
    cache_destroy(&cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_rate),
        cmocka_unit_test(test_cursor_round_trip),
        cmocka_unit_test(test_local_login_table),
    };
    return cmocka_run_group_tests_name("lib_units", tests, NULL, NULL);
}
