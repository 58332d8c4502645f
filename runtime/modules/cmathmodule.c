/* cmathmodule.c - the cmath module: mathematical functions for complex
 * numbers.
 *
 * The values come from the C library's <complex.h> functions (csqrt, cexp,
 * clog, cacos, ...), which follow C99 Annex G for branch cuts, signed zeros
 * and special values, as CPython's own implementations do. What this file
 * adds is Python's error rules, which C does not have:
 *   - a finite argument whose result overflows: OverflowError "math range
 *     error" (exp, cosh, sinh, cos, sin, and the modulus in polar);
 *   - the poles and the infinite arguments CPython calls domain errors
 *     (log(0), atanh(1), atan(1j), exp(infj), cos(inf), ...): ValueError
 *     "math domain error" (one predicate per function, below).
 * Every function takes a complex, a float, an int, or an object with
 * __complex__, __float__ or __index__ (complex_as_parts).
 */
#include "modules/cmathmodule.h"

#include <complex.h>
#include <errno.h>
#include <math.h>

#include "core/refcount.h"
#include "modules/mathmodule.h"
#include "objects/abstract.h"
#include "objects/complexobject.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/tuple.h"

#define UNUSED(x) (void)(x)

/* ---- The error rules, one predicate per function: is f(x + yj) a domain
   error? ---- */

typedef bool (*DomainRule)(double x, double y);

static bool exp_domain(double x, double y) { return isinf(y) && (isfinite(x) || x > 0); }
static bool hyperbolic_domain(double x, double y) { return isinf(y) && !isnan(x); }
static bool tanh_domain(double x, double y) { return isinf(y) && isfinite(x); }
/* cos(z) = cosh(iz), sin(z) = -i sinh(iz), tan(z) = -i tanh(iz): iz = -y + xj */
static bool trig_domain(double x, double y) { return hyperbolic_domain(-y, x); }
static bool tan_domain(double x, double y) { return tanh_domain(-y, x); }
static bool atanh_domain(double x, double y) { return fabs(x) == 1.0 && y == 0.0; }
static bool atan_domain(double x, double y) { return x == 0.0 && fabs(y) == 1.0; }

/* ---- Arguments and results ---- */

static int one_complex(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                       double complex *z) {
    if (args_check(fname, nargs, kwnames, 1, 1) < 0) return -1;
    double re, im;
    if (complex_as_parts(args[0], &re, &im) < 0) return -1;
    *z = cmath_complex(re, im);
    return 0;
}

typedef double complex (*ComplexFunc)(double complex);

/* f(z) with Python's errors: the domain rule first, then an overflow from
   a finite argument when the function can overflow. finite computes a
   finite argument, special (the C library's) an infinite or NaN one. */
static Object *apply(double complex z, ComplexFunc finite, ComplexFunc special, DomainRule domain,
                     bool can_overflow) {
    double x = creal(z), y = cimag(z);
    if (domain && domain(x, y)) return math_domain_error();
    double complex r = isfinite(x) && isfinite(y) ? finite(z) : special(z);
    if (can_overflow && isfinite(x) && isfinite(y) && (isinf(creal(r)) || isinf(cimag(r))))
        return math_range_error();
    return complex_from_doubles(creal(r), cimag(r));
}

#define CMATH_FUNC(name, cfunc, domain, can_overflow)                                          \
    static Object *cmath_##name(Object *self, Object *const *args, size_t nargs,              \
                                Object *kwnames) {                                            \
        UNUSED(self);                                                                         \
        double complex z;                                                                     \
        if (one_complex("cmath." #name, args, nargs, kwnames, &z) < 0) return NULL;           \
        return apply(z, cmath_##name##_finite, cfunc, domain, can_overflow);                 \
    }

CMATH_FUNC(sqrt, csqrt, NULL, false)
CMATH_FUNC(exp, cmath_exp_special, exp_domain, true)
CMATH_FUNC(acos, cmath_acos_special, NULL, false)
CMATH_FUNC(asin, cmath_asin_special, NULL, false)
CMATH_FUNC(atan, cmath_atan_special, atan_domain, false)
CMATH_FUNC(cos, cmath_cos_special, trig_domain, true)
CMATH_FUNC(sin, cmath_sin_special, trig_domain, true)
CMATH_FUNC(tan, cmath_tan_special, tan_domain, false)
CMATH_FUNC(acosh, cmath_acosh_special, NULL, false)
CMATH_FUNC(asinh, casinh, NULL, false)
CMATH_FUNC(atanh, catanh, atanh_domain, false)
CMATH_FUNC(cosh, cmath_cosh_special, hyperbolic_domain, true)
CMATH_FUNC(sinh, cmath_sinh_special, hyperbolic_domain, true)
CMATH_FUNC(tanh, cmath_tanh_special, tanh_domain, false)

/* ---- Logarithms ---- */

/* The natural log; *pole set for 0 (CPython's domain error). */
static double complex log_of(double complex z, bool *pole) {
    *pole = creal(z) == 0.0 && cimag(z) == 0.0;
    return isfinite(creal(z)) && isfinite(cimag(z)) ? cmath_log_finite(z) : clog(z);
}

/* atan2(y, x) for phase and polar; an underflow is a range error, as the
   errno CPython checks after its atan2 says (phase(1e300+1e-300j)). */
static int phase_of(double x, double y, double *phi) {
    errno = 0;
    *phi = atan2(y, x);
    if (errno == ERANGE) {
        math_range_error();
        return -1;
    }
    return 0;
}

/* log(z[, base]) = log(z) / log(base). As in CPython, the error that
   counts is the last logarithm's, or a division by a zero log(1). */
static Object *cmath_log(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "cmath.log() takes no keyword arguments");
    if (args_check("log", nargs, NULL, 1, 2) < 0) return NULL;
    double re, im;
    if (complex_as_parts(args[0], &re, &im) < 0) return NULL;
    bool pole;
    double complex r = log_of(cmath_complex(re, im), &pole);
    double rr = creal(r), ri = cimag(r);
    if (nargs == 2) {
        if (complex_as_parts(args[1], &re, &im) < 0) return NULL;
        double complex b = log_of(cmath_complex(re, im), &pole);
        if (complex_quotient(rr, ri, creal(b), cimag(b), &rr, &ri) < 0) pole = true;
    }
    if (pole) return math_domain_error();
    return complex_from_doubles(rr, ri);
}

static Object *cmath_log10(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    double complex z;
    if (one_complex("cmath.log10", args, nargs, kwnames, &z) < 0) return NULL;
    bool pole;
    double complex r = log_of(z, &pole);
    if (pole) return math_domain_error();
    return complex_from_doubles(creal(r) / M_LN10, cimag(r) / M_LN10);
}

/* ---- Polar coordinates ---- */

static Object *cmath_phase(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    double complex z;
    if (one_complex("cmath.phase", args, nargs, kwnames, &z) < 0) return NULL;
    double phi;
    if (phase_of(creal(z), cimag(z), &phi) < 0) return NULL;
    return float_from_double(phi);
}

static Object *cmath_polar(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    double complex z;
    if (one_complex("cmath.polar", args, nargs, kwnames, &z) < 0) return NULL;
    double x = creal(z), y = cimag(z), r = hypot(x, y);
    if (isinf(r) && isfinite(x) && isfinite(y)) return math_range_error();
    Object *ro = float_from_double(r); /* an underflowing angle is no error here */
    Object *phi = ro ? float_from_double(atan2(y, x)) : NULL;
    Object *t = phi ? tuple_pack(2, ro, phi) : NULL;
    XDECREF(ro);
    XDECREF(phi);
    return t;
}

/* rect for an infinite modulus and a finite phase: the signs of r times
   cos(phi) and sin(phi) (a zero phase keeps its zero). */
static double complex rect_infinite(double r, double phi) {
    if (phi == 0.0) return cmath_complex(r, r > 0 ? phi : -phi);
    double re = copysign(INFINITY, cos(phi)), im = copysign(INFINITY, sin(phi));
    return r > 0 ? cmath_complex(re, im) : cmath_complex(-re, -im);
}

/* rect when r or phi is not finite; a domain error was ruled out. */
static double complex rect_special(double r, double phi) {
    if (r == 0.0) return cmath_complex(0.0, 0.0);
    if (isnan(r)) return cmath_complex(NAN, phi == 0.0 ? 0.0 : NAN);
    if (isinf(r)) return isnan(phi) ? cmath_complex(INFINITY, NAN) : rect_infinite(r, phi);
    return cmath_complex(NAN, NAN); /* a finite modulus, a NaN phase */
}

static Object *cmath_rect(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("rect", nargs, kwnames, 2, 2) < 0) return NULL;
    double r, phi;
    if (float_as_double(args[0], &r) < 0 || float_as_double(args[1], &phi) < 0) return NULL;
    double complex z;
    if (!isfinite(r) || !isfinite(phi)) {
        if (isinf(phi) && r != 0.0 && !isnan(r)) return math_domain_error();
        z = rect_special(r, phi);
    } else if (phi == 0.0) {
        z = cmath_complex(r, r * phi);
    } else {
        z = cmath_complex(r * cos(phi), r * sin(phi));
    }
    return complex_from_doubles(creal(z), cimag(z));
}

/* ---- Classification ---- */

static Object *cmath_isfinite(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    double complex z;
    if (one_complex("cmath.isfinite", args, nargs, kwnames, &z) < 0) return NULL;
    return bool_from(isfinite(creal(z)) && isfinite(cimag(z)));
}

static Object *cmath_isinf(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    double complex z;
    if (one_complex("cmath.isinf", args, nargs, kwnames, &z) < 0) return NULL;
    return bool_from(isinf(creal(z)) || isinf(cimag(z)));
}

static Object *cmath_isnan(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    double complex z;
    if (one_complex("cmath.isnan", args, nargs, kwnames, &z) < 0) return NULL;
    return bool_from(isnan(creal(z)) || isnan(cimag(z)));
}

/* isclose(a, b, *, rel_tol=1e-09, abs_tol=0.0) */
static Object *cmath_isclose(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    static const char *const names[] = {"a", "b", "rel_tol", "abs_tol", NULL};
    if (nargs > 2)
        return error_set(&exc_TypeError,
                         "isclose() takes exactly 2 positional arguments (%zu given)", nargs);
    Object *a[4];
    if (args_parse("isclose", args, nargs, kwnames, names, 2, a) < 0) return NULL;
    double ar, ai, br, bi, rel_tol = 1e-09, abs_tol = 0.0;
    if (complex_as_parts(a[0], &ar, &ai) < 0 || complex_as_parts(a[1], &br, &bi) < 0) return NULL;
    if ((a[2] && float_as_double(a[2], &rel_tol) < 0) ||
        (a[3] && float_as_double(a[3], &abs_tol) < 0))
        return NULL;
    if (rel_tol < 0.0 || abs_tol < 0.0)
        return error_set(&exc_ValueError, "tolerances must be non-negative");
    if (ar == br && ai == bi) return bool_from(true); /* also equal infinities */
    if (isinf(ar) || isinf(ai) || isinf(br) || isinf(bi)) return bool_from(false);
    double diff = hypot(ar - br, ai - bi);
    return bool_from(diff <= rel_tol * hypot(br, bi) || diff <= rel_tol * hypot(ar, ai) ||
                     diff <= abs_tol);
}

/* ---- The module ---- */

static const MethodDef cmath_functions[] = {
    {"acos", cmath_acos, "Return the arc cosine of z."},
    {"acosh", cmath_acosh, "Return the inverse hyperbolic cosine of z."},
    {"asin", cmath_asin, "Return the arc sine of z."},
    {"asinh", cmath_asinh, "Return the inverse hyperbolic sine of z."},
    {"atan", cmath_atan, "Return the arc tangent of z."},
    {"atanh", cmath_atanh, "Return the inverse hyperbolic tangent of z."},
    {"cos", cmath_cos, "Return the cosine of z."},
    {"cosh", cmath_cosh, "Return the hyperbolic cosine of z."},
    {"exp", cmath_exp, "Return the exponential value e**z."},
    {"isclose", cmath_isclose, "Determine whether two complex numbers are close in value."},
    {"isfinite", cmath_isfinite, "Return True if both the real and imaginary parts of z are finite."},
    {"isinf", cmath_isinf, "Checks if the real or imaginary part of z is infinite."},
    {"isnan", cmath_isnan, "Checks if the real or imaginary part of z not a number (NaN)."},
    {"log", cmath_log, "log(z[, base]) -> the logarithm of z to the given base."},
    {"log10", cmath_log10, "Return the base-10 logarithm of z."},
    {"phase", cmath_phase, "Return argument, also known as the phase angle, of a complex."},
    {"polar", cmath_polar, "Convert a complex from rectangular coordinates to polar coordinates."},
    {"rect", cmath_rect, "Convert from polar coordinates to rectangular coordinates."},
    {"sin", cmath_sin, "Return the sine of z."},
    {"sinh", cmath_sinh, "Return the hyperbolic sine of z."},
    {"sqrt", cmath_sqrt, "Return the square root of z."},
    {"tan", cmath_tan, "Return the tangent of z."},
    {"tanh", cmath_tanh, "Return the hyperbolic tangent of z."},
    {NULL, NULL, NULL},
};

/* Adds name = value (a new complex or float) to m; 0 or -1. */
static int add_number(Object *m, const char *name, Object *value) {
    if (!value) return -1;
    int r = module_add_object(m, name, value);
    DECREF(value);
    return r;
}

Object *cmath_module_init(void) {
    Object *m = module_new("cmath");
    if (!m) return NULL;
    if (module_add_functions(m, cmath_functions) < 0 ||
        add_number(m, "pi", float_from_double(M_PI)) < 0 ||
        add_number(m, "e", float_from_double(M_E)) < 0 ||
        add_number(m, "tau", float_from_double(2.0 * M_PI)) < 0 ||
        add_number(m, "inf", float_from_double(INFINITY)) < 0 ||
        add_number(m, "infj", complex_from_doubles(0.0, INFINITY)) < 0 ||
        add_number(m, "nan", float_from_double(NAN)) < 0 ||
        add_number(m, "nanj", complex_from_doubles(0.0, NAN)) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
