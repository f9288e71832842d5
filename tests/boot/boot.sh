#!/bin/sh
# Boot Debian's kernel with an initramfs and the test root under QEMU, its
# serial console in LOG. TCG: KVM does not work on the machines this runs
# on (see README). The root image is opened with snapshot=on, so every boot
# starts from the same disk. A virtio NIC is there so that the first network
# activity shows in the kernel log too.
#
#   tests/boot/boot.sh KERNEL INITRD ROOT "CMDLINE" LOG [TIMEOUT_S [QEMU-ARG...]]
set -u
KERNEL=$1
INITRD=$2
ROOT=$3
CMDLINE=$4
LOG=$5
LIMIT=${6:-150}
if [ $# -ge 6 ]; then shift 6; else shift $#; fi

timeout --kill-after=5 "$LIMIT" qemu-system-x86_64 -accel tcg -m 1024 -smp 1 \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$KERNEL" -initrd "$INITRD" \
	-drive "file=$ROOT,format=raw,if=virtio,snapshot=on" \
	-nic user,model=virtio-net-pci \
	-append "console=ttyS0 panic=-1 $CMDLINE" "$@" </dev/null >"$LOG" 2>&1
rc=$?
[ "$rc" -eq 124 ] && echo "HVTEST-TIMEOUT after ${LIMIT}s" >>"$LOG"
exit "$rc"
