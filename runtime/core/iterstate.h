/* iterstate.h - the position and the container of a built-in iterator,
 * which threads may share.
 *
 * Nothing stops a program from handing one iterator to several threads
 * (`it = iter(items)`, then each thread calls next(it)). Under the GIL the
 * steps take turns; in toy-ft they really overlap, so an iterator's next
 * must stay memory-safe however its steps interleave on one object.
 *
 * GIL build: an iterator releases its container (list, tuple, dict, ...)
 * the moment it runs out, as CPython's does; a Python program can see that
 * happen (a weakref's callback, sys.getrefcount). A NULL container means
 * exhausted. The position is a plain field.
 *
 * toy-ft: an iterator never releases its container from next. Another
 * thread may have read the container pointer a moment before and be
 * reading the container now; releasing it there would free it under that
 * thread (and two threads that both ran out would release it twice). So
 * running out stores ITER_SPENT in the position, an index that no
 * container can reach, and the reference is released when the iterator
 * itself is freed. The position is read and written with relaxed atomics:
 * two threads that step at once may both get the same item or both move
 * past one, as in CPython's free-threaded build, but every item returned
 * is one the container held, read while the iterator held the container.
 *
 * An iterator that steps under its container's lock (dict, set, deque,
 * bytearray, array, memoryview) needs no atomics for the steps themselves:
 * in toy-ft its container never changes, so every thread stepping it takes
 * the same lock.
 */
#ifndef TOY_CORE_ITERSTATE_H
#define TOY_CORE_ITERSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/refcount.h"

/* The position of an exhausted iterator in toy-ft: past the end of any
   container, so a bounds check fails on it without a test of its own. */
#define ITER_SPENT SIZE_MAX

#ifdef TOY_FREE_THREADED
static inline size_t iter_index(const size_t *index) {
    return __atomic_load_n(index, __ATOMIC_RELAXED);
}
static inline void iter_set_index(size_t *index, size_t value) {
    __atomic_store_n(index, value, __ATOMIC_RELAXED);
}
#else
static inline size_t iter_index(const size_t *index) { return *index; }
static inline void iter_set_index(size_t *index, size_t value) { *index = value; }
#endif

/* Has the iterator run out? container is its field (NULL after a GIL-build
   exhaustion, or after the cycle collector cleared it), index its
   position. */
static inline bool iter_spent(const Object *container, const size_t *index) {
#ifdef TOY_FREE_THREADED
    return !container || iter_index(index) == ITER_SPENT;
#else
    (void)index;
    return !container;
#endif
}

/* The iterator has run out: the GIL build releases the container now;
   toy-ft keeps it until the iterator is freed and marks the position. */
static inline void iter_exhaust(Object **container, size_t *index) {
#ifdef TOY_FREE_THREADED
    (void)container;
    iter_set_index(index, ITER_SPENT);
#else
    (void)index;
    CLEAR(container);
#endif
}

#endif
