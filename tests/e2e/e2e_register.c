/* e2e_register — POST /v1/auth/register against a real cluster (2 workers):
 * reply shape and email normalisation, duplicates (also case-different), bad emails,
 * password byte bounds (7/73 refused, 8/72 accepted, counted in bytes not characters),
 * wrong JSON types, display_name reaching GET /v1/me, and 20 concurrent registrations
 * of one email giving exactly one 201.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "cluster.h"
#include "fixture.h"
#include "http.h"
#include "ids.h"
#include "proc.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONCURRENT_REGISTRATIONS 20

static cluster_t *s_cluster;
static const char *s_base;

static char *s_repeat(const char *unit, int times)
{
    size_t n = strlen(unit);
    char *s = calloc(n * (size_t)times + 1, 1);
    assert_non_null(s);
    for (int i = 0; i < times; i++)
        memcpy(s + n * (size_t)i, unit, n);
    return s;
}

static http_response_t *s_register_json(const char *json)
{
    return http_post(s_base, "/v1/auth/register", NULL, json);
}

static void test_register_returns_id_and_normalised_email(void **state)
{
    (void)state;
    char email[160], upper[200], expected[160];
    fixture_unique_email(email, sizeof email, "norm");
    snprintf(expected, sizeof expected, "%s", email);
    /* Sent with spaces around it and in mixed case: stored trimmed and lower-cased. */
    snprintf(upper, sizeof upper, "  %s  ", email);
    for (char *p = upper; *p; p++)
        if (p[0] == 'e' || p[0] == 'x' || p[0] == 'a')
            *p = (char)toupper((unsigned char)*p);
    http_response_t *r = fixture_register(s_base, upper, FIXTURE_PASSWORD);
    expect_status(r, 201);
    json_t *body = expect_json_object(r);
    json_t *id = json_object_get(body, "id"), *jemail = json_object_get(body, "email");
    expect_that(r, json_is_string(id) && ids_is_uuid(json_string_value(id)), "id must be a UUID");
    expect_that(r, json_is_string(jemail) && strcmp(json_string_value(jemail), expected) == 0,
                "email must be trimmed and lower-cased: expected \"%s\"", expected);
    expect_that(r, json_object_size(body) == 2, "the reply is exactly {id, email}");
    http_response_free(&r);

    /* And the account is usable under the normalised address. */
    r = fixture_login(s_base, expected, FIXTURE_PASSWORD);
    expect_status(r, 200);
    http_response_free(&r);
    check_test_passed();
}

static void test_register_duplicate_email_conflicts(void **state)
{
    (void)state;
    char email[160], variant[200];
    fixture_unique_email(email, sizeof email, "dup");
    http_response_t *r = fixture_register(s_base, email, FIXTURE_PASSWORD);
    expect_status(r, 201);
    http_response_free(&r);

    r = fixture_register(s_base, email, "another password");
    expect_error(r, 409, "email_taken");
    http_response_free(&r);

    snprintf(variant, sizeof variant, "%s", email);
    for (char *p = variant; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    r = fixture_register(s_base, variant, FIXTURE_PASSWORD);
    expect_error(r, 409, "email_taken");
    http_response_free(&r);

    snprintf(variant, sizeof variant, " %s\t", email);
    r = fixture_register(s_base, variant, FIXTURE_PASSWORD);
    expect_error(r, 409, "email_taken");
    http_response_free(&r);
    check_test_passed();
}

static void test_register_rejects_bad_email(void **state)
{
    (void)state;
    const char *bad[] = {"not-an-email", "", "@example.com", "user@", "   ", NULL};
    for (const char **e = bad; *e; e++) {
        http_response_t *r = fixture_register(s_base, *e, FIXTURE_PASSWORD);
        expect_invalid_argument(r, "email");
        http_response_free(&r);
    }
    check_test_passed();
}

/* Registers a fresh email with password and expects 201, or 400 on "password". */
static void s_password_case(const char *password, bool accepted)
{
    char email[160];
    fixture_unique_email(email, sizeof email, "pw");
    http_response_t *r = fixture_register(s_base, email, password);
    if (accepted)
        expect_status(r, 201);
    else
        expect_invalid_argument(r, "password");
    http_response_free(&r);
}

static void test_register_password_length_bounds(void **state)
{
    (void)state;
    char *p7 = s_repeat("p", 7), *p8 = s_repeat("p", 8), *p72 = s_repeat("p", 72),
         *p73 = s_repeat("p", 73);
    /* "é" is 2 bytes: 4 of them are 8 bytes (4 characters), 36 are 72, 37 are 74. */
    char *u8 = s_repeat("\xc3\xa9", 4), *u72 = s_repeat("\xc3\xa9", 36),
         *u74 = s_repeat("\xc3\xa9", 37);
    s_password_case(p7, false);
    s_password_case(p73, false);
    s_password_case(p8, true);
    s_password_case(p72, true);
    s_password_case(u8, true);
    s_password_case(u72, true);
    s_password_case(u74, false);
    s_password_case("", false);
    free(p7), free(p8), free(p72), free(p73), free(u8), free(u72), free(u74);
    check_test_passed();
}

static void test_register_password_72_bytes_logs_in(void **state)
{
    (void)state;
    char email[160];
    char *p72 = s_repeat("q", 72);
    fixture_unique_email(email, sizeof email, "pw72");
    http_response_t *r = fixture_register(s_base, email, p72);
    expect_status(r, 201);
    http_response_free(&r);
    r = fixture_login(s_base, email, p72);
    expect_status(r, 200);
    http_response_free(&r);
    free(p72);
    check_test_passed();
}

static void test_register_rejects_wrong_types(void **state)
{
    (void)state;
    char email[160], json[512];
    fixture_unique_email(email, sizeof email, "types");
    const struct {
        const char *fmt; /* %s = the email */
        const char *field;
    } cases[] = {
        {"{\"email\":5,\"password\":\"" FIXTURE_PASSWORD "\"}", "email"},
        {"{\"email\":null,\"password\":\"" FIXTURE_PASSWORD "\"}", "email"},
        {"{\"email\":[\"%s\"],\"password\":\"" FIXTURE_PASSWORD "\"}", "email"},
        {"{\"password\":\"" FIXTURE_PASSWORD "\"}", "email"},
        {"{\"email\":\"%s\",\"password\":12345678}", "password"},
        {"{\"email\":\"%s\",\"password\":true}", "password"},
        {"{\"email\":\"%s\"}", "password"},
        {"{\"email\":\"%s\",\"password\":\"" FIXTURE_PASSWORD "\",\"display_name\":7}",
         "display_name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(json, sizeof json, cases[i].fmt, email);
        http_response_t *r = s_register_json(json);
        expect_invalid_argument(r, cases[i].field);
        http_response_free(&r);
    }
    /* None of the refused attempts created the account. */
    http_response_t *r = fixture_register(s_base, email, FIXTURE_PASSWORD);
    expect_status(r, 201);
    http_response_free(&r);
    check_test_passed();
}

static void test_register_display_name_reaches_me(void **state)
{
    (void)state;
    char email[160];
    fixture_unique_email(email, sizeof email, "dn");
    json_t *o = json_pack("{s:s, s:s, s:s}", "email", email, "password", FIXTURE_PASSWORD,
                          "display_name", "Ada Lovelace");
    char *json = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    http_response_t *r = s_register_json(json);
    free(json);
    expect_status(r, 201);
    http_response_free(&r);

    fixture_user_t u;
    memset(&u, 0, sizeof u);
    snprintf(u.email, sizeof u.email, "%s", email);
    snprintf(u.password, sizeof u.password, "%s", FIXTURE_PASSWORD);
    fixture_relogin(s_base, &u);
    r = http_get(s_base, "/v1/me", u.access);
    expect_status(r, 200);
    json_t *name =
        json_object_get(json_object_get(expect_json_object(r), "profile"), "display_name");
    expect_that(r, json_is_string(name) && strcmp(json_string_value(name), "Ada Lovelace") == 0,
                "profile.display_name must be the one given at registration");
    http_response_free(&r);
    check_test_passed();
}

typedef struct {
    pthread_barrier_t *barrier;
    const char *email;
    long status;
    char code[64];
} s_racer_t;

static void *s_race(void *arg)
{
    s_racer_t *racer = arg;
    pthread_barrier_wait(racer->barrier);
    http_response_t *r = fixture_register(s_base, racer->email, FIXTURE_PASSWORD);
    racer->status = r->status;
    json_t *code = json_object_get(json_object_get(r->json, "error"), "code");
    snprintf(racer->code, sizeof racer->code, "%s",
             json_is_string(code) ? json_string_value(code) : "");
    if (r->status != 201 && r->status != 409)
        http_response_print(r, "unexpected reply to a concurrent registration");
    http_response_free(&r);
    return NULL;
}

static void test_register_concurrent_same_email(void **state)
{
    (void)state;
    char email[160];
    fixture_unique_email(email, sizeof email, "race");
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, CONCURRENT_REGISTRATIONS);
    pthread_t threads[CONCURRENT_REGISTRATIONS];
    s_racer_t racers[CONCURRENT_REGISTRATIONS];
    for (int i = 0; i < CONCURRENT_REGISTRATIONS; i++) {
        racers[i] = (s_racer_t){.barrier = &barrier, .email = email};
        assert_int_equal(pthread_create(&threads[i], NULL, s_race, &racers[i]), 0);
    }
    int created = 0, taken = 0;
    for (int i = 0; i < CONCURRENT_REGISTRATIONS; i++) {
        pthread_join(threads[i], NULL);
        created += racers[i].status == 201;
        taken += racers[i].status == 409 && strcmp(racers[i].code, "email_taken") == 0;
    }
    pthread_barrier_destroy(&barrier);
    if (created != 1 || taken != CONCURRENT_REGISTRATIONS - 1)
        for (int i = 0; i < CONCURRENT_REGISTRATIONS; i++)
            fprintf(stderr, "  racer %d: %ld %s\n", i, racers[i].status, racers[i].code);
    assert_int_equal(created, 1);
    assert_int_equal(taken, CONCURRENT_REGISTRATIONS - 1);
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
    proc_watchdog(55);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_returns_id_and_normalised_email, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_register_duplicate_email_conflicts, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_register_rejects_bad_email, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_register_password_length_bounds, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_register_password_72_bytes_logs_in, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_register_rejects_wrong_types, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_register_display_name_reaches_me, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_register_concurrent_same_email, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("e2e_register", tests, s_group_setup, s_group_teardown);
}
