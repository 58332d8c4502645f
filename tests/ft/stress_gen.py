#!/usr/bin/env python3
"""Random programs whose threads all work on the same objects at once.

    python3 tests/ft/stress_gen.py SEED [THREADS] [ROUNDS] > prog.toy

Each program makes one list, dict, set, deque, bytearray, array, heap,
instance, class, weak dictionary, shared iterators and a generator; a
file, a StringIO, a BytesIO and a socket pair; iterator objects (map,
zip, reversed, tee, islice, ...), a generator to send to, an OrderedDict,
defaultdict, Counter, lru_cache, Queue, Event, Semaphore and WeakSet, one
exception instance, a __slots__ instance and a property; and starts
THREADS threads (2 to 8 by the seed when not given) that each run
ROUNDS rounds of a random mix of some 300 operations on them. Any
operation may fail as it would in Python (a pop from an empty list, a
dict changed during iteration): each one is wrapped in try/except. What
must hold is what Toy promises of the free-threaded build: nothing
crashes or hangs, every count stays exact (`--stats`: leaked 0, no
anomaly), and the program ends by printing "ok". tests/ft/stress.sh runs
a few seeds; `make ft-stress` many more. Nothing here depends on Toy: the
same programs run under python3.
"""
import random
import sys

seed = int(sys.argv[1])
nthreads = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else 2 + seed % 7
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
rnd = random.Random(seed)

# What the operations store. The shared containers themselves are left
# out: lists holding one another make reprs that grow exponentially with
# the nesting, in CPython as in Toy, which reads as a hang.
VALUES = [
    "i", "-i", "i * 1000003", "10 ** 20 + i", "str(i)", "'k%d' % (i % 7)",
    "(i, 'x')", "None", "1.5 * i", "[i]", "{'a': i}", "Box(i)", "b'xy'",
    "frozenset([i % 3])",
]

OPS = [
    # list
    "L.append({v})", "L.pop()", "L.pop(0)", "L.insert(0, {v})", "L[i % (len(L) or 1)] = {v}",
    "del L[0]", "L.sort(key=id)", "L.reverse()", "L.extend([{v}, {v}])", "L[1:3] = [{v}]",
    "({v}) in L", "L.index({v})", "L.remove({v})", "L.count({v})", "list(L)", "sorted(L, key=id)",
    "[x for x in L]", "len(L) > 50 and L.clear()", "L * 2", "L + [1]", "L.copy()", "repr(L)",
    "tuple(L)", "L[::2]", "del L[::3]", "L += [{v}]", "L[:] = L[:5]", "reversed(L) and list(reversed(L))",
    "any(x is None for x in L)", "str(L)", "L == L2", "L2.append(L.pop())",
    # dict
    "D[{k}] = {v}", "D.pop({k}, None)", "del D[{k}]", "D.get({k})", "list(D.items())",
    "D.update({{k}: {v}})", "D.setdefault({k}, {v})", "len(D) > 40 and D.clear()",
    "[k for k in D]", "D.copy()", "dict(D)", "({k}) in D", "D.popitem()", "repr(D)",
    "list(D.values())", "list(D.keys())", "D | {1: 2}", "D.update(D2)", "D2.update(D)",
    "sorted(D.items(), key=repr)", "{**D}", "D == D2", "list(zip(D, D.values()))",
    # set
    "S.add({k})", "S.discard({k})", "S.pop()", "S | {1, 2}", "S & {1, 'k1'}", "S.update([{k}, i])",
    "[x for x in S]", "len(S)", "S.copy()", "S -= {i, 1}", "S ^= {2}", "frozenset(S)",
    "S.issubset(S2)", "S2 |= S", "S == S2", "repr(S)", "sorted(S, key=repr)",
    # deque
    "Q.append({v})", "Q.appendleft({v})", "Q.pop()", "Q.popleft()", "Q.rotate(1)", "list(Q)",
    "Q[0]", "Q[-1]", "len(Q)", "Q.extend([{v}])", "Q.remove({v})", "repr(Q)", "Q.count(1)",
    "len(Q) > 60 and Q.clear()", "Q.index(1)", "[x for x in Q]", "Q.copy()",
    # bytearray
    "B.append(i % 256)", "B.extend(b'ab')", "B.pop()", "bytes(B)", "B[0] = i % 256",
    "del B[:2]", "B.find(b'a')", "B += b'z'", "len(B) > 100 and B.clear()", "B.hex()", "B[::2]",
    # instance and class
    "O.x = {v}", "O.x", "setattr(O, 'a%d' % (i % 9), {v})", "delattr(O, 'a%d' % (i % 9))",
    "vars(O).copy()", "O.m()", "O.y = O.x", "Box.shared = {v}", "Box.shared",
    "Box.m = (lambda self: i) if i % 2 else Box.m0", "getattr(O, 'a3', None)", "O.__dict__.clear()",
    "O.__class__ = Box2 if i % 2 else Box", "O.tick()",
    # globals
    "glob_set({v})", "glob_get()",
    # iterators and generators shared
    "next(IT)", "next(GEN)", "list(zip(IT, range(3)))", "next(DIT)", "next(SIT)",
    "newits()",
    # strings / misc
    "'-'.join(str(x) for x in list(L)[:20])", "str(D)[:50]", "hash(frozenset(S))",
    "json_dumps_safe()", "W.get(i % 5)", "W[i % 5] = Box(i)", "len(W)",
    "weak_box()", "gc.collect() if i % 97 == 0 else 0", "cyc()",
    "min(L, key=id) if L else 0", "max(D, key=repr) if D else 0",
    "L2.extend(L[:3])", "len(L2) > 50 and L2.clear()", "D2[{k}] = {v}", "S2.add({k})",
    "O.lst.append({v})", "O.lst.pop()", "O.d[{k}] = {v}", "O.d.pop({k}, 0)",
    # more surfaces
    "len(L) < 60 and L.extend(L)", "len(Q) < 60 and Q.extend(Q)", "len(Q) < 60 and Q.extendleft(Q)",
    "D.update(D)", "S |= S", "len(B) < 80 and B.extend(B)", "B[1:3] = b'xyz'", "del B[::2]",
    "B[::2] = bytes(len(B[::2]))", "A.append(i)", "A.pop()", "A[1:3] = array.array('i', [i])",
    "del A[::3]", "A.extend(A[:4])", "list(A)", "A.tobytes()", "len(A) > 90 and A.__delitem__(slice(0, 50))",
    "heapq.heappush(H, i % 17)", "heapq.heappop(H)", "bisect.insort(H, i % 13)", "H.sort()",
    "L.sort(key=repr)", "sorted(D, key=repr)", "list(D.keys() & {1, 2})", "(1 in D.keys())",
    "list(D.items())[:3]", "[v for v in D.values()]", "list(enumerate(L))[:3]", "list(reversed(L))",
    "list(reversed(Q))", "sum(x for x in H)", "max(H) if H else 0", "copy.copy(L)", "copy.copy(D)",
    "list(map(repr, L))[:2]", "','.join(map(str, Q))[:9]", "Q.insert(1, {v})", "Q.reverse()",
    "Q[1] = {v}", "del Q[0]", "Q.maxlen", "S2.symmetric_difference_update(S)", "S <= S2",
    "S.isdisjoint(S2)", "frozenset(S) | frozenset(S2)", "D2.setdefault({k}, []).append(i)",
    "D2.pop({k}, None)", "D.get({k}, 0)", "str(B)", "B.decode('latin-1')[:3]", "B.upper()",
    "L.index(L[-1]) if L else 0", "L.count(None)", "[x for x in itertools.islice(L, 3)]",
    "list(itertools.chain(L[:2], Q))[:3]", "list(zip(L, Q))", "O.d.update(D2)", "O.lst.extend(L[:2])",
    "O.lst.sort(key=repr)", "len(O.lst) > 30 and O.lst.clear()", "len(O.d) > 30 and O.d.clear()",
    "vars(O).get('x')", "O.__dict__.update({'z': i})", "hasattr(O, 'z') and delattr(O, 'z')",
    "str(O.__dict__)[:20]", "repr(Q)[:30]", "W.pop(i % 5, None)", "list(W.keys())",
    # in-memory files, a real file and a socket pair
    "SIO.write(str(i))", "SIO.getvalue()[:5]", "SIO.seek(0)", "SIO.read(3)", "SIO.tell()",
    "SIO.tell() > 2000 and SIO.truncate(0)", "SIO.readline()", "BIO.write(b'ab')", "BIO.getvalue()[:4]",
    "BIO.seek(i % 7)", "BIO.read(2)", "BIO.tell() > 2000 and BIO.truncate(1)", "BIO.getbuffer()[0]",
    "FH.write('x%d' % i)", "FH.tell()", "FH.seek(0)", "FH.read(4)", "FH.flush()",
    "FH.tell() > 4000 and FH.truncate(0)", "SA.send(b'z')", "SB.recv(16)", "SA.fileno()",
    # a buffer exported while others resize it (its contents, written through
    # the export without a lock, would race as in CPython: not done here)
    "mv_op()", "struct.unpack_from('b', bytes(B), 0)",
    # generators sent to and thrown into from several threads
    "GEN2.send(i)", "GEN2.throw(KeyError)", "next(GEN2)", "GEN3 and next(GEN3)", "newgen()",
    # iterator objects stepped by several threads
    "next(MAP)", "next(FIL)", "next(ENU)", "next(ZIP)", "next(REV)", "next(QIT)", "next(BIT)",
    "next(TEE[0])", "next(TEE[1])", "next(CYC)", "next(CNT)", "next(ACC)", "next(ISL)",
    "next(DITEMS)", "next(RIT)", "newits2()", "list(itertools.islice(CYC, 3))",
    # library containers and caches
    "OD[{k}] = {v}", "OD.move_to_end({k})", "OD.popitem(last=False)", "OD.popitem()", "list(OD)",
    "len(OD) > 40 and OD.clear()", "repr(OD)[:20]", "DD[{k}].append(i)", "len(DD) > 30 and DD.clear()",
    "list(DD.items())[:2]", "CN.update([{k}])", "CN.most_common(2)", "CN[{k}] += 1", "CN.subtract([{k}])",
    "len(CN) > 30 and CN.clear()", "cached(i % 20)", "cached.cache_info()", "i % 50 == 0 and cached.cache_clear()",
    "PART(i)", "QU.put_nowait({v})", "QU.get_nowait()", "QU.qsize()", "EV.set()", "EV.clear()",
    "EV.is_set()", "SEM.acquire(blocking=False) and SEM.release()", "LK.acquire(False) and LK.release()",
    "WS.add(O)", "WS.discard(O)", "len(WS)", "list(WS)",
    # shared exceptions, slots, properties, type slots
    "raise_shared()", "EXC.__traceback__", "EXC.args", "str(EXC)", "EXC.args = ('shared', i)", "SL.a = {v}", "SL.a", "del SL.a",
    "SL.b = SL.a", "O.p = i", "O.p", "Box.__repr__ = (lambda self: 'B') if i % 2 else Box.r0",
    "repr(Box(i))", "Box(i) == Box(i)", "globals().get('G')", "sys.getrefcount(L)",
    "json.loads(json.dumps([len(L), len(D)]))", "sorted(L2, key=repr)[:2]", "L2.sort(key=repr)",
    "set(map(repr, L))", "dict(zip(map(repr, L), L))", "with RL: O.x = {v}",
    # deep copies, combinatorics and views over containers others change
    "copy.deepcopy(D2)", "copy.deepcopy(L2)", "list(itertools.product(L[:3], repeat=2))",
    "list(itertools.islice(itertools.permutations(Q, 2), 3))",
    "list(itertools.islice(itertools.combinations(S, 2), 3))",
    "D.keys() | S", "D.items() - {1}", "D.keys() == S", "frozenset(D.keys())",
    # strings joined from a list others change
    "LS.append(str(i))", "''.join(LS)[:5]", "len(LS) > 50 and LS.clear()", "LS.sort()",
    "','.join(sorted(LS))[:9]", "LS.insert(0, 'k%d' % i)",
    # more of array and bytearray
    "sum(A)", "max(A) if A else 0", "A.tolist()[:3]", "A.reverse()", "A.insert(0, i)",
    "A.remove(i)", "A.index(1)", "A.count(1)", "bytes(A)[:4]", "A * 2", "B.replace(b'a', b'b')",
    "B.split(b'z')[:2]", "B.insert(0, 97)", "B.remove(97)", "B.reverse()", "B.index(97)",
    "B.count(b'a')", "B.strip()", "bytearray(B) == B",
    # a bounded deque, a priority queue, a thread pool, thread-locals, a condition
    "QM.append(i)", "list(QM)", "QM.extend(L[:3])", "PQ.put_nowait((i % 7, i))", "PQ.get_nowait()",
    "EX.submit(pow, 2, i % 10).result()", "TL.v = i", "getattr(TL, 'v', None)",
    "CD.acquire(False) and (CD.notify_all(), CD.release())",
    # attributes, classes and namespaces made and removed while used
    "type('T%d' % (i % 3), (Box,), {'z': i})(i).z", "Box.shared2 = i", "del Box.shared2",
    "del O.x", "O.x = i", "exec('Z = %d' % i, G2)", "G2.get('Z')", "dir(O)[:3]",
    "vars(Box).get('shared')", "PX.x", "i % 97 == 0 and len(gc.get_referrers(O))",
    "sys.getsizeof(L)", "threading.active_count()",
]

# Keys. Box(i % 4) is compared by a user __eq__ (all Boxes hash alike), so
# dict and set lookups and set merges let their lock go around it.
KEYS = ["i % 11", "'k%d' % (i % 7)", "(i % 5, 1)", "10 ** 20 + i % 3", "i % 3 * 1.0", "None", "Box(i % 4)"]

PRELUDE = '''import threading
import gc
import weakref
import collections
import json
import array
import heapq
import bisect
import copy
import itertools
import io
import os
import sys
import socket
import struct
import functools
import queue

class Box:
    shared = 0
    def __init__(self, v):
        self.v = v
    def m0(self):
        return 0
    m = m0
    def __repr__(self):
        return "Box"
    def __eq__(self, other):
        return isinstance(other, Box) and self.v is other.v
    def __hash__(self):
        return 7

class Box2(Box):
    def tick(self):
        return 2

class Obj(Box):
    def __init__(self):
        self.x = 0
        self.lst = []
        self.d = {}
    def tick(self):
        return 1

L = [1, 2, 3]
L2 = []
D = {1: 1}
D2 = {}
S = {1}
S2 = set()
Q = collections.deque([1])
B = bytearray(b"abc")
A = array.array('i', [1, 2, 3])
H = [5, 3, 1]
O = Obj()
W = weakref.WeakValueDictionary()
G = 0
IT = iter(L)
DIT = iter(D)
SIT = iter(S)
def gen():
    k = 0
    while True:
        k += 1
        yield k
GEN = gen()

def newits():
    global IT, DIT, SIT
    IT = iter(L)
    DIT = iter(D)
    SIT = iter(S)

def glob_set(v):
    global G
    G = v

def glob_get():
    return G

def json_dumps_safe():
    return json.dumps([x for x in list(L) if isinstance(x, (int, str))][:10])

def weak_box():
    b = Box(1)
    r = weakref.ref(b)
    del b
    return r()

def cyc():
    a = []
    a.append(a)
    b = {}
    b["self"] = b
    return len(a)

SIO = io.StringIO()
BIO = io.BytesIO()
FN = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'stress%%d.txt' %% os.getpid())
FH = open(FN, 'w+')
SA, SB = socket.socketpair()
SA.setblocking(False)
SB.setblocking(False)

def mv_op():
    m = memoryview(B)
    try:
        B.append(1)
    finally:
        m.release()

def gen2():
    k = 0
    while True:
        try:
            got = yield k
            k += 1 if got is None else 2
        except KeyError:
            k -= 1
GEN2 = gen2()
next(GEN2)
GEN3 = None

def newgen():
    global GEN3
    GEN3 = (x * 2 for x in range(50))

def newits2():
    global MAP, FIL, ENU, ZIP, REV, QIT, BIT, DITEMS, RIT, ISL, ACC, TEE
    MAP = map(repr, L)
    FIL = filter(None, L)
    ENU = enumerate(L)
    ZIP = zip(L, L2)
    REV = reversed(L)
    QIT = iter(Q)
    BIT = iter(B)
    DITEMS = iter(D.items())
    RIT = iter(range(100))
    ISL = itertools.islice(L, 1, None, 2)
    ACC = itertools.accumulate(range(100))
    TEE = itertools.tee(iter(L), 2)
newits2()
CYC = itertools.cycle([1, 2, 3])
CNT = itertools.count()

OD = collections.OrderedDict()
DD = collections.defaultdict(list)
CN = collections.Counter()

@functools.lru_cache(maxsize=8)
def cached(x):
    return [x]

PART = functools.partial(max, 3)
QU = queue.Queue(maxsize=50)
EV = threading.Event()
SEM = threading.Semaphore(3)
LK = threading.Lock()
RL = threading.RLock()
WS = weakref.WeakSet()
EXC = ValueError("shared")

def raise_shared():
    raise EXC

class Slotted:
    __slots__ = ("a", "b")
SL = Slotted()

def get_p(self):
    return self.__dict__.get("_p", 0)
def set_p(self, v):
    self._p = v
Obj.p = property(get_p, set_p)
Box.r0 = Box.__repr__

LS = []
QM = collections.deque(maxlen=5)
PQ = queue.PriorityQueue()
from concurrent.futures import ThreadPoolExecutor
EX = ThreadPoolExecutor(max_workers=2)
TL = threading.local()
CD = threading.Condition()
G2 = {}
PX = weakref.proxy(O)

errors = [0] * %(n)d
'''


def op_line():
    op = rnd.choice(OPS)
    return op.replace("{v}", rnd.choice(VALUES)).replace("{k}", rnd.choice(KEYS))


def main():
    out = [PRELUDE % {"n": nthreads}]
    for t in range(nthreads):
        ops = [op_line() for _ in range(rnd.randint(8, 20))]
        out.append("def work%d(r):" % t)
        out.append("    n = 0")
        out.append("    for i in range(r):")
        for op in ops:
            out.append("        try:")
            out.append("            %s" % op)
            out.append("        except Exception:")
            out.append("            n += 1")
        out.append("    errors[%d] = n" % t)
        out.append("")
    out.append("ts = [threading.Thread(target=f, args=(%d,)) for f in (%s)]"
               % (rounds, ", ".join("work%d" % t for t in range(nthreads))))
    out.append("for t in ts:\n    t.start()\nfor t in ts:\n    t.join()")
    out.append("L.clear(); L2.clear(); D.clear(); D2.clear(); O.__dict__.clear()")
    out.append("IT = DIT = SIT = GEN = GEN2 = GEN3 = None")
    out.append("MAP = FIL = ENU = ZIP = REV = QIT = BIT = DITEMS = RIT = ISL = ACC = TEE = None")
    out.append("OD.clear(); DD.clear(); CN.clear(); cached.cache_clear(); WS.clear()")
    out.append("FH.close(); os.remove(FN); SA.close(); SB.close()")
    out.append("EX.shutdown(); LS.clear(); G2.clear(); PX = None")
    out.append("while not QU.empty():\n    QU.get_nowait()")
    out.append("gc.collect()")
    out.append("print('ok', len(errors))")
    print("\n".join(out))


main()
