/* modules.h - the C modules (one file each in this folder) and the static
 * types they define, as tables the interpreter reads at start-up and on
 * import (modules.c). */
#ifndef TOY_MODULES_H
#define TOY_MODULES_H

#include "core/object.h"

/* A C module that `import` can create. Each init returns a new module. */
typedef struct {
    const char *name;
    Object *(*init)(void);
} BuiltinModuleDef;
extern const BuiltinModuleDef builtin_modules[]; /* terminated by {NULL, NULL} */

/* The static types that belong to C modules (locks, the process types),
   readied at start-up after objects/types.c's object_types[]. */
extern Type *const module_types[]; /* NULL-terminated */

#endif
