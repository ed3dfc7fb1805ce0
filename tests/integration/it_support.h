/* it_support — scratch databases and settings for the worker integration tests.
 *
 * The tests need a real PostgreSQL and Redis: DATABASE_URL names a server (and a
 * database to connect to for CREATE DATABASE), REDIS_URL a Redis. When either is
 * unset the test fails with a message saying so — it never silently passes.
 *
 * Each test program makes its own database, bedrock_it_<pid>, on DATABASE_URL's
 * server, applies schema/migrations/NNN_*.up.sql in order, and drops it at the end.
 */
#ifndef BEDROCK_IT_SUPPORT_H
#define BEDROCK_IT_SUPPORT_H

#include "db.h"
#include "settings.h"

#include <stdbool.h>

#define IT_URL_MAX 1024
#define IT_SECRET "integration-test-secret-0123456789abcdef"

typedef struct {
    char name[64];
    char url[IT_URL_MAX]; /* DATABASE_URL with the scratch database */
    char admin_url[IT_URL_MAX];
} it_db_t;

/* getenv(name), or prints why the test cannot run and exits 1. */
const char *it_require_env(const char *name);

/* Creates and migrates the scratch database. 0 or -1 (with a message on stderr). */
int it_db_create(it_db_t *out);
/* Drops it (WITH FORCE: open test connections do not matter). */
void it_db_drop(it_db_t *db);

/* url with its database part replaced by dbname. 0 or -1. */
int it_url_with_db(const char *url, const char *dbname, char *out, size_t out_size);

/* Runs sql (no parameters) on url; 0 or -1 with the error printed. */
int it_exec(const char *url, const char *sql);
/* First column of the first row as a long, or -1 on error / no row. */
long it_query_long(const char *url, const char *sql);

/* Settings for tests: defaults + the scratch URL, REDIS_URL, the test secret, cost 4. */
void it_settings(settings_t *s, const char *database_url);

/* A db_t on url with the settings' options (fast connect timeout). */
db_t *it_db_open(const settings_t *s, const char *url, const char *name);

#endif
