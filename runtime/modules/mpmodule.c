/* mpmodule.c - the _multiprocessing module: the C objects under
 * runtime/lib/multiprocessing.toy.
 *
 *   start(bootstrap, daemon) -> Child   fork a child that runs bootstrap()
 *   Child        a started child: pid, wait(timeout), poll(), send_signal(sig)
 *   Pipe(duplex) -> (Connection, Connection)
 *   Connection   one end of a pipe or socket pair: send/recv values, whole
 *   Channel      the pipe under multiprocessing.Queue: many writers and
 *                readers in many processes, with a feeder thread per process
 *   SemLock      a process-shared semaphore made of a pipe (Lock, Semaphore)
 *
 * Messages are frames (process.h): each send or put writes one whole frame.
 *
 * Channel (one per Queue, shared by every process that inherits it):
 *   - data pipe: frames; rlock: one reader at a time reads a whole frame;
 *     wlock: one writer at a time writes a whole frame. Both locks are pipe
 *     semaphores, so they work across processes and with timeouts. The
 *     write lock is taken for every frame, small or large: a small write is
 *     atomic on its own (<= PIPE_BUF), but it could still land between two
 *     chunks of someone else's large frame.
 *   - count: an int64 in a MAP_SHARED page, the number of items put and not
 *     yet got, by every process (qsize, empty).
 *   - slots (maxsize > 0 only): a pipe semaphore of free places.
 *   - put() never waits for the pipe: it encodes the value under the GIL and
 *     appends the frame to this process's buffer, which a feeder thread (a
 *     plain pthread, no GIL, no objects) writes to the pipe, as CPython's
 *     Queue does. So a process can put more than a pipe holds before anyone
 *     reads. Before a process exits it waits until its feeders have written
 *     everything (mp_flush_feeders_at_exit).
 *
 * Feeder state (FeedState) lives outside the Channel object because the
 * feeder may still be writing after the object is gone; it is freed by
 * whichever of the two finishes last. All FeedStates and their buffers are
 * guarded by one mutex, feed.mutex: puts and frame completions are rare
 * next to the writing itself, and one lock keeps the exit accounting
 * (feed.pending) exact.
 */
#include "modules/process.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/gil.h"
#include "core/osthread.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "modules/osfile.h"

/* ---- Argument helpers ----------------------------------------------------- */

/* A timeout argument: None (or absent) -> -1 (forever), else seconds >= 0
   (negative counts as 0, as CPython's waits do). 0 / -1. */
static int timeout_arg(Object *o, double *out) {
    *out = -1;
    if (!o || o == None) return 0;
    if (float_as_double(o, out) < 0) return -1;
    if (*out < 0) *out = 0;
    return 0;
}

static int truth_arg(Object *o, bool dflt, bool *out) {
    *out = dflt;
    if (!o) return 0;
    int t = object_truth(o);
    if (t < 0) return -1;
    *out = t;
    return 0;
}

/* The deadline for a blocking call: block=False means "now". */
static int64_t call_deadline(bool block, double timeout) {
    return process_deadline(block ? timeout : 0);
}

/* ---- Child: a started child process ------------------------------------------ */

typedef struct {
    Object base;
    pid_t pid;
} ChildObject;

static void child_dealloc(Object *o) {
    process_release(((ChildObject *)o)->pid);
    object_free(o, sizeof(ChildObject));
}

static Object *exitcode_or_none(int done, int code) {
    if (done < 0) return NULL;
    return done ? int_from_i64(code) : NEWREF(None);
}

/* wait(timeout=None) -> exit code, or None if still running at the timeout */
static Object *child_wait(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"timeout", NULL};
    Object *a[1] = {NULL};
    double timeout;
    if (args_parse("wait", args, nargs, kwnames, names, 0, a) < 0 || timeout_arg(a[0], &timeout) < 0)
        return NULL;
    int code = 0;
    int done = process_wait(((ChildObject *)self)->pid, timeout, &code);
    return exitcode_or_none(done, code);
}

static Object *child_poll(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("poll", nargs, kwnames, 0, 0) < 0) return NULL;
    int code = 0;
    int done = process_poll(((ChildObject *)self)->pid, &code);
    return exitcode_or_none(done, code);
}

static Object *child_send_signal(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    if (args_check("send_signal", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t sig;
    if (int_as_i64(args[0], &sig) < 0) return NULL;
    if (sig < 0 || sig >= NSIG) return error_set(&exc_ValueError, "signal number out of range");
    if (process_signal(((ChildObject *)self)->pid, (int)sig) < 0) return NULL;
    return NEWREF(None);
}

static Object *child_getattr(Object *self, Object *name) {
    if (strcmp(str_data(name), "pid") == 0) return int_from_i64(((ChildObject *)self)->pid);
    return object_generic_getattr(self, name);
}

static const MethodDef child_methods[] = {
    {"wait", child_wait, NULL},
    {"poll", child_poll, NULL},
    {"send_signal", child_send_signal, NULL},
    {NULL, NULL, NULL},
};

Type mp_child_type = {
    TYPE_HEAD_INIT,
    .name = "_multiprocessing.Child",
    .base_type = &object_type,
    .instance_size = sizeof(ChildObject),
    .methods = child_methods,
    .dealloc = child_dealloc,
    .getattr = child_getattr,
    .hash = object_identity_hash,
};

/* start(bootstrap, daemon) -> Child */
static Object *mp_start(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("start", nargs, kwnames, 2, 2) < 0) return NULL;
    if (!object_callable(args[0])) return error_set(&exc_TypeError, "bootstrap must be callable");
    int daemon = object_truth(args[1]);
    if (daemon < 0) return NULL;
    ChildObject *c = (ChildObject *)object_alloc(&mp_child_type, sizeof(ChildObject));
    if (!c) return NULL;
    c->pid = process_start(args[0], daemon);
    if (c->pid < 0) {
        c->pid = 0; /* nothing to release */
        DECREF(c);
        return NULL;
    }
    return (Object *)c;
}

/* ---- Connection ---------------------------------------------------------------- */

typedef struct {
    Object base;
    int fd;             /* -1 once closed */
    bool readable, writable;
} ConnectionObject;

static Object *connection_new_fd(int fd, bool readable, bool writable) {
    ConnectionObject *c =
        (ConnectionObject *)object_alloc(&mp_connection_type, sizeof(ConnectionObject));
    if (!c) {
        close(fd);
        return NULL;
    }
    c->fd = fd;
    c->readable = readable;
    c->writable = writable;
    return (Object *)c;
}

static void connection_close_fd(ConnectionObject *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

static void connection_dealloc(Object *o) {
    connection_close_fd((ConnectionObject *)o);
    object_free(o, sizeof(ConnectionObject));
}

/* CPython's wording: a read-only end is not "writable". */
static int connection_check(ConnectionObject *c, bool reading) {
    if (c->fd < 0) {
        error_set(&exc_OSError, "handle is closed");
        return -1;
    }
    if (reading && !c->readable) {
        error_set(&exc_OSError, "connection is write-only");
        return -1;
    }
    if (!reading && !c->writable) {
        error_set(&exc_OSError, "connection is read-only");
        return -1;
    }
    return 0;
}

/* Write the frame in b (header filled in here), GIL released. 0 / -1. */
static int connection_write_frame(ConnectionObject *c, ProcessBuf *b) {
    process_buf_finish_frame(b);
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while the peer drains the pipe */
    int rc = process_write_all(c->fd, b->data, b->len);
    GIL_ACQUIRE(ts);
    if (rc) {
        process_raise_io(rc, false);
        return -1;
    }
    return 0;
}

/* Read one frame, GIL released. 0 / -1. */
static int connection_read_frame(ConnectionObject *c, char **payload, size_t *len) {
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while waiting for the peer */
    /* Wait first: a Ctrl-C interrupts the wait (KeyboardInterrupt), not a
       frame half read. */
    int ready = process_wait_fd(c->fd, POLLIN, -1); /* 1, or -errno */
    int rc = ready < 0 ? -ready : process_read_frame(c->fd, payload, len);
    GIL_ACQUIRE(ts);
    if (rc) {
        process_raise_io(rc, true);
        return -1;
    }
    return 0;
}

static Object *connection_send(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    ConnectionObject *c = (ConnectionObject *)self;
    if (args_check("send", nargs, kwnames, 1, 1) < 0 || connection_check(c, false) < 0) return NULL;
    ProcessBuf b;
    if (process_buf_init(&b) < 0) return NULL;
    int r = process_encode(args[0], &b);
    if (r == 0) r = connection_write_frame(c, &b);
    process_buf_free(&b);
    return r < 0 ? NULL : NEWREF(None);
}

static Object *connection_recv(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    ConnectionObject *c = (ConnectionObject *)self;
    if (args_check("recv", nargs, kwnames, 0, 0) < 0 || connection_check(c, true) < 0) return NULL;
    char *payload;
    size_t len;
    if (connection_read_frame(c, &payload, &len) < 0) return NULL;
    Object *v = process_decode(payload, len);
    mem_free(payload, len ? len : 1);
    return v;
}

/* send_bytes(buf, offset=0, size=None): the bytes as one frame. */
static Object *connection_send_bytes(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    static const char *const names[] = {"buf", "offset", "size", NULL};
    Object *a[3] = {NULL, NULL, NULL};
    ConnectionObject *c = (ConnectionObject *)self;
    if (args_parse("send_bytes", args, nargs, kwnames, names, 1, a) < 0 ||
        connection_check(c, false) < 0)
        return NULL;
    if (!is_bytes(a[0]))
        return error_set(&exc_TypeError, "a bytes-like object is required, not '%s'", TYPE_NAME(a[0]));
    int64_t n = (int64_t)bytes_size(a[0]), offset = 0, size = -1;
    if (a[1] && int_as_i64(a[1], &offset) < 0) return NULL;
    if (a[2] && a[2] != None && int_as_i64(a[2], &size) < 0) return NULL;
    if (offset < 0) return error_set(&exc_ValueError, "offset is negative");
    if (n < offset) return error_set(&exc_ValueError, "buffer length < offset");
    if (size < 0 && a[2] && a[2] != None) return error_set(&exc_ValueError, "size is negative");
    if (size < 0) size = n - offset;
    if (offset + size > n) return error_set(&exc_ValueError, "buffer length < offset + size");
    ProcessBuf b;
    if (process_buf_init(&b) < 0) return NULL;
    int r = process_buf_append(&b, bytes_data(a[0]) + offset, (size_t)size);
    if (r == 0) r = connection_write_frame(c, &b);
    process_buf_free(&b);
    return r < 0 ? NULL : NEWREF(None);
}

/* recv_bytes(maxlength=None): one frame's payload as bytes. */
static Object *connection_recv_bytes(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    static const char *const names[] = {"maxlength", NULL};
    Object *a[1] = {NULL};
    ConnectionObject *c = (ConnectionObject *)self;
    int64_t maxlength = -1;
    if (args_parse("recv_bytes", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    if (a[0] && a[0] != None) {
        if (int_as_i64(a[0], &maxlength) < 0) return NULL;
        if (maxlength < 0) return error_set(&exc_ValueError, "negative maxlength");
    }
    if (connection_check(c, true) < 0) return NULL;
    char *payload;
    size_t len;
    if (connection_read_frame(c, &payload, &len) < 0) return NULL;
    Object *v = maxlength >= 0 && len > (size_t)maxlength
                    ? error_set(&exc_OSError, "bad message length")
                    : bytes_from_data(payload, len);
    mem_free(payload, len ? len : 1);
    return v;
}

/* poll(timeout=0.0): is there something to read (or end of file)? */
static Object *connection_poll(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"timeout", NULL};
    Object *a[1] = {NULL};
    ConnectionObject *c = (ConnectionObject *)self;
    double timeout = 0;
    if (args_parse("poll", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    if (a[0] && timeout_arg(a[0], &timeout) < 0) return NULL;
    if (connection_check(c, true) < 0) return NULL;
    int64_t deadline = process_deadline(timeout);
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while waiting for data */
    int r = process_wait_fd(c->fd, POLLIN, deadline);
    GIL_ACQUIRE(ts);
    if (r < 0) return error_set_from_errno(-r, NULL);
    return bool_from(r > 0);
}

static Object *connection_close(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("close", nargs, kwnames, 0, 0) < 0) return NULL;
    connection_close_fd((ConnectionObject *)self);
    return NEWREF(None);
}

static Object *connection_fileno(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    ConnectionObject *c = (ConnectionObject *)self;
    if (args_check("fileno", nargs, kwnames, 0, 0) < 0) return NULL;
    if (c->fd < 0) return error_set(&exc_OSError, "handle is closed");
    return int_from_i64(c->fd);
}

static Object *connection_enter(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("__enter__", nargs, kwnames, 0, 0) < 0) return NULL;
    return NEWREF(self);
}

static Object *connection_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    connection_close_fd((ConnectionObject *)self);
    return NEWREF(None);
}

static Object *connection_getattr(Object *self, Object *name) {
    ConnectionObject *c = (ConnectionObject *)self;
    const char *n = str_data(name);
    if (strcmp(n, "closed") == 0) return bool_from(c->fd < 0);
    if (strcmp(n, "readable") == 0) return bool_from(c->readable);
    if (strcmp(n, "writable") == 0) return bool_from(c->writable);
    return object_generic_getattr(self, name);
}

/* Connection(fd, readable=True, writable=True): adopt a descriptor. */
static Object *connection_construct(Type *type, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)type;
    static const char *const names[] = {"handle", "readable", "writable", NULL};
    Object *a[3] = {NULL, NULL, NULL};
    int64_t fd;
    bool readable, writable;
    if (args_parse("Connection", args, nargs, kwnames, names, 1, a) < 0 ||
        int_as_i64(a[0], &fd) < 0 || truth_arg(a[1], true, &readable) < 0 ||
        truth_arg(a[2], true, &writable) < 0)
        return NULL;
    if (fd < 0 || fd > INT32_MAX) return error_set(&exc_ValueError, "invalid handle");
    if (!readable && !writable)
        return error_set(&exc_ValueError, "at least one of `readable` and `writable` must be True");
    return connection_new_fd((int)fd, readable, writable);
}

static const MethodDef connection_methods[] = {
    {"send", connection_send, NULL},
    {"recv", connection_recv, NULL},
    {"send_bytes", connection_send_bytes, NULL},
    {"recv_bytes", connection_recv_bytes, NULL},
    {"poll", connection_poll, NULL},
    {"close", connection_close, NULL},
    {"fileno", connection_fileno, NULL},
    {"__enter__", connection_enter, NULL},
    {"__exit__", connection_exit, NULL},
    {NULL, NULL, NULL},
};

Type mp_connection_type = {
    TYPE_HEAD_INIT,
    .name = "multiprocessing.connection.Connection",
    .base_type = &object_type,
    .instance_size = sizeof(ConnectionObject),
    .methods = connection_methods,
    .dealloc = connection_dealloc,
    .getattr = connection_getattr,
    .construct = connection_construct,
    .hash = object_identity_hash,
};

/* Pipe(duplex=True) -> (conn1, conn2). Duplex: a socket pair, both ends
   read and write. Otherwise a pipe: conn1 reads, conn2 writes. */
static Object *mp_pipe(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    static const char *const names[] = {"duplex", NULL};
    Object *a[1] = {NULL};
    bool duplex;
    if (args_parse("Pipe", args, nargs, kwnames, names, 0, a) < 0 || truth_arg(a[0], true, &duplex) < 0)
        return NULL;
    int fds[2];
    int r = duplex ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds);
    if (r < 0) return error_set_from_errno(errno, NULL);
    Object *c1 = connection_new_fd(fds[0], true, duplex);
    Object *c2 = c1 ? connection_new_fd(fds[1], duplex, true) : (close(fds[1]), NULL);
    Object *t = c1 && c2 ? tuple_pack(2, c1, c2) : NULL;
    XDECREF(c1);
    XDECREF(c2);
    return t;
}

/* ---- Feeders: writing a Channel's frames from a thread of their own ---------- */

typedef struct Frame {
    struct Frame *next;
    ProcessBuf buf;              /* a whole frame, header filled in */
} Frame;

typedef struct FeedState {
    struct FeedState *next;      /* in feed.head */
    pthread_cond_t wake;         /* the feeder waits here for frames */
    Frame *head, *tail;          /* not yet taken by the feeder */
    size_t pending;              /* frames put and not yet written or dropped */
    int write_error;             /* first errno the feeder met; frames after it are dropped */
    bool running;                /* a feeder thread exists */
    bool stop;                   /* object gone or writer closed: exit when empty */
    bool object_gone;            /* the Channel was deallocated */
    bool cancelled;              /* cancel_join_thread(): exit need not wait */
    int wfd;                     /* the data pipe's write end, -1 once closed */
    ProcessSem wlock;            /* one writer of a whole frame at a time */
} FeedState;

static struct {
    pthread_mutex_t mutex;       /* guards everything here and every FeedState */
    pthread_cond_t drained;      /* broadcast when a frame is written or dropped */
    FeedState *head;
    size_t pending;              /* pending frames of feeders not cancelled */
} feed = {
    .mutex = PTHREAD_MUTEX_INITIALIZER,
    .drained = PTHREAD_COND_INITIALIZER,
};

static void frame_free(Frame *f) {
    process_buf_free(&f->buf);
    mem_free(f, sizeof(Frame));
}

/* Unlinked, no thread: release it. */
static void feedstate_destroy(FeedState *s) {
    while (s->head) {
        Frame *f = s->head;
        s->head = f->next;
        frame_free(f);
    }
    pthread_cond_destroy(&s->wake);
    if (s->wfd >= 0) close(s->wfd);
    process_sem_close(&s->wlock);
    mem_free(s, sizeof(FeedState));
}

static void feed_unlink_locked(FeedState *s) {
    for (FeedState **p = &feed.head; *p; p = &(*p)->next)
        if (*p == s) { *p = s->next; break; }
}

/* A frame is done (written or dropped). Locked. */
static void feed_frame_done_locked(FeedState *s) {
    s->pending--;
    if (!s->cancelled) feed.pending--;
    pthread_cond_broadcast(&feed.drained);
}

/* Write one frame under the channel's write lock. No GIL. */
static int feed_write(FeedState *s, Frame *f) {
    int r = process_sem_acquire(&s->wlock, -1);
    if (r < 0) return -r;
    int rc = process_write_all(s->wfd, f->buf.data, f->buf.len);
    int rr = process_sem_release(&s->wlock);
    return rc ? rc : rr;
}

/* The feeder: a plain pthread that never touches an object or the GIL. */
static void *feeder_main(void *arg) {
    FeedState *s = arg;
    pthread_mutex_lock(&feed.mutex);
    for (;;) {
        while (!s->head && !s->stop) pthread_cond_wait(&s->wake, &feed.mutex);
        Frame *f = s->head;
        if (!f) break;
        s->head = f->next;
        if (!s->head) s->tail = NULL;
        int err = s->write_error;
        pthread_mutex_unlock(&feed.mutex);
        if (!err) err = feed_write(s, f);
        pthread_mutex_lock(&feed.mutex);
        frame_free(f); /* under the mutex, which fork() takes (core/osthread.h) */
        if (err && !s->write_error) s->write_error = err;
        feed_frame_done_locked(s);
    }
    s->running = false;
    if (s->wfd >= 0) { /* the writer was closed: nothing more will come */
        close(s->wfd);
        s->wfd = -1;
    }
    bool last = s->object_gone;
    if (last) feed_unlink_locked(s);
    pthread_cond_broadcast(&feed.drained);
    pthread_mutex_unlock(&feed.mutex);
    osthread_exit_begin();
    if (last) feedstate_destroy(s);
    mem_thread_release();
    osthread_exit_end();
    return NULL;
}

/* Queue frame f (taken over) for writing; starts the feeder if needed.
   0 / -1 with an exception (f is freed). GIL held. */
static int feed_put(FeedState *s, Frame *f) {
    pthread_mutex_lock(&feed.mutex);
    int err = s->write_error;
    if (!err && !s->running) {
        pthread_t tid;
        err = osthread_create(&tid, feeder_main, s, 0) ? EAGAIN : 0;
        if (!err) s->running = true;
    }
    if (!err) {
        f->next = NULL;
        if (s->tail) s->tail->next = f;
        else s->head = f;
        s->tail = f;
        s->pending++;
        if (!s->cancelled) feed.pending++;
        pthread_cond_signal(&s->wake);
    }
    pthread_mutex_unlock(&feed.mutex);
    if (!err) return 0;
    frame_free(f);
    if (err == EAGAIN) error_set(&exc_RuntimeError, "can't start new thread");
    else process_raise_io(err, false);
    return -1;
}

/* Wait (GIL released by the caller, or no GIL) until s has written what it
   holds, or failed. */
static void feed_join(FeedState *s) {
    pthread_mutex_lock(&feed.mutex);
    while (s->pending > 0 && !s->write_error) pthread_cond_wait(&feed.drained, &feed.mutex);
    pthread_mutex_unlock(&feed.mutex);
}

void mp_flush_feeders_at_exit(void) {
    pthread_mutex_lock(&feed.mutex);
    while (feed.pending > 0) pthread_cond_wait(&feed.drained, &feed.mutex);
    pthread_mutex_unlock(&feed.mutex);
}

/* fork() happens with the feeders' mutex held (mp_before_fork), so that no
   feeder is inside it and the child's copy is in a known state: held by
   the forking thread, which releases it. */
void mp_before_fork(void) { pthread_mutex_lock(&feed.mutex); }
void mp_after_fork_parent(void) { pthread_mutex_unlock(&feed.mutex); }

void mp_after_fork_child(void) {
    /* The frames in the buffers are the parent's to write; its feeders do
       not exist here. */
    pthread_mutex_unlock(&feed.mutex);
    pthread_cond_init(&feed.drained, NULL);
    feed.pending = 0;
    for (FeedState **p = &feed.head; *p;) {
        FeedState *s = *p;
        pthread_cond_init(&s->wake, NULL);
        s->pending = 0;
        s->running = false;
        s->write_error = 0;
        if (s->object_gone) { /* only the parent's feeder knew it */
            *p = s->next;
            feedstate_destroy(s);
            continue;
        }
        while (s->head) {
            Frame *f = s->head;
            s->head = f->next;
            frame_free(f);
        }
        s->tail = NULL;
        p = &s->next;
    }
}

/* ---- Channel: the pipe under multiprocessing.Queue ------------------------------- */

typedef struct {
    Object base;
    FeedState *feed;          /* shared with the feeder thread */
    int rfd;                  /* data pipe's read end, -1 once closed */
    ProcessSem rlock;         /* one reader of a whole frame at a time */
    ProcessSem slots;         /* free places when maxsize > 0 */
    _Atomic int64_t *count;   /* items put and not yet got, all processes */
    int64_t maxsize;
    bool closed;              /* close(): no more puts here */
} ChannelObject;

static void channel_dealloc(Object *o) {
    ChannelObject *q = (ChannelObject *)o;
    if (q->rfd >= 0) close(q->rfd);
    process_sem_close(&q->rlock);
    process_sem_close(&q->slots);
    if (q->count) munmap((void *)q->count, sizeof(int64_t));
    FeedState *s = q->feed;
    if (s) {
        pthread_mutex_lock(&feed.mutex);
        s->object_gone = s->stop = true;
        bool feeder_owns = s->running;
        if (feeder_owns) pthread_cond_signal(&s->wake);
        else feed_unlink_locked(s);
        pthread_mutex_unlock(&feed.mutex);
        if (!feeder_owns) feedstate_destroy(s);
    }
    object_free(o, sizeof(ChannelObject));
}

/* Create the pipes, the locks and the shared counter. 0 / -1. */
static int channel_init(ChannelObject *q, int64_t maxsize) {
    q->rfd = -1;
    q->rlock.rfd = q->rlock.wfd = q->slots.rfd = q->slots.wfd = -1;
    q->maxsize = maxsize;
    FeedState *s = mem_alloc(sizeof(FeedState));
    if (!s) { error_no_memory(); return -1; }
    memset(s, 0, sizeof *s);
    s->wfd = -1;
    s->wlock.rfd = s->wlock.wfd = -1;
    pthread_cond_init(&s->wake, NULL);
    pthread_mutex_lock(&feed.mutex);
    s->next = feed.head;
    feed.head = s;
    pthread_mutex_unlock(&feed.mutex);
    q->feed = s;

    int fds[2];
    if (pipe(fds) < 0) return error_set_from_errno(errno, NULL), -1;
    q->rfd = fds[0];
    s->wfd = fds[1];
    int err = process_sem_init(&q->rlock, 1);
    if (!err) err = process_sem_init(&s->wlock, 1);
    if (!err && maxsize > 0) {
        err = process_sem_init(&q->slots, (unsigned)maxsize);
        if (err == EINVAL) {
            error_set(&exc_ValueError, "Queue maxsize %lld is too large for a pipe",
                      (long long)maxsize);
            return -1;
        }
    }
    if (err) return error_set_from_errno(err, NULL), -1;
    void *page = mmap(NULL, sizeof(int64_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return error_set_from_errno(errno, NULL), -1;
    q->count = page;
    atomic_store(q->count, 0);
    return 0;
}

/* Channel(maxsize=0) */
static Object *channel_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    static const char *const names[] = {"maxsize", NULL};
    Object *a[1] = {NULL};
    int64_t maxsize = 0;
    if (args_parse("Channel", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    if (a[0] && int_as_i64(a[0], &maxsize) < 0) return NULL;
    ChannelObject *q = (ChannelObject *)object_alloc(&mp_channel_type, sizeof(ChannelObject));
    if (!q) return NULL;
    if (channel_init(q, maxsize) < 0) {
        DECREF(q);
        return NULL;
    }
    return (Object *)q;
}

static int64_t channel_qsize(ChannelObject *q) {
    int64_t n = atomic_load(q->count);
    return n < 0 ? 0 : n;
}

/* put(obj, block=True, timeout=None) -> True, or False when no place came
   (maxsize > 0) before the timeout. */
static Object *channel_put(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"obj", "block", "timeout", NULL};
    Object *a[3] = {NULL, NULL, NULL};
    ChannelObject *q = (ChannelObject *)self;
    bool block;
    double timeout;
    if (args_parse("put", args, nargs, kwnames, names, 1, a) < 0 || truth_arg(a[1], true, &block) < 0 ||
        timeout_arg(a[2], &timeout) < 0)
        return NULL;
    if (q->closed) return error_set(&exc_ValueError, "Queue is closed");
    Frame *f = mem_alloc(sizeof(Frame));
    if (!f) return error_no_memory();
    if (process_buf_init(&f->buf) < 0) {
        mem_free(f, sizeof(Frame));
        return NULL;
    }
    if (process_encode(a[0], &f->buf) < 0) {
        frame_free(f);
        return NULL;
    }
    process_buf_finish_frame(&f->buf);
    if (q->maxsize > 0) {
        int64_t deadline = call_deadline(block, timeout);
        ThreadState *ts = ts_get();
        GIL_RELEASE(ts); /* GIL: released while waiting for a free place */
        int r = process_sem_acquire(&q->slots, deadline);
        GIL_ACQUIRE(ts);
        if (r <= 0) {
            frame_free(f);
            if (r < 0) return error_set_from_errno(-r, NULL);
            return NEWREF(False_);
        }
    }
    atomic_fetch_add(q->count, 1);
    if (feed_put(q->feed, f) < 0) {
        atomic_fetch_sub(q->count, 1);
        if (q->maxsize > 0) process_sem_release(&q->slots);
        return NULL;
    }
    return NEWREF(True_);
}

/* Read one frame within the deadline, holding the read lock meanwhile.
   1 with the payload, 0 timed out, -1 with *io the I/O code for
   process_raise_io. No GIL. */
static int channel_read(ChannelObject *q, int64_t deadline, char **payload, size_t *len, int *io) {
    *io = 0;
    int r = process_sem_acquire(&q->rlock, deadline);
    if (r <= 0) {
        *io = -r;
        return r;
    }
    int ready = process_wait_fd(q->rfd, POLLIN, deadline);
    if (ready > 0) {
        *io = process_read_frame(q->rfd, payload, len);
    } else if (ready < 0) {
        *io = -ready;
    }
    process_sem_release(&q->rlock);
    if (ready == 0) return 0;
    return *io ? -1 : 1;
}

/* get(block=True, timeout=None) -> (True, item), or (False, None) when
   nothing came before the timeout. */
static Object *channel_get(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"block", "timeout", NULL};
    Object *a[2] = {NULL, NULL};
    ChannelObject *q = (ChannelObject *)self;
    bool block;
    double timeout;
    if (args_parse("get", args, nargs, kwnames, names, 0, a) < 0 || truth_arg(a[0], true, &block) < 0 ||
        timeout_arg(a[1], &timeout) < 0)
        return NULL;
    if (q->rfd < 0) return error_set(&exc_ValueError, "Queue is closed");
    int64_t deadline = call_deadline(block, timeout);
    char *payload = NULL;
    size_t len = 0;
    int io;
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while waiting for an item */
    int r = channel_read(q, deadline, &payload, &len, &io);
    GIL_ACQUIRE(ts);
    if (r < 0) return process_raise_io(io, true);
    if (r == 0) return tuple_pack(2, False_, None);
    atomic_fetch_sub(q->count, 1);
    if (q->maxsize > 0) process_sem_release(&q->slots);
    Object *v = process_decode(payload, len);
    mem_free(payload, len ? len : 1);
    if (!v) return NULL;
    Object *t = tuple_pack(2, True_, v);
    DECREF(v);
    return t;
}

static Object *channel_qsize_method(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)args;
    if (args_check("qsize", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64(channel_qsize((ChannelObject *)self));
}

static Object *channel_empty(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("empty", nargs, kwnames, 0, 0) < 0) return NULL;
    return bool_from(channel_qsize((ChannelObject *)self) == 0);
}

static Object *channel_full(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    ChannelObject *q = (ChannelObject *)self;
    if (args_check("full", nargs, kwnames, 0, 0) < 0) return NULL;
    return bool_from(q->maxsize > 0 && !process_sem_available(&q->slots));
}

/* No more puts from this process: the feeder writes what it holds, then
   closes the write end. */
static void channel_close_writer(ChannelObject *q) {
    q->closed = true;
    FeedState *s = q->feed;
    pthread_mutex_lock(&feed.mutex);
    s->stop = true;
    if (s->running) pthread_cond_signal(&s->wake);
    else if (s->wfd >= 0) {
        close(s->wfd);
        s->wfd = -1;
    }
    pthread_mutex_unlock(&feed.mutex);
}

static Object *channel_close(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    ChannelObject *q = (ChannelObject *)self;
    if (args_check("close", nargs, kwnames, 0, 0) < 0) return NULL;
    channel_close_writer(q);
    if (q->rfd >= 0) close(q->rfd);
    q->rfd = -1;
    return NEWREF(None);
}

static Object *channel_close_writer_method(Object *self, Object *const *args, size_t nargs,
                                           Object *kwnames) {
    (void)args;
    if (args_check("_close_writer", nargs, kwnames, 0, 0) < 0) return NULL;
    channel_close_writer((ChannelObject *)self);
    return NEWREF(None);
}

static Object *channel_close_reader(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)args;
    ChannelObject *q = (ChannelObject *)self;
    if (args_check("_close_reader", nargs, kwnames, 0, 0) < 0) return NULL;
    if (q->rfd >= 0) close(q->rfd);
    q->rfd = -1;
    return NEWREF(None);
}

/* join_thread(): wait until this process's feeder has written everything. */
static Object *channel_join_thread(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)args;
    if (args_check("join_thread", nargs, kwnames, 0, 0) < 0) return NULL;
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while the feeder writes */
    feed_join(((ChannelObject *)self)->feed);
    GIL_ACQUIRE(ts);
    return NEWREF(None);
}

/* cancel_join_thread(): exiting will not wait for this feeder. */
static Object *channel_cancel_join_thread(Object *self, Object *const *args, size_t nargs,
                                          Object *kwnames) {
    (void)args;
    if (args_check("cancel_join_thread", nargs, kwnames, 0, 0) < 0) return NULL;
    FeedState *s = ((ChannelObject *)self)->feed;
    pthread_mutex_lock(&feed.mutex);
    if (!s->cancelled) {
        s->cancelled = true;
        feed.pending -= s->pending;
        pthread_cond_broadcast(&feed.drained);
    }
    pthread_mutex_unlock(&feed.mutex);
    return NEWREF(None);
}

static const MethodDef channel_methods[] = {
    {"put", channel_put, NULL},
    {"get", channel_get, NULL},
    {"qsize", channel_qsize_method, NULL},
    {"empty", channel_empty, NULL},
    {"full", channel_full, NULL},
    {"close", channel_close, NULL},
    {"join_thread", channel_join_thread, NULL},
    {"cancel_join_thread", channel_cancel_join_thread, NULL},
    {"_close_writer", channel_close_writer_method, NULL},
    {"_close_reader", channel_close_reader, NULL},
    {NULL, NULL, NULL},
};

Type mp_channel_type = {
    TYPE_HEAD_INIT,
    .name = "_multiprocessing.Channel",
    .base_type = &object_type,
    .instance_size = sizeof(ChannelObject),
    .methods = channel_methods,
    .dealloc = channel_dealloc,
    .construct = channel_construct,
    .hash = object_identity_hash,
};

/* ---- SemLock: Lock and Semaphore shared between processes ------------------------ */

typedef struct {
    Object base;
    ProcessSem sem;
    int64_t maxvalue;   /* release beyond it raises; <= 0: unbounded */
} SemLockObject;

static void semlock_dealloc(Object *o) {
    process_sem_close(&((SemLockObject *)o)->sem);
    object_free(o, sizeof(SemLockObject));
}

/* SemLock(value, maxvalue) */
static Object *semlock_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    static const char *const names[] = {"value", "maxvalue", NULL};
    Object *a[2] = {NULL, NULL};
    int64_t value, maxvalue = 0;
    if (args_parse("SemLock", args, nargs, kwnames, names, 1, a) < 0 ||
        int_as_i64(a[0], &value) < 0 || (a[1] && int_as_i64(a[1], &maxvalue) < 0))
        return NULL;
    if (value < 0) return error_set(&exc_ValueError, "semaphore initial value must be >= 0");
    if (value > 1 << 20) return error_set(&exc_ValueError, "semaphore initial value is too large");
    SemLockObject *s = (SemLockObject *)object_alloc(&mp_semlock_type, sizeof(SemLockObject));
    if (!s) return NULL;
    s->sem.rfd = s->sem.wfd = -1;
    s->maxvalue = maxvalue;
    int err = process_sem_init(&s->sem, (unsigned)value);
    if (err) {
        DECREF(s);
        return error_set_from_errno(err, NULL);
    }
    return (Object *)s;
}

/* acquire(block=True, timeout=None) -> bool */
static Object *semlock_acquire(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"block", "timeout", NULL};
    Object *a[2] = {NULL, NULL};
    bool block;
    double timeout;
    if (args_parse("acquire", args, nargs, kwnames, names, 0, a) < 0 ||
        truth_arg(a[0], true, &block) < 0 || timeout_arg(a[1], &timeout) < 0)
        return NULL;
    int64_t deadline = call_deadline(block, timeout);
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while waiting for the semaphore */
    int r = process_sem_acquire(&((SemLockObject *)self)->sem, deadline);
    GIL_ACQUIRE(ts);
    if (r < 0) return error_set_from_errno(-r, NULL);
    return bool_from(r > 0);
}

/* _wait(timeout=None) -> bool: wait until a unit is available, without
   taking it (Event.wait). */
static Object *semlock_wait(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"timeout", NULL};
    Object *a[1] = {NULL};
    double timeout;
    if (args_parse("_wait", args, nargs, kwnames, names, 0, a) < 0 || timeout_arg(a[0], &timeout) < 0)
        return NULL;
    int64_t deadline = call_deadline(true, timeout);
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while waiting for a unit */
    int r = process_wait_fd(((SemLockObject *)self)->sem.rfd, POLLIN, deadline);
    GIL_ACQUIRE(ts);
    if (r < 0) return error_set_from_errno(-r, NULL);
    return bool_from(r > 0);
}

static int64_t semlock_value(SemLockObject *s) {
    int n = 0;
    return ioctl(s->sem.rfd, FIONREAD, &n) == 0 ? n : 0;
}

static Object *semlock_release(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    SemLockObject *s = (SemLockObject *)self;
    if (args_check("release", nargs, kwnames, 0, 0) < 0) return NULL;
    if (s->maxvalue > 0 && semlock_value(s) >= s->maxvalue)
        return error_set(&exc_ValueError, "semaphore or lock released too many times");
    int err = process_sem_release(&s->sem);
    if (err == EAGAIN) return error_set(&exc_ValueError, "semaphore value is too large for its pipe");
    if (err) return error_set_from_errno(err, NULL);
    return NEWREF(None);
}

static Object *semlock_get_value(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("get_value", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64(semlock_value((SemLockObject *)self));
}

static Object *semlock_enter(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return semlock_acquire(self, args, nargs, kwnames);
}

static Object *semlock_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    return semlock_release(self, NULL, 0, NULL);
}

static const MethodDef semlock_methods[] = {
    {"acquire", semlock_acquire, NULL},
    {"release", semlock_release, NULL},
    {"get_value", semlock_get_value, NULL},
    {"_wait", semlock_wait, NULL},
    {"__enter__", semlock_enter, NULL},
    {"__exit__", semlock_exit, NULL},
    {NULL, NULL, NULL},
};

Type mp_semlock_type = {
    TYPE_HEAD_INIT,
    .name = "_multiprocessing.SemLock",
    .base_type = &object_type,
    .instance_size = sizeof(SemLockObject),
    .methods = semlock_methods,
    .dealloc = semlock_dealloc,
    .construct = semlock_construct,
    .hash = object_identity_hash,
};

/* ---- The module ------------------------------------------------------------------ */

/* flush_std_streams(): what a child does before it exits, and what the
   parent does before forking. */
static Object *mp_flush_std_streams(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self; (void)args;
    if (args_check("flush_std_streams", nargs, kwnames, 0, 0) < 0) return NULL;
    fflush(stdout);
    fflush(stderr);
    return NEWREF(None);
}

static const MethodDef mp_functions[] = {
    {"start", mp_start, NULL},
    {"Pipe", mp_pipe, NULL},
    {"flush_std_streams", mp_flush_std_streams, NULL},
    {NULL, NULL, NULL},
};

Object *mp_module_init(void) {
    Object *m = module_new("_multiprocessing");
    if (!m) return NULL;
    if (module_add_functions(m, mp_functions) < 0 ||
        module_add_object(m, "Child", (Object *)&mp_child_type) < 0 ||
        module_add_object(m, "Connection", (Object *)&mp_connection_type) < 0 ||
        module_add_object(m, "Channel", (Object *)&mp_channel_type) < 0 ||
        module_add_object(m, "SemLock", (Object *)&mp_semlock_type) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
