/* mathsum.c - the math functions over many numbers: fsum, hypot, dist and
 * prod.
 *
 * fsum is exact: it keeps the running sum as a list of non-overlapping
 * partial sums (Shewchuk's method: each addition of two doubles is split
 * into the rounded sum and its exact rounding error), and rounds their
 * total once at the end, half to even across partials, as CPython does.
 *
 * hypot and dist share vector_norm, which computes sqrt(sum(x*x)) the way
 * CPython 3.11 does, step for step, so the results are the same bits:
 * scale by a power of two, square each term exactly by splitting it into
 * halves of 26 bits (Veltkamp-Dekker), accumulate with compensated
 * summation, and correct the square root by one Newton step.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "modules/mathmodule.h"

/* ---- fsum ---- */

#define PARTIALS_ON_STACK 32

/* The partial sums: sorted by magnitude, non-overlapping, non-zero. The
   array starts on the stack and moves to the heap when it outgrows it. */
typedef struct {
    double *p;
    size_t n, cap;
    double stack[PARTIALS_ON_STACK];
} Partials;

static void partials_init(Partials *ps) {
    ps->p = ps->stack;
    ps->n = 0;
    ps->cap = PARTIALS_ON_STACK;
}

static void partials_release(Partials *ps) {
    if (ps->p != ps->stack) mem_free(ps->p, ps->cap * sizeof(double));
}

static int partials_push(Partials *ps, double x) {
    if (ps->n == ps->cap) {
        size_t cap = ps->cap * 2;
        double *p = mem_alloc(cap * sizeof(double));
        if (!p) {
            error_no_memory();
            return -1;
        }
        memcpy(p, ps->p, ps->n * sizeof(double));
        partials_release(ps);
        ps->p = p;
        ps->cap = cap;
    }
    ps->p[ps->n++] = x;
    return 0;
}

/* Fold x into the partials: each partial y becomes the rounding error of
   x + y (kept when non-zero) and x the rounded sum. Returns the new top,
   which the caller pushes. */
static double partials_fold(Partials *ps, double x) {
    size_t kept = 0;
    for (size_t j = 0; j < ps->n; j++) {
        double y = ps->p[j];
        if (fabs(x) < fabs(y)) {
            double t = x;
            x = y;
            y = t;
        }
        double hi = x + y;
        double lo = y - (hi - x);
        if (lo != 0.0) ps->p[kept++] = lo;
        x = hi;
    }
    ps->n = kept;
    return x;
}

/* The correctly rounded total of the partials: add from the top while the
   additions are exact; then, if the first inexact one rounded to a halfway
   case that the remaining partials push one way, round that way. */
static double partials_total(const double *p, size_t n) {
    if (n == 0) return 0.0;
    double hi = p[--n], lo = 0.0;
    while (n > 0) {
        double x = hi, y = p[--n];
        hi = x + y;
        lo = y - (hi - x);
        if (lo != 0.0) break;
    }
    if (n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0))) {
        double y = lo * 2.0;
        double x = hi + y;
        if (y == x - hi) hi = x;
    }
    return hi;
}

/* Infinities and NaNs are summed apart (special), the infinities also
   alone (inf_sum, NaN when both signs came). */
typedef struct {
    double special, inf_sum;
} SpecialSums;

/* Add one item to the sum. 0 / -1. */
static int fsum_add(Partials *ps, SpecialSums *ss, Object *item) {
    double x;
    if (float_as_double(item, &x) < 0) return -1;
    double top = partials_fold(ps, x);
    if (top == 0.0) return 0;
    if (isfinite(top)) return partials_push(ps, top);
    if (isfinite(x)) {
        error_set(&exc_OverflowError, "intermediate overflow in fsum");
        return -1;
    }
    if (isinf(x)) ss->inf_sum += x;
    ss->special += x;
    ps->n = 0;
    return 0;
}

Object *math_fsum(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.fsum", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *it = object_iter(args[0]);
    if (!it) return NULL;
    Partials ps;
    partials_init(&ps);
    SpecialSums ss = {0.0, 0.0};
    Object *result = NULL, *item;
    while ((item = object_next(it))) {
        int rc = fsum_add(&ps, &ss, item);
        DECREF(item);
        if (rc < 0) goto done;
    }
    if (error_occurred()) goto done;
    if (ss.special != 0.0) {
        if (isnan(ss.inf_sum))
            error_set(&exc_ValueError, "-inf + inf in fsum");
        else
            result = float_from_double(ss.special);
        goto done;
    }
    result = float_from_double(partials_total(ps.p, ps.n));
done:
    partials_release(&ps);
    DECREF(it);
    return result;
}

/* ---- hypot and dist ---- */

/* Adds x to the compensated sum (*sum, *frac); |*sum| >= |x| always holds
   here, so the rounding error is exactly (old - *sum) + x. */
static void compensated_add(double *sum, double *frac, double x) {
    double old = *sum;
    *sum += x;
    *frac += (old - *sum) + x;
}

/* sqrt(sum of squares) of the n values (all >= 0, finite, <= max), for
   max below the smallest normal scale: divide by max instead. */
static double tiny_norm(size_t n, const double *v, double max) {
    double sum = 1.0, frac = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i] / max;
        compensated_add(&sum, &frac, x * x);
    }
    return max * sqrt(sum - 1.0 + frac);
}

/* The sum starts at 1.0 (subtracted at the end) so that it always
   outweighs the terms, each below 1.0 after scaling. */
static double vector_norm(size_t n, const double *v, double max, bool found_nan) {
    const double split = 134217729.0; /* 2**27 + 1 */
    if (isinf(max)) return max;
    if (found_nan) return NAN;
    if (max == 0.0 || n <= 1) return max;
    int max_e;
    frexp(max, &max_e);
    if (max_e < -1023) return tiny_norm(n, v, max);
    double scale = ldexp(1.0, -max_e);
    double sum = 1.0, frac1 = 0.0, frac2 = 0.0, frac3 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i] * scale;
        double t = x * split, hi = t - (t - x), lo = x - hi; /* x == hi + lo */
        compensated_add(&sum, &frac1, hi * hi);
        compensated_add(&sum, &frac2, 2.0 * hi * lo);
        frac3 += lo * lo; /* too small to change sum */
    }
    double h = sqrt(sum - 1.0 + (frac1 + frac2 + frac3));
    /* Newton's correction: subtract h*h, exactly, from the sum; the
       difference d gives sqrt(h*h + d) ~ h + d / (2h). */
    double t = h * split, hi = t - (t - h), lo = h - hi;
    compensated_add(&sum, &frac1, -hi * hi);
    compensated_add(&sum, &frac2, -2.0 * hi * lo);
    compensated_add(&sum, &frac3, -lo * lo);
    double d = sum - 1.0 + (frac1 + frac2 + frac3);
    return (h + d / (2.0 * h)) / scale;
}

#define VALUES_ON_STACK 16

/* A buffer of n doubles: on the stack when small. */
static double *values_buffer(double *stack, size_t n) {
    if (n <= VALUES_ON_STACK) return stack;
    double *v = mem_alloc(n * sizeof(double));
    if (!v) error_no_memory();
    return v;
}

static void values_release(double *v, double *stack, size_t n) {
    if (v != stack) mem_free(v, n * sizeof(double));
}

Object *math_hypot(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.hypot", nargs, kwnames, 0, SIZE_MAX) < 0) return NULL;
    double stack[VALUES_ON_STACK], max = 0.0;
    double *v = values_buffer(stack, nargs);
    if (!v) return NULL;
    bool found_nan = false;
    for (size_t i = 0; i < nargs; i++) {
        double x;
        if (float_as_double(args[i], &x) < 0) {
            values_release(v, stack, nargs);
            return NULL;
        }
        v[i] = fabs(x);
        found_nan |= isnan(x);
        if (v[i] > max) max = v[i];
    }
    double r = vector_norm(nargs, v, max, found_nan);
    values_release(v, stack, nargs);
    return float_from_double(r);
}

/* |p[i] - q[i]| for each coordinate into v, with their max. 0 / -1. */
static int coordinate_gaps(Object *p, Object *q, double *v, double *max, bool *found_nan) {
    for (size_t i = 0; i < tuple_size(p); i++) {
        double px, qx;
        if (float_as_double(tuple_item(p, i), &px) < 0 ||
            float_as_double(tuple_item(q, i), &qx) < 0)
            return -1;
        v[i] = fabs(px - qx);
        *found_nan |= isnan(v[i]);
        if (v[i] > *max) *max = v[i];
    }
    return 0;
}

static Object *dist_of_tuples(Object *p, Object *q) {
    size_t n = tuple_size(p);
    if (tuple_size(q) != n)
        return error_set(&exc_ValueError, "both points must have the same number of dimensions");
    double stack[VALUES_ON_STACK], max = 0.0;
    double *v = values_buffer(stack, n);
    if (!v) return NULL;
    bool found_nan = false;
    Object *r = NULL;
    if (coordinate_gaps(p, q, v, &max, &found_nan) == 0)
        r = float_from_double(vector_norm(n, v, max, found_nan));
    values_release(v, stack, n);
    return r;
}

Object *math_dist(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.dist", nargs, kwnames, 2, 2) < 0) return NULL;
    Object *p = tuple_from_iterable(args[0]);
    if (!p) return NULL;
    Object *q = tuple_from_iterable(args[1]);
    Object *r = q ? dist_of_tuples(p, q) : NULL;
    DECREF(p);
    XDECREF(q);
    return r;
}

/* ---- prod ---- */

/* prod(iterable, /, *, start=1): the start value, or NULL with the error
   CPython gives for a bad call. Borrowed. */
static Object *prod_start(size_t nargs, Object *kwnames, Object *const *kwvalues, bool *bad) {
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    *bad = true;
    if (nargs + nkw > 2)
        return error_set(&exc_TypeError, "prod() takes at most 2 arguments (%zu given)",
                         nargs + nkw);
    if (nargs != 1)
        return error_set(&exc_TypeError, "prod() takes exactly 1 positional argument (%zu given)",
                         nargs);
    if (nkw == 0) {
        *bad = false;
        return NULL;
    }
    Object *name = tuple_item(kwnames, 0);
    if (strcmp(str_data(name), "start") != 0)
        return error_set(&exc_TypeError, "'%s' is an invalid keyword argument for prod()",
                         str_data(name));
    *bad = false;
    return kwvalues[0];
}

Object *math_prod(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    bool bad;
    Object *start = prod_start(nargs, kwnames, args + nargs, &bad);
    if (bad) return NULL;
    Object *it = object_iter(args[0]);
    if (!it) return NULL;
    Object *result = start ? NEWREF(start) : int_from_i64(1), *item;
    while (result && (item = object_next(it))) {
        SETREF(&result, object_binary_op(result, item, BINOP_MUL));
        DECREF(item);
    }
    if (result && error_occurred()) CLEAR(&result);
    DECREF(it);
    return result;
}
