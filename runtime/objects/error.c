/* error.c - raising, fetching and printing exceptions.
 *
 * The current exception lives in the thread state (ts->current_exc, owned).
 * Raising replaces it. (The VM links a new exception to the one being
 * handled, __context__, when the error reaches a frame.)
 *
 * error_print() writes CPython 3.11's format: the chain of causes and
 * contexts oldest first, each as "Traceback (most recent call last):", one
 * "  File ..., line N, in NAME" entry per frame (with the stripped source
 * line when the file is readable; runs of identical entries collapse into
 * "[Previous line repeated N more times]"), then "TypeName: message".
 * Syntax errors add their own "  File ..., line N" / text / caret block.
 * The whole report is built in memory and written to stderr at once.
 */
#include "objects/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "core/sigint.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/class.h"
#include "objects/code.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* ---- Raising ----------------------------------------------------------------- */

/* The MemoryError raised when memory runs out: static, so raising it needs no
   allocation. Immortal like the built-in types; error_fini() releases what it
   picks up while propagating (traceback, context). */
static ExceptionObject memory_error_instance = {
    .base = STATIC_OBJECT_INIT(exc_MemoryError),
};

bool error_is_static(Object *exc) { return exc == (Object *)&memory_error_instance; }

/* Make exc (stolen) the current exception. Linking it to the exception
   being handled (__context__) is the VM's job: it does so when the error
   reaches a frame, whichever C function raised it. */
static void raise_steal(Object *exc) { SETREF(&ts_get()->current_exc, exc); }

Object *error_set_instance(Object *exc) {
    raise_steal(NEWREF(exc));
    return NULL;
}

/* Raise type(*args) (args stolen). Creating the exception may itself fail,
   and that failure is what gets raised then. */
static Object *raise_with_args(Type *type, Object *args) {
    if (!args) return NULL;
    Object *exc = exception_new(type, args);
    DECREF(args);
    if (exc) raise_steal(exc);
    return NULL;
}

Object *error_set_object(Type *type, Object *value) {
    return raise_with_args(type, tuple_pack(1, value));
}

Object *error_set(Type *type, const char *fmt, ...) {
    char small[256];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    char *text = small;
    if ((size_t)n >= sizeof small) {
        text = mem_alloc((size_t)n + 1);
        if (!text) {
            va_end(ap2);
            return error_no_memory();
        }
        vsnprintf(text, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    Object *msg = str_from_utf8(text, (size_t)n);
    if (text != small) mem_free(text, (size_t)n + 1);
    if (!msg) return NULL;
    Object *args = tuple_pack(1, msg);
    DECREF(msg);
    return raise_with_args(type, args);
}

Object *error_no_memory(void) {
    ExceptionObject *e = &memory_error_instance;
    CLEAR((Object **)&e->traceback); /* a stale chain from an earlier raise */
    SETREF(&ts_get()->current_exc, NEWREF(e));
    return NULL;
}

int error_check_interrupt(void) {
    if (!sigint_take()) return 0;
    Object *empty = tuple_new(0); /* KeyboardInterrupt() has no message */
    Object *exc = empty ? exception_new(&exc_KeyboardInterrupt, empty) : NULL;
    XDECREF(empty);
    if (!exc) return -1; /* MemoryError is set instead */
    error_set_instance(exc);
    DECREF(exc);
    return -1;
}

/* ---- Inspecting ------------------------------------------------------------------ */

bool error_occurred(void) { return ts_get()->current_exc != NULL; }

bool error_matches(Type *type) {
    Object *exc = ts_get()->current_exc;
    return exc && is_instance_of(exc, type);
}

Object *error_fetch(void) {
    ThreadState *ts = ts_get();
    Object *exc = ts->current_exc;
    ts->current_exc = NULL;
    return exc;
}

void error_restore(Object *exc) { SETREF(&ts_get()->current_exc, exc); }

void error_clear(void) { CLEAR(&ts_get()->current_exc); }

void error_fini(void) {
    ExceptionObject *e = &memory_error_instance;
    CLEAR((Object **)&e->traceback);
    CLEAR(&e->cause);
    CLEAR(&e->context);
    CLEAR(&e->dict);
    CLEAR(&e->args);
}

/* ---- Source lines for tracebacks ------------------------------------------------- */

/* The text of the last source file a traceback entry named, split into
   lines. Lives for one error_print call; tracebacks mostly stay in one file. */
typedef struct {
    Object *filename;   /* borrowed: the str the text was loaded for, or NULL */
    char *text;         /* mem_alloc'd file contents, or NULL (unreadable) */
    size_t text_size;
    size_t *starts;     /* starts[i]: offset of line i + 1 */
    size_t nlines;
} SourceCache;

static void source_release(SourceCache *c) {
    if (c->text) mem_free(c->text, c->text_size);
    if (c->starts) mem_free(c->starts, c->nlines * sizeof(size_t));
    c->text = NULL;
    c->starts = NULL;
    c->nlines = 0;
}

/* Read path whole into c->text; false if it cannot be read. */
static bool source_read(SourceCache *c, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    bool ok = false;
    long size;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        c->text_size = (size_t)size + 1;
        c->text = mem_alloc(c->text_size);
        if (c->text && fread(c->text, 1, (size_t)size, f) == (size_t)size) {
            c->text[size] = '\0';
            ok = true;
        }
    }
    fclose(f);
    return ok;
}

/* Index the line starts of the loaded text. */
static bool source_index(SourceCache *c) {
    size_t len = c->text_size - 1, n = 1;
    for (size_t i = 0; i < len; i++)
        if (c->text[i] == '\n' && i + 1 < len) n++;
    c->starts = mem_alloc(n * sizeof(size_t));
    if (!c->starts) return false;
    c->nlines = n;
    c->starts[0] = 0;
    size_t k = 1;
    for (size_t i = 0; i < len && k < n; i++)
        if (c->text[i] == '\n') c->starts[k++] = i + 1;
    return true;
}

/* Set once, at exit (error_print_without_source); the GIL protects it. */
static bool source_lines_off;

void error_print_without_source(void) { source_lines_off = true; }

/* Make the cache hold filename's text (or nothing, if unreadable). */
static void source_load(SourceCache *c, Object *filename) {
    if (c->filename && str_equal(c->filename, filename)) return;
    source_release(c);
    c->filename = filename;
    const char *path = str_data(filename);
    if (path[0] == '<' || source_lines_off) return; /* <string>, <stdin>: no file to read */
    if (!source_read(c, path) || !source_index(c)) source_release(c);
}

/* Line `line` of filename without its line break, leading whitespace
   stripped (trailing whitespace stays, as in CPython). False if unknown. */
static bool source_line(SourceCache *c, Object *filename, int line, const char **start,
                        size_t *len) {
    source_load(c, filename);
    if (!c->text || line < 1 || (size_t)line > c->nlines) return false;
    const char *s = c->text + c->starts[line - 1];
    const char *end = strchr(s, '\n');
    if (!end) end = c->text + c->text_size - 1;
    if (end > s && end[-1] == '\r') end--;
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\f')) s++;
    *start = s;
    *len = (size_t)(end - s);
    return true;
}

/* ---- Printing ---------------------------------------------------------------------- */

enum {
    TRACEBACK_LIMIT = 1000,   /* sys.tracebacklimit's default: older entries are dropped */
    REPEAT_CUTOFF = 3,        /* identical entries shown before "[Previous line repeated" */
};

static void print_entry(StrBuilder *b, CodeObject *co, int line, SourceCache *cache) {
    str_builder_add_cstr(b, "  File \"");
    str_builder_add_str(b, co->filename);
    str_builder_addf(b, "\", line %d, in ", line);
    str_builder_add_str(b, co->name);
    str_builder_add_char(b, '\n');
    const char *text;
    size_t len;
    if (source_line(cache, co->filename, line, &text, &len) && len > 0) {
        str_builder_add_cstr(b, "    ");
        str_builder_add(b, text, len);
        str_builder_add_char(b, '\n');
    }
}

static void print_repeated(StrBuilder *b, int count) {
    if (count > REPEAT_CUTOFF)
        str_builder_addf(b, "  [Previous line repeated %d more times]\n", count - REPEAT_CUTOFF);
}

static bool same_entry(CodeObject *a, int line_a, CodeObject *b, int line_b) {
    return line_a == line_b && str_equal(a->filename, b->filename) && str_equal(a->name, b->name);
}

static void print_traceback(StrBuilder *b, Traceback *tb, SourceCache *cache) {
    if (!tb) return;
    str_builder_add_cstr(b, "Traceback (most recent call last):\n");
    size_t depth = 0;
    for (Traceback *t = tb; t; t = t->next) depth++;
    for (; depth > TRACEBACK_LIMIT; depth--) tb = tb->next;
    CodeObject *last = NULL;
    int last_line = -1, count = 0;
    for (; tb; tb = tb->next) {
        CodeObject *co = (CodeObject *)tb->code;
        if (co->flags & CODE_HIDDEN) continue;
        if (!last || !same_entry(co, tb->line, last, last_line)) {
            print_repeated(b, count);
            last = co;
            last_line = tb->line;
            count = 0;
        }
        if (++count <= REPEAT_CUTOFF) print_entry(b, co, tb->line, cache);
    }
    print_repeated(b, count);
}

/* An attribute of exc as a C integer; false if missing or not an int. */
static bool int_attr(Object *exc, const char *name, int64_t *out) {
    Object *v = object_getattr_cstr(exc, name);
    bool ok = v && is_int(v);
    if (ok) *out = int_value(v);
    if (!v) error_clear();
    XDECREF(v);
    return ok;
}

/* The offending line of a syntax error and its caret. offset and end_offset
   are 1-based columns; leading whitespace is stripped and the caret moves
   with it (no caret when it would point left of the text). */
static void print_syntax_text(StrBuilder *b, const char *text, int64_t offset,
                              int64_t end_offset) {
    int64_t col = offset - 1; /* 0-based */
    while (*text == ' ' || *text == '\t' || *text == '\f') {
        text++;
        col--;
        end_offset--;
    }
    int64_t len = (int64_t)strcspn(text, "\n");
    str_builder_add_cstr(b, "    ");
    str_builder_add(b, text, (size_t)len);
    str_builder_add_char(b, '\n');
    if (col < 0) return;
    if (col > len) col = len;
    int64_t carets = end_offset - 1 > col ? end_offset - 1 - col : 1;
    if (col + carets > len + 1) carets = len + 1 - col > 0 ? len + 1 - col : 1;
    str_builder_add_cstr(b, "    ");
    for (int64_t i = 0; i < col; i++) str_builder_add_char(b, ' ');
    for (int64_t i = 0; i < carets; i++) str_builder_add_char(b, '^');
    str_builder_add_char(b, '\n');
}

/* For a SyntaxError with a line number: print its location block and return
   its msg (new reference) to print instead of str(e). NULL otherwise. */
static Object *print_syntax_location(StrBuilder *b, Object *exc) {
    int64_t lineno, offset = -1, end_lineno = -1, end_offset = -1;
    if (!is_instance_of(exc, &exc_SyntaxError) || !int_attr(exc, "lineno", &lineno))
        return NULL;
    Object *msg = object_getattr_cstr(exc, "msg");
    if (!msg) {
        error_clear();
        return NULL;
    }
    int_attr(exc, "offset", &offset);
    if (!int_attr(exc, "end_lineno", &end_lineno)) end_lineno = lineno;
    if (!int_attr(exc, "end_offset", &end_offset) || end_lineno != lineno) end_offset = -1;
    Object *file = object_getattr_cstr(exc, "filename");
    if (!file) error_clear();
    str_builder_addf(b, "  File \"%s\", line %lld\n",
                     file && is_str(file) ? str_data(file) : "<string>", (long long)lineno);
    XDECREF(file);
    Object *text = object_getattr_cstr(exc, "text");
    if (!text) error_clear();
    if (text && is_str(text)) print_syntax_text(b, str_data(text), offset, end_offset);
    XDECREF(text);
    return msg;
}

/* "ValueError", "O.I", "mymodule.MyError": the exception line's type name
   (module-qualified unless builtins or __main__). */
static void print_type_name(StrBuilder *b, Type *t) {
    Object *module = class_type_module(t);
    if (!module) error_clear();
    if (module && is_str(module) && strcmp(str_data(module), "builtins") != 0 &&
        strcmp(str_data(module), "__main__") != 0) {
        str_builder_add_str(b, module);
        str_builder_add_char(b, '.');
    }
    XDECREF(module);
    Object *qualname = class_type_qualname(t);
    if (qualname && is_str(qualname)) str_builder_add_str(b, qualname);
    else str_builder_add_cstr(b, t->name);
    if (!qualname) error_clear();
    XDECREF(qualname);
}

/* One exception: its traceback, then "TypeName: message". */
/* The notes of exc.add_note(), one per line after the message. */
static void print_notes(StrBuilder *b, Object *exc) {
    Object *notes = object_getattr_cstr(exc, "__notes__");
    if (!notes) {
        error_clear();
        return;
    }
    if (is_list(notes) || is_tuple(notes)) {
        /* sizes re-read each time: a note's __str__ may change the list */
        for (size_t i = 0; i < (is_list(notes) ? list_size(notes) : tuple_size(notes)); i++) {
            Object *note = NEWREF(is_list(notes) ? list_item(notes, i) : tuple_item(notes, i));
            Object *s = object_str(note);
            DECREF(note);
            if (!s) {
                error_clear();
                str_builder_add_cstr(b, "<note str() failed>");
            } else {
                str_builder_add_str(b, s);
                DECREF(s);
            }
            str_builder_add_char(b, '\n');
        }
    } else {
        Object *r = object_repr(notes);
        if (r) {
            str_builder_add_str(b, r);
            DECREF(r);
        } else {
            error_clear();
        }
        str_builder_add_char(b, '\n');
    }
    DECREF(notes);
}

static void print_one(StrBuilder *b, Object *exc, SourceCache *cache) {
    if (!is_exception(exc)) {
        str_builder_addf(b, "TypeError: print_exception(): Exception expected for value, "
                            "%s found\n", TYPE_NAME(exc));
        return;
    }
    print_traceback(b, exception_traceback(exc), cache);
    Object *shown = print_syntax_location(b, exc);
    print_type_name(b, TYPE(exc));
    Object *s = object_str(shown ? shown : exc);
    XDECREF(shown);
    if (!s) {
        error_clear();
        str_builder_add_cstr(b, ": <exception str() failed>");
    } else if (str_len(s) > 0) {
        str_builder_add_cstr(b, ": ");
        str_builder_add_str(b, s);
    }
    XDECREF(s);
    str_builder_add_char(b, '\n');
    print_notes(b, exc);
}

static const char cause_message[] =
    "\nThe above exception was the direct cause of the following exception:\n\n";
static const char context_message[] =
    "\nDuring handling of the above exception, another exception occurred:\n\n";

/* The exception exc was chained to (its cause, else its context unless
   suppressed), or NULL; *is_cause says which. */
static Object *chained(Object *exc, bool *is_cause) {
    if (!is_exception(exc)) return NULL;
    ExceptionObject *e = (ExceptionObject *)exc;
    *is_cause = e->cause != NULL;
    if (e->cause) return e->cause;
    return e->suppress_context ? NULL : e->context;
}

/* Walk the chain newest to oldest into links[], stopping at a repeat (a
   cycle), then print it oldest first. */
static void print_chain(StrBuilder *b, Object *exc, SourceCache *cache) {
    enum { MAX_CHAIN = 256 };
    Object *links[MAX_CHAIN];
    bool cause[MAX_CHAIN];
    size_t n = 0;
    for (Object *o = exc; o && n < MAX_CHAIN;) {
        bool seen = false;
        for (size_t i = 0; i < n; i++) seen |= links[i] == o;
        if (seen) break;
        links[n] = o;
        o = chained(o, &cause[n]);
        n++;
    }
    for (size_t i = n; i-- > 0;) {
        print_one(b, links[i], cache);
        if (i > 0) str_builder_add_cstr(b, cause[i - 1] ? cause_message : context_message);
    }
}

/* The whole report into b. Printing runs str(): any error pending when it
   starts is kept aside and restored; errors of the report's own str() calls
   are written into it. */
static void format_report(StrBuilder *b, Object *exc) {
    Object *pending = error_fetch();
    str_builder_init(b);
    SourceCache cache = {0};
    print_chain(b, exc, &cache);
    source_release(&cache);
    error_restore(pending);
}

Object *error_format(Object *exc) {
    StrBuilder b;
    format_report(&b, exc);
    return str_builder_finish(&b);
}

void error_report_unraisable(Object *where) {
    error_report_unraisable_as("Exception ignored in", where);
}

void error_report_unraisable_as(const char *intro, Object *where) {
    Object *exc = error_fetch();
    if (!exc) return;
    Object *r = object_repr(where);
    if (!r) error_clear();
    fflush(stdout);
    fprintf(stderr, "%s: %s\n", intro, r ? str_data(r) : "<object repr() failed>");
    XDECREF(r);
    ExceptionObject *e = (ExceptionObject *)exc;
    Object *cause = e->cause, *context = e->context;
    e->cause = e->context = NULL;
    error_print(exc);
    e->cause = cause;
    e->context = context;
    DECREF(exc);
}

void error_print(Object *exc) {
    fflush(stdout);
    StrBuilder b;
    format_report(&b, exc);
    if (!b.failed) fwrite(b.data, 1, b.len, stderr);
    else fputs("toy: out of memory printing an exception\n", stderr);
    fflush(stderr);
    str_builder_discard(&b);
}
