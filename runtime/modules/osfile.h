/* osfile.h - the file-system half of the os module (getcwd, listdir, remove,
 * rename, mkdir, ...), os.path, os.environ, and turning a C errno into the
 * OSError subclass Python raises.
 *
 * The os module itself (osmodule.c) merges osfile_functions into its
 * namespace, sets os.environ = osfile_environ() and os.path =
 * ospath_module_init().
 */
#ifndef TOY_OSFILE_H
#define TOY_OSFILE_H

#include "core/object.h"


/* getcwd, listdir, remove, unlink, rename, mkdir, makedirs, rmdir, getenv:
   module functions for the os module (self = the os module; getenv reads
   its `environ` dict). NULL-terminated. */
extern const MethodDef osfile_functions[];

/* A new dict of the process environment, str -> str (os.environ). */
Object *osfile_environ(void);

/* A new module "posixpath" with join, exists, isfile, isdir, basename,
   dirname, split, splitext, getsize, abspath, normpath, isabs and sep: the
   value of os.path. */
Object *ospath_module_init(void);

/* os.path.abspath(path) for a str path: joined to the current directory
   and normalised. New reference. */
Object *osfile_abspath(Object *path);

#endif
