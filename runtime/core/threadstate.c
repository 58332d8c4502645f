/* threadstate.c - creation and teardown of per-thread interpreter state,
 * and the one shared Interp. */
#include "core/threadstate.h"

#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"

_Thread_local ThreadState *ts_current;
#ifdef TOY_FREE_THREADED
atomic_bool ts_threads_started;
#endif

Interp interp = {
    .recursion_limit = 1000,
};

ThreadState *ts_create(void) {
    ThreadState *ts = mem_alloc_or_die(sizeof(ThreadState));
    memset(ts, 0, sizeof(*ts));
    ts_current = ts;
    refcount_thread_attach(); /* toy-ft: the thread gets its owner id */
    return ts;
}

/* Releases what the thread still owns. The caller has already finished
   running Toy code on this thread. */
void ts_destroy(ThreadState *ts) {
    CLEAR(&ts->current_exc);
    CLEAR(&ts->handled_exc);
    CLEAR(&ts->repr_stack);
    CLEAR(&ts->local_dicts);
    vm_thread_fini(ts);
    if (ts_current == ts) ts_current = NULL;
    mem_free(ts, sizeof(ThreadState));
    refcount_thread_detach(); /* toy-ft: merges what others queued for it */
}
