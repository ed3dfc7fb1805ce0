/* disc_env — the world of the discovery tests (search, lyrics, plays, provider status).
 * Owner: discovery engineer (C2).
 *
 * One environment per test program:
 *   - its own redis-server on a free port below 32768 (so that a test may stop and
 *     restart it, and TTLs read back belong to this program alone);
 *   - bedrock-replay (data directory below), every provider URL pointed at it;
 *   - a cluster (tests/support/cluster.h) of n fast workers (default ops: everything but
 *     "provider.") and one provider-pool worker (BEDROCK_WORKER_OPS=provider.) spawned
 *     beside it, so that FORWARD really crosses pools;
 *   - a libpq connection (DATABASE_URL) to check rows, a hiredis connection to
 *     read keys and TTLs, and a brclient to call ops.
 * Spotify is configured (client id/secret for the replay's token recording) unless
 * told otherwise.
 *
 * The local catalog is Chinook (compose/data/chinook), ingested with bedrockctl when it
 * is not there yet (ingest is idempotent; other programs may run it at the same time).
 * Tests never add local rows: other suites count them. The replay data directory is
 * tests/data/providers plus one extra Deezer recording (DISC_DEEZER_LIVE: "I Want to
 * Live" by Borislav Slavov, album "Baldur's Gate 3 (Original Game Soundtrack)", 233 s, the
 * track LRCLIB's recordings have lyrics for).
 */
#ifndef BEDROCK_TEST_DISC_ENV_H
#define BEDROCK_TEST_DISC_ENV_H

#include "brclient.h"
#include "cluster.h"
#include "envelope.h"
#include "fixture.h"

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <sys/types.h>

/* Chinook facts the tests rely on. */
#define DISC_BALLS "local:2" /* "Balls to the Wall", Accept, 342562 ms */
#define DISC_BALLS_MS 342562LL
#define DISC_JOBIM_ARTIST "local:6"          /* artist "Antônio Carlos Jobim" */
#define DISC_LONG "local:50"                 /* 491885 ms: counts from 240000 (the cap) */
#define DISC_UPTOWN_LOCAL "local:627"        /* "Let Me Off Uptown" */
#define DISC_UPTOWN_FUNK_ISRC "GBARL1401524" /* Spotify's "Uptown Funk" (search "uptown") */
#define DISC_DEEZER_LIVE "deezer:777200001"

typedef struct {
    cluster_t *cluster;
    pid_t redis_pid;
    int redis_port;
    char redis_url[64];
    pid_t replay_pid;
    char replay_base[64]; /* http://127.0.0.1:PORT */
    pid_t provider_pid;
    PGconn *pg;
    redisContext *redis;
    brclient_t *client;
    char dir[256]; /* replay data, logs of redis, replay, the provider worker, bedrockctl */
} disc_env_t;

typedef struct {
    int n_fast;                    /* fast workers in the cluster */
    bool no_spotify;               /* leave Spotify without credentials */
    const char *const *worker_env; /* extra for every worker (both pools) */
} disc_env_options_t;

/* Starts everything; returns 0, or -1 with what failed on stderr. */
int disc_env_start(disc_env_t *env, const disc_env_options_t *opt);
void disc_env_stop(disc_env_t *env);

/* Runs bedrockctl with argv (after the program name, NULL-terminated) against this
 * cluster's broker. Returns its exit code (-1 when it could not run or hung); *out (may
 * be NULL) receives its stdout, a new string the caller frees. */
int disc_ctl(disc_env_t *env, const char *const *argv, char **out);

/* Fills dir with the replay data: a symlink per provider directory of
 * tests/data/providers and the extra recording (top-level manifest.json). 0 or -1. */
int disc_data_dir(const char *dir);

/* Ingests Chinook with bedrockctl unless its last track is already stored. 0 or -1. */
int disc_env_chinook(disc_env_t *env);

/* The ISRC dedup fixture: DISC_UPTOWN_LOCAL gets (on) or loses (off) the ISRC of
 * Spotify's "Uptown Funk". A Chinook row's isrc only (raw, counts and updated_at stay as
 * they are, so a re-ingest still finds it unchanged). 0 or -1. */
int disc_env_isrc_fixture(disc_env_t *env, bool on);

/* Calls op over HTTP, through its route (GET /v1/search?..., /v1/lyrics?...,
 * /v1/tracks/{args.id}/lyrics, /v1/providers/status, POST /v1/plays), with user's bearer
 * token (user NULL = none). args (a JSON object of strings: the query and path
 * parameters) and body are JSON text or NULL. The HTTP answer is turned into *out
 * (status; data = the body, or error code/message/details; headers {"x-cache"}), so
 * tests read replies the same way whichever way they came. An op without a route, or a
 * role_override (an internal service, e.g. "service"), goes through the broker
 * (disc_call_broker). DISC_VERBOSE=1 prints each reply. Caller clears *out with
 * envelope_reply_clear. Returns 0, or -1 when no reply came. */
int disc_call(disc_env_t *env, const char *op, const char *args, const char *body,
              const fixture_user_t *user, const char *role_override, envelope_reply_t *out);

/* The same straight to the broker (brclient, deadline now + 10 s): auth is the user's
 * id, sid and role (or role_override). */
int disc_call_broker(disc_env_t *env, const char *op, const char *args, const char *body,
                     const fixture_user_t *user, const char *role_override, envelope_reply_t *out);

/* The reply's x-cache header, or "". */
const char *disc_x_cache(const envelope_reply_t *rep);

/* Redis: TTL of key (-2 missing, -1 no TTL, -3 Redis error); key exists; DEL; FLUSHDB. */
long long disc_ttl(disc_env_t *env, const char *key);
bool disc_exists(disc_env_t *env, const char *key);
int disc_del(disc_env_t *env, const char *key);
int disc_flush(disc_env_t *env);
/* Keys matching pattern (KEYS), as a new JSON array of strings. */
json_t *disc_keys(disc_env_t *env, const char *pattern);

/* Stops / restarts this environment's redis-server (same port). 0 or -1. */
int disc_redis_stop(disc_env_t *env);
int disc_redis_start(disc_env_t *env);

/* One SQL statement with text parameters (NULL-terminated list) returning a single
 * integer (first row, first column), or -1 on error / no row. */
long long disc_sql_int(disc_env_t *env, const char *sql, const char *const *params);

/* POST /_replay/mode {"provider":p, "mode":mode}; POST /_replay/reset. 0 or -1. */
int disc_replay_mode(disc_env_t *env, const char *provider, const char *mode);
int disc_replay_reset(disc_env_t *env);
/* Requests the replay server received for provider (GET /_replay/stats), or -1. */
long disc_replay_requests(disc_env_t *env, const char *provider);

/* Assertions on a reply (cmocka; include cmocka first): status (and error code),
 * printing the whole reply when they fail. */
#define expect_reply(rep, status) disc_check_at((rep), (status), NULL, __FILE__, __LINE__)
#define expect_reply_error(rep, status, code)                                                      \
    disc_check_at((rep), (status), (code), __FILE__, __LINE__)
void disc_check_at(const envelope_reply_t *rep, int status, const char *code, const char *file,
                   int line);
/* The reply printed on stderr (status, code, message, details, headers, data). */
void disc_print(const envelope_reply_t *rep, const char *label);

/* An item list of a search reply: data[list].items (borrowed), or NULL. */
const json_t *disc_items(const envelope_reply_t *rep, const char *list);

#endif
