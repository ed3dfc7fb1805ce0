#include "ops.h"

#include <string.h>

/* Exact op names, or prefixes ending in '.', that only read. Kept in one place so
 * that the broker's retry rule and the worker's replica routing agree. */
static const char *const s_read_only[] = {
    "me.get", "me.export", "me.sessions.list", "me.favorites.list", "me.playlists.list",
    "me.playlists.get", "me.history.list", "me.search_history.list", "me.player.get",
    "tracks.get", "tracks.links", "tracks.stream", "tracks.lyrics", "albums.get",
    "artists.get", "playlists.get", "lyrics.get", "providers.status",
    "admin.users.list", "admin.audit.list", "test.sleep", "test.echo", NULL,
};

/* The provider pool's ops ("provider." + a catalog read, reached by FORWARD). */
#define S_PROVIDER_PREFIX "provider."

bool ops_is_read_only(const char *op)
{
    if (!op)
        return false;
    for (const char *const *p = s_read_only; *p; p++)
        if (strcmp(op, *p) == 0)
            return true;
    return false;
}

bool ops_is_retryable(const char *op)
{
    if (!op)
        return false;
    /* search.query also writes the caller's search history (so it is not read-only),
     * but running it twice only records the same search twice: retrying beats failing. */
    return strncmp(op, S_PROVIDER_PREFIX, strlen(S_PROVIDER_PREFIX)) == 0 ||
           strcmp(op, "search.query") == 0 || ops_is_read_only(op);
}
