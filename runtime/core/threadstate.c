/* threadstate.c - creation and teardown of per-thread interpreter state,
 * and the one shared Interp. */
#include "core/threadstate.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/gchead.h"
#include "core/refcount.h"

_Thread_local ThreadState *ts_current;
#ifdef TOY_FREE_THREADED
atomic_bool ts_threads_started;
_Atomic(const void *) ts_alone_inline_type;
#endif

Interp interp = {
    .recursion_limit = 1000,
};

#ifdef TOY_FREE_THREADED
/* toy-ft, the first thread's start-up: it is alone, and its stripe locks
   take the plain-store path (core/objlock.h) until a second thread starts.
   TOY_FT_THREADS_STARTED=1 in the environment starts the program as if one
   had already been started (every shortcut of being alone off), so that
   the cost of running with threads can be measured on a single thread
   (make bench-ft). */
static void ts_first_thread_start(void) {
    objlock_map_in();
    const char *started = getenv("TOY_FT_THREADS_STARTED");
    if (started != NULL && strcmp(started, "1") == 0)
        ts_note_thread_start();
    else
        objlock_alone_begin();
}
#endif

ThreadState *ts_create(void) {
    ThreadState *ts = mem_alloc_or_die(sizeof(ThreadState));
    memset(ts, 0, sizeof(*ts));
    ts_current = ts;
    refcount_thread_attach(); /* toy-ft: the thread gets its owner id */
    gc_stripe_attach();       /* toy-ft: and its stripe of the gc lists */
#ifdef TOY_FREE_THREADED
    if (ts_single_threaded()) ts_first_thread_start();
#endif
    return ts;
}

/* The references the thread state itself holds. */
static void ts_clear_refs(ThreadState *ts) {
    CLEAR(&ts->current_exc);
    CLEAR(&ts->handled_exc);
    CLEAR(&ts->repr_stack);
    CLEAR(&ts->local_dicts);
}

/* Releases what the thread still owns. The caller has finished running the
   thread's own Toy code; finalizers may still run here, on this thread
   and with this thread state. */
void ts_destroy(ThreadState *ts) {
    ts_clear_refs(ts);
    /* toy-ft: merge what other threads queued for this one, and leave the
       owners' table. A merge may free objects whose __del__ runs here, so
       it comes while the thread state, its frame stack and its quickened
       code are all still there. Such a finalizer may leave references in
       the state again (a repr, a threading.local): released after. */
    refcount_thread_detach();
    ts_clear_refs(ts);
    vm_thread_fini(ts);
    if (ts_current == ts) ts_current = NULL;
    mem_free(ts, sizeof(ThreadState));
    gc_stripe_detach(); /* toy-ft: then carries out what they asked of its stripe */
}
