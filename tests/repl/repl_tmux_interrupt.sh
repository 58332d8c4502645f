# Ctrl-C at the REPL on a real terminal (tmux), beyond line editing:
#   - a running statement (a busy loop, then a long sleep) is interrupted
#     with KeyboardInterrupt and its traceback, and the prompt comes back;
#   - with TERM=dumb (plain reading, the terminal's own line discipline),
#     Ctrl-C at the prompt prints KeyboardInterrupt and a fresh prompt, and
#     the next statement runs normally.
. tests/tools/testlib.sh
. tests/tools/tmuxlib.sh

start 1
wait_until at_prompt '>>>'
keys 'while True: pass' Enter
wait_until has_line '...'
keys Enter
sleep 0.2
keys C-c
wait_until has_line 'KeyboardInterrupt'
wait_until at_prompt '>>>'
keys 'import time; time.sleep(60)' Enter
sleep 0.2
keys C-c
wait_until count_lines 'KeyboardInterrupt' 2
wait_until at_prompt '>>>'
keys '6*7' Enter
wait_until ran 42
keys C-d
wait_until exited 1
[ "$(cat "$TMP/status.1")" = 0 ] || { show; fail "exit status $(cat "$TMP/status.1") after Ctrl-D"; }

S=toy2
tm -f /dev/null new-session -d -s "$S" -x 80 -y 24 \
    "TERM=dumb HOME='$HOME' '$TOY'; echo \$? > '$TMP/status.2'" || fail "tmux could not start"
wait_until at_prompt '>>>'
keys '1+'
keys C-c
wait_until has_line 'KeyboardInterrupt'
wait_until at_prompt '>>>'
keys '6*7' Enter
wait_until ran 42
keys C-d
wait_until exited 2
[ "$(cat "$TMP/status.2")" = 0 ] || { show; fail "exit status $(cat "$TMP/status.2") after Ctrl-D"; }
