DROP INDEX IF EXISTS idx_users_email;
DROP TABLE users;
