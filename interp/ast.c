/* ast.c - the AST arena, node construction and the debugging dump. */
#include "interp/ast.h"

#include <inttypes.h>
#include <stdalign.h>
#include <string.h>

#include "core/alloc.h"

/* ------------------------------------------------------------------ */
/* Arena                                                                */
/* ------------------------------------------------------------------ */

/* Chunks are big so that a typical module needs only a few mem_alloc calls;
 * a request larger than a quarter chunk gets a chunk of its own so the
 * current chunk's free tail is not wasted.  Nothing in the tree needs more
 * than 8-byte alignment (pointers, int64_t, double), and a smaller
 * alignment keeps nodes packed. */
enum { ARENA_CHUNK_SIZE = 64 * 1024 };
#define ARENA_ALIGN 8
_Static_assert(ARENA_ALIGN >= alignof(void *) && ARENA_ALIGN >= alignof(double)
               && ARENA_ALIGN >= alignof(int64_t),
               "arena alignment too small for AST nodes");

struct AstChunk {
    AstChunk *next;
    size_t size;    /* usable bytes in data[] */
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

void ast_arena_init(AstArena *arena)
{
    arena->chunks = NULL;
    arena->total = 0;
}

static AstChunk *arena_new_chunk(AstArena *arena, size_t size)
{
    AstChunk *chunk = mem_alloc(sizeof(AstChunk) + size);
    if (chunk == NULL)
        return NULL;
    chunk->size = size;
    chunk->used = 0;
    arena->total += sizeof(AstChunk) + size;
    return chunk;
}

void *ast_arena_alloc(AstArena *arena, size_t size)
{
    if (size > SIZE_MAX / 2)
        return NULL;
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (size == 0)
        size = ARENA_ALIGN;
    AstChunk *head = arena->chunks;
    if (head == NULL || head->size - head->used < size) {
        if (size > ARENA_CHUNK_SIZE / 4) {
            /* Dedicated chunk, linked behind the head so the head keeps
             * serving small requests. */
            AstChunk *big = arena_new_chunk(arena, size);
            if (big == NULL)
                return NULL;
            big->used = size;
            if (head == NULL) {
                big->next = NULL;
                arena->chunks = big;
            } else {
                big->next = head->next;
                head->next = big;
            }
            memset(big->data, 0, size);
            return big->data;
        }
        head = arena_new_chunk(arena, ARENA_CHUNK_SIZE);
        if (head == NULL)
            return NULL;
        head->next = arena->chunks;
        arena->chunks = head;
    }
    void *p = head->data + head->used;
    head->used += size;
    memset(p, 0, size);
    return p;
}

char *ast_arena_strdup(AstArena *arena, const char *s, size_t len)
{
    char *copy = ast_arena_alloc(arena, len + 1);
    if (copy == NULL)
        return NULL;
    if (len > 0)
        memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

void ast_arena_free(AstArena *arena)
{
    AstChunk *chunk = arena->chunks;
    while (chunk != NULL) {
        AstChunk *next = chunk->next;
        mem_free(chunk, sizeof(AstChunk) + chunk->size);
        chunk = next;
    }
    arena->chunks = NULL;
    arena->total = 0;
}

/* ------------------------------------------------------------------ */
/* Nodes and names                                                      */
/* ------------------------------------------------------------------ */

Node *ast_new_node(AstArena *arena, NodeKind kind, int line, int col)
{
    Node *node = ast_arena_alloc(arena, sizeof(Node));
    if (node == NULL)
        return NULL;
    node->kind = kind;
    node->line = line;
    node->col = col;
    node->end_line = line;
    return node;
}

static const char *const kind_names[NODE_KIND_COUNT] = {
    [NODE_MODULE] = "Module",
    [NODE_EXPR_STMT] = "Expr",
    [NODE_ASSIGN] = "Assign",
    [NODE_AUG_ASSIGN] = "AugAssign",
    [NODE_IF] = "If",
    [NODE_WHILE] = "While",
    [NODE_FOR] = "For",
    [NODE_BREAK] = "Break",
    [NODE_CONTINUE] = "Continue",
    [NODE_PASS] = "Pass",
    [NODE_FUNCTION_DEF] = "FunctionDef",
    [NODE_RETURN] = "Return",
    [NODE_CLASS_DEF] = "ClassDef",
    [NODE_TRY] = "Try",
    [NODE_RAISE] = "Raise",
    [NODE_WITH] = "With",
    [NODE_ASSERT] = "Assert",
    [NODE_DEL] = "Delete",
    [NODE_GLOBAL] = "Global",
    [NODE_NONLOCAL] = "Nonlocal",
    [NODE_IMPORT] = "Import",
    [NODE_IMPORT_FROM] = "ImportFrom",
    [NODE_NAME] = "Name",
    [NODE_INT] = "Int",
    [NODE_BIGINT] = "Int",
    [NODE_FLOAT] = "Float",
    [NODE_IMAG] = "Imag",
    [NODE_STR] = "Str",
    [NODE_BYTES] = "Bytes",
    [NODE_TRUE] = "True",
    [NODE_FALSE] = "False",
    [NODE_NONE] = "None",
    [NODE_ELLIPSIS] = "Ellipsis",
    [NODE_ATTRIBUTE] = "Attribute",
    [NODE_SUBSCRIPT] = "Subscript",
    [NODE_SLICE] = "Slice",
    [NODE_STARRED] = "Starred",
    [NODE_CALL] = "Call",
    [NODE_BINOP] = "BinOp",
    [NODE_UNARYOP] = "UnaryOp",
    [NODE_BOOLOP] = "BoolOp",
    [NODE_COMPARE] = "Compare",
    [NODE_IFEXP] = "IfExp",
    [NODE_LAMBDA] = "Lambda",
    [NODE_TUPLE] = "Tuple",
    [NODE_LIST] = "List",
    [NODE_SET] = "Set",
    [NODE_DICT] = "Dict",
    [NODE_LIST_COMP] = "ListComp",
    [NODE_SET_COMP] = "SetComp",
    [NODE_DICT_COMP] = "DictComp",
    [NODE_GENERATOR_EXP] = "GeneratorExp",
    [NODE_YIELD] = "Yield",
    [NODE_YIELD_FROM] = "YieldFrom",
    [NODE_JOINED_STR] = "JoinedStr",
    [NODE_FORMATTED_VALUE] = "FormattedValue",
    [NODE_KEYWORD] = "keyword",
    [NODE_EXCEPT_HANDLER] = "ExceptHandler",
    [NODE_WITH_ITEM] = "withitem",
    [NODE_ALIAS] = "alias",
    [NODE_COMPREHENSION] = "comprehension",
};

const char *ast_kind_name(NodeKind kind)
{
    if ((unsigned)kind >= NODE_KIND_COUNT || kind_names[kind] == NULL)
        return "?";
    return kind_names[kind];
}

const char *ast_binop_symbol(BinOp op)
{
    static const char *const symbols[] = {
        [AST_BINOP_ADD] = "+", [AST_BINOP_SUB] = "-", [AST_BINOP_MUL] = "*",
        [AST_BINOP_DIV] = "/", [AST_BINOP_FLOORDIV] = "//", [AST_BINOP_MOD] = "%",
        [AST_BINOP_POW] = "**", [AST_BINOP_LSHIFT] = "<<", [AST_BINOP_RSHIFT] = ">>",
        [AST_BINOP_BITOR] = "|", [AST_BINOP_BITXOR] = "^", [AST_BINOP_BITAND] = "&",
    };
    return (unsigned)op <= AST_BINOP_BITAND ? symbols[op] : "?";
}

const char *ast_unaryop_symbol(UnaryOp op)
{
    static const char *const symbols[] = {
        [UNARY_NEG] = "-", [UNARY_POS] = "+", [UNARY_INVERT] = "~",
        [UNARY_NOT] = "not",
    };
    return (unsigned)op <= UNARY_NOT ? symbols[op] : "?";
}

const char *ast_cmpop_symbol(CmpOp op)
{
    static const char *const symbols[] = {
        [AST_CMP_EQ] = "==", [AST_CMP_NE] = "!=", [AST_CMP_LT] = "<", [AST_CMP_LE] = "<=",
        [AST_CMP_GT] = ">", [AST_CMP_GE] = ">=", [AST_CMP_IS] = "is",
        [AST_CMP_IS_NOT] = "is not", [AST_CMP_IN] = "in", [AST_CMP_NOT_IN] = "not in",
    };
    return (unsigned)op <= AST_CMP_NOT_IN ? symbols[op] : "?";
}

/* ------------------------------------------------------------------ */
/* Dump                                                                 */
/* ------------------------------------------------------------------ */

static void dump_node(const Node *node, FILE *out, int depth);

static void dump_indent(FILE *out, int depth)
{
    for (int i = 0; i < depth; i++)
        fputs("  ", out);
}

static void dump_string(const char *data, size_t len, FILE *out)
{
    fputc('\'', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\\' || c == '\'')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);  /* UTF-8 bytes pass through */
    }
    fputc('\'', out);
}

static const char *ctx_name(ExprContext ctx)
{
    return ctx == CTX_STORE ? "Store" : ctx == CTX_DEL ? "Del" : "Load";
}

static void dump_field(const char *label, const Node *child, FILE *out,
                       int depth)
{
    if (child == NULL)
        return;
    dump_indent(out, depth);
    fprintf(out, "%s:\n", label);
    dump_node(child, out, depth + 1);
}

static void dump_list(const char *label, NodeList list, FILE *out, int depth)
{
    if (list.count == 0)
        return;
    dump_indent(out, depth);
    fprintf(out, "%s:\n", label);
    for (int i = 0; i < list.count; i++) {
        if (list.items[i] == NULL) {
            dump_indent(out, depth + 1);
            fputs("(null)\n", out);
        } else {
            dump_node(list.items[i], out, depth + 1);
        }
    }
}

static void dump_names(const char *label, NameList names, FILE *out)
{
    fprintf(out, " %s=[", label);
    for (int i = 0; i < names.count; i++)
        fprintf(out, "%s%s", i ? ", " : "", names.items[i]);
    fputc(']', out);
}

static void dump_params(const Params *p, FILE *out, int depth)
{
    dump_indent(out, depth);
    fputs("params:", out);
    dump_names("args", p->args, out);
    if (p->vararg)
        fprintf(out, " vararg=%s", p->vararg);
    if (p->kwonly.count)
        dump_names("kwonly", p->kwonly, out);
    if (p->kwarg)
        fprintf(out, " kwarg=%s", p->kwarg);
    fputc('\n', out);
    for (int i = 0; i < p->args.count; i++)
        if (p->defaults[i]) {
            dump_indent(out, depth + 1);
            fprintf(out, "default %s:\n", p->args.items[i]);
            dump_node(p->defaults[i], out, depth + 2);
        }
    for (int i = 0; i < p->kwonly.count; i++)
        if (p->kw_defaults[i]) {
            dump_indent(out, depth + 1);
            fprintf(out, "kw_default %s:\n", p->kwonly.items[i]);
            dump_node(p->kw_defaults[i], out, depth + 2);
        }
}

/* The part of the node's header line after its kind name. */
static void dump_header_extra(const Node *n, FILE *out)
{
    switch (n->kind) {
    case NODE_NAME:
        fprintf(out, " %s %s", n->u.name.id, ctx_name(n->u.name.ctx));
        break;
    case NODE_INT:
        fprintf(out, " %" PRId64, n->u.int_value);
        break;
    case NODE_BIGINT:
        fprintf(out, " %.*s", (int)n->u.str.len, n->u.str.data);
        break;
    case NODE_FLOAT:
    case NODE_IMAG:
        fprintf(out, " %.17g", n->u.float_value);
        break;
    case NODE_STR:
    case NODE_BYTES:
        fputc(' ', out);
        if (n->kind == NODE_BYTES)
            fputc('b', out);
        dump_string(n->u.str.data, n->u.str.len, out);
        break;
    case NODE_ATTRIBUTE:
        fprintf(out, " .%s %s", n->u.attribute.attr,
                ctx_name(n->u.attribute.ctx));
        break;
    case NODE_SUBSCRIPT:
        fprintf(out, " %s", ctx_name(n->u.subscript.ctx));
        break;
    case NODE_STARRED:
        fprintf(out, " %s", ctx_name(n->u.starred.ctx));
        break;
    case NODE_TUPLE:
    case NODE_LIST:
        fprintf(out, " %s", ctx_name(n->u.seq.ctx));
        break;
    case NODE_BINOP:
        fprintf(out, " %s", ast_binop_symbol(n->u.binop.op));
        break;
    case NODE_AUG_ASSIGN:
        fprintf(out, " %s=", ast_binop_symbol(n->u.aug_assign.op));
        break;
    case NODE_UNARYOP:
        fprintf(out, " %s", ast_unaryop_symbol(n->u.unaryop.op));
        break;
    case NODE_BOOLOP:
        fprintf(out, " %s", n->u.boolop.op == BOOL_AND ? "and" : "or");
        break;
    case NODE_COMPARE:
        for (int i = 0; i < n->u.compare.comparators.count; i++)
            fprintf(out, " %s", ast_cmpop_symbol(n->u.compare.ops[i]));
        break;
    case NODE_FUNCTION_DEF:
        fprintf(out, " %s", n->u.function_def.name);
        break;
    case NODE_CLASS_DEF:
        fprintf(out, " %s", n->u.class_def.name);
        break;
    case NODE_GLOBAL:
    case NODE_NONLOCAL:
        dump_names("names", n->u.names.names, out);
        break;
    case NODE_IMPORT_FROM:
        fprintf(out, " %s level=%d",
                n->u.import_from.module ? n->u.import_from.module : "(none)",
                n->u.import_from.level);
        break;
    case NODE_ALIAS:
        fprintf(out, " %s", n->u.alias.name);
        if (n->u.alias.asname)
            fprintf(out, " as %s", n->u.alias.asname);
        break;
    case NODE_KEYWORD:
        fprintf(out, " %s", n->u.keyword.name ? n->u.keyword.name : "**");
        break;
    case NODE_EXCEPT_HANDLER:
        if (n->u.handler.name)
            fprintf(out, " as %s", n->u.handler.name);
        break;
    case NODE_FORMATTED_VALUE:
        if (n->u.formatted.conversion)
            fprintf(out, " !%c", n->u.formatted.conversion);
        break;
    default:
        break;
    }
}

/* Statement-level children. Returns 1 if the kind was handled. */
static int dump_stmt_children(const Node *n, FILE *out, int d)
{
    switch (n->kind) {
    case NODE_MODULE:
        dump_list("body", n->u.module.body, out, d);
        return 1;
    case NODE_EXPR_STMT:
        dump_node(n->u.expr_stmt.value, out, d);
        return 1;
    case NODE_ASSIGN:
        dump_list("targets", n->u.assign.targets, out, d);
        dump_field("value", n->u.assign.value, out, d);
        return 1;
    case NODE_AUG_ASSIGN:
        dump_field("target", n->u.aug_assign.target, out, d);
        dump_field("value", n->u.aug_assign.value, out, d);
        return 1;
    case NODE_IF:
    case NODE_WHILE:
        dump_field("test", n->u.if_stmt.test, out, d);
        dump_list("body", n->u.if_stmt.body, out, d);
        dump_list("orelse", n->u.if_stmt.orelse, out, d);
        return 1;
    case NODE_FOR:
        dump_field("target", n->u.for_stmt.target, out, d);
        dump_field("iter", n->u.for_stmt.iter, out, d);
        dump_list("body", n->u.for_stmt.body, out, d);
        dump_list("orelse", n->u.for_stmt.orelse, out, d);
        return 1;
    case NODE_FUNCTION_DEF:
        dump_list("decorators", n->u.function_def.decorators, out, d);
        dump_params(&n->u.function_def.params, out, d);
        dump_list("body", n->u.function_def.body, out, d);
        return 1;
    case NODE_RETURN:
        dump_field("value", n->u.return_stmt.value, out, d);
        return 1;
    case NODE_CLASS_DEF:
        dump_list("decorators", n->u.class_def.decorators, out, d);
        dump_list("bases", n->u.class_def.bases, out, d);
        dump_list("keywords", n->u.class_def.keywords, out, d);
        dump_list("body", n->u.class_def.body, out, d);
        return 1;
    case NODE_TRY:
        dump_list("body", n->u.try_stmt.body, out, d);
        dump_list("handlers", n->u.try_stmt.handlers, out, d);
        dump_list("orelse", n->u.try_stmt.orelse, out, d);
        dump_list("finalbody", n->u.try_stmt.finalbody, out, d);
        return 1;
    case NODE_RAISE:
        dump_field("exc", n->u.raise_stmt.exc, out, d);
        dump_field("cause", n->u.raise_stmt.cause, out, d);
        return 1;
    case NODE_WITH:
        dump_list("items", n->u.with_stmt.items, out, d);
        dump_list("body", n->u.with_stmt.body, out, d);
        return 1;
    case NODE_ASSERT:
        dump_field("test", n->u.assert_stmt.test, out, d);
        dump_field("msg", n->u.assert_stmt.msg, out, d);
        return 1;
    case NODE_DEL:
        dump_list("targets", n->u.del_stmt.targets, out, d);
        return 1;
    case NODE_IMPORT:
        dump_list("names", n->u.import.names, out, d);
        return 1;
    case NODE_IMPORT_FROM:
        dump_list("names", n->u.import_from.names, out, d);
        return 1;
    case NODE_EXCEPT_HANDLER:
        dump_field("type", n->u.handler.type, out, d);
        dump_list("body", n->u.handler.body, out, d);
        return 1;
    case NODE_WITH_ITEM:
        dump_field("context", n->u.with_item.context, out, d);
        dump_field("target", n->u.with_item.target, out, d);
        return 1;
    default:
        return 0;
    }
}

static void dump_expr_children(const Node *n, FILE *out, int d)
{
    switch (n->kind) {
    case NODE_ATTRIBUTE:
        dump_node(n->u.attribute.value, out, d);
        break;
    case NODE_SUBSCRIPT:
        dump_field("value", n->u.subscript.value, out, d);
        dump_field("index", n->u.subscript.index, out, d);
        break;
    case NODE_SLICE:
        dump_field("lower", n->u.slice.lower, out, d);
        dump_field("upper", n->u.slice.upper, out, d);
        dump_field("step", n->u.slice.step, out, d);
        break;
    case NODE_STARRED:
        dump_node(n->u.starred.value, out, d);
        break;
    case NODE_CALL:
        dump_field("func", n->u.call.func, out, d);
        dump_list("args", n->u.call.args, out, d);
        dump_list("keywords", n->u.call.keywords, out, d);
        break;
    case NODE_BINOP:
        dump_node(n->u.binop.left, out, d);
        dump_node(n->u.binop.right, out, d);
        break;
    case NODE_UNARYOP:
        dump_node(n->u.unaryop.operand, out, d);
        break;
    case NODE_BOOLOP:
        dump_list("values", n->u.boolop.values, out, d);
        break;
    case NODE_COMPARE:
        dump_field("left", n->u.compare.left, out, d);
        dump_list("comparators", n->u.compare.comparators, out, d);
        break;
    case NODE_IFEXP:
        dump_field("test", n->u.ifexp.test, out, d);
        dump_field("body", n->u.ifexp.body, out, d);
        dump_field("orelse", n->u.ifexp.orelse, out, d);
        break;
    case NODE_LAMBDA:
        dump_params(&n->u.lambda.params, out, d);
        dump_field("body", n->u.lambda.body, out, d);
        break;
    case NODE_TUPLE:
    case NODE_LIST:
    case NODE_SET:
        dump_list("elts", n->u.seq.elts, out, d);
        break;
    case NODE_DICT:
        dump_list("keys", n->u.dict.keys, out, d);
        dump_list("values", n->u.dict.values, out, d);
        break;
    case NODE_LIST_COMP:
    case NODE_SET_COMP:
    case NODE_DICT_COMP:
    case NODE_GENERATOR_EXP:
        dump_field("key", n->u.comp.key, out, d);
        dump_field("elt", n->u.comp.elt, out, d);
        dump_list("generators", n->u.comp.generators, out, d);
        break;
    case NODE_YIELD:
    case NODE_YIELD_FROM:
        dump_field("value", n->u.yield_expr.value, out, d);
        break;
    case NODE_JOINED_STR:
        dump_list("values", n->u.joined.values, out, d);
        break;
    case NODE_FORMATTED_VALUE:
        dump_field("value", n->u.formatted.value, out, d);
        dump_field("format_spec", n->u.formatted.format_spec, out, d);
        break;
    case NODE_KEYWORD:
        dump_node(n->u.keyword.value, out, d);
        break;
    case NODE_COMPREHENSION:
        dump_field("target", n->u.comprehension.target, out, d);
        dump_field("iter", n->u.comprehension.iter, out, d);
        dump_list("ifs", n->u.comprehension.ifs, out, d);
        break;
    default:
        break;
    }
}

static void dump_node(const Node *node, FILE *out, int depth)
{
    dump_indent(out, depth);
    fputs(ast_kind_name(node->kind), out);
    dump_header_extra(node, out);
    fprintf(out, " @%d:%d\n", node->line, node->col);
    if (!dump_stmt_children(node, out, depth + 1))
        dump_expr_children(node, out, depth + 1);
}

void ast_dump(const Node *node, FILE *out)
{
    if (node == NULL) {
        fputs("(null)\n", out);
        return;
    }
    dump_node(node, out, 0);
}
