/* float.h - IEEE double floats, printed as Python prints them (shortest
 * repr that round-trips: 0.1, 1e+16, 1e-05, inf, nan, -0.0). */
#ifndef TOY_FLOAT_H
#define TOY_FLOAT_H

#include <string.h>

#include "core/object.h"
#include "core/objhooks.h"
#include "core/refcount.h"

typedef struct FloatObject {
    Object base;
    union {
        double value;
        struct FloatObject *next_free; /* on its thread's free list (below) */
    };
} FloatObject;

extern Type float_type;

/* The float free list: each thread keeps up to FLOAT_FREE_MAX freed
   floats, so that arithmetic, which makes and drops a float per
   operation, takes one from here and gives it back with a few loads and
   stores instead of going through object_alloc and object_free. The
   blocks came from the allocator and go back to it when the list is full
   or the thread ends (float_thread_release). While an object hook watches
   allocations (--stats counts, the race detector: core/objhooks.h), or
   under AddressSanitizer, which must see every block, floats take the
   ordinary path. */
#if defined(__SANITIZE_ADDRESS__)
#define FLOAT_FREE_LIST 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLOAT_FREE_LIST 0
#endif
#endif
#ifndef FLOAT_FREE_LIST
#define FLOAT_FREE_LIST 1
#endif
#define FLOAT_FREE_MAX 256

typedef struct {
    FloatObject *head;
    unsigned count;
} FloatFreeList;

extern _Thread_local FloatFreeList float_free_list;

Object *float_from_double(double v);

/* A new float holding v, from the free list when it has one: inline, for
   the eval loop's arithmetic. NULL with MemoryError. */
static inline Object *float_new(double v)
{
    FloatObject *o = float_free_list.head;
    if (!FLOAT_FREE_LIST || o == NULL || object_hooks != 0)
        return float_from_double(v);
    float_free_list.head = o->next_free;
    float_free_list.count--;
    refcount_init_new(&o->base); /* with the type below: every header field */
    o->base.type = &float_type;
    o->value = v;
    return (Object *)o;
}

/* o, an exact float whose last reference REFCOUNT_DROP_LAST dropped:
   straight onto the free list, without the calls through object_dealloc
   and the type's dealloc slot that reach float_dealloc; while an object
   hook watches, or with the list full, through them. */
static inline __attribute__((always_inline)) void float_free_dead(Object *o)
{
    if (FLOAT_FREE_LIST && float_free_list.count < FLOAT_FREE_MAX && object_hooks == 0) {
        FloatObject *f = (FloatObject *)o;
        f->next_free = float_free_list.head;
        float_free_list.head = f;
        float_free_list.count++;
        return;
    }
    object_dealloc(o);
}

/* Drop a reference to o, an exact float. */
static inline void float_release(Object *o)
{
    if (REFCOUNT_DROP_LAST(o))
        float_free_dead(o);
}

/* d, the result of arithmetic on the exact float a (or the exact floats a
   and b), whose references the caller hands over: written into an operand
   that this was the last reference to (an intermediate result), and any
   other dead operand freed; else a new float. NULL with MemoryError (the
   operands released all the same). */
static inline __attribute__((always_inline)) Object *float_result_into(Object *a, Object *b,
                                                                   double d)
{
    Object *spare = NULL;
    if (REFCOUNT_DROP_LAST(a))
        spare = a;
    if (b != NULL && REFCOUNT_DROP_LAST(b)) {
        if (spare == NULL)
            spare = b;
        else
            float_free_dead(b);
    }
    if (spare == NULL)
        return float_new(d);
    REFCOUNT_RECLAIM(spare);
    ((FloatObject *)spare)->value = d;
    return spare;
}

/* Give the calling thread's free floats back to the allocator (thread exit). */
void float_thread_release(void);

/* float or a user subclass of it; is_float_exact: float itself. */
static inline bool is_float(Object *o) { return is_builtin_instance(o, &float_type); }
static inline bool is_float_exact(Object *o) { return o->type == &float_type; }
static inline double float_value(Object *o) { return ((FloatObject *)o)->value; }

/* repr(v) into buf (at least 32 bytes); returns the length. */
int float_repr_buf(double v, char *buf, size_t size);
/* Convert a real number to double as CPython's PyFloat_AsDouble: a float,
   an int (OverflowError when too large), __float__, then __index__.
   0 ok, -1 with TypeError "must be real number, not str". */
int float_as_double(Object *o, double *out);
/* Python's hash of a float (equal to the int hash for integral values). */
int64_t float_hash_double(double v);

/* ---- Added by float.c for int.c, format.c and the built-ins ----------- */

/* a OP b where each operand is an int or a float (at least one float): the
   float arithmetic with Python's rules and errors. NotImplemented (new ref)
   for other operand types or for shifts and bitwise operators. */
Object *float_binop(Object *a, Object *b, BinaryOp op);
/* Exact comparison of a double with an int64 (no rounding of either):
   -1, 0 or 1 as d <, ==, > i; 2 when d is NaN. */
int float_compare_int(double d, int64_t i);
/* divmod(x, y) when x or y is a float: a tuple of two floats. */
Object *float_divmod(double x, double y);
/* round(v) (has_ndigits false: an int, half to even) or round(v, ndigits)
   (a float, correctly rounded half to even in decimal). */
Object *float_round(double v, int64_t ndigits, bool has_ndigits);
/* float(s) for the text of a str: Python's syntax (whitespace, underscores,
   inf/nan); ValueError "could not convert string to float: 'x'". */
Object *float_from_string(const char *s, size_t len);

/* The shortest decimal digits that read back as v (finite, > 0): writes them
   NUL-terminated into digits (at least 24 bytes), no trailing zeros, and the
   decimal exponent of the first digit (v ~ d.ddd * 10**exp10). Returns the
   number of digits. The basis of repr and of format()'s default style. */
int float_shortest_digits(double v, char *digits, int *exp10);

#endif
