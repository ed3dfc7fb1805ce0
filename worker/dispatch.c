#include "dispatch.h"

#include "handlers/handlers.h"
#include "log.h"
#include "ops.h"
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one table. test.sleep_write shares test.sleep's handler: they differ only in
 * being read-only or not (common/ops.c), which is the broker's business. */
static const dispatch_entry_t s_table[] = {
    {"auth.register", handle_auth_register, 0},
    {"auth.login", handle_auth_login, 0},
    {"auth.refresh", handle_auth_refresh, 0},
    {"auth.logout", handle_auth_logout, DISPATCH_AUTH_REQUIRED},
    {"me.get", handle_me_get, DISPATCH_AUTH_REQUIRED},
    {"test.sleep", handle_test_sleep, DISPATCH_TEST_ONLY},
    {"test.sleep_write", handle_test_sleep, DISPATCH_TEST_ONLY},
    {"test.echo", handle_test_echo, DISPATCH_TEST_ONLY},
};

#define S_TABLE_SIZE (sizeof s_table / sizeof s_table[0])

struct dispatch {
    const handler_env_t *env;
    json_t *announced;
    bool serves[S_TABLE_SIZE];
};

const dispatch_entry_t *dispatch_table(size_t *count)
{
    *count = S_TABLE_SIZE;
    return s_table;
}

/* An announce entry covers op when equal, or when it is a prefix ending in '.'. */
static bool s_covers(const char *entry, const char *op)
{
    size_t n = strlen(entry);
    if (n > 0 && entry[n - 1] == '.')
        return strncmp(entry, op, n) == 0;
    return strcmp(entry, op) == 0;
}

static bool s_available(const dispatch_t *d, size_t i)
{
    return !(s_table[i].flags & DISPATCH_TEST_ONLY) || d->env->cfg->test_ops;
}

/* Adds one BEDROCK_WORKER_OPS entry; it must cover at least one available op. */
static int s_add_entry(dispatch_t *d, const char *entry, char *err, size_t err_size)
{
    bool any = false;
    for (size_t i = 0; i < S_TABLE_SIZE; i++) {
        if (s_available(d, i) && s_covers(entry, s_table[i].op)) {
            d->serves[i] = true;
            any = true;
        }
    }
    if (!any) {
        snprintf(err, err_size, "names no op this worker has: \"%s\"%s", entry,
                 strncmp(entry, "test.", 5) == 0 ? " (test ops need BEDROCK_TEST_OPS=true)" : "");
        return -1;
    }
    return json_array_append_new(d->announced, json_string(entry));
}

static int s_configure(dispatch_t *d, const char *ops_list, char *err, size_t err_size)
{
    if (!ops_list) {
        for (size_t i = 0; i < S_TABLE_SIZE; i++) {
            d->serves[i] = s_available(d, i);
            if (d->serves[i] && json_array_append_new(d->announced, json_string(s_table[i].op)) < 0)
                return -1;
        }
        return 0;
    }
    char *copy = strdup(ops_list), *save = NULL;
    if (!copy)
        return -1;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save))
        rc = s_add_entry(d, tok, err, err_size);
    free(copy);
    return rc;
}

dispatch_t *dispatch_new(const handler_env_t *env, const char *ops_list, char *err, size_t err_size)
{
    dispatch_t *d = calloc(1, sizeof *d);
    snprintf(err, err_size, "out of memory");
    if (!d)
        return NULL;
    d->env = env;
    d->announced = json_array();
    if (!d->announced || s_configure(d, ops_list, err, err_size) < 0) {
        dispatch_destroy(&d);
        return NULL;
    }
    return d;
}

void dispatch_destroy(dispatch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    json_decref((*self_p)->announced);
    free(*self_p);
    *self_p = NULL;
}

const json_t *dispatch_announced(const dispatch_t *d)
{
    return d->announced;
}

static const dispatch_entry_t *s_find(const dispatch_t *d, const char *op)
{
    for (size_t i = 0; i < S_TABLE_SIZE; i++)
        if (strcmp(s_table[i].op, op) == 0)
            return d->serves[i] ? &s_table[i] : NULL;
    return NULL;
}

bool dispatch_serves(const dispatch_t *d, const char *op)
{
    return s_find(d, op) != NULL;
}

/* Sessions are checked on the primary: a replica lagging behind could still show a
 * session that was just revoked (logout must take effect at once). */
static bool s_authorised(handler_ctx_t *ctx)
{
    const envelope_request_t *req = ctx->req;
    if (!req->has_auth) {
        handler_error(ctx, 401, "unauthorized", "authentication required");
        return false;
    }
    db_err_t err = sessions_check(ctx->primary, req->auth_sid, req->auth_sub);
    if (err == DB_OK)
        return true;
    if (err == DB_ERR_NOT_FOUND)
        handler_error(ctx, 401, "unauthorized", "the session is not valid");
    else
        (void)handler_db_error(ctx, err);
    return false;
}

static db_t *s_pick_db(const dispatch_t *d, const char *op)
{
    if (d->env->replica && ops_is_read_only(op) && db_ensure(d->env->replica) == DB_OK)
        return d->env->replica;
    return d->env->primary;
}

static void s_internal(handler_ctx_t *ctx, const char *why)
{
    log_error("op %s failed: %s", ctx->req->op, why);
    envelope_reply_clear(ctx->rep);
    memcpy(ctx->rep->id, ctx->req->id, ENVELOPE_ID_SIZE);
    envelope_reply_set_error(ctx->rep, 500, "internal", "internal error", NULL);
}

void dispatch_run(dispatch_t *d, const envelope_request_t *req, envelope_reply_t *rep)
{
    handler_ctx_t ctx = {
        .req = req,
        .rep = rep,
        .db = d->env->primary,
        .primary = d->env->primary,
        .cache = d->env->cache,
        .password = d->env->password,
        .cfg = d->env->cfg,
    };
    envelope_id_to_hex(req->id, ctx.request_id);
    memcpy(rep->id, req->id, ENVELOPE_ID_SIZE);
    const dispatch_entry_t *entry = s_find(d, req->op);
    if (!entry) {
        handler_error(&ctx, 404, "not_found", "this worker has no such op");
        return;
    }
    if ((entry->flags & DISPATCH_AUTH_REQUIRED) && !s_authorised(&ctx))
        return;
    ctx.db = s_pick_db(d, req->op);
    if (entry->fn(&ctx) < 0)
        s_internal(&ctx, "handler error");
    else if (rep->status < 100 || rep->status > 599)
        s_internal(&ctx, "handler left no status");
}
