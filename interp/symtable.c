/* symtable.c - scope analysis (see symtable.h for what it decides).
 *
 * Two passes:
 *   1. collect: walk the AST in source order, creating a Scope for every
 *      module/function/lambda/comprehension/class and recording in each
 *      scope's symbols what the code does with every name (binds, reads,
 *      declares global/nonlocal, takes as a parameter). The global/nonlocal
 *      ordering errors are detected here, because only this walk knows what
 *      came before the declaration.
 *   2. analyse: walk the scope tree; each symbol gets its final NameScope.
 *      A free name is looked up through the enclosing *function* scopes
 *      (class bodies are skipped, the module stops the search); the scope
 *      that binds it marks it captured (a cell), and every scope in between
 *      adds it to its freevars so it can pass the cell down.
 *
 * Invariants: everything lives in the AST arena; a Scope's symbols keep
 * first-seen order (which becomes varnames order), and params hold the
 * parameter names in frame-slot order (positional, keyword-only, *args,
 * **kwargs), as code.h describes.
 */
#include "interp/symtable.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Deeper than the parser allows, so it only guards against surprises. */
enum { SYMTABLE_MAX_DEPTH = 4000 };

typedef struct {
    AstArena *arena;
    SymtableError *err;
    bool failed;
    int depth;
} Builder;

/* ------------------------------------------------------------------ */
/* Errors and arena helpers                                             */
/* ------------------------------------------------------------------ */

static bool fail_syntax(Builder *b, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool fail_syntax(Builder *b, int line, int col, const char *fmt, ...)
{
    if (b->failed)
        return false;
    b->failed = true;
    b->err->kind = SYMERR_SYNTAX;
    b->err->line = line;
    b->err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->err->message, sizeof b->err->message, fmt, ap);
    va_end(ap);
    return false;
}

static bool fail_memory(Builder *b)
{
    if (!b->failed) {
        b->failed = true;
        b->err->kind = SYMERR_MEMORY;
        snprintf(b->err->message, sizeof b->err->message, "out of memory");
    }
    return false;
}

static void *arena_alloc(Builder *b, size_t size)
{
    void *p = ast_arena_alloc(b->arena, size);
    if (p == NULL)
        fail_memory(b);
    return p;
}

/* Make room for one more element in an arena array. The arena cannot
   realloc, so growing copies into a fresh block (old blocks are simply left
   to the arena). */
static bool grow_array(Builder *b, void **items, int count, int *cap, size_t elem)
{
    if (count < *cap)
        return true;
    int new_cap = *cap ? *cap * 2 : 8;
    void *fresh = arena_alloc(b, (size_t)new_cap * elem);
    if (fresh == NULL)
        return false;
    if (count > 0)
        memcpy(fresh, *items, (size_t)count * elem);
    *items = fresh;
    *cap = new_cap;
    return true;
}

static bool namelist_contains(const SymNameList *l, const char *name)
{
    for (int i = 0; i < l->count; i++)
        if (strcmp(l->items[i], name) == 0)
            return true;
    return false;
}

static bool namelist_add_unique(Builder *b, SymNameList *l, const char *name)
{
    if (namelist_contains(l, name))
        return true;
    if (!grow_array(b, (void **)&l->items, l->count, &l->cap, sizeof(const char *)))
        return false;
    l->items[l->count++] = name;
    return true;
}

/* ------------------------------------------------------------------ */
/* Mangling                                                             */
/* ------------------------------------------------------------------ */

const char *symtable_mangle(AstArena *arena, const char *private_name, const char *name)
{
    if (private_name == NULL || name[0] != '_' || name[1] != '_')
        return name;
    size_t n = strlen(name);
    if ((n >= 4 && name[n - 1] == '_' && name[n - 2] == '_') || strchr(name, '.'))
        return name;
    while (*private_name == '_')
        private_name++;
    if (*private_name == '\0')
        return name;
    size_t p = strlen(private_name);
    char *out = ast_arena_alloc(arena, 1 + p + n + 1);
    if (out == NULL)
        return NULL;
    out[0] = '_';
    memcpy(out + 1, private_name, p);
    memcpy(out + 1 + p, name, n + 1);
    return out;
}

static const char *mangle(Builder *b, Scope *s, const char *name)
{
    const char *m = symtable_mangle(b->arena, s->private_name, name);
    if (m == NULL)
        fail_memory(b);
    return m;
}

/* ------------------------------------------------------------------ */
/* Symbols                                                              */
/* ------------------------------------------------------------------ */

static unsigned hash_name(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int find_index(const Scope *s, const char *name)
{
    if (s->table_cap == 0)
        return -1;
    unsigned mask = (unsigned)s->table_cap - 1;
    for (unsigned i = hash_name(name) & mask;; i = (i + 1) & mask) {
        int idx = s->table[i];
        if (idx < 0)
            return -1;
        if (strcmp(s->syms[idx].name, name) == 0)
            return idx;
    }
}

static bool rehash(Builder *b, Scope *s)
{
    int cap = s->table_cap ? s->table_cap * 2 : 16;
    int *table = arena_alloc(b, (size_t)cap * sizeof(int));
    if (table == NULL)
        return false;
    for (int i = 0; i < cap; i++)
        table[i] = -1;
    unsigned mask = (unsigned)cap - 1;
    for (int idx = 0; idx < s->nsyms; idx++) {
        unsigned i = hash_name(s->syms[idx].name) & mask;
        while (table[i] >= 0)
            i = (i + 1) & mask;
        table[i] = idx;
    }
    s->table = table;
    s->table_cap = cap;
    return true;
}

/* The symbol for an already-mangled name, created if new. */
static Symbol *get_symbol(Builder *b, Scope *s, const char *name)
{
    int idx = find_index(s, name);
    if (idx >= 0)
        return &s->syms[idx];
    if ((s->nsyms + 1) * 2 > s->table_cap && !rehash(b, s))
        return NULL;
    if (!grow_array(b, (void **)&s->syms, s->nsyms, &s->syms_cap, sizeof(Symbol)))
        return NULL;
    Symbol *sym = &s->syms[s->nsyms];
    memset(sym, 0, sizeof *sym);
    sym->name = name;
    unsigned mask = (unsigned)s->table_cap - 1;
    unsigned i = hash_name(name) & mask;
    while (s->table[i] >= 0)
        i = (i + 1) & mask;
    s->table[i] = s->nsyms++;
    return sym;
}

/* Record a use of `name` (unmangled) with the given SYM_* flag. */
static bool note_name(Builder *b, Scope *s, const char *name, unsigned flag)
{
    const char *m = mangle(b, s, name);
    if (m == NULL)
        return false;
    Symbol *sym = get_symbol(b, s, m);
    if (sym == NULL)
        return false;
    sym->flags |= flag;
    return true;
}

const Symbol *symtable_lookup(const Scope *s, const char *name)
{
    int idx = find_index(s, name);
    return idx >= 0 ? &s->syms[idx] : NULL;
}

NameScope symtable_resolve(const Scope *s, const char *name)
{
    const Symbol *sym = symtable_lookup(s, name);
    return sym ? sym->scope : NAME_GLOBAL_IMPLICIT;
}

/* ------------------------------------------------------------------ */
/* Scopes                                                               */
/* ------------------------------------------------------------------ */

static Scope *new_scope(Builder *b, Scope *parent, ScopeKind kind, const char *name,
                        const Node *node)
{
    Scope *s = arena_alloc(b, sizeof(Scope));
    if (s == NULL)
        return NULL;
    s->kind = kind;
    s->name = name;
    s->node = node;
    s->parent = parent;
    if (parent != NULL) {
        s->private_name = parent->private_name;
        if (!grow_array(b, (void **)&parent->children, parent->nchildren,
                        &parent->children_cap, sizeof(Scope *)))
            return NULL;
        parent->children[parent->nchildren++] = s;
    }
    return s;
}

Scope *symtable_child(Scope *parent, const Node *node)
{
    /* The compiler asks for children in nearly the order they were created,
       so start at the hint and wrap around. */
    int n = parent->nchildren;
    for (int k = 0; k < n; k++) {
        int i = (parent->child_cursor + k) % n;
        if (parent->children[i]->node == node) {
            parent->child_cursor = (i + 1) % n;
            return parent->children[i];
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Pass 1: collect                                                      */
/* ------------------------------------------------------------------ */

static bool visit_stmt(Builder *b, Scope *s, const Node *n);
static bool visit_expr(Builder *b, Scope *s, const Node *n);

static bool visit_stmts(Builder *b, Scope *s, const NodeList *l)
{
    for (int i = 0; i < l->count; i++)
        if (!visit_stmt(b, s, l->items[i]))
            return false;
    return true;
}

static bool visit_exprs(Builder *b, Scope *s, const NodeList *l)
{
    for (int i = 0; i < l->count; i++)
        if (l->items[i] != NULL && !visit_expr(b, s, l->items[i]))
            return false;
    return true;
}

static bool visit_opt_expr(Builder *b, Scope *s, const Node *n)
{
    return n == NULL || visit_expr(b, s, n);
}

static bool add_param(Builder *b, Scope *s, const char *name, const Node *at)
{
    const char *m = mangle(b, s, name);
    if (m == NULL)
        return false;
    Symbol *sym = get_symbol(b, s, m);
    if (sym == NULL)
        return false;
    if (sym->flags & SYM_DEF_PARAM)
        return fail_syntax(b, at->line, at->col,
                           "duplicate argument '%s' in function definition", name);
    sym->flags |= SYM_DEF_PARAM;
    return grow_array(b, (void **)&s->params.items, s->params.count, &s->params.cap,
                      sizeof(const char *)) &&
           (s->params.items[s->params.count++] = m, true);
}

/* Default values are evaluated in the enclosing scope s. */
static bool visit_defaults(Builder *b, Scope *s, const Params *p)
{
    for (int i = 0; i < p->args.count; i++)
        if (!visit_opt_expr(b, s, p->defaults[i]))
            return false;
    for (int i = 0; i < p->kwonly.count; i++)
        if (!visit_opt_expr(b, s, p->kw_defaults[i]))
            return false;
    return true;
}

static bool add_params(Builder *b, Scope *f, const Params *p, const Node *at)
{
    for (int i = 0; i < p->args.count; i++)
        if (!add_param(b, f, p->args.items[i], at))
            return false;
    for (int i = 0; i < p->kwonly.count; i++)
        if (!add_param(b, f, p->kwonly.items[i], at))
            return false;
    if (p->vararg && !add_param(b, f, p->vararg, at))
        return false;
    if (p->kwarg && !add_param(b, f, p->kwarg, at))
        return false;
    return true;
}

static bool visit_function(Builder *b, Scope *s, const Node *n)
{
    const Params *p = &n->u.function_def.params;
    if (!visit_exprs(b, s, &n->u.function_def.decorators) ||
        !note_name(b, s, n->u.function_def.name, SYM_DEF_LOCAL) || !visit_defaults(b, s, p))
        return false;
    Scope *f = new_scope(b, s, SCOPE_FUNCTION, n->u.function_def.name, n);
    return f != NULL && add_params(b, f, p, n) && visit_stmts(b, f, &n->u.function_def.body);
}

static bool visit_class(Builder *b, Scope *s, const Node *n)
{
    if (!visit_exprs(b, s, &n->u.class_def.decorators) || !visit_exprs(b, s, &n->u.class_def.bases))
        return false;
    for (int i = 0; i < n->u.class_def.keywords.count; i++)
        if (!visit_expr(b, s, n->u.class_def.keywords.items[i]->u.keyword.value))
            return false;
    if (!note_name(b, s, n->u.class_def.name, SYM_DEF_LOCAL))
        return false;
    Scope *c = new_scope(b, s, SCOPE_CLASS, n->u.class_def.name, n);
    if (c == NULL)
        return false;
    c->private_name = n->u.class_def.name;
    return visit_stmts(b, c, &n->u.class_def.body);
}

/* `global` / `nonlocal` declarations, with CPython's ordering errors. */
static bool visit_declaration(Builder *b, Scope *s, const Node *n, bool is_global)
{
    const char *what = is_global ? "global" : "nonlocal";
    if (!is_global && s->kind == SCOPE_MODULE)
        return fail_syntax(b, n->line, n->col, "nonlocal declaration not allowed at module level");
    for (int i = 0; i < n->u.names.names.count; i++) {
        const char *name = n->u.names.names.items[i];
        const char *m = mangle(b, s, name);
        Symbol *sym = m ? get_symbol(b, s, m) : NULL;
        if (sym == NULL)
            return false;
        if (sym->flags & SYM_DEF_PARAM)
            return fail_syntax(b, n->line, n->col, "name '%s' is parameter and %s", name, what);
        if (sym->flags & SYM_USE)
            return fail_syntax(b, n->line, n->col, "name '%s' is used prior to %s declaration",
                               name, what);
        if (sym->flags & SYM_DEF_LOCAL)
            return fail_syntax(b, n->line, n->col,
                               "name '%s' is assigned to before %s declaration", name, what);
        if (sym->flags & (is_global ? SYM_DEF_NONLOCAL : SYM_DEF_GLOBAL))
            return fail_syntax(b, n->line, n->col, "name '%s' is nonlocal and global", name);
        sym->flags |= is_global ? SYM_DEF_GLOBAL : SYM_DEF_NONLOCAL;
        sym->decl_line = n->line;
        sym->decl_col = n->col;
    }
    return true;
}

static bool visit_import(Builder *b, Scope *s, const Node *n)
{
    const NodeList *names = n->kind == NODE_IMPORT ? &n->u.import.names : &n->u.import_from.names;
    for (int i = 0; i < names->count; i++) {
        const Node *alias = names->items[i];
        const char *bound = alias->u.alias.asname;
        if (bound == NULL) {
            const char *full = alias->u.alias.name;
            if (strcmp(full, "*") == 0) {
                /* IMPORT_STAR writes names the compiler cannot see: only a
                   module's namespace is a dict it can write them into. */
                if (s->kind != SCOPE_MODULE)
                    return fail_syntax(b, alias->line, alias->col,
                                       "import * only allowed at module level");
                continue;
            }
            const char *dot = strchr(full, '.');
            bound = dot ? ast_arena_strdup(b->arena, full, (size_t)(dot - full)) : full;
            if (bound == NULL)
                return fail_memory(b);
        }
        if (!note_name(b, s, bound, SYM_DEF_LOCAL))
            return false;
    }
    return true;
}

static bool visit_try(Builder *b, Scope *s, const Node *n)
{
    if (!visit_stmts(b, s, &n->u.try_stmt.body))
        return false;
    for (int i = 0; i < n->u.try_stmt.handlers.count; i++) {
        const Node *h = n->u.try_stmt.handlers.items[i];
        if (!visit_opt_expr(b, s, h->u.handler.type))
            return false;
        if (h->u.handler.name && !note_name(b, s, h->u.handler.name, SYM_DEF_LOCAL))
            return false;
        if (!visit_stmts(b, s, &h->u.handler.body))
            return false;
    }
    return visit_stmts(b, s, &n->u.try_stmt.orelse) &&
           visit_stmts(b, s, &n->u.try_stmt.finalbody);
}

static bool visit_stmt_inner(Builder *b, Scope *s, const Node *n)
{
    switch (n->kind) {
    case NODE_EXPR_STMT:
        return visit_expr(b, s, n->u.expr_stmt.value);
    case NODE_ASSIGN:
        return visit_expr(b, s, n->u.assign.value) && visit_exprs(b, s, &n->u.assign.targets);
    case NODE_AUG_ASSIGN: {
        const Node *t = n->u.aug_assign.target;
        /* `x += v` binds x (its read needs no flag of its own: CPython
           reports a later `global x` as "assigned to before"). */
        return visit_expr(b, s, t) && visit_expr(b, s, n->u.aug_assign.value);
    }
    case NODE_IF:
        return visit_expr(b, s, n->u.if_stmt.test) && visit_stmts(b, s, &n->u.if_stmt.body) &&
               visit_stmts(b, s, &n->u.if_stmt.orelse);
    case NODE_WHILE:
        return visit_expr(b, s, n->u.while_stmt.test) &&
               visit_stmts(b, s, &n->u.while_stmt.body) &&
               visit_stmts(b, s, &n->u.while_stmt.orelse);
    case NODE_FOR:
        return visit_expr(b, s, n->u.for_stmt.iter) && visit_expr(b, s, n->u.for_stmt.target) &&
               visit_stmts(b, s, &n->u.for_stmt.body) && visit_stmts(b, s, &n->u.for_stmt.orelse);
    case NODE_FUNCTION_DEF:
        return visit_function(b, s, n);
    case NODE_CLASS_DEF:
        return visit_class(b, s, n);
    case NODE_RETURN:
        return visit_opt_expr(b, s, n->u.return_stmt.value);
    case NODE_TRY:
        return visit_try(b, s, n);
    case NODE_RAISE:
        return visit_opt_expr(b, s, n->u.raise_stmt.exc) &&
               visit_opt_expr(b, s, n->u.raise_stmt.cause);
    case NODE_WITH:
        for (int i = 0; i < n->u.with_stmt.items.count; i++) {
            const Node *item = n->u.with_stmt.items.items[i];
            if (!visit_expr(b, s, item->u.with_item.context) ||
                !visit_opt_expr(b, s, item->u.with_item.target))
                return false;
        }
        return visit_stmts(b, s, &n->u.with_stmt.body);
    case NODE_ASSERT:
        return visit_expr(b, s, n->u.assert_stmt.test) &&
               visit_opt_expr(b, s, n->u.assert_stmt.msg);
    case NODE_DEL:
        return visit_exprs(b, s, &n->u.del_stmt.targets);
    case NODE_GLOBAL:
        return visit_declaration(b, s, n, true);
    case NODE_NONLOCAL:
        return visit_declaration(b, s, n, false);
    case NODE_IMPORT:
    case NODE_IMPORT_FROM:
        return visit_import(b, s, n);
    case NODE_PASS:
        return !n->u.pass_stmt.annotated || visit_expr(b, s, n->u.pass_stmt.annotated);
    case NODE_BREAK:
    case NODE_CONTINUE:
        return true;
    default:
        /* An expression where a statement was expected cannot come from the
           parser; treat it as an expression statement. */
        return visit_expr(b, s, n);
    }
}

static bool enter(Builder *b, const Node *n)
{
    if (b->failed)
        return false;
    if (++b->depth > SYMTABLE_MAX_DEPTH) {
        b->failed = true;
        b->err->kind = SYMERR_RECURSION;
        b->err->line = n->line;
        b->err->col = n->col;
        snprintf(b->err->message, sizeof b->err->message,
                 "maximum recursion depth exceeded during compilation");
        return false;
    }
    return true;
}

static bool visit_stmt(Builder *b, Scope *s, const Node *n)
{
    if (!enter(b, n))
        return false;
    bool ok = visit_stmt_inner(b, s, n);
    b->depth--;
    return ok;
}

static const char *comprehension_name(NodeKind kind)
{
    switch (kind) {
    case NODE_LIST_COMP: return "<listcomp>";
    case NODE_DICT_COMP: return "<dictcomp>";
    case NODE_SET_COMP: return "<setcomp>";
    default: return "<genexpr>";
    }
}

/* The first iterable is evaluated in s; everything else in the new scope,
   whose only parameter ".0" receives the iterator. */
static bool visit_comprehension(Builder *b, Scope *s, const Node *n)
{
    const NodeList *gens = &n->u.comp.generators;
    if (gens->count == 0)
        return true;
    if (!visit_expr(b, s, gens->items[0]->u.comprehension.iter))
        return false;
    Scope *c = new_scope(b, s, SCOPE_FUNCTION, comprehension_name(n->kind), n);
    if (c == NULL)
        return false;
    c->is_comprehension = true;
    c->is_generator = n->kind == NODE_GENERATOR_EXP;
    if (!add_param(b, c, ".0", n))
        return false;
    for (int i = 0; i < gens->count; i++) {
        const Node *g = gens->items[i];
        if (i > 0 && !visit_expr(b, c, g->u.comprehension.iter))
            return false;
        if (!visit_expr(b, c, g->u.comprehension.target) ||
            !visit_exprs(b, c, &g->u.comprehension.ifs))
            return false;
    }
    return visit_opt_expr(b, c, n->u.comp.key) && visit_expr(b, c, n->u.comp.elt);
}

static bool visit_lambda(Builder *b, Scope *s, const Node *n)
{
    const Params *p = &n->u.lambda.params;
    if (!visit_defaults(b, s, p))
        return false;
    Scope *f = new_scope(b, s, SCOPE_FUNCTION, "<lambda>", n);
    return f != NULL && add_params(b, f, p, n) && visit_expr(b, f, n->u.lambda.body);
}

static bool visit_expr_inner(Builder *b, Scope *s, const Node *n)
{
    switch (n->kind) {
    case NODE_NAME:
        return note_name(b, s, n->u.name.id,
                         n->u.name.ctx == CTX_LOAD ? SYM_USE : SYM_DEF_LOCAL);
    case NODE_ATTRIBUTE:
        return visit_expr(b, s, n->u.attribute.value);
    case NODE_SUBSCRIPT:
        return visit_expr(b, s, n->u.subscript.value) && visit_expr(b, s, n->u.subscript.index);
    case NODE_SLICE:
        return visit_opt_expr(b, s, n->u.slice.lower) && visit_opt_expr(b, s, n->u.slice.upper) &&
               visit_opt_expr(b, s, n->u.slice.step);
    case NODE_STARRED:
        return visit_expr(b, s, n->u.starred.value);
    case NODE_CALL:
        if (!visit_expr(b, s, n->u.call.func) || !visit_exprs(b, s, &n->u.call.args))
            return false;
        for (int i = 0; i < n->u.call.keywords.count; i++)
            if (!visit_expr(b, s, n->u.call.keywords.items[i]->u.keyword.value))
                return false;
        return true;
    case NODE_BINOP:
        /* Long flat chains (a + b + c ...) are left-deep: loop down the
           left spine instead of recursing once per operand. */
        for (; n->kind == NODE_BINOP; n = n->u.binop.left)
            if (!visit_expr(b, s, n->u.binop.right))
                return false;
        return visit_expr(b, s, n);
    case NODE_UNARYOP:
        return visit_expr(b, s, n->u.unaryop.operand);
    case NODE_BOOLOP:
        return visit_exprs(b, s, &n->u.boolop.values);
    case NODE_COMPARE:
        return visit_expr(b, s, n->u.compare.left) && visit_exprs(b, s, &n->u.compare.comparators);
    case NODE_IFEXP:
        return visit_expr(b, s, n->u.ifexp.test) && visit_expr(b, s, n->u.ifexp.body) &&
               visit_expr(b, s, n->u.ifexp.orelse);
    case NODE_LAMBDA:
        return visit_lambda(b, s, n);
    case NODE_TUPLE:
    case NODE_LIST:
    case NODE_SET:
        return visit_exprs(b, s, &n->u.seq.elts);
    case NODE_DICT:
        return visit_exprs(b, s, &n->u.dict.keys) && visit_exprs(b, s, &n->u.dict.values);
    case NODE_LIST_COMP:
    case NODE_SET_COMP:
    case NODE_DICT_COMP:
    case NODE_GENERATOR_EXP:
        return visit_comprehension(b, s, n);
    case NODE_JOINED_STR:
        return visit_exprs(b, s, &n->u.joined.values);
    case NODE_FORMATTED_VALUE:
        return visit_expr(b, s, n->u.formatted.value) &&
               visit_opt_expr(b, s, n->u.formatted.format_spec);
    case NODE_KEYWORD:
        return visit_expr(b, s, n->u.keyword.value);
    case NODE_YIELD:
    case NODE_YIELD_FROM:
        if (s->kind != SCOPE_FUNCTION)
            return fail_syntax(b, n->line, n->col, "'yield' outside function");
        if (s->is_comprehension) {
            NodeKind k = s->node->kind;
            return fail_syntax(b, n->line, n->col, "'yield' inside %s",
                               k == NODE_LIST_COMP ? "list comprehension" :
                               k == NODE_SET_COMP ? "set comprehension" :
                               k == NODE_DICT_COMP ? "dict comprehension" : "generator expression");
        }
        s->is_generator = true;
        return visit_opt_expr(b, s, n->u.yield_expr.value);
    default:
        return true; /* constants */
    }
}

static bool visit_expr(Builder *b, Scope *s, const Node *n)
{
    if (!enter(b, n))
        return false;
    bool ok = visit_expr_inner(b, s, n);
    b->depth--;
    return ok;
}

/* ------------------------------------------------------------------ */
/* Pass 2: analyse                                                      */
/* ------------------------------------------------------------------ */

/* The function scope that binds `name` for code in s, searching outward
   from s's parent; NULL when the name is global there. Class bodies are
   skipped, a `global` declaration or the module ends the search, and a
   `nonlocal` declaration passes the search further out. */
static Scope *find_binder(Scope *s, const char *name)
{
    for (Scope *a = s->parent; a != NULL; a = a->parent) {
        if (a->kind == SCOPE_MODULE)
            return NULL;
        if (a->kind == SCOPE_CLASS)
            continue;
        const Symbol *sym = symtable_lookup(a, name);
        if (sym == NULL)
            continue;
        if (sym->flags & SYM_DEF_GLOBAL)
            return NULL;
        if (sym->flags & SYM_DEF_NONLOCAL)
            continue;
        if (sym->flags & (SYM_DEF_LOCAL | SYM_DEF_PARAM))
            return a;
    }
    return NULL;
}

/* s reads `name` from binder: binder keeps it in a cell, and every scope
   from s up to (not including) binder carries it as a free variable. */
static bool mark_free(Builder *b, Scope *s, Scope *binder, const char *name)
{
    for (Scope *a = s; a != binder; a = a->parent)
        if (!namelist_add_unique(b, &a->freevars, name))
            return false;
    Symbol *sym = &binder->syms[find_index(binder, name)];
    sym->flags |= SYM_CAPTURED;
    return namelist_add_unique(b, &binder->cellvars, name);
}

/* s is a function defined, directly or through other functions, in a class body. */
static bool in_class(const Scope *s)
{
    for (const Scope *a = s->parent; a != NULL; a = a->parent)
        if (a->kind == SCOPE_CLASS)
            return true;
    return false;
}

static bool analyse_symbol(Builder *b, Scope *s, Symbol *sym)
{
    unsigned f = sym->flags;
    if (f & SYM_DEF_GLOBAL) {
        sym->scope = NAME_GLOBAL_EXPLICIT;
        return true;
    }
    if (s->kind == SCOPE_MODULE) {
        sym->scope = (f & (SYM_DEF_LOCAL | SYM_DEF_PARAM)) ? NAME_LOCAL : NAME_GLOBAL_IMPLICIT;
        return true;
    }
    if (!(f & SYM_DEF_NONLOCAL) && (f & (SYM_DEF_LOCAL | SYM_DEF_PARAM))) {
        sym->scope = NAME_LOCAL;
        return true;
    }
    Scope *binder = find_binder(s, sym->name);
    if (binder == NULL) {
        if (f & SYM_DEF_NONLOCAL)
            return fail_syntax(b, sym->decl_line, sym->decl_col,
                               "no binding for nonlocal '%s' found", sym->name);
        sym->scope = in_class(s) && strcmp(sym->name, "__class__") == 0 ? NAME_CLASS_CELL
                                                                        : NAME_GLOBAL_IMPLICIT;
        return true;
    }
    sym->scope = NAME_FREE;
    return mark_free(b, s, binder, sym->name);
}

static bool analyse_scope(Builder *b, Scope *s)
{
    for (int i = 0; i < s->nsyms; i++)
        if (!analyse_symbol(b, s, &s->syms[i]))
            return false;
    for (int i = 0; i < s->nchildren; i++)
        if (!analyse_scope(b, s->children[i]))
            return false;
    return true;
}

/* Captured locals read as cells; done last because a binder is analysed
   before the inner scopes that capture from it. */
static void finish_scope(Scope *s)
{
    for (int i = 0; i < s->nsyms; i++)
        if (s->syms[i].scope == NAME_LOCAL && (s->syms[i].flags & SYM_CAPTURED))
            s->syms[i].scope = NAME_CELL;
    for (int i = 0; i < s->nchildren; i++)
        finish_scope(s->children[i]);
}

Scope *symtable_build(AstArena *arena, const Node *root, SymtableError *err)
{
    Builder b = { .arena = arena, .err = err, .failed = false, .depth = 0 };
    memset(err, 0, sizeof *err);
    Scope *module = new_scope(&b, NULL, SCOPE_MODULE, "<module>", root);
    if (module == NULL)
        return NULL;
    bool ok = root->kind == NODE_MODULE ? visit_stmts(&b, module, &root->u.module.body)
                                        : visit_expr(&b, module, root);
    if (!ok || !analyse_scope(&b, module))
        return NULL;
    finish_scope(module);
    return module;
}
