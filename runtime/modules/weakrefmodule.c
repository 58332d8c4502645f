/* weakrefmodule.c - the _weakref module: ref and the proxy types
 * (objects/weakref.h), proxy(), getweakrefcount() and getweakrefs().
 */
#include "modules/weakrefmodule.h"

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/tuple.h"
#include "objects/weakref.h"

/* proxy(object, callback=None) */
static Object *weakref_proxy_function(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    (void)self;
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "_weakref.proxy() takes no keyword arguments");
    if (args_check("proxy", nargs, NULL, 1, 2) < 0) return NULL;
    return weakref_proxy_new(args[0], nargs > 1 ? args[1] : NULL);
}

static Object *getweakrefcount_function(Object *self, Object *const *args, size_t nargs,
                                        Object *kwnames) {
    (void)self;
    if (args_check("_weakref.getweakrefcount", nargs, kwnames, 1, 1) < 0) return NULL;
    return int_from_i64((int64_t)weakref_count(args[0]));
}

static Object *getweakrefs_function(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self;
    if (args_check("_weakref.getweakrefs", nargs, kwnames, 1, 1) < 0) return NULL;
    return weakref_list(args[0]);
}

/* _remove_dead_weakref(dict, key): del dict[key] if it is a dead weak
   reference, as one step: a WeakValueDictionary's callbacks, which other
   threads' stores to the same key may race (the key may hold a new, live
   reference by then, or be gone). */
static Object *remove_dead_weakref_function(Object *self, Object *const *args, size_t nargs,
                                            Object *kwnames) {
    (void)self;
    if (args_check("_remove_dead_weakref", nargs, kwnames, 2, 2) < 0) return NULL;
    if (!is_dict(args[0]))
        return error_set(&exc_TypeError, "_remove_dead_weakref() argument 1 must be dict, not %s",
                         TYPE_NAME(args[0]));
    Object *v = dict_get_item_ref(args[0], args[1]);
    if (!v) return error_occurred() ? NULL : NEWREF(None);
    int r = 0;
    if (!type_is_subtype(TYPE(v), &weakref_type)) {
        error_set(&exc_TypeError, "not a weakref");
        r = -1;
    } else {
        Object *referent = weakref_get_new(v);
        if (referent) DECREF(referent);
        else r = dict_del_item_if_is(args[0], args[1], v);
    }
    DECREF(v);
    return r < 0 ? NULL : NEWREF(None);
}

static const MethodDef weakref_functions[] = {
    {"_remove_dead_weakref", remove_dead_weakref_function,
     "Atomically remove key from dict if it points to a dead weakref."},
    {"proxy", weakref_proxy_function,
     "Create a proxy object that weakly references 'object'."},
    {"getweakrefcount", getweakrefcount_function,
     "Return the number of weak references to 'object'."},
    {"getweakrefs", getweakrefs_function,
     "Return a list of all weak reference objects pointing to 'object'."},
    {NULL, NULL, NULL},
};

Object *weakref_module_init(void) {
    for (Type *const *t = weakref_types; *t; t++)
        if (type_ready(*t) < 0) return NULL;
    Object *m = module_new("_weakref");
    if (!m) return NULL;
    if (module_add_functions(m, weakref_functions) < 0 ||
        module_add_object(m, "ref", (Object *)&weakref_type) < 0 ||
        module_add_object(m, "ReferenceType", (Object *)&weakref_type) < 0 ||
        module_add_object(m, "ProxyType", (Object *)&weakproxy_type) < 0 ||
        module_add_object(m, "CallableProxyType", (Object *)&weakcallableproxy_type) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
