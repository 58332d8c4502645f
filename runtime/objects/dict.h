/* dict.h - insertion-ordered hash tables.
 *
 * Layout as in CPython 3.6+: a dense array of entries in insertion order and
 * a sparse index table of slot numbers; deleting leaves a hole in the entry
 * array, compacted on resize. A dict owns references to its keys and values.
 * Lookups of interned str keys match by pointer before comparing.
 *
 * Lookups can run arbitrary code (a user __eq__ or __hash__), so a lookup may
 * fail with an exception: the "get" functions return NULL both when absent and
 * on error; check error_occurred() when the distinction matters.
 */
#ifndef TOY_DICT_H
#define TOY_DICT_H

#include "core/object.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/gc.h"
#include "objects/str.h"

typedef struct {
    Object *key;     /* NULL: deleted entry */
    Object *value;
    int64_t hash;
#ifdef TOY_FREE_THREADED
    uint32_t value_immortal; /* 1: `value` is immortal (dict_read_ref) */
#endif
} DictEntry;

typedef struct {
    Object base;
    size_t used;         /* live entries */
    size_t nentries;     /* entries used in the entry array, holes included
                            (toy-ft: stored atomically, for dict_read_hint) */
    size_t capacity;     /* entry array capacity */
    size_t usable;       /* new entries that fit before a resize: capacity -
                            nentries, less one for each entry popitem took
                            off the end (its index slot stays a dummy) */
    size_t index_size;   /* power of two */
    int64_t *index;      /* -1 empty, -2 dummy, else entry number */
    DictEntry *entries;
    uint64_t key_bits;   /* dict_key_bit of every key added since the
                            dict was made or cleared: a bit that is clear
                            says a key of that hash is absent (toy-ft:
                            written under the lock, read without it) */
    uint32_t version;    /* bumped on every change */
    uint32_t keys_version; /* 0, or a number no other dict has had, which
                              stays while the set of keys does: the inline
                              caches' guard (dict_keys_version) */
#ifdef TOY_FREE_THREADED
    uint32_t seq;        /* 0: read under the lock only; odd: readable
                            without it (dict_read_ref); even and not 0:
                            a change is under way */
#endif
} DictObject;

extern Type dict_type;

/* dict or a user subclass of it; is_dict_exact: dict itself. */
static inline bool is_dict(Object *o) { return is_builtin_instance(o, &dict_type); }
static inline bool is_dict_exact(Object *o) { return o->type == &dict_type; }
/* A dict, or a subclass that leaves __iter__ alone: its items may be read
   directly where CPython reads them so (**m, dict(m), d.update(m)); other
   mappings go through keys() and [] instead. */
static inline bool dict_is_plain_mapping(Object *o) {
    return is_dict(o) && o->type->iter == dict_type.iter;
}
static inline size_t dict_size(Object *d) { return ((DictObject *)d)->used; }
/* The same read under the dict's lock, for a dict other threads may be
   changing (toy-ft). */
size_t dict_size_locked(Object *d);

/* The bit of key_bits a key of this hash sets: one of 64, chosen by the
   hash's top bits (the index uses its low bits). */
static inline uint64_t dict_key_bit(int64_t hash) { return 1ull << ((uint64_t)hash >> 58); }

/* Does d surely lack every key of this hash (computed: not -1)? Without
   a probe: for the eval loop's "the instance dict does not shadow the
   class's method". false: it may hold one, look it up.
   toy-ft reads the bits without the dict's lock, one relaxed atomic load
   of one word; they are written under the lock only (dict.c,
   dict_note_key). Why the answer holds: a bit is set when a key of its
   hash is added, in the same hold of the lock, and cleared only by a
   clear once every entry is gone, so it is never clear while a key of
   that hash is in the dict. A clear bit therefore means that when it was
   read no such key was there, or one was being added by another thread
   at that moment: the check then counts as made before that insert,
   which it overlapped. A thread that learnt of an insert by any
   synchronisation (a lock, a join, a queue) reads the bit it set or a
   later value, never an earlier one. */
static inline bool dict_surely_lacks(Object *d, int64_t hash) {
#ifdef TOY_FREE_THREADED
    uint64_t bits = __atomic_load_n(&((DictObject *)d)->key_bits, __ATOMIC_RELAXED);
#else
    uint64_t bits = ((DictObject *)d)->key_bits;
#endif
    return (bits & dict_key_bit(hash)) == 0;
}

/* The probe order of a dict's index (CPython's): after slot i, the next
   slot on the path of the hash that perturb started as. Every lookup and
   insertion, in dict.c and beside the eval loop, walks this one path. */
enum { DICT_PERTURB_SHIFT = 5 };
static inline size_t dict_probe_next(size_t i, uint64_t *perturb, size_t mask) {
    *perturb >>= DICT_PERTURB_SHIFT;
    return (i * 5 + (size_t)*perturb + 1) & mask;
}

Object *dict_new(void);
/* Borrowed value or NULL (absent, or error: see error_occurred()). */
Object *dict_get_item(Object *d, Object *key);
Object *dict_get_item_cstr(Object *d, const char *key); /* interns key */
/* Borrowed lookup for str keys with a precomputed hash: the VM's fast path
   for globals and attributes. NULL if absent (never raises). */
Object *dict_get_str(Object *d, Object *str_key);
/* dict_get_str for an interned name whose first probe, at index slot i,
   found another key (the eval loop's inlined first probe): the probe path
   continued. Borrowed value or NULL (absent). Reads the tables without the
   lock: in toy-ft only while the calling thread is alone. */
Object *dict_get_str_from(Object *d, Object *name, size_t i);
/* The entry number of a str key, or -1 when absent; like dict_get_str,
   never runs user code nor raises. While dict_keys_version(d) stays the
   same, the key stays at that entry. */
int64_t dict_str_entry(Object *d, Object *str_key);
/* A number naming d's current set of keys: the same number as long as no
   key is added or removed (a value rebound keeps it), never reused by any
   dict; 0 when the numbers have run out. For the VM's inline caches. */
uint32_t dict_keys_version(Object *d);
/* d is read by every thread (a module's or a class's dict, the builtins),
   and nobody else holds it yet: marked shared by design
   (refcount_mark_shared), and in toy-ft readable without its lock from
   now on (dict_read_ref). */
void dict_mark_shared(Object *d);
/* Replace the value of the entry `ix` if its key is `key` (by pointer):
   1 done, 0 not that key (nothing changed). The value is borrowed. */
int dict_replace_at(Object *d, size_t ix, Object *key, Object *value);
/* The same as a swap, for STORE_ATTR's instance forms: the entry takes
   over the caller's reference to value and the old value's reference is
   handed back, for the caller to release last (its release may run
   __del__, which may read the dict or the caller's stack); NULL when entry
   ix does not hold key (nothing changed, value still the caller's). */
/* d is about to hold value, a container, and is not tracked yet. */
void dict_maybe_track(DictObject *d, Object *key, Object *value);
#ifdef TOY_FREE_THREADED
/* toy-ft's swap once threads run: under the dict's lock (dict.c). */
Object *dict_swap_at_locked(Object *d, size_t ix, Object *key, Object *value);
#endif

static inline Object *dict_swap_at(Object *dobj, size_t ix, Object *key, Object *value) {
#ifdef TOY_FREE_THREADED
    /* While one thread runs (the swap runs no Toy code, so none can start
       meanwhile), nothing can read the dict between these stores: they
       are the GIL build's, and seq stays as it is (threads that start
       later see the stores: pthread_create orders them before anything
       the new thread does). value_immortal becomes 0, "not known":
       a read without the lock then takes the lock, and the locked read
       sets it again for an immortal value (dict_get_str_ref). */
    if (!objlock_nocode_skips()) return dict_swap_at_locked(dobj, ix, key, value);
#endif
    DictObject *d = (DictObject *)dobj;
    if (ix >= d->nentries || d->entries[ix].key != key) return NULL;
    if (__builtin_expect((TYPE(value)->flags & TYPE_GC) && !gc_tracked_already(dobj), 0))
        dict_maybe_track(d, key, value);
    d->version++;
    Object *old = d->entries[ix].value;
    d->entries[ix].value = value;
#ifdef TOY_FREE_THREADED
    d->entries[ix].value_immortal = 0;
#endif
    return old;
}
/* d[key] = value for an attribute name (an exact str, hash cached) that is
   usually absent: a new entry without a call when the probe path is clear,
   else dict_set_item. 0 / -1 with the error set. */
int dict_add_str(Object *d, Object *key, Object *value);
/* The same two lookups returning a NEW reference, taken under the dict's
   lock: what the free-threaded build (toy-ft) uses where another thread may
   replace the value and release it at any moment (globals, attributes). */
Object *dict_get_str_ref(Object *d, Object *str_key);
Object *dict_get_item_ref(Object *d, Object *key);
#ifdef TOY_FREE_THREADED
/* toy-ft: lock-free reads of the dicts of modules and classes (marked
   shared by design, dict_mark_shared), for LOAD_GLOBAL and LOAD_NAME
   (docs/internals.md, 5b, "Lock-free reads of module and class dicts").
   A sequence lock: writers, who still hold the dict's stripe, make `seq`
   even (and not 0) while they change the dict and odd again after; a
   reader notes an odd `seq`, reads the tables and the entry with atomic
   loads, and trusts what it read only if `seq` has not moved meanwhile.
   Tables a resize or clear replaces are kept until no thread can be
   reading them (dict_free_retired).
   Returns 1 with *value set when key (an interned str with its hash
   computed) is there and its entry says the value is immortal: it is
   never freed while threads run, so the reader needs no reference (and
   counts none: an immortal's count is never written); 0 when key is
   certainly absent; -1 when only the locked lookup can tell (a dict not
   read this way, a change under way, a value not known to be immortal, a
   key equal by text but not by pointer). The value's own header is never
   read here: another thread may free a mortal value at any moment. */
static inline __attribute__((always_inline)) int dict_read_ref(Object *dobj, Object *key,
                                                             Object **value) {
    DictObject *d = (DictObject *)dobj;
    uint32_t seq = __atomic_load_n(&d->seq, __ATOMIC_ACQUIRE);
    int64_t hash = str_hash_cached(key);
    if (!(seq & 1) || hash == -1) return -1;
    int64_t *index = __atomic_load_n(&d->index, __ATOMIC_ACQUIRE);
    DictEntry *entries = __atomic_load_n(&d->entries, __ATOMIC_ACQUIRE);
    size_t index_size = __atomic_load_n(&d->index_size, __ATOMIC_ACQUIRE);
    size_t capacity = __atomic_load_n(&d->capacity, __ATOMIC_ACQUIRE);
    /* The tables and their size belong together only if seq is unchanged.
       Every load here is an acquire, so the next load of seq cannot move
       before any of them (no fences: ThreadSanitizer does not model them). */
    if (__atomic_load_n(&d->seq, __ATOMIC_RELAXED) != seq) return -1;
    Object *found = NULL;
    uint32_t immortal = 0;
    if (index != NULL) {
        size_t mask = index_size - 1;
        uint64_t perturb = (uint64_t)hash;
        size_t i = (size_t)hash & mask;
        for (size_t probes = 0;; probes++) {
            int64_t ix = __atomic_load_n(&index[i], __ATOMIC_ACQUIRE);
            if (ix == -1) break; /* an empty slot: absent */
            if (ix >= 0) {
                if ((size_t)ix >= capacity) return -1; /* read while it changed */
                DictEntry *e = &entries[ix];
                if (__atomic_load_n(&e->key, __ATOMIC_ACQUIRE) == key) {
                    found = __atomic_load_n(&e->value, __ATOMIC_ACQUIRE);
                    immortal = __atomic_load_n(&e->value_immortal, __ATOMIC_ACQUIRE);
                    break;
                }
                if (__atomic_load_n(&e->hash, __ATOMIC_ACQUIRE) == hash) return -1;
            }
            if (probes > mask) return -1; /* slots changing under the probe */
            i = dict_probe_next(i, &perturb, mask);
        }
    }
    if (__atomic_load_n(&d->seq, __ATOMIC_RELAXED) != seq) return -1;
    if (found == NULL) return 0;
    if (!immortal) return -1;
    *value = found;
    return 1;
}
/* A new reference to the value of key (an interned str) in the dict of a
   module or class, or NULL when absent: without the lock where dict_read_ref
   can answer (an immortal value needs no reference taken), else under it
   (dict_get_str_ref). */
static inline Object *dict_read_str_ref(Object *d, Object *key) {
    Object *v;
    int found = dict_read_ref(d, key, &v);
    if (found >= 0) return found ? v : NULL;
    return dict_get_str_ref(d, key);
}
/* The same kind of read for the VM's inline caches, which remember an
   entry number under a keys version (dict_keys_version): 1 with *value set
   when d's keys version is still `version` and entry ix holds an immortal
   value (no reference needed), -1 when only the locked read can tell. A
   dict whose keys version is `version` has the cached key at entry ix. */
static inline __attribute__((always_inline)) int dict_read_entry(Object *dobj, uint32_t version,
                                                               size_t ix, Object **value) {
    DictObject *d = (DictObject *)dobj;
    uint32_t seq = __atomic_load_n(&d->seq, __ATOMIC_ACQUIRE);
    if (!(seq & 1) || __atomic_load_n(&d->keys_version, __ATOMIC_ACQUIRE) != version)
        return -1;
    DictEntry *entries = __atomic_load_n(&d->entries, __ATOMIC_ACQUIRE);
    size_t capacity = __atomic_load_n(&d->capacity, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&d->seq, __ATOMIC_RELAXED) != seq || ix >= capacity) return -1;
    Object *found = __atomic_load_n(&entries[ix].value, __ATOMIC_ACQUIRE);
    uint32_t immortal = __atomic_load_n(&entries[ix].value_immortal, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&d->seq, __ATOMIC_RELAXED) != seq || found == NULL || !immortal)
        return -1;
    *value = found;
    return 1;
}
/* The same kind of read for an instance dict's attribute (the eval loop's
   LOAD_ATTR_INSTANCE), at the entry number its cache holds as a hint: 1
   with *value set when entry ix holds key and an immortal value, -1 when
   only the locked read can tell (a hint that misses, a mortal value). The
   tables' pointer, capacity and entry count are read together under one
   seq, so ix below that count names an entry written in full: an entry
   past it may hold what an earlier dict left in the same memory. A mortal
   value costs these few loads before the lock, where a probe of the index
   (dict_read_ref) cost a hash probe as well. */
static inline __attribute__((always_inline)) int dict_read_hint(Object *dobj, size_t ix,
                                                              Object *key, Object **value) {
    DictObject *d = (DictObject *)dobj;
    uint32_t seq = __atomic_load_n(&d->seq, __ATOMIC_ACQUIRE);
    if (!(seq & 1)) return -1;
    DictEntry *entries = __atomic_load_n(&d->entries, __ATOMIC_ACQUIRE);
    size_t capacity = __atomic_load_n(&d->capacity, __ATOMIC_ACQUIRE);
    size_t nentries = __atomic_load_n(&d->nentries, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&d->seq, __ATOMIC_RELAXED) != seq || ix >= nentries ||
        nentries > capacity)
        return -1;
    DictEntry *e = &entries[ix];
    if (__atomic_load_n(&e->key, __ATOMIC_ACQUIRE) != key ||
        !__atomic_load_n(&e->value_immortal, __ATOMIC_ACQUIRE))
        return -1;
    Object *found = __atomic_load_n(&e->value, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&d->seq, __ATOMIC_RELAXED) != seq) return -1;
    *value = found;
    return 1;
}
/* Whether d's keys version is `version`, read the same way: 1 yes, 0 no,
   -1 only the locked read can tell. */
static inline __attribute__((always_inline)) int dict_read_keys_version(Object *dobj,
                                                                      uint32_t version) {
    DictObject *d = (DictObject *)dobj;
    uint32_t seq = __atomic_load_n(&d->seq, __ATOMIC_ACQUIRE);
    if (!(seq & 1)) return -1;
    bool same = __atomic_load_n(&d->keys_version, __ATOMIC_ACQUIRE) == version;
    if (__atomic_load_n(&d->seq, __ATOMIC_RELAXED) != seq) return -1;
    return same;
}
/* After a read under d's lock of entry ix, whose value v the reader now
   holds a reference to: note in the entry that v is immortal, so that the
   next read needs no lock. Once threads run, a value created to be shared
   (a function, class, module or built-in, refcount_mark_shared) read from
   a dict created to be shared (a module's, a class's, the builtins) is
   made immortal first, as the first reference another thread took to it
   would make it: a program that has started a thread would otherwise lock
   the module's dict at each call of a function only this thread has used
   so far (fib.toy 1.38x the time with threads started, against 1.04x).
   And such a dict that no change under the lock has made readable yet
   becomes readable now (seq 1: "no change under way"). */
static inline void dict_read_settle(DictObject *d, size_t ix, Object *v) {
    if (d->entries[ix].value_immortal) return;
    bool shared_now = !ts_single_threaded() && refcount_is_shared_by_design((Object *)d);
    if (shared_now && !refcount_is_immortal(v) && refcount_is_shared_by_design(v))
        refcount_immortalize(v);
    if (!refcount_is_immortal(v)) return;
    __atomic_store_n(&d->entries[ix].value_immortal, 1u, __ATOMIC_RELEASE);
    if (shared_now && d->seq == 0) __atomic_store_n(&d->seq, 1u, __ATOMIC_RELEASE);
}
/* The same after an attribute read under the lock of an instance dict
   (the eval loop's LOAD_ATTR_INSTANCE, once threads run), which nothing
   marks shared: an immortal value makes the dict readable without the
   lock from now on, so that the next read of that attribute, by any
   thread, is a few loads (dict_read_hint) instead of a compare-and-swap.
   A dict whose attributes are all mortal stays seq 0: its writes skip the
   sequence and a resize frees its old tables at once, where a readable
   dict's are kept until the world stops (dict_release_tables). Not while
   the stripe is held more than once: a change of this dict may be under
   way outside (a key's __eq__ that read the attribute), begun with seq 0,
   which dict_write_begin left alone, and it would end with seq 1, as if
   no change had happened. */
static inline void dict_read_settle_attr(DictObject *d, size_t ix, Object *v) {
    if (!refcount_is_immortal(v)) return;
    if (!d->entries[ix].value_immortal)
        __atomic_store_n(&d->entries[ix].value_immortal, 1u, __ATOMIC_RELEASE);
    if (d->seq == 0 && objlock_stripe(d)->depth == 0)
        __atomic_store_n(&d->seq, 1u, __ATOMIC_RELEASE);
}

/* Free the tables kept for lock-free readers: called with every other
   thread parked or in a blocking call (a collection's stopped world, the
   exit), when none can be reading them. */
void dict_free_retired(void);
#else
static inline void dict_free_retired(void) {}
#endif

/* 0 ok, -1 error. Both borrowed (INCREF'd). */
int dict_set_item(Object *d, Object *key, Object *value);
int dict_set_item_cstr(Object *d, const char *key, Object *value);
/* 0 ok, -1 error; KeyError when absent and raise_missing, else returns 1 when absent. */
int dict_del_item(Object *d, Object *key, bool raise_missing);
/* del d[key] only if d[key] is value, found and removed as one step: 1 when
   removed, 0 when absent or another value, -1 error. */
int dict_del_item_if_is(Object *d, Object *key, Object *value);
void dict_clear(Object *d);
/* Iterate: start with *pos = 0; returns true and borrowed key/value while
   entries remain. The dict must not change during the walk. */
bool dict_next(Object *d, size_t *pos, Object **key, Object **value);
/* The same with new references to the key and the value, taken under the
   dict's lock: for a walk of a dict that code run during the walk, or
   another thread (toy-ft), may change. Entries added or removed meanwhile
   may be seen or missed, as in the GIL build; none is seen freed. */
bool dict_next_ref(Object *d, size_t *pos, Object **key, Object **value);
Object *dict_copy(Object *d);
/* d.update(other): other is a dict or an iterable of pairs. */
int dict_update(Object *d, Object *other);
Object *dict_keys_list(Object *d);

/* ---- Added by the containers module ---- */

/* The views d.keys(), d.values(), d.items() and the iterators over a dict
   (iter(d), iter(view), reversed(d)). */
extern Type dict_keys_type, dict_values_type, dict_items_type;
extern Type dict_keyiterator_type, dict_valueiterator_type, dict_itemiterator_type;
extern Type dict_reversekeyiterator_type, dict_reversevalueiterator_type,
    dict_reverseitemiterator_type;

/* reversed(o) for a dict (its keys, last inserted first) or one of its views.
   NULL without an exception when o is none of these. */
Object *dict_reversed_iter(Object *o);
/* Install dict.fromkeys (a class method: MyDict.fromkeys makes a MyDict) in
   dict_type's dict. Call once after type_ready(&dict_type). 0 / -1. */
int dict_install_fromkeys(void);

#endif
