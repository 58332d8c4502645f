/* frame.c - frames on the thread's value stack, the C-stack guard and
 * argument binding: the rare paths of what frame.h inlines into the eval loop.
 *
 * Value-stack chunks (StackChunk) are the memory frames are carved from:
 * chunks are never moved, so pointers into a live frame stay valid; a chunk
 * left by returning is kept as a spare for the next deep call.
 *
 * Argument binding follows CPython 3.11: positional arguments fill the
 * positional parameters, the rest go to *args (or are an error), keywords
 * fill parameters by name or go to **kwargs, then defaults fill what is
 * left, and the errors are CPython's exact messages.
 */
#include "interp/frame.h"

#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <pthread.h>
#include <sys/resource.h>
#endif

#include "core/alloc.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/str.h"

/* ======================================================================== */
/* Value-stack chunks                                                       */
/* ======================================================================== */

typedef struct StackChunk {
    struct StackChunk *prev;  /* older chunk */
    struct StackChunk *next;  /* a spare newer chunk kept for reuse, or NULL */
    size_t nslots;
    Object *data[];
} StackChunk;

/* 32K slots (256 KB) hold a few hundred typical frames. */
enum { STACK_CHUNK_SLOTS = 32 * 1024 };

static StackChunk *current_chunk(ThreadState *ts)
{
    if (ts->stack_base == NULL)
        return NULL;
    return (StackChunk *)((char *)ts->stack_base - offsetof(StackChunk, data));
}

static StackChunk *chunk_new(size_t nslots, StackChunk *prev)
{
    StackChunk *c = mem_alloc(sizeof(StackChunk) + nslots * sizeof(Object *));
    if (c == NULL)
        return NULL;
    c->prev = prev;
    c->next = NULL;
    c->nslots = nslots;
    return c;
}

/* Free c and every newer spare chunk after it. */
static void chunk_free_chain(StackChunk *c)
{
    while (c != NULL) {
        StackChunk *next = c->next;
        mem_free(c, sizeof(StackChunk) + c->nslots * sizeof(Object *));
        c = next;
    }
}

static void use_chunk(ThreadState *ts, StackChunk *c, Object **top)
{
    ts->stack_base = c->data;
    ts->stack_limit = c->data + c->nslots;
    ts->stack_top = top;
}

Frame *frame_alloc_slow(ThreadState *ts, size_t words)
{
    size_t want = words > STACK_CHUNK_SLOTS ? words : STACK_CHUNK_SLOTS;
    StackChunk *cur = current_chunk(ts);
    if (cur == NULL) {
        /* The thread's first chunk: permanent until vm_thread_fini. */
        StackChunk *c = chunk_new(want, NULL);
        if (c == NULL)
            return (Frame *)error_no_memory();
        use_chunk(ts, c, c->data + words);
        Frame *f = (Frame *)c->data;
        f->memory = FRAME_IN_CHUNK;
        return f;
    }
    StackChunk *next = cur->next;
    if (next != NULL && next->nslots < words) {
        chunk_free_chain(next);
        cur->next = next = NULL;
    }
    if (next == NULL) {
        next = chunk_new(want, cur);
        if (next == NULL)
            return (Frame *)error_no_memory();
        cur->next = next;
    }
    Frame *f = (Frame *)next->data;
    f->prev_stack_top = ts->stack_top;
    f->memory = FRAME_NEW_CHUNK;
    use_chunk(ts, next, next->data + words);
    return f;
}

void frame_free_chunk(ThreadState *ts, Frame *f)
{
    if (f->memory == FRAME_NEW_CHUNK)
        use_chunk(ts, current_chunk(ts)->prev, f->prev_stack_top);
}

void frame_stack_fini(ThreadState *ts)
{
    StackChunk *c = current_chunk(ts);
    if (c == NULL)
        return;
    while (c->prev != NULL)
        c = c->prev;
    chunk_free_chain(c);
    ts->stack_base = ts->stack_top = ts->stack_limit = NULL;
}

/* ======================================================================== */
/* C stack guard                                                            */
/* ======================================================================== */

/* C code keeps this much stack free below the last check: enough for the
   deepest non-recursive C path (formatting, sorting, printing). */
#define C_STACK_MARGIN ((size_t)1 << 20)
/* Budget when the thread's stack size cannot be found. */
#define C_STACK_DEFAULT_BUDGET ((size_t)4 << 20)
/* Never trust a reported stack bigger than this (unlimited rlimits). */
#define C_STACK_MAX_BUDGET ((size_t)64 << 20)
/* Above a quarter of the limit, what the main stack's mapping may hold
   besides the arguments and environment (the auxiliary vector, padding). */
#define C_STACK_ARGS_SLACK ((size_t)64 << 10)

#ifdef __GLIBC__
/* glibc's record of the top of the main thread's stack (below the program's
   arguments and environment). */
extern void *__libc_stack_end;

/* The lowest address the main thread's stack can reach, when `here` is on
   it and its size is limited; 0 otherwise. The stack may grow to
   RLIMIT_STACK below the top of its mapping, which lies above
   __libc_stack_end by the arguments and environment: Linux keeps those
   under a quarter of the limit, so the bound below is never too low.
   pthread_getattr_np finds the main thread's bound by reading and parsing
   /proc/self/maps, which was a twentieth of start-up. */
static uintptr_t main_stack_low(uintptr_t here)
{
    struct rlimit rl;
    uintptr_t top = (uintptr_t)__libc_stack_end;
    if (getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur > C_STACK_MAX_BUDGET * 4 || rl.rlim_cur >= top)
        return 0;
    uintptr_t low = top - rl.rlim_cur + rl.rlim_cur / 4 + C_STACK_ARGS_SLACK;
    return here > low && here < top ? low : 0;
}
#endif

/* How much of `avail` bytes of stack C recursion may use. */
static size_t c_stack_budget(size_t avail)
{
    size_t budget = avail > 2 * C_STACK_MARGIN ? avail - C_STACK_MARGIN : avail / 2;
    return budget > C_STACK_MAX_BUDGET ? C_STACK_MAX_BUDGET : budget;
}

/* The C stack is assumed to grow downward (every platform Toy runs on
   does). */
const char *frame_c_stack_limit(void)
{
    uintptr_t here = frame_c_stack_here();
    size_t budget = C_STACK_DEFAULT_BUDGET;
#ifdef __GLIBC__
    uintptr_t main_low = main_stack_low(here);
    pthread_attr_t attr;
    if (main_low != 0) {
        budget = c_stack_budget(here - main_low);
    } else if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *low;
        size_t size;
        if (pthread_attr_getstack(&attr, &low, &size) == 0 && (uintptr_t)low < here)
            budget = c_stack_budget(here - (uintptr_t)low);
        pthread_attr_destroy(&attr);
    }
#endif
    return (const char *)(here > budget ? here - budget : 0);
}

/* ======================================================================== */
/* Frame set-up                                                             */
/* ======================================================================== */

int frame_init_cells(Frame *f, CodeObject *co, Object *closure)
{
    Object **cells = f->slots + co->nlocals;
    size_t ncellvars = tuple_size(co->cellvars);
    size_t nclosure = closure ? tuple_size(closure) : 0;
    for (size_t i = 0; i < (size_t)co->ncells; i++) {
        size_t fi = i - ncellvars;
        if (i >= ncellvars && fi < nclosure)
            cells[i] = NEWREF(tuple_item(closure, fi));
        else if ((cells[i] = cell_new(NULL)) == NULL)
            return -1;
    }
    return 0;
}

Object *frame_error_recursion(void)
{
    return error_set(&exc_RecursionError, "maximum recursion depth exceeded");
}

Frame *frame_push_module(ThreadState *ts, CodeObject *co, Object *globals, Object *locals)
{
    Frame *f = frame_push_raw(ts, co, 0);
    if (f == NULL)
        return NULL;
    f->function = NULL;
    f->code = (CodeObject *)NEWREF(co);
    f->globals = NEWREF(globals);
    XINCREF(locals);
    f->locals = locals;
    if (co->ncells > 0 && frame_init_cells(f, co, NULL) < 0) {
        frame_pop(ts, f, f->sp);
        return NULL;
    }
    return f;
}

/* ======================================================================== */
/* Generator frames                                                         */
/* ======================================================================== */

size_t frame_heap_size(CodeObject *co)
{
    size_t words = FRAME_HEADER_SLOTS + (size_t)co->framewords;
    return words * sizeof(Object *);
}

/* Everything in a frame is position-independent (block levels count from
   slots[0]) except slots and sp, which are rebased; back and the value-stack
   bookkeeping are set each time the frame is resumed. */
Frame *frame_copy_to_heap(Frame *f)
{
    size_t nbytes = frame_heap_size(f->code);
    Frame *h = mem_alloc(nbytes);
    if (h == NULL)
        return (Frame *)error_no_memory();
    memcpy(h, f, nbytes);
    h->slots = (Object **)h + FRAME_HEADER_SLOTS;
    h->sp = h->slots + (f->sp - f->slots);
    h->back = NULL;
    h->on_return = FRAME_RETURN_TO_CALLER;
    h->memory = FRAME_ON_HEAP;
    h->yielded = 0;
    return h;
}

void frame_heap_free_size(Frame *h, size_t nbytes)
{
    mem_free(h, nbytes);
}

/* ======================================================================== */
/* Argument binding                                                         */
/* ======================================================================== */

/* Index of the parameter called key among the first n varnames, or -1.
   Keyword names are interned, so the pointer pass almost always decides. */
static long find_parameter(Object *const *varnames, size_t n, Object *key)
{
    for (size_t i = 0; i < n; i++)
        if (varnames[i] == key)
            return (long)i;
    for (size_t i = 0; i < n; i++)
        if (str_equal(varnames[i], key))
            return (long)i;
    return -1;
}

/* "f() missing 2 required positional arguments: 'x' and 'y'": the names of
   the NULL slots in locals[from..to). */
static void error_missing_arguments(FunctionObject *fn, Object *const *locals, size_t from,
                                    size_t to, size_t missing, const char *kind)
{
    CodeObject *co = (CodeObject *)fn->code;
    Object *const *varnames = tuple_items(co->varnames);
    StrBuilder b;
    str_builder_init(&b);
    str_builder_addf(&b, "%s() missing %zu required %s argument%s: ", str_data(fn->qualname),
                     missing, kind, missing == 1 ? "" : "s");
    size_t seen = 0;
    for (size_t i = from; i < to; i++) {
        if (locals[i] != NULL)
            continue;
        if (seen > 0)
            str_builder_add_cstr(&b, missing == 2 ? " and " : (seen == missing - 1 ? ", and " : ", "));
        str_builder_addf(&b, "'%s'", str_data(varnames[i]));
        seen++;
    }
    Object *msg = str_builder_finish(&b);
    if (msg != NULL) {
        error_set_object(&exc_TypeError, msg);
        DECREF(msg);
    }
}

/* "f() takes 2 positional arguments but 3 were given", with CPython's
   variants for defaults and keyword-only arguments given. */
static void error_too_many_positional(FunctionObject *fn, Object *const *locals, size_t given)
{
    CodeObject *co = (CodeObject *)fn->code;
    size_t argcount = (size_t)co->argcount;
    size_t ndefaults = fn->defaults ? tuple_size(fn->defaults) : 0;
    size_t kwonly_given = 0;
    for (size_t i = argcount; i < argcount + (size_t)co->kwonlyargcount; i++)
        if (locals[i] != NULL)
            kwonly_given++;
    char sig[64], kwonly[96] = "";
    bool plural;
    if (ndefaults > 0) {
        snprintf(sig, sizeof sig, "from %zu to %zu", argcount - ndefaults, argcount);
        plural = true;
    } else {
        snprintf(sig, sizeof sig, "%zu", argcount);
        plural = argcount != 1;
    }
    if (kwonly_given > 0)
        snprintf(kwonly, sizeof kwonly, " positional argument%s (and %zu keyword-only argument%s)",
                 given != 1 ? "s" : "", kwonly_given, kwonly_given != 1 ? "s" : "");
    error_set(&exc_TypeError, "%s() takes %s positional argument%s but %zu%s %s given",
              str_data(fn->qualname), sig, plural ? "s" : "", given, kwonly,
              given == 1 && kwonly_given == 0 ? "was" : "were");
}

int frame_bind_arguments(FunctionObject *fn, Object **locals, Object *const *args,
                         size_t nargs, Object *kwnames)
{
    CodeObject *co = (CodeObject *)fn->code;
    size_t argcount = (size_t)co->argcount;
    size_t nnamed = argcount + (size_t)co->kwonlyargcount;
    size_t extra = nnamed; /* slot of *args, then of **kwargs */
    Object *const *varnames = tuple_items(co->varnames);
    Object *kwdict = NULL;

    size_t npos = nargs < argcount ? nargs : argcount;
    for (size_t i = 0; i < npos; i++)
        locals[i] = NEWREF(args[i]);
    if (co->flags & CODE_VARARGS) {
        Object *rest = tuple_from_array(args + npos, nargs - npos);
        if (rest == NULL)
            return -1;
        locals[extra++] = rest;
    }
    if (co->flags & CODE_VARKEYWORDS) {
        if ((kwdict = dict_new()) == NULL)
            return -1;
        locals[extra] = kwdict;
    }

    if (kwnames != NULL) {
        Object *const *kwvalues = args + nargs;
        size_t nkw = tuple_size(kwnames);
        for (size_t k = 0; k < nkw; k++) {
            Object *key = tuple_item(kwnames, k);
            long j = find_parameter(varnames, nnamed, key);
            if (j < 0) {
                if (kwdict == NULL) {
                    error_set(&exc_TypeError, "%s() got an unexpected keyword argument '%s'",
                              str_data(fn->qualname), str_data(key));
                    return -1;
                }
                if (dict_set_item(kwdict, key, kwvalues[k]) < 0)
                    return -1;
                continue;
            }
            if (locals[j] != NULL) {
                error_set(&exc_TypeError, "%s() got multiple values for argument '%s'",
                          str_data(fn->qualname), str_data(key));
                return -1;
            }
            locals[j] = NEWREF(kwvalues[k]);
        }
    }

    if (nargs > argcount && !(co->flags & CODE_VARARGS)) {
        error_too_many_positional(fn, locals, nargs);
        return -1;
    }

    if (nargs < argcount) {
        size_t ndefaults = fn->defaults ? tuple_size(fn->defaults) : 0;
        if (ndefaults > argcount)
            ndefaults = argcount;
        size_t first_default = argcount - ndefaults;
        size_t missing = 0;
        for (size_t i = nargs; i < first_default; i++)
            if (locals[i] == NULL)
                missing++;
        if (missing > 0) {
            error_missing_arguments(fn, locals, nargs, first_default, missing, "positional");
            return -1;
        }
        for (size_t i = first_default; i < argcount; i++)
            if (locals[i] == NULL)
                locals[i] = NEWREF(tuple_item(fn->defaults, i - first_default));
    }

    if (nnamed > argcount) {
        size_t missing = 0;
        for (size_t i = argcount; i < nnamed; i++) {
            if (locals[i] != NULL)
                continue;
            Object *d = fn->kwdefaults ? dict_get_item(fn->kwdefaults, varnames[i]) : NULL;
            if (d != NULL)
                locals[i] = NEWREF(d);
            else if (error_occurred())
                return -1;
            else
                missing++;
        }
        if (missing > 0) {
            error_missing_arguments(fn, locals, argcount, nnamed, missing, "keyword-only");
            return -1;
        }
    }
    return 0;
}

/* The arguments become the frame's own references, then take the path of
   a call from the eval loop. */
int frame_bind_moved(FunctionObject *fn, Object **locals, Object *const *args, size_t argc,
                     Object *kwnames)
{
    CodeObject *co = (CodeObject *)fn->code;
    size_t argcount = (size_t)co->argcount;
    size_t ndefaults = fn->defaults != NULL ? tuple_size(fn->defaults) : 0;
    if (kwnames == NULL && co->fast_argcount >= 0 && argc < argcount &&
        argc + ndefaults >= argcount) {
        /* f(a) for def f(a, b=1): move a, take b from the defaults */
        Object *const *defaults = tuple_items(fn->defaults);
        for (size_t i = 0; i < argc; i++)
            locals[i] = args[i];
        for (size_t i = argc; i < argcount; i++)
            locals[i] = NEWREF(defaults[i + ndefaults - argcount]);
        return 0;
    }
    size_t nargs = argc - (kwnames != NULL ? tuple_size(kwnames) : 0);
    int r = frame_bind_arguments(fn, locals, args, nargs, kwnames);
    frame_release_values(args, argc);
    return r;
}

Frame *frame_push_bound(ThreadState *ts, FunctionObject *fn, Object *const *args, size_t argc,
                        Object *kwnames)
{
    return frame_push_moved(ts, fn, args, argc, kwnames);
}

Frame *frame_push_call(ThreadState *ts, FunctionObject *fn, Object *const *args,
                       size_t nargs, Object *kwnames)
{
    size_t argc = nargs + (kwnames != NULL ? tuple_size(kwnames) : 0);
    INCREF(fn);
    for (size_t i = 0; i < argc; i++)
        INCREF(args[i]);
    return frame_push_moved(ts, fn, args, argc, kwnames);
}
