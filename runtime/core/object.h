/* object.h - the object header, the type table, and the generic object API.
 *
 * Every value in Toy is a pointer to a heap (or static) object that starts
 * with an Object header: a reference count and a pointer to its Type. The
 * Type holds the behaviour: a table of C functions ("slots") that the VM and
 * the built-ins call through. A slot left NULL means "this type does not
 * support the operation", and the generic functions in abstract.h raise the
 * TypeError Python would.
 *
 * Ownership follows refcount.h: results are new references, arguments are
 * borrowed, NULL means an exception is set (error.h).
 *
 * Thread-safety: objects are protected by the GIL. Nothing here is safe to
 * call without it, except where a comment says otherwise.
 *
 * Built-in types are static Type structs with immortal counts; their method
 * tables (MethodDef arrays) are turned into entries of type->dict by
 * type_ready() at start-up. User classes are heap-allocated Types (TYPE_HEAP)
 * created by class_new() in class.c; their instances find behaviour through
 * generic slots that look up dunder methods (__add__, __len__, ...).
 */
#ifndef TOY_OBJECT_H
#define TOY_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Type Type;

#ifndef TOY_FREE_THREADED
typedef struct Object {
    intptr_t refcnt;
    Type *type;
} Object;

/* Header initialisers for static (immortal) objects and types:
     Type int_type = { TYPE_HEAD_INIT, .name = "int", ... };
     Object none_object = STATIC_OBJECT_INIT(none_type);            */
#define STATIC_OBJECT_INIT(type_) { .refcnt = ((intptr_t)1 << 60), .type = &(type_) }
#else
/* The free-threaded build (toy-ft): a biased reference count (core/biased.h).
   owner: the id of the thread that owns the object, or one of the marks
   BIASED_OWNER_IMMORTAL / BIASED_OWNER_MERGED; local: the owner's count, a
   plain load and store by the owner only; shared: every other thread's
   count, updated atomically, shifted left by BIASED_SHIFT, flags below. */
typedef struct Object {
    _Atomic uint32_t owner;
    _Atomic uint32_t local;
    _Atomic intptr_t shared;
    Type *type;
} Object;

#define STATIC_OBJECT_INIT(type_) \
    { .owner = UINT32_MAX, .local = UINT32_MAX, .shared = 0, .type = &(type_) }
#endif

#define TYPE(o) (((Object *)(o))->type)
#define TYPE_HEAD_INIT .base = STATIC_OBJECT_INIT(type_type)

/* ---- Slot signatures -------------------------------------------------- */

typedef void (*DeallocFunc)(Object *self);
typedef Object *(*UnaryFunc)(Object *self);
typedef Object *(*BinaryFunc)(Object *a, Object *b);
/* Returns -1 with an exception set on error. */
typedef int64_t (*HashFunc)(Object *self);
typedef int64_t (*LenFunc)(Object *self);
/* 1 true, 0 false, -1 error. */
typedef int (*TruthFunc)(Object *self);
typedef int (*ContainsFunc)(Object *container, Object *item);
/* value NULL means delete. 0 ok, -1 error. */
typedef int (*SetItemFunc)(Object *self, Object *key, Object *value);
typedef Object *(*GetAttrFunc)(Object *self, Object *name /* str */);
typedef int (*SetAttrFunc)(Object *self, Object *name, Object *value);
/* The descriptor protocol (__get__, __set__/__delete__) of an object found
   on a class: get(descr, obj, type) with obj NULL when looked up on the class
   itself; set(descr, obj, value) with value NULL to delete. */
typedef Object *(*DescrGetFunc)(Object *descr, Object *obj, Type *type);
typedef int (*DescrSetFunc)(Object *descr, Object *obj, Object *value);
/* Returns an object, NotImplemented (new ref) if it cannot compare these
   operands, or NULL on error. op is a CompareOp. */
typedef Object *(*RichCompareFunc)(Object *a, Object *b, int op);

/* The calling convention for everything callable ("vector call"):
 * args[0..nargs) are the positional arguments; when kwnames (a tuple of str)
 * is not NULL, args[nargs..nargs+len(kwnames)) are the keyword values in the
 * same order. All borrowed. */
typedef Object *(*CallFunc)(Object *callable, Object *const *args, size_t nargs,
                            Object *kwnames);
/* Calling a type: type(args) -> new instance. Same convention, the type
   passed as the first parameter. */
typedef Object *(*ConstructFunc)(Type *type, Object *const *args, size_t nargs,
                                 Object *kwnames);
/* Next item of an iterator: a new reference, or NULL. NULL with no exception
   set means the iterator is exhausted (StopIteration is not materialised on
   the fast path). */
typedef Object *(*IterNextFunc)(Object *iter);

/* The buffer protocol (objects/buffer.h): an object that holds raw memory
   (bytes, bytearray, memoryview, array.array) lends it to another without a
   copy. getbuffer fills *view and takes a reference to the exporter; 0, or
   -1 with an exception set. releasebuffer (optional) is called once per
   successful getbuffer, when the borrower is done. */
typedef struct Buffer Buffer;
typedef int (*GetBufferFunc)(Object *self, Buffer *view);
typedef void (*ReleaseBufferFunc)(Object *self, Buffer *view);

/* The cycle collector's slots (objects/gc.h). traverse calls visit once for
   each object that self holds a counted reference to (NULL fields skipped),
   and returns the first nonzero result of visit, or 0. clear drops the
   references that could take part in a cycle, leaving self valid (empty)
   for its dealloc; 0. is_gc says whether one particular instance of a
   TYPE_GC type has a collector head (static instances do not); NULL: all
   do. finalize is a finalizer that is not __del__ (a suspended generator
   closing): the collector calls it once on garbage before breaking cycles. */
typedef int (*VisitFunc)(Object *o, void *arg);
typedef int (*TraverseFunc)(Object *self, VisitFunc visit, void *arg);
typedef int (*ClearFunc)(Object *self);
typedef bool (*IsGcFunc)(Object *self);
typedef void (*FinalizeFunc)(Object *self);

/* In a traverse function: visit o when it is not NULL, return early on a
   nonzero result. */
#define VISIT(o)                                              \
    do {                                                      \
        Object *vo_ = (Object *)(o);                          \
        if (vo_) {                                            \
            int vr_ = visit(vo_, arg);                        \
            if (vr_) return vr_;                              \
        }                                                     \
    } while (0)

/* A built-in function or method. For methods, self is the receiver; for module
   functions, self is the module (or NULL). */
typedef Object *(*CFunction)(Object *self, Object *const *args, size_t nargs,
                             Object *kwnames);

typedef struct {
    const char *name;
    CFunction func;
    const char *doc; /* optional, may be NULL */
} MethodDef;

/* A computed attribute of a built-in type's instances (int.real,
   range.start, f.__name__), shown in the type's dict as a getset
   descriptor (objects/getset.h) so that dir() and the class see it. get
   computes it (a new reference, or NULL with an exception); a NULL get
   means the type's own getattr slot serves the name before any generic
   lookup, and the descriptor asks that slot. member: CPython stores this
   one in a struct field (its class shows <member 'start' of 'range'
   objects> rather than <attribute ...>). */
typedef struct {
    const char *name;
    Object *(*get)(Object *self);
    bool member;
} GetSetDef;

typedef enum {
    BINOP_ADD, BINOP_SUB, BINOP_MUL, BINOP_TRUEDIV, BINOP_FLOORDIV, BINOP_MOD,
    BINOP_POW, BINOP_LSHIFT, BINOP_RSHIFT, BINOP_AND, BINOP_OR, BINOP_XOR,
    BINOP_COUNT
} BinaryOp;

typedef enum { CMP_LT, CMP_LE, CMP_EQ, CMP_NE, CMP_GT, CMP_GE } CompareOp;

enum {
    TYPE_HEAP = 1 << 0,      /* a user class: heap allocated, refcounted */
    TYPE_BASETYPE = 1 << 1,  /* may be subclassed */
    TYPE_EXCEPTION = 1 << 2, /* BaseException or a subclass */
    TYPE_DATA_DESCRS = 1 << 3, /* a class of this MRO may hold a data descriptor
                                  (a value whose type has descr_set): attribute
                                  access must not take the instance dict first */
    TYPE_GETATTRIBUTE = 1 << 4, /* a user class of the MRO defines __getattribute__:
                                   every attribute read goes through it */
    TYPE_NO_DICT = 1 << 5,      /* __slots__ without "__dict__" in every base too:
                                   instances never get an attribute dict */
    TYPE_FINALIZER = 1 << 6,    /* a user class of the chain defines (or once
                                   defined) __del__: its dealloc runs it first */
    TYPE_BASE_IN_CPYTHON = 1 << 7, /* CPython lets classes derive from this built-in
                                      type and Toy does not (yet): class.c says so */
    TYPE_WEAKREFABLE = 1 << 15, /* instances may be weakly referenced: their
                                   dealloc clears the weak references to them
                                   (objects/weakref.h) */
    TYPE_GC = 1 << 16,          /* instances may hold references (containers):
                                   object_alloc puts a collector head (GCHead,
                                   core/gchead.h) in front of them and the cycle
                                   collector follows their traverse slot; every
                                   user class has it */
    TYPE_GC_UNTRACKED_AT_BIRTH = 1 << 17, /* TYPE_GC, but a new instance (of
                                   exactly this built-in type) starts untracked
                                   and its type tracks it when it first holds a
                                   reference that may be tracked (dict, as
                                   CPython); ignored on user classes */
};

struct Type {
    Object base;
    const char *name;        /* for built-ins; user classes also keep name_obj */
    Type *base_type;         /* __base__: the base whose instance layout this type's
                                instances extend (the only base, with one); NULL
                                only for `object` */
    Type **mro;              /* the method resolution order, mro[0] == this type,
                                object last (objects/mro.h); set by type_ready
                                or class creation; entries borrowed */
    size_t mro_len;
    size_t instance_size;    /* bytes of a fixed-size instance */
    ptrdiff_t dict_offset;   /* offset of an `Object *dict` in instances, or 0;
                                negative: in the prefix (prefix_word_offset) */
    size_t prefix_size;      /* bytes allocated before each instance's header: the
                                __dict__ and __slots__ values of a user class derived
                                from a built-in type other than object (class.c) */
    Type *builtin_base;      /* user classes: the built-in type whose layout the
                                instances have (base_type's nearest; object for plain
                                classes); NULL for built-in types */
    unsigned flags;
    uint32_t version_tag;    /* 0, or a number naming the contents of the
                                dicts of this class and its bases; in the
                                padding after flags (objects/typeversion.h) */
    Object *dict;            /* str -> attribute; methods live here */
    Object *name_obj;        /* str, for heap types (NULL for static ones) */
    const MethodDef *methods;/* static method table, installed by type_ready */
    const GetSetDef *getsets;/* static computed attributes, installed by type_ready */

    DeallocFunc dealloc;
    UnaryFunc repr;
    UnaryFunc str;           /* NULL: use repr */
    HashFunc hash;           /* NULL: unhashable (static types never inherit
                                hash, construct or dealloc; see type_inherit_slots) */
    RichCompareFunc richcompare;
    CallFunc call;           /* calling an instance */
    ConstructFunc construct; /* calling the type itself */
    GetAttrFunc getattr;     /* NULL: object_generic_getattr */
    SetAttrFunc setattr;     /* NULL: object_generic_setattr */
    DescrGetFunc descr_get;  /* instances are descriptors (__get__) */
    DescrSetFunc descr_set;  /* ... data descriptors (__set__/__delete__) */
    UnaryFunc iter;
    IterNextFunc iternext;
    LenFunc len;
    BinaryFunc getitem;
    SetItemFunc setitem;
    ContainsFunc contains;
    TruthFunc truth;         /* NULL: use len, else always true */
    UnaryFunc neg, pos, invert, absolute;
    UnaryFunc to_int;        /* int(x) */
    UnaryFunc to_float;      /* float(x) */
    UnaryFunc index;         /* x used as an index/int without loss (__index__) */
    BinaryFunc binary[BINOP_COUNT];  /* called for a OP b with a or b of this type */
    BinaryFunc inplace[BINOP_COUNT]; /* a OP= b; NULL: fall back to binary */
    GetBufferFunc getbuffer;         /* NULL: not a bytes-like object */
    ReleaseBufferFunc releasebuffer; /* NULL: nothing to undo */
    TraverseFunc traverse;           /* TYPE_GC: the references held */
    ClearFunc clear;                 /* TYPE_GC: drop them (NULL: cannot, as tuple) */
    IsGcFunc is_gc;                  /* TYPE_GC with static instances: has this one a head? */
    FinalizeFunc finalize;           /* a built-in finalizer for garbage (generators) */
};

/* Has o a collector head in front of it? (a container, not a static one) */
static inline bool object_is_gc(Object *o) {
    Type *t = o->type;
    return (t->flags & TYPE_GC) && (!t->is_gc || t->is_gc(o));
}

/* ---- Static singletons and core types (immortal) ------------------------ */

extern Type type_type, object_type, none_type, notimplemented_type, ellipsis_type;
extern Object none_object, notimplemented_object, ellipsis_object;

#define None (&none_object)
#define NotImplemented (&notimplemented_object)
#define Ellipsis (&ellipsis_object)

static inline bool is_type(Object *o, Type *t) { return o->type == t; }

/* True when t is sub or in sub's MRO (one of its ancestors). */
bool type_is_subtype(Type *sub, Type *t);
static inline bool is_instance_of(Object *o, Type *t) {
    return o->type == t || type_is_subtype(o->type, t);
}
/* Is o an instance of the built-in type t or of a user class derived from
   it? The type checks is_str, is_list, ... : two comparisons and no call,
   so that they cost the fast paths nothing. */
static inline bool is_builtin_instance(Object *o, Type *t) {
    return o->type == t || o->type->builtin_base == t;
}

/* ---- The prefix of a user class's instances ----------------------------
   An instance of a user class derived from a built-in type other than
   object (int, str, list, ...) has that type's layout; the object pointers
   the class chain adds (the attribute dict, the __slots__ values) lie
   before the header, in a prefix of type->prefix_size bytes that
   object_alloc/object_free allocate and release with the object:

     block start                              the object pointer
     | word n-1 | ... | word 1 | word 0 | refcnt | type | built-in fields |

   These functions are the one place that knows where the prefix lies:
   prefix_word_offset(i) is where word i lies from the object pointer (the
   member descriptors of __slots__ and dict_offset hold such offsets), and
   heap_bytes_before(t) how many bytes of the memory block of a t instance
   precede its header. A header added in front of heap instances (a cycle
   collector's) changes only them. */
/* The bytes of the collector head (core/gchead.h checks it), which every
   instance of a user class has right before its header; the prefix lies
   before the head:

     | (padding) | word n-1 | ... | word 0 | GCHead | refcnt | type | ... | */
#define OBJECT_GC_HEAD_SIZE 32
static inline ptrdiff_t prefix_word_offset(size_t i) {
    return -(ptrdiff_t)(OBJECT_GC_HEAD_SIZE + (i + 1) * sizeof(Object *));
}
static inline Object **prefix_word(Object *o, size_t i) {
    return (Object **)((char *)o + prefix_word_offset(i));
}
static inline size_t heap_bytes_before(const Type *t) {
    return t->prefix_size + OBJECT_GC_HEAD_SIZE;
}
/* The prefix_size of n words: a multiple of 16 bytes keeps the object
   16-byte aligned. */
static inline size_t prefix_size_for(size_t nwords) {
    return (nwords * sizeof(Object *) + 15) / 16 * 16;
}

/* ---- Object allocation --------------------------------------------------- */

/* Allocate size bytes for a new object of the given type, refcnt 1, rest of the
   memory zeroed. Raises MemoryError and returns NULL on failure. Heap types
   (user classes) gain a reference from each instance, and their instances get
   type->prefix_size zeroed bytes before the header. */
Object *object_alloc(Type *type, size_t size);
/* object_alloc that zeroes only the first `zeroed` bytes (the header and the
   fixed fields): for an object whose variable part the caller fills at
   once, as the characters of a new str, which need no clearing first. */
Object *object_alloc_unfilled(Type *type, size_t size, size_t zeroed);
/* Release the memory of an object whose type's dealloc has already released
   its contents. Every dealloc ends with this. For instances of heap types it
   also releases the instance's reference to its type (taken by object_alloc),
   so deallocs never DECREF their type themselves. */
void object_free(Object *o, size_t size);

/* ---- Type set-up --------------------------------------------------------- */

/* Prepare a static type at start-up: create its dict, compute its MRO (its
   base's, after it), install the MethodDef table as method descriptors, add
   a slot wrapper (int.__add__) for each slot the type fills in itself
   (objects/slotwrapper.h), inherit NULL slots from the base type.
   Readying a type twice is harmless.
   Returns 0, or -1 with an exception set. */
int type_ready(Type *type);
/* Inherit every NULL slot of t from t->base_type (used by type_ready and by
   class creation). */
void type_inherit_slots(Type *t);
/* Look name up in the dicts of t's MRO, in order. Borrowed; NULL (no
   exception) if absent. */
Object *type_lookup(Type *t, Object *name);
/* Same, with a C string (interns it). Borrowed. */
Object *type_lookup_cstr(Type *t, const char *name);
/* The generic attribute lookups' form of type_lookup: class_attr_get
   finds name along t's MRO, class_attr_put gives back what it found (NULL
   allowed) once the caller has its own reference. In the GIL build that is
   type_lookup's borrowed value and nothing to give back; in toy-ft another
   thread may rebind the attribute and free the value at any moment, so it
   is a new reference, taken under the class dict's lock (or none needed:
   an immortal value read without it). class_attr_keep: the caller's own
   reference to what class_attr_get found, in place of class_attr_put. */
#ifdef TOY_FREE_THREADED
Object *type_lookup_ref(Type *t, Object *name);
#define class_attr_get(t, name) type_lookup_ref(t, name)
#define class_attr_put(v) XDECREF(v)
#define class_attr_keep(v) (v)
#else
#define class_attr_get(t, name) type_lookup(t, name)
#define class_attr_put(v) ((void)(v))
#define class_attr_keep(v) NEWREF(v)
#endif

/* ---- Generic attribute access (object.c) ------------------------------- */

/* Python's lookup: a data descriptor found on the class, else the instance
   dict, else what the class holds, through its __get__ when it has one
   (functions and method descriptors become bound methods). */
Object *object_generic_getattr(Object *self, Object *name);
int object_generic_setattr(Object *self, Object *name, Object *value);
/* The same lookups with another dict standing for the instance's own
   (threading.local gives each thread one): dict may be NULL (none yet);
   dictptr is where a store creates the dict when *dictptr is NULL. */
Object *object_getattr_with_dict(Object *self, Object *name, Object *dict);
int object_setattr_with_dict(Object *self, Object *name, Object *value, Object **dictptr);
/* The instance's dict slot (borrowed pointer to the field), or NULL (no
   dict: a built-in type without one, or a class with __slots__). */
Object **object_dict_ptr(Object *self);
/* The dict in an instance's dict slot, or NULL. In toy-ft another thread
   may assign obj.__dict__ (the dict replaced stays alive: object.c makes it
   immortal) or make the dict on demand, so the slot is read with an atomic
   load. */
static inline Object *instance_dict_load(Object *const *dictptr) {
#ifdef TOY_FREE_THREADED
    return __atomic_load_n(dictptr, __ATOMIC_ACQUIRE);
#else
    return *dictptr;
#endif
}
/* The dict in the slot, made there if there is none yet (borrowed; NULL
   with the error set when it cannot be made). In toy-ft two threads may
   make it at once: one dict wins, installed with a compare-and-swap. The
   GIL build's form is expanded where dict_new is known. */
#ifdef TOY_FREE_THREADED
Object *instance_dict_make(Object **dictptr);
#else
#define instance_dict_make(dictptr) (*(dictptr) ? *(dictptr) : (*(dictptr) = dict_new()))
#endif

/* Identity-based hash (id(o) scrambled), for types hashed by identity. */
int64_t object_identity_hash(Object *o);
/* The hash slot of a mutable built-in type (list, dict, set): raises
   "unhashable type". Its class shows __hash__ = None, as in CPython. */
int64_t object_hash_not_implemented(Object *o);
/* Default repr: <TYPE object at 0x...>. */
Object *object_default_repr(Object *o);

/* The name of an object's type, for error messages. */
const char *type_name(Type *t);
#define TYPE_NAME(o) type_name(TYPE(o))

/* Start-up and teardown of a NULL-terminated list of static types
   (objects/types.c lists the objects layer's, modules/modules.c the C
   modules'): type_ready on each; at exit, release their dicts and MROs,
   and the names slotwrapper_add_all interned once (for leak counting). */
int types_init(Type *const *types);
void types_fini(Type *const *types);

#endif
