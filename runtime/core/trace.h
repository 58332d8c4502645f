/* trace.h - --gil-trace: a record of which thread held the GIL, and when.
 *
 * `toy --gil-trace=FILE` writes the run's lock history as a Chrome Trace
 * Event file (open it in https://ui.perfetto.dev or chrome://tracing):
 *   - per thread a track named after the thread (ThreadState.name) with one
 *     complete event ("X") per stretch of time it held the GIL, and a second
 *     track, "NAME (waiting)", with one per stretch it waited for it;
 *   - instant events ("i") where a waiting thread asked the holder to drop
 *     the lock (drop request) and where a holder dropped it on request and
 *     waited for the handover (forced switch).
 * `toy --gil-trace=-` draws the same history as a text timeline on stderr
 * when the program ends: a row per thread, a column per time slice.
 *
 * With --no-gil there is no lock: the tracks then show when each thread was
 * not blocked (between the blocking calls that would have released the GIL),
 * and the file says that the lock was off.
 *
 * In every mode each hold also records the thread's own CPU time in it:
 * holding the lock, or not being blocked, is not running when the threads
 * outnumber the free cores. The text timeline draws CPU time, so that four
 * threads on one core add up to one core, not four.
 *
 * Cost: the GIL calls the hooks below only when trace_enabled is set, and the
 * GIL is only taken and dropped at switches and blocking calls, never per
 * bytecode: with tracing off the price is one predictable branch there.
 *
 * Threads: each thread records into a buffer of its own (found through a
 * thread-local pointer), so recording takes no lock. A thread that ends
 * hands its buffer over under the trace's mutex; at exit the main thread
 * writes every handed-over buffer and its own. Threads still running at
 * exit (daemon threads) are left out, and the file says how many.
 */
#ifndef TOY_TRACE_H
#define TOY_TRACE_H

#include <stdbool.h>
#include <stdint.h>

struct ThreadState;

/* Set by trace_start before any other thread exists and never changed while
   other threads run (cleared only in a forked child, which has one thread). */
extern bool trace_enabled;

/* Start tracing to dest: a file path, or "-" for the text timeline on
   stderr. Call once, before the GIL is created. Returns 0, or -1 after
   printing why on stderr (the file cannot be created). A regular file is
   replaced only at exit, once the whole trace is written (trace.c). */
int trace_start(const char *dest);

/* At exit, on the main thread, after the other threads have ended: close the
   main thread's record and write the file (or the text timeline). Returns 0,
   or -1 after printing why on stderr when the file could not be written
   (then no partial file is left at the path). Does nothing when tracing is
   off, or in a forked child. */
int trace_finish(void);

/* ---- Hooks for gil.c (call only when trace_enabled) -----------------------
   Times are CLOCK_MONOTONIC nanoseconds. */

/* ts took the lock at `now` after asking for it at `asked` (waited: it had to
   sleep for it). With the GIL off: ts starts running again. */
void trace_gil_taken(struct ThreadState *ts, uint64_t asked, uint64_t now, bool waited);
/* The calling thread let go of the lock (with the GIL off: it blocks). */
void trace_gil_dropped(uint64_t now);
/* ts, waiting, asked the holder to drop the lock. */
void trace_gil_drop_request(struct ThreadState *ts, uint64_t now);
/* The calling thread dropped the lock on request and must wait for another
   thread to take it before competing again. */
void trace_gil_forced_switch(uint64_t now);
/* The calling thread is ending: it let go of the lock for good and hands its
   buffer over. Its ThreadState may already be freed: it is not passed. */
void trace_thread_exit(uint64_t now);
/* In a forked child: the child is not traced (the parent writes the file). */
void trace_after_fork_child(void);

#endif
