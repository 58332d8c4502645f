/* iter.h - the iterator types that Python's built-ins enumerate, zip,
 * reversed, map and filter are.
 *
 * In Python these built-ins are types (type(enumerate([])) is <class
 * 'enumerate'>), so each Type here has a construct slot implementing the
 * call: the builtins module registers the type objects themselves under
 * their names. Each iterator returns itself from iter() and follows the
 * iternext convention of object.h (NULL without an exception: exhausted).
 */
#ifndef TOY_ITER_H
#define TOY_ITER_H

#include "core/object.h"

extern Type enumerate_type; /* enumerate(iterable, start=0) */
extern Type zip_type;       /* zip(*iterables, strict=False) */
extern Type reversed_type;  /* reversed(sequence); lists, ranges, dicts get their own iterators */
extern Type map_type;       /* map(function, iterable, ...) */
extern Type filter_type;    /* filter(function or None, iterable) */

/* The argument of a sequence iterator's __setstate__(index), as CPython
   checks it: one argument ("list_iterator.__setstate__() takes exactly one
   argument (0 given)"), an int ("an integer is required"), within int64.
   0, or -1 with the error. */
int iter_setstate_index(const char *qualname, Object *const *args, size_t nargs,
                        Object *kwnames, int64_t *index);

#endif
