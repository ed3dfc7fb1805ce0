/* fixture — users and tokens for the cluster tests.
 *
 * Emails are unique across parallel test programs and runs: they carry the pid, a
 * counter and random bits ("e2e-<tag>-<pid>-<n>-<hex>@example.com").
 * The *_new_user functions assert (cmocka) on failure; include cmocka first.
 */
#ifndef BEDROCK_TEST_FIXTURE_H
#define BEDROCK_TEST_FIXTURE_H

#include "http.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define FIXTURE_PASSWORD "correct horse battery"
#define FIXTURE_TOKEN_MAX 2048

typedef struct {
    char email[160];
    char password[96];
    char id[64];
    char access[FIXTURE_TOKEN_MAX];
    char refresh[FIXTURE_TOKEN_MAX];
    char sid[64];
    char role[32];
} fixture_user_t;

/* Writes a unique, lower-case email to out. */
void fixture_unique_email(char *out, size_t size, const char *tag);

/* {"email":..., "password":...} as new JSON text (caller frees). */
char *fixture_credentials(const char *email, const char *password);

/* POST /v1/auth/register; returns the reply (caller frees). */
http_response_t *fixture_register(const char *base, const char *email, const char *password);
/* POST /v1/auth/login; returns the reply (caller frees). */
http_response_t *fixture_login(const char *base, const char *email, const char *password);

/* Registers a fresh user with FIXTURE_PASSWORD and logs in: fills every field of *u.
 * Fails the current test (with the reply printed) when a step does not succeed. */
#define fixture_new_user(base, u, tag) fixture_new_user_at((base), (u), (tag), __FILE__, __LINE__)
void fixture_new_user_at(const char *base, fixture_user_t *u, const char *tag, const char *file,
                         int line);
/* Logs u in again (a new session): overwrites access, refresh and sid. */
#define fixture_relogin(base, u) fixture_relogin_at((base), (u), __FILE__, __LINE__)
void fixture_relogin_at(const char *base, fixture_user_t *u, const char *file, int line);

/* The decoded JSON header (part 0) or payload (part 1) of a JWT (new reference), or NULL. */
json_t *fixture_jwt_part(const char *jwt, int part);

/* A JWT built from arbitrary header and payload JSON, signed with HS256 under secret,
 * or with the given signature text when secret is NULL ("" = no signature).
 * New string, caller frees. */
char *fixture_jwt_build(const char *header_json, const char *payload_json, const char *secret,
                        const char *signature);

/* A valid HS256 token (common/token.h) for these claims; caller frees. */
char *fixture_token(const char *secret, const char *sub, const char *role, const char *sid,
                    int64_t iat, int64_t exp);

/* A random version-4 UUID text (37 bytes with the NUL). */
void fixture_uuid(char out[37]);

#endif
