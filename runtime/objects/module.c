/* module.c - module objects.
 *
 * A module is a name and a namespace dict (owned). Attribute access reads and
 * writes the dict; a name the dict lacks goes to the module's own
 * __getattr__(name) when it defines one (PEP 562). Finding and creating modules is the import system's work
 * (interp/import.c).
 *
 * Teardown: a module's functions refer back to the module (their receiver)
 * and Toy functions to its dict (their globals); main.c clears every module
 * dict at exit to break those cycles.
 */
#include "objects/module.h"

#include <string.h>

#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/dir.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/function.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "objects/weakref.h"

static ModuleObject *as_module(Object *o) { return (ModuleObject *)o; }

Object *module_new(const char *name) {
    ModuleObject *m = (ModuleObject *)object_alloc(&module_type, sizeof(ModuleObject));
    if (!m) return NULL;
    m->name = str_from_cstr(name);
    m->dict = dict_new();
    refcount_mark_shared((Object *)m); /* toy-ft: immortal once threads share it */
    if (m->dict) dict_mark_shared(m->dict);
    if (!m->name || !m->dict || dict_set_item_cstr(m->dict, "__name__", m->name) < 0 ||
        dict_set_item_cstr(m->dict, "__doc__", None) < 0) {
        DECREF(m);
        return NULL;
    }
    return (Object *)m;
}

static void module_dealloc(Object *self) {
    weakref_on_dealloc(self);
    ModuleObject *m = as_module(self);
    CLEAR(&m->dict);
    CLEAR(&m->name);
    object_free(self, sizeof(ModuleObject));
}

int module_add_functions(Object *module, const MethodDef *defs) {
    for (const MethodDef *d = defs; d->name; d++) {
        Object *f = builtin_new(d, module);
        if (!f) return -1;
        int r = dict_set_item_cstr(module_dict(module), d->name, f);
        DECREF(f);
        if (r < 0) return -1;
    }
    return 0;
}

int module_add_object(Object *module, const char *name, Object *value) {
    return dict_set_item_cstr(module_dict(module), name, value);
}

/* The module's __name__ as C text, for messages. */
static const char *module_name_text(Object *self) {
    Object *name = dict_get_item_cstr(module_dict(self), "__name__");
    if (!name && error_occurred()) error_clear();
    return name && is_str(name) ? str_data(name) : str_data(as_module(self)->name);
}

static Object *module_getattr(Object *self, Object *name) {
    Object *v = dict_get_str(module_dict(self), name);
    if (v) return NEWREF(v);
    const char *s = str_data(name);
    if (strcmp(s, "__dict__") == 0) return NEWREF(module_dict(self));
    if (strcmp(s, "__class__") == 0) return NEWREF(&module_type);
    /* PEP 562: a module-level __getattr__(name) answers for missing names. */
    Object *hook = dict_get_item_cstr(module_dict(self), "__getattr__");
    if (hook) {
        INCREF(hook); /* the call may replace it in the dict */
        Object *r = object_call1(hook, name);
        DECREF(hook);
        return r;
    }
    if (error_occurred()) return NULL;
    return error_set(&exc_AttributeError, "module '%s' has no attribute '%s'",
                     module_name_text(self), s);
}

static int module_setattr(Object *self, Object *name, Object *value) {
    if (value) return dict_set_item(module_dict(self), name, value);
    int r = dict_del_item(module_dict(self), name, false);
    if (r == 1)
        error_set(&exc_AttributeError, "'module' object has no attribute '%s'", str_data(name));
    return r == 0 ? 0 : -1;
}

/* <module 'sys' (built-in)>, <module '__main__' from 'x.toy'>, <module 'ns' (namespace)> */
static Object *module_repr(Object *self) {
    Object *file = dict_get_item_cstr(module_dict(self), "__file__");
    if (!file && error_occurred()) return NULL;
    if (file && is_str(file))
        return str_from_format("<module '%s' from '%s'>", module_name_text(self), str_data(file));
    if (file == None) /* the import system's namespace packages */
        return str_from_format("<module '%s' (namespace)>", module_name_text(self));
    return str_from_format("<module '%s' (built-in)>", module_name_text(self));
}

static Object *module_dir_method(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)args;
    if (args_check("__dir__", nargs, kwnames, 0, 0) < 0) return NULL;
    return dir_module_default(self);
}

static const MethodDef module_methods[] = {
    {"__dir__", module_dir_method, "Standard dir() implementation for modules."},
    {NULL, NULL, NULL},
};

static int module_traverse(Object *self, VisitFunc visit, void *arg) {
    ModuleObject *o = (ModuleObject *)self;
    VISIT(o->dict);
    VISIT(o->name);
    return 0;
}

/* Empties the dict but keeps it: code holding the module still finds one. */
static int module_clear(Object *self) {
    ModuleObject *o = (ModuleObject *)self;
    if (o->dict) dict_clear(o->dict);
    return 0;
}

Type module_type = {
    TYPE_HEAD_INIT,
    .name = "module",
    .base_type = &object_type,
    .flags = TYPE_GC | TYPE_WEAKREFABLE,
    .instance_size = sizeof(ModuleObject),
    .methods = module_methods,
    .dealloc = module_dealloc,
    .repr = module_repr,
    .hash = object_identity_hash,
    .getattr = module_getattr,
    .setattr = module_setattr,
    .traverse = module_traverse,
    .clear = module_clear,
};
