/* provider_registry — every HTTP provider, in one table.
 * Adding a provider: its file defines `const provider_t provider_<name>`, and one
 * line here lists it. */
#include "provider.h"

#include <string.h>

extern const provider_t provider_musicbrainz, provider_deezer, provider_spotify, provider_lrclib,
    provider_itunes;

const provider_t *const provider_all[] = {
    &provider_musicbrainz, &provider_deezer, &provider_spotify,
    &provider_lrclib,      &provider_itunes, NULL,
};

const provider_t *provider_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; provider_all[i]; i++) {
        if (provider_all[i]->name && strcmp(provider_all[i]->name, name) == 0)
            return provider_all[i];
    }
    return NULL;
}
