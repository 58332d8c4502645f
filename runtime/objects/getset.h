/* getset.h - getset descriptors: the computed attributes of built-in types.
 *
 * A built-in type lists its computed attributes (int.real, range.start,
 * f.__name__, object.__class__) in a GetSetDef table (core/object.h,
 * Type.getsets). type_ready() puts one getset descriptor per entry into the
 * type's dict, as CPython does, so that dir() lists the name and the class
 * shows it (<attribute 'real' of 'int' objects>). Found through an instance,
 * the descriptor computes the value: with the entry's get function, or,
 * when the entry has none, by asking the owner type's getattr slot, which
 * then serves that name itself before any generic lookup (the descriptor
 * only declares the name; the type's fast getattr keeps serving it).
 *
 * Getset descriptors are data descriptors, as in CPython: they come before
 * the instance dict, and assigning or deleting through one (value NULL)
 * asks the owner type's own setattr slot when it has one (BaseException
 * sets args, function sets __defaults__), which decides what may be set;
 * any other raises AttributeError: "attribute 'real' of 'int' objects is
 * not writable", or "readonly attribute" for a member. type_ready() gives
 * the owner TYPE_DATA_DESCRS, which subclasses inherit, so the generic
 * setattr finds the descriptor. A __dict__ getset only declares the
 * instance dict: object_setattr_with_dict replaces the dict without it
 * (the owner's setattr falls back there for that name).
 *
 * Ownership: a descriptor borrows its owner (a static type, immortal) and
 * its GetSetDef (static), and owns its name.
 */
#ifndef TOY_GETSET_H
#define TOY_GETSET_H

#include "core/object.h"

typedef struct {
    Object base;
    Type *owner;           /* borrowed */
    const GetSetDef *def;  /* static */
    Object *name;          /* str, owned */
} GetSetDescrObject;

extern Type getset_descr_type;

/* The descriptor of one entry of owner's table: a new reference. */
Object *getset_descr_new(Type *owner, const GetSetDef *def);

/* Add a descriptor to t->dict for each entry of t->getsets (type_ready).
   0, or -1 with an exception set. */
int getset_add_all(Type *t);

/* Raise the AttributeError for assigning a read-only entry of owner's table
   (for a setattr slot that serves some of its names itself). Returns -1. */
int getset_read_only(Type *owner, const GetSetDef *def);

#endif
