/* arith.c - the eval loop's float fast paths (arith.h).
 *
 * Operands are exact floats and ints. A small int converts to double as
 * CPython converts it (rounded to nearest, ties to even: the C conversion
 * under the default rounding mode); a big int sends the operation to the
 * generic path, which raises OverflowError when it is too large. Floor
 * division, modulo and power go to float_binop, the float type's own code,
 * directly. A big int gives the same answer, or the same OverflowError,
 * from BINARY_OP and INPLACE_OP alike (neither int nor float has in-place
 * operators), so its fallback is object_binary_op for both.
 */
#include "interp/arith.h"

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"

/* The value of an exact float or small int; false for a big int. */
static bool operand_double(Object *o, double *out)
{
    if (TYPE(o) == &float_type) {
        *out = float_value(o);
        return true;
    }
    if (!int_is_small(o))
        return false;
    *out = (double)int_value(o);
    return true;
}

/* A float holding v: spare, overwritten, when there is one. */
static Object *float_result(double v, Object *spare)
{
    if (spare == NULL)
        return float_new(v);
    ((FloatObject *)spare)->value = v;
    return NEWREF(spare);
}

/* x / y for two small ints. Ints up to 2**53 are exact doubles, so one
   division rounds correctly; larger ones need the generic path's scaled
   BigInt division. */
static Object *int_true_divide(Object *a, Object *b)
{
    const int64_t exact = (int64_t)1 << 53;
    if (!int_both_small(a, b))
        return object_binary_op(a, b, BINOP_TRUEDIV);
    int64_t x = int_value(a), y = int_value(b);
    if (y == 0)
        return error_set(&exc_ZeroDivisionError, "division by zero");
    if (x < -exact || x > exact || y < -exact || y > exact)
        return object_binary_op(a, b, BINOP_TRUEDIV);
    return float_new((double)x / (double)y);
}

Object *arith_binop(BinaryOp op, Object *a, Object *b, Object *spare)
{
    double x, y;
    if (TYPE(a) == &int_type && TYPE(b) == &int_type)
        return int_true_divide(a, b);
    if (!operand_double(a, &x) || !operand_double(b, &y))
        return object_binary_op(a, b, op);
    switch (op) {
    case BINOP_ADD:
        return float_result(x + y, spare);
    case BINOP_SUB:
        return float_result(x - y, spare);
    case BINOP_MUL:
        return float_result(x * y, spare);
    case BINOP_TRUEDIV:
        if (y == 0.0)
            return error_set(&exc_ZeroDivisionError, "float division by zero");
        return float_result(x / y, spare);
    default: /* BINOP_FLOORDIV, BINOP_MOD, BINOP_POW: arith_float_applies */
        return float_binop(a, b, op);
    }
}

int arith_float_compare(Object *a, Object *b, CompareOp op)
{
    if (TYPE(a) == &float_type && TYPE(b) == &float_type)
        return arith_compare_doubles(float_value(a), float_value(b), op);
    /* A float against an int compares exactly, never through a rounded
       double: 2**53 + 1 != float(2**53). */
    bool float_first = TYPE(a) == &float_type;
    Object *i = float_first ? b : a;
    if (!int_is_small(i))
        return -1;
    int c = float_compare_int(float_value(float_first ? a : b), int_value(i));
    if (c == 2) /* NaN */
        return op == CMP_NE;
    return compare_i64(float_first ? c : -c, 0, op);
}
