/* sharedmem.c - the _sharedmem module: Block, a region of memory mapped
 * MAP_SHARED, and the typed reads and writes of its items.
 *
 * A Block is made anonymous (Block(size): shared with the children forked
 * after it) or from a POSIX shared memory object (open(path, create, size):
 * shared with whoever opens the same name). Its memory is mapped until
 * close() or until the Block is freed; the descriptor of a named object is
 * closed as soon as it is mapped, since the mapping keeps the object.
 *
 * A Block lends its bytes through the buffer protocol (memoryview(block)),
 * counting the loans in `exports`: close() refuses while any is held, so a
 * view never outlives the mapping.
 *
 * Items are read and written with the item codes of the array module
 * ('c' 'b' 'B' 'h' 'H' 'i' 'I' 'l' 'L' 'q' 'Q' 'f' 'd' 'u') and the
 * conversions of the ctypes types that multiprocessing uses for them:
 * integers are truncated to the item's width without complaint (c_int(2**32)
 * is c_int(0)), 'c' takes a one-byte bytes or an int in 0..255, 'u' a
 * one-character str. No locking here: several processes may write the same
 * item at once, which is what multiprocessing's locks are for. Within one
 * process every call holds the GIL.
 */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytearray.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/str.h"
#include "modules/sharedmem.h"

typedef struct {
    Object base;
    char *data;       /* the mapping; NULL once closed */
    size_t size;      /* bytes asked for (0 is allowed) */
    size_t mapped;    /* bytes mapped: size, or 1 for an empty block */
    int64_t exports;  /* buffers lent and not yet given back */
} BlockObject;

#define BLOCK(o) ((BlockObject *)(o))

/* ---- Item codes ------------------------------------------------------------------ */

/* Bytes of one item of code c, or 0 when c is not an item code. */
static size_t code_size(int c) {
    switch (c) {
    case 'c': case 'b': case 'B': return 1;
    case 'h': case 'H': return sizeof(short);
    case 'i': case 'I': return sizeof(int);
    case 'l': case 'L': return sizeof(long);
    case 'q': case 'Q': return sizeof(long long);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'u': return sizeof(uint32_t);
    default: return 0;
    }
}

/* The code a str argument names, or -1 with ctypes' TypeError. */
static int code_arg(Object *o, size_t *size) {
    if (is_str(o) && str_len(o) == 1 && (*size = code_size(str_data(o)[0])) != 0)
        return str_data(o)[0];
    error_set(&exc_TypeError, "this type has no size");
    return -1;
}

static Object *int_from_u64(uint64_t v) {
    if (v <= INT64_MAX) return int_from_i64((int64_t)v);
    uint32_t digits[2] = {(uint32_t)v, (uint32_t)(v >> 32)};
    return int_from_digits(digits, 2, false);
}

/* A signed item of n bytes at p, sign-extended. */
static int64_t load_signed(const char *p, size_t n) {
    switch (n) {
    case 1: { int8_t v; memcpy(&v, p, 1); return v; }
    case 2: { int16_t v; memcpy(&v, p, 2); return v; }
    case 4: { int32_t v; memcpy(&v, p, 4); return v; }
    default: { int64_t v; memcpy(&v, p, 8); return v; }
    }
}

static uint64_t load_unsigned(const char *p, size_t n) {
    switch (n) {
    case 1: { uint8_t v; memcpy(&v, p, 1); return v; }
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

/* The low n bytes of v, stored at p. */
static void store_bits(char *p, size_t n, uint64_t v) {
    switch (n) {
    case 1: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

/* One code point as a str; ValueError beyond Unicode's range. */
static Object *char_from_code_point(uint32_t cp) {
    if (cp > 0x10FFFF)
        return error_set(&exc_ValueError, "character U+%x is not in range [U+0000; U+10ffff]",
                         (unsigned)cp);
    char buf[4];
    return str_from_utf8(buf, str_utf8_encode(cp, buf));
}

/* The code point of a one-character str (whose UTF-8 is valid). */
static uint32_t code_point_of(Object *s) {
    const unsigned char *p = (const unsigned char *)str_data(s);
    size_t n = str_len(s);
    if (n == 1) return p[0];
    uint32_t cp = p[0] & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++) cp = (cp << 6) | (p[i] & 0x3F);
    return cp;
}

/* The item of code c at p as a Toy object. */
static Object *item_get(int c, const char *p) {
    size_t n = code_size(c);
    switch (c) {
    case 'c': return bytes_from_data(p, 1);
    case 'f': { float v; memcpy(&v, p, sizeof v); return float_from_double(v); }
    case 'd': { double v; memcpy(&v, p, sizeof v); return float_from_double(v); }
    case 'u': return char_from_code_point((uint32_t)load_unsigned(p, n));
    case 'b': case 'h': case 'i': case 'l': case 'q': return int_from_i64(load_signed(p, n));
    default: return int_from_u64(load_unsigned(p, n));
    }
}

/* An integer's low 64 bits, two's complement, as ctypes keeps them: any
   object with __index__, however large. 0 / -1. */
static int int_low_bits(Object *o, uint64_t *out) {
    Object *i = object_index(o);
    if (!i) return -1;
    const uint32_t *digits;
    uint32_t buf[2];
    bool negative;
    size_t n = int_digits_view(i, &digits, buf, &negative);
    uint64_t v = n > 0 ? digits[0] : 0;
    if (n > 1) v |= (uint64_t)digits[1] << 32;
    DECREF(i);
    *out = negative ? (uint64_t)0 - v : v;
    return 0;
}

static int char_set(char *p, Object *v) {
    if ((is_bytes(v) && bytes_size(v) == 1) || (is_bytearray(v) && bytearray_size(v) == 1)) {
        *p = is_bytes(v) ? bytes_data(v)[0] : bytearray_data(v)[0];
        return 0;
    }
    if (is_int(v) && int_is_small(v) && int_value(v) >= 0 && int_value(v) <= 255) {
        *p = (char)(unsigned char)int_value(v);
        return 0;
    }
    error_set(&exc_TypeError, "one character bytes, bytearray or integer expected");
    return -1;
}

static int wchar_set(char *p, Object *v) {
    if (!is_str(v)) {
        error_set(&exc_TypeError, "unicode string expected instead of %s instance", TYPE_NAME(v));
        return -1;
    }
    if (((StrObject *)v)->nchars != 1) {
        error_set(&exc_TypeError, "one character unicode string expected");
        return -1;
    }
    store_bits(p, sizeof(uint32_t), code_point_of(v));
    return 0;
}

static int float_set(int c, char *p, Object *v) {
    double d;
    if (object_as_double(v, &d) < 0) return -1;
    if (c == 'd') {
        memcpy(p, &d, sizeof d);
        return 0;
    }
    /* Out of float's range a C conversion is undefined: give what the
       hardware gives, an infinity. */
    float f = isfinite(d) && fabs(d) > FLT_MAX ? (d > 0 ? INFINITY : -INFINITY) : (float)d;
    memcpy(p, &f, sizeof f);
    return 0;
}

/* Write v as an item of code c at p. 0 / -1 (TypeError, OverflowError). */
static int item_set(int c, char *p, Object *v) {
    if (c == 'c') return char_set(p, v);
    if (c == 'u') return wchar_set(p, v);
    if (c == 'f' || c == 'd') return float_set(c, p, v);
    uint64_t bits;
    if (int_low_bits(v, &bits) < 0) return -1;
    store_bits(p, code_size(c), bits);
    return 0;
}

/* ---- Blocks ------------------------------------------------------------------------ */

static Object *block_from_mapping(char *data, size_t size, size_t mapped) {
    BlockObject *b = (BlockObject *)object_alloc(&shared_block_type, sizeof(BlockObject));
    if (!b) {
        munmap(data, mapped);
        return NULL;
    }
    b->data = data;
    b->size = size;
    b->mapped = mapped;
    b->exports = 0;
    return (Object *)b;
}

/* Map size bytes of fd (-1: anonymous memory, zero-filled), shared. */
static Object *block_map(int fd, size_t size) {
    size_t mapped = size ? size : 1;
    int flags = MAP_SHARED | (fd < 0 ? MAP_ANONYMOUS : 0);
    void *p = mmap(NULL, mapped, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (p == MAP_FAILED) return error_set_from_errno(errno, NULL);
    return block_from_mapping(p, size, mapped);
}

/* Block(size): size bytes of zeros, shared with children forked later. */
static Object *block_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    int64_t size;
    if (args_check("Block", nargs, kwnames, 1, 1) < 0 || object_as_index(args[0], &size, NULL) < 0)
        return NULL;
    if (size < 0) return error_set(&exc_ValueError, "negative size");
    return block_map(-1, (size_t)size);
}

static void block_unmap(BlockObject *b) {
    if (b->data) munmap(b->data, b->mapped);
    b->data = NULL;
}

static void block_dealloc(Object *o) {
    block_unmap(BLOCK(o));
    object_free(o, sizeof(BlockObject));
}

static int block_getbuffer(Object *self, Buffer *view) {
    BlockObject *b = BLOCK(self);
    if (!b->data) {
        error_set(&exc_ValueError, "mmap closed or invalid");
        return -1;
    }
    b->exports++;
    return buffer_fill(self, view, b->data, b->size, false);
}

static void block_releasebuffer(Object *self, Buffer *view) {
    (void)view;
    BLOCK(self)->exports--;
}

/* The item pointer for (code, index) of a block's arguments, or NULL with
   an exception: IndexError "invalid index" outside the block. */
static char *block_item(BlockObject *b, Object *code_obj, Object *index_obj, int *code) {
    size_t size;
    int64_t index;
    if ((*code = code_arg(code_obj, &size)) < 0 || object_as_index(index_obj, &index, NULL) < 0)
        return NULL;
    if (!b->data) {
        error_set(&exc_ValueError, "mmap closed or invalid");
        return NULL;
    }
    if (index < 0 || (uint64_t)index >= b->size / size) {
        error_set(&exc_IndexError, "invalid index");
        return NULL;
    }
    return b->data + (size_t)index * size;
}

/* get(code, index): the index-th item of the block read as code. */
static Object *block_get(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int code;
    if (args_check("get", nargs, kwnames, 2, 2) < 0) return NULL;
    char *p = block_item(BLOCK(self), args[0], args[1], &code);
    return p ? item_get(code, p) : NULL;
}

/* set(code, index, value) */
static Object *block_set(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int code;
    if (args_check("set", nargs, kwnames, 3, 3) < 0) return NULL;
    char *p = block_item(BLOCK(self), args[0], args[1], &code);
    if (!p || item_set(code, p, args[2]) < 0) return NULL;
    return NEWREF(None);
}

/* The items of code c at start, start+step, ... (count of them, all inside
   the block) as one bytes ('c'), str ('u') or list. */
static Object *block_collect(BlockObject *b, int c, size_t size, int64_t start, int64_t step,
                             int64_t count) {
    const char *base = b->data;
    if (c == 'c') {
        Object *r = bytes_new_raw((size_t)count);
        if (!r) return NULL;
        char *out = (char *)bytes_data(r);
        for (int64_t k = 0; k < count; k++) out[k] = base[start + k * step];
        return r;
    }
    Object *list = list_new((size_t)count);
    if (!list) return NULL;
    for (int64_t k = 0; k < count; k++) {
        Object *v = item_get(c, base + (size_t)(start + k * step) * size);
        if (!v) {
            DECREF(list);
            return NULL;
        }
        list_set_steal(list, (size_t)k, v);
    }
    if (c != 'u') return list;
    Object *empty = str_from_cstr("");
    Object *r = empty ? object_call_method(empty, "join", &list, 1) : NULL;
    XDECREF(empty);
    DECREF(list);
    return r;
}

/* read(code, start, step, count): items start, start+step, ... as a list
   (bytes for 'c', str for 'u'), as a slice of a ctypes array gives them. */
static Object *block_read(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    BlockObject *b = BLOCK(self);
    size_t size;
    int64_t start, step, count;
    int c;
    if (args_check("read", nargs, kwnames, 4, 4) < 0 || (c = code_arg(args[0], &size)) < 0 ||
        object_as_index(args[1], &start, NULL) < 0 || object_as_index(args[2], &step, NULL) < 0 ||
        object_as_index(args[3], &count, NULL) < 0)
        return NULL;
    if (!b->data) return error_set(&exc_ValueError, "mmap closed or invalid");
    int64_t n = (int64_t)(b->size / size), span, last;
    bool bad = count < 0 || count > n;
    if (!bad && count > 0)
        bad = start < 0 || start >= n || __builtin_mul_overflow(count - 1, step, &span) ||
              __builtin_add_overflow(start, span, &last) || last < 0 || last >= n;
    if (bad) return error_set(&exc_IndexError, "invalid index");
    return block_collect(b, c, size, start, step, count);
}

/* close(): unmap; BufferError while a view of the memory is held. */
static Object *block_close(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("close", nargs, kwnames, 0, 0) < 0) return NULL;
    if (BLOCK(self)->exports > 0)
        return error_set(&exc_BufferError, "cannot close exported pointers exist");
    block_unmap(BLOCK(self));
    return NEWREF(None);
}

static Object *block_size(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("size", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64((int64_t)BLOCK(self)->size);
}

static const MethodDef block_methods[] = {
    {"get", block_get, "get(code, index): read one item"},
    {"set", block_set, "set(code, index, value): write one item"},
    {"read", block_read, "read(code, start, step, count): read several items"},
    {"close", block_close, "unmap the memory"},
    {"size", block_size, "the size in bytes"},
    {NULL, NULL, NULL},
};

Type shared_block_type = {
    TYPE_HEAD_INIT,
    .name = "_sharedmem.Block",
    .base_type = &object_type,
    .instance_size = sizeof(BlockObject),
    .methods = block_methods,
    .dealloc = block_dealloc,
    .construct = block_construct,
    .hash = object_identity_hash,
    .getbuffer = block_getbuffer,
    .releasebuffer = block_releasebuffer,
};

/* ---- Named shared memory objects ----------------------------------------------------- */

/* Map the object that fd opened: size bytes of a new one (truncated to that
   size first), or all of an existing one. Closes fd. */
static Object *block_map_named(int fd, bool create, int64_t size, Object *path) {
    struct stat st;
    Object *r = NULL;
    if (create && ftruncate(fd, (off_t)size) < 0) {
        error_set_from_errno(errno, NULL);
        shm_unlink(str_data(path));
    } else if (!create && fstat(fd, &st) < 0) {
        error_set_from_errno(errno, NULL);
    } else if (!create && st.st_size == 0) {
        error_set(&exc_ValueError, "cannot mmap an empty file");
    } else {
        r = block_map(fd, create ? (size_t)size : (size_t)st.st_size);
        if (!r && create) shm_unlink(str_data(path));
    }
    close(fd);
    return r;
}

/* open(path, create, size): a Block of the shared memory object path
   ("/name"); with create, a new object of size bytes (FileExistsError if
   the name is taken), else the existing one, whole. */
static Object *sharedmem_open(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    int64_t size;
    if (args_check("open", nargs, kwnames, 3, 3) < 0) return NULL;
    Object *path = args[0];
    if (!is_str(path)) return error_set(&exc_TypeError, "open() argument 1 must be str");
    if (strlen(str_data(path)) != str_len(path))
        return error_set(&exc_ValueError, "embedded null character");
    int create = object_truth(args[1]);
    if (create < 0 || object_as_index(args[2], &size, NULL) < 0) return NULL;
    if (create && size <= 0) return error_set(&exc_ValueError, "size must be positive");
    int flags = O_RDWR | (create ? O_CREAT | O_EXCL : 0);
    int fd = shm_open(str_data(path), flags, 0600);
    if (fd < 0) return error_set_from_errno(errno, path);
    return block_map_named(fd, create, size, path);
}

/* unlink(path): remove the name; processes that mapped it keep the memory. */
static Object *sharedmem_unlink(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("unlink", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!is_str(args[0])) return error_set(&exc_TypeError, "unlink() argument 1 must be str");
    if (strlen(str_data(args[0])) != str_len(args[0]))
        return error_set(&exc_ValueError, "embedded null character");
    if (shm_unlink(str_data(args[0])) < 0) return error_set_from_errno(errno, args[0]);
    return NEWREF(None);
}

/* token(): 8 random hex digits, for the name of a new shared memory object. */
static Object *sharedmem_token(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("token", nargs, kwnames, 0, 0) < 0) return NULL;
    unsigned char r[4];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) return error_set_from_errno(errno, NULL);
    return str_from_format("%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
}

/* sizeof(code): bytes of one item; TypeError "this type has no size" for
   anything that is not an item code (as ctypes.sizeof). */
static Object *sharedmem_sizeof(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    size_t size;
    if (args_check("sizeof", nargs, kwnames, 1, 1) < 0 || code_arg(args[0], &size) < 0) return NULL;
    return int_from_i64((int64_t)size);
}

static const MethodDef sharedmem_functions[] = {
    {"open", sharedmem_open, "open(path, create, size): map a POSIX shared memory object"},
    {"unlink", sharedmem_unlink, "unlink(path): remove a shared memory object's name"},
    {"token", sharedmem_token, "token(): 8 random hex digits"},
    {"sizeof", sharedmem_sizeof, "sizeof(code): bytes of one item"},
    {NULL, NULL, NULL},
};

Object *sharedmem_module_init(void) {
    Object *m = module_new("_sharedmem");
    if (!m) return NULL;
    if (module_add_functions(m, sharedmem_functions) < 0 ||
        module_add_object(m, "Block", (Object *)&shared_block_type) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
