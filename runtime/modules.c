/* modules.c - the table of built-in modules that `import` can create.
 *
 * module_import (module.c) looks a name up here when it is not yet in
 * interp.modules, calls the init function once, and caches the module. Each
 * init function returns a new module object.
 */
#include "module.h"
#include "builtins.h"
#include "nativemodule.h"
#include "process.h"
#include "thread.h"
#include "../interp/frozen.h"

const BuiltinModuleDef builtin_modules[] = {
    {"builtins", builtins_module_init},
    {"sys", sys_module_init},
    {"time", time_module_init},
    {"os", os_module_init},
    {"_thread", thread_module_init},
    {"threading", frozen_threading_init},
    {"queue", frozen_queue_init},
    {"native", native_module_init},
    {"_multiprocessing", mp_module_init},
    {"multiprocessing", frozen_multiprocessing_init},
    {"signal", signal_module_init},
    {NULL, NULL},
};
