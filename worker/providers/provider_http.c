/* provider_http — libcurl, rate limits, breakers and shared values for providers.
 *
 * One easy handle per platform, reused so that keep-alive connections survive
 * between calls (curl_easy_reset keeps the connection cache). The worker is
 * single-threaded: nothing here locks.
 */
#include "provider_http.h"

#include "log.h"
#include "provider_breaker.h"
#include "provider_config.h"
#include "provider_ratelimit.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Process-local copies of shared values (the Spotify token): few keys, small. */
#define S_LOCAL_SLOTS 8
/* How long a value read from the shared store is trusted without asking again. */
#define S_LOCAL_RECHECK_S 60

typedef struct {
    char *key;
    char *value;
    long long expires_ms;
} s_local_t;

typedef struct {
    CURL *curl;
    provider_breaker_t breaker;
    provider_ratelimit_t rate;
    long last_status;
    char last_error[PROVIDER_ERR_MAX];
    long last_latency_ms;
    long long last_checked_ms;
} s_platform_t;

struct provider_http {
    provider_config_t cfg;
    provider_kv_t kv;
    provider_clock_t clock;
    s_platform_t platforms[PROVIDER_PLATFORM_COUNT];
    s_local_t local[S_LOCAL_SLOTS];
    void (*progress)(void *arg); /* see provider_http_set_progress */
    void *progress_arg;
};

void provider_http_set_progress(provider_http_t *http, void (*fn)(void *arg), void *arg)
{
    http->progress = fn;
    http->progress_arg = arg;
}

/* libcurl calls this about once a second (and on every chunk) while a transfer runs:
 * the worker uses it to keep heartbeating during a slow provider answer. */
static int s_xferinfo(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                      curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    provider_http_t *http = clientp;
    if (http->progress)
        http->progress(http->progress_arg);
    return 0;
}

static long long s_wall_now(void *ud)
{
    (void)ud;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void s_wall_sleep(void *ud, long ms)
{
    (void)ud;
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static long long s_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *s_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) {
        log_error("out of memory");
        abort();
    }
    return p;
}

provider_http_t *provider_http_new(const provider_kv_t *kv)
{
    /* Settings first: a bad one exits 2 before anything is allocated. */
    provider_config_t cfg;
    provider_config_load(&cfg);
    provider_http_t *self = s_xcalloc(1, sizeof *self);
    self->cfg = cfg;
    if (kv)
        self->kv = *kv;
    provider_http_set_clock(self, NULL);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("provider_http: curl_global_init failed");
        abort();
    }
    for (int i = 0; i < PROVIDER_PLATFORM_COUNT; i++) {
        s_platform_t *p = &self->platforms[i];
        p->curl = curl_easy_init();
        if (!p->curl) {
            log_error("provider_http: curl_easy_init failed");
            abort();
        }
        provider_breaker_init(&p->breaker, self->cfg.breaker_failures, self->cfg.breaker_open_ms);
        p->last_latency_ms = -1;
    }
    provider_config_log(&self->cfg);
    return self;
}

void provider_http_destroy(provider_http_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    provider_http_t *self = *self_p;
    for (int i = 0; i < PROVIDER_PLATFORM_COUNT; i++)
        curl_easy_cleanup(self->platforms[i].curl);
    for (int i = 0; i < S_LOCAL_SLOTS; i++) {
        free(self->local[i].key);
        free(self->local[i].value);
    }
    provider_config_clear(&self->cfg);
    free(self);
    curl_global_cleanup();
    *self_p = NULL;
}

void provider_http_set_clock(provider_http_t *http, const provider_clock_t *clock)
{
    if (clock)
        http->clock = *clock;
    else
        http->clock =
            (provider_clock_t){.ud = NULL, .now_ms = s_wall_now, .sleep_ms = s_wall_sleep};
}

void provider_response_clear(provider_response_t *resp)
{
    if (!resp)
        return;
    free(resp->body);
    *resp = (provider_response_t){0};
}

/* ---- one request ---- */

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    bool too_large;
} s_buf_t;

static size_t s_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    s_buf_t *buf = ud;
    size_t n = size * nmemb;
    if (buf->len + n > buf->max) {
        buf->too_large = true;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (buf->len + n + 1 > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 16384;
        while (cap < buf->len + n + 1)
            cap *= 2;
        char *grown = realloc(buf->data, cap);
        if (!grown)
            return 0;
        buf->data = grown;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, ptr, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return n;
}

static void s_set_error(s_platform_t *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void s_set_error(s_platform_t *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->last_error, sizeof p->last_error, fmt, ap);
    va_end(ap);
}

/* A transport failure: the breaker learns it here, providers never see a response. */
static provider_result_t s_transport_failure(provider_http_t *http, int idx, CURLcode rc,
                                             const s_buf_t *buf, provider_err_t *err)
{
    s_platform_t *p = &http->platforms[idx];
    const char *name = provider_config_name(idx);
    provider_err_t why;
    provider_result_t result;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        result = provider_fail(&why, PROVIDER_TIMEOUT, "%s did not answer within %ld ms", name,
                               http->cfg.timeout_ms);
    } else if (rc == CURLE_WRITE_ERROR && buf->too_large) {
        result = provider_fail(&why, PROVIDER_UPSTREAM, "%s answer larger than %ld bytes", name,
                               http->cfg.max_body_bytes);
    } else {
        result = provider_fail(&why, PROVIDER_UPSTREAM, "%s unreachable: %s", name,
                               curl_easy_strerror(rc));
    }
    long long now = http->clock.now_ms(http->clock.ud);
    provider_breaker_record(&p->breaker, false, now);
    p->last_checked_ms = now;
    s_set_error(p, "%s", why.message);
    log_warn("provider %s: request failed: %s", name, why.message);
    if (err)
        *err = why;
    return result;
}

/* Breaker and rate limit; PROVIDER_OK when the call may go out. */
static provider_result_t s_admit(provider_http_t *http, int idx, provider_err_t *err)
{
    s_platform_t *p = &http->platforms[idx];
    const char *name = provider_config_name(idx);
    if (!provider_breaker_allow(&p->breaker, http->clock.now_ms(http->clock.ud)))
        return provider_fail(err, PROVIDER_UNAVAILABLE, "%s circuit open", name);
    provider_ratelimit_settings_t set = {.limit = http->cfg.platforms[idx].rate_limit,
                                         .window_ms = http->cfg.platforms[idx].rate_window_ms,
                                         .max_wait_ms = http->cfg.rate_wait_ms};
    if (provider_ratelimit_acquire(&p->rate, &http->kv, name, &set, &http->clock, NULL) < 0) {
        provider_breaker_release(&p->breaker);
        return provider_fail(err, PROVIDER_UNAVAILABLE, "%s rate limited", name);
    }
    return PROVIDER_OK;
}

static struct curl_slist *s_headers(const char *const *headers, bool form)
{
    struct curl_slist *list = curl_slist_append(NULL, "Accept: application/json");
    if (form && list)
        list = curl_slist_append(list, "Content-Type: application/x-www-form-urlencoded");
    for (size_t i = 0; headers && headers[i] && list; i++)
        list = curl_slist_append(list, headers[i]);
    return list;
}

static int s_setup(provider_http_t *http, CURL *curl, const char *url, struct curl_slist *hdrs,
                   const char *form, s_buf_t *buf)
{
    curl_easy_reset(curl);
    int bad = 0;
    bad |= curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_USERAGENT, http->cfg.user_agent) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, http->cfg.timeout_ms) != CURLE_OK;
    bad |=
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, http->cfg.connect_timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
    /* No redirects: the APIs answer directly, and a hop elsewhere must not carry our
     * Authorization header. A 3xx reaches the provider as a status (an upstream error). */
    bad |= curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_write) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_WRITEDATA, buf) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, s_xferinfo) != CURLE_OK;
    bad |= curl_easy_setopt(curl, CURLOPT_XFERINFODATA, http) != CURLE_OK;
    if (form) {
        bad |= curl_easy_setopt(curl, CURLOPT_POST, 1L) != CURLE_OK;
        bad |= curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form) != CURLE_OK;
    }
    return bad ? -1 : 0;
}

static provider_result_t s_perform(provider_http_t *http, int idx, const char *base,
                                   const char *path, const char *form, const char *const *headers,
                                   provider_response_t *resp, provider_err_t *err)
{
    provider_response_clear(resp);
    provider_result_t admitted = s_admit(http, idx, err);
    if (admitted != PROVIDER_OK)
        return admitted;
    s_platform_t *p = &http->platforms[idx];
    size_t url_len = strlen(base) + strlen(path) + 1;
    char *url = malloc(url_len);
    struct curl_slist *hdrs = s_headers(headers, form != NULL);
    s_buf_t buf = {.max = (size_t)http->cfg.max_body_bytes};
    provider_result_t result = PROVIDER_OK;
    if (!url || !hdrs) {
        provider_breaker_release(&p->breaker);
        result = provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
        goto done;
    }
    snprintf(url, url_len, "%s%s", base, path);
    if (s_setup(http, p->curl, url, hdrs, form, &buf) < 0) {
        provider_breaker_release(&p->breaker);
        result = provider_fail(err, PROVIDER_UPSTREAM, "curl setup failed");
        goto done;
    }
    long long started = s_monotonic_ms();
    CURLcode rc = curl_easy_perform(p->curl);
    resp->elapsed_ms = (long)(s_monotonic_ms() - started);
    p->last_latency_ms = resp->elapsed_ms;
    if (rc != CURLE_OK) {
        result = s_transport_failure(http, idx, rc, &buf, err);
        goto done;
    }
    curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &resp->status);
    p->last_status = resp->status;
    resp->body = buf.data;
    resp->body_len = buf.len;
    buf.data = NULL;
    log_debug("provider %s: %s %s -> %ld in %ld ms", provider_config_name(idx),
              form ? "POST" : "GET", path, resp->status, resp->elapsed_ms);
done:
    free(buf.data);
    curl_slist_free_all(hdrs);
    free(url);
    return result;
}

provider_result_t provider_http_get(provider_http_t *http, const char *platform,
                                    const char *path_and_query, const char *const *headers,
                                    provider_response_t *resp, provider_err_t *err)
{
    int idx = provider_config_index(platform);
    if (idx < 0) {
        provider_response_clear(resp);
        return provider_fail(err, PROVIDER_UNSUPPORTED, "unknown platform");
    }
    return s_perform(http, idx, http->cfg.platforms[idx].base_url, path_and_query, NULL, headers,
                     resp, err);
}

provider_result_t provider_http_post_form(provider_http_t *http, const char *platform,
                                          const char *base_url, const char *path, const char *form,
                                          const char *const *headers, provider_response_t *resp,
                                          provider_err_t *err)
{
    int idx = provider_config_index(platform);
    if (idx < 0 || !base_url) {
        provider_response_clear(resp);
        return provider_fail(err, PROVIDER_UNSUPPORTED, "unknown platform");
    }
    return s_perform(http, idx, base_url, path, form ? form : "", headers, resp, err);
}

/* ---- breaker outcomes and state ---- */

void provider_http_outcome_error(provider_http_t *http, const char *platform, bool success,
                                 const char *message)
{
    int idx = provider_config_index(platform);
    if (idx < 0)
        return;
    s_platform_t *p = &http->platforms[idx];
    long long now = http->clock.now_ms(http->clock.ud);
    provider_breaker_record(&p->breaker, success, now);
    p->last_checked_ms = now;
    if (success)
        return;
    if (message)
        s_set_error(p, "%s", message);
    else
        s_set_error(p, "HTTP %ld", p->last_status);
}

void provider_http_outcome(provider_http_t *http, const char *platform, bool success)
{
    provider_http_outcome_error(http, platform, success, NULL);
}

int provider_http_state(provider_http_t *http, const char *platform, provider_http_state_t *out)
{
    int idx = provider_config_index(platform);
    if (idx < 0)
        return -1;
    const s_platform_t *p = &http->platforms[idx];
    out->state = provider_breaker_state(&p->breaker, http->clock.now_ms(http->clock.ud));
    out->consecutive_failures = p->breaker.failures;
    snprintf(out->last_error, sizeof out->last_error, "%s", p->last_error);
    out->last_latency_ms = p->last_latency_ms;
    out->last_checked_ms = p->last_checked_ms;
    return 0;
}

const char *provider_http_state_name(provider_breaker_state_t state)
{
    switch (state) {
    case PROVIDER_BREAKER_CLOSED:
        return "closed";
    case PROVIDER_BREAKER_OPEN:
        return "open";
    case PROVIDER_BREAKER_HALF_OPEN:
        return "half_open";
    }
    return "unknown";
}

/* ---- configuration ---- */

char *provider_http_escape(provider_http_t *http, const char *s)
{
    if (!s)
        return NULL;
    char *escaped = curl_easy_escape(http->platforms[0].curl, s, 0);
    if (!escaped)
        return NULL;
    /* curl's string must go back to curl_free; callers use free(). */
    char *copy = strdup(escaped);
    curl_free(escaped);
    return copy;
}

const char *provider_http_base(provider_http_t *http, const char *platform)
{
    if (platform && strcmp(platform, "spotify-auth") == 0)
        return http->cfg.spotify_auth_url;
    int idx = provider_config_index(platform);
    return idx < 0 ? NULL : http->cfg.platforms[idx].base_url;
}

const char *provider_http_credential(provider_http_t *http, const char *platform, const char *key)
{
    if (!platform || !key)
        return NULL;
    if (strcmp(platform, "spotify") == 0) {
        if (strcmp(key, "client_id") == 0)
            return http->cfg.spotify_client_id;
        if (strcmp(key, "client_secret") == 0)
            return http->cfg.spotify_client_secret;
        if (strcmp(key, "market") == 0)
            return http->cfg.spotify_market;
        if (strcmp(key, "auth_url") == 0)
            return http->cfg.spotify_auth_url;
    } else if (strcmp(platform, "itunes") == 0 && strcmp(key, "country") == 0) {
        return http->cfg.itunes_country;
    }
    return NULL;
}

bool provider_http_configured(provider_http_t *http, const char *platform)
{
    if (provider_config_index(platform) < 0)
        return false;
    if (strcmp(platform, "spotify") == 0)
        return http->cfg.spotify_client_id && http->cfg.spotify_client_secret;
    return true;
}

/* ---- shared values, with a process-local copy ---- */

static s_local_t *s_local_find(provider_http_t *http, const char *key)
{
    for (int i = 0; i < S_LOCAL_SLOTS; i++) {
        if (http->local[i].key && strcmp(http->local[i].key, key) == 0)
            return &http->local[i];
    }
    return NULL;
}

static void s_local_put(provider_http_t *http, const char *key, const char *value, long ttl_s)
{
    long long now = http->clock.now_ms(http->clock.ud);
    s_local_t *slot = s_local_find(http, key);
    for (int i = 0; !slot && i < S_LOCAL_SLOTS; i++) {
        if (!http->local[i].key || http->local[i].expires_ms <= now)
            slot = &http->local[i];
    }
    if (!slot)
        slot = &http->local[0]; /* full of live values: replace the first */
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return;
    }
    free(slot->key);
    free(slot->value);
    *slot = (s_local_t){.key = k, .value = v, .expires_ms = now + ttl_s * 1000LL};
}

char *provider_http_kv_get(provider_http_t *http, const char *key)
{
    s_local_t *slot = s_local_find(http, key);
    if (slot && slot->expires_ms > http->clock.now_ms(http->clock.ud))
        return strdup(slot->value);
    if (!http->kv.get)
        return NULL;
    char *value = http->kv.get(http->kv.ud, key);
    if (value)
        s_local_put(http, key, value, S_LOCAL_RECHECK_S);
    return value;
}

int provider_http_kv_set(provider_http_t *http, const char *key, const char *value, int ttl_s)
{
    if (!key || !value || ttl_s <= 0)
        return -1;
    s_local_put(http, key, value, ttl_s);
    int shared = http->kv.set ? http->kv.set(http->kv.ud, key, value, ttl_s) : -1;
    (void)shared; /* the local copy is enough for this process */
    return 0;
}
