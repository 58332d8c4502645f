/* osmodule.c - the os module: process ids, the CPU count and the path
 * constants of a POSIX system, merged with the file-system half from
 * osfile.c (getcwd, listdir, ..., os.environ, os.path). The module holds no
 * state beyond its namespace.
 *
 * CPython implements these in its `posix` module, which is why argument
 * errors name it: "posix.getpid() takes no arguments (1 given)".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* getppid */
#endif
#include <unistd.h>

#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/str.h"
#include "modules/builtins.h"
#include "modules/osfile.h"
#include "modules/process.h"

static Object *os_getpid(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("posix.getpid", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64((int64_t)getpid());
}

static Object *os_getppid(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("posix.getppid", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64((int64_t)getppid());
}

/* The number of online CPUs, or None when it cannot be known. */
static Object *os_cpu_count(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("posix.cpu_count", nargs, kwnames, 0, 0) < 0) return NULL;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? int_from_i64(n) : NEWREF(None);
}

static const MethodDef os_functions[] = {
    {"getpid", os_getpid, NULL},
    {"getppid", os_getppid, NULL},
    {"cpu_count", os_cpu_count, NULL},
    {NULL, NULL, NULL},
};

/* Add name = value to m, stealing value (NULL: its creation failed). */
static int add_steal(Object *m, const char *name, Object *value) {
    if (!value) return -1;
    int r = module_add_object(m, name, value);
    DECREF(value);
    return r;
}

/* os.path is the module "posixpath". Like CPython, list it in sys.modules
   (as "posixpath" and "os.path"): teardown clears the dicts of the modules
   listed there, which breaks the module <-> function cycle of its functions. */
static Object *make_path_module(void) {
    Object *path = ospath_module_init();
    if (!path || !interp.modules) return path;
    if (dict_set_item_cstr(interp.modules, "posixpath", path) < 0 ||
        dict_set_item_cstr(interp.modules, "os.path", path) < 0)
        CLEAR(&path);
    return path;
}

Object *os_module_init(void) {
    Object *m = module_new("os");
    if (!m) return NULL;
    if (module_add_functions(m, os_functions) < 0 ||
        module_add_functions(m, osfile_functions) < 0 ||
        process_os_init(m) < 0 ||
        add_steal(m, "name", str_from_cstr("posix")) < 0 ||
        add_steal(m, "sep", str_from_cstr("/")) < 0 ||
        add_steal(m, "linesep", str_from_cstr("\n")) < 0 ||
        add_steal(m, "environ", osfile_environ()) < 0 ||
        add_steal(m, "path", make_path_module()) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
