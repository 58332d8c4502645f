/* process.c - forked interpreter processes (process.h has the contract,
 * docs/internals.md §7 the design).
 *
 * Sections: the child table (who this process started, and their sentinels);
 * fork and the child's re-initialisation; waiting and reaping; pipe I/O and
 * pipe semaphores (no GIL); the wire format; the os functions.
 *
 * Invariants:
 *   - children.items holds every child started by process_start in this
 *     process and not yet both reaped and released. Guarded by
 *     children.mutex, never by the GIL: waits run with the GIL released.
 *     No one blocks while holding the mutex (waitpid under it uses WNOHANG).
 *   - An entry's sentinel (the read end of the child's sentinel pipe) stays
 *     open while a thread polls it (waiters > 0); it is closed once the
 *     child is reaped and nobody polls it any more.
 *   - A child holds exactly one sentinel write end: its own
 *     (children.own_sentinel). It closes the one it inherited from its parent
 *     the moment it forks a child of its own, so a grandchild never keeps a
 *     parent's join waiting.
 */
#include "modules/process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/gchead.h"
#include "core/alloc.h"
#include "core/gil.h"
#include "core/objlock.h"
#include "core/osthread.h"
#include "core/refcount.h"
#include "core/sigint.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/complexobject.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/fileobject.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/range.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "modules/atfork.h"
#include "modules/osfile.h"
#include "modules/thread.h"

/* ---- The child table ------------------------------------------------------ */

typedef struct {
    pid_t pid;
    int sentinel;     /* read end of the child's sentinel pipe, or -1 */
    int status;       /* raw wait status, once reaped */
    int waiters;      /* threads polling the sentinel now */
    bool daemon;
    bool reaped;
    bool released;    /* the Toy handle is gone */
} Child;

static struct {
    pthread_mutex_t mutex;
    Child *items;
    size_t count, cap;
    int own_sentinel;     /* the write end this process holds for its parent */
    bool is_child;
    bool atexit_installed;
} children = {
    .mutex = PTHREAD_MUTEX_INITIALIZER,
    .own_sentinel = -1,
};

static Child *child_find_locked(pid_t pid) {
    for (size_t i = 0; i < children.count; i++)
        if (children.items[i].pid == pid) return &children.items[i];
    return NULL;
}

/* -N for a child killed by signal N, else its exit status, as CPython's
   Process.exitcode. */
static int exitcode_from_status(int status) {
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 255;
}

/* waitpid(WNOHANG) for one entry; records the status. Returns c->reaped. */
static bool child_try_reap_locked(Child *c) {
    if (c->reaped) return true;
    int status = 0;
    pid_t r;
    do r = waitpid(c->pid, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == c->pid) {
        c->reaped = true;
        c->status = status;
    } else if (r < 0 && errno == ECHILD) {
        /* Someone reaped it behind our back (os.waitpid(-1, ...)). */
        c->reaped = true;
        c->status = 255 << 8;
    }
    return c->reaped;
}

/* Close what a reaped entry no longer needs; drop the entry once its handle
   is gone too. c is invalid afterwards when it was removed. */
static void child_tidy_locked(Child *c) {
    if (!c->reaped || c->waiters > 0) return;
    if (c->sentinel >= 0) {
        close(c->sentinel);
        c->sentinel = -1;
    }
    if (c->released) *c = children.items[--children.count];
}

static int child_add(pid_t pid, int sentinel, bool daemon) {
    pthread_mutex_lock(&children.mutex);
    if (!mem_grow(&children.items, children.count, &children.cap, sizeof *children.items, 16)) {
        pthread_mutex_unlock(&children.mutex);
        return -1;
    }
    children.items[children.count++] = (Child){
        .pid = pid, .sentinel = sentinel, .daemon = daemon,
    };
    pthread_mutex_unlock(&children.mutex);
    return 0;
}

void process_reap_finished(void) {
    pthread_mutex_lock(&children.mutex);
    for (size_t i = children.count; i-- > 0;) {
        Child *c = &children.items[i];
        child_try_reap_locked(c);
        child_tidy_locked(c); /* may move the last entry to i: already visited */
    }
    pthread_mutex_unlock(&children.mutex);
}

bool process_is_child(void) { return children.is_child; }

/* ---- Fork and the child's re-initialisation -------------------------------- */

/* Run threading._after_fork() if the program has imported threading and the
   module defines it: threading's own Toy-level state (the table of running
   Thread objects, its internal locks) describes threads that do not exist in
   the child. */
static void call_threading_after_fork(void) {
    if (!interp.modules) return;
    Object *mod = dict_get_item_cstr(interp.modules, "threading"); /* borrowed */
    if (!mod) { error_clear(); return; }
    Object *hook = object_getattr_cstr(mod, "_after_fork");
    if (!hook) { error_clear(); return; }
    Object *r = object_call0(hook);
    DECREF(hook);
    if (r) { DECREF(r); return; }
    Object *exc = error_fetch();
    fflush(stdout);
    fputs("Exception ignored in threading._after_fork():\n", stderr);
    if (exc) { error_print(exc); DECREF(exc); }
}

void process_after_fork_child(int own_sentinel) {
    ThreadState *ts = ts_get();
    osthread_after_fork_child();
    mem_after_fork_child();
    gc_after_fork_child();
    sigint_after_fork_child(); /* the forking thread is this process's main thread */
    gil_after_fork_child(ts);
    objlock_after_fork_child();  /* toy-ft: no other thread holds a container lock */
    refcount_after_fork_child(); /* toy-ft: the other threads' merge queues */
    thread_after_fork_child(ts);
    file_after_fork_child();     /* the files the lost threads were using */

    /* The parent's children are this process's siblings. Another thread of
       the parent may have held the mutex while we forked: make a new one. */
    pthread_mutex_init(&children.mutex, NULL);
    for (size_t i = 0; i < children.count; i++)
        if (children.items[i].sentinel >= 0) close(children.items[i].sentinel);
    children.count = 0;
    if (children.own_sentinel >= 0) close(children.own_sentinel);
    children.own_sentinel = own_sentinel;
    children.is_child = true;

    /* The --stats block is the parent's to print (an os.fork child that runs
       on to the normal exit would print a second one). */
    interp.flag_stats = false;
    mp_after_fork_child();
    call_threading_after_fork();
    atfork_after_in_child();
}

static void at_exit_handler(void) { process_wait_children_at_exit(); }

/* The child's last steps after bootstrap returned: what CPython's child does
   after Process._bootstrap (threading._shutdown, joining its own children,
   flushing the standard streams), then _exit: no teardown of the copied
   heap, no atexit handlers, no LeakSanitizer report, no --stats. */
static _Noreturn void child_exit(int code) {
    ThreadState *ts = ts_get();
    thread_wait_for_non_daemon(ts);
    process_wait_children_at_exit();
    fflush(stdout);
    fflush(stderr);
    _exit(code & 0xff);
}

static _Noreturn void child_run(Object *bootstrap) {
    int code = 1;
    Object *r = object_call0(bootstrap);
    if (r && is_int(r)) {
        code = (int)int_value(r);
    } else if (!r) {
        Object *exc = error_fetch();
        if (exc) { error_print(exc); DECREF(exc); }
    }
    XDECREF(r);
    child_exit(code);
}

/* As CPython's children: stdin reads nothing (/dev/null), and the text the
   parent had read ahead into stdin's buffer is dropped, not read twice.
   dup2 + __fpurge rather than freopen: closing a stream can seek its
   descriptor back to the stream's position, and the child shares that
   file offset with the parent. */
static void child_detach_stdin(void) {
    int fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
        if (fd != STDIN_FILENO) {
            dup2(fd, STDIN_FILENO);
            close(fd);
        }
    }
    __fpurge(stdin);
    clearerr(stdin);
}

/* fork() once no thread is ending (core/osthread.h), while holding the
   feeders', the allocator's and the thread table's mutexes, so that the
   copy catches no other thread inside them: a thread that has just finished
   may still be retiring its allocation counters or leaving the thread
   table. The child's re-initialisation releases them there.
   Without the GIL (toy-ft, --no-gil) the other threads would run on
   through the fork, and the child would copy whatever list, dict or table
   they were changing half-changed: the world is stopped first, so each of
   them is parked at a safe point or blocked in a call that touches no
   object, as the GIL would leave them. */
static pid_t fork_locked(void) {
    ThreadState *ts = ts_get();
    bool stopped = gil_stop_the_world_wait(ts); /* toy-ft, --no-gil: see above */
    mp_before_fork();
    osthread_before_fork(); /* no thread is ending (core/osthread.h) */
    refcount_before_fork(); /* toy-ft: the biased counts' tables (they allocate) */
    mem_before_fork();
    thread_before_fork();
    pid_t pid = fork();
    if (pid != 0) {
        thread_after_fork_parent();
        mem_after_fork_parent();
        refcount_after_fork_parent();
        osthread_after_fork_parent();
        mp_after_fork_parent();
        if (stopped) gil_start_the_world(ts);
    }
    return pid;
}

pid_t process_start(Object *bootstrap, bool daemon) {
    if (!children.atexit_installed) {
        atexit(at_exit_handler);
        children.atexit_installed = true;
    }
    process_reap_finished();
    int sentinel[2];
    if (pipe(sentinel) < 0) {
        error_set_from_errno(errno, NULL);
        return -1;
    }
    atfork_before();
    /* Whatever sits in stdio's buffers would otherwise be written twice:
       once by the parent, once by the child. */
    fflush(NULL);
    pid_t pid = fork_locked();
    if (pid < 0) {
        int err = errno;
        close(sentinel[0]);
        close(sentinel[1]);
        error_set_from_errno(err, NULL);
        return -1;
    }
    if (pid == 0) {
        close(sentinel[0]);
        child_detach_stdin();
        process_after_fork_child(sentinel[1]);
        child_run(bootstrap);
    }
    close(sentinel[1]);
    if (child_add(pid, sentinel[0], daemon) < 0) {
        /* Cannot track it: do not leave it running unseen. */
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(sentinel[0]);
        error_no_memory();
        return -1;
    }
    atfork_after_in_parent();
    return pid;
}

pid_t process_fork(void) {
    /* No fflush here: CPython's os.fork() leaves buffered output alone, so
       a program that prints without flushing before os.fork() prints that
       text twice under both. */
    atfork_before();
    pid_t pid = fork_locked();
    if (pid < 0) {
        error_set_from_errno(errno, NULL);
        return -1;
    }
    if (pid == 0) process_after_fork_child(-1);
    else atfork_after_in_parent();
    return pid;
}

/* ---- Waiting and reaping ---------------------------------------------------- */

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int64_t process_deadline(double timeout) {
    if (timeout < 0) return -1;
    if (timeout > 1e9) timeout = 1e9; /* 30 years: "forever", without overflow */
    return now_ns() + (int64_t)(timeout * 1e9);
}

static void sleep_ns(int64_t ns) {
    struct timespec t = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    while (nanosleep(&t, &t) < 0 && errno == EINTR) {}
}

/* The sentinel said the child is gone, but it becomes a zombie only a moment
   after its descriptors close. Poll waitpid(WNOHANG) briefly, never holding
   the mutex while sleeping. 1 reaped, 0 the deadline passed first. No GIL. */
static int reap_after_sentinel(pid_t pid, int64_t deadline) {
    int64_t pause = 20000; /* 20 us, doubling up to 10 ms */
    for (;;) {
        pthread_mutex_lock(&children.mutex);
        Child *c = child_find_locked(pid);
        bool done = !c || child_try_reap_locked(c);
        pthread_mutex_unlock(&children.mutex);
        if (done) return 1;
        if (deadline >= 0 && now_ns() >= deadline) return 0;
        sleep_ns(pause);
        if (pause < 10000000) pause *= 2;
    }
}

/* With the mutex held: if pid has been reaped, its exit code. */
static bool child_result_locked(pid_t pid, int *exitcode) {
    Child *c = child_find_locked(pid);
    if (!c || !c->reaped) return false;
    *exitcode = exitcode_from_status(c->status);
    return true;
}

int process_wait(pid_t pid, double timeout, int *exitcode) {
    int64_t deadline = process_deadline(timeout);
    pthread_mutex_lock(&children.mutex);
    Child *c = child_find_locked(pid);
    if (!c) {
        pthread_mutex_unlock(&children.mutex);
        error_set(&exc_ValueError, "process %d is not a child of this process", (int)pid);
        return -1;
    }
    if (child_try_reap_locked(c)) {
        *exitcode = exitcode_from_status(c->status);
        pthread_mutex_unlock(&children.mutex);
        return 1;
    }
    c->waiters++;
    int fd = c->sentinel;
    pthread_mutex_unlock(&children.mutex);

    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while the child runs */
    int ready = process_wait_fd(fd, POLLIN, deadline);
    bool interrupted = ready == -EINTR; /* Ctrl-C: raise, do not wait on */
    if (ready != 0 && !interrupted) reap_after_sentinel(pid, deadline); /* an error: poll waitpid instead */
    pthread_mutex_lock(&children.mutex);
    int done = child_result_locked(pid, exitcode) ? 1 : 0;
    c = child_find_locked(pid);
    if (c) {
        c->waiters--;
        child_tidy_locked(c);
    }
    pthread_mutex_unlock(&children.mutex);
    GIL_ACQUIRE(ts);
    if (!done && interrupted && error_check_interrupt() < 0) return -1;
    return done;
}

int process_poll(pid_t pid, int *exitcode) {
    pthread_mutex_lock(&children.mutex);
    Child *c = child_find_locked(pid);
    int done = 0;
    if (c && child_try_reap_locked(c)) {
        *exitcode = exitcode_from_status(c->status);
        done = 1;
        child_tidy_locked(c);
    }
    pthread_mutex_unlock(&children.mutex);
    return done;
}

int process_signal(pid_t pid, int sig) {
    /* Under the mutex nobody can reap the child, so its pid cannot be
       recycled for another process between the check and the kill. */
    pthread_mutex_lock(&children.mutex);
    Child *c = child_find_locked(pid);
    int err = 0;
    if (c && !child_try_reap_locked(c) && kill(pid, sig) < 0 && errno != ESRCH) err = errno;
    pthread_mutex_unlock(&children.mutex);
    if (err) {
        error_set_from_errno(err, NULL);
        return -1;
    }
    return 0;
}

void process_release(pid_t pid) {
    pthread_mutex_lock(&children.mutex);
    Child *c = child_find_locked(pid);
    if (c) {
        c->released = true;
        child_try_reap_locked(c);
        child_tidy_locked(c);
    }
    pthread_mutex_unlock(&children.mutex);
}

/* The first child not yet reaped, or 0. */
static pid_t first_running_child(void) {
    pid_t pid = 0;
    pthread_mutex_lock(&children.mutex);
    for (size_t i = 0; i < children.count && !pid; i++)
        if (!children.items[i].reaped) pid = children.items[i].pid;
    pthread_mutex_unlock(&children.mutex);
    return pid;
}

void process_wait_children_at_exit(void) {
    pthread_mutex_lock(&children.mutex);
    for (size_t i = 0; i < children.count; i++) {
        Child *c = &children.items[i];
        if (c->daemon && !child_try_reap_locked(c)) kill(c->pid, SIGTERM);
    }
    pthread_mutex_unlock(&children.mutex);

    /* After teardown (the atexit handler) there is no thread state and no
       GIL to give up. */
    ThreadState *ts = ts_get();
    if (ts) GIL_RELEASE(ts); /* GIL: released while children finish */
    pid_t pid;
    while ((pid = first_running_child()) != 0) {
        int status = 0;
        pid_t r;
        do r = waitpid(pid, &status, 0);
        while (r < 0 && errno == EINTR);
        pthread_mutex_lock(&children.mutex);
        Child *c = child_find_locked(pid);
        if (c && !c->reaped) {
            c->reaped = true;
            c->status = r == pid ? status : 255 << 8;
            child_tidy_locked(c);
        }
        pthread_mutex_unlock(&children.mutex);
    }
    mp_flush_feeders_at_exit();
    if (ts) GIL_ACQUIRE(ts);
}

/* ---- Pipe I/O and pipe semaphores (no GIL) --------------------------------- */

int process_wait_fd(int fd, short events, int64_t deadline_ns) {
    struct pollfd p = {.fd = fd, .events = events};
    int r = sigint_poll(&p, 1, deadline_ns);
    return r < 0 ? -errno : r > 0;
}

int process_write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) { /* someone made it non-blocking */
                int r = process_wait_fd(fd, POLLOUT, -1);
                if (r < 0) return -r;
                continue;
            }
            return errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int process_read_exact(int fd, char *p, size_t n, size_t *got) {
    size_t done = 0;
    int rc = 0;
    while (done < n) {
        ssize_t r = read(fd, p + done, n - done);
        if (r > 0) { done += (size_t)r; continue; }
        if (r == 0) { rc = PROCESS_EOF; break; }
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
            int w = process_wait_fd(fd, POLLIN, -1);
            if (w < 0) { rc = -w; break; }
            continue;
        }
        rc = errno;
        break;
    }
    if (got) *got = done;
    return rc;
}

int process_read_frame(int fd, char **payload, size_t *len) {
    unsigned char h[PROCESS_FRAME_HEADER];
    int rc = process_read_exact(fd, (char *)h, sizeof h, NULL);
    if (rc) return rc;
    uint64_t n = 0;
    for (int i = PROCESS_FRAME_HEADER - 1; i >= 0; i--) n = n << 8 | h[i];
    if (n > PROCESS_FRAME_MAX) return EMSGSIZE;
    char *buf = mem_alloc(n ? (size_t)n : 1);
    if (!buf) return ENOMEM;
    rc = process_read_exact(fd, buf, (size_t)n, NULL);
    if (rc) {
        mem_free(buf, n ? (size_t)n : 1);
        return rc;
    }
    *payload = buf;
    *len = (size_t)n;
    return 0;
}

static Object *raise_no_args(Type *type) {
    Object *empty = tuple_new(0);
    if (!empty) return NULL;
    Object *exc = exception_new(type, empty);
    DECREF(empty);
    if (exc) {
        error_set_instance(exc);
        DECREF(exc);
    }
    return NULL;
}

Object *process_raise_io(int code, bool reading) {
    if (code == PROCESS_EOF || (reading && code == ECONNRESET)) return raise_no_args(&exc_EOFError);
    if (code == ENOMEM) return error_no_memory();
    return error_set_from_errno(code, NULL);
}

int process_sem_init(ProcessSem *s, unsigned value) {
    int fds[2];
    s->rfd = s->wfd = -1;
    if (pipe(fds) < 0) return errno;
    int err = 0;
    int cap = fcntl(fds[1], F_GETPIPE_SZ);
    if (cap >= 0 && value > (unsigned)cap && fcntl(fds[1], F_SETPIPE_SZ, (int)value) < 0)
        err = EINVAL;
    if (!err && fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) err = errno;
    char zeros[512] = {0};
    for (unsigned left = value; !err && left > 0;) {
        unsigned n = left < sizeof zeros ? left : (unsigned)sizeof zeros;
        err = process_write_all(fds[1], zeros, n);
        left -= n;
    }
    /* The write end too: a release that finds the pipe full must fail, not
       block (possibly with the GIL held) until someone acquires. */
    if (!err && fcntl(fds[1], F_SETFL, O_NONBLOCK) < 0) err = errno;
    if (err) {
        close(fds[0]);
        close(fds[1]);
        return err;
    }
    s->rfd = fds[0];
    s->wfd = fds[1];
    return 0;
}

int process_sem_acquire(ProcessSem *s, int64_t deadline_ns) {
    for (;;) {
        char c;
        ssize_t r = read(s->rfd, &c, 1);
        if (r == 1) return 1;
        if (r == 0) return -EPIPE; /* no write end left: cannot happen while we hold one */
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return -errno;
        int w = process_wait_fd(s->rfd, POLLIN, deadline_ns);
        if (w <= 0) return w;
    }
}

int process_sem_release(ProcessSem *s) {
    for (;;) {
        if (write(s->wfd, "", 1) == 1) return 0;
        if (errno != EINTR) return errno; /* EAGAIN: the pipe holds as many units as it can */
    }
}

bool process_sem_available(ProcessSem *s) {
    int n = 0;
    return ioctl(s->rfd, FIONREAD, &n) == 0 && n > 0;
}

void process_sem_close(ProcessSem *s) {
    if (s->rfd >= 0) close(s->rfd);
    if (s->wfd >= 0) close(s->wfd);
    s->rfd = s->wfd = -1;
}

/* ---- The wire format --------------------------------------------------------
 * A value is a one-byte tag and its body; integers in the body are 8-byte
 * little-endian:
 *   N  None           T  True            F  False
 *   i  int: int64     f  float: IEEE double bits
 *   c  complex: the bits of the real part, then of the imaginary part
 *   s  str: length, then UTF-8 bytes      b  bytes: length, then the bytes
 *   l  list / t  tuple: count, then each item
 *   d  dict: count, then key, value for each entry (insertion order)
 */

int process_buf_init(ProcessBuf *b) {
    b->cap = 256;
    b->data = mem_alloc(b->cap);
    if (!b->data) {
        error_no_memory();
        return -1;
    }
    b->len = PROCESS_FRAME_HEADER;
    return 0;
}

void process_buf_free(ProcessBuf *b) {
    mem_free(b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void put_u64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

void process_buf_finish_frame(ProcessBuf *b) {
    put_u64((unsigned char *)b->data, b->len - PROCESS_FRAME_HEADER);
}

/* Room for n more bytes. 0 / -1 with MemoryError. */
static int buf_reserve(ProcessBuf *b, size_t n) {
    if (b->cap - b->len >= n) return 0;
    size_t cap = b->cap;
    while (cap - b->len < n) cap *= 2;
    char *d = mem_realloc(b->data, b->cap, cap);
    if (!d) {
        error_no_memory();
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

int process_buf_append(ProcessBuf *b, const char *p, size_t n) {
    if (buf_reserve(b, n) < 0) return -1;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static int buf_tag_u64(ProcessBuf *b, char tag, uint64_t v) {
    if (buf_reserve(b, 9) < 0) return -1;
    b->data[b->len] = tag;
    put_u64((unsigned char *)b->data + b->len + 1, v);
    b->len += 9;
    return 0;
}

static int buf_bytes(ProcessBuf *b, char tag, const char *p, size_t n) {
    return buf_tag_u64(b, tag, n) < 0 ? -1 : process_buf_append(b, p, n);
}

/* A complex: the tag and the real part's bits, then the imaginary part's. */
static int encode_complex(Object *o, ProcessBuf *b) {
    double d[2] = {complex_real(o), complex_imag(o)};
    uint64_t bits[2];
    memcpy(bits, d, sizeof bits);
    if (buf_tag_u64(b, 'c', bits[0]) < 0 || buf_reserve(b, 8) < 0) return -1;
    put_u64((unsigned char *)b->data + b->len, bits[1]);
    b->len += 8;
    return 0;
}

static int encode(Object *o, ProcessBuf *b, int depth);

static int encode_items(Object *const *items, size_t n, char tag, ProcessBuf *b, int depth) {
    if (buf_tag_u64(b, tag, n) < 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (encode(items[i], b, depth + 1) < 0) return -1;
    return 0;
}

/* A copy is encoded, taken under the dict's lock: the count goes first,
   and another thread (toy-ft) may change the dict while it is encoded. */
static int encode_dict(Object *d, ProcessBuf *b, int depth) {
    Object *copy = dict_copy(d);
    if (!copy) return -1;
    int rc = buf_tag_u64(b, 'd', dict_size(copy));
    size_t pos = 0;
    Object *k, *v;
    while (rc == 0 && dict_next(copy, &pos, &k, &v))
        if (encode(k, b, depth + 1) < 0 || encode(v, b, depth + 1) < 0) rc = -1;
    DECREF(copy);
    return rc;
}

/* A big int travels as its hex text with a sign ('I'): any size, no
   digit limit (that applies to decimal only). */
static int encode_big_int(Object *o, ProcessBuf *b) {
    size_t len;
    bool negative;
    char *text = int_to_text(o, 16, &len, &negative);
    if (!text) return -1;
    char *signed_text = mem_alloc(len + 2);
    int rc = -1;
    if (signed_text) {
        signed_text[0] = negative ? '-' : '+';
        memcpy(signed_text + 1, text, len);
        rc = buf_bytes(b, 'I', signed_text, len + 1);
        mem_free(signed_text, len + 2);
    } else {
        error_no_memory();
    }
    mem_free(text, len + 1);
    return rc;
}

/* An object that says how to rebuild it: its instance dict holds
   __toy_wire__ = (module, function name, args), sent as tag 'R' and, in the
   receiver, replaced by module.function(*args) (a manager's proxies use
   this). Only looked up for objects that could not be sent otherwise, and
   reading it runs no Toy code. 1 = sent, 0 = no such attribute, -1 error. */
static int encode_rebuild(Object *o, ProcessBuf *b, int depth) {
    Object **dictp = object_dict_ptr(o);
    if (!dictp || !*dictp) return 0;
    Object *how = dict_get_item_cstr(*dictp, "__toy_wire__"); /* borrowed */
    if (!how) return error_occurred() ? -1 : 0;
    if (!is_tuple_exact(how) || tuple_size(how) != 3) return 0;
    if (buf_reserve(b, 1) < 0) return -1;
    b->data[b->len++] = 'R';
    return encode(how, b, depth + 1) < 0 ? -1 : 1;
}

static int encode(Object *o, ProcessBuf *b, int depth) {
    if (depth > PROCESS_MAX_DEPTH) {
        error_set(&exc_RecursionError,
                  "maximum recursion depth exceeded while sending a value through a "
                  "multiprocessing pipe");
        return -1;
    }
    Type *t = TYPE(o);
    if (o == None || o == True_ || o == False_) {
        if (buf_reserve(b, 1) < 0) return -1;
        b->data[b->len++] = o == None ? 'N' : o == True_ ? 'T' : 'F';
        return 0;
    }
    if (t == &int_type && !int_fits_i64(o)) return encode_big_int(o, b);
    if (t == &int_type) return buf_tag_u64(b, 'i', (uint64_t)int_value(o));
    if (t == &float_type) {
        double d = float_value(o);
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return buf_tag_u64(b, 'f', bits);
    }
    if (t == &complex_type) return encode_complex(o, b);
    if (t == &str_type) return buf_bytes(b, 's', str_data(o), str_len(o));
    if (t == &bytes_type) return buf_bytes(b, 'b', bytes_data(o), bytes_size(o));
    if (t == &tuple_type) return encode_items(tuple_items(o), tuple_size(o), 't', b, depth);
    if (t == &list_type) {
        /* The list cannot change under us: encoding runs no Toy code. */
        return encode_items(((ListObject *)o)->items, list_size(o), 'l', b, depth);
    }
    if (t == &dict_type) return encode_dict(o, b, depth);
    if (t == &slice_type) { /* a manager's list proxy sends l[1:3]'s key */
        SliceObject *s = (SliceObject *)o;
        Object *parts[3] = {s->start, s->stop, s->step};
        return encode_items(parts, 3, 'S', b, depth);
    }
    int rebuilt = encode_rebuild(o, b, depth);
    if (rebuilt != 0) return rebuilt < 0 ? -1 : 0;
    error_set(&exc_TypeError, "cannot send '%s' object through a multiprocessing pipe",
              TYPE_NAME(o));
    return -1;
}

int process_encode(Object *o, ProcessBuf *b) { return encode(o, b, 0); }

typedef struct {
    const unsigned char *p, *end;
} Reader;

static Object *malformed(void) {
    return error_set(&exc_ValueError, "malformed message on a multiprocessing pipe");
}

/* A tag's 8-byte number. false (with the error set) when it runs past the end. */
static bool read_u64(Reader *r, uint64_t *v) {
    if (r->end - r->p < 8) { malformed(); return false; }
    *v = get_u64(r->p);
    r->p += 8;
    return true;
}

static Object *decode(Reader *r, int depth);

/* A list of n items (each at least one byte: n is checked against what is
   left, so a corrupt count cannot make us allocate wildly). */
static Object *decode_list(Reader *r, int depth) {
    uint64_t n;
    if (!read_u64(r, &n)) return NULL;
    if (n > (uint64_t)(r->end - r->p)) return malformed();
    Object *list = list_new(0);
    for (uint64_t i = 0; list && i < n; i++) {
        Object *item = decode(r, depth + 1);
        if (!item || list_append_steal(list, item) < 0) CLEAR(&list);
    }
    return list;
}

static Object *decode_dict(Reader *r, int depth) {
    uint64_t n;
    if (!read_u64(r, &n)) return NULL;
    if (n > (uint64_t)(r->end - r->p) / 2) return malformed();
    Object *d = dict_new();
    for (uint64_t i = 0; d && i < n; i++) {
        Object *k = decode(r, depth + 1);
        Object *v = k ? decode(r, depth + 1) : NULL;
        if (!v || dict_set_item(d, k, v) < 0) CLEAR(&d);
        XDECREF(k);
        XDECREF(v);
    }
    return d;
}

/* A slice: its start, stop and step, sent as a list of three. */
static Object *decode_slice(Reader *r, int depth) {
    Object *parts = decode_list(r, depth);
    if (!parts) return NULL;
    Object *s = list_size(parts) == 3
        ? slice_new(list_item(parts, 0), list_item(parts, 1), list_item(parts, 2))
        : malformed();
    DECREF(parts);
    return s;
}

/* 'R': (module, name, args) -> module.name(*args), the module looked up
   among those this process has imported. */
static Object *decode_rebuild(Reader *r, int depth) {
    Object *how = decode(r, depth + 1);
    if (!how) return NULL;
    Object *result = NULL;
    if (!is_tuple_exact(how) || tuple_size(how) != 3 || !is_str_exact(tuple_item(how, 0)) ||
        !is_str_exact(tuple_item(how, 1)) || !is_tuple_exact(tuple_item(how, 2))) {
        DECREF(how);
        return malformed();
    }
    Object *module = interp.modules ? dict_get_item(interp.modules, tuple_item(how, 0)) : NULL;
    if (!module) {
        if (!error_occurred())
            error_set(&exc_RuntimeError, "cannot rebuild a value sent through a multiprocessing "
                      "pipe: module '%s' is not imported here", str_data(tuple_item(how, 0)));
    } else {
        Object *func = object_getattr(module, tuple_item(how, 1));
        if (func) {
            Object *args = tuple_item(how, 2);
            result = object_call(func, tuple_items(args), tuple_size(args), NULL);
            DECREF(func);
        }
    }
    DECREF(how);
    return result;
}

/* The body of an s or b value: its length and where its bytes start. */
static const char *read_blob(Reader *r, size_t *n) {
    uint64_t len;
    if (!read_u64(r, &len)) return NULL;
    if (len > (uint64_t)(r->end - r->p)) { malformed(); return NULL; }
    const char *p = (const char *)r->p;
    r->p += len;
    *n = (size_t)len;
    return p;
}

static Object *decode_complex(Reader *r) {
    uint64_t bits[2];
    if (!read_u64(r, &bits[0]) || !read_u64(r, &bits[1])) return NULL;
    double d[2];
    memcpy(d, bits, sizeof d);
    return complex_from_doubles(d[0], d[1]);
}

static Object *decode(Reader *r, int depth) {
    if (depth > PROCESS_MAX_DEPTH + 1 || r->p >= r->end) return malformed();
    char tag = (char)*r->p++;
    uint64_t v;
    size_t n;
    const char *p;
    switch (tag) {
    case 'N': return NEWREF(None);
    case 'T': return NEWREF(True_);
    case 'F': return NEWREF(False_);
    case 'i': return read_u64(r, &v) ? int_from_i64((int64_t)v) : NULL;
    case 'I': return (p = read_blob(r, &n)) ? int_from_string(p, n, 16) : NULL;
    case 'f': {
        if (!read_u64(r, &v)) return NULL;
        double d;
        memcpy(&d, &v, sizeof d);
        return float_from_double(d);
    }
    case 'c': return decode_complex(r);
    case 's': /* validated: a corrupt pipe must not make an invalid str */
        return (p = read_blob(r, &n)) ? bytes_decode(CODEC_UTF8, p, n, "strict") : NULL;
    case 'b': return (p = read_blob(r, &n)) ? bytes_from_data(p, n) : NULL;
    case 'l': return decode_list(r, depth);
    case 't': {
        Object *list = decode_list(r, depth);
        if (!list) return NULL;
        Object *t = list_as_tuple(list);
        DECREF(list);
        return t;
    }
    case 'd': return decode_dict(r, depth);
    case 'S': return decode_slice(r, depth);
    case 'R': return decode_rebuild(r, depth);
    default: return malformed();
    }
}

Object *process_decode(const char *payload, size_t len) {
    Reader r = {(const unsigned char *)payload, (const unsigned char *)payload + len};
    Object *o = decode(&r, 0);
    if (o && r.p != r.end) {
        DECREF(o);
        return malformed();
    }
    return o;
}

/* ---- The os module's process functions --------------------------------------- */

static int int_arg(Object *o, int *out) {
    int64_t v;
    if (!is_int(o)) {
        error_set(&exc_TypeError, "'%s' object cannot be interpreted as an integer", TYPE_NAME(o));
        return -1;
    }
    v = int_value(o);
    if (v < INT32_MIN || v > INT32_MAX) {
        error_set(&exc_OverflowError, "signed integer is greater than maximum");
        return -1;
    }
    *out = (int)v;
    return 0;
}

static Object *os_fork(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("posix.fork", nargs, kwnames, 0, 0) < 0) return NULL;
    pid_t pid = process_fork();
    return pid < 0 ? NULL : int_from_i64(pid);
}

/* os.waitpid(pid, options) -> (pid, status); blocks with the GIL released. */
static Object *os_waitpid(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    int pid, options;
    if (args_check("waitpid", nargs, kwnames, 2, 2) < 0 || int_arg(args[0], &pid) < 0 ||
        int_arg(args[1], &options) < 0)
        return NULL;
    int status = 0;
    pid_t r;
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while waiting for the child */
    do r = waitpid(pid, &status, options);
    while (r < 0 && errno == EINTR);
    GIL_ACQUIRE(ts);
    if (r < 0) return error_set_from_errno(errno, NULL);
    Object *p = int_from_i64(r), *s = int_from_i64(status);
    Object *t = p && s ? tuple_pack(2, p, s) : NULL;
    XDECREF(p);
    XDECREF(s);
    return t;
}

static Object *os_kill(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    int pid, sig;
    if (args_check("kill", nargs, kwnames, 2, 2) < 0 || int_arg(args[0], &pid) < 0 ||
        int_arg(args[1], &sig) < 0)
        return NULL;
    if (kill(pid, sig) < 0) return error_set_from_errno(errno, NULL);
    return NEWREF(None);
}

/* os._exit(n): leave now. Like CPython's, it flushes nothing. */
static Object *os_exit_now(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    int code;
    if (args_check("_exit", nargs, kwnames, 1, 1) < 0 || int_arg(args[0], &code) < 0)
        return NULL;
    _exit(code & 0xff);
}

/* The functions that take one wait status and answer with an int or bool. */
static int status_arg(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                      int *status) {
    return args_check(fname, nargs, kwnames, 1, 1) < 0 ? -1 : int_arg(args[0], status);
}

static Object *os_waitstatus_to_exitcode(Object *self, Object *const *args, size_t nargs,
                                         Object *kwnames) {
    (void)self;
    int st;
    if (status_arg("waitstatus_to_exitcode", args, nargs, kwnames, &st) < 0) return NULL;
    if (!WIFEXITED(st) && !WIFSIGNALED(st))
        return error_set(&exc_ValueError, "invalid wait status: %d", st);
    return int_from_i64(exitcode_from_status(st));
}

#define STATUS_FUNC(cname, pyname, expr, make)                                           \
    static Object *cname(Object *self, Object *const *args, size_t nargs, Object *kwnames) { \
        (void)self;                                                                      \
        int st;                                                                          \
        if (status_arg(pyname, args, nargs, kwnames, &st) < 0) return NULL;              \
        return make(expr);                                                               \
    }
STATUS_FUNC(os_wifexited, "WIFEXITED", WIFEXITED(st), bool_from)
STATUS_FUNC(os_wexitstatus, "WEXITSTATUS", WEXITSTATUS(st), int_from_i64)
STATUS_FUNC(os_wifsignaled, "WIFSIGNALED", WIFSIGNALED(st), bool_from)
STATUS_FUNC(os_wtermsig, "WTERMSIG", WTERMSIG(st), int_from_i64)
#undef STATUS_FUNC

static const MethodDef process_os_functions[] = {
    {"fork", os_fork, NULL},
    {"waitpid", os_waitpid, NULL},
    {"kill", os_kill, NULL},
    {"_exit", os_exit_now, NULL},
    {"waitstatus_to_exitcode", os_waitstatus_to_exitcode, NULL},
    {"WIFEXITED", os_wifexited, NULL},
    {"WEXITSTATUS", os_wexitstatus, NULL},
    {"WIFSIGNALED", os_wifsignaled, NULL},
    {"WTERMSIG", os_wtermsig, NULL},
    {NULL, NULL, NULL},
};

int process_os_init(Object *m) {
    if (module_add_functions(m, process_os_functions) < 0 || atfork_os_init(m) < 0) return -1;
    Object *wnohang = int_from_i64(WNOHANG), *wuntraced = int_from_i64(WUNTRACED);
    int r = wnohang && wuntraced && module_add_object(m, "WNOHANG", wnohang) == 0 &&
                    module_add_object(m, "WUNTRACED", wuntraced) == 0
                ? 0
                : -1;
    XDECREF(wnohang);
    XDECREF(wuntraced);
    return r;
}
