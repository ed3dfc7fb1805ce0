/* cache_aside — get-or-fill reads over the worker's Redis (DESIGN §3, CATALOG.md).
 * Owner: catalog engineer (C1). Used by the catalog and discovery handlers.
 *
 * Values are the msgpack of the reply data (mpjson). Keys and TTLs (DESIGN §3, fixed):
 *   track:{platform}:{id} 1 h · album:… 1 h · artist:… 1 h · playlist:… 5 min ·
 *   stream:{platform}:{id} min(1 h, expires_at - now - 5 s) (not cached when <= 0) ·
 *   search:{query}:{platform}[:extras] 5 min · lyrics:{artist}:{title} 24 h ·
 *   play:{user_id}:{track_id} 30 s (SET NX) · status:{platform} 5 min.
 *
 * X-Cache (reply header "x-cache" on every catalog read):
 *   hit    — served from Redis (also after waiting for another worker's fill);
 *   miss   — filled now (PostgreSQL or provider) and written to Redis;
 *   stale  — the provider failed and PostgreSQL's last copy is served; such a value
 *            is cached BEDROCK_STALE_TTL_S (default 0 = not cached);
 *   bypass — Redis is down: filled without the cache (never a failure).
 *
 * One fill per key (opts.one_fill, used on the provider pool): SET lock:{key} NX PX
 * BEDROCK_FILL_LOCK_MS; the holder fills, writes the value, deletes the lock; the
 * others poll the key every BEDROCK_FILL_POLL_MS until the value appears (hit), the
 * lock is gone (they try to take it), or the request deadline is 100 ms away (504
 * timeout). Redis down: no lock, no cache (bypass).
 */
#ifndef BEDROCK_WORKER_CACHE_ASIDE_H
#define BEDROCK_WORKER_CACHE_ASIDE_H

#include "cache.h"
#include "handler.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define CACHE_ASIDE_KEY_MAX 512

#define CACHE_ASIDE_TTL_TRACK_S 3600
#define CACHE_ASIDE_TTL_ALBUM_S 3600
#define CACHE_ASIDE_TTL_ARTIST_S 3600
#define CACHE_ASIDE_TTL_PLAYLIST_S 300
#define CACHE_ASIDE_TTL_STREAM_MAX_S 3600
#define CACHE_ASIDE_STREAM_MARGIN_S 5
#define CACHE_ASIDE_TTL_SEARCH_S 300
#define CACHE_ASIDE_TTL_LYRICS_S 86400
#define CACHE_ASIDE_TTL_PLAY_S 30
#define CACHE_ASIDE_TTL_STATUS_S 300

typedef enum {
    CACHE_ASIDE_HIT = 0,
    CACHE_ASIDE_MISS,
    CACHE_ASIDE_STALE,
    CACHE_ASIDE_BYPASS,
} cache_aside_state_t;

/* "hit" | "miss" | "stale" | "bypass". Static string. */
const char *cache_aside_name(cache_aside_state_t state);

/* "{prefix}:{a}:{b}" (b may be NULL: "{prefix}:{a}"). Returns 0, or -1 when it does not
 * fit in CACHE_ASIDE_KEY_MAX. */
int cache_aside_key(char out[CACHE_ASIDE_KEY_MAX], const char *prefix, const char *a,
                    const char *b);

/* Stream TTL for a URL expiring at expires_at (unix s; <= 0 = no expiry):
 * min(3600, expires_at - now_s - 5); <= 0 means "do not cache". */
int cache_aside_stream_ttl(long long expires_at, long long now_s);

/* Reads key: CACHE_ASIDE_HIT with *value (new reference), CACHE_ASIDE_MISS, or
 * CACHE_ASIDE_BYPASS when Redis is down. A value that cannot be decoded is deleted
 * and reads as a miss. */
cache_aside_state_t cache_aside_get(cache_t *cache, const char *key, json_t **value);

/* Writes value with ttl_s (nothing when ttl_s <= 0). Returns 0, or -1 when Redis is
 * down or the value cannot be encoded (a bypass for the caller, never an error). */
int cache_aside_put(cache_t *cache, const char *key, const json_t *value, int ttl_s);

/* What a fill produces. The caller presets ttl_s to opts->ttl_s and the rest to zero. */
typedef struct {
    json_t *value; /* set by the fill (new reference); NULL = the fill wrote an error
                    * reply into ctx->rep (404, 502, ...) and nothing is cached */
    int ttl_s;     /* the fill may lower it (stream expiry); <= 0 = do not cache */
    bool stale;    /* value is PostgreSQL's last copy: x-cache stale */
} cache_aside_fill_t;

/* Produces the value of a missed key. Returns 0 (value or error reply set), or -1 for
 * a bug (the dispatcher answers 500). */
typedef int (*cache_aside_fill_fn)(handler_ctx_t *ctx, void *arg, cache_aside_fill_t *out);

typedef struct {
    const char *key;
    int ttl_s;
    bool one_fill; /* take lock:{key} so that concurrent misses fill once */
} cache_aside_opts_t;

/* The whole read: on a hit, or after fill, *value (new reference) is the data to
 * answer and *state tells which x-cache to send; the x-cache header is already added
 * to ctx->rep. When *value is NULL, ctx->rep holds the reply to send (the fill's
 * error, or 504 timeout while waiting for another fill). Returns 0, or -1 for a bug. */
int cache_aside_fetch(handler_ctx_t *ctx, const cache_aside_opts_t *opts, cache_aside_fill_fn fill,
                      void *arg, json_t **value, cache_aside_state_t *state)
    __attribute__((warn_unused_result));

/* cache_aside_fetch, then reply 200 with the value (ownership moves to the reply). */
int cache_aside_serve(handler_ctx_t *ctx, const cache_aside_opts_t *opts, cache_aside_fill_fn fill,
                      void *arg) __attribute__((warn_unused_result));

/* Adds the x-cache header for state to ctx->rep. Returns 0, or -1 out of memory. */
int cache_aside_header(handler_ctx_t *ctx, cache_aside_state_t state);

#endif
