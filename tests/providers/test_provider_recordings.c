/* Every recorded answer of Deezer, Spotify and iTunes, taken from the manifests
 * (so that another set of recordings with the same endpoints — the held-back
 * acceptance set, via BEDROCK_PROVIDERS_DATA_DIR — runs through the same code):
 * the parser chosen by the recorded request path must produce a well-formed
 * catalog document (provider.h), with no special case for any id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "deezer_parse.h"
#include "itunes_parse.h"
#include "recordings.h"
#include "spotify_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shape checks ---- */

static void s_string_or_null(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v || !(json_is_string(v) || json_is_null(v)))
        fail_msg("%s must be present, a string or null", key);
}

static void s_nonempty_string(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s || !*s)
        fail_msg("%s must be a non-empty string", key);
}

static void s_int_or_null(const json_t *obj, const char *key, bool positive)
{
    json_t *v = json_object_get(obj, key);
    if (!v || !(json_is_integer(v) || json_is_null(v)))
        fail_msg("%s must be present, an integer or null", key);
    if (positive && json_is_integer(v) && json_integer_value(v) <= 0)
        fail_msg("%s must be positive", key);
}

static void s_code(const json_t *obj, const char *key, size_t len, bool digits)
{
    s_string_or_null(obj, key);
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        return;
    if (strlen(s) != len)
        fail_msg("%s '%s' must be %zu characters", key, s, len);
    for (const char *p = s; *p; p++) {
        if (digits ? !isdigit((unsigned char)*p)
                   : !(isdigit((unsigned char)*p) || isupper((unsigned char)*p)))
            fail_msg("%s '%s' has a bad character", key, s);
    }
}

static void s_string_list(const json_t *obj, const char *key)
{
    json_t *list = json_object_get(obj, key);
    if (!json_is_array(list))
        fail_msg("%s must be a list", key);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (!json_is_string(v))
            fail_msg("%s[%zu] must be a string", key, i);
    }
}

static void s_artist_refs(const json_t *obj)
{
    json_t *list = json_object_get(obj, "artists");
    if (!json_is_array(list))
        fail_msg("artists must be a list");
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        s_nonempty_string(a, "native_id");
        s_nonempty_string(a, "name");
    }
}

static void s_album_ref(const json_t *ref)
{
    if (json_is_null(ref))
        return;
    if (!json_is_object(ref))
        fail_msg("album must be an object or null");
    s_nonempty_string(ref, "native_id");
    s_string_or_null(ref, "title");
    s_code(ref, "upc", 14, true);
    s_string_or_null(ref, "release_date");
    s_string_or_null(ref, "image_url");
}

static void s_check_track(const json_t *t, const char *platform)
{
    assert_true(json_is_object(t));
    assert_string_equal(json_string_value(json_object_get(t, "platform")), platform);
    s_nonempty_string(t, "native_id");
    s_nonempty_string(t, "title");
    s_code(t, "isrc", 12, false);
    s_int_or_null(t, "duration_ms", true);
    json_t *e = json_object_get(t, "explicit");
    assert_true(e && (json_is_boolean(e) || json_is_null(e)));
    s_int_or_null(t, "disc_number", true);
    s_int_or_null(t, "track_number", true);
    s_string_or_null(t, "preview_url");
    s_artist_refs(t);
    s_album_ref(json_object_get(t, "album"));
    s_string_list(t, "genres");
    assert_true(json_is_object(json_object_get(t, "raw")));
}

static void s_check_album(const json_t *a, const char *platform, bool with_tracks)
{
    assert_true(json_is_object(a));
    assert_string_equal(json_string_value(json_object_get(a, "platform")), platform);
    s_nonempty_string(a, "native_id");
    s_nonempty_string(a, "title");
    s_code(a, "upc", 14, true);
    s_string_or_null(a, "release_date");
    s_int_or_null(a, "total_tracks", false);
    s_string_or_null(a, "label");
    s_string_or_null(a, "image_url");
    s_artist_refs(a);
    s_string_list(a, "genres");
    assert_true(json_is_object(json_object_get(a, "raw")));
    json_t *tracks = json_object_get(a, "tracks");
    if (!with_tracks) {
        assert_null(tracks);
        return;
    }
    assert_true(json_is_array(tracks));
    size_t i;
    json_t *t;
    json_array_foreach(tracks, i, t) s_check_track(t, platform);
}

static void s_check_artist(const json_t *a, const char *platform)
{
    assert_string_equal(json_string_value(json_object_get(a, "platform")), platform);
    s_nonempty_string(a, "native_id");
    s_nonempty_string(a, "name");
    s_string_or_null(a, "image_url");
    s_string_list(a, "genres");
    assert_true(json_is_array(json_object_get(a, "albums")));
    assert_true(json_is_object(json_object_get(a, "raw")));
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(a, "top_tracks"), i, t) s_check_track(t, platform);
}

static void s_check_playlist(const json_t *p, const char *platform)
{
    assert_string_equal(json_string_value(json_object_get(p, "platform")), platform);
    s_nonempty_string(p, "native_id");
    s_nonempty_string(p, "name");
    s_string_or_null(p, "description");
    s_string_or_null(p, "owner_name");
    s_string_or_null(p, "image_url");
    assert_true(json_is_array(json_object_get(p, "tracks")));
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(p, "tracks"), i, t) s_check_track(t, platform);
}

/* A search document: three lists (a recorded search may have found nothing). */
static void s_check_search(const json_t *s, const char *platform)
{
    size_t i, total = 0;
    json_t *v;
    json_array_foreach(json_object_get(s, "tracks"), i, v) s_check_track(v, platform);
    json_array_foreach(json_object_get(s, "albums"), i, v) s_check_album(v, platform, false);
    json_array_foreach(json_object_get(s, "artists"), i, v) s_check_artist(v, platform);
    assert_null(json_object_get(s, "raw"));
    total = json_array_size(json_object_get(s, "tracks")) +
            json_array_size(json_object_get(s, "albums")) +
            json_array_size(json_object_get(s, "artists"));
    assert_true(json_is_array(json_object_get(s, "tracks")) &&
                json_is_array(json_object_get(s, "albums")) &&
                json_is_array(json_object_get(s, "artists")));
    fprintf(stderr, "    %zu results\n", total);
}

static void s_check_stream(const json_t *s, bool may_expire)
{
    s_nonempty_string(s, "url");
    json_t *exp = json_object_get(s, "expires_at");
    assert_true(json_is_null(exp) || (may_expire && json_is_integer(exp)));
    s_nonempty_string(s, "format");
    assert_true(json_is_true(json_object_get(s, "preview")));
}

/* ---- per provider ---- */

typedef provider_result_t (*s_decode_fn)(long, const char *, size_t, json_t **, bool *,
                                         provider_err_t *);

static bool s_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool s_ends(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void s_deezer(const char *path, const json_t *doc)
{
    json_t *out = NULL;
    if (s_starts(path, "/track/")) {
        assert_int_equal(deezer_parse_track(doc, &out, NULL), PROVIDER_OK);
        s_check_track(out, "deezer");
        json_decref(out);
        provider_result_t r = deezer_parse_stream(doc, &out, NULL);
        assert_true(r == PROVIDER_OK || r == PROVIDER_NOT_FOUND);
        if (out)
            s_check_stream(out, true);
    } else if (s_starts(path, "/album/")) {
        assert_int_equal(deezer_parse_album(doc, &out, NULL), PROVIDER_OK);
        s_check_album(out, "deezer", true);
    } else if (s_starts(path, "/artist/") && s_ends(path, "/top")) {
        assert_int_equal(deezer_parse_search(doc, NULL, NULL, &out, NULL), PROVIDER_OK);
        s_check_search(out, "deezer");
    } else if (s_starts(path, "/artist/")) {
        assert_int_equal(deezer_parse_artist(doc, NULL, &out, NULL), PROVIDER_OK);
        s_check_artist(out, "deezer");
    } else if (s_starts(path, "/playlist/")) {
        assert_int_equal(deezer_parse_playlist(doc, &out, NULL), PROVIDER_OK);
        s_check_playlist(out, "deezer");
    } else if (strcmp(path, "/search/album") == 0) {
        assert_int_equal(deezer_parse_search(NULL, doc, NULL, &out, NULL), PROVIDER_OK);
        s_check_search(out, "deezer");
    } else if (strcmp(path, "/search/artist") == 0) {
        assert_int_equal(deezer_parse_search(NULL, NULL, doc, &out, NULL), PROVIDER_OK);
        s_check_search(out, "deezer");
    } else if (strcmp(path, "/search") == 0 || strcmp(path, "/search/track") == 0) {
        assert_int_equal(deezer_parse_search(doc, NULL, NULL, &out, NULL), PROVIDER_OK);
        s_check_search(out, "deezer");
    } else {
        fail_msg("no deezer parser for %s", path);
    }
    json_decref(out);
}

static void s_spotify(const char *path, const json_t *doc)
{
    json_t *out = NULL;
    if (strcmp(path, "/api/token") == 0) {
        char *token = NULL;
        long expires_in = 0;
        assert_int_equal(spotify_parse_token(doc, &token, &expires_in, NULL), PROVIDER_OK);
        assert_true(expires_in > 0);
        free(token);
    } else if (s_starts(path, "/v1/tracks/")) {
        assert_int_equal(spotify_parse_track(doc, &out, NULL), PROVIDER_OK);
        s_check_track(out, "spotify");
        json_decref(out);
        provider_result_t r = spotify_parse_stream(doc, &out, NULL);
        assert_true(r == PROVIDER_OK || r == PROVIDER_NOT_FOUND);
        if (out)
            s_check_stream(out, false);
    } else if (strcmp(path, "/v1/tracks") == 0 ||
               (s_starts(path, "/v1/artists/") && s_ends(path, "/top-tracks"))) {
        assert_int_equal(spotify_parse_several_tracks(doc, &out, NULL), PROVIDER_OK);
        assert_true(json_array_size(out) > 0);
        size_t i;
        json_t *t;
        json_array_foreach(out, i, t) s_check_track(t, "spotify");
    } else if (s_starts(path, "/v1/albums/")) {
        assert_int_equal(spotify_parse_album(doc, &out, NULL), PROVIDER_OK);
        s_check_album(out, "spotify", true);
    } else if (s_starts(path, "/v1/artists/")) {
        assert_int_equal(spotify_parse_artist(doc, NULL, &out, NULL), PROVIDER_OK);
        s_check_artist(out, "spotify");
    } else if (s_starts(path, "/v1/playlists/")) {
        assert_int_equal(spotify_parse_playlist(doc, &out, NULL), PROVIDER_OK);
        s_check_playlist(out, "spotify");
    } else if (strcmp(path, "/v1/search") == 0) {
        assert_int_equal(spotify_parse_search(doc, &out, NULL), PROVIDER_OK);
        s_check_search(out, "spotify");
    } else {
        fail_msg("no spotify parser for %s", path);
    }
    json_decref(out);
}

static void s_itunes(const char *path, const json_t *doc)
{
    json_t *out = NULL;
    if (strcmp(path, "/search") == 0) {
        assert_int_equal(itunes_parse_search(doc, doc, doc, 0, &out, NULL), PROVIDER_OK);
        s_check_search(out, "itunes");
    } else if (strcmp(path, "/lookup") == 0) {
        /* What was looked up is told by the first result's wrapper. */
        const char *wrapper = json_string_value(
            json_object_get(json_array_get(json_object_get(doc, "results"), 0), "wrapperType"));
        assert_non_null(wrapper);
        if (strcmp(wrapper, "collection") == 0) {
            assert_int_equal(itunes_parse_album(doc, &out, NULL), PROVIDER_OK);
            s_check_album(out, "itunes", true);
        } else if (strcmp(wrapper, "artist") == 0) {
            assert_int_equal(itunes_parse_artist(doc, &out, NULL), PROVIDER_OK);
            s_check_artist(out, "itunes");
        } else {
            assert_int_equal(itunes_parse_track(doc, &out, NULL), PROVIDER_OK);
            s_check_track(out, "itunes");
            json_decref(out);
            assert_int_equal(itunes_parse_stream(doc, &out, NULL), PROVIDER_OK);
            s_check_stream(out, false);
        }
    } else {
        fail_msg("no itunes parser for %s", path);
    }
    json_decref(out);
}

static void s_walk(const char *provider, s_decode_fn decode,
                   void (*check)(const char *path, const json_t *doc))
{
    json_t *entries = rec_manifest(provider);
    size_t i, n_ok = 0, n_err = 0;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        const char *file = json_string_value(json_object_get(e, "file"));
        const char *path =
            json_string_value(json_object_get(json_object_get(e, "request"), "path"));
        json_t *status_v = json_object_get(json_object_get(e, "response"), "status");
        long status = json_is_integer(status_v) ? (long)json_integer_value(status_v) : 200;
        assert_non_null(file);
        assert_non_null(path);
        fprintf(stderr, "  %s/%s (%s, HTTP %ld)\n", provider, file, path, status);
        size_t len;
        char *body = rec_read(provider, file, &len);
        json_t *doc = NULL;
        bool healthy = false;
        provider_err_t err;
        provider_result_t r = decode(status, body, len, &doc, &healthy, &err);
        free(body);
        if (r == PROVIDER_OK) {
            check(path, doc);
            n_ok++;
        } else {
            /* A recorded error answer: a clean not-found, Deezer's "no data" style. */
            assert_int_equal(r, PROVIDER_NOT_FOUND);
            assert_true(healthy);
            n_err++;
        }
        json_decref(doc);
    }
    fprintf(stderr, "  %s: %zu documents, %zu error answers\n", provider, n_ok, n_err);
    assert_true(n_ok > 0);
    json_decref(entries);
}

static void test_deezer(void **state)
{
    (void)state;
    s_walk("deezer", deezer_decode, s_deezer);
}

static void test_spotify(void **state)
{
    (void)state;
    s_walk("spotify", spotify_decode, s_spotify);
}

static void test_itunes(void **state)
{
    (void)state;
    s_walk("itunes", itunes_decode, s_itunes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deezer),
        cmocka_unit_test(test_spotify),
        cmocka_unit_test(test_itunes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
