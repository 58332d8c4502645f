/* getset.c - getset descriptors (see getset.h). */
#include "objects/getset.h"

#include <assert.h>
#include <string.h>

#include "core/refcount.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/str.h"

Object *getset_descr_new(Type *owner, const GetSetDef *def) {
    Object *name = str_intern_cstr(def->name);
    if (!name) return NULL;
    GetSetDescrObject *d = (GetSetDescrObject *)object_alloc(&getset_descr_type,
                                                             sizeof(GetSetDescrObject));
    if (!d) {
        DECREF(name);
        return NULL;
    }
    d->owner = owner;
    d->def = def;
    d->name = name;
    return (Object *)d;
}

int getset_add_all(Type *t) {
    for (const GetSetDef *g = t->getsets; g && g->name; g++) {
        /* an entry without get relies on the type's own getattr slot */
        assert(g->get || (t->getattr && t->getattr != object_generic_getattr));
        Object *descr = getset_descr_new(t, g);
        if (!descr) return -1;
        int r = dict_add_str(t->dict, ((GetSetDescrObject *)descr)->name, descr);
        DECREF(descr);
        if (r < 0) return -1;
    }
    return 0;
}

static void getset_dealloc(Object *self) {
    DECREF(((GetSetDescrObject *)self)->name);
    object_free(self, sizeof(GetSetDescrObject));
}

/* Through the class (obj NULL): the descriptor itself; through an
   instance: the attribute's value. */
static Object *getset_descr_get(Object *self, Object *obj, Type *type) {
    (void)type;
    GetSetDescrObject *d = (GetSetDescrObject *)self;
    if (!obj) return NEWREF(self);
    if (!is_instance_of(obj, d->owner))
        return error_set(&exc_TypeError, "descriptor '%s' for '%s' objects doesn't apply to a '%s' object",
                         d->def->name, type_name(d->owner), TYPE_NAME(obj));
    if (d->def->get) return d->def->get(obj);
    return d->owner->getattr(obj, d->name);
}

/* obj.NAME = value / del obj.NAME through the descriptor (value NULL).
   An owner with a setattr slot of its own (BaseException, function, type)
   decides there which of its names may be set, with its own messages;
   every other computed attribute is read-only, in CPython's words. */
static int getset_descr_set(Object *self, Object *obj, Object *value) {
    GetSetDescrObject *d = (GetSetDescrObject *)self;
    if (!is_instance_of(obj, d->owner)) {
        error_set(&exc_TypeError, "descriptor '%s' for '%s' objects doesn't apply to a '%s' object",
                  d->def->name, type_name(d->owner), TYPE_NAME(obj));
        return -1;
    }
    SetAttrFunc set = d->owner->setattr;
    if (set && set != object_generic_setattr) return set(obj, d->name, value);
    return getset_read_only(d->owner, d->def);
}

int getset_read_only(Type *owner, const GetSetDef *def) {
    if (def->member)
        error_set(&exc_AttributeError, "readonly attribute");
    else
        error_set(&exc_AttributeError, "attribute '%s' of '%s' objects is not writable",
                  def->name, type_name(owner));
    return -1;
}

static Object *getset_repr(Object *self) {
    GetSetDescrObject *d = (GetSetDescrObject *)self;
    return str_from_format("<%s '%s' of '%s' objects>", d->def->member ? "member" : "attribute",
                           d->def->name, type_name(d->owner));
}

static Object *getset_getattr(Object *self, Object *name) {
    GetSetDescrObject *d = (GetSetDescrObject *)self;
    const char *s = str_data(name);
    if (strcmp(s, "__name__") == 0) return NEWREF(d->name);
    if (strcmp(s, "__qualname__") == 0)
        return str_from_format("%s.%s", type_name(d->owner), d->def->name);
    if (strcmp(s, "__objclass__") == 0) return NEWREF(d->owner);
    return object_generic_getattr(self, name);
}

Type getset_descr_type = {
    TYPE_HEAD_INIT,
    .name = "getset_descriptor",
    .base_type = &object_type,
    .instance_size = sizeof(GetSetDescrObject),
    .dealloc = getset_dealloc,
    .repr = getset_repr,
    .hash = object_identity_hash,
    .getattr = getset_getattr,
    .descr_get = getset_descr_get,
    .descr_set = getset_descr_set,
};
