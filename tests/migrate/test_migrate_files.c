/* Unit tests (no database): checksum, migrations_dir (listing, naming, gaps, duplicates)
 * and the error-position-to-line conversion of migrate_db. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checksum.h"
#include "migrate_db.h"
#include "migrations_dir.h"
#include "mtest.h"

#define REAL_DIR BEDROCK_SOURCE_DIR "/schema/migrations"

static void test_checksum_vectors(void **state)
{
    (void)state;
    char hex[CHECKSUM_HEX_LEN + 1];
    assert_int_equal(checksum_sha256_hex("abc", 3, hex), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(checksum_sha256_hex(NULL, 0, hex), 0);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* Bytes, not a C string: a NUL inside counts. */
    char with_nul[CHECKSUM_HEX_LEN + 1];
    assert_int_equal(checksum_sha256_hex("a\0b", 3, with_nul), 0);
    assert_int_equal(checksum_sha256_hex("a", 1, hex), 0);
    assert_string_not_equal(hex, with_nul);
}

static void test_real_directory(void **state)
{
    (void)state;
    migrations_dir_t *dir = NULL;
    char err[1024] = "";
    assert_int_equal(migrations_dir_load(REAL_DIR, &dir, err, sizeof err), 0);
    size_t n = migrations_dir_count(dir);
    assert_true(n >= 3);
    static const char *const originals[] = {"users", "sessions", "user_profiles"};
    for (size_t i = 0; i < n; i++) {
        const migration_t *m = migrations_dir_at(dir, i);
        assert_int_equal(m->version, (int)i + 1);
        assert_ptr_equal(migrations_dir_find(dir, m->version), m);
        assert_non_null(m->down_path); /* every shipped migration can be reverted */
        if (i < 3)
            assert_string_equal(m->name, originals[i]);
        char hex[CHECKSUM_HEX_LEN + 1];
        assert_int_equal(checksum_sha256_hex(m->up_sql, m->up_len, hex), 0);
        assert_string_equal(hex, m->checksum);
        assert_int_equal(strlen(m->up_sql), m->up_len);
    }
    assert_null(migrations_dir_find(dir, 0));
    assert_null(migrations_dir_find(dir, (int)n + 1));
    assert_string_equal(migrations_dir_at(dir, 0)->up_file, "001_users.up.sql");
    assert_string_equal(migrations_dir_at(dir, 0)->down_file, "001_users.down.sql");
    migrations_dir_destroy(&dir);
    assert_null(dir);
    migrations_dir_destroy(&dir); /* twice is fine */
}

/* Loads a temp dir made of the given (name, text) pairs; returns the load result and
 * leaves the error in err. */
static int s_load_files(const char *const *names, char *err, size_t err_size, size_t *count)
{
    char *dir = mtest_copy_migrations(REAL_DIR, -1); /* -1: an empty copy */
    assert_non_null(dir);
    for (size_t i = 0; names[i]; i++)
        assert_int_equal(mtest_write_file(dir, names[i], "SELECT 1;\n"), 0);
    migrations_dir_t *set = NULL;
    int rc = migrations_dir_load(dir, &set, err, err_size);
    if (rc == 0) {
        *count = migrations_dir_count(set);
        migrations_dir_destroy(&set);
    } else {
        assert_null(set);
    }
    mtest_remove_dir(dir);
    free(dir);
    return rc;
}

static void test_accepted_layouts(void **state)
{
    (void)state;
    char err[1024];
    size_t n = 99;
    const char *const empty[] = {NULL};
    assert_int_equal(s_load_files(empty, err, sizeof err, &n), 0);
    assert_int_equal(n, 0);
    /* No down file is fine when loading (only `down` needs it); other files are ignored. */
    const char *const ok[] = {"001_a.up.sql",
                              "002_b_c.up.sql",
                              "002_b_c.down.sql",
                              "README.md",
                              ".hidden.sql",
                              "001_a.up.sql~",
                              NULL};
    assert_int_equal(s_load_files(ok, err, sizeof err, &n), 0);
    assert_int_equal(n, 2);
}

static void s_expect_refusal(const char *const *names, const char *needle)
{
    char err[1024] = "";
    size_t n = 0;
    assert_int_equal(s_load_files(names, err, sizeof err, &n), -1);
    if (!strstr(err, needle))
        fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void test_refused_layouts(void **state)
{
    (void)state;
    const char *const gap[] = {"001_a.up.sql", "003_c.up.sql", NULL};
    s_expect_refusal(gap, "version 002 is missing");
    const char *const no_one[] = {"002_b.up.sql", NULL};
    s_expect_refusal(no_one, "version 001 is missing");
    const char *const dup[] = {"001_a.up.sql", "1_b.up.sql", NULL};
    s_expect_refusal(dup, "duplicate migration version 001");
    const char *const dup_down[] = {"001_a.up.sql", "001_a.down.sql", "01_a.down.sql", NULL};
    s_expect_refusal(dup_down, "duplicate migration version 001");
    const char *const orphan[] = {"001_a.up.sql", "001_b.down.sql", NULL};
    s_expect_refusal(orphan, "001_b.down.sql has no matching .up.sql");
    const char *const bad_name[] = {"001_a.up.sql", "002-b.up.sql", NULL};
    s_expect_refusal(bad_name, "002-b.up.sql: not a migration file name");
    const char *const zero[] = {"000_a.up.sql", NULL};
    s_expect_refusal(zero, "000_a.up.sql: not a migration file name");
    const char *const no_dir[] = {"001_a.sql", NULL};
    s_expect_refusal(no_dir, "001_a.sql: not a migration file name");

    migrations_dir_t *set = NULL;
    char err[1024];
    assert_int_equal(migrations_dir_load("/nonexistent/mtest", &set, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/mtest"));
}

static void test_line_of_position(void **state)
{
    (void)state;
    const char *text = "SELECT 1;\n-- \xc3\xbc\xc3\xbc\nCREATE x;";
    size_t len = strlen(text);
    int line = 0, column = 0;
    assert_int_equal(migrate_db_line_of(text, len, 1, &line, &column), 0);
    assert_int_equal(line, 1);
    assert_int_equal(column, 1);
    assert_int_equal(migrate_db_line_of(text, len, 10, &line, &column), 0); /* the '\n' */
    assert_int_equal(line, 1);
    assert_int_equal(column, 10);
    /* Line 2 is "-- üü" (5 characters, 7 bytes): PostgreSQL counts characters. */
    assert_int_equal(migrate_db_line_of(text, len, 17, &line, &column), 0);
    assert_int_equal(line, 3);
    assert_int_equal(column, 1);
    assert_int_equal(migrate_db_line_of(text, len, 25, &line, &column), 0); /* ';' */
    assert_int_equal(line, 3);
    assert_int_equal(column, 9);
    assert_int_equal(migrate_db_line_of(text, len, 26, &line, &column), 0); /* end of input */
    assert_int_equal(line, 3);
    assert_int_equal(column, 10);
    assert_int_equal(migrate_db_line_of(text, len, 27, &line, &column), -1);
    assert_int_equal(migrate_db_line_of(text, len, 0, &line, &column), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum_vectors), cmocka_unit_test(test_real_directory),
        cmocka_unit_test(test_accepted_layouts), cmocka_unit_test(test_refused_layouts),
        cmocka_unit_test(test_line_of_position),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
