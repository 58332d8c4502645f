/* exceptions.c - the built-in exception classes, exception objects and
 * traceback entries.
 *
 * Every built-in exception class is a static Type sharing one set of slots:
 * instances are ExceptionObjects, whose `args` tuple is set when the object
 * is created (as CPython's BaseException.__new__ does), so a user subclass
 * with its own __init__ still has args. The few classes with extra
 * attributes (SystemExit.code, StopIteration.value, OSError.errno/strerror/
 * filename, SyntaxError.msg/filename/lineno/offset/text, ImportError.name)
 * compute them from args on demand, unless the instance dict holds a value
 * set explicitly (the compiler stores a SyntaxError's attributes there).
 *
 * Invariants:
 *   - ExceptionObject.args is a tuple or NULL (NULL only for the static,
 *     preallocated MemoryError; read it through exc_args()).
 *   - The traceback chain starts at the outermost frame; the VM prepends an
 *     entry per frame the exception leaves (exception_add_traceback).
 *   - cause/context are exceptions or NULL; setting __cause__ also sets
 *     __suppress_context__, as `raise X from Y` does.
 */
#include "objects/exceptions.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/gchead.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* ---- Helpers ---------------------------------------------------------------- */

static inline ExceptionObject *as_exc(Object *o) { return (ExceptionObject *)o; }

static size_t exc_nargs(Object *exc) {
    Object *args = as_exc(exc)->args;
    return args ? tuple_size(args) : 0;
}

/* Readers other than the constructor hold their own reference to the args
   tuple (exc_args_ref, below) while they use its items: another thread may
   replace args meanwhile (toy-ft). */
static size_t args_count(Object *args) { return args ? tuple_size(args) : 0; }

/* args[i] (borrowed from the held tuple) or NULL when there are not that many. */
static Object *args_item(Object *args, size_t i) {
    return args && i < tuple_size(args) ? tuple_item(args, i) : NULL;
}

static bool name_is(Object *name, const char *s) { return strcmp(str_data(name), s) == 0; }

/* ---- The links other threads may change (toy-ft) ------------------------------
   One exception object can be raised by several threads at once (a module's
   instance, raised again and again): each raise prepends to its traceback
   and may set its context, and any thread may set its args. So the
   traceback, __context__, __cause__ and args are read with a new
   reference, and replaced, under the exception's lock; a replaced value is
   released after it. */

/* *slot as a new reference, or NULL. */
static Object *link_ref(Object *self, Object **slot) {
    objlock_lock_nocode(self);
    Object *v = *slot ? NEWREF(*slot) : NULL;
    objlock_unlock_nocode(self);
    return v;
}

/* *slot = v (stolen; NULL clears it). */
static void link_set(Object *self, Object **slot, Object *v) {
    objlock_lock_nocode(self);
    Object *old = *slot;
    *slot = v;
    objlock_unlock_nocode(self);
    XDECREF(old);
}

/* A link as an attribute value: the object, or None. */
static Object *link_attr(Object *self, Object **slot) {
    Object *v = link_ref(self, slot);
    return v ? v : NEWREF(None);
}

/* The args tuple as a new reference, or NULL when there is none. */
static Object *exc_args_ref(Object *exc) { return link_ref(exc, &as_exc(exc)->args); }

/* The args tuple as a new reference (the empty tuple when there is none). */
static Object *exc_args_new(Object *exc) {
    Object *args = exc_args_ref(exc);
    return args ? args : tuple_new(0);
}

Object *exception_context_ref(Object *exc) { return link_ref(exc, &as_exc(exc)->context); }

void exception_set_context_link(Object *exc, Object *ctx) {
    link_set(exc, &as_exc(exc)->context, ctx ? NEWREF(ctx) : NULL);
}

bool exception_unlink_context(Object *exc, Object *ctx) {
    objlock_lock_nocode(exc);
    bool found = as_exc(exc)->context == ctx;
    if (found) as_exc(exc)->context = NULL;
    objlock_unlock_nocode(exc);
    return found;
}

/* ---- Creation --------------------------------------------------------------- */

/* OSError(errno, strerror, filename[, winerror, filename2]): CPython keeps
   only (errno, strerror) in args and moves the file names to attributes. */
static int oserror_split_filename(Object *self) {
    ExceptionObject *e = as_exc(self);
    size_t n = exc_nargs(self);
    if (n < 3 || n > 5) return 0;
    Object **dictptr = &e->dict;
    if (!*dictptr && !(*dictptr = dict_new())) return -1;
    if (dict_set_item_cstr(*dictptr, "filename", tuple_item(e->args, 2)) < 0) return -1;
    if (n == 5 && dict_set_item_cstr(*dictptr, "filename2", tuple_item(e->args, 4)) < 0)
        return -1;
    Object *two = tuple_from_array(tuple_items(e->args), 2);
    if (!two) return -1;
    link_set(self, &e->args, two);
    return 0;
}

Object *exception_alloc(Type *type, Object *const *args, size_t nargs) {
    Object *self = object_alloc(type, type->instance_size);
    if (!self) return NULL;
    ExceptionObject *e = as_exc(self);
    e->args = tuple_from_array(args, nargs);
    if (!e->args || (type_is_subtype(type, &exc_OSError) && oserror_split_filename(self) < 0)) {
        DECREF(self);
        return NULL;
    }
    return self;
}

static bool kwnames_empty(Object *kwnames) { return !kwnames || tuple_size(kwnames) == 0; }

/* ImportError(msg, name=..., path=...): the keyword arguments become
   attributes. Everything else rejects keywords, as CPython does. */
static int import_error_keywords(Object *self, Object *const *kwvalues, Object *kwnames) {
    for (size_t i = 0; i < tuple_size(kwnames); i++) {
        Object *key = tuple_item(kwnames, i);
        if (!name_is(key, "name") && !name_is(key, "path")) {
            error_set(&exc_TypeError, "'%s' is an invalid keyword argument for %s()",
                      str_data(key), TYPE_NAME(self));
            return -1;
        }
        if (object_generic_setattr(self, key, kwvalues[i]) < 0) return -1;
    }
    return 0;
}

/* OSError(errno, strerror, ...) called as OSError itself creates the
   subclass CPython picks for errno: OSError(2, 'x') is a FileNotFoundError. */
static Type *errno_exception_type(int err);

static Type *oserror_subclass(Object *const *args, size_t nargs) {
    if (nargs < 2 || !is_int(args[0])) return &exc_OSError;
    int64_t err = int_value(args[0]);
    return err == (int)err ? errno_exception_type((int)err) : &exc_OSError;
}

/* Calling a built-in exception class: ValueError('x', 2). */
static Object *exception_construct(Type *type, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    bool import_kw = !kwnames_empty(kwnames) && type_is_subtype(type, &exc_ImportError);
    if (!kwnames_empty(kwnames) && !import_kw)
        return error_set(&exc_TypeError, "%s() takes no keyword arguments", type->name);
    if (type == &exc_OSError) type = oserror_subclass(args, nargs);
    Object *self = exception_alloc(type, args, nargs);
    if (self && import_kw && import_error_keywords(self, args + nargs, kwnames) < 0) {
        DECREF(self);
        return NULL;
    }
    return self;
}

Object *exception_new(Type *type, Object *args) {
    if (type->flags & TYPE_HEAP) /* a user class: run its __init__ too */
        return object_call_tuple((Object *)type, args, NULL);
    return exception_alloc(type, tuple_items(args), tuple_size(args));
}

/* ---- Lifetime ---------------------------------------------------------------- */

static int exception_clear(Object *self) {
    ExceptionObject *e = as_exc(self);
    CLEAR(&e->dict);
    CLEAR(&e->args);
    CLEAR((Object **)&e->traceback);
    CLEAR(&e->cause);
    CLEAR(&e->context);
    return 0;
}

static void exception_dealloc(Object *self) {
    exception_clear(self);
    object_free(self, TYPE(self)->instance_size);
}

/* The cycle collector's slots: an exception refers to its traceback, whose
   entries keep the frames' local values, which often include the exception
   (`except E as e` in a function that keeps e): a classic cycle. */
static int exception_traverse(Object *self, VisitFunc visit, void *arg) {
    ExceptionObject *e = as_exc(self);
    VISIT(e->dict);
    VISIT(e->args);
    VISIT(e->traceback);
    VISIT(e->cause);
    VISIT(e->context);
    return 0;
}

/* The preallocated MemoryError (error.c) is static: no collector head. */
static bool exception_is_gc(Object *self) { return !error_is_static(self); }

/* ---- str and repr --------------------------------------------------------------- */

/* The attribute `name` of exc as an object (new reference, None when unset):
   the instance dict first, then the value computed from args. */
static Object *exc_special_attr(Object *exc, const char *name);

static Object *exc_attr_cstr(Object *exc, const char *name) {
    Object *dict = as_exc(exc)->dict;
    if (dict) {
        Object *v = dict_get_item_cstr(dict, name);
        if (v) return NEWREF(v);
        if (error_occurred()) return NULL;
    }
    Object *v = exc_special_attr(exc, name);
    return v ? v : NEWREF(None);
}

/* BaseException.__str__: '' / str(args[0]) / str(args). */
static Object *base_exception_str(Object *exc) {
    Object *args = exc_args_ref(exc);
    size_t n = args_count(args);
    Object *r = n == 0 ? str_from_cstr("") : object_str(n == 1 ? args_item(args, 0) : args);
    XDECREF(args);
    return r;
}

/* KeyError('k') prints as 'k': the key's repr, so that KeyError('') is
   visible. */
static Object *key_error_str(Object *exc) {
    Object *args = exc_args_ref(exc);
    Object *r = args_count(args) == 1 ? object_repr(args_item(args, 0)) : base_exception_str(exc);
    XDECREF(args);
    return r;
}

/* "[Errno 2] No such file or directory: 'x.txt'" */
/* os.rename and friends name two files: "...: 'a' -> 'b'". */
static int append_filename2(StrBuilder *b, Object *exc) {
    Object *file2 = exc_attr_cstr(exc, "filename2");
    if (!file2) return -1;
    if (file2 != None) {
        Object *r = object_repr(file2);
        if (!r) { DECREF(file2); return -1; }
        str_builder_addf(b, " -> %s", str_data(r));
        DECREF(r);
    }
    DECREF(file2);
    return 0;
}

static Object *os_error_str(Object *exc) {
    Object *err = exc_attr_cstr(exc, "errno");
    Object *msg = err ? exc_attr_cstr(exc, "strerror") : NULL;
    Object *file = msg ? exc_attr_cstr(exc, "filename") : NULL;
    Object *result = NULL;
    if (!file) goto done;
    if (err == None || msg == None) {
        result = base_exception_str(exc);
        goto done;
    }
    StrBuilder b;
    str_builder_init(&b);
    Object *parts[3] = {object_str(err), object_str(msg), file != None ? object_repr(file) : NULL};
    if (parts[0] && parts[1] && (file == None || parts[2])) {
        str_builder_addf(&b, "[Errno %s] %s", str_data(parts[0]), str_data(parts[1]));
        if (file != None) str_builder_addf(&b, ": %s", str_data(parts[2]));
        if (file != None && append_filename2(&b, exc) < 0) {
            str_builder_discard(&b);
        } else {
            result = str_builder_finish(&b);
        }
    } else {
        str_builder_discard(&b);
    }
    for (int i = 0; i < 3; i++) XDECREF(parts[i]);
done:
    XDECREF(err);
    XDECREF(msg);
    XDECREF(file);
    return result;
}

/* The last path component, as SyntaxError's str shows the file. */
static const char *path_basename(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* "invalid syntax (x.toy, line 3)" */
static Object *syntax_error_str(Object *exc) {
    Object *msg = exc_attr_cstr(exc, "msg");
    if (!msg) return NULL;
    Object *msg_str = object_str(msg);
    DECREF(msg);
    if (!msg_str) return NULL;
    Object *file = exc_attr_cstr(exc, "filename");
    Object *line = file ? exc_attr_cstr(exc, "lineno") : NULL;
    Object *result = NULL;
    if (line) {
        bool has_file = is_str(file), has_line = is_int(line);
        if (has_file && has_line)
            result = str_from_format("%s (%s, line %lld)", str_data(msg_str),
                                     path_basename(str_data(file)), (long long)int_value(line));
        else if (has_file)
            result = str_from_format("%s (%s)", str_data(msg_str), path_basename(str_data(file)));
        else if (has_line)
            result = str_from_format("%s (line %lld)", str_data(msg_str), (long long)int_value(line));
        else
            result = NEWREF(msg_str);
    }
    XDECREF(file);
    XDECREF(line);
    DECREF(msg_str);
    return result;
}

/* The str slot of every built-in exception class. */
static Object *exception_str_slot(Object *exc) {
    Type *t = TYPE(exc);
    if (type_is_subtype(t, &exc_KeyError)) return key_error_str(exc);
    if (type_is_subtype(t, &exc_OSError)) return os_error_str(exc);
    if (type_is_subtype(t, &exc_SyntaxError)) return syntax_error_str(exc);
    return base_exception_str(exc);
}

Object *exception_str(Object *exc) { return object_str(exc); }

/* ValueError('x'), ValueError('x', 2), ValueError() */
static Object *exception_repr(Object *exc) {
    /* The class's __name__: a module's exception is "socket.gaierror". */
    const char *name = TYPE_NAME(exc), *dot = strrchr(name, '.');
    if (dot && !(TYPE(exc)->flags & TYPE_HEAP)) name = dot + 1;
    Object *args = exc_args_new(exc);
    if (!args) return NULL;
    bool one = tuple_size(args) == 1;
    Object *r = object_repr(one ? tuple_item(args, 0) : args);
    DECREF(args);
    if (!r) return NULL;
    Object *s = str_from_format(one ? "%s(%s)" : "%s%s", name, str_data(r));
    DECREF(r);
    return s;
}

/* ---- Attributes --------------------------------------------------------------- */

/* SyntaxError's details tuple (filename, lineno, offset, text[, end_lineno,
   end_offset]) from args[1], item i (borrowed) or NULL. */
static Object *syntax_detail(Object *args, size_t i) {
    Object *info = args_item(args, 1);
    if (args_count(args) != 2 || !info || !is_tuple(info) || i >= tuple_size(info)) return NULL;
    return tuple_item(info, i);
}

/* The attributes some exception classes derive from args. New reference;
   NULL without an exception when name is not one of exc's. */
static Object *special_attr_of(Object *exc, Object *args, const char *name) {
    Type *t = TYPE(exc);
    Object *v = NULL;
    bool known = false;
    if (type_is_subtype(t, &exc_SystemExit) && strcmp(name, "code") == 0) {
        known = true;
        size_t n = args_count(args);
        if (n == 1) v = args_item(args, 0);
        else if (n > 1) v = args;
    } else if (type_is_subtype(t, &exc_StopIteration) && strcmp(name, "value") == 0) {
        known = true;
        v = args_item(args, 0);
    } else if (type_is_subtype(t, &exc_OSError)) {
        static const char *const os_names[] = {"errno", "strerror", "filename", "filename2"};
        size_t n = args_count(args);
        for (size_t i = 0; i < 4; i++) {
            if (strcmp(name, os_names[i]) != 0) continue;
            known = true;
            if (i < 2 && n >= 2 && n <= 5) v = args_item(args, i);
        }
    } else if (type_is_subtype(t, &exc_SyntaxError)) {
        static const char *const syn_names[] = {"filename", "lineno", "offset", "text",
                                                "end_lineno", "end_offset"};
        if (strcmp(name, "msg") == 0) {
            known = true;
            v = args_item(args, 0);
        } else if (strcmp(name, "print_file_and_line") == 0) {
            known = true;
        }
        for (size_t i = 0; i < 6; i++) {
            if (strcmp(name, syn_names[i]) != 0) continue;
            known = true;
            v = syntax_detail(args, i);
        }
    } else if (type_is_subtype(t, &exc_ImportError)) {
        known = strcmp(name, "name") == 0 || strcmp(name, "path") == 0 ||
                strcmp(name, "msg") == 0;
        if (name[0] == 'm') v = args_item(args, 0);
    }
    if (!known) return NULL;
    return NEWREF(v ? v : None);
}

static Object *exc_special_attr(Object *exc, const char *name) {
    Object *args = exc_args_ref(exc);
    Object *v = special_attr_of(exc, args, name);
    XDECREF(args);
    return v;
}

/* The fields every exception has, by name (new reference), or NULL without
   an exception when name is not one of them. */
static Object *exc_field(Object *self, const char *s) {
    ExceptionObject *e = as_exc(self);
    if (strcmp(s, "args") == 0) return exc_args_new(self);
    if (strcmp(s, "__cause__") == 0) return link_attr(self, &e->cause);
    if (strcmp(s, "__context__") == 0) return link_attr(self, &e->context);
    if (strcmp(s, "__suppress_context__") == 0) return bool_from(e->suppress_context);
    if (strcmp(s, "__traceback__") == 0) return link_attr(self, (Object **)&e->traceback);
    if (strcmp(s, "__class__") == 0) return NEWREF(TYPE(self));
    if (strcmp(s, "__dict__") == 0) {
        if (!e->dict && !(e->dict = dict_new())) return NULL;
        return NEWREF(e->dict);
    }
    return NULL;
}

static Object *exception_getattr(Object *self, Object *name) {
    const char *s = str_data(name);
    Object *v;
    if (s[0] == '_' || s[0] == 'a') {
        if ((v = exc_field(self, s)) || error_occurred()) return v;
    }
    Object *dict = as_exc(self)->dict;
    if (dict && (v = dict_get_str(dict, name))) return NEWREF(v);
    if ((v = exc_special_attr(self, s))) return v;
    return object_generic_getattr(self, name);
}

/* e.__cause__ = x / e.__context__ = x: x must be an exception or None. */
static int set_chain_link(Object *self, Object **slot, Object *value, const char *attr,
                          const char *what) {
    if (!value) {
        error_set(&exc_TypeError, "%s may not be deleted", attr);
        return -1;
    }
    if (value != None && !is_exception(value)) {
        error_set(&exc_TypeError, "exception %s must be None or derive from BaseException", what);
        return -1;
    }
    link_set(self, slot, value == None ? NULL : NEWREF(value));
    return 0;
}

static int exception_setattr(Object *self, Object *name, Object *value) {
    ExceptionObject *e = as_exc(self);
    const char *s = str_data(name);
    if (strcmp(s, "args") == 0) {
        if (!value) {
            error_set(&exc_TypeError, "args may not be deleted");
            return -1;
        }
        Object *t = tuple_from_iterable(value);
        if (!t) return -1;
        link_set(self, &e->args, t);
        return 0;
    }
    if (strcmp(s, "__cause__") == 0) {
        if (set_chain_link(self, &e->cause, value, "__cause__", "cause") < 0) return -1;
        e->suppress_context = true;
        return 0;
    }
    if (strcmp(s, "__context__") == 0)
        return set_chain_link(self, &e->context, value, "__context__", "context");
    if (strcmp(s, "__suppress_context__") == 0) { /* a bool member, as in CPython */
        if (!value) {
            error_set(&exc_TypeError, "can't delete numeric/char attribute");
            return -1;
        }
        if (TYPE(value) != &bool_type) {
            error_set(&exc_TypeError, "attribute value type must be bool");
            return -1;
        }
        e->suppress_context = value == True_;
        return 0;
    }
    if (strcmp(s, "__traceback__") == 0) {
        if (!value || (value != None && TYPE(value) != &traceback_type)) {
            error_set(&exc_TypeError, "__traceback__ must be a traceback or None");
            return -1;
        }
        link_set(self, (Object **)&e->traceback, value == None ? NULL : NEWREF(value));
        return 0;
    }
    return object_generic_setattr(self, name, value);
}

/* ---- Methods (found through BaseException's dict) ---------------------------- */

/* BaseException.__init__(self, *args): store args again (a user __init__
   calling super().__init__(msg) changes them). */
static Object *exception_init_method(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    if (!kwnames_empty(kwnames))
        return error_set(&exc_TypeError, "%s() takes no keyword arguments", TYPE_NAME(self));
    Object *t = tuple_from_array(args, nargs);
    if (!t) return NULL;
    link_set(self, &as_exc(self)->args, t);
    if (type_is_subtype(TYPE(self), &exc_OSError) && oserror_split_filename(self) < 0)
        return NULL;
    return NEWREF(None);
}

static Object *exception_str_method(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)args;
    if (args_check("__str__", nargs, kwnames, 0, 0) < 0) return NULL;
    return exception_str_slot(self);
}

static Object *exception_repr_method(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    (void)args;
    if (args_check("__repr__", nargs, kwnames, 0, 0) < 0) return NULL;
    return exception_repr(self);
}

/* e.__setstate__(state): each item of a dict state becomes an attribute
   (None: nothing), as pickle and copy restore an exception. */
static Object *exception_setstate(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    if (args_check("BaseException.__setstate__", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *state = args[0];
    if (state == None) return NEWREF(None);
    if (!is_dict(state)) return error_set(&exc_TypeError, "state is not a dictionary");
    Object *key, *value;
    size_t pos = 0;
    while (dict_next_ref(state, &pos, &key, &value)) {
        if (!is_str(key)) {
            error_set(&exc_TypeError, "attribute name must be string, not '%s'", TYPE_NAME(key));
            DECREF(key);
            DECREF(value);
            return NULL;
        }
        int r = object_setattr(self, key, value);
        DECREF(key);
        DECREF(value);
        if (r < 0) return NULL;
    }
    return NEWREF(None);
}

static Object *exception_with_traceback(Object *self, Object *const *args, size_t nargs,
                                        Object *kwnames) {
    if (args_check("with_traceback", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *tb_name = str_from_cstr("__traceback__");
    if (!tb_name) return NULL;
    int r = exception_setattr(self, tb_name, args[0]);
    DECREF(tb_name);
    return r < 0 ? NULL : NEWREF(self);
}

/* add_note(note): appended to the list in the __notes__ attribute, which
   tracebacks print after the message (Python 3.11). */
static Object *exception_add_note(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    if (args_check("BaseException.add_note", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!is_str(args[0]))
        return error_set(&exc_TypeError, "note must be a str, not '%s'", TYPE_NAME(args[0]));
    Object *name = str_from_cstr("__notes__");
    if (!name) return NULL;
    Object *notes = object_getattr(self, name);
    if (!notes && error_matches(&exc_AttributeError)) {
        error_clear();
        notes = list_new(0);
        if (notes && object_setattr(self, name, notes) < 0) CLEAR(&notes);
    }
    DECREF(name);
    if (!notes) return NULL;
    int rc = is_list(notes) ? list_append(notes, args[0])
                            : (error_set(&exc_TypeError, "Cannot add note: __notes__ is not a list"), -1);
    DECREF(notes);
    return rc < 0 ? NULL : NEWREF(None);
}

static const MethodDef base_exception_methods[] = {
    {"add_note", exception_add_note, NULL},
    {"__init__", exception_init_method, NULL},
    {"__str__", exception_str_method, NULL},
    {"__repr__", exception_repr_method, NULL},
    {"with_traceback", exception_with_traceback, NULL},
    {"__setstate__", exception_setstate, NULL},
    {NULL, NULL, NULL},
};

/* Served by exception_getattr; declared for dir() and the class. */
static const GetSetDef base_exception_getsets[] = {
    {"args", NULL, false},
    {"__cause__", NULL, false},
    {"__context__", NULL, false},
    {"__suppress_context__", NULL, true},
    {"__traceback__", NULL, false},
    {"__dict__", NULL, false},
    {NULL, NULL, false},
};

/* ---- The classes ------------------------------------------------------------ */

/* Every built-in exception class has the same slots; only BaseException has
   methods in its dict (exceptions_init attaches them) and the others find
   them through their base. */
#define DEFINE_EXC(name_, base_) DEFINE_NAMED_EXC(name_, #name_, base_)
#define DEFINE_NAMED_EXC(name_, pyname_, base_)            \
    Type exc_##name_ = {                                   \
        TYPE_HEAD_INIT,                                    \
        .name = pyname_,                                   \
        .base_type = &base_,                               \
        .instance_size = sizeof(ExceptionObject),          \
        .dict_offset = offsetof(ExceptionObject, dict),    \
        .flags = TYPE_EXCEPTION | TYPE_BASETYPE | TYPE_GC, \
        .traverse = exception_traverse,                    \
        .clear = exception_clear,                          \
        .is_gc = exception_is_gc,                          \
        .dealloc = exception_dealloc,                      \
        .repr = exception_repr,                            \
        .str = exception_str_slot,                         \
        .hash = object_identity_hash,                      \
        .construct = exception_construct,                  \
        .getattr = exception_getattr,                      \
        .setattr = exception_setattr,                      \
    };
EXCEPTION_TYPES(DEFINE_EXC)
MODULE_EXCEPTION_TYPES(DEFINE_NAMED_EXC)
#undef DEFINE_EXC
#undef DEFINE_NAMED_EXC

#define LIST_EXC(name_, base_) &exc_##name_,
static Type *const all_exception_types[] = {EXCEPTION_TYPES(LIST_EXC) NULL};
#undef LIST_EXC
#define LIST_MODULE_EXC(name_, pyname_, base_) &exc_##name_,
static Type *const module_exception_types[] = {MODULE_EXCEPTION_TYPES(LIST_MODULE_EXC) NULL};
#undef LIST_MODULE_EXC

/* ---- Traceback entries -------------------------------------------------------- */

int exception_add_traceback(Object *exc, Object *code, int line) {
    Traceback *tb = (Traceback *)object_alloc(&traceback_type, sizeof(Traceback));
    if (!tb) return -1;
    ExceptionObject *e = as_exc(exc);
    tb->code = NEWREF(code);
    tb->line = line;
    objlock_lock_nocode(exc);
    tb->next = e->traceback; /* the chain moves into the new head */
    e->traceback = tb;
    objlock_unlock_nocode(exc);
    return 0;
}

static int traceback_keep_locals(Object *exc, Traceback *tb, Object *code, Object *const *values,
                                 size_t n) {
    objlock_lock_nocode(exc);
    bool kept_already = tb->kept != NULL;
    objlock_unlock_nocode(exc);
    if (tb->code != code || kept_already) return 0;
    /* a local naming the exception itself would make a cycle that reference
       counting never frees (CPython's collector does) */
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += values[i] != NULL && values[i] != exc;
    Object *kept = tuple_new(count);
    if (!kept) return -1;
    /* stored last local first: a tuple releases its last item first, so the
       locals go in the order a CPython frame releases them */
    for (size_t i = 0, k = count; i < n; i++)
        if (values[i] && values[i] != exc) tuple_set_steal(kept, --k, NEWREF(values[i]));
    objlock_lock_nocode(exc); /* another thread's raise may be keeping them too */
    if (!tb->kept) {
        tb->kept = kept;
        kept = NULL;
    }
    objlock_unlock_nocode(exc);
    XDECREF(kept);
    return 0;
}

int exception_keep_locals(Object *exc, Object *code, Object *const *values, size_t n) {
    Traceback *tb = (Traceback *)link_ref(exc, (Object **)&as_exc(exc)->traceback);
    if (!tb) return 0;
    int r = traceback_keep_locals(exc, tb, code, values, n);
    DECREF(tb);
    return r;
}

/* Iterative: a RecursionError's chain is a thousand entries long, and each
   entry usually owns the only reference to the next. */
static void traceback_dealloc(Object *self) {
    Traceback *tb = (Traceback *)self;
    while (tb) {
        gc_untrack((Object *)tb); /* the entries after the first come here directly */
        Traceback *next = tb->next;
        DECREF(tb->code);
        XDECREF(tb->kept);
        object_free((Object *)tb, sizeof(Traceback));
        if (!next) break;
        if (REFCNT(next) > 1) {
            DECREF(next);
            break;
        }
        tb = next; /* we held its last reference: free it here, not by recursion */
    }
}

static Object *traceback_getattr(Object *self, Object *name) {
    Traceback *tb = (Traceback *)self;
    if (name_is(name, "tb_next")) return NEWREF(tb->next ? (Object *)tb->next : None);
    if (name_is(name, "tb_lineno")) return int_from_i64(tb->line);
    if (name_is(name, "tb_frame")) return NEWREF(None);
    return object_generic_getattr(self, name);
}

static int traceback_traverse(Object *self, VisitFunc visit, void *arg) {
    Traceback *tb = (Traceback *)self;
    VISIT(tb->next);
    VISIT(tb->code);
    VISIT(tb->kept);
    return 0;
}

static int traceback_clear(Object *self) {
    CLEAR(&((Traceback *)self)->kept);
    return 0;
}

Type traceback_type = {
    TYPE_HEAD_INIT,
    .name = "traceback",
    .base_type = &object_type,
    .flags = TYPE_GC,
    .instance_size = sizeof(Traceback),
    .dealloc = traceback_dealloc,
    .repr = object_default_repr,
    .hash = object_identity_hash,
    .getattr = traceback_getattr,
    .traverse = traceback_traverse,
    .clear = traceback_clear,
};

/* ---- Start-up and teardown ------------------------------------------------------ */

int exceptions_init(Object *builtins) {
    exc_BaseException.methods = base_exception_methods;
    exc_BaseException.getsets = base_exception_getsets;
    if (type_ready(&traceback_type) < 0) return -1;
    for (Type *const *t = all_exception_types; *t; t++) {
        if (type_ready(*t) < 0) return -1;
        if (dict_set_item_cstr(builtins, (*t)->name, (Object *)*t) < 0) return -1;
    }
    for (Type *const *t = module_exception_types; *t; t++)
        if (type_ready(*t) < 0) return -1;
    if (dict_set_item_cstr(builtins, "IOError", (Object *)&exc_OSError) < 0 ||
        dict_set_item_cstr(builtins, "EnvironmentError", (Object *)&exc_OSError) < 0)
        return -1;
    return 0;
}

void exceptions_fini(void) {
    error_fini();
    for (Type *const *t = all_exception_types; *t; t++) CLEAR(&(*t)->dict);
    for (Type *const *t = module_exception_types; *t; t++) CLEAR(&(*t)->dict);
    CLEAR(&traceback_type.dict);
}

/* ---- errno -> exception ------------------------------------------------------- */

static Type *errno_exception_type(int err) {
    switch (err) {
    case ENOENT: return &exc_FileNotFoundError;
    case EEXIST: return &exc_FileExistsError;
    case EACCES: case EPERM: return &exc_PermissionError;
    case EISDIR: return &exc_IsADirectoryError;
    case ENOTDIR: return &exc_NotADirectoryError;
    case EPIPE: case ESHUTDOWN: return &exc_BrokenPipeError;
    case ECONNABORTED: return &exc_ConnectionAbortedError;
    case ECONNREFUSED: return &exc_ConnectionRefusedError;
    case ECONNRESET: return &exc_ConnectionResetError;
    case EINTR: return &exc_InterruptedError;
    case ECHILD: return &exc_ChildProcessError;
    case ESRCH: return &exc_ProcessLookupError;
    case EAGAIN: case EALREADY: case EINPROGRESS: return &exc_BlockingIOError;
    case ETIMEDOUT: return &exc_TimeoutError;
    default: return &exc_OSError;
    }
}

Object *error_set_from_errno2(int err, Object *filename, Object *filename2) {
    /* A call interrupted by Ctrl-C raises KeyboardInterrupt, not
       InterruptedError (as CPython, which runs the handler first). */
    if (err == EINTR && error_check_interrupt() < 0) return NULL;
    Object *code = int_from_i64(err);
    Object *msg = str_from_cstr(strerror(err));
    Object *args = NULL;
    if (code && msg) {
        if (filename2) args = tuple_pack(5, code, msg, filename ? filename : None, None, filename2);
        else if (filename) args = tuple_pack(3, code, msg, filename);
        else args = tuple_pack(2, code, msg);
    }
    XDECREF(code);
    XDECREF(msg);
    if (!args) return NULL;
    Object *exc = exception_new(errno_exception_type(err), args);
    DECREF(args);
    if (!exc) return NULL;
    error_set_instance(exc);
    DECREF(exc);
    return NULL;
}

Object *error_set_from_errno(int err, Object *filename) {
    return error_set_from_errno2(err, filename, NULL);
}
