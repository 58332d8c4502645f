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
 * Tags are handed out and reset with the GIL held; the free-threaded build
 * never asks for one.
 */
#ifndef TOY_TYPEVERSION_H
#define TOY_TYPEVERSION_H

#include "core/object.h"

/* t's tag, given to it (and its bases) now if it has none; 0 if t is not a
   user class or the tags have run out. */
uint32_t type_version_tag(Type *t);

/* t's dict changed (or something that decides its attribute lookup): drop
   the tags of t and of every class derived from it. */
void type_version_invalidate(Type *t);

#endif
