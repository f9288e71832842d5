#!/bin/sh
# make check: every suite, one line each, then the total as
# "N passed, N failed". Full logs are kept in BUILD/test-logs/.
#
#   tests/run.sh BUILD_DIR
set -u
B=${1:-build}
T=$(dirname "$0")
LOGS=$B/test-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
total_passed=0
total_failed=0

# Sanitizer runs stop at the first report, with the report in the log.
ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS

count() { # NAME PASSED FAILED
	total_passed=$((total_passed + $2))
	total_failed=$((total_failed + $3))
	if [ "$3" -eq 0 ]; then
		printf '%-44s %4s passed\n' "$1" "$2"
	else
		printf '%-44s %4s passed, %s FAILED (see %s)\n' "$1" "$2" "$3" "$LOGS/$1.log"
		grep -E '^(not ok|    |\[  (FAILED|ERROR)|ERROR)' "$LOGS/$1.log" | head -n 40
	fi
}

# A cmocka binary: its own PASSED/FAILED counts; a crash counts as a failure.
run_cmocka() { # NAME BINARY [ARGS]
	name=$1
	shift
	"$@" >"$LOGS/$name.log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$LOGS/$name.log")
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$LOGS/$name.log")
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or aborted by a sanitizer before its summary
	fi
	count "$name" "$p" "$f"
}

# A shell suite that ends with "N passed, N failed".
run_suite() { # NAME COMMAND...
	name=$1
	shift
	"$@" >"$LOGS/$name.log" 2>&1
	rc=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOGS/$name.log" | tail -n 1)
	p=${line%% passed*}
	f=${line#*, }
	f=${f%% failed}
	if [ -z "$line" ]; then
		p=0
		f=1
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	count "$name" "$p" "$f"
}

for u in "$B"/glibc/test_*; do
	run_cmocka "unit-$(basename "$u")" "$u"
done
for u in "$B"/asan/test_*; do
	run_cmocka "unit-asan-$(basename "$u")" "$u"
done

for v in glibc klibc asan; do
	run_suite "dry-run-table-$v" sh "$T/dry-run-table.sh" "$B/$v/hv-swiotlb"
	# The klibc run is traced: the shipped binary must never touch AF_VSOCK here.
	trace=0
	[ "$v" = klibc ] && trace=1
	run_suite "integration-$v" env HVS_TRACE=$trace sh "$T/integration.sh" \
		"$B/$v/hv-swiotlb" "$B/glibc/hvs-test-peer"
done
# The receiver, plain and sanitized, against the shipped guest binary.
for v in glibc asan; do
	run_suite "receiver-$v" sh "$T/recv.sh" "$B/$v/hv-swiotlb-recv" \
		"$B/klibc/hv-swiotlb" "$B/glibc/hvs-test-client"
done
# The dracut module and the initramfs-tools hook, from the staging tree.
run_suite "initramfs-hooks" sh "$T/hooks.sh" "$B/stage"
run_suite "initramfs-images" sh "$T/initramfs.sh" "$B/stage" "$B/klibc/hv-swiotlb"
# The kernel as the oracle for the command-line parser.
run_suite "difftest" sh "$T/difftest/run.sh" "$B" 300000

# Every fuzz target briefly, so none of them can rot (make fuzz runs longer).
run_suite "fuzz-short" sh "$T/fuzz/run.sh" "$B" 5

# Real boots under QEMU, for every generator.
if sh "$T/boot/build-images.sh" "$B/stage" "$B/glibc/hv-swiotlb-recv" "$B/boot" \
	>"$LOGS/boot-images.log" 2>&1; then
	count boot-images 1 0
else
	count boot-images 0 1
fi
run_suite "boot-scenarios" sh "$T/boot/scenarios.sh" "$B/boot"
run_suite "klibc-binary" sh "$T/klibc-binary.sh" "$B/klibc/hv-swiotlb"
run_suite "lint" sh "$T/lint.sh"

printf '%s passed, %s failed\n' "$total_passed" "$total_failed"
[ "$total_failed" -eq 0 ]
