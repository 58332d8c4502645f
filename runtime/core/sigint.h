/* sigint.h - Ctrl-C: SIGINT becomes KeyboardInterrupt in the main thread.
 *
 * The handler (installed at start-up when SIGINT has its default
 * disposition, as CPython does; a process started with SIGINT ignored keeps
 * ignoring it) only does async-signal-safe things: it sets an atomic
 * "pending" flag and the signal bit of the eval breaker (core/gil.h). The
 * main thread consumes the flag at its next switch point and raises
 * KeyboardInterrupt there (objects/error.h: error_check_interrupt); other
 * threads never do, so they never see the exception.
 *
 * Waking the main thread when it is blocked:
 *   - SIGINT is blocked in every thread Toy creates (sigint_block_begin/end
 *     around pthread_create), so the kernel delivers it to the main thread.
 *   - Waits on file descriptors and sleeps use sigint_poll: ppoll with SIGINT
 *     unblocked only inside the call, so a Ctrl-C that arrives just before
 *     the wait is seen, not slept through.
 *   - Condition-variable waits (locks, joins) cannot be woken by a handler:
 *     the main thread waits in slices of SIGINT_CHECK_NS and looks at the
 *     flag between them.
 *   - The handler is installed with SA_RESTART, so stdio reads and writes
 *     elsewhere never fail with EINTR. Reads that must be interruptible
 *     (input(), sys.stdin) turn SA_RESTART off around themselves
 *     (sigint_interrupt_reads) and handle EINTR.
 *
 * Every function here may be called without the GIL.
 */
#ifndef TOY_SIGINT_H
#define TOY_SIGINT_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* How often a main thread blocked on a condition variable looks for a
   pending Ctrl-C. */
#define SIGINT_CHECK_NS (10 * 1000 * 1000)

/* At start-up, in the main thread: remember it as the main thread and
   install the handler if SIGINT's disposition is the default one. */
void sigint_init(void);

/* Install Toy's handler (signal.signal(SIGINT, signal.default_int_handler)).
   0, or -1 with errno. */
int sigint_install(void);

/* Is h Toy's handler (what signal.getsignal shows as default_int_handler)? */
bool sigint_is_handler(void (*h)(int));

bool sigint_is_main_thread(void);

/* A Ctrl-C is waiting and the caller is the main thread. */
bool sigint_pending(void);

/* The same, and consume it: true at most once per Ctrl-C. */
bool sigint_take(void);

/* Act as if SIGINT had arrived when Toy's handler is installed
   (_thread.interrupt_main); otherwise do nothing. */
void sigint_interrupt_main(void);

/* Around pthread_create: the new thread starts with SIGINT blocked. */
void sigint_block_begin(sigset_t *saved);
void sigint_block_end(const sigset_t *saved);

/* In a child right after fork(): the forking thread is the child's main
   thread; nothing is pending; SIGINT is unblocked in it. */
void sigint_after_fork_child(void);

/* poll() that a Ctrl-C interrupts in the main thread. n may be 0 (a sleep).
   deadline_ns is on CLOCK_MONOTONIC, < 0 for none. Retries other EINTRs.
   Returns > 0 ready, 0 when the deadline passed, -1 with errno (EINTR: a
   Ctrl-C is pending for the caller). */
int sigint_poll(struct pollfd *fds, nfds_t n, int64_t deadline_ns);

/* Let a Ctrl-C make the main thread's blocking reads fail with EINTR (on),
   or restart them again (off). Calls come in pairs; no-op in other threads
   or when Toy's handler is not installed. */
void sigint_interrupt_reads(bool on);

/* The program ends because of an unhandled KeyboardInterrupt: end the
   process by SIGINT with the default disposition, as CPython does, so the
   parent (a shell) sees "killed by SIGINT" (status 130). Flush first.
   Returns only if that failed. */
void sigint_exit(void);

#endif
