/* class.h - user classes, their instances, `type` and `super`.
 *
 * A class statement runs __build_class__(body, name, *bases): the body runs
 * with a fresh namespace dict as its locals, then class_new() turns the
 * namespace into a heap Type (TYPE_HEAP, refcounted). Instances of a class
 * find their behaviour through "dispatcher" slots: a class that defines
 * __add__ gets a binary[BINOP_ADD] slot that looks __add__ up on the
 * instance's type and calls it, and so on for every supported dunder. Slots
 * for dunders the class does not define are inherited from its base.
 *
 * A class may have several bases; lookups follow its MRO (objects/mro.h),
 * and its base_type (__base__) is the base whose layout its instances have.
 *
 * Layout: an instance has the layout of its nearest built-in base. For
 * `object` that is ClassInstance (header + dict); for exceptions it is
 * ExceptionObject, whose dict field serves the same purpose. A class derived
 * from a built-in data type (int, float, str, bytes, tuple, list, dict, set,
 * frozenset) has instances that are that type's object, preceded by a
 * prefix holding the dict and the __slots__ values (object.h: prefix_size),
 * so the built-in type's C code works on them unchanged. dict_offset tells
 * object_generic_getattr/setattr where the dict is (negative: in the
 * prefix).
 *
 * Ownership: a class owns its dict, its name and its bases. Every function
 * made while a class body runs (and every function made inside one of
 * those) holds the body's class cell (FunctionObject.class_cell), which
 * holds the class once it exists: zero-argument super() reads it. That
 * makes class -> dict -> method -> cell -> class reference cycles, so
 * class_fini() breaks them at exit by clearing the dicts of the classes
 * still alive.
 */
#ifndef TOY_CLASS_H
#define TOY_CLASS_H

#include "core/object.h"

/* The instance layout of classes whose built-in base is `object`. */
typedef struct {
    Object base;
    Object *dict;   /* attributes, created on first store (NULL until then) */
    Object *slots[];/* the values of the names in __slots__ (NULL: unset), owned */
} ClassInstance;

/* super(): its type, registered in the builtins as `super`. super(C, obj)
   looks names up in the MRO of obj's class (or of obj, a class) after C. */
extern Type super_type;

/* __build_class__(func, name, *bases), the CFunction behind LOAD_BUILD_CLASS. */
Object *class_build_class(Object *self, Object *const *args, size_t nargs, Object *kwnames);
/* {"__build_class__", class_build_class}, NULL-terminated: the builtins
   module adds these functions to its dict. */
extern const MethodDef class_builtin_functions[];

/* Create a class named name (str) with bases (a tuple of classes; empty
   means (object,)) from the namespace ns (a dict, copied), as
   type(name, bases, ns) does. New reference, or NULL. */
Object *class_new(Object *name, Object *bases, Object *ns);

/* The slots of type_type (object.c installs them):
   - getattr: A.__name__, A.__qualname__, A.__module__, A.__dict__ (a copy),
     A.__base__, A.__bases__, A.__mro__, A.__doc__, then the class's MRO,
     then what `type` defines (A.mro()).
   - setattr: class attributes of user classes (built-in types are immutable;
     __mro__ and __base__ are read-only, __bases__ cannot be reassigned).
   - repr: <class '__main__.A'> / <class 'int'>.
   - construct: type(x) -> x's type; type(name, bases, dict) -> a new class.
   - dealloc: frees a heap type when its last reference goes. */
Object *class_type_getattr(Object *type, Object *name);
/* Whether A.s is one of the attributes every type answers itself
   (__name__, __dict__, __mro__, ...) before looking in the class. */
bool class_type_special_name(const char *s);
int class_type_setattr(Object *type, Object *name, Object *value);
Object *class_type_repr(Object *type);
/* C[key]: C.__class_getitem__(key) when a class of C's MRO defines it. */
Object *class_type_getitem(Object *type, Object *key);
Object *class_type_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames);
void class_type_dealloc(Object *type);
/* type's collector slots: only heap types (classes) are collected. */
bool class_type_is_gc(Object *type);
int class_type_traverse(Object *type, VisitFunc visit, void *arg);
int class_type_clear(Object *type);

/* __name__ / __qualname__ / __module__ of any type, as str (new references).
   Built-in types have module "builtins". */
Object *class_type_name(Type *t);
Object *class_type_qualname(Type *t);
Object *class_type_module(Type *t);

/* t.__subclasses__(): a new list of the classes that name t among their
   bases: the built-in types of the objects layer (types.c), then the live
   user classes in the order they were created. */
Object *class_subclasses(Type *t);

/* Call visit(t, arg) for every live user class (typeversion.c). */
void class_visit_live(void (*visit)(Type *t, void *arg), void *arg);

/* Teardown, after the module dicts are cleared: breaks the class <-> method
   cycles of the classes still alive, releases this file's cached names, and
   tears down the exception classes (exceptions_fini) as well. */
void class_fini(void);

/* When calling class t would only allocate an instance, as object.__new__
   does, and run a Toy function as its __init__ (no class of the MRO defines
   __new__, the instances are plain objects, __init__ is a function): that
   function, borrowed. NULL otherwise (no exception). Looked up on every
   call, so a later `A.__init__ = g` is seen. The eval loop uses it to run
   __init__ in its own loop instead of through class construction. */
Object *class_plain_init(Type *t);

/* When a OP b, for an instance a of t, would call a Toy function first:
   t is a user class based on object whose MRO defines __op__ as a
   function (not a generator function's). That function, a new reference;
   NULL otherwise (no exception). Looked up on every call. The eval loop
   runs it in its own loop; what follows a NotImplemented is
   object_binary_op_after_left's. */
Object *class_binop_function(Type *t, BinaryOp op);

/* obj.__class__ = value: refused as CPython refuses it (TypeError) unless
   both classes are user classes whose instances have the same layout; then
   the instance changes class. 0 / -1. */
int class_set_instance_class(Object *self, Object *value);

#endif
