/* specialize.h - quickening: the VM rewrites an instruction in place into
 * a form specialised for what it saw, with what it learned kept in the
 * inline cache words that follow the instruction (opcodes.h).
 *
 * Each specialisable instruction counts down in its first cache word; at
 * zero the VM asks this file to specialise it. A specialised form checks a
 * guard (a class's version tag, a dict's keys version) before trusting its
 * cache; when the guard fails it calls specialize_deopt, which puts the
 * generic instruction back with a longer count before the next attempt
 * (exponential backoff), and runs that.
 *
 * Cache layouts (word 0 is always the counter):
 *   LOAD_GLOBAL_MODULE   1: globals keys version          3: entry
 *   LOAD_GLOBAL_BUILTIN  1: globals keys version  2: builtins keys version  3: entry
 *   LOAD_NAME_MODULE, LOAD_NAME_BUILTIN: as the two above
 *   LOAD_ATTR_INSTANCE   1: class version tag  2: entry in the instance dict (a hint,
 *                        learned again by the VM when it misses)
 *   LOAD_ATTR_SLOT       1: class version tag  2: offset of the slot
 *   LOAD_ATTR_CLASS      1: class version tag  2-3: the value (borrowed from the class)
 *   LOAD_ATTR_MODULE     1: module dict keys version  2: entry
 *   LOAD_ATTR_TYPE       1: the class's own version tag  2-3: the value (borrowed from it)
 *   LOAD_METHOD_FUNC     1: class version tag  2-3: the function (borrowed from the class)
 *   LOAD_METHOD_BUILTIN  1: keys version of the type's dict  2: entry there
 *   LOAD_METHOD_TYPE     as LOAD_ATTR_TYPE
 *   STORE_ATTR_INSTANCE  1: class version tag  2: entry in the instance dict (as above)
 *   STORE_ATTR_SLOT      1: class version tag  2: offset of the slot
 *   STORE_ATTR_DICT      1: class version tag
 *   CALL_PY_FUNC, CALL_PY_SELF, CALL_CLASS_INIT, CALL_LIST_APPEND,
 *   CALL_METHOD_DESCR:   no cache (CALL has none); the guard reads the
 *                        callable each time
 * LOAD_ATTR_INSTANCE and STORE_ATTR_INSTANCE also accept an instance of
 * another class whose instance dict answers first (the VM's
 * instance_dict_first, instance_dict_stores): a site that sees several
 * such classes stays specialised. LOAD_METHOD_FUNC likewise accepts an
 * instance of another class whose method lookup finds a Toy function,
 * the cached one or another (the VM's function_of_class, through the type
 * cache of interp/typecache.h).
 * A borrowed pointer is safe while the tag matches: the class's dict still
 * holds it, and the instance holds the class. A built-in type has no tag
 * (its dict is filled at start-up and not changed after); the keys version
 * of its dict names the type, and the method is read from the entry each
 * time, so even a change there would be seen.
 *
 * Rewriting code that threads share is safe only while one thread runs at
 * a time: the GIL build turns it off under --no-gil. toy-ft quickens only
 * code no other thread reads: each thread runs its own copy of a code
 * object's instructions (specialize_thread_code), and the shared original
 * stays generic. What the specialised forms read of objects other threads
 * share is read as docs/internals.md ("Quickening without a GIL") says:
 * tags atomically, dicts under their lock, cached pointers only to
 * immortal objects. TOY_SPECIALIZE=0 turns it off too (for measuring), or
 * a list of families: TOY_SPECIALIZE=global,attr,method,store,call.
 */
#ifndef TOY_SPECIALIZE_H
#define TOY_SPECIALIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/object.h"
#include "interp/opcodes.h"
#include "objects/code.h"

enum {
    SPEC_GLOBAL = 1 << 0, /* LOAD_GLOBAL, LOAD_NAME */
    SPEC_ATTR = 1 << 1,   /* LOAD_ATTR */
    SPEC_METHOD = 1 << 2, /* LOAD_METHOD */
    SPEC_STORE = 1 << 3,  /* STORE_ATTR */
    SPEC_CALL = 1 << 4,   /* CALL */
    SPEC_ALL = 0x1f,
};

/* The families specialised in this run (specialize_init); 0 before. */
extern unsigned specialize_families;

/* Read TOY_SPECIALIZE; gil: whether the GIL is on (the GIL build's
   specialising needs it; toy-ft's does not). */
void specialize_init(bool gil);

#ifdef TOY_FREE_THREADED
/* This thread's copy slot (CodeObject.thread_instrs): -1 before its first
   call, -2 for none (all were taken, or quickening is off). */
extern _Thread_local int specialize_slot;

const uint32_t *specialize_thread_code_slow(CodeObject *co);

/* The instructions this thread runs co with: its own copy, made on first
   use, or co->instrs (never written) when quickening is off or more
   threads run than there are slots. */
static inline const uint32_t *specialize_thread_code(CodeObject *co)
{
    int slot = specialize_slot;
    if (__builtin_expect(slot >= 0, 1)) {
        const uint32_t *mine = co->thread_instrs[slot];
        if (__builtin_expect(mine != NULL, 1))
            return mine;
    } else if (slot == -2) {
        return co->instrs;
    }
    return specialize_thread_code_slow(co);
}

/* The thread is ending: its slot goes back, for the next thread to take
   (with the copies in it, whose caches are checked like any). */
void specialize_thread_fini(void);
#endif

/* The counter word: the count in bits 8-23 (the argument of the CACHE
   word the compiler emits), the backoff exponent in bits 24-31. */
#define SPEC_WARMUP 8
static inline bool specialize_due(const uint32_t *cache)
{
    uint32_t *counter = (uint32_t *)cache; /* code objects are writable */
    if ((*counter & 0xffff00u) == 0)
        return true;
    *counter -= 1u << 8;
    return false;
}

/* The pointer kept in cache words [i, i+1]. */
static inline void *spec_cache_ptr(const uint32_t *cache, int i)
{
    void *p;
    memcpy(&p, cache + i, sizeof p);
    return p;
}

/* May a cache (or the type cache) keep v, found on a class, as a borrowed
   pointer? In the GIL build always: the guard's tag says the class still
   holds it. In toy-ft another thread may rebind the attribute and release
   v between a guard and its use, so only an immortal object is kept: one
   that already is (small ints, interned strings, None), or a function,
   class, module or built-in method, which toy-ft makes immortal once
   threads share them anyway (core/refcount.h), made immortal now. The
   caller holds a reference to v (or, as LOAD_METHOD's walk, reads it
   from a class dict as attribute lookup does). */
bool specialize_keep_borrowed(Object *v);

/* A new reference to v, kept by a cache (or the type cache) as
   specialize_keep_borrowed allowed: counted in the GIL build; in toy-ft
   v is immortal, whose count nobody writes, so nothing is done. */
#ifdef TOY_FREE_THREADED
#define INCREF_KEPT(v) ((void)(v))
#else
#define INCREF_KEPT(v) INCREF(v)
#endif

/* instr points at the instruction, its cache follows. Each leaves the
   instruction specialised, or generic with a backoff count. None runs
   user code or raises. */
void specialize_load_global(uint32_t *instr, Object *globals, Object *builtins, Object *name);
void specialize_load_name(uint32_t *instr, Object *locals, Object *globals, Object *builtins,
                          Object *name);
void specialize_load_attr(uint32_t *instr, Object *obj, Object *name);
void specialize_load_method(uint32_t *instr, Object *obj, Object *name);
void specialize_store_attr(uint32_t *instr, Object *obj, Object *name);
/* A CALL without keywords that called a Toy function becomes op
   (CALL_PY_FUNC or CALL_PY_SELF; CALL_CLASS_INIT for a class's Toy
   __init__, CALL_LIST_APPEND for list.append with one argument,
   CALL_METHOD_DESCR for another method of a built-in type). It has no
   cache: its guard is the callable, read at every call, and a miss runs
   the generic CALL without turning back (the site's next Toy function
   needs it again). */
void specialize_call(uint32_t *instr, Opcode op);

/* A guard failed: back to the generic form, to be tried again later. */
void specialize_deopt(uint32_t *instr);

/* How many times an instruction was specialised, and turned back, so far. */
void specialize_stats(uint64_t *specialised, uint64_t *deopts);

#endif
