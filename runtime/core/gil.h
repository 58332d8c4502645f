/* gil.h - the global interpreter lock: every "may this thread run
 * bytecode?" decision lives behind this header.
 *
 * Invariant: a thread touches Toy objects only while it holds the GIL. The
 * exceptions are code between GIL_RELEASE and GIL_ACQUIRE, which must not
 * touch any object (it may use C buffers it prepared beforehand), and the
 * allocator, the intern table and the thread table, which have locks of
 * their own.
 *
 * The algorithm is CPython's since 3.2 (see docs/internals.md):
 *   - A thread that wants the lock waits on a condition variable for one
 *     switch interval (5 ms by default). If the lock was not handed over in
 *     that time, it sets the drop request, which is also the eval breaker.
 *   - The running thread polls the eval breaker at backward jumps and calls.
 *     When the drop request is set, it drops the lock and, because it was
 *     asked to, waits until another thread has actually taken it (forced
 *     switching), so that it cannot immediately grab the lock back.
 *   - The eval breaker is a bit set: besides the drop request it carries
 *     "a signal is pending" (core/sigint.h), so one relaxed load per check
 *     covers both. gil_yield acts only on the drop request.
 *   - Blocking calls (sleep, join, lock waits, reads, large writes) release
 *     the lock for their duration.
 *
 * With --no-gil the lock is disabled: take and drop do nothing, threads run
 * bytecode in parallel, and the plain reference counts race (the lesson).
 *
 * Future policies (the old tick-based lock, a priority lock) replace the
 * bodies of gil_take / gil_drop / gil_yield; the VM calls only these.
 */
#ifndef TOY_GIL_H
#define TOY_GIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct ThreadState;

/* Per-thread lock statistics (in ThreadState; --stats prints them). */
typedef struct {
    uint64_t acquisitions;    /* times this thread took the lock */
    uint64_t drop_requests;   /* times it asked the holder to drop it */
    uint64_t forced_switches; /* times it dropped on request and waited for the handoff */
    uint64_t wait_ns;         /* time spent waiting to take the lock */
} GilStats;

/* The eval breaker's bits. GIL_BREAK_DROP: set by a waiting thread when the
   holder should drop the lock, cleared by whoever takes it next.
   GIL_BREAK_SIGNAL: set by the SIGINT handler, cleared by the main thread
   when it consumes the Ctrl-C (core/sigint.c). The eval loop polls the whole
   word (relaxed load: a late look costs at most one more check).
   GIL_BREAK_GC: set by the allocator when generation 0 passed its
   threshold (core/gchead.h), cleared by the thread that runs the
   collection at its next check (interp/vm_breaker.c). */
enum { GIL_BREAK_DROP = 1, GIL_BREAK_SIGNAL = 2, GIL_BREAK_GC = 4 };
extern atomic_int gil_eval_breaker;

/* Create the lock (enabled unless --no-gil) and take it for the main thread. */
void gil_init(bool enabled, struct ThreadState *main_ts);
bool gil_enabled(void);

void gil_take(struct ThreadState *ts);
void gil_drop(struct ThreadState *ts);

/* A thread that is ending drops the lock for good: it stops being
   last_holder, so a new thread whose state reuses the address starts clean. */
void gil_thread_exit(struct ThreadState *ts);

/* Called by the eval loop when gil_eval_breaker is set: if a drop was
   requested, drop, let another thread run, take again; otherwise (only a
   signal bit is set) return at once. */
void gil_yield(struct ThreadState *ts);

static inline bool gil_breaker_set(void) {
    return atomic_load_explicit(&gil_eval_breaker, memory_order_relaxed) != 0;
}

/* Set or clear the signal bit. Async-signal-safe: an atomic read-modify-write
   on a lock-free int, no lock, no errno. */
static inline void gil_breaker_signal(bool on) {
    if (on)
        atomic_fetch_or_explicit(&gil_eval_breaker, GIL_BREAK_SIGNAL, memory_order_relaxed);
    else
        atomic_fetch_and_explicit(&gil_eval_breaker, ~GIL_BREAK_SIGNAL, memory_order_relaxed);
}

/* The switch interval, in seconds (sys.setswitchinterval). */
void gil_set_interval(double seconds);
double gil_get_interval(void);

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
