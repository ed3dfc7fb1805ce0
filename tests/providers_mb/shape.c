#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* cmocka.h needs the three above first. */
#include <cmocka.h>

#include "shape.h"

#include <ctype.h>
#include <string.h>

const char *shape_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        fail_msg("%s is not a string", key);
    return s;
}

long long shape_int(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", key);
    return json_integer_value(v);
}

void shape_null(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v || !json_is_null(v))
        fail_msg("%s must be present and null", key);
}

static void s_string_or_null(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v || !(json_is_string(v) || json_is_null(v)))
        fail_msg("%s must be present, a string or null", key);
}

static void s_nonempty(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s || !*s)
        fail_msg("%s must be a non-empty string", key);
}

static void s_int_or_null(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v || !(json_is_null(v) || (json_is_integer(v) && json_integer_value(v) > 0)))
        fail_msg("%s must be present, a positive integer or null", key);
}

/* A code of len characters (digits only, or digits and upper-case letters), or null. */
static void s_code(const json_t *obj, const char *key, size_t len, bool digits)
{
    s_string_or_null(obj, key);
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        return;
    if (strlen(s) != len)
        fail_msg("%s '%s' must be %zu characters", key, s, len);
    for (const char *p = s; *p; p++) {
        bool ok = isdigit((unsigned char)*p) || (!digits && isupper((unsigned char)*p));
        if (!ok)
            fail_msg("%s '%s' has a bad character", key, s);
    }
}

static void s_strings(const json_t *obj, const char *key)
{
    json_t *list = json_object_get(obj, key);
    if (!json_is_array(list))
        fail_msg("%s must be a list", key);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (!json_is_string(v) || !*json_string_value(v))
            fail_msg("%s[%zu] must be a non-empty string", key, i);
    }
}

static void s_artist_refs(const json_t *obj)
{
    json_t *list = json_object_get(obj, "artists");
    if (!json_is_array(list))
        fail_msg("artists must be a list");
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        s_nonempty(a, "native_id");
        s_nonempty(a, "name");
    }
}

static void s_album_ref(const json_t *ref)
{
    if (json_is_null(ref))
        return;
    if (!json_is_object(ref))
        fail_msg("album must be an object or null");
    s_nonempty(ref, "native_id");
    s_string_or_null(ref, "title");
    s_code(ref, "upc", 14, true);
    s_string_or_null(ref, "release_date");
    s_string_or_null(ref, "image_url");
}

void shape_track(const json_t *t, const char *platform)
{
    assert_true(json_is_object(t));
    assert_string_equal(shape_str(t, "platform"), platform);
    s_nonempty(t, "native_id");
    s_nonempty(t, "title");
    s_code(t, "isrc", 12, false);
    s_int_or_null(t, "duration_ms");
    assert_true(json_is_boolean(json_object_get(t, "explicit")));
    s_int_or_null(t, "disc_number");
    s_int_or_null(t, "track_number");
    s_string_or_null(t, "preview_url");
    s_artist_refs(t);
    json_t *album = json_object_get(t, "album");
    assert_non_null(album);
    s_album_ref(album);
    s_strings(t, "genres");
    assert_true(json_is_object(json_object_get(t, "raw")));
}

void shape_album(const json_t *a, const char *platform, bool with_tracks)
{
    assert_true(json_is_object(a));
    assert_string_equal(shape_str(a, "platform"), platform);
    s_nonempty(a, "native_id");
    s_nonempty(a, "title");
    s_code(a, "upc", 14, true);
    s_string_or_null(a, "release_date");
    s_int_or_null(a, "total_tracks");
    s_string_or_null(a, "label");
    s_string_or_null(a, "image_url");
    s_artist_refs(a);
    s_strings(a, "genres");
    assert_true(json_is_object(json_object_get(a, "raw")));
    json_t *tracks = json_object_get(a, "tracks");
    if (!with_tracks) {
        assert_null(tracks);
        return;
    }
    assert_true(json_is_array(tracks));
    size_t i;
    json_t *t;
    json_array_foreach(tracks, i, t)
    {
        shape_track(t, platform);
        assert_string_equal(shape_str(json_object_get(t, "album"), "native_id"),
                            shape_str(a, "native_id"));
    }
}

void shape_artist(const json_t *a, const char *platform)
{
    assert_true(json_is_object(a));
    assert_string_equal(shape_str(a, "platform"), platform);
    s_nonempty(a, "native_id");
    s_nonempty(a, "name");
    s_string_or_null(a, "image_url");
    s_strings(a, "genres");
    assert_true(json_is_array(json_object_get(a, "top_tracks")));
    assert_true(json_is_object(json_object_get(a, "raw")));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(a, "albums"), i, v) shape_album(v, platform, false);
    assert_true(json_is_array(json_object_get(a, "albums")));
}

void shape_search(const json_t *s, const char *platform, bool non_empty)
{
    assert_true(json_is_object(s));
    size_t i, total = 0;
    json_t *v;
    json_array_foreach(json_object_get(s, "tracks"), i, v) shape_track(v, platform);
    json_array_foreach(json_object_get(s, "albums"), i, v) shape_album(v, platform, false);
    json_array_foreach(json_object_get(s, "artists"), i, v) shape_artist(v, platform);
    assert_null(json_object_get(s, "raw"));
    static const char *const kinds[] = {"tracks", "albums", "artists"};
    for (size_t k = 0; k < 3; k++) {
        assert_true(json_is_array(json_object_get(s, kinds[k])));
        total += json_array_size(json_object_get(s, kinds[k]));
    }
    if (non_empty)
        assert_true(total > 0);
}

void shape_lyrics(const json_t *l, const char *source)
{
    assert_true(json_is_object(l));
    s_string_or_null(l, "plain");
    s_string_or_null(l, "synced");
    assert_string_equal(shape_str(l, "source"), source);
    s_nonempty(l, "native_id");
    assert_true(json_is_boolean(json_object_get(l, "instrumental")));
    s_int_or_null(l, "duration_ms");
    const char *synced = json_string_value(json_object_get(l, "synced"));
    if (synced)
        assert_int_equal(synced[0], '[');
}
