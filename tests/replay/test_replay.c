/* test_replay — starts the real bedrock-replay on a free port and checks it
 * over HTTP: every recording under tests/data/providers is served byte for
 * byte, matching rules, fault modes, delays overlapping, stats, bad data.
 */
#include "test_replay_util.h"

#include <curl/curl.h>
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef REPLAY_BINARY
#error "REPLAY_BINARY must be defined (path of bedrock-replay)"
#endif
#ifndef REPLAY_DATA_DIR
#error "REPLAY_DATA_DIR must be defined (tests/data/providers)"
#endif

/* Our own copy of the base -> prefix table: the test checks the server's. */
static const struct {
    const char *base;
    const char *prefix;
} s_prefixes[] = {
    {"https://api.deezer.com", "/deezer"},
    {"https://api.spotify.com", "/spotify"},
    {"https://accounts.spotify.com", "/spotify-auth"},
    {"https://musicbrainz.org", "/musicbrainz"},
    {"http://musicbrainz.org", "/musicbrainz"},
    {"https://lrclib.net", "/lrclib"},
    {"https://itunes.apple.com", "/itunes"},
};
static const char *s_providers[] = {"deezer",      "spotify", "spotify-auth",
                                    "musicbrainz", "lrclib",  "itunes"};
#define N_PROVIDERS (sizeof s_providers / sizeof s_providers[0])

static treplay_proc_t s_server;
static json_t *s_cases; /* [{"dir":..., "entry":{manifest entry}}] */

static const char *s_prefix_of(const char *base)
{
    for (size_t i = 0; i < sizeof s_prefixes / sizeof s_prefixes[0]; i++) {
        if (strcmp(s_prefixes[i].base, base) == 0)
            return s_prefixes[i].prefix;
    }
    return NULL;
}

/* Every <dir>/manifest.json under the data directory, like the server reads them. */
static void s_load_cases(void)
{
    s_cases = json_array();
    DIR *top = opendir(REPLAY_DATA_DIR);
    assert_non_null(top);
    struct dirent *d;
    while ((d = readdir(top)) != NULL) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s/manifest.json", REPLAY_DATA_DIR, d->d_name);
        json_t *m = d->d_name[0] == '.' ? NULL : json_load_file(path, 0, NULL);
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(m, "entries"), i, e)
            json_array_append_new(s_cases, json_pack("{s:s, s:O}", "dir", d->d_name, "entry", e));
        json_decref(m);
    }
    closedir(top);
    assert_true(json_array_size(s_cases) > 0);
}

/* Query pairs of a case, optionally edited: reversed order, one value replaced. */
typedef struct {
    bool reverse;
    const char *null_value; /* sent for a recorded null value */
    const char *drop;       /* parameter left out */
    const char *change;     /* parameter whose value is changed */
    const char *extra;      /* "name=value" appended raw */
} s_edit_t;

static char *s_case_url(json_t *entry, const s_edit_t *edit)
{
    json_t *req = json_object_get(entry, "request");
    json_t *query = json_object_get(req, "query");
    char *url = calloc(1, 16384);
    assert_non_null(url);
    snprintf(url, 16384, "%s%s%s", s_server.base,
             s_prefix_of(json_string_value(json_object_get(req, "base"))),
             json_string_value(json_object_get(req, "path")));
    size_t n = json_array_size(query);
    int first = 1;
    for (size_t k = 0; k < n; k++) {
        json_t *pair = json_array_get(query, edit->reverse ? n - 1 - k : k);
        const char *name = json_string_value(json_array_get(pair, 0));
        const char *value = json_string_value(json_array_get(pair, 1));
        if (edit->drop && strcmp(edit->drop, name) == 0)
            continue;
        if (!value)
            value = edit->null_value ? edit->null_value : "anything at all";
        char changed[1024];
        if (edit->change && strcmp(edit->change, name) == 0) {
            snprintf(changed, sizeof changed, "%sX", value);
            value = changed;
        }
        char *ename = curl_easy_escape(NULL, name, 0);
        char *evalue = curl_easy_escape(NULL, value, 0);
        snprintf(url + strlen(url), 16384 - strlen(url), "%c%s=%s", first ? '?' : '&', ename,
                 evalue);
        curl_free(ename);
        curl_free(evalue);
        first = 0;
    }
    if (edit->extra)
        snprintf(url + strlen(url), 16384 - strlen(url), "%c%s", first ? '?' : '&', edit->extra);
    return url;
}

static void s_case_request(json_t *c, const s_edit_t *edit, treplay_reply_t *reply)
{
    json_t *entry = json_object_get(c, "entry");
    json_t *req = json_object_get(entry, "request");
    char *url = s_case_url(entry, edit);
    const char *method = json_string_value(json_object_get(req, "method"));
    const char *body = json_string_value(json_object_get(req, "body"));
    treplay_http(method, url, strcmp(method, "GET") ? (body ? body : "") : NULL, 0, reply);
    free(url);
}

static char *s_case_body(json_t *c, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", REPLAY_DATA_DIR,
             json_string_value(json_object_get(c, "dir")),
             json_string_value(json_object_get(json_object_get(c, "entry"), "file")));
    char *body = treplay_read_file(path, len);
    assert_non_null(body);
    return body;
}

static long s_case_status(json_t *c)
{
    json_t *status =
        json_object_get(json_object_get(json_object_get(c, "entry"), "response"), "status");
    return json_is_integer(status) ? (long)json_integer_value(status) : 200;
}

/* Asserts that the reply is the case's recording, byte for byte. */
static void s_assert_recorded(json_t *c, const treplay_reply_t *reply)
{
    json_t *entry = json_object_get(c, "entry");
    const char *file = json_string_value(json_object_get(entry, "file"));
    size_t len;
    char *body = s_case_body(c, &len);
    if (reply->code != CURLE_OK || reply->status != s_case_status(c) || reply->len != len ||
        memcmp(reply->body, body, len) != 0)
        fail_msg("%s: curl %d status %ld, %zu bytes (want %ld, %zu bytes): %.200s", file,
                 reply->code, reply->status, reply->len, s_case_status(c), len, reply->body);
    const char *type =
        json_string_value(json_object_get(json_object_get(entry, "response"), "content_type"));
    if (type)
        assert_string_equal(reply->content_type, type);
    free(body);
}

static void s_post_json(const char *path, const char *json, long want_status)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", s_server.base, path);
    treplay_reply_t reply;
    treplay_http("POST", url, json, 0, &reply);
    if (reply.code != CURLE_OK || reply.status != want_status)
        fail_msg("POST %s %s: curl %d status %ld: %s", path, json, reply.code, reply.status,
                 reply.body);
    treplay_reply_free(&reply);
}

static void s_set_mode(const char *provider, const char *mode, const char *more)
{
    char json[256];
    snprintf(json, sizeof json, "{\"provider\":\"%s\",\"mode\":\"%s\"%s%s}", provider, mode,
             more ? "," : "", more ? more : "");
    s_post_json("/_replay/mode", json, 200);
}

static json_t *s_get_json(const char *path)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", s_server.base, path);
    treplay_reply_t reply;
    treplay_http("GET", url, NULL, 0, &reply);
    assert_int_equal(reply.status, 200);
    json_t *out = json_loadb(reply.body, reply.len, 0, NULL);
    assert_non_null(out);
    treplay_reply_free(&reply);
    return out;
}

/* First case whose URL prefix is that of provider. */
static json_t *s_case_of(const char *provider)
{
    size_t i;
    json_t *c;
    json_array_foreach(s_cases, i, c)
    {
        json_t *req = json_object_get(json_object_get(c, "entry"), "request");
        const char *prefix = s_prefix_of(json_string_value(json_object_get(req, "base")));
        if (prefix && strcmp(prefix + 1, provider) == 0)
            return c;
    }
    fail_msg("no recording for provider %s", provider);
    return NULL;
}

static int s_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char *argv[] = {REPLAY_BINARY, "--data", REPLAY_DATA_DIR, "--listen", "127.0.0.1:0", NULL};
    if (treplay_start(&s_server, argv) != 0)
        return -1;
    s_load_cases();
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    json_decref(s_cases);
    int rc = treplay_stop(&s_server, 10000);
    curl_global_cleanup();
    return rc == 0 ? 0 : -1;
}

static int s_reset(void **state)
{
    (void)state;
    s_post_json("/_replay/reset", "{}", 200);
    return 0;
}

/* Every recording is served with its recorded status and exact bytes. */
static void test_every_recording(void **state)
{
    (void)state;
    size_t i;
    json_t *c;
    json_array_foreach(s_cases, i, c)
    {
        treplay_reply_t reply;
        s_case_request(c, &(s_edit_t){0}, &reply);
        s_assert_recorded(c, &reply);
        treplay_reply_free(&reply);
    }
    json_t *listed = s_get_json("/_replay/recordings");
    assert_int_equal(json_array_size(listed), json_array_size(s_cases));
    json_decref(listed);
}

/* Query order does not matter; '+' and %20 are both a space; MusicBrainz inc is a token set. */
static void test_query_order_and_encoding(void **state)
{
    (void)state;
    size_t i;
    json_t *c;
    json_array_foreach(s_cases, i, c)
    {
        treplay_reply_t reply;
        s_case_request(c, &(s_edit_t){.reverse = true}, &reply);
        s_assert_recorded(c, &reply);
        treplay_reply_free(&reply);
    }
    static const char *same[] = {
        "/lrclib/api/search?q=I+Want+to+Live",
        "/lrclib/api/search?q=I%20Want%20to%20Live",
        "/musicbrainz/ws/2/release/e47d04a4-7460-427d-a731-cc82386d85f1?fmt=json&"
        "inc=genres+labels%2Brecordings%20artist-credits+release-groups",
        "/musicbrainz/ws/2/release/e47d04a4-7460-427d-a731-cc82386d85f1?"
        "inc=recordings%2Bartist-credits%2Blabels%2Brelease-groups%2Bgenres&fmt=json",
        "/musicbrainz/ws/2/recording?query=isrc%3AGBAHT1600302&fmt=json",
        "/musicbrainz/ws/2/artist?fmt=json&query=Manowar",
        "/deezer/track/3135556/",
    };
    for (size_t k = 0; k < sizeof same / sizeof same[0]; k++) {
        char url[512];
        snprintf(url, sizeof url, "%s%s", s_server.base, same[k]);
        treplay_reply_t reply;
        treplay_http("GET", url, NULL, 0, &reply);
        if (reply.status != 200)
            fail_msg("%s -> %ld %s", same[k], reply.status, reply.body);
        treplay_reply_free(&reply);
    }
}

static void s_expect_404(json_t *c, const s_edit_t *edit)
{
    treplay_reply_t reply;
    s_case_request(c, edit, &reply);
    json_t *body = json_loadb(reply.body, reply.len, 0, NULL);
    if (reply.status != 404 || !body ||
        strcmp(json_string_value(json_object_get(body, "error")), "no recording") != 0)
        fail_msg("%s: want 404 no recording, got %ld %s",
                 json_string_value(json_object_get(json_object_get(c, "entry"), "file")),
                 reply.status, reply.body);
    json_decref(body);
    treplay_reply_free(&reply);
}

/* A changed value, an extra or a missing parameter finds no recording. */
static void test_mismatch_is_404(void **state)
{
    (void)state;
    size_t i, checked = 0;
    json_t *c;
    json_array_foreach(s_cases, i, c)
    {
        json_t *req = json_object_get(json_object_get(c, "entry"), "request");
        if (strcmp(json_string_value(json_object_get(req, "method")), "GET") != 0)
            continue;
        s_expect_404(c, &(s_edit_t){.extra = "unexpected=1"});
        json_t *first = json_array_get(json_object_get(req, "query"), 0);
        if (!first)
            continue;
        const char *name = json_string_value(json_array_get(first, 0));
        s_expect_404(c, &(s_edit_t){.drop = name});
        if (json_is_string(json_array_get(first, 1)))
            s_expect_404(c, &(s_edit_t){.change = name});
        checked++;
    }
    assert_true(checked > 0);
    char url[256];
    snprintf(url, sizeof url, "%s/nowhere/track/1", s_server.base);
    treplay_reply_t reply;
    treplay_http("GET", url, NULL, 0, &reply);
    assert_int_equal(reply.status, 404);
    treplay_reply_free(&reply);
}

/* A recorded null value accepts any value, but the parameter must be present. */
static void test_null_value_matches_any(void **state)
{
    (void)state;
    size_t i, wild = 0;
    json_t *c;
    json_array_foreach(s_cases, i, c)
    {
        json_t *query =
            json_object_get(json_object_get(json_object_get(c, "entry"), "request"), "query");
        size_t k;
        json_t *pair;
        json_array_foreach(query, k, pair)
        {
            if (!json_is_null(json_array_get(pair, 1)))
                continue;
            static const char *values[] = {"x", "release:\"Kat Moda\" AND arid:123", ""};
            for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
                treplay_reply_t reply;
                s_case_request(c, &(s_edit_t){.null_value = values[v]}, &reply);
                s_assert_recorded(c, &reply);
                treplay_reply_free(&reply);
            }
            s_expect_404(c, &(s_edit_t){.drop = json_string_value(json_array_get(pair, 0))});
            wild++;
        }
    }
    assert_true(wild > 0);
}

typedef struct {
    char url[512];
    long timeout_ms;
    treplay_reply_t reply;
} s_job_t;

static void *s_job_run(void *arg)
{
    s_job_t *job = arg;
    treplay_http("GET", job->url, NULL, job->timeout_ms, &job->reply);
    return NULL;
}

/* Runs n GETs at once; returns the elapsed milliseconds. */
static long long s_parallel(s_job_t *jobs, size_t n)
{
    pthread_t threads[32];
    assert_true(n <= 32);
    long long start = treplay_now_ms();
    for (size_t i = 0; i < n; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, s_job_run, &jobs[i]), 0);
    for (size_t i = 0; i < n; i++)
        pthread_join(threads[i], NULL);
    return treplay_now_ms() - start;
}

static void s_job_for(s_job_t *job, const char *provider, long timeout_ms)
{
    json_t *c = s_case_of(provider);
    char *url = s_case_url(json_object_get(c, "entry"), &(s_edit_t){0});
    snprintf(job->url, sizeof job->url, "%s", url);
    job->timeout_ms = timeout_ms;
    free(url);
}

/* error500, status, malformed per provider; the others stay normal. */
static void test_fault_modes(void **state)
{
    (void)state;
    for (size_t p = 0; p < N_PROVIDERS; p++) {
        json_t *c = s_case_of(s_providers[p]);
        json_t *other = s_case_of(s_providers[(p + 1) % N_PROVIDERS]);
        treplay_reply_t reply;
        s_set_mode(s_providers[p], "error500", NULL);
        s_case_request(c, &(s_edit_t){0}, &reply);
        assert_int_equal(reply.status, 500);
        treplay_reply_free(&reply);
        s_case_request(other, &(s_edit_t){0}, &reply);
        s_assert_recorded(other, &reply);
        treplay_reply_free(&reply);

        s_set_mode(s_providers[p], "status", "\"status\":503,\"retry_after_s\":2");
        s_case_request(c, &(s_edit_t){0}, &reply);
        assert_int_equal(reply.status, 503);
        treplay_reply_free(&reply);

        s_set_mode(s_providers[p], "malformed", NULL);
        s_case_request(c, &(s_edit_t){0}, &reply);
        size_t len;
        char *body = s_case_body(c, &len);
        assert_int_equal(reply.status, 200);
        assert_true(reply.len > 0 && reply.len < len);
        assert_memory_equal(reply.body, body, reply.len);
        json_t *parsed = json_loadb(reply.body, reply.len, 0, NULL);
        assert_null(parsed);
        free(body);
        treplay_reply_free(&reply);
        s_set_mode(s_providers[p], "normal", NULL);
    }
    s_post_json("/_replay/reset", "{}", 200);
    for (size_t p = 0; p < N_PROVIDERS; p++) {
        treplay_reply_t reply;
        s_case_request(s_case_of(s_providers[p]), &(s_edit_t){0}, &reply);
        s_assert_recorded(s_case_of(s_providers[p]), &reply);
        treplay_reply_free(&reply);
    }
}

/* timeout holds every provider's request past a 1 s client timeout; reset releases. */
static void test_timeout_mode(void **state)
{
    (void)state;
    s_set_mode("*", "timeout", NULL);
    s_job_t jobs[N_PROVIDERS];
    memset(jobs, 0, sizeof jobs);
    for (size_t p = 0; p < N_PROVIDERS; p++)
        s_job_for(&jobs[p], s_providers[p], 1000);
    long long ms = s_parallel(jobs, N_PROVIDERS);
    for (size_t p = 0; p < N_PROVIDERS; p++) {
        if (jobs[p].reply.code != CURLE_OPERATION_TIMEDOUT)
            fail_msg("%s: want a client timeout, got curl %d status %ld", s_providers[p],
                     jobs[p].reply.code, jobs[p].reply.status);
        treplay_reply_free(&jobs[p].reply);
    }
    assert_true(ms >= 1000 && ms < 3000);
    s_post_json("/_replay/reset", "{}", 200);
    s_job_for(&jobs[0], "deezer", 1000);
    s_parallel(jobs, 1);
    assert_int_equal(jobs[0].reply.status, 200);
    treplay_reply_free(&jobs[0].reply);
}

/* 10 requests delayed 300 ms each overlap instead of queueing. */
static void test_delay_overlaps(void **state)
{
    (void)state;
    s_set_mode("lrclib", "normal", "\"delay_ms\":300");
    s_job_t jobs[10];
    memset(jobs, 0, sizeof jobs);
    for (size_t i = 0; i < 10; i++)
        s_job_for(&jobs[i], "lrclib", 5000);
    long long ms = s_parallel(jobs, 10);
    for (size_t i = 0; i < 10; i++) {
        s_assert_recorded(s_case_of("lrclib"), &jobs[i].reply);
        treplay_reply_free(&jobs[i].reply);
    }
    if (ms < 300 || ms > 1500)
        fail_msg("10 x 300 ms delayed requests took %lld ms", ms);
}

static void test_stats(void **state)
{
    (void)state;
    json_t *deezer = s_case_of("deezer"), *itunes = s_case_of("itunes");
    treplay_reply_t reply;
    for (int i = 0; i < 3; i++) {
        s_case_request(deezer, &(s_edit_t){0}, &reply);
        treplay_reply_free(&reply);
    }
    s_case_request(itunes, &(s_edit_t){0}, &reply);
    treplay_reply_free(&reply);
    s_case_request(itunes, &(s_edit_t){.extra = "nope=1"}, &reply);
    treplay_reply_free(&reply);

    json_t *stats = s_get_json("/_replay/stats");
    json_t *requests = json_object_get(stats, "requests");
    assert_int_equal(json_integer_value(json_object_get(requests, "deezer")), 3);
    assert_int_equal(json_integer_value(json_object_get(requests, "itunes")), 2);
    assert_int_equal(json_integer_value(json_object_get(requests, "spotify")), 0);
    assert_int_equal(json_integer_value(json_object_get(stats, "unmatched")), 1);
    char path[512];
    json_t *req = json_object_get(json_object_get(deezer, "entry"), "request");
    snprintf(path, sizeof path, "/deezer%s", json_string_value(json_object_get(req, "path")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(stats, "by_path"), path)),
                     3);
    json_decref(stats);

    s_post_json("/_replay/reset", "{}", 200);
    stats = s_get_json("/_replay/stats");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(stats, "requests"), "deezer")), 0);
    assert_int_equal(json_object_size(json_object_get(stats, "by_path")), 0);
    json_decref(stats);
}

/* Bad control requests are 400; odd requests never take the server down. */
static void test_bad_input(void **state)
{
    (void)state;
    s_post_json("/_replay/mode", "not json", 400);
    s_post_json("/_replay/mode", "{\"provider\":\"nobody\",\"mode\":\"normal\"}", 400);
    s_post_json("/_replay/mode", "{\"provider\":\"deezer\",\"mode\":\"sideways\"}", 400);
    s_post_json("/_replay/mode", "{\"provider\":\"deezer\",\"mode\":\"status\"}", 400);
    s_post_json("/_replay/mode", "{\"provider\":\"deezer\",\"delay_ms\":-5}", 400);
    static const char *odd[] = {"/deezer", "/deezer/%00%ff?%zz=%&&=x&a", "/_replay",
                                "/musicbrainz/ws/2/artist?inc=++&fmt=", "/%2e%2e/etc/passwd"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        char url[256];
        snprintf(url, sizeof url, "%s%s", s_server.base, odd[i]);
        treplay_reply_t reply;
        treplay_http("GET", url, NULL, 0, &reply);
        assert_int_equal(reply.code, CURLE_OK);
        assert_true(reply.status >= 400 && reply.status < 500);
        treplay_reply_free(&reply);
    }
    treplay_reply_t reply;
    s_case_request(s_case_of("deezer"), &(s_edit_t){0}, &reply);
    assert_int_equal(reply.status, 200);
    treplay_reply_free(&reply);
}

static void s_write(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Broken entries are skipped; the rest is served; bad arguments exit 2. */
static void test_other_data_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_replay_XXXXXX", sub[64];
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/x", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    s_write(sub, "ok.json", "{\"ok\":true}");
    s_write(sub, "manifest.json",
            "{\"entries\":[7, {\"file\":\"missing.json\",\"request\":{\"method\":\"GET\","
            "\"base\":\"https://api.deezer.com\",\"path\":\"/a\",\"query\":[]},\"response\":{}},"
            "{\"file\":\"ok.json\",\"request\":{\"method\":\"GET\",\"base\":\"https://x.org\","
            "\"path\":\"/b\",\"query\":[]},\"response\":{}},"
            "{\"file\":\"ok.json\",\"request\":{\"method\":\"GET\",\"base\":\"https://lrclib.net\","
            "\"path\":\"/c\",\"query\":[[\"q\"]]},\"response\":{}},"
            "{\"file\":\"ok.json\",\"request\":{\"method\":\"GET\",\"base\":\"https://lrclib.net\","
            "\"path\":\"/api/ok\",\"query\":[[\"q\",null]]},\"response\":{\"status\":201}}]}");
    treplay_proc_t proc;
    char *argv[] = {REPLAY_BINARY, "--data", dir, NULL};
    assert_int_equal(treplay_start(&proc, argv), 0);
    char url[256];
    snprintf(url, sizeof url, "%s/lrclib/api/ok?q=1", proc.base);
    treplay_reply_t reply;
    treplay_http("GET", url, NULL, 0, &reply);
    assert_int_equal(reply.status, 201);
    assert_string_equal(reply.body, "{\"ok\":true}");
    assert_string_equal(reply.content_type, "application/json");
    treplay_reply_free(&reply);
    json_t *listed = NULL;
    snprintf(url, sizeof url, "%s/_replay/recordings", proc.base);
    treplay_http("GET", url, NULL, 0, &reply);
    listed = json_loadb(reply.body, reply.len, 0, NULL);
    assert_int_equal(json_array_size(listed), 1);
    json_decref(listed);
    treplay_reply_free(&reply);

    /* Stopping releases a held request at once and still exits 0. */
    snprintf(url, sizeof url, "%s/_replay/mode", proc.base);
    treplay_http("POST", url, "{\"provider\":\"*\",\"mode\":\"timeout\"}", 0, &reply);
    assert_int_equal(reply.status, 200);
    treplay_reply_free(&reply);
    s_job_t held = {.timeout_ms = 20000};
    snprintf(held.url, sizeof held.url, "%s/lrclib/api/ok?q=1", proc.base);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, s_job_run, &held), 0);
    usleep(300000);
    long long start = treplay_now_ms();
    assert_int_equal(treplay_stop(&proc, 10000), 0);
    pthread_join(thread, NULL);
    assert_true(treplay_now_ms() - start < 3000);
    assert_int_equal(held.reply.status, 0);
    assert_true(held.reply.code != CURLE_OK && held.reply.code != CURLE_OPERATION_TIMEDOUT);
    treplay_reply_free(&held.reply);

    char *bad_listen[] = {REPLAY_BINARY, "--data", dir, "--listen", "0.0.0.0:1", NULL};
    assert_int_equal(treplay_run(bad_listen, 10000), 2);
    char *no_data[] = {REPLAY_BINARY, NULL};
    assert_int_equal(treplay_run(no_data, 10000), 2);
    char *empty[] = {REPLAY_BINARY, "--data", sub, NULL};
    unlink(strcat(strcpy(url, sub), "/manifest.json"));
    assert_int_equal(treplay_run(empty, 10000), 1);
    unlink(strcat(strcpy(url, sub), "/ok.json"));
    rmdir(sub);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_every_recording, s_reset),
        cmocka_unit_test_setup(test_query_order_and_encoding, s_reset),
        cmocka_unit_test_setup(test_mismatch_is_404, s_reset),
        cmocka_unit_test_setup(test_null_value_matches_any, s_reset),
        cmocka_unit_test_setup(test_fault_modes, s_reset),
        cmocka_unit_test_setup(test_timeout_mode, s_reset),
        cmocka_unit_test_setup(test_delay_overlaps, s_reset),
        cmocka_unit_test_setup(test_stats, s_reset),
        cmocka_unit_test_setup(test_bad_input, s_reset),
        cmocka_unit_test_setup(test_other_data_dir, s_reset),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
