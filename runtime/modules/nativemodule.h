/* nativemodule.h - the `native` module (nativemodule.c): C code that
 * releases the GIL while it computes. */
#ifndef TOY_NATIVEMODULE_H
#define TOY_NATIVEMODULE_H

#include "core/object.h"

/* Module init for `native` (modules.c). */
Object *native_module_init(void);

#endif
