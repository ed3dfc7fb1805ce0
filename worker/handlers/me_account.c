/* me.delete, me.export, me.sessions.* — the signed-in user's account as a whole. */
#include "library_handlers.h"
#include "libreq.h"

#include "library/account.h"
#include "library/audit.h"
#include "sessions.h"

/* Soft deletion: from here on the login fails and every token of the account is
 * refused (the session check requires users.deleted_at IS NULL); the rows stay until
 * users.purge removes them after BEDROCK_RETENTION_DAYS. The email stays taken until
 * then. Deleting twice (a concurrent request) is still a success. */
int handle_me_delete(handler_ctx_t *ctx)
{
    account_origin_t from = libreq_origin(ctx);
    db_err_t err = account_delete(ctx->db, ctx->req->auth_sub, &from);
    if (err == DB_ERR_NOT_FOUND)
        err = DB_OK;
    return libreq_reply(ctx, err, 204, NULL);
}

int handle_me_export(handler_ctx_t *ctx)
{
    json_t *doc = NULL;
    db_err_t err = account_export(ctx->db, ctx->req->auth_sub, &doc);
    return libreq_reply(ctx, err, 200, doc);
}

int handle_me_sessions_list(handler_ctx_t *ctx)
{
    pager_t pg;
    if (!libreq_pager(ctx, PAGER_KEY_UUID, &pg))
        return 0;
    json_t *page = NULL;
    db_err_t err =
        account_sessions_list(ctx->db, ctx->req->auth_sub, ctx->req->auth_sid, &pg, &page);
    return libreq_reply(ctx, err, 200, page);
}

/* Someone else's session is "not found", exactly like one that does not exist. */
int handle_me_sessions_revoke(handler_ctx_t *ctx)
{
    const char *id;
    if (!libreq_uuid_arg(ctx, "id", &id))
        return 0;
    db_err_t err = sessions_revoke(ctx->db, id, ctx->req->auth_sub, "revoked");
    if (err == DB_ERR_NOT_FOUND)
        return handler_error(ctx, 404, "not_found", "no such session");
    if (err != DB_OK)
        return handler_db_error(ctx, err);
    json_t *details = json_pack("{s:s}", "session_id", id);
    if (!details)
        return -1;
    audit_entry_t e = {ctx->req->auth_sub, ctx->req->auth_sub, "session.revoked",
                       ctx->req->meta_ip,  ctx->req->meta_ua,  details};
    audit_note(ctx->db, &e);
    json_decref(details);
    return handler_ok(ctx, 204, NULL);
}
