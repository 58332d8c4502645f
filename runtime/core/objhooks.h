/* objhooks.h - one byte saying whether a rarely-used hook watches objects
 * being allocated and freed.
 *
 * Four things may want to see every allocation and release: the object
 * counts of --stats (core/alloc.h), --stats=types (core/typestats.h), the
 * race detector (core/race.h, --no-gil) and the cycle collector's lock
 * (core/gchead.h, --no-gil). Each is off in an ordinary run. Rather than test three flags on every object_alloc,
 * object_free and object_dealloc, these test this one byte: zero, the
 * common case, costs one test and a branch that is never taken; non-zero
 * takes a slow path (objects/object.c) that asks each hook.
 *
 * Each bit is set once at start-up, before a second thread exists, by the
 * code that turns its hook on (mem_count_enable, typestats_enable,
 * race_enable, gc_head_init)
 * and never cleared, so reading it needs no lock, with the GIL or without.
 */
#ifndef TOY_OBJHOOKS_H
#define TOY_OBJHOOKS_H

enum {
    OBJHOOK_TYPESTATS = 1,  /* --stats=types: typestats_alloc / typestats_free */
    OBJHOOK_RACE = 2,       /* the race detector: race_dealloc / race_quarantine */
    OBJHOOK_GC_LOCKING = 4, /* --no-gil: the generation lists are changed under a lock */
    OBJHOOK_COUNT = 8,      /* --stats: mem_count_object_alloc / mem_count_object_free */
};

extern unsigned char object_hooks;

static inline void object_hooks_set(unsigned char bit) { object_hooks |= bit; }

#endif
