/* libreq — request reading shared by the library's handlers (me.*, admin.*, users.*):
 * path/query arguments, pagination, ids, body fields, and the reply of a repository
 * result. Every libreq_* that validates answers the request itself when the input is
 * bad (400 invalid_argument with details.field, 400 invalid_id, 404 unknown_platform)
 * and returns false; the handler then just returns 0.
 *
 * Path and query parameters arrive as strings from the frontend; from bedrockctl and
 * internal services they may also be JSON numbers, which are accepted where a number
 * is meant.
 */
#ifndef BEDROCK_WORKER_LIBREQ_H
#define BEDROCK_WORKER_LIBREQ_H

#include "handler.h"
#include "library/account.h"
#include "library/pager.h"

#include <jansson.h>
#include <stdbool.h>

/* args[name] as a string (borrowed), or NULL when absent / not a string. */
const char *libreq_arg(handler_ctx_t *ctx, const char *name);

/* args.limit / args.cursor into *pg. */
bool libreq_pager(handler_ctx_t *ctx, pager_key_t kind, pager_t *pg);

/* args[name] must be a UUID (user playlists, sessions, users): else 400 invalid_id. */
bool libreq_uuid_arg(handler_ctx_t *ctx, const char *name, const char **out);

/* A namespaced catalog id: 400 invalid_id when malformed, 404 unknown_platform. */
bool libreq_catalog_id(handler_ctx_t *ctx, const json_t *value);

/* The args object (path and query parameters), or NULL. Borrowed. */
const json_t *libreq_args(handler_ctx_t *ctx);

/* obj[name] as a non-negative integer (a JSON integer, or a decimal string) of at
 * most max; absent or null (obj NULL too): *out = -1 and true. */
bool libreq_index(handler_ctx_t *ctx, const json_t *obj, const char *name, long max, long *out);

/* The body when it is an object; a missing body reads as an empty object (borrowed,
 * or a static empty object). Anything else: 400 invalid_argument field "body". */
const json_t *libreq_body(handler_ctx_t *ctx);

/* body[key] when it is a string of at most max_chars characters of valid UTF-8 (no
 * NUL); *out NULL when absent or null (allowed only when nullable). field names the
 * value in the error. *present says whether the key was there at all. */
bool libreq_text(handler_ctx_t *ctx, const json_t *obj, const char *key, const char *field,
                 long max_chars, bool nullable, const char **out, bool *present);

/* body[key] as a boolean; absent: *present false. */
bool libreq_bool(handler_ctx_t *ctx, const json_t *obj, const char *key, const char *field,
                 bool *out, bool *present);

/* Every key of obj is one of allowed (NULL-terminated): else 400 naming it (prefixed
 * with "<prefix>." when prefix is set). */
bool libreq_known_keys(handler_ctx_t *ctx, const json_t *obj, const char *const *allowed,
                       const char *prefix);

/* body.track_ids: an array of 1..max (0..max when allow_empty) well-formed catalog ids. */
bool libreq_track_ids(handler_ctx_t *ctx, const json_t *body, long max, bool allow_empty,
                      const json_t **out);

/* The request's origin for the audit trail (ip and user agent of envelope.meta). */
account_origin_t libreq_origin(const handler_ctx_t *ctx);

/* err == DB_OK: reply status with data (ownership taken); else the error reply for
 * err (DB_ERR_NOT_FOUND -> 404 not_found) and data is released. Returns 0, or -1 when
 * err is DB_OK but data is NULL (out of memory). */
int libreq_reply(handler_ctx_t *ctx, db_err_t err, int status, json_t *data);

#endif
