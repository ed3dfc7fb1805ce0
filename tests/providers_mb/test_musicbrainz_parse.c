/* MusicBrainz: the parsers on every recorded answer (concrete values from the shared
 * recordings, and the shape of every recording of a manifest, so that the held-back
 * set runs through the same code), error conventions, ids, Lucene queries and the
 * search request shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka.h needs the three above first. */
#include <cmocka.h>

#include "mbt.h"
#include "musicbrainz_parse.h"
#include "shape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P "musicbrainz"

/* Decodes a recorded body as musicbrainz.c would; the answer must be a found one. */
static json_t *s_decode_file(const char *file)
{
    size_t len;
    char *body = mbt_read(mbt_shared_dir(), P, file, &len);
    json_t *doc = NULL;
    bool healthy = false;
    provider_err_t err;
    assert_int_equal(musicbrainz_decode(200, body, len, &doc, &healthy, &err), PROVIDER_OK);
    assert_true(healthy);
    free(body);
    return doc;
}

static void s_assert_strings(const json_t *list, const char *const *want, size_t n)
{
    assert_int_equal(json_array_size(list), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(json_string_value(json_array_get(list, i)), want[i]);
}

static void s_assert_artist(const json_t *doc, size_t i, const char *id, const char *name)
{
    json_t *a = json_array_get(json_object_get(doc, "artists"), i);
    assert_non_null(a);
    assert_string_equal(shape_str(a, "native_id"), id);
    assert_string_equal(shape_str(a, "name"), name);
}

static void test_recording_lookup(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("recording_lookup__cb2cc207-thinking-out-loud.json"), *t;
    provider_err_t err;
    assert_int_equal(musicbrainz_parse_recording(doc, &t, &err), PROVIDER_OK);
    shape_track(t, P);
    assert_string_equal(shape_str(t, "native_id"), "cb2cc207-8125-445c-9ef9-6ea44eee959a");
    assert_string_equal(shape_str(t, "title"), "Thinking Out Loud");
    assert_string_equal(shape_str(t, "isrc"), "GBAHS1400099");
    assert_int_equal(shape_int(t, "duration_ms"), 281000);
    assert_true(json_is_false(json_object_get(t, "explicit")));
    assert_int_equal(json_array_size(json_object_get(t, "artists")), 1);
    s_assert_artist(t, 0, "b8a7c51f-362c-4dcb-a259-bc6e0095f0a6", "Ed Sheeran");
    shape_null(t, "album"); /* the lookup's inc set lists no releases */
    shape_null(t, "disc_number");
    shape_null(t, "track_number");
    /* tags by votes: pop (3) before blue-eyed soul (1) */
    static const char *const genres[] = {"pop", "blue-eyed soul"};
    s_assert_strings(json_object_get(t, "genres"), genres, 2);
    assert_true(json_equal(json_object_get(t, "raw"), doc));
    json_decref(t);
    json_decref(doc);
}

static void test_recording_search(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("recording_search__isrc-GBAHT1600302.json"), *s;
    assert_int_equal(musicbrainz_parse_search(doc, NULL, NULL, 20, &s, NULL), PROVIDER_OK);
    shape_search(s, P, true);
    json_t *tracks = json_object_get(s, "tracks");
    assert_int_equal(json_array_size(tracks), 1);
    assert_int_equal(json_array_size(json_object_get(s, "albums")), 0);
    json_t *t = json_array_get(tracks, 0);
    assert_string_equal(shape_str(t, "native_id"), "026fa041-3917-4c73-9079-ed16e36f20f8");
    assert_string_equal(shape_str(t, "title"), "Blow Your Mind (Mwah)");
    assert_string_equal(shape_str(t, "isrc"), "GBAHT1600302");
    assert_int_equal(shape_int(t, "duration_ms"), 178583);
    assert_true(json_is_true(json_object_get(t, "explicit"))); /* disambiguation "explicit" */
    s_assert_artist(t, 0, "6f1a58bf-9b1b-49cf-a44a-6cefad7ae04f", "Dua Lipa");
    json_t *album = json_object_get(t, "album");
    assert_string_equal(shape_str(album, "native_id"), "1529430a-5e3c-4145-acfe-33f6ea4b09f9");
    assert_string_equal(shape_str(album, "title"), "Dua Lipa");
    assert_string_equal(shape_str(album, "release_date"), "2017");
    shape_null(album, "upc");
    assert_int_equal(shape_int(t, "disc_number"), 1);
    assert_int_equal(shape_int(t, "track_number"), 6);
    static const char *const genres[] = {"pop", "electropop", "dance-pop", "contemporary r&b"};
    s_assert_strings(json_object_get(t, "genres"), genres, 4);
    json_decref(s);
    json_decref(doc);
}

static void test_release_kat_moda(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("release_lookup__e47d04a4-kat-moda.json"), *a;
    assert_int_equal(musicbrainz_parse_release(doc, &a, NULL), PROVIDER_OK);
    shape_album(a, P, true);
    assert_string_equal(shape_str(a, "native_id"), "e47d04a4-7460-427d-a731-cc82386d85f1");
    assert_string_equal(shape_str(a, "title"), "Kat Moda");
    shape_null(a, "upc"); /* barcode null */
    assert_string_equal(shape_str(a, "release_date"), "2001");
    assert_string_equal(shape_str(a, "label"), "Purpose Maker");
    assert_int_equal(shape_int(a, "total_tracks"), 3);
    assert_string_equal(
        shape_str(a, "image_url"),
        "https://coverartarchive.org/release/e47d04a4-7460-427d-a731-cc82386d85f1/front");
    s_assert_artist(a, 0, "470a4ced-1323-4c91-8fd5-0bb3fb4c932a", "Jeff Mills");
    /* the release lists no genres: the release group's */
    static const char *const genres[] = {"electronic", "techno"};
    s_assert_strings(json_object_get(a, "genres"), genres, 2);
    json_t *tracks = json_object_get(a, "tracks");
    assert_int_equal(json_array_size(tracks), 3);
    static const struct {
        const char *id, *title;
        long long ms;
    } want[] = {{"93b7876b-c37d-4d42-8b8e-083250e6a8a3", "Alarms", 317933},
                {"a8ea2c29-1c4b-456d-a977-19497a11f0a8", "The Bells", 292880},
                {"a5327233-aa63-4b25-9ac4-a18cf35704a8", "The Bells (Festival mix)", 606866}};
    for (size_t i = 0; i < 3; i++) {
        json_t *t = json_array_get(tracks, i);
        assert_string_equal(shape_str(t, "native_id"), want[i].id); /* the recording */
        assert_string_equal(shape_str(t, "title"), want[i].title);
        assert_int_equal(shape_int(t, "duration_ms"), want[i].ms); /* this release's length */
        assert_int_equal(shape_int(t, "disc_number"), 1);
        assert_int_equal(shape_int(t, "track_number"), (long long)i + 1);
        shape_null(t, "isrc");
        s_assert_artist(t, 0, "470a4ced-1323-4c91-8fd5-0bb3fb4c932a", "Jeff Mills");
        assert_true(json_is_object(json_object_get(t, "raw")));
    }
    json_decref(a);
    json_decref(doc);
}

static void test_release_wipeout(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("release_lookup__70130d47-wipeout.json"), *a;
    assert_int_equal(musicbrainz_parse_release(doc, &a, NULL), PROVIDER_OK);
    shape_album(a, P, true);
    assert_string_equal(shape_str(a, "title"), "wipEout");
    assert_string_equal(shape_str(a, "upc"), "00711719610427"); /* barcode 711719610427 */
    assert_string_equal(shape_str(a, "release_date"), "1995-09-11");
    assert_string_equal(shape_str(a, "label"), "Sony Computer Entertainment Europe");
    assert_int_equal(shape_int(a, "total_tracks"), 12);
    s_assert_artist(a, 0, "afb6453b-7b86-4f12-a234-f4bb3e78f52c", "CoLD SToRAGE");
    static const char *const genres[] = {"breaks", "techno"};
    s_assert_strings(json_object_get(a, "genres"), genres, 2);
    json_t *tracks = json_object_get(a, "tracks");
    assert_int_equal(json_array_size(tracks), 12);
    json_t *t3 = json_array_get(tracks, 2), *t11 = json_array_get(tracks, 10);
    assert_string_equal(shape_str(t3, "title"), "Cardinal Dancer");
    assert_string_equal(shape_str(t3, "isrc"), "DEG932303016");
    assert_string_equal(shape_str(t11, "isrc"), "GBAAA9500062");
    assert_int_equal(shape_int(t11, "track_number"), 11);
    shape_null(json_array_get(tracks, 1), "isrc"); /* isrcs [] */
    json_t *last = json_array_get(tracks, 11);
    assert_string_equal(shape_str(last, "native_id"), "bf47bcc1-38c0-421f-a89f-b5ece7842b11");
    assert_string_equal(shape_str(last, "title"), "Wipe\xe2\x80\x90Out"); /* as printed */
    assert_int_equal(shape_int(last, "duration_ms"), 375000);
    json_decref(a);
    json_decref(doc);
}

static void test_release_url_rels(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("release_lookup_url_rels__7d0cf748-venice.json"), *a;
    assert_int_equal(musicbrainz_parse_release(doc, &a, NULL), PROVIDER_OK);
    shape_album(a, P, true);
    assert_string_equal(shape_str(a, "title"), "Venice");
    assert_string_equal(shape_str(a, "upc"), "00194491105341");
    assert_string_equal(shape_str(a, "release_date"), "2019-08-15");
    shape_null(a, "label");
    shape_null(a, "total_tracks");
    assert_int_equal(json_array_size(json_object_get(a, "tracks")), 0);
    assert_int_equal(json_array_size(json_object_get(a, "artists")), 0);
    json_decref(a);
    json_decref(doc);
}

static void test_release_search(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("release_search__kat-moda.json"), *s;
    assert_int_equal(musicbrainz_parse_search(NULL, doc, NULL, 1, &s, NULL), PROVIDER_OK);
    shape_search(s, P, true);
    json_t *albums = json_object_get(s, "albums");
    assert_int_equal(json_array_size(albums), 1);
    json_t *a = json_array_get(albums, 0);
    assert_string_equal(shape_str(a, "native_id"), "e47d04a4-7460-427d-a731-cc82386d85f1");
    assert_string_equal(shape_str(a, "title"), "Kat Moda");
    assert_string_equal(shape_str(a, "label"), "Purpose Maker");
    assert_int_equal(shape_int(a, "total_tracks"), 3);
    shape_null(a, "upc");
    shape_null(a, "release_date"); /* date "" */
    s_assert_artist(a, 0, "470a4ced-1323-4c91-8fd5-0bb3fb4c932a", "Jeff Mills");
    json_decref(s);
    json_decref(doc);
}

static void test_artist_lookup(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("artist_lookup__8b2cccef-tombs.json"), *a;
    assert_int_equal(musicbrainz_parse_artist(doc, &a, NULL), PROVIDER_OK);
    shape_artist(a, P);
    assert_string_equal(shape_str(a, "native_id"), "8b2cccef-ad8b-4029-911e-14157e4cd5ae");
    assert_string_equal(shape_str(a, "name"), "Tombs");
    shape_null(a, "image_url");
    assert_int_equal(json_array_size(json_object_get(a, "genres")), 0);
    assert_int_equal(json_array_size(json_object_get(a, "top_tracks")), 0);
    json_t *albums = json_object_get(a, "albums");
    assert_int_equal(json_array_size(albums), 12);
    json_t *first = json_array_get(albums, 0);
    /* a release GROUP mbid: listed for display */
    assert_string_equal(shape_str(first, "native_id"), "6864f2f5-8609-3abc-857c-c143da8e1723");
    assert_string_equal(shape_str(first, "title"), "Winterhours");
    assert_string_equal(shape_str(first, "release_date"), "2009-04-17");
    s_assert_artist(first, 0, "8b2cccef-ad8b-4029-911e-14157e4cd5ae", "Tombs");
    assert_string_equal(shape_str(json_array_get(albums, 8), "release_date"), "2012-09");
    json_decref(a);
    json_decref(doc);
}

static void test_artist_search(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("artist_search__manowar.json"), *s;
    assert_int_equal(musicbrainz_parse_search(NULL, NULL, doc, 25, &s, NULL), PROVIDER_OK);
    shape_search(s, P, true);
    json_t *artists = json_object_get(s, "artists");
    assert_int_equal(json_array_size(artists), 6);
    json_t *m = json_array_get(artists, 0);
    assert_string_equal(shape_str(m, "native_id"), "00eeed6b-5897-4359-8347-b8cd28375331");
    assert_string_equal(shape_str(m, "name"), "Manowar");
    json_t *genres = json_object_get(m, "genres");
    assert_int_equal(json_array_size(genres), MUSICBRAINZ_GENRES_MAX);
    assert_string_equal(json_string_value(json_array_get(genres, 0)), "heavy metal"); /* 7 */
    assert_string_equal(json_string_value(json_array_get(genres, 1)), "honor");
    assert_string_equal(shape_str(json_array_get(artists, 1), "name"), "Womanowar");
    json_decref(s);
    /* limit cuts each list */
    assert_int_equal(musicbrainz_parse_search(NULL, NULL, doc, 2, &s, NULL), PROVIDER_OK);
    assert_int_equal(json_array_size(json_object_get(s, "artists")), 2);
    json_decref(s);
    json_decref(doc);
}

static void test_not_found_and_errors(void **state)
{
    (void)state;
    size_t len;
    char *body = mbt_read(mbt_shared_dir(), P, "url_lookup__not-found-404.json", &len);
    json_t *doc = (json_t *)1;
    bool healthy = false;
    provider_err_t err;
    assert_int_equal(musicbrainz_decode(404, body, len, &doc, &healthy, &err), PROVIDER_NOT_FOUND);
    assert_null(doc);
    assert_true(healthy);
    free(body);

    static const struct {
        long status;
        const char *body;
        provider_result_t want;
        bool healthy;
        const char *message_has;
    } cases[] = {
        {200, "{\"id\": \"x\", \"title\": ", PROVIDER_UPSTREAM, false, "malformed"},
        {200, "[1, 2]", PROVIDER_UPSTREAM, false, "malformed"},
        {200, "", PROVIDER_UPSTREAM, false, "malformed"},
        {503, "{\"error\":\"Your requests are exceeding the allowable rate limit\"}",
         PROVIDER_UPSTREAM, false, "503"},
        {403, "", PROVIDER_UPSTREAM, false, "User-Agent"},
        {500, "{}", PROVIDER_UPSTREAM, false, "500"},
        {400, "{\"error\":\"Invalid mbid.\"}", PROVIDER_NOT_FOUND, true, "400"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        doc = (json_t *)1;
        healthy = !cases[i].healthy;
        assert_int_equal(musicbrainz_decode(cases[i].status, cases[i].body, strlen(cases[i].body),
                                            &doc, &healthy, &err),
                         cases[i].want);
        assert_null(doc);
        assert_int_equal(healthy, cases[i].healthy);
        if (!strstr(err.message, cases[i].message_has))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.message, cases[i].message_has);
    }
    /* NULL body; NULL err */
    assert_int_equal(musicbrainz_decode(200, NULL, 0, &doc, &healthy, NULL), PROVIDER_UPSTREAM);
}

/* Documents without the fields every entity needs are provider errors, not crashes. */
static void test_incomplete_documents(void **state)
{
    (void)state;
    json_t *empty = json_object(), *out = (json_t *)1;
    assert_int_equal(musicbrainz_parse_recording(empty, &out, NULL), PROVIDER_UPSTREAM);
    assert_null(out);
    assert_int_equal(musicbrainz_parse_release(empty, &out, NULL), PROVIDER_UPSTREAM);
    assert_int_equal(musicbrainz_parse_artist(empty, &out, NULL), PROVIDER_UPSTREAM);
    assert_int_equal(musicbrainz_parse_search(empty, empty, empty, 5, &out, NULL), PROVIDER_OK);
    shape_search(out, P, false);
    json_decref(out);
    json_decref(empty);
}

/* Shapes the recordings do not show: vinyl side numbers, "explicit" variants, zero-vote
 * tags, a credit without an artist id, track-less media, lower-case ISRCs. */
static void test_synthetic_shapes(void **state)
{
    (void)state;
    json_t *rel = json_loads(
        "{\"id\":\"11111111-2222-3333-4444-555555555555\",\"title\":\"Side\",\"barcode\":\"\","
        "\"date\":\"1979-10\",\"label-info\":[{\"label\":null},{\"label\":{\"name\":\"L\"}}],"
        "\"genres\":[{\"name\":\"g0\",\"count\":0},{\"name\":\"g1\",\"count\":-2}],"
        "\"tags\":[{\"name\":\"t\",\"count\":2}],\"artist-credit\":[{\"name\":\"Anon\"}],"
        "\"media\":[{\"position\":2,\"tracks\":[{\"number\":\"A1\",\"title\":\"x\","
        "\"recording\":{\"id\":\"r1\",\"title\":\"X\",\"length\":1000,\"disambiguation\":"
        "\"Explicit version\",\"isrcs\":[\"bad\",\"usrc17607839\"],\"artist-credit\":[{\"name\":"
        "\"N\",\"artist\":{\"id\":\"a1\",\"name\":\"Ann\"}}]}},{\"position\":2,\"title\":\"no "
        "rec\"}]},"
        "{\"position\":3}]}",
        0, NULL);
    assert_non_null(rel);
    json_t *a;
    assert_int_equal(musicbrainz_parse_release(rel, &a, NULL), PROVIDER_OK);
    shape_album(a, P, true);
    shape_null(a, "upc");
    assert_string_equal(shape_str(a, "release_date"), "1979-10");
    assert_string_equal(shape_str(a, "label"), "L");
    static const char *const genres[] = {"t"};
    s_assert_strings(json_object_get(a, "genres"), genres, 1);
    assert_int_equal(json_array_size(json_object_get(a, "artists")), 0);
    shape_null(a, "image_url");
    json_t *tracks = json_object_get(a, "tracks");
    assert_int_equal(json_array_size(tracks), 1); /* the entry without recording is left out */
    json_t *t = json_array_get(tracks, 0);
    assert_string_equal(shape_str(t, "title"), "x");
    shape_null(t, "track_number");
    assert_int_equal(shape_int(t, "disc_number"), 2);
    assert_string_equal(shape_str(t, "isrc"), "USRC17607839");
    assert_true(json_is_true(json_object_get(t, "explicit")));
    s_assert_artist(t, 0, "a1", "Ann"); /* the recording's credit */
    json_decref(a);
    json_decref(rel);
}

/* explicit comes from the disambiguation only. */
static void test_explicit(void **state)
{
    (void)state;
    static const struct {
        const char *disambiguation;
        bool want;
    } cases[] = {
        {"explicit", true},      {"Explicit version", true},   {"clean", false},
        {"non-explicit", false}, {"explicit / edited", false}, {"", false},
        {"live, 1999", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *rec = json_pack("{s:s, s:s, s:s}", "id", "r", "title", "t", "disambiguation",
                                cases[i].disambiguation),
               *t;
        assert_int_equal(musicbrainz_parse_recording(rec, &t, NULL), PROVIDER_OK);
        if (json_is_true(json_object_get(t, "explicit")) != cases[i].want)
            fail_msg("'%s' explicit should be %d", cases[i].disambiguation, cases[i].want);
        json_decref(t);
        json_decref(rec);
    }
}

static void test_mbid(void **state)
{
    (void)state;
    char out[37];
    assert_int_equal(musicbrainz_mbid("CB2CC207-8125-445C-9EF9-6EA44EEE959A", out), 0);
    assert_string_equal(out, "cb2cc207-8125-445c-9ef9-6ea44eee959a");
    static const char *const bad[] = {
        NULL,
        "",
        "cb2cc207",
        "cb2cc207-8125-445c-9ef9-6ea44eee959", /* 35 */
        "cb2cc207-8125-445c-9ef9-6ea44eee959a0",
        "cb2cc207x8125-445c-9ef9-6ea44eee959a",
        "gb2cc207-8125-445c-9ef9-6ea44eee959a",
        "../../../ws/2/artist?query=x&fmt=json1234",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(musicbrainz_mbid(bad[i], out), -1);
}

static void test_lucene_query(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"isrc:GBAHT1600302", "isrc:GBAHT1600302"},
        {"Manowar", "Manowar"},
        {"Kat Moda", "Kat Moda"},
        {"release:\"Kat Moda\" AND arid:470a4ced", "release:\"Kat Moda\" AND arid:470a4ced"},
        {"AC/DC", "\"AC/DC\""},
        {"say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\""},
        {"rock AND roll", "\"rock AND roll\""},
        {"Dead or Alive", "Dead or Alive"},
        {"re: your brains", "\"re: your brains\""},
        {"P!nk", "\"P!nk\""},
        {"Guns N' Roses", "Guns N' Roses"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *q = musicbrainz_lucene_query(cases[i].in);
        assert_non_null(q);
        assert_string_equal(q, cases[i].out);
        free(q);
    }
    assert_null(musicbrainz_lucene_query(NULL));
}

static void test_search_paths(void **state)
{
    (void)state;
    char path[256];
    assert_int_equal(musicbrainz_search_path(PROVIDER_SEARCH_TRACK, "isrc%3AGBAHT1600302", 20, 0,
                                             path, sizeof path),
                     0);
    assert_string_equal(path, "/ws/2/recording/?query=isrc%3AGBAHT1600302&fmt=json");
    assert_int_equal(
        musicbrainz_search_path(PROVIDER_SEARCH_ARTIST, "Manowar", 25, 0, path, sizeof path), 0);
    assert_string_equal(path, "/ws/2/artist/?query=Manowar&fmt=json");
    assert_int_equal(
        musicbrainz_search_path(PROVIDER_SEARCH_ARTIST, "Manowar", 50, 10, path, sizeof path), 0);
    assert_string_equal(path, "/ws/2/artist/?query=Manowar&fmt=json&limit=50&offset=10");
    assert_int_equal(musicbrainz_search_path(PROVIDER_SEARCH_TRACK, "a", 5, 3, path, sizeof path),
                     0);
    assert_string_equal(path, "/ws/2/recording/?query=a&fmt=json&offset=3");
    assert_int_equal(
        musicbrainz_search_path(PROVIDER_SEARCH_ALBUM, "Kat%20Moda", 1, 0, path, sizeof path), 0);
    assert_string_equal(path, "/ws/2/release?fmt=json&limit=1&query=Kat%20Moda");
    assert_int_equal(musicbrainz_search_path(PROVIDER_SEARCH_ALBUM, "x", 20, 40, path, sizeof path),
                     0);
    assert_string_equal(path, "/ws/2/release?fmt=json&limit=20&query=x&offset=40");
    assert_int_equal(musicbrainz_search_path(3, "x", 20, 0, path, sizeof path), -1);
    assert_int_equal(musicbrainz_search_path(PROVIDER_SEARCH_TRACK, "x", 20, 0, path, 10), -1);
}

/* ---- wrong types anywhere near the top ---- */

typedef provider_result_t (*s_parse_fn)(const json_t *doc, json_t **out, provider_err_t *err);

static provider_result_t s_parse_search_all(const json_t *doc, json_t **out, provider_err_t *err)
{
    return musicbrainz_parse_search(doc, doc, doc, MUSICBRAINZ_SEARCH_MAX, out, err);
}

/* Replaces each value of obj in turn (and, to depth levels, of the objects inside it)
 * with every wrong type, and parses root: a provider error or a document, never a crash
 * (valgrind watches the reads). */
static void s_confuse(json_t *root, json_t *obj, int depth, s_parse_fn parse)
{
    const char *key;
    json_t *value;
    void *tmp;
    json_object_foreach_safe(obj, tmp, key, value)
    {
        json_t *saved = json_incref(value);
        json_t *wrong[] = {json_null(), json_integer(7), json_string("x"), json_array(),
                           json_object()};
        for (size_t w = 0; w < sizeof wrong / sizeof wrong[0]; w++) {
            assert_int_equal(json_object_set(obj, key, wrong[w]), 0);
            json_t *out = NULL;
            provider_result_t r = parse(root, &out, NULL);
            assert_true(r == PROVIDER_OK || r == PROVIDER_UPSTREAM);
            assert_true((r == PROVIDER_OK) == (out != NULL));
            json_decref(out);
            json_decref(wrong[w]);
        }
        assert_int_equal(json_object_set_new(obj, key, saved), 0);
        json_t *inner = json_is_array(saved) ? json_array_get(saved, 0) : saved;
        if (depth > 0 && json_is_object(inner))
            s_confuse(root, inner, depth - 1, parse);
    }
}

static void test_wrong_types(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        s_parse_fn parse;
    } cases[] = {
        {"recording_lookup__cb2cc207-thinking-out-loud.json", musicbrainz_parse_recording},
        {"release_lookup__e47d04a4-kat-moda.json", musicbrainz_parse_release},
        {"artist_lookup__8b2cccef-tombs.json", musicbrainz_parse_artist},
        {"recording_search__isrc-GBAHT1600302.json", s_parse_search_all},
        {"release_search__kat-moda.json", s_parse_search_all},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = s_decode_file(cases[i].file);
        s_confuse(doc, doc, 2, cases[i].parse);
        json_decref(doc);
    }
}

/* ---- every recording of a manifest ---- */

static bool s_is_mbid_path(const char *path, const char *kind)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "/ws/2/%s/", kind);
    char mbid[37];
    return strncmp(path, prefix, strlen(prefix)) == 0 &&
           musicbrainz_mbid(path + strlen(prefix), mbid) == 0;
}

static bool s_is_search_path(const char *path, const char *kind)
{
    char a[64], b[64];
    snprintf(a, sizeof a, "/ws/2/%s", kind);
    snprintf(b, sizeof b, "/ws/2/%s/", kind);
    return strcmp(path, a) == 0 || strcmp(path, b) == 0;
}

/* Parses one found answer with the parser its request path selects. */
static void s_walk_found(const char *file, const char *path, const json_t *doc)
{
    json_t *out = NULL;
    if (s_is_mbid_path(path, "recording")) {
        assert_int_equal(musicbrainz_parse_recording(doc, &out, NULL), PROVIDER_OK);
        shape_track(out, P);
    } else if (s_is_mbid_path(path, "release")) {
        assert_int_equal(musicbrainz_parse_release(doc, &out, NULL), PROVIDER_OK);
        shape_album(out, P, true);
        /* a release listed with its media has tracks */
        if (json_object_get(doc, "media"))
            assert_true(json_array_size(json_object_get(out, "tracks")) > 0);
    } else if (s_is_mbid_path(path, "artist")) {
        assert_int_equal(musicbrainz_parse_artist(doc, &out, NULL), PROVIDER_OK);
        shape_artist(out, P);
    } else if (s_is_search_path(path, "recording") || s_is_search_path(path, "release") ||
               s_is_search_path(path, "artist")) {
        assert_int_equal(
            musicbrainz_parse_search(doc, doc, doc, MUSICBRAINZ_SEARCH_MAX, &out, NULL),
            PROVIDER_OK);
        shape_search(out, P, true);
    } else {
        printf("# %s: %s has no parser (decoded only)\n", file, path);
    }
    json_decref(out);
}

static void test_every_recording(void **state)
{
    (void)state;
    const char *dir = mbt_walk_dir();
    json_t *entries = mbt_manifest(dir, P);
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        const char *file = json_string_value(json_object_get(e, "file"));
        const char *path =
            json_string_value(json_object_get(json_object_get(e, "request"), "path"));
        assert_non_null(file);
        assert_non_null(path);
        long status = mbt_entry_status(e);
        size_t len;
        char *body = mbt_read(dir, P, file, &len);
        json_t *doc = NULL;
        bool healthy = false;
        provider_result_t r = musicbrainz_decode(status, body, len, &doc, &healthy, NULL);
        if (status == 404)
            assert_int_equal(r, PROVIDER_NOT_FOUND);
        else if (status >= 200 && status < 300)
            assert_int_equal(r, PROVIDER_OK);
        if (r == PROVIDER_OK)
            s_walk_found(file, path, doc);
        /* half a body is malformed JSON: a provider error */
        if (status == 200 && len > 2) {
            json_t *cut = NULL;
            assert_int_equal(musicbrainz_decode(200, body, len / 2, &cut, &healthy, NULL),
                             PROVIDER_UPSTREAM);
            assert_null(cut);
            assert_false(healthy);
        }
        json_decref(doc);
        free(body);
    }
    assert_true(json_array_size(entries) > 0);
    json_decref(entries);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recording_lookup),
        cmocka_unit_test(test_recording_search),
        cmocka_unit_test(test_release_kat_moda),
        cmocka_unit_test(test_release_wipeout),
        cmocka_unit_test(test_release_url_rels),
        cmocka_unit_test(test_release_search),
        cmocka_unit_test(test_artist_lookup),
        cmocka_unit_test(test_artist_search),
        cmocka_unit_test(test_not_found_and_errors),
        cmocka_unit_test(test_incomplete_documents),
        cmocka_unit_test(test_synthetic_shapes),
        cmocka_unit_test(test_explicit),
        cmocka_unit_test(test_mbid),
        cmocka_unit_test(test_lucene_query),
        cmocka_unit_test(test_search_paths),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_every_recording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
