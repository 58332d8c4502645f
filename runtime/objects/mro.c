/* mro.c - computing a type's method resolution order (C3), and reading it.
 *
 * The C3 merge works on n + 1 sequences: the MRO of each base, then the
 * bases themselves. It repeatedly takes the first head (first remaining
 * entry) of a sequence, in sequence order, that appears in no sequence's
 * tail (the entries after a head); that class is appended to the result
 * and removed from the front of every sequence it heads. When every
 * sequence is empty the MRO is complete; when heads remain but each is in
 * some tail, the bases ask for contradictory orders and the class cannot be
 * created. The cost is quadratic in the size of the hierarchy, which is
 * small; a class with one base skips the merge.
 *
 * See mro.h for who owns what. Runs under the GIL.
 */
#include "objects/mro.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/list.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* One sequence of the merge: items[next .. len) remain. */
typedef struct {
    Type *const *items;
    size_t len, next;
} MergeSeq;

static bool seq_empty(const MergeSeq *s) { return s->next == s->len; }
static Type *seq_head(const MergeSeq *s) { return s->items[s->next]; }

/* Is t in the tail of any sequence (after its head)? */
static bool in_some_tail(Type *t, const MergeSeq *seqs, size_t count) {
    for (size_t i = 0; i < count; i++)
        for (size_t k = seqs[i].next + 1; k < seqs[i].len; k++)
            if (seqs[i].items[k] == t) return true;
    return false;
}

/* The first head, in sequence order, that no tail holds; NULL when there is
   none (*all_empty says whether that is because the merge is done). */
static Type *next_in_merge(const MergeSeq *seqs, size_t count, bool *all_empty) {
    *all_empty = true;
    for (size_t i = 0; i < count; i++) {
        if (seq_empty(&seqs[i])) continue;
        *all_empty = false;
        Type *head = seq_head(&seqs[i]);
        if (!in_some_tail(head, seqs, count)) return head;
    }
    return NULL;
}

/* CPython's message, naming the heads that are left (each once, in
   sequence order). */
static void inconsistent_error(const MergeSeq *seqs, size_t count) {
    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_cstr(&b, "Cannot create a consistent method resolution\n"
                             "order (MRO) for bases ");
    bool first = true;
    for (size_t i = 0; i < count; i++) {
        if (seq_empty(&seqs[i])) continue;
        Type *head = seq_head(&seqs[i]);
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !seq_empty(&seqs[j]) && seq_head(&seqs[j]) == head;
        if (seen) continue;
        if (!first) str_builder_add_cstr(&b, ", ");
        str_builder_add_cstr(&b, type_name(head));
        first = false;
    }
    Object *msg = str_builder_finish(&b);
    if (!msg) return;
    error_set_object(&exc_TypeError, msg);
    DECREF(msg);
}

/* Merge into out[1 ..] (out[0] is the new type); returns the length of the
   MRO, or 0 with TypeError set. */
static size_t c3_merge(Type **out, MergeSeq *seqs, size_t count) {
    size_t n = 1;
    for (;;) {
        bool done;
        Type *next = next_in_merge(seqs, count, &done);
        if (done) return n;
        if (!next) {
            inconsistent_error(seqs, count);
            return 0;
        }
        out[n++] = next;
        for (size_t i = 0; i < count; i++)
            if (!seq_empty(&seqs[i]) && seq_head(&seqs[i]) == next) seqs[i].next++;
    }
}

static int check_duplicates(Type *const *bases, size_t nbases) {
    for (size_t i = 0; i < nbases; i++)
        for (size_t j = 0; j < i; j++)
            if (bases[i] == bases[j]) {
                error_set(&exc_TypeError, "duplicate base class %s", type_name(bases[i]));
                return -1;
            }
    return 0;
}

/* The MRO of a class with several bases, into out (room for 1 + the sum of
   the bases' MRO lengths); its length, or 0 with an exception set. */
static size_t merge_bases(Type *t, Type **out, Type *const *bases, size_t nbases) {
    MergeSeq *seqs = mem_alloc((nbases + 1) * sizeof(MergeSeq));
    if (!seqs) {
        error_no_memory();
        return 0;
    }
    for (size_t i = 0; i < nbases; i++)
        seqs[i] = (MergeSeq){bases[i]->mro, bases[i]->mro_len, 0};
    seqs[nbases] = (MergeSeq){bases, nbases, 0};
    out[0] = t;
    size_t n = c3_merge(out, seqs, nbases + 1);
    mem_free(seqs, (nbases + 1) * sizeof(MergeSeq));
    return n;
}

/* Shrink a merged MRO (cap entries allocated, n used) to its length. */
static Type **mro_fit(Type **mro, size_t cap, size_t n) {
    if (n == cap) return mro;
    Type **fit = mem_alloc(n * sizeof(Type *));
    if (fit) memcpy(fit, mro, n * sizeof(Type *));
    else error_no_memory();
    mem_free(mro, cap * sizeof(Type *));
    return fit;
}

int mro_build(Type *t, Type *const *bases, size_t nbases) {
    if (check_duplicates(bases, nbases) < 0) return -1;
    size_t cap = 1;
    for (size_t i = 0; i < nbases; i++) {
        assert(bases[i]->mro && "a base is readied before the types that derive from it");
        cap += bases[i]->mro_len;
    }
    Type **mro = mem_alloc(cap * sizeof(Type *));
    if (!mro) {
        error_no_memory();
        return -1;
    }
    size_t n = cap;
    mro[0] = t;
    if (nbases == 1) memcpy(mro + 1, bases[0]->mro, bases[0]->mro_len * sizeof(Type *));
    else if (nbases > 1) n = merge_bases(t, mro, bases, nbases);
    if (n == 0) {
        mem_free(mro, cap * sizeof(Type *));
        return -1;
    }
    if (!(mro = mro_fit(mro, cap, n))) return -1;
    t->mro = mro;
    t->mro_len = n;
    return 0;
}

void mro_clear(Type *t) {
    if (t->mro) mem_free(t->mro, t->mro_len * sizeof(Type *));
    t->mro = NULL;
    t->mro_len = 0;
}

Object *mro_as_tuple(Type *t) {
    Object *r = tuple_new(t->mro_len);
    if (!r) return NULL;
    for (size_t i = 0; i < t->mro_len; i++) tuple_set_steal(r, i, NEWREF(t->mro[i]));
    return r;
}

Object *mro_as_list(Type *t) {
    Object *r = list_new(t->mro_len);
    if (!r) return NULL;
    for (size_t i = 0; i < t->mro_len; i++) list_set_steal(r, i, NEWREF(t->mro[i]));
    return r;
}

size_t mro_index(Type *t, Type *klass) {
    size_t i = 0;
    while (i < t->mro_len && t->mro[i] != klass) i++;
    return i;
}
