/* track_facts — what the discovery ops need to know about a track: title, first credited
 * artist, album title, duration. Owner: discovery engineer (C2).
 *
 * From PostgreSQL (any platform stored in the catalog: local rows, provider copies), or
 * from a track view / catalog document (same field names: title, artists[0].name,
 * album.title, duration_ms), e.g. the cached track:{platform}:{id} value.
 */
#ifndef BEDROCK_WORKER_TRACK_FACTS_H
#define BEDROCK_WORKER_TRACK_FACTS_H

#include "db.h"

#include <jansson.h>
#include <stdbool.h>

#define TRACK_FACTS_TEXT_MAX 1024

typedef struct {
    char title[TRACK_FACTS_TEXT_MAX];
    char artist[TRACK_FACTS_TEXT_MAX]; /* "" when no artist is credited */
    char album[TRACK_FACTS_TEXT_MAX];  /* "" when unknown */
    long long duration_ms;             /* -1 when unknown */
} track_facts_t;

/* DB_OK with *out, DB_ERR_NOT_FOUND when the track is not stored, or another db_err_t. */
db_err_t track_facts_load(db_t *db, const char *platform, const char *native, track_facts_t *out)
    __attribute__((warn_unused_result));

/* From a track view or document. Returns 0, or -1 when it has no title. */
int track_facts_from_json(const json_t *track, track_facts_t *out)
    __attribute__((warn_unused_result));

#endif
