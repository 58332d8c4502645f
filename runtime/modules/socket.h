/* socket.h - socket objects, shared by the socket module (socketmodule.c),
 * the files that socket.makefile() returns (socketfile.c) and select
 * (selectmodule.c).
 *
 * A SocketObject owns one file descriptor (-1 once closed or detached). The
 * descriptor is always in non-blocking mode: every call that may wait tries
 * once, and when the kernel says it would block (EAGAIN), waits for the
 * descriptor with poll() until the socket's timeout, then tries again. So
 * timeouts, blocking sockets and non-blocking ones share one path, and a
 * Ctrl-C reaches the main thread while it waits (core/sigint.h). The GIL is
 * released around the whole attempt-and-wait, whether or not it turns out
 * to wait, as CPython does: a thread that calls recv() always gives other
 * threads a chance to run, and comes back through gil_take.
 *
 * Files from makefile() hold a reference to their socket and count in
 * io_refs: close() on the socket while files are open only marks it
 * (close_pending), and the descriptor is closed when the last file closes,
 * as in CPython.
 */
#ifndef TOY_SOCKET_H
#define TOY_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/object.h"

typedef struct {
    Object base;
    int fd;               /* -1: closed */
    int family, type, proto;
    int64_t timeout_ns;   /* < 0: blocking (None), 0: non-blocking, > 0: timeout */
    int io_refs;          /* open makefile() files */
    bool close_pending;   /* close() was called while files were open */
} SocketObject;

extern Type socket_type;
extern Type socketfile_text_type, socketfile_reader_type, socketfile_writer_type,
    socketfile_rwpair_type;

static inline bool is_socket(Object *o) { return o->type == &socket_type; }

/* Several threads may use one socket at once (one in recv() while another
   calls close(), or settimeout()); in toy-ft nothing else orders them. So
   fd and timeout_ns are read and written with relaxed atomics (plain moves
   on common hardware, in both builds): a call reads the descriptor once
   and uses that number. close() and detach() take it with an exchange, so
   exactly one of them (or the last makefile() file) gets a descriptor to
   close or return, never both; io_refs and close_pending change together
   under the socket's lock (core/objlock.h). A descriptor closed under a
   thread's recv() makes that call fail with EBADF, as in CPython. */
static inline int socket_fd(SocketObject *s) { return __atomic_load_n(&s->fd, __ATOMIC_RELAXED); }
static inline int socket_take_fd(SocketObject *s) {
    return __atomic_exchange_n(&s->fd, -1, __ATOMIC_ACQ_REL);
}
static inline int64_t socket_timeout(SocketObject *s) {
    return __atomic_load_n(&s->timeout_ns, __ATOMIC_RELAXED);
}
static inline void socket_set_timeout(SocketObject *s, int64_t t) {
    __atomic_store_n(&s->timeout_ns, t, __ATOMIC_RELAXED);
}

/* recv into buf (at most n bytes) honouring the socket's timeout, with the
   GIL released meanwhile. Returns the count (0: the peer closed), or -1 with
   an exception set (TimeoutError "timed out", OSError with errno). */
ssize_t socket_recv_into(SocketObject *s, char *buf, size_t n);
/* Send all n bytes of buf, waiting as the timeout allows. 0 / -1. */
int socket_send_all(SocketObject *s, const char *buf, size_t n);

/* A makefile() file stops using its socket: the last one closes a socket
   whose close() was deferred. */
void socket_io_release(SocketObject *s);

/* socket.makefile(mode='r', buffering=None, *, encoding=None, errors=None,
   newline=None) (socketfile.c). */
Object *socketfile_new_method(Object *self, Object *const *args, size_t nargs, Object *kwnames);

/* The modules' init functions (socketmodule.c, selectmodule.c). */
Object *socket_module_init(void);
Object *select_module_init(void);

#endif
