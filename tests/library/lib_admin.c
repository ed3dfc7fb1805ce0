/* lib_admin — the admin endpoints and the audit trail over HTTP: 403 for non-admins,
 * the first admin made with `bedrockctl user promote EMAIL`, the users list (email
 * filter, pagination), role changes (a demoted admin's token stops working for admin
 * ops at once), and GET /v1/admin/audit?user_id= showing an entry for each audited
 * action, newest first, with ip and user agent, and no email or secret in clear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "lib_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static void test_non_admin_forbidden(void **state)
{
    (void)state;
    fixture_user_t u, target;
    fixture_new_user(s_base, &u, "notadmin");
    fixture_new_user(s_base, &target, "target");
    s_expect(http_get(s_base, "/v1/admin/users", u.access), 403, "forbidden");
    s_expect(http_get(s_base, "/v1/admin/audit", u.access), 403, "forbidden");
    s_expect(
        lt_callf(s_base, "PATCH", u.access, "{\"role\":\"admin\"}", "/v1/admin/users/%s", u.id),
        403, "forbidden");
    s_expect(http_get(s_base, "/v1/admin/users", NULL), 401, "unauthorized");
    /* A token claiming admin does not help: the role is read from the database. */
    long long now = (long long)time(NULL);
    char *forged = fixture_token(cluster_secret(s_cluster), u.id, "admin", u.sid, now, now + 900);
    s_expect(http_get(s_base, "/v1/admin/users", forged), 403, "forbidden");
    free(forged);
    const char *p[] = {u.id};
    assert_int_equal(
        lt_sql_long("SELECT count(*) FROM users WHERE id = $1::uuid AND role = 'user'", p, 1), 1);
    check_test_passed();
}

static void test_promote_and_roles(void **state)
{
    (void)state;
    fixture_user_t admin, other;
    fixture_new_user(s_base, &admin, "admin");
    fixture_new_user(s_base, &other, "promoted");
    lt_promote(s_cluster, &admin);
    http_response_t *r = http_get(s_base, "/v1/me", admin.access);
    expect_that(r, !strcmp(json_string_value(lt_get(r, "role")), "admin"), "role admin");
    http_response_free(&r);
    const char *pa[] = {admin.id};
    assert_int_equal(lt_sql_long("SELECT count(*) FROM audit_log WHERE user_id = $1::uuid AND "
                                 "action = 'user.role_changed' AND actor_id IS NULL AND "
                                 "details->>'via' = 'bedrockctl' AND details->>'to' = 'admin'",
                                 pa, 1),
                     1);

    /* The admin makes `other` an admin, which then works at once... */
    s_expect(lt_callf(s_base, "PATCH", admin.access, "{\"role\":\"admin\"}", "/v1/admin/users/%s",
                      other.id),
             200, NULL);
    s_expect(http_get(s_base, "/v1/admin/users", other.access), 200, NULL);
    /* ...and demotes it: its token (whatever its claim) stops working for admin ops. */
    fixture_relogin(s_base, &other); /* a token whose role claim is admin */
    json_t *claims = fixture_jwt_part(other.access, 1);
    assert_string_equal(json_string_value(json_object_get(claims, "role")), "admin");
    json_decref(claims);
    r = lt_callf(s_base, "PATCH", admin.access, "{\"role\":\"user\"}", "/v1/admin/users/%s",
                 other.id);
    expect_status(r, 200);
    expect_that(r, !strcmp(json_string_value(lt_get(r, "role")), "user"), "reply shows the role");
    http_response_free(&r);
    s_expect(http_get(s_base, "/v1/admin/users", other.access), 403, "forbidden");
    s_expect(http_get(s_base, "/v1/me", other.access), 200, NULL); /* still a user */

    s_expect(lt_callf(s_base, "PATCH", admin.access, "{\"role\":\"root\"}", "/v1/admin/users/%s",
                      other.id),
             400, "invalid_argument");
    s_expect(lt_call(s_base, "PATCH", "/v1/admin/users/nope", admin.access, "{\"role\":\"user\"}"),
             400, "invalid_id");
    s_expect(lt_call(s_base, "PATCH", "/v1/admin/users/00000000-0000-4000-8000-000000000000",
                     admin.access, "{\"role\":\"user\"}"),
             404, "not_found");
    const char *po[] = {other.id, admin.id};
    assert_int_equal(lt_sql_long("SELECT count(*) FROM audit_log WHERE user_id = $1::uuid AND "
                                 "actor_id = $2::uuid AND action = 'user.role_changed'",
                                 po, 2),
                     2);

    /* bedrockctl: an unknown email is exit 1, a missing one exit 2. */
    proc_result_t res;
    const char *unknown[] = {"user", "promote", "nobody-here@example.com", NULL};
    assert_int_equal(lt_ctl(s_cluster, unknown, &res), 0);
    assert_int_equal(res.exit_code, 1);
    proc_result_clear(&res);
    const char *missing[] = {"user", "promote", NULL};
    assert_int_equal(lt_ctl(s_cluster, missing, &res), 0);
    assert_int_equal(res.exit_code, 2);
    proc_result_clear(&res);
    check_test_passed();
}

static void test_users_list(void **state)
{
    (void)state;
    fixture_user_t admin, u[3];
    fixture_new_user(s_base, &admin, "lister");
    lt_promote(s_cluster, &admin);
    char tag[32];
    snprintf(tag, sizeof tag, "findme%d", (int)getpid());
    for (int i = 0; i < 3; i++)
        fixture_new_user(s_base, &u[i], tag);
    json_t *seen = json_array();
    char cursor[512] = "";
    for (int page = 0; page < 10; page++) {
        /* Upper case on purpose: the filter ignores case. */
        http_response_t *r = lt_callf(s_base, "GET", admin.access, NULL,
                                      "/v1/admin/users?email=FINDME%d&limit=2%s%s", (int)getpid(),
                                      cursor[0] ? "&cursor=" : "", cursor);
        expect_status(r, 200);
        size_t i;
        json_t *v;
        json_array_foreach(lt_get(r, "items"), i, v)
        {
            expect_that(r, json_object_get(v, "password_hash") == NULL, "no password hash");
            json_array_append(seen, json_object_get(v, "email"));
        }
        json_t *next = lt_get(r, "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", json_is_string(next) ? json_string_value(next) : "");
        http_response_free(&r);
        if (!cursor[0])
            break;
    }
    assert_int_equal(json_array_size(seen), 3);
    for (int i = 0; i < 3; i++) {
        bool found = false;
        for (size_t j = 0; j < 3; j++)
            found = found || !strcmp(json_string_value(json_array_get(seen, j)), u[i].email);
        assert_true(found);
    }
    json_decref(seen);
    const char *pa[] = {admin.id};
    assert_true(lt_sql_long("SELECT count(*) FROM audit_log WHERE actor_id = $1::uuid AND "
                            "action = 'admin.users.listed' AND NOT details::text LIKE '%findme%'",
                            pa, 1) >= 2);
    check_test_passed();
}

static bool s_has_action(json_t *items, const char *action, json_t **entry)
{
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        if (!strcmp(json_string_value(json_object_get(v, "action")), action)) {
            if (entry)
                *entry = v;
            return true;
        }
    }
    return false;
}

/* Every audited action of one user's life, then read back through the admin API. */
static void s_live_a_little(fixture_user_t *u, fixture_user_t *admin)
{
    fixture_user_t second = *u;
    fixture_relogin(s_base, &second);
    /* A login that says who it is: the audit keeps ip and user agent. */
    char url[256], *creds = fixture_credentials(u->email, u->password);
    snprintf(url, sizeof url, "%s/v1/auth/login", s_base);
    const char *ua[] = {"User-Agent: lib-admin-test/1.0", NULL};
    http_request_t req = {.method = "POST", .url = url, .headers = ua, .body = creds};
    s_expect(http_do(&req), 200, NULL);
    free(creds);
    s_expect(fixture_login(s_base, u->email, "wrong password"), 401, "invalid_credentials");
    s_expect(lt_call(s_base, "PATCH", "/v1/me", u->access, "{\"profile\":{\"bio\":\"x\"}}"), 200,
             NULL);
    char *token = lt_outbox_token(u->id);
    char body[256];
    snprintf(body, sizeof body, "{\"token\":\"%s\"}", token ? token : "");
    free(token);
    s_expect(http_post(s_base, "/v1/auth/verify-email", NULL, body), 204, NULL);
    s_expect(lt_callf(s_base, "DELETE", u->access, NULL, "/v1/me/sessions/%s", second.sid), 204,
             NULL);
    snprintf(body, sizeof body,
             "{\"current_password\":\"%s\",\"new_password\":\"another long secret\"}", u->password);
    s_expect(http_post(s_base, "/v1/auth/password", u->access, body), 204, NULL);
    s_expect(lt_callf(s_base, "PATCH", admin->access, "{\"role\":\"user\"}", "/v1/admin/users/%s",
                      u->id),
             200, NULL);
    fixture_user_t third = *u;
    snprintf(third.password, sizeof third.password, "another long secret");
    fixture_relogin(s_base, &third);
    s_expect(lt_call(s_base, "POST", "/v1/auth/logout", third.access, NULL), 204, NULL);
    s_expect(lt_call(s_base, "DELETE", "/v1/me", u->access, NULL), 204, NULL);
}

static void test_audit_trail(void **state)
{
    (void)state;
    fixture_user_t admin, u;
    fixture_new_user(s_base, &admin, "auditor");
    fixture_new_user(s_base, &u, "audited");
    lt_promote(s_cluster, &admin);
    s_live_a_little(&u, &admin);

    json_t *all = json_array();
    char cursor[512] = "";
    int pages = 0;
    for (; pages < 20; pages++) {
        http_response_t *r =
            lt_callf(s_base, "GET", admin.access, NULL, "/v1/admin/audit?user_id=%s&limit=3%s%s",
                     u.id, cursor[0] ? "&cursor=" : "", cursor);
        expect_status(r, 200);
        json_array_extend(all, lt_get(r, "items"));
        json_t *next = lt_get(r, "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", json_is_string(next) ? json_string_value(next) : "");
        http_response_free(&r);
        if (!cursor[0])
            break;
    }
    assert_true(pages >= 3);
    const char *actions[] = {"user.registered",
                             "auth.login.succeeded",
                             "auth.login.failed",
                             "user.profile_updated",
                             "auth.email_verified",
                             "session.revoked",
                             "auth.password_changed",
                             "user.role_changed",
                             "auth.logout",
                             "user.deleted",
                             NULL};
    for (int i = 0; actions[i]; i++)
        if (!s_has_action(all, actions[i], NULL))
            fail_msg("no audit entry %s for the user", actions[i]);
    /* Newest first, each entry once. */
    for (size_t i = 1; i < json_array_size(all); i++) {
        json_int_t a = json_integer_value(json_object_get(json_array_get(all, i - 1), "id"));
        json_int_t b = json_integer_value(json_object_get(json_array_get(all, i), "id"));
        assert_true(a > b);
    }
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "action")),
                        "user.deleted");
    json_t *entry = NULL, *v;
    size_t i;
    bool with_ua = false;
    json_array_foreach(all, i, v)
    {
        const char *agent = json_string_value(json_object_get(v, "user_agent"));
        with_ua = with_ua || (agent && !strcmp(agent, "lib-admin-test/1.0") &&
                              !strcmp(json_string_value(json_object_get(v, "action")),
                                      "auth.login.succeeded") &&
                              !strcmp(json_string_value(json_object_get(v, "ip")), "127.0.0.1"));
    }
    assert_true(with_ua);
    assert_true(s_has_action(all, "auth.login.failed", &entry));
    json_t *details = json_object_get(entry, "details");
    assert_int_equal(json_string_length(json_object_get(details, "email_sha256")), 64);
    char *text = json_dumps(all, JSON_COMPACT);
    assert_null(strstr(text, u.email));
    assert_null(strstr(text, "wrong password"));
    assert_null(strstr(text, "another long secret"));
    free(text);
    json_decref(all);
    s_expect(http_get(s_base, "/v1/admin/audit?user_id=xyz", admin.access), 400, "invalid_id");
    s_expect(http_get(s_base, "/v1/admin/audit?limit=500", admin.access), 400, "invalid_argument");
    const char *pa[] = {admin.id, u.id};
    assert_true(lt_sql_long("SELECT count(*) FROM audit_log WHERE actor_id = $1::uuid AND "
                            "user_id = $2::uuid AND action = 'admin.audit.listed'",
                            pa, 2) >= 3);
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
    s_cluster = cluster_start(2);
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
        cmocka_unit_test_setup_teardown(test_non_admin_forbidden, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_promote_and_roles, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_users_list, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_audit_trail, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("lib_admin", tests, s_group_setup, s_group_teardown);
}
