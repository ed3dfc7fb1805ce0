/* test_broker_config — bedrock-broker refuses a bad environment at start: exit 2 with
 * exactly one stderr line naming the variable (owned by the broker area). */
#include "broker_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
#include <cmocka.h>

static void s_expect_refused(const char *setting, const char *name)
{
    const char *env[] = {setting, "BEDROCK_BROKER_CLIENTS_UNUSED=1", NULL};
    char err[4096];
    int rc = bt_broker_run_capture(env, err, sizeof err);
    if (rc != 2 || !strstr(err, name))
        fprintf(stderr, "%s -> exit %d, stderr: %s\n", setting, rc, err);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(err, name));
    /* One line: the only newline is the last character. */
    char *nl = strchr(err, '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1], '\0');
}

static void test_bad_queue_max(void **state)
{
    (void)state;
    s_expect_refused("BEDROCK_BROKER_QUEUE_MAX=abc", "BEDROCK_BROKER_QUEUE_MAX");
    s_expect_refused("BEDROCK_BROKER_QUEUE_MAX=-1", "BEDROCK_BROKER_QUEUE_MAX");
    s_expect_refused("BEDROCK_BROKER_QUEUE_MAX=12x", "BEDROCK_BROKER_QUEUE_MAX");
}

static void test_bad_endpoints(void **state)
{
    (void)state;
    s_expect_refused("BEDROCK_BROKER_CLIENTS=bogus", "BEDROCK_BROKER_CLIENTS");
    s_expect_refused("BEDROCK_BROKER_CLIENTS=tcp://127.0.0.1:99999", "BEDROCK_BROKER_CLIENTS");
    s_expect_refused("BEDROCK_BROKER_WORKERS=http://127.0.0.1:5556", "BEDROCK_BROKER_WORKERS");
}

static void test_bad_heartbeat(void **state)
{
    (void)state;
    s_expect_refused("BEDROCK_HEARTBEAT_MS=0", "BEDROCK_HEARTBEAT_MS");
    s_expect_refused("BEDROCK_HEARTBEAT_LIVENESS=none", "BEDROCK_HEARTBEAT_LIVENESS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_queue_max),
        cmocka_unit_test(test_bad_endpoints),
        cmocka_unit_test(test_bad_heartbeat),
    };
    return cmocka_run_group_tests_name("broker_config", tests, NULL, NULL);
}
