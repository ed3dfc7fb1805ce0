/* catalog_param — see catalog_param.h. Owner: catalog engineer (C1). */
#include "catalog_param.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *catalog_param(const json_t *doc, const char *key, catalog_slot_t *slot)
{
    json_t *v = json_is_object(doc) ? json_object_get(doc, key) : NULL;
    if (json_is_string(v))
        return json_string_length(v) > 0 ? json_string_value(v) : NULL;
    if (json_is_integer(v)) {
        snprintf(slot->text, sizeof slot->text, "%lld", (long long)json_integer_value(v));
        return slot->text;
    }
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    return NULL;
}

const char *catalog_param_id(long long id, catalog_slot_t *slot)
{
    if (id <= 0)
        return NULL;
    snprintf(slot->text, sizeof slot->text, "%lld", id);
    return slot->text;
}

size_t catalog_utf8_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

bool catalog_fits(const json_t *doc, const char *key, size_t max)
{
    json_t *v = json_object_get(doc, key);
    if (!v || json_is_null(v))
        return true;
    return json_is_string(v) && catalog_utf8_len(json_string_value(v)) <= max;
}

char *catalog_raw_text(const json_t *doc)
{
    json_t *raw = json_object_get(doc, "raw");
    if (json_is_object(raw) || json_is_array(raw))
        return json_dumps(raw, JSON_COMPACT);
    json_t *copy = json_copy((json_t *)doc);
    if (!copy)
        return NULL;
    (void)json_object_del(copy, "raw");
    char *text = json_dumps(copy, JSON_COMPACT);
    json_decref(copy);
    return text;
}

char *catalog_id_array(const long long *ids, size_t n)
{
    size_t cap = 3 + n * 21;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t len = 0;
    out[len++] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%lld", i ? "," : "", ids[i]);
    out[len++] = '}';
    out[len] = '\0';
    return out;
}

int catalog_ids_push(catalog_ids_t *ids, long long id)
{
    if (ids->n == ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 16;
        long long *v = realloc(ids->v, cap * sizeof *v);
        if (!v)
            return -1;
        ids->v = v;
        ids->cap = cap;
    }
    ids->v[ids->n++] = id;
    return 0;
}

void catalog_ids_clear(catalog_ids_t *ids)
{
    free(ids->v);
    ids->v = NULL;
    ids->n = ids->cap = 0;
}
