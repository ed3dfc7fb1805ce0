/* test_disc_lyrics — tracks.lyrics and lyrics.get against a real cluster and the LRCLIB
 * recordings (disc_env.h): "I Want to Live" by Borislav Slavov (album Baldur's Gate 3
 * (Original Game Soundtrack), 233 s) found through /api/get with album and duration
 * (tracks.lyrics of the Deezer track DISC_DEEZER_LIVE, whose facts come from Deezer
 * through the provider pool, or from its stored copy), and through the search
 * fallback (lyrics.get, artist + title only);
 * the lyrics:{artist}:{title} key (miss, hit, TTL ~86400); LRCLIB's 404 -> 404
 * not_found; LRCLIB failing -> 502 provider_error; argument and id errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "disc_env.h"
#include "proc.h"

#include <string.h>

#define S_KEY "lyrics:borislav slavov:i want to live"

static disc_env_t s_env;

static void s_call(const char *op, const char *args, envelope_reply_t *rep)
{
    assert_int_equal(disc_call(&s_env, op, args, NULL, NULL, NULL, rep), 0);
}

static void s_expect_lyrics(const envelope_reply_t *rep)
{
    expect_reply(rep, 200);
    const json_t *plain = json_object_get(rep->data, "plain");
    assert_true(json_is_string(plain) && json_string_length(plain) > 0);
    assert_true(json_object_get(rep->data, "synced") != NULL);
    assert_string_equal(json_string_value(json_object_get(rep->data, "source")), "lrclib");
}

static void test_track_lyrics_miss_hit_ttl(void **state)
{
    (void)state;
    assert_int_equal(disc_del(&s_env, S_KEY), 0);
    envelope_reply_t rep;
    s_call("tracks.lyrics", "{\"id\":\"" DISC_DEEZER_LIVE "\"}", &rep);
    s_expect_lyrics(&rep);
    assert_string_equal(disc_x_cache(&rep), "miss");
    envelope_reply_clear(&rep);
    long long ttl = disc_ttl(&s_env, S_KEY);
    if (ttl < 86300 || ttl > 86400)
        fail_msg("TTL of %s is %lld, expected ~86400", S_KEY, ttl);
    s_call("tracks.lyrics", "{\"id\":\"" DISC_DEEZER_LIVE "\"}", &rep);
    s_expect_lyrics(&rep);
    assert_string_equal(disc_x_cache(&rep), "hit");
    envelope_reply_clear(&rep);
    check_test_passed();
}

/* Without album and duration LRCLIB's /api/get has no recording: the provider falls back
 * to /api/search and picks the record of this artist and title. */
static void test_lyrics_get_by_artist_and_title(void **state)
{
    (void)state;
    assert_int_equal(disc_del(&s_env, S_KEY), 0);
    envelope_reply_t rep;
    s_call("lyrics.get", "{\"artist\":\"Borislav Slavov\",\"title\":\"I Want to Live\"}", &rep);
    s_expect_lyrics(&rep);
    assert_string_equal(disc_x_cache(&rep), "miss");
    envelope_reply_clear(&rep);
    /* Normalised key: case and spacing do not matter. */
    s_call("lyrics.get", "{\"artist\":\" borislav  SLAVOV\",\"title\":\"i want to live \"}", &rep);
    s_expect_lyrics(&rep);
    assert_string_equal(disc_x_cache(&rep), "hit");
    envelope_reply_clear(&rep);
    check_test_passed();
}

static void test_lrclib_not_found(void **state)
{
    (void)state;
    envelope_reply_t rep;
    /* A Chinook track: LRCLIB (the replay) knows nothing of it. */
    s_call("tracks.lyrics", "{\"id\":\"" DISC_BALLS "\"}", &rep);
    expect_reply_error(&rep, 404, "not_found");
    envelope_reply_clear(&rep);
    s_call("lyrics.get",
           "{\"artist\":\"this artist does not exist\",\"title\":\"this song does not exist\","
           "\"album\":\"this album does not exist\",\"duration\":\"233\"}",
           &rep);
    expect_reply_error(&rep, 404, "not_found");
    envelope_reply_clear(&rep);
    assert_false(disc_exists(&s_env, "lyrics:this artist does not exist:this song does not exist"));
    check_test_passed();
}

static void test_lrclib_failing(void **state)
{
    (void)state;
    assert_int_equal(disc_del(&s_env, S_KEY), 0);
    assert_int_equal(disc_replay_mode(&s_env, "lrclib", "error500"), 0);
    envelope_reply_t rep;
    s_call("lyrics.get", "{\"artist\":\"Borislav Slavov\",\"title\":\"I Want to Live\"}", &rep);
    assert_int_equal(disc_replay_reset(&s_env), 0);
    expect_reply_error(&rep, 502, "provider_error");
    assert_string_equal(json_string_value(json_object_get(rep.error_details, "platform")),
                        "lrclib");
    envelope_reply_clear(&rep);
    assert_false(disc_exists(&s_env, S_KEY));
    check_test_passed();
}

static void s_expect_error(const char *op, const char *args, int status, const char *code,
                           const char *field)
{
    envelope_reply_t rep;
    s_call(op, args, &rep);
    expect_reply_error(&rep, status, code);
    if (field)
        assert_string_equal(json_string_value(json_object_get(rep.error_details, "field")), field);
    envelope_reply_clear(&rep);
}

static void test_errors(void **state)
{
    (void)state;
    s_expect_error("lyrics.get", "{\"title\":\"x\"}", 400, "invalid_argument", "artist");
    s_expect_error("lyrics.get", "{\"artist\":\"x\"}", 400, "invalid_argument", "title");
    s_expect_error("lyrics.get", "{\"artist\":\" \",\"title\":\"x\"}", 400, "invalid_argument",
                   "artist");
    s_expect_error("lyrics.get", "{\"artist\":\"x\",\"title\":\"y\",\"duration\":\"soon\"}", 400,
                   "invalid_argument", "duration");
    s_expect_error("tracks.lyrics", "{\"id\":\"local:9199999\"}", 404, "not_found", NULL);
    s_expect_error("tracks.lyrics", "{\"id\":\"local:abc\"}", 400, "invalid_id", NULL);
    s_expect_error("tracks.lyrics", "{\"id\":\"napster:1\"}", 404, "unknown_platform", NULL);
    s_expect_error("tracks.lyrics", "{}", 400, "invalid_id", NULL);
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
    disc_env_options_t opt = {.n_fast = 1};
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
        cmocka_unit_test_setup_teardown(test_track_lyrics_miss_hit_ttl, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_lyrics_get_by_artist_and_title, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_lrclib_not_found, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_lrclib_failing, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_errors, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("disc_lyrics", tests, s_group_setup, s_group_teardown);
}
