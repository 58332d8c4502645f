/* objectmethods.c - object's __format__, __sizeof__, __getstate__ and
 * __subclasshook__ (see objectmethods.h). */
#include "objects/objectmethods.h"

#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/descr.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/set.h"
#include "objects/str.h"
#include "objects/tuple.h"

Object *objectmethods_format(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("object.__format__", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!is_str(args[0]))
        return error_set(&exc_TypeError, "__format__() argument must be str, not %s",
                         TYPE_NAME(args[0]));
    if (str_len(args[0]) > 0)
        return error_set(&exc_TypeError, "unsupported format string passed to %s.__format__",
                         TYPE_NAME(self));
    return object_str(self);
}

static size_t sizeof_locked(Object *o) {
    Type *t = TYPE(o);
    if (is_instance_of(o, &str_type)) return sizeof(StrObject) + str_len(o) + 1;
    if (is_instance_of(o, &bytes_type)) return sizeof(BytesObject) + bytes_size(o) + 1;
    if (is_instance_of(o, &tuple_type))
        return sizeof(TupleObject) + tuple_size(o) * sizeof(Object *);
    if (is_instance_of(o, &list_type))
        return sizeof(ListObject) + ((ListObject *)o)->capacity * sizeof(Object *);
    if (is_instance_of(o, &dict_type)) {
        DictObject *d = (DictObject *)o;
        return sizeof(DictObject) + d->index_size * sizeof(int64_t) +
               d->capacity * sizeof(DictEntry);
    }
    if (is_instance_of(o, &set_type) || is_instance_of(o, &frozenset_type)) {
        SetObject *so = (SetObject *)o;
        size_t table = so->table == so->small ? 0 : (so->mask + 1) * sizeof(SetEntry);
        return t->instance_size + table;
    }
    if (is_instance_of(o, &int_type))
        return int_block_size(o) +
               (int_is_big(o) ? (((IntObject *)o)->digits[0] + 1) * sizeof(uint32_t) : 0);
    return t->instance_size;
}

size_t object_sizeof(Object *o) {
    objlock_lock_nocode(o); /* toy-ft: a list's, dict's or set's table may be growing */
    size_t n = sizeof_locked(o);
    objlock_unlock_nocode(o);
    return n;
}

Object *objectmethods_sizeof(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("object.__sizeof__", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64((int64_t)object_sizeof(self));
}

/* Add the __slots__ values set on self to *slots (created on the first),
   class by class along the MRO, each class's in the order it declared
   them. 0 / -1. */
static int getstate_slots(Object *self, Object **slots) {
    Type *t = TYPE(self);
    for (size_t i = 0; i < t->mro_len; i++) {
        Object *d = t->mro[i]->dict, *key, *descr;
        size_t pos = 0;
        while ((t->mro[i]->flags & TYPE_HEAP) && dict_next(d, &pos, &key, &descr)) {
            if (!is_type(descr, &member_descr_type)) continue;
            Object *v = TYPE(descr)->descr_get(descr, self, t);
            if (!v) {
                if (!error_matches(&exc_AttributeError)) return -1;
                error_clear(); /* a slot never set is left out */
                continue;
            }
            if (!*slots && !(*slots = dict_new())) {
                DECREF(v);
                return -1;
            }
            int r = dict_set_item(*slots, key, v);
            DECREF(v);
            if (r < 0) return -1;
        }
    }
    return 0;
}

Object *objectmethods_getstate(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("object.__getstate__", nargs, kwnames, 0, 0) < 0) return NULL;
    Object **dictptr = object_dict_ptr(self);
    Object *dict = dictptr ? instance_dict_load(dictptr) : NULL;
    Object *state = dict && dict_size_locked(dict) > 0 ? dict : None;
    Object *slots = NULL;
    if (getstate_slots(self, &slots) < 0) {
        XDECREF(slots);
        return NULL;
    }
    if (!slots) return NEWREF(state);
    Object *pair = tuple_pack(2, state, slots);
    DECREF(slots);
    return pair;
}

/* object.__subclasshook__(cls, ...): a class method that accepts anything
   and leaves the decision to the normal rules. */
static Object *subclasshook_function(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    (void)self;
    (void)args;
    (void)nargs;
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "__subclasshook__() takes no keyword arguments");
    return NEWREF(NotImplemented);
}

const MethodDef objectmethods_subclasshook_def = {
    "__subclasshook__", subclasshook_function, "Abstract classes can override this to customize issubclass()."};
