/* alloc.c - the one allocation path: per-thread free lists over pools.
 *
 * Small blocks (up to POOL_SMALL_MAX bytes) are rounded up to a multiple of
 * POOL_SIZE_STEP and, when freed, kept on a free list of the freeing thread for
 * that size class. The next allocation of the class pops the list: a few
 * instructions, no lock, no system call. That is what lets `x + 1` produce a
 * fresh int object without visible cost.
 *
 * Behind the lists are the pools of pool.c: when a list is empty the thread
 * claims a batch of blocks of its class (given back ones, and a run of
 * never-used ones it then cuts off one at a time); when a list is over its
 * budget, a batch goes back to the pools the blocks came from. Both take
 * pool.c's one mutex, once per batch. Bigger blocks come from malloc.
 *
 * Each list is private to its thread, so the fast paths need no lock and
 * are as safe with the GIL off as with it on. A block allocated by one
 * thread and freed by another simply joins the second thread's list; from
 * there it may go back to its pool, which any thread may do. A thread that
 * ends gives all its blocks back (mem_thread_release).
 *
 * Under AddressSanitizer the lists and pools are disabled so that ASan sees
 * every malloc and free and can report use-after-free at the real point of
 * reuse.
 *
 * With --no-gil, freed objects do not come here at once: object_free hands
 * them to the race detector's quarantine (race.c), which releases them with
 * mem_free when they leave it.
 *
 * Object counts for --stats are kept per thread too and summed on demand;
 * threads fold their counts into the retired totals when they end.
 */
#include "core/alloc.h"
#include "core/objhooks.h"
#include "core/pool.h"
#include "core/race.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The budget of each class (MEM_MIN_CACHED_PER_CLASS blocks, or up to
   MEM_MAX_CACHED_BYTES_PER_CLASS bytes of them, alloc.h) lets the small
   classes that ints, floats, short strings and small lists use hold a
   burst of tens of thousands of objects freed together (a list of them
   dropped) for the next burst, while a thread holds on to about 40 MiB at
   most over all classes. Past the budget, FLUSH_BLOCKS of them go back to
   their pools at once. */
#define FLUSH_BLOCKS 512
/* No request this large can succeed: refuse it here (NULL, so MemoryError)
   rather than ask malloc. Sanitizer builds abort on such requests instead of
   returning NULL, so without this `"x" * 10**18` would behave differently
   under `make asan`. 2^40 bytes is also AddressSanitizer's own limit. */
#define MAX_BLOCK ((size_t)1 << 40)

_Thread_local MemThreadCache mem_thread_cache;

/* A thread's object counts (alloc.h): plain integers written only by their
   thread; mem_stats reads them all under counters_lock. */
_Thread_local MemObjectCounts mem_object_counts;

/* Registered counts of running threads, and the totals of finished ones. */
static pthread_mutex_t counters_lock = PTHREAD_MUTEX_INITIALIZER;
static MemObjectCounts *running_counts;
static uint64_t retired_allocated, retired_freed, retired_peak;

/* Class c's list is empty and so is its fresh run: claim more blocks from
   the pools. */
void *mem_alloc_refill(size_t c) {
    MemThreadCache *tc = &mem_thread_cache;
    PoolClaim claim;
    if (pool_claim(c, &claim) < 0) return NULL;
    tc->fresh[c] = claim.fresh;
    tc->fresh_end[c] = claim.fresh_end;
    if (claim.list) {
        PoolBlock *b = claim.list;
        tc->lists[c] = b->next;
        tc->counts[c] = (unsigned)claim.count - 1;
        return b;
    }
    tc->fresh[c] += pool_class_bytes(c);
    return claim.fresh;
}

/* Class c is over its budget: its FLUSH_BLOCKS most recently freed blocks
   go back to their pools. */
void mem_free_flush(size_t c) {
    MemThreadCache *tc = &mem_thread_cache;
    PoolBlock *first = tc->lists[c], *last = first;
    for (unsigned i = 1; i < FLUSH_BLOCKS; i++) last = last->next;
    tc->lists[c] = last->next;
    tc->counts[c] -= FLUSH_BLOCKS;
    last->next = NULL;
    pool_give_back(c, first);
}

void *mem_alloc_big(size_t size) {
    if (size > MAX_BLOCK) return NULL;
    return malloc(size);
}

#if !ALLOC_USE_FREE_LISTS && defined(__GLIBC__)
#include <malloc.h>
/* AddressSanitizer's malloc_usable_size answers the size that was asked
   for: check that p is freed with a size of the same class. The sanitizer
   builds skip the pools, but in the others a block freed with the size of
   another class would join the wrong list, and a malloc'd block a pool's. */
static void check_size(void *p, size_t size) {
    size_t real = malloc_usable_size(p);
    bool small = size <= POOL_SMALL_MAX, real_small = real <= POOL_SMALL_MAX;
    if (small != real_small || (small && mem_size_class(size) != mem_size_class(real))) {
        fprintf(stderr, "toy: a block of %zu bytes freed as %zu bytes\n", real, size);
        abort();
    }
}
#else
static void check_size(void *p, size_t size) { (void)p, (void)size; }
#endif

void mem_free_big(void *p, size_t size) {
    if (!ALLOC_USE_FREE_LISTS) check_size(p, size);
    free(p);
}

void *mem_alloc_zeroed(size_t size) {
    if (size == 0) size = 1;
    if (ALLOC_USE_FREE_LISTS && size <= POOL_SMALL_MAX) {
        void *p = mem_alloc(size);
        if (p) memset(p, 0, size);
        return p;
    }
    if (size > MAX_BLOCK) return NULL;
    return calloc(1, size);
}

/* Below this, a table is a few pages: the system call would cost more
   than the faults it saves. */
#define POPULATE_MIN ((size_t)64 << 10)

/* Map in the whole pages of [p, p + size), writable (pool_map_in). Where
   the system cannot, writing zeros over the block does it too, a page
   fault each. */
static void populate(void *p, size_t size) {
    if (!pool_map_in(p, size)) memset(p, 0, size);
}

void *mem_alloc_zeroed_populated(size_t size) {
    void *p = mem_alloc_zeroed(size);
    if (p && size >= POPULATE_MIN) populate(p, size);
    return p;
}

void *mem_realloc(void *p, size_t old_size, size_t new_size) {
    if (!p) return mem_alloc(new_size);
#if ALLOC_USE_FREE_LISTS
    /* Small blocks were rounded up to their class: copy between classes. */
    if (old_size <= POOL_SMALL_MAX || new_size <= POOL_SMALL_MAX) {
        if (old_size <= POOL_SMALL_MAX && new_size <= POOL_SMALL_MAX &&
            mem_size_class(old_size) == mem_size_class(new_size))
            return p;
        void *q = mem_alloc(new_size);
        if (!q) return NULL;
        memcpy(q, p, old_size < new_size ? old_size : new_size);
        mem_free(p, old_size);
        return q;
    }
#else
    check_size(p, old_size ? old_size : 1);
#endif
    if (new_size > MAX_BLOCK) return NULL;
    return realloc(p, new_size ? new_size : 1);
}

bool mem_grow(void *items, size_t len, size_t *cap, size_t elem, size_t first) {
    if (len < *cap) return true;
    if (*cap > SIZE_MAX / 2 / elem) return false;
    size_t grown_cap = *cap ? *cap * 2 : first;
    void *old, *grown;
    /* The caller's pointer is read and written as bytes: it may point to
       any element type. */
    memcpy(&old, items, sizeof old);
    grown = mem_realloc(old, *cap * elem, grown_cap * elem);
    if (!grown) return false;
    memcpy(items, &grown, sizeof grown);
    *cap = grown_cap;
    return true;
}

void mem_die_out_of_memory(void) {
    fflush(stdout);
    fputs("toy: out of memory\n", stderr);
    exit(1);
}

void *mem_alloc_or_die(size_t size) {
    void *p = mem_alloc(size);
    if (!p) mem_die_out_of_memory();
    return p;
}

void mem_count_enable(void) { object_hooks_set(OBJHOOK_COUNT); }

void mem_register_counts(void) {
    pthread_mutex_lock(&counters_lock);
    mem_object_counts.next = running_counts;
    running_counts = &mem_object_counts;
    mem_object_counts.registered = 1;
    pthread_mutex_unlock(&counters_lock);
}

void mem_before_fork(void) {
    pthread_mutex_lock(&counters_lock);
    pool_before_fork();
}

void mem_after_fork_parent(void) {
    pool_after_fork();
    pthread_mutex_unlock(&counters_lock);
}

void mem_after_fork_child(void) {
    pool_after_fork();
    pthread_mutex_unlock(&counters_lock);
}

/* Fold this thread's object counts into the retired totals. */
static void retire_counts(void) {
    MemObjectCounts *c = &mem_object_counts;
    if (!c->registered) return;
    pthread_mutex_lock(&counters_lock);
    for (MemObjectCounts **p = &running_counts; *p; p = &(*p)->next) {
        if (*p == c) { *p = c->next; break; }
    }
    retired_allocated += c->allocated;
    retired_freed += c->freed;
    retired_peak += (uint64_t)c->peak_live;
    c->allocated = c->freed = 0;
    c->peak_live = 0;
    c->registered = 0;
    pthread_mutex_unlock(&counters_lock);
}

void mem_thread_release(void) {
    race_thread_release(); /* --no-gil: the quarantine ring goes to the next thread */
#if ALLOC_USE_FREE_LISTS
    MemThreadCache *tc = &mem_thread_cache;
    for (size_t c = 0; c < POOL_NCLASSES; c++) {
        pool_give_back(c, tc->lists[c]);
        pool_give_back_fresh(c, tc->fresh[c], tc->fresh_end[c]);
        tc->lists[c] = NULL;
        tc->counts[c] = 0;
        tc->fresh[c] = tc->fresh_end[c] = NULL;
    }
#endif
    retire_counts();
}

void mem_exit_release(void) {
    race_thread_release();
    retire_counts();
}

/* Totals over all threads. peak_live is exact for a single-threaded program;
   with several threads it is the sum of the threads' own peaks (an upper
   bound), since tracking an exact global peak would need a shared counter
   on every allocation. */
AllocStats mem_stats(void) {
    AllocStats s;
    pthread_mutex_lock(&counters_lock);
    s.allocated = retired_allocated;
    s.freed = retired_freed;
    s.peak_live = retired_peak;
    for (MemObjectCounts *c = running_counts; c; c = c->next) {
        s.allocated += c->allocated;
        s.freed += c->freed;
        s.peak_live += (uint64_t)c->peak_live;
    }
    pthread_mutex_unlock(&counters_lock);
    s.live = s.allocated - s.freed;
    return s;
}
