/*
 * depot.c - stack trie: node i = (parent, pc).  Lookup by (parent, pc) through an open
 * addressing hash of node ids, resized at half load.  depot.lock guards everything.
 */
#include "depot.h"

#include <string.h>

#include "../runtime/rt.h"
#include "vclock.h"

typedef struct depot_node {
    uintptr_t pc;
    uint32_t parent;
} depot_node;

static struct {
    uint32_t lock;
    depot_node *nodes;   /* nodes[0] is the root */
    uint32_t n, cap;
    uint32_t *table;     /* node ids, 0 = empty slot */
    uint32_t tcap;       /* power of two */
} depot;

static inline uint32_t depot_hash(uint32_t parent, uintptr_t pc)
{
    uint64_t h = (pc ^ ((uint64_t)parent << 32 | parent)) * 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> 32);
}

static void depot_rehash(void)
{
    uint32_t tcap = depot.tcap ? depot.tcap * 2 : 1024;
    uint32_t *t = race_malloc(tcap * sizeof *t);
    memset(t, 0, tcap * sizeof *t);
    for (uint32_t id = 1; id < depot.n; id++) {
        uint32_t h = depot_hash(depot.nodes[id].parent, depot.nodes[id].pc) & (tcap - 1);
        while (t[h])
            h = (h + 1) & (tcap - 1);
        t[h] = id;
    }
    race_free(depot.table);
    depot.table = t;
    depot.tcap = tcap;
}

uint32_t depot_intern(uint32_t parent, uintptr_t pc)
{
    rt_lock(&depot.lock);
    if (RT_UNLIKELY(!depot.n)) {
        depot.cap = 1024;
        depot.nodes = race_malloc(depot.cap * sizeof *depot.nodes);
        depot.nodes[0] = (depot_node){0, 0};
        depot.n = 1;
    }
    if ((depot.n + 1) * 2 > depot.tcap)
        depot_rehash();
    uint32_t h = depot_hash(parent, pc) & (depot.tcap - 1), id;
    while ((id = depot.table[h])) {
        if (depot.nodes[id].pc == pc && depot.nodes[id].parent == parent)
            goto out;
        h = (h + 1) & (depot.tcap - 1);
    }
    if (depot.n == depot.cap) {
        depot.cap *= 2;
        depot.nodes = race_realloc(depot.nodes, depot.cap * sizeof *depot.nodes);
    }
    id = depot.n++;
    depot.nodes[id] = (depot_node){pc, parent};
    depot.table[h] = id;
out:
    rt_unlock(&depot.lock);
    return id;
}

int depot_unwind(uint32_t id, uintptr_t *pcs, int max)
{
    int n = 0;
    rt_lock(&depot.lock);
    while (id && id < depot.n && n < max) {
        pcs[n++] = depot.nodes[id].pc;
        id = depot.nodes[id].parent;
    }
    rt_unlock(&depot.lock);
    return n;
}
