/* vm.h - the bytecode interpreter.
 *
 * Frames live on the thread's value stack (ThreadState.stack_base..): a call
 * pushes a Frame header followed by its local slots, cell slots and value
 * stack, and pops them on return, so a call allocates nothing on the heap.
 *
 * Every frame runs under the GIL. The eval loop checks the thread's
 * "eval breaker" at backward jumps and calls (gil.h decides what it means).
 */
#ifndef TOY_VM_H
#define TOY_VM_H

#include "code.h"

typedef struct Frame {
    struct Frame *back;       /* the calling frame, or NULL */
    CodeObject *code;         /* owned */
    Object *function;         /* owned FunctionObject, or NULL for module/class bodies */
    Object *globals;          /* owned dict */
    Object *locals;           /* owned dict for module/class bodies, NULL for functions */
    int ip;                   /* index of the next instruction */
    int lasti;                /* index of the instruction being executed (tracebacks) */
    /* locals (code->nlocals), cells (code->ncells), then the value stack */
    Object **slots;
    Object **sp;
} Frame;

/* Run a module or class body: locals is the namespace dict (for a module,
   the same dict as globals). Returns the result (None) or NULL. */
Object *vm_run_code(CodeObject *code, Object *globals, Object *locals);

/* Run a class body: func's code with func's globals and closure, and the
   given namespace dict as its locals (used by __build_class__). */
Object *vm_run_class_body(Object *func, Object *ns);

/* Call a Toy function (the call slot of function_type). */
Object *vm_call_function(Object *func, Object *const *args, size_t nargs, Object *kwnames);

/* The innermost running frame of this thread (for super(), sys, tracebacks). */
Frame *vm_current_frame(void);

#endif
