#!/bin/bash
# Data-parallel training under mpirun on one machine: two ranks give the
# same weights, to float rounding, as one process with the same global
# batch and seed (an even batch and an odd one, shared 17 + 16); a run
# with another batch does not (the check can fail); one rank that cannot
# read its data stops every rank, non-zero, with that rank named, within
# a timeout; rank 0 alone prints and writes.  On a tiny generated data
# set, so it runs wherever the tests do.
. "$top_srcdir/tests/runtime/common.sh"
if ! grep -q '^#define NL_HAVE_MPI 1' "$top_builddir/config.h"; then
	echo "SKIP: netlang was built without MPI (Debian: apt-get install libopenmpi-dev openmpi-bin)"
	exit 77
fi
if ! command -v mpirun >/dev/null; then
	echo "SKIP: no mpirun (Debian: apt-get install openmpi-bin)"
	exit 77
fi
# root may run mpirun here (CI containers); two ranks may share a core
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Open MPI's own allocations, not netlang's, are what LeakSanitizer finds
# in a sanitizer build: suppressed for its libraries alone.  They are named
# only when the stacks are whole (Open MPI has no frame pointers) and its
# plugins stay loaded to the end.
export LSAN_OPTIONS="suppressions=$top_srcdir/tests/dist/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export OMPI_MCA_mca_base_component_disable_dlclose=1
close() { python3 "$top_srcdir/tests/dist/weights_close.py" "$@"; }
mpi() { timeout 120 mpirun --oversubscribe "$@"; }
# Open MPI itself must be able to start two processes here (a container
# may lack what it needs); that is not netlang's to test
if ! probe=$(mpi -np 2 true 2>&1); then
	echo "SKIP: mpirun cannot start two processes on this machine: $(echo "$probe" | head -3)"
	exit 77
fi

d=$tmp/data
python3 "$top_srcdir/tests/fuzz/tiny_idx.py" -n 320 64 "$d"
args=("$ex/lenet.net" --train --data "$d" --device cpu --threads 1 --steps 5 --lr 0.9
	--seed 7)

for batch in 32 33; do
	"$NETLANG" "${args[@]}" --batch $batch --save "$tmp/one.w" >"$tmp/one.out" 2>&1 ||
		{ cat "$tmp/one.out"; bad "batch $batch: one process failed"; continue; }
	rm -f "$tmp/two.w" "$tmp/two.svg"
	if ! mpi -np 2 "$NETLANG" "${args[@]}" --batch $batch --save "$tmp/two.w" \
		--plot "$tmp/two.svg" >"$tmp/two.out" 2>"$tmp/two.err"; then
		cat "$tmp/two.out" "$tmp/two.err"; bad "batch $batch: two ranks failed"; continue
	fi
	if close "$tmp/one.w" "$tmp/two.w" >"$tmp/cmp"; then
		ok "batch $batch over 2 ranks: the weights of one process ($(cat "$tmp/cmp"))"
	else
		bad "batch $batch over 2 ranks: other weights: $(cat "$tmp/cmp")"
	fi
	# rank 0 alone prints: one header, one result, nothing on stderr
	[ "$(grep -c '^training lenet' "$tmp/two.out")" = 1 ] &&
		[ "$(grep -c 'examples/sec on cpu x 2 ranks' "$tmp/two.out")" = 1 ] ||
		bad "batch $batch: not one report from rank 0: $(cat "$tmp/two.out")"
	[ -s "$tmp/two.err" ] && bad "batch $batch: stderr: $(cat "$tmp/two.err")"
	# rank 0 draws the live curves; no rank leaves a temporary file
	python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$tmp/two.svg" ||
		bad "batch $batch: --plot not drawn by rank 0"
	ls "$tmp" | grep -q '\.tmp' && bad "batch $batch: temporaries left: $(ls "$tmp")"
done
grep -q "^batch 33 over 2 ranks: the first 1 take 17 examples, the rest 16" "$tmp/two.out" ||
	bad "an odd batch is not said to be shared unevenly"

# The comparison can fail: half the batch on one process is another run.
"$NETLANG" "${args[@]}" --batch 16 --save "$tmp/half.w" >/dev/null 2>&1
if close "$tmp/half.w" "$tmp/two.w" >/dev/null; then
	bad "batch 16 on one process matches batch 33 on two"
else
	ok "another batch gives other weights"
fi

# Evaluation split across ranks scores what one process scores: the
# totals, the accuracy per class and the confusion matrix (all but the
# speed line).
"$NETLANG" "${args[@]/--train/--eval}" --batch 32 --load "$tmp/one.w" >"$tmp/e1" 2>&1
mpi -np 2 "$NETLANG" "${args[@]/--train/--eval}" --batch 32 --load "$tmp/one.w" \
	>"$tmp/e2" 2>&1
if [ "$(grep -v 'examples/sec' "$tmp/e1")" = "$(grep -v 'examples/sec' "$tmp/e2")" ] &&
	grep -q '^test loss' "$tmp/e1" && grep -q '^confusion matrix' "$tmp/e1"; then
	ok "evaluation over 2 ranks: $(grep '^test' "$tmp/e2"), per class the same"
else
	bad "evaluation differs: $(cat "$tmp/e1") / $(cat "$tmp/e2")"
fi

# One rank without its data: every rank stops, the rank is named, no hang.
rm -f "$tmp/bad.w"
mpi -np 1 "$NETLANG" "${args[@]}" --batch 32 --save "$tmp/bad.w" : \
	-np 1 "$NETLANG" "${args[@]}" --batch 32 --data "$tmp/nonexistent" \
	>"$tmp/f.out" 2>"$tmp/f.err"
rc=$?
if [ $rc = 124 ]; then
	bad "a failing rank: the job hung (killed after 120 s)"
elif [ $rc = 0 ]; then
	bad "a failing rank: the job succeeded"
else
	ok "a failing rank ends the job (exit $rc)"
fi
grep -q "^netlang: rank 1: data '$tmp/nonexistent'" "$tmp/f.err" ||
	bad "the failing rank's message is not headed with its rank: $(cat "$tmp/f.err")"
grep -q "rank 1 failed" "$tmp/f.err" || bad "rank 0 does not name the failing rank"
[ -e "$tmp/bad.w" ] && bad "weights were written by a failed job"
grep -q '^training' "$tmp/f.out" && bad "the failed job began training"

# Ranks that read different data sets are refused, not trained apart.
python3 "$top_srcdir/tests/fuzz/tiny_idx.py" -n 352 64 "$tmp/other"
mpi -np 1 "$NETLANG" "${args[@]}" --batch 32 : \
	-np 1 "$NETLANG" "${args[@]}" --batch 32 --data "$tmp/other" >"$tmp/f.out" 2>"$tmp/f.err"
[ $? != 0 ] && grep -q "the ranks read different data sets" "$tmp/f.err" &&
	ok "ranks with different data sets are refused" ||
	bad "ranks with different data sets: $(cat "$tmp/f.err")"

# Without mpirun, a netlang built with MPI is a plain program.
"$NETLANG" "${args[@]}" --batch 33 --save "$tmp/plain.w" >"$tmp/p.out" 2>&1 &&
	cmp -s "$tmp/plain.w" "$tmp/one.w" && ok "without mpirun: one process, the same weights" ||
	bad "without mpirun: $(cat "$tmp/p.out")"
exit $fail
