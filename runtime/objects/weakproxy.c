/* weakproxy.c - weakref.ProxyType and weakref.CallableProxyType.
 *
 * A proxy is a WeakRef (weakref.h) that stands for its referent: every
 * operation on it (attributes, operators, comparisons, len, items,
 * iteration, calls for the callable kind) is done on the referent instead,
 * with proxies among the operands replaced by their referents. Once the
 * referent is dead every operation raises ReferenceError. Proxies are not
 * hashable, as in CPython. Each operation holds a reference to the
 * referent while it runs, since the operation may drop the last other one.
 */
#include "objects/weakref.h"

#include <string.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/str.h"

static bool is_proxy(Object *o) {
    return TYPE(o) == &weakproxy_type || TYPE(o) == &weakcallableproxy_type;
}

/* A new reference to what o stands for: o itself, or a proxy's referent
   (NULL with ReferenceError when it is dead). */
static Object *unwrap(Object *o) {
    if (!is_proxy(o)) return NEWREF(o);
    Object *r = weakref_get_new(o);
    if (!r) return error_set(&exc_ReferenceError, "weakly-referenced object no longer exists");
    return r;
}

static void proxy_dealloc(Object *self) {
    /* the same as a ref's: unlink, release the callback */
    weakref_type.dealloc(self);
}

/* <weakproxy at 0x... to C at 0x...>; a dead one names None, as CPython's
   does. */
static Object *proxy_repr(Object *self) {
    Object *o = weakref_get_new(self);
    if (!o) o = NEWREF(None);
    Object *r = str_from_format("<weakproxy at %p to %s at %p>", (void *)self, TYPE(o)->name,
                                (void *)o);
    DECREF(o);
    return r;
}

/* The forwarding functions, one shape per slot signature. */
#define FORWARD_UNARY(fname, expr)                                       \
    static Object *fname(Object *self) {                                 \
        Object *o = unwrap(self);                                        \
        if (!o) return NULL;                                             \
        Object *res = (expr);                                            \
        DECREF(o);                                                       \
        return res;                                                      \
    }

FORWARD_UNARY(proxy_str, object_str(o))
FORWARD_UNARY(proxy_iter, object_iter(o))
FORWARD_UNARY(proxy_neg, object_negative(o))
FORWARD_UNARY(proxy_pos, object_positive(o))
FORWARD_UNARY(proxy_invert, object_invert(o))
FORWARD_UNARY(proxy_index, object_index(o))

static Object *call_slot(Object *o, UnaryFunc f, const char *what) {
    if (f) return f(o);
    return error_set(&exc_TypeError, "bad operand type for %s: '%s'", what, TYPE_NAME(o));
}

FORWARD_UNARY(proxy_abs, call_slot(o, TYPE(o)->absolute, "abs()"))
FORWARD_UNARY(proxy_int, call_slot(o, TYPE(o)->to_int, "int()"))
FORWARD_UNARY(proxy_float, call_slot(o, TYPE(o)->to_float, "float()"))

/* next(proxy): the referent must be an iterator. */
static Object *proxy_iternext(Object *self) {
    Object *o = unwrap(self);
    if (!o) return NULL;
    Object *res = NULL;
    if (!TYPE(o)->iternext)
        error_set(&exc_TypeError, "Weakref proxy referenced a non-iterator '%s' object",
                  TYPE_NAME(o));
    else
        res = TYPE(o)->iternext(o);
    DECREF(o);
    return res;
}

static Object *proxy_getattr(Object *self, Object *name) {
    Object *o = unwrap(self);
    if (!o) return NULL;
    Object *res = object_getattr(o, name);
    DECREF(o);
    return res;
}

static int proxy_setattr(Object *self, Object *name, Object *value) {
    Object *o = unwrap(self);
    if (!o) return -1;
    int rc = value ? object_setattr(o, name, value) : object_delattr(o, name);
    DECREF(o);
    return rc;
}

/* Both operands unwrapped (either may be the proxy), then op. */
static Object *binary_unwrapped(Object *a, Object *b, BinaryOp op, bool inplace) {
    Object *x = unwrap(a);
    if (!x) return NULL;
    Object *y = unwrap(b);
    if (!y) {
        DECREF(x);
        return NULL;
    }
    Object *res = inplace ? object_inplace_op(x, y, op) : object_binary_op(x, y, op);
    DECREF(x);
    DECREF(y);
    return res;
}

#define BINARY_SLOTS(X)                                                                     \
    X(ADD, add) X(SUB, sub) X(MUL, mul) X(TRUEDIV, truediv) X(FLOORDIV, floordiv) X(MOD, mod) \
    X(POW, pow) X(LSHIFT, lshift) X(RSHIFT, rshift) X(AND, and) X(OR, or) X(XOR, xor)

#define DEFINE_BINARY(OP, op)                                                                  \
    static Object *proxy_##op(Object *a, Object *b) { return binary_unwrapped(a, b, BINOP_##OP, false); } \
    static Object *proxy_i##op(Object *a, Object *b) { return binary_unwrapped(a, b, BINOP_##OP, true); }
BINARY_SLOTS(DEFINE_BINARY)
#undef DEFINE_BINARY

static Object *proxy_richcompare(Object *a, Object *b, int op) {
    Object *x = unwrap(a);
    if (!x) return NULL;
    Object *y = unwrap(b);
    if (!y) {
        DECREF(x);
        return NULL;
    }
    Object *res = object_compare(x, y, (CompareOp)op);
    DECREF(x);
    DECREF(y);
    return res;
}

static int proxy_truth(Object *self) {
    Object *o = unwrap(self);
    if (!o) return -1;
    int t = object_truth(o);
    DECREF(o);
    return t;
}

static int64_t proxy_len(Object *self) {
    Object *o = unwrap(self);
    if (!o) return -1;
    int64_t n = object_len(o);
    DECREF(o);
    return n;
}

static Object *proxy_getitem(Object *self, Object *key) {
    Object *o = unwrap(self);
    if (!o) return NULL;
    Object *res = object_getitem(o, key);
    DECREF(o);
    return res;
}

static int proxy_setitem(Object *self, Object *key, Object *value) {
    Object *o = unwrap(self);
    if (!o) return -1;
    int rc = value ? object_setitem(o, key, value) : object_delitem(o, key);
    DECREF(o);
    return rc;
}

static int proxy_contains(Object *self, Object *item) {
    Object *o = unwrap(self);
    if (!o) return -1;
    int rc = object_contains(o, item);
    DECREF(o);
    return rc;
}

static Object *proxy_call(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    Object *o = unwrap(self);
    if (!o) return NULL;
    Object *res = object_call(o, args, nargs, kwnames);
    DECREF(o);
    return res;
}

#define SLOT_ENTRY(OP, op) [BINOP_##OP] = proxy_##op,
#define ISLOT_ENTRY(OP, op) [BINOP_##OP] = proxy_i##op,
#define PROXY_SLOTS                                                                      \
    TYPE_HEAD_INIT, .base_type = &object_type, .instance_size = sizeof(WeakRef),        \
    .flags = TYPE_GC, .traverse = weakref_traverse, .clear = weakref_gc_clear,          \
    .dealloc = proxy_dealloc, .repr = proxy_repr, .str = proxy_str,                     \
    .richcompare = proxy_richcompare, .getattr = proxy_getattr, .setattr = proxy_setattr, \
    .iter = proxy_iter, .iternext = proxy_iternext, .len = proxy_len,                   \
    .getitem = proxy_getitem, .setitem = proxy_setitem, .contains = proxy_contains,     \
    .truth = proxy_truth, .neg = proxy_neg, .pos = proxy_pos, .invert = proxy_invert,   \
    .absolute = proxy_abs, .to_int = proxy_int, .to_float = proxy_float,                \
    .index = proxy_index, .binary = {BINARY_SLOTS(SLOT_ENTRY)},                         \
    .inplace = {BINARY_SLOTS(ISLOT_ENTRY)}

Type weakproxy_type = {
    PROXY_SLOTS,
    .name = "weakref.ProxyType",
};

Type weakcallableproxy_type = {
    PROXY_SLOTS,
    .name = "weakref.CallableProxyType",
    .call = proxy_call,
};

Type *const weakref_types[] = {&weakref_type, &weakproxy_type, &weakcallableproxy_type, NULL};
