/* frozen.h - modules written in Toy itself (runtime/lib/NAME.toy), compiled
 * into the binary by scripts/build/embed.sh; import.c runs them on first
 * import like any module.
 *
 * A folder under runtime/lib/ with an __init__.toy is a package: its
 * __init__.toy is the module named after the folder (is_package set) and
 * the files beside it are its submodules, named with dots
 * (runtime/lib/concurrent/futures/thread.toy is concurrent.futures.thread).
 * The table holds every module by its full dotted name. */
#ifndef TOY_FROZEN_H
#define TOY_FROZEN_H

#include <stdbool.h>
#include <stddef.h>
#include "core/object.h"

typedef struct {
    const char *name;   /* full dotted name: "concurrent.futures._base" */
    const char *source;
    size_t length;
    bool is_package;    /* from a folder's __init__.toy */
} FrozenModule;

extern const FrozenModule frozen_modules[]; /* generated; ends with {0} */

#endif
