/* sysmodule.c - the sys module: argv, exit, getrefcount, getsizeof, the
 * recursion limit, and constants describing the platform and the
 * interpreter (version_info and float_info are struct sequences,
 * implementation a simple namespace).
 *
 * sys.setswitchinterval / getswitchinterval read and write the GIL's switch
 * interval (gil.h); sys._is_gil_enabled() is False under --no-gil.
 * sys.setcheckinterval / getcheckinterval, Python 2's (removed in 3.9), set
 * how many switch points the ticks policy runs between releases (--gil=ticks).
 *
 * sys is created on first import (modules.c's table) and cached in
 * interp.modules like any module. Its `modules` attribute is interp.modules
 * itself, a reference cycle that main's teardown breaks by clearing every
 * module's dict.
 *
 * sys.stdin / stdout / stderr are file objects over C stdio's streams
 * (fileobject.h), so their output interleaves correctly with print().
 *
 * The command-line arguments are handed over by main before any Toy code runs
 * (sys_set_argv) and kept as borrowed C strings: they are set once at start-up
 * and read-only afterwards, so no lock is needed. So is sys.path[0]
 * (sys_set_path0). sys.path is an ordinary list that the import system reads
 * from this module at every search, so programs may change or replace it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* readlink */
#endif
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <unistd.h>

#include "core/gil.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/fileobject.h"
#include "objects/float.h"
#include "objects/immortal.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/namespace.h"
#include "objects/objectmethods.h"
#include "objects/set.h"
#include "objects/str.h"
#include "objects/structseq.h"
#include "objects/tuple.h"
#include "modules/builtins.h"
#include "interp/vm.h"

/* Set once by main (sys_set_argv) before Toy code runs; read-only after. */
static int saved_argc;
static char **saved_argv;

void sys_set_argv(int argc, char **argv) {
    saved_argc = argc;
    saved_argv = argv;
}

static const char *saved_path0 = "";

void sys_set_path0(const char *path0) { saved_path0 = path0; }

/* sys.path: just the script's folder (Toy has no installed library folders). */
static Object *make_path(void) {
    Object *list = list_new(0);
    Object *p0 = list ? str_from_cstr(saved_path0) : NULL;
    if (!p0 || list_append_steal(list, p0) < 0) {
        XDECREF(list);
        return NULL;
    }
    return list;
}

static Object *make_argv(void) {
    Object *list = list_new(0);
    if (!list) return NULL;
    for (int i = 0; i < saved_argc; i++) {
        /* Arguments that are not valid UTF-8 are not supported: Python would
           use surrogate escapes, which Toy's strings cannot hold. */
        Object *s = str_from_cstr(saved_argv[i]);
        if (!s || list_append_steal(list, s) < 0) {
            DECREF(list);
            return NULL;
        }
    }
    return list;
}

/* ---- Functions ---------------------------------------------------------------- */

Object *sys_exit_raise(Object *code) {
    Object *args = code ? tuple_pack(1, code) : tuple_new(0);
    if (!args) return NULL;
    Object *exc = exception_new(&exc_SystemExit, args);
    DECREF(args);
    if (!exc) return NULL;
    error_set_instance(exc);
    DECREF(exc);
    return NULL;
}

static Object *sys_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("exit", nargs, kwnames, 0, 1) < 0) return NULL;
    return sys_exit_raise(nargs ? args[0] : NULL);
}

/* The argument is borrowed from the caller's value stack, so the count seen
   here includes that reference, as CPython's does: x = []; getrefcount(x) is 2. */
static Object *sys_getrefcount(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("sys.getrefcount", nargs, kwnames, 1, 1) < 0) return NULL;
    return int_from_i64((int64_t)REFCNT(args[0]));
}

/* sys._is_immortal(obj), as CPython 3.13 has it: True for the static
   objects (None, True, False, small ints, built-in types) and for what
   gc.freeze(immortal=True) made immortal. Toy's small ints run from -5 to
   1024 (CPython's to 256), so _is_immortal(1000) is True here. */
static Object *sys_is_immortal(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("sys._is_immortal", nargs, kwnames, 1, 1) < 0) return NULL;
    return bool_from(object_is_immortal(args[0]));
}

static Object *sys_getrecursionlimit(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    (void)self; (void)args;
    if (args_check("sys.getrecursionlimit", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64(interp.recursion_limit);
}

static Object *sys_setrecursionlimit(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    (void)self;
    if (args_check("sys.setrecursionlimit", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t limit;
    if (object_as_index(args[0], &limit, NULL) < 0) return NULL;
    if (limit > INT_MAX || limit < INT_MIN)
        return error_set(&exc_OverflowError, "Python int too large to convert to C int");
    if (limit < 1)
        return error_set(&exc_ValueError, "recursion limit must be greater or equal than 1");
    int depth = ts_get()->recursion_depth;
    if (depth >= limit)
        return error_set(&exc_RecursionError,
                         "cannot set the recursion limit to %d at the recursion depth %d: "
                         "the limit is too low", (int)limit, depth);
    interp.recursion_limit = (int)limit;
    return NEWREF(None);
}

static Object *sys_intern(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("intern", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!is_str(args[0]))
        return error_set(&exc_TypeError, "intern() argument must be str, not %s",
                         TYPE_NAME(args[0]));
    return str_intern(args[0]);
}

/* The switch interval is kept by the GIL in nanoseconds; Python counts it in
   whole microseconds, so both directions truncate to microseconds, as
   CPython does (setswitchinterval(0.0001) reads back 9.999999999999999e-05).
   Below 1 µs the GIL uses 1 µs, where CPython would report 0.0. */
static Object *sys_setswitchinterval(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    (void)self;
    if (args_check("sys.setswitchinterval", nargs, kwnames, 1, 1) < 0) return NULL;
    double seconds;
    if (float_as_double(args[0], &seconds) < 0) return NULL;
    if (!(seconds > 0.0))
        return error_set(&exc_ValueError, "switch interval must be strictly positive");
    double micros = 1e6 * seconds;
    if (micros > 1e15) micros = 1e15; /* about 30 years: keeps the GIL's ns in range */
    gil_set_interval((double)(long long)micros / 1e6);
    return NEWREF(None);
}

static Object *sys_getswitchinterval(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    (void)self; (void)args;
    if (args_check("sys.getswitchinterval", nargs, kwnames, 0, 0) < 0) return NULL;
    long long micros = llround(gil_get_interval() * 1e6);
    return float_from_double(1e-6 * (double)micros);
}

/* sys.exception(): the exception being handled (an except block, here or
   in a caller), or None. */
static Object *sys_exception(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("sys.exception", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *e = ts_get()->handled_exc;
    return NEWREF(e ? e : None);
}

/* sys.exc_info(): (type, value, traceback) of that exception, or three Nones. */
static Object *sys_exc_info(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("sys.exc_info", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *e = ts_get()->handled_exc;
    if (!e) return tuple_pack(3, None, None, None);
    Object *tb = object_getattr_cstr(e, "__traceback__");
    Object *r = tb ? tuple_pack(3, (Object *)TYPE(e), e, tb) : NULL;
    XDECREF(tb);
    return r;
}

/* Python 2's check interval, for --gil=ticks: the number of switch points
   between two releases of the lock (values below 1 act as 1). */
static Object *sys_setcheckinterval(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self;
    if (args_check("sys.setcheckinterval", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t n;
    if (object_as_index(args[0], &n, NULL) < 0) return NULL;
    gil_set_check_interval(n);
    return NEWREF(None);
}

static Object *sys_getcheckinterval(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self; (void)args;
    if (args_check("sys.getcheckinterval", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64(gil_get_check_interval());
}

/* sys._is_gil_enabled(): False under --no-gil (the name CPython 3.13 uses). */
static Object *sys_is_gil_enabled(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    (void)self; (void)args;
    if (args_check("_is_gil_enabled", nargs, kwnames, 0, 0) < 0) return NULL;
    return bool_from(gil_enabled());
}

static Object *sys_get_int_max_str_digits(Object *self, Object *const *args, size_t nargs,
                                          Object *kwnames) {
    (void)self; (void)args;
    if (args_check("sys.get_int_max_str_digits", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64(int_max_str_digits);
}

/* The limit on decimal digits in str(int) and int(str) (int.c checks it). */
static Object *sys_set_int_max_str_digits(Object *self, Object *const *args, size_t nargs,
                                          Object *kwnames) {
    (void)self;
    static const char *const names[] = {"maxdigits", NULL};
    Object *a[1];
    if (args_parse("set_int_max_str_digits", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    int64_t limit;
    if (object_as_index(a[0], &limit, NULL) < 0) return NULL;
    if (limit != 0 && limit < 640)
        return error_set(&exc_ValueError, "maxdigits must be 0 or larger than 640");
    int_max_str_digits = limit;
    return NEWREF(None);
}

/* ---- getsizeof: Toy's own sizes ---- */

/* What a class's __sizeof__ returned, as a size: -1 with the error. */
static int64_t checked_sizeof(Object *r) {
    if (!is_int(r)) {
        error_set(&exc_TypeError, "an integer is required");
        return -1;
    }
    int64_t n;
    if (int_as_i64(r, &n) < 0) return -1;
    if (n < 0) {
        error_set(&exc_ValueError, "__sizeof__() should return >= 0");
        return -1;
    }
    return n;
}

/* sys.getsizeof(object, default): a class's __sizeof__ when it defines
   one, else the size of the built-in layout. */
static Object *sys_getsizeof(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    static const char *const names[] = {"object", "default", NULL};
    Object *a[2];
    if (args_parse("getsizeof", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    if (!type_lookup_cstr(TYPE(a[0]), "__sizeof__"))
        return int_from_i64((int64_t)object_sizeof(a[0]));
    Object *r = object_call_method(a[0], "__sizeof__", NULL, 0);
    int64_t n = r ? checked_sizeof(r) : -1;
    XDECREF(r);
    if (n >= 0) return int_from_i64(n);
    if (a[1] && error_matches(&exc_TypeError)) {
        error_clear();
        return NEWREF(a[1]);
    }
    return NULL;
}

/* sys._getframemodulename(depth=0), as CPython 3.12's: the __name__ in the
   globals of the calling frame, or of the one depth calls above it; None
   when there is no such frame. (namedtuple uses it to set __module__.) */
static Object *sys_getframemodulename(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    (void)self;
    static const char *const names[] = {"depth", NULL};
    Object *a[1];
    if (args_parse("_getframemodulename", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    int64_t depth = 0;
    if (a[0] && object_as_index(a[0], &depth, NULL) < 0) return NULL;
    Frame *f = vm_current_frame();
    for (; f && depth > 0; depth--) f = f->back;
    Object *name = f ? dict_get_item_cstr(f->globals, "__name__") : NULL;
    if (!name && error_occurred()) return NULL;
    return NEWREF(name ? name : None);
}

static const MethodDef sys_functions[] = {
    {"_getframemodulename", sys_getframemodulename, NULL},
    {"getsizeof", sys_getsizeof, "The bytes an object occupies in Toy (a class may say with __sizeof__)."},
    {"get_int_max_str_digits", sys_get_int_max_str_digits, NULL},
    {"set_int_max_str_digits", sys_set_int_max_str_digits, NULL},
    {"exit", sys_exit, NULL},
    {"getrefcount", sys_getrefcount, NULL},
    {"_is_immortal", sys_is_immortal, NULL},
    {"getrecursionlimit", sys_getrecursionlimit, NULL},
    {"setrecursionlimit", sys_setrecursionlimit, NULL},
    {"intern", sys_intern, NULL},
    {"setswitchinterval", sys_setswitchinterval, NULL},
    {"getswitchinterval", sys_getswitchinterval, NULL},
    {"setcheckinterval", sys_setcheckinterval, NULL},
    {"exception", sys_exception, NULL},
    {"exc_info", sys_exc_info, NULL},
    {"getcheckinterval", sys_getcheckinterval, NULL},
    {"_is_gil_enabled", sys_is_gil_enabled, NULL},
    {NULL, NULL, NULL},
};

/* ---- Constants ------------------------------------------------------------------ */

/* Add name = value to m, stealing value (NULL: the creation failed). */
static int add_steal(Object *m, const char *name, Object *value) {
    if (!value) return -1;
    int r = module_add_object(m, name, value);
    DECREF(value);
    return r;
}

/* sys.executable: the interpreter's own path, or '' when unknown. */
static Object *make_executable(void) {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    return str_from_utf8(buf, n > 0 ? (size_t)n : 0);
}

/* ---- version_info, float_info, implementation ---- */

/* The Python version Toy follows (sys.version says "3.11.0 (Toy 0.1.0)"),
   and Toy's own, which interp/main.c prints for --version: keep them in
   step. */
#define PYTHON_MAJOR 3
#define PYTHON_MINOR 11
#define PYTHON_MICRO 0
#define TOY_MAJOR 0
#define TOY_MINOR 1
#define TOY_MICRO 0

/* sys.hexversion's layout: 0xMMmmuuLS, L = 0xf for a final release. */
#define HEXVERSION(major, minor, micro) (((major) << 24) | ((minor) << 16) | ((micro) << 8) | 0xf0)

static const char *const version_info_fields[] = {
    "major", "minor", "micro", "releaselevel", "serial", NULL,
};
StructSeqType sys_version_info_type = STRUCTSEQ_TYPE_INIT("sys.version_info",
                                                          version_info_fields);

static const char *const float_info_fields[] = {
    "max", "max_exp", "max_10_exp", "min", "min_exp", "min_10_exp",
    "dig", "mant_dig", "epsilon", "radix", "rounds", NULL,
};
StructSeqType sys_float_info_type = STRUCTSEQ_TYPE_INIT("sys.float_info", float_info_fields);

/* A struct sequence of n new values (stolen; NULL: one failed). */
static Object *structseq_steal(StructSeqType *type, Object **values, size_t n) {
    Object *r = NULL;
    bool ok = true;
    for (size_t i = 0; i < n; i++) ok &= values[i] != NULL;
    if (ok) r = structseq_new(type, values);
    for (size_t i = 0; i < n; i++) XDECREF(values[i]);
    return r;
}

static Object *make_version(int major, int minor, int micro) {
    Object *v[5] = {int_from_i64(major), int_from_i64(minor), int_from_i64(micro),
                    str_from_cstr("final"), int_from_i64(0)};
    return structseq_steal(&sys_version_info_type, v, 5);
}

static Object *make_version_info(void) {
    return make_version(PYTHON_MAJOR, PYTHON_MINOR, PYTHON_MICRO);
}

static Object *make_float_info(void) {
    Object *v[11] = {
        float_from_double(DBL_MAX), int_from_i64(DBL_MAX_EXP), int_from_i64(DBL_MAX_10_EXP),
        float_from_double(DBL_MIN), int_from_i64(DBL_MIN_EXP), int_from_i64(DBL_MIN_10_EXP),
        int_from_i64(DBL_DIG), int_from_i64(DBL_MANT_DIG), float_from_double(DBL_EPSILON),
        int_from_i64(FLT_RADIX), int_from_i64(FLT_ROUNDS),
    };
    return structseq_steal(&sys_float_info_type, v, 11);
}

/* sys.implementation: name 'toy'; no cache_tag, as Toy writes no
   compiled files; version and hexversion are Toy's own. */
static Object *make_implementation(void) {
    Object *attrs = dict_new();
    Object *name = str_from_cstr("toy");
    Object *version = make_version(TOY_MAJOR, TOY_MINOR, TOY_MICRO);
    Object *hex = int_from_i64(HEXVERSION(TOY_MAJOR, TOY_MINOR, TOY_MICRO));
    Object *ns = NULL;
    if (attrs && name && version && hex && dict_set_item_cstr(attrs, "name", name) == 0 &&
        dict_set_item_cstr(attrs, "cache_tag", None) == 0 &&
        dict_set_item_cstr(attrs, "version", version) == 0 &&
        dict_set_item_cstr(attrs, "hexversion", hex) == 0)
        ns = namespace_new(attrs);
    XDECREF(attrs);
    XDECREF(name);
    XDECREF(version);
    XDECREF(hex);
    return ns;
}

/* sys.stdin, sys.stdout, sys.stderr and their __xxx__ originals (print()
   recognises the original sys.stdout and writes to C stdout directly). */
static int add_std_streams(Object *m) {
    static const char *const names[3][2] = {
        {"stdin", "__stdin__"}, {"stdout", "__stdout__"}, {"stderr", "__stderr__"},
    };
    for (int fd = 0; fd < 3; fd++) {
        Object *f = file_std_stream(fd);
        if (!f) return -1;
        int r = module_add_object(m, names[fd][0], f) < 0 ? -1 : module_add_object(m, names[fd][1], f);
        DECREF(f);
        if (r < 0) return -1;
    }
    return 0;
}

static int add_constants(Object *m) {
    const uint16_t probe = 1;
    const char *byteorder = *(const uint8_t *)&probe ? "little" : "big";
    if (add_steal(m, "argv", make_argv()) < 0 ||
        add_steal(m, "path", make_path()) < 0 ||
        add_steal(m, "maxsize", int_from_i64(INT64_MAX)) < 0 ||
        add_steal(m, "platform", str_from_cstr("linux")) < 0 ||
        add_steal(m, "byteorder", str_from_cstr(byteorder)) < 0 ||
        add_steal(m, "version", str_from_cstr("3.11.0 (Toy 0.1.0)")) < 0 ||
        add_steal(m, "version_info", make_version_info()) < 0 ||
        add_steal(m, "hexversion",
                  int_from_i64(HEXVERSION(PYTHON_MAJOR, PYTHON_MINOR, PYTHON_MICRO))) < 0 ||
        add_steal(m, "float_info", make_float_info()) < 0 ||
        add_steal(m, "implementation", make_implementation()) < 0 ||
        add_steal(m, "executable", make_executable()) < 0)
        return -1;
    if (interp.modules && module_add_object(m, "modules", interp.modules) < 0) return -1;
    return add_std_streams(m);
}

Object *sys_module_init(void) {
    Object *m = module_new("sys");
    if (!m) return NULL;
    if (module_add_functions(m, sys_functions) < 0 || add_constants(m) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
