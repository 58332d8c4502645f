/* bytesio.c - io.BytesIO and the helper its getbuffer() views (bytesio.h).
 *
 * Every method but close() and `closed` raises "ValueError: I/O operation
 * on closed file." once the object is closed. Anything that could move or
 * resize the block checks `exports` first.
 */
#include "objects/bytesio.h"

#include <string.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/memoryview.h"
#include "objects/str.h"

#define BIO(o) ((BytesIOObject *)(o))

typedef struct {
    Object base;
    Object *bio; /* the BytesIO whose block is lent (owned) */
} BytesIOBufferObject;

/* ---- Checks and arguments ---------------------------------------------------------- */

static int bio_check_open(BytesIOObject *b) {
    if (!b->closed) return 0;
    error_set(&exc_ValueError, "I/O operation on closed file.");
    return -1;
}

static int bio_check_exports(BytesIOObject *b) {
    if (b->exports == 0) return 0;
    buffer_resize_error();
    return -1;
}

static int bio_size_arg(Object *o, int64_t *out) {
    if (!o || o == None) {
        *out = -1;
        return 0;
    }
    if (!is_int(o) && !TYPE(o)->index) {
        error_set(&exc_TypeError, "argument should be integer or None, not '%s'", TYPE_NAME(o));
        return -1;
    }
    return int_as_i64(o, out);
}

/* The one optional size argument of read/read1/readline/truncate.
   Its __index__ may run Toy code, so the methods convert it before they
   take the lock (below), and test for a closed file after. */
static int bio_parse_size(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                          int64_t *out) {
    if (args_check(fname, nargs, kwnames, 0, 1) < 0) return -1;
    return bio_size_arg(nargs ? args[0] : NULL, out);
}

/* ---- The block --------------------------------------------------------------------- */

static int bio_reserve(BytesIOObject *b, size_t need) {
    if (need <= b->cap) return 0;
    if (need > ((size_t)1 << 60)) {
        error_no_memory();
        return -1;
    }
    size_t cap = need + need / 4 + 16;
    char *buf = b->buf ? mem_realloc(b->buf, b->cap, cap) : mem_alloc(cap);
    if (!buf) {
        error_no_memory();
        return -1;
    }
    b->buf = buf;
    b->cap = cap;
    return 0;
}

/* Write data[0..n) at pos, zero-filling a gap after the end. */
static int bio_put(BytesIOObject *b, const char *data, size_t n) {
    if (n == 0) return 0;
    if (bio_reserve(b, b->pos + n) < 0) return -1;
    if (b->pos > b->len) memset(b->buf + b->len, 0, b->pos - b->len);
    memmove(b->buf + b->pos, data, n);
    b->pos += n;
    if (b->pos > b->len) b->len = b->pos;
    return 0;
}

/* write(obj): any bytes-like object; its length, or -1. */
static int64_t bio_write_object(BytesIOObject *b, Object *o) {
    if (bio_check_open(b) < 0 || bio_check_exports(b) < 0) return -1;
    Buffer view;
    if (buffer_get(o, &view) < 0) return -1;
    int r = bio_put(b, view.data, view.len);
    int64_t n = (int64_t)view.len;
    buffer_release(&view);
    return r < 0 ? -1 : n;
}

/* ---- Construction ------------------------------------------------------------------ */

static Object *bytesio_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    static const char *const names[] = {"initial_bytes", NULL};
    Object *a[1];
    if (nargs > 1)
        return error_set(&exc_TypeError, "BytesIO() takes at most 1 argument (%zu given)", nargs);
    if (args_parse("BytesIO", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    BytesIOObject *b = (BytesIOObject *)object_alloc(&bytesio_type, sizeof(BytesIOObject));
    if (!b) return NULL;
    if (a[0] && a[0] != None && bio_write_object(b, a[0]) < 0) {
        DECREF(b);
        return NULL;
    }
    b->pos = 0;
    return (Object *)b;
}

static void bio_free_block(BytesIOObject *b) {
    if (b->buf) mem_free(b->buf, b->cap);
    b->buf = NULL;
    b->len = b->cap = b->pos = 0;
}

static void bytesio_dealloc(Object *self) {
    bio_free_block(BIO(self));
    object_free(self, sizeof(BytesIOObject));
}

/* ---- Reading ----------------------------------------------------------------------- */

static Object *bio_take(BytesIOObject *b, int64_t size) {
    size_t avail = b->pos < b->len ? b->len - b->pos : 0;
    size_t n = size < 0 || (uint64_t)size > avail ? avail : (size_t)size;
    Object *r = bytes_from_data(n ? b->buf + b->pos : "", n);
    if (r) b->pos += n;
    return r;
}

static size_t bio_line_length(BytesIOObject *b, int64_t limit) {
    if (b->pos >= b->len) return 0;
    size_t avail = b->len - b->pos;
    if (limit >= 0 && (uint64_t)limit < avail) avail = (size_t)limit;
    const char *nl = memchr(b->buf + b->pos, '\n', avail);
    return nl ? (size_t)(nl - (b->buf + b->pos)) + 1 : avail;
}

static Object *bio_read_locked(BytesIOObject *b, int64_t size) {
    return bio_check_open(b) < 0 ? NULL : bio_take(b, size);
}

static Object *bio_readline_locked(BytesIOObject *b, int64_t size) {
    return bio_check_open(b) < 0 ? NULL : bio_take(b, (int64_t)bio_line_length(b, size));
}

/* readlines' lines, taken under the lock into a growable array (*lines,
   *n of *cap used, for list_steal_array). */
static int bio_take_lines(BytesIOObject *b, int64_t hint, Object ***lines, size_t *n, size_t *cap) {
    if (bio_check_open(b) < 0) return -1;
    size_t total = 0, len;
    while ((len = bio_line_length(b, -1)) > 0) {
        if (!mem_grow(lines, *n, cap, sizeof **lines, 8)) {
            error_no_memory();
            return -1;
        }
        Object *line = bio_take(b, (int64_t)len);
        if (!line) return -1;
        (*lines)[(*n)++] = line;
        total += len;
        if (hint > 0 && total >= (uint64_t)hint) break;
    }
    return 0;
}

/* read(), read1(), readline(): the size converted, then the
   rest under the lock (core/objlock.h; nothing in the GIL build). */
#define BIO_SIZED_METHOD(name, body)                                                       \
    static Object *bytesio_##name(Object *self, Object *const *args, size_t nargs,         \
                                  Object *kwnames) {                                       \
        int64_t size;                                                                      \
        if (bio_parse_size("BytesIO." #name, args, nargs, kwnames, &size) < 0) return NULL; \
        objlock_lock(self);                                                                \
        Object *r = body(BIO(self), size);                                                 \
        objlock_unlock(self);                                                              \
        return r;                                                                          \
    }
BIO_SIZED_METHOD(read, bio_read_locked)
BIO_SIZED_METHOD(read1, bio_read_locked)
BIO_SIZED_METHOD(readline, bio_readline_locked)

/* readlines(hint): an int or None only, no __index__ (CPython's message). */
static Object *bytesio_readlines(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t hint = -1;
    if (args_check("BytesIO.readlines", nargs, kwnames, 0, 1) < 0) return NULL;
    if (nargs && args[0] != None) {
        if (!is_int(args[0]))
            return error_set(&exc_TypeError, "integer argument expected, got '%s'", TYPE_NAME(args[0]));
        if (int_as_i64(args[0], &hint) < 0) return NULL;
    }
    Object **lines = NULL;
    size_t n = 0, cap = 0;
    objlock_lock(self);
    int rc = bio_take_lines(BIO(self), hint, &lines, &n, &cap);
    objlock_unlock(self);
    /* the list made after unlocking: no list's lock under this one */
    return list_steal_array(rc == 0, lines, n, cap);
}

static Object *bytesio_readinto(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    BytesIOObject *b = BIO(self);
    if (args_check("BytesIO.readinto", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!buffer_supported(args[0]))
        return error_set(&exc_TypeError, "readinto() argument must be read-write bytes-like object, not %s",
                         TYPE_NAME(args[0]));
    Buffer view;
    if (buffer_get(args[0], &view) < 0) return NULL;
    if (view.readonly) {
        buffer_release(&view);
        return error_set(&exc_TypeError, "readinto() argument must be read-write bytes-like object, not %s",
                         TYPE_NAME(args[0]));
    }
    /* the buffer is taken and given back outside the lock (a bytearray's
       takes its own); the copy is made under it */
    objlock_lock(self);
    int open = bio_check_open(b);
    size_t n = 0;
    if (open == 0) {
        size_t avail = b->pos < b->len ? b->len - b->pos : 0;
        n = view.len < avail ? view.len : avail;
        if (n) memmove(view.data, b->buf + b->pos, n); /* the view may be of this very block */
        b->pos += n;
    }
    objlock_unlock(self);
    buffer_release(&view);
    return open < 0 ? NULL : int_from_i64((int64_t)n);
}

/* iter() works even on a closed BytesIO (as in CPython); next() does not. */
static Object *bytesio_iter(Object *self) {
    return NEWREF(self);
}

static Object *bytesio_iternext(Object *self) {
    BytesIOObject *b = BIO(self);
    if (bio_check_open(b) < 0) return NULL;
    size_t n = bio_line_length(b, -1);
    return n ? bio_take(b, (int64_t)n) : NULL;
}

static Object *bytesio_getvalue(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    BytesIOObject *b = BIO(self);
    if (args_check("BytesIO.getvalue", nargs, kwnames, 0, 0) < 0 || bio_check_open(b) < 0) return NULL;
    return bytes_from_data(b->len ? b->buf : "", b->len);
}

/* getbuffer(): a writable memoryview of the block, through the helper. */
/* The view is made outside the lock: the helper's buffer slot
   (bytesio_buffer_get) counts the export under it, and the memoryview's
   own lock is never taken under this one. */
static Object *bytesio_getbuffer(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("BytesIO.getbuffer", nargs, kwnames, 0, 0) < 0) return NULL;
    objlock_lock(self);
    int open = bio_check_open(BIO(self));
    objlock_unlock(self);
    if (open < 0) return NULL;
    BytesIOBufferObject *h = (BytesIOBufferObject *)object_alloc(&bytesio_buffer_type, sizeof *h);
    if (!h) return NULL;
    h->bio = NEWREF(self);
    Object *m = object_call1((Object *)&memoryview_type, (Object *)h);
    DECREF(h);
    return m;
}

/* ---- Writing ----------------------------------------------------------------------- */

/* write(o) under the lock, all but taking o's buffer, which may take o's
   own lock (a bytearray's): no other object's lock is taken under this
   one. The state is checked before it, so that a closed BytesIO says so
   first, as in CPython, and again with the buffer in hand. */
static int64_t bio_write_now(Object *self, Object *o) {
    BytesIOObject *b = BIO(self);
    objlock_lock(self);
    int ok = bio_check_open(b) == 0 && bio_check_exports(b) == 0;
    objlock_unlock(self);
    Buffer view;
    if (!ok || buffer_get(o, &view) < 0) return -1;
    objlock_lock(self);
    int r = bio_check_open(b) < 0 || bio_check_exports(b) < 0 ? -1 : bio_put(b, view.data, view.len);
    objlock_unlock(self);
    int64_t n = (int64_t)view.len;
    buffer_release(&view);
    return r < 0 ? -1 : n;
}

static Object *bytesio_write(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("BytesIO.write", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t n = bio_write_now(self, args[0]);
    return n < 0 ? NULL : int_from_i64(n);
}

static int write_line(Object *self, Object *line) { return bio_write_now(self, line) < 0 ? -1 : 0; }

/* The iteration runs Toy code, so it runs without the lock, which each
   line's write takes (as CPython calls write() per line). */
static Object *bytesio_writelines(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("BytesIO.writelines", nargs, kwnames, 1, 1) < 0) return NULL;
    objlock_lock(self);
    int open = bio_check_open(BIO(self));
    objlock_unlock(self);
    return open < 0 ? NULL : object_writelines(self, args[0], write_line);
}

static Object *bio_truncate_locked(BytesIOObject *b, bool to_pos, int64_t size) {
    if (bio_check_open(b) < 0 || bio_check_exports(b) < 0) return NULL;
    if (to_pos) size = (int64_t)b->pos;
    else if (size < 0) return error_set(&exc_ValueError, "negative size value %lld", (long long)size);
    if ((uint64_t)size < b->len) b->len = (size_t)size;
    return int_from_i64(size);
}

static Object *bytesio_truncate(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t size;
    if (bio_parse_size("BytesIO.truncate", args, nargs, kwnames, &size) < 0) return NULL;
    objlock_lock(self);
    Object *r = bio_truncate_locked(BIO(self), nargs == 0 || args[0] == None, size);
    objlock_unlock(self);
    return r;
}

/* ---- Positioning ------------------------------------------------------------------- */

static Object *bio_seek_locked(BytesIOObject *b, int64_t pos, int64_t whence) {
    if (bio_check_open(b) < 0) return NULL;
    if (whence < 0 || whence > 2)
        return error_set(&exc_ValueError, "invalid whence (%lld, should be 0, 1 or 2)", (long long)whence);
    if (whence == 0 && pos < 0)
        return error_set(&exc_ValueError, "negative seek value %lld", (long long)pos);
    int64_t base = whence == 1 ? (int64_t)b->pos : whence == 2 ? (int64_t)b->len : 0;
    if (pos > INT64_MAX - base) pos = INT64_MAX;
    else pos += base;
    b->pos = pos < 0 ? 0 : (size_t)pos;
    return int_from_i64((int64_t)b->pos);
}

/* The arguments' __index__ runs before the lock is taken. */
static Object *bytesio_seek(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t pos, whence = 0;
    if (args_check("BytesIO.seek", nargs, kwnames, 1, 2) < 0 || int_as_i64(args[0], &pos) < 0 ||
        (nargs > 1 && int_as_i64(args[1], &whence) < 0))
        return NULL;
    objlock_lock(self);
    Object *r = bio_seek_locked(BIO(self), pos, whence);
    objlock_unlock(self);
    return r;
}

static Object *bytesio_tell(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("BytesIO.tell", nargs, kwnames, 0, 0) < 0 || bio_check_open(BIO(self)) < 0)
        return NULL;
    return int_from_i64((int64_t)BIO(self)->pos);
}

/* ---- State and the rest of the file protocol ----------------------------------------- */

static Object *bytesio_close(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("BytesIO.close", nargs, kwnames, 0, 0) < 0 || bio_check_exports(BIO(self)) < 0)
        return NULL;
    BIO(self)->closed = true;
    bio_free_block(BIO(self));
    return NEWREF(None);
}

static Object *bytesio_true_if_open(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("BytesIO.readable", nargs, kwnames, 0, 0) < 0 || bio_check_open(BIO(self)) < 0)
        return NULL;
    return NEWREF(True_);
}

static Object *bytesio_isatty(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("BytesIO.isatty", nargs, kwnames, 0, 0) < 0 || bio_check_open(BIO(self)) < 0)
        return NULL;
    return NEWREF(False_);
}

static Object *bytesio_flush(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("BytesIO.flush", nargs, kwnames, 0, 0) < 0 || bio_check_open(BIO(self)) < 0)
        return NULL;
    return NEWREF(None);
}

static Object *bytesio_fileno(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args; (void)nargs; (void)kwnames;
    return error_set(&exc_UnsupportedOperation, "fileno");
}

static Object *bytesio_enter(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("__enter__", nargs, kwnames, 0, 0) < 0 || bio_check_open(BIO(self)) < 0) return NULL;
    return NEWREF(self);
}

static Object *bytesio_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    Object *r = bytesio_close(self, NULL, 0, NULL);
    XDECREF(r);
    return r ? NEWREF(None) : NULL;
}

static Object *bytesio_getattr(Object *self, Object *name) {
    if (strcmp(str_data(name), "closed") == 0) return bool_from(BIO(self)->closed);
    return object_generic_getattr(self, name);
}

/* toy-ft (core/objlock.h): every method holds the object's lock while it
   reads or changes the buffer, position, export count and closed flag
   (they change together), so two threads' reads and writes never
   interleave inside one call. No Toy code runs under it, nor does any
   other object's lock: read, read1, readline, readlines, truncate and
   seek convert their arguments first (readlines makes its list after
   unlocking), write, writelines, readinto and getbuffer lock themselves
   (writelines once per line, its iteration outside; write and readinto
   take the argument's buffer outside; getbuffer makes its memoryview
   outside), and the rest below hold it for the whole call. */
#ifdef TOY_FREE_THREADED
OBJLOCK_METHOD(bytesio_getvalue)
OBJLOCK_METHOD(bytesio_tell)
OBJLOCK_METHOD(bytesio_close)
OBJLOCK_METHOD(bytesio_flush)
OBJLOCK_METHOD(bytesio_true_if_open)
OBJLOCK_METHOD(bytesio_isatty)
OBJLOCK_METHOD(bytesio_fileno)
OBJLOCK_METHOD(bytesio_enter)
OBJLOCK_METHOD(bytesio_exit)
#define LM(fn) fn##_locked

static Object *bytesio_iternext_locked(Object *self) {
    objlock_lock(self);
    Object *r = bytesio_iternext(self);
    objlock_unlock(self);
    return r;
}

/* the state's attributes under the lock; the rest (methods, a
   subclass's attributes) as usual */
static Object *bytesio_getattr_locked(Object *self, Object *name) {
    const char *n = str_data(name);
    if (strcmp(n, "closed") != 0) return bytesio_getattr(self, name);
    objlock_lock(self);
    Object *r = bytesio_getattr(self, name);
    objlock_unlock(self);
    return r;
}
#define LOCKED_SLOT(fn) fn##_locked
#else
#define LM(fn) fn
#define LOCKED_SLOT(fn) fn
#endif

static const MethodDef bytesio_methods[] = {
    {"read", bytesio_read, "read(size=-1): up to size bytes, all if negative or None."},
    {"read1", bytesio_read1, NULL},
    {"readline", bytesio_readline, NULL},
    {"readlines", bytesio_readlines, NULL},
    {"readinto", bytesio_readinto, NULL},
    {"write", bytesio_write, "Write a bytes-like object; returns its length."},
    {"writelines", bytesio_writelines, NULL},
    {"getvalue", LM(bytesio_getvalue), NULL},
    {"getbuffer", bytesio_getbuffer, "A read-write memoryview of the contents."},
    {"seek", bytesio_seek, NULL},
    {"tell", LM(bytesio_tell), NULL},
    {"truncate", bytesio_truncate, NULL},
    {"close", LM(bytesio_close), NULL},
    {"flush", LM(bytesio_flush), NULL},
    {"readable", LM(bytesio_true_if_open), NULL},
    {"writable", LM(bytesio_true_if_open), NULL},
    {"seekable", LM(bytesio_true_if_open), NULL},
    {"isatty", LM(bytesio_isatty), NULL},
    {"fileno", LM(bytesio_fileno), NULL},
    {"__enter__", LM(bytesio_enter), NULL},
    {"__exit__", LM(bytesio_exit), NULL},
    {NULL, NULL, NULL},
};

Type bytesio_type = {
    TYPE_HEAD_INIT,
    .name = "_io.BytesIO",
    .base_type = &object_type,
    .instance_size = sizeof(BytesIOObject),
    .methods = bytesio_methods,
    .dealloc = bytesio_dealloc,
    .hash = object_identity_hash,
    .construct = bytesio_construct,
    .getattr = LOCKED_SLOT(bytesio_getattr),
    .iter = bytesio_iter,
    .iternext = LOCKED_SLOT(bytesio_iternext),
};

/* ---- The helper getbuffer() views ---------------------------------------------------- */

static void bytesio_buffer_dealloc(Object *self) {
    DECREF(((BytesIOBufferObject *)self)->bio);
    object_free(self, sizeof(BytesIOBufferObject));
}

static int bytesio_buffer_get(Object *self, Buffer *view) {
    Object *bio = ((BytesIOBufferObject *)self)->bio;
    BytesIOObject *b = BIO(bio);
    objlock_lock(bio);
    int open = bio_check_open(b); /* toy-ft: closed since getbuffer() looked */
    if (open == 0) b->exports++;
    char *buf = b->buf;
    size_t len = b->len;
    objlock_unlock(bio);
    return open < 0 ? -1 : buffer_fill(self, view, buf, len, false);
}

static void bytesio_buffer_release(Object *self, Buffer *view) {
    (void)view;
    Object *bio = ((BytesIOBufferObject *)self)->bio;
    objlock_lock(bio);
    BIO(bio)->exports--;
    objlock_unlock(bio);
}

Type bytesio_buffer_type = {
    TYPE_HEAD_INIT,
    .name = "_io._BytesIOBuffer",
    .base_type = &object_type,
    .instance_size = sizeof(BytesIOBufferObject),
    .dealloc = bytesio_buffer_dealloc,
    .hash = object_identity_hash,
    .getbuffer = bytesio_buffer_get,
    .releasebuffer = bytesio_buffer_release,
};
