/* MusicBrainz and LRCLIB over real HTTP: provider_http (libcurl, User-Agent, the
 * 1 request/s MusicBrainz limit, breaker) against the real bedrock-replay serving
 * tests/data/providers.
 *
 * Every recorded MusicBrainz/LRCLIB request is made by the providers' own code and
 * answered from its recording (the replay server's counters prove that no request
 * missed), except the ones listed in s_not_requested with the reason. Fault modes of
 * the replay server (503, 403, 500, malformed bodies) become PROVIDER_UPSTREAM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka.h needs the three above first. */
#include <cmocka.h>

#include "log.h"
#include "mbt.h"
#include "provider.h"
#include "provider_http.h"
#include "shape.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MBT_REPLAY_BIN
#error "MBT_REPLAY_BIN must be defined (path of bedrock-replay)"
#endif
#ifndef MBT_LOG_DIR
#define MBT_LOG_DIR "/tmp"
#endif

extern const provider_t provider_musicbrainz, provider_lrclib;

static mbt_replay_t s_replay;
static provider_http_t *s_http;

#define MB (&provider_musicbrainz)
#define LR (&provider_lrclib)

/* ---- replay server state ---- */

typedef struct {
    long long requests; /* to the provider's prefix */
    long long unmatched;
    long long by_path; /* to one path */
} s_counts_t;

static s_counts_t s_counts(const char *provider, const char *path)
{
    json_t *stats = mbt_stats(&s_replay);
    char key[512];
    snprintf(key, sizeof key, "/%s%s", provider, path ? path : "");
    s_counts_t c = {
        .requests =
            json_integer_value(json_object_get(json_object_get(stats, "requests"), provider)),
        .unmatched = json_integer_value(json_object_get(stats, "unmatched")),
        .by_path = json_integer_value(json_object_get(json_object_get(stats, "by_path"), key)),
    };
    json_decref(stats);
    return c;
}

static void s_mode(const char *provider, const char *mode, int status)
{
    char body[160];
    snprintf(body, sizeof body, "{\"provider\":\"%s\",\"mode\":\"%s\",\"status\":%d}", provider,
             mode, status);
    if (status == 0)
        snprintf(body, sizeof body, "{\"provider\":\"%s\",\"mode\":\"%s\"}", provider, mode);
    assert_int_equal(mbt_http(&s_replay, "POST", "/_replay/mode", body, NULL), 200);
}

/* ---- the calls that make each recorded request ---- */

static void s_call_track(void)
{
    json_t *t = NULL;
    provider_err_t err;
    assert_int_equal(MB->get_track(s_http, "cb2cc207-8125-445c-9ef9-6ea44eee959a", &t, &err),
                     PROVIDER_OK);
    shape_track(t, "musicbrainz");
    assert_string_equal(shape_str(t, "title"), "Thinking Out Loud");
    assert_string_equal(shape_str(t, "isrc"), "GBAHS1400099");
    assert_int_equal(shape_int(t, "duration_ms"), 281000);
    json_decref(t);
}

static void s_call_album(void)
{
    json_t *a = NULL;
    /* upper case: ids are normalised before the request */
    assert_int_equal(MB->get_album(s_http, "E47D04A4-7460-427D-A731-CC82386D85F1", &a, NULL),
                     PROVIDER_OK);
    shape_album(a, "musicbrainz", true);
    assert_string_equal(shape_str(a, "title"), "Kat Moda");
    assert_string_equal(shape_str(a, "label"), "Purpose Maker");
    assert_int_equal(json_array_size(json_object_get(a, "tracks")), 3);
    json_decref(a);
}

static void s_call_artist(void)
{
    json_t *a = NULL;
    assert_int_equal(MB->get_artist(s_http, "8b2cccef-ad8b-4029-911e-14157e4cd5ae", &a, NULL),
                     PROVIDER_OK);
    shape_artist(a, "musicbrainz");
    assert_string_equal(shape_str(a, "name"), "Tombs");
    assert_int_equal(json_array_size(json_object_get(a, "albums")), 12);
    json_decref(a);
}

static json_t *s_search(const char *query, int types, int limit)
{
    json_t *s = NULL;
    provider_search_t q = {.query = query, .types = types, .limit = limit, .offset = 0};
    provider_err_t err;
    provider_result_t r = MB->search(s_http, &q, &s, &err);
    if (r != PROVIDER_OK)
        fail_msg("search %s: %d %s", query, r, err.message);
    shape_search(s, "musicbrainz", false);
    return s;
}

static void s_call_search_isrc(void)
{
    json_t *s = s_search("isrc:GBAHT1600302", PROVIDER_SEARCH_TRACK, 20);
    json_t *tracks = json_object_get(s, "tracks");
    assert_int_equal(json_array_size(tracks), 1);
    assert_string_equal(shape_str(json_array_get(tracks, 0), "isrc"), "GBAHT1600302");
    assert_string_equal(shape_str(json_array_get(tracks, 0), "title"), "Blow Your Mind (Mwah)");
    json_decref(s);
}

static void s_call_search_artist(void)
{
    json_t *s = s_search("Manowar", PROVIDER_SEARCH_ARTIST, 20);
    json_t *artists = json_object_get(s, "artists");
    assert_int_equal(json_array_size(artists), 6);
    assert_string_equal(shape_str(json_array_get(artists, 0), "name"), "Manowar");
    json_decref(s);
}

static void s_call_search_album(void)
{
    json_t *s = s_search("Kat Moda", PROVIDER_SEARCH_ALBUM, 1);
    json_t *albums = json_object_get(s, "albums");
    assert_int_equal(json_array_size(albums), 1);
    assert_string_equal(shape_str(json_array_get(albums, 0), "native_id"),
                        "e47d04a4-7460-427d-a731-cc82386d85f1");
    json_decref(s);
}

static void s_call_mb_health(void)
{
    provider_err_t err;
    assert_int_equal(MB->health(s_http, &err), PROVIDER_OK); /* the recorded 404 */
}

static const provider_lyrics_query_t s_lyrics_q = {
    .artist = "Borislav Slavov",
    .title = "I Want to Live",
    .album = "Baldur's Gate 3 (Original Game Soundtrack)",
    .duration_s = 233,
};

static void s_call_lyrics(void)
{
    json_t *l = NULL;
    provider_err_t err;
    assert_int_equal(LR->get_lyrics(s_http, &s_lyrics_q, &l, &err), PROVIDER_OK);
    shape_lyrics(l, "lrclib");
    assert_string_equal(shape_str(l, "native_id"), "3396226");
    assert_int_equal(shape_int(l, "duration_ms"), 233000);
    assert_non_null(strstr(shape_str(l, "synced"), "[00:17.12] I feel your breath"));
    json_decref(l);
}

/* No album or duration: /api/get (not recorded: a 404) then the search fallback. */
static void s_call_lyrics_fallback(void)
{
    provider_lyrics_query_t q = {.artist = "borislav slavov", .title = "I Want to Live"};
    json_t *l = NULL;
    provider_err_t err;
    assert_int_equal(LR->get_lyrics(s_http, &q, &l, &err), PROVIDER_OK);
    shape_lyrics(l, "lrclib");
    assert_string_equal(shape_str(l, "native_id"), "11200763");
    json_decref(l);
}

static void s_call_lyrics_404(void)
{
    provider_lyrics_query_t q = {.artist = "this artist does not exist",
                                 .title = "this song does not exist",
                                 .album = "this album does not exist",
                                 .duration_s = 233};
    json_t *l = (json_t *)1;
    provider_err_t err;
    /* album and duration given: no search fallback */
    assert_int_equal(LR->get_lyrics(s_http, &q, &l, &err), PROVIDER_NOT_FOUND);
    assert_null(l);
}

typedef void (*s_call_fn)(void);

static const struct {
    const char *provider, *file;
    s_call_fn call;
    int misses; /* requests of the call that no recording answers, on purpose */
} s_calls[] = {
    {"musicbrainz", "recording_lookup__cb2cc207-thinking-out-loud.json", s_call_track, 0},
    {"musicbrainz", "release_lookup__e47d04a4-kat-moda.json", s_call_album, 0},
    {"musicbrainz", "artist_lookup__8b2cccef-tombs.json", s_call_artist, 0},
    {"musicbrainz", "recording_search__isrc-GBAHT1600302.json", s_call_search_isrc, 0},
    {"musicbrainz", "artist_search__manowar.json", s_call_search_artist, 0},
    {"musicbrainz", "release_search__kat-moda.json", s_call_search_album, 0},
    {"musicbrainz", "url_lookup__not-found-404.json", s_call_mb_health, 0},
    {"lrclib", "get__i-want-to-live.json", s_call_lyrics, 0},
    {"lrclib", "search_q__i-want-to-live.json", s_call_lyrics_fallback, 1},
    {"lrclib", "get__not-found-404.json", s_call_lyrics_404, 0},
};

/* Recordings no provider entry asks for; the unit tests parse their bodies. */
static const struct {
    const char *provider, *file, *why;
} s_not_requested[] = {
    {"musicbrainz", "release_lookup__70130d47-wipeout.json",
     "recorded with a larger inc set (aliases, isrcs, rels) than get_album sends"},
    {"musicbrainz", "release_lookup_url_rels__7d0cf748-venice.json",
     "inc=url-rels: no provider entry asks for URL relations"},
};

static int s_find_call(const char *provider, const char *file)
{
    for (size_t i = 0; i < sizeof s_calls / sizeof s_calls[0]; i++) {
        if (strcmp(s_calls[i].provider, provider) == 0 && strcmp(s_calls[i].file, file) == 0)
            return (int)i;
    }
    return -1;
}

static const char *s_why_not(const char *provider, const char *file)
{
    for (size_t i = 0; i < sizeof s_not_requested / sizeof s_not_requested[0]; i++) {
        if (strcmp(s_not_requested[i].provider, provider) == 0 &&
            strcmp(s_not_requested[i].file, file) == 0)
            return s_not_requested[i].why;
    }
    return NULL;
}

/* Runs the call of one manifest entry and checks, through the replay counters, that it
 * reached the recording's path and that nothing but the planned misses went unanswered. */
static void s_run_entry(const char *provider, const json_t *entry)
{
    const char *file = json_string_value(json_object_get(entry, "file"));
    const char *path =
        json_string_value(json_object_get(json_object_get(entry, "request"), "path"));
    int i = s_find_call(provider, file);
    if (i < 0) {
        const char *why = s_why_not(provider, file);
        if (!why)
            fail_msg("%s/%s is neither requested by a call nor explained", provider, file);
        printf("# %s/%s not requested: %s\n", provider, file, why);
        return;
    }
    s_counts_t before = s_counts(provider, path);
    s_calls[i].call();
    s_counts_t after = s_counts(provider, path);
    if (after.unmatched - before.unmatched != s_calls[i].misses ||
        after.requests - before.requests != 1 + s_calls[i].misses ||
        after.by_path - before.by_path < 1)
        fail_msg("%s/%s: requests +%lld, unmatched +%lld, %s +%lld", provider, file,
                 after.requests - before.requests, after.unmatched - before.unmatched, path,
                 after.by_path - before.by_path);
}

static void test_every_recorded_request(void **state)
{
    (void)state;
    static const char *const providers[] = {"musicbrainz", "lrclib"};
    size_t ran = 0;
    for (size_t p = 0; p < 2; p++) {
        json_t *entries = mbt_manifest(mbt_shared_dir(), providers[p]);
        size_t i;
        json_t *e;
        json_array_foreach(entries, i, e)
        {
            s_run_entry(providers[p], e);
            ran += s_find_call(providers[p], json_string_value(json_object_get(e, "file"))) >= 0;
        }
        json_decref(entries);
    }
    /* every call of the table found its recording in a manifest */
    assert_int_equal(ran, sizeof s_calls / sizeof s_calls[0]);
}

/* ---- not found, unsupported ---- */

static void test_not_found(void **state)
{
    (void)state;
    json_t *out = (json_t *)1;
    provider_err_t err;
    /* a well-formed MBID nobody recorded: the replay server's 404 */
    assert_int_equal(MB->get_track(s_http, "00000000-0000-4000-8000-000000000000", &out, &err),
                     PROVIDER_NOT_FOUND);
    assert_null(out);
    /* not an MBID: refused without a request */
    s_counts_t before = s_counts("musicbrainz", NULL);
    assert_int_equal(MB->get_album(s_http, "../artist/x", &out, &err), PROVIDER_NOT_FOUND);
    assert_int_equal(MB->get_artist(s_http, NULL, &out, NULL), PROVIDER_NOT_FOUND);
    provider_search_t empty = {.query = "", .types = PROVIDER_SEARCH_TRACK, .limit = 5};
    assert_int_equal(MB->search(s_http, &empty, &out, &err), PROVIDER_NOT_FOUND);
    provider_lyrics_query_t no_title = {.artist = "Skillet"};
    assert_int_equal(LR->get_lyrics(s_http, &no_title, &out, &err), PROVIDER_NOT_FOUND);
    assert_int_equal(s_counts("musicbrainz", NULL).requests, before.requests);
    /* a search that MusicBrainz answers 404 for one kind is an empty list of that kind */
    json_t *s = s_search("Kat Moda", PROVIDER_SEARCH_ALBUM | PROVIDER_SEARCH_ARTIST, 1);
    assert_int_equal(json_array_size(json_object_get(s, "albums")), 1);
    assert_int_equal(json_array_size(json_object_get(s, "artists")), 0);
    json_decref(s);
}

static void test_unsupported(void **state)
{
    (void)state;
    assert_string_equal(MB->name, "musicbrainz");
    assert_null(MB->get_playlist);
    assert_null(MB->get_stream);
    assert_null(MB->get_lyrics);
    assert_non_null(MB->health);
    assert_string_equal(LR->name, "lrclib");
    assert_null(LR->get_track);
    assert_null(LR->get_album);
    assert_null(LR->get_artist);
    assert_null(LR->get_playlist);
    assert_null(LR->search);
    assert_null(LR->get_stream);
    assert_non_null(LR->get_lyrics);
}

/* ---- faults ---- */

static void test_musicbrainz_faults(void **state)
{
    (void)state;
    static const struct {
        const char *mode;
        int status;
        const char *message_has;
    } faults[] = {
        {"status", 503, "503"},
        {"status", 403, "User-Agent"},
        {"error500", 0, "500"},
        {"malformed", 0, "malformed"},
    };
    const char *mbid = "cb2cc207-8125-445c-9ef9-6ea44eee959a";
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        s_mode("musicbrainz", faults[i].mode, faults[i].status);
        json_t *out = (json_t *)1;
        provider_err_t err;
        assert_int_equal(MB->get_track(s_http, mbid, &out, &err), PROVIDER_UPSTREAM);
        assert_null(out);
        if (!strstr(err.message, faults[i].message_has))
            fail_msg("%s %d: '%s' lacks '%s'", faults[i].mode, faults[i].status, err.message,
                     faults[i].message_has);
    }
    provider_http_state_t st;
    assert_int_equal(provider_http_state(s_http, "musicbrainz", &st), 0);
    assert_int_equal(st.consecutive_failures, 4); /* the breaker heard every failure */
    s_mode("musicbrainz", "status", 503);
    provider_err_t err;
    assert_int_equal(MB->health(s_http, &err), PROVIDER_UPSTREAM);
    s_mode("musicbrainz", "status", 403);
    assert_int_equal(MB->health(s_http, &err), PROVIDER_UPSTREAM);
    assert_non_null(strstr(err.message, "User-Agent"));
    s_mode("musicbrainz", "normal", 0);
    s_call_track();
    assert_int_equal(provider_http_state(s_http, "musicbrainz", &st), 0);
    assert_int_equal(st.consecutive_failures, 0);
    assert_int_equal(st.state, PROVIDER_BREAKER_CLOSED);
}

static void test_lrclib_faults(void **state)
{
    (void)state;
    json_t *out = (json_t *)1;
    provider_err_t err;
    s_mode("lrclib", "status", 503);
    assert_int_equal(LR->get_lyrics(s_http, &s_lyrics_q, &out, &err), PROVIDER_UPSTREAM);
    assert_null(out);
    assert_int_equal(LR->health(s_http, &err), PROVIDER_UPSTREAM);
    s_mode("lrclib", "malformed", 0);
    assert_int_equal(LR->get_lyrics(s_http, &s_lyrics_q, &out, &err), PROVIDER_UPSTREAM);
    s_mode("lrclib", "status", 404); /* a 404 with another body is still not found */
    assert_int_equal(LR->get_lyrics(s_http, &s_lyrics_q, &out, &err), PROVIDER_NOT_FOUND);
    s_mode("lrclib", "normal", 0);
    assert_int_equal(LR->health(s_http, &err), PROVIDER_OK); /* an unrecorded search: 404 < 500 */
    s_call_lyrics();
}

/* ---- setup ---- */

static int s_setup(void **state)
{
    (void)state;
    log_init("test_providers_mb_replay"); /* BEDROCK_LOG_LEVEL=debug shows every request */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    if (mbt_replay_start(&s_replay, MBT_REPLAY_BIN, mbt_shared_dir(),
                         MBT_LOG_DIR "/providers_mb_replay.log") != 0)
        return -1;
    char url[160];
    snprintf(url, sizeof url, "%s/musicbrainz", s_replay.base);
    setenv("BEDROCK_MUSICBRAINZ_URL", url, 1);
    snprintf(url, sizeof url, "%s/lrclib", s_replay.base);
    setenv("BEDROCK_LRCLIB_URL", url, 1);
    /* The fault tests fail on purpose: keep the breaker closed to see each outcome. */
    setenv("BEDROCK_BREAKER_FAILURES", "1000", 1);
    /* MusicBrainz's 1 request/s is kept (BEDROCK_RATE_MUSICBRAINZ default). */
    s_http = provider_http_new(&(provider_kv_t){0});
    return s_http ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    provider_http_destroy(&s_http);
    int rc = mbt_replay_stop(&s_replay);
    curl_global_cleanup();
    return rc;
}

static int s_reset(void **state)
{
    (void)state;
    s_mode("*", "normal", 0);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_every_recorded_request, s_reset),
        cmocka_unit_test_setup(test_not_found, s_reset),
        cmocka_unit_test_setup(test_unsupported, s_reset),
        cmocka_unit_test_setup(test_musicbrainz_faults, s_reset),
        cmocka_unit_test_setup(test_lrclib_faults, s_reset),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
