# common.sh - sourced by the export tests: the runtime tests' helpers, and
# a python3 that has the modules a test needs.
. "$top_srcdir/tests/runtime/common.sh"
export_dir="$top_srcdir/tests/export"

# find_python MODULE...: sets PY to the first of $PYTHON, python3 and
# /usr/bin/python3 that imports every MODULE, or exits 77 naming what is
# missing.  (A python3 earlier on PATH may lack Debian's python3-torch.)
find_python() {
	for py in ${PYTHON:-} python3 /usr/bin/python3; do
		command -v "$py" >/dev/null 2>&1 || continue
		if "$py" -c "import $(echo "$@" | tr ' ' ',')" 2>/dev/null; then
			PY=$py
			return 0
		fi
	done
	echo "SKIP: no python3 with the modules $* (Debian: python3-torch python3-onnx python3-numpy)"
	exit 77
}

# total_params NET: netlang's parameter total, without commas.
total_params() {
	"$NETLANG" "$1" | awk '$1 == "total" { gsub(",", "", $2); print $2 }'
}
