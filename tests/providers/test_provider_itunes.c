/* iTunes: the parsers on the recorded answers and its status conventions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "itunes_parse.h"
#include "recordings.h"

#include <stdlib.h>
#include <string.h>

#define P "itunes"

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
    assert_int_equal(itunes_decode(200, body, len, &doc, &healthy, NULL), PROVIDER_OK);
    assert_true(healthy);
    free(body);
    return doc;
}

static void test_album_gb(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("lookup_album_songs__1441458047_gb.json"), *a;
    assert_int_equal(itunes_parse_album(doc, &a, NULL), PROVIDER_OK);
    assert_string_equal(s_str(a, "platform"), "itunes");
    assert_string_equal(s_str(a, "native_id"), "1441458047");
    assert_string_equal(s_str(a, "title"), "A Night at the Opera (Deluxe Edition)");
    assert_true(json_is_null(json_object_get(a, "upc"))); /* iTunes gives none */
    assert_string_equal(s_str(a, "release_date"), "1975-11-21");
    assert_int_equal(s_int(a, "total_tracks"), 21);
    assert_non_null(strstr(s_str(a, "image_url"), "100x100bb.jpg"));
    assert_string_equal(s_str(json_array_get(json_object_get(a, "artists"), 0), "name"), "Queen");
    assert_string_equal(s_str(json_array_get(json_object_get(a, "artists"), 0), "native_id"),
                        "3296287");
    assert_string_equal(json_string_value(json_array_get(json_object_get(a, "genres"), 0)), "Rock");
    json_t *tracks = json_object_get(a, "tracks");
    assert_int_equal(json_array_size(tracks), 18); /* the 3 music videos are not tracks */
    json_t *first = json_array_get(tracks, 0);
    assert_string_equal(s_str(first, "native_id"), "1441458049");
    assert_string_equal(s_str(first, "title"), "Death On Two Legs (Dedicated To...)");
    assert_int_equal(s_int(first, "duration_ms"), 223094);
    assert_int_equal(s_int(first, "disc_number"), 1);
    assert_int_equal(s_int(first, "track_number"), 1);
    assert_true(json_is_false(json_object_get(first, "explicit")));
    assert_true(json_is_null(json_object_get(first, "isrc")));
    assert_non_null(strstr(s_str(first, "preview_url"), ".m4a"));
    assert_string_equal(s_str(json_object_get(first, "album"), "native_id"), "1441458047");
    json_t *bohemian = json_array_get(tracks, 10);
    assert_string_equal(s_str(bohemian, "title"), "Bohemian Rhapsody");
    assert_int_equal(s_int(bohemian, "duration_ms"), 354320);
    assert_int_equal(s_int(bohemian, "track_number"), 11);
    json_t *last = json_array_get(tracks, 17);
    assert_int_equal(s_int(last, "disc_number"), 2);
    assert_int_equal(s_int(last, "track_number"), 6);
    json_decref(a);
    json_decref(doc);
}

static void test_album_us(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("lookup_album_songs__1728639278_us.json"), *a;
    assert_int_equal(itunes_parse_album(doc, &a, NULL), PROVIDER_OK);
    assert_string_equal(s_str(a, "title"), "Nightmare\xc2\xb7"
                                           "Escape The ERA - EP");
    assert_string_equal(s_str(a, "release_date"), "2018-05-10");
    json_t *tracks = json_object_get(a, "tracks");
    assert_int_equal(json_array_size(tracks), 6);
    assert_string_equal(s_str(json_array_get(tracks, 0), "title"), "INSIDE-OUTSIDE (Intro)");
    assert_int_equal(s_int(json_array_get(tracks, 0), "duration_ms"), 83720);
    assert_string_equal(s_str(json_array_get(tracks, 5), "title"), "YOU AND I (Instrumental)");
    json_decref(a);

    /* The same answer read as a track lookup gives its first song; as a stream, its preview. */
    json_t *t, *s;
    assert_int_equal(itunes_parse_track(doc, &t, NULL), PROVIDER_OK);
    assert_string_equal(s_str(t, "native_id"), "1728639279");
    assert_string_equal(s_str(json_object_get(t, "album"), "title"), "Nightmare\xc2\xb7"
                                                                     "Escape The ERA - EP");
    assert_string_equal(json_string_value(json_array_get(json_object_get(t, "genres"), 0)),
                        "K-Pop");
    json_decref(t);
    assert_int_equal(itunes_parse_stream(doc, &s, NULL), PROVIDER_OK);
    assert_non_null(strstr(s_str(s, "url"), "mzaf_6378099378252459597.plus.aac.p.m4a"));
    assert_true(json_is_null(json_object_get(s, "expires_at"))); /* previews do not expire */
    assert_string_equal(s_str(s, "format"), "aac");
    assert_true(json_is_true(json_object_get(s, "preview")));
    json_decref(s);
    json_decref(doc);
}

static void test_search(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("search_song__song-name.json"), *s;
    assert_int_equal(itunes_parse_search(doc, NULL, NULL, 0, &s, NULL), PROVIDER_OK);
    json_t *ts = json_object_get(s, "tracks");
    assert_int_equal(json_array_size(ts), 3);
    json_t *t0 = json_array_get(ts, 0);
    assert_string_equal(s_str(t0, "native_id"), "1238013707");
    assert_string_equal(s_str(t0, "title"), "Song Name");
    assert_string_equal(s_str(json_array_get(json_object_get(t0, "artists"), 0), "name"),
                        "Name It Now!");
    assert_true(json_is_true(json_object_get(t0, "explicit")));
    assert_int_equal(s_int(t0, "duration_ms"), 156035);
    assert_string_equal(s_str(json_object_get(t0, "album"), "title"), "Album Name");
    assert_string_equal(s_str(json_array_get(ts, 2), "native_id"), "1462685907");
    assert_int_equal(json_array_size(json_object_get(s, "albums")), 0);
    json_decref(s);
    /* An offset drops the first results (iTunes has no offset parameter). */
    assert_int_equal(itunes_parse_search(doc, NULL, NULL, 2, &s, NULL), PROVIDER_OK);
    assert_int_equal(json_array_size(json_object_get(s, "tracks")), 1);
    assert_string_equal(s_str(json_array_get(json_object_get(s, "tracks"), 0), "native_id"),
                        "1462685907");
    json_decref(s);
    json_decref(doc);
}

static void test_search_albums_artists_synthetic(void **state)
{
    (void)state;
    json_t *albums = json_loads(
        "{\"resultCount\":1,\"results\":[{\"wrapperType\":\"collection\",\"collectionType\":"
        "\"Album\",\"artistId\":3296287,\"collectionId\":1441458047,\"artistName\":\"Queen\","
        "\"collectionName\":\"A Night at the Opera\",\"trackCount\":21,\"releaseDate\":"
        "\"1975-11-21T08:00:00Z\",\"primaryGenreName\":\"Rock\"}]}",
        0, NULL);
    json_t *artists = json_loads(
        "{\"resultCount\":1,\"results\":[{\"wrapperType\":\"artist\",\"artistType\":\"Artist\","
        "\"artistName\":\"Queen\",\"artistId\":3296287,\"primaryGenreName\":\"Rock\"}]}",
        0, NULL);
    json_t *s;
    assert_int_equal(itunes_parse_search(NULL, albums, artists, 0, &s, NULL), PROVIDER_OK);
    json_t *a = json_array_get(json_object_get(s, "albums"), 0);
    assert_string_equal(s_str(a, "native_id"), "1441458047");
    assert_null(json_object_get(a, "tracks"));
    json_t *ar = json_array_get(json_object_get(s, "artists"), 0);
    assert_string_equal(s_str(ar, "name"), "Queen");
    assert_string_equal(s_str(ar, "native_id"), "3296287");
    json_decref(s);
    /* The artist lookup: artist wrapper first, then its songs. */
    json_t *out;
    assert_int_equal(itunes_parse_artist(artists, &out, NULL), PROVIDER_OK);
    assert_string_equal(s_str(out, "name"), "Queen");
    json_decref(out);
    json_decref(albums);
    json_decref(artists);
}

static void test_errors(void **state)
{
    (void)state;
    json_t *empty = json_loads("{\"resultCount\":0,\"results\":[]}", 0, NULL), *out;
    provider_err_t err;
    assert_int_equal(itunes_parse_track(empty, &out, &err), PROVIDER_NOT_FOUND);
    assert_null(out);
    assert_int_equal(itunes_parse_album(empty, &out, &err), PROVIDER_NOT_FOUND);
    assert_int_equal(itunes_parse_artist(empty, &out, &err), PROVIDER_NOT_FOUND);
    assert_int_equal(itunes_parse_stream(empty, &out, &err), PROVIDER_NOT_FOUND);
    json_decref(empty);

    bool healthy;
    static const char bad_id[] = "{\"errorMessage\":\"Invalid value(s) for key(s): [id]\"}";
    assert_int_equal(itunes_decode(400, bad_id, strlen(bad_id), &out, &healthy, &err),
                     PROVIDER_NOT_FOUND);
    assert_true(healthy);
    assert_int_equal(itunes_decode(403, "", 0, &out, &healthy, &err), PROVIDER_UPSTREAM);
    assert_false(healthy);
    assert_int_equal(itunes_decode(502, "", 0, &out, &healthy, &err), PROVIDER_UPSTREAM);
    assert_int_equal(itunes_decode(200, "{\"results\":", 11, &out, &healthy, &err),
                     PROVIDER_UPSTREAM);
    assert_false(healthy);
    assert_int_equal(itunes_decode(200, "{\"x\":1}", 7, &out, &healthy, &err), PROVIDER_UPSTREAM);
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_album_gb), cmocka_unit_test(test_album_us),
        cmocka_unit_test(test_search),   cmocka_unit_test(test_search_albums_artists_synthetic),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
