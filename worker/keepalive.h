/* keepalive — lets long waits inside a handler keep the broker link alive.
 * Owner: catalog engineer (C1) (added with issue 3).
 *
 * A worker runs one handler at a time and normally heartbeats only between requests;
 * the broker declares a worker silent for HEARTBEAT_MS x LIVENESS dead. Code that may
 * wait inside a handler (the one-fill lock's waiters, the provider rate limiter's
 * sleeps) calls keepalive_tick(), which sends a HEARTBEAT when one is due. The loop
 * installs the function at start (one loop per process); until then it does nothing.
 * A blocking libcurl transfer cannot tick: provider timeouts must stay below the
 * liveness window (or the provider layer must tick from a progress callback).
 */
#ifndef BEDROCK_WORKER_KEEPALIVE_H
#define BEDROCK_WORKER_KEEPALIVE_H

typedef void (*keepalive_fn)(void *arg);

/* Installs fn(arg) (NULL removes it). */
void keepalive_set(keepalive_fn fn, void *arg);

/* Calls the installed function, if any. */
void keepalive_tick(void);

#endif
