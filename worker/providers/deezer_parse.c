#include "deezer_parse.h"

#include "provider_doc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_PLATFORM "deezer"

/* Deezer error codes (developers.deezer.com/api/errors). */
enum {
    S_ERR_QUOTA = 4,
    S_ERR_PARAMETER = 500,
    S_ERR_MISSING_PARAMETER = 501,
    S_ERR_QUERY_INVALID = 600,
    S_ERR_NO_DATA = 800,
};

static provider_result_t s_error_object(const json_t *error, bool *healthy, provider_err_t *err)
{
    json_t *code_v = json_object_get(error, "code");
    long long code = json_is_integer(code_v) ? json_integer_value(code_v) : -1;
    const char *message = provider_doc_cstr(error, "message");
    if (!message)
        message = "?";
    if (code == S_ERR_NO_DATA) {
        *healthy = true;
        return provider_fail(err, PROVIDER_NOT_FOUND, "deezer: %.200s", message);
    }
    /* Our own bad query is no sign of Deezer being unwell: keep the breaker out of it. */
    *healthy =
        code == S_ERR_PARAMETER || code == S_ERR_MISSING_PARAMETER || code == S_ERR_QUERY_INVALID;
    if (code == S_ERR_QUOTA)
        return provider_fail(err, PROVIDER_UPSTREAM, "deezer quota exceeded (code 4)");
    return provider_fail(err, PROVIDER_UPSTREAM, "deezer error %lld: %.200s", code, message);
}

provider_result_t deezer_decode(long status, const char *body, size_t len, json_t **doc,
                                bool *healthy, provider_err_t *err)
{
    *doc = NULL;
    *healthy = false;
    if (status == 404) {
        *healthy = true;
        return provider_fail(err, PROVIDER_NOT_FOUND, "deezer: not found (HTTP 404)");
    }
    if (status < 200 || status > 299)
        return provider_fail(err, PROVIDER_UPSTREAM, "deezer answered HTTP %ld", status);
    json_error_t jerr;
    json_t *parsed = body ? json_loadb(body, len, 0, &jerr) : NULL;
    if (!json_is_object(parsed)) {
        json_decref(parsed);
        return provider_fail(err, PROVIDER_UPSTREAM, "deezer answered malformed JSON");
    }
    json_t *error = json_object_get(parsed, "error");
    if (error) {
        provider_result_t r = json_is_object(error)
                                  ? s_error_object(error, healthy, err)
                                  : provider_fail(err, PROVIDER_UPSTREAM, "deezer error");
        json_decref(parsed);
        return r;
    }
    *healthy = true;
    *doc = parsed;
    return PROVIDER_OK;
}

/* The largest picture Deezer lists under prefix ("cover", "picture"). Entities
 * without a picture get ".../images/artist//1000x1000-..." (an empty image hash),
 * which serves nothing: that is no image at all. */
static json_t *s_image(const json_t *obj, const char *prefix)
{
    static const char *const sizes[] = {"_xl", "_big", "_medium", "", "_small"};
    char key[32];
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        snprintf(key, sizeof key, "%s%s", prefix, sizes[i]);
        const char *url = provider_doc_cstr(obj, key);
        if (!url || !*url)
            continue;
        const char *scheme_end = strstr(url, "://");
        if (scheme_end && strstr(scheme_end + 3, "//"))
            return json_null();
        return provider_doc_str(obj, key);
    }
    return json_null();
}

static json_t *s_artist_ref(const json_t *artist)
{
    return provider_doc_artist_ref(provider_doc_id(artist, "id"), provider_doc_str(artist, "name"));
}

/* contributors when Deezer lists them (every credited artist), else the main artist. */
static json_t *s_artists(const json_t *item)
{
    json_t *list = json_array();
    json_t *contributors = json_object_get(item, "contributors");
    size_t i;
    json_t *c;
    json_array_foreach(contributors, i, c)
    {
        if (json_is_object(c) && json_object_get(c, "id"))
            json_array_append_new(list, s_artist_ref(c));
    }
    json_t *artist = json_object_get(item, "artist");
    if (list && json_array_size(list) == 0 && json_is_object(artist))
        json_array_append_new(list, s_artist_ref(artist));
    return list;
}

static json_t *s_album_ref(const json_t *album)
{
    if (!json_is_object(album))
        return NULL;
    return provider_doc_album_ref(provider_doc_id(album, "id"), provider_doc_str(album, "title"),
                                  provider_doc_upc(album, "upc"),
                                  provider_doc_date(album, "release_date"),
                                  s_image(album, "cover"));
}

/* A track from a full document or a list item; album_ref (stolen) overrides item.album. */
static json_t *s_track(const json_t *item, json_t *album_ref)
{
    if (!json_is_object(item) || !json_object_get(item, "id")) {
        json_decref(album_ref);
        return NULL;
    }
    provider_doc_track_t f = {
        .native_id = provider_doc_id(item, "id"),
        .title = provider_doc_str(item, "title"),
        .isrc = provider_doc_isrc(item, "isrc"),
        .duration_ms = provider_doc_int_scaled(item, "duration", 1000),
        .explicit_ = provider_doc_bool(item, "explicit_lyrics"),
        .disc_number = provider_doc_int(item, "disk_number"),
        .track_number = provider_doc_int(item, "track_position"),
        .preview_url = provider_doc_str(item, "preview"),
        .artists = s_artists(item),
        .album = album_ref ? album_ref : s_album_ref(json_object_get(item, "album")),
        .genres = json_array(),
        .raw = provider_doc_copy(item),
    };
    return provider_doc_track(S_PLATFORM, &f);
}

/* Tracks of a {"data":[...]} list; album (borrowed, may be NULL) is every track's album. */
static json_t *s_track_list(const json_t *list_doc, const json_t *album)
{
    json_t *tracks = json_array();
    json_t *data = json_object_get(list_doc, "data");
    size_t i;
    json_t *item;
    json_array_foreach(data, i, item)
    {
        json_t *t = s_track(item, album ? provider_doc_copy(album) : NULL);
        if (t)
            json_array_append_new(tracks, t);
    }
    return tracks;
}

static provider_result_t s_done(json_t *doc, json_t **out, provider_err_t *err)
{
    *out = doc;
    return doc ? PROVIDER_OK : provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
}

provider_result_t deezer_parse_track(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    if (!json_is_object(doc) || !json_object_get(doc, "id"))
        return provider_fail(err, PROVIDER_UPSTREAM, "deezer track without id");
    return s_done(s_track(doc, NULL), out, err);
}

static json_t *s_album(const json_t *doc, bool with_tracks)
{
    json_t *genres = json_array();
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(json_object_get(doc, "genres"), "data"), i, g)
    {
        if (provider_doc_cstr(g, "name"))
            json_array_append_new(genres, provider_doc_str(g, "name"));
    }
    json_t *ref = with_tracks ? s_album_ref(doc) : NULL;
    provider_doc_album_t f = {
        .native_id = provider_doc_id(doc, "id"),
        .title = provider_doc_str(doc, "title"),
        .upc = provider_doc_upc(doc, "upc"),
        .release_date = provider_doc_date(doc, "release_date"),
        .total_tracks = provider_doc_int(doc, "nb_tracks"),
        .label = provider_doc_str(doc, "label"),
        .image_url = s_image(doc, "cover"),
        .artists = s_artists(doc),
        .genres = genres,
        .tracks = with_tracks ? s_track_list(json_object_get(doc, "tracks"), ref) : NULL,
        .raw = provider_doc_copy(doc),
    };
    json_decref(ref);
    return provider_doc_album(S_PLATFORM, &f);
}

provider_result_t deezer_parse_album(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    if (!json_is_object(doc) || !json_object_get(doc, "id"))
        return provider_fail(err, PROVIDER_UPSTREAM, "deezer album without id");
    return s_done(s_album(doc, true), out, err);
}

static json_t *s_artist(const json_t *doc, const json_t *top)
{
    provider_doc_artist_t f = {
        .native_id = provider_doc_id(doc, "id"),
        .name = provider_doc_str(doc, "name"),
        .image_url = s_image(doc, "picture"),
        .genres = json_array(),
        .top_tracks = top ? s_track_list(top, NULL) : json_array(),
        .albums = json_array(),
        .raw = provider_doc_copy(doc),
    };
    return provider_doc_artist(S_PLATFORM, &f);
}

provider_result_t deezer_parse_artist(const json_t *artist, const json_t *top, json_t **out,
                                      provider_err_t *err)
{
    *out = NULL;
    if (!json_is_object(artist) || !json_object_get(artist, "id"))
        return provider_fail(err, PROVIDER_UPSTREAM, "deezer artist without id");
    return s_done(s_artist(artist, top), out, err);
}

provider_result_t deezer_parse_playlist(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    if (!json_is_object(doc) || !json_object_get(doc, "id"))
        return provider_fail(err, PROVIDER_UPSTREAM, "deezer playlist without id");
    provider_doc_playlist_t f = {
        .native_id = provider_doc_id(doc, "id"),
        .name = provider_doc_str(doc, "title"),
        .description = provider_doc_str(doc, "description"),
        .owner_name = provider_doc_str(json_object_get(doc, "creator"), "name"),
        .image_url = s_image(doc, "picture"),
        .tracks = s_track_list(json_object_get(doc, "tracks"), NULL),
        .raw = provider_doc_copy(doc),
    };
    return s_done(provider_doc_playlist(S_PLATFORM, &f), out, err);
}

/* Appends every valid item of list_doc.data, built by make, to search[key]. */
static void s_collect(json_t *search, const char *key, const json_t *list_doc,
                      json_t *(*make)(const json_t *item))
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(list_doc, "data"), i, item)
    {
        json_t *entry = json_is_object(item) && json_object_get(item, "id") ? make(item) : NULL;
        if (entry)
            provider_doc_append(search, key, entry);
    }
}

static json_t *s_search_track(const json_t *item)
{
    return s_track(item, NULL);
}

static json_t *s_search_album(const json_t *item)
{
    return s_album(item, false);
}

static json_t *s_search_artist(const json_t *item)
{
    return s_artist(item, NULL);
}

provider_result_t deezer_parse_search(const json_t *tracks, const json_t *albums,
                                      const json_t *artists, json_t **out, provider_err_t *err)
{
    *out = NULL;
    json_t *search = provider_doc_search_new();
    if (!search)
        return provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
    s_collect(search, "tracks", tracks, s_search_track);
    s_collect(search, "albums", albums, s_search_album);
    s_collect(search, "artists", artists, s_search_artist);
    *out = search;
    return PROVIDER_OK;
}

long long deezer_preview_expiry(const char *url)
{
    if (!url)
        return 0;
    const char *q = strchr(url, '?');
    for (const char *p = q; p && *p; p++) {
        size_t skip = 0;
        if (strncmp(p, "exp=", 4) == 0)
            skip = 4;
        else if (strncasecmp(p, "exp%3D", 6) == 0)
            skip = 6;
        /* "exp" must start a parameter or a hdnea token, not end a longer name. */
        if (!skip || !strchr("?&=~;", p[-1]) || !isdigit((unsigned char)p[skip]))
            continue;
        char *end;
        long long value = strtoll(p + skip, &end, 10);
        if (value > 0)
            return value;
    }
    return 0;
}

provider_result_t deezer_parse_stream(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    const char *url = provider_doc_cstr(doc, "preview");
    if (!url || !*url)
        return provider_fail(err, PROVIDER_NOT_FOUND, "deezer: no preview for this track");
    return s_done(provider_doc_stream(url, deezer_preview_expiry(url), "mp3", 1), out, err);
}

int deezer_search_path(int type, const char *query, const char *escaped, int limit, int offset,
                       char *out, size_t size)
{
    const char *kind;
    bool advanced = query && strstr(query, ":\"") != NULL;
    switch (type) {
    case PROVIDER_SEARCH_TRACK:
        kind = advanced ? "/track" : "";
        break;
    case PROVIDER_SEARCH_ALBUM:
        kind = "/album";
        break;
    case PROVIDER_SEARCH_ARTIST:
        kind = "/artist";
        break;
    default:
        return -1;
    }
    int n;
    if (advanced) {
        n = snprintf(out, size, "/search%s?index=%d&limit=%d&q=%s", kind, offset, limit, escaped);
    } else {
        char index_part[32] = "", limit_part[32] = "";
        if (offset > 0)
            snprintf(index_part, sizeof index_part, "index=%d&", offset);
        if (limit != DEEZER_DEFAULT_LIMIT)
            snprintf(limit_part, sizeof limit_part, "limit=%d&", limit);
        n = snprintf(out, size, "/search%s?%s%sq=%s", kind, index_part, limit_part, escaped);
    }
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}
