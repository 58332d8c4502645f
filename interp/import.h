/* import.h - the import system (import.c): where `import name` finds a
 * module, and the cache of those already imported (interp.modules, which is
 * sys.modules). */
#ifndef TOY_IMPORT_H
#define TOY_IMPORT_H

#include "core/object.h"

/* `import name` (name may be dotted, "a.b.c": each module of the chain is
   imported, and the top-level one returned, as `import a.b.c` binds `a`).
   A new reference, or NULL with ModuleNotFoundError "No module named 'x'"
   or the exception the module's body raised. */
Object *module_import(Object *name);

#endif
