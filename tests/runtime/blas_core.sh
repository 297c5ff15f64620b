#!/bin/bash
# OpenBLAS runs kernels the CPU can run: where the library does not know
# the CPU's model and falls back to its SSE3 (Prescott) kernels on a CPU
# with AVX2 and FMA, netlang starts itself again with OPENBLAS_CORETYPE
# set (blas_core.c).  A value the user set is kept, and the restart loses
# no argument and no input.
set -u
: "${NETLANG:?NETLANG must name the built program}" "${top_srcdir:?}" "${top_builddir:?}"
fail=0
ok()  { echo "ok $*"; }
bad() { echo "FAIL $*"; fail=1; }
if ! grep -q 'define HAVE_OPENBLAS_GET_CORENAME 1' "$top_builddir/config.h"; then
	if env -u OPENBLAS_CORETYPE "$NETLANG" --version | grep -q "OpenBLAS kernels"; then
		bad "--version names OpenBLAS kernels in a build with another BLAS"
	else ok "not OpenBLAS: --version names no kernels"; fi
	exit $fail
fi

core=$(env -u OPENBLAS_CORETYPE "$NETLANG" --version | sed -n 's/^OpenBLAS kernels: //p')
[ -n "$core" ] && ok "--version: OpenBLAS kernels $core" || bad "--version names no OpenBLAS kernels"
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
case " $flags " in
*" avx2 "*" fma "*|*" fma "*" avx2 "*)
	case $core in
	Prescott|Core2|Penryn|Dunnington|Nehalem|Sandybridge|Atom|Katmai|Coppermine|Northwood|Banias|Unknown)
		bad "OpenBLAS runs its $core kernels on a CPU with AVX2 and FMA" ;;
	*) ok "a CPU with AVX2 and FMA gets AVX2 kernels or better ($core)" ;;
	esac ;;
*) echo "note: this CPU has no AVX2 and FMA; the kernels are OpenBLAS's own choice" ;;
esac

# the user's choice stands, even a worse one (and no restart loop)
user=$(OPENBLAS_CORETYPE=Prescott "$NETLANG" --version | sed -n 's/^OpenBLAS kernels: //p')
[ "$user" = Prescott ] && ok "OPENBLAS_CORETYPE=Prescott is kept" ||
	bad "OPENBLAS_CORETYPE=Prescott gave '$user'"

# arguments and standard input survive a restart
net="$top_srcdir/examples/lenet.net"
a=$(env -u OPENBLAS_CORETYPE "$NETLANG" "$net" --format d2l 2>&1)
b=$(OPENBLAS_CORETYPE="$core" "$NETLANG" "$net" --format d2l 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ] && ok "arguments kept" || bad "arguments: '$a' against '$b'"
a=$(printf 'input 1x28x28\nconv 5x5 -> 6\n' | env -u OPENBLAS_CORETYPE "$NETLANG" 2>&1)
echo "$a" | grep -q "6, 24, 24" && ok "standard input kept" || bad "standard input: $a"
exit $fail
