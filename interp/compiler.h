/* compiler.h - turns Toy source text into a code object.
 *
 * compile_source() runs the whole front end: parser (parser.h) -> AST ->
 * scope analysis (symtable.h) -> code generation (compiler.c), and frees the
 * AST before returning. The code it emits follows the shapes documented in
 * opcodes.h; dis.h prints it.
 */
#ifndef TOY_COMPILER_H
#define TOY_COMPILER_H

#include <stddef.h>
#include "objects/code.h"

#include "interp/parser.h"

/* Parse and compile source (len bytes, need not be NUL-terminated).
 * Returns a new CodeObject, or NULL with SyntaxError / IndentationError /
 * RecursionError / MemoryError set.
 *
 * SyntaxError instances carry the attributes msg, filename, lineno, offset
 * and text (in the instance dict), and args = (msg, (filename, lineno,
 * offset, text)) as in CPython. offset is a 1-based character column; text
 * is the offending source line, with its newline when the source has one
 * there. As in CPython, errors found after parsing (by the scope analysis or
 * the code generator) have text None when filename starts with '<' (a
 * string, stdin): CPython reads their line back from the file. Blank input
 * in PARSE_EVAL and PARSE_SINGLE mode is "invalid syntax" with lineno 0 (or
 * the last line's number) and offset 0, as CPython. Errors about a whole
 * statement ('return' outside function, global/nonlocal misuse, ...) also
 * set end_lineno and end_offset so the report underlines the statement. A
 * TabError is raised as IndentationError (Toy has no TabError class).
 *
 * mode: PARSE_FILE (a module), PARSE_SINGLE and PARSE_INTERACTIVE (one
 * statement, for compile(..., 'single') and the REPL: expression statements
 * emit PRINT_EXPR instead of POP_TOP), PARSE_EVAL (one expression; the code
 * returns its value). filename is used for the code objects and messages; it
 * may be NULL ("<string>"). */
CodeObject *compile_source(const char *src, size_t len, const char *filename,
                           ParseMode mode);

/* As compile_source, for source text that is not the content of the file
 * named filename (compile(), exec(), eval()): errors found after parsing
 * have text None whatever the name, as CPython, which would read that line
 * from the file. (CPython shows the line if such a file exists; Toy never
 * reads it.) */
CodeObject *compile_string(const char *src, size_t len, const char *filename,
                           ParseMode mode);

/* For the REPL: 1 if the source is an incomplete statement (the parser says
 * PARSE_INCOMPLETE in PARSE_INTERACTIVE mode), else 0 (complete, or an error that
 * compile_source will report). Sets no exception. */
int compile_is_incomplete(const char *src, size_t len);

#endif
