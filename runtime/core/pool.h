/* pool.h - where the allocator's small blocks come from: arenas of pools.
 *
 * alloc.c hands out blocks of up to POOL_SMALL_MAX bytes from per-thread
 * free lists, one list per size class (a multiple of POOL_SIZE_STEP bytes).
 * When a thread's list for a class runs dry it claims blocks here in bulk;
 * when the list grows past its budget it gives a batch back. Nothing else
 * in Toy calls these functions (tests/memory/pool_unit.c drives them alone),
 * except pool_map_in, which alloc.c and objlock.c share.
 *
 *   arena: 1 MiB (ARENA_SIZE, pool.c) mapped from the system at once, cut
 *          into pools
 *   pool:  16 KiB (POOL_SIZE), aligned on its size, holding blocks of one
 *          size class after a small header (struct Pool, pool.c)
 *
 * A block's pool is its address rounded down to POOL_SIZE, so a block
 * needs no header of its own, and a block freed by any thread goes back to
 * the pool it came from. A pool whose blocks have all come back is free for
 * any class again; an arena whose pools are all free goes back to the
 * system (POOL_SPARE_ARENAS are kept, so that a program hovering around a
 * boundary does not map and unmap the same memory over and over).
 *
 * Thread-safety: every function takes pool_lock, one mutex for all arenas.
 * Threads come here only once per batch of blocks, so the lock is rarely
 * contended; the per-thread lists in front of it need no lock at all.
 */
#ifndef TOY_POOL_H
#define TOY_POOL_H

#include <stdbool.h>
#include <stddef.h>

/* Size classes are multiples of 16 bytes, so that every block is 16-byte
   aligned. toy-ft's object header is 8 bytes larger (core/biased.h), which
   pushed its most common objects into the next class: an int of 40 bytes
   took a 48-byte block where the GIL build's 32-byte int fits its own.
   There the classes are multiples of 8: a block is aligned to the largest
   power of two, up to 16, that divides its class's size, which is what
   any type of that size needs (a type's size is a multiple of its
   alignment). A third less memory per int means less memory traffic for a
   list of a million ints (docs/internals.md, ch. 5b). */
#ifdef TOY_FREE_THREADED
#define POOL_SIZE_STEP 8
#else
#define POOL_SIZE_STEP 16
#endif
#define POOL_SMALL_MAX 512
#define POOL_NCLASSES (POOL_SMALL_MAX / POOL_SIZE_STEP)

/* Fully free arenas kept mapped instead of returned to the system. */
#define POOL_SPARE_ARENAS 4

/* The bytes of a block of class c (0 .. POOL_NCLASSES - 1). */
static inline size_t pool_class_bytes(size_t c) { return (c + 1) * POOL_SIZE_STEP; }

typedef struct PoolBlock {
    struct PoolBlock *next;
} PoolBlock;

/* Blocks of one class handed to a thread: count blocks linked from list,
   then the never-used blocks from fresh up to fresh_end (possibly none),
   which the thread cuts off one at a time. */
typedef struct PoolClaim {
    PoolBlock *list;
    size_t count;
    char *fresh, *fresh_end;
} PoolClaim;

/* Fill *claim with blocks of class c: at least one unless memory runs out
   (then -1, and *claim is empty). */
int pool_claim(size_t c, PoolClaim *claim);

/* Give back a list of blocks of class c, ended by NULL; they may come from
   any pools of that class. */
void pool_give_back(size_t c, PoolBlock *list);

/* Give back the unused end [fresh, fresh_end) of a claim's run. */
void pool_give_back_fresh(size_t c, char *fresh, char *fresh_end);

/* fork(): taken before, released after in both processes (alloc.h). */
void pool_before_fork(void);
void pool_after_fork(void);

/* Map in the whole pages inside [p, p + size), writable, with one system
   call, before anything writes them: a page fault costs a trap into the
   kernel for each page (on some virtual machines 10-20 microseconds),
   MADV_POPULATE_WRITE one call for them all. False where the system lacks
   it (Linux before 5.14) or refuses; the pages then fault in one by one
   when written, as they would have anyway. */
bool pool_map_in(void *p, size_t size);

/* --stats and the tests: arenas mapped now, and the most ever at once. */
typedef struct PoolStats {
    size_t arenas, peak_arenas;
} PoolStats;
PoolStats pool_stats(void);

#endif
