DROP INDEX idx_users_deleted_at;
DROP INDEX idx_users_created_id;
DROP INDEX idx_audit_log_actor;
DROP INDEX idx_audit_log_at_id;
