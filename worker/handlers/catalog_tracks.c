/* catalog_tracks — tracks.links and tracks.stream (issue 3). Owner: catalog engineer (C1).
 *
 * tracks.links: the same recording on other platforms = the same ISRC AND a duration
 * within BEDROCK_LINK_DURATION_TOLERANCE_MS (ISRCs alone mislead on compilations and
 * clean/explicit versions), among the tracks stored in PostgreSQL. For a provider track
 * the provider pool first asks the other configured providers by ISRC (catalog_isrc.h)
 * — skipping a platform that already has a track with that ISRC stored — and stores
 * what they answer. Local tracks (no ISRC) have no links. Computed per request: no
 * cache key is defined for links (x-cache miss).
 *
 * tracks.stream: stream:{platform}:{id}, cached min(1 h, expires_at - now - 5 s) so the
 * entry never outlives a signed URL. Local tracks have no stream: 404 not_found.
 */
#include "catalog_handlers.h"

#include "catalog/cache_aside.h"
#include "catalog/catalog_isrc.h"
#include "catalog/catalog_settings.h"
#include "catalog/catalog_store.h"
#include "catalog/catalog_view.h"
#include "catalog/providers_glue.h"
#include "envelope.h"
#include "log.h"

#include <string.h>

/* ---- links ---- */

/* The track's stored document; a provider track missing from PostgreSQL is fetched
 * (provider pool). NULL when ctx->rep holds the answer. */
static json_t *s_source(handler_ctx_t *ctx, const ids_ref_t *ref)
{
    json_t *doc = NULL;
    db_t *db = ctx->provider_pool ? ctx->primary : ctx->db;
    db_err_t err =
        catalog_store_load(db, CATALOG_KIND_TRACK, ref->platform, ref->native, &doc, NULL);
    if (err == DB_OK)
        return doc;
    if (err != DB_ERR_NOT_FOUND) {
        (void)handler_db_error(ctx, err);
        return NULL;
    }
    if (strcmp(ref->platform, "local") == 0) {
        handler_error(ctx, 404, "not_found", "no such track");
        return NULL;
    }
    provider_err_t perr = {{0}};
    provider_result_t r =
        providers_glue_fetch(ctx, CATALOG_KIND_TRACK, ref->platform, ref->native, &doc, &perr);
    if (r != PROVIDER_OK) {
        (void)providers_glue_error(ctx, ref->platform, r, &perr);
        return NULL;
    }
    return doc;
}

/* Whether PostgreSQL already has a track of platform with this ISRC. */
static bool s_stored_on(const json_t *stored, const char *platform)
{
    json_t *doc;
    size_t i;
    json_array_foreach(stored, i, doc)
    {
        const char *p = json_string_value(json_object_get(doc, "platform"));
        if (p && strcmp(p, platform) == 0)
            return true;
    }
    return false;
}

/* Asks every other configured ISRC-capable provider and stores its tracks (partial
 * rows). Failures only cost links: logged, never an error. */
static void s_ask_providers(handler_ctx_t *ctx, const char *own_platform, const char *isrc)
{
    json_t *stored = NULL;
    if (catalog_store_tracks_by_isrc(ctx->primary, isrc, &stored) != DB_OK)
        return;
    static const char *const platforms[] = {"deezer", "spotify", "musicbrainz", NULL};
    for (const char *const *p = platforms; *p; p++) {
        if (strcmp(*p, own_platform) == 0 || !providers_glue_get(ctx, *p) ||
            s_stored_on(stored, *p))
            continue;
        json_t *docs = NULL, *doc;
        provider_err_t perr = {{0}};
        provider_result_t r = catalog_isrc_lookup(ctx, *p, isrc, &docs, &perr);
        if (r != PROVIDER_OK) {
            log_info("links: %s by ISRC %s: %s", *p, isrc, perr.message);
            continue;
        }
        size_t i;
        json_array_foreach(docs, i, doc)
        {
            catalog_upsert_t up = {.mode = CATALOG_UPSERT_PARTIAL};
            db_err_t err = catalog_store_upsert(ctx->primary, CATALOG_KIND_TRACK, doc, &up);
            if (err != DB_OK)
                log_warn("links: %s track not stored: %s %s", *p, db_err_name(err), up.reason);
        }
        json_decref(docs);
    }
    json_decref(stored);
}

static json_t *s_views(const json_t *docs)
{
    json_t *out = json_array(), *doc;
    size_t i;
    json_array_foreach(docs, i, doc)
    {
        json_t *view = catalog_view_track(doc);
        if (!out || (view && json_array_append_new(out, view) < 0)) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static int s_links_reply(handler_ctx_t *ctx, const ids_ref_t *ref, const json_t *doc)
{
    const char *isrc = json_string_value(json_object_get(doc, "isrc"));
    json_t *duration = json_object_get(doc, "duration_ms");
    json_t *docs = NULL;
    db_t *db = ctx->provider_pool ? ctx->primary : ctx->db;
    if (isrc && json_is_integer(duration)) {
        db_err_t err = catalog_store_track_links(db, isrc, ref->platform, ref->native,
                                                 json_integer_value(duration),
                                                 catalog_settings()->link_tolerance_ms, &docs);
        if (err != DB_OK)
            return handler_db_error(ctx, err);
    }
    json_t *links = docs ? s_views(docs) : json_array();
    json_decref(docs);
    char id[IDS_PLATFORM_MAX + IDS_NATIVE_MAX + 2];
    snprintf(id, sizeof id, "%s:%s", ref->platform, ref->native);
    json_t *data =
        links ? json_pack("{s:s, s:s?, s:o}", "id", id, "isrc", isrc, "links", links) : NULL;
    if (!data || cache_aside_header(ctx, CACHE_ASIDE_MISS) < 0) {
        json_decref(data);
        return -1;
    }
    return handler_ok(ctx, 200, data);
}

int handle_tracks_links(handler_ctx_t *ctx)
{
    ids_ref_t ref;
    if (providers_glue_parse_id(ctx, "id", &ref) != 0)
        return 0;
    bool local = strcmp(ref.platform, "local") == 0;
    if (!local && !ctx->provider_pool)
        return handler_forward(ctx);
    json_t *doc = s_source(ctx, &ref);
    if (!doc)
        return 0;
    const char *isrc = json_string_value(json_object_get(doc, "isrc"));
    if (!local && isrc)
        s_ask_providers(ctx, ref.platform, isrc);
    int rc = s_links_reply(ctx, &ref, doc);
    json_decref(doc);
    return rc;
}

/* ---- stream ---- */

static int s_fill_stream(handler_ctx_t *ctx, void *arg, cache_aside_fill_t *out)
{
    const ids_ref_t *ref = arg;
    const provider_t *p = providers_glue_get(ctx, ref->platform);
    provider_err_t perr = {{0}};
    json_t *doc = NULL;
    provider_result_t r =
        !p ? provider_fail(&perr, PROVIDER_UNAVAILABLE, "%s is not configured", ref->platform)
        : !p->get_stream ? provider_fail(&perr, PROVIDER_UNSUPPORTED, "no streams")
                         : p->get_stream(ctx->providers, ref->native, &doc, &perr);
    if (r != PROVIDER_OK)
        return providers_glue_error(ctx, ref->platform, r, &perr);
    json_t *exp = json_object_get(doc, "expires_at");
    long long expires_at = json_is_integer(exp) ? json_integer_value(exp) : 0;
    out->ttl_s = cache_aside_stream_ttl(expires_at, envelope_now_ms() / 1000);
    out->value = catalog_view_stream(doc);
    json_decref(doc);
    if (!out->value)
        return providers_glue_error(ctx, ref->platform, PROVIDER_UPSTREAM, NULL);
    return 0;
}

int handle_tracks_stream(handler_ctx_t *ctx)
{
    ids_ref_t ref;
    if (providers_glue_parse_id(ctx, "id", &ref) != 0)
        return 0;
    if (strcmp(ref.platform, "local") == 0)
        return handler_error(ctx, 404, "not_found", "no stream for local tracks");
    char key[CACHE_ASIDE_KEY_MAX];
    if (cache_aside_key(key, "stream", ref.platform, ref.native) < 0)
        return handler_error(ctx, 400, "invalid_id", "the id is too long");
    json_t *value = NULL;
    if (!ctx->provider_pool) {
        if (cache_aside_get(ctx->cache, key, &value) != CACHE_ASIDE_HIT)
            return handler_forward(ctx);
        if (cache_aside_header(ctx, CACHE_ASIDE_HIT) < 0) {
            json_decref(value);
            return -1;
        }
        return handler_ok(ctx, 200, value);
    }
    cache_aside_opts_t opts = {.key = key, .ttl_s = CACHE_ASIDE_TTL_STREAM_MAX_S, .one_fill = true};
    return cache_aside_serve(ctx, &opts, s_fill_stream, &ref);
}
