/* osthread.c - threads that end where fork() can wait for them (osthread.h).
 *
 * Invariants (all guarded by ends.mutex):
 *   - ending counts the threads between osthread_exit_begin and
 *     osthread_exit_end; none begins while a fork waits (forking > 0).
 *   - ended[0..nended) are threads past osthread_exit_end, not yet joined;
 *     only osthread_create, a fork and the exit join them.
 *   - live counts the threads started and not yet past osthread_exit_end,
 *     and capacity >= nended + live: osthread_exit_end never allocates.
 */
#include "core/osthread.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>

#include "core/alloc.h"
#include "core/sigint.h"

/* ThreadSanitizer takes its own allocator's locks around fork(), so it
   needs no joining, and a forked child of it keeps the parent's joinable
   threads as alive: a new thread there that reuses one's id is reported as
   a duplicate and the child dies. Under it, threads are detached. */
#if defined(__SANITIZE_THREAD__)
#define JOINABLE 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define JOINABLE 0
#endif
#endif
#ifndef JOINABLE
#define JOINABLE 1
#endif

/* AddressSanitizer's allocator is not locked around fork(), and a new
   thread allocates from it before its start routine runs (the sanitizer
   reads the thread's stack bounds through pthread_getattr_np, which
   allocates). A fork at that moment leaves the child with the allocator
   locked: its first new thread (a Channel's feeder) then hangs as it
   starts. Under it, osthread_create returns once the new thread has
   reached its routine (started_thread). */
#if defined(__SANITIZE_ADDRESS__)
#define WAIT_FOR_START 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WAIT_FOR_START 1
#endif
#endif
#ifndef WAIT_FOR_START
#define WAIT_FOR_START 0
#endif

static struct {
    pthread_mutex_t mutex;
    pthread_cond_t changed;  /* ending reached 0, or forking went down */
    pthread_cond_t started;  /* a thread reached started_thread (WAIT_FOR_START) */
    int ending;
    int forking;             /* forks waiting for ending to reach 0 */
    pthread_t *ended;
    size_t nended, live, capacity;
} ends = {
    .mutex = PTHREAD_MUTEX_INITIALIZER,
    .changed = PTHREAD_COND_INITIALIZER,
    .started = PTHREAD_COND_INITIALIZER,
};

/* What osthread_create hands a new thread, on its own stack: it waits
   until the thread has taken it (WAIT_FOR_START). */
typedef struct {
    void *(*fn)(void *);
    void *arg;
    bool taken;
} Start;

static void *started_thread(void *p) {
    Start *s = p;
    void *(*fn)(void *) = s->fn;
    void *arg = s->arg;
    pthread_mutex_lock(&ends.mutex);
    s->taken = true;
    pthread_cond_broadcast(&ends.started);
    pthread_mutex_unlock(&ends.mutex);
    return fn(arg);
}

/* Join every ended thread: each had only the C library's teardown left. */
static void join_ended_locked(void) {
    for (size_t i = 0; i < ends.nended; i++) pthread_join(ends.ended[i], NULL);
    ends.nended = 0;
}

/* Wait until no thread is ending, then join every one that has ended. */
static void drain_locked(void) {
    while (ends.ending > 0) pthread_cond_wait(&ends.changed, &ends.mutex);
    join_ended_locked();
}

/* Room for one more thread's place in ended. 0 / ENOMEM. */
static int reserve_locked(void) {
    if (!JOINABLE) return 0;
    size_t need = ends.nended + ends.live + 1;
    if (need <= ends.capacity) return 0;
    size_t cap = ends.capacity ? ends.capacity * 2 : 16;
    pthread_t *p = mem_realloc(ends.ended, ends.capacity * sizeof(pthread_t),
                               cap * sizeof(pthread_t));
    if (!p) return ENOMEM;
    ends.ended = p;
    ends.capacity = cap;
    return 0;
}

int osthread_create(pthread_t *tid, void *(*fn)(void *), void *arg, size_t stack_size) {
    pthread_mutex_lock(&ends.mutex);
    join_ended_locked();
    int err = reserve_locked();
    if (!err) ends.live++;
    pthread_mutex_unlock(&ends.mutex);
    if (err) return err;

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (!JOINABLE) pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (stack_size) pthread_attr_setstacksize(&attr, stack_size);
    sigset_t saved;
    sigint_block_begin(&saved);
    Start start = {fn, arg, false};
    if (WAIT_FOR_START)
        err = pthread_create(tid, &attr, started_thread, &start);
    else
        err = pthread_create(tid, &attr, fn, arg);
    sigint_block_end(&saved);
    pthread_attr_destroy(&attr);
    if (err || WAIT_FOR_START) {
        pthread_mutex_lock(&ends.mutex);
        if (err)
            ends.live--;
        else
            while (!start.taken) pthread_cond_wait(&ends.started, &ends.mutex);
        pthread_mutex_unlock(&ends.mutex);
    }
    return err;
}

void osthread_exit_begin(void) {
    pthread_mutex_lock(&ends.mutex);
    while (ends.forking > 0) pthread_cond_wait(&ends.changed, &ends.mutex);
    ends.ending++;
    pthread_mutex_unlock(&ends.mutex);
}

void osthread_exit_end(void) {
    pthread_mutex_lock(&ends.mutex);
    if (JOINABLE) ends.ended[ends.nended++] = pthread_self();
    ends.live--;
    if (--ends.ending == 0) pthread_cond_broadcast(&ends.changed);
    pthread_mutex_unlock(&ends.mutex);
}

void osthread_join_ended(void) {
    pthread_mutex_lock(&ends.mutex);
    drain_locked();
    pthread_mutex_unlock(&ends.mutex);
}

void osthread_before_fork(void) {
    pthread_mutex_lock(&ends.mutex);
    ends.forking++;
    drain_locked();
}

void osthread_after_fork_parent(void) {
    ends.forking--;
    pthread_cond_broadcast(&ends.changed);
    pthread_mutex_unlock(&ends.mutex);
}

void osthread_after_fork_child(void) {
    /* The forking thread holds the mutex; every thread counted here is the
       parent's. */
    ends.forking = 0;
    ends.ending = 0;
    ends.nended = 0;
    ends.live = 0;
    pthread_cond_init(&ends.changed, NULL);
    pthread_cond_init(&ends.started, NULL);
    pthread_mutex_unlock(&ends.mutex);
}
