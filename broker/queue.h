/* queue — the bounded pending queue (owned by the broker area).
 *
 * Requests wait here when every worker that serves their op is at its credit. The
 * bound is BEDROCK_BROKER_QUEUE_MAX: queue_push refuses past it and the caller answers
 * 503 overloaded, so pressure goes back to the clients instead of into memory.
 *
 * Nodes are allocated the first time the queue grows to a depth and then recycled
 * through a free list: in steady state pushing and taking allocate nothing. The queue
 * owns the requests it holds; queue_take moves one out to the caller.
 */
#ifndef BEDROCK_BROKER_QUEUE_H
#define BEDROCK_BROKER_QUEUE_H

#include "broker.h"

#include <stddef.h>

typedef struct queue_node queue_node_t;

/* A new empty queue holding at most max requests (max may be 0: never queue). */
queue_t *queue_new(size_t max);
/* Closes every request still held, frees the queue and sets *self_p to NULL. */
void queue_destroy(queue_t **self_p);

size_t queue_depth(const queue_t *self);
size_t queue_max(const queue_t *self);

/* Moves *req to the tail (or, for a retry that must not lose its turn, the head).
 * Returns 0, or -1 when the queue is full (and *req is left untouched). */
int queue_push(queue_t *self, broker_req_t *req) __attribute__((warn_unused_result));
int queue_push_front(queue_t *self, broker_req_t *req) __attribute__((warn_unused_result));

/* Walks from the oldest request; fetch the next node before queue_take'ing this one. */
queue_node_t *queue_first(queue_t *self);
queue_node_t *queue_next(queue_node_t *node);
/* The request a node holds; borrowed, valid until the node is taken. */
const broker_req_t *queue_node_req(const queue_node_t *node);

/* Unlinks node and moves its request to *out (initialised, empty). */
void queue_take(queue_t *self, queue_node_t *node, broker_req_t *out);

#endif
