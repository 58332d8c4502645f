/* descr.h - the built-in descriptor types: property, staticmethod and
 * classmethod.
 *
 * Each wraps callables and implements the descriptor protocol (Type's
 * descr_get, and for property descr_set), which attribute lookup
 * (object_generic_getattr, class attribute lookup) honours. A
 * PropertyObject owns its accessors, its doc and its name (each may be
 * NULL); a staticmethod or classmethod owns the callable it wraps.
 */
#ifndef TOY_DESCR_H
#define TOY_DESCR_H

#include "core/object.h"

typedef struct {
    Object base;
    Object *fget, *fset, *fdel; /* callables, or NULL for None */
    Object *doc;                /* NULL for None */
    Object *name;               /* from __set_name__ (str), or NULL */
} PropertyObject;

typedef struct {
    Object base;
    Object *callable;           /* the wrapped object (any object) */
    Object *dict;               /* attributes, created on demand */
} WrapperDescrObject;           /* a staticmethod or a classmethod */

typedef struct {
    Object base;
    Object *name;               /* str, owned */
    Type *owner;                /* the class (borrowed: its dict holds this) */
    ptrdiff_t offset;           /* of the instance's Object * (< 0: in its prefix) */
} MemberDescrObject;            /* one name of __slots__ */

extern Type property_type, staticmethod_type, classmethod_type, member_descr_type;

/* The descriptor of a __slots__ name stored at offset in instances of owner. */
Object *descr_member_new(Type *owner, Object *name, ptrdiff_t offset);

/* staticmethod(callable) / classmethod(callable): new references. */
Object *descr_staticmethod_new(Object *callable);
Object *descr_classmethod_new(Object *callable);


#endif
