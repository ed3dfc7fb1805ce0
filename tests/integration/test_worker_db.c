/* db.c against a real PostgreSQL: classification, backoff, reconnect, recycle,
 * transactions. */
#include "it_support.h"

#include "db.h"
#include "log.h"
#include "users.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define S_CLOSED_URL "postgresql://bedrock@127.0.0.1:1/nothing"
#define S_HASH "$2b$04$abcdefghijklmnopqrstuu5m7PLiRXo2ZP7Xq1yvEzq9hGgO7wJqO"

static it_db_t s_scratch;
static settings_t s_cfg;

static int64_t s_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int s_group_setup(void **state)
{
    (void)state;
    log_set_level(LOG_LEVEL_WARN);
    if (it_db_create(&s_scratch) < 0)
        return -1;
    it_settings(&s_cfg, s_scratch.url);
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    it_db_drop(&s_scratch);
    return 0;
}

static void s_ping(db_t *db)
{
    assert_int_equal(db_exec(db, STMT_PING, NULL, NULL), DB_OK);
}

static void test_sqlstate_classes(void **state)
{
    (void)state;
    assert_int_equal(db_classify_sqlstate("23505"), DB_ERR_UNIQUE);
    assert_int_equal(db_classify_sqlstate("23503"), DB_ERR_FOREIGN_KEY);
    assert_int_equal(db_classify_sqlstate("40001"), DB_ERR_RETRY);
    assert_int_equal(db_classify_sqlstate("40P01"), DB_ERR_RETRY);
    const char *gone[] = {"08000", "08003", "08006", "08001", "08004", "08P01",
                          "57P01", "57P02", "57P03", "53300", "25006"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        assert_int_equal(db_classify_sqlstate(gone[i]), DB_ERR_UNAVAILABLE);
    assert_int_equal(db_classify_sqlstate("22001"), DB_ERR_INVALID_DATA);
    assert_int_equal(db_classify_sqlstate("22P02"), DB_ERR_INVALID_DATA);
    assert_int_equal(db_classify_sqlstate("23502"), DB_ERR_INVALID_DATA);
    assert_int_equal(db_classify_sqlstate("23514"), DB_ERR_INVALID_DATA);
    assert_int_equal(db_classify_sqlstate("57014"), DB_ERR_OTHER); /* query_canceled */
    assert_int_equal(db_classify_sqlstate("42P01"), DB_ERR_OTHER);
    assert_int_equal(db_classify_sqlstate("2350"), DB_ERR_OTHER);
    assert_int_equal(db_classify_sqlstate(""), DB_ERR_OTHER);
    assert_int_equal(db_classify_sqlstate(NULL), DB_ERR_OTHER);
    assert_string_equal(db_err_name(DB_ERR_UNIQUE), "unique_violation");
}

/* The real server says 23505 for a duplicate, and db_exec reports it by SQLSTATE. */
static void test_unique_violation_from_server(void **state)
{
    (void)state;
    db_t *db = it_db_open(&s_cfg, s_scratch.url, "primary");
    const char *p[] = {"dup@example.com", S_HASH};
    PGresult *res = NULL;
    assert_int_equal(db_exec(db, STMT_USER_INSERT, p, &res), DB_OK);
    PQclear(res);
    assert_int_equal(db_exec(db, STMT_USER_INSERT, p, NULL), DB_ERR_UNIQUE);
    /* A bad UUID is a data error, not a bug in the connection. */
    const char *bad[] = {"not-a-uuid"};
    assert_int_equal(db_exec(db, STMT_USER_BY_ID, bad, NULL), DB_ERR_INVALID_DATA);
    assert_true(db_is_up(db));
    db_destroy(&db);
}

static void test_closed_port_then_recovers(void **state)
{
    (void)state;
    db_t *db = it_db_open(&s_cfg, S_CLOSED_URL, "primary");
    assert_non_null(db);
    assert_int_equal(db_ensure(db), DB_ERR_UNAVAILABLE);
    assert_false(db_is_up(db));
    /* Within the backoff: no new attempt, an immediate answer. */
    int64_t t0 = s_ms();
    assert_int_equal(db_exec(db, STMT_PING, NULL, NULL), DB_ERR_UNAVAILABLE);
    assert_int_equal(db_begin(db), DB_ERR_UNAVAILABLE);
    assert_true(s_ms() - t0 < 50);
    assert_int_equal(db_connect_count(db), 0);

    assert_int_equal(db_set_url(db, s_scratch.url), 0);
    assert_int_equal(db_ensure(db), DB_OK);
    s_ping(db);
    assert_int_equal(db_connect_count(db), 1);
    db_destroy(&db);
    db_destroy(&db); /* twice is fine */
}

static void s_terminate(int pid)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", pid);
    assert_int_equal(it_exec(s_scratch.admin_url, sql), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity WHERE pid = %d", pid);
    for (int i = 0; i < 100 && it_query_long(s_scratch.admin_url, sql) != 0; i++)
        usleep(10000);
}

static void test_terminated_backend_reconnects(void **state)
{
    (void)state;
    db_t *db = it_db_open(&s_cfg, s_scratch.url, "primary");
    s_ping(db);
    int pid = db_backend_pid(db);
    assert_true(pid > 0);
    s_terminate(pid);
    /* The next statement notices the dead connection, reconnects and runs. */
    s_ping(db);
    assert_int_not_equal(db_backend_pid(db), pid);
    assert_int_equal(db_connect_count(db), 2);
    db_destroy(&db);
}

/* Inside a transaction a lost connection must not be silently replaced: the rest of
 * the transaction would run outside it. */
static void test_loss_inside_transaction(void **state)
{
    (void)state;
    db_t *db = it_db_open(&s_cfg, s_scratch.url, "primary");
    assert_int_equal(db_begin(db), DB_OK);
    const char *p[] = {"lost-in-tx@example.com", S_HASH};
    assert_int_equal(db_exec(db, STMT_USER_INSERT, p, NULL), DB_OK);
    s_terminate(db_backend_pid(db));
    assert_int_equal(db_exec(db, STMT_PING, NULL, NULL), DB_ERR_UNAVAILABLE);
    assert_int_equal(db_exec(db, STMT_PING, NULL, NULL), DB_ERR_UNAVAILABLE);
    assert_int_equal(db_commit(db), DB_ERR_UNAVAILABLE);
    db_rollback(db);
    users_row_t u;
    assert_int_equal(users_find_by_email(db, "lost-in-tx@example.com", &u), DB_ERR_NOT_FOUND);
    db_destroy(&db);
}

static void test_recycle_after_lifetime(void **state)
{
    (void)state;
    settings_t cfg = s_cfg;
    cfg.db_max_lifetime_s = 1;
    db_t *db = it_db_open(&cfg, s_scratch.url, "primary");
    s_ping(db);
    int pid = db_backend_pid(db);
    usleep(1100 * 1000);
    s_ping(db);
    assert_int_not_equal(db_backend_pid(db), pid);
    assert_int_equal(db_connect_count(db), 2);
    db_destroy(&db);
}

static void test_idle_check_keeps_healthy_connection(void **state)
{
    (void)state;
    settings_t cfg = s_cfg;
    cfg.db_idle_check_s = 1;
    db_t *db = it_db_open(&cfg, s_scratch.url, "primary");
    s_ping(db);
    int pid = db_backend_pid(db);
    usleep(1100 * 1000);
    db_tick(db); /* idle: probed with SELECT 1, kept */
    assert_int_equal(db_backend_pid(db), pid);
    assert_int_equal(db_connect_count(db), 1);
    db_destroy(&db);
}

static void test_unprepared_mode(void **state)
{
    (void)state;
    settings_t cfg = s_cfg;
    cfg.db_prepared = false;
    db_t *db = it_db_open(&cfg, s_scratch.url, "primary");
    users_row_t u;
    assert_int_equal(users_create(db, "unprepared@example.com", S_HASH, NULL, &u), DB_OK);
    users_row_t found;
    assert_int_equal(users_find_by_email(db, "unprepared@example.com", &found), DB_OK);
    assert_string_equal(found.id, u.id);
    db_destroy(&db);
}

static void test_rollback_leaves_no_row(void **state)
{
    (void)state;
    db_t *db = it_db_open(&s_cfg, s_scratch.url, "primary");
    assert_int_equal(db_begin(db), DB_OK);
    const char *p[] = {"rolled-back@example.com", S_HASH};
    assert_int_equal(db_exec(db, STMT_USER_INSERT, p, NULL), DB_OK);
    db_rollback(db);
    users_row_t u;
    assert_int_equal(users_find_by_email(db, "rolled-back@example.com", &u), DB_ERR_NOT_FOUND);
    db_destroy(&db);
}

/* COMMIT of a transaction that already failed answers "ROLLBACK": it must not pass
 * for a success. */
static void test_commit_of_failed_transaction(void **state)
{
    (void)state;
    db_t *db = it_db_open(&s_cfg, s_scratch.url, "primary");
    const char *a[] = {"failed-tx-a@example.com", S_HASH};
    assert_int_equal(db_exec(db, STMT_USER_INSERT, a, NULL), DB_OK);
    assert_int_equal(db_begin(db), DB_OK);
    const char *b[] = {"failed-tx-b@example.com", S_HASH};
    assert_int_equal(db_exec(db, STMT_USER_INSERT, b, NULL), DB_OK);
    assert_int_equal(db_exec(db, STMT_USER_INSERT, a, NULL), DB_ERR_UNIQUE);
    assert_int_equal(db_commit(db), DB_ERR_OTHER);
    users_row_t u;
    assert_int_equal(users_find_by_email(db, "failed-tx-b@example.com", &u), DB_ERR_NOT_FOUND);
    db_destroy(&db);
}

static int s_runs;

static db_err_t s_flaky_tx(db_t *db, void *arg)
{
    (void)arg;
    s_runs++;
    if (s_runs == 1)
        return DB_ERR_RETRY; /* as if 40001 serialization_failure */
    return db_exec(db, STMT_PING, NULL, NULL);
}

static db_err_t s_always_conflicts(db_t *db, void *arg)
{
    (void)db;
    (void)arg;
    s_runs++;
    return DB_ERR_RETRY;
}

static void test_transaction_retries(void **state)
{
    (void)state;
    db_t *db = it_db_open(&s_cfg, s_scratch.url, "primary");
    s_runs = 0;
    assert_int_equal(db_transaction(db, s_flaky_tx, NULL), DB_OK);
    assert_int_equal(s_runs, 2);
    s_runs = 0;
    assert_int_equal(db_transaction(db, s_always_conflicts, NULL), DB_ERR_RETRY);
    assert_int_equal(s_runs, 1 + s_cfg.db_tx_retries);
    s_ping(db); /* the connection is usable after the rollbacks */
    db_destroy(&db);
}

/* A real 40001: two SERIALIZABLE transactions with a read/write dependency cycle. */
static void test_real_serialization_failure_is_retry(void **state)
{
    (void)state;
    assert_int_equal(it_exec(s_scratch.url, "CREATE TABLE IF NOT EXISTS it_ser (k int, v int)"), 0);
    PGconn *a = PQconnectdb(s_scratch.url), *b = PQconnectdb(s_scratch.url);
    const char *steps[][2] = {
        {"BEGIN ISOLATION LEVEL SERIALIZABLE", "BEGIN ISOLATION LEVEL SERIALIZABLE"},
        {"SELECT sum(v) FROM it_ser WHERE k = 1", "SELECT sum(v) FROM it_ser WHERE k = 2"},
        {"INSERT INTO it_ser VALUES (2, 1)", "INSERT INTO it_ser VALUES (1, 1)"},
    };
    for (size_t i = 0; i < 3; i++) {
        PQclear(PQexec(a, steps[i][0]));
        PQclear(PQexec(b, steps[i][1]));
    }
    PQclear(PQexec(a, "COMMIT"));
    PGresult *r = PQexec(b, "COMMIT");
    const char *state_b = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    assert_non_null(state_b);
    assert_int_equal(db_classify_sqlstate(state_b), DB_ERR_RETRY);
    PQclear(r);
    PQfinish(a);
    PQfinish(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlstate_classes),
        cmocka_unit_test(test_unique_violation_from_server),
        cmocka_unit_test(test_closed_port_then_recovers),
        cmocka_unit_test(test_terminated_backend_reconnects),
        cmocka_unit_test(test_loss_inside_transaction),
        cmocka_unit_test(test_recycle_after_lifetime),
        cmocka_unit_test(test_idle_check_keeps_healthy_connection),
        cmocka_unit_test(test_unprepared_mode),
        cmocka_unit_test(test_rollback_leaves_no_row),
        cmocka_unit_test(test_commit_of_failed_transaction),
        cmocka_unit_test(test_transaction_retries),
        cmocka_unit_test(test_real_serialization_failure_is_retry),
    };
    it_require_env("DATABASE_URL");
    it_require_env("REDIS_URL");
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
