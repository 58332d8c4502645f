/* modules.c - the C modules that `import` can create, and the static types
 * they define.
 *
 * module_import (interp/import.c) looks a name up here when it is not yet in
 * interp.modules, calls the init function once, and caches the module. Each
 * init function returns a new module object. Modules written in Toy
 * (runtime/lib/) are not listed: the import system finds them itself.
 */
#include "modules/arraymodule.h"
#include "modules/collectionsmodule.h"
#include "modules/atexitmodule.h"
#include "modules/bisectmodule.h"
#include "modules/gcmodule.h"
#include "modules/builtins.h"
#include "modules/cmathmodule.h"
#include "modules/iomodule.h"
#include "modules/jsonmodule.h"
#include "modules/itertoolsmodule.h"
#include "modules/mathmodule.h"
#include "modules/modules.h"
#include "modules/nativemodule.h"
#include "modules/operatormodule.h"
#include "modules/osinfo.h"
#include "modules/process.h"
#include "modules/randommodule.h"
#include "modules/sharedmem.h"
#include "modules/socket.h"
#include "modules/structmodule.h"
#include "modules/thread.h"
#include "modules/weakrefmodule.h"

const BuiltinModuleDef builtin_modules[] = {
    {"builtins", builtins_module_init},
    {"sys", sys_module_init},
    {"time", time_module_init},
    {"os", os_module_init},
    {"_thread", thread_module_init},
    {"native", native_module_init},
    {"_multiprocessing", mp_module_init},
    {"signal", signal_module_init},
    {"_operator", operator_module_init},
    {"_bisect", bisect_module_init},
    {"_itertools", itertools_module_init},
    {"math", math_module_init},
    {"cmath", cmath_module_init},
    {"_random", random_module_init},
    {"_heapq", heapq_module_init},
    {"struct", struct_module_init},
    {"array", array_module_init},
    {"gc", gc_module_init},
    {"_collections", collections_module_init},
    {"io", io_module_init},
    {"_json", json_module_init},
    {"_sharedmem", sharedmem_module_init},
    {"socket", socket_module_init},
    {"select", select_module_init},
    {"_weakref", weakref_module_init},
    {"atexit", atexit_module_init},
    {NULL, NULL},
};

Type *const module_types[] = {
    &lock_type, &localkey_type,
    &combinatoric_type,
    &mp_child_type, &mp_connection_type, &mp_channel_type, &mp_semlock_type,
    &random_type,
    &sys_version_info_type.type, &sys_float_info_type.type, &os_uname_result_type.type,
    &os_terminal_size_type.type,
    &struct_type, &unpack_iterator_type, &array_type, &array_iterator_type,
    &deque_type, &deque_iterator_type, &deque_reverse_iterator_type,
    &shared_block_type,
    &socket_type, &socketfile_text_type, &socketfile_reader_type, &socketfile_writer_type,
    &socketfile_rwpair_type,
    NULL,
};
