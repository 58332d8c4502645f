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
 * Used only while quickening is on (the GIL build, not under --no-gil):
 * the table is shared by all threads and written without a lock.
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

extern TypeCacheEntry typecache[TYPECACHE_SIZE];

/* The entry for (tag, name), whatever it holds now. */
static inline TypeCacheEntry *typecache_entry(uint32_t tag, Object *name)
{
    uint64_t h = (uint64_t)((StrObject *)name)->hash ^ ((uint64_t)tag * 0x9e3779b97f4a7c15u);
    return &typecache[(h >> 20) & (TYPECACHE_SIZE - 1)];
}

/* Remember that t (whose tag is tag) answers name with value. */
void typecache_store(TypeCacheEntry *e, uint32_t tag, Object *name, Object *value);

/* Release the names the table holds (at exit). */
void typecache_clear(void);

#endif
