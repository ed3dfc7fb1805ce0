#include "search_run.h"

#include "catalog/providers_glue.h"
#include "discovery_settings.h"
#include "log.h"
#include "search_cursor.h"
#include "search_merge.h"
#include "search_sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    search_source_t src[SEARCH_KIND_COUNT][SEARCH_SOURCES_MAX];
    int64_t started_ms; /* when the first provider call was about to start (0 = none) */
    int failures;       /* provider sources that failed or were skipped */
    int provider_reads; /* provider sources read (or tried) */
    char failed_platform[IDS_PLATFORM_MAX];
    provider_result_t failed_result;
    provider_err_t failed_err;
} s_run_t;

static void s_note_failure(s_run_t *run, const char *platform, provider_result_t r,
                           const provider_err_t *err)
{
    if (run->failures++ > 0)
        return;
    snprintf(run->failed_platform, sizeof run->failed_platform, "%s", platform);
    run->failed_result = r;
    run->failed_err = *err;
}

static void s_skip(s_run_t *run, int i, const char *platform, const bool *kinds, long offset,
                   int limit)
{
    provider_err_t err;
    snprintf(err.message, sizeof err.message,
             "not called: the search's time for providers is spent");
    for (int k = 0; k < SEARCH_KIND_COUNT; k++) {
        if (!kinds[k])
            continue;
        run->src[k][i] = (search_source_t){
            .name = platform, .offset = offset, .requested = limit, .failed = true};
    }
    s_note_failure(run, platform, PROVIDER_TIMEOUT, &err);
}

/* Whether another provider call may start: the deadline is not too close and the search
 * has not spent its provider budget (discovery_settings.h). */
static bool s_may_call(handler_ctx_t *ctx, s_run_t *run)
{
    int64_t now = envelope_now_ms();
    if (run->started_ms == 0)
        run->started_ms = now;
    if (now - run->started_ms >= discovery_settings()->search_provider_budget_ms)
        return false;
    return discovery_settings_time_left(ctx->req->deadline_ms);
}

/* Source i, a provider: one search per distinct offset among the kinds asked. */
static void s_read_provider(handler_ctx_t *ctx, const search_request_t *req, int i, s_run_t *run)
{
    const char *name = req->sources[i];
    const provider_t *provider = providers_glue_get(ctx, name);
    bool done[SEARCH_KIND_COUNT] = {false};
    for (int k = 0; k < SEARCH_KIND_COUNT; k++) {
        if (!req->kinds[k] || done[k])
            continue;
        bool kinds[SEARCH_KIND_COUNT] = {false};
        for (int j = k; j < SEARCH_KIND_COUNT; j++)
            if (req->kinds[j] && !done[j] && req->offsets[j][i] == req->offsets[k][i])
                kinds[j] = done[j] = true;
        run->provider_reads++;
        if (!provider || !ctx->provider_pool || !s_may_call(ctx, run)) {
            s_skip(run, i, name, kinds, req->offsets[k][i], req->limit);
            continue;
        }
        provider_err_t err = {{0}};
        search_source_t *dst[SEARCH_KIND_COUNT] = {&run->src[0][i], &run->src[1][i],
                                                   &run->src[2][i]};
        provider_result_t r = search_sources_provider(ctx, provider, req->q, kinds, req->limit,
                                                      req->offsets[k][i], dst, &err);
        if (r != PROVIDER_OK) {
            log_warn("search: %s failed (%s); answering without it", name, err.message);
            s_note_failure(run, name, r, &err);
        }
    }
}

/* Reads every source. Returns 0, or 1 after the error reply (PostgreSQL). */
static int s_read_all(handler_ctx_t *ctx, const search_request_t *req, s_run_t *run)
{
    for (int i = 0; i < req->n_sources; i++) {
        if (strcmp(req->sources[i], "local") != 0) {
            s_read_provider(ctx, req, i, run);
            continue;
        }
        for (int k = 0; k < SEARCH_KIND_COUNT; k++) {
            if (!req->kinds[k])
                continue;
            db_err_t err = search_sources_local(ctx->db, k, req->q, req->limit, req->offsets[k][i],
                                                &run->src[k][i]);
            if (err != DB_OK)
                return handler_db_error(ctx, err) < 0 ? -1 : 1;
        }
    }
    return 0;
}

/* {items, next_cursor} of kind. NULL out of memory. */
static json_t *s_page(handler_ctx_t *ctx, const search_request_t *req, search_kind_t kind,
                      s_run_t *run)
{
    search_page_t page;
    if (search_merge(run->src[kind], req->n_sources, req->limit, &page) < 0)
        return NULL;
    char *cursor = page.next ? search_cursor_encode(search_kind_name(kind), page.next) : NULL;
    json_t *out = NULL;
    if (!page.next || cursor)
        out = json_pack("{s:O, s:s?}", "items", page.items, "next_cursor", cursor);
    if (out && ctx->provider_pool && discovery_settings()->search_upsert)
        search_sources_store(ctx, kind, page.docs);
    free(cursor);
    search_page_clear(&page);
    return out;
}

static void s_clear(s_run_t *run)
{
    for (int k = 0; k < SEARCH_KIND_COUNT; k++)
        for (int i = 0; i < SEARCH_SOURCES_MAX; i++)
            search_source_clear(&run->src[k][i]);
}

/* Every source was a provider and none answered: 502 with the first failure. */
static bool s_all_failed(const search_request_t *req, const s_run_t *run)
{
    bool has_local = false;
    for (int i = 0; i < req->n_sources; i++)
        has_local = has_local || strcmp(req->sources[i], "local") == 0;
    return !has_local && run->provider_reads > 0 && run->failures >= run->provider_reads;
}

int search_run(handler_ctx_t *ctx, const search_request_t *req, json_t **data, bool *partial)
{
    s_run_t *run = calloc(1, sizeof *run);
    *data = NULL;
    *partial = false;
    if (!run)
        return -1;
    int rc = s_read_all(ctx, req, run);
    if (rc == 0 && s_all_failed(req, run)) {
        rc = providers_glue_error(ctx, run->failed_platform, run->failed_result, &run->failed_err) <
                     0
                 ? -1
                 : 1;
    }
    json_t *out = rc == 0 ? json_object() : NULL;
    if (rc == 0 && !out)
        rc = -1;
    for (int k = 0; rc == 0 && k < SEARCH_KIND_COUNT; k++) {
        if (!req->kinds[k])
            continue;
        json_t *page = s_page(ctx, req, k, run);
        if (!page || json_object_set_new(out, search_kind_list(k), page) < 0)
            rc = -1;
    }
    if (rc == 0) {
        *data = out;
        *partial = run->failures > 0;
    } else {
        json_decref(out);
    }
    s_clear(run);
    free(run);
    return rc;
}
