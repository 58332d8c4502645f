/* biased.c - the slow paths of biased reference counting (biased.h), and
 * the table of threads that own objects. Compiled into toy-ft only; in the
 * GIL build this file is empty.
 *
 * Invariants:
 *   - Only the thread whose id is in o->owner writes o->local (relaxed
 *     loads and stores), except a merge on behalf of an owner that has left
 *     the table, done under table_lock (the owner's last writes happened
 *     before it took that lock to leave).
 *   - o->owner changes only by compare-and-swap: owner id -> MERGED (a
 *     merge), anything -> IMMORTAL (immortalisation). Once IMMORTAL it never
 *     changes again before the exit.
 *   - An object is in at most one merge queue, flagged QUEUED, and the
 *     queue holds one counted reference to it.
 *   - Queues and the list of threads are guarded by table_lock;
 *     `pending_threads` counts the threads that are *raised*: a non-empty
 *     queue, and attached (running Toy code, not in a blocking call), and
 *     the eval breaker's GIL_BREAK_MERGE bit is set while it is not zero.
 *     The bit is global: every thread takes the breaker's slow path while
 *     it is set. A thread that waits in join() while the threads it
 *     started queue it the locks of their start-up would keep the bit set,
 *     and the workers on that slow path (3% of their time, in the 4-thread
 *     job of make bench-ft), for as long as it waits; so a waiting owner
 *     is lowered, and raised again when it comes back with its queue
 *     non-empty. `pending` and `attached` are written before the other is
 *     read, on both sides (sequentially consistent), so that the queuer or
 *     the returning owner raises it.
 */
#ifdef TOY_FREE_THREADED

#include "core/biased.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/gil.h"
#include "core/objhooks.h"
#include "core/refcount.h"
#include "core/threadstate.h"

_Thread_local uint32_t biased_tid __attribute__((tls_model("local-exec")));
_Thread_local uint64_t biased_tid_one __attribute__((tls_model("local-exec")));

/* The thread's id, and the same id with a local count of 1 above it. */
static void set_tid(uint32_t tid) {
    biased_tid = tid;
    biased_tid_one = biased_head(tid, 1);
}

typedef struct BiasedThread {
    uint32_t tid;
    Object **queue;          /* objects queued for this thread to merge */
    size_t queue_len, queue_cap;
    atomic_bool pending;     /* queue_len > 0, readable without the lock */
    atomic_bool attached;    /* not in a blocking call (biased_thread_attached) */
    atomic_bool raised;      /* counted in pending_threads (table_lock) */
    struct BiasedThread *next;
} BiasedThread;

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static BiasedThread *threads;
static uint32_t next_tid = 1;
static atomic_int pending_threads;
static _Thread_local BiasedThread *self;

/* Objects made immortal at run time (heap objects only). */
static pthread_mutex_t immortal_lock = PTHREAD_MUTEX_INITIALIZER;
static Object **immortals;
static size_t immortals_len, immortals_cap;
/* Of them, those that hold no reference (biased_make_immortal_leaf). */
static Object **leaves;
static size_t leaves_len, leaves_cap;
static atomic_uint_fast64_t immortal_count;
/* Set while biased_release_immortals frees them: their blocks are kept. */
static struct { void *block; size_t size; } *kept;
static size_t kept_len, kept_cap;

#define RELAXED memory_order_relaxed

/* Room for one more in one of these tables, or exit: a reference the
   table cannot hold cannot be reported as a MemoryError. */
static void grow(void *arr, size_t len, size_t *cap, size_t elem) {
    if (!mem_grow(arr, len, cap, elem, 64)) mem_die_out_of_memory();
}

/* ---- Counting ------------------------------------------------------------- */

/* alone: no other thread runs Toy code (ts_single_threaded), and none can
   start before this returns, since only this one could start it: the
   table needs no lock then. Start-up interns some 450 names this way. */
static void record_immortal(Object *o, bool alone, bool leaf) {
    if (!alone) pthread_mutex_lock(&immortal_lock);
    if (leaf) {
        grow(&leaves, leaves_len, &leaves_cap, sizeof *leaves);
        leaves[leaves_len++] = o;
    } else {
        grow(&immortals, immortals_len, &immortals_cap, sizeof *immortals);
        immortals[immortals_len++] = o;
    }
    if (!alone) pthread_mutex_unlock(&immortal_lock);
    atomic_fetch_add_explicit(&immortal_count, 1, RELAXED);
}

static void make_immortal(Object *o, bool leaf) {
    uint32_t owner = atomic_load_explicit(&o->owner, RELAXED);
    bool alone = ts_single_threaded();
    if (alone) { /* nobody else can write owner: no compare-and-swap */
        if (owner == BIASED_OWNER_IMMORTAL) return;
        atomic_store_explicit(&o->owner, BIASED_OWNER_IMMORTAL, RELAXED);
    } else {
        do {
            if (owner == BIASED_OWNER_IMMORTAL) return;
        } while (!atomic_compare_exchange_weak(&o->owner, &owner, BIASED_OWNER_IMMORTAL));
    }
    /* The owner itself may also stop the fast path from writing local. */
    if (owner == biased_tid) atomic_store_explicit(&o->local, BIASED_LOCAL_IMMORTAL, RELAXED);
    record_immortal(o, alone, leaf);
}

void biased_make_immortal(Object *o) { make_immortal(o, false); }
void biased_make_immortal_leaf(Object *o) { make_immortal(o, true); }

void biased_incref_shared(Object *o) {
    if (atomic_load_explicit(&o->owner, RELAXED) == BIASED_OWNER_IMMORTAL) return;
    intptr_t old = atomic_fetch_add_explicit(&o->shared, BIASED_ONE, RELAXED);
    if (old & BIASED_SHARED_BY_DESIGN) biased_make_immortal(o);
}

static BiasedThread *find_thread(uint32_t tid) {
    for (BiasedThread *t = threads; t; t = t->next)
        if (t->tid == tid) return t;
    return NULL;
}

/* local + shared + extra becomes the shared count, flagged MERGED; the owner
   is given up. The caller is the owner, or holds table_lock and found no
   owner. Returns the count, or -1 if the object became immortal. */
static intptr_t merge(Object *o, uint32_t owner, intptr_t extra) {
    if (owner != BIASED_OWNER_MERGED &&
        !atomic_compare_exchange_strong(&o->owner, &owner, BIASED_OWNER_MERGED)) {
        if (owner == BIASED_OWNER_IMMORTAL) return -1;
    }
    intptr_t local = atomic_load_explicit(&o->local, RELAXED);
    atomic_store_explicit(&o->local, 0, RELAXED);
    intptr_t old = atomic_load_explicit(&o->shared, RELAXED), count, new;
    do {
        count = (old >> BIASED_SHIFT) + local + extra;
        new = (count << BIASED_SHIFT) | BIASED_MERGED |
              (old & BIASED_MARKS);
    } while (!atomic_compare_exchange_weak_explicit(&o->shared, &old, new,
                                                    memory_order_acq_rel, RELAXED));
    return count;
}

/* Under table_lock: count t in pending_threads, and the breaker's bit,
   while it has a queue and runs; else not. */
static void update_raise(BiasedThread *t) {
    bool want = t->queue_len > 0 && atomic_load(&t->attached);
    if (want == atomic_load_explicit(&t->raised, RELAXED)) return;
    atomic_store_explicit(&t->raised, want, RELAXED);
    if (want) {
        if (atomic_fetch_add(&pending_threads, 1) == 0)
            atomic_fetch_or_explicit(&gil_eval_breaker, GIL_BREAK_MERGE, RELAXED);
    } else if (atomic_fetch_sub(&pending_threads, 1) == 1) {
        atomic_fetch_and_explicit(&gil_eval_breaker, ~GIL_BREAK_MERGE, RELAXED);
    }
}

/* A non-owner's decrement would take an unmerged count below zero: hand the
   reference to the owner's queue, or merge now if the owner has ended. */
static void queue_to_owner(Object *o) {
    pthread_mutex_lock(&table_lock);
    uint32_t owner = atomic_load_explicit(&o->owner, RELAXED);
    BiasedThread *t = owner < BIASED_TID_DETACHED ? find_thread(owner) : NULL;
    if (t) {
        grow(&t->queue, t->queue_len, &t->queue_cap, sizeof *t->queue);
        t->queue[t->queue_len++] = o;
        if (t->queue_len == 1) {
            atomic_store(&t->pending, true); /* before attached is read */
            update_raise(t);
        }
        pthread_mutex_unlock(&table_lock);
        return;
    }
    intptr_t count = owner == BIASED_OWNER_IMMORTAL ? -1 : merge(o, owner, -1);
    pthread_mutex_unlock(&table_lock);
    if (count == 0) object_dealloc(o);
}

void biased_decref_shared(Object *o) {
    if (atomic_load_explicit(&o->owner, RELAXED) == BIASED_OWNER_IMMORTAL) return;
    intptr_t old = atomic_load_explicit(&o->shared, RELAXED), new;
    bool queue;
    do {
        queue = false;
        new = old - BIASED_ONE;
        if (!(old & (BIASED_MERGED | BIASED_QUEUED)) && (old >> BIASED_SHIFT) == 0) {
            new = old | BIASED_QUEUED; /* the queue takes this reference */
            queue = true;
        }
    } while (!atomic_compare_exchange_weak_explicit(&o->shared, &old, new,
                                                    memory_order_acq_rel, RELAXED));
    if (queue)
        queue_to_owner(o);
    else if ((new & BIASED_MERGED) && (new >> BIASED_SHIFT) == 0)
        object_dealloc(o);
}

/* Mark o, whose count is all local and zero, DEAD for biased_try_incref;
   false if another thread counted it meanwhile. While one thread runs
   nobody else can, and a plain store does (the compare-and-swap is a
   locked instruction, tens of cycles, on every death of an instance):
   the dealloc may run Toy code that starts a thread, but the store is
   made before, and pthread_create orders it ahead of the new thread. */
static bool mark_dead(Object *o, intptr_t shared) {
    if (ts_single_threaded()) {
        atomic_store_explicit(&o->shared, shared | BIASED_DEAD, RELAXED);
        return true;
    }
    return atomic_compare_exchange_strong_explicit(&o->shared, &shared, shared | BIASED_DEAD,
                                                   memory_order_acq_rel, RELAXED);
}

void biased_local_zero(Object *o) {
    intptr_t shared = atomic_load_explicit(&o->shared, memory_order_acquire);
    if ((shared & ~BIASED_TYPE_MARK) == 0) {
        /* No other thread counts it or can find it (a big int). */
        object_dealloc(o);
        return;
    }
    if ((shared & ~BIASED_MARKS) == 0) {
        /* No other thread counts it. One that finds it through the weak
           reference table (WEAKLY) or a table of classes (shared by
           design) may be about to (biased_try_incref): settle the race on
           the shared word. */
        if (mark_dead(o, shared)) {
            object_dealloc(o);
            return;
        }
    }
    if (merge(o, biased_tid, 0) == 0) object_dealloc(o);
}

bool biased_try_incref(Object *o) {
    uint32_t l = atomic_load_explicit(&o->local, RELAXED);
    uint32_t owner = atomic_load_explicit(&o->owner, RELAXED);
    if (l == BIASED_LOCAL_IMMORTAL || owner == BIASED_OWNER_IMMORTAL) return true;
    if (owner == biased_tid) { /* ours: only our own decrement can free it */
        if (l == 0) return false;
        atomic_store_explicit(&o->local, l + 1, RELAXED);
        return true;
    }
    intptr_t old = atomic_load_explicit(&o->shared, RELAXED);
    do {
        if ((old & BIASED_DEAD) || ((old & BIASED_MERGED) && (old >> BIASED_SHIFT) == 0))
            return false;
    } while (!atomic_compare_exchange_weak_explicit(&o->shared, &old, old + BIASED_ONE,
                                                    memory_order_acq_rel, RELAXED));
    if (old & BIASED_SHARED_BY_DESIGN) biased_make_immortal(o);
    return true;
}

void biased_revive(Object *o) {
    intptr_t marks = atomic_load_explicit(&o->shared, RELAXED) & BIASED_MARKS;
    atomic_store_explicit(&o->owner, biased_tid, RELAXED);
    atomic_store_explicit(&o->local, 1, RELAXED);
    atomic_store_explicit(&o->shared, marks, RELAXED);
}

bool biased_unrevive(Object *o) {
    uint32_t owner = atomic_load_explicit(&o->owner, RELAXED);
    if (owner == BIASED_OWNER_IMMORTAL) return true;
    uint32_t l = atomic_load_explicit(&o->local, RELAXED) - 1;
    atomic_store_explicit(&o->local, l, RELAXED);
    if (l > 0) return true;
    intptr_t shared = atomic_load_explicit(&o->shared, memory_order_acquire);
    if ((shared & ~BIASED_MARKS) == 0) return false;
    return merge(o, owner, 0) != 0;
}

/* ---- Threads ---------------------------------------------------------------- */

void biased_thread_attach(void) {
    BiasedThread *t = mem_alloc_or_die(sizeof *t);
    memset(t, 0, sizeof *t);
    atomic_store(&t->attached, true); /* about to attach: ts_create runs first */
    pthread_mutex_lock(&table_lock);
    t->tid = next_tid++;
    t->next = threads;
    threads = t;
    pthread_mutex_unlock(&table_lock);
    self = t;
    set_tid(t->tid);
}

/* Take this thread's queue (under table_lock). */
static Object **take_queue(size_t *len, size_t *cap) {
    Object **q = self->queue;
    *len = self->queue_len;
    *cap = self->queue_cap;
    self->queue = NULL;
    self->queue_len = self->queue_cap = 0;
    atomic_store(&self->pending, false);
    update_raise(self);
    return q;
}

void biased_thread_attached(bool attached) {
    if (!self) return; /* an ending thread, past biased_thread_detach */
    atomic_store(&self->attached, attached); /* before pending is read */
    bool change = attached ? atomic_load(&self->pending) : atomic_load(&self->raised);
    if (!change) return;
    pthread_mutex_lock(&table_lock);
    update_raise(self);
    pthread_mutex_unlock(&table_lock);
}

static void merge_queue(Object **q, size_t len, size_t cap) {
    for (size_t i = 0; i < len; i++) {
        Object *o = q[i];
        uint32_t owner = atomic_load_explicit(&o->owner, RELAXED);
        if (merge(o, owner, -1) == 0) object_dealloc(o);
    }
    if (q) mem_free(q, cap * sizeof *q);
}

void biased_merge_pending(void) {
    /* Every thread comes here while any queue is non-empty: most leave at
       once, without the lock. */
    if (!self || !atomic_load_explicit(&self->pending, RELAXED)) return;
    for (;;) {
        pthread_mutex_lock(&table_lock);
        size_t len, cap;
        Object **q = take_queue(&len, &cap);
        pthread_mutex_unlock(&table_lock);
        if (!len) { if (q) mem_free(q, cap * sizeof *q); return; }
        merge_queue(q, len, cap); /* deallocs may queue more */
    }
}

void biased_thread_detach(void) {
    if (!self) return;
    for (;;) {
        pthread_mutex_lock(&table_lock);
        size_t len, cap;
        Object **q = take_queue(&len, &cap);
        if (!len) { /* leave while holding the lock: nothing more can come */
            for (BiasedThread **p = &threads; *p; p = &(*p)->next)
                if (*p == self) { *p = self->next; break; }
            set_tid(BIASED_TID_DETACHED);
            pthread_mutex_unlock(&table_lock);
            if (q) mem_free(q, cap * sizeof *q);
            break;
        }
        pthread_mutex_unlock(&table_lock);
        merge_queue(q, len, cap);
    }
    mem_free(self, sizeof *self);
    self = NULL;
}

void biased_before_fork(void) {
    pthread_mutex_lock(&table_lock);
    pthread_mutex_lock(&immortal_lock);
}

void biased_after_fork_parent(void) {
    pthread_mutex_unlock(&immortal_lock);
    pthread_mutex_unlock(&table_lock);
}

void biased_after_fork_child(void) {
    /* Held by this thread since biased_before_fork. */
    pthread_mutex_unlock(&immortal_lock);
    pthread_mutex_unlock(&table_lock);
    /* The other threads do not exist here: merge what was queued for them. */
    BiasedThread *others = NULL;
    for (BiasedThread *t = threads, *next; t; t = next) {
        next = t->next;
        if (t != self) { t->next = others; others = t; }
    }
    threads = self;
    if (self) self->next = NULL;
    /* the forking thread runs, attached */
    bool raised = self && self->queue_len;
    if (self) {
        atomic_store(&self->attached, true);
        atomic_store(&self->raised, raised);
    }
    atomic_store(&pending_threads, raised ? 1 : 0);
    if (!raised) atomic_fetch_and_explicit(&gil_eval_breaker, ~GIL_BREAK_MERGE, RELAXED);
    while (others) {
        BiasedThread *t = others;
        others = t->next;
        for (size_t i = 0; i < t->queue_len; i++) {
            Object *o = t->queue[i];
            if (merge(o, atomic_load_explicit(&o->owner, RELAXED), -1) == 0) object_dealloc(o);
        }
        if (t->queue) mem_free(t->queue, t->queue_cap * sizeof *t->queue);
        mem_free(t, sizeof *t);
    }
}

/* ---- Immortals at exit ---------------------------------------------------- */

bool biased_keep_block_at_exit(Object *o, void *block, size_t size) {
    if (atomic_load_explicit(&o->owner, RELAXED) != BIASED_OWNER_IMMORTAL)
        return false;
    grow(&kept, kept_len, &kept_cap, sizeof *kept);
    kept[kept_len].block = block;
    kept[kept_len].size = size;
    kept_len++;
    return true;
}

/* Only the main thread runs now, and the teardown has dropped every
   reference the program held. Each immortal's dealloc runs while all of
   them stay immortal (their counts untouched by the others' deallocs), and
   their memory goes back only when every one is done. */
void biased_release_immortals(void) {
    biased_merge_pending();
    object_hooks_set(OBJHOOK_KEEP_AT_EXIT);
    for (size_t i = 0; i < immortals_len; i++) immortals[i]->type->dealloc(immortals[i]);
    object_hooks_clear(OBJHOOK_KEEP_AT_EXIT);
    for (size_t i = 0; i < kept_len; i++) mem_free(kept[i].block, kept[i].size);
    /* The leaves last, each freed at once: the deallocs above were the
       last readers of their headers, and theirs read nothing else. */
    for (size_t i = 0; i < leaves_len; i++) leaves[i]->type->dealloc(leaves[i]);
    if (kept) mem_free(kept, kept_cap * sizeof *kept);
    if (immortals) mem_free(immortals, immortals_cap * sizeof *immortals);
    if (leaves) mem_free(leaves, leaves_cap * sizeof *leaves);
    kept = NULL;
    kept_len = kept_cap = 0;
    immortals = NULL;
    immortals_len = immortals_cap = 0;
    leaves = NULL;
    leaves_len = leaves_cap = 0;
}

uint64_t biased_immortalized(void) { return atomic_load(&immortal_count); }

#else
typedef int biased_unused_in_the_gil_build;
#endif
