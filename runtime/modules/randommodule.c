/* randommodule.c - the _random module: the Mersenne Twister (MT19937)
 * generator under runtime/lib/random.toy, as CPython's _random is under
 * its random.py.
 *
 * _random.Random() objects hold the generator's 624 words of state and
 * the position of the next word to hand out. Seeded with the same int,
 * they produce CPython's sequences exactly: seed(n) feeds the 32-bit words
 * of |n| (least significant first) to the reference init_by_array; any
 * other object is seeded by its hash, and None by 624 words from the
 * system's entropy source (getrandom). random() combines 27 and 26 bits of
 * two outputs into a float with 53 random bits; getrandbits(k) fills k
 * bits from successive outputs, low word first.
 *
 * _random.sha512(data) is the digest random.seed() hashes str and bytes
 * seeds with (CPython's version-2 seeding).
 *
 * The state is only touched with the GIL held.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* getrandom */
#endif
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/tuple.h"
#include "modules/randommodule.h"
#include "modules/sha512.h"

#define MT_N 624 /* words of state */
#define MT_M 397 /* the distance of the word mixed in by the recurrence */

typedef struct {
    Object base;
    int index; /* next state word to hand out; MT_N: time to regenerate */
    uint32_t state[MT_N];
} RandomObject;

#define AS_RANDOM(o) ((RandomObject *)(o))

/* ---- The generator (the MT19937 reference algorithm) ---- */

static void mt_init(RandomObject *r, uint32_t seed) {
    r->state[0] = seed;
    for (int i = 1; i < MT_N; i++) {
        uint32_t prev = r->state[i - 1];
        r->state[i] = 1812433253u * (prev ^ (prev >> 30)) + (uint32_t)i;
    }
    r->index = MT_N;
}

/* Seeding with an array of any length: every key word affects the state. */
static void mt_init_by_array(RandomObject *r, const uint32_t *key, size_t n) {
    mt_init(r, 19650218u);
    uint32_t *s = r->state;
    size_t i = 1, j = 0;
    for (size_t k = n > MT_N ? n : MT_N; k > 0; k--) {
        s[i] = (s[i] ^ ((s[i - 1] ^ (s[i - 1] >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= MT_N) {
            s[0] = s[MT_N - 1];
            i = 1;
        }
        if (j >= n) j = 0;
    }
    for (size_t k = MT_N - 1; k > 0; k--) {
        s[i] = (s[i] ^ ((s[i - 1] ^ (s[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
        i++;
        if (i >= MT_N) {
            s[0] = s[MT_N - 1];
            i = 1;
        }
    }
    s[0] = 0x80000000u; /* a non-zero state, whatever the key */
}

/* The next 624 words, all at once. */
static void mt_regenerate(RandomObject *r) {
    uint32_t *s = r->state;
    for (int k = 0; k < MT_N; k++) {
        uint32_t y = (s[k] & 0x80000000u) | (s[(k + 1) % MT_N] & 0x7fffffffu);
        s[k] = s[(k + MT_M) % MT_N] ^ (y >> 1) ^ ((y & 1) ? 0x9908b0dfu : 0);
    }
    r->index = 0;
}

static uint32_t mt_next(RandomObject *r) {
    if (r->index >= MT_N) mt_regenerate(r);
    uint32_t y = r->state[r->index++];
    /* tempering */
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* ---- Seeding ---- */

/* 624 words from the system's entropy source; the time and process id if
   it fails (as CPython falls back). */
static void seed_from_entropy(RandomObject *r) {
    uint32_t key[MT_N];
    size_t want = sizeof key, got = 0;
    while (got < want) {
        ssize_t n = getrandom((char *)key + got, want - got, 0);
        if (n <= 0) break;
        got += (size_t)n;
    }
    if (got == want) {
        mt_init_by_array(r, key, MT_N);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint32_t fallback[4] = {(uint32_t)ts.tv_sec, (uint32_t)ts.tv_nsec, (uint32_t)getpid(),
                            (uint32_t)((uint64_t)ts.tv_sec >> 32)};
    mt_init_by_array(r, fallback, 4);
}

/* Seed with an object: None, an int (its absolute value's words), or
   anything hashable (the hash as an unsigned 64-bit number). 0 / -1. */
static int seed_from_object(RandomObject *r, Object *arg) {
    if (arg == None) {
        seed_from_entropy(r);
        return 0;
    }
    if (!is_instance_of(arg, &int_type)) {
        int64_t h = object_hash(arg);
        if (h == -1 && error_occurred()) return -1;
        uint64_t u = (uint64_t)h;
        uint32_t key[2] = {(uint32_t)u, (uint32_t)(u >> 32)};
        mt_init_by_array(r, key, key[1] ? 2 : 1);
        return 0;
    }
    const uint32_t *digits;
    uint32_t buf[2];
    bool negative;
    size_t n = int_digits_view(arg, &digits, buf, &negative);
    static const uint32_t zero = 0;
    if (n == 0) mt_init_by_array(r, &zero, 1);
    else mt_init_by_array(r, digits, n);
    return 0;
}

/* ---- Methods ---- */

static Object *random_seed(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("seed", nargs, kwnames, 0, 1) < 0) return NULL;
    if (seed_from_object(AS_RANDOM(self), nargs ? args[0] : None) < 0) return NULL;
    return NEWREF(None);
}

/* A float in [0, 1) with 53 random bits: 27 from one output, 26 from the
   next. */
static Object *random_random(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("Random.random", nargs, kwnames, 0, 0) < 0) return NULL;
    RandomObject *r = AS_RANDOM(self);
    uint32_t a = mt_next(r) >> 5, b = mt_next(r) >> 6;
    return float_from_double((a * 67108864.0 + b) * (1.0 / 9007199254740992.0));
}

/* The bit count of getrandbits, a C int as CPython takes it. 0 / -1. */
static int bit_count_arg(Object *arg, int64_t *k) {
    if (object_as_index(arg, k, NULL) < 0) {
        if (error_matches(&exc_OverflowError)) {
            error_clear();
            error_set(&exc_OverflowError, "Python int too large to convert to C int");
        }
        return -1;
    }
    if (*k > INT32_MAX || *k < INT32_MIN) {
        error_set(&exc_OverflowError, "Python int too large to convert to C int");
        return -1;
    }
    if (*k < 0) {
        error_set(&exc_ValueError, "number of bits must be non-negative");
        return -1;
    }
    return 0;
}

static Object *random_getrandbits(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    int64_t k;
    if (args_check("getrandbits", nargs, kwnames, 1, 1) < 0 || bit_count_arg(args[0], &k) < 0)
        return NULL;
    RandomObject *r = AS_RANDOM(self);
    if (k == 0) return int_from_i64(0);
    if (k <= 32) return int_from_i64(mt_next(r) >> (32 - k));
    size_t words = (size_t)(k - 1) / 32 + 1;
    uint32_t *w = mem_alloc(words * sizeof(uint32_t));
    if (!w) return error_no_memory();
    for (size_t i = 0; i < words; i++, k -= 32) {
        uint32_t v = mt_next(r);
        w[i] = k < 32 ? v >> (32 - k) : v; /* the top word keeps its high bits */
    }
    Object *result = int_from_digits(w, words, false);
    mem_free(w, words * sizeof(uint32_t));
    return result;
}

/* The state as CPython gives it: a tuple of the 624 words and the index. */
static Object *random_getstate(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    (void)args;
    if (args_check("Random.getstate", nargs, kwnames, 0, 0) < 0) return NULL;
    RandomObject *r = AS_RANDOM(self);
    Object *t = tuple_new(MT_N + 1);
    if (!t) return NULL;
    for (int i = 0; i <= MT_N; i++) {
        Object *v = int_from_i64(i < MT_N ? (int64_t)r->state[i] : r->index);
        if (!v) {
            for (int j = i; j <= MT_N; j++) tuple_set_steal(t, (size_t)j, NEWREF(None));
            DECREF(t);
            return NULL;
        }
        tuple_set_steal(t, (size_t)i, v);
    }
    return t;
}

/* One state word: an int below 2**64, of which the low 32 bits count. */
static int state_word(Object *o, uint32_t *out) {
    if (!is_instance_of(o, &int_type)) {
        error_set(&exc_TypeError, "an integer is required");
        return -1;
    }
    const uint32_t *digits;
    uint32_t buf[2];
    bool negative;
    size_t n = int_digits_view(o, &digits, buf, &negative);
    if (negative) {
        error_set(&exc_OverflowError, "can't convert negative value to unsigned int");
        return -1;
    }
    if (n > 2) {
        error_set(&exc_OverflowError, "Python int too large to convert to C unsigned long");
        return -1;
    }
    *out = n ? digits[0] : 0;
    return 0;
}

static Object *random_setstate(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    if (args_check("setstate", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *state = args[0];
    if (!is_tuple(state)) return error_set(&exc_TypeError, "state vector must be a tuple");
    if (tuple_size(state) != MT_N + 1)
        return error_set(&exc_ValueError, "state vector is the wrong size");
    uint32_t words[MT_N];
    for (int i = 0; i < MT_N; i++)
        if (state_word(tuple_item(state, (size_t)i), &words[i]) < 0) return NULL;
    int64_t index;
    if (int_as_i64(tuple_item(state, MT_N), &index) < 0) return NULL;
    if (index < 0 || index > MT_N) return error_set(&exc_ValueError, "invalid state");
    RandomObject *r = AS_RANDOM(self);
    memcpy(r->state, words, sizeof words);
    r->index = (int)index;
    return NEWREF(None);
}

static const MethodDef random_methods[] = {
    {"seed", random_seed, "Seed from an int, a hashable object, or (None) system entropy."},
    {"random", random_random, "A float in [0.0, 1.0) with 53 random bits."},
    {"getrandbits", random_getrandbits, "A non-negative int of k random bits."},
    {"getstate", random_getstate, "The 624 state words and the position, as a tuple."},
    {"setstate", random_setstate, "Restore a state that getstate() returned."},
    {NULL, NULL, NULL},
};

/* _random.Random(seed=None) */
static Object *random_construct(Type *type, Object *const *args, size_t nargs,
                                Object *kwnames) {
    if (args_check("Random", nargs, kwnames, 0, 1) < 0) return NULL;
    Object *r = object_alloc(type, sizeof(RandomObject));
    if (!r) return NULL;
    if (seed_from_object(AS_RANDOM(r), nargs ? args[0] : None) < 0) {
        DECREF(r);
        return NULL;
    }
    return r;
}

static void random_dealloc(Object *self) {
    object_free(self, sizeof(RandomObject));
}

Type random_type = {
    TYPE_HEAD_INIT,
    .name = "_random.Random",
    .base_type = &object_type,
    .instance_size = sizeof(RandomObject),
    .methods = random_methods,
    .construct = random_construct,
    .dealloc = random_dealloc,
    .hash = object_identity_hash,
};

/* ---- The module ---- */

/* sha512(data) -> the 64-byte digest of a bytes object. */
static Object *mod_sha512(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("sha512", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!is_bytes(args[0]))
        return error_set(&exc_TypeError, "a bytes-like object is required, not '%s'",
                         TYPE_NAME(args[0]));
    uint8_t digest[SHA512_DIGEST_SIZE];
    sha512_digest((const uint8_t *)bytes_data(args[0]), bytes_size(args[0]), digest);
    return bytes_from_data((const char *)digest, sizeof digest);
}

static const MethodDef random_functions[] = {
    {"sha512", mod_sha512, "The SHA-512 digest of a bytes object."},
    {NULL, NULL, NULL},
};

Object *random_module_init(void) {
    Object *m = module_new("_random");
    if (!m) return NULL;
    if (module_add_functions(m, random_functions) < 0 ||
        module_add_object(m, "Random", (Object *)&random_type) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
