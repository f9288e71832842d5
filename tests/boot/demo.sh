#!/bin/sh
# make demo: build a dracut initramfs with --add hv-swiotlb, boot it under
# QEMU, and say in a few lines what happened.
#
#   tests/boot/demo.sh BUILD_DIR
set -eu
B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$B/demo

echo "hv-swiotlb demo: building a dracut initramfs (dracut --add hv-swiotlb)..."
sh "$HERE/build-images.sh" "$B/stage" "$B/glibc/hv-swiotlb-recv" "$OUT" dracut-systemd >/dev/null
KVER=$(cat "$OUT/kver")
LOG=$OUT/demo-serial.log
echo "booting Debian's kernel $KVER under QEMU (TCG, about 10 to 30 s)..."
sh "$HERE/boot.sh" "/boot/vmlinuz-$KVER" "$OUT/dracut-systemd.img" "$OUT/root.ext4" \
	"root=/dev/vda rw hv_pci_swiotlb=4M hv_swiotlb_stub.size=4M rd.hvswiotlb.cid=1 rd.hvswiotlb.debug" \
	"$LOG" 180 || true

file_line() { sed -n "s|^HVTEST-FILE $1: ||p" "$LOG" | tr -d '\r'; }
status() { file_line /run/hv-swiotlb/status | sed -n "s/^$1=//p"; }
published=$(sed -n 's/.*\(hv_pci: reserved swiotlb pool \[[^)]*)\).*/\1/p' "$LOG" | head -n 1)
t_hand=$(sed -n 's/^HVTEST-KMSG \[ *\([0-9.]*\)\] hv-swiotlb: handed .*/\1/p' "$LOG" | head -n 1)
t_root=$(sed -n 's/^\[ *\([0-9.]*\)\] EXT4-fs (vda): mounted.*/\1/p' "$LOG" | head -n 1)

cat <<REPORT

What happened (serial log: $LOG)

  Stand-in, not Hyper-V: Debian's kernel has no hv_pci swiotlb patch. The
  pool below is made by tests/kmod/hv_swiotlb_stub.ko, which allocates a
  real zeroed 4 MiB region below 4 GiB and publishes it in sysfs exactly
  as the patch does. The "host" is hv-swiotlb-recv inside the same guest,
  on vsock loopback (CID 1), since QEMU here has no vhost-vsock.

  kernel published:   ${published:-nothing}
                      swiotlb_base=$(status base) swiotlb_size=$(status size)
  guest sent:         that range to $(status target), $(status attempts) attempt(s)
  receiver recorded:  $(file_line /run/hvtest/recv.json)
  handoff:            $(status state), ack=$(status ack), in $(status elapsed_ms) ms,
                      at ${t_hand:-?} s, before the root mount at ${t_root:-?} s
REPORT
echo
echo "The tool's own step log (rd.hvswiotlb.debug):"
sed -n 's/^HVTEST-KMSG \(\[.*\] hv-swiotlb: .*\)/  \1/p' "$LOG" | tr -d '\r'
[ "$(status state)" = acknowledged ]
