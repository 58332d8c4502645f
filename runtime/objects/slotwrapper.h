/* slotwrapper.h - the special methods of built-in types as attributes:
 * int.__add__, [].__len__, object.__setattr__, type.__call__.
 *
 * A built-in type's behaviour lives in the C slots of its Type (object.h),
 * not in its dict. So that `(1).__add__(2)`, `object.__repr__(self)` and
 * `super().__eq__(other)` work, type_ready() puts one "slot wrapper" into the
 * dict of each static type for every slot the type fills in itself, named
 * after the special method that slot implements. One table in slotwrapper.c
 * says which name goes with which slot and how the method's arguments map
 * onto the slot's C signature; no type writes these methods by hand.
 *
 * A slot wrapper (type wrapper_descriptor, shown as <slot wrapper '__add__'
 * of 'int' objects>) is a descriptor: found through an instance it becomes a
 * method-wrapper bound to it (<method-wrapper '__add__' of int object at
 * 0x...>), found on the class it stays itself and takes the instance as its
 * first argument. Calling it calls the slot of the type that owns it, not
 * of the instance's type: object.__repr__(x) is object's repr even when x's
 * class defines its own.
 *
 * A few special methods have no slot in Toy (__init__), and some types
 * write one in their MethodDef table (BaseException.__str__): type_ready
 * installs a MethodDef whose name is a special method's as a slot wrapper
 * that calls the C function, so that both kinds look and behave the same.
 *
 * Ownership: a wrapper borrows its owner (static types are immortal); a
 * method-wrapper owns its wrapper and the object it is bound to. Everything
 * runs under the GIL.
 */
#ifndef TOY_SLOTWRAPPER_H
#define TOY_SLOTWRAPPER_H

#include <stdbool.h>

#include "core/object.h"

typedef struct SlotDef SlotDef; /* one row of the table, private to slotwrapper.c */

typedef struct {
    Object base;
    Type *owner;             /* the type whose dict holds it (borrowed) */
    const char *name;        /* "__add__" */
    const SlotDef *slot;     /* the slot it calls, or NULL ... */
    const MethodDef *method; /* ... for a special method written as a CFunction */
} SlotWrapperObject;         /* wrapper_descriptor */

typedef struct {
    Object base;
    SlotWrapperObject *descr; /* owned */
    Object *self;             /* owned */
} MethodWrapperObject;        /* method-wrapper */

extern Type slotwrapper_type, methodwrapper_type;

/* Is name a special method that a built-in type shows as a slot wrapper?
   (every name of the table, and __init__) */
bool slotwrapper_is_special(const char *name);

/* A slot wrapper of owner calling def->func (def->name is special). */
Object *slotwrapper_from_method(Type *owner, const MethodDef *def);

/* Called by type_ready() before t inherits its base's slots: add a wrapper
   to t->dict for every slot t fills in itself whose name the dict does not
   hold yet, and __hash__ = None when t leaves hash NULL (unhashable).
   0, or -1 with an exception set. */
int slotwrapper_add_all(Type *t);

/* Teardown: release the names slotwrapper_add_all interned once. */
void slotwrapper_fini(void);

#endif
