/* namespace.h - simple namespaces (types.SimpleNamespace): objects that
 * are only a bag of attributes, printed as namespace(a=1, b='x'). Used for
 * sys.implementation.
 *
 * The instance owns its attribute dict (created with the object, reached
 * through dict_offset, so the generic getattr/setattr serve it). Two
 * namespaces are equal when their dicts are; namespaces are unhashable.
 */
#ifndef TOY_NAMESPACE_H
#define TOY_NAMESPACE_H

#include "core/object.h"

typedef struct {
    Object base;
    Object *dict; /* str -> value, owned */
} NamespaceObject;

extern Type namespace_type;

/* A namespace with a copy of the str-keyed dict attrs (NULL: empty). */
Object *namespace_new(Object *attrs);

#endif
