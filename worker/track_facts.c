#include "track_facts.h"

#include "discovery_stmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_copy(char *dst, const char *src)
{
    snprintf(dst, TRACK_FACTS_TEXT_MAX, "%s", src ? src : "");
}

db_err_t track_facts_load(db_t *db, const char *platform, const char *native, track_facts_t *out)
{
    const char *params[] = {platform, native};
    PGresult *res = NULL;
    db_err_t err = db_run(db, &discovery_stmts[DISCOVERY_STMT_TRACK_FACTS], params, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return DB_ERR_NOT_FOUND;
    }
    s_copy(out->title, db_value(res, 0, 0));
    s_copy(out->artist, db_value(res, 0, 1));
    s_copy(out->album, db_value(res, 0, 2));
    const char *duration = db_value(res, 0, 3);
    out->duration_ms = duration ? strtoll(duration, NULL, 10) : -1;
    PQclear(res);
    return DB_OK;
}

int track_facts_from_json(const json_t *track, track_facts_t *out)
{
    const char *title = json_string_value(json_object_get(track, "title"));
    if (!title || !*title)
        return -1;
    s_copy(out->title, title);
    const json_t *first = json_array_get(json_object_get(track, "artists"), 0);
    s_copy(out->artist, json_string_value(json_object_get(first, "name")));
    s_copy(out->album,
           json_string_value(json_object_get(json_object_get(track, "album"), "title")));
    const json_t *d = json_object_get(track, "duration_ms");
    out->duration_ms =
        json_is_integer(d) && json_integer_value(d) >= 0 ? json_integer_value(d) : -1;
    return 0;
}
