#!/bin/sh
# What the hv-swiotlb module adds to a dracut image and to an
# initramfs-tools image: each built twice, without and with it.
# Prints "what|bytes" lines.
#
#   bench/image-size.sh BUILD_DIR WORK
set -eu
B=$1
W=$2
D=$B/stage
mkdir -p "$W/dracut/modules.d" "$W/tmp" "$W/conf.d"
KVER=$(find /lib/modules -mindepth 2 -maxdepth 2 -name modules.dep |
	sed 's|^/lib/modules/||; s|/modules.dep$||' | sort -V | tail -n 1)
for f in /usr/lib/dracut/*; do [ "${f##*/}" = modules.d ] || ln -s "$f" "$W/dracut/"; done
for m in /usr/lib/dracut/modules.d/*; do ln -s "$m" "$W/dracut/modules.d/"; done
ln -s "$D/usr/lib/dracut/modules.d/91hv-swiotlb" "$W/dracut/modules.d/"
: >"$W/dracut.conf"
dr() {
	dracutbasedir=$W/dracut HV_SWIOTLB_BINARY=$D/usr/sbin/hv-swiotlb dracut -q \
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
HV_SWIOTLB_BINARY=$D/usr/sbin/hv-swiotlb mkinitramfs -d "$W/it1" -o "$W/it1.img" "$KVER" 2>/dev/null
echo "initramfs-tools image without the hook|$(wc -c <"$W/it0.img")"
echo "initramfs-tools image: what the hook adds|$(($(wc -c <"$W/it1.img") - $(wc -c <"$W/it0.img")))"
