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

typedef struct {
    Object base;
    int64_t hash;      /* -1: not computed yet */
    size_t size;
    char data[];       /* size bytes + NUL */
} BytesObject;

extern Type bytes_type;
extern Type bytes_iterator_type; /* iter(b'...'): yields ints */

static inline bool is_bytes(Object *o) { return o->type == &bytes_type; }
static inline const char *bytes_data(Object *o) { return ((BytesObject *)o)->data; }
static inline size_t bytes_size(Object *o) { return ((BytesObject *)o)->size; }

/* A new bytes object holding a copy of len bytes (the compiler's BYTES
   constants come from here). NULL on MemoryError. */
Object *bytes_from_data(const char *data, size_t len);
/* A bytes object of len uninitialised bytes, to fill in before anyone else
   sees it. */
Object *bytes_new_raw(size_t len);

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

/* The length of the UTF-8 sequence announced by lead byte c (1 for ASCII and
   for bytes that cannot start a sequence). Used to split files into whole
   characters. */
static inline size_t bytes_utf8_seq_len(unsigned char c) {
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 1;
}

#endif
