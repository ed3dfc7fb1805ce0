-- Listening history grows without bound: rows are appended in time order, so a
-- BRIN index on played_at stays tiny and serves time-range scans (retention,
-- analytics), while the per-user b-tree serves "my history, newest first".
-- Track ids are namespaced ids ("local:1", "deezer:3135556") so that history and
-- counts hold for any provider, fetched or not.
CREATE TABLE listening_history (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    track_id VARCHAR(160) NOT NULL,
    played_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    played_ms INTEGER CHECK (played_ms IS NULL OR played_ms >= 0),
    counted BOOLEAN NOT NULL
);
CREATE INDEX idx_listening_history_played_at ON listening_history USING BRIN (played_at);
CREATE INDEX idx_listening_history_user ON listening_history (user_id, played_at DESC, id DESC);

-- Counted plays per user and track, and per track over all users.
CREATE TABLE play_counts (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    track_id VARCHAR(160) NOT NULL,
    play_count BIGINT NOT NULL DEFAULT 0,
    last_played_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, track_id)
);

CREATE TABLE track_play_counts (
    track_id VARCHAR(160) PRIMARY KEY,
    play_count BIGINT NOT NULL DEFAULT 0
);
