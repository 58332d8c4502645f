/* gcstripe.c - toy-ft's stripes of the generation lists once threads run:
 * who may change a stripe's lists, and how the others ask (gchead.h).
 *
 * A stripe has at most one owner, the thread whose containers are born
 * into it. The owner links, unlinks and counts in its own stripe with
 * plain loads and stores: no lock, no locked instruction. Another thread
 * that must change one of those lists (it frees, tracks or untracks an
 * object of that stripe) never touches them: it pushes a request onto the
 * stripe's queue, and the owner carries it out the next time it changes
 * its lists itself, or the collector does, with the world stopped:
 *
 *     thread B frees A's list L          stripe of A
 *     ------------------------           -------------------------------
 *     L's dealloc: push DYING(L)  ---->  queue: FREE(L) -> DYING(L) -> ...
 *     ...clears L's items...             A, at its next birth or death:
 *     object_free: push FREE(L)   ---->    takes the whole queue, oldest
 *       (and returns: the block             first: DYING(L) unlinks L and
 *        is A's to give back now)           uncounts it; FREE(L) frees it
 *
 * A request is a small block of its own (GCRequest): the object's head
 * cannot carry it, since the owner rewrites its neighbours' links at any
 * moment. The queue is a stack that any thread pushes onto with one
 * compare-and-swap and only the owner empties, with one exchange (so no
 * node is ever taken twice); the owner reverses what it took, so that the
 * requests about one object are carried out in the order they were made.
 *
 * A request keeps its object's block alive: a FREE request hands the block
 * over, so the block is given back only once the object has left its list
 * (a collector walking the list never meets freed memory). The owner
 * empties its queue before it changes its lists at all, so a request of
 * another thread about one of its objects is never carried out after the
 * owner's own later change to it.
 *
 * A stripe without an owner (its thread has ended, or more threads run
 * than there are stripes) has its queue closed (GC_QUEUE_CLOSED): every
 * thread then changes its lists under the stripe's spin lock, as before
 * stripes had owners. The owner closes its queue as it ends, under that
 * lock, carrying out what it took; a thread that finds the queue closed
 * takes the lock and looks again (a new owner may have opened it).
 *
 * Stripe GC_STRIPE_COMMON never has an owner: threads beyond the other
 * stripes' number use it, under its lock.
 */
#include "core/gchead.h"

#ifdef TOY_FREE_THREADED
#include <sched.h>

#include "core/alloc.h"
#include "core/gil.h"

struct GCRequest {
    struct GCRequest *next;
    Object *o;
    void *block; /* GC_REQ_FREE: the block to give back, of bytes bytes */
    size_t bytes;
    int op;
};
enum { GC_REQ_TRACK, GC_REQ_UNTRACK, GC_REQ_DYING, GC_REQ_FREE };

GCStripe gc_stripes[GC_STRIPES];
_Thread_local uint32_t gc_stripe_self __attribute__((tls_model("initial-exec")));
_Thread_local uint32_t gc_stripe_mine __attribute__((tls_model("initial-exec"))) = GC_STRIPE_NONE;

/* Which stripes have an owner: bit s for stripe s. */
static _Atomic uint64_t owned;

/* ---- The spin lock of a stripe without an owner --------------------------- */

/* Another thread holds the stripe's lock for a few instructions: spin on a
   plain load (no write to the line while it is held), then yield the core
   in case the holder was descheduled. */
static __attribute__((noinline)) void stripe_wait(GCStripe *st) {
    for (unsigned spins = 0;; spins++) {
        if (!atomic_load_explicit(&st->lock, memory_order_relaxed) &&
            !atomic_exchange_explicit(&st->lock, 1, memory_order_acquire))
            return;
        if (spins >= 64) sched_yield();
#if defined(__x86_64__) || defined(__i386__)
        else __builtin_ia32_pause();
#endif
    }
}

static inline void stripe_lock(GCStripe *st) {
    if (__builtin_expect(atomic_exchange_explicit(&st->lock, 1, memory_order_acquire), 0))
        stripe_wait(st);
}

static inline void stripe_unlock(GCStripe *st) {
    atomic_store_explicit(&st->lock, 0, memory_order_release);
}

/* ---- Counting -------------------------------------------------------------- */

/* Add the stripe's count to generation 0's (by its owner, or with its lock
   held). The sum stops at 0, as a single count does (more deaths than
   births since the last collection). */
static __attribute__((noinline)) void count_flush(GCStripe *st) {
    int delta = atomic_load_explicit(&st->count, memory_order_relaxed);
    atomic_store_explicit(&st->count, 0, memory_order_relaxed);
    int *g0 = &gc_state.gens[0].count, old = __atomic_load_n(g0, __ATOMIC_RELAXED), now;
    do {
        now = old + delta < 0 ? 0 : old + delta;
    } while (!__atomic_compare_exchange_n(g0, &old, now, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    if (now > gc_state.gens[0].threshold) gc_threshold_passed();
}

/* Count a birth (+1) or a death (-1) in the stripe. */
static inline void count_change(GCStripe *st, int by) {
    int c = atomic_load_explicit(&st->count, memory_order_relaxed) + by;
    atomic_store_explicit(&st->count, c, memory_order_relaxed);
    if (c >= GC_COUNT_BATCH || c <= -GC_COUNT_BATCH) count_flush(st);
}

/* ---- Changing the lists: by whoever may ------------------------------------ */

/* Carry out one change to stripe st's lists. The caller owns st, or holds
   its lock while it has no owner, or holds the world stopped. */
static void apply(GCStripe *st, Object *o, int op, void *block, size_t bytes) {
    GCHead *h = GC_HEAD(o);
    uint32_t flags = gc_flags(h);
    switch (op) {
    case GC_REQ_TRACK:
        if (flags & GC_NEVER_TRACK) break;
        if (flags & GC_DEATH_COUNTED) count_change(st, 1); /* revived by its dealloc */
        gc_flags_set(h, GC_TRACKED); /* see gc_tracked_already */
        if (!h->prev) gc_list_append(h, &st->lists[0]);
        break;
    case GC_REQ_UNTRACK:
        if (h->prev) {
            gc_list_remove(h);
            gc_flags_set(h, flags & GC_NEVER_TRACK);
        }
        break;
    case GC_REQ_DYING:
        if (h->prev) gc_list_remove(h);
        if (!(flags & GC_DEATH_COUNTED)) count_change(st, -1);
        gc_flags_set(h, GC_DEATH_COUNTED);
        break;
    case GC_REQ_FREE:
        if (h->prev) gc_list_remove(h);
        if (!(flags & GC_DEATH_COUNTED)) count_change(st, -1);
        mem_free(block, bytes);
        break;
    }
}

/* Carry out a list of requests taken from st's queue, newest first. */
static void apply_taken(GCStripe *st, GCRequest *r) {
    GCRequest *oldest = NULL;
    while (r) { /* reverse: oldest first */
        GCRequest *next = r->next;
        r->next = oldest;
        oldest = r;
        r = next;
    }
    while (oldest) {
        GCRequest *next = oldest->next;
        apply(st, oldest->o, oldest->op, oldest->block, oldest->bytes);
        mem_free(oldest, sizeof *oldest);
        oldest = next;
    }
}

/* The owner (or the holder of the world): carry out what others asked. */
__attribute__((noinline)) void gc_stripe_drain(GCStripe *st) {
    GCRequest *r = atomic_exchange_explicit(&st->queue, NULL, memory_order_acquire);
    apply_taken(st, r);
}

/* With the world stopped: what st's owner, if it has one, was asked. */
static void settle(GCStripe *st) {
    GCRequest *r = atomic_load_explicit(&st->queue, memory_order_relaxed);
    if (r != NULL && r != GC_QUEUE_CLOSED) gc_stripe_drain(st);
}

/* Push r onto st's queue; false if the queue is closed (no owner). */
static bool push(GCStripe *st, GCRequest *r) {
    GCRequest *head = atomic_load_explicit(&st->queue, memory_order_relaxed);
    do {
        if (head == GC_QUEUE_CLOSED) return false;
        r->next = head;
    } while (!atomic_compare_exchange_weak_explicit(&st->queue, &head, r, memory_order_release,
                                                    memory_order_relaxed));
    return true;
}

/* Another thread's stripe: with the world stopped by this thread, change
   it at once; else ask its owner; with no owner, change it under its lock.
   True when the request was queued. A FREE changed at once is changed as
   DYING: its caller frees the block, with whatever it does before that
   (keeping an immortal's block at exit, core/biased.c). */
static __attribute__((noinline)) bool ask(GCStripe *st, Object *o, int op, void *block,
                                          size_t bytes) {
    int now = op == GC_REQ_FREE ? GC_REQ_DYING : op;
    if (gil_world_held_by(ts_get())) { /* the owner is parked: between two changes */
        settle(st);
        apply(st, o, now, NULL, 0);
        return false;
    }
    GCRequest *r = mem_alloc_or_die(sizeof *r);
    *r = (GCRequest){NULL, o, block, bytes, op};
    while (!push(st, r)) {
        stripe_lock(st);
        bool closed = atomic_load_explicit(&st->queue, memory_order_relaxed) == GC_QUEUE_CLOSED;
        if (closed) apply(st, o, now, NULL, 0);
        stripe_unlock(st);
        if (closed) {
            mem_free(r, sizeof *r);
            return false;
        }
    }
    return true;
}

/* Tracking and untracking, s being the object's stripe: this thread's
   own, to change now (after what others asked), or NULL when the change
   is asked for (or made under the stripe's lock). */
static inline GCStripe *own_or_ask(uint32_t s, Object *o, int op) {
    GCStripe *st = &gc_stripes[s];
    if (s == gc_stripe_mine) {
        gc_stripe_drain_if_asked(st);
        return st;
    }
    ask(st, o, op, NULL, 0);
    return NULL;
}

/* A birth, the slow way: this thread's stripe, once what others asked is
   done; or, for a thread that owns no stripe, GC_STRIPE_COMMON under its
   lock. */
static __attribute__((noinline)) void birth_slow(GCStripe *st, GCHead *h, bool track, bool mine) {
    if (mine) gc_stripe_drain(st);
    else stripe_lock(st);
    if (track) gc_list_append(h, &st->lists[0]);
    count_change(st, 1);
    if (!mine) stripe_unlock(st);
}

/* The fast paths of a birth and a death make no call but the last, so
   that they save no registers. */
__attribute__((noinline)) void gc_birth_striped(Object *o, bool track) {
    GCHead *h = GC_HEAD(o);
    uint32_t s = gc_stripe_self;
    GCStripe *st = &gc_stripes[s];
    h->stripe = s;
    bool mine = s == gc_stripe_mine;
    if (__builtin_expect(!mine || atomic_load_explicit(&st->queue, memory_order_relaxed), 0)) {
        birth_slow(st, h, track, mine);
        return;
    }
    if (track) gc_list_append(h, &st->lists[0]);
    count_change(st, 1);
}

/* Another thread's dict that receives containers asks once: until its
   owner has tracked it (GC_TRACKED, which clears GC_TRACK_ASKED), further
   stores find the request made. A dying object's revival always asks
   (gc_dying_striped cleared the flag), after its own DYING request. */
void gc_track_striped(Object *o) {
    GCHead *h = GC_HEAD(o);
    uint32_t s = h->stripe;
    if (s != gc_stripe_mine) {
        if (gc_flags(h) & GC_TRACK_ASKED) return;
        if (__atomic_fetch_or(&h->flags, GC_TRACK_ASKED, __ATOMIC_RELAXED) & GC_TRACK_ASKED) return;
    }
    GCStripe *st = own_or_ask(s, o, GC_REQ_TRACK);
    if (st) apply(st, o, GC_REQ_TRACK, NULL, 0);
}

void gc_untrack_striped(Object *o) {
    GCHead *h = GC_HEAD(o);
    GCStripe *st = own_or_ask(h->stripe, o, GC_REQ_UNTRACK);
    if (st) apply(st, o, GC_REQ_UNTRACK, NULL, 0);
}

/* A death in another thread's stripe, or in this thread's once what
   others asked is done. */
static __attribute__((noinline)) void dying_slow(GCStripe *st, Object *o, bool mine) {
    if (mine) {
        gc_stripe_drain(st);
        apply(st, o, GC_REQ_DYING, NULL, 0);
        return;
    }
    GCHead *h = GC_HEAD(o);
    if (gc_flags(h) & GC_TRACK_ASKED) /* a revival asks again, after this */
        __atomic_fetch_and(&h->flags, ~(uint32_t)GC_TRACK_ASKED, __ATOMIC_RELAXED);
    ask(st, o, GC_REQ_DYING, NULL, 0);
}

/* The first of the two changes in every container's death, nearly always
   the owner's own: written out here rather than through apply. */
__attribute__((noinline)) void gc_dying_striped(Object *o) {
    GCHead *h = GC_HEAD(o);
    uint32_t s = h->stripe;
    GCStripe *st = &gc_stripes[s];
    bool mine = s == gc_stripe_mine;
    if (__builtin_expect(!mine || atomic_load_explicit(&st->queue, memory_order_relaxed), 0)) {
        dying_slow(st, o, mine);
        return;
    }
    if (h->prev) gc_list_remove(h);
    uint32_t flags = gc_flags(h);
    gc_flags_set(h, GC_DEATH_COUNTED);
    if (!(flags & GC_DEATH_COUNTED)) count_change(st, -1);
}

/* After gc_dying_striped (the usual way), the owner has nothing left to
   do: no other thread holds the object to ask anything about it since. */
__attribute__((noinline)) bool gc_death_striped(Object *o, void *block, size_t bytes) {
    GCHead *h = GC_HEAD(o);
    uint32_t s = h->stripe;
    if (__builtin_expect(s == gc_stripe_mine, 1)) {
        if (gc_flags(h) & GC_DEATH_COUNTED) return false;
        GCStripe *st = &gc_stripes[s];
        gc_stripe_drain_if_asked(st);
        apply(st, o, GC_REQ_DYING, NULL, 0);
        return false; /* the caller frees the block */
    }
    return ask(&gc_stripes[s], o, GC_REQ_FREE, block, bytes); /* true: the block went along */
}

/* ---- Owners ---------------------------------------------------------------- */

/* Take the lowest stripe in 1 .. GC_STRIPES - 2 that has no owner, or
   GC_STRIPE_NONE. */
static uint32_t claim(void) {
    uint64_t was = atomic_load_explicit(&owned, memory_order_relaxed);
    for (;;) {
        uint64_t free = ~was & ~(uint64_t)1 & ~((uint64_t)1 << GC_STRIPE_COMMON);
        if (!free) return GC_STRIPE_NONE;
        uint32_t s = (uint32_t)__builtin_ctzll(free);
        if (atomic_compare_exchange_weak_explicit(&owned, &was, was | (uint64_t)1 << s,
                                                  memory_order_acquire, memory_order_relaxed))
            return s;
    }
}

void gc_stripe_attach(void) {
    static atomic_uint threads;
    uint32_t s;
    if (atomic_fetch_add_explicit(&threads, 1, memory_order_relaxed) == 0) {
        s = 0; /* the first thread: stripe 0, whose queue starts open */
        atomic_fetch_or_explicit(&owned, 1, memory_order_relaxed);
    } else if ((s = claim()) != GC_STRIPE_NONE) {
        GCStripe *st = &gc_stripes[s];
        stripe_lock(st); /* a thread that found it closed may be changing it */
        atomic_store_explicit(&st->queue, NULL, memory_order_relaxed);
        stripe_unlock(st);
    }
    gc_stripe_mine = s;
    gc_stripe_self = s == GC_STRIPE_NONE ? GC_STRIPE_COMMON : s;
}

/* Close st's queue and carry out what it held: from now on st is changed
   under its lock. The caller owns st (or is the only thread, after a
   fork). */
static void close_queue(GCStripe *st) {
    stripe_lock(st);
    GCRequest *r = atomic_exchange_explicit(&st->queue, GC_QUEUE_CLOSED, memory_order_acquire);
    apply_taken(st, r == GC_QUEUE_CLOSED ? NULL : r);
    count_flush(st);
    stripe_unlock(st);
}

void gc_stripe_detach(void) {
    uint32_t s = gc_stripe_mine;
    gc_stripe_mine = GC_STRIPE_NONE;
    gc_stripe_self = GC_STRIPE_COMMON;
    if (s == GC_STRIPE_NONE) return;
    close_queue(&gc_stripes[s]);
    atomic_fetch_and_explicit(&owned, ~((uint64_t)1 << s), memory_order_release);
}

/* With the world stopped (or by the only thread left): every request
   waiting in any queue carried out, so that the lists hold exactly the
   objects that live and are tracked. */
void gc_lists_settle(void) {
    if (gc_alone()) return; /* nobody to ask anything of */
    for (unsigned s = 0; s < GC_STRIPES; s++) settle(&gc_stripes[s]);
}

void gc_stripes_init(void) {
    for (unsigned s = 1; s < GC_STRIPES; s++)
        atomic_store_explicit(&gc_stripes[s].queue, GC_QUEUE_CLOSED, memory_order_relaxed);
}

/* After fork() in the child, where only this thread is left: nobody holds
   a stripe's lock, and every stripe but this thread's has lost its owner. */
void gc_stripes_after_fork_child(void) {
    for (unsigned s = 0; s < GC_STRIPES; s++) {
        GCStripe *st = &gc_stripes[s];
        atomic_store(&st->lock, 0);
        if (s != gc_stripe_mine && atomic_load(&st->queue) != GC_QUEUE_CLOSED) close_queue(st);
    }
    uint32_t s = gc_stripe_mine;
    atomic_store(&owned, s == GC_STRIPE_NONE ? 0 : (uint64_t)1 << s);
}
#endif
