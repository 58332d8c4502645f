/* genobject.h - generator objects: what a call of a function containing
 * `yield` (or a generator expression) returns.
 *
 * A generator owns its frame: a heap block holding the Frame header, the
 * locals, cells and value stack (interp/vm.h explains how it is resumed).
 * The frame is NULL once the generator has finished or been closed.
 * `running` is set while the frame runs (or while a throw/close is being
 * forwarded to the iterator it delegates to with `yield from`); resuming a
 * running generator, from the same thread or another one, is an error.
 * All of it is protected by the GIL.
 */
#ifndef TOY_GENOBJECT_H
#define TOY_GENOBJECT_H

#include <stdbool.h>

#include "core/object.h"
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
    bool running;
    bool started;
} GenObject;

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
