/* atexitmodule.c - the atexit module.
 *
 * The registered calls are (func, args, kwargs) tuples in a list that the
 * module's dict holds under "_exithandlers", so that teardown releases
 * whatever is left there like any other module attribute. Running them
 * takes the list (leaving an empty one) and calls its entries last first;
 * a function registered meanwhile is dropped, as in CPython.
 */
#include "modules/atexitmodule.h"

#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/tuple.h"

/* The module's list of handlers (borrowed), or NULL with an error. */
static Object *handlers_of(Object *module) {
    Object *list = dict_get_item_cstr(module_dict(module), "_exithandlers");
    if (!list && !error_occurred())
        error_set(&exc_RuntimeError, "atexit: the list of handlers is gone");
    return list;
}

/* register(func, *args, **kwargs): returns func. */
static Object *atexit_register(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (nargs < 1)
        return error_set(&exc_TypeError, "register() takes at least 1 argument (0 given)");
    if (!object_callable(args[0]))
        return error_set(&exc_TypeError, "the first argument must be callable");
    Object *list = handlers_of(self);
    if (!list) return NULL;
    Object *pos = tuple_from_array(args + 1, nargs - 1);
    Object *kw = pos ? dict_new() : NULL;
    for (size_t i = 0; kw && kwnames && i < tuple_size(kwnames); i++)
        if (dict_set_item(kw, tuple_item(kwnames, i), args[nargs + i]) < 0) CLEAR(&kw);
    Object *entry = kw ? tuple_pack(3, args[0], pos, kw) : NULL;
    XDECREF(pos);
    XDECREF(kw);
    if (!entry || list_append_steal(list, entry) < 0) return NULL;
    return NEWREF(args[0]);
}

/* unregister(func): drop every registration of a function equal to func. */
static Object *atexit_unregister(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("unregister", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *list = handlers_of(self);
    if (!list) return NULL;
    Object *kept = list_new(0);
    INCREF(list); /* __eq__ may run code */
    for (size_t i = 0; kept && i < list_size(list); i++) {
        Object *entry = NEWREF(list_item(list, i));
        int eq = object_equal(tuple_item(entry, 0), args[0]);
        if (eq < 0 || (!eq && list_append(kept, entry) < 0)) CLEAR(&kept);
        DECREF(entry);
    }
    Object *r = kept ? NEWREF(None) : NULL;
    if (kept && dict_set_item_cstr(module_dict(self), "_exithandlers", kept) < 0) CLEAR(&r);
    XDECREF(kept);
    DECREF(list);
    return r;
}

/* Replace the module's list of handlers with an empty one; the old one
   (a new reference), or NULL with an error. */
static Object *take_handlers(Object *module) {
    Object *list = handlers_of(module);
    Object *empty = list ? list_new(0) : NULL;
    if (!empty) return NULL;
    INCREF(list);
    int rc = dict_set_item_cstr(module_dict(module), "_exithandlers", empty);
    DECREF(empty);
    if (rc < 0) CLEAR(&list);
    return list;
}

/* Call the handlers registered so far, last first; the ones they register
   meanwhile are dropped, as in CPython. */
static void run_handlers(Object *module) {
    Object *list = take_handlers(module);
    for (size_t i = list ? list_size(list) : 0; i-- > 0;) {
        Object *entry = list_item(list, i); /* the list is ours alone */
        Object *func = tuple_item(entry, 0);
        Object *kw = tuple_item(entry, 2);
        Object *r = object_call_tuple(func, tuple_item(entry, 1), dict_size(kw) ? kw : NULL);
        if (r) DECREF(r);
        else error_report_unraisable_as("Exception ignored in atexit callback", func);
    }
    XDECREF(list);
    Object *rest = take_handlers(module);
    XDECREF(rest);
    error_clear();
}

static Object *atexit_run_exitfuncs(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)args;
    if (args_check("_run_exitfuncs", nargs, kwnames, 0, 0) < 0) return NULL;
    run_handlers(self);
    return NEWREF(None);
}

static Object *atexit_clear(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("_clear", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *empty = list_new(0);
    if (!empty) return NULL;
    int rc = dict_set_item_cstr(module_dict(self), "_exithandlers", empty);
    DECREF(empty);
    return rc < 0 ? NULL : NEWREF(None);
}

static Object *atexit_ncallbacks(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)args;
    if (args_check("_ncallbacks", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *list = handlers_of(self);
    return list ? int_from_i64((int64_t)list_size(list)) : NULL;
}

static const MethodDef atexit_functions[] = {
    {"register", atexit_register, "Register a function to be executed upon normal program termination."},
    {"unregister", atexit_unregister, "Unregister an exit function which was previously registered."},
    {"_run_exitfuncs", atexit_run_exitfuncs, "Run all registered exit functions."},
    {"_clear", atexit_clear, "Clear the list of previously registered exit functions."},
    {"_ncallbacks", atexit_ncallbacks, "Return the number of registered exit functions."},
    {NULL, NULL, NULL},
};

Object *atexit_module_init(void) {
    Object *m = module_new("atexit");
    if (!m) return NULL;
    Object *list = list_new(0);
    if (!list || module_add_functions(m, atexit_functions) < 0 ||
        module_add_object(m, "_exithandlers", list) < 0) {
        XDECREF(list);
        DECREF(m);
        return NULL;
    }
    DECREF(list);
    return m;
}

void atexit_run_at_exit(void) {
    Object *mod = interp.modules ? dict_get_item_cstr(interp.modules, "atexit") : NULL;
    if (!mod) {
        error_clear();
        return;
    }
    INCREF(mod);
    run_handlers(mod);
    DECREF(mod);
}
