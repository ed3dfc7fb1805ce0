/* catalog_stmt — the SQL statements of the catalog module (see stmt.h, stmt_groups).
 * Owner: catalog engineer (C1). Run with db_run(db, &catalog_stmts[CATALOG_STMT_...], p).
 *
 * Per entity table (tracks, albums, artists, provider_playlists) the same five:
 *   LOCK      (platform, native_id, raw) -> id, complete, raw equal?   FOR UPDATE
 *   INSERT    (platform, native_id, fields..., raw, complete) -> id    ON CONFLICT DO NOTHING
 *   UPDATE    (id, fields..., raw)                                     complete, updated_at
 *   TOUCH     (id)                                                     fetched_at = now()
 *   REVISION  (id)                                                     old raw -> catalog_revisions
 * Documents are read back through the bedrock_*_doc() functions of migration 007.
 */
#ifndef BEDROCK_WORKER_CATALOG_STMT_H
#define BEDROCK_WORKER_CATALOG_STMT_H

#include "stmt.h"

typedef enum {
    CATALOG_STMT_TRACK_LOCK = 0,
    CATALOG_STMT_TRACK_INSERT,
    CATALOG_STMT_TRACK_UPDATE,
    CATALOG_STMT_TRACK_TOUCH,
    CATALOG_STMT_TRACK_REVISION,
    CATALOG_STMT_ALBUM_LOCK,
    CATALOG_STMT_ALBUM_INSERT,
    CATALOG_STMT_ALBUM_UPDATE,
    CATALOG_STMT_ALBUM_TOUCH,
    CATALOG_STMT_ALBUM_REVISION,
    CATALOG_STMT_ARTIST_LOCK,
    CATALOG_STMT_ARTIST_INSERT,
    CATALOG_STMT_ARTIST_UPDATE,
    CATALOG_STMT_ARTIST_TOUCH,
    CATALOG_STMT_ARTIST_REVISION,
    CATALOG_STMT_PLAYLIST_LOCK,
    CATALOG_STMT_PLAYLIST_INSERT,
    CATALOG_STMT_PLAYLIST_UPDATE,
    CATALOG_STMT_PLAYLIST_TOUCH,
    CATALOG_STMT_PLAYLIST_REVISION,
    /* links, rewritten whole when their row is written */
    CATALOG_STMT_TRACK_ARTISTS_DELETE,
    CATALOG_STMT_TRACK_ARTISTS_INSERT,
    CATALOG_STMT_TRACK_SET_ALBUM,
    CATALOG_STMT_ALBUM_ARTISTS_DELETE,
    CATALOG_STMT_ALBUM_ARTISTS_INSERT,
    CATALOG_STMT_ALBUM_ARTIST_ADD,
    CATALOG_STMT_ALBUM_GENRES_DELETE,
    CATALOG_STMT_ALBUM_GENRES_INSERT,
    CATALOG_STMT_ARTIST_GENRES_DELETE,
    CATALOG_STMT_ARTIST_GENRES_INSERT,
    CATALOG_STMT_ARTIST_TOP_DELETE,
    CATALOG_STMT_ARTIST_TOP_INSERT,
    CATALOG_STMT_PLAYLIST_TRACKS_DELETE,
    CATALOG_STMT_PLAYLIST_TRACKS_INSERT,
    /* references */
    CATALOG_STMT_TRACK_ID,
    CATALOG_STMT_ALBUM_ID,
    CATALOG_STMT_ARTIST_ID,
    CATALOG_STMT_GENRE_ID,
    CATALOG_STMT_MEDIA_TYPE_ID,
    CATALOG_STMT_LABEL_ID,
    CATALOG_STMT_LABEL_ENSURE,
    /* named lookups (genres, media types): lock, insert, rename */
    CATALOG_STMT_GENRE_LOCK,
    CATALOG_STMT_GENRE_INSERT,
    CATALOG_STMT_GENRE_RENAME,
    CATALOG_STMT_MEDIA_TYPE_LOCK,
    CATALOG_STMT_MEDIA_TYPE_INSERT,
    CATALOG_STMT_MEDIA_TYPE_RENAME,
    /* documents */
    CATALOG_STMT_LOAD_TRACK,
    CATALOG_STMT_LOAD_ALBUM,
    CATALOG_STMT_LOAD_ARTIST,
    CATALOG_STMT_LOAD_PLAYLIST,
    CATALOG_STMT_DOCS_TRACKS,
    CATALOG_STMT_DOCS_ALBUMS,
    CATALOG_STMT_DOCS_ARTISTS,
    CATALOG_STMT_DOCS_PLAYLISTS,
    CATALOG_STMT_TRACKS_BY_ISRC,
    CATALOG_STMT_TRACK_LINKS,
    CATALOG_STMT_COUNT_TRACKS,
    CATALOG_STMT_COUNT_ALBUMS,
    CATALOG_STMT_COUNT_ARTISTS,
    CATALOG_STMT_COUNT_PLAYLISTS,
    CATALOG_STMT_COUNT
} catalog_stmt_id_t;

extern const stmt_t catalog_stmts[CATALOG_STMT_COUNT];

#endif
