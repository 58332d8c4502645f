/* mathgamma.c - math.gamma and math.lgamma.
 *
 * CPython computes these itself rather than with the C library's tgamma
 * and lgamma, so to give the same bits Toy follows the same method:
 * Lanczos' approximation with g = 6.024680040776729583740234375 and 13
 * terms (the parameters Boost uses), its sum written as a rational
 * function, and the reflection formula for negative x. Integer arguments
 * up to 23 are exact factorials.
 *
 *   Gamma(x) = L(x) * (x + g - 0.5)**(x - 0.5) / exp(x + g - 0.5)
 *
 * where L is the Lanczos sum. x + g - 0.5 is rounded when it is computed;
 * the error e of that rounding is known exactly (Sterbenz), and multiplying
 * by 1 + e*g/y corrects its effect on the power and the exponential.
 *
 * Errors are reported as the C library would: *err is set to EDOM (a pole
 * or an invalid argument) or ERANGE (overflow); the wrappers at the end
 * turn these into CPython's exceptions.
 */
#include <errno.h>
#include <math.h>

#include "objects/abstract.h"
#include "objects/float.h"
#include "modules/mathmodule.h"

#define LANCZOS_TERMS 13

static const double lanczos_g = 6.024680040776729583740234375;
static const double lanczos_g_minus_half = 5.524680040776729583740234375;

/* The numerator of the rational Lanczos sum, constant term first. */
static const double lanczos_numerator[LANCZOS_TERMS] = {
    23531376880.41076, 42919803642.6491, 35711959237.35567, 17921034426.03721,
    6039542586.352028, 1439720407.3117216, 248874557.86205417, 31426415.585400194,
    2876370.6289353725, 186056.26539522348, 8071.672002365816, 210.82427775157936,
    2.5066282746310002,
};

/* The denominator: the coefficients of x * (x + 1) * ... * (x + 11). */
static const double lanczos_denominator[LANCZOS_TERMS] = {
    0.0, 39916800.0, 120543840.0, 150917976.0, 105258076.0, 45995730.0, 13339535.0,
    2637558.0, 357423.0, 32670.0, 1925.0, 66.0, 1.0,
};

static const double log_pi = 1.1447298858494002;

/* L(x) for x > 0. Horner's rule in x for small x; for large x in 1/x (the
   numerator and denominator scaled by x**-12), which cannot overflow. */
static double lanczos_sum(double x) {
    double num = 0.0, den = 0.0;
    if (x < 5.0) {
        for (int i = LANCZOS_TERMS - 1; i >= 0; i--) {
            num = num * x + lanczos_numerator[i];
            den = den * x + lanczos_denominator[i];
        }
    } else {
        for (int i = 0; i < LANCZOS_TERMS; i++) {
            num = num / x + lanczos_numerator[i];
            den = den / x + lanczos_denominator[i];
        }
    }
    return num / den;
}

/* sin(pi * x) for finite x, exact at integers and half-integers: reduce to
   [0, 2) first, then pick the quarter period whose formula is accurate. */
static double sin_pi(double x) {
    double y = fmod(fabs(x), 2.0), r;
    switch ((int)round(2.0 * y)) {
    case 0: r = sin(M_PI * y); break;
    case 1: r = cos(M_PI * (y - 0.5)); break;
    case 2: r = sin(M_PI * (1.0 - y)); break; /* not -sin(pi*(y-1)): keeps +0.0 */
    case 3: r = -cos(M_PI * (y - 1.5)); break;
    default: r = sin(M_PI * (y - 2.0)); break;
    }
    return copysign(1.0, x) * r;
}

/* (n - 1)! for n in 1..23, all exact doubles. */
static double small_factorial(int n) {
    double f = 1.0;
    for (int i = 2; i < n; i++) f *= i;
    return f;
}

/* The rounding error of y = absx + g - 0.5, scaled as the correction
   factor wants it: e * g / y. */
static double lanczos_correction(double absx, double y) {
    double e = absx > lanczos_g_minus_half ? (y - absx) - lanczos_g_minus_half
                                           : (y - lanczos_g_minus_half) - absx;
    return e * lanczos_g / y;
}

/* Gamma(x) for 1e-20 <= |x| <= 200, x not an integer below 24. */
static double gamma_lanczos(double x) {
    double absx = fabs(x);
    double y = absx + lanczos_g_minus_half;
    double z = lanczos_correction(absx, y);
    bool split = absx >= 140.0; /* y**(absx - 0.5) would overflow: take it in halves */
    double power = split ? pow(y, absx / 2.0 - 0.25) : pow(y, absx - 0.5);
    double r;
    if (x < 0.0) {
        r = -M_PI / sin_pi(absx) / absx * exp(y) / lanczos_sum(absx);
        r -= z * r;
        r /= power;
        if (split) r /= power;
    } else {
        r = lanczos_sum(absx) / exp(y);
        r += z * r;
        r *= power;
        if (split) r *= power;
    }
    return r;
}

static double gamma_value(double x, int *err) {
    if (!isfinite(x)) {
        if (isnan(x) || x > 0.0) return x;
        *err = EDOM;
        return NAN;
    }
    if (x == 0.0) {
        *err = EDOM;
        return copysign(INFINITY, x);
    }
    if (x == floor(x)) {
        if (x < 0.0) {
            *err = EDOM;
            return NAN;
        }
        if (x <= 23.0) return small_factorial((int)x);
    }
    double absx = fabs(x);
    if (absx < 1e-20) { /* Gamma(x) ~ 1/x */
        double r = 1.0 / x;
        if (isinf(r)) *err = ERANGE;
        return r;
    }
    if (absx > 200.0) { /* overflows; underflows to a signed zero below -200 */
        if (x < 0.0) return 0.0 / sin_pi(x);
        *err = ERANGE;
        return INFINITY;
    }
    double r = gamma_lanczos(x);
    if (isinf(r)) *err = ERANGE;
    return r;
}

/* log|Gamma(x)|. */
static double lgamma_value(double x, int *err) {
    if (!isfinite(x)) return isnan(x) ? x : INFINITY;
    if (x == floor(x) && x <= 2.0) {
        if (x <= 0.0) { /* the poles */
            *err = EDOM;
            return INFINITY;
        }
        return 0.0; /* lgamma(1) = lgamma(2) = 0 */
    }
    double absx = fabs(x);
    if (absx < 1e-20) return -log(absx);
    double r = log(lanczos_sum(absx)) - lanczos_g;
    r += (absx - 0.5) * (log(absx + lanczos_g - 0.5) - 1);
    if (x < 0.0) /* reflection */
        r = log_pi - log(fabs(sin_pi(absx))) - log(absx) - r;
    if (isinf(r)) *err = ERANGE;
    return r;
}

/* f(x) with its *err turned into CPython's exception. */
static Object *special_function(const char *fname, Object *const *args, size_t nargs,
                                Object *kwnames, double (*f)(double, int *)) {
    double x;
    if (args_check(fname, nargs, kwnames, 1, 1) < 0 || float_as_double(args[0], &x) < 0)
        return NULL;
    int err = 0;
    double r = f(x, &err);
    if (err == EDOM) return math_domain_error();
    if (err == ERANGE && fabs(r) >= 1.5) return math_range_error();
    return float_from_double(r);
}

Object *math_gamma(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return special_function("math.gamma", args, nargs, kwnames, gamma_value);
}

Object *math_lgamma(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return special_function("math.lgamma", args, nargs, kwnames, lgamma_value);
}
