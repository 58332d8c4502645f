/* int.c - the int and bool types: 64-bit signed integers.
 *
 * Invariants:
 *   - An int's value never changes while anyone else can see it (the VM may
 *     reuse an int object that only it holds for a result: vm.c).
 *   - Every result is exact: an operation whose true result does not fit in
 *     int64 raises OverflowError("integer overflow") instead of wrapping
 *     (Toy's documented departure from Python's unbounded ints). The checks
 *     use the __builtin_*_overflow family, and the two quotient corner cases
 *     (INT64_MIN // -1, -INT64_MIN) are handled explicitly.
 *   - Values SMALL_INT_MIN..SMALL_INT_MAX are the static, immortal objects in
 *     small_ints[] (initialised at compile time, so no start-up call is
 *     needed); int_from_i64 never allocates for them.
 *   - True and False are the only bool objects. bool is a subclass of int: an
 *     int slot receiving a bool treats it as 0 or 1, and only &, |, ^ between
 *     two bools give a bool back.
 *   - A binary slot receives (a, b) with a or b an int. When the other operand
 *     is a float the float arithmetic in float.c answers; any other type gets
 *     NotImplemented so that its reflected slot can try.
 */
#include "objects/int.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* ---- The small-int cache and the two bools ------------------------------ */

/* The cache is filled by macro doubling: SMALL_N(k, v) expands to k entries
   holding v, v+1, ..., v+k-1. 1030 = 1024 + 4 + 2 entries: -5 .. 1024. */
#define SMALL_1(v) { STATIC_OBJECT_INIT(int_type), (v) }
#define SMALL_2(v) SMALL_1(v), SMALL_1((v) + 1)
#define SMALL_4(v) SMALL_2(v), SMALL_2((v) + 2)
#define SMALL_8(v) SMALL_4(v), SMALL_4((v) + 4)
#define SMALL_16(v) SMALL_8(v), SMALL_8((v) + 8)
#define SMALL_32(v) SMALL_16(v), SMALL_16((v) + 16)
#define SMALL_64(v) SMALL_32(v), SMALL_32((v) + 32)
#define SMALL_128(v) SMALL_64(v), SMALL_64((v) + 64)
#define SMALL_256(v) SMALL_128(v), SMALL_128((v) + 128)
#define SMALL_512(v) SMALL_256(v), SMALL_256((v) + 256)
#define SMALL_1024(v) SMALL_512(v), SMALL_512((v) + 512)

_Static_assert(SMALL_INT_MIN == -5 && SMALL_INT_MAX == 1024,
               "the small_ints initialiser below assumes -5..1024");

IntObject small_ints[SMALL_INT_MAX - SMALL_INT_MIN + 1] = {
    SMALL_1024(SMALL_INT_MIN), SMALL_4(SMALL_INT_MIN + 1024), SMALL_2(SMALL_INT_MIN + 1028)
};

IntObject true_object = { STATIC_OBJECT_INIT(bool_type), 1 };
IntObject false_object = { STATIC_OBJECT_INIT(bool_type), 0 };

/* ---- Construction and conversion ---- */

static Object *overflow(void) {
    return error_set(&exc_OverflowError, "integer overflow");
}

/* True for int, bool, and instances of user subclasses of int (whose layout
   starts with an IntObject). */
static inline bool int_check(Object *o) {
    return is_int(o) || type_is_subtype(TYPE(o), &int_type);
}

Object *int_from_i64(int64_t v) {
    if (v >= SMALL_INT_MIN && v <= SMALL_INT_MAX)
        return NEWREF(&small_ints[v - SMALL_INT_MIN]);
    IntObject *o = (IntObject *)object_alloc(&int_type, sizeof(IntObject));
    if (!o) return NULL;
    o->value = v;
    return (Object *)o;
}

Object *bool_from(bool b) {
    return NEWREF(b ? True_ : False_);
}

int int_as_i64(Object *o, int64_t *out) {
    if (int_check(o)) {
        *out = int_value(o);
        return 0;
    }
    if (TYPE(o)->index) {
        Object *r = TYPE(o)->index(o);
        if (!r) return -1;
        if (!int_check(r)) {
            error_set(&exc_TypeError, "__index__ returned non-int (type %s)", TYPE_NAME(r));
            DECREF(r);
            return -1;
        }
        *out = int_value(r);
        DECREF(r);
        return 0;
    }
    error_set(&exc_TypeError, "'%s' object cannot be interpreted as an integer", TYPE_NAME(o));
    return -1;
}

/* int(v) for a float: truncation toward zero, with CPython's errors.
   Doubles in [-2**63, 2**63) convert exactly; anything else overflows. */
Object *int_from_double(double v) {
    if (isinf(v))
        return error_set(&exc_OverflowError, "cannot convert float infinity to integer");
    if (isnan(v))
        return error_set(&exc_ValueError, "cannot convert float NaN to integer");
    double t = trunc(v);
    if (t < -9223372036854775808.0 || t >= 9223372036854775808.0) return overflow();
    return int_from_i64((int64_t)t);
}

int64_t int_hash_i64(int64_t v) {
    const uint64_t modulus = ((uint64_t)1 << 61) - 1;
    uint64_t magnitude = v < 0 ? -(uint64_t)v : (uint64_t)v;
    int64_t h = (int64_t)(magnitude % modulus);
    if (v < 0) h = -h;
    return h == -1 ? -2 : h;
}

/* ---- Parsing ---- */

static int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

/* A leading "0x"/"0o"/"0b" matching base (or choosing it when base is 0).
   Returns the number of prefix bytes to skip (0 or 2). */
static size_t base_prefix(const char *p, size_t n, int *base) {
    if (n < 2 || p[0] != '0') return 0;
    char c = (char)(p[1] | 0x20);
    int prefixed = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 0;
    if (prefixed == 0 || (*base != 0 && *base != prefixed)) return 0;
    *base = prefixed;
    return 2;
}

/* Parses digits with single underscores between them (and, after a base
   prefix, before the first one). 1 ok, 0 malformed, -1 overflow. The value
   is accumulated negatively so that INT64_MIN parses. */
static int parse_digits(const char *p, size_t n, int base, bool after_prefix, bool negative,
                        int64_t *out) {
    int64_t acc = 0;
    size_t ndigits = 0;
    bool underscore_ok = after_prefix; /* "0x_1f" is valid, "_1" and "1__0" are not */
    bool overflowed = false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '_') {
            if (!underscore_ok) return 0;
            underscore_ok = false;
            continue;
        }
        int d = digit_value(p[i]);
        if (d >= base) return 0;
        underscore_ok = true;
        ndigits++;
        if (__builtin_mul_overflow(acc, base, &acc) || __builtin_sub_overflow(acc, d, &acc))
            overflowed = true;
    }
    if (ndigits == 0 || p[n - 1] == '_') return 0;
    if (overflowed) return -1;
    if (!negative) {
        if (acc == INT64_MIN) return -1;
        acc = -acc;
    }
    *out = acc;
    return 1;
}

/* Parses the ASCII text [text, text+n) (str_parse_number's parser). */
static Object *int_parse(const char *text, size_t n, int base) {
    const char *p = text, *end = text + n;
    str_trim_number_spaces(&p, &end);
    bool negative = false;
    if (p < end && (*p == '+' || *p == '-')) negative = *p++ == '-';
    int b = base;
    size_t skip = base_prefix(p, (size_t)(end - p), &b);
    if (b == 0) {
        /* Base 0 without a prefix: decimal, and "0" may not lead other digits. */
        b = 10;
        if (end - p > 1 && p[0] == '0') {
            for (const char *q = p; q < end; q++)
                if (*q != '0' && *q != '_') return NULL;
        }
    }
    int64_t v;
    int rc = parse_digits(p + skip, (size_t)(end - p) - skip, b, skip > 0, negative, &v);
    if (rc == 0) return NULL;
    if (rc < 0) return overflow();
    return int_from_i64(v);
}

/* int(text, base) for the text of a str, or of bytes when bytes != NULL. */
static Object *int_from_text(const char *s, size_t len, Object *bytes, int base) {
    if (base != 0 && (base < 2 || base > 36))
        return error_set(&exc_ValueError, "int() base must be >= 2 and <= 36, or 0");
    return str_parse_number(s, len, bytes, int_parse, base,
                            "invalid literal for int() with base %d: ");
}

Object *int_from_string(const char *s, size_t len, int base) {
    return int_from_text(s, len, NULL, base);
}

/* ---- repr and hash ---- */

/* Decimal text of v into the end of buf[24]; returns the start. */
static char *format_i64(int64_t v, char *buf_end) {
    char *p = buf_end;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    return p;
}

static Object *int_repr(Object *self) {
    char buf[24];
    char *start = format_i64(int_value(self), buf + sizeof buf);
    return str_from_utf8(start, (size_t)(buf + sizeof buf - start));
}

STR_STATIC(true_text, "True");
STR_STATIC(false_text, "False");

static Object *bool_repr(Object *self) {
    return int_value(self) ? NEWREF(&true_text) : NEWREF(&false_text);
}

static int64_t int_hash(Object *self) {
    return int_hash_i64(int_value(self));
}

/* ---- Comparison ---- */

/* The answer to `op` for a three-way comparison result cmp. */
static Object *compare_result(int cmp, int op) {
    return bool_from(compare_i64(cmp, 0, (CompareOp)op));
}

static Object *int_richcompare(Object *a, Object *b, int op) {
    if (int_check(a) && int_check(b)) {
        int64_t x = int_value(a), y = int_value(b);
        return compare_result((x > y) - (x < y), op);
    }
    if (int_check(a) && is_float(b)) {
        int c = float_compare_int(float_value(b), int_value(a));
        if (c == 2) return bool_from(op == CMP_NE);
        return compare_result(-c, op);
    }
    if (is_float(a) && int_check(b)) {
        int c = float_compare_int(float_value(a), int_value(b));
        if (c == 2) return bool_from(op == CMP_NE);
        return compare_result(c, op);
    }
    return NEWREF(NotImplemented);
}

/* ---- Arithmetic ---- */

/* Correctly rounded x / y for int64 operands (y != 0). Small operands are
   exact doubles, so one division rounds correctly; larger ones use an integer
   quotient with 55 significant bits plus a sticky bit, which the conversion
   to double then rounds half-to-even exactly as a single rounding would. */
static double true_divide(int64_t x, int64_t y) {
    const int64_t exact = (int64_t)1 << 53;
    if (x >= -exact && x <= exact && y >= -exact && y <= exact) return (double)x / (double)y;
    bool negative = (x < 0) != (y < 0);
    uint64_t n = x < 0 ? -(uint64_t)x : (uint64_t)x;
    uint64_t d = y < 0 ? -(uint64_t)y : (uint64_t)y;
    if (n == 0) return negative ? -0.0 : 0.0;
    /* Choose a scale 2**shift so that q = n * 2**shift / d has 55 or 56
       bits (53 kept, a rounding bit, one for the sticky bit below); the
       loop trims a 56th. */
    int shift = 55 - (63 - __builtin_clzll(n)) + (63 - __builtin_clzll(d));
    unsigned __int128 num = n, den = d;
    if (shift >= 0) num <<= shift;
    else den <<= -shift;
    unsigned __int128 q = num / den, r = num % den;
    while (q >= ((unsigned __int128)1 << 55)) { /* the estimate may be one bit long */
        r |= q & 1;
        q >>= 1;
        shift--;
    }
    uint64_t bits = (uint64_t)q | (r != 0);
    double result = ldexp((double)bits, -shift);
    return negative ? -result : result;
}

static Object *int_truediv(int64_t x, int64_t y) {
    if (y == 0) return error_set(&exc_ZeroDivisionError, "division by zero");
    return float_from_double(true_divide(x, y));
}

/* Floor quotient and modulo with Python's signs (the remainder has the sign
   of the divisor). Callers have excluded y == 0. */
static bool floor_divmod(int64_t x, int64_t y, int64_t *q, int64_t *r) {
    if (y == -1) { /* x % -1 is 0; x // -1 overflows only for INT64_MIN */
        *r = 0;
        return !__builtin_sub_overflow((int64_t)0, x, q);
    }
    int64_t quot = x / y, rem = x % y;
    if (rem != 0 && ((rem < 0) != (y < 0))) {
        quot--;
        rem += y;
    }
    *q = quot;
    *r = rem;
    return true;
}

static Object *int_floordiv(int64_t x, int64_t y) {
    if (y == 0) return error_set(&exc_ZeroDivisionError, "integer division or modulo by zero");
    int64_t q, r;
    if (!floor_divmod(x, y, &q, &r)) return overflow();
    return int_from_i64(q);
}

static Object *int_mod(int64_t x, int64_t y) {
    if (y == 0) return error_set(&exc_ZeroDivisionError, "integer modulo by zero");
    int64_t q, r;
    floor_divmod(x, y, &q, &r);
    return int_from_i64(r);
}

/* divmod(x, y) for ints: a (quotient, remainder) tuple. */
Object *int_divmod(int64_t x, int64_t y) {
    if (y == 0) return error_set(&exc_ZeroDivisionError, "integer division or modulo by zero");
    int64_t q, r;
    if (!floor_divmod(x, y, &q, &r)) return overflow();
    Object *qo = int_from_i64(q), *ro = qo ? int_from_i64(r) : NULL;
    Object *t = ro ? tuple_pack(2, qo, ro) : NULL;
    XDECREF(qo);
    XDECREF(ro);
    return t;
}

static Object *int_pow(int64_t base, int64_t exp) {
    if (exp < 0) {
        /* Python computes int ** negative int in floating point. */
        if (base == 0)
            return error_set(&exc_ZeroDivisionError, "0.0 cannot be raised to a negative power");
        return float_from_double(pow((double)base, (double)exp));
    }
    int64_t result = 1;
    while (exp > 0) {
        if ((exp & 1) && __builtin_mul_overflow(result, base, &result)) return overflow();
        exp >>= 1;
        if (exp > 0 && __builtin_mul_overflow(base, base, &base)) return overflow();
    }
    return int_from_i64(result);
}

/* (a * b) mod m for 0 <= a, b < m. */
static int64_t mulmod(int64_t a, int64_t b, int64_t m) {
    return (int64_t)((__int128)a * b % m);
}

/* Inverse of a modulo m (m > 0), or -1 when gcd(a, m) != 1. */
static int64_t modular_inverse(int64_t a, int64_t m) {
    __int128 r0 = m, r1 = a, s0 = 0, s1 = 1;
    while (r1 != 0) {
        __int128 q = r0 / r1, t;
        t = r0 - q * r1; r0 = r1; r1 = t;
        t = s0 - q * s1; s0 = s1; s1 = t;
    }
    if (r0 != 1) return m == 1 ? 0 : -1;
    __int128 inv = s0 % m;
    if (inv < 0) inv += m;
    return (int64_t)inv;
}

Object *int_pow_mod(int64_t base, int64_t exp, int64_t mod) {
    if (mod == 0) return error_set(&exc_ValueError, "pow() 3rd argument cannot be 0");
    if (mod == INT64_MIN) return overflow();
    int64_t m = mod < 0 ? -mod : mod;
    int64_t b = (int64_t)(((__int128)base % m + m) % m);
    uint64_t e = (uint64_t)exp;
    if (exp < 0) {
        b = modular_inverse(b, m);
        if (b < 0)
            return error_set(&exc_ValueError, "base is not invertible for the given modulus");
        e = -(uint64_t)exp;
    }
    int64_t result = 1 % m;
    while (e > 0) {
        if (e & 1) result = mulmod(result, b, m);
        b = mulmod(b, b, m);
        e >>= 1;
    }
    /* The result takes the sign of the modulus, as % does. */
    if (mod < 0 && result != 0) result -= m;
    return int_from_i64(result);
}

static Object *int_lshift(int64_t x, int64_t n) {
    if (n < 0) return error_set(&exc_ValueError, "negative shift count");
    if (x == 0) return int_from_i64(0);
    if (n >= 64) return overflow();
    int64_t shifted = (int64_t)((uint64_t)x << n);
    if ((shifted >> n) != x) return overflow();
    return int_from_i64(shifted);
}

static Object *int_rshift(int64_t x, int64_t n) {
    if (n < 0) return error_set(&exc_ValueError, "negative shift count");
    if (n >= 63) return int_from_i64(x < 0 ? -1 : 0);
    /* >> of a negative value is arithmetic on every compiler Toy supports;
       spell floor division by 2**n out to stay portable anyway. */
    int64_t q = x >= 0 ? x >> n : -(int64_t)(((uint64_t)(-(x + 1)) >> n)) - 1;
    return int_from_i64(q);
}

/* One arithmetic operator on two int values. */
static Object *int_arith(int64_t x, int64_t y, BinaryOp op) {
    int64_t r;
    switch (op) {
    case BINOP_ADD:
        if (__builtin_add_overflow(x, y, &r)) return overflow();
        return int_from_i64(r);
    case BINOP_SUB:
        if (__builtin_sub_overflow(x, y, &r)) return overflow();
        return int_from_i64(r);
    case BINOP_MUL:
        if (__builtin_mul_overflow(x, y, &r)) return overflow();
        return int_from_i64(r);
    case BINOP_TRUEDIV: return int_truediv(x, y);
    case BINOP_FLOORDIV: return int_floordiv(x, y);
    case BINOP_MOD: return int_mod(x, y);
    case BINOP_POW: return int_pow(x, y);
    case BINOP_LSHIFT: return int_lshift(x, y);
    case BINOP_RSHIFT: return int_rshift(x, y);
    case BINOP_AND: return int_from_i64(x & y);
    case BINOP_OR: return int_from_i64(x | y);
    case BINOP_XOR: return int_from_i64(x ^ y);
    default: return NEWREF(NotImplemented);
    }
}

/* The common body of every binary slot: int OP int here, int OP float in
   float.c, anything else NotImplemented. */
static Object *int_binary(Object *a, Object *b, BinaryOp op) {
    if (int_check(a) && int_check(b)) {
        if (op <= BINOP_POW || op == BINOP_LSHIFT || op == BINOP_RSHIFT ||
            !is_type(a, &bool_type) || !is_type(b, &bool_type))
            return int_arith(int_value(a), int_value(b), op);
        /* bool & | ^ bool stays a bool. */
        int64_t x = int_value(a), y = int_value(b);
        int64_t r = op == BINOP_AND ? (x & y) : op == BINOP_OR ? (x | y) : (x ^ y);
        return bool_from(r != 0);
    }
    if ((is_float(a) && int_check(b)) || (int_check(a) && is_float(b))) {
        if (op >= BINOP_LSHIFT) return NEWREF(NotImplemented);
        return float_binop(a, b, op);
    }
    return NEWREF(NotImplemented);
}

#define INT_BINARY_SLOT(name, op) \
    static Object *name(Object *a, Object *b) { return int_binary(a, b, op); }
INT_BINARY_SLOT(int_add_slot, BINOP_ADD)
INT_BINARY_SLOT(int_sub_slot, BINOP_SUB)
INT_BINARY_SLOT(int_mul_slot, BINOP_MUL)
INT_BINARY_SLOT(int_truediv_slot, BINOP_TRUEDIV)
INT_BINARY_SLOT(int_floordiv_slot, BINOP_FLOORDIV)
INT_BINARY_SLOT(int_mod_slot, BINOP_MOD)
INT_BINARY_SLOT(int_pow_slot, BINOP_POW)
INT_BINARY_SLOT(int_lshift_slot, BINOP_LSHIFT)
INT_BINARY_SLOT(int_rshift_slot, BINOP_RSHIFT)
INT_BINARY_SLOT(int_and_slot, BINOP_AND)
INT_BINARY_SLOT(int_or_slot, BINOP_OR)
INT_BINARY_SLOT(int_xor_slot, BINOP_XOR)

/* The VM's slow paths: like the slot, but an operand the slot declines goes
   through the generic protocol (reflected slot, then TypeError), so the
   caller never sees NotImplemented. */
static Object *int_binary_or_generic(Object *a, Object *b, BinaryOp op) {
    Object *r = int_binary(a, b, op);
    if (r != NotImplemented) return r;
    DECREF(r);
    return object_binary_op(a, b, op);
}

Object *int_add(Object *a, Object *b) { return int_binary_or_generic(a, b, BINOP_ADD); }
Object *int_sub(Object *a, Object *b) { return int_binary_or_generic(a, b, BINOP_SUB); }
Object *int_mul(Object *a, Object *b) { return int_binary_or_generic(a, b, BINOP_MUL); }

/* ---- Unary operations and conversions ---- */

static Object *int_neg(Object *self) {
    int64_t r;
    if (__builtin_sub_overflow((int64_t)0, int_value(self), &r)) return overflow();
    return int_from_i64(r);
}

static Object *int_pos(Object *self) {
    if (is_type(self, &int_type)) return NEWREF(self);
    return int_from_i64(int_value(self)); /* +True is the int 1 */
}

static Object *int_invert(Object *self) {
    return int_from_i64(~int_value(self));
}

static Object *int_abs(Object *self) {
    int64_t v = int_value(self);
    if (v >= 0) return int_pos(self);
    return int_neg(self);
}

static int int_truth(Object *self) {
    return int_value(self) != 0;
}

static Object *int_to_float(Object *self) {
    return float_from_double((double)int_value(self));
}

Object *int_round(int64_t v, int64_t ndigits) {
    if (ndigits >= 0) return int_from_i64(v);
    if (ndigits < -19) return int_from_i64(0);
    if (ndigits == -19) { /* 10**19 is out of range: v rounds to 0 or overflows */
        const int64_t half = INT64_C(5000000000000000000);
        if (v > half || v < -half) return overflow();
        return int_from_i64(0);
    }
    int64_t unit = 1;
    for (int64_t i = 0; i < -ndigits; i++) unit *= 10;
    int64_t q, r;
    floor_divmod(v, unit, &q, &r);
    /* Round half to even: r is in [0, unit). */
    if (r > unit - r || (r == unit - r && (q & 1))) q++;
    int64_t result;
    if (__builtin_mul_overflow(q, unit, &result)) return overflow();
    return int_from_i64(result);
}

/* ---- Methods ---- */

static Object *int_bit_length(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("int.bit_length", nargs, kwnames, 0, 0) < 0) return NULL;
    int64_t v = int_value(self);
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    return int_from_i64(u == 0 ? 0 : 64 - __builtin_clzll(u));
}

static Object *int_bit_count(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("int.bit_count", nargs, kwnames, 0, 0) < 0) return NULL;
    int64_t v = int_value(self);
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    return int_from_i64(__builtin_popcountll(u));
}

/* conjugate() of a real number is the number itself, as an int */
static Object *int_conjugate(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("int.conjugate", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64(int_value(self));
}

static Object *int_as_integer_ratio(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)args;
    if (args_check("int.as_integer_ratio", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *n = int_from_i64(int_value(self));
    if (!n) return NULL;
    Object *r = tuple_pack(2, n, int_small(1));
    DECREF(n);
    return r;
}

static const MethodDef int_methods[] = {
    { "bit_length", int_bit_length, "Number of bits necessary to represent self in binary." },
    { "bit_count", int_bit_count, "Number of ones in the binary representation of abs(self)." },
    { "conjugate", int_conjugate, "Returns self, the complex conjugate of any int." },
    { "as_integer_ratio", int_as_integer_ratio, "Return a pair of integers, (self, 1)." },
    { NULL, NULL, NULL },
};

/* The number-tower attributes: real and numerator are the value (an int
   even for a bool), imag is 0, denominator 1. */
static Object *int_getattr(Object *self, Object *name) {
    const char *s = str_data(name);
    if (strcmp(s, "real") == 0 || strcmp(s, "numerator") == 0)
        return int_from_i64(int_value(self));
    if (strcmp(s, "imag") == 0) return int_from_i64(0);
    if (strcmp(s, "denominator") == 0) return int_from_i64(1);
    return object_generic_getattr(self, name);
}

/* ---- Construction: int(...) and bool(...) ---- */

/* The result of __int__ / __index__ / a to_int slot must be an int. */
static Object *check_int_result(Object *r, const char *method) {
    if (!r || int_check(r)) return r;
    error_set(&exc_TypeError, "%s returned non-int (type %s)", method, TYPE_NAME(r));
    DECREF(r);
    return NULL;
}

/* int(b) for bytes b: parsed as the same text would be; a bad literal is
   reported with the bytes' repr ("invalid literal ...: b'x'"). */
static Object *int_from_bytes_text(Object *b, int base) {
    return int_from_text(bytes_data(b), bytes_size(b), b, base);
}

/* int(x) with one argument and no base. */
static Object *int_from_object(Object *x) {
    if (is_type(x, &int_type)) return NEWREF(x);
    if (int_check(x)) return int_from_i64(int_value(x));
    if (is_float(x)) return int_from_double(float_value(x));
    if (is_str(x)) return int_from_string(str_data(x), str_len(x), 10);
    if (is_bytes(x)) return int_from_bytes_text(x, 10);
    if (TYPE(x)->to_int) return check_int_result(TYPE(x)->to_int(x), "__int__");
    if (type_lookup_cstr(TYPE(x), "__int__"))
        return check_int_result(object_call_method(x, "__int__", NULL, 0), "__int__");
    if (TYPE(x)->index) return check_int_result(TYPE(x)->index(x), "__index__");
    if (type_lookup_cstr(TYPE(x), "__index__"))
        return check_int_result(object_call_method(x, "__index__", NULL, 0), "__index__");
    return error_set(&exc_TypeError, "int() argument must be a string, a bytes-like object "
                     "or a real number, not '%s'", TYPE_NAME(x));
}

/* int(x, base): x must be a str. */
static Object *int_from_object_base(Object *x, Object *base_obj) {
    int64_t base;
    if (int_as_i64(base_obj, &base) < 0) return NULL;
    if (base != 0 && (base < 2 || base > 36))
        return error_set(&exc_ValueError, "int() base must be >= 2 and <= 36, or 0");
    if (is_bytes(x)) return int_from_bytes_text(x, (int)base);
    if (!is_str(x))
        return error_set(&exc_TypeError, "int() can't convert non-string with explicit base");
    return int_from_string(str_data(x), str_len(x), (int)base);
}

/* int(), int(x), int(x, base), int(x, base=b). */
static Object *int_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    Object *x = nargs > 0 ? args[0] : NULL, *base = nargs > 1 ? args[1] : NULL;
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    if (nargs + nkw > 2)
        return error_set(&exc_TypeError, "int() takes at most 2 arguments (%zu given)",
                         nargs + nkw);
    for (size_t i = 0; i < nkw; i++) {
        Object *name = tuple_item(kwnames, i);
        if (strcmp(str_data(name), "base") != 0 || base)
            return error_set(&exc_TypeError, "'%s' is an invalid keyword argument for int()",
                             str_data(name));
        base = args[nargs + i];
    }
    Object *value;
    if (!x)
        value = base ? error_set(&exc_TypeError, "int() missing string argument") : int_from_i64(0);
    else if (base)
        value = int_from_object_base(x, base);
    else
        value = int_from_object(x);
    if (!value || type == &int_type) return value;
    /* A user subclass of int: an instance of it holding the value. */
    IntObject *o = (IntObject *)object_alloc(type, type->instance_size);
    if (o) o->value = int_value(value);
    DECREF(value);
    return (Object *)o;
}

static Object *bool_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    if (args_check("bool", nargs, kwnames, 0, 1) < 0) return NULL;
    if (nargs == 0) return bool_from(false);
    int t = object_truth(args[0]);
    if (t < 0) return NULL;
    return bool_from(t);
}

static void int_dealloc(Object *self) {
    object_free(self, TYPE(self)->instance_size);
}

/* ---- The types ---- */

#define INT_BINARY_SLOTS                                                     \
    {                                                                        \
        [BINOP_ADD] = int_add_slot, [BINOP_SUB] = int_sub_slot,              \
        [BINOP_MUL] = int_mul_slot, [BINOP_TRUEDIV] = int_truediv_slot,      \
        [BINOP_FLOORDIV] = int_floordiv_slot, [BINOP_MOD] = int_mod_slot,    \
        [BINOP_POW] = int_pow_slot, [BINOP_LSHIFT] = int_lshift_slot,        \
        [BINOP_RSHIFT] = int_rshift_slot, [BINOP_AND] = int_and_slot,        \
        [BINOP_OR] = int_or_slot, [BINOP_XOR] = int_xor_slot,                \
    }

Type int_type = {
    TYPE_HEAD_INIT,
    .name = "int",
    .base_type = &object_type,
    .instance_size = sizeof(IntObject),
    .flags = TYPE_BASETYPE,
    .methods = int_methods,
    .dealloc = int_dealloc,
    .getattr = int_getattr,
    .repr = int_repr,
    .hash = int_hash,
    .richcompare = int_richcompare,
    .construct = int_construct,
    .truth = int_truth,
    .neg = int_neg,
    .pos = int_pos,
    .invert = int_invert,
    .absolute = int_abs,
    .to_int = int_pos,
    .to_float = int_to_float,
    .index = int_pos,
    .binary = INT_BINARY_SLOTS,
};

/* bool repeats int's slots (rather than relying on inheritance) so that it
   works even before type_ready; only repr, construct and flags differ. */
Type bool_type = {
    TYPE_HEAD_INIT,
    .name = "bool",
    .base_type = &int_type,
    .instance_size = sizeof(IntObject),
    .flags = 0, /* bool cannot be subclassed */
    .dealloc = int_dealloc,
    .getattr = int_getattr,
    .repr = bool_repr,
    .hash = int_hash,
    .richcompare = int_richcompare,
    .construct = bool_construct,
    .truth = int_truth,
    .neg = int_neg,
    .pos = int_pos,
    .invert = int_invert,
    .absolute = int_abs,
    .to_int = int_pos,
    .to_float = int_to_float,
    .index = int_pos,
    .binary = INT_BINARY_SLOTS,
};
