/* gil.c - the global interpreter lock: what every policy shares (gil.h,
 * gil_policy.h). The policies' take / drop / yield bodies are in
 * core/gil_ticks.c, gil_modern.c and gil_priority.c; this file calls them
 * through gil_state.ops, and around them keeps the statistics (--stats),
 * calls the trace (--gil-trace) and handles --no-gil and fork.
 *
 * --gil-trace: each place the lock changes hands calls a trace.c hook, behind
 * a test of trace_enabled (the only cost when tracing is off). The hooks run
 * even with --no-gil, where they record when threads run.
 */
#include "core/gil.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "core/gchead.h"
#include "core/gil_policy.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "core/trace.h"

atomic_int gil_eval_breaker;

/* The SIGINT handler writes the breaker: that must not take a lock. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the eval breaker must be a lock-free atomic");

GilState gil_state = {
    .policy = GIL_POLICY_MODERN,
    .ops = &gil_modern_ops,
    .interval_ns = 5 * 1000 * 1000,
    .check_interval = 100,
};

uint64_t gil_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- Policies ---------------------------------------------------------------- */

static const char *const policy_names[] = {
    [GIL_POLICY_MODERN] = "modern",
    [GIL_POLICY_TICKS] = "ticks",
    [GIL_POLICY_PRIORITY] = "priority",
};

static const GilPolicyOps *const policy_ops[] = {
    [GIL_POLICY_MODERN] = &gil_modern_ops,
    [GIL_POLICY_TICKS] = &gil_ticks_ops,
    [GIL_POLICY_PRIORITY] = &gil_priority_ops,
};

void gil_set_policy(GilPolicy policy) {
    gil_state.policy = policy;
    gil_state.ops = policy_ops[policy];
}

GilPolicy gil_policy(void) { return gil_state.policy; }

const char *gil_policy_name(GilPolicy policy) { return policy_names[policy]; }

int gil_policy_parse(const char *name, GilPolicy *out) {
    for (int p = 0; p < (int)(sizeof(policy_names) / sizeof(policy_names[0])); p++) {
        if (strcmp(name, policy_names[p]) == 0) {
            *out = (GilPolicy)p;
            return 0;
        }
    }
    return -1;
}

/* ---- Set-up ------------------------------------------------------------------- */

static void create_primitives(void) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&gil_state.mutex, NULL);
    pthread_cond_init(&gil_state.cond, &attr);
    pthread_cond_init(&gil_state.io_cond, &attr);
    pthread_mutex_init(&gil_state.switch_mutex, NULL);
    pthread_cond_init(&gil_state.switch_cond, &attr);
    pthread_condattr_destroy(&attr);
}

/* Under ticks every switch point must reach gil_yield to be counted. */
static void set_tick_bit(void) {
    if (gil_state.enabled && gil_state.policy == GIL_POLICY_TICKS)
        atomic_fetch_or_explicit(&gil_eval_breaker, GIL_BREAK_TICK, memory_order_relaxed);
}

void gil_init(bool enabled, ThreadState *main_ts) {
    gil_state.enabled = enabled;
    create_primitives();
    set_tick_bit();
    gil_take_counted(main_ts, GIL_TAKE_START);
}

bool gil_enabled(void) { return gil_state.enabled; }

/* ---- Helpers for the policies ---------------------------------------------------- */

/* Only the drop bit: the signal bit belongs to core/sigint.c. */
static void set_drop_request(bool on) {
    if (on)
        atomic_fetch_or_explicit(&gil_eval_breaker, GIL_BREAK_DROP, memory_order_relaxed);
    else
        atomic_fetch_and_explicit(&gil_eval_breaker, ~GIL_BREAK_DROP, memory_order_relaxed);
}

bool gil_drop_requested(void) {
    return atomic_load_explicit(&gil_eval_breaker, memory_order_relaxed) & GIL_BREAK_DROP;
}

void gil_request_drop(ThreadState *ts) {
    set_drop_request(true);
    ts->gil_stats.drop_requests++;
    if (trace_enabled) trace_gil_drop_request(ts, gil_now_ns());
}

bool gil_wait_interval(pthread_cond_t *cond) {
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    long ns = deadline.tv_nsec + gil_state.interval_ns;
    deadline.tv_sec += ns / 1000000000L;
    deadline.tv_nsec = ns % 1000000000L;
    return pthread_cond_timedwait(cond, &gil_state.mutex, &deadline) == ETIMEDOUT;
}

void gil_become_holder(ThreadState *ts) {
    /* switch_mutex is held while last_holder changes: the forced switch
       reads it under that mutex to decide whether the handover happened. */
    pthread_mutex_lock(&gil_state.switch_mutex);
    gil_set_locked(true);
    if (gil_state.last_holder != ts) {
        gil_state.last_holder = ts;
        gil_state.switch_number++;
        ts->gil_stats.handovers++;
    }
    pthread_cond_signal(&gil_state.switch_cond);
    pthread_mutex_unlock(&gil_state.switch_mutex);
    set_drop_request(false);
}

void gil_wait_for_handover(ThreadState *ts) {
    pthread_mutex_lock(&gil_state.switch_mutex);
    if (gil_state.last_holder == ts) {
        ts->gil_stats.forced_switches++;
        if (trace_enabled) trace_gil_forced_switch(gil_now_ns());
        /* The thread that requested the drop is inside take and will change
           last_holder when it gets the lock. */
        while (gil_state.last_holder == ts)
            pthread_cond_wait(&gil_state.switch_cond, &gil_state.switch_mutex);
    }
    pthread_mutex_unlock(&gil_state.switch_mutex);
}

/* ---- Statistics --------------------------------------------------------------------- */

/* Bucket 0: under 128 ns; then 8 buckets per power of two. */
static int latency_bucket(uint64_t ns) {
    if (ns < 128) return 0;
    int octave = 63 - __builtin_clzll(ns); /* 2^octave <= ns */
    int sub = (int)((ns >> (octave - 3)) & 7);
    int b = (octave - 7) * 8 + sub + 1;
    return b < GIL_LATENCY_BUCKETS ? b : GIL_LATENCY_BUCKETS - 1;
}

/* The middle of bucket b, in ns. */
static uint64_t bucket_value(int b) {
    if (b == 0) return 64;
    int octave = (b - 1) / 8 + 7, sub = (b - 1) % 8;
    uint64_t lo = (uint64_t)(8 + sub) << (octave - 3);
    return lo + ((uint64_t)1 << (octave - 3)) / 2;
}

static void record_wakeup(GilStats *s, uint64_t ns) {
    s->wakeups++;
    if (ns > s->wakeup_max_ns) s->wakeup_max_ns = ns;
    s->wakeup_hist[latency_bucket(ns)]++;
}

void gil_stats_add(GilStats *total, const GilStats *s) {
    total->acquisitions += s->acquisitions;
    total->handovers += s->handovers;
    total->drop_requests += s->drop_requests;
    total->forced_switches += s->forced_switches;
    total->wait_ns += s->wait_ns;
    total->futile_wakeups += s->futile_wakeups;
    total->wakeups += s->wakeups;
    if (s->wakeup_max_ns > total->wakeup_max_ns) total->wakeup_max_ns = s->wakeup_max_ns;
    for (int b = 0; b < GIL_LATENCY_BUCKETS; b++) total->wakeup_hist[b] += s->wakeup_hist[b];
}

uint64_t gil_stats_latency(const GilStats *s, double q) {
    if (s->wakeups == 0) return 0;
    /* The smallest sample with at least q of them at or below it. */
    uint64_t rank = (uint64_t)(q * (double)s->wakeups + 0.999999);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (int b = 0; b < GIL_LATENCY_BUCKETS; b++) {
        seen += s->wakeup_hist[b];
        if (seen >= rank) {
            uint64_t v = bucket_value(b);
            return v < s->wakeup_max_ns ? v : s->wakeup_max_ns;
        }
    }
    return s->wakeup_max_ns;
}

/* ---- Taking, dropping, yielding ------------------------------------------------------- */

void gil_take_counted(ThreadState *ts, GilTakeReason why) {
    if (!gil_state.enabled) {
        gil_world_attach(ts); /* waits while another thread holds the world */
        if (trace_enabled) trace_gil_taken(ts, 0, gil_now_ns(), false); /* runs again */
        /* toy-ft: back from a blocking call: merge its queue */
        if (why == GIL_TAKE_AFTER_BLOCK) refcount_at_breaker();
        return;
    }
    uint64_t start = gil_now_ns();
    bool waited = gil_state.ops->take(ts, why);
    uint64_t taken = gil_now_ns();
    ts->gil_stats.acquisitions++;
    ts->gil_stats.wait_ns += taken - start;
    if (why == GIL_TAKE_AFTER_BLOCK) record_wakeup(&ts->gil_stats, taken - start);
    if (trace_enabled) trace_gil_taken(ts, start, taken, waited);
}

void gil_drop_and_retake(ThreadState *ts) {
    uint64_t dropped = gil_now_ns();
    gil_state.ops->drop(ts);
    bool waited = gil_state.ops->take(ts, GIL_TAKE_AFTER_YIELD);
    uint64_t taken = gil_now_ns();
    ts->gil_stats.acquisitions++;
    ts->gil_stats.wait_ns += taken - dropped;
    if (trace_enabled && waited) { /* another thread held it meanwhile */
        trace_gil_dropped(dropped);
        trace_gil_taken(ts, dropped, taken, true);
    }
}

void gil_drop_traced(ThreadState *ts) {
    if (trace_enabled) trace_gil_dropped(gil_now_ns());
    if (gil_state.enabled) {
        gil_state.ops->drop(ts);
    } else {
        gc_stripe_drain_mine(); /* toy-ft: what others asked, before a wait */
        gil_world_detach(ts);
    }
}

void gil_take(ThreadState *ts) { gil_take_counted(ts, GIL_TAKE_AFTER_BLOCK); }

void gil_thread_start(ThreadState *ts) { gil_take_counted(ts, GIL_TAKE_START); }

void gil_drop(ThreadState *ts) { gil_drop_traced(ts); }

void gil_yield(ThreadState *ts) {
    if (!gil_state.enabled) {
        /* Nothing to hand over; a stray drop request is dropped. */
        if (gil_drop_requested()) set_drop_request(false);
        return;
    }
    gil_state.ops->yield(ts);
}

void gil_thread_exit(ThreadState *ts) {
    /* ts may already be freed here (it is only compared): the trace finds
       the thread's buffer through a thread-local. */
    if (trace_enabled) trace_thread_exit(gil_now_ns());
    if (!gil_state.enabled) {
        gil_world_detach(ts);
        return;
    }
    pthread_mutex_lock(&gil_state.mutex);
    pthread_mutex_lock(&gil_state.switch_mutex);
    if (gil_state.last_holder == ts) gil_state.last_holder = NULL;
    pthread_cond_signal(&gil_state.switch_cond);
    pthread_mutex_unlock(&gil_state.switch_mutex);
    pthread_mutex_unlock(&gil_state.mutex);
    gil_state.ops->drop(ts);
}

/* ---- Settings -------------------------------------------------------------------------- */

void gil_set_interval(double seconds) {
    long ns = (long)(seconds * 1e9);
    if (ns < 1000) ns = 1000; /* 1 µs: anything shorter only burns CPU */
    pthread_mutex_lock(&gil_state.mutex);
    gil_state.interval_ns = ns;
    pthread_mutex_unlock(&gil_state.mutex);
}

double gil_get_interval(void) { return (double)gil_state.interval_ns / 1e9; }

void gil_set_check_interval(int64_t ticks) {
    /* Read without the mutex by the holder in gil_yield, and only ever
       written by the holder: the GIL orders them. */
    gil_state.check_interval = ticks < 1 ? 1 : ticks;
}

int64_t gil_get_check_interval(void) { return gil_state.check_interval; }

void gil_after_fork_child(ThreadState *ts) {
    /* The parent's mutexes may have been held by threads that do not exist
       here; build fresh ones rather than unlocking someone else's. */
    create_primitives();
    if (trace_enabled) trace_after_fork_child(); /* the parent writes the trace */
    gil_set_locked(gil_state.enabled);
    gil_world_after_fork_child();
    gil_state.last_holder = ts;
    gil_state.io_waiting = 0;
    gil_state.overdue = 0;
    set_drop_request(false);
}
