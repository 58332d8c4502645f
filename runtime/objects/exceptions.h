/* exceptions.h - the built-in exception classes and exception objects.
 *
 * The hierarchy is CPython's. Exception instances are ordinary objects with an
 * instance dict, so user classes can subclass any of them and add attributes.
 * An exception owns its args tuple, its traceback chain and its
 * __cause__/__context__ links.
 */
#ifndef TOY_EXCEPTIONS_H
#define TOY_EXCEPTIONS_H

#include "core/object.h"

typedef struct Traceback {
    Object base;
    struct Traceback *next;  /* toward the frame where it was raised */
    Object *code;            /* CodeObject of the frame */
    int line;
    Object *kept;            /* tuple of the frame's local values, kept alive as
                                CPython's frame object keeps them, or NULL */
} Traceback;

typedef struct {
    Object base;
    Object *dict;
    Object *args;        /* tuple */
    Traceback *traceback;/* outermost frame first, or NULL */
    Object *cause;       /* raise ... from cause */
    Object *context;     /* exception being handled when this one was raised */
    bool suppress_context;
} ExceptionObject;

extern Type traceback_type;

#define EXCEPTION_TYPES(X) \
    X(BaseException, object_type) \
    X(SystemExit, exc_BaseException) \
    X(KeyboardInterrupt, exc_BaseException) \
    X(GeneratorExit, exc_BaseException) \
    X(Exception, exc_BaseException) \
    X(StopIteration, exc_Exception) \
    X(ArithmeticError, exc_Exception) \
    X(ZeroDivisionError, exc_ArithmeticError) \
    X(OverflowError, exc_ArithmeticError) \
    X(FloatingPointError, exc_ArithmeticError) \
    X(AssertionError, exc_Exception) \
    X(AttributeError, exc_Exception) \
    X(BufferError, exc_Exception) \
    X(EOFError, exc_Exception) \
    X(ImportError, exc_Exception) \
    X(ModuleNotFoundError, exc_ImportError) \
    X(LookupError, exc_Exception) \
    X(IndexError, exc_LookupError) \
    X(KeyError, exc_LookupError) \
    X(MemoryError, exc_Exception) \
    X(NameError, exc_Exception) \
    X(UnboundLocalError, exc_NameError) \
    X(OSError, exc_Exception) \
    X(BlockingIOError, exc_OSError) \
    X(ChildProcessError, exc_OSError) \
    X(ConnectionError, exc_OSError) \
    X(BrokenPipeError, exc_ConnectionError) \
    X(ConnectionAbortedError, exc_ConnectionError) \
    X(ConnectionRefusedError, exc_ConnectionError) \
    X(ConnectionResetError, exc_ConnectionError) \
    X(FileExistsError, exc_OSError) \
    X(FileNotFoundError, exc_OSError) \
    X(InterruptedError, exc_OSError) \
    X(IsADirectoryError, exc_OSError) \
    X(NotADirectoryError, exc_OSError) \
    X(PermissionError, exc_OSError) \
    X(ProcessLookupError, exc_OSError) \
    X(TimeoutError, exc_OSError) \
    X(UnsupportedOperation, exc_OSError) \
    X(RuntimeError, exc_Exception) \
    X(NotImplementedError, exc_RuntimeError) \
    X(RecursionError, exc_RuntimeError) \
    X(ReferenceError, exc_Exception) \
    X(SystemError, exc_Exception) \
    X(SyntaxError, exc_Exception) \
    X(IndentationError, exc_SyntaxError) \
    X(TabError, exc_IndentationError) \
    X(TypeError, exc_Exception) \
    X(ValueError, exc_Exception) \
    X(UnicodeError, exc_ValueError) \
    X(Warning, exc_Exception) \
    X(UserWarning, exc_Warning) \
    X(DeprecationWarning, exc_Warning) \
    X(PendingDeprecationWarning, exc_Warning) \
    X(SyntaxWarning, exc_Warning) \
    X(RuntimeWarning, exc_Warning) \
    X(FutureWarning, exc_Warning) \
    X(ImportWarning, exc_Warning) \
    X(UnicodeWarning, exc_Warning) \
    X(BytesWarning, exc_Warning) \
    X(ResourceWarning, exc_Warning) \
    X(EncodingWarning, exc_Warning)

/* UnsupportedOperation is io.UnsupportedOperation; in CPython it also
   derives from ValueError, which single inheritance cannot express. */
#define DECLARE_EXC(name, base) extern Type exc_##name;
EXCEPTION_TYPES(DECLARE_EXC)
#undef DECLARE_EXC

/* Exception classes that belong to a C module rather than to the builtins:
   readied with the others, but only the module makes them visible. Their
   name says the module ("socket.gaierror"), as CPython's C types do. */
#define MODULE_EXCEPTION_TYPES(X) \
    X(socket_gaierror, "socket.gaierror", exc_OSError) \
    X(socket_herror, "socket.herror", exc_OSError)

#define DECLARE_MODULE_EXC(cname, pyname, base) extern Type exc_##cname;
MODULE_EXCEPTION_TYPES(DECLARE_MODULE_EXC)
#undef DECLARE_MODULE_EXC

static inline bool is_exception(Object *o) { return (o->type->flags & TYPE_EXCEPTION) != 0; }

/* Create type(*args) for a built-in or user exception class. New reference. */
Object *exception_new(Type *type, Object *args /* tuple, borrowed */);
/* Prepend a traceback entry (code, line) to exc's chain. 0 / -1. */
int exception_add_traceback(Object *exc, Object *code, int line);

/* exc.__context__ as a new reference, or NULL; read under exc's lock, since
   another thread raising the same exception may be replacing it. */
Object *exception_context_ref(Object *exc);
/* exc.__context__ = ctx (NULL clears it), under exc's lock. */
void exception_set_context_link(Object *exc, Object *ctx);
/* If exc.__context__ is ctx, clear it and return true: the caller then owns
   the reference the link held. */
bool exception_unlink_context(Object *exc, Object *ctx);
/* The exception leaves the frame running code: its newest traceback entry
   (the frame's) keeps the frame's local values (n of them, NULL ones and
   exc itself skipped) alive for as long as the exception lives, as a CPython frame
   does. Only needed when a __del__ could tell the difference. 0, or -1 with
   an exception set. */
int exception_keep_locals(Object *exc, Object *code, Object *const *values, size_t n);
/* str(e) as Python computes it (KeyError: repr of its single arg). */
Object *exception_str(Object *exc);

/* Register the exception classes in the builtins dict (readies them first;
   also adds the aliases IOError and EnvironmentError for OSError). */
int exceptions_init(Object *builtins);
/* Release the exception classes' dicts and what the preallocated MemoryError
   holds. Called by class_fini() at exit. */
void exceptions_fini(void);

/* Allocate an instance of an exception class (built-in or user) with
   args = the given positional arguments, without running any __init__.
   class.c uses it for user subclasses, as BaseException.__new__ does. */
Object *exception_alloc(Type *type, Object *const *args, size_t nargs);
/* The traceback chain of an exception (borrowed), or NULL. */
static inline Traceback *exception_traceback(Object *exc) {
    return ((ExceptionObject *)exc)->traceback;
}

/* Raise the OSError subclass for errno err, as CPython picks it (ENOENT ->
   FileNotFoundError, EEXIST -> FileExistsError, EACCES/EPERM ->
   PermissionError, EISDIR -> IsADirectoryError, ENOTDIR ->
   NotADirectoryError, EPIPE -> BrokenPipeError, EINTR -> InterruptedError,
   ECHILD -> ChildProcessError, ESRCH -> ProcessLookupError, EAGAIN ->
   BlockingIOError, ETIMEDOUT -> TimeoutError, else OSError), with args
   (errno, strerror) and the attribute filename (borrowed; NULL: None), so
   str(e) is "[Errno 2] No such file or directory: 'x.txt'". Returns NULL. */
Object *error_set_from_errno(int err, Object *filename);
/* The same with a second file name (os.rename): "... : 'a' -> 'b'". */
Object *error_set_from_errno2(int err, Object *filename, Object *filename2);

#endif
