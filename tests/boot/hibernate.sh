#!/bin/sh
# One hibernate-and-resume scenario: a guest boots, hands its range over
# and hibernates to a swap disk; a second boot, whose fresh kernel makes
# its pool elsewhere (hv_swiotlb_stub.avoid=<the first boot's base>),
# resumes the image. The receiver runs here, outside the guest, behind the
# relay (hvtest-relay.c), so that it outlives both QEMU runs as a host's
# would; it keeps a state directory.
#
#   tests/boot/hibernate.sh KERNEL INITRD ROOT "CMDLINE" OUT RELAY RECV
#
# OUT.1.log and OUT.2.log are the two serial logs; OUT.d/ holds the swap
# disk, the receiver's recv.json, recv.log and state/, and relay.log.
set -u
KERNEL=$1
INITRD=$2
ROOT=$3
CMDLINE=$4
OUT=$5
RELAY=$6
RECV=$7
HERE=$(cd "$(dirname "$0")" && pwd)
W=$OUT.d
rm -rf "$W"
mkdir -p "$W/state"
chmod 0700 "$W/state"
PIDS=""

# Socket paths stay short: sun_path holds 108 bytes.
SOCKS=$(mktemp -d /tmp/hvs-hib-XXXXXX)
cleanup() {
	for pid in $PIDS; do kill "$pid" 2>/dev/null; done
	rm -rf "$SOCKS"
}
trap cleanup EXIT

truncate -s 192M "$W/swap.img"
mkswap -q "$W/swap.img" >/dev/null 2>&1 || mkswap "$W/swap.img" >/dev/null

"$RECV" --unix "$SOCKS/vm.sock" --state-dir "$W/state" >"$W/recv.json" 2>"$W/recv.log" &
PIDS="$PIDS $!"
"$RELAY" host "$SOCKS/chardev.sock" "$SOCKS/vm.sock" 2>"$W/relay.log" &
PIDS="$PIDS $!"
i=0
while { [ ! -S "$SOCKS/vm.sock" ] || [ ! -S "$SOCKS/chardev.sock" ]; } && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
echo "unix:$SOCKS/vm.sock" >"$W/peer"

run() { # N EXTRA-CMDLINE
	sh "$HERE/boot.sh" "$KERNEL" "$INITRD" "$ROOT" "$CMDLINE $2" "$OUT.$1.log" 180 \
		-drive "file=$W/swap.img,format=raw,if=virtio" \
		-device virtio-serial-pci \
		-chardev "socket,id=hvs,path=$SOCKS/chardev.sock,reconnect=1" \
		-device virtserialport,chardev=hvs,name=org.hvtest.relay
}
run 1 "hvtest.hibernate hvtest.recv=host"
# The first boot's base, as the receiver recorded it (none: the checks say so).
first=$(sed -n 's/.*"event":"accepted".*"base":"\(0x[0-9a-f]*\)".*/\1/p' "$W/recv.json" | head -n 1)
run 2 "hvtest.hibernate hvtest.recv=host hv_swiotlb_stub.avoid=${first:-0}"
sleep 0.2
