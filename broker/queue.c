/* queue.c — the bounded pending queue: a doubly linked list of recycled nodes
 * (owned by the broker area; contract in queue.h). */
#include "queue.h"

#include <stdlib.h>

struct queue_node {
    queue_node_t *prev, *next;
    broker_req_t req;
};

struct queue {
    queue_node_t *head, *tail;
    queue_node_t *free_list; /* singly linked through next */
    size_t depth, max;
};

queue_t *queue_new(size_t max)
{
    queue_t *self = broker_alloc(sizeof *self);
    self->max = max;
    return self;
}

static void s_free_chain(queue_node_t *node, bool close_req)
{
    while (node) {
        queue_node_t *next = node->next;
        if (close_req)
            broker_req_close(&node->req);
        free(node);
        node = next;
    }
}

void queue_destroy(queue_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    queue_t *self = *self_p;
    s_free_chain(self->head, true);
    s_free_chain(self->free_list, false);
    free(self);
    *self_p = NULL;
}

size_t queue_depth(const queue_t *self)
{
    return self->depth;
}

size_t queue_max(const queue_t *self)
{
    return self->max;
}

static queue_node_t *s_node_get(queue_t *self, broker_req_t *req)
{
    queue_node_t *node = self->free_list;
    if (node)
        self->free_list = node->next;
    else
        node = broker_alloc(sizeof *node);
    node->prev = node->next = NULL;
    broker_req_init(&node->req);
    broker_req_move(&node->req, req);
    self->depth++;
    return node;
}

int queue_push(queue_t *self, broker_req_t *req)
{
    if (self->depth >= self->max)
        return -1;
    queue_node_t *node = s_node_get(self, req);
    node->prev = self->tail;
    if (self->tail)
        self->tail->next = node;
    else
        self->head = node;
    self->tail = node;
    return 0;
}

int queue_push_front(queue_t *self, broker_req_t *req)
{
    if (self->depth >= self->max)
        return -1;
    queue_node_t *node = s_node_get(self, req);
    node->next = self->head;
    if (self->head)
        self->head->prev = node;
    else
        self->tail = node;
    self->head = node;
    return 0;
}

queue_node_t *queue_first(queue_t *self)
{
    return self->head;
}

queue_node_t *queue_next(queue_node_t *node)
{
    return node->next;
}

const broker_req_t *queue_node_req(const queue_node_t *node)
{
    return &node->req;
}

void queue_take(queue_t *self, queue_node_t *node, broker_req_t *out)
{
    if (node->prev)
        node->prev->next = node->next;
    else
        self->head = node->next;
    if (node->next)
        node->next->prev = node->prev;
    else
        self->tail = node->prev;
    broker_req_move(out, &node->req);
    self->depth--;
    node->prev = NULL;
    node->next = self->free_list;
    self->free_list = node;
}
