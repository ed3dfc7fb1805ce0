/* Spotify: the parsers on the recorded answers, the token answer, Basic auth,
 * status conventions and the search request shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "recordings.h"
#include "spotify_parse.h"

#include <stdlib.h>
#include <string.h>

#define P "spotify"

static const char *s_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        fail_msg("%s is not a string", key);
    return s;
}

static json_int_t s_int(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", key);
    return json_integer_value(v);
}

static json_t *s_decode_file(const char *file)
{
    size_t len;
    char *body = rec_read(P, file, &len);
    json_t *doc = NULL;
    bool healthy = false;
    assert_int_equal(spotify_decode(200, body, len, &doc, &healthy, NULL), PROVIDER_OK);
    assert_true(healthy);
    free(body);
    return doc;
}

static void test_track(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("track__1zHlj4dQ8ZAtrayhuDDmkY.json"), *t;
    assert_int_equal(spotify_parse_track(doc, &t, NULL), PROVIDER_OK);
    assert_string_equal(s_str(t, "platform"), "spotify");
    assert_string_equal(s_str(t, "native_id"), "1zHlj4dQ8ZAtrayhuDDmkY");
    assert_string_equal(s_str(t, "title"), "Timber");
    assert_string_equal(s_str(t, "isrc"), "USRC11301695");
    assert_int_equal(s_int(t, "duration_ms"), 204053);
    assert_true(json_is_false(json_object_get(t, "explicit")));
    assert_int_equal(s_int(t, "disc_number"), 1);
    assert_int_equal(s_int(t, "track_number"), 1);
    assert_string_equal(s_str(t, "preview_url"),
                        "https://p.scdn.co/mp3-preview/18d0a45538122fbe33f22604d0e5608789c10ae4");
    json_t *artists = json_object_get(t, "artists");
    assert_int_equal(json_array_size(artists), 2);
    assert_string_equal(s_str(json_array_get(artists, 0), "name"), "Pitbull");
    assert_string_equal(s_str(json_array_get(artists, 0), "native_id"), "0TnOYISbd1XYRBk9myaseg");
    assert_string_equal(s_str(json_array_get(artists, 1), "name"), "Ke$ha");
    json_t *album = json_object_get(t, "album");
    assert_string_equal(s_str(album, "native_id"), "3X33e7UII5loqrEgauOKEC");
    assert_string_equal(s_str(album, "title"), "Timber");
    assert_string_equal(s_str(album, "image_url"),
                        "https://i.scdn.co/image/c171113a197828a6ee8017d1ede2e78c9a7df654");
    assert_string_equal(s_str(json_object_get(t, "raw"), "uri"),
                        "spotify:track:1zHlj4dQ8ZAtrayhuDDmkY");
    json_decref(t);
    json_decref(doc);
}

static void test_album(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("album__10FLjwfpbxLmW8c25Xyc2N.json"), *a;
    assert_int_equal(spotify_parse_album(doc, &a, NULL), PROVIDER_OK);
    assert_string_equal(s_str(a, "native_id"), "10FLjwfpbxLmW8c25Xyc2N");
    assert_string_equal(s_str(a, "title"), "Die With A Smile");
    assert_string_equal(s_str(a, "upc"), "00602475093060");
    assert_string_equal(s_str(a, "release_date"), "2024-08-16");
    assert_int_equal(s_int(a, "total_tracks"), 1);
    assert_string_equal(s_str(a, "label"), "Interscope");
    assert_string_equal(s_str(a, "image_url"),
                        "https://i.scdn.co/image/ab67616d0000b27382ea2e9e1858aa012c57cd45");
    assert_int_equal(json_array_size(json_object_get(a, "artists")), 2);
    assert_string_equal(s_str(json_array_get(json_object_get(a, "artists"), 1), "name"),
                        "Bruno Mars");
    assert_int_equal(json_array_size(json_object_get(a, "genres")), 0);
    json_t *tracks = json_object_get(a, "tracks");
    assert_int_equal(json_array_size(tracks), 1);
    json_t *t = json_array_get(tracks, 0);
    assert_string_equal(s_str(t, "native_id"), "2plbrEY59IikOBgBGLjaoe");
    assert_int_equal(s_int(t, "duration_ms"), 251667);
    assert_true(json_is_null(json_object_get(t, "preview_url"))); /* 2024: no previews */
    assert_true(json_is_null(json_object_get(t, "isrc")));        /* simplified track */
    assert_string_equal(s_str(json_object_get(t, "album"), "upc"), "00602475093060");
    json_decref(a);
    json_decref(doc);
}

static void test_artist(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("artist__0TnOYISbd1XYRBk9myaseg.json"), *a;
    assert_int_equal(spotify_parse_artist(doc, NULL, &a, NULL), PROVIDER_OK);
    assert_string_equal(s_str(a, "native_id"), "0TnOYISbd1XYRBk9myaseg");
    assert_string_equal(s_str(a, "name"), "Pitbull");
    assert_string_equal(s_str(a, "image_url"),
                        "https://i.scdn.co/image/b648bc1dbd4e85a4f176543e84537994500a9803");
    assert_int_equal(json_array_size(json_object_get(a, "top_tracks")), 0);
    json_decref(a);
    /* The top-tracks answer's shape ({"tracks":[full track]}): the several-tracks recording. */
    json_t *top = s_decode_file("tracks_ids__0eGsygTp906u18L0Oimnem_1lDWb6b6ieDQ2xT7ewTC3G.json");
    assert_int_equal(spotify_parse_artist(doc, top, &a, NULL), PROVIDER_OK);
    assert_int_equal(json_array_size(json_object_get(a, "top_tracks")), 2);
    json_decref(a);
    json_decref(top);
    json_decref(doc);
}

static void test_several_tracks(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("tracks_ids__0eGsygTp906u18L0Oimnem_1lDWb6b6ieDQ2xT7ewTC3G.json");
    json_t *list;
    assert_int_equal(spotify_parse_several_tracks(doc, &list, NULL), PROVIDER_OK);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(s_str(json_array_get(list, 0), "title"), "Mr. Brightside");
    assert_string_equal(s_str(json_array_get(list, 0), "isrc"), "USIR20400274");
    assert_int_equal(s_int(json_array_get(list, 0), "duration_ms"), 222075);
    assert_string_equal(s_str(json_array_get(list, 1), "title"), "Somebody Told Me");
    assert_string_equal(s_str(json_object_get(json_array_get(list, 1), "album"), "title"),
                        "Hot Fuss");
    json_decref(list);
    json_decref(doc);
}

static void test_playlist(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("playlist__1h9q8vXXDl2vHOmwdsuXms.json"), *p;
    assert_int_equal(spotify_parse_playlist(doc, &p, NULL), PROVIDER_OK);
    assert_string_equal(s_str(p, "native_id"), "1h9q8vXXDl2vHOmwdsuXms");
    assert_string_equal(s_str(p, "name"), "Rap RU");
    assert_string_equal(s_str(p, "description"), "Bit of a overlap with phonk but whatever");
    assert_string_equal(s_str(p, "owner_name"), "Antoine Egea");
    assert_non_null(strstr(s_str(p, "image_url"), "https://mosaic.scdn.co/640/"));
    json_t *tracks = json_object_get(p, "tracks");
    assert_int_equal(json_array_size(tracks), 4);
    json_t *t0 = json_array_get(tracks, 0), *t1 = json_array_get(tracks, 1);
    assert_string_equal(s_str(t0, "title"), "BURZUM");
    assert_string_equal(s_str(t0, "isrc"), "QZMZ92001031");
    assert_int_equal(s_int(t0, "duration_ms"), 146585);
    assert_true(json_is_true(json_object_get(t0, "explicit")));
    assert_string_equal(s_str(t1, "title"), "Аригато");
    assert_string_equal(s_str(json_object_get(t1, "album"), "title"), "Antisocial");
    json_t *t3 = json_array_get(tracks, 3);
    assert_int_equal(json_array_size(json_object_get(t3, "artists")), 2);
    assert_string_equal(s_str(json_array_get(json_object_get(t3, "artists"), 1), "name"), "OFFMi");
    json_decref(p);
    json_decref(doc);
}

static void test_search(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("search_track__uptown.json"), *s;
    assert_int_equal(spotify_parse_search(doc, &s, NULL), PROVIDER_OK);
    json_t *ts = json_object_get(s, "tracks");
    assert_int_equal(json_array_size(ts), 2);
    assert_string_equal(s_str(json_array_get(ts, 0), "title"), "Uptown Funk");
    assert_string_equal(s_str(json_array_get(ts, 0), "isrc"), "GBARL1401524");
    assert_string_equal(s_str(json_array_get(ts, 1), "title"), "Uptown Girl");
    assert_int_equal(s_int(json_array_get(ts, 1), "disc_number"), 2);
    assert_int_equal(json_array_size(json_object_get(s, "albums")), 0);
    json_decref(s);
    json_decref(doc);

    doc = s_decode_file("search_artist__u2.json");
    assert_int_equal(spotify_parse_search(doc, &s, NULL), PROVIDER_OK);
    json_t *as = json_object_get(s, "artists");
    assert_int_equal(json_array_size(as), 20);
    assert_string_equal(s_str(json_array_get(as, 0), "name"), "U2");
    assert_string_equal(s_str(json_array_get(as, 0), "native_id"), "51Blml2LZPmy7TTiAg47vQ");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(json_array_get(as, 0), "genres"), 0)),
        "irish rock");
    json_decref(s);
    json_decref(doc);

    doc = s_decode_file("search_album__upc-00602475093060.json");
    assert_int_equal(spotify_parse_search(doc, &s, NULL), PROVIDER_OK);
    json_t *al = json_object_get(s, "albums");
    assert_int_equal(json_array_size(al), 1);
    assert_string_equal(s_str(json_array_get(al, 0), "native_id"), "10FLjwfpbxLmW8c25Xyc2N");
    assert_string_equal(s_str(json_array_get(al, 0), "title"), "Die With A Smile");
    assert_null(json_object_get(json_array_get(al, 0), "tracks"));
    json_decref(s);
    json_decref(doc);
}

static void test_token(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("token__client_credentials.json");
    char *token = NULL;
    long expires_in = 0;
    assert_int_equal(spotify_parse_token(doc, &token, &expires_in, NULL), PROVIDER_OK);
    assert_string_equal(token, "REDACTED");
    assert_int_equal(expires_in, 3600);
    free(token);
    json_decref(doc);
    doc = json_pack("{s:s}", "token_type", "Bearer");
    assert_int_equal(spotify_parse_token(doc, &token, &expires_in, NULL), PROVIDER_UPSTREAM);
    assert_null(token);
    json_decref(doc);

    /* RFC 7617's example credentials. */
    char *auth = spotify_basic_auth("Aladdin", "open sesame");
    assert_string_equal(auth, "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    free(auth);
}

static void test_stream_and_statuses(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("track__1zHlj4dQ8ZAtrayhuDDmkY.json"), *s;
    assert_int_equal(spotify_parse_stream(doc, &s, NULL), PROVIDER_OK);
    assert_string_equal(s_str(s, "url"),
                        "https://p.scdn.co/mp3-preview/18d0a45538122fbe33f22604d0e5608789c10ae4");
    assert_true(json_is_null(json_object_get(s, "expires_at")));
    assert_true(json_is_true(json_object_get(s, "preview")));
    json_decref(s);
    json_decref(doc);
    /* 2024+: preview_url null -> no preview. */
    json_t *album = s_decode_file("album__10FLjwfpbxLmW8c25Xyc2N.json");
    json_t *track = json_array_get(json_object_get(json_object_get(album, "tracks"), "items"), 0);
    provider_err_t err;
    assert_int_equal(spotify_parse_stream(track, &s, &err), PROVIDER_NOT_FOUND);
    assert_non_null(strstr(err.message, "no preview"));
    json_decref(album);

    bool healthy;
    json_t *out;
    assert_int_equal(spotify_decode(404, "{}", 2, &out, &healthy, NULL), PROVIDER_NOT_FOUND);
    assert_true(healthy);
    assert_int_equal(spotify_decode(400, "{}", 2, &out, &healthy, NULL), PROVIDER_NOT_FOUND);
    assert_int_equal(spotify_decode(429, "{}", 2, &out, &healthy, NULL), PROVIDER_UPSTREAM);
    assert_false(healthy);
    assert_int_equal(spotify_decode(503, "{}", 2, &out, &healthy, NULL), PROVIDER_UPSTREAM);
    assert_false(healthy);
    assert_int_equal(spotify_decode(200, "{\"id\":", 6, &out, &healthy, NULL), PROVIDER_UPSTREAM);
    assert_false(healthy);
    assert_null(out);
}

static void test_search_paths(void **state)
{
    (void)state;
    char path[256];
    assert_int_equal(
        spotify_search_path("U2", "U2", PROVIDER_SEARCH_ARTIST, 20, 0, path, sizeof path), 0);
    assert_string_equal(path, "/v1/search?q=U2&type=artist&offset=0&limit=20");
    assert_int_equal(
        spotify_search_path("uptown", "uptown", PROVIDER_SEARCH_TRACK, 2, 0, path, sizeof path), 0);
    assert_string_equal(path, "/v1/search?q=uptown&type=track&offset=0&limit=2");
    assert_int_equal(spotify_search_path("upc:00602475093060", "upc%3A00602475093060",
                                         PROVIDER_SEARCH_ALBUM, 20, 0, path, sizeof path),
                     0);
    assert_string_equal(path, "/v1/search?type=album&q=upc%3A00602475093060");
    assert_int_equal(spotify_search_path("x", "x", 7, 5, 10, path, sizeof path), 0);
    assert_string_equal(path, "/v1/search?q=x&type=track,album,artist&offset=10&limit=5");
    assert_int_equal(spotify_search_path("x", "x", 0, 5, 0, path, sizeof path), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_track),        cmocka_unit_test(test_album),
        cmocka_unit_test(test_artist),       cmocka_unit_test(test_several_tracks),
        cmocka_unit_test(test_playlist),     cmocka_unit_test(test_search),
        cmocka_unit_test(test_token),        cmocka_unit_test(test_stream_and_statuses),
        cmocka_unit_test(test_search_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
