#!/usr/bin/env python3
"""gen.py SEED [FEATURES] - write one random Toy/Python program on stdout.
gen.py --dir DIR FIRST COUNT [FEATURES] - write DIR/pSEED.py for COUNT seeds.

The differential test (tests/diff/run.sh) runs what this writes under
python3 and under toy and requires the same output. Every program is valid
Python 3.11 within Toy's subset, deterministic (sets are printed sorted, no
ids, hashes or timings) and short-running: loops and sizes are small, ints
grow only through bounded exponents, and every statement group runs under
try/except so one error does not hide the rest.

FEATURES is a comma list of the areas to draw from (default: all):
ints, sets, gens, classes, decor, strs, complex. The same SEED and FEATURES always
give the same program, so a failure is reproduced from its seed alone.
"""
import random
import sys

FEATURES = ["ints", "sets", "gens", "classes", "decor", "strs", "complex"]


class Gen:
    def __init__(self, seed, features):
        self.r = random.Random(seed)
        self.features = features
        self.lines = []
        self.n = 0

    def fresh(self, prefix):
        self.n += 1
        return "%s%d" % (prefix, self.n)

    def emit(self, text, indent=0):
        for line in text.split("\n"):
            self.lines.append("    " * indent + line)

    def pick(self, *xs):
        return self.r.choice(xs)

    # ---- expressions -----------------------------------------------------

    def small_int(self):
        return str(self.r.choice([0, 1, 2, 3, 5, 7, 10, 12, 255, 1000, -1, -4, -9]))

    def int_expr(self, depth=0):
        r = self.r
        if depth > 2 or r.random() < 0.3:
            return self.pick(self.small_int(), "a", "b", "big", "-big", "2**64", "10**20",
                             "(1 << 70)", "-(3**40)", "2**63 - 1", "-2**63")
        x, y = self.int_expr(depth + 1), self.int_expr(depth + 1)
        op = self.pick("+", "-", "*", "//", "%", "&", "|", "^", "**", "<<", ">>", "divmod",
                       "abs", "pow3", "cmp", "min", "bitlen", "round")
        if op == "**":
            return "(%s) ** (abs(%s) %% 6)" % (x, y)
        if op == "<<":
            return "(%s) << (abs(%s) %% 90)" % (x, y)
        if op == ">>":
            return "(%s) >> (abs(%s) %% 90)" % (x, y)
        if op == "divmod":
            return "divmod(%s, %s)[%d]" % (x, y, r.randrange(2))
        if op == "abs":
            return "abs(%s)" % x
        if op == "pow3":
            return "pow(%s, abs(%s) %% 50, %s)" % (x, y, self.pick("97", "10**12 + 39", "2**61 - 1", "-7"))
        if op == "cmp":
            return "int((%s) %s (%s))" % (x, self.pick("<", "<=", "==", "!=", ">", ">="), y)
        if op == "min":
            return "%s(%s, %s)" % (self.pick("min", "max"), x, y)
        if op == "bitlen":
            return "(%s).bit_length()" % x
        if op == "round":
            return "round(%s, -%d)" % (x, r.randrange(1, 25))
        return "(%s) %s (%s)" % (x, op, y)

    def complex_expr(self, depth=0):
        r = self.r
        if depth > 2 or r.random() < 0.3:
            return self.pick("%sj" % self.small_int(), "(%s+%sj)" % (self.small_int(), self.small_int()),
                             "complex(%s, -0.0)" % self.small_int(), "2.5", self.small_int(), "z",
                             "complex('%s')" % self.pick("1-2j", " (3.5+1e3j) ", "-j", "inf", "1e-7j"))
        x, y = self.complex_expr(depth + 1), self.complex_expr(depth + 1)
        return self.pick("(%s + %s)" % (x, y), "(%s - %s)" % (x, y), "(%s * %s)" % (x, y),
                         "(%s / %s)" % (x, y), "(%s) ** %s" % (x, self.pick("2", "-1", "0.5", "1j")),
                         "-(%s)" % x, "abs(%s)" % x, "(%s).conjugate()" % x, "complex(%s)" % x)

    def set_expr(self, depth=0):
        r = self.r
        if depth > 1 or r.random() < 0.35:
            return self.pick("s1", "s2", "set()", "{1, 2, 3}", "set(range(%d))" % r.randrange(8),
                             "frozenset({2, 4, 6})", "{x %% 5 for x in range(%d)}" % r.randrange(12),
                             "set('abcab')", "{(1, 2), (2, 1)}")
        x, y = self.set_expr(depth + 1), self.set_expr(depth + 1)
        return "(%s %s %s)" % (x, self.pick("|", "&", "-", "^"), y)

    def str_expr(self, depth=0):
        r = self.r
        if depth > 1 or r.random() < 0.35:
            return self.pick("t", "'abc'", "'Hello, World'", "''", "'a,b,,c'", "'  pad '",
                             "'\\u00e9t\\u00e9'", "str(a)", "repr(t)", "'x' * 3")
        x = self.str_expr(depth + 1)
        return self.pick(
            "(%s).upper()" % x, "(%s)[::-1]" % x, "(%s)[1:4]" % x,
            "(%s).split(',')[0]" % x, "'-'.join(%s)" % x, "(%s).strip()" % x,
            "(%s).replace('a', 'AA')" % x, "format(repr(%s), '>12')" % x, "(%s + %s)" % (x, self.str_expr(depth + 1)),
            "'%%s|%%d' %% (%s, len(%s))" % (x, x), "format(%s, '^9')" % x, "(%s).title()" % x,
            "str(sorted(%s))" % x, "(%s).center(11, '*')" % x, "(%s).partition('b')[2]" % x)

    # ---- statements ------------------------------------------------------

    def block_ints(self):
        self.emit("print('int', %s)" % self.int_expr())
        self.emit("a = %s" % self.int_expr())
        self.emit("print('fmt', format(a, %s))" % self.pick("'x'", "','", "'_b'", "'>30'", "'+d'", "'o'", "'e'"))
        self.emit("print('conv', int(str(a)) == a, float(b % 1000), hash(a) == hash(a), -a // 3)")
        self.emit("print('bytes', (abs(a) % 2**40).to_bytes(5, 'big'), int.from_bytes(b'\\x01\\x02', 'little'))")

    def block_sets(self):
        self.emit("s1 = %s" % self.set_expr())
        self.emit("s2 = %s" % self.set_expr())
        self.emit("print('set', sorted(s1, key=repr), sorted(s2, key=repr), len(s1 | s2))")
        self.emit("print('rel', s1 <= s2, s1 >= s2, s1 == s2, s1.isdisjoint(s2), %s in s1)" % self.small_int())
        self.emit(self.pick("s1.add(%s)" % self.small_int(), "s1.discard(3)", "s1 |= s2", "s1 -= {1}",
                            "s1.update(range(3))", "s1.symmetric_difference_update(s2)",
                            "x = s1.pop() if len(s1) == 1 else None\nprint('pop', x, len(s1))", "s1.remove(99)"))
        self.emit("print('after', sorted(s1, key=repr), type(s1).__name__, frozenset(s1) == s1)")

    def block_gens(self):
        g = self.fresh("gen")
        n = self.r.randrange(1, 9)
        body = self.pick(
            "for i in range(n):\n    yield i * i",
            "i = 0\nwhile i < n:\n    got = yield i\n    if got:\n        i += got\n    i += 1",
            "yield from range(n)\nyield from 'ab'",
            "try:\n    for i in range(n):\n        yield i\nfinally:\n    print('closing', n)",
            "x = yield\nwhile x is not None and n > 0:\n    n -= 1\n    x = yield x * 2",
        )
        self.emit("def %s(n):" % g)
        self.emit(body, 1)
        use = self.pick(
            "print('list', list(%s(%d)))" % (g, n),
            "print('sum', sum(x for x in %s(%d) if x %% 2 == 0))" % (g, n),
            "it = %s(%d)\nprint('next', next(it, 'end'), next(it, 'end'))\nit.close()" % (g, n),
            "it = %s(%d)\nnext(it)\nprint('send', it.send(3), it.send(None))" % (g, n),
            "print('zip', list(zip(%s(%d), 'xyz')))" % (g, n),
            "it = %s(%d)\nnext(it)\ntry:\n    it.throw(ValueError('boom'))\nexcept ValueError as e:\n    print('thrown', e)" % (g, n),
            "print('genexp', sorted((y for y in %s(%d)), reverse=True)[:3])" % (g, n),
            "print('any', any(v > 3 for v in %s(%d)), all(v >= 0 for v in %s(%d)))" % (g, n, g, n),
        )
        self.emit(use)

    def block_classes(self):
        r = self.r
        base = self.fresh("B")
        cls = self.fresh("C")
        self.emit("class %s:" % base)
        self.emit("    kind = 'base'\n"
                  "    def __init__(self, v):\n        self._v = v\n"
                  "    def describe(self):\n        return '%s(%%r)' %% (self._v,)\n"
                  "    @property\n    def v(self):\n        return self._v\n"
                  "    @v.setter\n    def v(self, new):\n        if new < 0:\n"
                  "            raise ValueError('negative')\n        self._v = new\n"
                  "    @staticmethod\n    def helper(x):\n        return x * 2\n"
                  "    @classmethod\n    def make(cls, v):\n        return cls(v)\n"
                  "    def __eq__(self, other):\n        return isinstance(other, %s) and self._v == other._v\n"
                  "    def __hash__(self):\n        return hash(self._v)\n"
                  "    def __repr__(self):\n        return '%%s(%%r)' %% (type(self).__name__, self._v)" % (base, base))
        self.emit("class %s(%s):" % (cls, base))
        self.emit("    kind = 'derived'\n"
                  "    def describe(self):\n        return 'D:' + super().describe()\n"
                  "    def __lt__(self, other):\n        return self._v < other._v\n"
                  "    def __add__(self, other):\n        return type(self)(self._v + other._v)\n"
                  "    def __len__(self):\n        return abs(self._v) % 7\n"
                  "    def __iter__(self):\n        yield from range(len(self))\n"
                  "    def __contains__(self, x):\n        return x == self._v\n"
                  "    def __getitem__(self, i):\n        return self._v * i")
        v1, v2 = self.small_int(), self.small_int()
        self.emit("o1, o2 = %s(%s), %s.make(%s)" % (cls, v1, cls, v2))
        self.emit(self.pick(
            "print('cls', o1.describe(), o2.kind, o1.v, %s.helper(o1.v))" % cls,
            "print('ops', o1 + o2, o1 < o2, sorted([o2, o1]), o1 == o2, len({o1, o2}))",
            "o1.v = %s\nprint('set', o1.v, repr(o1))" % self.small_int(),
            "print('proto', len(o1), list(o1), %s in o1, o1[3], bool(o1))" % v1,
            "print('isinst', isinstance(o1, %s), issubclass(%s, %s), type(o2).__name__, %s.__name__)" % (base, cls, base, base),
            "print('attr', getattr(o1, 'missing', 'dflt'), hasattr(o1, 'v'), %s.kind)" % base,
            "del o1._v\nprint('gone', hasattr(o1, '_v'))",
        ))
        if "mi" in self.features:
            self.emit("class %sM(%s, %s):\n    pass" % (cls, cls, base))
            self.emit("print('mro', [k.__name__ for k in %sM.__mro__])" % cls)
        if r.random() < 0.3:
            self.emit("print('err', %s(1) + 1)" % cls)

    def block_decor(self):
        deco = self.fresh("deco")
        fn = self.fresh("f")
        self.emit("def %s(tag):\n"
                  "    def wrap(fn):\n"
                  "        def inner(*args, **kw):\n"
                  "            r = fn(*args, **kw)\n"
                  "            print('call', tag, fn.__name__, args, sorted(kw.items()), r)\n"
                  "            return r\n"
                  "        return inner\n"
                  "    return wrap" % deco)
        self.emit("@%s(%s)\ndef %s(x, y=2, *rest, k=None):\n    return x * y + len(rest) + (k or 0)"
                  % (deco, self.pick("'A'", "1", "None"), fn))
        self.emit(self.pick("%s(3)" % fn, "%s(3, 4, 5, 6)" % fn, "%s(1, k=9)" % fn,
                            "%s(*[2, 3], **{'k': 1})" % fn, "%s()" % fn, "%s(1, z=2)" % fn))
        self.emit("print('closure', [(lambda n=i: n * %s)() for i in range(3)])" % self.small_int())

    def block_complex(self):
        self.emit("z = %s" % self.complex_expr())
        self.emit("print('cplx', %s)" % self.complex_expr())
        self.emit("print('cfmt', format(z, %s), z == complex(z), z != z or hash(z) == hash(complex(z)), repr(z))"
                  % self.pick("''", "'.3f'", "'>24'", "'g'", "'+.2e'", "'^30'"))

    def block_strs(self):
        self.emit("t = %s" % self.str_expr())
        self.emit("print('str', %s)" % self.str_expr())
        self.emit("print('len', len(t), t.count('a'), t.find('b'), t[:3] in t, sorted(set(t))[:4])")

    def program(self, nblocks):
        self.emit("a = 12345678901234567890\nb = -987654321\nbig = 3 ** 50\n"
                  "s1 = {1, 2}\ns2 = {2, 3}\nt = 'abc'\nz = 1 - 2j")
        blocks = {"ints": self.block_ints, "sets": self.block_sets, "gens": self.block_gens,
                  "classes": self.block_classes, "decor": self.block_decor,
                  "strs": self.block_strs, "complex": self.block_complex}
        usable = [f for f in FEATURES if f in self.features]
        for _ in range(nblocks):
            self.emit("try:")
            start = len(self.lines)
            blocks[self.r.choice(usable)]()
            self.lines[start:] = ["    " + line for line in self.lines[start:]]
            self.emit("except Exception as e:\n    print('error', type(e).__name__, e)")
        return "\n".join(self.lines) + "\n"


def main():
    args = sys.argv[1:]
    if args[0] == "--dir":  # --dir DIR FIRST COUNT [FEATURES]: DIR/pSEED.py each
        folder, first, count = args[1], int(args[2]), int(args[3])
        features = args[4].split(",") if len(args) > 4 else FEATURES
        for seed in range(first, first + count):
            with open("%s/p%d.py" % (folder, seed), "w") as f:
                f.write(Gen(seed, features).program(12))
        return
    features = args[1].split(",") if len(args) > 1 else FEATURES
    sys.stdout.write(Gen(int(args[0]), features).program(12))


if __name__ == "__main__":
    main()
