#!/bin/sh
# A Debian root of SUITE, made from that suite's own packages by mmdebstrap,
# for the boot matrix (tests/boot/distro-images.sh): its kernel and the
# headers to build the stand-in module against, a compiler, systemd as init
# (poweroff, which an emergency under rd.emergency=poweroff runs), and
# dracut as the generator (initramfs-tools is downloaded beside it, for the
# image that swaps generators as a user would). apt's lists and downloads
# are kept, so apt works in it offline afterwards.
#
#   tests/boot/distro-root.sh SUITE CACHE
#
# The root lands in CACHE/SUITE/root and is kept while its key (the suite,
# the package list, the mirror and this script) stays the same; a change
# of any of them builds it again. Prints the root's path.
set -eu
SUITE=$1
CACHE=$2
MIRROR=${HVTEST_MIRROR:-http://deb.debian.org/debian}

# What every suite's root has: the kernel and its headers (the stand-in
# module is built in the root, by the suite's own compiler), systemd for
# dracut's systemd flavour and its resume units, dracut, and busybox and
# zstd that the generators use where they find them. util-linux-extra:
# unstable moved switch_root there and its dracut-core does not pull it
# in; without it a dracut shell image cannot leave the initramfs.
PACKAGES="linux-image-amd64 linux-headers-amd64 gcc make libc6-dev kmod systemd systemd-sysv
udev dracut busybox zstd cpio util-linux-extra"
# mkosi-initrd where the suite has it (25 in trixie, 27 in unstable), with
# what makes its local repository of our package: reprepro (25),
# apt-ftparchive (26 on).
case "$SUITE" in
trixie | unstable | sid) PACKAGES="$PACKAGES mkosi reprepro apt-utils" ;;
esac
# Downloaded, not installed: the other generator; and GRUB, for the
# lifecycle guest (tests/boot/lifecycle-disk.sh), on its own: a suite
# whose grub-pc cannot be installed for a while (unstable) keeps its
# root, and only a lifecycle guest of that suite would miss it.
LATER="initramfs-tools"
GRUB="grub-pc"

# shellcheck disable=SC2086 # one word per package
KEY=$(printf '%s\n' "$SUITE" "$MIRROR" $PACKAGES -- $LATER $GRUB | cat - "$0" | sha256sum | cut -d' ' -f1)
DIR=$CACHE/$SUITE
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
if [ -d "$DIR/root" ] && [ -f "$DIR/key" ] && [ "$(cat "$DIR/key")" = "$KEY" ]; then
	echo "$DIR/root"
	exit 0
fi
rm -rf "$DIR/root" "$DIR/key"

# No recommends, as a minimal install has it; the sources of the suite
# itself, so that apt in the root finds the suite's packages; a Release
# file past its Valid-Until still taken (the archive these machines reach
# may be a snapshot, and unstable's expires within a week). The kernel's
# own install runs dracut: before it, the test VM's small, uncompressed
# image configuration (tests/boot/distro-images.sh writes it whole).
# The hooks' "$1" is the root, which mmdebstrap passes them.
# shellcheck disable=SC2086,SC2016 # one word per package; hooks expand later
if ! mmdebstrap --variant=apt --mode=root --format=directory \
	--aptopt='APT::Install-Recommends "false"' \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--include="$(echo $PACKAGES | tr ' ' ',')" \
	--skip=cleanup/apt \
	--essential-hook='mkdir -p "$1/etc/dracut.conf.d" && printf "%s\n" "hostonly=no" \
		"drivers=\"virtio_pci virtio_blk\"" "filesystems=ext4" "compress=cat" \
		>"$1/etc/dracut.conf.d/90-hvtest.conf"' \
	--customize-hook="chroot \"\$1\" apt-get -y -qq --download-only install $LATER" \
	--customize-hook="chroot \"\$1\" apt-get -y -qq --download-only install $GRUB || true" \
	--customize-hook='echo hvtest >"$1/etc/hostname"' \
	"$SUITE" "$DIR/root" "$MIRROR" >"$DIR/mmdebstrap.log" 2>&1; then
	echo "distro-root.sh: mmdebstrap $SUITE failed; the end of $DIR/mmdebstrap.log:" >&2
	tail -n 20 "$DIR/mmdebstrap.log" >&2
	rm -rf "$DIR/root"
	exit 1
fi
echo "$KEY" >"$DIR/key"
echo "$DIR/root"
