/* gil.h - the global interpreter lock: every "may this thread run
 * bytecode?" decision lives behind this header.
 *
 * Invariant: a thread touches Toy objects only while it holds the GIL. The
 * exceptions are code between GIL_RELEASE and GIL_ACQUIRE, which must not
 * touch any object (it may use C buffers it prepared beforehand), and the
 * allocator, the intern table and the thread table, which have locks of
 * their own.
 *
 * The lock has three policies (--gil=POLICY; docs/internals.md draws each):
 *   - modern (the default): CPython's lock since 3.2.
 *       - A thread that wants the lock waits on a condition variable for one
 *         switch interval (5 ms by default). If the lock was not handed over
 *         in that time, it sets the drop request, which is also the eval
 *         breaker.
 *       - The running thread polls the eval breaker at backward jumps and
 *         calls. When the drop request is set, it drops the lock and, because
 *         it was asked to, waits until another thread has actually taken it
 *         (forced switching), so that it cannot immediately grab it back.
 *   - ticks: Python 2's lock. The running thread drops the lock and asks for
 *     it again at once every N switch points (sys.setcheckinterval, default
 *     100); waiters sleep without a time limit and nobody ever asks the
 *     holder to drop. On several cores the thread that just dropped the lock
 *     nearly always takes it back before a woken waiter gets there.
 *   - priority: the modern lock, plus: a thread coming back from a blocking
 *     call (I/O, a sleep, a lock wait) asks the holder to drop at once and
 *     is handed the lock ahead of the other waiters. A thread that had to be
 *     asked to drop competes as CPU-bound again; a CPU-bound waiter that has
 *     waited a whole interval goes before the I/O-bound ones, so none starves.
 * Each policy is a few dozen lines in its own file (core/gil_POLICY.c) that
 * supplies the bodies of take, drop and yield (core/gil_policy.h); this
 * header and core/gil.c are the same for all three.
 *
 * The eval breaker is a bit set: besides the drop request it carries "a
 * signal is pending" (core/sigint.h) and, under ticks, a bit that stays set
 * for the whole run so that every switch point counts one tick. One relaxed
 * load per check covers them all; the default policy never sets the tick
 * bit, so counting ticks costs it nothing.
 *
 * Blocking calls (sleep, join, lock waits, reads, sockets, large writes)
 * release the lock for their duration with GIL_RELEASE / GIL_ACQUIRE; the
 * time from GIL_ACQUIRE's start until the lock is held again is the thread's
 * wake-up latency (--stats).
 *
 * With --no-gil the lock is disabled: take and drop do nothing, threads run
 * bytecode in parallel, and the plain reference counts race (the lesson).
 */
#ifndef TOY_GIL_H
#define TOY_GIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct ThreadState;

typedef enum { GIL_POLICY_MODERN, GIL_POLICY_TICKS, GIL_POLICY_PRIORITY } GilPolicy;

/* Wake-up latencies are kept as a histogram: 8 buckets per power of two
   from 128 ns up, so a percentile is exact to within about 6%. */
#define GIL_LATENCY_BUCKETS 240

/* Per-thread lock statistics (in ThreadState; --stats prints them). */
typedef struct {
    uint64_t acquisitions;    /* times this thread took the lock */
    uint64_t handovers;       /* ... of them from another thread (not a re-take) */
    uint64_t drop_requests;   /* times it asked the holder to drop it */
    uint64_t forced_switches; /* times it dropped on request and waited for the handoff */
    uint64_t wait_ns;         /* time spent waiting to take the lock */
    uint64_t futile_wakeups;  /* woken while waiting, it found the lock taken again */
    uint64_t wakeups;         /* returns from blocking calls (the samples below) */
    uint64_t wakeup_max_ns;   /* the longest of them */
    uint32_t wakeup_hist[GIL_LATENCY_BUCKETS]; /* how long they waited for the lock */
} GilStats;

/* The eval breaker's bits. GIL_BREAK_DROP: set by a waiting thread when the
   holder should drop the lock, cleared by whoever takes it next.
   GIL_BREAK_SIGNAL: set by the SIGINT handler, cleared by the main thread
   when it consumes the Ctrl-C (core/sigint.c). GIL_BREAK_TICK: always set
   under the ticks policy, never under the others. The eval loop polls the
   whole word (relaxed load: a late look costs at most one more check).
   GIL_BREAK_GC: set by the allocator when generation 0 passed its
   threshold (core/gchead.h), cleared by the thread that runs the
   collection at its next check (interp/vm_breaker.c).
   GIL_BREAK_MERGE (free-threaded build only, core/biased.h): some thread has
   objects queued for it to merge; each thread merges its own queue.
   GIL_BREAK_STOP (no GIL only, core/gil_world.c): a thread has stopped the
   world; every other thread parks at its next check. */
enum { GIL_BREAK_DROP = 1, GIL_BREAK_SIGNAL = 2, GIL_BREAK_TICK = 4, GIL_BREAK_GC = 8,
       GIL_BREAK_MERGE = 16, GIL_BREAK_STOP = 32 };
extern atomic_int gil_eval_breaker;

/* Choose the policy. Call before gil_init. */
void gil_set_policy(GilPolicy policy);
GilPolicy gil_policy(void);
const char *gil_policy_name(GilPolicy policy);
/* "ticks", "modern" or "priority" -> 0 and *out; anything else -> -1. */
int gil_policy_parse(const char *name, GilPolicy *out);

/* Create the lock (enabled unless --no-gil) and take it for the main thread. */
void gil_init(bool enabled, struct ThreadState *main_ts);
bool gil_enabled(void);

/* Take the lock back after a blocking call (GIL_ACQUIRE): the wait counts
   as a wake-up in the thread's statistics, and under the priority policy
   the thread is served as I/O-bound. */
void gil_take(struct ThreadState *ts);
/* A new thread takes the lock for the first time. */
void gil_thread_start(struct ThreadState *ts);
void gil_drop(struct ThreadState *ts);

/* A thread that is ending drops the lock for good: it stops being
   last_holder, so a new thread whose state reuses the address starts clean. */
void gil_thread_exit(struct ThreadState *ts);

/* Called by the eval loop when gil_eval_breaker is set: does what the policy
   says at a switch point (modern and priority: if a drop was requested,
   drop, let another thread run, take again; ticks: count a tick, and drop
   and take again every N of them). Returns at once when only the signal bit
   is set. */
void gil_yield(struct ThreadState *ts);

static inline bool gil_breaker_set(void) {
    return atomic_load_explicit(&gil_eval_breaker, memory_order_relaxed) != 0;
}

static inline bool gil_breaker_signal_set(void) {
    return atomic_load_explicit(&gil_eval_breaker, memory_order_relaxed) & GIL_BREAK_SIGNAL;
}

/* Set or clear the signal bit. Async-signal-safe: an atomic read-modify-write
   on a lock-free int, no lock, no errno. */
static inline void gil_breaker_signal(bool on) {
    if (on)
        atomic_fetch_or_explicit(&gil_eval_breaker, GIL_BREAK_SIGNAL, memory_order_relaxed);
    else
        atomic_fetch_and_explicit(&gil_eval_breaker, ~GIL_BREAK_SIGNAL, memory_order_relaxed);
}

/* Stopping the world (core/gil_world.c), for the cycle collector. With the
   GIL on, the caller holds it: stop returns true and start does nothing.
   Without it, stop waits until every other thread is parked at a safe point
   or in a blocking call, and returns false if another thread is doing the
   same (then the caller should not collect). Between the two the caller
   runs as if it held the GIL; a blocking call lets the world run meanwhile. */
bool gil_stop_the_world(struct ThreadState *ts);
void gil_start_the_world(struct ThreadState *ts);
/* The same for a fork, which cannot give up: waits out another thread's
   stop. False when ts already holds the world (a fork from a finalizer of
   its own collection): then it must not start it again. */
bool gil_stop_the_world_wait(struct ThreadState *ts);
/* At a safe point with GIL_BREAK_STOP set: wait while another thread holds
   the world. */
void gil_world_park(struct ThreadState *ts);
/* Borrowing a stripe (core/objlock.c): true when ts holds the world stopped
   right now, and then one borrowed hold is open until gil_world_borrow_end.
   While any is open, a thread holding a lent stripe waits before it attaches
   again, even once the world runs. */
bool gil_world_borrow(struct ThreadState *ts);
void gil_world_borrow_end(void);
/* Is ts, which runs Toy code, the only thread that may touch objects now
   (the GIL is on and ts holds it; no other thread is attached; or ts holds
   the world stopped)? Memory that other threads might still be reading
   without a lock can then be freed at once (objects/dict.c). */
bool gil_world_alone(struct ThreadState *ts);
/* Does ts (not NULL) hold the world stopped right now, so that every other
   thread that may touch objects is parked at a safe point? One load when
   nobody does (core/gcstripe.c asks it before each request it queues). */
bool gil_world_held_by(struct ThreadState *ts);

/* The switch interval, in seconds (sys.setswitchinterval; modern, priority). */
void gil_set_interval(double seconds);
double gil_get_interval(void);

/* The check interval, in switch points (sys.setcheckinterval; ticks). */
void gil_set_check_interval(int64_t ticks);
int64_t gil_get_check_interval(void);

/* Statistics: add s into total; the wake-up latency below which a fraction
   q (0..1) of s's wake-ups fall, in ns (0 when there were none). */
void gil_stats_add(GilStats *total, const GilStats *s);
uint64_t gil_stats_latency(const GilStats *s, double q);

/* After fork(), in the child: only the forking thread exists. Re-create the
   lock's mutexes and condition variables and make the child its holder. */
void gil_after_fork_child(struct ThreadState *ts);

/* Wrap blocking calls. errno is preserved across the re-acquisition, so the
   caller can inspect the blocking call's errno after GIL_ACQUIRE. */
#define GIL_RELEASE(ts) gil_drop(ts)
#define GIL_ACQUIRE(ts)                 \
    do {                                \
        int gil_saved_errno_ = errno;   \
        gil_take(ts);                   \
        errno = gil_saved_errno_;       \
    } while (0)

#endif
