#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "recorded_server.h"

#include "recordings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the recorded requests ---- */

typedef struct {
    char prefix[16]; /* "deezer", "spotify", "spotify-auth", "itunes" */
    char dir[16];
    char method[8];
    char path[256];
    json_t *query; /* [[name, value], ...] */
    char file[160];
    int hits;
} s_rec_t;

#define S_MAX_RECS 64

typedef struct {
    s_rec_t recs[S_MAX_RECS];
    int n_recs;
    char big_body[4096];
} s_state_t;

static s_state_t s_st;
rs_faults_t rs_faults;

static const char *s_prefix_of(const char *base)
{
    if (strcmp(base, "https://api.deezer.com") == 0)
        return "deezer";
    if (strcmp(base, "https://api.spotify.com") == 0)
        return "spotify";
    if (strcmp(base, "https://accounts.spotify.com") == 0)
        return "spotify-auth";
    if (strcmp(base, "https://itunes.apple.com") == 0)
        return "itunes";
    return NULL;
}

static void s_load(const char *dir)
{
    json_t *entries = rec_manifest(dir);
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        json_t *req = json_object_get(e, "request");
        const char *prefix = s_prefix_of(json_string_value(json_object_get(req, "base")));
        assert_non_null(prefix);
        assert_true(s_st.n_recs < S_MAX_RECS);
        s_rec_t *r = &s_st.recs[s_st.n_recs++];
        snprintf(r->prefix, sizeof r->prefix, "%s", prefix);
        snprintf(r->dir, sizeof r->dir, "%s", dir);
        snprintf(r->method, sizeof r->method, "%s",
                 json_string_value(json_object_get(req, "method")));
        snprintf(r->path, sizeof r->path, "%s", json_string_value(json_object_get(req, "path")));
        snprintf(r->file, sizeof r->file, "%s", json_string_value(json_object_get(e, "file")));
        r->query = json_incref(json_object_get(req, "query"));
    }
    json_decref(entries);
}

static int s_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void s_decode(const char *in, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < size; i++) {
        if (in[i] == '+') {
            out[o++] = ' ';
        } else if (in[i] == '%' && i + 2 < len && s_hex(in[i + 1]) >= 0 && s_hex(in[i + 2]) >= 0) {
            out[o++] = (char)(s_hex(in[i + 1]) * 16 + s_hex(in[i + 2]));
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    out[o] = '\0';
}

/* The query of a request equals the recorded one as a set of (name, value) pairs. */
static bool s_query_matches(const json_t *recorded, const char *query)
{
    size_t n_recorded = json_array_size(recorded);
    bool used[32] = {false};
    size_t n = 0;
    const char *p = query;
    while (p && *p) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t name_len = eq ? (size_t)(eq - p) : len;
        char name[256], value[1024];
        s_decode(p, name_len, name, sizeof name);
        s_decode(eq ? eq + 1 : "", eq ? len - name_len - 1 : 0, value, sizeof value);
        bool found = false;
        for (size_t i = 0; i < n_recorded && !found; i++) {
            json_t *pair = json_array_get(recorded, i);
            const char *rv = json_string_value(json_array_get(pair, 1));
            if (!used[i] && strcmp(json_string_value(json_array_get(pair, 0)), name) == 0 &&
                (!rv || strcmp(rv, value) == 0)) {
                used[i] = found = true;
            }
        }
        if (!found)
            return false;
        n++;
        p += len;
        if (*p == '&')
            p++;
    }
    return n == n_recorded;
}

static s_rec_t *s_find(const fake_request_t *req)
{
    char target[2048];
    snprintf(target, sizeof target, "%s", req->target);
    char *query = strchr(target, '?');
    if (query)
        *query++ = '\0';
    for (int i = 0; i < s_st.n_recs; i++) {
        s_rec_t *r = &s_st.recs[i];
        char full[300];
        snprintf(full, sizeof full, "/%s%s", r->prefix, r->path);
        if (strcmp(full, target) == 0 && strcmp(r->method, req->method) == 0 &&
            s_query_matches(r->query, query))
            return r;
    }
    return NULL;
}

static void s_reply_text(fake_reply_t *reply, long status, const char *text)
{
    reply->status = status;
    reply->body = strdup(text);
    reply->body_len = strlen(text);
    reply->owned = 1;
}

static void s_handler(void *ud, const fake_request_t *req, fake_reply_t *reply)
{
    (void)ud;
    reply->delay_ms = rs_faults.delay_ms;
    if (rs_faults.force_status > 0) {
        s_reply_text(reply, rs_faults.force_status, "{\"error\":\"forced\"}");
        return;
    }
    if (rs_faults.malformed) {
        s_reply_text(reply, 200, "{\"id\": 3135556, \"title\": ");
        return;
    }
    if (strcmp(req->target, "/deezer/big") == 0) {
        reply->status = 200;
        reply->body = s_st.big_body;
        reply->body_len = sizeof s_st.big_body;
        return;
    }
    char auth[256] = "";
    fake_http_header(req, "Authorization", auth, sizeof auth);
    if (strncmp(req->target, "/spotify/", 9) == 0) {
        if (strcmp(auth, "Bearer REDACTED") != 0 || rs_faults.spotify_401 > 0) {
            if (rs_faults.spotify_401 > 0)
                rs_faults.spotify_401--;
            s_reply_text(reply, 401, "{\"error\":{\"status\":401,\"message\":\"expired\"}}");
            return;
        }
    }
    if (strcmp(req->target, "/spotify-auth/api/token") == 0) {
        rs_faults.token_posts++;
        /* base64("bedrock-test:not-a-secret") */
        if (strcmp(auth, "Basic YmVkcm9jay10ZXN0Om5vdC1hLXNlY3JldA==") != 0 ||
            strcmp(req->body, "grant_type=client_credentials") != 0) {
            s_reply_text(reply, 400, "{\"error\":\"invalid_client\"}");
            return;
        }
    }
    s_rec_t *r = s_find(req);
    if (!r) {
        s_reply_text(reply, 404, "{\"error\":\"no recording\"}");
        return;
    }
    r->hits++;
    reply->status = 200;
    reply->body = rec_read(r->dir, r->file, &reply->body_len);
    reply->owned = 1;
}

/* ---- environment ---- */

static fake_http_t *s_server;

const char *const rs_vars[] = {"BEDROCK_DEEZER_URL",
                               "BEDROCK_SPOTIFY_URL",
                               "BEDROCK_SPOTIFY_AUTH_URL",
                               "BEDROCK_ITUNES_URL",
                               "BEDROCK_MUSICBRAINZ_URL",
                               "BEDROCK_LRCLIB_URL",
                               "BEDROCK_SPOTIFY_CLIENT_ID",
                               "BEDROCK_SPOTIFY_CLIENT_SECRET",
                               "BEDROCK_ITUNES_COUNTRY",
                               "BEDROCK_USER_AGENT",
                               "BEDROCK_PROVIDER_TIMEOUT_MS",
                               "BEDROCK_PROVIDER_CONNECT_TIMEOUT_MS",
                               "BEDROCK_PROVIDER_RATE_WAIT_MS",
                               "BEDROCK_PROVIDER_MAX_BODY_BYTES",
                               "BEDROCK_BREAKER_FAILURES",
                               "BEDROCK_BREAKER_OPEN_MS",
                               "BEDROCK_RATE_DEEZER",
                               "BEDROCK_RATE_SPOTIFY",
                               "BEDROCK_RATE_ITUNES",
                               NULL};

/* A fresh environment pointing every provider at the fake server, then extra
 * "NAME=value" settings. */
provider_http_t *rs_http(const char *const *extra, const provider_kv_t *kv)
{
    for (size_t i = 0; rs_vars[i]; i++)
        unsetenv(rs_vars[i]);
    char url[128];
    static const char *const map[][2] = {{"BEDROCK_DEEZER_URL", "deezer"},
                                         {"BEDROCK_SPOTIFY_URL", "spotify"},
                                         {"BEDROCK_SPOTIFY_AUTH_URL", "spotify-auth"},
                                         {"BEDROCK_ITUNES_URL", "itunes"}};
    for (size_t i = 0; i < 4; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", fake_http_port(s_server), map[i][1]);
        setenv(map[i][0], url, 1);
    }
    setenv("BEDROCK_RATE_DEEZER", "1000", 1);
    setenv("BEDROCK_RATE_SPOTIFY", "1000", 1);
    setenv("BEDROCK_RATE_ITUNES", "1000", 1);
    setenv("BEDROCK_PROVIDER_TIMEOUT_MS", "3000", 1);
    for (size_t i = 0; extra && extra[i]; i++) {
        char name[128];
        const char *eq = strchr(extra[i], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - extra[i]), extra[i]);
        setenv(name, eq + 1, 1);
    }
    return provider_http_new(kv);
}

void rs_reset(void)
{
    rs_faults.force_status = 0;
    rs_faults.delay_ms = 0;
    rs_faults.malformed = false;
    rs_faults.spotify_401 = 0;
    rs_faults.token_posts = 0;
}

int rs_count(void)
{
    return fake_http_count(s_server, NULL);
}

void rs_last_request(fake_request_t *out)
{
    assert_int_equal(fake_http_request(s_server, rs_count() - 1, out), 0);
}

static long long s_now(void *ud)
{
    return ((rs_clock_t *)ud)->now;
}

static void s_sleep(void *ud, long ms)
{
    ((rs_clock_t *)ud)->now += ms;
}

static long long s_kv_incr(void *ud, const char *key, int ttl_ms)
{
    rs_kv_t *kv = ud;
    (void)ttl_ms;
    kv->incr_calls++;
    snprintf(kv->last_key, sizeof kv->last_key, "%s", key);
    return kv->down ? -1 : ++kv->count;
}

static char *s_kv_get(void *ud, const char *key)
{
    rs_kv_t *kv = ud;
    if (kv->down || strcmp(key, "provider:spotify:token") != 0 || !kv->token[0])
        return NULL;
    return strdup(kv->token);
}

static int s_kv_set(void *ud, const char *key, const char *value, int ttl_s)
{
    rs_kv_t *kv = ud;
    if (kv->down)
        return -1;
    assert_string_equal(key, "provider:spotify:token");
    snprintf(kv->token, sizeof kv->token, "%s", value);
    kv->token_ttl = ttl_s;
    kv->sets++;
    return 0;
}

provider_clock_t rs_clock(rs_clock_t *c)
{
    return (provider_clock_t){.ud = c, .now_ms = s_now, .sleep_ms = s_sleep};
}

provider_kv_t rs_kv(rs_kv_t *store)
{
    return (provider_kv_t){.ud = store, .get = s_kv_get, .set = s_kv_set, .incr_expire = s_kv_incr};
}

void rs_start(void)
{
    s_load("deezer");
    s_load("spotify");
    s_load("itunes");
    memset(s_st.big_body, 'x', sizeof s_st.big_body);
    s_server = fake_http_start(s_handler, NULL);
}

void rs_stop(void)
{
    fake_http_stop(&s_server);
    for (int i = 0; i < s_st.n_recs; i++)
        json_decref(s_st.recs[i].query);
    s_st.n_recs = 0;
}

fake_http_t *rs_server(void)
{
    return s_server;
}

int rs_port(void)
{
    return fake_http_port(s_server);
}

void rs_clear_hits(void)
{
    for (int i = 0; i < s_st.n_recs; i++)
        s_st.recs[i].hits = 0;
}

int rs_unrequested(const char *skip_path, char *out, size_t size)
{
    for (int i = 0; i < s_st.n_recs; i++) {
        const s_rec_t *r = &s_st.recs[i];
        if (r->hits == 0 && !(skip_path && strcmp(r->path, skip_path) == 0)) {
            snprintf(out, size, "%s/%s", r->dir, r->file);
            return -1;
        }
    }
    return 0;
}
