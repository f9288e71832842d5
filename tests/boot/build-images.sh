#!/bin/sh
# Build everything the boot tests boot: the stand-in kernel module, a small
# ext4 root, and three initramfs images from the staging tree (dracut with
# systemd, dracut with its shell init, initramfs-tools), each with the
# test-only additions of tests/boot/. Nothing outside OUT is written.
#
#   tests/boot/build-images.sh STAGE RECV OUT [IMAGE...]
#   IMAGE: dracut-systemd, dracut-shell, initramfs-tools, dracut-unit
#   (default: all). dracut-unit has no hv-swiotlb module but the tree's
#   hv-swiotlb.service, run by the initramfs' systemd as PID 1: the stand-in
#   for a boot without an initramfs.
set -eu
STAGE=$(cd "$1" && pwd)
RECV=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
OUT=$3
shift 3
IMAGES=${*:-dracut-systemd dracut-shell initramfs-tools dracut-unit}
wanted() { case " $IMAGES " in *" $1 "*) return 0 ;; esac; return 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib-images.sh
. "$HERE/../lib-images.sh"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

KVER=$(debian_kver)
echo "$KVER" >"$OUT/kver"

# The stand-in kernel module, built in a copy so the tree stays clean.
rm -rf "$OUT/kmod"
cp -r "$HERE/../kmod" "$OUT/kmod"
make -s -C "/lib/modules/$KVER/build" M="$OUT/kmod" modules >"$OUT/kmod.log" 2>&1 ||
	{ cat "$OUT/kmod.log"; exit 1; }
KO=$OUT/kmod/hv_swiotlb_stub.ko

# The root filesystem.
rm -rf "$OUT/rootdir"
mkdir -p "$OUT/rootdir/bin" "$OUT/rootdir/sbin" "$OUT/rootdir/etc" "$OUT/rootdir/proc" \
	"$OUT/rootdir/sys" "$OUT/rootdir/run" "$OUT/rootdir/dev" "$OUT/rootdir/tmp"
cp "$(command -v busybox)" "$OUT/rootdir/bin/busybox"
ln -s busybox "$OUT/rootdir/bin/sh"
install -m 0755 "$HERE/rootfs-init" "$OUT/rootdir/sbin/init"
printf 'NAME="hv-swiotlb boot test"\nID=hvtest\n' >"$OUT/rootdir/etc/os-release"
rm -f "$OUT/root.ext4"
mke2fs -q -t ext4 -d "$OUT/rootdir" "$OUT/root.ext4" 32M

# dracut, from a copy of the system's module tree plus ours and the test's.
rm -rf "$OUT/dracut" "$OUT/hvtest-module"
mkdir -p "$OUT/conf.d" "$OUT/tmp" "$OUT/hvtest-module/99hv-swiotlb-test"
cp "$HERE/dracut-test/module-setup.sh" "$OUT/hvtest-module/99hv-swiotlb-test/"
cp "$HERE/hvtest-start.sh" "$HERE/dracut-test/hvtest-setup.service" \
	"$HERE/dracut-test/hvtest-order.conf" "$OUT/hvtest-module/99hv-swiotlb-test/"
dracut_tree "$OUT/dracut" "$STAGE/usr/lib/dracut/modules.d/91hv-swiotlb" \
	"$OUT/hvtest-module/99hv-swiotlb-test"
: >"$OUT/dracut.conf"

build_dracut() { # NAME [extra dracut args]
	name=$1
	shift
	dracutbasedir=$OUT/dracut HV_SWIOTLB_BINARY=$STAGE/usr/sbin/hv-swiotlb \
		HV_SWIOTLB_BOOT=$STAGE/usr/lib/hv-swiotlb/hv-swiotlb-boot \
		HVTEST_KO=$KO HVTEST_RECV=$RECV \
		dracut --conf "$OUT/dracut.conf" --confdir "$OUT/conf.d" --tmpdir "$OUT/tmp" \
		--no-hostonly --add "hv-swiotlb hv-swiotlb-test" --kver "$KVER" \
		--compress gzip --force "$@" "$OUT/$name.img" >"$OUT/$name.log" 2>&1 ||
		{ tail -n 20 "$OUT/$name.log"; exit 1; }
}
if wanted dracut-systemd; then
	build_dracut dracut-systemd
fi
if wanted dracut-shell; then
	build_dracut dracut-shell --omit "systemd systemd-initrd dracut-systemd"
fi
if wanted dracut-unit; then
	dracutbasedir=$OUT/dracut HVTEST_KO=$KO HVTEST_RECV=$RECV HVTEST_UNIT=$STAGE \
		dracut --conf "$OUT/dracut.conf" --confdir "$OUT/conf.d" --tmpdir "$OUT/tmp" \
		--no-hostonly --add hv-swiotlb-test --omit hv-swiotlb --kver "$KVER" \
		--compress gzip --force "$OUT/dracut-unit.img" >"$OUT/dracut-unit.log" 2>&1 ||
		{ tail -n 20 "$OUT/dracut-unit.log"; exit 1; }
fi
wanted initramfs-tools || { echo "built: $IMAGES in $OUT"; exit 0; }

# initramfs-tools, from a copy of the machine's configuration directory.
rm -rf "$OUT/itconf"
cp -a /etc/initramfs-tools "$OUT/itconf"
mkdir -p "$OUT/itconf/hooks" "$OUT/itconf/scripts/init-premount" "$OUT/itconf/scripts/init-top"
cp "$STAGE/usr/share/initramfs-tools/hooks/hv-swiotlb" "$OUT/itconf/hooks/"
cp "$STAGE/usr/share/initramfs-tools/scripts/init-premount/hv-swiotlb" \
	"$OUT/itconf/scripts/init-premount/"
install -m 0755 "$HERE/initramfs-tools-test/hook" "$OUT/itconf/hooks/hv-swiotlb-test"
{
	cat <<'HEAD'
#!/bin/sh
# Test-only init-top script; see tests/boot/hvtest-start.sh.
PREREQ=""
prereqs() { echo "$PREREQ"; }
case "$1" in prereqs) prereqs; exit 0 ;; esac
HEAD
	cat "$HERE/hvtest-start.sh"
	echo "exit 0"
} >"$OUT/itconf/scripts/init-top/hv-swiotlb-test"
chmod 0755 "$OUT/itconf/scripts/init-top/hv-swiotlb-test"
HV_SWIOTLB_BINARY=$STAGE/usr/sbin/hv-swiotlb HV_SWIOTLB_BOOT=$STAGE/usr/lib/hv-swiotlb/hv-swiotlb-boot \
	HVTEST_KO=$KO HVTEST_RECV=$RECV mkinitramfs -d "$OUT/itconf" -o "$OUT/initramfs-tools.img" "$KVER" \
	>"$OUT/initramfs-tools.log" 2>&1 || { tail -n 20 "$OUT/initramfs-tools.log"; exit 1; }
echo "built: $IMAGES in $OUT"
