-- Everything a user keeps, and the account lifecycle around it.

-- Soft deletion: login and every token fail as soon as deleted_at is set; a purge
-- removes the rows after the retention window.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN last_active_at TIMESTAMPTZ;

CREATE TABLE favorites (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entity_type VARCHAR(8) NOT NULL CHECK (entity_type IN ('track', 'album', 'artist')),
    entity_id VARCHAR(160) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, entity_type, entity_id)
);
CREATE INDEX idx_favorites_user_type_created ON favorites (user_id, entity_type, created_at DESC);

CREATE TABLE user_playlists (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name VARCHAR(200) NOT NULL,
    description VARCHAR(2000),
    is_public BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_user_playlists_user ON user_playlists (user_id, created_at DESC);

-- Positions are dense from 0. Edits lock the playlist row first (SELECT ... FOR
-- UPDATE) so two clients editing one playlist serialise; the key is deferred so a
-- shift of positions inside one transaction is checked only at commit.
CREATE TABLE user_playlist_items (
    playlist_id UUID NOT NULL REFERENCES user_playlists (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    track_id VARCHAR(160) NOT NULL,
    added_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT user_playlist_items_pkey PRIMARY KEY (playlist_id, position)
        DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE search_history (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    query VARCHAR(500) NOT NULL,
    types VARCHAR(64),
    platform VARCHAR(64),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_search_history_user ON search_history (user_id, created_at DESC, id DESC);

CREATE TABLE playback_state (
    user_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    track_id VARCHAR(160),
    position_ms INTEGER NOT NULL DEFAULT 0 CHECK (position_ms >= 0),
    device VARCHAR(100),
    is_playing BOOLEAN NOT NULL DEFAULT false,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE email_verification_tokens (
    token_hash CHAR(64) PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX idx_email_verification_tokens_user ON email_verification_tokens (user_id);

-- Mail is not sent from a request: it is written here in the same transaction as
-- the change that causes it, and a sender drains it.
CREATE TABLE email_outbox (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID REFERENCES users (id) ON DELETE CASCADE,
    to_email VARCHAR(255) NOT NULL,
    template VARCHAR(64) NOT NULL,
    payload JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at TIMESTAMPTZ
);
CREATE INDEX idx_email_outbox_unsent ON email_outbox (created_at) WHERE sent_at IS NULL;

-- user_id is the account the entry is about, actor_id who did it (the same user,
-- an admin, or NULL for the system). No foreign keys: entries outlive soft deletion
-- and the purge removes them explicitly.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL DEFAULT now(),
    user_id UUID,
    actor_id UUID,
    action VARCHAR(64) NOT NULL,
    ip VARCHAR(64),
    user_agent VARCHAR(256),
    details JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX idx_audit_log_user ON audit_log (user_id, at DESC, id DESC);
CREATE INDEX idx_audit_log_at ON audit_log USING BRIN (at);
