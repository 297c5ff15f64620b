# common.sh - sourced by the runtime's shell tests.
set -u
: "${NETLANG:?NETLANG must name the built program}"
: "${top_srcdir:?}"
DATA="$NETLANG_TEST_DATA/fashion-mnist"
# These tests train on Fashion-MNIST: without a copy they are skipped (77),
# saying what is missing, rather than failed.
if [ ! -r "$DATA/train-images-idx3-ubyte.gz" ] && [ ! -r "$DATA/train-images-idx3-ubyte" ]; then
	echo "SKIP: no Fashion-MNIST in $DATA (apt-get install dataset-fashion-mnist, or set NETLANG_TEST_DATA to a directory holding fashion-mnist/)"
	exit 77
fi
ex="$top_srcdir/examples"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()   { echo "ok $*"; }
bad()  { echo "FAIL $*"; fail=1; }
# expect_fail NAME EXPECTED-SUBSTRING COMMAND...: non-zero exit and the message.
expect_fail() {
	local name=$1 want=$2; shift 2
	if "$@" >"$tmp/out" 2>"$tmp/err"; then
		bad "$name: succeeded, expected failure"; return
	fi
	if grep -qF -- "$want" "$tmp/err"; then ok "$name"; else
		bad "$name: stderr lacks '$want':"; sed 's/^/    /' "$tmp/err"; fi
}
