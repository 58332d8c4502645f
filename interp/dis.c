/* dis.c - disassembler: opcode names and dis.dis-style listings.
 *
 * The opcode names come from the OPCODE_LIST X-macro (opcodes.h), so they
 * cannot drift from the enum. The listing layout copies the column widths of
 * CPython 3.11's dis module (line number 3, marker, offset 4, name 20,
 * argument 5) so that Toy listings read like the ones in Python tutorials.
 */
#include "interp/dis.h"

#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/str.h"
#include "objects/tuple.h"

static const char *const opcode_names[OP_COUNT] = {
#define OPCODE_NAME(name, effect, doc) [OP_##name] = #name,
    OPCODE_LIST(OPCODE_NAME)
#undef OPCODE_NAME
};

const char *opcode_name(Opcode op)
{
    return (unsigned)op < OP_COUNT ? opcode_names[op] : "<invalid>";
}

bool opcode_is_jump(Opcode op)
{
    switch (op) {
    case OP_JUMP:
    case OP_POP_JUMP_IF_FALSE:
    case OP_POP_JUMP_IF_TRUE:
    case OP_JUMP_IF_FALSE_OR_POP:
    case OP_JUMP_IF_TRUE_OR_POP:
    case OP_FOR_ITER:
    case OP_SETUP_FINALLY:
    case OP_SETUP_WITH:
    case OP_JUMP_IF_NOT_EXC_MATCH:
    case OP_SEND:
        return true;
    default:
        return false;
    }
}

/* Opcodes whose argument means nothing (always 0): shown without one. */
static bool opcode_has_arg(Opcode op)
{
    switch (op) {
    case OP_NOP: case OP_POP_TOP: case OP_DUP_TOP: case OP_DUP_TOP_TWO:
    case OP_ROT_TWO: case OP_ROT_THREE: case OP_ROT_FOUR: case OP_PUSH_NULL:
    case OP_BINARY_SUBSCR: case OP_STORE_SUBSCR: case OP_DELETE_SUBSCR:
    case OP_STORE_SLICE:
    case OP_UNARY_NEGATIVE: case OP_UNARY_POSITIVE: case OP_UNARY_NOT:
    case OP_UNARY_INVERT: case OP_GET_ITER: case OP_LIST_TO_TUPLE:
    case OP_CALL_EXIT: case OP_LOAD_BUILD_CLASS: case OP_RETURN_VALUE:
    case OP_POP_BLOCK: case OP_PUSH_EXC_INFO: case OP_POP_EXCEPT: case OP_RERAISE:
    case OP_WITH_EXCEPT_START: case OP_LOAD_ASSERTION_ERROR: case OP_PRINT_EXPR:
    case OP_IMPORT_STAR: case OP_RETURN_GENERATOR: case OP_GET_YIELD_FROM_ITER:
        return false;
    default:
        return true;
    }
}

/* Symbols in BinaryOp / CompareOp order (object.h). */
static const char *const binop_text[BINOP_COUNT] = {
    "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^",
};
static const char *const inplace_text[BINOP_COUNT] = {
    "+=", "-=", "*=", "/=", "//=", "%=", "**=", "<<=", ">>=", "&=", "|=", "^=",
};
static const char *const compare_text[] = { "<", "<=", "==", "!=", ">", ">=" };

static void put_repr(Object *o, FILE *out)
{
    Object *r = object_repr(o);
    if (r == NULL) {
        error_clear();
        fputs("?", out);
        return;
    }
    fwrite(str_data(r), 1, str_len(r), out);
    DECREF(r);
}

static void put_tuple_str(Object *tuple, uint32_t i, FILE *out)
{
    if (tuple != NULL && i < tuple_size(tuple))
        fwrite(str_data(tuple_item(tuple, i)), 1, str_len(tuple_item(tuple, i)), out);
    else
        fputs("?", out);
}

/* A cell slot's name: cellvars first, then freevars. */
static void put_cell_name(CodeObject *co, uint32_t i, FILE *out)
{
    size_t ncell = tuple_size(co->cellvars);
    if (i < ncell)
        put_tuple_str(co->cellvars, i, out);
    else
        put_tuple_str(co->freevars, (uint32_t)(i - ncell), out);
}

static void put_make_function_flags(uint32_t arg, FILE *out)
{
    const char *sep = "";
    if (arg & 1) { fprintf(out, "%sdefaults", sep); sep = ", "; }
    if (arg & 2) { fprintf(out, "%skwdefaults", sep); sep = ", "; }
    if (arg & 8) { fprintf(out, "%sclosure", sep); }
}

static const char *format_value_text(uint32_t arg)
{
    static const char *const conv[4] = { "", "str", "repr", "ascii" };
    if (arg & 4)
        return (arg & 3) ? NULL : "with format";
    return conv[arg & 3];
}

/* Writes the parenthesised meaning of the argument, if it has one. */
static void put_meaning(CodeObject *co, Opcode op, uint32_t arg, FILE *out)
{
    switch (op) {
    case OP_LOAD_CONST:
    case OP_KW_NAMES:
        fputs(" (", out);
        if (arg < tuple_size(co->consts))
            put_repr(tuple_item(co->consts, arg), out);
        else
            fputs("?", out);
        fputs(")", out);
        return;
    case OP_LOAD_FAST: case OP_STORE_FAST: case OP_DELETE_FAST:
        fputs(" (", out), put_tuple_str(co->varnames, arg, out), fputs(")", out);
        return;
    case OP_LOAD_DEREF: case OP_STORE_DEREF: case OP_DELETE_DEREF: case OP_LOAD_CLOSURE:
        fputs(" (", out), put_cell_name(co, arg, out), fputs(")", out);
        return;
    case OP_LOAD_GLOBAL: case OP_STORE_GLOBAL: case OP_DELETE_GLOBAL:
    case OP_LOAD_NAME: case OP_STORE_NAME: case OP_DELETE_NAME:
    case OP_LOAD_ATTR: case OP_STORE_ATTR: case OP_DELETE_ATTR: case OP_LOAD_METHOD:
    case OP_IMPORT_NAME: case OP_IMPORT_FROM:
        fputs(" (", out), put_tuple_str(co->names, arg, out), fputs(")", out);
        return;
    case OP_BINARY_OP:
        if (arg < BINOP_COUNT)
            fprintf(out, " (%s)", binop_text[arg]);
        return;
    case OP_INPLACE_OP:
        if (arg < BINOP_COUNT)
            fprintf(out, " (%s)", inplace_text[arg]);
        return;
    case OP_COMPARE_OP:
        if (arg < 6)
            fprintf(out, " (%s)", compare_text[arg]);
        return;
    case OP_IS_OP:
        fputs(arg ? " (is not)" : " (is)", out);
        return;
    case OP_CONTAINS_OP:
        fputs(arg ? " (not in)" : " (in)", out);
        return;
    case OP_MAKE_FUNCTION:
        if (arg) {
            fputs(" (", out);
            put_make_function_flags(arg, out);
            fputs(")", out);
        }
        return;
    case OP_FORMAT_VALUE: {
        const char *text = format_value_text(arg);
        if (text == NULL)
            fprintf(out, " (%s, with format)", format_value_text(arg & 3));
        else if (*text)
            fprintf(out, " (%s)", text);
        return;
    }
    default:
        if (opcode_is_jump(op))
            fprintf(out, " (to %u)", arg * 2);
        return;
    }
}

/* The two halves of a superinstruction (superinstr.h), or false for any
   other opcode. */
static bool super_halves(Opcode op, Opcode *first, Opcode *second)
{
    switch (op) {
    case OP_LOAD_FAST_LOAD_FAST: *first = OP_LOAD_FAST, *second = OP_LOAD_FAST; return true;
    case OP_LOAD_FAST_LOAD_CONST: *first = OP_LOAD_FAST, *second = OP_LOAD_CONST; return true;
    case OP_STORE_FAST_LOAD_FAST: *first = OP_STORE_FAST, *second = OP_LOAD_FAST; return true;
    case OP_STORE_FAST_JUMP: *first = OP_STORE_FAST, *second = OP_JUMP; return true;
    case OP_FOR_ITER_STORE_FAST: *first = OP_FOR_ITER, *second = OP_STORE_FAST; return true;
    case OP_DUP_TOP_TWO_SUBSCR: *first = OP_DUP_TOP_TWO, *second = OP_BINARY_SUBSCR; return true;
    case OP_ROT_THREE_STORE_SUBSCR: *first = OP_ROT_THREE, *second = OP_STORE_SUBSCR; return true;
    case OP_LOAD_FAST_CONST_SUBSCR: *first = OP_LOAD_FAST, *second = OP_LOAD_CONST; return true;
    case OP_LOAD_FAST_LOAD_FAST_SUBSCR: *first = OP_LOAD_FAST, *second = OP_LOAD_FAST; return true;
    case OP_LOAD_FAST_CONST_STORE_SUBSCR: *first = OP_LOAD_FAST, *second = OP_LOAD_CONST; return true;
    case OP_LOAD_FAST_LOAD_FAST_STORE_SUBSCR: *first = OP_LOAD_FAST, *second = OP_LOAD_FAST; return true;
    case OP_LOAD_CONST_BINOP: *first = OP_LOAD_CONST, *second = OP_BINARY_OP; return true;
    case OP_LOAD_FAST_BINOP: *first = OP_LOAD_FAST, *second = OP_BINARY_OP; return true;
    case OP_LOAD_CONST_COMPARE: *first = OP_LOAD_CONST, *second = OP_COMPARE_OP; return true;
    case OP_LOAD_FAST_COMPARE: *first = OP_LOAD_FAST, *second = OP_COMPARE_OP; return true;
    case OP_LOAD_FAST_LOAD_FAST_BINOP: *first = OP_LOAD_FAST, *second = OP_LOAD_FAST; return true;
    case OP_LOAD_FAST_LOAD_CONST_BINOP: *first = OP_LOAD_FAST, *second = OP_LOAD_CONST; return true;
    case OP_LOAD_FAST_LOAD_FAST_COMPARE_JUMP: *first = OP_LOAD_FAST, *second = OP_LOAD_FAST; return true;
    case OP_LOAD_FAST_LOAD_CONST_COMPARE_JUMP: *first = OP_LOAD_FAST, *second = OP_LOAD_CONST; return true;
    case OP_LOAD_CONST_IS_JUMP: *first = OP_LOAD_CONST, *second = OP_IS_OP; return true;
    case OP_LOAD_FAST_LOAD_CONST_IS_JUMP: *first = OP_LOAD_FAST, *second = OP_LOAD_CONST; return true;
    case OP_LOAD_FAST_LOAD_ATTR: *first = OP_LOAD_FAST, *second = OP_LOAD_ATTR; return true;
    case OP_LOAD_FAST_STORE_ATTR: *first = OP_LOAD_FAST, *second = OP_STORE_ATTR; return true;
    case OP_LOAD_FAST_RETURN_VALUE: *first = OP_LOAD_FAST, *second = OP_RETURN_VALUE; return true;
    case OP_LOAD_FAST_CONTAINS: *first = OP_LOAD_FAST, *second = OP_CONTAINS_OP; return true;
    default: return false;
    }
}

/* How many words after a superinstruction it runs and the VM skips: three
   for a compare and its jump, two for another triple, one for a pair. */
static int super_skipped(Opcode op)
{
    switch (op) {
    case OP_LOAD_FAST_LOAD_FAST_COMPARE_JUMP: case OP_LOAD_FAST_LOAD_CONST_COMPARE_JUMP:
    case OP_LOAD_FAST_LOAD_CONST_IS_JUMP:
        return 3;
    case OP_LOAD_FAST_CONST_SUBSCR: case OP_LOAD_FAST_LOAD_FAST_SUBSCR:
    case OP_LOAD_FAST_CONST_STORE_SUBSCR: case OP_LOAD_FAST_LOAD_FAST_STORE_SUBSCR:
    case OP_LOAD_FAST_LOAD_FAST_BINOP:
    case OP_LOAD_FAST_LOAD_CONST_BINOP: case OP_LOAD_CONST_IS_JUMP:
        return 2;
    default:
        return 1;
    }
}

/* Where ins can jump to, or false when it is no jump. */
static bool jump_target(uint32_t ins, uint32_t *to)
{
    Opcode op = INSTR_OP(ins), first, second;
    if (opcode_is_jump(op)) {
        *to = INSTR_ARG(ins);
        return true;
    }
    if (!super_halves(op, &first, &second))
        return false;
    if (opcode_is_jump(first))
        *to = SUPER_FIRST(INSTR_ARG(ins));
    else if (opcode_is_jump(second))
        *to = SUPER_SECOND(INSTR_ARG(ins));
    else
        return false;
    return true;
}

/* A superinstruction's name, then both halves' arguments and meanings:
   "LOAD_FAST_LOAD_FAST   1, 2 (a) (b)". The next line shows its second
   word, marked "+". */
static void put_super(CodeObject *co, Opcode op, Opcode first, Opcode second, uint32_t arg,
                      FILE *out)
{
    uint32_t a = SUPER_FIRST(arg), b = SUPER_SECOND(arg);
    if (!opcode_has_arg(first) && !opcode_has_arg(second)) {
        fputs(opcode_name(op), out);
        return;
    }
    char args[32];
    snprintf(args, sizeof args, "%u, %u", a, b);
    fprintf(out, "%-20s %5s", opcode_name(op), args);
    put_meaning(co, first, a, out);
    put_meaning(co, second, b, out);
}

static void dis_one(CodeObject *co, FILE *out)
{
    int n = co->ninstrs;
    size_t target_size = (size_t)n + 1;
    bool *target = mem_alloc(target_size * sizeof(bool));
    if (target != NULL) {
        memset(target, 0, target_size * sizeof(bool));
        uint32_t to;
        for (int i = 0; i < n; i += 1 + opcode_cache_size(INSTR_OP(co->instrs[i])))
            if (jump_target(co->instrs[i], &to) && to <= (uint32_t)n)
                target[to] = true;
    }
    int skipped = 0; /* words still to come that the superinstruction above runs */
    int offset_width = n * 2 >= 10000 ? snprintf(NULL, 0, "%d", n * 2) : 4;
    int prev_line = -1;
    /* Cache words are left out, as CPython's dis leaves them out, and a
       specialised instruction shows as its generic form: the listing is
       the same before and after the code has run. */
    for (int i = 0; i < n; i += 1 + opcode_cache_size(INSTR_OP(co->instrs[i]))) {
        uint32_t ins = co->instrs[i];
        Opcode op = opcode_generic(INSTR_OP(ins));
        int line = co->lines[i];
        if (line != prev_line) {
            if (i > 0)
                fputc('\n', out);
            fprintf(out, "%3d", line);
            prev_line = line;
        } else {
            fputs("   ", out);
        }
        fprintf(out, "     %s %*d ", (target && target[i]) ? ">>" : "  ", offset_width, i * 2);
        Opcode first, second;
        bool run_above = skipped > 0;
        if (run_above) { /* run by the superinstruction above, skipped by the VM */
            fputs("+ ", out);
            skipped--;
        }
        if (!run_above && super_halves(op, &first, &second)) {
            put_super(co, op, first, second, INSTR_ARG(ins), out);
            skipped = super_skipped(op);
        } else if (opcode_has_arg(op)) {
            fprintf(out, "%-20s %5u", opcode_name(op), INSTR_ARG(ins));
            put_meaning(co, op, INSTR_ARG(ins), out);
        } else {
            fputs(opcode_name(op), out);
        }
        fputc('\n', out);
    }
    if (target != NULL)
        mem_free(target, target_size * sizeof(bool));
}

void dis_code(CodeObject *co, FILE *out)
{
    dis_one(co, out);
    for (size_t i = 0; i < tuple_size(co->consts); i++) {
        Object *c = tuple_item(co->consts, i);
        if (c->type != &code_type)
            continue;
        fputs("\nDisassembly of ", out);
        put_repr(c, out);
        fputs(":\n", out);
        dis_code((CodeObject *)c, out);
    }
}
