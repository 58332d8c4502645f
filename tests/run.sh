#!/usr/bin/env bash
# Toy test runner.  See tests/README.md.
#
# usage: tests/run.sh [--toy PATH] [--timeout SECS] [--jobs N] [--all-policies] [--slowest N] [-v] [FILTER...]
#
# A FILTER is a substring of the test path (e.g. "tests/str/" or "split");
# a test runs if it matches any FILTER (all tests run if none is given).
# Needs only bash and coreutils/diffutils/findutils (no Python).

set -u

STATS_HEADER='--- toy stats ---'
DIFF_LINES=40     # failure reports show at most this many lines ...
LINE_WIDTH=300    # ... of at most this many characters each

# A worker (one per test) takes these from the driver: each command
# substitution is a fork, a few milliseconds that add up over 1,500 tests.
# Only a worker trusts them: a driver started under another run (a test
# that runs this script, say) works its own paths out.
if [ "${1:-}" = "--worker" ] && [ -n "${RUN_SH_ROOT:-}" ]; then
    here=$RUN_SH_HERE root=$RUN_SH_ROOT root_phys=$RUN_SH_ROOT_PHYS
else
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    root=$(cd "$here/.." && pwd)
    root_phys=$(cd "$root" && pwd -P)
fi

# ---------------------------------------------------------------------------
# helpers shared by the worker and the driver

# show_file LABEL FILE: print a file (trimmed) indented, for failure reports
show_file() {
    local label=$1 file=$2 n
    n=$(wc -l < "$file")
    if [ -s "$file" ]; then
        echo "  --- $label ---"
        head -n "$DIFF_LINES" "$file" | cut -c 1-"$LINE_WIDTH" | sed 's/^/  | /'
        if [ "$n" -gt "$DIFF_LINES" ]; then
            echo "  | ... ($((n - DIFF_LINES)) more lines)"
        fi
    else
        echo "  --- $label: (empty) ---"
    fi
}

# show_diff LABEL EXPECTED ACTUAL: diff -u trimmed to DIFF_LINES lines
show_diff() {
    local label=$1 exp=$2 act=$3 d n
    d=$(diff -u --label "expected $label" --label "actual $label" "$exp" "$act")
    n=$(printf '%s\n' "$d" | wc -l)
    printf '%s\n' "$d" | head -n "$DIFF_LINES" | cut -c 1-"$LINE_WIDTH" | sed 's/^/  /'
    if [ "$n" -gt "$DIFF_LINES" ]; then
        echo "  ... ($((n - DIFF_LINES)) more diff lines)"
    fi
}

# slurp FILE VAR: the whole of FILE (up to a NUL byte, if any) in VAR,
# read by the shell itself. A worker runs for each of some 3,000 tests in
# a CI run, and every program it starts (a grep, an awk) costs several
# milliseconds: it starts timeout, toy, sed and cmp, and reads the rest
# itself.
slurp() {
    IFS= read -r -d '' "$2" < "$1" || true
}

# split_stats RAW: the program's stderr (every line before the first line
# that is exactly $STATS_HEADER, each line ending in a newline) in
# split_err, and that line and the rest in split_stats (empty without one).
split_stats() {
    local raw=$1 h=$STATS_HEADER
    split_err=$raw split_stats=
    if [[ $raw == "$h" || $raw == "$h"$'\n'* ]]; then
        split_err= split_stats=$raw
    elif [[ $raw == *$'\n'"$h" || $raw == *$'\n'"$h"$'\n'* ]]; then
        split_err=${raw%%$'\n'"$h"$'\n'*}
        [ "$split_err" = "$raw" ] && split_err=${raw%$'\n'"$h"}
        split_err+=$'\n'
        split_stats=${raw:${#split_err}}
    fi
    if [ -n "$split_err" ] && [[ $split_err != *$'\n' ]]; then split_err+=$'\n'; fi
    if [ -n "$split_stats" ] && [[ $split_stats != *$'\n' ]]; then split_stats+=$'\n'; fi
}

# run_script_test TEST W -> prints "PASS" or "FAIL <reason>" + details
run_script_test() {
    local t=$1 w=$2 base name stdin status_exp status_act
    base=${t%.toy}
    name=${base##*/}
    local -a args=()
    if [ -f "$base.args" ]; then
        # one argument per line
        mapfile -t args < "$base.args"
    fi
    stdin=/dev/null
    [ -f "$base.in" ] && stdin=$base.in

    local -a cmd=("$TOY")
    local stats=1
    case $name in *nostats*) stats=0 ;; esac
    [ $stats = 1 ] && cmd+=(--stats)
    cmd+=("$t")

    local start=$SECONDS
    timeout -k 2 "$TIMEOUT" "${cmd[@]}" "${args[@]}" < "$stdin" > "$w.stdout" 2> "$w.stderr_raw"
    status_act=$?
    local elapsed=$((SECONDS - start))

    status_exp=0
    if [ -f "$base.status" ]; then
        status_exp=$(tr -d ' \t\r\n' < "$base.status")
    fi

    local -a reasons=()
    local details=$w.details
    : > "$details"

    # timeout(1) exits 124, or 137 if it had to SIGKILL; 137 before the
    # deadline means toy itself was killed
    if [ "$status_act" = 124 ] || { [ "$status_act" = 137 ] && [ "$elapsed" -ge "$TIMEOUT" ]; }; then
        reasons+=("timeout after ${TIMEOUT}s")
    elif [ "$status_act" -ge 128 ] && [ "$status_exp" -lt 128 ]; then
        reasons+=("killed by signal $((status_act - 128))")
    fi

    # absolute paths under the repository become relative, as
    # tests/tools/gen_expected.sh makes them in the expectations (the
    # __file__ of imported modules and their tracebacks are absolute)
    local out raw
    slurp "$w.stdout" out
    slurp "$w.stderr_raw" raw
    if [[ $out$raw == *"$root/"* || $out$raw == *"$root_phys/"* ]]; then
        sed -i -e "s|$root/||g" -e "s|$root_phys/||g" "$w.stdout" "$w.stderr_raw"
        slurp "$w.stderr_raw" raw
    fi

    # split stderr into program stderr and the stats block
    local split_err split_stats
    split_stats "$raw"
    printf '%s' "$split_err" > "$w.stderr"
    printf '%s' "$split_stats" > "$w.stats"
    # a missing final newline before the header would glue it to the last line
    if [ $stats = 1 ] && [ -z "$split_stats" ] && [[ $raw == *"$STATS_HEADER"* ]]; then
        echo "  (stats header not at start of a line)" >> "$details"
    fi

    if [ "$status_act" != "$status_exp" ]; then
        reasons+=("exit status $status_act, expected $status_exp")
    fi

    if ! cmp -s "$base.out" "$w.stdout"; then
        reasons+=("stdout differs")
        show_diff stdout "$base.out" "$w.stdout" >> "$details"
    fi

    if [ -f "$base.errmatch" ]; then
        local line missing=0
        while IFS= read -r line || [ -n "$line" ]; do
            [ -z "$line" ] && continue
            if [[ $split_err != *"$line"* ]]; then
                [ $missing = 0 ] && reasons+=("stderr lacks expected text")
                missing=1
                echo "  missing in stderr: $line" >> "$details"
            fi
        done < "$base.errmatch"
        [ $missing = 1 ] && show_file stderr "$w.stderr" >> "$details"
    else
        local experr=/dev/null want=
        [ -f "$base.err" ] && experr=$base.err && slurp "$experr" want
        if [ "$split_err" != "$want" ]; then
            reasons+=("stderr differs")
            show_diff stderr "$experr" "$w.stderr" >> "$details"
        fi
    fi

    if [ $stats = 1 ]; then
        if [ -z "$split_stats" ]; then
            reasons+=("no '$STATS_HEADER' block on stderr")
        elif [[ $'\n'$split_stats != *$'\nleaked: 0\n'* ]]; then
            local leak
            leak=$(grep -m1 '^leaked:' "$w.stats")
            reasons+=("leak check failed (${leak:-no 'leaked:' line})")
            show_file stats "$w.stats" >> "$details"
        fi
    fi

    if [ ${#reasons[@]} = 0 ]; then
        echo PASS
    else
        local msg="" r
        for r in "${reasons[@]}"; do msg+="${msg:+; }$r"; done
        echo "FAIL $msg"
        cat "$details"
    fi
}

# run_shell_test TEST W (W: the prefix of the files it writes)
run_shell_test() {
    local t=$1 w=$2 rc reason start=$SECONDS limit=$TIMEOUT own
    # A test that runs many programs may ask for more: "# test-timeout: N".
    own=$(sed -n 's/^# test-timeout: *\([0-9][0-9]*\) *$/\1/p' "$t" | head -n 1)
    [ -n "$own" ] && [ "$own" -gt "$limit" ] && limit=$own
    TOY=$TOY timeout -k 2 "$limit" bash "$t" < /dev/null > "$w.stdout" 2> "$w.stderr"
    rc=$?
    if [ "$rc" = 137 ] && [ $((SECONDS - start)) -lt "$limit" ]; then
        rc=killed
    fi
    case $rc in
        0) echo PASS ;;
        77)
            reason=$(grep -v '^[[:space:]]*$' "$w.stdout" | tail -n 1)
            echo "SKIP ${reason:-(no reason given)}"
            ;;
        124|137)
            echo "FAIL timeout after ${limit}s"
            show_file stdout "$w.stdout"
            show_file stderr "$w.stderr"
            ;;
        *)
            echo "FAIL exit status $rc"
            show_file stdout "$w.stdout"
            show_file stderr "$w.stderr"
            ;;
    esac
}

# worker mode: run one test, write its result file. TEST@POLICY runs TEST
# with TOY_GIL_POLICY=POLICY (see POLICY_TOPICS below).
if [ "${1:-}" = "--worker" ]; then
    resdir=$2 t=$3
    id=${t//\//__}
    w=$resdir/$id.d # the prefix of its files (the driver removes resdir)
    cd "$root" || exit 1
    # tests/ft/ and the TEST@ft copies run under the free-threaded build
    case $t in
        *@ft) t=${t%@ft}; use_ft=1 ;;
        tests/ft/*) use_ft=1 ;;
        *) use_ft=0 ;;
    esac
    if [ $use_ft = 1 ]; then
        if [ -z "${TOY_FT:-}" ]; then
            echo "SKIP needs the free-threaded build beside $TOY (make toy-ft)" > "$resdir/$id.res"
            exit 0
        fi
        TOY=$TOY_FT
        TOY_TEST_SANITIZER=$TOY_FT_SANITIZER
    fi
    export TOY_TEST_SANITIZER
    case $t in
        *@*) export TOY_GIL_POLICY=${t##*@}; t=${t%@*} ;;
    esac
    run_one() {
        case $t in
            *.toy) run_script_test "$t" "$w" > "$resdir/$id.res" 2>&1 ;;
            *.sh)  run_shell_test "$t" "$w" > "$resdir/$id.res" 2>&1 ;;
        esac
    }
    t0=$EPOCHREALTIME
    run_one
    # ThreadSanitizer's runtime can deadlock in a child forked while another
    # thread of the parent holds one of its internal locks (a limitation of
    # TSan with die_after_fork=0, seen in its allocator's refill): a test
    # that forks and times out under a TSan build runs once more, and the
    # summary says so.
    first=
    read -r first < "$resdir/$id.res"
    if [[ $first == "FAIL timeout"* ]] && [ "$TOY_TEST_SANITIZER" = thread ] &&
        grep -qE 'multiprocessing|ProcessPool|os\.fork' "$t" 2>/dev/null; then
        run_one
        again=
        read -r again < "$resdir/$id.res"
        if [ "$again" = PASS ]; then
            printf 'PASS\nNOTE first run: %s; passed when run again (TSan can deadlock in a forked child)\n' \
                "${first#FAIL }" > "$resdir/$id.res"
        fi
    fi
    # The wall time, reruns included, for --slowest.
    us=$((${EPOCHREALTIME/./} - ${t0/./}))
    printf '%d.%d\n' $((us / 1000000)) $((us % 1000000 / 100000)) > "$resdir/$id.time"
    # Emptied, not removed (rm would be one more program): the driver
    # removes resdir at the end.
    for f in "$w".*; do : > "$f"; done
    exit 0
fi

# ---------------------------------------------------------------------------
# driver

usage() {
    echo "usage: tests/run.sh [--toy PATH] [--timeout SECS] [--jobs N] [--all-policies] [--slowest N] [-v] [FILTER...]"
}

TOY=$root/toy
TIMEOUT=10
JOBS=$(nproc 2>/dev/null || echo 2)
VERBOSE=0
ALL_POLICIES=0
SLOWEST=0
filters=()
while [ $# -gt 0 ]; do
    case $1 in
        --toy) TOY=${2:?--toy needs a path}; shift 2 ;;
        --toy=*) TOY=${1#--toy=}; shift ;;
        --timeout) TIMEOUT=${2:?--timeout needs a value}; shift 2 ;;
        --timeout=*) TIMEOUT=${1#--timeout=}; shift ;;
        --jobs|-j) JOBS=${2:?--jobs needs a value}; shift 2 ;;
        --jobs=*) JOBS=${1#--jobs=}; shift ;;
        -v|--verbose) VERBOSE=1; shift ;;
        --all-policies) ALL_POLICIES=1; shift ;;
        --slowest) SLOWEST=${2:?--slowest needs a count}; shift 2 ;;
        --slowest=*) SLOWEST=${1#--slowest=}; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; filters+=("$@"); break ;;
        -*) usage >&2; exit 2 ;;
        *) filters+=("$1"); shift ;;
    esac
done

# absolute toy path
case $TOY in
    /*) ;;
    */*) TOY=$(cd "$(dirname "$TOY")" && pwd)/$(basename "$TOY") ;;
    *) TOY=$(command -v "$TOY" || echo "$PWD/$TOY") ;;
esac
if [ ! -x "$TOY" ]; then
    echo "run.sh: toy binary not found or not executable: $TOY (run make first)" >&2
    exit 2
fi
# The free-threaded build: toy itself when it is one (toy-ft, toy-ft-asan,
# ...), else toy-ft beside it if built. tests/ft/ runs under it, and so does
# every other script test once more, listed as TEST@ft (but those marked
# gil-build-only, below).
TOY_FT=
ft_extra=0
# A sanitizer build (toy-asan) pairs with its own free-threaded twin
# (toy-ft-asan) for the re-runs; without one, tests/ft/ still runs under
# plain toy-ft and the re-runs are left to the plain build.
toy_name=${TOY##*/}
case $toy_name in
    toy-ft*) TOY_FT=$TOY ;;
    *) twin=$(dirname "$TOY")/toy-ft${toy_name#toy}
       if [ -x "$twin" ]; then TOY_FT=$twin; ft_extra=1
       elif [ -x "$(dirname "$TOY")/toy-ft" ]; then TOY_FT=$(dirname "$TOY")/toy-ft; fi ;;
esac
# A sanitizer build runs programs 3 to 60 times slower. The stress tests,
# many rounds of threads racing over shared objects, take fewer rounds
# under one: a sanitizer judges each access it sees (ThreadSanitizer
# reports two accesses unordered by any lock, whether or not they happened
# to collide), so a few rounds check what many do, and the plain builds run
# them at full size. A test reads TOY_TEST_SANITIZER ("address", "thread"
# or empty) to choose its size.
sanitizer_of() {
    if grep -q __tsan_init "$1" 2>/dev/null; then echo thread
    elif grep -q __asan_init "$1" 2>/dev/null; then echo address
    fi
}
TOY_TEST_SANITIZER=$(sanitizer_of "$TOY")
TOY_FT_SANITIZER=
[ -n "$TOY_FT" ] && TOY_FT_SANITIZER=$(sanitizer_of "$TOY_FT")
export TOY TIMEOUT TOY_FT TOY_TEST_SANITIZER TOY_FT_SANITIZER
export RUN_SH_HERE=$here RUN_SH_ROOT=$root RUN_SH_ROOT_PHYS=$root_phys

cd "$root" || exit 2

# A test that exercises the lock's behaviour (hand-overs, forced switches,
# blocking calls that give the GIL away and take it back) carries the line
#     # gil-policies: all
# (or names the other policies it needs: "# gil-policies: priority") and runs
# once more under each of them (toy honours $TOY_GIL_POLICY), as TEST@ticks
# and TEST@priority. Not when the whole run already has a policy:
# TOY_GIL_POLICY=ticks tests/run.sh tests/threads/ runs every threaded test
# once under ticks. Only the marked tests, not every threaded one, so that
# make asan stays well inside CI's time; with --all-policies (make test)
# every test of tests/threads/ and tests/sockets/ runs under all three.
declare -A policy_reruns=()
if [ -z "${TOY_GIL_POLICY:-}" ]; then
    while IFS= read -r line; do
        p=${line#*:# gil-policies: }
        [ "$p" = all ] && p="ticks priority"
        policy_reruns[${line%%:*}]=$p
    done < <(grep -rxH --include='*.toy' --include='*.sh' -e '# gil-policies: .*' tests)
    if [ "$ALL_POLICIES" = 1 ]; then
        while IFS= read -r t; do
            [ -n "${policy_reruns[$t]:-}" ] || policy_reruns[$t]="ticks priority"
        done < <(find tests/threads tests/sockets -name '*.toy' -o -name '*.sh' 2>/dev/null)
    fi
fi
with_policies() {
    local t=$1 p
    echo "$t"
    for p in ${policy_reruns[$t]:-}; do echo "$t@$p"; done
}

# A script test that checks what only the GIL build does (its object
# sizes, the GIL's own flags) says so in its first lines, with the reason:
#     # gil-build-only: object sizes include the GIL build's header
# and is not repeated under toy-ft; the run names how many were left out.
gil_build_only() {
    head -n 5 "$1" | grep -q '^# gil-build-only: '
}

tests=()
gil_only=()
while IFS= read -r t; do
    if [ ${#filters[@]} -gt 0 ]; then
        keep=0
        for f in "${filters[@]}"; do
            case $t in *"$f"*) keep=1; break ;; esac
        done
        [ $keep = 1 ] || continue
    fi
    tests+=("$t")
    case $t in
        tests/ft/*|*@*) ;;
        *.toy) if [ $ft_extra = 1 ]; then
                   if gil_build_only "$t"; then gil_only+=("$t"); else tests+=("$t@ft"); fi
               fi ;;
    esac
done < <(find tests \( -path tests/tools -o -path tests/fuzz \) -prune -o -type f -path 'tests/*/*' \( -name '*.toy' -o -name '*.sh' \) -print | LC_ALL=C sort |
    while IFS= read -r t; do with_policies "$t"; done)

if [ ${#tests[@]} = 0 ]; then
    echo "no tests matched"
    echo "0 passed, 0 failed"
    exit 1
fi

resdir=$(mktemp -d "${TMPDIR:-/tmp}/toy-tests.XXXXXX")
trap 'rm -rf "$resdir"' EXIT
trap 'exit 130' INT TERM

printf '%s\n' "${tests[@]}" |
    xargs -d '\n' -P "$JOBS" -n 1 bash "$here/run.sh" --worker "$resdir"

passed=0 failed=0 skipped=0
for t in "${tests[@]}"; do
    res=$resdir/${t//\//__}.res
    if [ ! -s "$res" ]; then
        echo "FAIL $t: runner produced no result"
        failed=$((failed + 1))
        continue
    fi
    first=
    read -r first < "$res"
    case $first in
        PASS)
            passed=$((passed + 1))
            [ $VERBOSE = 1 ] && echo "PASS $t"
            while IFS= read -r line; do
                [[ $line == "NOTE "* ]] && echo "NOTE $t: ${line#NOTE }"
            done < "$res"
            ;;
        SKIP*)
            skipped=$((skipped + 1))
            echo "SKIP $t: ${first#SKIP }"
            ;;
        *)
            failed=$((failed + 1))
            echo "FAIL $t: ${first#FAIL }"
            tail -n +2 "$res"
            ;;
    esac
done

[ ${#gil_only[@]} -gt 0 ] &&
    echo "NOTE ${#gil_only[@]} script tests not repeated under toy-ft (their '# gil-build-only:' line says why): ${gil_only[*]}"
# --slowest N: where the run's time went (wall seconds of each test, with
# the others running beside it), to keep make test and CI inside their time.
if [ "$SLOWEST" -gt 0 ] 2>/dev/null; then
    echo "slowest $SLOWEST (seconds):"
    for t in "${tests[@]}"; do
        f=$resdir/${t//\//__}.time
        [ -s "$f" ] && echo "$(cat "$f") $t"
    done | sort -rn | head -n "$SLOWEST" | sed 's/^/  /'
fi
summary="$passed passed, $failed failed"
[ $skipped -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ $failed = 0 ]
