/* typeversion.h - version tags of user classes, for the VM's inline caches.
 *
 * A cache that remembers what attribute lookup found on a class (a method,
 * a class attribute, that a name is not a data descriptor) stays valid as
 * long as no dict along the class's MRO changes. Instead of watching the
 * dicts, the class carries a 32-bit tag: a number that no other class has
 * had, which is reset to 0 (no tag) whenever the class or any of its bases
 * is changed. A cache stores the tag it saw and compares: equal tags mean
 * the same class with the same attributes.
 *
 * Only user classes (TYPE_HEAP) get tags; built-in types cannot change.
 * Invariant: a class with a tag has bases with tags, so invalidating a
 * class whose tag is already 0 need not visit its subclasses. When the
 * 32-bit numbers run out, no class gets a tag again and nothing is cached.
 * Tags are handed out and reset with the GIL held. In toy-ft, where
 * threads run at once, every read and write of a tag is atomic: a number
 * is given to a class by compare-and-swap, a reset is a release store, and
 * the VM's guards read the tag with a relaxed load (type_version_tag_now).
 * A class changed while other threads run has its tag reset before and
 * after the change (class.c), so that a tag handed out in between, with a
 * lookup that may have seen the old value, does not outlive it; and the
 * subclasses are visited even when the class has no tag (another thread
 * may be tagging its bases and then it at that moment).
 */
#ifndef TOY_TYPEVERSION_H
#define TOY_TYPEVERSION_H

#include "core/object.h"

/* t's tag as it is now (0: none), for a guard. */
static inline uint32_t type_version_tag_now(const Type *t)
{
#ifdef TOY_FREE_THREADED
    return __atomic_load_n(&t->version_tag, __ATOMIC_RELAXED);
#else
    return t->version_tag;
#endif
}

/* t's tag, given to it (and its bases) now if it has none; 0 if t is not a
   user class or the tags have run out. A cache takes the tag first and then
   looks the attribute up: a change made meanwhile drops the tag after it
   (class.c), while a tag taken after the lookup could outlive the change. */
uint32_t type_version_tag(Type *t);

/* t's dict changed (or something that decides its attribute lookup): drop
   the tags of t and of every class derived from it. */
void type_version_invalidate(Type *t);

#endif
