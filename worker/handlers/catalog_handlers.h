/* catalog_handlers — the catalog ops (issue 3). Owner: catalog engineer (C1).
 * Each follows handler.h's contract and is registered in dispatch.c's table twice:
 * plain (fast workers: cache, PostgreSQL for local ids, else handler_forward) and as
 * "provider." + op (provider pool: fetch once per key, upsert, cache, stale fallback).
 *
 *   tracks.get / albums.get / artists.get / playlists.get   args {id[, limit, cursor]}
 *   tracks.links   args {id} -> {id, isrc, links:[track]}  (catalog_tracks.c)
 *   tracks.stream  args {id} -> {url, expires_at, format, preview}
 *   catalog.ingest body {kind, items:[...]} -> {inserted, updated, unchanged, rejected}
 *                  (ingest.c; internal, no provider-pool twin)
 */
#ifndef BEDROCK_WORKER_HANDLERS_CATALOG_H
#define BEDROCK_WORKER_HANDLERS_CATALOG_H

#include "handler.h"

/* catalog.c */
int handle_tracks_get(handler_ctx_t *ctx);
int handle_albums_get(handler_ctx_t *ctx);
int handle_artists_get(handler_ctx_t *ctx);
int handle_playlists_get(handler_ctx_t *ctx);

/* catalog_tracks.c */
int handle_tracks_links(handler_ctx_t *ctx);
int handle_tracks_stream(handler_ctx_t *ctx);

/* ingest.c */
int handle_catalog_ingest(handler_ctx_t *ctx);

#endif
