#!/bin/sh
# Build the images of this machine's generators (Debian 12) from the
# staging tree, each with the test-only additions of tests/boot/: the
# stand-in kernel module, a small ext4 root that every boot test boots
# into, and initramfs images (dracut with systemd, dracut with its shell
# init, initramfs-tools, dracut-ng 102). The demo and the bench boot
# these; the boot matrix's images are tests/boot/distro-images.sh's.
# Nothing outside OUT is written.
#
#   tests/boot/build-images.sh STAGE RECV OUT [IMAGE...]
#   (the relay, hvtest-relay, is taken from RECV's directory)
#   IMAGE: dracut-systemd, dracut-shell, initramfs-tools, dracut-unit,
#   dracut-ng102-systemd, dracut-ng102-shell (default: all), or root: the
#   root disk alone, which every call makes.
#   dracut-unit has no hv-swiotlb module but the tree's hv-swiotlb.service,
#   run by the initramfs' systemd as PID 1: the stand-in for a boot without
#   an initramfs. The dracut-ng images are made by dracut-ng itself, built
#   from its release tarball (tests/boot/dracut-ng.sh) and cached in
#   OUT/../dracut-ng.
set -eu
STAGE=$(cd "$1" && pwd)
RECV=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
RELAY=$(dirname "$RECV")/hvtest-relay
# Units and the sleep hook where this tree has them: usr/lib in a staging
# tree, lib in a bookworm package.
UNITDIR=$(dirname "$(find "$STAGE" -type f -name hv-swiotlb-initrd.service | head -n 1)")
SLEEP_HOOK=$(find "$STAGE" -path '*/system-sleep/hv-swiotlb' | head -n 1)
OUT=$3
shift 3
IMAGES=${*:-dracut-systemd dracut-shell initramfs-tools dracut-unit dracut-ng102-systemd \
	dracut-ng102-shell}
wanted() { case " $IMAGES " in *" $1 "*) return 0 ;; esac; return 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/images.sh
. "$HERE/../lib/images.sh"
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
# What a system restored from hibernation runs: the systemd-sleep hook, the
# tool (static) and the relay.
install -D -m 0755 "$STAGE/usr/sbin/hv-swiotlb" "$OUT/rootdir/usr/sbin/hv-swiotlb"
install -D -m 0755 "$STAGE/usr/lib/hv-swiotlb/hv-swiotlb-boot" \
	"$OUT/rootdir/usr/lib/hv-swiotlb/hv-swiotlb-boot"
install -D -m 0755 "$SLEEP_HOOK" "$OUT/rootdir/usr/lib/systemd/system-sleep/hv-swiotlb"
install -D -m 0755 "$RELAY" "$OUT/rootdir/usr/bin/hvtest-relay"
# And for the scenarios that run the receiver outside the guest.
install -m 0755 "$RELAY" "$OUT/hvtest-relay"
install -m 0755 "$RECV" "$OUT/hv-swiotlb-recv"
printf 'NAME="hv-swiotlb boot test"\nID=hvtest\n' >"$OUT/rootdir/etc/os-release"
rm -f "$OUT/root.ext4"
mke2fs -q -t ext4 -d "$OUT/rootdir" "$OUT/root.ext4" 32M

# dracut, from a copy of the system's module tree plus ours and the test's.
rm -rf "$OUT/dracut" "$OUT/hvtest-module"
mkdir -p "$OUT/conf.d" "$OUT/tmp"
hvtest_dracut_module "$OUT/hvtest-module/99hv-swiotlb-test"
dracut_tree "$OUT/dracut" "$STAGE/usr/lib/dracut/modules.d/50hv-swiotlb" \
	"$OUT/hvtest-module/99hv-swiotlb-test"
: >"$OUT/dracut.conf"
SHELL_INIT="systemd systemd-initrd dracut-systemd"
# Not compressed: compressing took most of the build, and the guest's
# kernel copies a cpio faster than it inflates one under TCG.
DRIVERS=$HVTEST_DRIVERS

build_dracut() { # NAME TREE DRACUT [extra dracut args]
	name=$1
	tree=$2
	cmd=$3
	shift 3
	dracutbasedir=$tree HV_SWIOTLB_BINARY=$STAGE/usr/sbin/hv-swiotlb \
		HV_SWIOTLB_BOOT=$STAGE/usr/lib/hv-swiotlb/hv-swiotlb-boot \
		HV_SWIOTLB_UNITDIR=$UNITDIR \
		HVTEST_KO=$KO HVTEST_RECV=$RECV HVTEST_RELAY=$RELAY \
		"$cmd" --conf "$OUT/dracut.conf" --confdir "$OUT/conf.d" --tmpdir "$OUT/tmp" \
		--no-hostonly --drivers "$DRIVERS" --filesystems ext4 \
		--add "hv-swiotlb hv-swiotlb-test" --kver "$KVER" \
		--no-compress --force "$@" "$OUT/$name.img" >"$OUT/$name.log" 2>&1
}

# The unit image: no hv-swiotlb module; hv-swiotlb.service instead.
build_unit() {
	dracutbasedir=$OUT/dracut HVTEST_KO=$KO HVTEST_RECV=$RECV HVTEST_RELAY=$RELAY \
		HVTEST_UNIT=$STAGE \
		dracut --conf "$OUT/dracut.conf" --confdir "$OUT/conf.d" --tmpdir "$OUT/tmp" \
		--no-hostonly --drivers "$DRIVERS" --filesystems ext4 \
		--add hv-swiotlb-test --omit hv-swiotlb --kver "$KVER" \
		--no-compress --force "$OUT/dracut-unit.img" >"$OUT/dracut-unit.log" 2>&1
}

# initramfs-tools, from a copy of the machine's configuration directory.
build_initramfs_tools() {
	rm -rf "$OUT/itconf"
	cp -a /etc/initramfs-tools "$OUT/itconf"
	mkdir -p "$OUT/itconf/scripts/init-premount" "$OUT/itconf/scripts/local-premount"
	cp "$STAGE/usr/share/initramfs-tools/hooks/hv-swiotlb" "$OUT/itconf/hooks/"
	cp "$STAGE/usr/share/initramfs-tools/scripts/init-premount/hv-swiotlb" \
		"$OUT/itconf/scripts/init-premount/"
	cp "$STAGE/usr/share/initramfs-tools/scripts/local-premount/hv-swiotlb" \
		"$OUT/itconf/scripts/local-premount/"
	hvtest_initramfs_tools "$OUT/itconf"
	HV_SWIOTLB_BINARY=$STAGE/usr/sbin/hv-swiotlb \
		HV_SWIOTLB_BOOT=$STAGE/usr/lib/hv-swiotlb/hv-swiotlb-boot \
		HVTEST_KO=$KO HVTEST_RECV=$RECV HVTEST_RELAY=$RELAY \
		mkinitramfs -d "$OUT/itconf" -c zstd -l 1 -o "$OUT/initramfs-tools.img" "$KVER" \
		>"$OUT/initramfs-tools.log" 2>&1
}

# dracut-ng, run from its build directory, with its own dracut-install.
ng_tree() { # VERSION
	ng=$(sh "$HERE/dracut-ng.sh" "$1" "$OUT/../dracut-ng") || exit 1
	rm -rf "$OUT/dracut-ng-$1"
	DRACUT_BASE=$ng dracut_tree "$OUT/dracut-ng-$1" \
		"$STAGE/usr/lib/dracut/modules.d/50hv-swiotlb" "$OUT/hvtest-module/99hv-swiotlb-test"
	echo "$ng"
}
if wanted dracut-ng102-systemd || wanted dracut-ng102-shell; then
	NG_102=$(ng_tree 102) || exit 1
fi

build_one() { # IMAGE
	case "$1" in
	dracut-systemd) build_dracut "$1" "$OUT/dracut" dracut ;;
	dracut-shell) build_dracut "$1" "$OUT/dracut" dracut --omit "$SHELL_INIT" ;;
	dracut-unit) build_unit ;;
	initramfs-tools) build_initramfs_tools ;;
	root) ;;
	dracut-ng102-shell) DRACUT_INSTALL=$NG_102/dracut-install build_dracut "$1" \
		"$OUT/dracut-ng-102" "$NG_102/dracut.sh" --omit "$SHELL_INIT" ;;
	dracut-ng102-systemd) DRACUT_INSTALL=$NG_102/dracut-install build_dracut "$1" \
		"$OUT/dracut-ng-102" "$NG_102/dracut.sh" ;;
	*)
		echo "build-images.sh: no image $1" >&2
		return 1
		;;
	esac
}

# Two at a time, one per core; a failure shows the end of its log.
set +e
pending=$IMAGES
failed=0
while [ -n "$pending" ]; do
	# shellcheck disable=SC2086 # one word per image
	set -- $pending
	first=$1
	shift
	build_one "$first" &
	p1=$!
	p2=""
	if [ $# -gt 0 ]; then
		second=$1
		shift
		build_one "$second" &
		p2=$!
	fi
	pending=$*
	wait "$p1" || { failed=1; echo "== $first"; tail -n 20 "$OUT/$first.log"; }
	if [ -n "$p2" ]; then
		wait "$p2" || { failed=1; echo "== $second"; tail -n 20 "$OUT/$second.log"; }
	fi
done
[ "$failed" -eq 0 ] || exit 1
echo "built: $IMAGES in $OUT"
