/* iomodule.h - the io module (iomodule.c): StringIO, BytesIO, open and the
 * names of the file types. */
#ifndef TOY_IOMODULE_H
#define TOY_IOMODULE_H

#include "core/object.h"

/* A new io module. */
Object *io_module_init(void);

#endif
