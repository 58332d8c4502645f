/* bigint.c - arbitrary-precision integer arithmetic (see bigint.h).
 *
 * Magnitudes are arrays of base-2**32 digits, least significant first.
 * The inner loops take them in pairs, as uint64s, with 128-bit products
 * (the "two digits at a time" helpers). The mag_* helpers work on raw
 * digit arrays; the bigint_* functions add signs and allocation. Invariants:
 *   - a result is normalised before it is returned: no leading zero digits,
 *     and zero is never negative (bigint_trim);
 *   - results are written to a fresh BigInt, never over an operand, so no
 *     helper has to worry about aliasing.
 * The algorithms are the textbook ones: schoolbook multiplication (and
 * Karatsuba's for long operands of similar size), Knuth's algorithm D for
 * division, square-and-multiply for powers, repeated division by 10**9 for
 * decimal text.
 */
#include "objects/bigint.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "objects/error.h"

#define DIGIT_BITS 32

/* ---- Storage ---- */

/* A digit block is one header word, then cap digits, and d points past the
   header: int.c keeps a big int's count in word 0 of its block, so it can
   adopt a result's block as it is (bigint_release) instead of copying. */
static size_t block_bytes(size_t cap) { return (cap + 1) * sizeof(uint32_t); }

void bigint_free(BigInt *a) {
    if (a->cap) mem_free(a->d - 1, block_bytes(a->cap));
    a->d = NULL;
    a->len = a->cap = 0;
    a->neg = false;
}

/* Make r an owner of n digits (len n), not initialised: every caller
   writes each digit (or uses big_alloc_zeroed). */
static int big_alloc(BigInt *r, size_t n) {
    size_t cap = n ? n : 1;
    uint32_t *block = mem_alloc(block_bytes(cap));
    if (!block) {
        error_no_memory();
        return -1;
    }
    r->d = block + 1;
    r->cap = cap;
    r->len = n;
    r->neg = false;
    return 0;
}

/* big_alloc with every digit zero. */
static int big_alloc_zeroed(BigInt *r, size_t n) {
    if (big_alloc(r, n) < 0) return -1;
    memset(r->d, 0, r->cap * sizeof(uint32_t));
    return 0;
}

uint32_t *bigint_release(BigInt *r) {
    size_t len = r->len;
    uint32_t *block;
    if (r->cap == 0) { /* a view: copy it */
        block = mem_alloc(block_bytes(len));
        if (block) memcpy(block + 1, r->d, len * sizeof(uint32_t));
    } else if (r->cap != len) { /* trimmed: give the tail back */
        block = mem_realloc(r->d - 1, block_bytes(r->cap), block_bytes(len));
        if (!block) mem_free(r->d - 1, block_bytes(r->cap));
    } else {
        block = r->d - 1;
    }
    r->d = NULL;
    r->len = r->cap = 0;
    r->neg = false;
    if (!block) {
        error_no_memory();
        return NULL;
    }
    block[0] = (uint32_t)len;
    return block;
}

static void bigint_trim(BigInt *r) {
    while (r->len && r->d[r->len - 1] == 0) r->len--;
    if (r->len == 0) r->neg = false;
}

void bigint_view_i64(BigInt *a, int64_t v, uint32_t buf[2]) {
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    buf[0] = (uint32_t)u;
    buf[1] = (uint32_t)(u >> 32);
    a->d = buf;
    a->cap = 0;
    a->len = buf[1] ? 2 : buf[0] ? 1 : 0;
    a->neg = v < 0;
}

bool bigint_to_i64(const BigInt *a, int64_t *out) {
    if (a->len > 2) return false;
    uint64_t u = 0;
    for (size_t i = a->len; i-- > 0;) u = (u << 32) | a->d[i];
    if (a->neg) {
        if (u > (uint64_t)1 << 63) return false;
        *out = (int64_t)(0 - u);
    } else {
        if (u >= (uint64_t)1 << 63) return false;
        *out = (int64_t)u;
    }
    return true;
}

int bigint_copy(const BigInt *a, BigInt *r) {
    if (big_alloc(r, a->len) < 0) return -1;
    if (a->len) memcpy(r->d, a->d, a->len * sizeof(uint32_t));
    r->neg = a->neg;
    return 0;
}

/* ---- Two digits at a time ----
   The inner loops take digits in pairs, as one uint64 (compilers make the
   pair one load or store), and multiply 64 by 64 bits into 128: half the
   steps of a digit at a time, and a quarter of the products. */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Digit i is the low half: the pair's bytes are the uint64's. */
static inline uint64_t load2(const uint32_t *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void store2(uint32_t *p, uint64_t v) { memcpy(p, &v, sizeof v); }
#else
static inline uint64_t load2(const uint32_t *p) { return p[0] | (uint64_t)p[1] << 32; }
static inline void store2(uint32_t *p, uint64_t v) {
    p[0] = (uint32_t)v;
    p[1] = (uint32_t)(v >> 32);
}
#endif

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;
/* a * b + c + d, which always fits in 128 bits: the low half, *hi the high. */
static inline uint64_t mul_add2(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t *hi) {
    u128 p = (u128)a * b + c + d;
    *hi = (uint64_t)(p >> 64);
    return (uint64_t)p;
}
#else
static inline uint64_t mul_add2(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t *hi) {
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    uint64_t lo = (mid << 32) | (uint32_t)p00;
    uint64_t h = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    lo += c;
    h += lo < c;
    lo += d;
    h += lo < d;
    *hi = h;
    return lo;
}
#endif

/* r[0..n) = a[0..n) + b[0..n) + carry (0 or 1); returns the carry out. */
static uint64_t add_digits(uint32_t *r, const uint32_t *a, const uint32_t *b, size_t n,
                           uint64_t carry) {
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        uint64_t x = load2(a + i), s = x + load2(b + i);
        uint64_t c = s < x;
        s += carry;
        c += s < carry;
        store2(r + i, s);
        carry = c;
    }
    if (i < n) {
        carry += (uint64_t)a[i] + b[i];
        r[i] = (uint32_t)carry;
        carry >>= 32;
    }
    return carry;
}

/* r[0..n) = a[0..n) + carry (0 or 1); returns the carry out. */
static uint64_t add_carry(uint32_t *r, const uint32_t *a, size_t n, uint64_t carry) {
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        uint64_t s = load2(a + i) + carry;
        carry = s < carry;
        store2(r + i, s);
    }
    if (i < n) {
        carry += a[i];
        r[i] = (uint32_t)carry;
        carry >>= 32;
    }
    return carry;
}

/* r[0..n) = a[0..n) - b[0..n) - borrow (0 or 1); returns the borrow out. */
static uint64_t sub_digits(uint32_t *r, const uint32_t *a, const uint32_t *b, size_t n,
                           uint64_t borrow) {
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        uint64_t x = load2(a + i), y = load2(b + i), t = x - y;
        uint64_t c = x < y;
        c += t < borrow;
        store2(r + i, t - borrow);
        borrow = c;
    }
    if (i < n) {
        uint64_t t = (uint64_t)a[i] - b[i] - borrow;
        r[i] = (uint32_t)t;
        borrow = t >> 63;
    }
    return borrow;
}

/* r[0..n) = a[0..n) - borrow (0 or 1); returns the borrow out. */
static uint64_t sub_borrow(uint32_t *r, const uint32_t *a, size_t n, uint64_t borrow) {
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        uint64_t x = load2(a + i);
        store2(r + i, x - borrow);
        borrow = x < borrow;
    }
    if (i < n) {
        uint64_t t = (uint64_t)a[i] - borrow;
        r[i] = (uint32_t)t;
        borrow = t >> 63;
    }
    return borrow;
}

/* The carry out of a row's odd last digit: a[i] * y + add + carry fits in
   96 bits; r[i] takes the low 32, the rest carries. */
static inline uint64_t row_tail(uint32_t *r, uint32_t a, uint64_t y, uint32_t add, uint64_t carry) {
    uint64_t hi, lo = mul_add2(a, y, add, carry, &hi);
    *r = (uint32_t)lo;
    return (lo >> 32) | (hi << 32);
}

/* r[0..n) = a[0..n) * y; returns the carry out, the digits r[n], r[n + 1]
   of the full product (under 2**32 when y is). */
static uint64_t mul_row(uint32_t *r, const uint32_t *a, size_t n, uint64_t y) {
    uint64_t carry = 0;
    size_t i = 0;
    for (; i + 2 <= n; i += 2) store2(r + i, mul_add2(load2(a + i), y, 0, carry, &carry));
    return i < n ? row_tail(r + i, a[i], y, 0, carry) : carry;
}

/* r[0..n) += a[0..n) * y; returns the carry out, as mul_row. */
static uint64_t addmul_row(uint32_t *r, const uint32_t *a, size_t n, uint64_t y) {
    uint64_t carry = 0;
    size_t i = 0;
    for (; i + 2 <= n; i += 2)
        store2(r + i, mul_add2(load2(a + i), y, load2(r + i), carry, &carry));
    return i < n ? row_tail(r + i, a[i], y, r[i], carry) : carry;
}

/* ---- Magnitudes ---- */

static int mag_cmp(const uint32_t *a, size_t an, const uint32_t *b, size_t bn) {
    if (an != bn) return an < bn ? -1 : 1;
    for (size_t i = an; i-- > 0;)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* r = |a| + |b| as a new magnitude. */
static int mag_add(const BigInt *a, const BigInt *b, BigInt *r) {
    if (a->len < b->len) {
        const BigInt *t = a;
        a = b;
        b = t;
    }
    /* A digit more only when the top digits could carry out (at most 1
       comes into the top), so that the result rarely needs trimming. */
    size_t n = a->len;
    uint64_t top = n == 0 ? 0 : (uint64_t)a->d[n - 1] + (b->len == n ? b->d[n - 1] : 0) + 1;
    bool grow = top > UINT32_MAX;
    if (big_alloc(r, n + grow) < 0) return -1;
    uint64_t carry = add_digits(r->d, a->d, b->d, b->len, 0);
    carry = add_carry(r->d + b->len, a->d + b->len, n - b->len, carry);
    if (grow) r->d[n] = (uint32_t)carry;
    bigint_trim(r);
    return 0;
}

/* r = |a| - |b|, requires |a| >= |b|. */
static int mag_sub(const BigInt *a, const BigInt *b, BigInt *r) {
    if (big_alloc(r, a->len) < 0) return -1;
    uint64_t borrow = sub_digits(r->d, a->d, b->d, b->len, 0);
    sub_borrow(r->d + b->len, a->d + b->len, a->len - b->len, borrow);
    bigint_trim(r);
    return 0;
}

/* ---- Addition, subtraction, multiplication ---- */

int bigint_cmp(const BigInt *a, const BigInt *b) {
    if (a->neg != b->neg) return a->neg ? -1 : 1;
    int c = mag_cmp(a->d, a->len, b->d, b->len);
    return a->neg ? -c : c;
}

/* a + b when b's sign is taken to be b_neg. */
static int add_signed(const BigInt *a, const BigInt *b, bool b_neg, BigInt *r) {
    if (a->neg == b_neg) {
        if (mag_add(a, b, r) < 0) return -1;
        r->neg = a->neg;
    } else if (mag_cmp(a->d, a->len, b->d, b->len) >= 0) {
        if (mag_sub(a, b, r) < 0) return -1;
        r->neg = a->neg;
    } else {
        if (mag_sub(b, a, r) < 0) return -1;
        r->neg = b_neg;
    }
    bigint_trim(r);
    return 0;
}

int bigint_add(const BigInt *a, const BigInt *b, BigInt *r) { return add_signed(a, b, b->neg, r); }
int bigint_sub(const BigInt *a, const BigInt *b, BigInt *r) { return add_signed(a, b, !b->neg, r); }

/* Below this many digits in the shorter operand, schoolbook multiplication
   wins: Karatsuba's extra additions and allocations cost more than the
   digit products it saves. */
#define KARATSUBA_CUTOFF 48

/* r[off..] += x (a magnitude); r is long enough that the carry stops. */
static void mag_add_at(uint32_t *r, size_t off, const BigInt *x) {
    uint64_t carry = add_digits(r + off, r + off, x->d, x->len, 0);
    for (size_t i = off + x->len; carry; i++) {
        carry += r[i];
        r[i] = (uint32_t)carry;
        carry >>= 32;
    }
}

/* A view of digits [from, to) of a magnitude, trimmed. */
static BigInt mag_slice(const BigInt *a, size_t from, size_t to) {
    BigInt v = { a->d + from, to - from, 0, false };
    bigint_trim(&v);
    return v;
}

static void mul_schoolbook(const BigInt *a, const BigInt *b, BigInt *r);

/* Karatsuba: with a = a1*B**h + a0 and b = b1*B**h + b0, three half-size
   products give a*b = z2*B**2h + (z1 - z2 - z0)*B**h + z0, where
   z1 = (a0 + a1)(b0 + b1). Magnitudes only; r is zeroed, a->len + b->len
   digits long. */
static int mul_karatsuba(const BigInt *a, const BigInt *b, BigInt *r) {
    size_t h = (a->len > b->len ? a->len : b->len) / 2;
    BigInt a0 = mag_slice(a, 0, h), a1 = mag_slice(a, h, a->len);
    BigInt b0 = mag_slice(b, 0, h), b1 = mag_slice(b, h, b->len);
    BigInt z0 = BIGINT_EMPTY, z2 = BIGINT_EMPTY, sa = BIGINT_EMPTY, sb = BIGINT_EMPTY;
    BigInt z1 = BIGINT_EMPTY, t = BIGINT_EMPTY, mid = BIGINT_EMPTY;
    int rc = -1;
    if (bigint_mul(&a0, &b0, &z0) < 0 || bigint_mul(&a1, &b1, &z2) < 0) goto done;
    if (mag_add(&a0, &a1, &sa) < 0 || mag_add(&b0, &b1, &sb) < 0) goto done;
    if (bigint_mul(&sa, &sb, &z1) < 0) goto done;
    if (bigint_sub(&z1, &z0, &t) < 0 || bigint_sub(&t, &z2, &mid) < 0) goto done;
    mag_add_at(r->d, 0, &z0);
    mag_add_at(r->d, h, &mid);
    mag_add_at(r->d, 2 * h, &z2);
    rc = 0;
done:
    bigint_free(&z0);
    bigint_free(&z2);
    bigint_free(&sa);
    bigint_free(&sb);
    bigint_free(&z1);
    bigint_free(&t);
    bigint_free(&mid);
    return rc;
}

int bigint_mul(const BigInt *a, const BigInt *b, BigInt *r) {
    if (a->len < b->len) { /* a is the longer operand from here on */
        const BigInt *t = a;
        a = b;
        b = t;
    }
    if (b->len == 0) return big_alloc(r, 0);
    /* Karatsuba only for operands of similar size: splitting a long operand
       against a short one leaves a half that is all zeros. */
    if (b->len >= KARATSUBA_CUTOFF && b->len * 2 > a->len) {
        if (big_alloc_zeroed(r, a->len + b->len) < 0) return -1;
        BigInt ma = *a, mb = *b;
        ma.neg = mb.neg = false;
        if (mul_karatsuba(&ma, &mb, r) < 0) {
            bigint_free(r);
            return -1;
        }
        r->neg = a->neg != b->neg;
        bigint_trim(r);
        return 0;
    }
    if (big_alloc(r, a->len + b->len) < 0) return -1;
    mul_schoolbook(a, b, r);
    return 0;
}

/* The digit-by-digit product, one row per pair of digits of the shorter
   operand b (a big int times a small one is a single pass over a); r has
   a->len + b->len digits, not initialised. Each row's carry lands in
   digits no earlier row has written. */
static void mul_schoolbook(const BigInt *a, const BigInt *b, BigInt *r) {
    size_t n = a->len;
    for (size_t i = 0; i < b->len; i += 2) {
        bool pair = i + 1 < b->len;
        uint64_t y = pair ? load2(b->d + i) : b->d[i];
        uint64_t carry = i ? addmul_row(r->d + i, a->d, n, y) : mul_row(r->d, a->d, n, y);
        if (pair) store2(r->d + i + n, carry);
        else r->d[i + n] = (uint32_t)carry;
    }
    r->neg = a->neg != b->neg;
    bigint_trim(r);
}

/* ---- Division ---- */

/* q[0..n) = a[0..n) / d for one digit d (q may be a); returns the
   remainder. Always inlined, so that a constant d (decimal text's 10**9)
   divides by a multiplication: the division instruction for a divisor
   that large costs several times more. */
static inline __attribute__((always_inline)) uint32_t div_digit(const uint32_t *a, size_t n,
                                                                 uint32_t d, uint32_t *q) {
    uint64_t rem = 0;
    for (size_t i = n; i-- > 0;) {
        uint64_t cur = (rem << 32) | a[i];
        q[i] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    return (uint32_t)rem;
}

static uint32_t mag_div_digit(const uint32_t *a, size_t n, uint32_t d, uint32_t *q) {
    return div_digit(a, n, d, q);
}

/* Long division works on limbs of two digits (64 bits, with 128-bit
   products and quotient estimates) where the compiler has __int128, of
   one digit otherwise: each pass of the multiply-and-subtract then makes
   two digits of the quotient. */
#ifdef __SIZEOF_INT128__
typedef uint64_t limb;
typedef u128 wide;
#define LIMB_DIGITS 2
#else
typedef uint32_t limb;
typedef uint64_t wide;
#define LIMB_DIGITS 1
#endif
#define LIMB_BITS (32 * LIMB_DIGITS)

/* Limb i of a magnitude of n digits (zero past its end). */
static inline limb limb_at(const uint32_t *d, size_t n, size_t i) {
#if LIMB_DIGITS == 2
    if (2 * i + 2 <= n) return load2(d + 2 * i);
    return 2 * i < n ? d[2 * i] : 0;
#else
    return i < n ? d[i] : 0;
#endif
}

/* out[0..nl] = the nl limbs of d (n digits) shifted left by s < LIMB_BITS.
   The limbs wholly inside d are read without limb_at's tests. */
static void limbs_shifted(limb *out, size_t nl, const uint32_t *d, size_t n, int s) {
    size_t full = n / LIMB_DIGITS, i = 0;
    if (s == 0) {
        for (; i < full; i++) out[i] = LIMB_DIGITS == 2 ? load2(d + LIMB_DIGITS * i) : d[i];
        for (; i < nl; i++) out[i] = limb_at(d, n, i);
        out[nl] = 0;
        return;
    }
    limb prev = 0;
    for (; i < nl; i++) {
        limb x = i < full ? (LIMB_DIGITS == 2 ? load2(d + LIMB_DIGITS * i) : d[i]) : limb_at(d, n, i);
        out[i] = (limb)(x << s) | prev >> (LIMB_BITS - s);
        prev = x;
    }
    out[nl] = prev >> (LIMB_BITS - s);
}

/* Digits [i*LIMB_DIGITS ..) of r from limb x, as many as r has room for. */
static void limb_store(BigInt *r, size_t i, limb x) {
    for (size_t k = 0; k < LIMB_DIGITS && i * LIMB_DIGITS + k < r->len; k++)
        r->d[i * LIMB_DIGITS + k] = (uint32_t)((wide)x >> (32 * k));
}

/* u[0..n] -= q * v[0..n); the quotient limb, less one when q was one too
   large (then v is added back). */
static limb limb_submul(limb *u, const limb *v, size_t n, limb q) {
    limb carry = 0, borrow = 0;
    for (size_t i = 0; i < n; i++) {
        wide p = (wide)q * v[i] + carry;
        limb lo = (limb)p, x = u[i], t = x - lo;
        limb c = x < lo;
        c += t < borrow;
        u[i] = t - borrow;
        borrow = c;
        carry = (limb)(p >> LIMB_BITS);
    }
    wide take = (wide)carry + borrow;
    bool negative = (wide)u[n] < take;
    u[n] = (limb)(u[n] - take);
    if (!negative) return q;
    limb c = 0;
    for (size_t i = 0; i < n; i++) {
        wide sum = (wide)u[i] + v[i] + c;
        u[i] = (limb)sum;
        c = (limb)(sum >> LIMB_BITS);
    }
    u[n] += c;
    return q - 1;
}

/* The estimate of u[n] u[n-1] u[n-2] / v[n-1] v[n-2] (v normalised, n >= 2),
   at most one too large (Knuth's step D3). */
static limb limb_qhat(const limb *u, const limb *v, size_t n) {
    const wide base = (wide)1 << LIMB_BITS;
    wide top = ((wide)u[n] << LIMB_BITS) | u[n - 1];
    wide qhat = top / v[n - 1], rhat = top % v[n - 1];
    while (qhat >= base || qhat * v[n - 2] > ((rhat << LIMB_BITS) | u[n - 2])) {
        qhat--;
        rhat += v[n - 1];
        if (rhat >= base) break;
    }
    return (limb)qhat;
}

/* Knuth's algorithm D: q = |a| / |b|, rem = |a| % |b| for b->len >= 2 and
   |a| >= |b|, on limbs. The divisor is shifted so its top limb has its high
   bit set, which makes each quotient estimate at most two too large. */
static int mag_divmod_long(const BigInt *a, const BigInt *b, BigInt *q, BigInt *rem) {
    size_t n = (b->len + LIMB_DIGITS - 1) / LIMB_DIGITS, na = (a->len + LIMB_DIGITS - 1) / LIMB_DIGITS;
    size_t m = na - n;
    limb top = limb_at(b->d, b->len, n - 1);
    int s = LIMB_DIGITS == 2 ? __builtin_clzll((unsigned long long)top) : __builtin_clz((unsigned)top);
    limb *u = mem_alloc((na + 1) * sizeof(limb)), *v = mem_alloc((n + 1) * sizeof(limb));
    if (!u || !v || big_alloc(q, (m + 1) * LIMB_DIGITS) < 0) {
        if (u) mem_free(u, (na + 1) * sizeof(limb));
        if (v) mem_free(v, (n + 1) * sizeof(limb));
        if (!u || !v) error_no_memory();
        return -1;
    }
    limbs_shifted(u, na, a->d, a->len, s);
    limbs_shifted(v, n, b->d, b->len, s);
    for (size_t j = m + 1; j-- > 0;) {
        limb qhat;
        if (n == 1) { /* one limb: u[j+1] < v[0], so the quotient fits */
            wide cur = ((wide)u[j + 1] << LIMB_BITS) | u[j];
            qhat = (limb)(cur / v[0]);
            u[j] = (limb)(cur % v[0]);
            u[j + 1] = 0;
        } else {
            qhat = limb_submul(u + j, v, n, limb_qhat(u + j, v, n));
        }
        limb_store(q, j, qhat);
    }
    bigint_trim(q);
    int rc = 0;
    if (rem && big_alloc(rem, n * LIMB_DIGITS) < 0) {
        bigint_free(q);
        rc = -1;
    } else if (rem) {
        for (size_t i = 0; i < n; i++)
            limb_store(rem, i, (limb)(u[i] >> s) | (s ? (limb)(u[i + 1] << (LIMB_BITS - s)) : 0));
        bigint_trim(rem);
    }
    mem_free(u, (na + 1) * sizeof(limb));
    mem_free(v, (n + 1) * sizeof(limb));
    return rc;
}

/* Truncating division of magnitudes: q = |a| / |b|, rem = |a| % |b| (rem
   may be NULL when only the quotient is wanted). */
static int mag_divmod(const BigInt *a, const BigInt *b, BigInt *q, BigInt *rem) {
    if (mag_cmp(a->d, a->len, b->d, b->len) < 0) {
        if (big_alloc(q, 0) < 0) return -1;
        if (!rem) return 0;
        if (bigint_copy(a, rem) < 0) {
            bigint_free(q);
            return -1;
        }
        rem->neg = false;
        return 0;
    }
    if (b->len == 1) {
        if (big_alloc(q, a->len) < 0) return -1;
        uint32_t r = mag_div_digit(a->d, a->len, b->d[0], q->d);
        bigint_trim(q);
        if (!rem) return 0;
        if (big_alloc(rem, 1) < 0) {
            bigint_free(q);
            return -1;
        }
        rem->d[0] = r;
        bigint_trim(rem);
        return 0;
    }
    return mag_divmod_long(a, b, q, rem);
}

static const uint32_t one_digit = 1;
static const BigInt big_one = { (uint32_t *)&one_digit, 1, 0, false };

int bigint_divmod(const BigInt *a, const BigInt *b, BigInt *q, BigInt *m) {
    BigInt tq = BIGINT_EMPTY, tr = BIGINT_EMPTY;
    /* a // b of operands of one sign never looks at the remainder. */
    bool need_rem = m || a->neg != b->neg;
    if (mag_divmod(a, b, &tq, need_rem ? &tr : NULL) < 0) return -1;
    tq.neg = tq.len && a->neg != b->neg;
    tr.neg = tr.len && a->neg;
    /* Truncation rounds toward zero; Python floors: when the remainder is
       nonzero and the signs differ, step the quotient down and move the
       remainder into the divisor's sign. */
    if (tr.len && a->neg != b->neg) {
        BigInt q2 = BIGINT_EMPTY, r2 = BIGINT_EMPTY;
        if (bigint_sub(&tq, &big_one, &q2) < 0 || bigint_add(&tr, b, &r2) < 0) {
            bigint_free(&q2);
            bigint_free(&tq);
            bigint_free(&tr);
            return -1;
        }
        bigint_free(&tq);
        bigint_free(&tr);
        tq = q2;
        tr = r2;
    }
    if (q) *q = tq;
    else bigint_free(&tq);
    if (m) *m = tr;
    else bigint_free(&tr);
    return 0;
}

/* ---- Powers ---- */

/* *acc = *acc * x, replacing it. */
static int mul_into(BigInt *acc, const BigInt *x) {
    BigInt t = BIGINT_EMPTY;
    if (bigint_mul(acc, x, &t) < 0) return -1;
    bigint_free(acc);
    *acc = t;
    return 0;
}

int bigint_pow(const BigInt *a, uint64_t e, BigInt *r) {
    BigInt result = BIGINT_EMPTY, sq = BIGINT_EMPTY;
    if (bigint_copy(&big_one, &result) < 0) return -1;
    if (bigint_copy(a, &sq) < 0) goto fail;
    while (e) {
        if ((e & 1) && mul_into(&result, &sq) < 0) goto fail;
        e >>= 1;
        if (e && mul_into(&sq, &sq) < 0) goto fail;
    }
    bigint_free(&sq);
    *r = result;
    return 0;
fail:
    bigint_free(&result);
    bigint_free(&sq);
    return -1;
}

/* *acc = *acc * x % m, replacing it. */
static int mulmod_into(BigInt *acc, const BigInt *x, const BigInt *m) {
    BigInt t = BIGINT_EMPTY, rem = BIGINT_EMPTY;
    if (bigint_mul(acc, x, &t) < 0) return -1;
    int rc = bigint_divmod(&t, m, NULL, &rem);
    bigint_free(&t);
    if (rc < 0) return -1;
    bigint_free(acc);
    *acc = rem;
    return 0;
}

int bigint_powmod(const BigInt *a, const BigInt *e, const BigInt *m, BigInt *r) {
    BigInt result = BIGINT_EMPTY, sq = BIGINT_EMPTY;
    if (bigint_divmod(&big_one, m, NULL, &result) < 0) return -1;
    if (bigint_divmod(a, m, NULL, &sq) < 0) goto fail;
    uint64_t nbits = bigint_bit_length(e);
    for (uint64_t i = 0; i < nbits; i++) {
        if (((e->d[i / 32] >> (i % 32)) & 1) && mulmod_into(&result, &sq, m) < 0) goto fail;
        if (i + 1 < nbits && mulmod_into(&sq, &sq, m) < 0) goto fail;
    }
    bigint_free(&sq);
    *r = result;
    return 0;
fail:
    bigint_free(&result);
    bigint_free(&sq);
    return -1;
}

/* ---- Bits ---- */

uint64_t bigint_bit_length(const BigInt *a) {
    if (a->len == 0) return 0;
    return (uint64_t)(a->len - 1) * 32 + (uint64_t)(32 - __builtin_clz(a->d[a->len - 1]));
}

uint64_t bigint_bit_count(const BigInt *a) {
    uint64_t n = 0;
    for (size_t i = 0; i < a->len; i++) n += (uint64_t)__builtin_popcount(a->d[i]);
    return n;
}

/* Digit i of a in two's complement (infinitely sign-extended). borrow
   carries the "-1" of the negation ~(|a| - 1) from digit to digit. */
static uint32_t twos_digit(const BigInt *a, size_t i, uint64_t *borrow) {
    uint32_t d = i < a->len ? a->d[i] : 0;
    if (!a->neg) return d;
    /* -|a| = ~(|a| - 1) */
    uint64_t t = (uint64_t)d - *borrow;
    *borrow = (t >> 63) & 1;
    return ~(uint32_t)t;
}

int bigint_bitop(const BigInt *a, const BigInt *b, char op, BigInt *r) {
    size_t n = (a->len > b->len ? a->len : b->len) + 1;
    bool neg_a = a->neg, neg_b = b->neg;
    bool neg = op == '&' ? (neg_a && neg_b) : op == '|' ? (neg_a || neg_b) : (neg_a != neg_b);
    if (big_alloc(r, n) < 0) return -1;
    uint64_t ba = 1, bb = 1, br = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = twos_digit(a, i, &ba), y = twos_digit(b, i, &bb);
        uint32_t z = op == '&' ? (x & y) : op == '|' ? (x | y) : (x ^ y);
        if (neg) { /* back from two's complement: |r| = ~z + 1 */
            uint64_t t = (uint64_t)(uint32_t)~z + br;
            br = t >> 32;
            z = (uint32_t)t;
        }
        r->d[i] = z;
    }
    r->neg = neg;
    bigint_trim(r);
    return 0;
}

int bigint_lshift(const BigInt *a, uint64_t n, BigInt *r) {
    size_t words = (size_t)(n / 32);
    int s = (int)(n % 32);
    if (big_alloc_zeroed(r, a->len + words + 1) < 0) return -1;
    for (size_t i = 0; i < a->len; i++) {
        uint64_t v = (uint64_t)a->d[i] << s;
        r->d[i + words] |= (uint32_t)v;
        r->d[i + words + 1] = (uint32_t)(v >> 32);
    }
    r->neg = a->neg;
    bigint_trim(r);
    return 0;
}

int bigint_rshift(const BigInt *a, uint64_t n, BigInt *r) {
    size_t words = (size_t)(n / 32);
    int s = (int)(n % 32);
    if (words >= a->len) {
        if (big_alloc(r, 1) < 0) return -1;
        r->d[0] = a->neg; /* -1 for negatives: floor */
        r->neg = a->neg;
        bigint_trim(r);
        return 0;
    }
    if (big_alloc(r, a->len - words) < 0) return -1;
    bool lost = false; /* any 1 bit shifted out */
    for (size_t i = 0; i < words; i++) lost |= a->d[i] != 0;
    if (s) lost |= (a->d[words] & ((1u << s) - 1)) != 0;
    for (size_t i = words; i < a->len; i++) {
        uint64_t v = a->d[i] >> s;
        if (s && i + 1 < a->len) v |= (uint64_t)a->d[i + 1] << (32 - s);
        r->d[i - words] = (uint32_t)v;
    }
    r->neg = a->neg;
    bigint_trim(r);
    if (a->neg && lost) { /* floor: -5 >> 1 is -3, not -2 */
        BigInt t = BIGINT_EMPTY;
        if (bigint_sub(r, &big_one, &t) < 0) {
            bigint_free(r);
            return -1;
        }
        bigint_free(r);
        *r = t;
    }
    return 0;
}

/* ---- Hashing ---- */

int64_t bigint_hash(const BigInt *a) {
    /* Horner's rule modulo the Mersenne prime 2**61-1: multiplying by 2**32
       is a rotation of the 61-bit value. */
    const uint64_t p = ((uint64_t)1 << 61) - 1;
    uint64_t h = 0;
    for (size_t i = a->len; i-- > 0;) {
        h = ((h << 32) & p) | (h >> 29);
        h += a->d[i];
        if (h >= p) h -= p;
    }
    int64_t v = (int64_t)h;
    if (a->neg) v = -v;
    return v == -1 ? -2 : v;
}

/* ---- Floats ---- */

/* The top 55 bits of |a| (with the bits below folded into a sticky low
   bit) and the shift that scales them back: |a| ~ top * 2**shift. The
   conversion of top to double then rounds exactly as the full value would. */
static uint64_t top_bits(const BigInt *a, int64_t *shift) {
    uint64_t nb = bigint_bit_length(a);
    if (nb <= 64) {
        uint64_t u = 0;
        for (size_t i = a->len; i-- > 0;) u = (u << 32) | a->d[i];
        *shift = 0;
        if (nb <= 55) return u;
        int sh = (int)(nb - 55);
        *shift = sh;
        return (u >> sh) | ((u & (((uint64_t)1 << sh) - 1)) != 0);
    }
    uint64_t sh = nb - 55, top = 0;
    for (uint64_t bit = nb; bit-- > sh;)
        top = (top << 1) | ((a->d[bit / 32] >> (bit % 32)) & 1);
    bool sticky = false;
    for (size_t i = 0; i < sh / 32; i++) sticky |= a->d[i] != 0;
    if (sh % 32) sticky |= (a->d[sh / 32] & ((1u << (sh % 32)) - 1)) != 0;
    *shift = (int64_t)sh;
    return top | sticky;
}

bool bigint_to_double(const BigInt *a, double *out) {
    int64_t shift;
    uint64_t top = top_bits(a, &shift);
    if (shift > 1024) return false;
    double v = ldexp((double)top, (int)shift);
    if (isinf(v)) return false;
    *out = a->neg ? -v : v;
    return true;
}

double bigint_frexp(const BigInt *a, int64_t *exp) {
    if (a->len == 0) {
        *exp = 0;
        return 0.0;
    }
    int64_t shift;
    uint64_t top = top_bits(a, &shift);
    int e;
    double m = frexp((double)top, &e); /* the conversion rounds, once */
    *exp = shift + e;
    return m;
}

int bigint_from_double(double v, BigInt *r) {
    int exp;
    double m = frexp(fabs(trunc(v)), &exp); /* |v| = m * 2**exp, 0.5 <= m < 1 */
    if (exp <= 0) return big_alloc(r, 0);
    uint64_t mant = (uint64_t)ldexp(m, 64);  /* exact: 53 bits scaled up */
    BigInt t = BIGINT_EMPTY;
    uint32_t buf[2] = { (uint32_t)mant, (uint32_t)(mant >> 32) };
    BigInt view = { buf, 2, 0, false };
    bigint_trim(&view);
    int rc = exp >= 64 ? bigint_lshift(&view, (uint64_t)(exp - 64), &t)
                       : bigint_rshift(&view, (uint64_t)(64 - exp), &t);
    if (rc < 0) return -1;
    t.neg = v < 0 && t.len;
    *r = t;
    return 0;
}

/* top * 2**e as a double, rounded once (half to even), for a top of 55
   bits whose lowest bit is sticky. A normal result keeps 53 bits and the
   conversion rounds; a subnormal one keeps fewer, so round by hand first
   (letting the conversion round again would round twice). */
static double scale_rounded(uint64_t top, int64_t e) {
    int64_t msb = e + 54; /* top is in [2**54, 2**55) */
    if (msb > 1024) return HUGE_VAL;
    if (msb >= -1022) return ldexp((double)top, (int)e);
    int64_t bits = msb + 1075; /* significant bits a subnormal has room for */
    int64_t drop = 55 - bits;
    if (drop > 56) return 0.0;
    uint64_t keep = drop >= 64 ? 0 : top >> drop;
    uint64_t rest = top - (keep << drop), half = (uint64_t)1 << (drop - 1);
    if (rest > half || (rest == half && (keep & 1))) keep++;
    return ldexp((double)keep, -1074);
}

int bigint_true_divide(const BigInt *a, const BigInt *b, double *out) {
    bool neg = a->neg != b->neg;
    if (a->len == 0) {
        *out = neg ? -0.0 : 0.0;
        return 0;
    }
    /* Scale so that the quotient has at least 55 bits, then let the
       remainder set a sticky bit: one correct rounding, as for ints. */
    int64_t shift = 56 - ((int64_t)bigint_bit_length(a) - (int64_t)bigint_bit_length(b));
    BigInt num = BIGINT_EMPTY, den = BIGINT_EMPTY, q = BIGINT_EMPTY, rem = BIGINT_EMPTY;
    BigInt aa = *a, bb = *b;
    aa.neg = bb.neg = false;
    int rc = shift >= 0 ? bigint_lshift(&aa, (uint64_t)shift, &num) : bigint_copy(&aa, &num);
    if (rc == 0)
        rc = shift < 0 ? bigint_lshift(&bb, (uint64_t)-shift, &den) : bigint_copy(&bb, &den);
    if (rc == 0) rc = mag_divmod(&num, &den, &q, &rem);
    if (rc == 0) {
        int64_t qshift;
        uint64_t top = top_bits(&q, &qshift);
        /* bits shifted out of q by top_bits are already sticky; add rem's */
        top |= rem.len != 0;
        double v = scale_rounded(top, qshift - shift);
        if (isinf(v)) rc = 1;
        *out = neg ? -v : v;
    }
    bigint_free(&num);
    bigint_free(&den);
    bigint_free(&q);
    bigint_free(&rem);
    return rc;
}

/* ---- Text ---- */

char *bigint_to_text(const BigInt *a, int base, size_t *len) {
    /* Upper bound on the digit count: bits / log2(base) <= bits (base 2). */
    uint64_t bits = bigint_bit_length(a);
    size_t cap = (size_t)bits + 2;
    if (base >= 8) cap = (size_t)(bits / 3) + 2;
    if (base >= 10) cap = (size_t)(bits * 0.30103) + 3;
    char *buf = mem_alloc(cap + 1);
    BigInt work = BIGINT_EMPTY;
    if (!buf || bigint_copy(a, &work) < 0) {
        if (buf) mem_free(buf, cap + 1);
        else error_no_memory();
        return NULL;
    }
    /* Peel off a chunk of `per` digits with one division by base**per. */
    uint32_t chunk = (uint32_t)base;
    int per = 1;
    while ((uint64_t)chunk * (uint32_t)base <= 0xffffffffu) {
        chunk *= (uint32_t)base;
        per++;
    }
    size_t n = 0;
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    char *end = buf + cap;
    while (work.len) {
        uint32_t r = chunk == 1000000000u ? div_digit(work.d, work.len, 1000000000u, work.d)
                                          : mag_div_digit(work.d, work.len, chunk, work.d);
        bigint_trim(&work);
        for (int i = 0; i < per && (work.len || r); i++) {
            *--end = digits[r % (uint32_t)base];
            r /= (uint32_t)base;
            n++;
        }
    }
    if (n == 0) {
        *--end = '0';
        n = 1;
    }
    bigint_free(&work);
    memmove(buf, end, n);
    buf[n] = '\0';
    /* Shrinking a block keeps its size honest for mem_free. */
    char *shrunk = mem_realloc(buf, cap + 1, n + 1);
    if (shrunk) buf = shrunk;
    else {
        mem_free(buf, cap + 1);
        error_no_memory();
        return NULL;
    }
    *len = n;
    return buf;
}

int bigint_from_digit_values(const unsigned char *v, size_t n, int base, bool neg, BigInt *r) {
    /* Each step multiplies by base**k and adds the next k digits' value. */
    if (big_alloc(r, (size_t)((double)n * log2((double)base) / 32) + 2) < 0) return -1;
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        uint64_t mult = 1, add = 0;
        while (i < n && mult * (uint64_t)base <= 0xffffffffu) {
            mult *= (uint64_t)base;
            add = add * (uint64_t)base + v[i++];
        }
        uint64_t carry = add;
        for (size_t j = 0; j < len; j++) {
            carry += (uint64_t)r->d[j] * mult;
            r->d[j] = (uint32_t)carry;
            carry >>= 32;
        }
        if (carry) r->d[len++] = (uint32_t)carry;
    }
    r->len = len;
    r->neg = neg;
    bigint_trim(r);
    return 0;
}
