/* test_broker_config — bedrock-broker refuses a bad environment at start: exit 2 with
 * exactly one stderr line naming the variable, including every bad CURVE setting
 * (owned by the broker area). */
#include "broker_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first. */
#include <cmocka.h>

/* Like s_expect_refused, with two settings (other may be NULL). */
static void s_expect_refused2(const char *setting, const char *other, const char *name)
{
    const char *env[] = {setting, "BEDROCK_BROKER_CLIENTS_UNUSED=1", other, NULL};
    char err[4096];
    int rc = bt_broker_run_capture(env, err, sizeof err);
    if (rc != 2 || !strstr(err, name))
        fprintf(stderr, "%s %s -> exit %d, stderr: %s\n", setting, other ? other : "", rc, err);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(err, name));
    /* One line: the only newline is the last character. */
    char *nl = strchr(err, '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1], '\0');
}

static void s_expect_refused(const char *setting, const char *name)
{
    s_expect_refused2(setting, NULL, name);
}

static void test_bad_queue_max(void **state)
{
    (void)state;
    s_expect_refused("BEDROCK_BROKER_QUEUE_MAX=abc", "BEDROCK_BROKER_QUEUE_MAX");
    s_expect_refused("BEDROCK_BROKER_QUEUE_MAX=-1", "BEDROCK_BROKER_QUEUE_MAX");
    s_expect_refused("BEDROCK_BROKER_QUEUE_MAX=12x", "BEDROCK_BROKER_QUEUE_MAX");
}

static void test_bad_endpoints(void **state)
{
    (void)state;
    s_expect_refused("BEDROCK_BROKER_CLIENTS=bogus", "BEDROCK_BROKER_CLIENTS");
    s_expect_refused("BEDROCK_BROKER_CLIENTS=tcp://127.0.0.1:99999", "BEDROCK_BROKER_CLIENTS");
    s_expect_refused("BEDROCK_BROKER_WORKERS=http://127.0.0.1:5556", "BEDROCK_BROKER_WORKERS");
}

static void test_bad_heartbeat(void **state)
{
    (void)state;
    s_expect_refused("BEDROCK_HEARTBEAT_MS=0", "BEDROCK_HEARTBEAT_MS");
    s_expect_refused("BEDROCK_HEARTBEAT_LIVENESS=none", "BEDROCK_HEARTBEAT_LIVENESS");
}

/* "NAME=dir/file" into out. */
static const char *s_setting(char *out, size_t size, const char *name, const char *dir,
                             const char *file)
{
    snprintf(out, size, "%s=%s/%s", name, dir, file);
    return out;
}

static void s_write(const char *dir, const char *file, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void s_mkdir(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(mkdir(path, 0700), 0);
}

/* dir/broker.cert(_secret): valid; dir/mixed.cert_secret: a public key that is not its
 * secret key's; dir/junk: no certificate; allow-lists good/ (one public certificate),
 * with_secret/, notcert/ and dup/ (one public key in two files). */
static void s_make_curve_files(const char *dir)
{
    zcert_t *broker = zcert_new(), *other = zcert_new();
    zcert_t *mixed = zcert_new_from(zcert_public_key(broker), zcert_secret_key(other));
    char path[512];
    const char *subs[] = {"good", "with_secret", "notcert", "dup"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        s_mkdir(dir, subs[i]);
    assert_int_equal(bt_cert_save(broker, dir, "broker.cert", false), 0);
    assert_int_equal(bt_cert_save(mixed, dir, "mixed.cert", false), 0);
    s_write(dir, "junk", "curve\n    secret-key = \"short\"\n");
    snprintf(path, sizeof path, "%s/good", dir);
    assert_int_equal(bt_cert_save(other, path, "a.cert", true), 0);
    snprintf(path, sizeof path, "%s/with_secret", dir);
    assert_int_equal(bt_cert_save(other, path, "a.cert", false), 0);
    snprintf(path, sizeof path, "%s/notcert", dir);
    s_write(path, "notes.txt", "{\"not\": \"a certificate\"}\n");
    snprintf(path, sizeof path, "%s/dup", dir);
    assert_int_equal(bt_cert_save(other, path, "a.cert", true), 0);
    assert_int_equal(bt_cert_save(other, path, "b.cert", true), 0);
    zcert_destroy(&broker);
    zcert_destroy(&other);
    zcert_destroy(&mixed);
}

static void test_bad_curve(void **state)
{
    (void)state;
    const char *sf = "BEDROCK_CURVE_SECRET_FILE", *ad = "BEDROCK_CURVE_ALLOW_DIR";
    char dir[256], secret[512], allow[512];
    assert_int_equal(bt_tmpdir_new(dir, sizeof dir), 0);
    s_make_curve_files(dir);
    s_setting(secret, sizeof secret, sf, dir, "broker.cert_secret");
    s_setting(allow, sizeof allow, ad, dir, "good");
    /* One without the other: never a silent fall back to plain TCP. */
    s_expect_refused(secret, ad);
    s_expect_refused(allow, sf);
    /* The secret file: missing, public only, not a certificate, keys that do not match,
     * a directory. */
    const char *bad_secrets[] = {"nope", "broker.cert", "junk", "mixed.cert_secret", "good"};
    for (size_t i = 0; i < sizeof bad_secrets / sizeof bad_secrets[0]; i++)
        s_expect_refused2(s_setting(secret, sizeof secret, sf, dir, bad_secrets[i]), allow, sf);
    /* The allow-list: missing, a file, a secret key in it, a file that is no
     * certificate, one public key twice. */
    s_setting(secret, sizeof secret, sf, dir, "broker.cert_secret");
    const char *bad_dirs[] = {"nodir", "junk", "with_secret", "notcert", "dup"};
    for (size_t i = 0; i < sizeof bad_dirs / sizeof bad_dirs[0]; i++)
        s_expect_refused2(secret, s_setting(allow, sizeof allow, ad, dir, bad_dirs[i]), ad);
    bt_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_queue_max),
        cmocka_unit_test(test_bad_endpoints),
        cmocka_unit_test(test_bad_heartbeat),
        cmocka_unit_test(test_bad_curve),
    };
    return cmocka_run_group_tests_name("broker_config", tests, NULL, NULL);
}
