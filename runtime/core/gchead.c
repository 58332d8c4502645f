/* gchead.c - the generation lists and their counts (gchead.h). */
#include "core/gchead.h"

#include <pthread.h>

#include "core/gil.h"
#include "core/objhooks.h"

GCState gc_state;
static pthread_mutex_t gc_lock = PTHREAD_MUTEX_INITIALIZER;
#if GC_SPIN_LOCKS
#include <sched.h>
GCStripe gc_stripes[GC_STRIPES];
_Thread_local uint32_t gc_stripe_self __attribute__((tls_model("initial-exec")));

/* Another thread holds the stripe's lock for a few instructions: spin on a
   plain load (no write to the line while it is held), then yield the core
   in case the holder was descheduled. */
static void stripe_wait(GCStripe *st) {
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

void gc_stripe_attach(void) {
    static atomic_uint threads;
    unsigned n = atomic_fetch_add_explicit(&threads, 1, memory_order_relaxed);
    gc_stripe_self = n == 0 ? 0 : 1 + (n - 1) % (GC_STRIPES - 1);
}

/* Add the stripe's count to generation 0's, with its lock held. The sum
   stops at 0, as a single count does (more deaths than births since the
   last collection). */
static void count_flush(GCStripe *st) {
    int delta = atomic_load_explicit(&st->count, memory_order_relaxed);
    atomic_store_explicit(&st->count, 0, memory_order_relaxed);
    int *g0 = &gc_state.gens[0].count, old = __atomic_load_n(g0, __ATOMIC_RELAXED), now;
    do {
        now = old + delta < 0 ? 0 : old + delta;
    } while (!__atomic_compare_exchange_n(g0, &old, now, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    if (now > gc_state.gens[0].threshold) gc_threshold_passed();
}

/* Count a birth (+1) or a death (-1) in the stripe, with its lock held. */
static inline void count_change(GCStripe *st, int by) {
    int c = atomic_load_explicit(&st->count, memory_order_relaxed) + by;
    atomic_store_explicit(&st->count, c, memory_order_relaxed);
    if (c >= GC_COUNT_BATCH || c <= -GC_COUNT_BATCH) count_flush(st);
}

void gc_birth_striped(Object *o, bool track) {
    GCHead *h = GC_HEAD(o);
    uint32_t s = gc_stripe_self;
    GCStripe *st = &gc_stripes[s];
    h->stripe = s;
    stripe_lock(st);
    if (track) gc_list_append(h, &st->lists[0]);
    count_change(st, 1);
    stripe_unlock(st);
}

void gc_untrack_striped(Object *o) {
    GCHead *h = GC_HEAD(o);
    GCStripe *st = &gc_stripes[h->stripe];
    stripe_lock(st);
    if (h->prev) {
        gc_list_remove(h);
        h->flags = 0;
    }
    stripe_unlock(st);
}

void gc_death_striped(Object *o, bool dying) {
    GCHead *h = GC_HEAD(o);
    GCStripe *st = &gc_stripes[h->stripe];
    stripe_lock(st);
    if (h->prev) gc_list_remove(h);
    if (dying) h->flags = GC_DEATH_COUNTED;
    count_change(st, -1);
    stripe_unlock(st);
}
#else
void gc_stripe_attach(void) {}
#endif

int gc_young_count(void) {
#if GC_SPIN_LOCKS
    int n = __atomic_load_n(&gc_state.gens[0].count, __ATOMIC_RELAXED);
    for (unsigned s = 0; s < GC_STRIPES; s++)
        n += atomic_load_explicit(&gc_stripes[s].count, memory_order_relaxed);
    return n < 0 ? 0 : n;
#else
    return gc_state.gens[0].count;
#endif
}

/* With the world stopped (or the GIL held). */
void gc_young_count_reset(void) {
    gc_state.gens[0].count = 0;
#if GC_SPIN_LOCKS
    for (unsigned s = 0; s < GC_STRIPES; s++)
        atomic_store_explicit(&gc_stripes[s].count, 0, memory_order_relaxed);
#endif
}

void gc_head_init(bool locking) {
    static const int thresholds[GC_NGENERATIONS] = {700, 10, 10}; /* CPython 3.11's */
    for (int i = 0; i < GC_NGENERATIONS; i++) {
        gc_state.gens[i].threshold = thresholds[i];
        gc_state.gens[i].count = 0;
    }
    for (unsigned s = 0; s < GC_STRIPES; s++)
        for (int i = 0; i < GC_NLISTS; i++) gc_list_init(gc_list_of(s, i));
    gc_state.enabled = true;
    gc_state.locking = locking;
    if (locking && !GC_SPIN_LOCKS) object_hooks_set(OBJHOOK_GC_LOCKING);
}

void gc_list_merge(GCHead *from, GCHead *to) {
    if (gc_list_empty(from)) return;
    GCHead *first = from->next, *last = from->prev;
    first->prev = to->prev;
    to->prev->next = first;
    last->next = to;
    to->prev = last;
    gc_list_init(from);
}

size_t gc_list_size(const GCHead *list) {
    size_t n = 0;
    for (const GCHead *h = list->next; h != list; h = h->next) n++;
    return n;
}

/* How many stripes may hold objects: while one thread has ever run, every
   object is in stripe 0, and a collection needs neither to look at the
   other 63 nor to put its survivors back one by one. */
static inline unsigned stripes_in_use(void) { return gc_alone() ? 1 : GC_STRIPES; }

void gc_lists_gather(int list, GCHead *into) {
    unsigned stripes = stripes_in_use();
    for (unsigned s = 0; s < stripes; s++) gc_list_merge(gc_list_of(s, list), into);
}

void gc_lists_scatter(GCHead *from, int list) {
    if (stripes_in_use() == 1) {
        gc_list_merge(from, gc_list_of(0, list));
        return;
    }
#if GC_SPIN_LOCKS
    while (!gc_list_empty(from)) {
        GCHead *h = from->next;
        gc_list_move(h, gc_list_of(h->stripe, list));
    }
#endif
}

size_t gc_lists_size(int list) {
    size_t n = 0;
    for (unsigned s = 0; s < GC_STRIPES; s++) n += gc_list_size(gc_list_of(s, list));
    return n;
}

/* --no-gil in the GIL build (toy-ft has its stripes' locks instead). */
static inline void lock(void) {
    if (gc_state.locking) pthread_mutex_lock(&gc_lock);
}

static inline void unlock(void) {
    if (gc_state.locking) pthread_mutex_unlock(&gc_lock);
}

/* Ask for a collection at the next safe point (objects/gc.c decides which
   generation). Never with --no-gil: see docs/internals.md. Called with
   gc_lock held when locking. */
void gc_threshold_passed(void) {
    GCGeneration *g0 = &gc_state.gens[0];
    if (g0->threshold && gc_state.enabled && !gc_state.collecting &&
        (!gc_state.locking || GC_STOPS_THE_WORLD) &&
        !(atomic_load_explicit(&gil_eval_breaker, memory_order_relaxed) & GIL_BREAK_GC))
        atomic_fetch_or_explicit(&gil_eval_breaker, GIL_BREAK_GC, memory_order_relaxed);
}

void gc_birth_locked(Object *o, bool track) {
    GCHead *h = GC_HEAD(o);
    h->refs = 0;
    h->flags = 0;
    h->next = h->prev = NULL;
    lock();
    if (track) gc_list_append(h, gc_list_of(0, 0));
    if (++gc_state.gens[0].count > gc_state.gens[0].threshold) gc_threshold_passed();
    unlock();
}

/* --no-gil: prev is looked at again under the lock. */
void gc_untrack_locked(Object *o, bool freed) {
    GCHead *h = GC_HEAD(o);
    lock();
    if (h->prev) gc_list_remove(h);
    h->flags = 0;
    if (freed && gc_state.gens[0].count > 0) gc_state.gens[0].count--;
    unlock();
}

void gc_track(Object *o) {
    GCHead *h = GC_HEAD(o);
    if (h->flags & GC_NEVER_TRACK) return;
#if GC_SPIN_LOCKS
    GCStripe *st = &gc_stripes[h->stripe];
    bool alone = gc_alone();
    if (!alone) stripe_lock(st);
    if (h->flags & GC_DEATH_COUNTED) { /* revived by its dealloc: it lives on */
        if (alone) gc_state.gens[0].count++;
        else count_change(st, 1);
    }
    h->flags = GC_TRACKED; /* see gc_tracked_already */
    if (!h->prev) gc_list_append(h, &st->lists[0]);
    if (!alone) stripe_unlock(st);
#else
    /* with a lock on, prev is read under it */
    if (!gc_state.locking && h->prev) return;
    lock();
    h->flags = 0;
    if (!h->prev) gc_list_append(h, gc_list_of(0, 0));
    unlock();
#endif
}

void gc_never_track(Object *o) {
    gc_untrack(o);
    GC_HEAD(o)->flags = GC_NEVER_TRACK;
}

void gc_after_fork_child(void) {
    pthread_mutex_init(&gc_lock, NULL);
#if GC_SPIN_LOCKS
    /* Only the forking thread exists now, and it holds no stripe's lock:
       any hold was another thread's. */
    for (unsigned s = 0; s < GC_STRIPES; s++) atomic_store(&gc_stripes[s].lock, 0);
#endif
}
