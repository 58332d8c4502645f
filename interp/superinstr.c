/* superinstr.c - fusing pairs of instructions (superinstr.h). */
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
   scripts/bench/). Only instructions without inline cache words take
   part. */
static const struct {
    Opcode first, second, fused;
} pairs[] = {
    {OP_LOAD_FAST, OP_LOAD_FAST, OP_LOAD_FAST_LOAD_FAST},
    {OP_LOAD_FAST, OP_LOAD_CONST, OP_LOAD_FAST_LOAD_CONST},
    {OP_STORE_FAST, OP_LOAD_FAST, OP_STORE_FAST_LOAD_FAST},
    {OP_STORE_FAST, OP_JUMP, OP_STORE_FAST_JUMP},
    {OP_FOR_ITER, OP_STORE_FAST, OP_FOR_ITER_STORE_FAST},
};

/* How many words the instruction starting with op takes: itself and its
   inline cache words (opcodes.h). Every walk over the code goes through
   here, so a pair is never fused across cache words, and no opcode with
   cache words is in pairs[]. */
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
        Opcode fused = fused_opcode(INSTR_OP(a), INSTR_OP(b));
        if (fused == OP_COUNT || target[j] || INSTR_ARG(a) > SUPER_ARG_MAX ||
            INSTR_ARG(b) > SUPER_ARG_MAX) {
            i = j;
            continue;
        }
        instrs[i] = INSTR(fused, SUPER_ARG(INSTR_ARG(a), INSTR_ARG(b)));
        i = j + instr_words(INSTR_OP(b)); /* the second word joins no other pair */
    }
    mem_free(target, (size_t)n * sizeof(bool));
}
