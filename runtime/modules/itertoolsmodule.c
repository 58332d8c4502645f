/* itertoolsmodule.c - the _itertools module: the loops of itertools'
 * combinatoric iterators (product, permutations, combinations,
 * combinations_with_replacement), in C because they are the inner loops of
 * brute-force searches.
 *
 * runtime/lib/itertools.toy checks the arguments, reads the input into
 * tuples and hands them here; each function returns a
 * `_itertools.combinatoric` iterator over tuples of items. One type serves
 * the four: it owns the pool tuples and an array of indices into them, and
 * works out the next indices from the last ones:
 *
 *   product       an odometer: the rightmost index runs fastest;
 *   permutations  r distinct positions in lexicographic order: the
 *                 rightmost position that can move to a larger unused
 *                 position does, and the positions after it restart from
 *                 the smallest unused ones (`used` marks the taken ones);
 *   combinations  increasing positions: the rightmost one that can still
 *                 grow does, the ones after it follow it one apart (or,
 *                 with replacement, equal to it).
 *
 * Each step costs O(r) (O(r + n) at worst for permutations, whose scans
 * pass at most r used positions). The iterator holds no reference to
 * anything but its pools, so it makes no cycle. The module holds no state.
 *
 * Threads may share one iterator (core/iterstate.h). A step rewrites the
 * index array in place, and a thread reading it halfway through could
 * index past a pool, so in toy-ft a step and the result built from it run
 * under the iterator's own lock. Nothing there runs Toy code (the items
 * are only referenced), so the lock is the no-code kind, left out while
 * one thread runs. Each result then comes out exactly once.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/tuple.h"
#include "modules/itertoolsmodule.h"

#define UNUSED(x) (void)(x)

typedef enum { COMB_PRODUCT, COMB_PERMUTATIONS, COMB_COMBINATIONS, COMB_REPLACEMENT } CombKind;

typedef struct {
    Object base;
    CombKind kind;
    Object *pools;    /* tuple: product's tuple of tuples, else a 1-tuple of the pool */
    size_t r;         /* items per result */
    size_t n;         /* len(pool) (permutations, combinations) */
    size_t *indices;  /* r entries, into the pool (product: into pools[i]) */
    bool *used;       /* permutations: n entries, whether a position is taken */
    bool started;     /* the first result has been returned */
    bool done;
} CombObject;


static void comb_dealloc(Object *self) {
    CombObject *c = (CombObject *)self;
    XDECREF(c->pools);
    if (c->indices) mem_free(c->indices, c->r * sizeof(size_t));
    if (c->used) mem_free(c->used, c->n * sizeof(bool));
    object_free(self, sizeof(CombObject));
}

static Object *comb_self(Object *self) { return NEWREF(self); }

/* The pool position i of the result draws from. */
static Object *comb_pool(CombObject *c, size_t i) {
    return tuple_item(c->pools, c->kind == COMB_PRODUCT ? i : 0);
}

/* The result for the current indices: a new tuple. */
static Object *comb_result(CombObject *c) {
    Object *t = tuple_new(c->r);
    if (!t) return NULL;
    for (size_t i = 0; i < c->r; i++)
        tuple_set_steal(t, i, NEWREF(tuple_item(comb_pool(c, i), c->indices[i])));
    return t;
}

/* The first indices, or false when there is no result at all. */
static bool comb_first(CombObject *c) {
    size_t r = c->r, n = c->n;
    switch (c->kind) {
    case COMB_PRODUCT:
        for (size_t i = 0; i < r; i++) {
            if (tuple_size(tuple_item(c->pools, i)) == 0) return false;
            c->indices[i] = 0;
        }
        return true;
    case COMB_PERMUTATIONS:
    case COMB_COMBINATIONS:
        if (r > n) return false;
        for (size_t i = 0; i < r; i++) c->indices[i] = i;
        if (c->used)
            for (size_t k = 0; k < n; k++) c->used[k] = k < r;
        return true;
    case COMB_REPLACEMENT:
        if (n == 0 && r > 0) return false;
        for (size_t i = 0; i < r; i++) c->indices[i] = 0;
        return true;
    }
    return false;
}

static bool product_next(CombObject *c) {
    for (size_t i = c->r; i-- > 0;) {
        if (++c->indices[i] < tuple_size(tuple_item(c->pools, i))) return true;
        c->indices[i] = 0;
    }
    return false;
}

static bool permutations_next(CombObject *c) {
    size_t r = c->r, n = c->n, i = r;
    while (i-- > 0) {
        size_t k = c->indices[i];
        c->used[k] = false;
        for (k++; k < n && c->used[k]; k++) {}
        if (k < n) {
            c->indices[i] = k;
            c->used[k] = true;
            size_t free_pos = 0;
            for (size_t j = i + 1; j < r; j++) {
                while (c->used[free_pos]) free_pos++;
                c->indices[j] = free_pos;
                c->used[free_pos] = true;
            }
            return true;
        }
    }
    return false;
}

static bool combinations_next(CombObject *c, bool replace) {
    size_t r = c->r, n = c->n, i = r;
    while (i-- > 0) {
        size_t limit = replace ? n - 1 : i + n - r;
        if (c->indices[i] != limit) {
            size_t k = c->indices[i] + 1;
            for (size_t j = i; j < r; j++) c->indices[j] = replace ? k : k + (j - i);
            return true;
        }
    }
    return false;
}

/* The next result, or NULL at the end; under the iterator's lock. */
static Object *comb_step(CombObject *c) {
    if (c->done) return NULL;
    bool more;
    if (!c->started) {
        c->started = true;
        more = comb_first(c);
    } else {
        switch (c->kind) {
        case COMB_PRODUCT: more = product_next(c); break;
        case COMB_PERMUTATIONS: more = permutations_next(c); break;
        case COMB_COMBINATIONS: more = combinations_next(c, false); break;
        default: more = combinations_next(c, true); break;
        }
    }
    if (!more) {
        c->done = true;
        return NULL;
    }
    return comb_result(c);
}

static Object *comb_next(Object *self) {
    objlock_lock_nocode(self);
    Object *result = comb_step((CombObject *)self);
    objlock_unlock_nocode(self);
    return result;
}

static int comb_traverse(Object *self, VisitFunc visit, void *arg) {
    VISIT(((CombObject *)self)->pools);
    return 0;
}

Type combinatoric_type = {
    TYPE_HEAD_INIT,
    .name = "_itertools.combinatoric",
    .base_type = &object_type,
    .flags = TYPE_GC,
    .instance_size = sizeof(CombObject),
    .dealloc = comb_dealloc,
    .hash = object_identity_hash,
    .iter = comb_self,
    .iternext = comb_next,
    .traverse = comb_traverse,
};

/* A new iterator over pools (a tuple, borrowed) drawing r items. */
static Object *comb_new(CombKind kind, Object *pools, size_t r) {
    CombObject *c = (CombObject *)object_alloc(&combinatoric_type, sizeof(CombObject));
    if (!c) return NULL;
    c->kind = kind;
    c->pools = NEWREF(pools);
    c->r = r;
    c->n = kind == COMB_PRODUCT ? 0 : tuple_size(tuple_item(pools, 0));
    if (r > 0 && !(c->indices = mem_alloc(r * sizeof(size_t)))) goto fail;
    if (kind == COMB_PERMUTATIONS && c->n > 0 && !(c->used = mem_alloc(c->n * sizeof(bool))))
        goto fail;
    return (Object *)c;
fail:
    if (!c->indices) c->r = 0;
    DECREF(c);
    return error_no_memory();
}

/* The arguments (pool, r) of all but product: a tuple and r >= 0. */
static int pool_and_r(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                      size_t *r) {
    if (args_check(fname, nargs, kwnames, 2, 2) < 0) return -1;
    if (!is_type(args[0], &tuple_type)) {
        error_set(&exc_TypeError, "%s() needs a tuple, not %s", fname, TYPE_NAME(args[0]));
        return -1;
    }
    int64_t v;
    if (int_as_i64(args[1], &v) < 0) return -1;
    if (v < 0) {
        error_set(&exc_ValueError, "r must be non-negative");
        return -1;
    }
    *r = (size_t)v;
    return 0;
}

/* The pool as the 1-tuple comb_new expects. */
static Object *comb_from_pool(CombKind kind, Object *pool, size_t r) {
    Object *pools = tuple_pack(1, pool);
    if (!pools) return NULL;
    Object *it = comb_new(kind, pools, r);
    DECREF(pools);
    return it;
}

static Object *itertools_product(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    UNUSED(self);
    if (args_check("product", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *pools = args[0];
    if (!is_type(pools, &tuple_type))
        return error_set(&exc_TypeError, "product() needs a tuple, not %s", TYPE_NAME(pools));
    for (size_t i = 0; i < tuple_size(pools); i++)
        if (!is_type(tuple_item(pools, i), &tuple_type))
            return error_set(&exc_TypeError, "product() needs a tuple of tuples");
    return comb_new(COMB_PRODUCT, pools, tuple_size(pools));
}

static Object *itertools_permutations(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    UNUSED(self);
    size_t r;
    if (pool_and_r("permutations", args, nargs, kwnames, &r) < 0) return NULL;
    return comb_from_pool(COMB_PERMUTATIONS, args[0], r);
}

static Object *itertools_combinations(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    UNUSED(self);
    size_t r;
    if (pool_and_r("combinations", args, nargs, kwnames, &r) < 0) return NULL;
    return comb_from_pool(COMB_COMBINATIONS, args[0], r);
}

static Object *itertools_combinations_with_replacement(Object *self, Object *const *args,
                                                       size_t nargs, Object *kwnames) {
    UNUSED(self);
    size_t r;
    if (pool_and_r("combinations_with_replacement", args, nargs, kwnames, &r) < 0) return NULL;
    return comb_from_pool(COMB_REPLACEMENT, args[0], r);
}

static const MethodDef itertools_functions[] = {
    {"product", itertools_product,
     "product(pools): the tuples of the Cartesian product of a tuple of tuples."},
    {"permutations", itertools_permutations,
     "permutations(pool, r): the r-length permutations of a tuple."},
    {"combinations", itertools_combinations,
     "combinations(pool, r): the r-length combinations of a tuple."},
    {"combinations_with_replacement", itertools_combinations_with_replacement,
     "combinations_with_replacement(pool, r): combinations that may repeat items."},
    {NULL, NULL, NULL},
};

Object *itertools_module_init(void) {
    Object *m = module_new("_itertools");
    if (!m) return NULL;
    if (module_add_functions(m, itertools_functions) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
