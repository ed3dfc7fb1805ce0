/* catalog_refs — see catalog_refs.h. Owner: catalog engineer (C1). */
#include "catalog_refs.h"

#include "catalog_store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column sizes of migration 004 (characters). */
#define S_NATIVE_MAX 128
#define S_NAME_MAX 1000
#define S_GENRE_MAX 200
#define S_LABEL_MAX 500
#define S_URL_MAX 2048

db_err_t catalog_refs_run_id(db_t *db, catalog_stmt_id_t stmt, const char *const *params,
                             long long *id)
{
    PGresult *res = NULL;
    *id = 0;
    db_err_t err = db_run(db, &catalog_stmts[stmt], params, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) > 0 && db_value(res, 0, 0))
        *id = strtoll(db_value(res, 0, 0), NULL, 10);
    PQclear(res);
    return *id > 0 ? DB_OK : DB_ERR_NOT_FOUND;
}

db_err_t catalog_refs_find(db_t *db, catalog_stmt_id_t stmt, const char *platform,
                           const char *native, long long *id)
{
    const char *params[] = {platform, native};
    return catalog_refs_run_id(db, stmt, params, id);
}

/* Insert-or-find: stmt_insert (ON CONFLICT DO NOTHING RETURNING id), then stmt_id. */
static db_err_t s_ensure(db_t *db, catalog_stmt_id_t stmt_insert, const char *const *params,
                         catalog_stmt_id_t stmt_id, long long *id)
{
    db_err_t err = catalog_refs_run_id(db, stmt_insert, params, id);
    if (err != DB_ERR_NOT_FOUND)
        return err;
    return catalog_refs_find(db, stmt_id, params[0], params[1], id);
}

static db_err_t s_refuse(const catalog_refs_t *r, const char *what, const char *native)
{
    snprintf(r->reason, CATALOG_REASON_MAX, "%s %s not found", what, native);
    return DB_ERR_NOT_FOUND;
}

static db_err_t s_too_long(const catalog_refs_t *r, const char *what)
{
    snprintf(r->reason, CATALOG_REASON_MAX, "%s is too long", what);
    return DB_ERR_INVALID_DATA;
}

static db_err_t s_artist(const catalog_refs_t *r, const json_t *ref, long long *id)
{
    catalog_slot_t slot;
    const char *native = catalog_param(ref, "native_id", &slot);
    *id = 0;
    if (!native)
        return DB_OK;
    if (strlen(native) > S_NATIVE_MAX)
        return s_too_long(r, "an artist id");
    db_err_t err = catalog_refs_find(r->db, CATALOG_STMT_ARTIST_ID, r->platform, native, id);
    if (err != DB_ERR_NOT_FOUND)
        return err;
    if (r->must_exist)
        return s_refuse(r, "artist", native);
    if (!catalog_fits(ref, "name", S_NAME_MAX) || !catalog_fits(ref, "image_url", S_URL_MAX))
        return s_too_long(r, "an artist name");
    const char *name = catalog_param(ref, "name", &slot);
    char *raw = catalog_raw_text(ref);
    if (!raw)
        return DB_ERR_OTHER;
    const char *params[] = {
        r->platform, native, name ? name : "", json_string_value(json_object_get(ref, "image_url")),
        raw,         "false"};
    err = s_ensure(r->db, CATALOG_STMT_ARTIST_INSERT, params, CATALOG_STMT_ARTIST_ID, id);
    free(raw);
    return err;
}

db_err_t catalog_refs_artists(const catalog_refs_t *r, const json_t *doc, const char *key,
                              catalog_ids_t *ids)
{
    json_t *list = json_object_get(doc, key), *ref;
    size_t i;
    json_array_foreach(list, i, ref)
    {
        long long id = 0;
        db_err_t err = s_artist(r, ref, &id);
        if (err != DB_OK)
            return err;
        if (id > 0 && catalog_ids_push(ids, id) < 0)
            return DB_ERR_OTHER;
    }
    return DB_OK;
}

db_err_t catalog_refs_album(const catalog_refs_t *r, const json_t *ref, long long *id)
{
    catalog_slot_t slot, s2;
    const char *native = json_is_object(ref) ? catalog_param(ref, "native_id", &slot) : NULL;
    *id = 0;
    if (!native)
        return DB_OK;
    if (strlen(native) > S_NATIVE_MAX)
        return s_too_long(r, "an album id");
    db_err_t err = catalog_refs_find(r->db, CATALOG_STMT_ALBUM_ID, r->platform, native, id);
    if (err != DB_ERR_NOT_FOUND)
        return err;
    if (r->must_exist)
        return s_refuse(r, "album", native);
    if (!catalog_fits(ref, "title", S_NAME_MAX) || !catalog_fits(ref, "image_url", S_URL_MAX) ||
        !catalog_fits(ref, "upc", 14) || !catalog_fits(ref, "release_date", 10))
        return s_too_long(r, "an album reference");
    const char *title = catalog_param(ref, "title", &s2);
    char *raw = catalog_raw_text(ref);
    if (!raw)
        return DB_ERR_OTHER;
    const char *params[] = {r->platform,
                            native,
                            title ? title : "",
                            json_string_value(json_object_get(ref, "upc")),
                            json_string_value(json_object_get(ref, "release_date")),
                            NULL,
                            NULL,
                            json_string_value(json_object_get(ref, "image_url")),
                            raw,
                            "false"};
    err = s_ensure(r->db, CATALOG_STMT_ALBUM_INSERT, params, CATALOG_STMT_ALBUM_ID, id);
    free(raw);
    return err;
}

/* A genre by (native, name): found, or created unless must_exist. */
static db_err_t s_genre(const catalog_refs_t *r, const char *native, const char *name,
                        long long *id)
{
    db_err_t err = catalog_refs_find(r->db, CATALOG_STMT_GENRE_ID, r->platform, native, id);
    if (err != DB_ERR_NOT_FOUND)
        return err;
    if (r->must_exist)
        return s_refuse(r, "genre", native);
    const char *params[] = {r->platform, native, name};
    return s_ensure(r->db, CATALOG_STMT_GENRE_INSERT, params, CATALOG_STMT_GENRE_ID, id);
}

/* Provider genres are keyed by their lower-cased name (ASCII folding is enough to
 * merge "Rock" and "rock"). */
static db_err_t s_genre_named(const catalog_refs_t *r, const char *name, long long *id)
{
    char key[S_NATIVE_MAX + 1];
    size_t n = strlen(name);
    *id = 0;
    if (n == 0 || n > S_NATIVE_MAX || catalog_utf8_len(name) > S_GENRE_MAX)
        return DB_OK; /* a genre name we cannot key is dropped, not fatal */
    for (size_t i = 0; i <= n; i++)
        key[i] = (char)tolower((unsigned char)name[i]);
    return s_genre(r, key, name, id);
}

db_err_t catalog_refs_genres(const catalog_refs_t *r, const json_t *doc, catalog_ids_t *ids)
{
    json_t *refs = json_object_get(doc, "genre_refs"), *item;
    size_t i;
    db_err_t err = DB_OK;
    if (json_is_array(refs)) {
        json_array_foreach(refs, i, item)
        {
            catalog_slot_t slot;
            const char *native = catalog_param(item, "native_id", &slot);
            const char *name = json_string_value(json_object_get(item, "name"));
            long long id = 0;
            if (!native)
                continue;
            if (strlen(native) > S_NATIVE_MAX || (name && catalog_utf8_len(name) > S_GENRE_MAX))
                return s_too_long(r, "a genre");
            err = s_genre(r, native, name ? name : native, &id);
            if (err != DB_OK)
                return err;
            if (catalog_ids_push(ids, id) < 0)
                return DB_ERR_OTHER;
        }
        return DB_OK;
    }
    json_array_foreach(json_object_get(doc, "genres"), i, item)
    {
        long long id = 0;
        if (!json_is_string(item))
            continue;
        err = s_genre_named(r, json_string_value(item), &id);
        if (err != DB_OK)
            return err;
        if (id > 0 && catalog_ids_push(ids, id) < 0)
            return DB_ERR_OTHER;
    }
    return DB_OK;
}

db_err_t catalog_refs_media_type(const catalog_refs_t *r, const json_t *doc, long long *id)
{
    json_t *ref = json_object_get(doc, "media_type_ref");
    catalog_slot_t slot;
    const char *native = json_is_object(ref) ? catalog_param(ref, "native_id", &slot) : NULL;
    *id = 0;
    if (!native)
        return DB_OK;
    db_err_t err = catalog_refs_find(r->db, CATALOG_STMT_MEDIA_TYPE_ID, r->platform, native, id);
    if (err == DB_ERR_NOT_FOUND)
        return s_refuse(r, "media type", native);
    return err;
}

db_err_t catalog_refs_label(db_t *db, const char *name, long long *id)
{
    *id = 0;
    if (!name || !*name || catalog_utf8_len(name) > S_LABEL_MAX)
        return DB_OK;
    const char *params[] = {name};
    db_err_t err = catalog_refs_run_id(db, CATALOG_STMT_LABEL_ENSURE, params, id);
    if (err != DB_ERR_NOT_FOUND)
        return err;
    return catalog_refs_run_id(db, CATALOG_STMT_LABEL_ID, params, id);
}
