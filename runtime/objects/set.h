/* set.h - set and frozenset: unordered collections of distinct hashable
 * objects, one open-addressing hash table shared by both types.
 *
 * The table is an array of (key, hash) slots: key NULL is a never-used slot,
 * key SET_DUMMY a deleted one. Its size, growth and probe sequence follow the
 * rules CPython's sets use, so that iterating a set of small ints (which hash
 * to themselves) yields the same order as python3 does. Sets of up to four
 * items live in a table inside the object itself; bigger ones allocate it.
 *
 * Like dict lookups, set lookups can run user code (__eq__, __hash__), so
 * every operation may fail with an exception.
 */
#ifndef TOY_SET_H
#define TOY_SET_H

#include "core/object.h"
#include "core/objlock.h"
#ifdef TOY_FREE_THREADED
#include "objects/int.h"
#endif

enum { SET_MINSIZE = 8 };

typedef struct {
    Object *key;   /* NULL: never used; set_dummy_key: deleted; else owned */
    int64_t hash;  /* the key's hash; -1 for a deleted slot, 0 for an unused one */
} SetEntry;

typedef struct {
    Object base;
    size_t fill;    /* live + deleted slots */
    size_t used;    /* live slots */
    size_t mask;    /* table size - 1 (the size is a power of two) */
    SetEntry *table;  /* `small`, or a mem_alloc'd array of mask + 1 slots */
    size_t finger;  /* where pop() starts looking */
    int64_t hash;   /* frozenset: cached hash, -1 until computed */
    SetEntry small[SET_MINSIZE];
} SetObject;

extern Type set_type, frozenset_type, set_iterator_type;

/* set / frozenset or a user subclass of it; the _exact forms: the type itself. */
static inline bool is_set(Object *o) { return is_builtin_instance(o, &set_type); }
static inline bool is_frozenset(Object *o) { return is_builtin_instance(o, &frozenset_type); }
static inline bool is_set_exact(Object *o) { return o->type == &set_type; }
static inline bool is_frozenset_exact(Object *o) { return o->type == &frozenset_type; }
static inline bool is_anyset(Object *o) { return is_set(o) || is_frozenset(o); }
/* The number of keys, read under the set's lock (toy-ft). */
static inline size_t set_size(Object *s) {
    objlock_lock(s);
    size_t n = ((SetObject *)s)->used;
    objlock_unlock(s);
    return n;
}

/* set(iterable) / frozenset(iterable); iterable may be NULL (empty). */
Object *set_new(Object *iterable);
Object *frozenset_new(Object *iterable);
/* s.add(key): 0 / -1. */
int set_add(Object *s, Object *key);
/* key in s: 1 / 0 / -1 (a set key is looked up as a frozenset, as Python does). */
int set_contains(Object *s, Object *key);
#ifdef TOY_FREE_THREADED
/* set_contains for an exact int key of 0 up to 2**61 - 2 (its own hash)
   while the thread is alone: the probe with neither the lock nor the
   key's tests again. */
int set_contains_int_alone(Object *s, Object *key, int64_t hash);
/* The start of set_contains, inline for toy-ft's `in` in the eval loop: s
   an exact set or frozenset, key an exact int of 0 up to 2**61 - 2, looked
   up in the one slot its hash picks, while the thread is alone
   (objlock_nocode_skips: no lock needed). The key there, or a slot never
   used, settles it; a probe further on (a slot taken by another key or
   left by a removed one) goes on in set_contains_int_alone, and any other
   key, or threads running, to set_contains. Always inlined: a call here
   cost more than the probe on sets whose removals leave most first slots
   unsettled. Runs no Toy code. */
static inline __attribute__((always_inline)) int set_contains_inline(Object *s, Object *key) {
    if (TYPE(key) != &int_type || !int_is_small(key) || !objlock_nocode_skips())
        return set_contains(s, key);
    int64_t v = int_value(key);
    if (v < 0 || v >= ((int64_t)1 << 61) - 1) return set_contains(s, key);
    SetObject *so = (SetObject *)s;
    const SetEntry *e = &so->table[(size_t)v & so->mask];
    Object *stored = e->key;
    if (stored == NULL) return 0;
    if (stored == key ||
        (e->hash == v && TYPE(stored) == &int_type && int_is_small(stored) && int_value(stored) == v))
        return 1;
    return set_contains_int_alone(s, key, v);
}
#else
/* The GIL build calls set_contains: the inline step above made gcc lay
   out its eval loop differently, costing other benchmarks (fib +0.3%
   instructions) more than `in` gained. */
static inline int set_contains_inline(Object *s, Object *key) { return set_contains(s, key); }
#endif
/* s.update(iterable): 0 / -1. */
int set_update(Object *s, Object *iterable);
/* s OP= other for the set operators | & - ^ with any iterable other (the
   update methods): 0 / -1. Used by the dict views' set operations. */
int set_update_op(Object *s, Object *other, BinaryOp op);
/* Walk the live keys: start with *pos = 0; borrowed key. The set must not
   change during the walk. */
bool set_next(Object *s, size_t *pos, Object **key, int64_t *hash);

#endif
