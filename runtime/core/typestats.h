/* typestats.h - --stats=types: live and peak objects per type name.
 *
 * Off unless --stats=types is given; then object_alloc and object_free
 * report every heap object here (one well-predicted branch each when
 * off). Counts are kept per type *name* (a class that dies takes its
 * name with it: the name is copied), so two classes with the same name
 * share a line. A mutex protects the table: with --no-gil threads
 * allocate in parallel.
 */
#ifndef TOY_TYPESTATS_H
#define TOY_TYPESTATS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/object.h"

extern bool typestats_on;

void typestats_enable(void);
void typestats_alloc(Type *type);
void typestats_free(Type *type);
/* One line per type that ever had an object: name, live now, peak;
   the highest peaks first. */
void typestats_print(FILE *out);

#endif
