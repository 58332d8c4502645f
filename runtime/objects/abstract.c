/* abstract.c - the generic operations behind `a + b`, `x[i]`, `len(x)`,
 * `f(*args)`, `str(x)`, ... for any object, and the argument helpers the
 * built-in functions use.
 *
 * Everything here dispatches through the type slots (object.h). A NULL slot
 * means "not supported", and the function raises the TypeError CPython 3.11
 * raises, with the same text.
 *
 * Invariants and rules followed throughout:
 *   - Results are new references, arguments borrowed; NULL / -1 means an
 *     exception is set (refcount.h, error.h).
 *   - Binary operators follow Python's protocol: a's slot, then b's slot when
 *     b's type differs (b's first when it is a subclass of a's type). Each slot
 *     receives (a, b) in source order and answers NotImplemented when it
 *     cannot handle the pair. A slot shared by both types is called once.
 *   - Comparisons try the reflected operation (a < b -> b > a); == and !=
 *     fall back to identity.
 *   - repr, str and rich comparison can recurse without bound through nested
 *     containers, so they count against the recursion limit like a Toy call
 *     (CPython does the same, with the same RecursionError texts).
 *   - The old sequence protocol (a class with only __getitem__) iterates with
 *     range.h's seq_iter.
 */
#include "objects/abstract.h"
#include "objects/bytes.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/range.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "interp/vm.h"

const char *const binary_op_symbols[BINOP_COUNT] = {
    [BINOP_ADD] = "+",       [BINOP_SUB] = "-",     [BINOP_MUL] = "*",
    [BINOP_TRUEDIV] = "/",   [BINOP_FLOORDIV] = "//", [BINOP_MOD] = "%",
    [BINOP_POW] = "**",      [BINOP_LSHIFT] = "<<", [BINOP_RSHIFT] = ">>",
    [BINOP_AND] = "&",       [BINOP_OR] = "|",      [BINOP_XOR] = "^",
};

/* The inplace spellings, for "unsupported operand type(s) for +=: ...". */
static const char *const inplace_op_symbols[BINOP_COUNT] = {
    [BINOP_ADD] = "+=",      [BINOP_SUB] = "-=",     [BINOP_MUL] = "*=",
    [BINOP_TRUEDIV] = "/=",  [BINOP_FLOORDIV] = "//=", [BINOP_MOD] = "%=",
    [BINOP_POW] = "**=",     [BINOP_LSHIFT] = "<<=", [BINOP_RSHIFT] = ">>=",
    [BINOP_AND] = "&=",      [BINOP_OR] = "|=",      [BINOP_XOR] = "^=",
};

const char *const compare_op_symbols[6] = {
    [CMP_LT] = "<", [CMP_LE] = "<=", [CMP_EQ] = "==",
    [CMP_NE] = "!=", [CMP_GT] = ">", [CMP_GE] = ">=",
};

/* ---- Small helpers ---------------------------------------------------------- */

/* Is o a class (a Type object)? Metaclasses derive from type. */
static bool is_type_object(Object *o) {
    return TYPE(o) == &type_type || type_is_subtype(TYPE(o), &type_type);
}

/* C-level recursion guard: counts against the recursion limit together with
   Toy frames (as in CPython 3.11, so the limit and the message match), and
   also stops before the C stack runs out when the limit is set very high. */
int recursion_enter(const char *where) {
    ThreadState *ts = ts_get();
    if (ts->recursion_depth >= interp.recursion_limit || vm_check_c_stack() < 0) {
        error_set(&exc_RecursionError, "maximum recursion depth exceeded%s", where);
        return -1;
    }
    ts->recursion_depth++;
    return 0;
}

void recursion_leave(void) { ts_get()->recursion_depth--; }

/* the local spellings */
static int enter_recursion(const char *where) { return recursion_enter(where); }
static void leave_recursion(void) { recursion_leave(); }

/* ---- repr, str, hash, truth, len ------------------------------------------- */

Object *object_repr(Object *o) {
    UnaryFunc f = TYPE(o)->repr;
    if (!f) return str_from_format("<%s object at %p>", TYPE_NAME(o), (void *)o);
    if (enter_recursion(" while getting the repr of an object") < 0) return NULL;
    Object *r = f(o);
    leave_recursion();
    if (r && !is_str(r)) {
        error_set(&exc_TypeError, "__repr__ returned non-string (type %s)", TYPE_NAME(r));
        CLEAR(&r);
    }
    return r;
}

Object *object_str(Object *o) {
    if (is_str_exact(o)) return NEWREF(o);
    if (TYPE(o) == &int_type) return int_repr(o); /* print(i), "%s" % i: the digits directly */
    UnaryFunc f = TYPE(o)->str;
    if (!f) return object_repr(o);
    if (enter_recursion(" while getting the str of an object") < 0) return NULL;
    Object *r = f(o);
    leave_recursion();
    if (r && !is_str(r)) {
        error_set(&exc_TypeError, "__str__ returned non-string (type %s)", TYPE_NAME(r));
        CLEAR(&r);
    }
    return r;
}

int64_t object_hash(Object *o) {
    HashFunc f = TYPE(o)->hash;
    if (!f) {
        error_set(&exc_TypeError, "unhashable type: '%s'", TYPE_NAME(o));
        return -1;
    }
    return f(o);
}

int object_truth(Object *o) {
    if (o == True_) return 1;
    if (o == False_ || o == None) return 0;
    Type *t = TYPE(o);
    if (t->truth) return t->truth(o);
    if (t->len) {
        int64_t n = object_len(o);
        return n < 0 ? -1 : n != 0;
    }
    return 1;
}

int64_t object_len(Object *o) {
    LenFunc f = TYPE(o)->len;
    if (!f) {
        error_set(&exc_TypeError, "object of type '%s' has no len()", TYPE_NAME(o));
        return -1;
    }
    int64_t n = f(o);
    if (n < 0 && !error_occurred()) {
        error_set(&exc_ValueError, "__len__() should return >= 0");
        return -1;
    }
    return n;
}

/* ---- Binary operators ------------------------------------------------------- */

/* Python's operand protocol: returns the result, NotImplemented (new
   reference) when neither operand's slot handles the pair, or NULL. */
static Object *binary_dispatch(Object *a, Object *b, BinaryOp op) {
    BinaryFunc fa = TYPE(a)->binary[op];
    BinaryFunc fb = NULL;
    if (TYPE(b) != TYPE(a)) {
        fb = TYPE(b)->binary[op];
        if (fb == fa) fb = NULL;
    }
    if (fa) {
        /* A subclass's reflected method gets the first word. */
        if (fb && type_is_subtype(TYPE(b), TYPE(a))) {
            Object *r = fb(a, b);
            if (r != NotImplemented) return r;
            DECREF(r);
            fb = NULL;
        }
        Object *r = fa(a, b);
        if (r != NotImplemented) return r;
        DECREF(r);
    }
    if (fb) return fb(a, b);
    return NEWREF(NotImplemented);
}

static bool is_builtin_sequence(Object *o, const char **name) {
    if (is_instance_of(o, &str_type)) { *name = "str"; return true; }
    if (is_instance_of(o, &list_type)) { *name = "list"; return true; }
    if (is_instance_of(o, &tuple_type)) { *name = "tuple"; return true; }
    return false;
}

/* A built-in sequence that repeats with `*` (str, list, tuple, bytes,
   bytearray, array.array, ...): a static type with a length and a `*`
   slot. CPython's sq_repeat. */
static bool is_repeatable_sequence(Object *o) {
    const char *seqname;
    if (is_builtin_sequence(o, &seqname)) return true;
    Type *t = TYPE(o);
    return !(t->flags & TYPE_HEAP) && t->len && t->binary[BINOP_MUL] && !t->index;
}

/* `seq * n` where n is not an int but has __index__: repeat with the index
   value, as CPython's sequence protocol does. NotImplemented if it cannot. */
static Object *sequence_repeat_index(Object *seq, Object *count, bool seq_first, bool inplace) {
    if (is_int_exact(count)) return NEWREF(NotImplemented);
    if (!TYPE(count)->index && !type_lookup_cstr(TYPE(count), "__index__"))
        return NEWREF(NotImplemented);
    int64_t n;
    if (object_as_index(count, &n, NULL) < 0) return NULL;
    Object *nobj = int_from_i64(n);
    if (!nobj) return NULL;
    BinaryFunc in_place = inplace && seq_first ? TYPE(seq)->inplace[BINOP_MUL] : NULL;
    Object *r = in_place ? in_place(seq, nobj)   /* a list *= n repeats in place */
              : seq_first ? binary_dispatch(seq, nobj, BINOP_MUL)
                          : binary_dispatch(nobj, seq, BINOP_MUL);
    DECREF(nobj);
    return r;
}

/* CPython's tp_as_sequence: dicts, ranges and instances of classes have
   sequence methods, numbers do not. a *= seq repeats the right operand only
   when the left one has none. */
static bool has_sequence_slots(Object *o) {
    return (TYPE(o)->flags & TYPE_HEAP) || TYPE(o)->contains || TYPE(o)->len;
}

/* Neither operand handled a OP b: the TypeError, with the sequence-specific
   texts CPython uses for + and * on str, list and tuple. */
static Object *binary_op_error(Object *a, Object *b, BinaryOp op, bool inplace) {
    const char *seqname;
    if (op == BINOP_ADD && is_builtin_sequence(a, &seqname))
        return error_set(&exc_TypeError, "can only concatenate %s (not \"%s\") to %s",
                         seqname, TYPE_NAME(b), seqname);
    if (op == BINOP_MUL) {
        if (is_repeatable_sequence(a))
            return error_set(&exc_TypeError, "can't multiply sequence by non-int of type '%s'",
                             TYPE_NAME(b));
        if (is_repeatable_sequence(b) && !(inplace && has_sequence_slots(a)))
            return error_set(&exc_TypeError, "can't multiply sequence by non-int of type '%s'",
                             TYPE_NAME(a));
    }
    const char *sym = inplace ? inplace_op_symbols[op]
                    : op == BINOP_POW ? "** or pow()" : binary_op_symbols[op];
    return error_set(&exc_TypeError, "unsupported operand type(s) for %s: '%s' and '%s'",
                     sym, TYPE_NAME(a), TYPE_NAME(b));
}

/* After r from the operands' slots: the sequence repeat with an
   __index__ count when r is NotImplemented for `*`. */
static Object *repeat_fallback(Object *r, Object *a, Object *b, BinaryOp op, bool inplace) {
    if (r != NotImplemented || op != BINOP_MUL) return r;
    DECREF(r);
    if (is_repeatable_sequence(a)) return sequence_repeat_index(a, b, true, inplace);
    if (is_repeatable_sequence(b)) return sequence_repeat_index(b, a, false, inplace);
    return NEWREF(NotImplemented);
}

/* binary_dispatch, then the sequence repeat with an __index__ count. */
static Object *binary_with_fallbacks(Object *a, Object *b, BinaryOp op, bool inplace) {
    return repeat_fallback(binary_dispatch(a, b, op), a, b, op, inplace);
}

Object *object_binary_op(Object *a, Object *b, BinaryOp op) {
    Object *r = binary_with_fallbacks(a, b, op, false);
    if (r != NotImplemented) return r;
    DECREF(r);
    return binary_op_error(a, b, op, false);
}

Object *object_binary_op_after_left(Object *a, Object *b, BinaryOp op, bool inplace) {
    const char *seqname;
    Object *r;
    if (inplace && op == BINOP_MUL && is_builtin_sequence(b, &seqname) &&
        !is_builtin_sequence(a, &seqname) && has_sequence_slots(a)) {
        r = NEWREF(NotImplemented); /* a's own multiplication was all there was to try */
    } else {
        BinaryFunc fa = TYPE(a)->binary[op];
        BinaryFunc fb = TYPE(b) != TYPE(a) ? TYPE(b)->binary[op] : NULL;
        r = fb && fb != fa ? fb(a, b) : NEWREF(NotImplemented);
        r = repeat_fallback(r, a, b, op, inplace);
    }
    if (r != NotImplemented) return r;
    DECREF(r);
    return binary_op_error(a, b, op, inplace);
}

Object *object_inplace_op(Object *a, Object *b, BinaryOp op) {
    BinaryFunc f = TYPE(a)->inplace[op];
    if (f) {
        Object *r = f(a, b);
        if (r != NotImplemented) return r;
        DECREF(r);
    }
    const char *seqname;
    Object *r;
    if (op == BINOP_MUL && is_builtin_sequence(b, &seqname) && !is_builtin_sequence(a, &seqname) &&
        has_sequence_slots(a)) /* only a's own multiplication is tried */
        r = TYPE(a)->binary[op] ? TYPE(a)->binary[op](a, b) : NEWREF(NotImplemented);
    else
        r = binary_with_fallbacks(a, b, op, true);
    if (r != NotImplemented) return r;
    DECREF(r);
    return binary_op_error(a, b, op, true);
}

/* ---- Unary operators -------------------------------------------------------- */

static Object *unary_op(Object *o, UnaryFunc f, const char *sym) {
    if (!f) return error_set(&exc_TypeError, "bad operand type for unary %s: '%s'",
                             sym, TYPE_NAME(o));
    return f(o);
}

Object *object_negative(Object *o) { return unary_op(o, TYPE(o)->neg, "-"); }
Object *object_positive(Object *o) { return unary_op(o, TYPE(o)->pos, "+"); }
Object *object_invert(Object *o) { return unary_op(o, TYPE(o)->invert, "~"); }

/* ---- Comparison ------------------------------------------------------------- */

static const CompareOp swapped_op[6] = {
    [CMP_LT] = CMP_GT, [CMP_LE] = CMP_GE, [CMP_EQ] = CMP_EQ,
    [CMP_NE] = CMP_NE, [CMP_GT] = CMP_LT, [CMP_GE] = CMP_LE,
};

/* Python's comparison protocol, without the recursion guard. */
static Object *compare_dispatch(Object *a, Object *b, CompareOp op) {
    RichCompareFunc fa = TYPE(a)->richcompare;
    RichCompareFunc fb = TYPE(b)->richcompare;
    bool reflected_tried = false;
    /* A subclass on the right gets the first word through its reflection. */
    if (TYPE(a) != TYPE(b) && fb && type_is_subtype(TYPE(b), TYPE(a))) {
        reflected_tried = true;
        Object *r = fb(b, a, swapped_op[op]);
        if (r != NotImplemented) return r;
        DECREF(r);
    }
    if (fa) {
        Object *r = fa(a, b, op);
        if (r != NotImplemented) return r;
        DECREF(r);
    }
    if (!reflected_tried && fb) {
        Object *r = fb(b, a, swapped_op[op]);
        if (r != NotImplemented) return r;
        DECREF(r);
    }
    if (op == CMP_EQ) return bool_from(a == b);
    if (op == CMP_NE) return bool_from(a != b);
    return error_set(&exc_TypeError, "'%s' not supported between instances of '%s' and '%s'",
                     compare_op_symbols[op], TYPE_NAME(a), TYPE_NAME(b));
}

Object *object_compare(Object *a, Object *b, CompareOp op) {
    if (is_int_exact(a) && is_int_exact(b) && int_both_small(a, b))
        return bool_from(compare_i64(int_value(a), int_value(b), op));
    if (enter_recursion(" in comparison") < 0) return NULL;
    Object *r = compare_dispatch(a, b, op);
    leave_recursion();
    return r;
}

int object_compare_bool(Object *a, Object *b, CompareOp op) {
    /* Identity implies equality, as in CPython (containers rely on it). */
    if (a == b) {
        if (op == CMP_EQ) return 1;
        if (op == CMP_NE) return 0;
    }
    if (is_int_exact(a) && is_int_exact(b) && int_both_small(a, b))
        return compare_i64(int_value(a), int_value(b), op);
    if (is_str_exact(a) && is_str_exact(b) && (op == CMP_EQ || op == CMP_NE))
        return str_equal(a, b) == (op == CMP_EQ);
    Object *r = object_compare(a, b, op);
    if (!r) return -1;
    int t = object_truth(r);
    DECREF(r);
    return t;
}

int object_equal(Object *a, Object *b) { return object_compare_bool(a, b, CMP_EQ); }

static bool compares_plainly(Object *o, int depth) {
    Type *t = TYPE(o);
    if (t == &int_type || t == &bool_type || t == &float_type || t == &str_type ||
        t == &bytes_type || t == &none_type)
        return true;
    if (t != &tuple_type || depth == 0) return false;
    for (size_t i = 0; i < tuple_size(o); i++)
        if (!compares_plainly(tuple_item(o, i), depth - 1)) return false;
    return true;
}

bool object_is_plain(Object *o) { return compares_plainly(o, 2); }

Object *object_compare_sequences(Object *a, Object *b, CompareOp op, Type *type,
                                 SequenceItemsFunc items) {
    if (!is_instance_of(a, type) || !is_instance_of(b, type)) return NEWREF(NotImplemented);
    size_t na, nb;
    Object *const *ia = items(a, &na), *const *ib = items(b, &nb);
    if (na != nb && (op == CMP_EQ || op == CMP_NE)) return bool_from(op == CMP_NE);
    size_t i;
    for (i = 0; i < na && i < nb; i++) {
        Object *x = ia[i], *y = ib[i];
        if (x == y) continue;
        INCREF(x); /* __eq__ may drop them from a list */
        INCREF(y);
        int eq = object_compare_bool(x, y, CMP_EQ);
        DECREF(x);
        DECREF(y);
        if (eq < 0) return NULL;
        ia = items(a, &na);
        ib = items(b, &nb);
        if (eq == 0) break;
    }
    if (i >= na || i >= nb) return bool_from(compare_i64((int64_t)na, (int64_t)nb, op));
    if (op == CMP_EQ || op == CMP_NE) return bool_from(op == CMP_NE);
    Object *x = NEWREF(ia[i]), *y = NEWREF(ib[i]);
    Object *r = object_compare(x, y, op);
    DECREF(x);
    DECREF(y);
    return r;
}

/* ---- Items and membership --------------------------------------------------- */

Object *object_getitem(Object *o, Object *key) {
    BinaryFunc f = TYPE(o)->getitem;
    if (f) return f(o, key);
    if (is_type_object(o))
        return error_set(&exc_TypeError, "type '%s' is not subscriptable", ((Type *)o)->name);
    return error_set(&exc_TypeError, "'%s' object is not subscriptable", TYPE_NAME(o));
}

int object_setitem(Object *o, Object *key, Object *value) {
    SetItemFunc f = TYPE(o)->setitem;
    if (!f) {
        error_set(&exc_TypeError, "'%s' object does not support item assignment", TYPE_NAME(o));
        return -1;
    }
    return f(o, key, value);
}

int object_delitem(Object *o, Object *key) {
    SetItemFunc f = TYPE(o)->setitem;
    if (!f) {
        error_set(&exc_TypeError, "'%s' object doesn't support item deletion", TYPE_NAME(o));
        return -1;
    }
    return f(o, key, NULL);
}

int object_contains(Object *container, Object *item) {
    Type *t = TYPE(container);
    if (t->contains) return t->contains(container, item);
    if (!t->iter && !t->getitem) {
        error_set(&exc_TypeError, "argument of type '%s' is not iterable", TYPE_NAME(container));
        return -1;
    }
    Object *it = object_iter(container);
    if (!it) return -1;
    int found = 0;
    Object *x;
    while ((x = object_next(it)) != NULL) {
        found = object_equal(x, item);
        DECREF(x);
        if (found != 0) break;
    }
    if (!x && error_occurred()) found = -1;
    DECREF(it);
    return found;
}

/* ---- Attributes ------------------------------------------------------------- */

/* A name that is not a plain str: 0 for an instance of a str subclass,
   else -1 with the TypeError set. */
static int check_other_attr_name(Object *name) {
    if (is_str(name)) return 0;
    error_set(&exc_TypeError, "attribute name must be string, not '%s'", TYPE_NAME(name));
    return -1;
}

/* getattr and setattr check the name out of line (the *_other_name
   functions), so that for the plain str they nearly always get they stay a
   jump to the type's slot. */
static inline Object *getattr_slot(Object *o, Object *name) {
    GetAttrFunc f = TYPE(o)->getattr;
    return f ? f(o, name) : object_generic_getattr(o, name);
}

static __attribute__((noinline)) Object *getattr_other_name(Object *o, Object *name) {
    return check_other_attr_name(name) < 0 ? NULL : getattr_slot(o, name);
}

Object *object_getattr(Object *o, Object *name) {
    return is_str_exact(name) ? getattr_slot(o, name) : getattr_other_name(o, name);
}

Object *object_getattr_cstr(Object *o, const char *name) {
    Object *key = str_intern_cstr(name);
    if (!key) return NULL;
    Object *r = object_getattr(o, key);
    DECREF(key);
    return r;
}

static inline int setattr_slot(Object *o, Object *name, Object *value) {
    SetAttrFunc f = TYPE(o)->setattr;
    return f ? f(o, name, value) : object_generic_setattr(o, name, value);
}

static __attribute__((noinline)) int setattr_other_name(Object *o, Object *name, Object *value) {
    return check_other_attr_name(name) < 0 ? -1 : setattr_slot(o, name, value);
}

int object_setattr(Object *o, Object *name, Object *value) {
    return is_str_exact(name) ? setattr_slot(o, name, value) : setattr_other_name(o, name, value);
}

int object_delattr(Object *o, Object *name) { return object_setattr(o, name, NULL); }

int object_hasattr(Object *o, Object *name) {
    Object *v = object_getattr(o, name);
    if (v) {
        DECREF(v);
        return 1;
    }
    if (!error_matches(&exc_AttributeError)) return -1;
    error_clear();
    return 0;
}

/* ---- Iteration -------------------------------------------------------------- */

Object *object_iter(Object *o) {
    Type *t = TYPE(o);
    if (t->iter) {
        Object *it = t->iter(o);
        if (it && !TYPE(it)->iternext) {
            error_set(&exc_TypeError, "iter() returned non-iterator of type '%s'", TYPE_NAME(it));
            CLEAR(&it);
        }
        return it;
    }
    if (t->getitem && !is_type_object(o)) return seq_iter_new(o);
    return error_set(&exc_TypeError, "'%s' object is not iterable", TYPE_NAME(o));
}

Object *object_next(Object *it) {
    IterNextFunc f = TYPE(it)->iternext;
    if (!f) return error_set(&exc_TypeError, "'%s' object is not an iterator", TYPE_NAME(it));
    return f(it);
}

/* ---- Calls ------------------------------------------------------------------ */

Object *object_call(Object *callable, Object *const *args, size_t nargs, Object *kwnames) {
    CallFunc f = TYPE(callable)->call;
    if (f) return f(callable, args, nargs, kwnames);
    if (is_type_object(callable)) {
        Type *t = (Type *)callable;
        if (t->construct) return t->construct(t, args, nargs, kwnames);
        return error_set(&exc_TypeError, "cannot create '%s' instances", t->name);
    }
    return error_set(&exc_TypeError, "'%s' object is not callable", TYPE_NAME(callable));
}

int object_call_args_init(CallArgs *ca, Object *self, Object *args, Object *kwargs) {
    size_t nself = self ? 1 : 0, npos = tuple_size(args);
    size_t nkw = kwargs ? dict_size(kwargs) : 0;
    size_t total = nself + npos + nkw;
    ca->nargs = nself + npos;
    ca->kwnames = NULL;
    ca->heap = NULL;
    ca->heap_len = 0;
    if (nself + nkw == 0) { /* the tuple's items are the vector */
        ca->argv = tuple_items(args);
        return 0;
    }
    Object **argv = ca->small;
    if (total > sizeof ca->small / sizeof ca->small[0]) {
        if (!(argv = ca->heap = mem_alloc(total * sizeof(Object *)))) {
            ca->argv = ca->small;
            error_no_memory();
            return -1;
        }
        ca->heap_len = total;
    }
    ca->argv = argv;
    if (self) argv[0] = self;
    memcpy(argv + nself, tuple_items(args), npos * sizeof(Object *));
    if (nkw == 0) return 0;
    if (!(ca->kwnames = tuple_new(nkw))) return -1;
    size_t pos = 0, i = 0;
    Object *k, *v;
    while (i < nkw && dict_next(kwargs, &pos, &k, &v)) {
        if (!is_str(k)) {
            error_set(&exc_TypeError, "keywords must be strings");
            return -1;
        }
        Object *name = str_intern(k); /* callees match keyword names by pointer */
        if (!name) return -1;
        tuple_set_steal(ca->kwnames, i, name); /* a failure leaves NULLs: tuple_dealloc skips them */
        argv[ca->nargs + i++] = v; /* borrowed from the dict, which outlives the call */
    }
    return 0;
}

void object_call_args_release(CallArgs *ca) {
    if (ca->heap) mem_free(ca->heap, ca->heap_len * sizeof(Object *));
    XDECREF(ca->kwnames);
}

Object *object_call_tuple(Object *callable, Object *args, Object *kwargs) {
    CallArgs ca;
    Object *result = NULL;
    if (object_call_args_init(&ca, NULL, args, kwargs) == 0)
        result = object_call(callable, ca.argv, ca.nargs, ca.kwnames);
    object_call_args_release(&ca);
    return result;
}

Object *object_call0(Object *callable) { return object_call(callable, NULL, 0, NULL); }

Object *object_call1(Object *callable, Object *arg) {
    Object *args[1] = {arg};
    return object_call(callable, args, 1, NULL);
}

Object *object_call2(Object *callable, Object *a, Object *b) {
    Object *args[2] = {a, b};
    return object_call(callable, args, 2, NULL);
}

Object *object_call_method(Object *o, const char *name, Object *const *args, size_t nargs) {
    Object *method = object_getattr_cstr(o, name);
    if (!method) return NULL;
    Object *r = object_call(method, args, nargs, NULL);
    DECREF(method);
    return r;
}

Object *object_writelines(Object *f, Object *iterable, int (*write_one)(Object *f, Object *item)) {
    Object *it = object_iter(iterable);
    if (!it) return NULL;
    Object *item;
    while ((item = object_next(it))) {
        int r = write_one(f, item);
        DECREF(item);
        if (r < 0) break;
    }
    DECREF(it);
    return error_occurred() ? NULL : NEWREF(None);
}

bool object_callable(Object *o) {
    return TYPE(o)->call != NULL || is_type_object(o);
}

/* ---- isinstance --------------------------------------------------------------- */

int object_isinstance(Object *o, Object *cls) {
    if (is_type_object(cls)) return is_instance_of(o, (Type *)cls);
    if (is_tuple(cls)) {
        /* Left to right, stopping at the first match: later entries are not
           checked, exactly as in CPython. */
        for (size_t i = 0; i < tuple_size(cls); i++) {
            if (enter_recursion(" in __instancecheck__") < 0) return -1;
            int r = object_isinstance(o, tuple_item(cls, i));
            leave_recursion();
            if (r != 0) return r;
        }
        return 0;
    }
    error_set(&exc_TypeError,
              "isinstance() arg 2 must be a type, a tuple of types, or a union");
    return -1;
}

/* ---- Index conversion ------------------------------------------------------- */

static void index_type_error(Object *o, const char *what) {
    if (what)
        error_set(&exc_TypeError, "%s indices must be integers or slices, not %s",
                  what, TYPE_NAME(o));
    else
        error_set(&exc_TypeError, "'%s' object cannot be interpreted as an integer",
                  TYPE_NAME(o));
}

/* A big int where an index-sized one is needed: IndexError for a
   subscript, OverflowError otherwise (as CPython). */
static int index_too_big(const char *what) {
    if (what) int_index_too_big();
    else int_count_too_big();
    return -1;
}

int object_as_index(Object *o, int64_t *out, const char *what) {
    if (is_int(o)) {
        if (!int_fits_i64(o)) return index_too_big(what);
        *out = int_value(o);
        return 0;
    }
    /* A class may define __index__ without filling the slot. */
    UnaryFunc f = TYPE(o)->index;
    Object *r;
    if (f)
        r = f(o);
    else if (type_lookup_cstr(TYPE(o), "__index__"))
        r = object_call_method(o, "__index__", NULL, 0);
    else {
        index_type_error(o, what);
        return -1;
    }
    if (!r) return -1;
    if (!is_int(r)) {
        error_set(&exc_TypeError, "__index__ returned non-int (type %s)", TYPE_NAME(r));
        DECREF(r);
        return -1;
    }
    bool big = !int_fits_i64(r);
    *out = int_value(r);
    DECREF(r);
    return big ? index_too_big(what) : 0;
}

Object *object_index(Object *o) {
    if (is_type(o, &int_type)) return NEWREF(o); /* bool and subclasses: int's index slot */
    Object *r;
    if (TYPE(o)->index)
        r = TYPE(o)->index(o);
    else if (type_lookup_cstr(TYPE(o), "__index__"))
        r = object_call_method(o, "__index__", NULL, 0);
    else
        return error_set(&exc_TypeError, "'%s' object cannot be interpreted as an integer",
                         TYPE_NAME(o));
    if (r && !is_int(r)) {
        error_set(&exc_TypeError, "__index__ returned non-int (type %s)", TYPE_NAME(r));
        CLEAR(&r);
    }
    return r;
}

int object_as_double(Object *o, double *out) {
    if (is_float(o)) {
        *out = float_value(o);
        return 0;
    }
    if (is_int(o)) return int_as_double(o, out);
    Object *f = NULL;
    if (TYPE(o)->to_float)
        f = TYPE(o)->to_float(o);
    else if (type_lookup_cstr(TYPE(o), "__float__"))
        f = object_call_method(o, "__float__", NULL, 0);
    else if (TYPE(o)->index || type_lookup_cstr(TYPE(o), "__index__")) {
        Object *i = object_index(o);
        if (!i) return -1;
        int rc = int_as_double(i, out);
        DECREF(i);
        return rc;
    } else {
        error_set(&exc_TypeError, "must be real number, not %s", TYPE_NAME(o));
        return -1;
    }
    if (!f) return -1;
    if (!is_float(f)) {
        error_set(&exc_TypeError, "%s.__float__ returned non-float (type %s)", TYPE_NAME(o),
                  TYPE_NAME(f));
        DECREF(f);
        return -1;
    }
    *out = float_value(f);
    DECREF(f);
    return 0;
}

/* ---- Argument helpers ------------------------------------------------------- */

static const char *plural(size_t n) { return n == 1 ? "" : "s"; }

/* A method's fname is qualified ("str.lower"): CPython names the type in the
   messages about keywords, no arguments and exactly one argument, but not in
   the "expected at most" wording of its positional-only methods. */
static const char *bare_name(const char *fname) {
    const char *dot = strrchr(fname, '.');
    return dot ? dot + 1 : fname;
}

int args_check(const char *fname, size_t nargs, Object *kwnames, size_t min, size_t max) {
    if (kwnames && tuple_size(kwnames) > 0) {
        error_set(&exc_TypeError, "%s() takes no keyword arguments", fname);
        return -1;
    }
    if (nargs >= min && nargs <= max) return 0;
    /* The three wordings CPython's built-ins use, by arity. */
    if (max == 0)
        error_set(&exc_TypeError, "%s() takes no arguments (%zu given)", fname, nargs);
    else if (min == 1 && max == 1)
        error_set(&exc_TypeError, "%s() takes exactly one argument (%zu given)", fname, nargs);
    else if (min == max)
        error_set(&exc_TypeError, "%s expected %zu argument%s, got %zu",
                  bare_name(fname), min, plural(min), nargs);
    else if (nargs < min)
        error_set(&exc_TypeError, "%s expected at least %zu argument%s, got %zu",
                  bare_name(fname), min, plural(min), nargs);
    else
        error_set(&exc_TypeError, "%s expected at most %zu argument%s, got %zu",
                  bare_name(fname), max, plural(max), nargs);
    return -1;
}

const char *arg_type_name(Object *o) {
    return o == None ? "None" : TYPE_NAME(o);
}

int args_check_varargs(const char *fname, size_t nargs, Object *kwnames, size_t min, size_t max) {
    if (kwnames && tuple_size(kwnames) > 0) {
        error_set(&exc_TypeError, "%s() takes no keyword arguments", fname);
        return -1;
    }
    if (nargs >= min && nargs <= max) return 0;
    size_t n = nargs < min ? min : max;
    error_set(&exc_TypeError, "%s() takes %s %zu argument%s (%zu given)", bare_name(fname),
              min == max ? "exactly" : nargs < min ? "at least" : "at most", n, plural(n), nargs);
    return -1;
}

/* Index of the keyword name kw in names, or -1. Keyword names are interned,
   but a name built at run time may not be: compare the text. */
static int find_param(const char *const *names, Object *kw) {
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], str_data(kw)) == 0) return i;
    return -1;
}

int args_parse_keywords(const char *fname, Object *const *kwvalues, Object *kwnames,
                        const char *const *names, Object **out) {
    for (size_t i = 0; names[i]; i++) out[i] = NULL;
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    for (size_t k = 0; k < nkw; k++) {
        Object *kw = tuple_item(kwnames, k);
        int i = find_param(names, kw);
        if (i < 0) {
            error_set(&exc_TypeError, "'%s' is an invalid keyword argument for %s()",
                      str_data(kw), fname);
            return -1;
        }
        out[i] = kwvalues[k];
    }
    return 0;
}

/* A keyword that matched no free parameter: a duplicate of a positional
   argument, or an unknown name. */
static void bad_keyword(const char *fname, const char *const *names, size_t nargs,
                        Object *kw) {
    int i = find_param(names, kw);
    if (i >= 0 && (size_t)i < nargs)
        error_set(&exc_TypeError, "argument for %s() given by name ('%s') and position (%d)",
                  fname, str_data(kw), i + 1);
    else
        error_set(&exc_TypeError, "'%s' is an invalid keyword argument for %s()",
                  str_data(kw), fname);
}

/* CPython's order of complaints: too many arguments (positional and keyword
   together), then a missing required argument, then a bad keyword. */
int args_parse(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
               const char *const *names, size_t required, Object **out) {
    size_t nparams = 0;
    while (names[nparams]) nparams++;
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    if (nargs + nkw > nparams) {
        error_set(&exc_TypeError, "%s() takes %s %zu argument%s (%zu given)", fname,
                  required == nparams ? "exactly" : "at most", nparams, plural(nparams),
                  nargs + nkw);
        return -1;
    }
    for (size_t i = 0; i < nparams; i++) out[i] = i < nargs ? args[i] : NULL;
    Object *bad = NULL;
    for (size_t k = 0; k < nkw; k++) {
        Object *kw = tuple_item(kwnames, k);
        int i = find_param(names, kw);
        if (i >= 0 && (size_t)i >= nargs) out[i] = args[nargs + k];
        else if (!bad) bad = kw;
    }
    for (size_t i = 0; i < required; i++) {
        if (!out[i]) {
            error_set(&exc_TypeError, "%s() missing required argument '%s' (pos %zu)",
                      fname, names[i], i + 1);
            return -1;
        }
    }
    if (bad) {
        bad_keyword(fname, names, nargs, bad);
        return -1;
    }
    return 0;
}
