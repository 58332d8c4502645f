/* set.c - set, frozenset and the set iterator.
 *
 * One implementation serves both types (frozenset is set without the
 * mutating methods, plus a hash). The table (see set.h) is an array of
 * (key, hash) slots, a power of two in size, at least SET_MINSIZE.
 *
 * Invariants:
 *   - table == small (SET_MINSIZE slots inside the object) or a mem_alloc'd
 *     array of mask + 1 slots.
 *   - Unused slots are {NULL, 0}; deleted ones {SET_DUMMY, -1}; live ones own
 *     a reference to their key. No live key has hash -1 (that is an error
 *     code), so comparing hashes never matches a deleted slot.
 *   - fill (live + deleted) * 5 < mask * 3 after every insertion: the table
 *     keeps unused slots, so every probe ends.
 *
 * Why mirror CPython's layout rules: a set's iteration order is its slot
 * order, and Python programs print sets. Small ints hash to themselves, so
 * with the same table sizes, the same growth points (grow when 3/5 full, to
 * the first power of two above 4 * used), the same probe sequence (a run of
 * up to ten neighbouring slots, then the perturbed recurrence
 * i = 5 * i + 1 + perturb) and the same algorithm for each operation (which
 * set is walked, which is probed, when tables are pre-sized), `print(s)`
 * shows the same order as python3.
 *
 * Comparing keys can run Python code (__eq__) that mutates the set being
 * probed. A probe that called out checks that the table and the slot are
 * still the ones it was looking at, and restarts otherwise; walks over a set
 * re-read the table at every step and hold a reference to the current key.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/iterstate.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/set.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "objects/weakref.h"

#define AS_SET(o) ((SetObject *)(o))

enum {
    SET_LINEAR_PROBES = 9, /* slots after the first one probed before jumping */
    SET_PERTURB_SHIFT = 5,
};

/* The key of a deleted slot. Only its address is used. */
static Object set_dummy_object;
#define SET_DUMMY (&set_dummy_object)

static inline bool set_live(const SetEntry *e) { return e->key && e->key != SET_DUMMY; }

/* 2**61 - 1: an int's hash is its value reduced modulo this (int.c). */
#define SET_INT_HASH_MODULUS (((int64_t)1 << 61) - 1)

static inline int64_t set_hash_of(Object *key) {
    if (TYPE(key) == &int_type && int_is_small(key)) { /* hash(v) == v, but -1 */
        int64_t v = int_value(key);
        if (v > -SET_INT_HASH_MODULUS && v < SET_INT_HASH_MODULUS) return v == -1 ? -2 : v;
    }
    if (is_str_exact(key)) { /* a subclass may define __hash__ */
        int64_t h = str_hash_cached(key);
        return h != -1 ? h : str_hash(key);
    }
    return object_hash(key);
}

/* Equality of a stored key and a probe key of the same hash, without user
   code for the common key types: 1 / 0, or -2 when the generic comparison
   is needed. */
static inline int set_keys_equal_fast(Object *stored, Object *key) {
    if (is_str_exact(stored) && is_str_exact(key)) return str_equal_same_hash(stored, key);
    if (TYPE(stored) == &int_type && TYPE(key) == &int_type)
        return int_equal(stored, key);
    return -2;
}

/* ---- Table --------------------------------------------------------------- */

/* A key whose comparison with a stored key of its own type runs no user
   code: an exact int or an exact str. */
static inline bool set_key_is_plain(Object *key) {
    return TYPE(key) == &int_type || is_str_exact(key);
}

/* One slot of set_find_plain's probe: SET_PROBE_ON to go on to the next
   slot, else set_find_plain's answer (*slot set for 0 and 1). */
enum { SET_PROBE_ON = 2 };
static inline __attribute__((always_inline)) int
set_probe_slot(SetEntry *e, Object *key, int64_t hash, SetEntry **slot, bool want_free,
               SetEntry **free_slot) {
    Object *stored = e->key;
    if (!stored) {
        *slot = *free_slot ? *free_slot : e;
        return 0;
    }
    if (e->hash == hash) {
        int eq = stored == key ? 1 : set_keys_equal_fast(stored, key);
        if (eq == -2) return -2;
        if (eq) {
            *slot = e;
            return 1;
        }
    } else if (want_free && stored == SET_DUMMY) {
        *free_slot = e;
    }
    return SET_PROBE_ON;
}

/* set_find for a plain key, in a loop that cannot call out: no restart, and
   the deleted slots are only watched when want_free (an insertion needs the
   last one on the path; a lookup does not). Returns -2 when a stored key of
   another type has the same hash (1 and 1.0, or a subclass with __eq__):
   the caller then uses set_find, which compares them the general way. */
static inline __attribute__((always_inline)) int
set_find_plain(SetObject *so, Object *key, int64_t hash, SetEntry **slot, bool want_free) {
    SetEntry *table = so->table;
    size_t mask = so->mask;
    size_t i = (size_t)hash & mask;
    uint64_t perturb = (uint64_t)hash;
    SetEntry *free_slot = NULL;
    for (;;) {
        SetEntry *e = &table[i];
        int r;
        if (i + SET_LINEAR_PROBES <= mask) {
#pragma GCC unroll 10
            for (int k = 0; k <= SET_LINEAR_PROBES; k++) {
                r = set_probe_slot(e + k, key, hash, slot, want_free, &free_slot);
                if (r != SET_PROBE_ON) return r;
            }
        } else {
            r = set_probe_slot(e, key, hash, slot, want_free, &free_slot);
            if (r != SET_PROBE_ON) return r;
        }
        perturb >>= SET_PERTURB_SHIFT;
        i = (i * 5 + 1 + (size_t)perturb) & mask;
    }
}

/* Find key. 1: present, *slot is its slot. 0: absent, *slot is where to
   insert it (the last deleted slot on the probe path, else the unused one
   that ended it). -1: error. */
static int set_find(SetObject *so, Object *key, int64_t hash, SetEntry **slot) {
restart:;
    SetEntry *table = so->table;
    size_t mask = so->mask;
    size_t i = (size_t)hash & mask;
    uint64_t perturb = (uint64_t)hash;
    SetEntry *free_slot = NULL;
    for (;;) {
        SetEntry *e = &table[i];
        size_t run = i + SET_LINEAR_PROBES <= mask ? SET_LINEAR_PROBES : 0;
        for (size_t k = 0; k <= run; k++, e++) {
            if (!e->key) {
                *slot = free_slot ? free_slot : e;
                return 0;
            }
            if (e->hash == hash) {
                Object *stored = e->key;
                int eq = stored == key ? 1 : set_keys_equal_fast(stored, key);
                if (eq == -2) {
                    /* __eq__ may change so, and other threads may meanwhile
                       in toy-ft (the stripe let go: objlock_suspend); start
                       over when the table moved or this entry changed. */
                    INCREF(stored);
                    bool suspended = objlock_suspend(so);
                    eq = object_equal(stored, key);
                    objlock_resume(so, suspended);
                    bool moved = so->table != table || so->mask != mask || e->key != stored;
                    if (!moved) {
                        DECREF(stored); /* so still holds it */
                    } else {
                        /* maybe the last reference, whose release may
                           run __del__: the stripe let go around it too */
                        suspended = objlock_suspend(so);
                        DECREF(stored);
                        objlock_resume(so, suspended);
                    }
                    if (eq < 0) return -1;
                    if (moved) goto restart;
                }
                if (eq) {
                    *slot = e;
                    return 1;
                }
            } else if (e->key == SET_DUMMY) {
                free_slot = e; /* the last one seen, as CPython picks */
            }
        }
        perturb >>= SET_PERTURB_SHIFT;
        i = (i * 5 + 1 + (size_t)perturb) & mask;
    }
}

/* Put a key known to be absent into a table without deleted slots. */
static void set_insert_clean(SetEntry *table, size_t mask, Object *key, int64_t hash) {
    size_t i = (size_t)hash & mask;
    uint64_t perturb = (uint64_t)hash;
    for (;;) {
        SetEntry *e = &table[i];
        size_t run = i + SET_LINEAR_PROBES <= mask ? SET_LINEAR_PROBES : 0;
        for (size_t k = 0; k <= run; k++, e++) {
            if (!e->key) {
                e->key = key;
                e->hash = hash;
                return;
            }
        }
        perturb >>= SET_PERTURB_SHIFT;
        i = (i * 5 + 1 + (size_t)perturb) & mask;
    }
}

/* Rebuild the table with the smallest size above minused, dropping deleted
   slots; keys are re-inserted in old slot order. 0 / -1 MemoryError. */
static int set_resize(SetObject *so, size_t minused) {
    size_t size = SET_MINSIZE;
    while (size <= minused) size <<= 1;
    SetEntry *old = so->table;
    size_t old_size = so->mask + 1;
    bool old_small = old == so->small;
    if (size == SET_MINSIZE && old_small && so->fill == so->used) return 0;
    SetEntry saved[SET_MINSIZE];
    if (old_small) {
        memcpy(saved, so->small, sizeof saved);
        old = saved;
    }
    SetEntry *table = so->small;
    if (size == SET_MINSIZE) {
        memset(table, 0, sizeof so->small);
    } else if (!(table = mem_alloc_zeroed_populated(size * sizeof(SetEntry)))) {
        error_no_memory();
        return -1;
    }
    so->table = table;
    so->mask = size - 1;
    so->fill = so->used;
    for (size_t i = 0; i < old_size; i++)
        if (set_live(&old[i])) set_insert_clean(table, so->mask, old[i].key, old[i].hash);
    if (!old_small) mem_free(old, old_size * sizeof(SetEntry));
    return 0;
}

/* Put key (borrowed) with its hash into slot, an unused or deleted slot
   that a lookup found for it, and grow the table when it is full enough.
   0 / -1 MemoryError. */
static int set_insert_at(SetObject *so, SetEntry *slot, Object *key, int64_t hash) {
    bool unused = slot->key == NULL;
    slot->key = NEWREF(key);
    slot->hash = hash;
    so->used++;
    if (!unused) return 0;
    so->fill++;
    if (so->fill * 5 < so->mask * 3) return 0;
    return set_resize(so, so->used > 50000 ? so->used * 2 : so->used * 4);
}

/* Add key (borrowed) with its hash. 0 / -1. */
static int set_insert_locked(SetObject *so, Object *key, int64_t hash) {
    SetEntry *slot;
    int found = set_key_is_plain(key) ? set_find_plain(so, key, hash, &slot, true) : -2;
    for (;;) {
        if (found == -2) found = set_find(so, key, hash, &slot);
        if (found != 0) return found < 0 ? -1 : 0;
        /* A deleted slot noted before a user __eq__ ran may have been
           reused by it: look again. */
        if (!slot->key || slot->key == SET_DUMMY) break;
        found = -2;
    }
    return set_insert_at(so, slot, key, hash);
}

/* toy-ft: every access to a set's table holds its lock (core/objlock.h). */
static int set_insert(SetObject *so, Object *key, int64_t hash) {
    objlock_lock(so);
    int rc = set_insert_locked(so, key, hash);
    objlock_unlock(so);
    return rc;
}

/* s.add(key), and a set display's or comprehension's items. An exact int
   or str key goes in under objlock_lock_nocode (none while the thread is
   alone): set_find_plain runs no Toy code, nor does set_insert_at (a
   count, and memory when the table grows). Only a stored key of another
   type with the same hash sends it the general way, under the full lock,
   where __eq__ may run. */
static int set_add_key(SetObject *so, Object *key) {
    int64_t hash = set_hash_of(key);
    if (hash == -1) return -1;
    if (set_key_is_plain(key)) {
        SetEntry *slot;
        objlock_lock_nocode(so);
        int found = set_find_plain(so, key, hash, &slot, true);
        int rc = found == 0 ? set_insert_at(so, slot, key, hash) : found == 1 ? 0 : -2;
        objlock_unlock_nocode(so);
        if (rc != -2) return rc;
    }
    return set_insert(so, key, hash);
}

/* Take the key out of its slot, leaving a deleted one: the key's
   reference, which the caller releases once the lock is given back. */
static inline Object *set_unlink(SetObject *so, SetEntry *slot) {
    Object *old = slot->key;
    slot->key = SET_DUMMY;
    slot->hash = -1;
    so->used--;
    return old;
}

/* Remove key: 1 removed, 0 absent, -1 error. */
static int set_discard_hashed(SetObject *so, Object *key, int64_t hash) {
    SetEntry *slot;
    objlock_lock(so);
    int found = set_find(so, key, hash, &slot);
    Object *old = found > 0 ? set_unlink(so, slot) : NULL;
    objlock_unlock(so);
    if (found <= 0) return found;
    DECREF(old);
    return 1;
}

/* Empty the set. The table is detached first: releasing a key may run code
   that looks at the set. */
static void set_clear_internal(SetObject *so) {
    objlock_lock(so);
    if (so->fill == 0) { objlock_unlock(so); return; }
    SetEntry saved[SET_MINSIZE];
    SetEntry *old = so->table;
    size_t old_size = so->mask + 1;
    bool old_small = old == so->small;
    if (old_small) {
        memcpy(saved, so->small, sizeof saved);
        old = saved;
    }
    memset(so->small, 0, sizeof so->small);
    so->table = so->small;
    so->mask = SET_MINSIZE - 1;
    so->fill = so->used = 0;
    objlock_unlock(so);
    for (size_t i = 0; i < old_size; i++)
        if (set_live(&old[i])) DECREF(old[i].key);
    if (!old_small) mem_free(old, old_size * sizeof(SetEntry));
}

/* The live key in slot i, as a new reference: 1, or 0 when the slot holds
   none, or -1 past the end of the table. The table and its size are read
   under the lock on each call, so a walk `for (i = 0; (live = set_slot(so,
   i, ...)) >= 0; i++)` stays in bounds when code run during the walk, or
   another thread (toy-ft), resizes the set. */
static int set_slot(SetObject *so, size_t i, Object **key, int64_t *hash) {
    objlock_lock_nocode(so); /* loads and a new reference: no Toy code */
    int live = i > so->mask ? -1 : set_live(&so->table[i]);
    if (live > 0) {
        *key = NEWREF(so->table[i].key);
        *hash = so->table[i].hash;
    }
    objlock_unlock_nocode(so);
    return live;
}

/* set_find under so's lock: a probe of another set than the one a walk
   holds (in toy-ft another thread may be changing or resizing it). */
static int set_lookup(SetObject *so, Object *key, int64_t hash) {
    SetEntry *slot;
    objlock_lock(so);
    int found = set_find(so, key, hash, &slot);
    objlock_unlock(so);
    return found;
}

bool set_next(Object *s, size_t *pos, Object **key, int64_t *hash) {
    SetObject *so = AS_SET(s);
    objlock_lock_nocode(so); /* loads only */
    while (*pos <= so->mask) {
        SetEntry *e = &so->table[(*pos)++];
        if (set_live(e)) {
            *key = e->key;
            if (hash) *hash = e->hash;
            objlock_unlock_nocode(so);
            return true;
        }
    }
    objlock_unlock_nocode(so);
    return false;
}

/* ---- Construction and bulk updates --------------------------------------- */

static SetObject *set_alloc(Type *type) {
    SetObject *so = (SetObject *)object_alloc(type, sizeof(SetObject));
    if (!so) return NULL;
    so->table = so->small;
    so->mask = SET_MINSIZE - 1;
    so->hash = -1;
    return so;
}

/* Add other's member key to so during a merge, both sets' stripes held.
   A plain key that meets only plain keys goes in under them; one that
   needs a user __eq__ goes in with both let go (taken again in address
   order after), so that the lookup lets so's stripe go around that
   __eq__ too (objlock_suspend): a merge holds no lock while Toy code
   runs. Takes the caller's reference to key, released before the locks
   are taken again (its release may run __del__). 0 / -1. */
static int set_merge_one(SetObject *so, SetObject *other, Object *key, int64_t hash) {
    int rc;
    if (set_key_is_plain(key)) {
        SetEntry *slot;
        int found = set_find_plain(so, key, hash, &slot, true);
        if (found != -2) {
            rc = found == 0 ? set_insert_at(so, slot, key, hash) : 0;
            DECREF(key); /* an exact int or str: no __del__ */
            return rc;
        }
    }
    objlock_unlock2(so, other);
    rc = set_insert(so, key, hash);
    DECREF(key);
    objlock_lock2(so, other);
    return rc;
}

/* so |= other, both sets, both stripes held (set_merge), but around a
   member's __eq__ (set_merge_one). */
static int set_merge_locked(SetObject *so, SetObject *other) {
    if (so == other || other->used == 0) return 0;
    /* One resize up front, expecting few common keys. */
    if ((so->fill + other->used) * 5 >= so->mask * 3 &&
        set_resize(so, (so->used + other->used) * 2) < 0)
        return -1;
    if (so->fill == 0) {
        /* No duplicates possible: same-size tables copy slot for slot,
           others re-insert without comparing. */
        bool same = so->mask == other->mask && other->fill == other->used;
        for (size_t i = 0; i <= other->mask; i++) {
            SetEntry *e = &other->table[i];
            if (!set_live(e)) continue;
            if (same) so->table[i] = (SetEntry){NEWREF(e->key), e->hash};
            else set_insert_clean(so->table, so->mask, NEWREF(e->key), e->hash);
        }
        so->fill = so->used = other->used;
        return 0;
    }
    /* other's table is read directly, and re-read for each slot, since a
       key's __eq__ may change either set, and other threads may while
       set_merge_one has let the locks go. */
    for (size_t i = 0; i <= other->mask; i++) {
        SetEntry *e = &other->table[i];
        if (!set_live(e)) continue;
        if (set_merge_one(so, other, NEWREF(e->key), e->hash) < 0) return -1;
    }
    return 0;
}

/* toy-ft: both tables are read and written under their locks. */
static int set_merge(SetObject *so, SetObject *other) {
    objlock_lock2(so, other);
    int rc = set_merge_locked(so, other);
    objlock_unlock2(so, other);
    return rc;
}

/* Add every item of an iterator. 0 / -1. */
static int set_add_from_iter(SetObject *so, Object *it) {
    Object *key;
    while ((key = object_next(it)) != NULL) {
        int rc = set_add_key(so, key);
        DECREF(key);
        if (rc < 0) return -1;
    }
    return error_occurred() ? -1 : 0;
}

/* so |= other for any iterable (set.update with one argument). */
static int set_update_internal(SetObject *so, Object *other) {
    if (is_anyset(other)) return set_merge(so, AS_SET(other));
    if (is_instance_of(other, &dict_type)) {
        /* A dict's size is known: pre-size the table, as CPython does (this
           decides the table size, hence the order). */
        size_t n = dict_size_locked(other);
        objlock_lock(so);
        int rc = (so->fill + n) * 5 >= so->mask * 3 ? set_resize(so, (so->used + n) * 2) : 0;
        objlock_unlock(so);
        if (rc < 0) return -1;
    }
    Object *it = object_iter(other);
    if (!it) return -1;
    int rc = set_add_from_iter(so, it);
    DECREF(it);
    return rc;
}

/* A new set of the given type (set or frozenset) from an optional iterable. */
static Object *set_make(Type *type, Object *iterable) {
    Object *so = (Object *)set_alloc(type);
    if (so && iterable && set_update_internal(AS_SET(so), iterable) < 0) CLEAR(&so);
    return so;
}

Object *set_new(Object *iterable) { return set_make(&set_type, iterable); }
Object *frozenset_new(Object *iterable) { return set_make(&frozenset_type, iterable); }

/* The type of what so's operations return: set or frozenset, also for an
   instance of a subclass (as in CPython). */
static Type *set_result_type(SetObject *so) {
    return is_frozenset((Object *)so) ? &frozenset_type : &set_type;
}

static Object *set_copy(SetObject *so) { return set_make(set_result_type(so), (Object *)so); }

int set_add(Object *s, Object *key) { return set_add_key(AS_SET(s), key); }
int set_update(Object *s, Object *iterable) { return set_update_internal(AS_SET(s), iterable); }

/* Swap the contents of two sets (intersection_update builds a new set and
   takes its table). */
static void set_swap_bodies(SetObject *a, SetObject *b) {
    bool a_small = a->table == a->small, b_small = b->table == b->small;
    SetEntry tmp[SET_MINSIZE];
    memcpy(tmp, a->small, sizeof tmp);
    memcpy(a->small, b->small, sizeof tmp);
    memcpy(b->small, tmp, sizeof tmp);
    SetEntry *a_table = a->table;
    a->table = b_small ? a->small : b->table;
    b->table = a_small ? b->small : a_table;
    size_t t;
    t = a->fill, a->fill = b->fill, b->fill = t;
    t = a->used, a->used = b->used, b->used = t;
    t = a->mask, a->mask = b->mask, b->mask = t;
    int64_t h = a->hash;
    a->hash = b->hash;
    b->hash = h;
}

/* ---- Lookups with Python's rules ---------------------------------------- */

/* Find key, looking a set key up as the equal frozenset (so that
   `{1} in {frozenset({1})}` works). 1 / 0 / -1. */
static int set_find_key(SetObject *so, Object *key, SetEntry **slot) {
    int64_t hash = set_hash_of(key);
    if (hash != -1) {
        int found = set_key_is_plain(key) ? set_find_plain(so, key, hash, slot, false) : -2;
        return found != -2 ? found : set_find(so, key, hash, slot);
    }
    if (!is_set(key) || !error_matches(&exc_TypeError)) return -1;
    error_clear();
    Object *frozen = frozenset_new(key);
    if (!frozen) return -1;
    hash = set_hash_of(frozen);
    int found = hash == -1 ? -1 : set_find(so, frozen, hash, slot);
    DECREF(frozen);
    return found;
}

/* An exact int or str key is looked up under objlock_lock_nocode (none at
   all while the thread is alone): its hash and the comparisons of
   set_find_plain run no Toy code. Only when that meets a stored key of
   another type with the same hash does the lookup go the general way,
   under the full lock, where __eq__ may run. */
int set_contains(Object *s, Object *key) {
    SetEntry *slot;
    if (set_key_is_plain(key)) {
        int64_t hash = set_hash_of(key);
        objlock_lock_nocode(s);
        int found = set_find_plain(AS_SET(s), key, hash, &slot, false);
        objlock_unlock_nocode(s);
        if (found != -2) return found;
    }
    objlock_lock(s);
    int found = set_find_key(AS_SET(s), key, &slot);
    objlock_unlock(s);
    return found;
}

#ifdef TOY_FREE_THREADED
int set_contains_int_alone(Object *s, Object *key, int64_t hash) {
    SetEntry *slot;
    int found = set_find_plain(AS_SET(s), key, hash, &slot, false);
    return found != -2 ? found : set_contains(s, key);
}
#endif

/* 1 removed, 0 absent, -1 error. An int or exact str key is found and
   taken out as set_add_key puts it in: under the no-code lock, since
   neither the probe nor the unlinking runs Toy code (the key's release
   comes after the lock). */
static int set_discard_key(SetObject *so, Object *key) {
    SetEntry *slot;
    int found;
    Object *old = NULL;
    if (set_key_is_plain(key)) {
        int64_t hash = set_hash_of(key);
        objlock_lock_nocode(so);
        found = set_find_plain(so, key, hash, &slot, false);
        if (found == 1) old = set_unlink(so, slot);
        objlock_unlock_nocode(so);
        if (found == -2) return set_discard_hashed(so, key, hash); /* the hash is known */
    } else {
        objlock_lock(so);
        found = set_find_key(so, key, &slot);
        if (found > 0) old = set_unlink(so, slot);
        objlock_unlock(so);
    }
    if (found <= 0) return found;
    DECREF(old);
    return 1;
}

/* ---- Walking one set while probing another ------------------------------ */

/* One key of set_walk_probing's walk, under the three sets' locks: added
   to result if its presence in probe is `want`. 0: settled; 1: the key
   must be looked up the general way (it is not a plain key, or it meets a
   key of another type with its hash, where an __eq__ may run); -1:
   MemoryError. */
static int set_walk_step(SetObject *probe, bool want, SetObject *result, Object *key,
                         int64_t hash) {
    if (!set_key_is_plain(key)) return 1;
    SetEntry *slot;
    int found = set_find_plain(probe, key, hash, &slot, false);
    if (found == -2) return 1;
    if (found != want) return 0;
    found = set_find_plain(result, key, hash, &slot, true);
    if (found == -2) return 1;
    return found ? 0 : set_insert_at(result, slot, key, hash);
}

/* Add to result the keys of walk that are in probe (want) or are not
   (!want), in walk's slot order. The three sets' locks are held for the
   whole walk while the keys are plain ones (comparing exact ints and strs
   runs no user code), so that the result is what the two sets held at one
   moment, as under the GIL; in toy-ft that is one hold of three stripes
   instead of three holds a key. A key that needs an __eq__ is looked up
   with the locks released, and the walk goes on from the next slot.
   0 / -1. */
static int set_walk_probing(SetObject *walk, SetObject *probe, bool want, SetObject *result) {
    size_t pos = 0;
    int rc = 0;
    objlock_lock3(walk, probe, result);
    while (rc >= 0 && pos <= walk->mask) {
        SetEntry *e = &walk->table[pos++];
        if (!set_live(e) || (rc = set_walk_step(probe, want, result, e->key, e->hash)) <= 0)
            continue;
        Object *key = NEWREF(e->key);
        int64_t hash = e->hash;
        objlock_unlock3(walk, probe, result);
        int found = set_lookup(probe, key, hash);
        rc = found < 0 ? -1 : found == want ? set_insert(result, key, hash) : 0;
        DECREF(key);
        objlock_lock3(walk, probe, result);
    }
    objlock_unlock3(walk, probe, result);
    return rc < 0 ? -1 : 0;
}

/* ---- The set algebra ----------------------------------------------------- */

/* so & other: walks the smaller set and probes the bigger one; for another
   iterable, walks it. The result's keys are the walked side's. */
static Object *set_intersection(SetObject *so, Object *other) {
    if ((Object *)so == other) return set_copy(so);
    SetObject *result = set_alloc(set_result_type(so));
    if (!result) return NULL;
    Object *key;
    int64_t hash;
    if (is_anyset(other)) {
        SetObject *walk = AS_SET(other), *probe = so;
        if (set_size((Object *)walk) > set_size((Object *)probe))
            walk = so, probe = AS_SET(other);
        if (set_walk_probing(walk, probe, true, result) < 0) goto fail;
        return (Object *)result;
    }
    Object *it = object_iter(other);
    if (!it) goto fail;
    while ((key = object_next(it)) != NULL) {
        hash = set_hash_of(key);
        int found = hash == -1 ? -1 : set_lookup(so, key, hash);
        if (found > 0) found = set_insert(result, key, hash);
        DECREF(key);
        if (found < 0) break;
    }
    DECREF(it);
    if (!error_occurred()) return (Object *)result;
fail:
    DECREF(result);
    return NULL;
}

/* so.intersection(*others): a copy when there are none. */
static Object *set_intersection_multi(SetObject *so, Object *const *others, size_t n) {
    if (n == 0) return set_copy(so);
    Object *result = NEWREF(so);
    for (size_t i = 0; i < n && result; i++) {
        Object *next = set_intersection(AS_SET(result), others[i]);
        DECREF(result);
        result = next;
    }
    return result;
}

static int set_intersection_update(SetObject *so, Object *const *others, size_t n) {
    Object *tmp = set_intersection_multi(so, others, n);
    if (!tmp) return -1;
    objlock_lock2(so, tmp);
    set_swap_bodies(so, AS_SET(tmp));
    objlock_unlock2(so, tmp);
    DECREF(tmp);
    return 0;
}

/* so -= other. A much bigger set is first cut down to the common keys; many
   deleted slots are squeezed out afterwards. */
static int set_difference_update_internal(SetObject *so, Object *other) {
    if ((Object *)so == other) {
        set_clear_internal(so);
        return 0;
    }
    Object *key;
    int64_t hash;
    if (is_anyset(other)) {
        Object *walk = (set_size(other) >> 3) > set_size((Object *)so) ? set_intersection(so, other)
                                                         : NEWREF(other);
        if (!walk) return -1;
        int live;
        for (size_t i = 0; (live = set_slot(AS_SET(walk), i, &key, &hash)) >= 0; i++) {
            if (!live) continue;
            int rc = set_discard_hashed(so, key, hash);
            DECREF(key);
            if (rc < 0) {
                DECREF(walk);
                return -1;
            }
        }
        DECREF(walk);
    } else {
        Object *it = object_iter(other);
        if (!it) return -1;
        while ((key = object_next(it)) != NULL) {
            int rc = set_discard_key(so, key);
            DECREF(key);
            if (rc < 0) break;
        }
        DECREF(it);
        if (error_occurred()) return -1;
    }
    objlock_lock(so);
    int rc = 0;
    if (so->fill - so->used > so->mask / 4)
        rc = set_resize(so, so->used > 50000 ? so->used * 2 : so->used * 4);
    objlock_unlock(so);
    return rc;
}

/* A copy of so without other's keys. */
static Object *set_copy_and_difference(SetObject *so, Object *other) {
    Object *result = set_copy(so);
    if (result && set_difference_update_internal(AS_SET(result), other) < 0) CLEAR(&result);
    return result;
}

/* so - other: walks so and probes other when other is a set or dict not
   much smaller than so; otherwise copies so and removes other's keys. */
static Object *set_difference(SetObject *so, Object *other) {
    bool is_dict_other = is_instance_of(other, &dict_type);
    if (!is_anyset(other) && !is_dict_other) return set_copy_and_difference(so, other);
    size_t other_size = is_dict_other ? dict_size_locked(other) : set_size(other);
    if ((set_size((Object *)so) >> 2) > other_size) return set_copy_and_difference(so, other);
    SetObject *result = set_alloc(set_result_type(so));
    if (!result) return NULL;
    if (!is_dict_other) {
        if (set_walk_probing(so, AS_SET(other), false, result) == 0) return (Object *)result;
        DECREF(result);
        return NULL;
    }
    Object *key;
    int64_t hash;
    int live;
    for (size_t i = 0; (live = set_slot(so, i, &key, &hash)) >= 0; i++) {
        if (!live) continue;
        int found = object_contains(other, key);
        if (found == 0) found = set_insert(result, key, hash);
        DECREF(key);
        if (found < 0) {
            DECREF(result);
            return NULL;
        }
    }
    return (Object *)result;
}

static Object *set_difference_multi(SetObject *so, Object *const *others, size_t n) {
    if (n == 0) return set_copy(so);
    Object *result = set_difference(so, others[0]);
    for (size_t i = 1; i < n && result; i++)
        if (set_difference_update_internal(AS_SET(result), others[i]) < 0) CLEAR(&result);
    return result;
}

/* Remove key if present, else add it. 0 / -1. */
static int set_toggle(SetObject *so, Object *key, int64_t hash) {
    int rc = set_discard_hashed(so, key, hash);
    if (rc == 0) rc = set_insert(so, key, hash);
    return rc < 0 ? -1 : 0;
}

/* so ^= other: toggles each of other's keys (a non-set is made a set
   first, so its duplicates count once). */
static int set_symmetric_difference_update(SetObject *so, Object *other) {
    if ((Object *)so == other) {
        set_clear_internal(so);
        return 0;
    }
    Object *key;
    int64_t hash;
    if (is_instance_of(other, &dict_type)) {
        Object *it = object_iter(other);
        if (!it) return -1;
        while ((key = object_next(it)) != NULL) {
            hash = set_hash_of(key);
            int rc = hash == -1 ? -1 : set_toggle(so, key, hash);
            DECREF(key);
            if (rc < 0) break;
        }
        DECREF(it);
        return error_occurred() ? -1 : 0;
    }
    Object *walk = is_anyset(other) ? NEWREF(other) : set_make(set_result_type(so), other);
    if (!walk) return -1;
    int rc = 0;
    int live;
    for (size_t i = 0; rc == 0 && (live = set_slot(AS_SET(walk), i, &key, &hash)) >= 0; i++) {
        if (!live) continue;
        rc = set_toggle(so, key, hash);
        DECREF(key);
    }
    DECREF(walk);
    return rc;
}

/* so ^ other: a set of other's keys, then toggled by so's. */
static Object *set_symmetric_difference(SetObject *so, Object *other) {
    Object *result = set_make(set_result_type(so), other);
    if (result && set_symmetric_difference_update(AS_SET(result), (Object *)so) < 0)
        CLEAR(&result);
    return result;
}

static Object *set_union_multi(SetObject *so, Object *const *others, size_t n) {
    Object *result = set_copy(so);
    for (size_t i = 0; i < n && result; i++)
        if (others[i] != (Object *)so && set_update_internal(AS_SET(result), others[i]) < 0)
            CLEAR(&result);
    return result;
}

/* so <= other: 1 / 0 / -1. A non-set other is made a set first. */
static int set_issubset(SetObject *so, Object *other) {
    if (!is_anyset(other)) {
        Object *tmp = set_new(other);
        if (!tmp) return -1;
        int r = set_issubset(so, tmp);
        DECREF(tmp);
        return r;
    }
    if (set_size((Object *)so) > set_size(other)) return 0;
    Object *key;
    int64_t hash;
    int live;
    for (size_t i = 0; (live = set_slot(so, i, &key, &hash)) >= 0; i++) {
        if (!live) continue;
        int found = set_lookup(AS_SET(other), key, hash);
        DECREF(key);
        if (found <= 0) return found;
    }
    return 1;
}

static int set_issuperset(SetObject *so, Object *other) {
    if (is_anyset(other)) return set_issubset(AS_SET(other), (Object *)so);
    Object *tmp = set_new(other);
    if (!tmp) return -1;
    int r = set_issubset(AS_SET(tmp), (Object *)so);
    DECREF(tmp);
    return r;
}

/* No common key: 1 / 0 / -1. Walks the smaller set, or other's iterator. */
static int set_isdisjoint(SetObject *so, Object *other) {
    if ((Object *)so == other) return set_size(other) == 0;
    Object *key;
    int64_t hash;
    if (is_anyset(other)) {
        SetObject *walk = AS_SET(other), *probe = so;
        if (set_size((Object *)walk) > set_size((Object *)probe))
            walk = so, probe = AS_SET(other);
        int live;
        for (size_t i = 0; (live = set_slot(walk, i, &key, &hash)) >= 0; i++) {
            if (!live) continue;
            int found = set_lookup(probe, key, hash);
            DECREF(key);
            if (found != 0) return found < 0 ? -1 : 0;
        }
        return 1;
    }
    Object *it = object_iter(other);
    if (!it) return -1;
    int result = 1;
    while (result == 1 && (key = object_next(it)) != NULL) {
        hash = set_hash_of(key);
        int found = hash == -1 ? -1 : set_lookup(so, key, hash);
        DECREF(key);
        if (found != 0) result = found < 0 ? -1 : 0;
    }
    DECREF(it);
    return result == 1 && error_occurred() ? -1 : result;
}

int set_update_op(Object *s, Object *other, BinaryOp op) {
    SetObject *so = AS_SET(s);
    switch (op) {
    case BINOP_OR: return set_update_internal(so, other);
    case BINOP_AND: return set_intersection_update(so, &other, 1);
    case BINOP_SUB: return set_difference_update_internal(so, other);
    case BINOP_XOR: return set_symmetric_difference_update(so, other);
    default: return 0;
    }
}

/* ---- Slots --------------------------------------------------------------- */

static void set_dealloc(Object *self) {
    if (!list_trashcan_enter(self)) return;
    weakref_on_dealloc(self);
    SetObject *so = AS_SET(self);
    for (size_t i = 0; i <= so->mask; i++)
        if (set_live(&so->table[i])) DECREF(so->table[i].key);
    if (so->table != so->small) mem_free(so->table, (so->mask + 1) * sizeof(SetEntry));
    object_free(self, sizeof(SetObject));
    list_trashcan_leave();
}

/* The cycle collector's slots (set and frozenset). */
static int set_traverse(Object *self, VisitFunc visit, void *arg) {
    SetObject *so = AS_SET(self);
    for (size_t i = 0; i <= so->mask; i++)
        if (set_live(&so->table[i])) VISIT(so->table[i].key);
    return 0;
}

static int set_gc_clear(Object *self) {
    set_clear_internal(AS_SET(self));
    return 0;
}

/* {1, 2}, set(), frozenset({1, 2}), frozenset(); "set(...)" when the set is
   reached again while its own repr is being built. */
static Object *set_repr(Object *self) {
    int seen = list_repr_enter(self);
    if (seen != 0) return seen > 0 ? str_from_format("%s(...)", TYPE_NAME(self)) : NULL;
    Object *r = NULL;
    if (set_size(self) == 0) {
        r = str_from_format("%s()", TYPE_NAME(self));
    } else {
        Object *keys = list_from_iterable(self);
        Object *lr = keys ? object_repr(keys) : NULL;
        XDECREF(keys);
        if (lr) {
            StrBuilder b;
            str_builder_init(&b);
            if (!is_set_exact(self)) str_builder_addf(&b, "%s(", TYPE_NAME(self));
            str_builder_add_char(&b, '{');
            str_builder_add(&b, str_data(lr) + 1, str_len(lr) - 2); /* drop [ and ] */
            str_builder_add_char(&b, '}');
            if (!is_set_exact(self)) str_builder_add_char(&b, ')');
            DECREF(lr);
            r = str_builder_finish(&b);
        }
    }
    list_repr_leave(self);
    return r;
}

/* Spread a key's hash bits before xoring them together, so that keys with
   nearby hashes do not cancel out. */
static uint64_t frozenset_shuffle(uint64_t h) {
    return ((h ^ 89869747u) ^ (h << 16)) * 3644798167u;
}

/* An order-independent hash, computed the way CPython computes it (so
   hash(frozenset({1, 2})) is the same number): the xor of the shuffled key
   hashes, mixed with the size, then scrambled once more for nesting. */
/* A frozenset's cached hash. In toy-ft several threads may compute it at
   once: each stores the same number, with relaxed atomics. */
static inline int64_t set_cached_hash(SetObject *so) {
#ifdef TOY_FREE_THREADED
    return __atomic_load_n(&so->hash, __ATOMIC_RELAXED);
#else
    return so->hash;
#endif
}

static inline void set_cache_hash(SetObject *so, int64_t h) {
#ifdef TOY_FREE_THREADED
    __atomic_store_n(&so->hash, h, __ATOMIC_RELAXED);
#else
    so->hash = h;
#endif
}

static int64_t frozenset_hash(Object *self) {
    SetObject *so = AS_SET(self);
    int64_t cached = set_cached_hash(so);
    if (cached != -1) return cached;
    uint64_t h = 0;
    for (size_t i = 0; i <= so->mask; i++)
        if (set_live(&so->table[i])) h ^= frozenset_shuffle((uint64_t)so->table[i].hash);
    h ^= ((uint64_t)so->used + 1) * 1927868237u;
    h ^= (h >> 11) ^ (h >> 25);
    h = h * 69069u + 907133923u;
    if (h == UINT64_MAX) h = 590923713u;
    set_cache_hash(so, (int64_t)h);
    return (int64_t)h;
}

static int64_t set_len(Object *self) {
    objlock_lock_nocode(self);
    int64_t n = (int64_t)AS_SET(self)->used;
    objlock_unlock_nocode(self);
    return n;
}

/* Two frozensets whose hashes are both known and differ are unequal. */
static inline bool set_hashes_differ(SetObject *v, SetObject *w) {
    int64_t hv = set_cached_hash(v);
    if (hv == -1) return false;
    int64_t hw = set_cached_hash(w);
    return hv != hw && hw != -1;
}

/* Sets compare by inclusion; only with other sets or frozensets. */
static Object *set_richcompare(Object *a, Object *b, int op) {
    if (!is_anyset(b)) return NEWREF(NotImplemented);
    SetObject *v = AS_SET(a), *w = AS_SET(b);
    int r;
    switch (op) {
    case CMP_EQ:
    case CMP_NE:
        if (set_size(a) != set_size(b) || set_hashes_differ(v, w))
            r = 0;
        else
            r = set_issubset(v, b);
        if (r >= 0 && op == CMP_NE) r = !r;
        break;
    case CMP_LE: r = set_issubset(v, b); break;
    case CMP_GE: r = set_issuperset(v, b); break;
    case CMP_LT: r = set_size(a) < set_size(b) ? set_issubset(v, b) : 0; break;
    default: r = set_size(a) > set_size(b) ? set_issuperset(v, b) : 0; break;
    }
    return r < 0 ? NULL : bool_from(r);
}

static Object *set_construct_common(Type *type, const char *name, Object *const *args,
                                    size_t nargs, Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "%s() takes no keyword arguments", name);
    if (nargs > 1)
        return error_set(&exc_TypeError, "%s expected at most 1 argument, got %zu", name, nargs);
    return set_make(type, nargs ? args[0] : NULL);
}

/* set(iterable), or cls(iterable) for a subclass without an __init__ of its
   own (set.__new__ makes it empty, set.__init__ fills it). */
static Object *set_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    return set_construct_common(type, "set", args, nargs, kwnames);
}

/* set.__init__(self, iterable=(), /): empties the set, then fills it. */
static Object *set_init_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "set() takes no keyword arguments");
    if (nargs > 1)
        return error_set(&exc_TypeError, "set expected at most 1 argument, got %zu", nargs);
    set_clear_internal(AS_SET(self));
    if (nargs == 1 && set_update_internal(AS_SET(self), args[0]) < 0) return NULL;
    return NEWREF_IMMORTAL(None);
}

/* frozenset(f) for a frozenset f is f itself: it cannot change. */
static Object *frozenset_construct(Type *type, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    if (type == &frozenset_type && nargs == 1 && !(kwnames && tuple_size(kwnames) > 0) &&
        is_frozenset_exact(args[0]))
        return NEWREF(args[0]);
    return set_construct_common(type, "frozenset", args, nargs, kwnames);
}

/* The operators take sets and frozensets only (methods take any iterable);
   the result has the left operand's type. */
static Object *set_or(Object *a, Object *b) {
    if (!is_anyset(a) || !is_anyset(b)) return NEWREF(NotImplemented);
    return set_union_multi(AS_SET(a), &b, 1);
}

static Object *set_and(Object *a, Object *b) {
    if (!is_anyset(a) || !is_anyset(b)) return NEWREF(NotImplemented);
    return set_intersection(AS_SET(a), b);
}

static Object *set_sub(Object *a, Object *b) {
    if (!is_anyset(a) || !is_anyset(b)) return NEWREF(NotImplemented);
    return set_difference(AS_SET(a), b);
}

static Object *set_xor(Object *a, Object *b) {
    if (!is_anyset(a) || !is_anyset(b)) return NEWREF(NotImplemented);
    return set_symmetric_difference(AS_SET(a), b);
}

/* s |= t and friends (set only; frozenset falls back to the binary form). */
static Object *set_inplace(Object *a, Object *b, BinaryOp op) {
    if (!is_anyset(b)) return NEWREF(NotImplemented);
    if (set_update_op(a, b, op) < 0) return NULL;
    return NEWREF(a);
}

static Object *set_ior(Object *a, Object *b) { return set_inplace(a, b, BINOP_OR); }
static Object *set_iand(Object *a, Object *b) { return set_inplace(a, b, BINOP_AND); }
static Object *set_isub(Object *a, Object *b) { return set_inplace(a, b, BINOP_SUB); }
static Object *set_ixor(Object *a, Object *b) { return set_inplace(a, b, BINOP_XOR); }

/* ---- Iterator ------------------------------------------------------------ */

typedef struct {
    Object base;
    Object *set;   /* owned; NULL once exhausted (toy-ft: kept, core/iterstate.h) */
    size_t pos;    /* next slot to look at; ITER_SPENT once exhausted in toy-ft */
    size_t used;   /* the set's size when iteration started; SIZE_MAX after a change */
} SetIterObject;

static Object *set_iter(Object *self) {
    SetIterObject *it = (SetIterObject *)object_alloc(&set_iterator_type, sizeof(SetIterObject));
    if (!it) return NULL;
    it->set = NEWREF(self);
    objlock_lock_nocode(self); /* toy-ft: another thread may be changing it */
    it->used = set_size(self);
    objlock_unlock_nocode(self);
    return (Object *)it;
}

static Object *set_iter_next(Object *self) {
    SetIterObject *it = (SetIterObject *)self;
    if (!it->set) return NULL;
    SetObject *so = AS_SET(it->set);
    objlock_lock(so); /* in toy-ft, every thread stepping it takes this lock */
    if (iter_spent(it->set, &it->pos)) {
        objlock_unlock(so);
        return NULL;
    }
    if (it->used != so->used) {
        it->used = SIZE_MAX; /* keep failing, as Python does (under the lock:
                                another thread may step the same iterator) */
        objlock_unlock(so);
        return error_set(&exc_RuntimeError, "Set changed size during iteration");
    }
    while (it->pos <= so->mask) {
        SetEntry *e = &so->table[it->pos++];
        if (set_live(e)) {
            Object *key = NEWREF(e->key);
            objlock_unlock(so);
            return key;
        }
    }
    iter_exhaust(&it->set, &it->pos);
    objlock_unlock(so);
    return NULL;
}

static Object *set_iter_self(Object *self) { return NEWREF(self); }

static void set_iter_dealloc(Object *self) {
    XDECREF(((SetIterObject *)self)->set);
    object_free(self, sizeof(SetIterObject));
}

static int set_iter_traverse(Object *self, VisitFunc visit, void *arg) {
    VISIT(((SetIterObject *)self)->set);
    return 0;
}

Type set_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "set_iterator",
    .base_type = &object_type,
    .flags = TYPE_GC,
    .instance_size = sizeof(SetIterObject),
    .dealloc = set_iter_dealloc,
    .hash = object_identity_hash,
    .iter = set_iter_self,
    .iternext = set_iter_next,
    .traverse = set_iter_traverse,
};

/* ---- Methods ------------------------------------------------------------- */

/* Argument checks with the method's qualified name ("set.add"), as CPython
   words them. */
static int set_check_args_named(Object *self, const char *name, size_t nargs, Object *kwnames,
                                size_t min, size_t max) {
    char qualified[64];
    snprintf(qualified, sizeof qualified, "%s.%s", TYPE_NAME(self), name);
    return args_check(qualified, nargs, kwnames, min, max);
}

/* The usual case (the count in range, no keywords) answers inline, with no
   name to format. */
static inline int set_check_args(Object *self, const char *name, size_t nargs, Object *kwnames,
                                 size_t min, size_t max) {
    if (nargs >= min && nargs <= max && (!kwnames || tuple_size(kwnames) == 0)) return 0;
    return set_check_args_named(self, name, nargs, kwnames, min, max);
}

#define SET_CHECK(name, min, max)                                              \
    do {                                                                       \
        if (set_check_args(self, name, nargs, kwnames, min, max) < 0)          \
            return NULL;                                                       \
    } while (0)

#define SET_METHOD(fname)                                                      \
    static Object *fname(Object *self, Object *const *args, size_t nargs,      \
                         Object *kwnames)

static Object *none_or_null(int rc) { return rc < 0 ? NULL : NEWREF_IMMORTAL(None); }

SET_METHOD(set_add_method) {
    SET_CHECK("add", 1, 1);
    return none_or_null(set_add_key(AS_SET(self), args[0]));
}

SET_METHOD(set_remove_method) {
    SET_CHECK("remove", 1, 1);
    int rc = set_discard_key(AS_SET(self), args[0]);
    if (rc == 0) return error_set_object(&exc_KeyError, args[0]);
    return none_or_null(rc);
}

SET_METHOD(set_discard_method) {
    SET_CHECK("discard", 1, 1);
    return none_or_null(set_discard_key(AS_SET(self), args[0]));
}

/* Removes the first live slot at or after the finger, which then moves past
   it: repeated pops do not rescan the same empty slots. */
SET_METHOD(set_pop_method) {
    (void)args;
    SET_CHECK("pop", 0, 0);
    SetObject *so = AS_SET(self);
    objlock_lock(so);
    if (so->used == 0) {
        objlock_unlock(so);
        return error_set(&exc_KeyError, "pop from an empty set");
    }
    size_t i = so->finger & so->mask;
    while (!set_live(&so->table[i])) i = (i + 1) & so->mask;
    Object *key = so->table[i].key;
    so->table[i] = (SetEntry){SET_DUMMY, -1};
    so->used--;
    so->finger = i + 1;
    objlock_unlock(so);
    return key;
}

SET_METHOD(set_clear_method) {
    (void)args;
    SET_CHECK("clear", 0, 0);
    set_clear_internal(AS_SET(self));
    return NEWREF_IMMORTAL(None);
}

/* A frozenset's copy is itself. */
SET_METHOD(set_copy_method) {
    (void)args;
    SET_CHECK("copy", 0, 0);
    if (is_frozenset_exact(self)) return NEWREF(self);
    return set_copy(AS_SET(self));
}

SET_METHOD(set_update_method) {
    SET_CHECK("update", 0, SIZE_MAX);
    for (size_t i = 0; i < nargs; i++)
        if (set_update_internal(AS_SET(self), args[i]) < 0) return NULL;
    return NEWREF_IMMORTAL(None);
}

SET_METHOD(set_intersection_update_method) {
    SET_CHECK("intersection_update", 0, SIZE_MAX);
    return none_or_null(set_intersection_update(AS_SET(self), args, nargs));
}

SET_METHOD(set_difference_update_method) {
    SET_CHECK("difference_update", 0, SIZE_MAX);
    for (size_t i = 0; i < nargs; i++)
        if (set_difference_update_internal(AS_SET(self), args[i]) < 0) return NULL;
    return NEWREF_IMMORTAL(None);
}

SET_METHOD(set_symmetric_difference_update_method) {
    SET_CHECK("symmetric_difference_update", 1, 1);
    return none_or_null(set_symmetric_difference_update(AS_SET(self), args[0]));
}

SET_METHOD(set_union_method) {
    SET_CHECK("union", 0, SIZE_MAX);
    return set_union_multi(AS_SET(self), args, nargs);
}

SET_METHOD(set_intersection_method) {
    SET_CHECK("intersection", 0, SIZE_MAX);
    return set_intersection_multi(AS_SET(self), args, nargs);
}

SET_METHOD(set_difference_method) {
    SET_CHECK("difference", 0, SIZE_MAX);
    return set_difference_multi(AS_SET(self), args, nargs);
}

SET_METHOD(set_symmetric_difference_method) {
    SET_CHECK("symmetric_difference", 1, 1);
    return set_symmetric_difference(AS_SET(self), args[0]);
}

static Object *set_truth_result(int r) { return r < 0 ? NULL : bool_from(r); }

SET_METHOD(set_issubset_method) {
    SET_CHECK("issubset", 1, 1);
    return set_truth_result(set_issubset(AS_SET(self), args[0]));
}

SET_METHOD(set_issuperset_method) {
    SET_CHECK("issuperset", 1, 1);
    return set_truth_result(set_issuperset(AS_SET(self), args[0]));
}

SET_METHOD(set_isdisjoint_method) {
    SET_CHECK("isdisjoint", 1, 1);
    return set_truth_result(set_isdisjoint(AS_SET(self), args[0]));
}

/* The methods both types have, then the mutating ones (set only). */
#define SET_COMMON_METHODS                                                                        \
    {"copy", set_copy_method, "Return a shallow copy of a set."},                                 \
    {"union", set_union_method, "Return the union of sets as a new set."},                        \
    {"intersection", set_intersection_method, "Return the intersection of sets as a new set."},   \
    {"difference", set_difference_method, "Return the difference of sets as a new set."},         \
    {"symmetric_difference", set_symmetric_difference_method,                                     \
     "Return the symmetric difference of two sets as a new set."},                                \
    {"issubset", set_issubset_method, "Report whether another set contains this set."},           \
    {"issuperset", set_issuperset_method, "Report whether this set contains another set."},       \
    {"isdisjoint", set_isdisjoint_method, "Return True if two sets have a null intersection."}

static const MethodDef set_methods[] = {
    {"__init__", set_init_method, "Initialize self."},
    {"add", set_add_method, "Add an element to a set."},
    {"remove", set_remove_method, "Remove an element from a set; it must be a member."},
    {"discard", set_discard_method, "Remove an element from a set if it is a member."},
    {"pop", set_pop_method, "Remove and return an arbitrary set element."},
    {"clear", set_clear_method, "Remove all elements from this set."},
    {"update", set_update_method, "Update a set with the union of itself and others."},
    {"intersection_update", set_intersection_update_method,
     "Update a set with the intersection of itself and another."},
    {"difference_update", set_difference_update_method,
     "Remove all elements of another set from this set."},
    {"symmetric_difference_update", set_symmetric_difference_update_method,
     "Update a set with the symmetric difference of itself and another."},
    SET_COMMON_METHODS,
    {NULL, NULL, NULL},
};

static const MethodDef frozenset_methods[] = {
    SET_COMMON_METHODS,
    {NULL, NULL, NULL},
};



Type set_type = {
    TYPE_HEAD_INIT,
    .name = "set",
    .base_type = &object_type,
    .flags = TYPE_GC | TYPE_BASETYPE | TYPE_WEAKREFABLE,
    .instance_size = sizeof(SetObject),
    .methods = set_methods,
    .dealloc = set_dealloc,
    .repr = set_repr,
    .hash = object_hash_not_implemented,
    .richcompare = set_richcompare,
    .construct = set_construct,
    .iter = set_iter,
    .len = set_len,
    .contains = set_contains,
    .binary = {[BINOP_OR] = set_or, [BINOP_AND] = set_and, [BINOP_SUB] = set_sub,
               [BINOP_XOR] = set_xor},
    .inplace = {[BINOP_OR] = set_ior, [BINOP_AND] = set_iand, [BINOP_SUB] = set_isub,
                [BINOP_XOR] = set_ixor},
    .traverse = set_traverse,
    .clear = set_gc_clear,
};



Type frozenset_type = {
    TYPE_HEAD_INIT,
    .name = "frozenset",
    .base_type = &object_type,
    .flags = TYPE_GC | TYPE_BASETYPE | TYPE_WEAKREFABLE,
    .instance_size = sizeof(SetObject),
    .methods = frozenset_methods,
    .dealloc = set_dealloc,
    .repr = set_repr,
    .hash = frozenset_hash,
    .richcompare = set_richcompare,
    .construct = frozenset_construct,
    .iter = set_iter,
    .len = set_len,
    .contains = set_contains,
    .binary = {[BINOP_OR] = set_or, [BINOP_AND] = set_and, [BINOP_SUB] = set_sub,
               [BINOP_XOR] = set_xor},
    .traverse = set_traverse,
    .clear = set_gc_clear,
};
