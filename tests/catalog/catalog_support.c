/* catalog_support — see catalog_support.h. Owner: catalog engineer (C1). */
#include "catalog_support.h"

#include "http.h"
#include "proc.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define S_PATH 512
#define S_START_WAIT_MS 10000
#define S_CTL_TIMEOUT_MS 120000
/* The provider pool's own settings: short timeouts (a timed-out call must end well
 * within the cluster's 1 s liveness), a breaker that never opens (the failure tests
 * come before others), limits no test reaches. */
static const char *const s_provider_only_env[] = {
    "BEDROCK_PROVIDER_TIMEOUT_MS=400", "BEDROCK_PROVIDER_CONNECT_TIMEOUT_MS=300",
    "BEDROCK_BREAKER_FAILURES=100000", "BEDROCK_RATE_DEEZER=10000",
    "BEDROCK_RATE_SPOTIFY=10000",      "BEDROCK_RATE_MUSICBRAINZ=10000",
    "BEDROCK_WORKER_OPS=provider.",    NULL};

struct catsup {
    cluster_t *cluster;
    char dir[128];
    char replay_url[128];
    int redis_port;
    pid_t redis_pid, replay_pid;
    pid_t providers[16];
    int n_providers;
    char *worker_env[16];
};

void catsup_source_path(const char *rel, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", BEDROCK_SOURCE_DIR, rel);
}

/* ---- files of the replay data directory ---- */

static int s_write(const char *dir, const char *name, const char *text)
{
    char path[S_PATH];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0) {
        fprintf(stderr, "catsup: cannot write %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int s_write_json(const char *dir, const char *name, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    int rc = text ? s_write(dir, name, text) : -1;
    free(text);
    json_decref(doc);
    return rc;
}

/* A Deezer track recording derived from track__3135556.json. */
static json_t *s_deezer_track(const char *id, const char *preview, const char *isrc, int duration)
{
    char path[S_PATH];
    catsup_source_path("tests/data/providers/deezer/track__3135556.json", path, sizeof path);
    json_t *doc = json_load_file(path, 0, NULL);
    if (!doc)
        return NULL;
    json_object_set_new(doc, "id", json_integer(strtoll(id, NULL, 10)));
    if (preview)
        json_object_set_new(doc, "preview", json_string(preview));
    if (isrc) {
        json_object_set_new(doc, "isrc", json_string(isrc));
        json_object_set_new(doc, "title", json_string("Timber"));
    }
    if (duration > 0)
        json_object_set_new(doc, "duration", json_integer(duration));
    return doc;
}

static json_t *s_entry(const char *file, const char *path)
{
    return json_pack("{s:s, s:{s:s, s:s, s:s, s:[]}, s:{s:i, s:s}}", "file", file, "request",
                     "method", "GET", "base", "https://api.deezer.com", "path", path, "query",
                     "response", "status", 200, "content_type", "application/json");
}

static int s_data_dir(catsup_t *self)
{
    snprintf(self->dir, sizeof self->dir, "/tmp/bedrock-catalog-XXXXXX");
    if (!mkdtemp(self->dir))
        return -1;
    static const char *const providers[] = {"deezer", "spotify", "musicbrainz",
                                            "lrclib", "itunes",  NULL};
    for (const char *const *p = providers; *p; p++) {
        char from[S_PATH], to[S_PATH];
        snprintf(from, sizeof from, "%s/tests/data/providers/%s", BEDROCK_SOURCE_DIR, *p);
        snprintf(to, sizeof to, "%s/%s", self->dir, *p);
        if (symlink(from, to) < 0)
            return -1;
    }
    char preview[256], signed_path[64], nodata_path[64];
    snprintf(preview, sizeof preview,
             "https://cdns-preview-d.dzcdn.net/stream/c-bedrock-5.mp3?hdnea=exp=%lld~acl=/*~hmac=0",
             (long long)time(NULL) + CATSUP_SIGNED_TTL_S);
    snprintf(signed_path, sizeof signed_path, "/track/%s", CATSUP_DEEZER_SIGNED);
    snprintf(nodata_path, sizeof nodata_path, "/track/%s", CATSUP_DEEZER_NODATA);
    if (s_write_json(self->dir, "dz_signed.json",
                     s_deezer_track(CATSUP_DEEZER_SIGNED, preview, NULL, 0)) < 0 ||
        s_write_json(self->dir, "dz_timber.json",
                     s_deezer_track(CATSUP_DEEZER_TIMBER, NULL, CATSUP_TIMBER_ISRC, 205)) < 0 ||
        s_write(self->dir, "dz_nodata.json",
                "{\"error\":{\"type\":\"DataException\",\"message\":\"no data\",\"code\":800}}") <
            0)
        return -1;
    json_t *manifest = json_pack(
        "{s:s, s:[o, o, o]}", "description", "catalog tests: extra deezer recordings", "entries",
        s_entry("dz_signed.json", signed_path), s_entry("dz_nodata.json", nodata_path),
        s_entry("dz_timber.json", "/track/isrc:" CATSUP_TIMBER_ISRC));
    return s_write_json(self->dir, "manifest.json", manifest);
}

/* ---- processes ---- */

static redisContext *s_redis(catsup_t *self)
{
    struct timeval tv = {0, 300000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", self->redis_port, tv);
    if (!c || c->err) {
        if (c)
            redisFree(c);
        return NULL;
    }
    (void)redisSetTimeout(c, tv);
    return c;
}

static int s_start_redis(catsup_t *self)
{
    char port[16], log[S_PATH];
    self->redis_port = cluster_free_port();
    snprintf(port, sizeof port, "%d", self->redis_port);
    snprintf(log, sizeof log, "%s/redis.log", self->dir);
    char *argv[] = {"redis-server", "--port", port,           "--bind", "127.0.0.1",
                    "--save",       "",       "--appendonly", "no",     NULL};
    char **env = proc_env_build(NULL, 0);
    self->redis_pid = proc_spawn("/usr/bin/redis-server", argv, env, log, log);
    proc_env_free(&env);
    for (int i = 0; self->redis_pid > 0 && i < S_START_WAIT_MS / 50; i++) {
        redisContext *c = s_redis(self);
        if (c) {
            redisFree(c);
            return 0;
        }
        proc_sleep_ms(50);
    }
    fprintf(stderr, "catsup: redis-server did not start (log %s)\n", log);
    return -1;
}

static int s_start_replay(catsup_t *self)
{
    char out[S_PATH], err[S_PATH];
    snprintf(out, sizeof out, "%s/replay.out", self->dir);
    snprintf(err, sizeof err, "%s/replay.log", self->dir);
    char *argv[] = {BEDROCK_TEST_REPLAY_BIN, "--data", self->dir, "--listen", "127.0.0.1:0", NULL};
    char **env = proc_env_build(NULL, 0);
    self->replay_pid = proc_spawn(BEDROCK_TEST_REPLAY_BIN, argv, env, out, err);
    proc_env_free(&env);
    for (int i = 0; self->replay_pid > 0 && i < S_START_WAIT_MS / 50; i++) {
        FILE *f = fopen(out, "r");
        char line[256] = "";
        if (f) {
            if (!fgets(line, sizeof line, f))
                line[0] = '\0';
            fclose(f);
        }
        int port = 0;
        if (sscanf(line, "listening http://127.0.0.1:%d", &port) == 1) {
            snprintf(self->replay_url, sizeof self->replay_url, "http://127.0.0.1:%d", port);
            return 0;
        }
        proc_sleep_ms(50);
    }
    fprintf(stderr, "catsup: bedrock-replay did not start (log %s)\n", err);
    return -1;
}

/* Environment of every worker: the replay server's URLs and maybe Spotify credentials. */
static void s_worker_env(catsup_t *self, bool spotify)
{
    static const char *const names[] = {
        "DEEZER",      "deezer",      "SPOTIFY", "spotify", "SPOTIFY_AUTH", "spotify-auth",
        "MUSICBRAINZ", "musicbrainz", "LRCLIB",  "lrclib",  "ITUNES",       "itunes"};
    int n = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i += 2) {
        char buf[256];
        snprintf(buf, sizeof buf, "BEDROCK_%s_URL=%s/%s", names[i], self->replay_url, names[i + 1]);
        self->worker_env[n++] = strdup(buf);
    }
    if (spotify) {
        self->worker_env[n++] = strdup("BEDROCK_SPOTIFY_CLIENT_ID=catalog-test-id");
        self->worker_env[n++] = strdup("BEDROCK_SPOTIFY_CLIENT_SECRET=catalog-test-secret");
    }
    self->worker_env[n] = NULL;
}

static int s_start_providers(catsup_t *self, int n)
{
    const char *db = getenv("DATABASE_URL");
    char redis[64], secret[128], workers[128], hb[64], live[64];
    snprintf(redis, sizeof redis, "REDIS_URL=redis://127.0.0.1:%d/0", self->redis_port);
    snprintf(secret, sizeof secret, "BEDROCK_JWT_SECRET=%s", cluster_secret(self->cluster));
    snprintf(workers, sizeof workers, "BEDROCK_BROKER_WORKERS=%s",
             cluster_workers_endpoint(self->cluster));
    snprintf(hb, sizeof hb, "BEDROCK_HEARTBEAT_MS=%d", CLUSTER_DEFAULT_HEARTBEAT_MS);
    snprintf(live, sizeof live, "BEDROCK_HEARTBEAT_LIVENESS=%d", CLUSTER_DEFAULT_LIVENESS);
    char dbset[512];
    snprintf(dbset, sizeof dbset, "DATABASE_URL=%s", db ? db : "");
    const char *base[] = {dbset, redis, secret, workers, hb, live, "BEDROCK_BCRYPT_COST=4", NULL};
    const char *const *lists[] = {base, (const char *const *)self->worker_env, s_provider_only_env};
    char **env = proc_env_build(lists, 3);
    for (int i = 0; i < n && i < 16; i++) {
        char log[S_PATH];
        snprintf(log, sizeof log, "%s/provider-%d.log", cluster_dir(self->cluster), i + 1);
        proc_register_log(log);
        self->providers[i] = proc_spawn(cluster_binary(CLUSTER_WORKER), NULL, env, log, log);
        if (self->providers[i] < 0)
            break;
        self->n_providers++;
    }
    proc_env_free(&env);
    return self->n_providers == n ? 0 : -1;
}

catsup_t *catsup_start(const catsup_options_t *opt)
{
    catsup_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    proc_install_safety_net();
    if (s_data_dir(self) < 0 || s_start_redis(self) < 0 || s_start_replay(self) < 0)
        goto fail;
    s_worker_env(self, opt->spotify_credentials);
    char redis_url[64];
    snprintf(redis_url, sizeof redis_url, "redis://127.0.0.1:%d/0", self->redis_port);
    const char *fast[20] = {"BEDROCK_WORKER_OPS=!provider."};
    for (int i = 0; self->worker_env[i]; i++)
        fast[i + 1] = self->worker_env[i];
    cluster_options_t copt = {
        .n_workers = CATSUP_FAST_WORKERS, .redis_url = redis_url, .worker_env = fast};
    self->cluster = cluster_start_opts(&copt);
    if (!self->cluster || s_start_providers(self, opt->provider_workers) < 0 ||
        cluster_wait_workers_live(self->cluster, CATSUP_FAST_WORKERS + opt->provider_workers,
                                  S_START_WAIT_MS) < 0)
        goto fail;
    return self;
fail:
    fprintf(stderr, "catsup: the catalog test environment did not start\n");
    catsup_stop(&self);
    return NULL;
}

int catsup_stop(catsup_t **self_p)
{
    if (!self_p || !*self_p)
        return 0;
    catsup_t *self = *self_p;
    /* The provider workers' logs live in the cluster's directory, which cluster_stop
     * removes only when it holds nothing else. */
    bool keep = getenv("BEDROCK_TEST_KEEP_LOGS") != NULL;
    for (int i = 0; i < self->n_providers; i++) {
        char log[S_PATH];
        (void)proc_kill(self->providers[i], SIGTERM, 3000);
        snprintf(log, sizeof log, "%s/provider-%d.log", cluster_dir(self->cluster), i + 1);
        proc_unregister_log(log);
        if (!keep)
            (void)unlink(log);
    }
    int rc = cluster_stop(&self->cluster);
    if (self->replay_pid > 0)
        (void)proc_kill(self->replay_pid, SIGTERM, 3000);
    if (self->redis_pid > 0)
        (void)proc_kill(self->redis_pid, SIGKILL, 3000);
    for (int i = 0; self->worker_env[i]; i++)
        free(self->worker_env[i]);
    if (self->dir[0]) {
        char cmd[S_PATH + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", self->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "catsup: could not remove %s\n", self->dir);
    }
    free(self);
    *self_p = NULL;
    return rc;
}

cluster_t *catsup_cluster(catsup_t *self)
{
    return self->cluster;
}

const char *catsup_base(catsup_t *self)
{
    return cluster_base_url(self->cluster);
}

/* ---- replay control ---- */

int catsup_replay_mode(catsup_t *self, const char *provider, const char *mode)
{
    char url[256], body[128];
    snprintf(url, sizeof url, "%s/_replay/mode", self->replay_url);
    snprintf(body, sizeof body, "{\"provider\":\"%s\",\"mode\":\"%s\"}", provider, mode);
    http_response_t *r = http_request("POST", url, NULL, body);
    int rc = r->status == 200 ? 0 : -1;
    http_response_free(&r);
    return rc;
}

long catsup_replay_calls(catsup_t *self, const char *path)
{
    char url[256];
    snprintf(url, sizeof url, "%s/_replay/stats", self->replay_url);
    http_response_t *r = http_request("GET", url, NULL, NULL);
    json_t *n = json_object_get(json_object_get(r->json, "by_path"), path);
    long calls = r->status == 200 ? (json_is_integer(n) ? (long)json_integer_value(n) : 0) : -1;
    http_response_free(&r);
    return calls;
}

/* ---- Redis ---- */

static long long s_redis_int(catsup_t *self, const char *cmd, const char *key)
{
    redisContext *c = s_redis(self);
    if (!c)
        return -3;
    redisReply *reply = redisCommand(c, "%s %s", cmd, key);
    long long v = (reply && reply->type == REDIS_REPLY_INTEGER) ? reply->integer : -3;
    if (reply)
        freeReplyObject(reply);
    redisFree(c);
    return v;
}

long catsup_redis_ttl(catsup_t *self, const char *key)
{
    return (long)s_redis_int(self, "TTL", key);
}

int catsup_redis_del(catsup_t *self, const char *key)
{
    return s_redis_int(self, "DEL", key) >= 0 ? 0 : -1;
}

bool catsup_redis_exists(catsup_t *self, const char *key)
{
    return s_redis_int(self, "EXISTS", key) == 1;
}

void catsup_redis_kill(catsup_t *self)
{
    if (self->redis_pid > 0)
        (void)proc_kill(self->redis_pid, SIGKILL, 3000);
    self->redis_pid = 0;
}

/* ---- PostgreSQL ---- */

char *catsup_sql(const char *sql, const char *const *params)
{
    PGconn *conn = PQconnectdb(getenv("DATABASE_URL") ? getenv("DATABASE_URL") : "");
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "catsup: cannot connect to DATABASE_URL: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    int n = 0;
    while (params && params[n])
        n++;
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    char *out = NULL;
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK && PQntuples(res) > 0)
        out = strdup(PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
    else if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        out = strdup("");
    else
        fprintf(stderr, "catsup: %s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
    return out;
}

long long catsup_sql_int(const char *sql, const char *const *params)
{
    char *v = catsup_sql(sql, params);
    long long n = v && *v ? strtoll(v, NULL, 10) : -1;
    free(v);
    return n;
}

/* ---- bedrockctl ---- */

static char *s_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;
    while (mem && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, mem);
    if (mem)
        fclose(mem);
    fclose(f);
    return buf ? buf : strdup("");
}

int catsup_ingest(catsup_t *self, const char *dir, int batch, catsup_ctl_t *out)
{
    char batch_s[16], out_path[S_PATH], err_path[S_PATH], clients[128];
    snprintf(batch_s, sizeof batch_s, "%d", batch);
    snprintf(out_path, sizeof out_path, "%s/ctl.out", self->dir);
    snprintf(err_path, sizeof err_path, "%s/ctl.err", self->dir);
    unlink(out_path);
    unlink(err_path);
    snprintf(clients, sizeof clients, "BEDROCK_BROKER_CLIENTS=%s",
             cluster_clients_endpoint(self->cluster));
    const char *sets[] = {clients, NULL};
    const char *const *lists[] = {sets};
    char **env = proc_env_build(lists, 1);
    char *argv[] = {BEDROCK_TEST_CTL_BIN, "ingest", (char *)dir, "--batch", batch_s, NULL};
    pid_t pid = proc_spawn(BEDROCK_TEST_CTL_BIN, argv, env, out_path, err_path);
    proc_env_free(&env);
    memset(out, 0, sizeof *out);
    out->exit_code = -1;
    int status = 0;
    if (pid < 0)
        return -1;
    if (proc_wait(pid, S_CTL_TIMEOUT_MS, &status) < 0) {
        (void)proc_kill(pid, SIGKILL, 1000);
        return -1;
    }
    out->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    out->out = s_slurp(out_path);
    out->err = s_slurp(err_path);
    return 0;
}

void catsup_ctl_clear(catsup_ctl_t *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}
