/* provider_doc — building catalog documents (provider.h) from provider JSON.
 *
 * Field readers take a provider object and a key and return a NEW reference that
 * is never NULL: the converted value, or json null when the key is missing or of
 * the wrong kind (json_null() is a singleton and cannot fail). Builders take
 * ownership of every json_t * they are given (NULL = null, or [] for lists) and
 * return a new object, or NULL when out of memory.
 */
#ifndef BEDROCK_PROVIDER_DOC_H
#define BEDROCK_PROVIDER_DOC_H

#include <jansson.h>

/* A non-empty string, copied. */
json_t *provider_doc_str(const json_t *obj, const char *key);
/* An integer, copied. */
json_t *provider_doc_int(const json_t *obj, const char *key);
/* An integer multiplied by factor (seconds -> ms). */
json_t *provider_doc_int_scaled(const json_t *obj, const char *key, long long factor);
/* A boolean, copied. */
json_t *provider_doc_bool(const json_t *obj, const char *key);
/* An id given as an integer or a non-empty string, as a string. */
json_t *provider_doc_id(const json_t *obj, const char *key);
/* An ISRC: 12 letters/digits, upper-cased. */
json_t *provider_doc_isrc(const json_t *obj, const char *key);
/* A UPC/EAN/GTIN as GTIN-14 (provider_normalize_upc). */
json_t *provider_doc_upc(const json_t *obj, const char *key);
/* A date: "YYYY", "YYYY-MM" or "YYYY-MM-DD", cut from a longer ISO 8601 timestamp. */
json_t *provider_doc_date(const json_t *obj, const char *key);
/* A deep copy of v, or null. */
json_t *provider_doc_copy(const json_t *v);

/* Borrowed C string of obj[key] (NULL when not a string); obj may be NULL. */
const char *provider_doc_cstr(const json_t *obj, const char *key);

/* {native_id, name}. */
json_t *provider_doc_artist_ref(json_t *native_id, json_t *name);

typedef struct {
    json_t *native_id, *title, *isrc, *duration_ms, *explicit_, *disc_number, *track_number,
        *preview_url;
    json_t *artists; /* [artist ref] */
    json_t *album;   /* album ref or NULL */
    json_t *genres;  /* [str] */
    json_t *raw;
} provider_doc_track_t;

typedef struct {
    json_t *native_id, *title, *upc, *release_date, *total_tracks, *label, *image_url;
    json_t *artists, *genres;
    json_t *tracks; /* [track]; NULL = the key is left out (an album listed without tracks) */
    json_t *raw;
} provider_doc_album_t;

typedef struct {
    json_t *native_id, *name, *image_url;
    json_t *genres, *top_tracks, *albums;
    json_t *raw;
} provider_doc_artist_t;

typedef struct {
    json_t *native_id, *name, *description, *owner_name, *image_url;
    json_t *tracks;
    json_t *raw;
} provider_doc_playlist_t;

json_t *provider_doc_track(const char *platform, provider_doc_track_t *f);
json_t *provider_doc_album(const char *platform, provider_doc_album_t *f);
json_t *provider_doc_artist(const char *platform, provider_doc_artist_t *f);
json_t *provider_doc_playlist(const char *platform, provider_doc_playlist_t *f);

/* album ref {native_id, title, upc, release_date, image_url}. */
json_t *provider_doc_album_ref(json_t *native_id, json_t *title, json_t *upc, json_t *release_date,
                               json_t *image_url);

/* {url, expires_at, format, preview}; expires_at <= 0 = null. */
json_t *provider_doc_stream(const char *url, long long expires_at, const char *format, int preview);

/* {tracks:[], albums:[], artists:[]}. */
json_t *provider_doc_search_new(void);

/* Appends item (stolen) to the array doc[key]. Returns 0 or -1 (item freed). */
int provider_doc_append(json_t *doc, const char *key, json_t *item);

#endif
