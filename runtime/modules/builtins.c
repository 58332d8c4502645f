/* builtins.c - the builtins namespace: print, len, min, sorted, ... and the
 * built-in types and exceptions registered by name.
 *
 * builtins_init() fills interp.builtins (a dict) once at start-up, before any
 * Toy code runs; builtins_fini() releases it at exit so --stats can count
 * every object as freed. The functions here are plain CFunctions in the
 * vector convention (object.h), called with self == NULL.
 *
 * Invariants:
 *   - Every function checks its arguments with CPython 3.11's messages
 *     (args_check / args_parse from abstract.h) before doing anything.
 *   - print() to stdout builds each line in a StrBuilder and hands it to
 *     builtins_write_stdout in one piece; if str() of an argument fails, what
 *     was built so far is still written, as CPython's buffered stdout would.
 *     print(file=f) calls f.write once per piece, as CPython does. With
 *     file=None print writes to sys.stdout, and takes the stdout fast path
 *     while sys.stdout is still the original stream.
 *   - The callable_iterator type (iter(f, sentinel)) lives here; it is readied
 *     in builtins_init and its dict released in builtins_fini.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* flockfile */
#endif
#include "modules/builtins.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/gil.h"
#include "core/iterstate.h"
#include "core/refcount.h"
#include "core/sigint.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/bytearray.h"
#include "objects/bytes.h"
#include "objects/memoryview.h"
#include "objects/class.h"
#include "objects/code.h"
#include "objects/complexobject.h"
#include "objects/descr.h"
#include "objects/dict.h"
#include "objects/dir.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/genobject.h"
#include "objects/fileobject.h"
#include "objects/float.h"
#include "objects/function.h"
#include "objects/int.h"
#include "objects/iter.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/range.h"
#include "objects/set.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "modules/exec.h"
#include "modules/osfile.h"
#include "interp/vm.h"

/* Unused-parameter silencing for CFunctions that ignore self. */
#define UNUSED(x) (void)(x)

/* Raise an exception of type with empty args (a bare StopIteration):
   error_set would give it a message argument. */
static Object *raise_no_args(Type *type) {
    Object *args = tuple_new(0);
    if (!args) return NULL;
    Object *exc = exception_new(type, args);
    DECREF(args);
    if (!exc) return NULL;
    error_set_instance(exc);
    DECREF(exc);
    return NULL;
}

/* ---- Output ------------------------------------------------------------------ */

int builtins_write_stdout(const char *s, size_t len) {
    /* stdio buffers as Python does: by line on a terminal, else by block.
       GIL: released for large writes, which may block on a full pipe; s is
       the caller's buffer, not an object's. */
    bool release = len >= 8192;
    ThreadState *ts = ts_get();
    if (release) GIL_RELEASE(ts);
    bool ok = len == 0 || fwrite(s, 1, len, stdout) == len;
    if (release) GIL_ACQUIRE(ts);
    if (!ok) {
        error_set_from_errno(errno, NULL); /* EPIPE: BrokenPipeError, ... */
        return -1;
    }
    return 0;
}

/* Interned names print() looks up on every call, so the lookups hash nothing
   and take no lock. An immortal cache: set by builtins_init before any Toy
   code runs, read-only afterwards, released by builtins_fini. */
static struct {
    Object *sys, *stdout_, *orig_stdout;
} print_names;

static int print_names_init(void) {
    print_names.sys = str_intern_cstr("sys");
    print_names.stdout_ = str_intern_cstr("stdout");
    print_names.orig_stdout = str_intern_cstr("__stdout__");
    return print_names.sys && print_names.stdout_ && print_names.orig_stdout ? 0 : -1;
}

static void print_names_fini(void) {
    CLEAR(&print_names.sys);
    CLEAR(&print_names.stdout_);
    CLEAR(&print_names.orig_stdout);
}

/* sep= and end= of print: None means the default. */
static int print_text_arg(const char *what, Object *arg, const char *dflt, const char **out,
                          size_t *len) {
    if (!arg || arg == None) {
        *out = dflt;
        *len = strlen(dflt);
        return 0;
    }
    if (!is_str(arg)) {
        error_set(&exc_TypeError, "%s must be None or a string, not %s", what, TYPE_NAME(arg));
        return -1;
    }
    *out = str_data(arg);
    *len = str_len(arg);
    return 0;
}

/* print to stdout: the line is built in one buffer and written at once. If
   str() of an argument fails, what came before it is still written, as it
   would be through CPython's buffered stdout. */
static int print_to_stdout(Object *const *args, size_t nargs, const char *sep, size_t seplen,
                           const char *end, size_t endlen) {
    StrBuilder b;
    str_builder_init(&b);
    int rc = 0;
    for (size_t i = 0; i < nargs && rc == 0; i++) {
        if (i) str_builder_add(&b, sep, seplen);
        Object *s = object_str(args[i]);
        if (s) {
            str_builder_add_str(&b, s);
            DECREF(s);
        } else {
            rc = -1;
        }
    }
    if (rc == 0) str_builder_add(&b, end, endlen);
    if (b.failed) {
        str_builder_discard(&b);
        error_no_memory();
        return -1;
    }
    Object *exc = rc < 0 ? error_fetch() : NULL; /* kept across the partial write */
    if (builtins_write_stdout(b.data, b.len) < 0) rc = -1;
    str_builder_discard(&b);
    if (exc) error_restore(exc);
    return rc;
}

/* file.write(text) for a C string. */
static int file_write_text(Object *file, const char *text, size_t len) {
    Object *s = str_from_utf8(text, len);
    if (!s) return -1;
    int r = file_write_str(file, s);
    DECREF(s);
    return r;
}

/* print to a file object: one write() per piece, in CPython's order. */
static int print_to_file(Object *file, Object *const *args, size_t nargs, const char *sep,
                         size_t seplen, const char *end, size_t endlen) {
    for (size_t i = 0; i < nargs; i++) {
        if (i && file_write_text(file, sep, seplen) < 0) return -1;
        Object *s = object_str(args[i]);
        if (!s) return -1;
        int r = file_write_str(file, s);
        DECREF(s);
        if (r < 0) return -1;
    }
    return file_write_text(file, end, endlen);
}

/* Where print(file=None) writes: sys.stdout. While that is still the original
   stream (always, unless sys was imported and stdout replaced), this returns
   NULL for the C stdout fast path. Borrowed; may be None (print then writes
   nothing, as CPython does). */
static Object *print_default_file(void) {
    Object *sys = interp.modules ? dict_get_str(interp.modules, print_names.sys) : NULL;
    if (!sys || !is_module(sys)) return NULL;
    Object *d = module_dict(sys);
    Object *out = dict_get_str(d, print_names.stdout_);
    if (!out || out == dict_get_str(d, print_names.orig_stdout)) return NULL;
    return out;
}

static Object *builtin_print(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    static const char *const names[] = {"sep", "end", "file", "flush", NULL};
    Object *kw[4];
    if (args_parse_keywords("print", args + nargs, kwnames, names, kw) < 0) return NULL;
    const char *sep, *end;
    size_t seplen, endlen;
    if (print_text_arg("sep", kw[0], " ", &sep, &seplen) < 0) return NULL;
    if (print_text_arg("end", kw[1], "\n", &end, &endlen) < 0) return NULL;
    Object *file = kw[2] && kw[2] != None ? kw[2] : print_default_file();
    if (file == None) return NEWREF(None);
    int rc = file ? print_to_file(file, args, nargs, sep, seplen, end, endlen)
                  : print_to_stdout(args, nargs, sep, seplen, end, endlen);
    if (rc < 0) return NULL;
    if (kw[3]) {
        int flush = object_truth(kw[3]);
        if (flush < 0) return NULL;
        if (flush && !file) fflush(stdout);
        if (flush && file && file_flush(file) < 0) return NULL;
    }
    return NEWREF(None);
}

/* input([prompt]): the prompt goes to stdout (flushed), the line comes from
   stdin without its newline. */
static Object *builtin_input(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("input", nargs, kwnames, 0, 1) < 0) return NULL;
    if (nargs == 1) {
        Object *prompt = object_str(args[0]);
        if (!prompt) return NULL;
        int r = builtins_write_stdout(str_data(prompt), str_len(prompt));
        DECREF(prompt);
        if (r < 0) return NULL;
    }
    fflush(stdout);
    /* A byte at a time from stdio's buffer, so that a Ctrl-C can interrupt
       the wait (file_stdio_getc) and the rest stays for the next read. */
    StrBuilder b;
    str_builder_init(&b);
    bool interrupted = false, eof = false;
    ThreadState *ts = ts_get();
    sigint_interrupt_reads(true);
    GIL_RELEASE(ts); /* GIL: released while waiting for input; the builder touches no object */
    flockfile(stdin);
    for (;;) {
        int c = file_stdio_getc(stdin, &interrupted);
        if (c == EOF) {
            eof = b.len == 0;
            break;
        }
        if (c == '\n') break;
        str_builder_add_char(&b, (char)c);
    }
    clearerr(stdin);
    funlockfile(stdin);
    GIL_ACQUIRE(ts);
    sigint_interrupt_reads(false);
    if ((interrupted && error_check_interrupt() < 0) || b.failed) {
        if (!error_occurred()) error_no_memory();
        str_builder_discard(&b);
        return NULL;
    }
    if (eof) {
        str_builder_discard(&b);
        return error_set(&exc_EOFError, "EOF when reading a line");
    }
    Object *s = str_from_utf8(b.data ? b.data : "", b.len);
    str_builder_discard(&b);
    return s;
}

/* ---- Conversions and inspection ---------------------------------------------- */

static Object *builtin_len(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("len", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t n = object_len(args[0]);
    return n < 0 ? NULL : int_from_i64(n);
}

static Object *builtin_repr(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("repr", nargs, kwnames, 1, 1) < 0) return NULL;
    return object_repr(args[0]);
}

/* ascii(x): repr(x) with every non-ASCII character escaped. */
static Object *builtin_ascii(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("ascii", nargs, kwnames, 1, 1) < 0) return NULL;
    return format_ascii(args[0]);
}

static Object *builtin_abs(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("abs", nargs, kwnames, 1, 1) < 0) return NULL;
    UnaryFunc f = TYPE(args[0])->absolute;
    if (!f) return error_set(&exc_TypeError, "bad operand type for abs(): '%s'", TYPE_NAME(args[0]));
    return f(args[0]);
}

static Object *builtin_hash(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("hash", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t h = object_hash(args[0]);
    return h == -1 && error_occurred() ? NULL : int_from_i64(h);
}

static Object *builtin_id(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("id", nargs, kwnames, 1, 1) < 0) return NULL;
    return int_from_i64((int64_t)(intptr_t)args[0]);
}

static Object *builtin_callable(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("callable", nargs, kwnames, 1, 1) < 0) return NULL;
    return bool_from(object_callable(args[0]));
}

static Object *builtin_format(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("format", nargs, kwnames, 1, 2) < 0) return NULL;
    Object *spec = nargs == 2 ? args[1] : NULL;
    if (spec && !is_str(spec))
        return error_set(&exc_TypeError, "format() argument 2 must be str, not %s", arg_type_name(spec));
    return format_object(args[0], spec);
}

/* bin/oct/hex: the magnitude in base 2**bits with a prefix, "-" before it. */
static Object *int_to_base(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                           int bits, const char *prefix) {
    if (args_check(fname, nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t v;
    if (is_int(args[0]) && int_is_big(args[0])) {
        size_t len;
        bool negative;
        char *text = int_to_text(args[0], 1 << bits, &len, &negative);
        if (!text) return NULL;
        Object *r = str_from_format("%s%s%s", negative ? "-" : "", prefix, text);
        mem_free(text, len + 1);
        return r;
    }
    if (object_as_index(args[0], &v, NULL) < 0) return NULL;
    uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
    char digits[65];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[mag & ((1u << bits) - 1)];
        mag >>= bits;
    } while (mag);
    char buf[72];
    size_t len = 0;
    if (v < 0) buf[len++] = '-';
    buf[len++] = prefix[0];
    buf[len++] = prefix[1];
    while (n) buf[len++] = digits[--n];
    return str_from_utf8(buf, len);
}

static Object *builtin_bin(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    return int_to_base("bin", args, nargs, kwnames, 1, "0b");
}

static Object *builtin_oct(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    return int_to_base("oct", args, nargs, kwnames, 3, "0o");
}

static Object *builtin_hex(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    return int_to_base("hex", args, nargs, kwnames, 4, "0x");
}

/* chr(i): the one-character string, UTF-8 encoded. Surrogates (which Python
   allows in a str) are encoded as their three-byte pattern. */
static Object *builtin_chr(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("chr", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t cp;
    if (object_as_index(args[0], &cp, NULL) < 0) return NULL;
    if (cp < INT32_MIN || cp > INT32_MAX) /* CPython converts to a C int first */
        return error_set(&exc_OverflowError, "Python int too large to convert to C int");
    if (cp < 0 || cp >= 0x110000)
        return error_set(&exc_ValueError, "chr() arg not in range(0x110000)");
    char buf[4];
    return str_from_utf8(buf, str_utf8_encode((uint32_t)cp, buf));
}

static Object *builtin_ord(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("ord", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *s = args[0];
    if (is_bytes(s) || is_bytearray(s)) { /* ord(b'a') is the byte's value */
        size_t n = is_bytes(s) ? bytes_size(s) : bytearray_size(s);
        if (n != 1)
            return error_set(&exc_TypeError,
                             "ord() expected a character, but string of length %zu found", n);
        return int_from_i64((unsigned char)(is_bytes(s) ? bytes_data(s) : bytearray_data(s))[0]);
    }
    if (!is_str(s))
        return error_set(&exc_TypeError, "ord() expected string of length 1, but %s found",
                         TYPE_NAME(s));
    size_t nchars = ((StrObject *)s)->nchars;
    if (nchars != 1)
        return error_set(&exc_TypeError,
                         "ord() expected a character, but string of length %zu found", nchars);
    const unsigned char *p = (const unsigned char *)str_data(s);
    size_t len = str_len(s);
    uint32_t cp = p[0];
    if (len > 1) { /* lead byte's payload, then 6 bits per continuation byte */
        cp &= 0x7F >> len;
        for (size_t i = 1; i < len; i++) cp = (cp << 6) | (p[i] & 0x3F);
    }
    return int_from_i64(cp);
}

/* ---- Attributes --------------------------------------------------------------- */

static Object *builtin_getattr(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("getattr", nargs, kwnames, 2, 3) < 0) return NULL;
    Object *v = object_getattr(args[0], args[1]);
    if (v || nargs == 2 || !error_matches(&exc_AttributeError)) return v;
    error_clear();
    return NEWREF(args[2]);
}

static Object *builtin_setattr(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("setattr", nargs, kwnames, 3, 3) < 0) return NULL;
    if (object_setattr(args[0], args[1], args[2]) < 0) return NULL;
    return NEWREF(None);
}

static Object *builtin_delattr(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("delattr", nargs, kwnames, 2, 2) < 0) return NULL;
    if (object_delattr(args[0], args[1]) < 0) return NULL;
    return NEWREF(None);
}

static Object *builtin_hasattr(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("hasattr", nargs, kwnames, 2, 2) < 0) return NULL;
    int r = object_hasattr(args[0], args[1]);
    return r < 0 ? NULL : bool_from(r);
}

/* ---- Types and classes -------------------------------------------------------- */

static Object *builtin_isinstance(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    UNUSED(self);
    if (args_check("isinstance", nargs, kwnames, 2, 2) < 0) return NULL;
    int r = object_isinstance(args[0], args[1]);
    return r < 0 ? NULL : bool_from(r);
}

static bool is_class(Object *o) {
    return TYPE(o) == &type_type || type_is_subtype(TYPE(o), &type_type);
}

/* issubclass(derived, classinfo): 1/0/-1. A tuple is searched first (so
   issubclass(1, ()) is False); for each class found, arg 1 must be a class. */
static int subclass_check(Object *derived, Object *classinfo) {
    if (is_tuple(classinfo)) {
        for (size_t i = 0; i < tuple_size(classinfo); i++) {
            int r = subclass_check(derived, tuple_item(classinfo, i));
            if (r != 0) return r;
        }
        return 0;
    }
    if (!is_class(derived)) {
        error_set(&exc_TypeError, "issubclass() arg 1 must be a class");
        return -1;
    }
    if (!is_class(classinfo)) {
        error_set(&exc_TypeError,
                  "issubclass() arg 2 must be a class, a tuple of classes, or a union");
        return -1;
    }
    return type_is_subtype((Type *)derived, (Type *)classinfo);
}

static Object *builtin_issubclass(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    UNUSED(self);
    if (args_check("issubclass", nargs, kwnames, 2, 2) < 0) return NULL;
    int r = subclass_check(args[0], args[1]);
    return r < 0 ? NULL : bool_from(r);
}

/* ---- Namespaces: globals, locals, vars ----------------------------------------- */

static Object *builtin_globals(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self); UNUSED(args);
    if (args_check("globals", nargs, kwnames, 0, 0) < 0) return NULL;
    Frame *f = vm_current_frame();
    return f ? NEWREF(f->globals) : NEWREF(interp.builtins);
}

/* Set name -> value in d, or remove name when value is NULL (an unbound
   local or an empty cell). */
static int locals_store(Object *d, Object *name, Object *value) {
    if (value) return dict_set_item(d, name, value);
    return dict_del_item(d, name, false) < 0 ? -1 : 0;
}

/* Bring a function frame's locals dict up to date with its variables: its
   fast locals, then the contents of its cells (captured and free
   variables). Other keys (stored by exec, say) stay. */
static int function_locals_refresh(Frame *f) {
    CodeObject *co = f->code;
    Object *d = f->locals;
    for (int i = 0; i < co->nlocals; i++)
        if (locals_store(d, tuple_item(co->varnames, (size_t)i), f->slots[i]) < 0) return -1;
    size_t ncell = tuple_size(co->cellvars);
    for (int j = 0; j < co->ncells; j++) {
        Object *name = (size_t)j < ncell ? tuple_item(co->cellvars, (size_t)j)
                                         : tuple_item(co->freevars, (size_t)j - ncell);
        Object *cell = f->slots[co->nlocals + j];
        if (locals_store(d, name, cell ? ((CellObject *)cell)->contents : NULL) < 0) return -1;
    }
    return 0;
}

/* As CPython 3.11: a function frame has one locals dict, made on the first
   call and refreshed from the variables on each one, so locals() returns
   the same dict every time and names exec() stored there stay. The frame
   owns it (f->locals is otherwise unused in function frames: their code
   reads variables from slots) and releases it when it ends. */
Object *builtins_caller_locals(void) {
    Frame *f = vm_current_frame();
    if (!f) return NEWREF(interp.builtins);
    if (!(f->code->flags & CODE_FUNCTION)) return NEWREF(f->locals ? f->locals : f->globals);
    if (!f->locals) {
        Object *d = dict_new();
        if (!d) return NULL;
        vm_frame_give_locals(f, d);
    }
    if (function_locals_refresh(f) < 0) return NULL;
    return NEWREF(f->locals);
}

static Object *builtin_locals(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self); UNUSED(args);
    if (args_check("locals", nargs, kwnames, 0, 0) < 0) return NULL;
    return builtins_caller_locals();
}

static Object *builtin_vars(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("vars", nargs, kwnames, 0, 1) < 0) return NULL;
    if (nargs == 0) return builtins_caller_locals();
    Object *o = args[0];
    if (is_module(o)) return NEWREF(module_dict(o));
    if (is_class(o) && ((Type *)o)->dict) return NEWREF(((Type *)o)->dict);
    Object **dictptr = object_dict_ptr(o);
    if (dictptr) {
        if (!*dictptr && !(*dictptr = dict_new())) return NULL;
        return NEWREF(*dictptr);
    }
    return error_set(&exc_TypeError, "vars() argument must have __dict__ attribute");
}

/* dir() and dir(obj): sorted names. */
static Object *builtin_dir(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("dir", nargs, kwnames, 0, 1) < 0) return NULL;
    if (nargs == 1) return dir_of(args[0]);
    Object *ns = builtins_caller_locals();
    if (!ns) return NULL;
    Object *names = dir_sorted_keys(ns);
    DECREF(ns);
    return names;
}

/* ---- Iteration ------------------------------------------------------------------ */

/* iter(callable, sentinel): calls callable until it returns sentinel.
   Threads may share it (core/iterstate.h): in toy-ft the two references
   stay until the iterator is freed, and `spent` says it has run out. */
typedef struct {
    Object base;
    Object *callable;  /* owned; NULL once exhausted (toy-ft: kept) */
    Object *sentinel;  /* owned; NULL once exhausted (toy-ft: kept) */
    size_t spent;      /* ITER_SPENT once exhausted in toy-ft, else 0 */
} CallIterObject;

static void calliter_dealloc(Object *self) {
    CallIterObject *it = (CallIterObject *)self;
    CLEAR(&it->callable);
    CLEAR(&it->sentinel);
    object_free(self, sizeof(CallIterObject));
}

static Object *calliter_iter(Object *self) { return NEWREF(self); }

static void calliter_exhaust(CallIterObject *it) {
    iter_exhaust(&it->callable, &it->spent);
    iter_exhaust(&it->sentinel, &it->spent);
}

static Object *calliter_next(Object *self) {
    CallIterObject *it = (CallIterObject *)self;
    if (iter_spent(it->callable, &it->spent)) return NULL;
    Object *v = object_call0(it->callable);
    if (!v) {
        if (error_matches(&exc_StopIteration)) {
            error_clear();
            calliter_exhaust(it);
        }
        return NULL;
    }
    int eq = object_equal(v, it->sentinel);
    if (eq == 0) return v;
    DECREF(v);
    if (eq > 0) calliter_exhaust(it);
    return NULL;
}

static int calliter_traverse(Object *self, VisitFunc visit, void *arg) {
    CallIterObject *o = (CallIterObject *)self;
    VISIT(o->callable);
    VISIT(o->sentinel);
    return 0;
}

static Type calliter_type = {
    TYPE_HEAD_INIT,
    .name = "callable_iterator",
    .base_type = &object_type,
    .flags = TYPE_GC,
    .instance_size = sizeof(CallIterObject),
    .dealloc = calliter_dealloc,
    .iter = calliter_iter,
    .iternext = calliter_next,
    .traverse = calliter_traverse,
};

static Object *builtin_iter(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("iter", nargs, kwnames, 1, 2) < 0) return NULL;
    if (nargs == 1) return object_iter(args[0]);
    if (!object_callable(args[0]))
        return error_set(&exc_TypeError, "iter(v, w): v must be callable");
    CallIterObject *it = (CallIterObject *)object_alloc(&calliter_type, sizeof(CallIterObject));
    if (!it) return NULL;
    it->callable = NEWREF(args[0]);
    it->sentinel = NEWREF(args[1]);
    return (Object *)it;
}

static Object *builtin_next(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("next", nargs, kwnames, 1, 2) < 0) return NULL;
    /* A generator's return value travels in its StopIteration. */
    Object *v = TYPE(args[0]) == &gen_type ? gen_next(args[0]) : object_next(args[0]);
    if (v) return v;
    if (error_occurred()) {
        if (nargs == 1 || !error_matches(&exc_StopIteration)) return NULL;
        error_clear();
    }
    if (nargs == 2) return NEWREF(args[1]);
    return raise_no_args(&exc_StopIteration);
}

/* any / all: stop at the first item whose truth is `stop_on`. */
static Object *any_all(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                       int stop_on) {
    if (args_check(fname, nargs, kwnames, 1, 1) < 0) return NULL;
    Object *it = object_iter(args[0]);
    if (!it) return NULL;
    Object *x;
    int t = 0;
    while ((x = object_next(it)) != NULL) {
        t = object_truth(x);
        DECREF(x);
        if (t < 0 || t == stop_on) break;
    }
    DECREF(it);
    if (t < 0 || (!x && error_occurred())) return NULL;
    return bool_from(x ? stop_on : !stop_on);
}

static Object *builtin_any(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    return any_all("any", args, nargs, kwnames, 1);
}

static Object *builtin_all(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    return any_all("all", args, nargs, kwnames, 0);
}

/* ---- min, max, sum, sorted -------------------------------------------------------- */

/* The items min/max look at: the positional arguments, or one iterable. */
typedef struct {
    Object *const *array;
    size_t n, pos;
    Object *iter;  /* owned, when iterating a single argument */
} ItemSource;

/* Next item (new reference), or NULL at the end / on error. */
static Object *source_next(ItemSource *src) {
    if (src->iter) return object_next(src->iter);
    return src->pos < src->n ? NEWREF(src->array[src->pos++]) : NULL;
}

static Object *min_max(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                       CompareOp op) {
    static const char *const names[] = {"key", "default", NULL};
    Object *kw[2];
    if (nargs == 0)
        return error_set(&exc_TypeError, "%s expected at least 1 argument, got 0", fname);
    if (args_parse_keywords(fname, args + nargs, kwnames, names, kw) < 0) return NULL;
    Object *key = kw[0] == None ? NULL : kw[0], *dflt = kw[1];
    if (dflt && nargs > 1)
        return error_set(&exc_TypeError,
                         "Cannot specify a default for %s() with multiple positional arguments",
                         fname);
    ItemSource src = {.array = args, .n = nargs};
    if (nargs == 1 && !(src.iter = object_iter(args[0]))) return NULL;

    Object *best = NULL, *bestkey = NULL, *item;
    while ((item = source_next(&src)) != NULL) {
        Object *k = key ? object_call1(key, item) : NEWREF(item);
        if (!k) goto fail;
        int better = best ? object_compare_bool(k, bestkey, op) : 1;
        if (better < 0) {
            DECREF(k);
            goto fail;
        }
        if (better) {
            SETREF(&best, item);
            SETREF(&bestkey, k);
        } else {
            DECREF(item);
            DECREF(k);
        }
    }
    if (error_occurred()) goto fail_done;
    XDECREF(src.iter);
    XDECREF(bestkey);
    if (best) return best;
    if (dflt) return NEWREF(dflt);
    return error_set(&exc_ValueError, "%s() arg is an empty sequence", fname);
fail:
    DECREF(item);
fail_done:
    XDECREF(src.iter);
    XDECREF(best);
    XDECREF(bestkey);
    return NULL;
}

static Object *builtin_min(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    return min_max("min", args, nargs, kwnames, CMP_LT);
}

static Object *builtin_max(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    return min_max("max", args, nargs, kwnames, CMP_GT);
}

/* The running total of sum(): while it is an int or a float, kept in C to
   avoid one allocation per item; otherwise (or on int overflow) an object
   updated with +. */
typedef struct {
    enum { SUM_OBJECT, SUM_INT, SUM_FLOAT } mode;
    int64_t i;
    double f;
    Object *obj;  /* owned; the total in SUM_OBJECT mode, the start value before any item */
    bool changed; /* i / f differ from obj */
} SumTotal;

static void sum_enter_fast_mode(SumTotal *t) {
    t->changed = false;
    if (is_type(t->obj, &int_type) && int_is_small(t->obj)) {
        t->mode = SUM_INT;
        t->i = int_value(t->obj);
    } else if (is_float_exact(t->obj)) {
        t->mode = SUM_FLOAT;
        t->f = float_value(t->obj);
    } else {
        t->mode = SUM_OBJECT;
    }
}

/* Write the C total back into t->obj. 0 / -1. */
static int sum_materialise(SumTotal *t) {
    if (t->changed) {
        Object *v = t->mode == SUM_INT ? int_from_i64(t->i) : float_from_double(t->f);
        if (!v) return -1;
        SETREF(&t->obj, v);
        t->changed = false;
    }
    t->mode = SUM_OBJECT;
    return 0;
}

/* The fast modes add the values of plain ints and floats (and, to a float
   total, of any int, as CPython does); an instance of another subclass may
   define __add__ / __radd__, so it goes through the + operator. */
static int sum_add(SumTotal *t, Object *item) {
    int64_t isum;
    if (t->mode == SUM_INT && is_int_exact(item) && int_is_small(item) &&
        !__builtin_add_overflow(t->i, int_value(item), &isum)) {
        t->i = isum;
        t->changed = true;
        return 0;
    }
    if (t->mode == SUM_FLOAT && (is_float_exact(item) || (is_int(item) && int_is_small(item)))) {
        t->f += is_float_exact(item) ? float_value(item) : (double)int_value(item);
        t->changed = true;
        return 0;
    }
    if (sum_materialise(t) < 0) return -1;
    Object *v = object_binary_op(t->obj, item, BINOP_ADD);
    if (!v) return -1;
    SETREF(&t->obj, v);
    sum_enter_fast_mode(t);
    return 0;
}

static Object *builtin_sum(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (nargs < 1)
        return error_set(&exc_TypeError,
                         "sum() takes at least 1 positional argument (%zu given)", nargs);
    static const char *const names[] = {"iterable", "start", NULL};
    Object *a[2];
    if (args_parse("sum", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    Object *start = a[1] ? a[1] : int_small(0);
    if (a[1]) INCREF(start);
    Object *it = object_iter(a[0]); /* before the start check, as CPython */
    if (it && (is_str(start) || is_bytes(start) || is_bytearray(start))) {
        DECREF(it);
        it = NULL;
        if (is_str(start))
            error_set(&exc_TypeError, "sum() can't sum strings [use ''.join(seq) instead]");
        else
            error_set(&exc_TypeError, "sum() can't sum %s [use b''.join(seq) instead]",
                      TYPE_NAME(start));
    }
    if (!it) {
        DECREF(start);
        return NULL;
    }
    SumTotal t = {.obj = start};
    sum_enter_fast_mode(&t);
    Object *item;
    int rc = 0;
    while (rc == 0 && (item = object_next(it)) != NULL) {
        rc = sum_add(&t, item);
        DECREF(item);
    }
    DECREF(it);
    if (rc < 0 || error_occurred() || sum_materialise(&t) < 0) {
        DECREF(t.obj);
        return NULL;
    }
    return t.obj;
}

static Object *builtin_sorted(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    static const char *const names[] = {"key", "reverse", NULL};
    Object *kw[2];
    if (nargs != 1)
        return error_set(&exc_TypeError, "sorted expected 1 argument, got %zu", nargs);
    /* CPython copies the iterable first, then reports keyword errors from
       list.sort, hence "sort". */
    Object *list = list_from_iterable(args[0]);
    if (!list) return NULL;
    int64_t reverse = 0;
    if (args_parse_keywords("sort", args + nargs, kwnames, names, kw) < 0 ||
        (kw[1] && object_as_index(kw[1], &reverse, NULL) < 0)) {
        DECREF(list);
        return NULL;
    }
    if (list_sort(list, kw[0] == None ? NULL : kw[0], reverse != 0) < 0) {
        DECREF(list);
        return NULL;
    }
    return list;
}

/* ---- Arithmetic: round, divmod, pow ------------------------------------------------ */

static Object *builtin_round(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    static const char *const names[] = {"number", "ndigits", NULL};
    Object *a[2];
    if (args_parse("round", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    Object *x = a[0], *nd = a[1] == None ? NULL : a[1];
    /* a subclass of int or float may define __round__ */
    bool number = is_int_exact(x) || is_float_exact(x) ||
                  ((is_int(x) || is_float(x)) && !type_lookup_cstr(TYPE(x), "__round__"));
    if (number) {
        int64_t ndigits = 0;
        if (nd && object_as_index(nd, &ndigits, NULL) < 0) return NULL;
        if (is_float(x)) return float_round(float_value(x), ndigits, nd != NULL);
        return int_round(x, nd ? ndigits : 0);
    }
    if (!type_lookup_cstr(TYPE(x), "__round__"))
        return error_set(&exc_TypeError, "type %s doesn't define __round__ method", TYPE_NAME(x));
    return object_call_method(x, "__round__", &nd, nd ? 1 : 0);
}

/* divmod for operands that are not int/float: __divmod__, then __rdivmod__
   (first when b's class derives from a's and gives its own, as for the
   operators). NotImplemented (new reference) when neither applies. */
static Object *divmod_dunder(Object *a, Object *b) {
    Object *rmethod = TYPE(b) != TYPE(a) ? type_lookup_cstr(TYPE(b), "__rdivmod__") : NULL;
    if (rmethod && type_is_subtype(TYPE(b), TYPE(a)) &&
        rmethod != type_lookup_cstr(TYPE(a), "__rdivmod__")) {
        Object *r = object_call_method(b, "__rdivmod__", &a, 1);
        if (r != NotImplemented) return r;
        DECREF(r);
        rmethod = NULL;
    }
    if (type_lookup_cstr(TYPE(a), "__divmod__")) {
        Object *r = object_call_method(a, "__divmod__", &b, 1);
        if (r != NotImplemented) return r;
        DECREF(r);
    }
    if (rmethod) return object_call_method(b, "__rdivmod__", &a, 1);
    return NEWREF(NotImplemented);
}

static Object *builtin_divmod(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("divmod", nargs, kwnames, 2, 2) < 0) return NULL;
    Object *a = args[0], *b = args[1];
    /* only a class (a subclass of int or float among them) may define
       __divmod__ or __rdivmod__ */
    if ((TYPE(a)->flags | TYPE(b)->flags) & TYPE_HEAP) {
        Object *r = divmod_dunder(a, b);
        if (r != NotImplemented) return r;
        DECREF(r);
    }
    if (is_int(a) && is_int(b)) return int_divmod(a, b);
    if ((is_int(a) || is_float(a)) && (is_int(b) || is_float(b))) {
        double x, y;
        if (is_float(a)) x = float_value(a);
        else if (int_as_double(a, &x) < 0) return NULL;
        if (is_float(b)) y = float_value(b);
        else if (int_as_double(b, &y) < 0) return NULL;
        return float_divmod(x, y);
    }
    return error_set(&exc_TypeError, "unsupported operand type(s) for divmod(): '%s' and '%s'",
                     TYPE_NAME(a), TYPE_NAME(b));
}

static Object *builtin_pow(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    static const char *const names[] = {"base", "exp", "mod", NULL};
    Object *a[3];
    if (args_parse("pow", args, nargs, kwnames, names, 2, a) < 0) return NULL;
    if (!a[2] || a[2] == None) return object_binary_op(a[0], a[1], BINOP_POW);
    if (!is_int(a[0]) || !is_int(a[1]) || !is_int(a[2])) {
        /* float's pow refuses a modulus with a TypeError, complex's with a
           ValueError: the first of the two types in operand order answers;
           with neither among them no type implements the operation at all */
        for (int k = 0; k < 3; k++) {
            if (is_float(a[k]))
                return error_set(&exc_TypeError,
                                 "pow() 3rd argument not allowed unless all arguments are integers");
            if (is_complex(a[k])) return error_set(&exc_ValueError, "complex modulo");
        }
        return error_set(&exc_TypeError,
                         "unsupported operand type(s) for ** or pow(): '%s', '%s', '%s'",
                         TYPE_NAME(a[0]), TYPE_NAME(a[1]), TYPE_NAME(a[2]));
    }
    return int_pow_mod(a[0], a[1], a[2]);
}

/* ---- exit / quit ----------------------------------------------------------------- */

/* exit([code]): as sys.exit, but a missing code is None, as CPython's
   site-installed exit() does. */
static Object *builtin_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    UNUSED(self);
    if (args_check("exit", nargs, kwnames, 0, 1) < 0) return NULL;
    return sys_exit_raise(nargs ? args[0] : None);
}

/* ---- The table ---------------------------------------------------------------------- */

static const MethodDef builtin_functions[] = {
    {"abs", builtin_abs, NULL},
    {"all", builtin_all, NULL},
    {"any", builtin_any, NULL},
    {"ascii", builtin_ascii, NULL},
    {"bin", builtin_bin, NULL},
    {"callable", builtin_callable, NULL},
    {"chr", builtin_chr, NULL},
    {"delattr", builtin_delattr, NULL},
    {"dir", builtin_dir, NULL},
    {"divmod", builtin_divmod, NULL},
    {"exit", builtin_exit, NULL},
    {"format", builtin_format, NULL},
    {"getattr", builtin_getattr, NULL},
    {"globals", builtin_globals, NULL},
    {"hasattr", builtin_hasattr, NULL},
    {"hash", builtin_hash, NULL},
    {"hex", builtin_hex, NULL},
    {"id", builtin_id, NULL},
    {"input", builtin_input, NULL},
    {"isinstance", builtin_isinstance, NULL},
    {"issubclass", builtin_issubclass, NULL},
    {"iter", builtin_iter, NULL},
    {"len", builtin_len, NULL},
    {"locals", builtin_locals, NULL},
    {"max", builtin_max, NULL},
    {"min", builtin_min, NULL},
    {"next", builtin_next, NULL},
    {"oct", builtin_oct, NULL},
    {"open", file_open_builtin, NULL},
    {"ord", builtin_ord, NULL},
    {"pow", builtin_pow, NULL},
    {"print", builtin_print, NULL},
    {"quit", builtin_exit, NULL},
    {"repr", builtin_repr, NULL},
    {"round", builtin_round, NULL},
    {"setattr", builtin_setattr, NULL},
    {"sorted", builtin_sorted, NULL},
    {"sum", builtin_sum, NULL},
    {"vars", builtin_vars, NULL},
    {NULL, NULL, NULL},
};

static const struct {
    const char *name;
    Type *type;
} builtin_types[] = {
    {"object", &object_type},   {"type", &type_type},       {"int", &int_type},
    {"bool", &bool_type},       {"float", &float_type},     {"str", &str_type},
    {"complex", &complex_type},
    {"bytes", &bytes_type},     {"set", &set_type},         {"frozenset", &frozenset_type},
    {"bytearray", &bytearray_type}, {"memoryview", &memoryview_type},
    {"list", &list_type},       {"tuple", &tuple_type},     {"dict", &dict_type},
    {"range", &range_type},     {"slice", &slice_type},     {"super", &super_type},
    {"enumerate", &enumerate_type}, {"zip", &zip_type},     {"reversed", &reversed_type},
    {"map", &map_type},         {"filter", &filter_type},
    {"property", &property_type}, {"staticmethod", &staticmethod_type},
    {"classmethod", &classmethod_type},
    {NULL, NULL},
};

static int add_functions(Object *b, const MethodDef *defs) {
    for (const MethodDef *def = defs; def->name; def++) {
        Object *f = builtin_new(def, NULL);
        if (!f) return -1;
        int r = dict_set_item_cstr(b, def->name, f);
        DECREF(f);
        if (r < 0) return -1;
    }
    return 0;
}

static int add_constants(Object *b) {
    for (size_t i = 0; builtin_types[i].name; i++)
        if (dict_set_item_cstr(b, builtin_types[i].name, (Object *)builtin_types[i].type) < 0)
            return -1;
    if (dict_set_item_cstr(b, "NotImplemented", NotImplemented) < 0) return -1;
    if (dict_set_item_cstr(b, "Ellipsis", Ellipsis) < 0) return -1;
    Object *name = str_intern_cstr("builtins");
    if (!name) return -1;
    int r = dict_set_item_cstr(b, "__name__", name);
    DECREF(name);
    return r;
}

int builtins_init(void) {
    if (type_ready(&calliter_type) < 0 || print_names_init() < 0) return -1;
    interp.builtins = dict_new();
    if (!interp.builtins) return -1;
    /* toy-ft: read by every thread's every builtin lookup, so shared by
       design like a module's dict (objects/module.c): marked before its
       first store, it is read without its lock (objects/dict.h). */
    dict_mark_shared(interp.builtins);
    if (add_functions(interp.builtins, builtin_functions) < 0 ||
        add_functions(interp.builtins, class_builtin_functions) < 0 || /* __build_class__ */
        add_functions(interp.builtins, exec_builtin_functions) < 0 ||  /* eval, exec, compile */
        add_constants(interp.builtins) < 0 ||
        exceptions_init(interp.builtins) < 0)
        return -1;
    return 0;
}

void builtins_fini(void) {
    /* main releases the modules first; this is a safety net for the dict. */
    if (interp.modules) {
        dict_clear(interp.modules);
        CLEAR(&interp.modules);
    }
    if (interp.builtins) {
        dict_clear(interp.builtins);
        CLEAR(&interp.builtins);
    }
    CLEAR(&calliter_type.dict);
    print_names_fini();
}

/* `import builtins`: a module whose namespace is interp.builtins itself. */
Object *builtins_module_init(void) {
    Object *m = module_new("builtins");
    if (!m) return NULL;
    SETREF(&((ModuleObject *)m)->dict, NEWREF(interp.builtins));
    return m;
}
