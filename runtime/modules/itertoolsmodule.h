/* itertoolsmodule.h - the _itertools module (itertoolsmodule.c): the loops
 * of the combinatoric iterators of runtime/lib/itertools.toy. */
#ifndef TOY_ITERTOOLSMODULE_H
#define TOY_ITERTOOLSMODULE_H

#include "core/object.h"

/* The iterator type the module's functions return. */
extern Type combinatoric_type;

/* A new _itertools module. */
Object *itertools_module_init(void);

#endif
