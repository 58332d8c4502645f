/* module.h - module objects.
 *
 * A module is a namespace dict with __name__. Finding and creating modules
 * is interp/import.c's work.
 */
#ifndef TOY_MODULE_H
#define TOY_MODULE_H

#include "core/object.h"

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

#endif
