/* mathmodule.c - the math module: its table and constants, and the
 * functions of one or two real numbers.
 *
 * A real argument is converted by float_as_double (a float, an int,
 * __float__, then __index__; TypeError "must be real number, not str").
 * The C library computes, and the result is judged as CPython's math
 * module judges it:
 *   - a NaN from arguments that are not NaN: ValueError "math domain error";
 *   - an infinity from finite arguments: OverflowError "math range error"
 *     for the functions that can overflow (exp, cosh, ...), otherwise a
 *     pole, which is a domain error (atanh(1.0));
 *   - for a finite result, errno: EDOM is a domain error, ERANGE a range
 *     error unless the result is below 1.5 in size (an underflow, which is
 *     not an error: exp(-1000.0) is 0.0).
 * Functions that return ints (ceil, floor, trunc) honour __ceil__,
 * __floor__ and __trunc__ as CPython does. The other files of the module
 * are listed in mathmodule.h.
 */
#include "modules/mathmodule.h"

#include <errno.h>
#include <limits.h>
#include <math.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/tuple.h"

Object *math_domain_error(void) {
    return error_set(&exc_ValueError, "math domain error");
}

Object *math_range_error(void) {
    return error_set(&exc_OverflowError, "math range error");
}

/* r as a float, unless the errno a libm call left says it is an error. */
static Object *errno_checked(double r) {
    if (errno == EDOM) return math_domain_error();
    if (errno == ERANGE && fabs(r) >= 1.5) return math_range_error();
    return float_from_double(r);
}

static int one_double(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                      double *x) {
    if (args_check(fname, nargs, kwnames, 1, 1) < 0) return -1;
    return float_as_double(args[0], x);
}

static int two_doubles(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                       double *x, double *y) {
    if (args_check(fname, nargs, kwnames, 2, 2) < 0) return -1;
    if (float_as_double(args[0], x) < 0) return -1;
    return float_as_double(args[1], y);
}

/* ---- Functions of one real: the libm wrappers ---- */

typedef double (*UnaryMath)(double);

/* f(x) with the rules above; can_overflow tells an overflow from a pole. */
static Object *apply_unary(double x, UnaryMath f, bool can_overflow) {
    errno = 0;
    double r = f(x);
    if (isnan(r) && !isnan(x)) return math_domain_error();
    if (isinf(r) && isfinite(x)) return can_overflow ? math_range_error() : math_domain_error();
    if (isfinite(r)) return errno_checked(r);
    return float_from_double(r);
}

static Object *math_unary(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                          UnaryMath f, bool can_overflow) {
    double x;
    if (one_double(fname, args, nargs, kwnames, &x) < 0) return NULL;
    return apply_unary(x, f, can_overflow);
}

/* A C function per Python function (the table has no room for data), each
   a call of math_unary. */
#define MATH_UNARY(name, f, can_overflow)                                                    \
    static Object *math_##name(Object *self, Object *const *args, size_t nargs,              \
                               Object *kwnames) {                                            \
        (void)self;                                                                          \
        return math_unary("math." #name, args, nargs, kwnames, f, can_overflow);             \
    }

MATH_UNARY(acos, acos, false)
MATH_UNARY(acosh, acosh, false)
MATH_UNARY(asin, asin, false)
MATH_UNARY(asinh, asinh, false)
MATH_UNARY(atan, atan, false)
MATH_UNARY(atanh, atanh, false)
MATH_UNARY(cbrt, cbrt, false)
MATH_UNARY(cos, cos, false)
MATH_UNARY(cosh, cosh, true)
MATH_UNARY(exp, exp, true)
MATH_UNARY(exp2, exp2, true)
MATH_UNARY(expm1, expm1, true)
MATH_UNARY(fabs, fabs, false)
MATH_UNARY(log1p, log1p, false)
MATH_UNARY(sin, sin, false)
MATH_UNARY(sinh, sinh, true)
MATH_UNARY(sqrt, sqrt, false)
MATH_UNARY(tan, tan, false)
MATH_UNARY(tanh, tanh, false)

/* erf and erfc set errno themselves; only errno is consulted. */
static Object *math_erf(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double x;
    if (one_double("math.erf", args, nargs, kwnames, &x) < 0) return NULL;
    errno = 0;
    return errno_checked(erf(x));
}

static Object *math_erfc(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double x;
    if (one_double("math.erfc", args, nargs, kwnames, &x) < 0) return NULL;
    errno = 0;
    return errno_checked(erfc(x));
}

/* ---- Functions of two reals ---- */

typedef double (*BinaryMath)(double, double);

/* f(x, y): a NaN from non-NaN arguments is a domain error, an infinity from
   finite ones a range error. */
static Object *math_binary(const char *fname, Object *const *args, size_t nargs,
                           Object *kwnames, BinaryMath f) {
    double x, y;
    if (two_doubles(fname, args, nargs, kwnames, &x, &y) < 0) return NULL;
    errno = 0;
    double r = f(x, y);
    if (isnan(r))
        errno = !isnan(x) && !isnan(y) ? EDOM : 0;
    else if (isinf(r))
        errno = isfinite(x) && isfinite(y) ? ERANGE : 0;
    return errno_checked(r);
}

static Object *math_atan2(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return math_binary("math.atan2", args, nargs, kwnames, atan2);
}

static Object *math_copysign(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return math_binary("math.copysign", args, nargs, kwnames, copysign);
}

static Object *math_remainder(Object *self, Object *const *args, size_t nargs,
                              Object *kwnames) {
    (void)self;
    return math_binary("math.remainder", args, nargs, kwnames, remainder);
}

static Object *math_fmod(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double x, y;
    if (two_doubles("math.fmod", args, nargs, kwnames, &x, &y) < 0) return NULL;
    if (isinf(y) && isfinite(x)) return float_from_double(x);
    errno = 0;
    double r = fmod(x, y);
    if (isnan(r)) errno = !isnan(x) && !isnan(y) ? EDOM : 0;
    return errno_checked(r);
}

/* x ** y when x or y is an infinity or a NaN, as C99's Annex F defines it.
   None of these is an error. */
static double pow_special(double x, double y) {
    if (isnan(x)) return y == 0.0 ? 1.0 : x;
    if (isnan(y)) return x == 1.0 ? 1.0 : y;
    if (isinf(x)) {
        bool odd_y = isfinite(y) && fmod(fabs(y), 2.0) == 1.0;
        if (y > 0.0) return odd_y ? x : fabs(x);
        if (y == 0.0) return 1.0;
        return odd_y ? copysign(0.0, x) : 0.0;
    }
    /* y is infinite, x finite */
    if (fabs(x) == 1.0) return 1.0;
    if ((y > 0.0) == (fabs(x) > 1.0)) return INFINITY;
    return 0.0;
}

static Object *math_pow(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double x, y;
    if (two_doubles("math.pow", args, nargs, kwnames, &x, &y) < 0) return NULL;
    if (!isfinite(x) || !isfinite(y)) return float_from_double(pow_special(x, y));
    errno = 0;
    double r = pow(x, y);
    /* a NaN comes from a negative number to a fractional power; an infinity
       either from 0.0 to a negative power (a pole) or from overflow */
    if (isnan(r)) errno = EDOM;
    else if (isinf(r)) errno = x == 0.0 ? EDOM : ERANGE;
    return errno_checked(r);
}

/* ---- Logarithms ---- */

int math_int_sign(Object *o) {
    const uint32_t *digits;
    uint32_t buf[2];
    bool negative;
    size_t n = int_digits_view(o, &digits, buf, &negative);
    return n == 0 ? 0 : negative ? -1 : 1;
}

/* f(x) for log, log2 or log10. An int too large for a double is m * 2**e
   (int_frexp), whose logarithm is f(m) + f(2) * e. */
static Object *logarithm(Object *x, UnaryMath f) {
    if (!is_instance_of(x, &int_type)) {
        double d;
        if (float_as_double(x, &d) < 0) return NULL;
        return apply_unary(d, f, false);
    }
    if (math_int_sign(x) <= 0) return math_domain_error();
    double d;
    if (int_as_double(x, &d) == 0) return float_from_double(f(d));
    if (!error_matches(&exc_OverflowError)) return NULL;
    error_clear();
    int64_t e;
    double m = int_frexp(x, &e);
    return float_from_double(f(m) + f(2.0) * (double)e);
}

static Object *math_log(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "log() takes no keyword arguments");
    if (nargs < 1 || nargs > 2)
        return error_set(&exc_TypeError, "math.log requires 1 to 2 arguments");
    Object *num = logarithm(args[0], log);
    if (!num || nargs == 1) return num;
    Object *den = logarithm(args[1], log);
    if (!den) {
        DECREF(num);
        return NULL;
    }
    Object *r = object_binary_op(num, den, BINOP_TRUEDIV);
    DECREF(num);
    DECREF(den);
    return r;
}

static Object *math_log2(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.log2", nargs, kwnames, 1, 1) < 0) return NULL;
    return logarithm(args[0], log2);
}

static Object *math_log10(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.log10", nargs, kwnames, 1, 1) < 0) return NULL;
    return logarithm(args[0], log10);
}

/* ---- Rounding to ints ---- */

Object *math_plain_int(Object *x) {
    if (TYPE(x) == &int_type) return NEWREF(x);
    const uint32_t *digits;
    uint32_t buf[2];
    bool negative;
    size_t n = int_digits_view(x, &digits, buf, &negative);
    return int_from_digits(digits, n, negative);
}

/* x.name() when x's class defines it (*found says so). */
static Object *call_special(Object *x, const char *name, bool *found) {
    *found = type_lookup_cstr(TYPE(x), name) != NULL;
    return *found ? object_call_method(x, name, NULL, 0) : NULL;
}

/* ceil or floor: an int is its own value, a class may define the dunder,
   anything else is rounded as a float. */
static Object *round_to_int(const char *fname, const char *dunder, UnaryMath round_fn,
                            Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check(fname, nargs, kwnames, 1, 1) < 0) return NULL;
    Object *x = args[0];
    if (!is_float(x)) {
        if (is_instance_of(x, &int_type)) return math_plain_int(x);
        bool found;
        Object *r = call_special(x, dunder, &found);
        if (found) return r;
    }
    double d;
    if (float_as_double(x, &d) < 0) return NULL;
    return int_from_double(round_fn(d));
}

static Object *math_ceil(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return round_to_int("math.ceil", "__ceil__", ceil, args, nargs, kwnames);
}

static Object *math_floor(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return round_to_int("math.floor", "__floor__", floor, args, nargs, kwnames);
}

/* trunc has no float fallback: only floats, ints and __trunc__. */
static Object *math_trunc(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("math.trunc", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *x = args[0];
    if (is_float(x)) return int_from_double(float_value(x));
    if (is_instance_of(x, &int_type)) return math_plain_int(x);
    bool found;
    Object *r = call_special(x, "__trunc__", &found);
    if (found) return r;
    return error_set(&exc_TypeError, "type %s doesn't define __trunc__ method", TYPE_NAME(x));
}

/* ---- Floats taken apart ---- */

static Object *math_frexp(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double x;
    if (one_double("math.frexp", args, nargs, kwnames, &x) < 0) return NULL;
    int e = 0;
    if (isfinite(x) && x != 0.0) x = frexp(x, &e);
    Object *m = float_from_double(x);
    Object *exp = m ? int_from_i64(e) : NULL;
    Object *r = exp ? tuple_pack(2, m, exp) : NULL;
    XDECREF(m);
    XDECREF(exp);
    return r;
}

/* The exponent of ldexp: an int, clamped to the int64 range (anything
   beyond overflows or underflows anyway). */
static int ldexp_exponent(Object *i, int64_t *out) {
    if (!is_instance_of(i, &int_type)) {
        error_set(&exc_TypeError, "Expected an int as second argument to ldexp.");
        return -1;
    }
    if (int_is_small(i))
        *out = int_value(i);
    else
        *out = math_int_sign(i) < 0 ? INT64_MIN : INT64_MAX;
    return 0;
}

static Object *math_ldexp(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double x;
    int64_t e;
    if (args_check("math.ldexp", nargs, kwnames, 2, 2) < 0 ||
        float_as_double(args[0], &x) < 0 || ldexp_exponent(args[1], &e) < 0)
        return NULL;
    if (x == 0.0 || !isfinite(x)) return float_from_double(x);
    if (e > INT_MAX) return math_range_error();
    if (e < INT_MIN) return float_from_double(copysign(0.0, x));
    double r = ldexp(x, (int)e);
    if (isinf(r)) return math_range_error();
    return float_from_double(r);
}

static Object *math_modf(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double x, whole;
    if (one_double("math.modf", args, nargs, kwnames, &x) < 0) return NULL;
    double frac;
    if (isinf(x)) {
        frac = copysign(0.0, x);
        whole = x;
    } else if (isnan(x)) {
        frac = whole = x;
    } else {
        frac = modf(x, &whole);
    }
    Object *a = float_from_double(frac);
    Object *b = a ? float_from_double(whole) : NULL;
    Object *r = b ? tuple_pack(2, a, b) : NULL;
    XDECREF(a);
    XDECREF(b);
    return r;
}

/* ---- Angles, classification, neighbours ---- */

static Object *math_degrees(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    static const double rad_to_deg = 180.0 / M_PI;
    double x;
    if (one_double("math.degrees", args, nargs, kwnames, &x) < 0) return NULL;
    return float_from_double(x * rad_to_deg);
}

static Object *math_radians(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    static const double deg_to_rad = M_PI / 180.0;
    double x;
    if (one_double("math.radians", args, nargs, kwnames, &x) < 0) return NULL;
    return float_from_double(x * deg_to_rad);
}

static Object *math_isfinite(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double x;
    if (one_double("math.isfinite", args, nargs, kwnames, &x) < 0) return NULL;
    return bool_from(isfinite(x));
}

static Object *math_isinf(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double x;
    if (one_double("math.isinf", args, nargs, kwnames, &x) < 0) return NULL;
    return bool_from(isinf(x));
}

static Object *math_isnan(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double x;
    if (one_double("math.isnan", args, nargs, kwnames, &x) < 0) return NULL;
    return bool_from(isnan(x));
}

static Object *math_nextafter(Object *self, Object *const *args, size_t nargs,
                              Object *kwnames) {
    (void)self;
    double x, y;
    if (two_doubles("math.nextafter", args, nargs, kwnames, &x, &y) < 0) return NULL;
    return float_from_double(nextafter(x, y));
}

/* The gap from |x| to the next float up (down, for the largest float). */
static Object *math_ulp(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double x;
    if (one_double("math.ulp", args, nargs, kwnames, &x) < 0) return NULL;
    x = fabs(x);
    if (!isfinite(x)) return float_from_double(x);
    double up = nextafter(x, INFINITY);
    if (isinf(up)) return float_from_double(x - nextafter(x, -INFINITY));
    return float_from_double(up - x);
}

/* isclose(a, b, *, rel_tol=1e-09, abs_tol=0.0) */
static int isclose_args(Object *const *args, size_t nargs, Object *kwnames, double v[4]) {
    static const char *const names[] = {"a", "b", "rel_tol", "abs_tol", NULL};
    if (nargs > 2) {
        error_set(&exc_TypeError, "isclose() takes exactly 2 positional arguments (%zu given)",
                  nargs);
        return -1;
    }
    Object *a[4];
    if (args_parse("isclose", args, nargs, kwnames, names, 2, a) < 0) return -1;
    v[2] = 1e-09;
    v[3] = 0.0;
    for (int i = 0; i < 4; i++)
        if (a[i] && float_as_double(a[i], &v[i]) < 0) return -1;
    return 0;
}

static Object *math_isclose(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    double v[4];
    if (isclose_args(args, nargs, kwnames, v) < 0) return NULL;
    double a = v[0], b = v[1], rel_tol = v[2], abs_tol = v[3];
    if (rel_tol < 0.0 || abs_tol < 0.0)
        return error_set(&exc_ValueError, "tolerances must be non-negative");
    if (a == b) return bool_from(true); /* also two infinities of one sign */
    if (isinf(a) || isinf(b)) return bool_from(false);
    double diff = fabs(b - a);
    return bool_from(diff <= fabs(rel_tol * b) || diff <= fabs(rel_tol * a) || diff <= abs_tol);
}

/* ---- The module ---- */

static const MethodDef math_functions[] = {
    {"acos", math_acos, "The arc cosine of x, in radians, between 0 and pi."},
    {"acosh", math_acosh, "The inverse hyperbolic cosine of x."},
    {"asin", math_asin, "The arc sine of x, in radians, between -pi/2 and pi/2."},
    {"asinh", math_asinh, "The inverse hyperbolic sine of x."},
    {"atan", math_atan, "The arc tangent of x, in radians, between -pi/2 and pi/2."},
    {"atan2", math_atan2, "The angle of the point (x, y) from the positive x axis, in radians."},
    {"atanh", math_atanh, "The inverse hyperbolic tangent of x."},
    {"cbrt", math_cbrt, "The real cube root of x."},
    {"ceil", math_ceil, "The smallest integer >= x, as an int."},
    {"comb", math_comb, "The number of ways to pick k of n items, order ignored."},
    {"copysign", math_copysign, "x's magnitude with y's sign."},
    {"cos", math_cos, "The cosine of x radians."},
    {"cosh", math_cosh, "The hyperbolic cosine of x."},
    {"degrees", math_degrees, "x radians in degrees."},
    {"dist", math_dist, "The Euclidean distance between the points p and q."},
    {"erf", math_erf, "The error function of x."},
    {"erfc", math_erfc, "1 - erf(x), accurate where erf(x) is close to 1."},
    {"exp", math_exp, "e to the power x."},
    {"exp2", math_exp2, "2 to the power x."},
    {"expm1", math_expm1, "exp(x) - 1, accurate for x near 0."},
    {"fabs", math_fabs, "The absolute value of x, as a float."},
    {"factorial", math_factorial, "n! for an int n >= 0."},
    {"floor", math_floor, "The largest integer <= x, as an int."},
    {"fmod", math_fmod, "The remainder of x / y with the sign of x, as C's fmod."},
    {"frexp", math_frexp, "(m, e) with x == m * 2**e and 0.5 <= abs(m) < 1 (or m == 0)."},
    {"fsum", math_fsum, "The correctly rounded sum of the numbers of an iterable."},
    {"gamma", math_gamma, "The gamma function of x."},
    {"gcd", math_gcd, "The greatest common divisor of the int arguments."},
    {"hypot", math_hypot, "The length of the vector of the arguments: sqrt(sum of squares)."},
    {"isclose", math_isclose, "Whether a and b are equal within rel_tol (relative) or abs_tol."},
    {"isfinite", math_isfinite, "Whether x is neither infinite nor a NaN."},
    {"isinf", math_isinf, "Whether x is an infinity."},
    {"isnan", math_isnan, "Whether x is a NaN."},
    {"isqrt", math_isqrt, "The integer square root of n: the largest int whose square is <= n."},
    {"lcm", math_lcm, "The least common multiple of the int arguments."},
    {"ldexp", math_ldexp, "x * 2**i, exactly where it fits."},
    {"lgamma", math_lgamma, "The natural logarithm of abs(gamma(x))."},
    {"log", math_log, "The logarithm of x, natural or to the given base."},
    {"log10", math_log10, "The base-10 logarithm of x."},
    {"log1p", math_log1p, "log(1 + x), accurate for x near 0."},
    {"log2", math_log2, "The base-2 logarithm of x."},
    {"modf", math_modf, "(fractional part, integer part) of x, both floats with x's sign."},
    {"nextafter", math_nextafter, "The float next to x in the direction of y."},
    {"perm", math_perm, "The number of ways to pick k of n items in order."},
    {"pow", math_pow, "x ** y on floats."},
    {"prod", math_prod, "The product of start and the items of an iterable."},
    {"radians", math_radians, "x degrees in radians."},
    {"remainder", math_remainder, "x minus the nearest multiple of y (ties to the even multiple); exact."},
    {"sin", math_sin, "The sine of x radians."},
    {"sinh", math_sinh, "The hyperbolic sine of x."},
    {"sqrt", math_sqrt, "The square root of x."},
    {"tan", math_tan, "The tangent of x radians."},
    {"tanh", math_tanh, "The hyperbolic tangent of x."},
    {"trunc", math_trunc, "x rounded toward zero, as an int (__trunc__)."},
    {"ulp", math_ulp, "The gap between abs(x) and the next larger float."},
    {NULL, NULL, NULL},
};

static int add_float(Object *m, const char *name, double v) {
    Object *f = float_from_double(v);
    if (!f) return -1;
    int r = module_add_object(m, name, f);
    DECREF(f);
    return r;
}

Object *math_module_init(void) {
    Object *m = module_new("math");
    if (!m) return NULL;
    if (module_add_functions(m, math_functions) < 0 || add_float(m, "pi", M_PI) < 0 ||
        add_float(m, "e", M_E) < 0 || add_float(m, "tau", 2.0 * M_PI) < 0 ||
        add_float(m, "inf", INFINITY) < 0 || add_float(m, "nan", NAN) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
