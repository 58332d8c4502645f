/* timemodule.c - the time module: wall-clock, monotonic and CPU-time
 * clocks, sleep.
 *
 * time() reads CLOCK_REALTIME; perf_counter() and monotonic() read
 * CLOCK_MONOTONIC; process_time() and thread_time() the CPU time of the
 * process and of the calling thread, as CPython does on Linux. Each has an
 * _ns twin returning an int of nanoseconds. The module holds no state.
 * sleep() in the main thread is cut short by Ctrl-C (KeyboardInterrupt).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* clock_gettime, nanosleep */
#endif
#include <errno.h>
#include <math.h>
#include <time.h>

#include "core/gil.h"
#include "core/refcount.h"
#include "core/sigint.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/module.h"
#include "modules/builtins.h"

static double clock_seconds(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static Object *clock_nanoseconds(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return int_from_i64((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

static Object *time_time(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("time.time", nargs, kwnames, 0, 0) < 0) return NULL;
    return float_from_double(clock_seconds(CLOCK_REALTIME));
}

static Object *time_time_ns(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("time.time_ns", nargs, kwnames, 0, 0) < 0) return NULL;
    return clock_nanoseconds(CLOCK_REALTIME);
}

static Object *time_perf_counter(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)self; (void)args;
    if (args_check("time.perf_counter", nargs, kwnames, 0, 0) < 0) return NULL;
    return float_from_double(clock_seconds(CLOCK_MONOTONIC));
}

static Object *time_perf_counter_ns(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self; (void)args;
    if (args_check("time.perf_counter_ns", nargs, kwnames, 0, 0) < 0) return NULL;
    return clock_nanoseconds(CLOCK_MONOTONIC);
}

static Object *time_monotonic(Object *self, Object *const *args, size_t nargs,
                              Object *kwnames) {
    (void)self; (void)args;
    if (args_check("time.monotonic", nargs, kwnames, 0, 0) < 0) return NULL;
    return float_from_double(clock_seconds(CLOCK_MONOTONIC));
}

static Object *time_monotonic_ns(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)self; (void)args;
    if (args_check("time.monotonic_ns", nargs, kwnames, 0, 0) < 0) return NULL;
    return clock_nanoseconds(CLOCK_MONOTONIC);
}

static Object *time_process_time(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)self; (void)args;
    if (args_check("time.process_time", nargs, kwnames, 0, 0) < 0) return NULL;
    return float_from_double(clock_seconds(CLOCK_PROCESS_CPUTIME_ID));
}

static Object *time_process_time_ns(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self; (void)args;
    if (args_check("time.process_time_ns", nargs, kwnames, 0, 0) < 0) return NULL;
    return clock_nanoseconds(CLOCK_PROCESS_CPUTIME_ID);
}

static Object *time_thread_time(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)self; (void)args;
    if (args_check("time.thread_time", nargs, kwnames, 0, 0) < 0) return NULL;
    return float_from_double(clock_seconds(CLOCK_THREAD_CPUTIME_ID));
}

static Object *time_thread_time_ns(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)self; (void)args;
    if (args_check("time.thread_time_ns", nargs, kwnames, 0, 0) < 0) return NULL;
    return clock_nanoseconds(CLOCK_THREAD_CPUTIME_ID);
}

/* The sleep length as a timespec, rounded up to whole nanoseconds as CPython
   rounds it. 0 / -1. */
static int sleep_length(Object *arg, struct timespec *out) {
    double secs;
    if (is_float(arg)) {
        secs = float_value(arg);
    } else {
        int64_t n;
        if (object_as_index(arg, &n, NULL) < 0) return -1;
        secs = (double)n;
    }
    if (isnan(secs)) {
        error_set(&exc_ValueError, "Invalid value NaN (not a number)");
        return -1;
    }
    if (secs < 0) {
        error_set(&exc_ValueError, "sleep length must be non-negative");
        return -1;
    }
    if (secs >= 9.2e18 / 1e9) { /* beyond what a nanosecond count can hold */
        error_set(&exc_OverflowError, "timestamp out of range for platform time_t");
        return -1;
    }
    double whole = floor(secs);
    double nanos = ceil((secs - whole) * 1e9);
    out->tv_sec = (time_t)whole;
    out->tv_nsec = (long)nanos;
    if (out->tv_nsec >= 1000000000) {
        out->tv_sec++;
        out->tv_nsec -= 1000000000;
    }
    return 0;
}

static Object *time_sleep(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("time.sleep", nargs, kwnames, 1, 1) < 0) return NULL;
    struct timespec req, now;
    if (sleep_length(args[0], &req) < 0) return NULL;
    /* A deadline on the monotonic clock: other signals do not lengthen the
       sleep, and a Ctrl-C for the main thread ends it (sigint_poll). */
    if (req.tv_sec > 1000000000) req.tv_sec = 1000000000; /* 31 years: no overflow below */
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t deadline = ((int64_t)now.tv_sec + (int64_t)req.tv_sec) * 1000000000 +
                       now.tv_nsec + req.tv_nsec;
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released for the whole sleep */
    int r = sigint_poll(NULL, 0, deadline);
    GIL_ACQUIRE(ts);
    if (r < 0 && errno == EINTR && error_check_interrupt() < 0) return NULL;
    return NEWREF(None);
}

static const MethodDef time_functions[] = {
    {"time", time_time, NULL},
    {"time_ns", time_time_ns, NULL},
    {"perf_counter", time_perf_counter, NULL},
    {"perf_counter_ns", time_perf_counter_ns, NULL},
    {"monotonic", time_monotonic, NULL},
    {"monotonic_ns", time_monotonic_ns, NULL},
    {"process_time", time_process_time, NULL},
    {"process_time_ns", time_process_time_ns, NULL},
    {"thread_time", time_thread_time, NULL},
    {"thread_time_ns", time_thread_time_ns, NULL},
    {"sleep", time_sleep, NULL},
    {NULL, NULL, NULL},
};

Object *time_module_init(void) {
    Object *m = module_new("time");
    if (!m) return NULL;
    if (module_add_functions(m, time_functions) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
