/* threadstate.h - per-thread interpreter state, and the shared interpreter.
 *
 * Per-thread (ThreadState): everything that belongs to one thread of Toy
 * code: the exception being raised, the exception being handled, the frame
 * being executed, the recursion depth, the memory for frames' value stacks.
 * It is reached through ts_get(), which reads a thread-local pointer: there is
 * no global "current frame" that a second thread could trample.
 *
 * Shared (Interp): state that every thread sees: the builtins, the loaded
 * modules, the recursion limit, command-line flags. The GIL protects it; the
 * fields that are read without the lock are marked so.
 */
#ifndef TOY_THREADSTATE_H
#define TOY_THREADSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include "core/gil.h"
#include "core/object.h"

struct Frame;

typedef struct ThreadState {
    Object *current_exc;   /* being raised (owned), or NULL */
    Object *handled_exc;   /* being handled by an except block (owned), or NULL */
    struct Frame *frame;   /* innermost running frame */
    int recursion_depth;   /* nested Toy calls (and C recursion guards) */
    /* While frame is not NULL: the lowest C stack address C recursion may
       reach, measured when the outermost frame of the chain was pushed. */
    const char *c_stack_limit;

    /* Frames are carved from one growing value-stack segment per thread. */
    Object **stack_base;
    Object **stack_top;
    Object **stack_limit;

    /* Containers being repr'd by this thread, so a list that contains itself
       prints as [[...]] instead of recursing forever. A list object (owned),
       created on first use. */
    Object *repr_stack;

    /* threading.local: this thread's attribute dict of each local object,
       keyed by the local's serial number (a dict of dicts, owned, created
       on first use). A local that dies removes its entry from every
       thread's (modules/thread.c); the rest go with the thread. */
    Object *local_dicts;

    GilStats gil_stats;    /* written by this thread only */
    int64_t gil_ticks;     /* ticks policy: switch points since the last release */
    uint64_t ident;        /* threading.get_ident() */
    int64_t native_id;     /* threading.get_native_id(): the kernel's thread id */
    char name[48];         /* for --stats; guarded by the thread table's mutex */
    struct ThreadState *next_thread; /* thread table link (locked, not GIL) */
} ThreadState;

extern _Thread_local ThreadState *ts_current;

static inline ThreadState *ts_get(void) { return ts_current; }

/* Create and install the state for the calling thread / tear it down. */
ThreadState *ts_create(void);

#ifdef TOY_FREE_THREADED
#include <stdatomic.h>
#include "core/objlock.h"
/* toy-ft: false until a second thread that runs Toy code is first started
   (ts_note_thread_start, called by the starting thread before the new one
   exists), then true for good. While it is false the main thread is the
   only one touching objects, and the eval loop reads globals with neither
   a lock nor a check (interp/vm.c). */
extern atomic_bool ts_threads_started;
static inline bool ts_single_threaded(void) {
    return !atomic_load_explicit(&ts_threads_started, memory_order_relaxed);
}
/* toy-ft: a type whose objects the eval loop steps inline only while one
   thread runs (interp/vm.c sets it at start-up), NULL once a second thread
   is started. Comparing an object's type with it asks "that type?" and
   "alone?" in one comparison, where the question of ts_single_threaded on
   top would cost an instruction or two more at each step. */
extern _Atomic(const void *) ts_alone_inline_type;
static inline const void *ts_alone_inline_type_now(void) {
    return atomic_load_explicit(&ts_alone_inline_type, memory_order_relaxed);
}
static inline void ts_note_thread_start(void) {
    atomic_store_explicit(&ts_threads_started, true, memory_order_relaxed);
    atomic_store_explicit(&ts_alone_inline_type, NULL, memory_order_relaxed);
    objlock_alone_end(); /* stripes: the compare-and-swap from now on */
}
#else
static inline void ts_note_thread_start(void) {}
#endif
void ts_destroy(ThreadState *ts);
/* vm.h: release the thread's value-stack memory (interp/frame.c). */
void vm_thread_fini(ThreadState *ts);

/* ---- The shared interpreter ---------------------------------------------- */

typedef struct {
    Object *builtins;       /* dict: the builtins module's namespace */
    Object *modules;        /* dict: name -> loaded module (sys.modules) */
    Object *main_module;    /* __main__ */
    int recursion_limit;    /* sys.setrecursionlimit; default 1000 */
    const char *script_path;/* for tracebacks' source lines, or NULL */
    /* Command-line flags, set before any thread starts; read-only after. */
    bool flag_stats;
    bool flag_no_gil;
    bool flag_dis;
} Interp;

extern Interp interp;

#endif
