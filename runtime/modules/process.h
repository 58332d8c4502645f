/* process.h - forked interpreter processes: fork() and the child's
 * re-initialisation, the table of child processes and their reaping, pipe
 * I/O that releases the GIL, process-shared semaphores made of pipes, and the
 * wire format that carries values between processes.
 *
 * The multiprocessing module (mpmodule.c, runtime/lib/multiprocessing.toy) and the
 * process functions of `os` (fork, waitpid, kill, _exit) are built on this.
 * docs/internals.md §7 explains the design; the short version:
 *
 *   - fork() copies the whole heap, copy-on-write. Only the forking thread
 *     exists in the child, so the child re-creates the GIL, the thread table,
 *     the child table and the queue feeders before running any Toy code, and
 *     calls threading._after_fork() (when threading is loaded) to reset
 *     threading's own Toy-level state.
 *   - Every child started by process_start holds the write end of a
 *     "sentinel" pipe; the parent keeps the read end. The pipe reports end of
 *     file when the child is gone, so a join with a timeout is a poll() on
 *     it, with the GIL released. The zombie is then reaped with waitpid.
 *   - Values travel as frames: an 8-byte little-endian payload length, then
 *     the payload (see process_encode for its format).
 *
 * Thread-safety: the child table has its own mutex, because joins wait with
 * the GIL released. Functions marked "no GIL" never touch objects and may be
 * called without holding the GIL (from a queue's feeder thread, say); they
 * return errno-style codes instead of raising.
 */
#ifndef TOY_PROCESS_H
#define TOY_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/object.h"

/* ---- Starting and reaping children ------------------------------------- */

/* Fork a child that calls bootstrap() and exits with the int it returns (1
   if it raises or returns something else; the error is printed first). The
   child never returns from this call: after bootstrap it waits for its own
   non-daemon threads and children, flushes its queues, stdout and stderr,
   and leaves with _exit() (no teardown, no --stats). Its stdin is
   /dev/null. In the parent: the child's pid, registered in the child table
   (daemon children are terminated at exit, the others waited for). -1 with
   OSError when fork fails. */
pid_t process_start(Object *bootstrap, bool daemon);

/* os.fork(): fork and re-initialise the child as process_start does, but
   the child returns 0 and goes on running the caller's code (as CPython's
   os.fork). Unlike process_start it does not flush stdio first (CPython's
   os.fork does not either). The child is not put in the child table.
   -1 with OSError. */
pid_t process_fork(void);

/* Wait until child pid has ended, at most timeout seconds (< 0: forever),
   with the GIL released. Returns 1 with *exitcode set when it has ended (its
   status, or -N when killed by signal N), 0 when the timeout passed, -1 with
   an exception set (ValueError: not a child of this process;
   KeyboardInterrupt: a Ctrl-C in the main thread). Survives other EINTRs.
   Call with the GIL held. */
int process_wait(pid_t pid, double timeout, int *exitcode);

/* Non-blocking: 1 with *exitcode when the child has ended, else 0. */
int process_poll(pid_t pid, int *exitcode);

/* Send signal sig to child pid unless it has already been reaped (then do
   nothing: the pid may belong to another process by now). 0, or -1 with
   OSError. */
int process_signal(pid_t pid, int sig);

/* The handle for pid was dropped (its Process object died): forget the
   child once it has been reaped. A running child stays in the table, to be
   reaped at exit. */
void process_release(pid_t pid);

/* Reap children that have ended but nobody joined (called before each
   start, as CPython's multiprocessing does, so zombies do not pile up). */
void process_reap_finished(void);

/* At exit: send SIGTERM to daemon children still running, then wait for
   every child of this process (daemon or not) and for the queue feeders to
   drain, with the GIL released (when the calling thread holds it). Runs from
   an atexit() handler that process_start installs; main.c may call it
   earlier, before printing --stats, so that the children's output comes
   first. Safe to call more than once. */
void process_wait_children_at_exit(void);

/* In a child right after fork (process_start and os.fork call it): the GIL,
   thread table, child table and queue feeders are re-created for the single
   thread that exists, and threading._after_fork() runs. own_sentinel is the
   write end this child holds for its parent (-1 for os.fork). */
void process_after_fork_child(int own_sentinel);

/* True in a process created by process_start or process_fork. */
bool process_is_child(void);

/* mpmodule.c: drop the queue feeders' parent-side state in a new child;
   wait for this process's feeders to write what they hold (at exit). */
void mp_after_fork_child(void);
/* Around fork() in the parent: hold, then release, the feeders' mutex. */
void mp_before_fork(void);
void mp_after_fork_parent(void);
void mp_flush_feeders_at_exit(void);

/* ---- Pipe I/O and waiting (no GIL) -------------------------------------- */

/* A CLOCK_MONOTONIC deadline timeout seconds from now, in nanoseconds;
   -1 (no deadline) for a negative timeout. */
int64_t process_deadline(double timeout);

/* Wait until fd is ready for events (POLLIN / POLLOUT) or the deadline
   passes. 1 ready (also on hang-up or error: the next read/write tells), 0
   timed out, or -errno. Retries after EINTR with the time left, except in
   the main thread when a Ctrl-C is pending: then -EINTR (the error path,
   error_set_from_errno / process_raise_io, raises KeyboardInterrupt). No
   GIL. */
int process_wait_fd(int fd, short events, int64_t deadline_ns);

/* Write all n bytes / read exactly n bytes, retrying partial transfers and
   EINTR. 0 ok; a positive errno; PROCESS_EOF when read finds end of file
   (*got says how much arrived first). Blocking; no GIL. */
#define PROCESS_EOF (-1)
int process_write_all(int fd, const char *p, size_t n);
int process_read_exact(int fd, char *p, size_t n, size_t *got);

/* Frames: an 8-byte little-endian payload length, then the payload. */
#define PROCESS_FRAME_HEADER 8

/* Read one whole frame: *payload (mem_alloc'd, *len bytes; the caller
   mem_free's it with that size) or PROCESS_EOF / errno as above; a header
   announcing more than PROCESS_FRAME_MAX is EMSGSIZE. No GIL. */
#define PROCESS_FRAME_MAX ((uint64_t)1 << 40)
int process_read_frame(int fd, char **payload, size_t *len);

/* Raise the exception for an I/O result code from the functions above:
   EOFError for PROCESS_EOF (and ECONNRESET on a read), BrokenPipeError for
   EPIPE, else the OSError subclass for errno. Returns NULL. GIL held. */
Object *process_raise_io(int code, bool reading);

/* ---- Process-shared semaphores made of pipes (no GIL) ----------------------
 * A pipe holding one byte per unit: acquire reads a byte, release writes
 * one. Forked children inherit the descriptors, so every process shares the
 * one count kept by the kernel, and a process that waits can poll() with a
 * timeout. Both ends are non-blocking: when several processes wake for
 * one byte, the losers see EAGAIN and wait again; a release into a full pipe
 * fails rather than waits. A process killed while
 * it holds a unit never gives it back (as with CPython's semaphores). */
typedef struct {
    int rfd, wfd;  /* -1 when closed */
} ProcessSem;

/* A semaphore holding value units (at most 65536). 0, or a positive errno. */
int process_sem_init(ProcessSem *s, unsigned value);
/* 1 acquired, 0 timed out, -errno. */
int process_sem_acquire(ProcessSem *s, int64_t deadline_ns);
/* 0, or a positive errno (EAGAIN: the pipe cannot hold another unit).
   Never blocks. */
int process_sem_release(ProcessSem *s);
/* Is a unit available right now (without taking it)? */
bool process_sem_available(ProcessSem *s);
void process_sem_close(ProcessSem *s);

/* ---- The wire format (GIL held) ------------------------------------------ */

/* A growable byte buffer (mem_alloc'd). process_buf_init reserves room for a
   frame header, which process_buf_finish_frame fills in. */
typedef struct {
    char *data;
    size_t len, cap;
} ProcessBuf;

int process_buf_init(ProcessBuf *b);   /* 0, or -1 with MemoryError */
void process_buf_free(ProcessBuf *b);
/* Append n raw bytes. 0 / -1 with MemoryError. */
int process_buf_append(ProcessBuf *b, const char *p, size_t n);
/* Write the payload length into the reserved header. */
void process_buf_finish_frame(ProcessBuf *b);

/* Append the encoding of o to b. Sendable: None, bool, int, float, str,
   bytes, slices, and lists, tuples and dicts of sendable values, nested up to
   PROCESS_MAX_DEPTH. Anything else raises TypeError "cannot send 'function'
   object through a multiprocessing pipe". 0 / -1. */
#define PROCESS_MAX_DEPTH 1000
int process_encode(Object *o, ProcessBuf *b);

/* Decode one value that fills payload exactly. New reference, or NULL with
   an exception (ValueError for a malformed payload). */
Object *process_decode(const char *payload, size_t len);

/* ---- The os module's process functions -------------------------------------
 * fork, waitpid, kill, _exit, waitstatus_to_exitcode, WIFEXITED, WEXITSTATUS,
 * WIFSIGNALED, WTERMSIG, and the constants WNOHANG, WUNTRACED. osmodule.c
 * calls this from os_module_init. 0 / -1. */
int process_os_init(Object *os_module);

/* ---- Built-in modules (modules.c) ----------------------------------------- */
Object *mp_module_init(void);      /* _multiprocessing */
Object *signal_module_init(void);  /* signal */

/* The static types of _multiprocessing (listed in types.c). */
extern Type mp_connection_type, mp_channel_type, mp_semlock_type, mp_child_type;

#endif
