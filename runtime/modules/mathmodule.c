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
    {"acos", math_acos, "Return the arc cosine (measured in radians) of x."},
    {"acosh", math_acosh, "Return the inverse hyperbolic cosine of x."},
    {"asin", math_asin, "Return the arc sine (measured in radians) of x."},
    {"asinh", math_asinh, "Return the inverse hyperbolic sine of x."},
    {"atan", math_atan, "Return the arc tangent (measured in radians) of x."},
    {"atan2", math_atan2, "Return the arc tangent (measured in radians) of y/x."},
    {"atanh", math_atanh, "Return the inverse hyperbolic tangent of x."},
    {"cbrt", math_cbrt, "Return the cube root of x."},
    {"ceil", math_ceil, "Return the ceiling of x as an Integral."},
    {"comb", math_comb, "Number of ways to choose k items from n items without order."},
    {"copysign", math_copysign, "Return a float with the magnitude of x but the sign of y."},
    {"cos", math_cos, "Return the cosine of x (measured in radians)."},
    {"cosh", math_cosh, "Return the hyperbolic cosine of x."},
    {"degrees", math_degrees, "Convert angle x from radians to degrees."},
    {"dist", math_dist, "Return the Euclidean distance between two points p and q."},
    {"erf", math_erf, "Error function at x."},
    {"erfc", math_erfc, "Complementary error function at x."},
    {"exp", math_exp, "Return e raised to the power of x."},
    {"exp2", math_exp2, "Return 2 raised to the power of x."},
    {"expm1", math_expm1, "Return exp(x)-1."},
    {"fabs", math_fabs, "Return the absolute value of the float x."},
    {"factorial", math_factorial, "Find x!."},
    {"floor", math_floor, "Return the floor of x as an Integral."},
    {"fmod", math_fmod, "Return fmod(x, y), according to platform C."},
    {"frexp", math_frexp, "Return the mantissa and exponent of x, as pair (m, e)."},
    {"fsum", math_fsum, "Return an accurate floating point sum of values in the iterable seq."},
    {"gamma", math_gamma, "Gamma function at x."},
    {"gcd", math_gcd, "Greatest Common Divisor."},
    {"hypot", math_hypot, "Multidimensional Euclidean distance from the origin to a point."},
    {"isclose", math_isclose, "Determine whether two floating point numbers are close in value."},
    {"isfinite", math_isfinite, "Return True if x is neither an infinity nor a NaN."},
    {"isinf", math_isinf, "Return True if x is a positive or negative infinity."},
    {"isnan", math_isnan, "Return True if x is a NaN (not a number)."},
    {"isqrt", math_isqrt, "Return the integer part of the square root of the input."},
    {"lcm", math_lcm, "Least Common Multiple."},
    {"ldexp", math_ldexp, "Return x * (2**i)."},
    {"lgamma", math_lgamma, "Natural logarithm of absolute value of Gamma function at x."},
    {"log", math_log, "Return the logarithm of x to the given base."},
    {"log10", math_log10, "Return the base 10 logarithm of x."},
    {"log1p", math_log1p, "Return the natural logarithm of 1+x (base e)."},
    {"log2", math_log2, "Return the base 2 logarithm of x."},
    {"modf", math_modf, "Return the fractional and integer parts of x."},
    {"nextafter", math_nextafter, "Return the next floating-point value after x towards y."},
    {"perm", math_perm, "Number of ways to choose k items from n items with order."},
    {"pow", math_pow, "Return x**y (x to the power of y)."},
    {"prod", math_prod, "Calculate the product of all the elements in the input iterable."},
    {"radians", math_radians, "Convert angle x from degrees to radians."},
    {"remainder", math_remainder, "Difference between x and the closest integer multiple of y."},
    {"sin", math_sin, "Return the sine of x (measured in radians)."},
    {"sinh", math_sinh, "Return the hyperbolic sine of x."},
    {"sqrt", math_sqrt, "Return the square root of x."},
    {"tan", math_tan, "Return the tangent of x (measured in radians)."},
    {"tanh", math_tanh, "Return the hyperbolic tangent of x."},
    {"trunc", math_trunc, "Truncates the Real x to the nearest Integral toward 0."},
    {"ulp", math_ulp, "Return the value of the least significant bit of the float x."},
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
