#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "lib_support.h"

#include "check.h"

#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

http_response_t *lt_call(const char *base, const char *method, const char *path, const char *bearer,
                         const char *body)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", base, path);
    http_request_t req = {.method = method, .url = url, .bearer = bearer, .body = body};
    return http_do(&req);
}

http_response_t *lt_callf(const char *base, const char *method, const char *bearer,
                          const char *body, const char *fmt, ...)
{
    char path[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    return lt_call(base, method, path, bearer, body);
}

static PGresult *s_query(const char *sql, const char *const *params, int n, PGconn **conn)
{
    *conn = PQconnectdb(getenv("DATABASE_URL"));
    if (PQstatus(*conn) != CONNECTION_OK) {
        fprintf(stderr, "lt_sql: cannot connect: %s", PQerrorMessage(*conn));
        return NULL;
    }
    PGresult *res = PQexecParams(*conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        fprintf(stderr, "lt_sql: %s\n  in: %s\n", PQresultErrorMessage(res), sql);
        PQclear(res);
        return NULL;
    }
    return res;
}

int lt_sql_exec(const char *sql, const char *const *params, int n_params)
{
    PGconn *conn = NULL;
    PGresult *res = s_query(sql, params, n_params, &conn);
    int rc = res ? 0 : -1;
    PQclear(res);
    PQfinish(conn);
    return rc;
}

char *lt_sql_text(const char *sql, const char *const *params, int n_params)
{
    PGconn *conn = NULL;
    PGresult *res = s_query(sql, params, n_params, &conn);
    char *out = NULL;
    if (res && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        out = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(conn);
    return out;
}

long lt_sql_long(const char *sql, const char *const *params, int n_params)
{
    char *text = lt_sql_text(sql, params, n_params);
    long v = text ? strtol(text, NULL, 10) : -1;
    free(text);
    return v;
}

static char *s_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    char *buf = calloc(1, 65537);
    size_t n = buf ? fread(buf, 1, 65536, f) : 0;
    (void)n;
    fclose(f);
    unlink(path);
    return buf;
}

int lt_ctl(const cluster_t *c, const char *const *args, proc_result_t *out)
{
    memset(out, 0, sizeof *out);
    char endpoint[300], out_path[64], err_path[64];
    snprintf(endpoint, sizeof endpoint, "BEDROCK_BROKER_CLIENTS=%s", cluster_clients_endpoint(c));
    snprintf(out_path, sizeof out_path, "/tmp/lt-ctl-%d.out", (int)getpid());
    snprintf(err_path, sizeof err_path, "/tmp/lt-ctl-%d.err", (int)getpid());
    const char *sets[] = {endpoint, NULL};
    const char *const *lists[] = {sets};
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)LT_BEDROCKCTL_BIN;
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    char **env = proc_env_build(lists, 1);
    pid_t pid = proc_spawn(LT_BEDROCKCTL_BIN, argv, env, out_path, err_path);
    proc_env_free(&env);
    if (pid <= 0)
        return -1;
    int st = 0;
    if (proc_wait(pid, 20000, &st) < 0) {
        out->timed_out = true;
        st = proc_kill(pid, SIGKILL, 1000);
    }
    out->exited = st != -1 && WIFEXITED(st);
    out->exit_code = out->exited ? WEXITSTATUS(st) : -1;
    out->out = s_slurp(out_path);
    out->err = s_slurp(err_path);
    return 0;
}

void lt_promote(const cluster_t *c, fixture_user_t *u)
{
    const char *args[] = {"user", "promote", u->email, NULL};
    proc_result_t res;
    assert_int_equal(lt_ctl(c, args, &res), 0);
    if (!res.exited || res.exit_code != 0)
        fail_msg("bedrockctl user promote failed (exit %d): %s %s", res.exit_code,
                 res.out ? res.out : "", res.err ? res.err : "");
    proc_result_clear(&res);
    fixture_relogin(cluster_base_url(c), u);
    snprintf(u->role, sizeof u->role, "admin");
}

json_t *lt_get(const http_response_t *r, const char *key)
{
    return r && json_is_object(r->json) ? json_object_get(r->json, key) : NULL;
}

long lt_audit_count(const char *user_id, const char *action)
{
    const char *p[] = {user_id, action};
    return lt_sql_long("SELECT count(*) FROM audit_log WHERE user_id = $1::uuid AND action = $2", p,
                       2);
}

long lt_rows_of_user(const char *user_id, bool report)
{
    PGconn *conn = NULL;
    PGresult *cols = s_query("SELECT table_name, column_name FROM information_schema.columns "
                             "WHERE table_schema = 'public' AND column_name IN "
                             "('user_id', 'actor_id') ORDER BY 1, 2",
                             NULL, 0, &conn);
    if (!cols) {
        PQfinish(conn);
        return -1;
    }
    const char *p[] = {user_id};
    long total = lt_sql_long("SELECT count(*) FROM users WHERE id = $1::uuid", p, 1);
    for (int i = 0; i < PQntuples(cols) && total >= 0; i++) {
        const char *table = PQgetvalue(cols, i, 0), *col = PQgetvalue(cols, i, 1);
        /* The table and column names are quoted by the server (format %I), so the
         * statement text stays fixed and every value travels as a parameter. */
        const char *q[] = {table, col, user_id};
        long n = lt_sql_long(
            "SELECT (xpath('/row/c/text()', query_to_xml(format("
            "'SELECT count(*) AS c FROM public.%I WHERE %I::text = %L', $1::text, $2::text, "
            "$3::text), false, true, '')))[1]::text::bigint",
            q, 3);
        if (n != 0 && report)
            fprintf(stderr, "lt_rows_of_user: %s.%s holds %ld row(s) of %s\n", table, col, n,
                    user_id);
        total = n < 0 ? -1 : total + n;
    }
    PQclear(cols);
    PQfinish(conn);
    return total;
}

char *lt_outbox_token(const char *user_id)
{
    const char *p[] = {user_id};
    return lt_sql_text("SELECT payload->>'token' FROM email_outbox WHERE user_id = $1::uuid "
                       "AND template = 'verify_email' ORDER BY id DESC LIMIT 1",
                       p, 1);
}

static void s_ok(http_response_t *r, long status, const char *what)
{
    if (!r || r->status != status)
        fail_msg("%s: expected %ld, got %ld: %s", what, status, r ? r->status : 0,
                 r && r->body ? r->body : "");
    http_response_free(&r);
}

void lt_fill_user(const char *base, const fixture_user_t *u)
{
    s_ok(lt_call(base, "PATCH", "/v1/me", u->access,
                 "{\"profile\":{\"display_name\":\"Fill Name\",\"bio\":\"fill bio\"},"
                 "\"preferences\":{\"language\":\"fr\",\"region\":\"FR\"},"
                 "\"settings\":{\"privacy\":\"public\"}}"),
         200, "PATCH /v1/me");
    s_ok(lt_call(base, "PUT", "/v1/me/favorites/track/deezer:3135556", u->access, NULL), 204,
         "PUT favorite");
    http_response_t *r =
        lt_call(base, "POST", "/v1/me/playlists", u->access, "{\"name\":\"Fill list\"}");
    char id[64] = "";
    if (r && r->status == 201 && json_is_string(lt_get(r, "id")))
        snprintf(id, sizeof id, "%s", json_string_value(lt_get(r, "id")));
    s_ok(r, 201, "POST playlist");
    s_ok(lt_callf(base, "POST", u->access, "{\"track_ids\":[\"local:77\",\"local:78\"]}",
                  "/v1/me/playlists/%s/items", id),
         200, "POST items");
    s_ok(lt_call(base, "PUT", "/v1/me/player", u->access,
                 "{\"track_id\":\"local:77\",\"position_ms\":5000,\"device\":\"fill-device\"}"),
         200, "PUT player");
    const char *p[] = {u->id};
    assert_int_equal(lt_sql_exec("INSERT INTO listening_history (user_id, track_id, played_ms, "
                                 "counted) VALUES ($1, 'local:4242', 1000, true)",
                                 p, 1),
                     0);
    assert_int_equal(lt_sql_exec("INSERT INTO play_counts (user_id, track_id, play_count) "
                                 "VALUES ($1, 'local:4242', 3)",
                                 p, 1),
                     0);
    assert_int_equal(lt_sql_exec("INSERT INTO search_history (user_id, query) "
                                 "VALUES ($1, 'fill query')",
                                 p, 1),
                     0);
}
