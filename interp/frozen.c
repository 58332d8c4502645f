/* frozen.c - importing the modules that are written in Toy (lib/). Their
 * code shows in tracebacks as File "<frozen NAME>". */
#include "frozen.h"

#include <stdio.h>
#include <string.h>

#include "../runtime/error.h"
#include "../runtime/exceptions.h"
#include "../runtime/module.h"
#include "../runtime/refcount.h"
#include "compiler.h"
#include "vm.h"

Object *frozen_import(const char *name) {
    const FrozenModule *fm = frozen_modules;
    while (fm->name && strcmp(fm->name, name) != 0) fm++;
    if (!fm->name) return error_set(&exc_ModuleNotFoundError, "No module named '%s'", name);
    char filename[64];
    snprintf(filename, sizeof(filename), "<frozen %s>", name);
    CodeObject *code = compile_source(fm->source, fm->length, filename, PARSE_FILE);
    if (!code) return NULL;
    Object *module = module_new(name);
    Object *result = NULL;
    if (module) {
        Object *globals = module_dict(module);
        result = vm_run_code(code, globals, globals);
    }
    DECREF(code);
    if (!result) {
        XDECREF(module);
        return NULL;
    }
    DECREF(result);
    return module;
}

Object *frozen_threading_init(void) { return frozen_import("threading"); }
Object *frozen_queue_init(void) { return frozen_import("queue"); }
Object *frozen_multiprocessing_init(void) { return frozen_import("multiprocessing"); }
