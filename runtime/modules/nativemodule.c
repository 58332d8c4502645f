/* nativemodule.c - the `native` module: the stand-in for extension code
 * (numpy, hashing, compression) that does its work in C without the GIL.
 *
 *   native.count_primes(lo, hi) -> the number of primes p with lo <= p < hi,
 *   found by trial division.
 *
 * The pattern every such function follows: read the arguments into C
 * variables while holding the GIL, release the GIL, compute touching no Toy
 * object, take the GIL back, build the result. While one thread computes,
 * others run bytecode or compute too: threads calling count_primes use every
 * core even with the GIL on.
 *
 *   native.locked_call(obj, fn, *args) -> fn(*args), called while holding
 *   obj's lock in toy-ft (core/objlock.h), as an extension holds an
 *   object's lock around a call back into Toy code. The GIL build has no
 *   such lock: it only calls fn. No built-in type runs Toy code under its
 *   lock; the tests use this to make a thread hold a lock for as long as
 *   they need (a collection that must borrow it, a thread started under
 *   it that must wait).
 */
#include "modules/nativemodule.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/gil.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/module.h"

/* Plain C: no objects, safe without the GIL. */
static bool native_is_prime(int64_t n) {
    if (n < 2) return false;
    if (n < 4) return true;
    if (n % 2 == 0) return false;
    for (int64_t d = 3; d <= n / d; d += 2) /* d <= sqrt(n), without overflow */
        if (n % d == 0) return false;
    return true;
}

static int64_t native_count_range(int64_t lo, int64_t hi) {
    int64_t count = 0;
    for (int64_t n = lo < 2 ? 2 : lo; n < hi; n++) count += native_is_prime(n);
    return count;
}

static Object *native_count_primes(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)self;
    if (args_check("count_primes", nargs, kwnames, 2, 2) < 0) return NULL;
    /* int, bool or __index__; anything else: "'float' object cannot be
       interpreted as an integer", as CPython's C functions say. */
    int64_t lo, hi;
    if (int_as_i64(args[0], &lo) < 0 || int_as_i64(args[1], &hi) < 0) return NULL;

    /* From here to GIL_ACQUIRE only C locals (lo, hi, count) are used: no
       object is touched, so other threads may run Toy code meanwhile. */
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while counting */
    int64_t count = native_count_range(lo, hi);
    GIL_ACQUIRE(ts);
    return int_from_i64(count);
}

static Object *native_locked_call(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    (void)self;
    if (args_check_varargs("locked_call", nargs, kwnames, 2, SIZE_MAX) < 0) return NULL;
    objlock_lock(args[0]);
    Object *r = object_call(args[1], args + 2, nargs - 2, NULL);
    objlock_unlock(args[0]);
    return r;
}

static const MethodDef native_functions[] = {
    {"count_primes", native_count_primes,
     "count_primes(lo, hi): the number of primes in [lo, hi), counted in C with the GIL released"},
    {"locked_call", native_locked_call,
     "locked_call(obj, fn, *args): fn(*args), called holding obj's lock (toy-ft; only the call in the GIL build)"},
    {NULL, NULL, NULL},
};

Object *native_module_init(void) {
    Object *m = module_new("native");
    if (!m) return NULL;
    if (module_add_functions(m, native_functions) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
