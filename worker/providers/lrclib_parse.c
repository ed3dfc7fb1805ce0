#include "lrclib_parse.h"

#include "provider_doc.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define S_PLATFORM "lrclib"

provider_result_t lrclib_decode(long status, const char *body, size_t len, json_t **doc,
                                bool *healthy, provider_err_t *err)
{
    *doc = NULL;
    *healthy = false;
    if (status == 404) {
        *healthy = true;
        return provider_fail(err, PROVIDER_NOT_FOUND, "lrclib: no such lyrics (HTTP 404)");
    }
    if (status < 200 || status > 299) {
        /* A 400 is our request's fault (LRCLIB names the bad parameter), not LRCLIB's. */
        *healthy = status == 400;
        return provider_fail(err, PROVIDER_UPSTREAM, "lrclib answered HTTP %ld", status);
    }
    json_error_t jerr;
    json_t *parsed = body ? json_loadb(body, len, 0, &jerr) : NULL;
    if (!json_is_object(parsed) && !json_is_array(parsed)) {
        json_decref(parsed);
        return provider_fail(err, PROVIDER_UPSTREAM, "lrclib answered malformed JSON");
    }
    *healthy = true;
    *doc = parsed;
    return PROVIDER_OK;
}

/* Longest duration taken as real (seconds): beyond it the value is garbage, and the
 * conversion to an integer must not overflow. */
#define S_MAX_DURATION_S 1e9

/* duration (seconds, 233.0 or 240.852175) in whole milliseconds, or null. */
static json_t *s_duration_ms(const json_t *record)
{
    json_t *v = json_object_get(record, "duration");
    if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) > S_MAX_DURATION_S)
        return json_null();
    json_t *ms = json_integer((json_int_t)(json_number_value(v) * 1000.0 + 0.5));
    return ms ? ms : json_null();
}

provider_result_t lrclib_parse_lyrics(const json_t *record, json_t **out, provider_err_t *err)
{
    *out = NULL;
    json_t *id = provider_doc_id(record, "id");
    if (json_is_null(id))
        return provider_fail(err, PROVIDER_UPSTREAM, "lrclib record without id");
    *out = json_pack("{s:o, s:o, s:s, s:o, s:b, s:o}", "plain",
                     provider_doc_str(record, "plainLyrics"), "synced",
                     provider_doc_str(record, "syncedLyrics"), "source", S_PLATFORM, "native_id",
                     id, "instrumental", json_is_true(json_object_get(record, "instrumental")),
                     "duration_ms", s_duration_ms(record));
    return *out ? PROVIDER_OK : provider_fail(err, PROVIDER_UPSTREAM, "lrclib: out of memory");
}

/* s without surrounding blanks: *len receives its length. */
static const char *s_trim(const char *s, size_t *len)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    *len = n;
    return s;
}

/* Whether needle (n bytes) occurs in hay (h bytes), ignoring ASCII case. */
static bool s_contains(const char *hay, size_t h, const char *needle, size_t n)
{
    if (n == 0 || n > h)
        return false;
    for (size_t i = 0; i + n <= h; i++) {
        if (strncasecmp(hay + i, needle, n) == 0)
            return true;
    }
    return false;
}

/* 2 = equal, 1 = one contains the other, 0 = unrelated (case and blanks ignored). */
static int s_closeness(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    size_t al, bl;
    a = s_trim(a, &al);
    b = s_trim(b, &bl);
    if (al == 0 || bl == 0)
        return 0;
    if (al == bl && strncasecmp(a, b, al) == 0)
        return 2;
    return (s_contains(a, al, b, bl) || s_contains(b, bl, a, al)) ? 1 : 0;
}

long lrclib_best_match(const json_t *results, const char *artist, const char *title)
{
    long best = -1;
    int best_score = 0;
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r)
    {
        int by_artist = s_closeness(provider_doc_cstr(r, "artistName"), artist);
        int by_title = s_closeness(provider_doc_cstr(r, "trackName"), title);
        json_t *id = json_object_get(r, "id");
        if (by_artist == 0 || by_title == 0 || !(json_is_integer(id) || json_is_string(id)))
            continue;
        const char *synced = provider_doc_cstr(r, "syncedLyrics");
        int score = (by_artist + by_title) * 2 + (synced && *synced ? 1 : 0);
        if (score > best_score) {
            best_score = score;
            best = (long)i;
        }
    }
    return best;
}

int lrclib_get_path(const char *title_escaped, const char *artist_escaped,
                    const char *album_escaped, int duration_s, char *out, size_t size)
{
    int n =
        snprintf(out, size, "/api/get?track_name=%s&artist_name=%s", title_escaped, artist_escaped);
    if (n >= 0 && (size_t)n < size && album_escaped)
        n += snprintf(out + n, size - (size_t)n, "&album_name=%s", album_escaped);
    if (n >= 0 && (size_t)n < size && duration_s > 0)
        n += snprintf(out + n, size - (size_t)n, "&duration=%d", duration_s);
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}
