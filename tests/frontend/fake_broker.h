/* fake_broker — a stand-in for bedrock-broker in the frontend tests: a ROUTER on a
 * thread that answers client requests itself, by op:
 *
 *   broker.status  200 {workers_live: N, workers_total: N} (N = fake_broker_set_workers)
 *   test.echo      200 {op, args, body, auth, meta}
 *   test.sleep     the echo, sent args.ms milliseconds later (late replies, timeouts)
 *   test.status    status args.status, error {code: args.code} when >= 400, headers
 *                  from args (every key starting with "h-" becomes a header without it)
 *   auth.logout    204, no data
 *   anything else  the echo
 * Any op whose args hold "fake_sleep_ms" is answered that much later.
 *
 * Not thread-safe beyond start/stop/set_workers; one per test process at a time.
 */
#ifndef BEDROCK_FAKE_BROKER_H
#define BEDROCK_FAKE_BROKER_H

typedef struct fake_broker_t fake_broker_t;

/* Binds endpoint ("tcp://127.0.0.1:*" picks a free port) and starts answering.
 * NULL on failure. */
fake_broker_t *fake_broker_start(const char *endpoint);
/* The endpoint actually bound (a port instead of '*'); owned by the broker. */
const char *fake_broker_endpoint(const fake_broker_t *self);
void fake_broker_stop(fake_broker_t **self_p);
void fake_broker_set_workers(fake_broker_t *self, int workers_live);
/* Requests received so far. */
int fake_broker_requests(fake_broker_t *self);

#endif
