/* weakref.c - the table of weak references and weakref.ref (weakref.h).
 *
 * The table maps a referent's address to the head of its list of WeakRef
 * objects: open addressing with linear probing, deletion by moving back the
 * entries of the probe run that follows. An entry exists exactly while its
 * list is not empty; the table's memory is released when the last entry
 * goes, so a program that stops using weak references leaves nothing
 * behind. `weakref_referents` is the number of entries: the deallocs test
 * it before looking anything up, in toy-ft without the table's lock, so it
 * changes only when an entry comes or goes, never while entries move (a
 * growth's rehash, a removal's shift): a count that passed through 0
 * there let another thread free a referent without clearing its refs. Everything here runs with the GIL held;
 * in toy-ft the table and the lists are guarded by one lock instead
 * (table_lock: a recursive stripe of core/objlock.h, an empty inline in the
 * GIL build), never held while a callback runs.
 *
 * A WeakRef owns its callback and does not own its referent. It is linked
 * in its referent's list while the referent lives; weakref_clear_refs
 * unlinks them all (referent = NULL) when it dies, and a WeakRef freed
 * earlier unlinks itself.
 */
#include "objects/weakref.h"

#include <string.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* ---- The table ------------------------------------------------------------------- */

typedef struct {
    Object *key;    /* the referent; NULL: empty slot */
    WeakRef *head;  /* its weak references */
} WeakSlot;

static WeakSlot *slots;
static size_t cap; /* a power of two, or 0 */
_Atomic size_t weakref_referents;

/* toy-ft: the stripe of this byte's address guards slots, cap and every
   list (recursive: a DECREF under it may free another weakrefable object). */
static char table_key;
static inline void table_lock(void) { objlock_lock(&table_key); }
static inline void table_unlock(void) { objlock_unlock(&table_key); }

static size_t slot_of(Object *o) {
    uint64_t h = (uint64_t)(uintptr_t)o >> 4;
    return (size_t)(h * 0x9E3779B97F4A7C15ull >> 17) & (cap - 1);
}

/* o's slot, or NULL when o has no weak references. */
static WeakSlot *table_find(Object *o) {
    if (!weakref_referents) return NULL;
    for (size_t i = slot_of(o);; i = (i + 1) & (cap - 1)) {
        if (slots[i].key == o) return &slots[i];
        if (!slots[i].key) return NULL;
    }
}

/* Put o's list in the first free slot from o's own; the count of
   referents is left to the caller. */
static WeakSlot *table_place(Object *o, WeakRef *head) {
    size_t i = slot_of(o);
    while (slots[i].key) i = (i + 1) & (cap - 1);
    slots[i] = (WeakSlot){o, head};
    return &slots[i];
}

/* A new slot for o (not in the table) with the list head; NULL with
   MemoryError. */
static WeakSlot *table_add(Object *o, WeakRef *head) {
    if ((weakref_referents + 1) * 2 > cap) {
        size_t ncap = cap ? cap * 2 : 16;
        WeakSlot *grown = mem_alloc(ncap * sizeof(WeakSlot));
        if (!grown) {
            error_no_memory();
            return NULL;
        }
        memset(grown, 0, ncap * sizeof(WeakSlot));
        WeakSlot *old = slots;
        size_t ocap = cap;
        slots = grown;
        cap = ncap;
        for (size_t i = 0; i < ocap; i++)
            if (old[i].key) table_place(old[i].key, old[i].head);
        if (old) mem_free(old, ocap * sizeof(WeakSlot));
    }
    WeakSlot *s = table_place(o, head);
    weakref_referents++;
    return s;
}

static void table_remove(WeakSlot *s) {
    size_t mask = cap - 1, i = (size_t)(s - slots);
    slots[i].key = NULL;
    weakref_referents--;
    for (size_t j = (i + 1) & mask; slots[j].key; j = (j + 1) & mask) {
        WeakSlot moved = slots[j];
        slots[j].key = NULL;
        table_place(moved.key, moved.head);
    }
    if (!weakref_referents) {
        mem_free(slots, cap * sizeof(WeakSlot));
        slots = NULL;
        cap = 0;
    }
}

/* ---- Lists ------------------------------------------------------------------------ */

static bool is_plain(WeakRef *r, Type *type) { return TYPE(r) == type && !r->callback; }

/* Link r into the list of slot s after `after` (NULL: at the head). */
static void link_after(WeakSlot *s, WeakRef *r, WeakRef *after) {
    WeakRef *next = after ? after->next : s->head;
    r->prev = after;
    r->next = next;
    if (next) next->prev = r;
    if (after) after->next = r;
    else s->head = r;
}

/* Take r out of its referent's list (r alive, referent set). */
static void unlink_ref(WeakRef *r) {
    if (r->prev) {
        r->prev->next = r->next;
    } else {
        WeakSlot *s = table_find(r->referent);
        if (r->next) s->head = r->next;
        else table_remove(s);
    }
    if (r->next) r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

/* The plain ref and the plain proxy of a list, when it has them: they are
   its first entries. */
static void plain_refs(WeakSlot *s, WeakRef **ref, WeakRef **proxy) {
    *ref = *proxy = NULL;
    WeakRef *r = s ? s->head : NULL;
    if (r && is_plain(r, &weakref_type)) {
        *ref = r;
        r = r->next;
    }
    if (r && (is_plain(r, &weakproxy_type) || is_plain(r, &weakcallableproxy_type))) *proxy = r;
}

bool object_is_weakrefable(Object *o) { return (TYPE(o)->flags & TYPE_WEAKREFABLE) != 0; }

/* weakref_new under table_lock. */
static Object *weakref_new_locked(Type *type, Object *o, Object *callback) {
    WeakSlot *s = table_find(o);
    WeakRef *plain_ref, *plain_proxy;
    plain_refs(s, &plain_ref, &plain_proxy);
    bool proxy = type != &weakref_type;
    /* The existing plain ref, unless another thread is freeing it now. */
    if (!callback && !proxy && plain_ref && refcount_try_incref((Object *)plain_ref))
        return (Object *)plain_ref;
    if (!callback && proxy && plain_proxy && refcount_try_incref((Object *)plain_proxy))
        return (Object *)plain_proxy;
    WeakRef *r = (WeakRef *)object_alloc(type, sizeof(WeakRef));
    if (!r) return NULL;
    r->hash = -1;
    if (!s && !(s = table_add(o, NULL))) {
        DECREF(r); /* referent still NULL: nothing to unlink */
        return NULL;
    }
    /* Both are found through the table from now on, without a reference
       (refcount_try_incref): the caller holds one to o, and r is new. */
    refcount_mark_weakly(o);
    refcount_mark_weakly((Object *)r);
    r->referent = o;
    r->callback = callback ? NEWREF(callback) : NULL;
    WeakRef *after = !callback && !proxy ? NULL
                   : !callback ? plain_ref
                   : plain_proxy ? plain_proxy : plain_ref;
    link_after(s, r, after);
    return (Object *)r;
}

Object *weakref_new(Type *type, Object *o, Object *callback) {
    if (!object_is_weakrefable(o))
        return error_set(&exc_TypeError, "cannot create weak reference to '%s' object",
                         TYPE_NAME(o));
    if (callback == None) callback = NULL;
    table_lock();
    Object *r = weakref_new_locked(type, o, callback);
    table_unlock();
    return r;
}

Object *weakref_proxy_new(Object *o, Object *callback) {
    return weakref_new(object_callable(o) ? &weakcallableproxy_type : &weakproxy_type, o, callback);
}

bool object_has_weakrefs(Object *o) {
    table_lock();
    bool has = table_find(o) != NULL;
    table_unlock();
    return has;
}

size_t weakref_count(Object *o) {
    table_lock();
    WeakSlot *s = table_find(o);
    size_t n = 0;
    for (WeakRef *r = s ? s->head : NULL; r; r = r->next) n++;
    table_unlock();
    return n;
}

/* Under table_lock: new references to the refs of slot s (only those with
   a callback when callbacks_only) in a new array of *n; false when out of
   memory. A ref another thread is freeing now is left out. No other stripe
   is taken under the table's: a thread that waits for one may be parked
   there, and the collector may then borrow the table's stripe and change
   the table under it (core/objlock.c). */
static bool refs_snapshot(WeakSlot *s, bool callbacks_only, Object ***out, size_t *n) {
    size_t count = 0;
    for (WeakRef *r = s ? s->head : NULL; r; r = r->next) count += !callbacks_only || r->callback;
    *out = NULL;
    *n = 0;
    if (count == 0) return true;
    Object **a = mem_alloc(count * sizeof *a);
    if (!a) return false;
    for (WeakRef *r = s->head; r; r = r->next)
        if ((!callbacks_only || r->callback) && refcount_try_incref((Object *)r))
            a[(*n)++] = (Object *)r;
    *out = a;
    return true;
}

/* A list of the snapshot's references (taken over), the array freed;
   NULL with MemoryError. */
static Object *list_of_refs(Object **a, size_t n) {
    Object *list = list_new(n);
    for (size_t i = 0; i < n; i++) {
        if (list) list_set_steal(list, i, a[i]);
        else DECREF(a[i]);
    }
    if (a) mem_free(a, n * sizeof *a);
    return list;
}

Object *weakref_list(Object *o) {
    Object **a;
    size_t n;
    table_lock();
    bool ok = refs_snapshot(table_find(o), false, &a, &n);
    table_unlock();
    if (!ok) return error_no_memory();
    return list_of_refs(a, n);
}

Object *weakref_first(Object *o) {
    table_lock();
    WeakSlot *s = table_find(o);
    Object *first = s ? (Object *)s->head : NULL;
    table_unlock();
    return first;
}

/* ---- Clearing ---------------------------------------------------------------------- */

/* Call r's callback (taken from r: __callback__ is None from now on) with
   r; r owned by the caller. */
static void call_callback(WeakRef *r) {
    Object *cb = r->callback;
    r->callback = NULL;
    Object *res = object_call1(cb, (Object *)r);
    if (res) DECREF(res);
    else error_report_unraisable(cb);
    DECREF(cb);
}

/* Mark every ref of o's list dead and forget the list (s is o's slot). */
static void clear_list(WeakSlot *s) {
    WeakRef *r = s->head;
    table_remove(s);
    while (r) {
        WeakRef *next = r->next;
        r->referent = NULL;
        r->prev = r->next = NULL;
        r = next;
    }
}

Object *weakref_detach_refs(Object *o) {
    Object **a;
    size_t n;
    table_lock();
    WeakSlot *s = table_find(o);
    bool ok = refs_snapshot(s, true, &a, &n);
    if (ok && s) clear_list(s);
    table_unlock();
    if (!ok) return error_no_memory();
    return list_of_refs(a, n);
}

void weakref_run_callback(Object *ref) {
    WeakRef *r = (WeakRef *)ref;
    if (!r->callback) return;
    Object *saved = error_fetch();
    INCREF(r);
    call_callback(r);
    DECREF(r);
    if (saved) error_restore(saved);
}

static bool any_callback(WeakSlot *s) {
    for (WeakRef *r = s->head; r; r = r->next)
        if (r->callback) return true;
    return false;
}

/* Every ref is cleared before any callback runs, so that no callback can
   reach o through another weak reference. Without memory for the list of
   refs with a callback, they are cleared and their callbacks are never
   called (CPython drops them too); each is released with its ref. */
void weakref_clear_refs(Object *o, bool call_callbacks) {
    table_lock();
    WeakSlot *s = table_find(o);
    bool plain = s && !any_callback(s);
    if (plain) clear_list(s);
    table_unlock();
    if (!s || plain) return;
    Object *saved = error_fetch();
    Object *pending = weakref_detach_refs(o);
    if (!pending) { /* no memory: clear them, each keeps its callback uncalled */
        error_clear();
        table_lock();
        if ((s = table_find(o)) != NULL) clear_list(s);
        table_unlock();
    }
    for (size_t i = 0; pending && i < list_size(pending); i++) {
        WeakRef *r = (WeakRef *)list_item(pending, i);
        if (call_callbacks) weakref_run_callback((Object *)r);
        else CLEAR(&r->callback);
    }
    XDECREF(pending);
    if (saved) error_restore(saved);
}

static bool tearing_down; /* set once, at exit */

void weakref_teardown(void) { tearing_down = true; }

void weakref_clear_dying(Object *o) { weakref_clear_refs(o, !tearing_down); }

/* ---- weakref.ref ------------------------------------------------------------------ */

static void weakref_dealloc(Object *self) {
    WeakRef *r = (WeakRef *)self;
    table_lock();
    if (r->referent) unlink_ref(r);
    r->referent = NULL;
    table_unlock();
    XDECREF(r->callback);
    object_free(self, sizeof(WeakRef));
}

/* The cycle collector's slots (the proxies share them): a ref holds its
   callback; clearing one also clears the ref itself, as when it dies. */
int weakref_traverse(Object *self, VisitFunc visit, void *arg) {
    VISIT(((WeakRef *)self)->callback);
    return 0;
}

int weakref_gc_clear(Object *self) {
    WeakRef *r = (WeakRef *)self;
    if (r->referent) unlink_ref(r);
    r->referent = NULL;
    CLEAR(&r->callback);
    return 0;
}

/* ReferenceType(o, callback=None), as weakref.ref(...). */
static Object *weakref_construct(Type *type, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "ref() takes no keyword arguments");
    if (nargs < 1) return error_set(&exc_TypeError, "__new__ expected at least 1 argument, got 0");
    if (nargs > 2)
        return error_set(&exc_TypeError, "__new__ expected at most 2 arguments, got %zu", nargs);
    return weakref_new(type, args[0], nargs > 1 ? args[1] : NULL);
}

Object *weakref_get_new(Object *ref) {
    table_lock();
    Object *o = ((WeakRef *)ref)->referent;
    if (o && !refcount_try_incref(o)) o = NULL;
    table_unlock();
    return o;
}

/* r(): the referent, or None once it is dead. */
static Object *weakref_call(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "weakref() takes no keyword arguments");
    if (nargs)
        return error_set(&exc_TypeError, "weakref expected 0 arguments, got %zu", nargs);
    Object *o = weakref_get_new(self);
    return o ? o : NEWREF(None);
}

/* The referent's hash, kept: it stays the ref's hash after the referent
   died. A ref that was never hashed cannot be once it is dead. */
static int64_t weakref_hash(Object *self) {
    WeakRef *r = (WeakRef *)self;
    if (r->hash != -1) return r->hash;
    Object *o = weakref_get_new(self); /* __hash__ may drop the last reference */
    if (!o) {
        error_set(&exc_TypeError, "weak object has gone away");
        return -1;
    }
    r->hash = object_hash(o);
    DECREF(o);
    return r->hash;
}

/* ==, != between two refs: their referents compared while both live,
   identity once either is dead. Other comparisons are not supported. */
static Object *weakref_richcompare(Object *a, Object *b, int op) {
    if ((op != CMP_EQ && op != CMP_NE) || !is_instance_of(a, &weakref_type) ||
        !is_instance_of(b, &weakref_type))
        return NEWREF(NotImplemented);
    Object *x = weakref_get_new(a), *y = weakref_get_new(b);
    if (!x || !y) {
        XDECREF(x);
        XDECREF(y);
        return bool_from((a == b) == (op == CMP_EQ));
    }
    Object *res = object_compare(x, y, (CompareOp)op);
    DECREF(x);
    DECREF(y);
    return res;
}

/* <weakref at 0x...; to 'C' at 0x...>, with " (name)" when the referent
   has a str __name__ (functions, classes); <weakref at 0x...; dead>. */
static Object *weakref_repr(Object *self) {
    Object *o = weakref_get_new(self);
    if (!o) return str_from_format("<weakref at %p; dead>", (void *)self);
    Object *name = object_getattr_cstr(o, "__name__");
    if (!name) error_clear();
    const char *tname = TYPE(o)->name;
    Object *r = name && is_str(name)
        ? str_from_format("<weakref at %p; to '%s' at %p (%s)>", (void *)self, tname, (void *)o,
                          str_data(name))
        : str_from_format("<weakref at %p; to '%s' at %p>", (void *)self, tname, (void *)o);
    XDECREF(name);
    DECREF(o);
    return r;
}

static Object *weakref_getattr(Object *self, Object *name) {
    if (strcmp(str_data(name), "__callback__") == 0) {
        Object *cb = ((WeakRef *)self)->callback;
        return NEWREF(cb ? cb : None);
    }
    return object_generic_getattr(self, name);
}

Type weakref_type = {
    TYPE_HEAD_INIT,
    .name = "weakref.ReferenceType",
    .base_type = &object_type,
    .instance_size = sizeof(WeakRef),
    .flags = TYPE_GC,
    .traverse = weakref_traverse,
    .clear = weakref_gc_clear,
    .dealloc = weakref_dealloc,
    .repr = weakref_repr,
    .hash = weakref_hash,
    .richcompare = weakref_richcompare,
    .call = weakref_call,
    .construct = weakref_construct,
    .getattr = weakref_getattr,
};
