#!/bin/sh
# make bench's boot storm: what a guest waits when many boot at once.
# 5,000 guests arrive open-loop at 5,000 per second, each with its own
# connection and record (hvs-fake-guest storm), first with no other
# connection open, then beside 4,000 idle connections that a hostile
# tenant holds open and opens again when closed (hvs-fake-guest hold).
# The latency is the client's, from connect() to the acknowledgement.
# Prints the rows of bench/results.md's table, "what | value".
#
#   bench/storm.sh BUILD_DIR WORK_DIR
set -u
B=$1
W=$2
GUESTS=${STORM_GUESTS:-5000}
RATE=${STORM_RATE:-5000}
IDLE=${STORM_IDLE:-4000}
PATHS=900 # guest g connects through socket g % PATHS: 900 VMs (1,024 listeners at most)
HOLDERS=100
CLIENT=$B/glibc/hvs-fake-guest
RECV_PID=""
HOLD_PID=""
trap 'kill $RECV_PID $HOLD_PID 2>/dev/null' EXIT

pct() { # FILE P
	sort -n "$1" | awk -v p="$2" '{ a[NR] = $1 } END { i = int((NR - 1) * p / 100) + 1; print a[i] }'
}
rss() { awk '/VmRSS/ { print $2 }' "/proc/$RECV_PID/status"; }
fds() { find "/proc/$RECV_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }

set --
i=0
while [ $i -lt $PATHS ]; do set -- "$@" --unix "$W/s$i"; i=$((i + 1)); done
i=0
while [ $i -lt $HOLDERS ]; do set -- "$@" --unix "$W/h$i"; i=$((i + 1)); done
# Room for the idle ones without pressure (three quarters of --max-conns).
"$B/glibc/hv-swiotlb-recv" --max-conns 8192 --max-per-guest 64 "$@" >/dev/null \
	2>"$W/storm-recv.log" &
RECV_PID=$!
w=0
until grep -q 'listening on' "$W/storm-recv.log" || [ $w -ge 500 ]; do
	sleep 0.02
	w=$((w + 1))
done
"$CLIENT" storm "$W/s" $PATHS 200 1000 "$W/warm.lat" >/dev/null
rss0=$(rss)

"$CLIENT" storm "$W/s" $PATHS "$GUESTS" "$RATE" "$W/storm1.lat" >"$W/storm1.out"
rss1=$(rss)

"$CLIENT" hold "$W/h" $HOLDERS "$IDLE" 30 >"$W/hold.out" &
HOLD_PID=$!
w=0
until grep -q '^opened=' "$W/hold.out" || [ $w -ge 300 ]; do sleep 0.05; w=$((w + 1)); done
sleep 0.5
open_fds=$(fds)
"$CLIENT" storm "$W/s" $PATHS "$GUESTS" "$RATE" "$W/storm2.lat" >"$W/storm2.out"
open_after=$(fds)
rss2=$(rss)
kill "$HOLD_PID" 2>/dev/null
wait "$HOLD_PID" 2>/dev/null
HOLD_PID=""

out() { sed -n "s/^$2=//p" "$W/$1.out"; }
echo "boot storm p99, $GUESTS guests at $RATE/s, no other connections | $(pct "$W/storm1.lat" 99) µs"
echo "boot storm p99, the same beside $IDLE idle connections held open | $(pct "$W/storm2.lat" 99) µs"
echo "boot storm latency p50 / p90 / max, no other connections | $(pct "$W/storm1.lat" 50) / $(pct "$W/storm1.lat" 90) / $(pct "$W/storm1.lat" 100) µs"
echo "boot storm latency p50 / p90 / max, beside $IDLE idle connections | $(pct "$W/storm2.lat" 50) / $(pct "$W/storm2.lat" 90) / $(pct "$W/storm2.lat" 100) µs"
echo "boot storm outcome, alone / beside the idle ones | accepted=$(out storm1 accepted) other=$(out storm1 other) / accepted=$(out storm2 accepted) other=$(out storm2 other)"
echo "boot storm: the client's last start behind its schedule, alone / beside | $(out storm1 behind_us) / $(out storm2 behind_us) µs"
echo "boot storm: receiver descriptors with the idle connections open, before / after the storm | $open_fds / $open_after"
echo "boot storm: resident memory before / after each storm | $rss0 / $rss1 / $rss2 KiB"
