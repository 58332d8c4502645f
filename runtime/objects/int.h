/* int.h - integers of any size (and bool, their subclass).
 *
 * An int has two representations under the one type int_type. A *small*
 * int holds its value in `value`, an int64; it is the only kind the VM's
 * fast paths handle. A *big* int owns a digit block: digits[0] is the count
 * n, digits[1..n] the base-2**32 digits of the magnitude, least significant
 * first. Its `value` is INT64_MAX or INT64_MIN, which gives the sign, and
 * means that code reading int_value() of an unexpected big int sees an
 * out-of-range number rather than garbage. (Keeping the count in the block
 * keeps a big int's object at sizeof(IntObject).) Every result is
 * normalised, so two equal ints have the same representation. The digit
 * arithmetic is in bigint.c.
 *
 * A small int holds any int64, so a value that fits in int64 is always
 * small. How small is told from big depends on the build (INT_BIG_BY_MARK):
 *   - By digits (the GIL build, whose ints are 32 bytes either way): every
 *     int has the field, NULL in a small one; the eval loop's guard is one
 *     OR of the two operands' fields.
 *   - By the header's type mark (toy-ft, whose 24-byte header would make
 *     every int 40 bytes with the field): a big int carries the mark
 *     (core/refcount.h), set before it is published and never cleared, and
 *     an exact small int is allocated without the `digits` field
 *     (INT_SMALL_SIZE bytes, 32) and never reads or writes it. The guard is
 *     one OR of the two operands' shared words and a test of the bit.
 * Code outside this file asks int_is_small / int_is_big and is correct
 * under both.
 *
 * Ints from SMALL_INT_MIN to SMALL_INT_MAX are immortal preallocated
 * objects, so loop counters and indexes never allocate; other results come
 * from the int free list (below), else from the allocator.
 * True and False are IntObjects of type bool_type. Instances of a user
 * subclass of int have the full layout (type->instance_size), whichever
 * value they hold.
 */
#ifndef TOY_INT_H
#define TOY_INT_H

#include <stddef.h>
#include <string.h>

#include "core/object.h"
#include "core/objhooks.h"
#include "core/refcount.h"

/* 1: big ints carry the header's type mark (above); 0: by the digits
   field. Only toy-ft's header has the mark. */
#ifdef TOY_FREE_THREADED
#define INT_BIG_BY_MARK 1
#else
#define INT_BIG_BY_MARK 0
#endif

typedef struct IntObject {
    Object base;
    union {
        int64_t value; /* small: the value; big: INT64_MAX or INT64_MIN by sign */
        struct IntObject *next_free; /* on its thread's free list (below) */
    };
    uint32_t *digits; /* big: count, then the digits (owned); small: NULL,
                         or (INT_BIG_BY_MARK) absent from an exact small
                         int's block */
} IntObject;

/* The block of an exact small int. */
#if INT_BIG_BY_MARK
#define INT_SMALL_SIZE offsetof(IntObject, digits)
#else
#define INT_SMALL_SIZE sizeof(IntObject)
#endif

#define SMALL_INT_MIN (-5)
#define SMALL_INT_MAX 1024

extern Type int_type, bool_type;
extern IntObject small_ints[SMALL_INT_MAX - SMALL_INT_MIN + 1];
extern IntObject true_object, false_object;

#define True_ ((Object *)&true_object)
#define False_ ((Object *)&false_object)

/* int, bool (a subclass of int) or an instance of a user subclass of int,
   whose layout is an IntObject (after a prefix: object.h). */
static inline bool is_int(Object *o) {
    return is_builtin_instance(o, &int_type) || o->type == &bool_type;
}
/* The eval loop's type and size guards (is_int_exact, int_both_small)
   are always inlined: in toy-ft's profile-guided build the
   eval loop is at gcc's growth limit, and gcc then called them, and the
   compare that used them, out of line (a call on every `i < n`). */
#define INT_GUARD_INLINE static inline __attribute__((always_inline))
/* int or bool itself: what the fast paths may handle without looking for
   a user class's overrides. */
INT_GUARD_INLINE bool is_int_exact(Object *o) {
    return o->type == &int_type || o->type == &bool_type;
}
/* The value of a small int (clamped for a big one: check int_is_small). */
static inline int64_t int_value(Object *o) { return ((IntObject *)o)->value; }
#if INT_BIG_BY_MARK
static inline bool int_is_big(Object *o) { return refcount_type_marked(o); }
/* Both ints small: the fast paths' guard. */
INT_GUARD_INLINE bool int_both_small(Object *a, Object *b) { return !refcount_type_marked2(a, b); }
/* o, just allocated or reused, becomes the small int v. */
static inline void int_set_small(IntObject *o, int64_t v) { o->value = v; }
#else
static inline bool int_is_big(Object *o) { return ((IntObject *)o)->digits != NULL; }
INT_GUARD_INLINE bool int_both_small(Object *a, Object *b) {
    return ((uintptr_t)((IntObject *)a)->digits | (uintptr_t)((IntObject *)b)->digits) == 0;
}
static inline void int_set_small(IntObject *o, int64_t v) {
    o->value = v;
    o->digits = NULL;
}
#endif
static inline bool int_is_small(Object *o) { return !int_is_big(o); }

/* The eval loop's int arithmetic and comparisons (vm.c) take two ints
   that int_both_small passed: int_add_fast / int_sub_fast / int_mul_fast
   compute x op y, true when the result does not overflow, so that it may
   be written into a small int (else the generic path decides). */
static inline bool int_add_fast(int64_t x, int64_t y, int64_t *z) {
    return !__builtin_add_overflow(x, y, z);
}
static inline bool int_sub_fast(int64_t x, int64_t y, int64_t *z) {
    return !__builtin_sub_overflow(x, y, z);
}
static inline bool int_mul_fast(int64_t x, int64_t y, int64_t *z) {
    return !__builtin_mul_overflow(x, y, z);
}

/* Two int objects hold the same value (either representation). */
bool int_equal(Object *a, Object *b);
/* Does o's value fit in int64, so that int_value(o) is exactly it? Every
   small int, and only those. The test for code that converts an int to a
   C integer (an index, a bound, a count). */
static inline bool int_fits_i64(Object *o) { return int_is_small(o); }
/* The size of o's block, big or not: what it was allocated with and is
   freed with. */
static inline size_t int_block_size_of(Object *o, bool big) {
    if (TYPE(o) != &int_type) return TYPE(o)->instance_size; /* a subclass (bool: static) */
    return big ? sizeof(IntObject) : INT_SMALL_SIZE;
}
static inline size_t int_block_size(Object *o) { return int_block_size_of(o, int_is_big(o)); }
/* The OverflowError CPython raises for a big int used as a repeat count. */
Object *int_count_too_big(void);

/* A new reference (small ints come from the cache). NULL on MemoryError. */
Object *int_from_i64(int64_t v);
static inline Object *int_small(int64_t v) { /* v must be in small range */
    return NEWREF_IMMORTAL(&small_ints[v - SMALL_INT_MIN]);
}

/* The int free list: each thread keeps up to INT_FREE_MAX freed exact
   ints, so that arithmetic whose results leave the small-int cache takes
   an object from here and gives it back with a few loads and stores
   instead of a trip through object_alloc and object_free (as the float
   free list does: float.h). The blocks came from the allocator and go back
   to it when the list is full or the thread ends (int_thread_release).
   While an object hook watches allocations (--stats counts, the race
   detector), or under AddressSanitizer, ints take the ordinary path. */
#if defined(__SANITIZE_ADDRESS__)
#define INT_FREE_LIST 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define INT_FREE_LIST 0
#endif
#endif
#ifndef INT_FREE_LIST
#define INT_FREE_LIST 1
#endif
#define INT_FREE_MAX 256

typedef struct {
    IntObject *head;
    unsigned count;
} IntFreeList;

extern _Thread_local IntFreeList int_free_list;

/* int_from_i64 for a v outside the small-int cache (the eval loop's
   results, a range's elements), inline for the eval loop: from the free
   list when it has one (whose blocks are all INT_SMALL_SIZE). NULL with
   MemoryError. */
Object *int_alloc_small(int64_t v);
static inline Object *int_new_small(int64_t v)
{
    IntObject *o = int_free_list.head;
    if (!INT_FREE_LIST || o == NULL || object_hooks != 0)
        return int_alloc_small(v);
    int_free_list.head = o->next_free;
    int_free_list.count--;
    refcount_init_new(&o->base); /* with the type below: every header field */
    o->base.type = &int_type;
    int_set_small(o, v);
    return (Object *)o;
}

/* Give the calling thread's free ints back to the allocator (thread exit). */
void int_thread_release(void);

/* New reference to True or False. */
Object *bool_from(bool b);

/* Parse a Python int literal string (str(), int(s, base)): ValueError on bad
   input, with CPython's message "invalid literal for int() with base 10: 'x'". */
Object *int_from_string(const char *s, size_t len, int base);

/* Convert an int-like object (int, bool, or a type with an index slot) to
   int64. Returns 0 ok / -1 error (TypeError; OverflowError "Python int too
   large to convert to C ssize_t" for a big int). */
int int_as_i64(Object *o, int64_t *out);
/* Where an int (int or bool; no __index__) lies with respect to the C
   64-bit types: INT_FITS_I64 (*out set), INT_FITS_U64 (above INT64_MAX,
   *uout set), or beyond both. For the range checks of struct and array. */
typedef enum { INT_FITS_I64, INT_FITS_U64, INT_ABOVE_U64, INT_BELOW_I64 } IntRange64;
IntRange64 int_range64(Object *o, int64_t *out, uint64_t *uout);
/* An int-like object as a double: OverflowError "int too large to convert
   to float" when it does not fit. */
int int_as_double(Object *o, double *out);
/* Exact comparison of a double with an int: 1 if d > i, -1 if d < i, 0 if
   equal, 2 if d is NaN. */
int int_compare_double(double d, Object *i);
/* The IndexError CPython raises for a big int used as a sequence index. */
Object *int_index_too_big(void);

/* Hash of an int as Python computes it (modulo 2**61-1; -1 becomes -2). */
int64_t int_hash_i64(int64_t v);

/* The int fast paths the VM inlines call these on overflow or mixed types. */
Object *int_add(Object *a, Object *b);
Object *int_sub(Object *a, Object *b);
Object *int_mul(Object *a, Object *b);

/* ---- Added by int.c for the built-ins and float.c ---------------------- */

/* int(v) for a double: truncates toward zero. OverflowError "cannot convert
   float infinity to integer" / ValueError "cannot convert float NaN to
   integer". */
Object *int_from_double(double v);
/* divmod(x, y) for ints: (x // y, x % y) with Python's signs. */
Object *int_divmod(Object *x, Object *y);
/* pow(base, exp, mod) for ints (negative exp: modular inverse). */
Object *int_pow_mod(Object *base, Object *exp, Object *mod);
/* round(v, ndigits) for an int: round half to even at 10**-ndigits. */
Object *int_round(Object *v, int64_t ndigits);
/* The digits of an int in base 2, 8, 10 or 16 (no sign, no prefix; lower
   case), as a new mem_alloc'd NUL-terminated block of *len + 1 bytes, and
   whether it is negative. Decimal text obeys the str-digit limit. */
char *int_to_text(Object *v, int base, size_t *len, bool *negative);
/* repr(v) (and str(v)) of an int, ignoring any subclass: callers that skip
   the repr dispatch test TYPE(v) == &int_type first. A new str. */
Object *int_repr(Object *v);

/* ---- Added by int.c for the math and _random modules ------------------- */

/* The magnitude of an int as base-2**32 digits, least significant first:
   borrowed (valid while o lives; a small int's go into buf). Returns the
   digit count (0 for zero) and sets *negative. */
size_t int_digits_view(Object *o, const uint32_t **digits, uint32_t buf[2], bool *negative);
/* A new int from n base-2**32 digits (least significant first) and a sign. */
Object *int_from_digits(const uint32_t *digits, size_t n, bool negative);
/* Bits in |o| (int.bit_length()). */
uint64_t int_bit_length(Object *o);
/* |o| = m * 2**exp with m in [0.5, 1) rounded to 53 bits (half to even),
   for any size of int; returns m (0.0 and *exp 0 for zero). */
double int_frexp(Object *o, int64_t *exp);

/* Installs int.from_bytes, a class method (start-up, after type_ready). */
int int_install_from_bytes(void);

/* sys.set_int_max_str_digits / get_int_max_str_digits (0: no limit). */
extern int64_t int_max_str_digits;

#endif
