#include "itunes_parse.h"

#include "provider_doc.h"

#include <string.h>

#define S_PLATFORM "itunes"

provider_result_t itunes_decode(long status, const char *body, size_t len, json_t **doc,
                                bool *healthy, provider_err_t *err)
{
    *doc = NULL;
    *healthy = false;
    if (status == 404 || status == 400) {
        *healthy = true;
        return provider_fail(err, PROVIDER_NOT_FOUND, "itunes: not found (HTTP %ld)", status);
    }
    if (status == 403 || status == 429)
        return provider_fail(err, PROVIDER_UPSTREAM, "itunes throttled us (HTTP %ld)", status);
    if (status < 200 || status > 299)
        return provider_fail(err, PROVIDER_UPSTREAM, "itunes answered HTTP %ld", status);
    json_error_t jerr;
    json_t *parsed = body ? json_loadb(body, len, 0, &jerr) : NULL;
    if (!json_is_object(parsed) || !json_is_array(json_object_get(parsed, "results"))) {
        json_decref(parsed);
        return provider_fail(err, PROVIDER_UPSTREAM, "itunes answered malformed JSON");
    }
    *healthy = true;
    *doc = parsed;
    return PROVIDER_OK;
}

static bool s_is(const json_t *item, const char *wrapper, const char *kind)
{
    const char *w = provider_doc_cstr(item, "wrapperType");
    if (!w || strcmp(w, wrapper) != 0)
        return false;
    const char *k = provider_doc_cstr(item, "kind");
    return !kind || (k && strcmp(k, kind) == 0);
}

static bool s_is_song(const json_t *item)
{
    return s_is(item, "track", "song");
}

/* First result that is the wrapper (kind may be NULL), or NULL. */
static const json_t *s_first(const json_t *doc, const char *wrapper, const char *kind)
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(doc, "results"), i, item)
    {
        if (s_is(item, wrapper, kind))
            return item;
    }
    return NULL;
}

static json_t *s_genres(const json_t *item)
{
    json_t *list = json_array();
    if (provider_doc_cstr(item, "primaryGenreName"))
        json_array_append_new(list, provider_doc_str(item, "primaryGenreName"));
    return list;
}

static json_t *s_artists(const json_t *item)
{
    json_t *list = json_array();
    if (json_object_get(item, "artistId"))
        json_array_append_new(list, provider_doc_artist_ref(provider_doc_id(item, "artistId"),
                                                            provider_doc_str(item, "artistName")));
    return list;
}

/* "explicit" / "notExplicit" / "cleaned"; anything else unknown. */
static json_t *s_explicit(const json_t *item)
{
    const char *e = provider_doc_cstr(item, "trackExplicitness");
    if (!e)
        return json_null();
    return json_boolean(strcmp(e, "explicit") == 0);
}

/* Album ref of a song or a collection (its collection* fields). */
static json_t *s_album_ref(const json_t *item)
{
    if (!json_object_get(item, "collectionId"))
        return NULL;
    return provider_doc_album_ref(
        provider_doc_id(item, "collectionId"), provider_doc_str(item, "collectionName"), NULL,
        provider_doc_date(item, "releaseDate"), provider_doc_str(item, "artworkUrl100"));
}

/* album_ref (stolen) replaces the song's own collection fields when given. */
static json_t *s_track(const json_t *item, json_t *album_ref)
{
    if (!s_is_song(item) || !json_object_get(item, "trackId")) {
        json_decref(album_ref);
        return NULL;
    }
    provider_doc_track_t f = {
        .native_id = provider_doc_id(item, "trackId"),
        .title = provider_doc_str(item, "trackName"),
        .isrc = NULL,
        .duration_ms = provider_doc_int(item, "trackTimeMillis"),
        .explicit_ = s_explicit(item),
        .disc_number = provider_doc_int(item, "discNumber"),
        .track_number = provider_doc_int(item, "trackNumber"),
        .preview_url = provider_doc_str(item, "previewUrl"),
        .artists = s_artists(item),
        .album = album_ref ? album_ref : s_album_ref(item),
        .genres = s_genres(item),
        .raw = provider_doc_copy(item),
    };
    return provider_doc_track(S_PLATFORM, &f);
}

static provider_result_t s_done(json_t *doc, json_t **out, provider_err_t *err)
{
    *out = doc;
    return doc ? PROVIDER_OK : provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
}

provider_result_t itunes_parse_track(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    const json_t *song = s_first(doc, "track", "song");
    if (!song)
        return provider_fail(err, PROVIDER_NOT_FOUND, "itunes: no such song");
    return s_done(s_track(song, NULL), out, err);
}

/* Every song of doc, each with album_ref (borrowed, copied; may be NULL). */
static json_t *s_songs(const json_t *doc, const json_t *album_ref, int skip)
{
    json_t *tracks = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(doc, "results"), i, item)
    {
        if (!s_is_song(item) || skip-- > 0)
            continue;
        json_t *t = s_track(item, album_ref ? provider_doc_copy(album_ref) : NULL);
        if (t)
            json_array_append_new(tracks, t);
    }
    return tracks;
}

static json_t *s_album(const json_t *collection, const json_t *doc)
{
    json_t *ref = doc ? s_album_ref(collection) : NULL;
    provider_doc_album_t f = {
        .native_id = provider_doc_id(collection, "collectionId"),
        .title = provider_doc_str(collection, "collectionName"),
        .upc = NULL,
        .release_date = provider_doc_date(collection, "releaseDate"),
        .total_tracks = provider_doc_int(collection, "trackCount"),
        .label = NULL,
        .image_url = provider_doc_str(collection, "artworkUrl100"),
        .artists = s_artists(collection),
        .genres = s_genres(collection),
        .tracks = doc ? s_songs(doc, ref, 0) : NULL,
        .raw = provider_doc_copy(collection),
    };
    json_decref(ref);
    return provider_doc_album(S_PLATFORM, &f);
}

provider_result_t itunes_parse_album(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    const json_t *collection = s_first(doc, "collection", NULL);
    if (!collection || !json_object_get(collection, "collectionId"))
        return provider_fail(err, PROVIDER_NOT_FOUND, "itunes: no such album");
    return s_done(s_album(collection, doc), out, err);
}

static json_t *s_artist(const json_t *artist, const json_t *doc)
{
    provider_doc_artist_t f = {
        .native_id = provider_doc_id(artist, "artistId"),
        .name = provider_doc_str(artist, "artistName"),
        .image_url = NULL, /* the Search API gives no artist picture */
        .genres = s_genres(artist),
        .top_tracks = doc ? s_songs(doc, NULL, 0) : json_array(),
        .albums = json_array(),
        .raw = provider_doc_copy(artist),
    };
    return provider_doc_artist(S_PLATFORM, &f);
}

provider_result_t itunes_parse_artist(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    const json_t *artist = s_first(doc, "artist", NULL);
    if (!artist || !json_object_get(artist, "artistId"))
        return provider_fail(err, PROVIDER_NOT_FOUND, "itunes: no such artist");
    return s_done(s_artist(artist, doc), out, err);
}

provider_result_t itunes_parse_search(const json_t *songs, const json_t *albums,
                                      const json_t *artists, int skip, json_t **out,
                                      provider_err_t *err)
{
    *out = NULL;
    json_t *search = provider_doc_search_new();
    if (!search)
        return provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
    json_t *tracks = s_songs(songs, NULL, skip);
    if (tracks)
        json_object_set_new(search, "tracks", tracks);
    size_t i;
    json_t *item;
    int left = skip;
    json_array_foreach(json_object_get(albums, "results"), i, item)
    {
        if (s_is(item, "collection", NULL) && json_object_get(item, "collectionId") && left-- <= 0)
            provider_doc_append(search, "albums", s_album(item, NULL));
    }
    left = skip;
    json_array_foreach(json_object_get(artists, "results"), i, item)
    {
        if (s_is(item, "artist", NULL) && json_object_get(item, "artistId") && left-- <= 0)
            provider_doc_append(search, "artists", s_artist(item, NULL));
    }
    *out = search;
    return PROVIDER_OK;
}

provider_result_t itunes_parse_stream(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    const json_t *song = s_first(doc, "track", "song");
    if (!song)
        return provider_fail(err, PROVIDER_NOT_FOUND, "itunes: no such song");
    const char *url = provider_doc_cstr(song, "previewUrl");
    if (!url || !*url)
        return provider_fail(err, PROVIDER_NOT_FOUND, "itunes: no preview for this song");
    return s_done(provider_doc_stream(url, 0, "aac", 1), out, err);
}
