/* selectmodule.c - the select module: select.select(rlist, wlist, xlist
 * [, timeout]), waiting for any of several descriptors at once.
 *
 * The three lists may hold ints or objects with a fileno() method (sockets,
 * files); the result has the same objects, in the order given, for the
 * descriptors that are ready. It is built on poll(), so descriptors above
 * FD_SETSIZE work too, and it waits with the GIL released and Ctrl-C
 * enabled (sigint_poll). "Exceptional conditions" (xlist) are what poll
 * calls POLLPRI.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <time.h>

#include "core/alloc.h"
#include "core/gil.h"
#include "core/refcount.h"
#include "core/sigint.h"
#include "core/threadstate.h"
#include "modules/socket.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/tuple.h"

/* The descriptor of an int or of an object with fileno(). -1 on error. */
static int fd_of(Object *o) {
    int64_t fd;
    if (is_instance_of(o, &int_type)) {
        if (int_as_i64(o, &fd) < 0) return -1;
    } else {
        Object *r = object_call_method(o, "fileno", NULL, 0);
        if (!r) {
            if (error_matches(&exc_AttributeError)) {
                error_clear();
                error_set(&exc_TypeError, "argument must be an int, or have a fileno() method.");
            }
            return -1;
        }
        bool ok = is_instance_of(r, &int_type) && int_as_i64(r, &fd) == 0;
        DECREF(r);
        if (!ok) {
            if (!error_occurred()) error_set(&exc_TypeError, "fileno() returned a non-integer");
            return -1;
        }
    }
    if (fd < 0) {
        error_set(&exc_ValueError, "file descriptor cannot be a negative integer (%lld)", (long long)fd);
        return -1;
    }
    if (fd > INT32_MAX) {
        error_set(&exc_OverflowError, "Python int too large to convert to C int");
        return -1;
    }
    return (int)fd;
}

/* The three lists as one list of (object, events) in order. */
typedef struct {
    Object *items;       /* list of the objects, owned */
    struct pollfd *fds;  /* one per item */
    size_t n, cap;
} Watch;

static int watch_add(Watch *w, Object *seq, short events) {
    Object *it = object_iter(seq);
    if (!it) {
        if (error_matches(&exc_TypeError)) {
            error_clear();
            error_set(&exc_TypeError, "arguments 1-3 must be sequences");
        }
        return -1;
    }
    Object *o;
    int r = 0;
    while (r == 0 && (o = object_next(it))) {
        int fd = fd_of(o);
        if (fd < 0) r = -1;
        if (r == 0 && !mem_grow(&w->fds, w->n, &w->cap, sizeof *w->fds, 16)) {
            error_no_memory();
            r = -1;
        }
        if (r == 0 && list_append(w->items, o) < 0) r = -1;
        if (r == 0) w->fds[w->n++] = (struct pollfd){.fd = fd, .events = events};
        DECREF(o);
    }
    DECREF(it);
    return r < 0 || error_occurred() ? -1 : 0;
}

/* timeout None: wait forever (-1); else a deadline on CLOCK_MONOTONIC. */
static int timeout_arg(Object *o, int64_t *deadline) {
    *deadline = -1;
    if (!o || o == None) return 0;
    double secs;
    if (!is_instance_of(o, &int_type) && !is_instance_of(o, &float_type)) {
        error_set(&exc_TypeError, "timeout must be a float or None");
        return -1;
    }
    if (float_as_double(o, &secs) < 0) return -1;
    if (isnan(secs)) {
        error_set(&exc_ValueError, "Invalid value NaN (not a number)");
        return -1;
    }
    if (secs < 0) {
        error_set(&exc_ValueError, "timeout must be non-negative");
        return -1;
    }
    if (secs > 1e9) secs = 1e9;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    *deadline = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + (int64_t)(secs * 1e9);
    return 0;
}

/* The ready objects of one of the three lists. */
static Object *ready_list(const Watch *w, short events, short ready_mask) {
    Object *out = list_new(0);
    for (size_t i = 0; out && i < w->n; i++) {
        if (w->fds[i].events != events || !(w->fds[i].revents & ready_mask)) continue;
        if (list_append(out, list_item(w->items, i)) < 0) CLEAR(&out);
    }
    return out;
}

static Object *select_select(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("select", nargs, kwnames, 3, 4) < 0) return NULL;
    Watch w = {list_new(0), NULL, 0, 0};
    int64_t deadline;
    Object *result = NULL;
    if (!w.items || watch_add(&w, args[0], POLLIN) < 0 || watch_add(&w, args[1], POLLOUT) < 0 ||
        watch_add(&w, args[2], POLLPRI) < 0 || timeout_arg(nargs > 3 ? args[3] : NULL, &deadline) < 0)
        goto done;
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while waiting; only the pollfd array is used */
    int r = sigint_poll(w.fds, (nfds_t)w.n, deadline);
    GIL_ACQUIRE(ts);
    if (r < 0) {
        if (errno != EINTR || error_check_interrupt() == 0) error_set_from_errno(errno, NULL);
        goto done;
    }
    /* A closed peer or an error counts as readable (and writable), as in
       select(2): the next read reports it. */
    Object *rl = ready_list(&w, POLLIN, POLLIN | POLLHUP | POLLERR);
    Object *wl = rl ? ready_list(&w, POLLOUT, POLLOUT | POLLHUP | POLLERR) : NULL;
    Object *xl = wl ? ready_list(&w, POLLPRI, POLLPRI) : NULL;
    if (xl) result = tuple_pack(3, rl, wl, xl);
    XDECREF(rl);
    XDECREF(wl);
    XDECREF(xl);
done:
    XDECREF(w.items);
    mem_free(w.fds, w.cap * sizeof(*w.fds));
    return result;
}

static const MethodDef select_functions[] = {
    {"select", select_select, NULL},
    {NULL, NULL, NULL},
};

Object *select_module_init(void) {
    Object *m = module_new("select");
    if (!m) return NULL;
    if (module_add_functions(m, select_functions) < 0 ||
        module_add_object(m, "error", (Object *)&exc_OSError) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
