/* superinstr.h - the compiler's last pass: fusing frequent pairs of
 * instructions into superinstructions (opcodes.h, the block at the end of
 * OPCODE_LIST), so that the eval loop dispatches once for both.
 *
 * The first word of a pair becomes the superinstruction, whose argument
 * packs both halves' arguments (SUPER_ARG); the second word stays as it
 * was, and the superinstruction skips it. So no instruction moves: jump
 * targets, the line table and every index a traceback or a generator keeps
 * mean what they meant. The VM counts the second word as done (ip past
 * it) before anything in the second half can fail, so an error there is
 * reported at the second half's own line.
 *
 * A triple (LOAD_FAST_CONST_SUBSCR) works the same way with two skipped
 * words, counted as done before its last part can fail. The arithmetic
 * and compare runs (three or four words: two loads, BINARY_OP, INPLACE_OP
 * or COMPARE_OP, and a compare's conditional jump) finish inline only for
 * the operands they handle; for any other they run their first two words
 * as the pair and leave the rest to the plain words, which are still there.
 *
 * LOAD_FAST_LOAD_ATTR and LOAD_FAST_STORE_ATTR are pairs whose second
 * word has inline cache words: it keeps them and goes on being quickened;
 * the superinstruction runs both only when that word is in its
 * instance-dict form and its guard holds, else it runs as LOAD_FAST and
 * lets the second word run. They are preferred to a pair that would take
 * their LOAD_FAST as its second word.
 *
 * A pair is fused only when its second word is no jump target (a jump
 * there runs the second half alone, which the plain word still does, but
 * the rule keeps the pairs easy to reason about) and both arguments fit in
 * SUPER_ARG_BITS bits.
 *
 * Build switch: COMPILER_SUPERINSTRUCTIONS=0 (make CFLAGS='-O2
 * -DCOMPILER_SUPERINSTRUCTIONS=0') leaves the code unfused, to measure what
 * fusion wins.
 */
#ifndef TOY_SUPERINSTR_H
#define TOY_SUPERINSTR_H

#include <stdint.h>

/* Fuse the pairs and runs of instrs[0..n) in place. Runs after jump targets are
   resolved and the stack depth is known. Needs scratch memory; without
   it the code is left as it is (fusion only makes it faster). */
void superinstr_fuse(uint32_t *instrs, int n);

#endif
