#!/bin/sh
# make check: every suite, one line each (a suite that runs against
# several builds, one line per build), then the total as
# "N passed, N failed". Full logs are kept in BUILD/test-logs/.
#
#   tests/run.sh BUILD_DIR [SUITE...]
#
# SUITE: unit dry-run integration attack receiver receiver-attack soak
#        hooks images packages difftest fuzz boot generators binary lint (default:
#        all, in order). Suite NAME is tests/suites/NAME.sh.
# TEST_GUESTS names the guest builds to test (default: every one in BUILD).
set -u
B=${1:-build}
[ $# -gt 0 ] && shift
S=$(dirname "$0")/suites
LOGS=$B/test-logs
ALL="unit dry-run integration attack receiver receiver-attack soak hooks images packages difftest fuzz boot generators binary lint"
SUITES=${*:-$ALL}
for s in $SUITES; do
	case " $ALL " in *" $s "*) ;; *)
		echo "tests/run.sh: no suite '$s'; the suites are: $ALL" >&2
		exit 64 ;;
	esac
done
mkdir -p "$LOGS"
total_passed=0
total_failed=0
if [ -z "${TEST_GUESTS:-}" ]; then
	TEST_GUESTS=""
	for v in klibc musl glibc clang asan; do
		[ -x "$B/$v/hv-swiotlb" ] && TEST_GUESTS="$TEST_GUESTS $v"
	done
fi
# The initramfs binary: the one `make install` put in the staging tree.
SHIPPED=$B/${GUEST_LIBC:-klibc}/hv-swiotlb

# Sanitizer runs stop at the first report, with the report in the log.
ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS

# Each line says how long its suite took, for make check's time budget.
count() { # NAME PASSED FAILED SECONDS
	total_passed=$((total_passed + $2))
	total_failed=$((total_failed + $3))
	if [ "$3" -eq 0 ]; then
		printf '%-44s %4s passed %5ss\n' "$1" "$2" "$4"
	else
		printf '%-44s %4s passed, %s FAILED (see %s) %5ss\n' "$1" "$2" "$3" "$LOGS/$1.log" "$4"
		grep -E '^(not ok|    |\[  (FAILED|ERROR)|ERROR)' "$LOGS/$1.log" | head -n 40
	fi
}

# A shell suite that ends with "N passed, N failed".
run_suite() { # NAME COMMAND...
	name=$1
	shift
	t0=$(date +%s)
	"$@" >"$LOGS/$name.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
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
	count "$name" "$p" "$f" "$secs"
}

suite_unit() {
	run_suite unit sh "$S/unit.sh" "$B"
}

suite_dry_run() {
	for v in $TEST_GUESTS; do
		run_suite "dry-run-$v" sh "$S/dry-run.sh" "$B/$v/hv-swiotlb"
	done
}

suite_integration() {
	for v in $TEST_GUESTS; do
		# The klibc run is traced: the shipped binary must never touch AF_VSOCK here.
		trace=0
		[ "$v" = klibc ] && trace=1
		run_suite "integration-$v" env HVS_TRACE=$trace sh "$S/integration.sh" \
			"$B/$v/hv-swiotlb" "$B/glibc/hvs-fake-host"
	done
}

# Hostile files, command lines, signals and hosts, on every build; hung
# reads (LD_PRELOAD) on the dynamic builds without ASan.
suite_attack() {
	for v in $TEST_GUESTS; do
		preload=0 slack=50
		case "$v" in glibc | clang) preload=1 ;; asan) slack=150 ;; esac
		run_suite "attack-$v" env HVS_PRELOAD=$preload HVS_SLACK_MS=$slack sh "$S/attack.sh" \
			"$B/$v/hv-swiotlb" "$B/glibc/hvs-fake-host"
	done
}

suite_receiver() {
	for v in glibc asan; do
		run_suite "receiver-$v" sh "$S/receiver.sh" "$B/$v/hv-swiotlb-recv" \
			"$SHIPPED" "$B/glibc/hvs-fake-guest"
	done
}

suite_receiver_attack() {
	for v in glibc asan; do
		preload=0
		[ "$v" = glibc ] && preload=1
		run_suite "receiver-attack-$v" env HVS_PRELOAD=$preload sh "$S/receiver-attack.sh" \
			"$B/$v/hv-swiotlb-recv" "$SHIPPED" "$B/glibc/hvs-fake-guest"
	done
}

suite_soak() {
	run_suite soak sh "$S/soak.sh" "$B/glibc/hv-swiotlb-recv" \
		"$B/glibc/hvs-fake-guest" "$SHIPPED"
}

suite_hooks() {
	run_suite hooks sh "$S/hooks.sh" "$B/stage" "$B/glibc/hvs-fake-host"
}

suite_images() {
	run_suite images sh "$S/images.sh" "$B/stage"
}

suite_packages() {
	run_suite packages sh "$S/packages.sh" "$B"
}

# The kernel as the oracle for the command-line parser.
suite_difftest() {
	run_suite difftest sh "$S/difftest.sh" "$B" 300000
}

# Every fuzz target briefly, so none of them can rot (make fuzz runs longer).
suite_fuzz() {
	run_suite fuzz sh "$S/fuzz.sh" "$B" 5
}

# Real boots under QEMU, for every generator.
suite_boot() {
	run_suite boot sh "$S/boot.sh" "$B"
}

# The resume decision against the real generators of every version in the
# boot matrix's roots (built by the boot suite, or here). HVTEST_GENERATOR_
# CASES cases per version (make check-generators: 10,000; see the suite).
suite_generators() {
	run_suite generators sh "$S/generators.sh" "$B" "${HVTEST_GENERATOR_CASES:-700}"
	sed -n '/^    (all generators ran/p; /: resumes and waits/p; /^      late:/p' "$LOGS/generators.log"
}

suite_binary() {
	for v in klibc musl; do
		[ -x "$B/$v/hv-swiotlb" ] || continue
		run_suite "binary-$v" sh "$S/binary.sh" "$B/$v/hv-swiotlb" "$v" \
			"$B/glibc/hvs-fake-host"
	done
}

suite_lint() {
	run_suite lint sh "$S/lint.sh" "$B"
}

T_ALL=$(date +%s)
for s in $SUITES; do
	"suite_$(echo "$s" | tr - _)"
done

echo "(all suites: $(($(date +%s) - T_ALL)) s)"
printf '%s passed, %s failed\n' "$total_passed" "$total_failed"
[ "$total_failed" -eq 0 ]
