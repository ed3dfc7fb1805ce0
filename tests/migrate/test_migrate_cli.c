/* Command-line tests that need no database: usage errors, configuration errors (exit 2
 * with one line naming the variable), an unreachable database and a refused directory
 * (exit 1 with a clear line). They run the real bedrock-migrate binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mtest.h"

/* Nothing listens on port 1: connecting fails at once with "connection refused". */
#define UNREACHABLE_URL "postgresql://bedrock@127.0.0.1:1/bedrock_migrate_none"

static void s_expect(const mtest_result_t *r, int exit_code, const char *needle)
{
    if (r->exit_code != exit_code || (needle && !strstr(r->err, needle)))
        fail_msg("expected exit %d and stderr with \"%s\"; got exit %d\nstdout:\n%s\nstderr:\n%s",
                 exit_code, needle ? needle : "", r->exit_code, r->out, r->err);
}

static void test_usage_errors(void **state)
{
    (void)state;
    static const char *const bad[][3] = {
        {NULL},
        {"bogus", NULL},
        {"down", "0", NULL},
        {"down", "x", NULL},
        {"down", "-1", NULL},
        {"down", "2x", NULL},
        {"up", "1", NULL},
        {"status", "x", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mtest_result_t r;
        mtest_proc_t proc;
        assert_int_equal(mtest_start(&proc, UNREACHABLE_URL, NULL, bad[i]), 0);
        assert_int_equal(mtest_wait(&proc, &r), 0);
        s_expect(&r, 2, "usage: bedrock-migrate up | down [N] | status | redo");
        mtest_result_free(&r);
    }
    mtest_result_t r;
    assert_int_equal(mtest_run(&r, UNREACHABLE_URL, NULL, "--help", NULL), 0);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "usage: bedrock-migrate"));
    mtest_result_free(&r);
}

/* stderr must be exactly one line, naming the variable. */
static void s_expect_config_error(const char *url, const char *dir, const char *variable)
{
    mtest_result_t r;
    assert_int_equal(mtest_run(&r, url, dir, "status", NULL), 0);
    s_expect(&r, 2, variable);
    assert_int_equal(mtest_count_lines(r.err, ""), 1);
    assert_non_null(strstr(r.err, "bedrock-migrate"));
    assert_string_equal(r.out, "");
    mtest_result_free(&r);
}

static void test_database_url_required(void **state)
{
    (void)state;
    s_expect_config_error(NULL, NULL, "DATABASE_URL");
    s_expect_config_error("", NULL, "DATABASE_URL");
}

static void test_database_url_malformed(void **state)
{
    (void)state;
    s_expect_config_error("mysql://bedrock@127.0.0.1/db", NULL, "DATABASE_URL");
    s_expect_config_error("postgresql://", NULL, "DATABASE_URL");
    s_expect_config_error("bedrock_migrate", NULL, "DATABASE_URL");
    s_expect_config_error("postgresql://h/db?nosuchoption=1", NULL, "DATABASE_URL");
}

static void test_migrations_dir_must_exist(void **state)
{
    (void)state;
    s_expect_config_error(UNREACHABLE_URL, "/nonexistent/mtest", "BEDROCK_MIGRATIONS_DIR");
}

static void test_unreachable_database(void **state)
{
    (void)state;
    static const char *const commands[] = {"up", "status", "down", "redo"};
    for (size_t i = 0; i < 4; i++) {
        mtest_result_t r;
        assert_int_equal(mtest_run(&r, UNREACHABLE_URL, NULL, commands[i], NULL), 0);
        s_expect(&r, 1, "bedrock-migrate: cannot connect to the database");
        assert_non_null(strstr(r.err, "127.0.0.1"));
        mtest_result_free(&r);
    }
}

/* The directory is checked before connecting: a bad one is refused even with no database. */
static void test_refused_directory(void **state)
{
    (void)state;
    char *dir = mtest_copy_migrations(BEDROCK_SOURCE_DIR "/schema/migrations", 2);
    assert_non_null(dir);
    assert_int_equal(mtest_write_file(dir, "004_gap.up.sql", "SELECT 1;\n"), 0);
    mtest_result_t r;
    assert_int_equal(mtest_run(&r, UNREACHABLE_URL, dir, "up", NULL), 0);
    s_expect(&r, 1, "version 003 is missing");
    mtest_result_free(&r);

    assert_int_equal(mtest_write_file(dir, "2_dup.up.sql", "SELECT 1;\n"), 0);
    assert_int_equal(mtest_run(&r, UNREACHABLE_URL, dir, "status", NULL), 0);
    s_expect(&r, 1, "duplicate migration version 002");
    mtest_result_free(&r);
    mtest_remove_dir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_database_url_required),
        cmocka_unit_test(test_database_url_malformed),
        cmocka_unit_test(test_migrations_dir_must_exist),
        cmocka_unit_test(test_unreachable_database),
        cmocka_unit_test(test_refused_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
