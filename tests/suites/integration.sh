#!/bin/sh
# The tool against a scripted host over Unix sockets. Each test checks the
# exit code, the kernel-log line and the status file.
#
#   tests/integration.sh TOOL PEER
#
# Every run passes --target unix:...: no test here may open AF_VSOCK, since
# the build machine's CID 2 is its real hypervisor.
set -u
TOOL=$1
PEER=$2
# shellcheck source=tests/lib/report.sh
. "$(dirname "$0")/../lib/report.sh"
# shellcheck source=tests/lib/fixtures.sh
. "$(dirname "$0")/../lib/fixtures.sh"

WORK=$(guest_work hvs-it)
trap 'rm -rf "$WORK"' EXIT

# start_peer MODE [extra peer args]: a scripted host on $SOCK.
start_peer() {
	mode=$1
	shift
	"$PEER" --listen "$SOCK" --mode "$mode" --out "$R/peer.out" "$@" &
	PEER_PID=$!
	case " $* " in *" --listen-after "*) return ;; esac
	i=0
	while [ ! -S "$SOCK" ] && [ $i -lt 200 ]; do
		sleep 0.01
		i=$((i + 1))
	done
}

stop_peer() {
	kill "$PEER_PID" 2>/dev/null
	wait "$PEER_PID" 2>/dev/null
	PEER_PID=""
}

# run_tool [args]: runs the tool on $R; sets RC and MS (wall time). With
# HVS_TRACE=1 every run is traced, to prove below that none opened AF_VSOCK.
run_tool() {
	t0=$(now_ms)
	if [ "${HVS_TRACE:-0}" = 1 ]; then
		strace -f -qq -e trace=socket,connect -o "$R/strace.$(now_ms)" \
			"$TOOL" --root "$R" "$@" >"$R/stdout" 2>"$R/stderr"
	else
		"$TOOL" --root "$R" "$@" >"$R/stdout" 2>"$R/stderr"
	fi
	RC=$?
	MS=$(($(now_ms) - t0))
}

status_is() { # KEY=VALUE ...
	for kv in "$@"; do
		expect_line "$STATUS" "^$kv\$"
	done
}

BASE=0x8000000
SIZE=67108864
RANGE='\[0x8000000\.\.0xc000000\) \(67108864 bytes\)'

# --- the host accepts
t_begin "accepted: exit 0, info line, status, and the host got the sysfs range"
new_root "BOOT_IMAGE=/vmlinuz swiotlb=force hv_pci_swiotlb=64M quiet" "$BASE" "$SIZE"
start_peer accepted
run_tool --target "unix:$SOCK" --timeout 5
stop_peer
expect_eq "exit" 0 "$RC"
expect_line "$KMSG" "^<6>hv-swiotlb: handed $RANGE to unix:$SOCK: accepted after [0-9]+ ms, 1 attempt\$"
status_is state=acknowledged verdict=ok base=0x8000000 size=67108864 requested=67108864 \
	"target=unix:$SOCK" attempts=1 ack=accepted exit=0 required=0 \
	"reason=the host applied the range"
expect_line "$R/peer.out" "^record base=0x8000000 size=67108864 boot_id=$BOOT_ID nonce=[0-9a-f]{16}\$"
t_end

t_begin "duplicate: the host already had it, still success"
new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
start_peer duplicate
run_tool --target "unix:$SOCK" --timeout 5
stop_peer
expect_eq "exit" 0 "$RC"
expect_line "$KMSG" "^<6>hv-swiotlb: handed $RANGE to unix:$SOCK: duplicate after"
status_is state=acknowledged ack=duplicate
t_end

t_begin "refused then accepted: retries with backoff inside the deadline"
new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
start_peer accepted --listen-after 1200
run_tool --target "unix:$SOCK" --timeout 6
stop_peer
expect_eq "exit" 0 "$RC"
attempts=$(sed -n 's/^attempts=//p' "$STATUS")
[ "${attempts:-0}" -ge 3 ] || t_fail "want at least 3 attempts, got '${attempts}'"
if [ "$MS" -lt 1200 ] || [ "$MS" -ge 4000 ]; then t_fail "took $MS ms; want 1200..4000"; fi
expect_line "$KMSG" "^<6>hv-swiotlb: handed $RANGE to unix:$SOCK: accepted after [0-9]+ ms, [0-9]+ attempts\$"
t_end

# --- the host never answers, or answers badly
t_begin "silent host: returns within the deadline plus a small margin"
new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
start_peer silent --max-wait 8000
run_tool --target "unix:$SOCK" --timeout 1.5
stop_peer
expect_eq "exit" 3 "$RC"
if [ "$MS" -lt 1450 ] || [ "$MS" -ge 2000 ]; then t_fail "took $MS ms; want 1450..2000"; fi
expect_line "$KMSG" "^<4>hv-swiotlb: handoff to unix:$SOCK failed after 1[45][0-9][0-9] ms and 1 attempt: connected, but no acknowledgement came before the deadline; the boot goes on without it\$"
status_is state=unreachable attempts=1 exit=3
t_end

t_begin "no host at all: unreachable, bounded, ENOENT named"
new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
run_tool --target "unix:$SOCK" --timeout 1
expect_eq "exit" 3 "$RC"
[ "$MS" -lt 1500 ] || t_fail "took $MS ms; want < 1500"
expect_line "$KMSG" "^<4>hv-swiotlb: handoff to unix:$SOCK failed after [0-9]+ ms and [0-9]+ attempts: cannot connect: ENOENT \(is a receiver listening there\?\); the boot goes on without it\$"
status_is state=unreachable exit=3 "target=unix:$SOCK"
t_end

t_begin "short answer: 10 of 24 bytes, then silence"
new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
start_peer partial --max-wait 8000
run_tool --target "unix:$SOCK" --timeout 1
stop_peer
expect_eq "exit" 3 "$RC"
[ "$MS" -lt 1500 ] || t_fail "took $MS ms; want < 1500"
expect_line "$KMSG" "failed after [0-9]+ ms and 1 attempt: only 10 bytes of the acknowledgement came before the deadline"
t_end

for case in "garbage|bad magic" "bad-crc|bad checksum"; do
	mode=${case%%|*}
	why=${case#*|}
	t_begin "$mode answer: protocol error, no retry"
	new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
	start_peer "$mode" --max-wait 3000
	run_tool --target "unix:$SOCK" --timeout 5
	stop_peer
	expect_eq "exit" 5 "$RC"
	[ "$MS" -lt 1000 ] || t_fail "took $MS ms; a bad answer should end it at once"
	expect_line "$KMSG" "^<4>hv-swiotlb: handoff to unix:$SOCK failed after [0-9]+ ms and 1 attempt: the host's (answer is not an hv-swiotlb acknowledgement|acknowledgement is invalid) \($why\)"
	status_is state=protocol-error exit=5 attempts=1
	t_end
done

t_begin "wrong nonce: an answer to another record is refused"
new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
start_peer wrong-nonce --max-wait 3000
run_tool --target "unix:$SOCK" --timeout 5
stop_peer
expect_eq "exit" 5 "$RC"
expect_line "$KMSG" "failed after [0-9]+ ms and 1 attempt: the host acknowledged another record \(nonce [0-9a-f]{16}, ours [0-9a-f]{16}\)"
status_is state=protocol-error
t_end

t_begin "host closes mid-answer: retried until the deadline"
new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
start_peer close-mid --max-wait 8000
run_tool --target "unix:$SOCK" --timeout 1.2
stop_peer
expect_eq "exit" 5 "$RC"
[ "$MS" -lt 1700 ] || t_fail "took $MS ms; want < 1700"
expect_line "$KMSG" "failed after [0-9]+ ms and [2-9] attempts: the host closed the connection after 10 bytes of its answer"
expect_line "$R/peer.out" "^connections=[2-9]\$"
t_end

t_begin "host closes without a word"
new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
start_peer close --max-wait 8000
run_tool --target "unix:$SOCK" --timeout 0.5
stop_peer
expect_eq "exit" 5 "$RC"
expect_line "$KMSG" "the host closed the connection without answering"
t_end

for status in conflict invalid failed; do
	t_begin "host refuses ($status): exit 4, no retry"
	new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
	start_peer "$status"
	run_tool --target "unix:$SOCK" --timeout 5
	stop_peer
	expect_eq "exit" 4 "$RC"
	expect_line "$KMSG" "^<4>hv-swiotlb: handoff to unix:$SOCK failed after [0-9]+ ms and 1 attempt: the host refused the record: $status; the boot goes on without it\$"
	status_is state=refused "ack=$status" exit=4
	t_end
done

t_begin "host refuses (unsupported): the versions are named"
new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
start_peer unsupported
run_tool --target "unix:$SOCK" --timeout 5
stop_peer
expect_eq "exit" 4 "$RC"
expect_line "$KMSG" "it speaks protocol version 1 at most, this guest sends version 1"
status_is state=refused ack=unsupported
t_end

# --- options
t_begin "rd.hvswiotlb.required: failures are logged at err"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.required" "$BASE" "$SIZE"
run_tool --target "unix:$SOCK" --timeout 0.3
expect_eq "exit" 3 "$RC"
expect_line "$KMSG" "^<3>hv-swiotlb: handoff to unix:$SOCK failed after [0-9]+ ms and [0-9]+ attempts: cannot connect: ENOENT \(is a receiver listening there\?\)\$"
status_is required=1
t_end

t_begin "rd.hvswiotlb.debug: every step, with its time"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.debug" "$BASE" "$SIZE"
start_peer accepted
run_tool --target "unix:$SOCK" --timeout 5
stop_peer
expect_eq "exit" 0 "$RC"
expect_line "$KMSG" '^<7>hv-swiotlb: \[\+[0-9]+ms\] request: hv_pci_swiotlb set, 67108864 bytes'
expect_line "$KMSG" '^<7>hv-swiotlb: \[\+[0-9]+ms\] verdict ok: pool \[0x8000000\.\.0xc000000\)'
expect_line "$KMSG" '^<7>hv-swiotlb: \[\+[0-9]+ms\] attempt 1: record sent \(56 bytes\)'
expect_line "$KMSG" '^<7>hv-swiotlb: \[\+[0-9]+ms\] done, exit 0$'
t_end

t_begin "rd.hvswiotlb=0: nothing is sent, one info line"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb=0" "$BASE" "$SIZE"
start_peer accepted --max-wait 1500
run_tool --target "unix:$SOCK" --timeout 5
stop_peer
expect_eq "exit" 0 "$RC"
expect_line "$KMSG" "^<6>hv-swiotlb: handoff disabled by rd.hvswiotlb=0; not sending"
expect_line "$R/peer.out" "^connections=0\$"
status_is state=disabled
t_end

t_begin "options from /etc/cmdline.d count (here a 0.4 s deadline)"
new_root "hv_pci_swiotlb=64M" "$BASE" "$SIZE"
mkdir -p "$R/etc/cmdline.d"
echo "rd.hvswiotlb.timeout=0.4 rd.hvswiotlb.required" >"$R/etc/cmdline.d/90-hv.conf"
run_tool --target "unix:$SOCK"
expect_eq "exit" 3 "$RC"
[ "$MS" -lt 900 ] || t_fail "took $MS ms; want < 900"
expect_line "$KMSG" "^<3>hv-swiotlb: handoff to unix:$SOCK failed after 4[0-9][0-9] ms"
t_end

t_begin "a bad option value is a warning, not a failure"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.timeout=soon" "$BASE" "$SIZE"
start_peer accepted
run_tool --target "unix:$SOCK"
stop_peer
expect_eq "exit" 0 "$RC"
expect_line "$KMSG" "^<4>hv-swiotlb: ignoring rd.hvswiotlb.timeout=soon: expected seconds"
t_end

# --- no pool, or a wrong one
t_begin "nothing requested, nothing published: silent, exit 0, state=none"
new_root "quiet"
run_tool --target "unix:$SOCK" --timeout 5
expect_eq "exit" 0 "$RC"
[ -s "$KMSG" ] && t_fail "the kernel log got: $(cat "$KMSG")"
[ -s "$R/stderr" ] && t_fail "stderr got: $(cat "$R/stderr")"
status_is state=none verdict=none exit=0 requested=0 attempts=0
expect_no_line "$STATUS" '^target='
t_end

t_begin "allocation failed: diagnosed from the kernel's own line"
new_root "hv_pci_swiotlb=64M"
printf '%s\n' "4,210,150000,-;hv_pci: failed to allocate 67108864-byte swiotlb pool below 4G; feature disabled" >"$KMSG"
run_tool --target "unix:$SOCK" --timeout 5
expect_eq "exit" 1 "$RC"
expect_line "$KMSG" "^<4>hv-swiotlb: no pool to hand over \(alloc-failed\): the kernel could not allocate 67108864-byte contiguous bytes below 4 GiB"
status_is state=pool-absent verdict=alloc-failed exit=1 requested=67108864
expect_no_line "$STATUS" "^base="
t_end

t_begin "legacy <base>,<size>: named as such, with the fix"
new_root "hv_pci_swiotlb=0x8000000,64M"
printf '%s\n' "4,210,150000,-;hv_pci: ignoring hv_pci_swiotlb=0x8000000,64M; expected hv_pci_swiotlb=<size>" >"$KMSG"
run_tool --target "unix:$SOCK" --timeout 5
expect_eq "exit" 1 "$RC"
expect_line "$KMSG" "^<4>hv-swiotlb: no pool to hand over \(legacy-param\): hv_pci_swiotlb=0x8000000,64M is the legacy <base>,<size> form, which the kernel refuses \(the kernel logged"
status_is state=pool-absent verdict=legacy-param
t_end

t_begin "not a Hyper-V guest: no vmbus"
new_root "hv_pci_swiotlb=64M"
rm -rf "$R/sys/bus"
run_tool --target "unix:$SOCK" --timeout 5
expect_eq "exit" 1 "$RC"
expect_line "$KMSG" "\(no-vmbus\): no /sys/bus/vmbus: this is not a Hyper-V guest"
t_end

t_begin "published size disagrees with the request: invalid, nothing sent"
new_root "hv_pci_swiotlb=128M" "$BASE" "$SIZE"
start_peer accepted --max-wait 1500
run_tool --target "unix:$SOCK" --timeout 5
stop_peer
expect_eq "exit" 2 "$RC"
expect_line "$KMSG" "\(size-mismatch\): the published pool has 67108864 bytes but hv_pci_swiotlb=128M asks for 134217728"
expect_line "$R/peer.out" "^connections=0\$"
status_is state=pool-invalid verdict=size-mismatch exit=2
t_end

t_begin "published range above 4 GiB: invalid"
new_root "hv_pci_swiotlb=64M" 0xfe000000 67108864
run_tool --target "unix:$SOCK" --timeout 5
expect_eq "exit" 2 "$RC"
status_is verdict=above-4g
t_end

# --- the interface
t_begin "dry run: key=value lines, nothing written or sent"
new_root "hv_pci_swiotlb=64M rd.hvswiotlb.timeout=3" "$BASE" "$SIZE"
run_tool --dry-run --target "unix:$SOCK"
expect_eq "exit" 0 "$RC"
for kv in cmdline_size=67108864 cmdline_param=set cmdline_value=64M pool_base=0x8000000 \
	pool_size=67108864 timeout_ms=3000 "target=unix:$SOCK" verdict=ok exit=0; do
	expect_line "$R/stdout" "^$kv\$"
done
[ -s "$KMSG" ] && t_fail "the dry run wrote to the kernel log"
[ -e "$STATUS" ] && t_fail "the dry run wrote a status file"
t_end

t_begin "dry run of a missing pool: verdict and exit code"
new_root "hv_pci_swiotlb=64M"
printf '%s\n' "4,1,1,-;hv_pci: CONFIG_CONTIG_ALLOC disabled; hv_pci_swiotlb= ignored" >"$KMSG"
run_tool --dry-run
expect_eq "exit" 1 "$RC"
expect_line "$R/stdout" "^verdict=no-contig-alloc\$"
expect_no_line "$R/stdout" "^pool_base="
expect_line "$R/stdout" "^target=vsock:2:18515\$"
t_end

t_begin "usage errors: one line and exit 64"
new_root "quiet"
for args in "--bogus" "--timeout" "--timeout=0" "--timeout=abc" "--target=tcp:1" \
	"--target=vsock:2" "--target=vsock:0:1" "--target=vsock:2:4294967295" "extra" \
	"--dry-run --plan" "--debug=1" "-x"; do
	# shellcheck disable=SC2086 # one word per argument
	run_tool $args
	expect_eq "exit for $args" 64 "$RC"
	first=$(head -n 1 "$R/stderr")
	case "$first" in
	"hv-swiotlb: "*) ;;
	*) t_fail "for $args the first stderr line is '$first'" ;;
	esac
done
t_end

t_begin "--help and --version"
new_root "quiet"
run_tool --help
expect_eq "exit" 0 "$RC"
expect_line "$R/stdout" "^usage: hv-swiotlb "
expect_line "$R/stdout" "See hv-swiotlb\\(8\\)"
run_tool --version
expect_eq "exit" 0 "$RC"
expect_line "$R/stdout" '^hv-swiotlb [0-9]+\.[0-9]+'
t_end

t_begin "no /proc/cmdline: system error, one line"
new_root "quiet"
rm "$R/proc/cmdline"
run_tool --target "unix:$SOCK"
expect_eq "exit" 6 "$RC"
expect_line "$KMSG" "^<3>hv-swiotlb: cannot read $R/proc/cmdline: ENOENT; is /proc mounted\?\$"
t_end

if [ "${HVS_TRACE:-0}" = 1 ]; then
	t_begin "no run opened an AF_VSOCK socket (strace of every run above)"
	traces=$(find "$WORK" -name 'strace.*' | wc -l)
	[ "$traces" -ge 40 ] || t_fail "only $traces traced runs"
	grep -l 'AF_VSOCK' "$WORK"/*/strace.* 2>/dev/null && t_fail "AF_VSOCK seen"
	grep -q 'socket(AF_UNIX' "$WORK"/*/strace.* || t_fail "the traces show no socket at all"
	t_end
fi

t_summary
