/* hangwatch.h - the --no-gil watchdog: explains a run in which every thread
 * waits for ever, instead of leaving it hung without a word.
 *
 * Without the GIL a race can take away what a waiting thread needs to wake
 * up: two threads that change a Condition's list of waiters at once can
 * lose one change, so a notify() never reaches its waiter; a lost
 * reference-count update can free a lock while a thread waits on it. The
 * program then hangs, the most mysterious outcome of all. The watchdog turns
 * that into a report.
 *
 * What counts as stuck: a wait that only another thread of this process can
 * end. The waits below register themselves (hangwatch_begin/hangwatch_end)
 * for as long as they block:
 *   - acquiring a _thread lock with no timeout (so join(), Event.wait(),
 *     Condition.wait(), Queue.get() without a timeout),
 *   - waiting for another thread to finish importing a module,
 *   - the exit's wait for non-daemon threads.
 * Waits that end by themselves or by the world outside are not registered,
 * and a thread in one counts as running: a sleep, a lock with a timeout,
 * input(), sockets, pipes, select, a child process.
 *
 * The watchdog thread looks every quarter of the limit (at most every
 * second). When every Toy thread has been in a registered wait, and no wait
 * has begun or ended and no thread has started or finished, for the whole
 * limit, it prints what each thread waits for and why this happens without
 * the GIL, and stops the program with the race detector's exit status
 * (through the stop function race_enable gives it).
 *
 * The limit: $TOY_NOGIL_WATCHDOG seconds (default 10; 0 turns the watchdog
 * off). It exists only under --no-gil of the GIL build: with the GIL (and
 * in toy-ft) hangwatch_on stays false, no thread is started, and each
 * registered wait costs one predictable branch. A deadlock the program
 * writes itself is reported under --no-gil too; with the GIL it hangs as it
 * always did.
 *
 * Thread-safety: the list of waits and the counts have a mutex of their
 * own, taken by no one while holding another lock (the describe callbacks
 * run under it and may only try-lock). A forked child runs without the
 * watchdog.
 */
#ifndef TOY_HANGWATCH_H
#define TOY_HANGWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The limit when $TOY_NOGIL_WATCHDOG is not set, in seconds. */
#define HANGWATCH_DEFAULT_SECONDS 10.0

struct HangWait;

/* Writes into buf (of size cap) why the wait w (on w->obj) cannot end, read
   from the object's state right now; it must not block (try-locks only). */
typedef void (*HangDescribe)(const struct HangWait *w, char *buf, size_t cap);

/* One registered wait. It lives on the waiting thread's stack, from
   hangwatch_begin to hangwatch_end. */
typedef struct HangWait {
    struct HangWait *next;     /* the list of waits (the watchdog's mutex) */
    const char *what;          /* "a lock", "the import of": static text */
    char name[48];             /* a module's name, or "" */
    const void *obj;           /* printed as its address; NULL: none */
    HangDescribe describe;     /* may be NULL */
    char thread_name[48];
    int64_t native_id;
    int64_t since_ns;          /* CLOCK_MONOTONIC */
    bool listed;
} HangWait;

/* True while the watchdog runs: set once by hangwatch_enable, before any
   other thread exists (cleared in a forked child). */
extern bool hangwatch_on;

/* Called once by race_enable under --no-gil, in the main thread: reads
   $TOY_NOGIL_WATCHDOG (exits with status 2 if it is not a number of
   seconds), and unless it is 0 starts the watchdog. stop prints the report
   and ends the process, naming reason in its last line; it never returns. */
void hangwatch_enable(void (*stop)(const char *report, const char *reason));

/* A Toy thread is about to start / has finished (the thread table). */
void hangwatch_thread_count(int delta);

void hangwatch_wait_begin(HangWait *w, const char *what, const char *name, const void *obj,
                          HangDescribe describe);
void hangwatch_wait_end(HangWait *w);

/* Register the calling thread's wait, and take it off again: call the
   pair without the GIL, around the blocking part only. */
static inline void hangwatch_begin(HangWait *w, const char *what, const char *name,
                                   const void *obj, HangDescribe describe) {
    w->listed = false;
    if (hangwatch_on) hangwatch_wait_begin(w, what, name, obj, describe);
}

static inline void hangwatch_end(HangWait *w) {
    if (w->listed) hangwatch_wait_end(w);
}

/* Test hook (tests/race/hang_*.sh): with $TOY_TEST_LOSE_RELEASE=N under
   --no-gil, the Nth release() of a _thread lock is lost, and the lock stays
   locked as a lost update of its state would leave it. True for that one
   release. Never true with the GIL. */
extern bool hangwatch_test_lose; /* set once by hangwatch_enable */
bool hangwatch_lose_release_(void);
static inline bool hangwatch_lose_release(void) {
    return hangwatch_test_lose && hangwatch_lose_release_();
}

#endif
