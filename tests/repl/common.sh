# common.sh - shared by the session tests: a scratch directory, a runner
# that keeps stdout, stderr and the exit status apart, and comparisons
# that show a diff when they fail.
set -u
: "${NETLANG:?run through make check (NETLANG names the built program)}"
: "${top_srcdir:?}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/netlang-repl.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
# A session must not read or write the tester's own history.
HOME=$tmp/home
mkdir -p "$HOME"
export HOME
unset XDG_STATE_HOME NETLANG_PATH

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# run NAME SCRIPT [ARGS...]: netlang ARGS with SCRIPT piped into it;
# stdout in $tmp/NAME.out, stderr in $tmp/NAME.err, the exit status in
# $rc.  A session that hangs fails.
run() {
	name=$1 script=$2
	shift 2
	cat "$script" | {
		timeout 60 "$NETLANG" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
		echo $? >"$tmp/$name.rc"
	}
	rc=$(cat "$tmp/$name.rc")
	[ "$rc" -ne 124 ] || fail "$name: no answer within 60 s"
}

# same WHAT EXPECTED-FILE ACTUAL-FILE
same() {
	diff -u "$2" "$3" >"$tmp/diff" || {
		cat "$tmp/diff" >&2
		fail "$1 differs from what was expected"
	}
}

status_is() {
	[ "$rc" -eq "$2" ] || { cat "$tmp/$1.err" >&2; fail "$1: exit status $rc, expected $2"; }
}

empty() {
	[ ! -s "$tmp/$1.err" ] || { cat "$tmp/$1.err" >&2; fail "$1: unexpected diagnostics"; }
}
