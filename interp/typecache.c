/* typecache.c - remembered method lookups along a class's MRO (typecache.h). */
#include "interp/typecache.h"

#include <stdbool.h>

#include "core/refcount.h"

TypeCacheEntry typecache[TYPECACHE_SIZE];

/* Whether anything was stored: most short programs never do, and need not
   pay for the walk at exit. */
static bool typecache_used;

void typecache_store(TypeCacheEntry *e, uint32_t tag, Object *name, Object *value)
{
    Object *old = e->name;
    typecache_used = true;
    INCREF(name);
    e->tag = tag;
    e->name = name;
    e->value = value;
    XDECREF(old); /* a str: frees nothing else, runs no code */
}

void typecache_clear(void)
{
    if (!typecache_used)
        return;
    for (size_t i = 0; i < TYPECACHE_SIZE; i++) {
        typecache[i].tag = 0;
        CLEAR(&typecache[i].name);
    }
}
