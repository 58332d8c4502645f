/* dis.h - the disassembler behind `toy --dis` (and a debugging aid).
 *
 * Prints a code object the way CPython 3.11's dis.dis does: one line per
 * instruction with its source line (when a new line starts), a ">>" marker
 * on jump targets, the offset, the opcode name, the argument and its meaning
 * in parentheses; then, recursively, every code object among its constants.
 *
 * Offsets are instruction index * 2, like CPython's two-byte wordcode, so
 * listings look familiar. Jump arguments are absolute instruction indexes
 * (what the VM uses); "(to N)" shows the target's offset. A
 * superinstruction shows both halves' arguments and meanings, and the
 * second word it skips follows, marked "+".
 * opcode_name() is declared in opcodes.h.
 */
#ifndef TOY_DIS_H
#define TOY_DIS_H

#include <stdio.h>
#include "objects/code.h"
#include "interp/opcodes.h"

/* Disassemble co and its nested code objects to out. Needs the runtime
   (constants are shown with repr()); errors while printing a constant are
   cleared and the constant shown as "?". */
void dis_code(CodeObject *co, FILE *out);

/* True for the opcodes whose argument is a jump target. */
bool opcode_is_jump(Opcode op);

#endif
