#include "ops.h"

#include <string.h>

/* Exact op names, or prefixes ending in '.', that only read. Kept in one place so
 * that the broker's retry rule and the worker's replica routing agree. */
static const char *const s_read_only[] = {
    "me.get", "me.export", "me.sessions.list", "me.favorites.list", "me.playlists.list",
    "me.playlists.get", "me.history.list", "me.search_history.list", "me.player.get",
    "tracks.get", "tracks.links", "tracks.stream", "tracks.lyrics", "albums.get",
    "artists.get", "playlists.get", "search.query", "lyrics.get", "providers.status",
    "admin.users.list", "admin.audit.list", "test.sleep", "test.echo", NULL,
};

bool ops_is_read_only(const char *op)
{
    if (!op)
        return false;
    for (const char *const *p = s_read_only; *p; p++)
        if (strcmp(op, *p) == 0)
            return true;
    return false;
}
