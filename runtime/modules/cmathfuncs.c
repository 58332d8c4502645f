/* cmathfuncs.c - the complex elementary functions of cmath at finite
 * arguments, computed the way Python computes them, so that the results
 * agree to the last bit (the C library's csqrt, clog, cacos, ... are as
 * accurate but round differently in the last place).
 *
 * The formulas are Kahan's ("Branch Cuts for Complex Elementary
 * Functions", 1987): square roots of 1 +- z give the inverse functions
 * without cancellation, and arguments near the ends of the double range are
 * scaled first so that nothing overflows or underflows on the way. The
 * inverse and trigonometric functions are written through their hyperbolic
 * partners: asin(z) = -i asinh(iz), atan(z) = -i atanh(iz), cos(z) =
 * cosh(iz), sin(z) = -i sinh(iz), tan(z) = -i tanh(iz).
 *
 * Every function here takes a finite argument (cmathmodule.c handles the
 * infinities and NaNs) and is pure: no errno, no Python objects. atanh's
 * pole (and log's) is reported by cmathmodule.c before the call.
 */
#include "modules/cmathmodule.h"

#include <float.h>
#include <math.h>

/* Beyond these, squares or sums would overflow: the formulas switch to
   their asymptotic forms. */
#define LARGE_DOUBLE (DBL_MAX / 4.0)
#define SQRT_LARGE_DOUBLE 6.703903964971298e+153 /* sqrt(DBL_MAX / 4) */
#define LOG_LARGE_DOUBLE 708.3964185322641       /* log(DBL_MAX / 4) */
#define SQRT_DBL_MIN 1.4916681462400413e-154     /* sqrt(DBL_MIN) */
/* Subnormal arguments are scaled by 2**53 (and roots back by 2**-27). */
#define SCALE_UP 53
#define SCALE_DOWN (-27)

static double complex make(double re, double im) { return cmath_complex(re, im); }

/* i * w, and -i * w: the rotations the trigonometric functions need. A
   NaN keeps no sign (Python's special values ignore it; C's may not). */
static double complex times_i(double complex w) {
    double y = cimag(w);
    return make(isnan(y) ? NAN : -y, creal(w));
}
static double complex times_minus_i(double complex w) { return make(cimag(w), -creal(w)); }

double complex cmath_sqrt_finite(double complex z) {
    double x = creal(z), y = cimag(z);
    if (x == 0.0 && y == 0.0) return make(0.0, y);
    double ax = fabs(x), ay = fabs(y), s;
    if (ax < DBL_MIN && ay < DBL_MIN) {
        ax = ldexp(ax, SCALE_UP);
        s = ldexp(sqrt(ax + hypot(ax, ldexp(ay, SCALE_UP))), SCALE_DOWN);
    } else {
        ax /= 8.0;
        s = 2.0 * sqrt(ax + hypot(ax, ay / 8.0));
    }
    double d = ay / (2.0 * s);
    return x >= 0.0 ? make(s, copysign(d, y)) : make(d, copysign(s, y));
}

/* The real part of log(z): log |z| without overflow or lost digits near
   |z| = 1. z is not 0. */
static double log_modulus(double x, double y) {
    double ax = fabs(x), ay = fabs(y);
    if (ax > LARGE_DOUBLE || ay > LARGE_DOUBLE) return log(hypot(ax / 2.0, ay / 2.0)) + M_LN2;
    if (ax < DBL_MIN && ay < DBL_MIN)
        return log(hypot(ldexp(ax, SCALE_UP), ldexp(ay, SCALE_UP))) - SCALE_UP * M_LN2;
    double h = hypot(ax, ay);
    if (h >= 0.71 && h <= 1.73) {
        double big = ax > ay ? ax : ay, small = ax > ay ? ay : ax;
        return log1p((big - 1.0) * (big + 1.0) + small * small) / 2.0;
    }
    return log(h);
}

double complex cmath_log_finite(double complex z) {
    double x = creal(z), y = cimag(z);
    if (x == 0.0 && y == 0.0) return make(-INFINITY, atan2(y, x));
    return make(log_modulus(x, y), atan2(y, x));
}

/* log |z| + 2 log 2 for a huge z: the asymptote of acosh and asinh. */
static double log_twice_modulus(double x, double y) {
    return log(hypot(x / 2.0, y / 2.0)) + 2.0 * M_LN2;
}

double complex cmath_acos_finite(double complex z) {
    double x = creal(z), y = cimag(z);
    if (fabs(x) > LARGE_DOUBLE || fabs(y) > LARGE_DOUBLE) {
        double im = log_twice_modulus(x, y);
        return make(atan2(fabs(y), x), x < 0.0 ? -copysign(im, y) : copysign(im, -y));
    }
    double complex s1 = cmath_sqrt_finite(make(1.0 - x, -y));
    double complex s2 = cmath_sqrt_finite(make(1.0 + x, y));
    return make(2.0 * atan2(creal(s1), creal(s2)),
                asinh(creal(s2) * cimag(s1) - cimag(s2) * creal(s1)));
}

double complex cmath_acosh_finite(double complex z) {
    double x = creal(z), y = cimag(z);
    if (fabs(x) > LARGE_DOUBLE || fabs(y) > LARGE_DOUBLE)
        return make(log_twice_modulus(x, y), atan2(y, x));
    double complex s1 = cmath_sqrt_finite(make(x - 1.0, y));
    double complex s2 = cmath_sqrt_finite(make(x + 1.0, y));
    return make(asinh(creal(s1) * creal(s2) + cimag(s1) * cimag(s2)),
                2.0 * atan2(cimag(s1), creal(s2)));
}

double complex cmath_asinh_finite(double complex z) {
    double x = creal(z), y = cimag(z);
    if (fabs(x) > LARGE_DOUBLE || fabs(y) > LARGE_DOUBLE) {
        double re = log_twice_modulus(x, y);
        return make(y >= 0.0 ? copysign(re, x) : -copysign(re, -x), atan2(y, fabs(x)));
    }
    double complex s1 = cmath_sqrt_finite(make(1.0 + y, -x));
    double complex s2 = cmath_sqrt_finite(make(1.0 - y, x));
    return make(asinh(creal(s1) * cimag(s2) - creal(s2) * cimag(s1)),
                atan2(y, creal(s1) * creal(s2) - cimag(s1) * cimag(s2)));
}

double complex cmath_asin_finite(double complex z) {
    return times_minus_i(cmath_asinh_finite(times_i(z)));
}

/* atanh for x >= 0 (the function is odd). */
static double complex atanh_right_half(double x, double y) {
    double ay = fabs(y);
    if (x > SQRT_LARGE_DOUBLE || ay > SQRT_LARGE_DOUBLE) {
        double h = hypot(x / 2.0, y / 2.0);
        return make(x / 4.0 / h / h, -copysign(M_PI / 2.0, -y));
    }
    if (x == 1.0 && ay < SQRT_DBL_MIN) { /* near the pole; ay == 0 is refused before */
        return make(-log(sqrt(ay) / sqrt(hypot(ay, 2.0))), copysign(atan2(2.0, -ay) / 2.0, y));
    }
    return make(log1p(4.0 * x / ((1.0 - x) * (1.0 - x) + ay * ay)) / 4.0,
                -atan2(-2.0 * y, (1.0 - x) * (1.0 + x) - ay * ay) / 2.0);
}

double complex cmath_atanh_finite(double complex z) {
    double x = creal(z), y = cimag(z);
    if (x < 0.0) return -atanh_right_half(-x, -y);
    return atanh_right_half(x, y);
}

double complex cmath_atan_finite(double complex z) {
    return times_minus_i(cmath_atanh_finite(times_i(z)));
}

double complex cmath_exp_finite(double complex z) {
    double x = creal(z), y = cimag(z);
    if (x > LOG_LARGE_DOUBLE) { /* exp(x) alone would overflow before cos shrinks it */
        double l = exp(x - 1.0);
        return make(l * cos(y) * M_E, l * sin(y) * M_E);
    }
    double l = exp(x);
    return make(l * cos(y), l * sin(y));
}

double complex cmath_cosh_finite(double complex z) {
    double x = creal(z), y = cimag(z);
    if (fabs(x) > LOG_LARGE_DOUBLE) {
        double xm1 = x - copysign(1.0, x);
        return make(cos(y) * cosh(xm1) * M_E, sin(y) * sinh(xm1) * M_E);
    }
    return make(cos(y) * cosh(x), sin(y) * sinh(x));
}

double complex cmath_sinh_finite(double complex z) {
    double x = creal(z), y = cimag(z);
    if (fabs(x) > LOG_LARGE_DOUBLE) {
        double xm1 = x - copysign(1.0, x);
        return make(cos(y) * sinh(xm1) * M_E, sin(y) * cosh(xm1) * M_E);
    }
    return make(cos(y) * sinh(x), sin(y) * cosh(x));
}

double complex cmath_tanh_finite(double complex z) {
    double x = creal(z), y = cimag(z);
    if (fabs(x) > LOG_LARGE_DOUBLE)
        return make(copysign(1.0, x), 4.0 * sin(y) * cos(y) * exp(-2.0 * fabs(x)));
    double tx = tanh(x), ty = tan(y), cx = 1.0 / cosh(x);
    double txty = tx * ty, denom = 1.0 + txty * txty;
    return make(tx * (1.0 + ty * ty) / denom, ((ty / denom) * cx) * cx);
}

double complex cmath_cos_finite(double complex z) { return cmath_cosh_finite(times_i(z)); }

double complex cmath_sin_finite(double complex z) {
    return times_minus_i(cmath_sinh_finite(times_i(z)));
}

double complex cmath_tan_finite(double complex z) {
    return times_minus_i(cmath_tanh_finite(times_i(z)));
}

/* ---- Infinite and NaN arguments ----
   C99 Annex G leaves some signs of these results unspecified; Python's
   tables choose them, and these functions follow Python's choices around
   the C library's values. The trigonometric functions are the rotated
   hyperbolic ones here too, so they make the same choices. */

double complex cmath_exp_special(double complex z) {
    double x = creal(z), y = cimag(z);
    if (x == -INFINITY && !isfinite(y)) return make(0.0, 0.0);
    return cexp(z);
}

double complex cmath_cosh_special(double complex z) {
    double x = creal(z), y = cimag(z);
    if (isnan(x) && y == 0.0) return make(NAN, 0.0);
    return ccosh(z);
}

double complex cmath_sinh_special(double complex z) {
    double x = creal(z), y = cimag(z);
    if (x == 0.0 && isnan(y)) return make(0.0, NAN);
    if (isinf(x) && isnan(y)) return make(INFINITY, NAN);
    return csinh(z);
}

double complex cmath_tanh_special(double complex z) {
    double x = creal(z), y = cimag(z);
    if (x == 0.0 && isnan(y)) return make(NAN, NAN);
    if (isinf(x) && !isfinite(y)) return make(copysign(1.0, x), 0.0);
    return ctanh(z);
}

double complex cmath_acosh_special(double complex z) {
    double x = creal(z), y = cimag(z);
    if (x == 0.0 && isnan(y)) return make(NAN, NAN);
    return cacosh(z);
}

double complex cmath_acos_special(double complex z) {
    double x = creal(z), y = cimag(z);
    if (isinf(x) && isnan(y)) return make(NAN, INFINITY);
    return cacos(z);
}

double complex cmath_cos_special(double complex z) { return cmath_cosh_special(times_i(z)); }

double complex cmath_sin_special(double complex z) {
    return times_minus_i(cmath_sinh_special(times_i(z)));
}

double complex cmath_tan_special(double complex z) {
    return times_minus_i(cmath_tanh_special(times_i(z)));
}

double complex cmath_asin_special(double complex z) { return times_minus_i(casinh(times_i(z))); }

double complex cmath_atan_special(double complex z) { return times_minus_i(catanh(times_i(z))); }
