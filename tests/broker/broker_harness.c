/* broker_harness.c — spawning bedrock-broker and the fake workers/clients of the broker
 * tests (owned by the broker area; contract in broker_harness.h). */
#include "broker_harness.h"

#include "mpjson.h"
#include "proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <msgpack.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef BROKER_BIN
#error "BROKER_BIN must be defined (path of bedrock-broker)"
#endif
#ifndef BROKER_TEST_LOG_DIR
#define BROKER_TEST_LOG_DIR "/tmp"
#endif

#define BT_MAX_FAKES 32
#define BT_HB_SEND_MS 40        /* fakes heartbeat well within the broker's 3 x 100 ms */
#define BT_SEND_TIMEOUT_MS 1000 /* a fake's send fails rather than hang the test */

extern char **environ;

static bt_worker_t *s_workers[BT_MAX_FAKES];
static bt_client_t *s_clients[BT_MAX_FAKES];
static int s_log_seq;

int64_t bt_now_ms(void)
{
    return envelope_now_ms();
}

/* ---- processes ------------------------------------------------------------ */

static int s_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* environ without BEDROCK_* variables, then the given entries. Caller frees the array. */
static char **s_env(const char *const *a, const char *const *b)
{
    size_t n = 0;
    while (environ[n])
        n++;
    for (size_t i = 0; a && a[i]; i++)
        n++;
    for (size_t i = 0; b && b[i]; i++)
        n++;
    char **env = calloc(n + 1, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; env && environ[i]; i++)
        if (strncmp(environ[i], "BEDROCK_", 8) != 0)
            env[k++] = environ[i];
    for (size_t i = 0; env && a && a[i]; i++)
        env[k++] = (char *)a[i];
    for (size_t i = 0; env && b && b[i]; i++)
        env[k++] = (char *)b[i];
    return env;
}

static pid_t s_spawn(char **env, const char *err_path)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, 2);
        dup2(fd, 1);
        close(fd);
    }
    char *argv[] = {(char *)BROKER_BIN, NULL};
    execve(BROKER_BIN, argv, env);
    _exit(127);
}

/* Waits until the broker's log holds text. Returns 0, or -1 on timeout or exit. */
static int s_wait_log(bt_broker_t *b, const char *text, int timeout_ms)
{
    char buf[8192];
    for (int waited = 0; waited < timeout_ms && bt_broker_alive(b); waited += 5) {
        FILE *f = fopen(b->log_path, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        if (strstr(buf, text))
            return 0;
        usleep(5000);
    }
    return -1;
}

int bt_broker_start(bt_broker_t *b, const char *const *env)
{
    return bt_broker_start_curve(b, env, NULL);
}

int bt_broker_start_curve(bt_broker_t *b, const char *const *env, const bt_curve_t *curve)
{
    memset(b, 0, sizeof *b);
    b->curve = curve;
    int cport = s_free_port(), wport = s_free_port();
    if (cport < 0 || wport < 0 || cport == wport)
        return -1;
    char clients[96], workers[96], hb[64];
    snprintf(b->clients_ep, sizeof b->clients_ep, "tcp://127.0.0.1:%d", cport);
    snprintf(b->workers_ep, sizeof b->workers_ep, "tcp://127.0.0.1:%d", wport);
    snprintf(clients, sizeof clients, "BEDROCK_BROKER_CLIENTS=%s", b->clients_ep);
    snprintf(workers, sizeof workers, "BEDROCK_BROKER_WORKERS=%s", b->workers_ep);
    snprintf(hb, sizeof hb, "BEDROCK_HEARTBEAT_MS=%d", BT_HEARTBEAT_MS);
    snprintf(b->log_path, sizeof b->log_path, "%s/broker-test-%d-%d.log", BROKER_TEST_LOG_DIR,
             (int)getpid(), s_log_seq++);
    const char *base[] = {clients, workers, hb, "BEDROCK_LOG_LEVEL=debug", NULL};
    char **e = s_env(base, env);
    if (!e)
        return -1;
    b->pid = s_spawn(e, b->log_path);
    free(e);
    if (b->pid < 0)
        return -1;
    /* Connect only once the broker has bound: a DEALER retrying a connect to an unbound
     * ephemeral port can end up connected to itself (TCP self-connect) and hold the port. */
    if (s_wait_log(b, "broker ready", 5000) < 0) {
        fprintf(stderr, "broker did not start; log in %s\n", b->log_path);
        return -1;
    }
    bt_client_t *probe = bt_client_new(b);
    json_t *status = NULL;
    for (int i = 0; i < 20 && !status && bt_broker_alive(b); i++)
        status = bt_status(probe);
    int rc = status ? 0 : -1;
    json_decref(status);
    if (rc < 0)
        fprintf(stderr, "broker did not answer broker.status; log in %s\n", b->log_path);
    return rc;
}

bool bt_broker_alive(bt_broker_t *b)
{
    int st;
    return b->pid > 0 && waitpid(b->pid, &st, WNOHANG) == 0;
}

bool bt_broker_log_has(const bt_broker_t *b, const char *text)
{
    FILE *f = fopen(b->log_path, "r");
    if (!f)
        return false;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, text) != NULL;
}

static int s_wait_exit(pid_t pid, int timeout_ms)
{
    int st = 0;
    for (int waited = 0; waited <= timeout_ms; waited += 5) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        if (r < 0)
            return -1;
        usleep(5000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

int bt_broker_stop(bt_broker_t *b)
{
    if (b->pid <= 0)
        return -1;
    kill(b->pid, SIGTERM);
    int rc = s_wait_exit(b->pid, 5000);
    b->pid = 0;
    return rc;
}

int bt_broker_run_capture(const char *const *env, char *err, size_t err_size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/broker-test-%d-config-%d.log", BROKER_TEST_LOG_DIR,
             (int)getpid(), s_log_seq++);
    unlink(path);
    char **e = s_env(env, NULL);
    pid_t pid = e ? s_spawn(e, path) : -1;
    free(e);
    int rc = pid > 0 ? s_wait_exit(pid, 2000) : -1;
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(err, 1, err_size - 1, f) : 0;
    err[n] = '\0';
    if (f)
        fclose(f);
    return rc;
}

/* ---- waiting -------------------------------------------------------------- */

static void s_heartbeat_all(void)
{
    int64_t now = bt_now_ms();
    for (int i = 0; i < BT_MAX_FAKES; i++) {
        bt_worker_t *w = s_workers[i];
        if (!w || w->silent || now < w->next_hb_ms)
            continue;
        w->next_hb_ms = now + BT_HB_SEND_MS;
        zmsg_t *m = zmsg_new();
        zmsg_addstr(m, PROTO_WORKER);
        unsigned char cmd = PROTO_HEARTBEAT;
        zmsg_addmem(m, &cmd, 1);
        if (w->hb_stats) {
            msgpack_sbuffer sb;
            msgpack_sbuffer_init(&sb);
            msgpack_packer pk;
            msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
            if (mpjson_pack(&pk, w->hb_stats) == 0)
                zmsg_addmem(m, sb.data, sb.size);
            msgpack_sbuffer_destroy(&sb);
        }
        /* Never waits: a heartbeat that cannot go now (no peer) is dropped. */
        zsock_set_sndtimeo(w->sock, 0);
        if (zmsg_send(&m, w->sock) < 0)
            zmsg_destroy(&m);
        zsock_set_sndtimeo(w->sock, BT_SEND_TIMEOUT_MS);
    }
}

/* Waits until sock is readable (keeping heartbeats going); false on timeout. */
static bool s_wait_readable(zsock_t *sock, int timeout_ms)
{
    int64_t end = bt_now_ms() + timeout_ms;
    for (;;) {
        s_heartbeat_all();
        zmq_pollitem_t item = {zsock_resolve(sock), 0, ZMQ_POLLIN, 0};
        int64_t left = end - bt_now_ms();
        if (left < 0)
            left = 0;
        if (zmq_poll(&item, 1, left < 10 ? left : 10) > 0)
            return true;
        if (left == 0)
            return false;
    }
}

void bt_pump(int ms)
{
    int64_t end = bt_now_ms() + ms;
    while (bt_now_ms() < end) {
        s_heartbeat_all();
        usleep(5000);
    }
}

/* ---- fake workers --------------------------------------------------------- */

static void s_track(void **table, void *item)
{
    for (int i = 0; i < BT_MAX_FAKES; i++) {
        if (!table[i]) {
            table[i] = item;
            return;
        }
    }
    fprintf(stderr, "broker_harness: more than %d fakes\n", BT_MAX_FAKES);
    abort();
}

static int s_pack_str(msgpack_packer *pk, const char *s)
{
    return msgpack_pack_str_with_body(pk, s, strlen(s));
}

void bt_worker_ready(bt_worker_t *w, const char *ops, int credit, int pid)
{
    char copy[512];
    snprintf(copy, sizeof copy, "%s", ops);
    int n = 1;
    for (const char *p = copy; *p; p++)
        n += *p == ',';
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 4);
    s_pack_str(&pk, "pid");
    msgpack_pack_int(&pk, pid);
    s_pack_str(&pk, "host");
    s_pack_str(&pk, "test-host");
    s_pack_str(&pk, "ops");
    msgpack_pack_array(&pk, (size_t)n);
    char *save = NULL;
    for (char *op = strtok_r(copy, ",", &save); op; op = strtok_r(NULL, ",", &save))
        s_pack_str(&pk, op);
    s_pack_str(&pk, "credit");
    msgpack_pack_int(&pk, credit);
    zmsg_t *m = zmsg_new();
    zmsg_addstr(m, PROTO_WORKER);
    unsigned char cmd = PROTO_READY;
    zmsg_addmem(m, &cmd, 1);
    zmsg_addmem(m, sb.data, sb.size);
    zmsg_send(&m, w->sock);
    msgpack_sbuffer_destroy(&sb);
    w->next_hb_ms = bt_now_ms() + BT_HB_SEND_MS;
    w->disconnected = false;
}

/* A DEALER connected to endpoint, with CURVE keys when curve is set; NULL on failure. */
static zsock_t *s_dealer(const char *endpoint, const bt_curve_t *curve)
{
    zsock_t *sock = zsock_new(ZMQ_DEALER);
    /* A DEALER refused by CURVE has no peer between two handshakes, and would block. */
    if (sock)
        zsock_set_sndtimeo(sock, BT_SEND_TIMEOUT_MS);
    if (sock && curve) {
        zcert_apply(curve->cert, sock);
        zsock_set_curve_serverkey(sock, curve->server_public);
    }
    if (sock && zsock_connect(sock, "%s", endpoint) < 0)
        zsock_destroy(&sock);
    return sock;
}

bt_worker_t *bt_worker_new(bt_broker_t *b, const char *ops, int credit, int pid)
{
    return bt_worker_new_curve(b, ops, credit, pid, b->curve);
}

bt_worker_t *bt_worker_new_curve(bt_broker_t *b, const char *ops, int credit, int pid,
                                 const bt_curve_t *curve)
{
    bt_worker_t *w = calloc(1, sizeof *w);
    w->sock = s_dealer(b->workers_ep, curve);
    if (!w->sock) {
        fprintf(stderr, "cannot connect a fake worker to %s\n", b->workers_ep);
        abort();
    }
    s_track((void **)s_workers, w);
    bt_worker_ready(w, ops, credit, pid);
    return w;
}

void bt_worker_set_stats(bt_worker_t *w, json_t *stats)
{
    json_decref(w->hb_stats);
    w->hb_stats = stats;
}

void bt_request_clear(bt_request_t *r)
{
    zframe_destroy(&r->client);
    zframe_destroy(&r->envelope);
    envelope_request_clear(&r->req);
}

/* Receives the next message from w: its command byte, and the message for REQUESTs. */
static int s_worker_next(bt_worker_t *w, int timeout_ms, zmsg_t **out)
{
    if (!s_wait_readable(w->sock, timeout_ms))
        return -1;
    zmsg_t *m = zmsg_recv(w->sock);
    zframe_t *proto = m ? zmsg_pop(m) : NULL;
    zframe_t *cmdf = m ? zmsg_pop(m) : NULL;
    int cmd = cmdf && zframe_size(cmdf) == 1 ? zframe_data(cmdf)[0] : 0;
    if (!proto || !zframe_streq(proto, PROTO_WORKER))
        cmd = 0;
    zframe_destroy(&proto);
    zframe_destroy(&cmdf);
    if (cmd == PROTO_DISCONNECT)
        w->disconnected = true;
    *out = m;
    return cmd;
}

int bt_worker_recv(bt_worker_t *w, int timeout_ms, bt_request_t *out)
{
    memset(out, 0, sizeof *out);
    int64_t end = bt_now_ms() + timeout_ms;
    for (;;) {
        int64_t left = end - bt_now_ms();
        zmsg_t *m = NULL;
        int cmd = s_worker_next(w, left > 0 ? (int)left : 0, &m);
        if (cmd < 0)
            return -1;
        if (cmd == PROTO_REQUEST && zmsg_size(m) == 3) {
            out->client = zmsg_pop(m);
            zframe_t *empty = zmsg_pop(m);
            zframe_destroy(&empty);
            out->envelope = zmsg_pop(m);
            zmsg_destroy(&m);
            if (envelope_request_decode(zframe_data(out->envelope), zframe_size(out->envelope),
                                        &out->req) < 0) {
                bt_request_clear(out);
                return -1;
            }
            return 0;
        }
        zmsg_destroy(&m);
    }
}

int bt_worker_expect_cmd(bt_worker_t *w, int cmd, int timeout_ms)
{
    int64_t end = bt_now_ms() + timeout_ms;
    for (;;) {
        int64_t left = end - bt_now_ms();
        zmsg_t *m = NULL;
        int got = s_worker_next(w, left > 0 ? (int)left : 0, &m);
        zmsg_destroy(&m);
        if (got < 0)
            return -1;
        if (got == cmd)
            return 0;
    }
}

int bt_worker_reply(bt_worker_t *w, const bt_request_t *r, int status, json_t *data)
{
    envelope_reply_t rep;
    envelope_reply_init(&rep);
    memcpy(rep.id, r->req.id, ENVELOPE_ID_SIZE);
    rep.status = status;
    rep.data = json_incref(data);
    if (status >= 400)
        envelope_reply_set_error(&rep, status, "internal", "fake failure", NULL);
    size_t len = 0;
    char *buf = envelope_reply_encode(&rep, &len);
    envelope_reply_clear(&rep);
    if (!buf)
        return -1;
    zmsg_t *m = zmsg_new();
    zmsg_addstr(m, PROTO_WORKER);
    unsigned char cmd = PROTO_REPLY;
    zmsg_addmem(m, &cmd, 1);
    zmsg_addmem(m, zframe_data(r->client), zframe_size(r->client));
    zmsg_addmem(m, NULL, 0);
    zmsg_addmem(m, buf, len);
    free(buf);
    return zmsg_send(&m, w->sock);
}

int bt_worker_forward(bt_worker_t *w, const bt_request_t *r, const char *op, int64_t deadline_ms)
{
    envelope_request_t req;
    if (envelope_request_decode(zframe_data(r->envelope), zframe_size(r->envelope), &req) < 0)
        return -1;
    snprintf(req.op, sizeof req.op, "%s", op);
    req.deadline_ms = deadline_ms;
    size_t len = 0;
    char *buf = envelope_request_encode(&req, &len);
    envelope_request_clear(&req);
    if (!buf)
        return -1;
    zmsg_t *m = zmsg_new();
    zmsg_addstr(m, PROTO_WORKER);
    unsigned char cmd = PROTO_FORWARD;
    zmsg_addmem(m, &cmd, 1);
    zmsg_addmem(m, zframe_data(r->client), zframe_size(r->client));
    zmsg_addmem(m, NULL, 0);
    zmsg_addmem(m, buf, len);
    free(buf);
    return zmsg_send(&m, w->sock);
}

int bt_send_raw(zsock_t *sock, const void *const *data, const size_t *sizes, int n)
{
    zmsg_t *m = zmsg_new();
    for (int i = 0; i < n; i++)
        zmsg_addmem(m, data[i], sizes[i]);
    return zmsg_send(&m, sock);
}

/* ---- fake clients --------------------------------------------------------- */

bt_client_t *bt_client_new(bt_broker_t *b)
{
    return bt_client_new_curve(b, b->curve);
}

bt_client_t *bt_client_new_curve(bt_broker_t *b, const bt_curve_t *curve)
{
    bt_client_t *c = calloc(1, sizeof *c);
    c->sock = s_dealer(b->clients_ep, curve);
    if (!c->sock) {
        fprintf(stderr, "cannot connect a fake client to %s\n", b->clients_ep);
        abort();
    }
    s_track((void **)s_clients, c);
    return c;
}

int bt_client_send(bt_client_t *c, const char *op, int64_t deadline_ms, bool noreply,
                   uint8_t id[ENVELOPE_ID_SIZE])
{
    envelope_request_t req;
    envelope_request_init(&req);
    if (envelope_id_generate(req.id) < 0)
        return -1;
    snprintf(req.op, sizeof req.op, "%s", op);
    req.deadline_ms = deadline_ms;
    req.noreply = noreply;
    if (id)
        memcpy(id, req.id, ENVELOPE_ID_SIZE);
    size_t len = 0;
    char *buf = envelope_request_encode(&req, &len);
    envelope_request_clear(&req);
    if (!buf)
        return -1;
    zmsg_t *m = zmsg_new();
    zmsg_addmem(m, NULL, 0);
    zmsg_addstr(m, PROTO_CLIENT);
    zmsg_addmem(m, buf, len);
    free(buf);
    return zmsg_send(&m, c->sock);
}

int bt_client_recv(bt_client_t *c, int timeout_ms, envelope_reply_t *rep)
{
    envelope_reply_init(rep);
    if (!s_wait_readable(c->sock, timeout_ms))
        return -1;
    zmsg_t *m = zmsg_recv(c->sock);
    int rc = -1;
    if (m && zmsg_size(m) == 3) {
        zframe_t *empty = zmsg_pop(m), *proto = zmsg_pop(m), *body = zmsg_pop(m);
        if (zframe_size(empty) == 0 && zframe_streq(proto, PROTO_CLIENT))
            rc = envelope_reply_decode(zframe_data(body), zframe_size(body), rep);
        zframe_destroy(&empty);
        zframe_destroy(&proto);
        zframe_destroy(&body);
    }
    zmsg_destroy(&m);
    return rc;
}

json_t *bt_status(bt_client_t *c)
{
    uint8_t id[ENVELOPE_ID_SIZE];
    if (bt_client_send(c, PROTO_OP_BROKER_STATUS, bt_now_ms() + 1000, false, id) < 0)
        return NULL;
    envelope_reply_t rep;
    /* Skip replies to earlier requests that are still arriving. */
    while (bt_client_recv(c, 250, &rep) == 0) {
        if (memcmp(rep.id, id, ENVELOPE_ID_SIZE) == 0 && rep.status == 200) {
            json_t *data = json_incref(rep.data);
            envelope_reply_clear(&rep);
            return data;
        }
        envelope_reply_clear(&rep);
    }
    return NULL;
}

int bt_wait_workers(bt_client_t *c, int n, int timeout_ms)
{
    int64_t end = bt_now_ms() + timeout_ms;
    while (bt_now_ms() < end) {
        json_t *st = bt_status(c);
        json_int_t live = st ? json_integer_value(json_object_get(st, "workers_live")) : -1;
        json_decref(st);
        if (live == n)
            return 0;
        bt_pump(20);
    }
    return -1;
}

void bt_reset(void)
{
    for (int i = 0; i < BT_MAX_FAKES; i++) {
        if (s_workers[i]) {
            zsock_destroy(&s_workers[i]->sock);
            json_decref(s_workers[i]->hb_stats);
            free(s_workers[i]);
            s_workers[i] = NULL;
        }
        if (s_clients[i]) {
            zsock_destroy(&s_clients[i]->sock);
            free(s_clients[i]);
            s_clients[i] = NULL;
        }
    }
}

int bt_tmpdir_new(char *path, size_t size)
{
    if (snprintf(path, size, "/tmp/bedrock-broker-test-XXXXXX") >= (int)size)
        return -1;
    return mkdtemp(path) ? 0 : -1;
}

static int s_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 ? -1 : 0;
}

void bt_tmpdir_remove(const char *path)
{
    if (nftw(path, s_remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
        fprintf(stderr, "broker_harness: could not remove %s\n", path);
}

int bt_cert_save(zcert_t *cert, const char *dir, const char *name, bool public_only)
{
    char path[512];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return -1;
    return public_only ? zcert_save_public(cert, path) : zcert_save(cert, path);
}
