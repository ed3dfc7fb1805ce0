#include "spotify_parse.h"

#include "provider_doc.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_PLATFORM "spotify"

provider_result_t spotify_decode(long status, const char *body, size_t len, json_t **doc,
                                 bool *healthy, provider_err_t *err)
{
    *doc = NULL;
    *healthy = false;
    if (status == 404 || status == 400) {
        *healthy = true;
        return provider_fail(err, PROVIDER_NOT_FOUND, "spotify: not found (HTTP %ld)", status);
    }
    if (status == 429)
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify rate limit reached (HTTP 429)");
    if (status == 403) {
        /* Endpoints closed to client-credentials apps answer 403 every time: not an outage. */
        *healthy = true;
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify refused the request (HTTP 403)");
    }
    if (status < 200 || status > 299)
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify answered HTTP %ld", status);
    json_error_t jerr;
    json_t *parsed = body ? json_loadb(body, len, 0, &jerr) : NULL;
    if (!json_is_object(parsed)) {
        json_decref(parsed);
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify answered malformed JSON");
    }
    *healthy = true;
    *doc = parsed;
    return PROVIDER_OK;
}

provider_result_t spotify_parse_token(const json_t *doc, char **token, long *expires_in,
                                      provider_err_t *err)
{
    *token = NULL;
    const char *access = provider_doc_cstr(doc, "access_token");
    json_t *exp = json_object_get(doc, "expires_in");
    if (!access || !*access || !json_is_integer(exp) || json_integer_value(exp) <= 0)
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify token answer without a token");
    const char *type = provider_doc_cstr(doc, "token_type");
    if (type && strcasecmp(type, "bearer") != 0)
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify token of an unknown type");
    *token = strdup(access);
    if (!*token)
        return provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
    *expires_in = (long)json_integer_value(exp);
    return PROVIDER_OK;
}

char *spotify_basic_auth(const char *client_id, const char *client_secret)
{
    size_t plain_len = strlen(client_id) + 1 + strlen(client_secret);
    unsigned char *plain = malloc(plain_len + 1);
    size_t encoded_cap = 4 * ((plain_len + 2) / 3) + 1;
    char *header = malloc(sizeof "Authorization: Basic " + encoded_cap);
    if (!plain || !header) {
        free(plain);
        free(header);
        return NULL;
    }
    snprintf((char *)plain, plain_len + 1, "%s:%s", client_id, client_secret);
    strcpy(header, "Authorization: Basic ");
    EVP_EncodeBlock((unsigned char *)header + strlen(header), plain, (int)plain_len);
    /* The secret does not outlive this call in our memory. */
    OPENSSL_cleanse(plain, plain_len);
    free(plain);
    return header;
}

/* Spotify lists images largest first. */
static json_t *s_image(const json_t *obj)
{
    return provider_doc_str(json_array_get(json_object_get(obj, "images"), 0), "url");
}

static json_t *s_artists(const json_t *obj)
{
    json_t *list = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(obj, "artists"), i, a)
    {
        if (json_is_object(a))
            json_array_append_new(list, provider_doc_artist_ref(provider_doc_id(a, "id"),
                                                                provider_doc_str(a, "name")));
    }
    return list;
}

static json_t *s_genres(const json_t *obj)
{
    json_t *list = json_array();
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(obj, "genres"), i, g)
    {
        if (json_is_string(g))
            json_array_append_new(list, json_string(json_string_value(g)));
    }
    return list;
}

static json_t *s_album_ref(const json_t *album)
{
    if (!json_is_object(album))
        return NULL;
    return provider_doc_album_ref(provider_doc_id(album, "id"), provider_doc_str(album, "name"),
                                  provider_doc_upc(json_object_get(album, "external_ids"), "upc"),
                                  provider_doc_date(album, "release_date"), s_image(album));
}

/* A full or simplified track; album_ref (stolen) replaces item.album when given. */
static json_t *s_track(const json_t *item, json_t *album_ref)
{
    if (!json_is_object(item) || !provider_doc_cstr(item, "id")) {
        json_decref(album_ref);
        return NULL;
    }
    provider_doc_track_t f = {
        .native_id = provider_doc_id(item, "id"),
        .title = provider_doc_str(item, "name"),
        .isrc = provider_doc_isrc(json_object_get(item, "external_ids"), "isrc"),
        .duration_ms = provider_doc_int(item, "duration_ms"),
        .explicit_ = provider_doc_bool(item, "explicit"),
        .disc_number = provider_doc_int(item, "disc_number"),
        .track_number = provider_doc_int(item, "track_number"),
        .preview_url = provider_doc_str(item, "preview_url"),
        .artists = s_artists(item),
        .album = album_ref ? album_ref : s_album_ref(json_object_get(item, "album")),
        .genres = json_array(),
        .raw = provider_doc_copy(item),
    };
    return provider_doc_track(S_PLATFORM, &f);
}

static provider_result_t s_done(json_t *doc, json_t **out, provider_err_t *err)
{
    *out = doc;
    return doc ? PROVIDER_OK : provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
}

provider_result_t spotify_parse_track(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    if (!provider_doc_cstr(doc, "id"))
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify track without id");
    return s_done(s_track(doc, NULL), out, err);
}

static json_t *s_album(const json_t *doc, bool with_tracks)
{
    json_t *ref = with_tracks ? s_album_ref(doc) : NULL;
    json_t *tracks = NULL;
    if (with_tracks) {
        tracks = json_array();
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(json_object_get(doc, "tracks"), "items"), i, item)
        {
            json_t *t = s_track(item, provider_doc_copy(ref));
            if (t)
                json_array_append_new(tracks, t);
        }
    }
    json_decref(ref);
    provider_doc_album_t f = {
        .native_id = provider_doc_id(doc, "id"),
        .title = provider_doc_str(doc, "name"),
        .upc = provider_doc_upc(json_object_get(doc, "external_ids"), "upc"),
        .release_date = provider_doc_date(doc, "release_date"),
        .total_tracks = provider_doc_int(doc, "total_tracks"),
        .label = provider_doc_str(doc, "label"),
        .image_url = s_image(doc),
        .artists = s_artists(doc),
        .genres = s_genres(doc),
        .tracks = tracks,
        .raw = provider_doc_copy(doc),
    };
    return provider_doc_album(S_PLATFORM, &f);
}

provider_result_t spotify_parse_album(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    if (!provider_doc_cstr(doc, "id"))
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify album without id");
    return s_done(s_album(doc, true), out, err);
}

/* Tracks of a JSON array (top-tracks, several tracks); null entries are skipped. */
static json_t *s_track_array(const json_t *array)
{
    json_t *tracks = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(array, i, item)
    {
        json_t *t = s_track(item, NULL);
        if (t)
            json_array_append_new(tracks, t);
    }
    return tracks;
}

static json_t *s_artist(const json_t *doc, const json_t *top)
{
    provider_doc_artist_t f = {
        .native_id = provider_doc_id(doc, "id"),
        .name = provider_doc_str(doc, "name"),
        .image_url = s_image(doc),
        .genres = s_genres(doc),
        .top_tracks = s_track_array(json_object_get(top, "tracks")),
        .albums = json_array(),
        .raw = provider_doc_copy(doc),
    };
    return provider_doc_artist(S_PLATFORM, &f);
}

provider_result_t spotify_parse_artist(const json_t *artist, const json_t *top, json_t **out,
                                       provider_err_t *err)
{
    *out = NULL;
    if (!provider_doc_cstr(artist, "id"))
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify artist without id");
    return s_done(s_artist(artist, top), out, err);
}

provider_result_t spotify_parse_playlist(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    if (!provider_doc_cstr(doc, "id"))
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify playlist without id");
    json_t *tracks = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(json_object_get(doc, "tracks"), "items"), i, item)
    {
        json_t *track = json_object_get(item, "track");
        const char *type = provider_doc_cstr(track, "type");
        /* Podcast episodes and local files (no id) are not catalog tracks. */
        if (type && strcmp(type, "track") != 0)
            continue;
        json_t *t = s_track(track, NULL);
        if (t)
            json_array_append_new(tracks, t);
    }
    provider_doc_playlist_t f = {
        .native_id = provider_doc_id(doc, "id"),
        .name = provider_doc_str(doc, "name"),
        .description = provider_doc_str(doc, "description"),
        .owner_name = provider_doc_str(json_object_get(doc, "owner"), "display_name"),
        .image_url = s_image(doc),
        .tracks = tracks,
        .raw = provider_doc_copy(doc),
    };
    return s_done(provider_doc_playlist(S_PLATFORM, &f), out, err);
}

static json_t *s_search_album(const json_t *item)
{
    return s_album(item, false);
}

static json_t *s_search_artist(const json_t *item)
{
    return s_artist(item, NULL);
}

static json_t *s_search_track(const json_t *item)
{
    return s_track(item, NULL);
}

static void s_collect(json_t *search, const char *key, const json_t *page,
                      json_t *(*make)(const json_t *))
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(page, "items"), i, item)
    {
        json_t *entry = provider_doc_cstr(item, "id") ? make(item) : NULL;
        if (entry)
            provider_doc_append(search, key, entry);
    }
}

provider_result_t spotify_parse_search(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    if (!json_is_object(doc))
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify search answer is not an object");
    json_t *search = provider_doc_search_new();
    if (!search)
        return provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
    s_collect(search, "tracks", json_object_get(doc, "tracks"), s_search_track);
    s_collect(search, "albums", json_object_get(doc, "albums"), s_search_album);
    s_collect(search, "artists", json_object_get(doc, "artists"), s_search_artist);
    *out = search;
    return PROVIDER_OK;
}

provider_result_t spotify_parse_several_tracks(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    if (!json_is_array(json_object_get(doc, "tracks")))
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify tracks answer without tracks");
    return s_done(s_track_array(json_object_get(doc, "tracks")), out, err);
}

provider_result_t spotify_parse_stream(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    if (!provider_doc_cstr(doc, "id"))
        return provider_fail(err, PROVIDER_UPSTREAM, "spotify track without id");
    const char *url = provider_doc_cstr(doc, "preview_url");
    if (!url || !*url)
        return provider_fail(err, PROVIDER_NOT_FOUND, "spotify: no preview for this track");
    /* p.scdn.co preview URLs are not signed: they carry no expiry. */
    return s_done(provider_doc_stream(url, 0, "mp3", 1), out, err);
}

int spotify_search_path(const char *query, const char *escaped, int types, int limit, int offset,
                        char *out, size_t size)
{
    char type_list[32] = "";
    static const struct {
        int bit;
        const char *name;
    } kinds[] = {{PROVIDER_SEARCH_TRACK, "track"},
                 {PROVIDER_SEARCH_ALBUM, "album"},
                 {PROVIDER_SEARCH_ARTIST, "artist"}};
    for (size_t i = 0; i < 3; i++) {
        if (!(types & kinds[i].bit))
            continue;
        if (type_list[0])
            strcat(type_list, ",");
        strcat(type_list, kinds[i].name);
    }
    if (!type_list[0])
        return -1;
    bool code_lookup =
        query && (strncasecmp(query, "upc:", 4) == 0 || strncasecmp(query, "isrc:", 5) == 0);
    int n;
    if (code_lookup)
        n = snprintf(out, size, "/v1/search?type=%s&q=%s", type_list, escaped);
    else
        n = snprintf(out, size, "/v1/search?q=%s&type=%s&offset=%d&limit=%d", escaped, type_list,
                     offset, limit);
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}
