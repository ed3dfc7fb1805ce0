/* discovery — the discovery ops' handlers (search, lyrics, plays, provider status).
 * Owner: discovery engineer (C2). Each follows handler.h's contract and is registered in
 * dispatch.c's table, plain and with the "provider." prefix where it may call a provider
 * (search.query, tracks.lyrics, lyrics.get, providers.status).
 */
#ifndef BEDROCK_WORKER_HANDLERS_DISCOVERY_H
#define BEDROCK_WORKER_HANDLERS_DISCOVERY_H

#include "handler.h"

/* search.c */
int handle_search_query(handler_ctx_t *ctx);

/* lyrics.c */
int handle_tracks_lyrics(handler_ctx_t *ctx);
int handle_lyrics_get(handler_ctx_t *ctx);

/* plays.c */
int handle_plays_record(handler_ctx_t *ctx);

/* status.c */
int handle_providers_status(handler_ctx_t *ctx);

#endif
