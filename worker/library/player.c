#include "player.h"

#include "library_stmt.h"

#include <stdio.h>

static db_err_t s_one_json(db_t *db, library_stmt_id_t id, const char *const *params, json_t **out)
{
    *out = NULL;
    PGresult *res = NULL;
    db_err_t err = db_run(db, &library_stmts[id], params, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) == 1)
        *out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    else
        *out = json_pack("{s:n, s:i, s:n, s:b, s:n}", "track_id", "position_ms", 0, "device",
                         "is_playing", 0, "updated_at");
    PQclear(res);
    return *out ? DB_OK : DB_ERR_OTHER;
}

db_err_t player_get(db_t *db, const char *user_id, json_t **out)
{
    const char *params[] = {user_id};
    return s_one_json(db, LIBRARY_STMT_PLAYER_GET, params, out);
}

db_err_t player_put(db_t *db, const char *user_id, const char *track_id, long position_ms,
                    const char *device, bool is_playing, json_t **out)
{
    char pos[24];
    snprintf(pos, sizeof pos, "%ld", position_ms);
    const char *params[] = {user_id, track_id, pos, device, is_playing ? "true" : "false"};
    return s_one_json(db, LIBRARY_STMT_PLAYER_PUT, params, out);
}
