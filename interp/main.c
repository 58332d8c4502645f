/* main.c - the command line: run a file, -c code, stdin, or the REPL.
 *
 * Exit status follows CPython: 0 on success, 1 after an uncaught exception
 * or a syntax error (or a directory given as the script), 2 for bad usage
 * or a script that cannot be opened or read,
 * sys.exit(n) -> n. An uncaught KeyboardInterrupt (Ctrl-C) prints its
 * traceback, lets the program end normally (threads joined, output
 * flushed, teardown) and then ends the process by SIGINT, as CPython does:
 * a shell sees status 130. Toy adds 3 (RACE_EXIT_STATUS): with --no-gil, the race
 * detector caught a reference-count race and stopped the program.
 *
 * Start-up creates the main thread's state, readies the static types and
 * the builtins, and makes the __main__ module. Teardown releases every module
 * and cache again, so that --stats can count as "leaked" exactly the objects
 * that a program left unreachable (reference cycles, by design).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/gchead.h"
#include "core/gil.h"
#include "core/osthread.h"
#include "core/race.h"
#include "core/refcount.h"
#include "core/sigint.h"
#include "core/threadstate.h"
#include "core/trace.h"
#include "core/typestats.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/floathex.h"
#include "objects/class.h"
#include "objects/code.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/fileobject.h"
#include "objects/finalize.h"
#include "objects/gc.h"
#include "objects/immortal.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/str.h"
#include "objects/types.h"
#include "objects/weakref.h"
#include "modules/atexitmodule.h"
#include "modules/builtins.h"
#include "modules/exec.h"
#include "modules/modules.h"
#include "modules/process.h"
#include "modules/thread.h"
#include "interp/compiler.h"
#include "interp/dis.h"
#include "interp/import.h"
#include "interp/repl.h"
#include "interp/specialize.h"
#include "interp/typecache.h"
#include "interp/vm.h"

#define TOY_VERSION "0.1.0"

static const char usage_line[] =
    "usage: toy [--stats] [--dis] [--no-gil] [--gil=POLICY] [--free-threaded] [-X gil=0|1]\n"
    "           [--switch-interval=MS] [--gil-trace=FILE] [-c cmd | file | -] [arg] ...\n";

static void print_help(void) {
    fputs(usage_line, stdout);
    fputs("Options:\n"
          "  -c cmd     run the program passed as a string\n"
          "  file       run the program in file\n"
          "  -          read the program from standard input\n"
          "             (no program: interactive prompt on a terminal, else stdin)\n"
          "  --stats    print object counts at exit (allocated, freed, peak, leaked)\n"
          "  --stats=types  the same, and live and peak objects per type\n"
          "  --dis      print the bytecode of the program instead of running it\n"
          "  --no-gil   run threads without the global interpreter lock: their plain\n"
          "             reference-count updates race; the race detector explains what it\n"
          "             catches (use after free, double free, negative count, and every\n"
          "             thread hung for $TOY_NOGIL_WATCHDOG seconds, default 10, 0 off)\n"
          "             and stops with exit status 3\n"
          "  --no-race-detector\n"
          "             with --no-gil: free objects at once, unchecked (to time --no-gil\n"
          "             without the detector's cost; races then crash unexplained or not)\n"
          "  --gil=POLICY\n"
          "             how the GIL is handed over: modern (the default: CPython 3.2+),\n"
          "             ticks (Python 2: drop and re-take every 100 switch points,\n"
          "             sys.setcheckinterval), priority (modern, and a thread back from\n"
          "             a blocking call gets the lock first); also $TOY_GIL_POLICY\n"
          "  --free-threaded\n"
          "             run the free-threaded interpreter (toy-ft, built beside toy): no\n"
          "             GIL, immortal objects, biased reference counts, per-object locks\n"
          "  -X gil=0   the same (CPython's spelling); -X gil=1: with the GIL (the\n"
          "             default; in toy-ft it turns the lock back on, and --gil= works)\n"
          "  --switch-interval=MS\n"
          "             how long a thread waits for the GIL before asking for it (default 5)\n"
          "  --gil-trace=FILE\n"
          "             write who held the GIL when, as a Chrome trace (open it in\n"
          "             ui.perfetto.dev or chrome://tracing); FILE '-': draw it as a text\n"
          "             timeline on stderr when the program ends\n"
          "  --help     show this help and exit\n"
          "  --version  show the version and exit\n"
          "Exit status: 0 ok, 1 uncaught exception or syntax error, 2 bad usage or\n"
          "  unreadable script, 3 reference-count race or hang caught (--no-gil),\n"
          "  sys.exit(n): n, 130 Ctrl-C not caught (KeyboardInterrupt; the process\n"
          "  ends by SIGINT)\n",
          stdout);
}

typedef struct {
    const char *command;  /* -c */
    const char *path;     /* file, "-" for stdin, NULL: REPL or stdin */
    int argv_start;       /* index of sys.argv[0] in argv */
    double switch_interval_ms; /* 0: the default */
    const char *gil_policy;    /* --gil=, or NULL */
    bool no_race_detector;     /* --no-race-detector */
    bool free_threaded;        /* --free-threaded or -X gil=0 */
} Options;

#ifdef TOY_FREE_THREADED
static const bool build_free_threaded = true;
#else
static const bool build_free_threaded = false;
#endif

/* -X gil=0 / -X gil=1 (also -Xgil=0), as CPython 3.13 spells it. opt is the
   option's text after "-X" (the next argument when "-X" stood alone).
   Returns 0, or 2 for a bad option. */
static int parse_x_option(const char *x, Options *opt) {
    if (strcmp(x, "gil=0") == 0) { opt->free_threaded = true; return 0; }
    if (strcmp(x, "gil=1") == 0) { opt->free_threaded = false; return 0; }
    if (strncmp(x, "gil", 3) == 0)
        fprintf(stderr, "toy: -X gil must be 0 or 1\n%s", usage_line);
    else
        fprintf(stderr, "toy: unknown -X option %s (toy knows only gil=0 and gil=1)\n%s",
                x, usage_line);
    return 2;
}

/* Returns 0, or the exit status to stop with. */
static int parse_options(int argc, char **argv, Options *opt) {
    memset(opt, 0, sizeof(*opt));
    opt->free_threaded = build_free_threaded; /* toy-ft: -X gil=1 turns it off */
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { print_help(); return -1; }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            printf("Toy %s\n", TOY_VERSION);
            return -1;
        }
        if (strcmp(a, "--stats") == 0) {
            interp.flag_stats = true;
            mem_count_enable();
            continue;
        }
        if (strcmp(a, "--stats=types") == 0) { /* also live and peak objects per type */
            interp.flag_stats = true;
            mem_count_enable();
            typestats_enable();
            continue;
        }
        if (strcmp(a, "--dis") == 0) { interp.flag_dis = true; continue; }
        if (strcmp(a, "--no-gil") == 0) { interp.flag_no_gil = true; continue; }
        if (strcmp(a, "--no-race-detector") == 0) { opt->no_race_detector = true; continue; }
        if (strcmp(a, "--free-threaded") == 0) { opt->free_threaded = true; continue; }
        if (strncmp(a, "-X", 2) == 0) {
            const char *x = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : "");
            if (parse_x_option(x, opt)) return 2;
            continue;
        }
        if (strncmp(a, "--gil-trace=", 12) == 0) { /* trace.h; opens FILE now */
            if (a[12] == '\0') {
                fprintf(stderr, "toy: --gil-trace takes a file name or -\n%s", usage_line);
                return 2;
            }
            if (trace_start(a + 12) < 0) return 2;
            continue;
        }
        if (strncmp(a, "--gil=", 6) == 0) {
            opt->gil_policy = a + 6;
            continue;
        }
        if (strncmp(a, "--switch-interval=", 18) == 0) {
            char *end;
            double ms = strtod(a + 18, &end);
            if (*end || !(ms > 0)) {
                fprintf(stderr, "toy: --switch-interval takes milliseconds > 0\n%s", usage_line);
                return 2;
            }
            opt->switch_interval_ms = ms;
            continue;
        }
        if (strcmp(a, "-c") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "Argument expected for the -c option\n%s", usage_line);
                return 2;
            }
            opt->command = argv[i + 1];
            opt->argv_start = i + 1; /* sys.argv[0] becomes "-c" below */
            return 0;
        }
        if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "toy: unknown option %s\n%s", a, usage_line);
            return 2;
        }
        break;
    }
    if (i < argc) {
        opt->path = argv[i];
        opt->argv_start = i;
    } else {
        opt->argv_start = argc;
    }
    return 0;
}

/* --gil=POLICY, else $TOY_GIL_POLICY (ignored under --no-gil and in toy-ft
   without -X gil=1, so that a whole test suite can run under one policy;
   --gil= itself is refused there: no GIL, no policy). Returns 0, or 2 after saying
   what is wrong. */
static int choose_gil_policy(const Options *opt) {
    const char *name = opt->gil_policy, *from = "--gil";
    if (name && interp.flag_no_gil && build_free_threaded) {
        fprintf(stderr, "toy: --gil=%s: the free-threaded build has no GIL (-X gil=1 runs it "
                "with one)\n%s", name, usage_line);
        return 2;
    }
    if (name && interp.flag_no_gil) {
        fprintf(stderr, "toy: --gil=%s and --no-gil cannot be combined\n%s", name, usage_line);
        return 2;
    }
    if (!name && !interp.flag_no_gil) {
        name = getenv("TOY_GIL_POLICY");
        from = "TOY_GIL_POLICY";
        if (name && !*name) name = NULL;
    }
    if (!name) return 0;
    GilPolicy p;
    if (gil_policy_parse(name, &p) < 0) {
        fprintf(stderr, "toy: %s takes ticks, modern or priority, not '%s'\n%s", from, name,
                usage_line);
        return 2;
    }
    gil_set_policy(p);
    return 0;
}

/* Read a whole stream. Returns a mem_alloc'd buffer (NUL-terminated), or
   NULL with *err set: an errno from the read, or 0 when memory ran out. A
   failed read is never taken for the end of the file. */
static char *read_stream(FILE *f, size_t *len_out, int *err) {
    size_t cap = 8192, len = 0;
    *err = 0;
    char *buf = mem_alloc(cap);
    if (!buf) return NULL;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            char *nb = mem_realloc(buf, cap, cap * 2);
            if (!nb) { mem_free(buf, cap); return NULL; }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
    }
    if (ferror(f)) {
        *err = errno ? errno : EIO;
        mem_free(buf, cap);
        return NULL;
    }
    char *exact = mem_realloc(buf, cap, len + 1);
    if (!exact) { mem_free(buf, cap); return NULL; }
    exact[len] = '\0';
    *len_out = len;
    return exact;
}

/* The script path as CPython shows it in these messages: made absolute by
   putting the working directory in front, not otherwise normalised. */
static void print_script_error(const char *path, const char *fmt, int err) {
    char cwd[4096];
    const char *dir = "", *sep = "";
    if (path[0] != '/' && getcwd(cwd, sizeof cwd)) {
        dir = cwd;
        sep = "/";
    }
    fprintf(stderr, "toy: ");
    fprintf(stderr, fmt, dir, sep, path);
    if (err) fprintf(stderr, ": [Errno %d] %s", err, strerror(err));
    fputc('\n', stderr);
}

/* sys.exit(code): None -> 0, an int -> that status, anything else is
   printed to stderr and gives 1, as CPython does. */
static int system_exit_status(Object *exc) {
    Object *code = object_getattr_cstr(exc, "code");
    if (!code) { error_clear(); return 1; }
    int status = 0;
    if (is_int(code)) {
        status = (int)int_value(code);
    } else if (code != None) {
        Object *s = object_str(code);
        fflush(stdout);
        if (s) { fprintf(stderr, "%s\n", str_data(s)); DECREF(s); }
        else error_clear();
        status = 1;
    }
    DECREF(code);
    return status;
}

/* Set when the program ended with an uncaught KeyboardInterrupt: main()
   ends the process by SIGINT after everything else. */
static bool exit_by_sigint;

/* The exit status for an uncaught exception (taken from the thread state):
   SystemExit carries its own; anything else is printed with its traceback. */
int main_handle_uncaught(void) {
    Object *exc = error_fetch();
    if (!exc) return 1;
    int status = 1;
    if (is_instance_of(exc, &exc_SystemExit)) {
        status = system_exit_status(exc);
    } else {
        error_print(exc);
        if (is_instance_of(exc, &exc_KeyboardInterrupt)) {
            exit_by_sigint = true;
            status = 130; /* if ending by the signal fails */
        }
    }
    DECREF(exc);
    return status;
}

static int run_source(const char *src, size_t len, const char *filename) {
    CodeObject *code = compile_source(src, len, filename, PARSE_FILE);
    if (!code) return main_handle_uncaught();
    if (interp.flag_dis) {
        fflush(stdout);
        dis_code(code, stdout);
        DECREF(code);
        return 0;
    }
    Object *globals = module_dict(interp.main_module);
    Object *result = vm_run_code(code, globals, globals);
    DECREF(code);
    if (!result) return main_handle_uncaught();
    DECREF(result);
    return 0;
}

/* Exit status 2 for a script that cannot be opened or read (as CPython);
   1 for a directory, which CPython would run only if it held __main__. */
static int run_file(const char *path) {
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        print_script_error(path, "can't open file '%s%s%s'", errno);
        return 2;
    }
    struct stat st;
    if (!is_stdin && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        print_script_error(path, "can't find '__main__' module in '%s%s%s'", 0);
        return 1;
    }
    size_t len = 0;
    int err = 0;
    char *src = read_stream(f, &len, &err);
    if (!is_stdin) fclose(f);
    if (!src) {
        if (!err) {
            fputs("toy: out of memory reading the program\n", stderr);
            return 1;
        }
        if (is_stdin) fprintf(stderr, "toy: can't read <stdin>: [Errno %d] %s\n", err, strerror(err));
        else print_script_error(path, "can't read file '%s%s%s'", err);
        return 2;
    }
    interp.script_path = is_stdin ? NULL : path;
    int status = run_source(src, len, is_stdin ? "<stdin>" : path);
    mem_free(src, len + 1);
    return status;
}

/* The compiler, as eval(), exec() and compile() reach it (modules/exec.h):
   the builtins layer may not include the front end, so it is handed down. */
static CodeObject *compile_for_exec(const char *src, size_t len, const char *filename,
                                    ExecMode mode) {
    ParseMode pm = mode == EXEC_MODE_EVAL ? PARSE_EVAL
                   : mode == EXEC_MODE_SINGLE ? PARSE_SINGLE : PARSE_FILE;
    return compile_string(src, len, filename, pm);
}

static int runtime_init(int argc, char **argv, const Options *opt) {
    gc_head_init(interp.flag_no_gil); /* before the first container */
    ThreadState *ts = ts_create();
    vm_init_inline_steps();
    thread_init_main(ts);
    gil_init(!interp.flag_no_gil, ts);
    specialize_init(!interp.flag_no_gil); /* the GIL build's rewriting of shared code needs the GIL */
    if (opt->switch_interval_ms > 0) gil_set_interval(opt->switch_interval_ms / 1000.0);
    if (types_init(object_types) < 0 || types_init(module_types) < 0 ||
        dict_install_fromkeys() < 0 || int_install_from_bytes() < 0 || builtins_init() < 0) return -1;
    exec_set_compiler(compile_for_exec);
    if (bytes_install_class_methods() < 0 || float_install_class_methods() < 0) return -1;
    if (str_install_class_methods() < 0) return -1;
    interp.modules = dict_new();
    interp.main_module = module_new("__main__");
    if (!interp.modules || !interp.main_module) return -1;
    if (dict_set_item_cstr(interp.modules, "__main__", interp.main_module) < 0) return -1;
    if (dict_set_item_cstr(module_dict(interp.main_module), "__builtins__",
                           interp.builtins) < 0)
        return -1;
    const char *script = opt->command ? NULL : opt->path;
    if (!opt->command && !script && !isatty(STDIN_FILENO)) script = "-";
    if (import_init_main(interp.main_module, script) < 0) return -1;
    if (opt->argv_start < argc) {
        sys_set_argv(argc - opt->argv_start, argv + opt->argv_start);
    } else { /* REPL or piped stdin: sys.argv == [''] */
        static char empty[] = "";
        static char *no_args[] = {empty, NULL}; /* sys keeps the pointer */
        sys_set_argv(1, no_args);
    }
    return 0;
}

/* Before the teardown, as CPython does when it finalizes its modules: run
   the __del__ methods of the instances the modules' globals still reach,
   __main__'s first, then the other modules' in import order (finalize.h
   has the order within a module). From here on a traceback, as CPython's
   at that point, shows no source lines. */
static void finalize_at_exit(void) {
    error_print_without_source();
    gc_collect_at_exit(true); /* the garbage left: finalizers run while modules are intact */
    if (!finalize_any_class()) return;
    if (interp.main_module) finalize_namespace(module_dict(interp.main_module));
    Object *modules = interp.modules ? dict_copy(interp.modules) : NULL;
    size_t pos = 0;
    Object *k, *m;
    while (modules && dict_next(modules, &pos, &k, &m))
        if (is_module(m) && m != interp.main_module) finalize_namespace(module_dict(m));
    XDECREF(modules);
    error_clear();
}

/* Release everything the interpreter holds. Module dicts are cleared
   explicitly: functions refer back to their module's dict (globals), a cycle
   that reference counting alone would never free. */
static void runtime_fini(void) {
    weakref_teardown(); /* no weakref callbacks from here on, as in CPython */
    if (interp.main_module) dict_clear(module_dict(interp.main_module));
    CLEAR(&interp.main_module);
    if (interp.modules) {
        size_t pos = 0;
        Object *k, *m;
        while (dict_next(interp.modules, &pos, &k, &m))
            if (is_module(m)) dict_clear(module_dict(m));
        CLEAR(&interp.modules);
    }
    import_fini();
    typecache_clear();
    /* The cycles the module dicts held; only when the collector is
       enabled, so that gc.disable() leaves its leak visible in --stats. */
    gc_collect_at_exit(false);
    gc_fini();
    ThreadState *ts = ts_get();
    CLEAR(&ts->current_exc);
    CLEAR(&ts->handled_exc);
    builtins_fini();
    class_fini();
    types_fini(module_types);
    types_fini(weakref_types); /* readied by the first import of _weakref */
    types_fini(object_types);
    str_intern_clear();
    refcount_release_immortals(); /* toy-ft: what was made immortal at run time */
    ts_destroy(ts);
    race_fini(); /* --no-gil: check and release the quarantined objects */
    finalize_fini();
    mem_exit_release();
}

/* note: why nothing was torn down, or NULL; threads: daemon threads still
   running (then nothing was torn down either), 0 when every thread ended. The lines after `leaked:` are free to grow; the test
   runner reads the block up to there.

   Objects never freed for a reason other than a leak are counted apart:
   those gc.freeze(immortal=True) made immortal, and, when a daemon thread
   was still running at exit, every object still alive, since one such
   thread may be using any of them (a leak cannot be told apart from them
   then: leak checks need every thread to end). */
static void print_stats(const char *note, int threads) {
    AllocStats s = mem_stats();
    uint64_t immortal = (uint64_t)immortal_count();
    uint64_t other = s.live > immortal ? s.live - immortal : 0;
    /* Nothing torn down (a daemon thread still running, or the race
       detector stopped the run): every object still alive has its own
       line, not `leaked`, since a leak cannot be told apart from them. */
    uint64_t in_threads = threads && !note ? other : 0, stopped = note ? other : 0;
    uint64_t leaked = threads || note ? 0 : other;
    fflush(stdout);
    fprintf(stderr, "--- toy stats ---\n");
    if (note) fprintf(stderr, "note: %s: nothing was torn down\n", note);
    if (threads)
        fprintf(stderr, "note: %d daemon thread(s) still running: nothing was torn down\n", threads);
    fprintf(stderr, "allocated: %llu\n", (unsigned long long)s.allocated);
    fprintf(stderr, "freed: %llu\n", (unsigned long long)s.freed);
    fprintf(stderr, "peak live: %llu\n", (unsigned long long)s.peak_live);
    fprintf(stderr, "leaked: %llu\n", (unsigned long long)leaked);
    if (in_threads) fprintf(stderr, "alive in running threads: %llu\n", (unsigned long long)in_threads);
    if (stopped) fprintf(stderr, "alive when stopped: %llu\n", (unsigned long long)stopped);
    if (immortal) fprintf(stderr, "immortal (gc.freeze): %llu\n", (unsigned long long)immortal);
    /* Lost decrements show above as leaks; lost increments are caught by the
       race detector (--no-gil only: with the GIL this is always 0). */
    fprintf(stderr, "anomalies: %llu\n", (unsigned long long)race_anomalies());
    if (build_free_threaded) /* shared by threads, so never counted; freed after the teardown */
        fprintf(stderr, "made immortal: %llu\n", (unsigned long long)refcount_immortalized());
    fprintf(stderr, "collected by gc: %lld\n", (long long)gc_total_collected());
    fprintf(stderr, "gc collections: %lld %lld %lld\n",
            (long long)gc_generation_stats(0).collections,
            (long long)gc_generation_stats(1).collections,
            (long long)gc_generation_stats(2).collections);
    uint64_t specialised, deopts;
    specialize_stats(&specialised, &deopts);
    fprintf(stderr, "specialised: %llu, despecialised: %llu\n", (unsigned long long)specialised,
            (unsigned long long)deopts);
    if (typestats_on) typestats_print(stderr);
    thread_print_gil_stats();
}

/* The race detector stops the program: print the stats it has. */
static void stats_on_race_stop(void) {
    if (interp.flag_stats) print_stats("the race detector stopped the program", 0);
}

/* ./toy --free-threaded runs ./toy-ft, the free-threaded build of the same
   sources, from the folder that holds this binary (as python3.13t sits
   beside python3.13). Returns only on failure, with the exit status. */
static int exec_free_threaded(char **argv) {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 16);
    if (n <= 0) {
        fprintf(stderr, "toy: --free-threaded: cannot find this program's folder\n");
        return 2;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    strcpy(slash ? slash + 1 : self, "toy-ft");
    char *saved_argv0 = argv[0];
    argv[0] = self;
    execv(self, argv);
    argv[0] = saved_argv0;
    fprintf(stderr,
            "toy: --free-threaded needs the free-threaded build, %s: %s\n"
            "     (build it with `make toy-ft`; `make` builds it too)\n",
            self, strerror(errno));
    return 2;
}

int main(int argc, char **argv) {
    Options opt;
    int status = parse_options(argc, argv, &opt);
    if (status) return status < 0 ? 0 : status;
    if (opt.free_threaded && !build_free_threaded) return exec_free_threaded(argv);
    /* toy-ft runs without the GIL unless -X gil=1 asked for it */
    if (build_free_threaded) interp.flag_no_gil = opt.free_threaded;
    if ((status = choose_gil_policy(&opt)) != 0) return status;

    /* As CPython: a closed pipe makes writes fail with BrokenPipeError
       instead of killing the process. */
    signal(SIGPIPE, SIG_IGN);
    sigint_init(); /* Ctrl-C raises KeyboardInterrupt (core/sigint.h) */
    if (interp.flag_no_gil) race_enable(stats_on_race_stop, !opt.no_race_detector);
    static char dash_c[] = "-c";
    if (opt.command) argv[opt.argv_start] = dash_c;
    if (runtime_init(argc, argv, &opt) < 0) {
        fputs("toy: failed to initialise the runtime\n", stderr);
        return 1;
    }

    if (opt.command)
        status = run_source(opt.command, strlen(opt.command), "<string>");
    else if (opt.path)
        status = run_file(opt.path);
    else if (repl_wanted())
        status = repl_run();
    else
        status = run_file("-");

    fflush(stdout);
    /* Python waits for non-daemon threads before it exits. Daemon threads
       still running may be using any object, so then nothing is torn down. */
    thread_run_shutdown_hooks(); /* threading._shutdown(): executors stop their workers */
    int still_running = thread_wait_for_non_daemon(ts_get());
    atexit_run_at_exit(); /* atexit.register()ed functions, weakref.finalize */
    process_wait_children_at_exit(); /* multiprocessing: children, queue feeders */
    if (still_running == 0) finalize_at_exit();
    /* --no-gil: a count damaged by a race would make teardown crash; the
       check reports it (and stops with status 3) before teardown starts. */
    if (interp.flag_no_gil && still_running == 0) race_check_all();
    thread_exit_main(ts_get());
    /* --gil-trace: the other threads have handed over their records */
    if (trace_finish() < 0 && status == 0) status = 1;
    if (still_running == 0) runtime_fini();
    osthread_join_ended(); /* the feeders that teardown stopped, too */
    file_flush_at_exit();
    if (interp.flag_stats) {
        print_stats(NULL, still_running);
    }
    if (fflush(stdout) != 0 && status == 0) status = 120;
    if (exit_by_sigint) sigint_exit();
    return status;
}
