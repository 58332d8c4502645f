/* objlock.c - the striped per-object locks of the free-threaded build
 * (objlock.h).
 *
 * A stripe is a small recursive spin lock on its own cache line: `holder`
 * is the holding thread's marker (the address of a thread-local byte, never
 * 0 for a live thread), `depth` its nesting beyond the first hold (0 while
 * free), written only by the holder.
 * Taking a free stripe is one compare-and-swap, releasing it one store:
 * much cheaper than a recursive pthread mutex on the paths every global
 * and attribute read takes. A waiter spins with a growing pause, then
 * yields its core (the holder may have been descheduled: containers are
 * held for a few instructions, except around Toy code that a StringIO's
 * whole-call hold runs). */
#ifdef TOY_FREE_THREADED

#include "core/objlock.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/gil.h"
#include "core/pool.h"
#include "core/threadstate.h"

/* Page-aligned, for objlock_map_in. */
ObjlockStripe objlock_stripes[OBJLOCK_STRIPES] __attribute__((aligned(4096)));
_Thread_local char objlock_self __attribute__((tls_model("local-exec")));
_Thread_local unsigned objlock_pairs __attribute__((tls_model("local-exec")));
_Atomic uintptr_t objlock_alone;

void objlock_map_in(void) { (void)pool_map_in(objlock_stripes, sizeof objlock_stripes); }

/* A waiter pauses 1, 2, 4, ... up to BACKOFF_MAX times between its looks
   at the stripe (fewer looks: the holder's cache line is not pulled away
   from it on every pause), and yields its core only after SPIN_ROUNDS
   looks, about 2,000 pauses: stripes are held for a few instructions, and
   sched_yield, a system call, cost far more than the wait itself when many
   threads wanted one stripe (threads loading globals under the module
   dict's lock spent most of their time in the kernel). */
#define BACKOFF_MAX 64
#define SPIN_ROUNDS 40

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

void objlock_lock_slow(ObjlockStripe *s) {
    uintptr_t me = (uintptr_t)&objlock_self;
    unsigned backoff = 1;
    for (unsigned rounds = 0;; rounds++) {
        uintptr_t expected = 0;
        if (atomic_load_explicit(&s->holder, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_weak_explicit(&s->holder, &expected, me,
                                                  memory_order_acquire, memory_order_relaxed))
            return; /* depth is 0: the last holder's final unlock left it so */
        if (atomic_load_explicit(&gil_eval_breaker, memory_order_relaxed) & GIL_BREAK_STOP) {
            /* The world is stopping. The thread that stops it may need a
               stripe a parked thread holds: it borrows it (see below).
               Anyone else parks here, so that a holder it waits for can
               park too. */
            ThreadState *ts = ts_get();
            if (gil_world_borrow(ts)) {
                s->depth++;
                atomic_fetch_add_explicit(&s->lent, 1, memory_order_relaxed);
                return;
            }
            gil_world_park(ts);
        }
        if (rounds >= SPIN_ROUNDS) {
            sched_yield();
            continue;
        }
        for (unsigned i = 0; i < backoff; i++) cpu_relax();
        if (backoff < BACKOFF_MAX) backoff <<= 1;
    }
}

/* Borrowing. The thread that holds the world stopped (the cycle
 * collector, with the finalizers and weakref callbacks it runs) takes a
 * stripe held by a parked thread by nesting in the holder's depth, and
 * counts the hold in `lent`. Why the holder's work under the stripe is not
 * broken by that:
 *   - Where a holder can be parked: in Toy code run under the stripe (a
 *     StringIO's writelines generator, at an eval-breaker check or in a
 *     blocking call), which may change the object itself, so the call
 *     already expects it to change there, or here,
 *     waiting for a second stripe, which code takes before it reads
 *     anything under the first (objlock_lock2), or after which it reads
 *     again what it needs: nothing keeps pointers into what one stripe
 *     guards across a wait for another (objects/weakref.c).
 *   - The holder stays parked until every borrowed hold is given back,
 *     even when the world runs again meanwhile (a finalizer that sleeps
 *     while it holds the stripe lets the world run): gil_world_attach keeps
 *     a thread waiting while objlock_lent_by_self says so. Other threads
 *     cannot take the stripe either (its holder is still the parked one).
 *     So at no time do two threads run under one stripe.
 * Every hold the stopper takes of a lent stripe is a borrowed one, and the
 * holder does not run while any is open: a nested unlock with `lent`
 * above 0 is the stopper giving one back. */
void objlock_unlock_nested(ObjlockStripe *s) {
    s->depth--;
    if (__builtin_expect(atomic_load_explicit(&s->lent, memory_order_relaxed) == 0, 1)) return;
    atomic_fetch_sub_explicit(&s->lent, 1, memory_order_release);
    gil_world_borrow_end();
}

bool objlock_lent_by_self(void) {
    uintptr_t me = (uintptr_t)&objlock_self;
    for (size_t i = 0; i < OBJLOCK_STRIPES; i++)
        if (atomic_load_explicit(&objlock_stripes[i].lent, memory_order_acquire) &&
            atomic_load_explicit(&objlock_stripes[i].holder, memory_order_relaxed) == me)
            return true;
    return false;
}

/* The holds of objlock_lock_nocode and objlock_unlock_nocode, out of
   line. */
void objlock_lock_called(const void *o) { objlock_lock(o); }
void objlock_unlock_called(const void *o) { objlock_unlock(o); }

void objlock_lock2(const void *a, const void *b) {
    ObjlockStripe *sa = objlock_stripe(a), *sb = objlock_stripe(b);
    if (sa > sb) { ObjlockStripe *t = sa; sa = sb; sb = t; }
    objlock_pairs++;
    objlock_stripe_lock(sa);
    if (sb != sa) objlock_stripe_lock(sb);
}

void objlock_unlock2(const void *a, const void *b) {
    ObjlockStripe *sa = objlock_stripe(a), *sb = objlock_stripe(b);
    if (sb != sa) objlock_stripe_unlock(sb);
    objlock_stripe_unlock(sa);
    objlock_pairs--;
}

/* The distinct stripes of a, b and c in address order (the order every
   multi-stripe hold takes them in); returns how many. */
static size_t objlock_sorted3(const void *a, const void *b, const void *c, ObjlockStripe **out) {
    ObjlockStripe *s[3] = {objlock_stripe(a), objlock_stripe(b), objlock_stripe(c)};
    for (size_t i = 1; i < 3; i++)
        for (size_t j = i; j > 0 && s[j - 1] > s[j]; j--) {
            ObjlockStripe *t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
    size_t n = 0;
    for (size_t i = 0; i < 3; i++)
        if (n == 0 || s[i] != out[n - 1]) out[n++] = s[i];
    return n;
}

void objlock_lock3(const void *a, const void *b, const void *c) {
    ObjlockStripe *s[3];
    size_t n = objlock_sorted3(a, b, c, s);
    objlock_pairs++;
    for (size_t i = 0; i < n; i++) objlock_stripe_lock(s[i]);
}

void objlock_unlock3(const void *a, const void *b, const void *c) {
    ObjlockStripe *s[3];
    size_t n = objlock_sorted3(a, b, c, s);
    while (n-- > 0) objlock_stripe_unlock(s[n]);
    objlock_pairs--;
}

/* In a forked child only the forking thread exists: a stripe another
   thread held stays held by nobody, and nothing is borrowed. */
void objlock_after_fork_child(void) {
    uintptr_t me = (uintptr_t)&objlock_self;
    for (size_t i = 0; i < OBJLOCK_STRIPES; i++) {
        ObjlockStripe *s = &objlock_stripes[i];
        if (atomic_load(&s->holder) != me) {
            atomic_store(&s->holder, 0);
            s->depth = 0;
        } else {
            s->depth -= atomic_load(&s->lent); /* holds another thread borrowed */
        }
        atomic_store(&s->lent, 0);
    }
}

#else
typedef int objlock_unused_in_the_gil_build;
#endif
