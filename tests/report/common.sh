# common.sh - shared by the report's tests: a scratch directory, the front
# end's graph dump, Python (the SVG checks read files with its XML parser).
set -u
: "${NETLANG:?run through make check (NETLANG names the built program)}"
: "${top_srcdir:?}"
: "${top_builddir:?}"
ex=$top_srcdir/examples
nlcheck=$top_builddir/tests/lang/nlcheck
tmp=$(mktemp -d "${TMPDIR:-/tmp}/netlang-report.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
HOME=$tmp/home
mkdir -p "$HOME"
export HOME
unset XDG_STATE_HOME NETLANG_PATH
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
$PY -c 'import xml.dom.minidom' 2>/dev/null || { echo "python3 is missing: the SVG checks need it"; exit 77; }
fail=0
ok()  { echo "ok $*"; }
bad() { echo "FAIL $*"; fail=1; }
