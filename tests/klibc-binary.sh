#!/bin/sh
# The initramfs binary: static, stripped, at most 32 KiB, and klibc's.
#   tests/klibc-binary.sh BINARY
set -u
BIN=$1
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
LIMIT=32768

t_begin "$BIN exists and runs"
out=$("$BIN" --version 2>&1) || t_fail "--version failed: $out"
case "$out" in "hv-swiotlb "*) ;; *) t_fail "--version said '$out'" ;; esac
t_end

t_begin "statically linked: no program interpreter, no dynamic section"
readelf -lW "$BIN" | grep -q 'INTERP' && t_fail "has a PT_INTERP"
readelf -dW "$BIN" 2>&1 | grep -q 'There is no dynamic section' ||
	t_fail "has a dynamic section"
t_end

t_begin "stripped"
file "$BIN" | grep -q ', stripped' || t_fail "$(file "$BIN")"
t_end

t_begin "at most $LIMIT bytes"
size=$(wc -c <"$BIN")
echo "    size: $size bytes"
[ "$size" -le "$LIMIT" ] || t_fail "$size bytes"
t_end

t_begin "built against klibc, not glibc"
strings "$BIN" | grep -qi 'glibc\|GLIBC_' && t_fail "contains glibc symbols"
t_end

t_summary
