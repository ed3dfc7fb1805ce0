/* catalog_providers — provider entities through the provider pool (issue 3).
 * Owner: catalog engineer (C1).
 *
 * Fast workers forward misses to provider-pool workers (BEDROCK_WORKER_OPS=provider.),
 * which fetch from the replay server, store in PostgreSQL and fill Redis once:
 * - deezer:3135556 and spotify:1zHlj4dQ8ZAtrayhuDDmkY: miss (stored with raw), hit, TTL;
 * - album, artist, playlist of providers; stream TTL bounded by the signed URL expiry;
 * - 200 concurrent first requests for one track: exactly 1 provider call;
 * - the provider's "no data" -> 404 not_found;
 * - provider failing (error500, timeout, malformed): stale copy or 502 provider_error;
 * - a changed provider document leaves a catalog_revisions row;
 * - links: same ISRC and duration within 3 s (stored tracks, and asked by ISRC);
 * - spotify without credentials: 404 unknown_platform.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "catalog_support.h"
#include "check.h"
#include "http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_CONCURRENT 200
#define S_TRACK_CONCURRENT "1425844092"

static catsup_t *s_env;
static const char *s_base;

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

static void s_stored(const char *platform, const char *native, const char *title)
{
    const char *p[] = {platform, native, NULL};
    char *got = catsup_sql("SELECT raw->>'title' FROM tracks WHERE platform = $1 AND native_id = $2"
                           " AND fetched_at > now() - interval '1 minute'",
                           p);
    char *name =
        catsup_sql("SELECT raw->>'name' FROM tracks WHERE platform = $1 AND native_id = $2", p);
    assert_non_null(got);
    assert_non_null(name);
    if (strcmp(got, title) != 0 && strcmp(name, title) != 0)
        fail_msg("tracks row %s:%s: raw title '%s' / name '%s', expected '%s'", platform, native,
                 got, name, title);
    free(got);
    free(name);
}

static void test_provider_tracks(void **state)
{
    (void)state;
    http_response_t *r = s_get("/v1/tracks/deezer:3135556", 200, "miss");
    json_t *t = expect_json_object(r);
    assert_string_equal(json_string_value(json_object_get(t, "id")), "deezer:3135556");
    assert_string_equal(json_string_value(json_object_get(t, "isrc")), "GBDUW0000059");
    assert_int_equal(json_integer_value(json_object_get(t, "duration_ms")), 224000);
    http_response_free(&r);
    s_stored("deezer", "3135556", "Harder Better Faster Stronger");
    s_expect_ttl("track:deezer:3135556", 3590, 3600);
    r = s_get("/v1/tracks/deezer:3135556", 200, "hit");
    http_response_free(&r);

    r = s_get("/v1/tracks/spotify:1zHlj4dQ8ZAtrayhuDDmkY", 200, "miss");
    t = expect_json_object(r);
    assert_string_equal(json_string_value(json_object_get(t, "title")), "Timber");
    http_response_free(&r);
    s_stored("spotify", "1zHlj4dQ8ZAtrayhuDDmkY", "Timber");
    r = s_get("/v1/tracks/spotify:1zHlj4dQ8ZAtrayhuDDmkY", 200, "hit");
    http_response_free(&r);
    check_test_passed();
}

static void test_provider_entities_ttl(void **state)
{
    (void)state;
    static const struct {
        const char *path, *key;
        long min, max;
    } cases[] = {
        {"/v1/albums/deezer:302127", "album:deezer:302127", 3590, 3600},
        {"/v1/artists/deezer:27", "artist:deezer:27", 3590, 3600},
        {"/v1/playlists/spotify:1h9q8vXXDl2vHOmwdsuXms?limit=2",
         "playlist:spotify:1h9q8vXXDl2vHOmwdsuXms", 290, 300},
        {"/v1/tracks/deezer:3135556/stream", "stream:deezer:3135556", 3590, 3600},
        {"/v1/tracks/deezer:" CATSUP_DEEZER_SIGNED "/stream", "stream:deezer:" CATSUP_DEEZER_SIGNED,
         CATSUP_SIGNED_TTL_S - 60, CATSUP_SIGNED_TTL_S - 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_response_t *r = s_get(cases[i].path, 200, "miss");
        http_response_free(&r);
        s_expect_ttl(cases[i].key, cases[i].min, cases[i].max);
        r = s_get(cases[i].path, 200, "hit");
        http_response_free(&r);
    }
    http_response_t *r = s_get("/v1/tracks/deezer:" CATSUP_DEEZER_SIGNED "/stream", 200, "hit");
    json_t *s = expect_json_object(r);
    const char *expires = json_string_value(json_object_get(s, "expires_at"));
    expect_that(r, expires && strlen(expires) == 20 && expires[19] == 'Z',
                "expires_at must be ISO 8601 UTC");
    assert_true(json_is_true(json_object_get(s, "preview")));
    http_response_free(&r);
    r = s_get("/v1/albums/deezer:302127", 200, "hit");
    assert_string_equal(json_string_value(json_object_get(r->json, "upc")), "00724384960650");
    assert_true(json_array_size(json_object_get(r->json, "tracks")) > 0);
    http_response_free(&r);
    check_test_passed();
}

typedef struct {
    const char *path;
    long status;
} s_concurrent_t;

static void *s_concurrent_get(void *arg)
{
    s_concurrent_t *c = arg;
    http_response_t *r = http_get(s_base, c->path, NULL);
    c->status = r->status;
    http_response_free(&r);
    return NULL;
}

/* S_CONCURRENT GETs of path at once; their statuses in out. */
static void s_burst(const char *path, s_concurrent_t *out)
{
    pthread_t threads[S_CONCURRENT];
    for (int i = 0; i < S_CONCURRENT; i++) {
        out[i] = (s_concurrent_t){.path = path};
        assert_int_equal(pthread_create(&threads[i], NULL, s_concurrent_get, &out[i]), 0);
    }
    for (int i = 0; i < S_CONCURRENT; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
}

static void test_one_fill_for_concurrent_misses(void **state)
{
    (void)state;
    s_concurrent_t c[S_CONCURRENT];
    /* Warm-up: every frontend thread opens its broker connection on its first request
     * (and answers 503 no_worker when that takes longer than its connect wait, which a
     * cold burst on a loaded machine can); a cached track warms them all. */
    s_burst("/v1/tracks/deezer:3135556", c);
    s_burst("/v1/tracks/deezer:" S_TRACK_CONCURRENT, c);
    for (int i = 0; i < S_CONCURRENT; i++)
        if (c[i].status != 200)
            fail_msg("request %d answered %ld", i, c[i].status);
    assert_int_equal(catsup_replay_calls(s_env, "/deezer/track/" S_TRACK_CONCURRENT), 1);
    check_test_passed();
}

static void test_not_found_and_ids(void **state)
{
    (void)state;
    http_response_t *r = http_get(s_base, "/v1/tracks/deezer:" CATSUP_DEEZER_NODATA, NULL);
    expect_error(r, 404, "not_found");
    http_response_free(&r);
    r = http_get(s_base, "/v1/tracks/deezer:12ab", NULL);
    expect_error(r, 400, "invalid_id");
    http_response_free(&r);
    r = http_get(s_base, "/v1/tracks/napster:1", NULL);
    expect_error(r, 404, "unknown_platform");
    http_response_free(&r);
    check_test_passed();
}

static void test_provider_failure_stale_or_502(void **state)
{
    (void)state;
    static const char *const modes[] = {"error500", "timeout", "malformed", NULL};
    for (const char *const *m = modes; *m; m++) {
        assert_int_equal(catsup_replay_mode(s_env, "deezer", *m), 0);
        assert_int_equal(catsup_redis_del(s_env, "track:deezer:3135556"), 0);
        http_response_t *r = s_get("/v1/tracks/deezer:3135556", 200, "stale");
        assert_string_equal(json_string_value(json_object_get(r->json, "title")),
                            "Harder Better Faster Stronger");
        http_response_free(&r);
        /* Recorded, never stored as a track (only its stream was asked): no copy. */
        r = http_get(s_base, "/v1/tracks/deezer:" CATSUP_DEEZER_SIGNED, NULL);
        expect_error(r, 502, "provider_error");
        json_t *details = json_object_get(json_object_get(r->json, "error"), "details");
        assert_string_equal(json_string_value(json_object_get(details, "platform")), "deezer");
        http_response_free(&r);
    }
    assert_int_equal(catsup_replay_mode(s_env, "*", "normal"), 0);
    http_response_t *r = s_get("/v1/tracks/deezer:3135556", 200, "miss");
    http_response_free(&r);
    check_test_passed();
}

static void test_changed_document_revision(void **state)
{
    (void)state;
    http_response_t *r = s_get("/v1/tracks/deezer:3135556", 200, NULL);
    http_response_free(&r);
    char marker[32];
    snprintf(marker, sizeof marker, "%lld", (long long)time(NULL) ^ (long long)getpid());
    const char *p[] = {marker, NULL};
    char *done =
        catsup_sql("UPDATE tracks SET raw = raw || jsonb_build_object('bedrock_test', $1::text)"
                   " WHERE platform = 'deezer' AND native_id = '3135556'",
                   p);
    assert_non_null(done);
    free(done);
    assert_int_equal(catsup_redis_del(s_env, "track:deezer:3135556"), 0);
    r = s_get("/v1/tracks/deezer:3135556", 200, "miss");
    http_response_free(&r);
    assert_int_equal(catsup_sql_int("SELECT count(*) FROM catalog_revisions WHERE entity_type ="
                                    " 'track' AND platform = 'deezer' AND native_id = '3135556'"
                                    " AND raw->>'bedrock_test' = $1::text",
                                    p),
                     1);
    assert_int_equal(catsup_sql_int("SELECT count(*) FROM tracks WHERE platform = 'deezer' AND"
                                    " native_id = '3135556' AND raw ? 'bedrock_test'",
                                    NULL),
                     0);
    check_test_passed();
}

/* Three stored deezer tracks sharing a fresh ISRC: base, +2 s (a link), +30 s (not). */
static void test_links_isrc_and_duration(void **state)
{
    (void)state;
    char isrc[16], ids[3][24];
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    snprintf(isrc, sizeof isrc, "ZZ%010u", seed % 1000000000u);
    static const int durations[3] = {200000, 202000, 230000};
    for (int i = 0; i < 3; i++) {
        char d[16];
        snprintf(ids[i], sizeof ids[i], "9%08u%d", seed % 100000000u, i);
        snprintf(d, sizeof d, "%d", durations[i]);
        const char *p[] = {ids[i], isrc, d, NULL};
        char *ok = catsup_sql("INSERT INTO tracks (platform, native_id, title, isrc, duration_ms,"
                              " raw) VALUES ('deezer', $1, 'Link test', $2, $3::int, '{}')",
                              p);
        assert_non_null(ok);
        free(ok);
    }
    char path[128];
    snprintf(path, sizeof path, "/v1/tracks/deezer:%s/links", ids[0]);
    http_response_t *r = s_get(path, 200, NULL);
    json_t *links = json_object_get(expect_json_object(r), "links");
    assert_string_equal(json_string_value(json_object_get(r->json, "isrc")), isrc);
    expect_that(r, json_array_size(links) == 1, "one link (2 s apart), not the 30 s one");
    char want[64];
    snprintf(want, sizeof want, "deezer:%s", ids[1]);
    assert_string_equal(json_string_value(json_object_get(json_array_get(links, 0), "id")), want);
    http_response_free(&r);

    /* Spotify's Timber: Deezer is asked by ISRC and answers a track 1 s longer. */
    r = s_get("/v1/tracks/spotify:1zHlj4dQ8ZAtrayhuDDmkY/links", 200, NULL);
    links = json_object_get(expect_json_object(r), "links");
    bool found = false;
    for (size_t i = 0; i < json_array_size(links); i++)
        found |= strcmp(json_string_value(json_object_get(json_array_get(links, i), "id")),
                        "deezer:" CATSUP_DEEZER_TIMBER) == 0;
    expect_that(r, found, "links must hold deezer:%s", CATSUP_DEEZER_TIMBER);
    http_response_free(&r);
    check_test_passed();
}

static int s_setup(void **state)
{
    (void)state;
    check_require_services();
    catsup_options_t opt = {.spotify_credentials = true,
                            .provider_workers = CATSUP_PROVIDER_WORKERS};
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
    /* Whatever a failed test left: every provider answers normally again. */
    return catsup_replay_mode(s_env, "*", "normal");
}

static int s_test_teardown(void **state)
{
    (void)state;
    return check_test_end();
}

/* A cluster whose workers have no Spotify credentials. */
static void test_spotify_unconfigured(void **state)
{
    (void)state;
    http_response_t *r = http_get(s_base, "/v1/tracks/spotify:1zHlj4dQ8ZAtrayhuDDmkY", NULL);
    expect_error(r, 404, "unknown_platform");
    http_response_free(&r);
    r = http_get(s_base, "/v1/albums/spotify:10FLjwfpbxLmW8c25Xyc2N", NULL);
    expect_error(r, 404, "unknown_platform");
    http_response_free(&r);
    check_test_passed();
}

static int s_setup_unconfigured(void **state)
{
    (void)state;
    catsup_options_t opt = {.spotify_credentials = false, .provider_workers = 0};
    s_env = catsup_start(&opt);
    if (!s_env)
        return -1;
    s_base = catsup_base(s_env);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_provider_tracks, s_test_setup, s_test_teardown),
        cmocka_unit_test_setup_teardown(test_provider_entities_ttl, s_test_setup, s_test_teardown),
        cmocka_unit_test_setup_teardown(test_one_fill_for_concurrent_misses, s_test_setup,
                                        s_test_teardown),
        cmocka_unit_test_setup_teardown(test_not_found_and_ids, s_test_setup, s_test_teardown),
        cmocka_unit_test_setup_teardown(test_provider_failure_stale_or_502, s_test_setup,
                                        s_test_teardown),
        cmocka_unit_test_setup_teardown(test_changed_document_revision, s_test_setup,
                                        s_test_teardown),
        cmocka_unit_test_setup_teardown(test_links_isrc_and_duration, s_test_setup,
                                        s_test_teardown),
    };
    const struct CMUnitTest unconfigured[] = {
        cmocka_unit_test_setup_teardown(test_spotify_unconfigured, s_test_setup, s_test_teardown),
    };
    int failed = cmocka_run_group_tests_name("catalog_providers", tests, s_setup, s_teardown);
    failed += cmocka_run_group_tests_name("catalog_spotify_unconfigured", unconfigured,
                                          s_setup_unconfigured, s_teardown);
    return failed;
}
