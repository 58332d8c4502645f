/* mathint.c - the math module's integer functions: gcd, lcm, isqrt,
 * factorial, comb and perm, exact for ints of any size.
 *
 * Arguments go through __index__ (a float is refused with "'float' object
 * cannot be interpreted as an integer", as in CPython 3.11). Each function
 * works in uint64_t while the numbers fit, and on int objects beyond that,
 * splitting products into balanced halves so that the big multiplications
 * are between numbers of similar size (where Karatsuba pays off).
 */
#include <math.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/tuple.h"
#include "modules/mathmodule.h"

/* ---- Helpers ---- */

/* operator.index(o): a plain int (new reference) with o's integer value
   (a bool becomes an int, as gcd(True, 4) is 1). */
static Object *index_of(Object *o) {
    if (is_instance_of(o, &int_type)) return math_plain_int(o);
    Object *r = object_index(o);
    if (r && TYPE(r) != &int_type) SETREF(&r, math_plain_int(r));
    return r;
}

static Object *int_from_u64(uint64_t u) {
    if (u <= INT64_MAX) return int_from_i64((int64_t)u);
    uint32_t digits[2] = {(uint32_t)u, (uint32_t)(u >> 32)};
    return int_from_digits(digits, 2, false);
}

static uint64_t magnitude(Object *small) {
    int64_t v = int_value(small);
    return v < 0 ? -(uint64_t)v : (uint64_t)v;
}

/* |x| as a plain int. */
static Object *int_abs(Object *x) {
    return math_int_sign(x) < 0 ? object_negative(x) : math_plain_int(x);
}

/* a OP b on ints, releasing a (stolen). */
static Object *op_steal(Object *a, Object *b, BinaryOp op) {
    if (!a) return NULL;
    Object *r = object_binary_op(a, b, op);
    DECREF(a);
    return r;
}

/* a * b, releasing both (either may be NULL after a failure). */
static Object *mul_steal(Object *a, Object *b) {
    Object *r = a && b ? object_binary_op(a, b, BINOP_MUL) : NULL;
    XDECREF(a);
    XDECREF(b);
    return r;
}

/* ---- gcd and lcm ---- */

static uint64_t gcd_u64(uint64_t a, uint64_t b) {
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* gcd(a, b) >= 0: Euclid's algorithm on int objects while either is big,
   then in uint64_t. */
static Object *gcd_pair(Object *a, Object *b) {
    Object *x = int_abs(a);
    Object *y = x ? int_abs(b) : NULL;
    while (y && !(int_is_small(x) && int_is_small(y))) {
        if (math_int_sign(y) == 0) {
            DECREF(y);
            return x;
        }
        Object *r = object_binary_op(x, y, BINOP_MOD);
        DECREF(x);
        x = y;
        y = r;
    }
    if (!y) {
        XDECREF(x);
        return NULL;
    }
    Object *g = int_from_u64(gcd_u64(magnitude(x), magnitude(y)));
    DECREF(x);
    DECREF(y);
    return g;
}

/* lcm(a, b) = |a // gcd(a, b) * b|, 0 when either is 0. */
static Object *lcm_pair(Object *a, Object *b) {
    if (math_int_sign(a) == 0 || math_int_sign(b) == 0) return int_from_i64(0);
    Object *g = gcd_pair(a, b);
    if (!g) return NULL;
    Object *f = object_binary_op(a, g, BINOP_FLOORDIV);
    DECREF(g);
    Object *m = op_steal(f, b, BINOP_MUL);
    if (!m) return NULL;
    Object *r = int_abs(m);
    DECREF(m);
    return r;
}

/* gcd and lcm of any number of arguments; once the result is `absorbing`
   (1 for gcd, 0 for lcm) the rest are only checked to be integers. */
static Object *fold_ints(Object *const *args, size_t nargs, int64_t empty, int64_t absorbing,
                         Object *(*pair)(Object *, Object *)) {
    if (nargs == 0) return int_from_i64(empty);
    Object *acc = index_of(args[0]);
    if (!acc) return NULL;
    if (nargs == 1) {
        Object *r = int_abs(acc);
        DECREF(acc);
        return r;
    }
    for (size_t i = 1; i < nargs; i++) {
        Object *x = index_of(args[i]);
        if (!x) {
            DECREF(acc);
            return NULL;
        }
        if (!(int_is_small(acc) && int_value(acc) == absorbing)) SETREF(&acc, pair(acc, x));
        DECREF(x);
        if (!acc) return NULL;
    }
    return acc;
}

Object *math_gcd(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.gcd", nargs, kwnames, 0, SIZE_MAX) < 0) return NULL;
    return fold_ints(args, nargs, 0, 1, gcd_pair);
}

Object *math_lcm(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.lcm", nargs, kwnames, 0, SIZE_MAX) < 0) return NULL;
    return fold_ints(args, nargs, 1, 0, lcm_pair);
}

/* ---- isqrt ---- */

/* floor(sqrt(n)): the double estimate corrected by at most a step or two. */
static uint64_t isqrt_u64(uint64_t n) {
    uint64_t r = (uint64_t)sqrt((double)n);
    while (r > 0 && r > n / r) r--;
    while (r + 1 <= n / (r + 1)) r++;
    return r;
}

/* Newton's iteration from above, starting from the square root of n's top
   62 bits (rounded up), which is already right to about 31 bits. */
static Object *isqrt_big(Object *n) {
    uint64_t shift = int_bit_length(n) - 62;
    shift += shift & 1; /* even, so that it halves */
    Object *sh = int_from_i64((int64_t)shift);
    Object *top = sh ? object_binary_op(n, sh, BINOP_RSHIFT) : NULL;
    XDECREF(sh);
    if (!top) return NULL;
    Object *root = int_from_u64(isqrt_u64((uint64_t)int_value(top)) + 1);
    DECREF(top);
    Object *half = root ? int_from_i64((int64_t)(shift / 2)) : NULL;
    Object *x = half ? object_binary_op(root, half, BINOP_LSHIFT) : NULL;
    XDECREF(root);
    XDECREF(half);
    Object *one = int_from_i64(1);
    while (x) {
        /* y = (x + n // x) >> 1; stop when it no longer decreases */
        Object *y = op_steal(op_steal(object_binary_op(n, x, BINOP_FLOORDIV), x, BINOP_ADD),
                             one, BINOP_RSHIFT);
        int smaller = y ? object_compare_bool(y, x, CMP_LT) : -1;
        if (smaller <= 0) {
            XDECREF(y);
            if (smaller < 0) CLEAR(&x);
            break;
        }
        SETREF(&x, y);
    }
    DECREF(one);
    return x;
}

Object *math_isqrt(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.isqrt", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *n = index_of(args[0]);
    if (!n) return NULL;
    Object *r;
    if (math_int_sign(n) < 0)
        r = error_set(&exc_ValueError, "isqrt() argument must be nonnegative");
    else if (int_is_small(n))
        r = int_from_u64(isqrt_u64((uint64_t)int_value(n)));
    else
        r = isqrt_big(n);
    DECREF(n);
    return r;
}

/* ---- factorial, perm, comb ---- */

/* lo * (lo + 1) * ... * hi (1 when lo > hi): in uint64_t when it fits,
   else as the product of the two halves. */
static Object *range_product(uint64_t lo, uint64_t hi) {
    if (lo > hi) return int_from_i64(1);
    if (hi - lo < 64) {
        uint64_t p = 1;
        bool fits = true;
        for (uint64_t v = lo; fits && v <= hi; v++) fits = !__builtin_mul_overflow(p, v, &p);
        if (fits) return int_from_u64(p);
    }
    uint64_t mid = lo + (hi - lo) / 2;
    return mul_steal(range_product(lo, mid), range_product(mid + 1, hi));
}

static const char max_i64_text[] = "9223372036854775807";

/* factorial(n) for an int n. */
static Object *factorial_of(Object *n) {
    if (math_int_sign(n) < 0)
        return error_set(&exc_ValueError, "factorial() not defined for negative values");
    if (!int_fits_i64(n))
        return error_set(&exc_OverflowError, "factorial() argument should not exceed %s",
                         max_i64_text);
    return range_product(1, (uint64_t)int_value(n));
}

Object *math_factorial(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.factorial", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *n = index_of(args[0]);
    if (!n) return NULL;
    Object *r = factorial_of(n);
    DECREF(n);
    return r;
}

/* n * (n - 1) * ... * (n - k + 1), for k <= n. */
static Object *falling_product(Object *n, uint64_t k) {
    if (k == 0) return int_from_i64(1);
    if (k == 1) return math_plain_int(n);
    if (int_is_small(n)) {
        uint64_t top = (uint64_t)int_value(n);
        return range_product(top - k + 1, top);
    }
    uint64_t j = k / 2;
    Object *sj = int_from_u64(j);
    Object *rest = sj ? object_binary_op(n, sj, BINOP_SUB) : NULL;
    XDECREF(sj);
    if (!rest) return NULL;
    Object *r = mul_steal(falling_product(n, j), falling_product(rest, k - j));
    DECREF(rest);
    return r;
}

/* comb(n, k) in uint64_t, false when it does not fit. Each step turns
   comb(n, i) into comb(n, i + 1) = comb(n, i) * (n - i) / (i + 1), dividing
   first so that nothing overflows early. comb(n, i) grows at least as 2**i
   for k <= n / 2, so a result too big is found within 64 steps. */
static bool binomial_u64(uint64_t n, uint64_t k, uint64_t *out) {
    uint64_t r = 1;
    for (uint64_t i = 0; i < k; i++) {
        uint64_t d = i + 1, g = gcd_u64(r, d);
        /* (d / g) divides (n - i): d divides r * (n - i) and shares no
           factor with r / g */
        if (__builtin_mul_overflow(r / g, (n - i) / (d / g), &r)) return false;
    }
    *out = r;
    return true;
}

/* comb(n, k) = comb(n, j) * comb(n - j, k - j) // comb(k, j), j = k // 2. */
static Object *binomial(Object *n, uint64_t k) {
    if (k == 0) return int_from_i64(1);
    if (k == 1) return math_plain_int(n);
    uint64_t small;
    if (int_is_small(n) && binomial_u64((uint64_t)int_value(n), k, &small))
        return int_from_u64(small);
    uint64_t j = k / 2;
    Object *sj = int_from_u64(j);
    Object *rest = sj ? object_binary_op(n, sj, BINOP_SUB) : NULL;
    XDECREF(sj);
    if (!rest) return NULL;
    Object *r = mul_steal(binomial(n, j), binomial(rest, k - j));
    DECREF(rest);
    Object *kk = r ? int_from_u64(k) : NULL;
    Object *divisor = kk ? binomial(kk, j) : NULL;
    XDECREF(kk);
    if (!divisor) {
        XDECREF(r);
        return NULL;
    }
    r = op_steal(r, divisor, BINOP_FLOORDIV);
    DECREF(divisor);
    return r;
}

/* The shared argument checks of comb and perm: 0, or -1 with the error. */
static int check_non_negative(Object *n, Object *k) {
    if (math_int_sign(n) < 0) {
        error_set(&exc_ValueError, "n must be a non-negative integer");
        return -1;
    }
    if (math_int_sign(k) < 0) {
        error_set(&exc_ValueError, "k must be a non-negative integer");
        return -1;
    }
    return 0;
}

static Object *perm_of(Object *n, Object *k) {
    if (check_non_negative(n, k) < 0) return NULL;
    int fewer = object_compare_bool(n, k, CMP_LT);
    if (fewer) return fewer < 0 ? NULL : int_from_i64(0);
    if (!int_fits_i64(k))
        return error_set(&exc_OverflowError, "k must not exceed %s", max_i64_text);
    return falling_product(n, (uint64_t)int_value(k));
}

Object *math_perm(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.perm", nargs, kwnames, 1, 2) < 0) return NULL;
    Object *n = index_of(args[0]);
    if (!n) return NULL;
    Object *r;
    if (nargs == 1 || args[1] == None) {
        r = factorial_of(n);
    } else {
        Object *k = index_of(args[1]);
        r = k ? perm_of(n, k) : NULL;
        XDECREF(k);
    }
    DECREF(n);
    return r;
}

static Object *comb_of(Object *n, Object *k) {
    if (check_non_negative(n, k) < 0) return NULL;
    /* k = min(k, n - k); n - k < 0 means no way to choose */
    Object *other = object_binary_op(n, k, BINOP_SUB);
    if (!other) return NULL;
    if (math_int_sign(other) < 0) {
        DECREF(other);
        return int_from_i64(0);
    }
    int less = object_compare_bool(other, k, CMP_LT);
    Object *kmin = less > 0 ? other : k;
    Object *r;
    if (less < 0)
        r = NULL;
    else if (!int_fits_i64(kmin))
        r = error_set(&exc_OverflowError, "min(n - k, k) must not exceed %s", max_i64_text);
    else
        r = binomial(n, (uint64_t)int_value(kmin));
    DECREF(other);
    return r;
}

Object *math_comb(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.comb", nargs, kwnames, 2, 2) < 0) return NULL;
    Object *n = index_of(args[0]);
    if (!n) return NULL;
    Object *k = index_of(args[1]);
    Object *r = k ? comb_of(n, k) : NULL;
    XDECREF(k);
    DECREF(n);
    return r;
}
