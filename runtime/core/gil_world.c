/* gil_world.c - stopping the world when there is no GIL (--no-gil and the
 * free-threaded build): what the cycle collector needs instead of the lock.
 *
 * With the GIL, a thread that holds it knows every other thread is either
 * waiting for it or in a blocking call that touches no object; the
 * collector relies on that. Without the lock the same guarantee is made
 * here, in the same shape:
 *   - A thread is *attached* while it may touch objects: from its start (or
 *     its return from a blocking call) to its end (or its next blocking
 *     call). gil.c attaches and detaches exactly where it would take and
 *     drop the lock if there were one, so `attached` counts the threads
 *     that would hold or want the GIL.
 *   - gil_stop_the_world makes the caller the *stopper*: it sets
 *     GIL_BREAK_STOP and waits until it is the only attached thread. Every
 *     other thread parks at its next eval-breaker check (a safe point: no
 *     object half-built), or while it spins for a container's stripe lock
 *     (core/objlock.c); threads in blocking calls stay detached until the
 *     world starts again.
 *   - While the world is held the stopper runs as if it held the GIL. If it
 *     blocks (a finalizer that sleeps or waits for a lock), it detaches and
 *     the world runs meanwhile, exactly as the GIL would be released; when
 *     it attaches again it waits for the others to park once more.
 *   - Only one stopper at a time: a second thread that tries while a
 *     collection is under way gets false (and parks at its next check).
 *   - The stopper may borrow a stripe lock a parked thread holds
 *     (core/objlock.c). That thread then waits to attach until every
 *     borrowed hold is given back, even if the stopper blocks and the world
 *     runs meanwhile: the two are never inside one stripe together.
 *
 * All of it is guarded by world.mutex; with the GIL on nothing here runs.
 */
#include "core/gil.h"

#include <assert.h>
#include <pthread.h>
#include <sched.h>

#include "core/gil_policy.h"
#include "core/objlock.h"
#include "core/refcount.h"

static struct {
    pthread_mutex_t mutex;
    pthread_cond_t changed; /* attached fell, or the world started again */
    int attached;           /* threads that may touch objects now */
    ThreadState *stopper;   /* the thread collecting, or NULL */
    bool holding;           /* the stopper runs alone now */
    int borrows;            /* the stopper's holds of stripes parked threads hold */
} world = {.mutex = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};

static void set_stop_bit(bool on) {
    if (on) atomic_fetch_or_explicit(&gil_eval_breaker, GIL_BREAK_STOP, memory_order_relaxed);
    else atomic_fetch_and_explicit(&gil_eval_breaker, ~GIL_BREAK_STOP, memory_order_relaxed);
}

/* With world.mutex held: hold the world for the stopper, which is attached. */
static void hold_locked(void) {
    world.holding = true;
    set_stop_bit(true);
    while (world.attached > 1) pthread_cond_wait(&world.changed, &world.mutex);
}

/* With world.mutex held: must ts, about to attach, wait? While another
   thread holds the world; and while the stopper still uses a stripe ts
   holds (borrowed while ts was parked, core/objlock.c), even if the world
   runs meanwhile, because the stopper blocked. */
static bool must_wait(ThreadState *ts) {
    if (world.stopper == ts) return false;
    return world.holding || (world.borrows > 0 && objlock_lent_by_self());
}

void gil_world_attach(ThreadState *ts) {
    pthread_mutex_lock(&world.mutex);
    while (must_wait(ts)) pthread_cond_wait(&world.changed, &world.mutex);
    world.attached++;
    if (world.stopper == ts && !world.holding) hold_locked(); /* back from a block */
    pthread_mutex_unlock(&world.mutex);
    refcount_thread_attached(true); /* toy-ft: merges queued meanwhile raise the breaker */
}

void gil_world_detach(ThreadState *ts) {
    refcount_thread_attached(false); /* toy-ft: its queue no longer raises the breaker */
    pthread_mutex_lock(&world.mutex);
    world.attached--;
    if (world.stopper == ts && world.holding) { /* the stopper blocks: let the world run */
        world.holding = false;
        set_stop_bit(false);
    }
    pthread_cond_broadcast(&world.changed);
    pthread_mutex_unlock(&world.mutex);
}

void gil_world_park(ThreadState *ts) {
    if (gil_enabled()) return;
    pthread_mutex_lock(&world.mutex);
    bool park = world.holding && world.stopper != ts;
    pthread_mutex_unlock(&world.mutex);
    if (!park) return;
    gil_world_detach(ts);
    gil_world_attach(ts);
}

bool gil_world_borrow(ThreadState *ts) {
    pthread_mutex_lock(&world.mutex);
    bool mine = world.holding && world.stopper == ts;
    if (mine) world.borrows++;
    pthread_mutex_unlock(&world.mutex);
    return mine;
}

void gil_world_borrow_end(void) {
    pthread_mutex_lock(&world.mutex);
    assert(world.borrows > 0);
    if (--world.borrows == 0) pthread_cond_broadcast(&world.changed);
    pthread_mutex_unlock(&world.mutex);
}

bool gil_world_alone(ThreadState *ts) {
    if (gil_enabled()) return true; /* the caller holds the GIL */
    pthread_mutex_lock(&world.mutex);
    bool alone = world.attached <= 1 || (world.holding && world.stopper == ts);
    pthread_mutex_unlock(&world.mutex);
    return alone;
}

bool gil_world_held_by(ThreadState *ts) {
    if (!ts || gil_enabled() ||
        !(atomic_load_explicit(&gil_eval_breaker, memory_order_relaxed) & GIL_BREAK_STOP))
        return false;
    pthread_mutex_lock(&world.mutex);
    bool held = world.holding && world.stopper == ts;
    pthread_mutex_unlock(&world.mutex);
    return held;
}

bool gil_stop_the_world(ThreadState *ts) {
    if (gil_enabled()) return true; /* the caller holds the GIL: nobody else runs */
    pthread_mutex_lock(&world.mutex);
    bool ok = world.stopper == NULL;
    if (ok) {
        world.stopper = ts;
        hold_locked();
    }
    pthread_mutex_unlock(&world.mutex);
    return ok;
}

bool gil_stop_the_world_wait(ThreadState *ts) {
    for (;;) {
        if (gil_stop_the_world(ts)) return true;
        pthread_mutex_lock(&world.mutex);
        bool mine = world.stopper == ts;
        pthread_mutex_unlock(&world.mutex);
        if (mine) return false;
        gil_world_park(ts);
        sched_yield();
    }
}

void gil_start_the_world(ThreadState *ts) {
    if (gil_enabled()) return;
    pthread_mutex_lock(&world.mutex);
    if (world.stopper == ts) {
        assert(world.borrows == 0); /* every hold is given back within the collection */
        world.stopper = NULL;
        world.holding = false;
        set_stop_bit(false);
        pthread_cond_broadcast(&world.changed);
    }
    pthread_mutex_unlock(&world.mutex);
}

void gil_world_after_fork_child(void) {
    pthread_mutex_init(&world.mutex, NULL);
    pthread_cond_init(&world.changed, NULL);
    world.attached = 1;
    world.stopper = NULL;
    world.holding = false;
    world.borrows = 0;
    set_stop_bit(false);
}
