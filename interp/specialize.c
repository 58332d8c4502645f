/* specialize.c - quickening: choosing a specialised form for an
 * instruction and filling its inline cache (specialize.h).
 *
 * Each specialiser looks at what the generic instruction is about to do and
 * picks the form that will do the same thing with fewer steps, as long as
 * its guard holds. Nothing here runs user code: the lookups are the
 * str-keyed ones (dict_str_entry, type_lookup), which compare text only.
 */
#include "interp/specialize.h"

#include <stdlib.h>
#ifdef TOY_FREE_THREADED
#include <pthread.h>
#endif

#include "core/alloc.h"
#include "core/refcount.h"

#include "objects/class.h"
#include "objects/descr.h"
#include "objects/dict.h"
#include "objects/function.h"
#include "objects/module.h"
#include "objects/str.h"
#include "objects/typeversion.h"

unsigned specialize_families;

/* A family name of TOY_SPECIALIZE, or 0. */
static unsigned family_named(const char *s, size_t n)
{
    static const struct { const char *name; unsigned bit; } families[] = {
        {"global", SPEC_GLOBAL}, {"attr", SPEC_ATTR}, {"method", SPEC_METHOD},
        {"store", SPEC_STORE}, {"call", SPEC_CALL},
    };
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (strlen(families[i].name) == n && strncmp(s, families[i].name, n) == 0)
            return families[i].bit;
    return 0;
}

/* Unset or "1": every family; "0": none; else a comma-separated list. */
static unsigned families_from_env(const char *v)
{
    if (v == NULL || strcmp(v, "1") == 0)
        return SPEC_ALL;
    unsigned set = 0;
    while (*v) {
        size_t n = strcspn(v, ",");
        set |= family_named(v, n);
        v += n + (v[n] == ',');
    }
    return set;
}

#ifndef TOY_FREE_THREADED
void specialize_init(bool gil)
{
    specialize_families = gil ? families_from_env(getenv("TOY_SPECIALIZE")) : 0;
}
#else
/* ---- toy-ft: one copy of the instructions per thread ---------------------- */

_Thread_local int specialize_slot = -1;

/* Which slots a running thread holds; changed under slots_mutex. */
static bool slot_taken[CODE_THREAD_COPIES];
static pthread_mutex_t slots_mutex = PTHREAD_MUTEX_INITIALIZER;

/* In a forked child only the forking thread exists: the others' slots are
   free again (their copies stay with the code objects), and the mutex,
   which one of them may have held, starts unlocked. */
static void slots_after_fork_child(void)
{
    pthread_mutex_init(&slots_mutex, NULL);
    for (int i = 0; i < CODE_THREAD_COPIES; i++)
        slot_taken[i] = i == specialize_slot;
}

void specialize_init(bool gil)
{
    (void)gil; /* toy-ft: each thread quickens its own copies */
    specialize_families = families_from_env(getenv("TOY_SPECIALIZE"));
    pthread_atfork(NULL, NULL, slots_after_fork_child);
}

static int take_slot(void)
{
    int slot = -2;
    pthread_mutex_lock(&slots_mutex);
    for (int i = 0; i < CODE_THREAD_COPIES && slot < 0; i++)
        if (!slot_taken[i]) {
            slot_taken[i] = true;
            slot = i;
        }
    pthread_mutex_unlock(&slots_mutex);
    return slot;
}

void specialize_thread_fini(void)
{
    if (specialize_slot < 0)
        return;
    pthread_mutex_lock(&slots_mutex);
    slot_taken[specialize_slot] = false;
    pthread_mutex_unlock(&slots_mutex);
    specialize_slot = -2; /* nothing runs here any more */
}

/* The copy starts as the original, generic instructions: each site counts
   down and specialises on this thread alone. */
const uint32_t *specialize_thread_code_slow(CodeObject *co)
{
    if (specialize_slot == -1)
        specialize_slot = specialize_families != 0 ? take_slot() : -2;
    if (specialize_slot < 0)
        return co->instrs;
    if (co->thread_instrs[specialize_slot] != NULL)
        return co->thread_instrs[specialize_slot]; /* left by the slot's last thread */
    size_t size = (size_t)co->ninstrs * sizeof(uint32_t);
    uint32_t *copy = mem_alloc(size);
    if (copy == NULL)
        return co->instrs; /* runs generic; no error */
    memcpy(copy, co->instrs, size);
    co->thread_instrs[specialize_slot] = copy;
    return copy;
}
#endif

/* ---- The counter ------------------------------------------------------- */

#define SPEC_MAX_BACKOFF 12

/* Not now: wait 2^(e+1) - 1 executions, e one more than last time. */
static void backoff(uint32_t *cache)
{
    uint32_t e = cache[0] >> 24;
    if (e < SPEC_MAX_BACKOFF)
        e++;
    cache[0] = (e << 24) | (((2u << e) - 1) << 8) | OP_CACHE;
}

/* For --stats: instructions specialised and turned back, over the run
   (written with the GIL held; in toy-ft by every thread, atomically). */
static uint64_t specialised_count, deopt_count;

#ifndef TOY_FREE_THREADED
#define COUNT(n) ((n)++)
#else
#define COUNT(n) __atomic_fetch_add(&(n), 1, __ATOMIC_RELAXED)
#endif

void specialize_stats(uint64_t *specialised, uint64_t *deopts)
{
    *specialised = __atomic_load_n(&specialised_count, __ATOMIC_RELAXED);
    *deopts = __atomic_load_n(&deopt_count, __ATOMIC_RELAXED);
}

static void rewrite(uint32_t *instr, Opcode op)
{
    *instr = INSTR(op, INSTR_ARG(*instr));
    COUNT(specialised_count);
}

void specialize_call(uint32_t *instr, Opcode op)
{
    rewrite(instr, op);
}

void specialize_deopt(uint32_t *instr)
{
    *instr = INSTR(opcode_generic(INSTR_OP(*instr)), INSTR_ARG(*instr));
    COUNT(deopt_count);
    backoff(instr + 1);
}

bool specialize_keep_borrowed(Object *v)
{
#ifdef TOY_FREE_THREADED
    Type *t = TYPE(v);
    if (refcount_is_immortal(v))
        return true;
    if (t != &function_type && t != &type_type && t != &module_type && t != &builtin_type &&
        t != &method_descr_type)
        return false;
    refcount_immortalize(v);
#else
    (void)v;
#endif
    return true;
}

/* type_lookup with a new reference (or NULL): a class dict that another
   thread changes cannot free the answer while it is looked at. */
static Object *class_lookup_ref(Type *t, Object *name)
{
#ifdef TOY_FREE_THREADED
    Object *v = NULL;
    for (size_t i = 0; i < t->mro_len && v == NULL; i++)
        if (t->mro[i]->dict != NULL)
            v = dict_get_str_ref(t->mro[i]->dict, name);
#else
    Object *v = type_lookup(t, name);
    XINCREF(v);
#endif
    return v;
}

static void set_ptr(uint32_t *cache, int i, void *p)
{
    memcpy(cache + i, &p, sizeof p);
}

/* ---- LOAD_GLOBAL --------------------------------------------------------- */

/* LOAD_GLOBAL, or LOAD_NAME where the locals are the globals: the name in
   the globals dict, else in builtins. */
static bool specialize_global_lookup(uint32_t *instr, Object *globals, Object *builtins,
                                     Object *name, Opcode module_op, Opcode builtin_op)
{
    uint32_t *cache = instr + 1;
    if (!is_dict_exact(globals) || !is_dict_exact(builtins))
        return false;
    uint32_t gv = dict_keys_version(globals);
    int64_t ix = dict_str_entry(globals, name);
    if (gv == 0)
        return false;
    if (ix >= 0) {
        cache[1] = gv;
        cache[3] = (uint32_t)ix;
        rewrite(instr, module_op);
        return true;
    }
    uint32_t bv = dict_keys_version(builtins);
    ix = dict_str_entry(builtins, name);
    if (bv == 0 || ix < 0)
        return false; /* a NameError: nothing to cache */
    cache[1] = gv;
    cache[2] = bv;
    cache[3] = (uint32_t)ix;
    rewrite(instr, builtin_op);
    return true;
}

void specialize_load_global(uint32_t *instr, Object *globals, Object *builtins, Object *name)
{
    if (!specialize_global_lookup(instr, globals, builtins, name, OP_LOAD_GLOBAL_MODULE,
                                  OP_LOAD_GLOBAL_BUILTIN))
        backoff(instr + 1);
}

/* Module-level code (the locals are the globals); a class body or exec
   with separate locals stays generic. */
void specialize_load_name(uint32_t *instr, Object *locals, Object *globals, Object *builtins,
                          Object *name)
{
    if (locals != globals || !specialize_global_lookup(instr, globals, builtins, name,
                                                       OP_LOAD_NAME_MODULE, OP_LOAD_NAME_BUILTIN))
        backoff(instr + 1);
}

/* ---- Attributes ------------------------------------------------------------ */

/* A class whose instances look attributes up the plain way: a user class
   based on object, without __getattribute__ (class.c's instance_getattr). */
static bool plain_instance_lookup(Type *t)
{
    return (t->flags & (TYPE_HEAP | TYPE_GETATTRIBUTE | TYPE_EXCEPTION)) == TYPE_HEAP &&
           t->builtin_base == &object_type;
}

/* obj's instance dict, or NULL. */
static Object *instance_dict(Object *obj)
{
    Type *t = TYPE(obj);
    return t->dict_offset ? instance_dict_load((Object **)((char *)obj + t->dict_offset)) : NULL;
}

/* A __slots__ member of t whose offset fits a cache word: its offset in
   *offset. */
static bool slot_offset(Object *attr, int32_t *offset)
{
#ifdef TOY_FREE_THREADED
    (void)attr, (void)offset;
    return false; /* toy-ft: a slot is read and written under a lock (descr.c) */
#endif
    if (attr == NULL || TYPE(attr) != &member_descr_type)
        return false;
    ptrdiff_t off = ((MemberDescrObject *)attr)->offset;
    if (off < INT32_MIN || off > INT32_MAX)
        return false;
    *offset = (int32_t)off;
    return true;
}

/* The entry of name in obj's instance dict, or -1. */
static int64_t instance_entry(Object *obj, Object *name)
{
    Object *dict = instance_dict(obj);
    return dict != NULL && is_dict_exact(dict) ? dict_str_entry(dict, name) : -1;
}

static bool specialize_module_attr(uint32_t *instr, Object *mod, Object *name)
{
    Object *dict = module_dict(mod);
    if (!is_dict_exact(dict))
        return false;
    uint32_t v = dict_keys_version(dict);
    int64_t ix = dict_str_entry(dict, name);
    if (v == 0 || ix < 0)
        return false;
    instr[2] = v;
    instr[3] = (uint32_t)ix;
    rewrite(instr, OP_LOAD_ATTR_MODULE);
    return true;
}

/* Could attr (found on a class, or NULL) turn into a descriptor without the
   class changing? Only an instance of a user class can: its own class may
   gain __get__ or __set__ later, which no version tag of ours sees. */
static bool may_become_descriptor(Object *attr)
{
    return attr != NULL && (TYPE(attr)->flags & TYPE_HEAP);
}

/* obj.name on an instance of a plain class: the slot, the instance dict or
   a plain value of the class, whichever the generic lookup would find. */
static bool specialize_instance_attr_as(uint32_t *instr, Object *obj, Object *name, uint32_t tag,
                                       Object *attr)
{
    int32_t offset;
    Opcode op;
    if (slot_offset(attr, &offset)) {
        if (*(Object **)((char *)obj + offset) == NULL)
            return false; /* unset: an AttributeError */
        instr[3] = (uint32_t)offset;
        op = OP_LOAD_ATTR_SLOT;
    } else if ((attr != NULL && TYPE(attr)->descr_set != NULL) || may_become_descriptor(attr)) {
        return false; /* a property or another data descriptor, or maybe one later */
    } else {
        int64_t ix = instance_entry(obj, name);
        if (ix >= 0) {
            instr[3] = (uint32_t)ix;
            op = OP_LOAD_ATTR_INSTANCE;
        } else if (attr != NULL && TYPE(attr)->descr_get == NULL &&
                   (instance_dict(obj) == NULL || is_dict_exact(instance_dict(obj))) &&
                   specialize_keep_borrowed(attr)) {
            set_ptr(instr + 1, 2, attr);
            op = OP_LOAD_ATTR_CLASS;
        } else {
            return false; /* a method, __getattr__, an error */
        }
    }
    instr[2] = tag;
    rewrite(instr, op);
    return true;
}

static bool specialize_instance_attr(uint32_t *instr, Object *obj, Object *name)
{
    uint32_t tag = type_version_tag(TYPE(obj));
    if (tag == 0)
        return false;
    Object *attr = class_lookup_ref(TYPE(obj), name);
    bool done = specialize_instance_attr_as(instr, obj, name, tag, attr);
    XDECREF(attr);
    return done;
}

/* Cls.name on a user class (whose type is `type`: Toy has no metaclasses),
   found along its MRO as a plain value (no __get__) or a Toy function:
   what class_type_getattr returns as it is. The names every type answers
   itself (__name__, __dict__, ...) come before the class there, and are
   left alone. */
static bool specialize_class_attr(uint32_t *instr, Object *cls, Object *name, Opcode op)
{
    if (TYPE(cls) != &type_type || class_type_special_name(str_data(name)))
        return false;
    uint32_t tag = type_version_tag((Type *)cls);
    Object *v = tag != 0 ? class_lookup_ref((Type *)cls, name) : NULL;
    bool done = v != NULL &&
                (TYPE(v) == &function_type ||
                 (TYPE(v)->descr_get == NULL && !may_become_descriptor(v))) &&
                specialize_keep_borrowed(v);
    if (done) {
        instr[2] = tag;
        set_ptr(instr + 1, 2, v);
        rewrite(instr, op);
    }
    XDECREF(v);
    return done;
}

void specialize_load_attr(uint32_t *instr, Object *obj, Object *name)
{
    Type *t = TYPE(obj);
    bool done = t == &module_type ? specialize_module_attr(instr, obj, name)
                : t == &type_type ? specialize_class_attr(instr, obj, name, OP_LOAD_ATTR_TYPE)
                : plain_instance_lookup(t) ? specialize_instance_attr(instr, obj, name)
                                           : false;
    if (!done)
        backoff(instr + 1);
}

/* obj.name(...) where name is a method of the built-in type of obj,
   found in the type's own dict, and obj has no instance dict. */
static bool specialize_builtin_method(uint32_t *instr, Type *t, Object *name)
{
    if ((t->flags & TYPE_HEAP) || t->dict_offset != 0 || t->dict == NULL ||
        (t->getattr != NULL && t->getattr != object_generic_getattr))
        return false;
    uint32_t v = dict_keys_version(t->dict);
    int64_t ix = dict_str_entry(t->dict, name);
    if (v == 0 || ix < 0 || TYPE(((DictObject *)t->dict)->entries[ix].value) != &method_descr_type)
        return false;
    /* toy-ft: the descriptor, which lives as long as its type, is made
       immortal, so that the calls it serves count it cheaply (its
       INCREF_LIKELY_IMMORTAL in LOAD_METHOD_BUILTIN, and the release after
       the call). */
    specialize_keep_borrowed(((DictObject *)t->dict)->entries[ix].value);
    instr[2] = v;
    instr[3] = (uint32_t)ix;
    rewrite(instr, OP_LOAD_METHOD_BUILTIN);
    return true;
}

/* obj.name(...) where name is a Toy function on obj's plain class and not
   in the instance dict, or a method of a built-in type. */
void specialize_load_method(uint32_t *instr, Object *obj, Object *name)
{
    Type *t = TYPE(obj);
    if (specialize_builtin_method(instr, t, name) ||
        (t == &type_type && specialize_class_attr(instr, obj, name, OP_LOAD_METHOD_TYPE)))
        return;
    uint32_t tag = plain_instance_lookup(t) ? type_version_tag(t) : 0;
    Object *meth = tag != 0 ? class_lookup_ref(t, name) : NULL;
    Object *dict = instance_dict(obj);
    if (meth == NULL || TYPE(meth) != &function_type ||
        (dict != NULL && (!is_dict_exact(dict) || dict_str_entry(dict, name) >= 0)) ||
        !specialize_keep_borrowed(meth)) {
        backoff(instr + 1);
    } else {
        instr[2] = tag;
        set_ptr(instr + 1, 2, meth);
        rewrite(instr, OP_LOAD_METHOD_FUNC);
    }
    XDECREF(meth);
}

/* obj.name = v can go straight to obj's instance dict: no __setattr__, no
   data descriptor of that name (nor an object that may become one), not
   __class__ or __dict__ (they replace the class and the dict themselves),
   and the instance has (or will get) an exact dict. */
static bool stores_to_instance_dict(Type *t, Object *obj, Object *attr, Object *name)
{
    Object *dict = instance_dict(obj);
    return !(t->flags & TYPE_NO_DICT) && t->dict_offset != 0 &&
           (dict == NULL || is_dict_exact(dict)) &&
           (attr == NULL || TYPE(attr)->descr_set == NULL) && !may_become_descriptor(attr) &&
           strcmp(str_data(name), "__class__") != 0 && strcmp(str_data(name), "__dict__") != 0;
}

/* obj.name = v on an instance of a plain class without __setattr__: a
   __slots__ member, a name already in the instance dict (replaced in
   place), or a new one (inserted into the dict). */
void specialize_store_attr(uint32_t *instr, Object *obj, Object *name)
{
    Type *t = TYPE(obj);
    bool plain = plain_instance_lookup(t) &&
                 (t->setattr == NULL || t->setattr == object_generic_setattr);
    uint32_t tag = plain ? type_version_tag(t) : 0;
    Object *attr = tag != 0 ? class_lookup_ref(t, name) : NULL;
    int32_t offset;
    int64_t ix;
    if (tag != 0 && slot_offset(attr, &offset)) {
        instr[3] = (uint32_t)offset;
        rewrite(instr, OP_STORE_ATTR_SLOT);
    } else if (tag != 0 && stores_to_instance_dict(t, obj, attr, name)) {
        if ((ix = instance_entry(obj, name)) >= 0) {
            instr[3] = (uint32_t)ix;
            rewrite(instr, OP_STORE_ATTR_INSTANCE);
        } else {
            rewrite(instr, OP_STORE_ATTR_DICT);
        }
    } else {
        backoff(instr + 1);
        XDECREF(attr);
        return;
    }
    instr[2] = tag;
    XDECREF(attr);
}
