/* dict.c - insertion-ordered hash tables, their views and iterators.
 *
 * Layout (see dict.h): `entries` is a dense array of (key, value, hash) in
 * insertion order; `index` is an open-addressing table of entry numbers
 * (DICT_EMPTY, DICT_DUMMY for a deleted slot, else an entry number), probed
 * with CPython-style perturbation so that every slot is eventually visited.
 *
 * Invariants:
 *   - An empty dict may have no tables at all (index == NULL, every count
 *     0); they are allocated on the first insertion.
 *   - index_size is a power of two and capacity == index_size * 2 / 3, so
 *     the index is at most 2/3 full of live+dummy slots and always has an
 *     empty slot to end a probe.
 *   - entries[0..nentries) are live or holes (key NULL); `used` counts the
 *     live ones. A resize (when `usable` reaches 0) compacts holes.
 *   - Every index slot that is not empty was taken by an entry appended
 *     since the last resize, so nentries + usable <= capacity keeps the
 *     2/3 bound: popitem, which shortens the entries and leaves the
 *     slot a dummy, gives no room back (nor does CPython's).
 *   - Each live entry owns a reference to its key and value.
 *   - `version` changes on every mutation; iterators detect size changes by
 *     comparing `used`, as Python does.
 *   - `keys_version` is 0 or a number handed out once (dict_keys_version);
 *     adding, removing or clearing keys resets it to 0, so a nonzero value
 *     that a cache remembers still names the same keys at the same entries.
 *
 * Comparing keys can run Python code (__eq__), which may mutate the dict.
 * A lookup that called out re-checks that the table and the entry are still
 * the ones it was probing, and restarts otherwise, so it never reads freed
 * memory. Mutations release old keys/values only after the dict is
 * consistent again.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/gil.h"
#include "core/objlock.h"
#include "core/iterstate.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/descr.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/function.h"
#include "objects/gc.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/set.h"
#include "objects/str.h"
#include "objects/tuple.h"

#define AS_DICT(o) ((DictObject *)(o))

enum {
    DICT_EMPTY = -1,
    DICT_DUMMY = -2,
    DICT_ERROR = -3,          /* lookup result: an exception is set */
    DICT_NEEDS_CODE = -4,     /* dict_probe_nocode: a comparison may run code */
    DICT_MIN_INDEX_SIZE = 8,
};

static size_t dict_usable(size_t index_size) { return (index_size << 1) / 3; }

/* ---- Changes that lock-free readers may see (toy-ft) --------------------- */

/* toy-ft: dict_read_ref (dict.h) reads the dicts of modules and
   classes without their lock. What such a reader loads, a writer stores
   with DICT_PUBLISH (atomic, release: whatever was written before, such as
   an entry before the index slot naming it, is seen by a reader that sees
   the store), between dict_write_begin and dict_write_end. The GIL build
   compiles all of it to the plain stores it had. */
#ifdef TOY_FREE_THREADED
#define DICT_PUBLISH(lvalue, v) __atomic_store_n(&(lvalue), (v), __ATOMIC_RELEASE)

/* An entry's value_immortal, for a value the entry holds a reference to. */
static inline uint32_t dict_immortal(Object *v) { return refcount_is_immortal(v); }

/* Start a change of d, whose stripe the caller holds: seq becomes even
   (not 0) until dict_write_end, so lock-free readers retry under the lock.
   Only a dict marked shared (dict_mark_shared: odd from then on) is read
   so; others keep seq 0 and pay one test. A change made while another is
   open (by a key's __eq__ that the other's lookup runs, or by another
   thread while the lookup has let the stripe go around that __eq__)
   finds seq even and leaves it to the open one. */
static inline uint32_t dict_write_begin(DictObject *d) {
    uint32_t seq = d->seq;
    if (seq & 1) {
        if (seq == UINT32_MAX) seq = 1; /* wrap without passing 0 */
        /* The changes that follow are release stores (DICT_PUBLISH): a
           reader that sees one sees this too. */
        __atomic_store_n(&d->seq, seq + 1, __ATOMIC_RELAXED);
    }
    return seq;
}

static inline void dict_write_end(DictObject *d, uint32_t seq) {
    if (seq & 1) __atomic_store_n(&d->seq, seq + 2, __ATOMIC_RELEASE);
}
#else
#define DICT_PUBLISH(lvalue, v) ((lvalue) = (v))
static inline uint32_t dict_write_begin(DictObject *d) { (void)d; return 0; }
static inline void dict_write_end(DictObject *d, uint32_t seq) { (void)d, (void)seq; }
#endif

void dict_mark_shared(Object *dobj) {
    refcount_mark_shared(dobj);
#ifdef TOY_FREE_THREADED
    DictObject *d = AS_DICT(dobj);
    if (d->seq == 0) __atomic_store_n(&d->seq, 1, __ATOMIC_RELAXED);
#endif
}

/* A key of this hash is added / every key is gone (after the entries):
   the key bits (dict_surely_lacks, dict.h). The caller holds d's lock, so
   no other writer runs; toy-ft's store is atomic for the readers without
   the lock. */
#ifdef TOY_FREE_THREADED
#define DICT_SET_KEY_BITS(d, bits) __atomic_store_n(&(d)->key_bits, (bits), __ATOMIC_RELAXED)
#else
#define DICT_SET_KEY_BITS(d, bits) ((d)->key_bits = (bits))
#endif
static inline void dict_note_key(DictObject *d, int64_t hash) {
    DICT_SET_KEY_BITS(d, d->key_bits | dict_key_bit(hash));
}
static inline void dict_forget_keys(DictObject *d) { DICT_SET_KEY_BITS(d, 0); }

/* Lock d for a change / give it back. */
static inline uint32_t dict_lock_write(DictObject *d) {
    objlock_lock(d);
    return dict_write_begin(d);
}

static inline void dict_unlock_write(DictObject *d, uint32_t seq) {
    dict_write_end(d, seq);
    objlock_unlock(d);
}

/* The same around a change that runs no Toy code (no comparison that may
   call __eq__, no release): objlock_lock_nocode, which a thread alone
   leaves out. */
static inline uint32_t dict_lock_write_nocode(DictObject *d) {
    objlock_lock_nocode(d);
    return dict_write_begin(d);
}

static inline void dict_unlock_write_nocode(DictObject *d, uint32_t seq) {
    dict_write_end(d, seq);
    objlock_unlock_nocode(d);
}

/* Fill entry e, not yet named by the index. */
static inline void dict_entry_set(DictEntry *e, Object *key, Object *value, int64_t hash) {
#ifdef TOY_FREE_THREADED
    DICT_PUBLISH(e->hash, hash);
    DICT_PUBLISH(e->value, value);
    DICT_PUBLISH(e->value_immortal, dict_immortal(value));
    DICT_PUBLISH(e->key, key);
#else
    *e = (DictEntry){key, value, hash};
#endif
}

/* Copy entry src into dst, not yet named by the index (a resize). */
static inline void dict_entry_copy(DictEntry *dst, const DictEntry *src) {
#ifdef TOY_FREE_THREADED
    DICT_PUBLISH(dst->hash, src->hash);
    DICT_PUBLISH(dst->value, src->value);
    DICT_PUBLISH(dst->value_immortal, src->value_immortal);
    DICT_PUBLISH(dst->key, src->key);
#else
    *dst = *src;
#endif
}

/* Rebind entry e's value (the old one is the caller's to release). */
static inline void dict_entry_rebind(DictEntry *e, Object *value) {
    DICT_PUBLISH(e->value, value);
#ifdef TOY_FREE_THREADED
    DICT_PUBLISH(e->value_immortal, dict_immortal(value));
#endif
}

/* ---- Tables -------------------------------------------------------------- */

/* A small dict's index and entries are one block: the index, then the
   entries (8-byte aligned, as the index is), so making or dropping its
   tables is one call to the allocator. Tables too big for one small block
   of the pools (alloc.h) are two blocks, each of which may still be small:
   one block past POOL_SMALL_MAX would go to malloc. */
static size_t dict_tables_bytes(size_t index_size, size_t capacity) {
    return index_size * sizeof(int64_t) + capacity * sizeof(DictEntry);
}

static bool dict_tables_joined(size_t index_size, size_t capacity) {
    return dict_tables_bytes(index_size, capacity) <= POOL_SMALL_MAX;
}

/* Tables of two blocks (out of line: the common small tables stay short). */
static __attribute__((noinline)) int64_t *dict_tables_new_split(size_t index_size,
                                                                 size_t capacity,
                                                                 DictEntry **entries) {
    int64_t *index = mem_alloc(index_size * sizeof(int64_t));
    *entries = mem_alloc(capacity * sizeof(DictEntry));
    if (index && *entries) return index;
    if (index) mem_free(index, index_size * sizeof(int64_t));
    if (*entries) mem_free(*entries, capacity * sizeof(DictEntry));
    return NULL;
}

static __attribute__((noinline)) void dict_free_tables_split(int64_t *index, size_t index_size,
                                                             DictEntry *entries,
                                                             size_t capacity) {
    mem_free(index, index_size * sizeof(int64_t));
    mem_free(entries, capacity * sizeof(DictEntry));
}

/* Uninitialised tables: the index, and its entries in *entries; NULL
   when memory runs out. */
static inline int64_t *dict_tables_new(size_t index_size, size_t capacity,
                                       DictEntry **entries) {
    if (!dict_tables_joined(index_size, capacity))
        return dict_tables_new_split(index_size, capacity, entries);
    int64_t *index = mem_alloc(dict_tables_bytes(index_size, capacity));
    *entries = index ? (DictEntry *)(index + index_size) : NULL;
    return index;
}

static void dict_free_tables(int64_t *index, size_t index_size, DictEntry *entries,
                             size_t capacity) {
    if (!index) return;
    if (!dict_tables_joined(index_size, capacity)) {
        dict_free_tables_split(index, index_size, entries, capacity);
        return;
    }
    assert(entries == (DictEntry *)(index + index_size));
    mem_free(index, dict_tables_bytes(index_size, capacity));
}

#ifdef TOY_FREE_THREADED
/* Tables replaced while lock-free readers may still be reading them: kept
   in this list until dict_free_retired runs with every other thread parked
   (a collection stops the world; the exit). */
typedef struct DictRetired {
    struct DictRetired *next;
    int64_t *index;
    DictEntry *entries;
    size_t index_size, capacity;
} DictRetired;

static struct {
    pthread_mutex_t mutex;
    DictRetired *list;
} dict_retired = {.mutex = PTHREAD_MUTEX_INITIALIZER};

void dict_free_retired(void) {
    pthread_mutex_lock(&dict_retired.mutex);
    DictRetired *r = dict_retired.list;
    dict_retired.list = NULL;
    pthread_mutex_unlock(&dict_retired.mutex);
    while (r != NULL) {
        DictRetired *next = r->next;
        dict_free_tables(r->index, r->index_size, r->entries, r->capacity);
        mem_free(r, sizeof *r);
        r = next;
    }
}

/* Free d's old tables now when no lock-free reader can hold them (d was
   never read so, or no other thread runs Toy code), else retire them. */
static void dict_release_tables(DictObject *d, int64_t *index, size_t index_size,
                                DictEntry *entries, size_t capacity) {
    if (__atomic_load_n(&d->seq, __ATOMIC_RELAXED) == 0 || (!index && !entries) ||
        ts_single_threaded() || gil_world_alone(ts_get())) {
        dict_free_tables(index, index_size, entries, capacity);
        return;
    }
    DictRetired *r = mem_alloc(sizeof *r);
    if (r == NULL) return; /* out of memory: the tables stay allocated (a leak, not a crash) */
    *r = (DictRetired){NULL, index, entries, index_size, capacity};
    pthread_mutex_lock(&dict_retired.mutex);
    r->next = dict_retired.list;
    dict_retired.list = r;
    pthread_mutex_unlock(&dict_retired.mutex);
}
#else
static inline void dict_release_tables(DictObject *d, int64_t *index, size_t index_size,
                                       DictEntry *entries, size_t capacity) {
    (void)d;
    dict_free_tables(index, index_size, entries, capacity);
}
#endif

/* Give d fresh empty tables with index_size slots. Old tables are the
   caller's business. 0 / -1 MemoryError. */
static inline int dict_alloc_tables(DictObject *d, size_t index_size) {
    size_t capacity = dict_usable(index_size);
    DictEntry *entries;
    int64_t *index = dict_tables_new(index_size, capacity, &entries);
    if (!index) {
        error_no_memory();
        return -1;
    }
    if (index_size == DICT_MIN_INDEX_SIZE) /* the usual size: a few stores, no call */
        for (size_t i = 0; i < DICT_MIN_INDEX_SIZE; i++) index[i] = DICT_EMPTY;
    else
        memset(index, 0xff, index_size * sizeof(int64_t)); /* all DICT_EMPTY */
    DICT_PUBLISH(d->index, index);
    DICT_PUBLISH(d->index_size, index_size);
    DICT_PUBLISH(d->entries, entries);
    DICT_PUBLISH(d->capacity, capacity);
    DICT_PUBLISH(d->nentries, (size_t)0);
    d->usable = capacity;
    return 0;
}

/* The first empty index slot on hash's probe path (the key is known absent
   and no dummies matter: used by resize and fresh insertions). */
static size_t dict_find_empty_slot(DictObject *d, int64_t hash) {
    size_t mask = d->index_size - 1;
    uint64_t perturb = (uint64_t)hash;
    size_t i = (size_t)hash & mask;
    while (d->index[i] != DICT_EMPTY) {
        i = dict_probe_next(i, &perturb, mask);
    }
    return i;
}

/* The index slot that refers to entry ix (which must be live). */
static size_t dict_find_slot_of_entry(DictObject *d, int64_t hash, int64_t ix) {
    size_t mask = d->index_size - 1;
    uint64_t perturb = (uint64_t)hash;
    size_t i = (size_t)hash & mask;
    while (d->index[i] != ix) {
        i = dict_probe_next(i, &perturb, mask);
    }
    return i;
}

/* Move d's live entries (if it has tables) into fresh tables of
   index_size slots, dropping holes, and release the old ones. Out of line:
   a dict's first tables (dict_resize) need none of it. */
static __attribute__((noinline)) int dict_rebuild(DictObject *d, size_t index_size) {
    int64_t *old_index = d->index;
    DictEntry *old_entries = d->entries;
    size_t old_index_size = d->index_size, old_capacity = d->capacity, old_n = d->nentries;
    if (dict_alloc_tables(d, index_size) < 0) return -1;
    DICT_PUBLISH(d->keys_version, 0u); /* the entries move */
    for (size_t i = 0; i < old_n; i++) {
        DictEntry *e = &old_entries[i];
        if (!e->key) continue;
        dict_entry_copy(&d->entries[d->nentries], e);
        DICT_PUBLISH(d->index[dict_find_empty_slot(d, e->hash)], (int64_t)d->nentries);
        DICT_PUBLISH(d->nentries, d->nentries + 1);
        d->usable--;
    }
    dict_release_tables(d, old_index, old_index_size, old_entries, old_capacity);
    return 0;
}

/* Give d tables with room for `minused` entries. A dict without tables
   (new, or cleared) that needs the smallest just gets them: nothing to
   move, and their size known here, so that making them is a few stores. */
static int dict_resize(DictObject *d, size_t minused) {
    if (!d->index && minused <= dict_usable(DICT_MIN_INDEX_SIZE))
        return dict_alloc_tables(d, DICT_MIN_INDEX_SIZE);
    size_t index_size = DICT_MIN_INDEX_SIZE;
    while (dict_usable(index_size) < minused) index_size <<= 1;
    return dict_rebuild(d, index_size);
}

/* ---- Lookup -------------------------------------------------------------- */

static inline int64_t dict_hash_of(Object *key) {
    if (is_str_exact(key)) { /* a subclass may define __hash__ */
        int64_t h = str_hash_cached(key);
        return h != -1 ? h : str_hash(key);
    }
    return object_hash(key);
}

/* Compare a stored key with a probe key of the same hash, with no user code
   for the common types: 1 equal, 0 not, -2 "needs the generic path". */
static inline int dict_keys_equal_fast(Object *stored, Object *key) {
    if (is_str_exact(stored) && is_str_exact(key)) return str_equal_same_hash(stored, key);
    if (TYPE(stored) == &int_type && TYPE(key) == &int_type)
        return int_equal(stored, key);
    return -2;
}

/* toy-ft: dict_lookup lets d's stripe go around a key's __eq__
   (dict_let_go: objlock_suspend, which may keep it held), and takes it
   back in dict_take_back. A
   change of d that the lookup is part of may have begun at seq 0 (d read
   under its lock only, and dict_write_begin leaves seq 0 alone). If d
   became readable without the lock meanwhile (another thread's attribute
   read or change made seq odd), that change would go on unmarked, and a
   lock-free reader would trust what it half did: so a change is marked
   open here, for good, since the change's dict_write_end, which saw seq 0,
   will not close it. Readers of d take its lock from then on. */
typedef struct {
    bool suspended; /* the stripe was given back */
    uint32_t seq0;  /* d's seq before */
} DictLetGo;

#ifdef TOY_FREE_THREADED
static inline DictLetGo dict_let_go(DictObject *d) {
    uint32_t seq0 = __atomic_load_n(&d->seq, __ATOMIC_RELAXED); /* read while held */
    return (DictLetGo){objlock_suspend(d), seq0};
}
static void dict_take_back(DictObject *d, DictLetGo g) {
    if (!g.suspended) return;
    objlock_resume(d, true);
    uint32_t now = d->seq;
    if (g.seq0 == 0 && (now & 1)) __atomic_store_n(&d->seq, now + 1, __ATOMIC_RELAXED);
}
#else
static inline DictLetGo dict_let_go(DictObject *d) { (void)d; return (DictLetGo){false, 0}; }
static inline void dict_take_back(DictObject *d, DictLetGo g) { (void)d, (void)g; }
#endif

/* Find key (whose hash is `hash`). Returns its entry number, DICT_EMPTY when
   absent, or DICT_ERROR. When slot is not NULL it receives the index slot
   holding the entry, or, when absent, the slot an insertion should use (the
   first dummy on the probe path, else the empty slot that ended it). */
static int64_t dict_lookup(DictObject *d, Object *key, int64_t hash, size_t *slot) {
restart:
    if (!d->index) return DICT_EMPTY;
    size_t mask = d->index_size - 1;
    uint64_t perturb = (uint64_t)hash;
    size_t i = (size_t)hash & mask;
    size_t free_slot = SIZE_MAX;
    bool ran_code = false; /* an __eq__ ran: the slots seen may be taken now */
    for (;;) {
        int64_t ix = d->index[i];
        if (ix == DICT_EMPTY) {
            /* After an __eq__ that inserted into d (without moving its
               tables), the free slot noted before it may hold the new key:
               look again for one that is empty now, as CPython does. */
            if (slot) *slot = ran_code ? dict_find_empty_slot(d, hash)
                            : free_slot != SIZE_MAX ? free_slot : i;
            return DICT_EMPTY;
        }
        if (ix == DICT_DUMMY) {
            if (free_slot == SIZE_MAX) free_slot = i;
        } else {
            DictEntry *e = &d->entries[ix];
            if (e->key == key) goto found;
            if (e->hash == hash) {
                int eq = dict_keys_equal_fast(e->key, key);
                if (eq == -2) {
                    /* User code may mutate d: hold the key, and start over
                       if the table was reallocated or this entry changed
                       meanwhile (the probe may be stale). Other changes
                       leave the probe valid; restarting on them could
                       loop forever when __eq__ adds keys each time (this
                       is CPython's rule). In toy-ft other threads may
                       change d meanwhile too: the stripe is let go around
                       the code, which may wait for them (objlock_suspend). */
                    DictEntry *entries = d->entries;
                    int64_t *index = d->index;
                    size_t index_size = d->index_size;
                    Object *stored = NEWREF(e->key);
                    ran_code = true;
                    DictLetGo g = dict_let_go(d);
                    eq = object_equal(stored, key);
                    dict_take_back(d, g);
                    bool moved = d->entries != entries || d->index != index ||
                                 d->index_size != index_size || d->entries[ix].key != stored;
                    if (!moved) {
                        DECREF(stored); /* d still holds it */
                    } else {
                        /* maybe the last reference, whose release may
                           run __del__: the stripe let go around it too */
                        g = dict_let_go(d);
                        DECREF(stored);
                        dict_take_back(d, g);
                    }
                    if (eq < 0) return DICT_ERROR;
                    if (moved) goto restart;
                }
                if (eq) goto found;
            }
        }
        i = dict_probe_next(i, &perturb, mask);
        continue;
    found:
        if (slot) *slot = i;
        return ix;
    }
}

/* Inlined into their callers: in the GIL build the lock calls are empty
   and dict_get_str is this lookup itself; in toy-ft the locked lookups
   (dict_get_str, dict_get_str_ref) make no second call. */
#define GET_STR_INLINE inline __attribute__((always_inline))
static GET_STR_INLINE int64_t dict_find_str(DictObject *d, Object *key) {
    if (d->used == 0) return -1;
    int64_t hash = str_hash_cached(key);
    if (hash == -1) hash = str_hash(key);
    size_t mask = d->index_size - 1;
    uint64_t perturb = (uint64_t)hash;
    size_t i = (size_t)hash & mask;
    for (;;) {
        int64_t ix = d->index[i];
        if (ix == DICT_EMPTY) return -1;
        if (ix >= 0) {
            DictEntry *e = &d->entries[ix];
            if (e->key == key) return ix;
            /* Interned keys match by pointer; others compare their text. */
            if (e->hash == hash && is_str(e->key) && str_equal(e->key, key)) return ix;
        }
        i = dict_probe_next(i, &perturb, mask);
    }
}

static GET_STR_INLINE Object *dict_get_str_unlocked(Object *dobj, Object *key) {
    DictObject *d = AS_DICT(dobj);
    int64_t ix = dict_find_str(d, key);
    return ix >= 0 ? d->entries[ix].value : NULL;
}

/* dict_find_str compares str keys by pointer and text only: no Toy code
   runs, so it holds the no-code lock (core/objlock.h), which a thread
   alone leaves out. */
int64_t dict_str_entry(Object *d, Object *key) {
    objlock_lock_nocode(d);
    int64_t ix = dict_find_str(AS_DICT(d), key);
    objlock_unlock_nocode(d);
    return ix;
}

/* The numbers dict_keys_version hands out (0 is "none"). Only the VM's
   specialiser asks for them. */
static uint32_t dict_next_keys_version = 1;

#ifndef TOY_FREE_THREADED
uint32_t dict_keys_version(Object *dobj) {
    DictObject *d = AS_DICT(dobj);
    if (d->keys_version == 0 && dict_next_keys_version != 0)
        d->keys_version = dict_next_keys_version++;
    return d->keys_version;
}

int dict_replace_at(Object *dobj, size_t ix, Object *key, Object *value) {
    DictObject *d = AS_DICT(dobj);
    if (ix >= d->nentries || d->entries[ix].key != key) return 0;
    if ((TYPE(value)->flags & TYPE_GC) && !gc_tracked_already(dobj))
        dict_maybe_track(d, key, value);
    d->version++;
    Object *old = d->entries[ix].value;
    uint32_t seq = dict_write_begin(d); /* toy-ft: callers hold the dict's lock */
    dict_entry_rebind(&d->entries[ix], NEWREF(value));
    dict_write_end(d, seq);
    DECREF(old);
    return 1;
}
#else
/* toy-ft: specialisers on several threads ask at once, each for the dicts
   it looks at: a number is taken by compare-and-swap (never past 0) and
   given under the dict's lock. The store is atomic because the VM reads a
   built-in type's dict's version without the lock (that dict never
   changes once threads run). */
static uint32_t take_keys_version(void) {
    uint32_t n = __atomic_load_n(&dict_next_keys_version, __ATOMIC_RELAXED);
    while (n != 0 && !__atomic_compare_exchange_n(&dict_next_keys_version, &n, n + 1, true,
                                                  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    return n;
}

uint32_t dict_keys_version(Object *dobj) {
    DictObject *d = AS_DICT(dobj);
    objlock_lock_nocode(dobj);
    uint32_t v = d->keys_version;
    if (v == 0 && (v = take_keys_version()) != 0)
        __atomic_store_n(&d->keys_version, v, __ATOMIC_RELAXED);
    objlock_unlock_nocode(dobj);
    return v;
}

/* Under the lock, which runs no Toy code, so that a thread alone leaves
   it out (objlock_lock_nocode); the old value is released after unlocking
   (it may run __del__). */
int dict_replace_at(Object *dobj, size_t ix, Object *key, Object *value) {
    DictObject *d = AS_DICT(dobj);
    objlock_lock_nocode(dobj);
    if (ix >= d->nentries || d->entries[ix].key != key) {
        objlock_unlock_nocode(dobj);
        return 0;
    }
    DictEntry *e = &d->entries[ix]; /* dict_maybe_track changes no table */
    if (__builtin_expect((TYPE(value)->flags & TYPE_GC) && !gc_tracked_already(dobj), 0))
        dict_maybe_track(d, key, value);
    d->version++;
    Object *old = e->value;
    uint32_t seq = dict_write_begin(d); /* lock-free readers retry meanwhile */
    dict_entry_rebind(e, NEWREF(value));
    dict_write_end(d, seq);
    objlock_unlock_nocode(dobj);
    DECREF(old);
    return 1;
}

/* dict_replace_at's swap (dict.h), under the same lock, taken for good:
   the inline swap in dict.h comes here only once threads run. Never
   inlined into it: the lock's call would make the swap save and restore
   registers on every store, threads or not. */
__attribute__((noinline)) Object *dict_swap_at_locked(Object *dobj, size_t ix, Object *key, Object *value) {
    DictObject *d = AS_DICT(dobj);
    objlock_lock(dobj);
    if (ix >= d->nentries || d->entries[ix].key != key) {
        objlock_unlock(dobj);
        return NULL;
    }
    DictEntry *e = &d->entries[ix];
    if (__builtin_expect((TYPE(value)->flags & TYPE_GC) && !gc_tracked_already(dobj), 0))
        dict_maybe_track(d, key, value);
    d->version++;
    Object *old = e->value;
    uint32_t seq = dict_write_begin(d);
    dict_entry_rebind(e, value);
    dict_write_end(d, seq);
    objlock_unlock(dobj);
    return old;
}
#endif

/* The eval loop's name lookup after its first probe, at slot i, found
   neither name nor an empty slot: the probe path goes on past deleted slots
   and entries whose hash differs (they cannot equal name), to an empty
   slot (absent) or name itself; an entry of the same hash that is not name
   (an equal string not interned) leaves it to dict_get_str. */
Object *dict_get_str_from(Object *dobj, Object *name, size_t i) {
    DictObject *d = AS_DICT(dobj);
    int64_t hash = str_hash_cached(name);
    size_t mask = d->index_size - 1;
    uint64_t perturb = (uint64_t)hash;
    int64_t ix = d->index[i];
    while (ix == DICT_DUMMY || (ix >= 0 && d->entries[ix].hash != hash)) {
        i = dict_probe_next(i, &perturb, mask);
        ix = d->index[i];
        if (ix >= 0 && d->entries[ix].key == name)
            return d->entries[ix].value;
    }
    return ix == DICT_EMPTY ? NULL : dict_get_str(dobj, name);
}

/* toy-ft: the lookup holds the dict's lock (core/objlock.h; the no-code
   one, as dict_str_entry), so that it never reads tables a resize is
   freeing; a borrowed result is only as safe as the caller's knowledge
   that no other thread replaces it. */
Object *dict_get_str(Object *dobj, Object *key) {
    objlock_lock_nocode(dobj);
    Object *v = dict_get_str_unlocked(dobj, key);
    objlock_unlock_nocode(dobj);
    return v;
}

/* In toy-ft the reference taken here may make the value immortal (a
   function or class that a second thread loads): the entry then says so,
   and dict_read_ref answers for it from then on without the lock. That
   needs no change of seq: the entry holds the same value, immortal for
   good, and every rebinding sets value_immortal anew. */
Object *dict_get_str_ref(Object *dobj, Object *key) {
    DictObject *d = AS_DICT(dobj);
    objlock_lock_nocode(d); /* neither the lookup nor the settling runs Toy code */
    int64_t ix = dict_find_str(d, key);
    Object *v = ix >= 0 ? d->entries[ix].value : NULL;
    if (v) {
        INCREF(v);
#ifdef TOY_FREE_THREADED
        dict_read_settle(d, (size_t)ix, v);
#endif
    }
    objlock_unlock_nocode(d);
    return v;
}

/* dict_lookup for as far as it runs no Toy code: the entry number,
   DICT_EMPTY, or DICT_NEEDS_CODE at the first key of the same hash that
   only a user __eq__ can compare (then nothing is known, and the caller
   looks again with dict_lookup). Most lookups (str and int keys) end
   here, in a loop that keeps no free slot and never restarts. In toy-ft
   it runs under objlock_lock_nocode, which a thread alone leaves out: its
   compare-and-swap and the stripe's hold are only needed for an __eq__
   that may start a thread (core/objlock.h). */
static inline __attribute__((always_inline)) int64_t dict_probe_nocode(DictObject *d, Object *key,
                                                                       int64_t hash) {
    if (!d->index) return DICT_EMPTY;
    size_t mask = d->index_size - 1;
    uint64_t perturb = (uint64_t)hash;
    size_t i = (size_t)hash & mask;
    for (;;) {
        int64_t ix = d->index[i];
        if (ix == DICT_EMPTY) return DICT_EMPTY;
        if (ix >= 0) {
            DictEntry *e = &d->entries[ix];
            if (e->key == key) return ix;
            if (e->hash == hash) {
                int eq = dict_keys_equal_fast(e->key, key);
                if (eq == -2) return DICT_NEEDS_CODE;
                if (eq) return ix;
            }
        }
        i = dict_probe_next(i, &perturb, mask);
    }
}

static Object *dict_lookup_value(Object *d, Object *key, int64_t hash) {
    objlock_lock_nocode(d);
    int64_t probe = dict_probe_nocode(AS_DICT(d), key, hash);
    Object *found = probe >= 0 ? AS_DICT(d)->entries[probe].value : NULL;
    objlock_unlock_nocode(d);
    if (probe != DICT_NEEDS_CODE) return found;
    objlock_lock(d);
    int64_t ix = dict_lookup(AS_DICT(d), key, hash, NULL);
    Object *v = ix >= 0 ? AS_DICT(d)->entries[ix].value : NULL;
    objlock_unlock(d);
    return v;
}

/* The same, as a new reference taken under the lock. */
static Object *dict_lookup_value_ref(Object *d, Object *key, int64_t hash) {
    objlock_lock_nocode(d);
    int64_t probe = dict_probe_nocode(AS_DICT(d), key, hash);
    Object *found = probe >= 0 ? NEWREF(AS_DICT(d)->entries[probe].value) : NULL;
    objlock_unlock_nocode(d);
    if (probe != DICT_NEEDS_CODE) return found;
    objlock_lock(d);
    int64_t ix = dict_lookup(AS_DICT(d), key, hash, NULL);
    Object *v = ix >= 0 ? NEWREF(AS_DICT(d)->entries[ix].value) : NULL;
    objlock_unlock(d);
    return v;
}

Object *dict_get_item_ref(Object *d, Object *key) {
    int64_t hash = dict_hash_of(key);
    if (hash == -1) return NULL;
    return dict_lookup_value_ref(d, key, hash);
}

Object *dict_get_item(Object *d, Object *key) {
    int64_t hash = dict_hash_of(key);
    if (hash == -1) return NULL;
    return dict_lookup_value(d, key, hash);
}

Object *dict_get_item_cstr(Object *d, const char *key) {
    Object *k = str_intern_cstr(key);
    if (!k) return NULL;
    Object *v = dict_get_str(d, k);
    DECREF(k);
    return v;
}

/* ---- Mutation ------------------------------------------------------------ */

Object *dict_new(void) {
    return object_alloc(&dict_type, sizeof(DictObject));
}

/* An untracked dict is about to hold key and value, one of them a
   container: track it unless each is an untracked tuple or a static one. */
__attribute__((noinline)) void dict_maybe_track(DictObject *d, Object *key, Object *value) {
    if (gc_may_be_tracked(key) || gc_may_be_tracked(value)) gc_track((Object *)d);
}

/* A new entry for key -> value (both borrowed) at the end of the entries,
   named by the empty index slot `slot` on its probe path; there is room.
   Every insertion of a new key ends here, so the key bits, the versions
   and the order of the publishing stores (toy-ft's lock-free readers see
   a filled entry before the index names it) are kept in one place. */
static inline void dict_append_entry(DictObject *d, size_t slot, Object *key, Object *value,
                                     int64_t hash) {
    INCREF_LIKELY_IMMORTAL(key); /* most often an attribute's name, interned */
    dict_entry_set(&d->entries[d->nentries], key, NEWREF(value), hash);
    dict_note_key(d, hash);
    DICT_PUBLISH(d->index[slot], (int64_t)d->nentries);
    DICT_PUBLISH(d->nentries, d->nentries + 1);
    d->usable--;
    d->used++;
    d->version++;
    DICT_PUBLISH(d->keys_version, 0u);
}

/* d is about to hold key and value (both borrowed). Storing atoms (str,
   int, ...) costs one test here, a container into a tracked dict two
   (gc_tracked_already, objects/gc.h, says when d is). */
static inline void dict_track_for(DictObject *d, Object *key, Object *value) {
    if (((TYPE(key)->flags | TYPE(value)->flags) & TYPE_GC) &&
        !gc_tracked_already((Object *)d))
        dict_maybe_track(d, key, value);
}

/* Add key, which dict_lookup just found absent, naming `slot` for it.
   Inlined: the insertion path of every new key. */
static inline __attribute__((always_inline)) int
dict_insert_absent(DictObject *d, Object *key, int64_t hash, Object *value, size_t slot) {
    if (!d->index || d->usable == 0) {
        /* Room to double; a table full of holes may shrink instead. */
        if (dict_resize(d, d->used * 2 + 1) < 0) return -1;
        slot = dict_find_empty_slot(d, hash);
    }
    dict_append_entry(d, slot, key, value, hash);
    return 0;
}

/* Set key -> value with a known hash (both borrowed). A value replaced is
   handed back in *old, for the caller to release once the lock is
   dropped: its release may run __del__, which must not run under the
   dict's lock. */
static int dict_insert_unlocked(DictObject *d, Object *key, int64_t hash, Object *value,
                                Object **old) {
    dict_track_for(d, key, value);
    size_t slot = 0;
    int64_t ix = dict_lookup(d, key, hash, &slot);
    if (ix == DICT_ERROR) return -1;
    if (ix >= 0) {
        d->version++;
        *old = d->entries[ix].value;
        dict_entry_rebind(&d->entries[ix], NEWREF(value));
        return 0;
    }
    return dict_insert_absent(d, key, hash, value, slot);
}

static int dict_insert(DictObject *d, Object *key, int64_t hash, Object *value) {
    Object *old = NULL;
    uint32_t seq = dict_lock_write(d);
    int rc = dict_insert_unlocked(d, key, hash, value, &old);
    dict_unlock_write(d, seq);
    XDECREF(old);
    return rc;
}

int dict_set_item(Object *d, Object *key, Object *value) {
    int64_t hash = dict_hash_of(key);
    if (hash == -1) return -1;
    return dict_insert(AS_DICT(d), key, hash, value);
}

/* d[key] = value when key is an exact str with its hash cached (an
   attribute name) that the probe shows absent: the new entry is written
   with no call, where dict_set_item hashes, looks up with the comparisons
   any key may need and resizes. A fresh dict gets its first tables here.
   1 done; 0 when dict_set_item must do it (key present, a deleted slot or
   an equal hash on the path, a full table: nothing changed); -1
   MemoryError. The caller holds d's lock (toy-ft). Always inlined: a
   call here would save and restore five registers on every new
   attribute. */
static inline __attribute__((always_inline)) int
dict_add_str_unlocked(DictObject *d, Object *key, int64_t hash, Object *value) {
    if (!d->index) {
        if (dict_alloc_tables(d, DICT_MIN_INDEX_SIZE) < 0) return -1;
    } else if (d->usable == 0) {
        return 0;
    }
    size_t mask = d->index_size - 1;
    uint64_t perturb = (uint64_t)hash;
    size_t i = (size_t)hash & mask;
    for (int64_t ix; (ix = d->index[i]) != DICT_EMPTY; i = dict_probe_next(i, &perturb, mask))
        if (ix == DICT_DUMMY || d->entries[ix].hash == hash) return 0;
    if ((TYPE(value)->flags & TYPE_GC) && !gc_tracked_already((Object *)d))
        dict_maybe_track(d, key, value);
    dict_append_entry(d, i, key, value, hash);
    return 1;
}

/* dict_add_str_unlocked once threads run: under d's lock, the change
   opened and closed for the readers without it. Never inlined, so that a
   thread alone saves no register for the lock's calls. */
static __attribute__((noinline)) int dict_add_str_locked(DictObject *d, Object *key,
                                                         int64_t hash, Object *value) {
    uint32_t seq = dict_lock_write_nocode(d); /* pointers and hashes compared only */
    int r = dict_add_str_unlocked(d, key, hash, value);
    dict_unlock_write_nocode(d, seq);
    return r;
}

int dict_add_str(Object *dobj, Object *key, Object *value) {
    DictObject *d = AS_DICT(dobj);
    int64_t hash = is_str_exact(key) ? str_hash_cached(key) : -1;
    if (hash == -1) return dict_set_item(dobj, key, value);
    /* A thread alone (the addition runs no Toy code, so none can start
       meanwhile) takes no lock, and opens no change: nobody can read d
       until the stores are done (a thread started later sees them, as
       dict_swap_at explains). */
    int r = objlock_nocode_skips() ? dict_add_str_unlocked(d, key, hash, value)
                                   : dict_add_str_locked(d, key, hash, value);
    if (r == 0) return dict_set_item(dobj, key, value);
    return r < 0 ? -1 : 0;
}

int dict_set_item_cstr(Object *d, const char *key, Object *value) {
    Object *k = str_intern_cstr(key);
    if (!k) return -1;
    int rc = dict_add_str(d, k, value);
    DECREF(k);
    return rc;
}

/* Remove the entry at index slot `slot` (entry number ix), handing its key
   and value references to the caller. */
static void dict_unlink(DictObject *d, size_t slot, int64_t ix, Object **key, Object **value) {
    DictEntry *e = &d->entries[ix];
    *key = e->key;
    *value = e->value;
    DICT_PUBLISH(e->key, NULL);
    DICT_PUBLISH(e->value, NULL);
    DICT_PUBLISH(d->index[slot], (int64_t)DICT_DUMMY);
    d->used--;
    d->version++;
    DICT_PUBLISH(d->keys_version, 0u);
}

/* Find and unlink key: 1 found (references in *k, *v), 0 absent, -1 error. */
/* Unlink key's entry (only if its value is `only`, when that is not NULL),
   handing its key and value to the caller: 1, 0 when absent (or another
   value), -1 error. */
static int dict_pop_entry(DictObject *d, Object *key, Object *only, Object **k, Object **v) {
    int64_t hash = dict_hash_of(key);
    if (hash == -1) return -1;
    size_t slot;
    uint32_t seq = dict_lock_write(d);
    int64_t ix = dict_lookup(d, key, hash, &slot);
    if (ix >= 0 && only && d->entries[ix].value != only) ix = DICT_EMPTY;
    if (ix >= 0) dict_unlink(d, slot, ix, k, v);
    dict_unlock_write(d, seq);
    if (ix == DICT_ERROR) return -1;
    return ix >= 0;
}

int dict_del_item_if_is(Object *d, Object *key, Object *value) {
    Object *k, *v;
    int rc = dict_pop_entry(AS_DICT(d), key, value, &k, &v);
    if (rc == 1) {
        DECREF(k);
        DECREF(v);
    }
    return rc;
}

int dict_del_item(Object *d, Object *key, bool raise_missing) {
    Object *k, *v;
    int rc = dict_pop_entry(AS_DICT(d), key, NULL, &k, &v);
    if (rc < 0) return -1;
    if (rc == 0) {
        if (!raise_missing) return 1;
        error_set_object(&exc_KeyError, key);
        return -1;
    }
    DECREF(k);
    DECREF(v);
    return 0;
}

/* Release the keys and values of the first n entries of tables already
   taken off their dict (a release may run code that looks at it). */
static inline __attribute__((always_inline)) void dict_release_entries(DictEntry *entries,
                                                                      size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!entries[i].key) continue;
        DECREF_LIKELY_IMMORTAL(entries[i].key); /* most often an attribute's name */
        DECREF(entries[i].value);
    }
}

void dict_clear(Object *dobj) {
    DictObject *d = AS_DICT(dobj);
    /* Detach the tables first: releasing a key or value may run code that
       uses this dict, which must then see it empty. The detaching runs
       no code. */
    uint32_t seq = dict_lock_write_nocode(d);
    int64_t *index = d->index;
    DictEntry *entries = d->entries;
    size_t index_size = d->index_size, capacity = d->capacity, n = d->nentries;
    DICT_PUBLISH(d->index, NULL);
    DICT_PUBLISH(d->entries, NULL);
    DICT_PUBLISH(d->index_size, (size_t)0);
    DICT_PUBLISH(d->capacity, (size_t)0);
    DICT_PUBLISH(d->nentries, (size_t)0);
    d->usable = 0;
    d->used = 0;
    dict_forget_keys(d);
    d->version++;
    DICT_PUBLISH(d->keys_version, 0u);
    dict_unlock_write_nocode(d, seq);
    dict_release_entries(entries, n);
    dict_release_tables(d, index, index_size, entries, capacity);
}

/* A dict whose count has reached zero is reached by nobody: every reader,
   with the lock or without it, reads it through a reference it holds (a
   frame's function and its module, a class, an instance, the dict
   itself), and the collector has let it go (object_dealloc). So, unlike
   dict_clear, its teardown takes no lock and publishes nothing (toy-ft),
   and its tables are freed now, not retired until the world stops
   (dict_release_tables): four threads that each made and dropped objects
   whose attributes had been read lock-free spent most of their time
   retiring tables under one mutex. The tables are detached before the
   entries are released all the same, so that no code those releases run
   could find them through a stale pointer. */
static void dict_dealloc(Object *self) {
    if (!list_trashcan_enter(self)) return; /* deeply nested: freed later */
    DictObject *d = AS_DICT(self);
    int64_t *index = d->index;
    DictEntry *entries = d->entries;
    size_t index_size = d->index_size, capacity = d->capacity, n = d->nentries;
    d->index = NULL;
    d->entries = NULL;
    d->nentries = d->used = 0;
    dict_release_entries(entries, n);
    dict_free_tables(index, index_size, entries, capacity);
    object_free(self, TYPE(self)->instance_size);
    list_trashcan_leave();
}

/* Loads only, under the no-code lock. */
bool dict_next(Object *dobj, size_t *pos, Object **key, Object **value) {
    DictObject *d = AS_DICT(dobj);
    objlock_lock_nocode(d);
    while (*pos < d->nentries) {
        DictEntry *e = &d->entries[(*pos)++];
        if (e->key) {
            if (key) *key = e->key;
            if (value) *value = e->value;
            objlock_unlock_nocode(d);
            return true;
        }
    }
    objlock_unlock_nocode(d);
    return false;
}

/* The next live entry from *pos: new references to its key and value,
   and its hash, taken under the lock. */
static bool dict_next_entry(DictObject *d, size_t *pos, Object **key, Object **value,
                            int64_t *hash) {
    objlock_lock_nocode(d);
    while (*pos < d->nentries) {
        DictEntry *e = &d->entries[(*pos)++];
        if (e->key) {
            *key = NEWREF(e->key);
            *value = NEWREF(e->value);
            *hash = e->hash;
            objlock_unlock_nocode(d);
            return true;
        }
    }
    objlock_unlock_nocode(d);
    return false;
}

bool dict_next_ref(Object *d, size_t *pos, Object **key, Object **value) {
    int64_t hash;
    return dict_next_entry(AS_DICT(d), pos, key, value, &hash);
}

/* Insert every entry of the dict `src` into d (keys already hashed). */
static int dict_merge_dict(DictObject *d, DictObject *src) {
    /* Inserting can run code that mutates src: each entry is read, and
       counted, under src's lock (dict_next_entry). */
    size_t pos = 0;
    Object *key, *value;
    int64_t hash;
    while (dict_next_entry(src, &pos, &key, &value, &hash)) {
        int rc = dict_insert(d, key, hash, value);
        DECREF(key);
        DECREF(value);
        if (rc < 0) return -1;
    }
    return 0;
}

static int64_t dict_len(Object *self);

Object *dict_copy(Object *dobj) {
    DictObject *src = AS_DICT(dobj);
    DictObject *d = AS_DICT(dict_new());
    if (!d) return NULL;
    size_t used = (size_t)dict_len(dobj); /* toy-ft: read under the lock */
    if (used > 0 && (dict_resize(d, used) < 0 || dict_merge_dict(d, src) < 0)) {
        DECREF(d);
        return NULL;
    }
    return (Object *)d;
}

/* Add one (key, value) pair taken from element #index of an update sequence. */
static int dict_update_pair(DictObject *d, Object *pair, size_t index) {
    Object *seq;
    if (is_tuple_exact(pair) || is_list_exact(pair)) {
        seq = NEWREF(pair);
    } else {
        Object *it = object_iter(pair);
        if (!it) {
            if (error_matches(&exc_TypeError))
                error_set(&exc_TypeError,
                          "cannot convert dictionary update sequence element #%zu to a sequence",
                          index);
            return -1;
        }
        seq = list_from_iterable(it);
        DECREF(it);
        if (!seq) return -1;
    }
    size_t n = is_tuple_exact(seq) ? tuple_size(seq) : list_size(seq);
    int rc = -1;
    if (n != 2) {
        error_set(&exc_ValueError,
                  "dictionary update sequence element #%zu has length %zu; 2 is required",
                  index, n);
    } else {
        Object *k = is_tuple_exact(seq) ? tuple_item(seq, 0) : list_item(seq, 0);
        Object *v = is_tuple_exact(seq) ? tuple_item(seq, 1) : list_item(seq, 1);
        INCREF(k);
        INCREF(v);
        rc = dict_set_item((Object *)d, k, v);
        DECREF(k);
        DECREF(v);
    }
    DECREF(seq);
    return rc;
}

static int dict_update_from_pairs(DictObject *d, Object *pairs) {
    Object *it = object_iter(pairs);
    if (!it) return -1;
    for (size_t index = 0;; index++) {
        Object *pair = object_next(it);
        if (!pair) break;
        int rc = dict_update_pair(d, pair, index);
        DECREF(pair);
        if (rc < 0) {
            DECREF(it);
            return -1;
        }
    }
    DECREF(it);
    return error_occurred() ? -1 : 0;
}

/* A non-dict mapping: for k in m.keys(): d[k] = m[k]. */
static int dict_update_from_mapping(DictObject *d, Object *mapping, Object *keys_method) {
    Object *keys = object_call0(keys_method);
    if (!keys) return -1;
    Object *it = object_iter(keys);
    DECREF(keys);
    if (!it) return -1;
    Object *k;
    while ((k = object_next(it)) != NULL) {
        Object *v = object_getitem(mapping, k);
        int rc = v ? dict_set_item((Object *)d, k, v) : -1;
        XDECREF(v);
        DECREF(k);
        if (rc < 0) {
            DECREF(it);
            return -1;
        }
    }
    DECREF(it);
    return error_occurred() ? -1 : 0;
}

int dict_update(Object *d, Object *other) {
    if (dict_is_plain_mapping(other)) return dict_merge_dict(AS_DICT(d), AS_DICT(other));
    Object *keys_name = str_intern_cstr("keys");
    if (!keys_name) return -1;
    int has_keys = object_hasattr(other, keys_name);
    Object *keys_method = has_keys == 1 ? object_getattr(other, keys_name) : NULL;
    DECREF(keys_name);
    if (has_keys < 0 || (has_keys == 1 && !keys_method)) return -1;
    if (keys_method) {
        int rc = dict_update_from_mapping(AS_DICT(d), other, keys_method);
        DECREF(keys_method);
        return rc;
    }
    return dict_update_from_pairs(AS_DICT(d), other);
}

/* update(d, [other], **kwargs): the shared body of dict() and dict.update. */
static int dict_update_args(Object *d, const char *name, Object *const *args, size_t nargs,
                            Object *kwnames) {
    if (nargs > 1) {
        error_set(&exc_TypeError, "%s expected at most 1 argument, got %zu", name, nargs);
        return -1;
    }
    if (nargs == 1 && dict_update(d, args[0]) < 0) return -1;
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    for (size_t i = 0; i < nkw; i++)
        if (dict_set_item(d, tuple_item(kwnames, i), args[nargs + i]) < 0) return -1;
    return 0;
}

Object *dict_keys_list(Object *dobj) {
    Object *list = list_new(0);
    size_t pos = 0;
    Object *key, *value;
    while (list && dict_next_ref(dobj, &pos, &key, &value)) {
        DECREF(value);
        if (list_append_steal(list, key) < 0) CLEAR(&list);
    }
    return list;
}

/* ---- Slots --------------------------------------------------------------- */

/* dict.__init__(self, [mapping or pairs], **kwargs): adds to the dict,
   without calling a subclass's __setitem__ (as in CPython). */
static Object *dict_init_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (dict_update_args(self, "dict", args, nargs, kwnames) < 0) return NULL;
    return NEWREF(None);
}

/* dict(...), or cls(...) for a subclass without an __init__ of its own. */
static Object *dict_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    Object *d = type == &dict_type ? dict_new() : object_alloc(type, type->instance_size);
    if (!d) return NULL;
    if (dict_update_args(d, "dict", args, nargs, kwnames) < 0) {
        DECREF(d);
        return NULL;
    }
    return d;
}

static Object *dict_repr(Object *self) {
    if (dict_len(self) == 0) return str_from_cstr("{}");
    int seen = list_repr_enter(self);
    if (seen != 0) return seen > 0 ? str_from_cstr("{...}") : NULL;

    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_char(&b, '{');
    bool first = true;
    /* A key's or value's repr may mutate the dict: walk by position. */
    size_t pos = 0;
    Object *key, *value;
    while (dict_next_ref(self, &pos, &key, &value)) {
        Object *kr = object_repr(key);
        Object *vr = kr ? object_repr(value) : NULL;
        DECREF(key);
        DECREF(value);
        if (!vr) {
            XDECREF(kr);
            str_builder_discard(&b);
            list_repr_leave(self);
            return NULL;
        }
        if (!first) str_builder_add(&b, ", ", 2);
        first = false;
        str_builder_add_str(&b, kr);
        str_builder_add(&b, ": ", 2);
        str_builder_add_str(&b, vr);
        DECREF(kr);
        DECREF(vr);
    }
    str_builder_add_char(&b, '}');
    list_repr_leave(self);
    return str_builder_finish(&b);
}

/* a == b: same size, and every key of a maps to an equal value in b.
   1 / 0 / -1. */
static int dict_equal(DictObject *a, DictObject *b) {
    if (dict_len((Object *)a) != dict_len((Object *)b)) return 0;
    size_t pos = 0;
    Object *key, *value;
    int64_t hash;
    while (dict_next_entry(a, &pos, &key, &value, &hash)) {
        Object *other = dict_lookup_value_ref((Object *)b, key, hash);
        int eq = other ? object_equal(value, other) : (error_occurred() ? -1 : 0);
        XDECREF(other);
        DECREF(key);
        DECREF(value);
        if (eq <= 0) return eq;
    }
    return 1;
}

static Object *dict_richcompare(Object *a, Object *b, int op) {
    if (!is_instance_of(a, &dict_type) || !is_instance_of(b, &dict_type) ||
        (op != CMP_EQ && op != CMP_NE))
        return NEWREF(NotImplemented);
    int eq = dict_equal(AS_DICT(a), AS_DICT(b));
    if (eq < 0) return NULL;
    return bool_from((eq == 1) == (op == CMP_EQ));
}

size_t dict_size_locked(Object *d) {
    objlock_lock_nocode(d);
    size_t n = AS_DICT(d)->used;
    objlock_unlock_nocode(d);
    return n;
}

static int64_t dict_len(Object *self) { return (int64_t)dict_size_locked(self); }

static Object *dict_getitem(Object *self, Object *key) {
    int64_t hash = dict_hash_of(key);
    if (hash == -1) return NULL;
    Object *v = dict_lookup_value_ref(self, key, hash);
    if (v) return v;
    if (error_occurred()) return NULL;
    if (TYPE(self) != &dict_type) { /* a subclass may define __missing__ */
        Object *missing = type_lookup_cstr(TYPE(self), "__missing__");
        if (missing) return object_call2(missing, self, key);
    }
    return error_set_object(&exc_KeyError, key);
}

static int dict_setitem(Object *self, Object *key, Object *value) {
    if (!value) return dict_del_item(self, key, true);
    return dict_set_item(self, key, value);
}

static int dict_contains(Object *self, Object *key) {
    int64_t hash = dict_hash_of(key);
    if (hash == -1) return -1;
    objlock_lock_nocode(self);
    int64_t probe = dict_probe_nocode(AS_DICT(self), key, hash);
    objlock_unlock_nocode(self);
    if (probe != DICT_NEEDS_CODE) return probe >= 0;
    objlock_lock(self);
    int64_t ix = dict_lookup(AS_DICT(self), key, hash, NULL);
    objlock_unlock(self);
    return ix == DICT_ERROR ? -1 : ix >= 0;
}

/* ---- Iterators ------------------------------------------------------------
 * One struct for the key, value and item iterators (forward and reverse);
 * the type says what each step yields. */

typedef struct {
    Object base;
    Object *dict;      /* owned; NULL once exhausted (toy-ft: kept, core/iterstate.h) */
    size_t pos;        /* next entry to look at (reverse: one past it);
                          ITER_SPENT once exhausted in toy-ft */
    size_t used;       /* d->used when iteration started */
    size_t remaining;  /* items still expected */
    Object *result;    /* items: a reusable (key, value) tuple, or NULL */
} DictIterObject;

static Object *dict_make_iter(Object *dict, Type *type, bool reverse) {
    DictIterObject *it = (DictIterObject *)object_alloc(type, sizeof(DictIterObject));
    if (!it) return NULL;
    DictObject *d = AS_DICT(dict);
    it->dict = NEWREF(dict);
    objlock_lock_nocode(d); /* toy-ft: the size and the end read together */
    it->pos = reverse ? d->nentries : 0;
    it->used = d->used;
    objlock_unlock_nocode(d);
    it->remaining = it->used;
    return (Object *)it;
}

/* The next live entry, or NULL (exhausted or RuntimeError). Runs under the
   dict's lock, which in toy-ft every thread stepping the iterator takes. */
static DictEntry *dict_iter_step(DictIterObject *it, bool reverse) {
    if (iter_spent(it->dict, &it->pos)) return NULL;
    DictObject *d = AS_DICT(it->dict);
    if (d->used != it->used) {
        error_set(&exc_RuntimeError, "dictionary changed size during iteration");
        it->used = SIZE_MAX; /* keep failing, as Python does */
        return NULL;
    }
    DictEntry *e = NULL;
    if (reverse) {
        if (it->pos > d->nentries) it->pos = d->nentries;
        while (it->pos > 0 && !(e = &d->entries[--it->pos])->key) e = NULL;
    } else {
        while (it->pos < d->nentries && !(e = &d->entries[it->pos++])->key) e = NULL;
    }
    if (e && it->remaining == 0) {
        /* Same size but different keys: something was deleted and added. */
        error_set(&exc_RuntimeError, "dictionary keys changed during iteration");
        e = NULL;
    }
    if (!e) {
        iter_exhaust(&it->dict, &it->pos);
        return NULL;
    }
    it->remaining--;
    return e;
}

/* A (key, value) tuple; the previous one is reused when nobody else holds
   it, so `for k, v in d.items()` allocates nothing per step. */
static Object *dict_item_pair(DictIterObject *it, Object *key, Object *value) {
    Object *t = it->result;
    if (t && REFCNT_IS(t, 1)) {
        Object *old_k = tuple_item(t, 0), *old_v = tuple_item(t, 1);
        tuple_set_steal(t, 0, NEWREF(key));
        tuple_set_steal(t, 1, NEWREF(value));
        ((TupleObject *)t)->hash = -1;
        DECREF(old_k);
        DECREF(old_v);
        return NEWREF(t);
    }
    t = tuple_pack(2, key, value);
    if (!t) return NULL;
    SETREF(&it->result, NEWREF(t));
    return t;
}

/* What a dict iterator hands out. */
typedef enum { DICT_ITER_KEYS, DICT_ITER_VALUES, DICT_ITER_ITEMS } DictIterKind;

/* The next key, value or (key, value) of a dict iterator, in order or in
   reverse, read under the dict's lock; NULL at the end or with an error. */
static inline Object *dict_iter_next_as(Object *self, bool reverse, DictIterKind kind) {
    DictIterObject *it = (DictIterObject *)self;
    Object *d = it->dict;
    if (!d) return NULL;
    objlock_lock(d);
    DictEntry *e = dict_iter_step(it, reverse);
    Object *r = !e                        ? NULL
              : kind == DICT_ITER_KEYS   ? NEWREF(e->key)
              : kind == DICT_ITER_VALUES ? NEWREF(e->value)
                                         : dict_item_pair(it, e->key, e->value);
    objlock_unlock(d);
    return r;
}

static Object *dict_keyiter_next(Object *self) {
    return dict_iter_next_as(self, false, DICT_ITER_KEYS);
}
static Object *dict_valueiter_next(Object *self) {
    return dict_iter_next_as(self, false, DICT_ITER_VALUES);
}
static Object *dict_itemiter_next(Object *self) {
    return dict_iter_next_as(self, false, DICT_ITER_ITEMS);
}
static Object *dict_reverse_keyiter_next(Object *self) {
    return dict_iter_next_as(self, true, DICT_ITER_KEYS);
}
static Object *dict_reverse_valueiter_next(Object *self) {
    return dict_iter_next_as(self, true, DICT_ITER_VALUES);
}
static Object *dict_reverse_itemiter_next(Object *self) {
    return dict_iter_next_as(self, true, DICT_ITER_ITEMS);
}

static Object *dict_iter_self(Object *self) { return NEWREF(self); }

static int dict_iter_traverse(Object *self, VisitFunc visit, void *arg) {
    DictIterObject *it = (DictIterObject *)self;
    VISIT(it->dict);
    VISIT(it->result);
    return 0;
}

static void dict_iter_dealloc(Object *self) {
    DictIterObject *it = (DictIterObject *)self;
    XDECREF(it->dict);
    XDECREF(it->result);
    object_free(self, sizeof(DictIterObject));
}

#define DICT_ITER_TYPE(cname, pyname, next_fn)                                   \
    Type cname = {                                                               \
        TYPE_HEAD_INIT,                                                          \
        .name = pyname,                                                          \
        .base_type = &object_type,                                               \
        .instance_size = sizeof(DictIterObject),                                 \
        .flags = TYPE_GC,                                                        \
        .traverse = dict_iter_traverse,                                          \
        .dealloc = dict_iter_dealloc,                                            \
        .hash = object_identity_hash,                                            \
        .iter = dict_iter_self,                                                  \
        .iternext = next_fn,                                                     \
    }

DICT_ITER_TYPE(dict_keyiterator_type, "dict_keyiterator", dict_keyiter_next);
DICT_ITER_TYPE(dict_valueiterator_type, "dict_valueiterator", dict_valueiter_next);
DICT_ITER_TYPE(dict_itemiterator_type, "dict_itemiterator", dict_itemiter_next);
DICT_ITER_TYPE(dict_reversekeyiterator_type, "dict_reversekeyiterator",
               dict_reverse_keyiter_next);
DICT_ITER_TYPE(dict_reversevalueiterator_type, "dict_reversevalueiterator",
               dict_reverse_valueiter_next);
DICT_ITER_TYPE(dict_reverseitemiterator_type, "dict_reverseitemiterator",
               dict_reverse_itemiter_next);

static Object *dict_iter(Object *self) {
    return dict_make_iter(self, &dict_keyiterator_type, false);
}


/* ---- Views: d.keys(), d.values(), d.items() ------------------------------ */

typedef struct {
    Object base;
    Object *dict;  /* owned */
} DictViewObject;

#define VIEW_DICT(o) (((DictViewObject *)(o))->dict)

static Object *dict_view_new(Object *dict, Type *type) {
    DictViewObject *v = (DictViewObject *)object_alloc(type, sizeof(DictViewObject));
    if (!v) return NULL;
    v->dict = NEWREF(dict);
    return (Object *)v;
}

static int dict_view_traverse(Object *self, VisitFunc visit, void *arg) {
    VISIT(VIEW_DICT(self));
    return 0;
}

static void dict_view_dealloc(Object *self) {
    DECREF(VIEW_DICT(self));
    object_free(self, sizeof(DictViewObject));
}

static int64_t dict_view_len(Object *self) { return dict_len(VIEW_DICT(self)); }

/* dict_keys(['a', 'b']): the view's name around the repr of a list of its
   items (with the recursion guard, as a view can reach its own dict). */
static Object *dict_view_repr(Object *self) {
    int seen = list_repr_enter(self);
    if (seen != 0) return seen > 0 ? str_from_cstr("...") : NULL;
    Object *items = list_from_iterable(self);
    Object *r = items ? object_repr(items) : NULL;
    XDECREF(items);
    list_repr_leave(self);
    if (!r) return NULL;
    Object *s = str_from_format("%s(%s)", TYPE_NAME(self), str_data(r));
    DECREF(r);
    return s;
}

static Object *dict_keys_iter(Object *self) {
    return dict_make_iter(VIEW_DICT(self), &dict_keyiterator_type, false);
}

static Object *dict_values_iter(Object *self) {
    return dict_make_iter(VIEW_DICT(self), &dict_valueiterator_type, false);
}

static Object *dict_items_iter(Object *self) {
    return dict_make_iter(VIEW_DICT(self), &dict_itemiterator_type, false);
}

static int dict_keys_contains(Object *self, Object *key) {
    return dict_contains(VIEW_DICT(self), key);
}

/* (k, v) in d.items(): k maps to a value equal to v. */
static int dict_items_contains(Object *self, Object *item) {
    if (!is_tuple(item) || tuple_size(item) != 2) return 0;
    Object *v = dict_get_item(VIEW_DICT(self), tuple_item(item, 0));
    if (!v) return error_occurred() ? -1 : 0;
    INCREF(v);
    int eq = object_equal(v, tuple_item(item, 1));
    DECREF(v);
    return eq;
}

/* ---- Set operations of the keys and items views -------------------------- */

static bool dict_is_setview(Object *o) {
    return is_type(o, &dict_keys_type) || is_type(o, &dict_items_type);
}

/* Every item of a is in b: 1 / 0 / -1. */
static int dict_all_contained_in(Object *a, Object *b) {
    Object *it = object_iter(a);
    if (!it) return -1;
    int ok = 1;
    Object *x;
    while (ok == 1 && (x = object_next(it)) != NULL) {
        ok = object_contains(b, x);
        DECREF(x);
    }
    DECREF(it);
    return ok == 1 && error_occurred() ? -1 : ok;
}

/* Keys and items views compare with each other and with sets by inclusion,
   like sets. */
static Object *dict_setview_richcompare(Object *a, Object *b, int op) {
    if (!is_anyset(b) && !dict_is_setview(b)) return NEWREF(NotImplemented);
    int64_t la = object_len(a), lb = object_len(b);
    if (la < 0 || lb < 0) return NULL;
    int ok = 0;
    switch (op) {
    case CMP_EQ:
    case CMP_NE:
        if (la == lb) ok = dict_all_contained_in(a, b);
        if (op == CMP_NE && ok >= 0) ok = !ok;
        break;
    case CMP_LT: if (la < lb) ok = dict_all_contained_in(a, b); break;
    case CMP_LE: if (la <= lb) ok = dict_all_contained_in(a, b); break;
    case CMP_GT: if (la > lb) ok = dict_all_contained_in(b, a); break;
    default: if (la >= lb) ok = dict_all_contained_in(b, a); break;
    }
    return ok < 0 ? NULL : bool_from(ok);
}

/* set(o). A keys view is made from its dict, which sizes the set's table
   up front, as CPython does (the table size decides the order). */
static Object *dict_view_to_set(Object *o) {
    if (is_type(o, &dict_keys_type)) o = VIEW_DICT(o);
    return set_new(o);
}

/* view OP other (or other OP view): set(left operand) OP= the right one. */
static Object *dict_view_setop(Object *a, Object *b, BinaryOp op) {
    Object *r = dict_view_to_set(a);
    if (r && set_update_op(r, b, op) < 0) CLEAR(&r);
    return r;
}

static Object *dict_view_or(Object *a, Object *b) { return dict_view_setop(a, b, BINOP_OR); }
static Object *dict_view_sub(Object *a, Object *b) { return dict_view_setop(a, b, BINOP_SUB); }

/* view & other (either order): walks the smaller side when both are
   views, or defers to set.intersection for a set at least as big. */
static Object *dict_view_and(Object *a, Object *b) {
    Object *self = dict_is_setview(a) ? a : b, *other = self == a ? b : a;
    int64_t len_self = dict_view_len(self);
    if (is_set(other) && len_self <= (int64_t)set_size(other))
        return object_call_method(other, "intersection", &self, 1);
    if (dict_is_setview(other) && dict_view_len(other) > len_self) {
        Object *t = self;
        self = other;
        other = t;
    }
    Object *result = set_new(NULL);
    Object *it = result ? object_iter(other) : NULL;
    Object *x;
    while (it && (x = object_next(it)) != NULL) {
        int in = TYPE(self)->contains(self, x);
        int rc = in > 0 ? set_add(result, x) : in;
        DECREF(x);
        if (rc < 0) break;
    }
    XDECREF(it);
    if (error_occurred()) CLEAR(&result);
    return result;
}

/* d1.items() ^ d2.items(): the pairs of d2 whose key is missing from d1 or
   maps to another value there, then d1's pairs not matched that way. */
static Object *dict_items_xor(Object *a, Object *b) {
    Object *rest = dict_copy(VIEW_DICT(a));
    Object *result = rest ? set_new(NULL) : NULL;
    Object *it = result ? object_iter(b) : NULL;
    Object *pair;
    while (it && (pair = object_next(it)) != NULL) {
        Object *key = tuple_item(pair, 0), *v2 = tuple_item(pair, 1);
        Object *v1 = dict_get_item(rest, key);
        XINCREF(v1);
        int eq = v1 ? object_equal(v1, v2) : (error_occurred() ? -1 : 0);
        XDECREF(v1);
        int rc = eq < 0 ? -1 : eq ? dict_del_item(rest, key, true) : set_add(result, pair);
        DECREF(pair);
        if (rc < 0) break;
    }
    XDECREF(it);
    if (!error_occurred() && result) {
        Object *items = dict_view_new(rest, &dict_items_type);
        if (items && set_update(result, items) < 0) CLEAR(&result);
        XDECREF(items);
    }
    XDECREF(rest);
    if (error_occurred()) CLEAR(&result);
    return result;
}

static Object *dict_view_xor(Object *a, Object *b) {
    if (is_type(a, &dict_items_type) && is_type(b, &dict_items_type)) return dict_items_xor(a, b);
    return dict_view_setop(a, b, BINOP_XOR);
}

/* view.isdisjoint(other): walks the smaller side when other is set-like. */
static Object *dict_view_isdisjoint(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    char name[32];
    snprintf(name, sizeof name, "%s.isdisjoint", TYPE_NAME(self));
    if (args_check(name, nargs, kwnames, 1, 1) < 0) return NULL;
    Object *other = args[0];
    if (other == self) return bool_from(dict_view_len(self) == 0);
    if (is_anyset(other) || dict_is_setview(other)) {
        int64_t len_other = object_len(other);
        if (len_other < 0) return NULL;
        if (len_other > dict_view_len(self)) {
            Object *t = self;
            self = other;
            other = t;
        }
    }
    Object *it = object_iter(other);
    if (!it) return NULL;
    int in = 0;
    Object *x;
    while (in == 0 && (x = object_next(it)) != NULL) {
        in = object_contains(self, x);
        DECREF(x);
    }
    DECREF(it);
    if (in < 0 || error_occurred()) return NULL;
    return bool_from(in == 0);
}

static const MethodDef dict_setview_methods[] = {
    {"isdisjoint", dict_view_isdisjoint, "Return True if the view and the given iterable have a null intersection."},
    {NULL, NULL, NULL},
};

#define DICT_VIEW_TYPE(cname, pyname, iter_fn, contains_fn, compare_fn, hash_fn)  \
    Type cname = {                                                               \
        TYPE_HEAD_INIT,                                                          \
        .name = pyname,                                                          \
        .base_type = &object_type,                                               \
        .instance_size = sizeof(DictViewObject),                                 \
        .flags = TYPE_GC,                                                        \
        .traverse = dict_view_traverse,                                          \
        .dealloc = dict_view_dealloc,                                            \
        .repr = dict_view_repr,                                                  \
        .hash = hash_fn,                                                         \
        .richcompare = compare_fn,                                               \
        .iter = iter_fn,                                                         \
        .len = dict_view_len,                                                    \
        .contains = contains_fn,                                                 \
    }

/* Keys and items views are set-like: unhashable, with the set operators. */
#define DICT_SETVIEW_TYPE(cname, pyname, iter_fn, contains_fn)                   \
    Type cname = {                                                               \
        TYPE_HEAD_INIT,                                                          \
        .name = pyname,                                                          \
        .base_type = &object_type,                                               \
        .instance_size = sizeof(DictViewObject),                                 \
        .flags = TYPE_GC,                                                        \
        .traverse = dict_view_traverse,                                          \
        .methods = dict_setview_methods,                                         \
        .dealloc = dict_view_dealloc,                                            \
        .repr = dict_view_repr,                                                  \
        .hash = object_hash_not_implemented,                                     \
        .richcompare = dict_setview_richcompare,                                 \
        .iter = iter_fn,                                                         \
        .len = dict_view_len,                                                    \
        .contains = contains_fn,                                                 \
        .binary = {[BINOP_OR] = dict_view_or, [BINOP_AND] = dict_view_and,        \
                   [BINOP_SUB] = dict_view_sub, [BINOP_XOR] = dict_view_xor},     \
    }

DICT_SETVIEW_TYPE(dict_keys_type, "dict_keys", dict_keys_iter, dict_keys_contains);
/* A values view hashes by identity. */
DICT_VIEW_TYPE(dict_values_type, "dict_values", dict_values_iter, NULL, NULL,
               object_identity_hash);
DICT_SETVIEW_TYPE(dict_items_type, "dict_items", dict_items_iter, dict_items_contains);

Object *dict_reversed_iter(Object *o) {
    if (is_instance_of(o, &dict_type) || is_type(o, &dict_keys_type))
        return dict_make_iter(is_type(o, &dict_keys_type) ? VIEW_DICT(o) : o,
                              &dict_reversekeyiterator_type, true);
    if (is_type(o, &dict_values_type))
        return dict_make_iter(VIEW_DICT(o), &dict_reversevalueiterator_type, true);
    if (is_type(o, &dict_items_type))
        return dict_make_iter(VIEW_DICT(o), &dict_reverseitemiterator_type, true);
    return NULL;
}

/* ---- Methods ------------------------------------------------------------- */

static int dict_check_no_kwargs(const char *name, Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0) {
        error_set(&exc_TypeError, "dict.%s() takes no keyword arguments", name);
        return -1;
    }
    return 0;
}

static int dict_check_no_args(const char *name, size_t nargs, Object *kwnames) {
    if (dict_check_no_kwargs(name, kwnames) < 0) return -1;
    if (nargs != 0) {
        error_set(&exc_TypeError, "dict.%s() takes no arguments (%zu given)", name, nargs);
        return -1;
    }
    return 0;
}

static Object *dict_get_method(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    if (dict_check_no_kwargs("get", kwnames) < 0) return NULL;
    if (args_check("get", nargs, NULL, 1, 2) < 0) return NULL;
    Object *v = dict_get_item_ref(self, args[0]);
    if (v) return v;
    if (error_occurred()) return NULL;
    return NEWREF(nargs > 1 ? args[1] : None);
}

static Object *dict_keys_method(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)args;
    if (dict_check_no_args("keys", nargs, kwnames) < 0) return NULL;
    return dict_view_new(self, &dict_keys_type);
}

static Object *dict_values_method(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    (void)args;
    if (dict_check_no_args("values", nargs, kwnames) < 0) return NULL;
    return dict_view_new(self, &dict_values_type);
}

static Object *dict_items_method(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)args;
    if (dict_check_no_args("items", nargs, kwnames) < 0) return NULL;
    return dict_view_new(self, &dict_items_type);
}

static Object *dict_pop_method(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    if (dict_check_no_kwargs("pop", kwnames) < 0) return NULL;
    if (args_check("pop", nargs, NULL, 1, 2) < 0) return NULL;
    Object *k, *v;
    /* an empty dict answers without hashing the key, as CPython's does
       (toy-ft: the count read under the lock, as another thread may be
       popping too) */
    bool empty = dict_size_locked(self) == 0;
    int rc = empty ? 0 : dict_pop_entry(AS_DICT(self), args[0], NULL, &k, &v);
    if (rc < 0) return NULL;
    if (rc == 0) {
        if (nargs > 1) return NEWREF(args[1]);
        return error_set_object(&exc_KeyError, args[0]);
    }
    DECREF(k);
    return v;
}

static Object *dict_popitem_method(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)args;
    if (dict_check_no_args("popitem", nargs, kwnames) < 0) return NULL;
    DictObject *d = AS_DICT(self);
    Object *pair = tuple_new(2);
    if (!pair) return NULL;
    uint32_t seq = dict_lock_write(d);
    if (d->used == 0) {
        dict_unlock_write(d, seq);
        DECREF(pair);
        return error_set(&exc_KeyError, "popitem(): dictionary is empty");
    }
    /* The last live entry; trailing holes are trimmed so LIFO stays cheap. */
    size_t ix = d->nentries;
    while (!d->entries[ix - 1].key) ix--;
    DictEntry *e = &d->entries[ix - 1];
    size_t slot = dict_find_slot_of_entry(d, e->hash, (int64_t)(ix - 1));
    Object *k, *v;
    dict_unlink(d, slot, (int64_t)(ix - 1), &k, &v);
    DICT_PUBLISH(d->nentries, ix - 1);
    dict_unlock_write(d, seq);
    tuple_set_steal(pair, 0, k);
    tuple_set_steal(pair, 1, v);
    return pair;
}

static Object *dict_setdefault_method(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    if (dict_check_no_kwargs("setdefault", kwnames) < 0) return NULL;
    if (args_check("setdefault", nargs, NULL, 1, 2) < 0) return NULL;
    Object *dflt = nargs > 1 ? args[1] : None;
    int64_t hash = dict_hash_of(args[0]);
    if (hash == -1) return NULL;
    /* toy-ft: looked up and inserted under one hold, as one step but for
       a key's __eq__, around which the lookup lets the lock go */
    DictObject *d = AS_DICT(self);
    Object *key = args[0];
    size_t slot = 0;
    uint32_t seq = dict_lock_write(d);
    int64_t ix = dict_lookup(d, key, hash, &slot);
    Object *v = ix >= 0 ? NEWREF(d->entries[ix].value) : NULL;
    int rc = 0;
    if (ix == DICT_EMPTY) {
        dict_track_for(d, key, dflt);
        rc = dict_insert_absent(d, key, hash, dflt, slot);
    }
    dict_unlock_write(d, seq);
    if (v) return v;
    if (ix == DICT_ERROR || rc < 0) return NULL;
    return NEWREF(dflt);
}

static Object *dict_update_method(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    if (dict_update_args(self, "update", args, nargs, kwnames) < 0) return NULL;
    return NEWREF(None);
}

static Object *dict_copy_method(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)args;
    if (dict_check_no_args("copy", nargs, kwnames) < 0) return NULL;
    return dict_copy(self);
}

static Object *dict_clear_method(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)args;
    if (dict_check_no_args("clear", nargs, kwnames) < 0) return NULL;
    dict_clear(self);
    return NEWREF(None);
}

/* dict.fromkeys(iterable, value=None), a class method
   (dict_install_fromkeys): args[0] is the class. A subclass's instance is
   made by calling it and filled through its __setitem__, as in CPython. */
static Object *dict_fromkeys_method(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self;
    if (dict_check_no_kwargs("fromkeys", kwnames) < 0) return NULL;
    if (args_check("fromkeys", nargs - 1, NULL, 1, 2) < 0) return NULL;
    Object *cls = args[0], *value = nargs > 2 ? args[2] : None;
    Object *d = cls == (Object *)&dict_type ? dict_new() : object_call0(cls);
    if (!d) return NULL;
    bool plain = is_dict_exact(d);
    Object *it = object_iter(args[1]);
    Object *k;
    while (it && (k = object_next(it)) != NULL) {
        int rc = plain ? dict_set_item(d, k, value) : object_setitem(d, k, value);
        DECREF(k);
        if (rc < 0) break;
    }
    XDECREF(it);
    if (error_occurred()) CLEAR(&d);
    return d;
}

static Object *dict_reversed_method(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)args;
    if (args_check("dict.__reversed__", nargs, kwnames, 0, 0) < 0) return NULL;
    return dict_reversed_iter(self);
}

static const MethodDef dict_methods[] = {
    {"__reversed__", dict_reversed_method, "Return a reverse iterator over the dict keys."},
    {"__init__", dict_init_method, "Initialize self."},
    {"get", dict_get_method, "Return the value for key if key is in the dictionary, else default."},
    {"keys", dict_keys_method, "A set-like object providing a view on D's keys."},
    {"values", dict_values_method, "An object providing a view on D's values."},
    {"items", dict_items_method, "A set-like object providing a view on D's items."},
    {"pop", dict_pop_method, "Remove specified key and return the corresponding value."},
    {"popitem", dict_popitem_method, "Remove and return a (key, value) pair as a 2-tuple."},
    {"setdefault", dict_setdefault_method, "Insert key with a value of default if key is not in the dictionary."},
    {"update", dict_update_method, "Update D from dict/iterable E and F."},
    {"copy", dict_copy_method, "A shallow copy of D."},
    {"clear", dict_clear_method, "Remove all items from D."},
    {NULL, NULL, NULL},
};

/* d1 | d2: a new dict with d2's items over d1's (both dicts, as CPython). */
static Object *dict_or(Object *a, Object *b) {
    if (!is_instance_of(a, &dict_type) || !is_instance_of(b, &dict_type))
        return NEWREF(NotImplemented);
    Object *r = dict_copy(a);
    if (r && dict_update(r, b) < 0) CLEAR(&r);
    return r;
}

/* d |= other: other may be anything dict.update takes (a mapping or pairs). */
static Object *dict_ior(Object *a, Object *b) {
    if (dict_update(a, b) < 0) return NULL;
    return NEWREF(a);
}

static const MethodDef dict_fromkeys_def = {
    "fromkeys", dict_fromkeys_method,
    "Create a new dictionary with keys from iterable and values set to value."};

/* ---- The cycle collector's slots ------------------------------------------ */

static int dict_traverse(Object *self, VisitFunc visit, void *arg) {
    DictObject *d = AS_DICT(self);
    for (size_t i = 0; i < d->nentries; i++) {
        if (!d->entries[i].key) continue;
        VISIT(d->entries[i].value); /* value first, as CPython */
        VISIT(d->entries[i].key);
    }
    return 0;
}

bool dict_may_untrack(Object *self) {
    DictObject *d = AS_DICT(self);
    for (size_t i = 0; i < d->nentries; i++) {
        if (!d->entries[i].key) continue;
        if (gc_may_be_tracked(d->entries[i].value) || gc_may_be_tracked(d->entries[i].key))
            return false;
    }
    return true;
}

static int dict_gc_clear(Object *self) {
    dict_clear(self);
    return 0;
}

Type dict_type = {
    TYPE_HEAD_INIT,
    .name = "dict",
    .base_type = &object_type,
    .instance_size = sizeof(DictObject),
    .flags = TYPE_BASETYPE | TYPE_GC | TYPE_GC_UNTRACKED_AT_BIRTH,
    .methods = dict_methods,
    .dealloc = dict_dealloc,
    .repr = dict_repr,
    .hash = object_hash_not_implemented,
    .richcompare = dict_richcompare,
    .construct = dict_construct,
    .iter = dict_iter,
    .len = dict_len,
    .getitem = dict_getitem,
    .setitem = dict_setitem,
    .contains = dict_contains,
    .binary = {[BINOP_OR] = dict_or},
    .inplace = {[BINOP_OR] = dict_ior},
    .traverse = dict_traverse,
    .clear = dict_gc_clear,
};

int dict_install_fromkeys(void) {
    Object *f = builtin_new(&dict_fromkeys_def, (Object *)&dict_type);
    Object *m = f ? descr_classmethod_new(f) : NULL;
    int rc = m ? dict_set_item_cstr(dict_type.dict, "fromkeys", m) : -1;
    XDECREF(f);
    XDECREF(m);
    return rc;
}
