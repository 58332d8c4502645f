# REPL history on a real terminal (tmux, see repl_tmux.sh): lines typed in
# one session are saved to $HOME/.toy_history at Ctrl-D and come back with
# Up in the next session; repeats, blank lines and cancelled lines are not
# stored.
. tests/tools/testlib.sh
. tests/tools/tmuxlib.sh

start 1
wait_until at_prompt '>>>'
keys '6*7' Enter
wait_until ran 42
keys '6*7' Enter
wait_until count_lines 42 2
wait_until at_prompt '>>>'
keys Enter
wait_until count_lines '>>>' 2
wait_until at_prompt '>>>'
keys 'for i in range(2):' Enter
wait_until at_prompt '...'
keys Tab 'print(i + 100)' Enter
wait_until at_prompt '...'
keys Enter
wait_until ran 101
keys 'never' C-c
wait_until ran KeyboardInterrupt
keys '5*5' Enter
wait_until ran 25
keys C-d
wait_until exited 1
[ "$(cat "$TMP/status.1")" = 0 ] || fail "Ctrl-D: exit status $(cat "$TMP/status.1"), expected 0"

hist="$HOME/.toy_history"
[ -f "$hist" ] || fail "no $hist after the session"
printf '%s\n' '6*7' 'for i in range(2):' '    print(i + 100)' '5*5' > "$TMP/want"
diff -u "$TMP/want" "$hist" || fail "history file differs"

# the second session recalls the first one's lines, newest first
start 2
wait_until at_prompt '>>>'
keys Up
wait_until has_line '>>> 5*5'
keys Up Up Up Enter
wait_until ran 42
keys C-d
wait_until exited 2
[ "$(cat "$TMP/status.2")" = 0 ] || fail "second session: exit status $(cat "$TMP/status.2")"
exit 0
