/* lexer.c - Python-style tokenizer for Toy (see lexer.h for the contract).
 *
 * The structure follows CPython's tokenizer.c: indentation is measured at
 * the start of each logical line (tabs to the next multiple of 8, and a
 * second measurement with tabs as 1 column to detect inconsistent mixes),
 * brackets suspend NEWLINE/INDENT processing, and number/string scanning
 * reports the same messages CPython 3.11 does for the common mistakes. */
#include "interp/lexer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "objects/str.h"

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static bool is_ascii_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int col_of(const Lexer *lx, const char *p)
{
    return (int)(p - lx->line_start) + 1;
}

/* Records an error (the first one wins) and finishes the lexer. */
static bool lex_error_at(Lexer *lx, ParseStatus status, LexErrorCause cause,
                         int line, int col, const char *fmt, ...)
{
    LexError *err = lx->err;
    err->status = status;
    err->cause = cause;
    err->line = line;
    err->col = col;
    err->bracket_line = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    lx->done = true;
    return false;
}

#define SYNTAX_ERROR(lx, p, ...)                                          \
    lex_error_at((lx), PARSE_SYNTAX_ERROR, LEXC_OTHER, (lx)->line,        \
                 col_of((lx), (p)), __VA_ARGS__)

static bool memory_error(Lexer *lx)
{
    return lex_error_at(lx, PARSE_MEMORY_ERROR, LEXC_OTHER, lx->line, 0,
                        "out of memory");
}

/* Is p at a line break ("\n", "\r\n" or a lone "\r")? */
static bool at_newline(const Lexer *lx, const char *p)
{
    return p < lx->end && (*p == '\n' || *p == '\r');
}

/* Steps over the line break at lx->pos and starts the next line. */
static void consume_newline(Lexer *lx)
{
    if (*lx->pos == '\r' && lx->pos + 1 < lx->end && lx->pos[1] == '\n')
        lx->pos++;
    lx->pos++;
    lx->line++;
    lx->line_start = lx->pos;
}

/* ------------------------------------------------------------------ */
/* Source validation                                                    */
/* ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (0 if invalid).  Rejects
 * overlong forms, surrogates and code points above U+10FFFF. */
static int utf8_sequence_length(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    int n;
    uint32_t min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (avail < (size_t)n)
        return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    size_t dummy;
    uint32_t cp = str_utf8_decode((const char *)s, &dummy);
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

bool lexer_validate_source(const char *src, size_t len, LexError *err)
{
    const unsigned char *s = (const unsigned char *)src;
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < len;) {
        const char *msg = NULL;
        int n = 1;
        if (s[i] == 0) {
            msg = "source code cannot contain null bytes";
        } else if (s[i] >= 0x80) {
            n = utf8_sequence_length(s + i, len - i);
            if (n == 0)
                msg = "source is not valid UTF-8";
        } else if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= len
                                                     || s[i + 1] != '\n'))) {
            line++;
            line_start = i + 1;
        }
        if (msg != NULL) {
            err->status = PARSE_SYNTAX_ERROR;
            err->cause = LEXC_OTHER;
            err->line = line;
            err->col = (int)(i - line_start) + 1;
            err->bracket_line = 0;
            snprintf(err->message, sizeof err->message, "%s", msg);
            return false;
        }
        i += (size_t)n;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Initialisation                                                       */
/* ------------------------------------------------------------------ */

static void lexer_reset(Lexer *lx, AstArena *arena, const char *start,
                        const char *end, LexError *err)
{
    memset(lx, 0, sizeof *lx);
    lx->arena = arena;
    lx->err = err;
    lx->pos = start;
    lx->end = end;
    lx->line = 1;
    lx->line_start = start;
    err->status = PARSE_OK;
    err->cause = LEXC_NONE;
}

void lexer_init(Lexer *lx, AstArena *arena, const char *src, size_t len,
                LexError *err)
{
    lexer_reset(lx, arena, src, src + len, err);
    /* A UTF-8 byte order mark is allowed and ignored, as in CPython. */
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) {
        lx->pos += 3;
        lx->line_start = lx->pos;
    }
    lx->at_line_start = true;
}

void lexer_init_expr(Lexer *lx, AstArena *arena, const char *start,
                     const char *end, int line, const char *line_start,
                     LexError *err)
{
    lexer_reset(lx, arena, start, end, err);
    lx->line = line;
    lx->line_start = line_start;
    lx->expr_mode = true;
}

/* ------------------------------------------------------------------ */
/* Indentation                                                          */
/* ------------------------------------------------------------------ */

static bool indent_error(Lexer *lx, ParseStatus status, int col,
                         const char *msg)
{
    return lex_error_at(lx, status, LEXC_INDENT, lx->line, col, "%s", msg);
}

/* Compares the new line's indentation with the stack and schedules
 * INDENT/DEDENT tokens (lx->pending), as CPython does. */
static bool apply_indentation(Lexer *lx, int col, int altcol)
{
    int top = lx->indent_top;
    if (col == lx->indents[top]) {
        if (altcol != lx->alt_indents[top])
            return indent_error(lx, PARSE_TAB_ERROR, 1,
                "inconsistent use of tabs and spaces in indentation");
    } else if (col > lx->indents[top]) {
        if (top + 1 >= LEXER_MAX_INDENT)
            return indent_error(lx, PARSE_INDENT_ERROR, 1,
                                "too many levels of indentation");
        if (altcol <= lx->alt_indents[top])
            return indent_error(lx, PARSE_TAB_ERROR, 1,
                "inconsistent use of tabs and spaces in indentation");
        lx->indent_top = ++top;
        lx->indents[top] = col;
        lx->alt_indents[top] = altcol;
        lx->pending = 1;
    } else {
        while (top > 0 && col < lx->indents[top]) {
            top--;
            lx->pending--;
        }
        lx->indent_top = top;
        if (col != lx->indents[top]) {
            /* CPython puts the caret at the end of the offending line. */
            const char *p = lx->pos;
            while (p < lx->end && *p != '\n' && *p != '\r')
                p++;
            return indent_error(lx, PARSE_INDENT_ERROR, col_of(lx, p),
                "unindent does not match any outer indentation level");
        }
        if (altcol != lx->alt_indents[top])
            return indent_error(lx, PARSE_TAB_ERROR, 1,
                "inconsistent use of tabs and spaces in indentation");
    }
    return true;
}

/* At the start of a line: skips blank and comment-only lines, then
 * measures the indentation of the first line that has tokens. */
static bool measure_indentation(Lexer *lx)
{
    for (;;) {
        int col = 0, altcol = 0;
        while (lx->pos < lx->end) {
            char c = *lx->pos;
            if (c == ' ') {
                col++;
                altcol++;
            } else if (c == '\t') {
                col = (col / 8 + 1) * 8;
                altcol++;
            } else if (c == '\f') {
                col = altcol = 0;
            } else {
                break;
            }
            lx->pos++;
        }
        if (lx->pos >= lx->end)
            return true;            /* trailing whitespace: no indentation */
        char c = *lx->pos;
        if (c == '#') {
            while (lx->pos < lx->end && !at_newline(lx, lx->pos))
                lx->pos++;
            if (lx->pos >= lx->end)
                return true;
            c = *lx->pos;
        }
        if (c == '\n' || c == '\r') {
            consume_newline(lx);    /* blank line: produces nothing */
            continue;
        }
        return apply_indentation(lx, col, altcol);
    }
}

/* ------------------------------------------------------------------ */
/* Identifiers and keywords                                             */
/* ------------------------------------------------------------------ */

static const struct { const char *word; TokenKind kind; } keywords[] = {
    {"False", TOK_FALSE}, {"None", TOK_NONE}, {"True", TOK_TRUE},
    {"and", TOK_AND}, {"as", TOK_AS}, {"assert", TOK_ASSERT},
    {"async", TOK_ASYNC}, {"await", TOK_AWAIT}, {"break", TOK_BREAK},
    {"class", TOK_CLASS}, {"continue", TOK_CONTINUE}, {"def", TOK_DEF},
    {"del", TOK_DEL}, {"elif", TOK_ELIF}, {"else", TOK_ELSE},
    {"except", TOK_EXCEPT}, {"finally", TOK_FINALLY}, {"for", TOK_FOR},
    {"from", TOK_FROM}, {"global", TOK_GLOBAL}, {"if", TOK_IF},
    {"import", TOK_IMPORT}, {"in", TOK_IN}, {"is", TOK_IS},
    {"lambda", TOK_LAMBDA}, {"nonlocal", TOK_NONLOCAL}, {"not", TOK_NOT},
    {"or", TOK_OR}, {"pass", TOK_PASS}, {"raise", TOK_RAISE},
    {"return", TOK_RETURN}, {"try", TOK_TRY}, {"while", TOK_WHILE},
    {"with", TOK_WITH}, {"yield", TOK_YIELD},
};

static TokenKind keyword_kind(const char *s, size_t len)
{
    if (len < 2 || len > 8)
        return TOK_NAME;        /* keywords are 2..8 characters long */
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
        const char *w = keywords[i].word;
        if (w[0] == s[0] && strlen(w) == len && memcmp(w, s, len) == 0)
            return keywords[i].kind;
    }
    return TOK_NAME;
}

/* Approximates Unicode's XID classes without a Unicode database: every
 * non-ASCII code point may appear in an identifier except the blocks of
 * spaces, punctuation, symbols, private-use and emoji listed here. */
static bool is_nonprintable_cp(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0xA0) || cp == 0xAD
           || (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F)
           || (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 || cp == 0xFEFF
           || (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE007F);
}

static bool is_identifier_cp(uint32_t cp)
{
    static const uint32_t excluded[][2] = {
        {0x00A1, 0x00A9}, {0x00AB, 0x00B4}, {0x00B6, 0x00B9},
        {0x00BB, 0x00BF}, {0x00D7, 0x00D7}, {0x00F7, 0x00F7},
        {0x037E, 0x037E}, {0x0387, 0x0387}, {0x2010, 0x2BFF},
        {0x2E00, 0x2E7F}, {0x3001, 0x3004}, {0x3008, 0x3020},
        {0x3030, 0x3030}, {0x303D, 0x303F}, {0xD800, 0xF8FF},
        {0xFD3E, 0xFD3F}, {0xFE10, 0xFE6F}, {0xFF00, 0xFF0F},
        {0xFF1A, 0xFF20}, {0xFF3B, 0xFF3E}, {0xFF40, 0xFF40},
        {0xFF5B, 0xFF65}, {0xFFF0, 0xFFFF}, {0x1F000, 0x1FAFF},
        {0xF0000, 0x10FFFF},
    };
    if (is_nonprintable_cp(cp))
        return false;
    for (size_t i = 0; i < sizeof excluded / sizeof excluded[0]; i++)
        if (cp >= excluded[i][0] && cp <= excluded[i][1])
            return false;
    return true;
}

/* Reports a character that cannot start a token. */
static bool invalid_character(Lexer *lx, const char *p)
{
    size_t n;
    uint32_t cp = str_utf8_decode(p, &n);
    if (cp < 0x20 || cp == 0x7F || is_nonprintable_cp(cp))
        return SYNTAX_ERROR(lx, p, "invalid non-printable character U+%04X",
                            (unsigned)cp);
    if (cp < 0x80)
        return SYNTAX_ERROR(lx, p, "invalid syntax");
    return SYNTAX_ERROR(lx, p, "invalid character '%.*s' (U+%04X)", n, p,
                        (unsigned)cp);
}

/* Length of the identifier at p (0 if none); stops at a character that
 * is not an identifier character. */
static size_t identifier_length(const Lexer *lx, const char *p)
{
    const char *q = p;
    while (q < lx->end) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x80) {
            if (!is_ascii_alpha(c) && !is_digit(c))
                break;
            q++;
        } else {
            size_t n;
            if (!is_identifier_cp(str_utf8_decode(q, &n)))
                break;
            q += n;
        }
    }
    return (size_t)(q - p);
}

/* ------------------------------------------------------------------ */
/* Numbers                                                              */
/* ------------------------------------------------------------------ */

/* CPython allows a keyword to follow a number directly (`1if x else y`);
 * anything else identifier-like right after a number is an error. */
static bool number_end_ok(Lexer *lx, const char *p, const char *kind)
{
    static const char *const ok_words[] = {"and", "else", "for", "if", "in",
                                           "is", "not", "or"};
    if (p >= lx->end)
        return true;
    unsigned char c = (unsigned char)*p;
    if (!is_ascii_alpha(c) && !is_digit(c) && c < 0x80)
        return true;
    for (size_t i = 0; i < sizeof ok_words / sizeof ok_words[0]; i++) {
        size_t n = strlen(ok_words[i]);
        if ((size_t)(lx->end - p) >= n && memcmp(p, ok_words[i], n) == 0)
            return true;
    }
    if (c >= 0x80) {
        size_t n;
        if (!is_identifier_cp(str_utf8_decode((const char *)p, &n)))
            return true;    /* let the next token report it */
    }
    /* CPython points at the number's last character */
    return SYNTAX_ERROR(lx, p - 1, "invalid %s literal", kind);
}

/* Digits of the given base with single underscores between them.  p is at
 * the first digit position.  Returns the end, or NULL after an error. */
static const char *scan_digits(Lexer *lx, const char *p, int base,
                               const char *kind, const char *start)
{
    bool need_digit = true;
    while (p < lx->end) {
        char c = *p;
        if (c == '_') {
            if (need_digit)
                break;
            need_digit = true;
            p++;
            continue;
        }
        int value = is_digit(c) ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : 99;
        if (value >= base) {
            if (value < 10) {
                SYNTAX_ERROR(lx, p, "invalid digit '%c' in %s literal", c,
                             kind);
                return NULL;
            }
            break;
        }
        need_digit = false;
        p++;
    }
    if (need_digit) {
        /* "0x", "1_" or "1__0": report where the digit was expected. */
        SYNTAX_ERROR(lx, p > start ? p - 1 : p, "invalid %s literal", kind);
        return NULL;
    }
    return p;
}

static bool int_value(Lexer *lx, const char *start, const char *p,
                      const char *end, int base, int64_t *out)
{
    uint64_t v = 0;
    for (; p < end; p++) {
        if (*p == '_')
            continue;
        int d = is_digit(*p) ? *p - '0' : (*p | 0x20) - 'a' + 10;
        if (v > (uint64_t)(INT64_MAX - d) / (uint64_t)base) {
            (void)lx;
            (void)start;
            *out = LEX_INT_TOO_BIG;
            return true;
        }
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *out = (int64_t)v;
    return true;
}

/* Converts a float literal (underscores removed) with strtod. */
static bool float_value(Lexer *lx, const char *start, const char *end,
                        double *out)
{
    size_t len = (size_t)(end - start);
    char small[128];
    char *buf = len < sizeof small ? small : mem_alloc(len + 1);
    if (buf == NULL)
        return memory_error(lx);
    size_t n = 0;
    for (const char *p = start; p < end; p++)
        if (*p != '_')
            buf[n++] = *p;
    buf[n] = '\0';
    *out = strtod(buf, NULL);
    if (buf != small)
        mem_free(buf, len + 1);
    return true;
}

/* Scans the fraction/exponent part of a decimal number starting at p. */
static const char *scan_float_tail(Lexer *lx, const char *p,
                                   const char *start, bool *is_float)
{
    if (p < lx->end && *p == '.') {
        *is_float = true;
        p++;
        if (p < lx->end && is_digit(*p)) {
            p = scan_digits(lx, p, 10, "decimal", start);
            if (p == NULL)
                return NULL;
        }
    }
    if (p < lx->end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        if (q < lx->end && (*q == '+' || *q == '-'))
            q++;
        if (q >= lx->end || !is_digit(*q)) {
            /* "1else": the number ends before the keyword (CPython warns) */
            if (q == p + 1 && lx->end - p >= 4 && memcmp(p, "else", 4) == 0)
                return p;
            SYNTAX_ERROR(lx, start, "invalid decimal literal");
            return NULL;
        }
        *is_float = true;
        p = scan_digits(lx, q, 10, "decimal", start);
    }
    return p;
}

/* An imaginary literal: the number [start, p) before its 'j' (at p). */
static bool finish_imaginary(Lexer *lx, Token *tok, const char *start,
                             const char *p)
{
    if (!number_end_ok(lx, p + 1, "imaginary"))
        return false;
    tok->len = (size_t)(p + 1 - start);
    lx->pos = p + 1;
    tok->kind = TOK_IMAG;
    return float_value(lx, start, p, &tok->v.fval);
}

static bool finish_number(Lexer *lx, Token *tok, const char *start,
                          const char *p, bool is_float)
{
    if (p < lx->end && (*p == 'j' || *p == 'J'))
        return finish_imaginary(lx, tok, start, p);
    tok->len = (size_t)(p - start);
    lx->pos = p;
    if (is_float) {
        tok->kind = TOK_FLOAT;
        return float_value(lx, start, p, &tok->v.fval);
    }
    tok->kind = TOK_INT;
    return int_value(lx, start, start, p, 10, &tok->v.ival);
}

static bool lex_prefixed_int(Lexer *lx, Token *tok, const char *start)
{
    char x = start[1] | 0x20;
    int base = x == 'x' ? 16 : x == 'o' ? 8 : 2;
    const char *kind = base == 16 ? "hexadecimal" : base == 8 ? "octal"
                                                              : "binary";
    const char *p = start + 2;
    if (p < lx->end && *p == '_')
        p++;                 /* 0x_ff is allowed */
    p = scan_digits(lx, p, base, kind, start);
    if (p == NULL || !number_end_ok(lx, p, kind))
        return false;
    tok->kind = TOK_INT;
    tok->len = (size_t)(p - start);
    lx->pos = p;
    return int_value(lx, start, start + 2, p, base, &tok->v.ival);
}

static bool lex_number(Lexer *lx, Token *tok)
{
    const char *start = lx->pos;
    const char *p = start;
    bool is_float = false;
    if (p + 1 < lx->end && p[0] == '0'
        && strchr("xXoObB", p[1]) != NULL && p[1] != '\0')
        return lex_prefixed_int(lx, tok, start);
    if (*p == '.') {
        is_float = true;
        p = scan_digits(lx, p + 1, 10, "decimal", start);
        if (p == NULL)
            return false;
        p = scan_float_tail(lx, p, start, &is_float);
    } else {
        p = scan_digits(lx, p, 10, "decimal", start);
        if (p == NULL)
            return false;
        p = scan_float_tail(lx, p, start, &is_float);
        if (p == NULL)
            return false;
        /* "012" is an error, but "00", "0.5"/"012.5" and "012j" are fine. */
        bool imaginary = p < lx->end && (*p == 'j' || *p == 'J');
        if (!is_float && !imaginary && *start == '0') {
            for (const char *q = start; q < p; q++)
                if (*q != '0' && *q != '_')
                    return SYNTAX_ERROR(lx, start,
                        "leading zeros in decimal integer literals are not "
                        "permitted; use an 0o prefix for octal integers");
        }
    }
    if (p == NULL)
        return false;
    if (!(p < lx->end && (*p == 'j' || *p == 'J')) && !number_end_ok(lx, p, "decimal"))
        return false;
    return finish_number(lx, tok, start, p, is_float);
}

/* ------------------------------------------------------------------ */
/* Strings                                                              */
/* ------------------------------------------------------------------ */

/* Growable output buffer for decoding; lives in the arena. */
typedef struct {
    AstArena *arena;
    char *data;
    size_t len, cap;
} StrBuf;

static bool strbuf_reserve(StrBuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap * 2 : 32;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *data = ast_arena_alloc(b->arena, cap);
    if (data == NULL)
        return false;
    if (b->len)
        memcpy(data, b->data, b->len);
    b->data = data;
    b->cap = cap;
    return true;
}

typedef struct {
    const char *body, *end;
    bool is_bytes;
    int line, col;          /* position of body[0], for messages */
    LexError *err;
} DecodeCtx;

static bool decode_error(DecodeCtx *d, const char *fmt, ...)
{
    d->err->status = PARSE_SYNTAX_ERROR;
    d->err->cause = LEXC_OTHER;
    d->err->line = d->line;
    d->err->col = d->col;
    d->err->bracket_line = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err->message, sizeof d->err->message, fmt, ap);
    va_end(ap);
    return false;
}

/* Reads exactly `n` hex digits at p into *value. */
static bool read_hex(const char *p, const char *end, int n, uint32_t *value)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++) {
        if (p + i >= end || !is_hex(p[i]))
            return false;
        char c = p[i];
        v = v * 16 + (uint32_t)(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    *value = v;
    return true;
}

static bool emit_code_point(DecodeCtx *d, StrBuf *b, uint32_t cp)
{
    if (d->is_bytes) {
        b->data[b->len++] = (char)(cp & 0xFF);
        return true;
    }
    if (cp > 0x10FFFF)
        return decode_error(d, "(unicode error) 'unicodeescape' codec can't "
                            "decode bytes: illegal Unicode character");
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return decode_error(d, "Toy strings cannot contain surrogate code "
                            "points (\\u%04X)", (unsigned)cp);
    b->len += str_utf8_encode(cp, b->data + b->len);
    return true;
}

/* The position CPython reports for the bad escape at `at`: a byte offset
   into the literal, except that each non-ASCII character counts 10 (CPython
   re-escapes them as \UXXXXXXXX before decoding). */
static size_t escape_position(const DecodeCtx *d, const char *at)
{
    size_t pos = 0;
    for (const char *q = d->body; q < at; pos++) {
        if ((unsigned char)*q < 0x80) {
            q++;
            continue;
        }
        pos += 9;
        do
            q++;
        while (q < at && ((unsigned char)*q & 0xC0) == 0x80);
    }
    return pos;
}

/* Handles the escape whose backslash is at *pp; advances *pp. */
static bool decode_escape(DecodeCtx *d, StrBuf *b, const char **pp)
{
    const char *p = *pp + 1;        /* character after the backslash */
    char c = *p++;
    static const char simple_from[] = "ntr\\'\"abfv";
    static const char simple_to[] = "\n\t\r\\'\"\a\b\f\v";
    const char *hit = strchr(simple_from, c);
    uint32_t cp;
    if (hit != NULL && c != '\0') {
        b->data[b->len++] = simple_to[hit - simple_from];
    } else if (c == '\n' || c == '\r') {
        if (c == '\r' && p < d->end && *p == '\n')
            p++;                    /* backslash-newline: both vanish */
    } else if (c >= '0' && c <= '7') {
        cp = (uint32_t)(c - '0');
        for (int i = 0; i < 2 && p < d->end && *p >= '0' && *p <= '7'; i++)
            cp = cp * 8 + (uint32_t)(*p++ - '0');
        if (!emit_code_point(d, b, cp))
            return false;
    } else if (c == 'x' || (!d->is_bytes && (c == 'u' || c == 'U'))) {
        int n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        /* The position rescans the literal from its start: computed only
           for an error, or every escape would cost the literal's length. */
        if (!read_hex(p, d->end, n, &cp)) {
            size_t start = escape_position(d, *pp);
            if (d->is_bytes)
                return decode_error(d, "(value error) invalid \\x escape at position %zu",
                                    start);
            int digits = 0;
            while (digits < n && p + digits < d->end && is_hex(p[digits]))
                digits++;
            return decode_error(d, "(unicode error) 'unicodeescape' codec can't decode "
                "bytes in position %zu-%zu: truncated \\%s escape", start,
                start + 1 + (size_t)digits, c == 'x' ? "xXX" : c == 'u' ? "uXXXX" : "UXXXXXXXX");
        }
        p += n;
        if (!d->is_bytes && cp > 0x10FFFF) {
            size_t start = escape_position(d, *pp);
            return decode_error(d, "(unicode error) 'unicodeescape' codec can't decode "
                "bytes in position %zu-%zu: illegal Unicode character", start,
                start + 1 + (size_t)n);
        }
        if (!emit_code_point(d, b, cp))
            return false;
    } else if (c == 'N' && !d->is_bytes) {
        return decode_error(d, "Toy does not support \\N{...} escapes");
    } else {
        /* Unknown escape: kept verbatim, as Python does. */
        b->data[b->len++] = '\\';
        p--;
    }
    *pp = p;
    return true;
}

bool lexer_decode_string(AstArena *arena, const char *body, size_t len,
                         bool is_raw, bool is_bytes, int line, int col,
                         const char **out, size_t *out_len, LexError *err)
{
    DecodeCtx d = {body, body + len, is_bytes, line, col, err};
    /* Decoding never grows the text except \r -> \n (same size) and
     * escapes, which shrink it; len + 1 bytes always suffice. */
    StrBuf b = {arena, NULL, 0, 0};
    if (!strbuf_reserve(&b, len)) {
        decode_error(&d, "out of memory");
        err->status = PARSE_MEMORY_ERROR;
        return false;
    }
    const char *p = body;
    while (p < d.end) {
        unsigned char c = (unsigned char)*p;
        if (is_bytes && c >= 0x80)
            return decode_error(&d, "bytes can only contain ASCII literal "
                                "characters");
        if (c == '\r') {
            /* Universal newlines: \r\n and \r both read as \n. */
            b.data[b.len++] = '\n';
            p += (p + 1 < d.end && p[1] == '\n') ? 2 : 1;
        } else if (c == '\\' && !is_raw && p + 1 < d.end) {
            if (!decode_escape(&d, &b, &p))
                return false;
        } else {
            b.data[b.len++] = (char)c;
            p++;
        }
    }
    b.data[b.len] = '\0';
    *out = b.data;
    *out_len = b.len;
    return true;
}

/* Is [p, p+n) a valid string prefix (r, b, f, u, br, rb, fr, rf)? */
static bool string_prefix_flags(const char *p, size_t n, LexString *s)
{
    if (n > 2)
        return false;
    bool r = false, b = false, f = false, u = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i] | 0x20;
        bool *flag = c == 'r' ? &r : c == 'b' ? &b : c == 'f' ? &f
                   : c == 'u' ? &u : NULL;
        if (flag == NULL || *flag)
            return false;
        *flag = true;
    }
    if ((u && n > 1) || (b && f))
        return false;
    s->is_raw = r;
    s->is_bytes = b;
    s->is_fstring = f;
    return true;
}

/* Finds the closing quote(s); lx->pos is just after the opening quote(s).
 * Updates the line counter for newlines inside the literal. */
static bool scan_string_body(Lexer *lx, char quote, bool triple,
                             const char *tok_start, int tok_line,
                             const char **body_end)
{
    for (;;) {
        if (lx->pos >= lx->end) {
            /* CPython counts the last line, not the empty one after a
             * final newline. */
            int last = lx->line - (lx->line_start == lx->end
                                   && lx->line > tok_line);
            if (triple)
                return lex_error_at(lx, PARSE_SYNTAX_ERROR, LEXC_EOF_TRIPLE,
                    tok_line, (int)(tok_start - lx->line_start) + 1,
                    "unterminated triple-quoted string literal (detected at "
                    "line %d)", last);
            break;
        }
        char c = *lx->pos;
        if (c == quote && (!triple || (lx->end - lx->pos >= 3
                                       && lx->pos[1] == quote
                                       && lx->pos[2] == quote))) {
            *body_end = lx->pos;
            lx->pos += triple ? 3 : 1;
            return true;
        }
        bool escaped = false;
        if (c == '\\' && lx->pos + 1 < lx->end) {
            lx->pos++;
            c = *lx->pos;
            escaped = true;
        }
        if (c == '\n' || c == '\r') {
            if (!triple && !escaped)
                break;
            consume_newline(lx);
        } else {
            lx->pos++;
        }
    }
    return lex_error_at(lx, PARSE_SYNTAX_ERROR, LEXC_OTHER, tok_line,
                        (int)(tok_start - lx->line_start) + 1,
                        "unterminated string literal (detected at line %d)",
                        lx->line);
}

/* lx->pos is at the opening quote; `start` is the prefix start. */
static bool lex_string(Lexer *lx, Token *tok, const char *start,
                       LexString flags)
{
    const char *tok_line_start = lx->line_start;
    char quote = *lx->pos;
    bool triple = lx->end - lx->pos >= 3 && lx->pos[1] == quote
                  && lx->pos[2] == quote;
    lx->pos += triple ? 3 : 1;
    const char *body = lx->pos;
    int body_line = lx->line;
    const char *body_end = body;
    if (!scan_string_body(lx, quote, triple, start, tok->line, &body_end)) {
        /* scan_string_body measured the column against the line it
         * stopped on; restore the string's own line for the caret. */
        lx->err->col = (int)(start - tok_line_start) + 1;
        return false;
    }
    tok->kind = TOK_STRING;
    tok->len = (size_t)(lx->pos - start);
    flags.body = body;
    flags.body_len = (size_t)(body_end - body);
    flags.body_line = body_line;
    flags.body_line_start = tok_line_start;
    tok->v.str = flags;
    if (flags.is_fstring)
        return true;    /* the parser splits and decodes it */
    if (!lexer_decode_string(lx->arena, body, flags.body_len, flags.is_raw,
                             flags.is_bytes, tok->line, tok->col,
                             &tok->v.str.data, &tok->v.str.len, lx->err)) {
        lx->done = true;
        return false;
    }
    return true;
}

static bool lex_name_or_string(Lexer *lx, Token *tok)
{
    const char *start = lx->pos;
    size_t n = identifier_length(lx, start);
    const char *after = start + n;
    LexString flags;
    memset(&flags, 0, sizeof flags);
    if (after < lx->end && (*after == '\'' || *after == '"')
        && string_prefix_flags(start, n, &flags)) {
        lx->pos = after;
        return lex_string(lx, tok, start, flags);
    }
    lx->pos = after;
    tok->len = n;
    tok->kind = keyword_kind(start, n);
    if (tok->kind == TOK_NAME) {
        tok->v.name = ast_arena_strdup(lx->arena, start, n);
        if (tok->v.name == NULL)
            return memory_error(lx);
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Operators and brackets                                               */
/* ------------------------------------------------------------------ */

static const struct { const char *text; TokenKind kind; } operators[] = {
    /* longest first, so the first match is the longest */
    {"**=", TOK_DSTAREQ}, {"//=", TOK_DSLASHEQ}, {">>=", TOK_RSHIFTEQ},
    {"<<=", TOK_LSHIFTEQ}, {"...", TOK_ELLIPSIS},
    {"**", TOK_DSTAR}, {"//", TOK_DSLASH}, {">>", TOK_RSHIFT},
    {"<<", TOK_LSHIFT}, {"<=", TOK_LESSEQ}, {">=", TOK_GREATEREQ},
    {"==", TOK_EQEQ}, {"!=", TOK_NOTEQ}, {"->", TOK_ARROW},
    {"+=", TOK_PLUSEQ}, {"-=", TOK_MINUSEQ}, {"*=", TOK_STAREQ},
    {"/=", TOK_SLASHEQ}, {"%=", TOK_PERCENTEQ}, {"&=", TOK_AMPEQ},
    {"|=", TOK_VBAREQ}, {"^=", TOK_CARETEQ}, {":=", TOK_COLONEQUAL},
    {"@=", TOK_ATEQ},
    {"+", TOK_PLUS}, {"-", TOK_MINUS}, {"*", TOK_STAR}, {"/", TOK_SLASH},
    {"%", TOK_PERCENT}, {"~", TOK_TILDE}, {"&", TOK_AMP}, {"|", TOK_VBAR},
    {"^", TOK_CARET}, {"<", TOK_LESS}, {">", TOK_GREATER},
    {"=", TOK_EQUAL}, {".", TOK_DOT}, {",", TOK_COMMA}, {":", TOK_COLON},
    {";", TOK_SEMI}, {"(", TOK_LPAR}, {")", TOK_RPAR}, {"[", TOK_LSQB},
    {"]", TOK_RSQB}, {"{", TOK_LBRACE}, {"}", TOK_RBRACE}, {"@", TOK_AT},
};

static bool open_bracket(Lexer *lx, char c, const Token *tok)
{
    if (lx->paren_top >= LEXER_MAX_PAREN)
        return SYNTAX_ERROR(lx, lx->pos - 1, "too many nested parentheses");
    lx->paren_kind[lx->paren_top] = c;
    lx->paren_line[lx->paren_top] = tok->line;
    lx->paren_col[lx->paren_top] = tok->col;
    lx->paren_top++;
    return true;
}

static bool close_bracket(Lexer *lx, char c, const Token *tok)
{
    const char *p = lx->pos - 1;
    if (lx->paren_top == 0)
        return SYNTAX_ERROR(lx, p, "unmatched '%c'", c);
    int top = --lx->paren_top;
    char open = lx->paren_kind[top];
    char want = open == '(' ? ')' : open == '[' ? ']' : '}';
    if (c == want)
        return true;
    if (lx->paren_line[top] != tok->line)
        return SYNTAX_ERROR(lx, p, "closing parenthesis '%c' does not match "
                            "opening parenthesis '%c' on line %d", c, open,
                            lx->paren_line[top]);
    return SYNTAX_ERROR(lx, p, "closing parenthesis '%c' does not match "
                        "opening parenthesis '%c'", c, open);
}

static bool lex_operator(Lexer *lx, Token *tok)
{
    size_t avail = (size_t)(lx->end - lx->pos);
    for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
        if (operators[i].text[0] != *lx->pos)
            continue;
        size_t n = strlen(operators[i].text);
        if (n <= avail && memcmp(lx->pos, operators[i].text, n) == 0) {
            tok->kind = operators[i].kind;
            tok->len = n;
            lx->pos += n;
            char c = operators[i].text[0];
            if (n == 1 && strchr("([{", c))
                return open_bracket(lx, c, tok);
            if (n == 1 && strchr(")]}", c))
                return close_bracket(lx, c, tok);
            return true;
        }
    }
    return invalid_character(lx, lx->pos);
}

/* ------------------------------------------------------------------ */
/* Main loop                                                            */
/* ------------------------------------------------------------------ */

static void start_token(Lexer *lx, Token *tok, TokenKind kind)
{
    memset(tok, 0, sizeof *tok);
    tok->kind = kind;
    tok->line = lx->line;
    tok->col = col_of(lx, lx->pos);
    tok->start = lx->pos;
}

static void finish_token(Lexer *lx, Token *tok)
{
    tok->end_line = lx->line;
    tok->end_col = col_of(lx, lx->pos);
}

/* End of input: NEWLINE (if needed), DEDENTs, then ENDMARKER. */
static bool lex_eof(Lexer *lx, Token *tok)
{
    if (lx->paren_top > 0 && !lx->expr_mode) {
        int top = lx->paren_top - 1;
        lex_error_at(lx, PARSE_SYNTAX_ERROR, LEXC_EOF_BRACKET,
                     lx->paren_line[top], lx->paren_col[top],
                     "'%c' was never closed", lx->paren_kind[top]);
        lx->err->bracket_line = lx->paren_line[top];
        return false;
    }
    if (lx->paren_top > 0)
        return SYNTAX_ERROR(lx, lx->pos, "f-string: expecting '}'");
    start_token(lx, tok, TOK_ENDMARKER);
    tok->at_eof = true;
    if (lx->line_has_tokens && !lx->expr_mode) {
        tok->kind = TOK_NEWLINE;
        lx->line_has_tokens = false;
    } else if (lx->indent_top > 0) {
        tok->kind = TOK_DEDENT;
        lx->indent_top--;
    } else {
        lx->done = true;
    }
    finish_token(lx, tok);
    return true;
}

/* Skips spaces, comments and (inside brackets) newlines and `\`
 * continuations.  Returns false on error; sets *newline when a NEWLINE
 * token must be produced here. */
static bool skip_insignificant(Lexer *lx, bool *newline)
{
    *newline = false;
    while (lx->pos < lx->end) {
        char c = *lx->pos;
        if (c == ' ' || c == '\t' || c == '\f') {
            lx->pos++;
        } else if (c == '#') {
            while (lx->pos < lx->end && !at_newline(lx, lx->pos))
                lx->pos++;
        } else if (c == '\\') {
            const char *next = lx->pos + 1;
            if (next >= lx->end)
                return lex_error_at(lx, PARSE_SYNTAX_ERROR,
                    LEXC_EOF_BACKSLASH, lx->line, col_of(lx, next),
                    "unexpected EOF while parsing");
            if (*next != '\n' && *next != '\r')
                return SYNTAX_ERROR(lx, next, "unexpected character after "
                                    "line continuation character");
            int col = col_of(lx, next);
            lx->pos = next;
            consume_newline(lx);
            if (lx->pos >= lx->end && !lx->expr_mode)
                return lex_error_at(lx, PARSE_SYNTAX_ERROR,
                    LEXC_EOF_BACKSLASH, lx->line - 1, col,
                    "unexpected EOF while parsing");
        } else if (c == '\n' || c == '\r') {
            if (lx->paren_top > 0 || lx->expr_mode) {
                consume_newline(lx);
            } else {
                *newline = true;
                return true;
            }
        } else {
            return true;
        }
    }
    return true;
}

static bool lex_token(Lexer *lx, Token *tok)
{
    char c = *lx->pos;
    unsigned char uc = (unsigned char)c;
    if (is_ascii_alpha(c) || (uc >= 0x80 && is_identifier_cp(
                                  str_utf8_decode(lx->pos, &(size_t){0}))))
        return lex_name_or_string(lx, tok);
    if (is_digit(c) || (c == '.' && lx->pos + 1 < lx->end
                        && is_digit(lx->pos[1])))
        return lex_number(lx, tok);
    if (c == '\'' || c == '"') {
        LexString flags;
        memset(&flags, 0, sizeof flags);
        return lex_string(lx, tok, lx->pos, flags);
    }
    if (uc >= 0x80 || uc < 0x20 || uc == 0x7F || c == '$' || c == '?'
        || c == '`' || (c == '!' && (lx->pos + 1 >= lx->end
                                     || lx->pos[1] != '=')))
        return invalid_character(lx, lx->pos);
    return lex_operator(lx, tok);
}

bool lexer_next(Lexer *lx, Token *tok)
{
    if (lx->done) {
        /* After ENDMARKER, keep answering ENDMARKER (lookahead may ask). */
        if (lx->err->status != PARSE_OK)
            return false;
        start_token(lx, tok, TOK_ENDMARKER);
        tok->at_eof = true;
        finish_token(lx, tok);
        return true;
    }
    if (lx->at_line_start && !lx->expr_mode) {
        lx->at_line_start = false;
        if (!measure_indentation(lx))
            return false;
    }
    if (lx->pending != 0) {
        start_token(lx, tok, lx->pending > 0 ? TOK_INDENT : TOK_DEDENT);
        lx->pending += lx->pending > 0 ? -1 : 1;
        finish_token(lx, tok);
        return true;
    }
    bool newline;
    if (!skip_insignificant(lx, &newline))
        return false;
    if (newline) {
        start_token(lx, tok, TOK_NEWLINE);
        consume_newline(lx);
        tok->end_line = tok->line;
        tok->end_col = tok->col + 1;
        lx->at_line_start = true;
        lx->line_has_tokens = false;
        return true;
    }
    if (lx->pos >= lx->end)
        return lex_eof(lx, tok);
    start_token(lx, tok, TOK_ENDMARKER);
    if (!lex_token(lx, tok))
        return false;
    lx->line_has_tokens = true;
    finish_token(lx, tok);
    return true;
}

/* ------------------------------------------------------------------ */
/* Names for messages                                                   */
/* ------------------------------------------------------------------ */

const char *lexer_token_name(TokenKind kind)
{
    switch (kind) {
    case TOK_ENDMARKER: return "end of input";
    case TOK_NEWLINE: return "NEWLINE";
    case TOK_INDENT: return "INDENT";
    case TOK_DEDENT: return "DEDENT";
    case TOK_NAME: return "NAME";
    case TOK_INT: case TOK_FLOAT: case TOK_IMAG: return "NUMBER";
    case TOK_STRING: return "STRING";
    default: break;
    }
    for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++)
        if (operators[i].kind == kind)
            return operators[i].text;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (keywords[i].kind == kind)
            return keywords[i].word;
    return "?";
}

int lexer_augassign_op(TokenKind kind)
{
    if (kind >= TOK_PLUSEQ && kind <= TOK_AMPEQ)
        return (int)(kind - TOK_PLUSEQ);    /* same order as BinOp */
    return -1;
}
