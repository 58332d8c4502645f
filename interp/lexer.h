/*
 * lexer.h - splits Toy source text into tokens, Python style.
 *
 * Contract
 * --------
 * - The lexer reads a byte range of a source buffer that the caller keeps
 *   alive and unchanged while the lexer and its tokens are in use.  Token
 *   `start` pointers point into that buffer.
 * - Identifiers and decoded string literals are copied into the AstArena
 *   given to lexer_init, so they live as long as the AST.
 * - The lexer needs no heap memory of its own: its indentation and bracket
 *   stacks are fixed-size arrays inside the Lexer struct (Python's own
 *   limits: 100 indentation levels, 200 nested brackets).
 * - It produces NEWLINE, INDENT and DEDENT tokens like CPython's tokenizer:
 *   blank and comment-only lines produce nothing, newlines inside brackets
 *   and after a `\` continuation are ignored, and end of input yields a
 *   NEWLINE (if the last line had tokens and lacked one), one DEDENT per
 *   open indentation level and ENDMARKER.
 * - Errors: lexer_next returns false and fills the LexError given at init;
 *   the lexer is then finished (further calls keep returning false).
 *   After ENDMARKER, further calls keep producing ENDMARKER.
 * - The source must already be valid UTF-8 without NUL bytes (see
 *   lexer_validate_source); the lexer relies on it.
 */
#ifndef TOY_LEXER_H
#define TOY_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "interp/ast.h"
#include "interp/parser.h"

typedef enum {
    TOK_ENDMARKER, TOK_NEWLINE, TOK_INDENT, TOK_DEDENT,
    TOK_NAME, TOK_INT, TOK_FLOAT, TOK_IMAG, TOK_STRING,

    /* brackets and punctuation */
    TOK_LPAR, TOK_RPAR, TOK_LSQB, TOK_RSQB, TOK_LBRACE, TOK_RBRACE,
    TOK_COLON, TOK_COMMA, TOK_SEMI, TOK_DOT, TOK_ELLIPSIS, TOK_ARROW,
    TOK_AT, TOK_COLONEQUAL, TOK_EQUAL,

    /* operators */
    TOK_PLUS, TOK_MINUS, TOK_STAR, TOK_SLASH, TOK_DSLASH, TOK_PERCENT,
    TOK_DSTAR, TOK_TILDE, TOK_AMP, TOK_VBAR, TOK_CARET, TOK_LSHIFT,
    TOK_RSHIFT, TOK_LESS, TOK_GREATER, TOK_LESSEQ, TOK_GREATEREQ,
    TOK_EQEQ, TOK_NOTEQ,

    /* augmented assignment, in BinOp order (see lexer_augassign_op) */
    TOK_PLUSEQ, TOK_MINUSEQ, TOK_STAREQ, TOK_SLASHEQ, TOK_DSLASHEQ,
    TOK_PERCENTEQ, TOK_DSTAREQ, TOK_LSHIFTEQ, TOK_RSHIFTEQ, TOK_VBAREQ,
    TOK_CARETEQ, TOK_AMPEQ, TOK_ATEQ,

    /* keywords (soft keywords such as `match` stay TOK_NAME) */
    TOK_FALSE, TOK_NONE, TOK_TRUE, TOK_AND, TOK_AS, TOK_ASSERT, TOK_ASYNC,
    TOK_AWAIT, TOK_BREAK, TOK_CLASS, TOK_CONTINUE, TOK_DEF, TOK_DEL,
    TOK_ELIF, TOK_ELSE, TOK_EXCEPT, TOK_FINALLY, TOK_FOR, TOK_FROM,
    TOK_GLOBAL, TOK_IF, TOK_IMPORT, TOK_IN, TOK_IS, TOK_LAMBDA,
    TOK_NONLOCAL, TOK_NOT, TOK_OR, TOK_PASS, TOK_RAISE, TOK_RETURN,
    TOK_TRY, TOK_WHILE, TOK_WITH, TOK_YIELD,

    TOK_KIND_COUNT
} TokenKind;

/* A string literal.  For plain and bytes literals `data/len` is the decoded
 * value (arena, NUL-terminated).  For f-strings nothing is decoded: the
 * parser splits the raw `body` (between the quotes, pointing into the
 * source) itself; body_line/body_line_start locate its first byte. */
typedef struct {
    const char *data;
    size_t len;
    bool is_bytes, is_fstring, is_raw;
    const char *body;
    size_t body_len;
    int body_line;
    const char *body_line_start;   /* start of the source line body_line */
} LexString;

/* A TOK_INT's ival when the literal does not fit in int64 (no literal is
   negative): the parser makes a big int from the token's text. */
#define LEX_INT_TOO_BIG (-1)

typedef struct {
    TokenKind kind;
    int line, col;          /* 1-based start; col in bytes */
    int end_line, end_col;  /* position just past the token */
    bool at_eof;            /* synthesized at end of input (NEWLINE, DEDENT,
                               ENDMARKER): lets the REPL detect incomplete
                               input */
    const char *start;      /* token text within the source */
    size_t len;
    union {
        int64_t ival;       /* TOK_INT; LEX_INT_TOO_BIG: see the text */
        double fval;        /* TOK_FLOAT; TOK_IMAG: the imaginary part */
        const char *name;   /* TOK_NAME: arena copy */
        LexString str;      /* TOK_STRING */
    } v;
} Token;

/* Why lexing failed; lets the parser map EOF problems to PARSE_INCOMPLETE
 * and decide which of two errors CPython would report. */
typedef enum {
    LEXC_NONE,
    LEXC_OTHER,            /* any other error */
    LEXC_INDENT,           /* indentation/tab error (never overrides a
                              parser error, like CPython) */
    LEXC_EOF_BRACKET,      /* end of input inside ( [ { */
    LEXC_EOF_TRIPLE,       /* end of input inside a triple-quoted string */
    LEXC_EOF_BACKSLASH     /* end of input right after a `\` continuation */
} LexErrorCause;

typedef struct {
    ParseStatus status;    /* PARSE_SYNTAX_ERROR, PARSE_INDENT_ERROR, ... */
    LexErrorCause cause;
    int line, col;         /* 1-based; col in bytes */
    int bracket_line;      /* LEXC_EOF_BRACKET: line of the open bracket */
    char message[256];
} LexError;

enum { LEXER_MAX_INDENT = 100, LEXER_MAX_PAREN = 200 };

typedef struct {
    AstArena *arena;
    LexError *err;
    const char *pos, *end;
    int line;
    const char *line_start;   /* first byte of the current line */
    bool at_line_start;       /* indentation not yet measured */
    bool line_has_tokens;     /* current logical line produced a token */
    bool done;                /* ENDMARKER produced or error reported */
    bool expr_mode;           /* f-string expression: no NEWLINE/INDENT */
    int pending;              /* >0: INDENTs to emit, <0: DEDENTs */
    int indent_top;
    int indents[LEXER_MAX_INDENT + 1];      /* columns, tabs to 8 */
    int alt_indents[LEXER_MAX_INDENT + 1];  /* columns, tabs as 1 */
    int paren_top;
    char paren_kind[LEXER_MAX_PAREN];
    int paren_line[LEXER_MAX_PAREN];
    int paren_col[LEXER_MAX_PAREN];
} Lexer;

/* Checks that src is UTF-8 without NUL bytes.  On failure fills err
 * (line and col of the bad byte) and returns false. */
bool lexer_validate_source(const char *src, size_t len, LexError *err);

/* Prepares to tokenize [src, src+len) as a module starting at line 1. */
void lexer_init(Lexer *lx, AstArena *arena, const char *src, size_t len,
                LexError *err);

/* Prepares to tokenize an f-string replacement expression [start, end),
 * which begins at `line` whose first byte is line_start.  Newlines are
 * insignificant (as inside brackets) and no NEWLINE/INDENT is produced. */
void lexer_init_expr(Lexer *lx, AstArena *arena, const char *start,
                     const char *end, int line, const char *line_start,
                     LexError *err);

/* Produces the next token.  Returns false on error (see LexError). */
bool lexer_next(Lexer *lx, Token *tok);

/* Decodes the escapes of a string literal body into a new arena string.
 * `line`/`col` locate body[0] for error messages.  Returns false and
 * fills err on a bad escape or out of memory. */
bool lexer_decode_string(AstArena *arena, const char *body, size_t len,
                         bool is_raw, bool is_bytes, int line, int col,
                         const char **out, size_t *out_len, LexError *err);

/* Readable token description for messages: "'('", "NAME", ... */
const char *lexer_token_name(TokenKind kind);

/* The BinOp of an augmented-assignment token, or -1. */
int lexer_augassign_op(TokenKind kind);

#endif /* TOY_LEXER_H */
