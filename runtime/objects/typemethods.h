/* typemethods.h - methods of `type` beyond mro() and __dir__ (object.c):
 * __subclasses__, __instancecheck__, __subclasscheck__ and the class
 * method __prepare__.
 *
 *   C.__subclasses__()     the classes that name C among their bases
 *                          (class_subclasses);
 *   C.__instancecheck__(x) isinstance(x, C) by the normal rules;
 *   C.__subclasscheck__(D) issubclass(D, C) by the normal rules;
 *   type.__prepare__(...)  a new empty dict, whatever the arguments.
 */
#ifndef TOY_TYPEMETHODS_H
#define TOY_TYPEMETHODS_H

#include <stddef.h>

#include "core/object.h"

Object *typemethods_subclasses(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *typemethods_instancecheck(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *typemethods_subclasscheck(Object *self, Object *const *args, size_t nargs, Object *kwnames);

/* type.__prepare__, installed as a class method once the descriptor types
   are ready (types_init). */
extern const MethodDef typemethods_prepare_def;

#endif
