# Helper of the tests/ft/alone_gen_*.toy tests. While no second thread has
# been started, toy-ft claims a generator's running flag with a plain test
# and set (gen_claim), and with an atomic fetch-or once threads run. Each
# test starts the first thread from inside a generator's body, resumed one
# way: by next() (gen_resume), by a for loop or by a `yield from` (the eval
# loop's inline resume, gen_claim_inline). The claim the main thread made
# alone must still hold, so the new thread's next() raises "generator
# already executing" until the body yields; then the new thread resumes the
# generator itself, and the main thread gets the rest. Each way is its own
# test, so that each starts its first thread while the main thread is alone.
import _thread


def run_case(how):
    log = []
    tried = _thread.allocate_lock()
    tried.acquire()
    go = _thread.allocate_lock()
    go.acquire()
    done = _thread.allocate_lock()
    done.acquire()

    def other(g):
        try:
            next(g)
            log.append("resumed a running generator")
        except ValueError as e:
            log.append(str(e))
        tried.release()
        go.acquire()  # the body has yielded: resume it from here
        log.append("other got " + str(next(g)))
        done.release()

    def body():
        _thread.start_new_thread(other, (gen,))
        tried.acquire()  # running still: the other thread must be refused
        yield 1
        yield 2
        yield 3

    def outer():
        yield from gen

    gen = body()
    got = []
    if how == "next":
        got.append(next(gen))
        go.release()
        done.acquire()
        got.append(next(gen))
    else:
        for x in (gen if how == "for" else outer()):
            got.append(x)
            if x == 1:
                go.release()
                done.acquire()
    log.append("main got " + str(got))
    for line in log:
        print(how + ": " + line)
