/* collectionsmodule.c - the _collections module: the types of `collections`
 * that are written in C for speed (deque, in dequeobject.c). */
#include "core/refcount.h"
#include "objects/module.h"
#include "modules/collectionsmodule.h"

Object *collections_module_init(void) {
    Object *m = module_new("_collections");
    if (!m) return NULL;
    if (module_add_object(m, "deque", (Object *)&deque_type) < 0 ||
        module_add_object(m, "_deque_iterator", (Object *)&deque_iterator_type) < 0 ||
        module_add_object(m, "_deque_reverse_iterator", (Object *)&deque_reverse_iterator_type) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
