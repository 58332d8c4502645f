/* typecache.c - remembered method lookups along a class's MRO (typecache.h). */
#include "interp/typecache.h"

#include <stdbool.h>

#include "core/alloc.h"
#include "core/refcount.h"

#ifndef TOY_FREE_THREADED
TypeCacheEntry typecache[TYPECACHE_SIZE];

/* Whether anything was stored: most short programs never do, and need not
   pay for the walk at exit. */
static bool typecache_used;
#else
_Thread_local TypeCacheEntry *typecache_mine;

TypeCacheEntry *typecache_make_mine(void)
{
    typecache_mine = mem_alloc_zeroed(TYPECACHE_SIZE * sizeof(TypeCacheEntry));
    return typecache_mine;
}
#endif

void typecache_store(TypeCacheEntry *e, uint32_t tag, Object *name, Object *value)
{
    Object *old = e->name;
#ifndef TOY_FREE_THREADED
    typecache_used = true;
#endif
    INCREF(name);
    e->tag = tag;
    e->name = name;
    e->value = value;
    XDECREF(old); /* a str: frees nothing else, runs no code */
}

void typecache_clear(void)
{
#ifndef TOY_FREE_THREADED
    if (!typecache_used)
        return;
    TypeCacheEntry *table = typecache;
#else
    TypeCacheEntry *table = typecache_mine;
    if (table == NULL)
        return;
    typecache_mine = NULL;
#endif
    for (size_t i = 0; i < TYPECACHE_SIZE; i++) {
        table[i].tag = 0;
        CLEAR(&table[i].name);
    }
#ifdef TOY_FREE_THREADED
    mem_free(table, TYPECACHE_SIZE * sizeof(TypeCacheEntry));
#endif
}
