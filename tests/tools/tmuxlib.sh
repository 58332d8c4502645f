# Helpers for tests that drive the REPL on a real terminal through tmux.
# Source it after testlib.sh:
#   . tests/tools/testlib.sh
#   . tests/tools/tmuxlib.sh
# It skips the test when tmux is missing, gives each test its own tmux server
# (socket under $TMP) and a scratch HOME, and kills the server at exit.
command -v tmux > /dev/null 2>&1 || skip "tmux not installed (apt-get install tmux)"
unset TMUX
SOCK="$TMP/tmux.sock"
export HOME="$TMP/home"
mkdir -p "$HOME"
tm() { tmux -S "$SOCK" "$@"; }
trap 'tm kill-server > /dev/null 2>&1; rm -rf "$TMP"' EXIT

# start N: session N runs toy; its exit status lands in $TMP/status.N
start() {
    S=toy$1
    tm -f /dev/null new-session -d -s "$S" -x 80 -y 24 \
        "HOME='$HOME' '$TOY'; echo \$? > '$TMP/status.$1'" ||
        fail "tmux could not start a session"
}
keys() { tm send-keys -t "$S" "$@"; }
pane() { tm capture-pane -p -t "$S" > "$TMP/pane" 2> /dev/null; }
show() { echo "--- screen ---"; cat "$TMP/pane"; }

# wait_until CMD...: poll the screen until CMD (run on $TMP/pane) succeeds
wait_until() {
    local i
    for i in $(seq 250); do
        pane
        "$@" && return 0
        sleep 0.02
    done
    show
    fail "timed out waiting for: $*"
}
has_line() { grep -qxF -- "$1" "$TMP/pane"; }
count_lines() { [ "$(grep -cxF -- "$1" "$TMP/pane")" -ge "$2" ]; }
# the last non-empty row is an empty prompt (capture-pane drops trailing blanks)
at_prompt() { [ "$(grep -v '^$' "$TMP/pane" | tail -n 1)" = "$1" ]; }
exited() { [ -s "$TMP/status.$1" ]; }

# ran LINE [PROMPT]: LINE is on the screen and the editor waits at an empty
# PROMPT (default ">>>") again, so the next keys reach it in raw mode
ran() { has_line "$1" && at_prompt "${2:->>>}"; }
