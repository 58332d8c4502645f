/* hangwatch.c - the --no-gil watchdog (what it watches and why: hangwatch.h).
 *
 * Invariants:
 *   - watch.mutex guards the list of waits, the counts and the epoch. It is
 *     a leaf: nobody takes another lock while holding it, except the
 *     describe callbacks, which only try-lock.
 *   - The epoch changes whenever a wait begins or ends or a thread starts
 *     or finishes. The watchdog reports only after it has seen every thread
 *     waiting, at one unchanged epoch, for the whole limit: a program that
 *     moves at all, however slowly, is never reported.
 *   - Nothing here runs unless hangwatch_enable turned it on (--no-gil).
 */
#include "core/hangwatch.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sigint.h"
#include "core/threadstate.h"

bool hangwatch_on;
bool hangwatch_test_lose;

/* At most this many waits are listed in a report; the rest are counted. */
#define REPORT_MAX_WAITS 32

static struct {
    pthread_mutex_t mutex;
    HangWait *waits;
    int nwaiting;
    int threads;        /* Toy threads alive, the main thread included */
    uint64_t epoch;
    int64_t limit_ns;   /* set once by hangwatch_enable */
    void (*stop)(const char *report, const char *reason); /* set once */
} watch = {.mutex = PTHREAD_MUTEX_INITIALIZER, .threads = 1};

static atomic_int_fast64_t releases_left; /* the test hook's countdown */

static const char why_text[] =
    "  why: the GIL is off (--no-gil). Every thread waits for something only another\n"
    "       thread of the program can do, and no thread runs. Without the GIL, what\n"
    "       would have woken them can be lost: two threads that change one list or\n"
    "       deque at the same moment (a Condition's waiters, a Queue's items) can\n"
    "       lose one of the changes, so a notify() or release() never reaches its\n"
    "       waiter; a lost reference-count update can free a lock while a thread\n"
    "       still waits on it, or make the thread that would have released the\n"
    "       lock fail on a freed object and end (see any traceback above). With\n"
    "       the GIL these updates never overlap.\n"
    "       If the program hangs the same way with the GIL (without --no-gil), the\n"
    "       deadlock is its own. TOY_NOGIL_WATCHDOG=SECONDS sets how long every\n"
    "       thread must wait before this report (0 turns the watchdog off).\n";

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* ---- Registering waits and threads --------------------------------------- */

void hangwatch_thread_count(int delta) {
    if (!hangwatch_on) return;
    pthread_mutex_lock(&watch.mutex);
    watch.threads += delta;
    watch.epoch++;
    pthread_mutex_unlock(&watch.mutex);
}

void hangwatch_wait_begin(HangWait *w, const char *what, const char *name, const void *obj,
                          HangDescribe describe) {
    ThreadState *ts = ts_get();
    w->what = what;
    snprintf(w->name, sizeof(w->name), "%s", name ? name : "");
    w->obj = obj;
    w->describe = describe;
    /* The thread's own name, read by the thread itself: no other writer. */
    snprintf(w->thread_name, sizeof(w->thread_name), "%s", ts ? ts->name : "?");
    w->native_id = ts ? ts->native_id : 0;
    w->since_ns = now_ns();
    pthread_mutex_lock(&watch.mutex);
    w->next = watch.waits;
    watch.waits = w;
    watch.nwaiting++;
    watch.epoch++;
    w->listed = true;
    pthread_mutex_unlock(&watch.mutex);
}

void hangwatch_wait_end(HangWait *w) {
    pthread_mutex_lock(&watch.mutex);
    for (HangWait **p = &watch.waits; *p; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            watch.nwaiting--;
            break;
        }
    }
    watch.epoch++;
    w->listed = false;
    pthread_mutex_unlock(&watch.mutex);
}

bool hangwatch_lose_release_(void) { return atomic_fetch_sub(&releases_left, 1) == 1; }

/* ---- The report ------------------------------------------------------------ */

/* Append formatted text to buf (of size cap, used len so far), truncating. */
static size_t append(char *buf, size_t cap, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t append(char *buf, size_t cap, size_t len, const char *fmt, ...) {
    if (len >= cap) return len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
    if (n < 0) return len;
    return len + (size_t)n < cap ? len + (size_t)n : cap - 1;
}

static size_t append_wait(char *buf, size_t cap, size_t len, const HangWait *w, int64_t now) {
    len = append(buf, cap, len, "  thread '%s' (native id %lld) waits for %s", w->thread_name,
                 (long long)w->native_id, w->what);
    if (w->name[0]) len = append(buf, cap, len, " '%s'", w->name);
    if (w->obj) len = append(buf, cap, len, " at %p", w->obj);
    len = append(buf, cap, len, ", since %.1f s\n", (double)(now - w->since_ns) / 1e9);
    if (!w->describe) return len;
    char why[256];
    why[0] = '\0';
    w->describe(w, why, sizeof(why));
    if (why[0]) len = append(buf, cap, len, "       %s\n", why);
    return len;
}

/* Every thread has waited for the whole limit. Called with watch.mutex
   held; lets go of it before stopping, since the stop hook (--stats) takes
   the thread table's mutex, which a thread may hold while it registers. */
static _Noreturn void report_hang(int64_t now) {
    static char buf[16384];
    size_t len = append(buf, sizeof(buf), 0,
                        "toy: the program hung: %s %d thread%s waited for %.1f s, and none "
                        "can go on (--no-gil)\n",
                        watch.threads == 1 ? "its" : "all", watch.threads,
                        watch.threads == 1 ? " has" : "s have", (double)watch.limit_ns / 1e9);
    int listed = 0;
    for (const HangWait *w = watch.waits; w; w = w->next, listed++) {
        if (listed == REPORT_MAX_WAITS) {
            len = append(buf, sizeof(buf), len, "  ... and %d more\n", watch.nwaiting - listed);
            break;
        }
        len = append_wait(buf, sizeof(buf), len, w, now);
    }
    append(buf, sizeof(buf), len, "%s", why_text);
    pthread_mutex_unlock(&watch.mutex);
    watch.stop(buf, "every thread hung");
    abort(); /* stop never returns */
}

/* ---- The watchdog thread ------------------------------------------------------ */

static void sleep_ns(int64_t ns) {
    struct timespec t = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    while (nanosleep(&t, &t) != 0) {
    }
}

static void *watchdog_main(void *arg) {
    (void)arg;
    int64_t period = watch.limit_ns / 4;
    if (period > 1000000000) period = 1000000000;
    if (period < 1000000) period = 1000000;
    bool stuck = false;
    uint64_t stuck_epoch = 0;
    int64_t stuck_since = 0;
    for (;;) {
        sleep_ns(period);
        pthread_mutex_lock(&watch.mutex);
        int64_t now = now_ns();
        if (watch.nwaiting == 0 || watch.nwaiting < watch.threads) {
            stuck = false;
        } else if (!stuck || watch.epoch != stuck_epoch) {
            stuck = true;
            stuck_epoch = watch.epoch;
            stuck_since = now;
        } else if (now - stuck_since >= watch.limit_ns) {
            report_hang(now);
        }
        pthread_mutex_unlock(&watch.mutex);
    }
    return NULL;
}

/* A forked child has only the forking thread and no watchdog. */
static void fork_child(void) {
    hangwatch_on = false;
    pthread_mutex_init(&watch.mutex, NULL);
    watch.waits = NULL;
    watch.nwaiting = 0;
    watch.threads = 1;
}

/* $NAME as a number of seconds >= 0, or fallback when unset or empty. */
static double env_seconds(const char *name, double fallback) {
    const char *s = getenv(name);
    if (!s || !*s) return fallback;
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0' || !(v >= 0) || v > 1e9) {
        fprintf(stderr, "toy: %s takes a number of seconds (0: off), not '%s'\n", name, s);
        exit(2);
    }
    return v;
}

static void start_test_hook(void) {
    const char *s = getenv("TOY_TEST_LOSE_RELEASE");
    long long n = s ? atoll(s) : 0;
    if (n <= 0) return;
    atomic_store(&releases_left, n);
    hangwatch_test_lose = true;
}

void hangwatch_enable(void (*stop)(const char *report, const char *reason)) {
    start_test_hook();
    double limit = env_seconds("TOY_NOGIL_WATCHDOG", HANGWATCH_DEFAULT_SECONDS);
    if (limit == 0) return;
    watch.limit_ns = (int64_t)(limit * 1e9);
    watch.stop = stop;
    hangwatch_on = true;
    pthread_atfork(NULL, NULL, fork_child);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t tid;
    sigset_t saved;
    sigint_block_begin(&saved); /* Ctrl-C stays the main thread's */
    if (pthread_create(&tid, &attr, watchdog_main, NULL) != 0) hangwatch_on = false;
    sigint_block_end(&saved);
    pthread_attr_destroy(&attr);
}
