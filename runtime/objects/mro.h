/* mro.h - the method resolution order (MRO) of a type.
 *
 * Every readied type carries its MRO as a C array, Type.mro[0 .. mro_len):
 * the type itself first, `object` last, each ancestor exactly once. Looking
 * a name up on a type (type_lookup), isinstance/issubclass
 * (type_is_subtype), dunder dispatch and super() all walk this array, so a
 * class with one base costs a loop over a short array, as the old chain of
 * base pointers did.
 *
 * With one base the MRO is the type followed by its base's MRO. With
 * several it is their C3 linearisation: the merge of the bases' MROs and
 * the list of bases, which keeps every class before its bases and the bases
 * in the order the class statement names them, or fails when no order can
 * do both.
 *
 * Ownership: the array is mem_alloc'd and owned by the type; its entries are
 * borrowed. That is safe because a type keeps its bases alive (a user class
 * owns its __bases__ tuple; static types are immortal), and every entry of
 * an MRO is a base or an entry of a base's MRO. mro[0] is the type itself,
 * borrowed too, so a class does not keep itself alive.
 */
#ifndef TOY_MRO_H
#define TOY_MRO_H

#include "core/object.h"

/* Compute t's MRO from its bases (each already has its own) and install it
   in t->mro, replacing nothing: t->mro must be NULL. nbases 0 makes the MRO
   (t,), which only `object` has. 0, or -1 with CPython's TypeError:
   "duplicate base class A", or "Cannot create a consistent method
   resolution\norder (MRO) for bases A, B". */
int mro_build(Type *t, Type *const *bases, size_t nbases);

/* Free t->mro (at the end of a class, or of the run for static types). */
void mro_clear(Type *t);

/* t.__mro__ as a new tuple / t.mro() as a new list. */
Object *mro_as_tuple(Type *t);
Object *mro_as_list(Type *t);

/* Where klass sits in t's MRO, or t->mro_len when it is not there. */
size_t mro_index(Type *t, Type *klass);

#endif
