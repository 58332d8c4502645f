/* objlock.c - the striped per-object locks of the free-threaded build
 * (objlock.h).
 *
 * A stripe is a small recursive spin lock on its own cache line: `holder`
 * is the holding thread's marker (the address of a thread-local byte, never
 * 0 for a live thread), `depth` its nesting beyond the first hold (0 while
 * free), written only by the holder.
 * Taking a free stripe is one compare-and-swap, releasing it one store:
 * much cheaper than a recursive pthread mutex on the paths every global
 * and attribute read takes. A waiter spins briefly, then yields its core
 * (the holder may have been descheduled: containers are held for a few
 * instructions, except around a dict key's __eq__). */
#ifdef TOY_FREE_THREADED

#include "core/objlock.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/gil.h"
#include "core/threadstate.h"

ObjlockStripe objlock_stripes[OBJLOCK_STRIPES] __attribute__((aligned(64)));
_Thread_local char objlock_self __attribute__((tls_model("local-exec")));

#define SPINS_BEFORE_YIELD 64

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

void objlock_lock_slow(ObjlockStripe *s) {
    uintptr_t me = (uintptr_t)&objlock_self;
    for (unsigned spins = 0;; spins++) {
        uintptr_t expected = 0;
        if (atomic_load_explicit(&s->holder, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_weak_explicit(&s->holder, &expected, me,
                                                  memory_order_acquire, memory_order_relaxed))
            return; /* depth is 0: the last holder's final unlock left it so */
        if (atomic_load_explicit(&gil_eval_breaker, memory_order_relaxed) & GIL_BREAK_STOP) {
            /* The world is stopping. A stopper that holds it may use a
               stripe a parked thread holds: that thread is not running, so
               the stripe is borrowed by nesting (the depth goes back to
               the holder's at the unlock). Anyone else parks here, so that
               a holder it waits for can park too. */
            ThreadState *ts = ts_get();
            if (gil_world_stopped_by(ts)) {
                s->depth++;
                return;
            }
            gil_world_park(ts);
        }
        if (spins >= SPINS_BEFORE_YIELD) sched_yield();
        else cpu_relax();
    }
}

void objlock_lock2(const void *a, const void *b) {
    ObjlockStripe *sa = objlock_stripe(a), *sb = objlock_stripe(b);
    if (sa > sb) { ObjlockStripe *t = sa; sa = sb; sb = t; }
    objlock_stripe_lock(sa);
    if (sb != sa) objlock_stripe_lock(sb);
}

void objlock_unlock2(const void *a, const void *b) {
    ObjlockStripe *sa = objlock_stripe(a), *sb = objlock_stripe(b);
    if (sb != sa) objlock_stripe_unlock(sb);
    objlock_stripe_unlock(sa);
}

/* In a forked child only the forking thread exists: a stripe another
   thread held stays held by nobody. */
void objlock_after_fork_child(void) {
    uintptr_t me = (uintptr_t)&objlock_self;
    for (size_t i = 0; i < OBJLOCK_STRIPES; i++)
        if (atomic_load(&objlock_stripes[i].holder) != me) {
            atomic_store(&objlock_stripes[i].holder, 0);
            objlock_stripes[i].depth = 0;
        }
}

#else
typedef int objlock_unused_in_the_gil_build;
#endif
