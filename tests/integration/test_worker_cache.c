/* cache.c against a real Redis, and against no Redis at all. */
#include "it_support.h"

#include "cache.h"
#include "log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static char s_prefix[64];

static int64_t s_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static cache_t *s_open(const char *url)
{
    cache_options_t opt = {url, 200, 200, 1000, 1000};
    return cache_new(&opt);
}

static void s_key(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s:%s", s_prefix, name);
}

static void test_get_set_del(void **state)
{
    (void)state;
    cache_t *c = s_open(it_require_env("REDIS_URL"));
    assert_non_null(c);
    char key[128], *value = NULL;
    size_t len = 0;
    s_key(key, sizeof key, "plain");
    assert_int_equal(cache_del(c, key), CACHE_OK);
    assert_int_equal(cache_get(c, key, &value, &len), CACHE_MISS);
    const char bin[] = {'a', '\0', 'b'}; /* values are binary-safe (msgpack) */
    assert_int_equal(cache_set(c, key, bin, sizeof bin, 60), CACHE_OK);
    assert_int_equal(cache_get(c, key, &value, &len), CACHE_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(value, bin, 3);
    free(value);
    assert_int_equal(cache_del(c, key), CACHE_OK);
    assert_int_equal(cache_get(c, key, &value, &len), CACHE_MISS);
    assert_true(cache_is_up(c));
    assert_int_equal(cache_bypass_count(c), 0);
    cache_destroy(&c);
    cache_destroy(&c);
}

static void test_setnx_and_incr(void **state)
{
    (void)state;
    cache_t *c = s_open(it_require_env("REDIS_URL"));
    char lock[128], counter[128];
    s_key(lock, sizeof lock, "lock");
    s_key(counter, sizeof counter, "counter");
    assert_int_equal(cache_del(c, lock), CACHE_OK);
    assert_int_equal(cache_del(c, counter), CACHE_OK);
    assert_int_equal(cache_setnx(c, lock, "me", 2, 5), CACHE_OK);
    assert_int_equal(cache_setnx(c, lock, "you", 3, 5), CACHE_EXISTS);
    long long n = 0;
    assert_int_equal(cache_incr_expire(c, counter, 30, &n), CACHE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cache_incr_expire(c, counter, 30, &n), CACHE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(cache_del(c, lock), CACHE_OK);
    assert_int_equal(cache_del(c, counter), CACHE_OK);
    cache_destroy(&c);
}

/* The TTLs really are set: a 1 s key is gone after 1.1 s. */
static void test_ttl_expires(void **state)
{
    (void)state;
    cache_t *c = s_open(it_require_env("REDIS_URL"));
    char key[128], counter[128], *value = NULL;
    size_t len;
    long long n;
    s_key(key, sizeof key, "short");
    s_key(counter, sizeof counter, "short-counter");
    assert_int_equal(cache_set(c, key, "v", 1, 1), CACHE_OK);
    assert_int_equal(cache_incr_expire(c, counter, 1, &n), CACHE_OK);
    usleep(1100 * 1000);
    assert_int_equal(cache_get(c, key, &value, &len), CACHE_MISS);
    assert_int_equal(cache_incr_expire(c, counter, 1, &n), CACHE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cache_del(c, counter), CACHE_OK);
    cache_destroy(&c);
}

/* No Redis: every call answers "unavailable" quickly and is counted as a bypass. */
static void test_redis_down(void **state)
{
    (void)state;
    cache_t *c = s_open("redis://127.0.0.1:1/0");
    assert_non_null(c);
    char *value = NULL;
    size_t len;
    long long n;
    int64_t t0 = s_ms();
    assert_int_equal(cache_get(c, "k", &value, &len), CACHE_UNAVAILABLE);
    assert_int_equal(cache_set(c, "k", "v", 1, 10), CACHE_UNAVAILABLE);
    assert_int_equal(cache_setnx(c, "k", "v", 1, 10), CACHE_UNAVAILABLE);
    assert_int_equal(cache_del(c, "k"), CACHE_UNAVAILABLE);
    assert_int_equal(cache_incr_expire(c, "k", 10, &n), CACHE_UNAVAILABLE);
    assert_true(s_ms() - t0 < 500);
    assert_null(value);
    assert_false(cache_is_up(c));
    assert_int_equal(cache_bypass_count(c), 5);
    cache_tick(c);
    cache_destroy(&c);
}

static void test_urls(void **state)
{
    (void)state;
    cache_t *c = s_open("http://127.0.0.1:6379");
    assert_null(c);
    c = s_open("redis://:p%40ss@127.0.0.1:1/3");
    assert_non_null(c);
    cache_destroy(&c);
    c = s_open("redis://user:pass@127.0.0.1:1");
    assert_non_null(c);
    cache_destroy(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_set_del), cmocka_unit_test(test_setnx_and_incr),
        cmocka_unit_test(test_ttl_expires), cmocka_unit_test(test_redis_down),
        cmocka_unit_test(test_urls),
    };
    it_require_env("DATABASE_URL");
    it_require_env("REDIS_URL");
    log_set_level(LOG_LEVEL_ERROR);
    snprintf(s_prefix, sizeof s_prefix, "bedrock_it:%d", (int)getpid());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
