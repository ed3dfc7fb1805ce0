/* disc_env_io — Redis, PostgreSQL, replay-control and reply helpers of disc_env
 * (disc_env.h). */
#include "disc_env.h"

#include "http.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static redisReply *s_cmd(disc_env_t *env, const char *fmt, const char *key)
{
    if (!env->redis)
        return NULL;
    return key ? redisCommand(env->redis, fmt, key) : redisCommand(env->redis, fmt);
}

long long disc_ttl(disc_env_t *env, const char *key)
{
    redisReply *r = s_cmd(env, "TTL %s", key);
    long long ttl = (r && r->type == REDIS_REPLY_INTEGER) ? r->integer : -3;
    if (r)
        freeReplyObject(r);
    return ttl;
}

bool disc_exists(disc_env_t *env, const char *key)
{
    redisReply *r = s_cmd(env, "EXISTS %s", key);
    bool yes = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    if (r)
        freeReplyObject(r);
    return yes;
}

int disc_del(disc_env_t *env, const char *key)
{
    redisReply *r = s_cmd(env, "DEL %s", key);
    int rc = (r && r->type == REDIS_REPLY_INTEGER) ? 0 : -1;
    if (r)
        freeReplyObject(r);
    return rc;
}

int disc_flush(disc_env_t *env)
{
    redisReply *r = s_cmd(env, "FLUSHDB", NULL);
    int rc = (r && r->type == REDIS_REPLY_STATUS) ? 0 : -1;
    if (r)
        freeReplyObject(r);
    return rc;
}

json_t *disc_keys(disc_env_t *env, const char *pattern)
{
    json_t *out = json_array();
    redisReply *r = s_cmd(env, "KEYS %s", pattern);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
        json_array_append_new(out, json_stringn(r->element[i]->str, r->element[i]->len));
    if (r)
        freeReplyObject(r);
    return out;
}

long long disc_sql_int(disc_env_t *env, const char *sql, const char *const *params)
{
    int n = 0;
    while (params && params[n])
        n++;
    PGresult *res = PQexecParams(env->pg, sql, n, NULL, params, NULL, NULL, 0);
    long long v = -1;
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    else if (st == PGRES_COMMAND_OK)
        v = strtoll(PQcmdTuples(res), NULL, 10);
    else if (st != PGRES_TUPLES_OK)
        fprintf(stderr, "disc_env: SQL failed: %s", PQerrorMessage(env->pg));
    PQclear(res);
    return v;
}

int disc_replay_mode(disc_env_t *env, const char *provider, const char *mode)
{
    char body[160];
    snprintf(body, sizeof body, "{\"provider\":\"%s\",\"mode\":\"%s\"}", provider, mode);
    http_response_t *r = http_post(env->replay_base, "/_replay/mode", NULL, body);
    int rc = r->status == 200 ? 0 : -1;
    http_response_free(&r);
    return rc;
}

int disc_replay_reset(disc_env_t *env)
{
    http_response_t *r = http_post(env->replay_base, "/_replay/reset", NULL, "{}");
    int rc = r->status == 200 ? 0 : -1;
    http_response_free(&r);
    return rc;
}

long disc_replay_requests(disc_env_t *env, const char *provider)
{
    http_response_t *r = http_get(env->replay_base, "/_replay/stats", NULL);
    const json_t *n = json_object_get(json_object_get(r->json, "requests"), provider);
    long v = json_is_integer(n) ? (long)json_integer_value(n) : -1;
    http_response_free(&r);
    return v;
}

void disc_print(const envelope_reply_t *rep, const char *label)
{
    char *data = rep->data ? json_dumps(rep->data, JSON_COMPACT) : NULL;
    char *headers = rep->headers ? json_dumps(rep->headers, JSON_COMPACT) : NULL;
    char *details = rep->error_details ? json_dumps(rep->error_details, JSON_COMPACT) : NULL;
    fprintf(stderr,
            "---- %s: status %d code '%s' message '%s' details %s headers %s\n"
            "     data %.3000s\n",
            label, rep->status, rep->error_code, rep->error_message, details ? details : "-",
            headers ? headers : "-", data ? data : "-");
    free(data);
    free(headers);
    free(details);
}

void disc_check_at(const envelope_reply_t *rep, int status, const char *code, const char *file,
                   int line)
{
    bool ok = rep->status == status && (!code || strcmp(rep->error_code, code) == 0);
    if (ok)
        return;
    char label[256];
    snprintf(label, sizeof label, "%s:%d expected %d %s", file, line, status, code ? code : "");
    disc_print(rep, label);
    _fail(file, line);
}

const json_t *disc_items(const envelope_reply_t *rep, const char *list)
{
    const json_t *items = json_object_get(json_object_get(rep->data, list), "items");
    return json_is_array(items) ? items : NULL;
}
