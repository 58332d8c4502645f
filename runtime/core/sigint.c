/* sigint.c - the SIGINT handler and the waits it interrupts (see sigint.h).
 *
 * State: `pending` (atomic) is set by the handler and cleared only by the
 * main thread; `main_thread` is written at start-up and in a forked child,
 * before any other thread exists, and only read afterwards (the handler
 * reads it too). Order of consumption: the main thread clears the breaker's
 * signal bit first and then exchanges `pending`, so a Ctrl-C arriving in
 * between leaves the bit set and is not lost (at worst the next breaker
 * check finds nothing pending and clears the bit).
 */
#include "core/sigint.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/gil.h"

static atomic_int pending;
static pthread_t main_thread;

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the handler needs a lock-free atomic");

/* Async-signal-safe only: atomics, pthread_self, pthread_kill; errno kept. */
static void on_sigint(int sig) {
    int saved = errno;
    atomic_store(&pending, 1);
    gil_breaker_signal(true);
    /* A thread Toy did not create (SIGINT not blocked in it) took the
       signal: pass it on, so a main thread blocked in ppoll wakes up. */
    if (!pthread_equal(pthread_self(), main_thread)) pthread_kill(main_thread, sig);
    errno = saved;
}

int sigint_install(void) {
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = on_sigint;
    act.sa_flags = SA_RESTART; /* interruptible waits use ppoll or sigint_interrupt_reads */
    sigemptyset(&act.sa_mask);
    return sigaction(SIGINT, &act, NULL);
}

bool sigint_is_handler(void (*h)(int)) { return h == on_sigint; }

void sigint_init(void) {
    main_thread = pthread_self();
    struct sigaction old;
    if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler == SIG_DFL) sigint_install();
}

bool sigint_is_main_thread(void) { return pthread_equal(pthread_self(), main_thread); }

bool sigint_pending(void) {
    return atomic_load(&pending) && sigint_is_main_thread();
}

bool sigint_take(void) {
    if (!sigint_is_main_thread()) return false;
    gil_breaker_signal(false);
    return atomic_exchange(&pending, 0) != 0;
}

void sigint_interrupt_main(void) {
    struct sigaction cur;
    if (sigaction(SIGINT, NULL, &cur) == 0 && cur.sa_handler == on_sigint)
        pthread_kill(main_thread, SIGINT); /* a real signal: it wakes a blocked wait */
}

static void sigint_set(sigset_t *s) {
    sigemptyset(s);
    sigaddset(s, SIGINT);
}

void sigint_block_begin(sigset_t *saved) {
    sigset_t s;
    sigint_set(&s);
    pthread_sigmask(SIG_BLOCK, &s, saved);
}

void sigint_block_end(const sigset_t *saved) { pthread_sigmask(SIG_SETMASK, saved, NULL); }

void sigint_after_fork_child(void) {
    main_thread = pthread_self();
    atomic_store(&pending, 0);
    gil_breaker_signal(false);
    sigset_t s;
    sigint_set(&s);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* One ppoll. In the main thread SIGINT is blocked from the look at
   `pending` until ppoll unblocks it atomically: a Ctrl-C in between is
   delivered inside ppoll (EINTR) instead of being slept through. */
static int poll_once(struct pollfd *fds, nfds_t n, const struct timespec *timeout, bool main) {
    if (!main) return ppoll(fds, n, timeout, NULL);
    sigset_t block, old;
    sigint_set(&block);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int r;
    if (atomic_load(&pending)) {
        r = -1;
        errno = EINTR;
    } else {
        r = ppoll(fds, n, timeout, &old);
    }
    int err = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = err;
    return r;
}

int sigint_poll(struct pollfd *fds, nfds_t n, int64_t deadline_ns) {
    bool main = sigint_is_main_thread();
    for (;;) {
        struct timespec t, *tp = NULL;
        if (deadline_ns >= 0) {
            int64_t left = deadline_ns - now_ns();
            if (left < 0) left = 0;
            t.tv_sec = (time_t)(left / 1000000000);
            t.tv_nsec = (long)(left % 1000000000);
            tp = &t;
        }
        int r = poll_once(fds, n, tp, main);
        if (r > 0) return r;
        if (r == 0) {
            if (deadline_ns < 0 || now_ns() >= deadline_ns) return 0;
            continue; /* woke a little early */
        }
        if (errno != EINTR) return -1;
        if (main && atomic_load(&pending)) return -1; /* errno is EINTR */
    }
}

void sigint_interrupt_reads(bool on) {
    if (!sigint_is_main_thread()) return;
    struct sigaction cur;
    if (sigaction(SIGINT, NULL, &cur) < 0 || cur.sa_handler != on_sigint) return;
    if (on) cur.sa_flags &= ~SA_RESTART;
    else cur.sa_flags |= SA_RESTART;
    sigaction(SIGINT, &cur, NULL);
}

void sigint_exit(void) {
    fflush(NULL);
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = SIG_DFL;
    sigemptyset(&act.sa_mask);
    sigaction(SIGINT, &act, NULL);
    sigset_t s;
    sigint_set(&s);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    raise(SIGINT);
}
