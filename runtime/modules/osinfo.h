/* osinfo.h - what the system says about itself, for the os module:
 * os.uname() (a struct sequence posix.uname_result), os.get_terminal_size()
 * and os.confstr(name)
 * with the table os.confstr_names. The platform module (runtime/lib/
 * platform.toy) is built on these.
 */
#ifndef TOY_OSINFO_H
#define TOY_OSINFO_H

#include "core/object.h"
#include "objects/structseq.h"

/* posix.uname_result(sysname=..., nodename=..., release=..., version=...,
   machine=...); listed in modules.c's module_types. */
extern StructSeqType os_uname_result_type;

/* os.terminal_size(columns=..., lines=...), from os.get_terminal_size(). */
extern StructSeqType os_terminal_size_type;

/* Add uname, get_terminal_size, confstr and confstr_names to the os module m. 0, or -1 with
   an exception set. */
int osinfo_init(Object *m);

#endif
