#!/bin/sh
# Boot scenarios, for each generator's image: the handoff, its bound, its
# diagnosis and the emergency path, observed on a real boot under QEMU.
# Two guests boot at a time (one per core); the serial logs of failed
# scenarios are kept in OUT/failed/.
#
#   tests/boot/scenarios.sh OUT [GENERATOR...]
#   (OUT is tests/boot/build-images.sh's output directory; HVTEST_ONLY=NAME
#   boots that scenario alone, for make bench)
set -u
OUT=$(cd "$1" && pwd) || exit 1
shift
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$HERE/../lib.sh"

KVER=$(cat "$OUT/kver")
KERNEL=/boot/vmlinuz-$KVER
LOGS=$OUT/logs
rm -rf "$LOGS" "$OUT/failed"
mkdir -p "$LOGS"
GENERATORS=${*:-dracut-systemd dracut-shell initramfs-tools dracut-unit}
TIMEOUT_S=3
BASE="root=/dev/vda rw rd.hvswiotlb.cid=1 rd.hvswiotlb.timeout=$TIMEOUT_S"
POOL="hv_pci_swiotlb=4M hv_swiotlb_stub.size=4M"

# name|kernel command line beyond $BASE
SCENARIOS="
ok|$POOL rd.hvswiotlb.debug
no-receiver|$POOL hvtest.recv=none
silent-receiver|$POOL hvtest.recv=silent
fail-alloc|$POOL hv_swiotlb_stub.fail=alloc
fail-contig|$POOL hv_swiotlb_stub.fail=contig
fail-create|$POOL hv_swiotlb_stub.fail=create
fail-publish|$POOL hv_swiotlb_stub.fail=publish
fail-nodriver|$POOL hv_swiotlb_stub.fail=nodriver
legacy|hv_pci_swiotlb=0x8000000,4M hv_swiotlb_stub.legacy=0x8000000,4M
disabled|$POOL rd.hvswiotlb=0
not-asked|hv_swiotlb_stub.size=0
required|$POOL hvtest.recv=none rd.hvswiotlb.required rd.shell=0 rd.emergency=poweroff
"
# The unit image: hv-swiotlb.service under systemd as PID 1, no hook.
UNIT_SCENARIOS="
unit-ok|$POOL rd.hvswiotlb.debug
unit-skip|$POOL hvtest.status=present
unit-required|$POOL hvtest.recv=none rd.hvswiotlb.required rd.shell=0 rd.emergency=poweroff
"

boot_one() { # GENERATOR NAME CMDLINE
	sh "$HERE/boot.sh" "$KERNEL" "$OUT/$1.img" "$OUT/root.ext4" "$BASE $3" \
		"$LOGS/$1.$2.log" 180
}

# Boot every scenario of every generator, two at a time.
boot_all() {
	running=0
	for gen in $GENERATORS; do
		list=$SCENARIOS
		[ "$gen" = dracut-unit ] && list=$UNIT_SCENARIOS
		echo "$list" | while IFS='|' read -r name cmdline; do
			[ -n "$name" ] || continue
			[ -z "${HVTEST_ONLY:-}" ] || [ "$name" = "$HVTEST_ONLY" ] || continue
			echo "$gen|$name|$cmdline"
		done
	done >"$LOGS/plan"
	while IFS='|' read -r gen name cmdline; do
		boot_one "$gen" "$name" "$cmdline" &
		running=$((running + 1))
		if [ "$running" -ge 2 ]; then
			wait
			running=0
		fi
	done <"$LOGS/plan"
	wait
}

# What a boot left: marked lines of the serial log.
status_of() { sed -n "s|^HVTEST-FILE /run/hv-swiotlb/status: ||p" "$L" | tr -d '\r'; }
kmsg_has() { grep -q "^HVTEST-KMSG .*$1" "$L"; }
expect_status() { # KEY=VALUE...
	for kv in "$@"; do
		status_of | grep -qx -- "$kv" || t_fail "status has no '$kv' ($(status_of | tr '\n' ' '))"
	done
}
expect_kmsg() { kmsg_has "$1" || t_fail "the kernel log has no line matching '$1'"; }
expect_root() { grep -q '^HVTEST-DONE' "$L" || t_fail "the boot did not reach the real root"; }
status_value() { status_of | sed -n "s/^$1=//p"; }
# The handoff's time, bounded by the deadline and a small margin.
expect_bounded() {
	ms=$(status_value elapsed_ms)
	if [ -z "$ms" ] || [ "$ms" -gt $((TIMEOUT_S * 1000 + 250)) ]; then
		t_fail "the handoff took '${ms}' ms, more than the ${TIMEOUT_S} s deadline"
	fi
}

# The console line number where a pattern first shows ("" if none).
console_line() { sed 's/\x1b\[[0-9;]*m//g' "$L" | grep -a -n -m 1 -E "$1" | cut -d: -f1; }

# Kernel-log time of the first line matching a pattern ("" if none).
klog_time() { sed -n "s/^\[ *\([0-9.]*\)\] .*$1.*/\1/p" "$L" | tr -d '\r' | head -n 1; }
before() { [ -n "$1" ] && [ -n "$2" ] && [ "$(echo "$1 $2" | awk '{ print ($1 < $2) }')" = 1 ]; }

# The handoff came before the root was mounted, and with dracut (the hook
# runs at pre-trigger) before udev brought up any device: the first
# virtio block or network line. initramfs-tools runs it after udev, in
# init-premount, before any root or network configuration.
expect_order() {
	t_hand=$(sed -n 's/^HVTEST-KMSG \[ *\([0-9.]*\)\] hv-swiotlb: handed .*/\1/p' "$L" | tr -d '\r' | head -n 1)
	t_root=$(klog_time 'EXT4-fs (vda): mounted')
	t_blk=$(klog_time 'virtio_blk virtio[0-9]*: \[vda\]')
	t_net=$(klog_time 'virtio_net virtio[0-9]*')
	t_ip=$(klog_time 'IP-Config')
	before "$t_hand" "$t_root" || t_fail "handoff at '$t_hand' s is not before the root mount at '$t_root' s"
	case "$gen" in
	dracut-*)
		before "$t_hand" "$t_blk" ||
			t_fail "handoff at '$t_hand' s is not before the root device appeared at '$t_blk' s"
		[ -z "$t_net" ] || before "$t_hand" "$t_net" ||
			t_fail "handoff at '$t_hand' s is not before the network device at '$t_net' s"
		;;
	esac
	[ -z "$t_ip" ] || before "$t_hand" "$t_ip" ||
		t_fail "handoff at '$t_hand' s is not before the network was configured at '$t_ip' s"
	echo "    $gen: handed over at $t_hand s; root device $t_blk s, network ${t_net:--} s, root mounted $t_root s"
}

check() { # GENERATOR NAME
	gen=$1
	L=$LOGS/$1.$2.log
	case "$2" in
	ok)
		expect_root
		expect_status state=acknowledged ack=accepted verdict=ok
		# The receiver got exactly the range the kernel published.
		pub=$(sed -n 's/.*hv_pci: reserved swiotlb pool \[0x0*\([0-9a-f]*\)\.\..*/0x\1/p' "$L" | head -n 1)
		expect_eq "published base" "$pub" "$(status_value base)"
		json=$(sed -n 's|^HVTEST-FILE /run/hvtest/recv.json: ||p' "$L" | tr -d '\r')
		case "$json" in
		*"\"base\":\"$pub\",\"size\":4194304"*) ;;
		*) t_fail "the receiver recorded '$json', not base $pub size 4194304" ;;
		esac
		expect_order
		expect_kmsg 'hv-swiotlb: \[+[0-9]*ms\] attempt 1: connected'
		expect_kmsg 'hv-swiotlb: \[+[0-9]*ms\] done, exit 0'
		;;
	no-receiver)
		expect_root
		expect_status state=unreachable exit=3
		expect_bounded
		expect_kmsg 'hv-swiotlb: handoff to vsock:1:18515 failed after .*the boot goes on without it'
		;;
	silent-receiver)
		expect_root
		expect_status state=unreachable exit=3
		expect_bounded
		expect_kmsg 'no acknowledgement came before the deadline'
		;;
	fail-alloc | fail-contig | fail-create | fail-publish | fail-nodriver)
		want=$(echo "$2" | sed 's/fail-alloc/alloc-failed/; s/fail-contig/no-contig-alloc/;
			s/fail-create/pool-create-failed/; s/fail-publish/publish-failed/;
			s/fail-nodriver/no-hv-pci/')
		expect_root
		expect_status state=pool-absent "verdict=$want" exit=1
		expect_kmsg "hv-swiotlb: no pool to hand over ($want)"
		;;
	legacy)
		expect_root
		expect_status state=pool-absent verdict=legacy-param
		expect_kmsg 'is the legacy <base>,<size> form, which the kernel refuses (the kernel logged'
		;;
	disabled)
		expect_root
		expect_status state=disabled exit=0
		grep -q '^HVTEST-FILE /run/hvtest/recv.json: ' "$L" && t_fail "the receiver got a record"
		;;
	not-asked)
		expect_root
		expect_status state=none verdict=none exit=0
		kmsg_has 'hv-swiotlb:' && t_fail "hv-swiotlb logged something with nothing asked for"
		grep -q '^HVTEST-FILE /run/hvtest/recv.json: ' "$L" && t_fail "the receiver got a record"
		;;
	unit-ok)
		expect_root
		expect_status state=acknowledged ack=accepted verdict=ok
		expect_kmsg 'hv-swiotlb: handed \[0x[0-9a-f]*\.\.0x[0-9a-f]*) (4194304 bytes) to vsock:1:18515: accepted'
		lsinitrd "$OUT/dracut-unit.img" 2>/dev/null | grep -q 'hooks/pre-trigger/.*hv-swiotlb' &&
			t_fail "the unit image has the hook: the unit is not what ran"
		# systemd ran it before sysinit.target, as the unit says (dracut's
		# own units here have no default dependencies, so the console, not
		# the root mount, is the measure).
		done_at=$(console_line 'Finished hv-swiotlb\.servic')
		sysinit_at=$(console_line 'Reached target sysinit\.target')
		if [ -z "$done_at" ] || [ -z "$sysinit_at" ] || [ "$done_at" -ge "$sysinit_at" ]; then
			t_fail "hv-swiotlb.service finished at console line '$done_at', sysinit.target at '$sysinit_at'"
		fi
		;;
	unit-skip)
		expect_root
		expect_status state=left-by-the-initramfs
		kmsg_has 'hv-swiotlb:' && t_fail "the unit ran although the initramfs had"
		grep -q '^HVTEST-FILE /run/hvtest/recv.json: ' "$L" && t_fail "the receiver got a record"
		;;
	required | unit-required)
		grep -q '^HVTEST-ROOT-REACHED' "$L" && t_fail "the boot went on to the real root"
		if [ "$2" = required ]; then
			grep -q 'hv-swiotlb: the swiotlb pool handoff failed (exit 3) and rd.hvswiotlb.required is set' "$L" ||
				t_fail "the console does not show why the boot stopped"
		else
			[ -n "$(console_line 'Failed to start hv-swiotlb')" ] ||
				t_fail "the console does not show the unit's failure"
			[ -n "$(console_line 'Reached target emergency\.target')" ] ||
				t_fail "the console does not show the emergency target"
		fi
		grep -q '^HVTEST-TIMEOUT' "$L" && t_fail "the guest did not power off or reboot"
		;;
	esac
}

t0=$(now_ms)
boot_all
echo "    booted $(wc -l <"$LOGS/plan") guests in $((($(now_ms) - t0) / 1000)) s"
while IFS='|' read -r gen name cmdline; do
	t_begin "$gen: $name"
	check "$gen" "$name"
	if [ "$t_bad" -ne 0 ]; then
		mkdir -p "$OUT/failed"
		cp "$LOGS/$gen.$name.log" "$OUT/failed/"
		echo "    serial log kept: $OUT/failed/$gen.$name.log"
	fi
	t_end
done <"$LOGS/plan"
t_summary
