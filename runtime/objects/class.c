/* class.c - user classes (heap types), their instances, `type` and `super`.
 *
 * A class is a HeapType: a Type followed by what only user classes have
 * (qualified name, bases, the count of words its instances add, a link in
 * the list of live classes); Type.builtin_base names the built-in type whose
 * layout its instances have. It owns its dict, its name and its bases tuple; each instance
 * owns a reference to its class (object_alloc/object_free take care of
 * that).
 *
 * Bases: a class may have several. Creating one checks each base, picks
 * base_type (__base__: the base whose instance layout extends all the
 * others', CPython's "best base"; a layout conflict is an error) and
 * computes the MRO (objects/mro.h, C3). Every lookup follows the MRO.
 *
 * Behaviour comes from "dispatcher" slots. When a class of the MRO defines a
 * dunder (__add__, __len__, __eq__, ...), the matching slot is set to a
 * dispatcher that looks the dunder up along the MRO at call time and calls
 * it, so later assignments like A.__len__ = f are seen (by A's subclasses
 * too: refresh_slots). Dunders no class defines keep base_type's slot
 * (type_inherit_slots). Dispatchers search only the user classes of the MRO
 * (heap_lookup); when none defines the dunder, or a built-in class before
 * them does, they fall back to the built-in base's slot.
 *
 * Calling a class runs __new__ when a class of the MRO defines one (the
 * class body's __new__ is stored as a staticmethod, its __init_subclass__
 * and __class_getitem__ as classmethods), then __init__ if the result is an
 * instance of the class; otherwise it allocates the instance itself, as
 * object.__new__ would, or lets the built-in base's construction make it (a
 * class derived from int runs int's, for its class). Creating a class calls
 * __set_name__ on the attributes that define it, then
 * super().__init_subclass__.
 *
 * A class whose chain defines __del__ gets TYPE_FINALIZER and a dealloc
 * that runs it first (finalize.h), also when __del__ is assigned later.
 *
 * Attribute lookup honours descriptors (object.c). Two type flags keep the
 * common case fast: TYPE_DATA_DESCRS (some class of the MRO may hold a
 * data descriptor: property, a __slots__ member, a user class with __set__)
 * and TYPE_GETATTRIBUTE; without them the instance dict is the first place
 * to look, which is what the eval loop's LOAD_ATTR shortcut relies on. The
 * flags are set at class creation (from every base) and when a class
 * attribute is assigned (mark_data_descrs), never cleared.
 *
 * Invariants:
 *   - An instance's layout is its built-in base's: ClassInstance for object,
 *     ExceptionObject for exceptions, IntObject, ListObject, ... for the
 *     data types. dict_offset locates the instance dict. For classes based
 *     on object, ClassInstance.slots holds HeapType.nslots owned values
 *     (__slots__ of the base_type line, NULL when unset). Every other class
 *     keeps them in a prefix before the built-in object (object.h:
 *     prefix_word), with the dict too when the built-in object has none, so
 *     that the built-in type's own code sees an ordinary instance.
 *     TYPE_NO_DICT classes never create the dict.
 *   - The functions a class body makes share its class cell
 *     (FunctionObject.class_cell), filled with the class before anything
 *     can call them, for zero-argument super(). The resulting class ->
 *     function -> cell -> class cycles are broken at exit by class_fini(),
 *     which clears the dicts of every class still alive (the list of live
 *     classes exists for that).
 *   - The interned dunder names are created with the first class and
 *     released by class_fini(); every dispatcher runs on an instance of a
 *     class, so the names exist whenever one runs.
 * All of this runs under the GIL, which protects the two file-level
 * variables (the name table and the live-class list).
 */
#include "objects/class.h"

#include <stddef.h>
#include <string.h>

#include "core/alloc.h"
#include "core/gil.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/descr.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/finalize.h"
#include "objects/float.h"
#include "objects/code.h"
#include "objects/function.h"
#include "objects/immortal.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/mro.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "objects/types.h"
#include "objects/typeversion.h"
#include "objects/weakref.h"
#include "interp/vm.h"

typedef struct HeapType {
    Type type;
    Object *qualname;              /* str: "A", "f.<locals>.A" */
    Object *bases;                 /* __bases__: tuple of classes, owned (keeps the
                                      MRO's entries and type.base_type alive) */
    size_t lookup_len;             /* heap_lookup searches mro[0 .. lookup_len): up
                                      to the last user class of the MRO */
    struct HeapType *prev, *next;  /* live classes, for class_fini */
    uint32_t plain_init_tag;       /* class_plain_init's answer, valid while the
                                      class's version tag is this one (not 0) */
    Object *plain_init;            /* that answer, borrowed from a class dict of
                                      the MRO, which holds it while the tag holds */
    uint32_t binop_tag;            /* class_binop_function's answers, valid while
                                      the version tag is this one (not 0): */
    uint32_t binop_known;          /* bit op: binop_funcs[op] is the answer for op */
    Object *binop_funcs[BINOP_COUNT]; /* borrowed, as plain_init; NULL: none */
    size_t nslots;                 /* object pointers base_type's line and this class
                                      add to an instance: the __slots__ values in
                                      ClassInstance.slots (classes based on object),
                                      or the words of the prefix, the dict's among
                                      them (the others) */
    size_t nmembers;               /* of which __slots__ values (the dict excluded) */
} HeapType;

static HeapType *live_classes;

/* The class of t's line that added the last __slots__ members. */
static Type *members_owner(Type *t) {
    while (t->base_type && (t->base_type->flags & TYPE_HEAP) &&
           ((HeapType *)t)->nmembers == ((HeapType *)t->base_type)->nmembers)
        t = t->base_type;
    return t;
}

/* Can an instance of a change its class to b (obj.__class__ = b)? The same
   memory layout: the same built-in base, sizes, dict place and __slots__
   (the members added by one class both inherit). */
static bool same_layout(Type *a, Type *b) {
    HeapType *ha = (HeapType *)a, *hb = (HeapType *)b;
    if (a->builtin_base != b->builtin_base || a->instance_size != b->instance_size ||
        a->prefix_size != b->prefix_size || a->dict_offset != b->dict_offset ||
        (a->flags & TYPE_NO_DICT) != (b->flags & TYPE_NO_DICT) ||
        (a->flags & TYPE_WEAKREFABLE) != (b->flags & TYPE_WEAKREFABLE) ||
        ha->nslots != hb->nslots || ha->nmembers != hb->nmembers)
        return false;
    return ha->nmembers == 0 || members_owner(a) == members_owner(b);
}

int class_set_instance_class(Object *self, Object *value) {
    if (!value) {
        error_set(&exc_TypeError, "can't delete __class__ attribute");
        return -1;
    }
    if (!is_instance_of(value, &type_type)) {
        error_set(&exc_TypeError, "__class__ must be set to a class, not '%s' object",
                  TYPE_NAME(value));
        return -1;
    }
    Type *old = TYPE(self), *new = (Type *)value;
    if (!(old->flags & TYPE_HEAP) || !(new->flags & TYPE_HEAP)) {
        error_set(&exc_TypeError,
                  "__class__ assignment only supported for mutable types or ModuleType subclasses");
        return -1;
    }
    if (!same_layout(old, new)) {
        error_set(&exc_TypeError, "__class__ assignment: '%s' object layout differs from '%s'",
                  str_data(new->name_obj), str_data(old->name_obj));
        return -1;
    }
    INCREF(new); /* each instance holds a reference to its class (object_alloc) */
    /* toy-ft: every thread reads an object's class all the time, without a
       lock; the world is stopped while it changes, as CPython's
       free-threaded build does. With the GIL this costs nothing. */
    ThreadState *ts = ts_get();
    bool stopped = gil_stop_the_world_wait(ts);
    self->type = new;
    if (stopped) gil_start_the_world(ts);
    DECREF(old);
    return 0;
}

static inline bool is_heap(Type *t) { return (t->flags & TYPE_HEAP) != 0; }
static inline HeapType *as_heap(Type *t) { return (HeapType *)t; }
/* The built-in class whose layout t's instances have (Type.builtin_base:
   base_type's nearest; borrowed, immortal); t itself when built-in. */
static inline Type *builtin_base(Type *t) { return is_heap(t) ? t->builtin_base : t; }
static bool kwnames_empty(Object *kwnames) { return !kwnames || tuple_size(kwnames) == 0; }

/* ---- Interned dunder names ------------------------------------------------- */

#define DUNDERS(X)                                                                   \
    X(INIT, "__init__") X(REPR, "__repr__") X(STR, "__str__") X(HASH, "__hash__")     \
    X(LT, "__lt__") X(LE, "__le__") X(EQ, "__eq__") X(NE, "__ne__") X(GT, "__gt__")   \
    X(GE, "__ge__") X(CALL, "__call__") X(ITER, "__iter__") X(NEXT, "__next__")       \
    X(LEN, "__len__") X(GETITEM, "__getitem__") X(SETITEM, "__setitem__")             \
    X(DELITEM, "__delitem__") X(CONTAINS, "__contains__") X(BOOL, "__bool__")         \
    X(NEG, "__neg__") X(POS, "__pos__") X(INVERT, "__invert__") X(ABS, "__abs__")     \
    X(INT, "__int__") X(FLOAT, "__float__") X(INDEX, "__index__")                     \
    X(GETATTR, "__getattr__") X(QUALNAME, "__qualname__") X(MODULE, "__module__")     \
    X(NAME_, "__name__") X(SETATTR, "__setattr__") X(DELATTR, "__delattr__")         \
    X(GET, "__get__") X(SET, "__set__") X(DELETE, "__delete__")                       \
    X(SET_NAME, "__set_name__") X(NEW, "__new__") X(INIT_SUBCLASS, "__init_subclass__") \
    X(CLASS_GETITEM, "__class_getitem__") X(GETATTRIBUTE, "__getattribute__")         \
    X(SLOTS, "__slots__") X(DICT, "__dict__") X(DEL, "__del__") X(WEAKREF, "__weakref__")

#define DUNDER_ENUM(id, text) D_##id,
enum { DUNDERS(DUNDER_ENUM) DUNDER_COUNT };
#undef DUNDER_ENUM

#define DUNDER_TEXT(id, text) text,
static const char *const dunder_texts[DUNDER_COUNT] = {DUNDERS(DUNDER_TEXT)};
#undef DUNDER_TEXT

/* Per binary operator: the method, its reflection, its in-place form. */
enum { OP_PLAIN, OP_REFLECTED, OP_INPLACE };
static const char *const binop_texts[3][BINOP_COUNT] = {
    {"__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__",
     "__pow__", "__lshift__", "__rshift__", "__and__", "__or__", "__xor__"},
    {"__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rfloordiv__", "__rmod__",
     "__rpow__", "__rlshift__", "__rrshift__", "__rand__", "__ror__", "__rxor__"},
    {"__iadd__", "__isub__", "__imul__", "__itruediv__", "__ifloordiv__", "__imod__",
     "__ipow__", "__ilshift__", "__irshift__", "__iand__", "__ior__", "__ixor__"},
};

static Object *dunder_names[DUNDER_COUNT];
static Object *binop_names[3][BINOP_COUNT];

#define NAME(id) (dunder_names[D_##id])

static int names_ready(void) {
    if (dunder_names[0]) return 0;
    for (int i = 0; i < DUNDER_COUNT; i++)
        if (!(dunder_names[i] = str_intern_cstr(dunder_texts[i]))) return -1;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < BINOP_COUNT; i++)
            if (!(binop_names[k][i] = str_intern_cstr(binop_texts[k][i]))) return -1;
    return 0;
}

static void names_release(void) {
    for (int i = 0; i < DUNDER_COUNT; i++) CLEAR(&dunder_names[i]);
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < BINOP_COUNT; i++) CLEAR(&binop_names[k][i]);
}

/* ---- Looking up and calling dunders ------------------------------------------ */

/* name as a user class defines it: the first definition along t's MRO
   when a user class holds it; NULL (borrowed, no exception) when none does
   or a built-in class comes first, whose slot then applies. Only the MRO
   up to its last user class is searched: with one base that is the run of
   user classes before the first built-in one, so the loop never looks at a
   built-in dict; with several, a built-in class may sit between two user
   classes (class E(Exception, Mixin)) and its dict can hide the later
   ones (BaseException.__init__ hides Mixin.__init__, as in CPython). */
static inline Object *heap_lookup(Type *t, Object *name) {
    if (!is_heap(t)) return NULL;
    /* readied types all have a dict */
    for (Type *const *b = t->mro, *const *end = b + as_heap(t)->lookup_len; b < end; b++) {
        Object *v = dict_get_str((*b)->dict, name);
        if (v) return is_heap(*b) ? v : NULL;
    }
    return NULL;
}

/* The dunder a caller goes on to call: heap_lookup's value, kept alive.
   In the GIL build nothing runs between the lookup and the call's own
   reference, so the borrowed value serves. In toy-ft another thread may
   rebind the class attribute and release the old value in between, so
   dunder_get returns a reference (none needed for an immortal value, read
   without the dict's lock: dict_read_str_ref) and dunder_put gives it back. */
#ifdef TOY_FREE_THREADED
static Object *heap_lookup_ref(Type *t, Object *name) {
    if (!is_heap(t)) return NULL;
    if (ts_single_threaded()) { /* nobody else to rebind it */
        Object *v = heap_lookup(t, name);
        XINCREF(v);
        return v;
    }
    for (Type *const *b = t->mro, *const *end = b + as_heap(t)->lookup_len; b < end; b++) {
        Object *v = dict_read_str_ref((*b)->dict, name);
        if (v == NULL) continue;
        if (is_heap(*b)) return v;
        DECREF(v); /* a built-in class comes first: its slot applies */
        return NULL;
    }
    return NULL;
}
#define dunder_get(t, name) heap_lookup_ref(t, name)
#define dunder_put(v) XDECREF(v)
#else
#define dunder_get(t, name) heap_lookup(t, name)
#define dunder_put(v) ((void)(v))
#endif

/* name in the dicts of t's MRO from position start on: what super() and
   __init_subclass__ see. A new reference (toy-ft: taken as dunder_get
   takes it), or NULL. */
static Object *lookup_from(Type *t, size_t start, Object *name) {
    for (size_t i = start; i < t->mro_len; i++) {
        Object *d = t->mro[i]->dict, *v;
        if (!d) continue;
#ifdef TOY_FREE_THREADED
        if ((v = dict_read_str_ref(d, name))) return v;
#else
        if ((v = dict_get_str(d, name))) return NEWREF(v);
#endif
    }
    return NULL;
}

/* Does calling attr (found on a class) pass the instance as first argument?
   Functions and method descriptors bind; other callables stored on a class
   (built-in functions, instances with __call__) are called as they are. */
static bool binds_self(Object *attr) {
    return TYPE(attr) == &function_type || TYPE(attr) == &method_descr_type;
}

/* func(first, *args, **kw) in the vector convention: first is prepended to
   the arguments (on the C stack when they are few). func is borrowed from a
   class dict that the call may change, so it is held for the call's
   duration. */
static Object *call_prepended(Object *func, Object *first, Object *const *args, size_t nargs,
                              Object *kwnames) {
    enum { SMALL = 8 };
    size_t total = nargs + (kwnames ? tuple_size(kwnames) : 0);
    Object *small[SMALL], **argv = small;
    if (total + 1 > SMALL && !(argv = mem_alloc((total + 1) * sizeof(Object *))))
        return error_no_memory();
    argv[0] = first;
    if (total) memcpy(argv + 1, args, total * sizeof(Object *));
    INCREF(func);
    Object *r = object_call(func, argv, nargs + 1, kwnames);
    DECREF(func);
    if (argv != small) mem_free(argv, (total + 1) * sizeof(Object *));
    return r;
}

/* What a dunder found on a class is, seen from self: functions are called
   with self prepended (without building a bound method); other descriptors
   (staticmethod, classmethod, user ones) through their __get__; anything
   else is called as it is. */
static Object *call_with_self(Object *func, Object *self, Object *const *args, size_t nargs,
                              Object *kwnames) {
    if (binds_self(func)) return call_prepended(func, self, args, nargs, kwnames);
    DescrGetFunc get = TYPE(func)->descr_get;
    INCREF(func);
    Object *bound = get ? get(func, self, TYPE(self)) : NEWREF(func);
    DECREF(func);
    if (!bound) return NULL;
    Object *r = object_call(bound, args, nargs, kwnames);
    DECREF(bound);
    return r;
}

/* func(self, *args) for a dunder found on self's class. */
static Object *call_dunder(Object *self, Object *func, Object *const *args, size_t nargs) {
    return call_with_self(func, self, args, nargs, NULL);
}

/* Look up dunder `name` on self's class and call it with args; sets
   *found = false (and returns NULL, no exception) when no class defines it. */
static Object *call_slot(Object *self, Object *name, Object *const *args, size_t nargs,
                         bool *found) {
    Object *f = dunder_get(TYPE(self), name);
    *found = f != NULL;
    Object *r = f ? call_dunder(self, f, args, nargs) : NULL;
    dunder_put(f);
    return r;
}

/* ---- Dispatcher slots ---------------------------------------------------------- */

/* r must be a str (the result of __repr__/__str__); r is consumed. */
static Object *check_str_result(Object *r, const char *method) {
    if (r && !is_str(r)) {
        error_set(&exc_TypeError, "%s returned non-string (type %s)", method, TYPE_NAME(r));
        DECREF(r);
        return NULL;
    }
    return r;
}

static Object *slot_repr(Object *self) {
    bool found;
    Object *r = call_slot(self, NAME(REPR), NULL, 0, &found);
    if (!found) return builtin_base(TYPE(self))->repr(self);
    return check_str_result(r, "__repr__");
}

static Object *slot_str(Object *self) {
    bool found;
    Object *r = call_slot(self, NAME(STR), NULL, 0, &found);
    if (!found) {
        Type *b = builtin_base(TYPE(self));
        return b->str ? b->str(self) : object_repr(self);
    }
    return check_str_result(r, "__str__");
}

static int64_t slot_hash(Object *self) {
    Object *f = dunder_get(TYPE(self), NAME(HASH));
    if (!f) {
        Type *b = builtin_base(TYPE(self));
        if (b->hash) return b->hash(self);
        f = None;
    }
    if (f == None) {
        error_set(&exc_TypeError, "unhashable type: '%s'", TYPE_NAME(self));
        return -1;
    }
    Object *r = call_dunder(self, f, NULL, 0);
    dunder_put(f);
    if (!r) return -1;
    if (!is_int(r)) {
        DECREF(r);
        error_set(&exc_TypeError, "__hash__ method should return an integer");
        return -1;
    }
    /* used as it is; an int past 64 bits is reduced by int's own hash, as CPython */
    int64_t h = int_fits_i64(r) ? int_value(r) : int_type.hash(r);
    DECREF(r);
    return h == -1 ? -2 : h;
}

/* One-sided: abstract.c tries the reflected operand itself. */
static Object *slot_richcompare(Object *a, Object *b, int op) {
    Object *f = dunder_get(TYPE(a), dunder_names[D_LT + op]);
    if (f) {
        Object *r = call_dunder(a, f, &b, 1);
        dunder_put(f);
        return r;
    }
    Type *base = builtin_base(TYPE(a));
    return base->richcompare ? base->richcompare(a, b, op) : NEWREF(NotImplemented);
}

static Object *slot_call(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    Object *f = dunder_get(TYPE(self), NAME(CALL));
    if (!f) return error_set(&exc_TypeError, "'%s' object is not callable", TYPE_NAME(self));
    Object *r = call_with_self(f, self, args, nargs, kwnames);
    dunder_put(f);
    return r;
}

static Object *slot_iter(Object *self) {
    bool found;
    Object *r = call_slot(self, NAME(ITER), NULL, 0, &found);
    if (!found) {
        Type *b = builtin_base(TYPE(self));
        if (b->iter) return b->iter(self);
        return error_set(&exc_TypeError, "'%s' object is not iterable", TYPE_NAME(self));
    }
    if (r && !TYPE(r)->iternext) {
        error_set(&exc_TypeError, "iter() returned non-iterator of type '%s'", TYPE_NAME(r));
        DECREF(r);
        return NULL;
    }
    return r;
}

/* __next__ raising StopIteration means "exhausted": NULL, no exception. */
static Object *slot_iternext(Object *self) {
    bool found;
    Object *r = call_slot(self, NAME(NEXT), NULL, 0, &found);
    if (!found) {
        Type *b = builtin_base(TYPE(self));
        if (b->iternext) return b->iternext(self);
        return error_set(&exc_TypeError, "'%s' object is not an iterator", TYPE_NAME(self));
    }
    if (!r && error_matches(&exc_StopIteration)) error_clear();
    return r;
}

static int64_t slot_len(Object *self) {
    bool found;
    Object *r = call_slot(self, NAME(LEN), NULL, 0, &found);
    if (!found) {
        Type *b = builtin_base(TYPE(self));
        if (b->len) return b->len(self);
        error_set(&exc_TypeError, "object of type '%s' has no len()", TYPE_NAME(self));
        return -1;
    }
    if (!r) return -1;
    int64_t n;
    int ok = object_as_index(r, &n, NULL);
    DECREF(r);
    if (ok < 0) return -1;
    if (n < 0) {
        error_set(&exc_ValueError, "__len__() should return >= 0");
        return -1;
    }
    return n;
}

static Object *slot_getitem(Object *self, Object *key) {
    bool found;
    Object *r = call_slot(self, NAME(GETITEM), &key, 1, &found);
    if (!found) {
        Type *b = builtin_base(TYPE(self));
        if (b->getitem) return b->getitem(self, key);
        return error_set(&exc_TypeError, "'%s' object is not subscriptable", TYPE_NAME(self));
    }
    return r;
}

/* self[key] = value, or del self[key] when value is NULL. */
static int slot_setitem(Object *self, Object *key, Object *value) {
    Object *args[2] = {key, value};
    bool found;
    Object *r = value ? call_slot(self, NAME(SETITEM), args, 2, &found)
                      : call_slot(self, NAME(DELITEM), args, 1, &found);
    if (!found) {
        Type *b = builtin_base(TYPE(self));
        if (b->setitem) return b->setitem(self, key, value);
        error_set(&exc_AttributeError, value ? "__setitem__" : "__delitem__");
        return -1;
    }
    if (!r) return -1;
    DECREF(r);
    return 0;
}

/* descr.__get__(obj, type) for a user class defining __get__; obj is None
   when the attribute is looked up on the class. */
static Object *slot_descr_get(Object *descr, Object *obj, Type *type) {
    Object *args[2] = {obj ? obj : None, (Object *)type};
    bool found;
    Object *r = call_slot(descr, NAME(GET), args, 2, &found);
    return found ? r : NEWREF(descr);
}

/* descr.__set__(obj, value) / descr.__delete__(obj); CPython's bare
   AttributeError when the class defines only the other one. */
static int slot_descr_set(Object *descr, Object *obj, Object *value) {
    Object *args[2] = {obj, value};
    bool found;
    Object *r = value ? call_slot(descr, NAME(SET), args, 2, &found)
                      : call_slot(descr, NAME(DELETE), args, 1, &found);
    if (!found) {
        error_set(&exc_AttributeError, value ? "__set__" : "__delete__");
        return -1;
    }
    if (!r) return -1;
    DECREF(r);
    return 0;
}

/* The attribute assignment of the nearest built-in type: what
   object.__setattr__ does, and what a class with only one of __setattr__ /
   __delattr__ does for the other. */
static int builtin_setattr(Object *self, Object *name, Object *value) {
    Type *b = builtin_base(TYPE(self));
    return b->setattr ? b->setattr(self, name, value) : object_generic_setattr(self, name, value);
}

/* obj.name = value and del obj.name through __setattr__ / __delattr__. */
static int slot_setattr(Object *self, Object *name, Object *value) {
    Object *args[2] = {name, value};
    bool found;
    Object *r = value ? call_slot(self, NAME(SETATTR), args, 2, &found)
                      : call_slot(self, NAME(DELATTR), args, 1, &found);
    if (!found) return builtin_setattr(self, name, value);
    if (!r) return -1;
    DECREF(r);
    return 0;
}

static int slot_contains(Object *self, Object *item) {
    bool found;
    Object *r = call_slot(self, NAME(CONTAINS), &item, 1, &found);
    if (!found) {
        Type *b = builtin_base(TYPE(self));
        if (b->contains) return b->contains(self, item);
        error_set(&exc_TypeError, "argument of type '%s' is not iterable", TYPE_NAME(self));
        return -1;
    }
    if (!r) return -1;
    int t = object_truth(r);
    DECREF(r);
    return t;
}

/* __bool__, which must return a bool; without one, __len__ decides. */
static int slot_truth(Object *self) {
    bool found;
    Object *r = call_slot(self, NAME(BOOL), NULL, 0, &found);
    if (!found) { /* a user __len__, else the built-in base's truth or length */
        Type *b = builtin_base(TYPE(self));
        bool user_len = heap_lookup(TYPE(self), NAME(LEN)) != NULL;
        if (!user_len && b->truth) return b->truth(self);
        LenFunc len = user_len ? slot_len : b->len;
        if (!len) return 1;
        int64_t n = len(self);
        return n < 0 ? -1 : n > 0;
    }
    if (!r) return -1;
    if (TYPE(r) != &bool_type) {
        error_set(&exc_TypeError, "__bool__ should return bool, returned %s", TYPE_NAME(r));
        DECREF(r);
        return -1;
    }
    int t = r == True_;
    DECREF(r);
    return t;
}

/* A unary dunder; without one in the user classes, the built-in base's
   slot (builtin, NULL when it has none). */
static Object *unary_slot(Object *self, Object *name, const char *symbol, UnaryFunc builtin) {
    bool found;
    Object *r = call_slot(self, name, NULL, 0, &found);
    if (found) return r;
    if (builtin) return builtin(self);
    return error_set(&exc_TypeError, "bad operand type for %s: '%s'", symbol, TYPE_NAME(self));
}

#define BUILTIN_SLOT(self, slot) (builtin_base(TYPE(self))->slot)
static Object *slot_neg(Object *self) {
    return unary_slot(self, NAME(NEG), "unary -", BUILTIN_SLOT(self, neg));
}
static Object *slot_pos(Object *self) {
    return unary_slot(self, NAME(POS), "unary +", BUILTIN_SLOT(self, pos));
}
static Object *slot_invert(Object *self) {
    return unary_slot(self, NAME(INVERT), "unary ~", BUILTIN_SLOT(self, invert));
}
static Object *slot_abs(Object *self) {
    return unary_slot(self, NAME(ABS), "abs()", BUILTIN_SLOT(self, absolute));
}

/* __index__, whose result must be an int. */
static Object *slot_index(Object *self) {
    bool found;
    Object *r = call_slot(self, NAME(INDEX), NULL, 0, &found);
    if (!found && BUILTIN_SLOT(self, index)) return BUILTIN_SLOT(self, index)(self);
    if (!found)
        return error_set(&exc_TypeError, "'%s' object cannot be interpreted as an integer",
                         TYPE_NAME(self));
    if (r && !is_int(r)) {
        error_set(&exc_TypeError, "__index__ returned non-int (type %s)", TYPE_NAME(r));
        DECREF(r);
        return NULL;
    }
    return r;
}

/* int(x): __int__, else the built-in base's conversion (an int subclass
   converts its value, whatever its __index__ says), else __index__. */
static Object *slot_to_int(Object *self) {
    bool found;
    Object *r = call_slot(self, NAME(INT), NULL, 0, &found);
    if (!found && BUILTIN_SLOT(self, to_int)) return BUILTIN_SLOT(self, to_int)(self);
    if (!found) return slot_index(self);
    if (r && !is_int(r)) {
        error_set(&exc_TypeError, "__int__ returned non-int (type %s)", TYPE_NAME(r));
        DECREF(r);
        return NULL;
    }
    return r;
}

/* float(x): __float__, else the built-in base's conversion, else __index__
   converted. */
static Object *slot_to_float(Object *self) {
    bool found;
    Object *r = call_slot(self, NAME(FLOAT), NULL, 0, &found);
    if (!found && BUILTIN_SLOT(self, to_float)) return BUILTIN_SLOT(self, to_float)(self);
    if (!found) {
        Object *i = slot_index(self);
        if (!i) return NULL;
        Object *f = float_from_double((double)int_value(i));
        DECREF(i);
        return f;
    }
    if (r && !is_float(r)) {
        error_set(&exc_TypeError, "%s.__float__ returned non-float (type %s)", TYPE_NAME(self),
                  TYPE_NAME(r));
        DECREF(r);
        return NULL;
    }
    return r;
}

/* One operand's part in a OP b: the dunder a user class of its MRO
   defines, else its built-in base's slot (an int subclass adds as int does),
   else nothing. Built-in slots take (a, b) in source order and serve both
   a.__op__(b) and b.__rop__(a). */
typedef struct {
    Object *func;
    BinaryFunc builtin;
} OperandSide;

static OperandSide operand_side(Type *t, Object *name, BinaryOp op) {
    OperandSide s = {NULL, NULL};
    if (!is_heap(t)) return s;
    s.func = dunder_get(t, name); /* binary_slot gives it back */
    if (!s.func) s.builtin = builtin_base(t)->binary[op];
    return s;
}

static Object *call_side(OperandSide s, Object *self, Object *other, Object *a, Object *b) {
    if (s.func) return call_dunder(self, s.func, &other, 1);
    return s.builtin ? s.builtin(a, b) : NEWREF(NotImplemented);
}

/* a OP b where a or b is an instance of a class defining the operator:
   a.__op__(b), then b.__rop__(a) (first, when b's class is a subclass of
   a's that overrides it), as Python's operand protocol does. abstract.c
   calls a slot shared by both operand types once, so both sides are tried
   here. */
static Object *binary_sides(Object *a, Object *b, OperandSide sa, OperandSide sb,
                            Object *rname) {
    Type *ta = TYPE(a), *tb = TYPE(b);
    bool a_side = sa.func || sa.builtin, b_side = sb.func || sb.builtin;
    Object *r;
    if (a_side && sb.func && type_is_subtype(tb, ta) && sb.func != heap_lookup(ta, rname)) {
        r = call_side(sb, b, a, a, b);
        if (r != NotImplemented) return r;
        DECREF(r);
        b_side = false;
    }
    if (a_side) {
        r = call_side(sa, a, b, a, b);
        if (r != NotImplemented) return r;
        DECREF(r);
    }
    if (b_side) return call_side(sb, b, a, a, b);
    return NEWREF(NotImplemented);
}

static Object *binary_slot(Object *a, Object *b, BinaryOp op) {
    Type *ta = TYPE(a), *tb = TYPE(b);
    Object *rname = binop_names[OP_REFLECTED][op];
    OperandSide sa = operand_side(ta, binop_names[OP_PLAIN][op], op);
    OperandSide sb = tb != ta ? operand_side(tb, rname, op) : (OperandSide){NULL, NULL};
    if (!sb.func && sb.builtin == sa.builtin) sb.builtin = NULL; /* one call answers both */
    Object *r = binary_sides(a, b, sa, sb, rname);
    dunder_put(sa.func);
    dunder_put(sb.func);
    return r;
}

/* a OP= b: a.__iop__(b), else the built-in base's in-place slot (a list
   subclass's += extends it); without either (or on NotImplemented)
   abstract.c falls back to the binary operator. */
static Object *inplace_slot(Object *a, Object *b, BinaryOp op) {
    Object *f = dunder_get(TYPE(a), binop_names[OP_INPLACE][op]);
    if (f) {
        Object *r = call_dunder(a, f, &b, 1);
        dunder_put(f);
        return r;
    }
    BinaryFunc builtin = BUILTIN_SLOT(a, inplace[op]);
    return builtin ? builtin(a, b) : NEWREF(NotImplemented);
}

#define OP_SLOTS(op)                                                                    \
    static Object *binary_##op(Object *a, Object *b) { return binary_slot(a, b, op); } \
    static Object *inplace_##op(Object *a, Object *b) { return inplace_slot(a, b, op); }
OP_SLOTS(BINOP_ADD) OP_SLOTS(BINOP_SUB) OP_SLOTS(BINOP_MUL) OP_SLOTS(BINOP_TRUEDIV)
OP_SLOTS(BINOP_FLOORDIV) OP_SLOTS(BINOP_MOD) OP_SLOTS(BINOP_POW) OP_SLOTS(BINOP_LSHIFT)
OP_SLOTS(BINOP_RSHIFT) OP_SLOTS(BINOP_AND) OP_SLOTS(BINOP_OR) OP_SLOTS(BINOP_XOR)
#undef OP_SLOTS

static const BinaryFunc binary_slots[BINOP_COUNT] = {
    binary_BINOP_ADD, binary_BINOP_SUB, binary_BINOP_MUL, binary_BINOP_TRUEDIV,
    binary_BINOP_FLOORDIV, binary_BINOP_MOD, binary_BINOP_POW, binary_BINOP_LSHIFT,
    binary_BINOP_RSHIFT, binary_BINOP_AND, binary_BINOP_OR, binary_BINOP_XOR,
};

/* f is a Toy function whose call runs its frame (not a generator
   function, whose call makes a generator): what BINARY_OP can push. */
static bool binop_frame_function(Object *f) {
    return f != NULL && TYPE(f) == &function_type &&
           !(((CodeObject *)((FunctionObject *)f)->code)->flags & CODE_GENERATOR);
}

/* t's __op__ when binop_frame_function, else NULL: borrowed, as
   heap_lookup's. */
static Object *binop_function_lookup(Type *t, BinaryOp op) {
    Object *f = heap_lookup(t, binop_names[OP_PLAIN][op]);
    return binop_frame_function(f) ? f : NULL;
}

/* The answers are remembered as class_plain_init's are (plain_init_remember
   below): under a version tag quickening handed out, never under
   --no-gil, and in toy-ft only while no second thread has started
   (class_binop_function). */
static __attribute__((noinline)) Object *binop_function_remember(HeapType *ht, BinaryOp op) {
    Object *f = binop_function_lookup(&ht->type, op);
    uint32_t tag = ht->type.version_tag;
#ifndef TOY_FREE_THREADED /* toy-ft comes here only while it is alone */
    if (interp.flag_no_gil) return f;
#endif
    if (tag == 0) return f;
    if (ht->binop_tag != tag) {
        ht->binop_tag = tag;
        ht->binop_known = 0;
    }
    ht->binop_known |= 1u << op;
    ht->binop_funcs[op] = f;
    return f;
}

Object *class_binop_function(Type *t, BinaryOp op) {
    if (!is_heap(t) || t->builtin_base != &object_type || t->binary[op] != binary_slots[op])
        return NULL;
#ifdef TOY_FREE_THREADED
    /* Once a second thread has started, another may replace and release
       the function between a borrowed read and the INCREF: the lookup
       takes the reference, and the remembered answers are left for good,
       as plain_init_shared leaves class_plain_init's. */
    if (!ts_single_threaded()) {
        Object *f = dunder_get(t, binop_names[OP_PLAIN][op]); /* a reference */
        if (binop_frame_function(f))
            return f;
        dunder_put(f);
        return NULL;
    }
#endif
    HeapType *ht = (HeapType *)t;
    Object *f = t->version_tag != 0 && ht->binop_tag == t->version_tag &&
                        (ht->binop_known >> op & 1u)
                    ? ht->binop_funcs[op]
                    : binop_function_remember(ht, op);
    XINCREF(f);
    return f;
}
static const BinaryFunc inplace_slots[BINOP_COUNT] = {
    inplace_BINOP_ADD, inplace_BINOP_SUB, inplace_BINOP_MUL, inplace_BINOP_TRUEDIV,
    inplace_BINOP_FLOORDIV, inplace_BINOP_MOD, inplace_BINOP_POW, inplace_BINOP_LSHIFT,
    inplace_BINOP_RSHIFT, inplace_BINOP_AND, inplace_BINOP_OR, inplace_BINOP_XOR,
};

static Object *slot_getattribute(Object *self, Object *name);

/* A slot is written only when it changes: a class whose __add__ is
   rebound keeps the dispatcher it has, and other threads reading the slot
   (toy-ft) see no write at all. A class gaining its first dunder while
   another thread uses it is a plain pointer store, seen before or after. */
#define SET_SLOT(field, value)                  \
    do {                                        \
        if ((field) != (value)) (field) = (value); \
    } while (0)

/* Point t's slots at dispatchers for the dunders dict defines. Slots of
   dunders it does not define are left alone (inherited later). */
static void install_slots(Type *t, Object *dict) {
#define HAS(id) (dict_get_str(dict, NAME(id)) != NULL)
    if (HAS(REPR)) SET_SLOT(t->repr, slot_repr);
    if (HAS(STR)) SET_SLOT(t->str, slot_str);
    if (HAS(LT) || HAS(LE) || HAS(EQ) || HAS(NE) || HAS(GT) || HAS(GE))
        SET_SLOT(t->richcompare, slot_richcompare);
    if (HAS(CALL)) SET_SLOT(t->call, slot_call);
    if (HAS(ITER)) SET_SLOT(t->iter, slot_iter);
    if (HAS(NEXT)) SET_SLOT(t->iternext, slot_iternext);
    if (HAS(LEN)) SET_SLOT(t->len, slot_len);
    if (HAS(GETITEM)) SET_SLOT(t->getitem, slot_getitem);
    if (HAS(SETITEM) || HAS(DELITEM)) SET_SLOT(t->setitem, slot_setitem);
    if (HAS(SETATTR) || HAS(DELATTR)) SET_SLOT(t->setattr, slot_setattr);
    if (HAS(GET)) SET_SLOT(t->descr_get, slot_descr_get);
    if (HAS(GETATTRIBUTE)) {
        SET_SLOT(t->getattr, slot_getattribute);
        if (!(t->flags & TYPE_GETATTRIBUTE)) t->flags |= TYPE_GETATTRIBUTE;
    }
    if (HAS(SET) || HAS(DELETE)) SET_SLOT(t->descr_set, slot_descr_set);
    if (HAS(CONTAINS)) SET_SLOT(t->contains, slot_contains);
    if (HAS(BOOL)) SET_SLOT(t->truth, slot_truth);
    if (HAS(NEG)) SET_SLOT(t->neg, slot_neg);
    if (HAS(POS)) SET_SLOT(t->pos, slot_pos);
    if (HAS(INVERT)) SET_SLOT(t->invert, slot_invert);
    if (HAS(ABS)) SET_SLOT(t->absolute, slot_abs);
    if (HAS(INT) || HAS(INDEX)) SET_SLOT(t->to_int, slot_to_int);
    if (HAS(FLOAT) || HAS(INDEX)) SET_SLOT(t->to_float, slot_to_float);
    if (HAS(INDEX)) SET_SLOT(t->index, slot_index);
#undef HAS
    for (int op = 0; op < BINOP_COUNT; op++) {
        if (dict_get_str(dict, binop_names[OP_PLAIN][op]) ||
            dict_get_str(dict, binop_names[OP_REFLECTED][op]))
            SET_SLOT(t->binary[op], binary_slots[op]);
        if (dict_get_str(dict, binop_names[OP_INPLACE][op])) SET_SLOT(t->inplace[op], inplace_slots[op]);
    }
}

/* ---- Instances ---------------------------------------------------------------------- */

/* Deallocation of a long chain of instances (a linked list of nodes) would
   recurse once per node: past a depth, instances are parked on a per-thread
   list and freed by the outermost dealloc instead. */
enum { DEALLOC_MAX_DEPTH = 256 };
static _Thread_local int dealloc_depth;
static _Thread_local Object **parked;
static _Thread_local size_t parked_len, parked_cap;

static void instance_release(Object *self) {
    ClassInstance *inst = (ClassInstance *)self;
    CLEAR(&inst->dict);
    for (size_t i = 0, n = as_heap(TYPE(self))->nslots; i < n; i++) CLEAR(&inst->slots[i]);
    object_free(self, TYPE(self)->instance_size);
}

/* Park self for later; false when there is no memory to do so. */
static bool instance_park(Object *self) {
    if (!mem_grow(&parked, parked_len, &parked_cap, sizeof *parked, 64)) return false;
    parked[parked_len++] = self;
    return true;
}

static void instance_dealloc(Object *self) {
    weakref_on_dealloc(self); /* after __del__, before the attributes go */
    if (dealloc_depth >= DEALLOC_MAX_DEPTH && instance_park(self)) return;
    dealloc_depth++;
    instance_release(self);
    if (dealloc_depth == 1) {
        while (parked_len) instance_release(parked[--parked_len]);
        mem_free(parked, parked_cap * sizeof(Object *));
        parked = NULL;
        parked_cap = 0;
    }
    dealloc_depth--;
}

/* The cycle collector's slots for instances of classes based on object
   (the collector itself visits the class, which each instance holds). */
static int instance_traverse(Object *self, VisitFunc visit, void *arg) {
    ClassInstance *inst = (ClassInstance *)self;
    VISIT(inst->dict);
    for (size_t i = 0, n = as_heap(TYPE(self))->nslots; i < n; i++) VISIT(inst->slots[i]);
    return 0;
}

static int instance_clear(Object *self) {
    ClassInstance *inst = (ClassInstance *)self;
    CLEAR(&inst->dict);
    for (size_t i = 0, n = as_heap(TYPE(self))->nslots; i < n; i++) CLEAR(&inst->slots[i]);
    return 0;
}

/* The same for instances of classes derived from another built-in type:
   the prefix words (the dict, the __slots__ values), then what the built-in
   base holds, through its own slots when it is a container. */
static int prefixed_instance_traverse(Object *self, VisitFunc visit, void *arg) {
    for (size_t i = 0, n = as_heap(TYPE(self))->nslots; i < n; i++) VISIT(*prefix_word(self, i));
    Type *base = TYPE(self)->builtin_base;
    return base->traverse ? base->traverse(self, visit, arg) : 0;
}

static int prefixed_instance_clear(Object *self) {
    for (size_t i = 0, n = as_heap(TYPE(self))->nslots; i < n; i++) CLEAR(prefix_word(self, i));
    Type *base = TYPE(self)->builtin_base;
    return base->clear ? base->clear(self) : 0;
}

/* An instance of a class derived from a built-in type other than object:
   its weak references are cleared, then what its prefix holds is released
   (the dict, the __slots__ values), then the built-in type releases the
   rest; its object_free frees the prefix and the collector head with the
   object. Deep chains of such instances nest through the built-in
   containers' own deallocs. */
static void prefixed_instance_dealloc(Object *self) {
    weakref_on_dealloc(self);
    for (size_t i = 0, n = as_heap(TYPE(self))->nslots; i < n; i++) CLEAR(prefix_word(self, i));
    TYPE(self)->builtin_base->dealloc(self);
}

/* How the instances of h are freed (after __del__, for a finalizer). */
static DeallocFunc base_dealloc(HeapType *h) {
    return h->type.builtin_base == &object_type ? instance_dealloc : prefixed_instance_dealloc;
}

/* The dealloc of a class with __del__: run it first (finalize.c); an
   instance that it brought back to life is left alone. */
static void instance_finalize_dealloc(Object *self) {
    if (finalize_on_dealloc(self)) return;
    base_dealloc(as_heap(TYPE(self)))(self);
}

/* t defines __del__: t and its live subclasses run it before freeing an
   instance (never undone: without __del__ the dealloc just frees). */
static void mark_finalizer_if_derived(Type *c, void *t) {
    if (!type_is_subtype(c, t)) return;
    c->flags |= TYPE_FINALIZER;
    c->dealloc = instance_finalize_dealloc;
}

static void mark_finalizer(Type *t) {
    finalize_note_class();
    class_visit_live(mark_finalizer_if_derived, t);
}

/* What normal lookup did not find: __class__ and __dict__ (NULL with the
   AttributeError still set when name is neither). */
static Object *instance_special_attr(Object *self, Object *name) {
    const char *s = str_data(name);
    if (strcmp(s, "__class__") == 0) {
        error_clear();
        return NEWREF(TYPE(self));
    }
    if ((TYPE(self)->flags & TYPE_WEAKREFABLE) && strcmp(s, "__weakref__") == 0) {
        error_clear();
        Object *first = weakref_first(self);
        return NEWREF(first ? first : None);
    }
    Object **dictptr = object_dict_ptr(self);
    if (dictptr && strcmp(s, "__dict__") == 0) {
        error_clear();
        Object *d = instance_dict_make(dictptr);
        return d ? NEWREF(d) : NULL;
    }
    return NULL;
}

/* object.__getattribute__: the lookup every instance has, without
   __getattr__. */
static Object *instance_plain_getattr(Object *self, Object *name) {
    Type *base = builtin_base(TYPE(self));
    Object *r = base->getattr ? base->getattr(self, name) : object_generic_getattr(self, name);
    if (r || !error_matches(&exc_AttributeError)) return r;
    return instance_special_attr(self, name);
}

/* self.__getattr__(name) once normal lookup has raised AttributeError
   (still set on entry): NULL with it still set when no class defines one. */
static Object *call_getattr_hook(Object *self, Object *name) {
    Object *f = dunder_get(TYPE(self), NAME(GETATTR));
    if (!f) return NULL;
    error_clear();
    Object *r = call_dunder(self, f, &name, 1);
    dunder_put(f);
    return r;
}

/* What normal lookup did not find: __class__, __dict__, then __getattr__.
   The AttributeError from the normal lookup is still set on entry. */
static Object *instance_getattr_fallback(Object *self, Object *name) {
    Object *r = instance_special_attr(self, name);
    if (r || !error_matches(&exc_AttributeError)) return r;
    return call_getattr_hook(self, name);
}

static Object *instance_getattr(Object *self, Object *name) {
    Type *base = builtin_base(TYPE(self));
    /* Fast path for self.x: the instance dict of an object-based instance
       whose class holds no data descriptor (which would come first). */
    bool plain = base == &object_type && !(TYPE(self)->flags & TYPE_DATA_DESCRS);
    Object *dict = plain ? instance_dict_load(&((ClassInstance *)self)->dict) : NULL;
#ifndef TOY_FREE_THREADED
    Object *v = dict ? dict_get_str(dict, name) : NULL;
    if (v) return NEWREF(v);
#else
    /* the reference taken under the dict's lock: another thread may
       rebind the attribute and release the value at any moment */
    Object *v = dict ? dict_get_str_ref(dict, name) : NULL;
    if (v) return v;
#endif
    Object *r = base->getattr ? base->getattr(self, name) : object_generic_getattr(self, name);
    if (r || !error_matches(&exc_AttributeError)) return r;
    return instance_getattr_fallback(self, name);
}

/* self.__init__(*args, **kw), which must return None; consumes self,
   returned on success, and gives back init (dunder_put). */
static Object *run_init(Object *self, Object *init, Object *const *args, size_t nargs,
                        Object *kwnames) {
    Object *r = call_with_self(init, self, args, nargs, kwnames);
    dunder_put(init); /* from dunder_get (or class_attr_get) */
    if (r && r != None) {
        error_set(&exc_TypeError, "__init__() should return None, not '%s'", TYPE_NAME(r));
        DECREF(r);
        r = NULL;
    }
    if (!r) {
        DECREF(self);
        return NULL;
    }
    DECREF(r);
    return self;
}

/* cls.__new__(cls, *args, **kw) for a class that defines __new__ (a static
   method, whatever the class body wrote), then __init__ when the result is
   an instance of cls. */
static Object *construct_with_new(Type *type, Object *new, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    DescrGetFunc get = TYPE(new)->descr_get;
    INCREF(new);
    Object *fn = get ? get(new, NULL, type) : NEWREF(new);
    DECREF(new);
    if (!fn) return NULL;
    Object *self = call_prepended(fn, (Object *)type, args, nargs, kwnames);
    DECREF(fn);
    if (!self || !is_instance_of(self, type)) return self;
    /* object.__init__ ignores the arguments when __new__ is overridden; the
       __init__ of a built-in base (list, dict, set, BaseException) does not */
    Object *init = dunder_get(TYPE(self), NAME(INIT));
    if (!init && builtin_base(TYPE(self)) != &object_type) {
        init = class_attr_get(TYPE(self), NAME(INIT));
        if (init == dict_get_str(object_type.dict, NAME(INIT))) {
            class_attr_put(init);
            init = NULL;
        }
    }
    return init ? run_init(self, init, args, nargs, kwnames) : self;
}

/* obj.name for a class defining __getattribute__: it answers, and
   __getattr__ (if any) gets the names it raises AttributeError for. */
static Object *slot_getattribute(Object *self, Object *name) {
    Object *f = dunder_get(TYPE(self), NAME(GETATTRIBUTE));
    Object *r = f ? call_dunder(self, f, &name, 1) : instance_plain_getattr(self, name);
    dunder_put(f);
    if (r || !error_matches(&exc_AttributeError)) return r;
    return call_getattr_hook(self, name);
}

/* Calling a class derived from a built-in data type b (int, str, list,
   ...) that defines no __new__: b's construction makes the instance. A
   mutable container (a type with an __init__ of its own: list, dict, set,
   bytearray) starts empty when the class has an __init__ of its own, which
   then gets the arguments; otherwise b fills it from them, as its __init__
   would. */
static Object *builtin_subclass_construct(Type *type, Type *b, Object *const *args, size_t nargs,
                                          Object *kwnames) {
    Object *init = dunder_get(type, NAME(INIT));
    if (!init) return b->construct(type, args, nargs, kwnames);
    bool starts_empty = dict_get_str(b->dict, NAME(INIT)) != NULL;
    Object *self = starts_empty ? b->construct(type, NULL, 0, NULL)
                                : b->construct(type, args, nargs, kwnames);
    if (!self) {
        dunder_put(init);
        return NULL;
    }
    return run_init(self, init, args, nargs, kwnames);
}

/* Calling a class: __new__ if a class of the MRO defines one; otherwise
   allocate the instance (as object.__new__ does, or the built-in base's
   construction), then run __init__ if a class of the MRO defines one.
   Exception instances get args from the positional arguments first, as
   BaseException.__new__ does. */
static Object *class_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    Object *new = dunder_get(type, NAME(NEW));
    if (new) {
        Object *r = construct_with_new(type, new, args, nargs, kwnames);
        dunder_put(new);
        return r;
    }
    Type *b = type->builtin_base;
    if (b != &object_type && !(b->flags & TYPE_EXCEPTION))
        return builtin_subclass_construct(type, b, args, nargs, kwnames);
    bool exc = (type->flags & TYPE_EXCEPTION) != 0;
    Object *init = dunder_get(type, NAME(INIT));
    /* the built-in exception's construction, keywords included (an
       ImportError subclass takes name= and path=) */
    if (!init && exc) return b->construct(type, args, nargs, kwnames);
    if (!init && (!kwnames_empty(kwnames) || nargs))
        return error_set(&exc_TypeError, "%s() takes no arguments", type->name);
    Object *self = exc ? exception_alloc(type, args, nargs) : object_alloc(type, type->instance_size);
    if (!self || !init) {
        dunder_put(init);
        return self;
    }
    return run_init(self, init, args, nargs, kwnames);
}

static Object *plain_init_lookup(Type *t) {
    if (heap_lookup(t, NAME(NEW))) return NULL;
    Object *init = heap_lookup(t, NAME(INIT));
    return init && TYPE(init) == &function_type ? init : NULL;
}

/* The answer is remembered under the class's version tag, if it has one,
   which any change to a dict of its MRO drops (objects/typeversion.h), as
   the inline caches are; not where threads run at once (--no-gil, toy-ft
   once a second thread has started), whose writes of the two fields could
   be seen half done. toy-ft's one thread remembers and reads the answer
   only while it is alone (plain_init_shared), so no other thread ever
   reads the fields. Out of line, so that the common call (the answer
   remembered) saves no registers. */
static __attribute__((noinline)) Object *plain_init_remember(HeapType *ht) {
    Type *t = &ht->type;
    Object *init = plain_init_lookup(t);
#ifndef TOY_FREE_THREADED /* toy-ft comes here only while it is alone */
    if (interp.flag_no_gil) return init;
#endif
    /* Only under a tag quickening has handed out: taking one here would
       change the order tags are handed out in, and with it where the type
       cache (interp/typecache.h) puts its entries. Nothing has run since the
       lookup. */
    uint32_t tag = t->version_tag;
    if (tag != 0) {
        ht->plain_init_tag = tag;
        ht->plain_init = init;
    }
    return init;
}

/* The remembered answer if the tag still holds, else a new lookup. */
static inline Object *plain_init_remembered(HeapType *ht) {
    uint32_t tag = type_version_tag_now(&ht->type);
    if (tag != 0 && ht->plain_init_tag == tag) return ht->plain_init;
    return plain_init_remember(ht);
}

#ifdef TOY_FREE_THREADED
/* toy-ft: the eval loop borrows the answer until its own INCREF, safe only
   where no other thread can release the function meanwhile: no other
   thread yet, or an immortal function (what one becomes once a second
   thread uses it). A mortal __init__ with threads about goes the generic
   way, which holds a reference (dunder_get). While no other thread has
   started, the remembered answer serves as in the GIL build: nobody else
   can change a class meanwhile, and the fields are left for good when a
   thread starts. */
static Object *plain_init_shared(Type *t) {
    if (ts_single_threaded()) return plain_init_remembered((HeapType *)t);
    Object *new = dunder_get(t, NAME(NEW));
    if (new) {
        dunder_put(new);
        return NULL;
    }
    Object *init = dunder_get(t, NAME(INIT));
    if (init && (TYPE(init) != &function_type || !object_is_immortal(init))) CLEAR(&init);
    return init; /* immortal: giving back its reference would change nothing */
}
#endif

Object *class_plain_init(Type *t) {
    if (t->construct != class_construct || t->builtin_base != &object_type) return NULL;
#ifdef TOY_FREE_THREADED
    return plain_init_shared(t);
#else
    return plain_init_remembered((HeapType *)t);
#endif
}

/* ---- Creating classes ---------------------------------------------------------------- */

/* A class may derive from user classes and from the built-in types marked
   TYPE_BASETYPE: object, the exceptions, int, float, str, bytes, bytearray,
   tuple, list, dict, set and frozenset. */
static int check_base(Object *base) {
    if (!is_instance_of(base, &type_type)) {
        error_set(&exc_TypeError, "bases must be types");
        return -1;
    }
    Type *t = (Type *)base;
    if (t == &type_type) {
        error_set(&exc_TypeError, "Toy does not support metaclasses");
        return -1;
    }
    if (t->flags & TYPE_BASE_IN_CPYTHON) {
        error_set(&exc_TypeError, "Toy does not support subclassing '%s'", t->name);
        return -1;
    }
    if (t != &object_type && !(t->flags & (TYPE_HEAP | TYPE_BASETYPE | TYPE_EXCEPTION))) {
        error_set(&exc_TypeError, "type '%s' is not an acceptable base type", t->name);
        return -1;
    }
    return 0;
}

/* What a class statement's bases call for: `type` when they are classes;
   when some are not, the type of those (all the same one, or related), which
   the statement then calls with (name, bases, namespace) as CPython does; a
   mixture that no one type covers is CPython's "metaclass conflict". start
   is type(first base) for a class statement, `type` for type(name, bases,
   dict). Toy has no metaclasses, so every class's type is `type` itself. */
static Type *bases_metatype(Type *start, Object *const *bases, size_t n) {
    Type *winner = start;
    for (size_t i = 0; i < n; i++) {
        Type *meta = TYPE(bases[i]);
        if (type_is_subtype(winner, meta)) continue;
        if (type_is_subtype(meta, winner)) {
            winner = meta;
            continue;
        }
        error_set(&exc_TypeError, "metaclass conflict: the metaclass of a derived class must be "
                                  "a (non-strict) subclass of the metaclasses of all its bases");
        return NULL;
    }
    return winner;
}

/* The exception classes to which CPython gives fields of their own
   (SystemExit.code, StopIteration.value, OSError.errno, ...): no class can
   have two of them as bases there. Toy's exceptions all share one layout,
   but refuse the same combinations. */
static Type *const exc_own_layout[] = {
    &exc_SystemExit, &exc_StopIteration, &exc_ImportError, &exc_NameError,
    &exc_AttributeError, &exc_OSError, &exc_SyntaxError, NULL,
};

/* Do t's instances have fields that its base's lack (besides the attribute
   dict)? A user class does when its __slots__ add some. */
static bool adds_fields(Type *t) {
    if (is_heap(t)) {
        Type *b = t->base_type;
        return as_heap(t)->nmembers > (is_heap(b) ? as_heap(b)->nmembers : 0);
    }
    for (Type *const *e = exc_own_layout; *e; e++)
        if (*e == t) return true;
    return t->instance_size != t->base_type->instance_size;
}

/* The nearest class of t's base_type line (t included) whose layout is its
   own. */
static Type *solid_base(Type *t) {
    while (t->base_type && !adds_fields(t)) t = t->base_type;
    return t;
}

/* Check the bases, each in turn, and pick __base__: the one whose layout
   extends every other's (the first of several equals). NULL with CPython's
   error when a base cannot be subclassed or two layouts are incompatible. */
static Type *best_base(Type *const *bases, size_t n) {
    Type *winner = NULL, *best = NULL;
    for (size_t i = 0; i < n; i++) {
        if (check_base((Object *)bases[i]) < 0) return NULL;
        Type *solid = solid_base(bases[i]);
        if (winner && type_is_subtype(winner, solid)) continue;
        if (winner && !type_is_subtype(solid, winner)) {
            error_set(&exc_TypeError, "multiple bases have instance lay-out conflict");
            return NULL;
        }
        winner = solid;
        best = bases[i];
    }
    return best;
}

/* toy-ft: the stripe of this byte's address guards live_classes for
   live_link, live_unlink, class_visit_live and live_subclasses (classes
   are made and freed on any thread, and tags are dropped, slots refreshed
   and __subclasses__ read while others run). A class is linked once its
   bases and MRO are complete, and set up under the same hold, so a walker
   under the lock finds it whole. */
static char live_key;

static void live_link(HeapType *h) {
    objlock_lock(&live_key);
    h->prev = NULL;
    h->next = live_classes;
    if (live_classes) live_classes->prev = h;
    live_classes = h;
    objlock_unlock(&live_key);
}

/* Does a heap class name t among its bases? */
static bool heap_has_base(HeapType *h, Type *t) {
    for (size_t i = 0; i < tuple_size(h->bases); i++)
        if (tuple_item(h->bases, i) == (Object *)t) return true;
    return false;
}

/* References to classes, gathered under the live lock. */
typedef struct {
    HeapType **items;
    size_t len, cap;
} ClassRefs;

static bool class_refs_push(ClassRefs *r, HeapType *h) {
    if (!mem_grow(&r->items, r->len, &r->cap, sizeof *r->items, 8)) return false;
    r->items[r->len++] = h;
    return true;
}

/* The live heap classes that name t among their bases, oldest first, as
   new references, taken under the live lock: toy-ft makes and frees
   classes on every thread, and a class whose count has reached zero (its
   dealloc waits for the lock to unlink it) is skipped. 0, or -1 out of
   memory (the references taken are still in r). */
static int live_subclasses(Type *t, ClassRefs *r) {
    HeapType *unkept = NULL;
    objlock_lock(&live_key);
    HeapType *h = live_classes;
    while (h && h->next) h = h->next; /* the oldest: the list is newest first */
    for (; h && !unkept; h = h->prev)
        if (heap_has_base(h, t) && refcount_try_incref((Object *)h) && !class_refs_push(r, h))
            unkept = h;
    objlock_unlock(&live_key);
    if (!unkept) return 0;
    DECREF(unkept); /* after unlocking: it may be the last reference */
    error_no_memory();
    return -1;
}

Object *class_subclasses(Type *t) {
    Object *list = list_new(0);
    if (!list) return NULL;
    for (Type *const *b = object_types; *b; b++)
        if ((*b)->base_type == t && list_append(list, (Object *)*b) < 0) goto fail;
    ClassRefs found = {0};
    int status = live_subclasses(t, &found);
    for (size_t i = 0; i < found.len; i++) {
        if (status == 0) status = list_append(list, (Object *)found.items[i]);
        DECREF(found.items[i]);
    }
    if (found.items) mem_free(found.items, found.cap * sizeof *found.items);
    if (status < 0) goto fail;
    return list;
fail:
    DECREF(list);
    return NULL;
}

void class_visit_live(void (*visit)(Type *t, void *arg), void *arg) {
    objlock_lock(&live_key);
    for (HeapType *h = live_classes; h; h = h->next) visit(&h->type, arg);
    objlock_unlock(&live_key);
}

static void live_unlink(HeapType *h) {
    objlock_lock(&live_key);
    if (h->prev) h->prev->next = h->next;
    else if (live_classes == h) live_classes = h->next;
    if (h->next) h->next->prev = h->prev;
    h->prev = h->next = NULL;
    objlock_unlock(&live_key);
}

/* __qualname__ from the namespace (then removed from it, as CPython keeps
   it outside the dict), else the name. */
static int take_qualname(HeapType *h, Object *name) {
    Object *dict = h->type.dict;
    Object *q = dict_get_str(dict, NAME(QUALNAME));
    if (q && !is_str(q)) {
        error_set(&exc_TypeError, "type __qualname__ must be a str, not %s", TYPE_NAME(q));
        return -1;
    }
    h->qualname = NEWREF(q ? q : name);
    return q ? dict_del_item(dict, NAME(QUALNAME), false) : 0;
}

/* Does the dict hold a data descriptor (a property, an instance of a class
   with __set__ or __delete__)? */
static bool holds_data_descr(Object *dict) {
    size_t pos = 0;
    Object *key, *value;
    bool found = false;
    while (!found && dict_next_ref(dict, &pos, &key, &value)) {
        found = TYPE(value)->descr_set != NULL;
        DECREF(key);
        DECREF(value);
    }
    return found;
}

/* t (and every live subclass of it) may now hold a data descriptor; with
   all_classes, every live class may (a class gained __set__/__delete__, so
   its instances already stored in classes became data descriptors). */
static void mark_data_descrs_if_derived(Type *c, void *t) { /* t NULL: every class */
    if (!t || type_is_subtype(c, t)) c->flags |= TYPE_DATA_DESCRS;
}

static void mark_data_descrs(Type *t, bool all_classes) {
    t->flags |= TYPE_DATA_DESCRS;
    class_visit_live(mark_data_descrs_if_derived, all_classes ? NULL : t);
}

/* A class body's __new__ is a static method, and its __init_subclass__ and
   __class_getitem__ class methods, without being declared so. */
static int wrap_implicit(Object *dict, Object *name, Object *(*wrap)(Object *)) {
    Object *f = dict_get_str(dict, name);
    if (!f || TYPE(f) != &function_type) return 0;
    Object *w = wrap(f);
    int r = w ? dict_set_item(dict, name, w) : -1;
    XDECREF(w);
    return r;
}

static int wrap_implicit_methods(Object *dict) {
    if (wrap_implicit(dict, NAME(NEW), descr_staticmethod_new) < 0 ||
        wrap_implicit(dict, NAME(INIT_SUBCLASS), descr_classmethod_new) < 0 ||
        wrap_implicit(dict, NAME(CLASS_GETITEM), descr_classmethod_new) < 0)
        return -1;
    return 0;
}

/* Replace the current exception by CPython's RuntimeError about
   __set_name__, with the original as its __cause__ and __context__. */
static void set_name_error(Object *value, Object *key, Type *cls) {
    Object *cause = error_fetch();
    error_set(&exc_RuntimeError, "Error calling __set_name__ on '%s' instance '%s' in '%s'",
              TYPE_NAME(value), str_data(key), cls->name);
    Object *exc = error_fetch();
    if (exc && cause && is_instance_of(exc, &exc_BaseException)) {
        ExceptionObject *e = (ExceptionObject *)exc;
        SETREF(&e->cause, NEWREF(cause));
        SETREF(&e->context, NEWREF(cause));
        e->suppress_context = true;
    }
    XDECREF(cause);
    error_restore(exc);
}

/* value.__set_name__(cls, key) for each attribute whose type defines it,
   over a copy of the dict (the calls may change it). A failure is reported
   as CPython 3.11 does: a RuntimeError naming the attribute, caused by the
   original error. */
static int call_set_names(Type *cls) {
    Object *copy = dict_copy(cls->dict);
    if (!copy) return -1;
    size_t pos = 0;
    Object *key, *value;
    int rc = 0;
    while (rc == 0 && dict_next(copy, &pos, &key, &value)) {
        Object *f = type_lookup(TYPE(value), NAME(SET_NAME));
        if (!f) continue;
        Object *args[2] = {(Object *)cls, key};
        Object *r = call_with_self(f, value, args, 2, NULL);
        if (r) {
            DECREF(r);
            continue;
        }
        rc = -1;
        if (is_str(key)) set_name_error(value, key, cls);
    }
    DECREF(copy);
    return rc;
}

/* super(cls, cls).__init_subclass__(**kw), with the class statement's
   keywords (object's takes none and does nothing). */
static int call_init_subclass(Type *cls, Object *const *kwvalues, Object *kwnames) {
    Object *f = lookup_from(cls, 1, NAME(INIT_SUBCLASS));
    if (!f) return 0;
    DescrGetFunc get = TYPE(f)->descr_get;
    Object *bound = get ? get(f, NULL, cls) : NEWREF(f);
    DECREF(f);
    Object *r = bound ? object_call(bound, kwvalues, 0, kwnames) : NULL;
    XDECREF(bound);
    if (!r) return -1;
    DECREF(r);
    return 0;
}

/* The names of __slots__ (a str or an iterable of str) as a new list. */
static Object *slot_names(Object *spec) {
    if (is_str(spec)) {
        Object *one = list_new(1);
        if (one) list_set_steal(one, 0, NEWREF(spec));
        return one;
    }
    Object *names = list_from_iterable(spec);
    if (!names) return NULL;
    for (size_t i = 0; i < list_size(names); i++) {
        Object *name = list_item(names, i);
        if (!is_str(name)) {
            error_set(&exc_TypeError, "__slots__ items must be strings, not '%s'", TYPE_NAME(name));
            DECREF(names);
            return NULL;
        }
    }
    return names;
}

/* Do instances of every base lack an attribute dict (object, a built-in
   type without one such as list, or a class whose __slots__ give none)?
   Then __slots__ without "__dict__" give the class's instances none either. */
static bool bases_lack_dict(HeapType *h) {
    for (size_t i = 0; i < tuple_size(h->bases); i++) {
        Type *b = (Type *)tuple_item(h->bases, i);
        bool none = (b->flags & TYPE_NO_DICT) || (!is_heap(b) && !b->dict_offset);
        if (!none) return false;
    }
    return true;
}

/* Can instances of a base be weakly referenced (a user class whose
   __slots__ did not leave them out, a weakrefable built-in type)? */
static bool bases_weakrefable(HeapType *h) {
    for (size_t i = 0; i < tuple_size(h->bases); i++) {
        Type *b = (Type *)tuple_item(h->bases, i);
        if (b->flags & TYPE_WEAKREFABLE) return true;
    }
    return false;
}

/* "__weakref__" in __slots__: allowed once, where no base has it already. */
static int slot_weakref(HeapType *h, bool *has_weakref) {
    if (*has_weakref || bases_weakrefable(h)) {
        error_set(&exc_TypeError,
                  "__weakref__ slot disallowed: either we already got one, or __itemsize__ != 0");
        return -1;
    }
    *has_weakref = true;
    return 0;
}

/* Where the instances of h keep the object pointer number i of their
   base_type line (a __slots__ value, or the dict in a prefix): after the
   ClassInstance header for classes based on object; for the others, word i
   of the prefix before the built-in object (object.h). */
static ptrdiff_t member_offset(HeapType *h, size_t i) {
    if (h->type.builtin_base == &object_type)
        return (ptrdiff_t)(offsetof(ClassInstance, slots) + i * sizeof(Object *));
    return prefix_word_offset(i);
}

/* CPython keeps the value of an int, bytes or tuple in a block of variable
   size and refuses nonempty __slots__ in their subclasses; so does Toy,
   though its prefix would have room. */
static bool refuses_member_slots(Type *b) {
    return b == &int_type || b == &bytes_type || b == &tuple_type;
}

/* A member descriptor for each name of __slots__ but "__dict__", at the
   line's next object pointers; *dict_named and *weakref_named say whether
   "__dict__" and "__weakref__" were among them. */
static int add_member_slots(HeapType *h, Object *names, bool *dict_named, bool *weakref_named) {
    Type *t = &h->type;
    for (size_t i = 0; i < list_size(names); i++) {
        Object *name = list_item(names, i);
        if (str_equal(name, NAME(DICT))) {
            *dict_named = true;
            continue;
        }
        if (str_equal(name, NAME(WEAKREF))) {
            if (slot_weakref(h, weakref_named) < 0) return -1;
            continue;
        }
        if (dict_get_str(t->dict, name)) {
            error_set(&exc_ValueError, "'%s' in __slots__ conflicts with class variable",
                      str_data(name));
            return -1;
        }
        Object *m = descr_member_new(t, name, member_offset(h, h->nslots++));
        h->nmembers++;
        int rc = m ? dict_set_item(t->dict, name, m) : -1;
        XDECREF(m);
        if (rc < 0) return -1;
    }
    return 0;
}

/* __slots__: each name becomes a member descriptor for a field of the
   instance; without "__dict__" among them (and with bases that have no
   dict either) instances get no attribute dict; without "__weakref__"
   (and with no base that has it) no weak references. A class based on a
   built-in type other than object keeps these fields, and the dict when
   the built-in object has none, in the prefix (object.h). */
static int setup_member_slots(HeapType *h) {
    Type *t = &h->type, *base = t->base_type;
    bool on_object = t->builtin_base == &object_type;
    Object *spec = dict_get_str(t->dict, NAME(SLOTS));
    Object *names = spec ? slot_names(spec) : list_new(0);
    if (!names) return -1;
    bool dict_named = false, weakref_named = false;
    int rc = 0;
    if (list_size(names) > 0 && refuses_member_slots(t->builtin_base)) {
        error_set(&exc_TypeError, "nonempty __slots__ not supported for subtype of '%s'",
                  base->name);
        rc = -1;
    }
    if (rc == 0) rc = add_member_slots(h, names, &dict_named, &weakref_named);
    DECREF(names);
    if (rc < 0) return -1;
    bool no_dict = spec && !dict_named && bases_lack_dict(h);
    if (on_object) {
        if (spec) t->instance_size = offsetof(ClassInstance, slots) + h->nslots * sizeof(Object *);
    } else {
        if (!no_dict && !t->dict_offset) t->dict_offset = member_offset(h, h->nslots++);
        t->prefix_size = prefix_size_for(h->nslots);
    }
    if (no_dict || !t->dict_offset) t->flags |= TYPE_NO_DICT;
    if (!spec || weakref_named || bases_weakrefable(h)) t->flags |= TYPE_WEAKREFABLE;
    return 0;
}

/* The instance layout: base_type's, plus the fields of __slots__. */
static int setup_layout(HeapType *h) {
    Type *t = &h->type, *base = t->base_type;
    h->nslots = is_heap(base) ? as_heap(base)->nslots : 0; /* base_type's fields come first */
    h->nmembers = is_heap(base) ? as_heap(base)->nmembers : 0;
    t->instance_size = base->instance_size;
    t->dict_offset = base->dict_offset;
    if (t->builtin_base == &object_type && !base->dict_offset) {
        t->instance_size = sizeof(ClassInstance);
        t->dict_offset = offsetof(ClassInstance, dict);
    }
    return setup_member_slots(h);
}

/* __hash__: the class's own, else the first of its MRO; defining __eq__
   alone makes the class unhashable (its dict gets __hash__ = None). Returns
   whether instances are unhashable, or -1. */
static int setup_hash(Type *t) {
    Object *hash = dict_get_str(t->dict, NAME(HASH));
    bool unhashable = hash == None || (!hash && dict_get_str(t->dict, NAME(EQ)));
    if (!hash && unhashable && dict_set_item(t->dict, NAME(HASH), None) < 0) return -1;
    if (!hash && !unhashable) {
        hash = heap_lookup(t, NAME(HASH));
        unhashable = hash == None;
    }
    if (hash && hash != None) t->hash = slot_hash;
    return unhashable;
}

/* The slots every class gets; a dispatcher for each dunder that a user
   class of the MRO defines (the dispatcher finds the right definition at
   call time); base_type's slots for everything else. */
static int setup_dispatch(HeapType *h) {
    Type *t = &h->type;
    t->dealloc = base_dealloc(h);
    /* Every instance of a user class has a collector head (object.h:
       heap_bytes_before), whatever its built-in base. */
    t->flags |= TYPE_GC;
    t->is_gc = NULL;
    bool plain = t->builtin_base == &object_type;
    t->traverse = plain ? instance_traverse : prefixed_instance_traverse;
    t->clear = plain ? instance_clear : prefixed_instance_clear;
    if (heap_lookup(t, NAME(DEL))) mark_finalizer(t);
    t->construct = class_construct;
    t->getattr = (t->flags & TYPE_GETATTRIBUTE) ? slot_getattribute : instance_getattr;
    for (size_t i = 0; i < h->lookup_len; i++)
        if (is_heap(t->mro[i])) install_slots(t, t->mro[i]->dict);
    int unhashable = setup_hash(t);
    if (unhashable < 0) return -1;
    type_inherit_slots(t);
    if (unhashable) t->hash = NULL;
    if (holds_data_descr(t->dict)) t->flags |= TYPE_DATA_DESCRS;
    return 0;
}

/* t's MRO, and how much of it heap_lookup searches. */
static int setup_mro(HeapType *h, Type *const *bases, size_t n) {
    Type *t = &h->type;
    if (mro_build(t, bases, n) < 0) return -1;
    h->lookup_len = 0;
    for (size_t i = 0; i < t->mro_len; i++)
        if (is_heap(t->mro[i])) h->lookup_len = i + 1;
    return 0;
}

/* Every class has its own __doc__, None without a docstring (as CPython),
   so that a subclass does not show its base's docstring. 0 / -1. */
static int class_default_doc(Object *dict) {
    if (dict_get_item_cstr(dict, "__doc__")) return 0;
    return error_occurred() ? -1 : dict_set_item_cstr(dict, "__doc__", None);
}

/* The flags a class takes from every base, not only from base_type. */
enum { FLAGS_FROM_BASES = TYPE_EXCEPTION | TYPE_DATA_DESCRS | TYPE_GETATTRIBUTE };

/* class_create once the bases are a C array (bs[i] is tuple item i). */
static Object *class_create_from(Object *name, Object *bases, Type *const *bs, size_t n,
                                 Object *ns, Object *class_cell, Object *const *kwvalues,
                                 Object *kwnames) {
    Type *base = best_base(bs, n);
    if (!base) return NULL;
    HeapType *h = (HeapType *)object_alloc(&type_type, sizeof(HeapType));
    if (!h) return NULL;
    refcount_mark_shared((Object *)h); /* toy-ft: immortal once threads share it */
    Type *t = &h->type;
    t->name_obj = NEWREF(name);
    t->name = str_data(name);
    h->bases = NEWREF(bases);
    t->base_type = base;
    t->flags = TYPE_HEAP | TYPE_BASETYPE;
    for (size_t i = 0; i < n; i++) t->flags |= bs[i]->flags & FLAGS_FROM_BASES;
    t->builtin_base = builtin_base(base);
    t->dict = dict_copy(ns);
    if (t->dict) dict_mark_shared(t->dict);
    if (!t->dict || class_default_doc(t->dict) < 0 || take_qualname(h, name) < 0 ||
        wrap_implicit_methods(t->dict) < 0 || setup_layout(h) < 0 || setup_mro(h, bs, n) < 0)
        goto fail;
    /* Listed, and its slots set, under the live lock (toy-ft): other
       threads walk the live classes under it, reading bases and MRO and
       changing slots and flags, so they find a class only whole, and a
       change to a base either comes before this class copies the base's
       slots or finds it listed. setup_dispatch's walk for __del__ must
       find the class itself (the lock is recursive). */
    objlock_lock(&live_key);
    live_link(h);
    int dispatched = setup_dispatch(h);
    objlock_unlock(&live_key);
    if (dispatched < 0) goto fail;
    /* before __set_name__ and __init_subclass__, which may call methods */
    if (class_cell) SETREF(&((CellObject *)class_cell)->contents, NEWREF(h));
    if (call_set_names(t) < 0 || call_init_subclass(t, kwvalues, kwnames) < 0) goto fail;
    return (Object *)h;
fail:
    DECREF(h);
    return NULL;
}

/* A class from its name, bases (a tuple; empty means (object,)) and
   namespace. A class statement passes the cell its body's functions share
   (class_cell), which receives the class for their super() calls;
   kwvalues/kwnames are the class statement's keywords, passed to
   __init_subclass__. */
static Object *class_create(Object *name, Object *bases, Object *ns, Object *class_cell,
                            Object *const *kwvalues, Object *kwnames) {
    if (names_ready() < 0) return NULL;
    Object *own = tuple_size(bases) ? NEWREF(bases) : tuple_pack(1, &object_type);
    if (!own) return NULL;
    size_t n = tuple_size(own);
    Type **bs = mem_alloc(n * sizeof(Type *));
    Object *cls = NULL;
    if (bs) {
        for (size_t i = 0; i < n; i++) bs[i] = (Type *)tuple_item(own, i);
        cls = class_create_from(name, own, bs, n, ns, class_cell, kwvalues, kwnames);
        mem_free(bs, n * sizeof(Type *));
    } else {
        error_no_memory();
    }
    DECREF(own);
    return cls;
}

Object *class_new(Object *name, Object *bases, Object *ns) {
    return class_create(name, bases, ns, NULL, NULL, NULL);
}

/* The namespace a class body starts with: __module__ (the defining module's
   __name__, or the builtins' one, 'builtins', when the globals have none:
   code run by exec() in a fresh dict) and __qualname__ (the body
   function's qualified name). */
static Object *class_namespace(FunctionObject *body) {
    Object *ns = dict_new();
    if (!ns) return NULL;
    Object *modname = dict_get_str(body->globals, NAME(NAME_));
    if (!modname && interp.builtins) modname = dict_get_str(interp.builtins, NAME(NAME_));
    if ((modname && dict_set_item(ns, NAME(MODULE), modname) < 0) ||
        dict_set_item(ns, NAME(QUALNAME), body->qualname) < 0) {
        DECREF(ns);
        return NULL;
    }
    return ns;
}

/* Does the class statement say metaclass=? */
static bool names_metaclass(Object *kwnames) {
    for (size_t i = 0; kwnames && i < tuple_size(kwnames); i++)
        if (strcmp(str_data(tuple_item(kwnames, i)), "metaclass") == 0) return true;
    return false;
}

/* The class a statement's body made: a new class when its bases are
   classes; otherwise what calling their type with (name, bases, namespace)
   and the statement's keywords gives, as CPython does. */
static Object *make_class(Type *meta, Object *name, Object *bases, Object *ns, Object *cell,
                          Object *const *kwvalues, Object *kwnames) {
    if (meta == &type_type) return class_create(name, bases, ns, cell, kwvalues, kwnames);
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    Object *small[8], **argv = small;
    if (3 + nkw > 8 && !(argv = mem_alloc((3 + nkw) * sizeof(Object *))))
        return error_no_memory();
    argv[0] = name;
    argv[1] = bases;
    argv[2] = ns;
    for (size_t i = 0; i < nkw; i++) argv[3 + i] = kwvalues[i];
    Object *r = object_call((Object *)meta, argv, 3, kwnames);
    if (argv != small) mem_free(argv, (3 + nkw) * sizeof(Object *));
    return r;
}

Object *class_build_class(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (names_metaclass(kwnames)) return error_set(&exc_TypeError, "Toy does not support metaclasses");
    if (nargs < 2) return error_set(&exc_TypeError, "__build_class__: not enough arguments");
    if (TYPE(args[0]) != &function_type)
        return error_set(&exc_TypeError, "__build_class__: func must be a function");
    if (!is_str(args[1])) return error_set(&exc_TypeError, "__build_class__: name is not a string");
    Object *const *bases = args + 2;
    size_t nbases = nargs - 2;
    Type *meta = bases_metatype(nbases ? TYPE(bases[0]) : &type_type, bases, nbases);
    if (!meta || names_ready() < 0) return NULL;

    FunctionObject *body = (FunctionObject *)args[0];
    Object *ns = class_namespace(body);
    Object *cell = ns ? cell_new(NULL) : NULL;
    if (!cell) {
        XDECREF(ns);
        return NULL;
    }
    /* the body's functions take the cell from it (make_function in vm.c) */
    SETREF(&body->class_cell, NEWREF(cell));
    Object *r = vm_run_class_body(args[0], ns);
    CLEAR(&body->class_cell);
    Object *cls = NULL;
    if (r) {
        DECREF(r);
        Object *tuple = tuple_from_array(bases, nbases);
        if (tuple) cls = make_class(meta, args[1], tuple, ns, cell, args + nargs, kwnames);
        XDECREF(tuple);
    }
    DECREF(cell);
    DECREF(ns);
    return cls;
}

const MethodDef class_builtin_functions[] = {
    {"__build_class__", class_build_class, NULL},
    {NULL, NULL, NULL},
};

/* ---- The type type's slots -------------------------------------------------------------- */

/* A built-in type's name may say its module, as CPython's do:
   "sys.version_info" is the type version_info of the module sys. */
static const char *static_name_after_module(Type *t) {
    const char *dot = strrchr(t->name, '.');
    return dot ? dot + 1 : t->name;
}

Object *class_type_name(Type *t) {
    return t->name_obj ? NEWREF(t->name_obj) : str_from_cstr(static_name_after_module(t));
}

Object *class_type_qualname(Type *t) {
    return is_heap(t) ? NEWREF(as_heap(t)->qualname) : str_from_cstr(static_name_after_module(t));
}

Object *class_type_module(Type *t) {
    if (is_heap(t)) {
        Object *m = dict_get_item_cstr(t->dict, "__module__");
        if (m) return NEWREF(m);
        if (error_occurred()) return NULL;
        return str_from_cstr("builtins");
    }
    const char *dot = strrchr(t->name, '.');
    return dot ? str_from_utf8(t->name, (size_t)(dot - t->name)) : str_from_cstr("builtins");
}

/* A class's bases as its statement named them; (base,) or () for a
   built-in type. */
static Object *type_bases(Type *t) {
    if (is_heap(t)) return NEWREF(as_heap(t)->bases);
    return t->base_type ? tuple_pack(1, t->base_type) : tuple_new(0);
}

/* The names type_special_attr answers, before the class's own dict. */
bool class_type_special_name(const char *s) {
    static const char *const names[] = {"__name__", "__qualname__", "__module__", "__dict__",
                                        "__base__", "__bases__",    "__mro__",    "__class__",
                                        "__doc__"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0) return true;
    return false;
}

/* The attributes every type has (s starts with "__"); NULL without an
   exception when s is none of them (class_type_special_name lists them). */
static Object *type_special_attr(Type *t, const char *s) {
    if (strcmp(s, "__name__") == 0) return class_type_name(t);
    if (strcmp(s, "__qualname__") == 0) return class_type_qualname(t);
    if (strcmp(s, "__module__") == 0) return class_type_module(t);
    if (strcmp(s, "__dict__") == 0) return t->dict ? dict_copy(t->dict) : dict_new();
    if (strcmp(s, "__base__") == 0) return NEWREF(t->base_type ? (Object *)t->base_type : None);
    if (strcmp(s, "__bases__") == 0) return type_bases(t);
    if (strcmp(s, "__mro__") == 0) return mro_as_tuple(t);
    if (strcmp(s, "__class__") == 0) return NEWREF(&type_type);
    if (strcmp(s, "__doc__") == 0) {
        Object *doc = is_heap(t) ? dict_get_item_cstr(t->dict, "__doc__") : NULL;
        if (!doc && error_occurred()) return NULL;
        return NEWREF(doc ? doc : None);
    }
    return NULL;
}

/* A.x: the type's own attributes, then the class's MRO, through the found
   object's __get__ with no instance: functions come back unbound (A.f(obj)
   passes self explicitly), class methods bound to A, properties as they are.
   Last, what `type` defines (its slot wrappers, mro()), bound to A. */
Object *class_type_getattr(Object *self, Object *name) {
    Type *t = (Type *)self;
    const char *s = str_data(name);
    if (s[0] == '_' && s[1] == '_') {
        Object *v = type_special_attr(t, s);
        if (v || error_occurred()) return v;
    }
    Object *v = class_attr_get(t, name);
    if (v) {
        DescrGetFunc get = TYPE(v)->descr_get;
        if (!get) return class_attr_keep(v);
        INCREF(v);
        Object *r = get(v, NULL, t);
        DECREF(v);
        class_attr_put(v);
        return r;
    }
    /* What type itself defines, bound to the class: int.__call__ */
    v = class_attr_get(TYPE(self), name);
    if (v) {
        if (!TYPE(v)->descr_get) return class_attr_keep(v);
        Object *r = TYPE(v)->descr_get(v, self, TYPE(self));
        class_attr_put(v);
        return r;
    }
    return error_set(&exc_AttributeError, "type object '%s' has no attribute '%s'", t->name, s);
}

/* A dunder was assigned to t: t and every live subclass of it (which
   copied t's slots when it was created) get the dispatchers of the dunders
   t now defines; with hash, their __hash__ is looked up again along their
   MROs (a None found there makes instances unhashable). */
typedef struct {
    Type *changed;
    bool hash;
} SlotRefresh;

static void refresh_slots_if_derived(Type *c, void *arg) {
    SlotRefresh *r = arg;
    if (!type_is_subtype(c, r->changed)) return;
    install_slots(c, r->changed->dict);
    if (!r->hash) return;
    Object *f = heap_lookup(c, NAME(HASH));
    if (f) SET_SLOT(c->hash, f == None ? NULL : slot_hash);
}

static void refresh_slots(Type *t, bool hash) {
    SlotRefresh r = {t, hash};
    class_visit_live(refresh_slots_if_derived, &r);
}

/* A.__mro__ / A.__base__ / A.__bases__ = v: the first two are read-only,
   as in CPython; Toy cannot change a class's bases after the fact. 1 when
   name is one of them (the error is set), else 0. */
static int refuse_bases_change(const char *s) {
    if (strcmp(s, "__mro__") == 0 || strcmp(s, "__base__") == 0) {
        error_set(&exc_AttributeError, "readonly attribute");
        return 1;
    }
    if (strcmp(s, "__bases__") == 0) {
        error_set(&exc_TypeError, "Toy does not support assigning __bases__");
        return 1;
    }
    return 0;
}

/* A.x = v / del A.x. Built-in types are immutable. Assigning a dunder
   installs its dispatcher, so the class and its subclasses behave as if it
   had been defined in the class statement. */
int class_type_setattr(Object *self, Object *name, Object *value) {
    Type *t = (Type *)self;
    const char *s = str_data(name);
    if (!is_heap(t)) {
        error_set(&exc_TypeError, "cannot set '%s' attribute of immutable type '%s'", s, t->name);
        return -1;
    }
    if (strcmp(s, "__qualname__") == 0 || strcmp(s, "__name__") == 0) {
        if (!value || !is_str(value)) {
            error_set(&exc_TypeError, "can only assign string to %s.%s, not '%s'", t->name, s,
                      value ? TYPE_NAME(value) : "NoneType");
            return -1;
        }
        if (s[2] == 'q') {
            SETREF(&as_heap(t)->qualname, NEWREF(value));
        } else {
            SETREF(&t->name_obj, NEWREF(value));
            t->name = str_data(value);
        }
        return 0;
    }
    if (value && refuse_bases_change(s)) return -1;
    type_version_invalidate(t); /* the inline caches of t and its subclasses */
    int r = value ? dict_set_item(t->dict, name, value) : dict_del_item(t->dict, name, false);
#ifdef TOY_FREE_THREADED
    type_version_invalidate(t); /* and a tag handed out meanwhile (typeversion.h) */
#endif
    if (!value) {
        if (r == 1)
            error_set(&exc_AttributeError, "type object '%s' has no attribute '%s'", t->name, s);
        return r == 0 ? 0 : -1;
    }
    if (r < 0) return -1;
    if (TYPE(value)->descr_set) mark_data_descrs(t, false);
    if (s[0] == '_' && s[1] == '_') {
        DescrSetFunc had = t->descr_set;
        refresh_slots(t, strcmp(s, "__hash__") == 0);
        if (!had && t->descr_set) mark_data_descrs(t, true);
        if (strcmp(s, "__del__") == 0) mark_finalizer(t);
    }
    return 0;
}

Object *class_type_getitem(Object *self, Object *key) {
    Type *t = (Type *)self;
    Object *f = is_heap(t) ? type_lookup(t, NAME(CLASS_GETITEM)) : NULL;
    if (!f) return error_set(&exc_TypeError, "type '%s' is not subscriptable", t->name);
    DescrGetFunc get = TYPE(f)->descr_get;
    INCREF(f);
    Object *bound = get ? get(f, NULL, t) : NEWREF(f);
    DECREF(f);
    if (!bound) return NULL;
    Object *r = object_call(bound, &key, 1, NULL);
    DECREF(bound);
    return r;
}

/* <class '__main__.A'>, <class 'int'> */
Object *class_type_repr(Object *self) {
    Type *t = (Type *)self;
    if (!is_heap(t)) return str_from_format("<class '%s'>", t->name);
    Object *module = class_type_module(t);
    if (!module) return NULL;
    Object *qualname = as_heap(t)->qualname;
    Object *r;
    if (is_str(module) && strcmp(str_data(module), "builtins") != 0)
        r = str_from_format("<class '%s.%s'>", str_data(module), str_data(qualname));
    else
        r = str_from_format("<class '%s'>", str_data(qualname));
    DECREF(module);
    return r;
}

/* type(name, bases, dict) */
static Object *type_new_from_parts(Object *name, Object *bases, Object *dict) {
    if (!is_str(name))
        return error_set(&exc_TypeError, "type.__new__() argument 1 must be str, not %s",
                         arg_type_name(name));
    if (!is_tuple(bases))
        return error_set(&exc_TypeError, "type.__new__() argument 2 must be tuple, not %s",
                         arg_type_name(bases));
    if (!is_dict(dict))
        return error_set(&exc_TypeError, "type.__new__() argument 3 must be dict, not %s",
                         arg_type_name(dict));
    if (!bases_metatype(&type_type, tuple_items(bases), tuple_size(bases))) return NULL;
    if (names_ready() < 0) return NULL;
    /* __module__ defaults to the calling module's __name__, as in a class
       statement. */
    Frame *f = vm_current_frame();
    Object *modname = f ? dict_get_str(f->globals, NAME(NAME_)) : NULL;
    if (!modname || dict_get_str(dict, NAME(MODULE))) return class_new(name, bases, dict);
    Object *ns = dict_copy(dict);
    if (!ns) return NULL;
    Object *cls = dict_set_item(ns, NAME(MODULE), modname) < 0 ? NULL
                                                                : class_new(name, bases, ns);
    DECREF(ns);
    return cls;
}

/* Calling `type` itself: type(x) is x's class. */
Object *class_type_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    /* CPython's order of complaints: the count, then the keywords */
    if (nargs != 1 && nargs != 3)
        return error_set(&exc_TypeError, "type() takes 1 or 3 arguments");
    if (!kwnames_empty(kwnames)) {
        if (nargs == 1) return error_set(&exc_TypeError, "type() takes no keyword arguments");
        /* the arguments' types are checked first; the keywords would then go
           to __init_subclass__ */
        if (!is_str(args[0]))
            return error_set(&exc_TypeError, "type.__new__() argument 1 must be str, not %s",
                             arg_type_name(args[0]));
        if (!is_tuple(args[1]))
            return error_set(&exc_TypeError, "type.__new__() argument 2 must be tuple, not %s",
                             arg_type_name(args[1]));
        if (!is_dict(args[2]))
            return error_set(&exc_TypeError, "type.__new__() argument 3 must be dict, not %s",
                             arg_type_name(args[2]));
        return error_set(&exc_TypeError, "%s.__init_subclass__() takes no keyword arguments",
                         str_data(args[0]));
    }
    if (nargs == 1) return NEWREF(TYPE(args[0]));
    return type_new_from_parts(args[0], args[1], args[2]);
}

/* The cycle collector's slots for classes (type_type's). Static types
   have no collector head. A class refers to its dict, names and bases; its
   MRO array and base_type are borrowed from the bases. Clearing empties
   the dict but keeps it, so that a lookup on a dying class finds nothing
   rather than crashing. */
bool class_type_is_gc(Object *self) { return is_heap((Type *)self); }

int class_type_traverse(Object *self, VisitFunc visit, void *arg) {
    Type *t = (Type *)self;
    VISIT(t->dict);
    VISIT(t->name_obj);
    if (is_heap(t)) {
        VISIT(as_heap(t)->qualname);
        VISIT(as_heap(t)->bases);
    }
    return 0;
}

int class_type_clear(Object *self) {
    Type *t = (Type *)self;
    type_version_invalidate(t);
    if (t->dict) dict_clear(t->dict);
    return 0;
}

void class_type_dealloc(Object *self) {
    Type *t = (Type *)self;
    if (!is_heap(t)) { /* static types are immortal: a count at zero is a bug elsewhere */
        refcount_make_immortal(self);
        return;
    }
    weakref_on_dealloc(self);
    HeapType *h = as_heap(t);
    live_unlink(h);
    CLEAR(&t->dict);
    CLEAR(&t->name_obj);
    CLEAR(&h->qualname);
    mro_clear(t); /* before the bases go: its entries are theirs */
    t->base_type = NULL;
    CLEAR(&h->bases);
    object_free(self, sizeof(HeapType));
}

/* ---- super ---------------------------------------------------------------------------------- */

typedef struct {
    Object base;
    Type *klass;  /* owned: lookups start after this class in the MRO of obj's class */
    Object *obj;  /* owned: what found methods are bound to */
} SuperObject;

/* The receiver of zero-argument super(): the first local of the calling
   frame, unwrapped when the compiler moved it into a cell. */
static Object *frame_first_argument(Frame *f) {
    CodeObject *co = f->code;
    Object *obj = f->slots[0];
    if (obj && TYPE(obj) == &cell_type) return ((CellObject *)obj)->contents;
    if (obj) return obj;
    Object *first = tuple_item(co->varnames, 0);
    for (size_t i = 0; co->cellvars && i < tuple_size(co->cellvars); i++) {
        if (!str_equal(tuple_item(co->cellvars, i), first)) continue;
        Object *cell = f->slots[co->nlocals + i];
        return cell ? ((CellObject *)cell)->contents : NULL;
    }
    return NULL;
}

/* super(): the class whose body defined the running function (or the
   function around it), and its first argument. */
static int super_from_frame(Type **klass, Object **obj) {
    Frame *f = vm_current_frame();
    if (!f || !f->function || f->code->argcount == 0) {
        error_set(&exc_RuntimeError, "super(): no arguments");
        return -1;
    }
    *obj = frame_first_argument(f);
    if (!*obj) {
        error_set(&exc_RuntimeError, "super(): arg[0] deleted");
        return -1;
    }
    Object *cell = ((FunctionObject *)f->function)->class_cell;
    if (!cell) {
        error_set(&exc_RuntimeError, "super(): __class__ cell not found");
        return -1;
    }
    Object *cls = ((CellObject *)cell)->contents;
    if (!cls) { /* the class statement has not made its class (yet) */
        error_set(&exc_RuntimeError, "super(): empty __class__ cell");
        return -1;
    }
    *klass = (Type *)cls;
    return 0;
}

static Object *super_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    if (!kwnames_empty(kwnames))
        return error_set(&exc_TypeError, "super() takes no keyword arguments");
    if (nargs > 2)
        return error_set(&exc_TypeError, "super() expected at most 2 arguments, got %zu", nargs);
    Type *klass;
    Object *obj = NULL;
    if (nargs == 0) {
        if (super_from_frame(&klass, &obj) < 0) return NULL;
    } else {
        if (!is_instance_of(args[0], &type_type))
            return error_set(&exc_TypeError, "super() argument 1 must be a type, not %s",
                             TYPE_NAME(args[0]));
        klass = (Type *)args[0];
        if (nargs == 2) obj = args[1];
    }
    if (obj && !is_instance_of(obj, klass) &&
        !(is_instance_of(obj, &type_type) && type_is_subtype((Type *)obj, klass)))
        return error_set(&exc_TypeError,
                         "super(type, obj): obj must be an instance or subtype of type");
    SuperObject *su = (SuperObject *)object_alloc(type, sizeof(SuperObject));
    if (!su) return NULL;
    su->klass = (Type *)NEWREF(klass);
    su->obj = obj ? NEWREF(obj) : NULL;
    return (Object *)su;
}

/* The class whose MRO super() searches: the receiver's class, or the
   receiver itself when it is a subclass of klass (super() in a class
   method); NULL for an unbound super(C). */
static Type *super_start(SuperObject *su) {
    Object *obj = su->obj;
    if (!obj) return NULL;
    if (is_instance_of(obj, &type_type) && type_is_subtype((Type *)obj, su->klass))
        return (Type *)obj;
    return TYPE(obj);
}

/* What super() has besides the names it finds: __class__ (always super),
   __self__, __thisclass__, __self_class__. NULL with no exception when
   name is none of them. */
static Object *super_special_attr(SuperObject *su, const char *s) {
    Type *start = super_start(su);
    if (strcmp(s, "__class__") == 0) return NEWREF(TYPE(su));
    if (strcmp(s, "__self__") == 0) return NEWREF(su->obj ? su->obj : None);
    if (strcmp(s, "__thisclass__") == 0) return NEWREF(su->klass);
    if (strcmp(s, "__self_class__") == 0) return NEWREF(start ? (Object *)start : None);
    return NULL;
}

/* super().name: search the classes after klass in the MRO of the
   receiver's class and bind what is found to the receiver. */
static Object *super_getattr(Object *self, Object *name) {
    SuperObject *su = (SuperObject *)self;
    Type *start = super_start(su);
    const char *s = str_data(name);
    Object *v = NULL;
    if (start && strcmp(s, "__class__") != 0)
        v = lookup_from(start, mro_index(start, su->klass) + 1, name);
    if (v) {
        DescrGetFunc get = TYPE(v)->descr_get;
        if (!get) return v;
        Object *obj = su->obj == (Object *)start ? NULL : su->obj;
        Object *r = get(v, obj, start);
        DECREF(v);
        return r;
    }
    Object *r = super_special_attr(su, s);
    if (r) return r;
    return error_set(&exc_AttributeError, "'super' object has no attribute '%s'", s);
}

/* <super: <class 'B'>, <B object>> (plain class names, as CPython shows them) */
static Object *super_repr(Object *self) {
    SuperObject *su = (SuperObject *)self;
    Type *start = super_start(su);
    if (!start) return str_from_format("<super: <class '%s'>, NULL>", su->klass->name);
    return str_from_format("<super: <class '%s'>, <%s object>>", su->klass->name, start->name);
}

static void super_dealloc(Object *self) {
    SuperObject *su = (SuperObject *)self;
    CLEAR((Object **)&su->klass);
    CLEAR(&su->obj);
    object_free(self, sizeof(SuperObject));
}

static int super_traverse(Object *self, VisitFunc visit, void *arg) {
    SuperObject *su = (SuperObject *)self;
    VISIT(su->klass);
    VISIT(su->obj);
    return 0;
}

Type super_type = {
    TYPE_HEAD_INIT,
    .flags = TYPE_BASE_IN_CPYTHON | TYPE_GC,
    .name = "super",
    .base_type = &object_type,
    .instance_size = sizeof(SuperObject),
    .dealloc = super_dealloc,
    .repr = super_repr,
    .hash = object_identity_hash,
    .construct = super_construct,
    .getattr = super_getattr,
    .traverse = super_traverse,
};

/* ---- Teardown ---------------------------------------------------------------------------------- */

/* Clear the dict of every class still alive (holding a reference to each
   meanwhile, so none is freed mid-walk), which breaks the class <-> method
   cycles; classes nothing else refers to are then freed. */
static void break_class_cycles(void) {
    size_t n = 0;
    for (HeapType *h = live_classes; h; h = h->next) n++;
    if (!n) return;
    Object **all = mem_alloc(n * sizeof(Object *));
    if (!all) return;
    size_t i = 0;
    for (HeapType *h = live_classes; h; h = h->next) all[i++] = NEWREF(h);
    for (i = 0; i < n; i++)
        if (((Type *)all[i])->dict) dict_clear(((Type *)all[i])->dict);
    for (i = 0; i < n; i++) DECREF(all[i]);
    mem_free(all, n * sizeof(Object *));
}

void class_fini(void) {
    break_class_cycles();
    names_release();
    exceptions_fini();
}
