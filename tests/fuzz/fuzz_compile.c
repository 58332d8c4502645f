/* fuzz_compile.c - libFuzzer harness: the lexer, parser, symbol table and
 * compiler on arbitrary bytes. Nothing is run.
 *
 * Per input: compile_source on a NUL-terminated copy, then release the code
 * object or the SyntaxError. Checked besides what ASan/UBSan see:
 *   - leaks: compiling must leave no object behind. The first compile of a
 *     text may intern new names (kept for good), so when the live-object
 *     count grew, the same text is compiled again: that second compile must
 *     leave the count exactly as it found it;
 *   - slow inputs: 50 ms + 20 us per byte of CPU time (fuzz_common.h).
 *
 * Build and run: make fuzz (see the Makefile); a saved crash reproduces with
 * build-fuzz/fuzz_compile FILE.
 */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_runtime_init();
    return 0;
}

typedef struct {
    const char *src;
    size_t size;
    int64_t grew;       /* change in live objects */
} CompileJob;

/* Compiles once; returns the CPU milliseconds it took. */
static double compile_once(void *arg) {
    CompileJob *job = arg;
    uint64_t before = mem_stats().live;
    double start = fuzz_cpu_ms();
    CodeObject *code = compile_source(job->src, job->size, "<fuzz>", PARSE_FILE);
    if (code) DECREF(code);
    else error_clear();
    double elapsed = fuzz_cpu_ms() - start;
    job->grew = (int64_t)(mem_stats().live - before);
    return elapsed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *src = mem_alloc(size + 1);
    if (!src) return 0;
    memcpy(src, data, size);
    src[size] = '\0';
    CompileJob job = {src, size, 0};
    double elapsed = compile_once(&job);
    if (job.grew > 0) {
        compile_once(&job);
        if (job.grew != 0) {
            fprintf(stderr, "leak: compiling %zu bytes left %lld object(s) behind\n",
                    size, (long long)job.grew);
            abort();
        }
    }
    fuzz_check_slow(size, fuzz_budget_ms(size, 50, 20), compile_once, &job, elapsed);
    mem_free(src, size + 1);
    return 0;
}
