/* parser.c - recursive-descent parser for Toy (see parser.h).
 *
 * Shape of the code
 * -----------------
 * One function per grammar rule, in the order of Python's grammar.  Parse
 * functions never return NULL: every error (syntax, memory, recursion)
 * records itself in the shared ParseError and longjmps back to
 * parser_parse().  That keeps the rule functions free of error plumbing;
 * it is safe because all memory they allocate lives in the AST arena and
 * the parser holds no other resources.
 *
 * Tokens come from the lexer through a 4-slot lookahead ring (the grammar
 * needs at most 2 tokens of lookahead), so memory use does not grow with
 * the input.  Assignment targets are parsed as expressions and then
 * checked and converted to Store/Del context, as CPython does.
 *
 * f-strings are split here (the lexer hands over their raw body); each
 * replacement field is parsed by a nested Parser over the same source
 * buffer, so positions inside f-strings are real source positions.
 */
#include "interp/parser.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "interp/lexer.h"

/* Nesting limit shared by expressions and compound statements.  CPython
 * accepts 1000 nested unary operators or a 1000-term `a+b+...` chain and
 * rejects 3000; 1500 sits between.  It also bounds the AST height, which
 * keeps the compiler's recursive walk safe. */
enum { MAX_DEPTH = 1500, RING = 4 };

/* State shared by the top-level parser and its f-string sub-parsers. */
typedef struct {
    jmp_buf jmp;
    ParseError *err;
    AstArena *arena;
    const char *source;       /* the whole input, for error lines */
    size_t len;
    ParseMode mode;
    int depth;
    bool from_lexer;          /* the error was reported by the lexer */
    LexErrorCause lex_cause;
    int lex_bracket_line;
    bool at_eof;              /* parser error at a token synthesized at EOF */
} Shared;

typedef struct {
    Shared *sh;
    Lexer lx;
    LexError lex_err;
    Token ring[RING];
    int head, count;
    Token prev;               /* the last token consumed */
    int last_end_line;        /* end line of the last consumed token that
                                 is not NEWLINE/INDENT/DEDENT */
    bool in_fstring;          /* parses an f-string replacement field */
    /* An already-parsed parenthesized atom that the next expression
     * starts with (only for `with (a).b() as c:`, see parse_with). */
    Node *pending_atom;
    int pending_line, pending_col;
} Parser;

typedef struct {
    Node **items;
    int count, cap;
} NodeVec;

typedef struct {
    const char **items;
    int count, cap;
} NameVec;

static Node *parse_expression(Parser *p);
static Node *parse_disjunction(Parser *p);
static Node *parse_bitor(Parser *p);
static Node *parse_star_expressions(Parser *p);
static void parse_statement(Parser *p, NodeVec *out);
static void check_missing_comma(Parser *p, const Node *elem);

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

static _Noreturn void fail_at(Parser *p, ParseStatus status, int line,
                              int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static _Noreturn void fail_at(Parser *p, ParseStatus status, int line,
                              int col, const char *fmt, ...)
{
    ParseError *err = p->sh->err;
    char msg[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err->status = status;
    err->line = line;
    err->col = col;
    /* Errors inside replacement fields read "f-string: ...", like 3.11. */
    bool prefix = p->in_fstring && status == PARSE_SYNTAX_ERROR
                  && strncmp(msg, "f-string", 8) != 0;
    size_t used = 0;
    if (prefix) {
        memcpy(err->message, "f-string: ", 10);
        used = 10;
    }
    size_t n = strlen(msg);
    if (n > sizeof err->message - 1 - used)
        n = sizeof err->message - 1 - used;
    memcpy(err->message + used, msg, n);
    err->message[used + n] = '\0';
    longjmp(p->sh->jmp, 1);
}

#define fail_node(p, node, ...)                                           \
    fail_at((p), PARSE_SYNTAX_ERROR, (node)->line, (node)->col, __VA_ARGS__)

static _Noreturn void fail_tok(Parser *p, const Token *t, const char *fmt,
                               ...) __attribute__((format(printf, 3, 4)));

static _Noreturn void fail_tok(Parser *p, const Token *t, const char *fmt,
                               ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->sh->at_eof = t->at_eof;
    fail_at(p, PARSE_SYNTAX_ERROR, t->line, t->col, "%s", msg);
}

static _Noreturn void fail_memory(Parser *p)
{
    fail_at(p, PARSE_MEMORY_ERROR, p->prev.line, 0, "out of memory");
}

static _Noreturn void fail_lexer(Parser *p)
{
    Shared *sh = p->sh;
    sh->from_lexer = true;
    sh->lex_cause = p->lex_err.cause;
    sh->lex_bracket_line = p->lex_err.bracket_line;
    fail_at(p, p->lex_err.status, p->lex_err.line, p->lex_err.col, "%s",
            p->lex_err.message);
}

/* Tracks nesting; see MAX_DEPTH. */
static void enter(Parser *p)
{
    if (++p->sh->depth > MAX_DEPTH)
        fail_at(p, PARSE_RECURSION_ERROR, p->prev.line, p->prev.col,
                "maximum recursion depth exceeded during compilation");
}

static void leave(Parser *p, int levels)
{
    p->sh->depth -= levels;
}

/* ------------------------------------------------------------------ */
/* Tokens                                                               */
/* ------------------------------------------------------------------ */

static Token *peek(Parser *p, int n)
{
    while (p->count <= n) {
        Token *t = &p->ring[(p->head + p->count) % RING];
        if (!lexer_next(&p->lx, t))
            fail_lexer(p);
        p->count++;
    }
    return &p->ring[(p->head + n) % RING];
}

static Token *cur(Parser *p)
{
    return peek(p, 0);
}

static bool at(Parser *p, TokenKind kind)
{
    return peek(p, 0)->kind == kind;
}

static Token advance(Parser *p)
{
    p->prev = *peek(p, 0);
    TokenKind k = p->prev.kind;
    if (k != TOK_NEWLINE && k != TOK_INDENT && k != TOK_DEDENT
        && k != TOK_ENDMARKER)
        p->last_end_line = p->prev.end_line;
    p->head = (p->head + 1) % RING;
    p->count--;
    return p->prev;
}

static bool accept(Parser *p, TokenKind kind)
{
    if (!at(p, kind))
        return false;
    advance(p);
    return true;
}

/* The message CPython gives for an unexpected token, plus Toy's messages
 * for the Python features it leaves out. */
static _Noreturn void fail_unexpected(Parser *p)
{
    Token *t = cur(p);
    switch (t->kind) {
    case TOK_ASYNC:
        fail_tok(p, t, "Toy does not support 'async'");
    case TOK_AWAIT:
        fail_tok(p, t, "Toy does not support 'await'");
    case TOK_COLONEQUAL:
        fail_tok(p, t, "Toy does not support assignment expressions (':=')");
    case TOK_AT:
    case TOK_ATEQ:
        fail_tok(p, t, "Toy does not support the '@' operator");
    case TOK_INDENT:
        fail_at(p, PARSE_INDENT_ERROR, t->line, t->col > 1 ? t->col - 1 : 1,
                "unexpected indent");
    case TOK_DEDENT:
        p->sh->at_eof = t->at_eof;
        fail_at(p, PARSE_INDENT_ERROR, t->line, t->col, "unexpected unindent");
    default:
        fail_tok(p, t, "invalid syntax");
    }
}

static Token expect(Parser *p, TokenKind kind)
{
    if (!at(p, kind))
        fail_unexpected(p);
    return advance(p);
}

/* "expected ':'" points just past the previous token, like CPython. */
static void expect_colon(Parser *p)
{
    if (accept(p, TOK_COLON))
        return;
    if (at(p, TOK_COLONEQUAL))
        fail_unexpected(p);
    p->sh->at_eof = cur(p)->at_eof;
    fail_at(p, PARSE_SYNTAX_ERROR, p->prev.end_line, p->prev.end_col,
            "expected ':'");
}

static const char *expect_name(Parser *p)
{
    return expect(p, TOK_NAME).v.name;
}

static bool is_stmt_end(TokenKind kind)
{
    return kind == TOK_NEWLINE || kind == TOK_SEMI || kind == TOK_ENDMARKER
           || kind == TOK_DEDENT;
}

/* Can this token begin an expression (not counting `*`)? */
static bool starts_expression(TokenKind kind)
{
    switch (kind) {
    case TOK_NAME: case TOK_INT: case TOK_FLOAT: case TOK_IMAG: case TOK_STRING:
    case TOK_LPAR: case TOK_LSQB: case TOK_LBRACE: case TOK_MINUS:
    case TOK_PLUS: case TOK_TILDE: case TOK_NOT: case TOK_LAMBDA:
    case TOK_NONE: case TOK_TRUE: case TOK_FALSE: case TOK_ELLIPSIS:
        return true;
    default:
        return false;
    }
}

/* ------------------------------------------------------------------ */
/* Nodes and lists                                                      */
/* ------------------------------------------------------------------ */

static void *arena_alloc(Parser *p, size_t size)
{
    void *mem = ast_arena_alloc(p->sh->arena, size);
    if (mem == NULL)
        fail_memory(p);
    return mem;
}

static Node *new_node(Parser *p, NodeKind kind, int line, int col)
{
    Node *n = ast_new_node(p->sh->arena, kind, line, col);
    if (n == NULL)
        fail_memory(p);
    return n;
}

static Node *node_at_tok(Parser *p, NodeKind kind, const Token *t)
{
    return new_node(p, kind, t->line, t->col);
}

/* Where the next expression starts.  A node built on a left operand
 * starts at that operand's first token, which for `(a) + b` is the '('
 * rather than `a` itself (as in CPython). */
typedef struct {
    int line, col;
} Pos;

static Token *cur(Parser *p);

static Pos start_pos(Parser *p)
{
    if (p->pending_atom != NULL) {
        Pos pos = {p->pending_line, p->pending_col};
        return pos;
    }
    Token *t = cur(p);
    Pos pos = {t->line, t->col};
    return pos;
}

static Node *node_at_pos(Parser *p, NodeKind kind, Pos pos)
{
    return new_node(p, kind, pos.line, pos.col);
}

/* Marks the node as ending at the last consumed token (a block's
 * closing NEWLINE/DEDENT belongs to no statement). */
static Node *finish(Parser *p, Node *n)
{
    n->end_line = p->last_end_line;
    return n;
}

static void grow(Parser *p, void **items, int *cap, int count, size_t elem)
{
    if (count < *cap)
        return;
    if (*cap > INT_MAX / 4)
        fail_memory(p);
    int new_cap = *cap ? *cap * 2 : 4;
    void *mem = arena_alloc(p, (size_t)new_cap * elem);
    if (count > 0)
        memcpy(mem, *items, (size_t)count * elem);
    *items = mem;
    *cap = new_cap;
}

static void vec_push(Parser *p, NodeVec *v, Node *n)
{
    void *items = v->items;
    grow(p, &items, &v->cap, v->count, sizeof(Node *));
    v->items = items;
    v->items[v->count++] = n;
}

static void names_push(Parser *p, NameVec *v, const char *name)
{
    void *items = (void *)v->items;
    grow(p, &items, &v->cap, v->count, sizeof(const char *));
    v->items = items;
    v->items[v->count++] = name;
}

static NodeList vec_list(const NodeVec *v)
{
    NodeList list = {v->items, v->count};
    return list;
}

static NameList names_list(const NameVec *v)
{
    NameList list = {v->items, v->count};
    return list;
}

static Node *make_seq(Parser *p, NodeKind kind, const NodeVec *elts,
                      int line, int col)
{
    Node *n = new_node(p, kind, line, col);
    n->u.seq.elts = vec_list(elts);
    n->u.seq.ctx = CTX_LOAD;
    return finish(p, n);
}

/* ------------------------------------------------------------------ */
/* Assignment targets                                                   */
/* ------------------------------------------------------------------ */

/* What CPython calls each kind of expression in "cannot assign to ...". */
static const char *expr_name(const Node *n)
{
    switch (n->kind) {
    case NODE_ATTRIBUTE: return "attribute";
    case NODE_SUBSCRIPT: return "subscript";
    case NODE_STARRED: return "starred";
    case NODE_NAME: return "name";
    case NODE_LIST: return "list";
    case NODE_TUPLE: return "tuple";
    case NODE_LAMBDA: return "lambda";
    case NODE_CALL: return "function call";
    case NODE_BOOLOP: case NODE_BINOP: case NODE_UNARYOP: return "expression";
    case NODE_GENERATOR_EXP: return "generator expression";
    case NODE_YIELD: case NODE_YIELD_FROM: return "yield expression";
    case NODE_LIST_COMP: return "list comprehension";
    case NODE_SET_COMP: return "set comprehension";
    case NODE_DICT_COMP: return "dict comprehension";
    case NODE_DICT: return "dict literal";
    case NODE_SET: return "set display";
    case NODE_JOINED_STR: case NODE_FORMATTED_VALUE: return "f-string expression";
    case NODE_NONE: return "None";
    case NODE_TRUE: return "True";
    case NODE_FALSE: return "False";
    case NODE_ELLIPSIS: return "ellipsis";
    case NODE_COMPARE: return "comparison";
    case NODE_IFEXP: return "conditional expression";
    default: return "literal";
    }
}

/* CPython adds "here. Maybe you meant '==' instead of '='?" when a single
 * `target = value` has a target that could be the left side of `==`. */
static bool wants_eq_hint(const Node *n)
{
    switch (n->kind) {
    case NODE_COMPARE: case NODE_BOOLOP: case NODE_IFEXP: case NODE_LAMBDA:
    case NODE_TUPLE: case NODE_LIST: case NODE_GENERATOR_EXP:
    case NODE_TRUE: case NODE_FALSE: case NODE_NONE: case NODE_STARRED:
        return false;
    case NODE_UNARYOP:
        return n->u.unaryop.op != UNARY_NOT;
    default:
        return true;
    }
}

static void set_context(Parser *p, Node *n, ExprContext ctx, bool hint)
{
    const char *verb = ctx == CTX_DEL ? "delete" : "assign to";
    switch (n->kind) {
    case NODE_NAME:
        if (strcmp(n->u.name.id, "__debug__") == 0)
            fail_node(p, n, "cannot %s __debug__", verb);
        n->u.name.ctx = ctx;
        return;
    case NODE_ATTRIBUTE:
        n->u.attribute.ctx = ctx;
        return;
    case NODE_SUBSCRIPT:
        n->u.subscript.ctx = ctx;
        return;
    case NODE_STARRED:
        if (ctx == CTX_DEL)
            fail_node(p, n, "cannot delete starred");
        n->u.starred.ctx = ctx;
        set_context(p, n->u.starred.value, ctx, false);
        return;
    case NODE_TUPLE:
    case NODE_LIST: {
        int starred = 0;
        n->u.seq.ctx = ctx;
        for (int i = 0; i < n->u.seq.elts.count; i++) {
            Node *elt = n->u.seq.elts.items[i];
            starred += elt->kind == NODE_STARRED;
            set_context(p, elt, ctx, false);
        }
        if (starred > 1)
            fail_node(p, n, "multiple starred expressions in assignment");
        return;
    }
    default:
        if (hint && wants_eq_hint(n))
            fail_node(p, n, "cannot %s %s here. Maybe you meant '==' instead "
                      "of '='?", verb, expr_name(n));
        fail_node(p, n, "cannot %s %s", verb, expr_name(n));
    }
}

/* A complete target (assignment, for, with, comprehension). */
static void set_target(Parser *p, Node *n, ExprContext ctx, bool hint)
{
    if (n->kind == NODE_STARRED && ctx == CTX_STORE)
        fail_node(p, n, "starred assignment target must be in a list or "
                  "tuple");
    set_context(p, n, ctx, hint);
}

/* `*x` may only appear inside a display, a call or a target. */
static void forbid_bare_starred(Parser *p, const Node *n)
{
    if (n->kind == NODE_STARRED)
        fail_node(p, n, "can't use starred expression here");
}

/* ------------------------------------------------------------------ */
/* Strings and f-strings                                                */
/* ------------------------------------------------------------------ */

/* Accumulates literal text (arena memory) and, for f-strings, parts. */
typedef struct {
    NodeVec parts;
    char *buf;
    size_t len, cap;
    int lit_line, lit_col;
} StrBuilder;

static void sb_append(Parser *p, StrBuilder *sb, const char *data,
                      size_t len, int line, int col)
{
    if (len == 0)
        return;
    if (sb->len == 0) {
        sb->lit_line = line;
        sb->lit_col = col;
    }
    if (sb->len + len + 1 > sb->cap) {
        if (len > SIZE_MAX / 4 || sb->cap > SIZE_MAX / 4)
            fail_memory(p);
        size_t cap = sb->cap * 2 > sb->len + len + 1 ? sb->cap * 2
                                                     : sb->len + len + 1;
        char *buf = arena_alloc(p, cap < 64 ? 64 : cap);
        if (sb->len)
            memcpy(buf, sb->buf, sb->len);
        sb->buf = buf;
        sb->cap = cap < 64 ? 64 : cap;
    }
    memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

/* Turns the pending literal text into a NODE_STR part. */
static void sb_flush(Parser *p, StrBuilder *sb)
{
    if (sb->len == 0)
        return;
    Node *n = new_node(p, NODE_STR, sb->lit_line, sb->lit_col);
    n->u.str.data = sb->buf;
    n->u.str.len = sb->len;
    vec_push(p, &sb->parts, n);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

/* A cursor over an f-string body that knows its source line. */
typedef struct {
    Parser *p;
    const char *s, *end;
    bool raw;
    int line;
    const char *line_start;
} FScan;

static bool is_space_char(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\n';
}

static bool is_line_break(const char *q, const char *end)
{
    return *q == '\n' || (*q == '\r' && (q + 1 >= end || q[1] != '\n'));
}

static void fs_locate(const FScan *fs, const char *ptr, int *line, int *col)
{
    int l = fs->line;
    const char *ls = fs->line_start;
    for (const char *q = fs->s; q < ptr; q++)
        if (is_line_break(q, fs->end)) {
            l++;
            ls = q + 1;
        }
    *line = l;
    *col = (int)(ptr - ls) + 1;
}

static void fs_advance(FScan *fs, const char *to)
{
    for (; fs->s < to; fs->s++)
        if (is_line_break(fs->s, fs->end)) {
            fs->line++;
            fs->line_start = fs->s + 1;
        }
}

static _Noreturn void fs_fail(const FScan *fs, const char *ptr,
                              const char *msg)
{
    int line, col;
    fs_locate(fs, ptr, &line, &col);
    fail_at(fs->p, PARSE_SYNTAX_ERROR, line, col, "%s", msg);
}

/* Literal text up to the next replacement field (or, inside a format
 * spec, up to its closing '}').  `{{` and `}}` stand for single braces at
 * the top level only, exactly as in CPython 3.11. */
static void fstring_literal(FScan *fs, StrBuilder *sb, int level)
{
    for (;;) {
        const char *q = fs->s;
        bool doubled = false;
        while (q < fs->end) {
            char ch = *q++;
            if (!fs->raw && ch == '\\' && q < fs->end)
                ch = *q++;
            if (ch != '{' && ch != '}')
                continue;
            if (level == 0 && q < fs->end && *q == ch) {
                doubled = true;     /* keep one brace, skip the other */
                break;
            }
            if (level == 0 && ch == '}')
                fs_fail(fs, q - 1, "f-string: single '}' is not allowed");
            q--;
            break;
        }
        int line, col;
        fs_locate(fs, fs->s, &line, &col);
        const char *text;
        size_t len;
        LexError lerr;
        memset(&lerr, 0, sizeof lerr);
        if (!lexer_decode_string(fs->p->sh->arena, fs->s,
                                 (size_t)(q - fs->s), fs->raw, false, line,
                                 col, &text, &len, &lerr)) {
            fs->p->lex_err = lerr;
            fail_lexer(fs->p);
        }
        sb_append(fs->p, sb, text, len, line, col);
        fs_advance(fs, doubled ? q + 1 : q);
        if (!doubled)
            return;
    }
}

/* Finds where a replacement field's expression ends: at a top-level
 * '!', ':', '=' (not part of ==, !=, <=, >=) or '}'. */
static const char *fstring_expr_end(const FScan *fs, const char *s)
{
    char quote = 0;
    bool triple = false;
    char stack[LEXER_MAX_PAREN];
    int depth = 0;
    for (; s < fs->end; s++) {
        char ch = *s;
        if (ch == '\\')
            fs_fail(fs, s, "f-string expression part cannot include a "
                    "backslash");
        if (quote) {
            if (ch == quote && (!triple || (fs->end - s >= 3
                                            && s[1] == ch && s[2] == ch))) {
                s += triple ? 2 : 0;
                quote = 0;
            }
            continue;
        }
        if (ch == '\'' || ch == '"') {
            triple = fs->end - s >= 3 && s[1] == ch && s[2] == ch;
            s += triple ? 2 : 0;
            quote = ch;
        } else if (ch == '[' || ch == '(' || ch == '{') {
            if (depth >= LEXER_MAX_PAREN)
                fs_fail(fs, s, "f-string: too many nested parenthesis");
            stack[depth++] = ch;
        } else if (ch == '#') {
            fs_fail(fs, s, "f-string expression part cannot include '#'");
        } else if (depth == 0 && ch != '\0' && strchr("!:}=<>", ch)) {
            if (s + 1 < fs->end && s[1] == '=' && ch != ':' && ch != '}') {
                s++;            /* ==, !=, <=, >= */
                continue;
            }
            if (ch == '<' || ch == '>')
                continue;
            return s;
        } else if (ch == ']' || ch == ')' || ch == '}') {
            if (depth == 0) {
                char msg[64];
                snprintf(msg, sizeof msg, "f-string: unmatched '%c'", ch);
                fs_fail(fs, s, msg);
            }
            char open = stack[--depth];
            if ((open == '(' && ch != ')') || (open == '[' && ch != ']')
                || (open == '{' && ch != '}')) {
                char msg[128];
                snprintf(msg, sizeof msg, "f-string: closing parenthesis "
                         "'%c' does not match opening parenthesis '%c'",
                         ch, open);
                fs_fail(fs, s, msg);
            }
        }
    }
    if (quote)
        fs_fail(fs, s, "f-string: unterminated string");
    if (depth > 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "f-string: unmatched '%c'",
                 stack[depth - 1]);
        fs_fail(fs, s, msg);
    }
    fs_fail(fs, s, "f-string: expecting '}'");
}

static void parser_init_sub(Parser *sub, Parser *parent, const FScan *fs,
                            const char *end)
{
    memset(sub, 0, sizeof *sub);
    sub->sh = parent->sh;
    sub->in_fstring = true;
    sub->prev = parent->prev;
    sub->last_end_line = parent->last_end_line;
    lexer_init_expr(&sub->lx, parent->sh->arena, fs->s, end, fs->line,
                    fs->line_start, &sub->lex_err);
}

/* Parses the expression text [fs->s, end) with a nested parser. */
static Node *fstring_expression(FScan *fs, const char *end)
{
    const char *q = fs->s;
    while (q < end && is_space_char(*q))
        q++;
    if (q == end)
        fs_fail(fs, end, "f-string: empty expression not allowed");
    Parser sub;
    parser_init_sub(&sub, fs->p, fs, end);
    enter(fs->p);
    Node *value = parse_star_expressions(&sub);
    if (!at(&sub, TOK_ENDMARKER)) {
        check_missing_comma(&sub, value);   /* 3.11 parses it as (expr) */
        fail_unexpected(&sub);
    }
    forbid_bare_starred(&sub, value);
    leave(fs->p, 1);
    return value;
}

static Node *fstring_spec(FScan *fs, int level);

/* One replacement field; fs->s is at its '{'. */
static void fstring_field(FScan *fs, StrBuilder *sb, int level)
{
    Parser *p = fs->p;
    if (level >= 2)
        fs_fail(fs, fs->s, "f-string: expressions nested too deeply");
    Node *fv = new_node(p, NODE_FORMATTED_VALUE, fs->line,
                        (int)(fs->s - fs->line_start) + 1);
    const char *expr_start = fs->s + 1;
    const char *s = fstring_expr_end(fs, expr_start);
    fs_advance(fs, expr_start);
    fv->u.formatted.value = fstring_expression(fs, s);
    bool self_doc = *s == '=';
    if (self_doc) {
        /* f"{x = }" prints the expression text, then its repr. */
        for (s++; s < fs->end && is_space_char(*s); s++)
            ;
        sb_append(p, sb, expr_start, (size_t)(s - expr_start), fs->line,
                  (int)(expr_start - fs->line_start) + 1);
    }
    if (s < fs->end && *s == '!') {
        if (++s >= fs->end)
            fs_fail(fs, s, "f-string: expecting '}'");
        char conv = *s++;
        if (conv != 's' && conv != 'r' && conv != 'a')
            fs_fail(fs, s - 1, "f-string: invalid conversion character: "
                    "expected 's', 'r', or 'a'");
        fv->u.formatted.conversion = conv;
    }
    if (s < fs->end && *s == ':') {
        fs_advance(fs, s + 1);
        fv->u.formatted.format_spec = fstring_spec(fs, level + 1);
        s = fs->s;
    }
    if (s >= fs->end || *s != '}')
        fs_fail(fs, s, "f-string: expecting '}'");
    if (self_doc && !fv->u.formatted.conversion && !fv->u.formatted.format_spec)
        fv->u.formatted.conversion = 'r';
    fs_advance(fs, s + 1);
    fv->end_line = fs->line;
    sb_flush(p, sb);
    vec_push(p, &sb->parts, fv);
}

/* Literal text and fields until the end of the body (level 0) or the '}'
 * that closes a format spec (level 1). */
static void fstring_body(FScan *fs, StrBuilder *sb, int level)
{
    for (;;) {
        fstring_literal(fs, sb, level);
        if (fs->s >= fs->end || *fs->s == '}')
            return;
        fstring_field(fs, sb, level);
    }
}

static Node *fstring_spec(FScan *fs, int level)
{
    StrBuilder spec;
    memset(&spec, 0, sizeof spec);
    Node *n = new_node(fs->p, NODE_JOINED_STR, fs->line,
                       (int)(fs->s - fs->line_start) + 1);
    fstring_body(fs, &spec, level);
    sb_flush(fs->p, &spec);
    n->u.joined.values = vec_list(&spec.parts);
    return n;
}

static void fstring_token(Parser *p, const Token *t, StrBuilder *sb)
{
    const LexString *s = &t->v.str;
    FScan fs = {p, s->body, s->body + s->body_len, s->is_raw, s->body_line,
                s->body_line_start};
    fstring_body(&fs, sb, 0);
}

/* One or more adjacent string literals. */
static Node *parse_strings(Parser *p)
{
    Token first = advance(p);
    const LexString *s = &first.v.str;
    if (!s->is_fstring && !at(p, TOK_STRING)) {
        Node *n = node_at_tok(p, s->is_bytes ? NODE_BYTES : NODE_STR, &first);
        n->u.str.data = s->data;
        n->u.str.len = s->len;
        return finish(p, n);
    }
    StrBuilder sb;
    memset(&sb, 0, sizeof sb);
    bool any_f = false;
    Token t = first;
    for (;;) {
        if (t.v.str.is_bytes != first.v.str.is_bytes)
            fail_tok(p, &t, "cannot mix bytes and nonbytes literals");
        if (t.v.str.is_fstring) {
            any_f = true;
            fstring_token(p, &t, &sb);
        } else {
            sb_append(p, &sb, t.v.str.data, t.v.str.len, t.line, t.col);
        }
        if (!at(p, TOK_STRING))
            break;
        t = advance(p);
    }
    if (!any_f) {
        Node *n = node_at_tok(p, s->is_bytes ? NODE_BYTES : NODE_STR, &first);
        n->u.str.data = sb.len ? sb.buf : "";
        n->u.str.len = sb.len;
        return finish(p, n);
    }
    sb_flush(p, &sb);
    Node *n = node_at_tok(p, NODE_JOINED_STR, &first);
    n->u.joined.values = vec_list(&sb.parts);
    return finish(p, n);
}

/* ------------------------------------------------------------------ */
/* Atoms and displays                                                   */
/* ------------------------------------------------------------------ */

/* Inside brackets, two expressions in a row are most likely a missing
 * comma (CPython 3.10+ says so). */
static void check_missing_comma(Parser *p, const Node *elem)
{
    TokenKind next = cur(p)->kind;
    if (!starts_expression(next))
        return;
    if (elem->kind == NODE_NAME && next == TOK_STRING)
        return;
    if (elem->kind == NODE_IFEXP || elem->kind == NODE_LAMBDA)
        return;
    fail_node(p, elem, "invalid syntax. Perhaps you forgot a comma?");
}

/* star_named_expression: '*' bitwise_or | expression */
static Node *parse_star_named(Parser *p)
{
    if (at(p, TOK_STAR) && p->pending_atom == NULL) {
        Token star = advance(p);
        Node *n = node_at_tok(p, NODE_STARRED, &star);
        n->u.starred.value = parse_bitor(p);
        n->u.starred.ctx = CTX_LOAD;
        return finish(p, n);
    }
    return parse_expression(p);
}

/* One element of a for/comprehension/with target: '*'? bitwise_or.
 * (A full expression would swallow the `in` of `for x in y`.) */
static Node *parse_target_elem(Parser *p)
{
    if (!at(p, TOK_STAR))
        return parse_bitor(p);
    Token star = advance(p);
    Node *n = node_at_tok(p, NODE_STARRED, &star);
    n->u.starred.value = parse_bitor(p);
    n->u.starred.ctx = CTX_LOAD;
    return finish(p, n);
}

/* Target list of `for` and comprehensions: a bare tuple if commas. */
static Node *parse_target_list(Parser *p)
{
    Pos start = start_pos(p);
    Node *first = parse_target_elem(p);
    if (!at(p, TOK_COMMA))
        return first;
    NodeVec elts = {0};
    vec_push(p, &elts, first);
    while (accept(p, TOK_COMMA) && !at(p, TOK_IN))
        vec_push(p, &elts, parse_target_elem(p));
    return make_seq(p, NODE_TUPLE, &elts, start.line, start.col);
}

/* for_if_clauses: ('for' targets 'in' disjunction ('if' disjunction)*)+ */
static NodeList parse_comp_clauses(Parser *p)
{
    NodeVec gens = {0};
    while (at(p, TOK_FOR)) {
        Token kw = advance(p);
        Node *c = node_at_tok(p, NODE_COMPREHENSION, &kw);
        Node *target = parse_target_list(p);
        set_target(p, target, CTX_STORE, false);
        c->u.comprehension.target = target;
        expect(p, TOK_IN);
        c->u.comprehension.iter = parse_disjunction(p);
        NodeVec ifs = {0};
        while (accept(p, TOK_IF))
            vec_push(p, &ifs, parse_disjunction(p));
        c->u.comprehension.ifs = vec_list(&ifs);
        vec_push(p, &gens, finish(p, c));
    }
    if (at(p, TOK_ASYNC))
        fail_unexpected(p);
    return vec_list(&gens);
}

static Node *make_comp(Parser *p, NodeKind kind, Node *elt, const Token *open)
{
    if (elt->kind == NODE_STARRED)
        fail_node(p, elt, "iterable unpacking cannot be used in "
                  "comprehension");
    Node *n = node_at_tok(p, kind, open);
    n->u.comp.elt = elt;
    n->u.comp.generators = parse_comp_clauses(p);
    return n;
}

/* Comma-separated star_named_expressions up to `close`; `first` is
 * already parsed. */
static void parse_elements(Parser *p, NodeVec *elts, Node *first,
                           TokenKind close)
{
    vec_push(p, elts, first);
    check_missing_comma(p, first);
    while (accept(p, TOK_COMMA) && !at(p, close)) {
        Node *e = parse_star_named(p);
        vec_push(p, elts, e);
        check_missing_comma(p, e);
    }
}

/* `yield`, `yield x`, `yield a, b` or `yield from x`. */
static Node *parse_yield(Parser *p)
{
    Token kw = advance(p);
    if (accept(p, TOK_FROM)) {
        Node *n = node_at_tok(p, NODE_YIELD_FROM, &kw);
        n->u.yield_expr.value = parse_expression(p);
        return finish(p, n);
    }
    Node *n = node_at_tok(p, NODE_YIELD, &kw);
    TokenKind k = cur(p)->kind;
    if (starts_expression(k) || k == TOK_STAR)
        n->u.yield_expr.value = parse_star_expressions(p);
    return finish(p, n);
}

/* The right-hand side of an assignment: a yield expression or star_expressions. */
static Node *parse_assigned_value(Parser *p)
{
    return at(p, TOK_YIELD) ? parse_yield(p) : parse_star_expressions(p);
}

/* '(' ... ')': empty tuple, parenthesized expression, tuple or genexp. */
static Node *parse_paren(Parser *p)
{
    Token open = advance(p);
    if (accept(p, TOK_RPAR)) {
        NodeVec none = {0};
        Node *n = make_seq(p, NODE_TUPLE, &none, open.line, open.col);
        n->u.seq.paren = 1;
        return n;
    }
    if (at(p, TOK_YIELD)) {
        Node *y = parse_yield(p);
        expect(p, TOK_RPAR);
        return y;
    }
    Node *first = parse_star_named(p);
    if (at(p, TOK_FOR)) {
        Node *n = make_comp(p, NODE_GENERATOR_EXP, first, &open);
        expect(p, TOK_RPAR);
        return finish(p, n);
    }
    if (!at(p, TOK_COMMA)) {
        check_missing_comma(p, first);
        expect(p, TOK_RPAR);
        if (first->kind == NODE_STARRED)
            fail_node(p, first, "cannot use starred expression here");
        return first;
    }
    NodeVec elts = {0};
    parse_elements(p, &elts, first, TOK_RPAR);
    expect(p, TOK_RPAR);
    Node *n = make_seq(p, NODE_TUPLE, &elts, open.line, open.col);
    n->u.seq.paren = 1;
    return n;
}

static Node *parse_list_display(Parser *p)
{
    Token open = advance(p);
    NodeVec elts = {0};
    if (accept(p, TOK_RSQB))
        return make_seq(p, NODE_LIST, &elts, open.line, open.col);
    Node *first = parse_star_named(p);
    if (at(p, TOK_FOR)) {
        Node *n = make_comp(p, NODE_LIST_COMP, first, &open);
        expect(p, TOK_RSQB);
        return finish(p, n);
    }
    parse_elements(p, &elts, first, TOK_RSQB);
    expect(p, TOK_RSQB);
    return make_seq(p, NODE_LIST, &elts, open.line, open.col);
}

/* One dict item: `key: value` or `**mapping` (NULL key). */
static void parse_dict_item(Parser *p, NodeVec *keys, NodeVec *values)
{
    if (accept(p, TOK_DSTAR)) {
        vec_push(p, keys, NULL);
        vec_push(p, values, parse_bitor(p));
        return;
    }
    Node *key = parse_expression(p);
    if (!at(p, TOK_COLON) && !at(p, TOK_COLONEQUAL)) /* CPython: at the key's last character */
        fail_at(p, PARSE_SYNTAX_ERROR, p->prev.end_line, p->prev.end_col - 1,
                "':' expected after dictionary key");
    expect_colon(p);
    Node *value = parse_expression(p);
    vec_push(p, keys, key);
    vec_push(p, values, value);
    check_missing_comma(p, value);
}

/* The rest of a dict display after its first item. */
static Node *parse_dict_rest(Parser *p, const Token *open, NodeVec *keys,
                             NodeVec *values)
{
    while (accept(p, TOK_COMMA) && !at(p, TOK_RBRACE))
        parse_dict_item(p, keys, values);
    expect(p, TOK_RBRACE);
    Node *n = node_at_tok(p, NODE_DICT, open);
    n->u.dict.keys = vec_list(keys);
    n->u.dict.values = vec_list(values);
    return finish(p, n);
}

/* '{' ... '}': dict, set, dict comprehension or set comprehension. */
static Node *parse_brace_display(Parser *p)
{
    Token open = advance(p);
    NodeVec keys = {0}, values = {0};
    if (at(p, TOK_RBRACE) || at(p, TOK_DSTAR)) {
        if (at(p, TOK_DSTAR))
            parse_dict_item(p, &keys, &values);
        else
            advance(p);
        if (keys.count == 0)
            return finish(p, node_at_tok(p, NODE_DICT, &open));
        return parse_dict_rest(p, &open, &keys, &values);
    }
    Node *first = parse_star_named(p);
    if (at(p, TOK_COLON) && first->kind != NODE_STARRED) {
        advance(p);
        Node *value = parse_expression(p);
        if (at(p, TOK_FOR)) {
            Node *n = make_comp(p, NODE_DICT_COMP, value, &open);
            n->u.comp.key = first;
            expect(p, TOK_RBRACE);
            return finish(p, n);
        }
        check_missing_comma(p, value);
        vec_push(p, &keys, first);
        vec_push(p, &values, value);
        return parse_dict_rest(p, &open, &keys, &values);
    }
    if (at(p, TOK_FOR)) {
        Node *n = make_comp(p, NODE_SET_COMP, first, &open);
        expect(p, TOK_RBRACE);
        return finish(p, n);
    }
    NodeVec elts = {0};
    parse_elements(p, &elts, first, TOK_RBRACE);
    expect(p, TOK_RBRACE);
    return make_seq(p, NODE_SET, &elts, open.line, open.col);
}

static Node *parse_atom(Parser *p)
{
    if (p->pending_atom != NULL) {
        Node *atom = p->pending_atom;
        p->pending_atom = NULL;
        return atom;
    }
    Token *t = cur(p);
    Node *n;
    switch (t->kind) {
    case TOK_NAME:
        n = node_at_tok(p, NODE_NAME, t);
        n->u.name.id = t->v.name;
        n->u.name.ctx = CTX_LOAD;
        break;
    case TOK_INT:
        if (t->v.ival == LEX_INT_TOO_BIG) {
            char *text = arena_alloc(p, t->len + 1);
            if (text == NULL)
                return NULL;
            memcpy(text, t->start, t->len);
            text[t->len] = '\0';
            n = node_at_tok(p, NODE_BIGINT, t);
            n->u.str.data = text;
            n->u.str.len = t->len;
            break;
        }
        n = node_at_tok(p, NODE_INT, t);
        n->u.int_value = t->v.ival;
        break;
    case TOK_FLOAT:
        n = node_at_tok(p, NODE_FLOAT, t);
        n->u.float_value = t->v.fval;
        break;
    case TOK_IMAG:
        n = node_at_tok(p, NODE_IMAG, t);
        n->u.float_value = t->v.fval;
        break;
    case TOK_TRUE: n = node_at_tok(p, NODE_TRUE, t); break;
    case TOK_FALSE: n = node_at_tok(p, NODE_FALSE, t); break;
    case TOK_NONE: n = node_at_tok(p, NODE_NONE, t); break;
    case TOK_ELLIPSIS: n = node_at_tok(p, NODE_ELLIPSIS, t); break;
    case TOK_STRING: return parse_strings(p);
    case TOK_LPAR: return parse_paren(p);
    case TOK_LSQB: return parse_list_display(p);
    case TOK_LBRACE: return parse_brace_display(p);
    default: fail_unexpected(p);
    }
    advance(p);
    return n;
}

/* ------------------------------------------------------------------ */
/* Calls, subscripts, attributes                                        */
/* ------------------------------------------------------------------ */

/* Names seen so far (parameters of a def, keywords of a call), as an
 * open-addressing hash set in the arena: checking each new name against a
 * list would make n names cost n^2. */
typedef struct {
    const char **slots;     /* NULL: empty; capacity a power of two */
    int count, cap;
} NameSet;

static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;           /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Adds `name`; returns false if it was already there. */
static bool nameset_add(Parser *p, NameSet *set, const char *name)
{
    if ((set->count + 1) * 2 > set->cap) {
        if (set->cap > INT_MAX / 4)
            fail_memory(p);
        int cap = set->cap ? set->cap * 2 : 16;
        const char **slots = arena_alloc(p, (size_t)cap * sizeof *slots);
        memset(slots, 0, (size_t)cap * sizeof *slots);
        for (int i = 0; i < set->cap; i++) {
            if (set->slots[i] == NULL)
                continue;
            unsigned j = name_hash(set->slots[i]) & (unsigned)(cap - 1);
            while (slots[j] != NULL)
                j = (j + 1) & (unsigned)(cap - 1);
            slots[j] = set->slots[i];
        }
        set->slots = slots;
        set->cap = cap;
    }
    unsigned mask = (unsigned)set->cap - 1;
    unsigned j = name_hash(name) & mask;
    for (; set->slots[j] != NULL; j = (j + 1) & mask)
        if (strcmp(set->slots[j], name) == 0)
            return false;
    set->slots[j] = name;
    set->count++;
    return true;
}

typedef struct {
    NodeVec args, keywords;
    NameSet keyword_names;
    bool seen_keyword, seen_dstar;
    Token open;     /* the '(' (a bare genexp argument starts there) */
} CallArgs;

static void add_keyword(Parser *p, CallArgs *ca, const Token *start,
                        const char *name, Node *value)
{
    if (name != NULL && !nameset_add(p, &ca->keyword_names, name))
        fail_tok(p, start, "keyword argument repeated: %s", name);
    Node *kw = node_at_tok(p, NODE_KEYWORD, start);
    kw->u.keyword.name = name;
    kw->u.keyword.value = value;
    vec_push(p, &ca->keywords, finish(p, kw));
}

static void add_positional(Parser *p, CallArgs *ca, Node *arg)
{
    if (ca->seen_dstar)
        fail_node(p, arg, "positional argument follows keyword argument "
                  "unpacking");
    if (ca->seen_keyword)
        fail_node(p, arg, "positional argument follows keyword argument");
    vec_push(p, &ca->args, arg);
}

/* One argument: *x, **x, name=value, a genexp or an expression.
 * Returns the argument's expression (for the missing-comma check). */
static Node *parse_argument(Parser *p, CallArgs *ca, bool allow_genexp)
{
    Token start = *cur(p);
    if (accept(p, TOK_STAR)) {
        if (ca->seen_dstar)
            fail_tok(p, &start, "iterable argument unpacking follows keyword "
                     "argument unpacking");
        Node *n = node_at_tok(p, NODE_STARRED, &start);
        n->u.starred.value = parse_expression(p);
        n->u.starred.ctx = CTX_LOAD;
        vec_push(p, &ca->args, finish(p, n));
        return n;
    }
    if (accept(p, TOK_DSTAR)) {
        Node *value = parse_expression(p);
        add_keyword(p, ca, &start, NULL, value);
        ca->seen_dstar = true;
        return value;
    }
    if (start.kind == TOK_NAME && peek(p, 1)->kind == TOK_EQUAL) {
        advance(p);
        advance(p);
        Node *value = parse_expression(p);
        add_keyword(p, ca, &start, start.v.name, value);
        ca->seen_keyword = true;
        return value;
    }
    {
        Node *e = parse_expression(p);
        if (at(p, TOK_FOR) && allow_genexp) {
            e = finish(p, make_comp(p, NODE_GENERATOR_EXP, e, &ca->open));
            if (ca->args.count + ca->keywords.count > 0
                || (at(p, TOK_COMMA) && peek(p, 1)->kind != TOK_RPAR))
                fail_node(p, e, "Generator expression must be parenthesized");
        }
        if (at(p, TOK_EQUAL) && (e->kind == NODE_NONE || e->kind == NODE_TRUE ||
                                 e->kind == NODE_FALSE))
            fail_node(p, e, "cannot assign to %s", expr_name(e));
        if (at(p, TOK_EQUAL))
            fail_node(p, e, "expression cannot contain assignment, perhaps "
                      "you meant \"==\"?");
        add_positional(p, ca, e);
        return e;
    }
}

/* '(' just consumed; parses arguments and the closing ')'. */
static void parse_call_args(Parser *p, CallArgs *ca, bool allow_genexp)
{
    memset(ca, 0, sizeof *ca);
    ca->open = p->prev;
    while (!at(p, TOK_RPAR)) {
        check_missing_comma(p, parse_argument(p, ca, allow_genexp));
        if (!accept(p, TOK_COMMA))
            break;
    }
    expect(p, TOK_RPAR);
}

/* slice: [expr] ':' [expr] [':' [expr]] | star_named_expression */
static Node *parse_slice(Parser *p)
{
    Node *lower = NULL;
    Pos start = start_pos(p);
    if (!at(p, TOK_COLON)) {
        lower = parse_star_named(p);
        if (!at(p, TOK_COLON) || lower->kind == NODE_STARRED)
            return lower;
    }
    advance(p);     /* ':' */
    Node *n = node_at_pos(p, NODE_SLICE, start);
    n->u.slice.lower = lower;
    if (!at(p, TOK_COLON) && !at(p, TOK_COMMA) && !at(p, TOK_RSQB))
        n->u.slice.upper = parse_expression(p);
    if (accept(p, TOK_COLON) && !at(p, TOK_COMMA) && !at(p, TOK_RSQB))
        n->u.slice.step = parse_expression(p);
    return finish(p, n);
}

/* '[' consumed: x[i], x[a:b], x[1, 2:3] (a tuple index). */
static Node *parse_subscript_index(Parser *p)
{
    Pos start = start_pos(p);
    Node *first = parse_slice(p);
    if (!at(p, TOK_COMMA) && first->kind != NODE_STARRED) {
        expect(p, TOK_RSQB);
        return first;
    }
    NodeVec elts = {0};
    vec_push(p, &elts, first);
    while (accept(p, TOK_COMMA) && !at(p, TOK_RSQB))
        vec_push(p, &elts, parse_slice(p));
    Node *n = make_seq(p, NODE_TUPLE, &elts, start.line, start.col);
    expect(p, TOK_RSQB);
    return n;
}

/* primary: atom ('.' NAME | '(' args ')' | '[' slices ']')* */
static Node *parse_primary(Parser *p)
{
    Pos start = start_pos(p);
    Node *node = parse_atom(p);
    int chain = 0;
    for (;; chain++) {
        Node *n;
        if (accept(p, TOK_DOT)) {
            n = node_at_pos(p, NODE_ATTRIBUTE, start);
            n->u.attribute.value = node;
            n->u.attribute.attr = expect_name(p);
            n->u.attribute.ctx = CTX_LOAD;
        } else if (accept(p, TOK_LPAR)) {
            CallArgs ca;
            parse_call_args(p, &ca, true);
            n = node_at_pos(p, NODE_CALL, start);
            n->u.call.func = node;
            n->u.call.args = vec_list(&ca.args);
            n->u.call.keywords = vec_list(&ca.keywords);
        } else if (accept(p, TOK_LSQB)) {
            n = node_at_pos(p, NODE_SUBSCRIPT, start);
            n->u.subscript.value = node;
            n->u.subscript.index = parse_subscript_index(p);
            n->u.subscript.ctx = CTX_LOAD;
        } else {
            break;
        }
        enter(p);   /* a long a.b.c... chain is a deep tree too */
        node = finish(p, n);
    }
    leave(p, chain);
    return node;
}

/* ------------------------------------------------------------------ */
/* Operators                                                            */
/* ------------------------------------------------------------------ */

static Node *parse_factor(Parser *p);

/* power: primary ['**' factor]  (right-associative via factor) */
static Node *parse_power(Parser *p)
{
    if (at(p, TOK_AWAIT) && p->pending_atom == NULL)
        fail_unexpected(p);
    Pos start = start_pos(p);
    Node *base = parse_primary(p);
    if (!accept(p, TOK_DSTAR))
        return base;
    enter(p);
    Node *n = node_at_pos(p, NODE_BINOP, start);
    n->u.binop.left = base;
    n->u.binop.op = AST_BINOP_POW;
    n->u.binop.right = parse_factor(p);
    leave(p, 1);
    return finish(p, n);
}

/* factor: ('+' | '-' | '~') factor | power */
static Node *parse_factor(Parser *p)
{
    TokenKind k = cur(p)->kind;
    if ((k != TOK_PLUS && k != TOK_MINUS && k != TOK_TILDE)
        || p->pending_atom != NULL)
        return parse_power(p);
    Token op = advance(p);
    enter(p);
    Node *n = node_at_tok(p, NODE_UNARYOP, &op);
    n->u.unaryop.op = k == TOK_PLUS ? UNARY_POS
                    : k == TOK_MINUS ? UNARY_NEG : UNARY_INVERT;
    n->u.unaryop.operand = parse_factor(p);
    leave(p, 1);
    return finish(p, n);
}

/* Binary operator levels from loosest (|) to tightest (* / // %). */
enum { BIN_LEVELS = 6 };

static int binop_at_level(TokenKind kind, int level)
{
    switch (level) {
    case 0: return kind == TOK_VBAR ? AST_BINOP_BITOR : -1;
    case 1: return kind == TOK_CARET ? AST_BINOP_BITXOR : -1;
    case 2: return kind == TOK_AMP ? AST_BINOP_BITAND : -1;
    case 3: return kind == TOK_LSHIFT ? AST_BINOP_LSHIFT
                 : kind == TOK_RSHIFT ? AST_BINOP_RSHIFT : -1;
    case 4: return kind == TOK_PLUS ? AST_BINOP_ADD
                 : kind == TOK_MINUS ? AST_BINOP_SUB : -1;
    default:
        return kind == TOK_STAR ? AST_BINOP_MUL : kind == TOK_SLASH ? AST_BINOP_DIV
             : kind == TOK_DSLASH ? AST_BINOP_FLOORDIV
             : kind == TOK_PERCENT ? AST_BINOP_MOD : -1;
    }
}

/* Left-associative binary operators, one precedence level per call. */
static Node *parse_binary(Parser *p, int level)
{
    if (level == BIN_LEVELS)
        return parse_factor(p);
    Pos start = start_pos(p);
    Node *left = parse_binary(p, level + 1);
    int chain = 0;
    int op;
    while ((op = binop_at_level(cur(p)->kind, level)) >= 0) {
        advance(p);
        enter(p);   /* the left spine grows one level per operator */
        chain++;
        Node *n = node_at_pos(p, NODE_BINOP, start);
        n->u.binop.left = left;
        n->u.binop.op = (BinOp)op;
        n->u.binop.right = parse_binary(p, level + 1);
        left = finish(p, n);
    }
    leave(p, chain);
    return left;
}

static Node *parse_bitor(Parser *p)
{
    return parse_binary(p, 0);
}

/* Consumes a comparison operator if one is next; -1 if none. */
static int parse_cmp_op(Parser *p)
{
    static const struct { TokenKind tok; CmpOp op; } simple[] = {
        {TOK_EQEQ, AST_CMP_EQ}, {TOK_NOTEQ, AST_CMP_NE}, {TOK_LESS, AST_CMP_LT},
        {TOK_LESSEQ, AST_CMP_LE}, {TOK_GREATER, AST_CMP_GT}, {TOK_GREATEREQ, AST_CMP_GE},
        {TOK_IN, AST_CMP_IN},
    };
    TokenKind k = cur(p)->kind;
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (simple[i].tok == k) {
            advance(p);
            return simple[i].op;
        }
    if (k == TOK_NOT && peek(p, 1)->kind == TOK_IN) {
        advance(p);
        advance(p);
        return AST_CMP_NOT_IN;
    }
    if (k == TOK_IS) {
        advance(p);
        return accept(p, TOK_NOT) ? AST_CMP_IS_NOT : AST_CMP_IS;
    }
    return -1;
}

/* comparison: bitwise_or (compare_op bitwise_or)*  -- one node per chain */
static Node *parse_comparison(Parser *p)
{
    Pos start = start_pos(p);
    Node *left = parse_bitor(p);
    int op = parse_cmp_op(p);
    if (op < 0)
        return left;
    Node *n = node_at_pos(p, NODE_COMPARE, start);
    n->u.compare.left = left;
    NodeVec comparators = {0};
    CmpOp *ops = NULL;
    int ops_cap = 0;
    do {
        void *mem = ops;
        grow(p, &mem, &ops_cap, comparators.count, sizeof(CmpOp));
        ops = mem;
        ops[comparators.count] = (CmpOp)op;
        vec_push(p, &comparators, parse_bitor(p));
    } while ((op = parse_cmp_op(p)) >= 0);
    n->u.compare.ops = ops;
    n->u.compare.comparators = vec_list(&comparators);
    return finish(p, n);
}

/* inversion: 'not' inversion | comparison */
static Node *parse_inversion(Parser *p)
{
    if (!at(p, TOK_NOT) || p->pending_atom != NULL)
        return parse_comparison(p);
    Token op = advance(p);
    enter(p);
    Node *n = node_at_tok(p, NODE_UNARYOP, &op);
    n->u.unaryop.op = UNARY_NOT;
    n->u.unaryop.operand = parse_inversion(p);
    leave(p, 1);
    return finish(p, n);
}

/* conjunction / disjunction: flat BoolOp nodes. */
static Node *parse_boolop(Parser *p, TokenKind kw)
{
    Pos start = start_pos(p);
    Node *first = kw == TOK_OR ? parse_boolop(p, TOK_AND) : parse_inversion(p);
    if (!at(p, kw))
        return first;
    NodeVec values = {0};
    vec_push(p, &values, first);
    while (accept(p, kw))
        vec_push(p, &values, kw == TOK_OR ? parse_boolop(p, TOK_AND)
                                          : parse_inversion(p));
    Node *n = node_at_pos(p, NODE_BOOLOP, start);
    n->u.boolop.op = kw == TOK_OR ? BOOL_OR : BOOL_AND;
    n->u.boolop.values = vec_list(&values);
    return finish(p, n);
}

static Node *parse_disjunction(Parser *p)
{
    return parse_boolop(p, TOK_OR);
}

/* ------------------------------------------------------------------ */
/* Parameters and lambda                                                */
/* ------------------------------------------------------------------ */

typedef struct {
    NameVec args, kwonly;
    NodeVec defaults, kw_defaults;
    const char *vararg, *kwarg;
    bool star_seen, kwarg_seen, default_seen;
    Token bare_star;
    bool has_bare_star;
    NameSet seen;           /* every parameter name so far */
} ParamState;

static void check_duplicate_param(Parser *p, ParamState *ps,
                                  const Token *name)
{
    const char *id = name->v.name;
    if (!nameset_add(p, &ps->seen, id))
        fail_tok(p, name, "duplicate argument '%s' in function definition",
                 id);
}

/* NAME [':' annotation]; annotations are parsed and discarded. */
static Token parse_param_name(Parser *p, ParamState *ps, bool annotated)
{
    if (!at(p, TOK_NAME))
        fail_unexpected(p);
    Token name = advance(p);
    check_duplicate_param(p, ps, &name);
    if (annotated && accept(p, TOK_COLON))
        parse_expression(p);
    return name;
}

static void parse_star_param(Parser *p, ParamState *ps, bool annotated)
{
    Token star = advance(p);
    if (ps->star_seen)
        fail_tok(p, &star, "* argument may appear only once");
    ps->star_seen = true;
    if (at(p, TOK_NAME)) {
        ps->vararg = parse_param_name(p, ps, annotated).v.name;
    } else {
        ps->has_bare_star = true;
        ps->bare_star = star;
    }
}

static void parse_plain_param(Parser *p, ParamState *ps, bool annotated)
{
    Token name = parse_param_name(p, ps, annotated);
    Node *def = accept(p, TOK_EQUAL) ? parse_expression(p) : NULL;
    if (ps->star_seen) {
        names_push(p, &ps->kwonly, name.v.name);
        vec_push(p, &ps->kw_defaults, def);
        return;
    }
    if (def == NULL && ps->default_seen)
        fail_tok(p, &name, "non-default argument follows default argument");
    ps->default_seen |= def != NULL;
    names_push(p, &ps->args, name.v.name);
    vec_push(p, &ps->defaults, def);
}

/* Parameter list up to (not including) `close`.  `annotated` is true for
 * def (annotations allowed) and false for lambda. */
static void parse_params(Parser *p, Params *out, TokenKind close,
                         bool annotated)
{
    ParamState ps;
    memset(&ps, 0, sizeof ps);
    while (!at(p, close)) {
        if (ps.kwarg_seen)
            fail_tok(p, cur(p), "arguments cannot follow var-keyword "
                     "argument");
        if (at(p, TOK_SLASH) && !ps.star_seen && ps.args.count > 0) {
            advance(p);     /* positional-only marker: accepted, ignored */
        } else if (at(p, TOK_STAR)) {
            parse_star_param(p, &ps, annotated);
        } else if (accept(p, TOK_DSTAR)) {
            ps.kwarg = parse_param_name(p, &ps, annotated).v.name;
            ps.kwarg_seen = true;
        } else {
            parse_plain_param(p, &ps, annotated);
        }
        if (!accept(p, TOK_COMMA))
            break;
    }
    if (ps.has_bare_star && ps.kwonly.count == 0)
        fail_tok(p, &ps.bare_star, "named arguments must follow bare *");
    out->args = names_list(&ps.args);
    out->defaults = ps.defaults.items;
    out->vararg = ps.vararg;
    out->kwonly = names_list(&ps.kwonly);
    out->kw_defaults = ps.kw_defaults.items;
    out->kwarg = ps.kwarg;
}

static Node *parse_lambda(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_LAMBDA, &kw);
    parse_params(p, &n->u.lambda.params, TOK_COLON, false);
    expect_colon(p);
    n->u.lambda.body = parse_expression(p);
    return finish(p, n);
}

/* expression: lambda | disjunction ['if' disjunction 'else' expression] */
static Node *parse_expression(Parser *p)
{
    enter(p);
    Node *result;
    if (at(p, TOK_LAMBDA) && p->pending_atom == NULL) {
        result = parse_lambda(p);
    } else {
        Pos start = start_pos(p);
        Node *body = parse_disjunction(p);
        result = body;
        if (accept(p, TOK_IF)) {
            Node *n = node_at_pos(p, NODE_IFEXP, start);
            n->u.ifexp.body = body;
            n->u.ifexp.test = parse_disjunction(p);
            if (!accept(p, TOK_ELSE)) {
                p->sh->at_eof = cur(p)->at_eof;
                fail_node(p, body, "expected 'else' after 'if' expression");
            }
            n->u.ifexp.orelse = parse_expression(p);
            result = finish(p, n);
        }
    }
    leave(p, 1);
    return result;
}

/* star_expressions: one expression, or a bare tuple if there is a comma. */
static Node *parse_star_expressions(Parser *p)
{
    Pos start = start_pos(p);
    Node *first = parse_star_named(p);
    if (!at(p, TOK_COMMA))
        return first;
    NodeVec elts = {0};
    vec_push(p, &elts, first);
    while (accept(p, TOK_COMMA)) {
        TokenKind k = cur(p)->kind;
        if (!starts_expression(k) && k != TOK_STAR && k != TOK_YIELD
            && k != TOK_AWAIT)
            break;
        vec_push(p, &elts, parse_star_named(p));
    }
    return make_seq(p, NODE_TUPLE, &elts, start.line, start.col);
}

/* ------------------------------------------------------------------ */
/* Simple statements                                                    */
/* ------------------------------------------------------------------ */

/* Statements whose whole syntax is their keyword. */
static Node *parse_keyword_stmt(Parser *p, NodeKind kind)
{
    Token kw = advance(p);
    return finish(p, node_at_tok(p, kind, &kw));
}

static Node *parse_return(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_RETURN, &kw);
    if (!is_stmt_end(cur(p)->kind)) {
        n->u.return_stmt.value = parse_star_expressions(p);
        forbid_bare_starred(p, n->u.return_stmt.value);
    }
    return finish(p, n);
}

static Node *parse_raise(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_RAISE, &kw);
    if (!is_stmt_end(cur(p)->kind)) {
        n->u.raise_stmt.exc = parse_expression(p);
        if (accept(p, TOK_FROM))
            n->u.raise_stmt.cause = parse_expression(p);
    }
    return finish(p, n);
}

static Node *parse_global(Parser *p, NodeKind kind)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, kind, &kw);
    NameVec names = {0};
    do {
        names_push(p, &names, expect_name(p));
    } while (accept(p, TOK_COMMA));
    n->u.names.names = names_list(&names);
    return finish(p, n);
}

static Node *parse_del(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_DEL, &kw);
    NodeVec targets = {0};
    do {
        if (is_stmt_end(cur(p)->kind) && targets.count > 0)
            break;          /* trailing comma */
        if (at(p, TOK_STAR))
            fail_tok(p, cur(p), "cannot delete starred");
        Node *t = parse_bitor(p);
        set_context(p, t, CTX_DEL, false);
        vec_push(p, &targets, t);
    } while (accept(p, TOK_COMMA));
    n->u.del_stmt.targets = vec_list(&targets);
    return finish(p, n);
}

static Node *parse_assert(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_ASSERT, &kw);
    n->u.assert_stmt.test = parse_expression(p);
    if (accept(p, TOK_COMMA))
        n->u.assert_stmt.msg = parse_expression(p);
    return finish(p, n);
}

/* dotted_name: NAME ('.' NAME)*, joined into one arena string. */
static const char *parse_dotted_name(Parser *p)
{
    const char *name = expect_name(p);
    while (accept(p, TOK_DOT)) {
        const char *part = expect_name(p);
        size_t a = strlen(name), b = strlen(part);
        char *joined = arena_alloc(p, a + b + 2);
        memcpy(joined, name, a);
        joined[a] = '.';
        memcpy(joined + a + 1, part, b + 1);
        name = joined;
    }
    return name;
}

static Node *make_alias(Parser *p, const Token *at_tok, const char *name)
{
    Node *a = node_at_tok(p, NODE_ALIAS, at_tok);
    a->u.alias.name = name;
    if (accept(p, TOK_AS))
        a->u.alias.asname = expect_name(p);
    return finish(p, a);
}

static Node *parse_import(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_IMPORT, &kw);
    NodeVec names = {0};
    do {
        Token start = *cur(p);
        vec_push(p, &names, make_alias(p, &start, parse_dotted_name(p)));
    } while (accept(p, TOK_COMMA));
    n->u.import.names = vec_list(&names);
    return finish(p, n);
}

/* The names after `from X import`. */
static NodeList parse_import_names(Parser *p)
{
    NodeVec names = {0};
    if (at(p, TOK_STAR)) {
        Token star = advance(p);
        vec_push(p, &names, make_alias(p, &star, "*"));
        return vec_list(&names);
    }
    bool paren = accept(p, TOK_LPAR);
    do {
        if (paren && at(p, TOK_RPAR) && names.count > 0)
            break;
        if (!paren && is_stmt_end(cur(p)->kind) && names.count > 0)
            fail_tok(p, cur(p), "trailing comma not allowed without "
                     "surrounding parentheses");
        Token name = expect(p, TOK_NAME);
        vec_push(p, &names, make_alias(p, &name, name.v.name));
    } while (accept(p, TOK_COMMA));
    if (paren)
        expect(p, TOK_RPAR);
    return vec_list(&names);
}

static Node *parse_from_import(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_IMPORT_FROM, &kw);
    int level = 0;
    for (;;) {
        if (accept(p, TOK_DOT))
            level++;
        else if (accept(p, TOK_ELLIPSIS))
            level += 3;
        else
            break;
    }
    if (level == 0 || !at(p, TOK_IMPORT))
        n->u.import_from.module = parse_dotted_name(p);
    n->u.import_from.level = level;
    expect(p, TOK_IMPORT);
    n->u.import_from.names = parse_import_names(p);
    return finish(p, n);
}

/* `x: T` / `x: T = v`: the annotation is evaluated by nobody; Toy keeps
 * only the assignment (a bare annotation becomes `pass`). */
static Node *parse_annotated(Parser *p, Node *target, const Token *start)
{
    advance(p);     /* ':' */
    if (target->kind == NODE_TUPLE && !target->u.seq.paren)
        fail_node(p, target, "only single target (not tuple) can be "
                  "annotated");
    if (target->kind != NODE_NAME && target->kind != NODE_ATTRIBUTE
        && target->kind != NODE_SUBSCRIPT)
        fail_node(p, target, "illegal target for annotation");
    parse_expression(p);
    if (!accept(p, TOK_EQUAL)) {
        Node *n = node_at_tok(p, NODE_PASS, start);
        if (target->kind == NODE_NAME) {
            set_target(p, target, CTX_STORE, false);
            n->u.pass_stmt.annotated = target; /* `x: T` makes x local */
        }
        return finish(p, n);
    }
    set_target(p, target, CTX_STORE, false);
    Node *n = node_at_tok(p, NODE_ASSIGN, start);
    NodeVec targets = {0};
    vec_push(p, &targets, target);
    n->u.assign.targets = vec_list(&targets);
    n->u.assign.value = parse_star_expressions(p);
    forbid_bare_starred(p, n->u.assign.value);
    return finish(p, n);
}

static Node *parse_aug_assign(Parser *p, Node *target, const Token *start)
{
    int op = lexer_augassign_op(cur(p)->kind);
    if (target->kind != NODE_NAME && target->kind != NODE_ATTRIBUTE
        && target->kind != NODE_SUBSCRIPT)
        fail_node(p, target, "'%s' is an illegal expression for augmented "
                  "assignment", expr_name(target));
    advance(p);
    set_context(p, target, CTX_STORE, false);
    Node *n = node_at_tok(p, NODE_AUG_ASSIGN, start);
    n->u.aug_assign.target = target;
    n->u.aug_assign.op = (BinOp)op;
    n->u.aug_assign.value = parse_assigned_value(p);
    forbid_bare_starred(p, n->u.aug_assign.value);
    return finish(p, n);
}

/* `a = b = value`: all but the last expression are targets. */
static Node *parse_assign(Parser *p, Node *first, const Token *start)
{
    NodeVec exprs = {0};
    vec_push(p, &exprs, first);
    while (accept(p, TOK_EQUAL))
        vec_push(p, &exprs, parse_assigned_value(p));
    Node *value = exprs.items[exprs.count - 1];
    bool single = exprs.count == 2;
    for (int i = 0; i < exprs.count - 1; i++)
        set_target(p, exprs.items[i], CTX_STORE,
                   single && value->kind != NODE_LAMBDA);
    forbid_bare_starred(p, value);
    Node *n = node_at_tok(p, NODE_ASSIGN, start);
    exprs.count--;
    n->u.assign.targets = vec_list(&exprs);
    n->u.assign.value = value;
    return finish(p, n);
}

/* `match x:` is a soft-keyword statement; say plainly Toy lacks it. */
static bool looks_like_match(Parser *p)
{
    Token *t = cur(p);
    if (t->kind != TOK_NAME || strcmp(t->v.name, "match") != 0)
        return false;
    TokenKind next = peek(p, 1)->kind;
    return next == TOK_NAME || next == TOK_INT || next == TOK_FLOAT || next == TOK_IMAG
           || next == TOK_STRING || next == TOK_LBRACE || next == TOK_NONE
           || next == TOK_TRUE || next == TOK_FALSE || next == TOK_NOT
           || next == TOK_TILDE || next == TOK_LAMBDA;
}

/* Expression statement, assignment, augmented or annotated assignment. */
static Node *parse_expr_stmt(Parser *p)
{
    Token start = *cur(p);
    if (looks_like_match(p))
        fail_tok(p, &start, "Toy does not support 'match' statements");
    Node *first = parse_assigned_value(p);
    TokenKind k = cur(p)->kind;
    if (k == TOK_EQUAL)
        return parse_assign(p, first, &start);
    if (lexer_augassign_op(k) >= 0)
        return parse_aug_assign(p, first, &start);
    if (k == TOK_COLON) {
        bool is_match = start.kind == TOK_NAME
                        && strcmp(start.v.name, "match") == 0
                        && peek(p, 1)->kind == TOK_NEWLINE;
        if (is_match)
            fail_tok(p, &start, "Toy does not support 'match' statements");
        return parse_annotated(p, first, &start);
    }
    forbid_bare_starred(p, first);
    Node *n = node_at_tok(p, NODE_EXPR_STMT, &start);
    n->u.expr_stmt.value = first;
    return finish(p, n);
}

static Node *parse_simple_stmt(Parser *p)
{
    switch (cur(p)->kind) {
    case TOK_PASS: return parse_keyword_stmt(p, NODE_PASS);
    case TOK_BREAK: return parse_keyword_stmt(p, NODE_BREAK);
    case TOK_CONTINUE: return parse_keyword_stmt(p, NODE_CONTINUE);
    case TOK_RETURN: return parse_return(p);
    case TOK_RAISE: return parse_raise(p);
    case TOK_GLOBAL: return parse_global(p, NODE_GLOBAL);
    case TOK_NONLOCAL: return parse_global(p, NODE_NONLOCAL);
    case TOK_DEL: return parse_del(p);
    case TOK_ASSERT: return parse_assert(p);
    case TOK_IMPORT: return parse_import(p);
    case TOK_FROM: return parse_from_import(p);
    default: return parse_expr_stmt(p);
    }
}

/* `print x` gets CPython's hint about Python 2 syntax. */
static void check_legacy_print(Parser *p, const Node *stmt)
{
    if (stmt->kind != NODE_EXPR_STMT)
        return;
    const Node *e = stmt->u.expr_stmt.value;
    if (e->kind != NODE_NAME || !starts_expression(cur(p)->kind))
        return;
    const char *id = e->u.name.id;
    if (strcmp(id, "print") == 0 || strcmp(id, "exec") == 0)
        fail_node(p, e, "Missing parentheses in call to '%s'. Did you mean "
                  "%s(...)?", id, id);
}

/* simple_stmts: simple_stmt (';' simple_stmt)* [';'] NEWLINE */
static void parse_simple_stmts(Parser *p, NodeVec *out)
{
    for (;;) {
        Node *stmt = parse_simple_stmt(p);
        vec_push(p, out, stmt);
        if (!accept(p, TOK_SEMI)) {
            if (!at(p, TOK_NEWLINE))
                check_legacy_print(p, stmt);
            break;
        }
        if (at(p, TOK_NEWLINE))
            break;
    }
    expect(p, TOK_NEWLINE);
}

/* ------------------------------------------------------------------ */
/* Compound statements                                                  */
/* ------------------------------------------------------------------ */

/* block: NEWLINE INDENT statement+ DEDENT | simple_stmts
 * `what` names the header for "expected an indented block after ...". */
static NodeList parse_block(Parser *p, const char *what, int header_line)
{
    NodeVec body = {0};
    if (!accept(p, TOK_NEWLINE)) {
        parse_simple_stmts(p, &body);
        return vec_list(&body);
    }
    if (!at(p, TOK_INDENT)) {
        Token *t = cur(p);
        const Token *where = t->at_eof ? &p->prev : t;
        p->sh->at_eof = t->at_eof;
        fail_at(p, PARSE_INDENT_ERROR, where->line, where->col,
                "expected an indented block after %s on line %d", what,
                header_line);
    }
    advance(p);
    while (!at(p, TOK_DEDENT) && !at(p, TOK_ENDMARKER))
        parse_statement(p, &body);
    accept(p, TOK_DEDENT);
    return vec_list(&body);
}

/* The `else:` part of if/while/for/try, if present. */
static NodeList parse_else_block(Parser *p)
{
    NodeList empty = {NULL, 0};
    if (!at(p, TOK_ELSE))
        return empty;
    Token kw = advance(p);
    expect_colon(p);
    return parse_block(p, "'else' statement", kw.line);
}

/* `if x = 1:`: CPython's hint for '=' after a condition. */
static void check_condition_eq(Parser *p, const Node *test)
{
    if (!at(p, TOK_EQUAL))
        return;
    if (test->kind == NODE_NAME)
        fail_node(p, test, "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
    if (wants_eq_hint(test))
        fail_node(p, test, "cannot assign to %s here. Maybe you meant '==' instead of '='?",
                  expr_name(test));
    fail_tok(p, cur(p), "invalid syntax");
}

/* if/elif: an elif is an If inside the orelse of the previous one. */
static Node *parse_if(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_IF, &kw);
    n->u.if_stmt.test = parse_expression(p);
    check_condition_eq(p, n->u.if_stmt.test);
    expect_colon(p);
    n->u.if_stmt.body = parse_block(p, kw.kind == TOK_IF ? "'if' statement"
                                                        : "'elif' statement",
                                    kw.line);
    if (at(p, TOK_ELIF)) {
        enter(p);
        NodeVec orelse = {0};
        vec_push(p, &orelse, parse_if(p));
        n->u.if_stmt.orelse = vec_list(&orelse);
        leave(p, 1);
    } else {
        n->u.if_stmt.orelse = parse_else_block(p);
    }
    return finish(p, n);
}

static Node *parse_while(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_WHILE, &kw);
    n->u.while_stmt.test = parse_expression(p);
    check_condition_eq(p, n->u.while_stmt.test);
    expect_colon(p);
    n->u.while_stmt.body = parse_block(p, "'while' statement", kw.line);
    n->u.while_stmt.orelse = parse_else_block(p);
    return finish(p, n);
}

static Node *parse_for(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_FOR, &kw);
    Node *target = parse_target_list(p);
    set_target(p, target, CTX_STORE, false);
    n->u.for_stmt.target = target;
    expect(p, TOK_IN);
    n->u.for_stmt.iter = parse_star_expressions(p);
    forbid_bare_starred(p, n->u.for_stmt.iter);
    expect_colon(p);
    n->u.for_stmt.body = parse_block(p, "'for' statement", kw.line);
    n->u.for_stmt.orelse = parse_else_block(p);
    return finish(p, n);
}

static Node *parse_except_handler(Parser *p)
{
    Token kw = advance(p);
    if (at(p, TOK_STAR))
        fail_tok(p, cur(p), "Toy does not support 'except*'");
    Node *h = node_at_tok(p, NODE_EXCEPT_HANDLER, &kw);
    if (!at(p, TOK_COLON)) {
        h->u.handler.type = parse_expression(p);
        if (at(p, TOK_COMMA))
            fail_node(p, h->u.handler.type, "multiple exception types must "
                      "be parenthesized");
        if (accept(p, TOK_AS))
            h->u.handler.name = expect_name(p);
    }
    expect_colon(p);
    h->u.handler.body = parse_block(p, "'except' statement", kw.line);
    return finish(p, h);
}

static Node *parse_try(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_TRY, &kw);
    expect_colon(p);
    n->u.try_stmt.body = parse_block(p, "'try' statement", kw.line);
    NodeVec handlers = {0};
    while (at(p, TOK_EXCEPT)) {
        Node *prev = handlers.count ? handlers.items[handlers.count - 1] : NULL;
        if (prev != NULL && prev->u.handler.type == NULL)
            fail_node(p, prev, "default 'except:' must be last");
        vec_push(p, &handlers, parse_except_handler(p));
    }
    n->u.try_stmt.handlers = vec_list(&handlers);
    if (handlers.count > 0)
        n->u.try_stmt.orelse = parse_else_block(p);
    if (at(p, TOK_FINALLY)) {
        Token fin = advance(p);
        expect_colon(p);
        n->u.try_stmt.finalbody = parse_block(p, "'finally' statement",
                                              fin.line);
    } else if (handlers.count == 0) {
        const NodeList *body = &n->u.try_stmt.body;
        /* at the end of the file CPython names the body's last line */
        if ((at(p, TOK_ENDMARKER) || cur(p)->at_eof) && body->count > 0)
            fail_at(p, PARSE_SYNTAX_ERROR, body->items[body->count - 1]->end_line, 0,
                    "expected 'except' or 'finally' block");
        fail_tok(p, cur(p), "expected 'except' or 'finally' block");
    }
    return finish(p, n);
}

/* with_item: expression ['as' star_target] */
static Node *parse_with_item(Parser *p)
{
    Pos start = start_pos(p);
    Node *context = parse_expression(p);
    Node *item = node_at_pos(p, NODE_WITH_ITEM, start);
    item->u.with_item.context = context;
    if (accept(p, TOK_AS)) {
        Node *target = parse_target_elem(p);
        set_target(p, target, CTX_STORE, false);
        item->u.with_item.target = target;
    }
    return finish(p, item);
}

/* `with (a as b, c):` -- the parenthesized form.  A parenthesis after
 * `with` may also just start the first context expression, as in
 * `with (a) as b:` or `with (x or y).open() as f:`; that is only known at
 * the ')', where a lone item is handed back to the expression parser. */
static void parse_with_paren_items(Parser *p, NodeVec *items)
{
    Token open = advance(p);
    bool trailing_comma = false;
    do {
        trailing_comma = at(p, TOK_RPAR) && items->count > 0;
        if (trailing_comma)
            break;
        vec_push(p, items, parse_with_item(p));
    } while (accept(p, TOK_COMMA));
    expect(p, TOK_RPAR);
    if (at(p, TOK_COLON))
        return;
    /* Not the parenthesized form: (a) or (a, b) starts an expression. */
    NodeVec elts = {0};
    for (int i = 0; i < items->count; i++) {
        if (items->items[i]->u.with_item.target != NULL)
            fail_unexpected(p);
        vec_push(p, &elts, items->items[i]->u.with_item.context);
    }
    if (elts.count == 1 && !trailing_comma) {
        p->pending_atom = elts.items[0];
    } else {
        p->pending_atom = make_seq(p, NODE_TUPLE, &elts, open.line, open.col);
        p->pending_atom->u.seq.paren = 1;
    }
    p->pending_line = open.line;
    p->pending_col = open.col;
    items->count = 0;
    do {
        vec_push(p, items, parse_with_item(p));
    } while (accept(p, TOK_COMMA));
}

static Node *parse_with(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_WITH, &kw);
    NodeVec items = {0};
    if (at(p, TOK_LPAR) && peek(p, 1)->kind != TOK_RPAR) {
        parse_with_paren_items(p, &items);
    } else {
        do {
            vec_push(p, &items, parse_with_item(p));
        } while (accept(p, TOK_COMMA));
    }
    n->u.with_stmt.items = vec_list(&items);
    expect_colon(p);
    n->u.with_stmt.body = parse_block(p, "'with' statement", kw.line);
    return finish(p, n);
}

static Node *parse_funcdef(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_FUNCTION_DEF, &kw);
    n->u.function_def.name = expect_name(p);
    if (!at(p, TOK_LPAR))
        fail_tok(p, cur(p), "expected '('");
    advance(p);
    parse_params(p, &n->u.function_def.params, TOK_RPAR, true);
    expect(p, TOK_RPAR);
    if (accept(p, TOK_ARROW))
        parse_expression(p);    /* return annotation: discarded */
    expect_colon(p);
    n->u.function_def.body = parse_block(p, "function definition", kw.line);
    return finish(p, n);
}

static Node *parse_classdef(Parser *p)
{
    Token kw = advance(p);
    Node *n = node_at_tok(p, NODE_CLASS_DEF, &kw);
    n->u.class_def.name = expect_name(p);
    if (accept(p, TOK_LPAR)) {
        CallArgs ca;
        parse_call_args(p, &ca, false);
        n->u.class_def.bases = vec_list(&ca.args);
        n->u.class_def.keywords = vec_list(&ca.keywords);
    }
    expect_colon(p);
    n->u.class_def.body = parse_block(p, "class definition", kw.line);
    return finish(p, n);
}

/* `@expr NEWLINE` lines (any expression, PEP 614), then the def or class
   they decorate. */
static Node *parse_decorated(Parser *p)
{
    NodeVec decorators = {0};
    while (accept(p, TOK_AT)) {
        vec_push(p, &decorators, parse_expression(p));
        expect(p, TOK_NEWLINE);
    }
    Node *n;
    if (at(p, TOK_DEF)) {
        n = parse_funcdef(p);
        n->u.function_def.decorators = vec_list(&decorators);
    } else if (at(p, TOK_CLASS)) {
        n = parse_classdef(p);
        n->u.class_def.decorators = vec_list(&decorators);
    } else {
        fail_tok(p, cur(p), "invalid syntax");
    }
    return n;
}

static Node *parse_compound(Parser *p)
{
    switch (cur(p)->kind) {
    case TOK_IF: return parse_if(p);
    case TOK_WHILE: return parse_while(p);
    case TOK_FOR: return parse_for(p);
    case TOK_TRY: return parse_try(p);
    case TOK_WITH: return parse_with(p);
    case TOK_DEF: return parse_funcdef(p);
    case TOK_CLASS: return parse_classdef(p);
    case TOK_AT: return parse_decorated(p);
    default: return NULL;
    }
}

static void parse_statement(Parser *p, NodeVec *out)
{
    Token *t = cur(p);
    if (t->kind == TOK_INDENT)
        fail_unexpected(p);
    enter(p);
    Node *stmt = parse_compound(p);
    if (stmt != NULL)
        vec_push(p, out, stmt);
    else
        parse_simple_stmts(p, out);
    leave(p, 1);
}

/* ------------------------------------------------------------------ */
/* Entry point                                                          */
/* ------------------------------------------------------------------ */

static Node *parse_file(Parser *p)
{
    Node *module = new_node(p, NODE_MODULE, 1, 1);
    NodeVec body = {0};
    while (!at(p, TOK_ENDMARKER))
        parse_statement(p, &body);
    module->u.module.body = vec_list(&body);
    return finish(p, module);
}

static bool is_compound(const Node *stmt);

/* Input without an expression or statement, for eval and 'single':
 * CPython reports "invalid syntax" at its end-of-input token, which has no
 * column and sits on the last line holding a comment, or else on the line
 * of the last newline (line 0 for blank text without one). */
static _Noreturn void fail_empty_input(Parser *p)
{
    const char *s = p->sh->source;
    size_t len = p->sh->len, last = 0;
    int line = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n') {
            line++;
            last = i + 1;
        }
    for (size_t i = last; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\f' && s[i] != '\r') {
            line++;
            break;
        }
    p->sh->err->no_column = true;
    fail_at(p, PARSE_SYNTAX_ERROR, line, 0, "invalid syntax");
}

/* What follows the one statement of a 'single' input: after a compound
 * statement nothing may (a blank line ends it), after simple statements
 * CPython points past the newline that ended them. */
static _Noreturn void fail_second_statement(Parser *p, const Node *first)
{
    if (is_compound(first))
        fail_tok(p, cur(p), "invalid syntax");
    fail_at(p, PARSE_SYNTAX_ERROR, p->prev.line, p->prev.col,
            "multiple statements found while compiling a single statement");
}

/* compile(..., 'single') wants a newline after a compound statement whose
 * last clause has its body on the same line ("if x: y"); CPython reports
 * the missing one on the last line, without a column.  Seen in the text:
 * no final newline, and a last line that starts at the margin. */
static void check_single_compound_end(Parser *p)
{
    const char *s = p->sh->source;
    size_t len = p->sh->len, start = 0;
    if (len == 0 || s[len - 1] == '\n')
        return;
    int line = 1;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n') {
            line++;
            start = i + 1;
        }
    if (s[start] == ' ' || s[start] == '\t' || s[start] == '\f')
        return;
    p->sh->err->no_column = true;
    fail_at(p, PARSE_SYNTAX_ERROR, line, 0, "invalid syntax");
}

/* One statement (or a `;`-joined line): compile(..., 'single') and the REPL. */
static Node *parse_single(Parser *p)
{
    Node *module = new_node(p, NODE_MODULE, 1, 1);
    NodeVec body = {0};
    if (at(p, TOK_ENDMARKER) && p->sh->mode == PARSE_SINGLE)
        fail_empty_input(p);
    if (!at(p, TOK_ENDMARKER)) {
        parse_statement(p, &body);
        if (!at(p, TOK_ENDMARKER))
            fail_second_statement(p, body.items[0]);
        if (p->sh->mode == PARSE_SINGLE && is_compound(body.items[0]))
            check_single_compound_end(p);
    }
    module->u.module.body = vec_list(&body);
    return finish(p, module);
}

/* Blank lines before the expression are skipped, as in a file; an
 * indented first line is an IndentationError (eval() strips leading
 * spaces itself, compile(..., 'eval') does not). */
static Node *parse_eval(Parser *p)
{
    if (at(p, TOK_ENDMARKER))
        fail_empty_input(p);
    if (at(p, TOK_INDENT))
        fail_unexpected(p);
    Node *e = parse_star_expressions(p);
    forbid_bare_starred(p, e);
    while (accept(p, TOK_NEWLINE))
        ;
    if (!at(p, TOK_ENDMARKER))
        fail_unexpected(p);
    return e;
}

/* Does the input end with an empty (or blank) line?  In the REPL that
 * line is what terminates a compound statement. */
static bool ends_with_blank_line(const char *src, size_t len)
{
    if (len == 0)
        return true;
    if (src[len - 1] != '\n' && src[len - 1] != '\r')
        return false;
    size_t i = len - 1;
    if (src[i] == '\n' && i > 0 && src[i - 1] == '\r')
        i--;
    while (i > 0 && (src[i - 1] == ' ' || src[i - 1] == '\t'
                     || src[i - 1] == '\f'))
        i--;
    return i == 0 || src[i - 1] == '\n' || src[i - 1] == '\r';
}

/* Finds the text of line `line` for the caret display. */
static void fill_source_line(ParseError *err, const char *src, size_t len)
{
    err->source_line[0] = '\0';
    if (err->line <= 0)
        return;
    size_t i = 0;
    for (int l = 1; l < err->line && i < len; i++)
        if (src[i] == '\n' || (src[i] == '\r' && (i + 1 >= len
                                                  || src[i + 1] != '\n')))
            l++;
    size_t start = i;
    while (i < len && src[i] != '\n' && src[i] != '\r')
        i++;
    size_t n = i - start;
    if (n >= sizeof err->source_line) {
        n = sizeof err->source_line - 1;
        while (n > 0 && ((unsigned char)src[start + n] & 0xC0) == 0x80)
            n--;        /* do not cut a UTF-8 sequence in half */
    }
    memcpy(err->source_line, src + start, n);
    err->source_line[n] = '\0';
    /* Byte column -> character column, counting UTF-8 lead bytes. */
    if (err->col > 0) {
        size_t line_len = i - start;
        size_t bcol = (size_t)err->col - 1;
        size_t upto = bcol < line_len ? bcol : line_len;
        int chars = 0;
        for (size_t k = 0; k < upto; k++)
            chars += ((unsigned char)src[start + k] & 0xC0) != 0x80;
        err->col = chars + (int)(bcol - upto) + 1;
    }
}

/* CPython reports a later tokenizer error instead of a parser error
 * (tokenizing the rest of the input after a failed parse). */
static void prefer_later_lexer_error(Parser *p)
{
    ParseError *err = p->sh->err;
    Token t;
    while (lexer_next(&p->lx, &t))
        if (t.kind == TOK_ENDMARKER)
            return;
    LexError *le = &p->lex_err;
    if (le->cause == LEXC_INDENT || le->cause == LEXC_EOF_BACKSLASH
        || le->status == PARSE_MEMORY_ERROR
        || strcmp(le->message, "invalid syntax") == 0)
        return;
    if (le->cause == LEXC_EOF_BRACKET && err->line <= le->bracket_line)
        return;
    err->status = le->status;
    err->line = le->line;
    err->col = le->col;
    snprintf(err->message, sizeof err->message, "%s", le->message);
}

/* Decides between a real error and PARSE_INCOMPLETE for REPL input. */
static bool input_incomplete(const Shared *sh, const char *src, size_t len)
{
    if (sh->from_lexer)
        return sh->lex_cause == LEXC_EOF_BRACKET
               || sh->lex_cause == LEXC_EOF_TRIPLE
               || sh->lex_cause == LEXC_EOF_BACKSLASH;
    return sh->at_eof && !ends_with_blank_line(src, len);
}

static bool is_compound(const Node *stmt)
{
    switch (stmt->kind) {
    case NODE_IF: case NODE_WHILE: case NODE_FOR: case NODE_TRY:
    case NODE_WITH: case NODE_FUNCTION_DEF: case NODE_CLASS_DEF:
        return true;
    default:
        return false;
    }
}

static void set_incomplete(ParseError *err)
{
    err->status = PARSE_INCOMPLETE;
    err->line = 0;
    err->col = 0;
    err->source_line[0] = '\0';
    snprintf(err->message, sizeof err->message, "incomplete input");
}

/* After a failure: pick the error CPython would report, or INCOMPLETE. */
static void finish_error(Parser *p)
{
    Shared *sh = p->sh;
    ParseError *err = sh->err;
    const char *source = sh->source;
    size_t len = sh->len;
    ParseMode mode = sh->mode;
    if (mode == PARSE_INTERACTIVE && (err->status == PARSE_SYNTAX_ERROR
                                 || err->status == PARSE_INDENT_ERROR)
        && input_incomplete(sh, source, len)) {
        set_incomplete(err);
        return;
    }
    if (!sh->from_lexer && (err->status == PARSE_SYNTAX_ERROR
                            || err->status == PARSE_INDENT_ERROR))
        prefer_later_lexer_error(p);
    /* eval of text without a final newline: CPython's end token there has
     * no column, so an error at the end of the input has none either. */
    if (mode == PARSE_EVAL && sh->at_eof && !sh->from_lexer
        && err->status == PARSE_SYNTAX_ERROR
        && (len == 0 || source[len - 1] != '\n')) {
        err->col = 0;
        err->no_column = true;
    }
    fill_source_line(err, source, len);
}

static Node *parse_root(Parser *p)
{
    Shared *sh = p->sh;
    if (!lexer_validate_source(sh->source, sh->len, &p->lex_err))
        fail_lexer(p);
    lexer_init(&p->lx, sh->arena, sh->source, sh->len, &p->lex_err);
    Node *root = sh->mode == PARSE_EVAL ? parse_eval(p)
               : sh->mode == PARSE_FILE ? parse_file(p) : parse_single(p);
    if (sh->mode == PARSE_INTERACTIVE && root->u.module.body.count > 0
        && is_compound(root->u.module.body.items[0])
        && !ends_with_blank_line(sh->source, sh->len)) {
        set_incomplete(sh->err);
        return NULL;
    }
    return root;
}

/* Runs the parse under setjmp.  All state lives in the caller's frame
 * and is reached through p: C leaves locals of the function that called
 * setjmp indeterminate after a longjmp if they changed, and this function
 * has none. */
static Node *parse_guarded(Parser *p)
{
    if (setjmp(p->sh->jmp) != 0)
        return NULL;
    return parse_root(p);
}

Node *parser_parse(AstArena *arena, const char *source, size_t len,
                   const char *filename, ParseMode mode, ParseError *err)
{
    (void)filename;     /* the caller prints the file name */
    memset(err, 0, sizeof *err);
    Shared sh;
    memset(&sh, 0, sizeof sh);
    sh.err = err;
    sh.arena = arena;
    sh.source = source;
    sh.len = len;
    sh.mode = mode;
    Parser parser;
    memset(&parser, 0, sizeof parser);
    parser.sh = &sh;
    Node *root = parse_guarded(&parser);
    if (root != NULL)
        err->status = PARSE_OK;
    else if (err->status != PARSE_INCOMPLETE)
        finish_error(&parser);
    return root;
}

const char *parser_error_class(ParseStatus status)
{
    switch (status) {
    case PARSE_SYNTAX_ERROR: return "SyntaxError";
    case PARSE_INDENT_ERROR: return "IndentationError";
    case PARSE_TAB_ERROR: return "TabError";
    case PARSE_RECURSION_ERROR: return "RecursionError";
    case PARSE_MEMORY_ERROR: return "MemoryError";
    default: return "";
    }
}
