/* numdunder.c - int and float rounding and divmod methods (see numdunder.h). */
#include "objects/numdunder.h"

#include <math.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* self as an exact int (a bool or a subclass instance gives its value). */
static Object *plain_int(Object *self) {
    if (TYPE(self) == &int_type) return NEWREF(self);
    const uint32_t *digits;
    uint32_t buf[2];
    bool negative;
    size_t n = int_digits_view(self, &digits, buf, &negative);
    return int_from_digits(digits, n, negative);
}

/* The check of a method that takes no argument: "int.__ceil__() takes no
   arguments (1 given)". */
#define NO_ARGS(qualname)                                                  \
    if (args_check(qualname, nargs, kwnames, 0, 0) < 0) return NULL;     \
    (void)args

/* The binary special methods check as CPython's slot wrappers do. */
static int one_operand(const char *name, size_t nargs, Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0) {
        error_set(&exc_TypeError, "wrapper %s() takes no keyword arguments", name);
        return -1;
    }
    if (nargs != 1) {
        error_set(&exc_TypeError, "expected 1 argument, got %zu", nargs);
        return -1;
    }
    return 0;
}

/* __round__'s optional ndigits: 0 when absent (*given false). float's
   takes None for absent; int's does not. */
static int round_ndigits(const char *qualname, Object *const *args, size_t nargs,
                         Object *kwnames, int64_t *ndigits, bool *given) {
    bool none_absent = qualname[0] == 'f';
    if (kwnames && tuple_size(kwnames) > 0) {
        error_set(&exc_TypeError, "%s() takes no keyword arguments", qualname);
        return -1;
    }
    if (nargs > 1) {
        error_set(&exc_TypeError, "__round__ expected at most 1 argument, got %zu", nargs);
        return -1;
    }
    *ndigits = 0;
    *given = nargs == 1 && !(none_absent && args[0] == None);
    return *given ? object_as_index(args[0], ndigits, NULL) : 0;
}

Object *numdunder_int_ceil(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    NO_ARGS("int.__ceil__");
    return plain_int(self);
}

Object *numdunder_int_floor(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    NO_ARGS("int.__floor__");
    return plain_int(self);
}

Object *numdunder_int_trunc(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    NO_ARGS("int.__trunc__");
    return plain_int(self);
}

Object *numdunder_int_round(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t nd;
    bool given;
    if (round_ndigits("int.__round__", args, nargs, kwnames, &nd, &given) < 0) return NULL;
    if (!given || nd >= 0) return plain_int(self);
    Object *v = plain_int(self);
    if (!v) return NULL;
    Object *r = int_round(v, nd);
    DECREF(v);
    return r;
}

Object *numdunder_int_divmod(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (one_operand("__divmod__", nargs, kwnames) < 0) return NULL;
    return is_int(args[0]) ? int_divmod(self, args[0]) : NEWREF(NotImplemented);
}

Object *numdunder_int_rdivmod(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (one_operand("__rdivmod__", nargs, kwnames) < 0) return NULL;
    return is_int(args[0]) ? int_divmod(args[0], self) : NEWREF(NotImplemented);
}

Object *numdunder_int_getnewargs(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    NO_ARGS("int.__getnewargs__");
    Object *v = plain_int(self);
    if (!v) return NULL;
    Object *t = tuple_pack(1, v);
    DECREF(v);
    return t;
}

/* int.__format__ and float.__format__: format(self, spec) with the
   built-in rules (format.c), even for a subclass that overrides __format__. */
Object *numdunder_format(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check(is_float(self) ? "float.__format__" : "int.__format__", nargs, kwnames, 1, 1) < 0)
        return NULL;
    if (!is_str(args[0]))
        return error_set(&exc_TypeError, "__format__() argument must be str, not %s",
                         TYPE_NAME(args[0]));
    return format_object_builtin(self, args[0]);
}

Object *numdunder_float_ceil(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    NO_ARGS("float.__ceil__");
    return int_from_double(ceil(float_value(self)));
}

Object *numdunder_float_floor(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    NO_ARGS("float.__floor__");
    return int_from_double(floor(float_value(self)));
}

Object *numdunder_float_trunc(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    NO_ARGS("float.__trunc__");
    return int_from_double(float_value(self));
}

Object *numdunder_float_round(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t nd;
    bool given;
    if (round_ndigits("float.__round__", args, nargs, kwnames, &nd, &given) < 0) return NULL;
    return float_round(float_value(self), nd, given);
}

/* The other operand as a double, or false when it is neither int nor
   float (the method then returns NotImplemented). -1: an int too large. */
static int other_double(Object *o, double *out) {
    if (is_float(o)) {
        *out = float_value(o);
        return 1;
    }
    if (!is_int(o)) return 0;
    return int_as_double(o, out) < 0 ? -1 : 1;
}

static Object *float_divmod_with(Object *self, Object *other, bool reflected) {
    double y;
    int r = other_double(other, &y);
    if (r <= 0) return r < 0 ? NULL : NEWREF(NotImplemented);
    double x = float_value(self);
    return reflected ? float_divmod(y, x) : float_divmod(x, y);
}

Object *numdunder_float_divmod(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (one_operand("__divmod__", nargs, kwnames) < 0) return NULL;
    return float_divmod_with(self, args[0], false);
}

Object *numdunder_float_rdivmod(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (one_operand("__rdivmod__", nargs, kwnames) < 0) return NULL;
    return float_divmod_with(self, args[0], true);
}

Object *numdunder_float_getnewargs(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    NO_ARGS("float.__getnewargs__");
    Object *v = float_from_double(float_value(self));
    if (!v) return NULL;
    Object *t = tuple_pack(1, v);
    DECREF(v);
    return t;
}

/* 1 << n as an int (n >= 0). */
static Object *power_of_two(int n) {
    Object *one = int_from_i64(1), *shift = int_from_i64(n);
    Object *r = one && shift ? object_binary_op(one, shift, BINOP_LSHIFT) : NULL;
    XDECREF(one);
    XDECREF(shift);
    return r;
}

/* x.as_integer_ratio(): the exact fraction, lowest terms, denominator > 0:
   the mantissa doubled until it is whole, over the matching power of two. */
Object *numdunder_float_as_integer_ratio(Object *self, Object *const *args, size_t nargs,
                                         Object *kwnames) {
    NO_ARGS("float.as_integer_ratio");
    double x = float_value(self);
    if (isinf(x)) return error_set(&exc_OverflowError, "cannot convert Infinity to integer ratio");
    if (isnan(x)) return error_set(&exc_ValueError, "cannot convert NaN to integer ratio");
    int e;
    double m = frexp(x, &e);
    while (m != floor(m)) {
        m *= 2.0;
        e--;
    }
    Object *num = int_from_double(m);
    Object *pow2 = num ? power_of_two(e < 0 ? -e : e) : NULL;
    Object *r = NULL;
    if (pow2 && e >= 0) {
        Object *big = object_binary_op(num, pow2, BINOP_MUL), *one = int_from_i64(1);
        r = big && one ? tuple_pack(2, big, one) : NULL;
        XDECREF(big);
        XDECREF(one);
    } else if (pow2) {
        r = tuple_pack(2, num, pow2);
    }
    XDECREF(num);
    XDECREF(pow2);
    return r;
}
