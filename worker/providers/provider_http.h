/* provider_http — the one way providers talk HTTP (libcurl).
 *
 * It owns, per provider: the base URL (from BEDROCK_<NAME>_URL, defaulting to the
 * real service), credentials, timeouts, the User-Agent, the shared rate limit (kept
 * in Redis so every worker on every host shares it; per-process fallback when Redis
 * is down) and a circuit breaker whose state feeds provider health. Providers build
 * paths and parse bodies; they never touch curl directly.
 */
#ifndef BEDROCK_PROVIDER_HTTP_H
#define BEDROCK_PROVIDER_HTTP_H

#include "provider.h"

#include <stddef.h>

/* A small shared key-value store given by the worker: Redis through the worker's
 * cache, so that rate limits and tokens are shared by every worker. Each function
 * returns -1 (or NULL) when the store is unavailable; callers then fall back to
 * process-local state. */
typedef struct {
    void *ud;
    /* New string the caller frees, or NULL (missing or unavailable). */
    char *(*get)(void *ud, const char *key);
    int (*set)(void *ud, const char *key, const char *value, int ttl_s);
    /* INCR key and, when it was created, PEXPIRE it ttl_ms; the new count or -1. */
    long long (*incr_expire)(void *ud, const char *key, int ttl_ms);
} provider_kv_t;

/* Reads the provider settings from the environment (exits 2 on a malformed one,
 * like every config value) and keeps kv (copied; may have NULL functions).
 * The caller owns the result and frees it with provider_http_destroy. */
provider_http_t *provider_http_new(const provider_kv_t *kv);
void provider_http_destroy(provider_http_t **self_p);

/* fn(arg) is called from inside every transfer, about once a second while it waits
 * for the provider (libcurl's progress callback), so that a single-threaded worker
 * can keep heartbeating to its broker during a slow answer. NULL removes it. */
void provider_http_set_progress(provider_http_t *http, void (*fn)(void *arg), void *arg);

typedef struct {
    long status;      /* HTTP status; 0 when no response arrived */
    char *body;       /* owned by the response; NUL-terminated; NULL when none */
    size_t body_len;
    long elapsed_ms;
} provider_response_t;

/* Frees the body; the struct may be reused. */
void provider_response_clear(provider_response_t *resp);

/* GET base_url(platform) + path_and_query. Extra headers are "Name: value" strings,
 * NULL-terminated (may be NULL). Applies the platform's rate limit and circuit
 * breaker first: when the breaker is open or the limit cannot be had in time, no
 * request is made and PROVIDER_UNAVAILABLE is returned. A transport failure or
 * timeout returns PROVIDER_TIMEOUT/PROVIDER_UPSTREAM. Any HTTP status returns
 * PROVIDER_OK with resp filled: interpreting statuses is the provider's job, and it
 * reports the outcome back with provider_http_outcome so the breaker learns. */
provider_result_t provider_http_get(provider_http_t *http, const char *platform,
                                    const char *path_and_query, const char *const *headers,
                                    provider_response_t *resp, provider_err_t *err);

/* POST a form body (application/x-www-form-urlencoded) to an absolute base chosen by
 * which: used for the Spotify token endpoint (base BEDROCK_SPOTIFY_AUTH_URL). */
provider_result_t provider_http_post_form(provider_http_t *http, const char *platform,
                                          const char *base_url, const char *path,
                                          const char *form, const char *const *headers,
                                          provider_response_t *resp, provider_err_t *err);

/* Tells the breaker how the last call of platform went (success = the provider
 * answered as designed, including a clean 404). */
void provider_http_outcome(provider_http_t *http, const char *platform, bool success);

/* URL-encodes s into a new string the caller frees (NULL on allocation failure). */
char *provider_http_escape(provider_http_t *http, const char *s);

/* The configured base URL of platform (never NULL for a known platform; also
 * "spotify-auth" = BEDROCK_SPOTIFY_AUTH_URL). No trailing '/'. Borrowed. */
const char *provider_http_base(provider_http_t *http, const char *platform);

/* A configuration value of platform, or NULL: spotify "client_id", "client_secret",
 * "market" (BEDROCK_SPOTIFY_MARKET) and "auth_url" (= the "spotify-auth" base);
 * itunes "country" (BEDROCK_ITUNES_COUNTRY). Borrowed; lives as long as http. */
const char *provider_http_credential(provider_http_t *http, const char *platform, const char *key);

/* Whether platform can be used at all (e.g. spotify needs credentials). */
bool provider_http_configured(provider_http_t *http, const char *platform);

/* Shared values such as an access token (see provider_kv_t); NULL / -1 when absent. */
char *provider_http_kv_get(provider_http_t *http, const char *key);
int provider_http_kv_set(provider_http_t *http, const char *key, const char *value, int ttl_s);

/* ---- Added with the providers (health, richer outcomes, tests) ---- */

/* provider_http_outcome with the reason of a failure kept for health (message may
 * be NULL: the last HTTP status is used). provider_http_outcome(h, p, s) is this
 * with message NULL. Transport failures and timeouts are recorded by the layer
 * itself; providers report only calls that produced an HTTP answer. */
void provider_http_outcome_error(provider_http_t *http, const char *platform, bool success,
                                 const char *message);

typedef enum {
    PROVIDER_BREAKER_CLOSED = 0, /* calls go through */
    PROVIDER_BREAKER_OPEN,       /* calls answered PROVIDER_UNAVAILABLE without a request */
    PROVIDER_BREAKER_HALF_OPEN,  /* the open period is over: the next call is a trial */
} provider_breaker_state_t;

typedef struct {
    provider_breaker_state_t state;
    int consecutive_failures;
    char last_error[PROVIDER_ERR_MAX]; /* "" when no call has failed yet */
    long last_latency_ms;              /* of the last answered request; -1 when none */
    long long last_checked_ms;         /* unix ms of the last outcome; 0 when none */
} provider_http_state_t;

/* Fills out with platform's breaker state as seen by this process. Returns 0, or
 * -1 for an unknown platform. */
int provider_http_state(provider_http_t *http, const char *platform, provider_http_state_t *out);

/* "closed", "open", "half_open". Static string. */
const char *provider_http_state_name(provider_breaker_state_t state);

/* Time source of the breaker and the rate limiter: unix milliseconds and a sleep.
 * Tests install a fake one; the default is the wall clock and nanosleep. */
typedef struct {
    void *ud;
    long long (*now_ms)(void *ud);
    void (*sleep_ms)(void *ud, long ms);
} provider_clock_t;

/* Replaces the clock (copied). NULL restores the default. */
void provider_http_set_clock(provider_http_t *http, const provider_clock_t *clock);

#endif
