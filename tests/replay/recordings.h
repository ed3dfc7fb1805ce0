/* recordings — the provider responses bedrock-replay serves: loaded once at
 * start from a directory of manifests, then read-only (safe to share between
 * request threads without locking).
 *
 * Layout of DIR: DIR/<anything>/manifest.json (and/or DIR/manifest.json); each
 * manifest lists entries {file, request:{method, base, path, query}, response:
 * {status, content_type}} whose body is the file next to the manifest (see
 * tests/data/providers/README.md). A malformed entry, an unknown base or a
 * missing body file is logged and skipped.
 */
#ifndef BEDROCK_REPLAY_RECORDINGS_H
#define BEDROCK_REPLAY_RECORDINGS_H

#include "query.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int provider;       /* providers.h id */
    char *method;       /* "GET", "POST", ... */
    char *path;         /* decoded, relative to the provider prefix, as recorded */
    query_t query;      /* recorded pairs; NULL value = any value */
    bool match_query;   /* false for non-GET (token POST): method + path only */
    size_t wildcards;   /* pairs with a NULL value; fewer = more specific */
    int status;         /* recorded status; 200 when not recorded */
    char *content_type; /* recorded, or guessed from the file extension */
    char *body;         /* body bytes (NUL-terminated for convenience) */
    size_t body_len;
    char *file; /* manifest directory name + "/" + file, for listings */
} recording_t;

typedef struct recordings recordings_t;

/* Loads every manifest under dir. Returns NULL (and logs why) when dir cannot
 * be read or holds no manifest at all; an empty but valid set is returned.
 * The caller destroys it with recordings_destroy. */
recordings_t *recordings_load(const char *dir) __attribute__((warn_unused_result));

/* Frees everything and sets *self_p to NULL; safe on NULL or twice. */
void recordings_destroy(recordings_t **self_p);

size_t recordings_count(const recordings_t *self);

/* Recording i (0 <= i < count); borrowed, lives as long as self. */
const recording_t *recordings_at(const recordings_t *self, size_t i);

/* The recording answering a request, or NULL. method and path compare exactly
 * except for a trailing '/' (path is the decoded path after the provider
 * prefix); the query compares as a set (query_matches). When several match,
 * the one with the fewest wildcards wins, then the first loaded. Borrowed. */
const recording_t *recordings_match(const recordings_t *self, int provider, const char *method,
                                    const char *path, const query_t *query);

/* JSON description of one recording: {provider, method, path (with prefix),
 * query:[[name, value|null]...], url (prefixed path + encoded query, a null
 * value written as "any"), status, content_type, bytes, file}. New reference;
 * the caller decrefs it. */
json_t *recordings_describe(const recording_t *rec);

/* Same path (trailing '/' aside), provider and method as given: used to hint
 * at near misses in a 404. New array reference; the caller decrefs it. */
json_t *recordings_near(const recordings_t *self, int provider, const char *method,
                        const char *path);

#endif
