/* complexobject.c - the complex type: two IEEE doubles with Python's rules.
 *
 * Invariants:
 *   - A ComplexObject's parts never change after creation.
 *   - repr (and str) shows each part with the shortest float repr, without
 *     the ".0" a float would get; a real part of +0.0 is left out ("1j"),
 *     anything else gives "(re+imj)" with the imaginary sign always shown.
 *   - Arithmetic converts an int or float operand to (x, 0.0) first and then
 *     applies the complex formula, as Python does, so (inf+0j) * 2 is
 *     (inf+nanj) exactly as in CPython. Division scales by the larger part of
 *     the divisor (Smith's method), which keeps intermediate results in range.
 *   - hash(complex(x, 0)) == hash(x), and the imaginary hash is weighted by
 *     1000003, so equal numbers of different types are the same dict key.
 *   - Errors use CPython 3.11's texts.
 */
#include "objects/complexobject.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/str.h"
#include "objects/tuple.h"

Object *complex_from_doubles(double real, double imag) {
    ComplexObject *o = (ComplexObject *)object_alloc(&complex_type, sizeof(ComplexObject));
    if (!o) return NULL;
    o->real = real;
    o->imag = imag;
    return (Object *)o;
}

/* ---- repr and hash ---- */

int complex_part_repr(double v, char *buf, size_t size) {
    int n = float_repr_buf(v, buf, size);
    if (n >= 2 && buf[n - 2] == '.' && buf[n - 1] == '0') {
        n -= 2;
        buf[n] = '\0';
    }
    return n;
}

static Object *complex_repr(Object *self) {
    double re = complex_real(self), im = complex_imag(self);
    char rbuf[40], ibuf[40];
    complex_part_repr(im, ibuf, sizeof ibuf);
    if (re == 0.0 && !signbit(re)) return str_from_format("%sj", ibuf);
    complex_part_repr(re, rbuf, sizeof rbuf);
    /* the imaginary sign always shows; a NaN shows none of its own */
    const char *sign = ibuf[0] == '-' ? "" : "+";
    return str_from_format("(%s%s%sj)", rbuf, sign, ibuf);
}

static int64_t complex_hash(Object *self) {
    uint64_t hr = (uint64_t)float_hash_double(complex_real(self));
    uint64_t hi = (uint64_t)float_hash_double(complex_imag(self));
    int64_t h = (int64_t)(hr + 1000003u * hi); /* wraps, as CPython's unsigned sum */
    return h == -1 ? -2 : h;
}

/* ---- Operands ---- */

/* An operand of a binary operation as (re, im): 1 converted, 0 not a
   number complex combines with (NotImplemented), -1 error. */
static int operand_parts(Object *o, double *re, double *im) {
    *im = 0.0;
    if (is_complex(o)) {
        *re = complex_real(o);
        *im = complex_imag(o);
        return 1;
    }
    if (is_float(o)) {
        *re = float_value(o);
        return 1;
    }
    if (is_int(o)) return int_as_double(o, re) < 0 ? -1 : 1;
    return 0;
}

/* ---- Comparison: only == and != ---- */

/* Is (re, im) equal to the real number o (an int or a float)? */
static bool equals_real(double re, double im, Object *o) {
    if (im != 0.0) return false;
    if (is_float(o)) return re == float_value(o);
    return int_compare_double(re, o) == 0; /* exact, even for big ints */
}

static Object *complex_richcompare(Object *a, Object *b, int op) {
    if (op != CMP_EQ && op != CMP_NE) return NEWREF(NotImplemented);
    Object *self = is_complex(a) ? a : b, *other = self == a ? b : a;
    double re = complex_real(self), im = complex_imag(self);
    bool equal;
    if (is_complex(other))
        equal = re == complex_real(other) && im == complex_imag(other);
    else if (is_float(other) || is_int(other))
        equal = equals_real(re, im, other);
    else
        return NEWREF(NotImplemented);
    return bool_from(op == CMP_EQ ? equal : !equal);
}

/* ---- Arithmetic ---- */

typedef struct {
    double re, im;
} Parts;

static Parts parts_mul(Parts a, Parts b) {
    return (Parts){a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}

/* a / b, scaling by the larger part of b. *zero set when b is 0. */
static Parts parts_div(Parts a, Parts b, bool *zero) {
    double abs_re = fabs(b.re), abs_im = fabs(b.im);
    *zero = false;
    if (abs_re >= abs_im) {
        if (abs_re == 0.0) {
            *zero = true;
            return (Parts){0.0, 0.0};
        }
        double ratio = b.im / b.re, denom = b.re + b.im * ratio;
        return (Parts){(a.re + a.im * ratio) / denom, (a.im - a.re * ratio) / denom};
    }
    if (abs_im >= abs_re) {
        double ratio = b.re / b.im, denom = b.re * ratio + b.im;
        return (Parts){(a.re * ratio + a.im) / denom, (a.im * ratio - a.re) / denom};
    }
    return (Parts){NAN, NAN}; /* a NaN part: neither comparison held */
}

int complex_quotient(double ar, double ai, double br, double bi, double *rr, double *ri) {
    bool zero;
    Parts r = parts_div((Parts){ar, ai}, (Parts){br, bi}, &zero);
    *rr = r.re;
    *ri = r.im;
    return zero ? -1 : 0;
}

/* x ** n for n >= 0 by repeated squaring. */
static Parts parts_pow_unsigned(Parts x, long n) {
    Parts r = {1.0, 0.0}, p = x;
    for (long mask = 1; mask > 0 && n >= mask; mask <<= 1) {
        if (n & mask) r = parts_mul(r, p);
        p = parts_mul(p, p);
    }
    return r;
}

/* x ** y through polar form. *domain set for 0 to a negative or complex power. */
static Parts parts_pow_general(Parts x, Parts y, bool *domain) {
    if (y.re == 0.0 && y.im == 0.0) return (Parts){1.0, 0.0};
    if (x.re == 0.0 && x.im == 0.0) {
        if (y.im != 0.0 || y.re < 0.0) *domain = true;
        return (Parts){0.0, 0.0};
    }
    double length = hypot(x.re, x.im);
    double angle = atan2(x.im, x.re);
    double len = pow(length, y.re), phase = angle * y.re;
    if (y.im != 0.0) {
        len /= exp(angle * y.im);
        phase += y.im * log(length);
    }
    /* cos(inf) is a domain error for the C library, and CPython reports
       its errno as this ZeroDivisionError: (inf+0j) ** 1j raises it too */
    if (isinf(phase)) *domain = true;
    return (Parts){len * cos(phase), len * sin(phase)};
}

Object *complex_pow_parts(double xr, double xi, double yr, double yi) {
    Parts x = {xr, xi}, y = {yr, yi}, r;
    bool domain = false;
    if (yi == 0.0 && yr == floor(yr) && fabs(yr) <= 100.0) {
        long n = (long)yr;
        r = parts_pow_unsigned(x, n < 0 ? -n : n);
        if (n < 0) r = parts_div((Parts){1.0, 0.0}, r, &domain);
    } else {
        r = parts_pow_general(x, y, &domain);
    }
    if (domain)
        return error_set(&exc_ZeroDivisionError, "0.0 to a negative or complex power");
    if (isinf(r.re) || isinf(r.im))
        return error_set(&exc_OverflowError, "complex exponentiation");
    return complex_from_doubles(r.re, r.im);
}

static Object *complex_binop(Object *a, Object *b, BinaryOp op) {
    Parts x, y;
    int ra = operand_parts(a, &x.re, &x.im);
    if (ra <= 0) return ra < 0 ? NULL : NEWREF(NotImplemented);
    int rb = operand_parts(b, &y.re, &y.im);
    if (rb <= 0) return rb < 0 ? NULL : NEWREF(NotImplemented);
    bool zero;
    Parts r;
    switch (op) {
    case BINOP_ADD: return complex_from_doubles(x.re + y.re, x.im + y.im);
    case BINOP_SUB: return complex_from_doubles(x.re - y.re, x.im - y.im);
    case BINOP_MUL: r = parts_mul(x, y); return complex_from_doubles(r.re, r.im);
    case BINOP_TRUEDIV:
        r = parts_div(x, y, &zero);
        if (zero) return error_set(&exc_ZeroDivisionError, "complex division by zero");
        return complex_from_doubles(r.re, r.im);
    case BINOP_POW: return complex_pow_parts(x.re, x.im, y.re, y.im);
    default: return NEWREF(NotImplemented);
    }
}

#define COMPLEX_BINARY_SLOT(name, op) \
    static Object *name(Object *a, Object *b) { return complex_binop(a, b, op); }
COMPLEX_BINARY_SLOT(complex_add_slot, BINOP_ADD)
COMPLEX_BINARY_SLOT(complex_sub_slot, BINOP_SUB)
COMPLEX_BINARY_SLOT(complex_mul_slot, BINOP_MUL)
COMPLEX_BINARY_SLOT(complex_truediv_slot, BINOP_TRUEDIV)
COMPLEX_BINARY_SLOT(complex_pow_slot, BINOP_POW)

/* ---- Unary operations ---- */

static Object *complex_neg(Object *self) {
    return complex_from_doubles(-complex_real(self), -complex_imag(self));
}

static Object *complex_pos(Object *self) {
    if (is_complex_exact(self)) return NEWREF(self);
    return complex_from_doubles(complex_real(self), complex_imag(self));
}

static Object *complex_abs(Object *self) {
    double re = complex_real(self), im = complex_imag(self);
    double r = hypot(re, im);
    if (isinf(r) && isfinite(re) && isfinite(im))
        return error_set(&exc_OverflowError, "absolute value too large");
    return float_from_double(r);
}

static int complex_truth(Object *self) {
    return complex_real(self) != 0.0 || complex_imag(self) != 0.0;
}

/* ---- Parsing: complex(str) ---- */

static bool is_ascii_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The length of the digit run at p (possibly 0). */
static size_t digit_run(const char *p, const char *end) {
    const char *q = p;
    while (q < end && is_digit(*q)) q++;
    return (size_t)(q - p);
}

/* inf, infinity or nan (any case) at p after an optional sign: its length. */
static size_t special_length(const char *p, const char *end, double *out, double sign) {
    size_t n = (size_t)(end - p);
    if (n >= 8 && strncasecmp(p, "infinity", 8) == 0) { *out = sign * INFINITY; return 8; }
    if (n >= 3 && strncasecmp(p, "inf", 3) == 0) { *out = sign * INFINITY; return 3; }
    if (n >= 3 && strncasecmp(p, "nan", 3) == 0) { *out = NAN; return 3; }
    return 0;
}

/* The longest float at p (Python's syntax, no spaces or underscores): its
   end, or p itself when none starts there. */
static const char *scan_float(const char *p, const char *end, double *out) {
    const char *q = p;
    double sign = 1.0;
    if (q < end && (*q == '+' || *q == '-')) sign = *q++ == '-' ? -1.0 : 1.0;
    size_t special = special_length(q, end, out, sign);
    if (special) return q + special;
    size_t ni = digit_run(q, end);
    q += ni;
    size_t nf = 0;
    if (q < end && *q == '.') nf = digit_run(q + 1, end);
    if (q < end && *q == '.' && (ni || nf)) q += 1 + nf;
    if (ni == 0 && nf == 0) return p;
    if (q < end && (*q == 'e' || *q == 'E')) {
        const char *e = q + 1;
        if (e < end && (*e == '+' || *e == '-')) e++;
        size_t ne = digit_run(e, end);
        if (ne) q = e + ne;
    }
    size_t len = (size_t)(q - p);
    char small[64];
    char *text = len < sizeof small ? small : mem_alloc(len + 1);
    if (!text) return NULL;
    memcpy(text, p, len);
    text[len] = '\0';
    *out = strtod(text, NULL); /* overflow gives inf, as Python */
    if (text != small) mem_free(text, len + 1);
    return q;
}

/* The sign and j of "<float><sign>j", "<sign>j" or "j": the imaginary part
   is +-1. The end, or NULL when no j follows. */
static const char *scan_unit_imag(const char *p, const char *end, double *imag) {
    *imag = 1.0;
    if (p < end && (*p == '+' || *p == '-')) *imag = *p++ == '-' ? -1.0 : 1.0;
    return p < end && (*p == 'j' || *p == 'J') ? p + 1 : NULL;
}

/* The number between the optional brackets: "<float>", "<float>j",
   "<float><signed float>j" and the unit forms. The end, or NULL. */
static const char *scan_complex(const char *p, const char *end, double *re, double *im) {
    double z;
    const char *q = scan_float(p, end, &z);
    if (!q) return NULL;
    *re = *im = 0.0;
    if (q == p) return scan_unit_imag(p, end, im);
    if (q < end && (*q == '+' || *q == '-')) {
        *re = z;
        const char *r = scan_float(q, end, im);
        if (!r) return NULL;
        if (r == q) return scan_unit_imag(q, end, im);
        return r < end && (*r == 'j' || *r == 'J') ? r + 1 : NULL;
    }
    if (q < end && (*q == 'j' || *q == 'J')) {
        *im = z;
        return q + 1;
    }
    *re = z;
    return q;
}

static const char *skip_spaces(const char *p, const char *end) {
    while (p < end && is_ascii_space(*p)) p++;
    return p;
}

static Object *malformed(void) {
    return error_set(&exc_ValueError, "complex() arg is a malformed string");
}

/* The text [s, s+n) with spaces, brackets and the number (no underscores). */
static Object *parse_clean(const char *s, size_t n) {
    const char *p = skip_spaces(s, s + n), *end = s + n;
    bool bracket = p < end && *p == '(';
    if (bracket) p = skip_spaces(p + 1, end);
    double re, im;
    p = scan_complex(p, end, &re, &im);
    if (!p) return error_occurred() ? NULL : malformed();
    p = skip_spaces(p, end);
    if (bracket) {
        if (p == end || *p != ')') return malformed();
        p = skip_spaces(p + 1, end);
    }
    if (p != end) return malformed();
    return complex_from_doubles(re, im);
}

/* Copies s without its underscores into out; false when one is not between
   two digits (then str_parse_number reports the text). */
static bool drop_underscores(const char *s, size_t n, char *out, size_t *outlen) {
    char prev = '\0';
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_') {
            if (!is_digit(prev)) return false;
        } else {
            if (prev == '_' && !is_digit(s[i])) return false;
            out[k++] = s[i];
        }
        prev = s[i];
    }
    *outlen = k;
    return prev != '_';
}

/* str_parse_number's parser: the ASCII text [text, text+n). NULL without an
   error means a misplaced underscore ("could not convert string to ..."). */
static Object *complex_parse(const char *text, size_t n, int base) {
    (void)base;
    if (!memchr(text, '_', n)) return parse_clean(text, n);
    char *clean = mem_alloc(n + 1);
    if (!clean) return error_no_memory();
    size_t len;
    Object *r = drop_underscores(text, n, clean, &len) ? parse_clean(clean, len) : NULL;
    mem_free(clean, n + 1);
    return r;
}

/* ---- Construction: complex(real=0, imag=0) ---- */

/* o.__complex__() when o's class defines it: 1 with *out set, 0 when it
   does not, -1 on error. */
static int from_dunder_complex(Object *o, Object **out) {
    if (!(TYPE(o)->flags & TYPE_HEAP) || !type_lookup_cstr(TYPE(o), "__complex__")) return 0;
    Object *r = object_call_method(o, "__complex__", NULL, 0);
    if (!r) return -1;
    if (!is_complex(r)) {
        error_set(&exc_TypeError, "__complex__ returned non-complex (type %s)", TYPE_NAME(r));
        DECREF(r);
        return -1;
    }
    *out = r;
    return 1;
}

/* Can o stand for a number (complex, __float__ or __index__)? */
static bool is_number_like(Object *o) {
    return is_complex(o) || is_float(o) || is_int(o) || TYPE(o)->to_float || TYPE(o)->index ||
           type_lookup_cstr(TYPE(o), "__float__") || type_lookup_cstr(TYPE(o), "__index__");
}

/* A real (not complex) argument as a double, as float(x) converts it. */
static int real_part(Object *o, double *out) {
    if (is_float(o)) {
        *out = float_value(o);
        return 0;
    }
    return float_as_double(o, out);
}

/* The parts of complex(r, i) where r and i are numbers (i may be NULL). */
static int combine_parts(Object *r, Object *i, double *re, double *im) {
    double rr = 0.0, ri = 0.0, ir = 0.0, ii = 0.0;
    if (is_complex(r)) {
        rr = complex_real(r);
        ri = complex_imag(r);
    } else if (real_part(r, &rr) < 0) {
        return -1;
    }
    if (!i) {
        *re = rr;
        *im = ri;
        return 0;
    }
    if (is_complex(i)) {
        ir = complex_real(i);
        ii = complex_imag(i);
    } else if (real_part(i, &ir) < 0) {
        return -1;
    }
    /* only a complex part contributes across: complex(-0.0, -0.0) keeps
       both signs */
    *re = is_complex(i) ? rr - ii : rr;
    *im = is_complex(r) ? ir + ri : ir;
    return 0;
}

/* complex(r, i) for operands that are not strings: __complex__ first, then
   the type checks, then the parts. 0, or -1 with the error set. */
static int complex_from_numbers(Object *r, Object *i, double *re, double *im) {
    Object *converted = NULL;
    if (from_dunder_complex(r, &converted) < 0) return -1;
    if (converted) r = converted;
    int rc = -1;
    if (!is_number_like(r))
        error_set(&exc_TypeError, "complex() first argument must be a string or a number, not '%s'",
                  TYPE_NAME(r));
    else if (i && !is_number_like(i))
        error_set(&exc_TypeError, "complex() second argument must be a number, not '%s'",
                  TYPE_NAME(i));
    else
        rc = combine_parts(r, i, re, im);
    XDECREF(converted);
    return rc;
}

static Object *complex_value(Object *r, Object *i) {
    if (is_str(r)) {
        if (i) return error_set(&exc_TypeError, "complex() can't take second arg if first is a string");
        return str_parse_number(str_data(r), str_len(r), NULL, complex_parse, 0,
                                "could not convert string to complex: ");
    }
    if (i && is_str(i)) return error_set(&exc_TypeError, "complex() second arg can't be a string");
    double re, im;
    if (complex_from_numbers(r, i, &re, &im) < 0) return NULL;
    return complex_from_doubles(re, im);
}

static Object *complex_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"real", "imag", NULL};
    Object *a[2];
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    if (nargs == 0 && nkw > 2) /* CPython's wording when all are keywords */
        return error_set(&exc_TypeError, "complex() takes at most 2 keyword arguments (%zu given)",
                         nkw);
    if (args_parse("complex", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    Object *value;
    if (!a[0] && !a[1]) value = complex_from_doubles(0.0, 0.0);
    else if (!a[0]) { /* complex(imag=x): the real part is the int 0 */
        Object *zero = int_from_i64(0);
        value = zero ? complex_value(zero, a[1]) : NULL;
        XDECREF(zero);
    }
    else if (is_complex_exact(a[0]) && !a[1]) value = NEWREF(a[0]);
    else value = complex_value(a[0], a[1]);
    if (!value || type == &complex_type) return value;
    /* A user subclass of complex: an instance of it holding the value. */
    ComplexObject *o = (ComplexObject *)object_alloc(type, type->instance_size);
    if (o) {
        o->real = complex_real(value);
        o->imag = complex_imag(value);
    }
    DECREF(value);
    return (Object *)o;
}

int complex_as_parts(Object *o, double *real, double *imag) {
    if (is_complex(o)) {
        *real = complex_real(o);
        *imag = complex_imag(o);
        return 0;
    }
    Object *converted = NULL;
    if (from_dunder_complex(o, &converted) < 0) return -1;
    if (converted) {
        *real = complex_real(converted);
        *imag = complex_imag(converted);
        DECREF(converted);
        return 0;
    }
    *imag = 0.0;
    return float_as_double(o, real);
}

static void complex_dealloc(Object *self) {
    object_free(self, TYPE(self)->instance_size);
}

/* ---- Methods and attributes ---- */

static Object *complex_conjugate(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("complex.conjugate", nargs, kwnames, 0, 0) < 0) return NULL;
    return complex_from_doubles(complex_real(self), -complex_imag(self));
}

static Object *complex_dunder_complex(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    (void)args;
    if (args_check("complex.__complex__", nargs, kwnames, 0, 0) < 0) return NULL;
    return complex_pos(self);
}

static Object *complex_getnewargs(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    (void)args;
    if (args_check("complex.__getnewargs__", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *re = float_from_double(complex_real(self));
    Object *im = re ? float_from_double(complex_imag(self)) : NULL;
    Object *t = im ? tuple_pack(2, re, im) : NULL;
    XDECREF(re);
    XDECREF(im);
    return t;
}

static const MethodDef complex_methods[] = {
    { "conjugate", complex_conjugate, "Return the complex conjugate of its argument. (3-4j).conjugate() == 3+4j." },
    { "__complex__", complex_dunder_complex, "Convert this value to exact type complex." },
    { "__getnewargs__", complex_getnewargs, NULL },
    { NULL, NULL, NULL },
};

static Object *complex_getattr(Object *self, Object *name) {
    const char *s = str_data(name);
    if (strcmp(s, "real") == 0) return float_from_double(complex_real(self));
    if (strcmp(s, "imag") == 0) return float_from_double(complex_imag(self));
    return object_generic_getattr(self, name);
}

/* Served by complex_getattr; declared for dir() and the class. */
static const GetSetDef complex_getsets[] = {
    {"real", NULL, true},
    {"imag", NULL, true},
    {NULL, NULL, false},
};

Type complex_type = {
    TYPE_HEAD_INIT,
    .name = "complex",
    .getsets = complex_getsets,
    .base_type = &object_type,
    .instance_size = sizeof(ComplexObject),
    .flags = TYPE_BASETYPE,
    .methods = complex_methods,
    .dealloc = complex_dealloc,
    .getattr = complex_getattr,
    .repr = complex_repr,
    .hash = complex_hash,
    .richcompare = complex_richcompare,
    .construct = complex_construct,
    .truth = complex_truth,
    .neg = complex_neg,
    .pos = complex_pos,
    .absolute = complex_abs,
    .binary = {
        [BINOP_ADD] = complex_add_slot, [BINOP_SUB] = complex_sub_slot,
        [BINOP_MUL] = complex_mul_slot, [BINOP_TRUEDIV] = complex_truediv_slot,
        [BINOP_POW] = complex_pow_slot,
    },
};
