#!/bin/bash
# Checkpoints and interruptions: a run stopped mid-epoch (by --steps, at an
# epoch's end, or by a real SIGINT) and resumed ends with the same weights,
# bit for bit, as a run never stopped; a second Ctrl-C ends at once; a
# checkpoint of another net, batch or data set, a damaged one and a FIFO
# are refused; a diverging loss stops the run (or warns with --keep-going)
# and names weight decay when it is the cause.  On a tiny generated data
# set, so it runs wherever the tests do.
. "$top_srcdir/tests/runtime/common.sh"
d=$tmp/data
python3 "$top_srcdir/tests/fuzz/tiny_idx.py" -n 128 32 "$d"
# batch norm (state), dropout (the forwards counter), momentum (velocity)
cat >"$tmp/net.net" <<'NET'
input 1x28x28
conv 5x5 -> 6 pad 2; batchnorm; relu; maxpool 2x2/2
flatten; fc 32; relu; dropout 0.5
fc 10
NET
args=("$tmp/net.net" --train --data "$d" --device cpu --threads 1 --batch 16 --lr 0.05
	--momentum 0.9 --weight-decay 0.0001 --epochs 3)
train() { "$NETLANG" "${args[@]}" "$@"; }

train --save "$tmp/full.bin" >"$tmp/full.out" 2>&1 || { cat "$tmp/full.out"; bad "the whole run failed"; }

# resume_same NAME STEPS: stop after STEPS with a checkpoint, resume, compare
resume_same() {
	rm -f "$tmp/ck.bin" "$tmp/res.bin"
	if ! train --steps "$2" --checkpoint "$tmp/ck.bin" >"$tmp/out" 2>&1; then
		bad "$1: the stopped run failed"; cat "$tmp/out"; return
	fi
	if ! train --resume "$tmp/ck.bin" --save "$tmp/res.bin" >"$tmp/out" 2>&1; then
		bad "$1: the resumed run failed"; cat "$tmp/out"; return
	fi
	grep -q "^resuming from $tmp/ck.bin: epoch" "$tmp/out" || bad "$1: no resuming line"
	if cmp -s "$tmp/full.bin" "$tmp/res.bin"; then ok "$1"; else bad "$1: other weights"; fi
	# the last epoch's line is the uninterrupted run's
	[ "$(grep '^loss' "$tmp/out")" = "$(grep '^loss' "$tmp/full.out")" ] ||
		bad "$1: the final line differs: $(grep '^loss' "$tmp/out")"
}
resume_same "resumed mid-epoch (step 11, 8 steps an epoch) gives the same weights" 11
resume_same "resumed after an epoch's last step, before its test, gives the same weights" 8
resume_same "resumed after the first step gives the same weights" 1

# every epoch writes the checkpoint; a finished run says how to go on
rm -f "$tmp/ck.bin"
train --epochs 1 --checkpoint "$tmp/ck.bin" >/dev/null 2>&1 || bad "one epoch with a checkpoint failed"
train --resume "$tmp/ck.bin" --save "$tmp/res.bin" >/dev/null 2>&1 &&
	cmp -s "$tmp/full.bin" "$tmp/res.bin" && ok "an epoch's checkpoint resumes to the same weights" ||
	bad "an epoch's checkpoint did not resume to the same weights"
train --checkpoint "$tmp/done.ck" >/dev/null 2>&1
expect_fail "a finished run says how to train on" "that run finished its 3 epochs (give --epochs N with N > 3" \
	train --resume "$tmp/done.ck"

# a real Ctrl-C mid-run: a message, status 130, the checkpoint and the
# weights as they are; resumed, the run ends where it would have
# (not through the function: $! must be netlang itself)
"$NETLANG" "${args[@]}" --epochs 4000 --checkpoint "$tmp/int.ck" --save "$tmp/int.bin" \
	>"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
for _ in $(seq 100); do grep -q '^training' "$tmp/int.out" && break; sleep 0.1; done
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
at=$(sed -n 's/.*interrupted (Ctrl-C) at epoch [0-9]*, step \([0-9]*\);.*/\1/p' "$tmp/int.err")
if [ $rc -eq 130 ] && [ -n "$at" ] && grep -q "continue it with --resume $tmp/int.ck" "$tmp/int.err" &&
	[ -s "$tmp/int.ck" ] && [ -s "$tmp/int.bin" ]; then
	ok "Ctrl-C stops with a message, status 130, a checkpoint and the weights"
	# the same number of steps uninterrupted, and the interrupted run resumed
	train --epochs 4000 --steps $((at + 5)) --save "$tmp/ref.bin" >/dev/null 2>&1
	train --epochs 4000 --steps $((at + 5)) --resume "$tmp/int.ck" --save "$tmp/res.bin" >/dev/null 2>&1
	if cmp -s "$tmp/ref.bin" "$tmp/res.bin"; then ok "a run interrupted at step $at resumes to the same weights"
	else bad "a run interrupted at step $at resumed to other weights"; fi
else
	bad "Ctrl-C: status $rc, stderr:"; sed 's/^/    /' "$tmp/int.err"
fi
ls "$tmp" | grep -q '\.tmp' && bad "a temporary file was left: $(ls "$tmp")"

# SIGTERM as well, with status 143
"$NETLANG" "${args[@]}" --epochs 4000 --checkpoint "$tmp/term.ck" >"$tmp/term.out" \
	2>"$tmp/term.err" &
pid=$!
for _ in $(seq 100); do grep -q '^training' "$tmp/term.out" && break; sleep 0.1; done
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 143 ] && grep -q 'terminated (SIGTERM) at epoch' "$tmp/term.err" && [ -s "$tmp/term.ck" ] &&
	ok "SIGTERM stops with a checkpoint and status 143" || { bad "SIGTERM: status $rc"; cat "$tmp/term.err"; }

# in a teaching script, SIGTERM or Ctrl-C during :train ends the script
# (as a shell script's would), with -k too: the lines after it do not run
printf ':load %s\n:train --epochs 4000\n:train --epochs 1\n' "$tmp/net.net" >"$tmp/two.nls"
for sig in TERM INT; do
	"$NETLANG" -k -f "$tmp/two.nls" --data "$d" --device cpu --threads 1 --batch 16 \
		>"$tmp/sc.out" 2>"$tmp/sc.err" &
	pid=$!
	for _ in $(seq 100); do grep -q '^training' "$tmp/sc.out" && break; sleep 0.1; done
	kill -$sig $pid
	wait $pid
	rc=$?
	want=$([ $sig = TERM ] && echo 143 || echo 130)
	if [ $rc -eq "$want" ] && [ "$(grep -c '^training' "$tmp/sc.out")" = 1 ]; then
		ok "SIG$sig during a script's :train ends the script (status $rc)"
	else
		bad "SIG$sig in a script: status $rc, $(grep -c '^training' "$tmp/sc.out") trainings"
		sed 's/^/    /' "$tmp/sc.out" "$tmp/sc.err"
	fi
done

# a second Ctrl-C while a slow step runs ends the process at once
cat >"$tmp/slow.net" <<'NET'
input 1x28x28
conv 3x3 -> 64 pad 1; relu; conv 3x3 -> 64 pad 1; relu; conv 3x3 -> 64 pad 1; relu
flatten; fc 10
NET
"$NETLANG" "$tmp/slow.net" --train --data "$d" --device cpu --batch 128 --epochs 100 \
	--checkpoint "$tmp/slow.ck" >"$tmp/slow.out" 2>"$tmp/slow.err" &
pid=$!
for _ in $(seq 100); do grep -q '^training' "$tmp/slow.out" && break; sleep 0.1; done
kill -INT $pid
sleep 0.05
kill -INT $pid
wait $pid
if grep -q 'interrupted again; stopping now' "$tmp/slow.err"; then
	ok "a second Ctrl-C stops at once"
elif grep -q 'interrupted (Ctrl-C)' "$tmp/slow.err"; then
	ok "a second Ctrl-C came after the first had stopped the run (a fast machine)"
else
	bad "two Ctrl-C: stderr:"; sed 's/^/    /' "$tmp/slow.err"
fi
ls "$tmp" | grep -q '\.tmp' && bad "a temporary file was left after two Ctrl-C: $(ls "$tmp")"

# what --resume refuses
cp "$tmp/int.ck" "$tmp/bad.ck"
printf '\001' | dd of="$tmp/bad.ck" bs=1 seek=200 conv=notrunc 2>/dev/null
expect_fail "a damaged checkpoint is refused" "damaged checkpoint (its CRC does not match)" \
	train --resume "$tmp/bad.ck"
head -c 100 "$tmp/int.ck" >"$tmp/short.ck"
expect_fail "a truncated checkpoint is refused" "short.ck: damaged checkpoint" train --resume "$tmp/short.ck"
expect_fail "a weights file is not a checkpoint" "not a netlang checkpoint" train --resume "$tmp/full.bin"
expect_fail "another batch is refused" "was written by a run with batch 16; this one has batch 32" \
	train --resume "$tmp/int.ck" --batch 32
expect_fail "another net is refused" "the checkpoint is of another net" \
	"$NETLANG" "$tmp/slow.net" --train --data "$d" --device cpu --batch 16 --resume "$tmp/int.ck"
python3 "$top_srcdir/tests/fuzz/tiny_idx.py" -n 96 32 "$tmp/other"
expect_fail "another data set is refused" "run on 128 training examples; this data set has 96" \
	train --data "$tmp/other" --resume "$tmp/int.ck"
mkfifo "$tmp/fifo"
expect_fail "a FIFO is refused without blocking" "fifo" timeout 10 "$NETLANG" "${args[@]}" \
	--resume "$tmp/fifo"
expect_fail "a checkpoint that cannot be written is refused before training" "nodir" \
	train --checkpoint "$tmp/nodir/ck"

# divergence: a loss far above its start for 100 steps stops the run
printf 'input 1x28x28\nflatten\nfc 64; sigmoid\nfc 10\n' >"$tmp/sig.net"
sig() { "$NETLANG" "$tmp/sig.net" --train --data "$d" --device cpu --batch 16 --epochs 30 "$@"; }
expect_fail "a diverging loss stops the run" "the loss diverged:" sig --lr 100 --save "$tmp/div.bin"
grep -q 'Try a lower learning rate (--lr 10)' "$tmp/err" && ok "the advice names a lower rate" ||
	bad "no lower rate suggested"
[ -e "$tmp/div.bin" ] && bad "a diverged run saved its weights"
if sig --lr 100 --epochs 20 --keep-going >"$tmp/out" 2>"$tmp/err" &&
	grep -q 'warning: the loss diverged' "$tmp/err" && grep -q "^epoch 20/20" "$tmp/out"; then
	ok "--keep-going warns and trains on"
else
	bad "--keep-going:"; cat "$tmp/err"
fi
expect_fail "weight decay that overshoots is named" "lower weight decay: lr x weight decay = 3" \
	sig --lr 1 --weight-decay 3
sig --lr 0.5 --epochs 5 >/dev/null 2>"$tmp/err" && ! grep -q diverged "$tmp/err" &&
	ok "a healthy run is not called diverging" || { bad "a healthy run:"; cat "$tmp/err"; }

# --log-every's means add up to the epoch's loss (sums kept in double)
sig --lr 0.5 --epochs 1 --log-every 1 >"$tmp/out" 2>&1
python3 - "$tmp/out" <<'PY' && ok "--log-every's step losses average to the epoch's" || bad "--log-every's losses do not add up"
import re, sys
t = open(sys.argv[1]).read()
steps = [float(x) for x in re.findall(r"^step \d+ loss (\S+)$", t, re.M)]
epoch = float(re.search(r"^epoch 1/1: loss (\S+),", t, re.M).group(1))
sys.exit(0 if len(steps) == 8 and abs(sum(steps) / len(steps) - epoch) < 1e-3 else 1)
PY
exit $fail
