/* structmodule.c - the struct module: converting between Python values and
 * C structs held in bytes (pack, unpack, calcsize, pack_into, unpack_from,
 * iter_unpack, the Struct class and struct.error).
 *
 * A format string is compiled once into a StructLayout: its byte order and
 * a list of codes, each with a repeat count and an offset. '@' (the
 * default) uses the machine's sizes, alignment and byte order; '=', '<',
 * '>' and '!' use the standard sizes (h 2, i/l 4, q 8, ...), no alignment,
 * and native, little or big byte order. Items are converted through the
 * machine's own types (objects/buffer.h reads them), after the bytes of a
 * standard-order item have been put in the machine's order.
 *
 * struct.error is a class created when the module is first imported (a
 * heap class, so that it prints as struct.error and can be subclassed); the
 * module's functions find it in their module's dict, Struct() in the
 * struct module of sys.modules, and each Struct keeps a reference to it.
 *
 * Error messages are CPython 3.11's, including its different wordings per
 * code ("byte format requires -128 <= number <= 127", "argument out of
 * range", "'I' format requires 0 <= number <= 4294967295").
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytearray.h"
#include "objects/bytes.h"
#include "objects/class.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "modules/structmodule.h"

/* ---- Layouts -------------------------------------------------------------------- */

typedef struct {
    char code;      /* the format character */
    size_t count;   /* repeat count; for 's' and 'p' the string's length */
    size_t offset;  /* of the first item */
    size_t size;    /* of one item */
} StructCode;

typedef struct {
    char order;          /* '@', '=', '<', '>' or '!' */
    size_t size;         /* bytes of a whole struct */
    size_t nvalues;      /* Python values packed or unpacked */
    StructCode *codes;   /* mem_alloc'd */
    size_t ncodes;
} StructLayout;

static bool host_little_endian(void) {
    const uint16_t probe = 1;
    return *(const uint8_t *)&probe == 1;
}

/* The size of a code in the standard modes, 0 if the code has none there. */
static size_t standard_size(char c) {
    switch (c) {
    case 'x': case 'c': case 'b': case 'B': case '?': case 's': case 'p': return 1;
    case 'h': case 'H': case 'e': return 2;
    case 'i': case 'I': case 'l': case 'L': case 'f': return 4;
    case 'q': case 'Q': case 'd': return 8;
    default: return 0;
    }
}

static size_t code_size(char order, char c) {
    if (order != '@') return standard_size(c);
    if (c == 'x' || c == 's' || c == 'p') return 1;
    return buffer_native_size(c);
}

static void layout_free(StructLayout *l) {
    if (l->codes) mem_free(l->codes, l->ncodes * sizeof *l->codes);
    l->codes = NULL;
}

static Object *struct_error(Object *error_class, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static Object *struct_error(Object *error_class, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return error_set((Type *)error_class, "%s", msg);
}

/* Reads a repeat count at *p; -1 (with struct.error) when it is too large. */
static int parse_count(const char **p, const char *end, size_t *out, Object *error_class) {
    size_t n = 0;
    while (*p < end && **p >= '0' && **p <= '9') {
        if (n > ((size_t)1 << 60) / 10) {
            struct_error(error_class, "total struct size too long");
            return -1;
        }
        n = n * 10 + (size_t)(**p - '0');
        (*p)++;
    }
    *out = n;
    return 0;
}

static bool is_format_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Compiles the format text. 0, or -1 with struct.error. */
static int layout_parse(const char *fmt, size_t n, StructLayout *l, Object *error_class) {
    const char *p = fmt, *end = fmt + n;
    memset(l, 0, sizeof *l);
    l->order = '@';
    if (p < end && strchr("@=<>!", *p) && *p) l->order = *p++;
    size_t cap = 0, offset = 0;
    while (p < end) {
        if (is_format_space(*p)) {
            p++;
            continue;
        }
        size_t count = 1;
        bool counted = *p >= '0' && *p <= '9';
        if (counted && parse_count(&p, end, &count, error_class) < 0) goto fail;
        if (p >= end) {
            struct_error(error_class, "repeat count given without format specifier");
            goto fail;
        }
        char c = *p++;
        size_t size = c ? code_size(l->order, c) : 0;
        if (!size) {
            struct_error(error_class, "bad char in struct format");
            goto fail;
        }
        if (l->order == '@') { /* native alignment, before the run */
            size_t align = buffer_native_align(c == 'x' || c == 's' || c == 'p' ? 'c' : c);
            offset = (offset + align - 1) / align * align;
        }
        if (count > (((size_t)1 << 60) - offset) / size) {
            struct_error(error_class, "total struct size too long");
            goto fail;
        }
        if (!mem_grow(&l->codes, l->ncodes, &cap, sizeof *l->codes, 8)) {
            error_no_memory();
            goto fail;
        }
        l->codes[l->ncodes++] = (StructCode){c, count, offset, size};
        offset += count * size;
        l->nvalues += c == 'x' ? 0 : (c == 's' || c == 'p') ? 1 : count;
    }
    /* keep exactly ncodes entries, so that layout_free knows the size */
    if (cap != l->ncodes) {
        StructCode *codes = l->ncodes ? mem_realloc(l->codes, cap * sizeof *codes,
                                                    l->ncodes * sizeof *codes) : NULL;
        if (l->ncodes && !codes) {
            error_no_memory();
            goto fail;
        }
        if (!l->ncodes && l->codes) mem_free(l->codes, cap * sizeof *l->codes);
        l->codes = codes;
    }
    l->size = offset;
    return 0;
fail:
    if (l->codes) mem_free(l->codes, cap * sizeof *l->codes);
    l->codes = NULL;
    l->ncodes = 0;
    return -1;
}

/* A format argument: str or bytes. The text is borrowed from fmt. */
static int format_text(Object *fmt, const char **text, size_t *len) {
    if (is_str(fmt)) {
        if (!((StrObject *)fmt)->ascii) {
            /* CPython encodes the format as ASCII first */
            Object *r = bytes_encode(CODEC_ASCII, fmt, NULL);
            XDECREF(r);
            return -1;
        }
        *text = str_data(fmt);
        *len = str_len(fmt);
        return 0;
    }
    if (is_bytes(fmt)) {
        *text = bytes_data(fmt);
        *len = bytes_size(fmt);
        return 0;
    }
    error_set(&exc_TypeError, "Struct() argument 1 must be a str or bytes object, not %s",
              TYPE_NAME(fmt));
    return -1;
}

/* ---- Packing one item ---------------------------------------------------------------- */

/* Copies n bytes of a native-order value to out in the layout's order. */
static void store_ordered(char order, char *out, const void *value, size_t n) {
    bool want_little = order == '<' || ((order == '@' || order == '=') && host_little_endian());
    if (want_little == host_little_endian()) {
        memcpy(out, value, n);
        return;
    }
    const char *v = value;
    for (size_t i = 0; i < n; i++) out[i] = v[n - 1 - i];
}

/* Reads n bytes stored in the layout's order into native order at value. */
static void load_ordered(char order, const char *in, void *value, size_t n) {
    store_ordered(order, value, in, n); /* reversing is its own inverse */
}

/* The low `size` bytes of bits, as a native value of that size, stored. */
static void store_bits(char order, char *out, uint64_t bits, size_t size) {
    uint8_t b1 = (uint8_t)bits;
    uint16_t b2 = (uint16_t)bits;
    uint32_t b4 = (uint32_t)bits;
    const void *v = size == 1 ? (const void *)&b1 : size == 2 ? (const void *)&b2
                  : size == 4 ? (const void *)&b4 : (const void *)&bits;
    store_ordered(order, out, v, size);
}

/* "byte format requires -128 <= number <= 127": CPython names b B h H in
   its native-order packers, and gives the code itself elsewhere. */
static void range_error(char c, bool native_rules, int64_t lo, uint64_t hi, Object *error_class) {
    char name[8];
    const char *word = c == 'b' ? "byte" : c == 'B' ? "ubyte"
                     : !native_rules ? NULL : c == 'h' ? "short" : c == 'H' ? "ushort" : NULL;
    if (word) strcpy(name, word);
    else snprintf(name, sizeof name, "'%c'", c);
    struct_error(error_class, "%s format requires %lld <= number <= %llu", name, (long long)lo,
                 (unsigned long long)hi);
}

/* Does the layout store items in the machine's byte order? CPython packs
   those with its native packers, whose range checks and messages differ
   from those of its byte-swapping ones. */
static bool machine_order(char order) {
    if (order == '@' || order == '=') return true;
    return (order == '<') == host_little_endian();
}

/* An integer item: its two's-complement bits, checked against the code's
   range with CPython's messages. */
static int pack_integer(const StructCode *sc, char order, Object *v, uint64_t *bits,
                        Object *error_class) {
    char c = sc->code;
    if (!is_int(v) && !TYPE(v)->index && !type_lookup_cstr(TYPE(v), "__index__")) {
        struct_error(error_class, "required argument is not an integer");
        return -1;
    }
    Object *i = object_index(v);
    if (!i) return -1;
    int64_t s;
    uint64_t u;
    IntRange64 range = int_range64(i, &s, &u);
    DECREF(i);
    size_t size = sc->size;
    bool is_signed = strchr("bhilqn", c) != NULL, native_rules = machine_order(order);
    if (range == INT_FITS_I64 && s >= 0) {
        u = (uint64_t)s;
        range = INT_FITS_U64;
        if (is_signed || c == 'P') range = INT_FITS_I64;
    }
    if (c == 'P') { /* a pointer: any value of either sign that fits */
        if (range == INT_FITS_I64 || range == INT_FITS_U64) {
            *bits = range == INT_FITS_I64 ? (uint64_t)s : u;
            return 0;
        }
        struct_error(error_class, "int too large to convert");
        return -1;
    }
    if (size == 8) {
        bool fits = is_signed ? range == INT_FITS_I64 : range == INT_FITS_U64;
        if (fits) {
            *bits = is_signed ? (uint64_t)s : u;
            return 0;
        }
        struct_error(error_class, native_rules ? "argument out of range" : "int too large to convert");
        return -1;
    }
    /* the signed codes, and B (H too, natively), go through a C long */
    bool via_long = is_signed || c == 'B' || (c == 'H' && native_rules);
    uint64_t umax = ((uint64_t)1 << (8 * size)) - 1;
    if (via_long) {
        if (range == INT_FITS_U64 && u <= INT64_MAX) s = (int64_t)u;
        else if (range != INT_FITS_I64) goto out_of_range;
        int64_t lo = is_signed ? -(int64_t)((uint64_t)1 << (8 * size - 1)) : 0;
        int64_t hi = is_signed ? (int64_t)(((uint64_t)1 << (8 * size - 1)) - 1) : (int64_t)umax;
        if (s < lo || s > hi) {
            range_error(c, native_rules, lo, (uint64_t)hi, error_class);
            return -1;
        }
        *bits = (uint64_t)s;
        return 0;
    }
    /* the other unsigned codes: through a C unsigned long */
    if (range != INT_FITS_U64) goto out_of_range;
    if (u > umax) {
        range_error(c, native_rules, 0, umax, error_class);
        return -1;
    }
    *bits = u;
    return 0;
out_of_range:
    struct_error(error_class, "argument out of range");
    return -1;
}

static int pack_float(const StructCode *sc, char order, Object *v, char *out, Object *error_class) {
    double d;
    if (object_as_double(v, &d) < 0) {
        error_clear();
        struct_error(error_class, "required argument is not a float");
        return -1;
    }
    if (sc->code == 'd') {
        store_ordered(order, out, &d, sizeof d);
    } else if (sc->code == 'f') {
        float f = (float)d;
        if (order != '@' && isinf(f) && !isinf(d)) {
            error_set(&exc_OverflowError, "float too large to pack with f format");
            return -1;
        }
        store_ordered(order, out, &f, sizeof f);
    } else { /* 'e' */
        uint16_t h;
        if (buffer_double_to_half(d, &h) < 0) {
            error_set(&exc_OverflowError, "float too large to pack with e format");
            return -1;
        }
        store_ordered(order, out, &h, sizeof h);
    }
    return 0;
}

/* 's' and 'p': bytes or bytearray, cut or padded with zeros to count. */
static int pack_string(const StructCode *sc, Object *v, char *out, Object *error_class) {
    if (!is_bytes(v) && !is_bytearray(v)) {
        struct_error(error_class, "argument for '%c' must be a bytes object", sc->code);
        return -1;
    }
    const char *data = is_bytes(v) ? bytes_data(v) : bytearray_data(v);
    size_t n = is_bytes(v) ? bytes_size(v) : bytearray_size(v);
    memset(out, 0, sc->count);
    if (sc->code == 's') {
        memcpy(out, data, n < sc->count ? n : sc->count);
        return 0;
    }
    if (sc->count == 0) return 0;
    size_t room = sc->count - 1;
    if (n > room) n = room;
    if (n > 255) n = 255;
    out[0] = (char)n;
    memcpy(out + 1, data, n);
    return 0;
}

/* Packs one value (not 'x', 's' or 'p') of code sc at out. */
static int pack_one(const StructCode *sc, char order, Object *v, char *out, Object *error_class) {
    switch (sc->code) {
    case 'c':
        if (!is_bytes(v) || bytes_size(v) != 1) {
            struct_error(error_class, "char format requires a bytes object of length 1");
            return -1;
        }
        *out = bytes_data(v)[0];
        return 0;
    case '?': {
        int t = object_truth(v);
        if (t < 0) return -1;
        *out = (char)t;
        return 0;
    }
    case 'e': case 'f': case 'd':
        return pack_float(sc, order, v, out, error_class);
    default: {
        uint64_t bits;
        if (pack_integer(sc, order, v, &bits, error_class) < 0) return -1;
        store_bits(order, out, bits, sc->size);
        return 0;
    }
    }
}

/* Packs values[0..nvalues) into out (layout size bytes, zeroed here). */
static int layout_pack(const StructLayout *l, Object *const *values, char *out, Object *error_class) {
    memset(out, 0, l->size);
    size_t k = 0;
    for (size_t i = 0; i < l->ncodes; i++) {
        const StructCode *sc = &l->codes[i];
        char *at = out + sc->offset;
        if (sc->code == 'x') continue;
        if (sc->code == 's' || sc->code == 'p') {
            if (pack_string(sc, values[k++], at, error_class) < 0) return -1;
            continue;
        }
        for (size_t j = 0; j < sc->count; j++)
            if (pack_one(sc, l->order, values[k++], at + j * sc->size, error_class) < 0) return -1;
    }
    return 0;
}

/* ---- Unpacking ----------------------------------------------------------------------- */

/* The native code that reads a standard-size item of code c. */
static char native_code_for(char order, char c) {
    if (order == '@') return c;
    switch (c) {
    case 'l': return 'i';
    case 'L': return 'I';
    default: return c;
    }
}

static Object *unpack_one(const StructCode *sc, char order, const char *at) {
    if (sc->code == 's') return bytes_from_data(at, sc->count);
    if (sc->code == 'p') {
        if (sc->count == 0) return bytes_new_raw(0);
        size_t n = (unsigned char)at[0];
        if (n > sc->count - 1) n = sc->count - 1;
        return bytes_from_data(at + 1, n);
    }
    if (sc->code == '?') { /* any non-zero byte is True, in every mode */
        bool t = false;
        for (size_t i = 0; i < sc->size; i++) t |= at[i] != 0;
        return bool_from(t);
    }
    char native[8];
    load_ordered(order, at, native, sc->size);
    return buffer_native_unpack(native_code_for(order, sc->code), native);
}

/* The tuple of values in data (layout size bytes). */
static Object *layout_unpack(const StructLayout *l, const char *data) {
    Object *t = tuple_new(l->nvalues);
    if (!t) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < l->ncodes; i++) {
        const StructCode *sc = &l->codes[i];
        if (sc->code == 'x') continue;
        size_t reps = sc->code == 's' || sc->code == 'p' ? 1 : sc->count;
        for (size_t j = 0; j < reps; j++) {
            Object *v = unpack_one(sc, l->order, data + sc->offset + j * sc->size);
            if (!v) {
                DECREF(t);
                return NULL;
            }
            tuple_set_steal(t, k++, v);
        }
    }
    return t;
}

/* ---- The Struct type ------------------------------------------------------------------ */

typedef struct {
    Object base;
    StructLayout layout;
    Object *format;       /* str */
    Object *error_class;  /* struct.error (owned) */
} StructObject;

#define ST(o) ((StructObject *)(o))

static Object *struct_new(Object *fmt, Object *error_class) {
    const char *text;
    size_t len;
    if (format_text(fmt, &text, &len) < 0) return NULL;
    StructObject *s = (StructObject *)object_alloc(&struct_type, sizeof *s);
    if (!s) return NULL;
    s->error_class = NEWREF(error_class);
    if (layout_parse(text, len, &s->layout, error_class) < 0) {
        DECREF(s);
        return NULL;
    }
    s->format = is_str_exact(fmt) ? NEWREF(fmt) : str_from_utf8(text, len);
    if (!s->format) CLEAR((Object **)&s);
    return (Object *)s;
}

static void struct_dealloc(Object *self) {
    layout_free(&ST(self)->layout);
    XDECREF(ST(self)->format);
    XDECREF(ST(self)->error_class);
    object_free(self, sizeof(StructObject));
}

static Object *struct_do_pack(Object *self, Object *const *values, size_t n) {
    StructLayout *l = &ST(self)->layout;
    if (n != l->nvalues)
        return struct_error(ST(self)->error_class, "pack expected %zu items for packing (got %zu)",
                            l->nvalues, n);
    Object *r = bytes_new_raw(l->size);
    if (r && layout_pack(l, values, (char *)bytes_data(r), ST(self)->error_class) < 0) CLEAR(&r);
    return r;
}

/* pack_into(buffer, offset, *values) */
static Object *struct_do_pack_into(Object *self, Object *const *args, size_t nargs) {
    StructLayout *l = &ST(self)->layout;
    Object *error_class = ST(self)->error_class;
    if (nargs < 1) return struct_error(error_class, "pack_into expected buffer argument");
    if (nargs < 2) return struct_error(error_class, "pack_into expected offset argument");
    if (nargs - 2 != l->nvalues)
        return struct_error(error_class, "pack_into expected %zu items for packing (got %zu)",
                            l->nvalues, nargs - 2);
    Buffer view;
    if (!buffer_supported(args[0]))
        return error_set(&exc_TypeError, "argument must be read-write bytes-like object, not %s",
                         TYPE_NAME(args[0]));
    if (buffer_get(args[0], &view) < 0) return NULL;
    Object *r = NULL;
    int64_t offset;
    char *scratch = NULL;
    if (view.readonly) {
        error_set(&exc_TypeError, "argument must be read-write bytes-like object, not %s",
                  TYPE_NAME(args[0]));
        goto done;
    }
    if (object_as_index(args[1], &offset, NULL) < 0) goto done;
    int64_t len = (int64_t)view.len, size = (int64_t)l->size;
    if (offset < 0) {
        if (offset + size > 0) {
            struct_error(error_class, "no space to pack %lld bytes at offset %lld",
                         (long long)size, (long long)offset);
            goto done;
        }
        if (offset + len < 0) {
            struct_error(error_class, "offset %lld out of range for %lld-byte buffer",
                         (long long)offset, (long long)len);
            goto done;
        }
        offset += len;
    }
    if (len - offset < size) {
        struct_error(error_class, "pack_into requires a buffer of at least %lld bytes for packing "
                     "%lld bytes at offset %lld (actual buffer size is %lld)",
                     (long long)(size + offset), (long long)size, (long long)offset, (long long)len);
        goto done;
    }
    /* packed aside first: converting a value may run Toy code */
    if (!(scratch = mem_alloc(l->size ? l->size : 1))) {
        error_no_memory();
        goto done;
    }
    if (layout_pack(l, args + 2, scratch, error_class) < 0) goto done;
    memcpy(view.data + offset, scratch, l->size);
    r = NEWREF(None);
done:
    if (scratch) mem_free(scratch, l->size ? l->size : 1);
    buffer_release(&view);
    return r;
}

static Object *struct_do_unpack(Object *self, Object *buffer) {
    StructLayout *l = &ST(self)->layout;
    Buffer view;
    if (buffer_get(buffer, &view) < 0) return NULL;
    Object *r = view.len != l->size
        ? struct_error(ST(self)->error_class, "unpack requires a buffer of %zu bytes", l->size)
        : layout_unpack(l, view.data);
    buffer_release(&view);
    return r;
}

static Object *struct_do_unpack_from(Object *self, Object *buffer, Object *offset_obj) {
    StructLayout *l = &ST(self)->layout;
    Object *error_class = ST(self)->error_class;
    int64_t offset = 0;
    if (offset_obj && object_as_index(offset_obj, &offset, NULL) < 0) return NULL;
    Buffer view;
    if (buffer_get(buffer, &view) < 0) return NULL;
    int64_t len = (int64_t)view.len, size = (int64_t)l->size;
    Object *r = NULL;
    if (offset < 0) {
        if (offset + len < 0) {
            struct_error(error_class, "offset %lld out of range for %lld-byte buffer",
                         (long long)offset, (long long)len);
            goto done;
        }
        if (offset + size > 0) {
            struct_error(error_class, "not enough data to unpack %lld bytes at offset %lld",
                         (long long)size, (long long)offset);
            goto done;
        }
        offset += len;
    }
    if (len - offset < size) {
        struct_error(error_class, "unpack_from requires a buffer of at least %lld bytes for "
                     "unpacking %lld bytes at offset %lld (actual buffer size is %lld)",
                     (long long)(size + offset), (long long)size, (long long)offset, (long long)len);
        goto done;
    }
    r = layout_unpack(l, view.data + offset);
done:
    buffer_release(&view);
    return r;
}

/* ---- unpack_iterator: holds the buffer until it is exhausted ------------------------------- */

typedef struct {
    Object base;
    Object *structure;   /* the Struct (owned) */
    Buffer view;         /* released when exhausted */
    size_t offset;       /* view and offset: read and changed under the
                            iterator's own lock (toy-ft: threads may share it) */
} UnpackIterObject;

static Object *struct_do_iter_unpack(Object *self, Object *buffer) {
    StructLayout *l = &ST(self)->layout;
    if (l->size == 0)
        return struct_error(ST(self)->error_class, "cannot iteratively unpack with a struct of length 0");
    UnpackIterObject *it = (UnpackIterObject *)object_alloc(&unpack_iterator_type, sizeof *it);
    if (!it) return NULL;
    if (buffer_get(buffer, &it->view) < 0) {
        DECREF(it);
        return NULL;
    }
    it->structure = NEWREF(self);
    if (it->view.len % l->size != 0) {
        struct_error(ST(self)->error_class,
                     "iterative unpacking requires a buffer of a multiple of %zu bytes", l->size);
        DECREF(it);
        return NULL;
    }
    return (Object *)it;
}

/* Unlike the other iterators (core/iterstate.h), this one releases its
   buffer when exhausted in toy-ft too, since Python code can see the
   release (a bytearray may be resized again): the step and the release
   take turns under the iterator's lock, and the view is released after
   unlocking, as releasing it may free the exporter. */
static Object *unpack_iter_next(Object *self) {
    UnpackIterObject *it = (UnpackIterObject *)self;
    StructLayout *l = &ST(it->structure)->layout;
    Buffer spent = {0};
    Object *r = NULL;
    objlock_lock_nocode(self);
    if (it->view.obj && it->offset + l->size > it->view.len) {
        spent = it->view;
        it->view.obj = NULL;
    } else if (it->view.obj) {
        r = layout_unpack(l, it->view.data + it->offset);
        it->offset += l->size;
    }
    objlock_unlock_nocode(self);
    buffer_release(&spent);
    return r;
}

static Object *unpack_iter_self(Object *self) { return NEWREF(self); }

static void unpack_iter_dealloc(Object *self) {
    UnpackIterObject *it = (UnpackIterObject *)self;
    buffer_release(&it->view);
    XDECREF(it->structure);
    object_free(self, sizeof *it);
}

Type unpack_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "_struct.unpack_iterator",
    .base_type = &object_type,
    .instance_size = sizeof(UnpackIterObject),
    .dealloc = unpack_iter_dealloc,
    .iter = unpack_iter_self,
    .iternext = unpack_iter_next,
};

/* ---- Struct's methods ------------------------------------------------------------------------ */

static Object *struct_pack_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (kwnames && tuple_size(kwnames))
        return error_set(&exc_TypeError, "Struct.pack() takes no keyword arguments");
    return struct_do_pack(self, args, nargs);
}

static Object *struct_pack_into_method(Object *self, Object *const *args, size_t nargs,
                                       Object *kwnames) {
    if (kwnames && tuple_size(kwnames))
        return error_set(&exc_TypeError, "Struct.pack_into() takes no keyword arguments");
    return struct_do_pack_into(self, args, nargs);
}

static Object *struct_unpack_method(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    if (args_check("Struct.unpack", nargs, kwnames, 1, 1) < 0) return NULL;
    return struct_do_unpack(self, args[0]);
}

static Object *struct_unpack_from_method(Object *self, Object *const *args, size_t nargs,
                                         Object *kwnames) {
    static const char *const names[] = {"buffer", "offset", NULL};
    Object *a[2];
    if (args_parse("unpack_from", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    return struct_do_unpack_from(self, a[0], a[1]);
}

static Object *struct_iter_unpack_method(Object *self, Object *const *args, size_t nargs,
                                         Object *kwnames) {
    if (args_check("Struct.iter_unpack", nargs, kwnames, 1, 1) < 0) return NULL;
    return struct_do_iter_unpack(self, args[0]);
}

static Object *struct_getattr(Object *self, Object *name) {
    const char *s = str_data(name);
    if (strcmp(s, "format") == 0) return NEWREF(ST(self)->format);
    if (strcmp(s, "size") == 0) return int_from_i64((int64_t)ST(self)->layout.size);
    return object_generic_getattr(self, name);
}

/* Struct(format): the error class comes from the struct module, which is
   in sys.modules by the time a program can name Struct. */
static Object *struct_error_class_from_modules(void);

static Object *struct_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    static const char *const names[] = {"format", NULL};
    Object *a[1];
    if (nargs > 1)
        return error_set(&exc_TypeError, "Struct() takes at most 1 argument (%zu given)", nargs);
    if (args_parse("Struct", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    Object *error_class = struct_error_class_from_modules();
    if (!error_class) return NULL;
    Object *r = struct_new(a[0], error_class);
    DECREF(error_class);
    return r;
}

static const MethodDef struct_methods[] = {
    {"pack", struct_pack_method, "Return a bytes object containing values packed according to the format."},
    {"pack_into", struct_pack_into_method, "Pack values into a writable buffer at an offset."},
    {"unpack", struct_unpack_method, "Return a tuple of the values unpacked from the buffer."},
    {"unpack_from", struct_unpack_from_method, "Unpack from the buffer, starting at offset."},
    {"iter_unpack", struct_iter_unpack_method, "Return an iterator of tuples unpacked from the buffer."},
    {NULL, NULL, NULL},
};

Type struct_type = {
    TYPE_HEAD_INIT,
    .flags = TYPE_BASE_IN_CPYTHON,
    .name = "_struct.Struct",
    .base_type = &object_type,
    .instance_size = sizeof(StructObject),
    .methods = struct_methods,
    .dealloc = struct_dealloc,
    .construct = struct_construct,
    .getattr = struct_getattr,
};

/* ---- Module functions ------------------------------------------------------------------------- */

/* struct.error, from the module (self): a new reference. */
static Object *module_error_class(Object *module) {
    Object *e = dict_get_item_cstr(module_dict(module), "error");
    if (!e) return error_occurred() ? NULL : error_set(&exc_SystemError, "struct.error is missing");
    return NEWREF(e);
}

static Object *make_error_class(void);

/* The struct module of sys.modules; should a program have removed it, a
   fresh error class (nothing can have caught the old one by name then). */
static Object *struct_error_class_from_modules(void) {
    Object *m = interp.modules ? dict_get_item_cstr(interp.modules, "struct") : NULL;
    if (m && is_module(m)) return module_error_class(m);
    if (error_occurred()) return NULL;
    return make_error_class();
}

/* A Struct for the format argument of a module function. */
static Object *struct_for(Object *module, Object *fmt) {
    Object *error_class = module_error_class(module);
    if (!error_class) return NULL;
    Object *s = struct_new(fmt, error_class);
    DECREF(error_class);
    return s;
}

static Object *mod_calcsize(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("_struct.calcsize", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *s = struct_for(self, args[0]);
    if (!s) return NULL;
    Object *r = int_from_i64((int64_t)ST(s)->layout.size);
    DECREF(s);
    return r;
}

static Object *mod_pack(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (kwnames && tuple_size(kwnames))
        return error_set(&exc_TypeError, "_struct.pack() takes no keyword arguments");
    if (nargs == 0) return error_set(&exc_TypeError, "missing format argument");
    Object *s = struct_for(self, args[0]);
    if (!s) return NULL;
    Object *r = struct_do_pack(s, args + 1, nargs - 1);
    DECREF(s);
    return r;
}

static Object *mod_pack_into(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (kwnames && tuple_size(kwnames))
        return error_set(&exc_TypeError, "_struct.pack_into() takes no keyword arguments");
    if (nargs == 0) return error_set(&exc_TypeError, "missing format argument");
    Object *s = struct_for(self, args[0]);
    if (!s) return NULL;
    Object *r = struct_do_pack_into(s, args + 1, nargs - 1);
    DECREF(s);
    return r;
}

static Object *mod_unpack(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("unpack", nargs, kwnames, 2, 2) < 0) return NULL;
    Object *s = struct_for(self, args[0]);
    if (!s) return NULL;
    Object *r = struct_do_unpack(s, args[1]);
    DECREF(s);
    return r;
}

static Object *mod_unpack_from(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"format", "buffer", "offset", NULL};
    Object *a[3];
    if (args_parse("unpack_from", args, nargs, kwnames, names, 2, a) < 0) return NULL;
    Object *s = struct_for(self, a[0]);
    if (!s) return NULL;
    Object *r = struct_do_unpack_from(s, a[1], a[2]);
    DECREF(s);
    return r;
}

static Object *mod_iter_unpack(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("iter_unpack", nargs, kwnames, 2, 2) < 0) return NULL;
    Object *s = struct_for(self, args[0]);
    if (!s) return NULL;
    Object *r = struct_do_iter_unpack(s, args[1]);
    DECREF(s);
    return r;
}

static const MethodDef struct_functions[] = {
    {"calcsize", mod_calcsize, "Return size in bytes of the struct described by the format string."},
    {"pack", mod_pack, "Return a bytes object containing the values packed according to the format."},
    {"pack_into", mod_pack_into, "Pack values into a writable buffer starting at offset."},
    {"unpack", mod_unpack, "Return a tuple containing values unpacked according to the format."},
    {"unpack_from", mod_unpack_from, "Unpack from buffer starting at offset, according to the format."},
    {"iter_unpack", mod_iter_unpack, "Return an iterator yielding tuples unpacked from the buffer."},
    {NULL, NULL, NULL},
};

/* class error(Exception), with __module__ 'struct'. */
static Object *make_error_class(void) {
    Object *ns = dict_new();
    Object *name = str_from_cstr("error");
    Object *modname = str_from_cstr("struct");
    Object *bases = tuple_pack(1, (Object *)&exc_Exception);
    Object *cls = NULL;
    if (ns && name && modname && bases && dict_set_item_cstr(ns, "__module__", modname) == 0 &&
        dict_set_item_cstr(ns, "__qualname__", name) == 0)
        cls = class_new(name, bases, ns);
    XDECREF(bases);
    XDECREF(ns);
    XDECREF(name);
    XDECREF(modname);
    return cls;
}

Object *struct_module_init(void) {
    Object *m = module_new("struct");
    if (!m) return NULL;
    Object *error_class = make_error_class();
    if (!error_class || module_add_object(m, "error", error_class) < 0 ||
        module_add_object(m, "Struct", (Object *)&struct_type) < 0 ||
        module_add_functions(m, struct_functions) < 0) {
        XDECREF(error_class);
        DECREF(m);
        return NULL;
    }
    DECREF(error_class);
    return m;
}
