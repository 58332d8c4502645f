# The line editor's key handling without a terminal: TOY_LINEEDIT_TEST=COLS
# runs the REPL's editor on piped stdin (no termios, a screen COLS wide), so
# each case feeds raw key bytes and checks the lines the REPL ran (stdout).
# The cases marked with case_ run one after another in a single session (a
# toy start per case is too slow on a busy machine); when that session's
# output differs, each case is run alone to name the one that broke.
. tests/tools/testlib.sh
export HOME="$TMP/home"
mkdir -p "$HOME"

# feed COLS KEYS: KEYS (printf format) -> toy; out/err/rc as run_toy
feed() {
    printf "$2" > "$TMP/keys"
    TOY_LINEEDIT_TEST=$1 TOY_STDIN="$TMP/keys" run_toy
}
# alone NAME KEYS WANT: from an empty history, KEYS must make stdout WANT
alone() {
    rm -f "$HOME/.toy_history"
    feed 80 "$2"
    expect_status 0
    [ "$(cat "$TMP/out")" = "$3" ] || { dump; fail "$1: stdout differs, expected: $3"; }
}
# case_ NAME KEYS WANT: as alone, but queued for the shared session
names=() all_keys=() wants=()
case_() { names+=("$1"); all_keys+=("$2"); wants+=("$3"); }
run_cases() {
    local i keys="" want=""
    for i in "${!names[@]}"; do
        keys+=${all_keys[i]}
        want+=${wants[i]}$'\n'
    done
    rm -f "$HOME/.toy_history"
    feed 80 "$keys"
    [ "$rc" = 0 ] && [ "$(cat "$TMP/out")" = "${want%$'\n'}" ] && return 0
    for i in "${!names[@]}"; do alone "${names[i]}" "${all_keys[i]}" "${wants[i]}"; done
    dump
    fail "the cases pass alone but not in one session"
}

E='\033'
case_ enter          '6*7\r'                                 42
case_ newline-enter  '6*7\n'                                 42
case_ left-insert    "12${E}[D3\r"                           132
case_ left-ss3       "12${E}OD3\r"                           132
case_ right          "12${E}[D${E}[D3${E}[C4${E}OC5\r"       31425
case_ home-end-csi   "23${E}[H1${E}[F4\r"                    1234
case_ home-end-ss3   "23${E}OH1${E}OF4\r"                    1234
case_ home-end-tilde "23${E}[1~1${E}[4~4\r"                  1234
case_ home-end-7-8   "23${E}[7~1${E}[8~4\r"                  1234
case_ ctrl-a-e       '23\0011\0054\r'                        1234
case_ ctrl-b-f       '13\0022\006\006\0064\r'                1234
case_ backspace      '12x\1773\r'                            123
case_ ctrl-h         '12x\0103\r'                            123
case_ delete         "1x23${E}[D${E}[D${E}[D${E}[3~\r"       123
case_ ctrl-d-deletes "1x23\001\006\004\r"                    123
case_ ctrl-d-at-end  '12\0043\r'                             123
case_ ctrl-k         "123999${E}[D${E}[D${E}[D\013\r"        123
case_ ctrl-u         '999\0255+5\r'                          10
case_ ctrl-u-middle  "999+5${E}[D${E}[D\025\r"               5
case_ ctrl-w         "print('a b  c  \027d')\r"              'a b  d'
case_ ctrl-w-start   '\027\0277\r'                           7
case_ word-moves     "print('aa bb cc')${E}[1;5D${E}bX${E}fY${E}[1;5C#\r" 'aa XbbY cc'
case_ ctrl-l         '6\014*7\r'                             42
case_ tab            'if 1:\r\tprint(5)\r\r'                 5
case_ unknown-keys   "1${E}[5~${E}[Z\032\0232\r"             12
case_ history-up     '40+2\r\033[A\r'                        $'42\n42'
case_ ctrl-p-n       '1\r2\r\020\020\016\r'                  $'1\n2\n2'
case_ up-down-keeps  "1+1\r5${E}[A${E}[B\r"                  $'2\n5'
alone up-at-oldest   "1\r${E}[A${E}[A${E}[A\r"               $'1\n1'
case_ recalled-edit  "10\r${E}[A0\r"                         $'10\n100'
case_ utf8-moves     "s='\303\251\342\202\254\360\237\231\202'${E}[D${E}[D${E}[D\177\rprint(s, len(s))\r" $'\342\202\254\360\237\231\202 2'
case_ utf8-delete    "s='\303\251x'\001${E}[C${E}[C${E}[C${E}[3~\rprint(s)\r" 'x'
case_ utf8-stray     "print(len('a\200\277b'))\r"            2
case_ utf8-truncated "print(len('a\342\202b'))\r"            2
case_ ctrl-c         '99\0037\r'                             7
case_ ctrl-c-block   'if 1:\r\003print(8)\r'                 8
alone eof-mid-line   '6*7'                                   42
alone eof-in-block   'for i in range(2):\r    print(i)\r'    $'0\n1'
case_ ctrl-d-block   'for i in range(2):\r    print(i)\r\004print(9)\r' $'0\n1\n9'
run_cases

# Ctrl-C prints KeyboardInterrupt on its own line; Ctrl-D on an empty line
# exits with status 0 after a newline, and ignores what follows
feed 80 '1+\0036*7\r\004print("not run")\r'
expect_status 0
expect_stdout 42
grep -qx 'KeyboardInterrupt' "$TMP/err" || { dump; fail "no KeyboardInterrupt line"; }
tail -c 1 "$TMP/err" | od -An -c | grep -q '\\n' || { dump; fail "exit without a final newline"; }

# sys.exit() from the REPL gives its status
feed 80 'import sys\rsys.exit(3)\r'
expect_status 3

# A line wider than the screen scrolls: no drawn row reaches the last column
# (so the terminal never wraps) and the cursor column stays on the screen.
long=$(printf '1+%.0s' $(seq 40))1
feed 20 "$long\r${E}[A\001${E}[C${E}[C\177\r"
expect_status 0
expect_stdout $'41\n50'
tr '\r\n' '\n\n' < "$TMP/err" | sed '1d; s/\x1b\[[0-9;]*[A-Za-z]//g' |
    awk 'length >= 20 { print "row too wide: " $0; bad = 1 } END { exit bad }' ||
    { dump; fail "redraw wider than the screen"; }
grep -o $'\x1b\\[[0-9]*C' "$TMP/err" | tr -dc '0-9\n' |
    awk '$1 >= 20 { bad = 1 } END { exit bad }' || fail "cursor moved past the screen"

# History: saved at exit without blank lines or repeats, recalled next time
rm -f "$HOME/.toy_history"
feed 80 '1+1\r2+2\r\r    \r2+2\r\004'
printf '1+1\n2+2\n' > "$TMP/want"
diff -u "$TMP/want" "$HOME/.toy_history" || fail "history file differs"
[ "$(stat -c %a "$HOME/.toy_history")" = 600 ] || fail "history file is not mode 600"
feed 80 "${E}[A${E}[A\r"
expect_stdout 2

# ... bounded to the newest 1000 entries
seq 1 1200 | sed 's/^/x = /' > "$HOME/.toy_history"
feed 80 '7\r\004'
expect_stdout 7
[ "$(wc -l < "$HOME/.toy_history")" = 1000 ] || fail "history not bounded to 1000"
[ "$(head -n 1 "$HOME/.toy_history")" = 'x = 202' ] || fail "oldest entries not dropped first"
[ "$(tail -n 1 "$HOME/.toy_history")" = 7 ] || fail "newest entry not last"

# ... and still works in memory when HOME is unset or not writable
TOY_LINEEDIT_TEST=80 env -u HOME "$TOY" < <(printf '3*3\r\033[A\r') > "$TMP/out" 2> "$TMP/err"
rc=$?
expect_status 0
expect_stdout $'9\n9'
HOME="$TMP/no/such/dir" feed 80 '3*3\r\033[A\r'
expect_status 0
expect_stdout $'9\n9'
[ ! -e "$TMP/no" ] || fail "history created a directory"
exit 0
