/* lib_lifecycle — the account lifecycle over HTTP: email verification (token made at
 * registration, stored hashed, written to the outbox, used once, expiring), password
 * change (other sessions revoked, the current one kept), DELETE /v1/me (every token and
 * the login fail at once), GET /v1/me/export (everything written appears, no secret
 * does), the purge (no row of the user left in any table; a user.purged entry without
 * personal data) and the inactivity policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "lib_support.h"
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cluster_t *s_cluster;
static const char *s_base;

static void s_expect(http_response_t *r, long status, const char *code)
{
    if (code)
        expect_error(r, status, code);
    else
        expect_status(r, status);
    http_response_free(&r);
}

static http_response_t *s_verify(const char *token)
{
    json_t *o = json_pack("{s:s}", "token", token);
    char *body = json_dumps(o, JSON_COMPACT);
    http_response_t *r = http_post(s_base, "/v1/auth/verify-email", NULL, body);
    free(body);
    json_decref(o);
    return r;
}

static bool s_verified(const fixture_user_t *u)
{
    http_response_t *r = http_get(s_base, "/v1/me", u->access);
    bool v = json_is_true(lt_get(r, "is_verified"));
    http_response_free(&r);
    return v;
}

static void test_verify_email(void **state)
{
    (void)state;
    fixture_user_t u, late;
    fixture_new_user(s_base, &u, "verify");
    fixture_new_user(s_base, &late, "verifylate");
    char *token = lt_outbox_token(u.id);
    assert_non_null(token);
    assert_true(strlen(token) >= 40);
    char hash[65];
    token_sha256_hex(token, hash);
    const char *ph[] = {u.id, hash}, *pt[] = {token};
    /* Stored only hashed; the outbox row is addressed to the account's email. */
    assert_int_equal(lt_sql_long("SELECT count(*) FROM email_verification_tokens WHERE "
                                 "user_id = $1::uuid AND token_hash = $2 AND expires_at > now() "
                                 "+ interval '47 hours'",
                                 ph, 2),
                     1);
    assert_int_equal(lt_sql_long("SELECT count(*) FROM email_verification_tokens "
                                 "WHERE token_hash = $1",
                                 pt, 1),
                     0);
    const char *pe[] = {u.id, u.email};
    assert_int_equal(lt_sql_long("SELECT count(*) FROM email_outbox WHERE user_id = $1::uuid AND "
                                 "to_email = $2 AND template = 'verify_email' AND sent_at IS NULL",
                                 pe, 2),
                     1);

    assert_false(s_verified(&u));
    s_expect(s_verify("not-a-token"), 400, "invalid_token");
    s_expect(http_post(s_base, "/v1/auth/verify-email", NULL, "{}"), 400, "invalid_argument");
    s_expect(s_verify(token), 204, NULL);
    assert_true(s_verified(&u));
    s_expect(s_verify(token), 400, "invalid_token"); /* used */
    free(token);

    /* Expired: pushed into the past by SQL. */
    char *late_token = lt_outbox_token(late.id);
    const char *pl[] = {late.id};
    assert_int_equal(lt_sql_exec("UPDATE email_verification_tokens SET expires_at = now() - "
                                 "interval '1 second' WHERE user_id = $1::uuid",
                                 pl, 1),
                     0);
    s_expect(s_verify(late_token), 400, "invalid_token");
    assert_false(s_verified(&late));
    free(late_token);
    assert_int_equal(lt_audit_count(u.id, "auth.email_verified"), 1);
    assert_int_equal(lt_audit_count(u.id, "user.registered"), 1);
    check_test_passed();
}

static http_response_t *s_password(const fixture_user_t *u, const char *current, const char *next)
{
    json_t *o = json_pack("{s:s, s:s}", "current_password", current, "new_password", next);
    char *body = json_dumps(o, JSON_COMPACT);
    http_response_t *r = http_post(s_base, "/v1/auth/password", u->access, body);
    free(body);
    json_decref(o);
    return r;
}

static void test_password_change(void **state)
{
    (void)state;
    fixture_user_t u, other_session;
    fixture_new_user(s_base, &u, "passwd");
    other_session = u;
    fixture_relogin(s_base, &other_session);
    s_expect(s_password(&u, "wrong password", "brand new secret"), 401, "invalid_credentials");
    s_expect(s_password(&u, u.password, "short"), 400, "invalid_argument");
    s_expect(http_post(s_base, "/v1/auth/password", NULL, "{}"), 401, "unauthorized");
    s_expect(s_password(&u, u.password, "brand new secret"), 204, NULL);

    s_expect(http_get(s_base, "/v1/me", u.access), 200, NULL); /* the current session stays */
    s_expect(http_get(s_base, "/v1/me", other_session.access), 401, "unauthorized");
    char body[FIXTURE_TOKEN_MAX + 64];
    snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", other_session.refresh);
    s_expect(http_post(s_base, "/v1/auth/refresh", NULL, body), 401, "invalid_token");
    s_expect(fixture_login(s_base, u.email, u.password), 401, "invalid_credentials");
    s_expect(fixture_login(s_base, u.email, "brand new secret"), 200, NULL);
    assert_int_equal(lt_audit_count(u.id, "auth.password_changed"), 1);
    assert_int_equal(lt_audit_count(u.id, "auth.password_change_failed"), 1);
    check_test_passed();
}

static void test_delete_account(void **state)
{
    (void)state;
    fixture_user_t u, second;
    fixture_new_user(s_base, &u, "delete");
    second = u;
    fixture_relogin(s_base, &second);
    s_expect(lt_call(s_base, "DELETE", "/v1/me", u.access, NULL), 204, NULL);
    /* Every token of the account fails at once, the login too. */
    s_expect(http_get(s_base, "/v1/me", u.access), 401, "unauthorized");
    s_expect(http_get(s_base, "/v1/me", second.access), 401, "unauthorized");
    s_expect(http_get(s_base, "/v1/me/playlists", second.access), 401, "unauthorized");
    char body[FIXTURE_TOKEN_MAX + 64];
    snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", second.refresh);
    s_expect(http_post(s_base, "/v1/auth/refresh", NULL, body), 401, "invalid_token");
    s_expect(fixture_login(s_base, u.email, u.password), 401, "invalid_credentials");
    /* The email stays taken until the purge. */
    s_expect(fixture_register(s_base, u.email, u.password), 409, "email_taken");
    const char *p[] = {u.id};
    assert_int_equal(lt_sql_long("SELECT count(*) FROM sessions WHERE user_id = $1::uuid "
                                 "AND revoked_at IS NULL",
                                 p, 1),
                     0);
    assert_int_equal(lt_audit_count(u.id, "user.deleted"), 1);
    check_test_passed();
}

static bool s_has(json_t *array, const char *key, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v)
    {
        const char *s = json_string_value(json_object_get(v, key));
        if (s && strcmp(s, value) == 0)
            return true;
    }
    return false;
}

static void test_export_everything(void **state)
{
    (void)state;
    fixture_user_t u, second;
    fixture_new_user(s_base, &u, "export");
    second = u;
    fixture_relogin(s_base, &second);
    lt_fill_user(s_base, &u);
    s_expect(lt_call(s_base, "POST", "/v1/auth/logout", second.access, NULL), 204, NULL);
    s_expect(fixture_login(s_base, u.email, "wrong password"), 401, "invalid_credentials");

    http_response_t *r = http_get(s_base, "/v1/me/export", u.access);
    expect_status(r, 200);
    json_t *doc = expect_json_object(r);
    json_t *account = json_object_get(doc, "account");
    expect_that(r, !strcmp(json_string_value(json_object_get(account, "email")), u.email), "email");
    expect_that(
        r,
        !strcmp(json_string_value(json_object_get(json_object_get(doc, "profile"), "display_name")),
                "Fill Name"),
        "profile");
    expect_that(
        r,
        !strcmp(json_string_value(json_object_get(json_object_get(doc, "preferences"), "language")),
                "fr"),
        "preferences");
    expect_that(
        r,
        !strcmp(json_string_value(json_object_get(json_object_get(doc, "settings"), "privacy")),
                "public"),
        "settings");
    json_t *sessions = json_object_get(doc, "sessions");
    expect_that(r, json_array_size(sessions) == 2 && s_has(sessions, "revoked_reason", "logout"),
                "both sessions, the logged-out one marked");
    expect_that(r, s_has(json_object_get(doc, "favorites"), "id", "deezer:3135556"), "favorite");
    json_t *pl = json_array_get(json_object_get(doc, "playlists"), 0);
    expect_that(r, s_has(json_object_get(pl, "items"), "track_id", "local:78"), "playlist items");
    expect_that(r, s_has(json_object_get(doc, "history"), "track_id", "local:4242"), "history");
    expect_that(r, s_has(json_object_get(doc, "play_counts"), "track_id", "local:4242"), "counts");
    expect_that(r, s_has(json_object_get(doc, "search_history"), "query", "fill query"), "search");
    expect_that(
        r,
        !strcmp(json_string_value(json_object_get(json_object_get(doc, "player"), "device")),
                "fill-device"),
        "player");
    expect_that(r, json_array_size(json_object_get(doc, "email_verifications")) == 1, "token row");
    expect_that(r, s_has(json_object_get(doc, "emails"), "template", "verify_email"), "outbox");
    json_t *audit = json_object_get(doc, "audit");
    const char *actions[] = {"user.registered",      "auth.login.succeeded", "auth.login.failed",
                             "user.profile_updated", "auth.logout",          NULL};
    for (int i = 0; actions[i]; i++)
        expect_that(r, s_has(audit, "action", actions[i]), "audit entry %s", actions[i]);

    /* No secret: password hash, refresh-token hashes, the verification token. */
    const char *p[] = {u.id};
    char *pw = lt_sql_text("SELECT password_hash FROM users WHERE id = $1::uuid", p, 1);
    char *rt = lt_sql_text("SELECT rt.token_hash FROM refresh_tokens rt JOIN sessions s ON "
                           "s.id = rt.session_id WHERE s.user_id = $1::uuid LIMIT 1",
                           p, 1);
    char *vt = lt_outbox_token(u.id);
    assert_non_null(pw);
    assert_non_null(rt);
    assert_non_null(vt);
    expect_that(r, !strstr(r->body, pw) && !strstr(r->body, rt) && !strstr(r->body, vt),
                "the export holds no password hash, token hash or verification token");
    free(pw), free(rt), free(vt);
    http_response_free(&r);
    check_test_passed();
}

static int s_ctl(const char *const *args, char **out)
{
    proc_result_t res;
    assert_int_equal(lt_ctl(s_cluster, args, &res), 0);
    int code = res.exited ? res.exit_code : -1;
    if (out)
        *out = res.out ? strdup(res.out) : NULL;
    proc_result_clear(&res);
    return code;
}

static void test_purge(void **state)
{
    (void)state;
    fixture_user_t u, u2, keep;
    fixture_new_user(s_base, &u, "purge");
    fixture_new_user(s_base, &u2, "purge2");
    fixture_new_user(s_base, &keep, "purgekeep");
    lt_fill_user(s_base, &u);
    lt_fill_user(s_base, &keep);
    s_expect(lt_call(s_base, "DELETE", "/v1/me", u.access, NULL), 204, NULL);
    s_expect(lt_call(s_base, "DELETE", "/v1/me", u2.access, NULL), 204, NULL);
    assert_true(lt_rows_of_user(u.id, false) > 10);

    /* Inside the retention window: kept. */
    const char *keep30[] = {"purge", "--older-than-days", "30", NULL};
    assert_int_equal(s_ctl(keep30, NULL), 0);
    const char *p[] = {u.id};
    assert_int_equal(lt_sql_long("SELECT count(*) FROM users WHERE id = $1::uuid", p, 1), 1);

    char *out = NULL;
    const char *now[] = {"purge", "--older-than-days", "0", NULL};
    assert_int_equal(s_ctl(now, &out), 0);
    json_t *reply = out ? json_loads(out, 0, NULL) : NULL;
    json_t *purged = json_object_get(json_object_get(reply, "data"), "purged");
    /* One account per batch here, so this took several batches (and calls): summed. */
    if (!json_is_integer(purged) || json_integer_value(purged) < 2)
        fail_msg("bedrockctl purge printed %s", out ? out : "(nothing)");
    json_decref(reply);
    free(out);

    assert_int_equal(lt_rows_of_user(u.id, true), 0);
    assert_int_equal(lt_rows_of_user(u2.id, true), 0);
    assert_int_equal(lt_sql_long("SELECT count(*) FROM audit_log WHERE action = 'user.purged' "
                                 "AND user_id IS NULL AND actor_id IS NULL AND "
                                 "details->>'user_id_sha256' = "
                                 "encode(sha256(convert_to($1, 'UTF8')), 'hex')",
                                 p, 1),
                     1);
    /* The other account is untouched. */
    assert_true(lt_rows_of_user(keep.id, false) > 10);
    s_expect(http_get(s_base, "/v1/me/export", keep.access), 200, NULL);
    /* The email is free again. */
    s_expect(fixture_register(s_base, u.email, u.password), 201, NULL);
    const char *bad[] = {"purge", "--older-than-days", "-1", NULL};
    assert_int_equal(s_ctl(bad, NULL), 2);
    check_test_passed();
}

/* users.purge with BEDROCK_INACTIVE_DAYS=30 on a cluster of its own: an account whose
 * last login is 40 days old is soft-deleted (an admin's is not), a recent one stays. */
static void test_inactive_policy(void **state)
{
    (void)state;
    static const char *const env[] = {"BEDROCK_INACTIVE_DAYS=30", NULL};
    cluster_options_t opt = {.n_workers = 1, .worker_env = env};
    cluster_t *c = cluster_start_opts(&opt);
    assert_non_null(c);
    const char *base = cluster_base_url(c);
    fixture_user_t old, admin, fresh;
    fixture_new_user(base, &old, "inactive");
    fixture_new_user(base, &admin, "inactiveadmin");
    fixture_new_user(base, &fresh, "active");
    lt_promote(c, &admin);
    const char *ids[] = {old.id, admin.id};
    for (int i = 0; i < 2; i++)
        assert_int_equal(lt_sql_exec("UPDATE users SET last_active_at = now() - interval '40 days' "
                                     "WHERE id = $1::uuid",
                                     &ids[i], 1),
                         0);
    proc_result_t res;
    const char *args[] = {"purge", "--older-than-days", "30", NULL};
    assert_int_equal(lt_ctl(c, args, &res), 0);
    assert_int_equal(res.exit_code, 0);
    proc_result_clear(&res);
    s_expect(http_get(base, "/v1/me", old.access), 401, "unauthorized");
    s_expect(fixture_login(base, old.email, old.password), 401, "invalid_credentials");
    s_expect(http_get(base, "/v1/me", admin.access), 200, NULL);
    s_expect(http_get(base, "/v1/me", fresh.access), 200, NULL);
    const char *p[] = {old.id};
    assert_int_equal(lt_sql_long("SELECT count(*) FROM audit_log WHERE user_id = $1::uuid AND "
                                 "action = 'user.deleted' AND details->>'reason' = 'inactive'",
                                 p, 1),
                     1);
    assert_int_equal(cluster_stop(&c), 0);
    check_test_passed();
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

static int s_group_setup(void **state)
{
    (void)state;
    /* Tiny purge batches and budget: `bedrockctl purge` must loop until done. */
    static const char *const env[] = {"BEDROCK_PURGE_BATCH=1", "BEDROCK_PURGE_BUDGET_MS=10",
                                      NULL};
    cluster_options_t opt = {.n_workers = 2, .worker_env = env};
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

int main(void)
{
    check_require_services();
    proc_watchdog(85);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_verify_email, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_password_change, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_delete_account, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_export_everything, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_purge, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_inactive_policy, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("lib_lifecycle", tests, s_group_setup, s_group_teardown);
}
