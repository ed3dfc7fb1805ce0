#include "search_sources.h"

#include "catalog/catalog_store.h"
#include "catalog/catalog_view.h"
#include "discovery_stmt.h"
#include "discovery_text.h"
#include "log.h"
#include "provider_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const discovery_stmt_id_t s_stmt[SEARCH_KIND_COUNT] = {
    DISCOVERY_STMT_SEARCH_TRACKS, DISCOVERY_STMT_SEARCH_ALBUMS, DISCOVERY_STMT_SEARCH_ARTISTS};
static const catalog_kind_t s_catalog_kind[SEARCH_KIND_COUNT] = {
    CATALOG_KIND_TRACK, CATALOG_KIND_ALBUM, CATALOG_KIND_ARTIST};
static const int s_provider_kind[SEARCH_KIND_COUNT] = {PROVIDER_SEARCH_TRACK, PROVIDER_SEARCH_ALBUM,
                                                       PROVIDER_SEARCH_ARTIST};

/* Drops the nested lists a search item does not carry (header comment). */
static void s_trim_view(search_kind_t kind, json_t *view)
{
    if (kind == SEARCH_KIND_ALBUM) {
        (void)json_object_del(view, "tracks");
    } else if (kind == SEARCH_KIND_ARTIST) {
        (void)json_object_del(view, "top_tracks");
        (void)json_object_del(view, "albums");
    }
}

/* Trims every view and sets the exact flags (title, or name for artists, equal to q once
 * both are folded). */
static void s_finish_views(search_kind_t kind, const char *q, search_source_t *src)
{
    const char *field = kind == SEARCH_KIND_ARTIST ? "name" : "title";
    size_t n = json_array_size(src->views);
    for (size_t i = 0; i < n; i++) {
        json_t *view = json_array_get(src->views, i);
        s_trim_view(kind, view);
        if (i < SEARCH_FETCH_MAX)
            src->exact[i] = discovery_text_same(json_string_value(json_object_get(view, field)), q);
    }
}

db_err_t search_sources_local(db_t *db, search_kind_t kind, const char *q, int limit, long offset,
                              search_source_t *src)
{
    char limit_text[16], offset_text[24];
    snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
    snprintf(offset_text, sizeof offset_text, "%ld", offset);
    src->name = "local";
    src->local = true;
    src->offset = offset;
    src->requested = limit + 1;
    const char *params[] = {q, limit_text, offset_text};
    PGresult *res = NULL;
    db_err_t err = db_run(db, &discovery_stmts[s_stmt[kind]], params, &res);
    if (err != DB_OK)
        return err;
    int rows = PQntuples(res);
    long long ids[SEARCH_FETCH_MAX];
    size_t n = 0;
    for (int r = 0; r < rows && n < SEARCH_FETCH_MAX; r++)
        ids[n++] = strtoll(db_value(res, r, 0), NULL, 10);
    PQclear(res);
    if (n == 0)
        return (src->views = json_array()) ? DB_OK : DB_ERR_OTHER;
    err = catalog_store_views_by_row_ids(db, s_catalog_kind[kind], ids, n, &src->views);
    if (err != DB_OK)
        return err;
    s_finish_views(kind, q, src);
    return DB_OK;
}

/* The views of one kind's documents into src. -1 out of memory. */
static int s_fill_kind(search_kind_t kind, const char *q, const json_t *docs, search_source_t *src)
{
    src->views = json_array();
    src->docs = json_array();
    if (!src->views || !src->docs)
        return -1;
    size_t i;
    const json_t *doc;
    json_array_foreach(docs, i, doc)
    {
        if (i >= SEARCH_FETCH_MAX)
            break;
        json_t *view = catalog_view(s_catalog_kind[kind], doc);
        if (!view)
            continue; /* a document without platform/native_id: nothing to show */
        if (json_array_append_new(src->views, view) < 0 ||
            json_array_append(src->docs, (json_t *)doc) < 0)
            return -1;
    }
    s_finish_views(kind, q, src);
    return 0;
}

provider_result_t search_sources_provider(handler_ctx_t *ctx, const provider_t *provider,
                                          const char *q, const bool *kinds, int limit, long offset,
                                          search_source_t *const *dst, provider_err_t *err)
{
    provider_search_t query = {.query = q, .types = 0, .limit = limit, .offset = (int)offset};
    for (int k = 0; k < SEARCH_KIND_COUNT; k++) {
        if (!kinds[k])
            continue;
        query.types |= s_provider_kind[k];
        dst[k]->name = provider->name;
        dst[k]->offset = offset;
        dst[k]->requested = limit;
    }
    json_t *result = NULL;
    provider_result_t r = provider->search(ctx->providers, &query, &result, err);
    if (r == PROVIDER_NOT_FOUND || r == PROVIDER_UNSUPPORTED)
        r = PROVIDER_OK; /* nothing found is an empty page */
    for (int k = 0; k < SEARCH_KIND_COUNT; k++) {
        if (!kinds[k])
            continue;
        const json_t *docs = json_object_get(result, search_kind_list(k));
        if (r != PROVIDER_OK) {
            dst[k]->failed = true;
        } else if (s_fill_kind(k, q, json_is_array(docs) ? docs : NULL, dst[k]) < 0) {
            r = provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
            dst[k]->failed = true;
        }
    }
    json_decref(result);
    return r;
}

void search_sources_store(handler_ctx_t *ctx, search_kind_t kind, const json_t *docs)
{
    size_t i;
    const json_t *doc;
    json_array_foreach(docs, i, doc)
    {
        catalog_upsert_t up = {.mode = CATALOG_UPSERT_PARTIAL};
        db_err_t err = catalog_store_upsert(ctx->primary, s_catalog_kind[kind], doc, &up);
        if (err != DB_OK) {
            log_warn("search: storing a %s result failed (%s%s%s)", search_kind_name(kind),
                     db_err_name(err), up.reason[0] ? ": " : "", up.reason);
            if (err == DB_ERR_UNAVAILABLE)
                return; /* the rest would fail the same way */
        }
    }
}
