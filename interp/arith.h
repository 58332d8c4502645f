/* arith.h - the eval loop's fast paths for float arithmetic and comparisons.
 *
 * BINARY_OP, INPLACE_OP and COMPARE_OP test their operands' exact types
 * inline (arith_float_applies, arith_float_operands) and call the bodies
 * here, which skip the generic dispatch of abstract.c. They apply only to
 * the exact built-in types float and int, whose operators no program can
 * replace, so a subclass (with its own __radd__, say) always takes the
 * generic path and gets its reflected method called first. Every result
 * and every error message is the one the generic path would give.
 *
 * Build switch: VM_FLOAT_FAST_PATHS=0 (make CFLAGS='-O2
 * -DVM_FLOAT_FAST_PATHS=0') compiles them out, to measure what they win.
 */
#ifndef TOY_ARITH_H
#define TOY_ARITH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/object.h"
#include "objects/float.h"
#include "objects/int.h"

#ifndef VM_FLOAT_FAST_PATHS
#define VM_FLOAT_FAST_PATHS 1
#endif

/* An exact float with an exact float or int, in either order. */
static inline bool arith_float_operands(Object *a, Object *b)
{
    Type *ta = TYPE(a), *tb = TYPE(b);
    if (ta == &float_type)
        return tb == &float_type || tb == &int_type;
    return ta == &int_type && tb == &float_type;
}

/* Does arith_binop handle a op b? The arithmetic operators (+ - * / // %
   **; shifts and bitwise operators raise TypeError on floats, with a
   message that differs for op=) on float operands (above), and the true
   division of two exact ints, whose result is a float too. */
static inline bool arith_float_applies(Object *a, Object *b, uint32_t op)
{
    if (op > BINOP_POW)
        return false;
    if (arith_float_operands(a, b))
        return true;
    return op == BINOP_TRUEDIV && TYPE(a) == &int_type && TYPE(b) == &int_type;
}

/* The value of an operand of arith_float_pair: an exact float, or a small
   int, converted as CPython converts it (to the nearest double, ties to
   even: C's conversion under the default rounding mode). false for
   anything else, a big int included. */
static inline bool arith_operand_double(Object *o, double *out)
{
    if (TYPE(o) == &float_type) {
        *out = float_value(o);
        return true;
    }
    if (TYPE(o) != &int_type || !int_is_small(o))
        return false;
    *out = (double)int_value(o);
    return true;
}

/* x op y for the four operators that need no more than one C operation:
   true with *r set; false for the other operators and a division by
   zero, which float_binop does with its own checks and messages. */
static inline bool arith_doubles(uint32_t op, double x, double y, double *r)
{
    switch (op) {
    case BINOP_ADD:
        *r = x + y;
        return true;
    case BINOP_SUB:
        *r = x - y;
        return true;
    case BINOP_MUL:
        *r = x * y;
        return true;
    case BINOP_TRUEDIV:
        *r = x / y;
        return y != 0.0;
    default:
        return false;
    }
}

/* a op b for two exact floats (arith_doubles): true with *r set, false
   for anything else. The eval loop inlines this one. */
static inline bool arith_float_pair(uint32_t op, Object *a, Object *b, double *r)
{
    if (TYPE(a) != &float_type || TYPE(b) != &float_type)
        return false;
    return arith_doubles(op, float_value(a), float_value(b), r);
}

/* The same for an exact float with a small int, in either order (and two
   floats): true with *r set, false for anything else, two ints included.
   Kept out of the loop's inline path, whose int code paid for its
   registers. */
static inline bool arith_mixed_pair(uint32_t op, Object *a, Object *b, double *r)
{
    double x, y;
    if ((TYPE(a) != &float_type && TYPE(b) != &float_type) || !arith_operand_double(a, &x) ||
        !arith_operand_double(b, &y))
        return false;
    return arith_doubles(op, x, y, r);
}

/* a op b for operands arith_float_applies accepted: a new reference, or
   NULL with the exception set. spare is NULL or one of the operands, an
   exact float nobody else can see (the caller still owns it): the result
   is written into it instead of allocating a new float. */
Object *arith_binop(BinaryOp op, Object *a, Object *b, Object *spare);

/* The answer to op for x and y. C's comparisons already give Python's
   answers for NaN: false, except for !=. */
static inline bool arith_compare_doubles(double x, double y, CompareOp op)
{
    switch (op) {
    case CMP_LT: return x < y;
    case CMP_LE: return x <= y;
    case CMP_EQ: return x == y;
    case CMP_NE: return x != y;
    case CMP_GT: return x > y;
    default:     return x >= y;
    }
}

/* a op b for operands arith_float_operands accepted: 0 or 1, or -1 when
   the comparison needs the generic path (an int too big for int64). Never
   raises. */
int arith_float_compare(Object *a, Object *b, CompareOp op);

#endif
