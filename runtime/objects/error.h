/* error.h - raising and inspecting exceptions from C.
 *
 * Toy's C code reports errors the way CPython's does: a function that fails
 * sets the current exception in the thread state and returns NULL (functions
 * returning int return -1). Every caller checks and propagates. The VM turns
 * a NULL into exception unwinding and a traceback.
 *
 * The current exception is per-thread (ThreadState.current_exc) and owned by
 * the thread state. Raising replaces any exception already set.
 */
#ifndef TOY_ERROR_H
#define TOY_ERROR_H

#include <stdbool.h>
#include "core/object.h"

/* Raise a new instance of type whose single argument is the formatted message
   (printf format). Always returns NULL, for `return error_set(...)`. */
Object *error_set(Type *type, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Raise type(value): value becomes args[0] (borrowed). Returns NULL. */
Object *error_set_object(Type *type, Object *value);
/* Raise the exception instance exc (borrowed). Returns NULL. */
Object *error_set_instance(Object *exc);
/* Raise MemoryError (a preallocated instance: raising needs no memory). */
Object *error_no_memory(void);
/* Is exc the preallocated MemoryError (static, so without a collector head)? */
bool error_is_static(Object *exc);

/* A Ctrl-C (SIGINT) is pending and this is the main thread: consume it,
   raise KeyboardInterrupt and return -1. Otherwise 0 (other threads never
   get it). Blocking calls call this when their wait was interrupted; the
   eval loop calls it from its breaker check. GIL held. */
int error_check_interrupt(void);

bool error_occurred(void);
/* Is the current exception an instance of type (or a subclass)? */
bool error_matches(Type *type);
/* Take the current exception out of the thread state: a new reference the
   caller owns, or NULL if none. The thread state no longer has one. */
Object *error_fetch(void);
/* Make exc (stolen) the current exception again. */
void error_restore(Object *exc);
void error_clear(void);

/* Print "Traceback (most recent call last):", the frames and the exception
   line for exc, as CPython does, to stderr (after flushing stdout). */
void error_print(Object *exc);
/* The same report as a str (new reference), for code that sends or stores
   it (concurrent.futures' worker tracebacks); NULL on MemoryError. */
Object *error_format(Object *exc);

/* An exception that cannot be raised anywhere (it escaped a __del__, or a
   generator's finally clause run by its dealloc): take the current one and
   print "Exception ignored in: " + repr(where) and its traceback, without
   the exceptions chained to it, as CPython does. Nothing if none is set. */
void error_report_unraisable(Object *where);
/* The same with another introduction: "Exception ignored in atexit
   callback" + ": " + repr(where). */
void error_report_unraisable_as(const char *intro, Object *where);

/* From now on tracebacks show no source lines: at exit CPython can no
   longer read them (its io module is gone), so errors in __del__ methods
   run then print only the "File ..., line N, in f" entries. */
void error_print_without_source(void);

/* Release what the preallocated MemoryError still holds (its traceback and
   chained exceptions). Called at exit by exceptions_fini(). */
void error_fini(void);

#endif
