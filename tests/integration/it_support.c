#include "it_support.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_MIGRATIONS_DIR BEDROCK_SOURCE_DIR "/schema/migrations"
#define S_MAX_MIGRATIONS 256

const char *it_require_env(const char *name)
{
    const char *v = getenv(name);
    if (v && *v)
        return v;
    fprintf(stderr,
            "FAIL: %s is not set. The worker integration tests need a real PostgreSQL and Redis:\n"
            "  DATABASE_URL=postgresql://user@host:port/db (a server where the user may CREATE "
            "DATABASE)\n"
            "  REDIS_URL=redis://host:port/db\n",
            name);
    exit(1);
}

int it_url_with_db(const char *url, const char *dbname, char *out, size_t out_size)
{
    const char *scheme = strstr(url, "://");
    if (!scheme)
        return -1;
    const char *authority = scheme + 3;
    size_t alen = strcspn(authority, "/?");
    const char *rest = authority + alen;
    const char *query = strchr(rest, '?');
    int n = snprintf(out, out_size, "%.*s/%s%s", (int)(authority + alen - url), url, dbname,
                     query ? query : "");
    return (n < 0 || (size_t)n >= out_size) ? -1 : 0;
}

static void s_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *s_connect(const char *url)
{
    PGconn *c = PQconnectdb(url);
    PQsetNoticeProcessor(c, s_quiet, NULL);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "FAIL: cannot connect to %s: %s", url, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    return c;
}

int it_exec(const char *url, const char *sql)
{
    PGconn *c = s_connect(url);
    if (!c)
        return -1;
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? 0 : -1;
    if (rc < 0)
        fprintf(stderr, "FAIL: %.80s...: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return rc;
}

long it_query_long(const char *url, const char *sql)
{
    PGconn *c = s_connect(url);
    if (!c)
        return -1;
    PGresult *r = PQexec(c, sql);
    long v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = atol(PQgetvalue(r, 0, 0));
    else if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fprintf(stderr, "query failed: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return v;
}

static int s_by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *s_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    long size = (fseek(f, 0, SEEK_END) == 0) ? ftell(f) : -1;
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1))) {
        if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        } else {
            buf[size] = '\0';
        }
    }
    fclose(f);
    return buf;
}

/* The *.up.sql files in name order, each run as one simple-protocol script. */
static int s_migrate(const char *url)
{
    DIR *dir = opendir(S_MIGRATIONS_DIR);
    if (!dir) {
        fprintf(stderr, "FAIL: cannot open %s\n", S_MIGRATIONS_DIR);
        return -1;
    }
    char *names[S_MAX_MIGRATIONS];
    int n = 0, rc = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && n < S_MAX_MIGRATIONS) {
        size_t len = strlen(e->d_name);
        if (len > 7 && strcmp(e->d_name + len - 7, ".up.sql") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, (size_t)n, sizeof names[0], s_by_name);
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", S_MIGRATIONS_DIR, names[i]);
        char *sql = s_read_file(path);
        if (rc == 0 && (!sql || it_exec(url, sql) < 0)) {
            fprintf(stderr, "FAIL: migration %s\n", names[i]);
            rc = -1;
        }
        free(sql);
        free(names[i]);
    }
    return rc;
}

int it_db_create(it_db_t *out)
{
    const char *base = it_require_env("DATABASE_URL");
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "bedrock_it_%d", (int)getpid());
    snprintf(out->admin_url, sizeof out->admin_url, "%s", base);
    if (it_url_with_db(base, out->name, out->url, sizeof out->url) < 0) {
        fprintf(stderr, "FAIL: cannot derive a scratch database URL from DATABASE_URL\n");
        return -1;
    }
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", out->name);
    if (it_exec(base, sql) < 0)
        return -1;
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", out->name);
    if (it_exec(base, sql) < 0)
        return -1;
    return s_migrate(out->url);
}

void it_db_drop(it_db_t *db)
{
    if (!db->name[0])
        return;
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db->name);
    (void)it_exec(db->admin_url, sql);
    db->name[0] = '\0';
}

void it_settings(settings_t *s, const char *database_url)
{
    settings_defaults(s);
    s->database_url = database_url;
    s->redis_url = it_require_env("REDIS_URL");
    s->jwt_secret = IT_SECRET;
    s->bcrypt_cost = 4;
    s->db_connect_timeout_ms = 1000;
}

db_t *it_db_open(const settings_t *s, const char *url, const char *name)
{
    db_options_t opt = {
        .url = url,
        .name = name,
        .prepared = s->db_prepared,
        .max_lifetime_s = s->db_max_lifetime_s,
        .idle_check_s = s->db_idle_check_s,
        .slow_query_ms = s->slow_query_ms,
        .connect_timeout_ms = s->db_connect_timeout_ms,
        .backoff_max_ms = s->db_backoff_max_ms,
        .tx_retries = s->db_tx_retries,
    };
    return db_new(&opt);
}
