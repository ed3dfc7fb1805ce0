/* catalog_upsert — catalog_store_upsert and catalog_store_upsert_named (catalog_store.h).
 * Owner: catalog engineer (C1).
 *
 * One entity = lock its row (FOR UPDATE, comparing raw in the same statement), decide
 * (unchanged / insert / revision + update), resolve its references, write the row,
 * then rewrite its links. An unchanged document stops after the lock: a second ingest
 * of the whole Chinook catalog is one SELECT per row.
 */
#include "catalog_param.h"
#include "catalog_refs.h"
#include "catalog_stmt.h"
#include "catalog_store.h"
#include "log.h"
#include "provider.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column sizes of migrations 004/007 (characters). */
#define S_PLATFORM_MAX 16
#define S_NATIVE_MAX 128
#define S_TITLE_MAX 1000
#define S_URL_MAX 2048
#define S_OWNER_MAX 500
#define S_DATE_MAX 10
#define S_NAMED_MAX 200
#define S_MAX_FIELDS 12

typedef struct {
    db_t *db;
    const char *platform;
    catalog_upsert_t *up;
    catalog_refs_t refs;
} s_up_t;

typedef struct {
    bool found, complete, same;
    long long id;
} s_row_t;

static const struct {
    catalog_stmt_id_t lock, insert, update, touch, revision;
} s_stmts[CATALOG_KIND_COUNT] = {
    [CATALOG_KIND_TRACK] = {CATALOG_STMT_TRACK_LOCK, CATALOG_STMT_TRACK_INSERT,
                            CATALOG_STMT_TRACK_UPDATE, CATALOG_STMT_TRACK_TOUCH,
                            CATALOG_STMT_TRACK_REVISION},
    [CATALOG_KIND_ALBUM] = {CATALOG_STMT_ALBUM_LOCK, CATALOG_STMT_ALBUM_INSERT,
                            CATALOG_STMT_ALBUM_UPDATE, CATALOG_STMT_ALBUM_TOUCH,
                            CATALOG_STMT_ALBUM_REVISION},
    [CATALOG_KIND_ARTIST] = {CATALOG_STMT_ARTIST_LOCK, CATALOG_STMT_ARTIST_INSERT,
                             CATALOG_STMT_ARTIST_UPDATE, CATALOG_STMT_ARTIST_TOUCH,
                             CATALOG_STMT_ARTIST_REVISION},
    [CATALOG_KIND_PLAYLIST] = {CATALOG_STMT_PLAYLIST_LOCK, CATALOG_STMT_PLAYLIST_INSERT,
                               CATALOG_STMT_PLAYLIST_UPDATE, CATALOG_STMT_PLAYLIST_TOUCH,
                               CATALOG_STMT_PLAYLIST_REVISION},
};

const char *catalog_kind_name(catalog_kind_t kind)
{
    static const char *const names[CATALOG_KIND_COUNT] = {"track", "album", "artist", "playlist"};
    return (unsigned)kind < CATALOG_KIND_COUNT ? names[kind] : NULL;
}

static db_err_t s_invalid(s_up_t *u, const char *fmt, const char *what)
{
    snprintf(u->up->reason, sizeof u->up->reason, fmt, what);
    return DB_ERR_INVALID_DATA;
}

/* doc[key] as an int parameter within [min, max], else NULL. */
static const char *s_int(const json_t *doc, const char *key, long long min, long long max,
                         catalog_slot_t *slot)
{
    json_t *v = json_object_get(doc, key);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return NULL;
    snprintf(slot->text, sizeof slot->text, "%lld", (long long)json_integer_value(v));
    return slot->text;
}

/* A string field that must fit its column; NULL when absent. */
static db_err_t s_text(s_up_t *u, const json_t *doc, const char *key, size_t max, const char **out)
{
    *out = NULL;
    if (!catalog_fits(doc, key, max))
        return s_invalid(u, "%s is too long or not a string", key);
    json_t *v = json_object_get(doc, key);
    *out = json_is_string(v) ? json_string_value(v) : NULL;
    return DB_OK;
}

static db_err_t s_lock(s_up_t *u, catalog_kind_t kind, const char *native, const char *raw,
                       s_row_t *row)
{
    const char *params[] = {u->platform, native, raw};
    PGresult *res = NULL;
    memset(row, 0, sizeof *row);
    db_err_t err = db_run(u->db, &catalog_stmts[s_stmts[kind].lock], params, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) > 0) {
        row->found = true;
        row->id = strtoll(db_value(res, 0, 0), NULL, 10);
        row->complete = db_value(res, 0, 1) && db_value(res, 0, 1)[0] == 't';
        row->same = db_value(res, 0, 2) && db_value(res, 0, 2)[0] == 't';
    }
    PQclear(res);
    return DB_OK;
}

/* True when the locked row needs no write: a partial document never overwrites, and
 * a full one that equals a complete row changes nothing (provider rows are touched). */
static db_err_t s_settled(s_up_t *u, catalog_kind_t kind, const s_row_t *row, bool full,
                          bool *settled)
{
    *settled = row->found && (!full || (row->same && row->complete));
    if (!*settled || !full || strcmp(u->platform, "local") == 0)
        return DB_OK;
    catalog_slot_t slot;
    const char *params[] = {catalog_param_id(row->id, &slot)};
    return db_run(u->db, &catalog_stmts[s_stmts[kind].touch], params, NULL);
}

/* Inserts (row not found) or keeps a revision and updates. fields are the kind's
 * columns between native_id and raw. A concurrent insert makes the transaction run
 * again (DB_ERR_RETRY), after which the row is found. */
static db_err_t s_write(s_up_t *u, catalog_kind_t kind, s_row_t *row, const char *native,
                        const char *const *fields, int nf, const char *raw, bool full,
                        catalog_change_t *change)
{
    const char *params[S_MAX_FIELDS + 4];
    catalog_slot_t slot;
    if (!row->found) {
        params[0] = u->platform;
        params[1] = native;
        memcpy(params + 2, fields, (size_t)nf * sizeof *fields);
        params[2 + nf] = raw;
        params[3 + nf] = full ? "true" : "false";
        db_err_t err = catalog_refs_run_id(u->db, s_stmts[kind].insert, params, &row->id);
        if (err == DB_ERR_NOT_FOUND)
            return DB_ERR_RETRY;
        *change = CATALOG_INSERTED;
        return err;
    }
    params[0] = catalog_param_id(row->id, &slot);
    if (row->complete) {
        db_err_t err = db_run(u->db, &catalog_stmts[s_stmts[kind].revision], params, NULL);
        if (err != DB_OK)
            return err;
    }
    memcpy(params + 1, fields, (size_t)nf * sizeof *fields);
    params[1 + nf] = raw;
    *change = CATALOG_UPDATED;
    return db_run(u->db, &catalog_stmts[s_stmts[kind].update], params, NULL);
}

/* Replaces a link list: delete_stmt(owner), then insert_stmt(owner, ids) when any. */
static db_err_t s_links(s_up_t *u, catalog_stmt_id_t delete_stmt, catalog_stmt_id_t insert_stmt,
                        long long owner, const catalog_ids_t *ids, bool had_links)
{
    catalog_slot_t slot;
    const char *params[2] = {catalog_param_id(owner, &slot), NULL};
    db_err_t err = had_links ? db_run(u->db, &catalog_stmts[delete_stmt], params, NULL) : DB_OK;
    if (err != DB_OK || ids->n == 0)
        return err;
    char *array = catalog_id_array(ids->v, ids->n);
    if (!array)
        return DB_ERR_OTHER;
    params[1] = array;
    err = db_run(u->db, &catalog_stmts[insert_stmt], params, NULL);
    free(array);
    return err;
}

static db_err_t s_native(s_up_t *u, const json_t *doc, const char **native, catalog_slot_t *slot)
{
    *native = catalog_param(doc, "native_id", slot);
    if (!*native)
        return s_invalid(u, "%s is missing", "native_id");
    if (strlen(*native) > S_NATIVE_MAX)
        return s_invalid(u, "%s is too long", "native_id");
    return DB_OK;
}

/* What every entity writer starts from. Lives on the writer's stack (native may point
 * into nslot); raw is owned and freed by the writer. */
typedef struct {
    catalog_slot_t nslot;
    const char *native;
    char *raw; /* catalog_raw_text(doc) */
    s_row_t row;
    bool settled;
} s_entity_t;

/* Reads the native id and the raw text, then locks the row and decides whether it is
 * settled. When e->raw is NULL on return nothing was done and the writer returns the
 * result at once; otherwise the writer carries on with the result (DB_OK or the lock's
 * error) and frees e->raw in the end. */
static db_err_t s_begin(s_up_t *u, catalog_kind_t kind, const json_t *doc, bool full,
                        s_entity_t *e)
{
    e->raw = NULL;
    e->settled = false;
    db_err_t err = s_native(u, doc, &e->native, &e->nslot);
    if (err != DB_OK)
        return err;
    e->raw = catalog_raw_text(doc);
    if (!e->raw)
        return DB_ERR_OTHER;
    err = s_lock(u, kind, e->native, e->raw, &e->row);
    if (err == DB_OK)
        err = s_settled(u, kind, &e->row, full, &e->settled);
    return err;
}

typedef struct {
    const char *key;
    size_t max;
} s_text_field_t;

/* s_text for spec[0..n) into f[0..n), stopping at the first field that does not fit. */
static db_err_t s_texts(s_up_t *u, const json_t *doc, const s_text_field_t *spec, int n,
                        const char **f)
{
    db_err_t err = DB_OK;
    for (int i = 0; i < n && err == DB_OK; i++)
        err = s_text(u, doc, spec[i].key, spec[i].max, &f[i]);
    return err;
}

/* ---- tracks ---- */

typedef struct {
    long long album_hint; /* the album listing this track, or 0 */
    long long id;         /* out */
    catalog_change_t change;
} s_track_t;

static db_err_t s_track_fields(s_up_t *u, const json_t *doc, s_track_t *t, const char **f,
                               catalog_slot_t *slots, catalog_ids_t *artists)
{
    long long album_id = t->album_hint, media_type = 0;
    catalog_ids_t genres = {0};
    db_err_t err = DB_OK;
    if (!album_id)
        err = catalog_refs_album(&u->refs, json_object_get(doc, "album"), &album_id);
    if (err == DB_OK)
        err = catalog_refs_artists(&u->refs, doc, "artists", artists);
    if (err == DB_OK)
        err = catalog_refs_genres(&u->refs, doc, &genres);
    if (err == DB_OK)
        err = catalog_refs_media_type(&u->refs, doc, &media_type);
    if (err == DB_OK)
        err = s_text(u, doc, "preview_url", S_URL_MAX, &f[9]);
    if (err == DB_OK)
        err = s_text(u, doc, "title", S_TITLE_MAX, &f[0]);
    const char *isrc = json_string_value(json_object_get(doc, "isrc"));
    f[0] = f[0] ? f[0] : "";
    f[1] = catalog_param_id(album_id, &slots[0]);
    f[2] = isrc && strlen(isrc) == 12 ? isrc : NULL;
    f[3] = s_int(doc, "duration_ms", 0, INT32_MAX, &slots[1]);
    f[4] = catalog_param(doc, "explicit", &slots[2]);
    f[5] = s_int(doc, "disc_number", INT32_MIN, INT32_MAX, &slots[3]);
    f[6] = s_int(doc, "track_number", INT32_MIN, INT32_MAX, &slots[4]);
    f[7] = catalog_param_id(genres.n ? genres.v[0] : 0, &slots[5]);
    f[8] = f[9];
    f[9] = catalog_param_id(media_type, &slots[6]);
    catalog_ids_clear(&genres);
    return err;
}

static db_err_t s_track(s_up_t *u, const json_t *doc, bool full, s_track_t *t)
{
    catalog_slot_t slots[8];
    const char *f[10] = {0};
    s_entity_t e;
    db_err_t err = s_begin(u, CATALOG_KIND_TRACK, doc, full, &e);
    if (!e.raw)
        return err;
    catalog_ids_t artists = {0};
    t->change = CATALOG_UNCHANGED;
    if (err == DB_OK && e.settled && t->album_hint) {
        const char *params[] = {catalog_param_id(e.row.id, &slots[0]),
                                catalog_param_id(t->album_hint, &slots[1])};
        err = db_run(u->db, &catalog_stmts[CATALOG_STMT_TRACK_SET_ALBUM], params, NULL);
    }
    if (err == DB_OK && !e.settled)
        err = s_track_fields(u, doc, t, f, slots, &artists);
    if (err == DB_OK && !e.settled)
        err = s_write(u, CATALOG_KIND_TRACK, &e.row, e.native, f, 10, e.raw, full, &t->change);
    if (err == DB_OK && !e.settled)
        err = s_links(u, CATALOG_STMT_TRACK_ARTISTS_DELETE, CATALOG_STMT_TRACK_ARTISTS_INSERT,
                      e.row.id, &artists, e.row.found);
    t->id = e.row.id;
    catalog_ids_clear(&artists);
    free(e.raw);
    return err;
}

/* Partial tracks of a listing (album, playlist, top tracks); their ids in order. In
 * must_exist mode (ingest) a listed track must already be stored. */
static db_err_t s_track_list(s_up_t *u, const json_t *list, long long album_hint,
                             catalog_ids_t *ids)
{
    json_t *item;
    size_t i;
    json_array_foreach(list, i, item)
    {
        s_track_t t = {.album_hint = album_hint};
        db_err_t err;
        if (u->refs.must_exist) {
            catalog_slot_t slot;
            const char *native = catalog_param(item, "native_id", &slot);
            err = native
                      ? catalog_refs_find(u->db, CATALOG_STMT_TRACK_ID, u->platform, native, &t.id)
                      : DB_ERR_NOT_FOUND;
            if (err == DB_ERR_NOT_FOUND)
                snprintf(u->up->reason, sizeof u->up->reason, "track %s not found",
                         native ? native : "(no id)");
        } else {
            err = s_track(u, item, false, &t);
        }
        if (err != DB_OK)
            return err;
        if (catalog_ids_push(ids, t.id) < 0)
            return DB_ERR_OTHER;
    }
    return DB_OK;
}

/* ---- albums ---- */

static db_err_t s_album_fields(s_up_t *u, const json_t *doc, const char **f, catalog_slot_t *slots,
                               char upc[15])
{
    long long label = 0;
    const char *code = json_string_value(json_object_get(doc, "upc"));
    db_err_t err = s_text(u, doc, "title", S_TITLE_MAX, &f[0]);
    if (err == DB_OK)
        err = s_text(u, doc, "release_date", S_DATE_MAX, &f[2]);
    if (err == DB_OK)
        err = s_text(u, doc, "image_url", S_URL_MAX, &f[5]);
    if (err == DB_OK)
        err = catalog_refs_label(u->db, json_string_value(json_object_get(doc, "label")), &label);
    f[0] = f[0] ? f[0] : "";
    f[1] = code && provider_normalize_upc(code, upc) == 0 ? upc : NULL;
    f[3] = s_int(doc, "total_tracks", 0, INT32_MAX, &slots[0]);
    f[4] = catalog_param_id(label, &slots[1]);
    return err;
}

static db_err_t s_album(s_up_t *u, const json_t *doc, bool full, long long credit_artist,
                        long long *id, catalog_change_t *change)
{
    catalog_slot_t slots[4];
    const char *f[6] = {0};
    char upc[15];
    s_entity_t e;
    db_err_t err = s_begin(u, CATALOG_KIND_ALBUM, doc, full, &e);
    if (!e.raw)
        return err;
    catalog_ids_t artists = {0}, genres = {0}, tracks = {0};
    *change = CATALOG_UNCHANGED;
    if (err == DB_OK && !e.settled)
        err = s_album_fields(u, doc, f, slots, upc);
    if (err == DB_OK && !e.settled)
        err = catalog_refs_artists(&u->refs, doc, "artists", &artists);
    if (err == DB_OK && !e.settled)
        err = catalog_refs_genres(&u->refs, doc, &genres);
    if (err == DB_OK && !e.settled)
        err = s_write(u, CATALOG_KIND_ALBUM, &e.row, e.native, f, 6, e.raw, full, change);
    if (err == DB_OK && !e.settled)
        err = s_links(u, CATALOG_STMT_ALBUM_ARTISTS_DELETE, CATALOG_STMT_ALBUM_ARTISTS_INSERT,
                      e.row.id, &artists, e.row.found);
    if (err == DB_OK && !e.settled)
        err = s_links(u, CATALOG_STMT_ALBUM_GENRES_DELETE, CATALOG_STMT_ALBUM_GENRES_INSERT,
                      e.row.id, &genres, e.row.found);
    if (err == DB_OK && !e.settled && full)
        err = s_track_list(u, json_object_get(doc, "tracks"), e.row.id, &tracks);
    if (err == DB_OK && credit_artist > 0) {
        const char *params[] = {catalog_param_id(e.row.id, &slots[2]),
                                catalog_param_id(credit_artist, &slots[3])};
        err = db_run(u->db, &catalog_stmts[CATALOG_STMT_ALBUM_ARTIST_ADD], params, NULL);
    }
    *id = e.row.id;
    catalog_ids_clear(&artists);
    catalog_ids_clear(&genres);
    catalog_ids_clear(&tracks);
    free(e.raw);
    return err;
}

/* ---- artists ---- */

/* An artist's top tracks and albums (listings: partial rows). */
static db_err_t s_artist_lists(s_up_t *u, const json_t *doc, long long artist_id, bool had)
{
    catalog_ids_t top = {0};
    json_t *album;
    size_t i;
    db_err_t err = s_track_list(u, json_object_get(doc, "top_tracks"), 0, &top);
    if (err == DB_OK)
        err = s_links(u, CATALOG_STMT_ARTIST_TOP_DELETE, CATALOG_STMT_ARTIST_TOP_INSERT, artist_id,
                      &top, had);
    catalog_ids_clear(&top);
    json_array_foreach(json_object_get(doc, "albums"), i, album)
    {
        long long album_id = 0;
        catalog_change_t change;
        if (err == DB_OK)
            err = s_album(u, album, false, artist_id, &album_id, &change);
    }
    return err;
}

static db_err_t s_artist(s_up_t *u, const json_t *doc, bool full, long long *id,
                         catalog_change_t *change)
{
    static const s_text_field_t fields[] = {{"name", S_TITLE_MAX}, {"image_url", S_URL_MAX}};
    const char *f[2] = {0};
    s_entity_t e;
    db_err_t err = s_begin(u, CATALOG_KIND_ARTIST, doc, full, &e);
    if (!e.raw)
        return err;
    catalog_ids_t genres = {0};
    *change = CATALOG_UNCHANGED;
    if (err == DB_OK && !e.settled)
        err = s_texts(u, doc, fields, 2, f);
    if (err == DB_OK && !e.settled)
        err = catalog_refs_genres(&u->refs, doc, &genres);
    f[0] = f[0] ? f[0] : "";
    if (err == DB_OK && !e.settled)
        err = s_write(u, CATALOG_KIND_ARTIST, &e.row, e.native, f, 2, e.raw, full, change);
    if (err == DB_OK && !e.settled)
        err = s_links(u, CATALOG_STMT_ARTIST_GENRES_DELETE, CATALOG_STMT_ARTIST_GENRES_INSERT,
                      e.row.id, &genres, e.row.found);
    if (err == DB_OK && !e.settled && full)
        err = s_artist_lists(u, doc, e.row.id, e.row.found);
    *id = e.row.id;
    catalog_ids_clear(&genres);
    free(e.raw);
    return err;
}

/* ---- playlists ---- */

static db_err_t s_playlist(s_up_t *u, const json_t *doc, bool full, long long *id,
                           catalog_change_t *change)
{
    static const s_text_field_t fields[] = {{"name", S_TITLE_MAX},
                                            {"description", SIZE_MAX},
                                            {"owner_name", S_OWNER_MAX},
                                            {"image_url", S_URL_MAX}};
    const char *f[4] = {0};
    s_entity_t e;
    db_err_t err = s_begin(u, CATALOG_KIND_PLAYLIST, doc, full, &e);
    if (!e.raw)
        return err;
    catalog_ids_t tracks = {0};
    *change = CATALOG_UNCHANGED;
    if (err == DB_OK && !e.settled)
        err = s_texts(u, doc, fields, 4, f);
    f[0] = f[0] ? f[0] : "";
    if (err == DB_OK && !e.settled && full)
        err = s_track_list(u, json_object_get(doc, "tracks"), 0, &tracks);
    if (err == DB_OK && !e.settled)
        err = s_write(u, CATALOG_KIND_PLAYLIST, &e.row, e.native, f, 4, e.raw, full, change);
    if (err == DB_OK && !e.settled && full)
        err = s_links(u, CATALOG_STMT_PLAYLIST_TRACKS_DELETE, CATALOG_STMT_PLAYLIST_TRACKS_INSERT,
                      e.row.id, &tracks, e.row.found);
    *id = e.row.id;
    catalog_ids_clear(&tracks);
    free(e.raw);
    return err;
}

/* ---- entry points ---- */

db_err_t catalog_store_upsert_tx(db_t *db, catalog_kind_t kind, const json_t *doc,
                                 catalog_upsert_t *up)
{
    s_up_t u = {.db = db, .up = up};
    up->reason[0] = '\0';
    up->change = CATALOG_UNCHANGED;
    up->row_id = 0;
    u.platform = json_string_value(json_object_get(doc, "platform"));
    if (!json_is_object(doc) || !u.platform || !*u.platform || strlen(u.platform) > S_PLATFORM_MAX)
        return s_invalid(&u, "%s is missing or too long", "platform");
    u.refs = (catalog_refs_t){
        .db = db, .platform = u.platform, .must_exist = up->refs_must_exist, .reason = up->reason};
    bool full = up->mode == CATALOG_UPSERT_FULL;
    switch (kind) {
    case CATALOG_KIND_TRACK: {
        s_track_t t = {0};
        db_err_t err = s_track(&u, doc, full, &t);
        up->row_id = t.id;
        up->change = t.change;
        return err;
    }
    case CATALOG_KIND_ALBUM:
        return s_album(&u, doc, full, 0, &up->row_id, &up->change);
    case CATALOG_KIND_ARTIST:
        return s_artist(&u, doc, full, &up->row_id, &up->change);
    case CATALOG_KIND_PLAYLIST:
        return s_playlist(&u, doc, full, &up->row_id, &up->change);
    case CATALOG_KIND_COUNT:
        break;
    }
    return s_invalid(&u, "%s", "unknown kind");
}

typedef struct {
    catalog_kind_t kind;
    const json_t *doc;
    catalog_upsert_t *up;
} s_tx_t;

static db_err_t s_tx(db_t *db, void *arg)
{
    s_tx_t *tx = arg;
    return catalog_store_upsert_tx(db, tx->kind, tx->doc, tx->up);
}

db_err_t catalog_store_upsert(db_t *db, catalog_kind_t kind, const json_t *doc,
                              catalog_upsert_t *up)
{
    s_tx_t tx = {.kind = kind, .doc = doc, .up = up};
    return db_transaction(db, s_tx, &tx);
}

/* ---- named rows: genres, media types ---- */

db_err_t catalog_store_upsert_named(db_t *db, catalog_named_t what, const char *platform,
                                    const char *native_id, const char *name,
                                    catalog_change_t *change)
{
    bool genre = what == CATALOG_NAMED_GENRE;
    const char *params[] = {platform, native_id, name};
    PGresult *res = NULL;
    *change = CATALOG_UNCHANGED;
    if (strlen(native_id) > S_NATIVE_MAX || catalog_utf8_len(name) > S_NAMED_MAX)
        return DB_ERR_INVALID_DATA;
    db_err_t err =
        db_run(db, &catalog_stmts[genre ? CATALOG_STMT_GENRE_LOCK : CATALOG_STMT_MEDIA_TYPE_LOCK],
               params, &res);
    if (err != DB_OK)
        return err;
    bool found = PQntuples(res) > 0;
    bool same = found && db_value(res, 0, 1) && db_value(res, 0, 1)[0] == 't';
    char id[32];
    snprintf(id, sizeof id, "%s", found ? db_value(res, 0, 0) : "");
    PQclear(res);
    if (same)
        return DB_OK;
    if (found) {
        const char *rename[] = {id, name};
        *change = CATALOG_UPDATED;
        return db_run(
            db, &catalog_stmts[genre ? CATALOG_STMT_GENRE_RENAME : CATALOG_STMT_MEDIA_TYPE_RENAME],
            rename, NULL);
    }
    long long new_id = 0;
    err = catalog_refs_run_id(
        db, genre ? CATALOG_STMT_GENRE_INSERT : CATALOG_STMT_MEDIA_TYPE_INSERT, params, &new_id);
    *change = CATALOG_INSERTED;
    return err == DB_ERR_NOT_FOUND ? DB_ERR_RETRY : err;
}
