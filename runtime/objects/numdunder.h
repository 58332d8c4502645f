/* numdunder.h - the rounding and divmod special methods of int and float:
 * __ceil__, __floor__, __trunc__, __round__, __divmod__, __rdivmod__ and
 * __getnewargs__ (and __format__, shared), which math.ceil/floor/trunc, round() and divmod() reach
 * through their fast paths and which these methods expose by name (so that
 * `(5).__floor__()` and `float.__round__(x, 1)` work and dir() lists them).
 * int.c and float.c put them in their method tables. Each is a CFunction
 * (core/object.h) whose self is an int (or bool) / a float.
 */
#ifndef TOY_NUMDUNDER_H
#define TOY_NUMDUNDER_H

#include "core/object.h"

Object *numdunder_int_ceil(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_int_floor(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_int_trunc(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_int_round(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_int_divmod(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_int_rdivmod(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_int_getnewargs(Object *self, Object *const *args, size_t nargs, Object *kwnames);

Object *numdunder_format(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_float_ceil(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_float_floor(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_float_trunc(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_float_round(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_float_divmod(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *numdunder_float_rdivmod(Object *self, Object *const *args, size_t nargs, Object *kwnames);
/* float.as_integer_ratio(). */
Object *numdunder_float_as_integer_ratio(Object *self, Object *const *args, size_t nargs,
                                         Object *kwnames);
Object *numdunder_float_getnewargs(Object *self, Object *const *args, size_t nargs, Object *kwnames);

#endif
