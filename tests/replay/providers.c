#include "providers.h"

#include <string.h>
#include <strings.h>

/* The URL layout of bedrock-replay. One line per real base URL; several bases
 * may share a prefix (MusicBrainz is recorded over http and https). */
typedef struct {
    const char *base;
    int id;
} s_base_t;

static const s_base_t s_bases[] = {
    {"https://api.deezer.com", PROVIDERS_DEEZER},
    {"https://api.spotify.com", PROVIDERS_SPOTIFY},
    {"https://accounts.spotify.com", PROVIDERS_SPOTIFY_AUTH},
    {"https://musicbrainz.org", PROVIDERS_MUSICBRAINZ},
    {"http://musicbrainz.org", PROVIDERS_MUSICBRAINZ},
    {"https://lrclib.net", PROVIDERS_LRCLIB},
    {"https://itunes.apple.com", PROVIDERS_ITUNES},
};

typedef struct {
    const char *name;            /* URL prefix without the leading '/' */
    const char *token_set_param; /* query value compared as a token set */
} s_provider_t;

static const s_provider_t s_providers[PROVIDERS_COUNT] = {
    [PROVIDERS_DEEZER] = {"deezer", NULL},
    [PROVIDERS_SPOTIFY] = {"spotify", NULL},
    [PROVIDERS_SPOTIFY_AUTH] = {"spotify-auth", NULL},
    [PROVIDERS_MUSICBRAINZ] = {"musicbrainz", "inc"},
    [PROVIDERS_LRCLIB] = {"lrclib", NULL},
    [PROVIDERS_ITUNES] = {"itunes", NULL},
};

int providers_from_base(const char *base)
{
    if (!base)
        return -1;
    size_t len = strlen(base);
    while (len > 0 && base[len - 1] == '/')
        len--;
    for (size_t i = 0; i < sizeof s_bases / sizeof s_bases[0]; i++) {
        if (strlen(s_bases[i].base) == len && strncasecmp(s_bases[i].base, base, len) == 0)
            return s_bases[i].id;
    }
    return -1;
}

int providers_from_path(const char *path, const char **rest_out)
{
    if (!path || path[0] != '/')
        return -1;
    for (int id = 0; id < PROVIDERS_COUNT; id++) {
        size_t len = strlen(s_providers[id].name);
        /* "/spotify" must not claim "/spotify-auth/...": the prefix ends at '/' or the end. */
        if (strncmp(path + 1, s_providers[id].name, len) == 0 &&
            (path[1 + len] == '/' || path[1 + len] == '\0')) {
            if (rest_out)
                *rest_out = path + 1 + len;
            return id;
        }
    }
    return -1;
}

int providers_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int id = 0; id < PROVIDERS_COUNT; id++) {
        if (strcmp(s_providers[id].name, name) == 0)
            return id;
    }
    return -1;
}

const char *providers_name(int id)
{
    if (id < 0 || id >= PROVIDERS_COUNT)
        return NULL;
    return s_providers[id].name;
}

const char *providers_token_set_param(int id)
{
    if (id < 0 || id >= PROVIDERS_COUNT)
        return NULL;
    return s_providers[id].token_set_param;
}
