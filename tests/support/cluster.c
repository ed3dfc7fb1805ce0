#include "cluster.h"

#include "brclient.h"
#include "http.h"
#include "proc.h"
#include "token.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CLUSTER_PATH_MAX 512
#define CLUSTER_STOP_GRACE_MS 4000
#define CLUSTER_KILL_GRACE_MS 3000
#define CLUSTER_READY_POLL_MS 50
#define CLUSTER_DUMP_BYTES 6000
#define CLUSTER_DEFAULT_BCRYPT_COST "4"

typedef cluster_kind_t s_kind_t;
#define S_BROKER CLUSTER_BROKER
#define S_WORKER CLUSTER_WORKER
#define S_FRONTEND CLUSTER_FRONTEND

typedef struct {
    s_kind_t kind;
    char name[32];
    pid_t pid; /* > 0 while it should be running */
    char log[CLUSTER_PATH_MAX + 64];
    long mark; /* log size at cluster_mark_logs */
} s_child_t;

struct cluster_t {
    char dir[CLUSTER_PATH_MAX];
    char secret[64];
    char ep_clients[64], ep_workers[64], http_addr[64], base_url[80];
    char **base_sets, **env_all, **env_role[3];
    int n_workers;
    s_child_t broker, frontend, workers[CLUSTER_MAX_WORKERS];
    int crashes;
    bool dumped;
};

/* ---- small helpers --------------------------------------------------------- */

static char **s_copy_list(const char *const *list)
{
    size_t n = 0;
    while (list && list[n])
        n++;
    char **copy = calloc(n + 1, sizeof *copy);
    if (!copy)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!(copy[i] = strdup(list[i])))
            abort();
    return copy;
}

static void s_free_list(char ***list_p)
{
    proc_env_free(list_p); /* same shape: NULL-terminated strdup'd strings */
}

static char *s_fmt(const char *name, const char *value)
{
    char *s = NULL;
    if (asprintf(&s, "%s=%s", name, value) < 0)
        abort();
    return s;
}

const char *cluster_binary(cluster_kind_t kind)
{
    static const char *const env[] = {"BEDROCK_TEST_BROKER_BIN", "BEDROCK_TEST_WORKER_BIN",
                                      "BEDROCK_TEST_FRONTEND_BIN"};
    static const char *const built[] = {BEDROCK_TEST_BROKER_BIN, BEDROCK_TEST_WORKER_BIN,
                                        BEDROCK_TEST_FRONTEND_BIN};
    const char *override = getenv(env[kind]);
    return override && *override ? override : built[kind];
}

/* Free TCP ports on 127.0.0.1: bind port 0 for each (all held at once so that they
 * differ), read the port back, release. */
static int s_free_ports(int *ports, int n)
{
    int fds[8], rc = 0;
    for (int i = 0; i < n; i++)
        fds[i] = -1;
    for (int i = 0; i < n && rc == 0; i++) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
        socklen_t len = sizeof sa;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&sa, sizeof sa) < 0 ||
            getsockname(fds[i], (struct sockaddr *)&sa, &len) < 0) {
            fprintf(stderr, "cluster: cannot find a free port: %s\n", strerror(errno));
            rc = -1;
        } else {
            ports[i] = ntohs(sa.sin_port);
        }
    }
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return rc;
}

int cluster_free_port(void)
{
    int port = -1;
    return s_free_ports(&port, 1) == 0 ? port : -1;
}

static long s_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

static void s_print_file(const char *label, const char *path, long from, long max_bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "==== %s: no log (%s) ====\n", label, path);
        return;
    }
    long size = s_file_size(path);
    if (size - from > max_bytes)
        from = size - max_bytes;
    fprintf(stderr, "==== %s: %s (bytes %ld..%ld) ====\n", label, path, from, size);
    fseek(f, from, SEEK_SET);
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, got, stderr);
    fprintf(stderr, "==== end of %s ====\n", label);
    fclose(f);
}

/* ---- children -------------------------------------------------------------- */

static void s_child_init(cluster_t *self, s_child_t *c, s_kind_t kind, const char *name)
{
    c->kind = kind;
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->log, sizeof c->log, "%s/%s.log", self->dir, name);
    proc_register_log(c->log);
}

static int s_spawn(cluster_t *self, s_child_t *c)
{
    const char *const *lists[] = {(const char *const *)self->base_sets,
                                  (const char *const *)self->env_all,
                                  (const char *const *)self->env_role[c->kind]};
    char **env = proc_env_build(lists, 3);
    FILE *f = fopen(c->log, "a");
    if (f) {
        time_t now = time(NULL);
        fprintf(f, "==== [cluster] starting %s as %s at %s", cluster_binary(c->kind), c->name,
                ctime(&now));
        fclose(f);
    }
    c->pid = proc_spawn(cluster_binary(c->kind), NULL, env, c->log, c->log);
    proc_env_free(&env);
    if (c->pid <= 0) {
        c->pid = 0;
        return -1;
    }
    return 0;
}

/* Checks a child that should be running; a dead one counts as a crash. */
static bool s_check_alive(cluster_t *self, s_child_t *c)
{
    int st = 0;
    char why[96];
    if (c->pid <= 0 || proc_alive(c->pid, &st))
        return true;
    fprintf(stderr, "cluster: %s (pid %d) died on its own: %s\n", c->name, (int)c->pid,
            proc_describe(st, why, sizeof why));
    s_print_file(c->name, c->log, 0, CLUSTER_DUMP_BYTES);
    self->dumped = true;
    self->crashes++;
    c->pid = 0;
    return false;
}

static int s_stop_child(cluster_t *self, s_child_t *c, int sig, int grace_ms)
{
    if (!s_check_alive(self, c) || c->pid <= 0)
        return -1;
    int st = proc_kill(c->pid, sig, grace_ms);
    if (sig != SIGKILL && st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
        fprintf(stderr, "cluster: note: %s (pid %d) did not stop within %d ms of signal %d\n",
                c->name, (int)c->pid, grace_ms, sig);
    c->pid = 0;
    return 0;
}

/* ---- start and stop -------------------------------------------------------- */

static int s_prepare(cluster_t *self, const cluster_options_t *opt)
{
    const char *db = opt->database_url ? opt->database_url : getenv("DATABASE_URL");
    const char *redis = opt->redis_url ? opt->redis_url : getenv("REDIS_URL");
    if (!db || !*db || !redis || !*redis) {
        fprintf(stderr,
                "cluster: FATAL: %s is not set. The cluster tests need a real PostgreSQL "
                "(migrated) and Redis: run them with `compose/bedrock test`, or export "
                "DATABASE_URL and REDIS_URL.\n",
                (!db || !*db) ? "DATABASE_URL" : "REDIS_URL");
        return -1;
    }
    int ports[3];
    if (s_free_ports(ports, 3) < 0 || token_random(32, self->secret, sizeof self->secret) < 0)
        return -1;
    snprintf(self->ep_clients, sizeof self->ep_clients, "tcp://127.0.0.1:%d", ports[0]);
    snprintf(self->ep_workers, sizeof self->ep_workers, "tcp://127.0.0.1:%d", ports[1]);
    snprintf(self->http_addr, sizeof self->http_addr, "127.0.0.1:%d", ports[2]);
    snprintf(self->base_url, sizeof self->base_url, "http://%s", self->http_addr);
    char hb[16];
    snprintf(hb, sizeof hb, "%d",
             opt->heartbeat_ms > 0 ? opt->heartbeat_ms : CLUSTER_DEFAULT_HEARTBEAT_MS);
    char liveness[16];
    snprintf(liveness, sizeof liveness, "%d",
             opt->liveness > 0 ? opt->liveness : CLUSTER_DEFAULT_LIVENESS);
    const char *cost = getenv("BEDROCK_BCRYPT_COST");
    const char *level = getenv("BEDROCK_LOG_LEVEL");
    self->base_sets = calloc(14, sizeof(char *));
    if (!self->base_sets)
        abort();
    char **b = self->base_sets;
    *b++ = s_fmt("DATABASE_URL", db);
    *b++ = s_fmt("REDIS_URL", redis);
    *b++ = s_fmt("BEDROCK_JWT_SECRET", self->secret);
    *b++ = s_fmt("BEDROCK_BROKER_CLIENTS", self->ep_clients);
    *b++ = s_fmt("BEDROCK_BROKER_WORKERS", self->ep_workers);
    *b++ = s_fmt("BEDROCK_HTTP_ADDR", self->http_addr);
    *b++ = s_fmt("BEDROCK_HEARTBEAT_MS", hb);
    *b++ = s_fmt("BEDROCK_HEARTBEAT_LIVENESS", liveness);
    *b++ = s_fmt("BEDROCK_TEST_OPS", "1");
    *b++ = s_fmt("BEDROCK_BCRYPT_COST", cost && *cost ? cost : CLUSTER_DEFAULT_BCRYPT_COST);
    if (level && *level)
        *b++ = s_fmt("BEDROCK_LOG_LEVEL", level);
    self->env_all = s_copy_list(opt->env);
    self->env_role[S_BROKER] = s_copy_list(opt->broker_env);
    self->env_role[S_WORKER] = s_copy_list(opt->worker_env);
    self->env_role[S_FRONTEND] = s_copy_list(opt->frontend_env);
    return 0;
}

cluster_t *cluster_start_opts(const cluster_options_t *opt)
{
    proc_install_safety_net();
    if (opt->n_workers < 0 || opt->n_workers > CLUSTER_MAX_WORKERS)
        return NULL;
    cluster_t *self = calloc(1, sizeof *self);
    if (!self)
        abort();
    const char *tmp = getenv("TMPDIR");
    snprintf(self->dir, sizeof self->dir, "%s/bedrock-cluster-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(self->dir)) {
        fprintf(stderr, "cluster: mkdtemp %s: %s\n", self->dir, strerror(errno));
        free(self);
        return NULL;
    }
    self->n_workers = opt->n_workers;
    s_child_init(self, &self->broker, S_BROKER, "broker");
    s_child_init(self, &self->frontend, S_FRONTEND, "frontend");
    for (int i = 0; i < self->n_workers; i++) {
        char name[32];
        snprintf(name, sizeof name, "worker-%d", i);
        s_child_init(self, &self->workers[i], S_WORKER, name);
    }
    int rc = s_prepare(self, opt);
    if (rc == 0)
        rc = s_spawn(self, &self->broker);
    for (int i = 0; rc == 0 && i < self->n_workers; i++)
        rc = s_spawn(self, &self->workers[i]);
    if (rc == 0)
        rc = s_spawn(self, &self->frontend);
    if (rc == 0 && !opt->no_wait_ready)
        rc = cluster_wait_ready(self, self->n_workers,
                                opt->ready_timeout_ms > 0 ? opt->ready_timeout_ms
                                                          : CLUSTER_DEFAULT_READY_TIMEOUT_MS);
    if (rc < 0) {
        fprintf(stderr, "cluster: FAILED to start (logs in %s)\n", self->dir);
        cluster_dump_logs(self, false);
        cluster_stop(&self);
        return NULL;
    }
    return self;
}

cluster_t *cluster_start(int n_workers)
{
    cluster_options_t opt = {.n_workers = n_workers};
    return cluster_start_opts(&opt);
}

static void s_remove_dir(cluster_t *self)
{
    s_child_t *all[CLUSTER_MAX_WORKERS + 2];
    int n = 0;
    all[n++] = &self->broker;
    all[n++] = &self->frontend;
    for (int i = 0; i < self->n_workers; i++)
        all[n++] = &self->workers[i];
    for (int i = 0; i < n; i++) {
        proc_unregister_log(all[i]->log);
        if (!self->dumped && !getenv("BEDROCK_TEST_KEEP_LOGS"))
            unlink(all[i]->log);
    }
    if (self->dumped || getenv("BEDROCK_TEST_KEEP_LOGS"))
        fprintf(stderr, "cluster: logs kept in %s\n", self->dir);
    else
        rmdir(self->dir);
}

/* SIGTERM to every child at once, one shared grace period, then SIGKILL: a clean stop
 * costs the slowest child's shutdown, not the sum. A child that needs the SIGKILL or
 * exits non-zero is noted (not counted as a crash). */
static void s_stop_all(cluster_t *self)
{
    s_child_t *all[CLUSTER_MAX_WORKERS + 2];
    int n = 0;
    all[n++] = &self->frontend;
    for (int i = 0; i < self->n_workers; i++)
        all[n++] = &self->workers[i];
    all[n++] = &self->broker;
    for (int i = 0; i < n; i++)
        if (s_check_alive(self, all[i]) && all[i]->pid > 0)
            kill(all[i]->pid, SIGTERM);
    double end = proc_now_ms() + CLUSTER_STOP_GRACE_MS;
    for (int i = 0; i < n; i++) {
        s_child_t *c = all[i];
        if (c->pid <= 0)
            continue;
        int st = -1, left = (int)(end - proc_now_ms());
        char why[96];
        if (proc_wait(c->pid, left > 0 ? left : 0, &st) < 0) {
            fprintf(stderr, "cluster: note: %s (pid %d) did not stop within %d ms of SIGTERM\n",
                    c->name, (int)c->pid, CLUSTER_STOP_GRACE_MS);
            st = proc_kill(c->pid, SIGKILL, 0);
        } else if (st != -1 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0) &&
                   !(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)) {
            fprintf(stderr, "cluster: note: %s (pid %d) ended with %s on SIGTERM\n", c->name,
                    (int)c->pid, proc_describe(st, why, sizeof why));
        }
        c->pid = 0;
    }
}

int cluster_stop(cluster_t **self_p)
{
    if (!self_p || !*self_p)
        return 0;
    cluster_t *self = *self_p;
    s_stop_all(self);
    int crashes = self->crashes;
    s_remove_dir(self);
    s_free_list(&self->base_sets);
    s_free_list(&self->env_all);
    for (int i = 0; i < 3; i++)
        s_free_list(&self->env_role[i]);
    free(self);
    *self_p = NULL;
    return crashes;
}

/* ---- accessors -------------------------------------------------------------- */

const char *cluster_base_url(const cluster_t *self)
{
    return self->base_url;
}
const char *cluster_clients_endpoint(const cluster_t *self)
{
    return self->ep_clients;
}
const char *cluster_workers_endpoint(const cluster_t *self)
{
    return self->ep_workers;
}
const char *cluster_secret(const cluster_t *self)
{
    return self->secret;
}
const char *cluster_dir(const cluster_t *self)
{
    return self->dir;
}
int cluster_n_workers(const cluster_t *self)
{
    return self->n_workers;
}
pid_t cluster_broker_pid(const cluster_t *self)
{
    return self->broker.pid;
}
pid_t cluster_frontend_pid(const cluster_t *self)
{
    return self->frontend.pid;
}

pid_t cluster_worker_pid(const cluster_t *self, int i)
{
    return (i >= 0 && i < self->n_workers) ? self->workers[i].pid : 0;
}

int cluster_worker_index(const cluster_t *self, pid_t pid)
{
    for (int i = 0; i < self->n_workers; i++)
        if (pid > 0 && self->workers[i].pid == pid)
            return i;
    return -1;
}

/* ---- faults ---------------------------------------------------------------- */

int cluster_kill_worker(cluster_t *self, int i, int sig)
{
    if (i < 0 || i >= self->n_workers)
        return -1;
    return s_stop_child(self, &self->workers[i], sig, CLUSTER_KILL_GRACE_MS);
}

int cluster_restart_worker(cluster_t *self, int i)
{
    if (i < 0 || i >= self->n_workers || self->workers[i].pid > 0)
        return -1;
    return s_spawn(self, &self->workers[i]);
}

int cluster_stop_broker(cluster_t *self, int sig)
{
    return s_stop_child(self, &self->broker, sig, CLUSTER_KILL_GRACE_MS);
}

int cluster_start_broker(cluster_t *self)
{
    if (self->broker.pid > 0)
        return -1;
    return s_spawn(self, &self->broker);
}

bool cluster_all_alive(cluster_t *self)
{
    bool ok = s_check_alive(self, &self->broker) & s_check_alive(self, &self->frontend);
    for (int i = 0; i < self->n_workers; i++)
        ok = s_check_alive(self, &self->workers[i]) && ok;
    return ok;
}

/* ---- readiness --------------------------------------------------------------- */

int cluster_wait_ready(cluster_t *self, int min_workers, int timeout_ms)
{
    double end = proc_now_ms() + timeout_ms;
    char url[128];
    snprintf(url, sizeof url, "%s/readyz", self->base_url);
    long last_status = -1;
    char last_body[256] = "";
    while (proc_now_ms() < end) {
        if (!cluster_all_alive(self))
            return -1;
        http_request_t req = {.method = "GET", .url = url, .timeout_ms = 2000};
        http_response_t *r = http_do(&req);
        json_t *workers = json_is_object(r->json) ? json_object_get(r->json, "workers") : NULL;
        bool ready = r->status == 200 && json_is_integer(workers) &&
                     json_integer_value(workers) >= min_workers;
        last_status = r->status;
        snprintf(last_body, sizeof last_body, "%s", r->status ? r->body : r->error);
        http_response_free(&r);
        if (ready)
            return 0;
        proc_sleep_ms(CLUSTER_READY_POLL_MS);
    }
    fprintf(stderr,
            "cluster: GET /readyz did not report >= %d workers within %d ms "
            "(last: %ld %s)\n",
            min_workers, timeout_ms, last_status, last_body);
    return -1;
}

json_t *cluster_broker_status(cluster_t *self, int timeout_ms)
{
    brclient_t *client = brclient_new(self->ep_clients);
    json_t *status = client ? brclient_status(client, timeout_ms) : NULL;
    brclient_destroy(&client);
    return status;
}

int cluster_wait_workers_live(cluster_t *self, int n, int timeout_ms)
{
    double end = proc_now_ms() + timeout_ms;
    json_int_t last = -1;
    while (proc_now_ms() < end) {
        json_t *st = cluster_broker_status(self, 1000);
        json_t *live = st ? json_object_get(st, "workers_live") : NULL;
        last = json_is_integer(live) ? json_integer_value(live) : -1;
        json_decref(st);
        if (last == n)
            return 0;
        proc_sleep_ms(CLUSTER_READY_POLL_MS);
    }
    fprintf(stderr,
            "cluster: broker.status workers_live never became %d within %d ms (last %lld)\n", n,
            timeout_ms, (long long)last);
    return -1;
}

/* ---- logs -------------------------------------------------------------------- */

void cluster_mark_logs(cluster_t *self)
{
    self->broker.mark = s_file_size(self->broker.log);
    self->frontend.mark = s_file_size(self->frontend.log);
    for (int i = 0; i < self->n_workers; i++)
        self->workers[i].mark = s_file_size(self->workers[i].log);
}

void cluster_dump_logs(cluster_t *self, bool since_mark)
{
    self->dumped = true;
    s_print_file("broker", self->broker.log, since_mark ? self->broker.mark : 0,
                 CLUSTER_DUMP_BYTES);
    for (int i = 0; i < self->n_workers; i++)
        s_print_file(self->workers[i].name, self->workers[i].log,
                     since_mark ? self->workers[i].mark : 0, CLUSTER_DUMP_BYTES);
    s_print_file("frontend", self->frontend.log, since_mark ? self->frontend.mark : 0,
                 CLUSTER_DUMP_BYTES);
}
