/* descr.c - property, staticmethod and classmethod: the built-in descriptor
 * types.
 *
 * They do nothing by themselves; attribute lookup (object.c, class.c) asks
 * the type of whatever it finds on a class for descr_get / descr_set, and
 * these types answer:
 *   - property: obj.x calls fget(obj), obj.x = v calls fset(obj, v),
 *     del obj.x calls fdel(obj); it is a data descriptor, so it wins over
 *     the instance dict. On the class itself (C.x) it is the property.
 *   - staticmethod: the wrapped callable, unbound, from the class and the
 *     instance alike.
 *   - classmethod: the wrapped callable bound to the class (the instance's
 *     class when looked up on an instance).
 *   - member_descriptor: one name of a class's __slots__, whose value lives
 *     at a fixed offset in the instance (an owned reference, NULL: unset).
 * Invariants: a PropertyObject owns its accessors, doc and name (NULL for
 * None / unset); a WrapperDescrObject owns its callable and its dict. Only
 * runs under the GIL.
 */
#include "objects/descr.h"

#include <stddef.h>
#include <string.h>

#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/function.h"
#include "objects/str.h"
#include "objects/tuple.h"

#define PROP(o) ((PropertyObject *)(o))
#define MEMBER(o) ((MemberDescrObject *)(o))
#define WRAP(o) ((WrapperDescrObject *)(o))

static Object *none_to_null(Object *o) { return o == None ? NULL : o; }
static Object *null_to_none(Object *o) { return o ? o : None; }

/* ---- property ------------------------------------------------------------- */

/* "property 'x' of 'C' object has no setter" (without the name when the
   property was never given one by a class). */
static Object *property_missing(Object *self, Object *obj, const char *what) {
    Object *name = PROP(self)->name;
    if (name)
        return error_set(&exc_AttributeError, "property '%s' of '%s' object has no %s",
                         str_data(name), TYPE_NAME(obj), what);
    return error_set(&exc_AttributeError, "property of '%s' object has no %s", TYPE_NAME(obj),
                     what);
}

/* The doc a property takes from its getter: fget.__doc__, or NULL. */
static Object *property_doc_from(Object *fget) {
    if (!fget) return NULL;
    Object *doc = object_getattr_cstr(fget, "__doc__");
    if (!doc) {
        if (!error_matches(&exc_AttributeError)) return NULL;
        error_clear();
        return NULL;
    }
    if (doc == None) {
        DECREF(doc);
        return NULL;
    }
    return doc;
}

/* A new property from its parts (borrowed, NULL for None). doc NULL: taken
   from fget. */
static Object *property_make(Object *fget, Object *fset, Object *fdel, Object *doc,
                             Object *name) {
    Object *own_doc = NULL;
    if (!doc) {
        own_doc = property_doc_from(fget);
        if (!own_doc && error_occurred()) return NULL;
    }
    PropertyObject *p = (PropertyObject *)object_alloc(&property_type, sizeof(PropertyObject));
    if (!p) {
        XDECREF(own_doc);
        return NULL;
    }
    XINCREF(fget);
    XINCREF(fset);
    XINCREF(fdel);
    XINCREF(name);
    p->fget = fget;
    p->fset = fset;
    p->fdel = fdel;
    p->doc = own_doc ? own_doc : (doc ? NEWREF(doc) : NULL);
    p->name = name;
    return (Object *)p;
}

static Object *property_construct(Type *type, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    (void)type;
    static const char *const names[] = {"fget", "fset", "fdel", "doc", NULL};
    Object *a[4];
    if (args_parse("property", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    for (int i = 0; i < 4; i++) a[i] = a[i] ? none_to_null(a[i]) : NULL;
    return property_make(a[0], a[1], a[2], a[3], NULL);
}

static void property_dealloc(Object *self) {
    PropertyObject *p = PROP(self);
    XDECREF(p->fget);
    XDECREF(p->fset);
    XDECREF(p->fdel);
    XDECREF(p->doc);
    XDECREF(p->name);
    object_free(self, sizeof(PropertyObject));
}

static Object *property_descr_get(Object *self, Object *obj, Type *type) {
    (void)type;
    if (!obj) return NEWREF(self);
    Object *fget = PROP(self)->fget;
    if (!fget) return property_missing(self, obj, "getter");
    return object_call(fget, &obj, 1, NULL);
}

static int property_descr_set(Object *self, Object *obj, Object *value) {
    Object *f = value ? PROP(self)->fset : PROP(self)->fdel;
    if (!f) {
        property_missing(self, obj, value ? "setter" : "deleter");
        return -1;
    }
    Object *args[2] = {obj, value};
    Object *r = object_call(f, args, value ? 2 : 1, NULL);
    if (!r) return -1;
    DECREF(r);
    return 0;
}

/* p.getter(f), p.setter(f), p.deleter(f): a copy with one accessor
   replaced (the decorator chain `@x.setter`). A doc that came from the old
   getter is taken from the new one. */
static Object *property_copy_with(Object *self, const char *fname, Object *const *args,
                                  size_t nargs, Object *kwnames, int which) {
    if (args_check(fname, nargs, kwnames, 1, 1) < 0) return NULL;
    PropertyObject *p = PROP(self);
    Object *parts[3] = {p->fget, p->fset, p->fdel};
    parts[which] = none_to_null(args[0]);
    Object *doc = p->doc;
    if (which == 0 && doc) {
        Object *old = property_doc_from(p->fget);
        if (!old && error_occurred()) return NULL;
        if (old == doc) doc = NULL;
        XDECREF(old);
    }
    return property_make(parts[0], parts[1], parts[2], doc, p->name);
}

static Object *property_getter_method(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    return property_copy_with(self, "property.getter", args, nargs, kwnames, 0);
}

static Object *property_setter_method(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    return property_copy_with(self, "property.setter", args, nargs, kwnames, 1);
}

static Object *property_deleter_method(Object *self, Object *const *args, size_t nargs,
                                       Object *kwnames) {
    return property_copy_with(self, "property.deleter", args, nargs, kwnames, 2);
}

/* Called by class creation: the name used in error messages. */
static Object *property_set_name_method(Object *self, Object *const *args, size_t nargs,
                                        Object *kwnames) {
    if (args_check("__set_name__", nargs, kwnames, 2, 2) < 0) return NULL;
    Object *name = args[1];
    XINCREF(name);
    SETREF(&PROP(self)->name, name);
    return NEWREF(None);
}

static Object *property_getattr(Object *self, Object *name) {
    PropertyObject *p = PROP(self);
    const char *s = str_data(name);
    if (strcmp(s, "fget") == 0) return NEWREF(null_to_none(p->fget));
    if (strcmp(s, "fset") == 0) return NEWREF(null_to_none(p->fset));
    if (strcmp(s, "fdel") == 0) return NEWREF(null_to_none(p->fdel));
    if (strcmp(s, "__doc__") == 0) return NEWREF(null_to_none(p->doc));
    return object_generic_getattr(self, name);
}

static int property_setattr(Object *self, Object *name, Object *value) {
    const char *s = str_data(name);
    if (strcmp(s, "__doc__") == 0) {
        SETREF(&PROP(self)->doc, value && value != None ? NEWREF(value) : NULL);
        return 0;
    }
    if (strcmp(s, "fget") == 0 || strcmp(s, "fset") == 0 || strcmp(s, "fdel") == 0) {
        error_set(&exc_AttributeError, "readonly attribute");
        return -1;
    }
    return object_generic_setattr(self, name, value);
}

static const MethodDef property_methods[] = {
    {"getter", property_getter_method, "Descriptor to obtain a copy of the property with a different getter."},
    {"setter", property_setter_method, "Descriptor to obtain a copy of the property with a different setter."},
    {"deleter", property_deleter_method, "Descriptor to obtain a copy of the property with a different deleter."},
    {"__set_name__", property_set_name_method, "Method to set name of a property."},
    {NULL, NULL, NULL},
};

static int property_traverse(Object *self, VisitFunc visit, void *arg) {
    PropertyObject *o = (PropertyObject *)self;
    VISIT(o->fget);
    VISIT(o->fset);
    VISIT(o->fdel);
    VISIT(o->doc);
    VISIT(o->name);
    return 0;
}

static int property_clear(Object *self) {
    PropertyObject *o = (PropertyObject *)self;
    CLEAR(&o->fget);
    CLEAR(&o->fset);
    CLEAR(&o->fdel);
    CLEAR(&o->doc);
    return 0;
}

Type property_type = {
    TYPE_HEAD_INIT,
    .flags = TYPE_BASE_IN_CPYTHON | TYPE_GC,
    .name = "property",
    .base_type = &object_type,
    .instance_size = sizeof(PropertyObject),
    .methods = property_methods,
    .dealloc = property_dealloc,
    .hash = object_identity_hash,
    .construct = property_construct,
    .getattr = property_getattr,
    .setattr = property_setattr,
    .descr_get = property_descr_get,
    .descr_set = property_descr_set,
    .traverse = property_traverse,
    .clear = property_clear,
};

/* ---- staticmethod and classmethod ------------------------------------------ */

static Object *wrapper_new(Type *type, Object *callable) {
    WrapperDescrObject *w = (WrapperDescrObject *)object_alloc(type, sizeof(WrapperDescrObject));
    if (!w) return NULL;
    w->callable = NEWREF(callable);
    return (Object *)w;
}

Object *descr_staticmethod_new(Object *callable) { return wrapper_new(&staticmethod_type, callable); }
Object *descr_classmethod_new(Object *callable) { return wrapper_new(&classmethod_type, callable); }

static bool no_keywords(Object *kwnames) { return !kwnames || tuple_size(kwnames) == 0; }

static Object *wrapper_construct(Type *type, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    if (!no_keywords(kwnames))
        return error_set(&exc_TypeError, "%s() takes no keyword arguments", type->name);
    if (nargs != 1)
        return error_set(&exc_TypeError, "%s expected 1 argument, got %zu", type->name, nargs);
    return wrapper_new(type, args[0]);
}

static void wrapper_dealloc(Object *self) {
    DECREF(WRAP(self)->callable);
    XDECREF(WRAP(self)->dict);
    object_free(self, sizeof(WrapperDescrObject));
}

/* <staticmethod(<function f at 0x...>)> */
static Object *wrapper_repr(Object *self) {
    Object *inner = object_repr(WRAP(self)->callable);
    if (!inner) return NULL;
    Object *r = str_from_format("<%s(%s)>", TYPE_NAME(self), str_data(inner));
    DECREF(inner);
    return r;
}

/* __func__ and __wrapped__ are the callable; __name__, __qualname__, __doc__
   and __module__ are the callable's, as functools.wraps would copy them. */
static Object *wrapper_getattr(Object *self, Object *name) {
    const char *s = str_data(name);
    if (strcmp(s, "__func__") == 0 || strcmp(s, "__wrapped__") == 0)
        return NEWREF(WRAP(self)->callable);
    Object *dict = WRAP(self)->dict;
    Object *v = dict ? dict_get_str(dict, name) : NULL;
    if (v) return NEWREF(v);
    if (strcmp(s, "__name__") == 0 || strcmp(s, "__qualname__") == 0 ||
        strcmp(s, "__doc__") == 0 || strcmp(s, "__module__") == 0)
        return object_getattr(WRAP(self)->callable, name);
    return object_generic_getattr(self, name);
}

static Object *staticmethod_descr_get(Object *self, Object *obj, Type *type) {
    (void)obj;
    (void)type;
    return NEWREF(WRAP(self)->callable);
}

/* Static methods are callable themselves (Python 3.10 and later). */
static Object *staticmethod_call(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    return object_call(WRAP(self)->callable, args, nargs, kwnames);
}

static Object *classmethod_descr_get(Object *self, Object *obj, Type *type) {
    if (!type) type = TYPE(obj);
    return method_new(WRAP(self)->callable, (Object *)type);
}

static int wrapper_descr_traverse(Object *self, VisitFunc visit, void *arg) {
    WrapperDescrObject *o = (WrapperDescrObject *)self;
    VISIT(o->callable);
    VISIT(o->dict);
    return 0;
}

/* The wrapped callable stays: a cycle through it runs through its own
   container (a function's globals, a dict) too. */
static int wrapper_descr_clear(Object *self) {
    WrapperDescrObject *o = (WrapperDescrObject *)self;
    CLEAR(&o->dict);
    return 0;
}

Type staticmethod_type = {
    TYPE_HEAD_INIT,
    .flags = TYPE_BASE_IN_CPYTHON | TYPE_GC,
    .name = "staticmethod",
    .base_type = &object_type,
    .instance_size = sizeof(WrapperDescrObject),
    .dict_offset = offsetof(WrapperDescrObject, dict),
    .dealloc = wrapper_dealloc,
    .repr = wrapper_repr,
    .hash = object_identity_hash,
    .call = staticmethod_call,
    .construct = wrapper_construct,
    .getattr = wrapper_getattr,
    .descr_get = staticmethod_descr_get,
    .traverse = wrapper_descr_traverse,
    .clear = wrapper_descr_clear,
};



Type classmethod_type = {
    TYPE_HEAD_INIT,
    .flags = TYPE_BASE_IN_CPYTHON | TYPE_GC,
    .name = "classmethod",
    .base_type = &object_type,
    .instance_size = sizeof(WrapperDescrObject),
    .dict_offset = offsetof(WrapperDescrObject, dict),
    .dealloc = wrapper_dealloc,
    .repr = wrapper_repr,
    .hash = object_identity_hash,
    .construct = wrapper_construct,
    .getattr = wrapper_getattr,
    .descr_get = classmethod_descr_get,
    .traverse = wrapper_descr_traverse,
    .clear = wrapper_descr_clear,
};

/* ---- member_descriptor (__slots__) ------------------------------------------ */

Object *descr_member_new(Type *owner, Object *name, ptrdiff_t offset) {
    MemberDescrObject *m = (MemberDescrObject *)object_alloc(&member_descr_type,
                                                             sizeof(MemberDescrObject));
    if (!m) return NULL;
    m->name = NEWREF(name);
    m->owner = owner;
    m->offset = offset;
    return (Object *)m;
}

static void member_dealloc(Object *self) {
    DECREF(MEMBER(self)->name);
    object_free(self, sizeof(MemberDescrObject));
}

static Object *member_repr(Object *self) {
    return str_from_format("<member '%s' of '%s' objects>", str_data(MEMBER(self)->name),
                           MEMBER(self)->owner->name);
}

/* The instance's field for this member, after checking obj's class. */
static Object **member_field(Object *self, Object *obj) {
    MemberDescrObject *m = MEMBER(self);
    if (!is_instance_of(obj, m->owner)) {
        error_set(&exc_TypeError, "descriptor '%s' for '%s' objects doesn't apply to a '%s' object",
                  str_data(m->name), m->owner->name, TYPE_NAME(obj));
        return NULL;
    }
    return (Object **)((char *)obj + m->offset);
}

/* A slot's field is read and written under the instance's lock (a no-code
   hold: only the pointer and a reference), the old value released after
   unlocking. In toy-ft threads may share the instance (an itertools
   iterator written in Toy): a reader takes its reference before a writer
   can release the value, and two writers never release one value twice. */
static Object *member_descr_get(Object *self, Object *obj, Type *type) {
    (void)type;
    if (!obj) return NEWREF(self);
    Object **field = member_field(self, obj);
    if (!field) return NULL;
    objlock_lock_nocode(obj);
    Object *value = *field;
    XINCREF(value);
    objlock_unlock_nocode(obj);
    if (!value)
        return error_set(&exc_AttributeError, "'%s' object has no attribute '%s'", TYPE_NAME(obj),
                         str_data(MEMBER(self)->name));
    return value;
}

static int member_descr_set(Object *self, Object *obj, Object *value) {
    Object **field = member_field(self, obj);
    if (!field) return -1;
    XINCREF(value);
    objlock_lock_nocode(obj);
    Object *old = *field;
    if (value || old) *field = value;
    objlock_unlock_nocode(obj);
    if (!value && !old) {
        error_set(&exc_AttributeError, "%s", str_data(MEMBER(self)->name));
        return -1;
    }
    XDECREF(old);
    return 0;
}

static Object *member_getattr(Object *self, Object *name) {
    if (strcmp(str_data(name), "__name__") == 0) return NEWREF(MEMBER(self)->name);
    return object_generic_getattr(self, name);
}

Type member_descr_type = {
    TYPE_HEAD_INIT,
    .name = "member_descriptor",
    .base_type = &object_type,
    .instance_size = sizeof(MemberDescrObject),
    .dealloc = member_dealloc,
    .repr = member_repr,
    .hash = object_identity_hash,
    .getattr = member_getattr,
    .descr_get = member_descr_get,
    .descr_set = member_descr_set,
};
