/* fuzz_common.h - what both libFuzzer harnesses share: the runtime set up
 * once (through main.c's own runtime_init, so the harnesses start Toy
 * exactly as ./toy does), the CPU-time measure and the "slow input" check.
 *
 * main.c is compiled into the harness with its main() renamed: the harness
 * links every object of ./toy except build/interp/main.o.
 *
 * Slow inputs: libFuzzer's -timeout only catches hangs. An input that takes
 * far longer than its size warrants (a quadratic path in the lexer, say) is
 * as much a bug, so each harness gives an input a CPU-time budget that grows
 * with its size and aborts past it; libFuzzer then saves the input as a crash
 * artifact, and the message on stderr says why. TOY_FUZZ_BUDGET_SCALE (a
 * number, default 1) scales every budget (for slow machines or sanitizers).
 */
#ifndef TOY_FUZZ_COMMON_H
#define TOY_FUZZ_COMMON_H

#define main toy_main_unused
#include "interp/main.c"
#undef main

#include <fcntl.h>
#include <time.h>

/* Thread CPU time, in milliseconds: other processes on a loaded machine do
   not make an input look slow. */
static double fuzz_cpu_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double fuzz_budget_scale(void) {
    const char *s = getenv("TOY_FUZZ_BUDGET_SCALE");
    double v = s ? strtod(s, NULL) : 1.0;
    return v > 0 ? v : 1.0;
}

/* The CPU-time budget of an input of `size` bytes: base_ms + per_byte_us
   for every byte, times the scale. */
static double fuzz_budget_ms(size_t size, double base_ms, double per_byte_us) {
    static double scale;
    if (scale == 0) scale = fuzz_budget_scale();
    return (base_ms + per_byte_us * (double)size / 1000.0) * scale;
}

/* Runs `once` (which returns the CPU milliseconds it took) and aborts,
   so that libFuzzer keeps the input, if it is over budget three times in a
   row: one slow run on a busy machine (a page-fault storm, a stolen CPU)
   is not an input's fault. */
static void fuzz_check_slow(size_t size, double budget_ms, double (*once)(void *),
                            void *arg, double first_ms) {
    double best = first_ms;
    for (int i = 0; i < 2 && best > budget_ms; i++) {
        double t = once(arg);
        if (t < best) best = t;
    }
    if (best > budget_ms) {
        fprintf(stderr, "slow input: %zu bytes took %.0f ms (budget %.0f ms)\n",
                size, best, budget_ms);
        abort();
    }
}

/* Starts the runtime as ./toy does, with sys.argv == ['']. */
static void fuzz_runtime_init(void) {
    static char prog[] = "toy-fuzz";
    char *argv[] = {prog, NULL};
    Options opt;
    memset(&opt, 0, sizeof opt);
    opt.argv_start = 1;
    signal(SIGPIPE, SIG_IGN);
    if (runtime_init(1, argv, &opt) < 0) {
        fputs("toy-fuzz: failed to initialise the runtime\n", stderr);
        exit(1);
    }
}

#endif
