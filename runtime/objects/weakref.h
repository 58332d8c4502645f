/* weakref.h - weak references: weakref.ref, weakref.proxy, and the C API
 * that deallocs (and a cycle collector) call to clear them.
 *
 * A weak reference refers to an object (its "referent") without owning a
 * reference to it: the referent's count does not include it. When the
 * referent is freed, every weak reference to it is cleared first (it then
 * reports the referent as dead: ref() returns None, a proxy raises
 * ReferenceError) and their callbacks are called, each with its own dead
 * weak reference as argument.
 *
 * Where the weak references live: in a side table keyed by the referent's
 * address, not in the objects. Each entry holds the head of a doubly linked
 * list of the WeakRef objects that refer to that address. No object layout
 * carries a field for them, so allocation and the layout of every type
 * (user classes with __slots__, subclasses of built-in types) are
 * unchanged. The objects that can be weakly referenced have the type flag
 * TYPE_WEAKREFABLE (functions, bound methods, sets, frozensets, generators,
 * code objects, modules, classes, instances of user classes unless their
 * __slots__ leave out '__weakref__'), and each of their deallocs calls
 * weakref_on_dealloc() at the point where CPython clears weak references:
 * for an instance after its __del__ ran, before its attributes are
 * released. weakref_on_dealloc is one test of a global count ("is any
 * object weakly referenced at all?"), predicted not taken; only when some
 * weak reference exists does it look the address up. The deallocs of types
 * that cannot be weakly referenced (int, str, tuple, list, dict, ...) do
 * not test anything, and DECREF / object_dealloc are unchanged.
 *
 * Order of a list, as in CPython: the plain ref without callback first
 * (the one weakref.ref(o) hands out again), then the plain proxy, then the
 * refs and proxies with callbacks, newest first. When the referent dies,
 * every ref of the list is cleared before any callback runs (so that no
 * callback can reach the dying object through another weak reference),
 * then the callbacks are called in list order: the newest first. A
 * callback that raises is reported as "Exception ignored in: <callback>"
 * with its traceback (error_report_unraisable) and the others still run;
 * the exception that was being raised or handled around the dealloc is set
 * aside meanwhile. A weak reference freed before its referent leaves the
 * list and its callback is never called.
 *
 * Thread-safety: the table and the lists are touched only with the GIL
 * held. With --no-gil their plain reads and writes race like the reference
 * counts do (two threads creating or dropping weak references at once can
 * corrupt the table); weak references are not part of the --no-gil lesson.
 * In toy-ft one lock (weakref.c's table_lock) guards the table and the
 * lists. Not yet covered there: a ref read (weakref_get, or weakref.ref(o)
 * handing out the existing plain ref) on one thread while another thread
 * drops the referent's (or the ref's) last reference; the reader may then
 * take a reference to an object being freed (CPython 3.13t has a
 * "try to take a reference" for this; toy-ft does not yet).
 */
#ifndef TOY_WEAKREF_H
#define TOY_WEAKREF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/object.h"

typedef struct WeakRef {
    Object base;
    Object *referent;           /* borrowed; NULL once cleared ("dead") */
    Object *callback;           /* owned, or NULL */
    int64_t hash;               /* the referent's hash once asked for, else -1 */
    struct WeakRef *prev, *next; /* the other weak references to the referent */
} WeakRef;

extern Type weakref_type;            /* weakref.ReferenceType: weakref.ref */
extern Type weakproxy_type;          /* weakref.ProxyType */
extern Type weakcallableproxy_type;  /* weakref.CallableProxyType */
/* The three, NULL-terminated. Nothing can create one before _weakref is
   imported, so they are readied then (type_ready), not at start-up, which
   they would slow down (the proxies have a slot wrapper per operator), and
   released at exit with types_fini like the other static types. */
extern Type *const weakref_types[];

/* The number of objects that have weak references now. Read by
   weakref_on_dealloc without the table's lock (toy-ft: from any thread, so
   atomic; a relaxed load is a plain load); changed by this file, only when
   an object gains its first weak reference or loses its last, so that it
   never reads 0 while one has any. */
extern _Atomic size_t weakref_referents;

/* o's count reached zero: clear its weak references and call their
   callbacks. For the deallocs of weakrefable types; one branch when no
   object at all is weakly referenced. */
void weakref_clear_dying(Object *o);
static inline void weakref_on_dealloc(Object *o) {
    if (__builtin_expect(atomic_load_explicit(&weakref_referents, memory_order_relaxed) != 0, 0))
        weakref_clear_dying(o);
}

/* At exit, when the teardown of the modules starts: from then on the
   callbacks of the weak references to dying objects are released uncalled.
   In CPython that teardown leaves the modules' contents, weak references
   included, to its final collection, which calls no callback of a weak
   reference that is garbage itself, so those callbacks do not run (nor
   print) there either. */
void weakref_teardown(void);

/* ---- For a cycle collector --------------------------------------------------- */

/* Does any weak reference refer to o? */
bool object_has_weakrefs(Object *o);

/* Clear every weak reference to o (each reports o dead from now on). With
   call_callbacks, then call their callbacks as weakref_clear_dying does;
   without, the callbacks are released uncalled (the collector's choice for
   weak references that are garbage themselves). o itself is not touched and
   need not be dying: a collector clears the weak references to everything
   it found unreachable before it frees any of it. The callbacks run Toy
   code: the caller must hold no borrowed pointer across this call. */
void weakref_clear_refs(Object *o, bool call_callbacks);

/* The same in two steps, for a collector that decides per ref which
   callbacks to call (CPython calls only those of refs that are not garbage
   themselves, after every weak reference to garbage is cleared):
   weakref_detach_refs clears every weak reference to o and returns a new
   list of the ones that have a callback (still set, not called); NULL with
   MemoryError, and then nothing was cleared. weakref_run_callback calls a
   cleared ref's callback once with the ref (nothing if it has none any
   more), reporting an exception as unraisable, and keeps the exception
   being raised around the call. Dropping the list without calling them
   releases the callbacks with the refs. */
Object *weakref_detach_refs(Object *o);
void weakref_run_callback(Object *ref);

/* The cycle collector's slots of the three types (a ref holds its callback). */
int weakref_traverse(Object *self, VisitFunc visit, void *arg);
int weakref_gc_clear(Object *self);

/* ---- For the weakref module ---------------------------------------------------- */

bool object_is_weakrefable(Object *o);
/* weakref.ref(o, callback) / weakref.proxy(o, callback): callback NULL or
   None for none. Without a callback, an existing plain ref (proxy) is
   returned again. TypeError "cannot create weak reference to 'int' object". */
Object *weakref_new(Type *type, Object *o, Object *callback);
Object *weakref_proxy_new(Object *o, Object *callback);
/* A new reference to the referent, or NULL (no exception) when it is dead
   or being freed: the table's lock orders this with the referent's dealloc,
   and refcount_try_incref with the count reaching zero on another thread. */
Object *weakref_get_new(Object *ref);
size_t weakref_count(Object *o);
/* A new list of the weak references to o, in list order. */
Object *weakref_list(Object *o);
/* The first weak reference to o (borrowed), or NULL: o.__weakref__. */
Object *weakref_first(Object *o);

#endif
