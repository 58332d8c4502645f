/* bisectmodule.c - the _bisect module: binary search in a sorted sequence
 * (bisect_left, bisect_right) and insertion that keeps it sorted
 * (insort_left, insort_right). runtime/lib/bisect.toy re-exports them with
 * the aliases bisect and insort.
 *
 * The sequence may be anything with len() and indexing; lists are read
 * directly. Comparing items calls the items' __lt__, which may run Toy code
 * that changes the list, so each item is held by a reference of its own
 * while it is compared, and the list's size is read again at each step.
 * The arguments and their errors are CPython's: lo must be non-negative,
 * hi=None (or -1) means len(a), key= applies to the items but not to x
 * (insort applies it to x too). The module holds no state.
 */
#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/tuple.h"
#include "modules/bisectmodule.h"

#define UNUSED(x) (void)(x)

typedef struct {
    Object *a, *x, *key; /* borrowed; key NULL when None or not given */
    int64_t lo, hi;
    bool hi_given;       /* false: hi is len(a), read when parsed */
} BisectArgs;

/* a[i] (new reference). A list is read directly, under its lock: a Toy
   __lt__, or another thread (toy-ft), may have shrunk it since the search
   began, so the index is checked again. */
static Object *sequence_item(Object *a, int64_t i) {
    if (is_list(a)) {
        Object *item = i < 0 ? NULL : list_fetch(a, (size_t)i);
        return item ? item : error_set(&exc_IndexError, "list index out of range");
    }
    Object *index = int_from_i64(i);
    if (!index) return NULL;
    Object *item = object_getitem(a, index);
    DECREF(index);
    return item;
}

/* The arguments (a, x, lo=0, hi=None, *, key=None) of all four functions. */
static int bisect_parse(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                        BisectArgs *out) {
    static const char *const names[] = {"a", "x", "lo", "hi", "key", NULL};
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    if (nargs > 4 && nargs + nkw <= 5) {
        error_set(&exc_TypeError, "%s() takes at most 4 positional arguments (%zu given)",
                  fname, nargs);
        return -1;
    }
    Object *v[5];
    if (args_parse(fname, args, nargs, kwnames, names, 2, v) < 0) return -1;
    out->a = v[0];
    out->x = v[1];
    out->key = v[4] == None ? NULL : v[4];
    out->lo = 0;
    out->hi = -1;
    out->hi_given = v[3] && v[3] != None;
    if (v[2] && int_as_i64(v[2], &out->lo) < 0) return -1;
    if (out->lo < 0) {
        error_set(&exc_ValueError, "lo must be non-negative");
        return -1;
    }
    if (v[3] && v[3] != None) {
        if (!is_int(v[3]) && !TYPE(v[3])->index && !type_lookup_cstr(TYPE(v[3]), "__index__")) {
            error_set(&exc_TypeError, "argument should be integer or None, not '%s'",
                      TYPE_NAME(v[3]));
            return -1;
        }
        if (int_as_i64(v[3], &out->hi) < 0) return -1;
    }
    if (out->hi == -1) {
        out->hi = object_len(out->a);
        if (out->hi < 0) return -1;
    }
    return 0;
}

/* Release o; when `held`, with the list's lock let go unless o compares
   plainly (the last reference to anything else may run a __del__). */
static void drop(const BisectArgs *b, Object *o, bool held) {
    if (!held || object_is_plain(o)) {
        DECREF(o);
        return;
    }
    objlock_unlock(b->a);
    DECREF(o);
    objlock_lock(b->a);
}

/* key(item), with the list's lock let go for the call when `held`. */
static Object *key_of(const BisectArgs *b, Object *item, bool held) {
    if (held) objlock_unlock(b->a);
    Object *k = object_call1(b->key, item);
    if (held) objlock_lock(b->a);
    return k;
}

/* The search: the first position whose item is not less than x (left), or
   the first whose item is greater than x (right). x is a key value when a
   key function is given. `held`: the caller holds the list's lock, which
   Toy code (a key function, an __lt__) must not run under
   (list_compare_held). -1 on error. */
static int64_t bisect_search(const BisectArgs *b, Object *x, bool right, bool held) {
    int64_t lo = b->lo, hi = b->hi;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        Object *item = sequence_item(b->a, mid);
        if (item && b->key) {
            Object *k = key_of(b, item, held);
            drop(b, item, held);
            item = k;
        }
        if (!item) return -1;
        int less;
        if (held)
            less = right ? list_compare_held(b->a, x, item, CMP_LT)
                         : list_compare_held(b->a, item, x, CMP_LT);
        else
            less = right ? object_compare_bool(x, item, CMP_LT)
                         : object_compare_bool(item, x, CMP_LT);
        drop(b, item, held);
        if (less < 0) return -1;
        if (right == (bool)less) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

static Object *bisect(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                      bool right) {
    BisectArgs b;
    if (bisect_parse(fname, args, nargs, kwnames, &b) < 0) return NULL;
    int64_t i = bisect_search(&b, b.x, right, false);
    return i < 0 ? NULL : int_from_i64(i);
}

/* insort: x goes where bisect puts key(x); a list's insert is called
   directly, any other sequence's insert method. */
static Object *insort(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                      bool right) {
    BisectArgs b;
    if (bisect_parse(fname, args, nargs, kwnames, &b) < 0) return NULL;
    Object *kx = b.key ? object_call1(b.key, b.x) : NEWREF(b.x);
    if (!kx) return NULL;
    if (is_list(b.a)) {
        /* The search and the insertion as one step under the list's lock
           (toy-ft), as under the GIL for items that compare in C: two
           threads' insort on one sorted list of ints, strs or tuples of
           them keep it sorted. A key function, and a comparison that is
           not plain, run with the lock let go. */
        objlock_lock(b.a);
        if (!b.hi_given) b.hi = (int64_t)list_size(b.a); /* the length now */
        int64_t i = bisect_search(&b, kx, right, true);
        int rc = i < 0 ? -1 : list_insert(b.a, i, b.x);
        objlock_unlock(b.a);
        DECREF(kx);
        return rc < 0 ? NULL : NEWREF(None);
    }
    int64_t i = bisect_search(&b, kx, right, false);
    DECREF(kx);
    if (i < 0) return NULL;
    Object *index = int_from_i64(i);
    if (!index) return NULL;
    Object *insert_args[2] = {index, b.x};
    Object *r = object_call_method(b.a, "insert", insert_args, 2);
    DECREF(index);
    if (!r) return NULL;
    DECREF(r);
    return NEWREF(None);
}

static Object *bisect_bisect_left(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    UNUSED(self);
    return bisect("bisect_left", args, nargs, kwnames, false);
}

static Object *bisect_bisect_right(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    UNUSED(self);
    return bisect("bisect_right", args, nargs, kwnames, true);
}

static Object *bisect_insort_left(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    UNUSED(self);
    return insort("insort_left", args, nargs, kwnames, false);
}

static Object *bisect_insort_right(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    UNUSED(self);
    return insort("insort_right", args, nargs, kwnames, true);
}

static const MethodDef bisect_functions[] = {
    {"bisect_left", bisect_bisect_left,
     "Return the index where to insert item x in list a, assuming a is sorted."},
    {"bisect_right", bisect_bisect_right,
     "Return the index where to insert item x in list a, assuming a is sorted."},
    {"insort_left", bisect_insort_left,
     "Insert item x in list a, and keep it sorted assuming a is sorted."},
    {"insort_right", bisect_insort_right,
     "Insert item x in list a, and keep it sorted assuming a is sorted."},
    {NULL, NULL, NULL},
};

Object *bisect_module_init(void) {
    Object *m = module_new("_bisect");
    if (!m) return NULL;
    if (module_add_functions(m, bisect_functions) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
