/* frame.h - frames on the thread's value stack, the C-stack guard and
 * argument binding: the eval loop's (interp/vm.c) view of interp/frame.c.
 *
 * Every frame is carved from the thread's value stack: a list of chunks
 * allocated with mem_alloc and never moved, so pointers into a frame stay
 * valid while it lives. ts->stack_base/stack_limit bound the current chunk
 * and ts->stack_top is its first free slot. A frame is a Frame header (vm.h)
 * followed by its slots: code->nlocals locals, code->ncells cells (cellvars,
 * then freevars) and code->stacksize value-stack entries. Frames are pushed
 * and popped in LIFO order; a call allocates nothing on the heap unless it
 * needs a new chunk (rare: chunks are reused) or fresh cells.
 *
 * Recursion limits. ts->recursion_depth counts live Toy frames and is checked
 * against interp.recursion_limit at every frame push. C recursion (nested
 * run() loops, built-ins calling back into Toy) is bounded separately by the
 * address of the C stack: pushing the outermost frame of a thread records how
 * low the C stack may grow (ts->c_stack_limit, computed from the thread's
 * real stack size), and frame_c_stack_exhausted() tells when it is reached. This holds
 * whatever sys.setrecursionlimit() says.
 *
 * What a call does on every Toy-to-Toy call (carving, filling the header,
 * popping, the simple-call test) is static inline here so that it inlines
 * into run(); the rare paths (a new chunk, cells, binding keyword or default
 * arguments, the errors) are functions in frame.c. Only interp/ includes
 * this header; runtime/ sees frames through vm.h alone.
 */
#ifndef TOY_FRAME_H
#define TOY_FRAME_H

#include "interp/vm.h"

#include <stdint.h>

#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/code.h"
#include "objects/function.h"
#include "objects/tuple.h"

#if defined(__GNUC__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
/* For the few helpers of the call path that must be inlined into run(). */
#define ALWAYS_INLINE __attribute__((always_inline))
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#define ALWAYS_INLINE
#endif

#define FRAME_HEADER_SLOTS ((sizeof(Frame) + sizeof(Object *) - 1) / sizeof(Object *))

/* ---- Value-stack memory ----------------------------------------------- */

/* frame_alloc's slow path: the frame does not fit in the current chunk. */
Frame *frame_alloc_slow(ThreadState *ts, size_t words);
/* frame_free's slow path: the frame opened a chunk (go back to the previous
   one and keep this one as a spare) or is a generator's heap frame (the
   value stack stays as it is). */
void frame_free_chunk(ThreadState *ts, Frame *f);
/* Free the thread's value-stack chunks once no frame of it runs. */
void frame_stack_fini(ThreadState *ts);

/* Carve `words` slots for a frame. NULL with MemoryError. */
static inline Frame *frame_alloc(ThreadState *ts, size_t words)
{
    Object **top = ts->stack_top;
    /* As addresses, so that the end is computed once: one comparison */
    uintptr_t end = (uintptr_t)top + words * sizeof(Object *);
    if (LIKELY(end <= (uintptr_t)ts->stack_limit)) {
        ts->stack_top = (Object **)end;
        Frame *f = (Frame *)top;
        f->memory = FRAME_IN_CHUNK;
        return f;
    }
    return frame_alloc_slow(ts, words);
}

/* Give back the slots of the frame on top of the stack. A frame carved
   inside the current chunk starts where the stack's top was before it; the
   other kinds (FRAME_NEW_CHUNK, FRAME_ON_HEAP) take the slow path. */
static inline void frame_free(ThreadState *ts, Frame *f)
{
    if (LIKELY(f->memory == FRAME_IN_CHUNK)) {
        ts->stack_top = (Object **)f;
        return;
    }
    frame_free_chunk(ts, f);
}

/* ---- The C stack guard ------------------------------------------------ */

/* The lowest address C recursion may reach in this thread, measured from the
   caller's stack position: for a thread's outermost frame. */
const char *frame_c_stack_limit(void);

static inline uintptr_t frame_c_stack_here(void)
{
#if defined(__GNUC__)
    return (uintptr_t)__builtin_frame_address(0);
#else
    char here;
    return (uintptr_t)&here;
#endif
}

/* Has C code running in this thread (below its frame ts->frame, if any) used
   up its C stack? */
static inline bool frame_c_stack_exhausted(ThreadState *ts)
{
    return ts->frame != NULL && frame_c_stack_here() < (uintptr_t)ts->c_stack_limit;
}

/* Link frame f on top of the thread's frames (f->back is the running one).
   The outermost frame measures the C stack's bound for the whole chain. */
ALWAYS_INLINE static inline void frame_link(ThreadState *ts, Frame *f)
{
    Frame *back = ts->frame;
    f->back = back;
    if (UNLIKELY(back == NULL))
        ts->c_stack_limit = frame_c_stack_limit();
    ts->frame = f;
    ts->recursion_depth++;
}

/* frame_link when the caller knows the running frame: back is ts->frame,
   not NULL (the eval loop's frame, at a call), so there is nothing to read
   or measure. */
ALWAYS_INLINE static inline void frame_link_above(ThreadState *ts, Frame *f, Frame *back)
{
    f->back = back;
    ts->frame = f;
    ts->recursion_depth++;
}

/* ---- Push and pop ----------------------------------------------------- */

/* RecursionError for ts->recursion_depth reaching the limit; NULL. */
Object *frame_error_recursion(void);
/* Give the frame its cells: fresh empty ones for the cellvars, the closure's
   for the freevars. 0, or -1 with MemoryError. */
int frame_init_cells(Frame *f, CodeObject *co, Object *closure);
/* Push a frame for a module body (code and globals borrowed; locals, the
   namespace dict, borrowed, may be NULL). NULL with an exception. */
Frame *frame_push_module(ThreadState *ts, CodeObject *co, Object *globals, Object *locals);

/* Release n owned values (NULLs allowed). */
static inline void frame_release_values(Object *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        XDECREF(v[i]);
}

/* Release everything a frame owns (its locals and cells, its value stack up
   to sp, code, function, globals and locals) and pop it. The slots go first
   to last, as CPython clears a frame, so the __del__ methods of the locals
   run in the order the locals were declared. They are released before the
   frame's memory is given back: a destructor that runs Toy code pushes its
   frames above this one. */
ALWAYS_INLINE static inline void frame_pop_inlined(ThreadState *ts, Frame *f, Object **sp)
{
    for (Object **p = f->slots; p < sp; p++)
        XDECREF(*p);
    if (f->function != NULL) {
        DECREF(f->function);
    } else {
        DECREF(f->code);
        DECREF(f->globals);
    }
    XDECREF(f->locals);
    ts->frame = f->back;
    ts->recursion_depth--;
    frame_free(ts, f);
}

/* frame_pop_inlined for a frame whose return goes on in the same loop
   (FRAME_RETURN_TO_CALLER): a call made in the eval loop pushed it, so it
   has a function (module and class bodies are the entry frames of a run()),
   and no locals dict (a frame that locals() gave one is marked
   FRAME_RETURN_TO_CALLER_WITH_LOCALS). Returning skips both tests. */
ALWAYS_INLINE static inline void frame_pop_call(ThreadState *ts, Frame *f, Object **sp)
{
    for (Object **p = f->slots; p < sp; p++)
        XDECREF(*p);
    DECREF(f->function);
    ts->frame = f->back;
    ts->recursion_depth--;
    frame_free(ts, f);
}

/* The same, left to the compiler's judgement; the eval loop's returns use
   frame_pop_inlined (in toy-ft, whose counts take more code, the compiler
   would otherwise call it out of line on every return). */
static inline void frame_pop(ThreadState *ts, Frame *f, Object **sp)
{
    frame_pop_inlined(ts, f, sp);
}

/* The common part of every frame push: carve the frame, fill its header,
   make it the thread's current frame. Slots from `nfilled` on start NULL;
   the caller fills slots below it. NULL with an exception. The recursion
   limit is checked here. back: the running frame (ts->frame) when the
   caller knows it is not NULL (a call in the eval loop), else NULL (a
   constant where these inline: the test folds away). */
ALWAYS_INLINE static inline Frame *frame_push_raw_to(ThreadState *ts, CodeObject *co, size_t nfilled,
                                                     Frame *back)
{
    if (UNLIKELY(ts->recursion_depth >= interp.recursion_limit))
        return (Frame *)frame_error_recursion();
    size_t nslots = (size_t)co->nslots;
    Frame *f = frame_alloc(ts, FRAME_HEADER_SLOTS + (size_t)co->framewords);
    if (UNLIKELY(f == NULL))
        return NULL;
    f->code = co;
    f->locals = NULL;
    f->ip = 0;
    f->lasti = 0;
    f->slots = (Object **)f + FRAME_HEADER_SLOTS;
    f->sp = f->slots + nslots;
    f->nblocks = 0;
    f->on_return = FRAME_RETURN_TO_CALLER;
    for (Object **p = f->slots + nfilled; p < f->sp; p++)
        *p = NULL;
    if (back != NULL)
        frame_link_above(ts, f, back);
    else
        frame_link(ts, f);
    return f;
}

/* frame_push_raw_to when the running frame is not known. */
ALWAYS_INLINE static inline Frame *frame_push_raw(ThreadState *ts, CodeObject *co, size_t nfilled)
{
    return frame_push_raw_to(ts, co, nfilled, NULL);
}

/* Push a frame for calling fn (stolen: the frame owns it). The first
   nfilled local slots are the caller's to fill (moved arguments); the rest
   start NULL, and the cells are made. NULL with an exception; fn is
   released then, and the caller still owns the values meant for the
   first nfilled slots. */
ALWAYS_INLINE static inline Frame *frame_push_function(ThreadState *ts, FunctionObject *fn, size_t nfilled)
{
    CodeObject *co = (CodeObject *)fn->code;
    Frame *f = frame_push_raw(ts, co, nfilled);
    if (UNLIKELY(f == NULL)) {
        DECREF(fn);
        return NULL;
    }
    f->function = (Object *)fn;
    f->globals = fn->globals;
    if (UNLIKELY(co->ncells > 0) && frame_init_cells(f, co, fn->closure) < 0) {
        for (size_t i = 0; i < nfilled; i++)
            f->slots[i] = NULL; /* not the frame's yet */
        frame_pop(ts, f, f->sp);
        return NULL;
    }
    return f;
}

/* ---- Generator frames ------------------------------------------------- */

/* A generator's frame is a heap block of this many bytes, laid out as a
   frame on the value stack is (header, locals, cells, value stack). */
size_t frame_heap_size(CodeObject *co);
/* Copy frame f (ip and sp saved) into a new heap block. The copy takes
   over f's references (f must then be given back with frame_free, not
   frame_pop). NULL with MemoryError. */
Frame *frame_copy_to_heap(Frame *f);
/* Give back a heap frame's memory (its contents already released). */
void frame_heap_free_size(Frame *h, size_t nbytes);

/* ---- Argument binding ------------------------------------------------- */

/* A call that needs no binding work: exactly the positional parameters, no
   keywords, no star parameters and no keyword-only parameters. One
   comparison: code_new made fast_argcount -1 for the codes that bind. */
static inline bool frame_call_is_simple(CodeObject *co, size_t nargs, Object *kwnames)
{
    return kwnames == NULL && nargs == (size_t)(ptrdiff_t)co->fast_argcount;
}

/* Bind a call's arguments (borrowed: args[0..nargs) positional, then the
   values of kwnames) to the parameters of fn in locals (all NULL on entry;
   the frame owns what is stored). 0, or -1 with CPython's TypeError. */
int frame_bind_arguments(FunctionObject *fn, Object **locals, Object *const *args,
                         size_t nargs, Object *kwnames);

/* Any call but a simple one: bind fn's argc stolen arguments (positional,
   then the values of kwnames) into locals (all NULL). Positional arguments
   that only leave trailing defaults to fill are moved; the rest go through
   frame_bind_arguments and are released. 0, or -1 with CPython's TypeError
   (the arguments released either way). */
int frame_bind_moved(FunctionObject *fn, Object **locals, Object *const *args, size_t argc,
                     Object *kwnames);

/* Move argc arguments into a new frame's first slots. Most calls pass one
   to four: those are copied without a loop. */
ALWAYS_INLINE static inline void frame_move_arguments(Object **slots, Object *const *args,
                                                      size_t argc)
{
    switch (argc) {
    case 4:
        slots[3] = args[3];
        /* fall through */
    case 3:
        slots[2] = args[2];
        /* fall through */
    case 2:
        slots[1] = args[1];
        /* fall through */
    case 1:
        slots[0] = args[0];
        /* fall through */
    case 0:
        break;
    default:
        for (size_t i = 0; i < argc; i++)
            slots[i] = args[i];
    }
}

/* The one way a call of a Toy function gets its frame. fn and its argc
   arguments (the positional ones, then the values of kwnames) are stolen:
   a simple call moves them into the local slots, any other binds them
   (frame_bind_moved). The new frame is ts->frame. NULL with an exception
   (and everything released). back: as for frame_push_raw_to (only the
   straight path uses it). */
/* The straight path of frame_push_moved_to: for a call that passes exactly
   co's (fn's code's) positional parameters, no keywords, and co has no
   cells (argc == co->plain_argcount), so the arguments are all it needs. */
ALWAYS_INLINE static inline Frame *frame_push_plain(ThreadState *ts, FunctionObject *fn,
                                                    CodeObject *co, Object *const *args,
                                                    size_t argc, Frame *back)
{
    Frame *f = frame_push_raw_to(ts, co, argc, back);
    if (UNLIKELY(f == NULL)) {
        DECREF(fn);
        frame_release_values(args, argc);
        return NULL;
    }
    f->function = (Object *)fn;
    f->globals = fn->globals;
    /* the slots follow the header: addressed from f, one register */
    frame_move_arguments((Object **)f + FRAME_HEADER_SLOTS, args, argc);
    return f;
}

ALWAYS_INLINE static inline Frame *frame_push_moved_to(ThreadState *ts, FunctionObject *fn,
                                                       Object *const *args, size_t argc,
                                                       Object *kwnames, Frame *back)
{
    CodeObject *co = (CodeObject *)fn->code;
    if (LIKELY(kwnames == NULL && argc == (size_t)(ptrdiff_t)co->plain_argcount))
        return frame_push_plain(ts, fn, co, args, argc, back);
    bool simple = frame_call_is_simple(co, argc, kwnames);
    Frame *f = frame_push_function(ts, fn, simple ? argc : 0);
    if (UNLIKELY(f == NULL)) {
        frame_release_values(args, argc);
        return NULL;
    }
    if (LIKELY(simple)) {
        for (size_t i = 0; i < argc; i++)
            f->slots[i] = args[i];
        return f;
    }
    if (frame_bind_moved(fn, f->slots, args, argc, kwnames) < 0) {
        frame_pop(ts, f, f->sp);
        return NULL;
    }
    return f;
}

/* frame_push_moved_to from C, where the running frame is not known. */
ALWAYS_INLINE static inline Frame *frame_push_moved(ThreadState *ts, FunctionObject *fn,
                                                    Object *const *args, size_t argc,
                                                    Object *kwnames)
{
    return frame_push_moved_to(ts, fn, args, argc, kwnames, NULL);
}

/* frame_push_moved out of line: for the calls the eval loop does not push
   by the straight path (keywords, defaults to fill, cells). */
Frame *frame_push_bound(ThreadState *ts, FunctionObject *fn, Object *const *args, size_t argc,
                        Object *kwnames);

/* frame_push_moved with fn and the arguments borrowed, and nargs counting
   the positional arguments only (the vector convention of calls from C). */
Frame *frame_push_call(ThreadState *ts, FunctionObject *fn, Object *const *args,
                       size_t nargs, Object *kwnames);

#endif
