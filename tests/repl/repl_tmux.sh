# The REPL on a real terminal: toy runs in a detached tmux session (80x24,
# scratch HOME); keys go in with `tmux send-keys`, the screen comes back with
# `tmux capture-pane`. Covers running an expression, cursor editing, Up
# recalling a line, a multi-line block with "..." prompts, Ctrl-C abandoning
# a line or a block, a line wider than the screen, and Ctrl-D exiting with
# status 0. Every wait polls the screen (up to 5 s); no fixed sleeps.
# History across sessions: repl_tmux_history.sh.
. tests/tools/testlib.sh
. tests/tools/tmuxlib.sh

start 1
wait_until at_prompt '>>>'
keys '6*7' Enter
wait_until ran 42

# 2+3 -> 20+3 (Left Left, insert) -> 120+3 (Home) -> 120+4 (End, Backspace)
# -> 20+4 (Home, Delete)
keys '2+3' Left Left 0 Home 1 End BSpace 4 Home DC Enter
wait_until has_line 24
has_line '>>> 20+4' || { show; fail "edited line not shown as '>>> 20+4'"; }
wait_until at_prompt '>>>'
keys Up Enter
wait_until count_lines 24 2
wait_until at_prompt '>>>'

keys 'for i in range(3):' Enter
wait_until at_prompt '...'
keys Tab 'if i != 1:' Enter
wait_until has_line '...     if i != 1:'
keys Tab Tab 'print(i + 100)' Enter
wait_until has_line '...         print(i + 100)'
keys Enter
wait_until has_line 102
has_line 100 || { show; fail "block did not print 100"; }
! has_line 101 || { show; fail "block printed 101"; }
wait_until at_prompt '>>>'

keys '1+'
wait_until has_line '>>> 1+'
keys C-c
wait_until ran KeyboardInterrupt
keys 'if True:' Enter
wait_until at_prompt '...'
keys C-c
wait_until count_lines KeyboardInterrupt 2
wait_until at_prompt '>>>'
keys '5*5' Enter
wait_until ran 25

# a line longer than the screen scrolls sideways and still runs whole
long=$(printf 'a%.0s' $(seq 100))
keys "x = '$long'" Enter
wait_until at_prompt '>>>'
keys 'len(x)' Enter
wait_until ran 100
awk 'length > 80 { exit 1 }' "$TMP/pane" || { show; fail "a screen row is wider than 80"; }

keys C-d
wait_until exited 1
[ "$(cat "$TMP/status.1")" = 0 ] || fail "Ctrl-D: exit status $(cat "$TMP/status.1"), expected 0"

exit 0
