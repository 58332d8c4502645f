/* atexitmodule.h - the atexit module (atexitmodule.c): functions to call
 * when the program ends. */
#ifndef TOY_ATEXITMODULE_H
#define TOY_ATEXITMODULE_H

#include "core/object.h"

/* A new atexit module. */
Object *atexit_module_init(void);

/* At exit, after the non-daemon threads have finished and before the
   modules are finalized: call the registered functions, last registered
   first, if the program imported atexit. An exception one raises is
   reported as "Exception ignored in atexit callback: <repr>" with its
   traceback, and the others still run. */
void atexit_run_at_exit(void);

#endif
