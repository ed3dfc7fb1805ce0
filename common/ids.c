#include "ids.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *const ids_platforms[] = {"local", "spotify", "deezer", "musicbrainz",
                                     "lrclib", "itunes", NULL};

bool ids_platform_known(const char *platform)
{
    for (const char *const *p = ids_platforms; *p; p++)
        if (strcmp(*p, platform) == 0)
            return true;
    return false;
}

bool ids_is_uuid(const char *text)
{
    static const int dashes[] = {8, 13, 18, 23};
    if (!text || strlen(text) != 36)
        return false;
    for (int i = 0, d = 0; i < 36; i++) {
        if (d < 4 && i == dashes[d]) {
            if (text[i] != '-')
                return false;
            d++;
        } else if (!isxdigit((unsigned char)text[i])) {
            return false;
        }
    }
    return true;
}

static bool s_all(const char *s, int (*pred)(int))
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!pred((unsigned char)*s))
            return false;
    return true;
}

static bool s_native_ok(const char *platform, const char *native)
{
    size_t len = strlen(native);
    if (strcmp(platform, "spotify") == 0)
        return len == 22 && s_all(native, isalnum);
    if (strcmp(platform, "musicbrainz") == 0)
        return ids_is_uuid(native);
    /* local, deezer, itunes, lrclib: positive decimal ids that fit 64 bits */
    return len <= 19 && s_all(native, isdigit);
}

ids_result_t ids_parse(const char *text, ids_ref_t *out)
{
    if (!text)
        return IDS_INVALID;
    const char *colon = strchr(text, ':');
    if (!colon || colon == text)
        return IDS_INVALID;
    size_t plen = (size_t)(colon - text);
    const char *native = colon + 1;
    if (plen >= IDS_PLATFORM_MAX || strlen(native) >= IDS_NATIVE_MAX || !*native)
        return IDS_INVALID;
    memcpy(out->platform, text, plen);
    out->platform[plen] = '\0';
    for (size_t i = 0; i < plen; i++)
        if (!islower((unsigned char)out->platform[i]))
            return IDS_INVALID;
    snprintf(out->native, sizeof out->native, "%s", native);
    if (!ids_platform_known(out->platform))
        return IDS_UNKNOWN_PLATFORM;
    return s_native_ok(out->platform, out->native) ? IDS_OK : IDS_INVALID;
}
