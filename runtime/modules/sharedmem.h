/* sharedmem.h - the _sharedmem module (sharedmem.c): blocks of memory that
 * forked processes share, under multiprocessing.Value, Array, RawValue,
 * RawArray (runtime/lib/multiprocessing/sharedctypes.toy) and
 * multiprocessing.shared_memory.SharedMemory (shared_memory.toy).
 *
 * A Block is one mmap'd region, MAP_SHARED: anonymous (children forked
 * after it was made see and write the same memory) or a POSIX shared
 * memory object under /dev/shm (any process may attach it by name). This
 * file is the one place in Toy that maps shared memory; objects themselves
 * never live there, only raw items (ints, floats, chars) that the Block's
 * get/set methods convert with ctypes' rules.
 */
#ifndef TOY_SHAREDMEM_H
#define TOY_SHAREDMEM_H

#include "core/object.h"

Object *sharedmem_module_init(void);  /* _sharedmem */
extern Type shared_block_type;        /* _sharedmem.Block */

#endif
