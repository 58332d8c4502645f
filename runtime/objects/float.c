/* float.c - the float type: IEEE doubles with Python's printing and rules.
 *
 * Invariants:
 *   - A FloatObject's value never changes while anyone can see it. (The
 *     eval loop writes a result into an operand whose last reference its
 *     stack held: float_result_into in float.h, float_spare in
 *     interp/vm.c.) Freed exact floats wait on a per-thread free list
 *     (float.h) for the next float_new.
 *   - repr (and str, which is the same) is the shortest decimal string that
 *     reads back as the same double, laid out as Python lays it out
 *     (float_repr_buf). The digits come from the C library's correctly
 *     rounded printf("%.*e") and are checked with strtod, so the output is
 *     exact without an own big-number dtoa.
 *   - Arithmetic between an int and a float happens here (int.c forwards
 *     it): the int is converted to the nearest double first, as in Python.
 *     Comparisons between an int and a float are exact (float_compare_int).
 *   - hash(x) equals hash(int(x)) for integral x, as Python requires so that
 *     1 and 1.0 are the same dict key.
 *   - Errors use CPython 3.11's texts. A negative base raised to a
 *     fractional power gives a complex result (complexobject.c), as in Python.
 */
#include "objects/float.h"
#include "objects/floathex.h"
#include "objects/numdunder.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytearray.h"
#include "objects/bytes.h"
#include "objects/complexobject.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/str.h"
#include "objects/tuple.h"

_Thread_local FloatFreeList float_free_list;

Object *float_from_double(double v) {
    if (FLOAT_FREE_LIST && float_free_list.head != NULL && object_hooks == 0)
        return float_new(v);
    FloatObject *o = (FloatObject *)object_alloc(&float_type, sizeof(FloatObject));
    if (!o) return NULL;
    o->value = v;
    return (Object *)o;
}

/* o.__float__() for a class that defines it: 0 / -1. */
static int double_from_dunder_float(Object *o, double *out) {
    Object *r = object_call_method(o, "__float__", NULL, 0);
    if (!r) return -1;
    if (!is_float(r)) {
        error_set(&exc_TypeError, "%s.__float__ returned non-float (type %s)", TYPE_NAME(o),
                  TYPE_NAME(r));
        DECREF(r);
        return -1;
    }
    *out = float_value(r);
    DECREF(r);
    return 0;
}

/* o.__index__() converted, for a class with __index__ but no __float__. */
static int double_from_dunder_index(Object *o, double *out) {
    Object *r = TYPE(o)->index ? TYPE(o)->index(o) : object_call_method(o, "__index__", NULL, 0);
    if (!r) return -1;
    int rc = -1;
    if (!is_int(r))
        error_set(&exc_TypeError, "__index__ returned non-int (type %s)", TYPE_NAME(r));
    else
        rc = int_as_double(r, out);
    DECREF(r);
    return rc;
}

/* As CPython's PyFloat_AsDouble: a float, an int, __float__, then __index__. */
int float_as_double(Object *o, double *out) {
    if (is_float(o)) {
        *out = float_value(o);
        return 0;
    }
    if (is_int(o)) return int_as_double(o, out);
    if (type_lookup_cstr(TYPE(o), "__float__")) return double_from_dunder_float(o, out);
    if (TYPE(o)->index || type_lookup_cstr(TYPE(o), "__index__"))
        return double_from_dunder_index(o, out);
    error_set(&exc_TypeError, "must be real number, not %s", TYPE_NAME(o));
    return -1;
}

/* ---- Shortest round-trip digits ----------------------------------------- */

/* The p significant digits of v (finite, > 0) correctly rounded, as printf
   gives them: digits (NUL-terminated, no point) and the decimal exponent of
   the first digit. Returns the digit count. digits needs p + 1 bytes. */
static int rounded_digits(double v, int p, char *digits, int *exp10) {
    char buf[48];
    snprintf(buf, sizeof buf, "%.*e", p - 1, v);
    int n = 0;
    const char *s = buf;
    for (; *s && *s != 'e'; s++)
        if (*s != '.') digits[n++] = *s;
    digits[n] = '\0';
    *exp10 = atoi(s + 1);
    return n;
}

/* Does the decimal number digits * 10**(exp10 - n + 1) read back as v? */
static bool reads_back(const char *digits, int n, int exp10, double v) {
    char buf[48];
    snprintf(buf, sizeof buf, "%.*se%d", n, digits, exp10 - n + 1);
    return strtod(buf, NULL) == v;
}

/* Adds one unit in the last place to a digit string (carrying; 99 -> 100
   moves the exponent up and keeps the length). */
static void increment_digits(char *digits, int n, int *exp10) {
    int i = n - 1;
    while (i >= 0 && digits[i] == '9') digits[i--] = '0';
    if (i >= 0) {
        digits[i]++;
        return;
    }
    digits[0] = '1'; /* all nines: 10...0, one decade up */
    (*exp10)++;
}

/* Rounds the 18 correctly rounded digits in wide to p < 18 digits into out
 * (half up, the exponent moving up on a carry out of the first digit).
 * The result equals rounding v itself unless the dropped digits are exactly
 * 5000...: v may then lie on either side of the half, and false says so.
 * Otherwise v is within half a unit of the 18th digit of wide, which cannot
 * move it across the half way point. */
static bool round_digit_string(const char *wide, int p, char *out, int *exp10) {
    memcpy(out, wide, (size_t)p);
    out[p] = '\0';
    bool up = wide[p] > '5';
    if (wide[p] == '5') {
        bool rest_zero = true;
        for (int i = p + 1; i < 18; i++) rest_zero = rest_zero && wide[i] == '0';
        if (rest_zero) return false;
        up = true;
    }
    if (up) increment_digits(out, p, exp10);
    return true;
}

/* The shortest digit string that reads back as v (finite, > 0).
 *
 * Any decimal of at most 15 significant digits survives the trip to a normal
 * double and back to 15 digits unchanged (DBL_DIG). So when the 15-digit
 * rounding of v reads back, it is the shortest string padded with zeros,
 * and stripping the zeros gives the answer: one printf and one strtod for
 * most floats a program prints. Otherwise the answer has 16 or 17 digits;
 * the rounding interval is symmetric around v, so the nearest 16-digit
 * number reads back if any does, and 17 digits always do.
 *
 * Two cases leave that path. At a power of two the interval below v is half
 * as wide as the one above, and the nearest p-digit number may fall just
 * outside below while the next one up is inside: the candidates are tried
 * in order, p by p. Subnormals have fewer than 15 digits of precision, so
 * they get the same p-by-p search (the interval is symmetric there). */
int float_shortest_digits(double v, char *digits, int *exp10) {
    char trial[24];
    int n = 0, e = 0;
    int mant_exp;
    bool power_of_two = frexp(v, &mant_exp) == 0.5;
    if (!power_of_two && v >= DBL_MIN) {
        /* 18 digits from one printf; 15, 16 and 17 by rounding those. */
        char wide[24];
        int wide_exp;
        rounded_digits(v, 18, wide, &wide_exp);
        for (int p = 15; p <= 17; p++) {
            *exp10 = wide_exp;
            n = p;
            if (!round_digit_string(wide, p, digits, exp10))
                n = rounded_digits(v, p, digits, exp10);
            if (p == 17 || reads_back(digits, n, *exp10, v)) break;
        }
    } else {
        for (int p = 1; p <= 17; p++) {
            n = rounded_digits(v, p, trial, &e);
            if (reads_back(trial, n, e, v)) break;
            if (!power_of_two) continue;
            increment_digits(trial, n, &e);
            if (reads_back(trial, n, e, v)) break;
        }
        memcpy(digits, trial, (size_t)n + 1);
        *exp10 = e;
    }
    while (n > 1 && digits[n - 1] == '0') digits[--n] = '\0';
    return n;
}

/* ---- repr ---- */

/* Lays out digits d1 d2 ... dn (value d1.d2...dn * 10**exp10) as Python's
   repr does: scientific when exp10 < -4 or exp10 >= 16, else positional with
   at least one digit after the point. */
static int layout_repr(bool negative, const char *digits, int n, int exp10, char *buf,
                       size_t size) {
    char out[64];
    size_t k = 0;
    if (negative) out[k++] = '-';
    if (exp10 < -4 || exp10 >= 16) {
        out[k++] = digits[0];
        if (n > 1) {
            out[k++] = '.';
            for (int i = 1; i < n; i++) out[k++] = digits[i];
        }
        k += (size_t)snprintf(out + k, sizeof out - k, "e%c%02d", exp10 < 0 ? '-' : '+',
                              exp10 < 0 ? -exp10 : exp10);
    } else if (exp10 >= 0) {
        for (int i = 0; i <= exp10; i++) out[k++] = i < n ? digits[i] : '0';
        out[k++] = '.';
        if (n > exp10 + 1)
            for (int i = exp10 + 1; i < n; i++) out[k++] = digits[i];
        else
            out[k++] = '0';
    } else {
        out[k++] = '0';
        out[k++] = '.';
        for (int i = 0; i < -exp10 - 1; i++) out[k++] = '0';
        for (int i = 0; i < n; i++) out[k++] = digits[i];
    }
    out[k] = '\0';
    snprintf(buf, size, "%s", out);
    return (int)(k < size ? k : size - 1);
}

int float_repr_buf(double v, char *buf, size_t size) {
    if (isnan(v)) return snprintf(buf, size, "nan");
    if (isinf(v)) return snprintf(buf, size, v < 0 ? "-inf" : "inf");
    if (v == 0.0) return snprintf(buf, size, signbit(v) ? "-0.0" : "0.0");
    char digits[24];
    int exp10;
    int n = float_shortest_digits(fabs(v), digits, &exp10);
    return layout_repr(v < 0, digits, n, exp10, buf, size);
}

static Object *float_repr(Object *self) {
    char buf[40];
    int n = float_repr_buf(float_value(self), buf, sizeof buf);
    return str_from_utf8(buf, (size_t)n);
}

/* ---- hash ---- */

/* Python hashes a number x as the rational |x| reduced modulo the prime
   P = 2**61 - 1, with x's sign. A finite double is m * 2**k with m a 53-bit
   integer; since 2**61 = 1 (mod P), multiplying by 2**k is a rotation of
   the 61-bit residue by k mod 61 (k may be negative: 2**-1 = 2**60). */
int64_t float_hash_double(double v) {
    if (isinf(v)) return v > 0 ? 314159 : -314159;
    if (isnan(v)) return 0; /* 3.11 hashes NaN by identity; Toy uses 0 */
    const uint64_t modulus = ((uint64_t)1 << 61) - 1;
    int e;
    double m = frexp(fabs(v), &e);                  /* |v| = m * 2**e, 0.5 <= m < 1 */
    uint64_t mantissa = (uint64_t)ldexp(m, 53);     /* exact: 53 bits */
    int k = e - 53;
    int r = ((k % 61) + 61) % 61;
    uint64_t h = mantissa % modulus;
    if (r != 0) h = ((h << r) & modulus) | (h >> (61 - r));
    if (h >= modulus) h -= modulus;
    int64_t result = v < 0 ? -(int64_t)h : (int64_t)h;
    return result == -1 ? -2 : result;
}

static int64_t float_hash(Object *self) {
    return float_hash_double(float_value(self));
}

/* ---- Comparison ---- */

int float_compare_int(double d, int64_t i) {
    if (isnan(d)) return 2;
    if (d >= 9223372036854775808.0) return 1;  /* above every int64 */
    if (d < -9223372036854775808.0) return -1; /* below every int64 */
    /* Now floor(d) fits in int64 and converts exactly. */
    double f = floor(d);
    int64_t fi = (int64_t)f;
    if (fi != i) return fi < i ? -1 : 1;
    return d > f ? 1 : 0;
}

/* The answer to `op` for a three-way comparison result cmp. */
static Object *compare_result(int cmp, int op) {
    return bool_from(compare_i64(cmp, 0, (CompareOp)op));
}

static Object *float_richcompare(Object *a, Object *b, int op) {
    if (is_float(a) && is_float(b)) {
        double x = float_value(a), y = float_value(b);
        if (isnan(x) || isnan(y)) return bool_from(op == CMP_NE);
        return compare_result((x > y) - (x < y), op);
    }
    if (is_float(a) && is_int(b)) {
        int c = int_compare_double(float_value(a), b);
        return c == 2 ? bool_from(op == CMP_NE) : compare_result(c, op);
    }
    if (is_int(a) && is_float(b)) {
        int c = int_compare_double(float_value(b), a);
        return c == 2 ? bool_from(op == CMP_NE) : compare_result(-c, op);
    }
    return NEWREF(NotImplemented);
}

/* ---- Arithmetic ---- */

/* Python's float modulo: the result has the sign of the divisor (y != 0). */
static double float_mod_value(double x, double y) {
    double mod = fmod(x, y);
    if (mod != 0.0) {
        if ((y < 0) != (mod < 0)) mod += y;
    } else {
        mod = copysign(0.0, y);
    }
    return mod;
}

/* Python's floor division and modulo together (y != 0): the quotient is
   computed from x - mod so it is exact where possible, then floored. */
static void float_floor_divmod(double x, double y, double *floordiv, double *mod) {
    double m = fmod(x, y);
    double div = (x - m) / y;
    if (m != 0.0) {
        if ((y < 0) != (m < 0)) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = copysign(0.0, y);
    }
    double fd;
    if (div != 0.0) {
        fd = floor(div);
        if (div - fd > 0.5) fd += 1.0; /* div was a hair below an integer */
    } else {
        fd = copysign(0.0, x / y);
    }
    *floordiv = fd;
    *mod = m;
}

Object *float_divmod(double x, double y) {
    if (y == 0.0) return error_set(&exc_ZeroDivisionError, "float divmod()");
    double q, r;
    float_floor_divmod(x, y, &q, &r);
    Object *qo = float_from_double(q), *ro = qo ? float_from_double(r) : NULL;
    Object *t = ro ? tuple_pack(2, qo, ro) : NULL;
    XDECREF(qo);
    XDECREF(ro);
    return t;
}

static Object *float_pow_value(double x, double y) {
    if (x == 0.0 && y < 0.0 && isfinite(y))
        return error_set(&exc_ZeroDivisionError, "0.0 cannot be raised to a negative power");
    if (x < 0.0 && isfinite(x) && isfinite(y) && y != floor(y))
        return complex_pow_parts(x, 0.0, y, 0.0); /* (-8) ** 0.5 is complex, as in Python */
    double r = pow(x, y);
    if (isinf(r) && isfinite(x) && isfinite(y))
        return error_set(&exc_OverflowError, "(34, 'Numerical result out of range')");
    return float_from_double(r);
}

Object *float_binop(Object *a, Object *b, BinaryOp op) {
    double x, y;
    if (is_float(a)) x = float_value(a);
    else if (is_int(a)) {
        if (int_as_double(a, &x) < 0) return NULL;
    } else return NEWREF(NotImplemented);
    if (is_float(b)) y = float_value(b);
    else if (is_int(b)) {
        if (int_as_double(b, &y) < 0) return NULL;
    }
    else return NEWREF(NotImplemented);

    double q, r;
    switch (op) {
    case BINOP_ADD: return float_from_double(x + y);
    case BINOP_SUB: return float_from_double(x - y);
    case BINOP_MUL: return float_from_double(x * y);
    case BINOP_TRUEDIV:
        if (y == 0.0) return error_set(&exc_ZeroDivisionError, "float division by zero");
        return float_from_double(x / y);
    case BINOP_FLOORDIV:
        if (y == 0.0) return error_set(&exc_ZeroDivisionError, "float floor division by zero");
        float_floor_divmod(x, y, &q, &r);
        return float_from_double(q);
    case BINOP_MOD:
        if (y == 0.0) return error_set(&exc_ZeroDivisionError, "float modulo");
        return float_from_double(float_mod_value(x, y));
    case BINOP_POW: return float_pow_value(x, y);
    default: return NEWREF(NotImplemented);
    }
}

#define FLOAT_BINARY_SLOT(name, op) \
    static Object *name(Object *a, Object *b) { return float_binop(a, b, op); }
FLOAT_BINARY_SLOT(float_add_slot, BINOP_ADD)
FLOAT_BINARY_SLOT(float_sub_slot, BINOP_SUB)
FLOAT_BINARY_SLOT(float_mul_slot, BINOP_MUL)
FLOAT_BINARY_SLOT(float_truediv_slot, BINOP_TRUEDIV)
FLOAT_BINARY_SLOT(float_floordiv_slot, BINOP_FLOORDIV)
FLOAT_BINARY_SLOT(float_mod_slot, BINOP_MOD)
FLOAT_BINARY_SLOT(float_pow_slot, BINOP_POW)

/* ---- Unary operations and conversions ---- */

static Object *float_neg(Object *self) { return float_from_double(-float_value(self)); }

static Object *float_pos(Object *self) {
    if (is_float_exact(self)) return NEWREF(self);
    return float_from_double(float_value(self));
}

static Object *float_abs(Object *self) { return float_from_double(fabs(float_value(self))); }

static int float_truth(Object *self) { return float_value(self) != 0.0; }

static Object *float_to_int(Object *self) { return int_from_double(float_value(self)); }

/* ---- round() ---- */

/* The decimal exponent of the leading digit of v (finite, nonzero). Enough
   digits are printed that rounding cannot carry into the next decade. */
static int decimal_exponent(double v) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.25e", v);
    return atoi(strchr(buf, 'e') + 1);
}

/* Is |v| more than half of 10**k (v finite, k >= 1)? Ties (only possible when
   10**k is an exact double) count as not more. */
static bool above_half_power(double v, int k) {
    char buf[48];
    snprintf(buf, sizeof buf, "1e%d", k);
    double p = strtod(buf, NULL);
    double twice = 2.0 * fabs(v);
    if (twice != p || k <= 22) return twice > p;
    /* twice equals the double nearest 10**k, which is not 10**k itself:
       whether that double lies above decides. */
    snprintf(buf, sizeof buf, "%.30e", p);
    return buf[0] == '1';
}

/* round(v, ndigits) with ndigits < 0: to a multiple of 10**-ndigits. */
static double round_to_tens(double v, int64_t ndigits) {
    int k = (int)-ndigits;
    int keep = decimal_exponent(v) - k + 1; /* significant digits kept */
    if (keep >= 1) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.*e", keep - 1, v);
        return strtod(buf, NULL);
    }
    if (keep == 0 && above_half_power(v, k)) {
        char buf[48];
        snprintf(buf, sizeof buf, "%s1e%d", v < 0 ? "-" : "", k);
        return strtod(buf, NULL);
    }
    return copysign(0.0, v);
}

Object *float_round(double v, int64_t ndigits, bool has_ndigits) {
    if (!has_ndigits) return int_from_double(rint(v)); /* rint: half to even */
    if (!isfinite(v) || v == 0.0 || ndigits > 323) return float_from_double(v);
    if (ndigits < -308) return float_from_double(copysign(0.0, v));
    double r;
    if (ndigits >= 0) {
        char buf[720]; /* 309 integer digits, the point, 323 decimals */
        snprintf(buf, sizeof buf, "%.*f", (int)ndigits, v);
        r = strtod(buf, NULL);
    } else {
        r = round_to_tens(v, ndigits);
    }
    if (isinf(r)) return error_set(&exc_OverflowError, "rounded value too large to represent");
    return float_from_double(r);
}

/* ---- Parsing: float(str) ---- */

/* Copies the digits of a run like "1_000" into out, dropping single
   underscores between digits. Returns the bytes consumed (0: no digits) or
   -1 when an underscore is misplaced. */
static long copy_digit_run(const char *p, const char *end, char *out, size_t *k) {
    const char *start = p;
    while (p < end) {
        if (*p >= '0' && *p <= '9') {
            out[(*k)++] = *p++;
        } else if (*p == '_' && p > start && p + 1 < end && p[1] >= '0' && p[1] <= '9') {
            p++;
        } else {
            break;
        }
    }
    if (p < end && *p == '_') return -1;
    return (long)(p - start);
}

/* Validates Python's decimal float syntax in [p, end) and writes the text
   strtod should read (underscores removed) into out. */
static bool clean_decimal(const char *p, const char *end, char *out) {
    size_t k = 0;
    if (p < end && (*p == '+' || *p == '-')) out[k++] = *p++;
    long ni = copy_digit_run(p, end, out, &k);
    if (ni < 0) return false;
    p += ni;
    long nf = 0;
    if (p < end && *p == '.') {
        out[k++] = *p++;
        nf = copy_digit_run(p, end, out, &k);
        if (nf < 0) return false;
        p += nf;
    }
    if (ni == 0 && nf == 0) return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        out[k++] = *p++;
        if (p < end && (*p == '+' || *p == '-')) out[k++] = *p++;
        long ne = copy_digit_run(p, end, out, &k);
        if (ne <= 0) return false;
        p += ne;
    }
    out[k] = '\0';
    return p == end;
}

/* inf, infinity, nan (any case, optional sign). */
static bool parse_special(const char *p, const char *end, double *out) {
    double sign = 1.0;
    if (p < end && (*p == '+' || *p == '-')) sign = *p++ == '-' ? -1.0 : 1.0;
    size_t n = (size_t)(end - p);
    if ((n == 3 && strncasecmp(p, "inf", 3) == 0) ||
        (n == 8 && strncasecmp(p, "infinity", 8) == 0)) {
        *out = sign * INFINITY;
        return true;
    }
    if (n == 3 && strncasecmp(p, "nan", 3) == 0) {
        *out = NAN; /* Python drops the sign of a NaN: float('-nan') is nan */
        return true;
    }
    return false;
}

/* Parses the ASCII text [text, text+n) (str_parse_number's parser). */
static Object *float_parse(const char *text, size_t n, int base) {
    (void)base;
    const char *p = text, *end = text + n;
    str_trim_number_spaces(&p, &end);
    double v;
    if (parse_special(p, end, &v)) return float_from_double(v);
    char small[64];
    size_t need = (size_t)(end - p) + 1;
    char *clean = need <= sizeof small ? small : mem_alloc(need);
    if (!clean) return error_no_memory();
    bool ok = clean_decimal(p, end, clean);
    if (ok) v = strtod(clean, NULL); /* overflow gives inf, as Python */
    if (clean != small) mem_free(clean, need);
    return ok ? float_from_double(v) : NULL;
}

static const char float_parse_message[] = "could not convert string to float: ";

Object *float_from_string(const char *s, size_t len) {
    return str_parse_number(s, len, NULL, float_parse, 0, float_parse_message);
}

/* ---- Construction: float(...) ---- */

static Object *check_float_result(Object *r) {
    if (!r || is_float(r)) return r;
    error_set(&exc_TypeError, "__float__ returned non-float (type %s)", TYPE_NAME(r));
    DECREF(r);
    return NULL;
}

/* float(x). The conversion slot comes before the text of a str or bytes,
   and an instance of a subclass of int or float converts through it too
   (its class may define __float__). */
static Object *float_from_object(Object *x) {
    if (is_float_exact(x)) return NEWREF(x);
    if (is_int_exact(x)) {
        double d;
        if (int_as_double(x, &d) < 0) return NULL;
        return float_from_double(d);
    }
    if (TYPE(x)->to_float) return check_float_result(TYPE(x)->to_float(x));
    if (is_str(x)) return float_from_string(str_data(x), str_len(x));
    if (is_bytes(x)) {
        /* parsed as the same text; a bad one is reported with the bytes' repr */
        return str_parse_number(bytes_data(x), bytes_size(x), x, float_parse, 0,
                                float_parse_message);
    }
    if (buffer_supported(x)) { /* any bytes-like object: a bytearray shows as itself */
        Object *copy = bytes_from_buffer(x);
        if (!copy) return NULL;
        Object *r = str_parse_number(bytes_data(copy), bytes_size(copy),
                                     is_bytearray(x) ? x : copy, float_parse, 0, float_parse_message);
        DECREF(copy);
        return r;
    }
    if (type_lookup_cstr(TYPE(x), "__float__"))
        return check_float_result(object_call_method(x, "__float__", NULL, 0));
    if (TYPE(x)->index || type_lookup_cstr(TYPE(x), "__index__")) {
        int64_t i;
        if (int_as_i64(x, &i) < 0) return NULL;
        return float_from_double((double)i);
    }
    return error_set(&exc_TypeError, "float() argument must be a string or a real number, not '%s'",
                     TYPE_NAME(x));
}

static Object *float_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "float() takes no keyword arguments");
    if (nargs > 1)
        return error_set(&exc_TypeError, "float expected at most 1 argument, got %zu", nargs);
    Object *value = nargs == 0 ? float_from_double(0.0) : float_from_object(args[0]);
    if (!value || type == &float_type) return value;
    /* A user subclass of float: an instance of it holding the value. */
    FloatObject *o = (FloatObject *)object_alloc(type, type->instance_size);
    if (o) o->value = float_value(value);
    DECREF(value);
    return (Object *)o;
}

/* An exact float goes to its thread's free list (float.h) when that has
   room; a subclass's instance, whose block has a prefix, never does. */
static void float_dealloc(Object *self) {
    FloatFreeList *fl = &float_free_list;
    if (FLOAT_FREE_LIST && TYPE(self) == &float_type && fl->count < FLOAT_FREE_MAX &&
        object_hooks == 0) {
        FloatObject *o = (FloatObject *)self;
        o->next_free = fl->head;
        fl->head = o;
        fl->count++;
        return;
    }
    object_free(self, TYPE(self)->instance_size);
}

void float_thread_release(void) {
    FloatFreeList *fl = &float_free_list;
    while (fl->head != NULL) {
        FloatObject *o = fl->head;
        fl->head = o->next_free;
        mem_free(o, sizeof(FloatObject));
    }
    fl->count = 0;
}

/* ---- Methods ---- */

static Object *float_is_integer(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("float.is_integer", nargs, kwnames, 0, 0) < 0) return NULL;
    double v = float_value(self);
    return bool_from(isfinite(v) && v == floor(v));
}

static Object *float_conjugate(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("float.conjugate", nargs, kwnames, 0, 0) < 0) return NULL;
    return float_from_double(float_value(self));
}

static const MethodDef float_methods[] = {
    { "is_integer", float_is_integer, "Return True if the float is an integer." },
    { "conjugate", float_conjugate, "Return self, the complex conjugate of any float." },
    { "__ceil__", numdunder_float_ceil, "Return the ceiling as an Integral." },
    { "__floor__", numdunder_float_floor, "Return the floor as an Integral." },
    { "__trunc__", numdunder_float_trunc, "Return the Integral closest to x between 0 and x." },
    { "__round__", numdunder_float_round, NULL },
    { "__divmod__", numdunder_float_divmod, "Return divmod(self, value)." },
    { "__rdivmod__", numdunder_float_rdivmod, "Return divmod(value, self)." },
    { "__getnewargs__", numdunder_float_getnewargs, NULL },
    { "__format__", numdunder_format, NULL },
    { "as_integer_ratio", numdunder_float_as_integer_ratio, "Return integer ratio." },
    { "hex", floathex_hex, "Return a hexadecimal representation of a floating-point number." },
    { NULL, NULL, NULL },
};

/* real is the value, imag 0.0 */
static Object *float_getattr(Object *self, Object *name) {
    const char *s = str_data(name);
    if (strcmp(s, "real") == 0) return float_from_double(float_value(self));
    if (strcmp(s, "imag") == 0) return float_from_double(0.0);
    return object_generic_getattr(self, name);
}

/* Served by float_type's getattr slot; declared for dir() and the class. */
static const GetSetDef float_getsets[] = {
    {"real", NULL, false},
    {"imag", NULL, false},
    {NULL, NULL, false},
};

Type float_type = {
    TYPE_HEAD_INIT,
    .name = "float",
    .getsets = float_getsets,
    .base_type = &object_type,
    .instance_size = sizeof(FloatObject),
    .flags = TYPE_BASETYPE,
    .methods = float_methods,
    .dealloc = float_dealloc,
    .getattr = float_getattr,
    .repr = float_repr,
    .hash = float_hash,
    .richcompare = float_richcompare,
    .construct = float_construct,
    .truth = float_truth,
    .neg = float_neg,
    .pos = float_pos,
    .absolute = float_abs,
    .to_int = float_to_int,
    .to_float = float_pos,
    .binary = {
        [BINOP_ADD] = float_add_slot, [BINOP_SUB] = float_sub_slot,
        [BINOP_MUL] = float_mul_slot, [BINOP_TRUEDIV] = float_truediv_slot,
        [BINOP_FLOORDIV] = float_floordiv_slot, [BINOP_MOD] = float_mod_slot,
        [BINOP_POW] = float_pow_slot,
    },
};
