/* operatormodule.h - the _operator module (operatormodule.c), on which
 * runtime/lib/operator.toy builds the operator module. */
#ifndef TOY_OPERATORMODULE_H
#define TOY_OPERATORMODULE_H

#include "core/object.h"

/* A new _operator module. */
Object *operator_module_init(void);

#endif
