/* osinfo.c - os.uname() and os.confstr() (see osinfo.h): the kernel's
 * uname(2) record as a struct sequence, and the string-valued
 * configuration values of confstr(3) by name or number.
 */
#include "modules/osinfo.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/str.h"

static const char *const uname_fields[] = {
    "sysname", "nodename", "release", "version", "machine", NULL,
};

StructSeqType os_uname_result_type = STRUCTSEQ_TYPE_INIT("posix.uname_result", uname_fields);

static Object *os_uname(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("posix.uname", nargs, kwnames, 0, 0) < 0) return NULL;
    struct utsname u;
    if (uname(&u) < 0) return error_set_from_errno(errno, NULL);
    Object *v[5] = {str_from_cstr(u.sysname), str_from_cstr(u.nodename),
                    str_from_cstr(u.release), str_from_cstr(u.version),
                    str_from_cstr(u.machine)};
    Object *r = NULL;
    if (v[0] && v[1] && v[2] && v[3] && v[4]) r = structseq_new(&os_uname_result_type, v);
    for (int i = 0; i < 5; i++) XDECREF(v[i]);
    return r;
}

static const char *const terminal_size_fields[] = {"columns", "lines", NULL};

StructSeqType os_terminal_size_type =
    STRUCTSEQ_TYPE_INIT("os.terminal_size", terminal_size_fields);

/* os.get_terminal_size(fd=1): the window size of the terminal on fd. */
static Object *os_get_terminal_size(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self;
    int64_t fd = 1;
    if (args_check("get_terminal_size", nargs, kwnames, 0, 1) < 0 ||
        (nargs == 1 && int_as_i64(args[0], &fd) < 0))
        return NULL;
    if (fd < INT32_MIN || fd > INT32_MAX)
        return error_set(&exc_OverflowError, "Python int too large to convert to C int");
    struct winsize w;
    if (ioctl((int)fd, TIOCGWINSZ, &w) < 0) return error_set_from_errno(errno, NULL);
    Object *v[2] = {int_from_i64(w.ws_col), int_from_i64(w.ws_row)};
    Object *r = NULL;
    if (v[0] && v[1]) r = structseq_new(&os_terminal_size_type, v);
    XDECREF(v[0]);
    XDECREF(v[1]);
    return r;
}

/* The confstr names Toy knows (the ones glibc defines that a program is
   likely to ask for), with their numbers. */
static const struct {
    const char *name;
    int value;
} confstr_table[] = {
    {"CS_PATH", _CS_PATH},
    {"CS_GNU_LIBC_VERSION", _CS_GNU_LIBC_VERSION},
    {"CS_GNU_LIBPTHREAD_VERSION", _CS_GNU_LIBPTHREAD_VERSION},
    {NULL, 0},
};

/* The number for name (str or int), or -1 with an exception set. */
static int confstr_number(Object *name, int *out) {
    if (is_int(name)) {
        int64_t n;
        if (int_as_i64(name, &n) < 0) return -1;
        if (n < INT32_MIN || n > INT32_MAX) {
            error_set(&exc_OverflowError, "Python int too large to convert to C int");
            return -1;
        }
        *out = (int)n;
        return 0;
    }
    if (!is_str(name)) {
        error_set(&exc_TypeError, "configuration names must be strings or integers");
        return -1;
    }
    for (int i = 0; confstr_table[i].name; i++)
        if (strcmp(str_data(name), confstr_table[i].name) == 0) {
            *out = confstr_table[i].value;
            return 0;
        }
    error_set(&exc_ValueError, "unrecognized configuration name");
    return -1;
}

/* os.confstr(name): the value as a str, or None when the system has none. */
static Object *os_confstr(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    int number;
    if (args_check("posix.confstr", nargs, kwnames, 1, 1) < 0 ||
        confstr_number(args[0], &number) < 0)
        return NULL;
    errno = 0;
    size_t n = confstr(number, NULL, 0);
    if (n == 0) {
        if (errno) return error_set_from_errno(errno, NULL);
        return NEWREF(None);
    }
    char *buf = mem_alloc(n);
    if (!buf) return error_no_memory();
    confstr(number, buf, n);
    Object *r = str_from_cstr(buf);
    mem_free(buf, n);
    return r;
}

static const MethodDef osinfo_functions[] = {
    {"uname", os_uname, "The system's name, node, release, version and machine."},
    {"get_terminal_size", os_get_terminal_size, "The columns and lines of a terminal."},
    {"confstr", os_confstr, "A string-valued system configuration value."},
    {NULL, NULL, NULL},
};

static Object *make_confstr_names(void) {
    Object *d = dict_new();
    for (int i = 0; d && confstr_table[i].name; i++) {
        Object *n = int_from_i64(confstr_table[i].value);
        if (!n || dict_set_item_cstr(d, confstr_table[i].name, n) < 0) CLEAR(&d);
        XDECREF(n);
    }
    return d;
}

int osinfo_init(Object *m) {
    if (module_add_functions(m, osinfo_functions) < 0) return -1;
    Object *names = make_confstr_names();
    if (!names) return -1;
    int r = module_add_object(m, "confstr_names", names);
    DECREF(names);
    return r;
}
