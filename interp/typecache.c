/* typecache.c - remembered method lookups along a class's MRO (typecache.h). */
#include "interp/typecache.h"

#include <stdatomic.h>
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

/* One table that needs no allocation, taken by the first thread to look a
   method up (most often the only one) and given back when it clears it:
   zero pages of its own, where an allocated table is 96 KiB written with
   zeros. Every other thread allocates its own. */
static TypeCacheEntry typecache_static[TYPECACHE_SIZE];
static atomic_bool typecache_static_taken;

TypeCacheEntry *typecache_make_mine(void)
{
    if (!atomic_exchange_explicit(&typecache_static_taken, true, memory_order_acquire))
        typecache_mine = typecache_static;
    else
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
    if (table == typecache_static)
        atomic_store_explicit(&typecache_static_taken, false, memory_order_release);
    else
        mem_free(table, TYPECACHE_SIZE * sizeof(TypeCacheEntry));
#endif
}
