/* list.h - mutable sequences: a growable array of owned references. */
#ifndef TOY_LIST_H
#define TOY_LIST_H

#include "core/object.h"
#include "core/objlock.h"
#include "core/refcount.h"

typedef struct {
    Object base;
    size_t size;
    size_t capacity;
    Object **items;
} ListObject;

extern Type list_type;

/* list or a user subclass of it; is_list_exact: list itself (a subclass may
   override __iter__, __len__, __getitem__: only list itself may be read
   directly where CPython would go through them). */
static inline bool is_list(Object *o) { return is_builtin_instance(o, &list_type); }
static inline bool is_list_exact(Object *o) { return o->type == &list_type; }
static inline size_t list_size(Object *l) { return ((ListObject *)l)->size; }
/* Every change of a list's size goes through list_set_size, under the
   list's lock. In toy-ft it is a relaxed atomic store, so that len() can
   read the size without the lock (list_size_unlocked) and still see a size
   the list had; the GIL build stores and reads it plainly. */
#ifdef TOY_FREE_THREADED
static inline void list_set_size(ListObject *l, size_t n) {
    __atomic_store_n(&l->size, n, __ATOMIC_RELAXED);
}
static inline size_t list_size_unlocked(Object *l) {
    return __atomic_load_n(&((ListObject *)l)->size, __ATOMIC_RELAXED);
}
#else
static inline void list_set_size(ListObject *l, size_t n) { l->size = n; }
static inline size_t list_size_unlocked(Object *l) { return list_size(l); }
#endif
/* Borrowed. No bounds check. */
static inline Object *list_item(Object *l, size_t i) { return ((ListObject *)l)->items[i]; }

/* The three reads and writes below, without the lock: the inline forms
   take them so while the thread is alone (they run no Toy code:
   objlock_lock_nocode's rule), and list.c's locked forms (once threads
   run) under the list's lock, out of line, so that the inline forms save
   no register for a call. Always the inline forms in the GIL build. */
static inline Object *list_fetch_unlocked(Object *l, size_t i) {
    return i < list_size(l) ? NEWREF(list_item(l, i)) : NULL;
}
static inline Object *list_fetch_index_unlocked(Object *l, int64_t i) {
    size_t n = list_size(l);
    if (i < 0) i += (int64_t)n;
    return i >= 0 && (uint64_t)i < n ? NEWREF(list_item(l, (size_t)i)) : NULL;
}
static inline Object *list_store_index_unlocked(Object *l, int64_t i, Object *v) {
    size_t n = list_size(l);
    if (i < 0) i += (int64_t)n;
    Object *old = NULL;
    if (i >= 0 && (uint64_t)i < n) {
        old = list_item(l, (size_t)i);
        ((ListObject *)l)->items[i] = v;
    }
    return old;
}
Object *list_fetch_locked(Object *l, size_t i);
Object *list_fetch_index_locked(Object *l, int64_t i);
Object *list_store_index_locked(Object *l, int64_t i, Object *v);

/* A new reference to item i, read under the list's lock, or NULL (no
   exception) when the list is shorter than that: it may shrink while user
   code runs, or on another thread in toy-ft. */
static inline Object *list_fetch(Object *l, size_t i) {
    if (!objlock_nocode_skips()) return list_fetch_locked(l, i);
    return list_fetch_unlocked(l, i);
}

/* a OP b for code that holds l's lock across a walk that compares (remove,
   heapq, bisect.insort): under the lock when a and b compare plainly
   (object_compares_plainly), else with the lock let go for the comparison.
   A comparison that runs Toy code or takes another container's lock must
   not run under l's: with striped locks, a thread holding l's stripe and
   waiting for the stripe of an item it compares, while another thread
   holds that one and waits for l's (sorted(l), l == m), deadlocks both. In
   the GIL build this is object_compare_bool. The caller re-reads l after:
   it may have changed meanwhile, as it may under the GIL while __lt__
   runs. 1, 0, -1. */
int list_compare_held(Object *l, Object *a, Object *b, CompareOp op);

/* l[i] for an int i (negative counts from the end), resolved against the
   size and read as one step under the lock: a new reference, or NULL (no
   exception) when out of range. */
static inline Object *list_fetch_index(Object *l, int64_t i) {
    if (!objlock_nocode_skips()) return list_fetch_index_locked(l, i);
    return list_fetch_index_unlocked(l, i);
}

/* l[i] = v for an int i (negative counts from the end), resolved and
   stored as one step under the lock. Steals v and returns the item it
   replaced, for the caller to release after (a release may run __del__),
   or returns NULL and keeps v when i is out of range. */
static inline Object *list_store_index(Object *l, int64_t i, Object *v) {
    if (!objlock_nocode_skips()) return list_store_index_locked(l, i, v);
    return list_store_index_unlocked(l, i, v);
}

/* A list of n NULL items when n > 0 (fill with list_set_steal), else empty. */
Object *list_new(size_t n);
/* A list of items[0..n), gathered in an array of cap slots (mem_grow),
   all of which it takes over: the references go into the list, the array
   is freed. When !ok (the gathering failed, its exception set) or the list
   cannot be made (MemoryError), the items are released and it returns
   NULL. For code that gathers items under another object's lock and must
   not take a list's lock inside it (core/objlock.h). */
Object *list_steal_array(bool ok, Object **items, size_t n, size_t cap);
/* Steals item; only for filling a fresh list_new(n) list. */
static inline void list_set_steal(Object *l, size_t i, Object *item) { ((ListObject *)l)->items[i] = item; }
/* 0 ok, -1 MemoryError. list_append borrows, list_append_steal steals (and
   releases item even on failure). */
int list_append(Object *list, Object *item);
int list_append_steal(Object *list, Object *item);
#ifdef TOY_FREE_THREADED
/* toy-ft: the append that needs neither the lock nor a new item array (the
   thread is alone, so objlock_nocode_skips, and the list has room): done,
   stealing item, when true; false leaves item with the caller, for
   list_append_steal. */
static inline __attribute__((always_inline)) bool list_append_if_room(Object *list,
                                                                      Object *item) {
    ListObject *l = (ListObject *)list;
    if (!objlock_nocode_skips() || l->size >= l->capacity) return false;
    l->items[l->size] = item;
    list_set_size(l, l->size + 1);
    return true;
}
/* list_append_steal with that case inline, for the eval loop's appends
   (the GIL build's call already inlines it). */
static inline __attribute__((always_inline)) int list_append_steal_inline(Object *list,
                                                                          Object *item) {
    return list_append_if_room(list, item) ? 0 : list_append_steal(list, item);
}
#else
static inline int list_append_steal_inline(Object *list, Object *item) {
    return list_append_steal(list, item);
}
#endif
/* The C body of list.append (its MethodDef's func): the eval loop knows the
   method by it (CALL_LIST_APPEND). */
Object *list_append_method(Object *self, Object *const *args, size_t nargs, Object *kwnames);
/* list.extend(iterable): 0 / -1. */
int list_extend(Object *list, Object *iterable);
/* list(iterable). */
Object *list_from_iterable(Object *iterable);
/* Sort in place, stable, with an optional key function and reverse flag.
   Comparison errors propagate (-1). */
int list_sort(Object *list, Object *key, bool reverse);
Object *list_as_tuple(Object *list);
/* list[lo:hi:step] and list[lo:hi] = src for an exact list, bounds and
   step None or small ints, step not 0 (slice_subscript and
   slice_store_taking in range.c check); src is an exact list other than
   list, read in place. New reference / 0, or NULL / -1 with an exception. */
Object *list_get_slice(Object *list, Object *lo, Object *hi, Object *step);
int list_set_range(Object *list, Object *lo, Object *hi, Object *src);
/* list_set_range with the caller's only reference to src (REFCNT_IS_ONLY),
   which it takes: the items move from src to list uncounted. */
int list_set_range_taking(Object *list, Object *lo, Object *hi, Object *src);

/* ---- Added by the containers module ---- */

extern Type list_iterator_type;        /* iter(list) */
extern Type list_reverseiterator_type; /* reversed(list) */

/* A list_iterator or list_reverseiterator. Its layout is public because the
   eval loop's FOR_ITER advances a list_iterator inline, without a call per
   step. */
typedef struct {
    Object base;
    Object *list;  /* owned; NULL once exhausted (toy-ft: kept, core/iterstate.h) */
    size_t index;  /* the next item (list_reverseiterator: one past it);
                      ITER_SPENT once exhausted in toy-ft */
} ListIterObject;

/* iter(list). */
Object *list_iter(Object *list);

/* reversed(list): an iterator from the last item to the first. */
Object *list_reversed_iter(Object *list);
/* list.insert(index, item): index clamped as Python does. 0 / -1. */
int list_insert(Object *list, int64_t index, Object *item);

/* The repr recursion guard shared by the container reprs (list, tuple, dict,
   dict views), kept in ts_get()->repr_stack: list_repr_enter(o) returns 1 if
   this thread is already repr'ing o (print "[...]" instead of recursing), -1
   on MemoryError, and 0 after recording o; every 0 must be paired with
   list_repr_leave(o). */
int list_repr_enter(Object *o);
void list_repr_leave(Object *o);

/* Deallocation of deeply nested containers without deep C recursion (used by
   list, tuple and dict; any container type may use it). A dealloc starts
   with `if (!list_trashcan_enter(self)) return;` (false: the object was
   queued, to be deallocated again later from a shallower point) and ends
   with list_trashcan_leave() once the object is freed. */
bool list_trashcan_enter(Object *o);
void list_trashcan_leave(void);

#endif
