/* bytesio.h - io.BytesIO: an in-memory binary file.
 *
 * The bytes live in one growable block. getbuffer() lends that block to a
 * memoryview through a small helper object (_io._BytesIOBuffer, which holds
 * a reference to the BytesIO), so the BytesIO itself is not a bytes-like
 * object, as in CPython. While any such view is held (`exports` > 0),
 * write(), writelines(), truncate() and close() raise "BufferError:
 * Existing exports of data: object cannot be re-sized", so the block never
 * moves under a view.
 *
 * Invariants: len <= cap; pos may lie beyond len (a write there pads with
 * zero bytes first); buf is NULL exactly when cap is 0.
 */
#ifndef TOY_BYTESIO_H
#define TOY_BYTESIO_H

#include <stdint.h>
#include "core/object.h"

typedef struct {
    Object base;
    char *buf;
    size_t len, cap, pos;
    int64_t exports;   /* views lent by getbuffer() and not yet released */
    bool closed;
} BytesIOObject;

extern Type bytesio_type;        /* "_io.BytesIO" */
extern Type bytesio_buffer_type; /* "_io._BytesIOBuffer": what getbuffer() views */

#endif
