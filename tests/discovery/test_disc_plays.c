/* test_disc_plays — plays.record against a real cluster (disc_env.h).
 *
 * A play counts at half the track (not one millisecond below), at 4 minutes for long
 * tracks, and when played_ms is absent; the same user and track within 30 s count once
 * (play:{user}:{track} held ~30 s); the history row and both counts are written together
 * (counts equal the counted history rows); an internal service pushes plays with role
 * "service" (noreply); with Redis stopped the de-duplication still holds (PostgreSQL).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "disc_env.h"
#include "proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static disc_env_t s_env;

static void s_user(fixture_user_t *u)
{
    fixture_new_user(cluster_base_url(s_env.cluster), u, "disc-plays");
}

/* plays.record for u; returns data.counted (fails the test on another reply). */
static bool s_play(const fixture_user_t *u, const char *track, long long played_ms)
{
    char body[160];
    if (played_ms >= 0)
        snprintf(body, sizeof body, "{\"track_id\":\"%s\",\"played_ms\":%lld}", track, played_ms);
    else
        snprintf(body, sizeof body, "{\"track_id\":\"%s\"}", track);
    envelope_reply_t rep;
    assert_int_equal(disc_call(&s_env, "plays.record", NULL, body, u, NULL, &rep), 0);
    expect_reply(&rep, 202);
    const json_t *counted = json_object_get(rep.data, "counted");
    assert_true(json_is_boolean(counted));
    bool v = json_is_true(counted);
    envelope_reply_clear(&rep);
    return v;
}

static long long s_count(const char *sql, const char *a, const char *b)
{
    const char *p[] = {a, b, NULL};
    return disc_sql_int(&s_env, sql, p);
}

static void s_play_key(const fixture_user_t *u, const char *track, char *out, size_t size)
{
    snprintf(out, size, "play:%s:%s", u->id, track);
}

static void test_half_duration_counts(void **state)
{
    (void)state;
    fixture_user_t a, b;
    s_user(&a);
    s_user(&b);
    assert_true(s_play(&a, DISC_BALLS, DISC_BALLS_MS / 2)); /* 342562 / 2 = 171281 */
    char key[256];
    s_play_key(&a, DISC_BALLS, key, sizeof key);
    long long ttl = disc_ttl(&s_env, key);
    if (ttl < 25 || ttl > 30)
        fail_msg("TTL of %s is %lld, expected ~30", key, ttl);
    assert_false(s_play(&b, DISC_BALLS, DISC_BALLS_MS / 2 - 1));
    s_play_key(&b, DISC_BALLS, key, sizeof key);
    assert_false(disc_exists(&s_env, key)); /* only plays that would count take the key */
    check_test_passed();
}

static void test_four_minute_cap(void **state)
{
    (void)state;
    fixture_user_t a, b, c;
    s_user(&a);
    s_user(&b);
    s_user(&c);
    assert_true(s_play(&a, DISC_LONG, 240000));
    assert_false(s_play(&b, DISC_LONG, 239999));
    assert_true(s_play(&c, DISC_LONG, -1)); /* no played_ms: a complete play */
    check_test_passed();
}

/* Twice within 30 s: counted once; history holds both, counts equal counted rows. */
static void test_dedup_and_counts(void **state)
{
    (void)state;
    fixture_user_t u;
    s_user(&u);
    const char *track_sql = "SELECT coalesce((SELECT play_count FROM track_play_counts"
                            " WHERE track_id = $1), 0)";
    long long track_before = s_count(track_sql, DISC_BALLS, NULL);
    assert_true(s_play(&u, DISC_BALLS, 200000));
    assert_false(s_play(&u, DISC_BALLS, 200000));
    assert_false(s_play(&u, DISC_BALLS, 10));
    long long rows = s_count("SELECT count(*) FROM listening_history WHERE user_id = $1::uuid"
                             " AND track_id = $2",
                             u.id, DISC_BALLS);
    long long counted = s_count("SELECT count(*) FROM listening_history WHERE user_id = $1::uuid"
                                " AND track_id = $2 AND counted",
                                u.id, DISC_BALLS);
    long long user_count = s_count("SELECT play_count FROM play_counts WHERE user_id = $1::uuid"
                                   " AND track_id = $2",
                                   u.id, DISC_BALLS);
    assert_int_equal(rows, 3);
    assert_int_equal(counted, 1);
    assert_int_equal(user_count, counted);
    /* Other programs may play this Chinook track meanwhile: at least ours. */
    assert_true(s_count(track_sql, DISC_BALLS, NULL) - track_before >= 1);
    long long played = s_count("SELECT played_ms FROM listening_history WHERE user_id = $1::uuid"
                               " AND track_id = $2 ORDER BY id LIMIT 1",
                               u.id, DISC_BALLS);
    assert_int_equal(played, 200000);
    check_test_passed();
}

static void s_expect_error(const fixture_user_t *u, const char *body, int status, const char *code,
                           const char *field)
{
    envelope_reply_t rep;
    assert_int_equal(disc_call(&s_env, "plays.record", NULL, body, u, NULL, &rep), 0);
    expect_reply_error(&rep, status, code);
    if (field)
        assert_string_equal(json_string_value(json_object_get(rep.error_details, "field")), field);
    envelope_reply_clear(&rep);
}

static void test_errors(void **state)
{
    (void)state;
    fixture_user_t u;
    s_user(&u);
    s_expect_error(NULL, "{\"track_id\":\"" DISC_BALLS "\"}", 401, "unauthorized", NULL);
    s_expect_error(&u, "{}", 400, "invalid_argument", "track_id");
    s_expect_error(&u, "{\"track_id\":42}", 400, "invalid_argument", "track_id");
    s_expect_error(&u, "{\"track_id\":\"local:abc\"}", 400, "invalid_id", NULL);
    s_expect_error(&u, "{\"track_id\":\"napster:1\"}", 404, "unknown_platform", NULL);
    s_expect_error(&u, "{\"track_id\":\"local:9199999\"}", 404, "not_found", NULL);
    s_expect_error(&u, "{\"track_id\":\"" DISC_BALLS "\",\"played_ms\":-1}", 400,
                   "invalid_argument", "played_ms");
    s_expect_error(&u, "{\"track_id\":\"" DISC_BALLS "\",\"played_ms\":\"10\"}", 400,
                   "invalid_argument", "played_ms");
    /* A well-signed token of a session that does not exist: refused like any
     * auth-required op (the worker checks the session). */
    fixture_user_t other = u;
    fixture_uuid(other.sid);
    int64_t now = envelope_now_ms() / 1000;
    char *forged =
        fixture_token(cluster_secret(s_env.cluster), u.id, "user", other.sid, now, now + 900);
    assert_non_null(forged);
    snprintf(other.access, sizeof other.access, "%s", forged);
    free(forged);
    s_expect_error(&other, "{\"track_id\":\"" DISC_BALLS "\"}", 401, "unauthorized", NULL);
    check_test_passed();
}

/* An internal service pushes a play with bedrockctl: role "service", any sid, noreply. */
static void test_service_push_bedrockctl(void **state)
{
    (void)state;
    fixture_user_t u;
    s_user(&u);
    char sid[37];
    fixture_uuid(sid);
    const char *push[] = {"call",        "plays.record",
                          "--body",      "{\"track_id\":\"" DISC_LONG "\",\"played_ms\":300000}",
                          "--auth-sub",  u.id,
                          "--auth-role", "service",
                          "--auth-sid",  sid,
                          "--noreply",   NULL};
    assert_int_equal(disc_ctl(&s_env, push, NULL), 0);
    const char *sql = "SELECT count(*) FROM listening_history WHERE user_id = $1::uuid"
                      " AND track_id = $2 AND counted";
    long long n = 0;
    for (int i = 0; i < 100 && n == 0; i++, proc_sleep_ms(20))
        n = s_count(sql, u.id, DISC_LONG);
    assert_int_equal(n, 1);
    /* The same push for a user that does not exist: 404, nothing written (exit 1). */
    char ghost[37], *out = NULL;
    fixture_uuid(ghost);
    const char *bad[] = {"call",        "plays.record",
                         "--body",      "{\"track_id\":\"" DISC_LONG "\"}",
                         "--auth-sub",  ghost,
                         "--auth-role", "service",
                         "--auth-sid",  sid,
                         NULL};
    assert_int_equal(disc_ctl(&s_env, bad, &out), 1);
    json_t *reply = out ? json_loads(out, 0, NULL) : NULL;
    if (json_integer_value(json_object_get(reply, "status")) != 404)
        fail_msg("bedrockctl printed: %s", out ? out : "(nothing)");
    json_decref(reply);
    free(out);
    check_test_passed();
}

/* Last: Redis stopped, the PostgreSQL check still counts a repeated play once (and a
 * local search is answered with X-Cache: bypass). */
static void test_dedup_without_redis(void **state)
{
    (void)state;
    fixture_user_t u;
    s_user(&u);
    assert_int_equal(disc_redis_stop(&s_env), 0);
    bool first = s_play(&u, DISC_BALLS, 300000);
    bool second = s_play(&u, DISC_BALLS, 300000);
    /* Meanwhile a read is served without the cache, not failed. */
    envelope_reply_t rep;
    assert_int_equal(disc_call(&s_env, "search.query",
                               "{\"q\":\"balls to the wall\",\"platform\":\"local\"}", NULL, NULL,
                               NULL, &rep),
                     0);
    int search_status = rep.status;
    char x_cache[16];
    snprintf(x_cache, sizeof x_cache, "%s", disc_x_cache(&rep));
    envelope_reply_clear(&rep);
    assert_int_equal(disc_redis_start(&s_env), 0);
    assert_int_equal(search_status, 200);
    assert_string_equal(x_cache, "bypass");
    assert_true(first);
    assert_false(second);
    assert_int_equal(s_count("SELECT count(*) FROM listening_history WHERE user_id = $1::uuid"
                             " AND track_id = $2 AND counted",
                             u.id, DISC_BALLS),
                     1);
    check_test_passed();
}

static int s_setup(void **state)
{
    (void)state;
    check_test_begin(s_env.cluster);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    return check_test_end();
}

static int s_group_setup(void **state)
{
    (void)state;
    disc_env_options_t opt = {.n_fast = 2};
    return disc_env_start(&s_env, &opt);
}

static int s_group_teardown(void **state)
{
    (void)state;
    disc_env_stop(&s_env);
    return 0;
}

int main(void)
{
    check_require_services();
    proc_watchdog(85);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_half_duration_counts, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_four_minute_cap, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_dedup_and_counts, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_errors, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_service_push_bedrockctl, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_dedup_without_redis, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("disc_plays", tests, s_group_setup, s_group_teardown);
}
