/* repl.c - the interactive prompt.
 *
 * Lines are collected until they form a complete statement: the compiler
 * says whether the text so far is "incomplete" (an open bracket, a block
 * header, a block not yet closed by a blank line). The statement is compiled
 * in PARSE_SINGLE mode, where expression statements print their value.
 */
#include "interp/repl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/module.h"
#include "interp/compiler.h"
#include "interp/vm.h"

/* Run one complete statement. Returns -1 to go on, else an exit status. */
static int repl_execute(const char *src, size_t len) {
    CodeObject *code = compile_source(src, len, "<stdin>", PARSE_SINGLE);
    Object *result = NULL;
    if (code) {
        Object *globals = module_dict(interp.main_module);
        result = vm_run_code(code, globals, globals);
        DECREF(code);
    }
    fflush(stdout);
    if (result) {
        DECREF(result);
        return -1;
    }
    if (error_matches(&exc_SystemExit)) return main_handle_uncaught();
    Object *exc = error_fetch();
    if (exc) {
        error_print(exc);
        DECREF(exc);
    }
    return -1;
}

int repl_run(void) {
    char *line = NULL;
    size_t line_cap = 0;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int status = -1;
    fprintf(stderr, "Toy (a teaching interpreter). Type Ctrl-D to exit.\n");
    while (status < 0) {
        fputs(len ? "... " : ">>> ", stderr);
        fflush(stderr);
        ssize_t n = getline(&line, &line_cap, stdin);
        if (n < 0) { fputc('\n', stderr); break; }
        if (len + (size_t)n + 1 > cap) {
            size_t ncap = (len + (size_t)n + 1) * 2;
            char *nb = mem_realloc(buf, cap, ncap);
            if (!nb) break;
            buf = nb;
            cap = ncap;
        }
        memcpy(buf + len, line, (size_t)n);
        len += (size_t)n;
        buf[len] = '\0';
        if (compile_is_incomplete(buf, len)) continue;
        status = repl_execute(buf, len);
        len = 0;
    }
    free(line); /* getline's buffer comes from libc's malloc */
    mem_free(buf, cap);
    return status < 0 ? 0 : status;
}
