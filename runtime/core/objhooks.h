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
 * The one exception, OBJHOOK_KEEP_AT_EXIT, is set and cleared at exit by
 * biased_release_immortals (toy-ft), when only the main thread is left.
 */
#ifndef TOY_OBJHOOKS_H
#define TOY_OBJHOOKS_H

enum {
    OBJHOOK_TYPESTATS = 1,  /* --stats=types: typestats_alloc / typestats_free */
    OBJHOOK_RACE = 2,       /* the race detector: race_dealloc / race_quarantine */
    OBJHOOK_GC_LOCKING = 4, /* --no-gil: the generation lists are changed under a lock */
    OBJHOOK_COUNT = 8,      /* --stats: mem_count_object_alloc / mem_count_object_free */
    OBJHOOK_KEEP_AT_EXIT = 16, /* toy-ft, at exit: blocks of immortalised objects are kept */
};

extern unsigned char object_hooks;

static inline void object_hooks_set(unsigned char bit) { object_hooks |= bit; }
/* Only OBJHOOK_KEEP_AT_EXIT is cleared again: set and cleared around the
   release of toy-ft's immortals at exit, when only the main thread runs. */
static inline void object_hooks_clear(unsigned char bit) { object_hooks &= (unsigned char)~bit; }

#endif
