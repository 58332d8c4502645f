/* code.c - the code object type (see code.h).
 *
 * A code object is immutable after code_new: the VM only reads it, so any
 * number of frames and threads may run the same one. It owns private copies
 * of the instruction and line arrays (allocated with mem_alloc, sized by
 * ninstrs) and a reference to each tuple and str it names. Python code sees
 * the usual read-only co_* attributes (co_name, co_varnames, co_consts...).
 */
#include "objects/code.h"

#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/error.h"
#include "objects/int.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "objects/weakref.h"

static void code_dealloc(Object *self)
{
    weakref_on_dealloc(self);
    CodeObject *co = (CodeObject *)self;
    mem_free(co->instrs, (size_t)co->ninstrs * sizeof(uint32_t));
    mem_free(co->lines, (size_t)co->ninstrs * sizeof(int));
    XDECREF(co->consts);
    XDECREF(co->names);
    XDECREF(co->varnames);
    XDECREF(co->cellvars);
    XDECREF(co->freevars);
    XDECREF(co->name);
    XDECREF(co->qualname);
    XDECREF(co->filename);
    object_free(self, sizeof(CodeObject));
}

static Object *code_repr(Object *self)
{
    CodeObject *co = (CodeObject *)self;
    return str_from_format("<code object %s at %p, file \"%s\", line %d>", str_data(co->name),
                           (void *)co, str_data(co->filename), co->firstline);
}

static Object *int_attr(int v)
{
    return int_from_i64(v);
}

/* The read-only co_* attributes Python programs commonly inspect
   (f.__code__.co_varnames, ...); anything else is looked up as usual. */
static Object *code_getattr(Object *self, Object *name)
{
    CodeObject *co = (CodeObject *)self;
    const char *s = str_data(name);
    if (strncmp(s, "co_", 3) == 0) {
        s += 3;
        if (strcmp(s, "name") == 0) return NEWREF(co->name);
        if (strcmp(s, "qualname") == 0) return NEWREF(co->qualname);
        if (strcmp(s, "filename") == 0) return NEWREF(co->filename);
        if (strcmp(s, "firstlineno") == 0) return int_attr(co->firstline);
        if (strcmp(s, "argcount") == 0) return int_attr(co->argcount);
        if (strcmp(s, "posonlyargcount") == 0) return int_attr(0);
        if (strcmp(s, "kwonlyargcount") == 0) return int_attr(co->kwonlyargcount);
        if (strcmp(s, "nlocals") == 0) return int_attr(co->nlocals);
        if (strcmp(s, "stacksize") == 0) return int_attr(co->stacksize);
        if (strcmp(s, "consts") == 0) return NEWREF(co->consts);
        if (strcmp(s, "names") == 0) return NEWREF(co->names);
        if (strcmp(s, "varnames") == 0) return NEWREF(co->varnames);
        if (strcmp(s, "cellvars") == 0) return NEWREF(co->cellvars);
        if (strcmp(s, "freevars") == 0) return NEWREF(co->freevars);
    }
    return object_generic_getattr(self, name);
}

/* Code objects are not tracked by the collector (their constants cannot
   lead back to them), but gc.freeze(immortal=True) follows this slot to
   make what a frozen function's code holds immortal with it. */
static int code_traverse(Object *self, VisitFunc visit, void *arg) {
    CodeObject *co = (CodeObject *)self;
    Object *held[] = {co->consts, co->names, co->varnames, co->cellvars,
                      co->freevars, co->name, co->qualname, co->filename};
    for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
        int r = held[i] ? visit(held[i], arg) : 0;
        if (r) return r;
    }
    return 0;
}

Type code_type = {
    TYPE_HEAD_INIT,
    .name = "code",
    .base_type = &object_type,
    .instance_size = sizeof(CodeObject),
    .flags = TYPE_WEAKREFABLE,
    .dealloc = code_dealloc,
    .repr = code_repr,
    .getattr = code_getattr,
    .traverse = code_traverse,
};

/* A private copy of n elements of the given size; NULL with MemoryError. */
static void *copy_array(const void *src, int n, size_t elem)
{
    size_t size = (size_t)n * elem;
    void *p = mem_alloc(size ? size : 1);
    if (p == NULL) {
        error_no_memory();
        return NULL;
    }
    if (size)
        memcpy(p, src, size);
    return p;
}

void code_hide(CodeObject *co) {
    co->flags |= CODE_HIDDEN;
    for (size_t i = 0; i < tuple_size(co->consts); i++) {
        Object *c = tuple_item(co->consts, i);
        if (is_type(c, &code_type)) code_hide((CodeObject *)c);
    }
}

CodeObject *code_new(const uint32_t *instrs, const int *lines, int ninstrs,
                     Object *consts, Object *names, Object *varnames,
                     Object *cellvars, Object *freevars, int argcount,
                     int kwonlyargcount, int stacksize, int flags, Object *name,
                     Object *qualname, Object *filename, int firstline)
{
    uint32_t *ins = copy_array(instrs, ninstrs, sizeof(uint32_t));
    if (ins == NULL)
        return NULL;
    int *lns = copy_array(lines, ninstrs, sizeof(int));
    if (lns == NULL) {
        mem_free(ins, (size_t)ninstrs * sizeof(uint32_t));
        return NULL;
    }
    CodeObject *co = (CodeObject *)object_alloc(&code_type, sizeof(CodeObject));
    if (co == NULL) {
        mem_free(ins, (size_t)ninstrs * sizeof(uint32_t));
        mem_free(lns, (size_t)ninstrs * sizeof(int));
        return NULL;
    }
    refcount_mark_shared((Object *)co); /* toy-ft: immortal once threads share it */
    co->instrs = ins;
    co->lines = lns;
    co->ninstrs = ninstrs;
    co->consts = NEWREF(consts);
    co->names = NEWREF(names);
    co->varnames = NEWREF(varnames);
    co->cellvars = NEWREF(cellvars);
    co->freevars = NEWREF(freevars);
    co->argcount = argcount;
    co->kwonlyargcount = kwonlyargcount;
    co->nlocals = (int)tuple_size(varnames);
    co->ncells = (int)(tuple_size(cellvars) + tuple_size(freevars));
    co->stacksize = stacksize;
    co->flags = flags;
    bool binds = (flags & (CODE_VARARGS | CODE_VARKEYWORDS)) != 0 || kwonlyargcount > 0;
    co->fast_argcount = binds ? -1 : argcount;
    co->plain_argcount = co->ncells > 0 ? -1 : co->fast_argcount;
    co->nslots = co->nlocals + co->ncells;
    co->framewords = co->nslots + stacksize;
    co->name = NEWREF(name);
    co->qualname = NEWREF(qualname);
    co->filename = NEWREF(filename);
    co->firstline = firstline;
    return co;
}
