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
#include "code.h"

/* ast.h's BinOp/CmpOp enumerators (BINOP_ADD, CMP_EQ, ...) have the same
   names as object.h's BinaryOp/CompareOp ones, so the two headers cannot be
   included together as they stand. Until ast.h renames them, ast.h is
   included here with its enumerators renamed to AST_BINOP_* / AST_CMP_*
   (the values are unchanged). Include compiler.h before any other header
   that pulls in ast.h. */
#ifndef TOY_AST_H
#define BINOP_ADD AST_BINOP_ADD
#define BINOP_SUB AST_BINOP_SUB
#define BINOP_MUL AST_BINOP_MUL
#define BINOP_DIV AST_BINOP_DIV
#define BINOP_FLOORDIV AST_BINOP_FLOORDIV
#define BINOP_MOD AST_BINOP_MOD
#define BINOP_POW AST_BINOP_POW
#define BINOP_LSHIFT AST_BINOP_LSHIFT
#define BINOP_RSHIFT AST_BINOP_RSHIFT
#define BINOP_BITOR AST_BINOP_BITOR
#define BINOP_BITXOR AST_BINOP_BITXOR
#define BINOP_BITAND AST_BINOP_BITAND
#define CMP_EQ AST_CMP_EQ
#define CMP_NE AST_CMP_NE
#define CMP_LT AST_CMP_LT
#define CMP_LE AST_CMP_LE
#define CMP_GT AST_CMP_GT
#define CMP_GE AST_CMP_GE
#define CMP_IS AST_CMP_IS
#define CMP_IS_NOT AST_CMP_IS_NOT
#define CMP_IN AST_CMP_IN
#define CMP_NOT_IN AST_CMP_NOT_IN
#include "parser.h"
#undef BINOP_ADD
#undef BINOP_SUB
#undef BINOP_MUL
#undef BINOP_DIV
#undef BINOP_FLOORDIV
#undef BINOP_MOD
#undef BINOP_POW
#undef BINOP_LSHIFT
#undef BINOP_RSHIFT
#undef BINOP_BITOR
#undef BINOP_BITXOR
#undef BINOP_BITAND
#undef CMP_EQ
#undef CMP_NE
#undef CMP_LT
#undef CMP_LE
#undef CMP_GT
#undef CMP_GE
#undef CMP_IS
#undef CMP_IS_NOT
#undef CMP_IN
#undef CMP_NOT_IN
#else
#include "parser.h"
#endif

/* Parse and compile source (len bytes, need not be NUL-terminated).
 * Returns a new CodeObject, or NULL with SyntaxError / IndentationError /
 * RecursionError / MemoryError set.
 *
 * SyntaxError instances carry the attributes msg, filename, lineno, offset
 * and text (in the instance dict), and args = (msg, (filename, lineno,
 * offset, text)) as in CPython. offset is a 1-based character column; text
 * is the offending source line with its newline.
 *
 * mode: PARSE_FILE (a module), PARSE_SINGLE (the REPL: expression statements
 * emit PRINT_EXPR instead of POP_TOP), PARSE_EVAL (one expression; the code
 * returns its value). filename is used for the code objects and messages; it
 * may be NULL ("<string>"). */
CodeObject *compile_source(const char *src, size_t len, const char *filename,
                           ParseMode mode);

/* For the REPL: 1 if the source is an incomplete statement (the parser says
 * PARSE_INCOMPLETE in PARSE_SINGLE mode), else 0 (complete, or an error that
 * compile_source will report). Sets no exception. */
int compile_is_incomplete(const char *src, size_t len);

#endif
