/* gil_ticks.c - Python 2's GIL (the ticks policy, --gil=ticks; gil.h).
 *
 *   - Every switch point (backward jump or call) is a tick: the tick bit of
 *     the eval breaker stays set, so each one reaches ticks_yield.
 *   - Every check interval ticks (sys.setcheckinterval, default 100) the
 *     running thread drops the lock, signals one waiter, and asks for the
 *     lock again at once.
 *   - A waiter sleeps without a time limit, and when woken takes the lock
 *     only if it is still free. Nobody asks the holder to drop and nobody
 *     waits for a handover.
 *
 * One core: the waiter can only run when the OS switches threads, and the
 * releasing thread usually keeps the lock. Several cores: the woken waiter
 * starts on another core, but the releasing thread is already asking again
 * and, a few nanoseconds later, has the lock back; the waiter finds it taken
 * (a futile wake-up, counted in --stats) and sleeps again. The two threads
 * spend their time signalling each other: the thrashing Beazley measured in
 * 2010, where two threads took twice as long as one.
 *
 * A tick is a switch point, not an instruction as in Python 2: counting
 * each instruction would cost every policy a counter on the hottest path.
 */
#include "core/gil_policy.h"

static bool ticks_take(ThreadState *ts, GilTakeReason why) {
    (void)why;
    bool waited = false;
    pthread_mutex_lock(&gil_state.mutex);
    while (gil_state.locked) {
        waited = true;
        pthread_cond_wait(&gil_state.cond, &gil_state.mutex);
        if (gil_state.locked) ts->gil_stats.futile_wakeups++;
    }
    gil_become_holder(ts);
    pthread_mutex_unlock(&gil_state.mutex);
    ts->gil_ticks = 0;
    return waited;
}

static void ticks_drop(ThreadState *ts) {
    (void)ts;
    pthread_mutex_lock(&gil_state.mutex);
    gil_set_locked(false);
    pthread_cond_signal(&gil_state.cond);
    pthread_mutex_unlock(&gil_state.mutex);
}

static void ticks_yield(ThreadState *ts) {
    if (++ts->gil_ticks < gil_state.check_interval) return;
    gil_drop_and_retake(ts); /* "other threads may run now" */
}

const GilPolicyOps gil_ticks_ops = {ticks_take, ticks_drop, ticks_yield};
