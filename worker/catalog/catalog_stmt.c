/* catalog_stmt — see catalog_stmt.h. Owner: catalog engineer (C1). Every text is fixed;
 * values travel only as $n parameters. */
#include "catalog_stmt.h"

#define S_LOCK(table)                                                                              \
    "SELECT id, complete, raw = $3::jsonb FROM " table                                             \
    " WHERE platform = $1 AND native_id = $2 FOR UPDATE"
#define S_TOUCH(table) "UPDATE " table " SET fetched_at = now() WHERE id = $1::bigint"
#define S_REVISION(kind, table)                                                                    \
    "INSERT INTO catalog_revisions (entity_type, platform, native_id, raw, fetched_at)"            \
    " SELECT '" kind "', platform, native_id, raw, fetched_at FROM " table                         \
    " WHERE id = $1::bigint"
#define S_ID(table) "SELECT id FROM " table " WHERE platform = $1 AND native_id = $2"
#define S_DOCS(fn, table)                                                                          \
    "SELECT " fn "(u.id)::text FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, ord)"            \
    " JOIN " table " x ON x.id = u.id ORDER BY u.ord"
#define S_LOAD(fn, table)                                                                          \
    "SELECT " fn "(id)::text, complete FROM " table " WHERE platform = $1 AND native_id = $2"
#define S_COUNT(table) "SELECT count(*) FROM " table " WHERE platform = $1"
/* A link list from a bigint[] in order: positions from 0. */
#define S_LINKS(table, owner, item)                                                                \
    "INSERT INTO " table " (" owner ", position, " item ")"                                        \
    " SELECT $1::bigint, (u.ord - 1), u.v FROM unnest($2::bigint[]) WITH ORDINALITY AS u(v, ord)"

const stmt_t catalog_stmts[CATALOG_STMT_COUNT] = {
    [CATALOG_STMT_TRACK_LOCK] = {"bedrock_catalog_track_lock", S_LOCK("tracks"), 3},
    [CATALOG_STMT_TRACK_INSERT] =
        {"bedrock_catalog_track_insert",
         "INSERT INTO tracks (platform, native_id, title, album_id, isrc, duration_ms, explicit,"
         " disc_number, track_number, genre_id, preview_url, media_type_id, raw, complete)"
         " VALUES ($1, $2, $3, $4::bigint, $5, $6::int, COALESCE($7::boolean, false), $8::int,"
         " $9::int, $10::bigint, $11, $12::bigint, $13::jsonb, $14::boolean)"
         " ON CONFLICT (platform, native_id) DO NOTHING RETURNING id",
         14},
    [CATALOG_STMT_TRACK_UPDATE] =
        {"bedrock_catalog_track_update",
         "UPDATE tracks SET title = $2, album_id = $3::bigint, isrc = $4, duration_ms = $5::int,"
         " explicit = COALESCE($6::boolean, false), disc_number = $7::int, track_number = $8::int,"
         " genre_id = $9::bigint, preview_url = $10, media_type_id = $11::bigint,"
         " raw = $12::jsonb, complete = true, fetched_at = now(), updated_at = now()"
         " WHERE id = $1::bigint",
         12},
    [CATALOG_STMT_TRACK_TOUCH] = {"bedrock_catalog_track_touch", S_TOUCH("tracks"), 1},
    [CATALOG_STMT_TRACK_REVISION] = {"bedrock_catalog_track_revision",
                                     S_REVISION("track", "tracks"), 1},
    [CATALOG_STMT_ALBUM_LOCK] = {"bedrock_catalog_album_lock", S_LOCK("albums"), 3},
    [CATALOG_STMT_ALBUM_INSERT] =
        {"bedrock_catalog_album_insert",
         "INSERT INTO albums (platform, native_id, title, upc, release_date, total_tracks,"
         " label_id, image_url, raw, complete)"
         " VALUES ($1, $2, $3, $4, $5, $6::int, $7::bigint, $8, $9::jsonb, $10::boolean)"
         " ON CONFLICT (platform, native_id) DO NOTHING RETURNING id",
         10},
    [CATALOG_STMT_ALBUM_UPDATE] =
        {"bedrock_catalog_album_update",
         "UPDATE albums SET title = $2, upc = $3, release_date = $4, total_tracks = $5::int,"
         " label_id = $6::bigint, image_url = $7, raw = $8::jsonb, complete = true,"
         " fetched_at = now(), updated_at = now() WHERE id = $1::bigint",
         8},
    [CATALOG_STMT_ALBUM_TOUCH] = {"bedrock_catalog_album_touch", S_TOUCH("albums"), 1},
    [CATALOG_STMT_ALBUM_REVISION] = {"bedrock_catalog_album_revision",
                                     S_REVISION("album", "albums"), 1},
    [CATALOG_STMT_ARTIST_LOCK] = {"bedrock_catalog_artist_lock", S_LOCK("artists"), 3},
    [CATALOG_STMT_ARTIST_INSERT] =
        {"bedrock_catalog_artist_insert",
         "INSERT INTO artists (platform, native_id, name, image_url, raw, complete)"
         " VALUES ($1, $2, $3, $4, $5::jsonb, $6::boolean)"
         " ON CONFLICT (platform, native_id) DO NOTHING RETURNING id",
         6},
    [CATALOG_STMT_ARTIST_UPDATE] =
        {"bedrock_catalog_artist_update",
         "UPDATE artists SET name = $2, image_url = $3, raw = $4::jsonb, complete = true,"
         " fetched_at = now(), updated_at = now() WHERE id = $1::bigint",
         4},
    [CATALOG_STMT_ARTIST_TOUCH] = {"bedrock_catalog_artist_touch", S_TOUCH("artists"), 1},
    [CATALOG_STMT_ARTIST_REVISION] = {"bedrock_catalog_artist_revision",
                                      S_REVISION("artist", "artists"), 1},
    [CATALOG_STMT_PLAYLIST_LOCK] = {"bedrock_catalog_playlist_lock", S_LOCK("provider_playlists"),
                                    3},
    [CATALOG_STMT_PLAYLIST_INSERT] =
        {"bedrock_catalog_playlist_insert",
         "INSERT INTO provider_playlists (platform, native_id, name, description, owner_name,"
         " image_url, raw, complete) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::boolean)"
         " ON CONFLICT (platform, native_id) DO NOTHING RETURNING id",
         8},
    [CATALOG_STMT_PLAYLIST_UPDATE] =
        {"bedrock_catalog_playlist_update",
         "UPDATE provider_playlists SET name = $2, description = $3, owner_name = $4,"
         " image_url = $5, raw = $6::jsonb, complete = true, fetched_at = now(),"
         " updated_at = now() WHERE id = $1::bigint",
         6},
    [CATALOG_STMT_PLAYLIST_TOUCH] = {"bedrock_catalog_playlist_touch",
                                     S_TOUCH("provider_playlists"), 1},
    [CATALOG_STMT_PLAYLIST_REVISION] = {"bedrock_catalog_playlist_revision",
                                        S_REVISION("playlist", "provider_playlists"), 1},

    [CATALOG_STMT_TRACK_ARTISTS_DELETE] = {"bedrock_catalog_track_artists_delete",
                                           "DELETE FROM track_artists WHERE track_id = $1::bigint",
                                           1},
    [CATALOG_STMT_TRACK_ARTISTS_INSERT] = {"bedrock_catalog_track_artists_insert",
                                           S_LINKS("track_artists", "track_id", "artist_id"), 2},
    [CATALOG_STMT_TRACK_SET_ALBUM] = {"bedrock_catalog_track_set_album",
                                      "UPDATE tracks SET album_id = $2::bigint"
                                      " WHERE id = $1::bigint AND album_id IS NULL",
                                      2},
    [CATALOG_STMT_ALBUM_ARTISTS_DELETE] = {"bedrock_catalog_album_artists_delete",
                                           "DELETE FROM album_artists WHERE album_id = $1::bigint",
                                           1},
    [CATALOG_STMT_ALBUM_ARTISTS_INSERT] = {"bedrock_catalog_album_artists_insert",
                                           S_LINKS("album_artists", "album_id", "artist_id"), 2},
    /* An artist's album listed without credits: credit the artist when nobody is. */
    [CATALOG_STMT_ALBUM_ARTIST_ADD] =
        {"bedrock_catalog_album_artist_add",
         "INSERT INTO album_artists (album_id, position, artist_id)"
         " SELECT $1::bigint, 0, $2::bigint"
         " WHERE NOT EXISTS (SELECT 1 FROM album_artists WHERE album_id = $1::bigint)",
         2},
    [CATALOG_STMT_ALBUM_GENRES_DELETE] = {"bedrock_catalog_album_genres_delete",
                                          "DELETE FROM album_genres WHERE album_id = $1::bigint",
                                          1},
    [CATALOG_STMT_ALBUM_GENRES_INSERT] =
        {"bedrock_catalog_album_genres_insert",
         "INSERT INTO album_genres (album_id, genre_id)"
         " SELECT DISTINCT $1::bigint, g FROM unnest($2::bigint[]) AS g ON CONFLICT DO NOTHING",
         2},
    [CATALOG_STMT_ARTIST_GENRES_DELETE] = {"bedrock_catalog_artist_genres_delete",
                                           "DELETE FROM artist_genres WHERE artist_id = $1::bigint",
                                           1},
    [CATALOG_STMT_ARTIST_GENRES_INSERT] =
        {"bedrock_catalog_artist_genres_insert",
         "INSERT INTO artist_genres (artist_id, genre_id)"
         " SELECT DISTINCT $1::bigint, g FROM unnest($2::bigint[]) AS g ON CONFLICT DO NOTHING",
         2},
    [CATALOG_STMT_ARTIST_TOP_DELETE] =
        {"bedrock_catalog_artist_top_delete",
         "DELETE FROM artist_top_tracks WHERE artist_id = $1::bigint", 1},
    [CATALOG_STMT_ARTIST_TOP_INSERT] = {"bedrock_catalog_artist_top_insert",
                                        S_LINKS("artist_top_tracks", "artist_id", "track_id"), 2},
    [CATALOG_STMT_PLAYLIST_TRACKS_DELETE] =
        {"bedrock_catalog_playlist_tracks_delete",
         "DELETE FROM provider_playlist_tracks WHERE playlist_id = $1::bigint", 1},
    [CATALOG_STMT_PLAYLIST_TRACKS_INSERT] = {"bedrock_catalog_playlist_tracks_insert",
                                             S_LINKS("provider_playlist_tracks", "playlist_id",
                                                     "track_id"),
                                             2},

    [CATALOG_STMT_TRACK_ID] = {"bedrock_catalog_track_id", S_ID("tracks"), 2},
    [CATALOG_STMT_ALBUM_ID] = {"bedrock_catalog_album_id", S_ID("albums"), 2},
    [CATALOG_STMT_ARTIST_ID] = {"bedrock_catalog_artist_id", S_ID("artists"), 2},
    [CATALOG_STMT_GENRE_ID] = {"bedrock_catalog_genre_id", S_ID("genres"), 2},
    [CATALOG_STMT_MEDIA_TYPE_ID] = {"bedrock_catalog_media_type_id", S_ID("media_types"), 2},
    [CATALOG_STMT_LABEL_ID] = {"bedrock_catalog_label_id", "SELECT id FROM labels WHERE name = $1",
                               1},
    [CATALOG_STMT_LABEL_ENSURE] = {"bedrock_catalog_label_ensure",
                                   "INSERT INTO labels (name) VALUES ($1)"
                                   " ON CONFLICT (name) DO NOTHING RETURNING id",
                                   1},

    [CATALOG_STMT_GENRE_LOCK] = {"bedrock_catalog_genre_lock",
                                 "SELECT id, name = $3 FROM genres"
                                 " WHERE platform = $1 AND native_id = $2 FOR UPDATE",
                                 3},
    [CATALOG_STMT_GENRE_INSERT] = {"bedrock_catalog_genre_insert",
                                   "INSERT INTO genres (platform, native_id, name)"
                                   " VALUES ($1, $2, $3)"
                                   " ON CONFLICT (platform, native_id) DO NOTHING RETURNING id",
                                   3},
    [CATALOG_STMT_GENRE_RENAME] = {"bedrock_catalog_genre_rename",
                                   "UPDATE genres SET name = $2 WHERE id = $1::bigint", 2},
    [CATALOG_STMT_MEDIA_TYPE_LOCK] = {"bedrock_catalog_media_type_lock",
                                      "SELECT id, name = $3 FROM media_types"
                                      " WHERE platform = $1 AND native_id = $2 FOR UPDATE",
                                      3},
    [CATALOG_STMT_MEDIA_TYPE_INSERT] =
        {"bedrock_catalog_media_type_insert",
         "INSERT INTO media_types (platform, native_id, name) VALUES ($1, $2, $3)"
         " ON CONFLICT (platform, native_id) DO NOTHING RETURNING id",
         3},
    [CATALOG_STMT_MEDIA_TYPE_RENAME] = {"bedrock_catalog_media_type_rename",
                                        "UPDATE media_types SET name = $2 WHERE id = $1::bigint",
                                        2},

    [CATALOG_STMT_LOAD_TRACK] = {"bedrock_catalog_load_track",
                                 S_LOAD("bedrock_track_doc", "tracks"), 2},
    [CATALOG_STMT_LOAD_ALBUM] = {"bedrock_catalog_load_album",
                                 S_LOAD("bedrock_album_doc", "albums"), 2},
    [CATALOG_STMT_LOAD_ARTIST] = {"bedrock_catalog_load_artist",
                                  S_LOAD("bedrock_artist_doc", "artists"), 2},
    [CATALOG_STMT_LOAD_PLAYLIST] = {"bedrock_catalog_load_playlist",
                                    S_LOAD("bedrock_playlist_doc", "provider_playlists"), 2},
    /* Tracks in bulk through the set-based builder of migration 008. */
    [CATALOG_STMT_DOCS_TRACKS] = {"bedrock_catalog_docs_tracks",
                                  "SELECT d.doc::text FROM bedrock_track_docs($1::bigint[]) d"
                                  " ORDER BY d.ord",
                                  1},
    [CATALOG_STMT_DOCS_ALBUMS] = {"bedrock_catalog_docs_albums",
                                  S_DOCS("bedrock_album_doc", "albums"), 1},
    [CATALOG_STMT_DOCS_ARTISTS] = {"bedrock_catalog_docs_artists",
                                   S_DOCS("bedrock_artist_doc", "artists"), 1},
    [CATALOG_STMT_DOCS_PLAYLISTS] = {"bedrock_catalog_docs_playlists",
                                     S_DOCS("bedrock_playlist_doc", "provider_playlists"), 1},
    [CATALOG_STMT_TRACKS_BY_ISRC] = {"bedrock_catalog_tracks_by_isrc",
                                     "SELECT bedrock_track_doc(id)::text FROM tracks"
                                     " WHERE isrc = upper($1)::char(12)"
                                     " ORDER BY platform, native_id",
                                     1},
    /* Same ISRC and a known duration within $5 ms of $4, the track itself left out. */
    [CATALOG_STMT_TRACK_LINKS] =
        {"bedrock_catalog_track_links",
         "SELECT bedrock_track_doc(id)::text FROM tracks"
         " WHERE isrc = upper($1)::char(12) AND NOT (platform = $2 AND native_id = $3)"
         " AND duration_ms IS NOT NULL AND abs(duration_ms - $4::int) <= $5::int"
         " ORDER BY platform, native_id",
         5},
    [CATALOG_STMT_COUNT_TRACKS] = {"bedrock_catalog_count_tracks", S_COUNT("tracks"), 1},
    [CATALOG_STMT_COUNT_ALBUMS] = {"bedrock_catalog_count_albums", S_COUNT("albums"), 1},
    [CATALOG_STMT_COUNT_ARTISTS] = {"bedrock_catalog_count_artists", S_COUNT("artists"), 1},
    [CATALOG_STMT_COUNT_PLAYLISTS] = {"bedrock_catalog_count_playlists",
                                      S_COUNT("provider_playlists"), 1},
};
