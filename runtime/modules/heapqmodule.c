/* heapqmodule.c - the _heapq module: the heap operations under
 * runtime/lib/heapq.toy, in C as CPython's are.
 *
 * A heap is a plain list in which every item is <= its two children (items
 * 2i+1 and 2i+2), so heap[0] is the smallest. The functions here keep that
 * shape with two moves:
 *   - sift_towards_root: an item that may be smaller than its parent swaps
 *     with it until it is not (after an append);
 *   - sift_to_leaf: the hole at pos is filled by always moving the smaller
 *     child up until a leaf is reached, then the item that was at pos goes
 *     back up from there (fewer comparisons than stopping early, since an
 *     item taken from the end of the list usually belongs near the bottom).
 * These are the moves CPython makes, in the same order, so a heap holds its
 * items in the same places and equal items come out in the same order.
 *
 * Only `<` is used to compare. A comparison may run a user's __lt__, which
 * may change the list: each compared item is held by a reference for the
 * comparison, items are re-read afterwards, and a change of length raises
 * CPython's RuntimeError. The _max variants order the other way; nsmallest
 * in heapq.toy uses them.
 *
 * Each operation runs under the heap list's lock (toy-ft), so that threads
 * pushing and popping one heap of ints, floats, strs or tuples of them
 * never see it half-sifted, as CPython's free-threaded build runs them in
 * a critical section. Items that do not compare plainly (instances with
 * __lt__, lists) are compared with the lock let go (list_compare_held,
 * objects/list.h): that comparison could take other locks. Other threads
 * may then see such a heap between two moves, as under the GIL when __lt__
 * is Toy code.
 */
#include <stdbool.h>

#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/list.h"
#include "objects/module.h"
#include "modules/builtins.h"

/* a < b, or b < a for a max-heap, with the heap's lock held: 1, 0, -1. */
static int heap_less(Object *heap, Object *a, Object *b, bool max) {
    return max ? list_compare_held(heap, b, a, CMP_LT) : list_compare_held(heap, a, b, CMP_LT);
}

static int heap_check_size(Object *heap, size_t size) {
    if (list_size(heap) == size) return 0;
    error_set(&exc_RuntimeError, "list changed size during iteration");
    return -1;
}

static void heap_swap(Object *heap, size_t i, size_t j) {
    Object **items = ((ListObject *)heap)->items;
    Object *t = items[i];
    items[i] = items[j];
    items[j] = t;
}

/* Move the item at pos up towards start while it is less than its parent. */
static int sift_towards_root(Object *heap, size_t start, size_t pos, bool max) {
    size_t size = list_size(heap);
    while (pos > start) {
        size_t parent = (pos - 1) / 2;
        int less = heap_less(heap, list_item(heap, pos), list_item(heap, parent), max);
        if (less < 0 || heap_check_size(heap, size) < 0) return -1;
        if (!less) break;
        heap_swap(heap, pos, parent);
        pos = parent;
    }
    return 0;
}

/* Restore the heap below pos, whose item may be too large for its place. */
static int sift_to_leaf(Object *heap, size_t pos, bool max) {
    size_t size = list_size(heap), start = pos;
    while (pos < size / 2) {
        size_t child = 2 * pos + 1;
        if (child + 1 < size) {
            int less = heap_less(heap, list_item(heap, child), list_item(heap, child + 1), max);
            if (less < 0 || heap_check_size(heap, size) < 0) return -1;
            if (!less) child++; /* the right child is the smaller (or equal) */
        }
        heap_swap(heap, pos, child);
        pos = child;
    }
    return sift_towards_root(heap, start, pos, max);
}

/* ---- Arguments ------------------------------------------------------------- */

/* "heappush() argument 1 must be list, not tuple"; one-argument functions
   say "argument must be". */
static int heap_arg(const char *fname, Object *heap, bool only_argument) {
    if (is_list(heap)) return 0;
    error_set(&exc_TypeError, "%s() argument%s must be list, not %s", fname,
              only_argument ? "" : " 1", arg_type_name(heap));
    return -1;
}

static Object *index_error(void) { return error_set(&exc_IndexError, "index out of range"); }

/* Remove and return the last item (owned); the list is not empty. */
static Object *heap_pop_last(Object *heap) {
    ListObject *l = (ListObject *)heap;
    list_set_size(l, l->size - 1);
    return l->items[l->size];
}

/* heap[0] = item, returning the old heap[0] (owned); the list is not empty. */
static Object *heap_replace_root(Object *heap, Object *item) {
    ListObject *l = (ListObject *)heap;
    Object *old = l->items[0];
    l->items[0] = NEWREF(item);
    return old;
}

/* ---- The functions ------------------------------------------------------------- */

/* Each operation below runs under the heap list's lock (see the top). */
typedef Object *(*HeapOp)(Object *heap, Object *item, bool max);

static Object *heap_locked(HeapOp op, Object *heap, Object *item, bool max) {
    objlock_lock(heap);
    Object *r = op(heap, item, max);
    objlock_unlock(heap);
    return r;
}

static Object *heap_push(Object *heap, Object *item, bool max) {
    if (list_append(heap, item) < 0 ||
        sift_towards_root(heap, 0, list_size(heap) - 1, max) < 0)
        return NULL;
    return NEWREF(None);
}

static Object *heap_pop(Object *heap, Object *unused, bool max) {
    (void)unused;
    if (list_size(heap) == 0) return index_error();
    Object *last = heap_pop_last(heap);
    if (list_size(heap) == 0) return last;
    Object *top = heap_replace_root(heap, last);
    DECREF(last); /* the list holds it now */
    if (sift_to_leaf(heap, 0, max) < 0) {
        DECREF(top);
        return NULL;
    }
    return top;
}

static Object *heap_replace(Object *heap, Object *item, bool max) {
    if (list_size(heap) == 0) return index_error();
    Object *top = heap_replace_root(heap, item);
    if (sift_to_leaf(heap, 0, max) < 0) {
        DECREF(top);
        return NULL;
    }
    return top;
}

/* Push item, then pop the smallest: item itself when it is not larger than
   heap[0] (the heap is then left alone). */
static Object *heap_pushpop(Object *heap, Object *item, bool max) {
    if (list_size(heap) == 0) return NEWREF(item);
    int less = heap_less(heap, list_item(heap, 0), item, max);
    if (less < 0) return NULL;
    if (!less) return NEWREF(item);
    if (list_size(heap) == 0) return index_error(); /* __lt__ emptied it */
    return heap_replace(heap, item, max);
}

static Object *heapify(Object *heap, Object *unused, bool max) {
    (void)unused;
    /* The leaves are heaps already; fix each parent, the last one first. */
    for (size_t i = list_size(heap) / 2; i-- > 0;)
        if (sift_to_leaf(heap, i, max) < 0) return NULL;
    return NEWREF(None);
}

/* The module's functions: (heap, item) or (heap), checked, then the
   operation under the lock. */
#define HEAPQ_FUNCTION(cname, name, nargs_wanted, op, max)                                   \
    static Object *cname(Object *self, Object *const *args, size_t nargs, Object *kwnames) { \
        (void)self;                                                                          \
        if (args_check("_heapq." name, nargs, kwnames, nargs_wanted, nargs_wanted) < 0 ||    \
            heap_arg(name, args[0], nargs_wanted == 1) < 0)                                  \
            return NULL;                                                                     \
        return heap_locked(op, args[0], nargs_wanted == 2 ? args[1] : NULL, max);            \
    }

HEAPQ_FUNCTION(heapq_heappush, "heappush", 2, heap_push, false)
HEAPQ_FUNCTION(heapq_heappop, "heappop", 1, heap_pop, false)
HEAPQ_FUNCTION(heapq_heappop_max, "_heappop_max", 1, heap_pop, true)
HEAPQ_FUNCTION(heapq_heapreplace, "heapreplace", 2, heap_replace, false)
HEAPQ_FUNCTION(heapq_heapreplace_max, "_heapreplace_max", 2, heap_replace, true)
HEAPQ_FUNCTION(heapq_heappushpop, "heappushpop", 2, heap_pushpop, false)
HEAPQ_FUNCTION(heapq_heapify, "heapify", 1, heapify, false)
HEAPQ_FUNCTION(heapq_heapify_max, "_heapify_max", 1, heapify, true)

static const MethodDef heapq_functions[] = {
    {"heappush", heapq_heappush, "Push item onto heap, maintaining the heap invariant."},
    {"heappop", heapq_heappop, "Pop the smallest item off the heap, maintaining the heap invariant."},
    {"heapreplace", heapq_heapreplace, "Pop and return the current smallest value, and add the new item."},
    {"heappushpop", heapq_heappushpop, "Push item on the heap, then pop and return the smallest item from the heap."},
    {"heapify", heapq_heapify, "Transform list into a heap, in-place, in O(len(heap)) time."},
    {"_heappop_max", heapq_heappop_max, "Maxheap variant of heappop."},
    {"_heapreplace_max", heapq_heapreplace_max, "Maxheap variant of heapreplace."},
    {"_heapify_max", heapq_heapify_max, "Maxheap variant of heapify."},
    {NULL, NULL, NULL},
};

Object *heapq_module_init(void) {
    Object *m = module_new("_heapq");
    if (!m) return NULL;
    if (module_add_functions(m, heapq_functions) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
