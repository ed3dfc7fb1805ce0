/* sessions.c against PostgreSQL: session checks, refresh-token rotation, reuse
 * detection (which revokes the whole session), expiry and logout. */
#include "it_support.h"

#include "ids.h"
#include "log.h"
#include "sessions.h"
#include "token.h"
#include "users.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define S_TTL (30 * 24 * 3600)

static it_db_t s_scratch;
static settings_t s_cfg;
static db_t *s_db;

static int s_group_setup(void **state)
{
    (void)state;
    log_set_level(LOG_LEVEL_ERROR);
    if (it_db_create(&s_scratch) < 0)
        return -1;
    it_settings(&s_cfg, s_scratch.url);
    s_db = it_db_open(&s_cfg, s_scratch.url, "primary");
    return s_db ? 0 : -1;
}

static int s_group_teardown(void **state)
{
    (void)state;
    db_destroy(&s_db);
    it_db_drop(&s_scratch);
    return 0;
}

static void s_user(const char *email, users_row_t *u)
{
    assert_int_equal(users_create(s_db, email, "x", NULL, u), DB_OK);
}

static void s_login(const users_row_t *u, sessions_grant_t *g)
{
    assert_int_equal(sessions_create(s_db, u->id, u->role, "127.0.0.1", "it/1.0", S_TTL, g), DB_OK);
    assert_true(ids_is_uuid(g->session_id));
    assert_int_equal(strlen(g->refresh_token), 43); /* 32 bytes, base64url */
}

static long s_count(const char *fmt, const char *arg)
{
    char sql[512];
    snprintf(sql, sizeof sql, fmt, arg);
    return it_query_long(s_scratch.url, sql);
}

static void test_create_and_check(void **state)
{
    (void)state;
    users_row_t u, other;
    sessions_grant_t g;
    s_user("check@example.com", &u);
    s_user("other@example.com", &other);
    s_login(&u, &g);
    assert_string_equal(g.user_id, u.id);
    assert_int_equal(sessions_check(s_db, g.session_id, u.id), DB_OK);
    assert_int_equal(sessions_check(s_db, g.session_id, other.id), DB_ERR_NOT_FOUND);
    assert_int_equal(sessions_check(s_db, "nope", u.id), DB_ERR_NOT_FOUND);
    assert_int_equal(sessions_check(s_db, g.session_id, "nope"), DB_ERR_NOT_FOUND);
    assert_int_equal(
        s_count("SELECT count(*) FROM sessions WHERE id = '%s' AND ip = '127.0.0.1'"
                " AND user_agent = 'it/1.0' AND expires_at > now() + interval '29 days'",
                g.session_id),
        1);
}

/* Only the SHA-256 of a refresh token is stored. */
static void test_token_stored_hashed(void **state)
{
    (void)state;
    users_row_t u;
    sessions_grant_t g;
    s_user("hashed@example.com", &u);
    s_login(&u, &g);
    char hash[65];
    token_sha256_hex(g.refresh_token, hash);
    assert_int_equal(s_count("SELECT count(*) FROM refresh_tokens WHERE token_hash = '%s'", hash),
                     1);
    assert_int_equal(
        s_count("SELECT count(*) FROM refresh_tokens WHERE token_hash = '%s'", g.refresh_token), 0);
}

static void test_rotation_and_reuse(void **state)
{
    (void)state;
    users_row_t u;
    sessions_grant_t first, second, third;
    sessions_outcome_t outcome;
    s_user("rotate@example.com", &u);
    s_login(&u, &first);

    assert_int_equal(sessions_rotate(s_db, first.refresh_token, &second, &outcome), DB_OK);
    assert_int_equal(outcome, SESSIONS_ROTATED);
    assert_string_equal(second.session_id, first.session_id);
    assert_string_equal(second.user_id, u.id);
    assert_string_equal(second.role, "user");
    assert_string_not_equal(second.refresh_token, first.refresh_token);
    assert_int_equal(
        s_count("SELECT count(*) FROM refresh_tokens WHERE session_id = '%s'", first.session_id),
        2);

    assert_int_equal(sessions_rotate(s_db, second.refresh_token, &third, &outcome), DB_OK);
    assert_int_equal(outcome, SESSIONS_ROTATED);

    /* The first token again: stolen or replayed. The whole session goes. */
    assert_int_equal(sessions_rotate(s_db, first.refresh_token, &second, &outcome), DB_OK);
    assert_int_equal(outcome, SESSIONS_REUSED);
    assert_string_equal(second.session_id, ""); /* nothing handed out */
    assert_int_equal(sessions_check(s_db, first.session_id, u.id), DB_ERR_NOT_FOUND);
    assert_int_equal(s_count("SELECT count(*) FROM sessions WHERE id = '%s'"
                             " AND revoked_reason = 'reuse' AND revoked_at IS NOT NULL",
                             first.session_id),
                     1);
    /* The newest token of the revoked session does not work either. */
    assert_int_equal(sessions_rotate(s_db, third.refresh_token, &second, &outcome), DB_OK);
    assert_int_equal(outcome, SESSIONS_REVOKED);
}

static void test_unknown_tokens(void **state)
{
    (void)state;
    sessions_grant_t g;
    sessions_outcome_t outcome = SESSIONS_ROTATED;
    assert_int_equal(sessions_rotate(s_db, "no-such-token", &g, &outcome), DB_OK);
    assert_int_equal(outcome, SESSIONS_UNKNOWN);
    outcome = SESSIONS_ROTATED;
    assert_int_equal(sessions_rotate(s_db, "", &g, &outcome), DB_OK);
    assert_int_equal(outcome, SESSIONS_UNKNOWN);
    char huge[SESSIONS_TOKEN_INPUT_MAX + 2];
    memset(huge, 'A', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    outcome = SESSIONS_ROTATED;
    assert_int_equal(sessions_rotate(s_db, huge, &g, &outcome), DB_OK);
    assert_int_equal(outcome, SESSIONS_UNKNOWN);
}

static void test_expired_session(void **state)
{
    (void)state;
    users_row_t u;
    sessions_grant_t g, next;
    sessions_outcome_t outcome;
    s_user("expired@example.com", &u);
    s_login(&u, &g);
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = '%s'",
             g.session_id);
    assert_int_equal(it_exec(s_scratch.url, sql), 0);
    assert_int_equal(sessions_check(s_db, g.session_id, u.id), DB_ERR_NOT_FOUND);
    assert_int_equal(sessions_rotate(s_db, g.refresh_token, &next, &outcome), DB_OK);
    assert_int_equal(outcome, SESSIONS_EXPIRED);
}

static void test_expired_token(void **state)
{
    (void)state;
    users_row_t u;
    sessions_grant_t g, next;
    sessions_outcome_t outcome;
    s_user("expired-token@example.com", &u);
    s_login(&u, &g);
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE refresh_tokens SET expires_at = now() - interval '1 second'"
             " WHERE session_id = '%s'",
             g.session_id);
    assert_int_equal(it_exec(s_scratch.url, sql), 0);
    assert_int_equal(sessions_rotate(s_db, g.refresh_token, &next, &outcome), DB_OK);
    assert_int_equal(outcome, SESSIONS_EXPIRED);
    assert_int_equal(sessions_check(s_db, g.session_id, u.id), DB_OK); /* the session lives on */
}

static void test_logout_revokes(void **state)
{
    (void)state;
    users_row_t u, other;
    sessions_grant_t g, next;
    sessions_outcome_t outcome;
    s_user("logout@example.com", &u);
    s_user("logout-other@example.com", &other);
    s_login(&u, &g);
    assert_int_equal(sessions_revoke(s_db, g.session_id, other.id, "logout"), DB_ERR_NOT_FOUND);
    assert_int_equal(sessions_revoke(s_db, g.session_id, u.id, "logout"), DB_OK);
    assert_int_equal(sessions_revoke(s_db, g.session_id, u.id, "logout"), DB_ERR_NOT_FOUND);
    assert_int_equal(sessions_check(s_db, g.session_id, u.id), DB_ERR_NOT_FOUND);
    assert_int_equal(sessions_rotate(s_db, g.refresh_token, &next, &outcome), DB_OK);
    assert_int_equal(outcome, SESSIONS_REVOKED);
    assert_int_equal(s_count("SELECT count(*) FROM sessions WHERE id = '%s'"
                             " AND revoked_reason = 'logout'",
                             g.session_id),
                     1);
}

typedef struct {
    const char *token;
    sessions_outcome_t outcome;
    db_err_t err;
} s_racer_t;

static void *s_race(void *arg)
{
    s_racer_t *r = arg;
    db_t *db = it_db_open(&s_cfg, s_scratch.url, "racer");
    sessions_grant_t g;
    r->err = db ? sessions_rotate(db, r->token, &g, &r->outcome) : DB_ERR_UNAVAILABLE;
    db_destroy(&db);
    return NULL;
}

/* Two refreshes of the same token at once: the row lock orders them; the second sees
 * a used token, which is exactly what a replay looks like. */
static void test_concurrent_rotation(void **state)
{
    (void)state;
    users_row_t u;
    sessions_grant_t g;
    s_user("race@example.com", &u);
    s_login(&u, &g);
    s_racer_t racers[2] = {{g.refresh_token, SESSIONS_UNKNOWN, DB_OK},
                           {g.refresh_token, SESSIONS_UNKNOWN, DB_OK}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, s_race, &racers[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(racers[0].err, DB_OK);
    assert_int_equal(racers[1].err, DB_OK);
    int rotated = (racers[0].outcome == SESSIONS_ROTATED) + (racers[1].outcome == SESSIONS_ROTATED);
    int reused = (racers[0].outcome == SESSIONS_REUSED) + (racers[1].outcome == SESSIONS_REUSED);
    assert_int_equal(rotated, 1);
    assert_int_equal(reused, 1);
    assert_int_equal(sessions_check(s_db, g.session_id, u.id), DB_ERR_NOT_FOUND);
}

static void test_unavailable_database(void **state)
{
    (void)state;
    db_t *down = it_db_open(&s_cfg, "postgresql://bedrock@127.0.0.1:1/none", "primary");
    sessions_grant_t g;
    sessions_outcome_t outcome;
    assert_int_equal(sessions_create(down, "11111111-1111-1111-1111-111111111111", "user", NULL,
                                     NULL, S_TTL, &g),
                     DB_ERR_UNAVAILABLE);
    assert_int_equal(sessions_rotate(down, "some-token", &g, &outcome), DB_ERR_UNAVAILABLE);
    assert_int_equal(sessions_check(down, "11111111-1111-1111-1111-111111111111",
                                    "11111111-1111-1111-1111-111111111111"),
                     DB_ERR_UNAVAILABLE);
    db_destroy(&down);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_check),     cmocka_unit_test(test_token_stored_hashed),
        cmocka_unit_test(test_rotation_and_reuse),   cmocka_unit_test(test_unknown_tokens),
        cmocka_unit_test(test_expired_session),      cmocka_unit_test(test_expired_token),
        cmocka_unit_test(test_logout_revokes),       cmocka_unit_test(test_concurrent_rotation),
        cmocka_unit_test(test_unavailable_database),
    };
    it_require_env("DATABASE_URL");
    it_require_env("REDIS_URL");
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
