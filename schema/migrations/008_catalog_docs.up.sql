-- Set-based catalog documents: bedrock_track_doc() (007) runs once per track, about
-- 0.3 ms each, so a 3290-track playlist took over a second — longer than a worker may
-- stay silent. bedrock_track_docs() builds many track documents in one joined query
-- (inlined by the planner), and the album, artist and playlist documents use it.

CREATE FUNCTION bedrock_track_docs(ids BIGINT[]) RETURNS TABLE (ord BIGINT, doc json)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
SELECT u.ord, json_build_object(
    'platform', t.platform, 'native_id', t.native_id, 'title', t.title, 'isrc', t.isrc,
    'duration_ms', t.duration_ms, 'explicit', t.explicit, 'disc_number', t.disc_number,
    'track_number', t.track_number, 'preview_url', t.preview_url,
    'artists', COALESCE(ar.list, '[]'::json),
    'album', CASE WHEN al.id IS NULL THEN NULL
                  ELSE json_build_object('native_id', al.native_id, 'title', al.title,
                                         'upc', al.upc, 'release_date', al.release_date,
                                         'image_url', al.image_url) END,
    'genres', CASE WHEN g.id IS NULL THEN '[]'::json ELSE json_build_array(g.name) END,
    'media_type', mt.name)
  FROM unnest(ids) WITH ORDINALITY AS u(id, ord)
  JOIN tracks t ON t.id = u.id
  LEFT JOIN albums al ON al.id = t.album_id
  LEFT JOIN genres g ON g.id = t.genre_id
  LEFT JOIN media_types mt ON mt.id = t.media_type_id
  LEFT JOIN LATERAL (
      SELECT json_agg(json_build_object('native_id', a.native_id, 'name', a.name)
                      ORDER BY ta.position) AS list
        FROM track_artists ta JOIN artists a ON a.id = ta.artist_id
       WHERE ta.track_id = t.id) ar ON true
$$;

CREATE OR REPLACE FUNCTION bedrock_track_doc(track_id BIGINT) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT d.doc FROM bedrock_track_docs(ARRAY[track_id]) d $$;

CREATE OR REPLACE FUNCTION bedrock_album_doc(album_id BIGINT) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
SELECT json_build_object(
    'platform', al.platform, 'native_id', al.native_id, 'title', al.title, 'upc', al.upc,
    'release_date', al.release_date,
    'total_tracks', COALESCE(al.total_tracks, (SELECT count(*) FROM tracks t WHERE t.album_id = al.id)),
    'label', l.name, 'image_url', al.image_url,
    'artists', COALESCE((SELECT json_agg(json_build_object('native_id', a.native_id, 'name', a.name)
                                         ORDER BY aa.position)
                           FROM album_artists aa JOIN artists a ON a.id = aa.artist_id
                          WHERE aa.album_id = al.id), '[]'::json),
    'genres', COALESCE((SELECT json_agg(g.name ORDER BY g.name)
                          FROM album_genres ag JOIN genres g ON g.id = ag.genre_id
                         WHERE ag.album_id = al.id), '[]'::json),
    'tracks', COALESCE((SELECT json_agg(d.doc ORDER BY d.ord)
                          FROM bedrock_track_docs(ARRAY(
                              SELECT t.id FROM tracks t WHERE t.album_id = al.id
                               ORDER BY t.disc_number NULLS FIRST, t.track_number NULLS LAST, t.id)) d),
                       '[]'::json))
  FROM albums al
  LEFT JOIN labels l ON l.id = al.label_id
 WHERE al.id = album_id
$$;

CREATE OR REPLACE FUNCTION bedrock_artist_doc(artist_id BIGINT) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
SELECT json_build_object(
    'platform', a.platform, 'native_id', a.native_id, 'name', a.name, 'image_url', a.image_url,
    'genres', COALESCE((SELECT json_agg(g.name ORDER BY g.name)
                          FROM artist_genres ag JOIN genres g ON g.id = ag.genre_id
                         WHERE ag.artist_id = a.id), '[]'::json),
    'top_tracks', COALESCE(
        (SELECT json_agg(d.doc ORDER BY d.ord)
           FROM bedrock_track_docs(ARRAY(SELECT att.track_id FROM artist_top_tracks att
                                          WHERE att.artist_id = a.id ORDER BY att.position)) d),
        (SELECT json_agg(d.doc ORDER BY d.ord)
           FROM bedrock_track_docs(ARRAY(SELECT ta.track_id FROM track_artists ta
                                          WHERE ta.artist_id = a.id
                                          ORDER BY ta.track_id LIMIT 10)) d),
        '[]'::json),
    'albums', COALESCE((SELECT json_agg(json_build_object('native_id', al.native_id, 'title', al.title,
                                                          'release_date', al.release_date,
                                                          'image_url', al.image_url)
                                        ORDER BY al.release_date NULLS LAST, al.id)
                          FROM album_artists aa JOIN albums al ON al.id = aa.album_id
                         WHERE aa.artist_id = a.id), '[]'::json))
  FROM artists a
 WHERE a.id = artist_id
$$;

CREATE OR REPLACE FUNCTION bedrock_playlist_doc(playlist_id BIGINT) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
SELECT json_build_object(
    'platform', p.platform, 'native_id', p.native_id, 'name', p.name,
    'description', p.description, 'owner_name', p.owner_name, 'image_url', p.image_url,
    'tracks', COALESCE((SELECT json_agg(d.doc ORDER BY d.ord)
                          FROM bedrock_track_docs(ARRAY(
                              SELECT pt.track_id FROM provider_playlist_tracks pt
                               WHERE pt.playlist_id = p.id ORDER BY pt.position)) d),
                       '[]'::json))
  FROM provider_playlists p
 WHERE p.id = playlist_id
$$;
