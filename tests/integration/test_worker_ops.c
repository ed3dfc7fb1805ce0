/* The op contracts of CONTRACTS.md ("Ops of issue 2"), through dispatch_run and the
 * real handlers, PostgreSQL and Redis — everything the worker does except ZeroMQ. */
#include "it_support.h"

#include "dispatch.h"
#include "ids.h"
#include "log.h"
#include "token.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define S_RACERS 20

static it_db_t s_scratch;
static settings_t s_cfg, s_cfg_test;
static handler_env_t s_env, s_env_test;
static dispatch_t *s_d, *s_d_test;

typedef struct {
    char sub[64];
    char sid[64];
    char access[1024];
    char refresh[128];
} s_login_t;

static int s_group_setup(void **state)
{
    (void)state;
    log_set_level(LOG_LEVEL_ERROR);
    if (it_db_create(&s_scratch) < 0)
        return -1;
    it_settings(&s_cfg, s_scratch.url);
    s_cfg_test = s_cfg;
    s_cfg_test.test_ops = true;
    cache_options_t copt = {s_cfg.redis_url, 200, 200, 1000, 1000};
    s_env = (handler_env_t){&s_cfg, it_db_open(&s_cfg, s_scratch.url, "primary"), NULL,
                            cache_new(&copt), password_new(4)};
    s_env_test = s_env;
    s_env_test.cfg = &s_cfg_test;
    char err[256];
    s_d = dispatch_new(&s_env, NULL, err, sizeof err);
    s_d_test = dispatch_new(&s_env_test, NULL, err, sizeof err);
    return (s_env.primary && s_env.cache && s_env.password && s_d && s_d_test) ? 0 : -1;
}

static int s_group_teardown(void **state)
{
    (void)state;
    dispatch_destroy(&s_d);
    dispatch_destroy(&s_d_test);
    db_destroy(&s_env.primary);
    cache_destroy(&s_env.cache);
    password_destroy(&s_env.password);
    it_db_drop(&s_scratch);
    return 0;
}

/* Runs op with body (JSON text or NULL) and auth (sub/sid or NULL) on d. */
static void s_call_on(dispatch_t *d, const char *op, const char *body, const char *sub,
                      const char *sid, envelope_reply_t *rep)
{
    envelope_request_t req;
    envelope_request_init(&req);
    assert_int_equal(envelope_id_generate(req.id), 0);
    snprintf(req.op, sizeof req.op, "%s", op);
    req.deadline_ms = envelope_now_ms() + 10000;
    snprintf(req.meta_ip, sizeof req.meta_ip, "192.0.2.1");
    snprintf(req.meta_ua, sizeof req.meta_ua, "it-ops/1.0");
    if (body) {
        req.body = json_loads(body, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        assert_non_null(req.body);
    }
    if (sub) {
        req.has_auth = true;
        snprintf(req.auth_sub, sizeof req.auth_sub, "%s", sub);
        snprintf(req.auth_role, sizeof req.auth_role, "user");
        snprintf(req.auth_sid, sizeof req.auth_sid, "%s", sid);
    }
    envelope_reply_init(rep);
    dispatch_run(d, &req, rep);
    assert_memory_equal(rep->id, req.id, ENVELOPE_ID_SIZE);
    envelope_request_clear(&req);
}

static void s_call(const char *op, const char *body, const char *sub, const char *sid,
                   envelope_reply_t *rep)
{
    s_call_on(s_d, op, body, sub, sid, rep);
}

static void s_expect_error(envelope_reply_t *rep, int status, const char *code)
{
    if (rep->status != status || strcmp(rep->error_code, code) != 0)
        fprintf(stderr, "got %d %s (%s), want %d %s\n", rep->status, rep->error_code,
                rep->error_message, status, code);
    assert_int_equal(rep->status, status);
    assert_string_equal(rep->error_code, code);
}

static void s_expect_field(envelope_reply_t *rep, const char *field)
{
    s_expect_error(rep, 400, "invalid_argument");
    assert_non_null(rep->error_details);
    assert_string_equal(json_string_value(json_object_get(rep->error_details, "field")), field);
}

static const char *s_data_str(envelope_reply_t *rep, const char *key)
{
    const char *v = json_string_value(json_object_get(rep->data, key));
    assert_non_null(v);
    return v;
}

static void s_register(const char *email, const char *password, char id_out[64])
{
    char body[512];
    envelope_reply_t rep;
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    s_call("auth.register", body, NULL, NULL, &rep);
    assert_int_equal(rep.status, 201);
    if (id_out)
        snprintf(id_out, 64, "%s", s_data_str(&rep, "id"));
    envelope_reply_clear(&rep);
}

static void s_pair_into(envelope_reply_t *rep, s_login_t *out)
{
    assert_int_equal(rep->status, 200);
    assert_string_equal(s_data_str(rep, "token_type"), "Bearer");
    assert_int_equal(json_integer_value(json_object_get(rep->data, "expires_in")), 900);
    assert_int_equal(json_object_size(rep->data), 4);
    snprintf(out->access, sizeof out->access, "%s", s_data_str(rep, "access_token"));
    snprintf(out->refresh, sizeof out->refresh, "%s", s_data_str(rep, "refresh_token"));
    token_claims_t c;
    assert_int_equal(token_verify(IT_SECRET, out->access, (int64_t)time(NULL), &c), TOKEN_OK);
    assert_int_equal(c.exp - c.iat, 900);
    assert_string_equal(c.role, "user");
    assert_true(ids_is_uuid(c.sub) && ids_is_uuid(c.sid));
    snprintf(out->sub, sizeof out->sub, "%s", c.sub);
    snprintf(out->sid, sizeof out->sid, "%s", c.sid);
}

static void s_login(const char *email, const char *password, s_login_t *out)
{
    char body[512];
    envelope_reply_t rep;
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    s_call("auth.login", body, NULL, NULL, &rep);
    s_pair_into(&rep, out);
    envelope_reply_clear(&rep);
}

static void test_register(void **state)
{
    (void)state;
    envelope_reply_t rep;
    s_call("auth.register",
           "{\"email\":\"  Grace.Hopper@Example.COM \",\"password\":\"cobol-1959\","
           "\"display_name\":\"Grace\"}",
           NULL, NULL, &rep);
    assert_int_equal(rep.status, 201);
    assert_true(ids_is_uuid(s_data_str(&rep, "id")));
    assert_string_equal(s_data_str(&rep, "email"), "grace.hopper@example.com");
    assert_int_equal(json_object_size(rep.data), 2);
    assert_string_equal(rep.error_code, "");
    envelope_reply_clear(&rep);

    s_call("auth.register", "{\"email\":\"GRACE.hopper@example.com\",\"password\":\"another-one\"}",
           NULL, NULL, &rep);
    s_expect_error(&rep, 409, "email_taken");
    envelope_reply_clear(&rep);
}

static void test_register_invalid(void **state)
{
    (void)state;
    struct {
        const char *body;
        const char *field;
    } cases[] = {
        {NULL, "email"},
        {"{}", "email"},
        {"[1,2]", "email"},
        {"{\"email\":42,\"password\":\"long enough\"}", "email"},
        {"{\"email\":\"not-an-email\",\"password\":\"long enough\"}", "email"},
        {"{\"email\":\"a b@example.com\",\"password\":\"long enough\"}", "email"},
        {"{\"email\":\"x@example.com\"}", "password"},
        {"{\"email\":\"x@example.com\",\"password\":\"7-bytes\"}", "password"},
        {"{\"email\":\"x@example.com\",\"password\":12345678}", "password"},
        {"{\"email\":\"x@example.com\",\"password\":\"pass\\u0000word\"}", "password"},
        {"{\"email\":\"x@example.com\",\"password\":\"long enough\",\"display_name\":7}",
         "display_name"},
    };
    envelope_reply_t rep;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s_call("auth.register", cases[i].body, NULL, NULL, &rep);
        s_expect_field(&rep, cases[i].field);
        envelope_reply_clear(&rep);
    }
    char body[512], pw73[74], name101[102];
    memset(pw73, 'p', 73);
    pw73[73] = '\0';
    snprintf(body, sizeof body, "{\"email\":\"x@example.com\",\"password\":\"%s\"}", pw73);
    s_call("auth.register", body, NULL, NULL, &rep);
    s_expect_field(&rep, "password");
    envelope_reply_clear(&rep);
    memset(name101, 'n', 101);
    name101[101] = '\0';
    snprintf(body, sizeof body,
             "{\"email\":\"x@example.com\",\"password\":\"long enough\",\"display_name\":\"%s\"}",
             name101);
    s_call("auth.register", body, NULL, NULL, &rep);
    s_expect_field(&rep, "display_name");
    envelope_reply_clear(&rep);
    /* 72 bytes and a null display_name are fine */
    pw73[72] = '\0';
    snprintf(body, sizeof body,
             "{\"email\":\"x72@example.com\",\"password\":\"%s\",\"display_name\":null}", pw73);
    s_call("auth.register", body, NULL, NULL, &rep);
    assert_int_equal(rep.status, 201);
    envelope_reply_clear(&rep);
}

static void test_login_and_me(void **state)
{
    (void)state;
    char id[64];
    envelope_reply_t rep;
    s_call(
        "auth.register",
        "{\"email\":\"linus@example.com\",\"password\":\"penguins!\",\"display_name\":\"Linus\"}",
        NULL, NULL, &rep);
    snprintf(id, sizeof id, "%s", s_data_str(&rep, "id"));
    envelope_reply_clear(&rep);
    s_login_t l;
    s_login(" LINUS@example.com", "penguins!", &l);
    assert_string_equal(l.sub, id);

    s_call("me.get", NULL, l.sub, l.sid, &rep);
    assert_int_equal(rep.status, 200);
    char *text = json_dumps(rep.data, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(text);
    char want[1024];
    snprintf(want, sizeof want,
             "{\"email\":\"linus@example.com\",\"id\":\"%s\",\"is_verified\":false,"
             "\"preferences\":{\"language\":null,\"region\":null},"
             "\"profile\":{\"avatar_url\":null,\"bio\":null,\"display_name\":\"Linus\"},"
             "\"role\":\"user\",\"settings\":{\"notifications\":true,\"privacy\":\"private\"}}",
             id);
    json_t *copy = json_deep_copy(rep.data);
    const char *created = json_string_value(json_object_get(copy, "created_at"));
    assert_non_null(created);
    assert_int_equal(strlen(created), 20);
    assert_int_equal(created[10], 'T');
    assert_int_equal(created[19], 'Z');
    json_object_del(copy, "created_at");
    char *rest = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(rest, want);
    free(rest);
    free(text);
    json_decref(copy);
    envelope_reply_clear(&rep);
}

static void test_login_failures_are_uniform(void **state)
{
    (void)state;
    s_register("known@example.com", "right-password", NULL);
    envelope_reply_t rep;
    const char *bodies[] = {
        "{\"email\":\"known@example.com\",\"password\":\"wrong-password\"}",
        "{\"email\":\"unknown@example.com\",\"password\":\"right-password\"}",
        "{\"email\":\"not an email\",\"password\":\"right-password\"}",
        "{\"email\":\"known@example.com\",\"password\":\"\"}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        uint64_t before = password_verify_count(s_env.password);
        s_call("auth.login", bodies[i], NULL, NULL, &rep);
        s_expect_error(&rep, 401, "invalid_credentials");
        /* Every failure spends exactly one bcrypt verification, known email or not. */
        assert_int_equal(password_verify_count(s_env.password), before + 1);
        envelope_reply_clear(&rep);
    }
    s_call("auth.login", "{\"email\":\"known@example.com\"}", NULL, NULL, &rep);
    s_expect_field(&rep, "password");
    envelope_reply_clear(&rep);
}

static void test_refresh_rotation_and_reuse(void **state)
{
    (void)state;
    s_register("refresh@example.com", "refresh-me", NULL);
    s_login_t first, second;
    s_login("refresh@example.com", "refresh-me", &first);
    char body[256];
    envelope_reply_t rep;
    snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", first.refresh);
    s_call("auth.refresh", body, NULL, NULL, &rep);
    s_pair_into(&rep, &second);
    envelope_reply_clear(&rep);
    assert_string_equal(second.sid, first.sid);
    assert_string_equal(second.sub, first.sub);
    assert_string_not_equal(second.refresh, first.refresh);

    s_call("auth.refresh", body, NULL, NULL, &rep); /* the used one again */
    s_expect_error(&rep, 401, "invalid_token");
    envelope_reply_clear(&rep);
    s_call("me.get", NULL, first.sub, first.sid, &rep); /* the session is gone */
    s_expect_error(&rep, 401, "unauthorized");
    envelope_reply_clear(&rep);
    snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", second.refresh);
    s_call("auth.refresh", body, NULL, NULL, &rep);
    s_expect_error(&rep, 401, "invalid_token");
    envelope_reply_clear(&rep);

    s_call("auth.refresh", "{\"refresh_token\":\"garbage\"}", NULL, NULL, &rep);
    s_expect_error(&rep, 401, "invalid_token");
    envelope_reply_clear(&rep);
    s_call("auth.refresh", "{}", NULL, NULL, &rep);
    s_expect_field(&rep, "refresh_token");
    envelope_reply_clear(&rep);
}

static void test_logout(void **state)
{
    (void)state;
    s_register("bye@example.com", "see-you-later", NULL);
    s_login_t a, b;
    s_login("bye@example.com", "see-you-later", &a);
    s_login("bye@example.com", "see-you-later", &b);
    envelope_reply_t rep;
    s_call("auth.logout", NULL, NULL, NULL, &rep);
    s_expect_error(&rep, 401, "unauthorized");
    envelope_reply_clear(&rep);
    s_call("auth.logout", NULL, a.sub, a.sid, &rep);
    assert_int_equal(rep.status, 204);
    assert_null(rep.data);
    assert_string_equal(rep.error_code, "");
    envelope_reply_clear(&rep);
    s_call("me.get", NULL, a.sub, a.sid, &rep);
    s_expect_error(&rep, 401, "unauthorized");
    envelope_reply_clear(&rep);
    s_call("auth.logout", NULL, a.sub, a.sid, &rep); /* a revoked session cannot log out */
    s_expect_error(&rep, 401, "unauthorized");
    envelope_reply_clear(&rep);
    char body[256];
    snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", a.refresh);
    s_call("auth.refresh", body, NULL, NULL, &rep);
    s_expect_error(&rep, 401, "invalid_token");
    envelope_reply_clear(&rep);
    s_call("me.get", NULL, b.sub, b.sid, &rep); /* the other login lives on */
    assert_int_equal(rep.status, 200);
    envelope_reply_clear(&rep);
}

static void test_auth_required(void **state)
{
    (void)state;
    char id[64], other[64];
    s_register("owner@example.com", "owner-password", id);
    s_register("intruder@example.com", "intruder-password", other);
    s_login_t l;
    s_login("owner@example.com", "owner-password", &l);
    envelope_reply_t rep;
    s_call("me.get", NULL, NULL, NULL, &rep);
    s_expect_error(&rep, 401, "unauthorized");
    envelope_reply_clear(&rep);
    s_call("me.get", NULL, other, l.sid, &rep); /* someone else's session */
    s_expect_error(&rep, 401, "unauthorized");
    envelope_reply_clear(&rep);
    s_call("me.get", NULL, id, "22222222-2222-2222-2222-222222222222", &rep);
    s_expect_error(&rep, 401, "unauthorized");
    envelope_reply_clear(&rep);
    s_call("me.get", NULL, "not-a-uuid", "nor-this", &rep);
    s_expect_error(&rep, 401, "unauthorized");
    envelope_reply_clear(&rep);
}

static void test_unknown_and_test_ops(void **state)
{
    (void)state;
    envelope_reply_t rep;
    s_call("nosuch.op", NULL, NULL, NULL, &rep);
    s_expect_error(&rep, 404, "not_found");
    envelope_reply_clear(&rep);
    s_call("test.echo", NULL, NULL, NULL, &rep); /* BEDROCK_TEST_OPS off */
    s_expect_error(&rep, 404, "not_found");
    envelope_reply_clear(&rep);

    s_call_on(s_d_test, "test.echo", "{\"x\":[1,true]}", "33333333-3333-3333-3333-333333333333",
              "44444444-4444-4444-4444-444444444444", &rep);
    assert_int_equal(rep.status, 200);
    assert_string_equal(s_data_str(&rep, "op"), "test.echo");
    assert_true(json_integer_value(json_object_get(rep.data, "pid")) > 0);
    assert_true(json_is_null(json_object_get(rep.data, "args")));
    assert_true(json_is_array(json_object_get(json_object_get(rep.data, "body"), "x")));
    json_t *auth = json_object_get(rep.data, "auth");
    assert_string_equal(json_string_value(json_object_get(auth, "role")), "user");
    envelope_reply_clear(&rep);
}

static void s_sleep_call(const char *args_json, envelope_reply_t *rep)
{
    envelope_request_t req;
    envelope_request_init(&req);
    assert_int_equal(envelope_id_generate(req.id), 0);
    snprintf(req.op, sizeof req.op, "test.sleep");
    req.args = json_loads(args_json, 0, NULL);
    envelope_reply_init(rep);
    dispatch_run(s_d_test, &req, rep);
    envelope_request_clear(&req);
}

static void test_sleep_op(void **state)
{
    (void)state;
    envelope_reply_t rep;
    s_sleep_call("{\"ms\":20}", &rep);
    assert_int_equal(rep.status, 200);
    assert_int_equal(json_integer_value(json_object_get(rep.data, "slept_ms")), 20);
    envelope_reply_clear(&rep);
    s_sleep_call("{\"ms\":\"5\"}", &rep);
    assert_int_equal(rep.status, 200);
    envelope_reply_clear(&rep);
    s_sleep_call("{\"ms\":-1}", &rep);
    s_expect_field(&rep, "ms");
    envelope_reply_clear(&rep);
    s_sleep_call("{\"ms\":\"soon\"}", &rep);
    s_expect_field(&rep, "ms");
    envelope_reply_clear(&rep);
}

/* PostgreSQL down: 503 db_unavailable with retry-after "1", for plain and
 * auth-required ops alike, and quickly. */
static void test_database_down(void **state)
{
    (void)state;
    settings_t cfg = s_cfg;
    handler_env_t env = s_env;
    env.cfg = &cfg;
    env.primary = it_db_open(&cfg, "postgresql://bedrock@127.0.0.1:1/none", "primary");
    char err[256];
    dispatch_t *d = dispatch_new(&env, NULL, err, sizeof err);
    assert_non_null(d);
    const char *ops[][2] = {
        {"auth.register", "{\"email\":\"down@example.com\",\"password\":\"long enough\"}"},
        {"auth.login", "{\"email\":\"down@example.com\",\"password\":\"long enough\"}"},
        {"auth.refresh", "{\"refresh_token\":\"whatever\"}"},
        {"me.get", NULL},
        {"auth.logout", NULL},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        envelope_reply_t rep;
        s_call_on(d, ops[i][0], ops[i][1], "55555555-5555-5555-5555-555555555555",
                  "66666666-6666-6666-6666-666666666666", &rep);
        s_expect_error(&rep, 503, "db_unavailable");
        assert_string_equal(json_string_value(json_object_get(rep.headers, "retry-after")), "1");
        envelope_reply_clear(&rep);
    }
    dispatch_destroy(&d);
    db_destroy(&env.primary);
}

static void test_worker_ops_setting(void **state)
{
    (void)state;
    char err[256];
    dispatch_t *d = dispatch_new(&s_env, "auth.,me.get", err, sizeof err);
    assert_non_null(d);
    char *text = json_dumps(dispatch_announced(d), JSON_COMPACT);
    assert_string_equal(text, "[\"auth.\",\"me.get\"]");
    free(text);
    assert_true(dispatch_serves(d, "auth.login"));
    assert_true(dispatch_serves(d, "me.get"));
    assert_false(dispatch_serves(d, "test.echo"));
    dispatch_destroy(&d);

    d = dispatch_new(&s_env, "auth.login", err, sizeof err);
    assert_true(dispatch_serves(d, "auth.login"));
    assert_false(dispatch_serves(d, "auth.register"));
    envelope_reply_t rep;
    s_call_on(d, "auth.register", "{}", NULL, NULL, &rep);
    s_expect_error(&rep, 404, "not_found");
    envelope_reply_clear(&rep);
    dispatch_destroy(&d);

    assert_null(dispatch_new(&s_env, "nosuch.", err, sizeof err));
    assert_non_null(strstr(err, "nosuch."));
    assert_null(dispatch_new(&s_env, "test.echo", err, sizeof err)); /* test ops off */
    d = dispatch_new(&s_env_test, "test.", err, sizeof err);
    assert_true(dispatch_serves(d, "test.sleep_write"));
    dispatch_destroy(&d);
    d = dispatch_new(&s_env_test, NULL, err, sizeof err);
    text = json_dumps(dispatch_announced(d), JSON_COMPACT);
    assert_non_null(strstr(text, "\"test.sleep_write\""));
    free(text);
    dispatch_destroy(&d);
}

/* Read-only ops use DATABASE_REPLICA_URL when it is up and fall back to the primary
 * when it is not; writes never go to it. */
static void test_replica_and_fallback(void **state)
{
    (void)state;
    s_register("replica@example.com", "replica-pass", NULL);
    s_login_t l;
    s_login("replica@example.com", "replica-pass", &l);
    const char *urls[] = {s_scratch.url, "postgresql://bedrock@127.0.0.1:1/replica"};
    for (int i = 0; i < 2; i++) {
        handler_env_t env = s_env;
        env.replica = it_db_open(&s_cfg, urls[i], "replica");
        char err[256];
        dispatch_t *d = dispatch_new(&env, NULL, err, sizeof err);
        envelope_reply_t rep;
        s_call_on(d, "me.get", NULL, l.sub, l.sid, &rep);
        assert_int_equal(rep.status, 200);
        assert_string_equal(s_data_str(&rep, "email"), "replica@example.com");
        envelope_reply_clear(&rep);
        assert_int_equal(db_is_up(env.replica), i == 0);
        uint64_t replica_connects = db_connect_count(env.replica);
        s_call_on(d, "auth.register", "{\"email\":\"r2@example.com\",\"password\":\"12345678\"}",
                  NULL, NULL, &rep);
        assert_true(rep.status == 201 || rep.status == 409);
        envelope_reply_clear(&rep);
        assert_int_equal(db_connect_count(env.replica), replica_connects);
        dispatch_destroy(&d);
        db_destroy(&env.replica);
    }
}

typedef struct {
    int status;
    char code[64];
} s_racer_t;

static void *s_racer(void *arg)
{
    s_racer_t *r = arg;
    handler_env_t env = s_env;
    env.primary = it_db_open(&s_cfg, s_scratch.url, "racer");
    env.password = password_new(4);
    char err[256];
    dispatch_t *d = dispatch_new(&env, NULL, err, sizeof err);
    envelope_request_t req;
    envelope_request_init(&req);
    r->status = 0;
    if (env.primary && env.password && d && envelope_id_generate(req.id) == 0) {
        snprintf(req.op, sizeof req.op, "auth.register");
        req.body = json_pack("{s:s, s:s}", "email", "race@example.com", "password", "same-time!");
        envelope_reply_t rep;
        envelope_reply_init(&rep);
        dispatch_run(d, &req, &rep);
        r->status = rep.status;
        snprintf(r->code, sizeof r->code, "%s", rep.error_code);
        envelope_reply_clear(&rep);
    }
    envelope_request_clear(&req);
    dispatch_destroy(&d);
    password_destroy(&env.password);
    db_destroy(&env.primary);
    return NULL;
}

/* 20 registrations of one email at once: exactly one 201, the others 409 email_taken. */
static void test_register_race(void **state)
{
    (void)state;
    s_racer_t racers[S_RACERS];
    pthread_t threads[S_RACERS];
    for (int i = 0; i < S_RACERS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, s_racer, &racers[i]), 0);
    int created = 0, taken = 0;
    for (int i = 0; i < S_RACERS; i++) {
        pthread_join(threads[i], NULL);
        created += racers[i].status == 201;
        taken += racers[i].status == 409 && strcmp(racers[i].code, "email_taken") == 0;
    }
    assert_int_equal(created, 1);
    assert_int_equal(taken, S_RACERS - 1);
    assert_int_equal(
        it_query_long(s_scratch.url, "SELECT count(*) FROM users WHERE email = 'race@example.com'"),
        1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register),
        cmocka_unit_test(test_register_invalid),
        cmocka_unit_test(test_login_and_me),
        cmocka_unit_test(test_login_failures_are_uniform),
        cmocka_unit_test(test_refresh_rotation_and_reuse),
        cmocka_unit_test(test_logout),
        cmocka_unit_test(test_auth_required),
        cmocka_unit_test(test_unknown_and_test_ops),
        cmocka_unit_test(test_sleep_op),
        cmocka_unit_test(test_database_down),
        cmocka_unit_test(test_worker_ops_setting),
        cmocka_unit_test(test_replica_and_fallback),
        cmocka_unit_test(test_register_race),
    };
    it_require_env("DATABASE_URL");
    it_require_env("REDIS_URL");
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
