/* abstract.h - the generic operations: what `a + b`, `x[i]`, `len(x)`,
 * `f(*args)`, `str(x)` mean for any object.
 *
 * These dispatch through the type slots (object.h) and raise the TypeError
 * Python raises when a slot is missing, with CPython's message text. The VM,
 * the built-ins and the types themselves all go through here.
 * Results are new references; NULL / -1 means an exception is set.
 */
#ifndef TOY_ABSTRACT_H
#define TOY_ABSTRACT_H

#include "core/object.h"

Object *object_repr(Object *o);   /* repr(o): always a str */
Object *object_str(Object *o);    /* str(o) */
int64_t object_hash(Object *o);   /* -1 with TypeError "unhashable type: 'list'" */
int object_truth(Object *o);      /* 1, 0, -1 */
int64_t object_len(Object *o);    /* -1 with TypeError "object of type 'int' has no len()" */

/* a OP b: tries a's slot, then b's; TypeError "unsupported operand type(s)
   for +: 'int' and 'str'". */
Object *object_binary_op(Object *a, Object *b, BinaryOp op);
/* a OP= b: the inplace slot if the type has one, else object_binary_op. */
Object *object_inplace_op(Object *a, Object *b, BinaryOp op);
/* a OP b (a OP= b when inplace, for an a without an in-place method)
   once a's own __op__, a Toy function the eval loop ran
   (class_binop_function), returned NotImplemented, b being of a's class
   or of a built-in type: what object_binary_op (object_inplace_op) does
   next, b's slot, the repeat of a sequence, then CPython's TypeError. */
Object *object_binary_op_after_left(Object *a, Object *b, BinaryOp op, bool inplace);
extern const char *const binary_op_symbols[BINOP_COUNT]; /* "+", "-", ... */

Object *object_negative(Object *o);
Object *object_positive(Object *o);
Object *object_invert(Object *o);

/* Rich comparison with Python's rules: reflected operands, == and != falling
   back to identity, TypeError "'<' not supported between instances of 'int'
   and 'str'". */
Object *object_compare(Object *a, Object *b, CompareOp op);
/* The same, as a C truth value: 1, 0, -1. */
int object_compare_bool(Object *a, Object *b, CompareOp op);
/* a == b as 1/0/-1, with the identity shortcut (used by containers). */
int object_equal(Object *a, Object *b);
/* Is o an exact int, bool, float, str, bytes or None, or a tuple of such
   (nested two deep at most)? Comparing two such runs no Toy code and takes
   no container's lock, so it may run while a lock is held (objects/list.h,
   list_compare_held), and releasing one runs no __del__. */
bool object_is_plain(Object *o);
static inline bool object_compares_plainly(Object *a, Object *b) {
    return object_is_plain(a) && object_is_plain(b);
}
extern const char *const compare_op_symbols[6]; /* "<", "<=", "==", ... */

/* x OP y on two C integers. A three-way result c (negative, zero, positive)
   answers `op` as compare_i64(c, 0, op). Always inlined, for the eval
   loop's compare runs (int.h's INT_GUARD_INLINE says why). */
static inline __attribute__((always_inline)) bool compare_i64(int64_t x, int64_t y, CompareOp op) {
    switch (op) {
    case CMP_LT: return x < y;
    case CMP_LE: return x <= y;
    case CMP_EQ: return x == y;
    case CMP_NE: return x != y;
    case CMP_GT: return x > y;
    default: return x >= y;
    }
}

/* The richcompare of a sequence type (list, tuple): NotImplemented unless
   both are instances of type; else the first pair of items that differ
   decides, or the lengths do. items gives a sequence's item array and size;
   the comparison asks again after each item's __eq__, which may have
   changed a list. */
typedef Object *const *(*SequenceItemsFunc)(Object *seq, size_t *size);
Object *object_compare_sequences(Object *a, Object *b, CompareOp op, Type *type,
                                 SequenceItemsFunc items);

Object *object_getitem(Object *o, Object *key);
int object_setitem(Object *o, Object *key, Object *value);
int object_delitem(Object *o, Object *key);
/* item in container: 1, 0, -1. Falls back to iterating. */
int object_contains(Object *container, Object *item);

Object *object_getattr(Object *o, Object *name /* str */);
Object *object_getattr_cstr(Object *o, const char *name);
int object_setattr(Object *o, Object *name, Object *value);
int object_delattr(Object *o, Object *name);
/* 1 has, 0 not (AttributeError swallowed), -1 other error. */
int object_hasattr(Object *o, Object *name);

/* iter(o): TypeError "'int' object is not iterable". */
Object *object_iter(Object *o);
/* next(it): a new reference, or NULL. NULL without an exception: exhausted. */
Object *object_next(Object *it);

/* Calling. object_call uses the vector convention in object.h. */
Object *object_call(Object *callable, Object *const *args, size_t nargs, Object *kwnames);
/* f(*args_tuple, **kwargs_dict): kwargs may be NULL. */
Object *object_call_tuple(Object *callable, Object *args, Object *kwargs);
/* f(*args, **kwargs) in the vector convention: argv is [self,] the items
   of the tuple args, then the values of the dict kwargs (NULL: none), all
   borrowed; kwnames holds kwargs' keys, interned. object_call_args_init
   returns 0, or -1 with TypeError for a key that is not a str (or
   MemoryError); either way object_call_args_release must follow. */
typedef struct {
    Object *const *argv;
    size_t nargs;       /* positional arguments, self included */
    Object *kwnames;    /* owned tuple, or NULL */
    Object **heap;      /* argv when it did not fit in small, else NULL */
    size_t heap_len;
    Object *small[8];
} CallArgs;
int object_call_args_init(CallArgs *ca, Object *self, Object *args, Object *kwargs);
void object_call_args_release(CallArgs *ca);
Object *object_call0(Object *callable);
Object *object_call1(Object *callable, Object *arg);
Object *object_call2(Object *callable, Object *a, Object *b);
/* o.name(args...) */
Object *object_call_method(Object *o, const char *name, Object *const *args, size_t nargs);
bool object_callable(Object *o);
/* f.writelines(iterable) of every file type: write_one(f, item) for each
   item, stopping at the first failure (0 / -1). None, or NULL with the
   exception (the iteration's or the write's). */
Object *object_writelines(Object *f, Object *iterable, int (*write_one)(Object *f, Object *item));

/* isinstance(o, cls) where cls is a type or a tuple of types: 1/0/-1. */
int object_isinstance(Object *o, Object *cls);

/* Convert to a C index for sequences: accepts int and bool (and __index__);
   TypeError "list indices must be integers or slices, not str" style message
   built from what ("list" gives exactly that text). what == NULL gives the
   general "'str' object cannot be interpreted as an integer". */
int object_as_index(Object *o, int64_t *out, const char *what);

/* operator.index(o): the exact int o stands for (o itself for an int; a
   plain int for a bool or an int subclass; else what __index__ returns).
   TypeError "'str' object cannot be interpreted as an integer"; a new
   reference. */
Object *object_index(Object *o);
/* PyFloat_AsDouble: a float, an int, or what __float__ (else __index__)
   gives, as a double. TypeError "must be real number, not str". 0 / -1. */
int object_as_double(Object *o, double *out);
/* ---- Argument helpers for built-in functions ---------------------------- */

/* Bind positional and keyword arguments to the parameter names in `names`
   (a NULL-terminated array). out[i] receives a borrowed reference or NULL when
   not given. `required` parameters must be present. Raises TypeError with
   CPython's wording on too many / missing / unexpected / duplicate arguments.
   0 ok, -1 error. */
int args_parse(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
               const char *const *names, size_t required, Object **out);
/* Check a positional-only call: min <= nargs <= max and no keywords.
   fname is given without "()": "len" -> "len() takes exactly one argument
   (2 given)", "max" -> "max expected at least 1 argument, got 0". */
int args_check(const char *fname, size_t nargs, Object *kwnames, size_t min, size_t max);
/* Methods are checked with their qualified name ("str.lower"): the messages
   about keywords, no argument and exactly one argument name the type, as
   CPython's do ("str.lower() takes no arguments (1 given)"); the "expected at
   most" ones use the bare name ("center expected at least 1 argument, got 0").
   args_check_varargs: the older wording of methods such as str.find:
   "find() takes at most 3 arguments (4 given)" (keywords: "str.find() takes
   no keyword arguments"). */
int args_check_varargs(const char *fname, size_t nargs, Object *kwnames, size_t min, size_t max);
/* The type name CPython's argument-conversion messages show: "None" for
   None ("argument 2 must be str, not None"), else the type's name. */
const char *arg_type_name(Object *o);

/* C-level recursion guard for code that recurses into arbitrary objects
   (tuple hashing, ...): counts against the recursion limit with the Toy
   frames; -1 with RecursionError("maximum recursion depth exceeded" +
   where). Every 0 is paired with recursion_leave(). */
int recursion_enter(const char *where);
void recursion_leave(void);
/* Keyword-only parameters of a function that also takes *args (print, max):
   kwvalues are the keyword values (args + nargs), out[i] receives a borrowed
   reference or NULL for each of the NULL-terminated names. An unknown name
   raises "'x' is an invalid keyword argument for print()". 0 / -1. */
int args_parse_keywords(const char *fname, Object *const *kwvalues, Object *kwnames,
                        const char *const *names, Object **out);

#endif
