/* signalmodule.c - the signal module: the signal numbers (SIGTERM, SIGKILL,
 * ...), SIG_DFL / SIG_IGN, and the few functions that need no Toy-level
 * handler: signal() and getsignal() for the two built-in dispositions,
 * strsignal(), raise_signal(), alarm().
 *
 * SIGINT has a third disposition, default_int_handler: Toy's C handler
 * (core/sigint.h), installed at start-up, which makes Ctrl-C raise
 * KeyboardInterrupt in the main thread. signal(SIGINT, default_int_handler)
 * installs it again and getsignal(SIGINT) shows it, as in CPython.
 *
 * Toy cannot run a Toy function as a signal handler: the handler would have
 * to run between two bytecodes of some thread, with the GIL, which the eval
 * loop does not arrange. signal(n, f) with another function raises
 * NotImplementedError saying so. The module holds no state: dispositions
 * live in the kernel. As in CPython, only the main thread may call signal().
 *
 * Differences from CPython: the numbers are plain ints (CPython's are
 * members of the IntEnum signal.Signals and print as Signals.SIGTERM).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/refcount.h"
#include "core/sigint.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "modules/osfile.h"
#include "modules/process.h"

#define SIGNAL_NAMES(X) \
    X(SIGHUP) X(SIGINT) X(SIGQUIT) X(SIGILL) X(SIGTRAP) X(SIGABRT) X(SIGBUS) X(SIGFPE) \
    X(SIGKILL) X(SIGUSR1) X(SIGSEGV) X(SIGUSR2) X(SIGPIPE) X(SIGALRM) X(SIGTERM)      \
    X(SIGCHLD) X(SIGCONT) X(SIGSTOP) X(SIGTSTP) X(SIGTTIN) X(SIGTTOU) X(SIGURG)       \
    X(SIGXCPU) X(SIGXFSZ) X(SIGVTALRM) X(SIGPROF) X(SIGWINCH) X(SIGIO) X(SIGSYS)

static int signal_number_arg(Object *o, int *out) {
    int64_t n;
    if (int_as_i64(o, &n) < 0) return -1;
    if (n < 1 || n >= NSIG) {
        error_set(&exc_ValueError, "signal number out of range");
        return -1;
    }
    *out = (int)n;
    return 0;
}

/* The module's default_int_handler (borrowed), or NULL with an error. */
static Object *default_int_handler(Object *module) {
    Object *h = dict_get_item_cstr(module_dict(module), "default_int_handler");
    if (!h && !error_occurred()) error_set(&exc_RuntimeError, "signal.default_int_handler is gone");
    return h;
}

/* A disposition as Python shows it: SIG_DFL (0), SIG_IGN (1),
   default_int_handler for Toy's SIGINT handler, or None for a handler
   installed from C. */
static Object *handler_object(Object *module, void (*h)(int)) {
    if (h == SIG_DFL) return int_from_i64(0);
    if (h == SIG_IGN) return int_from_i64(1);
    if (sigint_is_handler(h)) {
        Object *d = default_int_handler(module);
        return d ? NEWREF(d) : NULL;
    }
    return NEWREF(None);
}

/* The C handler for a Python-level one: 0 done (*out set; *ours instead
   for Toy's SIGINT handler), -1 error. */
static int handler_from_object(Object *module, int sig, Object *h, void (**out)(int), bool *ours) {
    *ours = false;
    if (is_int(h) && (int_value(h) == 0 || int_value(h) == 1)) {
        *out = int_value(h) ? SIG_IGN : SIG_DFL;
        return 0;
    }
    if (!object_callable(h)) {
        error_set(&exc_TypeError,
                  "signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object");
        return -1;
    }
    Object *d = default_int_handler(module);
    if (!d) return -1;
    if (sig != SIGINT || h != d) {
        error_set(&exc_NotImplementedError,
                  "Toy cannot run a Toy function as a signal handler; "
                  "use signal.SIG_DFL or signal.SIG_IGN");
        return -1;
    }
    *ours = true; /* installed by sigint_install */
    return 0;
}

/* signal(signalnum, handler): handler is SIG_DFL, SIG_IGN, or for SIGINT
   default_int_handler. */
static Object *signal_signal(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int sig;
    if (args_check("signal", nargs, kwnames, 2, 2) < 0 || signal_number_arg(args[0], &sig) < 0)
        return NULL;
    if (!sigint_is_main_thread())
        return error_set(&exc_ValueError, "signal only works in main thread of the main interpreter");
    void (*handler)(int) = SIG_DFL;
    bool ours;
    if (handler_from_object(self, sig, args[1], &handler, &ours) < 0) return NULL;
    if (sig == SIGKILL || sig == SIGSTOP) return error_set_from_errno(EINVAL, NULL);
    struct sigaction old;
    if (sigaction(sig, NULL, &old) < 0) return error_set_from_errno(errno, NULL);
    if (ours) {
        if (sigint_install() < 0) return error_set_from_errno(errno, NULL);
    } else {
        struct sigaction act;
        memset(&act, 0, sizeof act);
        act.sa_handler = handler;
        sigemptyset(&act.sa_mask);
        if (sigaction(sig, &act, NULL) < 0) return error_set_from_errno(errno, NULL);
    }
    return handler_object(self, old.sa_handler);
}

static Object *signal_getsignal(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int sig;
    if (args_check("getsignal", nargs, kwnames, 1, 1) < 0 || signal_number_arg(args[0], &sig) < 0)
        return NULL;
    struct sigaction old;
    if (sigaction(sig, NULL, &old) < 0) return error_set_from_errno(errno, NULL);
    return handler_object(self, old.sa_handler);
}

/* default_int_handler(signalnum, frame): what Toy's SIGINT handler amounts
   to when called from Toy code: raise KeyboardInterrupt. */
static Object *signal_default_int_handler(Object *self, Object *const *args, size_t nargs,
                                          Object *kwnames) {
    (void)self; (void)args;
    if (args_check("default_int_handler", nargs, kwnames, 2, 2) < 0) return NULL;
    Object *empty = tuple_new(0);
    Object *exc = empty ? exception_new(&exc_KeyboardInterrupt, empty) : NULL;
    XDECREF(empty);
    if (exc) {
        error_set_instance(exc);
        DECREF(exc);
    }
    return NULL;
}

/* strsignal(n): the system's description ("Terminated"), or None. */
static Object *signal_strsignal(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    int sig;
    if (args_check("strsignal", nargs, kwnames, 1, 1) < 0 || signal_number_arg(args[0], &sig) < 0)
        return NULL;
    const char *s = strsignal(sig);
    if (!s || strncmp(s, "Unknown signal", 14) == 0 || strncmp(s, "Real-time signal", 16) == 0)
        return NEWREF(None);
    return str_from_cstr(s);
}

static Object *signal_raise_signal(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)self;
    int sig;
    if (args_check("raise_signal", nargs, kwnames, 1, 1) < 0 || signal_number_arg(args[0], &sig) < 0)
        return NULL;
    fflush(stdout);
    /* SIGINT is blocked in every thread but the main one: from another
       thread, send it to the process, which delivers it there. */
    int r = sig == SIGINT && !sigint_is_main_thread() ? kill(getpid(), sig) : raise(sig);
    if (r != 0) return error_set_from_errno(errno, NULL);
    /* As CPython: the handler's KeyboardInterrupt comes out of this call. */
    if (error_check_interrupt() < 0) return NULL;
    return NEWREF(None);
}

/* alarm(seconds): SIGALRM after that many seconds (its default action ends
   the process). Returns the seconds left of the previous alarm. */
static Object *signal_alarm(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    int64_t secs;
    if (args_check("alarm", nargs, kwnames, 1, 1) < 0 || int_as_i64(args[0], &secs) < 0) return NULL;
    if (secs < 0 || secs > 0x7fffffff) return error_set(&exc_OverflowError, "Python int too large to convert to C unsigned long");
    return int_from_i64(alarm((unsigned)secs));
}

static const MethodDef signal_functions[] = {
    {"signal", signal_signal, NULL},
    {"getsignal", signal_getsignal, NULL},
    {"default_int_handler", signal_default_int_handler, NULL},
    {"strsignal", signal_strsignal, NULL},
    {"raise_signal", signal_raise_signal, NULL},
    {"alarm", signal_alarm, NULL},
    {NULL, NULL, NULL},
};

static int add_int(Object *m, const char *name, int64_t v) {
    Object *o = int_from_i64(v);
    if (!o) return -1;
    int r = module_add_object(m, name, o);
    DECREF(o);
    return r;
}

Object *signal_module_init(void) {
    Object *m = module_new("signal");
    if (!m) return NULL;
    int r = module_add_functions(m, signal_functions);
#define ADD_SIGNAL(name) if (r == 0) r = add_int(m, #name, name);
    SIGNAL_NAMES(ADD_SIGNAL)
#undef ADD_SIGNAL
    if (r == 0) r = add_int(m, "SIG_DFL", 0);
    if (r == 0) r = add_int(m, "SIG_IGN", 1);
    if (r == 0) r = add_int(m, "NSIG", NSIG);
    if (r < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
