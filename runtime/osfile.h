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

#include "object.h"

/* Raise the OSError subclass for errno err, as CPython picks it (ENOENT ->
   FileNotFoundError, EEXIST -> FileExistsError, EACCES/EPERM ->
   PermissionError, EISDIR -> IsADirectoryError, ENOTDIR ->
   NotADirectoryError, EPIPE -> BrokenPipeError, EINTR -> InterruptedError,
   ECHILD -> ChildProcessError, ESRCH -> ProcessLookupError, EAGAIN ->
   BlockingIOError, ETIMEDOUT -> TimeoutError, else OSError), with args
   (errno, strerror) and the attribute filename (borrowed; NULL: None), so
   str(e) is "[Errno 2] No such file or directory: 'x.txt'". Returns NULL. */
Object *error_set_from_errno(int err, Object *filename);
/* The same with a second file name (os.rename): "... : 'a' -> 'b'". */
Object *error_set_from_errno2(int err, Object *filename, Object *filename2);

/* A path argument as a C string: a str or bytes without NUL bytes. The
   pointer is borrowed from o. TypeError "FNAME: path should be string, bytes
   or os.PathLike, not int"; ValueError "embedded null byte". 0 / -1. */
int osfile_path_arg(const char *fname, Object *o, const char **out);

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

#endif
