/* handlers — one function per op, grouped by resource (auth.c, me.c, test.c).
 * Each is registered in dispatch.c's table and follows handler.h's contract. */
#ifndef BEDROCK_WORKER_HANDLERS_H
#define BEDROCK_WORKER_HANDLERS_H

#include "handler.h"

/* auth.c */
int handle_auth_register(handler_ctx_t *ctx);
int handle_auth_login(handler_ctx_t *ctx);
int handle_auth_refresh(handler_ctx_t *ctx);
int handle_auth_logout(handler_ctx_t *ctx);

/* me.c */
int handle_me_get(handler_ctx_t *ctx);

/* test.c — only with BEDROCK_TEST_OPS=true */
int handle_test_sleep(handler_ctx_t *ctx);
int handle_test_echo(handler_ctx_t *ctx);

#endif
