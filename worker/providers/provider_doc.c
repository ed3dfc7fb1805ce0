#include "provider_doc.h"

#include "provider.h"

#include <ctype.h>
#include <string.h>

json_t *provider_doc_str(const json_t *obj, const char *key)
{
    const char *s = provider_doc_cstr(obj, key);
    if (!s || !*s)
        return json_null();
    json_t *v = json_string(s);
    return v ? v : json_null();
}

json_t *provider_doc_int(const json_t *obj, const char *key)
{
    return provider_doc_int_scaled(obj, key, 1);
}

json_t *provider_doc_int_scaled(const json_t *obj, const char *key, long long factor)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!json_is_integer(v))
        return json_null();
    json_t *copy = json_integer(json_integer_value(v) * factor);
    return copy ? copy : json_null();
}

json_t *provider_doc_bool(const json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!json_is_boolean(v))
        return json_null();
    return json_boolean(json_is_true(v));
}

json_t *provider_doc_id(const json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (json_is_integer(v)) {
        json_t *s = json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return s ? s : json_null();
    }
    return provider_doc_str(obj, key);
}

json_t *provider_doc_isrc(const json_t *obj, const char *key)
{
    const char *s = provider_doc_cstr(obj, key);
    if (!s || strlen(s) != 12)
        return json_null();
    char up[13];
    for (int i = 0; i < 12; i++) {
        if (!isalnum((unsigned char)s[i]))
            return json_null();
        up[i] = (char)toupper((unsigned char)s[i]);
    }
    up[12] = '\0';
    json_t *v = json_string(up);
    return v ? v : json_null();
}

json_t *provider_doc_upc(const json_t *obj, const char *key)
{
    char gtin[15];
    if (provider_normalize_upc(provider_doc_cstr(obj, key), gtin) < 0)
        return json_null();
    json_t *v = json_string(gtin);
    return v ? v : json_null();
}

json_t *provider_doc_date(const json_t *obj, const char *key)
{
    const char *s = provider_doc_cstr(obj, key);
    if (!s)
        return json_null();
    /* Longest prefix that is YYYY, YYYY-MM or YYYY-MM-DD. */
    static const char shape[] = "dddd-dd-dd";
    size_t n = 0, ok = 0;
    while (n < 10 && s[n]) {
        if (shape[n] == 'd' ? !isdigit((unsigned char)s[n]) : s[n] != '-')
            break;
        n++;
        if (n == 4 || n == 7 || n == 10)
            ok = n;
    }
    if (ok == 0)
        return json_null();
    json_t *v = json_stringn(s, ok);
    return v ? v : json_null();
}

json_t *provider_doc_copy(const json_t *v)
{
    if (!v)
        return json_null();
    json_t *copy = json_deep_copy(v);
    return copy ? copy : json_null();
}

const char *provider_doc_cstr(const json_t *obj, const char *key)
{
    return obj ? json_string_value(json_object_get(obj, key)) : NULL;
}

/* NULL -> null (or [] when list), else the value itself. */
static json_t *s_or_null(json_t *v)
{
    return v ? v : json_null();
}

static json_t *s_or_list(json_t *v)
{
    return v ? v : json_array();
}

json_t *provider_doc_artist_ref(json_t *native_id, json_t *name)
{
    return json_pack("{s:o, s:o}", "native_id", s_or_null(native_id), "name", s_or_null(name));
}

json_t *provider_doc_album_ref(json_t *native_id, json_t *title, json_t *upc, json_t *release_date,
                               json_t *image_url)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "native_id", s_or_null(native_id), "title",
                     s_or_null(title), "upc", s_or_null(upc), "release_date",
                     s_or_null(release_date), "image_url", s_or_null(image_url));
}

json_t *provider_doc_track(const char *platform, provider_doc_track_t *f)
{
    /* json_pack steals every "o" even when it fails, so nothing leaks on OOM. */
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "platform", platform, "native_id", s_or_null(f->native_id), "title",
                     s_or_null(f->title), "isrc", s_or_null(f->isrc), "duration_ms",
                     s_or_null(f->duration_ms), "explicit", s_or_null(f->explicit_), "disc_number",
                     s_or_null(f->disc_number), "track_number", s_or_null(f->track_number),
                     "preview_url", s_or_null(f->preview_url), "artists", s_or_list(f->artists),
                     "album", s_or_null(f->album), "genres", s_or_list(f->genres), "raw",
                     s_or_null(f->raw));
}

json_t *provider_doc_album(const char *platform, provider_doc_album_t *f)
{
    json_t *tracks = f->tracks;
    json_t *doc =
        json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "platform", platform,
                  "native_id", s_or_null(f->native_id), "title", s_or_null(f->title), "upc",
                  s_or_null(f->upc), "release_date", s_or_null(f->release_date), "total_tracks",
                  s_or_null(f->total_tracks), "label", s_or_null(f->label), "image_url",
                  s_or_null(f->image_url), "artists", s_or_list(f->artists), "genres",
                  s_or_list(f->genres), "raw", s_or_null(f->raw));
    if (!doc) {
        json_decref(tracks);
        return NULL;
    }
    if (tracks && json_object_set_new(doc, "tracks", tracks) < 0) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

json_t *provider_doc_artist(const char *platform, provider_doc_artist_t *f)
{
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "platform", platform, "native_id",
                     s_or_null(f->native_id), "name", s_or_null(f->name), "image_url",
                     s_or_null(f->image_url), "genres", s_or_list(f->genres), "top_tracks",
                     s_or_list(f->top_tracks), "albums", s_or_list(f->albums), "raw",
                     s_or_null(f->raw));
}

json_t *provider_doc_playlist(const char *platform, provider_doc_playlist_t *f)
{
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "platform", platform, "native_id",
                     s_or_null(f->native_id), "name", s_or_null(f->name), "description",
                     s_or_null(f->description), "owner_name", s_or_null(f->owner_name), "image_url",
                     s_or_null(f->image_url), "tracks", s_or_list(f->tracks), "raw",
                     s_or_null(f->raw));
}

json_t *provider_doc_stream(const char *url, long long expires_at, const char *format, int preview)
{
    return json_pack("{s:s, s:o, s:s?, s:b}", "url", url, "expires_at",
                     expires_at > 0 ? json_integer(expires_at) : json_null(), "format", format,
                     "preview", preview);
}

json_t *provider_doc_search_new(void)
{
    return json_pack("{s:[], s:[], s:[]}", "tracks", "albums", "artists");
}

int provider_doc_append(json_t *doc, const char *key, json_t *item)
{
    json_t *list = json_object_get(doc, key);
    if (!item || !json_is_array(list)) {
        json_decref(item);
        return -1;
    }
    return json_array_append_new(list, item);
}
