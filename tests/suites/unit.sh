#!/bin/sh
# The cmocka unit tests: every test_* binary of the glibc build, and of the
# ASan one where clang built it; one line each, then the total. A binary
# that crashes or that a sanitizer stops counts as a failure.
#
#   tests/suites/unit.sh BUILD
set -u
B=$1
# shellcheck source=tests/lib/report.sh
. "$(dirname "$0")/../lib/report.sh"

for u in "$B"/glibc/test_* "$B"/asan/test_*; do
	[ -x "$u" ] || continue
	name="$(basename "$(dirname "$u")")/$(basename "$u")"
	out=$("$u" 2>&1)
	rc=$?
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed, or a sanitizer stopped it before its summary
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "$name: $p passed, $f failed"
	[ "$f" -eq 0 ] || echo "$out" | sed 's/^/    | /'
done
t_summary
