/* exec.c - eval(), exec() and compile() (see exec.h).
 *
 * The three share one path: take the source as text (a str or a bytes) or,
 * for eval and exec, as a code object; compile text with the compiler that
 * interp/ handed down; choose the namespaces; run.
 *
 * Namespaces, as in CPython 3.11:
 *   - no globals: the caller's globals and, without locals, the caller's
 *     locals: the module or class namespace itself, or a snapshot dict of a
 *     function's variables (so assignments made by exec'd code do not
 *     change the function's variables);
 *   - globals given: it must be a dict, and locals default to it;
 *   - '__builtins__' is added to globals when it is missing (the builtins
 *     dict). Name lookups in the code fall back to the interpreter's
 *     builtins whatever globals['__builtins__'] holds.
 * locals may be any mapping: the eval loop reads and writes an exact dict
 * directly, and another mapping (a dict subclass too) through its
 * __getitem__/__setitem__/__delitem__. Globals are read directly (a dict
 * subclass's __missing__ is asked for a name they lack, before the
 * builtins), so a dict subclass whose __getitem__ CPython would call there
 * is refused with a TypeError that says so.
 *
 * A code object compiled from a function body (f.__code__) runs as a call,
 * with no arguments, of a new function made from it: its missing arguments
 * are reported as CPython reports them, and a closure= given to exec()
 * becomes the function's closure.
 *
 * The compiler pointer is set once at start-up, before any thread exists,
 * and only read afterwards.
 */
#include "modules/exec.h"

#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/function.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "modules/builtins.h"
#include "interp/vm.h"

static ExecCompileFunc exec_compiler;

void exec_set_compiler(ExecCompileFunc compile) {
    exec_compiler = compile;
}

/* ---- The source --------------------------------------------------------------- */

/* The source argument: text to compile, or a code object (borrowed). */
typedef struct {
    const char *text;
    size_t len;
    CodeObject *code;
} Source;

/* src as a str or bytes, or (when code_ok) a code object. 0, or -1 with
   TypeError, or SyntaxError for text holding a NUL byte. */
static int source_get(const char *fname, Object *src, bool code_ok, Source *out) {
    out->code = NULL;
    if (code_ok && is_type(src, &code_type)) {
        out->code = (CodeObject *)src;
        return 0;
    }
    if (is_str(src)) {
        out->text = str_data(src);
        out->len = str_len(src);
    } else if (is_bytes(src)) {
        out->text = bytes_data(src);
        out->len = bytes_size(src);
    } else {
        error_set(&exc_TypeError, "%s() arg 1 must be a string, bytes or %s object", fname,
                  code_ok ? "code" : "AST");
        return -1;
    }
    if (memchr(out->text, '\0', out->len)) {
        error_set(&exc_SyntaxError, "source code string cannot contain null bytes");
        return -1;
    }
    return 0;
}

/* Compile src. In exec mode, text that does not end with a newline gets
   one, as CPython's tokenizer adds it to strings: it shows in the text of
   a SyntaxError on the last line. */
static CodeObject *source_compile(const Source *src, const char *filename, ExecMode mode) {
    if (!exec_compiler) {
        error_set(&exc_SystemError, "no compiler was installed");
        return NULL;
    }
    if (mode != EXEC_MODE_EXEC || src->len == 0 || src->text[src->len - 1] == '\n')
        return exec_compiler(src->text, src->len, filename, mode);
    char *text = mem_alloc(src->len + 1);
    if (!text) {
        error_no_memory();
        return NULL;
    }
    memcpy(text, src->text, src->len);
    text[src->len] = '\n';
    CodeObject *co = exec_compiler(text, src->len + 1, filename, mode);
    mem_free(text, src->len + 1);
    return co;
}

/* ---- The namespaces ------------------------------------------------------------ */

typedef struct {
    Object *globals; /* owned dict */
    Object *locals;  /* owned */
} Namespaces;

static bool is_mapping(Object *o) {
    return TYPE(o)->getitem != NULL;
}

/* The first of the item methods that CPython calls on a dict subclass
   used as globals (as locals: names too) and that d's class defines; NULL
   for a dict, or a subclass that leaves them alone. */
static const char *overridden_item_method(Object *d, const char *const *names) {
    if (is_dict_exact(d)) return NULL;
    for (; *names; names++) {
        Object *own = dict_get_item_cstr(dict_type.dict, *names);
        if (type_lookup_cstr(TYPE(d), *names) != own) return *names;
    }
    return NULL;
}

static int check_globals_dict(Object *globals) {
    static const char *const read[] = {"__getitem__", NULL};
    const char *m = overridden_item_method(globals, read);
    if (!m) return 0;
    error_set(&exc_TypeError, "Toy supports only a dict as globals, not a subclass of dict that "
              "defines %s ('%s')", m, TYPE_NAME(globals));
    return -1;
}

/* Fill ns from the globals and locals arguments (None: not given), which
   the caller has checked against CPython's rules. 0 / -1. */
static int namespaces_init(Namespaces *ns, Object *globals, Object *locals) {
    Frame *f = vm_current_frame();
    if (globals == None && !f) { /* called from C with no Toy code running */
        error_set(&exc_SystemError, "frame does not exist");
        return -1;
    }
    if (globals == None) {
        globals = f->globals;
        ns->locals = locals != None ? NEWREF(locals) : builtins_caller_locals();
        if (!ns->locals) return -1;
    } else {
        ns->locals = NEWREF(locals != None ? locals : globals);
    }
    ns->globals = NEWREF(globals);
    if (check_globals_dict(globals) < 0) {
        CLEAR(&ns->globals);
        CLEAR(&ns->locals);
        return -1;
    }
    Object *key = str_intern_cstr("__builtins__");
    if (!key) {
        CLEAR(&ns->globals);
        CLEAR(&ns->locals);
        return -1;
    }
    int r = 0;
    if (!dict_get_str(globals, key)) r = dict_set_item(globals, key, interp.builtins);
    DECREF(key);
    if (r == 0) return 0;
    CLEAR(&ns->globals);
    CLEAR(&ns->locals);
    return -1;
}

static void namespaces_release(Namespaces *ns) {
    DECREF(ns->globals);
    DECREF(ns->locals);
}

/* ---- Running a code object -------------------------------------------------------- */

static bool is_cell_tuple(Object *o, size_t n) {
    if (!is_tuple(o) || tuple_size(o) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (!is_type(tuple_item(o, i), &cell_type)) return false;
    return true;
}

/* exec()'s closure argument (NULL or None: not given) against the code's
   free variables. 0 / -1 with CPython's TypeError. */
static int closure_check(CodeObject *co, Object *closure) {
    size_t nfree = tuple_size(co->freevars);
    if (closure && nfree == 0) {
        error_set(&exc_TypeError, "cannot use a closure with this code object");
        return -1;
    }
    if (nfree > 0 && (!closure || !is_cell_tuple(closure, nfree))) {
        error_set(&exc_TypeError, "code object requires a closure of exactly length %zu", nfree);
        return -1;
    }
    return 0;
}

/* A function made from co, running in globals, with the closure (or none). */
static Object *function_from_code(CodeObject *co, Object *globals, Object *closure) {
    Object *fn = function_new((Object *)co, globals);
    if (fn && closure) ((FunctionObject *)fn)->closure = NEWREF(closure);
    return fn;
}

/* Run co in ns; closure (or NULL) has passed closure_check. A function
   body is called with no arguments; a module or class body runs with
   ns->locals as its namespace. */
static Object *code_run(CodeObject *co, Namespaces *ns, Object *closure) {
    if (!(co->flags & CODE_FUNCTION) && !closure) return vm_run_code(co, ns->globals, ns->locals);
    Object *fn = function_from_code(co, ns->globals, closure);
    if (!fn) return NULL;
    Object *r = co->flags & CODE_FUNCTION ? object_call(fn, NULL, 0, NULL)
                                          : vm_run_class_body(fn, ns->locals);
    DECREF(fn);
    return r;
}

/* Compile src (text) in mode as "<string>" and run it in ns. */
static Object *text_run(const Source *src, ExecMode mode, Namespaces *ns) {
    CodeObject *co = source_compile(src, "<string>", mode);
    if (!co) return NULL;
    Object *r = code_run(co, ns, NULL);
    DECREF(co);
    return r;
}

/* ---- eval ---------------------------------------------------------------------------- */

/* eval's argument checks, in CPython's order: locals, then globals. */
static int eval_check_namespaces(Object *globals, Object *locals) {
    if (locals != None && !is_mapping(locals)) {
        error_set(&exc_TypeError, "locals must be a mapping");
        return -1;
    }
    if (globals != None && !is_instance_of(globals, &dict_type)) {
        error_set(&exc_TypeError, is_mapping(globals)
                                      ? "globals must be a real dict; try eval(expr, {}, mapping)"
                                      : "globals must be a dict");
        return -1;
    }
    return 0;
}

/* eval(source, globals=None, locals=None, /) */
static Object *builtin_eval(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("eval", nargs, kwnames, 1, 3) < 0) return NULL;
    Object *globals = nargs > 1 ? args[1] : None, *locals = nargs > 2 ? args[2] : None;
    if (eval_check_namespaces(globals, locals) < 0) return NULL;
    Namespaces ns;
    if (namespaces_init(&ns, globals, locals) < 0) return NULL;
    Source src;
    Object *r = NULL;
    if (source_get("eval", args[0], true, &src) < 0) {
        /* reported */
    } else if (src.code && tuple_size(src.code->freevars) > 0) {
        error_set(&exc_TypeError, "code object passed to eval() may not contain free variables");
    } else if (src.code) {
        r = code_run(src.code, &ns, NULL);
    } else {
        while (src.len > 0 && (*src.text == ' ' || *src.text == '\t')) { /* as CPython */
            src.text++;
            src.len--;
        }
        r = text_run(&src, EXEC_MODE_EVAL, &ns);
    }
    namespaces_release(&ns);
    return r;
}

/* ---- exec ---------------------------------------------------------------------------- */

/* exec's positional arguments: 1 to 3. */
static int exec_check_count(size_t nargs) {
    if (nargs >= 1 && nargs <= 3) return 0;
    error_set(&exc_TypeError, "exec() takes at %s %d positional argument%s (%zu given)",
              nargs < 1 ? "least" : "most", nargs < 1 ? 1 : 3, nargs < 1 ? "" : "s", nargs);
    return -1;
}

/* exec's checks of the namespaces, in CPython's order; locals None means
   "the same as globals" once globals is given. */
static int exec_check_namespaces(Object *globals, Object *locals) {
    if (globals != None && !is_instance_of(globals, &dict_type)) {
        error_set(&exc_TypeError, "exec() globals must be a dict, not %s", TYPE_NAME(globals));
        return -1;
    }
    if (locals != None && !is_mapping(locals)) {
        error_set(&exc_TypeError, "locals must be a mapping or None, not %s", TYPE_NAME(locals));
        return -1;
    }
    return 0;
}

/* exec's body once the namespaces are set: closure is NULL when not given. */
static Object *exec_source(Object *source, Namespaces *ns, Object *closure) {
    Source src;
    if (source_get("exec", source, true, &src) < 0) return NULL;
    if (src.code) {
        if (closure_check(src.code, closure) < 0) return NULL;
        return code_run(src.code, ns, closure);
    }
    if (closure)
        return error_set(&exc_TypeError, "closure can only be used when source is a code object");
    return text_run(&src, EXEC_MODE_EXEC, ns);
}

/* exec(source, globals=None, locals=None, /, *, closure=None) */
static Object *builtin_exec(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    static const char *const names[] = {"closure", NULL};
    Object *closure;
    if (args_parse_keywords("exec", args + nargs, kwnames, names, &closure) < 0 ||
        exec_check_count(nargs) < 0)
        return NULL;
    Object *globals = nargs > 1 ? args[1] : None, *locals = nargs > 2 ? args[2] : None;
    if (exec_check_namespaces(globals, locals) < 0) return NULL;
    Namespaces ns;
    if (namespaces_init(&ns, globals, locals) < 0) return NULL;
    Object *r = exec_source(args[0], &ns, closure == None ? NULL : closure);
    namespaces_release(&ns);
    if (!r) return NULL;
    DECREF(r); /* exec returns None, whatever a function body returned */
    return NEWREF(None);
}

/* ---- compile ---------------------------------------------------------------------------- */

/* The flags of __future__ features that Python 3 always has: accepted and
   changing nothing (nested_scopes, division, absolute_import,
   with_statement, print_function, unicode_literals, generator_stop). */
#define COMPILE_FLAGS_NO_OP 0x00be0010
/* Flags CPython knows but Toy does not implement: barry_as_FLUFL,
   annotations, and ast's PyCF_* (Toy has no ast module). */
#define COMPILE_FLAGS_UNSUPPORTED 0x01407600

/* An int argument of compile() as a C int. 0 / -1. */
static int compile_int_arg(Object *arg, int dflt, int *out) {
    int64_t v = dflt;
    bool big = arg && is_int(arg) && int_is_big(arg);
    if (!big && arg && object_as_index(arg, &v, NULL) < 0) return -1;
    if (big || v < INT32_MIN || v > INT32_MAX) {
        error_set(&exc_OverflowError, "Python int too large to convert to C int");
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* compile()'s filename: a str or bytes without NUL bytes. Borrowed text. */
static const char *compile_filename(Object *arg) {
    const char *s;
    size_t len;
    if (is_str(arg)) {
        s = str_data(arg);
        len = str_len(arg);
    } else if (is_bytes(arg)) {
        s = bytes_data(arg);
        len = bytes_size(arg);
    } else {
        error_set(&exc_TypeError, "expected str, bytes or os.PathLike object, not %s",
                  TYPE_NAME(arg));
        return NULL;
    }
    if (strlen(s) != len) {
        error_set(&exc_ValueError, "embedded null character");
        return NULL;
    }
    return s;
}

/* compile()'s mode argument must be a str (checked with the other
   arguments' types, before its value is). */
static int compile_mode_type(Object *arg) {
    if (is_str(arg)) return 0;
    error_set(&exc_TypeError, "compile() argument 'mode' must be str, not %s", arg_type_name(arg));
    return -1;
}

/* compile()'s mode, a str. 0 / -1. */
static int compile_mode(Object *arg, ExecMode *mode) {
    const char *s = str_data(arg);
    if (strcmp(s, "exec") == 0) *mode = EXEC_MODE_EXEC;
    else if (strcmp(s, "eval") == 0) *mode = EXEC_MODE_EVAL;
    else if (strcmp(s, "single") == 0) *mode = EXEC_MODE_SINGLE;
    else {
        error_set(&exc_ValueError, "compile() mode must be 'exec', 'eval' or 'single'");
        return -1;
    }
    return 0;
}

/* flags and optimize: CPython's checks, then Toy's refusals of what it
   cannot honour (optimize=1 and 2 strip asserts and docstrings). */
static int compile_check_options(int flags, int optimize) {
    if (flags & ~(COMPILE_FLAGS_NO_OP | COMPILE_FLAGS_UNSUPPORTED)) {
        error_set(&exc_ValueError, "compile(): unrecognised flags");
        return -1;
    }
    if (optimize < -1 || optimize > 2) {
        error_set(&exc_ValueError, "compile(): invalid optimize value");
        return -1;
    }
    if (flags & COMPILE_FLAGS_UNSUPPORTED) {
        error_set(&exc_ValueError, "compile(): Toy does not support the flags 0x%x",
                  (unsigned)(flags & COMPILE_FLAGS_UNSUPPORTED));
        return -1;
    }
    if (optimize > 0) {
        error_set(&exc_ValueError, "compile(): Toy does not support optimize=%d", optimize);
        return -1;
    }
    return 0;
}

/* compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1,
           *, _feature_version=-1). dont_inherit changes nothing: Toy has no
   __future__ features for the code to inherit. */
static Object *builtin_compile(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    static const char *const names[] = {"source", "filename", "mode", "flags",
                                        "dont_inherit", "optimize", "_feature_version", NULL};
    Object *a[7];
    if (nargs > 6)
        return error_set(&exc_TypeError,
                         "compile() takes at most 6 positional arguments (%zu given)", nargs);
    if (args_parse("compile", args, nargs, kwnames, names, 3, a) < 0) return NULL;
    const char *filename = compile_filename(a[1]);
    ExecMode mode;
    int flags, dont_inherit, optimize, feature_version;
    if (!filename || compile_mode_type(a[2]) < 0 || compile_int_arg(a[3], 0, &flags) < 0 ||
        compile_int_arg(a[4], 0, &dont_inherit) < 0 || compile_int_arg(a[5], -1, &optimize) < 0 ||
        compile_int_arg(a[6], -1, &feature_version) < 0 ||
        compile_check_options(flags, optimize) < 0 || compile_mode(a[2], &mode) < 0)
        return NULL;
    Source src;
    if (source_get("compile", a[0], false, &src) < 0) return NULL;
    return (Object *)source_compile(&src, filename, mode);
}

const MethodDef exec_builtin_functions[] = {
    {"compile", builtin_compile, "Compile source into a code object."},
    {"eval", builtin_eval, "Evaluate the given source in the context of globals and locals."},
    {"exec", builtin_exec, "Execute the given source in the context of globals and locals."},
    {NULL, NULL, NULL},
};
