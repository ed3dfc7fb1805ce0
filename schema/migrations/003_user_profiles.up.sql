-- What GET /v1/me shows beside the account itself: profile, preferences, settings.
-- One row per user, made in the same transaction as the user (register-with-profile).
CREATE TABLE user_profiles (
    user_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    display_name VARCHAR(100),
    avatar_url VARCHAR(2048),
    bio VARCHAR(2000),
    language VARCHAR(16),
    region VARCHAR(8),
    privacy VARCHAR(16) NOT NULL DEFAULT 'private'
        CHECK (privacy IN ('private', 'friends', 'public')),
    notifications BOOLEAN NOT NULL DEFAULT true,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
