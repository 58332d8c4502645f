/* collectionsmodule.h - the _collections module (collectionsmodule.c), the
 * C half of `collections`: deque (dequeobject.c). runtime/lib/collections
 * builds the rest of the module in Toy on top of it. */
#ifndef TOY_COLLECTIONSMODULE_H
#define TOY_COLLECTIONSMODULE_H

#include "core/object.h"

Object *collections_module_init(void);

extern Type deque_type;                  /* collections.deque */
extern Type deque_iterator_type;         /* iter(deque) */
extern Type deque_reverse_iterator_type; /* reversed(deque) */

static inline bool is_deque(Object *o) { return is_instance_of(o, &deque_type); }

#endif
