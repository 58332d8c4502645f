/* gcmodule.h - the `gc` module (gcmodule.c). */
#ifndef TOY_GCMODULE_H
#define TOY_GCMODULE_H

#include "core/object.h"

Object *gc_module_init(void);

#endif
