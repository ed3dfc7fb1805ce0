#include "search_cursor.h"

#include "token.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

char *search_cursor_encode(const char *kind, const json_t *offsets)
{
    json_t *doc = json_pack("{s:s, s:O}", "k", kind, "o", offsets);
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(doc);
    if (!text)
        return NULL;
    size_t len = strlen(text);
    char *out = len < SEARCH_CURSOR_MAX ? malloc(SEARCH_CURSOR_MAX + 1) : NULL;
    if (out &&
        token_b64url_encode((const unsigned char *)text, len, out, SEARCH_CURSOR_MAX + 1) < 0) {
        free(out);
        out = NULL;
    }
    free(text);
    return out;
}

static bool s_offsets_valid(const json_t *o)
{
    const char *name;
    const json_t *v;
    if (!json_is_object(o))
        return false;
    json_object_foreach((json_t *)o, name, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > SEARCH_CURSOR_OFFSET_MAX || strlen(name) == 0)
            return false;
    }
    return true;
}

int search_cursor_decode(const char *text, char **kind, json_t **offsets)
{
    unsigned char raw[SEARCH_CURSOR_MAX + 1];
    *kind = NULL;
    *offsets = NULL;
    size_t len = text ? strlen(text) : 0;
    if (len == 0 || len > SEARCH_CURSOR_MAX)
        return -1;
    int n = token_b64url_decode(text, len, raw, sizeof raw - 1);
    if (n <= 0)
        return -1;
    json_t *doc = json_loadb((const char *)raw, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
    const json_t *k = json_object_get(doc, "k");
    json_t *o = json_object_get(doc, "o");
    int rc = -1;
    if (json_is_string(k) && s_offsets_valid(o) &&
        (strcmp(json_string_value(k), "track") == 0 || strcmp(json_string_value(k), "album") == 0 ||
         strcmp(json_string_value(k), "artist") == 0)) {
        *kind = strdup(json_string_value(k));
        *offsets = json_incref(o);
        rc = *kind ? 0 : -1;
        if (rc < 0) {
            json_decref(*offsets);
            *offsets = NULL;
        }
    }
    json_decref(doc);
    return rc;
}
