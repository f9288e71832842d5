#!/bin/sh
# What the hv-swiotlb module adds to a dracut image and to an
# initramfs-tools image: each built twice, without and with it.
# Prints "what|bytes" lines.
#
#   bench/image-size.sh BUILD_DIR WORK
set -eu
# shellcheck source=tests/lib/images.sh
. "$(dirname "$0")/../tests/lib/images.sh"
B=$1
W=$2
D=$(cd "$B/stage" && pwd) # dracut finds a module's binaries by absolute path only
mkdir -p "$W/tmp" "$W/conf.d"
KVER=$(debian_kver)
dracut_tree "$W/dracut" "$D/usr/lib/dracut/modules.d/50hv-swiotlb"
: >"$W/dracut.conf"
dr() {
	dracutbasedir=$W/dracut HV_SWIOTLB_BINARY=$D/usr/sbin/hv-swiotlb \
		HV_SWIOTLB_BOOT=$D/usr/lib/hv-swiotlb/hv-swiotlb-boot HV_SWIOTLB_UNITDIR=$D/usr/lib/systemd/system \
		dracut -q \
		--conf "$W/dracut.conf" --confdir "$W/conf.d" --tmpdir "$W/tmp" --no-hostonly \
		--kver "$KVER" --compress gzip --force "$@"
}
dr "$W/without.img"
dr --add hv-swiotlb "$W/with.img"
echo "dracut image (gzip) without the module|$(wc -c <"$W/without.img")"
echo "dracut image (gzip): what the module adds|$(($(wc -c <"$W/with.img") - $(wc -c <"$W/without.img")))"

cp -a /etc/initramfs-tools "$W/it0"
cp -a /etc/initramfs-tools "$W/it1"
mkdir -p "$W/it1/hooks" "$W/it1/scripts/init-premount"
cp "$D/usr/share/initramfs-tools/hooks/hv-swiotlb" "$W/it1/hooks/"
cp "$D/usr/share/initramfs-tools/scripts/init-premount/hv-swiotlb" "$W/it1/scripts/init-premount/"
mkinitramfs -d "$W/it0" -o "$W/it0.img" "$KVER" 2>/dev/null
HV_SWIOTLB_BINARY=$D/usr/sbin/hv-swiotlb HV_SWIOTLB_BOOT=$D/usr/lib/hv-swiotlb/hv-swiotlb-boot \
	mkinitramfs -d "$W/it1" -o "$W/it1.img" "$KVER" 2>/dev/null
echo "initramfs-tools image without the hook|$(wc -c <"$W/it0.img")"
echo "initramfs-tools image: what the hook adds|$(($(wc -c <"$W/it1.img") - $(wc -c <"$W/it0.img")))"
