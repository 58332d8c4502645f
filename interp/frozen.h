/* frozen.h - modules written in Toy itself (lib/NAME.toy), compiled into the
 * binary by tools/embed.sh and run on first import like any module. */
#ifndef TOY_FROZEN_H
#define TOY_FROZEN_H

#include <stddef.h>
#include "../runtime/object.h"

typedef struct {
    const char *name;
    const char *source;
    size_t length;
} FrozenModule;

extern const FrozenModule frozen_modules[]; /* generated; ends with {0} */

/* Compile and run lib/NAME.toy as a new module. New reference, or NULL with
   an exception set (ModuleNotFoundError if there is no such module). */
Object *frozen_import(const char *name);

/* Init functions for the builtin_modules table. */
Object *frozen_threading_init(void);
Object *frozen_queue_init(void);
Object *frozen_multiprocessing_init(void);

#endif
