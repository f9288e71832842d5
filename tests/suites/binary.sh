#!/bin/sh
# The initramfs binary: static, no glibc, a build-id for the distributions'
# debuginfo tools; for klibc its budgets: at most 28 KiB once stripped as
# dh_strip and find-debuginfo strip it, at most 40 system calls for a whole
# handoff, and no heap, no ioctl, no clock at start-up.
#
#   tests/static-binary.sh BINARY klibc|musl [PEER]
set -u
BIN=$1
LIBC=$2
PEER=${3:-}
# shellcheck source=tests/lib/report.sh
. "$(dirname "$0")/../lib/report.sh"
SIZE_LIMIT=28672
SYSCALL_LIMIT=40

t_begin "$BIN exists and runs"
out=$("$BIN" --version 2>&1) || t_fail "--version failed: $out"
case "$out" in "hv-swiotlb "*) ;; *) t_fail "--version said '$out'" ;; esac
t_end

t_begin "statically linked: no program interpreter, no dynamic section"
readelf -lW "$BIN" | grep -q 'INTERP' && t_fail "has a PT_INTERP"
readelf -dW "$BIN" 2>&1 | grep -q 'There is no dynamic section' ||
	t_fail "has a dynamic section"
t_end

t_begin "built against $LIBC, not glibc"
strings "$BIN" | grep -qi 'glibc\|GLIBC_' && t_fail "contains glibc symbols"
t_end

t_begin "a build-id and debug information, for the distribution's debuginfo tools"
readelf -nW "$BIN" | grep -q 'Build ID' || t_fail "no build-id note"
readelf -SW "$BIN" | grep -q ' \.debug_info ' || t_fail "no debug information"
t_end
[ "$LIBC" = klibc ] || { t_summary; exit; }

# Stripped as dh_strip does it: the debug information apart, named by the
# build-id, and a link to it left in the binary.
SHIPPED_DIR=$(mktemp -d /tmp/hvs-shipped-XXXXXX)
SHIPPED=$SHIPPED_DIR/hv-swiotlb
t_begin "stripped as shipped, at most $SIZE_LIMIT bytes, the build-id kept"
id=$(readelf -nW "$BIN" | sed -n 's/.*Build ID: *//p')
objcopy --only-keep-debug "$BIN" "$SHIPPED_DIR/${id#??}.debug"
cp "$BIN" "$SHIPPED"
strip --remove-section=.comment --remove-section=.note "$SHIPPED"
objcopy --add-gnu-debuglink="$SHIPPED_DIR/${id#??}.debug" "$SHIPPED"
size=$(wc -c <"$SHIPPED")
echo "    size: $size bytes"
[ "$size" -le "$SIZE_LIMIT" ] || t_fail "$size bytes"
readelf -nW "$SHIPPED" | grep -q 'Build ID' || t_fail "stripping lost the build-id"
t_end

# A whole handoff against a listening host, traced.
W=$(mktemp -d /tmp/hvs-bin-XXXXXX)
trap 'kill "$peer" 2>/dev/null; rm -rf "$W" "$SHIPPED_DIR"' EXIT
R=$W/root
mkdir -p "$R/proc/sys/kernel/random" "$R/dev" "$R/run" "$R/sys/bus/vmbus/drivers/hv_pci"
echo "hv_pci_swiotlb=64M" >"$R/proc/cmdline"
echo 6f1c2a7e-3b44-4c55-8d66-778899aabbcc >"$R/proc/sys/kernel/random/boot_id"
echo 0x8000000 >"$R/sys/bus/vmbus/drivers/hv_pci/swiotlb_base"
echo 67108864 >"$R/sys/bus/vmbus/drivers/hv_pci/swiotlb_size"
: >"$R/dev/kmsg"
"$PEER" --listen "$W/sock" --mode accepted >/dev/null 2>&1 &
peer=$!
i=0
while [ ! -S "$W/sock" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done

t_begin "a whole handoff takes at most $SYSCALL_LIMIT system calls (strace -f -c)"
strace -f -c -o "$W/count" "$BIN" --root "$R" --target "unix:$W/sock" >/dev/null 2>&1
rc=$?
expect_eq "exit" 0 "$rc"
expect_line "$R/run/hv-swiotlb/status" '^state=acknowledged$'
# The total line: "100.00 SECONDS USECS/CALL CALLS [ERRORS] total".
calls=$(awk '$NF == "total" { print $4 }' "$W/count")
echo "    system calls: $calls"
sed 's/^/      | /' "$W/count"
if [ -z "$calls" ] || [ "$calls" -gt "$SYSCALL_LIMIT" ]; then
	t_fail "$calls system calls"
fi
t_end

t_begin "no heap, no ioctl, no clock: the start-up is the program's own"
strace -f -o "$W/trace" "$BIN" --root "$R" --target "unix:$W/sock" >/dev/null 2>&1
grep -E '^[0-9]+ +(brk|mmap|ioctl|clock_gettime|gettimeofday|getpid)\(' "$W/trace" &&
	t_fail "see the calls above"
t_end

t_summary
