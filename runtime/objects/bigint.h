/* bigint.h - arbitrary-precision integer arithmetic on digit arrays.
 *
 * A BigInt is a sign and a magnitude: len little-endian base-2**32 digits
 * with no leading zero digit (len 0 is the value zero, never negative).
 * This file knows nothing about objects: int.c wraps a BigInt in an int
 * object, and turns results that fit in 64 bits back into small ints.
 *
 * Ownership: a BigInt with cap > 0 owns its digit block (mem_alloc'd: a
 * header word, then cap digits) and bigint_free releases it; a view made by bigint_view_i64 has
 * cap 0 and borrows a caller's buffer. Every operation writes a fresh result
 * into *r, which must start empty (BIGINT_EMPTY) and must not alias an
 * operand. Operations return 0, or -1 with MemoryError set (r left empty).
 */
#ifndef TOY_BIGINT_H
#define TOY_BIGINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t *d;
    size_t len;
    size_t cap;
    bool neg;
} BigInt;

#define BIGINT_EMPTY { NULL, 0, 0, false }

void bigint_free(BigInt *a);
/* A view of v in buf (no allocation; never freed). */
void bigint_view_i64(BigInt *a, int64_t v, uint32_t buf[2]);
/* true and *out set when a fits in int64. */
bool bigint_to_i64(const BigInt *a, int64_t *out);
/* r's digits as a block of exactly r->len + 1 words, word 0 holding the
   count (int.c's layout for a big int); r is left empty either way. NULL
   with MemoryError set when memory runs out. */
uint32_t *bigint_release(BigInt *r);
/* A copy of a. */
int bigint_copy(const BigInt *a, BigInt *r);

int bigint_cmp(const BigInt *a, const BigInt *b);
int bigint_add(const BigInt *a, const BigInt *b, BigInt *r);
int bigint_sub(const BigInt *a, const BigInt *b, BigInt *r);
int bigint_mul(const BigInt *a, const BigInt *b, BigInt *r);
/* Floor division: q = a // b, m = a % b (sign of b); b != 0; q or m may be NULL. */
int bigint_divmod(const BigInt *a, const BigInt *b, BigInt *q, BigInt *m);
/* a ** e for e >= 0. */
int bigint_pow(const BigInt *a, uint64_t e, BigInt *r);
/* a ** e % m for e >= 0, m > 0: result in [0, m). */
int bigint_powmod(const BigInt *a, const BigInt *e, const BigInt *m, BigInt *r);

/* Two's-complement bitwise operators: op is '&', '|' or '^'. */
int bigint_bitop(const BigInt *a, const BigInt *b, char op, BigInt *r);
int bigint_lshift(const BigInt *a, uint64_t n, BigInt *r);
/* Floor shift (rounds toward negative infinity, as Python's >>). */
int bigint_rshift(const BigInt *a, uint64_t n, BigInt *r);
/* Bits in |a| (0 for zero). */
uint64_t bigint_bit_length(const BigInt *a);
uint64_t bigint_bit_count(const BigInt *a);

/* Hash as Python's: |a| mod 2**61-1, negated for negatives, -1 -> -2. */
int64_t bigint_hash(const BigInt *a);

/* a as the nearest double (ties to even); false when it is too large. */
bool bigint_to_double(const BigInt *a, double *out);
/* |a| = m * 2**exp, m in [0.5, 1) rounded to 53 bits (half to even);
   returns m, or 0.0 with *exp 0 for zero. Never overflows. */
double bigint_frexp(const BigInt *a, int64_t *exp);
/* The integer part of a finite double, exactly. */
int bigint_from_double(double v, BigInt *r);
/* a / b correctly rounded; b != 0. 1 when the result is too large. */
int bigint_true_divide(const BigInt *a, const BigInt *b, double *out);

/* The digits of |a| in base 2..36 (lower-case letters), no sign; a new
   mem_alloc'd block of *len + 1 bytes (NUL-terminated). NULL on MemoryError. */
char *bigint_to_text(const BigInt *a, int base, size_t *len);
/* The value of n digit values (each < base), most significant first. */
int bigint_from_digit_values(const unsigned char *v, size_t n, int base, bool neg, BigInt *r);

#endif
