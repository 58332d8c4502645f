/* superinstr.c - fusing pairs and runs of three or four instructions
   (superinstr.h). */
#include "interp/superinstr.h"

#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"
#include "interp/dis.h"
#include "interp/opcodes.h"

#ifndef COMPILER_SUPERINSTRUCTIONS
#define COMPILER_SUPERINSTRUCTIONS 1
#endif

/* The pairs, most frequent first (counted on the benchmarks of
   scripts/bench/). A first word never has inline cache words; a second
   word may (LOAD_ATTR, STORE_ATTR): it keeps them, the VM reads them there,
   and the pass steps over them. */
static const struct {
    Opcode first, second, fused;
} pairs[] = {
    {OP_LOAD_FAST, OP_LOAD_FAST, OP_LOAD_FAST_LOAD_FAST},
    {OP_LOAD_FAST, OP_LOAD_CONST, OP_LOAD_FAST_LOAD_CONST},
    {OP_STORE_FAST, OP_LOAD_FAST, OP_STORE_FAST_LOAD_FAST},
    {OP_STORE_FAST, OP_JUMP, OP_STORE_FAST_JUMP},
    {OP_FOR_ITER, OP_STORE_FAST, OP_FOR_ITER_STORE_FAST},
    {OP_DUP_TOP_TWO, OP_BINARY_SUBSCR, OP_DUP_TOP_TWO_SUBSCR},
    {OP_ROT_THREE, OP_STORE_SUBSCR, OP_ROT_THREE_STORE_SUBSCR},
    {OP_LOAD_CONST, OP_BINARY_OP, OP_LOAD_CONST_BINOP},
    {OP_LOAD_CONST, OP_INPLACE_OP, OP_LOAD_CONST_BINOP},
    {OP_LOAD_FAST, OP_BINARY_OP, OP_LOAD_FAST_BINOP},
    {OP_LOAD_FAST, OP_INPLACE_OP, OP_LOAD_FAST_BINOP},
    {OP_LOAD_CONST, OP_COMPARE_OP, OP_LOAD_CONST_COMPARE},
    {OP_LOAD_FAST, OP_COMPARE_OP, OP_LOAD_FAST_COMPARE},
    {OP_LOAD_FAST, OP_LOAD_ATTR, OP_LOAD_FAST_LOAD_ATTR},
    {OP_LOAD_FAST, OP_STORE_ATTR, OP_LOAD_FAST_STORE_ATTR},
    {OP_LOAD_FAST, OP_RETURN_VALUE, OP_LOAD_FAST_RETURN_VALUE},
    {OP_LOAD_FAST, OP_CONTAINS_OP, OP_LOAD_FAST_CONTAINS},
};

/* The runs of three or four words: fused before any pair that would take
   their first word (`x = a[0]` after a store: STORE_FAST; LOAD_FAST a;
   LOAD_CONST 0; BINARY_SUBSCR leaves the STORE_FAST alone and fuses the
   three). The argument packs the first two words' arguments; the VM reads
   the others' (the operator, the jump target) from their own words. The
   arithmetic and compare runs fall back to running their first two words
   as LOAD_FAST_LOAD_FAST or LOAD_FAST_LOAD_CONST when their operands are
   not what they handle inline, so the words after them run as they are. */
static const struct {
    Opcode words[4]; /* OP_COUNT after the last of a triple */
    Opcode fused;
} runs[] = {
    {{OP_LOAD_FAST, OP_LOAD_FAST, OP_COMPARE_OP, OP_POP_JUMP_IF_FALSE}, OP_LOAD_FAST_LOAD_FAST_COMPARE_JUMP},
    {{OP_LOAD_FAST, OP_LOAD_FAST, OP_COMPARE_OP, OP_POP_JUMP_IF_TRUE}, OP_LOAD_FAST_LOAD_FAST_COMPARE_JUMP},
    {{OP_LOAD_FAST, OP_LOAD_CONST, OP_COMPARE_OP, OP_POP_JUMP_IF_FALSE}, OP_LOAD_FAST_LOAD_CONST_COMPARE_JUMP},
    {{OP_LOAD_FAST, OP_LOAD_CONST, OP_COMPARE_OP, OP_POP_JUMP_IF_TRUE}, OP_LOAD_FAST_LOAD_CONST_COMPARE_JUMP},
    {{OP_LOAD_FAST, OP_LOAD_FAST, OP_BINARY_OP, OP_COUNT}, OP_LOAD_FAST_LOAD_FAST_BINOP},
    {{OP_LOAD_FAST, OP_LOAD_FAST, OP_INPLACE_OP, OP_COUNT}, OP_LOAD_FAST_LOAD_FAST_BINOP},
    {{OP_LOAD_FAST, OP_LOAD_CONST, OP_BINARY_OP, OP_COUNT}, OP_LOAD_FAST_LOAD_CONST_BINOP},
    {{OP_LOAD_FAST, OP_LOAD_CONST, OP_INPLACE_OP, OP_COUNT}, OP_LOAD_FAST_LOAD_CONST_BINOP},
    {{OP_LOAD_FAST, OP_LOAD_CONST, OP_BINARY_SUBSCR, OP_COUNT}, OP_LOAD_FAST_CONST_SUBSCR},
    {{OP_LOAD_FAST, OP_LOAD_FAST, OP_BINARY_SUBSCR, OP_COUNT}, OP_LOAD_FAST_LOAD_FAST_SUBSCR},
    {{OP_LOAD_FAST, OP_LOAD_CONST, OP_STORE_SUBSCR, OP_COUNT}, OP_LOAD_FAST_CONST_STORE_SUBSCR},
    {{OP_LOAD_FAST, OP_LOAD_FAST, OP_STORE_SUBSCR, OP_COUNT}, OP_LOAD_FAST_LOAD_FAST_STORE_SUBSCR},
    {{OP_LOAD_FAST, OP_LOAD_CONST, OP_IS_OP, OP_POP_JUMP_IF_FALSE}, OP_LOAD_FAST_LOAD_CONST_IS_JUMP},
    {{OP_LOAD_FAST, OP_LOAD_CONST, OP_IS_OP, OP_POP_JUMP_IF_TRUE}, OP_LOAD_FAST_LOAD_CONST_IS_JUMP},
    {{OP_LOAD_CONST, OP_IS_OP, OP_POP_JUMP_IF_FALSE, OP_COUNT}, OP_LOAD_CONST_IS_JUMP},
    {{OP_LOAD_CONST, OP_IS_OP, OP_POP_JUMP_IF_TRUE, OP_COUNT}, OP_LOAD_CONST_IS_JUMP},
};

/* How many words the instruction starting with op takes: itself and its
   inline cache words (opcodes.h). Every walk over the code goes through
   here, so a pair is never fused across cache words. */
static int instr_words(Opcode op)
{
    return 1 + opcode_cache_size(op);
}

/* The superinstruction for first followed by second, or OP_COUNT. */
static Opcode fused_opcode(Opcode first, Opcode second)
{
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i].first == first && pairs[i].second == second)
            return pairs[i].fused;
    return OP_COUNT;
}

/* Does runs[k] match the words starting at instrs[i]? Only instructions
   without cache words take part, so its words are consecutive; none but
   the first may be a jump target. *len is its length. */
static bool run_matches(size_t k, const uint32_t *instrs, int n, int i, const bool *target,
                        int *len)
{
    int m = runs[k].words[3] == OP_COUNT ? 3 : 4;
    if (i + m > n)
        return false;
    for (int w = 0; w < m; w++)
        if (INSTR_OP(instrs[i + w]) != runs[k].words[w] || (w > 0 && target[i + w]))
            return false;
    *len = m;
    return true;
}

/* The superinstruction for the run starting at instrs[i], or OP_COUNT:
   none, or an argument does not fit. *len is the number of words it
   covers. */
static Opcode fused_run(const uint32_t *instrs, int n, int i, const bool *target, int *len)
{
    if (INSTR_ARG(instrs[i]) > SUPER_ARG_MAX || i + 1 >= n || INSTR_ARG(instrs[i + 1]) > SUPER_ARG_MAX)
        return OP_COUNT;
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++)
        if (run_matches(k, instrs, n, i, target, len))
            return runs[k].fused;
    return OP_COUNT;
}

/* Does a pair start at instrs[j] whose first word the stack never holds:
   an attribute pair (LOAD_FAST_LOAD_ATTR, LOAD_FAST_STORE_ATTR), a
   compare with a borrowed right operand (LOAD_FAST_COMPARE,
   LOAD_CONST_COMPARE), a test of membership in a local
   (LOAD_FAST_CONTAINS) or a return of a local (LOAD_FAST_RETURN_VALUE)?
   It is preferred to a pair that would take its load as a second word
   (`f(a, b.x)`, `self.x = x`, `r = a < b`, `c in cols`, `y = x; return
   y`): as many
   dispatches either way, and it saves the count changes of the load. */
static bool preferred_pair_at(const uint32_t *instrs, int n, int j, const bool *target)
{
    int k = j + instr_words(INSTR_OP(instrs[j]));
    if (k >= n || target[k] || INSTR_ARG(instrs[j]) > SUPER_ARG_MAX ||
        INSTR_ARG(instrs[k]) > SUPER_ARG_MAX)
        return false;
    Opcode fused = fused_opcode(INSTR_OP(instrs[j]), INSTR_OP(instrs[k]));
    return fused == OP_LOAD_FAST_LOAD_ATTR || fused == OP_LOAD_FAST_STORE_ATTR ||
           fused == OP_LOAD_FAST_COMPARE || fused == OP_LOAD_CONST_COMPARE ||
           fused == OP_LOAD_FAST_CONTAINS || fused == OP_LOAD_FAST_RETURN_VALUE;
}

/* Marks every instruction a jump can land on. */
static void mark_targets(const uint32_t *instrs, int n, bool *target)
{
    for (int i = 0; i < n; i += instr_words(INSTR_OP(instrs[i]))) {
        uint32_t ins = instrs[i];
        if (opcode_is_jump(INSTR_OP(ins)) && INSTR_ARG(ins) < (uint32_t)n)
            target[INSTR_ARG(ins)] = true;
    }
}

void superinstr_fuse(uint32_t *instrs, int n)
{
    if (!COMPILER_SUPERINSTRUCTIONS || n < 2)
        return;
    bool *target = mem_alloc((size_t)n * sizeof(bool));
    if (target == NULL)
        return;
    memset(target, 0, (size_t)n * sizeof(bool));
    mark_targets(instrs, n, target);
    int i = 0;
    while (i < n) {
        int j = i + instr_words(INSTR_OP(instrs[i]));
        if (j >= n)
            break;
        uint32_t a = instrs[i], b = instrs[j];
        int len;
        Opcode run = fused_run(instrs, n, i, target, &len);
        if (run != OP_COUNT) {
            instrs[i] = INSTR(run, SUPER_ARG(INSTR_ARG(a), INSTR_ARG(b)));
            i += len;
            continue;
        }
        Opcode fused = fused_opcode(INSTR_OP(a), INSTR_OP(b));
        if (fused == OP_COUNT || target[j] || INSTR_ARG(a) > SUPER_ARG_MAX ||
            INSTR_ARG(b) > SUPER_ARG_MAX || fused_run(instrs, n, j, target, &len) != OP_COUNT ||
            preferred_pair_at(instrs, n, j, target)) {
            i = j;
            continue;
        }
        instrs[i] = INSTR(fused, SUPER_ARG(INSTR_ARG(a), INSTR_ARG(b)));
        i = j + instr_words(INSTR_OP(b)); /* the second word joins no other pair */
    }
    mem_free(target, (size_t)n * sizeof(bool));
}
