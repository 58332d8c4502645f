# Helpers of the tests/ft/alone_*.toy tests. While the main thread is the
# only one, toy-ft takes a container's stripe lock with a plain store
# instead of a compare-and-swap (core/objlock.h). Toy code can run in the
# middle of an operation on a container (a dict key's or set member's
# __eq__ during a lookup, a sort's key function) and start a thread there.
# A lookup lets its stripe go around __eq__ when that is its thread's only
# hold, as CPython lets the GIL go: the new thread then changes the
# container while __eq__ runs (run_dict, run_set). Where Toy code runs
# under a stripe that stays held (no built-in type does that, but an
# extension may: native.locked_call holds an object's stripe around a
# call, run_locked_call) the new thread must find it held (the plain store
# recorded the holder) and wait for it. Then both threads change the same containers, and others on the
# same stripe, at once. The counts must be
# exact and nothing may hang. Each case is its own test, so that each
# starts its first thread while the main thread is still alone.
# _thread.start_new_thread, not threading: Thread.start() waits for the new
# thread, which may need the held stripe first.
import _thread
import time

ROUNDS = 3000


def stripe_of(o):
    """toy-ft's stripe for o (objlock_stripe in core/objlock.h): address
    bits 4-13 exclusive-or'ed with bits 14-23."""
    a = id(o)
    return ((a ^ (a >> 10)) >> 4) & 1023


def same_stripe(make):
    """Two new containers on one stripe."""
    keep = []
    seen = {}
    while True:
        o = make()
        keep.append(o)
        s = stripe_of(o)
        if s in seen:
            return seen[s], o
        seen[s] = o


armed = []


class Key:
    def __init__(self, name):
        self.name = name

    def __hash__(self):
        return 7

    def __eq__(self, other):
        if armed:
            armed.pop()()
        return isinstance(other, Key) and self.name == other.name


def start(fn, *args):
    """Start fn(*args) on a new thread; returns a lock released when it ends."""
    done = _thread.allocate_lock()
    done.acquire()

    def body():
        try:
            fn(*args)
        finally:
            done.release()

    _thread.start_new_thread(body, ())
    return done


def work(d, lst, other, mine, tag, out, ready=None):
    """Fill d, lst and other; sort mine, a list only this thread changes,
    on their stripe (a sort of lst itself would meet the other thread's
    appends: "list modified during sort", as it would in CPython 3.13t).
    ready: released first, to say that the thread runs."""
    if ready is not None:
        ready.release()
    for i in range(ROUNDS):
        d[(tag, i)] = i
        lst.append(i)
        other[(tag, i)] = i
        mine.append(ROUNDS - i)
        if i % 500 == 0:
            mine.sort()
            out.append(mine[0] == ROUNDS - i)
    for i in range(0, ROUNDS, 2):
        del d[(tag, i)]
        lst.pop()


def on_stripe_of(target, make):
    """A new container on target's stripe."""
    keep = []
    while True:
        o = make()
        if stripe_of(o) == stripe_of(target):
            return o
        keep.append(o)


def changed_meanwhile(before, now):
    """Wait (up to 10 s) until now() differs from before: True when it
    did, as under CPython's GIL, which __eq__'s wait gives up."""
    deadline = time.time() + 10
    while now() == before:
        if time.time() > deadline:
            return False
        time.sleep(0.001)
    return True


def wait_for_start(ready):
    """Wait until the new thread runs (or 5 s, should it need a stripe this
    thread holds before it can say so), then give it time to reach the
    held stripe."""
    ready.acquire(timeout=5)
    time.sleep(0.05)


def run_dict(nested):
    """A lookup in d whose __eq__ starts the thread (nested: whose __eq__
    looks up a second dict on d's stripe, whose __eq__ starts it), and
    waits until the thread has changed d and other, as it would under
    CPython's GIL: the lookups let the stripe go around __eq__."""
    d, other = same_stripe(dict)
    lst, mine = same_stripe(list)
    theirs, _ = same_stripe(list)
    d[Key("a")] = "found a"
    other[Key("b")] = "found b"
    outs = ([], [])
    started = []
    found = []
    changed = []

    def start_worker():
        sizes = (len(d), len(other))
        started.append(start(work, d, lst, other, theirs, "w", outs[0]))
        changed.append(changed_meanwhile(sizes, lambda: (len(d), len(other))))

    def look_in_other():
        armed.append(start_worker)
        found.append(other[Key("b")])

    armed.append(look_in_other if nested else start_worker)
    found.append(d[Key("a")])
    work(d, lst, other, mine, "m", outs[1])
    for done in started:
        done.acquire()
    print(found, len(started), "thread, changed d during __eq__:", changed)
    print("dict", len(d), "expected", 1 + ROUNDS)
    print("other", len(other), "expected", 1 + 2 * ROUNDS)
    print("list", len(lst), "expected", ROUNDS)
    print("sorted", len(mine), len(theirs), mine[:3], theirs[:3])
    print("checks", sum(outs[0]), sum(outs[1]))


def add_range(s, lo, hi, ready=None):
    if ready is not None:
        ready.release()
    for i in range(lo, hi):
        s.add(i)


def run_set():
    """`x in s` whose __eq__ starts a thread that adds to s, and waits
    until it has (the lookup lets the stripe go around __eq__, as
    run_dict)."""
    s = {Key("x")}
    started = []
    changed = []

    def start_adder():
        size = len(s)
        started.append(start(add_range, s, 0, ROUNDS))
        changed.append(changed_meanwhile(size, lambda: len(s)))

    armed.append(start_adder)
    print("in:", Key("x") in s, "changed s during __eq__:", changed)
    add_range(s, ROUNDS, 2 * ROUNDS)
    for done in started:
        done.acquire()
    print("set", len(s), "expected", 2 * ROUNDS + 1)


def run_locked_call():
    """native.locked_call(sio, fn) holds the StringIO's stripe while fn
    runs, as an extension's lock around a call back into Toy code: a
    thread that fn starts, writing to sio and adding to a list on its
    stripe, finds the stripe held, and in toy-ft must wait for the call to
    end (toy-only: under CPython's GIL it would not)."""
    import io
    import native

    sio = io.StringIO()
    partner = on_stripe_of(sio, list)
    started = []
    waited = []

    def under_lock():
        sio.write("main\n")
        sizes = (len(sio.getvalue()), len(partner))
        ready = _thread.allocate_lock()
        ready.acquire()
        started.append(start(write_both, sio, partner, ready))
        wait_for_start(ready)
        waited.append(sizes == (len(sio.getvalue()), len(partner)))
        sio.write("main again\n")

    native.locked_call(sio, under_lock)
    print("locked_call: waited for the stripe:", waited)
    for done in started:
        done.acquire()
    text = sio.getvalue().splitlines()
    print("lines", len(text), "expected", ROUNDS + 2, text[:2])
    print("partner", len(partner), "expected", ROUNDS)


def write_both(sio, partner, ready):
    ready.release()
    for i in range(ROUNDS):
        sio.write("%d\n" % i)
        partner.append(i)


def run_sort():
    """A sort whose key function starts a thread. The list looks empty
    while it is sorted: the thread's append there is dropped ("list
    modified during sort"); then both threads append to it and to a list
    on its stripe, and the thread sorts a third list on that stripe."""
    lst, partner = same_stripe(list)
    theirs, _ = same_stripe(list)
    lst.extend(range(ROUNDS, 0, -1))
    appended = _thread.allocate_lock()
    appended.acquire()
    go = _thread.allocate_lock()
    go.acquire()
    started = []

    def worker():
        lst.append(-1)
        partner.append(-1)
        appended.release()
        go.acquire()
        for i in range(ROUNDS):
            lst.append(i)
            partner.append(i)
            theirs.append(-i)
            if i % 500 == 0:
                theirs.sort()

    def key(x):
        if not started:
            started.append(start(worker))
            appended.acquire()
        return x

    try:
        lst.sort(key=key)
    except ValueError as e:
        print("sort:", e)
    go.release()
    for i in range(ROUNDS):
        lst.append(i)
        partner.append(i)
    started[0].acquire()
    theirs.sort()
    print("list", len(lst), "expected", 2 * ROUNDS + ROUNDS, lst[:2])
    print("partner", len(partner), "expected", 1 + 2 * ROUNDS)
    print("theirs", len(theirs), theirs[:2], theirs[-1])


def run_fork():
    """A dict key's __eq__ forks while the lookup holds the dict's stripe.
    The child, alone too, finishes the lookup (the stripe is still its
    own), starts a thread that changes the dict, and changes it too."""
    import os
    import sys

    d = {Key("a"): "found a"}
    pid = []

    def fork():
        sys.stdout.flush()
        pid.append(os.fork())

    armed.append(fork)
    found = d[Key("a")]
    if pid[0] == 0:
        out = []
        other = {}
        done = start(work, d, [], other, [], "w", out)
        work(d, [], other, [], "m", out)
        done.acquire()
        print("child:", found, len(d), "expected", 1 + ROUNDS, len(other), sum(out))
        sys.stdout.flush()
        os._exit(0)
    _, status = os.waitpid(pid[0], 0)
    print("parent:", found, len(d), "child status", status)
    out = []
    done = start(work, d, [], {}, [], "w", out)
    work(d, [], {}, [], "m", out)
    done.acquire()
    print("parent:", len(d), "expected", 1 + ROUNDS, sum(out))
