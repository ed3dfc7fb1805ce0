/* provider — one interface over every music provider (DESIGN §4).
 *
 * A provider turns a native id (or a query) into a *catalog document*: a jansson
 * object in Bedrock's own normalised shape, with the provider's raw document kept
 * under "raw" so that the catalog can persist it. Providers know nothing of
 * PostgreSQL, Redis keys or HTTP replies to our clients; the catalog layer
 * (persistence, cache, API view) is built on top of these documents.
 *
 * Catalog documents (fields that the provider does not know are null or absent):
 *
 *   track    {platform, native_id, title, isrc, duration_ms, explicit, disc_number,
 *             track_number, preview_url, artists:[artist ref], album: album ref | null,
 *             genres:[str], raw}
 *   artist ref {native_id, name}              album ref {native_id, title, upc, release_date, image_url}
 *   album    {platform, native_id, title, upc, release_date, total_tracks, label,
 *             image_url, artists:[artist ref], genres:[str], tracks:[track], raw}
 *   artist   {platform, native_id, name, image_url, genres:[str], top_tracks:[track],
 *             albums:[album without tracks], raw}
 *   playlist {platform, native_id, name, description, owner_name, image_url,
 *             tracks:[track], raw}
 *   search   {tracks:[track], albums:[album], artists:[artist]}  (no raw)
 *   stream   {url, expires_at: unix seconds | null, format: "mp3"|"aac"|..., preview: bool}
 *   lyrics   {plain: str | null, synced: str | null (LRC text), source: platform,
 *             native_id, instrumental: bool, duration_ms}
 *
 * Nested tracks inside album/playlist/artist documents carry their own raw (the
 * item as the provider listed it) when the provider gives one, else null.
 * `upc` is always normalised to 14 digits (GTIN-14) with provider_normalize_upc.
 * `isrc` is upper-cased, 12 characters, or null.
 *
 * Every entry point returns a provider_result_t; on PROVIDER_OK *out receives a
 * new reference the caller owns (json_decref). On any other result *out is NULL
 * and, when err is not NULL, err receives a short human message (no secrets).
 */
#ifndef BEDROCK_PROVIDER_H
#define BEDROCK_PROVIDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    PROVIDER_OK = 0,
    PROVIDER_NOT_FOUND = -1,     /* the provider says it has no such entity: 404 not_found */
    PROVIDER_UNSUPPORTED = -2,   /* this provider has no such kind of entity: 404 not_found */
    PROVIDER_UPSTREAM = -3,      /* 5xx, quota, malformed body: 502 provider_error (or stale copy) */
    PROVIDER_TIMEOUT = -4,       /* no answer in time: 502 provider_error (or stale copy) */
    PROVIDER_UNAVAILABLE = -5,   /* not configured, circuit open or rate-limited: 502 / stale */
} provider_result_t;

typedef struct provider_http provider_http_t; /* see provider_http.h */

#define PROVIDER_ERR_MAX 256

typedef struct {
    char message[PROVIDER_ERR_MAX];
} provider_err_t;

/* Search restrictions. types is a bit set of PROVIDER_SEARCH_*; limit 1..100. */
enum { PROVIDER_SEARCH_TRACK = 1, PROVIDER_SEARCH_ALBUM = 2, PROVIDER_SEARCH_ARTIST = 4 };

typedef struct {
    const char *query;
    int types;
    int limit;
    int offset;
} provider_search_t;

typedef struct {
    const char *artist;
    const char *title;
    const char *album;    /* may be NULL */
    int duration_s;       /* 0 = unknown */
} provider_lyrics_query_t;

typedef struct provider {
    const char *name; /* "deezer", ... equal to the id platform */
    /* Any entry may be NULL: the kind is not offered (PROVIDER_UNSUPPORTED). */
    provider_result_t (*get_track)(provider_http_t *http, const char *native, json_t **out,
                                   provider_err_t *err);
    provider_result_t (*get_album)(provider_http_t *http, const char *native, json_t **out,
                                   provider_err_t *err);
    provider_result_t (*get_artist)(provider_http_t *http, const char *native, json_t **out,
                                    provider_err_t *err);
    provider_result_t (*get_playlist)(provider_http_t *http, const char *native, json_t **out,
                                      provider_err_t *err);
    provider_result_t (*search)(provider_http_t *http, const provider_search_t *q, json_t **out,
                                provider_err_t *err);
    /* A stream/preview URL for a track; expires_at must be set when the URL is signed. */
    provider_result_t (*get_stream)(provider_http_t *http, const char *native, json_t **out,
                                    provider_err_t *err);
    provider_result_t (*get_lyrics)(provider_http_t *http, const provider_lyrics_query_t *q,
                                    json_t **out, provider_err_t *err);
    /* A cheap request that tells whether the provider answers. */
    provider_result_t (*health)(provider_http_t *http, provider_err_t *err);
} provider_t;

/* The registry: every HTTP provider, NULL-terminated ("local" is not here: it is
 * the catalog in PostgreSQL itself). */
extern const provider_t *const provider_all[];

/* The provider named name, or NULL. */
const provider_t *provider_find(const char *name);

/* GTIN-14 from a UPC-A/EAN-13/GTIN given with or without padding; out[15].
 * Returns 0, or -1 when code is not 8..14 digits. */
int provider_normalize_upc(const char *code, char out[15]);

/* Whether native is 1..max ASCII digits (a numeric provider id). native may be NULL. */
bool provider_digits(const char *native, size_t max);

/* Sets err's message printf-style (err may be NULL) and returns result, so that
 * error paths read `return provider_fail(err, PROVIDER_UPSTREAM, "deezer quota (code %d)", c);` */
provider_result_t provider_fail(provider_err_t *err, provider_result_t result, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
