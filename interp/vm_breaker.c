/* vm_breaker.c - what the eval loop does when the eval breaker is set
 * (core/gil.h): hand the GIL over when another thread asked for it, run
 * the cycle collection the allocator asked for (objects/gc.h), and turn a
 * pending Ctrl-C into KeyboardInterrupt in the main thread.
 *
 * The collection runs here, between two instructions, because this is a
 * safe point: every object is fully built (the allocator only raises the
 * request). Whichever thread reaches its check first runs it, holding the
 * GIL; without the GIL it stops the world first (core/gil_world.c), and
 * the other threads park here.
 *
 * Invariant: only the main thread consumes a Ctrl-C (error_check_interrupt
 * does nothing elsewhere), so a worker thread that finds only the signal bit
 * set returns 0 at once and keeps running; the bit stays set until the main
 * thread reaches its next check.
 */
#include "interp/vm.h"

#include "core/gil.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/error.h"
#include "objects/gc.h"

int vm_eval_breaker(ThreadState *ts) {
    if (atomic_load_explicit(&gil_eval_breaker, memory_order_relaxed) & GIL_BREAK_STOP)
        gil_world_park(ts); /* no GIL: another thread is collecting */
    if (atomic_load_explicit(&gil_eval_breaker, memory_order_relaxed) & GIL_BREAK_GC) {
        atomic_fetch_and_explicit(&gil_eval_breaker, ~GIL_BREAK_GC, memory_order_relaxed);
        gc_collect_automatic();
    }
    gil_yield(ts); /* returns at once unless a drop was requested (or ticks) */
    refcount_at_breaker(); /* toy-ft: merge the objects queued for this thread */
    /* Under --gil=ticks the breaker is always set: look at the signal bit
       first, so that a switch point costs no atomic write. The handler sets
       the bit after the pending flag, so a Ctrl-C is never missed here. */
    if (!gil_breaker_signal_set()) return 0;
    return error_check_interrupt();
}
