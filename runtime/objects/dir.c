/* dir.c - dir() and the default __dir__ methods (see dir.h).
 *
 * Names are gathered as the keys of a scratch dict, which drops the
 * duplicates a name defined in a class and again in its base would make,
 * and keeps the cost linear in the number of names.
 */
#include "objects/dir.h"

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/function.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/str.h"

/* Add the names defined by t and by every class of its MRO to the keys of
   names. */
static int dir_add_class_names(Object *names, Type *t) {
    for (size_t i = 0; i < t->mro_len; i++)
        if (t->mro[i]->dict && dict_update(names, t->mro[i]->dict) < 0) return -1;
    return 0;
}

Object *dir_object_default(Object *self) {
    Object *names = dict_new();
    if (!names) return NULL;
    /* The instance's own attributes, through getattr as CPython does: a
       type without a __dict__ simply has none to add. */
    Object *d = object_getattr_cstr(self, "__dict__");
    if (!d) error_clear();
    int r = d && is_dict(d) ? dict_update(names, d) : 0;
    XDECREF(d);
    if (r < 0 || dir_add_class_names(names, TYPE(self)) < 0) {
        DECREF(names);
        return NULL;
    }
    Object *list = dict_keys_list(names);
    DECREF(names);
    return list;
}

Object *dir_type_default(Type *t) {
    Object *names = dict_new();
    if (!names) return NULL;
    Object *list = dir_add_class_names(names, t) < 0 ? NULL : dict_keys_list(names);
    DECREF(names);
    return list;
}

Object *dir_module_default(Object *module) {
    Object *d = module_dict(module);
    Object *func = dict_get_item_cstr(d, "__dir__");
    if (func) {
        INCREF(func); /* the call may remove it from the module */
        Object *r = object_call(func, NULL, 0, NULL);
        DECREF(func);
        return r;
    }
    return error_occurred() ? NULL : dict_keys_list(d);
}

Object *dir_sorted_keys(Object *dict) {
    Object *list = dict_keys_list(dict);
    if (list && list_sort(list, NULL, false) < 0) CLEAR(&list);
    return list;
}

/* type(obj).__dir__(obj): what the type holds is bound to obj as a method
   would be (functions and built-in methods take obj first; other
   descriptors through their __get__). */
static Object *dir_call(Object *func, Object *obj) {
    if (is_type(func, &function_type) || is_type(func, &method_descr_type))
        return object_call(func, &obj, 1, NULL);
    DescrGetFunc get = TYPE(func)->descr_get;
    Object *bound = get ? get(func, obj, TYPE(obj)) : NEWREF(func);
    if (!bound) return NULL;
    Object *r = object_call(bound, NULL, 0, NULL);
    DECREF(bound);
    return r;
}

Object *dir_of(Object *obj) {
    Object *func = type_lookup_cstr(TYPE(obj), "__dir__");
    if (!func) {
        if (!error_occurred()) error_set(&exc_TypeError, "object does not provide __dir__");
        return NULL;
    }
    INCREF(func); /* __dir__ may run code that removes it from the class */
    Object *r = dir_call(func, obj);
    DECREF(func);
    if (!r) return NULL;
    Object *list = list_from_iterable(r);
    DECREF(r);
    if (list && list_sort(list, NULL, false) < 0) CLEAR(&list);
    return list;
}
