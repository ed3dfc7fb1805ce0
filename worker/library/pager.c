#include "pager.h"

#include "ids.h"
#include "token.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest limit accepted as a string ("000100" included). */
#define S_LIMIT_CHARS 6

int pager_json_int(const json_t *v, size_t max_chars, long long min, long long max,
                   long long *out)
{
    long long n;
    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end = NULL;
        if (!*s || strlen(s) > max_chars || !isdigit((unsigned char)s[0]))
            return -1;
        errno = 0;
        n = strtoll(s, &end, 10);
        if (errno || *end)
            return -1;
    } else {
        return -1;
    }
    if (n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

static int s_limit(const json_t *v, int *out)
{
    *out = PAGER_DEFAULT_LIMIT;
    if (!v || json_is_null(v))
        return 0;
    long long n;
    if (pager_json_int(v, S_LIMIT_CHARS, 1, PAGER_MAX_LIMIT, &n) < 0)
        return -1;
    *out = (int)n;
    return 0;
}

static bool s_digits(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool s_key_ok(const char *key, pager_key_t kind)
{
    switch (kind) {
    case PAGER_KEY_UUID:
        return ids_is_uuid(key);
    case PAGER_KEY_INT:
        return s_digits(key, 18);
    case PAGER_KEY_TEXT:
        return strlen(key) < PAGER_KEY_MAX;
    }
    return false;
}

/* base64url -> JSON [int, "key"] -> out. */
static int s_cursor(const char *text, pager_key_t kind, pager_t *out)
{
    size_t len = strlen(text);
    unsigned char raw[PAGER_CURSOR_MAX];
    if (len > PAGER_CURSOR_MAX)
        return -1;
    int n = token_b64url_decode(text, len, raw, sizeof raw - 1);
    if (n <= 0)
        return -1;
    json_t *v = json_loadb((const char *)raw, (size_t)n, 0, NULL);
    json_t *t = json_array_get(v, 0), *k = json_array_get(v, 1);
    int rc = -1;
    if (json_is_array(v) && json_array_size(v) == 2 && json_is_integer(t) &&
        json_integer_value(t) >= 0 && json_is_string(k) &&
        strlen(json_string_value(k)) == json_string_length(k) &&
        s_key_ok(json_string_value(k), kind)) {
        snprintf(out->time_us, sizeof out->time_us, "%lld", (long long)json_integer_value(t));
        snprintf(out->key, sizeof out->key, "%s", json_string_value(k));
        out->has_cursor = true;
        rc = 0;
    }
    json_decref(v);
    return rc;
}

int pager_parse(const json_t *limit, const json_t *cursor, pager_key_t kind, pager_t *out,
                const char **bad_field)
{
    memset(out, 0, sizeof *out);
    if (s_limit(limit, &out->limit) < 0) {
        *bad_field = "limit";
        return -1;
    }
    snprintf(out->fetch, sizeof out->fetch, "%d", out->limit + 1);
    if (!cursor || json_is_null(cursor) ||
        (json_is_string(cursor) && json_string_length(cursor) == 0))
        return 0;
    if (!json_is_string(cursor) || s_cursor(json_string_value(cursor), kind, out) < 0) {
        *bad_field = "cursor";
        return -1;
    }
    return 0;
}

void pager_params(const pager_t *pg, const char *out[3])
{
    out[0] = pg->has_cursor ? pg->time_us : NULL;
    out[1] = pg->has_cursor ? pg->key : NULL;
    out[2] = pg->fetch;
}

char *pager_cursor_encode(const char *time_us, const char *key)
{
    json_t *a = json_pack("[I, s]", (json_int_t)strtoll(time_us, NULL, 10), key);
    char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    if (!text)
        return NULL;
    size_t len = strlen(text), size = len * 4 / 3 + 4;
    char *out = malloc(size);
    if (out && token_b64url_encode((const unsigned char *)text, len, out, size) < 0) {
        free(out);
        out = NULL;
    }
    free(text);
    return out;
}

static json_t *s_next_cursor(const PGresult *res, int row)
{
    const char *t = PQgetisnull(res, row, 1) ? NULL : PQgetvalue(res, row, 1);
    const char *k = PQgetisnull(res, row, 2) ? NULL : PQgetvalue(res, row, 2);
    if (!t || !k)
        return NULL;
    char *cursor = pager_cursor_encode(t, k);
    json_t *v = cursor ? json_string(cursor) : NULL;
    free(cursor);
    return v;
}

json_t *pager_page(const PGresult *res, const pager_t *pg)
{
    int rows = PQntuples(res);
    bool more = rows > pg->limit;
    int shown = more ? pg->limit : rows;
    json_t *items = json_array();
    if (!items)
        return NULL;
    for (int i = 0; i < shown; i++) {
        json_t *item = json_loads(PQgetvalue(res, i, 0), 0, NULL);
        if (!item || json_array_append_new(items, item) < 0) {
            json_decref(items);
            return NULL;
        }
    }
    json_t *next = more && shown > 0 ? s_next_cursor(res, shown - 1) : json_null();
    if (!next) {
        json_decref(items);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
}

db_err_t pager_run(db_t *db, const stmt_t *stmt, const char *const *before, int n_before,
                   const char *const *after, int n_after, const pager_t *pg, json_t **out)
{
    const char *params[11];
    int n = 0;
    *out = NULL;
    if (n_before > 4 || n_after > 4)
        return DB_ERR_OTHER;
    for (int i = 0; i < n_before; i++)
        params[n++] = before[i];
    pager_params(pg, params + n);
    n += 3;
    for (int i = 0; i < n_after; i++)
        params[n++] = after[i];
    PGresult *res = NULL;
    db_err_t err = db_run(db, stmt, params, &res);
    if (err != DB_OK)
        return err;
    *out = pager_page(res, pg);
    PQclear(res);
    return *out ? DB_OK : DB_ERR_OTHER;
}
