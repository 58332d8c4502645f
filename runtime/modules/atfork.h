/* atfork.h - os.register_at_fork and the running of its callables around
 * each fork (os.fork and multiprocessing's). Called with the GIL held. */
#ifndef TOY_ATFORK_H
#define TOY_ATFORK_H

#include "core/object.h"

/* Adds os.register_at_fork to the os module m. 0 / -1. */
int atfork_os_init(Object *m);

/* In the parent just before fork(): the `before` callables, newest first. */
void atfork_before(void);
/* After fork(), in the parent: the `after_in_parent` callables, oldest first. */
void atfork_after_in_parent(void);
/* In the child, once it is re-initialised: `after_in_child`, oldest first. */
void atfork_after_in_child(void);

#endif
