/* symtable.h - scope analysis: which variable does each name refer to?
 *
 * Before generating code, the compiler runs symtable_build() over the AST.
 * It creates one Scope per code object the compiler will produce (module,
 * function, lambda, comprehension, class body) and decides, for every name
 * used in each scope, how the code must reach it:
 *
 *   NAME_LOCAL            bound in this scope (a fast local in functions, a
 *                         namespace entry in module and class bodies)
 *   NAME_CELL             a local of a function that an inner scope captures
 *   NAME_FREE             bound in an enclosing function scope (or declared
 *                         nonlocal): reached through a cell of the closure
 *   NAME_GLOBAL_EXPLICIT  declared `global` here
 *   NAME_GLOBAL_IMPLICIT  not bound in any enclosing function: global/builtin
 *   NAME_CLASS_CELL       `__class__` read in a function inside a class body
 *                         and bound nowhere: the class the body makes (the
 *                         function's class cell, the one super() reads)
 *
 * Python's rules: class bodies do not enclose the functions defined in them
 * (methods cannot see class-level names); free variables pass through
 * intermediate scopes (which then carry them in their freevars too); a
 * comprehension is a function scope of its own, except that its first
 * iterable is evaluated in the enclosing scope.
 *
 * Names are "mangled" as Python does inside classes (`__x` in class A is
 * `_A__x`); symtable_mangle() gives the compiler the same spelling.
 *
 * Memory: every Scope, Symbol and string lives in the AST arena passed to
 * symtable_build, and dies with it. The tables are read-only once built.
 * This module does not use the object runtime: errors come back as a
 * SymtableError for the compiler to turn into a SyntaxError.
 */
#ifndef TOY_SYMTABLE_H
#define TOY_SYMTABLE_H

#include <stdbool.h>
#include "interp/ast.h"

typedef enum { SCOPE_MODULE, SCOPE_FUNCTION, SCOPE_CLASS } ScopeKind;

typedef enum {
    NAME_LOCAL,
    NAME_CELL,
    NAME_FREE,
    NAME_GLOBAL_EXPLICIT,
    NAME_GLOBAL_IMPLICIT,
    NAME_CLASS_CELL,
} NameScope;

/* Symbol.flags: what the first pass saw the scope do with the name. */
enum {
    SYM_DEF_LOCAL = 1 << 0,    /* bound here: assignment, def, class, import, for, with, except, del */
    SYM_DEF_PARAM = 1 << 1,    /* a parameter */
    SYM_DEF_GLOBAL = 1 << 2,   /* declared global */
    SYM_DEF_NONLOCAL = 1 << 3, /* declared nonlocal */
    SYM_USE = 1 << 4,          /* read */
    SYM_CAPTURED = 1 << 5,     /* a nested scope reads this binding (it becomes a cell) */
};

typedef struct {
    const char *name;  /* mangled */
    unsigned flags;    /* SYM_* */
    NameScope scope;   /* final answer (a captured local reads as NAME_CELL) */
    int decl_line, decl_col; /* of a global/nonlocal statement, for errors */
} Symbol;

/* A list of names in first-seen order. */
typedef struct {
    const char **items;
    int count, cap;
} SymNameList;

typedef struct Scope Scope;
struct Scope {
    ScopeKind kind;
    const char *name;        /* "<module>", "f", "<lambda>", "<listcomp>", "A" */
    const Node *node;        /* MODULE, FUNCTION_DEF, LAMBDA, CLASS_DEF, *_COMP, GENERATOR_EXP */
    Scope *parent;
    Scope **children;        /* in source order */
    int nchildren, children_cap;
    int child_cursor;        /* symtable_child's search hint */

    Symbol *syms;            /* in first-seen order */
    int nsyms, syms_cap;
    int *table;              /* open-addressing index into syms (-1 empty) */
    int table_cap;           /* power of two */

    SymNameList params;      /* parameter names in slot order (functions) */
    SymNameList cellvars;    /* locals captured by inner scopes */
    SymNameList freevars;    /* names this scope's code gets from its closure */

    const char *private_name;/* enclosing class name for mangling, or NULL */
    bool is_comprehension;
    bool is_generator;       /* a function containing yield, or a genexp */
};

typedef enum {
    SYMERR_SYNTAX,           /* a SyntaxError with message/line/col */
    SYMERR_RECURSION,        /* tree too deep: RecursionError with message */
    SYMERR_MEMORY,           /* the arena ran out of memory */
} SymtableErrorKind;

typedef struct {
    SymtableErrorKind kind;
    char message[256];
    int line, col;           /* of the offending node (col 1-based, bytes) */
} SymtableError;

/* Analyse a NODE_MODULE tree (or, for eval mode, a bare expression node,
 * which is then treated as the module's only content). Returns the module
 * scope, or NULL with *err filled. */
Scope *symtable_build(AstArena *arena, const Node *root, SymtableError *err);

/* The scope created for a FUNCTION_DEF / LAMBDA / CLASS_DEF / comprehension
 * node directly inside parent, or NULL. */
Scope *symtable_child(Scope *parent, const Node *node);

/* How the code of scope s reaches `name` (already mangled). Names the scope
 * never mentioned read as NAME_GLOBAL_IMPLICIT. */
NameScope symtable_resolve(const Scope *s, const char *name);

/* The symbol for `name` (mangled) in s, or NULL. */
const Symbol *symtable_lookup(const Scope *s, const char *name);

/* Python's private-name mangling inside class `private_name`: "__x" ->
 * "_A__x" (not for dunder names or names containing dots). Returns name
 * itself when nothing changes, else a string in arena; NULL when out of
 * memory. */
const char *symtable_mangle(AstArena *arena, const char *private_name, const char *name);

#endif
