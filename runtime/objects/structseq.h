/* structseq.h - struct sequences: tuples made in C whose items also have
 * names, such as sys.version_info and sys.float_info (CPython's
 * PyStructSequence).
 *
 * A struct sequence type is a StructSeqType: a Type based on tuple whose
 * instances are laid out exactly as tuples, so every tuple operation works
 * on them (indexing, slicing, len, iteration, unpacking, comparison with
 * tuples, hashing), plus the names of the fields, which read the items as
 * attributes. repr names the fields: sys.version_info(major=3, minor=11,
 * ...). Toy code cannot create instances ("cannot create ... instances").
 *
 * Define one with STRUCTSEQ_TYPE_INIT and list &t.type with the module's
 * types (modules.c's module_types) so that it is readied at start-up.
 */
#ifndef TOY_STRUCTSEQ_H
#define TOY_STRUCTSEQ_H

#include "core/object.h"
#include "objects/tuple.h"

typedef struct {
    Type type;                 /* first: a StructSeqType is a Type */
    const char *const *fields; /* the field names, NULL-terminated */
} StructSeqType;

/* The slots every struct sequence type shares (for the initialiser). */
void structseq_dealloc(Object *self);
Object *structseq_repr(Object *self);
Object *structseq_getattr(Object *self, Object *name);
int structseq_setattr(Object *self, Object *name, Object *value);
int64_t structseq_hash(Object *self);

#define STRUCTSEQ_TYPE_INIT(type_name, field_names)                                        \
    {                                                                                      \
        .type = {                                                                          \
            TYPE_HEAD_INIT,                                                                \
            .name = type_name,                                                             \
            .base_type = &tuple_type,                                                      \
            .instance_size = sizeof(TupleObject),                                          \
            .flags = TYPE_GC,                                                              \
            .traverse = tuple_traverse,                                                    \
            .dealloc = structseq_dealloc,                                                  \
            .repr = structseq_repr,                                                        \
            .getattr = structseq_getattr,                                                  \
            .setattr = structseq_setattr,                                                  \
            .hash = structseq_hash,                                                        \
        },                                                                                 \
        .fields = field_names,                                                             \
    }

/* A new instance holding values (borrowed; one per field). */
Object *structseq_new(StructSeqType *type, Object *const *values);

#endif
