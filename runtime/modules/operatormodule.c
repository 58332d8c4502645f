/* operatormodule.c - the _operator module: Python's operators as functions
 * (add, neg, lt, getitem, iadd, ...), which runtime/lib/operator.toy
 * re-exports together with itemgetter, attrgetter and methodcaller.
 *
 * Each function checks its arguments with args_check, so a wrong call gets
 * the message CPython's C functions give ("add expected 2 arguments, got 1",
 * "_operator.neg() takes exactly one argument (0 given)"), and then does what
 * the operator does, through the generic operations of objects/abstract.h.
 * The module holds no state.
 *
 * Not provided: matmul and imatmul (Toy has no '@' operator) and
 * _compare_digest.
 */
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/module.h"
#include "modules/operatormodule.h"

#define UNUSED(x) (void)(x)

/* The function bodies differ only in the operation they apply, so macros
   write them: each takes the module, the argument vector and kwnames, as
   every CFunction does, and applies one operation to checked arguments. */
#define OPERATOR_BINARY(name, op)                                                       \
    static Object *operator_##name(Object *self, Object *const *args, size_t nargs,    \
                                   Object *kwnames) {                                   \
        UNUSED(self);                                                                   \
        if (args_check("_operator." #name, nargs, kwnames, 2, 2) < 0) return NULL;      \
        return object_binary_op(args[0], args[1], op);                                  \
    }

#define OPERATOR_INPLACE(name, op)                                                      \
    static Object *operator_##name(Object *self, Object *const *args, size_t nargs,    \
                                   Object *kwnames) {                                   \
        UNUSED(self);                                                                   \
        if (args_check("_operator." #name, nargs, kwnames, 2, 2) < 0) return NULL;      \
        return object_inplace_op(args[0], args[1], op);                                 \
    }

#define OPERATOR_COMPARE(name, op)                                                      \
    static Object *operator_##name(Object *self, Object *const *args, size_t nargs,    \
                                   Object *kwnames) {                                   \
        UNUSED(self);                                                                   \
        if (args_check("_operator." #name, nargs, kwnames, 2, 2) < 0) return NULL;      \
        return object_compare(args[0], args[1], op);                                    \
    }

#define OPERATOR_UNARY(name, func)                                                      \
    static Object *operator_##name(Object *self, Object *const *args, size_t nargs,    \
                                   Object *kwnames) {                                   \
        UNUSED(self);                                                                   \
        if (args_check("_operator." #name, nargs, kwnames, 1, 1) < 0) return NULL;      \
        return func(args[0]);                                                           \
    }

OPERATOR_BINARY(add, BINOP_ADD)
OPERATOR_BINARY(sub, BINOP_SUB)
OPERATOR_BINARY(mul, BINOP_MUL)
OPERATOR_BINARY(truediv, BINOP_TRUEDIV)
OPERATOR_BINARY(floordiv, BINOP_FLOORDIV)
OPERATOR_BINARY(mod, BINOP_MOD)
OPERATOR_BINARY(pow, BINOP_POW)
OPERATOR_BINARY(lshift, BINOP_LSHIFT)
OPERATOR_BINARY(rshift, BINOP_RSHIFT)
OPERATOR_BINARY(and_, BINOP_AND)
OPERATOR_BINARY(or_, BINOP_OR)
OPERATOR_BINARY(xor, BINOP_XOR)

OPERATOR_INPLACE(iadd, BINOP_ADD)
OPERATOR_INPLACE(isub, BINOP_SUB)
OPERATOR_INPLACE(imul, BINOP_MUL)
OPERATOR_INPLACE(itruediv, BINOP_TRUEDIV)
OPERATOR_INPLACE(ifloordiv, BINOP_FLOORDIV)
OPERATOR_INPLACE(imod, BINOP_MOD)
OPERATOR_INPLACE(ipow, BINOP_POW)
OPERATOR_INPLACE(ilshift, BINOP_LSHIFT)
OPERATOR_INPLACE(irshift, BINOP_RSHIFT)
OPERATOR_INPLACE(iand, BINOP_AND)
OPERATOR_INPLACE(ior, BINOP_OR)
OPERATOR_INPLACE(ixor, BINOP_XOR)

OPERATOR_COMPARE(lt, CMP_LT)
OPERATOR_COMPARE(le, CMP_LE)
OPERATOR_COMPARE(eq, CMP_EQ)
OPERATOR_COMPARE(ne, CMP_NE)
OPERATOR_COMPARE(gt, CMP_GT)
OPERATOR_COMPARE(ge, CMP_GE)

static Object *truth_of(Object *o) {
    int t = object_truth(o);
    return t < 0 ? NULL : bool_from(t);
}

static Object *not_of(Object *o) {
    int t = object_truth(o);
    return t < 0 ? NULL : bool_from(!t);
}

static Object *abs_of(Object *o) {
    UnaryFunc f = TYPE(o)->absolute;
    if (!f) return error_set(&exc_TypeError, "bad operand type for abs(): '%s'", TYPE_NAME(o));
    return f(o);
}

/* operator.index(a): an exact int (object_index). */
static Object *index_of(Object *o) { return object_index(o); }

OPERATOR_UNARY(neg, object_negative)
OPERATOR_UNARY(pos, object_positive)
OPERATOR_UNARY(inv, object_invert)
OPERATOR_UNARY(invert, object_invert)
OPERATOR_UNARY(abs, abs_of)
OPERATOR_UNARY(truth, truth_of)
OPERATOR_UNARY(not_, not_of)
OPERATOR_UNARY(index, index_of)

static Object *operator_is_(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("_operator.is_", nargs, kwnames, 2, 2) < 0) return NULL;
    return bool_from(args[0] == args[1]);
}

static Object *operator_is_not(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    UNUSED(self);
    if (args_check("_operator.is_not", nargs, kwnames, 2, 2) < 0) return NULL;
    return bool_from(args[0] != args[1]);
}

/* ---- Sequences and containers ------------------------------------------ */

static Object *operator_getitem(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    UNUSED(self);
    if (args_check("_operator.getitem", nargs, kwnames, 2, 2) < 0) return NULL;
    return object_getitem(args[0], args[1]);
}

static Object *operator_setitem(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    UNUSED(self);
    if (args_check("_operator.setitem", nargs, kwnames, 3, 3) < 0) return NULL;
    if (object_setitem(args[0], args[1], args[2]) < 0) return NULL;
    return NEWREF(None);
}

static Object *operator_delitem(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    UNUSED(self);
    if (args_check("_operator.delitem", nargs, kwnames, 2, 2) < 0) return NULL;
    if (object_delitem(args[0], args[1]) < 0) return NULL;
    return NEWREF(None);
}

static Object *operator_contains(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    UNUSED(self);
    if (args_check("_operator.contains", nargs, kwnames, 2, 2) < 0) return NULL;
    int r = object_contains(args[0], args[1]);
    return r < 0 ? NULL : bool_from(r);
}

/* concat needs a sequence on the left (a type that can be indexed and is not
   a mapping), as CPython's does, then adds. */
static Object *concat(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                      bool inplace) {
    if (args_check(fname, nargs, kwnames, 2, 2) < 0) return NULL;
    Object *a = args[0];
    if (!TYPE(a)->getitem || is_instance_of(a, &dict_type))
        return error_set(&exc_TypeError, "'%s' object can't be concatenated", TYPE_NAME(a));
    return inplace ? object_inplace_op(a, args[1], BINOP_ADD)
                   : object_binary_op(a, args[1], BINOP_ADD);
}

static Object *operator_concat(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    UNUSED(self);
    return concat("_operator.concat", args, nargs, kwnames, false);
}

static Object *operator_iconcat(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    UNUSED(self);
    return concat("_operator.iconcat", args, nargs, kwnames, true);
}

/* An iterator over seq for countOf / indexOf, whose error for a value that
   cannot be iterated is worded as CPython's sequence functions word it. */
static Object *sequence_iter(Object *seq) {
    if (!TYPE(seq)->iter && !TYPE(seq)->getitem)
        return error_set(&exc_TypeError, "argument of type '%s' is not iterable", TYPE_NAME(seq));
    return object_iter(seq);
}

/* The position of the first item of seq that is or equals value: 0 or more,
   -1 when there is none, -2 on error. count_all counts every match instead
   and returns the count. */
static int64_t sequence_search(Object *seq, Object *value, bool count_all) {
    Object *it = sequence_iter(seq);
    if (!it) return -2;
    int64_t pos = 0, count = 0;
    Object *item;
    while ((item = object_next(it)) != NULL) {
        int eq = object_equal(item, value);
        DECREF(item);
        if (eq < 0) break;
        if (eq && !count_all) {
            DECREF(it);
            return pos;
        }
        count += eq;
        pos++;
    }
    DECREF(it);
    if (error_occurred()) return -2;
    return count_all ? count : -1;
}

static Object *operator_countOf(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    UNUSED(self);
    if (args_check("_operator.countOf", nargs, kwnames, 2, 2) < 0) return NULL;
    int64_t n = sequence_search(args[0], args[1], true);
    return n < 0 ? NULL : int_from_i64(n);
}

static Object *operator_indexOf(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    UNUSED(self);
    if (args_check("_operator.indexOf", nargs, kwnames, 2, 2) < 0) return NULL;
    int64_t n = sequence_search(args[0], args[1], false);
    if (n == -1) return error_set(&exc_ValueError, "sequence.index(x): x not in sequence");
    return n < 0 ? NULL : int_from_i64(n);
}

/* ---- length_hint and call ------------------------------------------------ */

/* What __length_hint__ said, checked: a non-negative int, or default when it
   returned NotImplemented. */
static Object *checked_length_hint(Object *hint, Object *deflt) {
    if (hint == NotImplemented) {
        DECREF(hint);
        return NEWREF(deflt);
    }
    if (!is_int(hint)) {
        error_set(&exc_TypeError, "__length_hint__ must be an integer, not %s", TYPE_NAME(hint));
        DECREF(hint);
        return NULL;
    }
    int64_t n;
    if (int_as_i64(hint, &n) < 0) {
        DECREF(hint);
        return NULL;
    }
    DECREF(hint);
    if (n < 0) return error_set(&exc_ValueError, "__length_hint__() should return >= 0");
    return int_from_i64(n);
}

static Object *operator_length_hint(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    UNUSED(self);
    if (args_check("_operator.length_hint", nargs, kwnames, 1, 2) < 0) return NULL;
    Object *obj = args[0], *deflt = nargs > 1 ? args[1] : NULL;
    int64_t d = 0;
    if (deflt && object_as_index(deflt, &d, NULL) < 0) return NULL;
    if (TYPE(obj)->len) {
        int64_t n = object_len(obj);
        if (n >= 0) return int_from_i64(n);
        if (!error_matches(&exc_TypeError)) return NULL;
        error_clear();
    }
    if (!type_lookup_cstr(TYPE(obj), "__length_hint__"))
        return deflt ? NEWREF(deflt) : int_from_i64(0);
    Object *hint = object_call_method(obj, "__length_hint__", NULL, 0);
    if (!hint) return NULL;
    Object *zero = deflt ? NULL : int_from_i64(0);
    Object *r = checked_length_hint(hint, deflt ? deflt : zero);
    XDECREF(zero);
    return r;
}

/* call(obj, /, *args, **kwargs): the keyword values follow the positional
   arguments in the vector, so the rest of it is passed on as it is. */
static Object *operator_call(Object *self, Object *const *args, size_t nargs,
                             Object *kwnames) {
    UNUSED(self);
    if (nargs == 0) return error_set(&exc_TypeError, "call expected at least 1 argument, got 0");
    return object_call(args[0], args + 1, nargs - 1, kwnames);
}

#define ENTRY(name) {#name, operator_##name, NULL}

static const MethodDef operator_functions[] = {
    ENTRY(add), ENTRY(sub), ENTRY(mul), ENTRY(truediv), ENTRY(floordiv), ENTRY(mod),
    ENTRY(pow), ENTRY(lshift), ENTRY(rshift), ENTRY(and_), ENTRY(or_), ENTRY(xor),
    ENTRY(iadd), ENTRY(isub), ENTRY(imul), ENTRY(itruediv), ENTRY(ifloordiv), ENTRY(imod),
    ENTRY(ipow), ENTRY(ilshift), ENTRY(irshift), ENTRY(iand), ENTRY(ior), ENTRY(ixor),
    ENTRY(lt), ENTRY(le), ENTRY(eq), ENTRY(ne), ENTRY(gt), ENTRY(ge),
    ENTRY(neg), ENTRY(pos), ENTRY(inv), ENTRY(invert), ENTRY(abs), ENTRY(truth),
    ENTRY(not_), ENTRY(index), ENTRY(is_), ENTRY(is_not),
    ENTRY(getitem), ENTRY(setitem), ENTRY(delitem), ENTRY(contains), ENTRY(concat),
    ENTRY(iconcat), ENTRY(countOf), ENTRY(indexOf), ENTRY(length_hint), ENTRY(call),
    {NULL, NULL, NULL},
};

Object *operator_module_init(void) {
    Object *m = module_new("_operator");
    if (!m) return NULL;
    if (module_add_functions(m, operator_functions) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
