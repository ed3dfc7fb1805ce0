/* catalog_view — see catalog_view.h. Owner: catalog engineer (C1). */
#include "catalog_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_ID_MAX 192

int catalog_view_id(const char *platform, const json_t *native, char *out, size_t size)
{
    int n;
    if (json_is_string(native))
        n = snprintf(out, size, "%s:%s", platform, json_string_value(native));
    else if (json_is_integer(native))
        n = snprintf(out, size, "%s:%lld", platform, (long long)json_integer_value(native));
    else
        return -1;
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

/* "platform:native" of obj.native_id as a JSON string, or null. */
static json_t *s_id(const char *platform, const json_t *obj)
{
    char id[S_ID_MAX];
    if (catalog_view_id(platform, json_object_get(obj, "native_id"), id, sizeof id) < 0)
        return json_null();
    return json_string(id);
}

/* A copy of the scalar obj[key] (string, number, boolean), else null. */
static json_t *s_field(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_object(v) || json_is_array(v))
        return json_null();
    return json_deep_copy(v);
}

static json_t *s_bool(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_boolean(json_is_true(v));
}

/* A list of strings (genres), [] when absent. */
static json_t *s_strings(const json_t *obj, const char *key)
{
    json_t *out = json_array(), *v = json_object_get(obj, key), *item;
    size_t i;
    if (!out)
        return NULL;
    json_array_foreach(v, i, item)
    {
        if (json_is_string(item) && json_array_append(out, item) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* [{id, name}] of artist refs. */
static json_t *s_artists(const char *platform, const json_t *doc)
{
    json_t *out = json_array(), *list = json_object_get(doc, "artists"), *a;
    size_t i;
    if (!out)
        return NULL;
    json_array_foreach(list, i, a)
    {
        json_t *ref = json_pack("{s:o, s:o}", "id", s_id(platform, a), "name", s_field(a, "name"));
        if (!ref || json_array_append_new(out, ref) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* The document's platform, or NULL when doc is not a usable document. */
static const char *s_platform(const json_t *doc)
{
    if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "native_id")))
        return NULL;
    return json_string_value(json_object_get(doc, "platform"));
}

static json_t *s_track(const json_t *doc, bool with_album)
{
    const char *platform = s_platform(doc);
    if (!platform)
        return NULL;
    json_t *album = json_object_get(doc, "album");
    json_t *view =
        json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                  s_id(platform, doc), "platform", platform, "title", s_field(doc, "title"),
                  "artists", s_artists(platform, doc), "duration_ms", s_field(doc, "duration_ms"),
                  "isrc", s_field(doc, "isrc"), "explicit", s_bool(doc, "explicit"), "disc_number",
                  s_field(doc, "disc_number"), "track_number", s_field(doc, "track_number"),
                  "genres", s_strings(doc, "genres"), "preview_url", s_field(doc, "preview_url"));
    if (!view || !with_album)
        return view;
    json_t *ref = json_is_object(album) ? json_pack("{s:o, s:o}", "id", s_id(platform, album),
                                                    "title", s_field(album, "title"))
                                        : json_null();
    if (!ref || json_object_set_new(view, "album", ref) < 0) {
        json_decref(view);
        return NULL;
    }
    return view;
}

json_t *catalog_view_track(const json_t *doc)
{
    return s_track(doc, true);
}

/* [track view] of doc[key]; with_album false inside an album. */
static json_t *s_tracks(const json_t *doc, const char *key, bool with_album)
{
    json_t *out = json_array(), *list = json_object_get(doc, key), *t;
    size_t i;
    if (!out)
        return NULL;
    json_array_foreach(list, i, t)
    {
        json_t *view = s_track(t, with_album);
        if (view && json_array_append_new(out, view) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

json_t *catalog_view_album(const json_t *doc)
{
    const char *platform = s_platform(doc);
    if (!platform)
        return NULL;
    json_t *tracks = s_tracks(doc, "tracks", false);
    json_t *total = json_object_get(doc, "total_tracks");
    json_t *total_view = json_is_integer(total) ? json_deep_copy(total)
                                                : json_integer((json_int_t)json_array_size(tracks));
    return json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                     s_id(platform, doc), "platform", platform, "title", s_field(doc, "title"),
                     "artists", s_artists(platform, doc), "upc", s_field(doc, "upc"),
                     "release_date", s_field(doc, "release_date"), "total_tracks", total_view,
                     "label", s_field(doc, "label"), "image_url", s_field(doc, "image_url"),
                     "genres", s_strings(doc, "genres"), "tracks", tracks);
}

static json_t *s_album_refs(const char *platform, const json_t *doc)
{
    json_t *out = json_array(), *list = json_object_get(doc, "albums"), *a;
    size_t i;
    if (!out)
        return NULL;
    json_array_foreach(list, i, a)
    {
        json_t *ref = json_pack("{s:o, s:o, s:o, s:o}", "id", s_id(platform, a), "title",
                                s_field(a, "title"), "release_date", s_field(a, "release_date"),
                                "image_url", s_field(a, "image_url"));
        if (!ref || json_array_append_new(out, ref) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

json_t *catalog_view_artist(const json_t *doc)
{
    const char *platform = s_platform(doc);
    if (!platform)
        return NULL;
    return json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "id", s_id(platform, doc), "platform",
                     platform, "name", s_field(doc, "name"), "image_url", s_field(doc, "image_url"),
                     "genres", s_strings(doc, "genres"), "top_tracks",
                     s_tracks(doc, "top_tracks", true), "albums", s_album_refs(platform, doc));
}

json_t *catalog_view_playlist(const json_t *doc)
{
    const char *platform = s_platform(doc);
    if (!platform)
        return NULL;
    return json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:{s:o, s:n}}", "id", s_id(platform, doc),
                     "platform", platform, "name", s_field(doc, "name"), "description",
                     s_field(doc, "description"), "owner", s_field(doc, "owner_name"), "image_url",
                     s_field(doc, "image_url"), "tracks", "items", s_tracks(doc, "tracks", true),
                     "next_cursor");
}

json_t *catalog_view(catalog_kind_t kind, const json_t *doc)
{
    switch (kind) {
    case CATALOG_KIND_TRACK:
        return catalog_view_track(doc);
    case CATALOG_KIND_ALBUM:
        return catalog_view_album(doc);
    case CATALOG_KIND_ARTIST:
        return catalog_view_artist(doc);
    case CATALOG_KIND_PLAYLIST:
        return catalog_view_playlist(doc);
    case CATALOG_KIND_COUNT:
        break;
    }
    return NULL;
}

void catalog_view_iso8601(int64_t unix_s, char out[32])
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

json_t *catalog_view_stream(const json_t *stream_doc)
{
    if (!json_is_object(stream_doc) || !json_is_string(json_object_get(stream_doc, "url")))
        return NULL;
    json_t *exp = json_object_get(stream_doc, "expires_at");
    json_t *expires = json_null();
    if (json_is_integer(exp) && json_integer_value(exp) > 0) {
        char iso[32];
        catalog_view_iso8601((int64_t)json_integer_value(exp), iso);
        expires = json_string(iso);
    }
    return json_pack("{s:O, s:o, s:o, s:b}", "url", json_object_get(stream_doc, "url"),
                     "expires_at", expires, "format", s_field(stream_doc, "format"), "preview",
                     json_is_true(json_object_get(stream_doc, "preview")));
}

/* ---- pagination ---- */

/* A non-negative decimal from a JSON string or integer; -1 when malformed. */
static long s_decimal(const json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v) >= 0 ? (long)json_integer_value(v) : -1;
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    if (!*s || strlen(s) > 9 || strspn(s, "0123456789") != strlen(s))
        return -1;
    return strtol(s, NULL, 10);
}

/* Cursors are "o" + the offset in decimal: opaque to clients, cheap to check. */
void catalog_view_cursor(long offset, char out[32])
{
    snprintf(out, 32, "o%ld", offset);
}

int catalog_view_page_args(const json_t *args, int *limit, long *offset, const char **field)
{
    *limit = CATALOG_VIEW_PAGE_DEFAULT;
    *offset = 0;
    json_t *l = json_is_object(args) ? json_object_get(args, "limit") : NULL;
    json_t *c = json_is_object(args) ? json_object_get(args, "cursor") : NULL;
    if (l && !json_is_null(l)) {
        long v = s_decimal(l);
        if (v < 1 || v > CATALOG_VIEW_PAGE_MAX) {
            *field = "limit";
            return -1;
        }
        *limit = (int)v;
    }
    if (c && !json_is_null(c)) {
        const char *s = json_is_string(c) ? json_string_value(c) : NULL;
        json_t *num = s && s[0] == 'o' ? json_string(s + 1) : NULL;
        long v = num ? s_decimal(num) : -1;
        json_decref(num);
        if (v < 0) {
            *field = "cursor";
            return -1;
        }
        *offset = v;
    }
    return 0;
}

json_t *catalog_view_page(const json_t *playlist_view, int limit, long offset)
{
    json_t *page = json_deep_copy(playlist_view);
    json_t *tracks = json_object_get(playlist_view, "tracks");
    json_t *items = json_object_get(tracks, "items");
    json_t *cut = json_array();
    if (!page || !cut) {
        json_decref(page);
        json_decref(cut);
        return NULL;
    }
    size_t total = json_array_size(items);
    for (size_t i = (size_t)offset; i < total && i < (size_t)offset + (size_t)limit; i++) {
        if (json_array_append(cut, json_array_get(items, i)) < 0)
            goto fail;
    }
    json_t *next = json_null();
    if ((size_t)offset + (size_t)limit < total) {
        char cursor[32];
        catalog_view_cursor(offset + limit, cursor);
        next = json_string(cursor);
    }
    if (json_object_set_new(page, "tracks",
                            json_pack("{s:o, s:o}", "items", cut, "next_cursor", next)) < 0)
        goto fail_page;
    return page;
fail:
    json_decref(cut);
fail_page:
    json_decref(page);
    return NULL;
}
