#!/bin/sh
# Run every libFuzzer target for SECONDS, starting from its seed corpus in
# tests/fuzz/corpus/ (new inputs go to BUILD/fuzz-corpus/, crashes to
# BUILD/fuzz-crashes/), after replaying tests/fuzz/regressions/: every
# crash ever found, kept as a file there, must stay fixed.
#
#   tests/fuzz/run.sh BUILD SECONDS
set -u
B=$1
SECONDS_EACH=$2
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/report.sh
. "$HERE/../lib/report.sh"

mkdir -p "$B/fuzz-crashes"
for target in fuzz_cmdline fuzz_sysfs fuzz_ack fuzz_record fuzz_recv_stream fuzz_state; do
	bin=$B/fuzz/$target
	t_begin "$target: the regression inputs"
	if [ -d "$HERE/../fuzz/regressions/$target" ]; then
		find "$HERE/../fuzz/regressions/$target" -type f -exec "$bin" {} + >"$B/fuzz-crashes/$target.replay.log" 2>&1 ||
			t_fail "a regression input fails again: see $B/fuzz-crashes/$target.replay.log"
	fi
	t_end

	t_begin "$target: ${SECONDS_EACH} s without a finding"
	mkdir -p "$B/fuzz-corpus/$target"
	"$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$B/fuzz-crashes/$target-" \
		"$B/fuzz-corpus/$target" "$HERE/../fuzz/corpus/$target" >"$B/fuzz-crashes/$target.log" 2>&1 ||
		t_fail "a finding: $(grep -m1 -E 'ERROR|SUMMARY|Test unit written' "$B/fuzz-crashes/$target.log")"
	runs=$(sed -n 's/^#\([0-9]*\).*DONE.*/\1/p' "$B/fuzz-crashes/$target.log" | tail -n 1)
	echo "    $target: ${runs:-?} runs"
	t_end
done
t_summary
