/* gil_policy.h - what a GIL policy is made of; shared by core/gil.c and the
 * three policies (core/gil_ticks.c, gil_modern.c, gil_priority.c) and used
 * by nothing else.
 *
 * A policy supplies three bodies:
 *   take(ts, why)  wait until the lock is free and make ts its holder;
 *                  returns true if it had to sleep for it (for the trace);
 *   drop(ts)       let go of the lock and wake whoever should get it next;
 *   yield(ts)      a switch point with the eval breaker set: decide whether
 *                  to let go here, and if so drop and take again.
 * Everything else (the statistics, the trace, --no-gil, fork) is gil.c's,
 * and the same for every policy.
 *
 * State: `locked`, `last_holder`, `switch_number` and the priority policy's
 * counters are guarded by `mutex`; `last_holder` is also changed only with
 * `switch_mutex` held, which the forced switch waits on. Waiters sleep on
 * `cond` (the priority policy's I/O-bound ones on `io_cond`).
 */
#ifndef TOY_GIL_POLICY_H
#define TOY_GIL_POLICY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/gil.h"
#include "core/threadstate.h"

/* Why a thread is taking the lock: the priority policy serves a thread that
   comes back from a blocking call first; only those takes are wake-ups. */
typedef enum { GIL_TAKE_START, GIL_TAKE_AFTER_BLOCK, GIL_TAKE_AFTER_YIELD } GilTakeReason;

typedef struct {
    bool (*take)(ThreadState *ts, GilTakeReason why);
    void (*drop)(ThreadState *ts);
    void (*yield)(ThreadState *ts);
} GilPolicyOps;

extern const GilPolicyOps gil_ticks_ops, gil_modern_ops, gil_priority_ops;

/* Without the GIL, gil.c attaches and detaches a thread where it would take
   and drop the lock (core/gil_world.c). */
void gil_world_attach(ThreadState *ts);
void gil_world_detach(ThreadState *ts);
void gil_world_after_fork_child(void);

typedef struct {
    bool enabled;
    GilPolicy policy;
    const GilPolicyOps *ops;
    bool locked;
    atomic_bool locked_hint;  /* a copy of locked, read without the mutex (spinning) */
    ThreadState *last_holder;
    uint64_t switch_number;   /* handovers between different threads */
    long interval_ns;         /* modern, priority */
    int64_t check_interval;   /* ticks */
    int io_waiting;           /* priority: I/O-bound threads waiting */
    int overdue;              /* priority: CPU-bound waiters past a whole interval */
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    pthread_cond_t io_cond;
    pthread_mutex_t switch_mutex;
    pthread_cond_t switch_cond;
} GilState;

extern GilState gil_state;

/* ---- Helpers the policies share (core/gil.c) ------------------------------- */

uint64_t gil_now_ns(void);

/* Set locked (with gil_state.mutex held), and its copy for spinners. */
static inline void gil_set_locked(bool on) {
    gil_state.locked = on;
    atomic_store_explicit(&gil_state.locked_hint, on, memory_order_relaxed);
}

/* Make ts the holder. Call with gil_state.mutex held and the lock free:
   sets last_holder (counting a switch), wakes a forced switch waiting for
   the handover, clears the drop request. */
void gil_become_holder(ThreadState *ts);

/* Ask the holder to drop the lock at its next switch point, on behalf of
   ts (counted, traced). */
void gil_request_drop(ThreadState *ts);
bool gil_drop_requested(void);

/* Sleep on cond (with gil_state.mutex held) for at most one switch
   interval. Returns true if the interval ran out. */
bool gil_wait_interval(pthread_cond_t *cond);

/* The drop and take of a switch point, with the statistics and the trace. */
void gil_drop_traced(ThreadState *ts);
void gil_take_counted(ThreadState *ts, GilTakeReason why);

/* Drop and take again at once (ticks): counted as an acquisition, and
   traced only when another thread got the lock in between, so that a
   thread that keeps the lock shows as one long hold. */
void gil_drop_and_retake(ThreadState *ts);

/* Forced switching: ts dropped the lock on request; wait until another
   thread has taken it before competing again. */
void gil_wait_for_handover(ThreadState *ts);

#endif
