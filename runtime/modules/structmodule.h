/* structmodule.h - the struct module (structmodule.c): packing Python values
 * into C structs held in bytes, and back. */
#ifndef TOY_STRUCTMODULE_H
#define TOY_STRUCTMODULE_H

#include "core/object.h"

Object *struct_module_init(void);
extern Type struct_type;          /* struct.Struct, printed as _struct.Struct */
extern Type unpack_iterator_type; /* what iter_unpack returns */

#endif
