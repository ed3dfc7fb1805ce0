/* The bedrock-worker process against a fake broker speaking BRW1 (common/proto.h):
 * READY, heartbeats with stats, REQUEST/REPLY, malformed and expired requests,
 * reconnection after DISCONNECT, after broker silence and after a broker restart,
 * DISCONNECT on SIGTERM. Also the start-up validation: exit 2 with one line naming
 * the variable, and no secret in the start-up log. */
#include "it_support.h"

#include "envelope.h"
#include "mpjson.h"
#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <msgpack.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <cmocka.h>

#define S_HB_MS 100
#define S_LIVENESS "5"
#define S_MAX_FRAMES 8
#define S_ENV_MAX 32

typedef struct {
    int n;
    char *f[S_MAX_FRAMES];
    size_t len[S_MAX_FRAMES];
} s_msg_t;

static struct {
    void *ctx;
    void *router;
    char endpoint[256];
    pid_t pid;
    char id[256];
    size_t id_len;
    bool heartbeats; /* keep the worker's broker-liveness fed while waiting */
    int64_t last_hb;
} B;

static it_db_t s_scratch;
static int s_slow = 1; /* timeouts are multiplied by 10 under valgrind */

static int64_t s_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void s_msg_free(s_msg_t *m)
{
    for (int i = 0; i < m->n && i < S_MAX_FRAMES; i++)
        free(m->f[i]);
    memset(m, 0, sizeof *m);
}

static void s_bind(const char *endpoint)
{
    B.router = zmq_socket(B.ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(B.router, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_bind(B.router, endpoint), 0);
    size_t size = sizeof B.endpoint;
    zmq_getsockopt(B.router, ZMQ_LAST_ENDPOINT, B.endpoint, &size);
}

static void s_send_frames(const void *const *frames, const size_t *lens, int n)
{
    for (int i = 0; i < n; i++)
        assert_true(zmq_send(B.router, frames[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0) >= 0);
}

static void s_send_cmd(unsigned char cmd)
{
    const void *frames[] = {B.id, PROTO_WORKER, &cmd};
    size_t lens[] = {B.id_len, 4, 1};
    s_send_frames(frames, lens, 3);
}

/* One message, or n = 0 on timeout. Feeds the worker heartbeats meanwhile. */
static void s_recv(s_msg_t *m, int timeout_ms)
{
    memset(m, 0, sizeof *m);
    int64_t end = s_ms() + timeout_ms;
    for (;;) {
        if (B.heartbeats && B.id_len && s_ms() - B.last_hb >= S_HB_MS) {
            s_send_cmd(PROTO_HEARTBEAT);
            B.last_hb = s_ms();
        }
        int64_t left = end - s_ms();
        if (left <= 0)
            return;
        zmq_pollitem_t item = {B.router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, left < 20 ? left : 20) > 0)
            break;
    }
    for (int more = 1; more;) {
        zmq_msg_t f;
        zmq_msg_init(&f);
        assert_true(zmq_msg_recv(&f, B.router, 0) >= 0);
        more = zmq_msg_more(&f);
        if (m->n < S_MAX_FRAMES) {
            m->len[m->n] = zmq_msg_size(&f);
            m->f[m->n] = malloc(m->len[m->n] + 1);
            memcpy(m->f[m->n], zmq_msg_data(&f), m->len[m->n]);
            m->f[m->n][m->len[m->n]] = '\0';
        }
        m->n++;
        zmq_msg_close(&f);
    }
}

static int s_cmd(const s_msg_t *m)
{
    assert_true(m->n >= 3);
    assert_int_equal(m->len[1], 4);
    assert_memory_equal(m->f[1], PROTO_WORKER, 4);
    assert_int_equal(m->len[2], 1);
    return (unsigned char)m->f[2][0];
}

/* Waits for a message with command cmd (heartbeats skipped unless asked for). */
static bool s_expect(int cmd, int timeout_ms, s_msg_t *m)
{
    int64_t end = s_ms() + (int64_t)timeout_ms * s_slow;
    while (s_ms() < end) {
        s_recv(m, (int)(end - s_ms()));
        if (m->n == 0)
            return false;
        if (s_cmd(m) == cmd)
            return true;
        s_msg_free(m);
    }
    return false;
}

static json_t *s_msgpack_json(const char *buf, size_t len)
{
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    json_t *v = NULL;
    if (msgpack_unpack_next(&up, buf, len, &off) == MSGPACK_UNPACK_SUCCESS)
        v = mpjson_from_object(&up.data);
    msgpack_unpacked_destroy(&up);
    return v;
}

/* Expects READY from a new identity and returns its info map. */
static json_t *s_expect_ready(int timeout_ms)
{
    s_msg_t m;
    assert_true(s_expect(PROTO_READY, timeout_ms, &m));
    assert_int_equal(m.n, 4);
    memcpy(B.id, m.f[0], m.len[0]);
    B.id_len = m.len[0];
    json_t *info = s_msgpack_json(m.f[3], m.len[3]);
    s_msg_free(&m);
    assert_non_null(info);
    return info;
}

/* IT_VALGRIND=1 runs the worker under valgrind: test_sigterm_disconnects then also
 * checks that valgrind found no error and no definite leak (exit status 0). */
static void s_spawn(char **envp)
{
    B.pid = fork();
    assert_true(B.pid >= 0);
    if (B.pid == 0) {
#ifdef IT_VALGRIND_BIN
        const char *vg = getenv("IT_VALGRIND");
        if (vg && !strcmp(vg, "1"))
            execle(IT_VALGRIND_BIN, "valgrind", "-q", "--leak-check=full",
                   "--errors-for-leak-kinds=definite", "--error-exitcode=99", IT_WORKER_BIN,
                   (char *)NULL, envp);
#endif
        execle(IT_WORKER_BIN, IT_WORKER_BIN, (char *)NULL, envp);
        _exit(127);
    }
}

static int s_build_env(char **envp, char store[][IT_URL_MAX], const char *const *pairs)
{
    int n = 0;
    for (; pairs[n] && n < S_ENV_MAX - 1; n++) {
        snprintf(store[n], IT_URL_MAX, "%s", pairs[n]);
        envp[n] = store[n];
    }
    envp[n] = NULL;
    return n;
}

static int s_group_setup(void **state)
{
    (void)state;
    if (it_db_create(&s_scratch) < 0)
        return -1;
    B.ctx = zmq_ctx_new();
    s_bind("tcp://127.0.0.1:*");
    static char store[S_ENV_MAX][IT_URL_MAX];
    static char *envp[S_ENV_MAX];
    char db[IT_URL_MAX + 16], redis[IT_URL_MAX], broker[300];
    snprintf(db, sizeof db, "DATABASE_URL=%s", s_scratch.url);
    snprintf(redis, sizeof redis, "REDIS_URL=%s", it_require_env("REDIS_URL"));
    snprintf(broker, sizeof broker, "BEDROCK_BROKER_WORKERS=%s", B.endpoint);
    const char *pairs[] = {db,
                           redis,
                           broker,
                           "BEDROCK_JWT_SECRET=" IT_SECRET,
                           "BEDROCK_BCRYPT_COST=4",
                           "BEDROCK_TEST_OPS=true",
                           "BEDROCK_HEARTBEAT_MS=100",
                           "BEDROCK_HEARTBEAT_LIVENESS=" S_LIVENESS,
                           "BEDROCK_WORKER_CREDIT=3",
                           "BEDROCK_LOG_LEVEL=error",
                           NULL};
    s_build_env(envp, store, pairs);
    s_spawn(envp);
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    if (B.pid > 0) {
        kill(B.pid, SIGKILL);
        waitpid(B.pid, NULL, 0);
    }
    if (B.router)
        zmq_close(B.router);
    zmq_ctx_term(B.ctx);
    it_db_drop(&s_scratch);
    return 0;
}

static void test_ready(void **state)
{
    (void)state;
    json_t *info = s_expect_ready(5000);
    assert_int_equal(json_integer_value(json_object_get(info, "pid")), B.pid);
    assert_int_equal(json_integer_value(json_object_get(info, "credit")), 3);
    assert_true(json_string_length(json_object_get(info, "host")) > 0);
    char *ops = json_dumps(json_object_get(info, "ops"), JSON_COMPACT);
    assert_non_null(strstr(ops, "\"auth.login\""));
    assert_non_null(strstr(ops, "\"me.get\""));
    assert_non_null(strstr(ops, "\"test.echo\""));
    free(ops);
    json_decref(info);
    B.heartbeats = true;
}

static void test_heartbeat_stats(void **state)
{
    (void)state;
    s_msg_t m;
    /* the first heartbeat may come before PostgreSQL is connected: look for "up" */
    bool up = false;
    for (int i = 0; i < 20 && !up; i++) {
        assert_true(s_expect(PROTO_HEARTBEAT, 1000, &m));
        assert_int_equal(m.n, 4);
        json_t *stats = s_msgpack_json(m.f[3], m.len[3]);
        assert_non_null(stats);
        assert_int_equal(json_object_size(stats), 5);
        assert_true(json_is_integer(json_object_get(stats, "handled")));
        assert_true(json_is_integer(json_object_get(stats, "errors")));
        assert_true(json_is_integer(json_object_get(stats, "cache_bypass")));
        const char *db = json_string_value(json_object_get(stats, "db"));
        const char *redis = json_string_value(json_object_get(stats, "redis"));
        assert_non_null(db);
        assert_non_null(redis);
        up = !strcmp(db, "up") && !strcmp(redis, "up");
        json_decref(stats);
        s_msg_free(&m);
    }
    assert_true(up);
}

static void s_request(const char *op, json_t *body, int64_t deadline, bool noreply,
                      uint8_t id[ENVELOPE_ID_SIZE])
{
    envelope_request_t req;
    envelope_request_init(&req);
    assert_int_equal(envelope_id_generate(req.id), 0);
    memcpy(id, req.id, ENVELOPE_ID_SIZE);
    snprintf(req.op, sizeof req.op, "%s", op);
    req.deadline_ms = deadline;
    req.body = body;
    req.noreply = noreply;
    size_t len;
    char *buf = envelope_request_encode(&req, &len);
    assert_non_null(buf);
    unsigned char cmd = PROTO_REQUEST;
    const void *frames[] = {B.id, PROTO_WORKER, &cmd, "client-1", "", buf};
    size_t lens[] = {B.id_len, 4, 1, 8, 0, len};
    s_send_frames(frames, lens, 6);
    free(buf);
    envelope_request_clear(&req);
}

static void s_expect_reply(const uint8_t id[ENVELOPE_ID_SIZE], envelope_reply_t *rep)
{
    s_msg_t m;
    assert_true(s_expect(PROTO_REPLY, 3000, &m));
    assert_int_equal(m.n, 6);
    assert_memory_equal(m.f[0], B.id, B.id_len);
    assert_string_equal(m.f[3], "client-1");
    assert_int_equal(m.len[4], 0);
    assert_int_equal(envelope_reply_decode(m.f[5], m.len[5], rep), 0);
    assert_memory_equal(rep->id, id, ENVELOPE_ID_SIZE);
    s_msg_free(&m);
}

static void test_request_reply(void **state)
{
    (void)state;
    uint8_t id[ENVELOPE_ID_SIZE];
    envelope_reply_t rep;
    s_request("test.echo", json_pack("{s:i}", "n", 7), envelope_now_ms() + 5000, false, id);
    s_expect_reply(id, &rep);
    assert_int_equal(rep.status, 200);
    assert_string_equal(json_string_value(json_object_get(rep.data, "op")), "test.echo");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(rep.data, "body"), "n")),
                     7);
    envelope_reply_clear(&rep);

    s_request("auth.register",
              json_pack("{s:s, s:s}", "email", "proto@example.com", "password", "proto-pass"),
              envelope_now_ms() + 5000, false, id);
    s_expect_reply(id, &rep);
    assert_int_equal(rep.status, 201);
    envelope_reply_clear(&rep);

    s_request("no.such_op", NULL, 0, false, id); /* deadline 0 = none */
    s_expect_reply(id, &rep);
    assert_int_equal(rep.status, 404);
    assert_string_equal(rep.error_code, "not_found");
    envelope_reply_clear(&rep);
}

/* noreply requests run and still send REPLY: the broker learns the worker is free. */
static void test_noreply_still_replies(void **state)
{
    (void)state;
    uint8_t id[ENVELOPE_ID_SIZE];
    envelope_reply_t rep;
    s_request("test.echo", NULL, envelope_now_ms() + 5000, true, id);
    s_expect_reply(id, &rep);
    assert_int_equal(rep.status, 200);
    envelope_reply_clear(&rep);
}

static void test_expired_request(void **state)
{
    (void)state;
    uint8_t id[ENVELOPE_ID_SIZE];
    envelope_reply_t rep;
    s_request("test.sleep_write", json_pack("{s:i}", "ms", 2000), envelope_now_ms() - 10, false,
              id);
    int64_t t0 = s_ms();
    s_expect_reply(id, &rep);
    assert_true(s_ms() - t0 < 1000 * s_slow); /* not run */
    assert_int_equal(rep.status, 504);
    assert_string_equal(rep.error_code, "timeout");
    envelope_reply_clear(&rep);
}

static void s_send_raw(const void *buf, size_t len)
{
    unsigned char cmd = PROTO_REQUEST;
    const void *frames[] = {B.id, PROTO_WORKER, &cmd, "client-1", "", buf};
    size_t lens[] = {B.id_len, 4, 1, 8, 0, len};
    s_send_frames(frames, lens, 6);
}

static void test_malformed_requests(void **state)
{
    (void)state;
    /* id and op readable, args not a map: 400 bad_request with that id */
    uint8_t id[ENVELOPE_ID_SIZE];
    assert_int_equal(envelope_id_generate(id), 0);
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 3);
    msgpack_pack_str_with_body(&pk, "id", 2);
    msgpack_pack_bin_with_body(&pk, id, ENVELOPE_ID_SIZE);
    msgpack_pack_str_with_body(&pk, "op", 2);
    msgpack_pack_str_with_body(&pk, "test.echo", 9);
    msgpack_pack_str_with_body(&pk, "args", 4);
    msgpack_pack_int(&pk, 5);
    s_send_raw(sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    envelope_reply_t rep;
    s_expect_reply(id, &rep);
    assert_int_equal(rep.status, 400);
    assert_string_equal(rep.error_code, "bad_request");
    envelope_reply_clear(&rep);

    /* unreadable: dropped; the next good request is answered normally */
    s_send_raw("\xc1garbage", 8);
    unsigned char cmd = 0x7f; /* an unknown command is dropped too */
    const void *frames[] = {B.id, PROTO_WORKER, &cmd};
    size_t lens[] = {B.id_len, 4, 1};
    s_send_frames(frames, lens, 3);
    s_request("test.echo", NULL, envelope_now_ms() + 5000, false, id);
    s_expect_reply(id, &rep);
    assert_int_equal(rep.status, 200);
    envelope_reply_clear(&rep);
}

static void test_disconnect_reconnects(void **state)
{
    (void)state;
    char old[256];
    size_t old_len = B.id_len;
    memcpy(old, B.id, old_len);
    s_send_cmd(PROTO_DISCONNECT);
    json_t *info = s_expect_ready(3000);
    json_decref(info);
    assert_false(B.id_len == old_len && memcmp(B.id, old, old_len) == 0);
}

static void test_silent_broker_reconnects(void **state)
{
    (void)state;
    char old[256];
    size_t old_len = B.id_len;
    memcpy(old, B.id, old_len);
    B.heartbeats = false;
    int64_t t0 = s_ms();
    json_t *info = s_expect_ready(3000);
    json_decref(info);
    assert_true(s_ms() - t0 >= 3 * S_HB_MS);
    assert_false(B.id_len == old_len && memcmp(B.id, old, old_len) == 0);
    B.heartbeats = true;
}

/* The broker goes away and a new one binds the same endpoint: the worker comes to it
 * on its own. */
static void test_broker_restart(void **state)
{
    (void)state;
    char endpoint[256];
    snprintf(endpoint, sizeof endpoint, "%s", B.endpoint);
    zmq_close(B.router);
    B.router = NULL;
    B.id_len = 0;
    usleep(300 * 1000);
    s_bind(endpoint);
    json_t *info = s_expect_ready(5000);
    assert_int_equal(json_integer_value(json_object_get(info, "pid")), B.pid);
    json_decref(info);
    uint8_t id[ENVELOPE_ID_SIZE];
    envelope_reply_t rep;
    s_request("test.echo", NULL, envelope_now_ms() + 5000, false, id);
    s_expect_reply(id, &rep);
    assert_int_equal(rep.status, 200);
    envelope_reply_clear(&rep);
}

static void test_sigterm_disconnects(void **state)
{
    (void)state;
    assert_int_equal(kill(B.pid, SIGTERM), 0);
    s_msg_t m;
    assert_true(s_expect(PROTO_DISCONNECT, 3000, &m));
    s_msg_free(&m);
    int status = -1;
    for (int i = 0; i < 300 * s_slow && waitpid(B.pid, &status, WNOHANG) == 0; i++)
        usleep(10000);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    B.pid = 0;
}

/* Runs the worker with exactly pairs as its environment; returns the exit status and
 * stderr (kills it after wait_ms if it is still running). */
static int s_run_capture(const char *const *pairs, int wait_ms, char *err, size_t err_size)
{
    static char store[S_ENV_MAX][IT_URL_MAX];
    char *envp[S_ENV_MAX];
    s_build_env(envp, store, pairs);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        execle(IT_WORKER_BIN, IT_WORKER_BIN, (char *)NULL, envp);
        _exit(127);
    }
    close(fds[1]);
    int status = -1;
    for (int i = 0; i < wait_ms / 10 && waitpid(pid, &status, WNOHANG) == 0; i++)
        usleep(10000);
    if (status == -1) {
        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
    }
    size_t used = 0;
    ssize_t n;
    while (used + 1 < err_size && (n = read(fds[0], err + used, err_size - used - 1)) > 0)
        used += (size_t)n;
    err[used] = '\0';
    close(fds[0]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_config_errors(void **state)
{
    (void)state;
    const char *db = "DATABASE_URL=postgresql://bedrock@127.0.0.1:1/x";
    const char *secret = "BEDROCK_JWT_SECRET=" IT_SECRET;
    struct {
        const char *pairs[4];
        const char *variable;
    } cases[] = {
        {{secret, NULL}, "DATABASE_URL"},
        {{"DATABASE_URL=mysql://x/y", secret, NULL}, "DATABASE_URL"},
        {{db, secret, "DATABASE_REPLICA_URL=replica", NULL}, "DATABASE_REPLICA_URL"},
        {{db, NULL}, "BEDROCK_JWT_SECRET"},
        {{db, "BEDROCK_JWT_SECRET=too-short", NULL}, "BEDROCK_JWT_SECRET"},
        {{db, secret, "REDIS_URL=http://127.0.0.1:6379", NULL}, "REDIS_URL"},
        {{db, secret, "BEDROCK_BROKER_WORKERS=localhost:5556", NULL}, "BEDROCK_BROKER_WORKERS"},
        {{db, secret, "BEDROCK_BROKER_WORKERS=tcp://*:5556", NULL}, "BEDROCK_BROKER_WORKERS"},
        {{db, secret, "BEDROCK_BCRYPT_COST=3", NULL}, "BEDROCK_BCRYPT_COST"},
        {{db, secret, "BEDROCK_WORKER_CREDIT=0", NULL}, "BEDROCK_WORKER_CREDIT"},
        {{db, secret, "BEDROCK_WORKER_OPS=nosuch.", NULL}, "BEDROCK_WORKER_OPS"},
        {{db, secret, "BEDROCK_DB_PREPARED=maybe", NULL}, "BEDROCK_DB_PREPARED"},
        {{db, secret, "BEDROCK_HEARTBEAT_MS=fast", NULL}, "BEDROCK_HEARTBEAT_MS"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[4096];
        int rc = s_run_capture(cases[i].pairs, 3000, err, sizeof err);
        if (rc != 2 || !strstr(err, cases[i].variable))
            fprintf(stderr, "case %zu: exit %d, stderr: %s\n", i, rc, err);
        assert_int_equal(rc, 2);
        assert_non_null(strstr(err, cases[i].variable));
        char *nl = strchr(err, '\n');
        assert_true(nl && nl[1] == '\0'); /* exactly one line */
    }
}

static void test_start_log_hides_secrets(void **state)
{
    (void)state;
    const char *pairs[] = {"DATABASE_URL=postgresql://bedrock:pg-password-xyz@127.0.0.1:1/x",
                           "REDIS_URL=redis://:redis-password-xyz@127.0.0.1:1/0",
                           "BEDROCK_JWT_SECRET=jwt-secret-xyz-0123456789abcdef0123456789",
                           "BEDROCK_BROKER_WORKERS=tcp://127.0.0.1:1",
                           "BEDROCK_BCRYPT_COST=4",
                           NULL};
    static char err[65536];
    int rc = s_run_capture(pairs, 600, err, sizeof err);
    assert_int_equal(rc, 0); /* SIGTERM: a clean stop even with nothing reachable */
    assert_non_null(strstr(err, "BEDROCK_BCRYPT_COST=4"));
    assert_non_null(strstr(err, "postgresql://bedrock:****@127.0.0.1:1/x"));
    assert_null(strstr(err, "pg-password-xyz"));
    assert_null(strstr(err, "redis-password-xyz"));
    assert_null(strstr(err, "jwt-secret-xyz"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready),
        cmocka_unit_test(test_heartbeat_stats),
        cmocka_unit_test(test_request_reply),
        cmocka_unit_test(test_noreply_still_replies),
        cmocka_unit_test(test_expired_request),
        cmocka_unit_test(test_malformed_requests),
        cmocka_unit_test(test_disconnect_reconnects),
        cmocka_unit_test(test_silent_broker_reconnects),
        cmocka_unit_test(test_broker_restart),
        cmocka_unit_test(test_sigterm_disconnects),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_start_log_hides_secrets),
    };
    it_require_env("DATABASE_URL");
    it_require_env("REDIS_URL");
    signal(SIGPIPE, SIG_IGN);
#ifdef IT_VALGRIND_BIN
    if (getenv("IT_VALGRIND") && !strcmp(getenv("IT_VALGRIND"), "1"))
        s_slow = 10;
#endif
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
