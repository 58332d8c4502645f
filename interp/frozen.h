/* frozen.h - modules written in Toy itself (runtime/lib/NAME.toy, and
 * packages: runtime/lib/PKG/__init__.toy and runtime/lib/PKG/NAME.toy),
 * compiled into the binary by scripts/build/embed.sh; import.c runs them on
 * first import like any module. */
#ifndef TOY_FROZEN_H
#define TOY_FROZEN_H

#include <stdbool.h>
#include <stddef.h>
#include "core/object.h"

typedef struct {
    const char *name;
    const char *source;
    size_t length;
    bool is_package;    /* PKG/__init__.toy: its submodules are frozen too */
} FrozenModule;

extern const FrozenModule frozen_modules[]; /* generated; ends with {0} */

#endif
