/* alloc.h - the one allocation path.
 *
 * Every byte Toy allocates goes through these functions: heap objects, AST
 * arenas, code buffers, frame stacks. Having one choke point means one place
 * to count (--stats), to poison freed memory, and (in --no-gil mode) to keep
 * freed objects in quarantine so the race detector can recognise them.
 *
 * Contract:
 *   - mem_alloc returns NULL when memory runs out; it never sets a Toy
 *     exception itself (callers that can raise use object_alloc, or
 *     error_no_memory()).
 *   - mem_free and mem_realloc take the size the block was allocated with
 *     (the sanitizer builds check that it is at least of the same class).
 *     Knowing the size lets small blocks go back to per-thread free lists
 *     without a header word.
 *   - Thread-safety: small blocks are cached in per-thread free lists, so the
 *     fast paths need no lock and stay safe even when the GIL is off; the
 *     pools behind them (core/pool.h) have a mutex of their own.
 */
#ifndef TOY_ALLOC_H
#define TOY_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/pool.h"

/* Under AddressSanitizer every block comes from malloc and goes back to
   free, so that ASan sees each one and reports a use after free at the
   real point of reuse; otherwise blocks of up to POOL_SMALL_MAX bytes come
   from per-thread free lists over the pools of pool.h. */
#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_USE_FREE_LISTS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOC_USE_FREE_LISTS 0
#endif
#endif
#ifndef ALLOC_USE_FREE_LISTS
#define ALLOC_USE_FREE_LISTS 1
#endif

void *mem_realloc(void *p, size_t old_size, size_t new_size);

/* A thread's free lists, one per size class, and for each class the run of
   never-used blocks it is cutting from its last claim (pool.h). Private to
   the thread: no lock. */
typedef struct MemThreadCache {
    PoolBlock *lists[POOL_NCLASSES];
    unsigned counts[POOL_NCLASSES];
    char *fresh[POOL_NCLASSES], *fresh_end[POOL_NCLASSES];
} MemThreadCache;
extern _Thread_local MemThreadCache mem_thread_cache;

/* The paths past the free lists (alloc.c): an empty list and fresh run, a
   list over its budget, a block too big for the pools. */
void *mem_alloc_refill(size_t c);
void mem_free_flush(size_t c);
void *mem_alloc_big(size_t size);
void mem_free_big(void *p, size_t size);

/* Each class keeps MIN_CACHED_PER_CLASS free blocks, or more up to
   MAX_CACHED_BYTES_PER_CLASS bytes of them (65536 blocks of the smallest
   class): see alloc.c. */
#define MEM_MIN_CACHED_PER_CLASS 4096
#define MEM_MAX_CACHED_BYTES_PER_CLASS ((size_t)1 << 20)

static inline size_t mem_size_class(size_t size) {
    return (size + POOL_SIZE_STEP - 1) / POOL_SIZE_STEP - 1; /* size >= 1 */
}

/* Inline, as every object allocation and free comes here: a pop or a push
   on the thread's list of the size class, a few instructions; with a
   constant size the class is known at compile time. */
static inline void *mem_alloc(size_t size) {
    if (size == 0) size = 1;
    if (!ALLOC_USE_FREE_LISTS || size > POOL_SMALL_MAX) return mem_alloc_big(size);
    size_t c = mem_size_class(size);
    MemThreadCache *tc = &mem_thread_cache;
    PoolBlock *b = tc->lists[c];
    if (__builtin_expect(b != NULL, 1)) {
        tc->lists[c] = b->next;
        tc->counts[c]--;
        return b;
    }
    char *fresh = tc->fresh[c];
    if (fresh != tc->fresh_end[c]) {
        tc->fresh[c] = fresh + pool_class_bytes(c);
        return fresh;
    }
    return mem_alloc_refill(c);
}

/* A class over its budget gives a batch back to the pools. Below
   MIN_CACHED_PER_CLASS blocks one comparison answers. */
static inline void mem_free(void *p, size_t size) {
    if (!p) return;
    if (size == 0) size = 1;
    if (!ALLOC_USE_FREE_LISTS || size > POOL_SMALL_MAX) {
        mem_free_big(p, size);
        return;
    }
    size_t c = mem_size_class(size);
    MemThreadCache *tc = &mem_thread_cache;
    PoolBlock *b = p;
    b->next = tc->lists[c];
    tc->lists[c] = b;
    unsigned n = ++tc->counts[c];
    if (__builtin_expect(n > MEM_MIN_CACHED_PER_CLASS, 0) &&
        (size_t)n * pool_class_bytes(c) > MEM_MAX_CACHED_BYTES_PER_CLASS)
        mem_free_flush(c);
}
/* mem_alloc, every byte zero (freed with mem_free). A big block comes from
   calloc, whose fresh pages the system has already cleared: a big hash
   table need not be written twice, and the pages of a sparse one that are
   never written cost no memory. */
void *mem_alloc_zeroed(size_t size);
/* mem_alloc_zeroed for a table about to be written all over (a set's
   resize): fresh pages are also mapped in at once, with one system call.
   Otherwise the first probe of each page reads it before writing it, and
   a page read first faults twice (the read maps the system's shared zero
   page, the write replaces it), which cost more than clearing the table. */
void *mem_alloc_zeroed_populated(size_t size);

/* Room for one more element at the end of a growable array. items points
   to the caller's pointer to the array (of any element type), which holds
   *cap elements of elem bytes, len of them used. While len < *cap nothing
   changes; otherwise the array doubles, or starts at first elements, and
   *cap says so. false out of memory, with the array as it was: the caller
   raises (error_no_memory) or reports as it can. */
bool mem_grow(void *items, size_t len, size_t *cap, size_t elem, size_t first);

/* Allocate or exit with "toy: out of memory" (status 1). For internal tables
   whose failure cannot be reported as a MemoryError. */
void *mem_alloc_or_die(size_t size);
/* Print "toy: out of memory" and exit with status 1. */
_Noreturn void mem_die_out_of_memory(void);

/* Around fork(): mem_before_fork takes the counters' mutex, so that no
   other thread is inside it (one that has just finished may still be
   retiring its counters) when the process is copied; the parent then
   releases it (mem_after_fork_parent), and so does the child, whose only
   thread is the one that holds it (mem_after_fork_child). */
void mem_before_fork(void);
void mem_after_fork_parent(void);
void mem_after_fork_child(void);

/* A thread's cached blocks go back to the system when it ends. */
void mem_thread_release(void);
/* The same for the main thread at the end of the process, except that its
   cached blocks are left to go with the process: every object has been
   freed by then (teardown counts the leaks), and handing the blocks back
   to malloc one at a time was an eighth of the run of an empty program. */
void mem_exit_release(void);

/* Object accounting for --stats: updated by object_alloc / object_free,
   only once mem_count_enable has been called (main.c, for --stats, before
   the first object): nobody reads the counts otherwise, and counting
   costs every allocation (core/objhooks.h). */
void mem_count_enable(void);
typedef struct {
    uint64_t allocated;  /* heap objects ever allocated */
    uint64_t freed;      /* heap objects freed */
    uint64_t live;       /* allocated - freed, now */
    uint64_t peak_live;  /* highest live seen */
} AllocStats;

/* A thread's own object counts: written only by that thread, without a
   lock; mem_stats reads them all under a mutex (alloc.c). Inline, since
   every object allocation and free counts. */
typedef struct MemObjectCounts {
    uint64_t allocated, freed;
    int64_t peak_live;      /* this thread's highest allocated - freed */
    struct MemObjectCounts *next; /* the list of running threads' counts */
    int registered;         /* on that list (the thread's first count puts it there) */
} MemObjectCounts;

extern _Thread_local MemObjectCounts mem_object_counts;
void mem_register_counts(void);

static inline void mem_count_object_alloc(void) {
    MemObjectCounts *c = &mem_object_counts;
    if (__builtin_expect(!c->registered, 0)) mem_register_counts();
    c->allocated++;
    /* Per-thread live goes negative when a thread frees more objects than
       it made (another thread's): never a new peak. */
    int64_t live = (int64_t)(c->allocated - c->freed);
    if (live > c->peak_live) c->peak_live = live;
}

static inline void mem_count_object_free(void) {
    MemObjectCounts *c = &mem_object_counts;
    if (__builtin_expect(!c->registered, 0)) mem_register_counts();
    c->freed++;
}

AllocStats mem_stats(void);

#endif
