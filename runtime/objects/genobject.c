/* genobject.c - the generator type: next/send/throw/close over a frame that
 * the eval loop suspends at each yield.
 *
 * The generator owns its heap frame until the frame finishes (returns or
 * raises), when vm_generator_resume has already released it and `frame`
 * becomes NULL; a finished generator only ever raises StopIteration again.
 * Every entry into the frame goes through gen_resume, which refuses a
 * running generator ("generator already executing") and keeps `running`
 * set while the frame runs, so a generator resumed from a second thread
 * while the first one has it is refused too: gen_claim tests and sets the
 * flag in one step (an atomic fetch-or in the free-threaded build).
 *
 * A `return value` in the generator reaches Python as StopIteration(value);
 * a StopIteration escaping from the body becomes RuntimeError (PEP 479).
 * throw() and close() are forwarded to the iterator a `yield from` is
 * delegating to, as CPython does. A generator deallocated while suspended
 * inside a try, except or with block is closed first, so its `finally`
 * clauses run.
 */
#include "objects/genobject.h"

#include <stdio.h>
#include <string.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/function.h"
#include "objects/getset.h"
#include "objects/int.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "objects/weakref.h"

#define GEN(o) ((GenObject *)(o))

Object *gen_new(Frame *frame, Object *name, Object *qualname)
{
    GenObject *g = (GenObject *)object_alloc(&gen_type, sizeof(GenObject));
    if (g == NULL)
        return NULL;
    g->frame = frame;
    g->name = NEWREF(name);
    g->qualname = NEWREF(qualname);
    g->code = NEWREF(frame->code);
    g->outer_exc = NULL;
    return (Object *)g;
}

/* Raise StopIteration(value), or a bare StopIteration for None, as the end
   of a generator looks from outside. Always NULL. */
static Object *raise_stop_iteration(Object *value)
{
    Object *args = value == None ? tuple_new(0) : tuple_pack(1, value);
    if (args == NULL)
        return NULL;
    Object *exc = exception_new(&exc_StopIteration, args);
    DECREF(args);
    if (exc != NULL) {
        error_set_instance(exc);
        DECREF(exc);
    }
    return NULL;
}

Object *gen_fetch_stop_value(void)
{
    if (!error_occurred())
        return NEWREF_IMMORTAL(None);
    if (!error_matches(&exc_StopIteration))
        return NULL;
    Object *exc = error_fetch();
    Object *args = ((ExceptionObject *)exc)->args;
    Object *v = args != NULL && tuple_size(args) > 0 ? tuple_item(args, 0) : None;
    INCREF(v);
    DECREF(exc);
    return v;
}

/* PEP 479: a StopIteration leaving the body is a RuntimeError caused by it. */
static void replace_stop_iteration(void)
{
    Object *stop = error_fetch();
    error_set(&exc_RuntimeError, "generator raised StopIteration");
    Object *err = error_fetch();
    ExceptionObject *e = (ExceptionObject *)err;
    SETREF(&e->cause, NEWREF(stop));
    SETREF(&e->context, stop);
    e->suppress_context = true;
    error_restore(err);
}

void gen_check_stop_iteration(void)
{
    if (error_matches(&exc_StopIteration))
        replace_stop_iteration();
}

/* Run the frame once: send value in, or (throwing) raise the current
   exception at the yield. Results as gen_send. */
static inline Object *gen_resume(GenObject *g, Object *value, bool throwing, bool *returned)
{
    *returned = false;
    if (!gen_claim(g))
        return error_set(&exc_ValueError, "generator already executing");
    if (g->frame == NULL) {
        gen_release(g);
        if (throwing)
            return NULL; /* the exception thrown in comes straight out */
        *returned = true;
        return NEWREF_IMMORTAL(None);
    }
    if (!g->started && !throwing && value != None) {
        gen_release(g);
        return error_set(&exc_TypeError, "can't send non-None value to a just-started generator");
    }
    g->started = true;
    bool suspended;
    Object *r = vm_generator_resume(g->frame, value, throwing, &g->exc_state, &suspended);
    if (suspended) {
        gen_release(g);
        return r;
    }
    g->frame = NULL; /* before the release: another thread may claim g next */
    gen_release(g);
    if (r != NULL) {
        *returned = true;
        return r;
    }
    gen_check_stop_iteration();
    return NULL;
}

Object *gen_send(Object *gen, Object *value, bool *returned)
{
    return gen_resume(GEN(gen), value, false, returned);
}

/* A generator's result as a method returns it: the yielded value, or
   StopIteration carrying the return value. */
static Object *as_method_result(Object *r, bool returned)
{
    if (r == NULL || !returned)
        return r;
    raise_stop_iteration(r);
    DECREF(r);
    return NULL;
}

/* ---- throw and close -------------------------------------------------- */

static Object *gen_throw_instance(GenObject *g, Object *exc, bool *returned);

/* close() a subiterator (borrowed) of yield from: gen.close() for a
   generator, its close method if it has one. 0, or -1 with an exception. */
static int close_subiterator(Object *sub)
{
    Object *r;
    if (TYPE(sub) == &gen_type) {
        r = object_call_method(sub, "close", NULL, 0);
    } else {
        Object *close = object_getattr_cstr(sub, "close");
        if (close == NULL) {
            if (!error_matches(&exc_AttributeError))
                return -1;
            error_clear();
            return 0;
        }
        r = object_call0(close);
        DECREF(close);
    }
    if (r == NULL)
        return -1;
    DECREF(r);
    return 0;
}

/* Forward exc to the subiterator sub (owned here) that g's yield from is
   delegating to; the caller has claimed g, which is released here. Returns
   what gen_resume would; *forwarded false means the subiterator had no
   throw method and exc must be raised in g itself. */
static Object *throw_into_subiterator(GenObject *g, Object *sub, Object *exc, bool *returned,
                                      bool *forwarded)
{
    *forwarded = true;
    *returned = false;
    Object *r;
    if (TYPE(sub) == &gen_type) {
        bool sub_returned = false;
        r = gen_throw_instance(GEN(sub), exc, &sub_returned);
        r = as_method_result(r, sub_returned);
    } else {
        Object *throw = object_getattr_cstr(sub, "throw");
        if (throw == NULL && error_matches(&exc_AttributeError)) {
            error_clear();
            gen_release(g);
            DECREF(sub);
            *forwarded = false;
            return NULL;
        }
        r = throw != NULL ? object_call1(throw, exc) : NULL;
        XDECREF(throw);
    }
    gen_release(g);
    DECREF(sub);
    if (r != NULL)
        return r; /* the subiterator yielded: still delegating */
    Object *value = gen_fetch_stop_value();
    if (value == NULL) /* it raised: that exception goes on in g */
        return gen_resume(g, NULL, true, returned);
    /* It returned: that is the value of the yield from. */
    vm_generator_leave_delegate(g->frame);
    r = gen_resume(g, value, false, returned);
    DECREF(value);
    return r;
}

/* Raise exc (borrowed instance) inside g at its yield, forwarding it to a
   yield from's subiterator first. Results as gen_resume. */
static Object *gen_throw_instance(GenObject *g, Object *exc, bool *returned)
{
    Object *sub = NULL;
    if (gen_claim(g)) { /* held while the subiterator is closed or thrown into */
        sub = g->frame != NULL ? vm_generator_delegate(g->frame) : NULL;
        if (sub == NULL)
            gen_release(g);
    }
    if (sub != NULL) {
        INCREF(sub);
        if (is_instance_of(exc, &exc_GeneratorExit)) {
            int rc = close_subiterator(sub);
            gen_release(g);
            DECREF(sub);
            if (rc < 0) /* closing failed: raise that error in g instead */
                return gen_resume(g, NULL, true, returned);
        } else {
            bool forwarded;
            Object *r = throw_into_subiterator(g, sub, exc, returned, &forwarded);
            if (forwarded)
                return r;
        }
    }
    error_set_instance(exc);
    return gen_resume(g, NULL, true, returned);
}

/* close(): raise GeneratorExit at the yield; the generator must not yield
   again. 0, or -1 with an exception. */
static int gen_close(GenObject *g)
{
    if (!gen_claim(g)) {
        error_set(&exc_ValueError, "generator already executing");
        return -1;
    }
    bool done = g->frame == NULL || !g->started;
    if (g->frame != NULL && !g->started) {
        vm_generator_frame_free(g->frame);
        g->frame = NULL;
    }
    gen_release(g);
    if (done)
        return 0;
    Object *exc = exception_alloc(&exc_GeneratorExit, NULL, 0);
    if (exc == NULL)
        return -1;
    bool returned;
    Object *r = gen_throw_instance(g, exc, &returned);
    DECREF(exc);
    if (r != NULL) {
        DECREF(r);
        if (returned)
            return 0;
        error_set(&exc_RuntimeError, "generator ignored GeneratorExit");
        return -1;
    }
    if (error_matches(&exc_GeneratorExit) || error_matches(&exc_StopIteration)) {
        error_clear();
        return 0;
    }
    return -1;
}

/* ---- The type --------------------------------------------------------- */

static void gen_dealloc(Object *self)
{
    weakref_on_dealloc(self); /* before the finally clauses run, as in CPython */
    GenObject *g = GEN(self);
    if (g->frame != NULL && g->started && vm_generator_in_block(g->frame)) {
        /* Run its finally clauses. The generator is alive again meanwhile:
           the frame's code cannot reach it, but keep the count honest. */
        intptr_t saved = refcount_revive(self);
        Object *pending = error_fetch();
        if (gen_close(g) < 0)
            error_report_unraisable(self);
        if (pending != NULL)
            error_restore(pending);
        refcount_restore(self, saved);
    }
    if (g->frame != NULL)
        vm_generator_frame_free(g->frame);
    DECREF(g->name);
    DECREF(g->qualname);
    DECREF(g->code);
    XDECREF(g->exc_state);
    object_free(self, sizeof(GenObject));
}

static Object *gen_repr(Object *self)
{
    return str_from_format("<generator object %s at %p>", str_data(GEN(self)->qualname),
                           (void *)self);
}

static Object *gen_iter(Object *self)
{
    return NEWREF(self);
}

/* The iternext slot: NULL without an exception once it has returned, as
   every iterator's end looks to C code (the return value is dropped). */
static Object *gen_iternext(Object *self)
{
    bool returned;
    Object *r = gen_resume(GEN(self), None, false, &returned);
    if (r == NULL || !returned)
        return r;
    DECREF(r);
    return NULL;
}

Object *gen_next(Object *gen)
{
    bool returned;
    Object *r = gen_resume(GEN(gen), None, false, &returned);
    return as_method_result(r, returned);
}

static Object *gen_next_method(Object *self, Object *const *args, size_t nargs, Object *kwnames)
{
    (void)args;
    if (args_check("__next__", nargs, kwnames, 0, 0) < 0)
        return NULL;
    return gen_next(self);
}

static Object *gen_iter_method(Object *self, Object *const *args, size_t nargs, Object *kwnames)
{
    (void)args;
    if (args_check("__iter__", nargs, kwnames, 0, 0) < 0)
        return NULL;
    return NEWREF(self);
}

static Object *gen_send_method(Object *self, Object *const *args, size_t nargs, Object *kwnames)
{
    /* g.send(v) in a loop: one argument and no keywords decide it at once */
    if ((nargs != 1 || kwnames != NULL) && args_check("generator.send", nargs, kwnames, 1, 1) < 0)
        return NULL;
    bool returned;
    Object *r = gen_resume(GEN(self), args[0], false, &returned);
    return as_method_result(r, returned);
}

/* throw(exc), throw(type), throw(type, value): the exception instance to
   raise. New reference, or NULL with TypeError. */
static Object *throw_operand(Object *const *args, size_t nargs)
{
    Object *typ = args[0];
    Object *val = nargs > 1 ? args[1] : None;
    if (is_instance_of(typ, &type_type) && type_is_subtype((Type *)typ, &exc_BaseException)) {
        if (val != None && is_instance_of(val, (Type *)typ))
            return NEWREF(val);
        Object *inst = val == None ? object_call0(typ) : object_call1(typ, val);
        if (inst != NULL && !is_exception(inst)) {
            error_set(&exc_TypeError,
                      "calling %s should have returned an instance of BaseException, not %s",
                      type_name((Type *)typ), TYPE_NAME(inst));
            DECREF(inst);
            return NULL;
        }
        return inst;
    }
    if (is_exception(typ)) {
        if (val != None)
            return error_set(&exc_TypeError, "instance exception may not have a separate value");
        return NEWREF(typ);
    }
    return error_set(&exc_TypeError,
                     "exceptions must be classes or instances deriving from BaseException, not %s",
                     TYPE_NAME(typ));
}

static Object *gen_throw_method(Object *self, Object *const *args, size_t nargs, Object *kwnames)
{
    if (args_check("throw", nargs, kwnames, 1, 3) < 0)
        return NULL;
    Object *exc = throw_operand(args, nargs);
    if (exc == NULL)
        return NULL;
    bool returned;
    Object *r = gen_throw_instance(GEN(self), exc, &returned);
    DECREF(exc);
    return as_method_result(r, returned);
}

static Object *gen_close_method(Object *self, Object *const *args, size_t nargs, Object *kwnames)
{
    (void)args;
    if (args_check("generator.close", nargs, kwnames, 0, 0) < 0)
        return NULL;
    if (gen_close(GEN(self)) < 0)
        return NULL;
    return NEWREF_IMMORTAL(None);
}

/* __name__, __qualname__ and the gi_ attributes (no gi_frame: Toy's frames
   are not objects), as getset descriptors in the type's dict: every other
   name goes the generic way, so a method call (g.send) finds its method in
   the dict and LOAD_METHOD can remember it. */
static Object *gen_get_name(Object *self)
{
    return NEWREF(GEN(self)->name);
}

static Object *gen_get_qualname(Object *self)
{
    return NEWREF(GEN(self)->qualname);
}

static Object *gen_get_running(Object *self)
{
    return NEWREF(gen_is_running(GEN(self)) ? True_ : False_);
}

static Object *gen_get_suspended(Object *self)
{
    GenObject *g = GEN(self);
    return NEWREF(g->frame != NULL && g->started && !gen_is_running(g) ? True_ : False_);
}

static Object *gen_get_code(Object *self)
{
    return NEWREF(GEN(self)->code);
}

static Object *gen_get_yieldfrom(Object *self)
{
    GenObject *g = GEN(self);
    Object *sub = g->frame != NULL && !gen_is_running(g) ? vm_generator_delegate(g->frame) : NULL;
    return NEWREF(sub != NULL ? sub : None);
}

static const MethodDef gen_methods[] = {
    {"__next__", gen_next_method, "Implement next(self)."},
    {"__iter__", gen_iter_method, "Implement iter(self)."},
    {"send", gen_send_method, "send(arg) -> send 'arg' into generator,\nreturn next yielded value or raise StopIteration."},
    {"throw", gen_throw_method, "throw(value)\nthrow(type[,value[,tb]])\n\nRaise exception in generator, return next yielded value or raise\nStopIteration."},
    {"close", gen_close_method, "close() -> raise GeneratorExit inside generator."},
    {NULL, NULL, NULL},
};

/* ---- The cycle collector's slots ------------------------------------------ */

/* A suspended frame's references: its locals, cells and value stack, its
   function (or code and globals), its locals dict. A running frame is left
   out: what it holds counts as reachable from outside (its thread). */
static int gen_traverse(Object *self, VisitFunc visit, void *arg)
{
    GenObject *g = GEN(self);
    VISIT(g->name);
    VISIT(g->qualname);
    VISIT(g->code);
    VISIT(g->exc_state);
    Frame *f = g->frame;
    if (f == NULL || gen_is_running(g))
        return 0;
    for (Object **p = f->slots; p < f->sp; p++)
        VISIT(*p);
    if (f->function != NULL) {
        VISIT(f->function);
    } else {
        VISIT(f->code);
        VISIT(f->globals);
    }
    VISIT(f->locals);
    return 0;
}

/* Garbage: drop the suspended frame, as if the generator had finished. */
static int gen_clear(Object *self)
{
    GenObject *g = GEN(self);
    if (g->frame != NULL && !gen_is_running(g)) {
        Frame *f = g->frame;
        g->frame = NULL;
        vm_generator_frame_free(f);
    }
    CLEAR(&g->exc_state);
    return 0;
}

/* The finalizer the collector runs on a garbage generator (PEP 442): one
   suspended inside a try, except or with block is closed, so its finally
   clauses run while everything they may use is still intact. */
static void gen_finalize(Object *self)
{
    GenObject *g = GEN(self);
    if (g->frame == NULL || !g->started || gen_is_running(g) || !vm_generator_in_block(g->frame))
        return;
    if (gen_close(g) < 0)
        error_report_unraisable(self);
}

static const GetSetDef gen_getsets[] = {
    {"__name__", gen_get_name, false},
    {"__qualname__", gen_get_qualname, false},
    {"gi_running", gen_get_running, false},
    {"gi_suspended", gen_get_suspended, false},
    {"gi_code", gen_get_code, true},
    {"gi_yieldfrom", gen_get_yieldfrom, false},
    {NULL, NULL, false},
};

/* __name__ and __qualname__ may be rebound to any str, as in CPython; the
   gi_ attributes are read-only. (The getset descriptors send every
   assignment of their names here.) */
static int gen_setattr(Object *self, Object *name, Object *value)
{
    const char *s = str_data(name);
    if (strcmp(s, "__name__") == 0)
        return function_set_name_slot(&GEN(self)->name, s, value);
    if (strcmp(s, "__qualname__") == 0)
        return function_set_name_slot(&GEN(self)->qualname, s, value);
    for (const GetSetDef *d = gen_getsets; d->name; d++)
        if (strcmp(s, d->name) == 0)
            return getset_read_only(&gen_type, d);
    return object_generic_setattr(self, name, value);
}

Type gen_type = {
    TYPE_HEAD_INIT,
    .name = "generator",
    .getsets = gen_getsets,
    .setattr = gen_setattr,
    .base_type = &object_type,
    .flags = TYPE_GC | TYPE_WEAKREFABLE,
    .instance_size = sizeof(GenObject),
    .methods = gen_methods,
    .dealloc = gen_dealloc,
    .repr = gen_repr,
    .hash = object_identity_hash,
    .iter = gen_iter,
    .iternext = gen_iternext,
    .traverse = gen_traverse,
    .clear = gen_clear,
    .finalize = gen_finalize,
};
