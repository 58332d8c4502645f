/* vm.c - the bytecode interpreter: the eval loop and its entry points.
 *
 * Frames, the value stack they are carved from, the C-stack guard and
 * argument binding live in frame.c; frame.h holds what the loop inlines
 * from there (pushing and popping a frame, the simple-call test).
 *
 * One C loop, many frames. run() executes frames until its entry frame
 * returns. A call from Toy code to a Toy function pushes a frame and keeps
 * going in the same run() (RETURN_VALUE pops back to the caller inside the
 * loop), so Toy recursion does not consume C stack. Calls to anything else go
 * through object_call; when C code calls a Toy function (vm_call_function:
 * __init__, sort keys, ...) a fresh run() starts on a new entry frame.
 *
 * Recursion limits: frame.h. Every entry from C (vm_call_function,
 * vm_run_code, vm_run_class_body) checks the C-stack guard before it starts
 * a nested run().
 *
 * Ownership inside the loop. Every non-NULL value-stack entry is an owned
 * reference (NULL entries come from PUSH_NULL and LOAD_METHOD). Local and cell
 * slots own their contents. The loop keeps ip/sp in C locals and writes them
 * back to the Frame only when it switches frames.
 *
 * Exceptions. A failing instruction jumps to `error`, which prepends a
 * traceback entry (code, line) for the current frame and unwinds: handler
 * blocks are popped (an EXCEPT_HANDLER block restores ts->handled_exc), the
 * stack is cut to the block's depth, the exception is pushed and control goes
 * to the handler. With no block left the frame is popped; the exception then
 * continues in the calling frame (same loop), or run() returns NULL.
 * Traceback rule: an entry is added each time an exception arrives in a frame
 * from a failing instruction (a C call, a `raise X`, or a callee frame that
 * propagated it). RERAISE and a bare `raise` re-raise the exception as it is,
 * adding nothing, as CPython does: its traceback already holds an entry for
 * the frame that caught it, and the frames it now leaves add theirs as it
 * passes through them.
 *
 * Fast paths inlined in the loop: int arithmetic and comparisons (results in
 * the small-int range come from the cache; a result may reuse an operand
 * object nobody else can see), float arithmetic and comparisons (arith.h),
 * test-and-branch fused when COMPARE_OP or CONTAINS_OP is followed by a
 * conditional jump, global lookups probing the dict inline, method calls
 * without bound-method objects (LOAD_METHOD), list indexing, and `for` over
 * ranges and lists (FOR_ITER steps their iterators itself). Superinstructions
 * (superinstr.h) run frequent pairs of instructions with one dispatch.
 */
#include "interp/vm.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/iterstate.h"
#include "core/objlock.h"
#include "core/race.h"
#include "core/gil.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/class.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/finalize.h"
#include "objects/function.h"
#include "objects/genobject.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/range.h"
#include "objects/set.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "objects/typeversion.h"
#include "modules/builtins.h"
#include "interp/arith.h"
#include "interp/frame.h"
#include "interp/import.h"
#include "interp/opcodes.h"
#include "interp/specialize.h"
#include "interp/typecache.h"

/* ======================================================================== */
/* Helpers for the loop (kept out of it so the loop stays small)              */
/* ======================================================================== */

/* int_from_i64, inlined for the loop, for a v that a small int holds
   (int_new_small: the results of the int fast paths, a range's elements). */
static inline Object *small_or_new_int(int64_t v)
{
    if (v >= SMALL_INT_MIN && v <= SMALL_INT_MAX)
        return int_small(v);
    return int_new_small(v);
}

static bool is_class(Object *o)
{
    return is_instance_of(o, &type_type);
}

static bool is_exception_class(Object *o)
{
    return is_class(o) && type_is_subtype((Type *)o, &exc_BaseException);
}

static bool is_exception_instance(Object *o)
{
    return is_instance_of(o, &exc_BaseException);
}

/* The current exception is the generic "'int' object is not iterable"
   TypeError about o: replace it with a message specific to the context
   (fmt gets the prefix, if any, then the type name). A TypeError raised by a
   user __iter__ is left alone. */
static void refine_not_iterable(Object *o, const char *fmt, const char *prefix)
{
    ThreadState *ts = ts_get();
    Object *exc = ts->current_exc;
    if (exc == NULL || TYPE(exc) != &exc_TypeError)
        return;
    Object *msg = exception_str(exc);
    if (msg == NULL) {
        error_clear();
        error_set_instance(exc);
        return;
    }
    char expected[256];
    snprintf(expected, sizeof expected, "'%s' object is not iterable", TYPE_NAME(o));
    bool generic = strcmp(str_data(msg), expected) == 0;
    DECREF(msg);
    if (!generic)
        return;
    if (prefix != NULL)
        error_set(&exc_TypeError, fmt, prefix, TYPE_NAME(o));
    else
        error_set(&exc_TypeError, fmt, TYPE_NAME(o));
}

/* e.__context__ = ctx, breaking the cycle this could create (ctx's own
   context chain leading back to e). Floyd's two pointers stop the walk on a
   cycle that is already there. Each link is read with a new reference under
   its exception's lock: another thread raising one of these exceptions may
   be changing the chain (toy-ft). */
static void exception_set_context(Object *exc, Object *ctx)
{
    if (ctx == NULL || ctx == exc || !is_exception_instance(exc))
        return;
    Object *o = NEWREF(ctx), *slow = NEWREF(ctx);
    bool advance_slow = false;
    while (o != NULL) {
        if (exception_unlink_context(o, exc)) {
            DECREF(exc); /* the link's; exc is still owned by the thread state */
            break;
        }
        SETREF(&o, exception_context_ref(o));
        if (advance_slow)
            SETREF(&slow, exception_context_ref(slow));
        advance_slow = !advance_slow;
        if (o == slow)
            break;
    }
    XDECREF(o);
    XDECREF(slow);
    exception_set_context_link(exc, ctx);
}

/* The operand of `raise`: an exception instance, or a class to instantiate
   with no arguments. New reference, or NULL with TypeError (err_msg). */
static Object *exception_from_operand(Object *o, const char *err_msg)
{
    if (is_exception_class(o)) {
        Object *inst = object_call0(o);
        if (inst == NULL)
            return NULL;
        if (!is_exception_instance(inst)) {
            error_set(&exc_TypeError,
                      "calling %s should have returned an instance of BaseException, not %s",
                      type_name((Type *)o), TYPE_NAME(inst));
            DECREF(inst);
            return NULL;
        }
        return inst;
    }
    if (is_exception_instance(o))
        return NEWREF(o);
    error_set(&exc_TypeError, "%s", err_msg);
    return NULL;
}

/* RAISE_VARARGS 1 and 2: raise exc [from cause] (both borrowed). Leaves the
   exception to raise (or the error preparing it) set in ts. */
static void do_raise(ThreadState *ts, Object *operand, Object *cause_operand)
{
    Object *exc = exception_from_operand(operand, "exceptions must derive from BaseException");
    if (exc == NULL)
        return;
    if (cause_operand != NULL) {
        Object *cause = NULL;
        if (cause_operand != None) {
            cause = exception_from_operand(cause_operand, "exception causes must derive from BaseException");
            if (cause == NULL) {
                DECREF(exc);
                return;
            }
        }
        ExceptionObject *e = (ExceptionObject *)exc;
        SETREF(&e->cause, cause);
        e->suppress_context = true;
    }
    exception_set_context(exc, ts->handled_exc);
    SETREF(&ts->current_exc, exc);
}

/* JUMP_IF_NOT_EXC_MATCH: does exc match cls (a class or a tuple of them)?
   1, 0, or -1 with TypeError. */
static int exception_matches(Object *exc, Object *cls)
{
    if (is_tuple(cls)) {
        size_t n = tuple_size(cls);
        for (size_t i = 0; i < n; i++)
            if (!is_exception_class(tuple_item(cls, i)))
                goto bad;
        for (size_t i = 0; i < n; i++)
            if (is_instance_of(exc, (Type *)tuple_item(cls, i)))
                return 1;
        return 0;
    }
    if (!is_exception_class(cls))
        goto bad;
    return is_instance_of(exc, (Type *)cls);
bad:
    error_set(&exc_TypeError, "catching classes that do not inherit from BaseException is not allowed");
    return -1;
}

/* Store the n items of seq at sp[0..n) with the first item on top (sp[n-1]).
   0, or -1 with an exception (and nothing stored). */
static int unpack_iterable(Object *seq, size_t n, Object **sp)
{
    Object *it = object_iter(seq);
    if (it == NULL) {
        refine_not_iterable(seq, "cannot unpack non-iterable %s object", NULL);
        return -1;
    }
    size_t got = 0;
    for (; got < n; got++) {
        Object *v = object_next(it);
        if (v == NULL) {
            if (!error_occurred())
                error_set(&exc_ValueError, "not enough values to unpack (expected %zu, got %zu)", n, got);
            goto fail;
        }
        sp[n - 1 - got] = v;
    }
    Object *extra = object_next(it);
    if (extra != NULL) {
        DECREF(extra);
        error_set(&exc_ValueError, "too many values to unpack (expected %zu)", n);
        goto fail;
    }
    if (error_occurred())
        goto fail;
    DECREF(it);
    return 0;
fail:
    for (size_t i = 0; i < got; i++)
        DECREF(sp[n - 1 - i]);
    DECREF(it);
    return -1;
}

/* UNPACK_EX for `a, *b, c = seq`: stores, bottom to top, the `after` items
   (last first), the list of middle items, then the `before` items (first on
   top). Returns the new stack pointer, or NULL with an exception. */
static Object **unpack_starred(Object *seq, size_t before, size_t after, Object **sp)
{
    Object *list = list_from_iterable(seq);
    if (list == NULL) {
        refine_not_iterable(seq, "cannot unpack non-iterable %s object", NULL);
        return NULL;
    }
    size_t len = list_size(list);
    if (len < before + after) {
        error_set(&exc_ValueError, "not enough values to unpack (expected at least %zu, got %zu)",
                  before + after, len);
        DECREF(list);
        return NULL;
    }
    size_t nmiddle = len - before - after;
    Object *middle = list_new(nmiddle);
    if (middle == NULL) {
        DECREF(list);
        return NULL;
    }
    for (size_t i = 0; i < nmiddle; i++)
        list_set_steal(middle, i, NEWREF(list_item(list, before + i)));
    for (size_t k = after; k-- > 0;)
        *sp++ = NEWREF(list_item(list, len - after + k));
    *sp++ = middle;
    for (size_t k = before; k-- > 0;)
        *sp++ = NEWREF(list_item(list, k));
    DECREF(list);
    return sp;
}

/* FORMAT_VALUE: apply the conversion (1 !s, 2 !r, 3 !a), then the spec.
   value and spec borrowed; spec may be NULL. */
static Object *format_value(Object *value, int conversion, Object *spec)
{
    Object *converted;
    switch (conversion) {
    case 1: converted = object_str(value); break;
    case 2: converted = object_repr(value); break;
    case 3: converted = format_ascii(value); break;
    default: converted = NEWREF(value); break;
    }
    if (converted == NULL)
        return NULL;
    if (spec == NULL && is_str_exact(converted))
        return converted;
    Object *result = format_object(converted, spec);
    DECREF(converted);
    return result;
}

/* The exception in ts leaves frame f. When some class defines __del__, its
   traceback keeps f's local values alive, as a CPython frame would: their
   __del__ then runs when the exception goes (after the except block that
   caught it), not now. Without such a class nobody can tell the difference,
   and nothing is kept. */
static __attribute__((noinline)) void keep_locals_for_traceback(ThreadState *ts, Frame *f)
{
    Object *exc = ts->current_exc;
    if (exc == NULL || !is_exception_instance(exc))
        return;
    CodeObject *co = f->code;
    INCREF(exc);
    if (exception_keep_locals(exc, (Object *)co, f->slots, (size_t)(co->nlocals + co->ncells)) < 0)
        error_restore(exc); /* no memory to keep them: they go now, as before */
    else
        DECREF(exc);
}

/* BUILD_SET: a new set of the n values at items, whose references it
   releases whatever happens. Out of line: rare, and the eval loop's
   registers are better spent on its hot opcodes. */
static __attribute__((noinline)) Object *build_set(Object **items, size_t n)
{
    Object *set = set_new(NULL);
    int r = set ? 0 : -1;
    for (size_t i = 0; i < n && r == 0; i++)
        r = set_add(set, items[i]);
    for (size_t i = 0; i < n; i++)
        DECREF(items[i]);
    if (r < 0)
        CLEAR(&set);
    return set;
}

/* An item of BUILD_STRING that is not a plain str: false for an instance of
   a str subclass (a __str__ or __format__ may return one), else true with
   the TypeError set. Out of line: inlined, the subclass test slows the
   loop below for every f-string. */
static __attribute__((noinline)) bool build_string_bad_item(Object *o)
{
    if (is_str(o))
        return false;
    error_set(&exc_TypeError, "BUILD_STRING expected str, not %s", TYPE_NAME(o));
    return true;
}

/* BUILD_STRING: concatenate n str objects (borrowed). */
static Object *build_string(Object *const *items, size_t n)
{
    size_t total = 0, nchars = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_str_exact(items[i]) && build_string_bad_item(items[i]))
            return NULL;
        total += str_len(items[i]);
        nchars += ((StrObject *)items[i])->nchars;
    }
    Object *s = str_new_raw(total);
    if (s == NULL)
        return NULL;
    char *out = ((StrObject *)s)->data;
    for (size_t i = 0; i < n; i++) {
        memcpy(out, str_data(items[i]), str_len(items[i]));
        out += str_len(items[i]);
    }
    *out = '\0';
    ((StrObject *)s)->nchars = nchars; /* the parts' counts: no scan */
    ((StrObject *)s)->ascii = nchars == total;
    return s;
}

/* "__main__.f()" / "print()": how CPython names a callable in errors about
   f(*args, **kwargs). New reference. */
static Object *callable_description(Object *func)
{
    Object *qualname = object_getattr_cstr(func, "__qualname__");
    if (qualname == NULL || !is_str(qualname)) {
        error_clear();
        XDECREF(qualname);
        return object_str(func);
    }
    Object *module = object_getattr_cstr(func, "__module__");
    if (module == NULL)
        error_clear();
    Object *desc;
    if (module != NULL && is_str(module) && strcmp(str_data(module), "builtins") != 0)
        desc = str_from_format("%s.%s()", str_data(module), str_data(qualname));
    else
        desc = str_from_format("%s()", str_data(qualname));
    XDECREF(module);
    DECREF(qualname);
    return desc;
}

/* Raise TypeError with fmt taking the callable description of func first. */
static void error_about_call(Object *func, const char *fmt, const char *detail)
{
    Object *desc = callable_description(func);
    if (desc == NULL)
        return;
    error_set(&exc_TypeError, fmt, str_data(desc), detail);
    DECREF(desc);
}

/* DICT_MERGE: merge mapping m into the kwargs dict being built for a call of
   func. Duplicate keys are an error. 0 / -1. */
static int merge_call_kwargs(Object *dict, Object *m, Object *func)
{
    Object *keys = NULL;
    if (!dict_is_plain_mapping(m)) {
        Object *keys_method = object_getattr_cstr(m, "keys");
        if (keys_method == NULL) {
            if (!error_matches(&exc_AttributeError))
                return -1;
            error_clear();
            error_about_call(func, "%s argument after ** must be a mapping, not %s", TYPE_NAME(m));
            return -1;
        }
        Object *k = object_call0(keys_method);
        DECREF(keys_method);
        if (k == NULL)
            return -1;
        keys = list_from_iterable(k);
        DECREF(k);
        if (keys == NULL)
            return -1;
    }
    size_t pos = 0, i = 0;
    int result = -1;
    for (;;) {
        /* New references: another thread (toy-ft) may change m meanwhile. */
        Object *key, *value;
        if (keys == NULL) {
            if (!dict_next_ref(m, &pos, &key, &value))
                break;
        } else {
            if (i >= list_size(keys))
                break;
            key = NEWREF(list_item(keys, i++));
            if ((value = object_getitem(m, key)) == NULL) {
                DECREF(key);
                goto done;
            }
        }
        int r = -1;
        if (!is_str(key))
            error_set(&exc_TypeError, "keywords must be strings");
        else if (dict_get_item(dict, key) != NULL)
            error_about_call(func, "%s got multiple values for keyword argument '%s'", str_data(key));
        else
            r = dict_set_item(dict, key, value);
        DECREF(key);
        DECREF(value);
        if (r < 0)
            goto done;
    }
    result = 0;
done:
    XDECREF(keys);
    return result;
}

/* CALL_EX's argument tuple from whatever followed `*`. New reference. */
static Object *star_args_tuple(Object *func, Object *args)
{
    if (is_tuple_exact(args))
        return NEWREF(args);
    Object *t = tuple_from_iterable(args);
    if (t == NULL) {
        Object *desc = callable_description(func);
        if (desc != NULL) {
            refine_not_iterable(args, "%s argument after * must be an iterable, not %s", str_data(desc));
            DECREF(desc);
        }
    }
    return t;
}

/* Is meth a built-in type's method that may be called with obj as self
   (obj an instance of that type: `f = list.append` in a class body does
   not make its instances lists)? */
static inline bool method_descr_applies(Object *meth, Object *obj)
{
    return TYPE(meth) == &method_descr_type && is_instance_of(obj, ((MethodDescrObject *)meth)->owner);
}

/* __enter__ / __exit__ looked up on the type, bound to o. NULL without an
   exception when the type has none. */
static Object *lookup_special(Object *o, const char *name)
{
    Object *attr = type_lookup_cstr(TYPE(o), name);
    if (attr == NULL)
        return NULL;
    if (TYPE(attr) == &function_type)
        return method_new(attr, o);
    if (method_descr_applies(attr, o))
        return builtin_new(((MethodDescrObject *)attr)->def, o);
    return object_getattr_cstr(o, name);
}

/* PRINT_EXPR: the REPL echo of an expression statement. 0 / -1. */
static int print_expr(Object *v)
{
    if (v == None)
        return 0;
    Object *r = object_repr(v);
    if (r == NULL)
        return -1;
    int rc = builtins_write_stdout(str_data(r), str_len(r));
    DECREF(r);
    if (rc < 0 || builtins_write_stdout("\n", 1) < 0)
        return -1;
    return dict_set_item_cstr(interp.builtins, "_", v);
}

/* MAKE_FUNCTION. Steals code and the optional parts. */
static Object *make_function(Object *code, Object *globals, Object *defaults,
                             Object *kwdefaults, Object *closure, Object *parent)
{
    FunctionObject *fn = (FunctionObject *)function_new(code, globals);
    DECREF(code);
    if (fn == NULL) {
        XDECREF(defaults);
        XDECREF(kwdefaults);
        XDECREF(closure);
        return NULL;
    }
    fn->defaults = defaults;
    fn->kwdefaults = kwdefaults;
    fn->closure = closure;
    /* A function made in a class body, or in a function made there, shares
       the body's class cell, as CPython's __class__ closure does. */
    Object *cell = parent != NULL ? ((FunctionObject *)parent)->class_cell : NULL;
    if (cell != NULL)
        fn->class_cell = NEWREF(cell);
    return (Object *)fn;
}

/* LOAD_METHOD can skip the bound-method object when attribute lookup is the
   standard one (instance dict, then class): for built-in types using the
   generic getattr and for instances of user classes (class.c's getattr
   differs only in what it does when that lookup fails) unless they define
   __getattribute__. Classes themselves
   and types with their own getattr (modules, ...) do not qualify; user
   classes cannot derive from type. */
static inline bool method_lookup_is_plain(Type *t)
{
    return t->getattr == object_generic_getattr || t->getattr == NULL ||
           (t->flags & (TYPE_HEAP | TYPE_GETATTRIBUTE)) == TYPE_HEAP;
}

/* Names for messages. */
static const char *cell_name(CodeObject *co, size_t i, bool *is_free)
{
    size_t ncellvars = tuple_size(co->cellvars);
    *is_free = i >= ncellvars;
    return str_data(*is_free ? tuple_item(co->freevars, i - ncellvars) : tuple_item(co->cellvars, i));
}

static void error_unbound_local(CodeObject *co, size_t i)
{
    error_set(&exc_UnboundLocalError,
              "cannot access local variable '%s' where it is not associated with a value",
              str_data(tuple_item(co->varnames, i)));
}

static void error_unbound_cell(CodeObject *co, size_t i)
{
    bool is_free;
    const char *name = cell_name(co, i, &is_free);
    if (is_free)
        error_set(&exc_NameError,
                  "cannot access free variable '%s' where it is not associated with a value in enclosing scope",
                  name);
    else
        error_set(&exc_UnboundLocalError,
                  "cannot access local variable '%s' where it is not associated with a value", name);
}

/* The implicit __class__ of a method: a new reference, or NULL with NameError. */
static __attribute__((noinline)) Object *load_class_cell(Frame *f)
{
    Object *cell = f->function ? ((FunctionObject *)f->function)->class_cell : NULL;
    Object *cls = cell ? ((CellObject *)cell)->contents : NULL;
    if (cls == NULL)
        return error_set(&exc_NameError, "cannot access free variable '__class__' where it "
                         "is not associated with a value in enclosing scope");
    return NEWREF(cls);
}

static void error_name(Object *name)
{
    error_set(&exc_NameError, "name '%s' is not defined", str_data(name));
}

#ifdef TOY_TRACE_EXEC
static void trace_instr(Frame *f, const uint32_t *first_instr, const uint32_t *ip, Object **sp)
{
    CodeObject *co = f->code;
    int i = (int)(ip - first_instr);
    uint32_t ins = first_instr[i];
    fprintf(stderr, "[%s:%d] %4d %-22s %6u  (stack %d)\n", str_data(co->name), code_line(co, i), i,
            opcode_name(INSTR_OP(ins)), (unsigned)INSTR_ARG(ins),
            (int)(sp - f->slots - co->nlocals - co->ncells));
}
#endif

/* An empty index slot at the first probe also answers: absent (every key
   with that hash would sit on the probe path that starts there). A method
   looked up along an MRO, or in an instance dict that does not hold it,
   misses this way, or a little further along (dict_get_str_from). The
   GIL build's lookup; toy-ft's only while the thread is alone (it runs no
   Toy code: a key of the same hash that is not name goes to dict_get_str,
   which takes the lock). */
static inline Object *dict_lookup_name_plain(Object *d, Object *name)
{
    DictObject *dict = (DictObject *)d;
    int64_t hash = str_hash_cached(name);
    if (LIKELY(hash != -1 && dict->index != NULL)) {
        size_t i = (size_t)hash & (dict->index_size - 1);
        int64_t ix = dict->index[i];
        if (ix >= 0 && dict->entries[ix].key == name)
            return dict->entries[ix].value;
        if (ix == -1)
            return NULL;
        return dict_get_str_from(d, name, i);
    }
    return dict_get_str(d, name);
}
#ifndef TOY_FREE_THREADED
#define dict_lookup_name(d, name) dict_lookup_name_plain(d, name)
/* LOAD_GLOBAL and LOAD_NAME: the lookup is borrowed, the opcode takes the
   reference. */
#define dict_lookup_name_for_load(d, name) dict_lookup_name(d, name)
#define INCREF_LOADED(v) INCREF(v)
#else
/* dict_get_str with the common case inlined: an interned name found at its
   first probe position. A key pointer match is a real hit wherever it is,
   so anything else (collision, miss, hash not computed yet) just takes the
   full lookup. dict_probe_name is the inline part alone: NULL means "not
   found there", not "absent". Borrowed results. */
static inline Object *dict_probe_name(Object *d, Object *name)
{
    DictObject *dict = (DictObject *)d;
    int64_t hash = str_hash_cached(name);
    if (LIKELY(hash != -1 && dict->index != NULL)) {
        int64_t ix = dict->index[(size_t)hash & (dict->index_size - 1)];
        if (ix >= 0 && dict->entries[ix].key == name)
            return dict->entries[ix].value;
    }
    return NULL;
}

/* toy-ft: no probe outside the dict's lock (a resize may be freeing the
   table), and the loads take their reference under it: another thread may
   rebind the name and release the old value at any moment. As in the GIL
   build, an empty index slot at the first probe answers "absent" too. */
static inline Object *dict_lookup_name(Object *d, Object *name)
{
    DictObject *dict = (DictObject *)d;
    int64_t hash = str_hash_cached(name);
    if (LIKELY(hash != -1)) {
        objlock_lock(d);
        int64_t ix = dict->index != NULL ? dict->index[(size_t)hash & (dict->index_size - 1)] : -2;
        Object *v = ix >= 0 && dict->entries[ix].key == name ? dict->entries[ix].value : NULL;
        objlock_unlock(d);
        if (v != NULL || ix == -1)
            return v;
    }
    return dict_get_str(d, name);
}
/* Once threads run, the dicts of modules and classes answer without the
   lock when the value is immortal (dict_read_ref: no reference to take) or
   the name is absent; anything else takes the reference under the lock. */
static __attribute__((noinline)) Object *dict_lookup_name_threaded(Object *d, Object *name)
{
    return dict_read_str_ref(d, name);
}
/* Before a second thread starts, the first probe needs no lock: nobody
   else can change the dict. */
static inline __attribute__((always_inline)) Object *dict_lookup_name_ref(Object *d, Object *name)
{
    if (UNLIKELY(!ts_single_threaded()))
        return dict_lookup_name_threaded(d, name);
    Object *v = dict_probe_name(d, name);
    if (v == NULL)
        return dict_get_str_ref(d, name);
    INCREF(v);
    return v;
}
#define dict_lookup_name_for_load(d, name) dict_lookup_name_ref(d, name)
#define INCREF_LOADED(v) ((void)(v))
#endif

/* The eval loop's own list fast paths (subscript, store, for, unpack) read
   the item array directly. toy-ft takes them only while the main thread is
   alone, asked at each use (none of them runs Toy code, so no thread can
   start in the middle of one); once threads run, its subscript, store and
   `for` reach one item under the list's lock instead (list_fetch_index,
   list_store_index, list_fetch in objects/list.h), and unpacking goes to
   the locked slots. */
#ifndef TOY_FREE_THREADED
#define VM_LIST_FAST_PATHS 1
#define VM_RANGE_STEP_TYPE (&range_iterator_type)
#define VM_RANGE_ITER_UNSHARED(t, it) false
#define FT_INLINE static inline
#else
#define VM_LIST_FAST_PATHS LIKELY(ts_single_threaded())
/* The inline range step of FOR_ITER and `yield from` (plain stores) runs
   only while one thread runs: once threads run, another may step the same
   range iterator, and its own next() claims each value (objects/range.c).
   The iterator's type is compared with range_iterator while alone, NULL
   after (ts_alone_inline_type, set by vm_init_inline_steps): one
   comparison for both questions, asked at each step. */
#define VM_RANGE_STEP_TYPE ((const Type *)ts_alone_inline_type_now())
/* FOR_ITER steps a range iterator inline also once threads run (asked
   after its other types, so that a loop alone pays nothing for it), when
   the loop's own reference on its stack is the only one (REFCNT_IS: this
   thread owns it, counts 1 and no other thread has counted it, as with
   `for i in range(n)`; read with acquire ordering, REFCNT_IS_ONLY, so that
   the steps of another thread that held it before come first): no other
   thread can reach it, nor get a reference from one that only this frame
   holds, so the two atomic operations of range_iter_take buy nothing
   (alloc.toy with threads started: 13% of its time). Nor can one reach
   it without a count: a range iterator takes no weak references and the
   collector does not track it (gc.get_objects cannot hand it out). An
   iterator the program also names (`it = iter(r)`) counts 2 and takes
   them. */
#define VM_RANGE_ITER_UNSHARED(t, it) ((t) == &range_iterator_type && REFCNT_IS_ONLY(it))
/* Helpers the GIL build inlines on its own and toy-ft's gcc called out of
   line: list_subscr_fast and list_store_fast with both their forms in them
   (nbody.toy: 18% of its instructions), stored_slot (list.toy: 3%),
   str_add_inplace (every str + str: strings.toy 1%). */
#define FT_INLINE static inline __attribute__((always_inline))
#endif

/* A name missing from the globals dict: a dict subclass's __missing__
   answers first (as CPython's item lookup on such globals does), then the
   builtins; else NameError. A new reference, or NULL. */
static __attribute__((noinline)) Object *load_global_missing(Frame *f, Object *name)
{
    if (TYPE(f->globals) != &dict_type) {
        Object *v = object_getitem(f->globals, name);
        if (v != NULL || !error_matches(&exc_KeyError))
            return v;
        error_clear();
    }
    Object *v = dict_lookup_name_for_load(interp.builtins, name);
#ifdef TOY_FREE_THREADED
    /* The globals and the builtins are looked at one after the other, each
       under its own lock: another thread may have bound the name in the
       globals after the first look there, and then removed it from the
       builtins. Look at the globals again, so that a name bound at every
       moment is always found (under the GIL the lookups are one step). */
    if (v == NULL && TYPE(f->globals) == &dict_type)
        v = dict_lookup_name_ref(f->globals, name);
#endif
    if (v == NULL) {
        error_name(name);
        return NULL;
    }
    INCREF_LOADED(v);
    return v;
}

/* LOAD_NAME when the locals are a mapping other than a dict (exec's locals
   argument): its __getitem__, where KeyError means "not here, try globals". */
static __attribute__((noinline)) Object *load_name_mapping(Frame *f, Object *name)
{
    Object *v = object_getitem(f->locals, name);
    if (v != NULL || !error_matches(&exc_KeyError))
        return v;
    error_clear();
    if ((v = dict_lookup_name_for_load(f->globals, name)) == NULL)
        return load_global_missing(f, name);
    INCREF_LOADED(v);
    return v;
}

/* DELETE_NAME on such a mapping, with dict_del_item's results: 0 deleted,
   1 missing (KeyError), -1 another error. */
static __attribute__((noinline)) int del_name_mapping(Object *ns, Object *name)
{
    if (object_delitem(ns, name) == 0)
        return 0;
    if (!error_matches(&exc_KeyError))
        return -1;
    error_clear();
    return 1;
}

/* Quickening (specialize.h). The GIL build rewrites co->instrs itself;
   toy-ft runs each thread's own copy, and quickens only a copy (never the
   shared original, which a thread without a copy runs). */
#ifndef TOY_FREE_THREADED
#define CODE_INSTRS(co) ((co)->instrs)
#define OWN_INSTRS 1
#define TYPECACHE_MAY_KEEP(v) 1
#else
#define CODE_INSTRS(co) specialize_thread_code(co)
#define OWN_INSTRS (first_instr != co->instrs)
#define TYPECACHE_MAY_KEEP(v) ((v) == NULL || specialize_keep_borrowed(v))
#endif

/* A cached dict entry's value, read as the GIL build reads it: the dict's
   keys version equal to the cache's says the entry still has the key. In
   toy-ft the compare, the read and the new reference happen under the
   dict's lock (another thread may resize the dict or rebind the name and
   release the value at any moment); v is NULL when the version differs. */
#ifndef TOY_FREE_THREADED
#define LOAD_CACHED_ENTRY(v, d, version, ix)                                  \
    do {                                                                      \
        DEOPT_IF((d)->keys_version != (version));                             \
        (v) = (d)->entries[ix].value;                                         \
        INCREF(v);                                                            \
    } while (0)
#else
#define LOAD_CACHED_ENTRY(v, d, version, ix)                                  \
    do {                                                                      \
        (v) = dict_entry_ref_if((d), (version), (ix));                        \
        DEOPT_IF((v) == NULL);                                                \
    } while (0)

static inline Object *dict_entry_ref_if(DictObject *d, uint32_t version, uint32_t ix)
{
    Object *v = NULL;
    if (LIKELY(ts_single_threaded())) {
        /* Before a second thread starts nobody else can change the dict
           (as dict_lookup_name_ref). */
        if (d->keys_version != version)
            return NULL;
        v = d->entries[ix].value;
        INCREF(v);
        return v;
    }
    /* The dict of a module or class, an immortal value: no lock, no count
       (dict.h, dict_read_entry); anything else is read under the lock. */
    if (dict_read_entry((Object *)d, version, ix, &v) == 1)
        return v;
    v = NULL;
    objlock_lock(d);
    if (d->keys_version == version) {
        v = d->entries[ix].value;
        INCREF(v); /* may make it immortal: a second thread's reference */
        dict_read_settle(d, ix, v);
    }
    objlock_unlock(d);
    return v;
}

static inline bool dict_has_keys_version(DictObject *d, uint32_t version)
{
    if (LIKELY(ts_single_threaded()))
        return d->keys_version == version;
    int known = dict_read_keys_version((Object *)d, version);
    if (known >= 0)
        return known;
    objlock_lock(d);
    bool same = d->keys_version == version;
    objlock_unlock(d);
    return same;
}

/* LOAD_ATTR_INSTANCE's hint once threads run: the value of entry ix if
   its key is name, with a new reference taken under the lock; else NULL.
   An immortal value (None, a small int, an interned str, a shared function) is
   read without the lock and counted by nobody (dict_read_hint), once a
   locked read has found such a value and made the dict readable so. Out
   of line: the single thread's path below stays small enough to inline. */
static __attribute__((noinline)) Object *dict_hint_ref_threads(DictObject *d, uint32_t ix,
                                                                Object *name)
{
    Object *v;
    if (dict_read_hint((Object *)d, ix, name, &v) == 1)
        return v;
    v = NULL;
    objlock_lock(d);
    if (ix < d->nentries && d->entries[ix].key == name) {
        v = d->entries[ix].value;
        INCREF(v);
        dict_read_settle_attr(d, ix, v);
    }
    objlock_unlock(d);
    return v;
}

/* LOAD_ATTR_INSTANCE's hint: the value of entry ix if its key is name, as
   a new reference; else NULL. */
static inline Object *dict_hint_ref(DictObject *d, uint32_t ix, Object *name)
{
    if (UNLIKELY(!ts_single_threaded()))
        return dict_hint_ref_threads(d, ix, name);
    Object *v = NULL; /* no other thread to lock out */
    if (ix < d->nentries && d->entries[ix].key == name) {
        v = d->entries[ix].value;
        INCREF(v);
    }
    return v;
}
#endif

/* type_lookup (object.c) with dict_lookup_name's inlined first probe: the
   method lookup of LOAD_METHOD. NULL if absent. Borrowed in the GIL build;
   in toy-ft a new reference (another thread may rebind the name and free
   the value), which LOAD_METHOD keeps or gives back (LOOKUP_KEEP,
   LOOKUP_PUT). */
#ifndef TOY_FREE_THREADED
#define dict_lookup_name_for_class(d, name) dict_lookup_name(d, name)
#define LOOKUP_KEEP(v) INCREF(v)
#define LOOKUP_PUT(v) ((void)(v))
#else
#define dict_lookup_name_for_class(d, name) dict_lookup_name_ref(d, name)
#define LOOKUP_KEEP(v) ((void)(v))
#define LOOKUP_PUT(v) XDECREF(v)
#endif
static inline Object *lookup_in_class_walk(Type *t, Object *name)
{
    for (size_t i = 0; i < t->mro_len; i++) {
        Type *b = t->mro[i];
        if (b->dict != NULL) {
            Object *v = dict_lookup_name_for_class(b->dict, name);
            if (v != NULL)
                return v;
        }
    }
    return NULL;
}

/* lookup_in_class_walk through the type cache (interp/typecache.h) while
   quickening is on and t is a user class with a tag. */
static inline __attribute__((always_inline)) Object *lookup_in_class(Type *t, Object *name)
{
    if (specialize_families == 0 || UNLIKELY(str_hash_cached(name) == -1))
        return lookup_in_class_walk(t, name);
    TypeCacheEntry *table = typecache_table();
    uint32_t tag = type_version_tag_now(t);
    if (UNLIKELY(table == NULL))
        return lookup_in_class_walk(t, name);
    TypeCacheEntry *e = typecache_entry(table, tag, name);
    if (tag != 0 && e->tag == tag && e->name == name)
        return e->value; /* toy-ft: immortal, no reference needed */
    /* The tag is taken before the walk, as the specialiser does. In toy-ft
       another thread may change the class during the walk: its second tag
       drop (typeversion.h) then kills this tag, and a value kept must be
       immortal. Taken after the walk, the tag could be given after that
       drop and keep what the walk saw before the change, until the class
       changed again. */
    tag = type_version_tag(t);
    Object *v = lookup_in_class_walk(t, name);
    if (tag != 0 && TYPECACHE_MAY_KEEP(v))
        typecache_store(typecache_entry(table, tag, name), tag, name, v);
    return v;
}

/* obj's instance dict, or NULL (none, or not made yet). */
FT_INLINE Object *instance_dict_of(Object *obj, Type *t)
{
    return t->dict_offset ? instance_dict_load((Object **)((char *)obj + t->dict_offset)) : NULL;
}

/* instance_lacks_name's probe when the key bits cannot answer: in
   toy-ft out of line, so that the check the loop inlines stays the bits'
   one load; without the lock while the thread is alone (the probe runs no
   Toy code, so no thread can start meanwhile), else under it. */
#ifndef TOY_FREE_THREADED
#define dict_lacks_name(d, name) (dict_lookup_name(d, name) == NULL)
#else
/* Once threads run; its own function, so that the probe of a thread
   alone saves no register for the lock's call. */
static __attribute__((noinline)) bool dict_lacks_name_locked(Object *d, Object *name)
{
    return dict_lookup_name(d, name) == NULL;
}

static __attribute__((noinline)) bool dict_lacks_name(Object *d, Object *name)
{
    if (UNLIKELY(!ts_single_threaded()))
        return dict_lacks_name_locked(d, name);
    return dict_lookup_name_plain(d, name) == NULL;
}
#endif

/* The guard of the inline caches that answer from obj's class: its
   instance dict, if it has one, does not hold name (which would shadow the
   class's attribute). */
static inline bool instance_lacks_name(Object *obj, Type *t, Object *name)
{
    Object *d = instance_dict_of(obj, t);
    if (d == NULL)
        return true;
    /* An instance dict holds a few attributes, rarely one named as a
       method: most often its key bits answer without a probe (in toy-ft
       without the dict's lock too: dict_surely_lacks says why). */
    int64_t hash = str_hash_cached(name);
    if (LIKELY(hash != -1) && dict_surely_lacks(d, hash))
        return true;
    return dict_lacks_name(d, name);
}

/* LOAD_METHOD_FUNC for an instance of a class other than the one its cache
   was filled for (a subclass or a sibling, sharing the method of their
   base or overriding it): the Toy function a plain method lookup on t
   finds, as a new reference, or NULL when the lookup is not plain or finds
   anything else (the generic form decides then). The cached pointer is not
   used: a class that has changed since may have freed it. So a call site
   whose receivers are of several classes (richards' task.run()) stays
   specialised whether or not they share the method. */
static __attribute__((noinline)) Object *function_of_class_slow(Type *t, Object *name)
{
    if (!method_lookup_is_plain(t))
        return NULL;
    Object *found = lookup_in_class(t, name);
    if (found != NULL && TYPE(found) == &function_type) {
        LOOKUP_KEEP(found);
        return found;
    }
    LOOKUP_PUT(found);
    return NULL;
}

/* function_of_class_slow with the type cache's hit inline. In the GIL
   build an entry is borrowed from a class dict that holds it while the
   tag matches; toy-ft reads its own thread's table, whose values are all
   immortal (TYPECACHE_MAY_KEEP): a reference to one is counted by nobody.
   A thread whose table is not made yet takes the slow path, which makes
   it. */
static inline Object *function_of_class(Type *t, Object *name)
{
    uint32_t tag = type_version_tag_now(t);
#ifndef TOY_FREE_THREADED
    TypeCacheEntry *e = typecache_entry(typecache, tag, name);
#else
    TypeCacheEntry *table = typecache_mine;
    if (UNLIKELY(table == NULL))
        return function_of_class_slow(t, name);
    TypeCacheEntry *e = typecache_entry(table, tag, name);
#endif
    Object *v = e->value;
    if (LIKELY(e->tag == tag && e->name == name && tag != 0 && v != NULL &&
               TYPE(v) == &function_type && method_lookup_is_plain(t))) {
        INCREF_KEPT(v);
        return v;
    }
    return function_of_class_slow(t, name);
}

/* Does an attribute read on an instance of t find it in the instance dict
   first, whatever the name? A user class without a data descriptor
   anywhere along its MRO (TYPE_DATA_DESCRS is set for good once one may
   exist; a built-in base with computed attributes, int.real, has it too)
   and without __getattribute__: then a hit in the instance dict is the
   answer. The generic LOAD_ATTR asks this before its probe, and the
   instance forms ask it when the class is not the one their cache was
   filled for, so that a site seeing several such classes (a method that
   subclasses share) stays specialised. */
static inline bool instance_dict_first(Type *t)
{
    return (t->flags & (TYPE_HEAP | TYPE_EXCEPTION | TYPE_DATA_DESCRS | TYPE_GETATTRIBUTE)) ==
               TYPE_HEAP &&
           t->dict_offset != 0;
}

/* The same for a store of name: a user class with no __setattr__, no data
   descriptor, an instance dict, and not a dunder name (__class__ and
   __dict__ replace the class and the dict themselves). */
static inline bool instance_dict_stores(Type *t, Object *name)
{
    const char *s = str_data(name);
    return (t->flags & (TYPE_HEAP | TYPE_EXCEPTION | TYPE_DATA_DESCRS | TYPE_NO_DICT)) ==
               TYPE_HEAP &&
           (t->setattr == NULL || t->setattr == object_generic_setattr) &&
           t->dict_offset != 0 && !(s[0] == '_' && s[1] == '_');
}

/* The entry of name in the instance dict d, or -1: the first probe inline
   (where nearly every attribute is found), else the full lookup. In toy-ft
   the probe holds the dict's lock (a no-op in the GIL build); the entry is
   a hint there, which dict_hint_ref and dict_replace_at check again. */
static inline int64_t instance_entry_of(DictObject *d, Object *name)
{
    int64_t hash = str_hash_cached(name);
    if (UNLIKELY(hash == -1))
        return dict_str_entry((Object *)d, name);
    objlock_lock(d);
    int64_t ix = d->index != NULL ? d->index[(size_t)hash & (d->index_size - 1)] : -1;
    bool found = ix >= 0 && d->entries[ix].key == name;
    objlock_unlock(d);
    if (found)
        return ix;
    return ix == -1 ? -1 : dict_str_entry((Object *)d, name);
}

/* LOAD_ATTR_INSTANCE's hit, once the caller has checked the class: the
   value at entry `hint` of obj's instance dict if its key is name, as a
   new reference (toy-ft, threads running: dict_hint_ref_threads), else NULL. */
static inline Object *instance_attr_at(Object *obj, Type *t, uint32_t hint, Object *name)
{
    DictObject *d = (DictObject *)instance_dict_of(obj, t);
    if (d == NULL)
        return NULL;
#ifndef TOY_FREE_THREADED
    if (hint >= d->nentries || d->entries[hint].key != name)
        return NULL;
    Object *v = d->entries[hint].value;
    INCREF(v);
    return v;
#else
    return dict_hint_ref(d, hint, name);
#endif
}

/* LOAD_ATTR_INSTANCE's hint missed: this instance's dict holds name at
   another entry (its attributes were set in another order, or it is of
   another class) or not at all. A found entry becomes the hint, so a site
   that sees such instances in turn looks up once per change. The value
   as a new reference, or NULL (absent: the generic form decides). */
static __attribute__((noinline)) Object *instance_attr_relearn(Object *obj, Type *t,
                                                               uint32_t *hint, Object *name)
{
    DictObject *d = (DictObject *)instance_dict_of(obj, t);
    int64_t ix = d != NULL ? instance_entry_of(d, name) : -1;
    if (ix < 0)
        return NULL;
    *hint = (uint32_t)ix;
    return instance_attr_at(obj, t, *hint, name); /* toy-ft: checked again under the lock */
}

/* STORE_ATTR_INSTANCE's hint missed: swap at the entry name is found
   at, which becomes the hint. NULL: not in the dict (a new attribute). */
static __attribute__((noinline)) Object *instance_store_relearn(Object *d, uint32_t *hint,
                                                                Object *name, Object *v)
{
    int64_t ix = instance_entry_of((DictObject *)d, name);
    Object *old = ix >= 0 ? dict_swap_at(d, (size_t)ix, name, v) : NULL;
    if (old != NULL)
        *hint = (uint32_t)ix;
    return old;
}

/* STORE_ATTR_INSTANCE's store at entry `hint`, or, when the hint misses,
   at the entry name is found at: the dict takes over the caller's
   reference to v and hands back the old value's (dict_swap_at), which the
   caller releases once its stack no longer holds v. NULL: nothing done
   (no dict, or name not in it: a new attribute). */
static inline Object *instance_store_at(Object *obj, Type *t, uint32_t *hint, Object *name,
                                        Object *v)
{
    Object *d = instance_dict_of(obj, t);
    if (d == NULL)
        return NULL;
    Object *old = dict_swap_at(d, *hint, name, v);
    return LIKELY(old != NULL) ? old : instance_store_relearn(d, hint, name, v);
}

/* The guard of the inline caches that answer from a class object itself
   (Cls.attr, Cls.method): only the class that was looked at has the tag
   (built-in types have none), so an equal tag names it, its dict and its
   MRO unchanged. */
static inline bool is_class_with_tag(Object *obj, uint32_t tag)
{
    return TYPE(obj) == &type_type && type_version_tag_now((Type *)obj) == tag;
}

/* STORE_ATTR's generic form, for a site that sees instances of several
   classes: self.x = v on an instance of a user class with no __setattr__
   and no data descriptor along its MRO, whose dict holds x at the first
   probe position, replaces the value there, as dict_set_item would. A
   dunder name (__class__) takes the full path. In toy-ft the probe reads
   the index under the dict's lock, and dict_replace_at takes it again and
   checks the key before it replaces (the dict may have changed between).
   false: nothing done. */
static inline bool store_attr_in_place(Object *obj, Type *t, Object *name, Object *v)
{
    if (!instance_dict_stores(t, name))
        return false;
    DictObject *d = (DictObject *)instance_dict_of(obj, t);
    int64_t hash = str_hash_cached(name);
#ifndef TOY_FREE_THREADED
    if (d == NULL || TYPE(d) != &dict_type || hash == -1 || d->index == NULL)
        return false;
    int64_t ix = d->index[(size_t)hash & (d->index_size - 1)];
#else
    if (d == NULL || TYPE(d) != &dict_type || hash == -1)
        return false;
    objlock_lock(d);
    int64_t ix = d->index != NULL ? d->index[(size_t)hash & (d->index_size - 1)] : -1;
    objlock_unlock(d);
#endif
    return ix >= 0 && dict_replace_at((Object *)d, (size_t)ix, name, v);
}

/* The local slot that the instruction word next stores into first: a
   STORE_FAST, or a superinstruction that starts with one. -1 for any
   other instruction. */
FT_INLINE int64_t stored_slot(uint32_t next)
{
    switch (INSTR_OP(next)) {
    case OP_STORE_FAST:
        return INSTR_ARG(next);
    case OP_STORE_FAST_LOAD_FAST:
    case OP_STORE_FAST_JUMP:
        return SUPER_FIRST(INSTR_ARG(next));
    default:
        return -1;
    }
}

/* s += t on two exact strs: *a (owned, from the stack) is grown in place
   when nobody else can see it (str_concat_inplace), which makes building a
   string in a loop linear. The local that the next instruction overwrites
   (`s += t` is INPLACE_OP; STORE_FAST s) does not count: its reference is
   handed to the stack first, and given back if the append fails. 0 / -1
   (then *a is unchanged and still owned). */
FT_INLINE int str_add_inplace(Object **a, Object *b, const uint32_t *next, Object **slots)
{
    Object **local = NULL;
    int64_t slot = stored_slot(*next);
    if (REFCNT_IS(*a, 2) && slot >= 0 && slots[slot] == *a) {
        local = &slots[slot];
        *local = NULL; /* STORE_FAST refills it */
        DECREF(*a);    /* the stack still holds one */
    }
    if (str_concat_inplace(a, b) == 0)
        return 0;
    if (local != NULL)
        *local = NEWREF(*a);
    return -1;
}

/* o with a new reference, or NULL. */
static inline Object *xnewref(Object *o)
{
    XINCREF(o);
    return o;
}

/* CALL of the class at base[1] (base[0] NULL) with argc arguments (the
   positional ones, then the values of kw) when class_plain_init applies:
   allocate the instance, push __init__'s frame with (instance, arguments)
   moved into it, and leave the instance at base[0], where it is the call's
   result once __init__ returns (RETURN_VALUE checks it); running is the
   frame making the call (ts->frame). The class and the arguments leave the
   stack. 1 with *out the new frame; 0 when the class is not of that kind
   (nothing done); -1 with an exception, the stack entries from base
   released. */
static __attribute__((noinline)) int init_call_push(ThreadState *ts, Frame *running, Object **base,
                                                    size_t argc, Object *kw, Frame **out)
{
    Type *t = (Type *)base[1];
    FunctionObject *init = (FunctionObject *)class_plain_init(t);
    if (init == NULL || (((CodeObject *)init->code)->flags & CODE_GENERATOR))
        return 0;
    INCREF(init); /* the allocation may run the collector, and finalizers */
    Object *self = object_alloc(t, t->instance_size);
    if (self == NULL) {
        DECREF(init);
        frame_release_values(base + 1, argc + 1);
        return -1;
    }
    base[1] = NEWREF(self); /* __init__'s first argument */
    DECREF(t);              /* the instance holds its own reference */
    Frame *nf = frame_push_moved_to(ts, init, base + 1, argc + 1, kw, running);
    if (nf == NULL) {
        DECREF(self);
        return -1;
    }
    nf->on_return = FRAME_RETURN_INIT;
    base[0] = self;
    *out = nf;
    return 1;
}

/* a op b, or a op= b when inplace, by the generic operations. */
static inline Object *binop_generic(uint32_t op, bool inplace, Object *a, Object *b)
{
    return inplace ? object_inplace_op(a, b, (BinaryOp)op) : object_binary_op(a, b, (BinaryOp)op);
}

/* a op b (a op= b when inplace) for an instance a of a user class. When
   a's class calls a Toy function for it first (class_binop_function) and
   nothing can come before it (b of a's class, or of a built-in type, and
   no in-place method for op=), that function's frame is pushed above the
   running one (ts->frame) with (a, b) as its arguments (new references:
   the caller's stack keeps its own until the frame returns,
   binop_call_result), for the eval loop to run: BINOP_FRAME_PUSHED. Else
   the generic operation's result. NULL with an exception. */
#define BINOP_FRAME_PUSHED ((Object *)1)
static __attribute__((noinline)) Object *binop_of_class(uint32_t op, bool inplace, Object *a,
                                                        Object *b)
{
    Type *ta = TYPE(a), *tb = TYPE(b);
    FunctionObject *fn = NULL;
    if ((tb == ta || !(tb->flags & TYPE_HEAP)) && !(inplace && ta->inplace[op] != NULL))
        fn = (FunctionObject *)class_binop_function(ta, (BinaryOp)op);
    if (fn == NULL)
        return binop_generic(op, inplace, a, b);
    ThreadState *ts = ts_get();
    Object *args[2] = {NEWREF(a), NEWREF(b)};
    Frame *nf = frame_push_moved_to(ts, fn, args, 2, NULL, ts->frame); /* takes fn's reference */
    if (nf == NULL)
        return NULL;
    nf->on_return = (uint8_t)(FRAME_RETURN_BINOP + 2 * op + inplace);
    return BINOP_FRAME_PUSHED;
}

/* The result of a frame binop_of_class pushed: r (owned) unless it is
   NotImplemented, then what the operator's protocol does next. The
   operands a and b are borrowed. */
static __attribute__((noinline)) Object *binop_call_result(Object *r, Object *a, Object *b,
                                                           int on_return)
{
    if (r != NotImplemented)
        return r;
    DECREF(r);
    int k = on_return - FRAME_RETURN_BINOP;
    return object_binary_op_after_left(a, b, (BinaryOp)(k >> 1), (k & 1) != 0);
}

/* __init__, run by a CALL through init_call_push, returned r (owned), not
   None: CPython's TypeError, raised at the call. */
static __attribute__((noinline)) void init_call_bad_result(Object *r)
{
    error_set(&exc_TypeError, "__init__() should return None, not '%s'", TYPE_NAME(r));
    DECREF(r);
}

/* RETURN_GENERATOR: copy frame f (running its first instruction, ip and sp
   saved) to the heap and make the generator that owns the copy. The copy
   takes over f's references; f itself is left for the caller to give
   back without releasing anything. NULL with an exception (f unchanged). */
static Object *make_generator(Frame *f)
{
    Frame *h = frame_copy_to_heap(f);
    if (h == NULL)
        return NULL;
    FunctionObject *fn = (FunctionObject *)f->function;
    Object *gen = gen_new(h, fn->name, fn->qualname);
    if (gen == NULL)
        frame_heap_free_size(h, frame_heap_size(h->code));
    return gen;
}

/* ---- Generators run inline -----------------------------------------------
   FOR_ITER over a generator, and SEND to one (yield from), run the
   generator's frame in the same loop, as a call would, instead of a nested
   run() (vm_generator_resume): the frame is linked above the loop's frame,
   marked FRAME_RETURN_GEN_INLINE, and its yield, return or exception goes
   back to that FOR_ITER or SEND (its "resumer"), which finds the generator
   on top of its stack. What vm_generator_resume and gen_resume do around
   the nested run() happens here around the jump: running is set meanwhile,
   the handled exception is swapped in and out, a finished frame is
   released. A generator suspended in a yield from resumes at its SEND, so a
   chain of them runs in this loop too. */

/* A generator's handled exception on entering its frame: its own while it
   is inside an except clause (*exc_state, taken), else the caller's shows
   through (for __context__ and a bare raise), as in CPython. Returns the
   caller's, for gen_exc_leave. */
static inline Object *gen_exc_enter(ThreadState *ts, Object **exc_state)
{
    Object *outer = ts->handled_exc;
    ts->handled_exc = *exc_state != NULL ? *exc_state : xnewref(outer);
    *exc_state = NULL;
    return outer;
}

/* Leaving the frame (a yield, return or exception): the caller's handled
   exception, outer, comes back; the generator keeps its own in *exc_state
   if it was handling one. */
static inline void gen_exc_leave(ThreadState *ts, Object **exc_state, Object *outer)
{
    Object *inner = ts->handled_exc;
    if (inner != NULL && inner == outer)
        DECREF(inner); /* the caller's, still owned through outer */
    else
        *exc_state = inner;
    ts->handled_exc = outer;
}

/* May g be resumed inline with value (borrowed)? Not while it runs
   (gen_resume then raises "generator already executing"), once finished,
   when a non-None value would be sent to a just-started one (TypeError
   there), or at the recursion limit (RecursionError from
   vm_generator_resume). */
static inline bool gen_may_enter_inline(ThreadState *ts, GenObject *g, Object *value)
{
    return g->frame != NULL && !gen_is_running(g) && ts->recursion_depth < interp.recursion_limit &&
           (g->started || value == None);
}

#ifdef TOY_FREE_THREADED
/* Once threads run, the flag is claimed before the frame is looked at:
   another thread may be finishing it. */
static inline bool gen_claim_inline_threaded(ThreadState *ts, GenObject *g, Object *value)
{
    if (ts->recursion_depth >= interp.recursion_limit || !gen_claim(g))
        return false;
    if (g->frame != NULL && (g->started || value == None))
        return true;
    gen_release(g);
    return false;
}
#endif

/* Claim g to resume it inline with value, as gen_claim does; true when
   claimed. Under the GIL, and in toy-ft while no second thread has been
   started (asked at each resume), nobody can race for the flag: it is
   tested, then set (by gen_enter_inline under the GIL, which follows at
   once with no Toy code between). */
static inline bool gen_claim_inline(ThreadState *ts, GenObject *g, Object *value)
{
#ifdef TOY_FREE_THREADED
    if (UNLIKELY(!ts_single_threaded()))
        return gen_claim_inline_threaded(ts, g, value);
    if (!gen_may_enter_inline(ts, g, value))
        return false;
    gen_mark_running(g);
    return true;
#else /* gen_enter_inline sets the flag */
    return gen_may_enter_inline(ts, g, value);
#endif
}

/* Resume g's frame (claimed by gen_claim_inline) above back, the running
   frame, with value (stolen) as the value of its yield; the caller goes on
   in the returned frame. */
static inline Frame *gen_enter_inline(ThreadState *ts, GenObject *g, Frame *back, Object *value)
{
    Frame *gf = g->frame;
    g->started = true;
#ifndef TOY_FREE_THREADED
    gen_mark_running(g); /* in toy-ft gen_claim_inline has set it */
#endif
    frame_link_above(ts, gf, back);
    gf->yielded = 0;
    gf->on_return = FRAME_RETURN_GEN_INLINE;
    g->outer_exc = gen_exc_enter(ts, &g->exc_state);
    *gf->sp++ = value;
    return gf;
}

/* The generator whose inline frame has just left for back, the frame of
   the FOR_ITER or SEND that resumed it (borrowed: on back's stack). */
static inline GenObject *gen_of_inline(Frame *back)
{
    GenObject *g = (GenObject *)back->sp[-1];
    assert(TYPE(g) == &gen_type && gen_is_running(g));
    return g;
}

/* g's inline frame has yielded or finished: the caller's handled exception
   comes back (g keeps its own, if it was handling one), and g runs no more. */
static inline void gen_leave_inline(ThreadState *ts, GenObject *g)
{
    gen_exc_leave(ts, &g->exc_state, g->outer_exc);
    g->outer_exc = NULL;
    gen_release(g);
}

/* g's inline frame gf has finished (popped, its contents released): give
   back its memory, as vm_generator_resume and gen_resume do. */
static inline void gen_finish_inline(ThreadState *ts, GenObject *g, Frame *gf)
{
    g->frame = NULL; /* before the release: another thread may claim g next */
    gen_leave_inline(ts, g);
    frame_heap_free_size(gf, frame_heap_size((CodeObject *)g->code));
}

/* obj[key] for an exact list and an int in range: a new reference. NULL,
   with no exception set, when the generic path must answer (another type,
   an index out of range, which raises there). toy-ft with threads running
   reads the item under the list's lock (list_fetch_index). */
FT_INLINE Object *list_subscr_fast(Object *obj, Object *key)
{
    if (TYPE(obj) != &list_type || TYPE(key) != &int_type)
        return NULL;
    if (!VM_LIST_FAST_PATHS)
        return list_fetch_index(obj, int_value(key)); /* a big int's clamped value is out of range */
    int64_t i = int_value(key);
    if (i < 0)
        i += (int64_t)list_size(obj);
    if (i < 0 || (uint64_t)i >= list_size(obj))
        return NULL;
    return NEWREF(list_item(obj, (size_t)i));
}

/* obj[key] = v for an exact list and an int in range: v's reference (the
   stack's) moves into the list and the old item is released; true. false
   when the generic path must do it (nothing done). */
FT_INLINE bool list_store_fast(Object *obj, Object *key, Object *v)
{
    if (TYPE(obj) != &list_type || TYPE(key) != &int_type)
        return false;
    Object *old;
    if (VM_LIST_FAST_PATHS) {
        int64_t i = int_value(key);
        if (i < 0)
            i += (int64_t)list_size(obj);
        if (i < 0 || (uint64_t)i >= list_size(obj))
            return false;
        Object **slot = &((ListObject *)obj)->items[i];
        old = *slot;
        *slot = v;
    } else if ((old = list_store_index(obj, int_value(key), v)) == NULL) {
        return false;
    }
    /* Released once the store is done (and, with threads, the lock given
       back): a release may run __del__. */
    if (TYPE(old) == &float_type) /* a[i] = a[i] + x: the old float dies here */
        float_release(old);
    else
        DECREF(old);
    return true;
}

/* ======================================================================== */
/* Int fast paths                                                             */
/* ======================================================================== */

/* z = x OP y for the operators worth inlining on two ints that passed
   int_both_small, z small too (callers may write it into a small int's
   block). false: not handled here (other operator, a result that
   overflows int64, division by zero), so the generic path decides, with
   its own error messages. */
static inline bool int_binop_fast(uint32_t op, int64_t x, int64_t y, int64_t *z)
{
    if (op == BINOP_ADD) /* by far the most common: test it first */
        return int_add_fast(x, y, z);
    switch (op) {
    case BINOP_SUB:
        return int_sub_fast(x, y, z);
    case BINOP_MUL:
        return int_mul_fast(x, y, z);
    case BINOP_MOD:
        if (y == 0)
            return false;
        if (y == -1) { /* INT64_MIN % -1 traps in C */
            *z = 0;
            return true;
        }
        *z = x % y;
        if (*z != 0 && ((*z ^ y) < 0)) /* Python: the result takes the divisor's sign */
            *z += y;
        return true;
    case BINOP_FLOORDIV:
        if (y == 0 || (y == -1 && x == INT64_MIN))
            return false;
        *z = x / y;
        if (x % y != 0 && ((x ^ y) < 0)) /* round toward negative infinity */
            (*z)--;
        return true;
    default:
        return false;
    }
}

/* May the int or float a, an operand just popped from the stack, be
   overwritten with an operation's result instead of allocating a new one?
   Yes when nobody else can see it: the stack held the only reference, or
   the only other one is the local that the next instruction (STORE_FAST,
   alone or fused) overwrites anyway, as in `i = i + 1`. Small ints are
   immortal, so never qualify. Forced inline in toy-ft, where the larger
   REFCNT_OWNED made gcc call it out of line (a call per int operation);
   the GIL build inlines it on its own, and forcing it there too changes
   how gcc lays out the eval loop (+2.6% instructions on loop.toy). */
#ifdef TOY_FREE_THREADED
#define REUSE_INLINE static inline __attribute__((always_inline))
#else
#define REUSE_INLINE static inline
#endif
REUSE_INLINE bool operand_is_reusable(Object *a, const uint32_t *next, Object **slots)
{
    intptr_t n = REFCNT_OWNED(a);
    if (n == 1)
        return true;
    if (n != 2)
        return false;
    int64_t slot = stored_slot(*next);
#ifndef TOY_FREE_THREADED
    return slot >= 0 && slots[slot] == a;
#else
    if (slot < 0 || slots[slot] != a)
        return false;
    /* toy-ft: the local's reference is dropped here, where its count is
       known to be 2, and its slot emptied: the store that follows puts a
       back with nothing to release, where it would have released a with
       its owner and zero tests. (The GIL build's decrement is one
       instruction either way, and the larger function cost its eval loop
       0.3% to 0.8% in layout.) */
    slots[slot] = NULL;
    REFCOUNT_DROP_NOT_LAST(a);
    return true;
#endif
}

/* The exact float that the result of a op b may be written into instead
   of a new one, or NULL: an operand whose only reference the stack held
   (an intermediate result). Also looking for the float of the local the
   next STORE_FAST overwrites, or the list item that `a[i] op= x` replaces,
   was tried: with the float free list, the search cost more on the
   operations where it found nothing than it saved where it did (nbody
   +4% instructions). */
static inline Object *float_spare(Object *a, Object *b)
{
    if (TYPE(a) == &float_type && REFCNT_IS(a, 1))
        return a;
    if (TYPE(b) == &float_type && REFCNT_IS(b, 1))
        return b;
    return NULL;
}

/* a op b (a op= b when inplace) past the int, float and str fast paths:
   an int with a float, and the float operators the loop does not inline,
   by arith_binop, whose result may go into a spare float (float_spare),
   an instance of a user class by binop_of_class (which may push its
   operator's frame: BINOP_FRAME_PUSHED), anything else by the generic
   operations. Out of line, so that the int path in the loop does not pay
   for its registers; the class test is here, past the fast paths, so that
   they do not pay for it either. */
static __attribute__((noinline)) Object *binop_past_ints(uint32_t op, bool inplace, Object *a,
                                                         Object *b)
{
    double d;
    if (VM_FLOAT_FAST_PATHS && arith_mixed_pair(op, a, b, &d)) {
        Object *spare = float_spare(a, b);
        if (spare == NULL)
            return float_new(d);
        ((FloatObject *)spare)->value = d;
        return NEWREF(spare);
    }
    if (VM_FLOAT_FAST_PATHS && arith_float_applies(a, b, op))
        return arith_binop((BinaryOp)op, a, b, float_spare(a, b));
    if (TYPE(a)->flags & TYPE_HEAP)
        return binop_of_class(op, inplace, a, b);
    return binop_generic(op, inplace, a, b);
}

/* `a in b` for CONTAINS_OP and LOAD_FAST_CONTAINS: an exact set or
   frozenset probed inline, anything else by object_contains. 1, 0, -1. */
static inline __attribute__((always_inline)) int contains_test(Object *b, Object *a)
{
    return is_set_exact(b) || is_frozenset_exact(b) ? set_contains_inline(b, a)
                                                    : object_contains(b, a);
}

/* compare_past_ints for float operands: True_ or False_ (new reference),
   or whatever object_compare answers for an int too big for int64. */
static __attribute__((noinline)) Object *compare_floats(Object *a, Object *b, uint32_t op)
{
    int c = arith_float_compare(a, b, (CompareOp)op);
    if (c < 0)
        return object_compare(a, b, (CompareOp)op);
    Object *r = c ? True_ : False_;
    INCREF_IMMORTAL(r);
    return r;
}

/* a op b past the small-int fast path: floats by compare_floats, anything
   else by object_compare. A new reference. Out of line, as binop_past_ints;
   the float work is a function of its own, so that other types pass
   through here to object_compare by tail calls alone. */
static __attribute__((noinline)) Object *compare_past_ints(Object *a, Object *b, uint32_t op)
{
    if (VM_FLOAT_FAST_PATHS && arith_float_operands(a, b))
        return compare_floats(a, b, op);
    return object_compare(a, b, (CompareOp)op);
}

/* obj[key] = v for the runs that store into a local (obj, and key when it
   is one, borrowed from their slots; v's reference taken): an exact list
   and a small int index inline, anything else through object_setitem.
   0, or -1 with an exception. */
static inline __attribute__((always_inline)) int store_subscr_borrowed(Object *obj, Object *key,
                                                                    Object *v)
{
    if (list_store_fast(obj, key, v))
        return 0;
    int r = object_setitem(obj, key, v);
    DECREF(v);
    return r;
}

/* The inline arithmetic of the runs LOAD_FAST_LOAD_FAST_BINOP and
   LOAD_FAST_LOAD_CONST_BINOP, on operands borrowed from the locals and
   constants: two exact small ints as BINARY_OP's int path takes them (1,
   *z set), two exact floats with + - * / (2, *d set), else 0: the run
   falls back to the plain words. */
static inline __attribute__((always_inline)) int local_binop(uint32_t op, Object *a, Object *b,
                                                          int64_t *z, double *d)
{
    if (TYPE(a) == &int_type && TYPE(b) == &int_type && int_both_small(a, b))
        return int_binop_fast(op, int_value(a), int_value(b), z) ? 1 : 0;
    if (VM_FLOAT_FAST_PATHS && arith_float_pair(op, a, b, d))
        return 2;
    return 0;
}

/* The int z, the result of such a run whose first operand a is the
   local in slots[slot]: written into a itself when the local holds its
   only reference and the next instruction overwrites that local
   (`i = i + 1`), as BINARY_OP does for an operand on the stack. In toy-ft
   the local's reference then moves to the stack and its slot is emptied,
   for the store that follows to refill with nothing to release, where
   counting a onto the stack and off the local cost an increment and a
   decrement with their owner tests. (The same in the GIL build, where
   they are an instruction each, cost its eval loop up to 0.8% in
   layout.) A new reference. */
static inline Object *local_int_result(Object *a, int64_t z, uint32_t next, Object **slots,
                                       uint32_t slot)
{
    if (z >= SMALL_INT_MIN && z <= SMALL_INT_MAX)
        return int_small(z);
    if (REFCNT_IS(a, 1) && stored_slot(next) == (int64_t)slot) {
        ((IntObject *)a)->value = z;
#ifdef TOY_FREE_THREADED
        slots[slot] = NULL;
        return a;
#else
        (void)slots;
        return NEWREF(a);
#endif
    }
    return int_new_small(z);
}

/* The int result z of LOAD_CONST_BINOP or LOAD_FAST_BINOP (local_binop's
   kind 1), whose left operand a is on top of the stack: a itself, its
   value replaced, when nobody else can see it or its other reference is
   the local the next instruction overwrites (as BINARY_OP decides), else
   a new reference; NULL with MemoryError. A float result is
   float_result_into's. */
static inline Object *stack_int_result(Object *a, int64_t z, const uint32_t *next, Object **slots)
{
    if (z >= SMALL_INT_MIN && z <= SMALL_INT_MAX)
        return int_small(z);
    if (operand_is_reusable(a, next, slots)) {
        ((IntObject *)a)->value = z;
        return a;
    }
    return int_new_small(z);
}

/* The inline test of the compare runs: the answer (1 or 0) for two exact
   small ints that int_both_small takes (bools too), two exact floats, or,
   for == and != only, two exact strs, as COMPARE_OP gives it; -1: the run
   falls back to the plain words. Always inlined: in toy-ft's
   profile-guided build gcc otherwise called it out of line, a call on
   every loop test (int.h's INT_GUARD_INLINE). */
static inline __attribute__((always_inline)) int local_compare(uint32_t op, Object *a, Object *b)
{
    if (is_int_exact(a) && is_int_exact(b) && int_both_small(a, b))
        return compare_i64(int_value(a), int_value(b), (CompareOp)op);
    if (VM_FLOAT_FAST_PATHS && TYPE(a) == &float_type && TYPE(b) == &float_type)
        return arith_compare_doubles(float_value(a), float_value(b), (CompareOp)op);
    if ((op == CMP_EQ || op == CMP_NE) && TYPE(a) == &str_type && TYPE(b) == &str_type)
        return str_equal(a, b) == (op == CMP_EQ);
    return -1;
}

/* `for i in range(...)` storing straight into i (FOR_ITER_STORE_FAST):
   when the int the local holds is seen by nobody else, it takes the next
   value x in place of a new int. Only outside the small-int cache, whose
   values are always the cached objects. */
static inline bool loop_int_reused(Object *old, int64_t x)
{
    if (x >= SMALL_INT_MIN && x <= SMALL_INT_MAX)
        return false;
    if (old == NULL || TYPE(old) != &int_type || !int_is_small(old) || !REFCNT_IS(old, 1))
        return false;
    ((IntObject *)old)->value = x;
    return true;
}

/* ======================================================================== */
/* The eval loop                                                              */
/* ======================================================================== */

/* GCC would merge the identical tails of many instructions ("INCREF; PUSH;
   DISPATCH") into one shared indirect jump, which undoes what computed goto
   is for: one well-predicted jump per instruction. It would also turn the
   frame set-up's short slot-clearing loop (inlined here) into memset calls.
   The loop starts on a 64-byte boundary, so that where each handler falls
   within its cache line (and its dispatch jump within the branch
   predictor's blocks) depends on the loop's own code only. A function
   before it growing by a few bytes shifted the whole loop: 16 bytes
   between two builds of the same sources, whose loop.toy times differed
   by 4% (docs/internals.md, "Costs, measured"). */
#if defined(__GNUC__) && !defined(__clang__)
#define RUN_ATTRIBUTES                                                                            \
    __attribute__((aligned(64),                                                                   \
                   optimize("no-crossjumping", "no-gcse", "no-tree-loop-distribute-patterns")))
#elif defined(__GNUC__)
#define RUN_ATTRIBUTES __attribute__((aligned(64)))
#else
#define RUN_ATTRIBUTES
#endif

/* Run frames, starting with `f` (pushed and bound, already ts->frame),
   until f returns (or, for a generator frame, yields). Toy-to-Toy calls
   push frames and stay in this loop. Returns f's result, or NULL with the
   exception set in ts. A frame with lasti -1 (generator.throw()) starts by
   raising the current exception at its current instruction: a flag in the
   frame rather than a parameter, which measurably slowed the loop. */
RUN_ATTRIBUTES static Object *run(ThreadState *ts, Frame *f)
{
    CodeObject *co;
    const uint32_t *first_instr, *ip;
    Object **sp, **slots;
    Object *const *consts, *const *names;
    uint32_t instr, oparg;
    Object *kwnames = NULL; /* from KW_NAMES, for the next CALL (borrowed constant) */
    Object *binop_right;    /* the local of LOAD_FAST_BINOP and _COMPARE, for the LOAD_CONST bodies */
    /* The calls' shared tails (call_push_plain, enter_pushed_frame), so that
       the loop holds one copy of the push: what to call, and the frame. */
    FunctionObject *call_fn;
    CodeObject *call_code;
    Object **call_args;
    size_t call_argc;
    Frame *pushed_frame;

    f->on_return = FRAME_RETURN_FROM_RUN;

/* Frame state lives in C locals; these move it to and from the Frame when
   the loop switches frames. */
#define LOAD_FRAME_AT(instrs)                          \
    do {                                               \
        co = f->code;                                  \
        first_instr = (instrs);                        \
        ip = first_instr + f->ip;                      \
        sp = f->sp;                                    \
        slots = f->slots;                              \
        consts = tuple_items(co->consts);              \
        names = tuple_items(co->names);                \
    } while (0)
#define LOAD_FRAME() LOAD_FRAME_AT(CODE_INSTRS(co))
#ifndef TOY_FREE_THREADED
#define SAVE_FRAME()                                   \
    do {                                               \
        f->ip = (int)(ip - first_instr);               \
        f->sp = sp;                                    \
    } while (0)
#define LOAD_FRAME_BACK() LOAD_FRAME()
#else
/* toy-ft: a frame this loop returns to (a caller, or the FOR_ITER that
   resumed a generator inline) last ran on this thread, in this loop, and
   saved the instructions it ran: they are this thread's copy still, so the
   return reads them back instead of asking specialize_thread_code again.
   Only a frame entered afresh (a call, a generator resumed, perhaps on
   another thread than before) asks. */
#define SAVE_FRAME()                                   \
    do {                                               \
        f->ip = (int)(ip - first_instr);               \
        f->sp = sp;                                    \
        f->instrs = first_instr;                       \
    } while (0)
#define LOAD_FRAME_BACK() LOAD_FRAME_AT(f->instrs)
#endif

#define PUSH(v) (*sp++ = (v))
#define POP() (*--sp)
#define TOP() (sp[-1])
#define SECOND() (sp[-2])
#define THIRD() (sp[-3])
#define PEEK(n) (sp[-(ptrdiff_t)(n)])
#define SET_TOP(v) (sp[-1] = (v))
#define JUMP_TO(target) (ip = first_instr + (target))
/* Inline caches (specialize.h): right after an instruction's fetch, ip
   points at its first cache word. A generic instruction counts down there
   and, when due, is specialised and run again in its new form; a
   specialised one whose guard fails goes back to the generic form and
   runs that. Both step over the cache when they finish. */
#define CACHE ip
#define SKIP_CACHE(op) (ip += opcode_cache_size(OP_##op))
#define SPECIALIZE(family, call)                                              \
    do {                                                                      \
        if ((specialize_families & (family)) && OWN_INSTRS &&                 \
            specialize_due(CACHE)) {                                          \
            call;                                                             \
            ip--;                                                             \
            DISPATCH();                                                       \
        }                                                                     \
    } while (0)
#define DEOPT_IF(cond)                                                        \
    do {                                                                      \
        if (UNLIKELY(cond)) {                                                 \
            specialize_deopt((uint32_t *)ip - 1);                             \
            ip--;                                                             \
            DISPATCH();                                                       \
        }                                                                     \
    } while (0)
/* Go on in the frame nf a call has just pushed (enter_pushed_frame: one
   copy in the loop). */
#define ENTER_PUSHED_FRAME(nf)                                                 \
    do {                                                                      \
        pushed_frame = (nf);                                                  \
        goto enter_pushed_frame;                                              \
    } while (0)
#define CELL(i) ((CellObject *)slots[co->nlocals + (i)])
#define PUSH_BLOCK(handler_, level_)                                          \
    do {                                                                      \
        if (UNLIKELY(f->nblocks >= FRAME_MAX_BLOCKS)) {                       \
            error_set(&exc_RuntimeError, "too many statically nested blocks"); \
            goto error;                                                       \
        }                                                                     \
        f->blocks[f->nblocks].handler = (handler_);                           \
        f->blocks[f->nblocks].level = (int)(level_);                          \
        f->nblocks++;                                                         \
    } while (0)

/* The end of a test (COMPARE_OP, CONTAINS_OP) whose answer is the C bool
   `result`: `if a < b:` fused with its jump, with no bool on the stack,
   else push True or False. */
#define PUSH_BOOL_OR_BRANCH(result)                                 \
    do {                                                            \
        bool result_ = (result);                                    \
        uint32_t next_ = *ip;                                       \
        if (INSTR_OP(next_) == OP_POP_JUMP_IF_FALSE) {              \
            ip = result_ ? ip + 1 : first_instr + INSTR_ARG(next_); \
            DISPATCH();                                             \
        }                                                           \
        if (INSTR_OP(next_) == OP_POP_JUMP_IF_TRUE) {               \
            ip = result_ ? first_instr + INSTR_ARG(next_) : ip + 1; \
            DISPATCH();                                             \
        }                                                           \
        Object *bool_ = result_ ? True_ : False_;                   \
        INCREF_IMMORTAL(bool_);                                     \
        PUSH(bool_);                                                \
        DISPATCH();                                                 \
    } while (0)

/* The end of a run whose last word is the conditional jump `jump`: take
   it when the answer t (0 or 1) is what it tests for, else step past the
   `words` words the run has after its first. */
#define RUN_BRANCH(t, jump, words)                                  \
    do {                                                            \
        uint32_t jump_ = (jump);                                    \
        if ((t) == (INSTR_OP(jump_) == OP_POP_JUMP_IF_TRUE))        \
            JUMP_TO(INSTR_ARG(jump_));                              \
        else                                                        \
            ip += (words);                                          \
        DISPATCH();                                                 \
    } while (0)

#ifdef TOY_TRACE_EXEC
#define TRACE_INSTR() trace_instr(f, first_instr, ip - 1, sp)
#else
#define TRACE_INSTR() ((void)0)
#endif

#if defined(__GNUC__) && !defined(TOY_NO_COMPUTED_GOTO)
#define USE_COMPUTED_GOTO 1
#endif

#ifdef USE_COMPUTED_GOTO
    /* Computed goto: each instruction jumps straight to the next one's code,
       which predicts better than one shared switch. */
#define LABEL_ADDRESS(name, effect, doc) [OP_##name] = &&L_##name,
    static const void *const dispatch_table[OP_COUNT] = { OPCODE_LIST(LABEL_ADDRESS) };
#undef LABEL_ADDRESS
#define TARGET(name) L_##name:
#define DISPATCH()                                     \
    do {                                               \
        instr = *ip++;                                 \
        oparg = INSTR_ARG(instr);                      \
        TRACE_INSTR();                                 \
        goto *dispatch_table[INSTR_OP(instr)];         \
    } while (0)
#else
#define TARGET(name) case OP_##name:
#define DISPATCH() goto dispatch
#endif

    LOAD_FRAME();
    if (UNLIKELY(f->lasti < 0))
        goto error; /* generator.throw(): see vm_generator_resume */
#ifdef USE_COMPUTED_GOTO
    DISPATCH();
#else
dispatch:
    instr = *ip++;
    oparg = INSTR_ARG(instr);
    TRACE_INSTR();
    switch (INSTR_OP(instr)) {
#endif

    /* ---- Stack manipulation ---------------------------------------------- */

    TARGET(NOP) {
        DISPATCH();
    }

    TARGET(POP_TOP) {
        Object *v = POP();
        XDECREF_LIKELY_IMMORTAL(v); /* most often the None a call returned */
        DISPATCH();
    }

    TARGET(DUP_TOP) {
        Object *v = TOP();
        INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(DUP_TOP_TWO) {
        Object *a = SECOND(), *b = TOP();
        INCREF(a);
        INCREF(b);
        PUSH(a);
        PUSH(b);
        DISPATCH();
    }

    TARGET(ROT_TWO) {
        Object *b = TOP();
        SET_TOP(SECOND());
        sp[-2] = b;
        DISPATCH();
    }

    TARGET(ROT_THREE) {
        Object *c = TOP();
        sp[-1] = sp[-2];
        sp[-2] = sp[-3];
        sp[-3] = c;
        DISPATCH();
    }

    TARGET(ROT_FOUR) {
        Object *d = TOP();
        sp[-1] = sp[-2];
        sp[-2] = sp[-3];
        sp[-3] = sp[-4];
        sp[-4] = d;
        DISPATCH();
    }

    TARGET(PUSH_NULL) {
        PUSH(NULL);
        DISPATCH();
    }

    /* ---- Variables --------------------------------------------------------- */

    TARGET(LOAD_CONST) {
        Object *v = consts[oparg];
        INCREF_LIKELY_IMMORTAL(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(LOAD_FAST) {
        Object *v = slots[oparg];
        if (UNLIKELY(v == NULL)) {
            error_unbound_local(co, oparg);
            goto error;
        }
        INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(STORE_FAST) {
        Object *old = slots[oparg];
        slots[oparg] = POP();
        XDECREF(old);
        DISPATCH();
    }

    /* ---- Superinstructions (superinstr.h) --------------------------------
       Each runs its first half, steps ip past its second word, then runs
       the second half: an error there is reported at the second word. */

    TARGET(LOAD_FAST_LOAD_FAST) {
    load_fast_load_fast:; /* also the fallback of the runs that start with it */
        Object *v = slots[SUPER_FIRST(oparg)];
        if (UNLIKELY(v == NULL)) {
            error_unbound_local(co, SUPER_FIRST(oparg));
            goto error;
        }
        ip++;
        Object *w = slots[SUPER_SECOND(oparg)];
        if (UNLIKELY(w == NULL)) {
            error_unbound_local(co, SUPER_SECOND(oparg));
            goto error;
        }
        INCREF(v);
        PUSH(v);
        INCREF(w);
        PUSH(w);
        DISPATCH();
    }

    TARGET(LOAD_FAST_LOAD_CONST) {
    load_fast_load_const:; /* also the fallback of the runs that start with it */
        Object *v = slots[SUPER_FIRST(oparg)];
        if (UNLIKELY(v == NULL)) {
            error_unbound_local(co, SUPER_FIRST(oparg));
            goto error;
        }
        ip++;
        INCREF(v);
        PUSH(v);
        Object *c = consts[SUPER_SECOND(oparg)];
        INCREF_LIKELY_IMMORTAL(c);
        PUSH(c);
        DISPATCH();
    }

    TARGET(STORE_FAST_LOAD_FAST) {
        Object *old = slots[SUPER_FIRST(oparg)];
        slots[SUPER_FIRST(oparg)] = POP();
        ip++;
        XDECREF(old);
        Object *v = slots[SUPER_SECOND(oparg)];
        if (UNLIKELY(v == NULL)) {
            error_unbound_local(co, SUPER_SECOND(oparg));
            goto error;
        }
        INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(LOAD_FAST_CONST_SUBSCR) {
        Object *obj = slots[SUPER_FIRST(oparg)];
        if (UNLIKELY(obj == NULL)) {
            error_unbound_local(co, SUPER_FIRST(oparg));
            goto error;
        }
        ip += 2; /* the LOAD_CONST and BINARY_SUBSCR words */
        Object *key = consts[SUPER_SECOND(oparg)];
        Object *v = list_subscr_fast(obj, key);
        if (v == NULL && (v = object_getitem(obj, key)) == NULL)
            goto error;
        PUSH(v);
        DISPATCH();
    }

    /* The two locals of a run that starts LOAD_FAST; LOAD_FAST, borrowed
       from their slots into a and b; an empty one raises UnboundLocalError
       at its own word. */
#define BORROW_TWO_LOCALS(a, b)                                \
    Object *a = slots[SUPER_FIRST(oparg)];                     \
    if (UNLIKELY(a == NULL)) {                                 \
        error_unbound_local(co, SUPER_FIRST(oparg));           \
        goto error;                                            \
    }                                                          \
    Object *b = slots[SUPER_SECOND(oparg)];                    \
    if (UNLIKELY(b == NULL)) {                                 \
        ip += 1; /* the error is the second LOAD_FAST's */     \
        error_unbound_local(co, SUPER_SECOND(oparg));          \
        goto error;                                            \
    }

    TARGET(LOAD_FAST_LOAD_FAST_SUBSCR) {
        /* a[i] of two locals, both borrowed from their slots (nothing runs
           before the lookup is done that could rebind them): the stack
           never holds them, so neither count changes. */
        BORROW_TWO_LOCALS(obj, key);
        ip += 2; /* the LOAD_FAST and BINARY_SUBSCR words */
        Object *v = list_subscr_fast(obj, key);
        if (v == NULL && (v = object_getitem(obj, key)) == NULL)
            goto error;
        PUSH(v);
        DISPATCH();
    }

    /* The local of LOAD_FAST_BINOP and LOAD_FAST_COMPARE, into binop_right
       for the LOAD_CONST body at label. */
#define BORROW_RIGHT_LOCAL(label)                            \
    do {                                                     \
        binop_right = slots[SUPER_FIRST(oparg)];             \
        if (UNLIKELY(binop_right == NULL)) {                 \
            error_unbound_local(co, SUPER_FIRST(oparg));     \
            goto error;                                      \
        }                                                    \
        goto label;                                          \
    } while (0)

    /* `expr op const` and `expr op local`: the left operand is on the stack,
       the right one borrowed; anything the inline paths do not take runs
       the first word alone, and the BINARY_OP or INPLACE_OP word after it
       as it is. */
    TARGET(LOAD_FAST_BINOP) {
        BORROW_RIGHT_LOCAL(stack_binop);
    }

    TARGET(LOAD_CONST_BINOP) {
        binop_right = consts[SUPER_FIRST(oparg)];
    stack_binop:; /* LOAD_FAST_BINOP too, with its local in binop_right */
        Object *a = TOP(), *b = binop_right;
        int64_t z = 0; /* set when kind says so; gcc cannot tell in toy-ft */
        double d = 0.0;
        int kind = local_binop(SUPER_SECOND(oparg), a, b, &z, &d);
        if (kind == 0) {
            INCREF(b);
            PUSH(b);
            DISPATCH();
        }
        ip++;
        if (kind == 2) { /* a float: a is let go of at once, as in BINARY_OP */
            sp--;
            Object *r = float_result_into(a, NULL, d);
            if (r == NULL)
                goto error;
            PUSH(r);
            DISPATCH();
        }
        Object *r = stack_int_result(a, z, ip, slots);
        if (r == NULL)
            goto error;
        if (r != a) {
            SET_TOP(r);
            DECREF(a);
        }
        DISPATCH();
    }

    /* `expr cmp const` and `expr cmp local` (`n % d == 0`, `d * d <= n`):
       the same with a compare, whose answer is taken as COMPARE_OP takes
       it (a conditional jump after it at once, else a bool pushed). The
       right operand is never counted; other operands run the two words. */
    TARGET(LOAD_FAST_COMPARE) {
        BORROW_RIGHT_LOCAL(stack_compare);
    }

    TARGET(LOAD_CONST_COMPARE) {
        binop_right = consts[SUPER_FIRST(oparg)];
    stack_compare:; /* LOAD_FAST_COMPARE too, with its local in binop_right */
        Object *a = TOP(), *b = binop_right;
        int t = local_compare(SUPER_SECOND(oparg), a, b);
        if (t < 0) {
            INCREF(b);
            PUSH(b);
            DISPATCH();
        }
        ip++;
        (void)POP();
        DECREF_LIKELY_IMMORTAL(a); /* most often a small int: n % d == 0 */
        PUSH_BOOL_OR_BRANCH(t);
    }

    /* The arithmetic and compare runs (superinstr.c): the operator is the
       argument of the third word (ip[1]), a compare's jump the fourth
       (ip[2]). Operands that the inline paths do not take run the first
       two words as their pair, and the rest as the plain words they are,
       so every other case, and every error, is the generic path's. */
    TARGET(LOAD_FAST_LOAD_FAST_BINOP) {
        Object *a = slots[SUPER_FIRST(oparg)], *b = slots[SUPER_SECOND(oparg)];
        int64_t z;
        double d;
        int kind = a != NULL && b != NULL ? local_binop(INSTR_ARG(ip[1]), a, b, &z, &d) : 0;
        if (kind == 0)
            goto load_fast_load_fast;
        ip += 2;
        Object *r = kind == 1 ? local_int_result(a, z, *ip, slots, SUPER_FIRST(oparg)) : float_new(d);
        if (r == NULL)
            goto error;
        PUSH(r);
        DISPATCH();
    }

    TARGET(LOAD_FAST_LOAD_CONST_BINOP) {
        Object *a = slots[SUPER_FIRST(oparg)], *b = consts[SUPER_SECOND(oparg)];
        int64_t z;
        double d;
        int kind = a != NULL ? local_binop(INSTR_ARG(ip[1]), a, b, &z, &d) : 0;
        if (kind == 0)
            goto load_fast_load_const;
        ip += 2;
        Object *r = kind == 1 ? local_int_result(a, z, *ip, slots, SUPER_FIRST(oparg)) : float_new(d);
        if (r == NULL)
            goto error;
        PUSH(r);
        DISPATCH();
    }

    TARGET(LOAD_FAST_LOAD_FAST_COMPARE_JUMP) {
        Object *a = slots[SUPER_FIRST(oparg)], *b = slots[SUPER_SECOND(oparg)];
        int t = a != NULL && b != NULL ? local_compare(INSTR_ARG(ip[1]), a, b) : -1;
        if (t < 0)
            goto load_fast_load_fast;
        RUN_BRANCH(t, ip[2], 3);
    }

    TARGET(LOAD_FAST_LOAD_CONST_COMPARE_JUMP) {
        Object *a = slots[SUPER_FIRST(oparg)], *b = consts[SUPER_SECOND(oparg)];
        int t = a != NULL ? local_compare(INSTR_ARG(ip[1]), a, b) : -1;
        if (t < 0)
            goto load_fast_load_const;
        RUN_BRANCH(t, ip[2], 3);
    }

    TARGET(LOAD_FAST_LOAD_CONST_IS_JUMP) {
        /* `x is c` of a local x, borrowed from its slot: nothing runs
           between the load and the test, so neither count changes. IS_OP
           is the third word (ip[1]), the jump the fourth (ip[2]). */
        Object *v = slots[SUPER_FIRST(oparg)];
        if (UNLIKELY(v == NULL))
            goto load_fast_load_const; /* its error */
        bool same = (v == consts[SUPER_SECOND(oparg)]) != (INSTR_ARG(ip[1]) != 0);
        RUN_BRANCH(same, ip[2], 3);
    }

    TARGET(LOAD_CONST_IS_JUMP) {
        /* v is (not) the constant: no bool is made, and nothing can fail.
           IS_OP's argument is the second half of oparg, the jump the
           third word (ip[1]). */
        Object *v = POP();
        bool same = (v == consts[SUPER_FIRST(oparg)]) != (SUPER_SECOND(oparg) != 0);
        DECREF(v);
        RUN_BRANCH(same, ip[1], 2);
    }

    TARGET(DUP_TOP_TWO_SUBSCR) {
        Object *key = TOP(), *obj = SECOND();
        ip++;
        Object *v = list_subscr_fast(obj, key);
        if (v == NULL && (v = object_getitem(obj, key)) == NULL)
            goto error;
        PUSH(v);
        DISPATCH();
    }

    TARGET(ROT_THREE_STORE_SUBSCR) {
        Object *v = POP();
        Object *key = POP();
        Object *obj = POP();
        ip++;
        if (list_store_fast(obj, key, v)) {
            DECREF(obj);
            DECREF_LIKELY_IMMORTAL(key); /* a small int */
            DISPATCH();
        }
        int r = object_setitem(obj, key, v);
        DECREF(obj);
        DECREF(key);
        DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(STORE_FAST_JUMP) {
        Object *old = slots[SUPER_FIRST(oparg)];
        slots[SUPER_FIRST(oparg)] = POP();
        ip++;
        XDECREF(old);
        /* As JUMP: a backward jump closes a loop, so it lets a waiting
           thread run. */
        uint32_t to = SUPER_SECOND(oparg);
        if (to < (uint32_t)(ip - first_instr) && UNLIKELY(gil_breaker_set()) &&
            vm_eval_breaker(ts) < 0)
            goto error;
        JUMP_TO(to);
        DISPATCH();
    }

    TARGET(DELETE_FAST) {
        if (slots[oparg] == NULL) {
            error_unbound_local(co, oparg);
            goto error;
        }
        CLEAR(&slots[oparg]);
        DISPATCH();
    }

    TARGET(LOAD_DEREF) {
        Object *v = cell_get_ref(CELL(oparg));
        if (UNLIKELY(v == NULL)) {
            error_unbound_cell(co, oparg);
            goto error;
        }
        PUSH(v);
        DISPATCH();
    }

    TARGET(STORE_DEREF) {
        XDECREF(cell_swap(CELL(oparg), POP()));
        DISPATCH();
    }

    TARGET(DELETE_DEREF) {
        Object *old = cell_swap(CELL(oparg), NULL);
        if (old == NULL) {
            error_unbound_cell(co, oparg);
            goto error;
        }
        DECREF(old);
        DISPATCH();
    }

    TARGET(LOAD_CLOSURE) {
        Object *cell = (Object *)CELL(oparg);
        INCREF(cell);
        PUSH(cell);
        DISPATCH();
    }

    TARGET(LOAD_CLASS_CELL) {
        Object *v = load_class_cell(f);
        if (v == NULL)
            goto error;
        PUSH(v);
        DISPATCH();
    }

    TARGET(LOAD_GLOBAL) {
        Object *name = names[oparg];
        SPECIALIZE(SPEC_GLOBAL, specialize_load_global((uint32_t *)ip - 1, f->globals,
                                                       interp.builtins, name));
        Object *v = dict_lookup_name_for_load(f->globals, name);
        if (v == NULL && (UNLIKELY(TYPE(f->globals) != &dict_type) ||
                          (v = dict_lookup_name_for_load(interp.builtins, name)) == NULL)) {
            if ((v = load_global_missing(f, name)) == NULL)
                goto error;
            PUSH(v);
            SKIP_CACHE(LOAD_GLOBAL);
            DISPATCH();
        }
        INCREF_LOADED(v);
        PUSH(v);
        SKIP_CACHE(LOAD_GLOBAL);
        DISPATCH();
    }

    TARGET(LOAD_GLOBAL_MODULE) {
        /* The globals are a dict (exec refuses anything else), and only a
           dict whose keys are unchanged can have the cached keys version. */
        DictObject *g = (DictObject *)f->globals;
        Object *v;
        LOAD_CACHED_ENTRY(v, g, CACHE[1], CACHE[3]);
        PUSH(v);
        SKIP_CACHE(LOAD_GLOBAL);
        DISPATCH();
    }

    TARGET(LOAD_GLOBAL_BUILTIN) {
        DictObject *g = (DictObject *)f->globals, *b = (DictObject *)interp.builtins;
        Object *v;
#ifndef TOY_FREE_THREADED
        DEOPT_IF(g->keys_version != CACHE[1] || b->keys_version != CACHE[2]);
        v = b->entries[CACHE[3]].value;
        INCREF(v);
#else
        if (LIKELY(ts_single_threaded())) {
            /* Asked once for both dicts: alone, nobody else changes them
               (as dict_entry_ref_if and dict_has_keys_version). */
            DEOPT_IF(g->keys_version != CACHE[1] || b->keys_version != CACHE[2]);
            v = b->entries[CACHE[3]].value;
            INCREF(v);
        } else {
            DEOPT_IF(!dict_has_keys_version(g, CACHE[1]));
            LOAD_CACHED_ENTRY(v, b, CACHE[2], CACHE[3]);
        }
#endif
        PUSH(v);
        SKIP_CACHE(LOAD_GLOBAL);
        DISPATCH();
    }

    TARGET(STORE_GLOBAL) {
        Object *v = POP();
        int r = dict_set_item(f->globals, names[oparg], v);
        DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(DELETE_GLOBAL) {
        int r = dict_del_item(f->globals, names[oparg], false);
        if (r != 0) {
            if (r > 0)
                error_name(names[oparg]);
            goto error;
        }
        DISPATCH();
    }

    TARGET(LOAD_NAME) {
        Object *name = names[oparg];
        SPECIALIZE(SPEC_GLOBAL, specialize_load_name((uint32_t *)ip - 1, f->locals, f->globals,
                                                     interp.builtins, name));
        if (UNLIKELY(f->locals != NULL && TYPE(f->locals) != &dict_type)) {
            Object *v = load_name_mapping(f, name);
            if (v == NULL)
                goto error;
            PUSH(v);
            SKIP_CACHE(LOAD_NAME);
            DISPATCH();
        }
        Object *v = f->locals ? dict_lookup_name_for_load(f->locals, name) : NULL;
        if (v == NULL && (v = dict_lookup_name_for_load(f->globals, name)) == NULL &&
            (UNLIKELY(TYPE(f->globals) != &dict_type) ||
             (v = dict_lookup_name_for_load(interp.builtins, name)) == NULL)) {
            if ((v = load_global_missing(f, name)) == NULL)
                goto error;
            PUSH(v);
            SKIP_CACHE(LOAD_NAME);
            DISPATCH();
        }
        INCREF_LOADED(v);
        PUSH(v);
        SKIP_CACHE(LOAD_NAME);
        DISPATCH();
    }

    TARGET(LOAD_NAME_MODULE) {
        DictObject *g = (DictObject *)f->globals;
        Object *v;
#ifndef TOY_FREE_THREADED
        DEOPT_IF(f->locals != f->globals || g->keys_version != CACHE[1]);
        v = g->entries[CACHE[3]].value;
        INCREF(v);
#else
        DEOPT_IF(f->locals != f->globals);
        LOAD_CACHED_ENTRY(v, g, CACHE[1], CACHE[3]);
#endif
        PUSH(v);
        SKIP_CACHE(LOAD_NAME);
        DISPATCH();
    }

    TARGET(LOAD_NAME_BUILTIN) {
        DictObject *g = (DictObject *)f->globals, *b = (DictObject *)interp.builtins;
        Object *v;
#ifndef TOY_FREE_THREADED
        DEOPT_IF(f->locals != f->globals || g->keys_version != CACHE[1] ||
                 b->keys_version != CACHE[2]);
        v = b->entries[CACHE[3]].value;
        INCREF(v);
#else
        DEOPT_IF(f->locals != f->globals || !dict_has_keys_version(g, CACHE[1]));
        LOAD_CACHED_ENTRY(v, b, CACHE[2], CACHE[3]);
#endif
        PUSH(v);
        SKIP_CACHE(LOAD_NAME);
        DISPATCH();
    }

    TARGET(STORE_NAME) {
        Object *v = POP();
        Object *ns = f->locals ? f->locals : f->globals;
        int r = TYPE(ns) == &dict_type ? dict_set_item(ns, names[oparg], v)
                                       : object_setitem(ns, names[oparg], v);
        DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(DELETE_NAME) {
        Object *ns = f->locals ? f->locals : f->globals;
        int r = TYPE(ns) == &dict_type ? dict_del_item(ns, names[oparg], false)
                                       : del_name_mapping(ns, names[oparg]);
        if (r != 0) {
            if (r > 0)
                error_name(names[oparg]);
            goto error;
        }
        DISPATCH();
    }

    /* ---- Attributes -------------------------------------------------------- */

    TARGET(LOAD_ATTR) {
        Object *obj = TOP();
        Type *t = TYPE(obj);
        SPECIALIZE(SPEC_ATTR, specialize_load_attr((uint32_t *)ip - 1, obj, names[oparg]));
        if (instance_dict_first(t)) {
            /* self.x on an instance of a user class holding no data
               descriptor: the instance dict comes first, so a hit there is
               the answer. */
            Object *dict = instance_dict_load((Object **)((char *)obj + t->dict_offset));
            Object *v = dict ? dict_lookup_name_for_load(dict, names[oparg]) : NULL;
            if (v != NULL) {
                INCREF_LOADED(v);
                SET_TOP(v);
                DECREF(obj);
                SKIP_CACHE(LOAD_ATTR);
                DISPATCH();
            }
        }
        GetAttrFunc getattr = t->getattr;
        Object *v = getattr ? getattr(obj, names[oparg]) : object_getattr(obj, names[oparg]);
        if (v == NULL)
            goto error;
        SET_TOP(v);
        DECREF(obj);
        SKIP_CACHE(LOAD_ATTR);
        DISPATCH();
    }

    TARGET(LOAD_ATTR_INSTANCE) {
        /* The tag says: the same class, still without a data descriptor
           of this name, so a hit in the instance dict is the answer. */
        Object *obj = TOP();
        Type *t = TYPE(obj);
        DEOPT_IF(type_version_tag_now(t) != CACHE[1] && !instance_dict_first(t));
        Object *v = instance_attr_at(obj, t, CACHE[2], names[oparg]);
        if (UNLIKELY(v == NULL)) {
            v = instance_attr_relearn(obj, t, (uint32_t *)CACHE + 2, names[oparg]);
            DEOPT_IF(v == NULL);
        }
        SET_TOP(v);
        DECREF(obj);
        SKIP_CACHE(LOAD_ATTR);
        DISPATCH();
    }

    TARGET(LOAD_ATTR_SLOT) {
        Object *obj = TOP();
        DEOPT_IF(type_version_tag_now(TYPE(obj)) != CACHE[1]);
        Object *v = *(Object **)((char *)obj + (int32_t)CACHE[2]);
        DEOPT_IF(v == NULL); /* unset: the generic form raises */
        INCREF(v);
        SET_TOP(v);
        DECREF(obj);
        SKIP_CACHE(LOAD_ATTR);
        DISPATCH();
    }

    TARGET(LOAD_ATTR_CLASS) {
        Object *obj = TOP();
        Type *t = TYPE(obj);
        DEOPT_IF(type_version_tag_now(t) != CACHE[1]);
        DEOPT_IF(!instance_lacks_name(obj, t, names[oparg]));
        Object *v = spec_cache_ptr(CACHE, 2);
        INCREF_KEPT(v);
        SET_TOP(v);
        DECREF(obj);
        SKIP_CACHE(LOAD_ATTR);
        DISPATCH();
    }

    TARGET(LOAD_ATTR_MODULE) {
        Object *obj = TOP();
        DEOPT_IF(TYPE(obj) != &module_type);
        DictObject *d = (DictObject *)module_dict(obj);
        Object *v;
        LOAD_CACHED_ENTRY(v, d, CACHE[1], CACHE[2]);
        SET_TOP(v);
        DECREF(obj);
        SKIP_CACHE(LOAD_ATTR);
        DISPATCH();
    }

    TARGET(LOAD_ATTR_TYPE) {
        Object *obj = TOP();
        DEOPT_IF(!is_class_with_tag(obj, CACHE[1]));
        Object *v = spec_cache_ptr(CACHE, 2);
        INCREF_KEPT(v);
        SET_TOP(v);
        DECREF(obj);
        SKIP_CACHE(LOAD_ATTR);
        DISPATCH();
    }

    TARGET(STORE_ATTR) {
        SPECIALIZE(SPEC_STORE, specialize_store_attr((uint32_t *)ip - 1, TOP(), names[oparg]));
        Object *obj = POP();
        Object *v = POP();
        SetAttrFunc setattr = TYPE(obj)->setattr;
        int r = store_attr_in_place(obj, TYPE(obj), names[oparg], v) ? 0
                : setattr ? setattr(obj, names[oparg], v)
                          : object_setattr(obj, names[oparg], v);
        DECREF(obj);
        DECREF(v);
        if (r < 0)
            goto error;
        SKIP_CACHE(STORE_ATTR);
        DISPATCH();
    }

    TARGET(STORE_ATTR_INSTANCE) {
        Object *obj = TOP(), *v = SECOND();
        Type *t = TYPE(obj);
        DEOPT_IF(type_version_tag_now(t) != CACHE[1] && !instance_dict_stores(t, names[oparg]));
        Object *old = instance_store_at(obj, t, (uint32_t *)CACHE + 2, names[oparg], v);
        DEOPT_IF(old == NULL);
        sp -= 2; /* v's reference is the dict's now */
        DECREF(obj);
        DECREF(old);
        SKIP_CACHE(STORE_ATTR);
        DISPATCH();
    }

    TARGET(STORE_ATTR_DICT) {
        /* The tag says: the same class, still without __setattr__ or a data
           descriptor of this name, so the value goes into the instance
           dict (made here if the instance has none yet, as the generic
           path does), through the dict's own insert. */
        Object *obj = TOP(), *v = SECOND();
        Type *t = TYPE(obj);
        DEOPT_IF(type_version_tag_now(t) != CACHE[1]);
        Object **dictp = (Object **)((char *)obj + t->dict_offset);
        Object *dict = instance_dict_load(dictp);
        DEOPT_IF(dict != NULL && TYPE(dict) != &dict_type);
        /* A fresh instance's first store makes its dict (toy-ft: with a
           compare-and-swap once threads run, so that of two threads
           storing into a new instance at once, both use the dict that
           won: instance_dict_make, core/object.h). */
        if (dict == NULL && (dict = instance_dict_make(dictp)) == NULL)
            goto error;
        int r = dict_add_str(dict, names[oparg], v);
        sp -= 2;
        DECREF(obj);
        DECREF(v);
        if (r < 0)
            goto error;
        SKIP_CACHE(STORE_ATTR);
        DISPATCH();
    }

    TARGET(STORE_ATTR_SLOT) {
        Object *obj = TOP();
        DEOPT_IF(type_version_tag_now(TYPE(obj)) != CACHE[1]);
        Object **slot = (Object **)((char *)obj + (int32_t)CACHE[2]);
        Object *old = *slot;
        *slot = SECOND(); /* the stack's reference moves into the slot */
        sp -= 2;
        XDECREF(old);
        DECREF(obj);
        SKIP_CACHE(STORE_ATTR);
        DISPATCH();
    }

    TARGET(LOAD_FAST_LOAD_ATTR) {
        /* local.name: when the LOAD_ATTR word is LOAD_ATTR_INSTANCE and
           its guard and hint hold, the value is read with the local
           borrowed from its slot (nothing can run meanwhile); anything
           else runs as LOAD_FAST, then the LOAD_ATTR word as it is. */
        Object *obj = slots[SUPER_FIRST(oparg)];
        if (UNLIKELY(obj == NULL)) {
            error_unbound_local(co, SUPER_FIRST(oparg));
            goto error;
        }
        if (LIKELY(INSTR_OP(*ip) == OP_LOAD_ATTR_INSTANCE)) {
            const uint32_t *cache = ip + 1;
            Type *t = TYPE(obj);
            Object *v;
            if (LIKELY(type_version_tag_now(t) == cache[1] || instance_dict_first(t)) &&
                LIKELY((v = instance_attr_at(obj, t, cache[2], names[SUPER_SECOND(oparg)])) != NULL)) {
                PUSH(v);
                ip += 1 + opcode_cache_size(OP_LOAD_ATTR);
                DISPATCH();
            }
        }
        INCREF(obj);
        PUSH(obj);
        DISPATCH();
    }

    TARGET(LOAD_FAST_STORE_ATTR) {
        /* local.name = v: as LOAD_FAST_LOAD_ATTR, with STORE_ATTR_INSTANCE
           replacing the value in place. The old value's release may run
           code (__del__): it comes last, after which the local is no
           longer used. */
        Object *obj = slots[SUPER_FIRST(oparg)];
        if (UNLIKELY(obj == NULL)) {
            error_unbound_local(co, SUPER_FIRST(oparg));
            goto error;
        }
        if (LIKELY(INSTR_OP(*ip) == OP_STORE_ATTR_INSTANCE)) {
            uint32_t *cache = (uint32_t *)ip + 1;
            Type *t = TYPE(obj);
            Object *name = names[SUPER_SECOND(oparg)];
            Object *old;
            if (LIKELY(type_version_tag_now(t) == cache[1] || instance_dict_stores(t, name)) &&
                (old = instance_store_at(obj, t, cache + 2, name, TOP())) != NULL) {
                sp--; /* the value's reference is the dict's now */
                DECREF(old);
                ip += 1 + opcode_cache_size(OP_STORE_ATTR);
                DISPATCH();
            }
        }
        INCREF(obj);
        PUSH(obj);
        DISPATCH();
    }

    TARGET(DELETE_ATTR) {
        Object *obj = POP();
        int r = object_delattr(obj, names[oparg]);
        DECREF(obj);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(LOAD_METHOD) {
        /* obj.name(...) without a bound-method object when name is a plain
           function or built-in method found on obj's class: [meth, obj]. */
        Object *obj = TOP();
        Object *name = names[oparg];
        Type *t = TYPE(obj);
        SPECIALIZE(SPEC_METHOD, specialize_load_method((uint32_t *)ip - 1, obj, name));
        if (method_lookup_is_plain(t)) {
            Object *meth = lookup_in_class(t, name);
            if (meth != NULL && (TYPE(meth) == &function_type || method_descr_applies(meth, obj))) {
                if (instance_lacks_name(obj, t, name)) {
                    LOOKUP_KEEP(meth);
                    SET_TOP(meth);
                    PUSH(obj);
                    SKIP_CACHE(LOAD_METHOD);
                    DISPATCH();
                }
            }
            LOOKUP_PUT(meth);
        }
        Object *v = t->getattr ? t->getattr(obj, name) : object_getattr(obj, name);
        if (v == NULL)
            goto error;
        SET_TOP(NULL);
        PUSH(v);
        DECREF(obj);
        SKIP_CACHE(LOAD_METHOD);
        DISPATCH();
    }

    TARGET(LOAD_METHOD_FUNC) {
        Object *obj = TOP();
        Type *t = TYPE(obj);
        Object *meth;
        if (LIKELY(type_version_tag_now(t) == CACHE[1])) {
            meth = spec_cache_ptr(CACHE, 2);
            INCREF_KEPT(meth);
        } else {
            meth = function_of_class(t, names[oparg]);
            DEOPT_IF(meth == NULL);
        }
        if (UNLIKELY(!instance_lacks_name(obj, t, names[oparg]))) {
            DECREF(meth); /* a function: its class still holds it */
            DEOPT_IF(true);
        }
        SET_TOP(meth);
        PUSH(obj);
        SKIP_CACHE(LOAD_METHOD);
        DISPATCH();
    }

    TARGET(LOAD_METHOD_BUILTIN) {
        /* Only a built-in type's dict can have the cached keys version, and
           such a type's instances have no dict of their own. */
        Object *obj = TOP();
        DictObject *d = (DictObject *)TYPE(obj)->dict;
#ifndef TOY_FREE_THREADED
        DEOPT_IF(d == NULL || d->keys_version != CACHE[1]);
#else
        /* A user class's dict may be changing under its lock, but it can
           never have the cached version: a keys version is handed out to
           one dict only (dict_keys_version), and the specializer takes it
           from a built-in type's dict alone, which never changes once
           threads run. So the version, read atomically, tells the two
           apart, and the entry is read only from the built-in's dict. */
        DEOPT_IF(d == NULL || __atomic_load_n(&d->keys_version, __ATOMIC_RELAXED) != CACHE[1]);
#endif
        Object *meth = d->entries[CACHE[2]].value;
        DEOPT_IF(TYPE(meth) != &method_descr_type);
        INCREF_LIKELY_IMMORTAL(meth); /* toy-ft: made so when the site was specialized */
        SET_TOP(meth);
        PUSH(obj);
        SKIP_CACHE(LOAD_METHOD);
        DISPATCH();
    }

    TARGET(LOAD_METHOD_TYPE) {
        Object *obj = TOP();
        DEOPT_IF(!is_class_with_tag(obj, CACHE[1]));
        Object *v = spec_cache_ptr(CACHE, 2);
        INCREF_KEPT(v);
        SET_TOP(NULL);
        PUSH(v);
        DECREF(obj);
        SKIP_CACHE(LOAD_METHOD);
        DISPATCH();
    }

    TARGET(CACHE) {
        /* Cache words are stepped over, never run. */
        error_set(&exc_SystemError, "executed an inline cache word");
        goto error;
    }

    /* ---- Operators --------------------------------------------------------- */

    TARGET(BINARY_SUBSCR) {
        Object *key = POP();
        Object *obj = POP();
        Object *v = list_subscr_fast(obj, key);
        if (v == NULL && (v = object_getitem(obj, key)) == NULL) {
            DECREF(obj);
            DECREF(key);
            goto error;
        }
        DECREF(obj);
        DECREF(key);
        PUSH(v);
        DISPATCH();
    }

    TARGET(STORE_SUBSCR) {
        Object *key = POP();
        Object *obj = POP();
        Object *v = POP();
        if (list_store_fast(obj, key, v)) {
            DECREF(obj);
            DECREF_LIKELY_IMMORTAL(key); /* a small int */
            DISPATCH();
        }
        int r = object_setitem(obj, key, v);
        DECREF(obj);
        DECREF(key);
        DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    /* local[const] = v and local1[local2] = v: the container and the key
       are read in their slots, never pushed (no code can rebind a local
       while the store runs), so neither count changes. */
    TARGET(LOAD_FAST_CONST_STORE_SUBSCR) {
        Object *obj = slots[SUPER_FIRST(oparg)];
        if (UNLIKELY(obj == NULL)) {
            error_unbound_local(co, SUPER_FIRST(oparg));
            goto error;
        }
        ip += 2; /* the LOAD_CONST and STORE_SUBSCR words */
        if (store_subscr_borrowed(obj, consts[SUPER_SECOND(oparg)], POP()) < 0)
            goto error;
        DISPATCH();
    }

    TARGET(LOAD_FAST_LOAD_FAST_STORE_SUBSCR) {
        BORROW_TWO_LOCALS(obj, key);
        ip += 2; /* the LOAD_FAST and STORE_SUBSCR words */
        if (store_subscr_borrowed(obj, key, POP()) < 0)
            goto error;
        DISPATCH();
    }

    TARGET(DELETE_SUBSCR) {
        Object *key = POP();
        Object *obj = POP();
        int r = object_delitem(obj, key);
        DECREF(obj);
        DECREF(key);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(BUILD_SLICE) {
        Object *step = oparg == 3 ? POP() : NULL;
        Object *hi = POP();
        Object *lo = POP();
        Object *s = slice_new(lo, hi, step);
        DECREF(lo);
        DECREF(hi);
        XDECREF(step);
        if (s == NULL)
            goto error;
        PUSH(s);
        DISPATCH();
    }

    /* a op b and a op= b share their fast paths; only the generic fallback
       differs (for a list, += extends it in place). */
    TARGET(BINARY_OP)
    TARGET(INPLACE_OP) {
        bool inplace = INSTR_OP(instr) == OP_INPLACE_OP;
        Object *b = POP();
        Object *a = POP();
        Object *r;
        int64_t z;
        double d;
        if (TYPE(a) == &int_type && TYPE(b) == &int_type && int_both_small(a, b) &&
            int_binop_fast(oparg, int_value(a), int_value(b), &z)) {
            if (z >= SMALL_INT_MIN && z <= SMALL_INT_MAX) {
                r = int_small(z);
            } else if (operand_is_reusable(a, ip, slots)) {
                ((IntObject *)a)->value = z;
                DECREF_LIKELY_IMMORTAL(b); /* a small int, most often */
                PUSH(a);
                DISPATCH();
            } else if (REFCNT_IS(b, 1)) {
                ((IntObject *)b)->value = z;
                DECREF(a);
                PUSH(b);
                DISPATCH();
            } else {
                r = int_new_small(z);
            }
        } else if (VM_FLOAT_FAST_PATHS && arith_float_pair(oparg, a, b, &d)) {
            /* Both are exact floats, let go of at once: the result goes
               into one whose last reference the stack held, and the other,
               if this was its last reference, straight back to the free
               list. */
            if ((r = float_result_into(a, b, d)) == NULL)
                goto error;
            PUSH(r);
            DISPATCH();
        } else if (oparg == BINOP_ADD && TYPE(a) == &str_type && TYPE(b) == &str_type) {
            if (str_add_inplace(&a, b, ip, slots) < 0) {
                DECREF(a);
                DECREF(b);
                goto error;
            }
            DECREF(b);
            PUSH(a);
            DISPATCH();
        } else {
            r = binop_past_ints(oparg, inplace, a, b);
            if (UNLIKELY(r == BINOP_FRAME_PUSHED)) {
                /* a user class's Toy __op__, run in this loop */
                sp += 2; /* a and b stay until it returns */
                ENTER_PUSHED_FRAME(ts->frame);
            }
        }
        DECREF(a);
        DECREF_LIKELY_IMMORTAL(b); /* most often a small int or a constant */
        if (r == NULL)
            goto error;
        PUSH(r);
        DISPATCH();
    }

    TARGET(COMPARE_OP) {
        Object *b = POP();
        Object *a = POP();
        Object *r;
        bool result;
        if (is_int_exact(a) && is_int_exact(b) && int_both_small(a, b)) {
            result = compare_i64(int_value(a), int_value(b), (CompareOp)oparg);
        } else if (VM_FLOAT_FAST_PATHS && TYPE(a) == &float_type && TYPE(b) == &float_type) {
            result = arith_compare_doubles(float_value(a), float_value(b), (CompareOp)oparg);
        } else {
            r = compare_past_ints(a, b, oparg);
            DECREF(a);
            DECREF(b);
            if (r == NULL)
                goto error;
            if (r != True_ && r != False_) {
                PUSH(r);
                DISPATCH();
            }
            result = r == True_;
            DECREF_IMMORTAL(r);
            goto compare_branch;
        }
        DECREF(a);
        DECREF(b);
    compare_branch:
        PUSH_BOOL_OR_BRANCH(result);
    }

    TARGET(IS_OP) {
        Object *b = POP();
        Object *a = POP();
        Object *r = ((a == b) != (oparg != 0)) ? True_ : False_;
        INCREF_IMMORTAL(r);
        DECREF(a);
        DECREF(b);
        PUSH(r);
        DISPATCH();
    }

    TARGET(CONTAINS_OP) {
        Object *b = POP();
        Object *a = POP();
        int found = contains_test(b, a);
        DECREF(a);
        DECREF(b);
        if (found < 0)
            goto error;
        PUSH_BOOL_OR_BRANCH((found != 0) != (oparg != 0));
    }

    TARGET(UNARY_NEGATIVE) {
        Object *v = TOP();
        Object *r;
        if (TYPE(v) == &int_type && int_is_small(v) && int_value(v) != INT64_MIN)
            r = small_or_new_int(-int_value(v));
        else
            r = object_negative(v);
        if (r == NULL)
            goto error;
        SET_TOP(r);
        DECREF(v);
        DISPATCH();
    }

    TARGET(UNARY_POSITIVE) {
        Object *v = TOP();
        Object *r = object_positive(v);
        if (r == NULL)
            goto error;
        SET_TOP(r);
        DECREF(v);
        DISPATCH();
    }

    TARGET(UNARY_NOT) {
        Object *v = TOP();
        int t = v == True_ ? 1 : (v == False_ || v == None) ? 0 : object_truth(v);
        if (t < 0)
            goto error;
        Object *r = t ? False_ : True_;
        INCREF_IMMORTAL(r);
        SET_TOP(r);
        DECREF(v);
        DISPATCH();
    }

    TARGET(UNARY_INVERT) {
        Object *v = TOP();
        Object *r = object_invert(v);
        if (r == NULL)
            goto error;
        SET_TOP(r);
        DECREF(v);
        DISPATCH();
    }

    /* ---- Jumps ------------------------------------------------------------- */

    TARGET(JUMP) {
        /* A backward jump closes a loop: let a waiting thread run. */
        if (oparg < (uint32_t)(ip - first_instr) && UNLIKELY(gil_breaker_set()) &&
            vm_eval_breaker(ts) < 0)
            goto error;
        JUMP_TO(oparg);
        DISPATCH();
    }

    TARGET(POP_JUMP_IF_FALSE) {
        Object *v = POP();
        if (v == False_ || v == None) {
            DECREF_IMMORTAL(v);
            JUMP_TO(oparg);
        } else if (v == True_) {
            DECREF_IMMORTAL(v);
        } else {
            int t = object_truth(v);
            DECREF(v);
            if (t < 0)
                goto error;
            if (t == 0)
                JUMP_TO(oparg);
        }
        DISPATCH();
    }

    TARGET(POP_JUMP_IF_TRUE) {
        Object *v = POP();
        if (v == True_) {
            DECREF_IMMORTAL(v);
            JUMP_TO(oparg);
        } else if (v == False_ || v == None) {
            DECREF_IMMORTAL(v);
        } else {
            int t = object_truth(v);
            DECREF(v);
            if (t < 0)
                goto error;
            if (t > 0)
                JUMP_TO(oparg);
        }
        DISPATCH();
    }

    TARGET(JUMP_IF_FALSE_OR_POP) {
        Object *v = TOP();
        int t = v == True_ ? 1 : (v == False_ || v == None) ? 0 : object_truth(v);
        if (t < 0)
            goto error;
        if (t == 0) {
            JUMP_TO(oparg);
        } else {
            sp--;
            DECREF(v);
        }
        DISPATCH();
    }

    TARGET(JUMP_IF_TRUE_OR_POP) {
        Object *v = TOP();
        int t = v == True_ ? 1 : (v == False_ || v == None) ? 0 : object_truth(v);
        if (t < 0)
            goto error;
        if (t > 0) {
            JUMP_TO(oparg);
        } else {
            sp--;
            DECREF(v);
        }
        DISPATCH();
    }

    TARGET(GET_ITER) {
        Object *obj = TOP();
        Object *it;
        if (TYPE(obj) == &range_type)
            it = range_iter(obj);
        else if (TYPE(obj) == &list_type)
            it = list_iter(obj);
        else
            it = object_iter(obj);
        if (it == NULL)
            goto error;
        SET_TOP(it);
        DECREF(obj);
        DISPATCH();
    }

    /* FOR_ITER_STORE_FAST is FOR_ITER with the STORE_FAST after it fused:
       the next item goes straight into the local. */
    TARGET(FOR_ITER)
    TARGET(FOR_ITER_STORE_FAST) {
        bool store = INSTR_OP(instr) == OP_FOR_ITER_STORE_FAST;
        uint32_t exit = store ? SUPER_FIRST(oparg) : oparg;
        Object *it = TOP();
        Type *t = TYPE(it);
        Object *v;
        /* The iterators of ranges and lists (range.h, list.h) step inline
           (in toy-ft, with threads running, a list's under the rules of
           core/iterstate.h, a range's only while this loop alone holds
           it). */
        if (t == VM_RANGE_STEP_TYPE) {
        range_step:;
            RangeIterObject *r = (RangeIterObject *)it;
            if (r->remaining > 0) {
                int64_t x = (int64_t)r->next;
                r->remaining--;
                r->next += r->step;
                if (store && loop_int_reused(slots[SUPER_SECOND(oparg)], x)) {
                    ip++;
                    DISPATCH();
                }
                if ((v = small_or_new_int(x)) == NULL)
                    goto error;
                goto for_iter_next;
            }
        } else if (t == &list_iterator_type && VM_LIST_FAST_PATHS) {
            ListIterObject *li = (ListIterObject *)it;
            if (li->list != NULL && li->index < list_size(li->list)) {
                v = list_item(li->list, li->index++);
                INCREF(v);
                goto for_iter_next;
            }
            /* Exhausted for good, as in list_iter_next: the iterator may be
               the user's (`for x in it`), and a later next(it) must not see
               items appended since. */
            iter_exhaust(&li->list, &li->index);
        } else if (t == &list_iterator_type) { /* toy-ft, threads running */
            /* Other threads may step the same iterator (core/iterstate.h). */
            ListIterObject *li = (ListIterObject *)it;
            size_t i = iter_index(&li->index);
            if (li->list != NULL && (v = list_fetch(li->list, i)) != NULL) {
                iter_set_index(&li->index, i + 1);
                PUSH(v);
                DISPATCH();
            }
            iter_exhaust(&li->list, &li->index); /* exhausted for good, as above */
        } else if (t == &gen_type && gen_claim_inline(ts, (GenObject *)it, None)) {
            SAVE_FRAME();
            f = gen_enter_inline(ts, (GenObject *)it, f, NEWREF_IMMORTAL(None));
            LOAD_FRAME();
            DISPATCH();
        } else if (VM_RANGE_ITER_UNSHARED(t, it)) {
            goto range_step;
        } else {
            v = t->iternext ? t->iternext(it) : object_next(it);
            if (v != NULL) {
                goto for_iter_next;
            }
            if (ts->current_exc != NULL) {
                if (!error_matches(&exc_StopIteration))
                    goto error;
                error_clear();
            }
        }
        /* Exhausted: drop the iterator and leave the loop. */
        sp--;
        DECREF(it);
        JUMP_TO(exit);
        DISPATCH();
    for_iter_next:
        if (store) {
            Object *old = slots[SUPER_SECOND(oparg)];
            slots[SUPER_SECOND(oparg)] = v;
            ip++;
            XDECREF_LIKELY_IMMORTAL(old); /* most often a small int of a range */
        } else {
            PUSH(v);
        }
        DISPATCH();
    }

    /* ---- Building values --------------------------------------------------- */

    TARGET(BUILD_TUPLE) {
        Object *t = tuple_new(oparg);
        if (t == NULL)
            goto error;
        sp -= oparg;
        for (uint32_t i = 0; i < oparg; i++)
            tuple_set_steal(t, i, sp[i]);
        PUSH(t);
        DISPATCH();
    }

    TARGET(BUILD_LIST) {
        Object *l = list_new(oparg);
        if (l == NULL)
            goto error;
        sp -= oparg;
        for (uint32_t i = 0; i < oparg; i++)
            list_set_steal(l, i, sp[i]);
        PUSH(l);
        DISPATCH();
    }

    TARGET(BUILD_MAP) {
        Object *d = dict_new();
        if (d == NULL)
            goto error;
        Object **items = sp - 2 * (size_t)oparg;
        for (uint32_t i = 0; i < oparg; i++) {
            if (dict_set_item(d, items[2 * i], items[2 * i + 1]) < 0) {
                DECREF(d);
                goto error;
            }
        }
        while (sp > items) {
            Object *v = POP();
            DECREF(v);
        }
        PUSH(d);
        DISPATCH();
    }

    TARGET(BUILD_STRING) {
        Object *s = build_string(sp - oparg, oparg);
        if (s == NULL)
            goto error;
        for (uint32_t i = 0; i < oparg; i++) {
            Object *v = POP();
            DECREF(v);
        }
        PUSH(s);
        DISPATCH();
    }

    TARGET(LIST_APPEND) {
        Object *v = POP();
        if (list_append_steal_inline(PEEK(oparg), v) < 0)
            goto error;
        DISPATCH();
    }

    TARGET(LIST_EXTEND) {
        Object *iterable = POP();
        if (list_extend(PEEK(oparg), iterable) < 0) {
            refine_not_iterable(iterable, "Value after * must be an iterable, not %s", NULL);
            DECREF(iterable);
            goto error;
        }
        DECREF(iterable);
        DISPATCH();
    }

    TARGET(BUILD_SET) {
        Object *set = build_set(sp - oparg, oparg);
        sp -= oparg;
        if (!set)
            goto error;
        PUSH(set);
        DISPATCH();
    }

    TARGET(SET_ADD) {
        Object *v = POP();
        int r = set_add(PEEK(oparg), v);
        DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(SET_UPDATE) {
        Object *iterable = POP();
        int r = set_update(PEEK(oparg), iterable);
        DECREF(iterable);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(LIST_TO_TUPLE) {
        Object *l = TOP();
        Object *t = list_as_tuple(l);
        if (t == NULL)
            goto error;
        SET_TOP(t);
        DECREF(l);
        DISPATCH();
    }

    TARGET(MAP_ADD) {
        Object *v = POP();
        Object *k = POP();
        int r = dict_set_item(PEEK(oparg), k, v);
        DECREF(k);
        DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(DICT_MERGE) {
        /* Stack: [func, argtuple, dict, .., m]: the callable is named in
           the errors (CALL_EX shape). */
        Object *m = POP();
        int r = merge_call_kwargs(PEEK(oparg), m, PEEK(oparg + 2));
        DECREF(m);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(UNPACK_SEQUENCE) {
        Object *seq = POP();
        Object *const *items = NULL;
        if (TYPE(seq) == &tuple_type && tuple_size(seq) == oparg)
            items = tuple_items(seq);
        else if (TYPE(seq) == &list_type && VM_LIST_FAST_PATHS && list_size(seq) == oparg)
            items = ((ListObject *)seq)->items;
        if (items != NULL) {
            for (uint32_t i = oparg; i-- > 0;) {
                INCREF(items[i]);
                PUSH(items[i]);
            }
        } else {
            if (unpack_iterable(seq, oparg, sp) < 0) {
                DECREF(seq);
                goto error;
            }
            sp += oparg;
        }
        DECREF(seq);
        DISPATCH();
    }

    TARGET(UNPACK_EX) {
        Object *seq = POP();
        Object **new_sp = unpack_starred(seq, oparg & 0xff, oparg >> 8, sp);
        DECREF(seq);
        if (new_sp == NULL)
            goto error;
        sp = new_sp;
        DISPATCH();
    }

    TARGET(FORMAT_VALUE) {
        Object *spec = (oparg & 4) ? POP() : NULL;
        Object *v = TOP();
        if (spec == NULL && (oparg & 3) == 0 && TYPE(v) == &str_type)
            DISPATCH(); /* a plain str formats to itself */
        Object *r = format_value(v, (int)(oparg & 3), spec);
        XDECREF(spec);
        if (r == NULL)
            goto error;
        SET_TOP(r);
        DECREF(v);
        DISPATCH();
    }

    /* ---- Calls ------------------------------------------------------------- */

    TARGET(KW_NAMES) {
        kwnames = consts[oparg];
        DISPATCH();
    }

    TARGET(CALL) {
        /* [A, B, args(n)]: A NULL -> B(args), else A(B, args). */
    call_generic:;
        Object **base = sp - oparg - 2;
        Object *callable;
        Object **argv;
        size_t argc;
        Object *kw = kwnames;
        kwnames = NULL;
        Opcode quick; /* what this site becomes if it calls a Toy function */
        if (base[0] != NULL) {
            callable = base[0];
            argv = base + 1;
            argc = oparg + 1;
            quick = OP_CALL_PY_SELF;
        } else {
            callable = base[1];
            argv = base + 2;
            argc = oparg;
            quick = OP_CALL_PY_FUNC;
            if (TYPE(callable) == &method_type &&
                TYPE(((MethodObject *)callable)->func) == &function_type) {
                /* Unpack a bound Toy method in place: [func, self, args]. */
                MethodObject *m = (MethodObject *)callable;
                base[0] = NEWREF(m->func);
                base[1] = NEWREF(m->self);
                DECREF(callable);
                callable = base[0];
                argv = base + 1;
                argc = oparg + 1;
                quick = OP_CALL;
            }
        }
        Type *ct = TYPE(callable);

        if (ct == &function_type) {
            /* Push its frame and go on in this loop: the frame takes over
               the stack's references to the function and the arguments.
               The caller's ip/sp are saved once the push has worked:
               nothing in it reads them (a failure goes to `error` with the
               C locals), and saving first costs instructions on every
               call. Anything but the straight path is bound out of line;
               a site whose call takes it is quickened. */
            FunctionObject *fn = (FunctionObject *)callable;
            CodeObject *callee = (CodeObject *)fn->code;
            sp = base;
            if (LIKELY(kw == NULL && argc == (size_t)(ptrdiff_t)callee->plain_argcount)) {
                if (quick != OP_CALL && (specialize_families & SPEC_CALL) && OWN_INSTRS)
                    specialize_call((uint32_t *)ip - 1, quick);
                call_fn = fn;
                call_code = callee;
                call_args = argv;
                call_argc = argc;
                goto call_push_plain;
            }
            Frame *nf = frame_push_bound(ts, fn, argv, argc, kw);
            if (UNLIKELY(nf == NULL))
                goto error;
            ENTER_PUSHED_FRAME(nf);
        }

        size_t nargs = argc - (kw ? tuple_size(kw) : 0);
        Object *res;
        if (ct == &builtin_type) {
            BuiltinObject *b = (BuiltinObject *)callable;
            res = b->def->func(b->self, argv, nargs, kw);
        } else if (ct == &method_descr_type && base[0] != NULL) {
            /* From LOAD_METHOD: self's type is known to have the method. */
            CFunction cf = ((MethodDescrObject *)callable)->def->func;
            if (kw == NULL && (specialize_families & SPEC_CALL) && OWN_INSTRS)
                specialize_call((uint32_t *)ip - 1, cf == list_append_method && oparg == 1
                                                        ? OP_CALL_LIST_APPEND
                                                        : OP_CALL_METHOD_DESCR);
            res = cf(argv[0], argv + 1, nargs - 1, kw);
        } else {
            if (ct == &type_type && (((Type *)callable)->flags & TYPE_HEAP) && base[0] == NULL) {
                /* A user class whose call is "allocate, then run a Toy
                   __init__": run __init__ in this loop (init_call_push). */
                Frame *nf;
                int pushed = init_call_push(ts, f, base, oparg, kw, &nf);
                if (UNLIKELY(pushed < 0)) {
                    sp = base;
                    goto error;
                }
                if (pushed) {
                    if (kw == NULL && (specialize_families & SPEC_CALL) && OWN_INSTRS)
                        specialize_call((uint32_t *)ip - 1, OP_CALL_CLASS_INIT);
                    sp = base + 1;
                    ENTER_PUSHED_FRAME(nf);
                }
            }
            res = object_call(callable, argv, nargs, kw);
        }
        while (sp > base) {
            Object *v = POP();
            XDECREF(v);
        }
        if (res == NULL)
            goto error;
        PUSH(res);
        DISPATCH();
    }

    TARGET(CALL_PY_SELF) {
        /* [func, self, args(n)]: CALL after a LOAD_METHOD that found a Toy
           function on the class. No keywords at this site. */
        Object **base = sp - oparg - 2;
        FunctionObject *fn = (FunctionObject *)base[0];
        if (UNLIKELY(fn == NULL || TYPE(fn) != &function_type))
            goto call_generic;
        CodeObject *callee = (CodeObject *)fn->code;
        if (UNLIKELY(oparg + 1 != (size_t)(ptrdiff_t)callee->plain_argcount))
            goto call_generic;
        sp = base;
        call_fn = fn;
        call_code = callee;
        call_args = base + 1;
        call_argc = oparg + 1;
        goto call_push_plain;
    }

    TARGET(CALL_PY_FUNC) {
        /* [NULL, func, args(n)]. No keywords at this site. */
        Object **base = sp - oparg - 2;
        FunctionObject *fn = (FunctionObject *)base[1];
        if (UNLIKELY(base[0] != NULL || TYPE(fn) != &function_type))
            goto call_generic;
        CodeObject *callee = (CodeObject *)fn->code;
        if (UNLIKELY(oparg != (size_t)(ptrdiff_t)callee->plain_argcount))
            goto call_generic;
        sp = base;
        call_fn = fn;
        call_code = callee;
        call_args = base + 2;
        call_argc = oparg;
    }
    call_push_plain: {
        /* The straight path of every call of a Toy function in this loop:
           call_fn's frame, its call_argc arguments moved from call_args */
        Frame *nf = frame_push_plain(ts, call_fn, call_code, call_args, call_argc, f);
        if (UNLIKELY(nf == NULL))
            goto error;
        pushed_frame = nf;
    }
    enter_pushed_frame:
        /* Go on in the frame a call has just pushed (sp already where the
           call's result will go). A call polls the GIL's drop request, as
           a backward jump does. */
        SAVE_FRAME();
        f = pushed_frame;
        LOAD_FRAME();
        ip = first_instr; /* a new frame starts at 0: f->ip need not be read */
        if (UNLIKELY(gil_breaker_set()) && vm_eval_breaker(ts) < 0)
            goto error;
        DISPATCH();

    TARGET(CALL_CLASS_INIT) {
        /* [NULL, class, args(n)]: a CALL that last ran a class's Toy
           __init__ in this loop. No keywords at this site. init_call_push
           checks the class as the generic CALL does. */
        Object **base = sp - oparg - 2;
        Type *t = (Type *)base[1];
        if (UNLIKELY(base[0] != NULL || TYPE(t) != &type_type || !(t->flags & TYPE_HEAP)))
            goto call_generic;
        Frame *nf;
        int pushed = init_call_push(ts, f, base, oparg, NULL, &nf);
        if (UNLIKELY(pushed <= 0)) {
            if (pushed == 0)
                goto call_generic; /* not a class of that kind (any more) */
            sp = base;
            goto error;
        }
        sp = base + 1;
        ENTER_PUSHED_FRAME(nf);
    }

    TARGET(CALL_EX) {
        Object *kwargs = (oparg & 1) ? POP() : NULL;
        Object *star = POP();
        Object *func = TOP();
        Object *args = star_args_tuple(func, star);
        DECREF(star);
        if (args == NULL) {
            XDECREF(kwargs);
            goto error;
        }
        if (kwargs != NULL && !is_dict_exact(kwargs)) {
            Object *d = dict_new();
            if (d == NULL || merge_call_kwargs(d, kwargs, func) < 0) {
                XDECREF(d);
                DECREF(kwargs);
                DECREF(args);
                goto error;
            }
            SETREF(&kwargs, d);
        }
        FunctionObject *fn = NULL;
        Object *self = NULL;
        if (TYPE(func) == &function_type) {
            fn = (FunctionObject *)func;
        } else if (TYPE(func) == &method_type &&
                   TYPE(((MethodObject *)func)->func) == &function_type) {
            fn = (FunctionObject *)((MethodObject *)func)->func;
            self = ((MethodObject *)func)->self;
        }
        if (fn != NULL) {
            CallArgs ca;
            Frame *nf = NULL;
            SAVE_FRAME();
            if (object_call_args_init(&ca, self, args, kwargs) == 0)
                nf = frame_push_call(ts, fn, ca.argv, ca.nargs, ca.kwnames);
            object_call_args_release(&ca);
            DECREF(args);
            XDECREF(kwargs);
            if (nf == NULL)
                goto error;
            /* The new frame holds its own reference to fn: drop func from
               the caller's stack. */
            f->sp = sp - 1;
            DECREF(func);
            f = nf;
            LOAD_FRAME();
            DISPATCH();
        }
        Object *res = object_call_tuple(func, args, kwargs);
        DECREF(args);
        XDECREF(kwargs);
        sp--;
        DECREF(func);
        if (res == NULL)
            goto error;
        PUSH(res);
        DISPATCH();
    }

    TARGET(CALL_EXIT) {
        Object *res = object_call(sp[-4], sp - 3, 3, NULL);
        for (int i = 0; i < 4; i++) {
            Object *v = POP();
            DECREF(v);
        }
        if (res == NULL)
            goto error;
        DECREF(res);
        DISPATCH();
    }

    TARGET(MAKE_FUNCTION) {
        Object *code = POP();
        Object *closure = (oparg & 8) ? POP() : NULL;
        Object *kwdefaults = (oparg & 2) ? POP() : NULL;
        Object *defaults = (oparg & 1) ? POP() : NULL;
        Object *fn = make_function(code, f->globals, defaults, kwdefaults, closure, f->function);
        if (fn == NULL)
            goto error;
        PUSH(fn);
        DISPATCH();
    }

    TARGET(LOAD_BUILD_CLASS) {
        Object *bc = dict_get_item_cstr(interp.builtins, "__build_class__");
        if (bc == NULL) {
            if (!error_occurred())
                error_set(&exc_NameError, "__build_class__ not found");
            goto error;
        }
        INCREF(bc);
        PUSH(bc);
        DISPATCH();
    }

    TARGET(LOAD_FAST_RETURN_VALUE) {
        /* `return x`: the frame is leaving, and its slots with it, so the
           local's reference moves to the stack (the slot left empty is
           skipped as the frame is released): neither count changes. */
        Object *v = slots[SUPER_FIRST(oparg)];
        if (UNLIKELY(v == NULL)) {
            error_unbound_local(co, SUPER_FIRST(oparg));
            goto error;
        }
        slots[SUPER_FIRST(oparg)] = NULL;
        ip++;
        PUSH(v);
        goto return_value;
    }

    TARGET(RETURN_VALUE) {
    return_value:; /* LOAD_FAST_RETURN_VALUE too, with the local pushed */
        Object *retval = POP();
        Frame *back = f->back;
        int on_return = f->on_return;
        if (LIKELY(on_return == FRAME_RETURN_TO_CALLER)) {
            /* a function's frame, without a locals dict */
            frame_pop_call(ts, f, sp);
            f = back;
            LOAD_FRAME_BACK();
            PUSH(retval);
            DISPATCH();
        }
        frame_pop_inlined(ts, f, sp);
        if (on_return == FRAME_RETURN_FROM_RUN)
            return retval;
        if (on_return == FRAME_RETURN_GEN_INLINE) {
            /* The generator has finished: its SEND replaces it with the
               return value, the value of the yield from; its FOR_ITER
               drops it and the return value and leaves the loop. */
            GenObject *g = gen_of_inline(back);
            gen_finish_inline(ts, g, f);
            f = back;
            LOAD_FRAME_BACK();
            uint32_t resumer = ip[-1];
            uint32_t arg = INSTR_ARG(resumer);
            if (INSTR_OP(resumer) == OP_SEND) {
                SET_TOP(retval);
                JUMP_TO(arg);
            } else {
                sp--;
                DECREF(retval);
                JUMP_TO(INSTR_OP(resumer) == OP_FOR_ITER_STORE_FAST ? SUPER_FIRST(arg) : arg);
            }
            DECREF(g);
            DISPATCH();
        }
        f = back;
        LOAD_FRAME_BACK();
        if (on_return == FRAME_RETURN_INIT) {
            /* the instance is already on the caller's stack, where it is
               the call's result; __init__ must have returned None */
            if (UNLIKELY(retval != None)) {
                init_call_bad_result(retval);
                goto error;
            }
            DECREF(retval);
            DISPATCH();
        }
        if (on_return >= FRAME_RETURN_BINOP) {
            Object *b = POP(), *a = POP();
            retval = binop_call_result(retval, a, b, on_return);
            DECREF(a);
            DECREF(b);
            if (retval == NULL)
                goto error;
        }
        PUSH(retval);
        DISPATCH();
    }

    /* ---- Exceptions and with ----------------------------------------------- */

    TARGET(SETUP_FINALLY) {
        PUSH_BLOCK((int)oparg, sp - slots);
        DISPATCH();
    }

    TARGET(SETUP_WITH) {
        Object *cm = TOP();
        Object *enter = lookup_special(cm, "__enter__");
        if (enter == NULL) {
            if (race_is_freed(cm)) /* --no-gil: a count raced */
                race_used_after_free(cm, "entered it in a `with` statement");
            if (!error_occurred())
                error_set(&exc_TypeError, "'%s' object does not support the context manager protocol",
                          TYPE_NAME(cm));
            goto error;
        }
        Object *exit = lookup_special(cm, "__exit__");
        if (exit == NULL) {
            DECREF(enter);
            if (!error_occurred())
                error_set(&exc_TypeError,
                          "'%s' object does not support the context manager protocol (missed __exit__ method)",
                          TYPE_NAME(cm));
            goto error;
        }
        SET_TOP(exit);
        DECREF(cm);
        Object *res = object_call0(enter);
        DECREF(enter);
        if (res == NULL)
            goto error;
        /* The block covers the body: __exit__ runs only once __enter__ worked. */
        PUSH(res);
        PUSH_BLOCK((int)oparg, sp - 1 - slots);
        DISPATCH();
    }

    TARGET(POP_BLOCK) {
        if (UNLIKELY(f->nblocks == 0))
            goto block_underflow;
        f->nblocks--;
        DISPATCH();
    }

    TARGET(PUSH_EXC_INFO) {
        /* [exc] -> [prev, exc]; exc becomes the handled exception until
           POP_EXCEPT (or unwinding through the block) restores prev. */
        Object *exc = TOP();
        PUSH_BLOCK(BLOCK_EXCEPT_HANDLER, sp - 1 - slots);
        Object *prev = ts->handled_exc ? ts->handled_exc : NEWREF(None);
        ts->handled_exc = NEWREF(exc);
        SET_TOP(prev);
        PUSH(exc);
        DISPATCH();
    }

    TARGET(POP_EXCEPT) {
        if (UNLIKELY(f->nblocks == 0))
            goto block_underflow;
        f->nblocks--;
        Object *prev = POP();
        if (prev == None) {
            DECREF(prev);
            prev = NULL;
        }
        SETREF(&ts->handled_exc, prev);
        DISPATCH();
    }

    TARGET(JUMP_IF_NOT_EXC_MATCH) {
        Object *cls = POP();
        Object *exc = POP();
        int match = exception_matches(exc, cls);
        DECREF(cls);
        DECREF(exc);
        if (match < 0)
            goto error;
        if (match == 0)
            JUMP_TO(oparg);
        DISPATCH();
    }

    TARGET(RERAISE) {
        SETREF(&ts->current_exc, POP());
        goto unwind; /* its traceback already has this frame */
    }

    TARGET(WITH_EXCEPT_START) {
        /* exit(type, value, traceback), as Python passes them. */
        Object *exc = TOP();
        Object *tb = is_exception_instance(exc) ? (Object *)((ExceptionObject *)exc)->traceback : NULL;
        Object *args[3] = { (Object *)TYPE(exc), exc, tb ? tb : None };
        Object *res = object_call(sp[-3], args, 3, NULL);
        if (res == NULL)
            goto error;
        PUSH(res);
        DISPATCH();
    }

    TARGET(RAISE_VARARGS) {
        if (oparg == 0) {
            if (ts->handled_exc == NULL) {
                error_set(&exc_RuntimeError, "No active exception to reraise");
                goto error;
            }
            SETREF(&ts->current_exc, NEWREF(ts->handled_exc));
            goto unwind; /* re-raised as it is: no new traceback entry */
        }
        Object *cause = oparg == 2 ? POP() : NULL;
        Object *exc = POP();
        do_raise(ts, exc, cause);
        DECREF(exc);
        XDECREF(cause);
        goto error;
    }

    TARGET(LOAD_ASSERTION_ERROR) {
        Object *v = (Object *)&exc_AssertionError;
        INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    /* ---- Modules and the REPL ---------------------------------------------- */

    TARGET(IMPORT_NAME) {
        Object *fromlist = POP();
        Object *level = POP();
        Object *m = import_name(names[oparg], f->globals, fromlist, level);
        DECREF(fromlist);
        DECREF(level);
        if (m == NULL)
            goto error;
        PUSH(m);
        DISPATCH();
    }

    TARGET(IMPORT_STAR) {
        Object *m = POP();
        int r = import_star(m, f->locals ? f->locals : f->globals);
        DECREF(m);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(IMPORT_FROM) {
        Object *v = import_name_from(TOP(), names[oparg]);
        if (v == NULL)
            goto error;
        PUSH(v);
        DISPATCH();
    }

    TARGET(PRINT_EXPR) {
        Object *v = POP();
        int r = print_expr(v);
        DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    /* ---- Generators -------------------------------------------------------- */

    TARGET(RETURN_GENERATOR) {
        /* The first instruction of a generator's code: its frame moves to
           the heap, owned by a new generator, and the call returns that. */
        SAVE_FRAME();
        Object *gen = make_generator(f);
        if (gen == NULL)
            goto error;
        Frame *back = f->back;
        bool entry = f->on_return == FRAME_RETURN_FROM_RUN;
        ts->frame = back;
        ts->recursion_depth--;
        frame_free(ts, f); /* its references went to the heap frame */
        if (entry)
            return gen;
        f = back;
        LOAD_FRAME_BACK();
        PUSH(gen);
        DISPATCH();
    }

    TARGET(YIELD_VALUE) {
        /* The generator's frame is the entry frame of its run(), or was
           resumed inline by a FOR_ITER (gen_enter_inline), which gets v. */
        Object *v = POP();
        SAVE_FRAME();
        f->yielded = (uint8_t)(1 + oparg);
        Frame *back = f->back;
        ts->frame = back;
        ts->recursion_depth--;
        if (f->on_return != FRAME_RETURN_GEN_INLINE)
            return v;
        gen_leave_inline(ts, gen_of_inline(back));
        f = back;
        LOAD_FRAME_BACK();
        /* The FOR_ITER or SEND that resumed the generator: v is its next
           item, or what the yield from yields. */
        uint32_t resumer = ip[-1];
        if (INSTR_OP(resumer) == OP_FOR_ITER_STORE_FAST) {
            Object *old = slots[SUPER_SECOND(INSTR_ARG(resumer))];
            slots[SUPER_SECOND(INSTR_ARG(resumer))] = v;
            ip++;
            XDECREF(old);
        } else {
            PUSH(v);
        }
        DISPATCH();
    }

    TARGET(GET_YIELD_FROM_ITER) {
        Object *obj = TOP();
        if (TYPE(obj) != &gen_type) {
            Object *it = object_iter(obj);
            if (it == NULL)
                goto error;
            SET_TOP(it);
            DECREF(obj);
        }
        DISPATCH();
    }

    TARGET(SEND) {
        Object *v = POP();
        Object *it = TOP();
        bool returned = false;
        Object *r;
        if (TYPE(it) == &gen_type) {
            GenObject *sub = (GenObject *)it;
            if (gen_claim_inline(ts, sub, v)) {
                SAVE_FRAME();
                f = gen_enter_inline(ts, sub, f, v);
                LOAD_FRAME();
                DISPATCH();
            }
            r = gen_send(it, v, &returned);
        } else if (v == None && TYPE(it) == VM_RANGE_STEP_TYPE) {
            /* yield from range(...): stepped here, as FOR_ITER does */
            RangeIterObject *ri = (RangeIterObject *)it;
            if (ri->remaining > 0) {
                int64_t x = (int64_t)ri->next;
                ri->remaining--;
                ri->next += ri->step;
                r = small_or_new_int(x);
            } else {
                r = NEWREF_IMMORTAL(None);
                returned = true;
            }
        } else {
            IterNextFunc next = TYPE(it)->iternext;
            if (v != None)
                r = object_call_method(it, "send", &v, 1);
            else
                r = next != NULL ? next(it) : object_next(it);
            if (r == NULL && (r = gen_fetch_stop_value()) != NULL)
                returned = true;
        }
        DECREF(v);
        if (r == NULL)
            goto error;
        if (returned) {
            /* The subiterator is done: its return value replaces it. */
            SET_TOP(r);
            DECREF(it);
            JUMP_TO(oparg);
        } else {
            PUSH(r);
        }
        DISPATCH();
    }

    /* ---- Slices ------------------------------------------------------------
       x[a:b], x[a:b:c] and x[a:b] = v without a slice object (objects/range.h).
       At the end of the loop: placed among the operators, their bodies
       changed how the compiler laid out run() enough to cost loop.toy and
       fib.toy a few instructions per iteration. */

    TARGET(BINARY_SLICE) {
        Object *step = oparg == 3 ? POP() : NULL;
        Object *hi = POP();
        Object *lo = POP();
        Object *obj = POP();
        Object *v = slice_subscript(obj, lo, hi, step);
        DECREF(obj);
        DECREF(lo);
        DECREF(hi);
        XDECREF(step);
        if (v == NULL)
            goto error;
        PUSH(v);
        DISPATCH();
    }

    TARGET(STORE_SLICE) {
        Object *hi = POP();
        Object *lo = POP();
        Object *obj = POP();
        Object *v = POP();
        int r = slice_store_taking(obj, lo, hi, v);
        DECREF(lo);
        DECREF(hi);
        DECREF(obj);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    /* `x in local` (`if c in cols:`): the container stays in its slot,
       borrowed, where CONTAINS_OP would count it on and off the stack.
       Nothing can empty the slot meanwhile: only this frame's code stores
       into it, and that code waits for the test (a __contains__ or
       __eq__ it runs has frames of its own). At the end of the loop, as
       the slices are, so that it does not move the code of the others. */
    TARGET(LOAD_FAST_CONTAINS) {
        Object *b = slots[SUPER_FIRST(oparg)];
        if (UNLIKELY(b == NULL)) {
            error_unbound_local(co, SUPER_FIRST(oparg));
            goto error;
        }
        ip++;
        Object *a = POP();
        int found = contains_test(b, a);
        DECREF(a);
        if (found < 0)
            goto error;
        PUSH_BOOL_OR_BRANCH((found != 0) != (SUPER_SECOND(oparg) != 0));
    }

    /* ---- Calls of C methods, quickened --------------------------------------
       At the end of the loop, as the slices are, so that they do not move
       the code of the others. */

    TARGET(CALL_LIST_APPEND) {
        /* [list.append, list, item]: a CALL after LOAD_METHOD that last
           called list.append with its one argument, no keywords at this
           site. The guard is the descriptor: LOAD_METHOD found it on the
           type of the object under it, so that is a list (or a subclass
           that does not override append). Anything else: the generic CALL. */
        Object *descr = sp[-3];
        if (UNLIKELY(descr == NULL || TYPE(descr) != &method_descr_type ||
                     ((MethodDescrObject *)descr)->def->func != list_append_method))
            goto call_generic;
        Object *list = sp[-2];
        sp -= 3;
        int r = list_append_steal_inline(list, sp[2]);
        DECREF(list);
        DECREF_LIKELY_IMMORTAL(descr);
        if (UNLIKELY(r < 0))
            goto error;
        PUSH(NEWREF_IMMORTAL(None));
        DISPATCH();
    }

    TARGET(CALL_METHOD_DESCR) {
        /* [descr, self, args(n)]: a CALL after LOAD_METHOD that last called
           a method of a built-in type (set.add, list.pop, dict.get), no
           keywords at this site. LOAD_METHOD found descr on self's type, so
           its C body takes self, as the generic CALL's call does. */
        Object **base = sp - oparg - 2;
        Object *descr = base[0];
        if (UNLIKELY(descr == NULL || TYPE(descr) != &method_descr_type))
            goto call_generic;
        Object *res = ((MethodDescrObject *)descr)->def->func(base[1], base + 2, oparg, NULL);
        while (sp > base + 1) {
            Object *v = POP();
            DECREF(v);
        }
        sp = base;
        DECREF_LIKELY_IMMORTAL(descr);
        if (UNLIKELY(res == NULL))
            goto error;
        PUSH(res);
        DISPATCH();
    }

#ifndef USE_COMPUTED_GOTO
    default:
        error_set(&exc_RuntimeError, "unknown opcode %u", (unsigned)INSTR_OP(instr));
        goto error;
    }
#endif

block_underflow:
    /* Only a compiler bug gets here; fail cleanly rather than corrupt. */
    error_set(&exc_RuntimeError, "bad bytecode: POP_BLOCK/POP_EXCEPT without a block");
    goto error;

error:
    /* An instruction failed: the exception arrives in this frame. */
    {
        if (ts->current_exc == NULL)
            error_set(&exc_RuntimeError, "error return without exception set");
        Object *exc = ts->current_exc;
        kwnames = NULL;
        f->lasti = (int)(ip - 1 - first_instr);
        /* Recording can fail (MemoryError replaces the exception): keep the
           original then, with the traceback it has. */
        INCREF(exc);
        if (exception_add_traceback(exc, (Object *)co, code_line(co, f->lasti)) < 0)
            error_restore(exc);
        else
            DECREF(exc);
        /* A new error raised while handling another gets it as __context__
           (do_raise has already done this for explicit raises). */
        if (ts->handled_exc != NULL && is_exception_instance(exc) &&
            ((ExceptionObject *)exc)->context == NULL)
            exception_set_context(exc, ts->handled_exc);
    }
unwind:
    /* ts->current_exc is set. Find a handler block in this frame, else pop
       the frame and continue in the caller. */
    while (f->nblocks > 0) {
        FrameBlock *b = &f->blocks[--f->nblocks];
        Object **level = slots + b->level;
        if (b->handler == BLOCK_EXCEPT_HANDLER) {
            /* Leaving an except handler: restore the exception it saved. */
            while (sp > level + 1) {
                Object *v = POP();
                XDECREF(v);
            }
            Object *prev = POP();
            if (prev == None) {
                DECREF(prev);
                prev = NULL;
            }
            SETREF(&ts->handled_exc, prev);
            continue;
        }
        while (sp > level) {
            Object *v = POP();
            XDECREF(v);
        }
        PUSH(ts->current_exc);
        ts->current_exc = NULL;
        JUMP_TO(b->handler);
        DISPATCH();
    }
    {
        Frame *back = f->back;
        int on_return = f->on_return;
        if (UNLIKELY(finalize_any_class()))
            keep_locals_for_traceback(ts, f);
        frame_pop(ts, f, sp);
        if (on_return == FRAME_RETURN_FROM_RUN)
            return NULL;
        if (on_return == FRAME_RETURN_GEN_INLINE) {
            /* A generator resumed inline raised: the exception goes on in
               its FOR_ITER or SEND, as from gen_resume (PEP 479 applied). */
            gen_finish_inline(ts, gen_of_inline(back), f);
            gen_check_stop_iteration();
        }
        f = back;
        LOAD_FRAME_BACK();
        goto error; /* the caller's CALL failed */
    }

#undef LOAD_FRAME
#undef SAVE_FRAME
#undef PUSH
#undef POP
#undef TOP
#undef SECOND
#undef THIRD
#undef PEEK
#undef SET_TOP
#undef JUMP_TO
#undef RUN_BRANCH
#undef CELL
#undef ENTER_PUSHED_FRAME
#undef PUSH_BLOCK
#undef TRACE_INSTR
#undef TARGET
#undef DISPATCH
#undef USE_COMPUTED_GOTO
}

/* ======================================================================== */
/* Entry points                                                               */
/* ======================================================================== */

/* The entries from C start a fresh run() on the C stack, so each checks
   the C-stack guard first. The thread state, or NULL with RecursionError. */
static ThreadState *enter_from_c(void)
{
    return vm_check_c_stack() == 0 ? ts_get() : NULL;
}

Object *vm_call_function(Object *func, Object *const *args, size_t nargs, Object *kwnames)
{
    ThreadState *ts = enter_from_c();
    Frame *f = ts ? frame_push_call(ts, (FunctionObject *)func, args, nargs, kwnames) : NULL;
    return f ? run(ts, f) : NULL;
}

Object *vm_run_code(CodeObject *code, Object *globals, Object *locals)
{
    ThreadState *ts = enter_from_c();
    Frame *f = ts ? frame_push_module(ts, code, globals, locals) : NULL;
    return f ? run(ts, f) : NULL;
}

/* A class body is a call of func with no arguments whose frame has ns as
   its locals (STORE_NAME writes there). */
Object *vm_run_class_body(Object *func, Object *ns)
{
    ThreadState *ts = enter_from_c();
    Frame *f = ts ? frame_push_call(ts, (FunctionObject *)func, NULL, 0, NULL) : NULL;
    if (f == NULL)
        return NULL;
    XINCREF(ns);
    f->locals = ns;
    return run(ts, f);
}

/* ---- Generators -------------------------------------------------------- */

/* The subiterator f delegates to, if it is suspended in a yield from
   (YIELD_VALUE 1), else NULL. Borrowed. */
static inline Object *delegate_of(Frame *f)
{
    uint32_t ins = f->code->instrs[f->ip - 1];
    if (INSTR_OP(ins) == OP_YIELD_VALUE && INSTR_ARG(ins) == 1)
        return f->sp[-1];
    return NULL;
}

/* f is suspended in `yield from` with sub, a generator, as its subiterator,
   and has no handled exception of its own: send value straight to sub
   instead of running f's frame only to pass the value on (SEND) and the
   answer back (YIELD_VALUE). A chain of generators then costs one run() per
   resume, in the innermost one, not one per level. f stays linked as the
   running frame meanwhile (sub's f_back, the recursion count, the C stack
   limit), and sub sees the caller's handled exception, as it would. When
   sub finishes, f's frame runs: resumed with sub's return value, or with
   sub's exception raised at its yield from, as SEND would have. */
static __attribute__((noinline)) Object *resume_delegating(Frame *f, Object *sub, Object *value,
                                                           Object **exc_state, bool *suspended)
{
    *suspended = true;
    ThreadState *ts = enter_from_c();
    if (ts == NULL)
        return NULL;
    if (UNLIKELY(ts->recursion_depth >= interp.recursion_limit))
        return frame_error_recursion();
    Frame *back = ts->frame;
    frame_link(ts, f);
    bool returned = false;
    INCREF(sub);
    Object *r = gen_send(sub, value, &returned);
    DECREF(sub);
    ts->frame = back;
    ts->recursion_depth--;
    if (r != NULL && !returned)
        return r; /* f yields what sub yielded, still delegating */
    if (r == NULL)
        return vm_generator_resume(f, NULL, true, exc_state, suspended);
    vm_generator_leave_delegate(f); /* so f is no longer delegating */
    Object *res = vm_generator_resume(f, r, false, exc_state, suspended);
    DECREF(r);
    return res;
}

Object *vm_generator_resume(Frame *f, Object *value, bool throwing, Object **exc_state,
                            bool *suspended)
{
    if (UNLIKELY(f->yielded == 2) && !throwing && *exc_state == NULL) {
        Object *sub = delegate_of(f);
        if (sub != NULL && TYPE(sub) == &gen_type)
            return resume_delegating(f, sub, value, exc_state, suspended);
    }
    *suspended = true;
    ThreadState *ts = enter_from_c();
    if (ts == NULL)
        return NULL;
    if (UNLIKELY(ts->recursion_depth >= interp.recursion_limit))
        return frame_error_recursion();
    /* Link f on top of this thread's frames. Its memory is the generator's
       (FRAME_ON_HEAP): frame_free leaves the value stack as it is. */
    frame_link(ts, f);
    f->yielded = 0;
    Object *outer_exc = gen_exc_enter(ts, exc_state);
    f->lasti = throwing ? -1 : 0;
    if (!throwing)
        *f->sp++ = NEWREF(value);
    Object *r = run(ts, f);
    gen_exc_leave(ts, exc_state, outer_exc);
    *suspended = f->yielded != 0;
    if (!f->yielded) /* run() has released what it held; the generator still holds the code */
        frame_heap_free_size(f, frame_heap_size(f->code));
    return r;
}

Object *vm_generator_delegate(Frame *f)
{
    return delegate_of(f);
}

void vm_generator_leave_delegate(Frame *f)
{
    /* f->ip is at `JUMP L` after YIELD_VALUE 1; L is `SEND E`. */
    const uint32_t *instrs = f->code->instrs;
    uint32_t send = instrs[INSTR_ARG(instrs[f->ip])];
    f->ip = (int)INSTR_ARG(send);
    Object *sub = *--f->sp;
    DECREF(sub);
}

bool vm_generator_in_block(Frame *f)
{
    return f->nblocks > 0;
}

void vm_generator_frame_free(Frame *f)
{
    size_t nbytes = frame_heap_size(f->code);
    frame_release_values(f->slots, (size_t)(f->sp - f->slots));
    if (f->function != NULL) {
        DECREF(f->function);
    } else {
        DECREF(f->code);
        DECREF(f->globals);
    }
    XDECREF(f->locals);
    frame_heap_free_size(f, nbytes);
}

void vm_init_inline_steps(void)
{
#ifdef TOY_FREE_THREADED
    if (ts_single_threaded())
        atomic_store_explicit(&ts_alone_inline_type, (const void *)&range_iterator_type,
                              memory_order_relaxed);
#endif
}

int vm_check_c_stack(void)
{
    ThreadState *ts = ts_get();
    if (ts != NULL && UNLIKELY(frame_c_stack_exhausted(ts))) {
        error_set(&exc_RecursionError, "maximum recursion depth exceeded while calling a Python object");
        return -1;
    }
    return 0;
}

/* threadstate.h: called once no frame of the thread is running. */
void vm_thread_fini(ThreadState *ts)
{
    frame_stack_fini(ts);
#ifdef TOY_FREE_THREADED
    if (ts == ts_get()) {
        specialize_thread_fini();
        typecache_clear();
    }
#endif
}

Frame *vm_current_frame(void)
{
    return ts_get()->frame;
}

void vm_frame_give_locals(Frame *f, Object *locals)
{
    f->locals = locals;
    if (f->on_return == FRAME_RETURN_TO_CALLER)
        f->on_return = FRAME_RETURN_TO_CALLER_WITH_LOCALS;
}
