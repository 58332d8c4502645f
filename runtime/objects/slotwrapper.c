/* slotwrapper.c - slot wrappers (int.__add__) and method-wrappers
 * ((1).__add__), from one table of the special methods (slotwrapper.h).
 *
 * Each row of slot_table names a special method, the Type slot behind it
 * (as an offset into Type), and a "wrap" function that turns the method's
 * arguments into a call of the slot. Rows that share a slot (the six
 * comparisons, __add__ and __radd__) differ by their op. Argument counts
 * are checked once, from the row, with CPython's texts; the wrap functions
 * only convert.
 *
 * Invariants:
 *   - A wrapper is only ever called with self an instance of its owner
 *     (checked on the unbound call, guaranteed by binding).
 *   - The slot is read from the owner when the wrapper is called. Slots of
 *     static types never change after start-up, so a wrapper in a dict
 *     always has a slot to call, except on `object`, whose str, getattr and
 *     setattr slots are NULL for "the default": those rows supply it.
 *   - Where a Toy slot does more than CPython's method (an int's slots also
 *     take floats, a sequence's + answers NotImplemented where CPython's
 *     method raises), the wrap function narrows it back; the rules that
 *     keep such slots from showing as methods at all are slot_is_internal.
 */
#include "objects/slotwrapper.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "interp/vm.h"

typedef Object *(*WrapFunc)(const SlotWrapperObject *w, Object *self, Object *const *args,
                            size_t nargs, Object *kwnames);

struct SlotDef {
    const char *name;
    size_t offset;       /* of the slot in Type */
    WrapFunc wrap;
    int op;              /* the CompareOp or BinaryOp of shared slots */
    unsigned min, max;   /* arguments after self */
    bool unpack;         /* CPython's second wording of a wrong count (see check_count) */
    bool keywords;       /* passes keyword arguments on (only __call__) */
    const char *doc;
};

/* A slot's value, read at the offset given by its row, with its own type. */
#define SLOT(w, type) (*(type *)((char *)(w)->owner + (w)->slot->offset))

/* ---- Argument checks ---------------------------------------------------------- */

/* "expected 1 argument, got 0"; the rows CPython unpacks with an empty
   function name say " expected at least 1 argument, got 0" instead (the
   leading space is CPython's). */
static int check_count(const SlotDef *d, size_t nargs) {
    if (nargs >= d->min && nargs <= d->max) return 0;
    size_t want = nargs < d->min ? d->min : d->max;
    const char *range = d->min == d->max ? "" : nargs < d->min ? "at least " : "at most ";
    error_set(&exc_TypeError, "%sexpected %s%zu argument%s, got %zu", d->unpack ? " " : "", range,
              want, want == 1 ? "" : "s", nargs);
    return -1;
}

static int check_args(const SlotWrapperObject *w, size_t nargs, Object *kwnames) {
    const SlotDef *d = w->slot;
    if (kwnames && tuple_size(kwnames) > 0 && !d->keywords) {
        error_set(&exc_TypeError, "wrapper %s() takes no keyword arguments", d->name);
        return -1;
    }
    return check_count(d, nargs);
}

static int check_attr_name(Object *name) {
    if (is_str(name)) return 0;
    error_set(&exc_TypeError, "attribute name must be string, not '%s'", TYPE_NAME(name));
    return -1;
}

/* A C result of 0 / -1 as None / NULL. */
static Object *none_or_null(int r) { return r < 0 ? NULL : NEWREF(None); }

/* ---- Wrap functions: the method's arguments -> the slot's call ---------------- */

static Object *wrap_unary(const SlotWrapperObject *w, Object *self, Object *const *args,
                          size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    return SLOT(w, UnaryFunc)(self);
}

/* object.__str__: str(self) falls back to repr when no str slot is set. */
static Object *wrap_str(const SlotWrapperObject *w, Object *self, Object *const *args,
                        size_t nargs, Object *kwnames) {
    UnaryFunc f = SLOT(w, UnaryFunc);
    return f ? wrap_unary(w, self, args, nargs, kwnames) : object_repr(self);
}

static Object *wrap_hash(const SlotWrapperObject *w, Object *self, Object *const *args,
                         size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    int64_t h = SLOT(w, HashFunc)(self);
    return h == -1 && error_occurred() ? NULL : int_from_i64(h);
}

static Object *wrap_len(const SlotWrapperObject *w, Object *self, Object *const *args,
                        size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    int64_t n = SLOT(w, LenFunc)(self);
    return n < 0 ? NULL : int_from_i64(n);
}

static Object *wrap_bool(const SlotWrapperObject *w, Object *self, Object *const *args,
                         size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    int t = SLOT(w, TruthFunc)(self);
    return t < 0 ? NULL : bool_from(t);
}

/* An exhausted iterator says so with StopIteration, which the slot leaves
   unmaterialised. */
static Object *wrap_next(const SlotWrapperObject *w, Object *self, Object *const *args,
                         size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    Object *r = SLOT(w, IterNextFunc)(self);
    if (r || error_occurred()) return r;
    Object *empty = tuple_new(0);
    Object *stop = empty ? exception_new(&exc_StopIteration, empty) : NULL;
    XDECREF(empty);
    if (stop) error_set_instance(stop);
    XDECREF(stop);
    return NULL;
}

/* Toy's int slots also compute int-with-float operations, which CPython
   leaves to float's methods: an int's own methods answer NotImplemented for
   a float, as CPython's do ((1).__add__(1.0), (5).__eq__(5.0)). */
static bool int_method_given_float(const SlotWrapperObject *w, Object *other) {
    return type_is_subtype(w->owner, &int_type) && is_instance_of(other, &float_type);
}

static Object *wrap_richcompare(const SlotWrapperObject *w, Object *self, Object *const *args,
                                size_t nargs, Object *kwnames) {
    (void)nargs; (void)kwnames;
    if (int_method_given_float(w, args[0])) return NEWREF(NotImplemented);
    return SLOT(w, RichCompareFunc)(self, args[0], w->slot->op);
}

/* A sequence's + and * are concatenation and repetition, which CPython's
   methods do themselves: they raise rather than answer NotImplemented
   ([1].__add__((2,)) and [1].__mul__('b') are TypeErrors), and * takes any
   count with __index__. */
static bool is_sequence(Type *t) { return t->getitem != NULL; }

static Object *sequence_method(const SlotWrapperObject *w, Object *seq, Object *other,
                               bool reflected) {
    BinaryFunc f = SLOT(w, BinaryFunc);
    if (w->slot->op == BINOP_ADD) {
        Object *r = f(seq, other);
        if (r != NotImplemented) return r;
        DECREF(r);
        return error_set(&exc_TypeError, "can only concatenate %s (not \"%s\") to %s",
                         TYPE_NAME(seq), TYPE_NAME(other), TYPE_NAME(seq));
    }
    int64_t n;
    if (is_int(other)) return reflected ? f(other, seq) : f(seq, other);
    if (object_as_index(other, &n, NULL) < 0) return NULL;
    Object *count = int_from_i64(n);
    if (!count) return NULL;
    Object *r = reflected ? f(count, seq) : f(seq, count);
    DECREF(count);
    return r;
}

static bool is_sequence_method(const SlotWrapperObject *w) {
    int op = w->slot->op;
    return is_sequence(w->owner) && (op == BINOP_ADD || op == BINOP_MUL);
}

/* Binary slots take their operands in source order: self + value for
   __add__, value + self for __radd__. */
static Object *wrap_binary(const SlotWrapperObject *w, Object *self, Object *const *args,
                           size_t nargs, Object *kwnames) {
    (void)nargs; (void)kwnames;
    if (int_method_given_float(w, args[0])) return NEWREF(NotImplemented);
    if (is_sequence_method(w)) return sequence_method(w, self, args[0], false);
    return SLOT(w, BinaryFunc)(self, args[0]);
}

static Object *wrap_binary_reflected(const SlotWrapperObject *w, Object *self,
                                     Object *const *args, size_t nargs, Object *kwnames) {
    (void)nargs; (void)kwnames;
    if (int_method_given_float(w, args[0])) return NEWREF(NotImplemented);
    if (is_sequence_method(w)) return sequence_method(w, self, args[0], true);
    return SLOT(w, BinaryFunc)(args[0], self);
}

/* pow(base, exp, mod) has no slot of its own: ints compute it, a float
   refuses it as pow() does, anything else does not implement it. */
static Object *pow_with_mod(Object *base, Object *exp, Object *mod) {
    if (is_int(base) && is_int(exp) && is_int(mod)) return int_pow_mod(base, exp, mod);
    if (is_float(base) || is_float(exp) || is_float(mod))
        return error_set(&exc_TypeError,
                         "pow() 3rd argument not allowed unless all arguments are integers");
    return NEWREF(NotImplemented);
}

static Object *wrap_pow(const SlotWrapperObject *w, Object *self, Object *const *args,
                        size_t nargs, Object *kwnames) {
    if (nargs == 2 && args[1] != None) return pow_with_mod(self, args[0], args[1]);
    return wrap_binary(w, self, args, nargs, kwnames);
}

static Object *wrap_pow_reflected(const SlotWrapperObject *w, Object *self, Object *const *args,
                                  size_t nargs, Object *kwnames) {
    if (nargs == 2 && args[1] != None) return pow_with_mod(args[0], self, args[1]);
    return wrap_binary_reflected(w, self, args, nargs, kwnames);
}

static Object *wrap_getitem(const SlotWrapperObject *w, Object *self, Object *const *args,
                            size_t nargs, Object *kwnames) {
    (void)nargs; (void)kwnames;
    return SLOT(w, BinaryFunc)(self, args[0]);
}

static Object *wrap_setitem(const SlotWrapperObject *w, Object *self, Object *const *args,
                            size_t nargs, Object *kwnames) {
    (void)kwnames;
    return none_or_null(SLOT(w, SetItemFunc)(self, args[0], nargs == 2 ? args[1] : NULL));
}

static Object *wrap_contains(const SlotWrapperObject *w, Object *self, Object *const *args,
                             size_t nargs, Object *kwnames) {
    (void)nargs; (void)kwnames;
    int t = SLOT(w, ContainsFunc)(self, args[0]);
    return t < 0 ? NULL : bool_from(t);
}

static Object *wrap_call(const SlotWrapperObject *w, Object *self, Object *const *args,
                         size_t nargs, Object *kwnames) {
    return SLOT(w, CallFunc)(self, args, nargs, kwnames);
}

/* The nearest built-in type of o's class: the one whose slots say how o's
   attributes are stored. */
static Type *static_type_of(Object *o) {
    Type *t = TYPE(o);
    while (t->flags & TYPE_HEAP) t = t->base_type;
    return t;
}

/* object.__getattribute__ / __setattr__ / __delattr__ do what the
   instance's built-in type does (Toy's built-in types keep some attributes
   in their getattr slot where CPython has descriptors). A class is the
   exception: object's methods may not change type's attributes. */
static int object_attr_target(const SlotWrapperObject *w, Object *self, const char *method,
                              Type **target) {
    *target = w->owner == &object_type ? static_type_of(self) : w->owner;
    if (method && w->owner == &object_type && is_instance_of(self, &type_type)) {
        error_set(&exc_TypeError, "can't apply this %s to %s object", method, TYPE_NAME(self));
        return -1;
    }
    return 0;
}

static Object *wrap_getattr(const SlotWrapperObject *w, Object *self, Object *const *args,
                            size_t nargs, Object *kwnames) {
    (void)nargs; (void)kwnames;
    Type *t;
    if (check_attr_name(args[0]) < 0 || object_attr_target(w, self, NULL, &t) < 0) return NULL;
    return t->getattr ? t->getattr(self, args[0]) : object_generic_getattr(self, args[0]);
}

/* __setattr__(name, value) and __delattr__(name) share the slot. */
static Object *wrap_setattr(const SlotWrapperObject *w, Object *self, Object *const *args,
                            size_t nargs, Object *kwnames) {
    (void)kwnames;
    Object *value = nargs == 2 ? args[1] : NULL;
    Type *t;
    if (check_attr_name(args[0]) < 0 ||
        object_attr_target(w, self, value ? "__setattr__" : "__delattr__", &t) < 0)
        return NULL;
    int r = t->setattr ? t->setattr(self, args[0], value)
                       : object_generic_setattr(self, args[0], value);
    return none_or_null(r);
}

/* __get__(instance, owner=None): None stands for "no instance". */
static Object *wrap_descr_get(const SlotWrapperObject *w, Object *self, Object *const *args,
                              size_t nargs, Object *kwnames) {
    (void)kwnames;
    Object *obj = args[0] == None ? NULL : args[0];
    Object *owner = nargs == 2 && args[1] != None ? args[1] : NULL;
    if (!obj && !owner) return error_set(&exc_TypeError, "__get__(None, None) is invalid");
    /* the slot needs a class: an owner that is none falls back to obj's */
    Type *type = owner && is_instance_of(owner, &type_type) ? (Type *)owner
               : obj ? TYPE(obj) : &object_type;
    return SLOT(w, DescrGetFunc)(self, obj, type);
}

/* __set__(instance, value) and __delete__(instance) share the slot. */
static Object *wrap_descr_set(const SlotWrapperObject *w, Object *self, Object *const *args,
                              size_t nargs, Object *kwnames) {
    (void)kwnames;
    return none_or_null(SLOT(w, DescrSetFunc)(self, args[0], nargs == 2 ? args[1] : NULL));
}

/* ---- The table ------------------------------------------------------------------ */

#define AT(slot) offsetof(Type, slot)
#define ROW(name, slot, wrap, op, min, max, doc) {name, AT(slot), wrap, op, min, max, false, false, doc}
#define UNPACKED(name, slot, wrap, min, max, doc) {name, AT(slot), wrap, 0, min, max, true, false, doc}
#define UNARY(name, slot, doc) ROW(name, slot, wrap_unary, 0, 0, 0, doc)
#define COMPARE(name, op, sym) ROW(name, richcompare, wrap_richcompare, op, 1, 1, "Return self" sym "value.")
/* a binary operator: its method, its reflection, its in-place form */
#define BINARY(op, name, sym)                                                                   \
    ROW("__" name "__", binary[op], wrap_binary, op, 1, 1, "Return self" sym "value."),         \
    ROW("__r" name "__", binary[op], wrap_binary_reflected, op, 1, 1, "Return value" sym "self."), \
    ROW("__i" name "__", inplace[op], wrap_binary, op, 1, 1, "Implement self" sym "=value.")

static const SlotDef slot_table[] = {
    UNARY("__repr__", repr, "Return repr(self)."),
    ROW("__str__", str, wrap_str, 0, 0, 0, "Return str(self)."),
    ROW("__hash__", hash, wrap_hash, 0, 0, 0, "Return hash(self)."),
    {"__call__", AT(call), wrap_call, 0, 0, UINT_MAX, false, true, "Call self as a function."},
    ROW("__getattribute__", getattr, wrap_getattr, 0, 1, 1, "Return getattr(self, name)."),
    UNPACKED("__setattr__", setattr, wrap_setattr, 2, 2, "Implement setattr(self, name, value)."),
    ROW("__delattr__", setattr, wrap_setattr, 0, 1, 1, "Implement delattr(self, name)."),
    COMPARE("__lt__", CMP_LT, "<"), COMPARE("__le__", CMP_LE, "<="),
    COMPARE("__eq__", CMP_EQ, "=="), COMPARE("__ne__", CMP_NE, "!="),
    COMPARE("__gt__", CMP_GT, ">"), COMPARE("__ge__", CMP_GE, ">="),
    UNARY("__iter__", iter, "Implement iter(self)."),
    ROW("__next__", iternext, wrap_next, 0, 0, 0, "Implement next(self)."),
    UNPACKED("__get__", descr_get, wrap_descr_get, 1, 2,
             "Return an attribute of instance, which is of type owner."),
    UNPACKED("__set__", descr_set, wrap_descr_set, 2, 2, "Set an attribute of instance to value."),
    ROW("__delete__", descr_set, wrap_descr_set, 0, 1, 1, "Delete an attribute of instance."),
    ROW("__len__", len, wrap_len, 0, 0, 0, "Return len(self)."),
    ROW("__getitem__", getitem, wrap_getitem, 0, 1, 1, "Return self[key]."),
    UNPACKED("__setitem__", setitem, wrap_setitem, 2, 2, "Set self[key] to value."),
    ROW("__delitem__", setitem, wrap_setitem, 0, 1, 1, "Delete self[key]."),
    ROW("__contains__", contains, wrap_contains, 0, 1, 1, "Return key in self."),
    BINARY(BINOP_ADD, "add", "+"), BINARY(BINOP_SUB, "sub", "-"), BINARY(BINOP_MUL, "mul", "*"),
    BINARY(BINOP_MOD, "mod", "%"),
    UNPACKED("__pow__", binary[BINOP_POW], wrap_pow, 1, 2, "Return pow(self, value, mod)."),
    UNPACKED("__rpow__", binary[BINOP_POW], wrap_pow_reflected, 1, 2,
             "Return pow(value, self, mod)."),
    ROW("__ipow__", inplace[BINOP_POW], wrap_binary, BINOP_POW, 1, 1, "Implement self**=value."),
    UNARY("__neg__", neg, "-self"), UNARY("__pos__", pos, "+self"),
    UNARY("__abs__", absolute, "abs(self)"),
    ROW("__bool__", truth, wrap_bool, 0, 0, 0, "True if self else False"),
    UNARY("__invert__", invert, "~self"),
    BINARY(BINOP_LSHIFT, "lshift", "<<"), BINARY(BINOP_RSHIFT, "rshift", ">>"),
    BINARY(BINOP_AND, "and", "&"), BINARY(BINOP_XOR, "xor", "^"), BINARY(BINOP_OR, "or", "|"),
    UNARY("__int__", to_int, "int(self)"), UNARY("__float__", to_float, "float(self)"),
    BINARY(BINOP_FLOORDIV, "floordiv", "//"), BINARY(BINOP_TRUEDIV, "truediv", "/"),
    UNARY("__index__", index,
          "Return self converted to an integer, if self is suitable for use as an index into a list."),
};

enum { SLOT_COUNT = sizeof slot_table / sizeof slot_table[0] };

/* The special methods without a slot in Toy, which types may write as a
   MethodDef: they still show as slot wrappers. */
static const char *const methods_only[] = {"__init__"};

bool slotwrapper_is_special(const char *name) {
    if (name[0] != '_' || name[1] != '_') return false;
    /* the third character first: most rows differ there (start-up asks
       this for every method of every built-in type) */
    for (size_t i = 0; i < SLOT_COUNT; i++)
        if (slot_table[i].name[2] == name[2] && strcmp(slot_table[i].name, name) == 0) return true;
    for (size_t i = 0; i < sizeof methods_only / sizeof methods_only[0]; i++)
        if (strcmp(methods_only[i], name) == 0) return true;
    return false;
}

/* ---- Which rows a type gets -------------------------------------------------------- */

typedef void (*AnyFunc)(void);

/* The slot at offset in t, as a plain function pointer (every slot is one). */
static AnyFunc slot_at(Type *t, size_t offset) {
    AnyFunc fn;
    memcpy(&fn, (char *)t + offset, sizeof fn);
    return fn;
}

/* object's str, getattr and setattr slots are NULL for "the default",
   which its rows supply. */
static bool object_default(const SlotDef *d) {
    return d->offset == AT(str) || d->offset == AT(getattr) || d->offset == AT(setattr);
}

/* Slots Toy uses for something CPython does not show as that method:
   - a sequence's + is concatenation, which has no reflected form (list has
     __add__ but no __radd__; its * has both);
   - a truth slot beside a len slot is a shortcut for len != 0 (str has no
     __bool__);
   - type's getitem slot is how Toy calls __class_getitem__ (list[int]);
     type itself has no __getitem__;
   - an unhashable type's hash slot only raises: __hash__ is None instead. */
static bool slot_is_internal(Type *t, const SlotDef *d) {
    if (d->wrap == wrap_binary_reflected && d->op == BINOP_ADD) return is_sequence(t);
    if (d->offset == AT(truth)) return t->len != NULL;
    if (d->offset == AT(getitem)) return t == &type_type;
    if (d->offset == AT(hash)) return t->hash == object_hash_not_implemented;
    return false;
}

/* A type gets a row's wrapper when it fills in the slot itself, with its
   own function (types repeat their base's functions: bool has int's
   __add__, which int.__add__ shows). */
static bool type_gets_row(Type *t, const SlotDef *d) {
    AnyFunc fn = slot_at(t, d->offset);
    if (!fn) return t == &object_type && object_default(d);
    if (t->base_type && slot_at(t->base_type, d->offset) == fn) return false;
    return !slot_is_internal(t, d);
}

static Object *slotwrapper_new(Type *owner, const char *name, const SlotDef *slot,
                               const MethodDef *method) {
    SlotWrapperObject *w = (SlotWrapperObject *)object_alloc(&slotwrapper_type,
                                                              sizeof(SlotWrapperObject));
    if (!w) return NULL;
    w->owner = owner;
    w->name = name;
    w->slot = slot;
    w->method = method;
    return (Object *)w;
}

Object *slotwrapper_from_method(Type *owner, const MethodDef *def) {
    return slotwrapper_new(owner, def->name, NULL, def);
}

/* The interned name of each row, all made by the first slotwrapper_add_all
   (at start-up, before any thread) and released by slotwrapper_fini: a
   cache filled once, which spares interning the same few dozen names for
   each of the built-in types. */
static Object *row_names[SLOT_COUNT];

static int row_names_make(void) {
    for (size_t i = 0; i < SLOT_COUNT; i++)
        if (!row_names[i] && !(row_names[i] = str_intern_cstr(slot_table[i].name))) return -1;
    return 0;
}

/* row_names[i], borrowed (made by row_names_make). */
static Object *row_name(size_t i) { return row_names[i]; }

/* The row whose method is __hash__ (every table has one). */
static size_t hash_row(void) {
    size_t i = 0;
    while (slot_table[i].offset != AT(hash)) i++;
    return i;
}

/* t->dict[key] = value unless the dict has key already. */
static int add_unless_present(Type *t, Object *key, Object *value) {
    if (!key) return -1;
    if (dict_get_str(t->dict, key)) return 0;
    return dict_add_str(t->dict, key, value);
}

int slotwrapper_add_all(Type *t) {
    if (!row_names[SLOT_COUNT - 1] && row_names_make() < 0) return -1;
    for (size_t i = 0; i < SLOT_COUNT; i++) {
        const SlotDef *d = &slot_table[i];
        if (!type_gets_row(t, d)) continue;
        Object *w = slotwrapper_new(t, d->name, d, NULL);
        int r = w ? add_unless_present(t, row_name(i), w) : -1;
        XDECREF(w);
        if (r < 0) return -1;
    }
    /* An unhashable built-in type says so: list.__hash__ is None. */
    if ((!t->hash || t->hash == object_hash_not_implemented) && t != &object_type)
        return add_unless_present(t, row_name(hash_row()), None);
    return 0;
}

void slotwrapper_fini(void) {
    for (size_t i = 0; i < SLOT_COUNT; i++) CLEAR(&row_names[i]);
}

/* ---- Calling --------------------------------------------------------------------- */

/* w(self, *args): the method's C function, or the slot through its row. */
static Object *slotwrapper_invoke(const SlotWrapperObject *w, Object *self, Object *const *args,
                                  size_t nargs, Object *kwnames) {
    /* the slot may call back into Toy through C (repr of a nested list) */
    if (vm_check_c_stack() < 0) return NULL;
    if (w->method) return w->method->func(self, args, nargs, kwnames);
    if (check_args(w, nargs, kwnames) < 0) return NULL;
    return w->slot->wrap(w, self, args, nargs, kwnames);
}

/* int.__add__(1, 2): the receiver comes first and must be an int. */
static Object *slotwrapper_call(Object *callable, Object *const *args, size_t nargs,
                                Object *kwnames) {
    SlotWrapperObject *w = (SlotWrapperObject *)callable;
    if (nargs < 1)
        return error_set(&exc_TypeError, "descriptor '%s' of '%s' object needs an argument",
                         w->name, type_name(w->owner));
    if (!is_instance_of(args[0], w->owner))
        return error_set(&exc_TypeError, "descriptor '%s' requires a '%s' object but received a '%s'",
                         w->name, type_name(w->owner), TYPE_NAME(args[0]));
    return slotwrapper_invoke(w, args[0], args + 1, nargs - 1, kwnames);
}

static Object *methodwrapper_new(SlotWrapperObject *descr, Object *self) {
    MethodWrapperObject *m = (MethodWrapperObject *)object_alloc(&methodwrapper_type,
                                                                  sizeof(MethodWrapperObject));
    if (!m) return NULL;
    m->descr = (SlotWrapperObject *)NEWREF(descr);
    m->self = NEWREF(self);
    return (Object *)m;
}

/* Found through an instance: bound to it; on the class: itself. */
static Object *slotwrapper_descr_get(Object *self, Object *obj, Type *type) {
    (void)type;
    SlotWrapperObject *w = (SlotWrapperObject *)self;
    if (!obj) return NEWREF(self);
    if (!is_instance_of(obj, w->owner))
        return error_set(&exc_TypeError, "descriptor '%s' for '%s' objects doesn't apply to a '%s' object",
                         w->name, type_name(w->owner), TYPE_NAME(obj));
    return methodwrapper_new(w, obj);
}

static Object *methodwrapper_call(Object *callable, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    MethodWrapperObject *m = (MethodWrapperObject *)callable;
    return slotwrapper_invoke(m->descr, m->self, args, nargs, kwnames);
}

/* ---- Reprs, attributes, the types ------------------------------------------------------ */

static const char *wrapper_doc(const SlotWrapperObject *w) {
    if (w->method) return w->method->doc;
    return w->slot->doc;
}

/* __name__, __qualname__, __objclass__, __doc__; NULL without an
   exception when name is none of them. */
static Object *wrapper_attr(const SlotWrapperObject *w, const char *s) {
    if (strcmp(s, "__name__") == 0) return str_from_cstr(w->name);
    if (strcmp(s, "__qualname__") == 0)
        return str_from_format("%s.%s", type_name(w->owner), w->name);
    if (strcmp(s, "__objclass__") == 0) return NEWREF(w->owner);
    if (strcmp(s, "__doc__") == 0) {
        const char *doc = wrapper_doc(w);
        if (!doc && strcmp(w->name, "__init__") == 0)
            doc = "Initialize self.  See help(type(self)) for accurate signature.";
        return doc ? str_from_cstr(doc) : NEWREF(None);
    }
    return NULL;
}

static Object *slotwrapper_getattr(Object *self, Object *name) {
    Object *r = wrapper_attr((SlotWrapperObject *)self, str_data(name));
    if (r || error_occurred()) return r;
    return object_generic_getattr(self, name);
}

static Object *methodwrapper_getattr(Object *self, Object *name) {
    MethodWrapperObject *m = (MethodWrapperObject *)self;
    if (strcmp(str_data(name), "__self__") == 0) return NEWREF(m->self);
    Object *r = wrapper_attr(m->descr, str_data(name));
    if (r || error_occurred()) return r;
    return object_generic_getattr(self, name);
}

static Object *slotwrapper_repr(Object *self) {
    SlotWrapperObject *w = (SlotWrapperObject *)self;
    return str_from_format("<slot wrapper '%s' of '%s' objects>", w->name, type_name(w->owner));
}

static Object *methodwrapper_repr(Object *self) {
    MethodWrapperObject *m = (MethodWrapperObject *)self;
    return str_from_format("<method-wrapper '%s' of %s object at %p>", m->descr->name,
                           TYPE_NAME(m->self), (void *)m->self);
}

/* Two method-wrappers are equal when they bind the same wrapper to the
   same object: (1).__add__ == (1).__add__. */
static Object *methodwrapper_richcompare(Object *a, Object *b, int op) {
    if ((op != CMP_EQ && op != CMP_NE) || TYPE(b) != &methodwrapper_type)
        return NEWREF(NotImplemented);
    MethodWrapperObject *ma = (MethodWrapperObject *)a, *mb = (MethodWrapperObject *)b;
    bool eq = ma->descr == mb->descr && ma->self == mb->self;
    return bool_from(eq == (op == CMP_EQ));
}

static int64_t methodwrapper_hash(Object *self) {
    MethodWrapperObject *m = (MethodWrapperObject *)self;
    int64_t h = object_identity_hash((Object *)m->descr) ^ object_identity_hash(m->self);
    return h == -1 ? -2 : h;
}

static void slotwrapper_dealloc(Object *self) { object_free(self, sizeof(SlotWrapperObject)); }

static void methodwrapper_dealloc(Object *self) {
    MethodWrapperObject *m = (MethodWrapperObject *)self;
    DECREF(m->descr);
    DECREF(m->self);
    object_free(self, sizeof(MethodWrapperObject));
}

Type slotwrapper_type = {
    TYPE_HEAD_INIT,
    .name = "wrapper_descriptor",
    .base_type = &object_type,
    .instance_size = sizeof(SlotWrapperObject),
    .dealloc = slotwrapper_dealloc,
    .repr = slotwrapper_repr,
    .hash = object_identity_hash,
    .call = slotwrapper_call,
    .getattr = slotwrapper_getattr,
    .descr_get = slotwrapper_descr_get,
};

static int methodwrapper_traverse(Object *self, VisitFunc visit, void *arg) {
    MethodWrapperObject *o = (MethodWrapperObject *)self;
    VISIT(o->descr);
    VISIT(o->self);
    return 0;
}

Type methodwrapper_type = {
    TYPE_HEAD_INIT,
    .name = "method-wrapper",
    .base_type = &object_type,
    .flags = TYPE_GC,
    .instance_size = sizeof(MethodWrapperObject),
    .dealloc = methodwrapper_dealloc,
    .repr = methodwrapper_repr,
    .hash = methodwrapper_hash,
    .richcompare = methodwrapper_richcompare,
    .call = methodwrapper_call,
    .getattr = methodwrapper_getattr,
    .traverse = methodwrapper_traverse,
};
