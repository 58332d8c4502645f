/* genobject.h - generator objects: what a call of a function containing
 * `yield` (or a generator expression) returns.
 *
 * A generator owns its frame: a heap block holding the Frame header, the
 * locals, cells and value stack (interp/vm.h explains how it is resumed).
 * The frame is NULL once the generator has finished or been closed.
 * `running` is set while the frame runs (or while a throw/close is being
 * forwarded to the iterator it delegates to with `yield from`); resuming a
 * running generator, from the same thread or another one, is an error.
 * Whoever sets `running` owns the frame until it clears it: gen_claim sets
 * it and says whether it was clear. Under the GIL that is a plain test and
 * set; in the free-threaded build, where two threads can call next() on
 * one generator at the same moment, it is one atomic fetch-or (acquire:
 * a `lock bts` on x86) once a second thread has started (a plain test and
 * set before), and gen_release a release store, so exactly one of them
 * gets the frame and the other "generator already executing". The other
 * fields are read and written only by the thread holding the claim.
 */
#ifndef TOY_GENOBJECT_H
#define TOY_GENOBJECT_H

#include <stdbool.h>
#ifdef TOY_FREE_THREADED
#include <stdatomic.h>
#endif

#include "core/object.h"
#include "core/threadstate.h"
#include "interp/vm.h"

typedef struct {
    Object base;
    Frame *frame;        /* owned heap frame; NULL once finished */
    Object *name;        /* str */
    Object *qualname;    /* str */
    Object *code;        /* the code object (gi_code), kept after the frame is gone */
    Object *exc_state;   /* the exception it was handling when it suspended, or NULL */
    Object *outer_exc;   /* while the eval loop runs its frame inline: the
                            caller's handled exception, restored at the yield
                            (owned), else NULL */
#ifdef TOY_FREE_THREADED
    _Atomic unsigned running; /* 0 or 1; only through the functions below */
#else
    bool running;
#endif
    bool started;
} GenObject;

/* Set g's running flag where nobody can race for it: the caller has
   claimed it already, or no second thread has been started and nothing
   ran since the caller saw it clear. */
static inline void gen_mark_running(GenObject *g)
{
#ifdef TOY_FREE_THREADED
    atomic_store_explicit(&g->running, 1u, memory_order_relaxed);
#else
    g->running = true;
#endif
}

/* Set g's running flag; true when it was clear, so the caller now owns the
   frame (and must gen_release it), false when someone else is running it.
   In toy-ft, while no second thread has been started (asked at each claim),
   nobody can race for the flag, and a plain load and store set it, as in
   the GIL build: the locked fetch-or costs tens of cycles on every resume.
   A thread started later, from the generator's own body included, is
   started after that store (pthread_create orders it first), so its
   fetch-or sees the flag set. */
static inline bool gen_claim(GenObject *g)
{
#ifdef TOY_FREE_THREADED
    if (__builtin_expect(!ts_single_threaded(), 0))
        return !(atomic_fetch_or_explicit(&g->running, 1u, memory_order_acquire) & 1u);
    if (atomic_load_explicit(&g->running, memory_order_relaxed) != 0)
        return false;
#else
    if (g->running)
        return false;
#endif
    gen_mark_running(g);
    return true;
}

/* Give up a claim made by gen_claim. */
static inline void gen_release(GenObject *g)
{
#ifdef TOY_FREE_THREADED
    atomic_store_explicit(&g->running, 0u, memory_order_release);
#else
    g->running = false;
#endif
}

/* Is g running now (gi_running)? Only a snapshot while other threads run. */
static inline bool gen_is_running(GenObject *g)
{
#ifdef TOY_FREE_THREADED
    return atomic_load_explicit(&g->running, memory_order_acquire) != 0;
#else
    return g->running;
#endif
}

extern Type gen_type;

/* A new generator owning frame (a heap frame made by the eval loop's
   RETURN_GENERATOR; not yet started). name and qualname borrowed. NULL with
   MemoryError (the frame then still belongs to the caller). */
Object *gen_new(Frame *frame, Object *name, Object *qualname);

/* Send value (borrowed) into gen: the yielded value with *returned false,
   or the generator's return value with *returned true (None when it was
   already finished), or NULL with an exception. */
Object *gen_send(Object *gen, Object *value, bool *returned);

/* next(gen) as Python sees it: the next value, or NULL with StopIteration
   carrying the return value (its iternext slot drops it, as C callers
   want). */
Object *gen_next(Object *gen);

/* PEP 479, for a generator whose body raised: a StopIteration set becomes
   a RuntimeError caused by it; any other exception is left as it is. */
void gen_check_stop_iteration(void);

/* After an iterator stopped (NULL returned): its return value, from the
   StopIteration set (cleared) or None when none is set. New reference; NULL
   when another exception is set (left set). */
Object *gen_fetch_stop_value(void);

#endif
