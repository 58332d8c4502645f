/* buffer.c - borrowing memory through the buffer protocol, and the native
 * item formats shared by memoryview, array and struct.
 *
 * buffer_get / buffer_release pair up exactly once per view: the exporter's
 * releasebuffer (which lowers its export count) runs in buffer_release, and
 * view->obj is cleared so that a second release is harmless.
 */
#include "objects/buffer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/refcount.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"

int buffer_get(Object *o, Buffer *view) {
    if (!buffer_supported(o)) {
        error_set(&exc_TypeError, "a bytes-like object is required, not '%s'", TYPE_NAME(o));
        return -1;
    }
    memset(view, 0, sizeof *view);
    return TYPE(o)->getbuffer(o, view);
}

void buffer_release(Buffer *view) {
    Object *o = view->obj;
    if (!o) return;
    view->obj = NULL;
    if (TYPE(o)->releasebuffer) TYPE(o)->releasebuffer(o, view);
    DECREF(o);
}

int buffer_fill(Object *self, Buffer *view, char *data, size_t len, bool readonly) {
    view->obj = NEWREF(self);
    view->data = data;
    view->len = len;
    view->itemsize = 1;
    view->format = "B";
    view->readonly = readonly;
    return 0;
}

Object *buffer_resize_error(void) {
    return error_set(&exc_BufferError, "Existing exports of data: object cannot be re-sized");
}

/* ---- Native item formats ---------------------------------------------------- */

size_t buffer_native_size(char c) {
    switch (c) {
    case 'b': case 'B': case 'c': return 1;
    case '?': return sizeof(_Bool);
    case 'h': case 'H': return sizeof(short);
    case 'e': return 2;
    case 'i': case 'I': return sizeof(int);
    case 'l': case 'L': return sizeof(long);
    case 'q': case 'Q': return sizeof(long long);
    case 'n': case 'N': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'P': return sizeof(void *);
    default: return 0;
    }
}

size_t buffer_native_align(char c) {
    switch (c) {
    case 'h': case 'H': return _Alignof(short);
    case 'e': return 2;
    case 'i': case 'I': return _Alignof(int);
    case 'l': case 'L': return _Alignof(long);
    case 'q': case 'Q': return _Alignof(long long);
    case 'n': case 'N': return _Alignof(size_t);
    case 'f': return _Alignof(float);
    case 'd': return _Alignof(double);
    case 'P': return _Alignof(void *);
    default: return 1;
    }
}

/* One native item of any format, read from memory of any alignment with
   memcpy (the item's own size). */
typedef union {
    signed char b; unsigned char B; short h; unsigned short H; int i; unsigned int I;
    long l; unsigned long L; long long q; unsigned long long Q; ptrdiff_t n; size_t N;
    uintptr_t P; float f; double d; uint16_t e;
} NativeItem;

/* An unsigned 64-bit value as an int (above INT64_MAX it needs a big int). */
static Object *int_from_u64(uint64_t u) {
    if (u <= INT64_MAX) return int_from_i64((int64_t)u);
    char text[24];
    int n = snprintf(text, sizeof text, "%llu", (unsigned long long)u);
    return int_from_string(text, (size_t)n, 10);
}

Object *buffer_native_unpack(char c, const char *p) {
    NativeItem it;
    size_t size = buffer_native_size(c);
    if (!size) return error_set(&exc_SystemError, "bad native format '%c'", c);
    memcpy(&it, p, size);
    switch (c) {
    case 'b': return int_from_i64(it.b);
    case 'B': return int_from_i64(it.B);
    case 'c': return bytes_from_data(p, 1);
    case '?': return bool_from(it.B != 0);
    case 'h': return int_from_i64(it.h);
    case 'H': return int_from_i64(it.H);
    case 'i': return int_from_i64(it.i);
    case 'I': return int_from_i64(it.I);
    case 'l': return int_from_i64(it.l);
    case 'L': return int_from_u64(it.L);
    case 'q': return int_from_i64(it.q);
    case 'Q': return int_from_u64(it.Q);
    case 'n': return int_from_i64((int64_t)it.n);
    case 'N': return int_from_u64(it.N);
    case 'P': return int_from_u64((uint64_t)it.P);
    case 'f': return float_from_double(it.f);
    case 'd': return float_from_double(it.d);
    default: return float_from_double(buffer_half_to_double(it.e)); /* 'e' */
    }
}

double buffer_half_to_double(uint16_t h) {
    int exp = (h >> 10) & 0x1f;
    int frac = h & 0x3ff;
    double v;
    if (exp == 0) v = ldexp(frac, -24);               /* zero and subnormals */
    else if (exp == 31) v = frac ? NAN : INFINITY;
    else v = ldexp(frac + 1024, exp - 25);            /* 1.frac * 2**(exp-15) */
    return (h & 0x8000) ? -v : v;
}

int buffer_double_to_half(double v, uint16_t *out) {
    uint16_t sign = signbit(v) ? 0x8000 : 0;
    double a = fabs(v);
    if (isnan(a)) return *out = sign | 0x7e00, 0;
    if (isinf(a)) return *out = sign | 0x7c00, 0;
    if (a < ldexp(1, -14)) {
        /* subnormal: a multiple of 2**-24; rounding may reach the smallest
           normal number, whose bits follow on (0x400) */
        *out = sign | (uint16_t)rint(a * ldexp(1, 24));
        return 0;
    }
    int e;
    frexp(a, &e);                    /* a = m * 2**e, m in [0.5, 1) */
    e -= 1;                          /* a = 1.f * 2**e */
    double mant = rint(ldexp(a, 10 - e)); /* in [1024, 2048], ties to even */
    if (mant == 2048) { mant = 1024; e++; }
    if (e + 15 >= 31) return -1;
    *out = sign | (uint16_t)((e + 15) << 10) | (uint16_t)((int)mant - 1024);
    return 0;
}
