/* fileobject.c - file objects: open(), text and binary files, and the
 * standard streams.
 *
 * A FileObject is one of two kinds:
 *   - a file from open(): `fd` is its descriptor, `stream` is NULL, and the
 *     object buffers itself: rbuf holds bytes read from the fd but not yet
 *     returned (rbuf[rpos..rlen)), wbuf holds bytes written but not yet sent
 *     (wbuf[0..wlen)). At most one of the two is non-empty: reading flushes
 *     wbuf first, writing or seeking first moves the fd back over the unread
 *     part of rbuf, so the fd's offset minus (rlen - rpos) plus wlen is always
 *     the file position the program sees.
 *   - a standard stream (file_std_stream): `stream` is stdio's stdin, stdout
 *     or stderr and every operation goes through stdio, never through rbuf or
 *     wbuf. That keeps sys.stdout.write, print() and tracebacks in one buffer
 *     (their order is preserved) and sys.stdin in the same buffer as input().
 *
 * Text files read and write UTF-8 (or ASCII / Latin-1 when asked) and do no
 * newline translation. Positions (tell/seek) are byte offsets, which is what
 * CPython's opaque text cookies are for these codecs.
 *
 * Ctrl-C: reads in the main thread that may block (a pipe, a terminal, a
 * FIFO) are interrupted and raise KeyboardInterrupt: fd reads wait with
 * sigint_poll first; stdio reads turn SA_RESTART off around themselves and
 * treat EINTR (core/sigint.h). Whatever was read before the interruption
 * is dropped. Writes are never interrupted.
 *
 * The file's lock. Every operation holds the file's own lock from start to
 * end, the system calls it makes without the GIL included: without it, a
 * thread whose write(2) had released the GIL could have its buffer sent a
 * second time, refilled, or freed (close()) by another thread meanwhile;
 * and toy-ft has no GIL at all. A thread that finds the lock taken waits
 * without the GIL (file_lock_wait); a thread that finds it taken by itself
 * (an __index__ of an argument that uses the same file) gets CPython's
 * RuntimeError "reentrant call inside ..." instead of waiting for ever. The
 * lock is one word, the holder's thread state and the fork generation,
 * taken with a compare-and-swap, so that a forked child sees a lock that a
 * thread it does not have held as free (file_after_fork_child).
 * writelines takes it once per line, as CPython's write() per item; the
 * list of open files has a lock of its own.
 *
 * Invariants: closed == true once close() ran; then fd == -1 and both buffers
 * are freed. A file that is not closed when its last reference goes is
 * flushed and closed by dealloc (errors there are dropped, and any exception
 * being raised at the time is preserved).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "core/gil.h"
#include "core/sigint.h"
#include "core/threadstate.h"
#include "objects/fileobject.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/str.h"
#include "objects/tuple.h"

#define FILE_BUFSIZE 8192              /* read and write buffer size */
#define FILE_RBUF_KEEP (64 * 1024)     /* a larger, emptied read buffer is freed */

typedef struct FileObject {
    Object base;
    int fd;                 /* -1 once closed */
    FILE *stream;           /* standard streams only: stdio's FILE */
    Object *name;           /* as given to open(): str, bytes or int */
    Object *mode;           /* str: the `mode` attribute */
    Object *encoding;       /* str (text files), NULL for binary */
    Object *errors;         /* str (text files), NULL for binary */
    Codec codec;
    bool readable, writable, binary, closed, closefd;
    bool line_buffering;    /* text, buffering=1: flush after each '\n' */
    bool telling_off;       /* text: next() returned a line; tell() refuses
                               until the iteration ends or a seek */
    bool unbuffered;        /* binary, buffering=0: writes go straight out */
    char *rbuf;
    size_t rpos, rlen, rcap;
    char *wbuf;             /* FILE_BUFSIZE bytes once allocated */
    size_t wlen;
    struct FileObject *open_prev, *open_next; /* open files from open(): see file_flush_at_exit */
    _Atomic uint64_t holder; /* the file's lock: file_lock; 0 when free */
} FileObject;

/* Every file from open() that is not closed yet, so that the data still in
   the write buffer of one never closed (or kept alive by a cycle with the
   collector disabled) reaches its file at exit, as in CPython. Under
   open_files_busy, a spin lock held for a few stores (toy-ft and --no-gil
   open and close files in parallel). */
static FileObject *open_files;
static atomic_flag open_files_busy = ATOMIC_FLAG_INIT;

static void open_files_lock(void) {
    while (atomic_flag_test_and_set_explicit(&open_files_busy, memory_order_acquire))
        sched_yield();
}

static void open_files_unlock(void) {
    atomic_flag_clear_explicit(&open_files_busy, memory_order_release);
}

static void open_files_link(FileObject *f) {
    open_files_lock();
    f->open_next = open_files;
    if (open_files) open_files->open_prev = f;
    open_files = f;
    open_files_unlock();
}

static void open_files_unlink(FileObject *f) {
    open_files_lock();
    if (f->open_prev) f->open_prev->open_next = f->open_next;
    else if (open_files == f) open_files = f->open_next;
    if (f->open_next) f->open_next->open_prev = f->open_prev;
    f->open_prev = f->open_next = NULL;
    open_files_unlock();
}

#define F(o) ((FileObject *)(o))

static const char CLOSED_DOT[] = "I/O operation on closed file.";
static const char CLOSED[] = "I/O operation on closed file";

bool is_file(Object *o) {
    Type *t = TYPE(o);
    return t == &file_text_type || t == &file_reader_type || t == &file_writer_type ||
           t == &file_random_type;
}

/* ---- The file's lock (see the top) ------------------------------------------------ */

/* Bumped in each forked child: a lock word of an older generation was taken
   by a thread of the parent, which the child does not have. */
static _Atomic uint64_t lock_generation;
#define LOCK_GENERATION_SHIFT 48 /* thread states sit below 2^47 (x86-64, arm64) */

static uint64_t lock_word_self(void) {
    uintptr_t ts = (uintptr_t)ts_get();
    assert(ts >> LOCK_GENERATION_SHIFT == 0);
    return atomic_load_explicit(&lock_generation, memory_order_relaxed) << LOCK_GENERATION_SHIFT | ts;
}

static bool lock_try(FileObject *f, uint64_t from, uint64_t me) {
    return atomic_compare_exchange_strong_explicit(&f->holder, &from, me, memory_order_acquire,
                                                   memory_order_relaxed);
}

static int reentrant_call(FileObject *f) {
    Object *r = object_repr((Object *)f);
    if (!r) return -1;
    error_set(&exc_RuntimeError, "reentrant call inside %s", str_data(r));
    DECREF(r);
    return -1;
}

/* The lock is held by another thread, which may be blocked in a system call
   for as long as a pipe's reader makes it: wait without the GIL, yielding
   at first and then sleeping up to a millisecond at a time. The main thread
   stops waiting for Ctrl-C. */
static int file_lock_wait(FileObject *f, uint64_t me) {
    ThreadState *ts = ts_get();
    uint64_t generation = me >> LOCK_GENERATION_SHIFT;
    for (unsigned tries = 0;; tries++) {
        uint64_t h = atomic_load_explicit(&f->holder, memory_order_relaxed);
        if (h == me) return reentrant_call(f);
        if ((h == 0 || h >> LOCK_GENERATION_SHIFT != generation) && lock_try(f, h, me)) return 0;
        if (sigint_is_main_thread() && error_check_interrupt() < 0) return -1;
        GIL_RELEASE(ts); /* GIL: released while another thread uses the file */
        if (tries < 16) {
            sched_yield();
        } else {
            unsigned shift = tries - 16 < 10 ? tries - 16 : 10;
            struct timespec pause = {0, 1000L << shift}; /* 1 us doubling to about 1 ms */
            nanosleep(&pause, NULL);
        }
        GIL_ACQUIRE(ts);
    }
}

/* 0 with the lock held, or -1 with an exception set. */
static int file_lock(FileObject *f) {
    uint64_t me = lock_word_self();
    return lock_try(f, 0, me) ? 0 : file_lock_wait(f, me);
}

static void file_unlock(FileObject *f) {
    atomic_store_explicit(&f->holder, 0, memory_order_release);
}

void file_after_fork_child(void) {
    atomic_fetch_add_explicit(&lock_generation, 1, memory_order_relaxed);
    atomic_flag_clear(&open_files_busy);
}

/* ---- System calls ------------------------------------------------------------ */

/* -1 with errno EINTR: a Ctrl-C interrupted the main thread's wait (the
   error path turns that into KeyboardInterrupt). */
static ssize_t sys_read(int fd, char *buf, size_t n) {
    ssize_t r;
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while the kernel reads (buf is ours alone) */
    struct pollfd p = {.fd = fd, .events = POLLIN};
    do {
        /* Only the main thread can be interrupted: it polls first, since
           the read itself is restarted after the handler (SA_RESTART). */
        if (sigint_is_main_thread() && sigint_poll(&p, 1, -1) < 0 && errno == EINTR) {
            r = -1;
            break;
        }
        r = read(fd, buf, n);
    } while (r < 0 && errno == EINTR);
    GIL_ACQUIRE(ts);
    return r;
}

int file_stdio_getc(FILE *s, bool *interrupted) {
    for (;;) {
        if (sigint_pending()) {
            *interrupted = true;
            return EOF;
        }
        int c = getc(s);
        if (c != EOF || !ferror(s) || errno != EINTR) return c;
        clearerr(s);
    }
}

static int sys_write_all(int fd, const char *p, size_t n) {
    while (n) {
        ThreadState *ts = ts_get();
        GIL_RELEASE(ts); /* GIL: released while the kernel writes */
        ssize_t r = write(fd, p, n);
        GIL_ACQUIRE(ts);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Raise the OSError for errno (read/write errors carry no file name). */
static int raise_errno(void) {
    error_set_from_errno(errno, NULL);
    return -1;
}

/* ---- State checks with CPython's messages ---------------------------------------- */

/* ValueError when closed; text and binary files word it differently. */
static int check_open(FileObject *f, const char *text_msg, const char *binary_msg) {
    if (!f->closed) return 0;
    error_set(&exc_ValueError, "%s", f->binary ? binary_msg : text_msg);
    return -1;
}

static int unsupported(const char *msg) {
    error_set(&exc_UnsupportedOperation, "%s", msg);
    return -1;
}

/* Binary files lack the method (UnsupportedOperation "read") before anything
   else; text files check closed first, then "not readable". */
static int check_readable(FileObject *f, const char *binary_closed_msg) {
    if (f->binary) {
        if (!f->readable) return unsupported("read");
        return check_open(f, CLOSED_DOT, binary_closed_msg);
    }
    if (check_open(f, CLOSED_DOT, NULL) < 0) return -1;
    return f->readable ? 0 : unsupported("not readable");
}

/* ---- Buffers ------------------------------------------------------------------------ */

/* Send the write buffer to the fd. The buffer is emptied even on error, so a
   failing device does not fail every later call too. */
static int flush_wbuf(FileObject *f) {
    if (!f->wlen) return 0;
    int r = sys_write_all(f->fd, f->wbuf, f->wlen);
    f->wlen = 0;
    return r < 0 ? raise_errno() : 0;
}

static void free_rbuf(FileObject *f) {
    if (f->rbuf) mem_free(f->rbuf, f->rcap);
    f->rbuf = NULL;
    f->rpos = f->rlen = f->rcap = 0;
}

/* Forget the read-ahead, moving the fd back over it (nothing to move back on
   a pipe: the bytes are dropped). */
static void drop_rbuf(FileObject *f) {
    if (f->rlen > f->rpos) lseek(f->fd, -(off_t)(f->rlen - f->rpos), SEEK_CUR);
    f->rpos = f->rlen = 0;
}

/* rpos advances by n; a big read buffer goes back once it is empty. */
static void consume(FileObject *f, size_t n) {
    f->rpos += n;
    if (f->rpos == f->rlen) {
        f->rpos = f->rlen = 0;
        if (f->rcap > FILE_RBUF_KEEP) free_rbuf(f);
    }
}

/* Make room for at least `extra` more bytes after the unread ones. */
static int reserve_rbuf(FileObject *f, size_t extra) {
    if (f->rpos) {
        memmove(f->rbuf, f->rbuf + f->rpos, f->rlen - f->rpos);
        f->rlen -= f->rpos;
        f->rpos = 0;
    }
    if (f->rcap - f->rlen >= extra) return 0;
    size_t cap = f->rcap ? f->rcap : FILE_BUFSIZE;
    while (cap - f->rlen < extra) cap *= 2;
    char *p = f->rbuf ? mem_realloc(f->rbuf, f->rcap, cap) : mem_alloc(cap);
    if (!p) {
        error_no_memory();
        return -1;
    }
    f->rbuf = p;
    f->rcap = cap;
    return 0;
}

/* Read more from the fd into rbuf, keeping the unread bytes (they move to
   the front, so callers keep offsets relative to rpos). Returns the bytes
   added, 0 at end of file, -1 on error. */
static ssize_t fill_rbuf(FileObject *f) {
    if (reserve_rbuf(f, 1) < 0) return -1; /* grows only when full */
    ssize_t n = sys_read(f->fd, f->rbuf + f->rlen, f->rcap - f->rlen);
    if (n < 0) return raise_errno();
    f->rlen += (size_t)n;
    return n;
}

/* Before reading: what was written must reach the file first. */
static int prepare_read(FileObject *f) {
    return f->stream ? 0 : flush_wbuf(f);
}

/* ---- Turning raw bytes into results ------------------------------------------------- */

static Object *make_result(FileObject *f, const char *p, size_t n) {
    if (f->binary) return bytes_from_data(p, n);
    return bytes_decode(f->codec, p, n, f->errors ? str_data(f->errors) : NULL);
}

/* Bytes in a character starting with byte c, for this file's codec. */
static size_t char_len(FileObject *f, unsigned char c) {
    return f->binary || f->codec != CODEC_UTF8 ? 1 : bytes_utf8_seq_len(c);
}

/* The byte length of the first `limit` characters (bytes, for binary files)
   of p[0..n). */
static size_t prefix_len(FileObject *f, const char *p, size_t n, size_t limit) {
    size_t pos = 0;
    for (size_t count = 0; count < limit && pos < n; count++)
        pos += char_len(f, (unsigned char)p[pos]);
    return pos < n ? pos : n;
}

/* ---- Reading from a descriptor ------------------------------------------------------- */

/* Bytes of the next line in rbuf (through its '\n', or to end of file),
   reading as much as needed. -1 on error. */
static ssize_t fd_line_len(FileObject *f) {
    size_t scanned = 0;
    for (;;) {
        size_t avail = f->rlen - f->rpos;
        if (avail > scanned) {
            const char *start = f->rbuf + f->rpos;
            const char *nl = memchr(start + scanned, '\n', avail - scanned);
            if (nl) return nl - start + 1;
        }
        scanned = avail;
        ssize_t n = fill_rbuf(f);
        if (n <= 0) return n < 0 ? -1 : (ssize_t)avail;
    }
}

/* Bytes of the next `limit` characters (bytes for binary files), complete
   ones only unless the file ends first. */
static ssize_t fd_count_len(FileObject *f, size_t limit) {
    size_t pos = 0, count = 0;
    for (;;) {
        size_t avail = f->rlen - f->rpos;
        const unsigned char *s = (const unsigned char *)f->rbuf + f->rpos;
        if (f->binary) {
            pos = avail < limit ? avail : limit;
            count = pos;
        }
        while (count < limit && pos < avail) {
            size_t len = char_len(f, s[pos]);
            if (pos + len > avail) break;
            pos += len;
            count++;
        }
        if (count == limit) return (ssize_t)pos;
        ssize_t n = fill_rbuf(f);
        if (n <= 0) return n < 0 ? -1 : (ssize_t)avail;
    }
}

/* Everything up to end of file. A regular file's size tells how much room to
   make first, so a big file is read in one or two system calls. */
static ssize_t fd_all_len(FileObject *f) {
    struct stat st;
    off_t here = lseek(f->fd, 0, SEEK_CUR);
    if (fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode) && here >= 0 && st.st_size > here &&
        reserve_rbuf(f, (size_t)(st.st_size - here) + 1) < 0)
        return -1;
    ssize_t n;
    while ((n = fill_rbuf(f)) > 0) {
        /* until end of file */
    }
    return n < 0 ? -1 : (ssize_t)(f->rlen - f->rpos);
}

/* Take `len` bytes from rbuf as the result (len < 0: an error happened). */
static Object *take_rbuf(FileObject *f, ssize_t len) {
    if (len < 0) return NULL;
    Object *r = make_result(f, f->rbuf ? f->rbuf + f->rpos : "", (size_t)len);
    if (r) consume(f, (size_t)len);
    return r;
}

/* ---- Reading from a stdio stream ---------------------------------------------------- */

/* Up to `limit` characters (limit < 0: no limit), stopping after a '\n' when
   `line`. One character at a time, so stdio's buffer holds whatever is left
   for input() and the next read. */
static Object *stream_read(FileObject *f, int64_t limit, bool line) {
    StrBuilder b; /* used as a byte buffer */
    str_builder_init(&b);
    FILE *s = f->stream;
    bool interrupted = false;
    ThreadState *ts = ts_get();
    sigint_interrupt_reads(true);
    if (limit < 0 && !line) {
        char chunk[FILE_BUFSIZE];
        size_t n;
        /* GIL: released for the whole read; the builder touches no object. */
        GIL_RELEASE(ts);
        while (!(interrupted = sigint_pending())) {
            while ((n = fread(chunk, 1, sizeof chunk, s)) > 0) str_builder_add(&b, chunk, n);
            if (!ferror(s) || errno != EINTR) break;
            clearerr(s); /* EINTR: go on unless it was a Ctrl-C for us */
        }
        GIL_ACQUIRE(ts);
    } else {
        int c = 0;
        /* GIL: released while reading the line; the builder touches no object. */
        GIL_RELEASE(ts);
        for (int64_t count = 0; (limit < 0 || count < limit) && c != '\n'; count++) {
            if ((c = file_stdio_getc(s, &interrupted)) == EOF) break;
            str_builder_add_char(&b, (char)c);
            for (size_t k = char_len(f, (unsigned char)c); k > 1; k--) {
                int d = file_stdio_getc(s, &interrupted);
                if (d == EOF) break;
                if ((d & 0xC0) != 0x80) { /* not a continuation: the next character */
                    ungetc(d, s);
                    break;
                }
                str_builder_add_char(&b, (char)d);
            }
            if (!line) c = 0;
        }
        GIL_ACQUIRE(ts);
    }
    sigint_interrupt_reads(false);
    Object *r = NULL;
    if (interrupted && error_check_interrupt() < 0) {
        /* KeyboardInterrupt is set; what was read is dropped */
    } else if (ferror(s)) {
        raise_errno();
        clearerr(s);
    } else if (b.failed) {
        error_no_memory();
    } else {
        r = make_result(f, b.data ? b.data : "", b.len);
    }
    str_builder_discard(&b);
    return r;
}

/* ---- Read operations ------------------------------------------------------------------ */

/* The next line, at most `limit` characters of it (limit < 0: all). */
static Object *read_line(FileObject *f, int64_t limit) {
    if (prepare_read(f) < 0) return NULL;
    if (f->stream) return stream_read(f, limit, true);
    ssize_t len = fd_line_len(f);
    if (len > 0 && limit >= 0)
        len = (ssize_t)prefix_len(f, f->rbuf + f->rpos, (size_t)len, (size_t)limit);
    return take_rbuf(f, len);
}

/* `n` characters (bytes for binary files), or everything when n < 0. */
static Object *read_count(FileObject *f, int64_t n) {
    if (prepare_read(f) < 0) return NULL;
    if (f->stream) return stream_read(f, n, false);
    return take_rbuf(f, n < 0 ? fd_all_len(f) : fd_count_len(f, (size_t)n));
}

/* ---- Write operations ------------------------------------------------------------------ */

static int write_raw(FileObject *f, const char *p, size_t n) {
    if (f->stream) {
        /* GIL: released for large writes, which may block on a full pipe;
           small ones only copy into stdio's buffer. */
        ThreadState *ts = ts_get();
        bool release = n >= FILE_BUFSIZE;
        if (release) GIL_RELEASE(ts);
        bool ok = n == 0 || fwrite(p, 1, n, f->stream) == n;
        if (release) GIL_ACQUIRE(ts);
        if (!ok) {
            clearerr(f->stream);
            return raise_errno();
        }
        return 0;
    }
    drop_rbuf(f);
    if (f->wlen + n > FILE_BUFSIZE && flush_wbuf(f) < 0) return -1;
    if (f->unbuffered || n >= FILE_BUFSIZE) /* large writes skip the buffer */
        return sys_write_all(f->fd, p, n) < 0 ? raise_errno() : 0;
    if (!f->wbuf && !(f->wbuf = mem_alloc(FILE_BUFSIZE))) {
        error_no_memory();
        return -1;
    }
    memcpy(f->wbuf + f->wlen, p, n);
    f->wlen += n;
    return 0;
}

static int flush_file(FileObject *f) {
    if (!f->stream) return flush_wbuf(f);
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while stdio writes its buffer out */
    int r = fflush(f->stream);
    GIL_ACQUIRE(ts);
    if (r == EOF) {
        clearerr(f->stream);
        return raise_errno();
    }
    return 0;
}

/* write(s) of a text file: returns the characters written, -1 on error. */
static int64_t write_text(FileObject *f, Object *s) {
    if (!is_str(s)) {
        error_set(&exc_TypeError, "write() argument must be str, not %s", arg_type_name(s));
        return -1;
    }
    if (check_open(f, CLOSED_DOT, NULL) < 0) return -1;
    if (!f->writable) return unsupported("not writable");
    const char *p = str_data(s);
    size_t n = str_len(s);
    Object *encoded = NULL;
    if (f->codec != CODEC_UTF8 && !((StrObject *)s)->ascii) {
        encoded = bytes_encode(f->codec, s, f->errors ? str_data(f->errors) : NULL);
        if (!encoded) return -1;
        p = bytes_data(encoded);
        n = bytes_size(encoded);
    }
    int r = write_raw(f, p, n);
    XDECREF(encoded);
    if (r == 0 && f->line_buffering && memchr(str_data(s), '\n', str_len(s))) r = flush_file(f);
    return r < 0 ? -1 : (int64_t)((StrObject *)s)->nchars;
}

/* write(b) of a binary file: returns the bytes written, -1 on error. */
static int64_t write_binary(FileObject *f, Object *b) {
    if (!f->writable) return unsupported("write");
    Buffer view; /* bytes, bytearray, memoryview, array.array */
    if (buffer_get(b, &view) < 0) return -1;
    int64_t r = check_open(f, NULL, "write to closed file") < 0 ? -1
              : write_raw(f, view.data, view.len) < 0 ? -1 : (int64_t)view.len;
    buffer_release(&view);
    return r;
}

static int64_t write_object(FileObject *f, Object *o) {
    return f->binary ? write_binary(f, o) : write_text(f, o);
}

/* ---- Closing ------------------------------------------------------------------------ */

/* Flush, then close the descriptor (files from open() with closefd). The
   file counts as closed even when flushing fails. */
static int close_file(FileObject *f) {
    if (f->closed) return 0;
    int r = flush_file(f);
    atomic_store_explicit((_Atomic bool *)&f->closed, true, memory_order_relaxed);
    open_files_unlink(f);
    if (!f->stream && f->closefd) {
        /* close() of a regular file or pipe does not block for long: the
           GIL is kept. */
        if (close(f->fd) < 0 && r == 0) r = raise_errno();
    }
    f->fd = -1;
    free_rbuf(f);
    if (f->wbuf) mem_free(f->wbuf, FILE_BUFSIZE);
    f->wbuf = NULL;
    f->wlen = 0;
    return r;
}

static void file_dealloc(Object *self) {
    FileObject *f = F(self);
    open_files_unlink(f);
    if (!f->closed) {
        /* CPython reports a failing implicit close as "Exception ignored";
           Toy drops it, and keeps any exception already being raised. */
        Object *pending = error_fetch();
        close_file(f);
        error_clear();
        if (pending) error_restore(pending);
    }
    XDECREF(f->name);
    XDECREF(f->mode);
    XDECREF(f->encoding);
    XDECREF(f->errors);
    object_free(self, sizeof(FileObject));
}

/* ---- Methods -------------------------------------------------------------------------- */

/* The size argument of read/readline/readlines: an int, None or absent (-1). */
static int size_arg(Object *const *args, size_t nargs, int64_t *out, bool index_msg) {
    *out = -1;
    if (nargs == 0 || args[0] == None) return 0;
    if (!is_int(args[0]) && !TYPE(args[0])->index) {
        if (index_msg) return object_as_index(args[0], out, NULL);
        error_set(&exc_TypeError, "argument should be integer or None, not '%s'", TYPE_NAME(args[0]));
        return -1;
    }
    return object_as_index(args[0], out, NULL);
}

static Object *file_read(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    FileObject *f = F(self);
    int64_t n;
    /* a binary writer has no read at all: its arguments are never looked at */
    if (f->binary && !f->readable) return unsupported("read"), NULL;
    if (args_check("read", nargs, kwnames, 0, 1) < 0 || size_arg(args, nargs, &n, false) < 0 ||
        check_readable(f, "read of closed file") < 0)
        return NULL;
    return read_count(f, n);
}

static Object *file_readline(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    FileObject *f = F(self);
    int64_t n;
    if (args_check("readline", nargs, kwnames, 0, 1) < 0 || size_arg(args, nargs, &n, !f->binary) < 0)
        return NULL;
    /* a binary writer's readline is the generic one, which reads nothing
       (and so checks nothing) for a size of 0 */
    if (f->binary && !f->readable && n == 0) return bytes_new_raw(0);
    if (check_readable(f, "readline of closed file") < 0) return NULL;
    return read_line(f, n);
}

static bool is_empty_result(Object *o) {
    return is_bytes(o) ? bytes_size(o) == 0 : str_len(o) == 0;
}

/* readlines(hint=-1): lines until end of file, or until they total more
   than hint characters (CPython's IOBase.readlines). */
static Object *file_readlines(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    FileObject *f = F(self);
    int64_t hint;
    if (args_check("readlines", nargs, kwnames, 0, 1) < 0 || size_arg(args, nargs, &hint, false) < 0)
        return NULL;
    if (check_open(f, CLOSED_DOT, CLOSED_DOT) < 0) return NULL;
    /* CPython's readlines iterates with next(): a text file's tell() stays
       disabled unless the end of the file is reached */
    if (!f->binary) f->telling_off = true;
    if (check_readable(f, CLOSED_DOT) < 0) return NULL;
    Object *list = list_new(0);
    int64_t total = 0;
    while (list) {
        Object *line = read_line(f, -1);
        if (!line) {
            CLEAR(&list);
            break;
        }
        if (is_empty_result(line)) {
            DECREF(line);
            f->telling_off = false;
            break;
        }
        total += is_bytes(line) ? (int64_t)bytes_size(line) : (int64_t)((StrObject *)line)->nchars;
        if (list_append_steal(list, line) < 0) CLEAR(&list);
        else if (hint > 0 && total > hint) break;
    }
    return list;
}

static Object *file_write(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("write", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t n = write_object(F(self), args[0]);
    return n < 0 ? NULL : int_from_i64(n);
}

/* One line of writelines, under the lock: the iteration between the lines
   runs Toy code, which may use the file too. */
static int write_one(Object *self, Object *item) {
    if (file_lock(F(self)) < 0) return -1;
    int64_t r = write_object(F(self), item);
    file_unlock(F(self));
    return r < 0 ? -1 : 0;
}

/* check_open with CPython's "I/O operation on closed file." for both kinds,
   for a method that does the rest of its work without the lock. */
static int check_open_now(FileObject *f) {
    if (file_lock(f) < 0) return -1;
    int r = check_open(f, CLOSED_DOT, CLOSED_DOT);
    file_unlock(f);
    return r;
}

static Object *file_writelines(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("writelines", nargs, kwnames, 1, 1) < 0 || check_open_now(F(self)) < 0)
        return NULL;
    return object_writelines(self, args[0], write_one);
}

/* flush() of an open file; a closed one raises (a binary file that can
   write says so in CPython's words). */
static int flush_open_file(FileObject *f) {
    const char *binary_msg = f->writable ? "flush of closed file" : CLOSED_DOT;
    return check_open(f, CLOSED_DOT, binary_msg) < 0 ? -1 : flush_file(f);
}

static Object *file_flush_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("flush", nargs, kwnames, 0, 0) < 0 || flush_open_file(F(self)) < 0) return NULL;
    return NEWREF(None);
}

/* The position the program sees (see the invariant at the top). */
static int64_t file_position(FileObject *f) {
    if (f->stream) {
        off_t pos = ftello(f->stream);
        return pos < 0 ? raise_errno() : (int64_t)pos;
    }
    if (flush_wbuf(f) < 0) return -1;
    off_t pos = lseek(f->fd, 0, SEEK_CUR);
    if (pos < 0) return raise_errno();
    return (int64_t)pos - (int64_t)(f->rlen - f->rpos);
}

static Object *file_tell(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("tell", nargs, kwnames, 0, 0) < 0 || check_open(F(self), CLOSED_DOT, CLOSED) < 0)
        return NULL;
    if (F(self)->telling_off) {
        error_set(&exc_OSError, "telling position disabled by next() call");
        return NULL;
    }
    int64_t pos = file_position(F(self));
    return pos < 0 ? NULL : int_from_i64(pos);
}

/* Text files accept only what their cookies allow: an absolute position, or
   0 relative to the current position or the end. */
static int check_text_seek(int64_t offset, int64_t whence) {
    if (whence < 0 || whence > 2) {
        error_set(&exc_ValueError, "invalid whence (%lld, should be 0, 1 or 2)", (long long)whence);
        return -1;
    }
    if (whence == 1 && offset != 0) return unsupported("can't do nonzero cur-relative seeks");
    if (whence == 2 && offset != 0) return unsupported("can't do nonzero end-relative seeks");
    if (offset < 0) {
        error_set(&exc_ValueError, "negative seek position %lld", (long long)offset);
        return -1;
    }
    return 0;
}

static Object *file_seek(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    FileObject *f = F(self);
    int64_t offset, whence = 0;
    if (args_check("seek", nargs, kwnames, 1, 2) < 0 ||
        check_open(f, CLOSED_DOT, "seek of closed file") < 0)
        return NULL;
    /* a text file compares the cookie with 0 first */
    if (!f->binary && !is_int(args[0]) && !is_float(args[0]))
        return error_set(&exc_TypeError, "'<' not supported between instances of '%s' and 'int'",
                         TYPE_NAME(args[0]));
    if (object_as_index(args[0], &offset, NULL) < 0 ||
        (nargs > 1 && object_as_index(args[1], &whence, NULL) < 0) ||
        (!f->binary && check_text_seek(offset, whence) < 0))
        return NULL;
    off_t pos;
    f->telling_off = false;
    if (f->stream) {
        if (fseeko(f->stream, (off_t)offset, (int)whence) < 0 || (pos = ftello(f->stream)) < 0)
            return raise_errno(), NULL;
        return int_from_i64((int64_t)pos);
    }
    if (flush_wbuf(f) < 0) return NULL;
    if (whence == SEEK_CUR) offset -= (int64_t)(f->rlen - f->rpos); /* from the program's position */
    f->rpos = f->rlen = 0;
    if ((pos = lseek(f->fd, (off_t)offset, (int)whence)) < 0) return raise_errno(), NULL;
    return int_from_i64((int64_t)pos);
}

static Object *file_truncate(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    FileObject *f = F(self);
    if (args_check("truncate", nargs, kwnames, 0, 1) < 0 ||
        check_open(f, CLOSED_DOT, "truncate of closed file") < 0)
        return NULL;
    if (!f->writable) return unsupported("truncate"), NULL;
    int64_t size;
    if (nargs && args[0] != None) {
        if (object_as_index(args[0], &size, NULL) < 0) return NULL;
    } else if ((size = file_position(f)) < 0) {
        return NULL;
    }
    if (flush_file(f) < 0) return NULL;
    int fd = f->stream ? fileno(f->stream) : f->fd;
    if (ftruncate(fd, (off_t)size) < 0) return raise_errno(), NULL;
    return int_from_i64(size);
}

static Object *file_close_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("close", nargs, kwnames, 0, 0) < 0 || close_file(F(self)) < 0) return NULL;
    return NEWREF(None);
}

static int file_fd(FileObject *f) { return f->stream ? fileno(f->stream) : f->fd; }

static Object *file_fileno(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("fileno", nargs, kwnames, 0, 0) < 0 || check_open(F(self), CLOSED, CLOSED) < 0)
        return NULL;
    return int_from_i64(file_fd(F(self)));
}

/* readable / writable / seekable / isatty: which = 'r' 'w' 's' 't'. */
static Object *file_query(Object *self, size_t nargs, Object *kwnames, const char *fname, char which) {
    FileObject *f = F(self);
    if (args_check(fname, nargs, kwnames, 0, 0) < 0 || check_open(f, CLOSED, CLOSED) < 0) return NULL;
    switch (which) {
    case 'r': return bool_from(f->readable);
    case 'w': return bool_from(f->writable);
    case 's': return bool_from(lseek(file_fd(f), 0, SEEK_CUR) >= 0);
    default: return bool_from(isatty(file_fd(f)));
    }
}

static Object *file_readable(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    return file_query(self, nargs, kwnames, "readable", 'r');
}

static Object *file_writable(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    return file_query(self, nargs, kwnames, "writable", 'w');
}

static Object *file_seekable(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    return file_query(self, nargs, kwnames, "seekable", 's');
}

static Object *file_isatty(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    return file_query(self, nargs, kwnames, "isatty", 't');
}

static Object *file_enter(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("__enter__", nargs, kwnames, 0, 0) < 0 || check_open(F(self), CLOSED_DOT, CLOSED_DOT) < 0)
        return NULL;
    return NEWREF(self);
}

/* __exit__(exc_type, exc, tb): close; never swallows the exception. */
static Object *file_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    if (close_file(F(self)) < 0) return NULL;
    return NEWREF(None);
}

/* ---- Iteration: a file is its own iterator over lines ----------------------------------- */

static Object *file_iter(Object *self) {
    return check_open_now(F(self)) < 0 ? NULL : NEWREF(self);
}

static Object *file_next_line(FileObject *f) {
    /* next() on a text file disables tell() first (even when it then fails);
       tell() works again once the iteration has ended */
    if (!f->binary) f->telling_off = true;
    if (check_readable(f, "readline of closed file") < 0) return NULL;
    Object *line = read_line(f, -1);
    if (!f->binary && line) f->telling_off = !is_empty_result(line);
    if (line && is_empty_result(line)) CLEAR(&line); /* end of file: exhausted, no exception */
    return line;
}

static Object *file_iternext(Object *self) {
    if (file_lock(F(self)) < 0) return NULL;
    Object *line = file_next_line(F(self));
    file_unlock(F(self));
    return line;
}

static Object *file_iter_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("__iter__", nargs, kwnames, 0, 0) < 0) return NULL;
    return file_iter(self);
}

static Object *file_next_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("__next__", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *line = file_iternext(self);
    if (!line && !error_occurred()) {
        Object *none = tuple_new(0);
        Object *stop = none ? exception_new(&exc_StopIteration, none) : NULL;
        XDECREF(none);
        if (stop) {
            error_set_instance(stop);
            DECREF(stop);
        }
    }
    return line;
}

/* ---- Attributes and repr -------------------------------------------------------------- */

static Object *file_getattr(Object *self, Object *name) {
    FileObject *f = F(self);
    const char *n = str_data(name);
    if (strcmp(n, "closed") == 0) /* read without the lock: a close may be under way */
        return bool_from(atomic_load_explicit((_Atomic bool *)&f->closed, memory_order_relaxed));
    if (strcmp(n, "name") == 0) return NEWREF(f->name);
    if (strcmp(n, "mode") == 0) return NEWREF(f->mode);
    if (f->encoding && strcmp(n, "encoding") == 0) return NEWREF(f->encoding);
    if (f->errors && strcmp(n, "errors") == 0) return NEWREF(f->errors);
    return object_generic_getattr(self, name);
}

/* <_io.TextIOWrapper name='x' mode='r' encoding='UTF-8'>, <_io.BufferedReader name='x'> */
static Object *file_repr(Object *self) {
    FileObject *f = F(self);
    Object *name = object_repr(f->name);
    if (!name) return NULL;
    Object *r;
    if (f->binary) {
        r = str_from_format("<%s name=%s>", TYPE_NAME(self), str_data(name));
    } else {
        Object *mode = object_repr(f->mode);
        Object *enc = mode ? object_repr(f->encoding) : NULL;
        r = enc ? str_from_format("<%s name=%s mode=%s encoding=%s>", TYPE_NAME(self),
                                  str_data(name), str_data(mode), str_data(enc))
                : NULL;
        XDECREF(mode);
        XDECREF(enc);
    }
    DECREF(name);
    return r;
}

typedef Object *(*FileMethod)(Object *self, Object *const *args, size_t nargs, Object *kwnames);

/* fn(self, *args) under the file's lock. With index_args, an argument with
   __index__ (a size, a position) is made an int first, without the lock, as
   CPython converts its arguments before it locks: that __index__ may use
   the file too. */
static Object *call_locked(FileMethod fn, Object *self, Object *const *args, size_t nargs,
                           Object *kwnames, bool index_args) {
    Object *ints[2] = {NULL, NULL}, *argv[2];
    for (size_t i = 0; i < nargs && i < 2; i++) {
        argv[i] = args[i];
        if (!index_args || is_int(args[i]) || !TYPE(args[i])->index) continue;
        if (!(argv[i] = ints[i] = object_index(args[i]))) {
            XDECREF(ints[0]);
            return NULL;
        }
    }
    Object *r = NULL;
    if (file_lock(F(self)) == 0) {
        r = fn(self, nargs <= 2 ? argv : args, nargs, kwnames);
        file_unlock(F(self));
    }
    XDECREF(ints[0]);
    XDECREF(ints[1]);
    return r;
}

/* The method locked_fn: fn run start to end under the file's lock. A text
   file's seek compares its cookie with 0 before anything (a TypeError for
   an object that only has __index__): its argument is left as it is. */
#define LOCKED(fn, index_args)                                                                  \
    static Object *locked_##fn(Object *self, Object *const *args, size_t nargs, Object *kwnames) { \
        return call_locked(fn, self, args, nargs, kwnames, index_args);                         \
    }
LOCKED(file_read, true)
LOCKED(file_readline, true)
LOCKED(file_readlines, true)
LOCKED(file_write, false)
LOCKED(file_flush_method, false)
LOCKED(file_seek, F(self)->binary)
LOCKED(file_tell, false)
LOCKED(file_truncate, true)
LOCKED(file_close_method, false)
LOCKED(file_fileno, false)
LOCKED(file_readable, false)
LOCKED(file_writable, false)
LOCKED(file_seekable, false)
LOCKED(file_isatty, false)
LOCKED(file_enter, false)
LOCKED(file_exit, false)
#undef LOCKED

static const MethodDef file_methods[] = {
    {"read", locked_file_read, "read(size=-1): up to size characters (bytes), all if negative."},
    {"readline", locked_file_readline, "The next line, with its '\\n' ('' at end of file)."},
    {"readlines", locked_file_readlines, NULL},
    {"write", locked_file_write, "Write a str (text) or bytes (binary); returns the count."},
    {"writelines", file_writelines, NULL},
    {"flush", locked_file_flush_method, NULL},
    {"seek", locked_file_seek, NULL},
    {"tell", locked_file_tell, NULL},
    {"truncate", locked_file_truncate, NULL},
    {"close", locked_file_close_method, NULL},
    {"fileno", locked_file_fileno, NULL},
    {"readable", locked_file_readable, NULL},
    {"writable", locked_file_writable, NULL},
    {"seekable", locked_file_seekable, NULL},
    {"isatty", locked_file_isatty, NULL},
    {"__enter__", locked_file_enter, NULL},
    {"__exit__", locked_file_exit, NULL},
    {"__iter__", file_iter_method, NULL},
    {"__next__", file_next_method, NULL},
    {NULL, NULL, NULL},
};

/* Files are not containers the collector tracks (they hold only strs and
   ints), but gc.freeze(immortal=True) follows this slot to make what a
   frozen file holds immortal with it (objects/immortal.h). */
static int file_traverse(Object *self, VisitFunc visit, void *arg) {
    FileObject *f = F(self);
    Object *held[] = {f->name, f->mode, f->encoding, f->errors};
    for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
        int r = held[i] ? visit(held[i], arg) : 0;
        if (r) return r;
    }
    return 0;
}

#define FILE_TYPE(var, tname)                   \
    Type var = {                                \
        TYPE_HEAD_INIT,                         \
        .name = tname,                          \
        .base_type = &object_type,              \
        .instance_size = sizeof(FileObject),    \
        .methods = file_methods,                \
        .dealloc = file_dealloc,                \
        .repr = file_repr,                      \
        .hash = object_identity_hash,           \
        .getattr = file_getattr,                \
        .iter = file_iter,                      \
        .iternext = file_iternext,              \
        .traverse = file_traverse,              \
    }

FILE_TYPE(file_text_type, "_io.TextIOWrapper");
FILE_TYPE(file_reader_type, "_io.BufferedReader");
FILE_TYPE(file_writer_type, "_io.BufferedWriter");
FILE_TYPE(file_random_type, "_io.BufferedRandom");

/* ---- open() ----------------------------------------------------------------------- */

typedef struct {
    bool read, write, append, create, plus, binary, text;
} ModeFlags;

static int parse_mode(const char *mode, ModeFlags *m) {
    memset(m, 0, sizeof *m);
    for (const char *c = mode; *c; c++) {
        bool *flag = *c == 'r' ? &m->read : *c == 'w' ? &m->write : *c == 'a' ? &m->append
                   : *c == 'x' ? &m->create : *c == '+' ? &m->plus : *c == 'b' ? &m->binary
                   : *c == 't' ? &m->text : NULL;
        if (!flag || *flag) { /* unknown or repeated */
            error_set(&exc_ValueError, "invalid mode: '%s'", mode);
            return -1;
        }
        *flag = true;
    }
    if (m->text && m->binary) {
        error_set(&exc_ValueError, "can't have text and binary mode at once");
        return -1;
    }
    if (m->read + m->write + m->append + m->create > 1) {
        error_set(&exc_ValueError, "must have exactly one of create/read/write/append mode");
        return -1;
    }
    return 0;
}

/* The mode attribute of a binary file: FileIO's normalised spelling. */
static const char *binary_mode_name(const ModeFlags *m) {
    if (m->create) return m->plus ? "xb+" : "xb";
    if (m->append) return m->plus ? "ab+" : "ab";
    if (m->read) return m->plus ? "rb+" : "rb";
    return m->plus ? "rb+" : "wb";
}

static int open_flags(const ModeFlags *m) {
    int flags = O_CLOEXEC | (m->plus ? O_RDWR : m->read ? O_RDONLY : O_WRONLY);
    if (m->write) flags |= O_CREAT | O_TRUNC;
    if (m->append) flags |= O_CREAT | O_APPEND;
    if (m->create) flags |= O_CREAT | O_EXCL;
    return flags;
}

/* The arguments of open() after type checks. */
typedef struct {
    Object *file;            /* str, bytes or int */
    const char *mode;
    int64_t buffering;
    Object *encoding, *errors, *newline; /* str or NULL */
    bool closefd;
} OpenArgs;

/* encoding=, errors=, newline=: a str or None. */
static int optional_str(Object *o, const char *what, Object **out) {
    *out = NULL;
    if (!o || o == None) return 0;
    if (!is_str(o)) {
        error_set(&exc_TypeError, "open() argument '%s' must be str or None, not %s", what, TYPE_NAME(o));
        return -1;
    }
    *out = o;
    return 0;
}

static int parse_open_args(Object *const *args, size_t nargs, Object *kwnames, OpenArgs *oa) {
    static const char *const names[] = {"file", "mode", "buffering", "encoding", "errors",
                                        "newline", "closefd", "opener", NULL};
    Object *a[8];
    if (args_parse("open", args, nargs, kwnames, names, 1, a) < 0) return -1;
    oa->file = a[0];
    if (!is_str(a[0]) && !is_bytes(a[0]) && !is_int(a[0])) {
        error_set(&exc_TypeError, "expected str, bytes or os.PathLike object, not %s", TYPE_NAME(a[0]));
        return -1;
    }
    oa->mode = "r";
    if (a[1]) {
        if (!is_str(a[1])) {
            error_set(&exc_TypeError, "open() argument 'mode' must be str, not %s", arg_type_name(a[1]));
            return -1;
        }
        oa->mode = str_data(a[1]);
    }
    oa->buffering = -1;
    if (a[2] && object_as_index(a[2], &oa->buffering, NULL) < 0) return -1;
    if (optional_str(a[3], "encoding", &oa->encoding) < 0 || optional_str(a[4], "errors", &oa->errors) < 0 ||
        optional_str(a[5], "newline", &oa->newline) < 0)
        return -1;
    int closefd = a[6] ? object_truth(a[6]) : 1;
    if (closefd < 0) return -1;
    oa->closefd = closefd;
    if (a[7] && a[7] != None) {
        error_set(&exc_TypeError, "open() argument 'opener' is not supported by Toy");
        return -1;
    }
    return 0;
}

/* The checks CPython makes before touching the file system. */
static int check_open_args(const OpenArgs *oa, const ModeFlags *m) {
    const char *bad = !m->binary ? NULL
                    : oa->encoding ? "binary mode doesn't take an encoding argument"
                    : oa->errors ? "binary mode doesn't take an errors argument"
                    : oa->newline ? "binary mode doesn't take a newline argument" : NULL;
    if (!bad && !m->read && !m->write && !m->append && !m->create)
        bad = "Must have exactly one of create/read/write/append mode and at most one plus";
    if (!bad && is_int(oa->file) && int_value(oa->file) < 0) bad = "negative file descriptor";
    if (!bad && !is_int(oa->file) && !oa->closefd) bad = "Cannot use closefd=False with file name";
    if (bad) {
        error_set(&exc_ValueError, "%s", bad);
        return -1;
    }
    return 0;
}

/* The descriptor for oa->file: open(2) on a path, or the given fd. Refuses
   directories as CPython does (IsADirectoryError even for reading). */
static int open_descriptor(const OpenArgs *oa, const ModeFlags *m) {
    int fd;
    if (is_int(oa->file)) {
        fd = (int)int_value(oa->file);
    } else {
        const char *path;
        if (fspath_arg("open", oa->file, &path) < 0) return -1;
        ThreadState *ts = ts_get();
        GIL_RELEASE(ts); /* GIL: released: opening a FIFO blocks until a peer opens it */
        do {
            fd = open(path, open_flags(m), 0666);
        } while (fd < 0 && errno == EINTR);
        GIL_ACQUIRE(ts);
        if (fd < 0) {
            error_set_from_errno(errno, oa->file);
            return -1;
        }
    }
    struct stat st;
    int err = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (err) {
        if (oa->closefd) close(fd);
        error_set_from_errno(err, is_int(oa->file) ? NULL : oa->file);
        return -1;
    }
    if (m->append) lseek(fd, 0, SEEK_END); /* tell() starts at the end */
    return fd;
}

/* Text-layer settings, checked once the file is open (CPython's order: a
   bad encoding for a missing file reports the missing file). */
static int text_settings(const OpenArgs *oa, Codec *codec) {
    *codec = CODEC_UTF8;
    if (oa->buffering == 0) {
        error_set(&exc_ValueError, "can't have unbuffered text I/O");
        return -1;
    }
    if (oa->encoding && bytes_codec_lookup(str_data(oa->encoding), codec) < 0) return -1;
    if (oa->newline) {
        const char *nl = str_data(oa->newline);
        if (strcmp(nl, "\r") == 0 || strcmp(nl, "\r\n") == 0) {
            error_set(&exc_ValueError, "newline=%s: Toy does not translate newlines", nl[1] ? "'\\r\\n'" : "'\\r'");
            return -1;
        }
        if (nl[0] && strcmp(nl, "\n") != 0) {
            error_set(&exc_ValueError, "illegal newline value: %s", nl);
            return -1;
        }
    }
    return 0;
}

static Type *file_type_for(const ModeFlags *m) {
    if (!m->binary) return &file_text_type;
    if (m->plus) return &file_random_type;
    return m->read ? &file_reader_type : &file_writer_type;
}

/* A new file object owning fd. */
static Object *file_new(Type *type, int fd, Object *name, const char *mode) {
    FileObject *f = (FileObject *)object_alloc(type, sizeof(FileObject));
    if (!f) return NULL;
    f->fd = fd;
    f->closefd = true;
    open_files_link(f);
    f->name = NEWREF(name);
    f->mode = str_from_cstr(mode);
    if (!f->mode) {
        f->closed = true; /* dealloc must not close the caller's fd */
        DECREF(f);
        return NULL;
    }
    return (Object *)f;
}

Object *file_open_builtin(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    OpenArgs oa;
    ModeFlags m;
    Codec codec = CODEC_UTF8;
    if (parse_open_args(args, nargs, kwnames, &oa) < 0 || parse_mode(oa.mode, &m) < 0 ||
        check_open_args(&oa, &m) < 0)
        return NULL;
    int fd = open_descriptor(&oa, &m);
    if (fd < 0) return NULL;
    if (!m.binary && text_settings(&oa, &codec) < 0) {
        if (oa.closefd) close(fd);
        return NULL;
    }
    Object *o = file_new(file_type_for(&m), fd, oa.file, m.binary ? binary_mode_name(&m) : oa.mode);
    if (!o) {
        if (oa.closefd) close(fd);
        return NULL;
    }
    FileObject *f = F(o);
    f->closefd = oa.closefd;
    f->readable = m.read || m.plus;
    f->writable = !m.read || m.plus;
    f->binary = m.binary;
    f->codec = codec;
    f->unbuffered = m.binary && oa.buffering == 0;
    f->line_buffering = !m.binary && oa.buffering == 1;
    if (!m.binary) {
        f->encoding = oa.encoding ? NEWREF(oa.encoding) : str_from_cstr("UTF-8");
        f->errors = oa.errors ? NEWREF(oa.errors) : str_from_cstr("strict");
        if (!f->encoding || !f->errors) CLEAR(&o);
    }
    return o;
}

/* ---- Standard streams ---------------------------------------------------------------- */

Object *file_std_stream(int fd) {
    static const char *const names[] = {"<stdin>", "<stdout>", "<stderr>"};
    if (fd < 0 || fd > 2) return error_set(&exc_ValueError, "not a standard stream: %d", fd);
    Object *name = str_from_cstr(names[fd]);
    if (!name) return NULL;
    Object *o = file_new(&file_text_type, fd, name, fd == 0 ? "r" : "w");
    DECREF(name);
    if (!o) return NULL;
    FileObject *f = F(o);
    f->stream = fd == 0 ? stdin : fd == 1 ? stdout : stderr;
    f->closefd = false;
    f->readable = fd == 0;
    f->writable = fd != 0;
    f->codec = CODEC_UTF8;
    f->encoding = str_from_cstr("utf-8");
    f->errors = str_from_cstr("strict");
    if (!f->encoding || !f->errors) CLEAR(&o);
    return o;
}

/* ---- print()'s path ------------------------------------------------------------------ */

int file_write_str(Object *file, Object *s) {
    if (is_file(file)) return write_one(file, s);
    Object *r = object_call_method(file, "write", &s, 1);
    if (!r) return -1;
    DECREF(r);
    return 0;
}

int file_flush(Object *file) {
    if (is_file(file)) {
        if (file_lock(F(file)) < 0) return -1;
        int r = flush_open_file(F(file));
        file_unlock(F(file));
        return r;
    }
    Object *r = object_call_method(file, "flush", NULL, 0);
    if (!r) return -1;
    DECREF(r);
    return 0;
}

/* ---- Path arguments (open, and the os functions) ---------------------------------------------------------------- */

static int no_nul(const char *p, size_t n) {
    if (strlen(p) == n) return 0;
    error_set(&exc_ValueError, "embedded null byte");
    return -1;
}

int fspath_arg(const char *fname, Object *o, const char **out) {
    if (is_str(o)) {
        *out = str_data(o);
        return no_nul(*out, str_len(o));
    }
    if (is_bytes(o)) {
        *out = bytes_data(o);
        return no_nul(*out, bytes_size(o));
    }
    error_set(&exc_TypeError, "%s: path should be string, bytes or os.PathLike, not %s", fname,
              o == None ? "NoneType" : TYPE_NAME(o));
    return -1;
}

/* No thread state (and no GIL) is left by now: plain write(2) calls, whose
   errors have nowhere to go. A file whose lock a daemon thread still holds
   is left as it is. */
void file_flush_at_exit(void) {
    for (FileObject *f = open_files; f; f = f->open_next) {
        if (atomic_load_explicit(&f->holder, memory_order_acquire) != 0) continue;
        size_t done = 0;
        while (done < f->wlen) {
            ssize_t r = write(f->fd, f->wbuf + done, f->wlen - done);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            done += (size_t)r;
        }
        f->wlen = 0;
    }
}
