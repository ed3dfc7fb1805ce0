#include "envelope.h"

#include "mpjson.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

void envelope_request_init(envelope_request_t *req)
{
    memset(req, 0, sizeof *req);
}

void envelope_request_clear(envelope_request_t *req)
{
    json_decref(req->args);
    json_decref(req->body);
    envelope_request_init(req);
}

void envelope_reply_init(envelope_reply_t *rep)
{
    memset(rep, 0, sizeof *rep);
}

void envelope_reply_clear(envelope_reply_t *rep)
{
    json_decref(rep->data);
    json_decref(rep->error_details);
    json_decref(rep->headers);
    envelope_reply_init(rep);
}

void envelope_reply_set_error(envelope_reply_t *rep, int status, const char *code,
                              const char *message, json_t *details)
{
    rep->status = status;
    snprintf(rep->error_code, sizeof rep->error_code, "%s", code);
    snprintf(rep->error_message, sizeof rep->error_message, "%s", message ? message : code);
    json_decref(rep->error_details);
    rep->error_details = details;
}

/* ---- encoding ------------------------------------------------------------ */

static int s_str(msgpack_packer *pk, const char *s)
{
    return msgpack_pack_str_with_body(pk, s, strlen(s));
}

static int s_kv_str(msgpack_packer *pk, const char *key, const char *value)
{
    return (s_str(pk, key) < 0 || s_str(pk, value) < 0) ? -1 : 0;
}

static int s_kv_json(msgpack_packer *pk, const char *key, const json_t *value)
{
    return (s_str(pk, key) < 0 || mpjson_pack(pk, value) < 0) ? -1 : 0;
}

static int s_kv_id(msgpack_packer *pk, const uint8_t id[ENVELOPE_ID_SIZE])
{
    return (s_str(pk, "id") < 0 || msgpack_pack_bin_with_body(pk, id, ENVELOPE_ID_SIZE) < 0) ? -1
                                                                                              : 0;
}

static int s_pack_request(msgpack_packer *pk, const envelope_request_t *req)
{
    if (msgpack_pack_map(pk, 8) < 0 || s_kv_id(pk, req->id) < 0 || s_kv_str(pk, "op", req->op) < 0)
        return -1;
    if (s_str(pk, "deadline") < 0 || msgpack_pack_int64(pk, req->deadline_ms) < 0)
        return -1;
    if (s_str(pk, "auth") < 0)
        return -1;
    if (req->has_auth) {
        if (msgpack_pack_map(pk, 3) < 0 || s_kv_str(pk, "sub", req->auth_sub) < 0 ||
            s_kv_str(pk, "role", req->auth_role) < 0 || s_kv_str(pk, "sid", req->auth_sid) < 0)
            return -1;
    } else if (msgpack_pack_nil(pk) < 0) {
        return -1;
    }
    if (s_kv_json(pk, "args", req->args) < 0 || s_kv_json(pk, "body", req->body) < 0)
        return -1;
    if (s_str(pk, "meta") < 0 || msgpack_pack_map(pk, 3) < 0 || s_kv_str(pk, "ip", req->meta_ip) < 0 ||
        s_kv_str(pk, "ua", req->meta_ua) < 0 || s_kv_str(pk, "trace", req->meta_trace) < 0)
        return -1;
    if (s_str(pk, "noreply") < 0)
        return -1;
    return req->noreply ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
}

static int s_pack_reply(msgpack_packer *pk, const envelope_reply_t *rep)
{
    if (msgpack_pack_map(pk, 5) < 0 || s_kv_id(pk, rep->id) < 0)
        return -1;
    if (s_str(pk, "status") < 0 || msgpack_pack_int(pk, rep->status) < 0)
        return -1;
    if (s_kv_json(pk, "data", rep->data) < 0 || s_str(pk, "error") < 0)
        return -1;
    if (rep->error_code[0]) {
        int n = rep->error_details ? 3 : 2;
        if (msgpack_pack_map(pk, n) < 0 || s_kv_str(pk, "code", rep->error_code) < 0 ||
            s_kv_str(pk, "message", rep->error_message) < 0)
            return -1;
        if (rep->error_details && s_kv_json(pk, "details", rep->error_details) < 0)
            return -1;
    } else if (msgpack_pack_nil(pk) < 0) {
        return -1;
    }
    return s_kv_json(pk, "headers", rep->headers);
}

static char *s_encode(int (*fn)(msgpack_packer *, const void *), const void *value, size_t *len)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init(&sbuf);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
    if (fn(&pk, value) < 0) {
        msgpack_sbuffer_destroy(&sbuf);
        return NULL;
    }
    *len = sbuf.size;
    return msgpack_sbuffer_release(&sbuf);
}

static int s_pack_request_v(msgpack_packer *pk, const void *v)
{
    return s_pack_request(pk, v);
}

static int s_pack_reply_v(msgpack_packer *pk, const void *v)
{
    return s_pack_reply(pk, v);
}

char *envelope_request_encode(const envelope_request_t *req, size_t *len)
{
    return s_encode(s_pack_request_v, req, len);
}

char *envelope_reply_encode(const envelope_reply_t *rep, size_t *len)
{
    return s_encode(s_pack_reply_v, rep, len);
}

char *envelope_error_encode(const uint8_t id[ENVELOPE_ID_SIZE], int status, const char *code,
                            const char *message, size_t *len)
{
    envelope_reply_t rep;
    envelope_reply_init(&rep);
    memcpy(rep.id, id, ENVELOPE_ID_SIZE);
    envelope_reply_set_error(&rep, status, code, message, NULL);
    return envelope_reply_encode(&rep, len);
}

/* ---- decoding ------------------------------------------------------------ */

static bool s_key_is(const msgpack_object *k, const char *name)
{
    size_t n = strlen(name);
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && memcmp(k->via.str.ptr, name, n) == 0;
}

/* Copies a msgpack string into a fixed buffer; refuses what does not fit or holds NUL. */
static int s_copy_str(const msgpack_object *o, char *out, size_t size)
{
    if (o->type != MSGPACK_OBJECT_STR || o->via.str.size >= size ||
        memchr(o->via.str.ptr, 0, o->via.str.size))
        return -1;
    memcpy(out, o->via.str.ptr, o->via.str.size);
    out[o->via.str.size] = '\0';
    return 0;
}

static int s_copy_id(const msgpack_object *o, uint8_t id[ENVELOPE_ID_SIZE])
{
    if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != ENVELOPE_ID_SIZE)
        return -1;
    memcpy(id, o->via.bin.ptr, ENVELOPE_ID_SIZE);
    return 0;
}

static int s_get_int64(const msgpack_object *o, int64_t *out)
{
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= (uint64_t)INT64_MAX)
        *out = (int64_t)o->via.u64;
    else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        *out = o->via.i64;
    else
        return -1;
    return 0;
}

static int s_get_bool(const msgpack_object *o, bool *out)
{
    if (o->type == MSGPACK_OBJECT_NIL) {
        *out = false;
        return 0;
    }
    if (o->type != MSGPACK_OBJECT_BOOLEAN)
        return -1;
    *out = o->via.boolean;
    return 0;
}

/* Unpacks exactly one map spanning the whole buffer. */
static int s_unpack_root(msgpack_unpacked *up, const void *buf, size_t len)
{
    size_t off = 0;
    msgpack_unpacked_init(up);
    if (!buf || len == 0)
        return -1;
    if (msgpack_unpack_next(up, buf, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len ||
        up->data.type != MSGPACK_OBJECT_MAP)
        return -1;
    return 0;
}

static int s_decode_auth(const msgpack_object *o, envelope_request_t *req)
{
    if (o->type == MSGPACK_OBJECT_NIL)
        return 0;
    if (o->type != MSGPACK_OBJECT_MAP)
        return -1;
    int seen = 0;
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
        char *dst = s_key_is(k, "sub") ? req->auth_sub
                    : s_key_is(k, "role") ? req->auth_role
                    : s_key_is(k, "sid")  ? req->auth_sid
                                          : NULL;
        size_t size = ENVELOPE_AUTH_MAX;
        if (!dst)
            continue;
        if (s_copy_str(v, dst, size) < 0)
            return -1;
        seen++;
    }
    if (seen != 3 || !req->auth_sub[0])
        return -1;
    req->has_auth = true;
    return 0;
}

static int s_decode_meta(const msgpack_object *o, envelope_request_t *req)
{
    if (o->type == MSGPACK_OBJECT_NIL)
        return 0;
    if (o->type != MSGPACK_OBJECT_MAP)
        return -1;
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
        char *dst = s_key_is(k, "ip")      ? req->meta_ip
                    : s_key_is(k, "ua")    ? req->meta_ua
                    : s_key_is(k, "trace") ? req->meta_trace
                                           : NULL;
        if (dst && v->type != MSGPACK_OBJECT_NIL && s_copy_str(v, dst, ENVELOPE_META_MAX) < 0)
            return -1;
    }
    return 0;
}

/* args, body and data become jansson values; nil stays NULL. */
static int s_decode_json(const msgpack_object *o, json_t **out, bool must_be_object)
{
    if (o->type == MSGPACK_OBJECT_NIL)
        return 0;
    if (must_be_object && o->type != MSGPACK_OBJECT_MAP)
        return -1;
    json_decref(*out);
    *out = mpjson_from_object(o);
    return *out ? 0 : -1;
}

static int s_request_field(const msgpack_object *k, const msgpack_object *v,
                           envelope_request_t *req, int *have)
{
    if (s_key_is(k, "id"))
        return (*have |= 1, s_copy_id(v, req->id));
    if (s_key_is(k, "op"))
        return (*have |= 2, s_copy_str(v, req->op, sizeof req->op));
    if (s_key_is(k, "deadline"))
        return v->type == MSGPACK_OBJECT_NIL ? 0 : s_get_int64(v, &req->deadline_ms);
    if (s_key_is(k, "auth"))
        return s_decode_auth(v, req);
    if (s_key_is(k, "args"))
        return s_decode_json(v, &req->args, true);
    if (s_key_is(k, "body"))
        return s_decode_json(v, &req->body, false);
    if (s_key_is(k, "meta"))
        return s_decode_meta(v, req);
    if (s_key_is(k, "noreply"))
        return s_get_bool(v, &req->noreply);
    return 0; /* unknown keys are ignored: newer senders may add fields */
}

int envelope_request_decode(const void *buf, size_t len, envelope_request_t *out)
{
    msgpack_unpacked up;
    envelope_request_init(out);
    int have = 0, rc = s_unpack_root(&up, buf, len);
    const msgpack_object_map *map = &up.data.via.map;
    for (uint32_t i = 0; rc == 0 && i < map->size; i++)
        rc = s_request_field(&map->ptr[i].key, &map->ptr[i].val, out, &have);
    msgpack_unpacked_destroy(&up);
    if (rc == 0 && (have != 3 || !out->op[0]))
        rc = -1;
    if (rc < 0)
        envelope_request_clear(out);
    return rc;
}

static int s_decode_error(const msgpack_object *o, envelope_reply_t *rep)
{
    if (o->type == MSGPACK_OBJECT_NIL)
        return 0;
    if (o->type != MSGPACK_OBJECT_MAP)
        return -1;
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
        int rc = 0;
        if (s_key_is(k, "code"))
            rc = s_copy_str(v, rep->error_code, sizeof rep->error_code);
        else if (s_key_is(k, "message"))
            rc = s_copy_str(v, rep->error_message, sizeof rep->error_message);
        else if (s_key_is(k, "details"))
            rc = s_decode_json(v, &rep->error_details, false);
        if (rc < 0)
            return -1;
    }
    return rep->error_code[0] ? 0 : -1;
}

static int s_reply_field(const msgpack_object *k, const msgpack_object *v, envelope_reply_t *rep,
                         int *have)
{
    int64_t status;
    if (s_key_is(k, "id"))
        return (*have |= 1, s_copy_id(v, rep->id));
    if (s_key_is(k, "status")) {
        *have |= 2;
        if (s_get_int64(v, &status) < 0 || status < 100 || status > 599)
            return -1;
        rep->status = (int)status;
        return 0;
    }
    if (s_key_is(k, "data"))
        return s_decode_json(v, &rep->data, false);
    if (s_key_is(k, "error"))
        return s_decode_error(v, rep);
    if (s_key_is(k, "headers"))
        return s_decode_json(v, &rep->headers, true);
    return 0;
}

int envelope_reply_decode(const void *buf, size_t len, envelope_reply_t *out)
{
    msgpack_unpacked up;
    envelope_reply_init(out);
    int have = 0, rc = s_unpack_root(&up, buf, len);
    const msgpack_object_map *map = &up.data.via.map;
    for (uint32_t i = 0; rc == 0 && i < map->size; i++)
        rc = s_reply_field(&map->ptr[i].key, &map->ptr[i].val, out, &have);
    msgpack_unpacked_destroy(&up);
    if (rc == 0 && have != 3)
        rc = -1;
    if (rc < 0)
        envelope_reply_clear(out);
    return rc;
}

int envelope_peek(const void *buf, size_t len, envelope_peek_t *out)
{
    msgpack_unpacked up;
    memset(out, 0, sizeof *out);
    int have = 0, rc = s_unpack_root(&up, buf, len);
    const msgpack_object_map *map = &up.data.via.map;
    for (uint32_t i = 0; rc == 0 && i < map->size; i++) {
        const msgpack_object *k = &map->ptr[i].key, *v = &map->ptr[i].val;
        if (s_key_is(k, "id"))
            rc = (have |= 1, s_copy_id(v, out->id));
        else if (s_key_is(k, "op"))
            rc = (have |= 2, s_copy_str(v, out->op, sizeof out->op));
        else if (s_key_is(k, "deadline") && v->type != MSGPACK_OBJECT_NIL)
            rc = s_get_int64(v, &out->deadline_ms);
        else if (s_key_is(k, "noreply"))
            rc = s_get_bool(v, &out->noreply);
    }
    msgpack_unpacked_destroy(&up);
    if (rc == 0 && (have != 3 || !out->op[0]))
        rc = -1;
    return rc;
}

int envelope_id_generate(uint8_t id[ENVELOPE_ID_SIZE])
{
    return getrandom(id, ENVELOPE_ID_SIZE, 0) == ENVELOPE_ID_SIZE ? 0 : -1;
}

void envelope_id_to_hex(const uint8_t id[ENVELOPE_ID_SIZE], char out[ENVELOPE_ID_HEX_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < ENVELOPE_ID_SIZE; i++) {
        out[2 * i] = hex[id[i] >> 4];
        out[2 * i + 1] = hex[id[i] & 15];
    }
    out[2 * ENVELOPE_ID_SIZE] = '\0';
}

int64_t envelope_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
