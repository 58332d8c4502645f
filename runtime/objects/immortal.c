/* immortal.c - gc.freeze(immortal=True): see immortal.h.
 *
 * A walk over the permanent generation with an explicit stack (a deep
 * structure must not overflow the C stack): each object not yet immortal
 * gets IMMORTAL_REFCNT and is pushed, and popping it visits what it refers
 * to. The counts are written here, once, in the process that freezes, so a
 * child forked afterwards inherits them already written.
 */
#include "objects/immortal.h"

#include "core/alloc.h"
#include "core/gchead.h"
#include "objects/error.h"
#include "objects/gc.h"

static int64_t made_immortal;

/* Every object made immortal, kept here for the life of the process: once
   their holders are cleared at exit nothing else may point to them, and a
   leak checker (LeakSanitizer, make asan) would take memory kept on purpose
   for a leak. Containers too: one tracked now may be untracked later (the
   collector untracks tuples and dicts that hold only atoms), and then no
   collector list holds it either. Written at freeze time only, so children
   forked later share it. */
static Object **kept;
static size_t kept_len, kept_cap;

int64_t immortal_count(void) { return made_immortal; }

static bool keep(Object *o) {
    if (!mem_grow(&kept, kept_len, &kept_cap, sizeof *kept, 1024)) return false;
    kept[kept_len++] = o;
    return true;
}

typedef struct {
    Object **items;
    size_t len, cap;
    bool failed;
} Stack;

static bool stack_push(Stack *s, Object *o) {
    if (!mem_grow(&s->items, s->len, &s->cap, sizeof *s->items, 256)) return false;
    s->items[s->len++] = o;
    return true;
}

/* Make o immortal and remember to visit what it refers to. */
static int visit_make_immortal(Object *o, void *arg) {
    Stack *s = arg;
    if (object_is_immortal(o)) return 0;
    refcount_make_immortal(o);
    made_immortal++;
    if (!keep(o) || !stack_push(s, o)) {
        s->failed = true;
        return -1;
    }
    return 0;
}

int immortal_freeze(void) {
    Stack s = {NULL, 0, 0, false};
    for (unsigned stripe = 0; stripe < GC_STRIPES; stripe++) {
        GCHead *list = gc_list_of(stripe, GC_PERMANENT);
        for (GCHead *h = list->next; h != list && !s.failed; h = h->next) {
            visit_make_immortal(GC_OBJECT(h), &s);
            while (s.len > 0 && !s.failed) gc_traverse(s.items[--s.len], visit_make_immortal, &s);
        }
    }
    mem_free(s.items, s.cap * sizeof(Object *));
    if (s.failed) {
        error_no_memory();
        return -1;
    }
    return 0;
}
