#!/bin/sh
# A session through a real terminal (tmux): type a layer and read its
# shape back, recall a line with the Up arrow (in the session and in the
# next one, through the history file), complete a block name with TAB, and
# press Ctrl-C inside a `def` block.
. "$top_srcdir/tests/repl/common.sh"

command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed: the terminal test cannot run"; exit 77; }

sock=$tmp/tmux.sock
tm() { TERM=xterm tmux -S "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

# `use vgg` finds the project's stdlib from the build tree; until that
# holds vgg.net, a copy of the slides' block stands in for it.
lib=$tmp/lib
mkdir -p "$lib"
if [ ! -r "$top_srcdir/stdlib/vgg.net" ]; then
	printf 'def vgg_block(n, c) {\n  repeat n { conv 3x3 -> c pad 1; relu }\n  maxpool 2x2/2\n}\n' >"$lib/vgg.net"
fi

# start NAME [VAR=VALUE...]: a session in a 160x60 terminal; when it ends
# the window shows "EXIT=status".
start() {
	s=$1
	shift
	tm new-session -d -s "$s" -x 160 -y 60 \
		"env HOME='$HOME' NETLANG_PATH='$lib' $* '$NETLANG'; echo EXIT=\$?; sleep 600"
}

screen() { tm capture-pane -p -S -1000 -t "$1" >"$tmp/screen"; }

# wait_for SESSION GREP-PATTERN [COUNT]: until the screen shows COUNT
# (default 1) lines that match (20 s at most).
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		screen "$1"
		[ "$(grep -c -- "$2" "$tmp/screen")" -ge "${3:-1}" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat "$tmp/screen" >&2
	fail "the terminal never showed '$2' ${3:-1} times"
}

# The line the cursor is on (the last non-blank one).
last_line() {
	screen "$1"
	grep -v '^ *$' "$tmp/screen" | tail -n 1 | sed 's/ *$//'
}

keys() { s=$1; shift; tm send-keys -t "$s" "$@"; }

start one
wait_for one '^netlang> *$'

# A layer and its shape.
keys one 'input 1x224x224' Enter
wait_for one '^Input shape: \[1, 1, 224, 224\]$'
keys one 'conv 11x11/4 -> 96' Enter
wait_for one '^Conv2d output shape: \[1, 96, 54, 54\]'

# Up recalls the conv; entered again it works on 96x54x54:
# (54 - 11) / 4 + 1 = 11.
keys one Up
sleep 0.3
[ "$(last_line one)" = 'netlang> conv 11x11/4 -> 96' ] || fail "Up did not recall the line: $(last_line one)"
keys one Enter
wait_for one '^Conv2d output shape: \[1, 96, 11, 11\]'

# TAB completes a block name from `use vgg` into a call.
keys one 'use vgg' Enter
sleep 0.3
keys one 'vgg_bl' Tab
sleep 0.3
[ "$(last_line one)" = 'netlang> vgg_block(' ] || fail "TAB did not complete vgg_bl: $(last_line one)"
keys one '1, 64)' Enter
wait_for one '^vgg_block output shape: \[1, 64, 5, 5\]'
# ... and a command name (:expa, since :explain shares :exp).
keys one ':expa' Tab Enter
wait_for one '^  MaxPool2d output shape: \[1, 64, 5, 5\]$'

# Ctrl-C inside a block: the block is gone, the prompt is back, and the
# net is as it was (the next layer continues from 64x5x5, and f is not
# defined).
keys one 'def f(a) {' Enter
wait_for one '^\.\.\.> *$'
keys one 'conv 1x1 -> a' Enter
sleep 0.3
keys one C-c
sleep 0.3
[ "$(last_line one)" = 'netlang>' ] || fail "no prompt after Ctrl-C: $(last_line one)"
keys one 'flatten' Enter
wait_for one '^Flatten output shape: \[1, 1600\]$'
keys one 'f(1)' Enter
sleep 0.5
screen one
grep -q "^<stdin>:[0-9]*:[0-9]*: error: .*'f'" "$tmp/screen" || { cat "$tmp/screen" >&2; fail "f survived Ctrl-C"; }

# Ctrl-C on a half-typed line drops it.
keys one 'relu relu relu' C-c
sleep 0.3
keys one 'relu' Enter
wait_for one '^ReLU output shape: \[1, 1600\]$'
screen one
grep -q 'relu relu relu$' "$tmp/screen" && fail "a line abandoned with Ctrl-C was run"

# After :load, TAB completes file names; the loaded file's layer prints.
printf 'relu\n' >"$tmp/lesson-part.net"
keys one ":load $tmp/lesson-pa" Tab
sleep 0.3
[ "$(last_line one)" = "netlang> :load $tmp/lesson-part.net" ] || fail "TAB did not complete the file name: $(last_line one)"
keys one Enter
wait_for one '^ReLU output shape: \[1, 1600\]$' 2

# `use <TAB>` lists the libraries, not layer keywords; inside a call's
# parentheses TAB shows the block's parameters and leaves the line alone.
keys one 'use ' Tab Tab
wait_for one 'densenet  *googlenet  *nin  *resnet  *vgg'
screen one
grep -q 'maxpool' "$tmp/screen" && fail "use <TAB> offered layer keywords"
keys one C-u 'vgg_block(' Tab
wait_for one '^vgg_block(n, c): integers'
[ "$(last_line one)" = 'netlang> vgg_block(' ] || fail "the call's line changed: $(last_line one)"
keys one C-u

# Ctrl-D inside an open block drops the block and the session goes on;
# at the prompt it ends the session with status 0.
keys one 'def later() {' Enter
wait_for one '^\.\.\.> *$'
keys one C-d
wait_for one 'the open block was abandoned'
keys one 'relu' Enter
wait_for one '^ReLU output shape: \[1, 1600\]$' 3
keys one C-d
wait_for one '^EXIT=0$'

# The history file holds the lines; a new session recalls the last one.
[ -s "$HOME/.netlang_history" ] || fail "no history in ~/.netlang_history"
grep -qx 'conv 11x11/4 -> 96' "$HOME/.netlang_history" || fail "the history lacks the conv"
start two
wait_for two '^netlang> *$'
keys two Up
sleep 0.3
[ "$(last_line two)" = "netlang> relu" ] || fail "the next session did not recall the history: $(last_line two)"
keys two C-u ':quit' Enter
wait_for two '^EXIT=0$'

# With XDG_STATE_HOME set, the history lives under it.
start three "XDG_STATE_HOME='$tmp/state'"
wait_for three '^netlang> *$'
keys three 'input 3x8x8' Enter
wait_for three '^Input shape'
keys three C-d
wait_for three '^EXIT=0$'
grep -qx 'input 3x8x8' "$tmp/state/netlang/history" || fail "no history under \$XDG_STATE_HOME"

# Ctrl-C during :train stops the training, not the session: the prompt is
# back and the net is still there.
python3 "$top_srcdir/tests/fuzz/tiny_idx.py" "$tmp/data/fashion-mnist"
start four "NETLANG_DATA='$tmp/data'"
wait_for four '^netlang> *$'
keys four 'input 1x28x28' Enter 'flatten' Enter 'fc 10' Enter
wait_for four '^Linear output shape'
keys four ':train --epochs 100000 --batch 8 --device cpu' Enter
wait_for four '^training session'
sleep 0.5
keys four C-c
wait_for four 'interrupted (Ctrl-C) at epoch'
wait_for four '^netlang> *$'
keys four ':show' Enter
wait_for four '^fc 10  *<stdin>:3'
keys four C-d
wait_for four '^EXIT='
exit 0
