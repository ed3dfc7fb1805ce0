/* search_request — GET /v1/search arguments, validated, and the cache key they give.
 * Owner: discovery engineer (C2).
 *
 * args (strings from the query string; integers accepted for limit):
 *   q         required; 1..200 characters once trimmed (inner whitespace collapsed)
 *             -> 400 invalid_argument field "q"
 *   type      comma list of track|album|artist (default: all three) -> field "type"
 *   platform  "all" (default) or a comma list of platforms. "all" = local + every
 *             configured provider that can search (lrclib cannot). A name that is not
 *             a platform, or a provider that is not configured here -> 404
 *             unknown_platform; lrclib -> 400 invalid_argument field "platform".
 *   limit     1..100, default 20 (per kind) -> field "limit"
 *   cursor    a next_cursor handed out earlier (search_cursor.h) -> field "cursor"
 *             when malformed or of a kind not asked for.
 * Sources are read in a fixed order: local first, then deezer, spotify, itunes, and the
 * other providers (musicbrainz: slowest, see search_request.c) in registry order.
 *
 * Cache key (DESIGN §3 search:{query}:{platform}, extras appended):
 *   search:{q}:{platforms}:{types}:{limit}[:{cursor}]
 * q normalised (discovery_text_key_part: trimmed, lower-cased, whitespace collapsed,
 * ':' escaped), platforms = the expanded source list sorted, types sorted. A key that
 * would not fit SEARCH_KEY_MAX carries "#" + the SHA-256 hex of the normalised q instead.
 */
#ifndef BEDROCK_WORKER_SEARCH_REQUEST_H
#define BEDROCK_WORKER_SEARCH_REQUEST_H

#include "catalog/cache_aside.h"
#include "handler.h"
#include "ids.h"
#include "search_cursor.h"

#include <stdbool.h>

#define SEARCH_Q_CHARS_MAX 200
#define SEARCH_Q_BYTES (SEARCH_Q_CHARS_MAX * 4 + 1)
#define SEARCH_SOURCES_MAX 8
#define SEARCH_LIMIT_DEFAULT 20
#define SEARCH_LIMIT_MAX 100
/* Keys must leave room for lock:{key} (cache_aside.h). */
#define SEARCH_KEY_MAX (CACHE_ASIDE_KEY_MAX - 16)

typedef enum {
    SEARCH_KIND_TRACK = 0,
    SEARCH_KIND_ALBUM,
    SEARCH_KIND_ARTIST,
    SEARCH_KIND_COUNT
} search_kind_t;

typedef struct {
    char q[SEARCH_Q_BYTES]; /* trimmed, whitespace collapsed: what PostgreSQL and providers get */
    bool kinds[SEARCH_KIND_COUNT];
    int n_sources;
    char sources[SEARCH_SOURCES_MAX][IDS_PLATFORM_MAX]; /* "local" first when asked */
    bool needs_providers;                               /* a source other than local */
    int limit;
    long offsets[SEARCH_KIND_COUNT][SEARCH_SOURCES_MAX]; /* where each source starts */
    char cursor[SEARCH_CURSOR_MAX + 1];                  /* as given ("" = none) */
    char types_text[32];     /* requested kinds, "track,album,artist" order (history) */
    char platform_text[260]; /* the platform argument as given (at most 256 bytes), or "all" (history) */
} search_request_t;

/* "track", "album", "artist"; the JSON list names "tracks", "albums", "artists". */
const char *search_kind_name(search_kind_t kind);
const char *search_kind_list(search_kind_t kind);

/* Validates ctx->req->args into *out. Returns 0; 1 after writing the error reply (400 /
 * 404, see above); -1 out of memory. */
int search_request_parse(handler_ctx_t *ctx, search_request_t *out)
    __attribute__((warn_unused_result));

/* The cache key into out (SEARCH_KEY_MAX bytes). Returns 0, or -1 when it does not fit. */
int search_request_key(const search_request_t *req, char out[SEARCH_KEY_MAX]);

#endif
