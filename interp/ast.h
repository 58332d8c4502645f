/*
 * ast.h - the abstract syntax tree produced by the parser (parser.h).
 *
 * Contract
 * --------
 * - Every Node, every NodeList array, every identifier and every decoded
 *   string literal lives in one AstArena.  Nothing in the tree is owned
 *   individually: the whole tree dies with ast_arena_free().  Never free or
 *   realloc a single node or string, and never keep a pointer into the tree
 *   after the arena is freed.
 * - The tree is immutable after parser_parse() returns; consumers (the
 *   compiler) only read it.
 * - Positions: `line` is 1-based; `col` is the 1-based *byte* column of the
 *   node's first character within its line (CPython's col_offset + 1).  A
 *   node built on a left operand starts at that operand's first token, so
 *   `(a) + b` starts at the '(' (as in CPython).  `end_line` is the line of
 *   the node's last token (CPython's end_lineno; exact for statements).
 *   Positions inside f-strings are real source positions.
 * - Identifiers (`const char *`) are NUL-terminated UTF-8.  String and bytes
 *   constants carry an explicit length (they may contain NUL); their data is
 *   also NUL-terminated for convenience (the terminator is not counted).
 * - Optional children are NULL when absent; lists are never NULL-arrayed
 *   inconsistently: count == 0 means empty (items may then be NULL).
 * - The parser bounds nesting (1500 counted levels: nested expressions,
 *   operator chains, a.b.c / f()() chains, elif chains, blocks), which
 *   keeps the tree height below about 5000 even for adversarial input and
 *   far lower for real code, so recursive walkers with ordinary frames do
 *   not overflow an 8 MB C stack.
 *
 * Representation notes for the compiler
 * -------------------------------------
 * - Bare tuples (`return a, b`, `x = 1, 2`, `for k, v in d.items()`,
 *   `d[1, 2]`) are ordinary NODE_TUPLE nodes; `paren` tells whether the
 *   source wrote them with parentheses (informational only).
 * - Assignment/deletion targets carry ctx CTX_STORE / CTX_DEL, propagated
 *   into TUPLE/LIST/STARRED targets; everything else is CTX_LOAD.
 * - Chained comparisons `a < b <= c` are ONE NODE_COMPARE with
 *   left = a, ops = [LT, LE], comparators = [b, c] (Python semantics: b is
 *   evaluated once, evaluation stops at the first false comparison).
 * - `a and b and c` is ONE NODE_BOOLOP with values [a, b, c].
 * - `elif` is represented as an else-branch (orelse) holding a single
 *   NODE_IF, exactly like Python's ast module.
 * - Docstrings are not special: a docstring is simply the first statement of
 *   a body being a NODE_EXPR_STMT whose value is a NODE_STR.
 * - yield, async/await, match, :=, the @ operator, except*,
 *   imaginary literals and \N{...} escapes are rejected by the parser with
 *   a SyntaxError ("Toy does not support ..."), so they never appear.
 * - Accepted but dropped: annotations (parameter `x: T`, return `-> T`,
 *   variable `x: T = v` becomes a plain ASSIGN, a bare `x: T` becomes
 *   PASS (remembering a simple name target, which the annotation makes local); annotations are never evaluated) and the positional-only marker
 *   `/` in parameter lists (those parameters become ordinary ones).
 * - Already checked by the parser (the compiler need not repeat it):
 *   assignment/deletion targets, duplicate parameter names, repeated
 *   keyword arguments, argument order (positional after keyword, ...),
 *   `default 'except:' must be last`, at most one starred target.
 *   NOT checked (compiler's job): return/break/continue placement,
 *   global/nonlocal consistency, `**kwargs`/`from x import *` support.
 * - Identifiers are not NFKC-normalised (CPython would treat 'µ' and
 *   'μ' as the same name).
 * - Adjacent string literals are concatenated by the parser.  If any piece
 *   is an f-string the result is a NODE_JOINED_STR (see below), otherwise
 *   a single NODE_STR or NODE_BYTES.
 * - f-strings: NODE_JOINED_STR.values is a list of NODE_STR (literal text,
 *   never empty) and NODE_FORMATTED_VALUE parts.  A format spec is itself
 *   a NODE_JOINED_STR (possibly with nested FORMATTED_VALUEs).  `f"{x=}"`
 *   becomes the literal "x=" followed by a FORMATTED_VALUE with conversion
 *   'r' (unless a conversion or spec is given), like CPython.
 */
#ifndef TOY_AST_H
#define TOY_AST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------ */
/* Arena                                                                */
/* ------------------------------------------------------------------ */

typedef struct AstChunk AstChunk;

/* A bump allocator.  Initialise with ast_arena_init (or zero it), allocate
 * with ast_arena_alloc, release everything with ast_arena_free.  Memory
 * comes from mem_alloc() in big chunks.  The struct is public only so it
 * can live on the caller's stack; treat its fields as private. */
typedef struct AstArena {
    AstChunk *chunks;   /* newest chunk first */
    size_t total;       /* bytes obtained from mem_alloc, for statistics */
} AstArena;

void ast_arena_init(AstArena *arena);
/* Returns zeroed memory aligned for pointers, int64_t and double, or NULL
 * when out of memory. */
void *ast_arena_alloc(AstArena *arena, size_t size);
/* Copies len bytes and appends a NUL; NULL when out of memory. */
char *ast_arena_strdup(AstArena *arena, const char *s, size_t len);
/* Frees every chunk; the arena is then empty and may be reused. */
void ast_arena_free(AstArena *arena);

/* ------------------------------------------------------------------ */
/* Nodes                                                                */
/* ------------------------------------------------------------------ */

typedef struct Node Node;

typedef struct NodeList {
    Node **items;
    int count;
} NodeList;

typedef struct NameList {
    const char **items;
    int count;
} NameList;

typedef enum {
    /* ---- root ---- */
    NODE_MODULE,        /* module.body */

    /* ---- statements ---- */
    NODE_EXPR_STMT,     /* expr_stmt.value */
    NODE_ASSIGN,        /* assign.targets (>= 1; `a = b = v` -> [a, b]), assign.value */
    NODE_AUG_ASSIGN,    /* aug_assign.target (NAME/ATTRIBUTE/SUBSCRIPT, ctx STORE), .op, .value */
    NODE_IF,            /* if_stmt.test, .body, .orelse (elif = orelse holding one NODE_IF) */
    NODE_WHILE,         /* while_stmt.test, .body, .orelse */
    NODE_FOR,           /* for_stmt.target (ctx STORE), .iter, .body, .orelse */
    NODE_BREAK,         /* no fields */
    NODE_CONTINUE,      /* no fields */
    NODE_PASS,          /* pass_stmt.annotated: the NAME of a bare `x: T` (ctx STORE, it
                           makes x local), else NULL */
    NODE_FUNCTION_DEF,  /* function_def.name, .params, .body, .decorators (applied last
                           to first; the node's line is the `def` line) */
    NODE_RETURN,        /* return_stmt.value (NULL for bare return) */
    NODE_CLASS_DEF,     /* class_def.name, .bases, .keywords (`metaclass=` etc.), .body,
                           .decorators */
    NODE_TRY,           /* try_stmt.body, .handlers (NODE_EXCEPT_HANDLER), .orelse, .finalbody */
    NODE_RAISE,         /* raise_stmt.exc (NULL for bare raise), .cause (NULL unless `from`) */
    NODE_WITH,          /* with_stmt.items (NODE_WITH_ITEM), .body */
    NODE_ASSERT,        /* assert_stmt.test, .msg (NULL if absent) */
    NODE_DEL,           /* del_stmt.targets (ctx DEL) */
    NODE_GLOBAL,        /* names.names */
    NODE_NONLOCAL,      /* names.names */
    NODE_IMPORT,        /* import.names (NODE_ALIAS; alias.name may be dotted "a.b") */
    NODE_IMPORT_FROM,   /* import_from.module (dotted, NULL for `from . import x`),
                           .names (NODE_ALIAS; a single alias "*" for star import),
                           .level (number of leading dots) */

    /* ---- expressions ---- */
    NODE_NAME,          /* name.id, name.ctx */
    NODE_INT,           /* int_value */
    NODE_BIGINT,        /* str: the text of an int literal too large for int64 */
    NODE_FLOAT,         /* float_value */
    NODE_IMAG,          /* float_value: an imaginary literal, 0+float_value*j */
    NODE_STR,           /* str.data, str.len (UTF-8) */
    NODE_BYTES,         /* str.data, str.len (raw bytes) */
    NODE_TRUE,          /* no fields */
    NODE_FALSE,         /* no fields */
    NODE_NONE,          /* no fields */
    NODE_ELLIPSIS,      /* no fields (`...`) */
    NODE_ATTRIBUTE,     /* attribute.value, .attr, .ctx */
    NODE_SUBSCRIPT,     /* subscript.value, .index (may be a SLICE or a TUPLE holding
                           SLICEs, e.g. x[1:2, 3]), .ctx */
    NODE_SLICE,         /* slice.lower, .upper, .step (each NULL when omitted) */
    NODE_STARRED,       /* starred.value, .ctx (`*x` in calls, displays, targets) */
    NODE_CALL,          /* call.func, .args (may contain STARRED), .keywords (NODE_KEYWORD) */
    NODE_BINOP,         /* binop.left, .op, .right */
    NODE_UNARYOP,       /* unaryop.op, .operand */
    NODE_BOOLOP,        /* boolop.op, .values (>= 2) */
    NODE_COMPARE,       /* compare.left, .ops[i] (CmpOp), .comparators (same count as ops) */
    NODE_IFEXP,         /* ifexp.test, .body, .orelse   (body if test else orelse) */
    NODE_LAMBDA,        /* lambda.params, .body (an expression) */
    NODE_TUPLE,         /* seq.elts, .ctx, .paren */
    NODE_LIST,          /* seq.elts, .ctx */
    NODE_SET,           /* seq.elts (non-empty; `{}` is a DICT) */
    NODE_DICT,          /* dict.keys, .values (same count; a NULL key means `**value`) */
    NODE_LIST_COMP,     /* comp.elt, .generators (NODE_COMPREHENSION) */
    NODE_SET_COMP,      /* comp.elt, .generators */
    NODE_DICT_COMP,     /* comp.key, .elt (the value), .generators */
    NODE_GENERATOR_EXP, /* comp.elt, .generators */
    NODE_YIELD,         /* yield_expr.value (NULL for a bare `yield`) */
    NODE_YIELD_FROM,    /* yield_expr.value */
    NODE_JOINED_STR,    /* joined.values (NODE_STR and NODE_FORMATTED_VALUE parts) */
    NODE_FORMATTED_VALUE, /* formatted.value, .conversion (0, 'r', 's', 'a'),
                             .format_spec (NODE_JOINED_STR or NULL) */

    /* ---- helper nodes (only appear inside the lists named above) ---- */
    NODE_KEYWORD,        /* keyword.name (NULL for `**value`), keyword.value */
    NODE_EXCEPT_HANDLER, /* handler.type (NULL for bare except), .name (NULL if no `as`), .body */
    NODE_WITH_ITEM,      /* with_item.context, .target (NULL if no `as`; ctx STORE) */
    NODE_ALIAS,          /* alias.name, alias.asname (NULL if no `as`) */
    NODE_COMPREHENSION,  /* comprehension.target (ctx STORE), .iter, .ifs */

    NODE_KIND_COUNT
} NodeKind;

typedef enum { CTX_LOAD, CTX_STORE, CTX_DEL } ExprContext;

typedef enum {
    AST_BINOP_ADD, AST_BINOP_SUB, AST_BINOP_MUL, AST_BINOP_DIV, AST_BINOP_FLOORDIV, AST_BINOP_MOD,
    AST_BINOP_POW, AST_BINOP_LSHIFT, AST_BINOP_RSHIFT, AST_BINOP_BITOR, AST_BINOP_BITXOR,
    AST_BINOP_BITAND
} BinOp;

typedef enum { UNARY_NEG, UNARY_POS, UNARY_INVERT, UNARY_NOT } UnaryOp;

typedef enum { BOOL_AND, BOOL_OR } BoolOp;

typedef enum {
    AST_CMP_EQ, AST_CMP_NE, AST_CMP_LT, AST_CMP_LE, AST_CMP_GT, AST_CMP_GE,
    AST_CMP_IS, AST_CMP_IS_NOT, AST_CMP_IN, AST_CMP_NOT_IN
} CmpOp;

/* Parameters of a def or lambda.
 * def f(a, b=1, *args, c, d=2, **kw)  gives
 *   args = [a, b]  defaults = [NULL, <1>]  vararg = "args"
 *   kwonly = [c, d]  kw_defaults = [NULL, <2>]  kwarg = "kw"
 * defaults[] runs parallel to args (NULL = no default); the parser
 * guarantees that once a positional parameter has a default, all later
 * positional parameters have one too.  A bare `*` gives vararg == NULL
 * with kwonly.count > 0.  The arrays are NULL when their count is 0.
 * The parser rejects duplicate names. */
typedef struct Params {
    NameList args;
    Node **defaults;        /* args.count entries */
    const char *vararg;     /* NULL if none */
    NameList kwonly;
    Node **kw_defaults;     /* kwonly.count entries */
    const char *kwarg;      /* NULL if none */
} Params;

struct Node {
    NodeKind kind;
    int line, col;      /* 1-based start position (col in bytes) */
    int end_line;       /* line of the last token */
    union {
        struct { NodeList body; } module;

        struct { Node *value; } expr_stmt;
        struct { Node *annotated; } pass_stmt;
        struct { NodeList targets; Node *value; } assign;
        struct { Node *target; BinOp op; Node *value; } aug_assign;
        struct { Node *test; NodeList body, orelse; } if_stmt;
        struct { Node *test; NodeList body, orelse; } while_stmt;
        struct { Node *target, *iter; NodeList body, orelse; } for_stmt;
        struct { const char *name; Params params; NodeList body, decorators; } function_def;
        struct { Node *value; } return_stmt;
        struct { const char *name; NodeList bases, keywords, body, decorators; } class_def;
        struct { NodeList body, handlers, orelse, finalbody; } try_stmt;
        struct { Node *exc, *cause; } raise_stmt;
        struct { NodeList items, body; } with_stmt;
        struct { Node *test, *msg; } assert_stmt;
        struct { NodeList targets; } del_stmt;
        struct { NameList names; } names;          /* GLOBAL, NONLOCAL */
        struct { NodeList names; } import;
        struct { const char *module; NodeList names; int level; } import_from;

        struct { const char *id; ExprContext ctx; } name;
        int64_t int_value;
        double float_value;
        struct { const char *data; size_t len; } str;   /* STR, BYTES */
        struct { Node *value; const char *attr; ExprContext ctx; } attribute;
        struct { Node *value, *index; ExprContext ctx; } subscript;
        struct { Node *lower, *upper, *step; } slice;
        struct { Node *value; ExprContext ctx; } starred;
        struct { Node *func; NodeList args, keywords; } call;
        struct { Node *left; BinOp op; Node *right; } binop;
        struct { UnaryOp op; Node *operand; } unaryop;
        struct { BoolOp op; NodeList values; } boolop;
        struct { Node *left; CmpOp *ops; NodeList comparators; } compare;
        struct { Node *test, *body, *orelse; } ifexp;
        struct { Params params; Node *body; } lambda;
        struct { NodeList elts; ExprContext ctx; int paren; } seq; /* TUPLE, LIST, SET */
        struct { NodeList keys, values; } dict;
        struct { Node *key, *elt; NodeList generators; } comp;     /* *_COMP, GENERATOR_EXP */
        struct { NodeList values; } joined;
        struct { Node *value; } yield_expr;                         /* YIELD, YIELD_FROM */
        struct { Node *value; int conversion; Node *format_spec; } formatted;

        struct { const char *name; Node *value; } keyword;
        struct { Node *type; const char *name; NodeList body; } handler;
        struct { Node *context, *target; } with_item;
        struct { const char *name, *asname; } alias;
        struct { Node *target, *iter; NodeList ifs; } comprehension;
    } u;
};

/* Allocates a zeroed node of the given kind at the given position;
 * end_line starts equal to line.  NULL when out of memory. */
Node *ast_new_node(AstArena *arena, NodeKind kind, int line, int col);

/* Names for diagnostics and dumps ("Name", "BinOp", "+", "<", ...). */
const char *ast_kind_name(NodeKind kind);
const char *ast_binop_symbol(BinOp op);
const char *ast_unaryop_symbol(UnaryOp op);
const char *ast_cmpop_symbol(CmpOp op);

/* Prints the tree, one node per line, indented by depth, with line:col.
 * Strings are printed with C-style escapes.  node may be NULL. */
void ast_dump(const Node *node, FILE *out);

#endif /* TOY_AST_H */
