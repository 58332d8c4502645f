/* function.c - the callable object types: Toy functions, cells, bound
 * methods, built-in functions and built-in method descriptors.
 *
 * Invariants:
 *   - A FunctionObject owns its code, globals, name and qualname (never NULL)
 *     and, when present, its defaults tuple, kwdefaults dict, closure tuple,
 *     attribute dict and class. Calling one is the VM's business
 *     (vm_call_function); this file only builds, inspects and frees them.
 *   - A MethodObject (a bound method) owns both its function and its self.
 *   - A BuiltinObject borrows its MethodDef (static tables live forever) and
 *     owns its self (the receiver, the module, or NULL).
 *   - A MethodDescrObject borrows both its MethodDef and its owner type:
 *     it lives in the owner's dict, so the type outlives it.
 *
 * Attribute names here are matched with strcmp: these lookups (f.__name__,
 * m.__self__) are rare, and comparing text avoids keeping interned names in
 * static variables.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/code.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/function.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "objects/weakref.h"
#include "interp/vm.h"

/* Arguments a bound method can forward without allocating: the receiver plus
   this many more are copied into an array on the C stack. */
enum { METHOD_SMALL_ARGS = 8 };

/* ---- Functions ------------------------------------------------------------ */

Object *function_new(Object *code, Object *globals)
{
    CodeObject *co = (CodeObject *)code;
    FunctionObject *fn = (FunctionObject *)object_alloc(&function_type, sizeof(FunctionObject));
    if (fn == NULL)
        return NULL;
    refcount_mark_shared((Object *)fn); /* toy-ft: immortal once threads share it */
    fn->code = NEWREF(code);
    fn->globals = NEWREF(globals);
    fn->name = NEWREF(co->name);
    fn->qualname = NEWREF(co->qualname ? co->qualname : co->name);
    return (Object *)fn;
}

static void function_dealloc(Object *self)
{
    weakref_on_dealloc(self);
    FunctionObject *fn = (FunctionObject *)self;
    DECREF(fn->code);
    XDECREF(fn->globals); /* NULL after the collector's clear */
    XDECREF(fn->defaults);
    XDECREF(fn->kwdefaults);
    XDECREF(fn->closure);
    DECREF(fn->name);
    DECREF(fn->qualname);
    XDECREF(fn->dict);
    XDECREF(fn->class_cell);
    object_free(self, sizeof(FunctionObject));
}

static Object *function_repr(Object *self)
{
    FunctionObject *fn = (FunctionObject *)self;
    return str_from_format("<function %s at %p>", str_data(fn->qualname), (void *)self);
}

/* The module a function was defined in: its globals' __name__ (None if the
   globals have none). New reference. */
static Object *function_module(FunctionObject *fn)
{
    Object *name = dict_get_item_cstr(fn->globals, "__name__");
    if (name == NULL) {
        if (error_occurred())
            return NULL;
        return NEWREF(None);
    }
    return NEWREF(name);
}

static Object *function_getattr(Object *self, Object *name)
{
    FunctionObject *fn = (FunctionObject *)self;
    const char *s = str_data(name);
    if (s[0] == '_' && s[1] == '_') {
        if (strcmp(s, "__name__") == 0)
            return NEWREF(fn->name);
        if (strcmp(s, "__qualname__") == 0)
            return NEWREF(fn->qualname);
        if (strcmp(s, "__code__") == 0)
            return NEWREF(fn->code);
        if (strcmp(s, "__globals__") == 0)
            return NEWREF(fn->globals);
        if (strcmp(s, "__defaults__") == 0)
            return NEWREF(fn->defaults ? fn->defaults : None);
        if (strcmp(s, "__kwdefaults__") == 0)
            return NEWREF(fn->kwdefaults ? fn->kwdefaults : None);
        if (strcmp(s, "__closure__") == 0)
            return NEWREF(fn->closure ? fn->closure : None);
        if (strcmp(s, "__module__") == 0) {
            Object *m = fn->dict ? dict_get_item(fn->dict, name) : NULL;
            if (m != NULL || error_occurred())
                return m ? NEWREF(m) : NULL;
            return function_module(fn);
        }
        if (strcmp(s, "__dict__") == 0) {
            if (fn->dict == NULL && (fn->dict = dict_new()) == NULL)
                return NULL;
            return NEWREF(fn->dict);
        }
    }
    if (fn->dict != NULL) {
        Object *v = dict_get_item(fn->dict, name);
        if (v != NULL)
            return NEWREF(v);
        if (error_occurred())
            return NULL;
    }
    if (strcmp(s, "__doc__") == 0) {
        CodeObject *co = (CodeObject *)fn->code;
        bool has_doc = (co->flags & CODE_DOCSTRING) && tuple_size(co->consts) > 0;
        return NEWREF(has_doc ? tuple_item(co->consts, 0) : None);
    }
    /* The type's attributes, and the standard AttributeError. */
    return object_generic_getattr(self, name);
}

/* f.__code__ = code: the new code must capture as many variables as the
   closure holds. */
static int function_set_code(FunctionObject *fn, Object *value)
{
    if (value == NULL || TYPE(value) != &code_type) {
        error_set(&exc_TypeError, "__code__ must be set to a code object");
        return -1;
    }
    size_t nfree = tuple_size(((CodeObject *)value)->freevars);
    size_t nclosure = fn->closure ? tuple_size(fn->closure) : 0;
    if (nfree != nclosure) {
        error_set(&exc_ValueError, "%s() requires a code object with %zu free vars, not %zu",
                  str_data(fn->name), nclosure, nfree);
        return -1;
    }
    SETREF(&fn->code, NEWREF(value));
    return 0;
}

/* Optional attributes that must be a `want` object or None; deleting one
   means None. */
static int function_set_optional(Object **slot, Object *value, Type *want, const char *what,
                                 const char *attr)
{
    if (value != NULL && value != None && TYPE(value) != want) {
        error_set(&exc_TypeError, "%s must be set to a %s object", attr, what);
        return -1;
    }
    SETREF(slot, (value == NULL || value == None) ? NULL : NEWREF(value));
    return 0;
}

int function_set_name_slot(Object **slot, const char *attr, Object *value)
{
    if (value == NULL || !is_str(value)) {
        error_set(&exc_TypeError, "%s must be set to a string object", attr);
        return -1;
    }
    SETREF(slot, NEWREF(value));
    return 0;
}

/* The special attributes: 1 when name is not one of them. */
static int function_set_special(FunctionObject *fn, const char *s, Object *value)
{
    if (strcmp(s, "__name__") == 0)
        return function_set_name_slot(&fn->name, s, value);
    if (strcmp(s, "__qualname__") == 0)
        return function_set_name_slot(&fn->qualname, s, value);
    if (strcmp(s, "__defaults__") == 0)
        return function_set_optional(&fn->defaults, value, &tuple_type, "tuple", s);
    if (strcmp(s, "__kwdefaults__") == 0)
        return function_set_optional(&fn->kwdefaults, value, &dict_type, "dict", s);
    if (strcmp(s, "__code__") == 0)
        return function_set_code(fn, value);
    if (strcmp(s, "__globals__") == 0 || strcmp(s, "__closure__") == 0 ||
        strcmp(s, "__builtins__") == 0) {
        error_set(&exc_AttributeError, "readonly attribute");
        return -1;
    }
    if (strcmp(s, "__dict__") == 0) {
        if (value == NULL) {
            error_set(&exc_TypeError, "cannot delete __dict__");
            return -1;
        }
        if (!is_dict(value)) {
            error_set(&exc_TypeError, "__dict__ must be set to a dictionary, not a '%s'",
                      TYPE_NAME(value));
            return -1;
        }
        SETREF(&fn->dict, NEWREF(value));
        return 0;
    }
    if (strcmp(s, "__annotations__") == 0 && value != NULL && !is_dict(value)) {
        error_set(&exc_TypeError, "__annotations__ must be set to a dict object");
        return -1;
    }
    return 1;
}

static int function_setattr(Object *self, Object *name, Object *value)
{
    FunctionObject *fn = (FunctionObject *)self;
    const char *s = str_data(name);
    if (s[0] == '_' && s[1] == '_') {
        int r = function_set_special(fn, s, value);
        if (r <= 0)
            return r;
        /* __doc__ and __module__ live in the dict; deleting one leaves None */
        if (value == NULL && (strcmp(s, "__doc__") == 0 || strcmp(s, "__module__") == 0))
            value = None;
    }
    if (fn->dict == NULL) {
        if (value == NULL) {
            error_set(&exc_AttributeError, "'function' object has no attribute '%s'", s);
            return -1;
        }
        if ((fn->dict = dict_new()) == NULL)
            return -1;
    }
    if (value == NULL) {
        int r = dict_del_item(fn->dict, name, false);
        if (r == 1)
            error_set(&exc_AttributeError, "'function' object has no attribute '%s'", s);
        return r == 0 ? 0 : -1;
    }
    return dict_set_item(fn->dict, name, value);
}

/* A function found on a class: bound to the instance, itself on the class. */
static Object *function_descr_get(Object *self, Object *obj, Type *type)
{
    (void)type;
    return obj != NULL ? method_new(self, obj) : NEWREF(self);
}

/* The cycle collector's slots. A function refers to its module's dict
   (globals), which refers back to it: the most common cycle of all. */
static int function_traverse(Object *self, VisitFunc visit, void *arg)
{
    FunctionObject *fn = (FunctionObject *)self;
    VISIT(fn->code);
    VISIT(fn->globals);
    VISIT(fn->defaults);
    VISIT(fn->kwdefaults);
    VISIT(fn->closure);
    VISIT(fn->name);
    VISIT(fn->qualname);
    VISIT(fn->dict);
    VISIT(fn->class_cell);
    return 0;
}

static int function_clear(Object *self)
{
    FunctionObject *fn = (FunctionObject *)self;
    CLEAR(&fn->globals);
    CLEAR(&fn->defaults);
    CLEAR(&fn->kwdefaults);
    CLEAR(&fn->closure);
    CLEAR(&fn->dict);
    CLEAR(&fn->class_cell);
    return 0;
}

/* Served by function_type's getattr slot; declared for dir() and the class. */
static const GetSetDef function_getsets[] = {
    {"__name__", NULL, false},
    {"__qualname__", NULL, false},
    {"__code__", NULL, false},
    {"__globals__", NULL, true},
    {"__defaults__", NULL, false},
    {"__kwdefaults__", NULL, false},
    {"__closure__", NULL, true},
    {"__module__", NULL, true},
    {"__dict__", NULL, false},
    {"__doc__", NULL, true},
    {NULL, NULL, false},
};

Type function_type = {
    TYPE_HEAD_INIT,
    .name = "function",
    .getsets = function_getsets,
    .base_type = &object_type,
    .flags = TYPE_GC | TYPE_WEAKREFABLE,
    .instance_size = sizeof(FunctionObject),
    .dict_offset = offsetof(FunctionObject, dict),
    .dealloc = function_dealloc,
    .repr = function_repr,
    .hash = object_identity_hash,
    .call = vm_call_function,
    .getattr = function_getattr,
    .setattr = function_setattr,
    .descr_get = function_descr_get,
    .traverse = function_traverse,
    .clear = function_clear,
};

/* ---- Cells ---------------------------------------------------------------- */

Object *cell_new(Object *contents)
{
    CellObject *cell = (CellObject *)object_alloc(&cell_type, sizeof(CellObject));
    if (cell == NULL)
        return NULL;
    XINCREF(contents);
    cell->contents = contents;
    return (Object *)cell;
}

static void cell_dealloc(Object *self)
{
    XDECREF(((CellObject *)self)->contents);
    object_free(self, sizeof(CellObject));
}

static Object *cell_repr(Object *self)
{
    Object *c = ((CellObject *)self)->contents;
    if (c == NULL)
        return str_from_format("<cell at %p: empty>", (void *)self);
    return str_from_format("<cell at %p: %s object at %p>", (void *)self, TYPE_NAME(c), (void *)c);
}

static Object *cell_getattr(Object *self, Object *name)
{
    if (strcmp(str_data(name), "cell_contents") == 0) {
        Object *c = cell_get_ref((CellObject *)self);
        if (c == NULL)
            return error_set(&exc_ValueError, "Cell is empty");
        return c;
    }
    return object_generic_getattr(self, name);
}

static int cell_traverse(Object *self, VisitFunc visit, void *arg)
{
    VISIT(((CellObject *)self)->contents);
    return 0;
}

static int cell_clear(Object *self)
{
    CLEAR(&((CellObject *)self)->contents);
    return 0;
}

Type cell_type = {
    TYPE_HEAD_INIT,
    .name = "cell",
    .base_type = &object_type,
    .flags = TYPE_GC,
    .instance_size = sizeof(CellObject),
    .dealloc = cell_dealloc,
    .repr = cell_repr,
    .getattr = cell_getattr,
    .traverse = cell_traverse,
    .clear = cell_clear,
};

/* ---- Bound methods -------------------------------------------------------- */

Object *method_new(Object *func, Object *self)
{
    MethodObject *m = (MethodObject *)object_alloc(&method_type, sizeof(MethodObject));
    if (m == NULL)
        return NULL;
    m->func = NEWREF(func);
    m->self = NEWREF(self);
    return (Object *)m;
}

static void method_dealloc(Object *self)
{
    weakref_on_dealloc(self);
    MethodObject *m = (MethodObject *)self;
    DECREF(m->func);
    DECREF(m->self);
    object_free(self, sizeof(MethodObject));
}

/* m(args) is m.__func__(m.__self__, args). The arguments are copied behind
   the receiver into a C-stack array when they are few (the common case), so
   a bound-method call from C allocates nothing. */
static Object *method_call(Object *callable, Object *const *args, size_t nargs, Object *kwnames)
{
    MethodObject *m = (MethodObject *)callable;
    size_t total = nargs + (kwnames ? tuple_size(kwnames) : 0);
    Object *small[METHOD_SMALL_ARGS];
    Object **argv = small;
    if (total + 1 > METHOD_SMALL_ARGS) {
        argv = mem_alloc((total + 1) * sizeof(Object *));
        if (argv == NULL)
            return error_no_memory();
    }
    argv[0] = m->self;
    if (total > 0)
        memcpy(argv + 1, args, total * sizeof(Object *));
    Object *result;
    if (TYPE(m->func) == &function_type)
        result = vm_call_function(m->func, argv, nargs + 1, kwnames);
    else
        result = object_call(m->func, argv, nargs + 1, kwnames);
    if (argv != small)
        mem_free(argv, (total + 1) * sizeof(Object *));
    return result;
}

/* The qualified name of any callable, for reprs: __qualname__, else
   __name__, else "?". New reference. */
static Object *callable_qualname(Object *func)
{
    if (TYPE(func) == &function_type)
        return NEWREF(((FunctionObject *)func)->qualname);
    Object *q = object_getattr_cstr(func, "__qualname__");
    if (q == NULL) {
        error_clear();
        q = object_getattr_cstr(func, "__name__");
    }
    if (q == NULL || !is_str(q)) {
        error_clear();
        XDECREF(q);
        return str_from_cstr("?");
    }
    return q;
}

static Object *method_repr(Object *self)
{
    MethodObject *m = (MethodObject *)self;
    Object *qualname = callable_qualname(m->func);
    if (qualname == NULL)
        return NULL;
    Object *self_repr = object_repr(m->self);
    if (self_repr == NULL) {
        DECREF(qualname);
        return NULL;
    }
    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_cstr(&b, "<bound method ");
    str_builder_add_str(&b, qualname);
    str_builder_add_cstr(&b, " of ");
    str_builder_add_str(&b, self_repr);
    str_builder_add_char(&b, '>');
    DECREF(qualname);
    DECREF(self_repr);
    return str_builder_finish(&b);
}

static Object *method_getattr(Object *self, Object *name)
{
    MethodObject *m = (MethodObject *)self;
    const char *s = str_data(name);
    if (strcmp(s, "__self__") == 0)
        return NEWREF(m->self);
    if (strcmp(s, "__func__") == 0)
        return NEWREF(m->func);
    if (strcmp(s, "__class__") == 0)
        return object_generic_getattr(self, name);
    /* Everything else (__name__, __qualname__, __doc__, user attributes set
       on the function) comes from the function, as in Python, whose
       AttributeError names the function's type. */
    return object_getattr(m->func, name);
}

/* Two bound methods are equal when they bind the same object (identity) to
   equal functions. */
static Object *method_richcompare(Object *a, Object *b, int op)
{
    if ((op != CMP_EQ && op != CMP_NE) || TYPE(a) != &method_type || TYPE(b) != &method_type)
        return NEWREF(NotImplemented);
    MethodObject *ma = (MethodObject *)a, *mb = (MethodObject *)b;
    int eq = 0;
    if (ma->self == mb->self) {
        eq = object_equal(ma->func, mb->func);
        if (eq < 0)
            return NULL;
    }
    return NEWREF((eq != 0) == (op == CMP_EQ) ? True_ : False_);
}

static int64_t method_hash(Object *self)
{
    MethodObject *m = (MethodObject *)self;
    int64_t h = object_hash(m->func);
    if (h == -1)
        return -1;
    /* The receiver counts by identity, as in equality. */
    h ^= object_identity_hash(m->self);
    return h == -1 ? -2 : h;
}

/* No clear slot, as in CPython: a bound method is immutable; the cycle it
   is part of runs through its function or its receiver too. */
static int method_traverse(Object *self, VisitFunc visit, void *arg)
{
    MethodObject *m = (MethodObject *)self;
    VISIT(m->func);
    VISIT(m->self);
    return 0;
}

Type method_type = {
    TYPE_HEAD_INIT,
    .name = "method",
    .base_type = &object_type,
    .flags = TYPE_GC | TYPE_WEAKREFABLE,
    .instance_size = sizeof(MethodObject),
    .dealloc = method_dealloc,
    .repr = method_repr,
    .hash = method_hash,
    .richcompare = method_richcompare,
    .call = method_call,
    .getattr = method_getattr,
    .traverse = method_traverse,
};

/* ---- Built-in functions and bound built-in methods ------------------------ */

Object *builtin_new(const MethodDef *def, Object *self)
{
    BuiltinObject *b = (BuiltinObject *)object_alloc(&builtin_type, sizeof(BuiltinObject));
    if (b == NULL)
        return NULL;
    refcount_mark_shared((Object *)b);
    b->def = def;
    XINCREF(self);
    b->self = self;
    return (Object *)b;
}

static void builtin_dealloc(Object *self)
{
    weakref_on_dealloc(self);
    XDECREF(((BuiltinObject *)self)->self);
    object_free(self, sizeof(BuiltinObject));
}

/* A module function (or a free-standing one) rather than a method bound to
   a receiver. */
static bool builtin_is_function(BuiltinObject *b)
{
    return b->self == NULL || is_module(b->self);
}

static Object *builtin_call(Object *callable, Object *const *args, size_t nargs, Object *kwnames)
{
    BuiltinObject *b = (BuiltinObject *)callable;
    /* Built-ins that call back into Toy (repr, sorted with a key, ...) can
       recurse through C without passing a run loop: guard the C stack. */
    if (vm_check_c_stack() < 0)
        return NULL;
    return b->def->func(b->self, args, nargs, kwnames);
}

static Object *builtin_repr(Object *self)
{
    BuiltinObject *b = (BuiltinObject *)self;
    if (builtin_is_function(b))
        return str_from_format("<built-in function %s>", b->def->name);
    return str_from_format("<built-in method %s of %s object at %p>", b->def->name,
                           TYPE_NAME(b->self), (void *)b->self);
}

static Object *builtin_getattr(Object *self, Object *name)
{
    BuiltinObject *b = (BuiltinObject *)self;
    const char *s = str_data(name);
    if (strcmp(s, "__name__") == 0)
        return str_from_cstr(b->def->name);
    if (strcmp(s, "__qualname__") == 0) {
        if (builtin_is_function(b))
            return str_from_cstr(b->def->name);
        return str_from_format("%s.%s", TYPE_NAME(b->self), b->def->name);
    }
    if (strcmp(s, "__self__") == 0) {
        if (b->self != NULL)
            return NEWREF(b->self);
        /* Free-standing built-ins belong to the builtins module. */
        Object *m = interp.modules ? dict_get_item_cstr(interp.modules, "builtins") : NULL;
        return NEWREF(m ? m : None);
    }
    if (strcmp(s, "__doc__") == 0)
        return b->def->doc ? str_from_cstr(b->def->doc) : NEWREF(None);
    if (strcmp(s, "__module__") == 0) {
        /* the module a function belongs to; None for a method */
        if (b->self == NULL)
            return str_from_cstr("builtins");
        return NEWREF(is_module(b->self) ? ((ModuleObject *)b->self)->name : None);
    }
    return object_generic_getattr(self, name);
}

/* Bound built-ins compare equal when they wrap the same C function bound to
   the same receiver ([].append is fresh each time). */
static Object *builtin_richcompare(Object *a, Object *b, int op)
{
    if ((op != CMP_EQ && op != CMP_NE) || TYPE(a) != &builtin_type || TYPE(b) != &builtin_type)
        return NEWREF(NotImplemented);
    BuiltinObject *ba = (BuiltinObject *)a, *bb = (BuiltinObject *)b;
    bool eq = ba->def == bb->def && ba->self == bb->self;
    return NEWREF(eq == (op == CMP_EQ) ? True_ : False_);
}

static int64_t builtin_hash(Object *self)
{
    BuiltinObject *b = (BuiltinObject *)self;
    int64_t h = object_identity_hash((Object *)b->def);
    if (b->self != NULL)
        h ^= object_identity_hash(b->self);
    return h == -1 ? -2 : h;
}

static int builtin_traverse(Object *self, VisitFunc visit, void *arg)
{
    VISIT(((BuiltinObject *)self)->self);
    return 0;
}

/* Served by builtin_type's getattr slot; declared for dir() and the class. */
static const GetSetDef builtin_getsets[] = {
    {"__name__", NULL, false},
    {"__qualname__", NULL, false},
    {"__self__", NULL, false},
    {"__module__", NULL, true},
    {NULL, NULL, false},
};

Type builtin_type = {
    TYPE_HEAD_INIT,
    .name = "builtin_function_or_method",
    .getsets = builtin_getsets,
    .base_type = &object_type,
    .flags = TYPE_GC | TYPE_WEAKREFABLE,
    .instance_size = sizeof(BuiltinObject),
    .dealloc = builtin_dealloc,
    .repr = builtin_repr,
    .hash = builtin_hash,
    .richcompare = builtin_richcompare,
    .call = builtin_call,
    .getattr = builtin_getattr,
    .traverse = builtin_traverse,
};

/* ---- Method descriptors (list.append found on the type) ------------------- */

Object *method_descr_new(Type *owner, const MethodDef *def)
{
    MethodDescrObject *d = (MethodDescrObject *)object_alloc(&method_descr_type,
                                                             sizeof(MethodDescrObject));
    if (d == NULL)
        return NULL;
    refcount_mark_shared((Object *)d);
    d->def = def;
    d->owner = owner;
    return (Object *)d;
}

static void method_descr_dealloc(Object *self)
{
    object_free(self, sizeof(MethodDescrObject));
}

/* list.append(xs, 1): the receiver is the first argument and must be an
   instance of the type that defines the method. */
static Object *method_descr_call(Object *callable, Object *const *args, size_t nargs,
                                 Object *kwnames)
{
    MethodDescrObject *d = (MethodDescrObject *)callable;
    if (nargs < 1)
        return error_set(&exc_TypeError, "unbound method %s.%s() needs an argument",
                         type_name(d->owner), d->def->name);
    if (!is_instance_of(args[0], d->owner))
        return error_set(&exc_TypeError, "descriptor '%s' for '%s' objects doesn't apply to a '%s' object",
                         d->def->name, type_name(d->owner), TYPE_NAME(args[0]));
    if (vm_check_c_stack() < 0)
        return NULL;
    return d->def->func(args[0], args + 1, nargs - 1, kwnames);
}

static Object *method_descr_descr_get(Object *self, Object *obj, Type *type)
{
    (void)type;
    MethodDescrObject *d = (MethodDescrObject *)self;
    if (obj == NULL)
        return NEWREF(self);
    if (!is_instance_of(obj, d->owner))
        return error_set(&exc_TypeError, "descriptor '%s' for '%s' objects doesn't apply to a '%s' object",
                         d->def->name, type_name(d->owner), TYPE_NAME(obj));
    return builtin_new(d->def, obj);
}

static Object *method_descr_repr(Object *self)
{
    MethodDescrObject *d = (MethodDescrObject *)self;
    return str_from_format("<method '%s' of '%s' objects>", d->def->name, type_name(d->owner));
}

static Object *method_descr_getattr(Object *self, Object *name)
{
    MethodDescrObject *d = (MethodDescrObject *)self;
    const char *s = str_data(name);
    if (strcmp(s, "__name__") == 0)
        return str_from_cstr(d->def->name);
    if (strcmp(s, "__qualname__") == 0)
        return str_from_format("%s.%s", type_name(d->owner), d->def->name);
    if (strcmp(s, "__objclass__") == 0)
        return NEWREF(d->owner);
    if (strcmp(s, "__doc__") == 0)
        return d->def->doc ? str_from_cstr(d->def->doc) : NEWREF(None);
    return object_generic_getattr(self, name);
}

Type method_descr_type = {
    TYPE_HEAD_INIT,
    .name = "method_descriptor",
    .base_type = &object_type,
    .instance_size = sizeof(MethodDescrObject),
    .dealloc = method_descr_dealloc,
    .repr = method_descr_repr,
    .hash = object_identity_hash,
    .call = method_descr_call,
    .getattr = method_descr_getattr,
    .descr_get = method_descr_descr_get,
};
