/* thread.c - OS threads running Toy functions, the thread table, locks, and
 * the _thread module. See thread.h for the life of a thread.
 *
 * Locks: a Toy Lock is a flag guarded by its own pthread mutex, with a
 * condition variable to wait on (a plain pthread mutex cannot serve, since
 * Python lets any thread release a Lock). A thread that must wait for a lock
 * releases the GIL while it waits, so the holder can run and release it.
 *
 * Ctrl-C: threads start with SIGINT blocked (the main thread receives it,
 * core/sigint.h). The main thread waits on condition variables in slices of
 * SIGINT_CHECK_NS, so a Ctrl-C interrupts its lock waits (and so joins,
 * queue gets, Condition waits) with KeyboardInterrupt; other threads wait
 * in one piece and are never interrupted.
 */
#include "modules/thread.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/gil.h"
#include "core/hangwatch.h"
#include "core/osthread.h"
#include "core/race.h"
#include "core/refcount.h"
#include "core/sigint.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/function.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* ---- The thread table ------------------------------------------------------ */

#define MAX_FINISHED_STATS 256

typedef struct {
    char name[sizeof(((ThreadState *)0)->name)];
    int64_t native_id;
    GilStats stats;
} FinishedThread;

/* Guarded by table.mutex, never by the GIL. */
static struct {
    pthread_mutex_t mutex;
    pthread_cond_t changed;      /* a thread left the table or finished */
    ThreadState *head;
    int count;
    int running;                 /* started, C teardown not yet finished */
    int non_daemon_running;      /* those of them started as non-daemon */
    FinishedThread finished[MAX_FINISHED_STATS];
    int nfinished;
    GilStats finished_total;     /* all finished threads, even past the array */
    int next_number;
} table = {
    .mutex = PTHREAD_MUTEX_INITIALIZER,
    .changed = PTHREAD_COND_INITIALIZER,
};

static void table_add(ThreadState *ts) {
    pthread_mutex_lock(&table.mutex);
    ts->next_thread = table.head;
    table.head = ts;
    table.count++;
    pthread_mutex_unlock(&table.mutex);
}

/* Unlink ts and keep its GIL statistics. */
static void table_remove(ThreadState *ts) {
    pthread_mutex_lock(&table.mutex);
    for (ThreadState **p = &table.head; *p; p = &(*p)->next_thread) {
        if (*p == ts) { *p = ts->next_thread; break; }
    }
    table.count--;
    if (table.nfinished < MAX_FINISHED_STATS) {
        FinishedThread *f = &table.finished[table.nfinished++];
        memcpy(f->name, ts->name, sizeof(f->name));
        f->native_id = ts->native_id;
        f->stats = ts->gil_stats;
    }
    gil_stats_add(&table.finished_total, &ts->gil_stats);
    pthread_mutex_unlock(&table.mutex);
}

/* A thread counts as running from just before its OS thread is created
   until the last thing it does. */
static void count_started(bool daemon) {
    pthread_mutex_lock(&table.mutex);
    table.running++;
    if (!daemon) table.non_daemon_running++;
    pthread_mutex_unlock(&table.mutex);
    hangwatch_thread_count(+1);
}

static void count_finished(bool daemon) {
    hangwatch_thread_count(-1);
    pthread_mutex_lock(&table.mutex);
    table.running--;
    if (!daemon) table.non_daemon_running--;
    pthread_cond_broadcast(&table.changed);
    pthread_mutex_unlock(&table.mutex);
}

/* The kernel's id of the calling thread (threading.get_native_id()). */
static int64_t native_thread_id(void) { return (int64_t)syscall(SYS_gettid); }

void thread_init_main(ThreadState *ts) {
    ts->ident = (uint64_t)pthread_self();
    ts->native_id = native_thread_id();
    snprintf(ts->name, sizeof(ts->name), "MainThread");
    table_add(ts);
}

void thread_exit_main(ThreadState *ts) { table_remove(ts); }

int thread_count(void) {
    pthread_mutex_lock(&table.mutex);
    int n = table.count;
    pthread_mutex_unlock(&table.mutex);
    return n;
}

/* How long the exit waits for daemon threads that are still running. A
   daemon thread that was just joined may still be running the last lines of
   its bootstrap or its C teardown; skipping the whole teardown for it would
   report its objects as leaked. Daemon threads that really keep running only
   delay the exit by this much. */
#define DAEMON_GRACE_MS 100

/* The clock's time now plus ns. */
static struct timespec time_after(clockid_t clock, int64_t ns) {
    struct timespec t;
    clock_gettime(clock, &t);
    ns += t.tv_nsec;
    t.tv_sec += (time_t)(ns / 1000000000L);
    t.tv_nsec = (long)(ns % 1000000000L);
    return t;
}

static bool time_before(const struct timespec *a, const struct timespec *b) {
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* CPython reports a Ctrl-C during the exit's wait for threads as an
   exception ignored in threading's shutdown, and exits without waiting
   further (the exit status stays what it was). */
static void report_exit_interrupt(void) {
    Object *mod = interp.modules ? dict_get_item_cstr(interp.modules, "threading") : NULL;
    Object *r = mod ? object_repr(mod) : NULL;
    fflush(stdout);
    fprintf(stderr, "Exception ignored in: %s\nKeyboardInterrupt: \n",
            r ? str_data(r) : "<module 'threading'>");
    if (!r) error_clear();
    XDECREF(r);
}

int thread_wait_for_non_daemon(ThreadState *ts) {
    GIL_RELEASE(ts); /* GIL: released while other threads finish */
    bool main = sigint_is_main_thread(), interrupted = false;
    HangWait hang; /* --no-gil: the watchdog sees this wait (core/hangwatch.h) */
    hangwatch_begin(&hang, "the other threads to finish (at exit)", NULL, NULL, NULL);
    pthread_mutex_lock(&table.mutex);
    while (table.non_daemon_running > 0 && !interrupted) {
        if (!main) {
            pthread_cond_wait(&table.changed, &table.mutex);
            continue;
        }
        struct timespec slice = time_after(CLOCK_REALTIME, SIGINT_CHECK_NS);
        pthread_cond_timedwait(&table.changed, &table.mutex, &slice);
        interrupted = sigint_take();
    }
    hangwatch_end(&hang);
    struct timespec deadline = time_after(CLOCK_REALTIME, DAEMON_GRACE_MS * 1000000L);
    while (!interrupted && table.running > 0 &&
           pthread_cond_timedwait(&table.changed, &table.mutex, &deadline) != ETIMEDOUT) {
    }
    int others = table.running;
    pthread_mutex_unlock(&table.mutex);
    GIL_ACQUIRE(ts);
    if (interrupted) report_exit_interrupt();
    return others;
}

void thread_before_fork(void) { pthread_mutex_lock(&table.mutex); }

void thread_after_fork_parent(void) { pthread_mutex_unlock(&table.mutex); }

void thread_after_fork_child(ThreadState *ts) {
    /* The other threads' states belong to threads that do not exist here;
       their objects stay unreachable (a fork with threads leaks them). The
       table's mutex is held by this thread (thread_before_fork). */
    pthread_mutex_unlock(&table.mutex);
    pthread_cond_init(&table.changed, NULL);
    ts->next_thread = NULL;
    ts->ident = (uint64_t)pthread_self();
    ts->native_id = native_thread_id();
    table.head = ts;
    table.count = 1;
    table.running = 0;
    table.non_daemon_running = 0;
}

static void print_stats_line(const char *name, const GilStats *s) {
    /* handovers: the acquisitions that took the lock from another thread
       (the others were re-takes, as under --gil=ticks). */
    fprintf(stderr, "  %-20s acquisitions %8llu  drop requests %6llu  forced switches %6llu  waited %9.3f ms"
                    "  handovers %llu\n",
            name, (unsigned long long)s->acquisitions, (unsigned long long)s->drop_requests,
            (unsigned long long)s->forced_switches, (double)s->wait_ns / 1e6,
            (unsigned long long)s->handovers);
    if (s->wakeups == 0 && s->futile_wakeups == 0) return;
    /* The wake-up latency: from the end of a blocking call to holding the
       lock again. Futile wake-ups: woken, the lock was taken again. */
    fprintf(stderr, "  %-20s wake-ups %12llu  p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms"
                    "  futile wake-ups %llu\n",
            "", (unsigned long long)s->wakeups, (double)gil_stats_latency(s, 0.50) / 1e6,
            (double)gil_stats_latency(s, 0.99) / 1e6, (double)s->wakeup_max_ns / 1e6,
            (unsigned long long)s->futile_wakeups);
}

static void print_policy_line(void) {
    GilPolicy p = gil_policy();
    if (p == GIL_POLICY_TICKS)
        fprintf(stderr, "gil policy: ticks (check interval %lld)\n",
                (long long)gil_get_check_interval());
    else
        fprintf(stderr, "gil policy: %s (switch interval %g ms)\n", gil_policy_name(p),
                gil_get_interval() * 1e3);
}

void thread_print_gil_stats(void) {
    pthread_mutex_lock(&table.mutex);
    GilStats total = table.finished_total;
#ifdef TOY_FREE_THREADED
    fprintf(stderr, "gil: %s\n", gil_enabled() ? "on (-X gil=1)" : "off (free-threaded build)");
#else
    fprintf(stderr, "gil: %s\n", gil_enabled() ? "on" : "off (--no-gil)");
#endif
    if (gil_enabled()) print_policy_line();
    for (int i = 0; i < table.nfinished; i++)
        print_stats_line(table.finished[i].name, &table.finished[i].stats);
    /* Threads still in the table at exit are daemon threads that are still
       running: they update their counters under the GIL's own mutex, so
       reading them here would race. They are listed without numbers. */
    for (ThreadState *t = table.head; t; t = t->next_thread)
        fprintf(stderr, "  %-20s still running\n", t->name);
    print_stats_line("total", &total);
    pthread_mutex_unlock(&table.mutex);
}

/* ---- Starting a thread ------------------------------------------------------ */

typedef struct {
    Object *func, *args, *kwargs; /* owned */
    bool daemon;
    char name[sizeof(((ThreadState *)0)->name)];
} Bootstrap;

/* An exception escaped a thread started with _thread: report it the way
   CPython's unraisable hook does, and carry on. */
static void report_thread_exception(Object *func) {
    if (error_matches(&exc_SystemExit)) { error_clear(); return; }
    Object *exc = error_fetch();
    Object *r = object_repr(func);
    fflush(stdout);
    fprintf(stderr, "Exception ignored in thread started by: %s\n", r ? str_data(r) : "?");
    if (!r) error_clear();
    XDECREF(r);
    if (exc) { error_print(exc); DECREF(exc); }
}

static void *thread_entry(void *arg) {
    Bootstrap *b = arg;
    ThreadState *ts = ts_create();
    ts->ident = (uint64_t)pthread_self();
    ts->native_id = native_thread_id();
    memcpy(ts->name, b->name, sizeof(ts->name));
    table_add(ts);
    gil_thread_start(ts);

    Object *result = object_call_tuple(b->func, b->args, b->kwargs);
    if (result) DECREF(result);
    else report_thread_exception(b->func);
    DECREF(b->func);
    DECREF(b->args);
    XDECREF(b->kwargs);
    bool daemon = b->daemon;
    mem_free(b, sizeof(Bootstrap));

    table_remove(ts);
    ts_destroy(ts);          /* releases objects: still under the GIL */
    osthread_exit_begin();   /* a fork now waits for the rest */
    gil_thread_exit(ts);     /* ts is only an identity from here on */
    float_thread_release();  /* before the blocks it hands back are released */
    int_thread_release();
    mem_thread_release();
    count_finished(daemon);
    osthread_exit_end();
    return NULL;
}

/* Start func(*args, **kwargs) in a new OS thread. Returns its ident. */
static Object *start_thread(Object *func, Object *args, Object *kwargs, bool daemon,
                            Object *name) {
    if (!object_callable(func)) return error_set(&exc_TypeError, "first arg must be callable");
    if (!is_tuple(args)) return error_set(&exc_TypeError, "2nd arg must be a tuple");
    if (kwargs && kwargs != None && !is_dict(kwargs))
        return error_set(&exc_TypeError, "optional 3rd arg must be a dictionary");
    Bootstrap *b = mem_alloc(sizeof(Bootstrap));
    if (!b) return error_no_memory();
    b->func = NEWREF(func);
    b->args = NEWREF(args);
    b->kwargs = (kwargs && kwargs != None) ? NEWREF(kwargs) : NULL;
    b->daemon = daemon;
    if (name && is_str(name))
        snprintf(b->name, sizeof(b->name), "%s", str_data(name));
    else {
        pthread_mutex_lock(&table.mutex);
        snprintf(b->name, sizeof(b->name), "thread-%d", ++table.next_number);
        pthread_mutex_unlock(&table.mutex);
    }
    count_started(daemon);
    ts_note_thread_start(); /* toy-ft: no more reads without a lock or a check */
    pthread_t tid;
    int err = osthread_create(&tid, thread_entry, b, 16u << 20); /* room for deep recursion */
    if (err) {
        count_finished(daemon);
        DECREF(b->func); DECREF(b->args); XDECREF(b->kwargs);
        mem_free(b, sizeof(Bootstrap));
        return error_set(&exc_RuntimeError, "can't start new thread");
    }
    return int_from_i64((int64_t)(uint64_t)tid);
}

/* ---- Lock objects ------------------------------------------------------------ */

typedef struct {
    Object base;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool locked; /* guarded by mutex */
    int waiters; /* threads in lock_wait (guarded by mutex) */
    int64_t taker; /* native id of the thread that acquired it last (mutex) */
} LockObject;

static Object *lock_new(void) {
    LockObject *l = (LockObject *)object_alloc(&lock_type, sizeof(LockObject));
    if (!l) return NULL;
    pthread_mutex_init(&l->mutex, NULL);
    l->locked = false;
    l->waiters = 0;
    l->taker = 0;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cond, &attr);
    pthread_condattr_destroy(&attr);
    return (Object *)l;
}

/* A waiting thread holds a reference to the lock, so only a lost increment
   (--no-gil) can free a lock with waiters. Destroying its condition then
   would block for ever (the waiters never leave it): report instead. */
static void lock_check_no_waiters(LockObject *l) {
    pthread_mutex_lock(&l->mutex);
    int waiters = l->waiters;
    pthread_mutex_unlock(&l->mutex);
    if (waiters > 0)
        race_report(RACE_USE_AFTER_FREE, (Object *)l, "lock",
                    "it was freed while %d thread%s waited to acquire it: its last\n"
                    "       counted reference was dropped while the waiters still held theirs",
                    waiters, waiters == 1 ? "" : "s");
}

static void lock_dealloc(Object *o) {
    LockObject *l = (LockObject *)o;
    lock_check_no_waiters(l);
    pthread_mutex_destroy(&l->mutex);
    pthread_cond_destroy(&l->cond);
    object_free(o, sizeof(LockObject));
}

static bool lock_try(LockObject *l) {
    pthread_mutex_lock(&l->mutex);
    bool got = !l->locked;
    l->locked = true;
    if (got) l->taker = ts_get()->native_id;
    pthread_mutex_unlock(&l->mutex);
    return got;
}

/* One wait on the lock's condition with l->mutex held: until the deadline
   (NULL: none), and in the main thread at most one Ctrl-C check slice.
   Returns ETIMEDOUT only when the deadline itself has passed. */
static int lock_wait_once(LockObject *l, const struct timespec *deadline, bool main) {
    if (!main) {
        return deadline ? pthread_cond_timedwait(&l->cond, &l->mutex, deadline)
                        : pthread_cond_wait(&l->cond, &l->mutex);
    }
    struct timespec slice = time_after(CLOCK_MONOTONIC, SIGINT_CHECK_NS);
    bool last = deadline && time_before(deadline, &slice);
    int r = pthread_cond_timedwait(&l->cond, &l->mutex, last ? deadline : &slice);
    return r == ETIMEDOUT && !last ? 0 : r;
}

/* The name of the thread whose kernel id is native_id into buf; 1 if it
   runs, 0 if it has ended, -1 if not known (the table is busy: it is only
   tried, never waited for; or the thread ended past MAX_FINISHED_STATS). */
static int thread_name_of(int64_t native_id, char *buf, size_t cap) {
    if (pthread_mutex_trylock(&table.mutex) != 0) return -1;
    int found = -1;
    for (ThreadState *t = table.head; t && found < 0; t = t->next_thread) {
        if (t->native_id == native_id) {
            snprintf(buf, cap, "%s", t->name);
            found = 1;
        }
    }
    for (int i = table.nfinished - 1; i >= 0 && found < 0; i--) {
        if (table.finished[i].native_id == native_id) {
            snprintf(buf, cap, "%s", table.finished[i].name);
            found = 0;
        }
    }
    pthread_mutex_unlock(&table.mutex);
    return found;
}

/* "the lock is locked..." with who acquired it last: every thread waits
   when this is asked, so a taker still in the table waits too. */
static void describe_locked(const HangWait *w, int64_t taker, char *buf, size_t cap) {
    char name[sizeof(((ThreadState *)0)->name)];
    int alive = taker && taker != w->native_id ? thread_name_of(taker, name, sizeof(name)) : -1;
    if (taker == w->native_id)
        snprintf(buf, cap, "the lock is locked, by this thread itself: it waits for another\n"
                           "       thread to release it, as join() and Condition.wait() do");
    else if (alive >= 0)
        snprintf(buf, cap, "the lock is locked, acquired last by thread '%s', which %s", name,
                 alive ? "waits too" : "has ended");
    else if (taker)
        snprintf(buf, cap, "the lock is locked, acquired last by a thread (native id %lld) that "
                 "has ended", (long long)taker);
    else
        snprintf(buf, cap, "the lock is locked, and no thread that could release it runs");
}

/* What a thread waiting for the lock for ever (hangwatch.h) is up against.
   The lock's mutex is only tried: the watchdog must never block on it. */
static void lock_describe(const HangWait *w, char *buf, size_t cap) {
    LockObject *l = (LockObject *)w->obj;
    if (l->base.type != &lock_type) {
        snprintf(buf, cap, "the lock is gone: its memory was freed while the thread waited");
        return;
    }
    int tries = 0;
    while (pthread_mutex_trylock(&l->mutex) != 0) {
        if (++tries == 1000) {
            snprintf(buf, cap, "the lock's own mutex stays held: nobody can release it");
            return;
        }
        sched_yield();
    }
    bool locked = l->locked;
    int64_t taker = l->taker;
    pthread_mutex_unlock(&l->mutex);
    if (locked) describe_locked(w, taker, buf, cap);
    else snprintf(buf, cap, "the lock is free, yet the waiting thread was never woken");
}

/* Wait for the lock with the GIL released; timeout < 0 waits forever.
   1 acquired, 0 timed out, -1 interrupted by Ctrl-C (main thread only; the
   lock is not taken). The caller's reference keeps l alive while we wait
   without the GIL. */
static int lock_wait(LockObject *l, double timeout) {
    struct timespec deadline;
    if (timeout > 1e9) timeout = 1e9; /* 31 years: "forever", and no overflow below */
    if (timeout >= 0) deadline = time_after(CLOCK_MONOTONIC, (int64_t)(timeout * 1e9));
    bool main = sigint_is_main_thread();
    ThreadState *ts = ts_get();
    GIL_RELEASE(ts); /* GIL: released while blocked on the lock */
    HangWait hang = {.listed = false}; /* a wait with a timeout ends by itself */
    if (timeout < 0) hangwatch_begin(&hang, "a lock", NULL, l, lock_describe);
    pthread_mutex_lock(&l->mutex);
    l->waiters++;
    int got = 1;
    while (l->locked) {
        if (main && sigint_pending()) {
            got = -1;
            break;
        }
        if (lock_wait_once(l, timeout >= 0 ? &deadline : NULL, main) == ETIMEDOUT) {
            got = !l->locked;
            break;
        }
    }
    if (got == 1) {
        l->locked = true;
        l->taker = ts->native_id;
    }
    l->waiters--;
    pthread_mutex_unlock(&l->mutex);
    hangwatch_end(&hang);
    GIL_ACQUIRE(ts);
    return got;
}

/* The largest timeout a lock accepts, in seconds (_thread.TIMEOUT_MAX). */
#define LOCK_TIMEOUT_MAX 9223372036.0 /* CPython on 64-bit Linux */

/* acquire(blocking=True, timeout=-1), parsed as CPython does: blocking is an
   int (bools included), timeout a number of seconds, -1 meaning forever. */
static int lock_parse_acquire(Object *const *args, size_t nargs, Object *kwnames,
                              bool *blocking, double *timeout) {
    static const char *const names[] = {"blocking", "timeout", NULL};
    Object *a[2] = {NULL, NULL};
    if (args_parse("acquire", args, nargs, kwnames, names, 0, a) < 0) return -1;
    int64_t b = 1;
    if (a[0] && object_as_index(a[0], &b, NULL) < 0) return -1;
    *blocking = b != 0;
    *timeout = -1;
    if (a[1] && float_as_double(a[1], timeout) < 0) {
        error_clear(); /* CPython's wording: */
        error_set(&exc_TypeError, "'%s' object cannot be interpreted as an integer",
                  TYPE_NAME(a[1]));
        return -1;
    }
    if (*timeout != *timeout) {
        error_set(&exc_ValueError, "Invalid value NaN (not a number)");
        return -1;
    }
    if (!*blocking && *timeout != -1) {
        error_set(&exc_ValueError, "can't specify a timeout for a non-blocking call");
        return -1;
    }
    if (*timeout < 0 && *timeout != -1) {
        error_set(&exc_ValueError, "timeout value must be positive");
        return -1;
    }
    /* CPython converts the timeout to int64 nanoseconds first: its limit is
       that range (TIMEOUT_MAX is the same, rounded down to whole seconds). */
    if (*timeout >= 9223372036.854775807) {
        error_set(&exc_OverflowError, "timestamp out of range for platform time_t");
        return -1;
    }
    return 0;
}

static Object *lock_acquire(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    bool blocking;
    double timeout;
    if (lock_parse_acquire(args, nargs, kwnames, &blocking, &timeout) < 0) return NULL;
    LockObject *l = (LockObject *)self;
    if (lock_try(l)) return bool_from(true);
    if (!blocking) return bool_from(false);
    int got;
    /* Interrupted: raise KeyboardInterrupt (the whole timeout starts again if
       error_check_interrupt finds nothing, which only a race could cause). */
    while ((got = lock_wait(l, timeout)) < 0)
        if (error_check_interrupt() < 0) return NULL;
    return bool_from(got);
}

static Object *lock_release(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("release", nargs, kwnames, 0, 0) < 0) return NULL;
    LockObject *l = (LockObject *)self;
    pthread_mutex_lock(&l->mutex);
    bool was = l->locked;
    if (was && hangwatch_lose_release()) { /* test hook: this release is lost */
        pthread_mutex_unlock(&l->mutex);
        return NEWREF(None);
    }
    l->locked = false;
    if (was) pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->mutex);
    if (!was) return error_set(&exc_RuntimeError, "release unlocked lock");
    return NEWREF(None);
}

static Object *lock_locked(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("locked", nargs, kwnames, 0, 0) < 0) return NULL;
    LockObject *l = (LockObject *)self;
    pthread_mutex_lock(&l->mutex);
    bool locked = l->locked;
    pthread_mutex_unlock(&l->mutex);
    return bool_from(locked);
}

static Object *lock_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    Object *r = lock_release(self, NULL, 0, NULL);
    if (!r) return NULL;
    DECREF(r);
    return NEWREF(False_);
}

static Object *lock_repr(Object *o) {
    LockObject *l = (LockObject *)o;
    pthread_mutex_lock(&l->mutex);
    bool locked = l->locked;
    pthread_mutex_unlock(&l->mutex);
    return str_from_format("<%s _thread.lock object at %p>", locked ? "locked" : "unlocked",
                           (void *)o);
}

static const MethodDef lock_methods[] = {
    {"acquire", lock_acquire, NULL},
    {"acquire_lock", lock_acquire, NULL},
    {"release", lock_release, NULL},
    {"release_lock", lock_release, NULL},
    {"locked", lock_locked, NULL},
    {"locked_lock", lock_locked, NULL},
    {"__enter__", lock_acquire, NULL},
    {"__exit__", lock_exit, NULL},
    {NULL, NULL, NULL},
};

Type lock_type = {
    TYPE_HEAD_INIT,
    .name = "lock",
    .base_type = &object_type,
    .instance_size = sizeof(LockObject),
    .methods = lock_methods,
    .dealloc = lock_dealloc,
    .repr = lock_repr,
    .hash = object_identity_hash,
};

/* ---- threading.local: one dict per thread ----------------------------------- *
 *
 * threading.local (runtime/lib/threading.toy) keeps each thread's attributes
 * of a local object in a dict that the thread owns: ts->local_dicts maps the
 * serial number of the local's key (a LocalKey, held by the local object) to
 * that dict. A thread's dicts go when the thread ends (ts_destroy); a key
 * that dies takes its entry out of every thread's map. Both happen under the
 * GIL, which is what guards a ts->local_dicts (its owner creates and fills
 * it only while holding the GIL); the thread table's mutex only keeps the
 * list of threads still while it is walked. Serial numbers are never
 * reused, so an entry a key could not remove (no memory for the list below)
 * is only kept too long, never found by another local. */

typedef struct {
    Object base;
    int64_t serial;
} LocalKeyObject;

static atomic_int_fast64_t local_serials;

/* Take key's entry out of ts's map; the dict, if any, goes into dead. */
static void local_forget_in(ThreadState *ts, Object *key, Object *dead) {
    if (!ts->local_dicts) return;
    Object *d = dict_get_item(ts->local_dicts, key); /* borrowed */
    if (d && list_append(dead, d) == 0) dict_del_item(ts->local_dicts, key, false);
}

static void localkey_dealloc(Object *o) {
    Object *pending = error_fetch(); /* a dealloc may run while an error propagates */
    Object *key = int_from_i64(((LocalKeyObject *)o)->serial);
    Object *dead = key ? list_new(0) : NULL;
    if (dead) {
        ThreadState *me = ts_get();
        bool seen_me = false;
        pthread_mutex_lock(&table.mutex);
        for (ThreadState *t = table.head; t; t = t->next_thread) {
            local_forget_in(t, key, dead);
            seen_me |= t == me;
        }
        pthread_mutex_unlock(&table.mutex);
        /* The main thread leaves the table before the modules are torn down. */
        if (me && !seen_me) local_forget_in(me, key, dead);
    }
    XDECREF(dead); /* the dicts are freed here, outside the table's mutex */
    XDECREF(key);
    error_clear();
    error_restore(pending);
    object_free(o, sizeof(LocalKeyObject));
}

/* key.dict() -> (the calling thread's dict for this local, created now?) */
static Object *localkey_dict(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("dict", nargs, kwnames, 0, 0) < 0) return NULL;
    ThreadState *ts = ts_get();
    if (!ts->local_dicts && !(ts->local_dicts = dict_new())) return NULL;
    Object *key = int_from_i64(((LocalKeyObject *)self)->serial);
    if (!key) return NULL;
    Object *d = dict_get_item(ts->local_dicts, key);
    bool created = d == NULL;
    if (d) {
        INCREF(d);
    } else if (!error_occurred() && (d = dict_new()) &&
               dict_set_item(ts->local_dicts, key, d) < 0) {
        CLEAR(&d);
    }
    DECREF(key);
    if (!d) return NULL;
    Object *r = tuple_pack(2, d, created ? True_ : False_);
    DECREF(d);
    return r;
}

/* key.discard(): drop the calling thread's dict (its __init__ failed). */
static Object *localkey_discard(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)args;
    if (args_check("discard", nargs, kwnames, 0, 0) < 0) return NULL;
    ThreadState *ts = ts_get();
    Object *key = int_from_i64(((LocalKeyObject *)self)->serial);
    if (!key) return NULL;
    int r = ts->local_dicts ? dict_del_item(ts->local_dicts, key, false) : 0;
    DECREF(key);
    return r < 0 ? NULL : NEWREF(None);
}

static const MethodDef localkey_methods[] = {
    {"dict", localkey_dict, NULL},
    {"discard", localkey_discard, NULL},
    {NULL, NULL, NULL},
};

Type localkey_type = {
    TYPE_HEAD_INIT,
    .name = "_localkey",
    .base_type = &object_type,
    .instance_size = sizeof(LocalKeyObject),
    .methods = localkey_methods,
    .dealloc = localkey_dealloc,
    .hash = object_identity_hash,
};

static Object *localkey_new(void) {
    LocalKeyObject *k = (LocalKeyObject *)object_alloc(&localkey_type, sizeof(LocalKeyObject));
    if (k) k->serial = atomic_fetch_add(&local_serials, 1);
    return (Object *)k;
}

/* ---- Exit: threading's shutdown hooks ----------------------------------------- */

void thread_run_shutdown_hooks(void) {
    Object *mod = interp.modules ? dict_get_item_cstr(interp.modules, "threading") : NULL;
    if (mod) INCREF(mod);
    Object *hook = mod ? object_getattr_cstr(mod, "_shutdown") : NULL;
    if (!hook) {
        error_clear();
        XDECREF(mod);
        return;
    }
    Object *r = object_call0(hook);
    DECREF(hook);
    if (r) {
        DECREF(r);
    } else {
        /* CPython reports it as an unraisable error of the module. */
        Object *exc = error_fetch();
        Object *repr = object_repr(mod);
        fflush(stdout);
        fprintf(stderr, "Exception ignored in: %s\n", repr ? str_data(repr) : "<module 'threading'>");
        if (!repr) error_clear();
        XDECREF(repr);
        if (exc) {
            error_print(exc);
            DECREF(exc);
        }
    }
    DECREF(mod);
}

/* ---- The _thread module -------------------------------------------------------- */

static Object *mod_start_new_thread(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self;
    if (args_check("start_new_thread", nargs, kwnames, 2, 3) < 0) return NULL;
    return start_thread(args[0], args[1], nargs > 2 ? args[2] : NULL, true, NULL);
}

/* _thread._start(func, args, kwargs, daemon, name): what threading uses, so
   that the exit of the program can wait for non-daemon threads. */
static Object *mod_start(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("_start", nargs, kwnames, 5, 5) < 0) return NULL;
    int daemon = object_truth(args[3]);
    if (daemon < 0) return NULL;
    return start_thread(args[0], args[1], args[2], daemon, args[4]);
}

static Object *mod_allocate_lock(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)self; (void)args;
    if (args_check("allocate_lock", nargs, kwnames, 0, 0) < 0) return NULL;
    return lock_new();
}

static Object *mod_get_ident(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("get_ident", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64((int64_t)ts_get()->ident);
}

static Object *mod_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("exit", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *empty = tuple_new(0);
    if (!empty) return NULL;
    Object *exc = exception_new(&exc_SystemExit, empty);
    DECREF(empty);
    if (!exc) return NULL;
    error_set_instance(exc);
    DECREF(exc);
    return NULL;
}

static Object *mod_count(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("_count", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64(thread_count() - 1);
}

/* _thread._print_exception(header, exc): print header and exc's traceback to
   stderr, for threading's "Exception in thread NAME:" report. */
static Object *mod_print_exception(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)self;
    if (args_check("_print_exception", nargs, kwnames, 2, 2) < 0) return NULL;
    if (!is_str(args[0]) || !is_exception(args[1]))
        return error_set(&exc_TypeError, "_print_exception(str, exception)");
    fflush(stdout);
    fprintf(stderr, "%s\n", str_data(args[0]));
    error_print(args[1]);
    return NEWREF(None);
}

/* _thread._set_name(name): the calling thread's name, for --stats. */
static Object *mod_set_name(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("_set_name", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!is_str(args[0])) return error_set(&exc_TypeError, "name must be a str");
    ThreadState *ts = ts_get();
    pthread_mutex_lock(&table.mutex);
    snprintf(ts->name, sizeof(ts->name), "%s", str_data(args[0]));
    pthread_mutex_unlock(&table.mutex);
    return NEWREF(None);
}

/* interrupt_main(signum=SIGINT): as if Ctrl-C had been pressed. Like
   CPython, only SIGINT, and only while Toy's handler is installed. */
static Object *mod_interrupt_main(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    (void)self;
    static const char *const names[] = {"signum", NULL};
    Object *a[1] = {NULL};
    if (args_parse("interrupt_main", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    int64_t signum = SIGINT;
    if (a[0] && int_as_i64(a[0], &signum) < 0) return NULL;
    if (signum != SIGINT)
        return error_set(&exc_NotImplementedError, "Toy's interrupt_main supports only SIGINT");
    sigint_interrupt_main();
    return NEWREF(None);
}

static Object *mod_get_native_id(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)self; (void)args;
    if (args_check("get_native_id", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64(ts_get()->native_id);
}

/* _thread._format_exception(exc): the traceback report error_print would
   write, as a str. */
static Object *mod_format_exception(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self;
    if (args_check("_format_exception", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!is_exception(args[0])) return error_set(&exc_TypeError, "_format_exception(exception)");
    return error_format(args[0]);
}

static Object *mod_local_key(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("_local_key", nargs, kwnames, 0, 0) < 0) return NULL;
    return localkey_new();
}

/* The checks of the three _local_* calls below: name a str, d a dict. */
static int local_args(Object *name, Object *d) {
    if (!is_str(name)) {
        error_set(&exc_TypeError, "attribute name must be string, not '%s'", TYPE_NAME(name));
        return -1;
    }
    if (!is_dict(d)) {
        error_set(&exc_TypeError, "a local's dict must be a dict");
        return -1;
    }
    return 0;
}

/* _thread._local_getattr(obj, name, d): obj.name with d as obj's dict. */
static Object *mod_local_getattr(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)self;
    if (args_check("_local_getattr", nargs, kwnames, 3, 3) < 0 || local_args(args[1], args[2]) < 0)
        return NULL;
    return object_getattr_with_dict(args[0], args[1], args[2]);
}

/* _thread._local_setattr(obj, name, value, d) and _local_delattr(obj, name, d). */
static Object *mod_local_setattr(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)self;
    if (args_check("_local_setattr", nargs, kwnames, 4, 4) < 0 || local_args(args[1], args[3]) < 0)
        return NULL;
    Object *d = args[3];
    if (object_setattr_with_dict(args[0], args[1], args[2], &d) < 0) return NULL;
    return NEWREF(None);
}

static Object *mod_local_delattr(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)self;
    if (args_check("_local_delattr", nargs, kwnames, 3, 3) < 0 || local_args(args[1], args[2]) < 0)
        return NULL;
    Object *d = args[2];
    if (object_setattr_with_dict(args[0], args[1], NULL, &d) < 0) return NULL;
    return NEWREF(None);
}

static const MethodDef thread_functions[] = {
    {"interrupt_main", mod_interrupt_main, NULL},
    {"start_new_thread", mod_start_new_thread, NULL},
    {"start_new", mod_start_new_thread, NULL},
    {"_start", mod_start, NULL},
    {"allocate_lock", mod_allocate_lock, NULL},
    {"allocate", mod_allocate_lock, NULL},
    {"get_ident", mod_get_ident, NULL},
    {"get_native_id", mod_get_native_id, NULL},
    {"exit", mod_exit, NULL},
    {"_count", mod_count, NULL},
    {"_print_exception", mod_print_exception, NULL},
    {"_set_name", mod_set_name, NULL},
    {"_format_exception", mod_format_exception, NULL},
    {"_local_key", mod_local_key, NULL},
    {"_local_getattr", mod_local_getattr, NULL},
    {"_local_setattr", mod_local_setattr, NULL},
    {"_local_delattr", mod_local_delattr, NULL},
    {NULL, NULL, NULL},
};

Object *thread_module_init(void) {
    Object *m = module_new("_thread");
    if (!m) return NULL;
    Object *timeout_max = float_from_double(LOCK_TIMEOUT_MAX);
    if (module_add_functions(m, thread_functions) < 0 || !timeout_max ||
        module_add_object(m, "LockType", (Object *)&lock_type) < 0 ||
        module_add_object(m, "error", (Object *)&exc_RuntimeError) < 0 ||
        module_add_object(m, "TIMEOUT_MAX", timeout_max) < 0) {
        XDECREF(timeout_max);
        DECREF(m);
        return NULL;
    }
    DECREF(timeout_max);
    return m;
}
