/* LRCLIB: the lyrics parser on every recorded answer (concrete values from the shared
 * recordings, shapes for every manifest entry), error conventions, the search
 * fallback's choice of record and the /api/get request shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka.h needs the three above first. */
#include <cmocka.h>

#include "lrclib_parse.h"
#include "mbt.h"
#include "shape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P "lrclib"

static json_t *s_decode_file(const char *file)
{
    size_t len;
    char *body = mbt_read(mbt_shared_dir(), P, file, &len);
    json_t *doc = NULL;
    bool healthy = false;
    provider_err_t err;
    assert_int_equal(lrclib_decode(200, body, len, &doc, &healthy, &err), PROVIDER_OK);
    assert_true(healthy);
    free(body);
    return doc;
}

static bool s_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_get(void **state)
{
    (void)state;
    json_t *doc = s_decode_file("get__i-want-to-live.json"), *l;
    provider_err_t err;
    assert_int_equal(lrclib_parse_lyrics(doc, &l, &err), PROVIDER_OK);
    shape_lyrics(l, P);
    assert_string_equal(shape_str(l, "native_id"), "3396226");
    assert_true(s_starts(shape_str(l, "plain"), "I feel your breath upon my neck\n"));
    assert_true(s_starts(shape_str(l, "synced"), "[00:17.12] I feel your breath upon my neck\n"));
    assert_true(json_is_false(json_object_get(l, "instrumental")));
    assert_int_equal(shape_int(l, "duration_ms"), 233000);
    assert_int_equal(json_object_size(l), 6); /* exactly the lyrics document of provider.h */
    json_decref(l);
    json_decref(doc);
}

static void test_not_found_and_errors(void **state)
{
    (void)state;
    size_t len;
    char *body = mbt_read(mbt_shared_dir(), P, "get__not-found-404.json", &len);
    json_t *doc = (json_t *)1;
    bool healthy = false;
    provider_err_t err;
    assert_int_equal(lrclib_decode(404, body, len, &doc, &healthy, &err), PROVIDER_NOT_FOUND);
    assert_null(doc);
    assert_true(healthy);
    free(body);

    static const struct {
        long status;
        const char *body;
        provider_result_t want;
        bool healthy;
    } cases[] = {
        {200, "{\"id\":3396226,\"plainLyrics\":\"I feel", PROVIDER_UPSTREAM, false},
        {200, "", PROVIDER_UPSTREAM, false},
        {200, "\"text\"", PROVIDER_UPSTREAM, false},
        {500, "{}", PROVIDER_UPSTREAM, false},
        {503, "{\"error\":\"replay status mode\"}", PROVIDER_UPSTREAM, false},
        {429, "{}", PROVIDER_UPSTREAM, false},
        {400, "{\"statusCode\":400,\"name\":\"ValidationError\"}", PROVIDER_UPSTREAM, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        doc = (json_t *)1;
        healthy = !cases[i].healthy;
        assert_int_equal(lrclib_decode(cases[i].status, cases[i].body, strlen(cases[i].body), &doc,
                                       &healthy, &err),
                         cases[i].want);
        assert_null(doc);
        assert_int_equal(healthy, cases[i].healthy);
    }
    json_t *empty = json_object(), *out = (json_t *)1;
    assert_int_equal(lrclib_parse_lyrics(empty, &out, NULL), PROVIDER_UPSTREAM);
    assert_null(out);
    json_decref(empty);
}

static void test_search_and_best_match(void **state)
{
    (void)state;
    json_t *results = s_decode_file("search_q__i-want-to-live.json");
    assert_true(json_is_array(results));
    assert_int_equal(json_array_size(results), 20);
    static const struct {
        const char *artist, *title;
        long want;
    } cases[] = {
        {"Borislav Slavov", "I Want to Live", 9},   /* first exact one with synced lyrics */
        {" borislav SLAVOV ", "i want to live", 9}, /* case and blanks */
        {"John Denver", "I Want to Live", 5}, /* exact with synced beats an earlier exact one */
        {"Skillet", "I want to live", 0},
        {"John Maus", "I Want To live!", 6},
        {"Josh Gracin", "I Want to Live", 10}, /* "I Want To Live - Single Version" */
        {"Nobody Known", "I Want to Live", -1},
        {"Skillet", "Monster", -1},
        {"", "I Want to Live", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long got = lrclib_best_match(results, cases[i].artist, cases[i].title);
        if (got != cases[i].want)
            fail_msg("%s / %s: got %ld, want %ld", cases[i].artist, cases[i].title, got,
                     cases[i].want);
    }
    json_t *l;
    assert_int_equal(lrclib_parse_lyrics(json_array_get(results, 9), &l, NULL), PROVIDER_OK);
    assert_string_equal(shape_str(l, "native_id"), "11200763");
    assert_int_equal(shape_int(l, "duration_ms"), 233000);
    json_decref(l);
    /* fractional seconds round to the millisecond; no synced lyrics is null */
    assert_int_equal(lrclib_parse_lyrics(json_array_get(results, 6), &l, NULL), PROVIDER_OK);
    assert_int_equal(shape_int(l, "duration_ms"), 240852);
    json_decref(l);
    assert_int_equal(lrclib_parse_lyrics(json_array_get(results, 2), &l, NULL), PROVIDER_OK);
    shape_null(l, "synced");
    json_decref(l);
    assert_int_equal(lrclib_best_match(NULL, "a", "b"), -1);
    json_decref(results);
}

static void test_instrumental(void **state)
{
    (void)state;
    json_t *rec = json_loads("{\"id\":\"77\",\"instrumental\":true,\"plainLyrics\":null,"
                             "\"syncedLyrics\":\"\",\"duration\":12}",
                             0, NULL),
           *l;
    assert_int_equal(lrclib_parse_lyrics(rec, &l, NULL), PROVIDER_OK);
    shape_lyrics(l, P);
    assert_string_equal(shape_str(l, "native_id"), "77");
    shape_null(l, "plain");
    shape_null(l, "synced");
    assert_true(json_is_true(json_object_get(l, "instrumental")));
    assert_int_equal(shape_int(l, "duration_ms"), 12000);
    json_decref(l);
    json_decref(rec);
    rec = json_loads("{\"id\":1,\"duration\":1e300}", 0, NULL);
    assert_int_equal(lrclib_parse_lyrics(rec, &l, NULL), PROVIDER_OK);
    shape_null(l, "duration_ms");
    json_decref(l);
    json_decref(rec);
}

static void test_get_path(void **state)
{
    (void)state;
    char path[512];
    assert_int_equal(lrclib_get_path("I%20Want%20to%20Live", "Borislav%20Slavov",
                                     "Baldur%27s%20Gate%203", 233, path, sizeof path),
                     0);
    assert_string_equal(path, "/api/get?track_name=I%20Want%20to%20Live&artist_name=Borislav%20"
                              "Slavov&album_name=Baldur%27s%20Gate%203&duration=233");
    assert_int_equal(lrclib_get_path("t", "a", NULL, 0, path, sizeof path), 0);
    assert_string_equal(path, "/api/get?track_name=t&artist_name=a");
    assert_int_equal(lrclib_get_path("t", "a", NULL, 90, path, sizeof path), 0);
    assert_string_equal(path, "/api/get?track_name=t&artist_name=a&duration=90");
    assert_int_equal(lrclib_get_path("t", "a", "b", 0, path, 20), -1);
    assert_int_equal(lrclib_get_path("t", "a", "b", 0, path, 48), -1); /* 48 bytes + NUL */
    assert_int_equal(lrclib_get_path("t", "a", "b", 0, path, 49), 0);
    assert_string_equal(path, "/api/get?track_name=t&artist_name=a&album_name=b");
}

/* Every recording of the manifest: /api/get answers are lyrics (or 404 not found),
 * /api/search answers are lists of lyrics records, each found again by its own
 * artist and title. */
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
        long status = mbt_entry_status(e);
        size_t len;
        char *body = mbt_read(dir, P, file, &len);
        json_t *doc = NULL, *l = NULL;
        provider_result_t r = lrclib_decode(status, body, len, &doc, &(bool){false}, NULL);
        if (status == 404) {
            assert_int_equal(r, PROVIDER_NOT_FOUND);
        } else if (strcmp(path, "/api/get") == 0) {
            assert_int_equal(r, PROVIDER_OK);
            assert_int_equal(lrclib_parse_lyrics(doc, &l, NULL), PROVIDER_OK);
            shape_lyrics(l, P);
            json_decref(l);
        } else if (strcmp(path, "/api/search") == 0) {
            assert_int_equal(r, PROVIDER_OK);
            assert_true(json_is_array(doc));
            size_t k;
            json_t *rec;
            json_array_foreach(doc, k, rec)
            {
                assert_int_equal(lrclib_parse_lyrics(rec, &l, NULL), PROVIDER_OK);
                shape_lyrics(l, P);
                json_decref(l);
                long best =
                    lrclib_best_match(doc, json_string_value(json_object_get(rec, "artistName")),
                                      json_string_value(json_object_get(rec, "trackName")));
                assert_true(best >= 0); /* itself, or an equal record with synced lyrics */
            }
        } else {
            printf("# %s: %s has no parser (decoded only)\n", file, path);
        }
        if (status == 200 && len > 2)
            assert_int_equal(lrclib_decode(200, body, len / 2, &l, &(bool){true}, NULL),
                             PROVIDER_UPSTREAM);
        json_decref(doc);
        free(body);
    }
    assert_true(json_array_size(entries) > 0);
    json_decref(entries);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get),
        cmocka_unit_test(test_not_found_and_errors),
        cmocka_unit_test(test_search_and_best_match),
        cmocka_unit_test(test_instrumental),
        cmocka_unit_test(test_get_path),
        cmocka_unit_test(test_every_recording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
