/* Cluster: Deezer, Spotify and iTunes over real HTTP against bedrock-replay,
 * which answers only the recorded requests. Every recorded request is made by
 * the providers' own code and answered 200 (their URLs match the recordings);
 * the replay's fault modes give PROVIDER_UPSTREAM (error500, malformed),
 * PROVIDER_TIMEOUT within the configured timeout (timeout), and repeated
 * failures open the breaker (no further request reaches the server).
 *
 * The binary is REPLAY_BINARY (the bedrock-replay target), the data
 * PROVIDERS_DATA_DIR or BEDROCK_PROVIDERS_DATA_DIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "log.h"
#include "provider.h"
#include "provider_http.h"
#include "recordings.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern const provider_t provider_deezer, provider_spotify, provider_itunes;

static pid_t s_pid = -1;
static char s_base[64]; /* http://127.0.0.1:PORT */

#define S_TIMEOUT_MS 1000

/* ---- the replay process ---- */

static int s_start(void **state)
{
    (void)state;
    int out[2];
    if (pipe(out) < 0)
        return -1;
    fflush(NULL);
    s_pid = fork();
    if (s_pid < 0)
        return -1;
    if (s_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(out[1], 1);
        close(out[0]);
        if (!getenv("BEDROCK_TEST_VERBOSE")) {
            FILE *null = freopen("/dev/null", "w", stderr);
            (void)null;
        }
        execl(REPLAY_BINARY, REPLAY_BINARY, "--data", rec_dir(), "--listen", "127.0.0.1:0",
              (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[256] = "";
    size_t n = 0;
    while (n + 1 < sizeof line) {
        ssize_t got = read(out[0], line + n, 1);
        if (got <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    close(out[0]);
    const char *url = strstr(line, "http://");
    if (strncmp(line, "listening ", 10) != 0 || !url) {
        fprintf(stderr, "bedrock-replay did not start (%s): '%s'\n", REPLAY_BINARY, line);
        return -1;
    }
    snprintf(s_base, sizeof s_base, "%s", url);
    return 0;
}

static int s_stop(void **state)
{
    (void)state;
    if (s_pid > 0) {
        kill(s_pid, SIGTERM);
        int status;
        waitpid(s_pid, &status, 0);
    }
    return 0;
}

/* ---- the control API ---- */

static size_t s_sink(char *ptr, size_t size, size_t nmemb, void *ud)
{
    json_t **out = ud;
    json_decref(*out);
    *out = json_loadb(ptr, size * nmemb, 0, NULL);
    return size * nmemb;
}

/* POST (body != NULL) or GET path of the control API; the JSON answer or NULL. */
static json_t *s_control(const char *path, const char *body)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", s_base, path);
    CURL *curl = curl_easy_init();
    json_t *answer = NULL;
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_sink);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
    if (body)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK || status != 200)
        fail_msg("control %s -> curl %d, HTTP %ld", path, rc, status);
    return answer;
}

static void s_mode(const char *provider, const char *mode)
{
    char body[128];
    snprintf(body, sizeof body, "{\"provider\":\"%s\",\"mode\":\"%s\"}", provider, mode);
    json_decref(s_control("/_replay/mode", body));
}

static void s_reset(void)
{
    json_decref(s_control("/_replay/reset", "{}"));
}

static long s_stat(const char *section, const char *key)
{
    json_t *stats = s_control("/_replay/stats", NULL);
    json_t *v = json_object_get(json_object_get(stats, section), key);
    if (!v && strcmp(section, "unmatched") == 0)
        v = json_object_get(stats, "unmatched");
    long n = json_is_integer(v) ? (long)json_integer_value(v) : 0;
    json_decref(stats);
    return n;
}

/* ---- providers ---- */

static provider_http_t *s_http(const char *country)
{
    static const char *const map[][2] = {{"BEDROCK_DEEZER_URL", "deezer"},
                                         {"BEDROCK_SPOTIFY_URL", "spotify"},
                                         {"BEDROCK_SPOTIFY_AUTH_URL", "spotify-auth"},
                                         {"BEDROCK_ITUNES_URL", "itunes"},
                                         {"BEDROCK_MUSICBRAINZ_URL", "musicbrainz"},
                                         {"BEDROCK_LRCLIB_URL", "lrclib"}};
    char url[128], timeout[32];
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        snprintf(url, sizeof url, "%s/%s", s_base, map[i][1]);
        setenv(map[i][0], url, 1);
    }
    snprintf(timeout, sizeof timeout, "%d", S_TIMEOUT_MS);
    setenv("BEDROCK_PROVIDER_TIMEOUT_MS", timeout, 1);
    setenv("BEDROCK_SPOTIFY_CLIENT_ID", "bedrock-test", 1);
    setenv("BEDROCK_SPOTIFY_CLIENT_SECRET", "not-a-secret", 1);
    setenv("BEDROCK_ITUNES_COUNTRY", country, 1);
    setenv("BEDROCK_RATE_DEEZER", "1000", 1);
    setenv("BEDROCK_RATE_SPOTIFY", "1000", 1);
    setenv("BEDROCK_RATE_ITUNES", "1000", 1);
    setenv("BEDROCK_BREAKER_FAILURES", "3", 1);
    setenv("BEDROCK_BREAKER_OPEN_MS", "60000", 1);
    return provider_http_new(NULL);
}

#define OK(call)                                                                                   \
    do {                                                                                           \
        json_t *out_ = NULL;                                                                       \
        provider_err_t err_ = {""};                                                                \
        provider_result_t r_ = (call);                                                             \
        if (r_ != PROVIDER_OK)                                                                     \
            fail_msg("%s -> %d (%s)", #call, r_, err_.message);                                    \
        json_decref(out_);                                                                         \
    } while (0)

/* ---- the recorded requests, as provider calls ---- */

/* Value of query parameter name of a manifest request, or NULL. */
static const char *s_param(const json_t *request, const char *name)
{
    size_t i;
    json_t *pair;
    json_array_foreach(json_object_get(request, "query"), i, pair)
    {
        if (strcmp(json_string_value(json_array_get(pair, 0)), name) == 0)
            return json_string_value(json_array_get(pair, 1));
    }
    return NULL;
}

static int s_int_param(const json_t *request, const char *name, int def)
{
    const char *v = s_param(request, name);
    return v ? atoi(v) : def;
}

/* The id in path after prefix, up to the next '/' (copied into out). */
static const char *s_id(const char *path, const char *prefix, char *out, size_t size)
{
    snprintf(out, size, "%s", path + strlen(prefix));
    out[strcspn(out, "/")] = '\0';
    return out;
}

static bool s_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The provider call that makes the recorded request; *lookup_artist is set for
 * calls that also ask for an (unrecorded) top list. Returns the result, or 1 when
 * the entry is made implicitly (the token) or by no entry point. */
static int s_deezer_call(provider_http_t *http, const char *path, const json_t *req,
                         provider_err_t *err)
{
    char id[128];
    json_t *out = NULL;
    provider_result_t r;
    if (s_starts(path, "/track/")) {
        r = provider_deezer.get_track(http, s_id(path, "/track/", id, sizeof id), &out, err);
    } else if (s_starts(path, "/album/")) {
        r = provider_deezer.get_album(http, s_id(path, "/album/", id, sizeof id), &out, err);
    } else if (s_starts(path, "/artist/")) {
        r = provider_deezer.get_artist(http, s_id(path, "/artist/", id, sizeof id), &out, err);
    } else if (s_starts(path, "/playlist/")) {
        r = provider_deezer.get_playlist(http, s_id(path, "/playlist/", id, sizeof id), &out, err);
    } else if (s_starts(path, "/search")) {
        int type = strcmp(path, "/search/album") == 0    ? PROVIDER_SEARCH_ALBUM
                   : strcmp(path, "/search/artist") == 0 ? PROVIDER_SEARCH_ARTIST
                                                         : PROVIDER_SEARCH_TRACK;
        provider_search_t q = {.query = s_param(req, "q"),
                               .types = type,
                               .limit = s_int_param(req, "limit", 25),
                               .offset = s_int_param(req, "index", 0)};
        r = provider_deezer.search(http, &q, &out, err);
    } else {
        fail_msg("no deezer call makes %s", path);
        return -1;
    }
    json_decref(out);
    return r;
}

static int s_spotify_call(provider_http_t *http, const char *path, const json_t *req,
                          provider_err_t *err)
{
    char id[128];
    json_t *out = NULL;
    provider_result_t r;
    if (strcmp(path, "/api/token") == 0 || strcmp(path, "/v1/tracks") == 0)
        return 1; /* the token comes with every call; several-tracks has no entry point */
    if (s_starts(path, "/v1/tracks/")) {
        r = provider_spotify.get_track(http, s_id(path, "/v1/tracks/", id, sizeof id), &out, err);
    } else if (s_starts(path, "/v1/albums/")) {
        r = provider_spotify.get_album(http, s_id(path, "/v1/albums/", id, sizeof id), &out, err);
    } else if (s_starts(path, "/v1/artists/")) {
        r = provider_spotify.get_artist(http, s_id(path, "/v1/artists/", id, sizeof id), &out, err);
    } else if (s_starts(path, "/v1/playlists/")) {
        r = provider_spotify.get_playlist(http, s_id(path, "/v1/playlists/", id, sizeof id), &out,
                                          err);
    } else if (strcmp(path, "/v1/search") == 0) {
        const char *type = s_param(req, "type");
        int types = (strstr(type, "track") ? PROVIDER_SEARCH_TRACK : 0) |
                    (strstr(type, "album") ? PROVIDER_SEARCH_ALBUM : 0) |
                    (strstr(type, "artist") ? PROVIDER_SEARCH_ARTIST : 0);
        provider_search_t q = {.query = s_param(req, "q"),
                               .types = types,
                               .limit = s_int_param(req, "limit", 20),
                               .offset = s_int_param(req, "offset", 0)};
        r = provider_spotify.search(http, &q, &out, err);
    } else {
        fail_msg("no spotify call makes %s", path);
        return -1;
    }
    json_decref(out);
    return r;
}

static int s_itunes_call(const char *path, const json_t *req, provider_err_t *err)
{
    const char *country = s_param(req, "country");
    provider_http_t *http = s_http(country ? country : "us");
    json_t *out = NULL;
    provider_result_t r;
    if (strcmp(path, "/lookup") == 0) {
        const char *entity = s_param(req, "entity");
        r = entity ? provider_itunes.get_album(http, s_param(req, "id"), &out, err)
                   : provider_itunes.get_track(http, s_param(req, "id"), &out, err);
    } else if (strcmp(path, "/search") == 0) {
        const char *entity = s_param(req, "entity");
        int type = !entity                              ? PROVIDER_SEARCH_TRACK
                   : strcmp(entity, "album") == 0       ? PROVIDER_SEARCH_ALBUM
                   : strcmp(entity, "musicArtist") == 0 ? PROVIDER_SEARCH_ARTIST
                                                        : PROVIDER_SEARCH_TRACK;
        provider_search_t q = {
            .query = s_param(req, "term"), .types = type, .limit = s_int_param(req, "limit", 20)};
        r = provider_itunes.search(http, &q, &out, err);
    } else {
        fail_msg("no itunes call makes %s", path);
        r = -1;
    }
    json_decref(out);
    provider_http_destroy(&http);
    return r;
}

/* Every recorded request of the three providers (from the manifests, so that the
 * held-back set runs through the same test) is made by the providers' code and
 * answered by a recording; only the artists' top lists may be unrecorded. */
static void test_recorded_requests(void **state)
{
    (void)state;
    static const char *const dirs[] = {"deezer", "spotify", "itunes"};
    static const char *const prefixes[] = {"/deezer", "/spotify", "/itunes"};
    s_reset();
    provider_http_t *http = s_http("us");
    for (size_t d = 0; d < 3; d++) {
        json_t *entries = rec_manifest(dirs[d]);
        size_t i;
        json_t *e;
        json_array_foreach(entries, i, e)
        {
            json_t *req = json_object_get(e, "request");
            const char *path = json_string_value(json_object_get(req, "path"));
            const char *file = json_string_value(json_object_get(e, "file"));
            long unmatched = s_stat("unmatched", "");
            provider_err_t err = {""};
            int r = d == 0   ? s_deezer_call(http, path, req, &err)
                    : d == 1 ? s_spotify_call(http, path, req, &err)
                             : s_itunes_call(path, req, &err);
            fprintf(stderr, "  %s/%s -> %d %s\n", dirs[d], file, r, err.message);
            if (r == 1)
                continue;
            /* A recorded error answer (Deezer's "no data") is a clean not-found. */
            char *body = rec_read(dirs[d], file, NULL);
            bool error_body = strstr(body, "\"error\"") != NULL;
            free(body);
            if (!(r == PROVIDER_OK || (error_body && r == PROVIDER_NOT_FOUND)))
                fail_msg("%s/%s: %d (%s)", dirs[d], file, r, err.message);
            long extra = s_stat("unmatched", "") - unmatched;
            /* An artist call also asks for its top list, which may be unrecorded. */
            bool artist = s_starts(path, "/artist/") || s_starts(path, "/v1/artists/");
            if (extra > (artist ? 1 : 0))
                fail_msg("%s/%s: %ld request(s) matched no recording", dirs[d], file, extra);
            char key[512];
            snprintf(key, sizeof key, "%s%s",
                     strcmp(path, "/api/token") == 0 ? "/spotify-auth" : prefixes[d], path);
            if (s_stat("by_path", key) < 1)
                fail_msg("%s/%s: %s was never requested", dirs[d], file, key);
        }
        json_decref(entries);
    }
    provider_http_destroy(&http);
    assert_true(s_stat("requests", "spotify-auth") >= 1);
}

/* The first recorded id under path prefix of provider dir (copied into out). */
static const char *s_recorded_id(const char *dir, const char *prefix, char *out, size_t size)
{
    json_t *entries = rec_manifest(dir);
    size_t i;
    json_t *e;
    out[0] = '\0';
    json_array_foreach(entries, i, e)
    {
        const char *path =
            json_string_value(json_object_get(json_object_get(e, "request"), "path"));
        if (!out[0] && s_starts(path, prefix) && !strstr(path, "-1"))
            s_id(path, prefix, out, size);
    }
    json_decref(entries);
    assert_true(out[0] != '\0');
    return out;
}

static void test_faults(void **state)
{
    (void)state;
    s_reset();
    provider_http_t *http = s_http("us");
    char deezer_id[64], spotify_id[64];
    s_recorded_id("deezer", "/track/", deezer_id, sizeof deezer_id);
    s_recorded_id("spotify", "/v1/tracks/", spotify_id, sizeof spotify_id);
    json_t *out = NULL;
    provider_err_t err;
    s_mode("deezer", "error500");
    assert_int_equal(provider_deezer.get_track(http, deezer_id, &out, &err), PROVIDER_UPSTREAM);
    assert_non_null(strstr(err.message, "500"));
    s_mode("deezer", "malformed");
    assert_int_equal(provider_deezer.get_track(http, deezer_id, &out, &err), PROVIDER_UPSTREAM);
    s_mode("spotify", "malformed");
    assert_int_equal(provider_spotify.get_track(http, spotify_id, &out, &err), PROVIDER_UPSTREAM);
    s_mode("spotify", "timeout");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(provider_spotify.get_track(http, spotify_id, &out, &err), PROVIDER_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= S_TIMEOUT_MS - 50 && ms < S_TIMEOUT_MS + 1500);
    assert_null(out);
    s_reset();
    OK(provider_deezer.get_track(http, deezer_id, &out_, &err_));
    OK(provider_spotify.get_track(http, spotify_id, &out_, &err_));
    provider_http_destroy(&http);
}

static void test_breaker_opens(void **state)
{
    (void)state;
    s_reset();
    provider_http_t *http = s_http("us");
    char deezer_id[64];
    s_recorded_id("deezer", "/track/", deezer_id, sizeof deezer_id);
    json_t *out = NULL;
    provider_err_t err;
    s_mode("itunes", "error500");
    for (int i = 0; i < 3; i++)
        assert_int_equal(provider_itunes.get_album(http, "1", &out, &err), PROVIDER_UPSTREAM);
    long before = s_stat("requests", "itunes");
    assert_int_equal(before, 3);
    assert_int_equal(provider_itunes.get_album(http, "1", &out, &err), PROVIDER_UNAVAILABLE);
    assert_int_equal(provider_itunes.health(http, &err), PROVIDER_UNAVAILABLE);
    assert_int_equal(s_stat("requests", "itunes"), before);
    provider_http_state_t st;
    assert_int_equal(provider_http_state(http, "itunes", &st), 0);
    assert_string_equal(provider_http_state_name(st.state), "open");
    assert_int_equal(st.consecutive_failures, 3);
    /* The others still answer. */
    OK(provider_deezer.get_track(http, deezer_id, &out_, &err_));
    OK(provider_deezer.health(http, &err_));
    OK(provider_spotify.health(http, &err_));
    s_reset();
    provider_http_destroy(&http);
}

int main(void)
{
    log_set_level(LOG_LEVEL_ERROR);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_requests),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_breaker_opens),
    };
    int rc = cmocka_run_group_tests(tests, s_start, s_stop);
    curl_global_cleanup();
    return rc;
}
