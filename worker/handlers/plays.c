/* plays.record — POST /v1/plays {track_id, played_ms?} -> 202 {counted}
 * (API.md Catalog). Owner: discovery engineer (C2).
 *
 * Who: envelope.auth is required (401 unauthorized). A bearer request carries the
 * session of a signed token: the session must be live (like every auth-required op).
 * An internal service pushing plays through the broker (bedrockctl call plays.record
 * --body '{"track_id":"local:1","played_ms":200000}' --auth-sub USER --auth-role service
 * --auth-sid ANY-UUID [--noreply]) says role "service": the broker's sockets are trusted
 * (DESIGN §2) and no token ever carries that role, so sub is taken as the user without a
 * session. A user that does not exist is 404 not_found.
 *
 * What counts (Last.fm / ListenBrainz): played_ms >= min(duration / 2, 4 min). Without
 * played_ms the play is a complete one and counts. Duration: local tracks must be stored
 * (else 404 not_found); other platforms use the stored copy or the cached track view
 * when there is one, and when the duration is unknown only the 4-minute rule applies.
 * The same user and track within 30 s count once: Redis SET NX play:{user}:{track} EX 30
 * for a play that would count (held -> counted false); Redis down -> the check runs in
 * PostgreSQL inside the write transaction (plays_store.h). A failed write releases the
 * key, so that a retry can count.
 */
#include "discovery.h"

#include "catalog/cache_aside.h"
#include "catalog/providers_glue.h"
#include "ids.h"
#include "log.h"
#include "plays_store.h"
#include "sessions.h"
#include "track_facts.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define S_SERVICE_ROLE "service"
#define S_COUNT_CAP_MS 240000LL /* 4 minutes */
#define S_TRACK_ID_MAX (IDS_PLATFORM_MAX + IDS_NATIVE_MAX + 2)

/* 0 when the caller may record plays as auth_sub; 1 after the 401 reply. */
static int s_authorise(handler_ctx_t *ctx)
{
    const envelope_request_t *req = ctx->req;
    if (!req->has_auth || !ids_is_uuid(req->auth_sub))
        return handler_error(ctx, 401, "unauthorized", "authentication required") < 0 ? -1 : 1;
    if (strcmp(req->auth_role, S_SERVICE_ROLE) == 0)
        return 0;
    db_err_t err = sessions_check(ctx->primary, req->auth_sid, req->auth_sub);
    if (err == DB_OK)
        return 0;
    if (err == DB_ERR_NOT_FOUND)
        return handler_error(ctx, 401, "unauthorized", "the session is not valid") < 0 ? -1 : 1;
    return handler_db_error(ctx, err) < 0 ? -1 : 1;
}

/* body.track_id parsed into ref and its canonical text. 0, or 1 after the reply. */
static int s_track_id(handler_ctx_t *ctx, ids_ref_t *ref, char id[S_TRACK_ID_MAX])
{
    size_t len;
    bool bad = false;
    const char *text = handler_string(ctx, "track_id", &len, &bad);
    if (!text || bad)
        return handler_invalid(ctx, "track_id", "track_id is required") < 0 ? -1 : 1;
    ids_result_t r = ids_parse(text, ref);
    if (r == IDS_INVALID)
        return handler_error(ctx, 400, "invalid_id", "track_id is not a valid id") < 0 ? -1 : 1;
    if (r == IDS_UNKNOWN_PLATFORM || !providers_glue_available(ctx, ref->platform))
        return handler_error(ctx, 404, "unknown_platform", "no such platform") < 0 ? -1 : 1;
    snprintf(id, S_TRACK_ID_MAX, "%s:%s", ref->platform, ref->native);
    return 0;
}

/* body.played_ms: -1 when absent, else 0..INT_MAX; -2 when malformed. */
static long long s_played_ms(handler_ctx_t *ctx)
{
    const json_t *body = ctx->req->body;
    const json_t *v = json_is_object(body) ? json_object_get(body, "played_ms") : NULL;
    if (!v || json_is_null(v))
        return -1;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT_MAX)
        return -2;
    return json_integer_value(v);
}

/* The track's duration in ms, or -1 when unknown. 0, or 1 after a 404/503 reply. */
static int s_duration(handler_ctx_t *ctx, const ids_ref_t *ref, long long *duration_ms)
{
    track_facts_t f;
    *duration_ms = -1;
    db_err_t err = track_facts_load(ctx->primary, ref->platform, ref->native, &f);
    if (err == DB_OK) {
        *duration_ms = f.duration_ms;
        return 0;
    }
    if (err != DB_ERR_NOT_FOUND)
        return handler_db_error(ctx, err) < 0 ? -1 : 1;
    if (strcmp(ref->platform, "local") == 0)
        return handler_error(ctx, 404, "not_found", "no such track") < 0 ? -1 : 1;
    char key[CACHE_ASIDE_KEY_MAX];
    json_t *view = NULL;
    if (cache_aside_key(key, "track", ref->platform, ref->native) == 0 &&
        cache_aside_get(ctx->cache, key, &view) == CACHE_ASIDE_HIT) {
        if (track_facts_from_json(view, &f) == 0)
            *duration_ms = f.duration_ms;
        json_decref(view);
    }
    return 0;
}

/* played_ms >= min(duration / 2, 4 min), half taken exactly (2 * played >= duration). */
static bool s_counts(long long played_ms, long long duration_ms)
{
    if (played_ms < 0)
        return true; /* no played_ms: a complete play */
    if (played_ms >= S_COUNT_CAP_MS)
        return true;
    return duration_ms >= 0 && 2 * played_ms >= duration_ms;
}

/* The Redis side of de-duplication for a play that would count. */
static void s_dedup(handler_ctx_t *ctx, const char *key, plays_store_play_t *play, bool *took)
{
    cache_result_t r = cache_setnx(ctx->cache, key, "1", 1, CACHE_ASIDE_TTL_PLAY_S);
    *took = r == CACHE_OK;
    if (r == CACHE_EXISTS)
        play->counted = false;
    else if (r != CACHE_OK)
        play->check_recent = true; /* Redis down: PostgreSQL decides */
}

static int s_record(handler_ctx_t *ctx, const char *track_id, long long played_ms, bool counts)
{
    plays_store_play_t play = {.user_id = ctx->req->auth_sub,
                               .track_id = track_id,
                               .played_ms = played_ms,
                               .counted = counts,
                               .window_s = CACHE_ASIDE_TTL_PLAY_S};
    char key[CACHE_ASIDE_KEY_MAX];
    bool took = false;
    snprintf(key, sizeof key, "play:%s:%s", ctx->req->auth_sub, track_id);
    if (counts)
        s_dedup(ctx, key, &play, &took);
    db_err_t err = plays_store_record(ctx->primary, &play);
    if (err != DB_OK) {
        if (took && cache_del(ctx->cache, key) != CACHE_OK)
            log_warn("plays: could not release %s after a failed write", key);
        if (err == DB_ERR_FOREIGN_KEY)
            return handler_error(ctx, 404, "not_found", "no such user");
        return handler_db_error(ctx, err);
    }
    json_t *data = json_pack("{s:b}", "counted", play.counted);
    return data ? handler_ok(ctx, 202, data) : -1;
}

int handle_plays_record(handler_ctx_t *ctx)
{
    ids_ref_t ref;
    char track_id[S_TRACK_ID_MAX];
    long long duration_ms;
    int rc = s_authorise(ctx);
    if (rc == 0)
        rc = s_track_id(ctx, &ref, track_id);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    long long played_ms = s_played_ms(ctx);
    if (played_ms == -2)
        return handler_invalid(ctx, "played_ms", "played_ms is a non-negative integer");
    rc = s_duration(ctx, &ref, &duration_ms);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    return s_record(ctx, track_id, played_ms, s_counts(played_ms, duration_ms));
}
