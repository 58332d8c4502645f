/* objlock.c - the striped per-object locks of the free-threaded build
 * (objlock.h). Each stripe is a recursive mutex on its own cache line, so
 * two threads locking different stripes do not share a line. */
#ifdef TOY_FREE_THREADED

#include "core/objlock.h"

#include <pthread.h>
#include <stdint.h>

typedef struct {
    pthread_mutex_t mutex;
    char pad[64 - sizeof(pthread_mutex_t) % 64];
} Stripe;

/* Ready before main() runs (a GNU range initialiser, which gcc and clang
   both accept): no first-use check on the way in. */
static Stripe stripes[OBJLOCK_STRIPES] = {
    [0 ... OBJLOCK_STRIPES - 1] = {.mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP},
};

/* Objects are 16-byte aligned: drop those bits, then mix. */
static inline Stripe *stripe_of(const void *o) {
    uintptr_t p = (uintptr_t)o >> 4;
    p ^= p >> 10;
    return &stripes[p & (OBJLOCK_STRIPES - 1)];
}

void objlock_lock(const void *o) { pthread_mutex_lock(&stripe_of(o)->mutex); }

void objlock_unlock(const void *o) { pthread_mutex_unlock(&stripe_of(o)->mutex); }

void objlock_lock2(const void *a, const void *b) {
    Stripe *sa = stripe_of(a), *sb = stripe_of(b);
    if (sa > sb) { Stripe *t = sa; sa = sb; sb = t; }
    pthread_mutex_lock(&sa->mutex);
    if (sb != sa) pthread_mutex_lock(&sb->mutex);
}

void objlock_unlock2(const void *a, const void *b) {
    Stripe *sa = stripe_of(a), *sb = stripe_of(b);
    if (sb != sa) pthread_mutex_unlock(&sb->mutex);
    pthread_mutex_unlock(&sa->mutex);
}

void objlock_after_fork_child(void) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    for (size_t i = 0; i < OBJLOCK_STRIPES; i++) pthread_mutex_init(&stripes[i].mutex, &attr);
    pthread_mutexattr_destroy(&attr);
}

#else
typedef int objlock_unused_in_the_gil_build;
#endif
