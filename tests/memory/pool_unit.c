/* pool_unit.c - runtime/core/pool.c on its own (pool_unit.sh builds it).
 *
 * Every block a claim hands out is filled with a pattern naming its owner,
 * and checked before it goes back: a block handed out twice, or overlapping
 * another, or a pool header overwritten, shows as a changed pattern. Blocks
 * of every class are claimed in bulk, given back in another order, partly
 * by other threads, and the fresh runs of claims given back unused; at the
 * end every arena beyond the spares must have gone back to the system.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"

#define THREADS 4
#define PER_CLASS 3000

static int failures;

static void check(int ok, const char *what, size_t c) {
    if (ok) return;
    fprintf(stderr, "pool_unit: %s (class %zu)\n", what, c);
    __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
}

/* The blocks one owner holds of one class. */
typedef struct Held {
    PoolBlock **blocks;
    size_t n;
} Held;

/* Claim until n blocks of class c are held; every fresh run is used up
   except the last, whose rest goes back unused. */
static Held take(size_t c, size_t n, unsigned owner) {
    Held h = {malloc(n * sizeof(PoolBlock *)), 0};
    size_t bytes = pool_class_bytes(c);
    /* The largest power of two up to 16 that divides the size (pool.h). */
    uintptr_t align = bytes & -bytes;
    if (align > 16) align = 16;
    while (h.n < n) {
        PoolClaim claim;
        if (pool_claim(c, &claim) < 0) {
            check(0, "claim failed", c);
            break;
        }
        for (PoolBlock *b = claim.list, *next; b && h.n < n; b = next) {
            next = b->next;
            h.blocks[h.n++] = b;
            claim.list = next;
        }
        while (claim.fresh < claim.fresh_end && h.n < n) {
            h.blocks[h.n++] = (PoolBlock *)claim.fresh;
            claim.fresh += bytes;
        }
        if (claim.list) pool_give_back(c, claim.list);
        pool_give_back_fresh(c, claim.fresh, claim.fresh_end);
    }
    for (size_t i = 0; i < h.n; i++) {
        check(((uintptr_t)h.blocks[i] & (align - 1)) == 0, "block not aligned", c);
        memset(h.blocks[i], (int)(owner * 31 + c) & 0xff, bytes);
    }
    return h;
}

/* Check the pattern of blocks [from, to) and give them back as one list. */
static void give(size_t c, Held *h, size_t from, size_t to, unsigned owner) {
    size_t bytes = pool_class_bytes(c);
    unsigned char want = (unsigned char)((owner * 31 + c) & 0xff);
    PoolBlock *list = NULL;
    for (size_t i = from; i < to; i++) {
        unsigned char *p = (unsigned char *)h->blocks[i];
        for (size_t k = 0; k < bytes; k++)
            if (p[k] != want) {
                check(0, "block overwritten while held", c);
                break;
            }
        h->blocks[i]->next = list;
        list = h->blocks[i];
    }
    pool_give_back(c, list);
}

/* Each thread takes blocks of every class, gives back half, takes more
   (reusing them) while it still holds the rest, and hands part of what it
   holds to the next thread to give back. */
static Held handed[THREADS][POOL_NCLASSES];
static pthread_barrier_t barrier;

static void *worker(void *arg) {
    unsigned me = (unsigned)(uintptr_t)arg;
    Held mine[POOL_NCLASSES];
    for (size_t c = 0; c < POOL_NCLASSES; c++) {
        size_t n = PER_CLASS / (c + 1) + 40;
        mine[c] = take(c, n, me);
        give(c, &mine[c], 0, n / 2, me);
        Held more = take(c, n / 2, me + THREADS);
        give(c, &more, 0, more.n / 2, me + THREADS);
        Held extra = take(c, n / 4, me + 2 * THREADS);
        give(c, &more, more.n / 2, more.n, me + THREADS);
        give(c, &extra, 0, extra.n, me + 2 * THREADS);
        free(more.blocks);
        free(extra.blocks);
    }
    for (size_t c = 0; c < POOL_NCLASSES; c++) handed[me][c] = mine[c];
    pthread_barrier_wait(&barrier);
    unsigned from = (me + 1) % THREADS;
    for (size_t c = 0; c < POOL_NCLASSES; c++) {
        Held *h = &handed[from][c];
        give(c, h, h->n / 2, h->n * 3 / 4, from);
    }
    pthread_barrier_wait(&barrier);
    for (size_t c = 0; c < POOL_NCLASSES; c++) {
        Held *h = &mine[c];
        give(c, h, h->n * 3 / 4, h->n, me);
        free(h->blocks);
    }
    return NULL;
}

int main(void) {
    /* One thread: many blocks of one class (32 bytes), freed in reverse. */
    size_t c32 = 32 / POOL_SIZE_STEP - 1;
    Held big = take(c32, 200000, 99);
    PoolStats s = pool_stats();
    check(s.arenas > POOL_SPARE_ARENAS, "200000 blocks of 32 bytes in too few arenas", c32);
    give(c32, &big, 0, big.n, 99);
    free(big.blocks);
    s = pool_stats();
    check(s.arenas <= POOL_SPARE_ARENAS, "arenas kept after every block came back", c32);

    pthread_barrier_init(&barrier, NULL, THREADS);
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    s = pool_stats();
    check(s.arenas <= POOL_SPARE_ARENAS, "arenas kept after the threads gave everything back", 0);
    if (failures) return 1;
    printf("ok: peak %zu arenas, %zu left\n", s.peak_arenas, s.arenas);
    return 0;
}
