/* pool.c - arenas of pools of one size class (pool.h).
 *
 * State, all under pool_lock:
 *   - partial[c]: the pools of class c that have blocks to hand out (given
 *     back ones on their free list, or never-used ones after `fresh`) and
 *     at least one block out. Doubly linked, so that a pool can leave from
 *     anywhere when its last block comes back.
 *   - usable: the arenas that have a free pool, doubly linked.
 * A pool whose blocks are all out is on no list: the threads that hold its
 * blocks bring it back to partial[c] by giving one back. A pool's `used`
 * counts the blocks out, in use or sitting in some thread's free list; at
 * 0 the pool is free, and it goes to its arena's list of free pools.
 *
 * Blocks are never touched while free in a pool except for their link
 * word, and never-used ones not at all. An arena's pages are mapped in
 * 64 KiB at a time, with one system call, by the thread that takes the
 * first pool among them (arena_populate), rather than faulted in one page
 * at a time by the writes of the threads that use the blocks.
 */
#include "core/pool.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define POOL_SIZE ((size_t)16 << 10)
#define ARENA_SIZE ((size_t)1 << 20)
/* A claim gathers the free lists of several pools until it holds this many
   blocks, so that pools with few blocks back cost one lock per batch, not
   one per block. */
#define CLAIM_MIN 64

typedef struct Arena Arena;

typedef struct Pool {
    PoolBlock *free, *free_tail; /* blocks given back (free_tail: the last of them) */
    char *fresh;                 /* the first never-used block */
    char *end;                   /* past the last whole block */
    struct Pool *next, *prev;    /* in partial[cls], or next in the arena's free pools */
    Arena *arena;
    uint32_t used;               /* blocks out */
    uint32_t nfree;              /* blocks on free */
    uint32_t cls;
} Pool;

/* Blocks start after the header, on a 16-byte boundary as malloc's do. */
#define POOL_HEADER 80
_Static_assert(sizeof(Pool) <= POOL_HEADER && POOL_HEADER % 16 == 0, "pool header");

struct Arena {
    char *map;                  /* what mmap returned (ARENA_SIZE bytes) */
    char *untouched;            /* the first pool never used; those after it neither */
    char *populated;            /* mapped in up to here (arena_populate) */
    Pool *free_pools;           /* pools used before and free again */
    unsigned nfree, npools;     /* free pools (both kinds), and all of them */
    Arena *next, *prev;         /* in usable */
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static Pool *partial[POOL_NCLASSES];
static Arena *usable;
static size_t narenas, peak_arenas, nspare;

static inline Pool *pool_of(void *block) {
    return (Pool *)((uintptr_t)block & ~(uintptr_t)(POOL_SIZE - 1));
}

static inline bool pool_has_blocks(const Pool *p) { return p->free || p->fresh < p->end; }

/* ---- Lists ---------------------------------------------------------------- */

static void partial_push(Pool *p) {
    Pool **head = &partial[p->cls];
    p->prev = NULL;
    p->next = *head;
    if (*head) (*head)->prev = p;
    *head = p;
}

static void partial_remove(Pool *p) {
    if (p->prev) p->prev->next = p->next;
    else partial[p->cls] = p->next;
    if (p->next) p->next->prev = p->prev;
}

static void usable_push(Arena *a) {
    a->prev = NULL;
    a->next = usable;
    if (usable) usable->prev = a;
    usable = a;
}

static void usable_remove(Arena *a) {
    if (a->prev) a->prev->next = a->next;
    else usable = a->next;
    if (a->next) a->next->prev = a->prev;
}

/* ---- Arenas --------------------------------------------------------------- */

/* Map a new arena and put it on usable; NULL when memory runs out. The
   descriptor lives apart from the mapping, which holds whole pools only:
   they start at the first POOL_SIZE boundary in it. */
static Arena *arena_new(void) {
    Arena *a = malloc(sizeof *a);
    if (!a) return NULL;
    void *map = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        free(a);
        return NULL;
    }
    a->map = map;
    uintptr_t first = ((uintptr_t)map + POOL_SIZE - 1) & ~(uintptr_t)(POOL_SIZE - 1);
    a->untouched = a->populated = (char *)first;
    a->npools = (unsigned)(((uintptr_t)map + ARENA_SIZE - first) / POOL_SIZE);
    a->free_pools = NULL;
    a->nfree = a->npools;
    usable_push(a);
    if (++narenas > peak_arenas) peak_arenas = narenas;
    nspare++;
    return a;
}

static void arena_release(Arena *a) {
    usable_remove(a);
    munmap(a->map, ARENA_SIZE);
    free(a);
    narenas--;
}

/* Pools are mapped in this many bytes at a time, ahead of use. */
#define POPULATE_STEP ((size_t)64 << 10)

bool pool_map_in(void *p, size_t size) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)p + size) & ~(page - 1);
    if (end <= start) return true;
#ifdef MADV_POPULATE_WRITE
    return madvise((void *)start, end - start, MADV_POPULATE_WRITE) == 0;
#else
    return false;
#endif
}

/* Map in a's next never-used pools, up to POPULATE_STEP bytes past
   `populated` (pool_map_in), before the first of them is cut. */
static void arena_populate(Arena *a) {
    char *end = a->map + ARENA_SIZE;
    size_t len = (size_t)(end - a->populated) < POPULATE_STEP ? (size_t)(end - a->populated)
                                                               : POPULATE_STEP;
    (void)pool_map_in(a->populated, len);
    a->populated += len;
}

/* A free pool of arena a (which has one), taken off its lists. */
static Pool *arena_take_pool(Arena *a) {
    if (a->nfree == a->npools) nspare--;
    Pool *p = a->free_pools;
    if (p) {
        a->free_pools = p->next;
    } else {
        p = (Pool *)a->untouched;
        a->untouched += POOL_SIZE;
        if (a->untouched > a->populated) arena_populate(a);
    }
    if (--a->nfree == 0) usable_remove(a);
    p->arena = a;
    return p;
}

/* Pool p's last block came back. */
static void arena_give_pool(Pool *p) {
    Arena *a = p->arena;
    p->next = a->free_pools;
    a->free_pools = p;
    if (a->nfree++ == 0) usable_push(a);
    if (a->nfree < a->npools) return;
    if (nspare < POOL_SPARE_ARENAS) nspare++;
    else arena_release(a);
}

/* ---- Pools ---------------------------------------------------------------- */

/* A free pool set up for class c, or NULL when memory runs out. Arenas with
   pools in use come first, so that a spare one stays whole. */
static Pool *pool_new(size_t c) {
    Arena *a = usable;
    while (a && a->nfree == a->npools && a->next) a = a->next;
    if (!a && !(a = arena_new())) return NULL;
    Pool *p = arena_take_pool(a);
    size_t bytes = pool_class_bytes(c);
    p->free = p->free_tail = NULL;
    p->fresh = (char *)p + POOL_HEADER;
    p->end = p->fresh + (POOL_SIZE - POOL_HEADER) / bytes * bytes;
    p->used = p->nfree = 0;
    p->cls = (uint32_t)c;
    return p;
}

/* Move everything p has to hand out into claim; p was on partial[c] or new. */
static void pool_hand_out(Pool *p, PoolClaim *claim) {
    size_t bytes = pool_class_bytes(p->cls);
    if (p->free) {
        p->free_tail->next = claim->list;
        claim->list = p->free;
        claim->count += p->nfree;
    }
    size_t nfresh = (size_t)(p->end - p->fresh) / bytes;
    if (nfresh) {
        claim->fresh = p->fresh;
        claim->fresh_end = p->end;
    }
    p->used += p->nfree + (uint32_t)nfresh;
    p->free = p->free_tail = NULL;
    p->nfree = 0;
    p->fresh = p->end;
}

int pool_claim(size_t c, PoolClaim *claim) {
    claim->list = NULL;
    claim->count = 0;
    claim->fresh = claim->fresh_end = NULL;
    pthread_mutex_lock(&pool_lock);
    Pool *p;
    while ((p = partial[c]) && claim->count < CLAIM_MIN) {
        /* one run of fresh blocks per claim */
        if (claim->fresh && p->fresh < p->end) break;
        partial_remove(p);
        pool_hand_out(p, claim);
    }
    if (!claim->count && !claim->fresh && (p = pool_new(c))) pool_hand_out(p, claim);
    pthread_mutex_unlock(&pool_lock);
    return claim->count || claim->fresh ? 0 : -1;
}

/* One block of p comes back (p's list already holds it, or p->fresh moved
   back over it): p joins partial again, or leaves for its arena. */
static void pool_block_back(Pool *p, bool had_blocks) {
    if (p->used > 0) {
        if (!had_blocks) partial_push(p);
        return;
    }
    if (had_blocks) partial_remove(p);
    arena_give_pool(p);
}

void pool_give_back(size_t c, PoolBlock *list) {
    if (!list) return;
    pthread_mutex_lock(&pool_lock);
    while (list) {
        PoolBlock *b = list;
        list = b->next;
        Pool *p = pool_of(b);
        assert(p->cls == c && p->used > 0); /* freed with its own size, once */
        (void)c;
        bool had_blocks = pool_has_blocks(p);
        b->next = p->free;
        if (!p->free) p->free_tail = b;
        p->free = b;
        p->nfree++;
        p->used--;
        pool_block_back(p, had_blocks);
    }
    pthread_mutex_unlock(&pool_lock);
}

void pool_give_back_fresh(size_t c, char *fresh, char *fresh_end) {
    if (fresh == fresh_end) return;
    pthread_mutex_lock(&pool_lock);
    Pool *p = pool_of(fresh);
    assert(p->cls == c && p->fresh == fresh_end);
    bool had_blocks = pool_has_blocks(p);
    p->fresh = fresh;
    p->used -= (uint32_t)((size_t)(fresh_end - fresh) / pool_class_bytes(c));
    pool_block_back(p, had_blocks);
    pthread_mutex_unlock(&pool_lock);
}

void pool_before_fork(void) { pthread_mutex_lock(&pool_lock); }

void pool_after_fork(void) { pthread_mutex_unlock(&pool_lock); }

PoolStats pool_stats(void) {
    pthread_mutex_lock(&pool_lock);
    PoolStats s = {narenas, peak_arenas};
    pthread_mutex_unlock(&pool_lock);
    return s;
}
