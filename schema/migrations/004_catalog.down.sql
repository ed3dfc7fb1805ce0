DROP TABLE catalog_revisions;
DROP TABLE provider_playlist_tracks;
DROP TABLE provider_playlists;
DROP TABLE album_genres;
DROP TABLE album_artists;
DROP TABLE track_artists;
DROP TABLE tracks;
DROP TABLE albums;
DROP TABLE artists;
DROP TABLE genres;
DROP TABLE labels;
DROP FUNCTION bedrock_fold(text);
-- The extensions may be shared with other objects of the database; they are
-- dropped only when nothing else uses them.
DROP EXTENSION IF EXISTS pg_trgm RESTRICT;
DROP EXTENSION IF EXISTS unaccent RESTRICT;
