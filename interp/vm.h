/* vm.h - the bytecode interpreter.
 *
 * Frames live on the thread's value stack (ThreadState.stack_base..): a call
 * pushes a Frame header followed by its local slots, cell slots and value
 * stack, and pops them on return, so a call allocates nothing on the heap.
 * interp/frame.c manages that memory and binds arguments; interp/vm.c runs
 * the frames.
 *
 * Every frame runs under the GIL. The eval loop checks the thread's
 * "eval breaker" at backward jumps and calls (gil.h decides what it means).
 */
#ifndef TOY_VM_H
#define TOY_VM_H

#include "objects/code.h"

#include <stdbool.h>
#include <stdint.h>

/* The compiler rejects deeper nesting of try/with blocks than this. */
#define FRAME_MAX_BLOCKS 20

/* A handler block: SETUP_FINALLY / SETUP_WITH push one with the handler's
   instruction index; PUSH_EXC_INFO pushes an EXCEPT_HANDLER block
   (handler == BLOCK_EXCEPT_HANDLER) whose saved "previously handled
   exception" sits at slots[level]. level is a stack depth counted from
   slots[0] (the stack lies after the locals and cells). */
#define BLOCK_EXCEPT_HANDLER (-1)
typedef struct {
    int handler;
    int level;
} FrameBlock;

/* What returning from a frame does (Frame.on_return). */
enum {
    FRAME_RETURN_TO_CALLER, /* the result goes on the calling frame's stack */
    FRAME_RETURN_FROM_RUN,  /* it started a C-level run loop: returning leaves it */
    FRAME_RETURN_INIT,      /* __init__ run by CALL for a class call: the caller's
                               stack top is the new instance, which is the call's
                               result; __init__ must return None */
    FRAME_RETURN_TO_CALLER_WITH_LOCALS, /* as TO_CALLER, for a function's frame
                               that locals() gave a dict (vm_frame_give_locals):
                               only these have one, so the others' return need
                               not look */
    FRAME_RETURN_GEN_INLINE, /* a generator's frame that FOR_ITER resumed in
                               the same loop: a yield or return goes back to
                               that FOR_ITER (gen_enter_inline) */
    FRAME_RETURN_BINOP,     /* a user class's __op__ run by BINARY_OP or INPLACE_OP
                               (binop_of_class), the operator and whether in place
                               added as FRAME_RETURN_BINOP + 2 * op + inplace: the
                               caller's stack top holds the two operands, which the
                               result replaces (NotImplemented: the rest of the
                               operator's protocol) */
};

/* Where a frame's memory came from (Frame.memory), for giving it back. */
enum {
    FRAME_IN_CHUNK,  /* carved from the current value-stack chunk: the stack's
                        top goes back to the frame's own address */
    FRAME_NEW_CHUNK, /* carved at the start of a fresh chunk */
    FRAME_ON_HEAP,   /* a generator's heap frame: the value stack is untouched */
};

typedef struct Frame {
    struct Frame *back;       /* the calling frame, or NULL */
    /* code and globals are owned when function is NULL (module bodies);
       otherwise they are the function's, which the frame keeps alive. */
    CodeObject *code;
    Object *function;         /* owned FunctionObject; NULL for module bodies */
    Object *globals;          /* dict */
    Object *locals;           /* owned dict for module/class bodies, NULL for functions */
    int ip;                   /* index of the next instruction (saved at calls) */
    int lasti;                /* index of the instruction being executed (saved on errors);
                                 -1: a generator frame resumed by throw() */
    /* locals (code->nlocals), cells (code->ncells), then the value stack */
    Object **slots;
    Object **sp;              /* saved while the frame is not the running one */
#ifdef TOY_FREE_THREADED
    const uint32_t *instrs;   /* saved with ip: the instructions (this thread's
                                 copy of code's) the frame ran when it called,
                                 for the return to it (LOAD_FRAME_BACK) */
#endif

    /* frame.c bookkeeping */
    Object **prev_stack_top;  /* FRAME_NEW_CHUNK: ts->stack_top before the frame
                                 was carved */
    int nblocks;
    uint8_t on_return;        /* FRAME_RETURN_*: what returning from it does */
    uint8_t memory;           /* FRAME_IN_CHUNK etc.: where its memory came from */
    uint8_t yielded;          /* generator frames: the last run ended at a yield
                                 (1), or at the yield of a yield from (2: a hint,
                                 the instruction before ip says for sure) */
    FrameBlock blocks[FRAME_MAX_BLOCKS];
} Frame;

/* Run a module or class body: locals is the namespace dict (for a module,
   the same dict as globals). Returns the result (None) or NULL. */
Object *vm_run_code(CodeObject *code, Object *globals, Object *locals);

/* Run a class body: func's code with func's globals and closure, and the
   given namespace dict as its locals (used by __build_class__). */
Object *vm_run_class_body(Object *func, Object *ns);

/* Call a Toy function (the call slot of function_type). */
Object *vm_call_function(Object *func, Object *const *args, size_t nargs, Object *kwnames);

/* ---- Generators -------------------------------------------------------
 * A generator's frame lives in a heap block owned by its generator object
 * (objects/genobject.c), not on a thread's value stack. Resuming links it
 * on top of the running thread's frame chain and runs it as the entry frame
 * of a fresh run(); a yield unlinks it again. */

/* Resume the suspended generator frame f on this thread. Unless throwing,
   value (borrowed) becomes the result of the yield it is suspended at;
   throwing raises the current exception there instead. *exc_state (owned,
   may be NULL) is the exception the generator was handling when it
   suspended: it is the thread's handled exception while the frame runs.
   Returns the yielded value with *suspended true; otherwise f has finished
   (its contents and memory are released) and the result is its return
   value, or NULL with its exception. A NULL with *suspended true means f
   could not be resumed (RecursionError) and is unchanged. */
Object *vm_generator_resume(Frame *f, Object *value, bool throwing, Object **exc_state,
                            bool *suspended);
/* The subiterator of a generator frame suspended inside `yield from`
   (borrowed), or NULL. */
Object *vm_generator_delegate(Frame *f);
/* For a frame suspended inside `yield from` whose subiterator has finished:
   drop the subiterator and move past the loop, so that the value the next
   resumption sends in becomes the value of the `yield from`. */
void vm_generator_leave_delegate(Frame *f);
/* Is a started frame suspended inside a try, except or with block (so that
   closing it runs code)? */
bool vm_generator_in_block(Frame *f);
/* Release what a suspended (or never started) generator frame owns, then
   its memory. */
void vm_generator_frame_free(Frame *f);

/* The eval loop calls this when gil_breaker_set(): it lets a waiting
   thread have the GIL if one asked, and raises KeyboardInterrupt in the main
   thread when a Ctrl-C is pending. 0, or -1 with an exception set (the
   loop then unwinds from the current instruction). Defined in
   vm_breaker.c. */
struct ThreadState;
int vm_eval_breaker(struct ThreadState *ts);

/* The innermost running frame of this thread (for super(), sys, tracebacks). */
Frame *vm_current_frame(void);

/* Give f, a function's frame without a locals dict, the dict locals (stolen:
   locals() keeps one per frame, as CPython 3.11). The frame releases it when
   it ends. */
void vm_frame_give_locals(Frame *f, Object *locals);

/* Guard for C code that may recurse without bound (through calls back into
   Toy, repr of nested objects, ...): returns 0, or -1 with RecursionError set
   when the C stack is close to exhausted. Cheap: one comparison. Every run
   loop entry and every built-in call from C checks it already. */
int vm_check_c_stack(void);

/* At start-up, after the first thread's state exists: in toy-ft, lets the
   eval loop step range iterators inline while that thread is alone
   (core/threadstate.h, ts_alone_inline_type). Nothing in the GIL build. */
void vm_init_inline_steps(void);

#endif
