/* iomodule.c - the io module: the in-memory files StringIO and BytesIO
 * (objects/stringio.c, objects/bytesio.c), open() (the built-in, the same
 * function as builtins.open), the seek constants, UnsupportedOperation, and
 * the names of the types open() returns (TextIOWrapper, BufferedReader,
 * BufferedWriter, BufferedRandom). The abstract classes (IOBase,
 * TextIOBase, ...) are not provided. The module holds no state.
 */
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/dict.h"
#include "objects/bytesio.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/fileobject.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/stringio.h"
#include "modules/iomodule.h"

static int io_add_int(Object *m, const char *name, int64_t v) {
    Object *o = int_from_i64(v);
    int r = o ? module_add_object(m, name, o) : -1;
    XDECREF(o);
    return r;
}

static int io_add_names(Object *m) {
    static const struct { const char *name; Object *value; } names[] = {
        {"StringIO", (Object *)&stringio_type},
        {"BytesIO", (Object *)&bytesio_type},
        {"TextIOWrapper", (Object *)&file_text_type},
        {"BufferedReader", (Object *)&file_reader_type},
        {"BufferedWriter", (Object *)&file_writer_type},
        {"BufferedRandom", (Object *)&file_random_type},
        {"UnsupportedOperation", (Object *)&exc_UnsupportedOperation},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (module_add_object(m, names[i].name, names[i].value) < 0) return -1;
    if (io_add_int(m, "SEEK_SET", 0) < 0 || io_add_int(m, "SEEK_CUR", 1) < 0 ||
        io_add_int(m, "SEEK_END", 2) < 0 || io_add_int(m, "DEFAULT_BUFFER_SIZE", 8192) < 0)
        return -1;
    return 0;
}

Object *io_module_init(void) {
    Object *m = module_new("io");
    if (!m) return NULL;
    /* io.open is builtins.open itself (io.open is open) */
    Object *open_fn = dict_get_item_cstr(interp.builtins, "open");
    if (!open_fn || module_add_object(m, "open", open_fn) < 0 || io_add_names(m) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
