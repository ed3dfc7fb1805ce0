/* users.c, password.c and validate.c: the accounts repository against PostgreSQL. */
#include "it_support.h"

#include "ids.h"
#include "log.h"
#include "password.h"
#include "users.h"
#include "validate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

static it_db_t s_scratch;
static settings_t s_cfg;
static db_t *s_db;
static password_t *s_pw;

static int s_group_setup(void **state)
{
    (void)state;
    log_set_level(LOG_LEVEL_ERROR);
    if (it_db_create(&s_scratch) < 0)
        return -1;
    it_settings(&s_cfg, s_scratch.url);
    s_db = it_db_open(&s_cfg, s_scratch.url, "primary");
    s_pw = password_new(4);
    return (s_db && s_pw) ? 0 : -1;
}

static int s_group_teardown(void **state)
{
    (void)state;
    db_destroy(&s_db);
    password_destroy(&s_pw);
    it_db_drop(&s_scratch);
    return 0;
}

static void s_hash(const char *plain, char out[PASSWORD_HASH_MAX])
{
    assert_int_equal(password_hash(s_pw, plain, out, PASSWORD_HASH_MAX), 0);
}

static void test_create_and_lookup(void **state)
{
    (void)state;
    char hash[PASSWORD_HASH_MAX];
    s_hash("correct horse", hash);
    users_row_t created, by_email, by_id;
    assert_int_equal(users_create(s_db, "ada@example.com", hash, "Ada", &created), DB_OK);
    assert_true(ids_is_uuid(created.id));
    assert_string_equal(created.email, "ada@example.com");
    assert_string_equal(created.role, "user");

    assert_int_equal(users_find_by_email(s_db, "ada@example.com", &by_email), DB_OK);
    assert_string_equal(by_email.id, created.id);
    assert_string_equal(by_email.password_hash, hash);
    assert_false(by_email.is_verified);
    assert_int_equal(users_find_by_id(s_db, created.id, &by_id), DB_OK);
    assert_string_equal(by_id.email, "ada@example.com");

    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM user_profiles WHERE user_id = '%s' AND display_name = 'Ada'",
             created.id);
    assert_int_equal(it_query_long(s_scratch.url, sql), 1);

    assert_int_equal(users_find_by_email(s_db, "nobody@example.com", &by_email), DB_ERR_NOT_FOUND);
    assert_int_equal(users_find_by_id(s_db, "00000000-0000-0000-0000-000000000000", &by_id),
                     DB_ERR_NOT_FOUND);
    assert_int_equal(users_find_by_id(s_db, "not-a-uuid", &by_id), DB_ERR_NOT_FOUND);
}

static void test_duplicate_email_is_unique_violation(void **state)
{
    (void)state;
    users_row_t u;
    assert_int_equal(users_create(s_db, "twice@example.com", "x", NULL, &u), DB_OK);
    assert_int_equal(users_create(s_db, "twice@example.com", "y", NULL, &u), DB_ERR_UNIQUE);
    assert_int_equal(it_query_long(s_scratch.url,
                                   "SELECT count(*) FROM users WHERE email = 'twice@example.com'"),
                     1);
}

/* The profile insert fails (display_name over VARCHAR(100)): the user insert made in
 * the same transaction must be gone too. */
static void test_failed_profile_rolls_back_user(void **state)
{
    (void)state;
    char long_name[151];
    memset(long_name, 'n', 150);
    long_name[150] = '\0';
    users_row_t u;
    assert_int_equal(users_create(s_db, "halfway@example.com", "x", long_name, &u),
                     DB_ERR_INVALID_DATA);
    assert_int_equal(users_find_by_email(s_db, "halfway@example.com", &u), DB_ERR_NOT_FOUND);
    assert_int_equal(
        it_query_long(s_scratch.url,
                      "SELECT count(*) FROM users WHERE email = 'halfway@example.com'"),
        0);
    /* and the connection is fine afterwards */
    assert_int_equal(users_create(s_db, "halfway@example.com", "x", "ok", &u), DB_OK);
}

static bool s_iso_utc(const char *s)
{
    /* YYYY-MM-DDTHH:MM:SSZ */
    const char *shape = "dddd-dd-ddTdd:dd:ddZ";
    if (!s || strlen(s) != strlen(shape))
        return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return false;
    return true;
}

static void test_load_me(void **state)
{
    (void)state;
    users_row_t u;
    assert_int_equal(users_create(s_db, "me@example.com", "x", NULL, &u), DB_OK);
    users_me_t me;
    assert_int_equal(users_load_me(s_db, u.id, &me), DB_OK);
    assert_string_equal(me.user.id, u.id);
    assert_string_equal(me.user.email, "me@example.com");
    assert_string_equal(me.user.role, "user");
    assert_true(s_iso_utc(me.created_at));
    /* written as UTC: within a minute of the UTC clock */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char today[16];
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    assert_memory_equal(me.created_at, today, 10);
    assert_null(me.display_name);
    assert_null(me.avatar_url);
    assert_null(me.language);
    assert_string_equal(me.privacy, "private");
    assert_true(me.notifications);
    users_me_clear(&me);
    assert_int_equal(users_load_me(s_db, "11111111-1111-1111-1111-111111111111", &me),
                     DB_ERR_NOT_FOUND);
}

static void test_password_hash_and_verify(void **state)
{
    (void)state;
    char hash[PASSWORD_HASH_MAX], again[PASSWORD_HASH_MAX];
    s_hash("s3cret-passphrase", hash);
    s_hash("s3cret-passphrase", again);
    assert_memory_equal(hash, "$2b$04$", 7);
    assert_int_equal(strlen(hash), 60);
    assert_string_not_equal(hash, again); /* fresh salt each time */
    uint64_t before = password_verify_count(s_pw);
    assert_true(password_verify(s_pw, "s3cret-passphrase", hash));
    assert_false(password_verify(s_pw, "s3cret-passphrasE", hash));
    assert_false(password_verify(s_pw, "s3cret-passphrase", "not a hash"));
    assert_false(password_verify(s_pw, "s3cret-passphrase", ""));
    assert_false(password_verify_dummy(s_pw, "s3cret-passphrase"));
    assert_int_equal(password_verify_count(s_pw), before + 5);
}

/* The configured default cost shows in the hash: "$2b$10$". */
static void test_password_cost_10_prefix(void **state)
{
    (void)state;
    settings_t defaults;
    settings_defaults(&defaults);
    assert_int_equal(defaults.bcrypt_cost, 10);
    password_t *pw = password_new(defaults.bcrypt_cost);
    assert_non_null(pw);
    char hash[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash(pw, "ten rounds please", hash, sizeof hash), 0);
    assert_memory_equal(hash, "$2b$10$", 7);
    assert_true(password_verify(pw, "ten rounds please", hash));
    password_destroy(&pw);
    assert_null(pw);
}

static void test_validate_email(void **state)
{
    (void)state;
    char out[VALIDATE_EMAIL_MAX + 1];
    const char *in = "  Ada.Lovelace@Example.COM \t";
    assert_int_equal(validate_email(in, strlen(in), out, sizeof out), 0);
    assert_string_equal(out, "ada.lovelace@example.com");
    const char *bad[] = {"",
                         "   ",
                         "plain",
                         "@example.com",
                         "a@b",
                         "a@@example.com",
                         "a@b@example.com",
                         "a b@example.com",
                         "a@example..com",
                         "a@.example.com",
                         "a@example.com.",
                         "a@example",
                         "a@exa mple.com",
                         "a\x01@example.com"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(validate_email(bad[i], strlen(bad[i]), out, sizeof out), -1);
    char nul[] = "a\0b@example.com";
    assert_int_equal(validate_email(nul, sizeof nul - 1, out, sizeof out), -1);
    char longest[300];
    memset(longest, 'a', sizeof longest);
    memcpy(longest + 243, "@example.com", 12); /* 255 bytes */
    assert_int_equal(validate_email(longest, 255, out, sizeof out), 0);
    longest[0] = 'b';
    memmove(longest + 1, longest, 255); /* 256 bytes */
    assert_int_equal(validate_email(longest, 256, out, sizeof out), -1);
}

static void test_validate_password_and_name(void **state)
{
    (void)state;
    char pw[80];
    memset(pw, 'p', sizeof pw);
    assert_int_equal(validate_password(pw, 7), -1);
    assert_int_equal(validate_password(pw, 8), 0);
    assert_int_equal(validate_password(pw, 72), 0);
    assert_int_equal(validate_password(pw, 73), -1);
    pw[3] = '\0';
    assert_int_equal(validate_password(pw, 10), -1);

    char name[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(name, "\xc3\xa9"); /* é: 100 characters, 200 bytes */
    assert_int_equal(validate_display_name(name, strlen(name)), 0);
    strcat(name, "x");
    assert_int_equal(validate_display_name(name, strlen(name)), -1);
    assert_int_equal(validate_display_name("", 0), 0);
    assert_int_equal(validate_display_name("\xff", 1), -1);
    assert_int_equal(validate_utf8_length("a\xe2\x82\xac", 4), 2);
}

static void test_redact_url(void **state)
{
    (void)state;
    char out[256];
    settings_redact_url("postgresql://bedrock:pw@db:5432/app", out, sizeof out);
    assert_string_equal(out, "postgresql://bedrock:****@db:5432/app");
    settings_redact_url("postgresql://db/app?user=u&password=pw&sslmode=require", out, sizeof out);
    assert_string_equal(out, "postgresql://db/app?user=u&password=****&sslmode=require");
    settings_redact_url("redis://:pw@cache:6379/1", out, sizeof out);
    assert_string_equal(out, "redis://:****@cache:6379/1");
    settings_redact_url("postgresql://bedrock@db:5432/app?x=a@b", out, sizeof out);
    assert_string_equal(out, "postgresql://bedrock@db:5432/app?x=a@b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_lookup),
        cmocka_unit_test(test_duplicate_email_is_unique_violation),
        cmocka_unit_test(test_failed_profile_rolls_back_user),
        cmocka_unit_test(test_load_me),
        cmocka_unit_test(test_password_hash_and_verify),
        cmocka_unit_test(test_password_cost_10_prefix),
        cmocka_unit_test(test_validate_email),
        cmocka_unit_test(test_validate_password_and_name),
        cmocka_unit_test(test_redact_url),
    };
    it_require_env("DATABASE_URL");
    it_require_env("REDIS_URL");
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
