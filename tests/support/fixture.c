#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "fixture.h"

#include "check.h"
#include "token.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static unsigned s_counter;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;

void fixture_unique_email(char *out, size_t size, const char *tag)
{
    uint32_t rnd = 0;
    if (getrandom(&rnd, sizeof rnd, 0) != sizeof rnd)
        rnd = (uint32_t)rand();
    pthread_mutex_lock(&s_lock);
    unsigned n = ++s_counter;
    pthread_mutex_unlock(&s_lock);
    snprintf(out, size, "e2e-%s-%d-%u-%08x@example.com", tag ? tag : "u", (int)getpid(), n, rnd);
}

char *fixture_credentials(const char *email, const char *password)
{
    json_t *o = json_pack("{s:s, s:s}", "email", email, "password", password);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        abort();
    return text;
}

http_response_t *fixture_register(const char *base, const char *email, const char *password)
{
    char *body = fixture_credentials(email, password);
    http_response_t *r = http_post(base, "/v1/auth/register", NULL, body);
    free(body);
    return r;
}

http_response_t *fixture_login(const char *base, const char *email, const char *password)
{
    char *body = fixture_credentials(email, password);
    http_response_t *r = http_post(base, "/v1/auth/login", NULL, body);
    free(body);
    return r;
}

static void s_copy_string(const http_response_t *r, json_t *obj, const char *key, char *out,
                          size_t size, const char *file, int line)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || json_string_length(v) >= size)
        check_fail_at(r, file, line, "the reply has no usable string \"%s\"", key);
    snprintf(out, size, "%s", json_string_value(v));
}

void fixture_relogin_at(const char *base, fixture_user_t *u, const char *file, int line)
{
    http_response_t *r = fixture_login(base, u->email, u->password);
    check_status_at(r, 200, file, line);
    json_t *body = check_json_object_at(r, file, line);
    s_copy_string(r, body, "access_token", u->access, sizeof u->access, file, line);
    s_copy_string(r, body, "refresh_token", u->refresh, sizeof u->refresh, file, line);
    json_t *claims = fixture_jwt_part(u->access, 1);
    if (!claims)
        check_fail_at(r, file, line, "the access token's payload does not decode");
    s_copy_string(r, claims, "sid", u->sid, sizeof u->sid, file, line);
    s_copy_string(r, claims, "role", u->role, sizeof u->role, file, line);
    json_decref(claims);
    http_response_free(&r);
}

void fixture_new_user_at(const char *base, fixture_user_t *u, const char *tag, const char *file,
                         int line)
{
    memset(u, 0, sizeof *u);
    fixture_unique_email(u->email, sizeof u->email, tag);
    snprintf(u->password, sizeof u->password, "%s", FIXTURE_PASSWORD);
    http_response_t *r = fixture_register(base, u->email, u->password);
    check_status_at(r, 201, file, line);
    json_t *body = check_json_object_at(r, file, line);
    s_copy_string(r, body, "id", u->id, sizeof u->id, file, line);
    http_response_free(&r);
    fixture_relogin_at(base, u, file, line);
}

json_t *fixture_jwt_part(const char *jwt, int part)
{
    const char *start = jwt;
    for (int i = 0; i < part; i++) {
        start = strchr(start, '.');
        if (!start)
            return NULL;
        start++;
    }
    const char *end = strchr(start, '.');
    size_t len = end ? (size_t)(end - start) : strlen(start);
    unsigned char buf[4096];
    int n = token_b64url_decode(start, len, buf, sizeof buf);
    if (n < 0)
        return NULL;
    return json_loadb((const char *)buf, (size_t)n, 0, NULL);
}

static void s_b64(const char *text, char *out, size_t size)
{
    if (token_b64url_encode((const unsigned char *)text, strlen(text), out, size) < 0)
        abort();
}

char *fixture_jwt_build(const char *header_json, const char *payload_json, const char *secret,
                        const char *signature)
{
    char h[1024], p[2048], sig[128] = "";
    s_b64(header_json, h, sizeof h);
    s_b64(payload_json, p, sizeof p);
    char *signing = NULL;
    if (asprintf(&signing, "%s.%s", h, p) < 0)
        abort();
    if (secret) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int mac_len = 0;
        if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)signing,
                  strlen(signing), mac, &mac_len) ||
            token_b64url_encode(mac, mac_len, sig, sizeof sig) < 0)
            abort();
    } else {
        snprintf(sig, sizeof sig, "%s", signature ? signature : "");
    }
    char *jwt = NULL;
    if (asprintf(&jwt, "%s.%s", signing, sig) < 0)
        abort();
    free(signing);
    return jwt;
}

char *fixture_token(const char *secret, const char *sub, const char *role, const char *sid,
                    int64_t iat, int64_t exp)
{
    token_claims_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.sub, sizeof c.sub, "%s", sub);
    snprintf(c.role, sizeof c.role, "%s", role);
    snprintf(c.sid, sizeof c.sid, "%s", sid);
    c.iat = iat;
    c.exp = exp;
    char *jwt = token_sign(secret, &c);
    if (!jwt)
        abort();
    return jwt;
}

void fixture_uuid(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != sizeof b)
        abort();
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}
