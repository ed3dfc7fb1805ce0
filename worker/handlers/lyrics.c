/* tracks.lyrics and lyrics.get — GET /v1/tracks/{id}/lyrics, GET /v1/lyrics
 * (API.md Catalog). Owner: discovery engineer (C2). Caching and LRCLIB: lyrics_fetch.h.
 *
 * tracks.lyrics finds the track's title, first artist, album and duration: from
 * PostgreSQL (local rows and stored provider copies), else from the cached
 * track:{platform}:{id} view, else (provider pool; a fast worker forwards) by fetching
 * the track from its provider (providers_glue_fetch, which also stores it). Album and
 * duration make LRCLIB's match exact. A track without a credited artist is 404.
 *
 * lyrics.get takes args artist and title (required, 1..200 characters -> 400
 * invalid_argument), and optional album and duration (seconds) that refine the match;
 * the cache key is artist + title only.
 */
#include "discovery.h"

#include "catalog/cache_aside.h"
#include "catalog/providers_glue.h"
#include "discovery_text.h"
#include "lyrics_fetch.h"
#include "track_facts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define S_LOCAL "local"

/* Facts of a provider track not stored in PostgreSQL. Returns 0 with *f; 1 after
 * writing the reply (forward or error). */
static int s_provider_facts(handler_ctx_t *ctx, const ids_ref_t *ref, track_facts_t *f)
{
    char key[CACHE_ASIDE_KEY_MAX];
    json_t *view = NULL, *doc = NULL;
    if (cache_aside_key(key, "track", ref->platform, ref->native) == 0 &&
        cache_aside_get(ctx->cache, key, &view) == CACHE_ASIDE_HIT) {
        int rc = track_facts_from_json(view, f);
        json_decref(view);
        if (rc == 0)
            return 0;
    }
    if (!ctx->provider_pool)
        return handler_forward(ctx) < 0 ? -1 : 1;
    provider_err_t err = {{0}};
    provider_result_t r =
        providers_glue_fetch(ctx, CATALOG_KIND_TRACK, ref->platform, ref->native, &doc, &err);
    if (r != PROVIDER_OK)
        return providers_glue_error(ctx, ref->platform, r, &err) < 0 ? -1 : 1;
    int rc = track_facts_from_json(doc, f);
    json_decref(doc);
    if (rc < 0)
        return handler_error(ctx, 404, "not_found", "the track has no title") < 0 ? -1 : 1;
    return 0;
}

int handle_tracks_lyrics(handler_ctx_t *ctx)
{
    ids_ref_t ref;
    if (providers_glue_parse_id(ctx, "id", &ref) != 0)
        return 0;
    track_facts_t *f = malloc(sizeof *f);
    if (!f)
        return -1;
    int rc = 0;
    db_err_t err = track_facts_load(ctx->db, ref.platform, ref.native, f);
    if (err == DB_ERR_NOT_FOUND && strcmp(ref.platform, S_LOCAL) == 0)
        rc = handler_error(ctx, 404, "not_found", "no such track") < 0 ? -1 : 1;
    else if (err == DB_ERR_NOT_FOUND)
        rc = s_provider_facts(ctx, &ref, f);
    else if (err != DB_OK)
        rc = handler_db_error(ctx, err) < 0 ? -1 : 1;
    if (rc == 0 && !f->artist[0])
        rc = handler_error(ctx, 404, "not_found", "no artist is known for this track") < 0 ? -1 : 1;
    if (rc == 0) {
        lyrics_fetch_query_t q = {
            .artist = f->artist,
            .title = f->title,
            .album = f->album,
            .duration_s = f->duration_ms > 0 ? (int)((f->duration_ms + 500) / 1000) : 0};
        rc = lyrics_fetch_serve(ctx, &q);
    }
    free(f);
    return rc < 0 ? -1 : 0;
}

/* args[name]: a string of 1..200 characters once squashed into out, or NULL (absent);
 * *bad when present and not such a string. */
static const char *s_text_arg(handler_ctx_t *ctx, const char *name, char *out, size_t size,
                              bool *bad)
{
    const json_t *args = ctx->req->args;
    const json_t *v = json_is_object(args) ? json_object_get(args, name) : NULL;
    *bad = false;
    if (!v || json_is_null(v))
        return NULL;
    *bad = !json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
           discovery_text_squash(json_string_value(v), out, size) <= 0 ||
           discovery_text_chars(out) > LYRICS_FIELD_CHARS_MAX;
    return *bad ? NULL : out;
}

/* args.duration in seconds (string or integer), 0 when absent; -1 when malformed. */
static int s_duration_arg(handler_ctx_t *ctx)
{
    const json_t *args = ctx->req->args;
    const json_t *v = json_is_object(args) ? json_object_get(args, "duration") : NULL;
    if (!v || json_is_null(v))
        return 0;
    long d = -1;
    if (json_is_integer(v)) {
        d = (long)json_integer_value(v);
    } else if (json_is_string(v)) {
        char *end = NULL;
        errno = 0;
        d = strtol(json_string_value(v), &end, 10);
        if (errno || end == json_string_value(v) || *end)
            d = -1;
    }
    return (d < 1 || d > LYRICS_DURATION_MAX_S) ? -1 : (int)d;
}

#define S_ARG_SIZE (LYRICS_FIELD_CHARS_MAX * 4 + 1)

int handle_lyrics_get(handler_ctx_t *ctx)
{
    char artist[S_ARG_SIZE], title[S_ARG_SIZE], album[S_ARG_SIZE];
    bool bad = false;
    lyrics_fetch_query_t q = {0};
    q.artist = s_text_arg(ctx, "artist", artist, sizeof artist, &bad);
    if (!q.artist)
        return handler_invalid(ctx, "artist", "artist is required (1 to 200 characters)");
    q.title = s_text_arg(ctx, "title", title, sizeof title, &bad);
    if (!q.title)
        return handler_invalid(ctx, "title", "title is required (1 to 200 characters)");
    q.album = s_text_arg(ctx, "album", album, sizeof album, &bad);
    if (bad)
        return handler_invalid(ctx, "album", "album is 1 to 200 characters");
    q.duration_s = s_duration_arg(ctx);
    if (q.duration_s < 0)
        return handler_invalid(ctx, "duration", "duration is a number of seconds");
    return lyrics_fetch_serve(ctx, &q);
}
