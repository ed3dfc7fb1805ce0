/* catalog_isrc — asking providers for the tracks of an ISRC (tracks.links).
 * Owner: catalog engineer (C1). Provider pool only.
 *
 *   deezer       GET /track/isrc:{ISRC}                         (one track)
 *   spotify      GET /v1/search?type=track&q=isrc:{ISRC}        (provider search)
 *   musicbrainz  GET /ws/2/recording/?query=isrc:{ISRC}&fmt=json (provider search)
 * Other platforms have no ISRC lookup (PROVIDER_UNSUPPORTED).
 */
#ifndef BEDROCK_WORKER_CATALOG_ISRC_H
#define BEDROCK_WORKER_CATALOG_ISRC_H

#include "handler.h"
#include "provider.h"

#include <jansson.h>
#include <stdbool.h>

/* Whether platform can be asked by ISRC. */
bool catalog_isrc_supported(const char *platform);

/* Track documents of platform carrying isrc (each one's "isrc" set to it: a recording
 * may list several ISRCs). *docs is a new array on PROVIDER_OK (empty when the
 * provider knows none). */
provider_result_t catalog_isrc_lookup(handler_ctx_t *ctx, const char *platform, const char *isrc,
                                      json_t **docs, provider_err_t *err);

#endif
