/* dir.h - the names dir() lists.
 *
 * dir(obj) calls __dir__ as found on obj's type (never on obj itself) and
 * returns its result as a sorted list, as CPython does. The default
 * __dir__ methods are here too, installed by their types:
 *   object.__dir__  the instance's __dict__ keys, then every name that its
 *                   class and the classes it inherits from define;
 *   type.__dir__    the names a class and the classes it inherits from
 *                   define (not its metaclass's);
 *   module.__dir__  the module's __dict__ keys, or what a __dir__ function
 *                   defined in the module returns.
 * A built-in type lists what its dict holds: its methods, and the dunders
 * that Toy exposes there.
 */
#ifndef TOY_DIR_H
#define TOY_DIR_H

#include "core/object.h"

/* dir(obj): a new sorted list, or NULL. */
Object *dir_of(Object *obj);

/* The default __dir__ methods: new lists in no particular order. */
Object *dir_object_default(Object *self);
Object *dir_type_default(Type *t);
Object *dir_module_default(Object *module);

/* The keys of a namespace dict as a sorted list (dir() with no argument). */
Object *dir_sorted_keys(Object *dict);

#endif
