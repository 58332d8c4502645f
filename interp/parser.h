/*
 * parser.h - turns Toy source text into an AST (ast.h).
 *
 * Contract
 * --------
 * - parser_parse() reads `len` bytes of `source` (which need not be
 *   NUL-terminated and is never modified or retained).  On success it
 *   returns the root node, allocated together with every other node and
 *   string in *arena (caller initialised it with ast_arena_init and frees it
 *   with ast_arena_free when the tree is no longer needed).  On failure it
 *   returns NULL and fills *err; nodes allocated before the error stay in the
 *   arena until it is freed.
 * - All temporary memory (token buffers, stacks) comes from mem_alloc() and
 *   is released before parser_parse() returns, success or failure.
 * - The parser never overflows the C stack: nesting beyond a fixed depth is
 *   reported as PARSE_RECURSION_ERROR.  Running time is linear in the input.
 * - `filename` is only used for messages; it may be NULL.
 *
 * Modes
 * -----
 * PARSE_FILE:   a whole module; returns NODE_MODULE.
 * PARSE_SINGLE: one statement, as compile(..., 'single'); returns
 *               NODE_MODULE whose body holds the statement(s) of that one
 *               input (several only for `a; b`).  Blank input is an error.
 * PARSE_INTERACTIVE: PARSE_SINGLE for the REPL: blank input gives an empty
 *               body, and the result is PARSE_INCOMPLETE (with
 *               err->message "incomplete input") when more lines are
 *               needed: input ends inside a bracket, a triple-quoted
 *               string, after a `\` continuation, or after a compound
 *               statement that is not yet terminated by a blank line.  The
 *               REPL then appends the next line (with its '\n') and calls
 *               again with the whole text.
 * PARSE_EVAL:   one expression (a bare tuple `1, 2` is allowed), optionally
 *               preceded by blank lines and followed by newlines; returns the
 *               expression node.  Blank input is an error.
 */
#ifndef TOY_PARSER_H
#define TOY_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include "interp/ast.h"

typedef enum {
    PARSE_OK,
    PARSE_SYNTAX_ERROR,     /* SyntaxError */
    PARSE_INDENT_ERROR,     /* IndentationError */
    PARSE_TAB_ERROR,        /* TabError (inconsistent tabs and spaces) */
    PARSE_RECURSION_ERROR,  /* RecursionError: nesting too deep */
    PARSE_MEMORY_ERROR,     /* MemoryError: mem_alloc returned NULL */
    PARSE_INCOMPLETE        /* PARSE_INTERACTIVE only: need more input */
} ParseStatus;

typedef struct {
    ParseStatus status;
    char message[256];      /* e.g. "invalid syntax", "expected ':'" */
    int line;               /* 1-based line of the error; 0 if unknown */
    int col;                /* 1-based *character* (code point) column within
                               source_line, for drawing the caret; 0 if none */
    char source_line[256];  /* the offending line, without its newline,
                               truncated to fit; "" if unavailable */
    bool no_column;         /* CPython reports this error with offset 0 (no
                               caret), and line may be 0: blank input to
                               eval or 'single' */
} ParseError;

typedef enum {
    PARSE_FILE,
    PARSE_SINGLE,      /* one statement (compile(..., 'single')) */
    PARSE_INTERACTIVE, /* one statement typed at the REPL */
    PARSE_EVAL         /* one expression */
} ParseMode;

/* Parses source (len bytes; NUL bytes are a SyntaxError).  Returns the root
 * on success, NULL on failure with *err filled (err->status != PARSE_OK). */
Node *parser_parse(AstArena *arena, const char *source, size_t len,
                   const char *filename, ParseMode mode, ParseError *err);

/* The Python exception class name for a failed status:
 * "SyntaxError", "IndentationError", "TabError", "RecursionError",
 * "MemoryError"; "" for PARSE_OK / PARSE_INCOMPLETE. */
const char *parser_error_class(ParseStatus status);

#endif /* TOY_PARSER_H */
