/* bedrock-migrate against a real PostgreSQL (label "db"): every test gets its own scratch
 * database made from DATABASE_URL and dropped at the end, and runs the real binary as a
 * subprocess (one test drives the runner library directly).
 *
 * The migration set is the real schema/migrations directory, whatever it holds: counts are
 * read from it, so adding migrations does not break these tests, and the up/down/up test
 * checks that every down file really reverses its up file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "checksum.h"
#include "migrate.h"
#include "migrations_dir.h"
#include "mtest.h"

#define REAL_DIR BEDROCK_SOURCE_DIR "/schema/migrations"
/* How long the concurrency test waits for both runners to queue on the lock. */
#define WAIT_FOR_RUNNERS_MS 10000

/* The real migration set, loaded once by the group setup. */
static migrations_dir_t *s_real;
static int s_count;

/* One test's scratch database and temporary directory. */
typedef struct {
    mtest_db_t db;
    PGconn *conn;
    char *dir; /* temporary copy of the migrations, or NULL */
} fixture_t;

/* Everything a schema holds that a migration could create, one name per line, sorted:
 * relations (tables, indexes, sequences, views...), standalone types, functions,
 * extensions and schemas. A down file must leave this exactly as before its up file. */
static const char s_snapshot_sql[] =
    "SELECT coalesce(string_agg(x, E'\\n' ORDER BY x), '') FROM ("
    " SELECT 'relation ' || c.relname || ' ' || c.relkind::text FROM pg_class c"
    "  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
    " UNION ALL SELECT 'type ' || t.typname FROM pg_type t"
    "  JOIN pg_namespace n ON n.oid = t.typnamespace"
    "  WHERE n.nspname = 'public' AND t.typrelid = 0 AND t.typelem = 0"
    " UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p"
    "  JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
    " UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'"
    " UNION ALL SELECT 'schema ' || nspname FROM pg_namespace"
    "  WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('public', 'information_schema')"
    ") s(x)";

/* What schema_migrations itself adds to the snapshot. */
static const char s_bookkeeping[] = "relation schema_migrations r\n"
                                    "relation schema_migrations_pkey i";

static int group_setup(void **state)
{
    (void)state;
    if (!mtest_database_url())
        return -1;
    char err[1024];
    if (migrations_dir_load(REAL_DIR, &s_real, err, sizeof err) < 0) {
        fprintf(stderr, "FAIL: %s\n", err);
        return -1;
    }
    s_count = (int)migrations_dir_count(s_real);
    return s_count >= 3 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    migrations_dir_destroy(&s_real);
    return 0;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f || mtest_db_create(&f->db) < 0 || !(f->conn = mtest_connect(f->db.url))) {
        if (f)
            mtest_db_drop(&f->db);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    PQfinish(f->conn);
    mtest_db_drop(&f->db);
    if (f->dir) {
        mtest_remove_dir(f->dir);
        free(f->dir);
    }
    free(f);
    return 0;
}

/* Runs bedrock-migrate with up to two arguments and checks its exit code. */
static void s_migrate(fixture_t *f, mtest_result_t *r, int want_exit, const char *arg1,
                      const char *arg2)
{
    assert_int_equal(mtest_run(r, f->db.url, f->dir, arg1, arg2, NULL), 0);
    if (r->exit_code != want_exit)
        fail_msg("bedrock-migrate %s %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", arg1,
                 arg2 ? arg2 : "", r->exit_code, want_exit, r->out, r->err);
}

static void s_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("expected \"%s\" in:\n%s", needle, text);
}

static char *s_snapshot(fixture_t *f)
{
    char *snap = mtest_value(f->conn, s_snapshot_sql, 0, NULL);
    assert_non_null(snap);
    return snap;
}

static long s_applied_count(fixture_t *f)
{
    return mtest_number(f->conn, "SELECT count(*) FROM schema_migrations", 0, NULL);
}

static int s_exists(fixture_t *f, const char *relation)
{
    const char *params[] = {relation};
    return mtest_number(f->conn, "SELECT (to_regclass($1) IS NOT NULL)::int", 1, params) == 1;
}

/* "NNN_name" of the real migration with this version. */
static void s_label(int version, char *out, size_t size)
{
    const migration_t *m = migrations_dir_find(s_real, version);
    assert_non_null(m);
    snprintf(out, size, "%03d_%s", m->version, m->name);
}

/* Column name, type, nullability and default of users, one per line, in order. */
static const char s_users_columns_sql[] =
    "SELECT string_agg(column_name || ' ' || data_type"
    " || coalesce('(' || character_maximum_length || ')', '') || ' ' || is_nullable"
    " || ' ' || coalesce(column_default, '-'), E'\\n' ORDER BY ordinal_position)"
    " FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'users'"
    " AND ordinal_position <= $1::int";

static const char s_users_original[] =
    "id uuid NO gen_random_uuid()\n"
    "email character varying(255) NO -\n"
    "password_hash character varying(255) NO -\n"
    "role character varying(50) YES 'user'::character varying\n"
    "is_verified boolean YES false\n"
    "created_at timestamp without time zone YES CURRENT_TIMESTAMP";

/* users has the original six columns first (later migrations may add more after them),
 * id as primary key, email unique, and idx_users_email. */
static void s_check_users(fixture_t *f, const char *max_columns)
{
    const char *params[] = {max_columns};
    char *columns = mtest_value(f->conn, s_users_columns_sql, 1, params);
    assert_non_null(columns);
    assert_string_equal(columns, s_users_original);
    free(columns);
    assert_int_equal(mtest_number(f->conn,
                                  "SELECT count(*) FROM pg_constraint c JOIN pg_attribute a"
                                  " ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
                                  " WHERE c.conrelid = 'users'::regclass AND c.contype = 'p'"
                                  " AND array_length(c.conkey, 1) = 1 AND a.attname = 'id'",
                                  0, NULL),
                     1);
    assert_int_equal(mtest_number(f->conn,
                                  "SELECT count(*) FROM pg_constraint c JOIN pg_attribute a"
                                  " ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
                                  " WHERE c.conrelid = 'users'::regclass AND c.contype = 'u'"
                                  " AND array_length(c.conkey, 1) = 1 AND a.attname = 'email'",
                                  0, NULL),
                     1);
    char *index = mtest_value(f->conn,
                              "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'"
                              " AND indexname = 'idx_users_email'",
                              0, NULL);
    assert_non_null(index);
    assert_string_equal(index, "CREATE INDEX idx_users_email ON public.users USING btree (email)");
    free(index);
}

static void test_up_on_empty_database(void **state)
{
    fixture_t *f = *state;
    mtest_result_t r;
    s_migrate(f, &r, 0, "status", NULL);
    assert_int_equal(mtest_count_lines(r.out, " pending"), s_count + 1); /* + the summary */
    mtest_result_free(&r);
    assert_false(s_exists(f, "schema_migrations")); /* status changes nothing */

    s_migrate(f, &r, 0, "up", NULL);
    assert_int_equal(mtest_count_lines(r.out, "applied "), s_count);
    assert_int_equal(mtest_count_lines(r.out, " ms)"), s_count);
    s_contains(r.out, "applied 001_users (");
    mtest_result_free(&r);

    s_migrate(f, &r, 0, "status", NULL);
    s_contains(r.out, "version  name");
    s_contains(r.out, "applied_at");
    s_contains(r.out, "execution_ms");
    assert_int_equal(mtest_count_lines(r.out, " pending"), 1); /* the summary line only */
    char summary[64];
    snprintf(summary, sizeof summary, "%d applied, 0 pending", s_count);
    s_contains(r.out, summary);
    for (int v = 1; v <= s_count; v++) {
        const migration_t *m = migrations_dir_find(s_real, v);
        char row[256];
        snprintf(row, sizeof row, "%03d      %s ", v, m->name);
        s_contains(r.out, row);
    }
    mtest_result_free(&r);

    /* Every row: the file's checksum, a time, an execution time. */
    assert_int_equal(s_applied_count(f), s_count);
    for (int v = 1; v <= s_count; v++) {
        const migration_t *m = migrations_dir_find(s_real, v);
        char version[16];
        snprintf(version, sizeof version, "%d", v);
        const char *params[] = {version, m->name, m->checksum};
        assert_int_equal(mtest_number(f->conn,
                                      "SELECT count(*) FROM schema_migrations WHERE version = $1"
                                      " AND name = $2 AND checksum = $3 AND execution_ms >= 0"
                                      " AND applied_at <= now() AND applied_at > now() - "
                                      "interval '1 minute'",
                                      3, params),
                         1);
    }
    assert_true(s_exists(f, "users"));
    assert_true(s_exists(f, "sessions"));
    assert_true(s_exists(f, "refresh_tokens"));
    assert_true(s_exists(f, "user_profiles"));
    assert_true(s_exists(f, "idx_users_email"));
    s_check_users(f, "6");

    s_migrate(f, &r, 0, "up", NULL); /* again: nothing to do */
    s_contains(r.out, "nothing to apply");
    assert_int_equal(mtest_count_lines(r.out, "applied "), 0);
    mtest_result_free(&r);
}

/* The three original migrations give users exactly the original table. */
static void test_users_exactly_original(void **state)
{
    fixture_t *f = *state;
    f->dir = mtest_copy_migrations(REAL_DIR, 3);
    assert_non_null(f->dir);
    mtest_result_t r;
    s_migrate(f, &r, 0, "up", NULL);
    assert_int_equal(mtest_count_lines(r.out, "applied "), 3);
    mtest_result_free(&r);
    s_check_users(f, "1000");
    assert_true(s_exists(f, "sessions"));
    assert_true(s_exists(f, "refresh_tokens"));
    assert_true(s_exists(f, "user_profiles"));
}

static void test_up_down_all_up(void **state)
{
    fixture_t *f = *state;
    char *before = s_snapshot(f);
    mtest_result_t r;
    s_migrate(f, &r, 0, "up", NULL);
    mtest_result_free(&r);
    char *after_up = s_snapshot(f);

    char n[16];
    snprintf(n, sizeof n, "%d", s_count);
    s_migrate(f, &r, 0, "down", n);
    assert_int_equal(mtest_count_lines(r.out, "reverted "), s_count);
    /* Newest first. */
    char first[64], last[64];
    s_label(s_count, first, sizeof first);
    s_label(1, last, sizeof last);
    const char *p_first = strstr(r.out, first), *p_last = strstr(r.out, last);
    assert_true(p_first && p_last && p_first < p_last);
    mtest_result_free(&r);
    assert_int_equal(s_applied_count(f), 0);

    char *after_down = s_snapshot(f);
    char expected[4096];
    snprintf(expected, sizeof expected, "%s%s%s", before, before[0] ? "\n" : "", s_bookkeeping);
    if (strcmp(after_down, expected) != 0)
        fail_msg("down did not reverse up.\nafter down all:\n%s\nexpected:\n%s", after_down,
                 expected);

    s_migrate(f, &r, 0, "up", NULL);
    assert_int_equal(mtest_count_lines(r.out, "applied "), s_count);
    mtest_result_free(&r);
    char *again = s_snapshot(f);
    assert_string_equal(again, after_up);
    assert_int_equal(s_applied_count(f), s_count);
    free(before);
    free(after_up);
    free(after_down);
    free(again);
}

static void test_down_n(void **state)
{
    fixture_t *f = *state;
    mtest_result_t r;
    char label[64], line[96];
    s_migrate(f, &r, 0, "up", NULL);
    mtest_result_free(&r);

    s_migrate(f, &r, 0, "down", NULL); /* default: one */
    assert_int_equal(mtest_count_lines(r.out, "reverted "), 1);
    s_label(s_count, label, sizeof label);
    snprintf(line, sizeof line, "reverted %s (", label);
    s_contains(r.out, line);
    mtest_result_free(&r);
    assert_int_equal(s_applied_count(f), s_count - 1);

    char n[16];
    snprintf(n, sizeof n, "%d", s_count - 2);
    s_migrate(f, &r, 0, "down", n); /* leaves only 001_users */
    assert_int_equal(mtest_count_lines(r.out, "reverted "), s_count - 2);
    mtest_result_free(&r);
    assert_int_equal(s_applied_count(f), 1);
    assert_true(s_exists(f, "users"));
    assert_false(s_exists(f, "sessions"));
    assert_false(s_exists(f, "refresh_tokens"));
    assert_false(s_exists(f, "user_profiles"));

    s_migrate(f, &r, 1, "down", "2"); /* more than applied: refused, nothing reverted */
    s_contains(r.err, "only 1 are applied");
    mtest_result_free(&r);
    assert_int_equal(s_applied_count(f), 1);

    s_migrate(f, &r, 0, "down", "1");
    mtest_result_free(&r);
    assert_false(s_exists(f, "users"));
    s_migrate(f, &r, 1, "down", NULL);
    s_contains(r.err, "nothing to revert");
    mtest_result_free(&r);
}

static void test_redo(void **state)
{
    fixture_t *f = *state;
    mtest_result_t r;
    s_migrate(f, &r, 1, "redo", NULL); /* nothing applied yet */
    s_contains(r.err, "nothing to redo");
    mtest_result_free(&r);

    s_migrate(f, &r, 0, "up", NULL);
    mtest_result_free(&r);
    char version[16];
    snprintf(version, sizeof version, "%d", s_count);
    const char *params[] = {version};
    char *before = mtest_value(
        f->conn, "SELECT applied_at::text FROM schema_migrations WHERE version = $1", 1, params);
    assert_non_null(before);

    s_migrate(f, &r, 0, "redo", NULL);
    char label[64], reverted[96], applied[96];
    s_label(s_count, label, sizeof label);
    snprintf(reverted, sizeof reverted, "reverted %s (", label);
    snprintf(applied, sizeof applied, "applied %s (", label);
    const char *p_rev = strstr(r.out, reverted), *p_app = strstr(r.out, applied);
    if (!p_rev || !p_app || p_rev > p_app)
        fail_msg("redo should revert then apply %s:\n%s", label, r.out);
    assert_int_equal(mtest_count_lines(r.out, "reverted "), 1);
    assert_int_equal(mtest_count_lines(r.out, "applied "), 1);
    mtest_result_free(&r);

    assert_int_equal(s_applied_count(f), s_count);
    const char *params2[] = {version, before};
    assert_int_equal(mtest_number(f->conn,
                                  "SELECT count(*) FROM schema_migrations WHERE version = $1"
                                  " AND applied_at > $2::timestamptz",
                                  2, params2),
                     1);
    free(before);
}

static void test_changed_checksum_refused(void **state)
{
    fixture_t *f = *state;
    f->dir = mtest_copy_migrations(REAL_DIR, 0);
    assert_non_null(f->dir);
    mtest_result_t r;
    s_migrate(f, &r, 0, "up", NULL);
    mtest_result_free(&r);

    /* Edit an applied file, and add a new migration that must not be applied now. */
    assert_int_equal(mtest_append_file(f->dir, "002_sessions.up.sql", "-- edited\n"), 0);
    char next[64];
    snprintf(next, sizeof next, "%03d_mtest_next.up.sql", s_count + 1);
    assert_int_equal(mtest_write_file(f->dir, next, "CREATE TABLE mtest_next (id int);\n"), 0);
    migrations_dir_t *edited = NULL;
    char err[1024];
    assert_int_equal(migrations_dir_load(f->dir, &edited, err, sizeof err), 0);
    const char *new_sum = migrations_dir_find(edited, 2)->checksum;
    const char *old_sum = migrations_dir_find(s_real, 2)->checksum;

    static const char *const commands[][2] = {{"up", NULL}, {"down", NULL}, {"redo", NULL}};
    for (size_t i = 0; i < 3; i++) {
        s_migrate(f, &r, 1, commands[i][0], commands[i][1]);
        s_contains(r.err, "002_sessions.up.sql");
        s_contains(r.err, old_sum);
        s_contains(r.err, new_sum);
        assert_string_equal(r.out, "");
        mtest_result_free(&r);
    }
    assert_int_equal(s_applied_count(f), s_count);
    assert_false(s_exists(f, "mtest_next"));

    s_migrate(f, &r, 0, "status", NULL); /* status shows it, and still succeeds */
    s_contains(r.out, "CHANGED");
    s_contains(r.out, " pending");
    mtest_result_free(&r);
    migrations_dir_destroy(&edited);

    /* Restored, the run goes on. */
    char *text = strdup(migrations_dir_find(s_real, 2)->up_sql);
    assert_int_equal(mtest_write_file(f->dir, "002_sessions.up.sql", text), 0);
    free(text);
    s_migrate(f, &r, 0, "up", NULL);
    assert_int_equal(mtest_count_lines(r.out, "applied "), 1);
    mtest_result_free(&r);
    assert_true(s_exists(f, "mtest_next"));
}

static void test_failing_migration(void **state)
{
    fixture_t *f = *state;
    f->dir = mtest_copy_migrations(REAL_DIR, 0);
    assert_non_null(f->dir);
    char bad[64];
    snprintf(bad, sizeof bad, "%03d_mtest_bad.up.sql", s_count + 1);
    assert_int_equal(mtest_write_file(f->dir, bad,
                                      "CREATE TABLE mtest_bad_one (id int);\n"
                                      "INSERT INTO mtest_bad_one VALUES (1);\n"
                                      "CREATE TABLE mtest_bad_two (id no_such_type);\n"),
                     0);
    mtest_result_t r;
    s_migrate(f, &r, 1, "up", NULL);
    assert_int_equal(mtest_count_lines(r.out, "applied "), s_count); /* the good ones ran */
    s_contains(r.err, bad);
    s_contains(r.err, "SQLSTATE 42704");
    s_contains(r.err, "type \"no_such_type\" does not exist");
    s_contains(r.err, "line 3");
    s_contains(r.err, "rolled back");
    mtest_result_free(&r);
    assert_int_equal(s_applied_count(f), s_count);
    assert_false(s_exists(f, "mtest_bad_one"));
    assert_true(s_exists(f, "user_profiles"));

    /* A syntax error, reported with its line. */
    assert_int_equal(mtest_write_file(f->dir, bad, "SELECT 1;\n\nCREATE TABLE mtest_x (id int\n"),
                     0);
    s_migrate(f, &r, 1, "up", NULL);
    s_contains(r.err, "SQLSTATE 42601");
    s_contains(r.err, "line 4");
    mtest_result_free(&r);

    /* A file that commits on its own breaks the one-transaction rule: said so, not recorded. */
    assert_int_equal(mtest_write_file(f->dir, bad,
                                      "CREATE TABLE mtest_p1 (id int);\nCOMMIT;\nBEGIN;\n"
                                      "CREATE TABLE mtest_p2 (id int);\n"),
                     0);
    s_migrate(f, &r, 1, "up", NULL);
    s_contains(r.err, "must not contain transaction control");
    s_contains(r.err, "part of it may have been committed");
    mtest_result_free(&r);
    assert_int_equal(s_applied_count(f), s_count);
    assert_false(s_exists(f, "mtest_p2"));

    /* Fixed, it applies alone. */
    assert_int_equal(mtest_write_file(f->dir, bad, "CREATE TABLE mtest_bad_one (id int);\n"), 0);
    s_migrate(f, &r, 0, "up", NULL);
    assert_int_equal(mtest_count_lines(r.out, "applied "), 1);
    mtest_result_free(&r);
    assert_int_equal(s_applied_count(f), s_count + 1);
}

static void test_missing_down_file(void **state)
{
    fixture_t *f = *state;
    f->dir = mtest_copy_migrations(REAL_DIR, 0);
    assert_non_null(f->dir);
    const migration_t *last = migrations_dir_find(s_real, s_count);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", f->dir, last->down_file);
    assert_int_equal(unlink(path), 0);
    mtest_result_t r;
    s_migrate(f, &r, 0, "up", NULL);
    mtest_result_free(&r);
    static const char *const counts[] = {NULL, "2"};
    for (size_t i = 0; i < 2; i++) {
        s_migrate(f, &r, 1, "down", counts[i]);
        s_contains(r.err, last->down_file);
        s_contains(r.err, "nothing was reverted");
        mtest_result_free(&r);
    }
    assert_int_equal(s_applied_count(f), s_count);
}

/* Polls until n sessions wait for the migration lock. */
static int s_wait_for_waiters(PGconn *conn, long n)
{
    const struct timespec tick = {0, 20 * 1000 * 1000};
    for (int waited = 0; waited < WAIT_FOR_RUNNERS_MS; waited += 20) {
        if (mtest_number(conn,
                         "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                         " AND NOT granted AND database = (SELECT oid FROM pg_database"
                         " WHERE datname = current_database())",
                         0, NULL) == n)
            return 0;
        nanosleep(&tick, NULL);
    }
    return -1;
}

/* Two runners, started together: both succeed, each migration is applied once. */
static void s_two_runners(fixture_t *f, int hold_lock)
{
    char key[32];
    snprintf(key, sizeof key, "%lld", (long long)MIGRATE_LOCK_KEY);
    const char *params[] = {key};
    if (hold_lock) /* makes sure both really queue on the lock at the same time */
        assert_int_equal(
            mtest_number(f->conn, "SELECT 1 FROM pg_advisory_lock($1::bigint)", 1, params), 1);
    static const char *const up[] = {"up", NULL};
    mtest_proc_t a, b;
    assert_int_equal(mtest_start(&a, f->db.url, NULL, up), 0);
    assert_int_equal(mtest_start(&b, f->db.url, NULL, up), 0);
    if (hold_lock) {
        assert_int_equal(s_wait_for_waiters(f->conn, 2), 0);
        assert_int_equal(
            mtest_number(f->conn, "SELECT pg_advisory_unlock($1::bigint)::int", 1, params), 1);
    }
    mtest_result_t ra, rb;
    assert_int_equal(mtest_wait(&a, &ra), 0);
    assert_int_equal(mtest_wait(&b, &rb), 0);
    if (ra.exit_code != 0 || rb.exit_code != 0)
        fail_msg("runner exits %d and %d\nA:\n%s%s\nB:\n%s%s", ra.exit_code, rb.exit_code, ra.out,
                 ra.err, rb.out, rb.err);
    int applied_a = mtest_count_lines(ra.out, "applied "),
        applied_b = mtest_count_lines(rb.out, "applied ");
    assert_int_equal(applied_a + applied_b, s_count);
    assert_true(applied_a == 0 || applied_b == 0); /* one did all, the other nothing */
    s_contains(applied_a == 0 ? ra.out : rb.out, "nothing to apply");
    mtest_result_free(&ra);
    mtest_result_free(&rb);
    assert_int_equal(s_applied_count(f), s_count);
}

static void test_concurrent_runners_queued(void **state)
{
    s_two_runners(*state, 1);
}

static void test_concurrent_runners_free(void **state)
{
    s_two_runners(*state, 0);
}

/* The runner library, called directly (what the binary wraps). */
static void test_library_run(void **state)
{
    fixture_t *f = *state;
    char *out_text = NULL, *err_text = NULL;
    size_t out_len = 0, err_len = 0;
    migrate_options_t opt;
    migrate_options_default(&opt);
    opt.database_url = f->db.url;
    opt.migrations_dir = REAL_DIR;
    opt.out = open_memstream(&out_text, &out_len);
    opt.err = open_memstream(&err_text, &err_len);
    assert_non_null(opt.out);
    assert_non_null(opt.err);
    assert_int_equal(migrate_run(&opt, MIGRATE_UP, 0), 0);
    assert_int_equal(migrate_run(&opt, MIGRATE_DOWN, 2), 0);
    assert_int_equal(migrate_run(&opt, MIGRATE_STATUS, 0), 0);
    assert_int_equal(migrate_run(&opt, MIGRATE_DOWN, s_count), -1);
    fclose(opt.out);
    fclose(opt.err);
    assert_int_equal(mtest_count_lines(out_text, "applied "), s_count);
    assert_int_equal(mtest_count_lines(out_text, "reverted "), 2);
    assert_int_equal(mtest_count_lines(out_text, " pending"), 3);
    s_contains(err_text, "bedrock-migrate: cannot revert");
    free(out_text);
    free(err_text);
    assert_int_equal(s_applied_count(f), s_count - 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_up_on_empty_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_exactly_original, setup, teardown),
        cmocka_unit_test_setup_teardown(test_up_down_all_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_down_n, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_checksum_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_migration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_down_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_runners_queued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_runners_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_library_run, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
