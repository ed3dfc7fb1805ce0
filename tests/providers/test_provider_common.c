/* Provider building blocks: UPC normalisation, the registry, the circuit breaker
 * and the rate limiter (fake clock, fake shared store, store unavailable). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "provider.h"
#include "provider_breaker.h"
#include "provider_doc.h"
#include "provider_ratelimit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_upc(void **state)
{
    (void)state;
    char out[15];
    assert_int_equal(provider_normalize_upc("724384960650", out), 0); /* UPC-A, 12 */
    assert_string_equal(out, "00724384960650");
    assert_int_equal(provider_normalize_upc("5099902988023", out), 0); /* EAN-13 */
    assert_string_equal(out, "05099902988023");
    assert_int_equal(provider_normalize_upc("00602475093060", out), 0); /* GTIN-14 kept */
    assert_string_equal(out, "00602475093060");
    assert_int_equal(provider_normalize_upc("12345670", out), 0); /* EAN-8 */
    assert_string_equal(out, "00000012345670");
    assert_int_equal(provider_normalize_upc("000602475093060", out), 0); /* over-padded */
    assert_string_equal(out, "00602475093060");
    assert_int_equal(provider_normalize_upc("100602475093060", out), -1); /* 15 digits */
    assert_int_equal(provider_normalize_upc("1234567", out), -1);         /* too short */
    assert_int_equal(provider_normalize_upc("72438496065X", out), -1);
    assert_int_equal(provider_normalize_upc(" 724384960650", out), -1);
    assert_int_equal(provider_normalize_upc("7243-8496-0650", out), -1);
    assert_int_equal(provider_normalize_upc("", out), -1);
    assert_int_equal(provider_normalize_upc(NULL, out), -1);
}

static void test_fail_and_registry(void **state)
{
    (void)state;
    provider_err_t err;
    assert_int_equal(provider_fail(&err, PROVIDER_UPSTREAM, "deezer quota (code %d)", 4),
                     PROVIDER_UPSTREAM);
    assert_string_equal(err.message, "deezer quota (code 4)");
    assert_int_equal(provider_fail(NULL, PROVIDER_TIMEOUT, "x"), PROVIDER_TIMEOUT);

    size_t n = 0;
    while (provider_all[n])
        n++;
    assert_int_equal(n, 5);
    static const char *const names[] = {"musicbrainz", "deezer", "spotify", "lrclib", "itunes"};
    for (size_t i = 0; i < 5; i++) {
        const provider_t *p = provider_find(names[i]);
        assert_non_null(p);
        assert_string_equal(p->name, names[i]);
    }
    assert_null(provider_find("local"));
    assert_null(provider_find("Deezer"));
    assert_null(provider_find(NULL));
}

static void test_doc_fields(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "id", 42, "sid", "abc", "isrc",
                          "usrc11301695", "bad_isrc", "US-RC1-13-01695", "d1", "2001-03-07", "d2",
                          "1975-11-21T08:00:00Z", "d3", "1981");
    json_t *v;
    v = provider_doc_id(o, "id");
    assert_string_equal(json_string_value(v), "42");
    json_decref(v);
    v = provider_doc_id(o, "sid");
    assert_string_equal(json_string_value(v), "abc");
    json_decref(v);
    v = provider_doc_isrc(o, "isrc");
    assert_string_equal(json_string_value(v), "USRC11301695");
    json_decref(v);
    assert_true(json_is_null(provider_doc_isrc(o, "bad_isrc")));
    assert_true(json_is_null(provider_doc_isrc(o, "missing")));
    v = provider_doc_date(o, "d1");
    assert_string_equal(json_string_value(v), "2001-03-07");
    json_decref(v);
    v = provider_doc_date(o, "d2");
    assert_string_equal(json_string_value(v), "1975-11-21");
    json_decref(v);
    v = provider_doc_date(o, "d3");
    assert_string_equal(json_string_value(v), "1981");
    json_decref(v);
    assert_true(json_is_null(provider_doc_date(o, "sid")));
    json_decref(o);
}

/* ---- breaker ---- */

static void test_breaker_opens_and_recovers(void **state)
{
    (void)state;
    provider_breaker_t b;
    provider_breaker_init(&b, 3, 1000);
    long long t = 10000;
    assert_true(provider_breaker_allow(&b, t));
    provider_breaker_record(&b, false, t);
    provider_breaker_record(&b, false, t);
    assert_int_equal(provider_breaker_state(&b, t), PROVIDER_BREAKER_CLOSED);
    provider_breaker_record(&b, true, t); /* a success resets the count */
    assert_int_equal(b.failures, 0);
    for (int i = 0; i < 3; i++)
        provider_breaker_record(&b, false, t);
    assert_int_equal(provider_breaker_state(&b, t), PROVIDER_BREAKER_OPEN);
    assert_false(provider_breaker_allow(&b, t + 999));
    assert_int_equal(provider_breaker_state(&b, t + 1000), PROVIDER_BREAKER_HALF_OPEN);

    /* Half-open: exactly one trial. */
    assert_true(provider_breaker_allow(&b, t + 1000));
    assert_false(provider_breaker_allow(&b, t + 1001));
    provider_breaker_record(&b, false, t + 1100); /* the trial fails: open again */
    assert_int_equal(provider_breaker_state(&b, t + 1100), PROVIDER_BREAKER_OPEN);
    assert_false(provider_breaker_allow(&b, t + 2099));
    assert_true(provider_breaker_allow(&b, t + 2100));
    provider_breaker_record(&b, true, t + 2150); /* the trial succeeds: closed */
    assert_int_equal(provider_breaker_state(&b, t + 2150), PROVIDER_BREAKER_CLOSED);
    assert_int_equal(b.failures, 0);
    assert_true(provider_breaker_allow(&b, t + 2151));
    assert_true(provider_breaker_allow(&b, t + 2151));
}

static void test_breaker_lost_and_released_trials(void **state)
{
    (void)state;
    provider_breaker_t b;
    provider_breaker_init(&b, 1, 500);
    provider_breaker_record(&b, false, 0);
    assert_true(provider_breaker_allow(&b, 500));
    /* A trial given back (rate limited before the call) lets the next caller try. */
    provider_breaker_release(&b);
    assert_true(provider_breaker_allow(&b, 501));
    /* A trial whose outcome never comes stops blocking after open_ms. */
    assert_false(provider_breaker_allow(&b, 1000));
    assert_true(provider_breaker_allow(&b, 1001));
}

/* ---- rate limiter ---- */

typedef struct {
    long long now;
    long slept;
} s_clock_t;

static long long s_now(void *ud)
{
    return ((s_clock_t *)ud)->now;
}

static void s_sleep(void *ud, long ms)
{
    ((s_clock_t *)ud)->now += ms;
    ((s_clock_t *)ud)->slept += ms;
}

/* A shared store: one counter per key, or "down" (-1 for everything). */
typedef struct {
    char keys[16][96];
    long long counts[16];
    int ttls[16];
    int n;
    bool down;
    int calls;
} s_kv_t;

static long long s_incr(void *ud, const char *key, int ttl_ms)
{
    s_kv_t *kv = ud;
    kv->calls++;
    if (kv->down)
        return -1;
    for (int i = 0; i < kv->n; i++) {
        if (strcmp(kv->keys[i], key) == 0)
            return ++kv->counts[i];
    }
    snprintf(kv->keys[kv->n], sizeof kv->keys[0], "%s", key);
    kv->ttls[kv->n] = ttl_ms;
    kv->counts[kv->n] = 1;
    return kv->counts[kv->n++];
}

static void test_ratelimit_local(void **state)
{
    (void)state;
    s_clock_t c = {.now = 100500};
    provider_clock_t clock = {.ud = &c, .now_ms = s_now, .sleep_ms = s_sleep};
    provider_ratelimit_t local = {0};
    provider_ratelimit_settings_t set = {.limit = 2, .window_ms = 1000, .max_wait_ms = 0};
    long waited = -1;
    /* No store at all: the process-local window. */
    assert_int_equal(provider_ratelimit_acquire(&local, NULL, "deezer", &set, &clock, &waited), 0);
    assert_int_equal(waited, 0);
    assert_int_equal(provider_ratelimit_acquire(&local, NULL, "deezer", &set, &clock, NULL), 0);
    assert_int_equal(provider_ratelimit_acquire(&local, NULL, "deezer", &set, &clock, NULL), -1);
    assert_int_equal(c.slept, 0);
    /* Allowed to wait 600 ms: the next window opens in 500 ms. */
    set.max_wait_ms = 600;
    assert_int_equal(provider_ratelimit_acquire(&local, NULL, "deezer", &set, &clock, &waited), 0);
    assert_int_equal(waited, 500);
    assert_int_equal(c.now, 101000);
    /* Allowed 400 ms only while the next window is 1000 ms away: refused without sleeping. */
    assert_int_equal(provider_ratelimit_acquire(&local, NULL, "deezer", &set, &clock, NULL), 0);
    set.max_wait_ms = 400;
    long slept_before = c.slept;
    assert_int_equal(provider_ratelimit_acquire(&local, NULL, "deezer", &set, &clock, NULL), -1);
    assert_int_equal(c.slept, slept_before);
}

static void test_ratelimit_shared(void **state)
{
    (void)state;
    s_clock_t c = {.now = 5000};
    provider_clock_t clock = {.ud = &c, .now_ms = s_now, .sleep_ms = s_sleep};
    s_kv_t store = {0};
    provider_kv_t kv = {.ud = &store, .incr_expire = s_incr};
    provider_ratelimit_t worker_a = {0}, worker_b = {0};
    provider_ratelimit_settings_t set = {.limit = 3, .window_ms = 1000, .max_wait_ms = 0};
    /* Two workers share the count: 3 slots in the window between them. */
    assert_int_equal(provider_ratelimit_acquire(&worker_a, &kv, "musicbrainz", &set, &clock, NULL),
                     0);
    assert_int_equal(provider_ratelimit_acquire(&worker_b, &kv, "musicbrainz", &set, &clock, NULL),
                     0);
    assert_int_equal(provider_ratelimit_acquire(&worker_b, &kv, "musicbrainz", &set, &clock, NULL),
                     0);
    assert_int_equal(provider_ratelimit_acquire(&worker_a, &kv, "musicbrainz", &set, &clock, NULL),
                     -1);
    assert_string_equal(store.keys[0], "provider:musicbrainz:rate:5");
    assert_int_equal(store.ttls[0], 2000);
    /* Waiting is allowed: worker a gets the first slot of the next window. */
    set.max_wait_ms = 1500;
    assert_int_equal(provider_ratelimit_acquire(&worker_a, &kv, "musicbrainz", &set, &clock, NULL),
                     0);
    assert_int_equal(c.now, 6000);
    assert_string_equal(store.keys[1], "provider:musicbrainz:rate:6");
    assert_int_equal(store.counts[1], 1);
    /* Other platforms have their own count. */
    assert_int_equal(provider_ratelimit_acquire(&worker_a, &kv, "deezer", &set, &clock, NULL), 0);
    assert_string_equal(store.keys[2], "provider:deezer:rate:6");
}

static void test_ratelimit_store_down(void **state)
{
    (void)state;
    s_clock_t c = {.now = 0};
    provider_clock_t clock = {.ud = &c, .now_ms = s_now, .sleep_ms = s_sleep};
    s_kv_t store = {.down = true};
    provider_kv_t kv = {.ud = &store, .incr_expire = s_incr};
    provider_ratelimit_t local = {0};
    provider_ratelimit_settings_t set = {.limit = 2, .window_ms = 1000, .max_wait_ms = 0};
    assert_int_equal(provider_ratelimit_acquire(&local, &kv, "deezer", &set, &clock, NULL), 0);
    assert_int_equal(provider_ratelimit_acquire(&local, &kv, "deezer", &set, &clock, NULL), 0);
    assert_int_equal(provider_ratelimit_acquire(&local, &kv, "deezer", &set, &clock, NULL), -1);
    assert_true(store.calls >= 3); /* it kept asking the store first */

    /* Store back and fresh (count 1) while this process already used the window:
     * the process never passes the limit on its own. */
    store.down = false;
    assert_int_equal(provider_ratelimit_acquire(&local, &kv, "deezer", &set, &clock, NULL), -1);
    /* Next window: both agree again. */
    c.now = 1000;
    assert_int_equal(provider_ratelimit_acquire(&local, &kv, "deezer", &set, &clock, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upc),
        cmocka_unit_test(test_fail_and_registry),
        cmocka_unit_test(test_doc_fields),
        cmocka_unit_test(test_breaker_opens_and_recovers),
        cmocka_unit_test(test_breaker_lost_and_released_trials),
        cmocka_unit_test(test_ratelimit_local),
        cmocka_unit_test(test_ratelimit_shared),
        cmocka_unit_test(test_ratelimit_store_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
