/* builtins.h - the builtins module: print, len, range, ... and the
 * interpreter's start-up and teardown of shared state. */
#ifndef TOY_BUILTINS_H
#define TOY_BUILTINS_H

#include "core/object.h"
#include "objects/structseq.h"

/* Create interp.builtins (the dict): built-in functions, types, exceptions.
   Call after types_init(); interp.modules may be created before or after. */
int builtins_init(void);
/* Release interp.builtins (and interp.modules, if the caller has not already
   done so) at exit. Call after the module dicts are cleared and before
   types_fini() / str_intern_clear(). */
void builtins_fini(void);

/* Module init functions, listed in modules.c's table. */
Object *sys_module_init(void);
Object *time_module_init(void);
Object *os_module_init(void);
Object *heapq_module_init(void); /* _heapq (heapqmodule.c) */
/* `import builtins`: a module wrapping interp.builtins. */
Object *builtins_module_init(void);

/* The struct sequence types of sys (listed in modules.c's module_types). */
extern StructSeqType sys_version_info_type, sys_float_info_type;

/* sys.argv contents, set by main before running. Borrowed strings: argv must
   stay valid for the whole run (main's argv does). */
void sys_set_argv(int argc, char **argv);
/* sys.path[0] (the script's folder), set by the import system before any
   Toy code runs; borrowed, must stay valid. Unset: '' (the current folder,
   for -c, stdin and the REPL). */
void sys_set_path0(const char *path0);

/* Raise SystemExit(code) (code borrowed; NULL: SystemExit() with no
   arguments, as sys.exit() does). Always returns NULL. */
Object *sys_exit_raise(Object *code);

/* What locals() returns in the running frame: the namespace dict of a
   module or class body itself; for a function, the frame's locals dict,
   refreshed from its variables (a snapshot: storing into it changes no
   variable). New reference. */
Object *builtins_caller_locals(void);

/* Write s to stdout (print's path; one place to add buffering/GIL release). */
int builtins_write_stdout(const char *s, size_t len);

#endif
