/* curve — CURVE encryption and a public-key allow-list on both broker sockets
 * (DESIGN §2, "across hosts"), switched on by the environment (owned by the broker area).
 *
 * Broker side (this module):
 *   BEDROCK_CURVE_SECRET_FILE  the broker's own czmq certificate WITH its secret key: the
 *                              "<name>_secret" file that zcert_save(cert, "<name>") writes
 *                              (ZPL text; curve/public-key and curve/secret-key, Z85).
 *                              Keep it mode 0600; a warning is logged when it is not.
 *   BEDROCK_CURVE_ALLOW_DIR    a directory holding the PUBLIC certificate of every
 *                              frontend, worker and internal service let in: the "<name>"
 *                              file zcert_save writes, or zcert_save_public's output.
 * Both set: both ROUTERs (clients and workers) are CURVE servers with the broker's key,
 * and a zauth actor running in the broker's ZeroMQ context (czmq's context, which zauth
 * needs) admits only the public keys found in ALLOW_DIR (zauth "CURVE" with that
 * location). zauth re-reads the directory when it changes, so keys can be added or removed
 * while the broker runs; that affects new connections only. Both unset: plain TCP, as
 * before; the log says which mode is on. Exit 2 with one line naming the variable when
 * only one is set, the secret file is missing, unreadable, not a certificate, has no
 * valid secret key or a public key that does not match it; or ALLOW_DIR is missing, or
 * holds a file that is not a public certificate, a secret key, or one public key twice.
 *
 * Rules for ALLOW_DIR (checked at start only; keep them when editing it later):
 *   - public certificates only: a secret key never leaves the host it was made on;
 *   - each public key once: czmq's certificate store asserts on a duplicate when it
 *     re-reads the directory, which would abort the broker;
 *   - names starting with '.' are ignored and subdirectories are read too (as zauth does).
 *
 * Connecting side (frontend DEALERs, worker DEALERs, bedrockctl, internal services; to be
 * implemented there, this is the contract):
 *   BEDROCK_CURVE_SERVER_PUBLIC_FILE  the broker's public certificate (the "<name>" file;
 *                                     never the _secret one);
 *   BEDROCK_CURVE_CLIENT_SECRET_FILE  the process's own certificate with its secret key
 *                                     (its "<name>_secret" file); the public half ("<name>")
 *                                     goes into the broker's ALLOW_DIR.
 *   Both set: on every DEALER, before zmq_connect (and again on each reconnect, which
 *   makes a new DEALER):
 *       zcert_t *me = zcert_load(client_secret_file);     (both keys)
 *       zcert_t *broker = zcert_load(server_public_file);
 *       zcert_apply(me, sock);                 (ZMQ_CURVE_PUBLICKEY and ZMQ_CURVE_SECRETKEY)
 *       zsock_set_curve_serverkey(sock, zcert_public_txt(broker));
 *   or, with raw libzmq, the same three options (32 bytes, or 40 Z85 characters).
 *   Both unset: plain TCP. Same start-up checks, exit 2 and one log line for the mode.
 *   A key not in ALLOW_DIR, or the wrong broker key, is never let in and never told why:
 *   the handshake fails and ZeroMQ retries quietly. A worker then hears no heartbeat and
 *   keeps reconnecting; a frontend answers 504 at the deadline. Log the mode and the own
 *   public key (never the secret) at start, so that a wrong key is told from a broker down.
 *
 * Why it matters: the broker and the workers trust an envelope's auth field only because
 * the socket it came from is trusted. With CURVE off, anything that can reach the two
 * ports is trusted: plain TCP is for one host or a private network.
 */
#ifndef BEDROCK_BROKER_CURVE_H
#define BEDROCK_BROKER_CURVE_H

#include "broker.h"

#define CURVE_ENV_SECRET_FILE "BEDROCK_CURVE_SECRET_FILE"
#define CURVE_ENV_ALLOW_DIR "BEDROCK_CURVE_ALLOW_DIR"

/* Reads and checks both variables. Returns NULL when both are unset (plain TCP), or the
 * CURVE settings (the caller destroys them with curve_destroy). Never returns on a bad
 * setting: one line naming the variable, exit 2. */
curve_t *curve_from_env(void);

/* Logs the mode (self NULL: plain TCP) and, for CURVE, the broker's public key. */
void curve_log(const curve_t *self);

/* Starts the zauth actor with the allow-list and returns the ZeroMQ context the broker's
 * sockets must be created in (czmq's, borrowed: curve_destroy terminates it), or NULL
 * (logged). Call before binding anything. */
void *curve_start(curve_t *self) __attribute__((warn_unused_result));

/* Makes sock, not yet bound, a CURVE server with the broker's keys. Returns 0 or -1. */
int curve_apply(const curve_t *self, void *sock) __attribute__((warn_unused_result));

/* Stops zauth, shuts czmq down (terminating the context curve_start returned: close
 * every socket of it first), wipes the secret key, frees self and sets *self_p to NULL.
 * Safe on NULL. */
void curve_destroy(curve_t **self_p);

#endif
