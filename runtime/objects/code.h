/* code.h - code objects: what the compiler produces and the VM runs.
 *
 * A code object is immutable once built. It owns its instruction array, its
 * line table (one source line per instruction) and references to its
 * constants (which include the code objects of nested functions), names and
 * variable names. Built by the compiler; read (never written) by the VM, so
 * threads share code objects freely.
 *
 * Frame layout that the fields describe: nlocals local slots (parameters
 * first: argcount positional, then kwonlyargcount keyword-only, then *args if
 * CODE_VARARGS, then **kwargs if CODE_VARKEYWORDS, then other locals), then
 * ncells = len(cellvars) + len(freevars) cell slots, then up to stacksize
 * value-stack entries.
 */
#ifndef TOY_CODE_H
#define TOY_CODE_H

#include <stdint.h>
#include "core/object.h"

enum {
    CODE_VARARGS = 1 << 0,     /* has *args */
    CODE_VARKEYWORDS = 1 << 1, /* has **kwargs */
    CODE_FUNCTION = 1 << 2,    /* a function body (fast locals); else module/class body (NAME ops) */
    CODE_GENERATOR = 1 << 3,   /* contains yield (or is a genexp): a call returns a generator */
    CODE_DOCSTRING = 1 << 4,   /* consts[0] is the function's docstring (its __doc__) */
    CODE_HIDDEN = 1 << 5,      /* left out of printed tracebacks (code_hide) */
};

typedef struct {
    Object base;
    uint32_t *instrs;   /* INSTR(op, arg) words */
    int *lines;         /* lines[i]: source line of instrs[i] */
    int ninstrs;
    Object *consts;     /* tuple */
    Object *names;      /* tuple of str: globals, attributes, imported names */
    Object *varnames;   /* tuple of str: local slot names */
    Object *cellvars;   /* tuple of str: locals captured by inner functions */
    Object *freevars;   /* tuple of str: variables captured from outer scopes */
    int argcount;       /* positional parameters */
    int kwonlyargcount; /* keyword-only parameters */
    int nlocals;        /* == len(varnames) */
    int ncells;         /* == len(cellvars) + len(freevars) */
    int stacksize;      /* maximum value-stack depth */
    int flags;          /* CODE_* */
    /* Derived by code_new for the call path: */
    int fast_argcount;  /* argcount when a call with exactly that many positional
                           arguments (and no keywords) just moves them into the
                           first local slots: no *args, **kwargs or keyword-only
                           parameters; -1 otherwise */
    int plain_argcount; /* fast_argcount when the code has no cells either (such
                           a call needs nothing but its moved arguments); -1
                           otherwise */
    int nslots;         /* nlocals + ncells */
    int framewords;     /* nslots + stacksize: a frame's words after its header */
    Object *name;       /* str: "f", "<module>", "<lambda>", "<listcomp>" */
    Object *qualname;   /* str: "A.f", "f.<locals>.g" */
    Object *filename;   /* str */
    int firstline;
} CodeObject;

extern Type code_type;

/* Steals nothing: every Object argument is borrowed and INCREF'd; instrs and
   lines are copied. */
CodeObject *code_new(const uint32_t *instrs, const int *lines, int ninstrs,
                     Object *consts, Object *names, Object *varnames,
                     Object *cellvars, Object *freevars, int argcount,
                     int kwonlyargcount, int stacksize, int flags, Object *name,
                     Object *qualname, Object *filename, int firstline);

/* The source line of the instruction at index i. */
/* Flag co and every code object nested in its constants CODE_HIDDEN, so that
   printed tracebacks leave their frames out. For the Toy modules that stand
   in for modules CPython writes in C (itertools, operator, ...), whose frames
   CPython's tracebacks do not show. Only for code that has not run yet: code
   objects are otherwise immutable and shared. */
void code_hide(CodeObject *co);

static inline int code_line(const CodeObject *co, int i) {
    return (i >= 0 && i < co->ninstrs) ? co->lines[i] : co->firstline;
}

#endif
