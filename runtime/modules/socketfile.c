/* socketfile.c - the files socket.makefile() returns: buffered reading and
 * writing over a socket, in text (str lines, like _io.TextIOWrapper) or in
 * binary (bytes, like _io.BufferedReader / BufferedWriter / BufferedRWPair).
 *
 * A file holds a reference to its socket and counts in its io_refs, so the
 * socket's descriptor stays open until the file is closed too (socket.h).
 * Reads go through socket_recv_into and writes through socket_send_all, so
 * they honour the socket's timeout and release the GIL while they wait.
 *
 * Buffers: bytes received but not yet returned wait in rbuf[rstart, rend);
 * bytes written wait in wbuf until flush(), close(), or until the buffer
 * holds a whole chunk. The GIL protects both: a recv fills a local buffer
 * that is appended once the GIL is back, and a flush takes wbuf out of the
 * object while it sends, so a second thread using the same file never sees
 * a buffer that moves under it.
 *
 * Text files decode with the codecs of objects/bytes.h (utf-8 by default)
 * and treat newlines as CPython's TextIOWrapper does: newline=None reads
 * "\r\n" and "\r" as "\n"; '' splits lines at all three without changing
 * them; '\n', '\r', '\r\n' split only there, and the last two are what "\n"
 * becomes when written.
 */
#include "modules/socket.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/str.h"

#define CHUNK 8192

typedef enum { NL_UNIVERSAL, NL_ANY, NL_LF, NL_CR, NL_CRLF } Newline;

typedef struct {
    Object base;
    SocketObject *sock;     /* owned; NULL once closed */
    int fd;                 /* the socket's descriptor when opened: the name */
    bool text, reading, writing;
    Newline newline;        /* text files */
    Codec codec;
    char errors[16];
    char mode[16];
    char *rbuf;
    size_t rcap, rstart, rend;
    bool eof;
    char *wbuf;
    size_t wcap, wlen, wlimit;
} SocketFile;

#define SF(o) ((SocketFile *)(o))

static const char CLOSED_DOT[] = "I/O operation on closed file.";

/* ---- Checks ----------------------------------------------------------------------- */

static int check_open(SocketFile *f) {
    if (f->sock) return 0;
    error_set(&exc_ValueError, "%s", CLOSED_DOT);
    return -1;
}

static int check_readable(SocketFile *f) {
    if (check_open(f) < 0) return -1;
    if (f->reading) return 0;
    error_set(&exc_UnsupportedOperation, f->text ? "not readable" : "read");
    return -1;
}

static int check_writable(SocketFile *f) {
    if (check_open(f) < 0) return -1;
    if (f->writing) return 0;
    error_set(&exc_UnsupportedOperation, f->text ? "not writable" : "write");
    return -1;
}

/* ---- Reading ------------------------------------------------------------------------ */

static size_t buffered(SocketFile *f) { return f->rend - f->rstart; }

/* Make room for n more bytes at rend. 0 / -1. */
static int reserve_read(SocketFile *f, size_t n) {
    if (f->rstart > 0) { /* slide what is left to the front */
        memmove(f->rbuf, f->rbuf + f->rstart, buffered(f));
        f->rend -= f->rstart;
        f->rstart = 0;
    }
    if (f->rcap - f->rend >= n) return 0;
    size_t cap = f->rcap ? f->rcap : CHUNK;
    while (cap - f->rend < n) cap *= 2;
    char *grown = mem_realloc(f->rbuf, f->rcap, cap);
    if (!grown) {
        error_no_memory();
        return -1;
    }
    f->rbuf = grown;
    f->rcap = cap;
    return 0;
}

/* Receive more: 1 got some, 0 end of stream, -1 error. */
static int fill(SocketFile *f) {
    if (f->eof) return 0;
    char chunk[CHUNK];
    SocketObject *sock = f->sock;
    INCREF(sock); /* another thread may close the file while we wait */
    ssize_t n = socket_recv_into(sock, chunk, sizeof(chunk));
    DECREF(sock);
    if (n < 0) return -1;
    if (n == 0) {
        f->eof = true;
        return 0;
    }
    if (check_open(f) < 0 || reserve_read(f, (size_t)n) < 0) return -1;
    memcpy(f->rbuf + f->rend, chunk, (size_t)n);
    f->rend += (size_t)n;
    return 1;
}

static bool char_start(unsigned char c) { return (c & 0xC0) != 0x80; }

/* Where the line starting at rstart ends (one past its terminator), given
   the bytes buffered so far, or 0 when more bytes are needed to know. */
static size_t find_line_end(SocketFile *f, size_t from) {
    const char *p = f->rbuf;
    for (size_t i = from; i < f->rend; i++) {
        char c = p[i];
        if (c == '\n' && (f->newline != NL_CR && f->newline != NL_CRLF)) return i + 1;
        if (c != '\r' || !f->text || f->newline == NL_LF) continue;
        if (f->newline == NL_CR) return i + 1;
        if (i + 1 == f->rend) /* "\r" or "\r\n"? the next byte decides */
            return f->eof && f->newline != NL_CRLF ? i + 1 : 0;
        if (p[i + 1] == '\n') return i + 2;
        if (f->newline != NL_CRLF) return i + 1;
    }
    return 0;
}

/* Cut [rstart, end) to at most limit characters (text) or bytes. */
static size_t limit_end(SocketFile *f, size_t end, int64_t limit) {
    if (limit < 0) return end;
    if (!f->text) return f->rstart + (size_t)limit < end ? f->rstart + (size_t)limit : end;
    int64_t chars = 0;
    for (size_t i = f->rstart; i < end; i++) {
        if (!char_start((unsigned char)f->rbuf[i])) continue;
        if (chars == limit) return i;
        chars++;
    }
    return end;
}

/* The bytes [rstart, end) as the result: bytes, or decoded text with the
   newlines translated. Consumes them. */
static Object *take(SocketFile *f, size_t end) {
    const char *p = f->rbuf + f->rstart;
    size_t n = end - f->rstart;
    f->rstart = end;
    if (!f->text) return bytes_from_data(p, n);
    if (f->newline != NL_UNIVERSAL || !memchr(p, '\r', n))
        return bytes_decode(f->codec, p, n, f->errors);
    char *t = mem_alloc(n ? n : 1);
    if (!t) return error_no_memory();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\r') {
            t[k++] = '\n';
            if (i + 1 < n && p[i + 1] == '\n') i++;
        } else {
            t[k++] = p[i];
        }
    }
    Object *s = bytes_decode(f->codec, t, k, f->errors);
    mem_free(t, n ? n : 1);
    return s;
}

static Object *empty_result(SocketFile *f) {
    return f->text ? str_from_cstr("") : bytes_new_raw(0);
}

static Object *read_line(SocketFile *f, int64_t limit) {
    size_t off = 0; /* bytes after rstart known to hold no line end */
    for (;;) {
        size_t end = find_line_end(f, f->rstart + off);
        if (end == 0 && f->eof) end = f->rend;
        if (end) return take(f, limit_end(f, end, limit));
        size_t cut = limit_end(f, f->rend, limit);
        if (cut < f->rend) return take(f, cut);
        off = buffered(f) ? buffered(f) - 1 : 0; /* a trailing "\r" is looked at again */
        if (fill(f) < 0) return NULL;
    }
}

/* The end of the first n characters (text: after newline translation, so
   "\r\n" counts once) or bytes; 0 when more must be received first. */
static size_t count_end(SocketFile *f, int64_t n) {
    if (!f->text) {
        if (buffered(f) >= (size_t)n) return f->rstart + (size_t)n;
        return f->eof ? f->rend : 0;
    }
    int64_t chars = 0;
    size_t i = f->rstart;
    while (i < f->rend && chars < n) {
        if (f->newline == NL_UNIVERSAL && f->rbuf[i] == '\r') {
            if (i + 1 == f->rend && !f->eof) return 0; /* "\r\n" split across receives */
            i += i + 1 < f->rend && f->rbuf[i + 1] == '\n' ? 2 : 1;
        } else {
            for (i++; i < f->rend && !char_start((unsigned char)f->rbuf[i]); i++) {
            }
        }
        chars++;
    }
    if (chars == n) return i;
    return f->eof ? f->rend : 0;
}

static Object *read_count(SocketFile *f, int64_t n) {
    if (n == 0) return empty_result(f);
    for (;;) {
        size_t end = n < 0 ? (f->eof ? f->rend : 0) : count_end(f, n);
        if (end) return take(f, end);
        if (f->eof) return take(f, f->rend);
        if (fill(f) < 0) return NULL;
    }
}

/* The size argument of read/readline: an int, None or absent (-1). */
static int size_arg(Object *const *args, size_t nargs, int64_t *out) {
    *out = -1;
    if (nargs == 0 || args[0] == None) return 0;
    return object_as_index(args[0], out, NULL);
}

static Object *sf_read(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t n;
    if (args_check("read", nargs, kwnames, 0, 1) < 0 || size_arg(args, nargs, &n) < 0 ||
        check_readable(SF(self)) < 0)
        return NULL;
    return read_count(SF(self), n);
}

static Object *sf_readline(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t n;
    if (args_check("readline", nargs, kwnames, 0, 1) < 0 || size_arg(args, nargs, &n) < 0 ||
        check_readable(SF(self)) < 0)
        return NULL;
    return read_line(SF(self), n);
}

static bool is_empty_result(Object *o) {
    return is_str(o) ? str_len(o) == 0 : bytes_size(o) == 0;
}

static Object *sf_readlines(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t hint;
    if (args_check("readlines", nargs, kwnames, 0, 1) < 0 || size_arg(args, nargs, &hint) < 0 ||
        check_readable(SF(self)) < 0)
        return NULL;
    Object *lines = list_new(0);
    int64_t total = 0;
    while (lines) {
        Object *line = read_line(SF(self), -1);
        if (!line) { CLEAR(&lines); break; }
        if (is_empty_result(line)) { DECREF(line); break; }
        total += (int64_t)(is_str(line) ? str_len(line) : bytes_size(line));
        if (list_append(lines, line) < 0) CLEAR(&lines);
        DECREF(line);
        if (hint > 0 && total > hint) break; /* IOBase.readlines: more than hint */
    }
    return lines;
}

static Object *sf_iternext(Object *self) {
    if (check_readable(SF(self)) < 0) return NULL;
    Object *line = read_line(SF(self), -1);
    if (line && is_empty_result(line)) CLEAR(&line); /* the end: no exception */
    return line;
}

static Object *sf_iter(Object *self) {
    if (check_open(SF(self)) < 0) return NULL;
    return NEWREF(self);
}

/* ---- Writing ------------------------------------------------------------------------ */

/* Send what wbuf holds. The buffer leaves the object while it is sent. */
static int flush_writes(SocketFile *f) {
    if (f->wlen == 0 || !f->sock) return 0;
    char *buf = f->wbuf;
    size_t len = f->wlen, cap = f->wcap;
    SocketObject *sock = f->sock;
    INCREF(sock);
    f->wbuf = NULL;
    f->wlen = f->wcap = 0;
    int r = socket_send_all(sock, buf, len);
    DECREF(sock);
    if (!f->wbuf) { /* nobody wrote meanwhile: keep the buffer */
        f->wbuf = buf;
        f->wcap = cap;
    } else {
        mem_free(buf, cap);
    }
    return r;
}

static int append_write(SocketFile *f, const char *p, size_t n) {
    if (f->wcap - f->wlen < n) {
        size_t cap = f->wcap ? f->wcap : CHUNK;
        while (cap - f->wlen < n) cap *= 2;
        char *grown = mem_realloc(f->wbuf, f->wcap, cap);
        if (!grown) {
            error_no_memory();
            return -1;
        }
        f->wbuf = grown;
        f->wcap = cap;
    }
    memcpy(f->wbuf + f->wlen, p, n);
    f->wlen += n;
    return f->wlen >= f->wlimit ? flush_writes(f) : 0;
}

/* Text to write: encoded, "\n" turned into the file's newline. */
static int append_text(SocketFile *f, Object *s) {
    Object *b = bytes_encode(f->codec, s, f->errors);
    if (!b) return -1;
    const char *p = bytes_data(b), *nl = f->newline == NL_CR ? "\r" : "\r\n";
    size_t n = bytes_size(b);
    int r = 0;
    if (f->newline != NL_CR && f->newline != NL_CRLF) {
        r = append_write(f, p, n);
    } else {
        size_t from = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
            if (p[i] != '\n') continue;
            r = append_write(f, p + from, i - from);
            if (r == 0) r = append_write(f, nl, strlen(nl));
            from = i + 1;
        }
        if (r == 0) r = append_write(f, p + from, n - from);
    }
    DECREF(b);
    return r;
}

static Object *sf_write(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    SocketFile *f = SF(self);
    if (args_check("write", nargs, kwnames, 1, 1) < 0 || check_writable(f) < 0) return NULL;
    Object *o = args[0];
    if (f->text) {
        if (!is_str(o))
            return error_set(&exc_TypeError, "write() argument must be str, not %s", TYPE_NAME(o));
        size_t chars = ((StrObject *)o)->nchars;
        return append_text(f, o) < 0 ? NULL : int_from_i64((int64_t)chars);
    }
    Buffer view; /* any bytes-like object; copied before anything can resize it */
    if (buffer_get(o, &view) < 0) return NULL;
    size_t n = view.len;
    int r = append_write(f, view.data, n);
    buffer_release(&view);
    return r < 0 ? NULL : int_from_i64((int64_t)n);
}

static int write_item(Object *self, Object *item) {
    Object *r = sf_write(self, &item, 1, NULL);
    XDECREF(r);
    return r ? 0 : -1;
}

static Object *sf_writelines(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("writelines", nargs, kwnames, 1, 1) < 0 || check_writable(SF(self)) < 0)
        return NULL;
    return object_writelines(self, args[0], write_item);
}

static Object *sf_flush(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("flush", nargs, kwnames, 0, 0) < 0 || check_open(SF(self)) < 0) return NULL;
    return flush_writes(SF(self)) < 0 ? NULL : NEWREF(None);
}

/* ---- Life ------------------------------------------------------------------------------ */

/* Flush, then let go of the socket (whose deferred close may happen now).
   The socket is released even when the flush fails. 0 / -1. */
static int close_file(SocketFile *f) {
    if (!f->sock) return 0;
    int r = flush_writes(f);
    SocketObject *sock = f->sock;
    f->sock = NULL;
    socket_io_release(sock);
    DECREF(sock);
    mem_free(f->rbuf, f->rcap);
    mem_free(f->wbuf, f->wcap);
    f->rbuf = f->wbuf = NULL;
    f->rcap = f->wcap = f->rstart = f->rend = f->wlen = 0;
    return r;
}

static Object *sf_close(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("close", nargs, kwnames, 0, 0) < 0) return NULL;
    return close_file(SF(self)) < 0 ? NULL : NEWREF(None);
}

static void sf_dealloc(Object *self) {
    SocketFile *f = SF(self);
    if (f->sock) {
        /* As open()'s files: a failing implicit close is dropped, and an
           exception already being raised is kept. */
        Object *pending = error_fetch();
        close_file(f);
        error_clear();
        if (pending) error_restore(pending);
    }
    object_free(self, sizeof(SocketFile));
}

static Object *sf_fileno(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("fileno", nargs, kwnames, 0, 0) < 0 || check_open(SF(self)) < 0) return NULL;
    return int_from_i64(socket_fd(SF(self)->sock));
}

static Object *sf_readable(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("readable", nargs, kwnames, 0, 0) < 0 || check_open(SF(self)) < 0) return NULL;
    return bool_from(SF(self)->reading);
}

static Object *sf_writable(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("writable", nargs, kwnames, 0, 0) < 0 || check_open(SF(self)) < 0) return NULL;
    return bool_from(SF(self)->writing);
}

static Object *sf_enter(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("__enter__", nargs, kwnames, 0, 0) < 0 || check_open(SF(self)) < 0) return NULL;
    return NEWREF(self);
}

static Object *sf_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    return close_file(SF(self)) < 0 ? NULL : NEWREF(None);
}

static Object *sf_getattr(Object *self, Object *name) {
    SocketFile *f = SF(self);
    const char *n = str_data(name);
    if (strcmp(n, "closed") == 0) return bool_from(f->sock == NULL);
    if (strcmp(n, "name") == 0) return int_from_i64(f->fd);
    if (strcmp(n, "mode") == 0 && TYPE(self) != &socketfile_rwpair_type)
        return str_from_cstr(f->mode);
    return object_generic_getattr(self, name);
}

/* <_io.TextIOWrapper name=4 mode='r' encoding='utf-8'>, <_io.BufferedReader name=4> */
static Object *sf_repr(Object *self) {
    SocketFile *f = SF(self);
    if (f->text)
        return str_from_format("<%s name=%d mode='%s' encoding='%s'>", TYPE_NAME(self), f->fd,
                               f->mode, bytes_codec_name(f->codec));
    if (TYPE(self) == &socketfile_rwpair_type) return object_default_repr(self);
    return str_from_format("<%s name=%d>", TYPE_NAME(self), f->fd);
}

static const MethodDef sf_methods[] = {
    {"read", sf_read, NULL},
    {"readline", sf_readline, NULL},
    {"readlines", sf_readlines, NULL},
    {"write", sf_write, NULL},
    {"writelines", sf_writelines, NULL},
    {"flush", sf_flush, NULL},
    {"close", sf_close, NULL},
    {"fileno", sf_fileno, NULL},
    {"readable", sf_readable, NULL},
    {"writable", sf_writable, NULL},
    {"__enter__", sf_enter, NULL},
    {"__exit__", sf_exit, NULL},
    {NULL, NULL, NULL},
};

#define SOCKETFILE_TYPE(var, pyname)          \
    Type var = {                              \
        TYPE_HEAD_INIT,                       \
        .name = pyname,                       \
        .base_type = &object_type,            \
        .instance_size = sizeof(SocketFile),  \
        .methods = sf_methods,                \
        .dealloc = sf_dealloc,                \
        .repr = sf_repr,                      \
        .getattr = sf_getattr,                \
        .iter = sf_iter,                      \
        .iternext = sf_iternext,              \
        .hash = object_identity_hash,         \
    }

SOCKETFILE_TYPE(socketfile_text_type, "_io.TextIOWrapper");
SOCKETFILE_TYPE(socketfile_reader_type, "_io.BufferedReader");
SOCKETFILE_TYPE(socketfile_writer_type, "_io.BufferedWriter");
SOCKETFILE_TYPE(socketfile_rwpair_type, "_io.BufferedRWPair");

/* ---- makefile() ---------------------------------------------------------------------------- */

static int newline_arg(Object *o, Newline *out) {
    if (!o || o == None) { *out = NL_UNIVERSAL; return 0; }
    if (!is_str(o)) {
        error_set(&exc_TypeError, "TextIOWrapper() argument 'newline' must be str or None, not %s",
                  TYPE_NAME(o));
        return -1;
    }
    const char *s = str_data(o);
    if (!*s) *out = NL_ANY;
    else if (strcmp(s, "\n") == 0) *out = NL_LF;
    else if (strcmp(s, "\r") == 0) *out = NL_CR;
    else if (strcmp(s, "\r\n") == 0) *out = NL_CRLF;
    else {
        Object *r = object_repr(o);
        if (r) error_set(&exc_ValueError, "illegal newline value: %s", str_data(r));
        XDECREF(r);
        return -1;
    }
    return 0;
}

/* An optional str argument of TextIOWrapper (encoding, errors). */
static int text_arg(Object *o, const char *what, const char **out) {
    if (!o || o == None) return 0;
    if (!is_str(o)) {
        error_set(&exc_TypeError, "TextIOWrapper() argument '%s' must be str or None, not %s", what,
                  TYPE_NAME(o));
        return -1;
    }
    *out = str_data(o);
    return 0;
}

/* Which of r, w, b the mode has; ValueError for anything else. */
static int mode_arg(Object *o, bool *r, bool *w, bool *b) {
    if (!is_str(o))
        return error_set(&exc_TypeError, "'%s' object is not iterable", TYPE_NAME(o)), -1;
    *r = *w = *b = false;
    for (const char *p = str_data(o); *p; p++) {
        if (*p == 'r') *r = true;
        else if (*p == 'w') *w = true;
        else if (*p == 'b') *b = true;
        else {
            Object *rep = object_repr(o);
            if (rep) error_set(&exc_ValueError, "invalid mode %s (only r, w, b allowed)", str_data(rep));
            XDECREF(rep);
            return -1;
        }
    }
    return 0;
}

static Type *file_type_for(bool text, bool r, bool w) {
    if (text) return &socketfile_text_type;
    if (r && w) return &socketfile_rwpair_type;
    return w ? &socketfile_writer_type : &socketfile_reader_type;
}

Object *socketfile_new_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"mode", "buffering", "encoding", "errors", "newline", NULL};
    Object *a[5] = {NULL, NULL, NULL, NULL, NULL};
    if (args_parse("makefile", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    bool r = true, w = false, b = false;
    if (a[0] && mode_arg(a[0], &r, &w, &b) < 0) return NULL;
    int64_t buffering = -1;
    if (a[1] && a[1] != None && object_as_index(a[1], &buffering, NULL) < 0) return NULL;
    if (buffering == 0 && !b) return error_set(&exc_ValueError, "unbuffered streams must be binary");
    const char *encoding = "utf-8", *errors = "strict";
    Newline newline;
    Codec codec;
    if (text_arg(a[2], "encoding", &encoding) < 0 || text_arg(a[3], "errors", &errors) < 0 ||
        newline_arg(a[4], &newline) < 0 || bytes_codec_lookup(encoding, &codec) < 0)
        return NULL;
    SocketObject *s = (SocketObject *)self;
    if (socket_fd(s) < 0) return error_set_from_errno(EBADF, NULL);
    SocketFile *f = (SocketFile *)object_alloc(file_type_for(!b, r || !w, w), sizeof(SocketFile));
    if (!f) return NULL;
    f->sock = (SocketObject *)NEWREF(self);
    objlock_lock(self);
    s->io_refs++;
    objlock_unlock(self);
    f->fd = socket_fd(s);
    f->text = !b;
    f->reading = r || !w; /* "" and "b" read, as "r" and "rb" */
    f->writing = w;
    f->newline = newline;
    f->codec = codec;
    snprintf(f->errors, sizeof(f->errors), "%s", errors);
    /* A text file shows the mode it was asked for; a binary one its raw
       socket's: "rb", "wb", "rwb". */
    if (f->text) snprintf(f->mode, sizeof(f->mode), "%s", a[0] ? str_data(a[0]) : "r");
    else snprintf(f->mode, sizeof(f->mode), "%s%sb", f->reading ? "r" : "", w ? "w" : "");
    f->wlimit = buffering > 0 ? (size_t)buffering : buffering == 0 ? 1 : CHUNK;
    return (Object *)f;
}
