/* race.h - the --no-gil race detector: catches reference-count races and
 * explains them instead of letting the program crash mysteriously.
 *
 * Without the GIL, threads run bytecode truly in parallel, but INCREF and
 * DECREF stay plain, non-atomic `refcnt++` / `refcnt--` (refcount.h). Each is
 * a read, an add and a write; when two threads update the same count at the
 * same moment one update can be lost. A lost decrement leaks the object; a
 * lost increment lets the count reach zero while references still exist,
 * and the object is freed under a thread that is still using it.
 *
 * What the detector does, only with --no-gil (with the GIL on, none of this
 * runs and the hot paths pay one predictable branch in object_free and
 * object_dealloc):
 *   - object_dealloc claims the object with an atomic compare-and-swap of its
 *     count from 0 to RACE_DYING, so two threads that both dropped "the last
 *     reference" are caught (double free), and so is a count that went below
 *     zero or was raised again at the moment it reached zero.
 *   - object_free does not release the memory: it poisons the block (count
 *     RACE_POISON, type &freed_object_type, the rest filled with 0xdd) and
 *     puts it in a quarantine ring of the freeing thread. The ring holds the
 *     last RACE_QUARANTINE_SLOTS objects the thread freed.
 *   - When a block leaves quarantine (and at exit) its header is checked: a
 *     count other than RACE_POISON means some thread did INCREF/DECREF after
 *     the free (use after free).
 *   - Any call through a freed object's type lands in freed_object_type,
 *     whose every slot reports a use after free.
 *   - A crash signal (SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL) prints the
 *     same kind of explanation before the process dies of it.
 *   - A run in which every thread waits for ever (a wake-up lost to a race)
 *     is reported by the watchdog of core/hangwatch.h.
 * A report goes to stderr and the program stops with RACE_EXIT_STATUS.
 *
 * Thread-safety: the rings are per thread (a ring is handed to the next new
 * thread when its owner ends, contents and all); the list of rings has a
 * mutex; the anomaly count is atomic. The detector's own bookkeeping is
 * therefore race-free; only the objects' counts race, which is the lesson.
 */
#ifndef TOY_RACE_H
#define TOY_RACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/object.h"

/* The exit status after a detected race (documented in toy --help). */
#define RACE_EXIT_STATUS 3

/* Objects freed by one thread that stay poisoned before their memory is
   reused: a power of two. A racing thread touches a wrongly freed object
   within microseconds, a few hundred frees at most; 4096 objects (about
   350 KB with the ring) still fit a core's L2 cache, which keeps --no-gil
   close to the speed of the GIL build. */
#define RACE_QUARANTINE_SLOTS 4096

/* Marker counts. Racing updates move a count by small amounts, so each
   marker is recognised within RACE_MARK_RANGE of its value. All are far
   from zero, so stray DECREFs never make them reach it, and below
   IMMORTAL_REFCNT, so they change even where INCREF skips immortals. */
#define RACE_POISON ((intptr_t)0x0DEAD << 40)  /* freed, type name in the block */
#define RACE_POISON_SMALL (RACE_POISON + ((intptr_t)1 << 36)) /* freed, 16-byte block */
#define RACE_DYING ((intptr_t)0x0BAD << 40)   /* being deallocated */
#define RACE_MARK_RANGE ((intptr_t)1 << 32)

/* The type of every freed object in --no-gil mode; each slot reports. */
extern Type freed_object_type;

/* main.c calls this once, before any thread starts, when --no-gil is given:
   installs the crash-signal handlers, starts the watchdog that explains a
   run in which every thread hangs (core/hangwatch.h), and, if detector is true (the default;
   --no-race-detector turns it off, to time --no-gil without its cost), turns
   the detector on. on_stop runs just before the process exits after a report
   (main.c prints --stats). */
void race_enable(void (*on_stop)(void), bool detector);

/* True when the detector runs: set once by race_enable, read-only after.
   object.c tests it on every free and dealloc (one predictable branch). */
extern bool race_detector_on;

/* object.c hooks, called only when race_detector_on. */
void race_dealloc(Object *o);                /* object_dealloc */
/* object_free, instead of mem_free: o's block starts prefix bytes
   before it (a user class's prefix and collector head, or a container's head). */
void race_quarantine(Object *o, size_t size, size_t prefix);

/* What was seen, for race_report. */
typedef enum {
    RACE_USE_AFTER_FREE,  /* a freed object was touched */
    RACE_DOUBLE_FREE,     /* an object was freed twice */
    RACE_NEGATIVE_COUNT,  /* a count went below zero */
} RaceKind;

/* Report an anomaly on object o (its type name found in the poisoned block
   if it is one), explain it, and stop with RACE_EXIT_STATUS. detail is a
   printf format for the "what happened" line. Never returns. */
_Noreturn void race_report(RaceKind kind, Object *o, const char *type_name,
                           const char *detail, ...)
    __attribute__((format(printf, 4, 5)));

/* A thread used o, an object already freed, in a way that does not go
   through one of freed_object_type's slots (the eval loop's `with` looks
   __enter__ up on the type, and a freed object's type has none): report it
   as those slots do. what completes "a thread ... after it had been freed". */
_Noreturn void race_used_after_free(Object *o, const char *what);

/* Whether o is a freed object (only --no-gil's detector leaves them; the
   free-threaded build has none). */
#ifdef TOY_FREE_THREADED
static inline bool race_is_freed(Object *o) { (void)o; return false; }
#else
static inline bool race_is_freed(Object *o) { return o->type == &freed_object_type; }
#endif

/* Stop the program after a report that is not race_report's (the watchdog,
   core/hangwatch.h): print report as is, then "toy: stopped with exit status
   3 (reason)", run the stop hook, exit with RACE_EXIT_STATUS. Counts as one
   anomaly. Never returns. */
_Noreturn void race_stop(const char *report, const char *reason);

/* Anomalies caught so far (for --stats: "anomalies: N"). */
uint64_t race_anomalies(void);

/* A thread that ends hands its ring back (alloc.c's mem_thread_release). */
void race_thread_release(void);

/* At exit, before teardown (no other thread running): check every
   quarantined block; reports (and stops) if one was touched after its free. */
void race_check_all(void);

/* At exit, after teardown, with no other thread running: check every
   quarantined block and give the memory back. Reports (and stops) if a block
   was touched after its free. */
void race_fini(void);

#endif
