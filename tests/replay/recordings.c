#include "recordings.h"

#include "log.h"
#include "mem.h"
#include "providers.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Status served when a source did not store one (README: "200 assumed"). */
#define RECORDINGS_DEFAULT_STATUS 200
/* Value shown for a wildcard pair in the example url of a listing. */
#define RECORDINGS_ANY_VALUE "any"

struct recordings {
    recording_t *items;
    size_t count;
};

/* Content type for a recording whose source did not store one. */
static const struct {
    const char *ext;
    const char *type;
} s_types[] = {
    {".json", "application/json"},
    {".xml", "application/xml"},
    {".html", "text/html"},
    {".txt", "text/plain"},
};

static const char *s_guess_content_type(const char *file)
{
    const char *dot = strrchr(file, '.');
    for (size_t i = 0; dot && i < sizeof s_types / sizeof s_types[0]; i++) {
        if (strcmp(dot, s_types[i].ext) == 0)
            return s_types[i].type;
    }
    return "application/octet-stream";
}

/* Reads a whole file; *buf_out (NUL-terminated) is the caller's. 0 / -1 with errno. */
static int s_read_file(const char *path, char **buf_out, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        errno = EINVAL;
        return -1;
    }
    size_t len = (size_t)st.st_size;
    char *buf = mem_alloc(len + 1);
    size_t got = fread(buf, 1, len, f);
    int failed = ferror(f);
    fclose(f);
    if (failed || got != len) {
        free(buf);
        errno = EIO;
        return -1;
    }
    buf[len] = '\0';
    *buf_out = buf;
    *len_out = len;
    return 0;
}

static void s_recording_free(recording_t *rec)
{
    free(rec->method);
    free(rec->path);
    query_free(&rec->query);
    free(rec->content_type);
    free(rec->body);
    free(rec->file);
    memset(rec, 0, sizeof *rec);
}

/* request.query: [[name, value|null], ...]; absent/null = taken from request.url. */
static int s_parse_query(json_t *request, query_t *out, const char **why)
{
    json_t *jq = json_object_get(request, "query");
    if (!jq || json_is_null(jq)) {
        const char *url = json_string_value(json_object_get(request, "url"));
        const char *mark = url ? strchr(url, '?') : NULL;
        query_parse(mark ? mark + 1 : NULL, out);
        return 0;
    }
    if (!json_is_array(jq)) {
        *why = "request.query is not an array";
        return -1;
    }
    size_t i;
    json_t *pair;
    json_array_foreach(jq, i, pair)
    {
        json_t *name = json_array_get(pair, 0);
        json_t *value = json_array_get(pair, 1);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_string(name) ||
            !(json_is_string(value) || json_is_null(value))) {
            *why = "request.query item is not [string, string|null]";
            return -1;
        }
        query_add(out, json_string_value(name), json_string_value(value));
    }
    return 0;
}

static int s_parse_request(json_t *request, recording_t *rec, const char **why)
{
    const char *method = json_string_value(json_object_get(request, "method"));
    const char *base = json_string_value(json_object_get(request, "base"));
    const char *path = json_string_value(json_object_get(request, "path"));
    if (!json_is_object(request) || !method || !*method || !base || !path || path[0] != '/') {
        *why = "request needs method, base and a path starting with '/'";
        return -1;
    }
    rec->provider = providers_from_base(base);
    if (rec->provider < 0) {
        *why = "request.base is not in the provider table";
        return -1;
    }
    rec->method = mem_strdup(method);
    rec->path = query_decode(path, strlen(path), false);
    /* The token POST (and any other non-GET) is matched on method + path only. */
    rec->match_query = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (s_parse_query(request, &rec->query, why) != 0)
        return -1;
    rec->wildcards = query_wildcards(&rec->query);
    return 0;
}

static int s_parse_response(json_t *response, recording_t *rec, const char **why)
{
    json_t *status = json_object_get(response, "status");
    const char *type = json_string_value(json_object_get(response, "content_type"));
    if (!json_is_object(response)) {
        *why = "response is not an object";
        return -1;
    }
    if (!status || json_is_null(status)) {
        rec->status = RECORDINGS_DEFAULT_STATUS;
    } else if (json_is_integer(status) && json_integer_value(status) >= 100 &&
               json_integer_value(status) <= 599) {
        rec->status = (int)json_integer_value(status);
    } else {
        *why = "response.status is not an HTTP status";
        return -1;
    }
    rec->content_type = mem_strdup(type && *type ? type : s_guess_content_type(rec->file));
    return 0;
}

/* One manifest entry; mdir is the manifest's directory, label its name. */
static int s_parse_entry(json_t *entry, const char *mdir, const char *label, recording_t *rec,
                         const char **why)
{
    const char *file = json_string_value(json_object_get(entry, "file"));
    if (!file || !*file || file[0] == '/' || strstr(file, "..")) {
        *why = "file is missing or not a plain relative name";
        return -1;
    }
    size_t flen = strlen(label) + strlen(file) + 2;
    rec->file = mem_alloc(flen);
    snprintf(rec->file, flen, "%s/%s", label, file);
    if (s_parse_request(json_object_get(entry, "request"), rec, why) != 0 ||
        s_parse_response(json_object_get(entry, "response"), rec, why) != 0)
        return -1;

    size_t plen = strlen(mdir) + strlen(file) + 2;
    char *body_path = mem_alloc(plen);
    snprintf(body_path, plen, "%s/%s", mdir, file);
    int rc = s_read_file(body_path, &rec->body, &rec->body_len);
    free(body_path);
    if (rc != 0) {
        *why = "body file cannot be read";
        return -1;
    }
    json_t *bytes = json_object_get(json_object_get(entry, "response"), "bytes");
    if (json_is_integer(bytes) && (size_t)json_integer_value(bytes) != rec->body_len)
        log_warn("replay: %s has %zu bytes, manifest says %lld (served as is)", rec->file,
                 rec->body_len, (long long)json_integer_value(bytes));
    return 0;
}

/* Loads mdir/manifest.json if it exists. Returns 1 loaded, 0 absent, -1 unreadable. */
static int s_load_manifest(recordings_t *self, const char *mdir, const char *label)
{
    size_t plen = strlen(mdir) + sizeof "/manifest.json";
    char *path = mem_alloc(plen);
    snprintf(path, plen, "%s/manifest.json", mdir);
    struct stat st;
    if (stat(path, &st) != 0) {
        free(path);
        return 0;
    }
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    json_t *entries = json_object_get(root, "entries");
    if (!json_is_array(entries)) {
        log_warn("replay: skipping %s: %s", path, root ? "no entries array" : err.text);
        json_decref(root);
        free(path);
        return -1;
    }
    size_t i, loaded = 0;
    json_t *entry;
    json_array_foreach(entries, i, entry)
    {
        recording_t rec = {0};
        const char *why = NULL;
        if (!json_is_object(entry) || s_parse_entry(entry, mdir, label, &rec, &why) != 0) {
            log_warn("replay: skipping %s entry %zu (%s): %s", path, i, rec.file ? rec.file : "?",
                     why ? why : "entry is not an object");
            s_recording_free(&rec);
            continue;
        }
        self->items = mem_realloc(self->items, (self->count + 1) * sizeof *self->items);
        self->items[self->count++] = rec;
        loaded++;
    }
    log_info("replay: %s: %zu of %zu entries loaded", path, loaded, json_array_size(entries));
    json_decref(root);
    free(path);
    return 1;
}

static int s_not_hidden(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

recordings_t *recordings_load(const char *dir)
{
    recordings_t *self = mem_calloc(1, sizeof *self);
    int manifests = s_load_manifest(self, dir, ".") != 0;
    struct dirent **names = NULL;
    int n = scandir(dir, &names, s_not_hidden, alphasort);
    if (n < 0) {
        log_error("replay: cannot read data directory %s: %s", dir, strerror(errno));
        recordings_destroy(&self);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        size_t plen = strlen(dir) + strlen(names[i]->d_name) + 2;
        char *sub = mem_alloc(plen);
        snprintf(sub, plen, "%s/%s", dir, names[i]->d_name);
        struct stat st;
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            manifests += s_load_manifest(self, sub, names[i]->d_name) != 0;
        free(sub);
        free(names[i]);
    }
    free(names);
    if (manifests == 0) {
        log_error("replay: no manifest.json in %s or its subdirectories", dir);
        recordings_destroy(&self);
        return NULL;
    }
    return self;
}

void recordings_destroy(recordings_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    recordings_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++)
        s_recording_free(&self->items[i]);
    free(self->items);
    free(self);
    *self_p = NULL;
}

size_t recordings_count(const recordings_t *self)
{
    return self ? self->count : 0;
}

const recording_t *recordings_at(const recordings_t *self, size_t i)
{
    return self && i < self->count ? &self->items[i] : NULL;
}

/* Equal paths, ignoring one side's trailing '/' ("/ws/2/recording/" == "/ws/2/recording"). */
static bool s_path_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    while (la > 0 && a[la - 1] == '/')
        la--;
    while (lb > 0 && b[lb - 1] == '/')
        lb--;
    return la == lb && memcmp(a, b, la) == 0;
}

const recording_t *recordings_match(const recordings_t *self, int provider, const char *method,
                                    const char *path, const query_t *query)
{
    const recording_t *best = NULL;
    const char *token_set = providers_token_set_param(provider);
    for (size_t i = 0; self && i < self->count; i++) {
        const recording_t *rec = &self->items[i];
        if (rec->provider != provider || strcmp(rec->method, method) != 0 ||
            !s_path_equal(rec->path, path))
            continue;
        if (rec->match_query && !query_matches(&rec->query, query, token_set))
            continue;
        if (!best || rec->wildcards < best->wildcards)
            best = rec;
    }
    return best;
}

json_t *recordings_describe(const recording_t *rec)
{
    const char *name = providers_name(rec->provider);
    json_t *pairs = json_array();
    for (size_t i = 0; i < rec->query.count; i++) {
        const query_param_t *p = &rec->query.params[i];
        json_array_append_new(pairs, json_pack("[s, s?]", p->name, p->value));
    }
    char *encoded = query_encode(&rec->query, RECORDINGS_ANY_VALUE);
    size_t plen = strlen(name) + strlen(rec->path) + 2;
    char *path = mem_alloc(plen);
    snprintf(path, plen, "/%s%s", name, rec->path);
    size_t ulen = plen + strlen(encoded) + 1;
    char *url = mem_alloc(ulen);
    snprintf(url, ulen, "%s%s%s", path, *encoded ? "?" : "", encoded);
    json_t *out =
        json_pack("{s:s, s:s, s:s, s:o, s:b, s:s, s:i, s:s, s:I, s:s}", "provider", name, "method",
                  rec->method, "path", path, "query", pairs, "match_query", rec->match_query, "url",
                  url, "status", rec->status, "content_type", rec->content_type, "bytes",
                  (json_int_t)rec->body_len, "file", rec->file);
    free(encoded);
    free(path);
    free(url);
    return out;
}

json_t *recordings_near(const recordings_t *self, int provider, const char *method,
                        const char *path)
{
    json_t *out = json_array();
    for (size_t i = 0; self && i < self->count; i++) {
        const recording_t *rec = &self->items[i];
        if (rec->provider == provider && strcmp(rec->method, method) == 0 &&
            s_path_equal(rec->path, path))
            json_array_append_new(out, recordings_describe(rec));
    }
    return out;
}
