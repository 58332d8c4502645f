/* atfork.c - os.register_at_fork(*, before, after_in_child, after_in_parent):
 * callables run around every fork, as CPython runs them. The random module
 * registers one so that a forked child (os.fork, multiprocessing) does not
 * repeat its parent's random numbers.
 *
 * The callables live in three lists in the os module's dict, under names no
 * program uses, so that teardown releases them with the module. A callable
 * that raises is reported as CPython reports it ("Exception ignored in:
 * <function f ...>" and the traceback, on stderr) and the others still run.
 * Everything here runs with the GIL held.
 */
#include <stdio.h>

#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/str.h"
#include "modules/atfork.h"

enum { HOOKS_BEFORE, HOOKS_AFTER_IN_CHILD, HOOKS_AFTER_IN_PARENT, HOOK_KINDS };

/* NULL-terminated, as args_parse_keywords wants it. */
static const char *const hook_names[HOOK_KINDS + 1] = {"before", "after_in_child",
                                                       "after_in_parent", NULL};
static const char *const hook_lists[HOOK_KINDS] = {
    "_at_fork_before", "_at_fork_after_in_child", "_at_fork_after_in_parent"};

/* Append f to the os module's list for kind (made on first use). */
static int add_hook(Object *os, int kind, Object *f) {
    Object *list = dict_get_item_cstr(module_dict(os), hook_lists[kind]); /* borrowed */
    if (list) return list_append(list, f);
    if (error_occurred()) return -1;
    list = list_new(0);
    if (!list) return -1;
    int r = list_append(list, f) < 0 ? -1 : module_add_object(os, hook_lists[kind], list);
    DECREF(list);
    return r;
}

static Object *os_register_at_fork(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    if (nargs > 0)
        return error_set(&exc_TypeError, "register_at_fork() takes no positional arguments");
    Object *hooks[HOOK_KINDS + 1];
    if (args_parse_keywords("register_at_fork", args, kwnames, hook_names, hooks) < 0)
        return NULL;
    if (!hooks[0] && !hooks[1] && !hooks[2])
        return error_set(&exc_TypeError, "At least one argument is required.");
    for (int k = 0; k < HOOK_KINDS; k++)
        if (hooks[k] && !object_callable(hooks[k]))
            return error_set(&exc_TypeError, "'%s' must be callable, not %s", hook_names[k],
                             TYPE_NAME(hooks[k]));
    for (int k = 0; k < HOOK_KINDS; k++)
        if (hooks[k] && add_hook(self, k, hooks[k]) < 0) return NULL;
    return NEWREF(None);
}

static const MethodDef atfork_functions[] = {
    {"register_at_fork", os_register_at_fork,
     "Callables to run before a fork and after it, in the parent or the child."},
    {NULL, NULL, NULL},
};

int atfork_os_init(Object *m) {
    return module_add_functions(m, atfork_functions);
}

/* What an exception in a hook prints: CPython's unraisable-error report. */
static void report_ignored(Object *f) {
    Object *exc = error_fetch();
    Object *r = object_repr(f);
    fflush(stdout);
    fprintf(stderr, "Exception ignored in: %s\n", r ? str_data(r) : "?");
    if (!r) error_clear();
    XDECREF(r);
    if (exc) {
        error_print(exc);
        DECREF(exc);
    }
}

static void run_hooks(int kind, bool newest_first) {
    if (!interp.modules) return;
    Object *os = dict_get_item_cstr(interp.modules, "os"); /* borrowed */
    Object *list = os && is_module(os) ? dict_get_item_cstr(module_dict(os), hook_lists[kind])
                                       : NULL;
    if (!list || !is_list(list)) {
        error_clear();
        return;
    }
    INCREF(list); /* a hook may replace the os module's attribute */
    size_t n = list_size(list);
    for (size_t k = 0; k < n && k < list_size(list); k++) {
        Object *f = list_item(list, newest_first ? list_size(list) - 1 - k : k);
        INCREF(f);
        Object *r = object_call0(f);
        if (r) DECREF(r);
        else report_ignored(f);
        DECREF(f);
    }
    DECREF(list);
}

void atfork_before(void) { run_hooks(HOOKS_BEFORE, true); }
void atfork_after_in_parent(void) { run_hooks(HOOKS_AFTER_IN_PARENT, false); }
void atfork_after_in_child(void) { run_hooks(HOOKS_AFTER_IN_CHILD, false); }
