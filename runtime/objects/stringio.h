/* stringio.h - io.StringIO: an in-memory text file.
 *
 * The text is kept as an array of code points (not UTF-8), so that the
 * positions read(), seek() and tell() use are character counts, as in
 * Python, and every operation costs time in proportion to the characters it
 * touches. getvalue() and read() encode the requested range to a str.
 *
 * newline= decides the translation done on write and where readline()
 * splits, as in CPython: None translates "\r\n" and "\r" to "\n" on write;
 * "" and "\n" keep the text as written ("" splits lines at any of "\r",
 * "\n", "\r\n"); "\r" and "\r\n" turn each "\n" written into themselves.
 *
 * Invariants: len <= cap; pos may lie beyond len (a write there pads with
 * NUL characters first); buf is NULL exactly when cap is 0.
 */
#ifndef TOY_STRINGIO_H
#define TOY_STRINGIO_H

#include <stdint.h>
#include "core/object.h"

typedef enum { NEWLINE_NONE, NEWLINE_ANY, NEWLINE_LF, NEWLINE_CR, NEWLINE_CRLF } NewlineMode;

typedef struct {
    Object base;
    uint32_t *buf;       /* code points */
    size_t len, cap, pos;
    NewlineMode newline;
    unsigned newline_seen; /* newline=None: endings translated so far (for .newlines) */
    bool closed;
} StringIOObject;

extern Type stringio_type; /* "_io.StringIO" */

#endif
