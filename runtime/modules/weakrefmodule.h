/* weakrefmodule.h - the _weakref module (weakrefmodule.c): the C half of
 * weakref, which runtime/lib/weakref.toy re-exports and completes with the
 * weak collections, WeakMethod and finalize. */
#ifndef TOY_WEAKREFMODULE_H
#define TOY_WEAKREFMODULE_H

#include "core/object.h"

/* A new _weakref module. */
Object *weakref_module_init(void);

#endif
