#!/bin/bash
# tests/gpu/check.sh - the GPU backend, proved on a machine with an NVIDIA GPU.
#
#   tests/gpu/check.sh [options] [BUILD [DATA]]   on the GPU machine
#   tests/gpu/check.sh --bundle [BUILD]           on the build machine, first
#
# BUILD is a CUDA build of netlang (default: build), made on a machine with
# the CUDA toolkit, with or without a GPU: carry its netlang, netlang-gpu.so
# (the GPU backend, opened by netlang from beside it) and gpu_ops_check.  DATA holds Fashion-MNIST's four
# IDX files (or a fashion-mnist/ folder with them): arg 2, else
# $NETLANG_DATA, else data/ in the checkout.  Paths are relative to where
# the script is called from.
#
# Phases (--phases, comma-separated, run in this order):
#   start    the backend starts: binaries, libraries, the GPU, a probe of
#            gpu_ops_check and of netlang.  Always runs first; when the
#            backend cannot start, everything stops there, with the reason.
#   ops      gpu_ops_check: every operation GPU against CPU, TF32 off
#            (limit 1e-5) and on (5e-3).  Should the process die (a fatal
#            CUDA error ends it), each group of cases then runs alone, so
#            one op's error hides none of the others.
#   train    LeNet and AlexNet train on the GPU with a falling loss.
#   compare  the first 5 step losses of GPU and CPU runs from one seed
#            agree: LeNet, AlexNet, LeNet with batch norm, ResNet-18.
#   table    the slides' table, LeNet and AlexNet: each file's recipe,
#            10 epochs, --plot curves, against the slides' accuracy.
#   bench    bench/train_bench.py --device gpu: netlang against PyTorch.
#   vgg11    the table's VGG-11 row, last, with the time that is left.
#   check = start,ops,train,compare (the default); slides = start,table,
#   bench,vgg11; all = every phase.
#
# Options:
#   --phases LIST   as above
#   --group G[,G]   ops: only these groups of cases (gpu_ops_check
#                   --list-groups names them)
#   --deadline S    seconds for the whole run, summary included (default
#                   540, under a 10-minute command limit).  Every command
#                   runs under `timeout -k`, given what is left at most.
#   --out DIR       where the logs and results go (default: $OUT when set,
#                   else BUILD/gpu-check): summary.txt, logs.tar.gz (every
#                   log, refreshed after each phase) and the --plot SVGs.
#   --dry-run       no GPU: a CPU backend in the GPU's place (gpu_ops_check
#                   --cpu-vs-cpu, netlang --device cpu, a few steps where
#                   a GPU would train for minutes); checks this script.
#   --fail PHASE    plant a failure in PHASE (with --dry-run, to see the
#                   summary name it): in ops, the check dies in group conv.
#
# The library path (cuDNN, cuBLAS, the CUDA runtime, found in the CUDA
# toolkit or in a PyTorch installation, then the libraries --bundle packed)
# is set for netlang's and gpu_ops_check's commands only, through small
# wrappers; PyTorch runs with its own.  The summary, printed last by an exit
# trap, names every failing check and case.  Exit status 0 when every check
# passed; 1 otherwise; 2 for bad usage.
set -u
CALLER=$(pwd)
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)

usage() {
	sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

abs() {   # a path as the caller meant it
	case "$1" in
	/*) echo "$1" ;;
	*) echo "$CALLER/$1" ;;
	esac
}

# Libraries every Linux has, and those that must come from the GPU side.
system_lib() {
	case "$1" in
	linux-vdso*|ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*) return 0 ;;
	libgcc_s.so*|libstdc++.so*|libcuda.so*|libcudnn*|libcublas*|libcudart*) return 0 ;;
	esac
	return 1
}

PHASES=check GROUP='' DEADLINE=540 OUTDIR='' DRY=0 FAIL_PHASE='' BUNDLE=0
pos=()
while [ $# -gt 0 ]; do
	case "$1" in
	--phases|--group|--deadline|--out|--fail)
		[ $# -ge 2 ] || { echo "check.sh: $1 needs a value" >&2; exit 2; }
		case "$1" in
		--phases) PHASES=$2 ;;
		--group) GROUP=$2 ;;
		--deadline) DEADLINE=$2 ;;
		--out) OUTDIR=$(abs "$2") ;;
		--fail) FAIL_PHASE=$2 ;;
		esac
		shift 2 ;;
	--dry-run) DRY=1; shift ;;
	--bundle) BUNDLE=1; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "check.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
	*) pos+=("$1"); shift ;;
	esac
done
[ ${#pos[@]} -le 2 ] || { echo "check.sh: at most BUILD and DATA, not: ${pos[*]}" >&2; exit 2; }
BUILD=$(abs "${pos[0]:-build}")

if [ "$BUNDLE" = 1 ]; then
	out="$BUILD/gpu-libs"
	rm -rf "$out" && mkdir -p "$out" || exit 2
	for bin in "$BUILD/netlang" "$BUILD/netlang-gpu.so" "$BUILD/tests/gpu/gpu_ops_check"; do
		[ -x "$bin" ] || { echo "check.sh: $bin is not built" >&2; exit 2; }
		ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }'
	done | sort -u | while read -r name path; do
		system_lib "$name" && continue
		gzip -9 -c "$path" > "$out/$name.gz" && echo "bundled $name ($path)"
	done
	du -sh "$out"
	exit 0
fi

case "$DEADLINE" in
''|*[!0-9]*) echo "check.sh: --deadline wants whole seconds, not '$DEADLINE'" >&2; exit 2 ;;
esac
if [ "$DEADLINE" -lt 60 ] || [ "$DEADLINE" -gt 590 ]; then
	echo "check.sh: --deadline $DEADLINE: from 60 to 590 seconds (a command may run 600)" >&2
	exit 2
fi
ALL_PHASES="start ops train compare table bench vgg11"
list=$(echo "$PHASES" | tr ',' ' ' | sed 's/\bcheck\b/start ops train compare/g;
	s/\bslides\b/start table bench vgg11/g; s/\ball\b/'"$ALL_PHASES"'/g')
for ph in $list; do
	case " $ALL_PHASES " in
	*" $ph "*) ;;
	*) echo "check.sh: no phase '$ph' (phases: $ALL_PHASES; check, slides, all)" >&2; exit 2 ;;
	esac
done
# Each wanted phase once, in the fixed order, start always.
RUN=start
for ph in $ALL_PHASES; do
	[ "$ph" = start ] && continue
	case " $list " in *" $ph "*) RUN="$RUN $ph" ;; esac
done
if [ -n "$FAIL_PHASE" ] && ! case " $ALL_PHASES " in *" $FAIL_PHASE "*) true ;; *) false ;; esac; then
	echo "check.sh: --fail: no phase '$FAIL_PHASE'" >&2
	exit 2
fi

DATA=$(abs "${pos[1]:-${NETLANG_DATA:-$ROOT/data}}")
[ -d "$DATA/fashion-mnist" ] && DATA="$DATA/fashion-mnist"
NETLANG_BIN="$BUILD/netlang"
MODULE_BIN="$BUILD/netlang-gpu.so"
OPS_BIN="$BUILD/tests/gpu/gpu_ops_check"
PYTHON=${PYTHON:-python3}
OUTDIR=${OUTDIR:-${OUT:-$BUILD/gpu-check}}
LOG="$OUTDIR/logs"
# `use vgg` and friends: the checkout's stdlib, wherever the build was made.
export NETLANG_PATH="$ROOT/stdlib${NETLANG_PATH:+:$NETLANG_PATH}"

START=$(date +%s)
END=$((START + DEADLINE))
RESERVE=15       # seconds kept for the summary and the bundle of logs
MIN_RUN=10       # a command that would get less is not started
mkdir -p "$OUTDIR" || exit 2
rm -rf "$LOG" "$OUTDIR/logs.tar.gz" "$OUTDIR/summary.txt"
mkdir -p "$LOG" || exit 2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/netlang-gpu-check.XXXXXX") || exit 2
mkdir -p "$WORK/bin" "$WORK/libs"

if [ "$DRY" = 1 ]; then
	DEV=cpu OPS_MODE=--cpu-vs-cpu
else
	DEV=gpu OPS_MODE=
fi
CARD=
STOPPED=
NETLANG_OK=1
RESULTS=()
CASES=()         # failing op cases, one line each
FAILED=0

# ---- the summary, from the exit trap --------------------------------------

summary() {
	local now r c s f
	now=$(date +%s)
	echo "== summary: ${CARD:-unknown GPU}; $((now - START))s of a ${DEADLINE}s deadline;" \
		"phases: $RUN${GROUP:+ (ops groups: $GROUP)}"
	[ "$DRY" = 1 ] && echo "(dry run: the CPU stood in for the GPU; nothing about a GPU was proved)"
	printf '%-40s %-6s %s\n' check result figure
	printf '%-40s %-6s %s\n' ----- ------ ------
	for r in "${RESULTS[@]}"; do
		IFS='|' read -r c s f <<< "$r"
		printf '%-40s %-6s %s\n' "$c" "$s" "$f"
	done
	if [ -n "$STOPPED" ]; then
		echo "stopped: $STOPPED"
	fi
	if [ "$FAILED" -gt 0 ] || [ ${#CASES[@]} -gt 0 ]; then
		echo "failing:"
		for r in "${RESULTS[@]}"; do
			IFS='|' read -r c s f <<< "$r"
			case "$s" in FAIL|cut) echo "  $c: $f" ;; esac
		done
		for c in "${CASES[@]}"; do
			echo "  case $c"
		done
	fi
	echo "logs: $OUTDIR/logs.tar.gz"
}

bundle_logs() {
	tar -czf "$OUTDIR/logs.tar.gz.part" -C "$OUTDIR" logs 2>/dev/null &&
		mv -f "$OUTDIR/logs.tar.gz.part" "$OUTDIR/logs.tar.gz"
}

finish() {
	trap - EXIT INT TERM
	echo
	summary | tee "$OUTDIR/summary.txt"
	bundle_logs && rm -rf "$LOG"
	rm -rf "$WORK"
	[ "$FAILED" = 0 ] && [ -z "$STOPPED" ] && exit 0
	exit 1
}
trap finish EXIT
trap 'STOPPED="interrupted"; exit 1' INT TERM

record() {   # check, result (pass/FAIL/cut/skip/note), figure
	RESULTS+=("$1|$2|$3")
	case "$2" in FAIL|cut) FAILED=$((FAILED + 1)) ;; esac
	printf '>> %-40s %-6s %s\n' "$1" "$2" "$3"
	summary > "$OUTDIR/summary.txt"
}

stop() {     # the backend cannot start: say why, and end here
	record "$1" FAIL "$2"
	STOPPED="the backend cannot start, so nothing else was run"
	exit 1
}

left() { echo $((END - $(date +%s) - RESERVE)); }

# run_for CAP LOG COMMAND...: the command under timeout, given CAP seconds
# or what is left if less, its output in LOG.  Status 200: not started, no
# time left; 124 or 137: it ran out of its time.  RAN_FOR: the limit.
run_for() {
	local cap=$1 log=$2 t
	shift 2
	t=$(left)
	[ "$t" -gt "$cap" ] && t=$cap
	RAN_FOR=$t
	if [ "$t" -lt "$MIN_RUN" ]; then
		echo "not started: ${t}s left of the deadline" > "$log"
		return 200
	fi
	# In a subshell, so the shell's own "Aborted" for a command that dies
	# goes nowhere: the log and the summary say it.
	(timeout -k 10 "$t" "$@" > "$log" 2>&1; exit $?) 2> /dev/null
}

why() {      # status, log -> a few words on a failed command
	case "$1" in
	200) echo "no time left" ;;
	124) echo "timed out after ${RAN_FOR}s" ;;
	137) echo "killed (by its timeout after ${RAN_FOR}s, or for memory)" ;;
	*) local what="exit $1"
	   [ "$1" -gt 128 ] && what="died of SIG$(kill -l $(($1 - 128)) 2>/dev/null || echo $(($1 - 128)))"
	   echo "$what: $(grep -v '^\s*$' "$2" | tail -1 | cut -c1-150)" ;;
	esac
}

unstarted() {  # status, check -> 0 (after recording it) when it never started
	[ "$1" = 200 ] || return 1
	record "$2" cut "not started: no time left"
}

show_tail() { tail -n "${2:-5}" "$1" | sed 's/^/   | /'; }

# ---- the library path, for netlang's commands only -------------------------

find_libs() {
	local cands=() d sp site want soname found lp=()
	for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
		[ -d "$d" ] && cands+=("$d")
	done
	# The Python that holds PyTorch: its torch/lib and the nvidia/*/lib
	# folders of its site-packages (cuDNN 9, cuBLAS, the runtime, nvrtc).
	sp=$(timeout 60 "$PYTHON" -c 'import importlib.util as u, os
s = u.find_spec("torch")
print(list(s.submodule_search_locations)[0] if s else "")' 2>/dev/null)
	if [ -n "$sp" ]; then
		cands+=("$sp/lib")
		site=$(dirname "$sp")
		for d in "$site"/nvidia/*/lib "$site"/nvidia/*/*/lib; do
			[ -d "$d" ] && cands+=("$d")
		done
	fi
	# What the programs need that the system does not resolve, and nvrtc
	# (cuDNN 9's runtime-compiled engines load it by name).
	want=$( { ldd "$NETLANG_BIN"; ldd "$OPS_BIN"; } 2>/dev/null |
		awk '/not found/ { print $1 }' | sort -u)
	soname=$(ldd "$NETLANG_BIN" 2>/dev/null | awk '$1 ~ /^libcudart\.so\./ { print $1 }')
	want="$want libnvrtc.so.${soname#libcudart.so.}"
	for w in $want; do
		found=
		for d in "${cands[@]}"; do
			if [ -e "$d/$w" ]; then
				found=$d
				break
			fi
		done
		[ -n "$found" ] || continue
		case " ${lp[*]} " in *" $found "*) ;; *) lp+=("$found") ;; esac
	done
	NL_LIBPATH=$(IFS=:; echo "${lp[*]}")
	# The build's own bundle goes last: a library the machine has wins.
	local f n=0
	for f in "$BUILD"/gpu-libs/*.gz; do
		[ -e "$f" ] || continue
		gzip -dc "$f" > "$WORK/libs/$(basename "$f" .gz)" && n=$((n + 1))
	done
	[ "$n" -gt 0 ] && NL_LIBPATH="${NL_LIBPATH:+$NL_LIBPATH:}$WORK/libs"
	LIB_NOTE="searched ${#cands[@]} folders${sp:+ (PyTorch at $sp)}; $n bundled"
}

wrapper() {  # name target
	cat > "$WORK/bin/$1" <<EOF
#!/bin/sh
# $1 with the libraries it needs (and PyTorch's Python does not get)
LD_LIBRARY_PATH='$NL_LIBPATH'\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
exec '$2' "\$@"
EOF
	chmod +x "$WORK/bin/$1"
}

# Planted failures (--fail): a command that fails as a backend that cannot
# start does (gpu_ops_check's status 3), and a gpu_ops_check that dies
# (SIGABRT, as after a fatal CUDA error) whenever group conv runs.
plant() {
	cat > "$WORK/bin/failing" <<'EOF'
#!/bin/sh
echo "check.sh: a planted failure (--fail)" >&2
exit 3
EOF
	cat > "$WORK/bin/ops-dies-in-conv" <<EOF
#!/bin/sh
groups=conv prev=
for a in "\$@"; do
	[ "\$prev" = --group ] && groups=\$a
	prev=\$a
done
case ",\$groups," in
*,conv,*)
	echo "== group conv"
	echo "netlang: cuda: a planted fatal error (--fail ops)" >&2
	kill -ABRT \$\$ ;;
esac
exec '$WORK/bin/gpu_ops_check' "\$@"
EOF
	chmod +x "$WORK/bin/failing" "$WORK/bin/ops-dies-in-conv"
}

# The programs a phase runs, with its planted failure if any.
programs_for() {
	NL="$WORK/bin/netlang"
	OPS="$WORK/bin/gpu_ops_check"
	if [ "$1" = "$FAIL_PHASE" ]; then
		NL="$WORK/bin/failing"
		OPS="$WORK/bin/failing"
		[ "$1" = ops ] && OPS="$WORK/bin/ops-dies-in-conv"
	fi
}

# ---- start -------------------------------------------------------------------

phase_start() {
	programs_for start
	if [ "$DRY" = 1 ]; then
		CARD="no GPU (dry run)"
	else
		CARD=$(timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total \
			--format=csv,noheader 2>/dev/null | head -1)
		timeout 30 nvidia-smi > "$LOG/start-nvidia-smi.txt" 2>&1
	fi
	local bin missing
	for bin in "$NETLANG_BIN" "$OPS_BIN"; do
		[ -x "$bin" ] || stop "build present" "$bin is not built (configure found no CUDA?)"
	done
	# the CUDA libraries are the module's; a dry run's CPU build has none
	local libbins=("$NETLANG_BIN" "$OPS_BIN")
	if [ -f "$MODULE_BIN" ]; then
		libbins+=("$MODULE_BIN")
	elif [ "$DRY" != 1 ]; then
		stop "build present" "$MODULE_BIN is not there (carry it with netlang)"
	fi
	missing=$(for bin in "${libbins[@]}"; do
		LD_LIBRARY_PATH="$NL_LIBPATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$bin"
	done 2>&1 | awk '/not found/ { print $1 }' | sort -u | tr '\n' ' ')
	{
		echo "library path for netlang's commands: ${NL_LIBPATH:-(none)}"
		echo "$LIB_NOTE"
		for bin in "${libbins[@]}"; do
			echo "$bin:"
			LD_LIBRARY_PATH="$NL_LIBPATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$bin"
		done
	} > "$LOG/start-libraries.txt" 2>&1
	[ -z "$missing" ] || stop "libraries" "not found: $missing($LIB_NOTE)"

	local st
	run_for 120 "$LOG/start-probe.txt" "$OPS" --probe $OPS_MODE
	st=$?
	# Without nvidia-smi, the backend's own line names the card.
	[ -n "$CARD" ] || CARD=$(sed -n 's/^netlang: cuda:[0-9]* is \(.*\)$/\1/p' \
		"$LOG/start-probe.txt" | head -1)
	case $st in
	0) record "backend starts (probe)" pass "${CARD:-GPU name unknown}" ;;
	1) record "backend starts (probe)" FAIL "it starts, but a probe case failed"
	   show_tail "$LOG/start-probe.txt" ;;
	*) show_tail "$LOG/start-probe.txt" 8
	   stop "backend starts (probe)" "$(why "$st" "$LOG/start-probe.txt")" ;;
	esac

	# netlang itself, one timed step of LeNet on the device.
	run_for 90 "$LOG/start-netlang.txt" "$NL" examples/lenet.net --time --device "$DEV" \
		--batch 16 --iterations 1
	st=$?
	if [ "$st" = 0 ] && grep -q '^train: ' "$LOG/start-netlang.txt"; then
		record "netlang runs on the device" pass "$(grep '^device: ' "$LOG/start-netlang.txt" |
			cut -d, -f1)"
	else
		NETLANG_OK=0
		record "netlang runs on the device" FAIL "$(why "$st" "$LOG/start-netlang.txt")"
		show_tail "$LOG/start-netlang.txt"
	fi
	DATA_OK=1
	case " $RUN " in
	*" train "*|*" compare "*|*" table "*|*" vgg11 "*)
		if ! compgen -G "$DATA/train-images-idx3-ubyte*" > /dev/null; then
			DATA_OK=0
			record "data" FAIL "no Fashion-MNIST in $DATA (train, compare, table need it)"
		fi ;;
	esac
}

# ---- ops -----------------------------------------------------------------------

ops_failures() {   # log -> CASES += its failing and missed cases
	local line
	while IFS= read -r line; do
		CASES+=("$(echo "$line" | awk '{ print $1, $2 }'): $(echo "$line" |
			sed 's/^[a-z0-9]* *[a-z]* *//; s/ *|.*//')")
	done < <(grep -E '^(fp32|tf32) .* (FAIL|MISSED) *\|' "$1")
}

phase_ops() {
	programs_for ops
	local st log="$LOG/ops.txt" sumline
	run_for 300 "$log" "$OPS" --tf32 both ${GROUP:+--group "$GROUP"} $OPS_MODE
	st=$?
	unstarted "$st" "ops: GPU vs CPU" && return
	sumline=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ -n "$sumline" ] && { [ "$st" = 0 ] || [ "$st" = 1 ]; }; then
		ops_failures "$log"
	else
		# The process died (or ran out of time): the group it was in,
		# then every group alone, so the others are still checked.
		local died groups g mode gst pass=0 fail=0 dead=() counts
		died=$(grep '^== group ' "$log" | tail -1 | cut -d' ' -f3)
		record "ops: one run of every case" FAIL \
			"$(why "$st" "$log")${died:+ in group $died}; each group alone follows"
		show_tail "$log"
		groups=${GROUP:-$("$WORK/bin/gpu_ops_check" --list-groups | tr '\n' ',')}
		for g in $(echo "$groups" | tr ',' ' '); do
			for mode in off on; do
				log="$LOG/ops-$g-$mode.txt"
				run_for 90 "$log" "$OPS" --tf32 "$mode" --group "$g" $OPS_MODE
				gst=$?
				if grep -qE '^[0-9]+ passed, [0-9]+ failed' "$log" &&
				   { [ "$gst" = 0 ] || [ "$gst" = 1 ]; }; then
					ops_failures "$log"
				else
					dead+=("$g (TF32 $mode): $(why "$gst" "$log")")
				fi
				counts=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' "$log" |
					tail -1)
				counts=${counts:-0 0}
				pass=$((pass + ${counts%% *}))
				fail=$((fail + ${counts##* }))
			done
		done
		for g in "${dead[@]}"; do
			CASES+=("group $g")
		done
		sumline="$pass passed, $fail failed, ${#dead[@]} group runs died"
		[ ${#dead[@]} -gt 0 ] && fail=$((fail + ${#dead[@]}))
		[ "$fail" = 0 ] && st=0 || st=1
	fi
	local worst_off worst_on
	worst_off=$(cat "$LOG"/ops*.txt | awk '$1 == "fp32" { for (i = 1; i < NF; i++)
		if ($i == "max") print $(i + 1) }' | sort -g | tail -1)
	worst_on=$(cat "$LOG"/ops*.txt | awk '$1 == "tf32" { for (i = 1; i < NF; i++)
		if ($i == "max") print $(i + 1) }' | sort -g | tail -1)
	if [ "$st" = 0 ] && [ ${#CASES[@]} -eq 0 ]; then
		record "ops: GPU vs CPU" pass "$sumline; worst ${worst_off:-?} (fp32), ${worst_on:-?} (tf32)"
	else
		record "ops: GPU vs CPU" FAIL "$sumline; worst ${worst_off:-?} (fp32), ${worst_on:-?} (tf32)"
	fi
	# A failing fused case: the same group with the fusions off tells
	# whether cuDNN's fused call is at fault.
	if printf '%s\n' "${CASES[@]}" | grep -q ' fused: \|^group fused'; then
		log="$LOG/ops-fused-unfused.txt"
		run_for 90 "$log" env NETLANG_GPU_FUSE=0 "$OPS" --tf32 both --group fused $OPS_MODE
		st=$?
		unstarted "$st" "ops: fused group, NETLANG_GPU_FUSE=0" && return
		# A diagnosis, not a verdict: the failure is already counted.
		if [ "$st" = 0 ]; then
			record "ops: fused group, NETLANG_GPU_FUSE=0" note \
				"passes unfused: cuDNN's fused call is at fault"
		else
			record "ops: fused group, NETLANG_GPU_FUSE=0" note \
				"fails unfused too: $(why "$st" "$log")"
		fi
	fi
}

# ---- train, compare ------------------------------------------------------------

steps_losses() {   # file -> the losses of its "step N loss X" lines
	awk '$1 == "step" && $3 == "loss" { print $4 }' "$1"
}

netlang_ready() {  # check name -> 0 when netlang and the data can be used
	if [ "$NETLANG_OK" != 1 ]; then
		record "$1" skip "netlang did not run on the device (see start)"
		return 1
	fi
	if [ "$DATA_OK" != 1 ]; then
		record "$1" skip "no data"
		return 1
	fi
	return 0
}

train_check() {    # name, file.net, cap, steps, log-every, extra args...
	local name=$1 net=$2 cap=$3 steps=$4 every=$5 st losses first last log
	shift 5
	netlang_ready "$name trains" || return
	log="$LOG/train-$name.txt"
	run_for "$cap" "$log" "$NL" "$net" --train --device "$DEV" --steps "$steps" \
		--log-every "$every" --data "$DATA" "$@"
	st=$?
	unstarted "$st" "$name trains" && return
	losses=$(steps_losses "$log")
	first=$(echo "$losses" | head -1)
	last=$(echo "$losses" | tail -1)
	if [ "$st" != 0 ] || [ -z "$first" ] || [ "$(echo "$losses" | wc -l)" -lt 3 ]; then
		record "$name trains" FAIL "$(why "$st" "$log"); losses: $(echo "$losses" | tr '\n' ' ')"
		show_tail "$log"
		return
	fi
	# Each logged loss is the mean over the last $every steps; "falling"
	# means the last is clearly (3%) below the first.
	if awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < 0.97 * a) }'; then
		record "$name trains" pass "loss $first -> $last in $steps steps"
	else
		record "$name trains" FAIL "loss $first -> $last did not fall"
	fi
}

phase_train() {
	programs_for train
	if [ "$DRY" = 1 ]; then
		# A CPU takes minutes where a GPU takes seconds: LeNet with batch
		# norm falls within 60 small steps.
		train_check lenet-bn examples/lenet-bn.net 120 60 20 --batch 64
		return
	fi
	# D2L's LeNet (sigmoid, lr 0.9) sits near ln 10 = 2.30 for its first few
	# hundred steps before it falls; 1500 steps (6 epochs, seconds on a GPU)
	# are well past that.  AlexNet falls from the start.
	train_check lenet examples/lenet.net 120 1500 100
	train_check alexnet examples/alexnet.net 180 300 50 --batch 128
}

# GPU and CPU from the same seed: same initial weights, same batches, same
# dropout masks; both in float32 (--no-tf32), so they differ only in the
# order of sums (relative 1e-6 per operation).  Five SGD steps amplify that
# little: 2e-3 relative on every step's loss is a generous bound for
# agreement, and far below what a wrong gradient anywhere produces (which
# shows already at step 2, the first loss computed with updated weights).
compare_check() {  # name, file.net, batch
	local name=$1 net=$2 batch=$3 sg sc g c verdict
	netlang_ready "$name GPU = CPU (5 steps)" || return
	local gpu_side=(--device gpu --no-tf32)
	# A dry run compares a one-thread CPU run with an all-threads one.
	[ "$DRY" = 1 ] && gpu_side=(--device cpu --threads 1)
	run_for 90 "$LOG/compare-$name-gpu.txt" "$NL" "$net" --train "${gpu_side[@]}" --steps 5 \
		--log-every 1 --seed 1 --batch "$batch" --data "$DATA"
	sg=$?
	unstarted "$sg" "$name GPU = CPU (5 steps)" && return
	run_for 150 "$LOG/compare-$name-cpu.txt" "$NL" "$net" --train --device cpu --steps 5 \
		--log-every 1 --seed 1 --batch "$batch" --data "$DATA"
	sc=$?
	unstarted "$sc" "$name GPU = CPU (5 steps)" && return
	g=$(steps_losses "$LOG/compare-$name-gpu.txt" | tr '\n' ' ')
	c=$(steps_losses "$LOG/compare-$name-cpu.txt" | tr '\n' ' ')
	if [ "$sg" != 0 ] || [ "$sc" != 0 ]; then
		record "$name GPU = CPU (5 steps)" FAIL "gpu: $(why "$sg" "$LOG/compare-$name-gpu.txt"); cpu: $(why "$sc" "$LOG/compare-$name-cpu.txt")"
		return
	fi
	verdict=$(awk -v g="$g" -v c="$c" 'BEGIN {
		n = split(g, a, " "); m = split(c, b, " ");
		if (n != 5 || m != 5) { print "FAIL", n " and " m " losses"; exit }
		worst = 0;
		for (i = 1; i <= n; i++) {
			d = a[i] - b[i]; if (d < 0) d = -d;
			r = d / (b[i] < 0 ? -b[i] : b[i]);
			if (r > worst) worst = r;
		}
		printf "%s max rel. diff %.1e over 5 losses\n", (worst <= 2e-3 ? "pass" : "FAIL"), worst }')
	record "$name GPU = CPU (5 steps)" "${verdict%% *}" "${verdict#* }"
	[ "${verdict%% *}" = pass ] || { echo "   | gpu: $g"; echo "   | cpu: $c"; }
}

phase_compare() {
	programs_for compare
	compare_check lenet examples/lenet.net 256
	compare_check alexnet examples/alexnet.net 8
	compare_check lenet-bn examples/lenet-bn.net 256
	compare_check resnet18 examples/resnet18.net 8
}

# ---- the slides' table -------------------------------------------------------------

table_row() {      # name, cap, slides' test acc, slides' examples/sec
	local name=$1 cap=$2 acc_slides=$3 speed_slides=$4 log st epochs acc speed
	netlang_ready "table: $name" || return
	log="$LOG/table-$name.txt"
	local args=(--device "$DEV" --plot "$OUTDIR/$name.svg")
	# A dry run takes a few small steps: no epoch ends, no test accuracy.
	[ "$DRY" = 1 ] && args+=(--steps 3 --batch 4)
	run_for "$cap" "$log" "$NL" "examples/$name.net" --train --data "$DATA" "${args[@]}"
	st=$?
	unstarted "$st" "table: $name" && return
	epochs=$(grep -c '^epoch [0-9]*/[0-9]*: ' "$log")
	acc=$(sed -n 's/^loss [0-9.]*, train acc [0-9.]*, test acc \([0-9.n/a]*\)$/\1/p' "$log" | tail -1)
	speed=$(sed -n 's/^\([0-9.]*\) examples\/sec on .*/\1/p' "$log" | tail -1)
	if [ "$st" = 124 ] || [ "$st" = 137 ]; then
		local lastacc
		lastacc=$(grep '^epoch ' "$log" | tail -1 | sed -n 's/.*test acc \([0-9.]*\).*/\1/p')
		record "table: $name" cut "deadline: $epochs epochs in ${RAN_FOR}s${lastacc:+, test acc $lastacc after the last}"
		return
	fi
	if [ "$st" != 0 ] || [ -z "$acc" ]; then
		record "table: $name" FAIL "$(why "$st" "$log")"
		show_tail "$log"
		return
	fi
	local fig="test acc $acc (slides $acc_slides), $speed ex/s (slides $speed_slides), $epochs epochs"
	if [ "$DRY" = 1 ] || awk -v a="$acc" -v s="$acc_slides" 'BEGIN { exit !(a >= s - 0.03) }'; then
		record "table: $name" pass "$fig"
	else
		record "table: $name" FAIL "$fig: more than 0.03 below the slides"
	fi
}

phase_table() {
	programs_for table
	table_row lenet 150 0.796 103351
	table_row alexnet 330 0.879 1522
}

phase_vgg11() {
	programs_for vgg11
	table_row vgg11 600 0.922 650
}

# ---- the benchmark -------------------------------------------------------------------

phase_bench() {
	programs_for bench
	local log="$LOG/bench.txt" st rows budget t nets="lenet,alexnet,vgg11" extra=()
	if ! timeout 60 "$PYTHON" -c 'import torch' > "$LOG/bench-torch.txt" 2>&1; then
		record "bench: netlang vs PyTorch" skip "no PyTorch in $PYTHON ($(tail -1 "$LOG/bench-torch.txt"))"
		return
	fi
	# netlang through its wrapper (its library path); PyTorch with its own.
	extra=(--device "$DEV" --repeats 2 --timeout 150)
	[ "$DRY" = 1 ] && { nets=lenet; extra=(--device cpu --repeats 1 --iterations 2); }
	t=$(left)
	[ "$t" -gt 300 ] && t=300
	budget=$((t - 60))
	[ "$budget" -lt 1 ] && budget=1
	run_for 300 "$log" "$PYTHON" bench/train_bench.py --netlang "$NL" --nets "$nets" \
		--python "$PYTHON" --budget "$budget" "${extra[@]}"
	st=$?
	unstarted "$st" "bench: train ex/s netlang/PyTorch" && return
	rows=$(awk 'NF == 8 && $2 ~ /^[0-9]+$/ { printf "%s %s/%s=%s  ", $1, $3, $4, $5 }' "$log")
	if [ "$st" = 0 ]; then
		record "bench: train ex/s netlang/PyTorch" pass "$rows"
	else
		record "bench: train ex/s netlang/PyTorch" FAIL "$(why "$st" "$log"); $rows"
		show_tail "$log"
	fi
}

# ---- run ---------------------------------------------------------------------------

echo "check.sh: phases $RUN; deadline ${DEADLINE}s; logs in $OUTDIR"
[ "$DRY" = 1 ] && echo "check.sh: a dry run: the CPU stands in for the GPU"
find_libs
wrapper netlang "$NETLANG_BIN"
wrapper gpu_ops_check "$OPS_BIN"
plant
DATA_OK=0
for ph in $RUN; do
	echo "== $ph ($(left)s left)"
	"phase_$ph"
	bundle_logs
done
