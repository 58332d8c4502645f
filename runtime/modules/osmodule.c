/* osmodule.c - the os module: process ids, the CPU count and affinity,
 * random bytes from the system (urandom), and the path constants of a POSIX
 * system, merged with uname and confstr from osinfo.c and with the file-system half from
 * osfile.c (getcwd, listdir, ..., os.environ, os.path). The module holds no
 * state beyond its namespace.
 *
 * CPython implements these in its `posix` module, which is why argument
 * errors name it: "posix.getpid() takes no arguments (1 given)".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* getppid, sched_getaffinity, getrandom */
#endif
#include <errno.h>
#include <sched.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/alloc.h"

#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/set.h"
#include "objects/str.h"
#include "modules/builtins.h"
#include "modules/osfile.h"
#include "modules/osinfo.h"
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

/* The CPUs the process pid (0: this one) may run on, as a set of ints. */
static Object *os_sched_getaffinity(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self;
    int64_t pid;
    if (args_check("posix.sched_getaffinity", nargs, kwnames, 1, 1) < 0 ||
        int_as_i64(args[0], &pid) < 0)
        return NULL;
    if (pid > INT32_MAX || pid < INT32_MIN)
        return error_set(&exc_OverflowError, "Python int too large to convert to C int");
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    if (sched_getaffinity((pid_t)pid, sizeof cpus, &cpus) < 0)
        return error_set_from_errno(errno, NULL);
    Object *set = set_new(NULL);
    for (int cpu = 0; set && cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &cpus)) continue;
        Object *n = int_from_i64(cpu);
        if (!n || set_add(set, n) < 0) CLEAR(&set);
        XDECREF(n);
    }
    return set;
}

/* n bytes from the kernel's random source (getrandom, blocking only until
   it has been seeded at boot). */
static Object *os_urandom(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    int64_t n;
    if (args_check("posix.urandom", nargs, kwnames, 1, 1) < 0 || int_as_i64(args[0], &n) < 0)
        return NULL;
    if (n < 0) return error_set(&exc_ValueError, "negative argument not allowed");
    char *buf = mem_alloc(n ? (size_t)n : 1);
    if (!buf) return error_no_memory();
    size_t got = 0;
    while (got < (size_t)n) {
        ssize_t r = getrandom(buf + got, (size_t)n - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            mem_free(buf, n ? (size_t)n : 1);
            return error_set_from_errno(errno, NULL);
        }
        got += (size_t)r;
    }
    Object *b = bytes_from_data(buf, (size_t)n);
    mem_free(buf, n ? (size_t)n : 1);
    return b;
}

static const MethodDef os_functions[] = {
    {"getpid", os_getpid, NULL},
    {"getppid", os_getppid, NULL},
    {"cpu_count", os_cpu_count, NULL},
    {"sched_getaffinity", os_sched_getaffinity, "The set of CPUs the process may run on."},
    {"urandom", os_urandom, "n bytes from the kernel's random source, fit for cryptography."},
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
        osinfo_init(m) < 0 ||
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
