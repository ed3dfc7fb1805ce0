/* envelope — request and reply envelopes (DESIGN §2), msgpack on the wire.
 *
 * Request:  {id: bin16, op: str, deadline: int (unix ms), auth: {sub, role, sid} | nil,
 *            args: map | nil, body: any | nil, meta: {ip, ua, trace} | nil, noreply: bool}
 * Reply:    {id: bin16, status: int, data: any | nil,
 *            error: {code, message, details?} | nil, headers: map | nil}
 *
 * Decoding never trusts its input: a truncated buffer, trailing bytes, a wrong
 * type, an over-long string or a missing id/op is refused with -1 and nothing is
 * left allocated. Strings are kept inline (truncation is refusal, not silent).
 */
#ifndef BEDROCK_ENVELOPE_H
#define BEDROCK_ENVELOPE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENVELOPE_ID_SIZE 16
#define ENVELOPE_ID_HEX_SIZE 33
#define ENVELOPE_OP_MAX 64
#define ENVELOPE_AUTH_MAX 64
#define ENVELOPE_META_MAX 256
#define ENVELOPE_CODE_MAX 64
#define ENVELOPE_MESSAGE_MAX 512

typedef struct {
    uint8_t id[ENVELOPE_ID_SIZE];
    char op[ENVELOPE_OP_MAX];
    int64_t deadline_ms; /* unix ms; 0 = none */
    bool has_auth;
    char auth_sub[ENVELOPE_AUTH_MAX];
    char auth_role[ENVELOPE_AUTH_MAX];
    char auth_sid[ENVELOPE_AUTH_MAX];
    json_t *args; /* owned; JSON object or NULL */
    json_t *body; /* owned; any JSON value or NULL */
    char meta_ip[ENVELOPE_META_MAX];
    char meta_ua[ENVELOPE_META_MAX];
    char meta_trace[ENVELOPE_META_MAX];
    bool noreply;
} envelope_request_t;

typedef struct {
    uint8_t id[ENVELOPE_ID_SIZE];
    int status;
    json_t *data; /* owned or NULL */
    char error_code[ENVELOPE_CODE_MAX]; /* "" when there is no error */
    char error_message[ENVELOPE_MESSAGE_MAX];
    json_t *error_details; /* owned or NULL */
    json_t *headers;       /* owned; object of string values, or NULL */
} envelope_reply_t;

/* The three fields the broker routes on, read without building jansson values. */
typedef struct {
    uint8_t id[ENVELOPE_ID_SIZE];
    char op[ENVELOPE_OP_MAX];
    int64_t deadline_ms;
    bool noreply;
} envelope_peek_t;

void envelope_request_init(envelope_request_t *req);
/* Releases args and body; the struct may be reused after envelope_request_init. */
void envelope_request_clear(envelope_request_t *req);

void envelope_reply_init(envelope_reply_t *rep);
void envelope_reply_clear(envelope_reply_t *rep);

/* Sets status, code and message (and takes ownership of details, which may be NULL). */
void envelope_reply_set_error(envelope_reply_t *rep, int status, const char *code,
                              const char *message, json_t *details);

/* Encoders return a malloc'd buffer the caller frees, and its length in *len;
 * NULL on allocation failure or an unencodable value. */
char *envelope_request_encode(const envelope_request_t *req, size_t *len);
char *envelope_reply_encode(const envelope_reply_t *rep, size_t *len);

/* Shorthand used by the broker for the replies it makes itself. */
char *envelope_error_encode(const uint8_t id[ENVELOPE_ID_SIZE], int status, const char *code,
                            const char *message, size_t *len);

/* Decoders fill *out (which the caller then clears) and return 0, or return -1 with
 * *out left initialised and empty. */
int envelope_request_decode(const void *buf, size_t len, envelope_request_t *out)
    __attribute__((warn_unused_result));
int envelope_reply_decode(const void *buf, size_t len, envelope_reply_t *out)
    __attribute__((warn_unused_result));
int envelope_peek(const void *buf, size_t len, envelope_peek_t *out)
    __attribute__((warn_unused_result));

/* A fresh random request id. Returns 0, or -1 if the kernel gives no randomness. */
int envelope_id_generate(uint8_t id[ENVELOPE_ID_SIZE]);
void envelope_id_to_hex(const uint8_t id[ENVELOPE_ID_SIZE], char out[ENVELOPE_ID_HEX_SIZE]);

/* Current wall clock in unix milliseconds. */
int64_t envelope_now_ms(void);

#endif
