/* arraymodule.h - the array module (arraymodule.c): array.array, compact
 * sequences of machine numbers. */
#ifndef TOY_ARRAYMODULE_H
#define TOY_ARRAYMODULE_H

#include "core/object.h"

Object *array_module_init(void);
extern Type array_type;          /* array.array */
extern Type array_iterator_type; /* iter(array) */

#endif
