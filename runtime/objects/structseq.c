/* structseq.c - struct sequences (see structseq.h): tuples with named
 * fields. The tuple slots are inherited from tuple_type; what is here is
 * what a static type cannot inherit (dealloc, hash) and what differs
 * (repr, attribute access by field name).
 */
#include "objects/structseq.h"

#include <string.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/str.h"

static size_t field_count(const StructSeqType *t) {
    size_t n = 0;
    while (t->fields[n]) n++;
    return n;
}

static size_t instance_bytes(size_t n) {
    return sizeof(TupleObject) + n * sizeof(Object *);
}

Object *structseq_new(StructSeqType *type, Object *const *values) {
    size_t n = field_count(type);
    TupleObject *t = (TupleObject *)object_alloc(&type->type, instance_bytes(n));
    if (!t) return NULL;
    t->hash = -1;
    t->size = n;
    for (size_t i = 0; i < n; i++) t->items[i] = NEWREF(values[i]);
    return (Object *)t;
}

void structseq_dealloc(Object *self) {
    size_t n = tuple_size(self);
    for (size_t i = 0; i < n; i++) DECREF(tuple_item(self, i));
    object_free(self, instance_bytes(n));
}

/* As a tuple's: equal struct sequences and tuples hash alike. */
int64_t structseq_hash(Object *self) {
    return tuple_type.hash(self);
}

Object *structseq_repr(Object *self) {
    const StructSeqType *t = (const StructSeqType *)TYPE(self);
    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_cstr(&b, t->type.name);
    str_builder_add_char(&b, '(');
    for (size_t i = 0; i < tuple_size(self); i++) {
        Object *r = object_repr(tuple_item(self, i));
        if (!r) {
            str_builder_discard(&b);
            return NULL;
        }
        if (i > 0) str_builder_add(&b, ", ", 2);
        str_builder_add_cstr(&b, t->fields[i]);
        str_builder_add_char(&b, '=');
        str_builder_add_str(&b, r);
        DECREF(r);
    }
    str_builder_add_char(&b, ')');
    return str_builder_finish(&b);
}

/* The index of the field called name, or -1. */
static int field_index(Object *self, Object *name) {
    const StructSeqType *t = (const StructSeqType *)TYPE(self);
    for (int i = 0; t->fields[i]; i++)
        if (strcmp(t->fields[i], str_data(name)) == 0) return i;
    return -1;
}

Object *structseq_getattr(Object *self, Object *name) {
    int i = field_index(self, name);
    if (i >= 0) return NEWREF(tuple_item(self, (size_t)i));
    return object_generic_getattr(self, name);
}

/* The fields are read-only, like the items of a tuple. */
int structseq_setattr(Object *self, Object *name, Object *value) {
    if (field_index(self, name) >= 0) {
        error_set(&exc_AttributeError, "readonly attribute");
        return -1;
    }
    return object_generic_setattr(self, name, value);
}
