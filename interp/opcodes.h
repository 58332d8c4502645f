/* opcodes.h - Toy's instruction set, listed once.
 *
 * Each instruction is one 32-bit word: the opcode in the low 8 bits and an
 * unsigned argument in the high 24 bits (INSTR_OP / INSTR_ARG). Jump
 * arguments are absolute instruction indexes into the code object. Some
 * instructions are followed by inline cache words, which are data, not
 * instructions (opcode_cache_size, at the end of this file).
 *
 * The VM is a stack machine. The stack notation below reads left to right,
 * bottom to top: "[a, b] -> [c]" pops b then a, then pushes c. NULL is a
 * real stack entry (a C NULL pointer) where noted.
 *
 * OPCODE(name, "stack effect", "meaning of the argument and behaviour")
 * The enum, the disassembler's names and its argument decoding all come from
 * this one list.
 *
 * Code shapes the compiler emits and the VM relies on
 * ---------------------------------------------------
 * Calls:   PUSH_NULL; <func>; <args...>; [KW_NAMES k]; CALL n
 *          <obj>; LOAD_METHOD name; <args...>; [KW_NAMES k]; CALL n
 *          CALL sees [A, B, args(n)]: if A is NULL it calls B(args),
 *          else it calls A(B, args) (B is the receiver, "self").
 *
 * try/except:
 *          SETUP_FINALLY H;  <body>;  POP_BLOCK;  <else>;  JUMP END
 *      H:  (the VM pushed the exception)          [.., exc]
 *          PUSH_EXC_INFO                          [.., prev, exc]
 *          DUP_TOP; <E>; JUMP_IF_NOT_EXC_MATCH H2 [.., prev, exc]
 *          STORE_x e (or POP_TOP)                 [.., prev]
 *          <handler body>
 *          POP_EXCEPT                             [..]
 *          (if named: LOAD_CONST None; STORE_x e; DELETE_x e)
 *          JUMP END
 *      H2: ... next clause; a bare `except:` is POP_TOP; <body>; POP_EXCEPT
 *          if no clause matched: RERAISE           (re-raises exc)
 *    END:
 *
 * try/finally:
 *          SETUP_FINALLY H;  <body>;  POP_BLOCK;  <finally>;  JUMP END
 *      H:  PUSH_EXC_INFO; <finally>; RERAISE
 *    END:
 *   A return/break/continue leaving a try-finally emits POP_BLOCK and a copy
 *   of <finally> first (with the return value kept on the stack); leaving an
 *   except handler emits POP_EXCEPT first (ROT_TWO before it when a return
 *   value is on top); leaving a for loop pops its iterator.
 *
 * with:    <cm>; SETUP_WITH H          [.., exit, enter_result]
 *          STORE_x target (or POP_TOP)
 *          <body>; POP_BLOCK
 *          LOAD_CONST None; LOAD_CONST None; LOAD_CONST None; CALL_EXIT
 *          JUMP END
 *      H:  PUSH_EXC_INFO                   [.., exit, prev, exc]
 *          WITH_EXCEPT_START               [.., exit, prev, exc, result]
 *          POP_JUMP_IF_TRUE S; RERAISE
 *      S:  POP_TOP; POP_EXCEPT; POP_TOP    (exception suppressed)
 *    END:
 *
 * for:     <iterable>; GET_ITER
 *      T:  FOR_ITER E; <store target>; <body>; JUMP T
 *      E:  <else body>
 *   break pops the iterator and jumps past the else body.
 *
 * yield from x:  <x>; GET_YIELD_FROM_ITER; LOAD_CONST None
 *      L:  SEND E; YIELD_VALUE 1; JUMP L
 *      E:  (the return value of the subiterator)
 *   A generator suspended at YIELD_VALUE 1 has its subiterator on top of its
 *   stack: throw() and close() are forwarded to it.
 *
 * Handler blocks: SETUP_FINALLY/SETUP_WITH push a block {handler, stack
 * depth}; POP_BLOCK pops it. When an exception is raised, the VM pops the
 * innermost block, drops stack entries above its depth, pushes the exception
 * and jumps to the handler. PUSH_EXC_INFO pushes an EXCEPT_HANDLER block; if
 * an exception unwinds through it, the VM restores ts->handled_exc from the
 * saved `prev` entry. With no block left, the frame returns NULL to its caller.
 *
 * Scopes: functions use *_FAST for locals, *_DEREF for cells (captured or
 * captured-from-outside variables; slots are cellvars then freevars) and
 * *_GLOBAL for globals; module and class bodies use *_NAME (frame locals
 * dict, then globals, then builtins for loads). A parameter that is also a
 * cell variable is copied in at function entry: LOAD_FAST p; STORE_DEREF c.
 */
#ifndef TOY_OPCODES_H
#define TOY_OPCODES_H

#include <stdint.h>

#define OPCODE_LIST(OPCODE) \
    OPCODE(NOP,            "[] -> []", "does nothing") \
    OPCODE(POP_TOP,        "[a] -> []", "") \
    OPCODE(DUP_TOP,        "[a] -> [a, a]", "") \
    OPCODE(DUP_TOP_TWO,    "[a, b] -> [a, b, a, b]", "") \
    OPCODE(ROT_TWO,        "[a, b] -> [b, a]", "") \
    OPCODE(ROT_THREE,      "[a, b, c] -> [c, a, b]", "") \
    OPCODE(ROT_FOUR,       "[a, b, c, d] -> [d, a, b, c]", "") \
    OPCODE(PUSH_NULL,      "[] -> [NULL]", "marks a call without a receiver") \
    \
    OPCODE(LOAD_CONST,     "[] -> [consts[arg]]", "") \
    OPCODE(LOAD_FAST,      "[] -> [local]", "arg: local slot; UnboundLocalError if empty") \
    OPCODE(STORE_FAST,     "[v] -> []", "arg: local slot") \
    OPCODE(DELETE_FAST,    "[] -> []", "arg: local slot; UnboundLocalError if empty") \
    OPCODE(LOAD_DEREF,     "[] -> [cell contents]", "arg: cell slot (cellvars, then freevars); NameError/UnboundLocalError if empty") \
    OPCODE(STORE_DEREF,    "[v] -> []", "arg: cell slot") \
    OPCODE(DELETE_DEREF,   "[] -> []", "arg: cell slot") \
    OPCODE(LOAD_CLOSURE,   "[] -> [cell]", "arg: cell slot; pushes the cell object itself") \
    OPCODE(LOAD_CLASS_CELL, "[] -> [class]", "the implicit __class__ of a method: its function's class cell; NameError if empty") \
    OPCODE(LOAD_GLOBAL,    "[] -> [v]", "arg: names index; globals, then builtins; NameError") \
    OPCODE(STORE_GLOBAL,   "[v] -> []", "arg: names index") \
    OPCODE(DELETE_GLOBAL,  "[] -> []", "arg: names index") \
    OPCODE(LOAD_NAME,      "[] -> [v]", "arg: names index; frame locals dict, globals, builtins") \
    OPCODE(STORE_NAME,     "[v] -> []", "arg: names index; into the frame locals dict") \
    OPCODE(DELETE_NAME,    "[] -> []", "arg: names index") \
    OPCODE(LOAD_ATTR,      "[obj] -> [obj.name]", "arg: names index") \
    OPCODE(STORE_ATTR,     "[v, obj] -> []", "arg: names index; obj.name = v") \
    OPCODE(DELETE_ATTR,    "[obj] -> []", "arg: names index") \
    OPCODE(LOAD_METHOD,    "[obj] -> [meth, obj] or [NULL, obj.name]", "arg: names index; see Calls") \
    \
    OPCODE(BINARY_SUBSCR,  "[obj, key] -> [obj[key]]", "") \
    OPCODE(STORE_SUBSCR,   "[v, obj, key] -> []", "obj[key] = v") \
    OPCODE(DELETE_SUBSCR,  "[obj, key] -> []", "del obj[key]") \
    OPCODE(BUILD_SLICE,    "[lo, hi] or [lo, hi, step] -> [slice]", "arg: 2 or 3; absent parts are None") \
    OPCODE(BINARY_OP,      "[a, b] -> [a op b]", "arg: a BinaryOp (object.h)") \
    OPCODE(INPLACE_OP,     "[a, b] -> [a op= b]", "arg: a BinaryOp; list += extends in place") \
    OPCODE(COMPARE_OP,     "[a, b] -> [a cmp b]", "arg: a CompareOp (object.h)") \
    OPCODE(IS_OP,          "[a, b] -> [bool]", "arg 0: is; 1: is not") \
    OPCODE(CONTAINS_OP,    "[a, b] -> [bool]", "arg 0: a in b; 1: a not in b") \
    OPCODE(UNARY_NEGATIVE, "[a] -> [-a]", "") \
    OPCODE(UNARY_POSITIVE, "[a] -> [+a]", "") \
    OPCODE(UNARY_NOT,      "[a] -> [not a]", "") \
    OPCODE(UNARY_INVERT,   "[a] -> [~a]", "") \
    OPCODE(BINARY_SLICE,   "[obj, lo, hi] or [obj, lo, hi, step] -> [obj[lo:hi:step]]", "arg: 2 or 3 (with a step); absent bounds are None; no slice object for a list (or, without a step, a tuple or str)") \
    OPCODE(STORE_SLICE,    "[v, obj, lo, hi] -> []", "obj[lo:hi] = v without a step") \
    \
    OPCODE(JUMP,                 "[] -> []", "arg: target; a backward jump is a GIL check point") \
    OPCODE(POP_JUMP_IF_FALSE,    "[v] -> []", "arg: target") \
    OPCODE(POP_JUMP_IF_TRUE,     "[v] -> []", "arg: target") \
    OPCODE(JUMP_IF_FALSE_OR_POP, "[v] -> [v] or []", "arg: target; keeps v and jumps if false") \
    OPCODE(JUMP_IF_TRUE_OR_POP,  "[v] -> [v] or []", "arg: target; keeps v and jumps if true") \
    OPCODE(GET_ITER,       "[obj] -> [iter(obj)]", "") \
    OPCODE(FOR_ITER,       "[it] -> [it, next] or []", "arg: target; when exhausted pops it and jumps") \
    \
    OPCODE(BUILD_TUPLE,    "[a1..an] -> [tuple]", "arg: n") \
    OPCODE(BUILD_LIST,     "[a1..an] -> [list]", "arg: n") \
    OPCODE(BUILD_MAP,      "[k1, v1, .. kn, vn] -> [dict]", "arg: n pairs") \
    OPCODE(BUILD_STRING,   "[s1..sn] -> [str]", "arg: n; concatenates str objects (f-strings)") \
    OPCODE(LIST_APPEND,    "[list, .., v] -> [list, ..]", "arg: i; appends v to the list at stack[-i] after popping v") \
    OPCODE(LIST_EXTEND,    "[list, .., it] -> [list, ..]", "arg: i; list at stack[-i] after popping it") \
    OPCODE(LIST_TO_TUPLE,  "[list] -> [tuple]", "") \
    OPCODE(BUILD_SET,      "[a1..an] -> [set]", "arg: n; adds a1 first") \
    OPCODE(SET_ADD,        "[set, .., v] -> [set, ..]", "arg: i; adds v to the set at stack[-i] after popping v") \
    OPCODE(SET_UPDATE,     "[set, .., it] -> [set, ..]", "arg: i; set at stack[-i] |= the items of it, after popping it") \
    OPCODE(MAP_ADD,        "[dict, .., k, v] -> [dict, ..]", "arg: i; dict at stack[-i] after popping k, v") \
    OPCODE(DICT_MERGE,     "[dict, .., m] -> [dict, ..]", "arg: i; for f(**m): TypeError on duplicate keys") \
    OPCODE(UNPACK_SEQUENCE,"[seq] -> [vn..v1]", "arg: n; pushes items in reverse so the first is on top") \
    OPCODE(UNPACK_EX,      "[seq] -> [..]", "arg: before | after << 8; for a, *b, c = seq") \
    OPCODE(FORMAT_VALUE,   "[v] or [v, spec] -> [str]", "arg: conversion (0 none, 1 !s, 2 !r, 3 !a) | 4 if a spec is on the stack") \
    \
    OPCODE(KW_NAMES,       "[] -> []", "arg: consts index of a tuple of keyword names for the next CALL") \
    OPCODE(CALL,           "[A, B, args(n)] -> [result]", "arg: n, keyword values included; see Calls") \
    OPCODE(CALL_EX,        "[f, argtuple] or [f, argtuple, kwdict] -> [result]", "arg: 1 if a kwargs dict is present") \
    OPCODE(CALL_EXIT,      "[exit, a, b, c] -> []", "calls exit(a, b, c) and drops the result (with statements)") \
    OPCODE(MAKE_FUNCTION,  "[(defaults), (kwdefaults), (closure), code] -> [func]", "arg flags: 1 defaults tuple, 2 kwdefaults dict, 8 closure tuple of cells") \
    OPCODE(LOAD_BUILD_CLASS,"[] -> [__build_class__]", "called as __build_class__(body_func, name, *bases)") \
    OPCODE(RETURN_VALUE,   "[v] -> (returns v)", "") \
    OPCODE(RETURN_GENERATOR,"[] -> (returns a generator) ... [sent]", "first instruction of a generator: moves the frame into a new generator object and returns it; resuming pushes the value sent in") \
    OPCODE(YIELD_VALUE,    "[v] -> (yields v) ... [sent]", "arg: 1 inside yield from (the subiterator is then on top); suspends the generator, which pushes the value sent in when resumed") \
    OPCODE(GET_YIELD_FROM_ITER,"[x] -> [iter]", "a generator stays itself; anything else becomes iter(x)") \
    OPCODE(SEND,           "[it, v] -> [it, next] or [result]", "arg: target; sends v into it (next(it) for None); when it returns, pops it, pushes its return value and jumps") \
    \
    OPCODE(SETUP_FINALLY,  "[] -> []", "arg: handler; pushes a handler block at the current depth") \
    OPCODE(SETUP_WITH,     "[cm] -> [exit, enter_result]", "arg: handler; calls cm.__enter__(), block depth is after exit") \
    OPCODE(POP_BLOCK,      "[] -> []", "pops the innermost handler block") \
    OPCODE(PUSH_EXC_INFO,  "[exc] -> [prev, exc]", "prev: the handled exception (or None); sets it to exc; pushes an EXCEPT_HANDLER block") \
    OPCODE(POP_EXCEPT,     "[prev] -> []", "pops the EXCEPT_HANDLER block; restores the handled exception to prev") \
    OPCODE(JUMP_IF_NOT_EXC_MATCH, "[exc, type] -> []", "arg: target; type may be a class or a tuple of classes") \
    OPCODE(RERAISE,        "[exc] -> (raises)", "re-raises exc with its traceback unchanged") \
    OPCODE(WITH_EXCEPT_START, "[exit, prev, exc] -> [exit, prev, exc, res]", "res = exit(type(exc), exc, None)") \
    OPCODE(RAISE_VARARGS,  "[] / [exc] / [exc, cause] -> (raises)", "arg 0: re-raise the handled exception; 1: raise exc; 2: raise exc from cause") \
    OPCODE(LOAD_ASSERTION_ERROR, "[] -> [AssertionError]", "") \
    \
    OPCODE(IMPORT_NAME,    "[level, fromlist] -> [module]", "arg: names index of the module name; level: count of leading dots; fromlist None: push the top-level package, else the module itself, after importing the submodules fromlist names") \
    OPCODE(IMPORT_FROM,    "[module] -> [module, attr]", "arg: names index; a submodule from sys.modules when not an attribute; ImportError if absent") \
    OPCODE(IMPORT_STAR,    "[module] -> []", "from m import *: the names of m.__all__, else its public names, into the module namespace") \
    OPCODE(PRINT_EXPR,     "[v] -> []", "REPL: prints repr(v) unless None, and stores it in builtins._") \
    \
    /* ---- Quickening (interp/specialize.c): the cache word and the forms \
       the VM rewrites a generic instruction into while the program runs. \
       Each specialised form keeps its generic instruction's argument, stack \
       effect and cache words; when its guard fails it turns back into the \
       generic form (opcode_generic) and runs that. */ \
    OPCODE(CACHE,          "[] -> []", "an inline cache word after the instruction before it; never executed") \
    OPCODE(LOAD_GLOBAL_MODULE,  "[] -> [v]", "LOAD_GLOBAL found in the globals dict at a cached entry") \
    OPCODE(LOAD_GLOBAL_BUILTIN, "[] -> [v]", "LOAD_GLOBAL absent from globals, found in builtins at a cached entry") \
    OPCODE(LOAD_ATTR_INSTANCE,  "[obj] -> [obj.name]", "LOAD_ATTR from the instance dict, at a cached entry") \
    OPCODE(LOAD_ATTR_SLOT,      "[obj] -> [obj.name]", "LOAD_ATTR of a __slots__ member at a cached offset") \
    OPCODE(LOAD_ATTR_CLASS,     "[obj] -> [obj.name]", "LOAD_ATTR of a plain value of the class, not in the instance dict") \
    OPCODE(LOAD_ATTR_MODULE,    "[mod] -> [mod.name]", "LOAD_ATTR from a module's dict at a cached entry") \
    OPCODE(LOAD_METHOD_FUNC,    "[obj] -> [meth, obj]", "LOAD_METHOD of a Toy function of the class, not in the instance dict") \
    OPCODE(STORE_ATTR_INSTANCE, "[v, obj] -> []", "STORE_ATTR replacing the value at a cached entry of the instance dict") \
    OPCODE(STORE_ATTR_SLOT,     "[v, obj] -> []", "STORE_ATTR to a __slots__ member at a cached offset") \
    OPCODE(LOAD_NAME_MODULE,    "[] -> [v]", "LOAD_NAME where the locals are the globals: as LOAD_GLOBAL_MODULE") \
    OPCODE(LOAD_NAME_BUILTIN,   "[] -> [v]", "LOAD_NAME where the locals are the globals: as LOAD_GLOBAL_BUILTIN") \
    OPCODE(LOAD_METHOD_BUILTIN, "[obj] -> [meth, obj]", "LOAD_METHOD of a method of a built-in type, at a cached entry of its dict") \
    OPCODE(LOAD_ATTR_TYPE,      "[cls] -> [cls.name]", "LOAD_ATTR on a class: a plain value or function along its MRO") \
    OPCODE(LOAD_METHOD_TYPE,    "[cls] -> [NULL, cls.name]", "LOAD_METHOD on a class: as LOAD_ATTR_TYPE, called without self") \
    OPCODE(STORE_ATTR_DICT,     "[v, obj] -> []", "STORE_ATTR into the instance dict through its insert path (adds a new attribute)") \
    OPCODE(CALL_PY_FUNC,        "[NULL, func, args(n)] -> [result]", "CALL that last called a Toy function, without keywords (no cache: the guard is func's type)") \
    OPCODE(CALL_PY_SELF,        "[func, self, args(n)] -> [result]", "CALL after LOAD_METHOD that last called a Toy function, without keywords") \
    OPCODE(CALL_CLASS_INIT,     "[NULL, class, args(n)] -> [instance]", "CALL that last made an instance of a user class and ran its Toy __init__ in the loop, without keywords") \
    OPCODE(CALL_LIST_APPEND,    "[list.append, list, item] -> [None]", "CALL after LOAD_METHOD that last called list.append with one argument: appends without a call") \
    OPCODE(CALL_METHOD_DESCR,   "[descr, self, args(n)] -> [result]", "CALL after LOAD_METHOD that last called a method of a built-in type, without keywords: its C body, called directly") \
    \
    /* ---- Superinstructions (superinstr.c): one dispatch runs a pair ---- */ \
    /* The first word of a pair is replaced; the second stays as it was and */ \
    /* is skipped. arg: SUPER_ARG(first's arg, second's arg). */ \
    OPCODE(LOAD_FAST_LOAD_FAST,  "[] -> [local1, local2]", "LOAD_FAST; LOAD_FAST") \
    OPCODE(LOAD_FAST_LOAD_CONST, "[] -> [local, const]", "LOAD_FAST; LOAD_CONST") \
    OPCODE(STORE_FAST_LOAD_FAST, "[v] -> [local]", "STORE_FAST; LOAD_FAST") \
    OPCODE(STORE_FAST_JUMP,      "[v] -> []", "STORE_FAST; JUMP (a backward jump is a GIL check point)") \
    OPCODE(FOR_ITER_STORE_FAST,  "[it] -> [it] or []", "FOR_ITER; STORE_FAST of the next item") \
    OPCODE(DUP_TOP_TWO_SUBSCR,   "[obj, key] -> [obj, key, obj[key]]", "DUP_TOP_TWO; BINARY_SUBSCR (a[i] op= x)") \
    OPCODE(ROT_THREE_STORE_SUBSCR, "[obj, key, v] -> []", "ROT_THREE; STORE_SUBSCR (a[i] op= x)") \
    OPCODE(LOAD_CONST_BINOP,     "[a] -> [a op const]", "LOAD_CONST; BINARY_OP or INPLACE_OP (two small ints or two floats inline, else as the two words)") \
    OPCODE(LOAD_FAST_BINOP,      "[a] -> [a op local]", "LOAD_FAST; BINARY_OP or INPLACE_OP (two small ints or two floats inline, else as the two words)") \
    OPCODE(LOAD_CONST_COMPARE,   "[a] -> [a cmp const]", "LOAD_CONST; COMPARE_OP (two small ints, two floats, two strs for == and != inline, a jump after it taken at once, else as the two words)") \
    OPCODE(LOAD_FAST_COMPARE,    "[a] -> [a cmp local]", "LOAD_FAST; COMPARE_OP (two small ints, two floats, two strs for == and != inline, a jump after it taken at once, else as the two words)") \
    /* A triple: the first word is replaced, the other two are skipped. */ \
    OPCODE(LOAD_FAST_CONST_SUBSCR, "[] -> [local[const]]", "LOAD_FAST; LOAD_CONST; BINARY_SUBSCR") \
    OPCODE(LOAD_FAST_LOAD_FAST_SUBSCR, "[] -> [local1[local2]]", "LOAD_FAST; LOAD_FAST; BINARY_SUBSCR") \
    OPCODE(LOAD_FAST_CONST_STORE_SUBSCR, "[v] -> []", "LOAD_FAST; LOAD_CONST; STORE_SUBSCR (local[const] = v)") \
    OPCODE(LOAD_FAST_LOAD_FAST_STORE_SUBSCR, "[v] -> []", "LOAD_FAST; LOAD_FAST; STORE_SUBSCR (local1[local2] = v)") \
    /* Runs of arithmetic and tests on locals: inline for two small ints or */ \
    /* two floats, else they run as their first pair (the words after it */ \
    /* then run as they are). The operator and the jump come from their */ \
    /* own words. */ \
    OPCODE(LOAD_FAST_LOAD_FAST_BINOP,  "[] -> [local1 op local2]", "LOAD_FAST; LOAD_FAST; BINARY_OP or INPLACE_OP") \
    OPCODE(LOAD_FAST_LOAD_CONST_BINOP, "[] -> [local op const]", "LOAD_FAST; LOAD_CONST; BINARY_OP or INPLACE_OP") \
    OPCODE(LOAD_FAST_LOAD_FAST_COMPARE_JUMP,  "[] -> []", "LOAD_FAST; LOAD_FAST; COMPARE_OP; POP_JUMP_IF_FALSE or _TRUE") \
    OPCODE(LOAD_FAST_LOAD_CONST_COMPARE_JUMP, "[] -> []", "LOAD_FAST; LOAD_CONST; COMPARE_OP; POP_JUMP_IF_FALSE or _TRUE") \
    /* An identity test and its jump: `x is None`, `self.link is not None`. */ \
    OPCODE(LOAD_CONST_IS_JUMP, "[v] -> []", "LOAD_CONST; IS_OP; POP_JUMP_IF_FALSE or _TRUE") \
    /* The same of a local, which the stack never holds: `if x is None:`. */ \
    OPCODE(LOAD_FAST_LOAD_CONST_IS_JUMP, "[] -> []", "LOAD_FAST; LOAD_CONST; IS_OP; POP_JUMP_IF_FALSE or _TRUE") \
    /* An attribute of a local: the second word keeps its cache words and */ \
    /* its own quickening. When it is LOAD_ATTR_INSTANCE or */ \
    /* STORE_ATTR_INSTANCE and its guard holds, the pair runs here without */ \
    /* pushing the local; else it runs as LOAD_FAST and the second word */ \
    /* runs as it is. */ \
    OPCODE(LOAD_FAST_LOAD_ATTR,  "[] -> [local.name]", "LOAD_FAST; LOAD_ATTR") \
    OPCODE(LOAD_FAST_STORE_ATTR, "[v] -> []", "LOAD_FAST; STORE_ATTR (local.name = v)") \
    /* `return x`: the local's reference leaves with the frame. */ \
    OPCODE(LOAD_FAST_RETURN_VALUE, "[] -> (returns)", "LOAD_FAST; RETURN_VALUE") \
    /* `x in local`: the container is read in its slot, never pushed. */ \
    OPCODE(LOAD_FAST_CONTAINS,   "[a] -> [a in local]", "LOAD_FAST; CONTAINS_OP (a jump after it taken at once)")

typedef enum {
#define OPCODE_ENUM(name, effect, doc) OP_##name,
    OPCODE_LIST(OPCODE_ENUM)
#undef OPCODE_ENUM
    OP_COUNT
} Opcode;

#define INSTR(op, arg) ((uint32_t)(op) | ((uint32_t)(arg) << 8))
#define INSTR_OP(ins)  ((Opcode)((ins) & 0xffu))
#define INSTR_ARG(ins) ((uint32_t)(ins) >> 8)
#define INSTR_ARG_MAX  0xffffffu

/* Inline caches. The instructions that the VM specialises while the
   program runs (LOAD_GLOBAL, LOAD_NAME, LOAD_ATTR, LOAD_METHOD, STORE_ATTR) are
   followed by opcode_cache_size(op) cache words, which the compiler emits
   as CACHE and the VM fills (interp/specialize.h has their layout). Every
   walk over the instructions steps by 1 + opcode_cache_size(op): cache
   words are not instructions, and jumps never land on them. Always
   inlined: the eval loop steps over the cache with a constant op, which
   then folds to a number (a profile-guided build otherwise may call it). */
static inline __attribute__((always_inline)) int opcode_cache_size(Opcode op)
{
    switch (op) {
    case OP_LOAD_GLOBAL: case OP_LOAD_GLOBAL_MODULE: case OP_LOAD_GLOBAL_BUILTIN:
    case OP_LOAD_NAME: case OP_LOAD_NAME_MODULE: case OP_LOAD_NAME_BUILTIN:
    case OP_LOAD_ATTR: case OP_LOAD_ATTR_INSTANCE: case OP_LOAD_ATTR_SLOT:
    case OP_LOAD_ATTR_CLASS: case OP_LOAD_ATTR_MODULE: case OP_LOAD_ATTR_TYPE:
    case OP_LOAD_METHOD: case OP_LOAD_METHOD_FUNC: case OP_LOAD_METHOD_BUILTIN:
    case OP_LOAD_METHOD_TYPE:
        return 4;
    case OP_STORE_ATTR: case OP_STORE_ATTR_INSTANCE: case OP_STORE_ATTR_SLOT:
    case OP_STORE_ATTR_DICT:
        return 3;
    default:
        return 0;
    }
}

/* The generic instruction a specialised one stands for (itself for the
   others): what the disassembler shows and what a failed guard restores. */
static inline Opcode opcode_generic(Opcode op)
{
    switch (op) {
    case OP_LOAD_GLOBAL_MODULE: case OP_LOAD_GLOBAL_BUILTIN:
        return OP_LOAD_GLOBAL;
    case OP_LOAD_NAME_MODULE: case OP_LOAD_NAME_BUILTIN:
        return OP_LOAD_NAME;
    case OP_LOAD_ATTR_INSTANCE: case OP_LOAD_ATTR_SLOT: case OP_LOAD_ATTR_CLASS:
    case OP_LOAD_ATTR_MODULE: case OP_LOAD_ATTR_TYPE:
        return OP_LOAD_ATTR;
    case OP_LOAD_METHOD_FUNC: case OP_LOAD_METHOD_BUILTIN: case OP_LOAD_METHOD_TYPE:
        return OP_LOAD_METHOD;
    case OP_STORE_ATTR_INSTANCE: case OP_STORE_ATTR_SLOT: case OP_STORE_ATTR_DICT:
        return OP_STORE_ATTR;
    case OP_CALL_PY_FUNC: case OP_CALL_PY_SELF: case OP_CALL_CLASS_INIT:
    case OP_CALL_LIST_APPEND: case OP_CALL_METHOD_DESCR:
        return OP_CALL;
    default:
        return op;
    }
}

/* A superinstruction's argument: the arguments of its two halves, 12 bits
   each (superinstr.c fuses only pairs whose arguments fit). */
#define SUPER_ARG_BITS 12
#define SUPER_ARG_MAX ((1u << SUPER_ARG_BITS) - 1)
#define SUPER_ARG(first, second) ((uint32_t)(first) | ((uint32_t)(second) << SUPER_ARG_BITS))
#define SUPER_FIRST(arg) ((arg) & SUPER_ARG_MAX)
#define SUPER_SECOND(arg) ((arg) >> SUPER_ARG_BITS)

/* The opcode's name, e.g. "LOAD_CONST" (dis.c). */
const char *opcode_name(Opcode op);

#endif
