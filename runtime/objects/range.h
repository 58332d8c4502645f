/* range.h - range objects, slices, and the built-in iterator types.
 *
 * Iterators follow the iternext convention in object.h: NULL without an
 * exception means exhausted.
 */
#ifndef TOY_RANGE_H
#define TOY_RANGE_H

#include "core/object.h"

/* A range keeps its bounds, step and length as int64 whenever all four
   fit. Otherwise (range(2**64), range(0, 2**70, 2**68), range(-2**63,
   2**63)) `big` holds them as ints, a tuple (start, stop, step, length),
   and the int64 fields are unused; big is NULL in the common case, so the
   fast paths only test it. */
typedef struct {
    Object base;
    int64_t start, stop, step, length;
    Object *big; /* owned tuple of four ints, or NULL */
} RangeObject;

typedef struct {
    Object base;
    Object *start, *stop, *step; /* owned; None when absent */
} SliceObject;

extern Type range_type, slice_type;
extern Type seq_iter_type;     /* iterator over anything with len/getitem (list, tuple, str) */

static inline bool is_slice(Object *o) { return o->type == &slice_type; }

Object *range_new(int64_t start, int64_t stop, int64_t step);
Object *slice_new(Object *start, Object *stop, Object *step); /* borrowed; NULL = None */
/* Resolve a slice against a sequence length, as Python's slice.indices():
   0 ok, -1 with an exception (step 0 -> ValueError, non-int -> TypeError).
   *slicelength is the number of items selected. */
int slice_indices(Object *slice, int64_t length, int64_t *start, int64_t *stop,
                  int64_t *step, int64_t *slicelength);
/* slice_indices in two steps, for a container whose length may change
   meanwhile (toy-ft): slice_unpack reads the components (it may run
   __index__, so no lock may be held; 0, or -1 with an exception), and
   slice_adjust resolves them against the length at that moment (no code
   runs: call it under the container's lock). */
typedef struct {
    int64_t step, start, stop; /* step != 0; start and stop count when has_ */
    bool has_start, has_stop;
} SliceBounds;
int slice_unpack(Object *slice, SliceBounds *b);
void slice_adjust(const SliceBounds *b, int64_t length, int64_t *start, int64_t *stop,
                  int64_t *step, int64_t *slicelength);

/* obj[lo:hi:step] (step NULL when the subscript has none) and
   obj[lo:hi] = value, as the eval loop's BINARY_SLICE and STORE_SLICE do
   them: an exact list, tuple or str (with a step, an exact list) whose
   bounds and step are None or small ints is sliced directly, without a
   slice object; anything else gets a slice and the generic subscript, so
   subclasses, __index__ bounds, a zero step and other types behave as
   before. Borrowed arguments; a new reference / 0, or NULL / -1 with an
   exception. */
Object *slice_subscript(Object *obj, Object *lo, Object *hi, Object *step);
/* obj[lo:hi] = value, the same way, taking the caller's reference to
   value: a list whose only reference that was (`p[:k] = p[k::-1]`) gives
   its items up instead of having each counted onto obj and off it again. */
int slice_store_taking(Object *obj, Object *lo, Object *hi, Object *value);
/* The start and stop of lo:hi (step 1) against a sequence of `length`
   items, both None or small ints (the callers of slice_subscript check),
   as slice_indices gives them: 0 <= *start <= *stop <= length. */
void slice_range_bounds(Object *lo, Object *hi, int64_t length, int64_t *start, int64_t *stop);
/* slice_indices for lo:hi:step read directly: each None or a small int,
   step not 0 (None for 1). */
void slice_simple_indices(Object *lo, Object *hi, Object *step, int64_t length, int64_t *start,
                          int64_t *st, int64_t *slicelength);

/* ---- Added by the containers module ---- */

extern Type range_iterator_type; /* iter(range) and reversed(range) */
extern Type longrange_iterator_type; /* the same over a range held as ints */

/* A range_iterator. Its layout is public because the eval loop's FOR_ITER
   advances it inline, without a call per step. */
typedef struct {
    Object base;
    uint64_t next;      /* the next value, as uint64 so stepping past the end wraps */
    uint64_t step;      /* added per step (modulo 2**64) */
    int64_t remaining;
} RangeIterObject;

/* iter(range): a range_iterator, or a longrange_iterator when the range
   is held as ints. */
Object *range_iter(Object *range);

/* An iterator over seq that calls getitem with 0, 1, 2, ... until IndexError
   (or, for built-in types with a len slot, until len): Python's iteration
   fallback for objects with __getitem__ but no __iter__. */
Object *seq_iter_new(Object *seq);
/* reversed(range): a range_iterator walking backwards. */
Object *range_reversed(Object *range);
/* A start/stop argument of index() methods (list.index, tuple.index,
   str.index...): int or __index__, negative values counted from the end, then
   clamped to [0, length]. TypeError "slice indices must be integers or have
   an __index__ method". 0 / -1. */
int slice_clamp_index(Object *arg, int64_t length, int64_t *out);

#endif
