/* memoryview.h - views of another object's memory without copying it.
 *
 * A MemoryViewObject holds one buffer export (objects/buffer.h) of the
 * object it views (bytes, bytearray, array.array): while the view lives,
 * and until release() is called, a bytearray or array under it cannot be
 * resized. A view is one-dimensional: `length` items of `itemsize` bytes,
 * the first at `start`, each `stride` bytes after the one before (a slice
 * with a step, or a negative one, only changes these three numbers; the
 * memory is shared). Slicing a view, or viewing a view, takes a new export
 * of the same underlying object, so each view can be released on its own.
 *
 * A memoryview can lend its memory in turn (bytes(m), b"".join([m]), ...)
 * when its items are contiguous; `exports` counts those loans, and
 * release() refuses while any is outstanding, as in CPython.
 *
 * Items are read and written with the struct module's native formats
 * ('B', 'b', 'c', 'h', 'i', 'd', ...); cast() changes the format of a
 * contiguous view, to or from a byte format.
 */
#ifndef TOY_MEMORYVIEW_H
#define TOY_MEMORYVIEW_H

#include "core/object.h"
#include "objects/buffer.h"

typedef struct {
    Object base;
    Buffer view;          /* the export that keeps the memory (view.obj NULL: released) */
    char *start;          /* item 0 */
    int64_t length;       /* items */
    int64_t stride;       /* bytes from an item to the next; negative: backwards */
    size_t itemsize;
    const char *format;   /* static text: "B", "@I", ... */
    bool readonly;
    int64_t exports;      /* buffers this view has lent */
    int64_t hash;         /* -1 until computed */
} MemoryViewObject;

extern Type memoryview_type;
extern Type memory_iterator_type;

static inline bool is_memoryview(Object *o) { return o->type == &memoryview_type; }

/* m.tobytes(): the items' bytes in order, for a view of any layout. */
Object *memoryview_tobytes(Object *m);

#endif
