/* floathex.c - float.hex, float.fromhex, float.__getformat__ (see floathex.h). */
#include "objects/floathex.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/descr.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/function.h"
#include "objects/str.h"

/* x.hex(): [-]0x<d>.<13 hex digits>p<exponent>, the first digit 1 for a
   normal float and 0 for a subnormal one (exponent -1022); 0x0.0p+0 for a
   zero, inf and nan as repr writes them. */
Object *floathex_hex(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("float.hex", nargs, kwnames, 0, 0) < 0) return NULL;
    double x = float_value(self);
    if (isnan(x) || isinf(x)) return object_repr(self);
    const char *sign = signbit(x) ? "-" : "";
    if (x == 0.0) return str_from_format("%s0x0.0p+0", sign);
    int e;
    double m = frexp(fabs(x), &e) * 2.0; /* in [1, 2) */
    e--;
    if (e < -1022) {
        m = ldexp(m, e + 1022);
        e = -1022;
    }
    int lead = (int)m;
    uint64_t frac = (uint64_t)ldexp(m - lead, 52); /* exact: 52 bits below the point */
    return str_from_format("%s0x%d.%013llxp%+d", sign, lead, (unsigned long long)frac, e);
}

/* The hex digits of a fromhex string, as read. */
typedef struct {
    uint64_t mant;   /* the first significant digits (up to 15) */
    bool sticky;     /* a nonzero digit was dropped after them */
    int64_t exp2;    /* value = (mant + sticky bits) * 2**exp2 */
} HexValue;

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Read the digits, point and exponent at *p (moving it on); false when
   they do not make a number. */
static bool read_hex(const char **p, HexValue *v) {
    const char *s = *p;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    int64_t ndigits = 0, shift = 0; /* shift: 4 per fraction digit kept, less per int digit dropped */
    bool point = false;
    for (;; s++) {
        if (*s == '.' && !point) {
            point = true;
            continue;
        }
        int d = hex_digit(*s);
        if (d < 0) break;
        ndigits++;
        if (v->mant == 0 && d == 0) {
            if (point) shift += 4;
        } else if (v->mant >> 56 == 0) {
            v->mant = v->mant * 16 + (uint64_t)d;
            if (point) shift += 4;
        } else {
            v->sticky |= d != 0;
            if (!point) shift -= 4;
        }
    }
    if (ndigits == 0) return false;
    int64_t e = 0;
    if (*s == 'p' || *s == 'P') {
        s++;
        bool neg = *s == '-';
        if (*s == '+' || *s == '-') s++;
        if (!isdigit((unsigned char)*s)) return false;
        for (; isdigit((unsigned char)*s); s++)
            if (e < 100000000) e = e * 10 + (*s - '0');
        if (neg) e = -e;
    }
    v->exp2 = e - shift;
    *p = s;
    return true;
}

static int bit_length(uint64_t m) { return m ? 64 - __builtin_clzll(m) : 0; }

/* The nearest double (half to even), or -1 (HUGE_VAL) with OverflowError. */
static int hex_to_double(HexValue *v, double *out) {
    if (v->mant == 0) {
        *out = 0.0;
        return 0;
    }
    int len = bit_length(v->mant);
    int64_t top = v->exp2 + len - 1;         /* exponent of the highest bit */
    int64_t prec = top + 1075;               /* bits a subnormal result keeps */
    if (prec > 53) prec = 53;
    if (prec < 0) {
        *out = 0.0;
        return 0;
    }
    if (len > prec) {
        int drop = (int)(len - prec);
        uint64_t half = (uint64_t)1 << (drop - 1);
        uint64_t rest = v->mant & ((half << 1) - 1);
        v->mant = drop == 64 ? 0 : v->mant >> drop;
        v->exp2 += drop;
        if (rest > half || (rest == half && (v->sticky || (v->mant & 1)))) v->mant++;
    }
    double d = ldexp((double)v->mant, (int)v->exp2);
    if (isinf(d) || v->exp2 + bit_length(v->mant) - 1 > 1023) {
        error_set(&exc_OverflowError, "hexadecimal value too large to represent as a float");
        return -1;
    }
    *out = d;
    return 0;
}

/* inf, infinity or nan (any case): the n characters at s. */
static bool read_special(const char *s, size_t n, double *out) {
    if ((n == 3 && strncasecmp(s, "inf", 3) == 0) || (n == 8 && strncasecmp(s, "infinity", 8) == 0)) {
        *out = INFINITY;
        return true;
    }
    if (n == 3 && strncasecmp(s, "nan", 3) == 0) {
        *out = NAN;
        return true;
    }
    return false;
}

static Object *invalid_hex(void) {
    return error_set(&exc_ValueError, "invalid hexadecimal floating-point string");
}

/* The float a fromhex string stands for (a new float), or NULL. */
static Object *parse_hex_float(const char *s, size_t n) {
    const char *end = s + n;
    while (s < end && isspace((unsigned char)*s)) s++;
    while (end > s && isspace((unsigned char)end[-1])) end--;
    bool neg = s < end && *s == '-';
    if (s < end && (*s == '+' || *s == '-')) s++;
    double d;
    if (!read_special(s, (size_t)(end - s), &d)) {
        HexValue v = {0, false, 0};
        const char *p = s;
        if (!read_hex(&p, &v) || p != end) return invalid_hex();
        if (hex_to_double(&v, &d) < 0) return NULL;
    }
    return float_from_double(neg ? -d : d);
}

/* float.fromhex(s), a class method: args[0] is the class. */
static Object *fromhex_function(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("float.fromhex", nargs ? nargs - 1 : 0, kwnames, 1, 1) < 0) return NULL;
    if (!is_str(args[1])) return error_set(&exc_TypeError, "bad argument type for built-in operation");
    Object *f = parse_hex_float(str_data(args[1]), str_len(args[1]));
    if (!f || args[0] == (Object *)&float_type) return f;
    Object *r = object_call(args[0], &f, 1, NULL); /* a subclass: cls(value) */
    DECREF(f);
    return r;
}

/* float.__getformat__(typestr), a class method. */
static Object *getformat_function(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("float.__getformat__", nargs ? nargs - 1 : 0, kwnames, 1, 1) < 0) return NULL;
    Object *t = args[1];
    if (!is_str(t))
        return error_set(&exc_TypeError, "__getformat__() argument must be str, not %s", TYPE_NAME(t));
    if (strcmp(str_data(t), "double") != 0 && strcmp(str_data(t), "float") != 0)
        return error_set(&exc_ValueError, "__getformat__() argument 1 must be 'double' or 'float'");
    return str_from_cstr("IEEE, little-endian");
}

int float_install_class_methods(void) {
    static const MethodDef defs[] = {
        {"fromhex", fromhex_function, "Create a floating-point number from a hexadecimal string."},
        {"__getformat__", getformat_function, "You probably don't want to use this function."},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        Object *f = builtin_new(&defs[i], (Object *)&float_type);
        Object *m = f ? descr_classmethod_new(f) : NULL;
        int rc = m ? dict_set_item_cstr(float_type.dict, defs[i].name, m) : -1;
        XDECREF(f);
        XDECREF(m);
        if (rc < 0) return -1;
    }
    return 0;
}
