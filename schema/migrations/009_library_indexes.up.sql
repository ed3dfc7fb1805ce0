-- Indexes for the library's admin lists and the purge (issue 4).
-- GET /v1/admin/audit without a user filter pages newest first by (at, id): a b-tree,
-- not the BRIN of 006, serves it without sorting the whole trail for every page.
CREATE INDEX idx_audit_log_at_id ON audit_log (at DESC, id DESC);
-- The purge removes the entries an account made about others (actor_id).
CREATE INDEX idx_audit_log_actor ON audit_log (actor_id) WHERE actor_id IS NOT NULL;
-- GET /v1/admin/users pages newest first by (created_at, id).
CREATE INDEX idx_users_created_id ON users (created_at DESC, id DESC);
-- The purge looks only at soft-deleted accounts.
CREATE INDEX idx_users_deleted_at ON users (deleted_at) WHERE deleted_at IS NOT NULL;
