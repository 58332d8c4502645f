/* gchead.c - the generation lists and their counts (gchead.h). */
#include "core/gchead.h"

#include <pthread.h>

#include "core/gil.h"
#include "core/objhooks.h"

GCState gc_state;
static pthread_mutex_t gc_lock = PTHREAD_MUTEX_INITIALIZER;
#if GC_SPIN_LOCKS
#include <sched.h>
_Atomic int gc_spin __attribute__((aligned(64)));

/* Another thread holds gc_spin for a few instructions: spin on a plain
   load (no write to the line while it is held), then yield the core in
   case the holder was descheduled. */
void gc_spin_wait(void) {
    for (unsigned spins = 0;; spins++) {
        if (!atomic_load_explicit(&gc_spin, memory_order_relaxed) &&
            !atomic_exchange_explicit(&gc_spin, 1, memory_order_acquire))
            return;
        if (spins >= 64) sched_yield();
#if defined(__x86_64__) || defined(__i386__)
        else __builtin_ia32_pause();
#endif
    }
}
#endif

void gc_head_init(bool locking) {
    static const int thresholds[GC_NGENERATIONS] = {700, 10, 10}; /* CPython 3.11's */
    for (int i = 0; i < GC_NGENERATIONS; i++) {
        gc_list_init(&gc_state.gens[i].head);
        gc_state.gens[i].threshold = thresholds[i];
        gc_state.gens[i].count = 0;
    }
    gc_list_init(&gc_state.permanent);
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

static inline void lock(void) {
    if (GC_SPIN_LOCKS) gc_spin_lock();
    else if (gc_state.locking) pthread_mutex_lock(&gc_lock);
}

static inline void unlock(void) {
    if (GC_SPIN_LOCKS) gc_spin_unlock();
    else if (gc_state.locking) pthread_mutex_unlock(&gc_lock);
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
    if (track) gc_list_append(h, &gc_state.gens[0].head);
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
    /* with a lock on, prev is read under it */
    if (!GC_SPIN_LOCKS && !gc_state.locking && h->prev) return;
    lock();
    /* toy-ft: revived by its dealloc; counted again, as it lives on */
    if (h->flags & GC_DEATH_COUNTED) gc_state.gens[0].count++;
    h->flags = GC_SPIN_LOCKS ? GC_TRACKED : 0; /* toy-ft: see gc_tracked_already */
    if (!h->prev) gc_list_append(h, &gc_state.gens[0].head);
    unlock();
}

void gc_never_track(Object *o) {
    gc_untrack(o);
    GC_HEAD(o)->flags = GC_NEVER_TRACK;
}

void gc_after_fork_child(void) {
    pthread_mutex_init(&gc_lock, NULL);
#if GC_SPIN_LOCKS
    /* Only the forking thread exists now, and it holds no gc_spin: any
       hold was another thread's. */
    atomic_store(&gc_spin, 0);
#endif
}
