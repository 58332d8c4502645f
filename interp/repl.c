/* repl.c - the interactive prompt.
 *
 * Lines are collected until they form a complete statement: the compiler
 * says whether the text so far is "incomplete" (an open bracket, a block
 * header, a block not yet closed by a blank line). The statement is compiled
 * in PARSE_INTERACTIVE mode, where expression statements print their value.
 * Lines come from the line editor (lineedit.h), which edits on a terminal and
 * reads plainly otherwise; Ctrl-C there drops the statement being typed.
 */
#include "interp/repl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/gil.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/module.h"
#include "interp/compiler.h"
#include "interp/lineedit.h"
#include "interp/vm.h"

/* Run one complete statement. Returns -1 to go on, else an exit status. */
static int repl_execute(const char *src, size_t len) {
    CodeObject *code = compile_source(src, len, "<stdin>", PARSE_INTERACTIVE);
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

/* ~/.toy_history, or NULL without HOME. The caller frees *size bytes. */
static char *repl_history_path(size_t *size) {
    static const char name[] = "/.toy_history";
    const char *home = getenv("HOME");
    if (!home || !*home) return NULL;
    *size = strlen(home) + sizeof(name);
    char *path = mem_alloc(*size);
    if (path) snprintf(path, *size, "%s%s", home, name);
    return path;
}

int repl_wanted(void) {
    return isatty(STDIN_FILENO) || lineedit_test_mode();
}

int repl_run(void) {
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int status = -1;
    ThreadState *ts = ts_get();
    lineedit_init();
    /* History only when editing: plain reading leaves no trace. */
    size_t path_size = 0;
    char *history = lineedit_is_editing() ? repl_history_path(&path_size) : NULL;
    if (history) lineedit_history_load(history);
    fprintf(stderr, "Toy (a teaching interpreter). Type Ctrl-D to exit.\n");
    while (status < 0) {
        const char *line;
        size_t n;
        GIL_RELEASE(ts); /* GIL: other threads run while the prompt waits */
        LineEditResult r = lineedit_read(len ? "... " : ">>> ", &line, &n);
        GIL_ACQUIRE(ts);
        if (r == LINEEDIT_EOF) {
            fputc('\n', stderr);
            if (len == 0) break;
            /* as CPython: end of input inside a block ends the block, as
               a blank line would (the buffer always has room for it) */
            buf[len++] = '\n';
            buf[len] = '\0';
            status = repl_execute(buf, len);
            len = 0;
            continue;
        }
        if (r == LINEEDIT_INTERRUPT) {
            /* as CPython: the line (and any unfinished block) is dropped */
            fputs("KeyboardInterrupt\n", stderr);
            len = 0;
            continue;
        }
        if (lineedit_is_editing()) lineedit_history_add(line, n);
        if (len + n + 3 > cap) {
            size_t ncap = (len + n + 3) * 2;
            char *nb = mem_realloc(buf, cap, ncap);
            if (!nb) break;
            buf = nb;
            cap = ncap;
        }
        memcpy(buf + len, line, n);
        len += n;
        buf[len++] = '\n';
        buf[len] = '\0';
        if (compile_is_incomplete(buf, len)) continue;
        status = repl_execute(buf, len);
        len = 0;
    }
    if (history) {
        lineedit_history_save(history); /* an unwritable file only loses the history */
        mem_free(history, path_size);
    }
    lineedit_fini();
    mem_free(buf, cap);
    return status < 0 ? 0 : status;
}
