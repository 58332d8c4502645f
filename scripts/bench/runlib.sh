# runlib.sh -- the pieces of run.sh (`make bench`): timing a command, the
# checked and measured run of one benchmark under one interpreter, the table
# rows, geometric means and start-up times. Sourced by run.sh, never run;
# run.sh sets HERE, RUNS, STARTUP_RUNS, HYPERFINE, MEASURE_PY, PY, TOY_CMD
# and the HAVE_* flags first. have() and note() come from lib.sh.

. "$HERE/lib.sh"

# loadavg: the 1, 5 and 15 minute load averages.
loadavg() {
    if [ -r /proc/loadavg ]; then cut -d' ' -f1-3 /proc/loadavg
    else uptime | sed 's/.*load average[s]*: *//'; fi
}

# hyperfine_stat STAT JSON: the number after "STAT": in hyperfine's JSON export.
hyperfine_stat() { sed -n "s/^ *\"$1\": *\([-0-9.eE+]*\),*\$/\1/p" "$2" | head -n 1; }

# time_cmd N CMD... -- prints the best (smallest) wall time of N runs, in seconds.
time_cmd() {
    local runs=$1; shift
    if [ "$HYPERFINE" = 1 ]; then
        local json; json=$(mktemp)
        if ! hyperfine -N --style none --warmup 1 --runs "$runs" \
                --export-json "$json" "$(printf '%q ' "$@")" >/dev/null 2>&1; then
            rm -f "$json"; return 1
        fi
        hyperfine_stat min "$json"
        rm -f "$json"
    else
        local i s e t best=""
        for ((i = 0; i < runs; i++)); do
            s=$(date +%s%N)
            "$@" >/dev/null 2>&1 || return 1
            e=$(date +%s%N)
            t=$((e - s))
            if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
        done
        awk -v ns="$best" 'BEGIN { printf "%.6f\n", ns / 1e9 }'
    fi
}

# run_one NAME LABEL REF CMD... -- run once to check the output against REF
# (skipped when REF is empty) and to read the peak memory, then time it.
# Sets OUT (the output), SECS (best time, "" on failure), CELL (the time
# cell), MB (the memory cell) and WRONG (1 if the output differs from REF).
run_one() {
    local name=$1 label=$2 ref=$3; shift 3
    local err rss; err=$(mktemp); rss=$(mktemp)
    OUT=""; SECS=""; CELL="FAIL"; MB="-"; WRONG=0
    local -a check=("$@")
    [ -n "$MEASURE_PY" ] && check=("$MEASURE_PY" "$HERE/measure.py" rss "$rss" "$@")
    if ! OUT=$("${check[@]}" 2>"$err"); then
        note "$label failed on $name: $(head -n 1 "$err")"
    else
        [ -s "$rss" ] && MB=$(awk '{ printf "%.1f", $1 / 1024 }' "$rss")
        if ! SECS=$(time_cmd "$RUNS" "$@"); then
            SECS=""; note "$label failed on $name during timing"
        else
            CELL=$(printf '%.3f' "$SECS")
        fi
        if [ -n "$ref" ] && [ "$OUT" != "$ref" ]; then
            WRONG=1
            CELL="$CELL WRONG"
            note "$label output on $name: '$(echo "$OUT" | tail -n 1)', expected '$(echo "$ref" | tail -n 1)'"
        fi
    fi
    rm -f "$err" "$rss"
}

# The table: times, ratios, then peak memory; within 100 columns.
table_row() { printf '%-14s %11s %11s %11s %8s %8s %8s %8s %8s\n' "$@" | sed 's/ *$//'; }
table_rule() { table_row -------------- ----------- ----------- ----------- -------- -------- -------- -------- --------; }
table_header() {
    echo
    table_row benchmark "toy s" "python3 s" "lua5.4 s" toy/py3 toy/lua "toy MB" "py3 MB" "lua MB"
    table_rule
}

# div A B: A / B to 4 decimals.
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }

# geomean R...: the geometric mean of the ratios given, "-" if none.
geomean() {
    if [ $# -eq 0 ]; then echo "-"; return; fi
    printf '%s\n' "$@" | awk '{ s += log($1); n++ } END { printf "%.2f", exp(s / n) }'
}

# run_section TITLE DIR NAME...: one row per benchmark DIR/NAME.toy (and its
# NAME.lua twin if there is one), then the section's geometric means. Adds
# to ALL_PY and ALL_LUA; sets TOY_BAD when toy fails or gives a wrong answer.
run_section() {
    local title=$1 dir=$2; shift 2
    local name toyf luaf ref py_cell py_secs py_mb lua_cell lua_secs lua_mb lua_ok
    local toy_cell toy_secs toy_mb toy_ok r_py r_lua
    local -a sec_py=() sec_lua=()
    echo "[$title]"
    for name in "$@"; do
        toyf="$dir/$name.toy"; luaf="$dir/$name.lua"
        ref=""; py_cell="-"; py_secs=""; py_mb="-"
        lua_cell="-"; lua_secs=""; lua_mb="-"; lua_ok=0
        toy_cell="-"; toy_secs=""; toy_mb="-"; toy_ok=0
        r_py="-"; r_lua="-"

        if [ "$HAVE_PY" = 1 ]; then
            run_one "$name" python3 "" "$PY" "$toyf"
            py_cell=$CELL; py_secs=$SECS; py_mb=$MB; ref=$OUT
        fi
        if [ "$HAVE_LUA" = 1 ] && [ -f "$luaf" ]; then
            run_one "$name" lua5.4 "$ref" lua5.4 "$luaf"
            lua_cell=$CELL; lua_secs=$SECS; lua_mb=$MB
            [ "$WRONG" = 0 ] && lua_ok=1
            [ -z "$ref" ] && [ -n "$SECS" ] && ref=$OUT
        fi
        if [ "$HAVE_TOY" = 1 ]; then
            run_one "$name" toy "$ref" "${TOY_CMD[@]}" "$toyf"
            toy_cell=$CELL; toy_secs=$SECS; toy_mb=$MB
            if [ -z "$SECS" ] || [ "$WRONG" = 1 ]; then TOY_BAD=1; else toy_ok=1; fi
        fi
        # No ratio for a wrong answer: it would skew the geometric mean.
        if [ "$toy_ok" = 1 ] && [ -n "$py_secs" ]; then
            r_py=$(div "$toy_secs" "$py_secs"); sec_py+=("$r_py"); ALL_PY+=("$r_py")
            r_py=$(printf '%.2f' "$r_py")
        fi
        if [ "$toy_ok" = 1 ] && [ "$lua_ok" = 1 ] && [ -n "$lua_secs" ]; then
            r_lua=$(div "$toy_secs" "$lua_secs"); sec_lua+=("$r_lua"); ALL_LUA+=("$r_lua")
            r_lua=$(printf '%.2f' "$r_lua")
        fi
        table_row "$name" "$toy_cell" "$py_cell" "$lua_cell" "$r_py" "$r_lua" "$toy_mb" "$py_mb" "$lua_mb"
    done
    table_row "geomean" "" "" "" \
        "$(geomean ${sec_py[@]+"${sec_py[@]}"})" "$(geomean ${sec_lua[@]+"${sec_lua[@]}"})"
}

# startup LABEL CMD...: the mean start-up time of CMD, in ms with two decimals.
startup() {
    local label=$1; shift
    local mean="" sd=""
    if [ "$HYPERFINE" = 1 ]; then
        local json; json=$(mktemp)
        if hyperfine -N --style none --warmup 5 --runs "$STARTUP_RUNS" \
                --export-json "$json" "$(printf '%q ' "$@")" >/dev/null 2>&1; then
            mean=$(hyperfine_stat mean "$json"); sd=$(hyperfine_stat stddev "$json")
        fi
        rm -f "$json"
    elif [ -n "$MEASURE_PY" ]; then
        local r
        r=$("$MEASURE_PY" "$HERE/measure.py" startup "$STARTUP_RUNS" "$@") && read -r mean sd <<< "$r"
    fi
    if [ "$HYPERFINE" = 0 ] && [ -z "$MEASURE_PY" ]; then
        printf "  %-8s %8s\n" "$label" "-"
        note "no hyperfine and no python3: no start-up time for $label"
    elif [ -n "$mean" ]; then
        awk -v l="$label" -v m="$mean" -v s="${sd:-0}" \
            'BEGIN { if (s == "null") s = 0; printf "  %-8s %8.2f ms  (sd %.2f ms)\n", l, m * 1000, s * 1000 }'
    else
        printf "  %-8s %8s\n" "$label" FAIL
    fi
}
