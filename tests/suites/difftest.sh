#!/bin/sh
# The differential test against the kernel's own parser. Installs Debian's
# linux-source if it can (the tarball is only read, into BUILD/difftest),
# and skips with a clear message if it cannot.
#
#   tests/difftest/run.sh BUILD CASES [SEED]
set -u
B=$1
CASES=$2
SEED=${3:-0x9e3779b97f4a7c15}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib/report.sh
. "$HERE/../lib/report.sh"
OUT=$B/difftest

tarball() {
	find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' 2>/dev/null | sort -V | tail -n 1
}
TAR=$(tarball)
if [ -z "$TAR" ]; then
	sh "$TOP/scripts/deps.sh" linux-source >/dev/null 2>&1 || true
	TAR=$(tarball)
fi
if [ -z "$TAR" ]; then
	echo "difftest: SKIPPED: Debian's linux-source package could not be installed, so there is no kernel to compare with"
	t_summary
	exit 0
fi

t_begin "the kernel's parser compiles from $(basename "$TAR")"
if [ ! -f "$OUT/kernel_parse.c" ] || [ "$(cat "$OUT/source" 2>/dev/null)" != "$TAR" ]; then
	sh "$HERE/../difftest/extract.sh" "$TAR" "$OUT" || t_fail "extracting from $TAR failed"
	echo "$TAR" >"$OUT/source"
fi
cc -std=gnu11 -O2 -Wall -Wextra -I"$TOP/src/common" -I"$TOP/src/guest" -I"$OUT" \
	-o "$OUT/difftest" "$HERE/../difftest/difftest.c" "$OUT/kernel_parse.c" "$TOP/src/guest/kcmdline.c" \
	"$TOP/src/common/numbers.c" 2>"$OUT/cc.log" ||
	t_fail "$(head -n 5 "$OUT/cc.log")"
t_end

t_begin "$CASES generated command lines: the kernel and hv-swiotlb agree"
"$OUT/difftest" "$CASES" "$SEED" >"$OUT/result" 2>&1 || t_fail "$(head -n 20 "$OUT/result")"
sed 's/^/    /' "$OUT/result" | tail -n 1
t_end

t_summary
