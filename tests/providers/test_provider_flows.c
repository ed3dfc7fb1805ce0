/* The three providers over real HTTP against recorded_server, which answers
 * exactly the recorded requests of the manifests (same path, same query
 * parameters as a set) and 404 to anything else: the providers' own URLs match
 * the recordings. Also the Spotify token flow and health checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "log.h"
#include "provider.h"
#include "provider_http.h"
#include "recorded_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern const provider_t provider_deezer, provider_spotify, provider_itunes;

static int s_setup(void **state)
{
    (void)state;
    rs_start();
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    rs_stop();
    return 0;
}

static void test_recorded_requests(void **state)
{
    (void)state;
    rs_reset();
    rs_clear_hits();
    const char *creds[] = {"BEDROCK_SPOTIFY_CLIENT_ID=bedrock-test",
                           "BEDROCK_SPOTIFY_CLIENT_SECRET=not-a-secret",
                           "BEDROCK_ITUNES_COUNTRY=gb", NULL};
    provider_http_t *http = rs_http(creds, NULL);
    json_t *out;
    provider_err_t err;
#define OK(call)                                                                                   \
    do {                                                                                           \
        out = NULL;                                                                                \
        provider_result_t r_ = (call);                                                             \
        if (r_ != PROVIDER_OK)                                                                     \
            fail_msg("%s -> %d (%s)", #call, r_, err.message);                                     \
        json_decref(out);                                                                          \
    } while (0)
    OK(provider_deezer.get_track(http, "3135556", &out, &err));
    OK(provider_deezer.get_track(http, "1425844092", &out, &err));
    OK(provider_deezer.get_stream(http, "3135556", &out, &err));
    OK(provider_deezer.get_album(http, "302127", &out, &err));
    OK(provider_deezer.get_artist(http, "27", &out, &err));
    provider_search_t q1 = {.query = "Billy Jean", .types = PROVIDER_SEARCH_TRACK, .limit = 2};
    provider_search_t q2 = {.query = "artist:\"Lou Doillon\" track:\"Joke\"",
                            .types = PROVIDER_SEARCH_TRACK,
                            .limit = 25};
    provider_search_t q3 = {.query = "Daft Punk", .types = PROVIDER_SEARCH_ARTIST, .limit = 25};
    OK(provider_deezer.search(http, &q1, &out, &err));
    OK(provider_deezer.search(http, &q2, &out, &err));
    OK(provider_deezer.search(http, &q3, &out, &err));
    assert_int_equal(provider_deezer.get_track(http, "-1", &out, &err), PROVIDER_NOT_FOUND);
    assert_null(out);

    OK(provider_spotify.get_track(http, "1zHlj4dQ8ZAtrayhuDDmkY", &out, &err));
    OK(provider_spotify.get_album(http, "10FLjwfpbxLmW8c25Xyc2N", &out, &err));
    OK(provider_spotify.get_playlist(http, "1h9q8vXXDl2vHOmwdsuXms", &out, &err));
    /* The top-tracks request is not recorded (404): the artist stands without it. */
    OK(provider_spotify.get_artist(http, "0TnOYISbd1XYRBk9myaseg", &out, &err));
    provider_search_t s1 = {.query = "U2", .types = PROVIDER_SEARCH_ARTIST, .limit = 20};
    provider_search_t s2 = {.query = "uptown", .types = PROVIDER_SEARCH_TRACK, .limit = 2};
    provider_search_t s3 = {
        .query = "upc:00602475093060", .types = PROVIDER_SEARCH_ALBUM, .limit = 20};
    OK(provider_spotify.search(http, &s1, &out, &err));
    OK(provider_spotify.search(http, &s2, &out, &err));
    OK(provider_spotify.search(http, &s3, &out, &err));
    assert_int_equal(rs_faults.token_posts, 1); /* one token for all of them */

    OK(provider_itunes.get_album(http, "1441458047", &out, &err)); /* country gb */
    provider_search_t i1 = {.query = "song name", .types = PROVIDER_SEARCH_TRACK, .limit = 3};
    OK(provider_itunes.search(http, &i1, &out, &err));
    provider_http_destroy(&http);
    const char *us[] = {"BEDROCK_ITUNES_COUNTRY=us", NULL};
    http = rs_http(us, NULL);
    OK(provider_itunes.get_album(http, "1728639278", &out, &err));
    provider_http_destroy(&http);
#undef OK
    /* Every recording was asked for, but the several-tracks one (no entry point uses it). */
    char missed[256];
    if (rs_unrequested("/v1/tracks", missed, sizeof missed) < 0)
        fail_msg("recording %s was never requested", missed);
}

static void test_spotify_token(void **state)
{
    (void)state;
    rs_reset();
    json_t *out = NULL;
    provider_err_t err;
    /* Not configured: every entry says so, and nothing is requested. */
    provider_http_t *http = rs_http(NULL, NULL);
    int before = rs_count();
    provider_search_t q = {.query = "uptown", .types = PROVIDER_SEARCH_TRACK, .limit = 2};
    assert_int_equal(provider_spotify.get_track(http, "1zHlj4dQ8ZAtrayhuDDmkY", &out, &err),
                     PROVIDER_UNAVAILABLE);
    assert_string_equal(err.message, "spotify is not configured");
    assert_int_equal(provider_spotify.get_album(http, "x", &out, &err), PROVIDER_UNAVAILABLE);
    assert_int_equal(provider_spotify.get_artist(http, "x", &out, &err), PROVIDER_UNAVAILABLE);
    assert_int_equal(provider_spotify.get_playlist(http, "x", &out, &err), PROVIDER_UNAVAILABLE);
    assert_int_equal(provider_spotify.get_stream(http, "x", &out, &err), PROVIDER_UNAVAILABLE);
    assert_int_equal(provider_spotify.search(http, &q, &out, &err), PROVIDER_UNAVAILABLE);
    assert_int_equal(provider_spotify.health(http, &err), PROVIDER_UNAVAILABLE);
    assert_int_equal(rs_count(), before);
    provider_http_destroy(&http);

    rs_kv_t store = {0};
    provider_kv_t kv = rs_kv(&store);
    const char *creds[] = {"BEDROCK_SPOTIFY_CLIENT_ID=bedrock-test",
                           "BEDROCK_SPOTIFY_CLIENT_SECRET=not-a-secret", NULL};
    http = rs_http(creds, &kv);
    assert_int_equal(provider_spotify.get_track(http, "1zHlj4dQ8ZAtrayhuDDmkY", &out, &err),
                     PROVIDER_OK);
    json_decref(out);
    assert_int_equal(rs_faults.token_posts, 1);
    assert_string_equal(store.token, "REDACTED");
    assert_int_equal(store.token_ttl, 3600 - 60);
    /* A preview URL from 2015; the 2024 album track has none. */
    assert_int_equal(provider_spotify.get_stream(http, "1zHlj4dQ8ZAtrayhuDDmkY", &out, &err),
                     PROVIDER_OK);
    json_decref(out);
    assert_int_equal(rs_faults.token_posts, 1);
    /* A 401: the token is fetched again and the call retried once. */
    rs_faults.spotify_401 = 1;
    assert_int_equal(provider_spotify.search(http, &q, &out, &err), PROVIDER_OK);
    assert_int_equal(json_array_size(json_object_get(out, "tracks")), 2);
    json_decref(out);
    assert_int_equal(rs_faults.token_posts, 2);
    assert_int_equal(store.sets, 2);
    /* Two 401s in a row: Spotify really refuses. */
    rs_faults.spotify_401 = 2;
    assert_int_equal(provider_spotify.get_track(http, "1zHlj4dQ8ZAtrayhuDDmkY", &out, &err),
                     PROVIDER_UPSTREAM);
    assert_int_equal(provider_spotify.get_track(http, "not/an/id", &out, &err), PROVIDER_NOT_FOUND);
    assert_int_equal(provider_spotify.get_track(http, "0000000000000000000000", &out, &err),
                     PROVIDER_NOT_FOUND);
    assert_int_equal(provider_spotify.health(http, &err), PROVIDER_OK);
    provider_http_destroy(&http);

    /* Another process finds the shared token and posts nothing. */
    before = rs_faults.token_posts;
    http = rs_http(creds, &kv);
    assert_int_equal(provider_spotify.get_track(http, "1zHlj4dQ8ZAtrayhuDDmkY", &out, &err),
                     PROVIDER_OK);
    json_decref(out);
    assert_int_equal(rs_faults.token_posts, before);
    provider_http_destroy(&http);

    /* Wrong credentials. */
    const char *bad[] = {"BEDROCK_SPOTIFY_CLIENT_ID=bedrock-test",
                         "BEDROCK_SPOTIFY_CLIENT_SECRET=wrong", NULL};
    http = rs_http(bad, NULL);
    assert_int_equal(provider_spotify.get_track(http, "1zHlj4dQ8ZAtrayhuDDmkY", &out, &err),
                     PROVIDER_UPSTREAM);
    assert_non_null(strstr(err.message, "credentials"));
    assert_null(strstr(err.message, "wrong"));
    provider_http_destroy(&http);
}

static void test_health_and_ids(void **state)
{
    (void)state;
    rs_reset();
    provider_http_t *http = rs_http(NULL, NULL);
    provider_err_t err;
    json_t *out;
    /* The health requests are not recorded: a 404 still shows the provider answers. */
    assert_int_equal(provider_deezer.health(http, &err), PROVIDER_OK);
    assert_int_equal(provider_itunes.health(http, &err), PROVIDER_OK);
    rs_faults.force_status = 502;
    assert_int_equal(provider_deezer.health(http, &err), PROVIDER_UPSTREAM);
    assert_int_equal(provider_itunes.health(http, &err), PROVIDER_UPSTREAM);
    rs_faults.force_status = 0;
    /* Malformed ids never reach the provider. */
    int before = rs_count();
    assert_int_equal(provider_deezer.get_track(http, "../../etc", &out, &err), PROVIDER_NOT_FOUND);
    assert_int_equal(provider_deezer.get_album(http, "", &out, &err), PROVIDER_NOT_FOUND);
    assert_int_equal(provider_itunes.get_track(http, "12a", &out, &err), PROVIDER_NOT_FOUND);
    assert_int_equal(rs_count(), before);
    /* Unknown entities: clean not-found. */
    assert_int_equal(provider_itunes.get_track(http, "1", &out, &err), PROVIDER_NOT_FOUND);
    provider_search_t q = {.query = "nothing recorded", .types = 7, .limit = 5};
    assert_int_equal(provider_deezer.search(http, &q, &out, &err), PROVIDER_OK);
    assert_int_equal(json_array_size(json_object_get(out, "tracks")), 0);
    json_decref(out);
    assert_int_equal(provider_itunes.search(http, &q, &out, &err), PROVIDER_OK);
    json_decref(out);
    fake_request_t req;
    rs_last_request(&req);
    assert_string_equal(req.target,
                        "/itunes/search?term=nothing%20recorded&entity=musicArtist&limit=5");
    assert_null(provider_deezer.get_lyrics);
    assert_null(provider_itunes.get_playlist);
    provider_http_destroy(&http);
}

int main(void)
{
    log_set_level(LOG_LEVEL_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_requests),
        cmocka_unit_test(test_spotify_token),
        cmocka_unit_test(test_health_and_ids),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
