/* providers — the one table mapping a provider's real base URL to the URL
 * prefix it is served under by bedrock-replay.
 *
 * A provider id is a small index (0 .. PROVIDERS_COUNT-1); its name is the
 * prefix without the slash ("deezer", "spotify-auth", ...) and is what the
 * control API (/_replay/mode, /_replay/stats) uses. Everything returned is a
 * static string: nobody frees it.
 */
#ifndef BEDROCK_REPLAY_PROVIDERS_H
#define BEDROCK_REPLAY_PROVIDERS_H

#include <stddef.h>

enum {
    PROVIDERS_DEEZER = 0,
    PROVIDERS_SPOTIFY,
    PROVIDERS_SPOTIFY_AUTH,
    PROVIDERS_MUSICBRAINZ,
    PROVIDERS_LRCLIB,
    PROVIDERS_ITUNES,
    PROVIDERS_COUNT
};

/* Provider id for a recorded request.base ("https://api.deezer.com"); the
 * scheme and host compare case-insensitively, a trailing '/' is ignored.
 * Returns -1 for a base not in the table. */
int providers_from_base(const char *base);

/* Provider id for a request path ("/deezer/track/1" -> deezer) and, through
 * rest_out, the path after the prefix ("/track/1"; "" when the path is the
 * bare prefix). Returns -1 when no prefix matches. */
int providers_from_path(const char *path, const char **rest_out);

/* Provider id for a name ("deezer"), or -1. */
int providers_from_name(const char *name);

/* Name of a provider id ("deezer"); NULL for an invalid id. */
const char *providers_name(int id);

/* Name of the query parameter whose value is a '+'/space separated token
 * set for this provider (MusicBrainz "inc"), or NULL. */
const char *providers_token_set_param(int id);

#endif
