/* Deezer: the parsers on the recorded answers, its error conventions, signed
 * preview expiry and the search request shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "deezer_parse.h"
#include "recordings.h"

#include <stdlib.h>
#include <string.h>

#define P "deezer"

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

/* Decodes a recorded body as deezer.c would. */
static json_t *s_decode_file(const char *file)
{
    size_t len;
    char *body = rec_read(P, file, &len);
    json_t *doc = NULL;
    bool healthy = false;
    provider_err_t err;
    assert_int_equal(deezer_decode(200, body, len, &doc, &healthy, &err), PROVIDER_OK);
    assert_true(healthy);
    free(body);
    return doc;
}

static void test_track(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("track__3135556.json"), *t;
    provider_err_t err;
    assert_int_equal(deezer_parse_track(doc, &t, &err), PROVIDER_OK);
    assert_string_equal(s_str(t, "platform"), "deezer");
    assert_string_equal(s_str(t, "native_id"), "3135556");
    assert_string_equal(s_str(t, "title"), "Harder Better Faster Stronger");
    assert_string_equal(s_str(t, "isrc"), "GBDUW0000059");
    assert_int_equal(s_int(t, "duration_ms"), 224000);
    assert_true(json_is_false(json_object_get(t, "explicit")));
    assert_int_equal(s_int(t, "disc_number"), 1);
    assert_int_equal(s_int(t, "track_number"), 4);
    assert_string_equal(s_str(t, "preview_url"), "https://cdns-preview-d.dzcdn.net/stream/"
                                                 "c-deda7fa9316d9e9e880d2c6207e92260-5.mp3");
    json_t *artists = json_object_get(t, "artists");
    assert_int_equal(json_array_size(artists), 1);
    assert_string_equal(s_str(json_array_get(artists, 0), "native_id"), "27");
    assert_string_equal(s_str(json_array_get(artists, 0), "name"), "Daft Punk");
    json_t *album = json_object_get(t, "album");
    assert_string_equal(s_str(album, "native_id"), "302127");
    assert_string_equal(s_str(album, "title"), "Discovery");
    assert_string_equal(s_str(album, "release_date"), "2001-03-07");
    assert_non_null(strstr(s_str(album, "image_url"), "1000x1000"));
    assert_true(json_is_null(json_object_get(album, "upc")));
    assert_true(json_is_array(json_object_get(t, "genres")));
    assert_int_equal(s_int(json_object_get(t, "raw"), "id"), 3135556);
    json_decref(t);
    json_decref(doc);
}

static void test_track_contributors(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("track__1425844092.json"), *t;
    assert_int_equal(deezer_parse_track(doc, &t, NULL), PROVIDER_OK);
    assert_string_equal(s_str(t, "title"), "STAY");
    assert_string_equal(s_str(t, "isrc"), "USSM12103949");
    assert_int_equal(s_int(t, "duration_ms"), 141000);
    assert_true(json_is_true(json_object_get(t, "explicit")));
    json_t *artists = json_object_get(t, "artists");
    assert_int_equal(json_array_size(artists), 2);
    assert_string_equal(s_str(json_array_get(artists, 0), "name"), "The Kid Laroi");
    assert_string_equal(s_str(json_array_get(artists, 0), "native_id"), "51204222");
    assert_string_equal(s_str(json_array_get(artists, 1), "name"), "Justin Bieber");
    assert_string_equal(s_str(json_object_get(t, "album"), "native_id"), "242430582");
    json_decref(t);
    json_decref(doc);
}

static void test_album(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("album__302127.json"), *a;
    assert_int_equal(deezer_parse_album(doc, &a, NULL), PROVIDER_OK);
    assert_string_equal(s_str(a, "native_id"), "302127");
    assert_string_equal(s_str(a, "title"), "Discovery");
    assert_string_equal(s_str(a, "upc"), "00724384960650"); /* recorded 724384960650 */
    assert_string_equal(s_str(a, "release_date"), "2001-03-07");
    assert_int_equal(s_int(a, "total_tracks"), 14);
    assert_string_equal(s_str(a, "label"), "Parlophone France");
    assert_string_equal(json_string_value(json_array_get(json_object_get(a, "genres"), 0)),
                        "Dance");
    assert_string_equal(s_str(json_array_get(json_object_get(a, "artists"), 0), "name"),
                        "Daft Punk");
    json_t *tracks = json_object_get(a, "tracks");
    assert_int_equal(json_array_size(tracks), 14);
    json_t *first = json_array_get(tracks, 0), *last = json_array_get(tracks, 13);
    assert_string_equal(s_str(first, "native_id"), "3135553");
    assert_string_equal(s_str(first, "title"), "One More Time");
    assert_int_equal(s_int(first, "duration_ms"), 320000);
    assert_string_equal(s_str(json_object_get(first, "album"), "upc"), "00724384960650");
    assert_string_equal(s_str(json_object_get(first, "album"), "native_id"), "302127");
    assert_string_equal(s_str(json_array_get(json_object_get(first, "artists"), 0), "name"),
                        "Daft Punk");
    assert_string_equal(s_str(json_object_get(first, "raw"), "title"), "One More Time");
    assert_string_equal(s_str(last, "title"), "Too Long");
    json_decref(a);
    json_decref(doc);
}

static void test_artist(void **state)
{
    (void)state;
    json_t *artist = s_decode_file("artist__27.json"), *top = s_decode_file("artist_top__27.json");
    json_t *a;
    assert_int_equal(deezer_parse_artist(artist, top, &a, NULL), PROVIDER_OK);
    assert_string_equal(s_str(a, "native_id"), "27");
    assert_string_equal(s_str(a, "name"), "Daft Punk");
    assert_non_null(strstr(s_str(a, "image_url"), "f2bc007e9133c946ac3c3907ddc5d2ea/1000x1000"));
    json_t *tops = json_object_get(a, "top_tracks");
    assert_int_equal(json_array_size(tops), 5);
    json_t *first = json_array_get(tops, 0);
    assert_string_equal(s_str(first, "title"), "Instant Crush");
    assert_int_equal(s_int(first, "duration_ms"), 337000);
    assert_int_equal(json_array_size(json_object_get(first, "artists")), 2);
    assert_string_equal(s_str(json_array_get(json_object_get(first, "artists"), 1), "name"),
                        "Julian Casablancas");
    assert_string_equal(s_str(json_object_get(first, "album"), "title"), "Random Access Memories");
    assert_string_equal(s_str(json_array_get(tops, 4), "title"), "Get Lucky");
    json_decref(a);
    /* Without the top list the artist stands alone. */
    assert_int_equal(deezer_parse_artist(artist, NULL, &a, NULL), PROVIDER_OK);
    assert_int_equal(json_array_size(json_object_get(a, "top_tracks")), 0);
    json_decref(a);
    json_decref(artist);
    json_decref(top);
}

static void test_search(void **state)
{
    (void)state;
    json_t *tracks = s_decode_file("search__billy-jean-limit2.json");
    json_t *advanced = s_decode_file("search_track__lou-doillon-joke.json");
    json_t *artists = s_decode_file("search_artist__daft-punk.json");
    json_t *s;
    assert_int_equal(deezer_parse_search(tracks, NULL, artists, &s, NULL), PROVIDER_OK);
    json_t *ts = json_object_get(s, "tracks"), *as = json_object_get(s, "artists");
    assert_int_equal(json_array_size(ts), 2);
    assert_string_equal(s_str(json_array_get(ts, 0), "title"), "Billie Jean");
    assert_string_equal(s_str(json_array_get(ts, 0), "native_id"), "4603408");
    assert_int_equal(s_int(json_array_get(ts, 0), "duration_ms"), 293000);
    assert_string_equal(
        s_str(json_array_get(json_object_get(json_array_get(ts, 0), "artists"), 0), "name"),
        "Michael Jackson");
    assert_string_equal(s_str(json_array_get(ts, 1), "native_id"), "1516986202");
    assert_int_equal(json_array_size(json_object_get(s, "albums")), 0);
    assert_int_equal(json_array_size(as), 5);
    assert_string_equal(s_str(json_array_get(as, 0), "name"), "Daft Punk");
    assert_string_equal(s_str(json_array_get(as, 0), "native_id"), "27");
    /* A picture URL with an empty image hash is no picture. */
    assert_true(json_is_null(json_object_get(json_array_get(as, 1), "image_url")));
    assert_non_null(json_object_get(json_array_get(as, 0), "raw"));
    json_decref(s);

    assert_int_equal(deezer_parse_search(advanced, NULL, NULL, &s, NULL), PROVIDER_OK);
    ts = json_object_get(s, "tracks");
    assert_int_equal(json_array_size(ts), 1);
    assert_string_equal(s_str(json_array_get(ts, 0), "title"), "The joke");
    assert_string_equal(s_str(json_object_get(json_array_get(ts, 0), "album"), "title"),
                        "Soliloquy");
    json_decref(s);
    json_decref(tracks);
    json_decref(advanced);
    json_decref(artists);
}

static void test_search_albums_synthetic(void **state)
{
    (void)state;
    /* /search/album is not recorded: its documented item shape. */
    json_t *albums = json_loads(
        "{\"data\":[{\"id\":302127,\"title\":\"Discovery\",\"cover_xl\":\"https://e-cdns-images."
        "dzcdn.net/images/cover/2e01/1000x1000.jpg\",\"nb_tracks\":14,\"record_type\":\"album\","
        "\"artist\":{\"id\":27,\"name\":\"Daft Punk\"},\"type\":\"album\"}],\"total\":1}",
        0, NULL);
    json_t *s;
    assert_int_equal(deezer_parse_search(NULL, albums, NULL, &s, NULL), PROVIDER_OK);
    json_t *a = json_array_get(json_object_get(s, "albums"), 0);
    assert_string_equal(s_str(a, "native_id"), "302127");
    assert_int_equal(s_int(a, "total_tracks"), 14);
    assert_null(json_object_get(a, "tracks")); /* listed without tracks */
    json_decref(s);
    json_decref(albums);
}

static void test_errors(void **state)
{
    (void)state;
    size_t len;
    char *body = rec_read(P, "track__-1_error.json", &len);
    json_t *doc = (json_t *)1;
    bool healthy = false;
    provider_err_t err;
    assert_int_equal(deezer_decode(200, body, len, &doc, &healthy, &err), PROVIDER_NOT_FOUND);
    assert_null(doc);
    assert_true(healthy);
    assert_non_null(strstr(err.message, "no data"));
    free(body);

    static const char quota[] =
        "{\"error\":{\"type\":\"Exception\",\"message\":\"Quota limit exceeded\",\"code\":4}}";
    assert_int_equal(deezer_decode(200, quota, strlen(quota), &doc, &healthy, &err),
                     PROVIDER_UPSTREAM);
    assert_false(healthy);
    assert_non_null(strstr(err.message, "quota"));
    static const char busy[] =
        "{\"error\":{\"type\":\"Exception\",\"message\":\"busy\",\"code\":700}}";
    assert_int_equal(deezer_decode(200, busy, strlen(busy), &doc, &healthy, &err),
                     PROVIDER_UPSTREAM);
    assert_false(healthy);
    static const char query[] =
        "{\"error\":{\"type\":\"ParameterException\",\"message\":\"bad q\",\"code\":600}}";
    assert_int_equal(deezer_decode(200, query, strlen(query), &doc, &healthy, &err),
                     PROVIDER_UPSTREAM);
    assert_true(healthy); /* our query, not Deezer's health */

    static const char *const malformed[] = {"{\"id\":3135556,", "[]", "", "null", "<html>"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        assert_int_equal(
            deezer_decode(200, malformed[i], strlen(malformed[i]), &doc, &healthy, &err),
            PROVIDER_UPSTREAM);
        assert_false(healthy);
        assert_null(doc);
    }
    assert_int_equal(deezer_decode(200, NULL, 0, &doc, &healthy, &err), PROVIDER_UPSTREAM);
    assert_int_equal(deezer_decode(500, "{}", 2, &doc, &healthy, &err), PROVIDER_UPSTREAM);
    assert_false(healthy);
    assert_int_equal(deezer_decode(429, "{}", 2, &doc, &healthy, &err), PROVIDER_UPSTREAM);
    assert_int_equal(deezer_decode(404, "nope", 4, &doc, &healthy, &err), PROVIDER_NOT_FOUND);
    assert_true(healthy);

    /* A document without an id is no track. */
    json_t *empty = json_object(), *out = (json_t *)1;
    assert_int_equal(deezer_parse_track(empty, &out, NULL), PROVIDER_UPSTREAM);
    assert_null(out);
    assert_int_equal(deezer_parse_album(empty, &out, NULL), PROVIDER_UPSTREAM);
    assert_int_equal(deezer_parse_artist(empty, NULL, &out, NULL), PROVIDER_UPSTREAM);
    json_decref(empty);
}

static void test_stream(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("track__3135556.json"), *s;
    assert_int_equal(deezer_parse_stream(doc, &s, NULL), PROVIDER_OK);
    assert_string_equal(s_str(s, "url"), s_str(doc, "preview"));
    assert_true(json_is_null(json_object_get(s, "expires_at"))); /* 2019 URL: unsigned */
    assert_string_equal(s_str(s, "format"), "mp3");
    assert_true(json_is_true(json_object_get(s, "preview")));
    json_decref(s);
    json_decref(doc);

    /* Today's previews are signed (hdnea=exp=...): the expiry bounds the cache. */
    doc = json_pack("{s:i, s:s}", "id", 3135556, "preview",
                    "https://cdnt-preview.dzcdn.net/api/1/1/d/e/d/0/deda7fa9316d.mp3?hdnea=exp="
                    "1733261622~acl=/api/1/1/d/e/d/0/deda7fa9316d.mp3*~data=user_id=0,"
                    "application_id=42~hmac=4c8e1f0a");
    assert_int_equal(deezer_parse_stream(doc, &s, NULL), PROVIDER_OK);
    assert_int_equal(s_int(s, "expires_at"), 1733261622);
    json_decref(s);
    json_decref(doc);

    doc = json_pack("{s:i, s:s}", "id", 1, "preview", "");
    provider_err_t err;
    assert_int_equal(deezer_parse_stream(doc, &s, &err), PROVIDER_NOT_FOUND);
    assert_null(s);
    json_decref(doc);
}

static void test_preview_expiry(void **state)
{
    (void)state;
    assert_int_equal(deezer_preview_expiry("https://x/a.mp3?hdnea=exp=1733261622~acl=/a*~hmac=1"),
                     1733261622);
    assert_int_equal(deezer_preview_expiry("https://x/a.mp3?exp=1700000000&sig=ab"), 1700000000);
    assert_int_equal(deezer_preview_expiry("https://x/a.mp3?hdnea=exp%3D1700000001%7Eacl"),
                     1700000001);
    assert_int_equal(deezer_preview_expiry("https://x/a.mp3?token=1&exp=1700000002"), 1700000002);
    assert_int_equal(deezer_preview_expiry("https://x/a.mp3?myexp=1700000000"), 0);
    assert_int_equal(deezer_preview_expiry("https://x/exp=1700000000.mp3"), 0);
    assert_int_equal(deezer_preview_expiry("https://x/a.mp3?exp=soon"), 0);
    assert_int_equal(deezer_preview_expiry("https://x/a.mp3"), 0);
    assert_int_equal(deezer_preview_expiry(NULL), 0);
}

static void test_playlist_synthetic(void **state)
{
    (void)state;
    json_t *doc = json_loads(
        "{\"id\":908622995,\"title\":\"Electro\",\"description\":\"d\",\"picture_xl\":"
        "\"https://e-cdns-images.dzcdn.net/images/playlist/ab12/1000x1000.jpg\",\"creator\":"
        "{\"id\":5,\"name\":\"Deezer Editor\"},\"tracks\":{\"data\":[{\"id\":3135556,\"title\":"
        "\"Harder Better Faster Stronger\",\"duration\":224,\"artist\":{\"id\":27,\"name\":"
        "\"Daft Punk\"},\"album\":{\"id\":302127,\"title\":\"Discovery\"}}]}}",
        0, NULL);
    json_t *p;
    assert_int_equal(deezer_parse_playlist(doc, &p, NULL), PROVIDER_OK);
    assert_string_equal(s_str(p, "name"), "Electro");
    assert_string_equal(s_str(p, "owner_name"), "Deezer Editor");
    assert_int_equal(json_array_size(json_object_get(p, "tracks")), 1);
    assert_string_equal(s_str(json_array_get(json_object_get(p, "tracks"), 0), "native_id"),
                        "3135556");
    json_decref(p);
    json_decref(doc);
}

static void test_search_paths(void **state)
{
    (void)state;
    char path[256];
    /* The recorded shapes. */
    assert_int_equal(deezer_search_path(PROVIDER_SEARCH_TRACK, "Billy Jean", "Billy%20Jean", 2, 0,
                                        path, sizeof path),
                     0);
    assert_string_equal(path, "/search?limit=2&q=Billy%20Jean");
    assert_int_equal(deezer_search_path(PROVIDER_SEARCH_ARTIST, "Daft Punk", "Daft%20Punk", 25, 0,
                                        path, sizeof path),
                     0);
    assert_string_equal(path, "/search/artist?q=Daft%20Punk");
    assert_int_equal(deezer_search_path(PROVIDER_SEARCH_TRACK,
                                        "artist:\"Lou Doillon\" track:\"Joke\"",
                                        "artist%3A%22Lou%20Doillon%22%20track%3A%22Joke%22", 25, 0,
                                        path, sizeof path),
                     0);
    assert_string_equal(path,
                        "/search/track?index=0&limit=25&q=artist%3A%22Lou%20Doillon%22%20track%3A%"
                        "22Joke%22");
    /* Others. */
    assert_int_equal(deezer_search_path(PROVIDER_SEARCH_ALBUM, "x", "x", 25, 0, path, sizeof path),
                     0);
    assert_string_equal(path, "/search/album?q=x");
    assert_int_equal(deezer_search_path(PROVIDER_SEARCH_TRACK, "x", "x", 5, 10, path, sizeof path),
                     0);
    assert_string_equal(path, "/search?index=10&limit=5&q=x");
    assert_int_equal(deezer_search_path(3, "x", "x", 5, 0, path, sizeof path), -1);
    assert_int_equal(deezer_search_path(PROVIDER_SEARCH_TRACK, "x", "x", 5, 0, path, 8), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_track),          cmocka_unit_test(test_track_contributors),
        cmocka_unit_test(test_album),          cmocka_unit_test(test_artist),
        cmocka_unit_test(test_search),         cmocka_unit_test(test_search_albums_synthetic),
        cmocka_unit_test(test_errors),         cmocka_unit_test(test_stream),
        cmocka_unit_test(test_preview_expiry), cmocka_unit_test(test_playlist_synthetic),
        cmocka_unit_test(test_search_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
