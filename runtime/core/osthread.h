/* osthread.h - the OS threads Toy starts end where fork() can wait for them.
 *
 * fork() copies only the thread that calls it. If another thread is inside
 * an allocator at that moment, holding one of its locks, the child starts
 * with that lock held by a thread it does not have, and hangs at its first
 * allocation. Toy's own pools are locked around fork (alloc.h), and glibc
 * locks its malloc; AddressSanitizer's allocator (in the compilers Debian
 * ships) is not. Under the GIL, the threads that can be inside an
 * allocator while another thread forks are the ones ending: a Toy thread
 * hands its blocks back after its last release of the GIL, a Channel's
 * feeder frees its state, and the C library then tears both down. So:
 *
 *   - Every thread Toy starts is made by osthread_create: joinable (but
 *     under ThreadSanitizer, osthread.c says why), with SIGINT blocked (the
 *     main thread takes Ctrl-C, core/sigint.h). Under AddressSanitizer a
 *     thread also allocates as it starts, before its routine runs (the
 *     sanitizer asks the C library for its stack): there osthread_create
 *     returns only once the new thread has reached its routine, so the
 *     thread that made it cannot fork meanwhile.
 *   - A thread calls osthread_exit_begin before the part of its ending that
 *     runs without the GIL (a Toy thread: still holding it; a feeder: before
 *     it frees anything outside the feeders' mutex), and osthread_exit_end
 *     as the last call of its start routine.
 *   - osthread_before_fork stops threads from beginning to end, waits
 *     until none is between the two calls, and joins every thread that has
 *     ended: joined, a thread is wholly gone. It keeps this module's mutex
 *     through the fork; osthread_after_fork_parent/_child release it.
 *   - The threads that have ended are joined by the next osthread_create,
 *     the next fork, or at exit (osthread_join_ended), so that a normal
 *     exit leaves none unjoined (ThreadSanitizer reports that as a leak).
 *     Ending threads never wait for one another: threads that end in
 *     quick succession do not queue behind each other's teardown.
 *
 * Lock order: the GIL (without it, the stopped world: process.c), then the
 * feeders' mutex (mpmodule.c: a feeder is started with it held), then this
 * module's mutex, then the biased counts' locks (toy-ft), the allocator's
 * and the thread table's.
 *
 * Not covered: a thread blocked in the C library without the GIL is
 * assumed to hold no allocator lock. Two such calls allocate: getaddrinfo()
 * and input() as its line grows; a fork during one of them may still hang
 * under AddressSanitizer.
 */
#ifndef TOY_OSTHREAD_H
#define TOY_OSTHREAD_H

#include <pthread.h>
#include <stddef.h>

/* Start fn(arg) in a joinable thread with SIGINT blocked; stack_size 0 is
   the default. 0 (*tid set), or an error number: pthread_create's, or
   ENOMEM. */
int osthread_create(pthread_t *tid, void *(*fn)(void *), void *arg, size_t stack_size);

void osthread_exit_begin(void);
void osthread_exit_end(void);

/* At exit, after the threads Toy waits for: wait for those still ending
   and join every one that has ended. */
void osthread_join_ended(void);

void osthread_before_fork(void);
void osthread_after_fork_parent(void);
void osthread_after_fork_child(void);

#endif
