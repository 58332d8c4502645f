/* fuzz_run.c - libFuzzer harness: the whole interpreter on generated
 * programs.
 *
 * The input is not source text: its bytes are a stream of choices for a
 * small generator that always writes a syntactically valid Toy program
 * (expressions of every built-in type, assignments, if/while/for, def and
 * calls, classes with dunder methods, try/except/finally, with, f-strings,
 * format specs, comprehensions, lambdas, bounded recursion). When the bytes
 * run out every choice is 0, which always picks the simplest form, so any
 * input gives a finite program. Mutating the bytes mutates the program.
 *
 * Invariants that keep every program short-running (so that a long run
 * means an interpreter bug, not a generator one):
 *   - the generator estimates the cost of what it writes (statements times
 *     the loop counts around them, plus the cost of every function called)
 *     and writes `pass` or a literal instead of anything over COST_BUDGET;
 *   - loops are `for` over range(k) or a slice [:8], or `while` on a counter
 *     that is incremented first; only earlier functions can be called, so
 *     the only recursion is the generated rN functions, with a bounded
 *     argument (a few go past the recursion limit on purpose);
 *   - sizes come from `% small` or slices: repetition counts, ranges,
 *     widths and stored strings/lists stay small, and so do ints: shift
 *     counts and exponents are taken `% 256` and `% 8`, and stored ints
 *     are cut to 200 bits (no legitimate gigabyte allocation for ASan or
 *     libFuzzer's malloc limit to trip on).
 * Every top-level statement runs under try/except Exception, so one error
 * does not end the program. Nothing is imported; no threads, files or input.
 *
 * Per input: the program is compiled and run in a fresh module namespace;
 * its output goes to /dev/null (stdout is redirected once at start). An
 * uncaught exception is simply cleared. Checked besides ASan/UBSan: CPU
 * time over 1 s + 1 ms per input byte is a "slow input" (fuzz_common.h);
 * libFuzzer's -timeout catches a hang. Programs that make reference cycles
 * (classes, closures) leave them to the cycle collector, which this harness
 * does not run between inputs, so there is no leak check here;
 * fuzz_compile has one.
 *
 * TOY_FUZZ_PRINT=1: also print each generated program on stderr (to turn a
 * crash artifact into a script test: build-fuzz/fuzz_run FILE).
 */
#include "fuzz_common.h"

#include <stdarg.h>

#define COST_BUDGET 1000   /* estimated statement executions per program */
#define MAX_FUNCS 8
#define MAX_CLASSES 4
#define MAX_EXPR_DEPTH 4
#define MAX_BLOCK_DEPTH 4

typedef struct {
    const uint8_t *data;
    size_t size, pos;
    char *out;
    size_t len, cap;
    bool oom;
    int indent;
    long mult;                  /* runs of the current statement per call */
    long cost;                  /* estimated cost so far (current function or top level) */
    int expr_depth, block_depth;
    bool in_loop, in_func;
    bool in_fstring;            /* inside f"...": no '"', no backslash, no nested f-string */
    int nfuncs;                 /* defined so far: f0 .. f{nfuncs-1} */
    long func_cost[MAX_FUNCS];
    int nclasses;               /* C0 .. */
    bool class_is_exc[MAX_CLASSES];
    int nrec;                   /* r0 .. : bounded recursion */
    int tmp;                    /* fresh loop-variable numbers */
} Gen;

static unsigned pick(Gen *g, unsigned n) {
    if (g->pos >= g->size || n <= 1) return 0;
    return g->data[g->pos++] % n;
}

static bool more(Gen *g) { return g->pos < g->size; }

static void emit(Gen *g, const char *fmt, ...) {
    if (g->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(g->out + g->len, g->cap - g->len, fmt, ap);
        va_end(ap);
        if (n < 0) { g->oom = true; return; }
        if (g->len + (size_t)n < g->cap) { g->len += (size_t)n; return; }
        size_t cap = (g->cap + (size_t)n) * 2;
        char *nb = mem_realloc(g->out, g->cap, cap);
        if (!nb) { g->oom = true; return; }
        g->out = nb;
        g->cap = cap;
    }
}

static void start_line(Gen *g) {
    for (int i = 0; i < g->indent; i++) emit(g, "    ");
}

/* Would `units` more executions of the current statement fit the budget? */
static bool affordable(Gen *g, long units) {
    return g->cost + g->mult * units <= COST_BUDGET;
}

/* ---- Expressions ------------------------------------------------------- */

static void gen_any(Gen *g);
static void gen_int(Gen *g);
static void gen_str(Gen *g);
static void gen_list(Gen *g);
static void gen_cond(Gen *g);

static const char *const int_lits[] = {
    "0", "1", "-1", "7", "255", "2**31", "2**62", "9223372036854775807",
    "-9223372036854775807 - 1", "0x7f", "0o17", "0b101", "1_000", "True", "10**18",
};
static const char *const float_lits[] = {
    "0.5", "-0.0", "1e308", "1e-320", "float('nan')", "float('inf')", "3.0",
    "2.5e10", "-1.75", "0.1", "1e16", "123456789.125",
};
static const char *const str_lits[] = {
    "''", "'a'", "'xy'", "'Hello, World'", "'\\u00e9t\\u00e9'", "'\\U0001F600'",
    "'a\\nb\\tc'", "'{}'", "'%s'", "'  pad  '", "'1,2,3'", "'\\x00\\xff'",
    "'12'", "'-3.5'", "'abc' 'def'", "\"q'uote\"", "'''tri\nple'''", "r'\\d+'",
    "'\\u20ac' * 3", "'ß'", "'İ'", "'0x1f'", "' '", "'nan'", "'1e5'",
};
/* What may appear inside the expressions of an f"..." (Python 3.11). */
static const char *const fstring_str_lits[] = {
    "''", "'a'", "'xy'", "'{}'", "'%s'", "'1,2,3'", "'12'", "'\u00e9'", "'ß'", "' '",
};
static const char *const fmt_specs[] = {
    "", "d", "x", "X", "o", "b", "c", "e", "E", "f", "F", "g", "G", "%", "n", "s",
    "r", ">10", "<5", "^9", "=+8", "08.3f", ",", "_", ",.2f", "#x", "#o", "#b",
    "+", " ", "-", ".0", ".3", ".50g", "*^12", "010", ".2%", "10.4e", "#.0f",
    /* Huge widths and precisions that CPython rejects at once (one it
       accepts would build gigabytes of text, in CPython too). */
    ".2147483648f", ".99999999999999999999f", "9999999999999999999", ".2147483648",
    ".1200f", "#.1500g", ".2000", ",d", "_x", "=", "z.1f", "\u00e9^9", "0>5", "x<3",
};
static const char spec_chars[] = "<>^=+- #0123456789,_.eEfFgGdxXobcs%nz";

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool deeper(Gen *g) { return g->expr_depth < MAX_EXPR_DEPTH && more(g); }

/* A format spec: from the table, or a few random spec characters. */
static void gen_spec(Gen *g) {
    if (pick(g, 3) < 2) {
        emit(g, "%s", fmt_specs[pick(g, COUNT(fmt_specs))]);
        return;
    }
    int n = (int)pick(g, 5);
    int digits = 0;
    for (int i = 0; i < n; i++) {
        char c = spec_chars[pick(g, sizeof spec_chars - 1)];
        /* At most four digits in a row: widths stay small. */
        if (c >= '0' && c <= '9' && ++digits > 4) continue;
        if (c < '0' || c > '9') digits = 0;
        emit(g, "%c", c);
    }
}

/* A call of an earlier function, if its cost fits; else a literal. */
static void gen_call(Gen *g) {
    if (g->nfuncs == 0) { emit(g, "1"); return; }
    int f = (int)pick(g, (unsigned)g->nfuncs);
    if (!affordable(g, g->func_cost[f] + 1)) { emit(g, "2"); return; }
    g->cost += g->mult * g->func_cost[f];
    emit(g, "f%d(", f);
    int n = (int)pick(g, 4);
    for (int i = 0; i < n; i++) {
        if (i) emit(g, ", ");
        if (i == 2 && pick(g, 2)) emit(g, "q=");
        gen_any(g);
    }
    if (pick(g, 4) == 0) emit(g, "%s*l[:3]", n ? ", " : "");
    emit(g, ")");
}

/* An int expression (or an exception): the int variables a, b, c only ever
   hold what these give, so they can size a repetition only via `% 4`. */
static void gen_int(Gen *g) {
    g->expr_depth++;
    unsigned k = deeper(g) ? pick(g, 16) : pick(g, 2);
    switch (k) {
    case 0: emit(g, "%s", int_lits[pick(g, COUNT(int_lits))]); break;
    case 1: emit(g, "%c", "abc"[pick(g, 3)]); break;
    case 2: {
        static const char *const ops[] = {"+", "-", "*", "//", "%", "&", "|", "^",
                                          "<<", ">>", "**"};
        const char *op = ops[pick(g, COUNT(ops))];
        /* Ints have no size limit, so a shift count or an exponent is cut
           down: 3 << 2**31 is a legitimate 256 MiB number (slow in CPython
           too), and a ** b with a big b even more so. */
        bool cut = op[0] == '<' || op[1] == '*';
        /* The left operand in parentheses of its own: a literal such as
           2**62 would otherwise take the cut exponent as its own, and
           2**62 ** (k % 8) is 2 ** (62 ** 7). */
        emit(g, "((");
        gen_int(g);
        emit(g, ") %s ", op);
        if (cut) emit(g, "((");
        gen_int(g);
        if (cut) emit(g, ") %% %d)", op[1] == '*' ? 8 : 256);
        emit(g, ")");
        break;
    }
    case 3: emit(g, "%s(", pick(g, 2) ? "-" : "~"); gen_int(g); emit(g, ")"); break;
    case 4: emit(g, "len("); pick(g, 2) ? gen_str(g) : gen_list(g); emit(g, ")"); break;
    case 5: emit(g, "int("); gen_str(g); emit(g, ")"); break;
    case 6: emit(g, "%s(", pick(g, 2) ? "min" : "max"); gen_int(g); emit(g, ", ");
            gen_int(g); emit(g, ")"); break;
    case 7: emit(g, "sum(l[:8])"); break;
    case 8: emit(g, "ord(("); gen_str(g); emit(g, ")[:1] or 'z')"); break;
    case 9: emit(g, "len(repr("); gen_call(g); emit(g, "))"); break; /* an int, whatever f returns */
    case 10: emit(g, "("); gen_int(g); emit(g, " if "); gen_cond(g); emit(g, " else ");
             gen_int(g); emit(g, ")"); break;
    case 11: emit(g, "("); gen_str(g); emit(g, ").%s(", pick(g, 2) ? "find" : "count"); gen_str(g);
             emit(g, ")"); break;
    case 12: emit(g, "pow("); gen_int(g); emit(g, ", "); gen_int(g); emit(g, ", ");
             gen_int(g); emit(g, ")"); break;
    case 13: emit(g, "int("); gen_any(g); emit(g, ")"); break;
    case 14: emit(g, "hash("); gen_str(g); emit(g, ") %% 1000"); break;
    default: emit(g, "divmod("); gen_int(g); emit(g, ", "); gen_int(g); emit(g, ")[%u]", pick(g, 2));
    }
    g->expr_depth--;
}

static void gen_float(Gen *g) {
    g->expr_depth++;
    unsigned k = deeper(g) ? pick(g, 7) : pick(g, 2);
    switch (k) {
    case 0: emit(g, "%s", float_lits[pick(g, COUNT(float_lits))]); break;
    case 1: emit(g, "x"); break;
    case 2: {
        static const char *const ops[] = {"+", "-", "*", "/", "//", "%", "**"};
        emit(g, "(");
        gen_float(g);
        emit(g, " %s ", ops[pick(g, COUNT(ops))]);
        pick(g, 2) ? gen_float(g) : gen_int(g);
        emit(g, ")");
        break;
    }
    case 3: emit(g, "float("); gen_str(g); emit(g, ")"); break;
    case 4: emit(g, "round("); gen_float(g); emit(g, ", "); gen_int(g); emit(g, " %% 20)"); break;
    case 5: emit(g, "("); gen_int(g); emit(g, " / "); gen_int(g); emit(g, ")"); break;
    default: emit(g, "abs("); gen_float(g); emit(g, ")");
    }
    g->expr_depth--;
}

/* f"...": a space after each '{' so that a dict or set display inside
   does not read as an escaped '{{'. */
static void gen_fstring(Gen *g) {
    bool was = g->in_fstring;
    g->in_fstring = true;
    emit(g, "f\"");
    int n = 1 + (int)pick(g, 3);
    for (int i = 0; i < n; i++) {
        if (pick(g, 3) == 0) emit(g, "<%d>", i);
        emit(g, "{ ");
        gen_any(g);
        emit(g, " ");
        static const char *const conv[] = {"", "!r", "!s", "!a"};
        emit(g, "%s", conv[pick(g, COUNT(conv))]);
        switch (pick(g, 3)) {
        case 0: break;
        case 1: emit(g, ":"); gen_spec(g); break;
        default: emit(g, ":>{"); gen_int(g); emit(g, " %% 40}");
        }
        emit(g, "}");
    }
    emit(g, "\"");
    g->in_fstring = was;
}

static void gen_str(Gen *g) {
    g->expr_depth++;
    unsigned k = deeper(g) ? pick(g, 17) : pick(g, 2);
    switch (k) {
    case 0:
        if (g->in_fstring) emit(g, "%s", fstring_str_lits[pick(g, COUNT(fstring_str_lits))]);
        else emit(g, "%s", str_lits[pick(g, COUNT(str_lits))]);
        break;
    case 1: emit(g, "%c", "st"[pick(g, 2)]); break;
    case 2: emit(g, "("); gen_str(g); emit(g, " + "); gen_str(g); emit(g, ")"); break;
    case 3: emit(g, "("); gen_str(g); emit(g, " * ("); gen_int(g); emit(g, " %% 4))"); break;
    case 4: emit(g, "("); gen_str(g); emit(g, ")["); gen_int(g); emit(g, ":");
            gen_int(g); if (pick(g, 2)) { emit(g, ":"); gen_int(g); } emit(g, "]"); break;
    case 5: emit(g, "%s(", pick(g, 2) ? "str" : "repr"); gen_any(g); emit(g, ")"); break;
    case 6: if (g->in_fstring) emit(g, "'f'"); else gen_fstring(g); break;
    case 7: emit(g, "format("); gen_any(g); emit(g, ", '"); gen_spec(g); emit(g, "')"); break;
    case 8: emit(g, "('%%s-%%d-%%r-%%5.2f' %% ("); gen_any(g); emit(g, ", "); gen_int(g);
            emit(g, ", "); gen_any(g); emit(g, ", "); gen_float(g); emit(g, "))"); break;
    case 9: {
        static const char *const m[] = {"upper()", "lower()", "strip()", "title()",
            "swapcase()", "casefold()", "lstrip('a')", "capitalize()", "expandtabs(4)"};
        emit(g, "("); gen_str(g); emit(g, ").%s", m[pick(g, COUNT(m))]);
        break;
    }
    case 10: emit(g, "("); gen_str(g); emit(g, ").replace("); gen_str(g); emit(g, ", ");
             gen_str(g); emit(g, ")[:64]"); break;
    case 11: emit(g, "("); gen_str(g); emit(g, ").join([str(v) for v in "); gen_list(g);
             emit(g, "][:16])"); break;
    case 12: emit(g, "chr("); gen_int(g); emit(g, ")"); break;
    case 13: emit(g, "%s(", pick(g, 2) ? "hex" : "bin"); gen_int(g); emit(g, ")"); break;
    case 14: emit(g, "("); gen_str(g); emit(g, ").%s(", pick(g, 2) ? "center" : "zfill");
             gen_int(g); emit(g, " %% 50)"); break;
    case 15: emit(g, "'{0}{1!r:^7}'.format("); gen_any(g); emit(g, ", "); gen_any(g); emit(g, ")"); break;
    default: emit(g, "("); gen_str(g); emit(g, ").split("); gen_str(g); emit(g, ")[0]");
    }
    g->expr_depth--;
}

static void gen_list(Gen *g) {
    g->expr_depth++;
    unsigned k = deeper(g) ? pick(g, 10) : pick(g, 2);
    switch (k) {
    case 0: {
        emit(g, "[");
        int n = (int)pick(g, 4);
        for (int i = 0; i < n; i++) {
            if (i) emit(g, ", ");
            gen_any(g);
        }
        emit(g, "]");
        break;
    }
    case 1: emit(g, "l"); break;
    case 2: emit(g, "list(range("); gen_int(g); emit(g, " %% 16))"); break;
    case 3: emit(g, "("); gen_list(g); emit(g, " + "); gen_list(g); emit(g, ")"); break;
    case 4: emit(g, "sorted("); gen_list(g); emit(g, "%s)", pick(g, 2) ? ", reverse=True" : ""); break;
    case 5: {
        long saved = g->mult;
        int v = g->tmp++;
        unsigned n = 1 + pick(g, 8);
        g->mult *= n;
        emit(g, "[");
        gen_any(g);
        emit(g, " for v%d in range(%u) if ", v, n);
        gen_cond(g);
        emit(g, "]");
        g->mult = saved;
        break;
    }
    case 6: emit(g, "("); gen_str(g); emit(g, ").split()"); break;
    case 7: emit(g, "list(d.%s())", pick(g, 2) ? "keys" : "items"); break;
    case 8: emit(g, "("); gen_list(g); emit(g, ")["); gen_int(g); emit(g, ":"); gen_int(g); emit(g, "]"); break;
    default: emit(g, "list(%s(", pick(g, 2) ? "reversed" : "enumerate"); gen_list(g); emit(g, "))");
    }
    g->expr_depth--;
}

static void gen_dict(Gen *g) {
    g->expr_depth++;
    unsigned k = deeper(g) ? pick(g, 4) : pick(g, 2);
    switch (k) {
    case 0: {
        emit(g, "{");
        int n = (int)pick(g, 4);
        for (int i = 0; i < n; i++) {
            if (i) emit(g, ", ");
            pick(g, 2) ? gen_str(g) : gen_int(g);
            emit(g, ": ");
            gen_any(g);
        }
        emit(g, "}");
        break;
    }
    case 1: emit(g, "d"); break;
    case 2: emit(g, "dict(zip("); gen_list(g); emit(g, ", "); gen_list(g); emit(g, "))"); break;
    default: emit(g, "{**d, "); gen_str(g); emit(g, ": "); gen_any(g); emit(g, "}");
    }
    g->expr_depth--;
}

static void gen_cond(Gen *g) {
    g->expr_depth++;
    unsigned k = deeper(g) ? pick(g, 7) : pick(g, 2);
    static const char *const cmp[] = {"==", "!=", "<", "<=", ">", ">=", "is", "is not"};
    switch (k) {
    case 0: emit(g, "%s", pick(g, 2) ? "True" : "False"); break;
    case 1: emit(g, "(a %s b)", cmp[pick(g, 6)]); break;
    case 2: emit(g, "("); gen_any(g); emit(g, " %s ", cmp[pick(g, COUNT(cmp))]); gen_any(g); emit(g, ")"); break;
    case 3: emit(g, "("); gen_any(g); emit(g, " %sin ", pick(g, 2) ? "not " : "");
            pick(g, 2) ? gen_list(g) : gen_str(g); emit(g, ")"); break;
    case 4: emit(g, "(not "); gen_cond(g); emit(g, ")"); break;
    case 5: emit(g, "("); gen_cond(g); emit(g, " %s ", pick(g, 2) ? "and" : "or"); gen_cond(g); emit(g, ")"); break;
    default: {
        static const char *const types[] = {"int", "str", "float", "list", "dict", "object",
                                            "Exception", "bool", "tuple"};
        emit(g, "isinstance("); gen_any(g); emit(g, ", %s)", types[pick(g, COUNT(types))]);
    }
    }
    g->expr_depth--;
}

static void gen_any(Gen *g) {
    g->expr_depth++;
    unsigned k = deeper(g) ? pick(g, 16) : pick(g, 3);
    switch (k) {
    case 0: gen_int(g); break;
    case 1: gen_str(g); break;
    case 2: {
        static const char *const names[] = {"None", "o", "p", "q", "args", "kw"};
        emit(g, "%s", names[pick(g, g->in_func ? 6 : 2)]);
        break;
    }
    case 3: gen_float(g); break;
    case 4: gen_list(g); break;
    case 5: gen_dict(g); break;
    case 6: gen_cond(g); break;
    case 7: emit(g, "("); gen_any(g); emit(g, ", "); gen_any(g); emit(g, ")"); break;
    case 8:
        if (g->nclasses) {
            emit(g, "C%u(", pick(g, (unsigned)g->nclasses));
            gen_any(g);
            emit(g, ")");
        } else {
            emit(g, "object()");
        }
        break;
    case 9: emit(g, "(lambda v, w=2: v %s w)(", pick(g, 2) ? "+" : "*"); gen_any(g); emit(g, ")"); break;
    case 10: gen_call(g); break;
    case 11: emit(g, "d.get("); gen_any(g); emit(g, ", "); gen_any(g); emit(g, ")"); break;
    case 12: emit(g, "l["); gen_int(g); emit(g, "]"); break;
    case 13: emit(g, "("); gen_list(g); emit(g, ")[0]"); break;
    case 14: emit(g, "getattr(o, 'v', "); gen_any(g); emit(g, ")"); break;
    default: {
        /* Repetition only by a small count: 2**31 * 'ab' is a legitimate
           4 GB string (in CPython too), not a bug to find. */
        static const char *const ops[] = {"+", "*", "-", "%", "==", "<"};
        const char *op = ops[pick(g, COUNT(ops))];
        emit(g, "(");
        gen_any(g);
        emit(g, " %s ", op);
        if (op[0] == '*') { emit(g, "("); gen_int(g); emit(g, " %% 4)"); }
        else gen_any(g);
        emit(g, ")");
    }
    }
    g->expr_depth--;
}

/* ---- Statements -------------------------------------------------------- */

static void gen_stmt(Gen *g);

/* An indented block of 1..4 statements; `units` times per run of its head. */
static void gen_block(Gen *g, long units) {
    long saved = g->mult;
    g->mult *= units;
    g->indent++;
    g->block_depth++;
    int n = 1 + (int)pick(g, 4);
    for (int i = 0; i < n; i++) gen_stmt(g);
    g->block_depth--;
    g->indent--;
    g->mult = saved;
}

static void gen_assign(Gen *g) {
    switch (pick(g, 10)) {
    case 0: emit(g, "%c = flat(", "abc"[pick(g, 3)]); gen_int(g); emit(g, ")"); break;
    case 1: emit(g, "%c = flat((", "st"[pick(g, 2)]); gen_str(g); emit(g, ")[:64])"); break;
    case 2: emit(g, "l = [flat(v) for v in ("); gen_list(g); emit(g, ")[:64]]"); break;
    case 3: emit(g, "d = {flat(k): flat(v) for k, v in ("); gen_dict(g); emit(g, ").items()}"); break;
    case 4: emit(g, "x = flat("); gen_float(g); emit(g, ")"); break;
    case 5: emit(g, "o = flat("); gen_any(g); emit(g, ")"); break;
    case 6: emit(g, "%c %s flat(", "abc"[pick(g, 3)], pick(g, 2) ? "+=" : "^="); gen_int(g);
            emit(g, ")"); break;
    case 7: emit(g, "a, b = b, a"); break;
    case 8: emit(g, "a, *rest = [len(repr(v)) for v in l] + [1]"); break;
    default: emit(g, "s += flat(("); gen_str(g); emit(g, ")[:8])");
    }
}

static void gen_mutate(Gen *g) {
    switch (pick(g, 10)) {
    case 0: emit(g, "l.append(flat("); gen_any(g); emit(g, "))"); break;
    case 1: emit(g, "l.insert("); gen_int(g); emit(g, ", flat("); gen_any(g); emit(g, "))"); break;
    case 2: emit(g, "l.pop()"); break;
    case 3: emit(g, "l.sort()"); break;
    case 4: emit(g, "del l["); gen_int(g); emit(g, "]"); break;
    case 5: emit(g, "d[flat("); gen_any(g); emit(g, ")] = flat("); gen_any(g); emit(g, ")"); break;
    case 6: emit(g, "del d["); gen_any(g); emit(g, "]"); break;
    case 7: emit(g, "d.update({flat(k): flat(v) for k, v in ("); gen_dict(g); emit(g, ").items()})"); break;
    /* At most 8 items in: repeated in a loop, a slice assignment of the
       whole list to itself doubles it each time (a program exponential in
       its size, slow in CPython too). */
    case 8: emit(g, "l[a %% 4:b %% 4] = [flat(v) for v in ("); gen_list(g); emit(g, ")[:8]]"); break;
    default: emit(g, "o.v = flat("); gen_any(g); emit(g, ")");
    }
}

static void gen_if(Gen *g) {
    emit(g, "if ");
    gen_cond(g);
    emit(g, ":\n");
    gen_block(g, 1);
    if (pick(g, 2)) {
        start_line(g);
        emit(g, "elif ");
        gen_cond(g);
        emit(g, ":\n");
        gen_block(g, 1);
    }
    if (pick(g, 2)) {
        start_line(g);
        emit(g, "else:\n");
        gen_block(g, 1);
    }
}

static void gen_loop(Gen *g) {
    long n = 1 + (long)pick(g, 8);
    while (n > 1 && !affordable(g, n)) n /= 2;
    bool was = g->in_loop;
    g->in_loop = true;
    int v = g->tmp++;
    switch (pick(g, 5)) {
    case 0: emit(g, "for i%d in range(%ld):\n", v, n); break;
    case 1: emit(g, "for i%d in (", v); gen_list(g); emit(g, ")[:%ld]:\n", n); break;
    case 2: emit(g, "for i%d, j%d in enumerate((", v, v); gen_str(g); emit(g, ")[:%ld]):\n", n); break;
    case 3: emit(g, "for i%d in list(d)[:%ld]:\n", v, n); break;
    default:
        emit(g, "w%d = 0\n", v);
        start_line(g);
        emit(g, "while w%d < %ld:\n", v, n);
        start_line(g);
        emit(g, "    w%d += 1\n", v);
    }
    gen_block(g, n);
    g->in_loop = was;
    if (pick(g, 3) == 0) {
        start_line(g);
        emit(g, "else:\n");
        gen_block(g, 1);
    }
}

static void gen_try(Gen *g) {
    emit(g, "try:\n");
    gen_block(g, 1);
    static const char *const excs[] = {"Exception", "ValueError", "TypeError",
        "(KeyError, IndexError)", "ZeroDivisionError", "ArithmeticError",
        "RecursionError", "OverflowError", "AttributeError", "LookupError"};
    int n = (int)pick(g, 3);
    for (int i = 0; i < n; i++) {
        start_line(g);
        emit(g, "except %s as e%d:\n", excs[pick(g, COUNT(excs))], g->tmp);
        start_line(g);
        emit(g, "    print('caught', type(e%d).__name__, e%d)\n", g->tmp, g->tmp);
        g->tmp++;
        if (pick(g, 2)) gen_block(g, 1);
    }
    if (n && pick(g, 2)) {
        start_line(g);
        emit(g, "else:\n");
        gen_block(g, 1);
    }
    if (n == 0 || pick(g, 2)) {
        start_line(g);
        emit(g, "finally:\n");
        gen_block(g, 1);
    }
}

static void gen_raise(Gen *g) {
    static const char *const excs[] = {"ValueError", "TypeError", "KeyError",
                                       "RuntimeError", "Exception", "IndexError"};
    unsigned c = g->nclasses ? pick(g, (unsigned)g->nclasses) : 0;
    if (g->nclasses && g->class_is_exc[c] && pick(g, 2)) {
        emit(g, "raise C%u(", c);
    } else {
        emit(g, "raise %s(", excs[pick(g, COUNT(excs))]);
    }
    gen_any(g);
    emit(g, ")");
    if (pick(g, 3) == 0) { emit(g, " from "); emit(g, pick(g, 2) ? "None" : "ValueError('cause')"); }
}

/* A function f<n> (top level only): parameters p, q=..., *args, **kw. */
static void gen_def(Gen *g) {
    if (g->nfuncs >= MAX_FUNCS) { emit(g, "pass\n"); return; }
    int f = g->nfuncs;
    emit(g, "def f%d(p, q=", f);
    gen_any(g);
    emit(g, ", *args, **kw):\n");
    long saved_cost = g->cost, saved_mult = g->mult;
    bool was = g->in_func;
    g->cost = 0;
    g->mult = 1;
    g->in_func = true;
    g->indent++;
    if (pick(g, 3) == 0) {
        start_line(g);
        emit(g, "global a, s\n");
    }
    g->indent--;
    gen_block(g, 1);
    g->indent++;
    start_line(g);
    emit(g, "return ");
    gen_any(g);
    emit(g, "\n");
    g->indent--;
    g->func_cost[f] = g->cost + 2;
    g->nfuncs++;
    g->in_func = was;
    g->cost = saved_cost;
    g->mult = saved_mult;
}

/* r<n>(k): recursion k deep (past the recursion limit for a big k). */
static void gen_recursion(Gen *g) {
    int r = g->nrec++;
    emit(g, "def r%d(k):\n", r);
    emit(g, "    return 0 if k <= 0 else r%d(k - 1) + 1\n", r);
    static const long depths[] = {3, 50, 300, 1100};
    long k = depths[pick(g, COUNT(depths))];
    if (!affordable(g, k)) k = 3;
    g->cost += g->mult * k;
    emit(g, "try:\n    print(r%d(%ld))\nexcept RecursionError as e:\n    print(e)", r, k);
}

/* A class C<n>: maybe a subclass of a built-in type, an exception or an
   earlier class; dunder methods with one-line bodies. */
static void gen_class(Gen *g) {
    if (g->nclasses >= MAX_CLASSES) { emit(g, "pass\n"); return; }
    int c = g->nclasses;
    static const char *const bases[] = {"", "(Exception)", "(ValueError)", "(int)", "(str)",
                                        "(list)", "(dict)", "(object)"};
    unsigned b = pick(g, COUNT(bases) + (unsigned)c);
    bool is_exc = b == 1 || b == 2;
    if (b < COUNT(bases)) {
        emit(g, "class C%d%s:\n", c, bases[b]);
    } else {
        unsigned parent = b - (unsigned)COUNT(bases);
        is_exc = g->class_is_exc[parent];
        emit(g, "class C%d(C%u):\n", c, parent);
    }
    /* Methods run any number of times (sorted() calls __lt__...): nothing
       in a class may call a generated function, which mult past the
       budget ensures (gen_call writes a literal instead). */
    long saved_cost = g->cost, saved_mult = g->mult;
    g->cost = 0;
    g->mult = COST_BUDGET + 1;
    g->indent++;
    start_line(g);
    emit(g, "k = ");
    gen_any(g);
    emit(g, "\n");
    int n = 1 + (int)pick(g, 5);
    static const char *const methods[] = {
        "__init__(self, v=0):\n        self.v = v", "__repr__(self):\n        return ",
        "__str__(self):\n        return ", "__eq__(self, other):\n        return ",
        "__lt__(self, other):\n        return ", "__hash__(self):\n        return ",
        "__len__(self):\n        return ", "__bool__(self):\n        return ",
        "__add__(self, other):\n        return ", "m(self, *a):\n        return ",
        "__getitem__(self, i):\n        return ", "__iter__(self):\n        return ",
    };
    for (int i = 0; i < n; i++) {
        unsigned m = pick(g, COUNT(methods));
        start_line(g);
        emit(g, "def %s", methods[m]);
        if (m > 0) {
            switch (pick(g, 3)) {
            case 0: emit(g, "self.v"); break;
            case 1: emit(g, "getattr(self, 'v', 0)"); break;
            default: gen_any(g);
            }
        } else if (pick(g, 2) && b != 0) {
            emit(g, "\n        super().__init__()");
        }
        emit(g, "\n");
    }
    g->indent--;
    g->cost = saved_cost;
    g->mult = saved_mult;
    g->class_is_exc[c] = is_exc;
    g->nclasses++;
}

static void gen_with(Gen *g) {
    emit(g, "with CM(");
    gen_cond(g);
    emit(g, ") as cm%d:\n", g->tmp++);
    gen_block(g, 1);
}

static void gen_stmt(Gen *g) {
    start_line(g);
    if (!affordable(g, 1) || !more(g)) {
        emit(g, "pass\n");
        return;
    }
    g->cost += g->mult;
    bool nested_ok = g->block_depth < MAX_BLOCK_DEPTH;
    unsigned k = pick(g, 20);
    switch (k) {
    case 0: case 1: emit(g, "print("); gen_any(g);
        if (pick(g, 2)) { emit(g, ", "); gen_any(g); emit(g, ", sep="); gen_str(g); }
        emit(g, ")"); break;
    case 2: case 3: gen_assign(g); break;
    case 4: case 5: gen_mutate(g); break;
    case 6: if (nested_ok) { gen_if(g); return; } emit(g, "pass"); break;
    case 7: if (nested_ok) { gen_loop(g); return; } emit(g, "pass"); break;
    case 8: if (nested_ok) { gen_try(g); return; } emit(g, "pass"); break;
    case 9: gen_raise(g); break;
    case 10:
        if (g->block_depth == 0 && !g->in_func) { gen_def(g); return; }
        emit(g, "pass"); break;
    case 11:
        if (g->block_depth == 0 && !g->in_func) { gen_class(g); return; }
        emit(g, "pass"); break;
    case 12: if (nested_ok) { gen_with(g); return; } emit(g, "pass"); break;
    case 13:
        if (g->in_loop) emit(g, pick(g, 2) ? "break" : "continue");
        else if (g->in_func) { emit(g, "return "); gen_any(g); }
        else emit(g, "pass");
        break;
    case 14: emit(g, "assert "); gen_cond(g); emit(g, ", "); gen_str(g); break;
    case 15: emit(g, "print(a, s, l, d, o, x)"); break;
    case 16: emit(g, "o = flat("); gen_any(g); emit(g, "); print(type(o).__name__, o)"); break;
    case 17:
        g->in_fstring = true;
        emit(g, "print(f\"{ ");
        gen_any(g);
        emit(g, "=}\")");
        g->in_fstring = false;
        break;
    case 18: emit(g, "s = ('%%r %%s' %% (("); gen_any(g); emit(g, "), ("); gen_any(g); emit(g, ")))[:64]"); break;
    default: emit(g, "print(sorted(("); gen_list(g); emit(g, ")[:16], key=repr))");
    }
    emit(g, "\n");
}

static const char prelude[] =
    "a = 1\nb = 2\nc = 3\ns = 'xy'\nt = 'z\\u00e9'\nl = [1, 2, 3]\n"
    "d = {'k': 1, 2: 'two'}\nx = 1.5\no = None\n"
    "class CM:\n"
    "    def __init__(self, swallow):\n        self.swallow = swallow\n"
    "    def __enter__(self):\n        return self\n"
    "    def __exit__(self, t, v, tb):\n        return self.swallow\n"
    /* What is stored in a variable, an element or an attribute goes through
       flat(): numbers, short strings and flat instances stay, anything
       else becomes a short repr, and an int is cut to 200 bits. Otherwise
       `o = (o, o)` in a loop doubles the size of o's repr (and of every
       comparison) each time round, and `a = a * a` the size of a:
       exponential work that would be the generator's fault, not the
       interpreter's. */
    "def flat(v):\n"
    "    if type(v) is int:\n        return v if -2**200 < v < 2**200 else v % 2**200\n"
    "    if type(v) in (float, bool) or v is None:\n        return v\n"
    "    if type(v) is str:\n        return v[:64]\n"
    "    if (type(v).__name__[:1] == 'C' and not isinstance(v, (list, tuple, dict))\n"
    "            and type(getattr(v, 'v', None)) in (int, float, str, bool, type(None))):\n"
    "        return v\n"
    "    return repr(v)[:40]\n";

/* Writes the program for `data` into g->out (mem_alloc'd, NUL-terminated). */
static void generate(Gen *g, const uint8_t *data, size_t size) {
    memset(g, 0, sizeof *g);
    g->data = data;
    g->size = size;
    g->mult = 1;
    g->cap = 4096;
    g->out = mem_alloc(g->cap);
    if (!g->out) { g->oom = true; return; }
    g->out[0] = '\0';
    emit(g, "%s", prelude);
    while (more(g) && affordable(g, 1)) {
        unsigned kind = pick(g, 4);
        if (kind == 0) {            /* definitions stay outside try */
            unsigned d = pick(g, 3);
            if (d == 0) gen_def(g);
            else if (d == 1) gen_class(g);
            else { gen_recursion(g); emit(g, "\n"); }
            continue;
        }
        emit(g, "try:\n");
        g->indent = 1;
        g->block_depth = 1;
        gen_stmt(g);
        g->indent = 0;
        g->block_depth = 0;
        emit(g, "except Exception as e:\n    print('error', type(e).__name__, e)\n");
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool print_programs;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    print_programs = getenv("TOY_FUZZ_PRINT") != NULL;
    fflush(stdout);
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
        perror("toy-fuzz: /dev/null");
        exit(1);
    }
    close(fd);
    fuzz_runtime_init();
    return 0;
}

/* A fresh __main__-like namespace for one program. */
static Object *new_globals(void) {
    Object *g = dict_new();
    Object *name = g ? str_from_cstr("__main__") : NULL;
    if (!name || dict_set_item_cstr(g, "__name__", name) < 0 ||
        dict_set_item_cstr(g, "__builtins__", interp.builtins) < 0) {
        XDECREF(name);
        XDECREF(g);
        return NULL;
    }
    DECREF(name);
    return g;
}

/* Compiles and runs the program once; returns the CPU milliseconds taken. */
static double run_once(void *arg) {
    const Gen *g = arg;
    double start = fuzz_cpu_ms();
    CodeObject *code = compile_source(g->out, g->len, "<fuzz>", PARSE_FILE);
    if (!code) {
        /* The generator writes only valid programs. */
        Object *exc = error_fetch();
        fprintf(stderr, "generated program does not compile:\n%s\n", g->out);
        if (exc) { error_print(exc); DECREF(exc); }
        abort();
    }
    Object *globals = new_globals();
    if (globals) {
        Object *result = vm_run_code(code, globals, globals);
        if (result) DECREF(result);
        dict_clear(globals);
        DECREF(globals);
    }
    error_clear();
    DECREF(code);
    fflush(stdout);
    return fuzz_cpu_ms() - start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Gen g;
    generate(&g, data, size);
    if (g.oom) {
        if (g.out) mem_free(g.out, g.cap);
        return 0;
    }
    if (print_programs) fprintf(stderr, "---- program ----\n%s---- end ----\n", g.out);
    double elapsed = run_once(&g);
    fuzz_check_slow(size, fuzz_budget_ms(size, 1000, 1000), run_once, &g, elapsed);
    mem_free(g.out, g.cap);
    return 0;
}
