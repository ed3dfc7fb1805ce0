/* catalog_local — the local catalog over HTTP against a real cluster (issue 3).
 * Owner: catalog engineer (C1).
 *
 * - bedrockctl ingest of compose/data/chinook: 275 artists, 347 albums, 3503 tracks,
 *   18 playlists (8715 playlist positions) stored as platform "local";
 * - a second ingest changes nothing (counts, updated_at, revisions) and says so;
 * - malformed records are rejected, each with its reason, exit 1;
 * - GET track/album/artist/playlist local:1: miss then hit, shapes, TTLs read back
 *   from Redis (1 h, playlist 5 min), playlist pages;
 * - 400 invalid_id, 404 unknown_platform, 404 not_found, local stream 404, links;
 * - Redis killed mid-run: still served (local and provider), X-Cache: bypass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "catalog_support.h"
#include "check.h"
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static catsup_t *s_env;
static const char *s_base;

#define S_LOCAL_COUNT(table) "SELECT count(*) FROM " table " WHERE platform = 'local'"

static void s_expect_cache(const http_response_t *r, const char *want)
{
    const char *got = http_header(r, "X-Cache");
    expect_that(r, got && strcmp(got, want) == 0, "X-Cache must be %s, got %s", want,
                got ? got : "(none)");
}

static http_response_t *s_get(const char *path, long status, const char *cache)
{
    http_response_t *r = http_get(s_base, path, NULL);
    expect_status(r, status);
    if (cache)
        s_expect_cache(r, cache);
    return r;
}

static void s_expect_ttl(const char *key, long min, long max)
{
    long ttl = catsup_redis_ttl(s_env, key);
    if (ttl < min || ttl > max)
        fail_msg("TTL of %s is %ld, expected %ld..%ld", key, ttl, min, max);
}

static void s_ingest_chinook(catsup_ctl_t *r)
{
    char dir[512];
    catsup_source_path("compose/data/chinook", dir, sizeof dir);
    assert_int_equal(catsup_ingest(s_env, dir, 100, r), 0);
}

static void test_ingest_chinook(void **state)
{
    (void)state;
    catsup_ctl_t r;
    s_ingest_chinook(&r);
    if (r.exit_code != 0)
        fail_msg("bedrockctl ingest exit %d\nstdout:\n%s\nstderr:\n%s", r.exit_code, r.out, r.err);
    assert_non_null(strstr(r.out, "summary: 4173 records"));
    assert_non_null(strstr(r.out, " 0 rejected"));
    catsup_ctl_clear(&r);
    assert_int_equal(catsup_sql_int(S_LOCAL_COUNT("artists"), NULL), 275);
    assert_int_equal(catsup_sql_int(S_LOCAL_COUNT("albums"), NULL), 347);
    assert_int_equal(catsup_sql_int(S_LOCAL_COUNT("tracks"), NULL), 3503);
    assert_int_equal(catsup_sql_int(S_LOCAL_COUNT("provider_playlists"), NULL), 18);
    assert_int_equal(catsup_sql_int(S_LOCAL_COUNT("genres"), NULL), 25);
    assert_int_equal(catsup_sql_int(S_LOCAL_COUNT("media_types"), NULL), 5);
    assert_int_equal(catsup_sql_int("SELECT count(*) FROM provider_playlist_tracks pt JOIN "
                                    "provider_playlists p ON p.id = pt.playlist_id "
                                    "WHERE p.platform = 'local'",
                                    NULL),
                     8715);
    check_test_passed();
}

/* Everything a second ingest could touch, as one text. */
static char *s_snapshot(void)
{
    return catsup_sql(
        "SELECT concat_ws('|',"
        " (SELECT count(*) || '/' || max(updated_at) FROM tracks WHERE platform = 'local'),"
        " (SELECT count(*) || '/' || max(updated_at) FROM albums WHERE platform = 'local'),"
        " (SELECT count(*) || '/' || max(updated_at) FROM artists WHERE platform = 'local'),"
        " (SELECT count(*) || '/' || max(updated_at) FROM provider_playlists"
        "   WHERE platform = 'local'),"
        " (SELECT count(*) FROM catalog_revisions WHERE platform = 'local'),"
        " (SELECT count(*) FROM genres WHERE platform = 'local'))",
        NULL);
}

static void test_ingest_twice_changes_nothing(void **state)
{
    (void)state;
    char *before = s_snapshot();
    assert_non_null(before);
    catsup_ctl_t r;
    s_ingest_chinook(&r);
    if (r.exit_code != 0 || !strstr(r.out, "(all unchanged)"))
        fail_msg("second ingest: exit %d\nstdout:\n%s\nstderr:\n%s", r.exit_code, r.out, r.err);
    assert_non_null(strstr(r.out, "4173 records: 0 inserted, 0 updated, 4173 unchanged"));
    catsup_ctl_clear(&r);
    char *after = s_snapshot();
    assert_non_null(after);
    assert_string_equal(before, after);
    free(before);
    free(after);
    check_test_passed();
}

static void s_write(const char *dir, const char *name, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static void test_ingest_rejects_with_reasons(void **state)
{
    (void)state;
    char dir[] = "/tmp/bedrock-catalog-bad-XXXXXX";
    assert_non_null(mkdtemp(dir));
    s_write(dir, "artists.jsonl",
            "{\"id\":\"x\",\"name\":\"Not An Id\"}\n"
            "{\"id\":990001}\n"
            "this is not json\n"
            "\n");
    s_write(dir, "tracks.jsonl",
            "{\"id\":990002,\"name\":\"Orphan\",\"album_id\":999999,\"milliseconds\":1000}\n"
            "{\"id\":990003,\"name\":\"No length\",\"album_id\":1}\n");
    s_write(dir, "playlists.jsonl",
            "{\"id\":990004,\"name\":\"Ghosts\",\"track_ids\":[1,999999]}\n");
    catsup_ctl_t r;
    assert_int_equal(catsup_ingest(s_env, dir, 100, &r), 0);
    static const char *const want[] = {
        "artists.jsonl:1: id ? rejected: id must be a positive integer",
        "artists.jsonl:2: id 990001 rejected: name must be a non-empty string",
        "artists.jsonl:3: id ? rejected: not JSON",
        "tracks.jsonl:1: id 990002 rejected: album 999999 not found",
        "tracks.jsonl:2: id 990003 rejected: milliseconds must be a non-negative integer",
        "playlists.jsonl:1: id 990004 rejected: track 999999 not found",
        NULL};
    if (r.exit_code != 1)
        fail_msg("exit %d, expected 1\nstdout:\n%s\nstderr:\n%s", r.exit_code, r.out, r.err);
    for (const char *const *w = want; *w; w++)
        if (!strstr(r.err, *w))
            fail_msg("stderr lacks \"%s\":\n%s", *w, r.err);
    assert_non_null(strstr(r.out, "summary: 6 records: 0 inserted, 0 updated, 0 unchanged, "
                                  "6 rejected"));
    catsup_ctl_clear(&r);
    const char *ids[] = {"990001", NULL};
    assert_int_equal(catsup_sql_int("SELECT count(*) FROM artists WHERE platform = 'local'"
                                    " AND native_id = $1",
                                    ids),
                     0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    check_test_passed();
}

static void test_local_track_miss_then_hit(void **state)
{
    (void)state;
    (void)catsup_redis_del(s_env, "track:local:1");
    http_response_t *r = s_get("/v1/tracks/local:1", 200, "miss");
    json_t *t = expect_json_object(r);
    assert_string_equal(json_string_value(json_object_get(t, "id")), "local:1");
    assert_string_equal(json_string_value(json_object_get(t, "platform")), "local");
    assert_string_equal(json_string_value(json_object_get(t, "title")),
                        "For Those About To Rock (We Salute You)");
    assert_int_equal(json_integer_value(json_object_get(t, "duration_ms")), 343719);
    assert_true(json_is_null(json_object_get(t, "isrc")));
    json_t *artist = json_array_get(json_object_get(t, "artists"), 0);
    assert_string_equal(json_string_value(json_object_get(artist, "id")), "local:1");
    assert_string_equal(json_string_value(json_object_get(artist, "name")), "AC/DC");
    assert_string_equal(json_string_value(json_object_get(json_object_get(t, "album"), "id")),
                        "local:1");
    assert_string_equal(json_string_value(json_array_get(json_object_get(t, "genres"), 0)), "Rock");
    http_response_free(&r);
    s_expect_ttl("track:local:1", 3590, 3600);
    r = s_get("/v1/tracks/local:1", 200, "hit");
    http_response_free(&r);
    check_test_passed();
}

static void test_local_album_artist_playlist(void **state)
{
    (void)state;
    static const char *const keys[] = {"album:local:1", "artist:local:1", "playlist:local:1", NULL};
    for (const char *const *k = keys; *k; k++)
        (void)catsup_redis_del(s_env, *k);
    http_response_t *r = s_get("/v1/albums/local:1", 200, "miss");
    json_t *a = expect_json_object(r);
    assert_string_equal(json_string_value(json_object_get(a, "title")),
                        "For Those About To Rock We Salute You");
    assert_int_equal(json_array_size(json_object_get(a, "tracks")), 10);
    assert_int_equal(json_integer_value(json_object_get(a, "total_tracks")), 10);
    http_response_free(&r);
    r = s_get("/v1/albums/local:1", 200, "hit");
    http_response_free(&r);
    s_expect_ttl("album:local:1", 3590, 3600);

    r = s_get("/v1/artists/local:1", 200, "miss");
    a = expect_json_object(r);
    assert_string_equal(json_string_value(json_object_get(a, "name")), "AC/DC");
    assert_int_equal(json_array_size(json_object_get(a, "albums")), 2);
    assert_true(json_array_size(json_object_get(a, "top_tracks")) > 0);
    http_response_free(&r);
    s_expect_ttl("artist:local:1", 3590, 3600);

    r = s_get("/v1/playlists/local:1?limit=5", 200, "miss");
    json_t *tracks = json_object_get(expect_json_object(r), "tracks");
    assert_int_equal(json_array_size(json_object_get(tracks, "items")), 5);
    char next[128];
    snprintf(next, sizeof next, "/v1/playlists/local:1?limit=5&cursor=%s",
             json_string_value(json_object_get(tracks, "next_cursor")));
    http_response_free(&r);
    s_expect_ttl("playlist:local:1", 290, 300);
    r = s_get(next, 200, "hit");
    json_t *second =
        json_array_get(json_object_get(json_object_get(r->json, "tracks"), "items"), 0);
    assert_string_equal(json_string_value(json_object_get(second, "id")), "local:6");
    http_response_free(&r);
    r = s_get("/v1/playlists/local:2", 200, NULL);
    tracks = json_object_get(expect_json_object(r), "tracks");
    assert_int_equal(json_array_size(json_object_get(tracks, "items")), 0);
    assert_true(json_is_null(json_object_get(tracks, "next_cursor")));
    http_response_free(&r);
    check_test_passed();
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        long status;
        const char *code;
    } cases[] = {
        {"/v1/tracks/local:abc", 400, "invalid_id"},
        {"/v1/tracks/nonsense", 400, "invalid_id"},
        {"/v1/albums/spotify:short", 400, "invalid_id"},
        {"/v1/tracks/napster:1", 404, "unknown_platform"},
        {"/v1/artists/napster:1", 404, "unknown_platform"},
        {"/v1/tracks/local:99999999", 404, "not_found"},
        {"/v1/albums/local:99999999", 404, "not_found"},
        {"/v1/tracks/local:1/stream", 404, "not_found"},
        {"/v1/tracks/local:99999999/links", 404, "not_found"},
        {"/v1/playlists/local:1?limit=0", 400, "invalid_argument"},
        {"/v1/playlists/local:1?cursor=zz", 400, "invalid_argument"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_response_t *r = http_get(s_base, cases[i].path, NULL);
        expect_error(r, cases[i].status, cases[i].code);
        http_response_free(&r);
    }
    http_response_t *r = s_get("/v1/tracks/local:1/links", 200, NULL);
    json_t *links = expect_json_object(r);
    assert_string_equal(json_string_value(json_object_get(links, "id")), "local:1");
    assert_int_equal(json_array_size(json_object_get(links, "links")), 0);
    http_response_free(&r);
    check_test_passed();
}

static void test_redis_down_bypass(void **state)
{
    (void)state;
    catsup_redis_kill(s_env);
    static const char *const paths[] = {"/v1/tracks/local:1", "/v1/tracks/local:2",
                                        "/v1/albums/local:2", "/v1/artists/local:2",
                                        "/v1/playlists/local:3?limit=2",
                                        /* a provider track: forwarded, fetched, not cached */
                                        "/v1/tracks/deezer:3135556", NULL};
    for (const char *const *p = paths; *p; p++) {
        http_response_t *r = s_get(*p, 200, "bypass");
        http_response_free(&r);
    }
    check_test_passed();
}

static int s_setup(void **state)
{
    (void)state;
    check_require_services();
    catsup_options_t opt = {.spotify_credentials = true, .provider_workers = 1};
    s_env = catsup_start(&opt);
    if (!s_env)
        return -1;
    s_base = catsup_base(s_env);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    return catsup_stop(&s_env) == 0 ? 0 : -1;
}

static int s_test_setup(void **state)
{
    (void)state;
    check_test_begin(catsup_cluster(s_env));
    return 0;
}

static int s_test_teardown(void **state)
{
    (void)state;
    return check_test_end();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ingest_chinook, s_test_setup, s_test_teardown),
        cmocka_unit_test_setup_teardown(test_ingest_twice_changes_nothing, s_test_setup,
                                        s_test_teardown),
        cmocka_unit_test_setup_teardown(test_ingest_rejects_with_reasons, s_test_setup,
                                        s_test_teardown),
        cmocka_unit_test_setup_teardown(test_local_track_miss_then_hit, s_test_setup,
                                        s_test_teardown),
        cmocka_unit_test_setup_teardown(test_local_album_artist_playlist, s_test_setup,
                                        s_test_teardown),
        cmocka_unit_test_setup_teardown(test_errors, s_test_setup, s_test_teardown),
        cmocka_unit_test_setup_teardown(test_redis_down_bypass, s_test_setup, s_test_teardown),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
