/* objlock.h - per-object locks for the mutable containers, in the
 * free-threaded build (toy-ft). In the GIL build every function here is an
 * empty inline: the lock is the GIL.
 *
 * Which lock: a table of OBJLOCK_STRIPES recursive mutexes, the object's
 * address choosing one ("striped" locks). Objects keep their size (a list
 * stays as small as in the GIL build); two containers that share a stripe
 * merely serialise. A stripe is recursive, so an operation that reaches
 * another container on the same stripe (or its own, through user code)
 * does not deadlock on itself.
 *
 * The rule for callers: lock around every read or write of a container's
 * item storage, take a new reference to anything read before unlocking,
 * and release references (DECREF) after unlocking where the container was
 * changed, since a release may run __del__. What still runs under a lock:
 * a key's __eq__ during a dict lookup and the comparisons of list.sort;
 * code there that waits for another thread holding a second container's
 * stripe can deadlock (docs/internals.md lists it).
 */
#ifndef TOY_OBJLOCK_H
#define TOY_OBJLOCK_H

#ifdef TOY_FREE_THREADED

#define OBJLOCK_STRIPES 1024

void objlock_lock(const void *o);
void objlock_unlock(const void *o);
/* Two objects at once (list + list): stripes taken in a fixed order. */
void objlock_lock2(const void *a, const void *b);
void objlock_unlock2(const void *a, const void *b);
/* In a forked child: every stripe unlocked (only one thread exists). */
void objlock_after_fork_child(void);

#else

static inline void objlock_lock(const void *o) { (void)o; }
static inline void objlock_unlock(const void *o) { (void)o; }
static inline void objlock_lock2(const void *a, const void *b) { (void)a; (void)b; }
static inline void objlock_unlock2(const void *a, const void *b) { (void)a; (void)b; }
static inline void objlock_after_fork_child(void) {}

#endif

#endif
