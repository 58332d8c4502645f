/* osfile.c - file-system functions of the os module, the os.path module
 * ("posixpath"), os.environ, and errno -> OSError subclass mapping.
 *
 * Invariants:
 *   - Every failing system call raises through error_set_from_errno with the
 *     path argument as given (str or bytes) as filename, so messages read as
 *     CPython's: "[Errno 2] No such file or directory: 'x.txt'".
 *   - The os.path functions are pure string operations on str paths (POSIX
 *     rules, as CPython's posixpath) except exists/isfile/isdir/getsize/
 *     abspath, which ask the system. Bytes paths are accepted by the os
 *     functions, not by the os.path string operations.
 *   - Nothing here keeps state between calls; os.environ is a plain dict built
 *     once when the os module is created (changing it does not call setenv).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "objects/fileobject.h"
#include "modules/osfile.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/str.h"
#include "objects/tuple.h"

extern char **environ;

/* A str-only path of the os.path string functions. */
static int str_path_arg(Object *o) {
    if (is_str(o)) return 0;
    error_set(&exc_TypeError, "expected str, bytes or os.PathLike object, not %s",
              o == None ? "NoneType" : TYPE_NAME(o));
    return -1;
}

/* Call the libc function behind a one-path os function: 0 ok, else raise. */
static Object *path_call(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                         int (*sys_call)(const char *)) {
    static const char *const names[] = {"path", NULL};
    Object *path;
    const char *p;
    if (args_parse(fname, args, nargs, kwnames, names, 1, &path) < 0 ||
        fspath_arg(fname, path, &p) < 0)
        return NULL;
    if (sys_call(p) < 0) return error_set_from_errno(errno, path);
    return NEWREF(None);
}

/* ---- os functions ------------------------------------------------------------------ */

static Object *os_getcwd(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("posix.getcwd", nargs, kwnames, 0, 0) < 0) return NULL;
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof buf)) return error_set_from_errno(errno, NULL);
    return str_from_utf8(buf, strlen(buf)); /* file names are UTF-8 on Toy's systems */
}

/* The entries of an open directory, in directory order, without . and .. */
static int read_dir_entries(DIR *d, Object *list, bool as_bytes) {
    struct dirent *e;
    errno = 0;
    /* The GIL is kept: readdir of a local directory does not block. */
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) continue;
        Object *name = as_bytes ? bytes_from_data(n, strlen(n)) : str_from_cstr(n);
        if (!name || list_append_steal(list, name) < 0) return -1;
        errno = 0;
    }
    return errno ? -1 : 0;
}

static Object *os_listdir(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    static const char *const names[] = {"path", NULL};
    Object *path = NULL;
    const char *p = ".";
    if (args_parse("listdir", args, nargs, kwnames, names, 0, &path) < 0) return NULL;
    if (path == None) path = NULL;
    if (path && !is_str(path) && !is_bytes(path))
        return error_set(&exc_TypeError,
                         "listdir: path should be string, bytes, os.PathLike, integer or None, not %s",
                         TYPE_NAME(path));
    if (path && fspath_arg("listdir", path, &p) < 0) return NULL;
    DIR *d = opendir(p);
    if (!d) return error_set_from_errno(errno, path ? path : NULL);
    Object *list = list_new(0);
    if (list && read_dir_entries(d, list, path && is_bytes(path)) < 0) {
        if (!error_occurred()) error_set_from_errno(errno, path);
        CLEAR(&list);
    }
    closedir(d);
    return list;
}

static int sys_remove(const char *p) { return unlink(p); }
static int sys_rmdir(const char *p) { return rmdir(p); }

static Object *os_remove(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return path_call("remove", args, nargs, kwnames, sys_remove);
}

static Object *os_unlink(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return path_call("unlink", args, nargs, kwnames, sys_remove);
}

static Object *os_rmdir(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return path_call("rmdir", args, nargs, kwnames, sys_rmdir);
}

static Object *os_rename(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    static const char *const names[] = {"src", "dst", NULL};
    Object *a[2];
    const char *src, *dst;
    if (args_parse("rename", args, nargs, kwnames, names, 2, a) < 0 ||
        fspath_arg("rename", a[0], &src) < 0 || fspath_arg("rename", a[1], &dst) < 0)
        return NULL;
    if (rename(src, dst) < 0) return error_set_from_errno2(errno, a[0], a[1]);
    return NEWREF(None);
}

/* The mode argument of mkdir / makedirs (default 0o777). */
static int mode_arg(Object *o, mode_t *out) {
    int64_t v = 0777;
    if (o && object_as_index(o, &v, NULL) < 0) return -1;
    *out = (mode_t)v;
    return 0;
}

static Object *os_mkdir(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    static const char *const names[] = {"path", "mode", NULL};
    Object *a[2];
    const char *p;
    mode_t mode;
    if (args_parse("mkdir", args, nargs, kwnames, names, 1, a) < 0 ||
        fspath_arg("mkdir", a[0], &p) < 0 || mode_arg(a[1], &mode) < 0)
        return NULL;
    if (mkdir(p, mode) < 0) return error_set_from_errno(errno, a[0]);
    return NEWREF(None);
}

static bool is_directory(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir -p of buf (modified in place while walking it): each missing parent
   first, then the leaf. Returns 0 or the errno of the leaf's failure. */
static int make_dirs(char *buf, mode_t mode) {
    for (char *s = buf + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST) {
            int err = errno;
            *s = '/';
            return err;
        }
        *s = '/';
    }
    return mkdir(buf, mode) < 0 ? errno : 0;
}

static Object *os_makedirs(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    static const char *const names[] = {"name", "mode", "exist_ok", NULL};
    Object *a[3];
    const char *p;
    mode_t mode;
    if (args_parse("makedirs", args, nargs, kwnames, names, 1, a) < 0 ||
        fspath_arg("makedirs", a[0], &p) < 0 || mode_arg(a[1], &mode) < 0)
        return NULL;
    int exist_ok = a[2] ? object_truth(a[2]) : 0;
    if (exist_ok < 0) return NULL;
    size_t n = strlen(p);
    char *buf = mem_alloc(n + 1);
    if (!buf) return error_no_memory();
    memcpy(buf, p, n + 1);
    while (n > 1 && buf[n - 1] == '/') buf[--n] = '\0'; /* "a/b/" makes "a/b" */
    int err = make_dirs(buf, mode);
    mem_free(buf, strlen(p) + 1);
    if (err == EEXIST && exist_ok && is_directory(p)) err = 0;
    if (err) return error_set_from_errno(err, a[0]);
    return NEWREF(None);
}

/* getenv(key, default=None): os.environ (the module's dict, which the
   program may have changed) first, the process environment otherwise. */
static Object *os_getenv(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"key", "default", NULL};
    Object *a[2];
    if (args_parse("getenv", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    if (!is_str(a[0])) return error_set(&exc_TypeError, "str expected, not %s", TYPE_NAME(a[0]));
    Object *dflt = a[1] ? a[1] : None;
    Object *env = self && is_module(self) ? dict_get_item_cstr(module_dict(self), "environ") : NULL;
    if (env && is_dict(env)) {
        Object *v = dict_get_item(env, a[0]);
        if (v) return NEWREF(v);
        return error_occurred() ? NULL : NEWREF(dflt);
    }
    if (error_occurred()) return NULL;
    const char *v = getenv(str_data(a[0]));
    return v ? str_from_cstr(v) : NEWREF(dflt);
}

const MethodDef osfile_functions[] = {
    {"getcwd", os_getcwd, "Return the current working directory."},
    {"listdir", os_listdir, "The names of a directory's entries, in directory order."},
    {"remove", os_remove, NULL},
    {"unlink", os_unlink, NULL},
    {"rmdir", os_rmdir, NULL},
    {"rename", os_rename, NULL},
    {"mkdir", os_mkdir, NULL},
    {"makedirs", os_makedirs, NULL},
    {"getenv", os_getenv, NULL},
    {NULL, NULL, NULL},
};

/* Environment text is taken as UTF-8; a variable that is not valid UTF-8 is
   skipped rather than making the os module fail to import. */
Object *osfile_environ(void) {
    Object *d = dict_new();
    if (!d) return NULL;
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq || eq == *e) continue;
        Object *k = bytes_decode(CODEC_UTF8, *e, (size_t)(eq - *e), NULL);
        Object *v = k ? bytes_decode(CODEC_UTF8, eq + 1, strlen(eq + 1), NULL) : NULL;
        int r = v ? dict_set_item(d, k, v) : 0;
        XDECREF(k);
        XDECREF(v);
        if (!v) error_clear(); /* undecodable: skip */
        if (r < 0) {
            DECREF(d);
            return NULL;
        }
    }
    return d;
}

/* ---- os.path: string operations --------------------------------------------------- */

static Object *path_join(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (kwnames && tuple_size(kwnames))
        return error_set(&exc_TypeError, "join() takes no keyword arguments");
    if (nargs == 0) return error_set(&exc_TypeError, "join() missing 1 required positional argument: 'a'");
    if (str_path_arg(args[0]) < 0) return NULL;
    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_str(&b, args[0]);
    for (size_t i = 1; i < nargs; i++) {
        Object *p = args[i];
        if (!is_str(p)) {
            str_builder_discard(&b);
            return error_set(&exc_TypeError,
                             "join() argument must be str, bytes, or os.PathLike object, not '%s'",
                             TYPE_NAME(p));
        }
        if (str_data(p)[0] == '/') b.len = 0;  /* an absolute part restarts the path */
        else if (b.len && b.data[b.len - 1] != '/') str_builder_add_char(&b, '/');
        str_builder_add_str(&b, p);
    }
    return str_builder_finish(&b);
}

/* Offset just past the last '/' of p (0 when there is none). */
static size_t after_last_sep(Object *p) {
    const char *s = str_data(p);
    const char *slash = strrchr(s, '/');
    return slash ? (size_t)(slash - s) + 1 : 0;
}

/* The head of split(): p[:i] without trailing slashes, unless all slashes. */
static Object *path_head(Object *p, size_t i) {
    const char *s = str_data(p);
    size_t n = i;
    while (n > 0 && s[n - 1] == '/') n--;
    return str_from_utf8(s, n ? n : i);
}

static int one_str_arg(const char *fname, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check(fname, nargs, kwnames, 1, 1) < 0) return -1;
    return str_path_arg(args[0]);
}

static Object *path_basename(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (one_str_arg("basename", args, nargs, kwnames) < 0) return NULL;
    size_t i = after_last_sep(args[0]);
    return str_from_utf8(str_data(args[0]) + i, str_len(args[0]) - i);
}

static Object *path_dirname(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (one_str_arg("dirname", args, nargs, kwnames) < 0) return NULL;
    return path_head(args[0], after_last_sep(args[0]));
}

static Object *path_split(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (one_str_arg("split", args, nargs, kwnames) < 0) return NULL;
    size_t i = after_last_sep(args[0]);
    Object *head = path_head(args[0], i);
    Object *tail = head ? str_from_utf8(str_data(args[0]) + i, str_len(args[0]) - i) : NULL;
    Object *r = tail ? tuple_pack(2, head, tail) : NULL;
    XDECREF(head);
    XDECREF(tail);
    return r;
}

/* ('a/b.c', '.d') for 'a/b.c.d'; leading dots of the last component do not
   start an extension ('.bashrc' has none). */
static Object *path_splitext(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (one_str_arg("splitext", args, nargs, kwnames) < 0) return NULL;
    const char *s = str_data(args[0]);
    size_t n = str_len(args[0]), name = after_last_sep(args[0]), cut = n;
    const char *dot = strrchr(s + name, '.');
    if (dot) {
        for (const char *c = s + name; c < dot; c++)
            if (*c != '.') {
                cut = (size_t)(dot - s);
                break;
            }
    }
    Object *root = str_from_utf8(s, cut);
    Object *ext = root ? str_from_utf8(s + cut, n - cut) : NULL;
    Object *r = ext ? tuple_pack(2, root, ext) : NULL;
    XDECREF(root);
    XDECREF(ext);
    return r;
}

static Object *path_isabs(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (one_str_arg("isabs", args, nargs, kwnames) < 0) return NULL;
    return bool_from(str_data(args[0])[0] == '/');
}

/* Python's posixpath.normpath: drop '.' and empty components, resolve '..'
   against what precedes it (a relative path keeps leading '..'), keep one
   leading '/' (two when the path starts with exactly two). */
static Object *normpath_text(const char *s, size_t n) {
    if (n == 0) return str_from_cstr(".");
    size_t lead = 0;
    while (lead < n && s[lead] == '/') lead++;
    if (lead > 2) lead = 1;
    /* Component starts and lengths, at most one per two bytes plus one. */
    size_t cap = n / 2 + 2, count = 0;
    size_t *start = mem_alloc(cap * sizeof *start), *len = mem_alloc(cap * sizeof *len);
    if (!start || !len) {
        if (start) mem_free(start, cap * sizeof *start);
        if (len) mem_free(len, cap * sizeof *len);
        return error_no_memory();
    }
    for (size_t i = 0; i < n;) {
        while (i < n && s[i] == '/') i++;
        size_t j = i;
        while (j < n && s[j] != '/') j++;
        size_t k = j - i;
        bool dotdot = k == 2 && s[i] == '.' && s[i + 1] == '.';
        bool prev_dotdot = count && len[count - 1] == 2 && s[start[count - 1]] == '.' &&
                           s[start[count - 1] + 1] == '.';
        if (k == 0 || (k == 1 && s[i] == '.')) {
            /* skip */
        } else if (!dotdot || (!lead && (!count || prev_dotdot))) {
            start[count] = i, len[count++] = k; /* '..' kept above a relative start */
        } else if (count) {
            count--;
        } /* else '..' of the root is the root */
        i = j;
    }
    StrBuilder b;
    str_builder_init(&b);
    for (size_t i = 0; i < lead; i++) str_builder_add_char(&b, '/');
    for (size_t c = 0; c < count; c++) {
        if (c) str_builder_add_char(&b, '/');
        str_builder_add(&b, s + start[c], len[c]);
    }
    if (b.len == 0) str_builder_add_char(&b, '.');
    mem_free(start, cap * sizeof *start);
    mem_free(len, cap * sizeof *len);
    return str_builder_finish(&b);
}

static Object *path_normpath(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (one_str_arg("normpath", args, nargs, kwnames) < 0) return NULL;
    return normpath_text(str_data(args[0]), str_len(args[0]));
}

Object *osfile_abspath(Object *p) {
    if (str_data(p)[0] == '/') return normpath_text(str_data(p), str_len(p));
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return error_set_from_errno(errno, NULL);
    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_cstr(&b, cwd);
    str_builder_add_char(&b, '/');
    str_builder_add_str(&b, p);
    Object *r = b.failed ? error_no_memory() : normpath_text(b.data, b.len);
    str_builder_discard(&b);
    return r;
}

static Object *path_abspath(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (one_str_arg("abspath", args, nargs, kwnames) < 0) return NULL;
    return osfile_abspath(args[0]);
}

/* ---- os.path: questions to the system ------------------------------------------- */

/* stat() an argument of exists/isfile/isdir/getsize: a path or an open fd.
   1 found, 0 not found (*err: the errno, or -1 for a path with a NUL byte),
   -1 TypeError. */
static int stat_arg(Object *o, struct stat *st, int *err) {
    const char *p;
    *err = 0;
    if (is_int(o)) {
        if (fstat((int)int_value(o), st) == 0) return 1;
        *err = errno;
        return 0;
    }
    if (!is_str(o) && !is_bytes(o)) {
        error_set(&exc_TypeError, "stat: path should be string, bytes, os.PathLike or integer, not %s",
                  o == None ? "NoneType" : TYPE_NAME(o));
        return -1;
    }
    if (fspath_arg("stat", o, &p) < 0) {
        error_clear(); /* embedded NUL: "does not exist" */
        *err = -1;
        return 0;
    }
    if (stat(p, st) == 0) return 1;
    *err = errno;
    return 0;
}

/* exists / isfile / isdir: which = 0 / S_IFREG / S_IFDIR. */
static Object *path_test(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                         mode_t which) {
    if (args_check(fname, nargs, kwnames, 1, 1) < 0) return NULL;
    struct stat st;
    int err;
    int r = stat_arg(args[0], &st, &err);
    if (r < 0) return NULL;
    return bool_from(r == 1 && (which == 0 || (st.st_mode & S_IFMT) == which));
}

static Object *path_exists(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return path_test("exists", args, nargs, kwnames, 0);
}

static Object *path_isfile(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return path_test("isfile", args, nargs, kwnames, S_IFREG);
}

static Object *path_isdir(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return path_test("isdir", args, nargs, kwnames, S_IFDIR);
}

static Object *path_getsize(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("getsize", nargs, kwnames, 1, 1) < 0) return NULL;
    struct stat st;
    int err;
    int r = stat_arg(args[0], &st, &err);
    if (r < 0) return NULL;
    if (r == 0) {
        if (err == -1) return error_set(&exc_ValueError, "embedded null byte");
        return error_set_from_errno(err, args[0]);
    }
    return int_from_i64((int64_t)st.st_size);
}

static const MethodDef ospath_functions[] = {
    {"join", path_join, NULL},
    {"basename", path_basename, NULL},
    {"dirname", path_dirname, NULL},
    {"split", path_split, NULL},
    {"splitext", path_splitext, NULL},
    {"isabs", path_isabs, NULL},
    {"normpath", path_normpath, NULL},
    {"abspath", path_abspath, NULL},
    {"exists", path_exists, NULL},
    {"isfile", path_isfile, NULL},
    {"isdir", path_isdir, NULL},
    {"getsize", path_getsize, NULL},
    {NULL, NULL, NULL},
};

Object *ospath_module_init(void) {
    Object *m = module_new("posixpath");
    if (!m) return NULL;
    Object *sep = str_from_cstr("/");
    if (!sep || module_add_functions(m, ospath_functions) < 0 ||
        module_add_object(m, "sep", sep) < 0) {
        XDECREF(sep);
        DECREF(m);
        return NULL;
    }
    DECREF(sep);
    return m;
}
