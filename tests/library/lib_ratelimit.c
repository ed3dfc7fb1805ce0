/* lib_ratelimit — the rate limits over HTTP: the per-user request limit (429 +
 * Retry-After, shared by the workers, surviving a restart of every worker), failed
 * logins per email and per client IP, registrations per IP, the login limit still
 * holding with Redis down (inside the worker), and a malformed setting stopping the
 * worker (exit 2).
 *
 * The main cluster gets a rate-key prefix of its own (BEDROCK_RATE_KEY_PREFIX), so its
 * counters never meet another program's in the shared Redis, and no exempt IPs, so
 * that 127.0.0.1 is limited like any client. The order of the tests matters: the
 * login test ends with 127.0.0.1 blocked from logging in, the registration test with
 * it blocked from registering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "lib_support.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define USER_LIMIT 20
#define LOGIN_EMAIL_LIMIT 3
#define LOGIN_IP_LIMIT 6
#define REGISTER_LIMIT 8
#define WINDOW_S 3600

static cluster_t *s_cluster;
static const char *s_base;
static int s_registered; /* registrations made on s_cluster so far */

static void s_new_user(fixture_user_t *u, const char *tag)
{
    fixture_new_user(s_base, u, tag);
    s_registered++;
}

/* A 429 rate_limited with Retry-After in 1..window. */
static void s_expect_limited(http_response_t *r)
{
    expect_error(r, 429, "rate_limited");
    const char *ra = http_header(r, "Retry-After");
    long s = ra ? strtol(ra, NULL, 10) : 0;
    expect_that(r, s >= 1 && s <= WINDOW_S, "Retry-After must be 1..%d seconds, is %s", WINDOW_S,
                ra ? ra : "(missing)");
}

static void test_user_limit_survives_restart(void **state)
{
    (void)state;
    fixture_user_t u, v;
    s_new_user(&u, "rluser");
    s_new_user(&v, "rluser2");
    int ok = 0;
    http_response_t *r = NULL;
    for (int i = 0; i < USER_LIMIT + 5; i++) {
        http_response_free(&r);
        r = http_get(s_base, "/v1/me", u.access);
        if (r->status != 200)
            break;
        ok++;
    }
    /* Two workers, one counter: exactly the limit went through. */
    assert_int_equal(ok, USER_LIMIT);
    s_expect_limited(r);
    http_response_free(&r);
    r = http_get(s_base, "/v1/me", v.access); /* per user */
    expect_status(r, 200);
    http_response_free(&r);

    /* Every worker dies (and the broker notices) before new ones start. */
    for (int i = 0; i < cluster_n_workers(s_cluster); i++)
        assert_int_equal(cluster_kill_worker(s_cluster, i, SIGKILL) < 0, 0);
    assert_int_equal(cluster_wait_workers_live(s_cluster, 0, 15000), 0);
    for (int i = 0; i < cluster_n_workers(s_cluster); i++)
        assert_int_equal(cluster_restart_worker(s_cluster, i), 0);
    assert_int_equal(cluster_wait_workers_live(s_cluster, cluster_n_workers(s_cluster), 15000), 0);
    r = http_get(s_base, "/v1/me", u.access);
    s_expect_limited(r); /* the counter is in Redis, not in the workers */
    http_response_free(&r);
    check_test_passed();
}

static http_response_t *s_login(const char *email, const char *password)
{
    return fixture_login(s_base, email, password);
}

static void test_login_limits(void **state)
{
    (void)state;
    fixture_user_t a, b, c;
    s_new_user(&a, "rllogin");
    s_new_user(&b, "rllogin2");
    s_new_user(&c, "rllogin3");
    /* Per email: LOGIN_EMAIL_LIMIT failures, then even the right password waits. */
    for (int i = 0; i < LOGIN_EMAIL_LIMIT; i++) {
        http_response_t *r = s_login(a.email, "wrong password");
        expect_error(r, 401, "invalid_credentials");
        http_response_free(&r);
    }
    http_response_t *r = s_login(a.email, a.password);
    s_expect_limited(r);
    http_response_free(&r);
    /* The same email in another case or with spaces is the same account. */
    char upper[200];
    snprintf(upper, sizeof upper, "  %s ", a.email);
    upper[2] = (char)(upper[2] - 32);
    r = s_login(upper, a.password);
    s_expect_limited(r);
    http_response_free(&r);
    r = s_login(b.email, b.password); /* another email from the same IP: still fine */
    expect_status(r, 200);
    http_response_free(&r);

    /* Per IP: failures on emails that each stay under their own limit. */
    for (int i = LOGIN_EMAIL_LIMIT; i < LOGIN_IP_LIMIT; i++) {
        char email[160];
        fixture_unique_email(email, sizeof email, "rlnobody");
        r = s_login(email, "whatever it is");
        expect_error(r, 401, "invalid_credentials");
        http_response_free(&r);
    }
    r = s_login(c.email, c.password);
    s_expect_limited(r);
    http_response_free(&r);
    /* Refused logins are not audited (an attack must not fill the table); failures are. */
    assert_int_equal(lt_audit_count(a.id, "auth.login.failed"), LOGIN_EMAIL_LIMIT);
    check_test_passed();
}

static void test_register_limit(void **state)
{
    (void)state;
    http_response_t *r = NULL;
    int attempts = 0;
    for (; attempts < REGISTER_LIMIT + 2; attempts++) {
        char email[160];
        fixture_unique_email(email, sizeof email, "rlreg");
        http_response_free(&r);
        r = fixture_register(s_base, email, FIXTURE_PASSWORD);
        if (r->status != 201)
            break;
        s_registered++;
    }
    assert_int_equal(s_registered, REGISTER_LIMIT);
    s_expect_limited(r);
    http_response_free(&r);
    check_test_passed();
}

/* Redis unreachable: the worker's own table keeps the login limit (one worker, so the
 * limit is exact); the per-user limit is skipped. */
static void test_login_limit_without_redis(void **state)
{
    (void)state;
    static const char *const env[] = {"BEDROCK_RATE_LOGIN=3/3600", "BEDROCK_RATE_USER=5/3600",
                                      NULL};
    cluster_options_t opt = {
        .n_workers = 1, .redis_url = "redis://127.0.0.1:1/0", .worker_env = env};
    cluster_t *c = cluster_start_opts(&opt);
    assert_non_null(c);
    const char *base = cluster_base_url(c);
    fixture_user_t u;
    fixture_new_user(base, &u, "rlnoredis");
    for (int i = 0; i < 3; i++) {
        http_response_t *r = fixture_login(base, u.email, "wrong password");
        expect_error(r, 401, "invalid_credentials");
        http_response_free(&r);
    }
    http_response_t *r = fixture_login(base, u.email, u.password);
    s_expect_limited(r);
    http_response_free(&r);
    for (int i = 0; i < 10; i++) {
        r = http_get(base, "/v1/me", u.access);
        expect_status(r, 200);
        http_response_free(&r);
    }
    assert_int_equal(cluster_stop(&c), 0);
    check_test_passed();
}

static void test_malformed_setting_exits_2(void **state)
{
    (void)state;
    const char *bad[] = {"BEDROCK_RATE_LOGIN=10",
                         "BEDROCK_RATE_USER=ten/60",
                         "BEDROCK_RATE_REGISTER=5/0",
                         "BEDROCK_RATE_LOGIN=1/60,x",
                         "BEDROCK_RATE_EXEMPT_IPS=not an ip",
                         NULL};
    for (int i = 0; bad[i]; i++) {
        char var[64];
        snprintf(var, sizeof var, "%.*s", (int)(strchr(bad[i], '=') - bad[i]), bad[i]);
        const char *sets[] = {"DATABASE_URL=postgresql://nobody@127.0.0.1:1/none",
                              "BEDROCK_JWT_SECRET=0123456789abcdef0123456789abcdef0123", bad[i],
                              NULL};
        proc_result_t res;
        assert_int_equal(proc_run(cluster_binary(CLUSTER_WORKER), sets, 10000, &res), 0);
        if (!res.exited || res.exit_code != 2 || !strstr(res.err ? res.err : "", var))
            fail_msg("%s: expected exit 2 naming %s, got exit %d: %s", bad[i], var, res.exit_code,
                     res.err ? res.err : "");
        proc_result_clear(&res);
    }
    check_test_passed();
}

static int s_setup(void **state)
{
    (void)state;
    check_test_begin(s_cluster);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    return check_test_end();
}

static int s_group_setup(void **state)
{
    (void)state;
    static char prefix[96];
    uint32_t rnd = 0;
    if (getrandom(&rnd, sizeof rnd, 0) != sizeof rnd)
        rnd = (uint32_t)getpid();
    snprintf(prefix, sizeof prefix, "BEDROCK_RATE_KEY_PREFIX=lt-rl-%d-%08x:", (int)getpid(), rnd);
    static const char *env[] = {prefix,
                                "BEDROCK_RATE_EXEMPT_IPS=none",
                                "BEDROCK_RATE_LOGIN=3/3600,6/3600",
                                "BEDROCK_RATE_REGISTER=8/3600",
                                "BEDROCK_RATE_USER=20/3600",
                                NULL};
    cluster_options_t opt = {.n_workers = 2, .worker_env = env};
    s_cluster = cluster_start_opts(&opt);
    if (!s_cluster)
        return -1;
    s_base = cluster_base_url(s_cluster);
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    return cluster_stop(&s_cluster) == 0 ? 0 : -1;
}

int main(void)
{
    check_require_services();
    proc_watchdog(85);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_user_limit_survives_restart, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_login_limits, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_register_limit, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_login_limit_without_redis, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_setting_exits_2, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("lib_ratelimit", tests, s_group_setup, s_group_teardown);
}
