#!/bin/sh
# The packages' lifecycle under systemd as PID 1, in a QEMU guest booted
# from a Debian root (tests/boot/lifecycle-disk.sh) with that suite's
# kernel and its dracut-systemd image (tests/boot/distro-images.sh):
#
# 1. hvtest.lifecycle=host: the receiver's package installed (N), its
#    test sockets and vsock service enabled, upgraded to N+1 while a guest
#    connects, --exec run under the units' confinement, purged; then the
#    README's GRUB step (tests/boot/lifecycle-guest says each check).
# 2. hvtest.lifecycle=grub: a second boot of the same disk with the
#    kernel command line that GRUB step wrote to grub.cfg, plus what
#    stands in for Hyper-V (the stand-in module's pool, the receiver on
#    vsock loopback in the initramfs); the guest runs the README's checks
#    after a reboot, and they must show what the README says they show.
#
#   tests/boot/lifecycle.sh OUT SUITE
#
# The guest's checks come on its second serial port, one per line, as
# tests here; the consoles are OUT/lifecycle-logs/SUITE-lifecycle.*.
set -u
OUT=$(cd "$1" && pwd) || exit 1
SUITE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/report.sh
. "$HERE/../lib/report.sh"
TAB=$(printf '\t')
# A directory of its own: the scenarios, which may boot meanwhile, empty
# OUT/logs when they start.
LOGS=$OUT/lifecycle-logs
mkdir -p "$LOGS"
L=$LOGS/$SUITE-lifecycle
rm -f "$L".*
KERNEL=$OUT/$SUITE.vmlinuz
INITRD=$OUT/$SUITE-dracut-systemd.img
DISK=$OUT/$SUITE-lifecycle.ext4

# boot PHASE CMDLINE: the disk as it was made (snapshot=on), its checks
# in $L.PHASE.checks. Two processors: apt and the guests that connect
# meanwhile run at once.
boot() {
	rm -f "$L.$1.checks"
	t0=$(now_ms)
	sh "$HERE/boot.sh" "$KERNEL" "$INITRD" "$DISK" "$2 hvtest.lifecycle=$1" "$L.$1.log" 900 \
		-m 1536 -smp 2 -serial "file:$L.$1.checks"
	echo "    $SUITE lifecycle, $1: $((($(now_ms) - t0) / 1000)) s"
	tr -d '\r' <"$L.$1.checks" >"$L.$1.checks.txt" 2>/dev/null
}

# Each HVTEST-CHECK line, a test; then the end marker, or the console's
# end to say where the guest stopped.
report_checks() { # PHASE MIN-CHECKS
	n=0
	while IFS= read -r line; do
		case "$line" in
		"HVTEST-CHECK ok "*)
			t_begin "$SUITE lifecycle: ${line#HVTEST-CHECK ok }"
			t_end
			n=$((n + 1))
			;;
		"HVTEST-CHECK fail "*)
			rest=${line#HVTEST-CHECK fail }
			t_begin "$SUITE lifecycle: ${rest%%"$TAB"*}"
			t_fail "${rest#*"$TAB"}"
			t_end
			n=$((n + 1))
			;;
		"HVTEST-VALUE "*) echo "    ${line#HVTEST-VALUE }" ;;
		esac
	done <"$L.$1.checks.txt"
	t_begin "$SUITE lifecycle, $1: the guest ran every check to the end"
	grep -qx HVTEST-END "$L.$1.checks.txt" 2>/dev/null ||
		t_fail "no end marker after $n checks; the console's end: $(tail -n 15 "$L.$1.log" | tr -d '\r' | tr '\n' '|')"
	[ "$n" -ge "$2" ] || t_fail "$n checks, $2 expected"
	t_end
}
value_of() { sed -n "s/^HVTEST-VALUE $2 //p" "$L.$1.checks.txt" 2>/dev/null | head -n 1; }

for f in "$KERNEL" "$INITRD" "$DISK"; do
	[ -s "$f" ] || { t_begin "$SUITE lifecycle: its files"; t_fail "no $f"; t_end; t_summary; exit 1; }
done

boot host "root=/dev/vda rw hvtest.recv=none"
report_checks host 10

# The second boot: GRUB's line, what stands in for Hyper-V, the phase.
grub_line=$(value_of host grub-linux)
t_begin "$SUITE lifecycle: a reboot with the command line the README's GRUB step made"
if [ -z "$grub_line" ]; then
	t_fail "the first boot gave no grub.cfg line"
	t_end
	t_summary
	exit 1
fi
echo "    grub.cfg: $grub_line"
boot grub "$grub_line hv_swiotlb_stub.size=4M rd.hvswiotlb.cid=1"
cmdline=$(value_of grub cmdline)
for arg in $grub_line; do
	case " $cmdline " in *" $arg "*) ;; *) t_fail "/proc/cmdline has no '$arg': $cmdline" ;; esac
done
t_end
report_checks grub 1

# The README's checks, as run there, show what the README says they do.
out=$L.grub.readme
sed -n 's/^HVTEST-OUT //p' "$L.grub.checks.txt" >"$out" 2>/dev/null
section() { # COMMAND-PREFIX: the output of the README command that starts so
	awk -v c="== $1" 'index($0, c) == 1 { on = 1; next } /^== rc / { on = 0 } on' "$out"
}
t_begin "$SUITE lifecycle: the README's 'systemctl status hv-swiotlb-initrd.service' shows the outcome line"
section "systemctl status hv-swiotlb-initrd.service" | grep 'hv-swiotlb: .*state=acknowledged' |
	grep -q ' ack=accepted' ||
	t_fail "$(section "systemctl status" | tail -n 8 | tr '\n' '|')"
t_end
t_begin "$SUITE lifecycle: the README's 'cat /run/hv-swiotlb/status' says state=acknowledged, ack=accepted"
s=$(section "cat /run/hv-swiotlb/status")
for kv in state=acknowledged ack=accepted; do
	echo "$s" | grep -qx "$kv" || t_fail "no $kv in: $(echo "$s" | tr '\n' ' ')"
done
t_end
t_begin "$SUITE lifecycle: the README's 'journalctl -k -b | grep hv-swiotlb' shows the range handed and accepted"
section "journalctl -k -b" | grep -q 'handed \[0x[0-9a-f]*\.\.0x[0-9a-f]*).*accepted' ||
	t_fail "$(section "journalctl -k -b" | tail -n 5 | tr '\n' '|')"
t_end
t_summary
