/* bytearray.h - mutable byte strings (`bytearray`).
 *
 * A BytearrayObject owns a mem_alloc'd block of `capacity` bytes; its value
 * is the `size` bytes starting `start` bytes into the block. Deleting from
 * the front (`del b[:n]`, `b.pop(0)`) only moves `start`, so consuming a
 * buffer from the front is linear overall; appending grows the block
 * geometrically, so `append` is amortised O(1).
 *
 * Every change to the contents goes through the few functions of
 * bytearray.c's "Mutation" section (bytearray_splice, bytearray_set_byte,
 * bytearray_reverse_bytes, ...), which hold the bytearray's lock in toy-ft
 * (core/objlock.h; callers hold it from the size read they act on), and
 * where the export rule is enforced: while a memoryview (or any other
 * borrower of the buffer protocol, objects/buffer.h) holds the bytes,
 * `exports` is above zero and the size may not change ("BufferError:
 * Existing exports of data: object cannot be re-sized"); overwriting bytes in
 * place is still allowed.
 *
 * The methods bytearray shares with bytes (find, split, upper, ...) are in
 * bytesmethods.c; this file has the type, its mutating methods and its
 * operators. A bytearray is unhashable.
 */
#ifndef TOY_BYTEARRAY_H
#define TOY_BYTEARRAY_H

#include "core/object.h"

typedef struct {
    Object base;
    char *block;       /* mem_alloc'd, capacity bytes; NULL when capacity is 0 */
    size_t start;      /* offset of the first byte of the value in block */
    size_t size;       /* bytes in the value */
    size_t capacity;
    int64_t exports;   /* buffer views lent out (memoryview, ...) */
} BytearrayObject;

extern Type bytearray_type;
extern Type bytearray_iterator_type; /* iter(bytearray(...)): yields ints */

/* bytearray or a user subclass of it; is_bytearray_exact: bytearray itself. */
static inline bool is_bytearray(Object *o) { return is_builtin_instance(o, &bytearray_type); }
static inline bool is_bytearray_exact(Object *o) { return o->type == &bytearray_type; }
/* The value's bytes (never NULL). Valid until the next mutation. */
static inline char *bytearray_data(Object *o) {
    BytearrayObject *b = (BytearrayObject *)o;
    return b->block ? b->block + b->start : (char *)"";
}
static inline size_t bytearray_size(Object *o) { return ((BytearrayObject *)o)->size; }

/* A new bytearray holding a copy of len bytes. NULL on MemoryError. */
Object *bytearray_from_data(const char *data, size_t len);
/* A new bytearray of len uninitialised bytes, to fill in through
   bytearray_data() before anyone else sees it. */
Object *bytearray_new_raw(size_t len);

#endif
