#!/bin/sh
# The receiver: with the real guest tool, with hostile clients, and under
# load, all over Unix sockets.
#
#   tests/recv.sh RECV GUEST CLIENT
set -u
RECV=$1
GUEST=$2
CLIENT=$3
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-fixtures.sh
. "$(dirname "$0")/lib-fixtures.sh"

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
