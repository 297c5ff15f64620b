#!/bin/bash
# The GPU backend is a module opened only when a GPU is wanted: a CPU run
# of a CUDA build loads no CUDA library (they cost ~220 MB of memory and
# a tenth of a second per run), --device gpu opens the module (here, on a
# machine without a GPU, its own message says why it cannot run), and a
# missing, foreign or stale module is refused with a message naming it.
# Without CUDA, --device gpu says the build has no GPU backend.
set -u
: "${NETLANG:?NETLANG must name the built program}" "${top_srcdir:?}" "${top_builddir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok $*"; }
bad() { echo "FAIL $*"; fail=1; }
net="$top_srcdir/examples/lenet.net"
cpu_run=("$net" --time --iterations 1 --batch 4 --threads 1)

if ! grep -q 'define NL_HAVE_CUDA 1' "$top_builddir/config.h"; then
	if "$NETLANG" "$net" --time --device gpu >"$tmp/out" 2>&1; then
		bad "--device gpu ran in a build without CUDA"
	elif grep -q "built without CUDA" "$tmp/out"; then
		ok "without CUDA, --device gpu says the build has no GPU backend"
	else
		bad "--device gpu without CUDA: $(cat "$tmp/out")"
	fi
	exit $fail
fi

module="$top_builddir/netlang-gpu.so"
[ -f "$module" ] || { echo "FAIL $module was not built"; exit 1; }

# loaded: the libraries the dynamic linker opened for a run
loaded() { LD_DEBUG=files "$NETLANG" "$@" 2>&1 >/dev/null | sed -n 's/.*file=\([^ ]*\).*/\1/p' | sort -u; }

if loaded "$net" | grep -q 'cud'; then
	bad "listing a net loads CUDA: $(loaded "$net" | grep cud | tr '\n' ' ')"
else ok "listing a net loads no CUDA library"; fi
if loaded "${cpu_run[@]}" --device cpu | grep -q 'cud'; then
	bad "a CPU run loads CUDA"
else ok "a run with --device cpu loads no CUDA library"; fi
if [ ! -e /dev/nvidiactl ] && [ ! -e /dev/dxg ]; then
	if loaded "${cpu_run[@]}" | grep -q 'cud'; then
		bad "--device auto loads CUDA on a machine with no NVIDIA driver"
	else ok "--device auto loads no CUDA library where no NVIDIA driver is"; fi
fi
libs=$(loaded "${cpu_run[@]}" --device gpu)
if echo "$libs" | grep -q 'netlang-gpu.so' && echo "$libs" | grep -q 'libcudart'; then
	ok "--device gpu opens the module and CUDA"
else bad "--device gpu did not open the module: $libs"; fi
"$NETLANG" "${cpu_run[@]}" --device gpu >"$tmp/out" 2>&1
if grep -q "cannot load the GPU backend" "$tmp/out"; then
	bad "the built module did not load: $(cat "$tmp/out")"
else ok "the built module loads ($(grep -m1 . "$tmp/out"))"; fi

# A copy of the program beside a module that is not netlang's, or is
# another build's: refused, naming the file.
mkdir "$tmp/bin"
cp "$NETLANG" "$tmp/bin/netlang"
cc=${CC:-cc}
printf 'int unrelated = 1;\n' >"$tmp/other.c"
cat >"$tmp/stale.c" <<'C'
#include <stddef.h>
struct entry { int abi; const char *version; size_t size; void *a, *b; };
const struct entry nl_gpu_module_entry = { 1, "0.0-another-build", 8, NULL, NULL };
C
expect_refused() {
	local what=$1 src=$2 want=$3
	if ! $cc -shared -fPIC -o "$tmp/bin/netlang-gpu.so" "$src" 2>"$tmp/cc.err"; then
		bad "$what: cannot compile the stand-in module with $cc: $(cat "$tmp/cc.err")"
		return
	fi
	if "$tmp/bin/netlang" "${cpu_run[@]}" --device gpu >"$tmp/out" 2>&1; then
		bad "$what: --device gpu succeeded"
	elif grep -qF "cannot load the GPU backend: $tmp/bin/netlang-gpu.so $want" "$tmp/out"; then
		ok "$what: refused, naming the file"
	else bad "$what: $(cat "$tmp/out")"; fi
}
expect_refused "a module that is not netlang's" "$tmp/other.c" "is not netlang's GPU module"
expect_refused "another build's module" "$tmp/stale.c" "is from another netlang build (version 0.0-another-build)"
# Nothing beside the program: the installed module, or a message saying
# where it was looked for.
rm "$tmp/bin/netlang-gpu.so"
"$tmp/bin/netlang" "${cpu_run[@]}" --device gpu >"$tmp/out" 2>&1
if grep -q "cannot load the GPU backend: netlang-gpu.so is not installed in /.* or beside the program" "$tmp/out" ||
   grep -q "no usable GPU" "$tmp/out"; then
	ok "no module beside the program: $(grep -m1 . "$tmp/out")"
else bad "no module beside the program: $(cat "$tmp/out")"; fi
# --device auto goes on with the CPU whatever the module's state
if "$tmp/bin/netlang" "${cpu_run[@]}" >"$tmp/out" 2>&1 && grep -q "^train:" "$tmp/out"; then
	ok "--device auto trains on the CPU without a module"
else bad "--device auto without a module: $(cat "$tmp/out")"; fi
exit $fail
