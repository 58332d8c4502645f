/* floathex.h - float.hex(), float.fromhex() and float.__getformat__().
 *
 * x.hex() writes [-]0x<d>.<13 hex digits>p<exp> as CPython does.
 * float.fromhex(s) reads that form back (sign, optional 0x, hex digits with
 * an optional point, optional p exponent; inf, infinity and nan in any
 * case; surrounding whitespace), rounding half to even to the nearest
 * double, subnormals included; on a subclass it returns cls(value).
 * float.__getformat__('double' or 'float') says 'IEEE, little-endian'.
 * fromhex and __getformat__ are class methods, installed at start-up.
 */
#ifndef TOY_FLOATHEX_H
#define TOY_FLOATHEX_H

#include <stddef.h>

#include "core/object.h"

Object *floathex_hex(Object *self, Object *const *args, size_t nargs, Object *kwnames);

/* Put the class methods fromhex and __getformat__ into float's dict. 0 / -1. */
int float_install_class_methods(void);

#endif
