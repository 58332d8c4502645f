/* gil.c - the global interpreter lock (algorithm in gil.h).
 *
 * State: `locked` and `last_holder` guarded by `mutex`; waiters sleep on
 * `cond`. `switch_number` counts handovers between different threads, so a
 * waiter can tell whether a switch happened while it slept. The forced
 * switch uses a second mutex/condition pair: a thread that dropped the lock
 * on request waits on `switch_cond` until some other thread became the
 * holder.
 *
 * --gil-trace: each place the lock changes hands calls a trace.c hook, behind
 * a test of trace_enabled (the only cost when tracing is off). The hooks run
 * even with --no-gil, where they record when threads run.
 */
#include "core/gil.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "core/refcount.h"
#include "core/threadstate.h"
#include "core/trace.h"

atomic_int gil_eval_breaker;

/* The SIGINT handler writes the breaker: that must not take a lock. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the eval breaker must be a lock-free atomic");

static struct {
    bool enabled;
    bool locked;
    ThreadState *last_holder;
    uint64_t switch_number;
    long interval_ns;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    pthread_mutex_t switch_mutex;
    pthread_cond_t switch_cond;
} gil = {
    .interval_ns = 5 * 1000 * 1000,
};

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void create_primitives(void) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&gil.mutex, NULL);
    pthread_cond_init(&gil.cond, &attr);
    pthread_mutex_init(&gil.switch_mutex, NULL);
    pthread_cond_init(&gil.switch_cond, &attr);
    pthread_condattr_destroy(&attr);
}

void gil_init(bool enabled, ThreadState *main_ts) {
    gil.enabled = enabled;
    create_primitives();
    gil_take(main_ts);
}

bool gil_enabled(void) { return gil.enabled; }

/* Only the drop bit: the signal bit belongs to core/sigint.c. */
static void set_drop_request(bool on) {
    if (on)
        atomic_fetch_or_explicit(&gil_eval_breaker, GIL_BREAK_DROP, memory_order_relaxed);
    else
        atomic_fetch_and_explicit(&gil_eval_breaker, ~GIL_BREAK_DROP, memory_order_relaxed);
}

static bool drop_requested(void) {
    return atomic_load_explicit(&gil_eval_breaker, memory_order_relaxed) & GIL_BREAK_DROP;
}

/* Sleep on the condition for one interval. Returns true if it timed out. */
static bool wait_one_interval(void) {
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    long ns = deadline.tv_nsec + gil.interval_ns;
    deadline.tv_sec += ns / 1000000000L;
    deadline.tv_nsec = ns % 1000000000L;
    return pthread_cond_timedwait(&gil.cond, &gil.mutex, &deadline) == ETIMEDOUT;
}

void gil_take(ThreadState *ts) {
    if (!gil.enabled) {
        if (trace_enabled) trace_gil_taken(ts, 0, now_ns(), false); /* runs again */
        refcount_at_breaker(); /* toy-ft: back from a blocking call: merge its queue */
        return;
    }
    uint64_t start = now_ns();
    bool waited = false; /* for the trace: slept on the condition at least once */
    pthread_mutex_lock(&gil.mutex);
    while (gil.locked) {
        waited = true;
        uint64_t seen = gil.switch_number;
        /* No handover within a whole interval: ask the holder to drop. */
        if (wait_one_interval() && gil.locked && gil.switch_number == seen) {
            set_drop_request(true);
            ts->gil_stats.drop_requests++;
            if (trace_enabled) trace_gil_drop_request(ts, now_ns());
        }
    }
    /* switch_mutex is held while last_holder changes: gil_drop reads it
       under that mutex to decide whether the handover has happened. */
    pthread_mutex_lock(&gil.switch_mutex);
    gil.locked = true;
    if (gil.last_holder != ts) {
        gil.last_holder = ts;
        gil.switch_number++;
    }
    pthread_cond_signal(&gil.switch_cond);
    pthread_mutex_unlock(&gil.switch_mutex);
    set_drop_request(false);
    pthread_mutex_unlock(&gil.mutex);
    uint64_t taken = now_ns();
    ts->gil_stats.acquisitions++;
    ts->gil_stats.wait_ns += taken - start;
    if (trace_enabled) trace_gil_taken(ts, start, taken, waited);
}

void gil_drop(ThreadState *ts) {
    (void)ts;
    if (trace_enabled) trace_gil_dropped(now_ns());
    if (!gil.enabled) return;
    pthread_mutex_lock(&gil.mutex);
    gil.locked = false;
    pthread_cond_signal(&gil.cond);
    pthread_mutex_unlock(&gil.mutex);
}

void gil_thread_exit(ThreadState *ts) {
    /* ts may already be freed here (it is only compared): the trace finds
       the thread's buffer through a thread-local. */
    if (trace_enabled) trace_thread_exit(now_ns());
    if (!gil.enabled) return;
    pthread_mutex_lock(&gil.mutex);
    pthread_mutex_lock(&gil.switch_mutex);
    if (gil.last_holder == ts) gil.last_holder = NULL;
    pthread_cond_signal(&gil.switch_cond);
    pthread_mutex_unlock(&gil.switch_mutex);
    gil.locked = false;
    pthread_cond_signal(&gil.cond);
    pthread_mutex_unlock(&gil.mutex);
}

void gil_yield(ThreadState *ts) {
    /* Woken for a signal only: the eval loop handles that; keep the lock. */
    if (!drop_requested()) return;
    if (!gil.enabled) {
        set_drop_request(false);
        return;
    }
    gil_drop(ts);
    /* Forced switching: we were asked to let go, so wait until another
       thread has really taken the lock before competing for it again. */
    pthread_mutex_lock(&gil.switch_mutex);
    if (gil.last_holder == ts) {
        ts->gil_stats.forced_switches++;
        if (trace_enabled) trace_gil_forced_switch(now_ns());
        /* The thread that requested the drop is inside gil_take and will
           change last_holder when it gets the lock. */
        while (gil.last_holder == ts)
            pthread_cond_wait(&gil.switch_cond, &gil.switch_mutex);
    }
    pthread_mutex_unlock(&gil.switch_mutex);
    gil_take(ts);
}

void gil_set_interval(double seconds) {
    long ns = (long)(seconds * 1e9);
    if (ns < 1000) ns = 1000; /* 1 µs: anything shorter only burns CPU */
    pthread_mutex_lock(&gil.mutex);
    gil.interval_ns = ns;
    pthread_mutex_unlock(&gil.mutex);
}

double gil_get_interval(void) { return (double)gil.interval_ns / 1e9; }

void gil_after_fork_child(ThreadState *ts) {
    /* The parent's mutexes may have been held by threads that do not exist
       here; build fresh ones rather than unlocking someone else's. */
    create_primitives();
    if (trace_enabled) trace_after_fork_child(); /* the parent writes the trace */
    gil.locked = gil.enabled;
    gil.last_holder = ts;
    set_drop_request(false);
}
