/* list.c - the list type: a growable array of owned references.
 *
 * Invariants:
 *   - items[0..size) are owned, non-NULL references (except in a fresh
 *     list_new(n) being filled by its creator); items[size..capacity) are
 *     garbage and never read.
 *   - capacity == 0 exactly when items == NULL.
 *   - The array grows geometrically (about 1.25x plus a constant) through
 *     mem_realloc, so append is amortised O(1), and shrinks when less than a
 *     quarter is in use.
 *   - Any code that can run Python code (a DECREF, a comparison, a repr) may
 *     change the list under our feet. So we never keep a pointer into items
 *     across such a call, re-check bounds after it, and release replaced
 *     items only once the list is consistent again.
 *
 * Also here: the list iterators, the repr recursion guard every container
 * uses, and list.sort (a stable natural merge sort; see "Sorting").
 */
#include <string.h>

#include "core/alloc.h"
#include "core/iterstate.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/iter.h"
#include "objects/range.h"
#include "objects/str.h"
#include "objects/tuple.h"

#define AS_LIST(o) ((ListObject *)(o))

/* Equality for searches and comparisons, with the common cases inline. */
static inline int list_item_equal(Object *a, Object *b) {
    if (a == b) return 1;
    if (TYPE(a) == &int_type && TYPE(b) == &int_type) return int_equal(a, b);
    if (is_str(a) && is_str(b)) return str_equal(a, b);
    return object_equal(a, b);
}

/* The size, read under the lock: for loops that re-check it while user code
   may change the list (in the GIL build, list_size itself). */
static inline size_t list_size_now(Object *self) {
    objlock_lock_nocode(self);
    size_t n = list_size(self);
    objlock_unlock_nocode(self);
    return n;
}

/* ---- Storage ------------------------------------------------------------- */

/* Make the array exactly `capacity` slots (>= size). 0 / -1 MemoryError. */
static int list_set_capacity(ListObject *l, size_t capacity) {
    if (capacity == l->capacity) return 0;
    if (capacity > SIZE_MAX / sizeof(Object *)) {
        error_no_memory();
        return -1;
    }
    Object **items;
    if (capacity == 0) {
        mem_free(l->items, l->capacity * sizeof(Object *));
        items = NULL;
    } else if (l->items == NULL) {
        items = mem_alloc(capacity * sizeof(Object *));
    } else {
        items = mem_realloc(l->items, l->capacity * sizeof(Object *),
                            capacity * sizeof(Object *));
    }
    if (capacity > 0 && items == NULL) {
        error_no_memory();
        return -1;
    }
    l->items = items;
    l->capacity = capacity;
    return 0;
}

/* Grow l geometrically to room for at least `needed` items. */
static int list_grow(ListObject *l, size_t needed) {
    size_t grown = needed + (needed >> 2) + 6;
    if (grown < needed) grown = needed; /* overflow: let set_capacity fail */
    return list_set_capacity(l, grown);
}

/* Room for at least `needed` items: the test inlined, the growth a call. */
static inline __attribute__((always_inline)) int list_reserve(ListObject *l, size_t needed) {
    return needed <= l->capacity ? 0 : list_grow(l, needed);
}

/* After removing items: give memory back when most of the array is unused.
   If the smaller block cannot be had, the list simply keeps the larger one
   (no exception). */
static void list_maybe_shrink(ListObject *l) {
    if (l->capacity <= 16 || l->size >= l->capacity / 4) return;
    size_t target = l->size + (l->size >> 2) + 6;
    Object **items = mem_realloc(l->items, l->capacity * sizeof(Object *),
                                 target * sizeof(Object *));
    if (items) {
        l->items = items;
        l->capacity = target;
    }
}

Object *list_steal_array(bool ok, Object **items, size_t n, size_t cap) {
    Object *l = ok ? list_new(n) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (l) list_set_steal(l, i, items[i]);
        else DECREF(items[i]);
    }
    if (items) mem_free(items, cap * sizeof *items);
    return l;
}

Object *list_new(size_t n) {
    ListObject *l = (ListObject *)object_alloc(&list_type, sizeof(ListObject));
    if (!l) return NULL;
    if (n > 0) {
        if (list_set_capacity(l, n) < 0) {
            DECREF(l);
            return NULL;
        }
        memset(l->items, 0, n * sizeof(Object *));
        list_set_size(l, n);
    }
    return (Object *)l;
}

/* ---- Deep deallocation (the "trashcan") ---------------------------------
 * Releasing a container releases its items, which may be containers, and so
 * on: freeing a chain of a million nested lists (a = [a]) would recurse a
 * million C frames deep and overflow the stack. So container deallocs count
 * their nesting; past TRASHCAN_DEPTH they queue the dead object instead, and
 * the outermost dealloc empties the queue in a loop. The queue is linked
 * through the dead objects' count fields, which nothing reads any more.
 * Depth and queue are per thread (like the allocator's caches), so this
 * needs no lock even with the GIL off.
 */

#define TRASHCAN_DEPTH 200

static _Thread_local int trashcan_depth;
static _Thread_local bool trashcan_draining;
static _Thread_local Object *trashcan_queue;

bool list_trashcan_enter(Object *o) {
    if (trashcan_depth >= TRASHCAN_DEPTH) {
        refcount_link_set(o, trashcan_queue);
        trashcan_queue = o;
        return false;
    }
    trashcan_depth++;
    return true;
}

void list_trashcan_leave(void) {
    if (--trashcan_depth > 0 || trashcan_draining) return;
    trashcan_draining = true;
    while (trashcan_queue) {
        Object *o = trashcan_queue;
        trashcan_queue = refcount_link_take(o);
        o->type->dealloc(o);
    }
    trashcan_draining = false;
}

static void list_dealloc(Object *self) {
    if (!list_trashcan_enter(self)) return;
    ListObject *l = AS_LIST(self);
    for (size_t i = l->size; i-- > 0;) XDECREF(l->items[i]);
    if (l->items) mem_free(l->items, l->capacity * sizeof(Object *));
    object_free(self, TYPE(self)->instance_size);
    list_trashcan_leave();
}

/* list.h's reads and writes of one item once threads run: each one step
   under the list's lock. Never inlined (list.h says why). */
__attribute__((noinline)) Object *list_fetch_locked(Object *l, size_t i) {
    objlock_lock_nocode(l);
    Object *x = list_fetch_unlocked(l, i);
    objlock_unlock_nocode(l);
    return x;
}

__attribute__((noinline)) Object *list_fetch_index_locked(Object *l, int64_t i) {
    objlock_lock_nocode(l);
    Object *x = list_fetch_index_unlocked(l, i);
    objlock_unlock_nocode(l);
    return x;
}

__attribute__((noinline)) Object *list_store_index_locked(Object *l, int64_t i, Object *v) {
    objlock_lock_nocode(l);
    Object *old = list_store_index_unlocked(l, i, v);
    objlock_unlock_nocode(l);
    return old;
}

int list_append(Object *list, Object *item) {
    return list_append_steal(list, NEWREF(item));
}

/* toy-ft: every reader and writer of a list's item array holds the list's
   lock (core/objlock.h); in the GIL build the lock calls are empty. Where
   nothing under it can run Toy code (no comparison, no release: items
   dropped are released after unlocking) it is objlock_lock_nocode, which
   leaves the lock out while the main thread is alone. */
static inline __attribute__((always_inline)) int list_append_held(ListObject *l, Object *item) {
    if (l->size == l->capacity && list_reserve(l, l->size + 1) < 0) return -1;
    l->items[l->size] = item;
    list_set_size(l, l->size + 1);
    return 0;
}

/* toy-ft calls it only when the list must grow or threads run: out of
   line, so that the append alone into a list with room (below) saves no
   registers. */
#ifdef TOY_FREE_THREADED
#define LIST_APPEND_LOCKING static __attribute__((noinline))
#else
#define LIST_APPEND_LOCKING static inline
#endif
LIST_APPEND_LOCKING int list_append_locking(ListObject *l, Object *item) {
    int r;
    if (objlock_nocode_skips()) { /* growing runs no Toy code */
        r = list_append_held(l, item);
    } else {
        objlock_lock(l);
        r = list_append_held(l, item);
        objlock_unlock(l);
    }
    if (r < 0) DECREF(item); /* released after unlocking */
    return r;
}

int list_append_steal(Object *list, Object *item) {
    ListObject *l = AS_LIST(list);
#ifdef TOY_FREE_THREADED
    if (list_append_if_room(list, item)) return 0;
#endif
    return list_append_locking(l, item);
}

static int list_insert_locked(ListObject *l, int64_t index, Object *item) {
    int64_t n = (int64_t)l->size;
    if (index < 0) {
        index += n;
        if (index < 0) index = 0;
    } else if (index > n) {
        index = n;
    }
    if (list_reserve(l, l->size + 1) < 0) return -1;
    memmove(&l->items[index + 1], &l->items[index], (size_t)(n - index) * sizeof(Object *));
    l->items[index] = NEWREF(item);
    list_set_size(l, l->size + 1);
    return 0;
}

int list_insert(Object *list, int64_t index, Object *item) {
    objlock_lock_nocode(list);
    int rc = list_insert_locked(AS_LIST(list), index, item);
    objlock_unlock_nocode(list);
    return rc;
}

/* Append copies of items[0..n) taken from a list or tuple (which may be the
   list itself: its items are re-read after growing). In toy-ft a list's n
   is its size read under the lock: another thread may have changed it
   since the caller looked, and the copy must be the whole list at one
   moment. */
static int list_extend_from_array(ListObject *l, Object *src, size_t n) {
    bool tuple = is_instance_of(src, &tuple_type);
    objlock_lock2_nocode(l, src); /* copies references: no Toy code */
#ifdef TOY_FREE_THREADED
    if (!tuple) n = list_size(src);
#else
    if (!tuple && n > list_size(src)) n = list_size(src);
#endif
    int rc = list_reserve(l, l->size + n);
    if (rc == 0) {
        Object **from = tuple ? tuple_items(src) : AS_LIST(src)->items;
        for (size_t i = 0; i < n; i++) l->items[l->size + i] = NEWREF(from[i]);
        list_set_size(l, l->size + n);
    }
    objlock_unlock2_nocode(l, src);
    return rc;
}

int list_extend(Object *list, Object *iterable) {
    ListObject *l = AS_LIST(list);
    /* a subclass may override __iter__: only list and tuple are read directly */
    if (is_list_exact(iterable))
        return list_extend_from_array(l, iterable, list_size_unlocked(iterable));
    if (is_tuple_exact(iterable))
        return list_extend_from_array(l, iterable, tuple_size(iterable));
    /* CPython sizes the list from len() first, so list(range(2**64))
       raises its OverflowError instead of filling memory. */
    if (TYPE(iterable) == &range_type && range_type.len(iterable) < 0) return -1;

    Object *it = object_iter(iterable);
    if (!it) return -1;
    IterNextFunc next = TYPE(it)->iternext;
    for (;;) {
        Object *item = next ? next(it) : object_next(it);
        if (!item) break;
        if (list_append_steal(list, item) < 0) {
            DECREF(it);
            return -1;
        }
    }
    DECREF(it);
    return error_occurred() ? -1 : 0;
}

Object *list_from_iterable(Object *iterable) {
    Object *l = list_new(0);
    if (!l) return NULL;
    if (list_extend(l, iterable) < 0) {
        DECREF(l);
        return NULL;
    }
    return l;
}

/* The copy allocates and counts, and runs no Toy code: the no-code lock. */
Object *list_as_tuple(Object *list) {
    objlock_lock_nocode(list);
    Object *t = tuple_from_array(AS_LIST(list)->items, list_size(list));
    objlock_unlock_nocode(list);
    return t;
}

/* Move the n items start, start + step, ... (step > 0, n > 0) into
   removed and close the gaps. With the lock held. */
static void list_cut_stepped(ListObject *l, size_t start, size_t step, size_t n,
                             Object **removed) {
    if (step == 1) { /* a contiguous run: two block moves */
        memcpy(removed, &l->items[start], n * sizeof(Object *));
        memmove(&l->items[start], &l->items[start + n], (l->size - start - n) * sizeof(Object *));
        list_set_size(l, l->size - n);
        return;
    }
    size_t dst = start, k = 0;
    for (size_t src = start; src < l->size; src++) {
        if (k < n && src == start + k * step)
            removed[k++] = l->items[src];
        else
            l->items[dst++] = l->items[src];
    }
    list_set_size(l, dst);
}

/* Remove items[lo..hi) and release them once the list is consistent. */
static int list_delete_range(ListObject *l, size_t lo, size_t hi) {
    size_t n = hi - lo;
    if (n == 0) return 0;
    Object *small[16];
    size_t room = n; /* n may shrink below */
    Object **removed = n <= 16 ? small : mem_alloc(room * sizeof(Object *));
    if (!removed) {
        error_no_memory();
        return -1;
    }
    objlock_lock_nocode(l);
    if (hi > l->size) { /* toy-ft: another thread shrank the list meanwhile */
        hi = l->size;
        n = lo < hi ? hi - lo : 0;
        if (lo > hi) lo = hi;
    }
    if (n) list_cut_stepped(l, lo, 1, n, removed);
    list_maybe_shrink(l);
    objlock_unlock_nocode(l);
    for (size_t i = n; i-- > 0;) DECREF(removed[i]); /* last first, as CPython */
    if (removed != small) mem_free(removed, room * sizeof(Object *));
    return 0;
}

/* ---- The repr recursion guard ------------------------------------------- */

int list_repr_enter(Object *o) {
    ThreadState *ts = ts_get();
    if (!ts->repr_stack) {
        ts->repr_stack = list_new(0);
        if (!ts->repr_stack) return -1;
    }
    ListObject *stack = AS_LIST(ts->repr_stack);
    for (size_t i = 0; i < stack->size; i++)
        if (stack->items[i] == o) return 1;
    return list_append(ts->repr_stack, o);
}

void list_repr_leave(Object *o) {
    ThreadState *ts = ts_get();
    if (!ts->repr_stack) return;
    ListObject *stack = AS_LIST(ts->repr_stack);
    for (size_t i = stack->size; i-- > 0;) {
        if (stack->items[i] == o) {
            memmove(&stack->items[i], &stack->items[i + 1],
                    (stack->size - i - 1) * sizeof(Object *));
            list_set_size(stack, stack->size - 1);
            DECREF(o);
            return;
        }
    }
}

static Object *list_repr(Object *self) {
    if (list_size_now(self) == 0) return str_from_cstr("[]");
    int seen = list_repr_enter(self);
    if (seen != 0) return seen > 0 ? str_from_cstr("[...]") : NULL;

    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_char(&b, '[');
    /* An item's repr may shrink the list: re-check the size every time. */
    for (size_t i = 0; i < list_size_now(self); i++) {
        Object *item = list_fetch(self, i);
        if (!item) break;
        if (i > 0) str_builder_add(&b, ", ", 2);
        Object *r = object_repr(item);
        DECREF(item);
        if (!r) {
            str_builder_discard(&b);
            list_repr_leave(self);
            return NULL;
        }
        str_builder_add_str(&b, r);
        DECREF(r);
    }
    str_builder_add_char(&b, ']');
    list_repr_leave(self);
    return str_builder_finish(&b);
}

/* ---- Comparison ---------------------------------------------------------- */

#ifndef TOY_FREE_THREADED
static Object *const *list_items_now(Object *self, size_t *size) {
    *size = list_size(self);
    return AS_LIST(self)->items;
}
#endif

#ifdef TOY_FREE_THREADED
/* toy-ft: object_compare_sequences reads the item arrays directly, which
   another thread's pop or append may free or move at any moment. Here each
   pair of items is fetched under the lists' locks (a new reference each)
   and compared unlocked; when a list has no item i (now), the one that
   ended is the shorter, as the loop over the shorter list decides. */
/* The first pair that differs decides, read again: the __eq__ that told
   them apart may have changed the lists. A list that no longer reaches i is
   the shorter, as in the GIL build; when neither does, their sizes decide. */
static Object *list_compare_at(Object *a, Object *b, size_t i, CompareOp op) {
    Object *x = list_fetch(a, i), *y = list_fetch(b, i);
    Object *r;
    if (x == NULL && y == NULL)
        r = bool_from(compare_i64((int64_t)list_size_now(a), (int64_t)list_size_now(b), op));
    else if (x == NULL || y == NULL)
        r = bool_from(compare_i64(x != NULL, y != NULL, op));
    else
        r = op == CMP_EQ || op == CMP_NE ? bool_from(op == CMP_NE) : object_compare(x, y, op);
    XDECREF(x);
    XDECREF(y);
    return r;
}

static Object *list_compare_locked(Object *a, Object *b, CompareOp op) {
    if (!is_list(a) || !is_list(b)) return NEWREF(NotImplemented);
    if (list_size_unlocked(a) != list_size_unlocked(b) && (op == CMP_EQ || op == CMP_NE))
        return bool_from(op == CMP_NE);
    for (size_t i = 0;; i++) {
        Object *x = list_fetch(a, i), *y = list_fetch(b, i);
        if (x == NULL || y == NULL) { /* the one that ended is the shorter */
            XDECREF(x);
            XDECREF(y);
            return bool_from(compare_i64(x != NULL, y != NULL, op));
        }
        int eq = x == y ? 1 : object_compare_bool(x, y, CMP_EQ);
        DECREF(x);
        DECREF(y);
        if (eq < 0) return NULL;
        if (eq == 0) return list_compare_at(a, b, i, op);
    }
}
#endif

static Object *list_richcompare(Object *a, Object *b, int op) {
#ifdef TOY_FREE_THREADED
    return list_compare_locked(a, b, (CompareOp)op);
#else
    return object_compare_sequences(a, b, (CompareOp)op, &list_type, list_items_now);
#endif
}

/* ---- Indexing ------------------------------------------------------------ */

/* len(): no lock (toy-ft), since every change of the size is one store
   (list_set_size): the size at that moment, as under the GIL. */
static int64_t list_len(Object *self) { return (int64_t)list_size_unlocked(self); }

/* The n items of self from start by step, as a new list. NULL without an
   exception when the list no longer reaches that far (toy-ft: another
   thread shrank it after the bounds were resolved): the caller resolves
   them again. */
static Object *list_take(Object *self, int64_t start, int64_t step, int64_t n, bool *shrank) {
    *shrank = false;
    Object *result = list_new((size_t)n);
    if (!result) return NULL;
    objlock_lock_nocode(self);
    if ((size_t)n > 0 && (size_t)(step > 0 ? start + (n - 1) * step : start) >= list_size(self)) {
        objlock_unlock_nocode(self);
        DECREF(result);
        *shrank = true;
        return NULL;
    }
    if (n > 0) /* never past the last item: no overflow */
        refcount_copy_items(AS_LIST(result)->items, AS_LIST(self)->items + start, (size_t)n, step);
    objlock_unlock_nocode(self);
    return result;
}

static Object *list_slice(Object *self, Object *slice) {
    int64_t start, stop, step, n;
    bool shrank;
    Object *result;
    do {
        if (slice_indices(slice, (int64_t)list_size_unlocked(self), &start, &stop, &step, &n) < 0)
            return NULL;
        result = list_take(self, start, step, n, &shrank);
    } while (shrank);
    return result;
}

Object *list_get_slice(Object *self, Object *lo, Object *hi, Object *step) {
    int64_t start, st, n;
    bool shrank;
    Object *result;
    do {
        slice_simple_indices(lo, hi, step, (int64_t)list_size_unlocked(self), &start, &st, &n);
        result = list_take(self, start, st, n, &shrank);
    } while (shrank);
    return result;
}

/* The value of an index key: a small int directly, anything else through
   __index__, before any lock is taken (that may run user code). The size
   is applied later, under the lock, so that `a[-1]` means the last item
   at the moment of the access. 0, or -1 with an exception. */
static int list_index_key(Object *key, int64_t *out) {
    if (is_int(key) && int_is_small(key)) {
        *out = int_value(key);
        return 0;
    }
    return object_as_index(key, out, "list");
}

/* *i resolved against the size now (the caller holds the lock): true when
   it names an item. */
static inline bool list_index_resolve(Object *self, int64_t *i) {
    int64_t n = (int64_t)list_size(self);
    if (*i < 0) *i += n;
    return *i >= 0 && *i < n;
}

static Object *list_getitem(Object *self, Object *key) {
    if (is_slice(key)) return list_slice(self, key);
    int64_t i;
    if (list_index_key(key, &i) < 0) return NULL;
    Object *v = list_fetch_index(self, i);
    if (!v) error_set(&exc_IndexError, "list index out of range");
    return v;
}

/* The items of `value` for a slice assignment, as a new list (a copy, so
   a[:] = a works and the source cannot change while we copy). */
static Object *list_assignment_source(Object *value, const char *not_iterable_msg) {
    if (is_list_exact(value) || is_tuple_exact(value)) {
        Object *copy = list_new(0);
        size_t n = is_list_exact(value) ? list_size_unlocked(value) : tuple_size(value);
        if (copy && list_extend_from_array(AS_LIST(copy), value, n) < 0) CLEAR(&copy);
        return copy;
    }
    Object *it = object_iter(value);
    if (!it) {
        if (error_matches(&exc_TypeError)) error_set(&exc_TypeError, "%s", not_iterable_msg);
        return NULL;
    }
    Object *items = list_from_iterable(it);
    DECREF(it);
    return items;
}

/* n item pointers from src to dst, which do not overlap: a loop, since the
   few items of a typical splice take fewer instructions that way than
   through memcpy's string instruction. */
static void items_move(Object **dst, Object *const *src, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
}

/* Replace items[lo..lo+old_n) by the m items of src, counted again or, with
   `move`, moved out of src and their references with them (src is left
   empty); the replaced items are saved to `old` and released by the
   caller. */
static int list_splice(ListObject *l, size_t lo, size_t old_n, Object *src, Object **old,
                       bool move) {
    size_t m = list_size(src);
    if (m > old_n && list_reserve(l, l->size + (m - old_n)) < 0) return -1;
    size_t tail = l->size - lo - old_n;
    /* An empty list may have no item array at all: no address into it. */
    if (old_n) items_move(old, &l->items[lo], old_n);
    if (tail && m != old_n)
        memmove(&l->items[lo + m], &l->items[lo + old_n], tail * sizeof(Object *));
    if (m && move) {
        items_move(&l->items[lo], AS_LIST(src)->items, m);
        list_set_size(AS_LIST(src), 0);
    } else if (m) {
        refcount_copy_items(&l->items[lo], AS_LIST(src)->items, m, 1);
    }
    list_set_size(l, l->size - old_n + m);
    return 0;
}

/* Where the items a slice assignment replaces wait until they are
   released: `small` when n fit in it, else a new array (NULL: no memory). */
static Object **list_old_items(Object **small, size_t n) {
    return n <= 16 ? small : mem_alloc(n * sizeof(Object *));
}

/* Release the n replaced items, last first (as CPython does), then their
   array of `room` slots. Called with no lock held: a release may run
   __del__. Tested immortal first, as the copies of refcount_copy_items
   are: a slice's items are small ints and strs more often than not. */
static void list_release_old(Object **old, Object **small, size_t n, size_t room) {
    for (size_t i = n; i-- > 0;) DECREF_LIKELY_IMMORTAL(old[i]);
    if (old != small) mem_free(old, room * sizeof(Object *));
}

/* The bounds are resolved under both locks, so that in toy-ft a[-2:] = v
   names the last two items at the moment of the assignment, as it would
   with the whole statement under one lock. With `take`, src is the
   caller's only reference (list_set_range_taking): its items are moved,
   and it is released before the replaced items, whose release may run
   __del__, so that no code ever sees it emptied. */
static int list_set_range_from(Object *self, Object *lo, Object *hi, Object *src, bool take) {
    ListObject *l = AS_LIST(self);
    Object *small[16];
    objlock_lock2_nocode(l, src); /* no Toy code: the old items go after */
    int64_t start, stop;
    slice_range_bounds(lo, hi, (int64_t)l->size, &start, &stop);
    size_t old_n = (size_t)(stop - start);
    Object **old = list_old_items(small, old_n);
    int rc = old ? list_splice(l, (size_t)start, old_n, src, old, take) : -1;
    if (rc == 0) list_maybe_shrink(l);
    objlock_unlock2_nocode(l, src);
    if (take) DECREF(src);
    if (!old) {
        error_no_memory();
        return -1;
    }
    list_release_old(old, small, rc == 0 ? old_n : 0, old_n);
    return rc;
}

int list_set_range(Object *self, Object *lo, Object *hi, Object *src) {
    return list_set_range_from(self, lo, hi, src, false);
}

int list_set_range_taking(Object *self, Object *lo, Object *hi, Object *src) {
    return list_set_range_from(self, lo, hi, src, true);
}

/* ---- Slices through a slice object ------------------------------------------

   a[slice] = value and del a[slice]. The slice's components are read first
   (slice_unpack: that may run __index__), and resolved against the size
   under the list's lock (slice_adjust), so that in toy-ft the indices
   name items of the list as it is while it is changed, whatever another
   thread did in between. Nothing is allocated under the lock: the array
   that keeps the replaced items until they are released is made before,
   and the lock taken again should the list have grown past its room. */

typedef struct {
    Object *small[16];
    Object **items; /* small, or an array of `room` slots */
    size_t room;
} SliceOld;

static void slice_lock(ListObject *l, Object *src) {
    if (src) objlock_lock2(l, src);
    else objlock_lock_nocode(l);
}

static void slice_unlock(ListObject *l, Object *src) {
    if (src) objlock_unlock2(l, src);
    else objlock_unlock_nocode(l);
}

static void slice_old_free(SliceOld *old) {
    if (old->items != old->small) mem_free(old->items, old->room * sizeof(Object *));
}

/* Take l's lock (and src's, when not NULL) with the slice resolved against
   the size now and room in `old` for the n items it names. false with an
   exception and no lock held when there is no memory for them. */
static bool slice_lock_resolved(ListObject *l, Object *src, const SliceBounds *b, SliceOld *old,
                                int64_t *start, int64_t *step, int64_t *n) {
    old->items = old->small;
    old->room = sizeof old->small / sizeof old->small[0];
    for (;;) {
        slice_lock(l, src);
        int64_t stop;
        slice_adjust(b, (int64_t)l->size, start, &stop, step, n);
        if ((size_t)*n <= old->room) return true;
        slice_unlock(l, src);
        slice_old_free(old);
        old->room = (size_t)*n;
        old->items = mem_alloc(old->room * sizeof(Object *));
        if (!old->items) {
            old->items = old->small;
            old->room = sizeof old->small / sizeof old->small[0];
            error_no_memory();
            return false;
        }
    }
}

/* Release the n items kept in old, then its array: with no lock held, as a
   release may run __del__. CPython's order: last first for a contiguous
   slice, first first for an extended one. */
static void slice_old_release(SliceOld *old, size_t n, bool last_first) {
    if (last_first)
        for (size_t i = n; i-- > 0;) DECREF(old->items[i]);
    else
        for (size_t i = 0; i < n; i++) DECREF(old->items[i]);
    slice_old_free(old);
}

/* del a[slice] */
static int list_delete_slice(ListObject *l, const SliceBounds *b) {
    SliceOld old;
    int64_t start, step, n;
    if (!slice_lock_resolved(l, NULL, b, &old, &start, &step, &n)) return -1;
    if (n > 0) {
        if (step < 0) { /* walk the same items forwards */
            start += step * (n - 1);
            step = -step;
        }
        list_cut_stepped(l, (size_t)start, n > 1 ? (size_t)step : 1, (size_t)n, old.items);
        list_maybe_shrink(l);
    }
    slice_unlock(l, NULL);
    slice_old_release(&old, (size_t)n, b->step == 1);
    return 0;
}

static int list_extended_size_error(Object *src, int64_t n) {
    error_set(&exc_ValueError,
              "attempt to assign sequence of size %zu to extended slice of size %lld",
              list_size(src), (long long)n);
    return -1;
}

/* a[slice] = src (a list), the lock held and the slice resolved: items
   replaced one by one (step != 1, sizes equal) or spliced (step 1). */
static int list_assign_resolved(ListObject *l, int64_t start, int64_t step, int64_t n,
                                Object *src, Object **old) {
    if (step == 1) return list_splice(l, (size_t)start, (size_t)n, src, old, false);
    for (int64_t i = 0; i < n; i++) {
        int64_t j = start + i * step; /* never past the last item: no overflow */
        old[i] = l->items[j];
        l->items[j] = NEWREF(list_item(src, (size_t)i));
    }
    return 0;
}

/* a[slice] = value: value's items are copied first (iterating it may run
   code that changes the list; a[::-1] = a reads a before it changes);
   another exact list is read in place, under its lock, for step 1. An
   extended slice must name as many items as value has, both before that
   copy and at the assignment. */
static int list_store_slice(ListObject *l, const SliceBounds *b, Object *value) {
    int64_t start, stop, step, n;
    slice_adjust(b, (int64_t)list_size_unlocked((Object *)l), &start, &stop, &step, &n);
    Object *src = b->step == 1 && is_list_exact(value) && value != (Object *)l
                      ? NEWREF(value)
                      : list_assignment_source(value, b->step == 1
                                                          ? "can only assign an iterable"
                                                          : "must assign iterable to extended slice");
    if (!src) return -1;
    int rc = -1;
    SliceOld old;
    if (b->step != 1 && (int64_t)list_size(src) != n)
        list_extended_size_error(src, n);
    else if (slice_lock_resolved(l, src, b, &old, &start, &step, &n)) {
        bool fits = b->step == 1 || (int64_t)list_size(src) == n;
        rc = fits ? list_assign_resolved(l, start, step, n, src, old.items) : -1;
        if (rc == 0 && b->step == 1) list_maybe_shrink(l);
        slice_unlock(l, src);
        if (!fits) list_extended_size_error(src, n);
        slice_old_release(&old, rc == 0 ? (size_t)n : 0, b->step == 1);
    }
    DECREF(src);
    return rc;
}

/* a[slice] = value, or del a[slice] when value is NULL. */
static int list_assign_slice(ListObject *l, Object *slice, Object *value) {
    SliceBounds b;
    if (slice_unpack(slice, &b) < 0) return -1;
    return value ? list_store_slice(l, &b, value) : list_delete_slice(l, &b);
}

/* del a[i], i resolved under the lock; the item is released after it. */
static int list_delete_index(ListObject *l, int64_t i) {
    objlock_lock_nocode(l);
    Object *old = NULL;
    if (list_index_resolve((Object *)l, &i)) {
        old = l->items[i];
        memmove(&l->items[i], &l->items[i + 1], (l->size - (size_t)i - 1) * sizeof(Object *));
        list_set_size(l, l->size - 1);
        list_maybe_shrink(l);
    }
    objlock_unlock_nocode(l);
    if (!old) return error_set(&exc_IndexError, "list assignment index out of range"), -1;
    DECREF(old);
    return 0;
}

/* a[key] = value; value NULL means del a[key]. */
static int list_setitem(Object *self, Object *key, Object *value) {
    if (is_slice(key)) return list_assign_slice(AS_LIST(self), key, value);
    int64_t i;
    if (list_index_key(key, &i) < 0) return -1;
    if (!value) return list_delete_index(AS_LIST(self), i);
    objlock_lock_nocode(self);
    Object *old = NULL;
    if (list_index_resolve(self, &i)) {
        old = AS_LIST(self)->items[i];
        AS_LIST(self)->items[i] = NEWREF(value);
    }
    objlock_unlock_nocode(self);
    if (!old) return error_set(&exc_IndexError, "list assignment index out of range"), -1;
    DECREF(old);
    return 0;
}

static int list_contains(Object *self, Object *item) {
    for (size_t i = 0; i < list_size_now(self); i++) {
        Object *x = list_fetch(self, i);
        if (!x) break;
        int eq = list_item_equal(x, item);
        DECREF(x);
        if (eq != 0) return eq;
    }
    return 0;
}

/* ---- Operators ----------------------------------------------------------- */

/* list + list. Other operands get NotImplemented: the other operand's
   __radd__ may apply, and abstract.c raises CPython's "can only concatenate
   list (not "int") to list" otherwise. */
static Object *list_add(Object *a, Object *b) {
    if (!is_instance_of(a, &list_type) || !is_instance_of(b, &list_type))
        return NEWREF(NotImplemented);
    objlock_lock2(a, b); /* toy-ft: both lists as they are at one moment */
    size_t na = list_size(a), nb = list_size(b);
    Object *r = list_new(na + nb);
    if (r) {
        for (size_t i = 0; i < na; i++) list_set_steal(r, i, NEWREF(list_item(a, i)));
        for (size_t i = 0; i < nb; i++) list_set_steal(r, na + i, NEWREF(list_item(b, i)));
    }
    objlock_unlock2(a, b);
    return r;
}

/* The repeat count of seq * count: 0, or -1 on error, or 1 for
   NotImplemented when count is an instance of a user class (its __rmul__
   may apply; abstract.c raises the TypeError otherwise). Built-in non-ints
   fail here, so the message names the right operand whatever the other
   type's slot does. */
static int list_repeat_count(Object *count, int64_t *out) {
    if (is_int_exact(count)) {
        if (!int_fits_i64(count)) {
            int_count_too_big();
            return -1;
        }
        *out = int_value(count);
        return 0;
    }
    /* a class's __mul__/__rmul__ comes first, its __index__ after (abstract.c) */
    if (TYPE(count)->flags & TYPE_HEAP) return 1;
    if (TYPE(count)->index || type_lookup_cstr(TYPE(count), "__index__"))
        return object_as_index(count, out, NULL);
    error_set(&exc_TypeError, "can't multiply sequence by non-int of type '%s'",
              TYPE_NAME(count));
    return -1;
}

/* Fill r[0..n*reps) with reps copies of src[0..n). */
static void list_fill_repeated(Object **dst, Object **src, size_t n, int64_t reps) {
    for (int64_t r = 0; r < reps; r++)
        for (size_t i = 0; i < n; i++) *dst++ = NEWREF(src[i]);
}

static Object *list_mul(Object *a, Object *b) {
    Object *seq = is_instance_of(a, &list_type) ? a : b;
    int64_t reps;
    int rc = list_repeat_count(seq == a ? b : a, &reps);
    if (rc != 0) return rc > 0 ? NEWREF(NotImplemented) : NULL;
    objlock_lock(seq); /* toy-ft: the list as it is at one moment */
    size_t n = list_size(seq);
    if (reps <= 0 || n == 0) {
        objlock_unlock(seq);
        return list_new(0);
    }
    if ((uint64_t)reps > SIZE_MAX / sizeof(Object *) / n) {
        objlock_unlock(seq);
        return error_no_memory();
    }
    Object *r = list_new(n * (size_t)reps);
    if (r) list_fill_repeated(AS_LIST(r)->items, AS_LIST(seq)->items, n, reps);
    objlock_unlock(seq);
    return r;
}

/* a += iterable: extend in place. */
static Object *list_inplace_add(Object *self, Object *other) {
    if (!is_instance_of(self, &list_type)) return NEWREF(NotImplemented);
    if (list_extend(self, other) < 0) return NULL;
    return NEWREF(self);
}

/* a *= n: repeat in place. */
static Object *list_inplace_mul(Object *self, Object *other) {
    if (!is_instance_of(self, &list_type)) return NEWREF(NotImplemented);
    int64_t reps;
    int rc = list_repeat_count(other, &reps);
    if (rc != 0) return rc > 0 ? NEWREF(NotImplemented) : NULL;
    ListObject *l = AS_LIST(self);
    objlock_lock(l);
    size_t n = l->size;
    if (reps <= 0 || n == 0) {
        objlock_unlock(l);
        if (list_delete_range(l, 0, n) < 0) return NULL;
        return NEWREF(self);
    }
    bool too_big = (uint64_t)reps > SIZE_MAX / sizeof(Object *) / n;
    if (too_big || (n * (size_t)reps > l->capacity &&
                    list_set_capacity(l, n * (size_t)reps) < 0)) {
        objlock_unlock(l);
        return too_big ? error_no_memory() : NULL;
    }
    list_fill_repeated(l->items + n, l->items, n, reps - 1);
    list_set_size(l, n * (size_t)reps);
    objlock_unlock(l);
    return NEWREF(self);
}

/* The arguments of list(...) and list.__init__: at most one, positional. */
static int list_init_args(size_t nargs, Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0) {
        error_set(&exc_TypeError, "list() takes no keyword arguments");
        return -1;
    }
    if (nargs > 1) {
        error_set(&exc_TypeError, "list expected at most 1 argument, got %zu", nargs);
        return -1;
    }
    return 0;
}

/* list(iterable), or cls(iterable) for a subclass without an __init__ of
   its own (list.__new__ makes it empty, list.__init__ fills it). */
static Object *list_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    if (list_init_args(nargs, kwnames) < 0) return NULL;
    Object *l = type == &list_type ? list_new(0) : object_alloc(type, type->instance_size);
    if (!l) return NULL;
    if (nargs == 1 && list_extend(l, args[0]) < 0) {
        DECREF(l);
        return NULL;
    }
    return l;
}

/* list.__init__(self, iterable=(), /): empties the list, then extends it
   (what super().__init__(items) runs in a subclass). */
static Object *list_init_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (list_init_args(nargs, kwnames) < 0) return NULL;
    if (list_delete_range(AS_LIST(self), 0, list_size(self)) < 0) return NULL;
    if (nargs == 1 && list_extend(self, args[0]) < 0) return NULL;
    return NEWREF_IMMORTAL(None);
}

/* ---- Iterators ----------------------------------------------------------- */

/* iter(list): walks by index, so it sees appends made during the loop and
   stops early if the list shrinks, as Python's does. */
Object *list_iter(Object *self) {
    ListIterObject *it =
        (ListIterObject *)object_alloc(&list_iterator_type, sizeof(ListIterObject));
    if (!it) return NULL;
    it->list = NEWREF(self);
    return (Object *)it;
}

/* Threads may share the iterator (core/iterstate.h): the index is read
   once, and the list is never released here in toy-ft. */
static Object *list_iter_next(Object *self) {
    ListIterObject *it = (ListIterObject *)self;
    if (!it->list) return NULL;
    size_t i = iter_index(&it->index);
    Object *x = list_fetch(it->list, i);
    if (x) {
        iter_set_index(&it->index, i + 1);
        return x;
    }
    iter_exhaust(&it->list, &it->index);
    return NULL;
}

/* reversed(list): index counts down; an index past a shrunken end (or
   ITER_SPENT) stops. */
static Object *list_reverse_iter_next(Object *self) {
    ListIterObject *it = (ListIterObject *)self;
    if (!it->list) return NULL;
    size_t i = iter_index(&it->index);
    objlock_lock_nocode(it->list);
    Object *x = i > 0 && i <= list_size(it->list) ? NEWREF(list_item(it->list, i - 1)) : NULL;
    objlock_unlock_nocode(it->list);
    if (x) {
        iter_set_index(&it->index, i - 1);
        return x;
    }
    iter_exhaust(&it->list, &it->index);
    return NULL;
}

Object *list_reversed_iter(Object *list) {
    ListIterObject *it =
        (ListIterObject *)object_alloc(&list_reverseiterator_type, sizeof(ListIterObject));
    if (!it) return NULL;
    it->list = NEWREF(list);
    it->index = list_size_unlocked(list); /* the next item is index - 1 */
    return (Object *)it;
}

static Object *list_iter_self(Object *self) { return NEWREF(self); }

/* __length_hint__: the items left (0 once exhausted). */
static Object *list_iter_length_hint(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    (void)args;
    ListIterObject *it = (ListIterObject *)self;
    bool forward = TYPE(self) == &list_iterator_type;
    if (args_check(forward ? "list_iterator.__length_hint__" : "list_reverseiterator.__length_hint__",
                   nargs, kwnames, 0, 0) < 0)
        return NULL;
    size_t n = it->list ? list_size_unlocked(it->list) : 0, left = 0, i = iter_index(&it->index);
    if (forward) left = i < n ? n - i : 0;
    else left = i <= n ? i : 0;
    return int_from_i64((int64_t)left);
}

/* __setstate__(index): where the iteration goes on, clamped to the list
   (a no-op once exhausted). */
static Object *list_iter_setstate(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    ListIterObject *it = (ListIterObject *)self;
    bool forward = TYPE(self) == &list_iterator_type;
    int64_t i;
    if (iter_setstate_index(forward ? "list_iterator.__setstate__" : "list_reverseiterator.__setstate__",
                            args, nargs, kwnames, &i) < 0)
        return NULL;
    if (iter_spent(it->list, &it->index)) return NEWREF_IMMORTAL(None);
    int64_t n = (int64_t)list_size_unlocked(it->list);
    if (forward) iter_set_index(&it->index, (size_t)(i < 0 ? 0 : i > n ? n : i));
    else iter_set_index(&it->index, (size_t)(i < -1 ? 0 : i >= n ? n : i + 1));
    return NEWREF_IMMORTAL(None);
}

static const MethodDef list_iter_methods[] = {
    {"__length_hint__", list_iter_length_hint, "Private method returning an estimate of len(list(it))."},
    {"__setstate__", list_iter_setstate, "Set state information for unpickling."},
    {NULL, NULL, NULL},
};

static void list_iter_dealloc(Object *self) {
    XDECREF(((ListIterObject *)self)->list);
    object_free(self, sizeof(ListIterObject));
}

static int list_iter_traverse(Object *self, VisitFunc visit, void *arg) {
    VISIT(((ListIterObject *)self)->list);
    return 0;
}

Type list_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "list_iterator",
    .methods = list_iter_methods,
    .base_type = &object_type,
    .flags = TYPE_GC,
    .instance_size = sizeof(ListIterObject),
    .dealloc = list_iter_dealloc,
    .hash = object_identity_hash,
    .iter = list_iter_self,
    .iternext = list_iter_next,
    .traverse = list_iter_traverse,
};



Type list_reverseiterator_type = {
    TYPE_HEAD_INIT,
    .name = "list_reverseiterator",
    .methods = list_iter_methods,
    .base_type = &object_type,
    .flags = TYPE_GC,
    .instance_size = sizeof(ListIterObject),
    .dealloc = list_iter_dealloc,
    .hash = object_identity_hash,
    .iter = list_iter_self,
    .iternext = list_reverse_iter_next,
    .traverse = list_iter_traverse,
};

/* ---- Sorting -------------------------------------------------------------
 *
 * A natural merge sort in the style of timsort, without galloping: find runs
 * that are already ascending (or strictly descending, then reversed), extend
 * short runs to MIN_RUN items with binary insertion sort, and merge adjacent
 * runs from a stack kept balanced by timsort's invariants, copying the
 * shorter run of each pair to a temporary buffer.
 *
 * Items are sorted as (key, value) pairs; without a key function both are
 * the item. Only "key < key" is ever asked, and a right item moves before a
 * left one only when strictly less, which makes the sort stable. When every
 * key is an int, a float or a str, or every key is a tuple, comparisons
 * skip (some of) the generic machinery.
 *
 * A comparison can fail (TypeError) or run Python code. On failure, every
 * merge step puts the items it holds back, so the array always stays a
 * permutation of the input and the list is left valid, partly sorted.
 */

typedef struct {
    Object *key;
    Object *value;
} SortItem;

typedef enum { SORT_GENERIC, SORT_INT, SORT_FLOAT, SORT_STR, SORT_TUPLE } SortKind;

typedef struct {
    size_t start, len;
} SortRun;

typedef struct {
    SortItem *items;
    SortItem *tmp;      /* room for len/2 + 1 items */
    SortKind kind;
    SortRun runs[128];  /* the invariants keep the depth below log_phi(n) */
    size_t nruns;
} SortState;

#define MIN_RUN 32

static int sort_str_less(Object *a, Object *b) {
    size_t la = str_len(a), lb = str_len(b);
    /* UTF-8 byte order is code point order. */
    int c = memcmp(str_data(a), str_data(b), la < lb ? la : lb);
    return c < 0 || (c == 0 && la < lb);
}

/* a < b for two objects of a given kind: 1, 0, or -1 with an exception. */
static inline int sort_less_as(SortKind kind, Object *a, Object *b) {
    switch (kind) {
    case SORT_INT: return int_value(a) < int_value(b);
    case SORT_FLOAT: return float_value(a) < float_value(b);
    case SORT_STR: return sort_str_less(a, b);
    default: return object_compare_bool(a, b, CMP_LT);
    }
}

/* The fast kind of a single object (SORT_GENERIC when it has none). */
static inline SortKind sort_kind_of(Object *o) {
    Type *t = TYPE(o);
    return t == &int_type ? (int_is_small(o) ? SORT_INT : SORT_GENERIC) : t == &float_type ? SORT_FLOAT
         : t == &str_type ? SORT_STR : SORT_GENERIC;
}

/* a < b for tuples, as tuple comparison defines it (the first pair of
   items that are not equal decides; else the shorter is less), with items
   of the same fast kind compared directly. */
static int sort_tuple_less(Object *a, Object *b) {
    size_t na = tuple_size(a), nb = tuple_size(b);
    for (size_t i = 0; i < na && i < nb; i++) {
        Object *x = tuple_item(a, i), *y = tuple_item(b, i);
        if (x == y) continue;
        SortKind kind = sort_kind_of(x);
        if (kind != SORT_GENERIC && sort_kind_of(y) == kind) {
            bool same = kind == SORT_INT   ? int_value(x) == int_value(y)
                      : kind == SORT_FLOAT ? float_value(x) == float_value(y)
                                           : str_equal(x, y);
            if (same) continue;
            return sort_less_as(kind, x, y);
        }
        int eq = object_equal(x, y);
        if (eq < 0) return -1;
        if (!eq) return object_compare_bool(x, y, CMP_LT);
    }
    return na < nb;
}

static inline int sort_less(SortState *st, Object *a, Object *b) {
    if (st->kind == SORT_TUPLE) return sort_tuple_less(a, b);
    return sort_less_as(st->kind, a, b);
}

/* The comparison every key allows: a fast kind shared by all keys, tuples
   (compared item by item with fast paths), else the generic one. */
static SortKind sort_choose_kind(SortItem *items, size_t n) {
    if (n == 0) return SORT_GENERIC;
    Type *t = TYPE(items[0].key);
    for (size_t i = 1; i < n; i++)
        if (TYPE(items[i].key) != t) return SORT_GENERIC;
    if (t == &int_type) /* SORT_INT compares int64 values: only if all are small */
        for (size_t i = 0; i < n; i++)
            if (int_is_big(items[i].key)) return SORT_GENERIC;
    if (t == &tuple_type) return SORT_TUPLE;
    return sort_kind_of(items[0].key);
}

static void sort_reverse_items(SortItem *a, size_t n) {
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        SortItem t = a[i];
        a[i] = a[j - 1];
        a[j - 1] = t;
    }
}

/* Sort a[0..n) by binary insertion, a[0..sorted) being sorted already. */
static int sort_insertion(SortState *st, SortItem *a, size_t sorted, size_t n) {
    for (size_t i = sorted; i < n; i++) {
        SortItem pivot = a[i];
        size_t lo = 0, hi = i;
        while (lo < hi) { /* first position whose key is greater than the pivot's */
            size_t mid = lo + (hi - lo) / 2;
            int lt = sort_less(st, pivot.key, a[mid].key);
            if (lt < 0) return -1;
            if (lt) hi = mid; else lo = mid + 1;
        }
        memmove(&a[lo + 1], &a[lo], (i - lo) * sizeof(SortItem));
        a[lo] = pivot;
    }
    return 0;
}

/* Length of the run starting at a[0] (n items left); a strictly descending
   run is reversed in place. */
static int64_t sort_count_run(SortState *st, SortItem *a, size_t n) {
    if (n < 2) return (int64_t)n;
    int desc = sort_less(st, a[1].key, a[0].key);
    if (desc < 0) return -1;
    size_t k = 2;
    for (; k < n; k++) {
        int lt = sort_less(st, a[k].key, a[k - 1].key);
        if (lt < 0) return -1;
        if (lt != desc) break;
    }
    if (desc) sort_reverse_items(a, k);
    return (int64_t)k;
}

/* Merge a[0..na) and a[na..na+nb), copying the left run to tmp. */
static int sort_merge_lo(SortState *st, SortItem *a, size_t na, size_t nb) {
    SortItem *tmp = st->tmp;
    memcpy(tmp, a, na * sizeof(SortItem));
    size_t i = 0, j = na, d = 0, end = na + nb;
    int rc = 0;
    while (i < na && j < end) {
        int lt = sort_less(st, a[j].key, tmp[i].key);
        if (lt < 0) { rc = -1; break; }
        a[d++] = lt ? a[j++] : tmp[i++];
    }
    /* Whatever remains of the right run is in place; put back the left. */
    memcpy(&a[d], &tmp[i], (na - i) * sizeof(SortItem));
    return rc;
}

/* Merge a[0..na) and a[na..na+nb) from the end, copying the right run. */
static int sort_merge_hi(SortState *st, SortItem *a, size_t na, size_t nb) {
    SortItem *tmp = st->tmp, *b = a + na;
    memcpy(tmp, b, nb * sizeof(SortItem));
    size_t i = na, j = nb, d = na + nb; /* counts of items left; next write at d-1 */
    int rc = 0;
    while (i > 0 && j > 0) {
        int lt = sort_less(st, tmp[j - 1].key, a[i - 1].key);
        if (lt < 0) { rc = -1; break; }
        a[--d] = lt ? a[--i] : tmp[--j];
    }
    /* Whatever remains of the left run is in place; put back the right. */
    memcpy(&a[d - j], tmp, j * sizeof(SortItem));
    return rc;
}

/* Number of items at the start of a[0..n) whose key is <= key. */
static int64_t sort_count_le(SortState *st, SortItem *a, size_t n, Object *key) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int lt = sort_less(st, key, a[mid].key);
        if (lt < 0) return -1;
        if (lt) hi = mid; else lo = mid + 1;
    }
    return (int64_t)lo;
}

/* Number of items at the start of a[0..n) whose key is < key. */
static int64_t sort_count_lt(SortState *st, SortItem *a, size_t n, Object *key) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int lt = sort_less(st, a[mid].key, key);
        if (lt < 0) return -1;
        if (lt) lo = mid + 1; else hi = mid;
    }
    return (int64_t)lo;
}

/* Merge runs k and k+1 of the stack into one. */
static int sort_merge_at(SortState *st, size_t k) {
    SortRun *r = &st->runs[k];
    SortItem *a = st->items + r[0].start;
    size_t na = r[0].len, nb = r[1].len;
    r[0].len = na + nb;
    memmove(&st->runs[k + 1], &st->runs[k + 2], (st->nruns - k - 2) * sizeof(SortRun));
    st->nruns--;

    /* Items of the left run not greater than the right's first stay put;
       items of the right run not less than the left's last stay put. */
    int64_t skip = sort_count_le(st, a, na, a[na].key);
    if (skip < 0) return -1;
    a += skip;
    na -= (size_t)skip;
    if (na == 0) return 0;
    int64_t keep = sort_count_lt(st, a + na, nb, a[na - 1].key);
    if (keep < 0) return -1;
    nb = (size_t)keep;
    if (nb == 0) return 0;
    return na <= nb ? sort_merge_lo(st, a, na, nb) : sort_merge_hi(st, a, na, nb);
}

/* Restore timsort's invariants on the run stack after a push. */
static int sort_merge_collapse(SortState *st) {
    while (st->nruns > 1) {
        size_t k = st->nruns - 2;
        SortRun *r = st->runs;
        if ((k > 0 && r[k - 1].len <= r[k].len + r[k + 1].len) ||
            (k > 1 && r[k - 2].len <= r[k - 1].len + r[k].len)) {
            if (r[k - 1].len < r[k + 1].len) k--;
        } else if (r[k].len > r[k + 1].len) {
            break;
        }
        if (sort_merge_at(st, k) < 0) return -1;
    }
    return 0;
}

static int sort_merge_all(SortState *st) {
    while (st->nruns > 1) {
        size_t k = st->nruns - 2;
        if (k > 0 && st->runs[k - 1].len < st->runs[k + 1].len) k--;
        if (sort_merge_at(st, k) < 0) return -1;
    }
    return 0;
}

static int sort_items(SortState *st, size_t n) {
    st->kind = sort_choose_kind(st->items, n);
    st->nruns = 0;
    for (size_t lo = 0; lo < n;) {
        int64_t run = sort_count_run(st, st->items + lo, n - lo);
        if (run < 0) return -1;
        size_t len = (size_t)run;
        if (len < MIN_RUN && lo + len < n) {
            size_t want = n - lo < MIN_RUN ? n - lo : MIN_RUN;
            if (sort_insertion(st, st->items + lo, len, want) < 0) return -1;
            len = want;
        }
        st->runs[st->nruns++] = (SortRun){lo, len};
        lo += len;
        if (sort_merge_collapse(st) < 0) return -1;
    }
    return sort_merge_all(st);
}

/* Compute key(item) for every item; the keys own new references. */
static int sort_compute_keys(SortItem *items, size_t n, Object *key) {
    for (size_t i = 0; i < n; i++) {
        Object *k = object_call1(key, items[i].value);
        if (!k) {
            while (i-- > 0) DECREF(items[i].key);
            return -1;
        }
        items[i].key = k;
    }
    return 0;
}

/* Sort the n items of `saved` (the list's own array, taken out of the list)
   into place. 0 / -1; the array is always left a permutation. */
static int sort_array(Object **saved, size_t n, Object *key, bool reverse) {
    SortItem *items = mem_alloc(n * sizeof(SortItem));
    SortItem *tmp = mem_alloc((n / 2 + 1) * sizeof(SortItem));
    if (!items || !tmp) {
        if (items) mem_free(items, n * sizeof(SortItem));
        if (tmp) mem_free(tmp, (n / 2 + 1) * sizeof(SortItem));
        error_no_memory();
        return -1;
    }
    for (size_t i = 0; i < n; i++) items[i] = (SortItem){saved[i], saved[i]};
    int rc = key ? sort_compute_keys(items, n, key) : 0;
    if (rc == 0) {
        /* Reversing before and after keeps equal items in their original
           order when sorting descending, as Python does. */
        if (reverse) sort_reverse_items(items, n);
        SortState st = {.items = items, .tmp = tmp};
        rc = sort_items(&st, n);
        if (reverse) sort_reverse_items(items, n);
        for (size_t i = 0; i < n; i++) saved[i] = items[i].value;
        if (key)
            for (size_t i = 0; i < n; i++) DECREF(items[i].key);
    }
    mem_free(items, n * sizeof(SortItem));
    mem_free(tmp, (n / 2 + 1) * sizeof(SortItem));
    return rc;
}

int list_sort(Object *list, Object *key, bool reverse) {
    ListObject *l = AS_LIST(list);
    if (key == None) key = NULL;
    /* A single item is still passed to the key function, as in Python. */
    size_t size = list_size_unlocked(list);
    if (size == 0 || (size == 1 && !key)) return 0;

    /* While sorting, the list looks empty to any Python code that runs (key
       functions, __lt__), and whatever such code puts in it is discarded. */
    objlock_lock(l);
    Object **saved = l->items;
    size_t n = l->size, capacity = l->capacity;
    l->items = NULL;
    list_set_size(l, 0);
    l->capacity = 0;
    objlock_unlock(l);

    int rc = sort_array(saved, n, key, reverse);

    objlock_lock(l);
    Object **intruders = l->items;
    size_t nintruders = l->size, intruder_capacity = l->capacity;
    l->items = saved;
    list_set_size(l, n);
    l->capacity = capacity;
    objlock_unlock(l);
    if (intruders || nintruders) {
        for (size_t i = 0; i < nintruders; i++) DECREF(intruders[i]);
        if (intruders) mem_free(intruders, intruder_capacity * sizeof(Object *));
        if (rc == 0) {
            error_set(&exc_ValueError, "list modified during sort");
            rc = -1;
        }
    }
    return rc;
}

/* ---- Methods ------------------------------------------------------------- */

/* Argument checks with CPython's wording for one-argument methods. */
static int list_check_one_arg(const char *name, size_t nargs, Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0) {
        error_set(&exc_TypeError, "list.%s() takes no keyword arguments", name);
        return -1;
    }
    if (nargs != 1) {
        error_set(&exc_TypeError, "list.%s() takes exactly one argument (%zu given)", name, nargs);
        return -1;
    }
    return 0;
}

static int list_check_no_args(const char *name, size_t nargs, Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0) {
        error_set(&exc_TypeError, "list.%s() takes no keyword arguments", name);
        return -1;
    }
    if (nargs != 0) {
        error_set(&exc_TypeError, "list.%s() takes no arguments (%zu given)", name, nargs);
        return -1;
    }
    return 0;
}

Object *list_append_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (list_check_one_arg("append", nargs, kwnames) < 0) return NULL;
    if (list_append(self, args[0]) < 0) return NULL;
    return NEWREF_IMMORTAL(None);
}

static Object *list_extend_method(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    if (list_check_one_arg("extend", nargs, kwnames) < 0) return NULL;
    if (list_extend(self, args[0]) < 0) return NULL;
    return NEWREF_IMMORTAL(None);
}

static Object *list_insert_method(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    if (args_check("list.insert", nargs, kwnames, 2, 2) < 0) return NULL;
    int64_t index;
    if (object_as_index(args[0], &index, NULL) < 0) return NULL;
    if (list_insert(self, index, args[1]) < 0) return NULL;
    return NEWREF_IMMORTAL(None);
}

static Object *list_pop_method(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    if (args_check("list.pop", nargs, kwnames, 0, 1) < 0) return NULL;
    int64_t i = -1;
    if (nargs == 1 && object_as_index(args[0], &i, NULL) < 0) return NULL;
    ListObject *l = AS_LIST(self);
    objlock_lock_nocode(l);
    const char *err = NULL;
    Object *item = NULL;
    if (l->size == 0) {
        err = "pop from empty list";
    } else {
        if (i < 0) i += (int64_t)l->size;
        if (i < 0 || i >= (int64_t)l->size) err = "pop index out of range";
    }
    if (!err) {
        item = l->items[i];
        memmove(&l->items[i], &l->items[i + 1], (l->size - (size_t)i - 1) * sizeof(Object *));
        list_set_size(l, l->size - 1);
        list_maybe_shrink(l);
    }
    objlock_unlock_nocode(l);
    if (err) return error_set(&exc_IndexError, "%s", err);
    return item; /* the list's reference passes to the caller */
}

/* Index of the first item equal to value in [start, stop), -1 if none,
   -2 on error. */
static int64_t list_find(Object *self, Object *value, int64_t start, int64_t stop) {
    for (int64_t i = start; i < stop && i < (int64_t)list_size_now(self); i++) {
        Object *x = list_fetch(self, (size_t)i);
        if (!x) break;
        int eq = list_item_equal(x, value);
        DECREF(x);
        if (eq < 0) return -2;
        if (eq) return i;
    }
    return -1;
}

/* list.h says when the lock is let go. */
int list_compare_held(Object *l, Object *a, Object *b, CompareOp op) {
    if (object_compares_plainly(a, b))
        return op == CMP_EQ ? list_item_equal(a, b) : object_compare_bool(a, b, op);
    INCREF(a);
    INCREF(b);
    objlock_unlock(l);
    int r = object_compare_bool(a, b, op);
    DECREF(a);
    DECREF(b);
    objlock_lock(l);
    return r;
}

/* remove(x): the search and the deletion under the list's lock (toy-ft),
   so that another thread's insertion at the front can neither hide x nor
   make the item before it go (searched item by item without it, an item
   another thread shifted was skipped, and the index found named another
   item by the time it was deleted). An item that does not compare
   plainly is compared with the lock let go (list_compare_held), and index
   i is then deleted as CPython deletes it, whatever the comparison did to
   the list. */
static Object *list_remove_method(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    if (list_check_one_arg("remove", nargs, kwnames) < 0) return NULL;
    ListObject *l = AS_LIST(self);
    Object *removed = NULL;
    int eq = 0;
    objlock_lock(l);
    for (size_t i = 0; eq == 0 && i < l->size; i++) {
        Object *x = l->items[i];
        eq = x == args[0] ? 1 : list_compare_held(self, x, args[0], CMP_EQ);
        if (eq > 0 && i < l->size) {
            list_cut_stepped(l, i, 1, 1, &removed);
            list_maybe_shrink(l);
        }
    }
    objlock_unlock(l);
    XDECREF(removed);
    if (eq < 0) return NULL;
    if (eq == 0) return error_set(&exc_ValueError, "list.remove(x): x not in list");
    return NEWREF_IMMORTAL(None);
}

static Object *list_index_method(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    if (args_check("list.index", nargs, kwnames, 1, 3) < 0) return NULL;
    int64_t n = (int64_t)list_size_now(self), start = 0, stop = n;
    if (nargs > 1 && slice_clamp_index(args[1], n, &start) < 0) return NULL;
    if (nargs > 2 && slice_clamp_index(args[2], n, &stop) < 0) return NULL;
    int64_t i = list_find(self, args[0], start, stop);
    if (i == -2) return NULL;
    if (i >= 0) return int_from_i64(i);
    Object *r = object_repr(args[0]);
    if (!r) return NULL;
    error_set(&exc_ValueError, "%s is not in list", str_data(r));
    DECREF(r);
    return NULL;
}

static Object *list_count_method(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    if (list_check_one_arg("count", nargs, kwnames) < 0) return NULL;
    int64_t count = 0;
    for (size_t i = 0; i < list_size_now(self); i++) {
        Object *x = list_fetch(self, i);
        if (!x) break;
        int eq = list_item_equal(x, args[0]);
        DECREF(x);
        if (eq < 0) return NULL;
        count += eq;
    }
    return int_from_i64(count);
}

/* sort(*, key=None, reverse=False) */
static Object *list_sort_method(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    if (nargs + nkw > 2)
        return error_set(&exc_TypeError, "sort() takes at most 2 %sarguments (%zu given)",
                         nargs ? "" : "keyword ", nargs + nkw);
    if (nargs > 0) return error_set(&exc_TypeError, "sort() takes no positional arguments");
    Object *key = NULL;
    int64_t reverse = 0;
    for (size_t i = 0; i < nkw; i++) {
        Object *name = tuple_item(kwnames, i), *value = args[i];
        if (strcmp(str_data(name), "key") == 0) {
            key = value;
        } else if (strcmp(str_data(name), "reverse") == 0) {
            if (object_as_index(value, &reverse, NULL) < 0) return NULL;
        } else {
            return error_set(&exc_TypeError, "'%s' is an invalid keyword argument for sort()",
                             str_data(name));
        }
    }
    if (list_sort(self, key, reverse != 0) < 0) return NULL;
    return NEWREF_IMMORTAL(None);
}

static Object *list_reverse_method(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)args;
    if (list_check_no_args("reverse", nargs, kwnames) < 0) return NULL;
    ListObject *l = AS_LIST(self);
    objlock_lock_nocode(l);
    for (size_t i = 0, j = l->size; i + 1 < j; i++, j--) {
        Object *t = l->items[i];
        l->items[i] = l->items[j - 1];
        l->items[j - 1] = t;
    }
    objlock_unlock_nocode(l);
    return NEWREF_IMMORTAL(None);
}

static Object *list_copy_method(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)args;
    if (list_check_no_args("copy", nargs, kwnames) < 0) return NULL;
    Object *r = list_new(0);
    if (r && list_extend_from_array(AS_LIST(r), self, list_size_now(self)) < 0) CLEAR(&r);
    return r;
}

static Object *list_clear_method(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)args;
    if (list_check_no_args("clear", nargs, kwnames) < 0) return NULL;
    ListObject *l = AS_LIST(self);
    /* Detach the array first: releasing items may run code that uses the list. */
    objlock_lock_nocode(l);
    Object **items = l->items;
    size_t n = l->size, capacity = l->capacity;
    l->items = NULL;
    list_set_size(l, 0);
    l->capacity = 0;
    objlock_unlock_nocode(l);
    for (size_t i = 0; i < n; i++) DECREF(items[i]);
    if (items) mem_free(items, capacity * sizeof(Object *));
    return NEWREF_IMMORTAL(None);
}

static Object *list_reversed_method(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)args;
    if (args_check("list.__reversed__", nargs, kwnames, 0, 0) < 0) return NULL;
    return list_reversed_iter(self);
}

static const MethodDef list_methods[] = {
    {"__reversed__", list_reversed_method, "Return a reverse iterator over the list."},
    {"__init__", list_init_method, "Initialize self."},
    {"append", list_append_method, "Append object to the end of the list."},
    {"extend", list_extend_method, "Extend list by appending elements from the iterable."},
    {"insert", list_insert_method, "Insert object before index."},
    {"pop", list_pop_method, "Remove and return item at index (default last)."},
    {"remove", list_remove_method, "Remove first occurrence of value."},
    {"index", list_index_method, "Return first index of value."},
    {"count", list_count_method, "Return number of occurrences of value."},
    {"sort", list_sort_method, "Sort the list in ascending order and return None."},
    {"reverse", list_reverse_method, "Reverse *IN PLACE*."},
    {"copy", list_copy_method, "Return a shallow copy of the list."},
    {"clear", list_clear_method, "Remove all items from list."},
    {NULL, NULL, NULL},
};

/* ---- The cycle collector's slots ------------------------------------------ */

static int list_traverse(Object *self, VisitFunc visit, void *arg) {
    ListObject *l = AS_LIST(self);
    for (size_t i = l->size; i-- > 0;) VISIT(l->items[i]); /* last first, as CPython */
    return 0;
}

/* Empty the list first, then release the items: their deallocs may look. */
static int list_gc_clear(Object *self) {
    ListObject *l = AS_LIST(self);
    Object **items = l->items;
    size_t n = l->size, cap = l->capacity;
    l->items = NULL;
    list_set_size(l, 0);
    l->capacity = 0;
    for (size_t i = n; i-- > 0;) XDECREF(items[i]);
    if (items) mem_free(items, cap * sizeof(Object *));
    return 0;
}

Type list_type = {
    TYPE_HEAD_INIT,
    .name = "list",
    .base_type = &object_type,
    .instance_size = sizeof(ListObject),
    .flags = TYPE_BASETYPE | TYPE_GC,
    .methods = list_methods,
    .dealloc = list_dealloc,
    .repr = list_repr,
    .hash = object_hash_not_implemented,
    .richcompare = list_richcompare,
    .construct = list_construct,
    .iter = list_iter,
    .len = list_len,
    .getitem = list_getitem,
    .setitem = list_setitem,
    .contains = list_contains,
    .binary = {[BINOP_ADD] = list_add, [BINOP_MUL] = list_mul},
    .inplace = {[BINOP_ADD] = list_inplace_add, [BINOP_MUL] = list_inplace_mul},
    .traverse = list_traverse,
    .clear = list_gc_clear,
};
