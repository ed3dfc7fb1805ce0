/* e2e_login_timing — a failed login takes about as long whether the email exists or
 * not (no user enumeration by timing): the median time of "unknown email" must be at
 * least half the median of "wrong password".
 *
 * This cluster runs BEDROCK_BCRYPT_COST=8 (about 15-20 ms a hash) whatever the
 * environment says: at the CI's cost 4 a hash takes ~1 ms, below the noise of an
 * HTTP round trip, and an instant "unknown email" answer could not be told apart.
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

#define TRIES 7
#define TIMING_COST "8"

static cluster_t *s_cluster;
static const char *s_base;

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double s_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, s_cmp);
    return v[n / 2];
}

static double s_timed_login(const char *email, const char *password)
{
    http_response_t *r = fixture_login(s_base, email, password);
    expect_error(r, 401, "invalid_credentials");
    double ms = r->elapsed_ms;
    http_response_free(&r);
    return ms;
}

static void test_login_failure_timing_does_not_reveal_accounts(void **state)
{
    (void)state;
    fixture_user_t u;
    char unknown[160];
    fixture_new_user(s_base, &u, "timing");
    /* Warm both paths once (connections, prepared statements). */
    s_timed_login(u.email, "wrong password");
    fixture_unique_email(unknown, sizeof unknown, "timing-nobody");
    s_timed_login(unknown, "wrong password");

    double wrong[TRIES], missing[TRIES];
    for (int i = 0; i < TRIES; i++) {
        wrong[i] = s_timed_login(u.email, "wrong password");
        fixture_unique_email(unknown, sizeof unknown, "timing-nobody");
        missing[i] = s_timed_login(unknown, "wrong password");
    }
    double m_wrong = s_median(wrong, TRIES), m_missing = s_median(missing, TRIES);
    fprintf(stderr, "login failure medians: wrong password %.2f ms, unknown email %.2f ms\n",
            m_wrong, m_missing);
    if (m_missing < 0.5 * m_wrong)
        fail_msg("unknown email answers in %.2f ms, wrong password in %.2f ms: the unknown "
                 "email path must also spend a hash (>= 50%%)",
                 m_missing, m_wrong);
    check_test_passed();
}

static int s_group_setup(void **state)
{
    (void)state;
    static const char *const worker_env[] = {"BEDROCK_BCRYPT_COST=" TIMING_COST, NULL};
    cluster_options_t opt = {.n_workers = 1, .worker_env = worker_env};
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

int main(void)
{
    check_require_services();
    proc_watchdog(55);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_login_failure_timing_does_not_reveal_accounts, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests_name("e2e_login_timing", tests, s_group_setup, s_group_teardown);
}
