/* test_disc_search — search.query against a real cluster (fast pool + provider pool),
 * a real PostgreSQL, its own Redis and the replay server (disc_env.h).
 *
 * Relevance on Chinook (exact title first, one-letter typos, accents), pagination by cursor,
 * provider search through the recordings (Deezer "Billy Jean" limit 2, Spotify "uptown"
 * limit 2), ISRC de-duplication (the local copy wins), the search:... key (miss, hit,
 * TTL ~300 s; ~30 s for a partial result), search history when logged in, errors.
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

static void s_search(const char *args, envelope_reply_t *rep)
{
    assert_int_equal(disc_call(&s_env, "search.query", args, NULL, NULL, NULL, rep), 0);
}

static const char *s_str(const json_t *o, const char *field)
{
    const char *v = json_string_value(json_object_get(o, field));
    return v ? v : "";
}

/* The first track of a local search for q is "Balls to the Wall" by Accept. */
static void s_expect_balls_first(const char *q)
{
    char args[256];
    envelope_reply_t rep;
    snprintf(args, sizeof args, "{\"q\":\"%s\",\"type\":\"track\",\"platform\":\"local\"}", q);
    s_search(args, &rep);
    expect_reply(&rep, 200);
    const json_t *first = json_array_get(disc_items(&rep, "tracks"), 0);
    const json_t *artist = json_array_get(json_object_get(first, "artists"), 0);
    if (strcmp(s_str(first, "title"), "Balls to the Wall") != 0 ||
        strcmp(s_str(artist, "name"), "Accept") != 0) {
        disc_print(&rep, q);
        fail_msg("\"%s\" did not find Balls to the Wall (Accept) first", q);
    }
    assert_null(json_object_get(rep.data, "albums")); /* only the kinds asked for */
    envelope_reply_clear(&rep);
}

static void test_exact_title_first(void **state)
{
    (void)state;
    s_expect_balls_first("balls to the wall");
    s_expect_balls_first("Balls To The Wall");
    check_test_passed();
}

static void test_one_letter_typo(void **state)
{
    (void)state;
    s_expect_balls_first("balls to the wal");
    s_expect_balls_first("Bals to the Wall");
    check_test_passed();
}

static void test_accents_do_not_matter(void **state)
{
    (void)state;
    envelope_reply_t rep;
    s_search("{\"q\":\"antonio carlos jobim\",\"type\":\"artist\",\"platform\":\"local\"}", &rep);
    expect_reply(&rep, 200);
    const json_t *first = json_array_get(disc_items(&rep, "artists"), 0);
    assert_string_equal(s_str(first, "name"), "Antônio Carlos Jobim");
    assert_string_equal(s_str(first, "platform"), "local");
    envelope_reply_clear(&rep);
    check_test_passed();
}

/* Walks every page of a local search for "love" (about a hundred Chinook matches):
 * each match exactly once, as many as PostgreSQL counts with the same predicate. */
static void test_cursor_walk(void **state)
{
    (void)state;
    json_t *seen = json_object();
    char cursor[1024] = "";
    int pages = 0;
    do {
        char args[1400];
        snprintf(args, sizeof args,
                 "{\"q\":\"love\",\"type\":\"track\",\"platform\":\"local\","
                 "\"limit\":\"25\"%s%s%s}",
                 cursor[0] ? ",\"cursor\":\"" : "", cursor, cursor[0] ? "\"" : "");
        envelope_reply_t rep;
        s_search(args, &rep);
        expect_reply(&rep, 200);
        const json_t *items = disc_items(&rep, "tracks");
        assert_true(json_array_size(items) <= 25);
        size_t i;
        const json_t *item;
        json_array_foreach(items, i, item)
        {
            const char *id = s_str(item, "id");
            if (json_object_get(seen, id))
                fail_msg("%s on two pages", id);
            json_object_set_new(seen, id, json_true());
        }
        const char *next =
            json_string_value(json_object_get(json_object_get(rep.data, "tracks"), "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        envelope_reply_clear(&rep);
        pages++;
    } while (cursor[0] && pages < 40);
    const char *q[] = {"love", NULL};
    long long want = disc_sql_int(&s_env,
                                  "SELECT count(*) FROM tracks x WHERE x.platform = 'local' AND"
                                  " (x.search @@ plainto_tsquery('simple', bedrock_fold($1))"
                                  " OR bedrock_fold(x.title) % bedrock_fold($1))",
                                  q);
    assert_true(want > 50);
    assert_int_equal((long long)json_object_size(seen), want);
    assert_true(pages >= 3 && pages < 40);
    json_decref(seen);
    check_test_passed();
}

static void test_cache_miss_hit_ttl(void **state)
{
    (void)state;
    const char *key = "search:balls to the wall:local:track:20";
    assert_int_equal(disc_del(&s_env, key), 0);
    envelope_reply_t rep;
    s_search("{\"q\":\"  Balls   to the WALL \",\"type\":\"track\",\"platform\":\"local\"}", &rep);
    expect_reply(&rep, 200);
    assert_string_equal(disc_x_cache(&rep), "miss");
    envelope_reply_clear(&rep);
    long long ttl = disc_ttl(&s_env, key);
    if (ttl < 290 || ttl > 300)
        fail_msg("TTL of %s is %lld, expected ~300", key, ttl);
    s_search("{\"q\":\"balls to the wall\",\"type\":\"track\",\"platform\":\"local\"}", &rep);
    expect_reply(&rep, 200);
    assert_string_equal(disc_x_cache(&rep), "hit");
    envelope_reply_clear(&rep);
    check_test_passed();
}

/* Deezer through the provider pool: forwarded on a miss, answered by the fast pool on a
 * hit, the provider called once. */
static void test_deezer_search(void **state)
{
    (void)state;
    const char *args = "{\"q\":\"Billy Jean\",\"type\":\"track\",\"platform\":\"deezer\","
                       "\"limit\":\"2\"}";
    disc_del(&s_env, "search:billy jean:deezer:track:2");
    long before = disc_replay_requests(&s_env, "deezer");
    envelope_reply_t rep;
    s_search(args, &rep);
    expect_reply(&rep, 200);
    assert_string_equal(disc_x_cache(&rep), "miss");
    const json_t *items = disc_items(&rep, "tracks");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(s_str(json_array_get(items, 0), "title"), "Billie Jean");
    assert_string_equal(s_str(json_array_get(items, 0), "id"), "deezer:4603408");
    envelope_reply_clear(&rep);
    long long ttl = disc_ttl(&s_env, "search:billy jean:deezer:track:2");
    assert_true(ttl > 290 && ttl <= 300);
    s_search(args, &rep);
    expect_reply(&rep, 200);
    assert_string_equal(disc_x_cache(&rep), "hit");
    envelope_reply_clear(&rep);
    assert_int_equal(disc_replay_requests(&s_env, "deezer"), before + 1);
    check_test_passed();
}

/* Spotify "uptown" (limit 2) answers Uptown Funk (GBARL1401524) then Uptown Girl. With
 * the local "Let Me Off Uptown" given Uptown Funk's ISRC (the fixture), the local track
 * is kept, Spotify's copy dropped, and Uptown Girl takes its place. */
static void test_isrc_dedup_keeps_local(void **state)
{
    (void)state;
    envelope_reply_t rep;
    assert_int_equal(disc_env_isrc_fixture(&s_env, true), 0);
    s_search("{\"q\":\"uptown\",\"type\":\"track\",\"platform\":\"local,spotify\","
             "\"limit\":\"2\"}",
             &rep);
    assert_int_equal(disc_env_isrc_fixture(&s_env, false), 0);
    expect_reply(&rep, 200);
    const json_t *items = disc_items(&rep, "tracks");
    bool local = false, girl = false;
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *id = s_str(item, "id");
        if (strcmp(s_str(item, "isrc"), DISC_UPTOWN_FUNK_ISRC) == 0 &&
            strcmp(id, DISC_UPTOWN_LOCAL) != 0) {
            disc_print(&rep, "dedup");
            fail_msg("%s carries the local track's ISRC", id);
        }
        local = local || strcmp(id, DISC_UPTOWN_LOCAL) == 0;
        girl = girl || strcmp(s_str(item, "title"), "Uptown Girl") == 0;
    }
    if (!local || !girl) {
        disc_print(&rep, "dedup");
        fail_msg("expected the local Let Me Off Uptown and Spotify's Uptown Girl");
    }
    envelope_reply_clear(&rep);
    check_test_passed();
}

/* platform=all with iTunes failing: the result is partial (cached briefly) and still
 * holds Deezer's; providers without a recording answer "nothing found" (not a failure). */
static void test_all_platforms_partial(void **state)
{
    (void)state;
    envelope_reply_t rep;
    assert_int_equal(disc_replay_mode(&s_env, "itunes", "error500"), 0);
    s_search("{\"q\":\"Billy Jean\",\"type\":\"track\",\"limit\":\"2\"}", &rep);
    assert_int_equal(disc_replay_reset(&s_env), 0);
    expect_reply(&rep, 200);
    bool deezer = false;
    size_t i;
    const json_t *item;
    json_array_foreach(disc_items(&rep, "tracks"), i, item) deezer =
        deezer || strcmp(s_str(item, "id"), "deezer:4603408") == 0;
    assert_true(deezer);
    envelope_reply_clear(&rep);
    json_t *keys = disc_keys(&s_env, "search:billy jean:deezer,itunes,local,musicbrainz,spotify*");
    assert_int_equal(json_array_size(keys), 1);
    long long ttl = disc_ttl(&s_env, json_string_value(json_array_get(keys, 0)));
    if (ttl < 1 || ttl > 30)
        fail_msg("a partial result lives %lld s, expected <= 30", ttl);
    json_decref(keys);
    check_test_passed();
}

static void test_history_when_logged_in(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(cluster_base_url(s_env.cluster), &u, "disc-search");
    envelope_reply_t rep;
    assert_int_equal(disc_call(&s_env, "search.query",
                               "{\"q\":\"balls to the wall\",\"type\":\"track\","
                               "\"platform\":\"local\"}",
                               NULL, &u, NULL, &rep),
                     0);
    expect_reply(&rep, 200);
    envelope_reply_clear(&rep);
    const char *p[] = {u.id, NULL};
    long long n = disc_sql_int(&s_env,
                               "SELECT count(*) FROM search_history WHERE user_id = $1::uuid"
                               " AND query = 'balls to the wall' AND types = 'track'"
                               " AND platform = 'local'",
                               p);
    assert_int_equal(n, 1);
    check_test_passed();
}

static void s_expect_error(const char *args, int status, const char *code, const char *field)
{
    envelope_reply_t rep;
    s_search(args, &rep);
    expect_reply_error(&rep, status, code);
    if (field)
        assert_string_equal(json_string_value(json_object_get(rep.error_details, "field")), field);
    envelope_reply_clear(&rep);
}

static void test_errors(void **state)
{
    (void)state;
    char long_q[300];
    memset(long_q, 'a', 201);
    long_q[201] = '\0';
    char args[400];
    snprintf(args, sizeof args, "{\"q\":\"%s\"}", long_q);
    s_expect_error("{}", 400, "invalid_argument", "q");
    s_expect_error("{\"q\":\"   \"}", 400, "invalid_argument", "q");
    s_expect_error(args, 400, "invalid_argument", "q");
    s_expect_error("{\"q\":\"x\",\"type\":\"song\"}", 400, "invalid_argument", "type");
    s_expect_error("{\"q\":\"x\",\"limit\":\"0\"}", 400, "invalid_argument", "limit");
    s_expect_error("{\"q\":\"x\",\"limit\":\"101\"}", 400, "invalid_argument", "limit");
    s_expect_error("{\"q\":\"x\",\"cursor\":\"bm9wZQ\"}", 400, "invalid_argument", "cursor");
    s_expect_error("{\"q\":\"x\",\"platform\":\"napster\"}", 404, "unknown_platform", NULL);
    s_expect_error("{\"q\":\"x\",\"platform\":\"lrclib\"}", 400, "invalid_argument", "platform");
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
    if (s_env.pg)
        (void)disc_env_isrc_fixture(&s_env, false);
    disc_env_stop(&s_env);
    return 0;
}

int main(void)
{
    check_require_services();
    proc_watchdog(85);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exact_title_first, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_one_letter_typo, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_accents_do_not_matter, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_cursor_walk, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_cache_miss_hit_ttl, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_deezer_search, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_isrc_dedup_keeps_local, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_all_platforms_partial, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_history_when_logged_in, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_errors, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("disc_search", tests, s_group_setup, s_group_teardown);
}
