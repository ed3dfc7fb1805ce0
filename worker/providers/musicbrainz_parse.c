#include "musicbrainz_parse.h"

#include "provider_doc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_PLATFORM "musicbrainz"

static provider_result_t s_oom(provider_err_t *err)
{
    return provider_fail(err, PROVIDER_UPSTREAM, "musicbrainz: out of memory");
}

provider_result_t musicbrainz_decode(long status, const char *body, size_t len, json_t **doc,
                                     bool *healthy, provider_err_t *err)
{
    *doc = NULL;
    *healthy = false;
    if (status == 404 || status == 400) {
        /* {"error": "Not Found", "help": ...}: a clean answer about this entity. */
        *healthy = true;
        return provider_fail(err, PROVIDER_NOT_FOUND, "musicbrainz: not found (HTTP %ld)", status);
    }
    if (status == 503)
        return provider_fail(err, PROVIDER_UPSTREAM,
                             "musicbrainz overloaded or rate limit exceeded (HTTP 503)");
    if (status == 403)
        return provider_fail(err, PROVIDER_UPSTREAM,
                             "musicbrainz refused the request (HTTP 403): it requires a "
                             "meaningful User-Agent (BEDROCK_USER_AGENT)");
    if (status < 200 || status > 299)
        return provider_fail(err, PROVIDER_UPSTREAM, "musicbrainz answered HTTP %ld", status);
    json_error_t jerr;
    json_t *parsed = body ? json_loadb(body, len, 0, &jerr) : NULL;
    if (!json_is_object(parsed)) {
        json_decref(parsed);
        return provider_fail(err, PROVIDER_UPSTREAM, "musicbrainz answered malformed JSON");
    }
    *healthy = true;
    *doc = parsed;
    return PROVIDER_OK;
}

/* ---- small readers ---- */

/* The vote count of a genre/tag, or 0 when not listed (search results may omit it). */
static long long s_count(const json_t *item)
{
    json_t *c = json_object_get(item, "count");
    return json_is_integer(c) ? json_integer_value(c) : 0;
}

/* Whether item is a usable genre/tag: a name, and no negative or zero vote count
 * (a listed count of 0 is a tag every voter withdrew). */
static bool s_genre_usable(const json_t *item)
{
    const char *name = provider_doc_cstr(item, "name");
    json_t *c = json_object_get(item, "count");
    return name && *name && (!c || (json_is_integer(c) && json_integer_value(c) >= 1));
}

/* The most voted names of list (genres or tags), at most MUSICBRAINZ_GENRES_MAX; ties
 * keep MusicBrainz's order. NULL only when out of memory. */
static json_t *s_top_names(const json_t *list)
{
    json_t *out = json_array();
    size_t taken[MUSICBRAINZ_GENRES_MAX];
    size_t n_taken = 0;
    while (out && n_taken < MUSICBRAINZ_GENRES_MAX) {
        size_t best = (size_t)-1;
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item)
        {
            bool used = false;
            for (size_t k = 0; k < n_taken && !used; k++)
                used = taken[k] == i;
            if (used || !s_genre_usable(item))
                continue;
            if (best == (size_t)-1 || s_count(item) > s_count(json_array_get(list, best)))
                best = i;
        }
        if (best == (size_t)-1)
            break;
        taken[n_taken++] = best;
        json_t *name = json_string(provider_doc_cstr(json_array_get(list, best), "name"));
        if (json_array_append_new(out, name) < 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

/* genres when MusicBrainz lists any (inc=genres), else tags (inc=tags), else fallback's. */
static json_t *s_genres(const json_t *obj, const json_t *fallback)
{
    const json_t *sources[] = {obj, fallback};
    for (size_t s = 0; s < 2; s++) {
        static const char *const keys[] = {"genres", "tags"};
        for (size_t k = 0; k < 2; k++) {
            json_t *list = sources[s] ? json_object_get(sources[s], keys[k]) : NULL;
            if (!json_is_array(list) || json_array_size(list) == 0)
                continue;
            json_t *names = s_top_names(list);
            if (!names || json_array_size(names) > 0)
                return names;
            json_decref(names);
        }
    }
    return json_array();
}

/* artist-credit -> [artist ref]; credits without an artist mbid are left out. The
 * artist's own name is kept (the credited name may be a variant of it). */
static json_t *s_artists(const json_t *credit)
{
    json_t *list = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(credit, i, c)
    {
        json_t *artist = json_object_get(c, "artist");
        const char *id = provider_doc_cstr(artist, "id");
        if (!list || !id || !*id)
            continue;
        const char *name = provider_doc_cstr(artist, "name");
        json_t *ref = provider_doc_artist_ref(
            json_string(id), (name && *name) ? json_string(name) : provider_doc_str(c, "name"));
        if (json_array_append_new(list, ref) < 0) {
            json_decref(list);
            list = NULL;
        }
    }
    return list;
}

/* artist-credit of the first of objs that has a non-empty one. */
static json_t *s_artists_of(const json_t *a, const json_t *b, const json_t *c)
{
    const json_t *objs[] = {a, b, c};
    for (size_t i = 0; i < 3; i++) {
        json_t *credit = objs[i] ? json_object_get(objs[i], "artist-credit") : NULL;
        if (json_is_array(credit) && json_array_size(credit) > 0)
            return s_artists(credit);
    }
    return json_array();
}

/* The first well-formed ISRC (12 letters/digits) of obj's isrcs list, upper-cased, or null. */
static json_t *s_isrc(const json_t *obj)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(obj, "isrcs"), i, v)
    {
        const char *s = json_string_value(v);
        if (!s || strlen(s) != 12)
            continue;
        char up[13];
        size_t k = 0;
        while (k < 12 && isalnum((unsigned char)s[k])) {
            up[k] = (char)toupper((unsigned char)s[k]);
            k++;
        }
        if (k < 12)
            continue;
        up[12] = '\0';
        json_t *isrc = json_string(up);
        return isrc ? isrc : json_null();
    }
    return json_null();
}

/* MusicBrainz marks explicit and clean versions in the disambiguation ("explicit",
 * "clean", "edited"); anything else is taken as not explicit. */
static json_t *s_explicit(const json_t *obj)
{
    const char *d = provider_doc_cstr(obj, "disambiguation");
    if (!d || !strcasestr(d, "explicit"))
        return json_false();
    static const char *const negations[] = {"non-explicit", "not explicit", "clean", "edited"};
    for (size_t i = 0; i < sizeof negations / sizeof negations[0]; i++) {
        if (strcasestr(d, negations[i]))
            return json_false();
    }
    return json_true();
}

/* A positive integer from key, or from a string of digits ("6"; vinyl sides "A1" are
 * no number), else null. */
static json_t *s_number(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_integer(v) && json_integer_value(v) > 0)
        return json_integer(json_integer_value(v));
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > 9 || strspn(s, "0123456789") != strlen(s) || atol(s) <= 0)
        return json_null();
    return json_integer(atol(s));
}

static json_t *s_first_non_null(json_t *a, json_t *b)
{
    if (!json_is_null(a)) {
        json_decref(b);
        return a;
    }
    json_decref(a);
    return b;
}

/* Cover Art Archive front image when the release says it has one. */
static json_t *s_cover(const json_t *release)
{
    json_t *caa = json_object_get(release, "cover-art-archive");
    const char *id = provider_doc_cstr(release, "id");
    if (!json_is_true(json_object_get(caa, "front")) || !id || !*id)
        return json_null();
    json_t *url = json_sprintf(MUSICBRAINZ_COVER_URL, id);
    return url ? url : json_null();
}

static json_t *s_release_ref(const json_t *release)
{
    return provider_doc_album_ref(
        provider_doc_str(release, "id"), provider_doc_str(release, "title"),
        provider_doc_upc(release, "barcode"), provider_doc_date(release, "date"), s_cover(release));
}

/* The tracks list of a medium: "tracks" in lookups, "track" in search results. */
static json_t *s_medium_tracks(const json_t *medium)
{
    json_t *tracks = json_object_get(medium, "tracks");
    return tracks ? tracks : json_object_get(medium, "track");
}

/* ---- recording -> track ---- */

provider_result_t musicbrainz_parse_recording(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    if (!provider_doc_cstr(doc, "id") || !provider_doc_cstr(doc, "title"))
        return provider_fail(err, PROVIDER_UPSTREAM, "musicbrainz recording without id or title");
    json_t *release = json_array_get(json_object_get(doc, "releases"), 0);
    json_t *medium = json_array_get(json_object_get(release, "media"), 0);
    json_t *listed = json_array_get(s_medium_tracks(medium), 0);
    json_t *track_number = s_number(listed, "position");
    if (json_is_null(track_number) && listed) {
        json_decref(track_number);
        track_number = s_number(listed, "number");
    }
    provider_doc_track_t f = {
        .native_id = provider_doc_str(doc, "id"),
        .title = provider_doc_str(doc, "title"),
        .isrc = s_isrc(doc),
        .duration_ms = provider_doc_int(doc, "length"),
        .explicit_ = s_explicit(doc),
        .disc_number = s_number(medium, "position"),
        .track_number = track_number,
        .preview_url = NULL,
        .artists = s_artists(json_object_get(doc, "artist-credit")),
        .album = json_is_object(release) ? s_release_ref(release) : NULL,
        .genres = s_genres(doc, NULL),
        .raw = provider_doc_copy(doc),
    };
    *out = provider_doc_track(S_PLATFORM, &f);
    return *out ? PROVIDER_OK : s_oom(err);
}

/* ---- release -> album ---- */

/* One medium's track as a catalog track: the recording is the track entity. NULL when
 * the entry has no recording mbid (it cannot be looked up) or out of memory. */
static json_t *s_release_track(const json_t *release, const json_t *medium, const json_t *track)
{
    json_t *rec = json_object_get(track, "recording");
    if (!provider_doc_cstr(rec, "id"))
        return NULL;
    provider_doc_track_t f = {
        .native_id = provider_doc_str(rec, "id"),
        /* The title and length printed on this release, else the recording's. */
        .title = s_first_non_null(provider_doc_str(track, "title"), provider_doc_str(rec, "title")),
        .isrc = s_isrc(rec),
        .duration_ms =
            s_first_non_null(provider_doc_int(track, "length"), provider_doc_int(rec, "length")),
        .explicit_ = s_explicit(rec),
        .disc_number = s_number(medium, "position"),
        .track_number = s_first_non_null(s_number(track, "position"), s_number(track, "number")),
        .preview_url = NULL,
        .artists = s_artists_of(track, rec, release),
        .album = s_release_ref(release),
        .genres = s_genres(rec, NULL),
        .raw = provider_doc_copy(track),
    };
    return provider_doc_track(S_PLATFORM, &f);
}

/* Every medium's tracks, in order. NULL when out of memory. */
static json_t *s_release_tracks(const json_t *release)
{
    json_t *tracks = json_array();
    size_t m, t;
    json_t *medium, *track;
    json_array_foreach(json_object_get(release, "media"), m, medium)
    {
        json_array_foreach(s_medium_tracks(medium), t, track)
        {
            if (!tracks || !provider_doc_cstr(json_object_get(track, "recording"), "id"))
                continue;
            if (json_array_append_new(tracks, s_release_track(release, medium, track)) < 0) {
                json_decref(tracks);
                tracks = NULL;
            }
        }
    }
    return tracks;
}

/* track-count of the release (search results) or the sum over its media; null when
 * neither is listed. */
static json_t *s_total_tracks(const json_t *release)
{
    json_t *count = provider_doc_int(release, "track-count");
    if (!json_is_null(count))
        return count;
    long long total = 0;
    bool any = false;
    size_t i;
    json_t *medium;
    json_array_foreach(json_object_get(release, "media"), i, medium)
    {
        json_t *n = json_object_get(medium, "track-count");
        if (json_is_integer(n)) {
            total += json_integer_value(n);
            any = true;
        }
    }
    return any ? json_integer(total) : json_null();
}

/* The first label named in label-info. */
static json_t *s_label(const json_t *release)
{
    size_t i;
    json_t *info;
    json_array_foreach(json_object_get(release, "label-info"), i, info)
    {
        json_t *name = provider_doc_str(json_object_get(info, "label"), "name");
        if (!json_is_null(name))
            return name;
    }
    return json_null();
}

/* A release as an album; with_tracks false for search results (no "tracks" key). */
static provider_result_t s_release(const json_t *doc, bool with_tracks, json_t **out,
                                   provider_err_t *err)
{
    *out = NULL;
    if (!provider_doc_cstr(doc, "id") || !provider_doc_cstr(doc, "title"))
        return provider_fail(err, PROVIDER_UPSTREAM, "musicbrainz release without id or title");
    json_t *tracks = NULL;
    if (with_tracks && !(tracks = s_release_tracks(doc)))
        return s_oom(err);
    provider_doc_album_t f = {
        .native_id = provider_doc_str(doc, "id"),
        .title = provider_doc_str(doc, "title"),
        .upc = provider_doc_upc(doc, "barcode"),
        .release_date = provider_doc_date(doc, "date"),
        .total_tracks = s_total_tracks(doc),
        .label = s_label(doc),
        .image_url = s_cover(doc),
        .artists = s_artists(json_object_get(doc, "artist-credit")),
        /* Genres are mostly voted on the release group, seldom on one release. */
        .genres = s_genres(doc, json_object_get(doc, "release-group")),
        .tracks = tracks,
        .raw = provider_doc_copy(doc),
    };
    *out = provider_doc_album(S_PLATFORM, &f);
    return *out ? PROVIDER_OK : s_oom(err);
}

provider_result_t musicbrainz_parse_release(const json_t *doc, json_t **out, provider_err_t *err)
{
    return s_release(doc, true, out, err);
}

/* ---- artist ---- */

/* A release group listed under an artist, as an album without tracks. Its native_id is
 * the RELEASE-GROUP mbid: for display only, not a get_album id (those are releases). */
static json_t *s_release_group(const json_t *rg, const json_t *artist)
{
    json_t *artists = json_array();
    if (artists && json_array_append_new(
                       artists, provider_doc_artist_ref(provider_doc_str(artist, "id"),
                                                        provider_doc_str(artist, "name"))) < 0) {
        json_decref(artists);
        artists = NULL;
    }
    provider_doc_album_t f = {
        .native_id = provider_doc_str(rg, "id"),
        .title = provider_doc_str(rg, "title"),
        .release_date = provider_doc_date(rg, "first-release-date"),
        .artists = artists,
        .genres = s_genres(rg, NULL),
        .tracks = NULL,
        .raw = provider_doc_copy(rg),
    };
    return provider_doc_album(S_PLATFORM, &f);
}

provider_result_t musicbrainz_parse_artist(const json_t *doc, json_t **out, provider_err_t *err)
{
    *out = NULL;
    if (!provider_doc_cstr(doc, "id") || !provider_doc_cstr(doc, "name"))
        return provider_fail(err, PROVIDER_UPSTREAM, "musicbrainz artist without id or name");
    json_t *albums = json_array();
    size_t i;
    json_t *rg;
    json_array_foreach(json_object_get(doc, "release-groups"), i, rg)
    {
        if (!albums || !provider_doc_cstr(rg, "id") || !provider_doc_cstr(rg, "title"))
            continue;
        if (json_array_append_new(albums, s_release_group(rg, doc)) < 0) {
            json_decref(albums);
            albums = NULL;
        }
    }
    if (!albums)
        return s_oom(err);
    provider_doc_artist_t f = {
        .native_id = provider_doc_str(doc, "id"),
        .name = provider_doc_str(doc, "name"),
        .image_url = NULL, /* MusicBrainz keeps no artist images */
        .genres = s_genres(doc, NULL),
        .top_tracks = json_array(),
        .albums = albums,
        .raw = provider_doc_copy(doc),
    };
    *out = provider_doc_artist(S_PLATFORM, &f);
    return *out ? PROVIDER_OK : s_oom(err);
}

/* ---- search ---- */

typedef provider_result_t (*s_parse_fn)(const json_t *doc, json_t **out, provider_err_t *err);

static provider_result_t s_release_item(const json_t *doc, json_t **out, provider_err_t *err)
{
    return s_release(doc, false, out, err);
}

/* Appends at most limit parsed items of answer[list_key] to search[doc_key]; items
 * that do not parse (no id) are skipped. */
static provider_result_t s_search_kind(json_t *search, const char *doc_key, const json_t *answer,
                                       const char *list_key, s_parse_fn parse, int limit,
                                       provider_err_t *err)
{
    size_t i;
    json_t *item;
    int kept = 0;
    json_array_foreach(json_object_get(answer, list_key), i, item)
    {
        if (kept >= limit)
            break;
        json_t *doc;
        provider_err_t item_err;
        if (parse(item, &doc, &item_err) != PROVIDER_OK)
            continue;
        if (provider_doc_append(search, doc_key, doc) < 0)
            return s_oom(err);
        kept++;
    }
    return PROVIDER_OK;
}

provider_result_t musicbrainz_parse_search(const json_t *recordings, const json_t *releases,
                                           const json_t *artists, int limit, json_t **out,
                                           provider_err_t *err)
{
    *out = NULL;
    if (limit < 1)
        limit = MUSICBRAINZ_SEARCH_PAGE;
    json_t *search = provider_doc_search_new();
    if (!search)
        return s_oom(err);
    provider_result_t r = s_search_kind(search, "tracks", recordings, "recordings",
                                        musicbrainz_parse_recording, limit, err);
    if (r == PROVIDER_OK)
        r = s_search_kind(search, "albums", releases, "releases", s_release_item, limit, err);
    if (r == PROVIDER_OK)
        r = s_search_kind(search, "artists", artists, "artists", musicbrainz_parse_artist, limit,
                          err);
    if (r != PROVIDER_OK) {
        json_decref(search);
        return r;
    }
    *out = search;
    return PROVIDER_OK;
}

/* ---- requests ---- */

int musicbrainz_mbid(const char *native, char out[37])
{
    if (!native || strlen(native) != 36)
        return -1;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? native[i] != '-' : !isxdigit((unsigned char)native[i]))
            return -1;
        out[i] = (char)tolower((unsigned char)native[i]);
    }
    out[36] = '\0';
    return 0;
}

/* Search fields of recordings, releases and artists (MusicBrainz search documentation):
 * text starting with "field:" is the user's own Lucene query. */
static const char *const s_fields[] = {
    "alias", "area",    "arid",    "artist",   "artistname",    "asin",     "barcode",
    "begin", "catno",   "comment", "country",  "creditname",    "date",     "dur",
    "end",   "format",  "gender",  "ipi",      "isni",          "isrc",     "label",
    "laid",  "mediums", "number",  "position", "primarytype",   "qdur",     "recording",
    "reid",  "release", "rgid",    "rid",      "secondarytype", "sortname", "status",
    "tag",   "tid",     "tnum",    "tracks",   "type",          "video",
};

static bool s_is_field_query(const char *text)
{
    size_t len = strcspn(text, ":");
    if (!text[len] || text[len + 1] == '\0' || isspace((unsigned char)text[len + 1]))
        return false;
    for (size_t i = 0; i < sizeof s_fields / sizeof s_fields[0]; i++) {
        if (strlen(s_fields[i]) == len && strncasecmp(s_fields[i], text, len) == 0)
            return true;
    }
    return false;
}

/* Whether Lucene would read part of text as syntax. */
static bool s_has_syntax(const char *text)
{
    if (strpbrk(text, "+-&|!(){}[]^\"~*?:\\/"))
        return true;
    static const char *const ops[] = {"AND", "OR", "NOT"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(ops[i]);
        for (const char *p = strstr(text, ops[i]); p; p = strstr(p + 1, ops[i])) {
            bool start = p == text || isspace((unsigned char)p[-1]);
            bool end = p[n] == '\0' || isspace((unsigned char)p[n]);
            if (start && end)
                return true;
        }
    }
    return false;
}

char *musicbrainz_lucene_query(const char *text)
{
    if (!text)
        return NULL;
    if (s_is_field_query(text) || !s_has_syntax(text))
        return strdup(text);
    size_t len = strlen(text);
    char *out = malloc(2 * len + 3);
    if (!out)
        return NULL;
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"' || text[i] == '\\')
            out[o++] = '\\';
        out[o++] = text[i];
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

int musicbrainz_search_path(int type, const char *escaped, int limit, int offset, char *out,
                            size_t size)
{
    char extra[64] = "";
    int n;
    if (offset > 0)
        snprintf(extra, sizeof extra, "&offset=%d", offset);
    if (type == PROVIDER_SEARCH_ALBUM) {
        n = snprintf(out, size, "/ws/2/release?fmt=json&limit=%d&query=%s%s", limit, escaped,
                     extra);
    } else if (type == PROVIDER_SEARCH_TRACK || type == PROVIDER_SEARCH_ARTIST) {
        char paging[96];
        if (limit > MUSICBRAINZ_SEARCH_PAGE)
            snprintf(paging, sizeof paging, "&limit=%d%s", limit, extra);
        else
            snprintf(paging, sizeof paging, "%s", extra);
        n = snprintf(out, size, "/ws/2/%s/?query=%s&fmt=json%s",
                     type == PROVIDER_SEARCH_TRACK ? "recording" : "artist", escaped, paging);
    } else {
        return -1;
    }
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}
