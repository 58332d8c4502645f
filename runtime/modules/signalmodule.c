/* signalmodule.c - the signal module: the signal numbers (SIGTERM, SIGKILL,
 * ...), SIG_DFL / SIG_IGN, and the few functions that need no Toy-level
 * handler: signal() and getsignal() for the two built-in dispositions,
 * strsignal(), raise_signal(), alarm().
 *
 * Toy cannot run a Toy function as a signal handler: the handler would have
 * to run between two bytecodes of some thread, with the GIL, which the eval
 * loop does not arrange. signal(n, f) with a function raises
 * NotImplementedError saying so. The module holds no state: dispositions
 * live in the kernel.
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
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/str.h"
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

/* A disposition as Python shows it: SIG_DFL (0), SIG_IGN (1), or None for a
   handler installed from C. */
static Object *handler_object(void (*h)(int)) {
    if (h == SIG_DFL) return int_from_i64(0);
    if (h == SIG_IGN) return int_from_i64(1);
    return NEWREF(None);
}

/* signal(signalnum, handler): handler must be SIG_DFL or SIG_IGN. */
static Object *signal_signal(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    int sig;
    if (args_check("signal", nargs, kwnames, 2, 2) < 0 || signal_number_arg(args[0], &sig) < 0)
        return NULL;
    Object *h = args[1];
    if (!is_int(h) || (int_value(h) != 0 && int_value(h) != 1)) {
        if (object_callable(h))
            return error_set(&exc_NotImplementedError,
                             "Toy cannot run a Toy function as a signal handler; "
                             "use signal.SIG_DFL or signal.SIG_IGN");
        return error_set(&exc_TypeError,
                         "signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object");
    }
    if (sig == SIGKILL || sig == SIGSTOP) return error_set_from_errno(EINVAL, NULL);
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = int_value(h) ? SIG_IGN : SIG_DFL;
    sigemptyset(&act.sa_mask);
    if (sigaction(sig, &act, &old) < 0) return error_set_from_errno(errno, NULL);
    return handler_object(old.sa_handler);
}

static Object *signal_getsignal(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    int sig;
    if (args_check("getsignal", nargs, kwnames, 1, 1) < 0 || signal_number_arg(args[0], &sig) < 0)
        return NULL;
    struct sigaction old;
    if (sigaction(sig, NULL, &old) < 0) return error_set_from_errno(errno, NULL);
    return handler_object(old.sa_handler);
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
    if (raise(sig) != 0) return error_set_from_errno(errno, NULL);
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
