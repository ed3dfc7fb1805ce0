/* e2e_degraded — a cluster whose dependencies are gone:
 * - PostgreSQL unreachable (DATABASE_URL at a closed port): the worker still starts and
 *   registers, login/register/me answer 503 db_unavailable with Retry-After quickly
 *   (no hang, no crash), /healthz stays 200;
 * - Redis unreachable (REDIS_URL at a closed port): the whole auth flow still works;
 * - no worker at all: /readyz 503 not_ready {broker:"up", workers:0}, and a request gets
 *   503 no_worker at once (not a timeout).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "cluster.h"
#include "fixture.h"
#include "http.h"
#include "proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "Quickly": well under the frontend's 10 s request timeout. */
#define DEGRADED_ANSWER_MS 3000
#define REDIS_DOWN_ANSWER_MS 2000

static cluster_t *s_cluster;
static const char *s_base;

static void s_expect_fast(const http_response_t *r, double limit_ms)
{
    expect_that(r, r->elapsed_ms < limit_ms, "answered in %.0f ms, the limit is %.0f ms",
                r->elapsed_ms, limit_ms);
}

static void test_database_gone(void **state)
{
    (void)state;
    char email[160];
    fixture_unique_email(email, sizeof email, "nodb");
    http_response_t *r = fixture_login(s_base, email, FIXTURE_PASSWORD);
    expect_error(r, 503, "db_unavailable");
    s_expect_fast(r, DEGRADED_ANSWER_MS);
    http_response_free(&r);

    r = fixture_register(s_base, email, FIXTURE_PASSWORD);
    expect_error(r, 503, "db_unavailable");
    s_expect_fast(r, DEGRADED_ANSWER_MS);
    http_response_free(&r);

    /* An auth-required op needs the session table: also 503, not 401 and not a hang. */
    char sub[37], sid[37];
    fixture_uuid(sub);
    fixture_uuid(sid);
    long long now = (long long)time(NULL);
    char *jwt = fixture_token(cluster_secret(s_cluster), sub, "user", sid, now, now + 900);
    r = http_get(s_base, "/v1/me", jwt);
    expect_error(r, 503, "db_unavailable");
    s_expect_fast(r, DEGRADED_ANSWER_MS);
    http_response_free(&r);
    free(jwt);

    /* Again, to see the worker did not die or wedge on the first failure. */
    r = fixture_login(s_base, email, FIXTURE_PASSWORD);
    expect_error(r, 503, "db_unavailable");
    s_expect_fast(r, DEGRADED_ANSWER_MS);
    http_response_free(&r);

    r = http_get(s_base, "/healthz", NULL);
    expect_status(r, 200);
    http_response_free(&r);
    assert_true(cluster_all_alive(s_cluster));
    check_test_passed();
}

static void test_redis_gone(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "noredis");
    http_response_t *r = http_get(s_base, "/v1/me", u.access);
    expect_status(r, 200);
    s_expect_fast(r, REDIS_DOWN_ANSWER_MS);
    http_response_free(&r);

    json_t *o = json_pack("{s:s}", "refresh_token", u.refresh);
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    r = http_post(s_base, "/v1/auth/refresh", NULL, body);
    free(body);
    expect_status(r, 200);
    s_expect_fast(r, REDIS_DOWN_ANSWER_MS);
    const char *access = json_string_value(json_object_get(r->json, "access_token"));
    expect_that(r, access != NULL, "a new access token");
    snprintf(u.access, sizeof u.access, "%s", access);
    http_response_free(&r);

    r = http_post(s_base, "/v1/auth/logout", u.access, NULL);
    expect_status(r, 204);
    s_expect_fast(r, REDIS_DOWN_ANSWER_MS);
    http_response_free(&r);
    r = http_get(s_base, "/v1/me", u.access);
    expect_error(r, 401, "unauthorized");
    http_response_free(&r);

    r = fixture_login(s_base, u.email, "wrong password");
    expect_error(r, 401, "invalid_credentials");
    http_response_free(&r);
    assert_true(cluster_all_alive(s_cluster));
    check_test_passed();
}

static void test_no_workers(void **state)
{
    (void)state;
    /* The broker and frontend are up; no worker has registered. */
    http_response_t *r = http_get(s_base, "/readyz", NULL);
    expect_error(r, 503, "not_ready");
    json_t *details = json_object_get(json_object_get(r->json, "error"), "details");
    const char *broker = json_string_value(json_object_get(details, "broker"));
    json_t *workers = json_object_get(details, "workers");
    expect_that(r, broker && strcmp(broker, "up") == 0, "details.broker must be \"up\"");
    expect_that(r, json_is_integer(workers) && json_integer_value(workers) == 0,
                "details.workers must be 0");
    http_response_free(&r);

    char email[160];
    fixture_unique_email(email, sizeof email, "noworker");
    r = fixture_login(s_base, email, FIXTURE_PASSWORD);
    expect_error(r, 503, "no_worker");
    s_expect_fast(r, DEGRADED_ANSWER_MS);
    http_response_free(&r);

    r = http_get(s_base, "/healthz", NULL);
    expect_status(r, 200);
    http_response_free(&r);
    check_test_passed();
}

static int s_start_n(int n_workers, const char *database_url, const char *redis_url)
{
    cluster_options_t opt = {.n_workers = n_workers,
                             .database_url = database_url,
                             .redis_url = redis_url,
                             .no_wait_ready = n_workers == 0};
    s_cluster = cluster_start_opts(&opt);
    if (!s_cluster)
        return -1;
    s_base = cluster_base_url(s_cluster);
    check_test_begin(s_cluster);
    return 0;
}

static int s_start(const char *database_url, const char *redis_url)
{
    return s_start_n(1, database_url, redis_url);
}

static int s_setup_no_workers(void **state)
{
    (void)state;
    if (s_start_n(0, NULL, NULL) < 0)
        return -1;
    /* Wait for the frontend to listen: /healthz answers. */
    for (int i = 0; i < 100; i++) {
        http_response_t *r = http_get(s_base, "/healthz", NULL);
        long status = r->status;
        http_response_free(&r);
        if (status == 200)
            return 0;
        proc_sleep_ms(50);
    }
    return -1;
}

static int s_setup_database_gone(void **state)
{
    (void)state;
    char url[128];
    /* A port that was free a moment ago: nothing listens there. */
    snprintf(url, sizeof url, "postgresql://bedrock@127.0.0.1:%d/bedrock", cluster_free_port());
    return s_start(url, NULL);
}

static int s_setup_redis_gone(void **state)
{
    (void)state;
    char url[128];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", cluster_free_port());
    return s_start(NULL, url);
}

static int s_teardown(void **state)
{
    (void)state;
    check_test_end();
    return cluster_stop(&s_cluster) == 0 ? 0 : -1;
}

int main(void)
{
    check_require_services();
    proc_watchdog(55);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_database_gone, s_setup_database_gone, s_teardown),
        cmocka_unit_test_setup_teardown(test_redis_gone, s_setup_redis_gone, s_teardown),
        cmocka_unit_test_setup_teardown(test_no_workers, s_setup_no_workers, s_teardown),
    };
    return cmocka_run_group_tests_name("e2e_degraded", tests, NULL, NULL);
}
