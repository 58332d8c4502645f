/* compiler.c - code generation: AST + scopes -> code objects.
 *
 * compile_source() parses, runs the scope analysis (symtable.c), then walks
 * the tree emitting instructions into a "unit" per code object (module,
 * function, lambda, comprehension, class body). Nested units are compiled
 * to finished code objects on the spot and become constants of the outer
 * unit. The instruction shapes are the ones opcodes.h documents; the VM
 * relies on them.
 *
 * Invariants
 * - Every instruction records the source line of the node being compiled
 *   (statements set it; each expression sets its own line while it is being
 *   compiled and restores the outer one), so tracebacks point where CPython's
 *   do.
 * - Jumps are emitted with a label number as argument; assemble() replaces
 *   it with the label's instruction index once the unit is complete.
 * - The maximum stack depth is computed after the fact by following every
 *   path through the finished code (stack_depth()), not by bookkeeping during
 *   emission, so the shapes can change without breaking it.
 * - A compile-time block stack ("fblocks") mirrors the runtime handler
 *   blocks and loops, so break/continue/return know what cleanup to emit.
 * - Every function returns 0 / a value on success and -1 / NULL with an
 *   exception set on failure; units are freed on every path.
 *
 * Shapes beyond the ones opcodes.h spells out
 * - Comprehensions: PUSH_NULL; [closure] LOAD_CONST <listcomp>;
 *   MAKE_FUNCTION; <first iterable>; GET_ITER; CALL 1. The body is
 *   BUILD_LIST 0 / BUILD_SET 0 / BUILD_MAP 0; LOAD_FAST .0; FOR_ITER loops;
 *   LIST_APPEND / SET_ADD / MAP_ADD (ngenerators + 1); RETURN_VALUE.
 *   A generator expression's body yields each element instead (YIELD_VALUE;
 *   POP_TOP) and returns None; the call returns the generator.
 * - `{**m}` in a dict display: DUP_TOP; LOAD_METHOD update; <m>; CALL 1;
 *   POP_TOP (later keys win; DICT_MERGE is for calls and rejects duplicates).
 * - Displays: constant tuples are one LOAD_CONST; a list of 3+ constants is
 *   BUILD_LIST 0; LOAD_CONST (tuple); LIST_EXTEND 1; displays longer than
 *   MAX_BUILD_ITEMS continue with LIST_APPEND 1 / MAP_ADD 1 so the stack
 *   stays small; starred items use LIST_EXTEND 1 (tuples end LIST_TO_TUPLE).
 *   Set displays are the same with BUILD_SET / SET_ADD / SET_UPDATE and a
 *   constant frozenset.
 * - Calls with * or **: <func>; <argument tuple>; [<kwargs dict>]; CALL_EX
 *   (runs of keywords become BUILD_MAPs merged with DICT_MERGE 1).
 * - while: the test is at the top and the loop ends with a backward JUMP
 *   (the VM's check point); a constant-true test is not emitted.
 * - assert t, m: <t>; POP_JUMP_IF_TRUE end; PUSH_NULL; LOAD_ASSERTION_ERROR;
 *   <m>; CALL 1; RAISE_VARARGS 1 (without m: LOAD_ASSERTION_ERROR;
 *   RAISE_VARARGS 1).
 * - import a.b as c: LOAD_CONST 0; LOAD_CONST None; IMPORT_NAME a.b;
 *   IMPORT_FROM b; ROT_TWO; POP_TOP; STORE c (IMPORT_NAME pops the level
 *   and the fromlist and yields the top-level module, as in Python).
 * - Class bodies start with __module__ = __name__ and __qualname__ = '...';
 *   class and module docstrings are stored as __doc__; other constant
 *   expression statements compile to nothing.
 */
#include "interp/compiler.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/complexobject.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/set.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "interp/dis.h"
#include "interp/opcodes.h"
#include "interp/specialize.h"
#include "interp/superinstr.h"
#include "interp/symtable.h"

enum {
    MAX_FBLOCKS = 20,       /* CPython's limit on statically nested blocks */
    MAX_COMPILE_DEPTH = 1000,
    MAX_BUILD_ITEMS = 30,   /* longer displays are built incrementally */
};

/* ------------------------------------------------------------------ */
/* Data structures                                                      */
/* ------------------------------------------------------------------ */

/* An indexed set of objects: constants (compared by type and value) or
   interned names (compared by identity). Holds a reference to each. */
typedef struct {
    Object **items;
    int count, cap;
    int *index;      /* open addressing, -1 empty */
    int index_cap;   /* power of two */
    bool by_value;
} ObjTable;

typedef enum {
    FB_WHILE,        /* loop: continue -> start, break -> exit */
    FB_FOR,          /* loop with its iterator on the stack */
    FB_TRY_EXCEPT,   /* body of try/except: a SETUP_FINALLY block is active */
    FB_FINALLY_TRY,  /* body of try/finally: leaving runs the finally body */
    FB_FINALLY_END,  /* finally body on the exception path: [prev, exc] on the stack */
    FB_WITH,         /* with body: [exit] on the stack, SETUP_WITH block active */
    FB_HANDLER,      /* except handler body: [prev] on the stack */
    FB_POP_VALUE,    /* a copied finally body running above a saved return value */
} FBlockKind;

typedef struct {
    FBlockKind kind;
    int start, exit;   /* labels, loops only */
    const Node *node;  /* FINALLY_TRY: the try statement; HANDLER: the handler */
} FBlock;

typedef struct Unit {
    struct Unit *outer;
    Scope *scope;
    uint32_t *instrs;
    int *lines;
    int ninstrs, instrs_cap;
    int *labels;       /* label -> instruction index, -1 until bound */
    int nlabels, labels_cap;
    ObjTable consts, names, varnames, cells; /* cells: cellvars, then freevars */
    int ncellvars;
    FBlock fblocks[MAX_FBLOCKS];
    int nfblocks;
    int line, firstline;
    const char *name;  /* C string, arena */
    Object *qualname;  /* str */
    int argcount, kwonlyargcount, flags;
} Unit;

typedef struct {
    AstArena *arena;
    const char *src;
    size_t srclen;
    const char *filename_c;
    Object *filename;   /* str */
    bool from_file;     /* the file named filename holds src (see compile_string) */
    ParseMode mode;
    Unit *u;            /* the unit being compiled */
    ObjTable const_cache; /* every constant so far, by value: equal constants
                             (even inside tuples, even in different code
                             objects) become one object, as in CPython */
    int depth;          /* recursion guard */
} Compiler;

typedef enum { CTX_OP_LOAD, CTX_OP_STORE, CTX_OP_DELETE } NameOpKind;

static int compile_expr(Compiler *c, const Node *n);
static int compile_iterable(Compiler *c, const Node *n);
static int compile_stmt(Compiler *c, const Node *n);
static int compile_stmts(Compiler *c, const NodeList *l);
static int compile_store(Compiler *c, const Node *target);
static int compile_jump_if(Compiler *c, const Node *n, bool cond, int label);

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* Borrowed-style pointer to the start of line `lineno` (1-based) in src and
   its length without the newline; false if there is no such line. */
static bool find_line(const char *src, size_t len, int lineno, const char **start, size_t *n)
{
    if (src == NULL || lineno < 1)
        return false;
    size_t pos = 0;
    for (int l = 1; l < lineno; l++) {
        const char *nl = memchr(src + pos, '\n', len - pos);
        if (nl == NULL)
            return false;
        pos = (size_t)(nl - src) + 1;
    }
    if (pos > len)
        return false;
    const char *nl = memchr(src + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - src) : len;
    if (end > pos && src[end - 1] == '\r')
        end--;
    *start = src + pos;
    *n = end - pos;
    return true;
}

/* Set attribute name on exc to value (stolen); false on failure. */
static bool set_attr_steal(Object *exc, const char *name, Object *value)
{
    if (value == NULL)
        return false;
    Object *key = str_intern_cstr(name);
    int r = key ? object_setattr(exc, key, value) : -1;
    XDECREF(key);
    DECREF(value);
    return r == 0;
}

/* v as an int; 0 means unknown (None) unless zero_known. */
static Object *int_or_none(int v, bool zero_known)
{
    return v > 0 || (v == 0 && zero_known) ? int_from_i64(v) : NEWREF(None);
}

/* Where a SyntaxError points: 1-based line and character columns (0 when
   unknown); end_offset (exclusive) is 0 when only one caret makes sense. */
typedef struct {
    int lineno, offset, end_offset;
    const char *text; /* the source line without its newline, or NULL */
    size_t text_len;
    bool newline;     /* the line ends with a newline in the source: text keeps it */
    bool zero_known;  /* lineno and offset 0 are real (blank input), not unknown */
} SyntaxLocation;

/* Does line `text` (found in src by find_line) end with a newline there? */
static bool line_has_newline(const char *src, size_t len, const char *text, size_t text_len)
{
    return text + text_len < src + len;
}

/* Raise type(msg, (filename, lineno, offset, text)) with those attributes
   set too, as CPython's SyntaxError has them (plus end_lineno/end_offset
   when the location spans a statement, so the report can underline it). */
static void raise_syntax_error(Type *type, const char *msg, const char *filename,
                               const SyntaxLocation *loc)
{
    Object *details = NULL, *args = NULL, *exc = NULL;
    Object *o_msg = str_from_cstr(msg);
    Object *o_file = str_from_cstr(filename);
    Object *o_line = int_or_none(loc->lineno, loc->zero_known);
    Object *o_off = int_or_none(loc->offset, loc->zero_known);
    Object *o_text = NULL;
    if (loc->text != NULL) {
        o_text = str_new_raw(loc->text_len + loc->newline);
        if (o_text != NULL) {
            memcpy(((StrObject *)o_text)->data, loc->text, loc->text_len);
            if (loc->newline)
                ((StrObject *)o_text)->data[loc->text_len] = '\n';
            str_finish(o_text);
        }
    } else {
        o_text = NEWREF(None);
    }
    if (!o_msg || !o_file || !o_line || !o_off || !o_text)
        goto done;
    details = tuple_pack(4, o_file, o_line, o_off, o_text);
    args = details ? tuple_pack(2, o_msg, details) : NULL;
    exc = args ? exception_new(type, args) : NULL;
    if (exc == NULL)
        goto done;
    if (!set_attr_steal(exc, "msg", NEWREF(o_msg)) ||
        !set_attr_steal(exc, "filename", NEWREF(o_file)) ||
        !set_attr_steal(exc, "lineno", NEWREF(o_line)) ||
        !set_attr_steal(exc, "offset", NEWREF(o_off)) ||
        !set_attr_steal(exc, "text", NEWREF(o_text)))
        goto done;
    if (loc->end_offset > 0 && (!set_attr_steal(exc, "end_lineno", NEWREF(o_line)) ||
                                !set_attr_steal(exc, "end_offset",
                                                int_or_none(loc->end_offset, false))))
        goto done;
    error_set_instance(exc);
done:
    XDECREF(exc);
    XDECREF(args);
    XDECREF(details);
    XDECREF(o_msg);
    XDECREF(o_file);
    XDECREF(o_line);
    XDECREF(o_off);
    XDECREF(o_text);
    if (!error_occurred())
        error_no_memory();
}

/* 1-based character column of byte index i (0-based) in line. */
static int char_column(const char *line, size_t len, size_t i)
{
    int chars = 0;
    for (size_t k = 0; k < i && k < len; k++)
        if (((unsigned char)line[k] & 0xC0) != 0x80)
            chars++;
    return chars + 1;
}

/* Byte index just past the simple statement starting at byte `from` of a
   source line: up to a `;` or `#` outside string literals, or the end of
   the line, trailing blanks dropped. Statements continued on later lines
   are underlined to the end of their first line, as CPython shows them. */
static size_t statement_end(const char *text, size_t len, size_t from)
{
    char quote = 0;
    size_t end = from;
    for (size_t i = from; i < len; i++) {
        char ch = text[i];
        if (quote) {
            if (ch == '\\')
                i++;
            else if (ch == quote)
                quote = 0;
        } else if (ch == '\'' || ch == '"') {
            quote = ch;
        } else if (ch == '#' || ch == ';') {
            break;
        }
        if (ch != ' ' && ch != '\t')
            end = i + 1;
    }
    return end;
}

/* A SyntaxError at line/col (col: 1-based byte column). With stmt, the
   location spans the statement starting there. Returns -1. */
static int syntax_error_at(Compiler *c, int line, int col, bool stmt, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int syntax_error_at(Compiler *c, int line, int col, bool stmt, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    SyntaxLocation loc = { .lineno = line, .offset = col };
    if (col >= 1 && find_line(c->src, c->srclen, line, &loc.text, &loc.text_len)) {
        size_t start = (size_t)col - 1;
        loc.offset = char_column(loc.text, loc.text_len, start);
        if (stmt && start < loc.text_len)
            loc.end_offset = char_column(loc.text, loc.text_len,
                                         statement_end(loc.text, loc.text_len, start));
        loc.newline = line_has_newline(c->src, c->srclen, loc.text, loc.text_len);
    }
    /* CPython reads the line of an error found after parsing back from the
       file: source that is not a file's has no line to show. */
    if (!c->from_file)
        loc.text = NULL;
    raise_syntax_error(&exc_SyntaxError, msg, c->filename_c, &loc);
    return -1;
}

/* SyntaxErrors at an expression node (one caret) or a statement node
   (underlined like CPython does). */
#define SYNTAX_ERROR(c, n, ...) syntax_error_at((c), (n)->line, (n)->col, false, __VA_ARGS__)
#define STMT_ERROR(c, n, ...) syntax_error_at((c), (n)->line, (n)->col, true, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Object tables                                                        */
/* ------------------------------------------------------------------ */

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* Hash by type and value: 1, 1.0 and True must stay different constants,
   and so must 0.0 and -0.0. */
static uint64_t const_hash(Object *o)
{
    uint64_t h = hash_bytes(&o->type, sizeof o->type, 14695981039346656037ull);
    if (is_int(o)) {
        int64_t v = int_value(o);
        return hash_bytes(&v, sizeof v, h);
    }
    if (is_float(o)) {
        double v = float_value(o);
        return hash_bytes(&v, sizeof v, h);
    }
    if (is_complex(o)) {
        double v[2] = {complex_real(o), complex_imag(o)};
        return hash_bytes(v, sizeof v, h);
    }
    if (is_str(o))
        return hash_bytes(str_data(o), str_len(o), h);
    if (is_bytes(o))
        return hash_bytes(bytes_data(o), bytes_size(o), h);
    if (is_tuple(o)) {
        for (size_t i = 0; i < tuple_size(o); i++) {
            uint64_t ih = const_hash(tuple_item(o, i));
            h = hash_bytes(&ih, sizeof ih, h);
        }
        return h;
    }
    return hash_bytes(&o, sizeof o, h);
}

static bool const_equal(Object *a, Object *b)
{
    if (a == b)
        return true;
    if (a->type != b->type)
        return false;
    if (is_int(a))
        return int_equal(a, b);
    if (is_float(a)) {
        double x = float_value(a), y = float_value(b);
        return memcmp(&x, &y, sizeof x) == 0;
    }
    if (is_complex(a)) { /* bitwise, so 0j and -0j stay apart */
        double x[2] = {complex_real(a), complex_imag(a)};
        double y[2] = {complex_real(b), complex_imag(b)};
        return memcmp(x, y, sizeof x) == 0;
    }
    if (is_str(a))
        return str_len(a) == str_len(b) && memcmp(str_data(a), str_data(b), str_len(a)) == 0;
    if (is_bytes(a))
        return bytes_size(a) == bytes_size(b) &&
               memcmp(bytes_data(a), bytes_data(b), bytes_size(a)) == 0;
    if (is_tuple(a)) {
        if (tuple_size(a) != tuple_size(b))
            return false;
        for (size_t i = 0; i < tuple_size(a); i++)
            if (!const_equal(tuple_item(a, i), tuple_item(b, i)))
                return false;
        return true;
    }
    return false;
}

static uint64_t table_hash(const ObjTable *t, Object *o)
{
    if (t->by_value)
        return const_hash(o);
    uintptr_t p = (uintptr_t)o;
    return (uint64_t)(p >> 4) * 11400714819323198485ull;
}

static bool table_equal(const ObjTable *t, Object *a, Object *b)
{
    return t->by_value ? const_equal(a, b) : a == b;
}

static int table_find(const ObjTable *t, Object *o)
{
    if (t->index_cap == 0)
        return -1;
    size_t mask = (size_t)t->index_cap - 1;
    for (size_t i = table_hash(t, o) & mask;; i = (i + 1) & mask) {
        int idx = t->index[i];
        if (idx < 0 || table_equal(t, t->items[idx], o))
            return idx;
    }
}

static int table_reindex(ObjTable *t)
{
    int cap = t->index_cap ? t->index_cap * 2 : 16;
    int *index = mem_alloc((size_t)cap * sizeof(int));
    if (index == NULL) {
        error_no_memory();
        return -1;
    }
    for (int i = 0; i < cap; i++)
        index[i] = -1;
    size_t mask = (size_t)cap - 1;
    for (int k = 0; k < t->count; k++) {
        size_t i = table_hash(t, t->items[k]) & mask;
        while (index[i] >= 0)
            i = (i + 1) & mask;
        index[i] = k;
    }
    if (t->index)
        mem_free(t->index, (size_t)t->index_cap * sizeof(int));
    t->index = index;
    t->index_cap = cap;
    return 0;
}

/* Index of o (borrowed) in t, adding it if absent; -1 on error. */
static int table_add(ObjTable *t, Object *o)
{
    int idx = table_find(t, o);
    if (idx >= 0)
        return idx;
    if (t->count >= (int)INSTR_ARG_MAX) {
        error_set(&exc_SyntaxError, "too many constants or names in one code object");
        return -1;
    }
    if ((t->count + 1) * 2 > t->index_cap && table_reindex(t) < 0)
        return -1;
    if (t->count == t->cap) {
        int cap = t->cap ? t->cap * 2 : 8;
        Object **items = mem_realloc(t->items, (size_t)t->cap * sizeof(Object *),
                                     (size_t)cap * sizeof(Object *));
        if (items == NULL) {
            error_no_memory();
            return -1;
        }
        t->items = items;
        t->cap = cap;
    }
    size_t mask = (size_t)t->index_cap - 1;
    size_t i = table_hash(t, o) & mask;
    while (t->index[i] >= 0)
        i = (i + 1) & mask;
    t->index[i] = t->count;
    t->items[t->count] = NEWREF(o);
    return t->count++;
}

static void table_free(ObjTable *t)
{
    for (int i = 0; i < t->count; i++)
        DECREF(t->items[i]);
    if (t->items)
        mem_free(t->items, (size_t)t->cap * sizeof(Object *));
    if (t->index)
        mem_free(t->index, (size_t)t->index_cap * sizeof(int));
    memset(t, 0, sizeof *t);
}

/* A new tuple of items [from, to) of t. (An empty table has no items
   array: NULL + 0 is undefined, so it is not computed.) */
static Object *table_tuple(const ObjTable *t, int from, int to)
{
    return tuple_from_array(to > from ? t->items + from : NULL, (size_t)(to - from));
}

/* An interned str for an identifier; new reference or NULL. */
static Object *intern(const char *s)
{
    return str_intern_cstr(s);
}

/* Index of the interned name s in table t (added if absent); -1 on error. */
static int name_index(ObjTable *t, const char *s)
{
    Object *o = intern(s);
    if (o == NULL)
        return -1;
    int idx = table_add(t, o);
    DECREF(o);
    return idx;
}

/* The shared object equal to constant o (borrowed; the cache holds it). */
static Object *canonical_const(Compiler *c, Object *o)
{
    int idx = table_add(&c->const_cache, o);
    return idx < 0 ? NULL : c->const_cache.items[idx];
}

/* Index of a constant (borrowed) in the current unit; -1 on error. Code
   objects are never equal to anything else and skip the cache. */
static int const_index(Compiler *c, Object *o)
{
    if (o->type != &code_type && (o = canonical_const(c, o)) == NULL)
        return -1;
    return table_add(&c->u->consts, o);
}

/* ------------------------------------------------------------------ */
/* Units                                                                */
/* ------------------------------------------------------------------ */

static void unit_free(Unit *u)
{
    if (u->instrs) {
        mem_free(u->instrs, (size_t)u->instrs_cap * sizeof(uint32_t));
        mem_free(u->lines, (size_t)u->instrs_cap * sizeof(int));
    }
    if (u->labels)
        mem_free(u->labels, (size_t)u->labels_cap * sizeof(int));
    table_free(&u->consts);
    table_free(&u->names);
    table_free(&u->varnames);
    table_free(&u->cells);
    XDECREF(u->qualname);
    mem_free(u, sizeof(Unit));
}

static void unit_pop(Compiler *c)
{
    Unit *u = c->u;
    c->u = u->outer;
    unit_free(u);
}

/* Start compiling a new code object for scope; it becomes c->u. qualname is
   stolen. On failure nothing stays pushed. */
static int unit_push(Compiler *c, Scope *scope, const char *name, Object *qualname, int firstline)
{
    if (qualname == NULL)
        return -1;
    Unit *u = mem_alloc(sizeof(Unit));
    if (u == NULL) {
        DECREF(qualname);
        error_no_memory();
        return -1;
    }
    memset(u, 0, sizeof *u);
    u->consts.by_value = true;
    u->outer = c->u;
    u->scope = scope;
    u->name = name;
    u->qualname = qualname;
    u->line = u->firstline = firstline;
    if (scope->kind == SCOPE_FUNCTION)
        u->flags |= CODE_FUNCTION;
    c->u = u;
    for (int i = 0; i < scope->params.count; i++)
        if (name_index(&u->varnames, scope->params.items[i]) < 0)
            goto fail;
    for (int i = 0; i < scope->cellvars.count; i++)
        if (name_index(&u->cells, scope->cellvars.items[i]) < 0)
            goto fail;
    u->ncellvars = u->cells.count;
    for (int i = 0; i < scope->freevars.count; i++)
        if (name_index(&u->cells, scope->freevars.items[i]) < 0)
            goto fail;
    return 0;
fail:
    unit_pop(c);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Emitting instructions                                                */
/* ------------------------------------------------------------------ */

/* Grow the instruction and line arrays together (they share instrs_cap). */
static int grow_code(Unit *u)
{
    int cap = u->instrs_cap ? u->instrs_cap * 2 : 64;
    uint32_t *instrs = mem_alloc((size_t)cap * sizeof(uint32_t));
    int *lines = mem_alloc((size_t)cap * sizeof(int));
    if (instrs == NULL || lines == NULL) {
        if (instrs)
            mem_free(instrs, (size_t)cap * sizeof(uint32_t));
        if (lines)
            mem_free(lines, (size_t)cap * sizeof(int));
        error_no_memory();
        return -1;
    }
    if (u->instrs) {
        memcpy(instrs, u->instrs, (size_t)u->ninstrs * sizeof(uint32_t));
        memcpy(lines, u->lines, (size_t)u->ninstrs * sizeof(int));
        mem_free(u->instrs, (size_t)u->instrs_cap * sizeof(uint32_t));
        mem_free(u->lines, (size_t)u->instrs_cap * sizeof(int));
    }
    u->instrs = instrs;
    u->lines = lines;
    u->instrs_cap = cap;
    return 0;
}

static int emit(Compiler *c, Opcode op, uint32_t arg)
{
    Unit *u = c->u;
    if (arg > INSTR_ARG_MAX || u->ninstrs >= (int)INSTR_ARG_MAX) {
        error_set(&exc_SyntaxError, "code object too large");
        return -1;
    }
    if (u->ninstrs == u->instrs_cap && grow_code(u) < 0)
        return -1;
    u->instrs[u->ninstrs] = INSTR(op, arg);
    u->lines[u->ninstrs] = u->line;
    u->ninstrs++;
    /* The instruction's inline cache (opcodes.h), on the same line. */
    for (int i = 0; i < opcode_cache_size(op); i++)
        if (emit(c, OP_CACHE, i == 0 ? SPEC_WARMUP : 0) < 0)
            return -1;
    return 0;
}

#define EMIT(c, op, arg)                           \
    do {                                           \
        if (emit((c), OP_##op, (uint32_t)(arg)) < 0) \
            return -1;                             \
    } while (0)

/* EMIT with an opcode chosen at run time. */
#define EMIT_OP(c, op, arg)                        \
    do {                                           \
        if (emit((c), (op), (uint32_t)(arg)) < 0)  \
            return -1;                             \
    } while (0)

#define CHECK(x)           \
    do {                   \
        if ((x) < 0)       \
            return -1;     \
    } while (0)

static int new_label(Compiler *c)
{
    Unit *u = c->u;
    if (u->nlabels == u->labels_cap) {
        int cap = u->labels_cap ? u->labels_cap * 2 : 32;
        int *labels = mem_realloc(u->labels, (size_t)u->labels_cap * sizeof(int),
                                  (size_t)cap * sizeof(int));
        if (labels == NULL) {
            error_no_memory();
            return -1;
        }
        u->labels = labels;
        u->labels_cap = cap;
    }
    u->labels[u->nlabels] = -1;
    return u->nlabels++;
}

static void bind_label(Compiler *c, int label)
{
    c->u->labels[label] = c->u->ninstrs;
}

/* Declares `int name = new_label(c)` and bails out on failure. */
#define NEW_LABEL(c, name)     \
    int name = new_label(c);   \
    if (name < 0)              \
        return -1

static int emit_const(Compiler *c, Object *o /* borrowed */)
{
    int idx = const_index(c, o);
    CHECK(idx);
    EMIT(c, LOAD_CONST, idx);
    return 0;
}

/* LOAD_CONST of a fresh object (stolen). */
static int emit_const_steal(Compiler *c, Object *o)
{
    if (o == NULL)
        return -1;
    int r = emit_const(c, o);
    DECREF(o);
    return r;
}

static int emit_none(Compiler *c)
{
    return emit_const(c, None);
}

/* True when the next instruction cannot be reached by falling through and
   no label points at it: an implicit `return None` there would be dead. */
static bool at_dead_end(Compiler *c)
{
    Unit *u = c->u;
    if (u->ninstrs == 0)
        return false;
    Opcode last = INSTR_OP(u->instrs[u->ninstrs - 1]);
    if (last != OP_RETURN_VALUE && last != OP_RERAISE && last != OP_RAISE_VARARGS &&
        last != OP_JUMP)
        return false;
    for (int i = 0; i < u->nlabels; i++)
        if (u->labels[i] == u->ninstrs)
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

static const char *mangle(Compiler *c, const char *name)
{
    const char *m = symtable_mangle(c->arena, c->u->scope->private_name, name);
    if (m == NULL)
        error_no_memory();
    return m;
}

static int emit_name_index_op(Compiler *c, Opcode op, ObjTable *t, const char *name)
{
    int idx = name_index(t, name);
    CHECK(idx);
    return emit(c, op, (uint32_t)idx);
}

/* Load, store or delete the variable `id` in the current scope. */
static int compile_name_op(Compiler *c, const char *id, NameOpKind kind)
{
    static const Opcode fast[] = { OP_LOAD_FAST, OP_STORE_FAST, OP_DELETE_FAST };
    static const Opcode deref[] = { OP_LOAD_DEREF, OP_STORE_DEREF, OP_DELETE_DEREF };
    static const Opcode global[] = { OP_LOAD_GLOBAL, OP_STORE_GLOBAL, OP_DELETE_GLOBAL };
    static const Opcode name[] = { OP_LOAD_NAME, OP_STORE_NAME, OP_DELETE_NAME };
    Unit *u = c->u;
    const char *m = mangle(c, id);
    if (m == NULL)
        return -1;
    NameScope sc = symtable_resolve(u->scope, m);
    if (sc == NAME_CELL || sc == NAME_FREE)
        return emit_name_index_op(c, deref[kind], &u->cells, m);
    if (sc == NAME_CLASS_CELL) /* only ever read: a store would make it local */
        return emit(c, OP_LOAD_CLASS_CELL, 0);
    switch (u->scope->kind) {
    case SCOPE_FUNCTION:
        if (sc == NAME_LOCAL)
            return emit_name_index_op(c, fast[kind], &u->varnames, m);
        return emit_name_index_op(c, global[kind], &u->names, m);
    case SCOPE_CLASS:
        if (sc == NAME_GLOBAL_EXPLICIT)
            return emit_name_index_op(c, global[kind], &u->names, m);
        return emit_name_index_op(c, name[kind], &u->names, m);
    default:
        return emit_name_index_op(c, name[kind], &u->names, m);
    }
}

/* LOAD_ATTR-style ops on an attribute name (mangled inside classes). */
static int emit_attr_op(Compiler *c, Opcode op, const char *attr)
{
    const char *m = mangle(c, attr);
    if (m == NULL)
        return -1;
    return emit_name_index_op(c, op, &c->u->names, m);
}

/* ------------------------------------------------------------------ */
/* Constants                                                            */
/* ------------------------------------------------------------------ */

static bool is_identifier_like(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9')))
            return false;
    }
    return true;
}

/* A str constant; identifier-like ones are interned (as CPython does) so
   that dict lookups with them match keys by pointer. */
static Object *make_str_const(const char *s, size_t n)
{
    Object *o = str_from_utf8(s, n);
    if (o == NULL || !is_identifier_like(s, n))
        return o;
    Object *in = str_intern(o);
    DECREF(o);
    return in;
}

/* A decimal literal over sys.get_int_max_str_digits() digits is a
   SyntaxError at compile time, as in CPython (int('...') of the same text
   is a ValueError). Returns true after raising it. */
static bool decimal_literal_too_long(Compiler *c, const Node *n)
{
    const char *s = n->u.str.data;
    size_t len = n->u.str.len, digits = 0;
    if (int_max_str_digits <= 0 || (len > 1 && s[0] == '0'))
        return false; /* no limit, or 0x/0o/0b: not decimal */
    for (size_t i = 0; i < len; i++)
        digits += s[i] != '_';
    if (digits <= (size_t)int_max_str_digits)
        return false;
    syntax_error_at(c, n->line, n->col, false,
                    "Exceeds the limit (%lld digits) for integer string conversion: value has "
                    "%zu digits; use sys.set_int_max_str_digits() to increase the limit - "
                    "Consider hexadecimal for huge integer literals to avoid decimal "
                    "conversion limits.",
                    (long long)int_max_str_digits, digits);
    return true;
}

/* If n is a constant expression, *out gets a new reference to its value and
   1 is returned; 0 if it is not; -1 on error. Folds unary minus/plus/invert
   on numbers and tuples of constants (nothing that could raise). */
static int try_const(Compiler *c, const Node *n, Object **out)
{
    *out = NULL;
    switch (n->kind) {
    case NODE_INT:
        *out = int_from_i64(n->u.int_value);
        break;
    case NODE_BIGINT: /* base 0: the prefix and underscores as written */
        if (decimal_literal_too_long(c, n))
            return -1;
        *out = int_from_string(n->u.str.data, n->u.str.len, 0);
        break;
    case NODE_FLOAT:
        *out = float_from_double(n->u.float_value);
        break;
    case NODE_IMAG:
        *out = complex_from_doubles(0.0, n->u.float_value);
        break;
    case NODE_STR:
        *out = make_str_const(n->u.str.data, n->u.str.len);
        break;
    case NODE_BYTES:
        *out = bytes_from_data(n->u.str.data, n->u.str.len);
        break;
    case NODE_TRUE:
        *out = NEWREF(True_);
        break;
    case NODE_FALSE:
        *out = NEWREF(False_);
        break;
    case NODE_NONE:
        *out = NEWREF(None);
        break;
    case NODE_ELLIPSIS:
        *out = NEWREF(Ellipsis);
        break;
    case NODE_UNARYOP: {
        const Node *operand = n->u.unaryop.operand;
        UnaryOp op = n->u.unaryop.op;
        if (operand->kind == NODE_INT) {
            int64_t v = operand->u.int_value;
            if (op == UNARY_POS)
                *out = int_from_i64(v);
            else if (op == UNARY_INVERT)
                *out = int_from_i64(~v);
            else if (op == UNARY_NEG && v != INT64_MIN)
                *out = int_from_i64(-v);
            else
                return 0;
        } else if (operand->kind == NODE_FLOAT && op != UNARY_INVERT && op != UNARY_NOT) {
            double v = operand->u.float_value;
            *out = float_from_double(op == UNARY_NEG ? -v : v);
        } else if (operand->kind == NODE_IMAG && op != UNARY_INVERT && op != UNARY_NOT) {
            double v = operand->u.float_value; /* -(0+vj) is (-0.0, -v) */
            *out = op == UNARY_NEG ? complex_from_doubles(-0.0, -v) : complex_from_doubles(0.0, v);
        } else {
            return 0;
        }
        break;
    }
    case NODE_TUPLE: {
        const NodeList *elts = &n->u.seq.elts;
        for (int i = 0; i < elts->count; i++)
            if (elts->items[i]->kind == NODE_STARRED)
                return 0;
        Object *t = tuple_new((size_t)elts->count);
        if (t == NULL)
            return -1;
        for (int i = 0; i < elts->count; i++) {
            Object *item;
            int r = try_const(c, elts->items[i], &item);
            if (r <= 0) {
                /* fill the rest so the partial tuple can be released */
                for (int k = i; k < elts->count; k++)
                    tuple_set_steal(t, (size_t)k, NEWREF(None));
                DECREF(t);
                return r;
            }
            Object *shared = canonical_const(c, item);
            DECREF(item);
            if (shared == NULL) {
                for (int k = i; k < elts->count; k++)
                    tuple_set_steal(t, (size_t)k, NEWREF(None));
                DECREF(t);
                return -1;
            }
            tuple_set_steal(t, (size_t)i, NEWREF(shared));
        }
        *out = t;
        return 1;
    }
    default:
        return 0;
    }
    return *out != NULL ? 1 : -1;
}

static bool is_const_node(const Node *n)
{
    switch (n->kind) {
    case NODE_INT: case NODE_BIGINT: case NODE_FLOAT: case NODE_IMAG: case NODE_STR: case NODE_BYTES:
    case NODE_TRUE: case NODE_FALSE: case NODE_NONE: case NODE_ELLIPSIS:
        return true;
    default:
        return false;
    }
}

/* ------------------------------------------------------------------ */
/* Block stack (break / continue / return)                              */
/* ------------------------------------------------------------------ */

static int push_fblock(Compiler *c, FBlockKind kind, int start, int exit, const Node *node,
                       const Node *at)
{
    Unit *u = c->u;
    if (u->nfblocks >= MAX_FBLOCKS)
        return STMT_ERROR(c, at, "too many statically nested blocks");
    u->fblocks[u->nfblocks++] = (FBlock){ kind, start, exit, node };
    return 0;
}

static void pop_fblock(Compiler *c)
{
    c->u->nfblocks--;
}

/* Emit the cleanup for leaving block fb. preserve_tos: a value (the return
   value) sits on top of the stack and must stay there. */
static int unwind_fblock(Compiler *c, const FBlock *fb, bool preserve_tos)
{
    switch (fb->kind) {
    case FB_WHILE:
        return 0;
    case FB_FOR:
    case FB_POP_VALUE:
        if (preserve_tos)
            EMIT(c, ROT_TWO, 0);
        EMIT(c, POP_TOP, 0);
        return 0;
    case FB_TRY_EXCEPT:
        EMIT(c, POP_BLOCK, 0);
        return 0;
    case FB_FINALLY_TRY: {
        EMIT(c, POP_BLOCK, 0);
        int line = c->u->line;
        if (preserve_tos)
            CHECK(push_fblock(c, FB_POP_VALUE, -1, -1, NULL, fb->node));
        CHECK(compile_stmts(c, &fb->node->u.try_stmt.finalbody));
        if (preserve_tos)
            pop_fblock(c);
        c->u->line = line;
        return 0;
    }
    case FB_FINALLY_END:
        /* [prev, exc]: drop exc, then restore the handled exception */
        if (preserve_tos)
            EMIT(c, ROT_TWO, 0);
        EMIT(c, POP_TOP, 0);
        if (preserve_tos)
            EMIT(c, ROT_TWO, 0);
        EMIT(c, POP_EXCEPT, 0);
        return 0;
    case FB_WITH:
        EMIT(c, POP_BLOCK, 0);
        if (preserve_tos)
            EMIT(c, ROT_TWO, 0);
        CHECK(emit_none(c));
        CHECK(emit_none(c));
        CHECK(emit_none(c));
        EMIT(c, CALL_EXIT, 0);
        return 0;
    case FB_HANDLER: {
        if (preserve_tos)
            EMIT(c, ROT_TWO, 0);
        EMIT(c, POP_EXCEPT, 0);
        const char *name = fb->node->u.handler.name;
        if (name != NULL) {
            CHECK(emit_none(c));
            CHECK(compile_name_op(c, name, CTX_OP_STORE));
            CHECK(compile_name_op(c, name, CTX_OP_DELETE));
        }
        return 0;
    }
    }
    return 0;
}

/* Unwind the blocks from the innermost outward. With loop != NULL, stop at
   the innermost loop and return it there (NULL if there is none); else
   unwind everything (return). Each block is popped while its cleanup is
   compiled, so a break inside a copied finally body sees only the blocks
   outside it. */
static int unwind_fblocks(Compiler *c, bool preserve_tos, FBlock *loop, bool *found)
{
    Unit *u = c->u;
    if (u->nfblocks == 0)
        return 0;
    FBlock top = u->fblocks[u->nfblocks - 1];
    if (loop != NULL && (top.kind == FB_WHILE || top.kind == FB_FOR)) {
        *loop = top;
        *found = true;
        return 0;
    }
    u->nfblocks--;
    int r = unwind_fblock(c, &top, preserve_tos);
    if (r == 0)
        r = unwind_fblocks(c, preserve_tos, loop, found);
    u->fblocks[u->nfblocks++] = top;
    return r;
}

/* ------------------------------------------------------------------ */
/* Qualified names and functions                                        */
/* ------------------------------------------------------------------ */

/* The __qualname__ of a new scope called name inside the current unit, as
   CPython computes it: "f", "A.f", "f.<locals>.g", "<listcomp>.<lambda>". */
static Object *make_qualname(Compiler *c, const char *name, bool nested_def)
{
    Unit *outer = c->u;
    if (outer->scope->kind == SCOPE_MODULE)
        return str_from_cstr(name);
    if (nested_def) {
        const char *m = mangle(c, name);
        if (m == NULL)
            return NULL;
        if (symtable_resolve(outer->scope, m) == NAME_GLOBAL_EXPLICIT)
            return str_from_cstr(name);
    }
    bool locals = outer->scope->kind == SCOPE_FUNCTION && !outer->scope->is_comprehension;
    return str_from_format("%s%s.%s", str_data(outer->qualname), locals ? ".<locals>" : "", name);
}

static CodeObject *assemble(Compiler *c);

/* The start of a function body. A generator's first instructions are
   RETURN_GENERATOR (the call returns the generator; the body runs from the
   next instruction on the first resumption) and POP_TOP (the value that
   first next()/send(None) delivers). Then captured parameters are copied
   into their cells: LOAD_FAST p; STORE_DEREF c. */
static int emit_param_cells(Compiler *c)
{
    Unit *u = c->u;
    if (u->scope->is_generator) {
        u->flags |= CODE_GENERATOR;
        EMIT(c, RETURN_GENERATOR, 0);
        EMIT(c, POP_TOP, 0);
    }
    for (int i = 0; i < u->scope->params.count; i++) {
        const char *p = u->scope->params.items[i];
        if (symtable_resolve(u->scope, p) != NAME_CELL)
            continue;
        CHECK(emit_name_index_op(c, OP_LOAD_FAST, &u->varnames, p));
        CHECK(emit_name_index_op(c, OP_STORE_DEREF, &u->cells, p));
    }
    return 0;
}

/* Push the closure tuple for code (LOAD_CLOSURE each of its free variables;
   BUILD_TUPLE); returns 1 if it pushed one, 0 if code has no free
   variables, -1 on error. */
static int emit_closure(Compiler *c, CodeObject *code)
{
    size_t n = tuple_size(code->freevars);
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        Object *name = tuple_item(code->freevars, i);
        int idx = table_find(&c->u->cells, name);
        if (idx < 0) {
            error_set(&exc_SyntaxError, "internal compiler error: no cell for '%s'",
                      str_data(name));
            return -1;
        }
        EMIT(c, LOAD_CLOSURE, idx);
    }
    EMIT(c, BUILD_TUPLE, n);
    return 1;
}

/* [closure] LOAD_CONST code; MAKE_FUNCTION flags. Steals code. */
static int emit_make_function(Compiler *c, CodeObject *code, int flags)
{
    if (code == NULL)
        return -1;
    int r = emit_closure(c, code);
    if (r > 0)
        flags |= 8;
    if (r >= 0)
        r = emit_const(c, (Object *)code);
    DECREF(code);
    CHECK(r);
    EMIT(c, MAKE_FUNCTION, flags);
    return 0;
}

/* Positional defaults (a tuple) and keyword-only defaults (a dict), as
   MAKE_FUNCTION expects them; returns the flags, or -1. */
static int compile_defaults(Compiler *c, const Params *p)
{
    int flags = 0, ndefaults = 0;
    bool all_const = true;
    for (int i = 0; i < p->args.count; i++) {
        if (p->defaults[i] == NULL)
            continue;
        ndefaults++;
        Object *v;
        int r = try_const(c, p->defaults[i], &v);
        CHECK(r);
        XDECREF(v);
        all_const = all_const && r == 1;
    }
    if (ndefaults > 0) {
        if (all_const) {
            Object *t = tuple_new((size_t)ndefaults);
            if (t == NULL)
                return -1;
            int k = 0;
            for (int i = 0; i < p->args.count; i++) {
                if (p->defaults[i] == NULL)
                    continue;
                Object *v;
                if (try_const(c, p->defaults[i], &v) <= 0) {
                    for (; k < ndefaults; k++)
                        tuple_set_steal(t, (size_t)k, NEWREF(None));
                    DECREF(t);
                    return -1;
                }
                tuple_set_steal(t, (size_t)k++, v);
            }
            CHECK(emit_const_steal(c, t));
        } else {
            for (int i = 0; i < p->args.count; i++)
                if (p->defaults[i] != NULL)
                    CHECK(compile_expr(c, p->defaults[i]));
            EMIT(c, BUILD_TUPLE, ndefaults);
        }
        flags |= 1;
    }
    int nkw = 0;
    for (int i = 0; i < p->kwonly.count; i++) {
        if (p->kw_defaults[i] == NULL)
            continue;
        const char *m = mangle(c, p->kwonly.items[i]);
        if (m == NULL)
            return -1;
        CHECK(emit_const_steal(c, intern(m)));
        CHECK(compile_expr(c, p->kw_defaults[i]));
        nkw++;
    }
    if (nkw > 0) {
        EMIT(c, BUILD_MAP, nkw);
        flags |= 2;
    }
    return flags;
}

static int params_flags(const Params *p)
{
    return (p->vararg ? CODE_VARARGS : 0) | (p->kwarg ? CODE_VARKEYWORDS : 0);
}

/* Find the scope the symbol table made for node, or fail loudly. */
static Scope *child_scope(Compiler *c, const Node *n)
{
    Scope *s = symtable_child(c->u->scope, n);
    if (s == NULL)
        error_set(&exc_SyntaxError, "internal compiler error: no scope for line %d", n->line);
    return s;
}

/* Compile a function body (a def or a lambda) into a code object. */
/* A function body starting with a string literal: the string becomes the
   first constant and the code is flagged CODE_DOCSTRING, which is where the
   function's __doc__ comes from (as CPython's co_consts[0]). */
static int add_function_docstring(Compiler *c, const NodeList *body)
{
    if (body->count == 0 || body->items[0]->kind != NODE_EXPR_STMT)
        return 0;
    const Node *value = body->items[0]->u.expr_stmt.value;
    if (value->kind != NODE_STR)
        return 0;
    Object *doc = str_from_utf8(value->u.str.data, value->u.str.len);
    int r = doc != NULL ? const_index(c, doc) : -1;
    XDECREF(doc);
    if (r < 0)
        return -1;
    assert(r == 0); /* the first constant of a new unit */
    c->u->flags |= CODE_DOCSTRING;
    return 0;
}

static CodeObject *compile_function_code(Compiler *c, const Node *n, const char *name,
                                         const Params *p)
{
    Scope *scope = child_scope(c, n);
    if (scope == NULL)
        return NULL;
    if (unit_push(c, scope, name, make_qualname(c, name, n->kind == NODE_FUNCTION_DEF),
                  n->line) < 0)
        return NULL;
    Unit *u = c->u;
    u->argcount = p->args.count;
    u->kwonlyargcount = p->kwonly.count;
    u->flags |= params_flags(p);
    int r = n->kind == NODE_FUNCTION_DEF ? add_function_docstring(c, &n->u.function_def.body) : 0;
    if (r == 0)
        r = emit_param_cells(c);
    if (r == 0 && n->kind == NODE_LAMBDA) {
        r = compile_expr(c, n->u.lambda.body);
        if (r == 0)
            r = emit(c, OP_RETURN_VALUE, 0);
    } else if (r == 0) {
        r = compile_stmts(c, &n->u.function_def.body);
        if (r == 0 && !at_dead_end(c)) {
            r = emit_none(c);
            if (r == 0)
                r = emit(c, OP_RETURN_VALUE, 0);
        }
    }
    CodeObject *co = r == 0 ? assemble(c) : NULL;
    unit_pop(c);
    return co;
}

/* Decorators are evaluated first, top to bottom, each as a callable in the
   CALL shape [NULL, decorator]; apply_decorators then calls them on the
   function or class, bottom-up, each call on its decorator's line (as in
   CPython's tracebacks). */
static int compile_decorators(Compiler *c, const NodeList *decorators)
{
    for (int i = 0; i < decorators->count; i++) {
        EMIT(c, PUSH_NULL, 0);
        CHECK(compile_expr(c, decorators->items[i]));
    }
    return 0;
}

static int apply_decorators(Compiler *c, const NodeList *decorators, int def_line)
{
    for (int i = decorators->count - 1; i >= 0; i--) {
        c->u->line = decorators->items[i]->line;
        EMIT(c, CALL, 1);
    }
    c->u->line = def_line;
    return 0;
}

static int compile_function_def(Compiler *c, const Node *n)
{
    const Params *p = &n->u.function_def.params;
    CHECK(compile_decorators(c, &n->u.function_def.decorators));
    int flags = compile_defaults(c, p);
    CHECK(flags);
    CHECK(emit_make_function(c, compile_function_code(c, n, n->u.function_def.name, p), flags));
    c->u->line = n->line;
    CHECK(apply_decorators(c, &n->u.function_def.decorators, n->line));
    return compile_name_op(c, n->u.function_def.name, CTX_OP_STORE);
}

static int compile_lambda(Compiler *c, const Node *n)
{
    const Params *p = &n->u.lambda.params;
    int flags = compile_defaults(c, p);
    CHECK(flags);
    return emit_make_function(c, compile_function_code(c, n, "<lambda>", p), flags);
}

/* ------------------------------------------------------------------ */
/* Calls                                                                */
/* ------------------------------------------------------------------ */

static bool has_starred(const NodeList *args, const NodeList *keywords)
{
    for (int i = 0; i < args->count; i++)
        if (args->items[i]->kind == NODE_STARRED)
            return true;
    for (int i = 0; i < keywords->count; i++)
        if (keywords->items[i]->u.keyword.name == NULL)
            return true;
    return false;
}

/* Arguments in the plain CALL shape: positionals, keyword values, then
   KW_NAMES with a constant tuple of the (interned) keyword names. Returns
   the argument count for CALL, or -1. */
static int compile_plain_args(Compiler *c, const NodeList *args, const NodeList *keywords)
{
    for (int i = 0; i < args->count; i++)
        CHECK(compile_expr(c, args->items[i]));
    for (int i = 0; i < keywords->count; i++)
        CHECK(compile_expr(c, keywords->items[i]->u.keyword.value));
    if (keywords->count > 0) {
        Object *names = tuple_new((size_t)keywords->count);
        if (names == NULL)
            return -1;
        for (int i = 0; i < keywords->count; i++) {
            Object *s = intern(keywords->items[i]->u.keyword.name);
            tuple_set_steal(names, (size_t)i, s ? s : NEWREF(None));
            if (s == NULL) {
                DECREF(names);
                return -1;
            }
        }
        int idx = const_index(c, names);
        DECREF(names);
        CHECK(idx);
        EMIT(c, KW_NAMES, idx);
    }
    return args->count + keywords->count;
}

/* Arguments in the CALL_EX shape: an argument tuple and, when there are
   keywords, a dict. npushed positional values are already on the stack
   (above the callable) and go first. Returns CALL_EX's argument, or -1. */
static int compile_ex_args(Compiler *c, int npushed, const NodeList *args,
                           const NodeList *keywords)
{
    int lead = 0;
    while (lead < args->count && args->items[lead]->kind != NODE_STARRED)
        lead++;
    for (int i = 0; i < lead; i++)
        CHECK(compile_expr(c, args->items[i]));
    if (lead == args->count) {
        EMIT(c, BUILD_TUPLE, npushed + lead);
    } else {
        EMIT(c, BUILD_LIST, npushed + lead);
        for (int i = lead; i < args->count; i++) {
            const Node *a = args->items[i];
            if (a->kind == NODE_STARRED) {
                CHECK(compile_expr(c, a->u.starred.value));
                EMIT(c, LIST_EXTEND, 1);
            } else {
                CHECK(compile_expr(c, a));
                EMIT(c, LIST_APPEND, 1);
            }
        }
        EMIT(c, LIST_TO_TUPLE, 0);
    }
    if (keywords->count == 0)
        return 0;
    /* Runs of named keywords become BUILD_MAPs; every map after the first
       and every **m is merged with DICT_MERGE, which rejects duplicates. */
    bool have_dict = false;
    for (int i = 0; i < keywords->count;) {
        const Node *k = keywords->items[i];
        if (k->u.keyword.name == NULL) {
            if (!have_dict)
                EMIT(c, BUILD_MAP, 0);
            CHECK(compile_expr(c, k->u.keyword.value));
            EMIT(c, DICT_MERGE, 1);
            have_dict = true;
            i++;
            continue;
        }
        int run = 0;
        for (; i < keywords->count && keywords->items[i]->u.keyword.name != NULL; i++, run++) {
            CHECK(emit_const_steal(c, intern(keywords->items[i]->u.keyword.name)));
            CHECK(compile_expr(c, keywords->items[i]->u.keyword.value));
        }
        EMIT(c, BUILD_MAP, run);
        if (have_dict)
            EMIT(c, DICT_MERGE, 1);
        have_dict = true;
    }
    return 1;
}

static int compile_call(Compiler *c, const Node *n)
{
    const Node *func = n->u.call.func;
    const NodeList *args = &n->u.call.args, *keywords = &n->u.call.keywords;
    /* Repeated keyword names were rejected by the parser (parser.c: add_keyword). */
    if (has_starred(args, keywords)) {
        CHECK(compile_expr(c, func));
        int flag = compile_ex_args(c, 0, args, keywords);
        CHECK(flag);
        EMIT(c, CALL_EX, flag);
        return 0;
    }
    if (func->kind == NODE_ATTRIBUTE && func->u.attribute.ctx == CTX_LOAD) {
        /* obj.m(...): LOAD_METHOD avoids creating a bound method. The
           traceback line is the attribute's (CPython 3.11 does the same). */
        CHECK(compile_expr(c, func->u.attribute.value));
        int line = c->u->line;
        c->u->line = func->end_line;
        CHECK(emit_attr_op(c, OP_LOAD_METHOD, func->u.attribute.attr));
        c->u->line = line;
        int nargs = compile_plain_args(c, args, keywords);
        CHECK(nargs);
        c->u->line = func->end_line;
        EMIT(c, CALL, nargs);
        c->u->line = line;
        return 0;
    }
    EMIT(c, PUSH_NULL, 0);
    CHECK(compile_expr(c, func));
    int nargs = compile_plain_args(c, args, keywords);
    CHECK(nargs);
    EMIT(c, CALL, nargs);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Classes                                                              */
/* ------------------------------------------------------------------ */

/* A class or module body starting with a string literal has a docstring:
   store it as __doc__, as CPython does (a function's is a constant, see
   add_function_docstring). The statement itself then compiles to nothing. */
static int compile_docstring(Compiler *c, const NodeList *body)
{
    if (body->count == 0 || body->items[0]->kind != NODE_EXPR_STMT)
        return 0;
    const Node *value = body->items[0]->u.expr_stmt.value;
    if (value->kind != NODE_STR)
        return 0;
    c->u->line = body->items[0]->line;
    CHECK(emit_const_steal(c, str_from_utf8(value->u.str.data, value->u.str.len)));
    return compile_name_op(c, "__doc__", CTX_OP_STORE);
}

static CodeObject *compile_class_body(Compiler *c, const Node *n)
{
    Scope *scope = child_scope(c, n);
    if (scope == NULL)
        return NULL;
    const char *name = n->u.class_def.name;
    if (unit_push(c, scope, name, make_qualname(c, name, true), n->line) < 0)
        return NULL;
    int r = compile_name_op(c, "__name__", CTX_OP_LOAD);
    if (r == 0)
        r = compile_name_op(c, "__module__", CTX_OP_STORE);
    if (r == 0)
        r = emit_const(c, c->u->qualname);
    if (r == 0)
        r = compile_name_op(c, "__qualname__", CTX_OP_STORE);
    if (r == 0)
        r = compile_docstring(c, &n->u.class_def.body);
    if (r == 0)
        r = compile_stmts(c, &n->u.class_def.body);
    if (r == 0)
        r = emit_none(c);
    if (r == 0)
        r = emit(c, OP_RETURN_VALUE, 0);
    CodeObject *co = r == 0 ? assemble(c) : NULL;
    unit_pop(c);
    return co;
}

/* PUSH_NULL; LOAD_BUILD_CLASS; <body function>; LOAD_CONST 'Name'; <bases>;
   CALL 2+nbases (or CALL_EX when bases/keywords use * or **). */
static int compile_class_def(Compiler *c, const Node *n)
{
    const NodeList *bases = &n->u.class_def.bases, *keywords = &n->u.class_def.keywords;
    /* Repeated keyword names were rejected by the parser (parser.c: add_keyword). */
    CHECK(compile_decorators(c, &n->u.class_def.decorators));
    bool ex = has_starred(bases, keywords);
    if (!ex)
        EMIT(c, PUSH_NULL, 0);
    EMIT(c, LOAD_BUILD_CLASS, 0);
    CHECK(emit_make_function(c, compile_class_body(c, n), 0));
    c->u->line = n->line;
    CHECK(emit_const_steal(c, str_from_cstr(n->u.class_def.name)));
    if (ex) {
        int flag = compile_ex_args(c, 2, bases, keywords);
        CHECK(flag);
        EMIT(c, CALL_EX, flag);
    } else {
        int nargs = compile_plain_args(c, bases, keywords);
        CHECK(nargs);
        EMIT(c, CALL, 2 + nargs);
    }
    CHECK(apply_decorators(c, &n->u.class_def.decorators, n->line));
    return compile_name_op(c, n->u.class_def.name, CTX_OP_STORE);
}

/* ------------------------------------------------------------------ */
/* Expressions                                                          */
/* ------------------------------------------------------------------ */

static BinaryOp binary_op_of(BinOp op)
{
    switch (op) {
    case AST_BINOP_ADD: return BINOP_ADD;
    case AST_BINOP_SUB: return BINOP_SUB;
    case AST_BINOP_MUL: return BINOP_MUL;
    case AST_BINOP_DIV: return BINOP_TRUEDIV;
    case AST_BINOP_FLOORDIV: return BINOP_FLOORDIV;
    case AST_BINOP_MOD: return BINOP_MOD;
    case AST_BINOP_POW: return BINOP_POW;
    case AST_BINOP_LSHIFT: return BINOP_LSHIFT;
    case AST_BINOP_RSHIFT: return BINOP_RSHIFT;
    case AST_BINOP_BITOR: return BINOP_OR;
    case AST_BINOP_BITXOR: return BINOP_XOR;
    case AST_BINOP_BITAND: return BINOP_AND;
    }
    return BINOP_ADD;
}

/* One comparison operator applied to the two values on top of the stack. */
static int emit_compare(Compiler *c, CmpOp op)
{
    switch (op) {
    case AST_CMP_EQ: EMIT(c, COMPARE_OP, CMP_EQ); break;
    case AST_CMP_NE: EMIT(c, COMPARE_OP, CMP_NE); break;
    case AST_CMP_LT: EMIT(c, COMPARE_OP, CMP_LT); break;
    case AST_CMP_LE: EMIT(c, COMPARE_OP, CMP_LE); break;
    case AST_CMP_GT: EMIT(c, COMPARE_OP, CMP_GT); break;
    case AST_CMP_GE: EMIT(c, COMPARE_OP, CMP_GE); break;
    case AST_CMP_IS: EMIT(c, IS_OP, 0); break;
    case AST_CMP_IS_NOT: EMIT(c, IS_OP, 1); break;
    case AST_CMP_IN: EMIT(c, CONTAINS_OP, 0); break;
    case AST_CMP_NOT_IN: EMIT(c, CONTAINS_OP, 1); break;
    }
    return 0;
}

/* a < b < c: each middle operand is evaluated once and kept (DUP_TOP;
   ROT_THREE) for the next comparison; the first false result ends it. */
static int compile_compare(Compiler *c, const Node *n)
{
    const NodeList *rest = &n->u.compare.comparators;
    int last = rest->count - 1;
    /* `x in {1, 2}` tests against a frozenset constant (as CPython does),
       not a set built on every evaluation. */
    CmpOp last_op = n->u.compare.ops[last];
    bool last_in = last_op == AST_CMP_IN || last_op == AST_CMP_NOT_IN;
    CHECK(compile_expr(c, n->u.compare.left));
    if (rest->count == 1) {
        CHECK(last_in ? compile_iterable(c, rest->items[0]) : compile_expr(c, rest->items[0]));
        return emit_compare(c, n->u.compare.ops[0]);
    }
    NEW_LABEL(c, cleanup);
    NEW_LABEL(c, end);
    for (int i = 0; i < rest->count - 1; i++) {
        CHECK(compile_expr(c, rest->items[i]));
        EMIT(c, DUP_TOP, 0);
        EMIT(c, ROT_THREE, 0);
        CHECK(emit_compare(c, n->u.compare.ops[i]));
        EMIT(c, JUMP_IF_FALSE_OR_POP, cleanup);
    }
    CHECK(last_in ? compile_iterable(c, rest->items[last]) : compile_expr(c, rest->items[last]));
    CHECK(emit_compare(c, last_op));
    EMIT(c, JUMP, end);
    bind_label(c, cleanup);
    EMIT(c, ROT_TWO, 0);
    EMIT(c, POP_TOP, 0);
    bind_label(c, end);
    return 0;
}

static int compile_boolop(Compiler *c, const Node *n)
{
    Opcode jump = n->u.boolop.op == BOOL_AND ? OP_JUMP_IF_FALSE_OR_POP : OP_JUMP_IF_TRUE_OR_POP;
    const NodeList *values = &n->u.boolop.values;
    NEW_LABEL(c, end);
    for (int i = 0; i < values->count - 1; i++) {
        CHECK(compile_expr(c, values->items[i]));
        CHECK(emit(c, jump, (uint32_t)end));
    }
    CHECK(compile_expr(c, values->items[values->count - 1]));
    bind_label(c, end);
    return 0;
}

static int compile_ifexp(Compiler *c, const Node *n)
{
    NEW_LABEL(c, orelse);
    NEW_LABEL(c, end);
    CHECK(compile_jump_if(c, n->u.ifexp.test, false, orelse));
    CHECK(compile_expr(c, n->u.ifexp.body));
    EMIT(c, JUMP, end);
    bind_label(c, orelse);
    CHECK(compile_expr(c, n->u.ifexp.orelse));
    bind_label(c, end);
    return 0;
}

/* Truth of a constant node: 1 true, 0 false, -1 not a simple constant. */
static int const_truth(const Node *n)
{
    switch (n->kind) {
    case NODE_TRUE: return 1;
    case NODE_FALSE: case NODE_NONE: return 0;
    case NODE_INT: return n->u.int_value != 0;
    case NODE_BIGINT: return 1;
    case NODE_STR: case NODE_BYTES: return n->u.str.len != 0;
    default: return -1;
    }
}

/* Jump to label if the truth of n equals cond; fall through otherwise.
   `not`, `and`, `or` become jumps instead of values. */
static int compile_jump_if(Compiler *c, const Node *n, bool cond, int label)
{
    if (n->kind == NODE_UNARYOP && n->u.unaryop.op == UNARY_NOT)
        return compile_jump_if(c, n->u.unaryop.operand, !cond, label);
    if (n->kind == NODE_BOOLOP) {
        bool is_and = n->u.boolop.op == BOOL_AND;
        const NodeList *values = &n->u.boolop.values;
        /* `a and b` jumps on false as soon as one is false; jumping on true
           needs all of them (and the mirror image for `or`). */
        int target = label;
        if (is_and == cond) {
            target = new_label(c);
            CHECK(target);
        }
        for (int i = 0; i < values->count - 1; i++)
            CHECK(compile_jump_if(c, values->items[i], !is_and, target));
        CHECK(compile_jump_if(c, values->items[values->count - 1], cond, label));
        if (target != label)
            bind_label(c, target);
        return 0;
    }
    int truth = const_truth(n);
    if (truth >= 0) {
        if (truth == (int)cond)
            EMIT(c, JUMP, label);
        return 0;
    }
    CHECK(compile_expr(c, n));
    return emit(c, cond ? OP_POP_JUMP_IF_TRUE : OP_POP_JUMP_IF_FALSE, (uint32_t)label);
}

static int count_starred(const NodeList *elts)
{
    int n = 0;
    for (int i = 0; i < elts->count; i++)
        n += elts->items[i]->kind == NODE_STARRED;
    return n;
}

/* The frozenset constant for a set display of constants (steals items, a
   tuple). CPython builds the frozenset, then its constant cache rebuilds it
   from the first one's iteration order; doing the same gives the constant
   the same slot layout, hence the same iteration order. */
static Object *make_frozenset_const(Object *items)
{
    if (items == NULL)
        return NULL;
    Object *first = frozenset_new(items);
    DECREF(items);
    Object *order = first ? list_from_iterable(first) : NULL;
    XDECREF(first);
    Object *frozen = order ? frozenset_new(order) : NULL;
    XDECREF(order);
    return frozen;
}

/* Opcodes that build a list or a set display. */
typedef struct {
    Opcode build, add, extend;
} BuildOps;

static const BuildOps list_ops = {OP_BUILD_LIST, OP_LIST_APPEND, OP_LIST_EXTEND};
static const BuildOps set_ops = {OP_BUILD_SET, OP_SET_ADD, OP_SET_UPDATE};

/* Build a list or set from elts on the stack: BUILD_x for a leading run of
   plain items (at most MAX_BUILD_ITEMS), then x_APPEND/ADD and
   x_EXTEND/UPDATE (for *x) for the rest. A display of 3+ constants is a
   constant tuple (lists) or frozenset (sets) added with x_EXTEND/UPDATE, as
   CPython does; a set built from that frozenset gets the frozenset's slot
   layout, which decides its iteration order. */
static int compile_build_items(Compiler *c, const NodeList *elts, const BuildOps *ops)
{
    if (elts->count > 2 && count_starred(elts) == 0) {
        bool all_const = true;
        for (int i = 0; i < elts->count && all_const; i++) {
            Object *v;
            int r = try_const(c, elts->items[i], &v);
            CHECK(r);
            XDECREF(v);
            all_const = r == 1;
        }
        if (all_const) {
            Node tuple;
            memset(&tuple, 0, sizeof tuple);
            tuple.kind = NODE_TUPLE;
            tuple.u.seq.elts = *elts;
            Object *t;
            CHECK(try_const(c, &tuple, &t));
            if (ops == &set_ops)
                t = make_frozenset_const(t);
            EMIT_OP(c, ops->build, 0);
            CHECK(emit_const_steal(c, t));
            EMIT_OP(c, ops->extend, 1);
            return 0;
        }
    }
    int lead = 0;
    while (lead < elts->count && lead < MAX_BUILD_ITEMS && elts->items[lead]->kind != NODE_STARRED)
        lead++;
    for (int i = 0; i < lead; i++)
        CHECK(compile_expr(c, elts->items[i]));
    EMIT_OP(c, ops->build, lead);
    for (int i = lead; i < elts->count; i++) {
        const Node *e = elts->items[i];
        if (e->kind == NODE_STARRED) {
            CHECK(compile_expr(c, e->u.starred.value));
            EMIT_OP(c, ops->extend, 1);
        } else {
            CHECK(compile_expr(c, e));
            EMIT_OP(c, ops->add, 1);
        }
    }
    return 0;
}

/* What a for loop or comprehension iterates over, or the right operand of
   a final `in` / `not in` comparison. A set display of
   constants is one frozenset constant, as CPython's AST optimiser makes it;
   the loop sees the frozenset's iteration order, which can differ from a
   set built at run time. */
static int compile_iterable(Compiler *c, const Node *n)
{
    if (n->kind != NODE_SET)
        return compile_expr(c, n);
    Node tuple;
    memset(&tuple, 0, sizeof tuple);
    tuple.kind = NODE_TUPLE;
    tuple.u.seq.elts = n->u.seq.elts;
    Object *t;
    int r = try_const(c, &tuple, &t);
    CHECK(r);
    if (r == 0)
        return compile_expr(c, n);
    return emit_const_steal(c, make_frozenset_const(t));
}

static int compile_list_items(Compiler *c, const NodeList *elts)
{
    return compile_build_items(c, elts, &list_ops);
}

static int compile_tuple(Compiler *c, const Node *n)
{
    Object *t;
    int r = try_const(c, n, &t);
    CHECK(r);
    if (r == 1)
        return emit_const_steal(c, t);
    const NodeList *elts = &n->u.seq.elts;
    if (count_starred(elts) == 0 && elts->count <= MAX_BUILD_ITEMS) {
        for (int i = 0; i < elts->count; i++)
            CHECK(compile_expr(c, elts->items[i]));
        EMIT(c, BUILD_TUPLE, elts->count);
        return 0;
    }
    CHECK(compile_list_items(c, elts));
    EMIT(c, LIST_TO_TUPLE, 0);
    return 0;
}

/* dict displays: BUILD_MAP for up to MAX_BUILD_ITEMS/2 leading pairs, then
   MAP_ADD; `**m` is merged with the dict's own update method (later keys
   win, as in Python; DICT_MERGE would reject duplicates). */
static int compile_dict(Compiler *c, const Node *n)
{
    const NodeList *keys = &n->u.dict.keys, *values = &n->u.dict.values;
    int lead = 0;
    while (lead < keys->count && lead < MAX_BUILD_ITEMS / 2 && keys->items[lead] != NULL)
        lead++;
    for (int i = 0; i < lead; i++) {
        CHECK(compile_expr(c, keys->items[i]));
        CHECK(compile_expr(c, values->items[i]));
    }
    EMIT(c, BUILD_MAP, lead);
    for (int i = lead; i < keys->count; i++) {
        if (keys->items[i] == NULL) {
            EMIT(c, DUP_TOP, 0);
            CHECK(emit_attr_op(c, OP_LOAD_METHOD, "update"));
            CHECK(compile_expr(c, values->items[i]));
            EMIT(c, CALL, 1);
            EMIT(c, POP_TOP, 0);
        } else {
            CHECK(compile_expr(c, keys->items[i]));
            CHECK(compile_expr(c, values->items[i]));
            EMIT(c, MAP_ADD, 1);
        }
    }
    return 0;
}

static int compile_slice_part(Compiler *c, const Node *part)
{
    return part ? compile_expr(c, part) : emit_none(c);
}

static int compile_slice(Compiler *c, const Node *n)
{
    CHECK(compile_slice_part(c, n->u.slice.lower));
    CHECK(compile_slice_part(c, n->u.slice.upper));
    if (n->u.slice.step) {
        CHECK(compile_expr(c, n->u.slice.step));
        EMIT(c, BUILD_SLICE, 3);
    } else {
        EMIT(c, BUILD_SLICE, 2);
    }
    return 0;
}

/* x[a:b] and x[a:b:c] push their parts themselves for BINARY_SLICE (None
   for an absent bound), x[a:b] = v for STORE_SLICE: no slice object is
   built when x is a list (or, without a step, a tuple or str). */
static bool is_plain_slice(const Node *index)
{
    return index->kind == NODE_SLICE && index->u.slice.step == NULL;
}

/* The parts of a slice subscript: 2, or 3 with the step. */
static int compile_slice_parts(Compiler *c, const Node *index, int *nparts)
{
    CHECK(compile_slice_part(c, index->u.slice.lower));
    CHECK(compile_slice_part(c, index->u.slice.upper));
    *nparts = 2;
    if (index->u.slice.step) {
        CHECK(compile_expr(c, index->u.slice.step));
        *nparts = 3;
    }
    return 0;
}

static int compile_joined_str(Compiler *c, const Node *n)
{
    const NodeList *parts = &n->u.joined.values;
    if (parts->count == 0)
        return emit_const_steal(c, str_from_cstr(""));
    for (int i = 0; i < parts->count; i++)
        CHECK(compile_expr(c, parts->items[i]));
    if (parts->count > 1)
        EMIT(c, BUILD_STRING, parts->count);
    return 0;
}

static int compile_formatted_value(Compiler *c, const Node *n)
{
    int conv;
    switch (n->u.formatted.conversion) {
    case 's': conv = 1; break;
    case 'r': conv = 2; break;
    case 'a': conv = 3; break;
    default: conv = 0; break;
    }
    CHECK(compile_expr(c, n->u.formatted.value));
    if (n->u.formatted.format_spec) {
        CHECK(compile_expr(c, n->u.formatted.format_spec));
        conv |= 4;
    }
    EMIT(c, FORMAT_VALUE, conv);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Comprehensions                                                       */
/* ------------------------------------------------------------------ */

/* The loops of a comprehension, innermost last; the list/dict being built
   sits below all the iterators. */
static int compile_comp_loops(Compiler *c, const Node *n, int i)
{
    const NodeList *gens = &n->u.comp.generators;
    const Node *g = gens->items[i];
    NEW_LABEL(c, start);
    NEW_LABEL(c, end);
    if (i == 0) {
        EMIT(c, LOAD_FAST, 0); /* ".0", the iterator argument */
    } else {
        CHECK(compile_iterable(c, g->u.comprehension.iter));
        EMIT(c, GET_ITER, 0);
    }
    bind_label(c, start);
    EMIT(c, FOR_ITER, end);
    CHECK(compile_store(c, g->u.comprehension.target));
    for (int k = 0; k < g->u.comprehension.ifs.count; k++)
        CHECK(compile_jump_if(c, g->u.comprehension.ifs.items[k], false, start));
    if (i + 1 < gens->count) {
        CHECK(compile_comp_loops(c, n, i + 1));
    } else if (n->kind == NODE_DICT_COMP) {
        CHECK(compile_expr(c, n->u.comp.key));
        CHECK(compile_expr(c, n->u.comp.elt));
        EMIT(c, MAP_ADD, gens->count + 1);
    } else if (n->kind == NODE_GENERATOR_EXP) {
        CHECK(compile_expr(c, n->u.comp.elt));
        EMIT(c, YIELD_VALUE, 0);
        EMIT(c, POP_TOP, 0);
    } else {
        CHECK(compile_expr(c, n->u.comp.elt));
        EMIT_OP(c, n->kind == NODE_SET_COMP ? OP_SET_ADD : OP_LIST_APPEND, gens->count + 1);
    }
    EMIT(c, JUMP, start);
    bind_label(c, end);
    return 0;
}

static CodeObject *compile_comprehension_code(Compiler *c, const Node *n, const char *name)
{
    Scope *scope = child_scope(c, n);
    if (scope == NULL)
        return NULL;
    if (unit_push(c, scope, name, make_qualname(c, name, false), n->line) < 0)
        return NULL;
    c->u->argcount = 1;
    int r = emit_param_cells(c);
    if (r == 0 && n->kind == NODE_GENERATOR_EXP)
        r = emit_none(c); /* the generator's return value */
    else if (r == 0)
        r = emit(c, n->kind == NODE_DICT_COMP  ? OP_BUILD_MAP
                    : n->kind == NODE_SET_COMP ? OP_BUILD_SET
                                               : OP_BUILD_LIST, 0);
    if (r == 0)
        r = compile_comp_loops(c, n, 0);
    if (r == 0)
        r = emit(c, OP_RETURN_VALUE, 0);
    CodeObject *co = r == 0 ? assemble(c) : NULL;
    unit_pop(c);
    return co;
}

/* A comprehension is a nested function called with the first iterator:
   PUSH_NULL; MAKE_FUNCTION; <iter>; GET_ITER; CALL 1. For a generator
   expression the nested function is a generator, so the call returns it
   with only the first iterable evaluated. */
static int compile_comprehension(Compiler *c, const Node *n)
{
    const char *name;
    switch (n->kind) {
    case NODE_LIST_COMP: name = "<listcomp>"; break;
    case NODE_SET_COMP: name = "<setcomp>"; break;
    case NODE_DICT_COMP: name = "<dictcomp>"; break;
    default: name = "<genexpr>"; break;
    }
    EMIT(c, PUSH_NULL, 0);
    CHECK(emit_make_function(c, compile_comprehension_code(c, n, name), 0));
    CHECK(compile_iterable(c, n->u.comp.generators.items[0]->u.comprehension.iter));
    EMIT(c, GET_ITER, 0);
    EMIT(c, CALL, 1);
    return 0;
}

/* yield x: YIELD_VALUE leaves the value sent in on the stack.
   yield from x: <x>; GET_YIELD_FROM_ITER; LOAD_CONST None;
   L: SEND E; YIELD_VALUE 1; JUMP L; E: (the subiterator's return value). */
static int compile_yield(Compiler *c, const Node *n)
{
    if (n->kind == NODE_YIELD) {
        if (n->u.yield_expr.value != NULL)
            CHECK(compile_expr(c, n->u.yield_expr.value));
        else
            CHECK(emit_none(c));
        EMIT(c, YIELD_VALUE, 0);
        return 0;
    }
    NEW_LABEL(c, loop);
    NEW_LABEL(c, end);
    CHECK(compile_expr(c, n->u.yield_expr.value));
    EMIT(c, GET_YIELD_FROM_ITER, 0);
    CHECK(emit_none(c));
    bind_label(c, loop);
    EMIT(c, SEND, end);
    EMIT(c, YIELD_VALUE, 1);
    EMIT(c, JUMP, loop);
    bind_label(c, end);
    return 0;
}

/* a + b + c + ... parses left-deep; walking the left spine with a loop
   keeps a long flat sum from recursing once per term. */
static int compile_binop(Compiler *c, const Node *n)
{
    const Node *local[16];
    const Node **spine = local;
    int count = 0;
    for (const Node *p = n; p->kind == NODE_BINOP; p = p->u.binop.left)
        count++;
    if (count > 16 && (spine = mem_alloc((size_t)count * sizeof *spine)) == NULL) {
        error_no_memory();
        return -1;
    }
    int i = count;
    for (const Node *p = n; p->kind == NODE_BINOP; p = p->u.binop.left)
        spine[--i] = p; /* spine[0] is the innermost operation */
    int r = compile_expr(c, spine[0]->u.binop.left);
    for (i = 0; i < count && r == 0; i++) {
        c->u->line = spine[i]->line;
        r = compile_expr(c, spine[i]->u.binop.right);
        if (r == 0)
            r = emit(c, OP_BINARY_OP, binary_op_of(spine[i]->u.binop.op));
    }
    if (spine != local)
        mem_free(spine, (size_t)count * sizeof *spine);
    return r;
}

/* ------------------------------------------------------------------ */
/* Expression dispatch                                                  */
/* ------------------------------------------------------------------ */

static int compile_expr_inner(Compiler *c, const Node *n)
{
    switch (n->kind) {
    case NODE_NAME:
        return compile_name_op(c, n->u.name.id, CTX_OP_LOAD);
    case NODE_INT: case NODE_BIGINT: case NODE_FLOAT: case NODE_IMAG: case NODE_STR: case NODE_BYTES:
    case NODE_TRUE: case NODE_FALSE: case NODE_NONE: case NODE_ELLIPSIS: {
        Object *v;
        CHECK(try_const(c, n, &v));
        return emit_const_steal(c, v);
    }
    case NODE_ATTRIBUTE:
        CHECK(compile_expr(c, n->u.attribute.value));
        return emit_attr_op(c, OP_LOAD_ATTR, n->u.attribute.attr);
    case NODE_SUBSCRIPT:
        CHECK(compile_expr(c, n->u.subscript.value));
        if (n->u.subscript.index->kind == NODE_SLICE) {
            int nparts;
            CHECK(compile_slice_parts(c, n->u.subscript.index, &nparts));
            EMIT(c, BINARY_SLICE, nparts);
            return 0;
        }
        CHECK(compile_expr(c, n->u.subscript.index));
        EMIT(c, BINARY_SUBSCR, 0);
        return 0;
    case NODE_SLICE:
        return compile_slice(c, n);
    case NODE_STARRED:
        return SYNTAX_ERROR(c, n, "can't use starred expression here");
    case NODE_CALL:
        return compile_call(c, n);
    case NODE_BINOP:
        return compile_binop(c, n);
    case NODE_UNARYOP: {
        Object *v;
        int r = try_const(c, n, &v);
        CHECK(r);
        if (r == 1)
            return emit_const_steal(c, v);
        CHECK(compile_expr(c, n->u.unaryop.operand));
        switch (n->u.unaryop.op) {
        case UNARY_NEG: EMIT(c, UNARY_NEGATIVE, 0); break;
        case UNARY_POS: EMIT(c, UNARY_POSITIVE, 0); break;
        case UNARY_INVERT: EMIT(c, UNARY_INVERT, 0); break;
        case UNARY_NOT: EMIT(c, UNARY_NOT, 0); break;
        }
        return 0;
    }
    case NODE_BOOLOP:
        return compile_boolop(c, n);
    case NODE_COMPARE:
        return compile_compare(c, n);
    case NODE_IFEXP:
        return compile_ifexp(c, n);
    case NODE_LAMBDA:
        return compile_lambda(c, n);
    case NODE_TUPLE:
        return compile_tuple(c, n);
    case NODE_LIST:
        return compile_list_items(c, &n->u.seq.elts);
    case NODE_SET:
        return compile_build_items(c, &n->u.seq.elts, &set_ops);
    case NODE_DICT:
        return compile_dict(c, n);
    case NODE_SET_COMP:
    case NODE_LIST_COMP:
    case NODE_DICT_COMP:
    case NODE_GENERATOR_EXP:
        return compile_comprehension(c, n);
    case NODE_YIELD:
    case NODE_YIELD_FROM:
        return compile_yield(c, n);
    case NODE_JOINED_STR:
        return compile_joined_str(c, n);
    case NODE_FORMATTED_VALUE:
        return compile_formatted_value(c, n);
    default:
        return SYNTAX_ERROR(c, n, "invalid syntax");
    }
}

/* Guard the C stack: depth is bounded by the parser too, but a compiler
   must not trust that. */
static int enter_recursion(Compiler *c)
{
    if (++c->depth > MAX_COMPILE_DEPTH) {
        c->depth--;
        error_set(&exc_RecursionError, "maximum recursion depth exceeded during compilation");
        return -1;
    }
    return 0;
}

static int compile_expr(Compiler *c, const Node *n)
{
    CHECK(enter_recursion(c));
    int line = c->u->line;
    c->u->line = n->line;
    int r = compile_expr_inner(c, n);
    c->u->line = line;
    c->depth--;
    return r;
}

/* ------------------------------------------------------------------ */
/* Assignment targets                                                   */
/* ------------------------------------------------------------------ */

/* Unpack the sequence on top of the stack into the elements of a tuple or
   list target: UNPACK_SEQUENCE n, or UNPACK_EX before | after << 8 when one
   element is starred. */
static int compile_unpack(Compiler *c, const Node *n)
{
    const NodeList *elts = &n->u.seq.elts;
    int star = -1;
    for (int i = 0; i < elts->count; i++) {
        if (elts->items[i]->kind != NODE_STARRED)
            continue;
        if (star >= 0)
            return SYNTAX_ERROR(c, elts->items[i], "multiple starred expressions in assignment");
        star = i;
    }
    if (star < 0) {
        EMIT(c, UNPACK_SEQUENCE, elts->count);
    } else {
        int after = elts->count - star - 1;
        if (star >= 256 || after >= (1 << 16))
            return SYNTAX_ERROR(c, n, "too many expressions in star-unpacking assignment");
        EMIT(c, UNPACK_EX, star | (after << 8));
    }
    for (int i = 0; i < elts->count; i++) {
        const Node *e = elts->items[i];
        CHECK(compile_store(c, e->kind == NODE_STARRED ? e->u.starred.value : e));
    }
    return 0;
}

/* Store the value on top of the stack into target. */
static int compile_store(Compiler *c, const Node *target)
{
    int line = c->u->line;
    c->u->line = target->line;
    int r = 0;
    switch (target->kind) {
    case NODE_NAME:
        r = compile_name_op(c, target->u.name.id, CTX_OP_STORE);
        break;
    case NODE_ATTRIBUTE:
        r = compile_expr(c, target->u.attribute.value);
        if (r == 0)
            r = emit_attr_op(c, OP_STORE_ATTR, target->u.attribute.attr);
        break;
    case NODE_SUBSCRIPT:
        r = compile_expr(c, target->u.subscript.value);
        if (r == 0 && is_plain_slice(target->u.subscript.index)) {
            int nparts;
            r = compile_slice_parts(c, target->u.subscript.index, &nparts);
            if (r == 0)
                r = emit(c, OP_STORE_SLICE, 0);
            break;
        }
        if (r == 0)
            r = compile_expr(c, target->u.subscript.index);
        if (r == 0)
            r = emit(c, OP_STORE_SUBSCR, 0);
        break;
    case NODE_TUPLE:
    case NODE_LIST:
        r = compile_unpack(c, target);
        break;
    case NODE_STARRED:
        r = SYNTAX_ERROR(c, target, "starred assignment target must be in a list or tuple");
        break;
    default:
        r = SYNTAX_ERROR(c, target, "cannot assign to expression");
        break;
    }
    c->u->line = line;
    return r;
}

static int compile_delete(Compiler *c, const Node *target)
{
    int line = c->u->line;
    c->u->line = target->line;
    int r = 0;
    switch (target->kind) {
    case NODE_NAME:
        r = compile_name_op(c, target->u.name.id, CTX_OP_DELETE);
        break;
    case NODE_ATTRIBUTE:
        r = compile_expr(c, target->u.attribute.value);
        if (r == 0)
            r = emit_attr_op(c, OP_DELETE_ATTR, target->u.attribute.attr);
        break;
    case NODE_SUBSCRIPT:
        r = compile_expr(c, target->u.subscript.value);
        if (r == 0)
            r = compile_expr(c, target->u.subscript.index);
        if (r == 0)
            r = emit(c, OP_DELETE_SUBSCR, 0);
        break;
    case NODE_TUPLE:
    case NODE_LIST:
        for (int i = 0; i < target->u.seq.elts.count && r == 0; i++)
            r = compile_delete(c, target->u.seq.elts.items[i]);
        break;
    default:
        r = SYNTAX_ERROR(c, target, "cannot delete expression");
        break;
    }
    c->u->line = line;
    return r;
}

static int compile_assign(Compiler *c, const Node *n)
{
    const NodeList *targets = &n->u.assign.targets;
    CHECK(compile_expr(c, n->u.assign.value));
    for (int i = 0; i < targets->count; i++) {
        if (i + 1 < targets->count)
            EMIT(c, DUP_TOP, 0);
        CHECK(compile_store(c, targets->items[i]));
    }
    return 0;
}

/* Does n load the same object every time it is evaluated in this
   function, without running any code: a literal, or a local of the
   function's fast slots (Toy has no `:=`, and its frames are not objects
   a program could reach, so nothing in an expression can rebind one)? */
static bool is_stable_operand(Compiler *c, const Node *n)
{
    switch (n->kind) {
    case NODE_INT: case NODE_BIGINT: case NODE_FLOAT: case NODE_STR: case NODE_BYTES:
    case NODE_TRUE: case NODE_FALSE: case NODE_NONE:
        return true;
    case NODE_NAME: {
        if (c->u->scope->kind != SCOPE_FUNCTION)
            return false;
        const char *m = symtable_mangle(c->arena, c->u->scope->private_name, n->u.name.id);
        return m != NULL && symtable_resolve(c->u->scope, m) == NAME_LOCAL;
    }
    default:
        return false;
    }
}

/* x op= v:      LOAD x; v; INPLACE_OP; STORE x
   o.a op= v:    o; DUP_TOP; LOAD_ATTR a; v; INPLACE_OP; ROT_TWO; STORE_ATTR a
   o[k] op= v:   o; k; DUP_TOP_TWO; BINARY_SUBSCR; v; INPLACE_OP; ROT_THREE; STORE_SUBSCR
   When o (and k) are stable operands (a local, a literal), they are loaded
   again for the store instead of being kept on the stack under v: the same
   objects, and the pairs and runs that read a local in its slot take the
   loads (LOAD_FAST_LOAD_ATTR and LOAD_FAST_STORE_ATTR, LOAD_FAST_CONST_SUBSCR
   and LOAD_FAST_CONST_STORE_SUBSCR, ...), so the stack never holds them. */
static int compile_aug_assign(Compiler *c, const Node *n)
{
    const Node *t = n->u.aug_assign.target;
    BinaryOp op = binary_op_of(n->u.aug_assign.op);
    switch (t->kind) {
    case NODE_NAME:
        CHECK(compile_name_op(c, t->u.name.id, CTX_OP_LOAD));
        CHECK(compile_expr(c, n->u.aug_assign.value));
        EMIT(c, INPLACE_OP, op);
        return compile_name_op(c, t->u.name.id, CTX_OP_STORE);
    case NODE_ATTRIBUTE: {
        bool reload = is_stable_operand(c, t->u.attribute.value);
        CHECK(compile_expr(c, t->u.attribute.value));
        if (!reload)
            EMIT(c, DUP_TOP, 0);
        CHECK(emit_attr_op(c, OP_LOAD_ATTR, t->u.attribute.attr));
        CHECK(compile_expr(c, n->u.aug_assign.value));
        EMIT(c, INPLACE_OP, op);
        if (reload)
            CHECK(compile_expr(c, t->u.attribute.value));
        else
            EMIT(c, ROT_TWO, 0);
        return emit_attr_op(c, OP_STORE_ATTR, t->u.attribute.attr);
    }
    case NODE_SUBSCRIPT: {
        const Node *o = t->u.subscript.value, *k = t->u.subscript.index;
        bool reload = is_stable_operand(c, o) && is_stable_operand(c, k);
        CHECK(compile_expr(c, o));
        CHECK(compile_expr(c, k));
        if (!reload)
            EMIT(c, DUP_TOP_TWO, 0);
        EMIT(c, BINARY_SUBSCR, 0);
        CHECK(compile_expr(c, n->u.aug_assign.value));
        EMIT(c, INPLACE_OP, op);
        if (reload) {
            CHECK(compile_expr(c, o));
            CHECK(compile_expr(c, k));
        } else {
            EMIT(c, ROT_THREE, 0);
        }
        EMIT(c, STORE_SUBSCR, 0);
        return 0;
    }
    default:
        return SYNTAX_ERROR(c, t, "'%s' is an illegal expression for augmented assignment",
                            ast_kind_name(t->kind));
    }
}

/* ------------------------------------------------------------------ */
/* Control flow                                                         */
/* ------------------------------------------------------------------ */

static int compile_if(Compiler *c, const Node *n)
{
    NEW_LABEL(c, next);
    CHECK(compile_jump_if(c, n->u.if_stmt.test, false, next));
    CHECK(compile_stmts(c, &n->u.if_stmt.body));
    if (n->u.if_stmt.orelse.count == 0) {
        bind_label(c, next);
        return 0;
    }
    NEW_LABEL(c, end);
    EMIT(c, JUMP, end);
    bind_label(c, next);
    CHECK(compile_stmts(c, &n->u.if_stmt.orelse));
    bind_label(c, end);
    return 0;
}

static int compile_while(Compiler *c, const Node *n)
{
    NEW_LABEL(c, start);
    NEW_LABEL(c, orelse);
    NEW_LABEL(c, end);
    bind_label(c, start);
    CHECK(compile_jump_if(c, n->u.while_stmt.test, false, orelse));
    CHECK(push_fblock(c, FB_WHILE, start, end, NULL, n));
    CHECK(compile_stmts(c, &n->u.while_stmt.body));
    pop_fblock(c);
    c->u->line = n->line;
    EMIT(c, JUMP, start);
    bind_label(c, orelse);
    CHECK(compile_stmts(c, &n->u.while_stmt.orelse));
    bind_label(c, end);
    return 0;
}

static int compile_for(Compiler *c, const Node *n)
{
    NEW_LABEL(c, start);
    NEW_LABEL(c, orelse);
    NEW_LABEL(c, end);
    CHECK(compile_iterable(c, n->u.for_stmt.iter));
    EMIT(c, GET_ITER, 0);
    bind_label(c, start);
    EMIT(c, FOR_ITER, orelse);
    CHECK(push_fblock(c, FB_FOR, start, end, NULL, n));
    CHECK(compile_store(c, n->u.for_stmt.target));
    CHECK(compile_stmts(c, &n->u.for_stmt.body));
    pop_fblock(c);
    c->u->line = n->line;
    EMIT(c, JUMP, start);
    bind_label(c, orelse);
    CHECK(compile_stmts(c, &n->u.for_stmt.orelse));
    bind_label(c, end);
    return 0;
}

static int compile_break_continue(Compiler *c, const Node *n)
{
    bool is_break = n->kind == NODE_BREAK;
    FBlock loop;
    bool found = false;
    CHECK(unwind_fblocks(c, false, &loop, &found));
    if (!found)
        return STMT_ERROR(c, n, is_break ? "'break' outside loop"
                                           : "'continue' not properly in loop");
    c->u->line = n->line;
    if (!is_break) {
        EMIT(c, JUMP, loop.start);
        return 0;
    }
    if (loop.kind == FB_FOR)
        EMIT(c, POP_TOP, 0);
    EMIT(c, JUMP, loop.exit);
    return 0;
}

static int compile_return(Compiler *c, const Node *n)
{
    if (c->u->scope->kind != SCOPE_FUNCTION)
        return STMT_ERROR(c, n, "'return' outside function");
    const Node *value = n->u.return_stmt.value;
    bool preserve = value != NULL && !is_const_node(value);
    if (preserve)
        CHECK(compile_expr(c, value));
    CHECK(unwind_fblocks(c, preserve, NULL, NULL));
    c->u->line = n->line;
    if (!preserve) {
        if (value)
            CHECK(compile_expr(c, value));
        else
            CHECK(emit_none(c));
    }
    EMIT(c, RETURN_VALUE, 0);
    return 0;
}

/* The body of `except E as e:` (the exception on the stack above prev).
   e is unbound when the handler is left, also when an exception escapes
   from its body, as in CPython:
       STORE e; SETUP_FINALLY C; <body>; POP_BLOCK; POP_EXCEPT;
       e = None; del e; JUMP END
    C: PUSH_EXC_INFO; e = None; del e; RERAISE
   A break/continue/return in the body pops the C block (the FB_TRY_EXCEPT
   entry), then the handler's (FB_HANDLER). */
static int compile_handler_named(Compiler *c, const Node *h, int end)
{
    const char *name = h->u.handler.name;
    NEW_LABEL(c, cleanup);
    CHECK(compile_name_op(c, name, CTX_OP_STORE));
    EMIT(c, SETUP_FINALLY, cleanup);
    CHECK(push_fblock(c, FB_HANDLER, -1, -1, h, h));
    CHECK(push_fblock(c, FB_TRY_EXCEPT, -1, -1, NULL, h));
    CHECK(compile_stmts(c, &h->u.handler.body));
    pop_fblock(c);
    pop_fblock(c);
    EMIT(c, POP_BLOCK, 0);
    EMIT(c, POP_EXCEPT, 0);
    CHECK(emit_none(c));
    CHECK(compile_name_op(c, name, CTX_OP_STORE));
    CHECK(compile_name_op(c, name, CTX_OP_DELETE));
    EMIT(c, JUMP, end);

    bind_label(c, cleanup);
    EMIT(c, PUSH_EXC_INFO, 0);
    CHECK(emit_none(c));
    CHECK(compile_name_op(c, name, CTX_OP_STORE));
    CHECK(compile_name_op(c, name, CTX_OP_DELETE));
    EMIT(c, RERAISE, 0);
    return 0;
}

/* try/except[/else]: see opcodes.h for the shape. */
static int compile_try_except(Compiler *c, const Node *n)
{
    const NodeList *handlers = &n->u.try_stmt.handlers;
    NEW_LABEL(c, handler);
    NEW_LABEL(c, end);
    EMIT(c, SETUP_FINALLY, handler);
    CHECK(push_fblock(c, FB_TRY_EXCEPT, -1, -1, NULL, n));
    CHECK(compile_stmts(c, &n->u.try_stmt.body));
    pop_fblock(c);
    EMIT(c, POP_BLOCK, 0);
    CHECK(compile_stmts(c, &n->u.try_stmt.orelse));
    EMIT(c, JUMP, end);

    bind_label(c, handler);
    c->u->line = handlers->count ? handlers->items[0]->line : n->line;
    EMIT(c, PUSH_EXC_INFO, 0);
    bool last_bare = false;
    for (int i = 0; i < handlers->count; i++) {
        const Node *h = handlers->items[i];
        c->u->line = h->line;
        int next = -1;
        if (h->u.handler.type == NULL) {
            if (i + 1 < handlers->count)
                return SYNTAX_ERROR(c, h, "default 'except:' must be last");
            last_bare = true;
        } else {
            next = new_label(c);
            CHECK(next);
            EMIT(c, DUP_TOP, 0);
            CHECK(compile_expr(c, h->u.handler.type));
            EMIT(c, JUMP_IF_NOT_EXC_MATCH, next);
        }
        if (h->u.handler.name) {
            CHECK(compile_handler_named(c, h, end));
        } else {
            EMIT(c, POP_TOP, 0);
            CHECK(push_fblock(c, FB_HANDLER, -1, -1, h, h));
            CHECK(compile_stmts(c, &h->u.handler.body));
            pop_fblock(c);
            EMIT(c, POP_EXCEPT, 0);
            EMIT(c, JUMP, end);
        }
        if (next >= 0)
            bind_label(c, next);
    }
    if (!last_bare)
        EMIT(c, RERAISE, 0);
    bind_label(c, end);
    return 0;
}

/* try/finally (with optional except clauses inside): see opcodes.h. */
static int compile_try_finally(Compiler *c, const Node *n)
{
    NEW_LABEL(c, handler);
    NEW_LABEL(c, end);
    EMIT(c, SETUP_FINALLY, handler);
    CHECK(push_fblock(c, FB_FINALLY_TRY, -1, -1, n, n));
    if (n->u.try_stmt.handlers.count > 0)
        CHECK(compile_try_except(c, n));
    else
        CHECK(compile_stmts(c, &n->u.try_stmt.body));
    pop_fblock(c);
    EMIT(c, POP_BLOCK, 0);
    CHECK(compile_stmts(c, &n->u.try_stmt.finalbody));
    EMIT(c, JUMP, end);

    bind_label(c, handler);
    EMIT(c, PUSH_EXC_INFO, 0);
    CHECK(push_fblock(c, FB_FINALLY_END, -1, -1, n, n));
    CHECK(compile_stmts(c, &n->u.try_stmt.finalbody));
    pop_fblock(c);
    EMIT(c, RERAISE, 0);
    bind_label(c, end);
    return 0;
}

static int compile_try(Compiler *c, const Node *n)
{
    if (n->u.try_stmt.finalbody.count > 0)
        return compile_try_finally(c, n);
    return compile_try_except(c, n);
}

/* `with a, b:` is `with a: with b:`. Shape in opcodes.h. */
static int compile_with(Compiler *c, const Node *n, int item)
{
    const Node *it = n->u.with_stmt.items.items[item];
    NEW_LABEL(c, handler);
    NEW_LABEL(c, suppress);
    NEW_LABEL(c, end);
    c->u->line = it->line;
    CHECK(compile_expr(c, it->u.with_item.context));
    EMIT(c, SETUP_WITH, handler);
    CHECK(push_fblock(c, FB_WITH, -1, -1, NULL, n));
    if (it->u.with_item.target)
        CHECK(compile_store(c, it->u.with_item.target));
    else
        EMIT(c, POP_TOP, 0);
    if (item + 1 < n->u.with_stmt.items.count)
        CHECK(compile_with(c, n, item + 1));
    else
        CHECK(compile_stmts(c, &n->u.with_stmt.body));
    pop_fblock(c);
    c->u->line = n->line;
    EMIT(c, POP_BLOCK, 0);
    CHECK(emit_none(c));
    CHECK(emit_none(c));
    CHECK(emit_none(c));
    EMIT(c, CALL_EXIT, 0);
    EMIT(c, JUMP, end);

    bind_label(c, handler);
    EMIT(c, PUSH_EXC_INFO, 0);
    EMIT(c, WITH_EXCEPT_START, 0);
    EMIT(c, POP_JUMP_IF_TRUE, suppress);
    EMIT(c, RERAISE, 0);
    bind_label(c, suppress);
    EMIT(c, POP_TOP, 0);
    EMIT(c, POP_EXCEPT, 0);
    EMIT(c, POP_TOP, 0);
    bind_label(c, end);
    return 0;
}

static int compile_raise(Compiler *c, const Node *n)
{
    int nargs = 0;
    if (n->u.raise_stmt.exc) {
        CHECK(compile_expr(c, n->u.raise_stmt.exc));
        nargs = 1;
        if (n->u.raise_stmt.cause) {
            CHECK(compile_expr(c, n->u.raise_stmt.cause));
            nargs = 2;
        }
    }
    EMIT(c, RAISE_VARARGS, nargs);
    return 0;
}

/* if not test: raise AssertionError(msg) */
static int compile_assert(Compiler *c, const Node *n)
{
    NEW_LABEL(c, end);
    CHECK(compile_jump_if(c, n->u.assert_stmt.test, true, end));
    c->u->line = n->line;
    if (n->u.assert_stmt.msg) {
        EMIT(c, PUSH_NULL, 0);
        EMIT(c, LOAD_ASSERTION_ERROR, 0);
        CHECK(compile_expr(c, n->u.assert_stmt.msg));
        EMIT(c, CALL, 1);
    } else {
        EMIT(c, LOAD_ASSERTION_ERROR, 0);
    }
    EMIT(c, RAISE_VARARGS, 1);
    bind_label(c, end);
    return 0;
}

/* The operands IMPORT_NAME pops: LOAD_CONST level; LOAD_CONST fromlist
   (None, or the tuple of the names after `from m import`). */
static int emit_import_operands(Compiler *c, int level, const NodeList *names)
{
    CHECK(emit_const_steal(c, int_from_i64(level)));
    if (names == NULL)
        return emit_none(c);
    Object *t = tuple_new((size_t)names->count);
    if (t == NULL)
        return -1;
    for (int i = 0; i < names->count; i++) {
        Object *s = str_from_cstr(names->items[i]->u.alias.name);
        if (s == NULL) {
            for (int k = i; k < names->count; k++)
                tuple_set_steal(t, (size_t)k, NEWREF(None));
            DECREF(t);
            return -1;
        }
        tuple_set_steal(t, (size_t)i, s);
    }
    return emit_const_steal(c, t);
}

/* import a.b.c      LOAD_CONST 0; LOAD_CONST None; IMPORT_NAME 'a.b.c'; STORE a
   import a.b as x   ...; IMPORT_NAME 'a.b'; IMPORT_FROM b; ROT_TWO; POP_TOP; STORE x
   (IMPORT_NAME yields the top-level package, as in Python.) */
static int compile_import(Compiler *c, const Node *n)
{
    for (int i = 0; i < n->u.import.names.count; i++) {
        const Node *alias = n->u.import.names.items[i];
        const char *full = alias->u.alias.name;
        CHECK(emit_import_operands(c, 0, NULL));
        CHECK(emit_name_index_op(c, OP_IMPORT_NAME, &c->u->names, full));
        const char *dot = strchr(full, '.');
        if (alias->u.alias.asname != NULL) {
            while (dot != NULL) {
                const char *part = dot + 1;
                dot = strchr(part, '.');
                size_t len = dot ? (size_t)(dot - part) : strlen(part);
                char *sub = ast_arena_strdup(c->arena, part, len);
                if (sub == NULL) {
                    error_no_memory();
                    return -1;
                }
                CHECK(emit_name_index_op(c, OP_IMPORT_FROM, &c->u->names, sub));
                EMIT(c, ROT_TWO, 0);
                EMIT(c, POP_TOP, 0);
            }
            CHECK(compile_name_op(c, alias->u.alias.asname, CTX_OP_STORE));
        } else {
            const char *top = full;
            if (dot != NULL) {
                top = ast_arena_strdup(c->arena, full, (size_t)(dot - full));
                if (top == NULL) {
                    error_no_memory();
                    return -1;
                }
            }
            CHECK(compile_name_op(c, top, CTX_OP_STORE));
        }
    }
    return 0;
}

/* from ..m import a, b as c:  LOAD_CONST 2; LOAD_CONST ('a', 'b');
   IMPORT_NAME m; IMPORT_FROM a; STORE a; IMPORT_FROM b; STORE c; POP_TOP
   from m import *:  LOAD_CONST 0; LOAD_CONST ('*',); IMPORT_NAME m; IMPORT_STAR
   (`from . import x` imports the name ''; the symbol table rejects `*`
   outside a module's top level.) */
static int compile_import_from(Compiler *c, const Node *n)
{
    const NodeList *names = &n->u.import_from.names;
    const char *module = n->u.import_from.module ? n->u.import_from.module : "";
    CHECK(emit_import_operands(c, n->u.import_from.level, names));
    CHECK(emit_name_index_op(c, OP_IMPORT_NAME, &c->u->names, module));
    if (names->count == 1 && strcmp(names->items[0]->u.alias.name, "*") == 0) {
        EMIT(c, IMPORT_STAR, 0);
        return 0;
    }
    for (int i = 0; i < names->count; i++) {
        const Node *alias = names->items[i];
        CHECK(emit_name_index_op(c, OP_IMPORT_FROM, &c->u->names, alias->u.alias.name));
        const char *bound = alias->u.alias.asname ? alias->u.alias.asname : alias->u.alias.name;
        CHECK(compile_name_op(c, bound, CTX_OP_STORE));
    }
    EMIT(c, POP_TOP, 0);
    return 0;
}

static int compile_expr_stmt(Compiler *c, const Node *n)
{
    const Node *value = n->u.expr_stmt.value;
    if ((c->mode == PARSE_SINGLE || c->mode == PARSE_INTERACTIVE) &&
        c->u->scope->kind == SCOPE_MODULE) {
        CHECK(compile_expr(c, value));
        EMIT(c, PRINT_EXPR, 0);
        return 0;
    }
    if (is_const_node(value))
        return 0; /* docstrings, `...`: no code, as in CPython */
    CHECK(compile_expr(c, value));
    EMIT(c, POP_TOP, 0);
    return 0;
}

static int compile_stmt_inner(Compiler *c, const Node *n)
{
    switch (n->kind) {
    case NODE_EXPR_STMT:
        return compile_expr_stmt(c, n);
    case NODE_ASSIGN:
        return compile_assign(c, n);
    case NODE_AUG_ASSIGN:
        return compile_aug_assign(c, n);
    case NODE_IF:
        return compile_if(c, n);
    case NODE_WHILE:
        return compile_while(c, n);
    case NODE_FOR:
        return compile_for(c, n);
    case NODE_BREAK:
    case NODE_CONTINUE:
        return compile_break_continue(c, n);
    case NODE_PASS:
    case NODE_GLOBAL:
    case NODE_NONLOCAL:
        return 0;
    case NODE_FUNCTION_DEF:
        return compile_function_def(c, n);
    case NODE_RETURN:
        return compile_return(c, n);
    case NODE_CLASS_DEF:
        return compile_class_def(c, n);
    case NODE_TRY:
        return compile_try(c, n);
    case NODE_RAISE:
        return compile_raise(c, n);
    case NODE_WITH:
        return compile_with(c, n, 0);
    case NODE_ASSERT:
        return compile_assert(c, n);
    case NODE_DEL:
        for (int i = 0; i < n->u.del_stmt.targets.count; i++)
            CHECK(compile_delete(c, n->u.del_stmt.targets.items[i]));
        return 0;
    case NODE_IMPORT:
        return compile_import(c, n);
    case NODE_IMPORT_FROM:
        return compile_import_from(c, n);
    default:
        return SYNTAX_ERROR(c, n, "invalid syntax");
    }
}

static int compile_stmt(Compiler *c, const Node *n)
{
    CHECK(enter_recursion(c));
    c->u->line = n->line;
    int r = compile_stmt_inner(c, n);
    c->depth--;
    return r;
}

static int compile_stmts(Compiler *c, const NodeList *l)
{
    for (int i = 0; i < l->count; i++)
        CHECK(compile_stmt(c, l->items[i]));
    return 0;
}

/* ------------------------------------------------------------------ */
/* Assembly: labels, stack depth, code object                           */
/* ------------------------------------------------------------------ */

/* Net stack effect of an instruction; `jump` selects the effect when its
   jump is taken. */
static int stack_effect(uint32_t ins, bool jump)
{
    int arg = (int)INSTR_ARG(ins);
    switch (INSTR_OP(ins)) {
    case OP_NOP: case OP_ROT_TWO: case OP_ROT_THREE: case OP_ROT_FOUR:
    case OP_DELETE_FAST: case OP_DELETE_DEREF: case OP_DELETE_GLOBAL: case OP_DELETE_NAME:
    case OP_LOAD_ATTR: case OP_UNARY_NEGATIVE: case OP_UNARY_POSITIVE: case OP_UNARY_NOT:
    case OP_UNARY_INVERT: case OP_JUMP: case OP_GET_ITER: case OP_LIST_TO_TUPLE:
    case OP_KW_NAMES: case OP_POP_BLOCK: case OP_YIELD_VALUE: case OP_GET_YIELD_FROM_ITER:
    case OP_CACHE: case OP_LOAD_ATTR_INSTANCE: case OP_LOAD_ATTR_SLOT: case OP_LOAD_ATTR_CLASS:
    case OP_LOAD_ATTR_MODULE: case OP_LOAD_ATTR_TYPE:
        return 0;
    case OP_RETURN_GENERATOR:
        return 1; /* resuming pushes the value sent in */
    case OP_SEND:
        return jump ? -1 : 0;
    case OP_DUP_TOP: case OP_PUSH_NULL: case OP_LOAD_CONST: case OP_LOAD_FAST:
    case OP_LOAD_DEREF: case OP_LOAD_CLOSURE: case OP_LOAD_GLOBAL: case OP_LOAD_NAME:
    case OP_LOAD_CLASS_CELL: case OP_LOAD_METHOD: case OP_LOAD_BUILD_CLASS: case OP_PUSH_EXC_INFO:
    case OP_WITH_EXCEPT_START: case OP_LOAD_ASSERTION_ERROR: case OP_IMPORT_FROM:
    case OP_LOAD_GLOBAL_MODULE: case OP_LOAD_GLOBAL_BUILTIN: case OP_LOAD_METHOD_FUNC:
    case OP_LOAD_NAME_MODULE: case OP_LOAD_NAME_BUILTIN: case OP_LOAD_METHOD_BUILTIN:
    case OP_LOAD_METHOD_TYPE:
        return 1;
    case OP_DUP_TOP_TWO:
        return 2;
    case OP_POP_TOP: case OP_STORE_FAST: case OP_STORE_DEREF: case OP_STORE_GLOBAL:
    case OP_STORE_NAME: case OP_DELETE_ATTR: case OP_BINARY_SUBSCR: case OP_BINARY_OP:
    case OP_INPLACE_OP: case OP_COMPARE_OP: case OP_IS_OP: case OP_CONTAINS_OP:
    case OP_POP_JUMP_IF_FALSE: case OP_POP_JUMP_IF_TRUE: case OP_LIST_APPEND:
    case OP_LIST_EXTEND: case OP_SET_ADD: case OP_SET_UPDATE: case OP_DICT_MERGE:
    case OP_RETURN_VALUE: case OP_POP_EXCEPT: case OP_RERAISE: case OP_PRINT_EXPR:
    case OP_IMPORT_NAME: case OP_IMPORT_STAR:
        return -1;
    case OP_STORE_ATTR: case OP_DELETE_SUBSCR: case OP_MAP_ADD: case OP_JUMP_IF_NOT_EXC_MATCH:
    case OP_STORE_ATTR_INSTANCE: case OP_STORE_ATTR_SLOT: case OP_STORE_ATTR_DICT:
        return -2;
    case OP_STORE_SUBSCR:
        return -3;
    case OP_BINARY_SLICE:
        return -arg;
    case OP_CALL_EXIT: case OP_STORE_SLICE:
        return -4;
    case OP_JUMP_IF_FALSE_OR_POP: case OP_JUMP_IF_TRUE_OR_POP:
        return jump ? 0 : -1;
    case OP_FOR_ITER:
        return jump ? -1 : 1;
    case OP_SETUP_FINALLY:
        return jump ? 1 : 0;
    case OP_SETUP_WITH:
        return 1; /* cm -> exit, enter_result; or, at the handler, exit + exc */
    case OP_BUILD_SLICE: case OP_BUILD_TUPLE: case OP_BUILD_LIST: case OP_BUILD_SET:
    case OP_BUILD_STRING:
        return 1 - arg;
    case OP_BUILD_MAP:
        return 1 - 2 * arg;
    case OP_UNPACK_SEQUENCE:
        return arg - 1;
    case OP_UNPACK_EX:
        return (arg & 0xff) + (arg >> 8);
    case OP_FORMAT_VALUE:
        return (arg & 4) ? -1 : 0;
    case OP_CALL: case OP_CALL_PY_FUNC: case OP_CALL_PY_SELF: case OP_CALL_CLASS_INIT:
    case OP_CALL_LIST_APPEND: case OP_CALL_METHOD_DESCR:
        return -(arg + 1);
    case OP_CALL_EX:
        return -(arg + 1);
    case OP_MAKE_FUNCTION:
        return -(((arg & 1) != 0) + ((arg & 2) != 0) + ((arg & 8) != 0));
    case OP_RAISE_VARARGS:
        return -arg;
    case OP_LOAD_FAST_LOAD_FAST: case OP_LOAD_FAST_LOAD_CONST: case OP_STORE_FAST_LOAD_FAST:
    case OP_STORE_FAST_JUMP: case OP_FOR_ITER_STORE_FAST: case OP_DUP_TOP_TWO_SUBSCR:
    case OP_ROT_THREE_STORE_SUBSCR: case OP_LOAD_FAST_CONST_SUBSCR:
    case OP_LOAD_FAST_LOAD_FAST_SUBSCR:
    case OP_LOAD_FAST_CONST_STORE_SUBSCR: case OP_LOAD_FAST_LOAD_FAST_STORE_SUBSCR:
    case OP_LOAD_CONST_BINOP: case OP_LOAD_FAST_BINOP:
    case OP_LOAD_CONST_COMPARE: case OP_LOAD_FAST_COMPARE:
    case OP_LOAD_FAST_LOAD_FAST_BINOP: case OP_LOAD_FAST_LOAD_CONST_BINOP:
    case OP_LOAD_FAST_LOAD_FAST_COMPARE_JUMP: case OP_LOAD_FAST_LOAD_CONST_COMPARE_JUMP:
    case OP_LOAD_CONST_IS_JUMP: case OP_LOAD_FAST_LOAD_CONST_IS_JUMP:
    case OP_LOAD_FAST_LOAD_ATTR: case OP_LOAD_FAST_STORE_ATTR: case OP_LOAD_FAST_RETURN_VALUE:
    case OP_LOAD_FAST_CONTAINS:
        assert(!"superinstructions are made after the stack depth is known");
        break;
    case OP_COUNT:
        break;
    }
    return 0;
}

static bool falls_through(Opcode op)
{
    return op != OP_JUMP && op != OP_RETURN_VALUE && op != OP_RERAISE && op != OP_RAISE_VARARGS;
}

/* Record depth d for instruction i, queueing it the first time. */
static int visit_depth(int *depth, int *work, int *nwork, int i, int d, int n)
{
    if (i < 0 || i >= n || d < 0)
        return -1;
    if (depth[i] < 0) {
        depth[i] = d;
        work[(*nwork)++] = i;
        return 0;
    }
    return depth[i] == d ? 0 : -1;
}

/* The maximum stack depth over every path through the (label-resolved)
   code; -1 with an exception if the code is inconsistent (a compiler bug). */
static int stack_depth(const uint32_t *instrs, int n)
{
    if (n == 0)
        return 0;
    int *depth = mem_alloc((size_t)n * sizeof(int));
    int *work = mem_alloc((size_t)n * sizeof(int));
    if (depth == NULL || work == NULL) {
        if (depth)
            mem_free(depth, (size_t)n * sizeof(int));
        if (work)
            mem_free(work, (size_t)n * sizeof(int));
        error_no_memory();
        return -1;
    }
    for (int i = 0; i < n; i++)
        depth[i] = -1;
    int nwork = 0, max = 0, bad = -1;
    visit_depth(depth, work, &nwork, 0, 0, n);
    while (nwork > 0 && bad < 0) {
        int i = work[--nwork];
        uint32_t ins = instrs[i];
        Opcode op = INSTR_OP(ins);
        if (opcode_is_jump(op)) {
            int d = depth[i] + stack_effect(ins, true);
            max = d > max ? d : max;
            if (visit_depth(depth, work, &nwork, (int)INSTR_ARG(ins), d, n) < 0)
                bad = i;
        }
        if (falls_through(op)) {
            int d = depth[i] + stack_effect(ins, false);
            max = d > max ? d : max;
            if (visit_depth(depth, work, &nwork, i + 1 + opcode_cache_size(op), d, n) < 0)
                bad = i;
        }
    }
    mem_free(depth, (size_t)n * sizeof(int));
    mem_free(work, (size_t)n * sizeof(int));
    if (bad >= 0) {
        error_set(&exc_SyntaxError, "internal compiler error: inconsistent stack at %s (%d)",
                  opcode_name(INSTR_OP(instrs[bad])), bad);
        return -1;
    }
    return max;
}

/* Turn the current unit into a code object (new reference, or NULL). */
static CodeObject *assemble(Compiler *c)
{
    Unit *u = c->u;
    for (int i = 0; i < u->ninstrs; i += 1 + opcode_cache_size(INSTR_OP(u->instrs[i]))) {
        Opcode op = INSTR_OP(u->instrs[i]);
        if (!opcode_is_jump(op))
            continue;
        int target = u->labels[INSTR_ARG(u->instrs[i])];
        if (target < 0) {
            error_set(&exc_SyntaxError, "internal compiler error: unbound label");
            return NULL;
        }
        u->instrs[i] = INSTR(op, target);
    }
    int stacksize = stack_depth(u->instrs, u->ninstrs);
    if (stacksize < 0)
        return NULL;
    superinstr_fuse(u->instrs, u->ninstrs);
    CodeObject *co = NULL;
    Object *consts = table_tuple(&u->consts, 0, u->consts.count);
    Object *names = table_tuple(&u->names, 0, u->names.count);
    Object *varnames = table_tuple(&u->varnames, 0, u->varnames.count);
    Object *cellvars = table_tuple(&u->cells, 0, u->ncellvars);
    Object *freevars = table_tuple(&u->cells, u->ncellvars, u->cells.count);
    Object *name = str_from_cstr(u->name);
    if (consts && names && varnames && cellvars && freevars && name)
        co = code_new(u->instrs, u->lines, u->ninstrs, consts, names, varnames, cellvars,
                      freevars, u->argcount, u->kwonlyargcount, stacksize, u->flags, name,
                      u->qualname, c->filename, u->firstline);
    XDECREF(consts);
    XDECREF(names);
    XDECREF(varnames);
    XDECREF(cellvars);
    XDECREF(freevars);
    XDECREF(name);
    return co;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                         */
/* ------------------------------------------------------------------ */

static CodeObject *compile_module(Compiler *c, const Node *root, Scope *top)
{
    if (unit_push(c, top, "<module>", str_from_cstr("<module>"), 1) < 0)
        return NULL;
    int r;
    if (c->mode == PARSE_EVAL) {
        r = compile_expr(c, root);
        if (r == 0)
            r = emit(c, OP_RETURN_VALUE, 0);
    } else {
        r = c->mode == PARSE_FILE ? compile_docstring(c, &root->u.module.body) : 0;
        if (r == 0)
            r = compile_stmts(c, &root->u.module.body);
        if (r == 0)
            r = emit_none(c);
        if (r == 0)
            r = emit(c, OP_RETURN_VALUE, 0);
    }
    CodeObject *co = r == 0 ? assemble(c) : NULL;
    unit_pop(c);
    return co;
}

static void raise_parse_error(const ParseError *err, const char *src, size_t len,
                              const char *filename)
{
    switch (err->status) {
    case PARSE_MEMORY_ERROR:
        error_no_memory();
        return;
    case PARSE_RECURSION_ERROR:
        error_set(&exc_RecursionError, "%s", err->message);
        return;
    default:
        break;
    }
    Type *type = err->status == PARSE_TAB_ERROR      ? &exc_TabError
                 : err->status == PARSE_INDENT_ERROR ? &exc_IndentationError
                                                     : &exc_SyntaxError;
    /* The parser's col is a character column within its source_line. */
    SyntaxLocation loc = { .lineno = err->line, .offset = err->col,
                           .text = err->source_line, .text_len = strlen(err->source_line),
                           .zero_known = err->no_column };
    const char *line;
    size_t line_len;
    if (find_line(src, len, err->line, &line, &line_len)) {
        loc.newline = line_has_newline(src, len, line, line_len);
        if (loc.text_len == 0) {
            loc.text = line;
            loc.text_len = line_len;
        }
    } else if (loc.text_len == 0 && !err->no_column) {
        loc.text = NULL;
    }
    raise_syntax_error(type, err->message, filename, &loc);
}

static void raise_symtable_error(Compiler *c, const SymtableError *err)
{
    switch (err->kind) {
    case SYMERR_MEMORY:
        error_no_memory();
        return;
    case SYMERR_RECURSION:
        error_set(&exc_RecursionError, "%s", err->message);
        return;
    case SYMERR_SYNTAX:
        syntax_error_at(c, err->line, err->col, true, "%s", err->message);
        return;
    }
}

static CodeObject *compile_text(const char *src, size_t len, const char *filename,
                                ParseMode mode, bool from_file);

CodeObject *compile_source(const char *src, size_t len, const char *filename, ParseMode mode)
{
    if (filename == NULL)
        filename = "<string>";
    return compile_text(src, len, filename, mode, filename[0] != '<');
}

CodeObject *compile_string(const char *src, size_t len, const char *filename, ParseMode mode)
{
    return compile_text(src, len, filename, mode, false);
}

static CodeObject *compile_text(const char *src, size_t len, const char *filename,
                                ParseMode mode, bool from_file)
{
    AstArena arena;
    ast_arena_init(&arena);
    ParseError perr;
    memset(&perr, 0, sizeof perr);
    Node *root = parser_parse(&arena, src, len, filename, mode, &perr);
    if (root == NULL) {
        if (perr.status == PARSE_INCOMPLETE)
            perr.status = PARSE_SYNTAX_ERROR;
        raise_parse_error(&perr, src, len, filename);
        ast_arena_free(&arena);
        return NULL;
    }
    Compiler c = { .arena = &arena, .src = src, .srclen = len, .filename_c = filename,
                   .from_file = from_file,
                   .mode = mode, .const_cache = { .by_value = true } };
    CodeObject *co = NULL;
    c.filename = str_from_cstr(filename);
    if (c.filename != NULL) {
        SymtableError serr;
        Scope *top = symtable_build(&arena, root, &serr);
        if (top == NULL)
            raise_symtable_error(&c, &serr);
        else
            co = compile_module(&c, root, top);
        DECREF(c.filename);
    }
    table_free(&c.const_cache);
    ast_arena_free(&arena);
    return co;
}

int compile_is_incomplete(const char *src, size_t len)
{
    AstArena arena;
    ast_arena_init(&arena);
    ParseError perr;
    memset(&perr, 0, sizeof perr);
    Node *root = parser_parse(&arena, src, len, "<stdin>", PARSE_INTERACTIVE, &perr);
    ast_arena_free(&arena);
    return root == NULL && perr.status == PARSE_INCOMPLETE;
}
