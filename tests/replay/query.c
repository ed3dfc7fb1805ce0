#include "query.h"

#include "mem.h"

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

char *query_decode(const char *in, size_t len, bool plus_is_space)
{
    char *out = mem_alloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '+' && plus_is_space) {
            out[o++] = ' ';
        } else if (in[i] == '%' && i + 2 < len && s_hex(in[i + 1]) >= 0 && s_hex(in[i + 2]) >= 0) {
            out[o++] = (char)(s_hex(in[i + 1]) * 16 + s_hex(in[i + 2]));
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    out[o] = '\0';
    return out;
}

void query_add(query_t *q, const char *name, const char *value)
{
    q->params = mem_realloc(q->params, (q->count + 1) * sizeof *q->params);
    q->params[q->count].name = mem_strdup(name);
    q->params[q->count].value = value ? mem_strdup(value) : NULL;
    q->count++;
}

void query_parse(const char *raw, query_t *out)
{
    out->params = NULL;
    out->count = 0;
    if (!raw)
        return;
    const char *piece = raw;
    while (*piece) {
        size_t len = strcspn(piece, "&");
        if (len > 0) {
            const char *eq = memchr(piece, '=', len);
            size_t name_len = eq ? (size_t)(eq - piece) : len;
            char *name = query_decode(piece, name_len, true);
            char *value = eq ? query_decode(eq + 1, len - name_len - 1, true) : mem_strdup("");
            query_add(out, name, value);
            free(name);
            free(value);
        }
        piece += len;
        if (*piece == '&')
            piece++;
    }
}

void query_free(query_t *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->count; i++) {
        free(q->params[i].name);
        free(q->params[i].value);
    }
    free(q->params);
    q->params = NULL;
    q->count = 0;
}

/* True when every '+'/space separated token of a occurs in b. */
static bool s_tokens_within(const char *a, const char *b)
{
    static const char seps[] = "+ ";
    const char *tok = a;
    while (*tok) {
        tok += strspn(tok, seps);
        size_t len = strcspn(tok, seps);
        if (len == 0)
            break;
        bool found = false;
        const char *other = b;
        while (*other && !found) {
            other += strspn(other, seps);
            size_t olen = strcspn(other, seps);
            found = olen == len && memcmp(other, tok, len) == 0;
            other += olen;
        }
        if (!found)
            return false;
        tok += len;
    }
    return true;
}

static bool s_value_equal(const char *name, const char *recorded, const char *request,
                          const char *token_set_param)
{
    if (token_set_param && strcmp(name, token_set_param) == 0)
        return s_tokens_within(recorded, request) && s_tokens_within(request, recorded);
    return strcmp(recorded, request) == 0;
}

/* Finds an unused request pair for recorded pair r; marks it used. */
static bool s_take(const query_param_t *r, const query_t *request, bool *used,
                   const char *token_set_param)
{
    for (size_t j = 0; j < request->count; j++) {
        const query_param_t *q = &request->params[j];
        if (used[j] || strcmp(r->name, q->name) != 0)
            continue;
        if (r->value && !s_value_equal(r->name, r->value, q->value, token_set_param))
            continue;
        used[j] = true;
        return true;
    }
    return false;
}

bool query_matches(const query_t *recorded, const query_t *request, const char *token_set_param)
{
    if (recorded->count != request->count)
        return false;
    if (recorded->count == 0)
        return true;
    bool *used = mem_calloc(request->count, sizeof *used);
    bool ok = true;
    /* Exact pairs first, so that a wildcard never steals the pair an exact one needs. */
    for (int pass = 0; pass < 2 && ok; pass++) {
        for (size_t i = 0; i < recorded->count && ok; i++) {
            const query_param_t *r = &recorded->params[i];
            if ((pass == 0) == (r->value == NULL))
                continue;
            ok = s_take(r, request, used, token_set_param);
        }
    }
    free(used);
    return ok;
}

size_t query_wildcards(const query_t *q)
{
    size_t n = 0;
    for (size_t i = 0; i < q->count; i++)
        n += q->params[i].value == NULL;
    return n;
}

static size_t s_encode_into(char *out, const char *in)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p)) {
            if (out)
                out[o] = (char)*p;
            o++;
        } else {
            if (out) {
                out[o] = '%';
                out[o + 1] = hex[*p >> 4];
                out[o + 2] = hex[*p & 15];
            }
            o += 3;
        }
    }
    return o;
}

char *query_encode(const query_t *q, const char *null_value)
{
    /* Two passes: measure, then write. */
    char *out = NULL;
    for (int pass = 0; pass < 2; pass++) {
        size_t o = 0;
        for (size_t i = 0; i < q->count; i++) {
            const char *value = q->params[i].value ? q->params[i].value : null_value;
            if (i > 0) {
                if (out)
                    out[o] = '&';
                o++;
            }
            o += s_encode_into(out ? out + o : NULL, q->params[i].name);
            if (out)
                out[o] = '=';
            o++;
            o += s_encode_into(out ? out + o : NULL, value);
        }
        if (out) {
            out[o] = '\0';
            break;
        }
        out = mem_alloc(o + 1);
    }
    return out;
}
