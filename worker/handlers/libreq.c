#include "libreq.h"

#include "ids.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest list position accepted as a string. */
#define S_INDEX_CHARS 12

const json_t *libreq_args(handler_ctx_t *ctx)
{
    return json_is_object(ctx->req->args) ? ctx->req->args : NULL;
}

const char *libreq_arg(handler_ctx_t *ctx, const char *name)
{
    const json_t *args = libreq_args(ctx);
    json_t *v = args ? json_object_get(args, name) : NULL;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return json_string_value(v);
}

bool libreq_pager(handler_ctx_t *ctx, pager_key_t kind, pager_t *pg)
{
    const json_t *args = libreq_args(ctx);
    const char *bad = NULL;
    json_t *limit = args ? json_object_get(args, "limit") : NULL;
    json_t *cursor = args ? json_object_get(args, "cursor") : NULL;
    if (pager_parse(limit, cursor, kind, pg, &bad) == 0)
        return true;
    handler_invalid(ctx, bad,
                    strcmp(bad, "limit") == 0 ? "limit must be an integer from 1 to 100"
                                              : "cursor is not one this list gave out");
    return false;
}

bool libreq_uuid_arg(handler_ctx_t *ctx, const char *name, const char **out)
{
    *out = libreq_arg(ctx, name);
    if (*out && ids_is_uuid(*out))
        return true;
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be a UUID", name);
    handler_error(ctx, 400, "invalid_id", msg);
    return false;
}

bool libreq_catalog_id(handler_ctx_t *ctx, const json_t *value)
{
    ids_ref_t ref;
    const char *text = json_string_value(value);
    ids_result_t r =
        (text && strlen(text) == json_string_length(value)) ? ids_parse(text, &ref) : IDS_INVALID;
    if (r == IDS_OK)
        return true;
    if (r == IDS_UNKNOWN_PLATFORM)
        handler_error(ctx, 404, "unknown_platform", "no such platform");
    else
        handler_error(ctx, 400, "invalid_id", "ids look like platform:native_id (e.g. local:42)");
    return false;
}

bool libreq_index(handler_ctx_t *ctx, const json_t *obj, const char *name, long max, long *out)
{
    *out = -1;
    json_t *v = json_is_object(obj) ? json_object_get(obj, name) : NULL;
    if (!v || json_is_null(v))
        return true;
    long long n;
    if (pager_json_int(v, S_INDEX_CHARS, 0, max, &n) == 0) {
        *out = (long)n;
        return true;
    }
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be an integer from 0 to %ld", name, max);
    handler_invalid(ctx, name, msg);
    return false;
}

const json_t *libreq_body(handler_ctx_t *ctx)
{
    static json_t *empty;
    const json_t *body = ctx->req->body;
    if (json_is_object(body))
        return body;
    if (!body || json_is_null(body)) {
        if (!empty)
            empty = json_object();
        return empty;
    }
    handler_invalid(ctx, "body", "the body must be a JSON object");
    return NULL;
}

bool libreq_text(handler_ctx_t *ctx, const json_t *obj, const char *key, const char *field,
                 long max_chars, bool nullable, const char **out, bool *present)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    *present = v != NULL;
    if (!v || (nullable && json_is_null(v)))
        return true;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    long chars = s && strlen(s) == len ? validate_utf8_length(s, len) : -1;
    if (chars >= 0 && chars <= max_chars) {
        *out = s;
        return true;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "%s must be a string of at most %ld characters%s", field, max_chars,
             nullable ? " (or null)" : "");
    handler_invalid(ctx, field, msg);
    return false;
}

bool libreq_bool(handler_ctx_t *ctx, const json_t *obj, const char *key, const char *field,
                 bool *out, bool *present)
{
    json_t *v = json_object_get(obj, key);
    *present = v != NULL;
    if (!v)
        return true;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return true;
    }
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be true or false", field);
    handler_invalid(ctx, field, msg);
    return false;
}

bool libreq_known_keys(handler_ctx_t *ctx, const json_t *obj, const char *const *allowed,
                       const char *prefix)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (known)
            continue;
        char field[160];
        snprintf(field, sizeof field, "%s%s%.100s", prefix ? prefix : "", prefix ? "." : "", key);
        handler_invalid(ctx, field, "unknown field");
        return false;
    }
    return true;
}

bool libreq_track_ids(handler_ctx_t *ctx, const json_t *body, long max, bool allow_empty,
                      const json_t **out)
{
    const json_t *ids = json_object_get(body, "track_ids");
    size_t n = json_array_size(ids);
    if (!json_is_array(ids) || (n == 0 && !allow_empty) || (long)n > max) {
        char msg[128];
        snprintf(msg, sizeof msg, "track_ids must be an array of %d to %ld track ids",
                 allow_empty ? 0 : 1, max);
        handler_invalid(ctx, "track_ids", msg);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (!libreq_catalog_id(ctx, json_array_get(ids, i)))
            return false;
    *out = ids;
    return true;
}

account_origin_t libreq_origin(const handler_ctx_t *ctx)
{
    account_origin_t o = {ctx->req->meta_ip, ctx->req->meta_ua};
    return o;
}

int libreq_reply(handler_ctx_t *ctx, db_err_t err, int status, json_t *data)
{
    if (err != DB_OK) {
        json_decref(data);
        return handler_db_error(ctx, err);
    }
    if (!data && status != 204)
        return -1;
    return handler_ok(ctx, status, data);
}
