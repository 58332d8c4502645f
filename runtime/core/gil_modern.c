/* gil_modern.c - CPython's GIL since 3.2 (the default policy; gil.h).
 *
 *   - A waiter sleeps on the condition for one switch interval (5 ms). If
 *     the lock did not change hands in that time, it sets the drop request.
 *   - The holder sees the request at its next switch point, drops the lock,
 *     and waits until another thread has taken it (forced switching), so
 *     that it cannot grab it straight back.
 *
 * Two CPU-bound threads take turns every interval. The cost shows beside
 * I/O: a thread that comes back from a blocking call while a CPU-bound
 * thread holds the lock waits a whole interval before it even asks for it
 * (the convoy effect): 200 sleeps of 1 ms take several times as long.
 */
#include "core/gil_policy.h"

static bool modern_take(ThreadState *ts, GilTakeReason why) {
    (void)why;
    bool waited = false;
    pthread_mutex_lock(&gil_state.mutex);
    while (gil_state.locked) {
        waited = true;
        uint64_t seen = gil_state.switch_number;
        bool timed_out = gil_wait_interval(&gil_state.cond);
        if (!gil_state.locked) break;
        if (!timed_out) ts->gil_stats.futile_wakeups++;
        else if (gil_state.switch_number == seen) gil_request_drop(ts); /* a whole interval */
    }
    gil_become_holder(ts);
    pthread_mutex_unlock(&gil_state.mutex);
    return waited;
}

static void modern_drop(ThreadState *ts) {
    (void)ts;
    pthread_mutex_lock(&gil_state.mutex);
    gil_set_locked(false);
    pthread_cond_signal(&gil_state.cond);
    pthread_mutex_unlock(&gil_state.mutex);
}

static void modern_yield(ThreadState *ts) {
    /* Woken for a signal only: the eval loop handles that; keep the lock. */
    if (!gil_drop_requested()) return;
    gil_drop_traced(ts);
    gil_wait_for_handover(ts);
    gil_take_counted(ts, GIL_TAKE_AFTER_YIELD);
}

const GilPolicyOps gil_modern_ops = {modern_take, modern_drop, modern_yield};
