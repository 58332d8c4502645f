/* race.c - the --no-gil race detector (what it catches and why: race.h).
 *
 * Invariants:
 *   - Nothing here runs unless race_enable() turned the detector on
 *     (--no-gil); object.c tests race_detector_on before calling in.
 *   - A quarantined block is in exactly one ring slot, is in no free list,
 *     and has the header {RACE_POISON or RACE_POISON_SMALL, &freed_object_type}
 *     until a racing thread changes it. Only the ring's owner thread writes
 *     the ring; a ring changes owner only under rings_lock, when the old owner
 *     has ended.
 *   - The first report wins: it prints, runs the stop hook and _exit()s.
 *     Threads that find a second anomaly meanwhile wait for that exit.
 *
 * The free-threaded build (toy-ft) has no race detector: its counts do not
 * race. It uses race_ft.c instead, and this file is empty there.
 */
#ifndef TOY_FREE_THREADED
#include "core/race.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/hangwatch.h"
#include "core/objhooks.h"
#include "core/gchead.h"

/* ---- State --------------------------------------------------------------- */

/* A freed object, as it sits in quarantine. Blocks of 16 bytes (objects with
   no fields) have no room for the name and carry RACE_POISON_SMALL. */
typedef struct {
    Object head;            /* {RACE_POISON, &freed_object_type} */
    const char *type_name;  /* the ring slot's type_name */
} PoisonedBlock;

#define POISON_BYTE 0xdd
#define POISON_WORD 0xddddddddddddddddull
#define POISON_FILL_MAX 128   /* bytes of a block filled with POISON_BYTE */
#define CLASS_NAME_MAX 24
#define ALTSTACK_SIZE (64 * 1024)

typedef struct {
    Object *obj;
    size_t size;
    size_t prefix;          /* bytes of the block before obj (object.h: heap_bytes_before, or a
                               collector head) */
    const char *type_name;  /* a built-in type's name (static), or class_name */
    char class_name[CLASS_NAME_MAX]; /* a user class's name, copied: the class
                                        may die before its instance leaves */
} Slot;

/* One thread's quarantine. Slots [0, min(pushed, N)) are in use; the next
   push goes to pushed % N, evicting what was there. Only the first slots a
   thread fills are ever touched, so a ring costs memory as it is used. */
typedef struct Ring {
    Slot slots[RACE_QUARANTINE_SLOTS];
    uint64_t pushed;
    bool in_use;               /* owned by a running thread (rings_lock) */
    struct Ring *next;         /* all rings (rings_lock) */
    char altstack[ALTSTACK_SIZE]; /* the owner's signal stack: a stack
                                      overflow can still be explained */
} Ring;

static pthread_mutex_t rings_lock = PTHREAD_MUTEX_INITIALIZER;
static Ring *all_rings;
static _Thread_local Ring *my_ring;

bool race_detector_on;               /* set once at start-up */
static void (*stop_hook)(void);      /* set once at start-up */
static atomic_uint_fast64_t anomalies;
static atomic_int reporting;         /* a report is being printed */
static _Thread_local bool i_am_reporting; /* ... by this thread */

static const char why_text[] =
    "  why: the GIL is off (--no-gil). INCREF and DECREF are plain, non-atomic\n"
    "       `refcnt++` / `refcnt--`: each reads the count, adds one, writes it back.\n"
    "       When two threads update the same count at the same moment, one update\n"
    "       can be lost: a count left too high leaks its object (lost decrement), a\n"
    "       count left too low frees the object while a thread still uses it (lost\n"
    "       increment). With the GIL only one thread runs bytecode at a time, and\n"
    "       every count stays exact.\n";

static bool near(intptr_t value, intptr_t mark) {
    return value > mark - RACE_MARK_RANGE && value < mark + RACE_MARK_RANGE;
}

static bool is_poisoned(Object *o) {
    return o->type == &freed_object_type &&
           (near(o->refcnt, RACE_POISON) || near(o->refcnt, RACE_POISON_SMALL));
}

/* ---- Reporting ------------------------------------------------------------ */

static const char *kind_text(RaceKind kind) {
    switch (kind) {
    case RACE_USE_AFTER_FREE: return "use after free";
    case RACE_DOUBLE_FREE: return "double free";
    case RACE_NEGATIVE_COUNT: return "negative reference count";
    }
    return "anomaly";
}

/* The name of o's type as it was while o lived, or NULL if not known. */
static const char *original_type_name(Object *o) {
    if (!o) return NULL;
    if (o->type != &freed_object_type) return o->type->name;
    if (near(o->refcnt, RACE_POISON)) return ((PoisonedBlock *)o)->type_name;
    return NULL;
}

/* write(2) all of s to stderr: async-signal-safe, and no stdio lock. */
static void write_text(const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

/* Append formatted text to buf (of size cap, used len so far), truncating. */
static size_t append_v(char *buf, size_t cap, size_t len, const char *fmt, va_list ap) {
    if (len >= cap) return len;
    int n = vsnprintf(buf + len, cap - len, fmt, ap);
    if (n < 0) return len;
    return len + (size_t)n < cap ? len + (size_t)n : cap - 1;
}

static size_t append(char *buf, size_t cap, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t append(char *buf, size_t cap, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    len = append_v(buf, cap, len, fmt, ap);
    va_end(ap);
    return len;
}

/* The end of every report: print it and the exit status line, run the stop
   hook (--stats), exit. The caller has claimed `reporting`. */
static _Noreturn void finish(const char *report, const char *reason) {
    char last[128];
    snprintf(last, sizeof(last), "toy: stopped with exit status %d (%s)\n", RACE_EXIT_STATUS,
             reason);
    fflush(stdout); /* what the program printed comes first */
    write_text(report);
    write_text(last);
    if (stop_hook) stop_hook();
    fflush(stdout);
    fflush(stderr);
    _exit(RACE_EXIT_STATUS); /* no teardown: the counts can no longer be trusted */
}

_Noreturn void race_report(RaceKind kind, Object *o, const char *type_name,
                           const char *detail, ...) {
    atomic_fetch_add(&anomalies, 1);
    if (atomic_exchange(&reporting, 1)) {
        for (;;) pause(); /* another thread is reporting; it ends the process */
    }
    i_am_reporting = true;
    if (!type_name) type_name = original_type_name(o);

    /* One buffer written with write(2): no stdio lock that a stopped thread
       might hold, and no interleaving with the other threads' reports. */
    static char buf[4096];
    size_t len = append(buf, sizeof(buf), 0, "toy: reference-count race detected: %s\n",
                        kind_text(kind));
    if (type_name)
        len = append(buf, sizeof(buf), len, "  object: a '%s' object at %p\n", type_name,
                     (void *)o);
    else if (!o)
        len = append(buf, sizeof(buf), len, "  object: unknown\n");
    else
        len = append(buf, sizeof(buf), len,
                     "  object: at %p (its type could not be recorded)\n", (void *)o);
    len = append(buf, sizeof(buf), len, "  what happened: ");
    va_list ap;
    va_start(ap, detail);
    len = append_v(buf, sizeof(buf), len, detail, ap);
    va_end(ap);
    append(buf, sizeof(buf), len, "\n%s", why_text);
    finish(buf, "reference-count race");
}

_Noreturn void race_stop(const char *report, const char *reason) {
    atomic_fetch_add(&anomalies, 1);
    if (atomic_exchange(&reporting, 1)) {
        for (;;) pause(); /* another thread is reporting; it ends the process */
    }
    i_am_reporting = true;
    finish(report, reason);
}

uint64_t race_anomalies(void) { return atomic_load(&anomalies); }

/* ---- Crash signals ---------------------------------------------------------- */

/* The handler uses only write(2) of static text, sigaction and raise, which
   are async-signal-safe. */
static const char *signal_text(int sig) {
    switch (sig) {
    case SIGSEGV: return "toy: fatal signal SIGSEGV (invalid memory access) with the GIL off (--no-gil)\n";
    case SIGBUS: return "toy: fatal signal SIGBUS (bad memory access) with the GIL off (--no-gil)\n";
    case SIGABRT: return "toy: fatal signal SIGABRT (aborted) with the GIL off (--no-gil)\n";
    case SIGFPE: return "toy: fatal signal SIGFPE (arithmetic fault) with the GIL off (--no-gil)\n";
    case SIGILL: return "toy: fatal signal SIGILL (illegal instruction) with the GIL off (--no-gil)\n";
    }
    return "toy: fatal signal with the GIL off (--no-gil)\n";
}

static void crash_handler(int sig) {
    /* One explanation: a second thread that crashes meanwhile waits for the
       first to finish it and kill the process. */
    if (atomic_exchange(&reporting, 1) && !i_am_reporting) {
        for (;;) pause();
    }
    i_am_reporting = true;
    write_text(signal_text(sig));
    write_text("  what happened: a thread used memory that had been freed or damaged by\n"
               "       another thread: most likely an object freed while still in use after\n"
               "       a lost reference-count update, or a shared list or dict resized while\n"
               "       another thread was reading it.\n");
    write_text(why_text);
    write_text("toy: the process now dies of the signal.\n");
    /* Die of the signal itself, with its default action (core dump, status). */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

static void install_crash_handlers(void) {
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = crash_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) sigaction(sigs[i], &sa, NULL);
}

/* fork() (multiprocessing) while another thread holds rings_lock would
   leave the child's copy locked forever: hold it across the fork. */
static void fork_prepare(void) { pthread_mutex_lock(&rings_lock); }
static void fork_parent(void) { pthread_mutex_unlock(&rings_lock); }
static void fork_child(void) { pthread_mutex_init(&rings_lock, NULL); }

void race_enable(void (*on_stop)(void), bool detector) {
    stop_hook = on_stop;
    install_crash_handlers();
    hangwatch_enable(race_stop);
    if (!detector) return;
    race_detector_on = true;
    object_hooks_set(OBJHOOK_RACE);
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* ---- Rings ------------------------------------------------------------------- */

static void set_altstack(Ring *r) {
    stack_t st;
    memset(&st, 0, sizeof(st));
    if (r) {
        st.ss_sp = r->altstack;
        st.ss_size = sizeof(r->altstack);
    } else {
        st.ss_flags = SS_DISABLE;
    }
    sigaltstack(&st, NULL);
}

/* The calling thread's ring: a free one left by an ended thread, or new. */
static Ring *ring_get(void) {
    if (my_ring) return my_ring;
    pthread_mutex_lock(&rings_lock);
    Ring *r = all_rings;
    while (r && r->in_use) r = r->next;
    if (!r) {
        r = mem_alloc_or_die(sizeof(Ring));
        r->pushed = 0;
        r->next = all_rings;
        all_rings = r;
    }
    r->in_use = true;
    pthread_mutex_unlock(&rings_lock);
    my_ring = r;
    set_altstack(r);
    return r;
}

void race_thread_release(void) {
    if (!my_ring) return;
    set_altstack(NULL);
    pthread_mutex_lock(&rings_lock);
    my_ring->in_use = false;
    pthread_mutex_unlock(&rings_lock);
    my_ring = NULL;
}

/* A block about to leave quarantine must still carry its poison. */
static inline void slot_check(const Slot *s) {
    Object *o = s->obj;
    intptr_t expect = s->size >= sizeof(PoisonedBlock) ? RACE_POISON : RACE_POISON_SMALL;
    intptr_t seen = o->refcnt;
    if (o->type != &freed_object_type || !near(seen, expect))
        race_report(RACE_USE_AFTER_FREE, o, s->type_name,
                    "its memory was overwritten after it had been freed");
    if (seen != expect)
        race_report(RACE_USE_AFTER_FREE, o, s->type_name,
                    "its reference count changed by %+ld after it had been freed:\n"
                    "       %s that the count no longer recorded",
                    (long)(seen - expect),
                    seen - expect == 1    ? "a thread still took a reference"
                    : seen - expect == -1 ? "a thread still dropped a reference"
                    : seen > expect       ? "threads still took references"
                                          : "threads still dropped references");
}

static void slot_release(Slot *s) {
    slot_check(s);
    mem_free((char *)s->obj - s->prefix, s->prefix + s->size);
    s->obj = NULL;
}

static size_t ring_filled(const Ring *r) {
    return r->pushed < RACE_QUARANTINE_SLOTS ? (size_t)r->pushed : RACE_QUARANTINE_SLOTS;
}

/* ---- The object hooks -------------------------------------------------------- */

/* The count was not 0 when this thread came to claim an object whose count
   it had just brought to 0: another thread touched it in between. */
static _Noreturn void report_bad_claim(Object *o, intptr_t seen) {
    if (near(seen, RACE_DYING) || is_poisoned(o))
        race_report(RACE_DOUBLE_FREE, o, NULL,
                    "two threads each dropped what they counted as the last reference,\n"
                    "       and both went on to free it");
    if (seen < 0)
        race_report(RACE_NEGATIVE_COUNT, o, NULL,
                    "its reference count went below zero (%ld): more references were\n"
                    "       dropped than the count had recorded",
                    (long)seen);
    race_report(RACE_USE_AFTER_FREE, o, NULL,
                "a thread took a new reference (count now %ld) just as the count reached\n"
                "       zero and the object was about to be freed",
                (long)seen);
}

void race_dealloc(Object *o) {
    /* Claim the object: only one thread may free it. */
    intptr_t seen = 0;
    if (!__atomic_compare_exchange_n(&o->refcnt, &seen, RACE_DYING, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        report_bad_claim(o, seen);
    if (o->type->flags & TYPE_GC) gc_untrack(o); /* as object_dealloc does */
    o->type->dealloc(o);
}

/* At object_free the count is RACE_DYING (claimed by race_dealloc), 0 (freed
   through the container trashcan) or 1 (a traceback entry freed by its
   predecessor). Anything else was written by another thread meanwhile. */
static void check_count_at_free(Object *o) {
    intptr_t rc = o->refcnt;
    if (rc == RACE_DYING || rc == 0 || rc == 1) return;
    if (is_poisoned(o))
        race_report(RACE_DOUBLE_FREE, o, NULL, "it was freed a second time");
    if (near(rc, RACE_DYING))
        race_report(RACE_USE_AFTER_FREE, o, NULL,
                    "its reference count changed by %+ld while it was being freed:\n"
                    "       another thread still %s a reference to it",
                    (long)(rc - RACE_DYING), rc > RACE_DYING ? "took" : "dropped");
    if (rc < 0)
        race_report(RACE_NEGATIVE_COUNT, o, NULL,
                    "its reference count went below zero (%ld) while it was being freed",
                    (long)rc);
    race_report(RACE_USE_AFTER_FREE, o, NULL,
                "its reference count became %ld while it was being freed", (long)rc);
}

static void poison(Object *o, size_t size, const char *type_name) {
    o->type = &freed_object_type;
    if (size >= sizeof(PoisonedBlock)) {
        ((PoisonedBlock *)o)->type_name = type_name;
        /* Fields read after the free now hold 0xdddd... pointers: following
           one faults at once instead of reading stale data. The pointer
           fields of every object type come first; what lies past
           POISON_FILL_MAX is text or numbers (a str's characters), not worth
           the time. Word stores: most objects are a few words, too small for
           memset to pay. */
        if (size > POISON_FILL_MAX) size = POISON_FILL_MAX;
        char *p = (char *)o + sizeof(PoisonedBlock), *end = (char *)o + size;
        for (; p + sizeof(uint64_t) <= end; p += sizeof(uint64_t))
            memcpy(p, &(uint64_t){POISON_WORD}, sizeof(uint64_t));
        for (; p < end; p++) *p = (char)POISON_BYTE;
        o->refcnt = RACE_POISON;
    } else {
        o->refcnt = RACE_POISON_SMALL;
    }
}

void race_quarantine(Object *o, size_t size, size_t prefix) {
    check_count_at_free(o);
    Ring *r = ring_get();
    Slot *s = &r->slots[r->pushed % RACE_QUARANTINE_SLOTS];
    if (r->pushed >= RACE_QUARANTINE_SLOTS) slot_release(s); /* the oldest leaves */
    r->pushed++;
    s->obj = o;
    s->size = size;
    s->prefix = prefix;
    s->type_name = o->type->name ? o->type->name : "?";
    if (o->type->flags & TYPE_HEAP) {
        size_t n = strnlen(s->type_name, CLASS_NAME_MAX - 1);
        memcpy(s->class_name, s->type_name, n);
        s->class_name[n] = '\0';
        s->type_name = s->class_name;
    }
    poison(o, size, s->type_name);
}

/* ---- Exit ---------------------------------------------------------------------- */

void race_check_all(void) {
    if (!race_detector_on) return;
    pthread_mutex_lock(&rings_lock);
    for (Ring *r = all_rings; r; r = r->next)
        for (size_t i = 0, n = ring_filled(r); i < n; i++) slot_check(&r->slots[i]);
    pthread_mutex_unlock(&rings_lock);
}

void race_fini(void) {
    if (!race_detector_on) return;
    race_thread_release();
    pthread_mutex_lock(&rings_lock);
    Ring *r = all_rings;
    all_rings = NULL;
    pthread_mutex_unlock(&rings_lock);
    while (r) {
        Ring *next = r->next;
        for (size_t i = 0, n = ring_filled(r); i < n; i++) slot_release(&r->slots[i]);
        mem_free(r, sizeof(Ring));
        r = next;
    }
}

/* ---- The type of freed objects ---------------------------------------------- */

/* Every slot reports: reaching one means a thread called an operation on an
   object after it was freed. */
_Noreturn void race_used_after_free(Object *o, const char *what) {
    race_report(RACE_USE_AFTER_FREE, o, NULL,
                "a thread %s after it had been freed (its last counted\n"
                "       reference was dropped while the thread still used it)",
                what);
}

static Object *freed_of(Object *a, Object *b) { return a && TYPE(a) == &freed_object_type ? a : b; }

static void freed_dealloc(Object *o) {
    race_report(RACE_DOUBLE_FREE, o, NULL, "it was deallocated a second time");
}

#define FREED_UNARY(slot) \
    static Object *freed_##slot(Object *o) { race_used_after_free(o, "called its " #slot " operation"); }
FREED_UNARY(repr)
FREED_UNARY(str)
FREED_UNARY(iter)
FREED_UNARY(neg)
FREED_UNARY(pos)
FREED_UNARY(invert)
FREED_UNARY(absolute)
FREED_UNARY(to_int)
FREED_UNARY(to_float)
FREED_UNARY(index)
#undef FREED_UNARY

static int64_t freed_hash(Object *o) { race_used_after_free(o, "hashed it"); }
static int64_t freed_len(Object *o) { race_used_after_free(o, "asked for its length"); }
static int freed_truth(Object *o) { race_used_after_free(o, "tested its truth"); }
static Object *freed_iternext(Object *o) { race_used_after_free(o, "advanced it as an iterator"); }
static Object *freed_richcompare(Object *a, Object *b, int op) {
    (void)op;
    race_used_after_free(freed_of(a, b), "compared it");
}
static Object *freed_binary(Object *a, Object *b) {
    race_used_after_free(freed_of(a, b), "used it as an operand");
}
static Object *freed_getitem(Object *o, Object *key) {
    (void)key;
    race_used_after_free(o, "indexed it");
}
static int freed_setitem(Object *o, Object *key, Object *value) {
    (void)key; (void)value;
    race_used_after_free(o, "stored an item in it");
}
static int freed_contains(Object *o, Object *item) {
    (void)item;
    race_used_after_free(o, "searched it with `in`");
}
static Object *freed_getattr(Object *o, Object *name) {
    (void)name;
    race_used_after_free(o, "read one of its attributes");
}
static int freed_setattr(Object *o, Object *name, Object *value) {
    (void)name; (void)value;
    race_used_after_free(o, "set one of its attributes");
}
static Object *freed_call(Object *o, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args; (void)nargs; (void)kwnames;
    race_used_after_free(o, "called it");
}
static Object *freed_construct(Type *t, Object *const *args, size_t nargs, Object *kwnames) {
    (void)t; (void)args; (void)nargs; (void)kwnames;
    race_used_after_free(NULL, "called the type of a freed object");
}

_Static_assert(BINOP_COUNT == 12, "ALL_BINOPS lists one entry per BinaryOp");
#define ALL_BINOPS(f) { f, f, f, f, f, f, f, f, f, f, f, f }

Type freed_object_type = {
    TYPE_HEAD_INIT,
    .name = "freed object",
    .base_type = NULL,
    .instance_size = sizeof(Object),
    .dealloc = freed_dealloc,
    .repr = freed_repr,
    .str = freed_str,
    .hash = freed_hash,
    .richcompare = freed_richcompare,
    .call = freed_call,
    .construct = freed_construct,
    .getattr = freed_getattr,
    .setattr = freed_setattr,
    .iter = freed_iter,
    .iternext = freed_iternext,
    .len = freed_len,
    .getitem = freed_getitem,
    .setitem = freed_setitem,
    .contains = freed_contains,
    .truth = freed_truth,
    .neg = freed_neg,
    .pos = freed_pos,
    .invert = freed_invert,
    .absolute = freed_absolute,
    .to_int = freed_to_int,
    .to_float = freed_to_float,
    .index = freed_index,
    .binary = ALL_BINOPS(freed_binary),
    .inplace = ALL_BINOPS(freed_binary),
};

#endif /* TOY_FREE_THREADED */
