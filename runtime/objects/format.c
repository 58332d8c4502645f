/* format.c - text formatting: format() and its spec mini-language, str % args
 * (and bytes % args, which shares the directives), and str.format().
 *
 * The three entry points share one model of a formatted number: a sign, a
 * prefix ("0x"), a run of integer digits, and the rest ('.5', 'e+05', '%').
 * Grouping (',' or '_') applies to the integer digits only, and padding goes
 * around the whole, or between sign/prefix and digits for '=' alignment. When
 * the padding is zeros at '=' and grouping is on, the zeros are grouped too
 * ("00,001,234"), as Python does.
 *
 * Float digits come from the C library's correctly rounded printf (%e, %f,
 * %g), which rounds exactly as Python's own dtoa does, and from
 * float_shortest_digits for the default style (repr).
 *
 * Invariants: every function returns a new reference or NULL with an
 * exception set; builders are always finished or discarded; error texts are
 * CPython 3.11's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytearray.h"
#include "objects/bytes.h"
#include "objects/complexobject.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* ---- The parsed spec ---- */

typedef struct {
    char fill[5];      /* UTF-8 of the fill character, NUL-terminated */
    bool fill_given;
    char align;        /* '<', '>', '=', '^' or 0 for the type's default */
    char sign;         /* '+', '-', ' ' or 0 */
    bool z;            /* coerce negative zero */
    bool alt;          /* '#' */
    bool zero;         /* '0' before the width */
    int64_t width;     /* -1: none */
    char grouping;     /* ',', '_' or 0 */
    int64_t precision; /* -1: none */
    char type;         /* 0 when absent; '\xff' for a non-ASCII one */
    bool bare_repr;    /* a complex part without a type: repr digits, no ".0" */
    uint32_t type_cp;  /* the type's code point, for error messages */
} Spec;

static bool is_align(char c) { return c == '<' || c == '>' || c == '=' || c == '^'; }

/* Reads a decimal number at *p: 1, or 0 if there is none; a number above
   `limit` raises ValueError(too_big) and gives -1. */
static int parse_number(const char **p, const char *end, int64_t *out, int64_t limit,
                        const char *too_big) {
    const char *q = *p;
    int64_t v = 0;
    while (q < end && *q >= '0' && *q <= '9') {
        int d = *q++ - '0';
        if (v > (limit - d) / 10) {
            error_set(&exc_ValueError, "%s", too_big);
            return -1;
        }
        v = v * 10 + d;
    }
    if (q == *p) return 0;
    *out = v;
    *p = q;
    return 1;
}

/* A width or precision of the format-spec mini-language (CPython's limit is
   the largest Py_ssize_t). */
static int parse_count(const char **p, const char *end, int64_t *out) {
    return parse_number(p, end, out, INT64_MAX, "Too many decimal digits in format string");
}

/* Bytes of the UTF-8 sequence starting with lead (the spec is valid UTF-8). */
static size_t lead_len(unsigned char lead) {
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

/* Parses [[fill]align][sign][z][#][0][width][grouping][.precision][type].
   value is only used for error messages. 0 ok, -1 error. */
static int parse_spec(const char *s, size_t n, Object *value, Spec *sp) {
    memset(sp, 0, sizeof *sp);
    strcpy(sp->fill, " ");
    sp->width = sp->precision = -1;
    const char *p = s, *end = s + n;
    size_t first = n ? lead_len((unsigned char)*p) : 0;
    if (n > first && is_align(p[first])) {
        memcpy(sp->fill, p, first);
        sp->fill[first] = '\0';
        sp->fill_given = true;
        sp->align = p[first];
        p += first + 1;
    } else if (n > 0 && is_align(*p)) {
        sp->align = *p++;
    }
    if (p < end && (*p == '+' || *p == '-' || *p == ' ')) sp->sign = *p++;
    if (p < end && *p == 'z') { sp->z = true; p++; }
    if (p < end && *p == '#') { sp->alt = true; p++; }
    if (p < end && *p == '0') { sp->zero = true; p++; }
    if (parse_count(&p, end, &sp->width) < 0) return -1;
    if (p < end && (*p == ',' || *p == '_')) {
        sp->grouping = *p++;
        if (p < end && (*p == ',' || *p == '_')) {
            error_set(&exc_ValueError, "Cannot specify both ',' and '_'.");
            return -1;
        }
    }
    if (p < end && *p == '.') {
        p++;
        int got = parse_count(&p, end, &sp->precision);
        if (got < 0) return -1;
        if (got == 0) {
            error_set(&exc_ValueError, "Format specifier missing precision");
            return -1;
        }
    }
    /* the type is one character, possibly a non-ASCII one (then unknown) */
    size_t type_len = p < end ? lead_len((unsigned char)*p) : 0;
    if ((size_t)(end - p) != type_len) {
        error_set(&exc_ValueError, "Invalid format specifier '%.*s' for object of type '%s'",
                  (int)n, s, TYPE_NAME(value));
        return -1;
    }
    if (p < end) {
        size_t len;
        sp->type_cp = str_utf8_decode(p, &len);
        sp->type = sp->type_cp < 0x80 ? *p : '\xff';
    }
    /* '0' means zero padding after the sign, unless fill/align say otherwise. */
    if (sp->zero && !sp->fill_given) strcpy(sp->fill, "0");
    return 0;
}

/* CPython shows the code of an unprintable or non-ASCII type in hex. */
static Object *unknown_code(uint32_t type, Object *value) {
    if (type > 32 && type < 128)
        return error_set(&exc_ValueError, "Unknown format code '%c' for object of type '%s'",
                         (char)type, TYPE_NAME(value));
    return error_set(&exc_ValueError, "Unknown format code '\\x%x' for object of type '%s'",
                     (unsigned)type, TYPE_NAME(value));
}

/* ---- Padding and grouping ---- */

static void add_fill(StrBuilder *b, const Spec *sp, int64_t count) {
    size_t len = strlen(sp->fill);
    if (count <= 0 || !str_builder_reserve(b, (size_t)count, len)) return;
    /* A run of fill characters, added a chunk at a time: a huge width costs
       one copy per byte, not one call. */
    char chunk[256];
    size_t per = sizeof chunk / len, n = 0;
    for (size_t i = 0; i < per; i++) memcpy(chunk + i * len, sp->fill, len);
    for (uint64_t left = (uint64_t)count; left > 0; left -= n) {
        n = left < per ? (size_t)left : per;
        str_builder_add(b, chunk, n * len);
    }
}

/* Appends text (chars code points) padded to the spec's width. */
static void add_aligned(StrBuilder *b, const Spec *sp, char align, const char *text, size_t len,
                        size_t chars) {
    int64_t pad = sp->width > (int64_t)chars ? sp->width - (int64_t)chars : 0;
    int64_t left = align == '>' ? pad : align == '^' ? pad / 2 : 0;
    add_fill(b, sp, left);
    str_builder_add(b, text, len);
    add_fill(b, sp, pad - left);
}

/* Appends digits with a separator every `interval` digits from the right.
   With min_width > 0, leading zeros are added (and grouped) until the result
   is at least that wide, never starting with a separator. */
static void add_grouped(StrBuilder *b, const char *digits, size_t n, char sep, size_t interval,
                        size_t min_width) {
    /* total: digits including padding zeros, the fewest for which the digits
       and separators fill min_width: start from the estimate
       min_width * interval / (interval + 1) and correct it by a step or two */
    size_t total = n;
    if (min_width > n) {
        size_t t = min_width - min_width / (interval + 1);
        if (t > total) total = t;
        while (total > n && total - 1 + (total - 2) / interval >= min_width) total--;
        while (total + (total - 1) / interval < min_width) total++;
    }
    if (!str_builder_reserve(b, total + total / interval, 1)) return;
    /* A separator cannot lead: if one would, one more zero goes first. */
    for (size_t i = 0; i < total; i++) {
        size_t from_right = total - i; /* digits left including this one */
        char c = i < total - n ? '0' : digits[i - (total - n)];
        str_builder_add_char(b, c);
        if (from_right > 1 && (from_right - 1) % interval == 0) str_builder_add_char(b, sep);
    }
}

/* A number's pieces: sign prefix digits rest. */
typedef struct {
    char sign;          /* 0, '-', '+', ' ' */
    const char *prefix; /* "" or "0x" ... */
    const char *digits; /* integer digits (may be empty, e.g. "inf" is all rest) */
    size_t ndigits;
    const char *rest;   /* fraction, exponent, '%' */
    size_t nrest;
    size_t interval;    /* grouping interval: 3 decimal, 4 binary/octal/hex */
} NumParts;

/* Lays out a number per the spec (alignment default '>', or '=' with '0'). */
static void add_number(StrBuilder *b, const Spec *sp, const NumParts *np) {
    char align = sp->align ? sp->align : sp->zero ? '=' : '>';
    size_t head = (np->sign ? 1 : 0) + strlen(np->prefix);
    StrBuilder body;
    str_builder_init(&body);
    if (sp->grouping && np->ndigits > 0) {
        size_t min_width = 0;
        if (align == '=' && strcmp(sp->fill, "0") == 0 && sp->width > (int64_t)(head + np->nrest))
            min_width = (size_t)sp->width - head - np->nrest;
        add_grouped(&body, np->digits, np->ndigits, sp->grouping, np->interval, min_width);
    } else {
        str_builder_add(&body, np->digits, np->ndigits);
    }
    str_builder_add(&body, np->rest, np->nrest);
    size_t chars = head + body.len; /* number text is ASCII */
    int64_t pad = sp->width > (int64_t)chars ? sp->width - (int64_t)chars : 0;
    if (align == '=') {
        if (np->sign) str_builder_add_char(b, np->sign);
        str_builder_add_cstr(b, np->prefix);
        add_fill(b, sp, pad);
        str_builder_add(b, body.data, body.len);
    } else {
        int64_t left = align == '>' ? pad : align == '^' ? pad / 2 : 0;
        add_fill(b, sp, left);
        if (np->sign) str_builder_add_char(b, np->sign);
        str_builder_add_cstr(b, np->prefix);
        str_builder_add(b, body.data, body.len);
        add_fill(b, sp, pad - left);
    }
    str_builder_discard(&body);
}

static char sign_char(bool negative, char sign_flag) {
    if (negative) return '-';
    return sign_flag == '+' ? '+' : sign_flag == ' ' ? ' ' : 0;
}

/* ---- Integers ---- */

/* Digits of u in base (2, 8, 10, 16) into the end of buf[72]; returns start. */
static char *unsigned_digits(uint64_t u, int base, bool upper, char *buf_end) {
    const char *alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = buf_end;
    do {
        *--p = alphabet[u % (uint64_t)base];
        u /= (uint64_t)base;
    } while (u);
    return p;
}

/* Appends the big int v in base with zeros up to min_digits, the sign and
   prefix going into np. 0 ok, -1 error (the str-digit limit, memory). */
static int add_big_int(StrBuilder *b, const Spec *sp, Object *v, int base, bool upper,
                       int64_t min_digits, NumParts *np) {
    size_t len;
    bool negative;
    char *text = int_to_text(v, base, &len, &negative);
    if (!text) return -1;
    size_t zeros = min_digits > 0 && (size_t)min_digits > len ? (size_t)min_digits - len : 0;
    char *digits = mem_alloc(zeros + len + 1);
    if (!digits) {
        mem_free(text, len + 1);
        error_no_memory();
        return -1;
    }
    memset(digits, '0', zeros);
    for (size_t i = 0; i < len; i++)
        digits[zeros + i] = upper && text[i] >= 'a' ? (char)(text[i] - 'a' + 'A') : text[i];
    mem_free(text, len + 1);
    np->sign = sign_char(negative, sp->sign);
    np->digits = digits;
    np->ndigits = zeros + len;
    add_number(b, sp, np);
    mem_free(digits, zeros + len + 1);
    return 0;
}

/* Appends the int v in the given integer presentation (d b o x X), with
   min_digits zeros of precision (for %-formatting's "%.3d"). 0 ok, -1
   error (only a big int can fail). */
static int add_int(StrBuilder *b, const Spec *sp, Object *obj, char type, int64_t min_digits) {
    int base = 10;
    const char *prefix = "";
    switch (type) {
    case 'b': base = 2; prefix = "0b"; break;
    case 'o': base = 8; prefix = "0o"; break;
    case 'x': base = 16; prefix = "0x"; break;
    case 'X': base = 16; prefix = "0X"; break;
    default: break;
    }
    NumParts np = {
        .prefix = sp->alt ? prefix : "",
        .rest = "",
        .nrest = 0,
        .interval = base == 10 ? 3 : 4,
    };
    if (int_is_big(obj)) return add_big_int(b, sp, obj, base, type == 'X', min_digits, &np);
    int64_t v = int_value(obj);
    char buf[72];
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    char *start = unsigned_digits(u, base, type == 'X', buf + sizeof buf);
    while (buf + sizeof buf - start < min_digits && start > buf) *--start = '0';
    np.sign = sign_char(v < 0, sp->sign);
    np.digits = start;
    np.ndigits = (size_t)(buf + sizeof buf - start);
    add_number(b, sp, &np);
    return 0;
}

/* The character with code point v, for 'c' and %c. */
static int add_code_point(StrBuilder *b, int64_t v) {
    if (v < 0 || v > 0x10FFFF) {
        error_set(&exc_OverflowError, "%%c arg not in range(0x110000)");
        return -1;
    }
    char buf[4];
    str_builder_add(b, buf, str_utf8_encode((uint32_t)v, buf));
    return 0;
}

static Object *format_float_value(double v, Spec *sp, Object *value);

static Object *format_int(Object *value, Spec *sp) {
    int64_t v = int_value(value);
    char type = sp->type ? sp->type : 'd';
    switch (type) {
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case '%': {
        double d;
        if (int_as_double(value, &d) < 0) return NULL;
        return format_float_value(d, sp, value);
    }
    case 'd': case 'n': case 'b': case 'o': case 'x': case 'X': case 'c': break;
    default: return unknown_code(sp->type_cp, value);
    }
    if (sp->precision >= 0)
        return error_set(&exc_ValueError, "Precision not allowed in integer format specifier");
    if (sp->z)
        return error_set(&exc_ValueError,
                         "Negative zero coercion (z) not allowed in integer format specifier");
    StrBuilder b;
    str_builder_init(&b);
    if (type == 'c') {
        if (sp->sign)
            return error_set(&exc_ValueError, "Sign not allowed with integer format specifier 'c'");
        if (sp->alt)
            return error_set(&exc_ValueError,
                             "Alternate form (#) not allowed with integer format specifier 'c'");
        if (sp->grouping)
            return error_set(&exc_ValueError, "Cannot specify ',' with 'c'.");
        StrBuilder ch;
        str_builder_init(&ch);
        if (add_code_point(&ch, int_is_big(value) ? -1 : v) < 0) {
            str_builder_discard(&ch);
            return NULL;
        }
        add_aligned(&b, sp, sp->align ? sp->align : '>', ch.data, ch.len, 1);
        str_builder_discard(&ch);
        return str_builder_finish(&b);
    }
    if (sp->grouping == ',' && type != 'd')
        return error_set(&exc_ValueError, "Cannot specify ',' with '%c'.", type);
    if (sp->grouping == '_' && type == 'n')
        return error_set(&exc_ValueError, "Cannot specify '_' with 'n'.");
    if (add_int(&b, sp, value, type, 0) < 0) {
        str_builder_discard(&b);
        return NULL;
    }
    return str_builder_finish(&b);
}

/* ---- Floats ---- */

/* A double's exact decimal expansion has at most 1074 digits after the
   point and 767 significant digits, so past this many every digit printf
   writes is a 0 and nothing rounds. Huge precisions are formatted with this
   many digits and the zeros added here: asked for 2**31 - 1 digits, printf
   would build gigabytes and then fail (its count is an int). */
#define FLOAT_EXACT_DIGITS 1100

/* Inserts n '0' characters at b[at..]; the (short) text after them, an
   exponent, moves right. */
static void insert_zeros(StrBuilder *b, size_t at, size_t n) {
    char tail[16];
    size_t ntail = b->len - at;
    if (ntail > sizeof tail) { b->failed = true; return; } /* not an exponent */
    memcpy(tail, b->data + at, ntail);
    b->len = at;
    static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";
    while (n > 0 && !b->failed) {
        size_t k = n < sizeof zeros - 1 ? n : sizeof zeros - 1;
        str_builder_add(b, zeros, k);
        n -= k;
    }
    str_builder_add(b, tail, ntail);
}

/* printf of one double into b (any length). fmt has one '*' precision.
   printf's count is checked: a negative one marks b failed. */
static void add_printf_double(StrBuilder *b, const char *fmt, int precision, double v) {
    size_t extra_zeros = 0;
    if (precision > FLOAT_EXACT_DIGITS) {
        /* %g strips trailing zeros unless '#': the zeros never show. */
        bool strips = (strchr(fmt, 'g') || strchr(fmt, 'G')) && !strchr(fmt, '#');
        if (!strips) extra_zeros = (size_t)(precision - FLOAT_EXACT_DIGITS);
        precision = FLOAT_EXACT_DIGITS;
    }
    size_t from = b->len;
    char small[64];
    int n = snprintf(small, sizeof small, fmt, precision, v);
    if (n < 0) { /* cannot happen with a bounded precision; never trusted */
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        str_builder_add(b, small, (size_t)n);
    } else {
        char *big = mem_alloc((size_t)n + 1);
        if (!big) {
            b->failed = true;
            return;
        }
        if (snprintf(big, (size_t)n + 1, fmt, precision, v) == n) str_builder_add(b, big, (size_t)n);
        else b->failed = true;
        mem_free(big, (size_t)n + 1);
    }
    if (extra_zeros == 0 || b->failed) return;
    /* The zeros belong at the end of the digits: before any exponent. */
    const char *e = memchr(b->data + from, 'e', b->len - from);
    if (!e) e = memchr(b->data + from, 'E', b->len - from);
    insert_zeros(b, e ? (size_t)(e - b->data) : b->len, extra_zeros);
}

/* Removes trailing zeros of the fraction in b[from..] (before any exponent),
   and the point too when nothing is left after it unless keep_point. */
static void strip_fraction_zeros(StrBuilder *b, size_t from, bool keep_one_zero) {
    char *s = b->data + from;
    size_t n = b->len - from;
    char *dot = memchr(s, '.', n);
    if (!dot) return;
    char *e = memchr(s, 'e', n);
    if (!e) e = memchr(s, 'E', n);
    char *frac_end = e ? e : s + n;
    char *q = frac_end;
    while (q > dot + 1 && q[-1] == '0') q--;
    if (q == dot + 1) q = keep_one_zero ? dot + 2 : dot;
    size_t tail = (size_t)(s + n - frac_end);
    memmove(q, frac_end, tail);
    b->len = (size_t)(q - b->data) + tail;
}

/* The default float style with a precision: like 'g', but switching to
   exponent form one digit earlier and always keeping a digit after the
   point in fixed form ('1.0', not '1'). */
static void add_general_default(StrBuilder *b, double a, int p, bool alt) {
    if (p == 0) p = 1;
    /* Without '#' the zeros are stripped again: more digits than a double
       has change nothing (FLOAT_EXACT_DIGITS). */
    if (!alt && p > FLOAT_EXACT_DIGITS) p = FLOAT_EXACT_DIGITS;
    char probe[FLOAT_EXACT_DIGITS + 100];
    /* Only the exponent is read; past FLOAT_EXACT_DIGITS nothing rounds. */
    snprintf(probe, sizeof probe, "%.*e", p - 1 < FLOAT_EXACT_DIGITS ? p - 1 : FLOAT_EXACT_DIGITS, a);
    int exp10 = atoi(strchr(probe, 'e') + 1);
    size_t from = b->len;
    if (exp10 >= -4 && exp10 < p - 1) {
        add_printf_double(b, alt ? "%#.*f" : "%.*f", p - 1 - exp10, a);
        if (!alt) strip_fraction_zeros(b, from, true);
    } else {
        add_printf_double(b, alt ? "%#.*e" : "%.*e", p - 1, a);
        if (!alt) strip_fraction_zeros(b, from, false);
    }
}

/* A part of a complex number formatted without a type: its repr without
   the ".0" ("2", "1e+16"), and with '#' a point however it looks ("2."). */
static void add_bare_repr(StrBuilder *b, double a, bool alt) {
    char buf[40];
    int n = complex_part_repr(a, buf, sizeof buf);
    const char *e = memchr(buf, 'e', (size_t)n);
    size_t mantissa = e ? (size_t)(e - buf) : (size_t)n;
    str_builder_add(b, buf, mantissa);
    if (alt && !memchr(buf, '.', mantissa)) str_builder_add_char(b, '.');
    str_builder_add(b, buf + mantissa, (size_t)n - mantissa);
}

/* The body of |v| (finite) for a float presentation type, without sign. */
static void add_float_body(StrBuilder *b, double a, char type, int64_t precision, bool alt,
                           bool bare_repr) {
    int p = precision < 0 ? 6 : (int)precision;
    switch (type) {
    case 'e': add_printf_double(b, alt ? "%#.*e" : "%.*e", p, a); break;
    case 'E': add_printf_double(b, alt ? "%#.*E" : "%.*E", p, a); break;
    case 'f': case 'F': add_printf_double(b, alt ? "%#.*f" : "%.*f", p, a); break;
    case 'g': case 'n': add_printf_double(b, alt ? "%#.*g" : "%.*g", p, a); break;
    case 'G': add_printf_double(b, alt ? "%#.*G" : "%.*G", p, a); break;
    case '%':
        add_printf_double(b, alt ? "%#.*f" : "%.*f", p, a * 100.0);
        str_builder_add_char(b, '%');
        break;
    default: /* no type */
        if (precision < 0 && bare_repr) {
            add_bare_repr(b, a, alt);
        } else if (precision < 0) {
            char buf[40];
            int n = float_repr_buf(a, buf, sizeof buf);
            const char *e = memchr(buf, 'e', (size_t)n);
            if (alt && e && !memchr(buf, '.', (size_t)n)) { /* '#': 1.e+16 */
                str_builder_add(b, buf, (size_t)(e - buf));
                str_builder_add_char(b, '.');
                str_builder_add(b, e, (size_t)(n - (e - buf)));
            } else {
                str_builder_add(b, buf, (size_t)n);
            }
        } else {
            add_general_default(b, a, p, alt);
        }
        break;
    }
}

/* Is the formatted body all zeros (so -0.0001 at '.1f' printed as 0.0)? */
static bool body_is_zero(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == 'e' || c == 'E' || c == '%') break;
        if (c >= '1' && c <= '9') return false;
    }
    return true;
}

/* Appends v formatted per the spec: shared by format() and %-formatting. */
static void add_float(StrBuilder *out, const Spec *sp, double v, char type) {
    bool negative = signbit(v) && !isnan(v);
    double a = fabs(v);
    StrBuilder body;
    str_builder_init(&body);
    bool upper = type == 'E' || type == 'F' || type == 'G';
    if (isnan(a) || isinf(a)) {
        str_builder_add_cstr(&body, isnan(a) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"));
        if (type == '%') str_builder_add_char(&body, '%');
    } else {
        add_float_body(&body, a, type, sp->precision, sp->alt, sp->bare_repr);
        if (sp->z && negative && body_is_zero(body.data, body.len)) negative = false;
    }
    size_t ndigits = 0;
    if (!isnan(a) && !isinf(a))
        while (ndigits < body.len && body.data[ndigits] >= '0' && body.data[ndigits] <= '9')
            ndigits++;
    NumParts np = {
        .sign = sign_char(negative, sp->sign),
        .prefix = "",
        .digits = body.data,
        .ndigits = ndigits,
        .rest = body.data + ndigits,
        .nrest = body.len - ndigits,
        .interval = 3,
    };
    if (body.failed) out->failed = true;
    add_number(out, sp, &np);
    str_builder_discard(&body);
}

static Object *format_float_value(double v, Spec *sp, Object *value) {
    char type = sp->type;
    switch (type) {
    case 0: case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'n': case '%': break;
    default: return unknown_code(sp->type_cp, value);
    }
    if (sp->precision > INT32_MAX) return error_set(&exc_ValueError, "precision too big");
    if (type == 'n' && sp->grouping)
        return error_set(&exc_ValueError, "Cannot specify '%c' with 'n'.", sp->grouping);
    StrBuilder b;
    str_builder_init(&b);
    add_float(&b, sp, v, type);
    return str_builder_finish(&b);
}

/* ---- Complex numbers ---- */

/* Python's rules for a complex spec: each part formatted as a float with
   the type (the imaginary one always signed unless the real one is left
   out), then "j", and the whole padded. Without a type the text is the
   repr's: a real part of +0 is left out, anything else is bracketed. */
static Object *format_complex_value(Object *value, Spec *sp) {
    switch (sp->type) {
    case 0: case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'n': break;
    default: return unknown_code(sp->type_cp, value);
    }
    if (sp->precision > INT32_MAX) return error_set(&exc_ValueError, "precision too big");
    if (sp->type == 'n' && sp->grouping)
        return error_set(&exc_ValueError, "Cannot specify '%c' with 'n'.", sp->grouping);
    if (strcmp(sp->fill, "0") == 0)
        return error_set(&exc_ValueError, "Zero padding is not allowed in complex format specifier");
    if (sp->align == '=')
        return error_set(&exc_ValueError,
                         "'=' alignment flag is not allowed in complex format specifier");
    double re = complex_real(value), im = complex_imag(value);
    bool bare = sp->type == 0;
    bool skip_re = bare && re == 0.0 && !signbit(re);
    char type = sp->type == 'n' ? 'g' : bare && sp->precision >= 0 ? 'g' : sp->type;
    Spec part = *sp;
    part.width = -1;
    part.align = '<';
    part.bare_repr = bare && sp->precision < 0;
    StrBuilder body;
    str_builder_init(&body);
    if (bare && !skip_re) str_builder_add_char(&body, '(');
    if (!skip_re) {
        add_float(&body, &part, re, type);
        part.sign = '+';
    }
    add_float(&body, &part, im, type);
    str_builder_add_char(&body, 'j');
    if (bare && !skip_re) str_builder_add_char(&body, ')');
    StrBuilder b;
    str_builder_init(&b);
    if (body.failed) b.failed = true;
    add_aligned(&b, sp, sp->align ? sp->align : '>', body.data, body.len, body.len);
    str_builder_discard(&body);
    return str_builder_finish(&b);
}

/* ---- Strings ---- */

/* Byte length of the first `chars` code points of s. */
static size_t prefix_bytes(const char *s, size_t len, size_t chars) {
    size_t i = 0;
    while (i < len && chars > 0) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
        chars--;
    }
    return i;
}

static Object *format_str(Object *value, Spec *sp) {
    if (sp->type && sp->type != 's') return unknown_code(sp->type_cp, value);
    if (sp->sign)
        return error_set(&exc_ValueError, "%s not allowed in string format specifier",
                         sp->sign == ' ' ? "Space" : "Sign");
    if (sp->z)
        return error_set(&exc_ValueError,
                         "Negative zero coercion (z) not allowed in string format specifier");
    if (sp->alt)
        return error_set(&exc_ValueError,
                         "Alternate form (#) not allowed in string format specifier");
    if (sp->align == '=')
        return error_set(&exc_ValueError,
                         "'=' alignment not allowed in string format specifier");
    if (sp->grouping)
        return error_set(&exc_ValueError, "Cannot specify '%c' with 's'.", sp->grouping);
    const char *s = str_data(value);
    size_t len = str_len(value), chars = ((StrObject *)value)->nchars;
    if (sp->precision >= 0 && (size_t)sp->precision < chars) {
        len = prefix_bytes(s, len, (size_t)sp->precision);
        chars = (size_t)sp->precision;
    }
    if (sp->width <= (int64_t)chars && len == str_len(value)) return NEWREF(value);
    StrBuilder b;
    str_builder_init(&b);
    add_aligned(&b, sp, sp->align ? sp->align : '<', s, len, chars);
    return str_builder_finish(&b);
}

/* ---- format(value, spec) ---- */

/* The __format__ that value's type's MRO finds first, when a user class
   defines it; NULL when none does or a built-in class comes first. */
static Object *user_format_method(Object *value) {
    Type *t = TYPE(value);
    if (!(t->flags & TYPE_HEAP)) return NULL;
    for (size_t i = 0; i < t->mro_len; i++) {
        Type *b = t->mro[i];
        Object *m = b->dict ? dict_get_item_cstr(b->dict, "__format__") : NULL;
        if (m) return (b->flags & TYPE_HEAP) ? m : NULL;
    }
    return NULL;
}

Object *format_object(Object *value, Object *spec) {
    if (!spec && TYPE(value) == &int_type) return int_repr(value); /* f"{i}" */
    if (user_format_method(value)) {
        Object *arg = spec ? NEWREF(spec) : str_from_cstr("");
        if (!arg) return NULL;
        Object *r = object_call_method(value, "__format__", &arg, 1);
        DECREF(arg);
        if (r && !is_str(r)) {
            error_set(&exc_TypeError, "__format__ must return a str, not %s", TYPE_NAME(r));
            DECREF(r);
            return NULL;
        }
        return r;
    }
    return format_object_builtin(value, spec);
}

Object *format_object_builtin(Object *value, Object *spec) {
    size_t n = spec ? str_len(spec) : 0;
    if (n == 0) {
        if (is_str_exact(value)) return NEWREF(value);
        if (TYPE(value) == &int_type) return int_repr(value); /* f"{i}": no dispatch */
        return object_str(value); /* str(x), which a str subclass may define */
    }
    bool is_integer = is_int(value);
    bool is_real = is_float(value);
    if (!is_integer && !is_real && !is_str(value) && !is_complex(value))
        return error_set(&exc_TypeError, "unsupported format string passed to %s.__format__",
                         TYPE_NAME(value));
    Spec sp;
    if (parse_spec(str_data(spec), n, value, &sp) < 0) return NULL;
    if (is_integer) return format_int(value, &sp);
    if (is_real) return format_float_value(float_value(value), &sp, value);
    if (is_complex(value)) return format_complex_value(value, &sp);
    return format_str(value, &sp);
}

/* ---- ascii() ---- */

Object *format_ascii(Object *o) {
    Object *r = object_repr(o);
    if (!r || ((StrObject *)r)->ascii) return r;
    StrBuilder b;
    str_builder_init(&b);
    const unsigned char *p = (const unsigned char *)str_data(r);
    size_t n = str_len(r);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c < 0x80) {
            str_builder_add_char(&b, (char)c);
            i++;
            continue;
        }
        size_t len;
        uint32_t cp = str_utf8_decode((const char *)p + i, &len);
        if (cp < 0x100) str_builder_addf(&b, "\\x%02x", cp);
        else if (cp < 0x10000) str_builder_addf(&b, "\\u%04x", cp);
        else str_builder_addf(&b, "\\U%08x", cp);
        i += len;
    }
    DECREF(r);
    return str_builder_finish(&b);
}

/* ---- fmt % args ---- */

typedef struct {
    Object *const *items; /* positional arguments */
    size_t nitems, next;
    Object *mapping;      /* for %(name)s, or NULL */
    bool bytes;           /* bytes % args: %s takes bytes-like objects, keys are bytes */
} PercentArgs;

static Object *next_arg(PercentArgs *pa) {
    if (pa->next >= pa->nitems)
        return error_set(&exc_TypeError, "not enough arguments for format string");
    return pa->items[pa->next++];
}

/* A '*' width or precision: the next argument, which must be an int. */
/* A '*' width (a Py_ssize_t in CPython) or precision (a C int). */
static int star_arg(PercentArgs *pa, int64_t *out, bool c_int) {
    Object *a = next_arg(pa);
    if (!a) return -1;
    if (!is_int(a)) {
        error_set(&exc_TypeError, "* wants int");
        return -1;
    }
    *out = int_value(a);
    if (c_int && (*out < INT32_MIN || *out > INT32_MAX)) {
        error_set(&exc_OverflowError, "Python int too large to convert to C int");
        return -1;
    }
    return 0;
}

/* %d %i %u %x %X %o: the argument as an int (floats truncate for d/i/u),
   a new reference in *out. */
static int percent_int_arg(Object *a, char conv, Object **out) {
    if (is_int(a)) {
        *out = NEWREF(a);
        return 0;
    }
    bool decimal = conv == 'd' || conv == 'i' || conv == 'u';
    if (decimal && (is_float(a) || TYPE(a)->to_int)) {
        Object *i = is_float(a) ? int_from_double(float_value(a)) : TYPE(a)->to_int(a);
        if (!i) return -1;
        *out = i;
        return 0;
    }
    if (TYPE(a)->index) {
        *out = TYPE(a)->index(a);
        if (*out && !is_int(*out)) {
            error_set(&exc_TypeError, "__index__ returned non-int (type %s)", TYPE_NAME(*out));
            CLEAR(out);
        }
        return *out ? 0 : -1;
    }
    error_set(&exc_TypeError, "%%%c format: %s is required, not %s", conv,
              decimal ? "a real number" : "an integer", TYPE_NAME(a));
    return -1;
}

/* The bytes %s / %b take: a bytes-like object, or what __bytes__ returns.
   A new bytes object. */
static Object *percent_bytes_arg(Object *a) {
    if ((TYPE(a)->flags & TYPE_HEAP) && type_lookup_cstr(TYPE(a), "__bytes__")) {
        Object *r = object_call_method(a, "__bytes__", NULL, 0);
        if (r && !is_bytes(r)) {
            error_set(&exc_TypeError, "__bytes__ returned non-bytes (type %s)", TYPE_NAME(r));
            CLEAR(&r);
        }
        return r;
    }
    if (!buffer_supported(a))
        return error_set(&exc_TypeError, "%%b requires a bytes-like object, "
                         "or an object that implements __bytes__, not '%s'", TYPE_NAME(a));
    return bytes_from_buffer(a);
}

/* %c of bytes: an int in range(256) or a single byte. */
static int percent_byte_char(Object *a, char *out) {
    if ((is_bytes(a) && bytes_size(a) == 1) || (is_bytearray(a) && bytearray_size(a) == 1)) {
        *out = is_bytes(a) ? bytes_data(a)[0] : bytearray_data(a)[0];
        return 0;
    }
    if (!is_int(a) && !TYPE(a)->index) {
        error_set(&exc_TypeError, "%%c requires an integer in range(256) or a single byte");
        return -1;
    }
    int64_t v;
    if (object_as_index(a, &v, NULL) < 0) {
        if (!error_matches(&exc_OverflowError)) return -1;
        error_clear();
        v = -1;
    }
    if (v < 0 || v > 255) {
        error_set(&exc_OverflowError, "%%c arg not in range(256)");
        return -1;
    }
    *out = (char)v;
    return 0;
}

/* The conversions that differ for bytes: s b r a c. 0, -1, or -2 for an
   unknown conversion. */
static int percent_convert_bytes(StrBuilder *b, Spec *sp, char conv, Object *a, int64_t precision) {
    Object *text;
    char c;
    switch (conv) {
    case 's': case 'b': text = percent_bytes_arg(a); break;
    case 'r': case 'a': {
        Object *s = format_ascii(a); /* ASCII only, so its UTF-8 is its bytes */
        text = s ? bytes_from_data(str_data(s), str_len(s)) : NULL;
        XDECREF(s);
        break;
    }
    case 'c':
        if (percent_byte_char(a, &c) < 0) return -1;
        text = bytes_from_data(&c, 1);
        break;
    default: return -2;
    }
    if (!text) return -1;
    size_t len = bytes_size(text);
    if (precision >= 0 && (size_t)precision < len && conv != 'c') len = (size_t)precision;
    strcpy(sp->fill, " ");
    add_aligned(b, sp, sp->align, bytes_data(text), len, len);
    DECREF(text);
    return 0;
}

/* One conversion with its flags already in sp. 0 ok, -1 error. */
static int percent_convert(StrBuilder *b, Spec *sp, char conv, Object *a, int64_t precision,
                           bool bytes) {
    if (bytes && conv && strchr("sbrac", conv)) return percent_convert_bytes(b, sp, conv, a, precision);
    switch (conv) {
    case 's': case 'r': case 'a': {
        Object *s = conv == 's' ? object_str(a) : conv == 'r' ? object_repr(a) : format_ascii(a);
        if (!s) return -1;
        const char *d = str_data(s);
        size_t len = str_len(s), chars = ((StrObject *)s)->nchars;
        if (precision >= 0 && (size_t)precision < chars) {
            len = prefix_bytes(d, len, (size_t)precision);
            chars = (size_t)precision;
        }
        strcpy(sp->fill, " ");
        add_aligned(b, sp, sp->align, d, len, chars);
        DECREF(s);
        return 0;
    }
    case 'c': {
        StrBuilder ch;
        str_builder_init(&ch);
        if (is_str(a)) {
            if (((StrObject *)a)->nchars != 1) {
                str_builder_discard(&ch);
                error_set(&exc_TypeError, "%%c requires int or char");
                return -1;
            }
            str_builder_add_str(&ch, a);
        } else if (is_int(a)) {
            if (add_code_point(&ch, int_value(a)) < 0) {
                str_builder_discard(&ch);
                return -1;
            }
        } else {
            str_builder_discard(&ch);
            error_set(&exc_TypeError, "%%c requires int or char");
            return -1;
        }
        strcpy(sp->fill, " ");
        add_aligned(b, sp, sp->align, ch.data, ch.len, 1);
        str_builder_discard(&ch);
        return 0;
    }
    case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': {
        Object *v;
        if (percent_int_arg(a, conv, &v) < 0) return -1;
        int rc = add_int(b, sp, v, conv == 'x' || conv == 'X' || conv == 'o' ? conv : 'd', precision);
        DECREF(v);
        return rc;
    }
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
        double v;
        if (float_as_double(a, &v) < 0) {
            /* float_as_double's message is the one Python gives for str. */
            if (bytes && !TYPE(a)->to_float) {
                error_clear();
                error_set(&exc_TypeError, "float argument required, not %s", TYPE_NAME(a));
                return -1;
            }
            if (TYPE(a)->to_float) {
                error_clear();
                Object *f = TYPE(a)->to_float(a);
                if (!f) return -1;
                v = float_value(f);
                DECREF(f);
            } else {
                return -1;
            }
        }
        sp->precision = precision;
        add_float(b, sp, v, conv);
        return 0;
    }
    default:
        return -2; /* unknown: the caller reports it with its index */
    }
}

/* Parses "%(key)": the mapping lookup. *p is just past '('. */
static Object *percent_key(const char **p, const char *end, PercentArgs *pa) {
    const char *start = *p;
    int depth = 1;
    while (*p < end) {
        if (**p == '(') depth++;
        else if (**p == ')' && --depth == 0) break;
        (*p)++;
    }
    /* CPython wants the mapping before it looks for the closing ')' */
    if (!pa->mapping) return error_set(&exc_TypeError, "format requires a mapping");
    if (*p >= end) return error_set(&exc_ValueError, "incomplete format key");
    Object *key = pa->bytes ? bytes_from_data(start, (size_t)(*p - start))
                            : str_from_utf8(start, (size_t)(*p - start));
    (*p)++;
    if (!key) return NULL;
    Object *v = object_getitem(pa->mapping, key);
    DECREF(key);
    return v; /* new reference */
}

/* ValueError for an unknown conversion character at `at`; Python reports
   the character, its code point and its index in code points. */
static void unsupported_character(const char *at, const char *fmt_start, bool bytes) {
    if (bytes) {
        unsigned char c = (unsigned char)*at;
        error_set(&exc_ValueError, "unsupported format character '%c' (0x%x) at index %zu",
                  c >= 31 && c <= 126 ? (char)c : '?', c, (size_t)(at - fmt_start));
        return;
    }
    size_t index = 0;
    for (const char *q = fmt_start; q < at; q++) index += ((unsigned char)*q & 0xC0) != 0x80;
    size_t len;
    uint32_t cp = str_utf8_decode(at, &len);
    /* the character itself only when it is printable ASCII, else '?' */
    error_set(&exc_ValueError, "unsupported format character '%c' (0x%x) at index %zu",
              cp >= 31 && cp <= 126 ? (char)cp : '?', cp, index);
}

/* One %-directive starting after the '%'. 0 ok, -1 error. */
static int percent_directive(StrBuilder *b, const char **pp, const char *end, const char *fmt_start,
                             PercentArgs *pa, bool *used_mapping) {
    const char *p = *pp;
    Object *keyed = NULL;
    if (p < end && *p == '(') {
        p++;
        keyed = percent_key(&p, end, pa);
        if (!keyed) return -1;
        *used_mapping = true;
        pa->next = pa->nitems; /* after a keyed directive, no positional ones */
    }
    Spec sp;
    memset(&sp, 0, sizeof sp);
    strcpy(sp.fill, " ");
    sp.width = sp.precision = -1;
    sp.align = '>';
    for (; p < end; p++) {
        if (*p == '-') sp.align = '<';
        else if (*p == '+') sp.sign = '+';
        else if (*p == ' ') { if (sp.sign != '+') sp.sign = ' '; }
        else if (*p == '#') sp.alt = true;
        else if (*p == '0') sp.zero = true;
        else break;
    }
    int rc = 0;
    int64_t precision = -1;
    if (p < end && *p == '*') {
        p++;
        if (star_arg(pa, &sp.width, false) < 0) goto fail;
        if (sp.width < 0) { sp.align = '<'; sp.width = -sp.width; }
    } else if (parse_number(&p, end, &sp.width, INT64_MAX, "width too big") < 0) {
        goto fail;
    }
    if (p < end && *p == '.') {
        p++;
        precision = 0;
        if (p < end && *p == '*') {
            p++;
            if (star_arg(pa, &precision, true) < 0) goto fail;
        } else if (parse_number(&p, end, &precision, INT32_MAX, "precision too big") < 0) {
            goto fail;
        }
    }
    while (p < end && (*p == 'h' || *p == 'l' || *p == 'L')) p++;
    if (p >= end) {
        error_set(&exc_ValueError, "incomplete format");
        goto fail;
    }
    char conv = *p++;
    Object *arg = keyed ? keyed : next_arg(pa);
    if (!arg) goto fail;
    /* Zero padding applies to numbers only, and '-' overrides it. */
    if (sp.zero && sp.align == '>' && strchr("diuxXoeEfFgG", conv)) {
        strcpy(sp.fill, "0");
        sp.align = '=';
    }
    rc = percent_convert(b, &sp, conv, arg, precision, pa->bytes);
    if (rc == -2) {
        unsupported_character(p - 1, fmt_start, pa->bytes);
        rc = -1;
    }
    XDECREF(keyed);
    *pp = p;
    return rc;
fail:
    XDECREF(keyed);
    return -1;
}

/* fmt % args into b, for str (bytes false) or bytes. 0 / -1. */
static int percent_format(StrBuilder *b, const char *s, size_t n, Object *args, bool bytes) {
    PercentArgs pa = { NULL, 0, 0, NULL, bytes };
    if (is_tuple(args)) {
        pa.items = tuple_items(args);
        pa.nitems = tuple_size(args);
    } else {
        pa.items = &args;
        pa.nitems = 1;
        if (TYPE(args)->getitem && !is_str(args) && !(bytes && is_bytes(args))) pa.mapping = args;
    }
    const char *end = s + n, *p = s;
    bool used_mapping = false;
    while (p < end) {
        const char *pct = memchr(p, '%', (size_t)(end - p));
        if (!pct) {
            str_builder_add(b, p, (size_t)(end - p));
            break;
        }
        str_builder_add(b, p, (size_t)(pct - p));
        p = pct + 1;
        if (p < end && *p == '%') {
            str_builder_add_char(b, '%');
            p++;
            continue;
        }
        if (p >= end) {
            error_set(&exc_ValueError, "incomplete format");
            return -1;
        }
        if (percent_directive(b, &p, end, s, &pa, &used_mapping) < 0) return -1;
    }
    if (pa.next < pa.nitems && !pa.mapping && !used_mapping) {
        error_set(&exc_TypeError, "not all arguments converted during %s formatting",
                  bytes ? "bytes" : "string");
        return -1;
    }
    return 0;
}

/* A nonempty format without a single '%' (or '{' and '}' for str.format)
   gives back the format object itself once the arguments are checked, as
   CPython does: an instance of a str subclass stays one. */
static bool is_plain_text(Object *fmt, const char *marks) {
    const char *s = str_data(fmt);
    size_t n = str_len(fmt);
    if (n == 0) return false;
    for (; *marks; marks++)
        if (memchr(s, *marks, n)) return false;
    return true;
}

Object *str_percent_format(Object *fmt, Object *args) {
    StrBuilder b;
    str_builder_init(&b);
    if (percent_format(&b, str_data(fmt), str_len(fmt), args, false) < 0) {
        str_builder_discard(&b);
        return NULL;
    }
    if (is_plain_text(fmt, "%")) {
        str_builder_discard(&b);
        return NEWREF(fmt);
    }
    return str_builder_finish(&b);
}

Object *bytes_percent_format(const char *fmt, size_t len, Object *args, bool to_bytearray) {
    StrBuilder b;
    str_builder_init(&b);
    Object *r = NULL;
    if (percent_format(&b, fmt, len, args, true) == 0)
        r = b.failed ? error_no_memory()
          : to_bytearray ? bytearray_from_data(b.data, b.len) : bytes_from_data(b.data, b.len);
    str_builder_discard(&b);
    return r;
}

/* ---- str.format ---- */

typedef struct {
    Object *const *args;
    size_t nargs;
    Object *kwnames;     /* tuple or NULL */
    Object *const *kwvalues;
    Object *mapping;     /* str.format_map's argument (borrowed), or NULL */
    int auto_index;      /* next automatic field number; -1 once manual numbering is used */
    bool manual;
} FormatCall;

static Object *render_format(FormatCall *fc, const char *s, size_t n, int depth);

/* A keyword argument by name (borrowed), or NULL. */
static Object *keyword_arg(FormatCall *fc, const char *name, size_t len) {
    size_t nkw = fc->kwnames ? tuple_size(fc->kwnames) : 0;
    for (size_t i = 0; i < nkw; i++) {
        Object *k = tuple_item(fc->kwnames, i);
        if (str_len(k) == len && memcmp(str_data(k), name, len) == 0) return fc->kwvalues[i];
    }
    return NULL;
}

static bool all_digits(const char *s, size_t n) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* The object named by the first part of a field name (new reference). */
static Object *field_base(FormatCall *fc, const char *s, size_t n) {
    if (fc->mapping && (n == 0 || all_digits(s, n)))
        return error_set(&exc_ValueError, "Format string contains positional fields");
    if (n == 0 || all_digits(s, n)) {
        size_t index;
        if (n == 0) {
            if (fc->manual)
                return error_set(&exc_ValueError, "cannot switch from manual field "
                                 "specification to automatic field numbering");
            index = (size_t)fc->auto_index++;
        } else {
            if (fc->auto_index > 0)
                return error_set(&exc_ValueError, "cannot switch from automatic field "
                                 "numbering to manual field specification");
            fc->manual = true;
            index = (size_t)strtoull(s, NULL, 10);
        }
        if (index >= fc->nargs)
            return error_set(&exc_IndexError,
                             "Replacement index %zu out of range for positional args tuple", index);
        return NEWREF(fc->args[index]);
    }
    Object *v = keyword_arg(fc, s, n);
    if (v) return NEWREF(v);
    Object *key = str_from_utf8(s, n);
    if (fc->mapping) {
        v = key ? object_getitem(fc->mapping, key) : NULL;
        XDECREF(key);
        return v;
    }
    if (key) {
        error_set_object(&exc_KeyError, key);
        DECREF(key);
    }
    return NULL;
}

/* Resolves "name.attr[key]..." to an object (new reference). */
static Object *resolve_field(FormatCall *fc, const char *s, size_t n) {
    size_t i = 0;
    while (i < n && s[i] != '.' && s[i] != '[') i++;
    Object *obj = field_base(fc, s, i);
    while (obj && i < n) {
        char kind = s[i++];
        size_t start = i;
        Object *next;
        if (kind == '.') {
            while (i < n && s[i] != '.' && s[i] != '[') i++;
            if (i == start) {
                DECREF(obj);
                return error_set(&exc_ValueError, "Empty attribute in format string");
            }
            Object *name = str_from_utf8(s + start, i - start);
            next = name ? object_getattr(obj, name) : NULL;
            XDECREF(name);
        } else {
            while (i < n && s[i] != ']') i++;
            if (i >= n) {
                DECREF(obj);
                return error_set(&exc_ValueError, "Missing ']' in format string");
            }
            if (i == start) {
                DECREF(obj);
                return error_set(&exc_ValueError, "Empty attribute in format string");
            }
            Object *key = all_digits(s + start, i - start)
                              ? int_from_string(s + start, i - start, 10)
                              : str_from_utf8(s + start, i - start);
            next = key ? object_getitem(obj, key) : NULL;
            XDECREF(key);
            i++; /* past ']' */
            if (i < n && s[i] != '.' && s[i] != '[') {
                DECREF(obj);
                XDECREF(next);
                return error_set(&exc_ValueError,
                                 "Only '.' or '[' may follow ']' in format field specifier");
            }
        }
        DECREF(obj);
        obj = next;
    }
    return obj;
}

/* Formats one replacement field's text (between the braces). */
static int render_field(FormatCall *fc, StrBuilder *out, const char *s, size_t n, int depth) {
    /* The field name ends at '!' or ':' outside brackets. */
    size_t i = 0;
    int bracket = 0;
    while (i < n && (bracket || (s[i] != '!' && s[i] != ':'))) {
        if (s[i] == '[') bracket = 1;
        else if (s[i] == ']') bracket = 0;
        i++;
    }
    size_t name_len = i;
    char conversion = 0;
    uint32_t conversion_cp = 0;
    if (i < n && s[i] == '!') {
        if (i + 1 >= n) {
            error_set(&exc_ValueError, "unmatched '{' in format spec");
            return -1;
        }
        size_t clen;
        conversion_cp = str_utf8_decode(s + i + 1, &clen);
        conversion = conversion_cp < 0x80 ? s[i + 1] : '\xff';
        i += 1 + clen;
        if (i < n && s[i] != ':') {
            error_set(&exc_ValueError, "expected ':' after conversion specifier");
            return -1;
        }
    }
    const char *spec = i < n ? s + i + 1 : s + n;
    size_t spec_len = i < n ? n - i - 1 : 0;

    Object *obj = resolve_field(fc, s, name_len);
    if (!obj) return -1;
    if (conversion) {
        Object *c;
        switch (conversion) {
        case 'r': c = object_repr(obj); break;
        case 's': c = object_str(obj); break;
        case 'a': c = format_ascii(obj); break;
        default:
            DECREF(obj);
            if (conversion_cp < 0x80)
                error_set(&exc_ValueError, "Unknown conversion specifier %c", conversion);
            else
                error_set(&exc_ValueError, "Unknown conversion specifier \\x%x",
                          (unsigned)conversion_cp);
            return -1;
        }
        DECREF(obj);
        if (!c) return -1;
        obj = c;
    }
    /* The spec may itself hold replacement fields: "{:{width}}". */
    Object *spec_obj = memchr(spec, '{', spec_len) ? render_format(fc, spec, spec_len, depth + 1)
                                                   : str_from_utf8(spec, spec_len);
    if (!spec_obj) {
        DECREF(obj);
        return -1;
    }
    Object *text = format_object(obj, spec_obj);
    DECREF(obj);
    DECREF(spec_obj);
    if (!text) return -1;
    str_builder_add_str(out, text);
    DECREF(text);
    return 0;
}

static Object *render_format(FormatCall *fc, const char *s, size_t n, int depth) {
    if (depth >= 2) return error_set(&exc_ValueError, "Max string recursion exceeded");
    StrBuilder b;
    str_builder_init(&b);
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '}') {
            if (i + 1 < n && s[i + 1] == '}') {
                str_builder_add_char(&b, '}');
                i += 2;
                continue;
            }
            str_builder_discard(&b);
            return error_set(&exc_ValueError, "Single '}' encountered in format string");
        }
        if (c != '{') {
            size_t start = i;
            while (i < n && s[i] != '{' && s[i] != '}') i++;
            str_builder_add(&b, s + start, i - start);
            continue;
        }
        if (i + 1 < n && s[i + 1] == '{') {
            str_builder_add_char(&b, '{');
            i += 2;
            continue;
        }
        if (i + 1 >= n) {
            str_builder_discard(&b);
            return error_set(&exc_ValueError, "Single '{' encountered in format string");
        }
        /* Find the matching '}': specs may nest braces, and an index in
           brackets ("{0[}]}") may contain any character. */
        size_t start = ++i;
        int level = 1;
        bool in_name = true, in_brackets = false;
        while (i < n) {
            if (in_brackets) in_brackets = s[i] != ']';
            else if (in_name && s[i] == '[') in_brackets = true;
            else if (s[i] == '{') level++;
            else if (s[i] == '}' && --level == 0) break;
            else if (s[i] == ':' || s[i] == '!') in_name = false;
            i++;
        }
        if (i >= n) {
            str_builder_discard(&b);
            return error_set(&exc_ValueError, "expected '}' before end of string");
        }
        if (render_field(fc, &b, s + start, i - start, depth) < 0) {
            str_builder_discard(&b);
            return NULL;
        }
        i++; /* past '}' */
    }
    return str_builder_finish(&b);
}

Object *str_format(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    FormatCall fc = {
        .args = args,
        .nargs = nargs,
        .kwnames = kwnames && tuple_size(kwnames) > 0 ? kwnames : NULL,
        .kwvalues = args + nargs,
        .auto_index = 0,
        .manual = false,
    };
    if (is_plain_text(self, "{}")) return NEWREF(self);
    return render_format(&fc, str_data(self), str_len(self), 0);
}

/* str.format_map(mapping): named fields are looked up as mapping[name]
   (so a dict subclass's __missing__ applies); numbered fields are refused. */
Object *str_format_map(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("str.format_map", nargs, kwnames, 1, 1) < 0) return NULL;
    FormatCall fc = {.args = NULL, .nargs = 0, .kwnames = NULL, .kwvalues = NULL,
                     .mapping = args[0], .auto_index = 0, .manual = false};
    if (is_plain_text(self, "{}")) return NEWREF(self);
    return render_format(&fc, str_data(self), str_len(self), 0);
}
