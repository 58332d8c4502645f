/* module.h - module objects and the import of built-in modules.
 *
 * A module is a namespace dict with __name__. Built-in modules (sys, time,
 * os, ...) are created on first import by their init function and cached in
 * interp.modules, as sys.modules does.
 */
#ifndef TOY_MODULE_H
#define TOY_MODULE_H

#include "object.h"

typedef struct {
    Object base;
    Object *dict;
    Object *name;  /* str */
} ModuleObject;

extern Type module_type;

static inline bool is_module(Object *o) { return o->type == &module_type; }
static inline Object *module_dict(Object *m) { return ((ModuleObject *)m)->dict; }

Object *module_new(const char *name);
/* Add the functions of a NULL-name-terminated MethodDef table to a module. */
int module_add_functions(Object *module, const MethodDef *defs);
int module_add_object(Object *module, const char *name, Object *value /* borrowed */);

/* `import name`: the cached module, or a built-in module created now.
   ModuleNotFoundError "No module named 'x'". */
Object *module_import(Object *name);

/* Built-in module table (modules.c). Each init returns a new module. */
typedef struct {
    const char *name;
    Object *(*init)(void);
} BuiltinModuleDef;
extern const BuiltinModuleDef builtin_modules[]; /* terminated by {NULL, NULL} */

#endif
