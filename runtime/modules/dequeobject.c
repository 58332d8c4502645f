/* dequeobject.c - collections.deque: a double-ended queue (see
 * collectionsmodule.h).
 *
 * The items live in a ring: an array whose capacity is a power of two, the
 * first item at `head`, item i at items[(head + i) & (capacity - 1)]. Adding
 * or removing at either end is O(1) (amortised: the ring doubles when full
 * and halves when a quarter full), and so is indexing, which CPython's
 * linked blocks make O(n) in the middle. A deque with a maxlen drops items
 * from the other end as new ones come in.
 *
 * `state` counts the changes of length and order. Iterators remember it and
 * raise CPython's "deque mutated during iteration" when it moved; the
 * methods that compare items (count, index, remove, `in`) check it after
 * every comparison, since a user's __eq__ may change the deque.
 *
 * toy-ft (core/objlock.h): every read or write of the ring takes the
 * deque's lock: the ends (append, appendleft, pop, popleft and the extends
 * built on them), len, clear, d[i], d[i] = v, del d[i], insert, reverse,
 * rotate, iteration steps, copies (a snapshot of new references taken
 * under the lock) and the searches. Indexes are converted before locking;
 * what a change drops is released after unlocking. The searches (count,
 * index, remove, `in`) fetch each item under the lock and compare it
 * unlocked, so the comparison may see another thread's change: that is
 * the "deque mutated during iteration" RuntimeError, as with a user's
 * __eq__ that changes the deque. remove takes out the item it compared
 * (found again by identity when the deque moved meanwhile).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/iterstate.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "modules/collectionsmodule.h"

typedef struct {
    Object base;
    Object **items;   /* the ring: capacity slots, size of them owned */
    size_t capacity;  /* a power of two, or 0 with items NULL */
    size_t head;      /* slot of item 0 */
    size_t size;
    int64_t maxlen;   /* -1: unbounded */
    uint64_t state;   /* bumped by every change of length or order */
} DequeObject;

#define DQ(o) ((DequeObject *)(o))
#define MIN_CAPACITY 8
#define UNUSED(x) (void)(x)

static inline Object **slot(DequeObject *d, size_t i) {
    return &d->items[(d->head + i) & (d->capacity - 1)];
}

static Object *deque_alloc(Type *type, int64_t maxlen) {
    DequeObject *d = (DequeObject *)object_alloc(type, sizeof(DequeObject));
    if (d) d->maxlen = maxlen;
    return (Object *)d;
}

/* Move the items into a ring of new_cap slots (new_cap >= size). */
static int resize(DequeObject *d, size_t new_cap) {
    Object **items = mem_alloc(new_cap * sizeof(Object *));
    if (!items) {
        error_no_memory();
        return -1;
    }
    for (size_t i = 0; i < d->size; i++) items[i] = *slot(d, i);
    if (d->items) mem_free(d->items, d->capacity * sizeof(Object *));
    d->items = items;
    d->capacity = new_cap;
    d->head = 0;
    return 0;
}

static int grow_if_full(DequeObject *d) {
    if (d->size < d->capacity) return 0;
    return resize(d, d->capacity ? d->capacity * 2 : MIN_CAPACITY);
}

static void shrink_if_sparse(DequeObject *d) {
    if (d->capacity > MIN_CAPACITY && d->size < d->capacity / 4)
        (void)resize(d, d->capacity / 2); /* on failure the bigger ring stays */
}

/* The item at one end, taken out of the ring (a reference the caller owns). */
static Object *take_right(DequeObject *d) {
    Object *v = *slot(d, d->size - 1);
    d->size--;
    d->state++;
    return v;
}

static Object *take_left(DequeObject *d) {
    Object *v = d->items[d->head];
    d->head = (d->head + 1) & (d->capacity - 1);
    d->size--;
    d->state++;
    return v;
}

/* Add v at one end, the deque locked; a full bounded deque drops the item
   at the other end into *dropped. Returns -1 (MemoryError) when the ring
   could not grow. v is stored, or left to the caller on -1 and maxlen 0. */
static int push_locked(DequeObject *d, Object *v, bool left, Object **dropped) {
    *dropped = NULL;
    if (grow_if_full(d) < 0) return -1;
    if (left) {
        d->head = (d->head - 1) & (d->capacity - 1);
        d->items[d->head] = v;
    } else {
        *slot(d, d->size) = v;
    }
    d->size++;
    d->state++;
    if (d->maxlen >= 0 && d->size > (size_t)d->maxlen)
        *dropped = left ? take_right(d) : take_left(d);
    return 0;
}

/* Append at one end (steals v); a full bounded deque drops the item at the
   other end. */
static int push(DequeObject *d, Object *v, bool left) {
    if (d->maxlen == 0) {
        DECREF(v);
        return 0;
    }
    Object *dropped;
    objlock_lock(d);
    int rc = push_locked(d, v, left, &dropped);
    objlock_unlock(d);
    if (rc < 0) DECREF(v);
    if (dropped) DECREF(dropped);
    return rc;
}

static int push_right(DequeObject *d, Object *v) { return push(d, v, false); }
static int push_left(DequeObject *d, Object *v) { return push(d, v, true); }

static void deque_clear_items(DequeObject *d) {
    /* Take the items out first: their destructors may look at the deque. */
    objlock_lock(d);
    Object **items = d->items;
    size_t cap = d->capacity, head = d->head, size = d->size;
    d->items = NULL;
    d->capacity = d->head = d->size = 0;
    d->state++;
    objlock_unlock(d);
    for (size_t i = 0; i < size; i++) DECREF(items[(head + i) & (cap - 1)]);
    if (items) mem_free(items, cap * sizeof(Object *));
}

/* Extend from an iterable at one end. Extending with itself iterates a copy. */
static int extend(DequeObject *d, Object *iterable, bool left) {
    Object *src = iterable == (Object *)d ? list_from_iterable(iterable) : NEWREF(iterable);
    if (!src) return -1;
    Object *it = object_iter(src);
    DECREF(src);
    if (!it) return -1;
    Object *v;
    int rc = 0;
    while (rc == 0 && (v = object_next(it))) rc = left ? push_left(d, v) : push_right(d, v);
    DECREF(it);
    return rc == 0 && error_occurred() ? -1 : rc;
}

/* ---- Construction ---------------------------------------------------------------------------- */

static int parse_maxlen(Object *o, int64_t *out) {
    *out = -1;
    if (!o || o == None) return 0;
    if (!is_int(o)) {
        error_set(&exc_TypeError, "an integer is required");
        return -1;
    }
    if (int_as_i64(o, out) < 0) return -1;
    if (*out < 0) {
        error_set(&exc_ValueError, "maxlen must be non-negative");
        return -1;
    }
    return 0;
}

static Object *deque_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"iterable", "maxlen", NULL};
    Object *a[2];
    if (nargs > 2)
        return error_set(&exc_TypeError, "deque() takes at most 2 arguments (%zu given)", nargs);
    if (args_parse("deque", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    int64_t maxlen;
    if (parse_maxlen(a[1], &maxlen) < 0) return NULL;
    Object *d = deque_alloc(type, maxlen);
    if (d && a[0] && extend(DQ(d), a[0], false) < 0) CLEAR(&d);
    return d;
}

static void deque_dealloc(Object *self) {
    deque_clear_items(DQ(self));
    object_free(self, sizeof(DequeObject));
}

/* The cycle collector's slots: the items; clearing empties the deque. */
static int deque_traverse(Object *self, VisitFunc visit, void *arg) {
    DequeObject *d = DQ(self);
    for (size_t i = 0; i < d->size; i++) VISIT(d->items[(d->head + i) & (d->capacity - 1)]);
    return 0;
}

static int deque_gc_clear(Object *self) {
    deque_clear_items(DQ(self));
    return 0;
}

/* ---- Ends ------------------------------------------------------------------------------------ */

static Object *deque_append(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("deque.append", nargs, kwnames, 1, 1) < 0) return NULL;
    return push_right(DQ(self), NEWREF(args[0])) < 0 ? NULL : NEWREF(None);
}

static Object *deque_appendleft(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    if (args_check("deque.appendleft", nargs, kwnames, 1, 1) < 0) return NULL;
    return push_left(DQ(self), NEWREF(args[0])) < 0 ? NULL : NEWREF(None);
}

static Object *pop_end(Object *self, size_t nargs, Object *kwnames, bool left) {
    if (args_check(left ? "deque.popleft" : "deque.pop", nargs, kwnames, 0, 0) < 0)
        return NULL;
    DequeObject *d = DQ(self);
    objlock_lock(d);
    if (d->size == 0) {
        objlock_unlock(d);
        return error_set(&exc_IndexError, "pop from an empty deque");
    }
    Object *v = left ? take_left(d) : take_right(d);
    shrink_if_sparse(d);
    objlock_unlock(d);
    return v;
}

static Object *deque_pop(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(args);
    return pop_end(self, nargs, kwnames, false);
}

static Object *deque_popleft(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(args);
    return pop_end(self, nargs, kwnames, true);
}

static Object *deque_extend(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("deque.extend", nargs, kwnames, 1, 1) < 0) return NULL;
    return extend(DQ(self), args[0], false) < 0 ? NULL : NEWREF(None);
}

static Object *deque_extendleft(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    if (args_check("deque.extendleft", nargs, kwnames, 1, 1) < 0) return NULL;
    return extend(DQ(self), args[0], true) < 0 ? NULL : NEWREF(None);
}

/* The items as new references in a mem_alloc'd array (*n of them; NULL
   with *n 0 for an empty deque), taken under the lock. NULL with
   MemoryError sets *n to SIZE_MAX. */
static Object **snapshot(DequeObject *d, size_t *n) {
    objlock_lock(d);
    size_t size = d->size;
    Object **items = size ? mem_alloc(size * sizeof(Object *)) : NULL;
    if (items)
        for (size_t i = 0; i < size; i++) items[i] = NEWREF(*slot(d, i));
    objlock_unlock(d);
    if (size && !items) {
        error_no_memory();
        *n = SIZE_MAX;
        return NULL;
    }
    *n = size;
    return items;
}

static Object *deque_clear(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(args);
    if (args_check("deque.clear", nargs, kwnames, 0, 0) < 0) return NULL;
    deque_clear_items(DQ(self));
    return NEWREF(None);
}

static int64_t deque_len(Object *self);

/* ---- Searching: the comparisons may run user code that changes the deque ---------------------- */

#ifdef TOY_FREE_THREADED
static bool plain_eq(Object *o) {
    Type *t = TYPE(o);
    return t == &int_type || t == &bool_type || t == &str_type || t == &float_type ||
           t == &none_type;
}
#endif

/* Compare item i with v (==): 1, 0, -1 with an exception, including
   RuntimeError when the deque changed during the comparison; 2 when i is
   past the end. *state_out: the state the item was read in; *item_out (when
   asked for, on 1): a new reference to the item compared. */
static int item_equals_at(DequeObject *d, size_t i, Object *v, uint64_t *state_out,
                          Object **item_out) {
    objlock_lock(d);
    if (i >= d->size) {
        objlock_unlock(d);
        return 2;
    }
    uint64_t state = d->state;
    Object *item = NEWREF(*slot(d, i));
#ifdef TOY_FREE_THREADED
    /* toy-ft: values whose == runs no Toy code compare under the lock, so
       another thread's change is no "mutation during iteration" */
    if (plain_eq(item) && plain_eq(v)) {
        int r = object_compare_bool(item, v, CMP_EQ);
        objlock_unlock(d);
        if (r == 1 && item_out) *item_out = item;
        else DECREF(item);
        if (state_out) *state_out = state;
        return r;
    }
#endif
    objlock_unlock(d);
    int r = object_compare_bool(item, v, CMP_EQ);
    objlock_lock(d);
    bool moved = d->state != state;
    objlock_unlock(d);
    if (r == 1 && item_out) {
        *item_out = item; /* remove: it may have moved in another thread */
    } else {
        DECREF(item);
        if (r >= 0 && moved) {
            error_set(&exc_RuntimeError, "deque mutated during iteration");
            return -1;
        }
    }
    if (state_out) *state_out = state;
    return r;
}

static int item_equals(DequeObject *d, size_t i, Object *v) {
    return item_equals_at(d, i, v, NULL, NULL);
}

#ifdef TOY_FREE_THREADED
/* toy-ft: from item i on, the items compared with v under one hold of the
   lock while both are plain values, so that a search is one step as under
   the GIL (a rotate in another thread cannot hide an item from it).
   Returns where it stopped: at a match when first is set (*found), at an
   item that is not plain (the caller goes on item by item), or at stop
   when the end was reached. *count: the matches passed. */
static size_t scan_plain(DequeObject *d, Object *v, size_t i, size_t stop, bool first,
                         int64_t *count, bool *found) {
    *found = false;
    if (!plain_eq(v)) return i;
    objlock_lock(d);
    for (; i < stop && i < d->size; i++) {
        Object *item = *slot(d, i);
        if (!plain_eq(item)) break;
        if (object_compare_bool(item, v, CMP_EQ) == 1) {
            if (first) {
                *found = true;
                break;
            }
            (*count)++;
        }
    }
    if (!*found && i >= d->size) i = stop;
    objlock_unlock(d);
    return i;
}
#endif

/* Where a search starts item by item: 0, or in toy-ft where scan_plain
   stopped. */
static size_t search_start(DequeObject *d, Object *v, size_t start, size_t stop, bool first,
                           int64_t *count, bool *found) {
    *found = false;
#ifdef TOY_FREE_THREADED
    return scan_plain(d, v, start, stop, first, count, found);
#else
    (void)d, (void)v, (void)stop, (void)first, (void)count;
    return start;
#endif
}

static Object *deque_count(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("deque.count", nargs, kwnames, 1, 1) < 0) return NULL;
    DequeObject *d = DQ(self);
    int64_t n = 0;
    bool found;
    for (size_t i = search_start(d, args[0], 0, SIZE_MAX, false, &n, &found);; i++) {
        int r = item_equals(d, i, args[0]);
        if (r == 2) break;
        if (r < 0) return NULL;
        n += r;
    }
    return int_from_i64(n);
}

static int deque_contains(Object *self, Object *v) {
    DequeObject *d = DQ(self);
    int64_t n = 0;
    bool found;
    size_t i = search_start(d, v, 0, SIZE_MAX, true, &n, &found);
    if (found) return 1;
    for (;; i++) {
        int r = item_equals(d, i, v);
        if (r == 2) return 0;
        if (r != 0) return r;
    }
}

/* A start or stop argument of index(): clamped as slice bounds are. */
static int clamp_bound(Object *o, size_t size, size_t *out) {
    int64_t v;
    if (object_as_index(o, &v, NULL) < 0) return -1;
    if (v < 0) v += (int64_t)size;
    *out = v < 0 ? 0 : (size_t)v > size ? size : (size_t)v;
    return 0;
}

static Object *deque_index(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check_varargs("index", nargs, kwnames, 1, 3) < 0) return NULL;
    DequeObject *d = DQ(self);
    /* Without a stop the search runs to the end as it is when searched (as
       the one step CPython's is): in toy-ft a size read beforehand, under
       another hold of the lock, would leave out the items that other
       threads' insertions moved past it. */
    size_t start = 0, stop = SIZE_MAX;
    if (nargs > 1) {
        size_t size = (size_t)deque_len(self);
        if (clamp_bound(args[1], size, &start) < 0) return NULL;
        if (nargs > 2 && clamp_bound(args[2], size, &stop) < 0) return NULL;
    }
    int64_t n = 0;
    bool found;
    size_t i = search_start(d, args[0], start, stop, true, &n, &found);
    if (found) return int_from_i64((int64_t)i);
    for (; i < stop; i++) {
        int r = item_equals(d, i, args[0]);
        if (r == 2) break;
        if (r < 0) return NULL;
        if (r) return int_from_i64((int64_t)i);
    }
    Object *rep = object_repr(args[0]);
    if (!rep) return NULL;
    error_set(&exc_ValueError, "%s is not in deque", str_data(rep));
    DECREF(rep);
    return NULL;
}

/* Remove item i, shifting the shorter side. Returns the item (owned). The
   caller holds the lock. */
static Object *remove_at(DequeObject *d, size_t i) {
    Object *v = *slot(d, i);
    if (i < d->size / 2) {
        for (size_t j = i; j > 0; j--) *slot(d, j) = *slot(d, j - 1);
        d->head = (d->head + 1) & (d->capacity - 1);
    } else {
        for (size_t j = i; j + 1 < d->size; j++) *slot(d, j) = *slot(d, j + 1);
    }
    d->size--;
    d->state++;
    return v;
}

static Object *deque_remove(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("deque.remove", nargs, kwnames, 1, 1) < 0) return NULL;
    DequeObject *d = DQ(self);
    int64_t n = 0;
    bool found;
    objlock_lock(d); /* toy-ft: found by scan_plain and taken out in one step */
    size_t from = search_start(d, args[0], 0, SIZE_MAX, true, &n, &found);
    Object *taken = found ? remove_at(d, from) : NULL;
    if (taken) shrink_if_sparse(d);
    objlock_unlock(d);
    if (taken) {
        DECREF(taken);
        return NEWREF(None);
    }
    for (size_t i = from;; i++) {
        uint64_t state;
        Object *item = NULL;
        int r = item_equals_at(d, i, args[0], &state, &item);
        if (r == 2) break;
        if (r < 0) return NULL;
        if (r) {
            /* the deque moved during the comparison: the RuntimeError, as
               in CPython; in toy-ft another thread may have moved it, and
               the item compared is found again by identity */
            objlock_lock(d);
            Object *removed = NULL;
            if (d->state == state) removed = remove_at(d, i);
#ifdef TOY_FREE_THREADED
            for (size_t j = 0; j < d->size && !removed; j++)
                if (*slot(d, j) == item) removed = remove_at(d, j);
#endif
            if (removed) shrink_if_sparse(d);
            objlock_unlock(d);
            DECREF(item);
            if (!removed) return error_set(&exc_RuntimeError, "deque mutated during iteration");
            DECREF(removed);
            return NEWREF(None);
        }
    }
    Object *rep = object_repr(args[0]);
    if (!rep) return NULL;
    error_set(&exc_ValueError, "%s is not in deque", str_data(rep));
    DECREF(rep);
    return NULL;
}

/* ---- Reordering ------------------------------------------------------------------------------ */

static Object *deque_insert(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check_varargs("insert", nargs, kwnames, 2, 2) < 0) return NULL;
    DequeObject *d = DQ(self);
    int64_t i;
    if (object_as_index(args[0], &i, NULL) < 0) return NULL;
    objlock_lock(d);
    if (d->maxlen >= 0 && d->size >= (size_t)d->maxlen) {
        objlock_unlock(d);
        return error_set(&exc_IndexError, "deque already at its maximum size");
    }
    if (i < 0) i += (int64_t)d->size;
    size_t at = i < 0 ? 0 : (size_t)i > d->size ? d->size : (size_t)i;
    if (grow_if_full(d) < 0) {
        objlock_unlock(d);
        return NULL;
    }
    for (size_t j = d->size; j > at; j--) *slot(d, j) = *slot(d, j - 1);
    *slot(d, at) = NEWREF(args[1]);
    d->size++;
    d->state++;
    objlock_unlock(d);
    return NEWREF(None);
}

static Object *deque_reverse(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(args);
    if (args_check("deque.reverse", nargs, kwnames, 0, 0) < 0) return NULL;
    DequeObject *d = DQ(self);
    objlock_lock(d);
    for (size_t i = 0, j = d->size; i + 1 < j; i++, j--) {
        Object *t = *slot(d, i);
        *slot(d, i) = *slot(d, j - 1);
        *slot(d, j - 1) = t;
    }
    d->state++;
    objlock_unlock(d);
    return NEWREF(None);
}

static Object *deque_rotate(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check_varargs("rotate", nargs, kwnames, 0, 1) < 0) return NULL;
    DequeObject *d = DQ(self);
    int64_t n = 1;
    if (nargs && object_as_index(args[0], &n, NULL) < 0) return NULL;
    objlock_lock(d);
    if (d->size < 2) {
        objlock_unlock(d);
        return NEWREF(None);
    }
    int64_t k = n % (int64_t)d->size; /* steps to the right */
    if (k < 0) k += (int64_t)d->size;
    /* Moving k items from the right end to the left end: in a full ring
       only head moves; otherwise move them one by one. */
    if (d->size == d->capacity) {
        d->head = (d->head - (size_t)k) & (d->capacity - 1);
    } else {
        for (int64_t s = 0; s < k; s++) {
            Object *v = *slot(d, d->size - 1);
            d->head = (d->head - 1) & (d->capacity - 1);
            d->items[d->head] = v;
        }
    }
    d->state++;
    objlock_unlock(d);
    return NEWREF(None);
}

/* ---- Sequence protocol ----------------------------------------------------------------------- */

static int64_t deque_len(Object *self) {
    objlock_lock(self);
    int64_t n = (int64_t)DQ(self)->size;
    objlock_unlock(self);
    return n;
}

/* The index of an item access, converted (before locking: __index__ may
   run Toy code): 0, or -1 with CPython's TypeError. */
static int key_index(Object *key, int64_t *out) {
    if (!is_int(key) && !TYPE(key)->index) {
        error_set(&exc_TypeError, "sequence index must be integer, not '%s'", TYPE_NAME(key));
        return -1;
    }
    return object_as_index(key, out, NULL);
}

/* Index i checked against the size, the deque locked: 0, or -1 with the
   IndexError. */
static int item_index(DequeObject *d, int64_t i, size_t *out) {
    if (i < 0) i += (int64_t)d->size;
    if (i < 0 || (size_t)i >= d->size) {
        error_set(&exc_IndexError, "deque index out of range");
        return -1;
    }
    *out = (size_t)i;
    return 0;
}

static Object *deque_getitem(Object *self, Object *key) {
    int64_t k;
    size_t i;
    if (key_index(key, &k) < 0) return NULL;
    objlock_lock(self);
    Object *v = item_index(DQ(self), k, &i) == 0 ? NEWREF(*slot(DQ(self), i)) : NULL;
    objlock_unlock(self);
    return v;
}

static int deque_setitem(Object *self, Object *key, Object *value) {
    DequeObject *d = DQ(self);
    int64_t k;
    size_t i;
    if (key_index(key, &k) < 0) return -1;
    Object *old = NULL;
    objlock_lock(d);
    int rc = item_index(d, k, &i);
    if (rc == 0 && value) {
        old = *slot(d, i);
        *slot(d, i) = NEWREF(value);
    } else if (rc == 0) {
        old = remove_at(d, i);
        shrink_if_sparse(d);
    }
    objlock_unlock(d);
    XDECREF(old); /* after unlocking: it may run __del__ */
    return rc;
}

/* ---- Copies, operators, comparison, repr ------------------------------------------------------ */

static Object *deque_copy_of(Object *self) {
    DequeObject *d = DQ(self);
    size_t n;
    Object **items = snapshot(d, &n);
    if (n == SIZE_MAX) return NULL;
    Object *c = deque_alloc(TYPE(self), d->maxlen);
    size_t i = 0;
    for (; c && i < n; i++)
        if (push_right(DQ(c), items[i]) < 0) CLEAR(&c); /* push_right took items[i] */
    for (; i < n; i++) DECREF(items[i]);
    if (items) mem_free(items, n * sizeof(Object *));
    return c;
}

static Object *deque_copy(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(args);
    if (args_check("deque.copy", nargs, kwnames, 0, 0) < 0) return NULL;
    return deque_copy_of(self);
}

static Object *deque_add(Object *a, Object *b) {
    if (!is_deque(a)) return NEWREF(NotImplemented);
    if (!is_deque(b))
        return error_set(&exc_TypeError, "can only concatenate deque (not \"%s\") to deque",
                         TYPE_NAME(b));
    Object *c = deque_copy_of(a);
    if (c && extend(DQ(c), b, false) < 0) CLEAR(&c);
    return c;
}

static Object *deque_iadd(Object *a, Object *b) {
    if (extend(DQ(a), b, false) < 0) return NULL;
    return NEWREF(a);
}

/* Make d hold n copies of its items in a row; with a maxlen, only the last
   maxlen items of that row (computed, not pushed one by one). */
static int repeat_in_place(DequeObject *d, int64_t n) {
    size_t size = (size_t)deque_len((Object *)d);
    if (n <= 1 || size == 0) {
        if (n <= 0) deque_clear_items(d);
        return 0;
    }
    uint64_t total;
    if (__builtin_mul_overflow((uint64_t)size, (uint64_t)n, &total) ||
        (d->maxlen < 0 && total > SIZE_MAX / (2 * sizeof(Object *)))) {
        error_no_memory();
        return -1;
    }
    uint64_t start = d->maxlen >= 0 && total > (uint64_t)d->maxlen ? total - (uint64_t)d->maxlen : 0;
    Object *orig = list_from_iterable((Object *)d);
    if (!orig) return -1;
    deque_clear_items(d);
    int rc = 0;
    for (uint64_t p = start; rc == 0 && p < total; p++)
        rc = push_right(d, NEWREF(list_item(orig, (size_t)(p % size))));
    DECREF(orig);
    return rc;
}

static int repeat_count(Object *n, int64_t *out) {
    if (!is_int(n) && !TYPE(n)->index) {
        error_set(&exc_TypeError, "can't multiply sequence by non-int of type '%s'", TYPE_NAME(n));
        return -1;
    }
    return object_as_index(n, out, NULL);
}

static Object *deque_mul(Object *a, Object *b) {
    if (!is_deque(a)) { /* n * deque */
        Object *t = a;
        a = b;
        b = t;
    }
    if (!is_deque(a)) return NEWREF(NotImplemented);
    int64_t n;
    if (repeat_count(b, &n) < 0) return NULL;
    Object *c = deque_copy_of(a);
    if (c && repeat_in_place(DQ(c), n) < 0) CLEAR(&c);
    return c;
}

static Object *deque_imul(Object *a, Object *b) {
    int64_t n;
    if (repeat_count(b, &n) < 0 || repeat_in_place(DQ(a), n) < 0) return NULL;
    return NEWREF(a);
}

/* Deques compare as lists of their items do (and only with deques). */
static Object *deque_richcompare(Object *a, Object *b, int op) {
    if (!is_deque(a) || !is_deque(b)) return NEWREF(NotImplemented);
    Object *la = list_from_iterable(a);
    Object *lb = la ? list_from_iterable(b) : NULL;
    Object *r = lb ? object_compare(la, lb, (CompareOp)op) : NULL;
    XDECREF(la);
    XDECREF(lb);
    return r;
}

static Object *deque_repr(Object *self) {
    DequeObject *d = DQ(self);
    int seen = list_repr_enter(self);
    if (seen != 0) return seen > 0 ? str_from_cstr("[...]") : NULL;
    Object *items = list_from_iterable(self);
    Object *inner = items ? object_repr(items) : NULL;
    XDECREF(items);
    list_repr_leave(self);
    if (!inner) return NULL;
    const char *name = TYPE(self)->name_obj ? str_data(TYPE(self)->name_obj) : "deque";
    Object *r = d->maxlen >= 0
        ? str_from_format("%s(%s, maxlen=%lld)", name, str_data(inner), (long long)d->maxlen)
        : str_from_format("%s(%s)", name, str_data(inner));
    DECREF(inner);
    return r;
}

static Object *deque_getattr(Object *self, Object *name) {
    if (strcmp(str_data(name), "maxlen") == 0)
        return DQ(self)->maxlen < 0 ? NEWREF(None) : int_from_i64(DQ(self)->maxlen);
    return object_generic_getattr(self, name);
}

static int deque_setattr(Object *self, Object *name, Object *value) {
    if (strcmp(str_data(name), "maxlen") == 0) {
        error_set(&exc_AttributeError,
                  "attribute 'maxlen' of 'collections.deque' objects is not writable");
        return -1;
    }
    return object_generic_setattr(self, name, value);
}

/* ---- Iterators ------------------------------------------------------------------------------- */

typedef struct {
    Object base;
    Object *deque;   /* owned; NULL once exhausted (toy-ft: kept, core/iterstate.h) */
    size_t index;    /* items seen so far; ITER_SPENT once exhausted in toy-ft */
    uint64_t state;  /* the deque's state when the iterator was made */
} DequeIterObject;

static Object *iter_new(Object *self, Type *type) {
    DequeIterObject *it = (DequeIterObject *)object_alloc(type, sizeof *it);
    if (!it) return NULL;
    it->deque = NEWREF(self);
    objlock_lock(self);
    it->state = DQ(self)->state;
    objlock_unlock(self);
    return (Object *)it;
}

static Object *deque_iter(Object *self) { return iter_new(self, &deque_iterator_type); }

static Object *deque_reversed(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(args);
    if (args_check("deque.__reversed__", nargs, kwnames, 0, 0) < 0) return NULL;
    return iter_new(self, &deque_reverse_iterator_type);
}

static Object *iter_next(Object *self, bool reverse) {
    DequeIterObject *it = (DequeIterObject *)self;
    if (!it->deque) return NULL;
    DequeObject *d = DQ(it->deque);
    objlock_lock(d);
    size_t seen = iter_index(&it->index);
    bool moved = d->state != it->state && !iter_spent(it->deque, &seen), done = seen >= d->size;
    Object *v = NULL;
    if (!moved && !done) {
        iter_set_index(&it->index, seen + 1);
        v = NEWREF(*slot(d, reverse ? d->size - 1 - seen : seen));
    }
    objlock_unlock(d);
    if (v) return v;
    iter_exhaust(&it->deque, &it->index);
    return moved ? error_set(&exc_RuntimeError, "deque mutated during iteration") : NULL;
}

static Object *deque_iter_next(Object *self) { return iter_next(self, false); }
static Object *deque_reverse_iter_next(Object *self) { return iter_next(self, true); }
static Object *deque_iter_self(Object *self) { return NEWREF(self); }

static int64_t deque_iter_len(Object *self) {
    DequeIterObject *it = (DequeIterObject *)self;
    if (!it->deque) return 0;
    size_t size = (size_t)deque_len(it->deque), seen = iter_index(&it->index);
    return size > seen ? (int64_t)(size - seen) : 0;
}

static void deque_iter_dealloc(Object *self) {
    XDECREF(((DequeIterObject *)self)->deque);
    object_free(self, sizeof(DequeIterObject));
}

static int deque_iter_traverse(Object *self, VisitFunc visit, void *arg) {
    VISIT(((DequeIterObject *)self)->deque);
    return 0;
}

static int deque_iter_clear(Object *self) {
    CLEAR(&((DequeIterObject *)self)->deque);
    return 0;
}

/* ---- The types ------------------------------------------------------------------------------- */

static const MethodDef deque_methods[] = {
    {"append", deque_append, "Add an element to the right side of the deque."},
    {"appendleft", deque_appendleft, "Add an element to the left side of the deque."},
    {"pop", deque_pop, "Remove and return the rightmost element."},
    {"popleft", deque_popleft, "Remove and return the leftmost element."},
    {"extend", deque_extend, "Extend the right side of the deque with elements from the iterable"},
    {"extendleft", deque_extendleft, "Extend the left side of the deque with elements from the iterable"},
    {"clear", deque_clear, "Remove all elements from the deque."},
    {"copy", deque_copy, "Return a shallow copy of a deque."},
    {"__copy__", deque_copy, "Return a shallow copy of a deque."},
    {"count", deque_count, "D.count(value) -- return number of occurrences of value"},
    {"index", deque_index, "D.index(value, [start, [stop]]) -- return first index of value.\nRaises ValueError if the value is not present."},
    {"insert", deque_insert, "D.insert(index, object) -- insert object before index"},
    {"remove", deque_remove, "D.remove(value) -- remove first occurrence of value."},
    {"reverse", deque_reverse, "D.reverse() -- reverse *IN PLACE*"},
    {"rotate", deque_rotate, "Rotate the deque n steps to the right (default n=1).  If n is negative, rotates left."},
    {"__reversed__", deque_reversed, "D.__reversed__() -- return a reverse iterator over the deque"},
    {NULL, NULL, NULL},
};

Type deque_type = {
    TYPE_HEAD_INIT,
    .name = "collections.deque",
    .base_type = &object_type,
    .instance_size = sizeof(DequeObject),
    .flags = TYPE_GC,
    .traverse = deque_traverse,
    .clear = deque_gc_clear,
    .methods = deque_methods,
    .dealloc = deque_dealloc,
    .repr = deque_repr,
    .richcompare = deque_richcompare,
    .construct = deque_construct,
    .getattr = deque_getattr,
    .setattr = deque_setattr,
    .iter = deque_iter,
    .len = deque_len,
    .getitem = deque_getitem,
    .setitem = deque_setitem,
    .contains = deque_contains,
    .binary = {[BINOP_ADD] = deque_add, [BINOP_MUL] = deque_mul},
    .inplace = {[BINOP_ADD] = deque_iadd, [BINOP_MUL] = deque_imul},
};

Type deque_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "_collections._deque_iterator",
    .base_type = &object_type,
    .instance_size = sizeof(DequeIterObject),
    .flags = TYPE_GC,
    .traverse = deque_iter_traverse,
    .clear = deque_iter_clear,
    .dealloc = deque_iter_dealloc,
    .iter = deque_iter_self,
    .iternext = deque_iter_next,
    .len = deque_iter_len,
};

Type deque_reverse_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "_collections._deque_reverse_iterator",
    .base_type = &object_type,
    .instance_size = sizeof(DequeIterObject),
    .flags = TYPE_GC,
    .traverse = deque_iter_traverse,
    .clear = deque_iter_clear,
    .dealloc = deque_iter_dealloc,
    .iter = deque_iter_self,
    .iternext = deque_reverse_iter_next,
    .len = deque_iter_len,
};
