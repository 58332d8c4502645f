/* typeversion.c - version tags of user classes (typeversion.h). */
#include "objects/typeversion.h"

#include "objects/class.h"

/* The next tag to hand out; 0 once all 2^32 - 1 have been used. */
static uint32_t next_version_tag = 1;

#ifndef TOY_FREE_THREADED
static void assign_tag(Type *t)
{
    if (t->version_tag == 0 && next_version_tag != 0)
        t->version_tag = next_version_tag++;
}

static void drop_tag(Type *t)
{
    t->version_tag = 0;
}
#else
/* toy-ft: a number is taken from the counter by compare-and-swap (never
   past 0), and given to t only if t still has none. */
static uint32_t take_number(void)
{
    uint32_t n = __atomic_load_n(&next_version_tag, __ATOMIC_RELAXED);
    while (n != 0 && !__atomic_compare_exchange_n(&next_version_tag, &n, n + 1, true,
                                                  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    return n;
}

static void assign_tag(Type *t)
{
    uint32_t none = 0, n;
    if (type_version_tag_now(t) == 0 && (n = take_number()) != 0)
        __atomic_compare_exchange_n(&t->version_tag, &none, n, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE);
}

static void drop_tag(Type *t)
{
    __atomic_store_n(&t->version_tag, 0, __ATOMIC_RELEASE);
}
#endif

/* t's tag for a caller about to look at t's dicts and keep what it finds
   under the tag. toy-ft: an acquire load, so that a tag another thread
   gave after a change (its compare-and-swap ordered after the change's
   last drop) comes with the change for the lookup that follows. */
static uint32_t tag_before_lookup(const Type *t)
{
#ifdef TOY_FREE_THREADED
    return __atomic_load_n(&t->version_tag, __ATOMIC_ACQUIRE);
#else
    return t->version_tag;
#endif
}

uint32_t type_version_tag(Type *t)
{
    if (!(t->flags & TYPE_HEAP))
        return 0;
    uint32_t tag = tag_before_lookup(t);
    if (tag != 0)
        return tag;
    /* Bases first, so that a tagged class never has an untagged base. */
    for (size_t i = t->mro_len; i-- > 1;) {
        Type *b = t->mro[i];
        if ((b->flags & TYPE_HEAP) && type_version_tag_now(b) == 0) {
            assign_tag(b);
            if (type_version_tag_now(b) == 0)
                return 0;
        }
    }
    assign_tag(t);
    return tag_before_lookup(t);
}

static void clear_if_derived(Type *sub, void *base)
{
    if (type_version_tag_now(sub) != 0 && type_is_subtype(sub, (Type *)base))
        drop_tag(sub);
}

void type_version_invalidate(Type *t)
{
#ifndef TOY_FREE_THREADED
    if (type_version_tag_now(t) == 0)
        return; /* its subclasses have none either (the invariant) */
#endif
    /* toy-ft: another thread may be tagging t's bases and then t right
       now, so an untagged t says nothing about its subclasses: always
       look. */
    drop_tag(t);
    class_visit_live(clear_if_derived, t);
}
