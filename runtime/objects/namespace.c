/* namespace.c - simple namespaces (see namespace.h). */
#include "objects/namespace.h"

#include <stddef.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/list.h"
#include "objects/str.h"
#include "objects/tuple.h"

static Object *namespace_alloc(Type *type) {
    NamespaceObject *ns = (NamespaceObject *)object_alloc(type, sizeof(NamespaceObject));
    if (!ns) return NULL;
    ns->dict = dict_new();
    if (!ns->dict) {
        DECREF(ns);
        return NULL;
    }
    return (Object *)ns;
}

Object *namespace_new(Object *attrs) {
    Object *ns = namespace_alloc(&namespace_type);
    if (ns && attrs && dict_update(((NamespaceObject *)ns)->dict, attrs) < 0) CLEAR(&ns);
    return ns;
}

/* SimpleNamespace(**kwargs) */
static Object *namespace_construct(Type *type, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    if (nargs > 0) return error_set(&exc_TypeError, "no positional arguments expected");
    Object *ns = namespace_alloc(type);
    if (!ns) return NULL;
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    for (size_t i = 0; i < nkw; i++) {
        if (dict_set_item(((NamespaceObject *)ns)->dict, tuple_item(kwnames, i), args[i]) < 0) {
            DECREF(ns);
            return NULL;
        }
    }
    return ns;
}

static void namespace_dealloc(Object *self) {
    NamespaceObject *ns = (NamespaceObject *)self;
    XDECREF(ns->dict);
    object_free(self, sizeof(NamespaceObject));
}

/* namespace(a=1, b='x'), in the dict's order; namespace(...) inside itself. */
static Object *namespace_repr(Object *self) {
    int seen = list_repr_enter(self);
    if (seen != 0) return seen > 0 ? str_from_cstr("namespace(...)") : NULL;
    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_cstr(&b, "namespace(");
    Object *dict = ((NamespaceObject *)self)->dict, *key, *value;
    size_t pos = 0;
    bool first = true, failed = false;
    /* New references: the value's repr, or another thread, may change
       the dict. */
    while (!failed && dict_next_ref(dict, &pos, &key, &value)) {
        if (!is_str(key)) {
            DECREF(key);
            DECREF(value);
            continue;
        }
        Object *r = object_repr(value);
        DECREF(value);
        if (r) {
            if (!first) str_builder_add(&b, ", ", 2);
            first = false;
            str_builder_add_str(&b, key);
            str_builder_add_char(&b, '=');
            str_builder_add_str(&b, r);
            DECREF(r);
        }
        DECREF(key);
        failed = r == NULL;
    }
    list_repr_leave(self);
    if (failed) {
        str_builder_discard(&b);
        return NULL;
    }
    str_builder_add_char(&b, ')');
    return str_builder_finish(&b);
}

static Object *namespace_richcompare(Object *a, Object *b, int op) {
    if ((op != CMP_EQ && op != CMP_NE) || !is_instance_of(a, &namespace_type) ||
        !is_instance_of(b, &namespace_type))
        return NEWREF(NotImplemented);
    return object_compare(((NamespaceObject *)a)->dict, ((NamespaceObject *)b)->dict,
                          (CompareOp)op);
}

static int namespace_traverse(Object *self, VisitFunc visit, void *arg) {
    NamespaceObject *o = (NamespaceObject *)self;
    VISIT(o->dict);
    return 0;
}

static int namespace_clear(Object *self) {
    NamespaceObject *o = (NamespaceObject *)self;
    if (o->dict) dict_clear(o->dict);
    return 0;
}

Type namespace_type = {
    TYPE_HEAD_INIT,
    .name = "types.SimpleNamespace",
    .base_type = &object_type,
    .flags = TYPE_GC,
    .instance_size = sizeof(NamespaceObject),
    .dict_offset = offsetof(NamespaceObject, dict),
    .construct = namespace_construct,
    .dealloc = namespace_dealloc,
    .repr = namespace_repr,
    .richcompare = namespace_richcompare,
    .traverse = namespace_traverse,
    .clear = namespace_clear,
};
