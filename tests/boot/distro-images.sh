#!/bin/sh
# The boot matrix's images for one Debian suite, made as a user of that
# suite makes them: in a copy of the suite's root (tests/boot/distro-root.sh),
# the stand-in module is built against the root's kernel headers by the
# root's compiler, the test additions are put where an administrator's
# files go (/etc), and our .debs are installed with apt, whose
# update-initramfs trigger has the suite's own generator build the image.
# Then the other flavours: dracut's shell init (a drop-in, then
# dracut -f), mkosi-initrd where the suite has it, the
# no-initramfs stand-in (one dracut run), and initramfs-tools, which apt
# installs in dracut's place (then update-initramfs -c where its postinst
# made none).
#
#   tests/boot/distro-images.sh SUITE ROOT DEBS OUT [GENERATOR...]
#
# GENERATOR: dracut-systemd dracut-shell mkosi-initrd unit initramfs-tools
# (default: all that the suite has), and lifecycle: the dracut-systemd
# image and the root disk of tests/boot/lifecycle.sh
# (tests/boot/lifecycle-disk.sh makes it, last, from this root). Writes OUT/SUITE-GENERATOR.img, the
# suite's kernel as OUT/SUITE.vmlinuz, and OUT/SUITE-GENERATOR.kernel
# naming it; logs in OUT/SUITE-*.log. DEBS holds hv-swiotlb_*.deb and
# hv-swiotlb-recv_*.deb. The relay is taken from HVTEST_RELAY.
set -eu
SUITE=$1
ROOT=$2
DEBS=$(cd "$3" && pwd)
OUT=$(cd "$4" && pwd)
shift 4
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/images.sh
. "$HERE/../lib/images.sh"
GENS=${*:-dracut-systemd dracut-shell mkosi-initrd unit initramfs-tools}
wanted() { case " $GENS " in *" $1 "*) return 0 ;; esac; return 1; }
W=$OUT/$SUITE-root
LOG=$OUT/$SUITE-prepare.log
: >"$LOG"

unmount_all() {
	for m in "$W/dev" "$W/sys" "$W/proc" "$W"; do
		mountpoint -q "$m" 2>/dev/null && umount -l "$m"
	done
	return 0
}
trap unmount_all EXIT
unmount_all
rm -rf "$W"
cp -a --reflink=auto "$ROOT" "$W"
# A mount point of its own, as a container's root is: mkosi's sandbox
# needs one.
mount --bind "$W" "$W"
mount -t proc proc "$W/proc"
mount -t sysfs sysfs "$W/sys"
mount --rbind /dev "$W/dev"

# Commands in the root, in a clean environment, as its own administrator
# would run them.
in_root() {
	chroot "$W" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}
step() { # LOGFILE WHAT COMMAND...: fail with the log's end
	sl=$1
	what=$2
	shift 2
	echo "== $what" >>"$sl"
	if ! "$@" >>"$sl" 2>&1; then
		echo "distro-images.sh: $SUITE: $what failed; the end of $sl:" >&2
		tail -n 25 "$sl" >&2
		exit 1
	fi
}
# The image as the generator left it, copied out under its matrix name.
take() { # GENERATOR
	step "$LOG" "$1: the image exists" test -s "$W/boot/initrd.img-$KVER"
	cp "$W/boot/initrd.img-$KVER" "$OUT/$SUITE-$1.img"
	echo "$OUT/$SUITE.vmlinuz" >"$OUT/$SUITE-$1.kernel"
}
# A member of the image, by a path suffix (a link's too, which the
# listers show with its target), as the generator's own lister shows it.
image_has() { # LISTER IMAGE-IN-ROOT PATH-SUFFIX
	in_root "$1" "$2" | grep -Eq -- "$3( -> .*)?\$"
}
image_check() { # GENERATOR: our hook or unit is in it
	lister=lsinitrd
	case "$1" in
	dracut-systemd | mkosi-initrd) want="hv-swiotlb-initrd.service" ;;
	dracut-shell) want="pre-trigger/20-hv-swiotlb-hook.sh" ;;
	initramfs-tools) want="scripts/init-premount/hv-swiotlb" lister=lsinitramfs ;;
	unit) want="sysinit.target.wants/hv-swiotlb.service" ;;
	esac
	step "$LOG" "$1: the image has $want" image_has "$lister" "/boot/initrd.img-$KVER" "$want"
}

KVER=$(find "$W/usr/lib/modules" "$W/lib/modules" -mindepth 1 -maxdepth 1 2>/dev/null |
	sed 's|.*/||' | sort -V | tail -n 1)
[ -n "$KVER" ] || { echo "distro-images.sh: $SUITE: no kernel in $ROOT" >&2; exit 1; }
echo "$KVER" >"$OUT/$SUITE.kver"
cp "$W/boot/vmlinuz-$KVER" "$OUT/$SUITE.vmlinuz"

# The stand-in module, against this kernel, by this suite's compiler.
rm -rf "$W/tmp/hvtest-kmod"
cp -r "$HERE/../kmod" "$W/tmp/hvtest-kmod"
step "$LOG" "building the stand-in module for $KVER" \
	in_root make -C "/lib/modules/$KVER/build" M=/tmp/hvtest-kmod modules
install -D -m 0644 "$W/tmp/hvtest-kmod/hv_swiotlb_stub.ko" \
	"$W/lib/modules/$KVER/updates/hvtest/hv_swiotlb_stub.ko"
step "$LOG" "depmod" in_root depmod "$KVER"

# The test additions, where an administrator's own files go.
install -D -m 0755 "$HVTEST_RELAY" "$W/usr/lib/hvtest/hvtest-relay"
hvtest_dracut_module "$W/usr/lib/dracut/modules.d/99hv-swiotlb-test"
cat >"$W/etc/dracut.conf.d/90-hvtest.conf" <<EOF
# Test-only: every image boots the test VM, and only it.
hostonly="no"
add_dracutmodules+=" hv-swiotlb-test "
drivers="$HVTEST_DRIVERS"
filesystems="ext4"
compress="cat"
EOF
hvtest_initramfs_tools "$W/etc/initramfs-tools"
mkdir -p "$W/tmp/debs"
cp "$DEBS"/hv-swiotlb_*.deb "$DEBS"/hv-swiotlb-recv_*.deb "$W/tmp/debs/"

# dracut, systemd flavour: what apt's trigger builds (dracut 112 only
# rebuilds the images that exist: the kernel's install made one, without
# us, so ours in it shows the trigger's work).
step "$OUT/$SUITE-dracut-systemd.log" "apt-get install our packages" \
	in_root sh -c 'apt-get install -y /tmp/debs/*.deb'
if wanted dracut-systemd || wanted lifecycle; then
	image_check dracut-systemd
	take dracut-systemd
fi

# dracut, shell flavour: the same, without systemd in the image.
if wanted dracut-shell; then
	echo 'omit_dracutmodules+=" systemd systemd-initrd dracut-systemd "' \
		>"$W/etc/dracut.conf.d/91-hvtest-shell.conf"
	step "$OUT/$SUITE-dracut-shell.log" "dracut -f (shell init)" \
		in_root dracut -f "/boot/initrd.img-$KVER" "$KVER"
	image_check dracut-shell
	take dracut-shell
	rm -f "$W/etc/dracut.conf.d/91-hvtest-shell.conf"
fi

# No initramfs of ours: hv-swiotlb.service of the installed package, run by
# systemd as PID 1 (the initramfs' own systemd stands in for the root's).
if wanted unit; then
	step "$OUT/$SUITE-unit.log" "dracut -f (the no-initramfs stand-in)" \
		in_root env HVTEST_UNIT=/ dracut -f --omit hv-swiotlb "/boot/initrd.img-$KVER" "$KVER"
	image_check unit
	take unit
fi

# mkosi-initrd, with our drop-in, from our package in a local directory.
if wanted mkosi-initrd && [ -x "$W/usr/bin/mkosi-initrd" ]; then
	sh "$HERE/mkosi-initrd.sh" "$W" "$KVER" "/tmp/debs" "/boot/initrd.img-$KVER" \
		>"$OUT/$SUITE-mkosi-initrd.log" 2>&1 || {
		echo "distro-images.sh: $SUITE: mkosi-initrd failed; the end of its log:" >&2
		tail -n 25 "$OUT/$SUITE-mkosi-initrd.log" >&2
		exit 1
	}
	image_check mkosi-initrd
	take mkosi-initrd
fi

# initramfs-tools instead of dracut, as apt swaps them. Its postinst
# makes no image for a kernel installed before it (seen on trixie):
# then update-initramfs -c, as its user would run next.
if wanted initramfs-tools; then
	rm -f "$W/boot/initrd.img-$KVER"
	step "$OUT/$SUITE-initramfs-tools.log" "apt-get install initramfs-tools" \
		in_root apt-get install -y --no-download initramfs-tools
	[ -s "$W/boot/initrd.img-$KVER" ] ||
		step "$OUT/$SUITE-initramfs-tools.log" "update-initramfs -c" \
			in_root update-initramfs -c -k "$KVER"
	image_check initramfs-tools
	take initramfs-tools
fi
if wanted lifecycle; then
	sh "$HERE/lifecycle-disk.sh" "$W" "$DEBS" "$OUT" "$SUITE" >"$OUT/$SUITE-lifecycle-disk.log" 2>&1 || {
		echo "distro-images.sh: $SUITE: the lifecycle disk failed; the end of its log:" >&2
		tail -n 25 "$OUT/$SUITE-lifecycle-disk.log" >&2
		exit 1
	}
fi
unmount_all
rm -rf "$W"
echo "built for $SUITE ($KVER): $GENS"
