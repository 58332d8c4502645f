/* exec.h - the built-ins that run source text: eval(), exec(), compile().
 *
 * Compiling needs the front end, which lives in interp/ and which this
 * layer may not include. So interp/main.c hands the compiler down at
 * start-up with exec_set_compiler(), before any Toy code runs; until then
 * (and in a program that never sets it) the three built-ins raise
 * SystemError. Running the code needs only interp/vm.h.
 */
#ifndef TOY_EXEC_H
#define TOY_EXEC_H

#include <stddef.h>

#include "core/object.h"
#include "objects/code.h"

/* compile()'s three modes. */
typedef enum {
    EXEC_MODE_EXEC,   /* a module: any statements */
    EXEC_MODE_EVAL,   /* one expression; running the code returns its value */
    EXEC_MODE_SINGLE, /* one interactive statement: expression values are printed */
} ExecMode;

/* Compile len bytes of src (not NUL-terminated) in mode, naming filename in
   the code objects and in SyntaxErrors. A new code object, or NULL with
   SyntaxError (or IndentationError, RecursionError, MemoryError) set. */
typedef CodeObject *(*ExecCompileFunc)(const char *src, size_t len, const char *filename,
                                       ExecMode mode);

/* Called once by interp/main.c at start-up. */
void exec_set_compiler(ExecCompileFunc compile);

/* {"eval", ...}, {"exec", ...}, {"compile", ...}, NULL-terminated: the
   builtins module adds them to its dict. */
extern const MethodDef exec_builtin_functions[];

#endif
