/* thread.h - OS threads that run Toy functions, the thread table, and the
 * _thread module (the low-level layer under threading).
 *
 * Every thread that runs Toy code has a ThreadState, registered in the thread
 * table while it lives. The table has its own mutex (not the GIL), so it
 * stays consistent under --no-gil too.
 *
 * A new thread: creates its ThreadState, takes the GIL, calls the function,
 * reports an uncaught exception, releases everything it holds, drops the
 * GIL, and leaves the table. Its GIL statistics are kept for --stats.
 */
#ifndef TOY_THREAD_H
#define TOY_THREAD_H

#include <stdbool.h>
#include "core/object.h"
#include "core/threadstate.h"

/* Register the main thread (call once, after ts_create). */
void thread_init_main(ThreadState *ts);

/* The main thread leaves the table at exit (its statistics are kept). */
void thread_exit_main(ThreadState *ts);

/* Threads currently registered (the main thread included). */
int thread_count(void);

/* At exit: release the GIL, wait until every thread started as non-daemon
   has finished its C teardown, then give daemon threads a short grace period
   (one just joined may still be finishing). Returns the number of threads
   still running afterwards (daemon threads); the GIL is held again. */
int thread_wait_for_non_daemon(ThreadState *ts);

/* At exit, before waiting for the non-daemon threads: call
   threading._shutdown() if the program imported threading (it runs the
   callbacks of threading._register_atexit, which stop executors' workers);
   an exception it raises is reported as CPython reports it and dropped. */
void thread_run_shutdown_hooks(void);

/* Around fork(): thread_before_fork takes the table's mutex, so that no
   thread is entering or leaving the table at the moment of the copy; the
   parent releases it after the fork. In the child, thread_after_fork_child
   releases it too, and the table holds only the calling thread. */
void thread_before_fork(void);
void thread_after_fork_parent(void);
void thread_after_fork_child(ThreadState *ts);

/* Print per-thread and total GIL statistics to stderr (for --stats), once
   the calling (main) thread has left the table: the threads still in it are
   listed as still running, without their (changing) numbers. */
void thread_print_gil_stats(void);

/* Module init for `_thread` (modules.c). */
Object *thread_module_init(void);

extern Type lock_type;
extern Type localkey_type; /* threading.local's key: see thread.c */

#endif
