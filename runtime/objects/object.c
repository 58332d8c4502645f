/* object.c - the root of the object system: object, type, None,
 * NotImplemented, Ellipsis, object allocation, type set-up and generic
 * attribute access.
 *
 * Attribute lookup (object_generic_getattr) is Python's: a data descriptor
 * on the class (property, a user class with __set__) first, then the
 * instance dict, then the class and its bases. What is found on the class
 * goes through its type's descr_get: that is how a function becomes a bound
 * method. Setting an attribute looks for a data descriptor only when the
 * class's TYPE_DATA_DESCRS flag says one may exist, so plain `self.x = v`
 * never searches the class chain.
 */
#include "core/object.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/gchead.h"
#include "core/objhooks.h"
#include "core/objlock.h"
#include "core/race.h"
#include "core/typestats.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/class.h"
#include "objects/descr.h"
#include "objects/dict.h"
#include "objects/dir.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/function.h"
#include "objects/getset.h"
#include "objects/objectmethods.h"
#include "objects/typemethods.h"
#include "objects/int.h"
#include "objects/mro.h"
#include "objects/slotwrapper.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* ---- Allocation ----------------------------------------------------------- */

/* An object is a block from the allocator and, for a container, a
   collector head. What makes an allocation "slow" is known per call: the
   type has a collector head or a prefix (TYPE_GC, TYPE_HEAP), or a
   rarely-used hook watches (object_hooks, core/objhooks.h: the counts of
   --stats, --stats=types, the race detector, --no-gil's collector lock). object_alloc, object_free and
   object_dealloc test the hooks byte once; the functions below are
   written once (always inlined) and instantiated twice, with hooks a
   constant 0 on the common path, so that its tests compile away. */

/* The bytes of o's block before its header: a user class's prefix and
   collector head, or a container's head. */
static inline size_t bytes_before(Type *type, unsigned flags) {
    if (flags & TYPE_HEAP) return heap_bytes_before(type);
    return (flags & TYPE_GC) ? sizeof(GCHead) : 0;
}

/* 16 and 8 zero bytes at p (8-byte aligned), as plain stores. */
typedef uint64_t __attribute__((vector_size(16), aligned(8), may_alias)) ZeroPair;
typedef uint64_t __attribute__((may_alias)) ZeroWord;

/* k bytes (a constant multiple of 8, at most 128) at p zeroed by stores.
   A memset of a constant size does the same where the code is hot, but
   where the profile-guided build found a size cold it compiles it to a
   string instruction (`rep stos`), whose start-up costs more than the
   stores: toy-ft's dicts (112 bytes) were zeroed that way. */
static inline __attribute__((always_inline)) void zero_stores(char *p, size_t k) {
    switch (k / 16) {
    case 8: *(ZeroPair *)(p + 112) = (ZeroPair){0, 0}; /* fall through */
    case 7: *(ZeroPair *)(p + 96) = (ZeroPair){0, 0}; /* fall through */
    case 6: *(ZeroPair *)(p + 80) = (ZeroPair){0, 0}; /* fall through */
    case 5: *(ZeroPair *)(p + 64) = (ZeroPair){0, 0}; /* fall through */
    case 4: *(ZeroPair *)(p + 48) = (ZeroPair){0, 0}; /* fall through */
    case 3: *(ZeroPair *)(p + 32) = (ZeroPair){0, 0}; /* fall through */
    case 2: *(ZeroPair *)(p + 16) = (ZeroPair){0, 0}; /* fall through */
    case 1: *(ZeroPair *)p = (ZeroPair){0, 0}; /* fall through */
    default: break;
    }
    if (k % 16) *(ZeroWord *)(p + k - 8) = 0;
}

/* memset(p, 0, n) for a new object. Most objects are a few words long:
   a constant size compiles to a handful of stores, where the library call
   with a variable size costs several times that. */
static inline void zero_new_object(void *p, size_t n) {
#define ZERO_CASE(k) case k: zero_stores(p, k); return;
    switch (n) {
    ZERO_CASE(16) ZERO_CASE(24) ZERO_CASE(32) ZERO_CASE(40)
    ZERO_CASE(48) ZERO_CASE(56) ZERO_CASE(64) ZERO_CASE(72)
    ZERO_CASE(80) ZERO_CASE(88) ZERO_CASE(96) ZERO_CASE(104)
    ZERO_CASE(112) ZERO_CASE(120) ZERO_CASE(128)
    default: memset(p, 0, n); return;
    }
#undef ZERO_CASE
}

static inline __attribute__((always_inline)) Object *alloc_object(Type *type, size_t size,
                                                                  unsigned hooks) {
    unsigned flags = type->flags;
    size_t pre = bytes_before(type, flags);
    char *block = mem_alloc(pre + size);
    if (!block) return error_no_memory();
    Object *o = (Object *)(block + pre);
    if (flags & TYPE_HEAP)
        zero_new_object(block, pre + size); /* the prefix too */
    else
        zero_new_object(o, size);
    refcount_init_new(o);
    o->type = type;
    if (flags & TYPE_HEAP) INCREF(type);
    if (hooks & OBJHOOK_COUNT) mem_count_object_alloc();
    if (hooks & OBJHOOK_TYPESTATS) typestats_alloc(type);
    if (flags & TYPE_GC) {
        bool untracked = (flags & (TYPE_GC_UNTRACKED_AT_BIRTH | TYPE_HEAP)) == TYPE_GC_UNTRACKED_AT_BIRTH;
        gc_birth(o, !untracked, hooks & OBJHOOK_GC_LOCKING);
    }
    return o;
}

/* A container or an instance of a user class, no hook. Out of line so
   that the common allocation stays small. */
static __attribute__((noinline)) Object *object_alloc_container(Type *type, size_t size) {
    return alloc_object(type, size, 0);
}

static __attribute__((noinline)) Object *object_alloc_hooked(Type *type, size_t size) {
    return alloc_object(type, size, object_hooks);
}

/* object_alloc and object_alloc_unfilled: the hooked and container paths
   always zero the whole object (they are slow anyway). */
static inline __attribute__((always_inline)) Object *alloc_plain(Type *type, size_t size,
                                                                 size_t zeroed) {
    if (__builtin_expect(object_hooks != 0, 0)) return object_alloc_hooked(type, size);
    if (type->flags & (TYPE_GC | TYPE_HEAP)) return object_alloc_container(type, size);
    Object *o = mem_alloc(size);
    if (!o) return error_no_memory();
    zero_new_object(o, zeroed);
    refcount_init_new(o);
    o->type = type;
    return o;
}

Object *object_alloc(Type *type, size_t size) {
    return alloc_plain(type, size, size);
}

Object *object_alloc_unfilled(Type *type, size_t size, size_t zeroed) {
    return alloc_plain(type, size, zeroed < size ? zeroed : size);
}

/* With --no-gil the race detector (race.h) keeps freed objects poisoned
   in quarantine instead of releasing them (it remembers the type's name
   before the DECREF below). A container leaves its generation list and
   gives back its head with the object; an instance of a user class its
   prefix, and its reference to the class, last. */
static inline __attribute__((always_inline)) void free_object(Object *o, size_t size,
                                                              unsigned hooks) {
    Type *type = o->type;
    unsigned flags = type->flags;
    size_t pre = bytes_before(type, flags);
    char *block = (char *)o - pre;
    size_t bytes = pre + size;
    /* toy-ft: the block of another thread's object may go to that thread,
       which frees it once the object has left its list (core/gcstripe.c) */
    bool handed = (flags & TYPE_GC) && gc_death(o, hooks & OBJHOOK_GC_LOCKING, block, bytes);
    if (hooks & OBJHOOK_COUNT) mem_count_object_free();
    if (hooks & OBJHOOK_TYPESTATS) typestats_free(type);
    if (!handed) {
        if (hooks & OBJHOOK_RACE)
            race_quarantine(o, size, pre);
        else if (!(hooks & OBJHOOK_KEEP_AT_EXIT) || /* toy-ft: an immortal freed at exit */
                 !refcount_keep_block(o, block, bytes))
            mem_free(block, bytes);
    }
    if (flags & TYPE_HEAP) DECREF(type);
}

static __attribute__((noinline)) void object_free_container(Object *o, size_t size) {
    free_object(o, size, 0);
}

static __attribute__((noinline)) void object_free_hooked(Object *o, size_t size) {
    free_object(o, size, object_hooks);
}

void object_free(Object *o, size_t size) {
    if (__builtin_expect(object_hooks != 0, 0)) {
        object_free_hooked(o, size);
        return;
    }
    if (o->type->flags & (TYPE_GC | TYPE_HEAP)) {
        object_free_container(o, size);
        return;
    }
    mem_free(o, size);
}

/* With the race detector on, it claims each object before its dealloc
   runs. A dying container leaves the collector's lists before its dealloc
   runs: a collection started by code that the dealloc runs (a __del__ of
   an item) must not meet it half torn down. */
void object_dealloc(Object *o) {
    if (__builtin_expect(object_hooks & OBJHOOK_RACE, 0)) {
        race_dealloc(o); /* untracks once the object is claimed */
        return;
    }
    if (o->type->flags & TYPE_GC) gc_untrack_dying(o);
    o->type->dealloc(o);
}

/* ---- Identity, default repr ------------------------------------------------ */

int64_t object_identity_hash(Object *o) {
    /* Rotate the low bits away: they are zero in the GIL build, whose
       objects are 16-byte aligned (8-byte in toy-ft: core/pool.h). */
    uintptr_t p = (uintptr_t)o;
    int64_t h = (int64_t)((p >> 4) | (p << (8 * sizeof(p) - 4)));
    return h == -1 ? -2 : h;
}

int64_t object_hash_not_implemented(Object *o) {
    error_set(&exc_TypeError, "unhashable type: '%s'", TYPE_NAME(o));
    return -1;
}

/* <int object at 0x...>; an instance of a class shows where the class
   lives: <__main__.A object at 0x...>. */
Object *object_default_repr(Object *o) {
    Type *t = TYPE(o);
    if (!(t->flags & TYPE_HEAP)) return str_from_format("<%s object at %p>", t->name, (void *)o);
    Object *module = class_type_module(t);
    Object *qualname = module ? class_type_qualname(t) : NULL;
    Object *r = NULL;
    if (qualname) {
        if (is_str(module) && strcmp(str_data(module), "builtins") != 0)
            r = str_from_format("<%s.%s object at %p>", str_data(module), str_data(qualname),
                                (void *)o);
        else
            r = str_from_format("<%s object at %p>", str_data(qualname), (void *)o);
    }
    XDECREF(module);
    XDECREF(qualname);
    return r;
}

const char *type_name(Type *t) { return t->name; }

bool type_is_subtype(Type *sub, Type *t) {
    if (sub == t) return true;
    for (size_t i = 1; i < sub->mro_len; i++)
        if (sub->mro[i] == t) return true;
    return false;
}

/* ---- object ----------------------------------------------------------------- */

static void object_dealloc_plain(Object *o) { object_free(o, sizeof(Object)); }

/* object.__ne__: "not a.__eq__(b)" by a's own type only, NotImplemented
   when that is NotImplemented, so that the caller tries b's reflection. */
static Object *object_ne(Object *a, Object *b) {
    RichCompareFunc eqf = TYPE(a)->richcompare;
    Object *eq = eqf ? eqf(a, b, CMP_EQ) : NEWREF(NotImplemented);
    if (!eq || eq == NotImplemented) return eq;
    int t = object_truth(eq);
    DECREF(eq);
    if (t < 0) return NULL;
    return bool_from(!t);
}

static Object *object_richcompare(Object *a, Object *b, int op) {
    if (op == CMP_EQ) return NEWREF(a == b ? True_ : NotImplemented);
    if (op == CMP_NE) return object_ne(a, b);
    return NEWREF(NotImplemented);
}

static Object *object_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (nargs || kwnames) return error_set(&exc_TypeError, "object() takes no arguments");
    return object_alloc(type, sizeof(Object));
}

/* Does t (or a class of its chain) replace object's __new__ / __init__? */
static bool type_overrides(Type *t, const char *name) {
    Object *key = str_intern_cstr(name);
    if (!key) {
        error_clear();
        return true;
    }
    bool r = type_lookup(t, key) != dict_get_str(object_type.dict, key);
    DECREF(key);
    return r;
}

/* object.__init__(self, *args): extra arguments are an error unless the
   class replaced __new__ and not __init__ (they were for __new__), as in
   CPython. */
static Object *object_init_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (!nargs && (!kwnames || tuple_size(kwnames) == 0)) return NEWREF(None);
    Type *t = TYPE(self);
    if (type_overrides(t, "__init__"))
        return error_set(&exc_TypeError,
                         "object.__init__() takes exactly one argument (the instance to initialize)");
    if (!type_overrides(t, "__new__"))
        return error_set(&exc_TypeError,
                         "%s.__init__() takes exactly one argument (the instance to initialize)",
                         t->name);
    return NEWREF(None);
}

/* Is t's __new__ one a user class defines (the first of its MRO to have
   one is a user class)? Then that __new__ makes t's instances, whatever
   built-in type lies below. */
static bool defines_new_in_python(Type *t) {
    Object *key = str_intern_cstr("__new__");
    if (!key) {
        error_clear();
        return false;
    }
    bool found = false;
    for (size_t i = 0; i < t->mro_len; i++) {
        if (!dict_get_str(t->mro[i]->dict, key)) continue;
        found = (t->mro[i]->flags & TYPE_HEAP) != 0;
        break;
    }
    DECREF(key);
    return found;
}

/* The nearest built-in type of t's chain (t itself when built-in). */
static Type *static_base(Type *t) { return t->builtin_base ? t->builtin_base : t; }

/* The checks of owner.__new__(sub, ...), in CPython's order and words: sub
   must be a class derived from owner whose instances owner's construction
   can make (int.__new__ cannot make a bool: bool has a construction of its
   own). Returns sub, or NULL with the TypeError set. */
static Type *new_target(Type *owner, Object *const *args, size_t nargs) {
    const char *name = owner->name;
    if (nargs < 1) {
        error_set(&exc_TypeError, "%s.__new__(): not enough arguments", name);
        return NULL;
    }
    if (!is_instance_of(args[0], &type_type)) {
        error_set(&exc_TypeError, "%s.__new__(X): X is not a type object (%s)", name,
                  TYPE_NAME(args[0]));
        return NULL;
    }
    Type *sub = (Type *)args[0];
    if (!type_is_subtype(sub, owner)) {
        error_set(&exc_TypeError, "%s.__new__(%s): %s is not a subtype of %s", name, sub->name,
                  sub->name, name);
        return NULL;
    }
    Type *made_by = sub;
    while ((made_by->flags & TYPE_HEAP) && defines_new_in_python(made_by))
        made_by = made_by->base_type;
    if (static_base(made_by)->construct != owner->construct) {
        error_set(&exc_TypeError, "%s.__new__(%s) is not safe, use %s.__new__()", name, sub->name,
                  made_by->name);
        return NULL;
    }
    return sub;
}

/* object.__new__(cls, *args): a plain instance of cls. Extra arguments are
   an error unless the class replaced __init__ and not __new__. */
static Object *object_new_function(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)self;
    Type *t = new_target(&object_type, args, nargs);
    if (!t) return NULL;
    if (nargs > 1 || (kwnames && tuple_size(kwnames) > 0)) {
        if (type_overrides(t, "__new__"))
            return error_set(&exc_TypeError,
                             "object.__new__() takes exactly one argument (the type to instantiate)");
        if (!type_overrides(t, "__init__"))
            return error_set(&exc_TypeError, "%s() takes no arguments", t->name);
    }
    return object_alloc(t, t->instance_size);
}

static const MethodDef object_new_def = {"__new__", object_new_function,
                                         "Create and return a new object."};

/* object.__init_subclass__(cls): called on the base when a class is
   created; accepts nothing. */
static Object *object_init_subclass_function(Object *self, Object *const *args, size_t nargs,
                                             Object *kwnames) {
    (void)self;
    const char *cls = nargs && is_instance_of(args[0], &type_type) ? ((Type *)args[0])->name
                                                                    : "object";
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "%s.__init_subclass__() takes no keyword arguments", cls);
    if (nargs != 1)
        return error_set(&exc_TypeError, "%s.__init_subclass__() takes no arguments (%zu given)",
                         cls, nargs ? nargs - 1 : 0);
    return NEWREF(None);
}

static const MethodDef object_init_subclass_def = {
    "__init_subclass__", object_init_subclass_function,
    "This method is called when a class is subclassed."};

/* Put wrap(builtin def) into t's dict under def's name. */
static int type_install_wrapped(Type *t, const MethodDef *def, Object *(*wrap)(Object *)) {
    if (dict_get_item_cstr(t->dict, def->name)) return 0;
    if (error_occurred()) return -1;
    Object *fn = builtin_new(def, (Object *)t);
    Object *w = fn ? wrap(fn) : NULL;
    int r = w ? dict_set_item_cstr(t->dict, def->name, w) : -1;
    XDECREF(fn);
    XDECREF(w);
    return r;
}

/* object.__new__ is a static method holding a built-in function (so that
   object.__new__(C) and super().__new__(C) both pass the class
   explicitly), object.__init_subclass__, object.__subclasshook__ and
   type.__prepare__ class methods. Installed once the descriptor types are
   ready. */
static int object_install_new(void) {
    Type *o = &object_type;
    if (type_install_wrapped(o, &object_new_def, descr_staticmethod_new) < 0 ||
        type_install_wrapped(o, &objectmethods_subclasshook_def, descr_classmethod_new) < 0 ||
        type_install_wrapped(&type_type, &typemethods_prepare_def, descr_classmethod_new) < 0)
        return -1;
    return type_install_wrapped(o, &object_init_subclass_def, descr_classmethod_new);
}

/* T.__new__(cls, *args) of a built-in type T that can be subclassed (self is
   T): T's construction, making an instance of cls. A mutable container
   (list, dict, set: a type with an __init__ of its own) starts empty and
   leaves the arguments to __init__, as in CPython; the others build their
   value from them. */
static Object *builtin_type_new_function(Object *self, Object *const *args, size_t nargs,
                                         Object *kwnames) {
    Type *owner = (Type *)self;
    Type *cls = new_target(owner, args, nargs);
    if (!cls) return NULL;
    bool init_fills = !(owner->flags & TYPE_EXCEPTION) &&
                      dict_get_item_cstr(owner->dict, "__init__") != NULL;
    if (error_occurred()) return NULL;
    if (init_fills) return owner->construct(cls, NULL, 0, NULL);
    return owner->construct(cls, args + 1, nargs - 1, kwnames);
}

static const MethodDef builtin_type_new_def = {"__new__", builtin_type_new_function,
                                               "Create and return a new object."};

/* Give each built-in type that can be subclassed (other than object) its
   own __new__, bound to it, as CPython does: ValueError.__new__(Exception)
   names ValueError in its complaint. */
static int builtin_install_new(Type *t, Object *key) {
    if (!(t->flags & TYPE_BASETYPE) || t == &object_type || !t->construct) return 0;
    if (dict_get_str(t->dict, key)) return 0;
    Object *fn = builtin_new(&builtin_type_new_def, (Object *)t);
    Object *w = fn ? descr_staticmethod_new(fn) : NULL;
    int r = w ? dict_add_str(t->dict, key, w) : -1;
    XDECREF(fn);
    XDECREF(w);
    return r;
}

static Object *object_dir_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("__dir__", nargs, kwnames, 0, 0) < 0) return NULL;
    return dir_object_default(self);
}

static const MethodDef object_methods[] = {
    {"__init__", object_init_method, "Initialize self.  See help(type(self)) for accurate signature."},
    {"__dir__", object_dir_method, "Default dir() implementation."},
    {"__format__", objectmethods_format, "Default object formatter."},
    {"__sizeof__", objectmethods_sizeof, "Size of object in memory, in bytes."},
    {"__getstate__", objectmethods_getstate, "Helper for pickle."},
    {NULL, NULL, NULL},
};

static Object *object_get_class(Object *self) { return NEWREF(TYPE(self)); }

static const GetSetDef object_getsets[] = {
    {"__class__", object_get_class, false},
    {NULL, NULL, false},
};

Type object_type = {
    TYPE_HEAD_INIT,
    .name = "object",
    .getsets = object_getsets,
    .instance_size = sizeof(Object),
    .flags = TYPE_BASETYPE,
    .methods = object_methods,
    .dealloc = object_dealloc_plain,
    .repr = object_default_repr,
    .hash = object_identity_hash,
    .richcompare = object_richcompare,
    .construct = object_construct,
};

/* ---- type ------------------------------------------------------------------- */

static Object *type_call(Object *callable, Object *const *args, size_t nargs, Object *kwnames) {
    Type *t = (Type *)callable;
    if (!t->construct) return error_set(&exc_TypeError, "cannot create '%s' instances", t->name);
    return t->construct(t, args, nargs, kwnames);
}

/* type.mro(cls): the MRO as a list (cls.__mro__ is the same as a tuple). */
static Object *type_mro_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    const char *name = ((Type *)self)->name;
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "%s.mro() takes no keyword arguments", name);
    if (nargs) return error_set(&exc_TypeError, "%s.mro() takes no arguments (%zu given)", name, nargs);
    return mro_as_list((Type *)self);
}

static Object *type_dir_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("__dir__", nargs, kwnames, 0, 0) < 0) return NULL;
    return dir_type_default((Type *)self);
}

static const MethodDef type_methods[] = {
    {"mro", type_mro_method, "Return a type's method resolution order."},
    {"__dir__", type_dir_method, "Specialized __dir__ implementation for types."},
    {"__subclasses__", typemethods_subclasses, "Return a list of immediate subclasses."},
    {"__instancecheck__", typemethods_instancecheck, "Check if an object is an instance."},
    {"__subclasscheck__", typemethods_subclasscheck, "Check if a class is a subclass."},
    {NULL, NULL, NULL},
};

/* Served by class_type_getattr (type_special_attr) before any lookup. */
static const GetSetDef type_getsets[] = {
    {"__name__", NULL, false}, {"__qualname__", NULL, false},
    {"__module__", NULL, false}, {"__dict__", NULL, false},
    {"__base__", NULL, true}, {"__bases__", NULL, false}, {"__mro__", NULL, true},
    {NULL, NULL, false},
};

Type type_type = {
    TYPE_HEAD_INIT,
    .name = "type",
    .getsets = type_getsets,
    .base_type = &object_type,
    .instance_size = sizeof(Type),
    .flags = TYPE_GC | TYPE_WEAKREFABLE,
    .methods = type_methods,
    .traverse = class_type_traverse,
    .clear = class_type_clear,
    .is_gc = class_type_is_gc,
    .dealloc = class_type_dealloc,
    .repr = class_type_repr,
    .hash = object_identity_hash,
    .call = type_call,
    .construct = class_type_construct,
    .getattr = class_type_getattr,
    .setattr = class_type_setattr,
    .getitem = class_type_getitem,
};

/* ---- None, NotImplemented, Ellipsis ---------------------------------------- */

static void singleton_dealloc(Object *o) {
    /* Immortal: a count reaching zero means unbalanced DECREFs somewhere. */
    fprintf(stderr, "toy: internal error: deallocating immortal %s\n", TYPE_NAME(o));
    refcount_make_immortal(o);
}

static Object *none_repr(Object *o) { (void)o; return str_intern_cstr("None"); }
static int none_truth(Object *o) { (void)o; return 0; }
static Object *notimpl_repr(Object *o) { (void)o; return str_intern_cstr("NotImplemented"); }
static Object *ellipsis_repr(Object *o) { (void)o; return str_intern_cstr("Ellipsis"); }

static Object *none_construct(Type *t, Object *const *args, size_t nargs, Object *kwnames) {
    (void)t; (void)args;
    if (nargs || kwnames) return error_set(&exc_TypeError, "NoneType takes no arguments");
    return NEWREF(None);
}

Type none_type = {
    TYPE_HEAD_INIT, .name = "NoneType", .base_type = &object_type,
    .dealloc = singleton_dealloc, .repr = none_repr, .truth = none_truth,
    .hash = object_identity_hash, .construct = none_construct,
};
Type notimplemented_type = {
    TYPE_HEAD_INIT, .name = "NotImplementedType", .base_type = &object_type,
    .dealloc = singleton_dealloc, .repr = notimpl_repr, .hash = object_identity_hash,
};
Type ellipsis_type = {
    TYPE_HEAD_INIT, .name = "ellipsis", .base_type = &object_type,
    .dealloc = singleton_dealloc, .repr = ellipsis_repr, .hash = object_identity_hash,
};

Object none_object = STATIC_OBJECT_INIT(none_type);
Object notimplemented_object = STATIC_OBJECT_INIT(notimplemented_type);
Object ellipsis_object = STATIC_OBJECT_INIT(ellipsis_type);

/* ---- Type set-up ------------------------------------------------------------ */

/* Copy every slot that t leaves NULL from its base. Static types keep their
   own hash, construct and dealloc: a NULL there means "unhashable", "cannot
   be instantiated from Toy code" and a bug respectively, never "like object". */
void type_inherit_slots(Type *t) {
    Type *b = t->base_type;
    if (!b) return;
    bool heap = (t->flags & TYPE_HEAP) != 0;
#define INHERIT(slot) if (!t->slot) t->slot = b->slot
    if (heap) { INHERIT(hash); INHERIT(construct); INHERIT(dealloc); }
    INHERIT(repr); INHERIT(str); INHERIT(richcompare); INHERIT(call);
    INHERIT(getattr); INHERIT(setattr); INHERIT(iter); INHERIT(iternext);
    INHERIT(descr_get); INHERIT(descr_set);
    INHERIT(len); INHERIT(getitem); INHERIT(setitem); INHERIT(contains);
    INHERIT(truth); INHERIT(neg); INHERIT(pos); INHERIT(invert); INHERIT(absolute);
    INHERIT(to_int); INHERIT(to_float); INHERIT(index);
    INHERIT(getbuffer); INHERIT(releasebuffer);
    INHERIT(traverse); INHERIT(clear); INHERIT(is_gc); INHERIT(finalize);
    for (int i = 0; i < BINOP_COUNT; i++) {
        INHERIT(binary[i]);
        INHERIT(inplace[i]);
    }
#undef INHERIT
    if (!t->dict_offset) t->dict_offset = b->dict_offset;
    if (!t->instance_size) t->instance_size = b->instance_size;
    t->flags |= b->flags & (TYPE_EXCEPTION | TYPE_DATA_DESCRS | TYPE_GC);
}

/* Does t serve some names itself, before any instance dict? Its computed
   attributes (getset descriptors, data descriptors as in CPython), or a
   getattr slot of its own that a subclass inherits (complex.real,
   deque.maxlen). Such a type carries TYPE_DATA_DESCRS, which its
   subclasses inherit, so that no fast path answers from an instance dict
   first. object's own __class__ does not count: setting it is handled
   before any descriptor, and reading it is its getset's. */
static bool type_serves_names(const Type *t) {
    if (t == &object_type) return false;
    if (t->getsets && t->getsets[0].name) return true;
    return (t->flags & TYPE_BASETYPE) && t->getattr && t->getattr != object_generic_getattr;
}

int type_ready(Type *t) {
    if (!t->dict) {
        t->dict = dict_new();
        if (!t->dict) return -1;
        gc_never_track(t->dict); /* reachable from t, immortal, for good */
    }
    if (t != &object_type && !t->base_type) t->base_type = &object_type;
    if (!t->mro && mro_build(t, &t->base_type, t->base_type ? 1 : 0) < 0) return -1;
    for (const MethodDef *m = t->methods; m && m->name; m++) {
        Object *descr = slotwrapper_is_special(m->name) ? slotwrapper_from_method(t, m)
                                                        : method_descr_new(t, m);
        if (!descr) return -1;
        int r = dict_set_item_cstr(t->dict, m->name, descr);
        DECREF(descr);
        if (r < 0) return -1;
    }
    if (getset_add_all(t) < 0) return -1;
    if (type_serves_names(t)) t->flags |= TYPE_DATA_DESCRS;
    if (slotwrapper_add_all(t) < 0) return -1; /* before t has its base's slots */
    type_inherit_slots(t);
    return 0;
}

Object *type_lookup(Type *t, Object *name) {
    for (Type *const *b = t->mro, *const *end = b + t->mro_len; b < end; b++) {
        Object *d = (*b)->dict;
        Object *v = d ? dict_get_str(d, name) : NULL;
        if (v) return v;
    }
    return NULL;
}

#ifdef TOY_FREE_THREADED
/* A class's dict answers without its lock when the value is immortal (no
   reference needed) or the name is absent (dict_read_ref); anything else
   takes the reference under the lock. */
Object *type_lookup_ref(Type *t, Object *name) {
    for (Type *const *b = t->mro, *const *end = b + t->mro_len; b < end; b++) {
        Object *d = (*b)->dict, *v;
        if (d && (v = dict_read_str_ref(d, name))) return v;
    }
    return NULL;
}
#endif

Object *type_lookup_cstr(Type *t, const char *name) {
    Object *key = str_intern_cstr(name);
    if (!key) return NULL;
    Object *v = type_lookup(t, key);
    DECREF(key);
    return v;
}

/* ---- Generic attribute access ---------------------------------------------- */

Object **object_dict_ptr(Object *self) {
    if (self->type->flags & TYPE_NO_DICT) return NULL; /* __slots__ only */
    ptrdiff_t off = self->type->dict_offset;
    return off ? (Object **)((char *)self + off) : NULL;
}

/* What the class holds, seen from the instance: functions become bound
   methods, descriptors answer through their __get__ (a built-in method's
   checks that self is an instance of its type), anything else is itself. */
static Object *bind_class_attr(Object *attr, Object *self) {
    if (attr->type == &function_type) return method_new(attr, self);
    DescrGetFunc get = TYPE(attr)->descr_get;
    if (get) {
        INCREF(attr); /* __get__ may run code that removes it from the class */
        Object *r = get(attr, self, TYPE(self));
        DECREF(attr);
        return r;
    }
    return NEWREF(attr);
}

/* What every object has without its class holding it: __class__, and
   __dict__ where there is an attribute dict (created on demand). Else the
   AttributeError. */
static Object *generic_special_attr(Object *self, Object *name, Object **dictptr) {
    const char *s = str_data(name);
    if (s[0] == '_' && strcmp(s, "__class__") == 0) return NEWREF(TYPE(self));
    if (dictptr && s[0] == '_' && strcmp(s, "__dict__") == 0) {
        Object *d = instance_dict_make(dictptr);
        return d ? NEWREF(d) : NULL;
    }
    return error_set(&exc_AttributeError, "'%s' object has no attribute '%s'",
                     TYPE_NAME(self), str_data(name));
}

Object *object_generic_getattr(Object *self, Object *name) {
    Object **dictptr = object_dict_ptr(self);
    return object_getattr_with_dict(self, name, dictptr ? instance_dict_load(dictptr) : NULL);
}

/* bind_class_attr, then class_attr_put of attr. */
static Object *bind_class_attr_put(Object *attr, Object *self) {
    Object *r = bind_class_attr(attr, self);
    class_attr_put(attr);
    return r;
}

Object *object_getattr_with_dict(Object *self, Object *name, Object *dict) {
    bool descrs = (self->type->flags & TYPE_DATA_DESCRS) != 0;
    Object *attr = descrs ? class_attr_get(self->type, name) : NULL;
    if (attr && TYPE(attr)->descr_set && TYPE(attr)->descr_get)
        return bind_class_attr_put(attr, self); /* a data descriptor wins */
    if (dict) {
        Object *v = dict_get_str_ref(dict, name); /* toy-ft: taken under its lock */
        if (v) {
            class_attr_put(attr);
            return v;
        }
    }
    if (!descrs) attr = class_attr_get(self->type, name);
    if (attr) return bind_class_attr_put(attr, self);
    return generic_special_attr(self, name, object_dict_ptr(self));
}

int object_generic_setattr(Object *self, Object *name, Object *value) {
    return object_setattr_with_dict(self, name, value, object_dict_ptr(self));
}

static bool is_class_name(Object *name) {
    const char *s = str_data(name);
    return s[0] == '_' && s[1] == '_' && strcmp(s, "__class__") == 0;
}

static bool is_dict_name(Object *name) {
    const char *s = str_data(name);
    return s[0] == '_' && s[1] == '_' && strcmp(s, "__dict__") == 0;
}

#ifdef TOY_FREE_THREADED
Object *instance_dict_make(Object **dictptr) {
    Object *d = instance_dict_load(dictptr);
    if (d) return d;
    Object *made = dict_new();
    if (!made) return NULL;
    if (ts_single_threaded()) { /* nobody to race: a store, not a locked exchange */
        __atomic_store_n(dictptr, made, __ATOMIC_RELEASE);
        return made;
    }
    if (__atomic_compare_exchange_n(dictptr, &d, made, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return made;
    DECREF(made); /* another thread's dict is there now */
    return d;
}
#endif

/* Put d in the dict slot; the dict it held, which the caller releases. */
static inline Object *instance_dict_swap(Object **dictptr, Object *d) {
#ifdef TOY_FREE_THREADED
    return __atomic_exchange_n(dictptr, d, __ATOMIC_ACQ_REL);
#else
    Object *old = *dictptr;
    *dictptr = d;
    return old;
#endif
}

/* obj.__dict__ = d replaces the instance's dict (del obj.__dict__ drops it:
   a new empty one is made on demand). In toy-ft another thread may be
   reading the old dict this moment, so it is made immortal (freed at exit)
   instead of released. */
static int set_instance_dict(Object *self, Object **dictptr, Object *value) {
    if (value && !is_dict(value)) {
        error_set(&exc_TypeError, "__dict__ must be set to a dictionary, not a '%s'",
                  TYPE_NAME(value));
        return -1;
    }
    objlock_lock(self);
    Object *old = instance_dict_swap(dictptr, value ? NEWREF(value) : NULL);
    objlock_unlock(self);
    if (old) {
        refcount_immortalize(old);
        DECREF(old);
    }
    return 0;
}

/* A built-in type's __dict__ getset (BaseException, function) declares the
   instance dict, which object_setattr_with_dict replaces itself: its
   descriptor hands a store to the owner's setattr slot, which may come
   back here for __dict__. */
static bool declares_instance_dict(Object *attr, Object *name) {
    return TYPE(attr) == &getset_descr_type && is_dict_name(name);
}

int object_setattr_with_dict(Object *self, Object *name, Object *value, Object **dictptr) {
    if (is_class_name(name)) return class_set_instance_class(self, value);
    if (self->type->flags & TYPE_DATA_DESCRS) {
        Object *attr = type_lookup(self->type, name);
        DescrSetFunc set = attr ? TYPE(attr)->descr_set : NULL;
        if (set && !declares_instance_dict(attr, name)) {
            INCREF(attr);
            int r = set(attr, self, value);
            DECREF(attr);
            return r;
        }
    }
    if (dictptr && dictptr == object_dict_ptr(self) && is_dict_name(name))
        return set_instance_dict(self, dictptr, value);
    if (self->type->flags & TYPE_NO_DICT) { /* __slots__: only its names */
        if (value && type_lookup(self->type, name))
            error_set(&exc_AttributeError, "'%s' object attribute '%s' is read-only",
                      TYPE_NAME(self), str_data(name));
        else
            error_set(&exc_AttributeError, "'%s' object has no attribute '%s'",
                      TYPE_NAME(self), str_data(name));
        return -1;
    }
    if (!dictptr) {
        error_set(&exc_AttributeError, "'%s' object has no attribute '%s'",
                  TYPE_NAME(self), str_data(name));
        return -1;
    }
    if (!value) {
        Object *dict = instance_dict_load(dictptr);
        if (dict && dict_del_item(dict, name, false) == 0) return 0;
        if (!error_occurred())
            error_set(&exc_AttributeError, "'%s' object has no attribute '%s'",
                      TYPE_NAME(self), str_data(name));
        return -1;
    }
    Object *dict = instance_dict_make(dictptr);
    return dict ? dict_set_item(dict, name, value) : -1;
}

/* ---- Start-up and teardown of the static types ------------------------------ */

int types_init(Type *const *types) {
    for (Type *const *t = types; *t; t++)
        if (type_ready(*t) < 0) return -1;
    if (object_install_new() < 0) return -1;
    Object *key = str_intern_cstr("__new__");
    int r = key ? 0 : -1;
    for (Type *const *t = types; *t && r == 0; t++) r = builtin_install_new(*t, key);
    XDECREF(key);
    return r;
}

void types_fini(Type *const *types) {
    for (Type *const *t = types; *t; t++) CLEAR(&(*t)->dict);
    /* after every dict: releasing one may still ask what is a subtype of what */
    for (Type *const *t = types; *t; t++) mro_clear(*t);
    slotwrapper_fini();
}
