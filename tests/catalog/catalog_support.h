/* catalog_support — what the catalog cluster tests need beyond tests/support:
 * a private Redis, the replay server with a few extra recordings, provider-pool
 * workers, bedrockctl, and direct PostgreSQL / Redis reads.
 * Owner: catalog engineer (C1).
 *
 * The environment (catsup_start): a private redis-server on a free port (so that cache
 * hits, misses and TTLs are this program's own, and it can be killed), bedrock-replay
 * on a data directory made of tests/data/providers plus the recordings below, a
 * cluster (tests/support/cluster.h) of fast workers (BEDROCK_WORKER_OPS=!provider.)
 * and CATSUP_PROVIDER_WORKERS provider-pool workers (BEDROCK_WORKER_OPS=provider.)
 * spawned here with the cluster's secret and endpoints. PostgreSQL is DATABASE_URL.
 *
 * Extra recordings (deezer, top-level manifest of the data directory):
 *   /track/CATSUP_DEEZER_SIGNED   a track whose preview URL is signed, expiring
 *                                 CATSUP_SIGNED_TTL_S after the start
 *   /track/CATSUP_DEEZER_NODATA   Deezer's "no data" error (code 800)
 *   /track/isrc:CATSUP_TIMBER_ISRC a Deezer track with Spotify's Timber ISRC (id
 *                                 CATSUP_DEEZER_TIMBER, 1 s longer than Spotify's)
 */
#ifndef BEDROCK_TEST_CATALOG_SUPPORT_H
#define BEDROCK_TEST_CATALOG_SUPPORT_H

#include "cluster.h"

#include <jansson.h>
#include <stdbool.h>

#define CATSUP_PROVIDER_WORKERS 4
#define CATSUP_FAST_WORKERS 2
#define CATSUP_DEEZER_SIGNED "777000001"
#define CATSUP_DEEZER_NODATA "777000002"
#define CATSUP_DEEZER_TIMBER "777000003"
#define CATSUP_TIMBER_ISRC "USRC11301695"
#define CATSUP_SIGNED_TTL_S 600

typedef struct catsup catsup_t;

typedef struct {
    bool spotify_credentials; /* false: Spotify is not configured */
    int provider_workers;     /* provider-pool workers to spawn */
} catsup_options_t;

/* Starts everything; NULL (after printing why) on failure. */
catsup_t *catsup_start(const catsup_options_t *opt);
/* Stops everything it started; returns the cluster_stop result. */
int catsup_stop(catsup_t **self_p);

cluster_t *catsup_cluster(catsup_t *self);
const char *catsup_base(catsup_t *self);

/* ---- replay server ---- */
/* POST /_replay/mode {"provider": provider, "mode": mode}. 0 or -1. */
int catsup_replay_mode(catsup_t *self, const char *provider, const char *mode);
/* by_path[path] of /_replay/stats ("/deezer/track/1"), or -1. */
long catsup_replay_calls(catsup_t *self, const char *path);

/* ---- private Redis ---- */
/* TTL of key in seconds (-2 missing, -1 no TTL), or -3 when Redis does not answer. */
long catsup_redis_ttl(catsup_t *self, const char *key);
int catsup_redis_del(catsup_t *self, const char *key);
bool catsup_redis_exists(catsup_t *self, const char *key);
/* Kills the private Redis (SIGKILL). */
void catsup_redis_kill(catsup_t *self);

/* ---- PostgreSQL (DATABASE_URL) ---- */
/* The first cell of sql run with params (NULL-terminated), as a new string the caller
 * frees ("" for SQL NULL); NULL on error (printed). */
char *catsup_sql(const char *sql, const char *const *params);
long long catsup_sql_int(const char *sql, const char *const *params);

/* ---- bedrockctl ---- */
typedef struct {
    int exit_code; /* -1 when it did not exit normally */
    char *out, *err;
} catsup_ctl_t;

/* bedrockctl ingest dir --batch batch against the cluster. */
int catsup_ingest(catsup_t *self, const char *dir, int batch, catsup_ctl_t *out);
void catsup_ctl_clear(catsup_ctl_t *r);

/* "BEDROCK_SOURCE_DIR/rel" into out. */
void catsup_source_path(const char *rel, char *out, size_t size);

#endif
