#include "search_request.h"

#include "catalog/providers_glue.h"
#include "discovery_text.h"
#include "token.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_LOCAL "local"
#define S_ALL "all"
#define S_LIST_MAX 256 /* longest type / platform argument accepted */

static const char *const s_kind_names[SEARCH_KIND_COUNT] = {"track", "album", "artist"};
static const char *const s_kind_lists[SEARCH_KIND_COUNT] = {"tracks", "albums", "artists"};

const char *search_kind_name(search_kind_t kind)
{
    return kind < SEARCH_KIND_COUNT ? s_kind_names[kind] : "?";
}

const char *search_kind_list(search_kind_t kind)
{
    return kind < SEARCH_KIND_COUNT ? s_kind_lists[kind] : "?";
}

/* The error replies of parsing: written, then 1 ("answered"). */
static int s_bad(handler_ctx_t *ctx, const char *field, const char *message)
{
    (void)handler_invalid(ctx, field, message);
    return 1;
}

static int s_fail(handler_ctx_t *ctx, int status, const char *code, const char *message)
{
    (void)handler_error(ctx, status, code, message);
    return 1;
}

/* args[name] as a string: NULL when absent or null; *bad when of another type. */
static const char *s_arg(handler_ctx_t *ctx, const char *name, bool *bad)
{
    const json_t *args = ctx->req->args;
    const json_t *v = json_is_object(args) ? json_object_get(args, name) : NULL;
    *bad = false;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

static int s_parse_q(handler_ctx_t *ctx, search_request_t *out)
{
    bool bad;
    const char *q = s_arg(ctx, "q", &bad);
    if (!q || bad)
        return s_bad(ctx, "q", "q is required");
    if (strlen(q) >= SEARCH_Q_BYTES || discovery_text_squash(q, out->q, sizeof out->q) < 0 ||
        discovery_text_chars(out->q) > SEARCH_Q_CHARS_MAX)
        return s_bad(ctx, "q", "q is longer than 200 characters");
    if (out->q[0] == '\0')
        return s_bad(ctx, "q", "q must not be blank");
    return 0;
}

static int s_kind_of(const char *name, size_t len)
{
    for (int k = 0; k < SEARCH_KIND_COUNT; k++)
        if (strlen(s_kind_names[k]) == len && strncmp(s_kind_names[k], name, len) == 0)
            return k;
    return -1;
}

static int s_parse_types(handler_ctx_t *ctx, search_request_t *out)
{
    bool bad;
    const char *t = s_arg(ctx, "type", &bad);
    if (bad || (t && strlen(t) > S_LIST_MAX))
        return s_bad(ctx, "type", "type is a comma list of track, album, artist");
    bool any = false;
    for (const char *p = t; p && *p;) {
        size_t len = strcspn(p, ",");
        int k = s_kind_of(p, len);
        if (k < 0)
            return s_bad(ctx, "type", "type is a comma list of track, album, artist");
        out->kinds[k] = any = true;
        p += len + (p[len] == ',' ? 1 : 0);
    }
    for (int k = 0; k < SEARCH_KIND_COUNT; k++)
        out->kinds[k] = out->kinds[k] || !any;
    size_t used = 0;
    for (int k = 0; k < SEARCH_KIND_COUNT; k++)
        if (out->kinds[k])
            used += (size_t)snprintf(out->types_text + used, sizeof out->types_text - used, "%s%s",
                                     used ? "," : "", s_kind_names[k]);
    return 0;
}

static bool s_has_source(const search_request_t *out, const char *name)
{
    for (int i = 0; i < out->n_sources; i++)
        if (strcmp(out->sources[i], name) == 0)
            return true;
    return false;
}

/* The platforms asked for, by name: asked[i] for ids_platforms[i]. Returns 0, or 1 after
 * the error reply. */
static int s_mark_platform(handler_ctx_t *ctx, const char *name, size_t len, bool *asked, bool *all)
{
    if (len == strlen(S_ALL) && strncmp(name, S_ALL, len) == 0) {
        *all = true;
        return 0;
    }
    for (size_t i = 0; ids_platforms[i]; i++) {
        if (strlen(ids_platforms[i]) != len || strncmp(ids_platforms[i], name, len) != 0)
            continue;
        if (!providers_glue_available(ctx, ids_platforms[i]))
            return s_fail(ctx, 404, "unknown_platform", "this platform is not available");
        const provider_t *p = provider_find(ids_platforms[i]);
        if (p && !p->search)
            return s_bad(ctx, "platform", "this platform has no search");
        asked[i] = true;
        return 0;
    }
    return s_fail(ctx, 404, "unknown_platform", "no such platform");
}

/* The providers that go first, in this order; the others follow in registry order.
 * MusicBrainz comes last: its 1 request/s limit (one request per kind searched) makes
 * it the slowest, and a search stops starting provider calls once its budget is spent
 * (discovery_settings.h), so the quick ones must not wait behind it. */
static const char *const s_provider_order[] = {"deezer", "spotify", "itunes", NULL};

static int s_rank(const char *name)
{
    for (int i = 0; s_provider_order[i]; i++)
        if (strcmp(s_provider_order[i], name) == 0)
            return i;
    return 100;
}

static void s_add_provider(handler_ctx_t *ctx, search_request_t *out, const provider_t *p,
                           const bool *asked, bool all)
{
    bool wanted = all && p->search && providers_glue_get(ctx, p->name) != NULL;
    for (size_t i = 0; !wanted && ids_platforms[i]; i++)
        wanted = asked[i] && strcmp(ids_platforms[i], p->name) == 0;
    if (wanted && !s_has_source(out, p->name) && out->n_sources < SEARCH_SOURCES_MAX) {
        snprintf(out->sources[out->n_sources++], IDS_PLATFORM_MAX, "%s", p->name);
        out->needs_providers = true;
    }
}

/* Sources in a fixed order: local, then the providers (s_provider_order first). */
static void s_add_sources(handler_ctx_t *ctx, search_request_t *out, const bool *asked, bool all)
{
    for (size_t i = 0; ids_platforms[i]; i++)
        if (strcmp(ids_platforms[i], S_LOCAL) == 0 && (all || asked[i]))
            snprintf(out->sources[out->n_sources++], IDS_PLATFORM_MAX, "%s", S_LOCAL);
    for (int rank = 0; rank <= 100; rank++)
        for (size_t r = 0; provider_all[r]; r++)
            if (s_rank(provider_all[r]->name) == rank)
                s_add_provider(ctx, out, provider_all[r], asked, all);
}

static int s_parse_platforms(handler_ctx_t *ctx, search_request_t *out)
{
    bool bad, all = false, asked[16] = {false};
    const char *p = s_arg(ctx, "platform", &bad);
    if (bad || (p && strlen(p) > S_LIST_MAX))
        return s_bad(ctx, "platform", "platform is all or a comma list of platforms");
    if (!p || !*p)
        p = S_ALL;
    snprintf(out->platform_text, sizeof out->platform_text, "%s", p);
    for (const char *s = p; *s;) {
        size_t len = strcspn(s, ",");
        if (len == 0)
            return s_bad(ctx, "platform", "platform has an empty entry");
        if (s_mark_platform(ctx, s, len, asked, &all) != 0)
            return 1;
        s += len + (s[len] == ',' ? 1 : 0);
    }
    s_add_sources(ctx, out, asked, all);
    return 0;
}

static int s_parse_limit(handler_ctx_t *ctx, search_request_t *out)
{
    const json_t *args = ctx->req->args;
    const json_t *v = json_is_object(args) ? json_object_get(args, "limit") : NULL;
    long limit = SEARCH_LIMIT_DEFAULT;
    if (json_is_integer(v)) {
        limit = (long)json_integer_value(v);
    } else if (json_is_string(v)) {
        char *end = NULL;
        errno = 0;
        limit = strtol(json_string_value(v), &end, 10);
        if (errno || end == json_string_value(v) || *end)
            limit = -1;
    } else if (v && !json_is_null(v)) {
        limit = -1;
    }
    if (limit < 1 || limit > SEARCH_LIMIT_MAX)
        return s_bad(ctx, "limit", "limit is an integer from 1 to 100");
    out->limit = (int)limit;
    return 0;
}

static int s_parse_cursor(handler_ctx_t *ctx, search_request_t *out)
{
    bool bad;
    const char *c = s_arg(ctx, "cursor", &bad);
    if (!bad && (!c || !*c))
        return 0;
    char *kind = NULL;
    json_t *offsets = NULL;
    if (bad || search_cursor_decode(c, &kind, &offsets) < 0)
        return s_bad(ctx, "cursor", "cursor is not a cursor of this search");
    int k = s_kind_of(kind, strlen(kind));
    free(kind);
    if (k < 0 || !out->kinds[k]) {
        json_decref(offsets);
        return s_bad(ctx, "cursor", "cursor belongs to a type not asked for");
    }
    for (int i = 0; i < out->n_sources; i++) {
        const json_t *v = json_object_get(offsets, out->sources[i]);
        out->offsets[k][i] = json_is_integer(v) ? (long)json_integer_value(v) : 0;
    }
    json_decref(offsets);
    snprintf(out->cursor, sizeof out->cursor, "%s", c);
    return 0;
}

int search_request_parse(handler_ctx_t *ctx, search_request_t *out)
{
    memset(out, 0, sizeof *out);
    int rc = s_parse_q(ctx, out);
    if (rc == 0)
        rc = s_parse_types(ctx, out);
    if (rc == 0)
        rc = s_parse_platforms(ctx, out);
    if (rc == 0)
        rc = s_parse_limit(ctx, out);
    if (rc == 0)
        rc = s_parse_cursor(ctx, out);
    return rc;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, comma-joined lists of the sources and of the kinds. */
static void s_sorted_lists(const search_request_t *req, char *platforms, size_t psize, char *types,
                           size_t tsize)
{
    const char *names[SEARCH_SOURCES_MAX];
    for (int i = 0; i < req->n_sources; i++)
        names[i] = req->sources[i];
    qsort(names, (size_t)req->n_sources, sizeof names[0], s_cmp);
    size_t used = 0;
    platforms[0] = '\0';
    for (int i = 0; i < req->n_sources && used < psize; i++)
        used += (size_t)snprintf(platforms + used, psize - used, "%s%s", i ? "," : "", names[i]);
    /* album < artist < track: alphabetical. */
    static const search_kind_t order[] = {SEARCH_KIND_ALBUM, SEARCH_KIND_ARTIST, SEARCH_KIND_TRACK};
    used = 0;
    types[0] = '\0';
    for (size_t i = 0; i < 3 && used < tsize; i++)
        if (req->kinds[order[i]])
            used += (size_t)snprintf(types + used, tsize - used, "%s%s", used ? "," : "",
                                     s_kind_names[order[i]]);
}

int search_request_key(const search_request_t *req, char out[SEARCH_KEY_MAX])
{
    char q[SEARCH_Q_BYTES * 3], platforms[128], types[32];
    if (discovery_text_key_part(req->q, q, sizeof q) < 0)
        return -1;
    s_sorted_lists(req, platforms, sizeof platforms, types, sizeof types);
    const char *sep = req->cursor[0] ? ":" : "";
    int n = snprintf(out, SEARCH_KEY_MAX, "search:%s:%s:%s:%d%s%s", q, platforms, types, req->limit,
                     sep, req->cursor);
    if (n >= 0 && n < SEARCH_KEY_MAX)
        return 0;
    char hex[65];
    token_sha256_hex(q, hex);
    n = snprintf(out, SEARCH_KEY_MAX, "search:#%s:%s:%s:%d%s%s", hex, platforms, types, req->limit,
                 sep, req->cursor);
    return (n >= 0 && n < SEARCH_KEY_MAX) ? 0 : -1;
}
