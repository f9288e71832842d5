#!/bin/sh
# make bench's boot storm as the units run it: decisions durable in a state
# directory on the machine's disk (not a tmpfs) before a guest hears
# accepted, systemd's watchdog armed (WatchdogSec=2s), then the same storm
# split over 8 receivers sharing one state directory, each serving its
# own share of the sockets (one receiver per VM socket, as the template
# units run). 5,000 guests arrive open-loop at 5,000 per second through
# 900 sockets (hvs-fake-guest storm). Prints rows "what | value".
#
#   bench/storm-deployed.sh BUILD_DIR WORK_DIR STATE_ROOT
set -u
B=$1
W=$2
ROOT=$3
TOP=$(cd "$(dirname "$0")/.." && pwd)
GUESTS=${STORM_GUESTS:-5000}
RATE=${STORM_RATE:-5000}
PATHS=900
RECEIVERS=8
CLIENT=$B/glibc/hvs-fake-guest
RECV=$B/glibc/hv-swiotlb-recv
PIDS=""
NOTIFY_PID=""
# shellcheck disable=SC2086 # PIDS is a list of words
trap 'kill $PIDS $NOTIFY_PID 2>/dev/null' EXIT
# shellcheck source=tests/lib/storm-files.sh
. "$TOP/tests/lib/storm-files.sh"

pct() { # FILE P: the P-th percentile of the first column
	awk '{ print $1 }' "$1" | sort -n |
		awk -v p="$2" '{ a[NR] = $1 } END { i = int((NR - 1) * p / 100) + 1; print a[i] }'
}
wait_lines() { # FILE PATTERN COUNT
	w=0
	until [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ] || [ $w -ge 500 ]; do
		sleep 0.02
		w=$((w + 1))
	done
}
stop_all() {
	# shellcheck disable=SC2086 # PIDS is a list of words
	kill $PIDS 2>/dev/null
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	PIDS=""
}
out() { sed -n "s/^$2=//p" "$W/$1.out"; }

# Files made shortly after many were removed are slow to make on ext4
# without a journal (as this machine's /): each new inode skips those freed
# in the last 30 s, reading every one. A storm of first boots makes ~900
# files, so none is removed by this script in the 30 s before one: not the
# last run's directory, and not what one storm's receiver removes as it
# stops (its spare files) before the next.
guard() { sleep 31; }
if [ -e "$ROOT" ]; then
	rm -rf "$ROOT"
	guard
fi
mkdir -p "$ROOT"
mkdir -m 0700 "$ROOT/one" "$ROOT/shared"
fs=$(df --output=fstype "$ROOT" | tail -n 1)

# --- one receiver, 900 sockets, its watchdog armed
"$CLIENT" notify-listen "$W/notify" 120000 "$W/notify.out" --stamp >"$W/notify.ready" &
NOTIFY_PID=$!
wait_lines "$W/notify.ready" '^listening' 1
set --
i=0
while [ $i -lt $PATHS ]; do set -- "$@" --unix "$W/s$i"; i=$((i + 1)); done
NOTIFY_SOCKET=$W/notify WATCHDOG_USEC=2000000 "$RECV" --max-conns 8192 --max-per-guest 64 \
	--state-dir "$ROOT/one" "$@" >/dev/null 2>"$W/deployed-recv.log" &
PIDS=$!
# Every listener is open before the first "listening on" (the rest may be held back by the log's rate limit).
wait_lines "$W/deployed-recv.log" 'listening on' 1
# First boots: the directory is empty, so every VM's first guest makes its
# file. Then the same storm again, every VM's file there, as after a host
# restart. The watchdog is watched through both.
t0=$("$CLIENT" monotonic-us)
"$CLIENT" storm "$W/s" $PATHS "$GUESTS" "$RATE" "$W/dcold.lat" >"$W/dcold.out"
"$CLIENT" storm "$W/s" $PATHS "$GUESTS" "$RATE" "$W/dstorm.lat" >"$W/dstorm.out"
t1=$("$CLIENT" monotonic-us)
stop_all
kill "$NOTIFY_PID" 2>/dev/null
wait "$NOTIFY_PID" 2>/dev/null
NOTIFY_PID=""
# The largest gap between two WATCHDOG=1 with any part of it inside the storm.
gap=$(awk -v t0="$t0" -v t1="$t1" '/WATCHDOG=1/ {
	if (prev != "" && $1 >= t0 && prev <= t1 && $1 - prev > max) max = $1 - prev
	prev = $1
} END { printf "%d", max / 1000 }' "$W/notify.out")
syncs=$(sed -n 's/.*group commit: \([0-9]*\) files durable in \([0-9]*\) syncs.*/\1 files in \2 syncs/p' \
	"$W/deployed-recv.log")

echo "boot storm, state dir, first boots: p99, $GUESTS guests at $RATE/s through $PATHS sockets, an empty directory (each VM's first guest makes its file), every decision durable ($fs) before its answer | $(pct "$W/dcold.lat" 99) µs"
echo "boot storm, state dir, first boots: outcome | accepted=$(out dcold accepted) other=$(out dcold other) unfinished=$(out dcold unfinished)"
echo "boot storm, state dir: p99, $GUESTS guests at $RATE/s through $PATHS sockets whose VMs booted once before, every decision durable ($fs) before its answer | $(pct "$W/dstorm.lat" 99) µs"
echo "boot storm, state dir: latency p50 / p90 / max | $(pct "$W/dstorm.lat" 50) / $(pct "$W/dstorm.lat" 90) / $(pct "$W/dstorm.lat" 100) µs"
echo "boot storm, state dir: outcome | accepted=$(out dstorm accepted) other=$(out dstorm other) unfinished=$(out dstorm unfinished)"
echo "boot storm, state dir: what the group commit did (both storms) | ${syncs:-?}"
echo "watchdog gap: the largest between two WATCHDOG=1 during both storms, WatchdogSec=2s | $gap ms"

# --- 8 receivers sharing one state directory, the sockets split among them
guard
r=0
while [ $r -lt $RECEIVERS ]; do
	set --
	i=$r
	while [ $i -lt $PATHS ]; do set -- "$@" --unix "$W/e$i"; i=$((i + RECEIVERS)); done
	"$RECV" --max-conns 8192 --max-per-guest 64 --state-dir "$ROOT/shared" "$@" \
		>/dev/null 2>"$W/shared$r.log" &
	PIDS="$PIDS $!"
	r=$((r + 1))
done
r=0
while [ $r -lt $RECEIVERS ]; do
	wait_lines "$W/shared$r.log" 'listening on' 1
	r=$((r + 1))
done
"$CLIENT" storm "$W/e" $PATHS "$GUESTS" "$RATE" "$W/shared.lat" >"$W/shared.out"
stop_all
"$RECV" --list --json --state-dir "$ROOT/shared" >"$W/shared.json" 2>/dev/null
bad=$(storm_mismatches "$W/shared.lat" "$W/e" $PATHS "$W/shared.json")
echo "boot storm, state dir, $RECEIVERS receivers sharing it, first boots (an empty directory): p99 | $(pct "$W/shared.lat" 99) µs"
echo "boot storm, state dir, $RECEIVERS receivers sharing it: outcome | accepted=$(out shared accepted) other=$(out shared other) unfinished=$(out shared unfinished)"
echo "boot storm, state dir, $RECEIVERS receivers sharing it: sockets whose file does not hold the range of the last guest accepted through it (mismatches) | $bad"
# Left in place (under the build directory): removed by the next run, which
# then waits out the guard, so that whatever runs next is not slowed.
