/* finalize.c - running __del__ (finalize.h).
 *
 * Two small C structures, both touched only with the GIL held:
 *   - `finalized`, a set of object addresses whose __del__ has run while
 *     they stay alive. An address leaves the set when its object is freed
 *     (finalize_on_dealloc sees it first), so an address is never confused
 *     with a later object at the same place.
 *   - at exit, a stack of owned references and a set of visited addresses
 *     for the walk of finalize_namespace, both freed before it returns.
 * The sets are open-addressing tables of pointers (linear probing, deletion
 * by shifting back the entries that follow), allocated with mem_alloc.
 */
#include "objects/finalize.h"

#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/gchead.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/function.h"
#include "objects/list.h"
#include "objects/tuple.h"

/* ---- A set of addresses ----------------------------------------------------------- */

typedef struct {
    Object **slots; /* NULL: empty slot */
    size_t cap;     /* a power of two, or 0 */
    size_t count;
} PtrSet;

static size_t ptr_slot(const PtrSet *s, Object *o) {
    uint64_t h = (uint64_t)(uintptr_t)o >> 4;
    return (size_t)(h * 0x9E3779B97F4A7C15ull >> 17) & (s->cap - 1);
}

static bool ptrset_has(const PtrSet *s, Object *o) {
    if (!s->count) return false;
    for (size_t i = ptr_slot(s, o);; i = (i + 1) & (s->cap - 1)) {
        if (s->slots[i] == o) return true;
        if (!s->slots[i]) return false;
    }
}

static void ptrset_put(PtrSet *s, Object *o) {
    size_t i = ptr_slot(s, o);
    while (s->slots[i] && s->slots[i] != o) i = (i + 1) & (s->cap - 1);
    if (!s->slots[i]) s->count++;
    s->slots[i] = o;
}

/* Add o; false when there is no memory for it. */
static bool ptrset_add(PtrSet *s, Object *o) {
    if ((s->count + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        Object **slots = mem_alloc(cap * sizeof(Object *));
        if (!slots) return false;
        memset(slots, 0, cap * sizeof(Object *));
        PtrSet grown = {slots, cap, 0};
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i]) ptrset_put(&grown, s->slots[i]);
        if (s->slots) mem_free(s->slots, s->cap * sizeof(Object *));
        *s = grown;
    }
    ptrset_put(s, o);
    return true;
}

/* Remove o if present (true), moving back the entries of its probe run. */
static bool ptrset_remove(PtrSet *s, Object *o) {
    if (!s->count) return false;
    size_t mask = s->cap - 1, i = ptr_slot(s, o);
    while (s->slots[i] != o) {
        if (!s->slots[i]) return false;
        i = (i + 1) & mask;
    }
    s->slots[i] = NULL;
    s->count--;
    for (size_t j = (i + 1) & mask; s->slots[j]; j = (j + 1) & mask) {
        Object *moved = s->slots[j];
        s->slots[j] = NULL;
        ptrset_put(s, moved);
    }
    return true;
}

static void ptrset_free(PtrSet *s) {
    if (s->slots) mem_free(s->slots, s->cap * sizeof(Object *));
    *s = (PtrSet){NULL, 0, 0};
}

/* ---- Running __del__ -------------------------------------------------------------- */

/* The objects whose __del__ has run. toy-ft: any thread's dealloc looks
   here, so every use goes through these three, under the set's lock (an
   empty inline in the GIL build). */
static PtrSet finalized;
static bool any_class;

static bool finalized_add(Object *o) {
    objlock_lock(&finalized);
    bool ok = ptrset_add(&finalized, o);
    objlock_unlock(&finalized);
    return ok;
}

static bool finalized_remove(Object *o) {
    objlock_lock(&finalized);
    bool was = ptrset_remove(&finalized, o);
    objlock_unlock(&finalized);
    return was;
}

static bool finalized_has(Object *o) {
    objlock_lock(&finalized);
    bool has = ptrset_has(&finalized, o);
    objlock_unlock(&finalized);
    return has;
}

void finalize_note_class(void) { any_class = true; }
bool finalize_any_class(void) { return any_class; }

/* self.__del__(): a function gets self as its argument, another descriptor
   binds through its __get__, anything else is called as it is. */
static Object *call_del(Object *del, Object *self) {
    if (TYPE(del) == &function_type) return object_call(del, &self, 1, NULL);
    DescrGetFunc get = TYPE(del)->descr_get;
    Object *bound = get ? get(del, self, TYPE(self)) : NEWREF(del);
    if (!bound) return NULL;
    Object *r = object_call(bound, NULL, 0, NULL);
    DECREF(bound);
    return r;
}

/* Run self's __del__ (self alive, the caller's exception set aside) and
   remember that it ran. An exception it raises is printed and dropped. */
static void run_del(Object *self) {
    Object *del = type_lookup_cstr(TYPE(self), "__del__");
    if (!del) { /* deleted from the class since, or no memory to look */
        error_clear();
        return;
    }
    INCREF(del); /* __del__ may remove itself from the class */
    Object *r = call_del(del, self);
    if (r) DECREF(r);
    else error_report_unraisable(del);
    DECREF(del);
}

bool finalize_on_dealloc(Object *self) {
    if (finalized_remove(self)) return false; /* it ran before: free */
    Object *pending = error_fetch();
    /* Alive again while __del__ runs. The count is set by hand, as a dealloc
       cannot go through INCREF/DECREF: reaching zero again would free self
       from inside its own finalizer. saved is 0, or the race detector's
       "being freed" mark, which its check at the free expects back. */
    intptr_t saved = refcount_revive(self);
    run_del(self);
    bool resurrected = refcount_unrevive(self, saved);
    if (resurrected) {
        if (!finalized_add(self)) error_clear(); /* then it may run again */
        if (object_is_gc(self)) gc_track(self); /* object_dealloc untracked it */
    }
    if (pending) error_restore(pending);
    return resurrected;
}

void finalize_run_once(Object *self) {
    if (finalized_has(self)) return;
    Object *pending = error_fetch();
    run_del(self);
    if (!finalized_add(self)) error_clear();
    if (pending) error_restore(pending);
}

bool finalize_is_done(Object *self) { return finalized_has(self); }

/* ---- At exit ---------------------------------------------------------------------- */

/* Owned references, last in first out. */
typedef struct {
    Object **items;
    size_t len, cap;
} Stack;

static bool stack_push(Stack *s, Object *o) {
    if (!mem_grow(&s->items, s->len, &s->cap, sizeof *s->items, 32)) return false;
    s->items[s->len++] = NEWREF(o);
    return true;
}

static void stack_free(Stack *s) {
    while (s->len) DECREF(s->items[--s->len]);
    if (s->items) mem_free(s->items, s->cap * sizeof(Object *));
}

/* The values of d as a new list: __del__ may change d meanwhile. */
static Object *values_of(Object *d) {
    Object *values = list_new(0);
    size_t pos = 0;
    Object *key, *value;
    while (values && dict_next_ref(d, &pos, &key, &value)) {
        DECREF(key);
        if (list_append_steal(values, value) < 0) CLEAR(&values);
    }
    return values;
}

static bool is_class_instance(Object *o) { return (TYPE(o)->flags & TYPE_HEAP) != 0; }

/* Finalize root, then depth first the instances its attributes hold, in
   the order they were set. Each object is visited once (cycles). */
static void finalize_tree(Object *root, PtrSet *visited) {
    Stack stack = {NULL, 0, 0};
    if (!stack_push(&stack, root)) return;
    while (stack.len) {
        Object *o = stack.items[--stack.len]; /* owned */
        if (!ptrset_has(visited, o) && ptrset_add(visited, o)) {
            if ((TYPE(o)->flags & TYPE_FINALIZER) && !finalized_has(o)) {
                Object *pending = error_fetch();
                run_del(o);
                if (!finalized_add(o)) error_clear();
                if (pending) error_restore(pending);
            }
            Object **dictp = object_dict_ptr(o);
            Object *attrs = dictp && *dictp ? values_of(*dictp) : NULL;
            if (!attrs) error_clear();
            for (size_t i = attrs ? list_size(attrs) : 0; i-- > 0;) {
                Object *v = list_item(attrs, i);
                if (is_class_instance(v)) stack_push(&stack, v);
            }
            XDECREF(attrs);
        }
        DECREF(o);
    }
    stack_free(&stack);
}

/* The items of a container a name refers to, in the order CPython's final
   collection reaches them: a list's or tuple's last first, a dict's values
   in order. */
static void finalize_container(Object *c, PtrSet *visited) {
    Object *items = is_list(c) || is_tuple(c) ? list_from_iterable(c)
                  : is_dict(c) ? values_of(c) : NULL;
    if (!items) {
        error_clear();
        return;
    }
    size_t n = list_size(items);
    bool last_first = !is_dict(c);
    for (size_t k = 0; k < n; k++) {
        Object *v = list_item(items, last_first ? n - 1 - k : k);
        if (is_class_instance(v)) finalize_tree(v, visited);
    }
    DECREF(items);
}

/* The instances dict's values refer to, then the containers' items. With
   classes, then the same for the dict of each class among the values. */
static void finalize_values(Object *dict, PtrSet *visited, bool classes) {
    Object *values = values_of(dict); /* __del__ may change the dict */
    if (!values) {
        error_clear();
        return;
    }
    size_t n = list_size(values);
    for (size_t i = 0; i < n; i++)
        if (is_class_instance(list_item(values, i))) finalize_tree(list_item(values, i), visited);
    for (size_t i = 0; i < n; i++) finalize_container(list_item(values, i), visited);
    for (size_t i = 0; classes && i < n; i++) {
        Object *v = list_item(values, i);
        if (is_instance_of(v, &type_type) && (((Type *)v)->flags & TYPE_HEAP) && ((Type *)v)->dict)
            finalize_values(((Type *)v)->dict, visited, false);
    }
    DECREF(values);
}

void finalize_namespace(Object *dict) {
    if (!any_class) return;
    PtrSet visited = {NULL, 0, 0};
    finalize_values(dict, &visited, true);
    ptrset_free(&visited);
}

void finalize_fini(void) { ptrset_free(&finalized); }
