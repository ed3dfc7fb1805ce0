/* proto — the broker wire protocol (DESIGN §2), Majordomo-style.
 *
 * Client (DEALER) -> broker ROUTER:  [empty][PROTO_CLIENT][request envelope]
 * Broker -> client:                  [empty][PROTO_CLIENT][reply envelope]
 * Worker (DEALER) <-> broker ROUTER: [PROTO_WORKER][cmd][...]
 *   READY      worker->broker  [info: msgpack map {pid, host, ops:[...], credit}]
 *   REQUEST    broker->worker  [client address][empty][request envelope]
 *   REPLY      worker->broker  [client address][empty][reply envelope]
 *   HEARTBEAT  both ways       [optional msgpack stats map]
 *   DISCONNECT both ways       []
 *   FORWARD    worker->broker  [client address][empty][new request envelope]
 *              (the worker hands the request it is serving, same id and deadline, to
 *              the pool serving the new envelope's op; the broker frees the worker's
 *              slot and routes the new envelope as a fresh request of that client)
 *
 * CURVE (DESIGN §2, optional): broker/curve.h states the contract for both sides.
 */
#ifndef BEDROCK_PROTO_H
#define BEDROCK_PROTO_H

#define PROTO_CLIENT "BRC1"
#define PROTO_WORKER "BRW1"

enum {
    PROTO_READY = 0x01,
    PROTO_REQUEST = 0x02,
    PROTO_REPLY = 0x03,
    PROTO_HEARTBEAT = 0x04,
    PROTO_DISCONNECT = 0x05,
    PROTO_FORWARD = 0x06,
};

/* Defaults; each process reads its own override at start. */
#define PROTO_HEARTBEAT_INTERVAL_MS 1000
#define PROTO_HEARTBEAT_LIVENESS 3
#define PROTO_DEFAULT_CLIENT_ENDPOINT "tcp://127.0.0.1:5555"
#define PROTO_DEFAULT_WORKER_ENDPOINT "tcp://127.0.0.1:5556"

/* Ops the broker answers itself. */
#define PROTO_OP_BROKER_STATUS "broker.status"

#endif
