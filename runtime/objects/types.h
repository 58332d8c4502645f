/* types.h - the list of every static type, readied at start-up in order
 * (a base before its subclasses) and cleared at teardown (types.c). */
#ifndef TOY_TYPES_H
#define TOY_TYPES_H

#include "core/object.h"

extern Type *const object_types[]; /* NULL-terminated */

#endif
