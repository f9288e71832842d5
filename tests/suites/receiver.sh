#!/bin/sh
# The receiver: with the real guest tool, with hostile clients, and under
# load, all over Unix sockets.
#
#   tests/recv.sh RECV GUEST CLIENT
set -u
RECV=$1
GUEST=$2
CLIENT=$3
# shellcheck source=tests/lib/report.sh
. "$(dirname "$0")/../lib/report.sh"
# shellcheck source=tests/lib/fixtures.sh
. "$(dirname "$0")/../lib/fixtures.sh"

WORK=$(mktemp -d /tmp/hvs-recv-XXXXXX)
RECV_PID=""
trap 'stop_recv; rm -rf "$WORK"' EXIT

json_lines() {
	grep -c '"event":"accepted"' "$WORK/$1.json"
}

S1=$WORK/s1.sock
S2=$WORK/s2.sock

# --- the guest tool against the receiver
start_recv basic --unix "$S1" --unix "$S2"

t_begin "accepted: one JSON line with the sysfs range and the boot id"
guest "$S1" "hv_pci_swiotlb=64M" 0x8000000 67108864
expect_eq "guest exit" 0 "$GRC"
expect_line "$GSTATUS" '^ack=accepted$'
expect_line "$WORK/basic.json" "^\{\"event\":\"accepted\",\"peer\":\"unix:$S1\",\"boot_id\":\"$BOOT_ID\",\"base\":\"0x8000000\",\"size\":67108864,\"time\":\"[0-9T:Z-]+\"\}\$"
t_end

t_begin "the same record again in the same boot: duplicate, no new line"
guest "$S1" "hv_pci_swiotlb=64M" 0x8000000 67108864
expect_eq "guest exit" 0 "$GRC"
expect_line "$GSTATUS" '^ack=duplicate$'
expect_eq "JSON lines" 1 "$(json_lines basic)"
t_end

t_begin "a different range for the same boot: conflict, guest exit 4"
guest "$S1" "quiet" 0x10000000 67108864
expect_eq "guest exit" 4 "$GRC"
expect_line "$GSTATUS" '^ack=conflict$'
expect_line "$WORK/basic.log" "unix:$S1: boot $BOOT_ID: \[0x10000000\.\.0x14000000\): a different range for a boot that has one: answered 'conflict'"
t_end

t_begin "a new boot id replaces the old one"
guest "$S1" "quiet" 0x10000000 67108864 11111111-2222-3333-4444-555555555555
expect_eq "guest exit" 0 "$GRC"
expect_line "$GSTATUS" '^ack=accepted$'
expect_eq "JSON lines" 2 "$(json_lines basic)"
t_end

t_begin "another socket is another guest, with its own record"
guest "$S2" "quiet" 0x10000000 67108864
expect_eq "guest exit" 0 "$GRC"
expect_line "$WORK/basic.json" "\"peer\":\"unix:$S2\""
t_end

t_begin "invalid ranges and frames are refused with the right status"
for c in "--base 0x8000800|invalid" "--size 0x300000|invalid" "--size 0|invalid" \
	"--base 0xfe000000 --size 0x4000000|invalid" \
	"--base 0xffffffffffe00000 --size 0x400000|invalid" \
	"--flags 1|invalid" "--version 2|unsupported"; do
	args=${c%%|*}
	want=${c#*|}
	# shellcheck disable=SC2086 # the client's options, one word each
	got=$("$CLIENT" send "$S2" $args --boot 99999999-2222-3333-4444-555555555555)
	expect_eq "client $args" "result=$want" "$got"
done
t_end

# --- hostile clients
t_begin "malformed frames: the connection is closed without an answer"
for mode in truncated oversized bad-crc trailing; do
	got=$("$CLIENT" "$mode" "$S2")
	expect_eq "$mode" "result=closed" "$got"
done
expect_line "$WORK/basic.log" "not an hv-swiotlb record \(bad length\); closed"
expect_line "$WORK/basic.log" "bad checksum; closed without an answer"
t_end

t_begin "a byte-at-a-time sender is served"
got=$("$CLIENT" send "$S2" --bytewise 15 --boot aaaaaaaa-2222-3333-4444-555555555555)
expect_eq "bytewise" "result=accepted" "$got"
t_end

t_begin "a storm of silent connections holds up no other guest, leaks nothing"
fds_before=$(fd_count)
"$CLIENT" silent "$S1" 200 2500 >"$WORK/storm.out" &
storm=$!
sleep 0.5
GUEST_TIMEOUT=3 guest "$S2" "quiet" 0x20000000 2097152 bbbbbbbb-2222-3333-4444-555555555555
expect_eq "other guest exit" 0 "$GRC"
[ "$GMS" -lt 1000 ] || t_fail "the other guest took $GMS ms"
expect_line "$WORK/basic.log" "unix:$S1: 16 connections from this guest: closed the one idle longest"
wait "$storm"
expect_line "$WORK/storm.out" '^opened=200$'
GUEST_TIMEOUT=3 guest "$S1" "quiet" 0x20000000 2097152 cccccccc-2222-3333-4444-555555555555
expect_eq "storming guest, afterwards" 0 "$GRC"
sleep 0.3
expect_eq "receiver file descriptors" "$fds_before" "$(fd_count)"
kill -0 "$RECV_PID" 2>/dev/null || t_fail "the receiver died"
t_end
stop_recv

t_begin "SIGTERM: exit 0, socket files removed"
expect_eq "exit" 0 "$RECV_RC"
[ -e "$S1" ] && t_fail "$S1 is still there"
expect_line "$WORK/basic.log" "stopping"
t_end

t_begin "a client that connects and says nothing is closed at the deadline"
start_recv quiet --unix "$S1" --conn-timeout 0.5
"$CLIENT" silent "$S1" 1 1500 >/dev/null
expect_line "$WORK/quiet.log" "no whole record within the deadline \(0 bytes\); closed"
stop_recv
t_end

# --- --exec
t_begin "--exec: the range in the environment, accepted when it exits 0"
start_recv exec --unix "$S1" --exec "echo \"\$HVS_PEER \$HVS_BOOT_ID \$HVS_BASE \$HVS_SIZE \$HVS_SWIOTLB\" >$WORK/exec.out; echo noise"
guest "$S1" "hv_pci_swiotlb=64M" 0x8000000 67108864
expect_eq "guest exit" 0 "$GRC"
expect_line "$WORK/exec.out" "^unix:$S1 $BOOT_ID 0x8000000 67108864 0x8000000,67108864\$"
expect_eq "JSON lines" 1 "$(json_lines exec)"
expect_no_line "$WORK/exec.json" "noise"
stop_recv
t_end

t_begin "--exec fails: the guest hears 'failed' (exit 4), nothing recorded"
start_recv execfail --unix "$S1" --exec "exit 3"
guest "$S1" "hv_pci_swiotlb=64M" 0x8000000 67108864
expect_eq "guest exit" 4 "$GRC"
expect_line "$GSTATUS" '^ack=failed$'
expect_line "$WORK/execfail.log" "--exec failed \(exit 3\): answered 'failed'"
expect_eq "JSON lines" 0 "$(json_lines execfail)"
stop_recv
t_end

t_begin "--exec that hangs is killed at the deadline; others go on meanwhile"
# shellcheck disable=SC2016 # expanded by the receiver's sh -c, not here
start_recv exechang --unix "$S1" --unix "$S2" --conn-timeout 1 \
	--exec 'case "$HVS_PEER" in *s1.sock) sleep 30 ;; esac'
(
	GUEST_TIMEOUT=4 guest "$S1" "quiet" 0x8000000 67108864
	echo "$GRC" >"$WORK/hung.rc"
) &
hung=$!
sleep 0.3
guest "$S2" "quiet" 0x8000000 67108864
expect_eq "other guest exit" 0 "$GRC"
[ "$GMS" -lt 700 ] || t_fail "the other guest took $GMS ms"
wait "$hung"
expect_eq "hung guest exit" 4 "$(cat "$WORK/hung.rc")"
expect_line "$WORK/exechang.log" "--exec still running at the deadline; killed"
expect_line "$WORK/exechang.log" "--exec failed \(signal 9\)"
stop_recv
t_end

# --- policy and state
t_begin "--max-size refuses a larger pool"
start_recv maxsize --unix "$S1" --max-size 32M
guest "$S1" "hv_pci_swiotlb=64M" 0x8000000 67108864
expect_eq "guest exit" 4 "$GRC"
expect_line "$GSTATUS" '^ack=invalid$'
expect_line "$WORK/maxsize.log" "size 67108864 is over --max-size 33554432; answered 'invalid'"
stop_recv
t_end

t_begin "--state-dir: the rules survive a restart of the receiver"
start_recv state1 --unix "$S1" --state-dir "$WORK/state"
guest "$S1" "hv_pci_swiotlb=64M" 0x8000000 67108864
expect_eq "first exit" 0 "$GRC"
stop_recv
expect_line "$(find "$WORK/state" -type f | head -n 1)" "^base=0x8000000\$"
start_recv state2 --unix "$S1" --state-dir "$WORK/state"
expect_line "$WORK/state2.log" "loaded the ranges of 1 guest from"
guest "$S1" "hv_pci_swiotlb=64M" 0x8000000 67108864
expect_eq "after restart" 0 "$GRC"
expect_line "$GSTATUS" '^ack=duplicate$'
guest "$S1" "quiet" 0x10000000 67108864
expect_line "$GSTATUS" '^ack=conflict$'
stop_recv
t_end

# --- a returning boot id (issue 14): boot A, then B, then A again, as a
# hibernated kernel restored after a discarded resume kernel announced B
aba() { # NAME [ARGS]: A, B, A on $S1; the third must be applied again
	expect_eq "$1: boot A" result=accepted "$("$CLIENT" send "$S1" --boot "$BOOT_A")"
	expect_eq "$1: boot B" result=accepted "$("$CLIENT" send "$S1" --boot "$BOOT_B" --base 0x10000000)"
	expect_eq "$1: boot A again" result=accepted "$("$CLIENT" send "$S1" --boot "$BOOT_A")"
	expect_eq "$1: boot A again, resent" result=duplicate "$("$CLIENT" send "$S1" --boot "$BOOT_A")"
	expect_eq "$1: boot B, now another boot" result=accepted \
		"$("$CLIENT" send "$S1" --boot "$BOOT_B" --base 0x10000000)"
}
BOOT_A=aaaaaaaa-0000-4000-8000-00000000000a
BOOT_B=bbbbbbbb-0000-4000-8000-00000000000b
t_begin "a returning boot id, A B A: A is applied again (memory only)"
start_recv aba1 --unix "$S1"
aba "memory"
expect_eq "JSON lines" 4 "$(json_lines aba1)"
stop_recv
t_end

t_begin "a returning boot id, A B A: with --state-dir, and across a restart"
rm -rf "$WORK/aba"
start_recv aba2 --unix "$S1" --state-dir "$WORK/aba"
aba "state dir"
expect_eq "boot A" result=accepted "$("$CLIENT" send "$S1" --boot "$BOOT_A")"
stop_recv
start_recv aba3 --unix "$S1" --state-dir "$WORK/aba"
expect_eq "restarted: boot A kept" result=duplicate "$("$CLIENT" send "$S1" --boot "$BOOT_A")"
expect_eq "restarted: boot B" result=accepted \
	"$("$CLIENT" send "$S1" --boot "$BOOT_B" --base 0x10000000)"
stop_recv
start_recv aba4 --unix "$S1" --state-dir "$WORK/aba"
expect_eq "restarted again: boot A returns" result=accepted \
	"$("$CLIENT" send "$S1" --boot "$BOOT_A")"
expect_eq "then boot A's other range" result=conflict \
	"$("$CLIENT" send "$S1" --boot "$BOOT_A" --base 0x10000000)"
stop_recv
t_end

# --- systemd: socket activation and the notify protocol
SA=$(command -v systemd-socket-activate || echo /lib/systemd/systemd-socket-activate)
t_begin "socket-activated: a guest answered through a socket the receiver did not open"
rm -rf "$WORK/sa-state"
"$SA" -l "$WORK/vm1.hvsock_18515" --fdname=vm1 "$RECV" --state-dir "$WORK/sa-state" \
	>"$WORK/sa.json" 2>"$WORK/sa.log" &
sa_pid=$!
w=0
while [ ! -S "$WORK/vm1.hvsock_18515" ] && [ $w -lt 300 ]; do sleep 0.01; w=$((w + 1)); done
# The socket is there before the receiver runs: the first guest starts it.
guest "$WORK/vm1.hvsock_18515" "hv_pci_swiotlb=64M" 0x8000000 67108864
expect_eq "guest exit" 0 "$GRC"
expect_line "$GSTATUS" '^ack=accepted$'
expect_line "$WORK/sa.log" "listening on unix:$WORK/vm1.hvsock_18515 \\(from systemd\\)"
expect_line "$WORK/sa.json" "\"peer\":\"unix:$WORK/vm1.hvsock_18515\""
kill -TERM "$sa_pid"
wait "$sa_pid"
expect_eq "exit after SIGTERM" 0 "$?"
[ -S "$WORK/vm1.hvsock_18515" ] || t_fail "systemd's socket file was removed"
rm -f "$WORK/vm1.hvsock_18515"
t_end

t_begin "socket-activated: a datagram socket is refused with one clear line, exit 1"
"$SA" -d -l "$WORK/dgram.sock" "$RECV" >/dev/null 2>"$WORK/sa-dgram.log" &
sa_pid=$!
w=0
while [ ! -S "$WORK/dgram.sock" ] && [ $w -lt 300 ]; do sleep 0.01; w=$((w + 1)); done
printf x | socat - "UNIX-SENDTO:$WORK/dgram.sock" 2>/dev/null
wait "$sa_pid"
expect_eq "exit" 1 "$?"
expect_line "$WORK/sa-dgram.log" "systemd's descriptor 3 \\(.*\\): not a stream socket; give ListenStream="
rm -f "$WORK/dgram.sock"
t_end

t_begin "socket activation gone wrong: one line naming the cause, exit 1"
sh -c 'LISTEN_PID=$$ LISTEN_FDS=many exec "$0" --unix "$1"' "$RECV" "$S1" >/dev/null 2>"$WORK/sa-bad.log"
expect_eq "exit" 1 "$?"
expect_eq "lines" 1 "$(wc -l <"$WORK/sa-bad.log")"
expect_line "$WORK/sa-bad.log" 'LISTEN_PID=[0-9]+ LISTEN_FDS=many are not numbers'
[ -e "$S1" ] && t_fail "it left $S1"
t_end

notify_listen() { # ADDRESS MS [--full DELAY]: each datagram one line of $WORK/notify.out
	"$CLIENT" notify-listen "$1" "$2" "$WORK/notify.out" ${3:+"$3" "$4"} >"$WORK/notify.ready" &
	NOTIFY_PID=$!
	w=0
	until grep -q listening "$WORK/notify.ready" 2>/dev/null || [ $w -ge 200 ]; do
		sleep 0.01
		w=$((w + 1))
	done
}
t_begin "Type=notify: READY=1 once listening, STATUS= with the counts, RELOADING=1, STOPPING=1"
notify_listen "$WORK/notify.sock" 4000
RENV="NOTIFY_SOCKET=$WORK/notify.sock" start_recv notify --unix "$S1" --state-dir "$WORK/nstate"
expect_eq "guest" result=accepted "$("$CLIENT" send "$S1" --boot 12121212-0000-4000-8000-000000000001)"
expect_eq "guest" result=conflict "$("$CLIENT" send "$S1" --boot 12121212-0000-4000-8000-000000000001 --base 0x10000000)"
sleep 1.2
kill -HUP "$RECV_PID"
sleep 0.3
stop_recv
wait "$NOTIFY_PID"
expect_line "$WORK/notify.out" '^READY=1 ?STATUS=0 accepted'
expect_line "$WORK/notify.out" 'STATUS=1 accepted, 0 duplicate, 1 conflict'
expect_line "$WORK/notify.out" '^RELOADING=1 ?MONOTONIC_USEC=[0-9]+'
expect_line "$WORK/notify.out" '^STOPPING=1'
# READY only after the state directory was read and the socket listens.
expect_eq "the first message" 1 "$(grep -n 'READY=1' "$WORK/notify.out" | head -n 1 | cut -d: -f1)"
expect_no_line "$WORK/notify.log" 'NOTIFY_SOCKET'
t_end

t_begin "RELOADING=1's MONOTONIC_USEC= is CLOCK_MONOTONIC in microseconds, read at the reload"
notify_listen "$WORK/notify2.sock" 3000
RENV="NOTIFY_SOCKET=$WORK/notify2.sock" start_recv notify2 --unix "$S1" --state-dir "$WORK/nstate2"
: >"$WORK/notify2.t0"
for i in 1 2 3; do
	"$CLIENT" monotonic-us >>"$WORK/notify2.t0"
	kill -HUP "$RECV_PID"
	sleep 0.2
done
stop_recv
wait "$NOTIFY_PID"
sed -n 's/^RELOADING=1 MONOTONIC_USEC=\([0-9]*\).*/\1/p' "$WORK/notify.out" >"$WORK/notify2.us"
echo "    before each SIGHUP: $(tr '\n' ' ' <"$WORK/notify2.t0"); MONOTONIC_USEC: $(tr '\n' ' ' <"$WORK/notify2.us")"
expect_eq "RELOADING=1 messages" 3 "$(wc -l <"$WORK/notify2.us")"
# Each at or after its SIGHUP, within a second; not all whole milliseconds.
paste "$WORK/notify2.t0" "$WORK/notify2.us" | awk '
	$2 < $1 || $2 - $1 > 1000000 { print "MONOTONIC_USEC " $2 " is not within a second after " $1; bad = 1 }
	$2 % 1000 != 0 { sub_ms = 1 }
	END { if (!sub_ms) print "every MONOTONIC_USEC is a multiple of 1000: milliseconds, not microseconds"; exit bad || !sub_ms }' \
	>"$WORK/notify2.bad" || t_fail "$(cat "$WORK/notify2.bad")"
t_end

t_begin "READY=1 reaches a manager whose queue was full when it was first sent"
notify_listen "$WORK/full.sock" 3000 --full 600
RENV="NOTIFY_SOCKET=$WORK/full.sock" start_recv nfull --unix "$S1"
sleep 1.2
expect_eq "guest" result=accepted "$("$CLIENT" send "$S1" --boot 12121212-0000-4000-8000-000000000003)"
stop_recv
wait "$NOTIFY_PID"
echo "    queue filled with $(grep -c '^FILL=1' "$WORK/notify.out") datagrams; then: $(grep -v '^FILL' "$WORK/notify.out" | cut -c1-40 | tr '\n' '|')"
expect_line "$WORK/notify.out" '^READY=1 ?STATUS='
expect_line "$WORK/notify.out" '^STOPPING=1'
expect_line "$WORK/nfull.log" 'notification queue is full: "READY=1'
t_end

t_begin "started with descriptors 0-2 closed: they are /dev/null, and guests and --exec are unharmed"
rm -f "$S1"
"$RECV" --unix "$S1" --exec 'echo an --exec line on stderr >&2; echo and one on stdout' \
	<&- >&- 2>&- &
RECV_PID=$!
w=0
until [ -S "$S1" ] || [ $w -ge 300 ]; do
	sleep 0.01
	w=$((w + 1))
done
for fd in 0 1 2; do
	expect_eq "fd $fd" /dev/null "$(readlink "/proc/$RECV_PID/fd/$fd")"
done
expect_eq "guest 1" result=accepted "$("$CLIENT" send "$S1" --boot 12121212-0000-4000-8000-000000000004)"
expect_eq "guest 1 again" result=duplicate "$("$CLIENT" send "$S1" --boot 12121212-0000-4000-8000-000000000004)"
kill -0 "$RECV_PID" 2>/dev/null || t_fail "the receiver is gone"
stop_recv
expect_eq "exit after SIGTERM" 0 "$RECV_RC"
t_end

t_begin "WatchdogSec=: WATCHDOG=1 at a quarter of the interval, to an abstract socket name"
notify_listen "@hvs-notify-$$" 2500
RENV="NOTIFY_SOCKET=@hvs-notify-$$ WATCHDOG_USEC=200000" start_recv wd --unix "$S1"
sleep 1.1
stop_recv
wait "$NOTIFY_PID"
n=$(grep -c '^WATCHDOG=1' "$WORK/notify.out")
echo "    WATCHDOG=1 in 1.1 s with WATCHDOG_USEC=200000: $n"
if [ "$n" -lt 17 ] || [ "$n" -gt 27 ]; then t_fail "$n WATCHDOG=1 in 1.1 s, want about 22"; fi
expect_line "$WORK/notify.out" '^READY=1'
t_end

t_begin "a manager that never reads its notification socket holds up no guest"
"$CLIENT" notify-listen "$WORK/stalled.sock" 8000 --stall >"$WORK/notify.ready" &
NOTIFY_PID=$!
sleep 0.2
set --
i=0
while [ $i -lt 16 ]; do set -- "$@" --unix "$WORK/n$i"; i=$((i + 1)); done
RENV="NOTIFY_SOCKET=$WORK/stalled.sock WATCHDOG_USEC=2000" start_recv nstall "$@"
sleep 0.5 # a thousand WATCHDOG=1 and more: the socket's queue is full
t0=$(now_ms)
"$CLIENT" load "$WORK/n" 16 40 >"$WORK/nstall.out"
ms=$(($(now_ms) - t0))
echo "    1280 handoffs, the manager not reading: $ms ms"
expect_line "$WORK/nstall.out" '^accepted=640$'
[ "$ms" -lt 5000 ] || t_fail "took $ms ms"
expect_line "$WORK/nstall.log" 'telling systemd "WATCHDOG=1" failed: EAGAIN'
stop_recv
kill "$NOTIFY_PID" 2>/dev/null
t_end

t_begin "--exec commands inherit neither NOTIFY_SOCKET nor LISTEN_*"
RENV="NOTIFY_SOCKET=$WORK/none.sock WATCHDOG_USEC=1000000" start_recv envx --unix "$S1" \
	--exec "env >$WORK/exec.env"
expect_eq "guest" result=accepted "$("$CLIENT" send "$S1" --boot 13131313-0000-4000-8000-000000000001)"
stop_recv
expect_line "$WORK/exec.env" '^HVS_PEER='
expect_no_line "$WORK/exec.env" '^(NOTIFY_SOCKET|WATCHDOG_|LISTEN_)'
t_end

# --- the query: what the state directory holds, read-only
t_begin "--list: every guest, a table and JSON lines, while the receiver runs"
rm -rf "$WORK/lst"
start_recv lst --unix "$S1" --unix "$S2" --state-dir "$WORK/lst"
expect_eq "guest 1" result=accepted "$("$CLIENT" send "$S1" --boot 14141414-0000-4000-8000-000000000001)"
expect_eq "guest 2" result=accepted "$("$CLIENT" send "$S2" --boot 14141414-0000-4000-8000-000000000002 --base 0x10000000 --size 0x200000)"
"$RECV" --list --state-dir "$WORK/lst" >"$WORK/list.txt" 2>"$WORK/list.err"
expect_eq "exit" 0 "$?"
expect_line "$WORK/list.txt" '^PEER +BOOT ID +BASE +SIZE +TIME \(UTC\) +STATE$'
expect_line "$WORK/list.txt" "^unix:$S1 +14141414-0000-4000-8000-000000000001 0x08000000 +67108864 [0-9-]+T[0-9:]+Z applied\$"
expect_line "$WORK/list.txt" "^unix:$S2 +14141414-0000-4000-8000-000000000002 0x10000000 +2097152 "
"$RECV" --list --json --state-dir "$WORK/lst" "unix:$S2" >"$WORK/list.json"
expect_eq "one peer, JSON" 1 "$(wc -l <"$WORK/list.json")"
expect_line "$WORK/list.json" "^\\{\"peer\":\"unix:$S2\",\"boot_id\":\"14141414-0000-4000-8000-000000000002\",\"base\":\"0x10000000\",\"size\":2097152,\"time\":\"[0-9T:Z-]+\",\"applied\":true\\}\$"
"$RECV" --list --state-dir "$WORK/lst" "unix:$WORK/none" >/dev/null 2>"$WORK/list.err"
expect_eq "a guest with nothing recorded: exit" 3 "$?"
expect_line "$WORK/list.err" "nothing is recorded for unix:$WORK/none"
stop_recv
t_end

t_begin "--list refuses a damaged file by the receiver's rules, and leaves it where it is"
f=$(find "$WORK/lst" -type f | head -n 1)
printf 'peer=unix:%s\nboot_id=zz\nbase=0x8000000\nsize=67108864\ntime=1\n' "$S1" >"$f"
"$RECV" --list --json --state-dir "$WORK/lst" >"$WORK/list2.json" 2>"$WORK/list2.err"
expect_eq "exit" 2 "$?"
expect_line "$WORK/list2.err" "$(basename "$f") is damaged \\(the boot id is not a UUID\\): not shown"
expect_line "$WORK/list2.json" "^\\{\"file\":\"$(basename "$f")\",\"damaged\":\"the boot id is not a UUID\"\\}\$"
expect_eq "rows shown" 1 "$(grep -c '"applied":true' "$WORK/list2.json")"
[ -f "$f" ] || t_fail "--list moved the damaged file"
[ -n "$(find "$WORK/lst" -name '*.corrupt')" ] && t_fail "--list renamed something"
t_end

t_begin "--list: a hostile directory (others may write it, a FIFO, a link) neither hangs nor lies"
chmod 0777 "$WORK/lst"
"$RECV" --list --state-dir "$WORK/lst" >/dev/null 2>"$WORK/list3.err"
expect_eq "others may write it: exit" 1 "$?"
expect_line "$WORK/list3.err" 'can be written by others'
chmod 0700 "$WORK/lst"
rm -f "$WORK/lst"/*
mkfifo "$WORK/lst/$(printf 'unix:%s' "$S1" | "$CLIENT" state-name)"
ln -s /etc/passwd "$WORK/lst/$(printf 'unix:%s' "$S2" | "$CLIENT" state-name)"
t0=$(now_ms)
timeout 5 "$RECV" --list --state-dir "$WORK/lst" >"$WORK/list4.txt" 2>"$WORK/list4.err"
expect_eq "exit" 2 "$?"
[ $(($(now_ms) - t0)) -lt 2000 ] || t_fail "it took $(($(now_ms) - t0)) ms"
expect_line "$WORK/list4.err" 'is damaged \(not a regular file\)'
expect_line "$WORK/list4.err" 'is damaged \(a symbolic link\)'
[ -s "$WORK/list4.txt" ] && t_fail "something was listed: $(cat "$WORK/list4.txt")"
t_end

t_begin "--list: names with a tab, a newline, an escape sequence: one escaped line each"
rm -rf "$WORK/lst5"
hostile_paths "$WORK"
P1=$HP1 P2=$HP2 P3=$HP3
start_recv lst5 --unix "$P1" --unix "$P2" --unix "$P3" --state-dir "$WORK/lst5"
for p in "$P1" "$P2" "$P3"; do "$CLIENT" send "$p" >/dev/null; done
stop_recv
"$RECV" --list --state-dir "$WORK/lst5" >"$WORK/list5.txt"
"$RECV" --list --json --state-dir "$WORK/lst5" >"$WORK/list5.json"
expect_eq "table lines" 4 "$(wc -l <"$WORK/list5.txt")"
expect_eq "JSON lines" 3 "$(wc -l <"$WORK/list5.json")"
expect_line "$WORK/list5.txt" 'vm\\x091 '
expect_line "$WORK/list5.txt" 'vm\\x0a2 '
expect_line "$WORK/list5.json" 'vm-\\u00c3\\u00a9t\\u00c3\\u00a9\\u001b\[2J3'
LC_ALL=C grep -q "$(printf '[\001-\010\013-\037]')" "$WORK/list5.txt" "$WORK/list5.json" &&
	t_fail "a control byte was printed as it is"
t_end

# --- the query, applied or not: a guest's latest announcement that was not
# applied is kept beside its applied range (NAME.unapplied), after the answer
# went out: wait_list waits for it, as an operator's second look would.
wait_list() { # DIR OUT EXTENDED-REGEX: --list --json of DIR into OUT, until a line matches
	w=0
	until "$RECV" --list --json --state-dir "$1" >"$2" 2>/dev/null; grep -Eq -- "$3" "$2" ||
		[ $w -ge 300 ]; do
		sleep 0.01
		w=$((w + 1))
	done
}
BOOT_N=15151515-0000-4000-8000-000000000001
BOOT_X=15151515-0000-4000-8000-0000000000ff
S3=$WORK/s3.sock
S4=$WORK/s4.sock
t_begin "--list: a conflict, an invalid range, a failed --exec, an unsupported frame: not applied, beside the range applied"
rm -rf "$WORK/na"
# shellcheck disable=SC2016 # expanded by the receiver's sh -c, not here
start_recv na --unix "$S1" --unix "$S2" --unix "$S3" --unix "$S4" --state-dir "$WORK/na" \
	--exec 'case "$HVS_BOOT_ID" in *ff) exit 3 ;; esac'
for s in "$S1" "$S2" "$S3" "$S4"; do
	expect_eq "applied first" result=accepted "$("$CLIENT" send "$s" --boot "$BOOT_N")"
done
expect_eq "conflict" result=conflict "$("$CLIENT" send "$S1" --boot "$BOOT_N" --base 0x10000000)"
expect_eq "invalid" result=invalid "$("$CLIENT" send "$S2" --boot "$BOOT_X" --base 0x8000800)"
expect_eq "--exec fails" result=failed "$("$CLIENT" send "$S3" --boot "$BOOT_X" --base 0x20000000)"
expect_eq "unsupported" result=unsupported "$("$CLIENT" send "$S4" --version 2)"
wait_list "$WORK/na" "$WORK/na.json" "unix:$S4\",.*\"answer\":\"unsupported\""
"$RECV" --list --state-dir "$WORK/na" >"$WORK/na.txt" 2>"$WORK/na.err"
expect_eq "exit" 0 "$?"
for s in "$S1" "$S2" "$S3" "$S4"; do
	expect_line "$WORK/na.txt" "^unix:$s +$BOOT_N 0x08000000 +67108864 [0-9-]+T[0-9:]+Z applied\$"
done
expect_line "$WORK/na.txt" "^unix:$S1 +$BOOT_N 0x10000000 +67108864 [0-9-]+T[0-9:]+Z not applied: conflict\$"
expect_line "$WORK/na.txt" "^unix:$S2 +$BOOT_X 0x08000800 +67108864 [0-9-]+T[0-9:]+Z not applied: invalid\$"
expect_line "$WORK/na.txt" "^unix:$S3 +$BOOT_X 0x20000000 +67108864 [0-9-]+T[0-9:]+Z not applied: failed\$"
expect_line "$WORK/na.txt" "^unix:$S4 +- +- +- [0-9-]+T[0-9:]+Z not applied: unsupported\$"
expect_eq "table lines" 9 "$(wc -l <"$WORK/na.txt")"
expect_eq "JSON, applied" 4 "$(grep -c '"applied":true}$' "$WORK/na.json")"
expect_line "$WORK/na.json" "^\\{\"peer\":\"unix:$S1\",\"boot_id\":\"$BOOT_N\",\"base\":\"0x10000000\",\"size\":67108864,\"time\":\"[0-9T:Z-]+\",\"applied\":false,\"answer\":\"conflict\"\\}\$"
expect_line "$WORK/na.json" "^\\{\"peer\":\"unix:$S2\",\"boot_id\":\"$BOOT_X\",\"base\":\"0x8000800\",\"size\":67108864,\"time\":\"[0-9T:Z-]+\",\"applied\":false,\"answer\":\"invalid\"\\}\$"
expect_line "$WORK/na.json" "^\\{\"peer\":\"unix:$S3\",\"boot_id\":\"$BOOT_X\",\"base\":\"0x20000000\",\"size\":67108864,\"time\":\"[0-9T:Z-]+\",\"applied\":false,\"answer\":\"failed\"\\}\$"
expect_line "$WORK/na.json" "^\\{\"peer\":\"unix:$S4\",\"boot_id\":null,\"base\":null,\"size\":null,\"time\":\"[0-9T:Z-]+\",\"applied\":false,\"answer\":\"unsupported\"\\}\$"
# The rules never read it: the range applied is still the one compared with.
expect_eq "the applied range, again" result=duplicate "$("$CLIENT" send "$S1" --boot "$BOOT_N")"
expect_eq "the refused one, again" result=conflict "$("$CLIENT" send "$S1" --boot "$BOOT_N" --base 0x10000000)"
t_end

t_begin "--list: a later record of a new boot applied: the applied line is the new one, the not-applied line goes"
expect_eq "a new boot" result=accepted "$("$CLIENT" send "$S1" --boot 15151515-0000-4000-8000-000000000002)"
"$RECV" --list --state-dir "$WORK/na" "unix:$S1" >"$WORK/na1.txt"
expect_eq "lines for the guest, with the header" 2 "$(wc -l <"$WORK/na1.txt")"
expect_line "$WORK/na1.txt" "^unix:$S1 +15151515-0000-4000-8000-000000000002 0x08000000 +67108864 .* applied\$"
expect_no_line "$WORK/na1.txt" "not applied"
[ -n "$(find "$WORK/na" -name "$(printf 'unix:%s' "$S1" | "$CLIENT" state-name).unapplied")" ] &&
	t_fail "its .unapplied file is still there"
"$RECV" --list --state-dir "$WORK/na" "unix:$S2" >"$WORK/na2.txt"
expect_line "$WORK/na2.txt" "not applied: invalid\$"
stop_recv
t_end

t_begin "--list: a damaged not-applied file is refused by the receiver's rules; the receiver moves it aside"
f=$WORK/na/$(printf 'unix:%s' "$S2" | "$CLIENT" state-name).unapplied
[ -f "$f" ] || t_fail "no $f"
sed 's/^answer=invalid$/answer=maybe/' "$f" >"$f.new" && mv "$f.new" "$f"
f3=$WORK/na/$(printf 'unix:%s' "$S3" | "$CLIENT" state-name).unapplied
rm -f "$f3"
mkfifo "$f3"
"$RECV" --list --json --state-dir "$WORK/na" >"$WORK/na3.json" 2>"$WORK/na3.err"
expect_eq "exit" 2 "$?"
expect_line "$WORK/na3.err" "$(basename "$f") is damaged \\(the answer is not conflict, invalid, unsupported or failed\\): not shown"
expect_line "$WORK/na3.err" "$(basename "$f3") is damaged \\(not a regular file\\): not shown"
expect_line "$WORK/na3.json" "^\\{\"file\":\"$(basename "$f")\",\"damaged\":\"the answer is not conflict, invalid, unsupported or failed\"\\}\$"
expect_eq "applied lines still shown" 4 "$(grep -c '"applied":true}$' "$WORK/na3.json")"
[ -f "$f" ] || t_fail "--list moved it"
start_recv na2 --unix "$S2" --state-dir "$WORK/na"
expect_line "$WORK/na2.log" "$(basename "$f") is damaged \\(the answer is not .*\\): moved aside as $(basename "$f").corrupt"
expect_line "$WORK/na2.log" "$(basename "$f3") is damaged \\(not a regular file\\): moved aside"
[ -f "$f.corrupt" ] || t_fail "no $(basename "$f").corrupt"
expect_eq "the guest's applied range is still in force" result=duplicate "$("$CLIENT" send "$S2" --boot "$BOOT_N")"
stop_recv
"$RECV" --list --state-dir "$WORK/na" >/dev/null 2>&1
expect_eq "--list afterwards: exit" 0 "$?"
t_end

t_begin "a guest looping on a conflicting record: every record answered, its not-applied file written at most once a second"
rm -rf "$WORK/fl"
start_recv fl --unix "$S1" --unix "$S2" --state-dir "$WORK/fl"
expect_eq "applied" result=accepted "$("$CLIENT" send "$S1" --boot "$BOOT_N")"
strace -qq -f -e trace=openat,renameat,renameat2,linkat -o "$WORK/fl.trace" -p "$RECV_PID" 2>/dev/null &
TRACE_PID=$!
w=0
until [ "$(awk '/^TracerPid/ { print $2 }' "/proc/$RECV_PID/status")" != 0 ] || [ $w -ge 300 ]; do
	sleep 0.01
	w=$((w + 1))
done
"$CLIENT" repeat "$S1" --count 2000 --boot "$BOOT_N" --base 0x10000000 >"$WORK/fl1.out" &
flood=$!
expect_eq "another guest, meanwhile" result=accepted "$("$CLIENT" send "$S2" --boot "$BOOT_N")"
wait "$flood"
expect_line "$WORK/fl1.out" '^conflict=2000$'
sleep 1.1
writes1=$(grep -c 'unapplied\.[0-9]*\.[0-9]*\.tmp", O_WRONLY' "$WORK/fl.trace")
echo "    2000 identical conflicts: $writes1 write(s) of the not-applied file"
expect_eq "writes for 2000 identical conflicting records" 1 "$writes1"
t0=$(now_ms)
"$CLIENT" repeat "$S1" --count 2000 --vary 1 --pause 1 --boot "$BOOT_N" --base 0x10000000 >"$WORK/fl2.out"
ms=$(($(now_ms) - t0))
expect_line "$WORK/fl2.out" '^conflict=2000$'
last=$(sed -n 's/^last_base=//p' "$WORK/fl2.out")
sleep 1.2 # the latest waits for its turn, at most a second
kill -INT "$TRACE_PID"
wait "$TRACE_PID"
writes2=$(($(grep -c 'unapplied\.[0-9]*\.[0-9]*\.tmp", O_WRONLY' "$WORK/fl.trace") - writes1))
echo "    2000 conflicts, each another range, in $ms ms: $writes2 writes"
[ "$writes2" -ge 2 ] || t_fail "$writes2 writes: the latest was not written when its turn came"
[ "$writes2" -le $((ms / 1000 + 2)) ] || t_fail "$writes2 writes in $ms ms: more than one a second"
expect_eq "other writes to the directory (the other guest's range)" 1 \
	"$(grep 'O_CREAT' "$WORK/fl.trace" | grep -vc 'unapplied\.[0-9]*\.[0-9]*\.tmp"')"
"$RECV" --list --json --state-dir "$WORK/fl" "unix:$S1" >"$WORK/fl.json"
expect_line "$WORK/fl.json" "\"base\":\"$last\",\"size\":67108864,.*\"applied\":false,\"answer\":\"conflict\""
expect_line "$WORK/fl.json" "\"base\":\"0x8000000\",.*\"applied\":true"
kill -0 "$RECV_PID" 2>/dev/null || t_fail "the receiver died"
stop_recv
t_end

t_begin "usage errors exit 64"
"$RECV" >/dev/null 2>&1
expect_eq "no listener" 64 "$?"
"$RECV" --unix "$S1" --max-size 12Q >/dev/null 2>&1
expect_eq "bad --max-size" 64 "$?"
"$RECV" --vsock 0 >/dev/null 2>&1
expect_eq "port 0" 64 "$?"
t_end

# --- behind a relay that follows OpenVMM's rule for hv_sock to Unix sockets:
# a guest's connection to port 18515 goes to <path>_18515, or, when that does
# not exist, to <path>_<the port's service GUID>.
GUID=00004853-facb-11e6-bd58-64006a7986d3
start_relay() { # GUEST_SIDE HOST_PATH
	# One connection: the port's path, else the GUID's (a script: socat's
	# address syntax takes the colons of a command line for its own).
	cat >"$1.relay" <<RELAY
#!/bin/sh
socat - UNIX-CONNECT:$2_18515 2>/dev/null || exec socat - UNIX-CONNECT:$2_$GUID
RELAY
	chmod +x "$1.relay"
	socat "UNIX-LISTEN:$1,fork" "EXEC:$1.relay" 2>/dev/null &
	RELAY_PID=$!
	w=0
	while [ ! -S "$1" ] && [ $w -lt 200 ]; do sleep 0.01; w=$((w + 1)); done
}

t_begin "behind an OpenVMM-style relay: hv-swiotlb-recv --unix <path>_18515"
start_relay "$WORK/vm1.guest" "$WORK/vm1.hvsock"
start_recv relay1 --unix "$WORK/vm1.hvsock_18515"
guest "$WORK/vm1.guest" "hv_pci_swiotlb=64M" 0x8000000 67108864
expect_eq "guest exit" 0 "$GRC"
expect_line "$GSTATUS" '^ack=accepted$'
expect_line "$WORK/relay1.json" "\"peer\":\"unix:$WORK/vm1.hvsock_18515\""
stop_recv
kill "$RELAY_PID" 2>/dev/null
t_end

t_begin "behind the relay, the service-GUID path when the port's is not there"
start_relay "$WORK/vm2.guest" "$WORK/vm2.hvsock"
start_recv relay2 --unix "$WORK/vm2.hvsock_$GUID"
guest "$WORK/vm2.guest" "hv_pci_swiotlb=64M" 0x8000000 67108864
expect_eq "guest exit" 0 "$GRC"
expect_line "$WORK/relay2.json" "\"peer\":\"unix:$WORK/vm2.hvsock_$GUID\""
stop_recv
kill "$RELAY_PID" 2>/dev/null
t_end

# --- load: 64 guests (sockets), 40 boots each, every record sent twice
t_begin "log lines carry their syslog priority (<N>) when stderr is the journal's stream, and only then"
SP=$WORK/prio.sock
: >"$WORK/prio.log"
RENV="JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/prio.log")" start_recv prio --unix "$SP"
guest "$SP" "quiet" 0x8000000 67108864
guest "$SP" "quiet" 0x8000000 67108864
guest "$SP" "quiet" 0x9000000 67108864
stop_recv
expect_eq "lines without a priority" 0 "$(grep -cv '^<[0-7]>hv-swiotlb-recv: ' "$WORK/prio.log")"
expect_line "$WORK/prio.log" '^<6>hv-swiotlb-recv: listening on '
expect_line "$WORK/prio.log" '^<5>hv-swiotlb-recv: unix:.*: accepted \[0x8000000\.\.'
expect_line "$WORK/prio.log" '^<6>hv-swiotlb-recv: unix:.*: the same range again'
expect_line "$WORK/prio.log" "^<4>hv-swiotlb-recv: unix:.*answered 'conflict'"
# JOURNAL_STREAM names stdout's stream (the JSON), not stderr's: no prefix.
: >"$WORK/prio2.json"
RENV="JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/prio2.json")" ROUT="$WORK/prio2.json" \
	start_recv prio2 --unix "$SP"
guest "$SP" "quiet" 0x8000000 67108864
stop_recv
expect_eq "lines with a priority, stderr not the journal" 0 "$(grep -c '^<' "$WORK/prio2.log")"
expect_line "$WORK/prio2.log" '^hv-swiotlb-recv: listening on '
RENV=""
ROUT=""
t_end

t_begin "load: 5120 handoffs from 64 concurrent guests, none lost or doubled"
set --
i=0
while [ $i -lt 64 ]; do
	set -- "$@" --unix "$WORK/l$i"
	i=$((i + 1))
done
start_recv load "$@"
t0=$(now_ms)
"$CLIENT" load "$WORK/l" 64 40 >"$WORK/load.out"
ms=$(($(now_ms) - t0))
echo "    load: 5120 handoffs in $ms ms"
expect_line "$WORK/load.out" '^accepted=2560$'
expect_line "$WORK/load.out" '^duplicate=2560$'
expect_line "$WORK/load.out" '^other=0$'
expect_eq "JSON lines" 2560 "$(json_lines load)"
expect_eq "distinct guest+boot pairs" 2560 \
	"$(sed 's/.*"peer":"\([^"]*\)","boot_id":"\([^"]*\)".*/\1 \2/' "$WORK/load.json" | sort -u | wc -l)"
stop_recv
t_end

t_summary
