/* socketmodule.c - the socket module: TCP over IPv4 and IPv6, Unix-domain
 * sockets, and the helpers learners use with them (socketpair,
 * create_connection, create_server). See socket.h for the object and how
 * blocking calls wait.
 *
 * Errors are CPython's: an errno becomes its OSError subclass
 * (ConnectionRefusedError "[Errno 111] Connection refused"), a timeout is
 * TimeoutError "timed out" (socket.timeout is TimeoutError, as in 3.10+), a
 * host name that does not resolve is socket.gaierror.
 *
 * Every call that may wait releases the GIL around the attempt and the wait
 * (sock_call). Between GIL_RELEASE and GIL_ACQUIRE only C locals are used:
 * the descriptor number, buffers the caller prepared, a sockaddr.
 *
 * The default timeout (socket.setdefaulttimeout) is a C variable guarded by
 * the GIL.
 */
#include "modules/socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/gil.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "core/sigint.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytearray.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* socket.setdefaulttimeout; guarded by the GIL. */
static int64_t default_timeout_ns = -1;

/* What listen() uses when not told: min(SOMAXCONN, 128), as CPython. */
#define DEFAULT_BACKLOG (SOMAXCONN < 128 ? SOMAXCONN : 128)

/* recv() reads at most this much per call (a stream may return less than
   asked for anyway); the buffer is on the stack up to STACK_BUFFER. */
#define MAX_RECV (1 << 20)
#define STACK_BUFFER 65536

typedef union {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
    struct sockaddr_un un;
    struct sockaddr_storage storage;
} SockAddr;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static bool set_nonblocking(int fd, bool on) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return false;
    flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    return fcntl(fd, F_SETFL, flags) == 0;
}

/* ---- Blocking calls --------------------------------------------------------------- */

/* How a call that may wait ended, gathered without the GIL and turned into
   an exception after it is taken again. */
typedef struct {
    ssize_t result;   /* >= 0: success */
    int err;          /* errno of the failure */
    bool timed_out;
} CallResult;

/* One attempt of a call: >= 0, or -1 with errno (EAGAIN: it would block). */
typedef ssize_t (*SockOp)(int fd, void *ctx);

/* Try op until it succeeds, fails for good, or the deadline passes
   (deadline < 0: none; timeout 0: try once). Called without the GIL. */
static CallResult call_waiting(int fd, short events, SockOp op, void *ctx, int64_t timeout_ns,
                               int64_t deadline) {
    CallResult r = {-1, 0, false};
    for (;;) {
        r.result = op(fd, ctx);
        if (r.result >= 0) return r;
        r.err = errno;
        if (r.err == EINTR) continue;
        if ((r.err != EAGAIN && r.err != EWOULDBLOCK) || timeout_ns == 0) return r;
        struct pollfd p = {.fd = fd, .events = events, .revents = 0};
        int w = sigint_poll(&p, 1, deadline);
        if (w == 0) {
            r.timed_out = true;
            return r;
        }
        if (w < 0) { /* EINTR here: a Ctrl-C is pending for the main thread */
            r.err = errno;
            return r;
        }
    }
}

static int64_t deadline_for(int64_t timeout_ns) {
    return timeout_ns > 0 ? now_ns() + timeout_ns : -1;
}

/* Raise what r says went wrong. Returns -1. */
static int raise_call_error(const CallResult *r) {
    if (r->timed_out) {
        error_set(&exc_TimeoutError, "timed out");
        return -1;
    }
    if (r->err == EINTR && error_check_interrupt() < 0) return -1;
    error_set_from_errno(r->err, NULL);
    return -1;
}

static int raise_closed(void) {
    error_set_from_errno(EBADF, NULL);
    return -1;
}

/* op on s, waiting for events as s's timeout says, with the GIL released.
   Returns op's result, or -1 with an exception set. */
static ssize_t sock_call(SocketObject *s, short events, SockOp op, void *ctx) {
    int fd = socket_fd(s);
    if (fd < 0) return raise_closed();
    int64_t timeout = socket_timeout(s);
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released for the attempt and the wait; C locals only */
    CallResult r = call_waiting(fd, events, op, ctx, timeout, deadline_for(timeout));
    GIL_ACQUIRE(ts);
    if (r.result >= 0) return r.result;
    return raise_call_error(&r);
}

typedef struct {
    char *buf;
    size_t len;
    int flags;
    SockAddr *addr;
    socklen_t addr_len;
} IoArgs;

static ssize_t op_recv(int fd, void *ctx) {
    IoArgs *a = ctx;
    return recv(fd, a->buf, a->len, a->flags);
}

static ssize_t op_recvfrom(int fd, void *ctx) {
    IoArgs *a = ctx;
    a->addr_len = sizeof(*a->addr);
    return recvfrom(fd, a->buf, a->len, a->flags, &a->addr->sa, &a->addr_len);
}

static ssize_t op_send(int fd, void *ctx) {
    IoArgs *a = ctx;
    return send(fd, a->buf, a->len, a->flags | MSG_NOSIGNAL);
}

static ssize_t op_sendto(int fd, void *ctx) {
    IoArgs *a = ctx;
    return sendto(fd, a->buf, a->len, a->flags | MSG_NOSIGNAL, &a->addr->sa, a->addr_len);
}

static ssize_t op_accept(int fd, void *ctx) {
    IoArgs *a = ctx;
    a->addr_len = sizeof(*a->addr);
    return accept4(fd, &a->addr->sa, &a->addr_len, SOCK_CLOEXEC | SOCK_NONBLOCK);
}

ssize_t socket_recv_into(SocketObject *s, char *buf, size_t n) {
    IoArgs a = {.buf = buf, .len = n};
    return sock_call(s, POLLIN, op_recv, &a);
}

/* sendall: one deadline for the whole buffer, as CPython 3.5+. */
int socket_send_all(SocketObject *s, const char *buf, size_t n) {
    int fd = socket_fd(s);
    if (fd < 0) return raise_closed();
    int64_t timeout = socket_timeout(s), deadline = deadline_for(timeout);
    ThreadState *ts = ts_get();
    CallResult r = {0, 0, false};
    GIL_RELEASE(ts); /* GIL: released while sending; buf belongs to an object the caller holds */
    size_t done = 0;
    while (done < n) {
        IoArgs a = {.buf = (char *)buf + done, .len = n - done};
        r = call_waiting(fd, POLLOUT, op_send, &a, timeout, deadline);
        if (r.result < 0) break;
        done += (size_t)r.result;
    }
    GIL_ACQUIRE(ts);
    return r.result < 0 ? raise_call_error(&r) : 0;
}

/* ---- Addresses ----------------------------------------------------------------- */

static Object *raise_gaierror(int code) {
    Object *args = int_from_i64(code);
    Object *msg = str_from_cstr(gai_strerror(code));
    Object *t = args && msg ? tuple_pack(2, args, msg) : NULL;
    XDECREF(args);
    XDECREF(msg);
    Object *e = t ? exception_new(&exc_socket_gaierror, t) : NULL;
    XDECREF(t);
    if (e) {
        error_set_instance(e);
        DECREF(e);
    }
    return NULL;
}

/* A host as a C string: str, bytes or bytearray, without NUL bytes. *keep
   receives a new reference that keeps *out alive until the caller DECREFs it
   (a bytearray is copied: another thread may resize it while the GIL is
   released for the resolver). `func` names the function for its messages,
   or is NULL inside an address tuple. */
static int host_arg(Object *o, const char *func, Object **keep, const char **out) {
    const char *data;
    size_t len;
    if (is_str(o)) data = str_data(o), len = str_len(o), *keep = NEWREF(o);
    else if (is_bytes(o)) data = bytes_data(o), len = bytes_size(o), *keep = NEWREF(o);
    else if (is_bytearray(o)) {
        *keep = bytes_from_data(bytearray_data(o), bytearray_size(o));
        if (!*keep) return -1;
        data = bytes_data(*keep), len = bytes_size(*keep);
    } else {
        if (func) error_set(&exc_TypeError, "%s() argument 1 must be str, bytes or bytearray, not %s",
                            func, o == None ? "None" : TYPE_NAME(o));
        else error_set(&exc_TypeError, "str, bytes or bytearray expected, not %s", TYPE_NAME(o));
        return -1;
    }
    if (memchr(data, '\0', len)) {
        if (func) error_set(&exc_TypeError, "%s() argument 1 must be encoded string without null bytes, not %s",
                            func, TYPE_NAME(o));
        else error_set(&exc_TypeError, "host name must not contain null character");
        DECREF(*keep);
        return -1;
    }
    *out = data;
    return 0;
}

/* getaddrinfo()'s host, as create_connection passes it: None (NULL: the
   loopback address), str or bytes; a NUL byte ends the name there, as in C.
   *keep as for host_arg. */
static int lookup_host_arg(Object *o, Object **keep, const char **out) {
    if (o == None) {
        *keep = NEWREF(None);
        *out = NULL;
        return 0;
    }
    if (!is_str(o) && !is_bytes(o)) {
        error_set(&exc_TypeError, "getaddrinfo() argument 1 must be string or None");
        return -1;
    }
    *keep = NEWREF(o);
    *out = is_str(o) ? str_data(o) : bytes_data(o);
    return 0;
}

/* Resolve host for family into addr (its port left 0), the GIL released
   while the resolver looks (it may read /etc/hosts). 0 / -1. */
static int resolve_host(int family, const char *host, SockAddr *addr) {
    if (family == AF_INET) {
        addr->in4.sin_family = AF_INET;
        if (host[0] == '\0') { addr->in4.sin_addr.s_addr = htonl(INADDR_ANY); return 0; }
        if (strcmp(host, "<broadcast>") == 0) {
            addr->in4.sin_addr.s_addr = htonl(INADDR_BROADCAST);
            return 0;
        }
        if (inet_pton(AF_INET, host, &addr->in4.sin_addr) == 1) return 0;
    } else {
        addr->in6.sin6_family = AF_INET6;
        if (host[0] == '\0') { addr->in6.sin6_addr = in6addr_any; return 0; }
        if (inet_pton(AF_INET6, host, &addr->in6.sin6_addr) == 1) return 0;
    }
    struct addrinfo hints = {.ai_family = family}, *res = NULL;
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while the name is resolved (host is the caller's) */
    int code = getaddrinfo(host, NULL, &hints, &res);
    GIL_ACQUIRE(ts);
    if (code != 0) {
        raise_gaierror(code);
        return -1;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

/* The port of an (host, port) tuple, checked as CPython checks it. */
static int port_arg(Object *o, const char *caller, int *port) {
    int64_t p;
    if (object_as_index(o, &p, NULL) < 0) return -1;
    if (p < 0 || p > 65535) {
        error_set(&exc_OverflowError, "%s(): port must be 0-65535.", caller);
        return -1;
    }
    *port = (int)p;
    return 0;
}

static int inet_addr_arg(int family, Object *o, const char *caller, SockAddr *addr,
                         socklen_t *len) {
    bool v6 = family == AF_INET6;
    if (!is_tuple(o)) {
        error_set(&exc_TypeError, "%s(): %s address must be tuple, not %s", caller,
                  v6 ? "AF_INET6" : "AF_INET", TYPE_NAME(o));
        return -1;
    }
    size_t n = tuple_size(o);
    if (v6 ? n < 2 || n > 4 : n != 2) {
        error_set(&exc_TypeError, v6 ? "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])"
                                     : "AF_INET address must be a pair (host, port)");
        return -1;
    }
    const char *host;
    Object *keep;
    int port;
    if (host_arg(tuple_item(o, 0), NULL, &keep, &host) < 0) return -1;
    int64_t flowinfo = 0, scope = 0;
    int ok = port_arg(tuple_item(o, 1), caller, &port) == 0 &&
             (n <= 2 || object_as_index(tuple_item(o, 2), &flowinfo, NULL) == 0) &&
             (n <= 3 || object_as_index(tuple_item(o, 3), &scope, NULL) == 0);
    memset(addr, 0, sizeof(*addr));
    ok = ok && resolve_host(family, host, addr) == 0;
    DECREF(keep);
    if (!ok) return -1;
    if (v6) {
        addr->in6.sin6_port = htons((uint16_t)port);
        addr->in6.sin6_flowinfo = htonl((uint32_t)flowinfo);
        if (scope) addr->in6.sin6_scope_id = (uint32_t)scope;
        *len = sizeof(addr->in6);
    } else {
        addr->in4.sin_port = htons((uint16_t)port);
        *len = sizeof(addr->in4);
    }
    return 0;
}

static int unix_addr_arg(Object *o, SockAddr *addr, socklen_t *len) {
    const char *path;
    size_t n;
    if (is_str(o)) { path = str_data(o); n = str_len(o); }
    else if (is_bytes(o)) { path = bytes_data(o); n = bytes_size(o); }
    else {
        error_set(&exc_TypeError, "a bytes-like object is required, not '%s'", TYPE_NAME(o));
        return -1;
    }
    memset(addr, 0, sizeof(*addr));
    if (n >= sizeof(addr->un.sun_path)) {
        error_set(&exc_OSError, "AF_UNIX path too long");
        return -1;
    }
    addr->un.sun_family = AF_UNIX;
    memcpy(addr->un.sun_path, path, n);
    /* An abstract address (a leading NUL) has no terminator: its length counts. */
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (n && path[0] == '\0' ? 0 : 1));
    return 0;
}

/* A Python address for family into addr. caller names the method in
   messages ("bind", "connect"). 0 / -1. */
static int addr_arg(int family, Object *o, const char *caller, SockAddr *addr, socklen_t *len) {
    switch (family) {
    case AF_INET:
    case AF_INET6: return inet_addr_arg(family, o, caller, addr, len);
    case AF_UNIX: return unix_addr_arg(o, addr, len);
    default:
        error_set_from_errno(EAFNOSUPPORT, NULL);
        return -1;
    }
}

/* An address as Python shows it: ('127.0.0.1', 80), a Unix path, '';
   None when the system gave none (recvfrom on a connected pair). */
static Object *addr_to_object(const SockAddr *addr, socklen_t len) {
    char host[INET6_ADDRSTRLEN];
    if (len == 0) return NEWREF(None);
    switch (addr->sa.sa_family) {
    case AF_INET: {
        inet_ntop(AF_INET, &addr->in4.sin_addr, host, sizeof(host));
        Object *h = str_from_cstr(host), *p = int_from_i64(ntohs(addr->in4.sin_port));
        Object *t = h && p ? tuple_pack(2, h, p) : NULL;
        XDECREF(h); XDECREF(p);
        return t;
    }
    case AF_INET6: {
        inet_ntop(AF_INET6, &addr->in6.sin6_addr, host, sizeof(host));
        Object *h = str_from_cstr(host), *p = int_from_i64(ntohs(addr->in6.sin6_port));
        Object *f = int_from_i64(ntohl(addr->in6.sin6_flowinfo));
        Object *s = int_from_i64(addr->in6.sin6_scope_id);
        Object *t = h && p && f && s ? tuple_pack(4, h, p, f, s) : NULL;
        XDECREF(h); XDECREF(p); XDECREF(f); XDECREF(s);
        return t;
    }
    case AF_UNIX: {
        size_t base = offsetof(struct sockaddr_un, sun_path);
        size_t n = len > base ? len - base : 0;
        if (n > 0 && addr->un.sun_path[0] == '\0') /* abstract: bytes */
            return bytes_from_data(addr->un.sun_path, n);
        return str_from_utf8(addr->un.sun_path, strnlen(addr->un.sun_path, n));
    }
    default: {
        Object *f = int_from_i64(addr->sa.sa_family);
        Object *t = f ? tuple_pack(2, f, None) : NULL;
        XDECREF(f);
        return t;
    }
    }
}

/* ---- Creating socket objects ------------------------------------------------------- */

/* Adopt fd (non-blocking already) as a new socket object. */
static Object *socket_wrap(int fd, int family, int type, int proto) {
    SocketObject *s = (SocketObject *)object_alloc(&socket_type, sizeof(SocketObject));
    if (!s) {
        close(fd);
        return NULL;
    }
    s->fd = fd;
    s->family = family;
    s->type = type;
    s->proto = proto;
    s->timeout_ns = __atomic_load_n(&default_timeout_ns, __ATOMIC_RELAXED);
    return (Object *)s;
}

static Object *socket_open(int family, int type, int proto) {
    int fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
    if (fd < 0) return error_set_from_errno(errno, NULL);
    return socket_wrap(fd, family, type, proto);
}

/* An int argument, or def when absent (or None when none_ok). */
static int int_arg(Object *o, int def, int *out) {
    int64_t v = def;
    if (o && object_as_index(o, &v, NULL) < 0) return -1;
    if (v < INT_MIN || v > INT_MAX) {
        error_set(&exc_OverflowError, "signed integer is greater than maximum");
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* A socket from an existing descriptor: its family, type and protocol are
   asked of the kernel unless given. */
static Object *socket_from_fd(int64_t fd, int family, int type, int proto) {
    if (fd < 0) return error_set(&exc_ValueError, "negative file descriptor");
    int v;
    socklen_t l = sizeof(v);
    if (family < 0 && getsockopt((int)fd, SOL_SOCKET, SO_DOMAIN, &v, &l) == 0) family = v;
    if (type < 0 && getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &v, &l) == 0) type = v;
    if (proto < 0 && getsockopt((int)fd, SOL_SOCKET, SO_PROTOCOL, &v, &l) == 0) proto = v;
    if (family < 0 || type < 0) return error_set_from_errno(errno ? errno : EBADF, NULL);
    if (!set_nonblocking((int)fd, true)) return error_set_from_errno(errno, NULL);
    Object *s = socket_wrap((int)fd, family, type, proto < 0 ? 0 : proto);
    return s;
}

/* socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None) */
static Object *socket_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    static const char *const names[] = {"family", "type", "proto", "fileno", NULL};
    Object *a[4] = {NULL, NULL, NULL, NULL};
    if (args_parse("socket", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    int family, stype, proto;
    if (int_arg(a[0], -1, &family) < 0 || int_arg(a[1], -1, &stype) < 0 ||
        int_arg(a[2], -1, &proto) < 0)
        return NULL;
    if (a[3] && a[3] != None) {
        int64_t fd;
        if (object_as_index(a[3], &fd, NULL) < 0) return NULL;
        return socket_from_fd(fd, family, stype, proto);
    }
    return socket_open(family < 0 ? AF_INET : family, stype < 0 ? SOCK_STREAM : stype,
                       proto < 0 ? 0 : proto);
}

/* ---- Methods: connections ----------------------------------------------------------- */

#define SOCK(o) ((SocketObject *)(o))

static Object *sock_bind(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("bind", nargs, kwnames, 1, 1) < 0) return NULL;
    SockAddr addr;
    socklen_t len;
    if (addr_arg(SOCK(self)->family, args[0], "bind", &addr, &len) < 0) return NULL;
    if (socket_fd(SOCK(self)) < 0) return error_set_from_errno(EBADF, NULL);
    if (bind(socket_fd(SOCK(self)), &addr.sa, len) < 0) return error_set_from_errno(errno, NULL);
    return NEWREF(None);
}

static Object *sock_listen(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("listen", nargs, kwnames, 0, 1) < 0) return NULL;
    int backlog;
    if (int_arg(nargs ? args[0] : NULL, DEFAULT_BACKLOG, &backlog) < 0) return NULL;
    if (socket_fd(SOCK(self)) < 0) return error_set_from_errno(EBADF, NULL);
    if (listen(socket_fd(SOCK(self)), backlog < 0 ? 0 : backlog) < 0)
        return error_set_from_errno(errno, NULL);
    return NEWREF(None);
}

/* connect: start it; if it is in progress, wait until the socket is
   writable, then read how it ended. Without the GIL. */
static CallResult connect_waiting(int fd, const SockAddr *addr, socklen_t len, int64_t timeout) {
    CallResult r = {-1, 0, false};
    int64_t deadline = deadline_for(timeout);
    int rc;
    while ((rc = connect(fd, &addr->sa, len)) < 0 && errno == EINTR) {
    }
    if (rc == 0) { r.result = 0; return r; }
    r.err = errno;
    /* A Unix socket whose listener's queue is full says EAGAIN: try again
       a little later, as a blocking connect would wait. */
    while (r.err == EAGAIN && timeout != 0) {
        struct pollfd none = {.fd = -1};
        int64_t soon = now_ns() + 1000000;
        if (deadline >= 0 && soon > deadline) soon = deadline;
        if (sigint_poll(&none, 0, soon) < 0) { r.err = errno; return r; }
        if (deadline >= 0 && now_ns() >= deadline) { r.timed_out = true; return r; }
        if (connect(fd, &addr->sa, len) == 0) { r.result = 0; return r; }
        r.err = errno;
    }
    /* In progress: wait until the socket is writable, then ask connect()
       again how it went (rather than SO_ERROR: the kernel then also resets
       a failed socket, so that a later connect starts afresh, as after a
       blocking connect). */
    while ((r.err == EINPROGRESS || r.err == EALREADY) && timeout != 0) {
        struct pollfd p = {.fd = fd, .events = POLLOUT, .revents = 0};
        int w = sigint_poll(&p, 1, deadline);
        if (w == 0) { r.timed_out = true; return r; }
        if (w < 0) { r.err = errno; return r; }
        if (connect(fd, &addr->sa, len) == 0 || errno == EISCONN) {
            r.result = 0;
            return r;
        }
        r.err = errno;
    }
    return r;
}

/* connect / connect_ex: 0 connected; otherwise the errno (raise: -1 with
   the exception set). */
static int do_connect(SocketObject *s, Object *address, bool raise) {
    SockAddr addr;
    socklen_t len;
    if (addr_arg(s->family, address, "connect", &addr, &len) < 0) return -1;
    int fd = socket_fd(s);
    if (fd < 0) {
        if (!raise) return EBADF;
        return raise_closed();
    }
    int64_t timeout = socket_timeout(s);
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while connecting; addr is a C local */
    CallResult r = connect_waiting(fd, &addr, len, timeout);
    GIL_ACQUIRE(ts);
    if (r.result == 0) return 0;
    if (r.err == EINTR && error_check_interrupt() < 0) return -1;
    if (!raise) return r.timed_out ? EWOULDBLOCK : r.err;
    return raise_call_error(&r);
}

static Object *sock_connect(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("connect", nargs, kwnames, 1, 1) < 0) return NULL;
    return do_connect(SOCK(self), args[0], true) < 0 ? NULL : NEWREF(None);
}

static Object *sock_connect_ex(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    if (args_check("connect_ex", nargs, kwnames, 1, 1) < 0) return NULL;
    int r = do_connect(SOCK(self), args[0], false);
    return r < 0 ? NULL : int_from_i64(r);
}

/* accept() -> (socket, address). The new socket gets the default timeout. */
static Object *sock_accept(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("accept", nargs, kwnames, 0, 0) < 0) return NULL;
    SocketObject *s = SOCK(self);
    SockAddr addr;
    IoArgs a = {.addr = &addr};
    ssize_t fd = sock_call(s, POLLIN, op_accept, &a);
    if (fd < 0) return NULL;
    Object *conn = socket_wrap((int)fd, s->family, s->type, s->proto);
    Object *peer = conn ? addr_to_object(&addr, a.addr_len) : NULL;
    Object *r = peer ? tuple_pack(2, conn, peer) : NULL;
    XDECREF(conn);
    XDECREF(peer);
    return r;
}

static Object *sock_shutdown(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("shutdown", nargs, kwnames, 1, 1) < 0) return NULL;
    int how;
    if (int_arg(args[0], 0, &how) < 0) return NULL;
    if (socket_fd(SOCK(self)) < 0) return error_set_from_errno(EBADF, NULL);
    if (shutdown(socket_fd(SOCK(self)), how) < 0) return error_set_from_errno(errno, NULL);
    return NEWREF(None);
}

/* ---- Methods: data -------------------------------------------------------------- */

/* What send/sendall/sendto send: any bytes-like object (bytes, bytearray,
   memoryview, array.array). The view is held until buffer_release, so a
   bytearray cannot be resized while the GIL is released around the send. */
static int data_arg(Object *o, Buffer *view) {
    return buffer_get(o, view);
}

static int bufsize_arg(Object *o, const char *caller, size_t *out) {
    int64_t n;
    if (object_as_index(o, &n, NULL) < 0) return -1;
    if (n < 0) {
        error_set(&exc_ValueError, "negative buffersize in %s", caller);
        return -1;
    }
    *out = n > MAX_RECV ? MAX_RECV : (size_t)n;
    return 0;
}

/* recv / recvfrom into a buffer on the stack (or the heap, when large). */
static Object *receive(SocketObject *s, size_t n, int flags, bool from) {
    if (n == 0 && !from) return socket_fd(s) < 0 ? error_set_from_errno(EBADF, NULL) : bytes_new_raw(0);
    char stack[STACK_BUFFER];
    char *buf = n <= sizeof(stack) ? stack : mem_alloc(n);
    if (!buf) return error_no_memory();
    SockAddr addr;
    IoArgs a = {.buf = buf, .len = n, .flags = flags, .addr = &addr};
    ssize_t got = sock_call(s, POLLIN, from ? op_recvfrom : op_recv, &a);
    Object *data = got >= 0 ? bytes_from_data(buf, (size_t)got) : NULL;
    if (buf != stack) mem_free(buf, n);
    if (!data || !from) return data;
    Object *who = addr_to_object(&addr, a.addr_len);
    Object *r = who ? tuple_pack(2, data, who) : NULL;
    DECREF(data);
    XDECREF(who);
    return r;
}

static Object *sock_recv(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("recv", nargs, kwnames, 1, 2) < 0) return NULL;
    size_t n;
    int flags;
    if (bufsize_arg(args[0], "recv", &n) < 0 || int_arg(nargs > 1 ? args[1] : NULL, 0, &flags) < 0)
        return NULL;
    return receive(SOCK(self), n, flags, false);
}

static Object *sock_recvfrom(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("recvfrom", nargs, kwnames, 1, 2) < 0) return NULL;
    size_t n;
    int flags;
    if (bufsize_arg(args[0], "recvfrom", &n) < 0 ||
        int_arg(nargs > 1 ? args[1] : NULL, 0, &flags) < 0)
        return NULL;
    return receive(SOCK(self), n, flags, true);
}

/* The writable buffer of recv_into/recvfrom_into (a bytearray, a writable
   memoryview, an array.array), held while the GIL is released around the
   receive so that it cannot be resized or freed. */
static int into_arg(Object *o, const char *fname, Buffer *view) {
    if (buffer_supported(o) && buffer_get(o, view) == 0) {
        if (!view->readonly) return 0;
        buffer_release(view);
    } else if (buffer_supported(o)) {
        error_clear(); /* a memoryview with a step: CPython says the same as for bytes */
    }
    error_set(&exc_TypeError, "%s() argument 1 must be read-write bytes-like object, not %s",
              fname, TYPE_NAME(o));
    return -1;
}

/* recv_into(buffer, nbytes=0, flags=0) and recvfrom_into: the number of
   bytes received straight into buffer (and the sender's address). */
static Object *receive_into(Object *self, Object *const *args, size_t nargs, Object *kwnames,
                            bool from) {
    const char *fname = from ? "recvfrom_into" : "recv_into";
    static const char *const names[] = {"buffer", "nbytes", "flags", NULL};
    Object *a[3] = {NULL, NULL, NULL};
    if (args_parse(fname, args, nargs, kwnames, names, 1, a) < 0) return NULL;
    Buffer view;
    if (into_arg(a[0], fname, &view) < 0) return NULL;
    int64_t n = 0;
    int flags = 0;
    Object *r = NULL;
    if ((a[1] && object_as_index(a[1], &n, NULL) < 0) || int_arg(a[2], 0, &flags) < 0) goto done;
    if (n < 0) {
        error_set(&exc_ValueError, "negative buffersize in %s", fname);
        goto done;
    }
    if ((uint64_t)n > view.len) {
        error_set(&exc_ValueError, "%s", from ? "nbytes is greater than the length of the buffer"
                                               : "buffer too small for requested bytes");
        goto done;
    }
    SockAddr addr;
    IoArgs io = {.buf = view.data, .len = n ? (size_t)n : view.len, .flags = flags, .addr = &addr};
    ssize_t got;
    if (io.len == 0 && !from) got = socket_fd(SOCK(self)) < 0 ? (error_set_from_errno(EBADF, NULL), -1) : 0;
    else got = sock_call(SOCK(self), POLLIN, from ? op_recvfrom : op_recv, &io);
    if (got < 0) goto done;
    r = int_from_i64(got);
    if (r && from) {
        Object *who = addr_to_object(&addr, io.addr_len);
        Object *pair = who ? tuple_pack(2, r, who) : NULL;
        XDECREF(who);
        DECREF(r);
        r = pair;
    }
done:
    buffer_release(&view);
    return r;
}

static Object *sock_recv_into(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return receive_into(self, args, nargs, kwnames, false);
}

static Object *sock_recvfrom_into(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    return receive_into(self, args, nargs, kwnames, true);
}

static Object *sock_send(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("send", nargs, kwnames, 1, 2) < 0) return NULL;
    IoArgs a = {0};
    Buffer view;
    if (data_arg(args[0], &view) < 0) return NULL;
    ssize_t n = -1;
    if (int_arg(nargs > 1 ? args[1] : NULL, 0, &a.flags) == 0) {
        a.buf = view.data;
        a.len = view.len;
        n = sock_call(SOCK(self), POLLOUT, op_send, &a);
    }
    buffer_release(&view);
    return n < 0 ? NULL : int_from_i64(n);
}

static Object *sock_sendall(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("sendall", nargs, kwnames, 1, 2) < 0) return NULL;
    Buffer view;
    int flags;
    if (data_arg(args[0], &view) < 0) return NULL;
    int r = int_arg(nargs > 1 ? args[1] : NULL, 0, &flags);
    if (r == 0) r = socket_send_all(SOCK(self), view.data, view.len);
    buffer_release(&view);
    return r < 0 ? NULL : NEWREF(None);
}

/* sendto(data[, flags], address) */
static Object *sock_sendto(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("sendto", nargs, kwnames, 2, 3) < 0) return NULL;
    SockAddr addr;
    IoArgs a = {.addr = &addr};
    Buffer view;
    if (data_arg(args[0], &view) < 0) return NULL;
    ssize_t n = -1;
    if (int_arg(nargs == 3 ? args[1] : NULL, 0, &a.flags) == 0 &&
        addr_arg(SOCK(self)->family, args[nargs - 1], "sendto", &addr, &a.addr_len) == 0) {
        a.buf = view.data;
        a.len = view.len;
        n = sock_call(SOCK(self), POLLOUT, op_sendto, &a);
    }
    buffer_release(&view);
    return n < 0 ? NULL : int_from_i64(n);
}

/* ---- Methods: state --------------------------------------------------------------- */

/* Called with s's lock held: the descriptor is taken under it, closed
   after (exactly one of close(), detach() and the last file gets it). */
static int take_for_close(SocketObject *s) {
    s->close_pending = false;
    return socket_take_fd(s);
}

void socket_io_release(SocketObject *s) {
    objlock_lock((Object *)s);
    int fd = --s->io_refs <= 0 && s->close_pending ? take_for_close(s) : -1;
    objlock_unlock((Object *)s);
    if (fd >= 0) close(fd);
}

static Object *sock_close(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("close", nargs, kwnames, 0, 0) < 0) return NULL;
    SocketObject *s = SOCK(self);
    objlock_lock(self);
    int fd = -1;
    if (s->io_refs > 0) s->close_pending = true; /* the files' last close closes it */
    else fd = take_for_close(s);
    objlock_unlock(self);
    if (fd >= 0) close(fd);
    return NEWREF(None);
}

static Object *sock_detach(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("detach", nargs, kwnames, 0, 0) < 0) return NULL;
    SocketObject *s = SOCK(self);
    int fd = socket_take_fd(s);
    /* Whoever takes the descriptor sees the blocking mode Python promised. */
    if (fd >= 0) set_nonblocking(fd, socket_timeout(s) >= 0);
    return int_from_i64(fd);
}

static Object *sock_fileno(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("fileno", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64(socket_fd(SOCK(self)));
}

static Object *name_of(SocketObject *s, bool peer) {
    int fd = socket_fd(s);
    if (fd < 0) return error_set_from_errno(EBADF, NULL);
    SockAddr addr;
    socklen_t len = sizeof(addr);
    memset(&addr, 0, sizeof(addr));
    int r = peer ? getpeername(fd, &addr.sa, &len) : getsockname(fd, &addr.sa, &len);
    if (r < 0) return error_set_from_errno(errno, NULL);
    return addr_to_object(&addr, len);
}

static Object *sock_getsockname(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)args;
    if (args_check("getsockname", nargs, kwnames, 0, 0) < 0) return NULL;
    return name_of(SOCK(self), false);
}

static Object *sock_getpeername(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)args;
    if (args_check("getpeername", nargs, kwnames, 0, 0) < 0) return NULL;
    return name_of(SOCK(self), true);
}

static Object *sock_setsockopt(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    if (args_check("setsockopt", nargs, kwnames, 3, 3) < 0) return NULL;
    int level, opt, value;
    if (int_arg(args[0], 0, &level) < 0 || int_arg(args[1], 0, &opt) < 0) return NULL;
    const void *data = &value;
    socklen_t len = sizeof(value);
    if (is_bytes(args[2])) {
        data = bytes_data(args[2]);
        len = (socklen_t)bytes_size(args[2]);
    } else if (is_instance_of(args[2], &int_type)) {
        if (int_arg(args[2], 0, &value) < 0) return NULL;
    } else {
        return error_set(&exc_TypeError, "a bytes-like object is required, not '%s'",
                         TYPE_NAME(args[2]));
    }
    if (socket_fd(SOCK(self)) < 0) return error_set_from_errno(EBADF, NULL);
    if (setsockopt(socket_fd(SOCK(self)), level, opt, data, len) < 0)
        return error_set_from_errno(errno, NULL);
    return NEWREF(None);
}

static Object *sock_getsockopt(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    if (args_check("getsockopt", nargs, kwnames, 2, 3) < 0) return NULL;
    int level, opt, buflen = 0;
    if (int_arg(args[0], 0, &level) < 0 || int_arg(args[1], 0, &opt) < 0 ||
        int_arg(nargs > 2 ? args[2] : NULL, 0, &buflen) < 0)
        return NULL;
    if (socket_fd(SOCK(self)) < 0) return error_set_from_errno(EBADF, NULL);
    if (nargs < 3) {
        int value = 0;
        socklen_t len = sizeof(value);
        if (getsockopt(socket_fd(SOCK(self)), level, opt, &value, &len) < 0)
            return error_set_from_errno(errno, NULL);
        return int_from_i64(value);
    }
    if (buflen <= 0 || buflen > 1024) return error_set(&exc_OSError, "getsockopt buflen out of range");
    char buf[1024];
    socklen_t len = (socklen_t)buflen;
    if (getsockopt(socket_fd(SOCK(self)), level, opt, buf, &len) < 0)
        return error_set_from_errno(errno, NULL);
    return bytes_from_data(buf, len);
}

/* A timeout in seconds (None: blocking) as ns, checked as CPython does. */
static int timeout_arg(Object *o, int64_t *out) {
    if (o == None) {
        *out = -1;
        return 0;
    }
    double secs;
    if (is_instance_of(o, &float_type)) {
        float_as_double(o, &secs);
    } else {
        int64_t whole;
        if (object_as_index(o, &whole, NULL) < 0) return -1;
        secs = (double)whole;
    }
    if (isnan(secs)) {
        error_set(&exc_ValueError, "Invalid value NaN (not a number)");
        return -1;
    }
    if (secs < 0) {
        error_set(&exc_ValueError, "Timeout value out of range");
        return -1;
    }
    if (secs > 9.2e9) secs = 9.2e9; /* about 290 years: still fits in ns */
    *out = (int64_t)ceil(secs * 1e9);
    return 0;
}

static Object *timeout_object(int64_t ns) {
    return ns < 0 ? NEWREF(None) : float_from_double((double)ns / 1e9);
}

/* After settimeout()/setblocking(): CPython keeps the new value and then
   fails on a closed socket, when it sets the descriptor's mode. */
static Object *timeout_changed(SocketObject *s) {
    return socket_fd(s) < 0 ? error_set_from_errno(EBADF, NULL) : NEWREF(None);
}

static Object *sock_settimeout(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    if (args_check("settimeout", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t t;
    if (timeout_arg(args[0], &t) < 0) return NULL;
    socket_set_timeout(SOCK(self), t);
    return timeout_changed(SOCK(self));
}

static Object *sock_gettimeout(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    (void)args;
    if (args_check("gettimeout", nargs, kwnames, 0, 0) < 0) return NULL;
    return timeout_object(socket_timeout(SOCK(self)));
}

static Object *sock_setblocking(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    if (args_check("setblocking", nargs, kwnames, 1, 1) < 0) return NULL;
    int t = object_truth(args[0]);
    if (t < 0) return NULL;
    socket_set_timeout(SOCK(self), t ? -1 : 0);
    return timeout_changed(SOCK(self));
}

static Object *sock_getblocking(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)args;
    if (args_check("getblocking", nargs, kwnames, 0, 0) < 0) return NULL;
    return bool_from(socket_timeout(SOCK(self)) != 0);
}

static Object *sock_enter(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("__enter__", nargs, kwnames, 0, 0) < 0) return NULL;
    return NEWREF(self);
}

static Object *sock_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    return sock_close(self, NULL, 0, NULL);
}

/* ---- The type ------------------------------------------------------------------------ */

static void socket_dealloc(Object *self) {
    int fd = socket_take_fd(SOCK(self));
    if (fd >= 0) close(fd);
    object_free(self, sizeof(SocketObject));
}

static Object *socket_getattr(Object *self, Object *name) {
    SocketObject *s = SOCK(self);
    const char *n = str_data(name);
    if (strcmp(n, "family") == 0) return int_from_i64(s->family);
    if (strcmp(n, "type") == 0) return int_from_i64(s->type);
    if (strcmp(n, "proto") == 0) return int_from_i64(s->proto);
    if (strcmp(n, "timeout") == 0) return timeout_object(socket_timeout(s));
    return object_generic_getattr(self, name);
}

/* ", laddr=('127.0.0.1', 80)" when the address is known and not empty. */
static void repr_address(StrBuilder *b, SocketObject *s, bool peer) {
    Object *a = name_of(s, peer);
    Object *r = a && object_truth(a) > 0 ? object_repr(a) : NULL;
    if (r) {
        str_builder_add_cstr(b, peer ? ", raddr=" : ", laddr=");
        str_builder_add_str(b, r);
    }
    XDECREF(r);
    XDECREF(a);
    error_clear(); /* an unconnected socket has no peer: not an error here */
}

/* <socket.socket fd=3, family=2, type=1, proto=0, laddr=('127.0.0.1', 80)> */
static Object *socket_repr(Object *self) {
    SocketObject *s = SOCK(self);
    StrBuilder b;
    str_builder_init(&b);
    char head[128];
    int fd = socket_fd(s);
    snprintf(head, sizeof(head), "<socket.socket%s fd=%d, family=%d, type=%d, proto=%d",
             fd < 0 ? " [closed]" : "", fd, s->family, s->type, s->proto);
    str_builder_add_cstr(&b, head);
    if (fd >= 0) {
        repr_address(&b, s, false);
        repr_address(&b, s, true);
    }
    str_builder_add_char(&b, '>');
    return str_builder_finish(&b);
}

static const MethodDef socket_methods[] = {
    {"accept", sock_accept, NULL},
    {"bind", sock_bind, NULL},
    {"close", sock_close, NULL},
    {"connect", sock_connect, NULL},
    {"connect_ex", sock_connect_ex, NULL},
    {"detach", sock_detach, NULL},
    {"fileno", sock_fileno, NULL},
    {"getpeername", sock_getpeername, NULL},
    {"getsockname", sock_getsockname, NULL},
    {"getsockopt", sock_getsockopt, NULL},
    {"setsockopt", sock_setsockopt, NULL},
    {"getblocking", sock_getblocking, NULL},
    {"setblocking", sock_setblocking, NULL},
    {"gettimeout", sock_gettimeout, NULL},
    {"settimeout", sock_settimeout, NULL},
    {"listen", sock_listen, NULL},
    {"makefile", socketfile_new_method, NULL},
    {"recv", sock_recv, NULL},
    {"recvfrom", sock_recvfrom, NULL},
    {"recv_into", sock_recv_into, NULL},
    {"recvfrom_into", sock_recvfrom_into, NULL},
    {"send", sock_send, NULL},
    {"sendall", sock_sendall, NULL},
    {"sendto", sock_sendto, NULL},
    {"shutdown", sock_shutdown, NULL},
    {"__enter__", sock_enter, NULL},
    {"__exit__", sock_exit, NULL},
    {NULL, NULL, NULL},
};

Type socket_type = {
    TYPE_HEAD_INIT,
    .name = "socket.socket",
    .base_type = &object_type,
    .instance_size = sizeof(SocketObject),
    .methods = socket_methods,
    .dealloc = socket_dealloc,
    .repr = socket_repr,
    .getattr = socket_getattr,
    .construct = socket_construct,
    .hash = object_identity_hash,
};

/* ---- Module functions ------------------------------------------------------------------ */

/* socketpair(family=AF_UNIX, type=SOCK_STREAM, proto=0) */
static Object *socket_socketpair(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)self;
    static const char *const names[] = {"family", "type", "proto", NULL};
    Object *a[3] = {NULL, NULL, NULL};
    int family, type, proto, fds[2];
    if (args_parse("socketpair", args, nargs, kwnames, names, 0, a) < 0 ||
        int_arg(a[0] == None ? NULL : a[0], AF_UNIX, &family) < 0 ||
        int_arg(a[1], SOCK_STREAM, &type) < 0 || int_arg(a[2], 0, &proto) < 0)
        return NULL;
    if (socketpair(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto, fds) < 0)
        return error_set_from_errno(errno, NULL);
    Object *x = socket_wrap(fds[0], family, type, proto);
    Object *y = x ? socket_wrap(fds[1], family, type, proto) : NULL;
    if (!x) close(fds[1]);
    Object *r = y ? tuple_pack(2, x, y) : NULL;
    XDECREF(x);
    XDECREF(y);
    return r;
}

/* create_connection((host, port), timeout=<default>, source_address=None):
   try each address the host resolves to; raise the last failure. */
static Object *socket_create_connection(Object *self, Object *const *args, size_t nargs,
                                        Object *kwnames) {
    (void)self;
    static const char *const names[] = {"address", "timeout", "source_address", "all_errors", NULL};
    Object *a[4] = {NULL, NULL, NULL, NULL};
    if (args_parse("create_connection", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    int64_t timeout = 0;
    if (a[1] && timeout_arg(a[1], &timeout) < 0) return NULL;
    /* host, port = address, as CPython unpacks it. */
    Object *parts = tuple_from_iterable(a[0]);
    if (!parts) {
        if (!error_matches(&exc_TypeError)) return NULL;
        error_clear();
        return error_set(&exc_TypeError, "cannot unpack non-iterable %s object", TYPE_NAME(a[0]));
    }
    size_t n = tuple_size(parts);
    if (n != 2) {
        DECREF(parts);
        return n < 2 ? error_set(&exc_ValueError, "not enough values to unpack (expected 2, got %zu)", n)
                     : error_set(&exc_ValueError, "too many values to unpack (expected 2)");
    }
    const char *host;
    Object *keep;
    int port;
    if (lookup_host_arg(tuple_item(parts, 0), &keep, &host) < 0) {
        DECREF(parts);
        return NULL;
    }
    if (port_arg(tuple_item(parts, 1), "getaddrinfo", &port) < 0) {
        DECREF(keep);
        DECREF(parts);
        return NULL;
    }
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *list = NULL;
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while the name is resolved (keep holds host) */
    int code = getaddrinfo(host && host[0] ? host : NULL, service, &hints, &list);
    GIL_ACQUIRE(ts);
    DECREF(keep);
    DECREF(parts);
    if (code != 0) return raise_gaierror(code);
    Object *result = NULL;
    for (struct addrinfo *ai = list; ai && !result; ai = ai->ai_next) {
        if (ai != list) error_clear(); /* only the last failure is raised */
        SocketObject *s = (SocketObject *)socket_open(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (!s) continue;
        if (a[1]) socket_set_timeout(s, timeout);
        Object *bound = a[2] && a[2] != None ? sock_bind((Object *)s, &a[2], 1, NULL) : NEWREF(None);
        SockAddr addr;
        memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
        int fd = socket_fd(s);
        int64_t t = socket_timeout(s);
        CallResult r = {-1, 0, false};
        if (bound) {
            DECREF(bound);
            GIL_RELEASE(ts); /* GIL: released while connecting; addr is a C local */
            r = connect_waiting(fd, &addr, ai->ai_addrlen, t);
            GIL_ACQUIRE(ts);
            if (r.result == 0) result = NEWREF((Object *)s);
            else raise_call_error(&r);
        }
        DECREF(s);
    }
    freeaddrinfo(list);
    return result;
}

/* create_server(address, *, family=AF_INET, backlog=None, reuse_port=False,
   dualstack_ipv6=False) */
static Object *socket_create_server(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self;
    static const char *const names[] = {"address", "family", "backlog", "reuse_port",
                                        "dualstack_ipv6", NULL};
    Object *a[5] = {NULL, NULL, NULL, NULL, NULL};
    if (args_parse("create_server", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    int family, backlog = DEFAULT_BACKLOG;
    if (int_arg(a[1], AF_INET, &family) < 0) return NULL;
    if (a[2] && a[2] != None && int_arg(a[2], 0, &backlog) < 0) return NULL;
    int reuse_port = a[3] ? object_truth(a[3]) : 0;
    if (reuse_port < 0) return NULL;
    SocketObject *s = (SocketObject *)socket_open(family, SOCK_STREAM, 0);
    if (!s) return NULL;
    int one = 1;
    if (family != AF_UNIX) setsockopt(socket_fd(s), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (reuse_port && setsockopt(socket_fd(s), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0) {
        DECREF(s);
        return error_set_from_errno(errno, NULL);
    }
    SockAddr addr;
    socklen_t len;
    if (addr_arg(family, a[0], "bind", &addr, &len) < 0) {
        DECREF(s);
        return NULL;
    }
    if (bind(socket_fd(s), &addr.sa, len) < 0) {
        /* CPython says which address it was. */
        int err = errno;
        Object *r = object_repr(a[0]);
        DECREF(s);
        if (!r) return NULL;
        Object *msg = str_from_format("%s (while attempting to bind on address %s)",
                                      strerror(err), str_data(r));
        DECREF(r);
        Object *code = int_from_i64(err);
        Object *t = msg && code ? tuple_pack(2, code, msg) : NULL;
        XDECREF(msg);
        XDECREF(code);
        Object *e = t ? exception_new(&exc_OSError, t) : NULL;
        XDECREF(t);
        if (e) {
            error_set_instance(e);
            DECREF(e);
        }
        return NULL;
    }
    if (listen(socket_fd(s), backlog < 0 ? 0 : backlog) < 0) {
        DECREF(s);
        return error_set_from_errno(errno, NULL);
    }
    return (Object *)s;
}

static Object *socket_getdefaulttimeout(Object *self, Object *const *args, size_t nargs,
                                        Object *kwnames) {
    (void)self; (void)args;
    if (args_check("getdefaulttimeout", nargs, kwnames, 0, 0) < 0) return NULL;
    return timeout_object(__atomic_load_n(&default_timeout_ns, __ATOMIC_RELAXED));
}

static Object *socket_setdefaulttimeout(Object *self, Object *const *args, size_t nargs,
                                        Object *kwnames) {
    (void)self;
    if (args_check("setdefaulttimeout", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t t;
    if (timeout_arg(args[0], &t) < 0) return NULL;
    __atomic_store_n(&default_timeout_ns, t, __ATOMIC_RELAXED);
    return NEWREF(None);
}

static Object *socket_gethostname(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    (void)self; (void)args;
    if (args_check("gethostname", nargs, kwnames, 0, 0) < 0) return NULL;
    char name[256];
    if (gethostname(name, sizeof(name)) < 0) return error_set_from_errno(errno, NULL);
    name[sizeof(name) - 1] = '\0';
    return str_from_cstr(name);
}

/* gethostbyname(name) -> '127.0.0.1' (IPv4 only, as CPython). */
static Object *socket_gethostbyname(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self;
    if (args_check("gethostbyname", nargs, kwnames, 1, 1) < 0) return NULL;
    const char *host;
    Object *keep;
    if (host_arg(args[0], "gethostbyname", &keep, &host) < 0) return NULL;
    SockAddr addr;
    memset(&addr, 0, sizeof(addr));
    int rc = resolve_host(AF_INET, host, &addr);
    DECREF(keep);
    if (rc < 0) return NULL;
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr.in4.sin_addr, text, sizeof(text));
    return str_from_cstr(text);
}

static const MethodDef socket_functions[] = {
    {"socketpair", socket_socketpair, NULL},
    {"create_connection", socket_create_connection, NULL},
    {"create_server", socket_create_server, NULL},
    {"getdefaulttimeout", socket_getdefaulttimeout, NULL},
    {"setdefaulttimeout", socket_setdefaulttimeout, NULL},
    {"gethostname", socket_gethostname, NULL},
    {"gethostbyname", socket_gethostbyname, NULL},
    {NULL, NULL, NULL},
};

typedef struct {
    const char *name;
    long value;
} IntConstant;

static const IntConstant socket_constants[] = {
    {"AF_INET", AF_INET}, {"AF_INET6", AF_INET6}, {"AF_UNIX", AF_UNIX}, {"AF_UNSPEC", AF_UNSPEC},
    {"SOCK_STREAM", SOCK_STREAM}, {"SOCK_DGRAM", SOCK_DGRAM}, {"SOCK_RAW", SOCK_RAW},
    {"SOCK_NONBLOCK", SOCK_NONBLOCK}, {"SOCK_CLOEXEC", SOCK_CLOEXEC},
    {"SOL_SOCKET", SOL_SOCKET}, {"SO_REUSEADDR", SO_REUSEADDR}, {"SO_REUSEPORT", SO_REUSEPORT},
    {"SO_KEEPALIVE", SO_KEEPALIVE}, {"SO_BROADCAST", SO_BROADCAST}, {"SO_LINGER", SO_LINGER},
    {"SO_RCVBUF", SO_RCVBUF}, {"SO_SNDBUF", SO_SNDBUF}, {"SO_ERROR", SO_ERROR},
    {"SO_TYPE", SO_TYPE}, {"SOMAXCONN", SOMAXCONN},
    {"IPPROTO_IP", IPPROTO_IP}, {"IPPROTO_TCP", IPPROTO_TCP}, {"IPPROTO_UDP", IPPROTO_UDP},
    {"IPPROTO_IPV6", IPPROTO_IPV6}, {"TCP_NODELAY", TCP_NODELAY},
    {"SHUT_RD", SHUT_RD}, {"SHUT_WR", SHUT_WR}, {"SHUT_RDWR", SHUT_RDWR},
    {"MSG_PEEK", MSG_PEEK}, {"MSG_WAITALL", MSG_WAITALL}, {"MSG_DONTWAIT", MSG_DONTWAIT},
    {"INADDR_ANY", INADDR_ANY}, {"INADDR_LOOPBACK", INADDR_LOOPBACK},
    {"INADDR_BROADCAST", (long)INADDR_BROADCAST},
    {NULL, 0},
};

static int add_int_constants(Object *m, const IntConstant *c) {
    for (; c->name; c++) {
        Object *v = int_from_i64(c->value);
        int r = v ? module_add_object(m, c->name, v) : -1;
        XDECREF(v);
        if (r < 0) return -1;
    }
    return 0;
}

Object *socket_module_init(void) {
    Object *m = module_new("socket");
    if (!m) return NULL;
    if (module_add_functions(m, socket_functions) < 0 || add_int_constants(m, socket_constants) < 0 ||
        module_add_object(m, "socket", (Object *)&socket_type) < 0 ||
        module_add_object(m, "SocketType", (Object *)&socket_type) < 0 ||
        module_add_object(m, "error", (Object *)&exc_OSError) < 0 ||
        module_add_object(m, "timeout", (Object *)&exc_TimeoutError) < 0 ||
        module_add_object(m, "gaierror", (Object *)&exc_socket_gaierror) < 0 ||
        module_add_object(m, "herror", (Object *)&exc_socket_herror) < 0 ||
        module_add_object(m, "has_ipv6", True_) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
