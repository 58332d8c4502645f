/* bytes.h - immutable byte strings (`bytes`) and the text codecs.
 *
 * A BytesObject holds its bytes inline, followed by a NUL that is not part of
 * the value (so the data can be handed to C functions expecting a C string
 * once the caller has checked for embedded NULs). The hash is computed once
 * and cached (-1 until then).
 *
 * The codecs turn str into bytes and back for str.encode, bytes.decode,
 * bytes(str, encoding) and text files: UTF-8, ASCII and Latin-1, with the
 * error handlers "strict", "ignore" and "replace". Their error messages are
 * CPython's ("'utf-8' codec can't decode byte 0xff in position 0: invalid
 * start byte"), raised as UnicodeError (Toy has no UnicodeDecodeError /
 * UnicodeEncodeError subclasses).
 */
#ifndef TOY_BYTES_H
#define TOY_BYTES_H

#include "core/object.h"
#include "objects/str.h"

typedef struct {
    Object base;
    int64_t hash;      /* -1: not computed yet */
    size_t size;
    char data[];       /* size bytes + NUL */
} BytesObject;

extern Type bytes_type;
extern Type bytes_iterator_type; /* iter(b'...'): yields ints */

/* bytes or a user subclass of it; is_bytes_exact: bytes itself. */
static inline bool is_bytes(Object *o) { return is_builtin_instance(o, &bytes_type); }
static inline bool is_bytes_exact(Object *o) { return o->type == &bytes_type; }
/* What a method returns when it changes nothing: b itself, or a plain bytes
   copy when b is an instance of a subclass (bytes' methods return bytes). */
Object *bytes_unchanged(Object *b);
static inline const char *bytes_data(Object *o) { return ((BytesObject *)o)->data; }
static inline size_t bytes_size(Object *o) { return ((BytesObject *)o)->size; }

/* A new bytes object holding a copy of len bytes (the compiler's BYTES
   constants come from here). NULL on MemoryError. */
Object *bytes_from_data(const char *data, size_t len);
/* A bytes object of len uninitialised bytes, to fill in before anyone else
   sees it. */
Object *bytes_new_raw(size_t len);

/* An int (or __index__) in range(256) as a byte, else ValueError range_msg
   ("byte must be in range(0, 256)"), big ints included. 0 / -1. */
int bytes_byte_value(Object *o, const char *range_msg, unsigned char *out);
/* bytes(iterable of ints): ValueError range_msg for an int outside
   range(256) ("bytes must be in range(0, 256)"). */
Object *bytes_from_ints(Object *iterable, const char *range_msg);
/* bytes(x) for any bytes-like x (a memoryview of any layout). */
Object *bytes_from_buffer(Object *src);

/* The pieces bytearray and memoryview share with bytes: the repr b'...'
   appended to a builder (escape_single: escape every ', as bytearray's
   repr does even between double quotes), the hash of a run of
   bytes, their order (memcmp, then length), and `item in data` for an int
   byte or a bytes-like item (1, 0, -1). */
void bytes_repr_body(StrBuilder *b, const char *data, size_t n, bool escape_single);
int64_t bytes_hash_data(const char *data, size_t n);
int bytes_compare_data(const char *a, size_t na, const char *b, size_t nb);
int bytes_contains_in(const char *data, size_t size, Object *item);

/* fmt % args for bytes and bytearray (format.c): the result is a bytearray
   when to_bytearray. */
Object *bytes_percent_format(const char *fmt, size_t len, Object *args, bool to_bytearray);

/* Makes fromhex and maketrans callable on the types bytes and bytearray
   (start-up, after type_ready). */
int bytes_install_class_methods(void);

/* str.encode(encoding='utf-8', errors='strict'): a CFunction whose self is
   the str. To be installed in str's method table as "encode". */
Object *str_encode_method(Object *self, Object *const *args, size_t nargs, Object *kwnames);

/* ---- Codecs ---------------------------------------------------------------- */

typedef enum { CODEC_UTF8, CODEC_ASCII, CODEC_LATIN1 } Codec;

/* Find the codec for an encoding name as Python spells them ("utf-8", "UTF8",
   "latin-1", "iso-8859-1", "ascii", ...). 0 ok, -1 with LookupError
   "unknown encoding: NAME". */
int bytes_codec_lookup(const char *name, Codec *out);
/* The codec's canonical name, as error messages print it: "utf-8". */
const char *bytes_codec_name(Codec codec);

/* Decode len bytes to a new str. errors: "strict" (or NULL), "ignore",
   "replace"; any other name raises LookupError "unknown error handler name
   'x'" when an error actually has to be handled, as CPython does. */
Object *bytes_decode(Codec codec, const char *data, size_t len, const char *errors);
/* Encode a str to a new bytes object; errors as for bytes_decode ("replace"
   writes '?'). */
Object *bytes_encode(Codec codec, Object *str, const char *errors);

/* The encoding= / errors= argument of fname: a str without NULs, or absent
   (*out unchanged). 0 / -1 with CPython's TypeError or ValueError. */
int bytes_codec_text_arg(const char *fname, const char *what, Object *arg, const char **out);
/* (encoding='utf-8', errors='strict') of encode/decode: the codec looked up
   and the errors name (NULL: strict). 0 / -1. */
int bytes_codec_args(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                     Codec *codec, const char **errors);

/* The length of the UTF-8 sequence announced by lead byte c (1 for ASCII and
   for bytes that cannot start a sequence). Used to split files into whole
   characters. */
static inline size_t bytes_utf8_seq_len(unsigned char c) {
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 1;
}

#endif
