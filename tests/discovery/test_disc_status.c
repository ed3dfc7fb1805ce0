/* test_disc_status — providers.status against a real cluster and the replay server,
 * with Spotify NOT configured (disc_env.h).
 *
 * Shape of every platform {status, latency_ms, last_error, checked_at}; local up;
 * spotify down / "not configured" (and 404 unknown_platform wherever a spotify id or
 * platform is asked for); status:{platform} cached ~300 s, miss then hit; a provider in
 * error500 mode is reported down once its cached status is gone, degraded on its first
 * good answer after failures, then up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "disc_env.h"
#include "proc.h"

#include <stdio.h>
#include <string.h>

static disc_env_t s_env;
static const char *const s_platforms[] = {"local",  "musicbrainz", "deezer", "spotify",
                                          "lrclib", "itunes",      NULL};

static void s_status(envelope_reply_t *rep)
{
    assert_int_equal(disc_call(&s_env, "providers.status", NULL, NULL, NULL, NULL, rep), 0);
    expect_reply(rep, 200);
}

static bool s_iso8601(const char *t)
{
    /* 2026-11-25T18:00:00Z */
    return t && strlen(t) == 20 && t[4] == '-' && t[7] == '-' && t[10] == 'T' && t[13] == ':' &&
           t[16] == ':' && t[19] == 'Z';
}

static void s_check_shape(const envelope_reply_t *rep)
{
    for (size_t i = 0; s_platforms[i]; i++) {
        const json_t *p = json_object_get(rep->data, s_platforms[i]);
        const char *status = json_string_value(json_object_get(p, "status"));
        const json_t *latency = json_object_get(p, "latency_ms");
        const json_t *last_error = json_object_get(p, "last_error");
        bool ok =
            status &&
            (!strcmp(status, "up") || !strcmp(status, "degraded") || !strcmp(status, "down")) &&
            (json_is_integer(latency) || json_is_null(latency)) &&
            (json_is_string(last_error) || json_is_null(last_error)) &&
            s_iso8601(json_string_value(json_object_get(p, "checked_at")));
        if (!ok) {
            disc_print(rep, s_platforms[i]);
            fail_msg("%s has not the status shape", s_platforms[i]);
        }
    }
}

static const char *s_field(const envelope_reply_t *rep, const char *platform, const char *field)
{
    const char *v = json_string_value(json_object_get(json_object_get(rep->data, platform), field));
    return v ? v : "";
}

static void test_shape_cache_and_unconfigured(void **state)
{
    (void)state;
    assert_int_equal(disc_flush(&s_env), 0);
    envelope_reply_t rep;
    s_status(&rep);
    s_check_shape(&rep);
    assert_string_equal(disc_x_cache(&rep), "miss");
    assert_string_equal(s_field(&rep, "local", "status"), "up");
    assert_string_equal(s_field(&rep, "spotify", "status"), "down");
    assert_string_equal(s_field(&rep, "spotify", "last_error"), "not configured");
    assert_true(json_is_null(json_object_get(json_object_get(rep.data, "spotify"), "latency_ms")));
    /* LRCLIB answers its health check (a 404 from the replay is still an answer). */
    assert_string_equal(s_field(&rep, "lrclib", "status"), "up");
    envelope_reply_clear(&rep);
    long long ttl = disc_ttl(&s_env, "status:deezer");
    if (ttl < 290 || ttl > 300)
        fail_msg("TTL of status:deezer is %lld, expected ~300", ttl);
    assert_false(disc_exists(&s_env, "status:spotify"));
    s_status(&rep);
    s_check_shape(&rep);
    assert_string_equal(disc_x_cache(&rep), "hit");
    envelope_reply_clear(&rep);
    check_test_passed();
}

/* status:deezer dropped, then checked again: deezer's status now. */
static const char *s_deezer_now(char *last_error, size_t size)
{
    static char status[16];
    assert_int_equal(disc_del(&s_env, "status:deezer"), 0);
    envelope_reply_t rep;
    s_status(&rep);
    s_check_shape(&rep);
    snprintf(status, sizeof status, "%s", s_field(&rep, "deezer", "status"));
    snprintf(last_error, size, "%s", s_field(&rep, "deezer", "last_error"));
    envelope_reply_clear(&rep);
    return status;
}

/* Deezer answering 500s is down; once it answers again it is degraded for one check
 * (the breaker still counts the failure), then up. */
static void test_error500_reported(void **state)
{
    (void)state;
    char last_error[256];
    assert_int_equal(disc_replay_mode(&s_env, "deezer", "error500"), 0);
    const char *failing = s_deezer_now(last_error, sizeof last_error);
    assert_int_equal(disc_replay_reset(&s_env), 0);
    assert_string_equal(failing, "down");
    assert_true(last_error[0] != '\0');
    assert_string_equal(s_deezer_now(last_error, sizeof last_error), "degraded");
    assert_string_equal(s_deezer_now(last_error, sizeof last_error), "up");
    check_test_passed();
}

static void s_expect_unknown(const char *op, const char *args, const char *body,
                             const fixture_user_t *u)
{
    envelope_reply_t rep;
    assert_int_equal(disc_call(&s_env, op, args, body, u, NULL, &rep), 0);
    expect_reply_error(&rep, 404, "unknown_platform");
    envelope_reply_clear(&rep);
}

static void test_spotify_unconfigured_everywhere(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(cluster_base_url(s_env.cluster), &u, "disc-status");
    s_expect_unknown("search.query", "{\"q\":\"uptown\",\"platform\":\"spotify\"}", NULL, NULL);
    s_expect_unknown("tracks.lyrics", "{\"id\":\"spotify:4rmPQGwcLQjCoFq5NrTA0D\"}", NULL, NULL);
    s_expect_unknown("plays.record", NULL, "{\"track_id\":\"spotify:4rmPQGwcLQjCoFq5NrTA0D\"}", &u);
    /* platform=all just leaves Spotify out. */
    envelope_reply_t rep;
    assert_int_equal(disc_call(&s_env, "search.query",
                               "{\"q\":\"Billy Jean\",\"type\":\"track\",\"limit\":\"2\"}", NULL,
                               NULL, NULL, &rep),
                     0);
    expect_reply(&rep, 200);
    envelope_reply_clear(&rep);
    json_t *keys = disc_keys(&s_env, "search:billy jean:deezer,itunes,local,musicbrainz:*");
    assert_int_equal(json_array_size(keys), 1);
    json_decref(keys);
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
    disc_env_options_t opt = {.n_fast = 1, .no_spotify = true};
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
        cmocka_unit_test_setup_teardown(test_shape_cache_and_unconfigured, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_error500_reported, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_spotify_unconfigured_everywhere, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("disc_status", tests, s_group_setup, s_group_teardown);
}
