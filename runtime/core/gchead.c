/* gchead.c - the generation lists and their counts (gchead.h). */
#include "core/gchead.h"

#include <pthread.h>

#include "core/gil.h"
#include "core/objhooks.h"

GCState gc_state;
static pthread_mutex_t gc_lock = PTHREAD_MUTEX_INITIALIZER;
#if !GC_SPIN_LOCKS
void gc_stripe_attach(void) {} /* toy-ft's stripes: core/gcstripe.c */
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
#if GC_SPIN_LOCKS
    gc_stripes_init();
#endif
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
#if GC_SPIN_LOCKS
    if (!gc_alone()) {
        gc_track_striped(o);
        return;
    }
#endif
    if (h->flags & GC_NEVER_TRACK) return;
#if GC_SPIN_LOCKS
    if (h->flags & GC_DEATH_COUNTED) gc_state.gens[0].count++; /* revived by its dealloc */
    h->flags = GC_TRACKED; /* see gc_tracked_already */
    if (!h->prev) gc_list_append(h, gc_list_of(0, 0));
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
    gc_stripes_after_fork_child();
#endif
}
