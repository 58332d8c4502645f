/* gil_priority.c - the modern GIL with priority for I/O-bound threads
 * (--gil=priority; gil.h). Beazley's proposal of 2010, in a simple form.
 *
 *   - A thread coming back from a blocking call (GIL_ACQUIRE) is I/O-bound:
 *     if the lock is held, it sets the drop request at once (no interval),
 *     spins for up to IO_SPIN_NS, then waits on io_cond. The holder drops
 *     at its next switch point, within microseconds, and waits for the
 *     handover as under modern. Among themselves I/O-bound threads follow
 *     the modern rules (they block again soon anyway).
 *   - While I/O-bound threads wait, a dropped lock goes to one of them
 *     (io_cond is signalled; CPU-bound waiters on cond stay asleep, and one
 *     that wakes for another reason steps back). An I/O-bound waiter that
 *     is still waiting after an interval asks again.
 *   - Every other take (after being asked to drop, or a new thread) is
 *     CPU-bound and follows the modern rules: wait an interval, then ask.
 *   - No starvation: a CPU-bound waiter that has waited a whole interval is
 *     overdue. While one is, the I/O-bound waiters step back instead and a
 *     dropped lock goes to the CPU-bound ones, so a stream of I/O threads
 *     delays a CPU-bound thread by about one interval at most. Two CPU-bound
 *     threads take turns exactly as under modern.
 * The cost: every return from a blocking call beside a busy thread is two
 * more thread switches, paid by the CPU-bound thread, and up to IO_SPIN_NS
 * of a core spent spinning.
 */
#include "core/gil_policy.h"

/* Under gil_state.mutex: whom a dropped lock should wake. */
static void wake_next(void) {
    if (gil_state.io_waiting > 0 && gil_state.overdue == 0)
        pthread_cond_signal(&gil_state.io_cond);
    else if (gil_state.overdue > 0)
        pthread_cond_broadcast(&gil_state.cond); /* the overdue one must hear it */
    else
        pthread_cond_signal(&gil_state.cond);
}

/* How long an I/O-bound thread spins before it sleeps: the holder drops
   at its next switch point, normally within microseconds, and a sleeping
   thread would then have to be woken by the scheduler, which costs far
   more (tens of microseconds, milliseconds on a busy machine). */
#define IO_SPIN_NS 50000

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("pause");
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Spin (without the mutex) until the lock looks free or IO_SPIN_NS pass. */
static void spin_until_free(void) {
    uint64_t until = gil_now_ns() + IO_SPIN_NS;
    for (int i = 1; atomic_load_explicit(&gil_state.locked_hint, memory_order_relaxed); i++) {
        cpu_relax();
        if (i % 64 == 0 && gil_now_ns() > until) break;
    }
}

static bool io_take(ThreadState *ts) {
    bool waited = false;
    pthread_mutex_lock(&gil_state.mutex);
    if (gil_state.locked || gil_state.overdue > 0) {
        waited = true;
        gil_state.io_waiting++;
        if (gil_state.locked) {
            gil_request_drop(ts);
            pthread_mutex_unlock(&gil_state.mutex);
            spin_until_free();
            pthread_mutex_lock(&gil_state.mutex);
        }
        while (gil_state.locked || gil_state.overdue > 0) {
            /* The request is cleared by whoever takes the lock: if that was
               an overdue CPU-bound waiter, ask its holder again after an
               interval. */
            if (!gil_wait_interval(&gil_state.io_cond)) {
                if (gil_state.locked) ts->gil_stats.futile_wakeups++;
            } else if (gil_state.locked) {
                gil_request_drop(ts);
            }
        }
        gil_state.io_waiting--;
    }
    gil_become_holder(ts);
    pthread_mutex_unlock(&gil_state.mutex);
    return waited;
}

static bool cpu_take(ThreadState *ts) {
    bool waited = false, overdue = false;
    uint64_t since = 0;
    pthread_mutex_lock(&gil_state.mutex);
    while (gil_state.locked || (gil_state.io_waiting > 0 && !overdue)) {
        if (!waited) since = gil_now_ns();
        waited = true;
        uint64_t seen = gil_state.switch_number;
        bool timed_out = gil_wait_interval(&gil_state.cond);
        if (!timed_out) {
            if (gil_state.locked) ts->gil_stats.futile_wakeups++;
            continue;
        }
        if (!overdue && gil_now_ns() - since >= (uint64_t)gil_state.interval_ns) {
            overdue = true;
            gil_state.overdue++;
        }
        if (gil_state.locked && (overdue || gil_state.switch_number == seen)) gil_request_drop(ts);
    }
    if (overdue) gil_state.overdue--;
    gil_become_holder(ts);
    pthread_mutex_unlock(&gil_state.mutex);
    return waited;
}

static bool priority_take(ThreadState *ts, GilTakeReason why) {
    return why == GIL_TAKE_AFTER_BLOCK ? io_take(ts) : cpu_take(ts);
}

static void priority_drop(ThreadState *ts) {
    (void)ts;
    pthread_mutex_lock(&gil_state.mutex);
    gil_set_locked(false);
    wake_next();
    pthread_mutex_unlock(&gil_state.mutex);
}

static void priority_yield(ThreadState *ts) {
    if (!gil_drop_requested()) return;
    gil_drop_traced(ts);
    gil_wait_for_handover(ts); /* and come back CPU-bound */
    gil_take_counted(ts, GIL_TAKE_AFTER_YIELD);
}

const GilPolicyOps gil_priority_ops = {priority_take, priority_drop, priority_yield};
