#include "recordings.h"

#include <stdio.h>
#include <stdlib.h>

const char *rec_dir(void)
{
    const char *env = getenv("BEDROCK_PROVIDERS_DATA_DIR");
    return (env && *env) ? env : PROVIDERS_DATA_DIR;
}

char *rec_read(const char *provider, const char *file, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", rec_dir(), provider, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        abort();
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        abort();
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

json_t *rec_json(const char *provider, const char *file)
{
    size_t len;
    char *text = rec_read(provider, file, &len);
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!doc) {
        fprintf(stderr, "%s/%s: %s\n", provider, file, jerr.text);
        abort();
    }
    return doc;
}

json_t *rec_manifest(const char *provider)
{
    json_t *m = rec_json(provider, "manifest.json");
    json_t *entries = json_incref(json_object_get(m, "entries"));
    json_decref(m);
    if (!json_is_array(entries))
        abort();
    return entries;
}
