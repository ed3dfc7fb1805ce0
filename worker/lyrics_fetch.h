/* lyrics_fetch — lyrics through the cache and LRCLIB, shared by tracks.lyrics and
 * lyrics.get. Owner: discovery engineer (C2).
 *
 * Key lyrics:{artist}:{title} (each part normalised like search queries:
 * discovery_text_key_part), 24 h; a key that would be too long carries "#" + the
 * SHA-256 hex of "artist:title" instead. Reply data {plain, synced, source}: plain and
 * synced (LRC text) are null when LRCLIB has none (instrumentals).
 *
 * A fast worker answers hits and forwards misses (handler_forward); the provider pool
 * fills the key once (cache_aside one_fill) with the LRCLIB provider's get_lyrics:
 * LRCLIB 404 -> 404 not_found, any other failure -> 502 provider_error
 * {platform:"lrclib", reason}. Failures are not cached.
 */
#ifndef BEDROCK_WORKER_LYRICS_FETCH_H
#define BEDROCK_WORKER_LYRICS_FETCH_H

#include "handler.h"

#define LYRICS_FIELD_CHARS_MAX 200  /* artist / title / album given to lyrics.get */
#define LYRICS_DURATION_MAX_S 86400 /* a longer duration argument is refused */

typedef struct {
    const char *artist; /* required, non-empty; borrowed */
    const char *title;  /* required, non-empty; borrowed */
    const char *album;  /* NULL or "" = unknown */
    int duration_s;     /* 0 = unknown */
} lyrics_fetch_query_t;

/* Writes the reply (200 with x-cache, a forward, or an error) for q. Returns 0, or -1 for
 * a bug (out of memory). */
int lyrics_fetch_serve(handler_ctx_t *ctx, const lyrics_fetch_query_t *q)
    __attribute__((warn_unused_result));

#endif
