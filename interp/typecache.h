/* typecache.h - remembered method lookups along a class's MRO.
 *
 * The generic LOAD_METHOD (a site that sees instances of several classes,
 * so its inline cache does not hold) looks the name up along the MRO of
 * the instance's class every time. This table remembers the answer (the
 * object found, or NULL for none) under the class's version tag and the
 * name. An entry is valid while the class keeps that tag: tags are never
 * handed out twice, and a change to any dict along the MRO drops the tag
 * (objects/typeversion.h), so a stale entry never matches again. The value
 * is borrowed from a class dict that still holds it while the tag holds;
 * the entry keeps a reference to its name, so the pointer compared is
 * never a freed-and-reused one.
 *
 * Used only while quickening is on. The GIL build (not under --no-gil)
 * has one table, written without a lock. toy-ft gives each thread a table
 * of its own, made on first use and freed when the thread ends, so no
 * entry is written by two threads; it keeps only values that cannot be
 * freed while a stale tag still matches (immortal ones: specialize.h's
 * specialize_keep_borrowed).
 */
#ifndef TOY_TYPECACHE_H
#define TOY_TYPECACHE_H

#include <stdint.h>

#include "core/object.h"
#include "objects/str.h"

#define TYPECACHE_SIZE 4096

typedef struct {
    uint32_t tag; /* 0: empty */
    Object *name; /* a reference */
    Object *value; /* borrowed; NULL: the MRO does not have the name */
} TypeCacheEntry;

#ifndef TOY_FREE_THREADED
extern TypeCacheEntry typecache[TYPECACHE_SIZE];

/* The table this thread uses. */
static inline TypeCacheEntry *typecache_table(void)
{
    return typecache;
}
#else
extern _Thread_local TypeCacheEntry *typecache_mine;
TypeCacheEntry *typecache_make_mine(void);

/* The table this thread uses (NULL if it could not be made). */
static inline TypeCacheEntry *typecache_table(void)
{
    TypeCacheEntry *t = typecache_mine;
    return t != NULL ? t : typecache_make_mine();
}
#endif

/* The entry of table for (tag, name), whatever it holds now. */
static inline TypeCacheEntry *typecache_entry(TypeCacheEntry *table, uint32_t tag, Object *name)
{
    uint64_t h = (uint64_t)str_hash_cached(name) ^ ((uint64_t)tag * 0x9e3779b97f4a7c15u);
    return &table[(h >> 20) & (TYPECACHE_SIZE - 1)];
}

/* Remember that t (whose tag is tag) answers name with value. */
void typecache_store(TypeCacheEntry *e, uint32_t tag, Object *name, Object *value);

/* Release the names this thread's table holds (at exit, and in toy-ft
   when a thread ends). */
void typecache_clear(void);

#endif
