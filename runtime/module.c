/* module.c - module objects and `import` of the built-in modules.
 *
 * A module is a name and a namespace dict (owned). Attribute access reads and
 * writes the dict. Built-in modules (sys, time, os, ...) are created on first
 * import by the init functions of the builtin_modules table (modules.c) and
 * cached in interp.modules, which is what `import` consults first (so a
 * module is created once, like sys.modules in CPython).
 *
 * Teardown: a module's functions refer back to the module (their receiver)
 * and Toy functions to its dict (their globals); main.c clears every module
 * dict at exit to break those cycles.
 */
#include "module.h"

#include <string.h>

#include "abstract.h"
#include "dict.h"
#include "error.h"
#include "exceptions.h"
#include "function.h"
#include "refcount.h"
#include "str.h"
#include "threadstate.h"
#include "tuple.h"

static ModuleObject *as_module(Object *o) { return (ModuleObject *)o; }

Object *module_new(const char *name) {
    ModuleObject *m = (ModuleObject *)object_alloc(&module_type, sizeof(ModuleObject));
    if (!m) return NULL;
    m->name = str_from_cstr(name);
    m->dict = dict_new();
    if (!m->name || !m->dict || dict_set_item_cstr(m->dict, "__name__", m->name) < 0 ||
        dict_set_item_cstr(m->dict, "__doc__", None) < 0) {
        DECREF(m);
        return NULL;
    }
    return (Object *)m;
}

static void module_dealloc(Object *self) {
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

/* <module 'sys' (built-in)>, <module '__main__' from 'x.toy'> */
static Object *module_repr(Object *self) {
    Object *file = dict_get_item_cstr(module_dict(self), "__file__");
    if (!file && error_occurred()) return NULL;
    if (file && is_str(file))
        return str_from_format("<module '%s' from '%s'>", module_name_text(self), str_data(file));
    return str_from_format("<module '%s' (built-in)>", module_name_text(self));
}

Type module_type = {
    TYPE_HEAD_INIT,
    .name = "module",
    .base_type = &object_type,
    .instance_size = sizeof(ModuleObject),
    .dealloc = module_dealloc,
    .repr = module_repr,
    .hash = object_identity_hash,
    .getattr = module_getattr,
    .setattr = module_setattr,
};

/* ModuleNotFoundError("No module named 'x'") with its name attribute set. */
static Object *module_not_found(Object *name) {
    Object *r = object_repr(name);
    if (!r) return NULL;
    Object *msg = str_from_format("No module named %s", str_data(r));
    DECREF(r);
    Object *args = msg ? tuple_pack(1, msg) : NULL;
    XDECREF(msg);
    if (!args) return NULL;
    Object *exc = exception_new(&exc_ModuleNotFoundError, args);
    DECREF(args);
    if (!exc) return NULL;
    Object *key = str_intern_cstr("name");
    if (key && object_setattr(exc, key, name) == 0) error_set_instance(exc);
    XDECREF(key);
    DECREF(exc);
    return NULL;
}

static Object *import_one(Object *name);

/* `import a.b.c` loads a, then a.b, then a.b.c (each a module found in
   sys.modules or as an attribute of its parent) and returns a, the top-level
   module, which is what the statement binds. */
static Object *import_dotted(Object *name) {
    const char *full = str_data(name);
    const char *dot = strchr(full, '.');
    Object *top_name = str_from_utf8(full, (size_t)(dot - full));
    if (!top_name) return NULL;
    Object *top = import_one(top_name);
    DECREF(top_name);
    if (!top) return NULL;
    Object *parent = NEWREF(top);
    while (dot) {
        const char *next = strchr(dot + 1, '.');
        size_t end = next ? (size_t)(next - full) : strlen(full);
        Object *prefix = str_from_utf8(full, end);
        Object *child = prefix ? dict_get_item(interp.modules, prefix) : NULL;
        if (child) {
            INCREF(child);
        } else if (prefix && !error_occurred()) {
            Object *attr = str_from_utf8(dot + 1, end - (size_t)(dot + 1 - full));
            child = attr ? object_getattr(parent, attr) : NULL;
            XDECREF(attr);
            if (!child || !is_module(child)) {
                XDECREF(child);
                error_clear();
                error_set(&exc_ModuleNotFoundError, "No module named '%s'", str_data(prefix));
                child = NULL;
            }
        }
        XDECREF(prefix);
        DECREF(parent);
        if (!child) { DECREF(top); return NULL; }
        parent = child;
        dot = next;
    }
    DECREF(parent);
    return top;
}

Object *module_import(Object *name) {
    if (strchr(str_data(name), '.')) return import_dotted(name);
    return import_one(name);
}

static Object *import_one(Object *name) {
    if (!interp.modules && !(interp.modules = dict_new())) return NULL;
    Object *m = dict_get_item(interp.modules, name);
    if (m) return NEWREF(m);
    if (error_occurred()) return NULL;
    for (const BuiltinModuleDef *def = builtin_modules; def->name; def++) {
        if (strcmp(def->name, str_data(name)) != 0) continue;
        m = def->init();
        if (!m) return NULL;
        if (dict_set_item(interp.modules, name, m) < 0) {
            DECREF(m);
            return NULL;
        }
        return m;
    }
    return module_not_found(name);
}
