/* builtins.h - the builtins module: print, len, range, ... and the
 * interpreter's start-up and teardown of shared state. */
#ifndef TOY_BUILTINS_H
#define TOY_BUILTINS_H

#include "object.h"

/* Create interp.builtins (the dict): built-in functions, types, exceptions. */
int builtins_init(void);

/* Module init functions, listed in modules.c's table. */
Object *sys_module_init(void);
Object *time_module_init(void);
Object *os_module_init(void);

/* sys.argv contents, set by main before running. Borrowed strings. */
void sys_set_argv(int argc, char **argv);

/* Write s to stdout (print's path; one place to add buffering/GIL release). */
int builtins_write_stdout(const char *s, size_t len);

#endif
