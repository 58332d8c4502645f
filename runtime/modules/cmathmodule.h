/* cmathmodule.h - the cmath module: mathematical functions of complex
 * numbers (cmathmodule.c). */
#ifndef TOY_CMATHMODULE_H
#define TOY_CMATHMODULE_H

#include "core/object.h"

Object *cmath_module_init(void);

#endif
