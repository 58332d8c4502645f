/* bisectmodule.h - the _bisect module (bisectmodule.c), which
 * runtime/lib/bisect.toy re-exports as bisect. */
#ifndef TOY_BISECTMODULE_H
#define TOY_BISECTMODULE_H

#include "core/object.h"

/* A new _bisect module. */
Object *bisect_module_init(void);

#endif
