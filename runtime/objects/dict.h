/* dict.h - insertion-ordered hash tables.
 *
 * Layout as in CPython 3.6+: a dense array of entries in insertion order and
 * a sparse index table of slot numbers; deleting leaves a hole in the entry
 * array, compacted on resize. A dict owns references to its keys and values.
 * Lookups of interned str keys match by pointer before comparing.
 *
 * Lookups can run arbitrary code (a user __eq__ or __hash__), so a lookup may
 * fail with an exception: the "get" functions return NULL both when absent and
 * on error; check error_occurred() when the distinction matters.
 */
#ifndef TOY_DICT_H
#define TOY_DICT_H

#include "core/object.h"

typedef struct {
    Object *key;     /* NULL: deleted entry */
    Object *value;
    int64_t hash;
} DictEntry;

typedef struct {
    Object base;
    size_t used;         /* live entries */
    size_t nentries;     /* entries used in the entry array, holes included */
    size_t capacity;     /* entry array capacity */
    size_t index_size;   /* power of two */
    int64_t *index;      /* -1 empty, -2 dummy, else entry number */
    DictEntry *entries;
    uint32_t version;    /* bumped on every change */
    uint32_t keys_version; /* 0, or a number no other dict has had, which
                              stays while the set of keys does: the inline
                              caches' guard (dict_keys_version) */
} DictObject;

extern Type dict_type;

/* dict or a user subclass of it; is_dict_exact: dict itself. */
static inline bool is_dict(Object *o) { return is_builtin_instance(o, &dict_type); }
static inline bool is_dict_exact(Object *o) { return o->type == &dict_type; }
/* A dict, or a subclass that leaves __iter__ alone: its items may be read
   directly where CPython reads them so (**m, dict(m), d.update(m)); other
   mappings go through keys() and [] instead. */
static inline bool dict_is_plain_mapping(Object *o) {
    return is_dict(o) && o->type->iter == dict_type.iter;
}
static inline size_t dict_size(Object *d) { return ((DictObject *)d)->used; }

Object *dict_new(void);
/* Borrowed value or NULL (absent, or error: see error_occurred()). */
Object *dict_get_item(Object *d, Object *key);
Object *dict_get_item_cstr(Object *d, const char *key); /* interns key */
/* Borrowed lookup for str keys with a precomputed hash: the VM's fast path
   for globals and attributes. NULL if absent (never raises). */
Object *dict_get_str(Object *d, Object *str_key);
/* The entry number of a str key, or -1 when absent; like dict_get_str,
   never runs user code nor raises. While dict_keys_version(d) stays the
   same, the key stays at that entry. */
int64_t dict_str_entry(Object *d, Object *str_key);
/* A number naming d's current set of keys: the same number as long as no
   key is added or removed (a value rebound keeps it), never reused by any
   dict; 0 when the numbers have run out. For the VM's inline caches. */
uint32_t dict_keys_version(Object *d);
/* Replace the value of the entry `ix` if its key is `key` (by pointer):
   1 done, 0 not that key (nothing changed). The value is borrowed. */
int dict_replace_at(Object *d, size_t ix, Object *key, Object *value);
/* The same two lookups returning a NEW reference, taken under the dict's
   lock: what the free-threaded build (toy-ft) uses where another thread may
   replace the value and release it at any moment (globals, attributes). */
Object *dict_get_str_ref(Object *d, Object *str_key);
Object *dict_get_item_ref(Object *d, Object *key);
/* 0 ok, -1 error. Both borrowed (INCREF'd). */
int dict_set_item(Object *d, Object *key, Object *value);
int dict_set_item_cstr(Object *d, const char *key, Object *value);
/* 0 ok, -1 error; KeyError when absent and raise_missing, else returns 1 when absent. */
int dict_del_item(Object *d, Object *key, bool raise_missing);
void dict_clear(Object *d);
/* Iterate: start with *pos = 0; returns true and borrowed key/value while
   entries remain. The dict must not change during the walk. */
bool dict_next(Object *d, size_t *pos, Object **key, Object **value);
Object *dict_copy(Object *d);
/* d.update(other): other is a dict or an iterable of pairs. */
int dict_update(Object *d, Object *other);
Object *dict_keys_list(Object *d);

/* ---- Added by the containers module ---- */

/* The views d.keys(), d.values(), d.items() and the iterators over a dict
   (iter(d), iter(view), reversed(d)). */
extern Type dict_keys_type, dict_values_type, dict_items_type;
extern Type dict_keyiterator_type, dict_valueiterator_type, dict_itemiterator_type;
extern Type dict_reversekeyiterator_type, dict_reversevalueiterator_type,
    dict_reverseitemiterator_type;

/* reversed(o) for a dict (its keys, last inserted first) or one of its views.
   NULL without an exception when o is none of these. */
Object *dict_reversed_iter(Object *o);
/* Install dict.fromkeys (a class method: MyDict.fromkeys makes a MyDict) in
   dict_type's dict. Call once after type_ready(&dict_type). 0 / -1. */
int dict_install_fromkeys(void);

#endif
