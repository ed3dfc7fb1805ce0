#include "routes.h"

#include "query.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define R_NONE ROUTES_AUTH_NONE
#define R_AUTH ROUTES_AUTH_REQUIRED
#define R_OPT ROUTES_AUTH_OPTIONAL
#define B_NONE ROUTES_BODY_NONE
#define B_OBJ ROUTES_BODY_OBJECT
#define B_OPT ROUTES_BODY_OPTIONAL_OBJECT

/* Adding an endpoint = one line here (and its op in a worker's dispatch table). */
/* clang-format off */
static const routes_route_t s_routes[] = {
    /* method pattern                       op                    auth    body */
    {"GET",   "/healthz",                   "frontend.healthz",   R_NONE, B_NONE},
    {"GET",   "/readyz",                    "frontend.readyz",    R_NONE, B_NONE},
    {"GET",   "/metrics",                   "frontend.metrics",   R_NONE, B_NONE},
    {"GET",   "/openapi.yaml",              "frontend.openapi",   R_NONE, B_NONE},
    {"GET",   "/docs",                      "frontend.docs",      R_NONE, B_NONE},
    {"POST",  "/v1/auth/register",          "auth.register",      R_NONE, B_OBJ},
    {"POST",  "/v1/auth/login",             "auth.login",         R_NONE, B_OBJ},
    {"POST",  "/v1/auth/refresh",           "auth.refresh",       R_NONE, B_OBJ},
    {"POST",  "/v1/auth/logout",            "auth.logout",        R_AUTH, B_NONE},
    {"POST",  "/v1/auth/verify-email",      "auth.verify_email",  R_NONE, B_OBJ},
    {"POST",  "/v1/auth/password",          "auth.password",      R_AUTH, B_OBJ},

    {"GET",    "/v1/me",                              "me.get",                     R_AUTH, B_NONE},
    {"PATCH",  "/v1/me",                              "me.update",                  R_AUTH, B_OBJ},
    {"DELETE", "/v1/me",                              "me.delete",                  R_AUTH, B_NONE},
    {"GET",    "/v1/me/export",                       "me.export",                  R_AUTH, B_NONE},
    {"GET",    "/v1/me/sessions",                     "me.sessions.list",           R_AUTH, B_NONE},
    {"DELETE", "/v1/me/sessions/{id}",                "me.sessions.revoke",         R_AUTH, B_NONE},
    {"GET",    "/v1/me/favorites",                    "me.favorites.list",          R_AUTH, B_NONE},
    {"PUT",    "/v1/me/favorites/{type}/{id}",        "me.favorites.put",           R_AUTH, B_NONE},
    {"DELETE", "/v1/me/favorites/{type}/{id}",        "me.favorites.delete",        R_AUTH, B_NONE},
    {"GET",    "/v1/me/playlists",                    "me.playlists.list",          R_AUTH, B_NONE},
    {"POST",   "/v1/me/playlists",                    "me.playlists.create",        R_AUTH, B_OBJ},
    {"GET",    "/v1/me/playlists/{id}",               "me.playlists.get",           R_AUTH, B_NONE},
    {"PATCH",  "/v1/me/playlists/{id}",               "me.playlists.update",        R_AUTH, B_OBJ},
    {"DELETE", "/v1/me/playlists/{id}",               "me.playlists.delete",        R_AUTH, B_NONE},
    {"POST",   "/v1/me/playlists/{id}/items",         "me.playlists.items.add",     R_AUTH, B_OBJ},
    {"PUT",    "/v1/me/playlists/{id}/items",         "me.playlists.items.replace", R_AUTH, B_OBJ},
    {"DELETE", "/v1/me/playlists/{id}/items/{position}", "me.playlists.items.remove", R_AUTH, B_NONE},
    {"GET",    "/v1/me/history",                      "me.history.list",            R_AUTH, B_NONE},
    {"GET",    "/v1/me/search-history",               "me.search_history.list",     R_AUTH, B_NONE},
    {"DELETE", "/v1/me/search-history",               "me.search_history.clear",    R_AUTH, B_NONE},
    {"GET",    "/v1/me/player",                       "me.player.get",              R_AUTH, B_NONE},
    {"PUT",    "/v1/me/player",                       "me.player.put",              R_AUTH, B_OBJ},

    {"GET",    "/v1/tracks/{id}",                     "tracks.get",                 R_OPT,  B_NONE},
    {"GET",    "/v1/tracks/{id}/links",               "tracks.links",               R_OPT,  B_NONE},
    {"GET",    "/v1/tracks/{id}/stream",              "tracks.stream",              R_OPT,  B_NONE},
    {"GET",    "/v1/tracks/{id}/lyrics",              "tracks.lyrics",              R_OPT,  B_NONE},
    {"GET",    "/v1/albums/{id}",                     "albums.get",                 R_OPT,  B_NONE},
    {"GET",    "/v1/artists/{id}",                    "artists.get",                R_OPT,  B_NONE},
    {"GET",    "/v1/playlists/{id}",                  "playlists.get",              R_OPT,  B_NONE},
    {"GET",    "/v1/search",                          "search.query",               R_OPT,  B_NONE},
    {"GET",    "/v1/lyrics",                          "lyrics.get",                 R_OPT,  B_NONE},
    {"POST",   "/v1/plays",                           "plays.record",               R_AUTH, B_OBJ},
    {"GET",    "/v1/providers/status",                "providers.status",           R_NONE, B_NONE},

    {"GET",    "/v1/admin/users",                     "admin.users.list",           R_AUTH, B_NONE},
    {"PATCH",  "/v1/admin/users/{id}",                "admin.users.update",         R_AUTH, B_OBJ},
    {"GET",    "/v1/admin/audit",                     "admin.audit.list",           R_AUTH, B_NONE},
};
/* clang-format on */

const routes_route_t *routes_table(size_t *count)
{
    *count = sizeof s_routes / sizeof s_routes[0];
    return s_routes;
}

typedef struct {
    const char *ptr[ROUTES_MAX_SEGMENTS];
    size_t len[ROUTES_MAX_SEGMENTS];
    int n;
} s_segments_t;

/* "/a/b" -> [a, b]; "/" -> [""]; "/a/" -> [a, ""]. -1 without a leading '/' or when
 * there are more segments than ROUTES_MAX_SEGMENTS. */
static int s_split(const char *path, s_segments_t *out)
{
    out->n = 0;
    if (!path || path[0] != '/')
        return -1;
    const char *p = path + 1;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (out->n == ROUTES_MAX_SEGMENTS)
            return -1;
        out->ptr[out->n] = p;
        out->len[out->n] = len;
        out->n++;
        if (!slash)
            return 0;
        p = slash + 1;
    }
}

static bool s_is_param(const char *seg, size_t len)
{
    return len >= 3 && seg[0] == '{' && seg[len - 1] == '}';
}

/* True when pattern matches the path's segments; *score ranks specificity: a bit per
 * literal segment, leftmost segments weigh most. */
static bool s_pattern_matches(const char *pattern, const s_segments_t *path, uint32_t *score)
{
    s_segments_t pat;
    if (s_split(pattern, &pat) < 0 || pat.n != path->n)
        return false;
    *score = 0;
    for (int i = 0; i < pat.n; i++) {
        if (s_is_param(pat.ptr[i], pat.len[i])) {
            if (path->len[i] == 0)
                return false;
            continue;
        }
        if (pat.len[i] != path->len[i] || memcmp(pat.ptr[i], path->ptr[i], pat.len[i]) != 0)
            return false;
        *score |= 1u << (ROUTES_MAX_SEGMENTS - 1 - i);
    }
    return true;
}

/* Appends method to the comma-separated allow list unless it is already there. */
static void s_allow_add(char *allow, const char *method)
{
    size_t mlen = strlen(method);
    for (const char *p = allow; *p;) {
        size_t len = strcspn(p, ",");
        if (len == mlen && memcmp(p, method, len) == 0)
            return;
        p += len;
        p += strspn(p, ", ");
    }
    size_t used = strlen(allow);
    if (used + mlen + 3 > ROUTES_ALLOW_MAX)
        return;
    if (used)
        memcpy(allow + used, ", ", 2), used += 2;
    memcpy(allow + used, method, mlen + 1);
}

static void s_copy_name(char *dst, const char *src, size_t len)
{
    if (len >= ROUTES_NAME_MAX)
        len = ROUTES_NAME_MAX - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Sets every {param} of route as a decoded string in params. */
static routes_status_t s_extract(const routes_route_t *route, const s_segments_t *path,
                                 json_t *params, routes_result_t *out)
{
    s_segments_t pat;
    if (s_split(route->pattern, &pat) < 0)
        return ROUTES_NOT_FOUND;
    for (int i = 0; i < pat.n; i++) {
        if (!s_is_param(pat.ptr[i], pat.len[i]))
            continue;
        char name[ROUTES_NAME_MAX];
        s_copy_name(name, pat.ptr[i] + 1, pat.len[i] - 2);
        char *value = malloc(path->len[i] + 1);
        if (!value)
            return ROUTES_NOT_FOUND;
        int n = query_url_decode(path->ptr[i], path->len[i], value, false);
        json_t *str = n < 0 ? NULL : json_stringn(value, (size_t)n); /* NULL: bad UTF-8 */
        free(value);
        if (!str || json_object_set_new(params, name, str) < 0) {
            snprintf(out->bad_param, sizeof out->bad_param, "%s", name);
            return ROUTES_BAD_PARAM;
        }
    }
    return ROUTES_MATCHED;
}

routes_status_t routes_match_in(const routes_route_t *table, size_t count, const char *method,
                                const char *path, json_t *params, routes_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->index = -1;
    s_segments_t segs;
    if (!method || s_split(path, &segs) < 0)
        return ROUTES_NOT_FOUND;
    uint32_t best_score = 0;
    bool path_known = false;
    for (size_t i = 0; i < count; i++) {
        uint32_t score;
        if (!s_pattern_matches(table[i].pattern, &segs, &score))
            continue;
        path_known = true;
        s_allow_add(out->allow, table[i].method);
        if (strcmp(table[i].method, method) != 0)
            continue;
        if (!out->route || score > best_score) {
            out->route = &table[i];
            out->index = (int)i;
            best_score = score;
        }
    }
    if (!out->route)
        return path_known ? ROUTES_METHOD_NOT_ALLOWED : ROUTES_NOT_FOUND;
    if (!params)
        return ROUTES_MATCHED;
    routes_status_t rc = s_extract(out->route, &segs, params, out);
    if (rc != ROUTES_MATCHED) {
        out->route = NULL;
        out->index = -1;
    }
    return rc;
}

routes_status_t routes_match(const char *method, const char *path, json_t *params,
                             routes_result_t *out)
{
    size_t count;
    const routes_route_t *table = routes_table(&count);
    return routes_match_in(table, count, method, path, params, out);
}
