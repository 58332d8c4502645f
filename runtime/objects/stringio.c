/* stringio.c - io.StringIO (see stringio.h for the representation).
 *
 * Every method but close() and the `closed` attribute raises
 * "ValueError: I/O operation on closed file" once the object is closed
 * (iter() says it with a final dot, as CPython's does). seek() follows
 * CPython's text-file rules: only seek(0, 1) and seek(0, 2) are allowed
 * besides absolute positions.
 */
#include "objects/stringio.h"

#include <string.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/str.h"
#include "objects/tuple.h"

#define SIO(o) ((StringIOObject *)(o))

enum { SEEN_CR = 1, SEEN_LF = 2, SEEN_CRLF = 4 };

/* ---- Code points and UTF-8 -------------------------------------------------------- */

/* The code points of str s into a new array (mem_alloc'd, *n entries). */
static uint32_t *sio_decode(Object *s, size_t *n) {
    const unsigned char *p = (const unsigned char *)str_data(s);
    size_t len = str_len(s), count = ((StrObject *)s)->nchars;
    uint32_t *out = mem_alloc((count ? count : 1) * sizeof(uint32_t));
    if (!out) {
        error_no_memory();
        return NULL;
    }
    size_t i = 0, k = 0;
    while (i < len) {
        unsigned char c = p[i];
        uint32_t cp;
        if (c < 0x80) { cp = c; i += 1; }
        else if (c < 0xE0) { cp = (uint32_t)(c & 0x1F) << 6 | (p[i + 1] & 0x3F); i += 2; }
        else if (c < 0xF0) {
            cp = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3F);
            i += 3;
        } else {
            cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(p[i + 1] & 0x3F) << 12 |
                 (uint32_t)(p[i + 2] & 0x3F) << 6 | (p[i + 3] & 0x3F);
            i += 4;
        }
        out[k++] = cp;
    }
    *n = k;
    return out;
}

static size_t utf8_width(uint32_t cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* The code points u[0..n) as a new str. */
static Object *sio_encode(const uint32_t *u, size_t n) {
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += utf8_width(u[i]);
    Object *s = str_new_raw(bytes);
    if (!s) return NULL;
    unsigned char *p = (unsigned char *)((StrObject *)s)->data;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = u[i];
        switch (utf8_width(cp)) {
        case 1: *p++ = (unsigned char)cp; break;
        case 2: *p++ = (unsigned char)(0xC0 | cp >> 6); *p++ = (unsigned char)(0x80 | (cp & 0x3F)); break;
        case 3:
            *p++ = (unsigned char)(0xE0 | cp >> 12);
            *p++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
            *p++ = (unsigned char)(0x80 | (cp & 0x3F));
            break;
        default:
            *p++ = (unsigned char)(0xF0 | cp >> 18);
            *p++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
            *p++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
            *p++ = (unsigned char)(0x80 | (cp & 0x3F));
        }
    }
    str_finish(s);
    return s;
}

/* ---- The buffer -------------------------------------------------------------------- */

static int sio_reserve(StringIOObject *s, size_t need) {
    if (need <= s->cap) return 0;
    if (need > ((size_t)1 << 58)) {
        error_no_memory();
        return -1;
    }
    size_t cap = need + need / 4 + 16;
    uint32_t *buf = s->buf ? mem_realloc(s->buf, s->cap * sizeof(uint32_t), cap * sizeof(uint32_t))
                           : mem_alloc(cap * sizeof(uint32_t));
    if (!buf) {
        error_no_memory();
        return -1;
    }
    s->buf = buf;
    s->cap = cap;
    return 0;
}

/* Write u[0..n) at pos (NUL-padding a gap after the end); pos moves past it. */
static int sio_put(StringIOObject *s, const uint32_t *u, size_t n) {
    if (n == 0) return 0;
    if (sio_reserve(s, s->pos + n) < 0) return -1;
    if (s->pos > s->len) memset(s->buf + s->len, 0, (s->pos - s->len) * sizeof(uint32_t));
    memcpy(s->buf + s->pos, u, n * sizeof(uint32_t));
    s->pos += n;
    if (s->pos > s->len) s->len = s->pos;
    return 0;
}

/* Apply newline translation to u[0..*n) in place or into a new array
   (returned; the old one is freed). */
static uint32_t *sio_translate(StringIOObject *s, uint32_t *u, size_t *n, unsigned *seen) {
    size_t count = *n, k = 0;
    if (s->newline == NEWLINE_ANY) { /* kept as written, but .newlines still reports */
        for (size_t i = 0; i < count; i++) {
            if (u[i] == '\r') {
                bool crlf = i + 1 < count && u[i + 1] == '\n';
                *seen |= crlf ? SEEN_CRLF : SEEN_CR;
                i += crlf;
            } else if (u[i] == '\n') {
                *seen |= SEEN_LF;
            }
        }
        return u;
    }
    if (s->newline == NEWLINE_NONE) {
        for (size_t i = 0; i < count; i++) {
            if (u[i] == '\r') {
                bool crlf = i + 1 < count && u[i + 1] == '\n';
                *seen |= crlf ? SEEN_CRLF : SEEN_CR;
                if (crlf) i++;
                u[k++] = '\n';
            } else {
                if (u[i] == '\n') *seen |= SEEN_LF;
                u[k++] = u[i];
            }
        }
        *n = k;
        return u;
    }
    if (s->newline != NEWLINE_CR && s->newline != NEWLINE_CRLF) return u;
    size_t lf = 0;
    for (size_t i = 0; i < count; i++) lf += u[i] == '\n';
    if (lf == 0) return u;
    if (s->newline == NEWLINE_CR) {
        for (size_t i = 0; i < count; i++) if (u[i] == '\n') u[i] = '\r';
        return u;
    }
    uint32_t *out = mem_alloc((count + lf) * sizeof(uint32_t));
    if (!out) {
        mem_free(u, (count ? count : 1) * sizeof(uint32_t));
        error_no_memory();
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        if (u[i] == '\n') out[k++] = '\r';
        out[k++] = u[i];
    }
    mem_free(u, (count ? count : 1) * sizeof(uint32_t));
    *n = k;
    return out;
}

/* Write str text with translation; the count written is len(text). */
static int sio_write_str(StringIOObject *s, Object *text) {
    size_t n, alloc_n;
    uint32_t *u = sio_decode(text, &n);
    if (!u) return -1;
    alloc_n = n;
    unsigned seen = 0;
    uint32_t *t = sio_translate(s, u, &n, &seen);
    if (!t) return -1;
    if (t != u) alloc_n = n;
    int r = sio_put(s, t, n);
    mem_free(t, (alloc_n ? alloc_n : 1) * sizeof(uint32_t));
    s->newline_seen |= seen;
    return r;
}

/* ---- Arguments and checks ---------------------------------------------------------- */

static int sio_check_open(StringIOObject *s) {
    if (!s->closed) return 0;
    error_set(&exc_ValueError, "I/O operation on closed file");
    return -1;
}

/* The methods CPython's StringIO inherits from IOBase (readlines,
   writelines, isatty) end their message with a period. */
static int sio_check_open_iobase(StringIOObject *s) {
    if (!s->closed) return 0;
    error_set(&exc_ValueError, "I/O operation on closed file.");
    return -1;
}

/* A size argument: an int (or __index__), or None for -1. */
static int sio_size_arg(Object *o, int64_t *out) {
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

/* The one optional size argument of read/readline/readlines/truncate.
   Its __index__ may run Toy code, so the methods convert it before they
   take the lock (below), and test for a closed file after. */
static int sio_parse_size(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                          int64_t *out) {
    if (args_check(fname, nargs, kwnames, 0, 1) < 0) return -1;
    return sio_size_arg(nargs ? args[0] : NULL, out);
}

/* ---- Construction ------------------------------------------------------------------ */

static int sio_newline_arg(Object *o, NewlineMode *out) {
    if (o == None) {
        *out = NEWLINE_NONE;
        return 0;
    }
    if (!is_str(o)) {
        error_set(&exc_TypeError, "newline must be str or None, not %s", TYPE_NAME(o));
        return -1;
    }
    const char *t = str_data(o);
    size_t n = str_len(o);
    if (n == 0) *out = NEWLINE_ANY;
    else if (n == 1 && t[0] == '\n') *out = NEWLINE_LF;
    else if (n == 1 && t[0] == '\r') *out = NEWLINE_CR;
    else if (n == 2 && t[0] == '\r' && t[1] == '\n') *out = NEWLINE_CRLF;
    else {
        Object *r = object_repr(o);
        if (r) error_set(&exc_ValueError, "illegal newline value: %s", str_data(r));
        XDECREF(r);
        return -1;
    }
    return 0;
}

static Object *stringio_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    static const char *const names[] = {"initial_value", "newline", NULL};
    Object *a[2];
    if (args_parse("StringIO", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    Object *init = a[0] ? a[0] : None;
    NewlineMode mode = NEWLINE_LF;
    if (a[1] && sio_newline_arg(a[1], &mode) < 0) return NULL;
    if (init != None && !is_str(init))
        return error_set(&exc_TypeError, "initial_value must be str or None, not %s", TYPE_NAME(init));
    StringIOObject *s = (StringIOObject *)object_alloc(&stringio_type, sizeof(StringIOObject));
    if (!s) return NULL;
    s->newline = mode;
    if (init != None && sio_write_str(s, init) < 0) {
        DECREF(s);
        return NULL;
    }
    s->pos = 0;
    return (Object *)s;
}

static void stringio_dealloc(Object *self) {
    StringIOObject *s = SIO(self);
    if (s->buf) mem_free(s->buf, s->cap * sizeof(uint32_t));
    object_free(self, sizeof(StringIOObject));
}

/* ---- Reading ----------------------------------------------------------------------- */

/* Up to size characters from pos (all when size < 0). */
static Object *sio_take(StringIOObject *s, int64_t size) {
    size_t avail = s->pos < s->len ? s->len - s->pos : 0;
    size_t n = size < 0 || (uint64_t)size > avail ? avail : (size_t)size;
    Object *r = sio_encode(s->buf + s->pos, n);
    if (r) s->pos += n;
    return r;
}

/* Length of the line starting at pos, newline included, at most limit. */
static size_t sio_line_length(StringIOObject *s, int64_t limit) {
    size_t start = s->pos, end = s->len;
    if (start >= end) return 0;
    if (limit >= 0 && (uint64_t)limit < end - start) end = start + (size_t)limit;
    const uint32_t *b = s->buf;
    for (size_t i = start; i < end; i++) {
        uint32_t c = b[i];
        switch (s->newline) {
        case NEWLINE_NONE: case NEWLINE_LF:
            if (c == '\n') return i + 1 - start;
            break;
        case NEWLINE_CR:
            if (c == '\r') return i + 1 - start;
            break;
        case NEWLINE_CRLF:
            if (c == '\r' && i + 1 < end && b[i + 1] == '\n') return i + 2 - start;
            break;
        case NEWLINE_ANY:
            if (c == '\n') return i + 1 - start;
            if (c == '\r') return (i + 1 < end && b[i + 1] == '\n' ? i + 2 : i + 1) - start;
            break;
        }
    }
    return end - start;
}

static Object *sio_read_locked(StringIOObject *s, int64_t size) {
    return sio_check_open(s) < 0 ? NULL : sio_take(s, size);
}

static Object *sio_readline_locked(StringIOObject *s, int64_t size) {
    return sio_check_open(s) < 0 ? NULL : sio_take(s, (int64_t)sio_line_length(s, size));
}

/* readlines' lines, taken under the lock into a growable array (*lines,
   *n of *cap used, for list_steal_array). */
static int sio_take_lines(StringIOObject *s, int64_t hint, Object ***lines, size_t *n, size_t *cap) {
    if (sio_check_open_iobase(s) < 0) return -1;
    size_t total = 0, len;
    while ((len = sio_line_length(s, -1)) > 0) {
        if (!mem_grow(lines, *n, cap, sizeof **lines, 8)) {
            error_no_memory();
            return -1;
        }
        Object *line = sio_take(s, (int64_t)len);
        if (!line) return -1;
        (*lines)[(*n)++] = line;
        total += len;
        if (hint > 0 && total > (uint64_t)hint) break; /* IOBase.readlines: more than hint */
    }
    return 0;
}

/* read(), readline(): the size converted, then the rest under
   the lock (core/objlock.h; nothing in the GIL build). */
#define SIO_SIZED_METHOD(name, body)                                                        \
    static Object *stringio_##name(Object *self, Object *const *args, size_t nargs,         \
                                   Object *kwnames) {                                       \
        int64_t size;                                                                       \
        if (sio_parse_size("StringIO." #name, args, nargs, kwnames, &size) < 0) return NULL; \
        objlock_lock(self);                                                                 \
        Object *r = body(SIO(self), size);                                                  \
        objlock_unlock(self);                                                               \
        return r;                                                                           \
    }
SIO_SIZED_METHOD(read, sio_read_locked)
SIO_SIZED_METHOD(readline, sio_readline_locked)

/* The list is made after unlocking: no other object's lock is taken under
   this one. */
static Object *stringio_readlines(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t hint;
    if (sio_parse_size("StringIO.readlines", args, nargs, kwnames, &hint) < 0) return NULL;
    Object **lines = NULL;
    size_t n = 0, cap = 0;
    objlock_lock(self);
    int rc = sio_take_lines(SIO(self), hint, &lines, &n, &cap);
    objlock_unlock(self);
    return list_steal_array(rc == 0, lines, n, cap);
}

static Object *stringio_iter(Object *self) {
    if (SIO(self)->closed) return error_set(&exc_ValueError, "I/O operation on closed file.");
    return NEWREF(self);
}

/* next(): the next line; NULL without an exception at the end. */
static Object *stringio_iternext(Object *self) {
    StringIOObject *s = SIO(self);
    if (sio_check_open(s) < 0) return NULL;
    size_t n = sio_line_length(s, -1);
    return n ? sio_take(s, (int64_t)n) : NULL;
}

static Object *stringio_getvalue(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("StringIO.getvalue", nargs, kwnames, 0, 0) < 0 || sio_check_open(SIO(self)) < 0)
        return NULL;
    return sio_encode(SIO(self)->buf, SIO(self)->len);
}

/* ---- Writing ----------------------------------------------------------------------- */

static Object *stringio_write(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("StringIO.write", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!is_str(args[0]))
        return error_set(&exc_TypeError, "string argument expected, got '%s'", TYPE_NAME(args[0]));
    objlock_lock(self);
    int r = sio_check_open(SIO(self)) < 0 ? -1 : sio_write_str(SIO(self), args[0]);
    objlock_unlock(self);
    return r < 0 ? NULL : int_from_i64((int64_t)((StrObject *)args[0])->nchars);
}

static int write_line(Object *self, Object *line) {
    Object *r = stringio_write(self, &line, 1, NULL);
    XDECREF(r);
    return r ? 0 : -1;
}

/* The iteration runs Toy code, so it runs without the lock, which each
   line's write takes (as CPython calls write() per line). */
static Object *stringio_writelines(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("StringIO.writelines", nargs, kwnames, 1, 1) < 0) return NULL;
    objlock_lock(self);
    int open = sio_check_open_iobase(SIO(self));
    objlock_unlock(self);
    return open < 0 ? NULL : object_writelines(self, args[0], write_line);
}

static Object *sio_truncate_locked(StringIOObject *s, bool to_pos, int64_t size) {
    if (sio_check_open(s) < 0) return NULL;
    if (to_pos) size = (int64_t)s->pos;
    else if (size < 0) return error_set(&exc_ValueError, "Negative size value %lld", (long long)size);
    if ((uint64_t)size < s->len) s->len = (size_t)size;
    return int_from_i64(size);
}

static Object *stringio_truncate(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t size;
    if (sio_parse_size("StringIO.truncate", args, nargs, kwnames, &size) < 0) return NULL;
    objlock_lock(self);
    Object *r = sio_truncate_locked(SIO(self), nargs == 0 || args[0] == None, size);
    objlock_unlock(self);
    return r;
}

/* ---- Positioning ------------------------------------------------------------------- */

static Object *sio_seek_locked(StringIOObject *s, int64_t pos, int64_t whence) {
    if (sio_check_open(s) < 0) return NULL;
    if (whence < 0 || whence > 2)
        return error_set(&exc_ValueError, "Invalid whence (%lld, should be 0, 1 or 2)", (long long)whence);
    if (whence == 0 && pos < 0)
        return error_set(&exc_ValueError, "Negative seek position %lld", (long long)pos);
    if (whence != 0 && pos != 0) return error_set(&exc_OSError, "Can't do nonzero cur-relative seeks");
    if (whence == 0) s->pos = (size_t)pos;
    else if (whence == 2) s->pos = s->len;
    return int_from_i64((int64_t)s->pos);
}

/* The arguments' __index__ runs before the lock is taken. */
static Object *stringio_seek(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t pos, whence = 0;
    if (args_check("StringIO.seek", nargs, kwnames, 1, 2) < 0 || int_as_i64(args[0], &pos) < 0 ||
        (nargs > 1 && int_as_i64(args[1], &whence) < 0))
        return NULL;
    objlock_lock(self);
    Object *r = sio_seek_locked(SIO(self), pos, whence);
    objlock_unlock(self);
    return r;
}

static Object *stringio_tell(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("StringIO.tell", nargs, kwnames, 0, 0) < 0 || sio_check_open(SIO(self)) < 0)
        return NULL;
    return int_from_i64((int64_t)SIO(self)->pos);
}

/* ---- State and the rest of the file protocol ----------------------------------------- */

static Object *stringio_close(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("StringIO.close", nargs, kwnames, 0, 0) < 0) return NULL;
    StringIOObject *s = SIO(self);
    s->closed = true;
    if (s->buf) mem_free(s->buf, s->cap * sizeof(uint32_t));
    s->buf = NULL;
    s->len = s->cap = s->pos = 0;
    return NEWREF(None);
}

/* readable(), writable(), seekable(): True while open. */
static Object *stringio_true_if_open(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("StringIO.readable", nargs, kwnames, 0, 0) < 0 || sio_check_open(SIO(self)) < 0)
        return NULL;
    return NEWREF(True_);
}

static Object *stringio_isatty(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("StringIO.isatty", nargs, kwnames, 0, 0) < 0 || sio_check_open_iobase(SIO(self)) < 0)
        return NULL;
    return NEWREF(False_);
}

/* flush() does nothing, even on a closed StringIO (as in CPython). */
static Object *stringio_flush(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("StringIO.flush", nargs, kwnames, 0, 0) < 0) return NULL;
    return NEWREF(None);
}

static Object *stringio_fileno(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args; (void)nargs; (void)kwnames;
    return error_set(&exc_UnsupportedOperation, "fileno");
}

static Object *stringio_detach(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args; (void)nargs; (void)kwnames;
    return error_set(&exc_UnsupportedOperation, "detach");
}

static Object *stringio_enter(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("__enter__", nargs, kwnames, 0, 0) < 0) return NULL;
    if (SIO(self)->closed) return error_set(&exc_ValueError, "I/O operation on closed file.");
    return NEWREF(self);
}

static Object *stringio_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    Object *r = stringio_close(self, NULL, 0, NULL);
    XDECREF(r);
    return r ? NEWREF(None) : NULL;
}

/* newlines: which line endings a newline=None or newline='' StringIO has seen. */
static Object *sio_newlines(StringIOObject *s) {
    static const char *const names[] = {"\r", "\n", "\r\n"};
    Object *found[3];
    size_t n = 0;
    for (int bit = 0; bit < 3; bit++)
        if (s->newline_seen & (1u << bit)) found[n++] = str_from_cstr(names[bit]);
    for (size_t i = 0; i < n; i++)
        if (!found[i]) {
            for (size_t j = 0; j < n; j++) XDECREF(found[j]);
            return NULL;
        }
    if (n == 0) return NEWREF(None);
    if (n == 1) return found[0];
    Object *t = tuple_new(n);
    for (size_t i = 0; i < n; i++) {
        if (t) tuple_set_steal(t, i, found[i]);
        else DECREF(found[i]);
    }
    return t;
}

static Object *stringio_getattr(Object *self, Object *name) {
    StringIOObject *s = SIO(self);
    const char *n = str_data(name);
    if (strcmp(n, "closed") == 0) return bool_from(s->closed);
    if (strcmp(n, "line_buffering") == 0)
        return sio_check_open(s) < 0 ? NULL : NEWREF(False_);
    if (strcmp(n, "newlines") == 0) return sio_check_open(s) < 0 ? NULL : sio_newlines(s);
    if (strcmp(n, "encoding") == 0 || strcmp(n, "errors") == 0) return NEWREF(None);
    return object_generic_getattr(self, name);
}

/* toy-ft (core/objlock.h): every method holds the object's lock while it
   reads or changes the buffer, position and closed flag (they change
   together), so two threads' reads and writes never interleave inside one
   call. No Toy code runs under it, nor does any other object's lock:
   read, readline, readlines, truncate and seek convert their arguments
   first (readlines makes its list after unlocking), write and writelines
   lock themselves (writelines once per line, its iteration outside), and
   the rest below hold it for the whole call. */
#ifdef TOY_FREE_THREADED
OBJLOCK_METHOD(stringio_getvalue)
OBJLOCK_METHOD(stringio_tell)
OBJLOCK_METHOD(stringio_close)
OBJLOCK_METHOD(stringio_flush)
OBJLOCK_METHOD(stringio_true_if_open)
OBJLOCK_METHOD(stringio_isatty)
OBJLOCK_METHOD(stringio_fileno)
OBJLOCK_METHOD(stringio_detach)
OBJLOCK_METHOD(stringio_enter)
OBJLOCK_METHOD(stringio_exit)
#define LM(fn) fn##_locked

static Object *stringio_iternext_locked(Object *self) {
    objlock_lock(self);
    Object *r = stringio_iternext(self);
    objlock_unlock(self);
    return r;
}

/* the state's attributes under the lock; the rest (methods, a
   subclass's attributes) as usual */
static Object *stringio_getattr_locked(Object *self, Object *name) {
    const char *n = str_data(name);
    if (strcmp(n, "closed") != 0 && strcmp(n, "newlines") != 0 && strcmp(n, "line_buffering") != 0) return stringio_getattr(self, name);
    objlock_lock(self);
    Object *r = stringio_getattr(self, name);
    objlock_unlock(self);
    return r;
}
#define LOCKED_SLOT(fn) fn##_locked
#else
#define LM(fn) fn
#define LOCKED_SLOT(fn) fn
#endif

static const MethodDef stringio_methods[] = {
    {"read", stringio_read, "read(size=-1): up to size characters, all if negative or None."},
    {"readline", stringio_readline, "The next line, with its line ending ('' at the end)."},
    {"readlines", stringio_readlines, NULL},
    {"write", stringio_write, "Write a str; returns its length."},
    {"writelines", stringio_writelines, NULL},
    {"getvalue", LM(stringio_getvalue), "The whole text, wherever the position is."},
    {"seek", stringio_seek, NULL},
    {"tell", LM(stringio_tell), NULL},
    {"truncate", stringio_truncate, NULL},
    {"close", LM(stringio_close), NULL},
    {"flush", LM(stringio_flush), NULL},
    {"readable", LM(stringio_true_if_open), NULL},
    {"writable", LM(stringio_true_if_open), NULL},
    {"seekable", LM(stringio_true_if_open), NULL},
    {"isatty", LM(stringio_isatty), NULL},
    {"fileno", LM(stringio_fileno), NULL},
    {"detach", LM(stringio_detach), NULL},
    {"__enter__", LM(stringio_enter), NULL},
    {"__exit__", LM(stringio_exit), NULL},
    {NULL, NULL, NULL},
};

Type stringio_type = {
    TYPE_HEAD_INIT,
    .name = "_io.StringIO",
    .base_type = &object_type,
    .instance_size = sizeof(StringIOObject),
    .methods = stringio_methods,
    .dealloc = stringio_dealloc,
    .hash = object_identity_hash,
    .construct = stringio_construct,
    .getattr = LOCKED_SLOT(stringio_getattr),
    .iter = stringio_iter,
    .iternext = LOCKED_SLOT(stringio_iternext),
};
