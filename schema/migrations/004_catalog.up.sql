-- The catalog: what every provider answered, normalised, with the raw document kept.
-- One row per (platform, native_id). Earlier versions of a changed row go to
-- catalog_revisions. Titles and names are searchable with full-text search
-- (unaccented 'simple' configuration: names are not English prose) and trigram
-- similarity (typo tolerance).
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE; indexes need an IMMUTABLE wrapper with the dictionary fixed.
CREATE FUNCTION bedrock_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE TABLE labels (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR(500) NOT NULL UNIQUE
);

CREATE TABLE genres (
    id BIGSERIAL PRIMARY KEY,
    platform VARCHAR(16) NOT NULL,
    native_id VARCHAR(128) NOT NULL,
    name VARCHAR(200) NOT NULL,
    UNIQUE (platform, native_id)
);

CREATE TABLE artists (
    id BIGSERIAL PRIMARY KEY,
    platform VARCHAR(16) NOT NULL,
    native_id VARCHAR(128) NOT NULL,
    name VARCHAR(1000) NOT NULL,
    image_url VARCHAR(2048),
    raw JSONB NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    search TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', bedrock_fold(name))) STORED,
    UNIQUE (platform, native_id)
);
CREATE INDEX idx_artists_search ON artists USING GIN (search);
CREATE INDEX idx_artists_name_trgm ON artists USING GIN (bedrock_fold(name) gin_trgm_ops);

CREATE TABLE albums (
    id BIGSERIAL PRIMARY KEY,
    platform VARCHAR(16) NOT NULL,
    native_id VARCHAR(128) NOT NULL,
    title VARCHAR(1000) NOT NULL,
    -- UPC/EAN/GTIN normalised to 14 digits (GTIN-14, zero-padded): providers pad
    -- barcodes differently (12-digit UPC-A, 13-digit EAN, leading zeros dropped).
    upc CHAR(14),
    release_date VARCHAR(10),
    total_tracks INTEGER,
    label_id BIGINT REFERENCES labels (id),
    image_url VARCHAR(2048),
    raw JSONB NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    search TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', bedrock_fold(title))) STORED,
    UNIQUE (platform, native_id)
);
CREATE INDEX idx_albums_upc ON albums (upc) WHERE upc IS NOT NULL;
CREATE INDEX idx_albums_search ON albums USING GIN (search);
CREATE INDEX idx_albums_title_trgm ON albums USING GIN (bedrock_fold(title) gin_trgm_ops);

CREATE TABLE tracks (
    id BIGSERIAL PRIMARY KEY,
    platform VARCHAR(16) NOT NULL,
    native_id VARCHAR(128) NOT NULL,
    title VARCHAR(1000) NOT NULL,
    album_id BIGINT REFERENCES albums (id) ON DELETE SET NULL,
    isrc CHAR(12),
    duration_ms INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
    explicit BOOLEAN NOT NULL DEFAULT false,
    disc_number INTEGER,
    track_number INTEGER,
    genre_id BIGINT REFERENCES genres (id),
    preview_url VARCHAR(2048),
    raw JSONB NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    search TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', bedrock_fold(title))) STORED,
    UNIQUE (platform, native_id)
);
CREATE INDEX idx_tracks_isrc ON tracks (isrc) WHERE isrc IS NOT NULL;
CREATE INDEX idx_tracks_album ON tracks (album_id, disc_number, track_number);
CREATE INDEX idx_tracks_search ON tracks USING GIN (search);
CREATE INDEX idx_tracks_title_trgm ON tracks USING GIN (bedrock_fold(title) gin_trgm_ops);

-- Artist credits, in credited order.
CREATE TABLE track_artists (
    track_id BIGINT NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    position SMALLINT NOT NULL,
    artist_id BIGINT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    PRIMARY KEY (track_id, position)
);
CREATE INDEX idx_track_artists_artist ON track_artists (artist_id);

CREATE TABLE album_artists (
    album_id BIGINT NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    position SMALLINT NOT NULL,
    artist_id BIGINT NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    PRIMARY KEY (album_id, position)
);
CREATE INDEX idx_album_artists_artist ON album_artists (artist_id);

CREATE TABLE album_genres (
    album_id BIGINT NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    genre_id BIGINT NOT NULL REFERENCES genres (id) ON DELETE CASCADE,
    PRIMARY KEY (album_id, genre_id)
);

CREATE TABLE provider_playlists (
    id BIGSERIAL PRIMARY KEY,
    platform VARCHAR(16) NOT NULL,
    native_id VARCHAR(128) NOT NULL,
    name VARCHAR(1000) NOT NULL,
    description TEXT,
    owner_name VARCHAR(500),
    image_url VARCHAR(2048),
    raw JSONB NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (platform, native_id)
);

-- Ordered, dense positions from 0.
CREATE TABLE provider_playlist_tracks (
    playlist_id BIGINT NOT NULL REFERENCES provider_playlists (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    track_id BIGINT NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    PRIMARY KEY (playlist_id, position)
);
CREATE INDEX idx_provider_playlist_tracks_track ON provider_playlist_tracks (track_id);

-- Earlier versions of an entity whose provider document changed.
CREATE TABLE catalog_revisions (
    id BIGSERIAL PRIMARY KEY,
    entity_type VARCHAR(16) NOT NULL
        CHECK (entity_type IN ('artist', 'album', 'track', 'playlist')),
    platform VARCHAR(16) NOT NULL,
    native_id VARCHAR(128) NOT NULL,
    raw JSONB NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL,
    replaced_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_catalog_revisions_entity ON catalog_revisions (entity_type, platform, native_id);
