/* Config parsing: what is accepted and what stops a process at start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_int(void **state)
{
    (void)state;
    long n = 0;
    assert_int_equal(config_parse_int("10", 4, 31, &n), 0);
    assert_int_equal(n, 10);
    assert_int_equal(config_parse_int("3", 4, 31, &n), -1);
    assert_int_equal(config_parse_int("32", 4, 31, &n), -1);
    assert_int_equal(config_parse_int("10x", 4, 31, &n), -1);
    assert_int_equal(config_parse_int("", 4, 31, &n), -1);
    assert_int_equal(config_parse_int(NULL, 4, 31, &n), -1);
    assert_int_equal(config_parse_int("99999999999999999999999", 0, 100, &n), -1);
}

static void test_database_url(void **state)
{
    (void)state;
    assert_int_equal(config_parse_database_url("postgresql://u:p@127.0.0.1:5432/db"), 0);
    assert_int_equal(config_parse_database_url("postgres://localhost/db"), 0);
    assert_int_equal(config_parse_database_url("mysql://localhost/db"), -1);
    assert_int_equal(config_parse_database_url("postgresql://"), -1);
    assert_int_equal(config_parse_database_url("host=localhost dbname=x"), -1);
    assert_int_equal(config_parse_database_url(NULL), -1);
}

static void test_redis_url(void **state)
{
    (void)state;
    char host[64];
    int port = 0, db = -1;
    assert_int_equal(config_parse_redis_url("redis://127.0.0.1:6380/2", host, sizeof host, &port, &db), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 6380);
    assert_int_equal(db, 2);
    assert_int_equal(config_parse_redis_url("redis://cache", host, sizeof host, &port, &db), 0);
    assert_string_equal(host, "cache");
    assert_int_equal(port, 6379);
    assert_int_equal(db, 0);
    assert_int_equal(config_parse_redis_url("redis://:secret@h:1/0", host, sizeof host, &port, &db), 0);
    assert_string_equal(host, "h");
    assert_int_equal(config_parse_redis_url("redis://h:0", host, sizeof host, &port, &db), -1);
    assert_int_equal(config_parse_redis_url("redis://h:70000", host, sizeof host, &port, &db), -1);
    assert_int_equal(config_parse_redis_url("redis://h:12/x", host, sizeof host, &port, &db), -1);
    assert_int_equal(config_parse_redis_url("http://h", host, sizeof host, &port, &db), -1);
    assert_int_equal(config_parse_redis_url("redis://", host, sizeof host, &port, &db), -1);
}

static void test_endpoint_and_addr(void **state)
{
    (void)state;
    assert_int_equal(config_parse_endpoint("tcp://127.0.0.1:5555"), 0);
    assert_int_equal(config_parse_endpoint("tcp://*:5555"), 0);
    assert_int_equal(config_parse_endpoint("ipc:///tmp/broker.sock"), 0);
    assert_int_equal(config_parse_endpoint("tcp://127.0.0.1"), -1);
    assert_int_equal(config_parse_endpoint("tcp://127.0.0.1:99999"), -1);
    assert_int_equal(config_parse_endpoint("udp://127.0.0.1:1"), -1);
    assert_int_equal(config_parse_endpoint("ipc://"), -1);
    assert_int_equal(config_parse_http_addr("127.0.0.1:8080"), 0);
    assert_int_equal(config_parse_http_addr("8080"), -1);
    assert_int_equal(config_parse_http_addr("127.0.0.1:http"), -1);
    assert_int_equal(config_parse_http_url("https://api.deezer.com"), 0);
    assert_int_equal(config_parse_http_url("http://127.0.0.1:9000/base"), 0);
    assert_int_equal(config_parse_http_url("ftp://x"), -1);
    assert_int_equal(config_parse_http_url("http://"), -1);
}

/* The exiting getters: run them in a child and look at its exit status. */
static int s_exit_status_of(void (*fn)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(99);
        fn();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void s_get_bad_int(void)
{
    setenv("BEDROCK_TEST_INT", "abc", 1);
    (void)config_get_int("BEDROCK_TEST_INT", 1, 0, 10);
}

static void s_get_missing_db(void)
{
    unsetenv("DATABASE_URL");
    (void)config_get_database_url("DATABASE_URL", true);
}

static void s_get_short_secret(void)
{
    setenv("BEDROCK_JWT_SECRET", "short", 1);
    (void)config_get_secret("BEDROCK_JWT_SECRET", NULL, 32);
}

static void s_get_good_values(void)
{
    setenv("BEDROCK_TEST_INT", "7", 1);
    if (config_get_int("BEDROCK_TEST_INT", 1, 0, 10) != 7)
        _exit(1);
    unsetenv("BEDROCK_TEST_INT");
    if (config_get_int("BEDROCK_TEST_INT", 3, 0, 10) != 3)
        _exit(1);
}

static void test_getters_exit_2(void **state)
{
    (void)state;
    assert_int_equal(s_exit_status_of(s_get_bad_int), CONFIG_EXIT_CODE);
    assert_int_equal(s_exit_status_of(s_get_missing_db), CONFIG_EXIT_CODE);
    assert_int_equal(s_exit_status_of(s_get_short_secret), CONFIG_EXIT_CODE);
    assert_int_equal(s_exit_status_of(s_get_good_values), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_database_url),
        cmocka_unit_test(test_redis_url),
        cmocka_unit_test(test_endpoint_and_addr),
        cmocka_unit_test(test_getters_exit_2),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
