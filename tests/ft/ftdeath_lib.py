# Helpers of tests/ft/alone_del_starts_thread.toy and
# alone_weakref_cb_starts_thread.toy. While the main thread is alone,
# toy-ft leaves out the collector lists' spin lock at every container's
# birth and death, and the locked instruction that marks a dying object
# with weak references (core/gchead.h, core/biased.c). Each test starts
# its first thread from code that runs in the middle of an object's death
# (a __del__, a weak reference's callback); from then on both must be
# taken again: the two threads create and free containers at once, the
# new one reading a weak reference to an object being freed, and a
# collection walks the lists they both changed.
import threading


class Node:
    def __init__(self, i):
        self.i = i
        self.next = None


def churn(n, seed):
    total = 0
    keep = []
    for i in range(n):
        a = Node(i)
        b = Node(i + seed)
        a.next = b
        b.next = a  # a cycle: only the collector frees it
        t = [i, (i, seed), {i: a}]
        total += t[1][0] + len(t[2]) + b.next.i
        if i % 7 == 0:
            keep.append(t)
        if len(keep) > 30:
            keep = []
    return total


seen = []
threads = []


def worker(ref, kind):
    o = ref()
    seen.append(o is None or isinstance(o, kind))
    o = None
    seen.append(churn(20000, 1))


def start(ref, kind):
    t = threading.Thread(target=worker, args=(ref, kind))
    threads.append(t)
    t.start()


def finish():
    mine = churn(20000, 2)
    for t in threads:
        t.join()
    return len(threads), seen, mine
