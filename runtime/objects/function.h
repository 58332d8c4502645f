/* function.h - callables: Toy functions, cells, bound methods, built-in
 * functions and the method descriptors that built-in types keep in their
 * dicts.
 *
 * A FunctionObject pairs a code object with the globals it runs in, its
 * default values and its closure (a tuple of cells). Calling it binds the
 * arguments to the parameters (vm.c) and runs a new frame.
 */
#ifndef TOY_FUNCTION_H
#define TOY_FUNCTION_H

#include "core/object.h"
#include "core/objlock.h"
#include "core/refcount.h"

typedef struct {
    Object base;
    Object *code;        /* CodeObject */
    Object *globals;     /* dict */
    Object *defaults;    /* tuple of positional defaults, or NULL */
    Object *kwdefaults;  /* dict of keyword-only defaults, or NULL */
    Object *closure;     /* tuple of CellObject, or NULL */
    Object *name;        /* str */
    Object *qualname;    /* str */
    Object *dict;        /* function attributes, created on demand */
    Object *class_cell;  /* a cell holding the class whose body defined this function
                            or an enclosing one (zero-argument super() reads it;
                            __build_class__ fills it); owned, or NULL */
} FunctionObject;

typedef struct {
    Object base;
    Object *contents;    /* NULL when empty */
} CellObject;

/* A cell's contents as a new reference (NULL when empty), and a store that
   steals v (NULL empties it) and returns the old contents for the caller
   to release. toy-ft: a closure called on another thread reads and
   stores the same cell, so both are made under the cell's lock: read
   without it, a value the other thread replaced was counted after it was
   freed. With the thread alone, or with the GIL, no lock is taken. */
static inline Object *cell_get_ref(CellObject *cell) {
    objlock_lock_nocode(cell);
    Object *v = cell->contents;
    if (v) INCREF(v);
    objlock_unlock_nocode(cell);
    return v;
}
static inline Object *cell_swap(CellObject *cell, Object *v) {
    objlock_lock_nocode(cell);
    Object *old = cell->contents;
    cell->contents = v;
    objlock_unlock_nocode(cell);
    return old;
}

typedef struct {
    Object base;
    Object *func;        /* any callable */
    Object *self;
} MethodObject;          /* a bound method: obj.f */

typedef struct {
    Object base;
    const MethodDef *def;
    Object *self;        /* receiver for bound built-in methods, module or NULL */
} BuiltinObject;         /* print, len, [].append */

typedef struct {
    Object base;
    const MethodDef *def;
    Type *owner;         /* the type whose dict holds it (borrowed: types outlive it) */
} MethodDescrObject;     /* list.append, found on the type */

extern Type function_type, cell_type, method_type, builtin_type, method_descr_type;

/* Borrowed code/globals; defaults/kwdefaults/closure borrowed, may be NULL. */
Object *function_new(Object *code, Object *globals);
/* Stores value in *slot for `x.__name__ = value` or `x.__qualname__ = value`
   (functions, generators): a str, or CPython's TypeError naming attr.
   0 on success, -1 with an exception. */
int function_set_name_slot(Object **slot, const char *attr, Object *value);
Object *cell_new(Object *contents /* borrowed, may be NULL */);
Object *method_new(Object *func, Object *self);
Object *builtin_new(const MethodDef *def, Object *self);
Object *method_descr_new(Type *owner, const MethodDef *def);

#endif
