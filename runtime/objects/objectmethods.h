/* objectmethods.h - methods every object inherits from `object` beyond
 * construction and attribute access (object.c): __format__, __sizeof__,
 * __getstate__ and the class method __subclasshook__.
 *
 *   __format__(spec)  str(self) for an empty spec; any other spec raises
 *                     CPython's "unsupported format string passed to
 *                     T.__format__" (int, float and str have their own);
 *   __sizeof__()      the bytes the object occupies in Toy (object_sizeof);
 *   __getstate__()    CPython 3.11's default state: the instance dict when
 *                     it is not empty, else None; with __slots__ values set,
 *                     the pair (dict or None, {slot: value});
 *   __subclasshook__  returns NotImplemented (no abstract base classes).
 */
#ifndef TOY_OBJECTMETHODS_H
#define TOY_OBJECTMETHODS_H

#include <stddef.h>

#include "core/object.h"

/* Entries for object's method table (object.c splices them in). */
Object *objectmethods_format(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *objectmethods_sizeof(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *objectmethods_getstate(Object *self, Object *const *args, size_t nargs, Object *kwnames);

/* object.__subclasshook__, installed as a class method like __init_subclass__. */
extern const MethodDef objectmethods_subclasshook_def;

/* The bytes o occupies in Toy: its struct and the blocks it owns (a list's
   item array, a dict's tables, a big int's digits, a str's text). Not what
   CPython reports: the layouts differ. sys.getsizeof and __sizeof__ use it. */
size_t object_sizeof(Object *o);

#endif
