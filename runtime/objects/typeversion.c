/* typeversion.c - version tags of user classes (typeversion.h). */
#include "objects/typeversion.h"

#include "objects/class.h"

/* The next tag to hand out; 0 once all 2^32 - 1 have been used. */
static uint32_t next_version_tag = 1;

static void assign_tag(Type *t)
{
    if (t->version_tag == 0 && next_version_tag != 0)
        t->version_tag = next_version_tag++;
}

uint32_t type_version_tag(Type *t)
{
    if (!(t->flags & TYPE_HEAP))
        return 0;
    if (t->version_tag != 0)
        return t->version_tag;
    /* Bases first, so that a tagged class never has an untagged base. */
    for (size_t i = t->mro_len; i-- > 1;) {
        Type *b = t->mro[i];
        if ((b->flags & TYPE_HEAP) && b->version_tag == 0) {
            assign_tag(b);
            if (b->version_tag == 0)
                return 0;
        }
    }
    assign_tag(t);
    return t->version_tag;
}

static void clear_if_derived(Type *sub, void *base)
{
    if (sub->version_tag != 0 && type_is_subtype(sub, (Type *)base))
        sub->version_tag = 0;
}

void type_version_invalidate(Type *t)
{
    if (t->version_tag == 0)
        return; /* its subclasses have none either (the invariant) */
    t->version_tag = 0;
    class_visit_live(clear_if_derived, t);
}
