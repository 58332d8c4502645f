/* tuple.h - immutable sequences, items stored inline.
 *
 * A tuple owns a reference to each item. tuple_new(n) returns a tuple whose
 * items are NULL: fill every slot with tuple_set_steal before the tuple is
 * seen by any other code. The empty tuple is a shared singleton.
 */
#ifndef TOY_TUPLE_H
#define TOY_TUPLE_H

#include "core/object.h"

typedef struct {
    Object base;
    int64_t hash;      /* cached, -1 until computed */
    size_t size;
    Object *items[];
} TupleObject;

extern Type tuple_type;
extern Type tuple_iterator_type; /* iter(tuple) */

/* tuple or a user subclass of it; is_tuple_exact: tuple itself. */
static inline bool is_tuple(Object *o) { return is_builtin_instance(o, &tuple_type); }
static inline bool is_tuple_exact(Object *o) { return o->type == &tuple_type; }
static inline size_t tuple_size(Object *t) { return ((TupleObject *)t)->size; }
/* Borrowed. No bounds check. */
static inline Object *tuple_item(Object *t, size_t i) { return ((TupleObject *)t)->items[i]; }
/* Steals item. Only for filling a fresh tuple. */
static inline void tuple_set_steal(Object *t, size_t i, Object *item) { ((TupleObject *)t)->items[i] = item; }
static inline Object **tuple_items(Object *t) { return ((TupleObject *)t)->items; }

Object *tuple_new(size_t n);
/* A tuple of n items copied (INCREF'd) from items. */
Object *tuple_from_array(Object *const *items, size_t n);
/* The collector's slots (struct sequences share them). */
int tuple_traverse(Object *self, VisitFunc visit, void *arg);
bool tuple_is_gc(Object *self);
/* t[start:stop] for 0 <= start <= stop <= len(t) (BINARY_SLICE's direct
   path): a new reference; an exact tuple's whole range is itself. */
Object *tuple_get_range(Object *t, int64_t start, int64_t stop);
/* tuple_pack(2, a, b): borrowed arguments. */
Object *tuple_pack(size_t n, ...);
/* tuple(iterable). */
Object *tuple_from_iterable(Object *iterable);

#endif
