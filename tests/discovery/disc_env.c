#include "disc_env.h"

#include "http.h"
#include "proc.h"

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define S_PORT_LOW 20000
#define S_PORT_SPAN 12000 /* below 32768: never in the ephemeral range */
#define S_READY_MS 10000
#define S_CALL_MS 10000
#define S_ENV_MAX 40

static bool s_port_free(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static int s_pick_port(void)
{
    srand((unsigned)getpid() ^ (unsigned)proc_now_ms());
    for (int i = 0; i < 200; i++) {
        int port = S_PORT_LOW + rand() % S_PORT_SPAN;
        if (s_port_free(port))
            return port;
    }
    return -1;
}

static redisContext *s_redis_connect(int port)
{
    struct timeval tv = {.tv_sec = 0, .tv_usec = 300000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (!c || c->err) {
        if (c)
            redisFree(c);
        return NULL;
    }
    (void)redisSetTimeout(c, (struct timeval){.tv_sec = 2, .tv_usec = 0});
    redisReply *r = redisCommand(c, "PING");
    bool ok = r && r->type == REDIS_REPLY_STATUS;
    if (r)
        freeReplyObject(r);
    if (!ok) {
        redisFree(c);
        return NULL;
    }
    return c;
}

int disc_redis_start(disc_env_t *env)
{
    char port[16], log[320];
    snprintf(port, sizeof port, "%d", env->redis_port);
    snprintf(log, sizeof log, "%s/redis.log", env->dir);
    char *argv[] = {DISC_REDIS_SERVER, "--port", port,           "--bind", "127.0.0.1",
                    "--save",          "",       "--appendonly", "no",     NULL};
    char **penv = proc_env_build(NULL, 0);
    env->redis_pid = proc_spawn(DISC_REDIS_SERVER, argv, penv, log, log);
    proc_env_free(&penv);
    if (env->redis_pid < 0)
        return -1;
    for (double end = proc_now_ms() + S_READY_MS; proc_now_ms() < end; proc_sleep_ms(20)) {
        if (env->redis)
            redisFree(env->redis);
        env->redis = s_redis_connect(env->redis_port);
        if (env->redis)
            return 0;
    }
    fprintf(stderr, "disc_env: redis-server did not answer on port %d\n", env->redis_port);
    return -1;
}

int disc_redis_stop(disc_env_t *env)
{
    if (env->redis_pid <= 0)
        return 0;
    int st = proc_kill(env->redis_pid, SIGTERM, 3000);
    env->redis_pid = 0;
    if (env->redis) {
        redisFree(env->redis);
        env->redis = NULL;
    }
    return st == -1 ? -1 : 0;
}

static int s_replay_start(disc_env_t *env)
{
    int port = s_pick_port();
    char listen[32], log[320];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    snprintf(log, sizeof log, "%s/replay.log", env->dir);
    snprintf(env->replay_base, sizeof env->replay_base, "http://%s", listen);
    char *argv[] = {DISC_REPLAY_BIN, "--data", env->dir, "--listen", listen, NULL};
    char **penv = proc_env_build(NULL, 0);
    env->replay_pid = proc_spawn(DISC_REPLAY_BIN, argv, penv, log, log);
    proc_env_free(&penv);
    if (env->replay_pid < 0)
        return -1;
    for (double end = proc_now_ms() + S_READY_MS; proc_now_ms() < end; proc_sleep_ms(20)) {
        http_response_t *r = http_get(env->replay_base, "/_replay/mode", NULL);
        long status = r->status;
        http_response_free(&r);
        if (status == 200)
            return 0;
    }
    fprintf(stderr, "disc_env: bedrock-replay did not answer on %s\n", listen);
    return -1;
}

/* "NAME=value" strings kept for the environment's life (freed by s_free_sets). */
static char *s_set(const char *name, const char *fmt_value, const char *base)
{
    char *out = NULL;
    if (asprintf(&out, "%s=%s%s", name, base ? base : "", fmt_value) < 0)
        abort();
    return out;
}

static char *s_sets[S_ENV_MAX];

static void s_provider_sets(const disc_env_t *env, const disc_env_options_t *opt)
{
    size_t n = 0;
    static const char *const names[][2] = {
        {"BEDROCK_DEEZER_URL", "/deezer"},
        {"BEDROCK_SPOTIFY_URL", "/spotify"},
        {"BEDROCK_SPOTIFY_AUTH_URL", "/spotify-auth"},
        {"BEDROCK_MUSICBRAINZ_URL", "/musicbrainz"},
        {"BEDROCK_LRCLIB_URL", "/lrclib"},
        {"BEDROCK_ITUNES_URL", "/itunes"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        s_sets[n++] = s_set(names[i][0], names[i][1], env->replay_base);
    if (!opt->no_spotify) {
        s_sets[n++] = s_set("BEDROCK_SPOTIFY_CLIENT_ID", "disc-test-client", NULL);
        s_sets[n++] = s_set("BEDROCK_SPOTIFY_CLIENT_SECRET", "disc-test-secret", NULL);
    }
    /* Short provider timeouts: a worker cannot heartbeat during a call. */
    s_sets[n++] = s_set("BEDROCK_PROVIDER_TIMEOUT_MS", "600", NULL);
    s_sets[n++] = s_set("BEDROCK_PROVIDER_CONNECT_TIMEOUT_MS", "300", NULL);
    s_sets[n++] = s_set("BEDROCK_PROVIDER_MIN_LEFT_MS", "700", NULL);
    for (size_t i = 0; opt->worker_env && opt->worker_env[i] && n < S_ENV_MAX - 1; i++)
        s_sets[n++] = s_set(opt->worker_env[i], "", NULL);
    s_sets[n] = NULL;
}

static void s_free_sets(void)
{
    for (size_t i = 0; i < S_ENV_MAX && s_sets[i]; i++) {
        free(s_sets[i]);
        s_sets[i] = NULL;
    }
}

static int s_provider_worker(disc_env_t *env)
{
    char *base[12];
    size_t n = 0;
    base[n++] = s_set("DATABASE_URL", getenv("DATABASE_URL"), NULL);
    base[n++] = s_set("REDIS_URL", env->redis_url, NULL);
    base[n++] = s_set("BEDROCK_JWT_SECRET", cluster_secret(env->cluster), NULL);
    base[n++] = s_set("BEDROCK_BROKER_WORKERS", cluster_workers_endpoint(env->cluster), NULL);
    base[n++] = s_set("BEDROCK_HEARTBEAT_MS", "200", NULL);
    base[n++] = s_set("BEDROCK_HEARTBEAT_LIVENESS", "5", NULL);
    base[n++] = s_set("BEDROCK_WORKER_OPS", "provider.", NULL);
    base[n++] = s_set("BEDROCK_BCRYPT_COST", "4", NULL);
    base[n] = NULL;
    const char *const *lists[] = {(const char *const *)base, (const char *const *)s_sets};
    char **penv = proc_env_build(lists, 2);
    char log[320];
    snprintf(log, sizeof log, "%s/provider-worker.log", env->dir);
    proc_register_log(log);
    env->provider_pid = proc_spawn(cluster_binary(CLUSTER_WORKER), NULL, penv, log, log);
    proc_env_free(&penv);
    for (size_t i = 0; i < n; i++)
        free(base[i]);
    return env->provider_pid < 0 ? -1 : 0;
}

int disc_env_start(disc_env_t *env, const disc_env_options_t *opt)
{
    memset(env, 0, sizeof *env);
    snprintf(env->dir, sizeof env->dir, "/tmp/bedrock-disc-XXXXXX");
    if (!mkdtemp(env->dir))
        return -1;
    env->redis_port = s_pick_port();
    snprintf(env->redis_url, sizeof env->redis_url, "redis://127.0.0.1:%d/0", env->redis_port);
    if (env->redis_port < 0 || disc_redis_start(env) < 0 || disc_data_dir(env->dir) < 0 ||
        s_replay_start(env) < 0)
        return -1;
    s_provider_sets(env, opt);
    cluster_options_t copt = {.n_workers = opt->n_fast,
                              .redis_url = env->redis_url,
                              .worker_env = (const char *const *)s_sets};
    env->cluster = cluster_start_opts(&copt);
    if (!env->cluster || s_provider_worker(env) < 0 ||
        cluster_wait_workers_live(env->cluster, opt->n_fast + 1, S_READY_MS) < 0) {
        fprintf(stderr, "disc_env: the cluster or the provider worker did not start (%s)\n",
                env->dir);
        return -1;
    }
    env->pg = PQconnectdb(getenv("DATABASE_URL"));
    if (PQstatus(env->pg) != CONNECTION_OK) {
        fprintf(stderr, "disc_env: PostgreSQL: %s", PQerrorMessage(env->pg));
        return -1;
    }
    env->client = brclient_new(cluster_clients_endpoint(env->cluster));
    if (!env->client)
        return -1;
    return disc_env_chinook(env);
}

static int s_remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    proc_unregister_log(path);
    return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

/* The directory goes with the environment unless BEDROCK_TEST_KEEP_LOGS is set. */
static void s_remove_dir(disc_env_t *env)
{
    const char *keep = getenv("BEDROCK_TEST_KEEP_LOGS");
    if (!env->dir[0] || (keep && *keep)) {
        if (env->dir[0])
            fprintf(stderr, "disc_env: logs kept in %s\n", env->dir);
        return;
    }
    if (nftw(env->dir, s_remove_entry, 8, FTW_DEPTH | FTW_PHYS) < 0)
        fprintf(stderr, "disc_env: could not remove %s\n", env->dir);
}

void disc_env_stop(disc_env_t *env)
{
    brclient_destroy(&env->client);
    if (env->provider_pid > 0)
        (void)proc_kill(env->provider_pid, SIGTERM, 3000);
    env->provider_pid = 0;
    (void)cluster_stop(&env->cluster);
    if (env->replay_pid > 0)
        (void)proc_kill(env->replay_pid, SIGTERM, 3000);
    env->replay_pid = 0;
    (void)disc_redis_stop(env);
    if (env->pg)
        PQfinish(env->pg);
    env->pg = NULL;
    s_free_sets();
    s_remove_dir(env);
}

int disc_call_broker(disc_env_t *env, const char *op, const char *args, const char *body,
                     const fixture_user_t *user, const char *role_override, envelope_reply_t *out)
{
    uint8_t id[ENVELOPE_ID_SIZE];
    brclient_req_t req = {.op = op,
                          .args_json = args,
                          .body_json = body,
                          .deadline_ms = envelope_now_ms() + S_CALL_MS};
    if (user) {
        req.auth_sub = user->id;
        req.auth_role = role_override ? role_override : user->role;
        req.auth_sid = user->sid;
    }
    envelope_reply_init(out);
    if (brclient_send(env->client, &req, id) < 0)
        return -1;
    for (double end = proc_now_ms() + S_CALL_MS + 3000; proc_now_ms() < end;) {
        int rc = brclient_recv(env->client, (int)(end - proc_now_ms()) + 1, out);
        if (rc == 0 && memcmp(out->id, id, ENVELOPE_ID_SIZE) == 0) {
            const char *verbose = getenv("DISC_VERBOSE");
            if (verbose && *verbose)
                disc_print(out, op);
            return 0;
        }
        envelope_reply_clear(out);
        envelope_reply_init(out);
        if (rc == -1)
            return -1;
    }
    return -1;
}

const char *disc_x_cache(const envelope_reply_t *rep)
{
    const char *v = json_string_value(json_object_get(rep->headers, "x-cache"));
    return v ? v : "";
}
