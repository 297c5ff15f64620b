#!/bin/sh
# The listing's memory figure is what a real run holds: the peak resident
# memory of `--time` (one warm-up and one timed training step, random data)
# less that of a run that plans nothing, within 10% of the figure the
# listing prints for the same net and batch.  Nets large enough that the
# program's own few megabytes do not matter.
. "$top_srcdir/tests/runtime/common.sh"
if [ -n "${SAN_CFLAGS:-}" ]; then
	echo "SKIP: a sanitizer build holds shadow memory and quarantine beside the plan"
	exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 (to read peak resident memory) is missing"; exit 77; }

# peak_mib ARGS...: the peak resident set of one run, in MiB.
peak_mib() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if r.returncode != 0:
    sys.stderr.write(r.stderr.decode())
    sys.exit(1)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
PY
}

# "... on the cpu: 1.45 GiB (..." -> MiB
figure_mib() {
	sed -n 's/^training memory at batch [0-9]* on the cpu: \([0-9.]*\) \([KMG]\)iB .*/\1 \2/p' |
		awk '{ m = $1; if ($2 == "G") m *= 1024; if ($2 == "K") m /= 1024; print m }'
}

base=$(peak_mib "$NETLANG" --version) || bad "netlang --version failed"
for spec in "vgg11 8" "resnet18 256"; do
	set -- $spec
	net=$1 batch=$2
	fig=$("$NETLANG" "$ex/$net.net" --batch "$batch" | figure_mib)
	[ -n "$fig" ] || { bad "$net: no memory figure"; continue; }
	peak=$(peak_mib "$NETLANG" "$ex/$net.net" --time --batch "$batch" --iterations 1 \
		--device cpu --threads 1) || { bad "$net: --time failed"; continue; }
	if awk -v f="$fig" -v p="$peak" -v b="$base" 'BEGIN {
		used = p - b; d = (used - f) / f; if (d < 0) d = -d; exit !(d <= 0.10) }'; then
		ok "$net at batch $batch: figure $fig MiB, run $peak MiB less $base MiB"
	else
		bad "$net at batch $batch: figure $fig MiB, but the run took $peak MiB less $base MiB"
	fi
done
exit $fail
