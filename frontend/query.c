#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int s_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int query_url_decode(const char *src, size_t len, char *dst, bool plus_as_space)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '%' && i + 2 < len && s_hex(src[i + 1]) >= 0 && s_hex(src[i + 2]) >= 0) {
            c = (char)(s_hex(src[i + 1]) * 16 + s_hex(src[i + 2]));
            i += 2;
        } else if (c == '+' && plus_as_space) {
            c = ' ';
        }
        if (c == '\0') {
            dst[o] = '\0';
            return -1;
        }
        dst[o++] = c;
    }
    dst[o] = '\0';
    return (int)o;
}

/* Decodes src[0..len) into a new JSON string, NULL on NUL / bad UTF-8 / no memory. */
static json_t *s_decoded_string(const char *src, size_t len)
{
    char *buf = malloc(len + 1);
    if (!buf)
        return NULL;
    int n = query_url_decode(src, len, buf, true);
    json_t *str = n < 0 ? NULL : json_stringn(buf, (size_t)n);
    free(buf);
    return str;
}

/* Decodes a key into key (QUERY_KEY_MAX); -1 when too long, NUL or not UTF-8. */
static int s_decode_key(const char *src, size_t len, char key[QUERY_KEY_MAX])
{
    if (len >= QUERY_KEY_MAX)
        return -1;
    int n = query_url_decode(src, len, key, true);
    if (n < 0)
        return -1;
    json_t *probe = json_stringn(key, (size_t)n); /* validates UTF-8 */
    if (!probe)
        return -1;
    json_decref(probe);
    return n;
}

static query_result_t s_pair(const char *pair, size_t len, json_t *out, char bad_key[QUERY_KEY_MAX])
{
    const char *eq = memchr(pair, '=', len);
    size_t klen = eq ? (size_t)(eq - pair) : len;
    char key[QUERY_KEY_MAX];
    int n = s_decode_key(pair, klen, key);
    if (n < 0) {
        snprintf(bad_key, QUERY_KEY_MAX, "query");
        return QUERY_BAD_VALUE;
    }
    if (n == 0)
        return QUERY_OK;
    const char *val = eq ? eq + 1 : pair + len;
    json_t *str = s_decoded_string(val, (size_t)(pair + len - val));
    if (!str || json_object_set_new(out, key, str) < 0) {
        snprintf(bad_key, QUERY_KEY_MAX, "%s", key);
        return QUERY_BAD_VALUE;
    }
    return QUERY_OK;
}

query_result_t query_parse(const char *qs, json_t *out, char bad_key[QUERY_KEY_MAX])
{
    bad_key[0] = '\0';
    if (!qs)
        return QUERY_OK;
    int pairs = 0;
    for (const char *p = qs; *p;) {
        size_t len = strcspn(p, "&");
        if (len > 0) {
            if (++pairs > QUERY_MAX_PARAMS) {
                snprintf(bad_key, QUERY_KEY_MAX, "query");
                return QUERY_TOO_MANY;
            }
            query_result_t rc = s_pair(p, len, out, bad_key);
            if (rc != QUERY_OK)
                return rc;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return QUERY_OK;
}
