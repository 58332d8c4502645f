/* buffer.h - the buffer protocol: one object lending its raw memory to
 * another (bytes, bytearray, memoryview, array.array and the code that reads
 * them: bytes(x), b"".join, struct.unpack, memoryview(x), ...).
 *
 * A type that holds raw memory fills the getbuffer slot of its Type. A
 * borrower calls buffer_get(), uses view.data[0 .. view.len), and calls
 * buffer_release() exactly once. While the view is held:
 *   - the view owns a reference to the exporter (view.obj), so the memory
 *     cannot be freed;
 *   - a resizable exporter (bytearray, array.array) counts the view in its
 *     `exports` and refuses to resize ("BufferError: Existing exports of
 *     data: object cannot be re-sized"), so view.data stays valid even when
 *     Toy code runs in between (a memoryview, a struct.iter_unpack iterator).
 * A borrower that holds the view only for a C loop, running no Toy code, is
 * safe either way; one that keeps it across calls into Toy code must keep
 * the view (not just the pointer).
 *
 * The memory is always one contiguous run of bytes; views with a step (a
 * memoryview sliced with m[::2]) refuse to lend theirs
 * ("BufferError: memoryview: underlying buffer is not C-contiguous").
 *
 * Also here: the native item formats of the struct module's '@' mode
 * ('b', 'h', 'i', 'd', ...), which memoryview, array and struct share:
 * their sizes, alignments, and reading one item as a Toy object.
 */
#ifndef TOY_BUFFER_H
#define TOY_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/object.h"

struct Buffer {
    Object *obj;          /* the exporter (owned while held); NULL once released */
    char *data;           /* the first byte */
    size_t len;           /* in bytes */
    size_t itemsize;      /* bytes per item: 1 for bytes and bytearray */
    const char *format;   /* the items, in struct syntax, static text: "B", "i", ... */
    bool readonly;
};

/* Can o lend its memory (is it a "bytes-like object")? */
static inline bool buffer_supported(Object *o) { return TYPE(o)->getbuffer != NULL; }

/* Borrow o's memory. 0, or -1 with TypeError "a bytes-like object is
   required, not 'str'" (or the exporter's own error). */
int buffer_get(Object *o, Buffer *view);
/* Give the view back; view->obj becomes NULL. Releasing a released view
   does nothing. */
void buffer_release(Buffer *view);

/* For exporters: fill *view with len bytes at data, items of format "B",
   and take the reference to self. Always 0. */
int buffer_fill(Object *self, Buffer *view, char *data, size_t len, bool readonly);

/* The BufferError of a resizable exporter asked to resize while lent. */
Object *buffer_resize_error(void);

/* ---- Native item formats ---------------------------------------------------- */

/* Size of one item of native format code c ('b' 'B' 'h' 'H' 'i' 'I' 'l' 'L'
   'q' 'Q' 'n' 'N' 'f' 'd' 'e' '?' 'c' 'P'), or 0 for any other character. */
size_t buffer_native_size(char c);
/* Its alignment in '@' mode (struct's padding). */
size_t buffer_native_align(char c);
/* The item at p (any alignment) as a Toy object: an int, a float, a bool,
   or a bytes of length 1 for 'c'. NULL on MemoryError. */
Object *buffer_native_unpack(char c, const char *p);
/* IEEE binary16 ('e') to double, and back with round-half-even; the
   packing returns -1 when v is finite but too large (the caller raises). */
double buffer_half_to_double(uint16_t h);
int buffer_double_to_half(double v, uint16_t *out);

#endif
