"""measure.py -- the two measurements of run.sh that the shell cannot make
alone. Run by python3 (any 3.x), never by toy.

  python3 measure.py rss FILE CMD...
      Run CMD with stdin, stdout and stderr passed through, then write its
      peak resident set size (max RSS) in KB to FILE; exit with CMD's status.
      The peak is the VmHWM line of /proc/PID/status, read every millisecond
      while CMD runs (so growth in its last millisecond is missed). Not
      getrusage(RUSAGE_CHILDREN).ru_maxrss: Linux counts into a child's
      maxrss the memory of the process that forked it, as it was at the
      exec, so every reading would be at least this python's own ~10 MB.
      Where /proc is missing, ru_maxrss it is all the same.

  python3 measure.py startup N CMD...
      Run CMD N times (after 5 unmeasured runs), output discarded, and print
      the mean and standard deviation of the wall time in seconds. Each time
      includes the fork and exec of subprocess, which hyperfine -N keeps
      lower; exit 1 if a run fails.
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def hwm_kb(pid):
    # VmHWM of a running process in KB, None once it has exited
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def rss(path, cmd):
    child = subprocess.Popen(cmd)
    peak = None
    while child.poll() is None:
        kb = hwm_kb(child.pid)
        if kb is not None and (peak is None or kb > peak):
            peak = kb
        time.sleep(0.001)
    status = child.returncode
    kb = peak
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if sys.platform == "darwin":  # bytes there, KB on Linux
            kb //= 1024
    with open(path, "w") as f:
        f.write("%d\n" % kb)
    return status


def startup(runs, cmd):
    times = []
    with open(os.devnull, "wb") as null:
        for i in range(runs + 5):
            start = time.perf_counter()
            if subprocess.call(cmd, stdout=null, stderr=null) != 0:
                return 1
            if i >= 5:
                times.append(time.perf_counter() - start)
    sd = statistics.stdev(times) if len(times) > 1 else 0.0
    print("%.6f %.6f" % (statistics.mean(times), sd))
    return 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "rss":
        return rss(argv[2], argv[3:])
    if len(argv) >= 4 and argv[1] == "startup":
        return startup(int(argv[2]), argv[3:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
