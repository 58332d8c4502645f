/* import.h - the import system (import.c): where `import name` finds a
 * module (C modules, the Toy modules built in, then the folders of
 * sys.path), the cache of those already imported (interp.modules, which is
 * sys.modules), and what the three import instructions do. */
#ifndef TOY_IMPORT_H
#define TOY_IMPORT_H

#include "core/object.h"

/* IMPORT_NAME: `import name` (fromlist None: returns the top-level package
   of a dotted name, as `import a.b.c` binds `a`) or `from name import ...`
   (fromlist: the tuple of names; returns the module itself, and imports
   those names that are submodules of a package). level > 0: a relative
   name, resolved against globals' __package__ / __name__. A new reference,
   or NULL with ModuleNotFoundError, ImportError or what a body raised. */
Object *import_name(Object *name, Object *globals, Object *fromlist, Object *level);

/* An absolute `import name` (no fromlist): the top-level module. */
Object *module_import(Object *name);

/* IMPORT_FROM: module.name, else the submodule sys.modules['module.name'],
   else ImportError "cannot import name ...". New reference. */
Object *import_name_from(Object *module, Object *name);

/* IMPORT_STAR: `from module import *` into the namespace dict ns. 0 / -1. */
int import_star(Object *module, Object *ns);

/* At start-up: the main module's __package__ (None) and __file__, and
   sys.path[0]. path: the script ("-" for stdin), or NULL for -c and the
   REPL. 0 / -1. */
int import_init_main(Object *main_module, const char *path);

/* At exit, after the modules in sys.modules are cleared: clear the
   namespaces of the modules imported and since dropped from sys.modules. */
void import_fini(void);

#endif
