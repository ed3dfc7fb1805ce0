/* catalog_load — the read side of catalog_store.h. Owner: catalog engineer (C1).
 *
 * Documents are built by PostgreSQL itself (bedrock_*_doc() of migration 007) and
 * arrive as JSON text: one shape for every reader, one round trip per entity.
 */
#include "catalog_param.h"
#include "catalog_stmt.h"
#include "catalog_store.h"
#include "catalog_view.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const catalog_stmt_id_t s_load[CATALOG_KIND_COUNT] = {
    [CATALOG_KIND_TRACK] = CATALOG_STMT_LOAD_TRACK,
    [CATALOG_KIND_ALBUM] = CATALOG_STMT_LOAD_ALBUM,
    [CATALOG_KIND_ARTIST] = CATALOG_STMT_LOAD_ARTIST,
    [CATALOG_KIND_PLAYLIST] = CATALOG_STMT_LOAD_PLAYLIST,
};

static const catalog_stmt_id_t s_docs[CATALOG_KIND_COUNT] = {
    [CATALOG_KIND_TRACK] = CATALOG_STMT_DOCS_TRACKS,
    [CATALOG_KIND_ALBUM] = CATALOG_STMT_DOCS_ALBUMS,
    [CATALOG_KIND_ARTIST] = CATALOG_STMT_DOCS_ARTISTS,
    [CATALOG_KIND_PLAYLIST] = CATALOG_STMT_DOCS_PLAYLISTS,
};

static const catalog_stmt_id_t s_count[CATALOG_KIND_COUNT] = {
    [CATALOG_KIND_TRACK] = CATALOG_STMT_COUNT_TRACKS,
    [CATALOG_KIND_ALBUM] = CATALOG_STMT_COUNT_ALBUMS,
    [CATALOG_KIND_ARTIST] = CATALOG_STMT_COUNT_ARTISTS,
    [CATALOG_KIND_PLAYLIST] = CATALOG_STMT_COUNT_PLAYLISTS,
};

/* The JSON text of a cell as a new value; NULL (logged) when it does not parse. */
static json_t *s_parse(const char *text)
{
    json_error_t jerr;
    json_t *doc = text ? json_loads(text, 0, &jerr) : NULL;
    if (text && !doc)
        log_error("catalog: a stored document does not parse: %s", jerr.text);
    return doc;
}

db_err_t catalog_store_load(db_t *db, catalog_kind_t kind, const char *platform,
                            const char *native_id, json_t **doc, bool *complete)
{
    *doc = NULL;
    if ((unsigned)kind >= CATALOG_KIND_COUNT)
        return DB_ERR_OTHER;
    const char *params[] = {platform, native_id};
    PGresult *res = NULL;
    db_err_t err = db_run(db, &catalog_stmts[s_load[kind]], params, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_ERR_NOT_FOUND;
    }
    *doc = s_parse(db_value(res, 0, 0));
    if (complete)
        *complete = db_value(res, 0, 1) && db_value(res, 0, 1)[0] == 't';
    PQclear(res);
    return *doc ? DB_OK : DB_ERR_OTHER;
}

db_err_t catalog_store_load_view(db_t *db, catalog_kind_t kind, const char *platform,
                                 const char *native_id, json_t **view, bool *complete)
{
    json_t *doc = NULL;
    *view = NULL;
    db_err_t err = catalog_store_load(db, kind, platform, native_id, &doc, complete);
    if (err != DB_OK)
        return err;
    *view = catalog_view(kind, doc);
    json_decref(doc);
    return *view ? DB_OK : DB_ERR_OTHER;
}

/* Every row's first column parsed, into a new array; views when as_views. */
static db_err_t s_rows(PGresult *res, catalog_kind_t kind, bool as_views, json_t **out)
{
    *out = json_array();
    if (!*out)
        return DB_ERR_OTHER;
    for (int i = 0; i < PQntuples(res); i++) {
        json_t *doc = s_parse(db_value(res, i, 0));
        json_t *item = doc && as_views ? catalog_view(kind, doc) : json_incref(doc);
        json_decref(doc);
        if (item && json_array_append_new(*out, item) < 0) {
            json_decref(*out);
            *out = NULL;
            return DB_ERR_OTHER;
        }
    }
    return DB_OK;
}

db_err_t catalog_store_views_by_row_ids(db_t *db, catalog_kind_t kind, const long long *row_ids,
                                        size_t n, json_t **views)
{
    *views = NULL;
    if ((unsigned)kind >= CATALOG_KIND_COUNT)
        return DB_ERR_OTHER;
    char *array = catalog_id_array(row_ids, n);
    if (!array)
        return DB_ERR_OTHER;
    const char *params[] = {array};
    PGresult *res = NULL;
    db_err_t err = db_run(db, &catalog_stmts[s_docs[kind]], params, &res);
    free(array);
    if (err != DB_OK)
        return err;
    err = s_rows(res, kind, true, views);
    PQclear(res);
    return err;
}

db_err_t catalog_store_tracks_by_isrc(db_t *db, const char *isrc, json_t **docs)
{
    *docs = NULL;
    if (!isrc || strlen(isrc) != 12)
        return (*docs = json_array()) ? DB_OK : DB_ERR_OTHER;
    const char *params[] = {isrc};
    PGresult *res = NULL;
    db_err_t err = db_run(db, &catalog_stmts[CATALOG_STMT_TRACKS_BY_ISRC], params, &res);
    if (err != DB_OK)
        return err;
    err = s_rows(res, CATALOG_KIND_TRACK, false, docs);
    PQclear(res);
    return err;
}

db_err_t catalog_store_track_links(db_t *db, const char *isrc, const char *platform,
                                   const char *native_id, long long duration_ms, int tolerance_ms,
                                   json_t **docs)
{
    *docs = NULL;
    if (!isrc || strlen(isrc) != 12)
        return (*docs = json_array()) ? DB_OK : DB_ERR_OTHER;
    char duration[32], tolerance[32];
    snprintf(duration, sizeof duration, "%lld", duration_ms);
    snprintf(tolerance, sizeof tolerance, "%d", tolerance_ms);
    const char *params[] = {isrc, platform, native_id, duration, tolerance};
    PGresult *res = NULL;
    db_err_t err = db_run(db, &catalog_stmts[CATALOG_STMT_TRACK_LINKS], params, &res);
    if (err != DB_OK)
        return err;
    err = s_rows(res, CATALOG_KIND_TRACK, false, docs);
    PQclear(res);
    return err;
}

db_err_t catalog_store_count(db_t *db, catalog_kind_t kind, const char *platform, long long *count)
{
    *count = 0;
    if ((unsigned)kind >= CATALOG_KIND_COUNT)
        return DB_ERR_OTHER;
    const char *params[] = {platform};
    PGresult *res = NULL;
    db_err_t err = db_run(db, &catalog_stmts[s_count[kind]], params, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) > 0)
        *count = strtoll(db_value(res, 0, 0), NULL, 10);
    PQclear(res);
    return DB_OK;
}
