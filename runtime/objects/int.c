/* int.c - the int and bool types: integers of any size.
 *
 * Invariants:
 *   - An int's value never changes while anyone else can see it (the VM may
 *     reuse a small int object that only it holds for a result: vm.c).
 *   - Two representations (int.h): small (int64 in `value`) and big
 *     (digits, bigint.c). Operations on two small ints work in int64 and
 *     detect overflow with the __builtin_*_overflow family; an overflowing
 *     result (and any operation with a big operand) is computed on BigInts
 *     and normalised by int_from_big, which returns a small int whenever the
 *     value belongs in one: every value that fits in int64 (bigint_to_i64).
 *     So a value has exactly one representation.
 *   - An exact small int's block is INT_SMALL_SIZE bytes (in toy-ft without
 *     the digits field: int.h); an exact big int's is sizeof(IntObject); a
 *     subclass instance's is its type's instance_size (int_block_size).
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
#include "objects/numdunder.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "objects/abstract.h"
#include "objects/bigint.h"
#include "objects/buffer.h"
#include "objects/bytearray.h"
#include "objects/bytes.h"
#include "objects/descr.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/dict.h"
#include "objects/float.h"
#include "objects/function.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* ---- The small-int cache and the two bools ------------------------------ */

/* The cache is filled by macro doubling: SMALL_N(k, v) expands to k entries
   holding v, v+1, ..., v+k-1. 1030 = 1024 + 4 + 2 entries: -5 .. 1024. */
#define SMALL_1(v) { STATIC_OBJECT_INIT(int_type), { (v) }, NULL }
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

IntObject true_object = { STATIC_OBJECT_INIT(bool_type), { 1 }, NULL };
IntObject false_object = { STATIC_OBJECT_INIT(bool_type), { 0 }, NULL };

/* CPython 3.11's default limit on decimal digits for str <-> int. */
int64_t int_max_str_digits = 4300;

/* ---- Construction and conversion ---- */

_Thread_local IntFreeList int_free_list;

static Object *int_from_big(BigInt *r);

/* int_new_small without a free int at hand: a new block from the
   allocator. */
Object *int_alloc_small(int64_t v) {
    IntObject *o = (IntObject *)object_alloc(&int_type, INT_SMALL_SIZE);
    if (!o) return NULL;
    int_set_small(o, v);
    return (Object *)o;
}

Object *int_from_i64(int64_t v) {
    if (v >= SMALL_INT_MIN && v <= SMALL_INT_MAX)
        return NEWREF_IMMORTAL(&small_ints[v - SMALL_INT_MIN]);
    return int_new_small(v);
}

void int_thread_release(void) {
    IntFreeList *fl = &int_free_list;
    while (fl->head != NULL) {
        IntObject *o = fl->head;
        fl->head = o->next_free;
        mem_free(o, INT_SMALL_SIZE);
    }
    fl->count = 0;
}

/* ---- The big representation ---- */

/* A BigInt view of any int object (small ones through buf): borrowed. */
static void int_view(Object *o, BigInt *v, uint32_t buf[2]) {
    IntObject *i = (IntObject *)o;
    if (int_is_small(o)) {
        bigint_view_i64(v, i->value, buf);
        return;
    }
    v->d = i->digits + 1;
    v->len = i->digits[0];
    v->cap = 0;
    v->neg = i->value < 0;
}

/* Fill o (already allocated with its type, full size) with r's value,
   taking r's digits. Returns o, or NULL after releasing it on MemoryError. */
static Object *int_fill(IntObject *o, BigInt *r) {
    int64_t v;
    if (bigint_to_i64(r, &v)) {
        int_set_small(o, v);
        bigint_free(r);
        return (Object *)o;
    }
    /* A block of exactly count + digits, so dealloc knows its size: the
       result's own block, adopted. */
    o->value = r->neg ? INT64_MIN : INT64_MAX;
    uint32_t *d = bigint_release(r);
    if (!d) {
        object_free((Object *)o, int_block_size((Object *)o));
        return NULL;
    }
    o->digits = d;
#if INT_BIG_BY_MARK
    refcount_set_type_mark(&o->base);
#endif
    return (Object *)o;
}

/* A new int holding r's value (normalised); r's digits are taken (or
   freed) either way. */
static Object *int_from_big(BigInt *r) {
    int64_t v;
    if (bigint_to_i64(r, &v)) {
        bigint_free(r);
        return int_from_i64(v);
    }
    IntObject *o = (IntObject *)object_alloc(&int_type, sizeof(IntObject));
    if (!o) {
        bigint_free(r);
        return NULL;
    }
    return int_fill(o, r);
}

/* int_from_big for the result of an operation that returned rc. */
static Object *big_result(int rc, BigInt *r) {
    if (rc < 0) return NULL;
    return int_from_big(r);
}

bool int_equal(Object *a, Object *b) {
    IntObject *x = (IntObject *)a, *y = (IntObject *)b;
    if (x->value != y->value) return false; /* for big ints: the sign */
    if (int_is_small(a)) return int_is_small(b);
    if (int_is_small(b)) return false;
    if (x->digits[0] != y->digits[0]) return false;
    return memcmp(x->digits + 1, y->digits + 1, x->digits[0] * sizeof(uint32_t)) == 0;
}

Object *int_count_too_big(void) {
    return error_set(&exc_OverflowError, "cannot fit 'int' into an index-sized integer");
}

Object *int_index_too_big(void) {
    return error_set(&exc_IndexError, "cannot fit 'int' into an index-sized integer");
}

static Object *too_big_for_float(void) {
    return error_set(&exc_OverflowError, "int too large to convert to float");
}

int int_as_double(Object *o, double *out) {
    if (int_is_small(o)) {
        *out = (double)int_value(o);
        return 0;
    }
    BigInt v;
    uint32_t buf[2];
    int_view(o, &v, buf);
    if (bigint_to_double(&v, out)) return 0;
    too_big_for_float();
    return -1;
}

int int_compare_double(double d, Object *i) {
    if (int_is_small(i)) return float_compare_int(d, int_value(i));
    if (isnan(d)) return 2;
    if (isinf(d)) return d > 0 ? 1 : -1;
    /* Compare floor(d), an integer, exactly; equal floors leave the
       fraction to decide. */
    double f = floor(d);
    BigInt fv = BIGINT_EMPTY, iv;
    uint32_t buf[2];
    if (bigint_from_double(f, &fv) < 0) {
        error_clear(); /* cannot happen for a double-sized value in practice */
        return d > 0 ? 1 : -1;
    }
    int_view(i, &iv, buf);
    int c = bigint_cmp(&fv, &iv);
    bigint_free(&fv);
    if (c != 0) return c;
    return d > f ? 1 : 0;
}

Object *bool_from(bool b) {
    return NEWREF_IMMORTAL(b ? True_ : False_);
}

static int too_big_for_ssize(void) {
    error_set(&exc_OverflowError, "Python int too large to convert to C ssize_t");
    return -1;
}

int int_as_i64(Object *o, int64_t *out) {
    if (is_int(o)) {
        if (!int_fits_i64(o)) return too_big_for_ssize();
        *out = int_value(o);
        return 0;
    }
    if (TYPE(o)->index) {
        Object *r = TYPE(o)->index(o);
        if (!r) return -1;
        if (!is_int(r)) {
            error_set(&exc_TypeError, "__index__ returned non-int (type %s)", TYPE_NAME(r));
            DECREF(r);
            return -1;
        }
        int rc = int_fits_i64(r) ? 0 : too_big_for_ssize();
        *out = int_value(r);
        DECREF(r);
        return rc;
    }
    error_set(&exc_TypeError, "'%s' object cannot be interpreted as an integer", TYPE_NAME(o));
    return -1;
}

IntRange64 int_range64(Object *o, int64_t *out, uint64_t *uout) {
    IntObject *i = (IntObject *)o;
    if (int_fits_i64(o)) {
        *out = i->value;
        return INT_FITS_I64;
    }
    if (i->value < 0) return INT_BELOW_I64;
    /* big and positive: above INT64_MAX; at most two digits fit in 64 bits */
    if (i->digits[0] > 2) return INT_ABOVE_U64;
    *uout = (uint64_t)i->digits[1] | ((uint64_t)i->digits[2] << 32);
    return INT_FITS_U64;
}

/* int(v) for a float: truncation toward zero, with CPython's errors.
   Doubles in [-2**63, 2**63) convert directly; larger ones become big. */
Object *int_from_double(double v) {
    if (isinf(v))
        return error_set(&exc_OverflowError, "cannot convert float infinity to integer");
    if (isnan(v))
        return error_set(&exc_ValueError, "cannot convert float NaN to integer");
    double t = trunc(v);
    if (t < -9223372036854775808.0 || t >= 9223372036854775808.0) {
        BigInt r = BIGINT_EMPTY;
        return big_result(bigint_from_double(t, &r), &r);
    }
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

static Object *str_digits_limit(size_t ndigits) {
    return error_set(&exc_ValueError, "Exceeds the limit (%lld digits) for integer string "
                     "conversion: value has %zu digits; use sys.set_int_max_str_digits() to "
                     "increase the limit", (long long)int_max_str_digits, ndigits);
}

/* The value of well-formed digits (checked by parse_digits) too large for
   int64. Bases that are not powers of two obey the str-digit limit, which
   keeps the quadratic conversion from being a denial of service. */
static Object *parse_big(const char *p, size_t n, int base, bool negative) {
    unsigned char *values = mem_alloc(n ? n : 1);
    if (!values) return error_no_memory();
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] != '_') values[count++] = (unsigned char)digit_value(p[i]);
    if ((base & (base - 1)) != 0 && int_max_str_digits > 0 &&
        count > (size_t)int_max_str_digits) {
        mem_free(values, n ? n : 1);
        return str_digits_limit(count);
    }
    BigInt r = BIGINT_EMPTY;
    int rc = bigint_from_digit_values(values, count, base, negative, &r);
    mem_free(values, n ? n : 1);
    return big_result(rc, &r);
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
    if (rc < 0) return parse_big(p + skip, (size_t)(end - p) - skip, b, negative);
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

char *int_to_text(Object *self, int base, size_t *len, bool *negative) {
    BigInt v;
    uint32_t buf[2];
    int_view(self, &v, buf);
    *negative = v.neg;
    char *text = bigint_to_text(&v, base, len);
    if (text && base == 10 && int_max_str_digits > 0 && *len > (size_t)int_max_str_digits) {
        mem_free(text, *len + 1);
        error_set(&exc_ValueError, "Exceeds the limit (%lld digits) for integer string "
                  "conversion; use sys.set_int_max_str_digits() to increase the limit",
                  (long long)int_max_str_digits);
        return NULL;
    }
    return text;
}

/* How many decimal digits u has (1 for 0). */
static size_t decimal_width(uint64_t u) {
    size_t n = 1;
    for (; u >= 10000; u /= 10000) n += 4;
    return n + (u >= 10) + (u >= 100) + (u >= 1000);
}

/* "00", "01", ... "99": the decimal text of every two-digit pair. */
static const char digit_pairs[201] =
    "0001020304050607080910111213141516171819"
    "2021222324252627282930313233343536373839"
    "4041424344454647484950515253545556575859"
    "6061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* The text of a small int, its digits written straight into a new ASCII str:
   no buffer, no scan. The digits 0..9 are the static one-character strings. */
static Object *small_int_text(int64_t v) {
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    if (v >= 0 && u < 10) {
        char c = (char)('0' + u);
        return str_from_ascii(&c, 1);
    }
    size_t n = decimal_width(u) + (v < 0);
    Object *s = str_new_ascii(n);
    if (!s) return NULL;
    char *p = ((StrObject *)s)->data + n;
    for (; u >= 100; u /= 100) { /* two digits a division */
        p -= 2;
        memcpy(p, digit_pairs + 2 * (u % 100), 2);
    }
    if (u >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * u, 2);
    } else {
        *--p = (char)('0' + u);
    }
    if (v < 0) *--p = '-';
    return s;
}

Object *int_repr(Object *self) {
    if (int_is_small(self)) return small_int_text(int_value(self));
    size_t len;
    bool negative;
    char *text = int_to_text(self, 10, &len, &negative);
    if (!text) return NULL;
    Object *digits = str_from_ascii(text, len);
    mem_free(text, len + 1);
    if (!digits || !negative) return digits;
    Object *r = str_from_format("-%s", str_data(digits));
    DECREF(digits);
    return r;
}

STR_STATIC(true_text, "True");
STR_STATIC(false_text, "False");

static Object *bool_repr(Object *self) {
    return int_value(self) ? NEWREF(&true_text) : NEWREF(&false_text);
}

static int64_t int_hash(Object *self) {
    if (int_is_small(self)) return int_hash_i64(int_value(self));
    BigInt v;
    uint32_t buf[2];
    int_view(self, &v, buf);
    return bigint_hash(&v);
}

/* ---- Comparison ---- */

/* The answer to `op` for a three-way comparison result cmp. */
static Object *compare_result(int cmp, int op) {
    return bool_from(compare_i64(cmp, 0, (CompareOp)op));
}

static int int_compare3(Object *a, Object *b) {
    if (int_is_small(a) && int_is_small(b)) {
        int64_t x = int_value(a), y = int_value(b);
        return (x > y) - (x < y);
    }
    BigInt x, y;
    uint32_t bx[2], by[2];
    int_view(a, &x, bx);
    int_view(b, &y, by);
    return bigint_cmp(&x, &y);
}

static Object *int_richcompare(Object *a, Object *b, int op) {
    if (is_int(a) && is_int(b)) return compare_result(int_compare3(a, b), op);
    if (is_int(a) && is_float_exact(b)) { /* a float subclass: see int_binary */
        int c = int_compare_double(float_value(b), a);
        if (c == 2) return bool_from(op == CMP_NE);
        return compare_result(-c, op);
    }
    if (is_float(a) && is_int(b)) {
        int c = int_compare_double(float_value(a), b);
        if (c == 2) return bool_from(op == CMP_NE);
        return compare_result(c, op);
    }
    return NEWREF(NotImplemented);
}

/* ---- Arithmetic on big values ---- */

static Object *zero_division(BinaryOp op) {
    if (op == BINOP_TRUEDIV) return error_set(&exc_ZeroDivisionError, "division by zero");
    if (op == BINOP_MOD) return error_set(&exc_ZeroDivisionError, "integer modulo by zero");
    return error_set(&exc_ZeroDivisionError, "integer division or modulo by zero");
}

static Object *too_many_digits(void) {
    return error_set(&exc_OverflowError, "too many digits in integer");
}

/* int ** negative int: Python computes it in floating point. */
static Object *big_pow_negative(const BigInt *a, const BigInt *b) {
    if (a->len == 0)
        return error_set(&exc_ZeroDivisionError, "0.0 cannot be raised to a negative power");
    double x, y;
    if (!bigint_to_double(a, &x) || !bigint_to_double(b, &y)) return too_big_for_float();
    return float_from_double(pow(x, y));
}

static Object *big_pow(const BigInt *a, const BigInt *b) {
    if (b->neg) return big_pow_negative(a, b);
    int64_t e;
    BigInt r = BIGINT_EMPTY;
    if (!bigint_to_i64(b, &e)) { /* only 0, 1 and -1 survive a huge exponent */
        if (a->len == 0 || (a->len == 1 && a->d[0] == 1)) {
            bool odd = b->d[0] & 1;
            if (bigint_copy(a, &r) < 0) return NULL;
            r.neg = a->neg && odd;
            return int_from_big(&r);
        }
        return error_no_memory();
    }
    /* A result over 2**36 bits (8 GiB) cannot be built: fail early. */
    if (a->len > 1 || (a->len == 1 && a->d[0] > 1)) {
        if ((double)bigint_bit_length(a) * (double)e > 68719476736.0) return error_no_memory();
    }
    return big_result(bigint_pow(a, (uint64_t)e, &r), &r);
}

static Object *big_shift(const BigInt *a, const BigInt *b, BinaryOp op) {
    if (b->neg) return error_set(&exc_ValueError, "negative shift count");
    BigInt r = BIGINT_EMPTY;
    int64_t n;
    bool huge = !bigint_to_i64(b, &n) || n > ((int64_t)1 << 36);
    if (op == BINOP_LSHIFT) {
        if (a->len == 0) return int_from_i64(0);
        if (huge) return too_many_digits();
        return big_result(bigint_lshift(a, (uint64_t)n, &r), &r);
    }
    if (huge) return int_from_i64(a->neg ? -1 : 0);
    return big_result(bigint_rshift(a, (uint64_t)n, &r), &r);
}

/* One operator on two ints as BigInts: the general (slow) path. */
static Object *big_arith(const BigInt *a, const BigInt *b, BinaryOp op) {
    BigInt r = BIGINT_EMPTY;
    switch (op) {
    case BINOP_ADD: return big_result(bigint_add(a, b, &r), &r);
    case BINOP_SUB: return big_result(bigint_sub(a, b, &r), &r);
    case BINOP_MUL: return big_result(bigint_mul(a, b, &r), &r);
    case BINOP_TRUEDIV: {
        if (b->len == 0) return zero_division(op);
        double q;
        int rc = bigint_true_divide(a, b, &q);
        if (rc < 0) return NULL;
        if (rc > 0)
            return error_set(&exc_OverflowError, "integer division result too large for a float");
        return float_from_double(q);
    }
    case BINOP_FLOORDIV:
        if (b->len == 0) return zero_division(op);
        return big_result(bigint_divmod(a, b, &r, NULL), &r);
    case BINOP_MOD:
        if (b->len == 0) return zero_division(op);
        return big_result(bigint_divmod(a, b, NULL, &r), &r);
    case BINOP_POW: return big_pow(a, b);
    case BINOP_LSHIFT:
    case BINOP_RSHIFT: return big_shift(a, b, op);
    case BINOP_AND: return big_result(bigint_bitop(a, b, '&', &r), &r);
    case BINOP_OR: return big_result(bigint_bitop(a, b, '|', &r), &r);
    case BINOP_XOR: return big_result(bigint_bitop(a, b, '^', &r), &r);
    default: return NEWREF(NotImplemented);
    }
}

/* big_arith for two int64 values whose result overflowed int64. */
static Object *big_arith_i64(int64_t x, int64_t y, BinaryOp op) {
    BigInt a, b;
    uint32_t ba[2], bb[2];
    bigint_view_i64(&a, x, ba);
    bigint_view_i64(&b, y, bb);
    return big_arith(&a, &b, op);
}

/* big_arith for two int objects. */
static Object *big_arith_objects(Object *x, Object *y, BinaryOp op) {
    BigInt a, b;
    uint32_t ba[2], bb[2];
    int_view(x, &a, ba);
    int_view(y, &b, bb);
    return big_arith(&a, &b, op);
}

/* ---- Arithmetic on small values ---- */

/* Correctly rounded x / y for int64 operands (y != 0). Small operands are
   exact doubles, so one division rounds correctly; larger ones go through
   the BigInt division, which scales and keeps a sticky bit. */
static Object *int_truediv(int64_t x, int64_t y) {
    if (y == 0) return error_set(&exc_ZeroDivisionError, "division by zero");
    const int64_t exact = (int64_t)1 << 53;
    if (x >= -exact && x <= exact && y >= -exact && y <= exact)
        return float_from_double((double)x / (double)y);
    return big_arith_i64(x, y, BINOP_TRUEDIV);
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
    if (!floor_divmod(x, y, &q, &r)) return big_arith_i64(x, y, BINOP_FLOORDIV);
    return int_from_i64(q);
}

static Object *int_mod(int64_t x, int64_t y) {
    if (y == 0) return error_set(&exc_ZeroDivisionError, "integer modulo by zero");
    int64_t q, r;
    floor_divmod(x, y, &q, &r);
    return int_from_i64(r);
}

/* A (quotient, remainder) tuple, stealing both (either may be NULL). */
static Object *pair_steal(Object *q, Object *r) {
    Object *t = q && r ? tuple_pack(2, q, r) : NULL;
    XDECREF(q);
    XDECREF(r);
    return t;
}

/* divmod(x, y) for ints: a (quotient, remainder) tuple. */
Object *int_divmod(Object *x, Object *y) {
    if (int_is_small(x) && int_is_small(y)) {
        int64_t a = int_value(x), b = int_value(y), q, r;
        if (b == 0) return zero_division(BINOP_FLOORDIV);
        if (floor_divmod(a, b, &q, &r)) return pair_steal(int_from_i64(q), int_from_i64(r));
    }
    BigInt a, b, q = BIGINT_EMPTY, r = BIGINT_EMPTY;
    uint32_t ba[2], bb[2];
    int_view(x, &a, ba);
    int_view(y, &b, bb);
    if (b.len == 0) return zero_division(BINOP_FLOORDIV);
    if (bigint_divmod(&a, &b, &q, &r) < 0) return NULL;
    return pair_steal(int_from_big(&q), int_from_big(&r));
}

static Object *int_pow(int64_t base, int64_t exp) {
    if (exp < 0) {
        /* Python computes int ** negative int in floating point. */
        if (base == 0)
            return error_set(&exc_ZeroDivisionError, "0.0 cannot be raised to a negative power");
        return float_from_double(pow((double)base, (double)exp));
    }
    int64_t result = 1, b = base, e = exp;
    while (e > 0) {
        if ((e & 1) && __builtin_mul_overflow(result, b, &result))
            return big_arith_i64(base, exp, BINOP_POW);
        e >>= 1;
        if (e > 0 && __builtin_mul_overflow(b, b, &b)) return big_arith_i64(base, exp, BINOP_POW);
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

static Object *not_invertible(void) {
    return error_set(&exc_ValueError, "base is not invertible for the given modulus");
}

static Object *int_pow_mod_i64(int64_t base, int64_t exp, int64_t mod) {
    int64_t m = mod < 0 ? -mod : mod;
    int64_t b = (int64_t)(((__int128)base % m + m) % m);
    uint64_t e = (uint64_t)exp;
    if (exp < 0) {
        b = modular_inverse(b, m);
        if (b < 0) return not_invertible();
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

/* *x = *x - q * *y for the extended Euclid below (all owned). */
static int euclid_step(BigInt *x, const BigInt *q, const BigInt *y) {
    BigInt p = BIGINT_EMPTY, d = BIGINT_EMPTY;
    if (bigint_mul(q, y, &p) < 0) return -1;
    int rc = bigint_sub(x, &p, &d);
    bigint_free(&p);
    if (rc < 0) return -1;
    bigint_free(x);
    *x = d;
    return 0;
}

/* *inv = a**-1 mod m (0 <= a < m): 1 found, 0 not invertible, -1 error. */
static int big_modular_inverse(const BigInt *a, const BigInt *m, BigInt *inv) {
    BigInt r0 = BIGINT_EMPTY, r1 = BIGINT_EMPTY, s0 = BIGINT_EMPTY, s1 = BIGINT_EMPTY;
    uint32_t one = 1;
    BigInt big_one = { &one, 1, 0, false };
    int rc = -1;
    if (bigint_copy(m, &r0) < 0 || bigint_copy(a, &r1) < 0 || bigint_copy(&big_one, &s1) < 0)
        goto done;
    while (r1.len) {
        BigInt q = BIGINT_EMPTY, t;
        if (bigint_divmod(&r0, &r1, &q, NULL) < 0) goto done;
        int step = euclid_step(&r0, &q, &r1) < 0 || euclid_step(&s0, &q, &s1) < 0 ? -1 : 0;
        bigint_free(&q);
        if (step < 0) goto done;
        t = r0; r0 = r1; r1 = t;
        t = s0; s0 = s1; s1 = t;
    }
    if (bigint_cmp(&r0, &big_one) != 0) {
        rc = 0;
        goto done;
    }
    rc = bigint_divmod(&s0, m, NULL, inv) < 0 ? -1 : 1;
done:
    bigint_free(&r0);
    bigint_free(&r1);
    bigint_free(&s0);
    bigint_free(&s1);
    return rc;
}

/* pow(base, exp, mod) with a big operand: |mod| as the modulus, then the
   sign of mod on the result. */
static Object *big_pow_mod(Object *base, Object *exp, Object *mod) {
    BigInt a, e, m, r = BIGINT_EMPTY, inv = BIGINT_EMPTY;
    uint32_t ba[2], be[2], bm[2];
    int_view(base, &a, ba);
    int_view(exp, &e, be);
    int_view(mod, &m, bm);
    bool mod_neg = m.neg, exp_neg = e.neg;
    m.neg = e.neg = false;
    if (exp_neg) { /* the inverse, raised to |exp| */
        BigInt reduced = BIGINT_EMPTY;
        if (bigint_divmod(&a, &m, NULL, &reduced) < 0) return NULL;
        int found = big_modular_inverse(&reduced, &m, &inv);
        bigint_free(&reduced);
        if (found <= 0) return found < 0 ? NULL : not_invertible();
        a = inv;
    }
    int rc = bigint_powmod(&a, &e, &m, &r);
    bigint_free(&inv);
    if (rc < 0) return NULL;
    if (mod_neg && r.len) {
        BigInt t = BIGINT_EMPTY;
        rc = bigint_sub(&r, &m, &t);
        bigint_free(&r);
        if (rc < 0) return NULL;
        r = t;
    }
    return int_from_big(&r);
}

Object *int_pow_mod(Object *base, Object *exp, Object *mod) {
    if (int_is_small(mod) && int_value(mod) == 0)
        return error_set(&exc_ValueError, "pow() 3rd argument cannot be 0");
    if (int_is_small(base) && int_is_small(exp) && int_is_small(mod) &&
        int_value(mod) != INT64_MIN)
        return int_pow_mod_i64(int_value(base), int_value(exp), int_value(mod));
    return big_pow_mod(base, exp, mod);
}

static Object *int_lshift(int64_t x, int64_t n) {
    if (n < 0) return error_set(&exc_ValueError, "negative shift count");
    if (x == 0) return int_from_i64(0);
    if (n >= 63) return big_arith_i64(x, n, BINOP_LSHIFT);
    int64_t shifted = (int64_t)((uint64_t)x << n);
    if ((shifted >> n) != x) return big_arith_i64(x, n, BINOP_LSHIFT);
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

/* One arithmetic operator on two small int values. */
static Object *int_arith(int64_t x, int64_t y, BinaryOp op) {
    int64_t r;
    switch (op) {
    case BINOP_ADD:
        if (__builtin_add_overflow(x, y, &r)) return big_arith_i64(x, y, op);
        return int_from_i64(r);
    case BINOP_SUB:
        if (__builtin_sub_overflow(x, y, &r)) return big_arith_i64(x, y, op);
        return int_from_i64(r);
    case BINOP_MUL:
        if (__builtin_mul_overflow(x, y, &r)) return big_arith_i64(x, y, op);
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
   float.c, anything else NotImplemented. An int's operators do not know a
   float subclass: NotImplemented lets its reflected method (its own
   __radd__, or float's) answer, as in CPython. */
static Object *int_binary(Object *a, Object *b, BinaryOp op) {
    if (is_int(a) && is_int(b)) {
        if (int_is_big(a) || int_is_big(b)) return big_arith_objects(a, b, op);
        if (op <= BINOP_POW || op == BINOP_LSHIFT || op == BINOP_RSHIFT ||
            !is_type(a, &bool_type) || !is_type(b, &bool_type))
            return int_arith(int_value(a), int_value(b), op);
        /* bool & | ^ bool stays a bool. */
        int64_t x = int_value(a), y = int_value(b);
        int64_t r = op == BINOP_AND ? (x & y) : op == BINOP_OR ? (x | y) : (x ^ y);
        return bool_from(r != 0);
    }
    if ((is_float(a) && is_int(b)) || (is_int(a) && is_float_exact(b))) {
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

/* A new int with self's value (an exact int, even for a bool or a
   subclass), its sign flipped when negate. */
static Object *int_copy_signed(Object *self, bool negate) {
    BigInt v, r = BIGINT_EMPTY;
    uint32_t buf[2];
    int_view(self, &v, buf);
    if (bigint_copy(&v, &r) < 0) return NULL;
    if (negate && r.len) r.neg = !r.neg;
    return int_from_big(&r);
}

static Object *int_neg(Object *self) {
    int64_t r;
    if (int_is_big(self) || __builtin_sub_overflow((int64_t)0, int_value(self), &r))
        return int_copy_signed(self, true);
    return int_from_i64(r);
}

static Object *int_pos(Object *self) {
    if (is_type(self, &int_type)) return NEWREF(self);
    if (int_is_big(self)) return int_copy_signed(self, false);
    return int_from_i64(int_value(self)); /* +True is the int 1 */
}

static Object *int_invert(Object *self) {
    if (int_is_small(self)) return int_from_i64(~int_value(self));
    BigInt v, r = BIGINT_EMPTY; /* ~x == -x - 1 */
    uint32_t buf[2], one_buf[2];
    BigInt one;
    bigint_view_i64(&one, 1, one_buf);
    int_view(self, &v, buf);
    v.neg = !v.neg;
    return big_result(bigint_sub(&v, &one, &r), &r);
}

static Object *int_abs(Object *self) {
    if (int_is_big(self)) return int_copy_signed(self, int_value(self) < 0);
    int64_t v = int_value(self);
    if (v >= 0) return int_pos(self);
    return int_neg(self);
}

static int int_truth(Object *self) {
    return int_is_big(self) || int_value(self) != 0;
}

static Object *int_to_float(Object *self) {
    double d;
    if (int_as_double(self, &d) < 0) return NULL;
    return float_from_double(d);
}

/* round() of a value with a big operand or result: q = v // unit and the
   remainder decide, half to even. */
static Object *int_round_big(Object *v, int64_t ndigits) {
    Object *ten = int_from_i64(10), *exp = int_from_i64(-ndigits);
    Object *unit = ten && exp ? object_binary_op(ten, exp, BINOP_POW) : NULL;
    XDECREF(ten);
    XDECREF(exp);
    if (!unit) return NULL;
    Object *qr = int_divmod(v, unit), *result = NULL;
    if (qr) {
        Object *q = tuple_item(qr, 0), *r = tuple_item(qr, 1);
        Object *twice = object_binary_op(r, r, BINOP_ADD);
        Object *q2 = NULL;
        if (twice) {
            int c = int_compare3(twice, unit);
            Object *odd = c == 0 ? object_binary_op(q, int_small(1), BINOP_AND) : NULL;
            if (c > 0 || (odd && int_value(odd) == 1))
                q2 = object_binary_op(q, int_small(1), BINOP_ADD);
            else if (c < 0 || odd)
                q2 = NEWREF(q);
            XDECREF(odd);
            DECREF(twice);
        }
        if (q2) result = object_binary_op(q2, unit, BINOP_MUL);
        XDECREF(q2);
        DECREF(qr);
    }
    DECREF(unit);
    return result;
}

Object *int_round(Object *obj, int64_t ndigits) {
    if (ndigits >= 0) return int_copy_signed(obj, false);
    if (int_is_big(obj) || ndigits <= -19) return int_round_big(obj, ndigits);
    int64_t v = int_value(obj);
    int64_t unit = 1;
    for (int64_t i = 0; i < -ndigits; i++) unit *= 10;
    int64_t q, r;
    floor_divmod(v, unit, &q, &r);
    /* Round half to even: r is in [0, unit). */
    if (r > unit - r || (r == unit - r && (q & 1))) q++;
    int64_t result;
    if (__builtin_mul_overflow(q, unit, &result)) return int_round_big(obj, ndigits);
    return int_from_i64(result);
}

/* ---- Methods ---- */

static Object *int_bit_length_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("int.bit_length", nargs, kwnames, 0, 0) < 0) return NULL;
    BigInt v;
    uint32_t buf[2];
    int_view(self, &v, buf);
    return int_from_i64((int64_t)bigint_bit_length(&v));
}

static Object *int_bit_count(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("int.bit_count", nargs, kwnames, 0, 0) < 0) return NULL;
    BigInt v;
    uint32_t buf[2];
    int_view(self, &v, buf);
    return int_from_i64((int64_t)bigint_bit_count(&v));
}

/* conjugate() of a real number is the number itself, as an int */
static Object *int_conjugate(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("int.conjugate", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_copy_signed(self, false);
}

static Object *int_as_integer_ratio(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)args;
    if (args_check("int.as_integer_ratio", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *n = int_copy_signed(self, false);
    if (!n) return NULL;
    Object *r = tuple_pack(2, n, int_small(1));
    DECREF(n);
    return r;
}


/* ---- Digits for the math and _random modules ---- */

size_t int_digits_view(Object *o, const uint32_t **digits, uint32_t buf[2], bool *negative) {
    BigInt v;
    int_view(o, &v, buf);
    *digits = v.d;
    *negative = v.neg;
    return v.len;
}

Object *int_from_digits(const uint32_t *digits, size_t n, bool negative) {
    while (n && digits[n - 1] == 0) n--;
    if (n <= 2) { /* the common case needs no digit block */
        uint64_t u = n == 0 ? 0 : n == 1 ? digits[0] : ((uint64_t)digits[1] << 32) | digits[0];
        if (u <= INT64_MAX) return int_from_i64(negative ? -(int64_t)u : (int64_t)u);
    }
    BigInt view = { (uint32_t *)digits, n, 0, negative }, r = BIGINT_EMPTY;
    if (view.len == 0) view.neg = false;
    return big_result(bigint_copy(&view, &r), &r);
}

uint64_t int_bit_length(Object *o) {
    BigInt v;
    uint32_t buf[2];
    int_view(o, &v, buf);
    return bigint_bit_length(&v);
}

double int_frexp(Object *o, int64_t *exp) {
    BigInt v;
    uint32_t buf[2];
    int_view(o, &v, buf);
    return bigint_frexp(&v, exp);
}

/* ---- to_bytes / from_bytes ---- */

/* byteorder argument: 1 for "little", 0 for "big", -1 with the error set. */
static int byteorder_arg(Object *o, const char *fname) {
    if (!o) return 0;
    if (!is_str(o)) {
        error_set(&exc_TypeError, "%s() argument 'byteorder' must be str, not %s", fname,
                  TYPE_NAME(o));
        return -1;
    }
    if (strcmp(str_data(o), "little") == 0) return 1;
    if (strcmp(str_data(o), "big") == 0) return 0;
    error_set(&exc_ValueError, "byteorder must be either 'little' or 'big'");
    return -1;
}

/* Byte i (little-endian) of v in two's complement (sign-extended). */
static unsigned char twos_byte(const BigInt *v, size_t i, unsigned *borrow) {
    uint32_t d = i / 4 < v->len ? v->d[i / 4] : 0;
    unsigned byte = (d >> (8 * (i % 4))) & 0xff;
    if (!v->neg) return (unsigned char)byte;
    /* -|v| = ~(|v| - 1), one byte at a time */
    int t = (int)byte - (int)*borrow;
    *borrow = t < 0;
    return (unsigned char)~(unsigned)t;
}

static Object *int_to_bytes(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"length", "byteorder", "signed", NULL};
    Object *a[3];
    if (args_parse("to_bytes", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    int64_t length = 1;
    if (a[0] && int_as_i64(a[0], &length) < 0) return NULL;
    if (length < 0) return error_set(&exc_ValueError, "length argument must be non-negative");
    int little = byteorder_arg(a[1], "to_bytes");
    if (little < 0) return NULL;
    int is_signed = a[2] ? object_truth(a[2]) : 0;
    if (is_signed < 0) return NULL;
    BigInt v;
    uint32_t buf[2];
    int_view(self, &v, buf);
    if (v.neg && !is_signed)
        return error_set(&exc_OverflowError, "can't convert negative int to unsigned");
    /* Bits needed: the magnitude's, plus a sign bit when signed (except for
       -2**(8k-1), which fits exactly). */
    uint64_t bits = bigint_bit_length(&v);
    if (is_signed && bits) {
        bool power_of_two = v.neg && bigint_bit_count(&v) == 1;
        if (!power_of_two) bits++;
    }
    if (bits > (uint64_t)length * 8) return error_set(&exc_OverflowError, "int too big to convert");
    Object *r = bytes_new_raw((size_t)length);
    if (!r) return NULL;
    unsigned char *out = (unsigned char *)bytes_data(r);
    unsigned borrow = 1;
    for (size_t i = 0; i < (size_t)length; i++) {
        unsigned char byte = twos_byte(&v, i, &borrow);
        out[little ? i : (size_t)length - 1 - i] = byte;
    }
    return r;
}

static Object *int_value_from_bytes(Object *const *args, size_t nargs, Object *kwnames);

/* int.from_bytes(bytes, byteorder='big', *, signed=False), a class method
   (int_install_from_bytes): args[0] is the class, and a subclass gets
   cls(value), as in CPython. */
static Object *int_from_bytes(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    Object *value = int_value_from_bytes(args + 1, nargs - 1, kwnames);
    if (!value || args[0] == (Object *)&int_type) return value;
    Object *r = object_call1(args[0], value);
    DECREF(value);
    return r;
}

static Object *int_value_from_bytes(Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"bytes", "byteorder", "signed", NULL};
    Object *a[3];
    if (args_parse("from_bytes", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    /* anything bytes() accepts: a list of ints, a bytearray-like, ... */
    Object *data = is_bytes(a[0]) ? NEWREF(a[0]) : bytes_type.construct(&bytes_type, a, 1, NULL);
    if (!data) return NULL;
    int little = byteorder_arg(a[1], "from_bytes");
    int is_signed = little < 0 ? -1 : a[2] ? object_truth(a[2]) : 0;
    if (little < 0 || is_signed < 0) {
        DECREF(data);
        return NULL;
    }
    const unsigned char *p = (const unsigned char *)bytes_data(data);
    size_t n = bytes_size(data);
    BigInt big = BIGINT_EMPTY;
    unsigned char *values = mem_alloc(n ? n : 1);
    if (!values) {
        DECREF(data);
        return error_no_memory();
    }
    for (size_t i = 0; i < n; i++) values[i] = p[little ? n - 1 - i : i]; /* most significant first */
    int rc = bigint_from_digit_values(values, n, 256, false, &big);
    bool negative = is_signed && n && (values[0] & 0x80);
    mem_free(values, n ? n : 1);
    DECREF(data);
    if (rc < 0) return NULL;
    Object *result = int_from_big(&big);
    if (!result || !negative) return result;
    /* signed: subtract 2**(8n) */
    Object *shift = int_from_i64((int64_t)n * 8), *power = NULL, *diff = NULL;
    if (shift) power = object_binary_op(int_small(1), shift, BINOP_LSHIFT);
    if (power) diff = object_binary_op(result, power, BINOP_SUB);
    XDECREF(shift);
    XDECREF(power);
    DECREF(result);
    return diff;
}

static const MethodDef int_methods[] = {
    { "bit_length", int_bit_length_method, "Number of bits necessary to represent self in binary." },
    { "bit_count", int_bit_count, "Number of ones in the binary representation of abs(self)." },
    { "conjugate", int_conjugate, "Returns self, the complex conjugate of any int." },
    { "as_integer_ratio", int_as_integer_ratio, "Return a pair of integers, (self, 1)." },
    { "to_bytes", int_to_bytes, "Return an array of bytes representing an integer." },
    { "__ceil__", numdunder_int_ceil, "Ceiling of an Integral returns itself." },
    { "__floor__", numdunder_int_floor, "Flooring an Integral returns itself." },
    { "__trunc__", numdunder_int_trunc, "Truncating an Integral returns itself." },
    { "__round__", numdunder_int_round, NULL },
    { "__divmod__", numdunder_int_divmod, "Return divmod(self, value)." },
    { "__rdivmod__", numdunder_int_rdivmod, "Return divmod(value, self)." },
    { "__getnewargs__", numdunder_int_getnewargs, NULL },
    { "__format__", numdunder_format, NULL },
    { NULL, NULL, NULL },
};

/* The number-tower attributes: real and numerator are the value (an int
   even for a bool), imag is 0, denominator 1. */
static Object *int_getattr(Object *self, Object *name) {
    const char *s = str_data(name);
    if (strcmp(s, "real") == 0 || strcmp(s, "numerator") == 0)
        return int_copy_signed(self, false);
    if (strcmp(s, "imag") == 0) return int_from_i64(0);
    if (strcmp(s, "denominator") == 0) return int_from_i64(1);
    return object_generic_getattr(self, name);
}

/* ---- Construction: int(...) and bool(...) ---- */

/* The result of __int__ / __index__ / a to_int slot must be an int. */
static Object *check_int_result(Object *r, const char *method) {
    if (!r || is_int(r)) return r;
    error_set(&exc_TypeError, "%s returned non-int (type %s)", method, TYPE_NAME(r));
    DECREF(r);
    return NULL;
}

/* int(b) for bytes b: parsed as the same text would be; a bad literal is
   reported with the bytes' repr ("invalid literal ...: b'x'"). */
static Object *int_from_bytes_text(Object *b, int base) {
    if (is_bytes(b)) return int_from_text(bytes_data(b), bytes_size(b), b, base);
    /* any other bytes-like object: its bytes (which errors show, as CPython) */
    Object *copy = bytes_from_buffer(b);
    if (!copy) return NULL;
    Object *r = int_from_text(bytes_data(copy), bytes_size(copy), copy, base);
    DECREF(copy);
    return r;
}

/* int(x) with one argument and no base. The conversion slot comes before
   the text of a str or bytes, and an instance of a subclass of int or float
   converts through it too (its class may define __int__). */
static Object *int_from_object(Object *x) {
    if (is_type(x, &int_type)) return NEWREF(x);
    if (is_float_exact(x)) return int_from_double(float_value(x));
    if (TYPE(x)->to_int) return check_int_result(TYPE(x)->to_int(x), "__int__");
    if (is_str(x)) return int_from_string(str_data(x), str_len(x), 10);
    if (buffer_supported(x)) return int_from_bytes_text(x, 10);
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
    if (is_bytes(x) || is_bytearray(x)) return int_from_bytes_text(x, (int)base);
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
    BigInt v, r = BIGINT_EMPTY;
    uint32_t buf[2];
    int_view(value, &v, buf);
    int rc = o ? bigint_copy(&v, &r) : -1;
    DECREF(value);
    if (rc < 0) {
        if (o) object_free((Object *)o, type->instance_size);
        return NULL;
    }
    return int_fill(o, &r);
}

static Object *bool_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    if (args_check("bool", nargs, kwnames, 0, 1) < 0) return NULL;
    if (nargs == 0) return bool_from(false);
    int t = object_truth(args[0]);
    if (t < 0) return NULL;
    return bool_from(t);
}

/* A big int: its digits, then the object. Out of line, so that freeing a
   small int stays a test and a tail call. */
static __attribute__((noinline)) void int_dealloc_big(Object *self) {
    uint32_t *digits = ((IntObject *)self)->digits;
    mem_free(digits, (digits[0] + 1) * sizeof(uint32_t));
    object_free(self, int_block_size_of(self, true));
}

/* A small exact int goes to its thread's free list (int.h) when that has
   room; a subclass's instance, whose block has a prefix, never does. */
static void int_dealloc(Object *self) {
    if (__builtin_expect(int_is_big(self), 0)) {
        int_dealloc_big(self);
        return;
    }
    IntFreeList *fl = &int_free_list;
    if (INT_FREE_LIST && TYPE(self) == &int_type && fl->count < INT_FREE_MAX &&
        object_hooks == 0) {
        IntObject *o = (IntObject *)self;
        o->next_free = fl->head;
        fl->head = o;
        fl->count++;
        return;
    }
    object_free(self, int_block_size_of(self, false));
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

/* Served by int_type's getattr slot; declared for dir() and the class. */
static const GetSetDef int_getsets[] = {
    {"real", NULL, false},
    {"imag", NULL, false},
    {"numerator", NULL, false},
    {"denominator", NULL, false},
    {NULL, NULL, false},
};

Type int_type = {
    TYPE_HEAD_INIT,
    .name = "int",
    .getsets = int_getsets,
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

static const MethodDef int_from_bytes_def = {
    "from_bytes", int_from_bytes, "Return the integer represented by the given array of bytes."};

int int_install_from_bytes(void) {
    Object *f = builtin_new(&int_from_bytes_def, (Object *)&int_type);
    Object *m = f ? descr_classmethod_new(f) : NULL;
    int rc = m ? dict_set_item_cstr(int_type.dict, "from_bytes", m) : -1;
    XDECREF(f);
    XDECREF(m);
    return rc;
}
