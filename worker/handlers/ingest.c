/* ingest — catalog.ingest: a batch of a local catalog in the Chinook JSONL shapes
 * (compose/data/chinook/SOURCE.md). Owner: catalog engineer (C1).
 *
 * body {kind: "genres"|"media_types"|"artists"|"albums"|"tracks"|"playlists",
 *       items: [...]} (at most BEDROCK_INGEST_MAX_ITEMS)
 *  -> 200 {inserted, updated, unchanged, rejected: [{index, id, reason}]}
 *
 * Everything is platform "local" with native_id = the catalog's own id, and the item
 * itself as raw. The batch is one transaction. Idempotent: an item equal to what is
 * stored (JSONB equality of raw) is "unchanged" and writes nothing (updated_at and
 * revisions untouched). A malformed item, or one naming a row that is not stored
 * (ingest order: genres, media_types, artists, albums, tracks, playlists), is
 * rejected with its reason and the rest of the batch goes on.
 */
#include "catalog_handlers.h"

#include "catalog/catalog_settings.h"
#include "catalog/catalog_store.h"
#include "log.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define S_PLATFORM "local"

typedef enum { S_GENRES, S_MEDIA_TYPES, S_ARTISTS, S_ALBUMS, S_TRACKS, S_PLAYLISTS } s_kind_t;

static const char *const s_kind_names[] = {"genres", "media_types", "artists",
                                           "albums", "tracks",      "playlists"};

typedef struct {
    s_kind_t kind;
    const json_t *items;
    long inserted, updated, unchanged;
    json_t *rejected;
} s_batch_t;

/* ---- validation: an item to a catalog document, or a reason ---- */

static bool s_pos_int(const json_t *item, const char *key)
{
    json_t *v = json_object_get(item, key);
    return json_is_integer(v) && json_integer_value(v) > 0;
}

static bool s_text(const json_t *item, const char *key)
{
    json_t *v = json_object_get(item, key);
    return json_is_string(v) && json_string_length(v) > 0 &&
           strlen(json_string_value(v)) == json_string_length(v);
}

static bool s_opt_text(const json_t *item, const char *key)
{
    json_t *v = json_object_get(item, key);
    return !v || json_is_null(v) || json_is_string(v);
}

/* {native_id: "<item[id_key]>", <name_key>: item[text_key]} or json null. */
static json_t *s_ref(const json_t *item, const char *id_key, const char *name_key,
                     const char *text_key)
{
    char id[32];
    json_t *v = json_object_get(item, id_key);
    if (!json_is_integer(v))
        return json_null();
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(v));
    json_t *name = json_object_get(item, text_key);
    return json_pack("{s:s, s:O?}", "native_id", id, name_key, json_is_string(name) ? name : NULL);
}

static const char *s_check(s_kind_t kind, const json_t *item)
{
    if (!json_is_object(item))
        return "not an object";
    if (!s_pos_int(item, "id"))
        return "id must be a positive integer";
    bool titled = kind == S_ALBUMS;
    if (!s_text(item, titled ? "title" : "name"))
        return titled ? "title must be a non-empty string" : "name must be a non-empty string";
    if (kind == S_ALBUMS && !s_pos_int(item, "artist_id"))
        return "artist_id must be a positive integer";
    if (kind == S_TRACKS) {
        json_t *ms = json_object_get(item, "milliseconds");
        if (!s_pos_int(item, "album_id"))
            return "album_id must be a positive integer";
        if (!json_is_integer(ms) || json_integer_value(ms) < 0 ||
            json_integer_value(ms) > INT32_MAX)
            return "milliseconds must be a non-negative integer";
        if ((json_object_get(item, "artist_id") && !s_pos_int(item, "artist_id")) ||
            (json_object_get(item, "genre_id") && !s_pos_int(item, "genre_id")) ||
            (json_object_get(item, "media_type_id") && !s_pos_int(item, "media_type_id")))
            return "artist_id, genre_id and media_type_id must be positive integers";
        if (!s_opt_text(item, "composer") || !s_opt_text(item, "genre") ||
            !s_opt_text(item, "media_type") || !s_opt_text(item, "album") ||
            !s_opt_text(item, "artist"))
            return "composer, genre, media_type, album and artist must be strings";
    }
    if (kind == S_PLAYLISTS) {
        json_t *ids = json_object_get(item, "track_ids"), *v, *count;
        size_t i;
        if (!json_is_array(ids))
            return "track_ids must be an array";
        json_array_foreach(ids, i, v)
        {
            if (!json_is_integer(v) || json_integer_value(v) <= 0)
                return "track_ids must hold positive integers";
        }
        count = json_object_get(item, "track_count");
        if (count &&
            (!json_is_integer(count) || (size_t)json_integer_value(count) != json_array_size(ids)))
            return "track_count does not match track_ids";
    }
    return NULL;
}

static json_t *s_playlist_tracks(const json_t *item)
{
    json_t *out = json_array(), *v;
    size_t i;
    json_array_foreach(json_object_get(item, "track_ids"), i, v)
    {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(v));
        if (!out || json_array_append_new(out, json_pack("{s:s}", "native_id", id)) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* The catalog document of a checked item (catalog_store.h shapes; genre_refs and
 * media_type_ref are the local catalog's references by id). */
static json_t *s_document(s_kind_t kind, const json_t *item)
{
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(item, "id")));
    json_t *doc =
        json_pack("{s:s, s:s, s:O}", "platform", S_PLATFORM, "native_id", id, "raw", item);
    if (!doc)
        return NULL;
    int rc = 0;
    json_t *name = json_object_get(item, kind == S_ALBUMS ? "title" : "name");
    rc |= json_object_set(doc, kind == S_TRACKS || kind == S_ALBUMS ? "title" : "name", name);
    if (kind == S_ALBUMS)
        rc |= json_object_set_new(doc, "artists",
                                  json_pack("[o]", s_ref(item, "artist_id", "name", "artist")));
    if (kind == S_TRACKS) {
        json_t *artist = s_ref(item, "artist_id", "name", "artist");
        json_t *genre = s_ref(item, "genre_id", "name", "genre");
        rc |= json_object_set_new(doc, "album", s_ref(item, "album_id", "title", "album"));
        rc |= json_object_set_new(doc, "artists",
                                  json_is_null(artist) ? json_array() : json_pack("[o]", artist));
        rc |= json_object_set_new(doc, "genre_refs",
                                  json_is_null(genre) ? json_array() : json_pack("[o]", genre));
        rc |= json_object_set_new(doc, "media_type_ref",
                                  s_ref(item, "media_type_id", "name", "media_type"));
        rc |= json_object_set(doc, "duration_ms", json_object_get(item, "milliseconds"));
        rc |= json_object_set_new(doc, "explicit", json_false());
    }
    if (kind == S_PLAYLISTS)
        rc |= json_object_set_new(doc, "tracks", s_playlist_tracks(item));
    if (rc != 0) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* ---- the batch ---- */

static int s_reject(s_batch_t *b, size_t index, const json_t *item, const char *reason)
{
    json_t *id = json_is_object(item) ? json_object_get(item, "id") : NULL;
    return json_array_append_new(
        b->rejected,
        json_pack("{s:I, s:O?, s:s}", "index", (json_int_t)index, "id", id, "reason", reason));
}

static void s_count(s_batch_t *b, catalog_change_t change)
{
    if (change == CATALOG_INSERTED)
        b->inserted++;
    else if (change == CATALOG_UPDATED)
        b->updated++;
    else
        b->unchanged++;
}

static db_err_t s_item(db_t *db, s_batch_t *b, size_t index, const json_t *item)
{
    const char *why = s_check(b->kind, item);
    if (why)
        return s_reject(b, index, item, why) < 0 ? DB_ERR_OTHER : DB_OK;
    catalog_change_t change = CATALOG_UNCHANGED;
    db_err_t err;
    char reason[CATALOG_REASON_MAX] = "";
    if (b->kind == S_GENRES || b->kind == S_MEDIA_TYPES) {
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(item, "id")));
        err = catalog_store_upsert_named(
            db, b->kind == S_GENRES ? CATALOG_NAMED_GENRE : CATALOG_NAMED_MEDIA_TYPE, S_PLATFORM,
            id, json_string_value(json_object_get(item, "name")), &change);
        if (err == DB_ERR_INVALID_DATA)
            snprintf(reason, sizeof reason, "name is too long");
    } else {
        static const catalog_kind_t kinds[] = {[S_ARTISTS] = CATALOG_KIND_ARTIST,
                                               [S_ALBUMS] = CATALOG_KIND_ALBUM,
                                               [S_TRACKS] = CATALOG_KIND_TRACK,
                                               [S_PLAYLISTS] = CATALOG_KIND_PLAYLIST};
        json_t *doc = s_document(b->kind, item);
        if (!doc)
            return DB_ERR_OTHER;
        catalog_upsert_t up = {.mode = CATALOG_UPSERT_FULL, .refs_must_exist = true};
        err = catalog_store_upsert_tx(db, kinds[b->kind], doc, &up);
        json_decref(doc);
        change = up.change;
        snprintf(reason, sizeof reason, "%s", up.reason);
    }
    if ((err == DB_ERR_NOT_FOUND || err == DB_ERR_INVALID_DATA) && reason[0])
        return s_reject(b, index, item, reason) < 0 ? DB_ERR_OTHER : DB_OK;
    if (err == DB_OK)
        s_count(b, change);
    return err;
}

static db_err_t s_batch_tx(db_t *db, void *arg)
{
    s_batch_t *b = arg;
    b->inserted = b->updated = b->unchanged = 0;
    if (json_array_clear(b->rejected) < 0)
        return DB_ERR_OTHER;
    const json_t *item;
    size_t i;
    json_array_foreach(b->items, i, item)
    {
        db_err_t err = s_item(db, b, i, item);
        if (err != DB_OK)
            return err;
    }
    return DB_OK;
}

static int s_kind(const json_t *body, s_kind_t *kind)
{
    const char *name = json_string_value(json_object_get(body, "kind"));
    for (size_t i = 0; name && i < sizeof s_kind_names / sizeof s_kind_names[0]; i++) {
        if (strcmp(name, s_kind_names[i]) == 0) {
            *kind = (s_kind_t)i;
            return 0;
        }
    }
    return -1;
}

int handle_catalog_ingest(handler_ctx_t *ctx)
{
    const json_t *body = ctx->req->body;
    s_batch_t b = {.items = json_object_get(body, "items")};
    if (!json_is_object(body) || s_kind(body, &b.kind) < 0)
        return handler_invalid(ctx, "kind",
                               "kind must be genres, media_types, artists, albums, tracks or "
                               "playlists");
    if (!json_is_array(b.items))
        return handler_invalid(ctx, "items", "items must be an array");
    if (json_array_size(b.items) > (size_t)catalog_settings()->ingest_max_items)
        return handler_invalid(ctx, "items", "too many items in one batch");
    if (!(b.rejected = json_array()))
        return -1;
    db_err_t err = db_transaction(ctx->primary, s_batch_tx, &b);
    if (err != DB_OK) {
        log_warn("catalog.ingest %s: batch of %zu failed: %s", s_kind_names[b.kind],
                 json_array_size(b.items), db_err_name(err));
        json_decref(b.rejected);
        return handler_db_error(ctx, err);
    }
    log_info("catalog.ingest %s: %ld inserted, %ld updated, %ld unchanged, %zu rejected",
             s_kind_names[b.kind], b.inserted, b.updated, b.unchanged, json_array_size(b.rejected));
    return handler_ok(ctx, 200,
                      json_pack("{s:I, s:I, s:I, s:o}", "inserted", (json_int_t)b.inserted,
                                "updated", (json_int_t)b.updated, "unchanged",
                                (json_int_t)b.unchanged, "rejected", b.rejected));
}
