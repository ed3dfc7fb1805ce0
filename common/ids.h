/* ids — namespaced catalog ids (`platform:native_id`) and user UUIDs. */
#ifndef BEDROCK_IDS_H
#define BEDROCK_IDS_H

#include <stdbool.h>

#define IDS_PLATFORM_MAX 16
#define IDS_NATIVE_MAX 128

typedef enum {
    IDS_OK = 0,
    IDS_INVALID = -1,          /* malformed: 400 invalid_id */
    IDS_UNKNOWN_PLATFORM = -2, /* well-formed, platform unknown: 404 unknown_platform */
} ids_result_t;

typedef struct {
    char platform[IDS_PLATFORM_MAX];
    char native[IDS_NATIVE_MAX];
} ids_ref_t;

/* Parses "platform:native". The native part is checked against the platform's own
 * shape (local/deezer/itunes/lrclib: decimal; spotify: 22 base62 characters;
 * musicbrainz: a UUID). */
ids_result_t ids_parse(const char *text, ids_ref_t *out);

/* True for the platforms Bedrock knows, configured or not. */
bool ids_platform_known(const char *platform);

/* The known platforms, NULL-terminated. */
extern const char *const ids_platforms[];

/* 8-4-4-4-12 hexadecimal, either case. */
bool ids_is_uuid(const char *text);

#endif
